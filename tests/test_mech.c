/*
** Tests of src/mech (THEORY.md T3).
**
**  - apply: every mechanism against a direct implementation of its T3 formula
**    written here with naive loops, the compressors called directly on a
**    clone of the same random streams, in float and double; the server's side
**    (the message applied to a copy of h, before and after a wire round trip)
**    must rebuild the output bit for bit.
**  - consts: declared A, B against the T3 table evaluated here in long double
**    from the naive formulas, for three or more settings of each row.
**  - errors: init refuses what T3 does not cover.
**  - tight: EF21's worst case of T3 meets (3PC) with equality; deterministic
**    rows satisfy (3PC) on every random triple.
**
** The element-type-generic part (direct formulas, one pass over a spec) is
** written once under MECH_TEST_BODY and instantiated for float and double by
** including this file into itself between core/templates_on.h and
** templates_off.h, the idiom the library uses.
*/
#ifndef MECH_TEST_BODY

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <float.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "comp/comp.h"
#include "comp/topk_impl.h"
#include "core/error.h"
#include "registry/registry.h"
#include "mech/common.h"
#include "mech/mech.h"
#include "rng/pcg.h"
#include "spec/spec.h"
#include "wire/msg.h"
#include "wire/wire.h"

/* The expected constants are the naive T3 formulas in long double: with at
** least 64 bits of mantissa, 1 - sqrt(1 - a) loses ~log2(1/a) of them to
** cancellation and keeps more than 53 for every a >= 2^-10 used here. */
_Static_assert(LDBL_MANT_DIG >= 64, "the reference constants need x87 or better long double");

enum { D = 100, NCLIENT = 4, NTRIAL = 240, NVEC = 4 };

static tpc_registry *reg;

static void setup(void) {
  reg = tpc_registry_alloc();
  cr_assert(not(eq(ptr, reg, NULL)), "registry: %s", tpc_error_msg());
}

static void teardown(void) { tpc_registry_free(reg); }

static tpc_spec *parse(const char *text) {
  tpc_spec *s = NULL;
  int rc = tpc_spec_parse(text, &s);
  cr_assert(eq(int, rc, TPC_OK), "parse '%s': %s", text, tpc_error_msg());
  return s;
}

static tpc_mech *build(const char *text, size_t n) {
  tpc_spec *s = parse(text);
  int rc = -1;
  tpc_mech *m = tpc_mech_alloc(reg, s, D, n, &rc);
  cr_assert(not(eq(ptr, m, NULL)), "'%s': %s", text, tpc_error_msg());
  cr_assert(eq(int, rc, TPC_OK));
  tpc_spec_free(s);
  return m;
}

/* A mechanism's path is its compressors', each listed once, inner ones
** first; one without a compressor runs the portable arithmetic alone.
** TopK's part (%s in the expected path) is the selection its size table
** picks on this CPU for d = D and the case's k. */
Test(mech, path_lists_the_parts_paths, .init = setup, .fini = teardown) {
  static const struct {
    const char *spec, *want;
    size_t k;
  } cases[] = {
      {"gd", "portable", 1},
      {"lag(zeta=4)", "portable", 1},
      {"ef21(topk(k=10))", "%s", 10},
      {"3pcv3(lag(zeta=4),topk(k=10))", "%s", 10},
      {"3pcv4(topk(k=5),topk(k=5))", "%s", 5},
      {"3pcv3(ef21(identity),topk(k=10))", "portable+%s", 10},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const tpc_topk_impl *best = tpc_topk_best(D, cases[i].k, TPC_F32);
    char topk[48], path[64], want[64];
    snprintf(topk, sizeof topk, "%s/%s", best->name, best->isa);
    snprintf(want, sizeof want, cases[i].want, topk);
    tpc_mech *m = build(cases[i].spec, 1);
    cr_assert(eq(str, (char *)tpc_mech_path(m, TPC_F32, path, sizeof path), want), "%s",
              cases[i].spec);
    tpc_mech_free(m);
  }
}

/* ---- the direct implementations' instances ----------------------------- */

/* A spec node for the direct formulas: compressors built from its arguments,
** the inner node of 3pcv3, the parameters, and scratch vectors. */
typedef struct ref {
  const char *name;
  tpc_comp *c[8];
  size_t nc;
  struct ref *inner;
  double zeta, p, beta;
  double *buf;   /* NVEC vectors of D doubles, used as float or double */
} ref;

#define VEC(r, i) ((BASE *)((r)->buf + (size_t)(i) * D))

static double param(const tpc_spec *s, const char *key, double dflt) {
  const tpc_spec_param *p = tpc_spec_param_find(s, key);
  return p ? p->value : dflt;
}

/* s must outlive the node (name points into it). */
static ref *ref_alloc(const tpc_spec *s) {
  ref *r = calloc(1, sizeof *r);
  cr_assert(not(eq(ptr, r, NULL)));
  r->name = s->name;
  for (size_t i = 0; i < s->nargs; i++) {
    if (tpc_registry_kind(reg, s->args[i]->name) == TPC_KIND_MECH) {
      r->inner = ref_alloc(s->args[i]);
      continue;
    }
    int rc = -1;
    r->c[r->nc] = tpc_comp_alloc(reg, s->args[i], D, NCLIENT, &rc);
    cr_assert(not(eq(ptr, r->c[r->nc], NULL)), "%s", tpc_error_msg());
    r->nc++;
  }
  r->zeta = param(s, "zeta", NAN);
  r->p = param(s, "p", NAN);
  r->beta = NAN;
  if (strcmp(s->name, "diana") == 0) {
    tpc_comp_consts k;
    tpc_comp_consts_get(r->c[0], &k);
    r->beta = param(s, "beta", 1.0 / (k.omega + 1.0));
  }
  r->buf = calloc(NVEC * D, sizeof(double));
  cr_assert(not(eq(ptr, r->buf, NULL)));
  return r;
}

