/*
** Tests of tpc bounds (bounds/): the statistics, the frontier, the families,
** whole checks of built-in specs where THEORY.md says the bound is attained,
** planted defects registered here as test types (each must come out
** violated), the flags (loose, no compression, output equal to input),
** determinism across thread counts, the child-process isolation and the
** stored rows.
**
** Whole checks run at d = 20 with few points and draws so that the file
** stays fast under the sanitizers; the full-default run at d = 100 is the
** command test (tests/e2e_bounds.sh).  Every check uses a fixed seed, so each
** assertion is deterministic; the statistical ones state their error rate.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds/bounds.h"
#include "bounds/internal.h"
#include "bounds/stats.h"
#include "core/error.h"
#include "methods/method.h"
#include "registry/registry.h"
#include "rng/pcg.h"
#include "store/store.h"

/* ---- planted defects: test types ---------------------------------------- */

/* planted(C, alpha=, omega=, scale=, blind=, f32only=): C with its output
** multiplied by `scale`, coordinate `blind` hidden from it (never selected),
** and the declared constants alpha and/or omega instead of C's; with
** f32only=1 the defects are in the float path alone. */
static const char *const planted_keys[] = {"alpha", "omega", "scale", "blind", "crash",
                                           "f32only", NULL};

static double param(const tpc_spec *s, const char *key, double dflt) {
  const tpc_spec_param *p = tpc_spec_param_find(s, key);
  return p ? p->value : dflt;
}

/* The instance: a copy of x (d doubles, or d floats), the crash mode (in
** the kernel 1: segfault, 2: hang, 3: raise SIGINT; 4: segfault in init)
** and whether only the float path carries the defects. */
typedef struct planted_priv {
  double *buf;
  int crash, f32only;
} planted_priv;

static int planted_init(tpc_comp *c, const tpc_spec *s) {
  c->par[0] = param(s, "alpha", -1);
  c->par[1] = param(s, "omega", -1);
  c->par[2] = param(s, "scale", 1);
  c->par[3] = param(s, "blind", -1);
  planted_priv *q = c->priv;
  q->crash = (int)param(s, "crash", 0);
  q->f32only = param(s, "f32only", 0) != 0;
  if (q->crash == 4) raise(SIGSEGV);
  q->buf = calloc(c->d, sizeof(double));
  return q->buf ? TPC_OK : TPC_ENOMEM;
}

static void planted_destroy(tpc_comp *c) {
  planted_priv *q = c->priv;
  if (q) free(q->buf);
}

/* Crash or hang as asked. */
static void planted_crash(const planted_priv *q) {
  if (q->crash == 1) raise(SIGSEGV);
  if (q->crash == 2) pause(); /* hangs until killed */
  if (q->crash == 3) raise(SIGINT);
}

static void planted_consts(const tpc_comp *c, tpc_comp_consts *out) {
  tpc_comp_consts in;
  tpc_comp_consts_get(c->sub[0], &in);
  int cls = (c->par[0] >= 0 ? TPC_CLASS_CONTRACTIVE : 0) |
            (c->par[1] >= 0 ? TPC_CLASS_UNBIASED : 0);
  *out = (tpc_comp_consts){.cls = (tpc_class)cls, .alpha = c->par[0], .omega = c->par[1],
                           .deterministic = in.deterministic, .alpha_src = "test",
                           .omega_src = "test", .shared = in.shared, .omega_avg = in.omega_avg};
}

static void planted_f64(tpc_comp *c, const double *x, double *out, tpc_msg *msg,
                        const tpc_ctx *ctx) {
  const planted_priv *q = c->priv;
  planted_crash(q);
  if (q->f32only) { /* the double path is C itself */
    tpc_comp_compress_f64(c->sub[0], x, out, msg, ctx);
    return;
  }
  double *buf = q->buf;
  memcpy(buf, x, c->d * sizeof *buf);
  if (c->par[3] >= 0) buf[(size_t)c->par[3]] = 0;
  tpc_comp_compress_f64(c->sub[0], buf, out, msg, ctx);
  tpc_msg_part *p = &msg->part[msg->nparts - 1];
  p->coef *= c->par[2];
  tpc_msg one = {.nparts = 1, .part = {*p}};
  memset(out, 0, c->d * sizeof *out);
  tpc_msg_apply_f64(&one, out);
}

/* The same defects on float input (the buffer of d doubles holds d floats). */
static void planted_f32(tpc_comp *c, const float *x, float *out, tpc_msg *msg,
                        const tpc_ctx *ctx) {
  const planted_priv *q = c->priv;
  planted_crash(q);
  float *buf = (float *)q->buf;
  memcpy(buf, x, c->d * sizeof *buf);
  if (c->par[3] >= 0) buf[(size_t)c->par[3]] = 0;
  tpc_comp_compress_f32(c->sub[0], buf, out, msg, ctx);
  tpc_msg_part *p = &msg->part[msg->nparts - 1];
  p->coef *= c->par[2];
  tpc_msg one = {.nparts = 1, .part = {*p}};
  memset(out, 0, c->d * sizeof *out);
  tpc_msg_apply_f32(&one, out);
}

static const tpc_comp_type planted_type = {
    .name = "planted",
    .synopsis = "planted(C, alpha=, omega=, scale=, blind=, crash=, f32only=)",
    .summary = "test: C with planted defects",
    .declared = "as given",
    .theory = "test",
    .keys = planted_keys,
    .nsub = 1,
    .work_size = sizeof(planted_priv),
    .init = planted_init,
    .destroy = planted_destroy,
    .consts = planted_consts,
    .compress_f32 = planted_f32,
    .compress_f64 = planted_f64,
};

/* shrunk(M, bfactor=): M with its declared B multiplied by bfactor. */
static const char *const shrunk_keys[] = {"bfactor", NULL};

static int shrunk_init(tpc_mech *m, const tpc_spec *s) {
  m->par[0] = param(s, "bfactor", 1);
  return TPC_OK;
}

static void shrunk_consts(const tpc_mech *m, tpc_mech_consts *out) {
  tpc_mech_consts_get(m->inner, out);
  out->B *= m->par[0];
}

static void shrunk_f64(tpc_mech *m, const double *h, const double *y, const double *x,
                       double *out, tpc_msg *msg, const tpc_ctx *ctx) {
  tpc_mech_apply_f64(m->inner, h, y, x, out, msg, ctx);
}

static void shrunk_f32(tpc_mech *m, const float *h, const float *y, const float *x, float *out,
                       tpc_msg *msg, const tpc_ctx *ctx) {
  tpc_mech_apply_f32(m->inner, h, y, x, out, msg, ctx);
}

static const tpc_mech_type shrunk_type = {
    .name = "shrunk",
    .synopsis = "shrunk(M, bfactor=)",
    .summary = "test: M declaring B * bfactor",
    .declared = "as M, B scaled",
    .theory = "test",
    .args = "M",
    .keys = shrunk_keys,
    .init = shrunk_init,
    .consts = shrunk_consts,
    .apply_f32 = shrunk_f32,
    .apply_f64 = shrunk_f64,
};

/* echo(blip=): a "natural dithering" that returns its input unchanged while
** declaring itself unbiased with omega = 0.5 and randomized.  With blip = P
** > 0, a fraction P of calls (drawn from the client's stream) change the
** last coordinate alone (doubled, or 1 where it is 0), so that only a
** comparison that reaches the end of the vector sees the difference. */
static const char *const echo_keys[] = {"blip", NULL};

static int echo_init(tpc_comp *c, const tpc_spec *s) {
  c->par[0] = param(s, "blip", 0);
  return TPC_OK;
}

static void echo_consts(const tpc_comp *c, tpc_comp_consts *out) {
  (void)c;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_UNBIASED, .omega = 0.5, .deterministic = 0,
                           .omega_src = "test: false, nothing is compressed"};
}

/* One DENSE part holding the output itself (the caller's buffer). */
#define ECHO_KERNEL(NAME, T, DTYPE)                                                      \
  static void NAME(tpc_comp *c, const T *x, T *out, tpc_msg *msg, const tpc_ctx *ctx) { \
    memcpy(out, x, c->d * sizeof *out);                                                 \
    if (c->par[0] > 0 && gsl_rng_uniform(ctx->rng) < c->par[0])                         \
      out[c->d - 1] = x[c->d - 1] == 0 ? 1 : 2 * x[c->d - 1];                           \
    tpc_msg_add(msg, TPC_MSG_DENSE, DTYPE, c->d)->val = out;                            \
  }

ECHO_KERNEL(echo_f32, float, TPC_F32)
ECHO_KERNEL(echo_f64, double, TPC_F64)

static const tpc_comp_type echo_type = {
    .name = "echo",
    .synopsis = "echo(blip=)",
    .summary = "test: returns x, declares omega = 0.5",
    .declared = "U(0.5)",
    .theory = "test",
    .keys = echo_keys,
    .init = echo_init,
    .consts = echo_consts,
    .compress_f32 = echo_f32,
    .compress_f64 = echo_f64,
};

/* ---- helpers ------------------------------------------------------------- */

static tpc_registry *reg;