static void ref_free(ref *r) {
  if (!r) return;
  ref_free(r->inner);
  for (size_t i = 0; i < r->nc; i++) tpc_comp_free(r->c[i]);
  free(r->buf);
  free(r);
}

/* One row of the apply table: a spec and the branches (bit b for branch b of
** the direct implementation) the random inputs must reach at least once, so
** that every path of every kernel is compared.  The text is stored inline:
** Criterion copies parameters by value into a worker process, where pointers
** into the parent's data would not be valid. */
typedef struct mech_case {
  char spec[200];
  unsigned must;
} mech_case;

static mech_case apply_cases[] = {
    {"gd", 1},
    {"ef21(topk(k=10))", 1},
    {"ef21(randk(k=10))", 1},
    {"ef21(scaled(urandk(k=5)))", 1},
    {"ef21(sign)", 1},
    {"ef21(identity)", 1},
    {"lag(zeta=4)", 3},
    {"lag(zeta=0)", 3},
    {"clag(topk(k=10),zeta=2)", 3},
    {"clag(randk(k=20),zeta=0.5)", 3},
    {"3pcv1(topk(k=10))", 1},
    {"3pcv1(scaled(natural))", 1},
    {"3pcv2(urandk(k=5),topk(k=5))", 1},
    {"3pcv2(compose(urandk(k=10),permk),topk(k=10))", 1},
    {"3pcv2(dither(s=4),randk(k=10))", 1},
    {"3pcv3(lag(zeta=4),topk(k=10))", 1},
    {"3pcv3(3pcv2(urandk(k=5),topk(k=5)),randk(k=10))", 1},
    {"3pcv3(shifted(topk(k=20)),topk(k=10))", 1},
    /* 2 + 6 parts: a message exactly TPC_MSG_MAXPARTS long */
    {"3pcv3(3pcv3(3pcv3(3pcv3(3pcv3(3pcv3(3pcv2(urandk(k=5),topk(k=5)),"
     "topk(k=1)),topk(k=2)),topk(k=3)),topk(k=4)),topk(k=5)),randk(k=6))",
     1},
    {"3pcv4(topk(k=5),topk(k=5))", 1},
    {"3pcv4(randk(k=5),topk(k=20))", 1},
    {"3pcv5(topk(k=10),p=0.5)", 3},
    {"3pcv5(randk(k=10),p=0.2)", 3},
    {"3pcv5(topk(k=10),p=1)", 2},
    {"adacgd(topk(k=30),topk(k=70),topk(k=100),zeta=4)", 15},
    {"adacgd(randk(k=10),zeta=1)", 3},
    {"adacgd(randk(k=50),topk(k=90),zeta=2)", 7},
    {"marina(urandk(k=10),p=0.3)", 3},
    {"marina(permk,p=0.5)", 3},
    {"shifted(urandk(k=50))", 1},
    {"shifted(topk(k=10))", 1},
    {"diana(urandk(k=10))", 1},
    {"diana(bernoulli(p=0.5),beta=0.2)", 1},
    {"diana(natural,beta=0.5)", 1},
    {"diana(identity)", 1},
};

/* Gaussian triples with ||x - h|| / ||x - y|| spread over four decades, so
** that every trigger fires both ways, plus the degenerate cases h = x, y = x
** and h = y (zero differences reach the compressors). */
static void gen_triple(gsl_rng *g, size_t t, double *h, double *y, double *x) {
  double a = pow(10.0, gsl_ran_flat(g, -1, 1));
  double b = pow(10.0, gsl_ran_flat(g, -1, 1));
  for (size_t i = 0; i < D; i++) {
    x[i] = gsl_ran_gaussian(g, 1.0);
    h[i] = x[i] + a * gsl_ran_gaussian(g, 1.0);
    y[i] = x[i] + b * gsl_ran_gaussian(g, 1.0);
  }
  if (t % 16 == 0) memcpy(h, x, D * sizeof *h);
  if (t % 16 == 1) memcpy(y, x, D * sizeof *y);
  if (t % 16 == 2) memcpy(h, y, D * sizeof *h);
}

#define MECH_TEST_BODY
#define TPC_BASE_F32
#include "core/templates_on.h"
#include "test_mech.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "test_mech.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

/* ---- (1) and (3): apply against the formulas, and the server's side ---- */

ParameterizedTestParameters(mech, apply_f64) {
  return cr_make_param_array(mech_case, apply_cases,
                             sizeof apply_cases / sizeof apply_cases[0]);
}

ParameterizedTest(mech_case *c, mech, apply_f64, .init = setup,
                  .fini = teardown) {
  check_spec_f64(c->spec, c->must);
}

ParameterizedTestParameters(mech, apply_f32) {
  return cr_make_param_array(mech_case, apply_cases,
                             sizeof apply_cases / sizeof apply_cases[0]);
}

ParameterizedTest(mech_case *c, mech, apply_f32, .init = setup,
                  .fini = teardown) {
  check_spec_f32(c->spec, c->must);
}

/* ---- (2) declared constants against the T3 table ----------------------- */

/* Within 4 ulps: the library's forms (a / (1 + sqrt(1 - a)), then
** B = (1 - a) / A) take at most four correctly rounded operations from the
** exact a, each off by half an ulp; the reference is within 0.1 ulp before
** its own rounding (see LDBL_MANT_DIG above). */
static void want_AB(const char *text, size_t n, long double A, long double B) {
  tpc_mech *m = build(text, n);
  tpc_mech_consts k;
  tpc_mech_consts_get(m, &k);
  cr_assert(k.has_AB, "%s declares no A, B", text);
  cr_assert(ieee_ulp_eq(dbl, k.A, (double)A, 4), "%s: A = %.17g, T3 %.17Lg", text, k.A, A);
  cr_assert(ieee_ulp_eq(dbl, k.B, (double)B, 4), "%s: B = %.17g, T3 %.17Lg", text, k.B, B);
  cr_assert(lt(dbl, 0.0, k.A));
  cr_assert(le(dbl, k.A, 1.0));
  tpc_mech_free(m);
}

static long double ef21_A(long double a) { return 1.0L - sqrtl(1.0L - a); }
static long double ef21_B(long double a) { return (1.0L - a) / ef21_A(a); }
static long double alpha_topk(int k) { return (long double)((double)k / D); }
static long double omega_urandk(int k) { return (long double)D / k - 1.0L; }

static const int ks[3] = {1, 10, 50};
static const double zetas[3] = {0, 2, 100};
static const double ps[3] = {0.1, 0.5, 1};

Test(mech_consts, design_example_clag, .init = setup, .fini = teardown) {
  long double A = 1.0L - sqrtl(0.9L), B = 0.9L / A;
  want_AB("clag(topk(k=10),zeta=2)", 1, A, B > 2 ? B : 2);
}

Test(mech_consts, gd_lag_ef21_clag, .init = setup, .fini = teardown) {
  char text[128];
  want_AB("gd", 1, 1, 0);
  for (int i = 0; i < 3; i++) {
    long double a = alpha_topk(ks[i]);
    snprintf(text, sizeof text, "lag(zeta=%g)", zetas[i]);
    want_AB(text, 1, 1, zetas[i]);
    snprintf(text, sizeof text, "ef21(topk(k=%d))", ks[i]);
    want_AB(text, 1, ef21_A(a), ef21_B(a));
    for (int j = 0; j < 3; j++) {
      snprintf(text, sizeof text, "clag(topk(k=%d),zeta=%g)", ks[i], zetas[j]);
      long double B = ef21_B(a);
      want_AB(text, 1, ef21_A(a), B > zetas[j] ? B : zetas[j]);
    }
  }
}

Test(mech_consts, rows_3pcv1_to_3pcv5, .init = setup, .fini = teardown) {
  char text[160];
  for (int i = 0; i < 3; i++) {
    long double a = alpha_topk(ks[i]);
    snprintf(text, sizeof text, "3pcv1(topk(k=%d))", ks[i]);
    want_AB(text, 1, 1, 1 - a);
    snprintf(text, sizeof text, "3pcv2(urandk(k=%d),topk(k=%d))", ks[2 - i], ks[i]);
    want_AB(text, 1, a, (1 - a) * omega_urandk(ks[2 - i]));
    snprintf(text, sizeof text, "3pcv3(lag(zeta=%g),topk(k=%d))", zetas[i], ks[i]);
    want_AB(text, 1, 1 - (1 - a) * (1 - 1), (1 - a) * zetas[i]);
    long double a1 = alpha_topk(ks[2 - i]);
    snprintf(text, sizeof text, "3pcv3(ef21(topk(k=%d)),topk(k=%d))", ks[2 - i], ks[i]);
    want_AB(text, 1, 1 - (1 - a) * (1 - ef21_A(a1)), (1 - a) * ef21_B(a1));
    long double abar = 1 - (1 - a) * (1 - a1);
    snprintf(text, sizeof text, "3pcv4(topk(k=%d),topk(k=%d))", ks[i], ks[2 - i]);
    want_AB(text, 1, ef21_A(abar), ef21_B(abar));
    for (int j = 0; j < 3; j++) {
      long double p = ps[j];
      snprintf(text, sizeof text, "3pcv5(topk(k=%d),p=%g)", ks[i], ps[j]);
      want_AB(text, 1, ef21_A(p), (1 - p) * (1 - a) / ef21_A(p));
    }
  }
}

Test(mech_consts, adacgd_marina, .init = setup, .fini = teardown) {
  char text[160];
  for (int i = 0; i < 3; i++) {
    long double am = alpha_topk(ks[i]);
    for (int j = 0; j < 3; j++) {
      snprintf(text, sizeof text, "adacgd(topk(k=1),topk(k=%d),zeta=%g)", ks[i], zetas[j]);
      long double B = ef21_B(am);
      want_AB(text, 1, ef21_A(am), B > zetas[j] ? B : zetas[j]);
      long double p = ps[j];
      size_t n = (size_t)ks[i];
      snprintf(text, sizeof text, "marina(urandk(k=%d),p=%g)", ks[i], ps[j]);
      want_AB(text, n, p, (1 - p) * omega_urandk(ks[i]) / n);
    }
  }
}