static void setup(void) {
  gsl_set_error_handler_off();
  reg = tpc_registry_alloc();
  cr_assert(not(eq(ptr, reg, NULL)));
  cr_assert(eq(int, tpc_registry_add_comp(reg, &planted_type), TPC_OK));
  cr_assert(eq(int, tpc_registry_add_mech(reg, &shrunk_type), TPC_OK));
  cr_assert(eq(int, tpc_registry_add_comp(reg, &echo_type), TPC_OK));
}

static void teardown(void) { tpc_registry_free(reg); }

/* Small settings: d = 20, 8 points per family, 64 draws, a search of 500. */
static tpc_bounds_opts small(void) {
  tpc_bounds_opts o;
  tpc_bounds_opts_init(&o);
  o.d = 20;
  o.n = 2;
  o.trials = 8;
  o.draws = 64;
  o.search_budget = 500;
  o.seed = 11;
  return o;
}

static tpc_spec *parse(const char *text) {
  tpc_spec *s = NULL;
  cr_assert(eq(int, tpc_spec_parse(text, &s), TPC_OK), "%s: %s", text, tpc_error_msg());
  return s;
}

/* Run the check of `text`; the caller frees the result. */
static tpc_bounds_result *check(const char *text, const tpc_bounds_opts *o) {
  tpc_spec *s = parse(text);
  tpc_bounds_result *r = tpc_bounds_result_alloc(o);
  cr_assert(not(eq(ptr, r, NULL)));
  int rc = tpc_bounds_run(reg, s, o, r);
  cr_assert(eq(int, rc, TPC_OK), "%s: %s", text, tpc_error_msg());
  tpc_spec_free(s);
  return r;
}

static void expect_verdict(const char *text, const tpc_bounds_opts *o, int verdict,
                           double min_worst) {
  tpc_bounds_result *r = check(text, o);
  cr_expect(eq(int, r->sum.verdict, verdict), "%s: %s (%s)", text,
            tpc_bounds_verdict_name(r->sum.verdict), r->sum.reason);
  cr_expect(ge(dbl, r->sum.worst_ratio, min_worst), "%s: worst ratio %g", text,
            r->sum.worst_ratio);
  tpc_bounds_result_free(r);
}

/* ---- statistics ------------------------------------------------------------ */

Test(bounds_stats, welford_matches_two_pass) {
  gsl_rng *r = tpc_rng_alloc_stream(1, TPC_PURPOSE_TEST, 0);
  double x[500], mean = 0, ss = 0;
  tpc_bounds_acc a;
  tpc_bounds_acc_init(&a);
  for (int i = 0; i < 500; i++) {
    x[i] = 1e6 + gsl_ran_gaussian(r, 3.0);
    tpc_bounds_acc_add(&a, x[i]);
    mean += x[i] / 500;
  }
  for (int i = 0; i < 500; i++) ss += (x[i] - mean) * (x[i] - mean);
  /* Both are accurate to ~n eps relative at this offset: 1e-9 is generous. */
  cr_assert(epsilon_eq(dbl, a.mean, mean, 1e-9 * mean));
  cr_assert(epsilon_eq(dbl, tpc_bounds_acc_var(&a), ss / 499, 1e-6 * ss / 499));
  gsl_rng_free(r);
}

Test(bounds_stats, bernstein_exact_for_constants) {
  tpc_bounds_acc a;
  tpc_bounds_acc_init(&a);
  for (int i = 0; i < 100; i++) tpc_bounds_acc_add(&a, 0.9);
  cr_assert(eq(dbl, tpc_bounds_bernstein(&a, 1e-6, 0.0), 0.0));
  /* With the support [0, 0.9]: only the range term, 7 R ln(2/delta)/(3(n-1)). */
  cr_assert(ieee_ulp_eq(dbl, tpc_bounds_bernstein(&a, 0.02, 0.9), 7 * 0.9 * log(100.0) / 297, 8));
  tpc_bounds_acc_init(&a);
  tpc_bounds_acc_add(&a, 3.0);
  cr_assert(eq(dbl, tpc_bounds_bernstein(&a, 0.05, 3.0), 0.0)); /* one value: exact */
}

/* Coverage: Bernoulli(0.1) samples of 200, 500 repetitions, delta = 0.05.
** The bound is valid, so misses are Binomial(500, <= 0.05): more than 45
** has probability below 1e-5 (and empirical Bernstein is conservative). */
Test(bounds_stats, bernstein_covers) {
  gsl_rng *r = tpc_rng_alloc_stream(2, TPC_PURPOSE_TEST, 0);
  int miss_hi = 0, miss_lo = 0;
  for (int rep = 0; rep < 500; rep++) {
    tpc_bounds_acc a;
    tpc_bounds_acc_init(&a);
    for (int i = 0; i < 200; i++) tpc_bounds_acc_add(&a, gsl_rng_uniform(r) < 0.1);
    double hw = tpc_bounds_bernstein(&a, 0.05, 1.0);
    miss_hi += a.mean + hw < 0.1;
    miss_lo += a.mean - hw > 0.1;
  }
  cr_assert(le(int, miss_hi, 45));
  cr_assert(le(int, miss_lo, 45));
  gsl_rng_free(r);
}

Test(bounds_stats, holm) {
  double p[4] = {0.01, 0.04, 0.03, 0.005}, adj;
  /* Sorted 0.005 <= 0.05/4, 0.01 <= 0.05/3, 0.03 > 0.05/2: two rejections. */
  cr_assert(eq(sz, tpc_bounds_holm(p, 4, 0.05, &adj), 2));
  cr_assert(ieee_ulp_eq(dbl, adj, 0.02, 4));
  cr_assert(eq(sz, tpc_bounds_holm(p, 0, 0.05, &adj), 0));
  cr_assert(eq(dbl, adj, 1.0));
}

Test(bounds_stats, pvalues) {
  /* Inverting the bound: at the half-width of delta = 1e-3 (each side's
  ** ln(2/(delta/2))), the p-value is delta. */
  tpc_bounds_acc a;
  tpc_bounds_acc_init(&a);
  for (int i = 0; i < 1000; i++) tpc_bounds_acc_add(&a, i % 10 == 0 ? 9.0 : -1.0);
  double var = tpc_bounds_acc_var(&a), hw = tpc_bounds_bernstein(&a, 0.5e-3, 10.0);
  cr_assert(epsilon_eq(dbl, tpc_bounds_bernstein_p(hw, var, 10.0, 1000, 0), 1e-3, 1e-9));
  cr_assert(eq(dbl, tpc_bounds_bernstein_p(1e-20, 1.0, 1.0, 100, 1e-15), 1.0));
  cr_assert(eq(dbl, tpc_bounds_bernstein_p(1.0, 0.0, 0.0, 100, 1e-15), 0.0));
  /* 149 rare values in 2000 where 200 are expected (z = -3.8 for the
  ** count): Student's t with the shrunken sample variance gives p = 1.4e-5,
  ** below Holm's threshold over hundreds of tests; the bound must not. */
  tpc_bounds_acc_init(&a);
  for (int i = 0; i < 2000; i++) tpc_bounds_acc_add(&a, i < 149 ? 9.0 : -1.0);
  cr_assert(lt(dbl, 1e-3, tpc_bounds_bernstein_p(a.mean, tpc_bounds_acc_var(&a), 10.0, 2000, 0)));
  /* (R / (R + c))^n */
  cr_assert(ieee_ulp_eq(dbl, tpc_bounds_const_p(1.0, 3.0, 2), 0.5625, 4));
  cr_assert(eq(dbl, tpc_bounds_const_p(0.0, 3.0, 2), 1.0));
}

/* exp(u - u^2/2) <= 1 + u + u^2/2 for every real u: what makes each term of
** tpc_bounds_mean0_p an e-value (THEORY.md T-STATS).  Both sides are within
** an ulp or two of their values on this grid, and the gap is at least
** u^2/2 - |u|^3/3 near 0 (far above rounding) and grows elsewhere. */
Test(bounds_stats, mean0_inequality) {
  for (double u = -40; u <= 40; u += 1.0 / 1024)
    cr_assert(le(dbl, exp(u - u * u / 2), (1 + u + u * u / 2) * (1 + 4 * DBL_EPSILON)),
              "u = %g", u);
}

/* Draws of Z = c with probability 1 - q, else -c (1 - q)/q: mean 0 and
** E Z^2 = c^2 (1 - q)/q = sigma^2, the most the hypothesis allows.  With
** q = 1e-3 and 200 draws the rare value is mostly never drawn and every
** draw equals c: the face-value p-value (observed range for the support)
** rejects at any level, the sound test must keep its level.  Rejections at
** 0.05 in 1000 samples are Binomial(1000, <= 0.05): more than 80 has
** probability below 1e-5 (and the test is conservative). */
Test(bounds_stats, mean0_keeps_its_level) {
  gsl_rng *r = tpc_rng_alloc_stream(3, TPC_PURPOSE_TEST, 0);
  const double qs[] = {1e-3, 0.02, 0.5};
  for (int iq = 0; iq < 3; iq++) {
    double q = qs[iq], sigma = 2.0, c = sigma * sqrt(q / (1 - q));
    int sound = 0, face = 0;
    for (int rep = 0; rep < 1000; rep++) {
      tpc_bounds_acc a;
      tpc_bounds_acc_init(&a);
      for (int i = 0; i < 200; i++)
        tpc_bounds_acc_add(&a, gsl_rng_uniform(r) < q ? -c * (1 - q) / q : c);
      sound += tpc_bounds_mean0_p(&a, sigma) <= 0.05;
      if (a.max == a.min) face += tpc_bounds_const_p(a.mean, a.max, a.n) <= 0.05;
    }
    cr_assert(le(int, sound, 80), "q = %g: %d rejections", q, sound);
    /* all 200 draws equal c with probability 0.999^200 = 0.82 */
    if (iq == 0) cr_assert(lt(int, 700, face), "face value: %d rejections", face);
  }
  gsl_rng_free(r);
}