/* SHIFT rows: c, the unbiased flag, and when c < 1 the EF21 pair with
** q = c = 1 - a, from a given exactly (omega and beta are exact inputs). */
static void want_shift(const char *text, long double a, int unbiased) {
  tpc_mech *m = build(text, 1);
  tpc_mech_consts k;
  tpc_mech_consts_get(m, &k);
  double c = (double)(1 - a);
  cr_assert(eq(int, k.ineq, TPC_INEQ_SHIFT), "%s", text);
  cr_assert(ieee_ulp_eq(dbl, k.shift_c, c, 1), "%s: c = %.17g, want %.17g", text, k.shift_c, c);
  cr_assert(eq(int, k.unbiased, unbiased), "%s", text);
  cr_assert(eq(int, k.has_AB, c < 1), "%s", text);
  tpc_mech_free(m);
  if (c < 1) want_AB(text, 1, ef21_A(a), ef21_B(a));
}

Test(mech_consts, shifted_diana, .init = setup, .fini = teardown) {
  want_shift("shifted(urandk(k=50))", 1 - 1.0L, 1);      /* omega = 1 */
  want_shift("shifted(urandk(k=64))", 1 - 0.5625L, 1);   /* omega = 0.5625 */
  want_shift("shifted(identity)", 1, 1);                 /* omega = 0 */
  want_shift("shifted(topk(k=10))", alpha_topk(10), 0);
  want_shift("shifted(topk(k=1))", alpha_topk(1), 0);
  want_shift("diana(urandk(k=10))", (long double)0.1, 0); /* beta = 1/(9+1) */
  want_shift("diana(urandk(k=10),beta=0.05)", (long double)0.05, 0);
  want_shift("diana(bernoulli(p=0.5),beta=0.01)", (long double)0.01, 0);
}

Test(mech_consts, metadata, .init = setup, .fini = teardown) {
  static const struct { const char *spec, *src; int ineq, det; } rows[] = {
      {"gd", "T3 GD", TPC_INEQ_3PC, 1},
      {"ef21(topk(k=1))", "T3 EF21", TPC_INEQ_3PC, 1},
      {"ef21(randk(k=1))", "T3 EF21", TPC_INEQ_3PC, 0},
      {"lag(zeta=1)", "T3 LAG", TPC_INEQ_3PC, 1},
      {"clag(topk(k=1),zeta=1)", "T3 CLAG", TPC_INEQ_3PC, 1},
      {"3pcv1(topk(k=1))", "T3 3PCv1", TPC_INEQ_3PC, 1},
      {"3pcv2(urandk(k=1),topk(k=1))", "T3 3PCv2", TPC_INEQ_3PC, 0},
      {"3pcv3(lag(zeta=1),topk(k=1))", "T3 3PCv3", TPC_INEQ_3PC, 1},
      {"3pcv3(ef21(randk(k=1)),topk(k=1))", "T3 3PCv3", TPC_INEQ_3PC, 0},
      {"3pcv4(topk(k=1),topk(k=2))", "T3 3PCv4", TPC_INEQ_3PC, 1},
      {"3pcv5(topk(k=1),p=0.5)", "T3 3PCv5", TPC_INEQ_3PC, 0},
      {"3pcv5(topk(k=1),p=1)", "T3 3PCv5", TPC_INEQ_3PC, 1},
      {"adacgd(topk(k=1),topk(k=2),zeta=1)", "T3 AdaCGD", TPC_INEQ_3PC, 1},
      {"adacgd(topk(k=1),randk(k=2),zeta=1)", "T3 AdaCGD", TPC_INEQ_3PC, 0},
      {"marina(urandk(k=1),p=0.5)", "T3 MARINA", TPC_INEQ_AGGREGATE, 0},
      {"shifted(topk(k=1))", "T3 shifted", TPC_INEQ_SHIFT, 1},
      {"diana(urandk(k=1))", "T3 DIANA", TPC_INEQ_SHIFT, 0},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    tpc_mech *m = build(rows[i].spec, 2);
    tpc_mech_consts k;
    tpc_mech_consts_get(m, &k);
    cr_assert(eq(str, (char *)k.src, (char *)rows[i].src), "%s", rows[i].spec);
    cr_assert(eq(int, k.ineq, rows[i].ineq), "%s", rows[i].spec);
    cr_assert(eq(int, k.deterministic, rows[i].det), "%s", rows[i].spec);
    cr_assert(eq(str, (char *)m->type->theory, (char *)rows[i].src), "%s", rows[i].spec);
    tpc_mech_free(m);
  }
  for (size_t i = 0; tpc_builtin_mechs[i]; i++) {
    const tpc_mech_type *t = tpc_builtin_mechs[i];
    cr_assert(t->synopsis && t->summary && t->declared && t->theory && t->keys,
              "%s lacks a description", t->name);
    cr_assert(eq(int, strncmp(t->synopsis, t->name, strlen(t->name)), 0), "%s", t->name);
  }
}

/* ---- (4) init errors --------------------------------------------------- */

Test(mech_errors, refused_specs_name_the_problem, .init = setup, .fini = teardown) {
  static const struct { const char *spec, *says; } bad[] = {
      {"ef21(urandk(k=10))", "not contractive"},
      {"ef21(natural)", "not contractive"},
      {"ef21(threshold(lambda=1))", "not contractive"},
      {"clag(urandk(k=10),zeta=1)", "not contractive"},
      {"3pcv2(topk(k=5),topk(k=5))", "not unbiased"},
      {"3pcv2(randk(k=5),topk(k=5))", "not unbiased"},
      {"3pcv2(urandk(k=5),urandk(k=5))", "not contractive"},
      {"3pcv4(topk(k=5),natural)", "argument 2"},
      {"adacgd(topk(k=10),topk(k=1),zeta=1)", "level 2"},
      {"adacgd(topk(k=1),topk(k=10),topk(k=5),zeta=1)", "level 3"},
      {"lag(zeta=-1)", "zeta"},
      {"clag(topk(k=1),zeta=-0.5)", "zeta"},
      {"adacgd(topk(k=1),zeta=-1)", "zeta"},
      {"lag", "missing parameter zeta"},
      {"3pcv5(topk(k=1),p=0)", "p = 0"},
      {"3pcv5(topk(k=1),p=1.5)", "p = 1.5"},
      {"3pcv5(topk(k=1))", "missing parameter p"},
      {"marina(urandk(k=1),p=0)", "p = 0"},
      {"marina(randk(k=10),p=0.5)", "not unbiased"},
      {"marina(topk(k=10),p=0.5)", "not unbiased"},
      {"diana(urandk(k=10),beta=0.2)", "beta = 0.2"},
      {"diana(urandk(k=10),beta=0)", "beta = 0"},
      {"diana(topk(k=10))", "not unbiased"},
      {"shifted(threshold(lambda=1))", "neither unbiased nor contractive"},
      {"3pcv3(marina(urandk(k=1),p=0.5),topk(k=1))", "per-client"},
      {"3pcv3(shifted(urandk(k=10)),topk(k=1))", "per-client"},
      /* 2 + 7 parts do not fit in TPC_MSG_MAXPARTS = 8 */
      {"3pcv3(3pcv3(3pcv3(3pcv3(3pcv3(3pcv3(3pcv3(3pcv2(urandk(k=5),topk(k=5)),"
       "topk(k=1)),topk(k=1)),topk(k=1)),topk(k=1)),topk(k=1)),topk(k=1)),topk(k=1))",
       "nesting too deep"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    tpc_spec *s = parse(bad[i].spec);
    int rc = TPC_OK;
    tpc_error_clear();
    tpc_mech *m = tpc_mech_alloc(reg, s, D, NCLIENT, &rc);
    cr_assert(eq(ptr, m, NULL), "%s was accepted", bad[i].spec);
    cr_assert(eq(int, rc, TPC_EINPUT), "%s", bad[i].spec);
    cr_assert(not(eq(ptr, strstr(tpc_error_msg(), bad[i].says), NULL)),
              "%s: message '%s' lacks '%s'", bad[i].spec, tpc_error_msg(), bad[i].says);
    tpc_spec_free(s);
  }
}

/* ---- (5) the tight construction and (3PC) on random triples ------------ */

/* ||out - x||^2 and the right side of (3PC) with the declared constants. */
static void sides(tpc_mech *m, const double *h, const double *y, const double *x,
                  double *out, double *lhs, double *rhs) {
  tpc_mech_consts k;
  tpc_msg msg;
  tpc_mech_consts_get(m, &k);
  tpc_mech_apply_f64(m, h, y, x, out, &msg, &(tpc_ctx){NULL, NULL, 0});
  double e = 0, u = 0, v = 0;
  for (size_t i = 0; i < D; i++) {
    e += (out[i] - x[i]) * (out[i] - x[i]);
    u += (h[i] - y[i]) * (h[i] - y[i]);
    v += (x[i] - y[i]) * (x[i] - y[i]);
  }
  *lhs = e;
  *rhs = (1 - k.A) * u + k.B * v;
}

/* T3: with v a worst case of TopK (all |v_i| equal), y - h = v/(1+s) and
** x - y = s v/(1+s), s = 1/sqrt(1-alpha) - 1, (3PC) is an equality.  Each
** side is a sum of D positive terms built from O(1) rounded operations on
** inputs of one magnitude, and s is the minimizer of the right side, so its
** own rounding enters only at second order: the ratio was measured within
** 6 eps of 1 for these k (12 eps at k = 99).  32 eps is the tolerance; a
** pair (A, B) of the family off the optimum, or a wrong TopK, moves it by
** orders of magnitude more. */
Test(mech_tight, ef21_topk_attains_3pc, .init = setup, .fini = teardown) {
  gsl_rng *g = tpc_rng_alloc_stream(11, TPC_PURPOSE_TEST, 0);
  double h[D], y[D], x[D], out[D];
  for (int i = 0; i < 3; i++) {
    char text[64];
    snprintf(text, sizeof text, "ef21(topk(k=%d))", ks[i]);
    tpc_mech *m = build(text, 1);
    double alpha = (double)ks[i] / D, s = 1 / sqrt(1 - alpha) - 1;
    for (size_t j = 0; j < D; j++) {
      double v = gsl_rng_uniform(g) < 0.5 ? -1.0 : 1.0;
      h[j] = 0.25 * gsl_ran_gaussian(g, 1.0);
      y[j] = h[j] + v / (1 + s);
      x[j] = y[j] + s * v / (1 + s);
    }
    double lhs, rhs;
    sides(m, h, y, x, out, &lhs, &rhs);
    cr_assert(epsilon_eq(dbl, lhs / rhs, 1.0, 32 * DBL_EPSILON),
              "%s: ||out - x||^2 = %.17g, right side %.17g", text, lhs, rhs);
    tpc_mech_free(m);
  }
  gsl_rng_free(g);
}

/* Rows built from deterministic parts hold (3PC) for every triple, not only
** in expectation; the right side gets a relative slack of 1e-12 for the
** rounding of D-term sums (about D eps = 2e-14). */
Test(mech_tight, deterministic_rows_hold_pointwise, .init = setup, .fini = teardown) {
  static const char *const specs[] = {
      "gd", "ef21(topk(k=3))", "lag(zeta=2)", "clag(topk(k=3),zeta=1)",
      "3pcv1(topk(k=3))", "3pcv3(lag(zeta=2),topk(k=3))",
      "3pcv3(ef21(topk(k=2)),sign)", "3pcv4(topk(k=2),topk(k=5))",
      "adacgd(topk(k=1),topk(k=5),topk(k=20),zeta=2)", "3pcv5(topk(k=3),p=1)",
      "shifted(topk(k=10))"};
  gsl_rng *g = tpc_rng_alloc_stream(12, TPC_PURPOSE_TEST, 0);
  double h[D], y[D], x[D], out[D];
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
    tpc_mech *m = build(specs[i], 1);
    for (size_t t = 0; t < NTRIAL; t++) {
      gen_triple(g, t, h, y, x);
      double lhs, rhs;
      sides(m, h, y, x, out, &lhs, &rhs);
      cr_assert(le(dbl, lhs, rhs * (1 + 1e-12) + 1e-300),
                "%s trial %zu: %.17g > %.17g", specs[i], t, lhs, rhs);
    }
    tpc_mech_free(m);
  }
  gsl_rng_free(g);
}