/* At the draws tpc_bounds_mean0_draws names, draws that keep their mean and
** mean square reject at that level; at the draws seen they did not. */
Test(bounds_stats, mean0_draws_decide) {
  tpc_bounds_acc a;
  tpc_bounds_acc_init(&a);
  for (int i = 0; i < 200; i++) tpc_bounds_acc_add(&a, 0.1);
  cr_assert(lt(dbl, 1e-4, tpc_bounds_mean0_p(&a, 1.0)));
  double n = tpc_bounds_mean0_draws(&a, 1.0, 1e-4);
  cr_assert(lt(dbl, 200.0, n));
  cr_assert(lt(dbl, n, 1e5)); /* about 2 ln(48e4) / 0.01 = 2600 */
  tpc_bounds_acc b;
  tpc_bounds_acc_init(&b);
  for (double i = 0; i < n; i++) tpc_bounds_acc_add(&b, 0.1);
  cr_assert(le(dbl, tpc_bounds_mean0_p(&b, 1.0), 1e-4));
  /* A mean of 0 or a spread with no bound: no evidence, no number of draws. */
  tpc_bounds_acc_init(&a);
  tpc_bounds_acc_add(&a, 1.0);
  tpc_bounds_acc_add(&a, -1.0);
  cr_assert(eq(dbl, tpc_bounds_mean0_draws(&a, 1.0, 1e-4), HUGE_VAL));
  cr_assert(eq(dbl, tpc_bounds_mean0_p(&b, INFINITY), 1.0));
  cr_assert(eq(dbl, tpc_bounds_mean0_p(&b, 0.0), 1.0));
}

/* The unbiasedness test's chunks (bnd_unb_chunk) on every path give the bits
** of one tpc_bounds_acc_add per coordinate and draw and of one chain of
** additions per projection in index order (bounds/unbiased.c as it was,
** one pass a draw): d = 263 is a chunk of 256 and one of 7 whose last 3 the
** AVX2 steps of 4 leave to the portable loops; draws include x itself, 0,
** -0, a huge value, infinity and NaN. */
enum { CHUNK_D = 263, CHUNK_SPLIT = 256, CHUNK_DRAWS = 11 };

typedef struct chunk_ref {
  tpc_bounds_acc acc[CHUNK_D];
  double mag[CHUNK_D], range, s[CHUNK_DRAWS][BND_UNB_NPROJ];
} chunk_ref;

static double chunk_out(gsl_rng *r, const double *x, size_t j, size_t i) {
  switch ((i + 3 * j) % 13) {
  case 0: return x[i];
  case 1: return 0.0;
  case 2: return -0.0;
  case 3: return (j == 5 && i % 2) ? INFINITY : 1e300;
  case 4: return (j == 7 && i < 100) ? NAN : 3.0 * x[i];
  default: return x[i] + gsl_ran_gaussian(r, 1.0);
  }
}

static void chunk_reference(const double *outs, const double *x, const double *unit,
                            const double *dirs, double f, chunk_ref *ref) {
  for (size_t i = 0; i < CHUNK_D; i++) tpc_bounds_acc_init(&ref->acc[i]);
  memset(ref->mag, 0, sizeof ref->mag);
  ref->range = 0;
  for (size_t j = 0; j < CHUNK_DRAWS; j++) {
    const double *out = outs + j * CHUNK_D;
    for (size_t i = 0; i < CHUNK_D; i++) {
      tpc_bounds_acc_add(&ref->acc[i], (out[i] - x[i]) / unit[i]);
      ref->mag[i] += (fabs(out[i]) + fabs(x[i])) / unit[i];
      ref->range = tpc_bounds_fmax(ref->range, fabs(out[i] * f) + fabs(x[i] * f));
    }
    for (size_t k = 0; k < BND_UNB_NPROJ; k++) {
      double s = 0;
      for (size_t i = 0; i < CHUNK_D; i++)
        s += (out[i] * f - x[i] * f) * dirs[i * BND_UNB_NPROJ + k];
      ref->s[j][k] = s;
    }
  }
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

Test(bounds_unbiased, chunks_are_the_per_draw_bits) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  static double x[CHUNK_D], unit[CHUNK_D], dirs[CHUNK_D * BND_UNB_NPROJ];
  static double outs[CHUNK_DRAWS * CHUNK_D];
  double f = 0.25;
  for (size_t i = 0; i < CHUNK_D; i++) {
    x[i] = i % 17 == 0 ? 0.0 : gsl_ran_gaussian(r, 1.0) * (i % 5 == 0 ? 1e-200 : 1.0);
    unit[i] = x[i] != 0 ? fabs(x[i]) : 1.0 / f;
  }
  for (size_t i = 0; i < CHUNK_D * BND_UNB_NPROJ; i++) dirs[i] = gsl_ran_gaussian(r, 1.0);
  for (size_t j = 0; j < CHUNK_DRAWS; j++)
    for (size_t i = 0; i < CHUNK_D; i++) outs[j * CHUNK_D + i] = chunk_out(r, x, j, i);
  static chunk_ref ref;
  chunk_reference(outs, x, unit, dirs, f, &ref);
  for (tpc_isa isa = TPC_ISA_SCALAR; isa <= TPC_ISA_AVX2; isa++) {
    if (!tpc_cpu_supports(isa)) continue;
    static double mean[CHUNK_D], m2[CHUNK_D], lo[CHUNK_D], hi[CHUNK_D], mag[CHUNK_D];
    bnd_unb_cols c = {mean, m2, lo, hi, mag, unit, x, dirs};
    for (size_t i = 0; i < CHUNK_D; i++) {
      mean[i] = m2[i] = mag[i] = 0;
      lo[i] = INFINITY;
      hi[i] = -INFINITY;
    }
    double range = 0;
    for (size_t j = 0; j < CHUNK_DRAWS; j++) {
      double s[BND_UNB_NPROJ] = {0}, n = (double)(j + 1);
      const double *out = outs + j * CHUNK_D;
      size_t tail = bnd_unb_chunk(&c, isa, out, 0, CHUNK_SPLIT, n, f, &range, s);
      cr_assert(eq(sz, tail, isa == TPC_ISA_SCALAR ? 0 : CHUNK_SPLIT));
      tail = bnd_unb_chunk(&c, isa, out, CHUNK_SPLIT, CHUNK_D, n, f, &range, s);
      cr_assert(eq(sz, tail, isa == TPC_ISA_SCALAR ? CHUNK_SPLIT : CHUNK_D - 3));
      for (size_t k = 0; k < BND_UNB_NPROJ; k++)
        cr_assert(same_bits(s[k], ref.s[j][k]), "isa %d draw %zu projection %zu: %a vs %a",
                  (int)isa, j, k, s[k], ref.s[j][k]);
    }
    cr_assert(same_bits(range, ref.range), "isa %d range %a vs %a", (int)isa, range, ref.range);
    for (size_t i = 0; i < CHUNK_D; i++) {
      const tpc_bounds_acc *a = &ref.acc[i];
      cr_assert(same_bits(mean[i], a->mean) && same_bits(m2[i], a->m2) &&
                    same_bits(lo[i], a->min) && same_bits(hi[i], a->max) &&
                    same_bits(mag[i], ref.mag[i]),
                "isa %d coordinate %zu: mean %a/%a m2 %a/%a min %a/%a max %a/%a mag %a/%a",
                (int)isa, i, mean[i], a->mean, m2[i], a->m2, lo[i], a->min, hi[i], a->max,
                mag[i], ref.mag[i]);
    }
  }
  gsl_rng_free(r);
}