Test(mech_consts, ef21_helpers, .init = setup, .fini = teardown) {
  static const double as[] = {1e-3, 0.01, 0.1, 0.5, 0.9, 1.0};
  for (size_t i = 0; i < sizeof as / sizeof as[0]; i++) {
    long double a = as[i];
    double A, B;
    cr_assert(ieee_ulp_eq(dbl, tpc_one_minus_sqrt1m(as[i]), (double)ef21_A(a), 2));
    tpc_ef21_constants(1 - as[i], &A, &B);
    /* 1 - as[i] is itself rounded: compare with the q actually passed */
    long double q = (long double)(1 - as[i]);
    cr_assert(ieee_ulp_eq(dbl, A, (double)(1 - sqrtl(q)), 4), "a = %g", as[i]);
    cr_assert(ieee_ulp_eq(dbl, B, (double)(q / (1 - sqrtl(q))), 4), "a = %g", as[i]);
  }
}

/* The trigger decides right at the extremes of the double range: the two
** squared distances of entries near 1e300 (or 1e-300) overflow to inf (or
** underflow to 0) unless compared on a common scale. */
Test(mech_trigger, extreme_scales) {
  for (int k = 0; k < 2; k++) {
    double s = k ? 1e300 : 1e-300;
    double h[3] = {0, 0, 0}, y[3] = {s, 0, 0}, x[3] = {2 * s, 0, 0};
    /* ||x - h||^2 = 4 s^2 > zeta ||x - y||^2 = 3 s^2: send. */
    cr_assert(tpc_mech_triggered_f64(h, y, x, 3.0, 3), "scale %g", s);
    /* zeta = 4: equality is no trigger (T3: send only when strictly greater). */
    cr_assert(not(tpc_mech_triggered_f64(h, y, x, 4.0, 3)), "scale %g", s);
  }
  double tiny[2] = {4.9e-324, 0}, zero[2] = {0, 0};
  /* y = x: any difference from h, even a subnormal one, triggers. */
  cr_assert(tpc_mech_triggered_f64(zero, tiny, tiny, 1e300, 2), "subnormal difference vs none");
}

/* MARINA with PermK: the clients share the permutation, so T3's (1-p)omega/n
** (independent Q_i) does not hold; the average's variance is
** (1/n) sum|a_i|^2 - |abar|^2 (Szlendak et al. 2021), so B = (1 - p).  A
** composition with PermK declares no such constant and is refused. */
Test(mech_marina, permk_declares_the_shared_average) {
  tpc_registry *r = tpc_registry_alloc();
  tpc_spec *s = NULL;
  int rc = 0;
  cr_assert(eq(int, tpc_spec_parse("marina(permk,p=0.3)", &s), TPC_OK));
  tpc_mech *m = tpc_mech_alloc(r, s, 100, 4, &rc);
  cr_assert(m != NULL, "%s", tpc_error_msg());
  tpc_mech_consts k;
  tpc_mech_consts_get(m, &k);
  cr_assert(ieee_ulp_eq(dbl, k.A, 0.3, 1));
  cr_assert(ieee_ulp_eq(dbl, k.B, 1.0 - 0.3, 1));
  tpc_mech_free(m);
  tpc_spec_free(s);
  cr_assert(eq(int, tpc_spec_parse("marina(compose(urandk(k=10),permk),p=0.3)", &s), TPC_OK));
  cr_assert(tpc_mech_alloc(r, s, 100, 4, &rc) == NULL);
  cr_assert(eq(int, rc, TPC_EINPUT));
  cr_assert(strstr(tpc_error_msg(), "shared by the clients") != NULL, "%s", tpc_error_msg());
  tpc_spec_free(s);
  tpc_registry_free(r);
}

#else /* MECH_TEST_BODY: the part written once per element type */

/* q = c(v) by a direct call; the compressor's message is not used here. */
static void FUNCTION(direct, comp)(tpc_comp *c, const BASE *v, BASE *q,
                                   const tpc_ctx *ctx) {
  tpc_msg scratch;
  tpc_msg_reset(&scratch);
  FUNCTION(tpc_comp, compress)(c, v, q, &scratch, ctx);
}

static double FUNCTION(direct, dist2)(const BASE *a, const BASE *b) {
  double s = 0;
  for (size_t i = 0; i < D; i++) {
    double t = (double)a[i] - (double)b[i];
    s += t * t;
  }
  return s;
}

/* out = b + c(x - b) (b may be out); scratch vectors 0 and 1. */
static void FUNCTION(direct, step)(ref *r, tpc_comp *c, const BASE *b,
                                   const BASE *x, BASE *out,
                                   const tpc_ctx *ctx) {
  BASE *e = VEC(r, 0), *q = VEC(r, 1);
  for (size_t i = 0; i < D; i++) e[i] = x[i] - b[i];
  FUNCTION(direct, comp)(c, e, q, ctx);
  for (size_t i = 0; i < D; i++) out[i] = b[i] + q[i];
}

static void FUNCTION(direct, copy)(BASE *out, const BASE *v) {
  for (size_t i = 0; i < D; i++) out[i] = v[i];
}

/* AdaCGD's row as T3 states it, with the error of level j measured as
** ||x - h - C_j(x - h)||^2.  Returns 0 for the skip, j + 1 for level j. */
static int FUNCTION(direct, adacgd)(ref *r, const BASE *h, const BASE *y,
                                    const BASE *x, BASE *out,
                                    const tpc_ctx *ctx) {
  double bound = r->zeta * FUNCTION(direct, dist2)(x, y);
  BASE *e = VEC(r, 2), *q = VEC(r, 3);
  if (FUNCTION(direct, dist2)(x, h) <= bound) {
    FUNCTION(direct, copy)(out, h);
    return 0;
  }
  for (size_t i = 0; i < D; i++) e[i] = x[i] - h[i];
  for (size_t j = 0;; j++) {
    FUNCTION(direct, comp)(r->c[j], e, q, ctx);
    if (j + 1 == r->nc || FUNCTION(direct, dist2)(e, q) <= bound) {
      for (size_t i = 0; i < D; i++) out[i] = h[i] + q[i];
      return (int)j + 1;
    }
  }
}

/* x with probability p from `coin`, else h + c(x - y).  1 for heads. */
static int FUNCTION(direct, coin)(ref *r, gsl_rng *coin, const BASE *h,
                                  const BASE *y, const BASE *x, BASE *out,
                                  const tpc_ctx *ctx) {
  if (r->p >= 1 || gsl_rng_uniform(coin) < r->p) {
    FUNCTION(direct, copy)(out, x);
    return 1;
  }
  BASE *e = VEC(r, 0), *q = VEC(r, 1);
  for (size_t i = 0; i < D; i++) e[i] = x[i] - y[i];
  FUNCTION(direct, comp)(r->c[0], e, q, ctx);
  for (size_t i = 0; i < D; i++) out[i] = h[i] + q[i];
  return 0;
}

/* The T3 row of r->name, written from the table; returns the branch taken. */
static int FUNCTION(direct, apply)(ref *r, const BASE *h, const BASE *y,
                                   const BASE *x, BASE *out,
                                   const tpc_ctx *ctx) {
  const char *t = r->name;
  BASE *b = VEC(r, 2);
  if (!strcmp(t, "gd")) {
    FUNCTION(direct, copy)(out, x);
    return 0;
  }
  if (!strcmp(t, "lag") || !strcmp(t, "clag")) {
    int fire = FUNCTION(direct, dist2)(x, h) > r->zeta * FUNCTION(direct, dist2)(x, y);
    if (!fire) FUNCTION(direct, copy)(out, h);
    else if (!strcmp(t, "lag")) FUNCTION(direct, copy)(out, x);
    else FUNCTION(direct, step)(r, r->c[0], h, x, out, ctx);
    return fire;
  }
  if (!strcmp(t, "ef21") || !strcmp(t, "shifted")) {
    FUNCTION(direct, step)(r, r->c[0], h, x, out, ctx);
    return 0;
  }
  if (!strcmp(t, "diana")) {
    BASE *e = VEC(r, 0), *q = VEC(r, 1);
    for (size_t i = 0; i < D; i++) e[i] = x[i] - h[i];
    FUNCTION(direct, comp)(r->c[0], e, q, ctx);
    for (size_t i = 0; i < D; i++) out[i] = h[i] + (BASE)r->beta * q[i];
    return 0;
  }
  if (!strcmp(t, "3pcv1")) {
    FUNCTION(direct, step)(r, r->c[0], y, x, out, ctx);
    return 0;
  }
  if (!strcmp(t, "3pcv2")) {
    BASE *e = VEC(r, 0), *q = VEC(r, 1);
    for (size_t i = 0; i < D; i++) e[i] = x[i] - y[i];
    FUNCTION(direct, comp)(r->c[0], e, q, ctx);
    for (size_t i = 0; i < D; i++) b[i] = h[i] + q[i];
    FUNCTION(direct, step)(r, r->c[1], b, x, out, ctx);
    return 0;
  }
  if (!strcmp(t, "3pcv3")) {
    FUNCTION(direct, apply)(r->inner, h, y, x, b, ctx);
    FUNCTION(direct, step)(r, r->c[0], b, x, out, ctx);
    return 0;
  }
  if (!strcmp(t, "3pcv4")) {
    FUNCTION(direct, step)(r, r->c[1], h, x, b, ctx);
    FUNCTION(direct, step)(r, r->c[0], b, x, out, ctx);
    return 0;
  }
  if (!strcmp(t, "3pcv5")) return FUNCTION(direct, coin)(r, ctx->rng, h, y, x, out, ctx);
  if (!strcmp(t, "marina")) return FUNCTION(direct, coin)(r, ctx->shared, h, y, x, out, ctx);
  cr_assert(eq(str, (char *)t, "adacgd"), "no direct formula for %s", t);
  return FUNCTION(direct, adacgd)(r, h, y, x, out, ctx);
}