/* The truncated lower bound of a non-negative mean: exact for one draw, 0
** after an overflow, below the mean; and valid where the draws never show
** the top of the support: X = 1 with probability 0.99, else 1000 (mean
** 10.99).  Misses at delta = 0.05 over 1000 samples of 100 draws are
** Binomial(1000, <= 0.05): more than 80 has probability below 1e-5. */
Test(bounds_stats, lcb_truncated) {
  tpc_bounds_acc a;
  tpc_bounds_acc_init(&a);
  tpc_bounds_acc_add(&a, 3.0);
  cr_assert(eq(dbl, tpc_bounds_lcb(&a, 0.05, 1.0), 3.0));
  tpc_bounds_acc_add(&a, INFINITY);
  cr_assert(eq(dbl, tpc_bounds_lcb(&a, 0.05, 1.0), 0.0));
  gsl_rng *r = tpc_rng_alloc_stream(4, TPC_PURPOSE_TEST, 0);
  int miss = 0;
  for (int rep = 0; rep < 1000; rep++) {
    tpc_bounds_acc_init(&a);
    for (int i = 0; i < 100; i++) tpc_bounds_acc_add(&a, gsl_rng_uniform(r) < 0.01 ? 1000.0 : 1.0);
    double lcb = tpc_bounds_lcb(&a, 0.05, 1.0);
    cr_assert(le(dbl, lcb, a.mean));
    miss += lcb > 10.99;
  }
  cr_assert(le(int, miss, 80));
  gsl_rng_free(r);
  /* 1000 draws all at 1.1 against a bound of 1: the support is taken as
  ** [0, 2^(1/4)] (j = 1, level delta/6), so the lower bound is
  ** 1.1 - 7 2^(1/4) ln(12/delta) / 2997 = 1.1 - 0.0197 at delta = 0.01. */
  tpc_bounds_acc_init(&a);
  for (int i = 0; i < 1000; i++) tpc_bounds_acc_add(&a, 1.1);
  cr_assert(epsilon_eq(dbl, tpc_bounds_lcb(&a, 0.01, 1.0),
                       1.1 - 7 * pow(2, 0.25) * log(1200.0) / 2997, 1e-12));
}

/* tpc_bounds_lcb_draws: at the draws it names the bound clears `above`, one
** draw fewer it does not (same mean, variance and largest draw). */
Test(bounds_stats, lcb_draws_decide) {
  tpc_bounds_acc a = {50, 0.5, 0.25 * 49, 0.0, 1.0};
  double n = tpc_bounds_lcb_draws(&a, 0.01, 0.4, 0.5, 0.4);
  cr_assert(lt(dbl, 50.0, n));
  cr_assert(lt(dbl, n, 1e5));
  tpc_bounds_acc b = {(size_t)n, 0.5, 0.25 * (n - 1), 0.0, 1.0};
  cr_assert(lt(dbl, 0.4, tpc_bounds_lcb(&b, 0.01, 0.4)));
  b.n = (size_t)n - 1;
  b.m2 = 0.25 * (n - 2);
  cr_assert(le(dbl, tpc_bounds_lcb(&b, 0.01, 0.4), 0.4));
  cr_assert(eq(dbl, tpc_bounds_lcb_draws(&a, 0.01, 0.4, 0.4, 0.4), HUGE_VAL));
}

/* The checkpoints of a sequential estimate: doubling from `first`, the last
** one `last` whether or not it is a doubling; one when first >= last. */
Test(bounds_stats, seq_checkpoints) {
  cr_assert(eq(sz, tpc_bounds_seq_count(125, 1000), 4));
  const size_t want[] = {125, 250, 500, 1000};
  for (size_t j = 0; j < 4; j++) cr_assert(eq(sz, tpc_bounds_seq_at(125, 1000, j), want[j]));
  cr_assert(eq(sz, tpc_bounds_seq_count(8, 20), 3));
  cr_assert(eq(sz, tpc_bounds_seq_at(8, 20, 1), 16));
  cr_assert(eq(sz, tpc_bounds_seq_at(8, 20, 2), 20));
  cr_assert(eq(sz, tpc_bounds_seq_count(16000, 16000), 1));
  cr_assert(eq(sz, tpc_bounds_seq_count(2, 1), 1));
  cr_assert(eq(sz, tpc_bounds_seq_at(2, 1, 0), 1));
}

/* Each checkpoint's bounds are at delta over the number of checkpoints
** (THEORY.md T-STATS, sequential draws: the union bound over the stopping
** times); a deterministic target has one exact value, hence one checkpoint
** at the whole delta.  (A Monte Carlo check of the stopped lower bound could
** not fail here: the empirical Bernstein bound holds even without the split.) */
Test(bounds_stats, seq_level_splits_delta_over_the_checkpoints) {
  bnd_target t = {0};
  bnd_seq q = {.first = 125, .last = 1000, .delta = 0.03};
  cr_assert(eq(dbl, bnd_seq_level(&t, &q), 0.03 / (double)tpc_bounds_seq_count(125, 1000)));
  cr_assert(eq(sz, tpc_bounds_seq_count(125, 1000), 4));
  t.deterministic = 1;
  cr_assert(eq(dbl, bnd_seq_level(&t, &q), 0.03));
}

/* The stop on the upper bound takes the draws' range for the support: 64
** draws spread evenly over [0.85, 0.95] of a bound of 1, at level 1e-4,
** have an upper bound of 0.9 + 0.016 + 7 (0.1) ln(2e4) / (3 63) = 0.953
** and settle the point; with [0, max] for the support the range term alone
** would be 7 (0.95) ln(2e4) / 189 = 0.35.  The same spread around the
** bound settles nothing. */
Test(bounds_stats, seq_settles_on_the_draws_range) {
  bnd_target t = {0};
  t.cu = 1;
  bnd_stat s = {0};
  s.u = 1;
  tpc_bounds_acc_init(&s.e);
  for (int i = 0; i < 64; i++) tpc_bounds_acc_add(&s.e, 0.85 + 0.1 * i / 63.0);
  cr_assert(epsilon_eq(dbl, bnd_ucb(&s.e, 1e-4), 0.953, 0.001), "%g", bnd_ucb(&s.e, 1e-4));
  cr_assert(eq(int, bnd_seq_settled(&t, &s, 1e-4), 1));
  tpc_bounds_acc_init(&s.e);
  for (int i = 0; i < 64; i++) tpc_bounds_acc_add(&s.e, 0.95 + 0.1 * i / 63.0);
  cr_assert(eq(int, bnd_seq_settled(&t, &s, 1e-4), 0));
}

/* ---- frontier ---------------------------------------------------------------- */

/* Points on the tight EF21 family of T3 for q = 1 - alpha = 0.9, s on a fine
** grid: x - h = v with ||v|| = 1, u = 1/(1+s)^2, v = s^2/(1+s)^2, e = q.  The
** family's smallest B/A is q/(1 - sqrt q)^2 (EF21's row); the frontier of a
** subset of the family is a lower envelope of it, within the grid's
** resolution (1%) of it and never above it (beyond rounding). */
Test(bounds_frontier, ef21_family) {
  enum { NP = 2000 };
  static tpc_bounds_point pts[NP];
  double q = 0.9;
  for (int i = 0; i < NP; i++) {
    double s = pow(10.0, -3.0 + 4.0 * i / (NP - 1));
    memset(&pts[i], 0, sizeof pts[i]);
    pts[i].e = pts[i].e_lcb = pts[i].e_ucb = q;
    pts[i].u = 1.0 / ((1 + s) * (1 + s));
    pts[i].v = s * s / ((1 + s) * (1 + s));
    pts[i].s2 = 1;
  }
  bnd_target t;
  memset(&t, 0, sizeof t);
  tpc_ef21_constants(q, &t.A, &t.B);
  t.has_AB = 1;
  t.tol = 1e-13;
  tpc_bounds_fpoint front[BND_GRID + 1];
  tpc_bounds_summary sum;
  memset(&sum, 0, sizeof sum);
  size_t n = bnd_frontier(&t, pts, NP, front, &sum);
  double best = q / pow(1 - sqrt(q), 2);
  cr_assert(eq(sz, n, BND_GRID + 1));
  cr_assert(le(dbl, sum.front_BA, best * (1 + 1e-9)));
  cr_assert(ge(dbl, sum.front_BA, best * 0.99));
  cr_assert(epsilon_eq(dbl, sum.step_gain, 1.0, 0.01));
  /* At the declared A the family needs exactly the declared B. */
  cr_assert(epsilon_eq(dbl, sum.B_at_A, t.B, 0.01 * t.B));
  cr_assert(le(dbl, sum.B_at_A, t.B * (1 + 1e-9)));
}

/* ---- whole checks: the attained bounds of THEORY.md ----------------------------- */

TestSuite(bounds_run, .init = setup, .fini = teardown, .timeout = 60);

Test(bounds_run, topk_tight) {
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = check("topk(k=2)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_PASS), "%s", r->sum.reason);
  /* All magnitudes equal attains (1 - k/d)||x||^2 up to rounding. */
  cr_assert(ge(dbl, r->sum.worst_ratio, 0.99));
  cr_assert(epsilon_eq(dbl, 1 - r->sum.sup, 0.1, 1e-9));
  cr_assert(eq(int, r->sum.no_compression, 0));
  cr_assert(eq(int, r->sum.loose, 0));
  tpc_bounds_result_free(r);
}

Test(bounds_run, randomized_tight) {
  tpc_bounds_opts o = small();
  expect_verdict("randk(k=2)", &o, TPC_VERDICT_PASS, 0.99);
  tpc_bounds_result *r = check("urandk(k=2)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_PASS), "%s", r->sum.reason);
  cr_assert(ge(dbl, r->sum.worst_ratio, 0.99));
  cr_assert(lt(int, 100, r->sum.unb_tests));
  cr_assert(eq(int, r->sum.unb_rejected, 0));
  tpc_bounds_result_free(r);
}

Test(bounds_run, mechanisms_tight) {
  tpc_bounds_opts o = small();
  expect_verdict("ef21(topk(k=2))", &o, TPC_VERDICT_PASS, 0.99);
  expect_verdict("3pcv1(topk(k=2))", &o, TPC_VERDICT_PASS, 0.99);
  expect_verdict("clag(topk(k=2),zeta=2)", &o, TPC_VERDICT_PASS, 0.99);
  expect_verdict("lag(zeta=4)", &o, TPC_VERDICT_PASS, 0.99);
}

/* EF21 with TopK: the frontier is the EF21 family, so the declared pair is
** the best one: no step size is left on the table. */
Test(bounds_run, ef21_frontier_tight) {
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = check("ef21(topk(k=2))", &o);
  cr_assert(epsilon_eq(dbl, r->sum.step_gain, 1.0, 0.01), "gain %g", r->sum.step_gain);
  cr_assert(eq(sz, r->nfront, BND_GRID + 1));
  tpc_bounds_result_free(r);
}

Test(bounds_run, aggregate_and_shift) {
  tpc_bounds_opts o = small();
  expect_verdict("marina(urandk(k=2),p=0.2)", &o, TPC_VERDICT_PASS, 0.9);
  expect_verdict("diana(urandk(k=2))", &o, TPC_VERDICT_PASS, 0.99);
  expect_verdict("shifted(urandk(k=10))", &o, TPC_VERDICT_PASS, 0.99);
}

/* Threshold declares no class: nothing can be violated, and the measured
** sup is 1 (a vector below lambda is zeroed): not contractive. */
Test(bounds_run, no_class) {
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = check("threshold(lambda=0.5)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_PASS));
  cr_assert(eq(int, r->sum.check, TPC_CHECK_NONE));
  cr_assert(epsilon_eq(dbl, r->sum.sup, 1.0, 1e-12));
  tpc_bounds_result_free(r);
}

/* The identity is tight (0 <= 0) but sends more bits than the dense vector:
** it must stand out as not compressing; TopK with k = d likewise. */
Test(bounds_run, no_compression) {
  tpc_bounds_opts o = small();
  const char *specs[] = {"identity", "topk(k=20)", "gd"};
  for (int i = 0; i < 3; i++) {
    tpc_bounds_result *r = check(specs[i], &o);
    cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_PASS), "%s", specs[i]);
    cr_assert(eq(int, r->sum.no_compression, 1), "%s", specs[i]);
    cr_assert(ge(dbl, r->sum.bits_mean, r->sum.dense_bits));
    tpc_bounds_result_free(r);
  }
}

/* TopK with k = 12 of 20 declaring alpha = 0.01: the worst error is
** 0.4||x||^2 against 0.99||x||^2 declared, a ratio of 0.404: loose by 2.475. */
Test(bounds_run, loose) {
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = check("planted(topk(k=12),alpha=0.01)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_PASS), "%s", r->sum.reason);
  cr_assert(eq(int, r->sum.loose, 1));
  cr_assert(epsilon_eq(dbl, r->sum.loose_factor, 0.99 / 0.4, 1e-6));
  tpc_bounds_result_free(r);
}

/* A compressor that returns its input passes its omega bound (0 <= omega
** |x|^2) but compresses nothing: flagged loose by an infinite factor, from
** its outputs, with the reason saying why; in float32 too. */
Test(bounds_run, identity_output_flagged) {
  tpc_bounds_opts o = small();
  for (int f32 = 0; f32 < 2; f32++) {
    o.dtype = f32 ? TPC_F32 : TPC_F64;
    tpc_bounds_result *r = check("echo", &o);
    cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_PASS), "%s", r->sum.reason);
    cr_assert(eq(int, r->sum.identity_output, 1), "dtype %d", f32);
    cr_assert(eq(int, r->sum.loose, 1));
    cr_assert(eq(int, isinf(r->sum.loose_factor) && r->sum.loose_factor > 0, 1), "%g",
              r->sum.loose_factor);
    cr_assert(not(eq(ptr, strstr(r->sum.reason, "output equalled its input on every point"),
                     NULL)), "%s", r->sum.reason);
    cr_assert(not(eq(ptr, strstr(r->sum.reason, "declared omega = 0.5 is loose x inf"), NULL)),
              "%s", r->sum.reason);
    tpc_bounds_result_free(r);
  }
}

/* The built-in identity declares what it does (omega = 0, alpha = 1: a
** right side of 0): its output is recorded as the input, but nothing is
** loose.  A mechanism's output is a state, never flagged (gd returns x). */
Test(bounds_run, identity_output_declared) {
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = check("identity", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_PASS), "%s", r->sum.reason);
  cr_assert(eq(int, r->sum.identity_output, 1));
  cr_assert(eq(int, r->sum.loose, 0));
  cr_assert(eq(ptr, strstr(r->sum.reason, "equalled"), NULL), "%s", r->sum.reason);
  tpc_bounds_result_free(r);
  r = check("gd", &o);
  cr_assert(eq(int, r->sum.identity_output, 0));
  tpc_bounds_result_free(r);
}

/* One differing output anywhere clears the flag: urandk at d = 100, and an
** echo that changes its last coordinate on 1% of calls (with 1 and 2
** threads: the flag is an AND over every call of every worker). */
Test(bounds_run, identity_output_cleared) {
  tpc_bounds_opts o = small();
  o.d = 100;
  tpc_bounds_result *r = check("urandk(k=10)", &o);
  cr_assert(eq(int, r->sum.identity_output, 0));
  tpc_bounds_result_free(r);
  o = small();
  for (int threads = 1; threads <= 2; threads++) {
    o.threads = threads;
    r = check("echo(blip=0.01)", &o);
    cr_assert(eq(int, r->sum.identity_output, 0), "%d threads", threads);
    cr_assert(eq(ptr, strstr(r->sum.reason, "equalled"), NULL), "%s", r->sum.reason);
    tpc_bounds_result_free(r);
  }
}

/* ---- sequential draws ----------------------------------------------------------- */

/* Whether every point of r stopped only where its bounds settled it: one
** with fewer draws than its phase's most has ratio_lcb > 1 or ratio_ucb < 1
** (the stored bounds are those the rule reads).  Counts the points that
** stopped early into *early. */
static void expect_settled_stops(const tpc_bounds_result *r, const tpc_bounds_opts *o,
                                 size_t *early) {
  *early = 0;
  for (size_t i = 0; i < r->npoints; i++) {
    const tpc_bounds_point *p = &r->points[i];
    size_t most = p->confirm ? BND_CONFIRM_DRAWS * o->draws : o->draws;
    if (p->draws >= most) continue;
    (*early)++;
    cr_assert(p->ratio_lcb > 1 || p->ratio_ucb < 1, "%s #%u: %u draws, bounds [%g, %g]",
              tpc_bounds_family_name(p->family), p->index, p->draws, p->ratio_lcb,
              p->ratio_ucb);
  }
}