/* Index of the first coordinate where a and b differ as numbers, or D. */
static size_t FUNCTION(first, diff)(const BASE *a, const BASE *b) {
  size_t i = 0;
  while (i < D && a[i] == b[i]) i++;
  return i;
}

/* The server's side: msg applied to a copy of h must be out, bit for bit,
** before and after encoding. */
static void FUNCTION(check, server)(const char *spec, size_t t,
                                    const tpc_msg *msg, const BASE *h,
                                    const BASE *out, BASE *v) {
  memcpy(v, h, D * sizeof(BASE));
  FUNCTION(tpc_msg, apply)(msg, v);
  cr_assert(eq(int, memcmp(v, out, D * sizeof(BASE)), 0),
            "%s trial %zu: server's copy differs", spec, t);
  size_t size = tpc_wire_size(msg, TPC_WIRE_AUTO), len = 0;
  uint8_t *buf = malloc(size);
  tpc_wire_decoded dm;
  cr_assert(not(eq(ptr, buf, NULL)));
  cr_assert(eq(int, tpc_wire_encode(msg, TPC_WIRE_AUTO, buf, size, &len), TPC_OK),
            "%s: encode: %s", spec, tpc_error_msg());
  cr_assert(eq(int, tpc_wire_decode(buf, len, D, DTYPE, &dm), TPC_OK), "%s: decode: %s",
            spec, tpc_error_msg());
  cr_assert(eq(sz, dm.msg.nparts, msg->nparts));
  cr_assert(tpc_msg_fits(&dm.msg, D, DTYPE), "%s: decoded parts of another shape", spec);
  memcpy(v, h, D * sizeof(BASE));
  FUNCTION(tpc_msg, apply)(&dm.msg, v);
  cr_assert(eq(int, memcmp(v, out, D * sizeof(BASE)), 0),
            "%s trial %zu: server's copy differs after the wire", spec, t);
  tpc_wire_decoded_free(&dm);
  free(buf);
}

/* One trial: the mechanism and the direct formula on cloned streams must
** agree exactly, draw the same amount of randomness, and send parts of the
** element type.  Returns the branch the direct formula took. */
static int FUNCTION(check, trial)(const char *spec, size_t t, tpc_mech *m,
                                  ref *r, const BASE *h, const BASE *y,
                                  const BASE *x, BASE *vec, gsl_rng *rng,
                                  gsl_rng *shared) {
  BASE *out = vec, *want = vec + D, *srv = vec + 2 * D;
  gsl_rng *rng2 = gsl_rng_clone(rng), *shared2 = gsl_rng_clone(shared);
  tpc_ctx c1 = {rng, shared, t % NCLIENT}, c2 = {rng2, shared2, t % NCLIENT};
  tpc_msg msg;
  FUNCTION(tpc_mech, apply)(m, h, y, x, out, &msg, &c1);
  int branch = FUNCTION(direct, apply)(r, h, y, x, want, &c2);
  size_t i = FUNCTION(first, diff)(out, want);
  cr_assert(eq(sz, i, D), "%s trial %zu: out[%zu] = %.9g, T3 formula %.9g", spec,
            t, i, (double)out[i % D], (double)want[i % D]);
  cr_assert(eq(u64, gsl_rng_get(rng), gsl_rng_get(rng2)), "%s: private draws differ", spec);
  cr_assert(eq(u64, gsl_rng_get(shared), gsl_rng_get(shared2)), "%s: shared draws differ",
            spec);
  for (size_t k = 0; k < msg.nparts; k++) {
    cr_assert(eq(int, msg.part[k].dtype, DTYPE), "%s part %zu", spec, k);
    cr_assert(eq(sz, msg.part[k].d, D), "%s part %zu", spec, k);
  }
  FUNCTION(check, server)(spec, t, &msg, h, out, srv);
  gsl_rng_free(rng2);
  gsl_rng_free(shared2);
  return branch;
}

static void FUNCTION(check, spec)(const char *spec, unsigned must) {
  tpc_spec *s = parse(spec);
  tpc_mech *m = build(spec, NCLIENT);
  ref *r = ref_alloc(s);
  gsl_rng *data = tpc_rng_alloc_stream(5, TPC_PURPOSE_TEST, 0);
  gsl_rng *rng = tpc_rng_alloc_stream(5, TPC_PURPOSE_TEST, 1);
  gsl_rng *shared = tpc_rng_alloc_stream(5, TPC_PURPOSE_TEST, 2);
  double hd[D], yd[D], xd[D];
  BASE h[D], y[D], x[D], vec[3 * D];
  unsigned seen = 0;
  for (size_t t = 0; t < NTRIAL; t++) {
    gen_triple(data, t, hd, yd, xd);
    for (size_t i = 0; i < D; i++) {
      h[i] = (BASE)hd[i];
      y[i] = (BASE)yd[i];
      x[i] = (BASE)xd[i];
    }
    seen |= 1u << FUNCTION(check, trial)(spec, t, m, r, h, y, x, vec, rng, shared);
  }
  cr_assert(eq(u32, seen & must, must), "%s: branches seen %#x, want %#x", spec, seen,
            must);
  gsl_rng_free(data);
  gsl_rng_free(rng);
  gsl_rng_free(shared);
  ref_free(r);
  tpc_mech_free(m);
  tpc_spec_free(s);
}

#endif /* MECH_TEST_BODY */