/* Dithering at d = 20 is far from its bound on most points: those stop at
** M/8 (8 draws) with an upper bound below it, while the worst points get
** every draw; the screening spends under 3/4 of M per point, and the check
** still passes. */
Test(bounds_run, sequential_draws_settle) {
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = check("dither(s=4)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_PASS), "%s", r->sum.reason);
  size_t early;
  expect_settled_stops(r, &o, &early);
  /* plain comparisons: Criterion 2.4.1's gt(T, a, b) passes when a == b */
  cr_assert(early > r->sum.npoints / 4, "%zu of %u points stopped early", early,
            r->sum.npoints);
  size_t screened = 0;
  for (size_t i = 0; i < r->npoints; i++) screened += r->points[i].confirm ? 0 : r->points[i].draws;
  cr_assert(screened < r->sum.npoints * o.draws * 3 / 4, "%zu screening draws", screened);
  tpc_bounds_result_free(r);
}

/* A violation settles early too: RandK declaring alpha 0.2 (ratio 1.125
** everywhere) is refuted by a re-estimate that stopped before 16 M draws,
** at a lower bound above 1; the points near the bound still get all M. */
Test(bounds_run, sequential_draws_violation) {
  tpc_bounds_opts o = small();
  o.draws = 256;
  tpc_bounds_result *r = check("planted(randk(k=2),alpha=0.2)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_VIOLATED), "%s", r->sum.reason);
  size_t early, refuted = 0;
  expect_settled_stops(r, &o, &early);
  for (size_t i = 0; i < r->npoints; i++) {
    const tpc_bounds_point *p = &r->points[i];
    refuted += p->confirm == 1 && p->ratio_lcb > 1 && p->draws < BND_CONFIRM_DRAWS * o.draws;
  }
  cr_assert(refuted > 0, "no re-estimate settled the violation early");
  tpc_bounds_result_free(r);
}

/* Bernoulli(1/2) has the left side ||x||^2 in every draw (sent or not): the
** search's objective does not vary, so each restart evaluates its points
** with 2 common random numbers, not 32 (search.c, crn_draws).  The whole
** check then takes fewer calls than the search alone took with 32 a point
** (500 x 32 = 16000; 27456 in all before), and still passes. */
Test(bounds_run, search_draws_follow_the_spread) {
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = check("bernoulli(p=0.5)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_PASS), "%s", r->sum.reason);
  cr_assert(r->sum.evaluations < 16000, "%g calls", r->sum.evaluations);
  tpc_bounds_result_free(r);
}

/* ---- planted defects -------------------------------------------------------------- */

/* RandK with k = 2 of 20 achieves alpha = 0.1 exactly; declaring 0.2 puts
** every point at ratio 0.9/0.8 = 1.125. */
Test(bounds_run, planted_alpha_too_large) {
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = check("planted(randk(k=2),alpha=0.2)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_VIOLATED), "%s", r->sum.reason);
  cr_assert(lt(dbl, 1.0, r->sum.worst_ratio_lcb));
  cr_assert(epsilon_eq(dbl, r->sum.worst_ratio, 1.125, 0.05));
  tpc_bounds_result_free(r);
}

/* urandk scaled by 1.02 but declared unbiased with urandk's omega: the
** variance is 1.0404 * 10 - 2.04 + 1 = 9.364 > 9 (times ||x||^2), exact on
** equal magnitudes. */
Test(bounds_run, planted_scaled_unbiased) {
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = check("planted(urandk(k=2),omega=9,scale=1.02)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_VIOLATED), "%s", r->sum.reason);
  cr_assert(lt(dbl, 1.0, r->sum.worst_ratio_lcb));
  tpc_bounds_result_free(r);
}

/* A defect 2% over its bound is caught at the defaults (d = 100, M =
** 1000, confidence 0.99), in both types, although the sequential draws stop
** most points early: RandK with k = 10 of 100 achieves alpha = 0.1 exactly,
** so declaring 0.118 puts every point at 0.9/0.882 = 1.0204; unbiased RandK
** has omega = 9, and declaring 8.82 puts every point at 1.0204 too.  Its
** lower bound clears 1 only from thousands of fresh draws: a re-estimate
** capped at M misses it. */
Test(bounds_run, planted_two_percent_over_caught_at_defaults) {
  static const char *const specs[] = {"planted(randk(k=10),alpha=0.118)",
                                      "planted(urandk(k=10),omega=8.82)"};
  for (size_t s = 0; s < 2; s++)
    for (int f32 = 0; f32 < 2; f32++) {
      tpc_bounds_opts o;
      tpc_bounds_opts_init(&o);
      o.threads = 2;
      o.dtype = f32 ? TPC_F32 : TPC_F64;
      tpc_bounds_result *r = check(specs[s], &o);
      cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_VIOLATED), "%s %s: %s", specs[s],
                f32 ? "f32" : "f64", r->sum.reason);
      cr_assert(epsilon_eq(dbl, r->sum.worst_ratio, 1.0204, 0.02), "%s", specs[s]);
      tpc_bounds_result_free(r);
    }
}

/* A deterministic bias of 2% within the declared variance: only the
** unbiasedness test can see it, and it must. */
Test(bounds_run, planted_bias_alone) {
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = check("planted(identity,omega=0.5,scale=1.02)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_VIOLATED), "%s", r->sum.reason);
  cr_assert(lt(dbl, r->sum.worst_ratio, 1.0)); /* the variance bound holds */
  cr_assert(lt(int, 0, r->sum.unb_rejected));
  cr_assert(not(eq(ptr, strstr(r->sum.reason, "E C(x) != x"), NULL)));
  tpc_bounds_result_free(r);
}

/* EF21-TopK declaring a B 10% too small: the tight EF21 construction puts
** the left side at (1-A)u + B v > (1-A)u + 0.9 B v. */
Test(bounds_run, planted_B_too_small) {
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = check("shrunk(ef21(topk(k=2)),bfactor=0.9)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_VIOLATED), "%s", r->sum.reason);
  cr_assert(lt(dbl, 1.0, r->sum.worst_ratio_lcb));
  tpc_bounds_result_free(r);
}

/* bidir(M_w, M_s): the clients' M_w at n and the server's M_s as one node
** (tpc_method_mech_parts, what `tpc bounds` checks for a bidir spec), each
** by the mechanisms' check; the server declaring a B 10% too small is
** caught, the honest client passes. */
Test(bounds_run, bidir_server_B_too_small) {
  tpc_bounds_opts o = small();
  tpc_spec *s = parse("bidir(ef21(topk(k=2)),shrunk(ef21(topk(k=2)),bfactor=0.9))");
  tpc_method_mech_part part[TPC_METHOD_MECH_PARTS];
  cr_assert(eq(sz, tpc_method_mech_parts(s, 3, part), 2));
  cr_expect(part[0].n == 3 && strcmp(part[0].role, "client") == 0, "%zu %s", part[0].n,
            part[0].role);
  cr_expect(part[1].n == 1 && strcmp(part[1].role, "server") == 0, "%zu %s", part[1].n,
            part[1].role);
  for (size_t k = 0; k < 2; k++) {
    o.n = part[k].n;
    tpc_bounds_result *r = tpc_bounds_result_alloc(&o);
    cr_assert(not(eq(ptr, r, NULL)));
    cr_assert(eq(int, tpc_bounds_run(reg, part[k].spec, &o, r), TPC_OK), "%s", tpc_error_msg());
    int want = k ? TPC_VERDICT_VIOLATED : TPC_VERDICT_PASS;
    cr_expect(eq(int, r->sum.verdict, want), "%s: %s (%s)", part[k].role,
              tpc_bounds_verdict_name(r->sum.verdict), r->sum.reason);
    tpc_bounds_result_free(r);
  }
  tpc_spec_free(s);
}

/* TopK that never selects coordinate 7: with equal magnitudes and x_7 the
** strict winner (the worst family's bumped vectors, near-ties) it keeps
** another coordinate and exceeds (1 - k/d)||x||^2. */
Test(bounds_run, planted_blind_topk) {
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = check("planted(topk(k=2),alpha=0.1,blind=7)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_VIOLATED), "%s", r->sum.reason);
  tpc_bounds_result_free(r);
  /* The same without the defect passes. */
  expect_verdict("planted(topk(k=2),alpha=0.1)", &o, TPC_VERDICT_PASS, 0.99);
}

/* urandk(k=2) doubled, declared unbiased with omega = 40: E||2C(x) - x||^2 =
** 37||x||^2 at every x (E||C(x)||^2 = (d/k)||x||^2 exactly), within the
** declared bound, but E 2C(x) = 2x.  Only the unbiasedness test can refute
** it, from the projection on x at equal magnitudes: every draw is ||x||^2
** against a root mean square the declaration bounds by sqrt(40)||x||^2, so
** about 1100 draws decide.  With M = 128 (256 for the test) the draws look
** biased at face value ((R/(R + c))^256 = 7e-6 with the observed range R =
** 21 c), the check is undecided and names the draws that decide; with
** those draws it is violated. */
Test(bounds_run, planted_bias_needs_draws) {
  tpc_bounds_opts o = small();
  o.draws = 128;
  tpc_bounds_result *r = check("planted(urandk(k=2),omega=40,scale=2)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_INCONCLUSIVE), "%s", r->sum.reason);
  cr_assert(lt(dbl, r->sum.worst_ratio, 1.0));
  cr_assert(eq(int, r->sum.unb_rejected, 0));
  cr_assert(lt(int, 0, r->sum.unb_doubted));
  cr_assert(lt(dbl, 100.0, r->sum.draws_needed));
  cr_assert(lt(dbl, r->sum.draws_needed, 5000.0));
  cr_assert(not(eq(ptr, strstr(r->sum.reason, "would decide"), NULL)), "%s", r->sum.reason);
  o.draws = (size_t)r->sum.draws_needed;
  tpc_bounds_result_free(r);
  r = check("planted(urandk(k=2),omega=40,scale=2)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_VIOLATED), "%s", r->sum.reason);
  cr_assert(lt(int, 0, r->sum.unb_rejected));
  tpc_bounds_result_free(r);
}

/* ---- rare events: no false violation ---------------------------------------------- */

/* Run `text` at seeds 1..5: never violated; an inconclusive verdict names
** more draws than it had (or none that would do); returns how many were
** inconclusive. */
static int never_violated(const char *text, tpc_bounds_opts o) {
  int inconclusive = 0;
  for (uint64_t seed = 1; seed <= 5; seed++) {
    o.seed = seed;
    tpc_bounds_result *r = check(text, &o);
    cr_assert(not(eq(int, r->sum.verdict, TPC_VERDICT_VIOLATED)), "%s, seed %llu: %s", text,
              (unsigned long long)seed, r->sum.reason);
    if (r->sum.verdict == TPC_VERDICT_INCONCLUSIVE) {
      inconclusive++;
      cr_assert(lt(dbl, (double)o.draws, r->sum.draws_needed), "%s", r->sum.reason);
      cr_assert(not(eq(ptr, strstr(r->sum.reason, "would decide"), NULL)), "%s", r->sum.reason);
    }
    tpc_bounds_result_free(r);
  }
  return inconclusive;
}

/* Correct unbiased compressors whose rare events 200 draws rarely show:
** bernoulli(p) sends x/p with probability p, and three urandk(k=2) at
** d = 20 keep a coordinate with probability 1e-3, scaled by 1000.  A
** coordinate never kept reads -x_i in every draw, which the observed
** range takes for a bias; the declared omega (999, 1e300) allows it.
** They must never be violated, and are inconclusive when the draws look
** biased. */
Test(bounds_run, rare_events_never_violated) {
  tpc_bounds_opts o = small();
  cr_assert(lt(int, 0, never_violated("bernoulli(p=0.001)", o)));
  cr_assert(lt(int, 0, never_violated("compose(urandk(k=2),compose(urandk(k=2),urandk(k=2)))", o)));
  cr_assert(eq(int, never_violated("bernoulli(p=1e-300)", o), 5));
}

/* urandk(k=1) at d = 1000 with 20 draws: on a point whose magnitudes span
** 300 decades one coordinate is the whole vector and is kept in 1 draw of
** 1000, so the projections read -||x||^2 in most of the 200 draws. */
Test(bounds_run, rare_coordinate_never_violated) {
  tpc_bounds_opts o = small();
  o.d = 1000;
  o.draws = 20;
  o.search_budget = 0;
  never_violated("urandk(k=1)", o);
}

/* ---- float32 kernels ----------------------------------------------------------- */

/* The float paths meet the same constants, tightly: the worst family's
** points are exact floats, so TopK's equal magnitudes still attain
** (1 - k/d)||x||^2 up to float rounding of the output. */
Test(bounds_run, f32_builtins_pass) {
  tpc_bounds_opts o = small();
  o.dtype = TPC_F32;
  expect_verdict("topk(k=2)", &o, TPC_VERDICT_PASS, 0.99);
  expect_verdict("urandk(k=2)", &o, TPC_VERDICT_PASS, 0.99);
  expect_verdict("natural", &o, TPC_VERDICT_PASS, 0.9);
  expect_verdict("dither(s=4)", &o, TPC_VERDICT_PASS, 0.2);
  expect_verdict("sign", &o, TPC_VERDICT_PASS, 0.99);
  expect_verdict("ef21(topk(k=2))", &o, TPC_VERDICT_PASS, 0.99);
  expect_verdict("marina(urandk(k=2),p=0.2)", &o, TPC_VERDICT_PASS, 0.9);
  expect_verdict("clag(topk(k=2),zeta=2)", &o, TPC_VERDICT_PASS, 0.99);
  /* a dense float message is 32 bits a coordinate: the identity compresses nothing */
  tpc_bounds_result *r = check("identity", &o);
  cr_assert(eq(dbl, r->sum.dense_bits, 32.0 * 20));
  cr_assert(eq(int, r->sum.no_compression, 1));
  tpc_bounds_result_free(r);
}

/* A defect in the float path alone: the float64 check cannot see it, the
** float32 check must; so --dtype f32 really runs the float kernels. */
Test(bounds_run, f32_defect_only_in_float) {
  tpc_bounds_opts o = small();
  expect_verdict("planted(topk(k=2),alpha=0.1,blind=7,f32only=1)", &o, TPC_VERDICT_PASS, 0.99);
  o.dtype = TPC_F32;
  tpc_bounds_result *r = check("planted(topk(k=2),alpha=0.1,blind=7,f32only=1)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_VIOLATED), "%s", r->sum.reason);
  tpc_bounds_result_free(r);
  r = check("planted(urandk(k=2),omega=9,scale=1.02,f32only=1)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_VIOLATED), "%s", r->sum.reason);
  tpc_bounds_result_free(r);
}

/* ---- determinism --------------------------------------------------------------- */

/* Same seed, 1 and 2 threads: every point, frontier value and summary figure
** bit for bit (randomized target, search on). */
Test(bounds_run, threads_identical) {
  tpc_bounds_opts o = small();
  o.threads = 1;
  tpc_bounds_result *a = check("3pcv2(urandk(k=2),topk(k=2))", &o);
  o.threads = 2;
  tpc_bounds_result *b = check("3pcv2(urandk(k=2),topk(k=2))", &o);
  cr_assert(eq(sz, a->npoints, b->npoints));
  cr_assert(eq(int, memcmp(a->points, b->points, a->npoints * sizeof *a->points), 0));
  cr_assert(eq(sz, a->nfront, b->nfront));
  cr_assert(eq(int, memcmp(a->front, b->front, a->nfront * sizeof *a->front), 0));
  a->sum.seconds = b->sum.seconds = 0;
  cr_assert(eq(int, memcmp(&a->sum, &b->sum, sizeof a->sum), 0));
  tpc_bounds_result_free(a);
  tpc_bounds_result_free(b);
}

Test(bounds_run, seed_changes_points) {
  tpc_bounds_opts o = small();
  o.search_budget = 0;
  tpc_bounds_result *a = check("urandk(k=2)", &o);
  o.seed = 12;
  tpc_bounds_result *b = check("urandk(k=2)", &o);
  cr_assert(not(eq(dbl, a->points[0].e, b->points[0].e)));
  tpc_bounds_result_free(a);
  tpc_bounds_result_free(b);
}

/* ---- families ---------------------------------------------------------------------- */

/* The point generator of topk(k=2) at o (d = 20): state, worker, a point. */
typedef struct gen_fixture {
  tpc_spec *spec;
  bnd_progress prog;
  bnd_state st;
  bnd_worker w;
  bnd_point p;
} gen_fixture;

static void gen_open(gen_fixture *g, const tpc_bounds_opts *o) {
  setup();
  memset(g, 0, sizeof *g);
  g->spec = parse("topk(k=2)");
  g->st.progress = &g->prog;
  cr_assert(eq(int, bnd_target_init(&g->st.t, reg, g->spec, o), TPC_OK));
  cr_assert(eq(int, bnd_worker_init(&g->w, &g->st), TPC_OK));
  cr_assert(eq(int, bnd_point_alloc(&g->p, o->d), TPC_OK));
}

static void gen_close(gen_fixture *g) {
  bnd_point_free(&g->p);
  bnd_worker_free(&g->w);
  tpc_spec_free(g->spec);
  teardown();
}

/* The largest magnitude of x at point k of the SCALES family: base kind
** k % 6 (< 5: normalized), decade {-300, ..., 300}[(k/6) % 8] (a tenth for
** float32). */
static double scales_max(gen_fixture *g, uint32_t k) {
  bnd_generate(&g->w, TPC_FAM_SCALES, k, &g->p);
  double m = 0;
  for (int i = 0; i < 20; i++) m = fmax(m, fabs(g->p.x[i]));
  return m;
}

/* A point is a function of (seed, family, index): regenerated, it is the
** same; the scales family reaches 10^-300 and 10^300. */
Test(bounds_families, regenerate_and_scales) {
  tpc_bounds_opts o = small();
  gen_fixture g;
  gen_open(&g, &o);
  double first[20];
  for (int f = TPC_FAM_GAUSSIAN; f <= TPC_FAM_WORST; f++) {
    bnd_generate(&g.w, f, 3, &g.p);
    memcpy(first, g.p.x, sizeof first);
    bnd_generate(&g.w, f, 5, &g.p);
    bnd_generate(&g.w, f, 3, &g.p);
    cr_assert(eq(int, memcmp(first, g.p.x, sizeof first), 0), "family %d", f);
  }
  cr_assert(epsilon_eq(dbl, scales_max(&g, 0), 1e-300, 1e-314));
  cr_assert(epsilon_eq(dbl, scales_max(&g, 6 * 7), 1e300, 1e286));
  gen_close(&g);
}

/* Float32 targets get exact floats, finite, and SCALES within float's range:
** the largest entry at 10^-30 .. 10^30 instead of 10^-300 .. 10^300. */
Test(bounds_families, f32_points) {
  tpc_bounds_opts o = small();
  o.dtype = TPC_F32;
  gen_fixture g;
  gen_open(&g, &o);
  for (int f = TPC_FAM_GAUSSIAN; f <= TPC_FAM_WORST; f++)
    for (uint32_t k = 0; k < 96; k++) {
      bnd_generate(&g.w, f, k, &g.p);
      for (int i = 0; i < 20; i++) {
        double v = g.p.x[i];
        cr_assert(isfinite(v) && (double)(float)v == v && fabs(v) <= 1e30 * (1 + FLT_EPSILON),
                  "family %d, point %u, x[%d] = %a", f, k, i, v);
      }
    }
  cr_assert(epsilon_eq(dbl, scales_max(&g, 0), 1e-30, 1e-37));
  cr_assert(epsilon_eq(dbl, scales_max(&g, 6 * 7), 1e30, 1e23));
  gen_close(&g);
}

/* ---- input checks ------------------------------------------------------------------ */

Test(bounds_run, bad_input) {
  tpc_bounds_opts o = small();
  tpc_spec *s = parse("topk(k=30)");
  cr_assert(eq(int, tpc_bounds_validate(reg, s, &o), TPC_EINPUT));
  tpc_spec_free(s);
  o.confidence = 1.0;
  s = parse("topk(k=3)");
  cr_assert(eq(int, tpc_bounds_validate(reg, s, &o), TPC_EINPUT));
  tpc_spec_free(s);
  unsigned mask;
  cr_assert(eq(int, tpc_bounds_families_parse("gaussian,foo", &mask), TPC_EINPUT));
  cr_assert(not(eq(ptr, strstr(tpc_error_msg(), "foo"), NULL)));
  cr_assert(eq(int, tpc_bounds_families_parse("gaussian,ties", &mask), TPC_OK));
  cr_assert(eq(u32, mask, (1u << TPC_FAM_GAUSSIAN) | (1u << TPC_FAM_TIES)));
}

/* ---- isolation and storage ---------------------------------------------------------- */

/* A kernel that crashes or hangs ends its child, never the caller: the
** result is an error verdict naming the signal or the time-out. */
Test(bounds_run, isolated_crash_and_hang) {
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = tpc_bounds_result_alloc(&o);
  tpc_spec *s = parse("planted(topk(k=2),alpha=0.1,crash=1)");
  cr_assert(eq(int, tpc_bounds_run_isolated(reg, s, &o, 30, r), TPC_OK));
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_ERROR));
  cr_assert(not(eq(ptr, strstr(r->sum.reason, "signal 11"), NULL)), "%s", r->sum.reason);
  tpc_spec_free(s);
  s = parse("planted(topk(k=2),alpha=0.1,crash=2)");
  cr_assert(eq(int, tpc_bounds_run_isolated(reg, s, &o, 0.5, r), TPC_OK));
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_ERROR));
  cr_assert(not(eq(ptr, strstr(r->sum.reason, "timed out"), NULL)), "%s", r->sum.reason);
  tpc_spec_free(s);
  /* A sound spec gives, through the child, what it gives in process. */
  s = parse("topk(k=2)");
  cr_assert(eq(int, tpc_bounds_run_isolated(reg, s, &o, 60, r), TPC_OK));
  tpc_bounds_result *direct = check("topk(k=2)", &o);
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_PASS));
  cr_assert(eq(sz, r->npoints, direct->npoints));
  cr_assert(eq(int, memcmp(r->points, direct->points, r->npoints * sizeof *r->points), 0));
  tpc_bounds_result_free(direct);
  tpc_spec_free(s);
  tpc_bounds_result_free(r);
}

/* A kernel that raises SIGINT fails its own spec; it is no interruption
** of the command (which would drop the spec and every later one). */
Test(bounds_run, isolated_sigint_is_a_fault) {
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = tpc_bounds_result_alloc(&o);
  tpc_spec *s = parse("planted(topk(k=2),alpha=0.1,crash=3)");
  cr_assert(eq(int, tpc_bounds_run_isolated(reg, s, &o, 30, r), TPC_OK));
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_ERROR));
  cr_assert(not(eq(ptr, strstr(r->sum.reason, "signal 2"), NULL)), "%s", r->sum.reason);
  cr_assert(eq(int, r->sum.interrupted, 0));
  tpc_spec_free(s);
  tpc_bounds_result_free(r);
}

/* The command's interruption flag as a signal handler sets it: in the
** parent only (the child has its own copy, never set). */
static pid_t parent_pid;
static int stop_in_parent(void) { return getpid() == parent_pid; }

/* The command's stop flag ends a hanging child at once, and the result is
** marked interrupted (not stored, the run marked so). */
Test(bounds_run, isolated_stop_interrupts) {
  tpc_bounds_opts o = small();
  parent_pid = getpid();
  o.stop = stop_in_parent;
  tpc_bounds_result *r = tpc_bounds_result_alloc(&o);
  tpc_spec *s = parse("planted(topk(k=2),alpha=0.1,crash=2)");
  cr_assert(eq(int, tpc_bounds_run_isolated(reg, s, &o, 60, r), TPC_OK));
  cr_assert(eq(int, r->sum.verdict, TPC_VERDICT_ERROR));
  cr_assert(eq(int, r->sum.interrupted, 1));
  /* The first poll sees the flag: far below the 60 s limit (1 s allows for
  ** a loaded machine). */
  cr_assert(lt(dbl, r->sum.seconds, 1.0), "%g s", r->sum.seconds);
  tpc_spec_free(s);
  tpc_bounds_result_free(r);
}

/* Validation in a child: a refusal comes back with its message, a crash in
** init as TPC_ECHILD naming the signal, and this process survives both. */
Test(bounds_run, validate_isolated) {
  tpc_bounds_opts o = small();
  tpc_spec *s = parse("planted(topk(k=2),alpha=0.1)");
  cr_assert(eq(int, tpc_bounds_validate_isolated(reg, s, &o, 30), TPC_OK), "%s",
            tpc_error_msg());
  tpc_spec_free(s);
  s = parse("topk(k=30)");
  cr_assert(eq(int, tpc_bounds_validate_isolated(reg, s, &o, 30), TPC_EINPUT));
  cr_assert(not(eq(ptr, strstr(tpc_error_msg(), "k"), NULL)), "%s", tpc_error_msg());
  tpc_spec_free(s);
  s = parse("planted(topk(k=2),alpha=0.1,crash=4)");
  cr_assert(eq(int, tpc_bounds_validate_isolated(reg, s, &o, 30), TPC_ECHILD));
  cr_assert(eq(str, (char *)tpc_error_msg(), "killed by signal 11 (Segmentation fault)"));
  tpc_spec_free(s);
}

static int count(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st;
  cr_assert(eq(int, sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK), "%s", sql);
  cr_assert(eq(int, sqlite3_step(st), SQLITE_ROW));
  int n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return n;
}

Test(bounds_run, store_rows) {
  char path[] = "/tmp/tpc_test_bounds_XXXXXX";
  int fd = mkstemp(path);
  cr_assert(ge(int, fd, 0));
  close(fd);
  unlink(path);
  tpc_store *st;
  cr_assert(eq(int, tpc_store_open(path, &st), TPC_OK), "%s", tpc_error_msg());
  tpc_run_info info = {.command = "bounds", .argv = "test", .seed = 11, .threads = 1};
  int64_t run;
  cr_assert(eq(int, tpc_store_run_begin(st, &info, &run), TPC_OK));
  tpc_bounds_opts o = small();
  tpc_bounds_result *r = check("ef21(topk(k=2))", &o);
  cr_assert(eq(int, tpc_bounds_store(st, run, 0, "ef21(topk(k=2))", &o, r), TPC_OK),
            "%s", tpc_error_msg());
  sqlite3 *db = tpc_store_db(st);
  cr_assert(eq(int, count(db, "SELECT count(*) FROM bounds_specs WHERE verdict = 'pass'"), 1));
  cr_assert(eq(int, count(db, "SELECT count(*) FROM bounds_points"), (int)r->npoints));
  cr_assert(eq(int, count(db, "SELECT count(*) FROM bounds_frontier"), BND_GRID + 1));
  cr_assert(eq(int, count(db, "SELECT count(*) FROM bounds_frontier WHERE declared = 1"), 1));
  cr_assert(ge(int, count(db, "SELECT count(*) FROM bounds_points WHERE confirm = 1"), 1));
  cr_assert(eq(int, count(db, "SELECT identity_output FROM bounds_specs"), 0));
  /* Discarding the run removes every row (exit 2 stores nothing). */
  cr_assert(eq(int, tpc_store_run_discard(st, run), TPC_OK));
  cr_assert(eq(int, count(db, "SELECT count(*) FROM bounds_points"), 0));
  cr_assert(eq(int, count(db, "SELECT count(*) FROM bounds_specs"), 0));
  tpc_bounds_result_free(r);
  tpc_store_close(st);
  unlink(path);
}

static double real_of(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st;
  cr_assert(eq(int, sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK), "%s", sql);
  cr_assert(eq(int, sqlite3_step(st), SQLITE_ROW));
  cr_assert(eq(int, sqlite3_column_type(st, 0), SQLITE_FLOAT), "%s", sql);
  double v = sqlite3_column_double(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* The identity-output flag and its infinite loose factor are stored: the
** factor as SQLite's REAL Inf, read back as +inf (not NULL, not a big number). */
Test(bounds_run, store_identity_output) {
  char path[] = "/tmp/tpc_test_bounds_XXXXXX";
  int fd = mkstemp(path);
  cr_assert(ge(int, fd, 0));
  close(fd);
  unlink(path);
  tpc_store *st;
  cr_assert(eq(int, tpc_store_open(path, &st), TPC_OK), "%s", tpc_error_msg());
  tpc_run_info info = {.command = "bounds", .argv = "test", .seed = 11, .threads = 1};
  int64_t run;
  cr_assert(eq(int, tpc_store_run_begin(st, &info, &run), TPC_OK));
  tpc_bounds_opts o = small();
  o.search_budget = 0;
  tpc_bounds_result *r = check("echo", &o);
  cr_assert(eq(int, tpc_bounds_store(st, run, 0, "echo", &o, r), TPC_OK), "%s",
            tpc_error_msg());
  sqlite3 *db = tpc_store_db(st);
  cr_assert(eq(int, count(db, "SELECT identity_output FROM bounds_specs"), 1));
  cr_assert(eq(int, count(db, "SELECT loose FROM bounds_specs"), 1));
  double f = real_of(db, "SELECT loose_factor FROM bounds_specs");
  cr_assert(eq(int, isinf(f) && f > 0, 1), "%g", f);
  cr_assert(eq(int, count(db, "SELECT loose_factor = 9e999 FROM bounds_specs"), 1));
  tpc_bounds_result_free(r);
  tpc_store_close(st);
  unlink(path);
}
