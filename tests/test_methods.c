/*
** Tests of src/methods/method.h: the methods of THEORY.md T8 and T9 on the
** toy separable quadratic of rate_toy.h, whose minimiser is known in closed
** form (x*_j = bbar_j / abar_j, h_i*_j = a_ij x*_j - b_ij).
**
**  - one step of every method against the same arithmetic written out here
**    (d = 3, n = 2, identity Q, TopK on the server: deterministic), to the
**    last bit;
**  - DCGD-STAR reaches x* linearly (identity and RandK Q), plain DCGD with
**    RandK stalls in a neighbourhood;
**  - DIANA's shift is h + beta m with m the message as decoded from the
**    wire; a test-defined rule drawing a fresh Q is caught by the wire check;
**  - Rand-DIANA sends a dense vector on its coin rounds, as the bits show;
**  - EF21-P: ef21p(C_s) is Algorithm 1 with gd and --server C_s; server and
**    client copies of w agree through the wire; a test-defined server that
**    skips w updates leaves the clients at w^0;
**  - thread counts 1 and 2 give the same bits; downlink bits are the
**    encoded messages'; bad parameters are refused;
**  - bidir(M_w, M_s) (T10.1): steps by hand with an EF21 and a LAG server,
**    a gd server is Algorithm 1's broadcast, the downlink bits are the
**    server's messages, a downlink apply that drops a part is caught by the
**    wire check, 1, 2 and 3 threads give the same bits, MARINA's aggregate
**    form is refused as a server.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "methods/method.h"
#include "registry/registry.h"
#include "wire/wire.h"
#include "make_objects.h"
#include "rate_toy.h"

/* ---- the toy problem's optimum --------------------------------------------- */

typedef struct toy_opt {
  tpc_problem_optimum o;
  double *x, *h;
} toy_opt;

static void toy_opt_init(toy_opt *t, const tpc_problem *p) {
  const toy_data *td = p->priv;
  size_t d = p->d, n = p->n;
  t->x = malloc(d * sizeof(double));
  t->h = malloc(n * d * sizeof(double));
  for (size_t j = 0; j < d; j++) {
    double a = 0, b = 0;
    for (size_t i = 0; i < n; i++) {
      a += td->a[i * d + j];
      b += td->b[i * d + j];
    }
    t->x[j] = b / a;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++)
      t->h[i * d + j] = td->a[i * d + j] * t->x[j] - td->b[i * d + j];
  t->o = (tpc_problem_optimum){.kind = TPC_CONST_EXACT, .x = t->x, .h = t->h};
}

static void toy_opt_free(toy_opt *t) {
  free(t->x);
  free(t->h);
}

/* ---- helpers ------------------------------------------------------------------ */

static void run(tpc_method *m, const tpc_alg1_opts *o, tpc_alg1_result *r) {
  int rc = tpc_method_run(m, o, r);
  cr_assert(eq(int, rc, TPC_OK), "%s", tpc_error_msg());
}

static void opts(tpc_alg1_opts *o, double gamma, uint64_t T) {
  tpc_alg1_opts_init(o);
  o->gamma = gamma;
  o->T = T;
}

static int same_points(const tpc_alg1_result *a, const tpc_alg1_result *b) {
  return a->npoints == b->npoints &&
         memcmp(a->points, b->points, a->npoints * sizeof *a->points) == 0;
}

/* ---- one step by hand -------------------------------------------------------------
**
** The reference: what each client and the server compute, in the order the
** runner computes it, for identity Q (so m_i = v_i - h_i exactly) and TopK(1)
** on the server (ties to the lower index).  Every sum over clients is taken
** in client order from 0, then divided by n, as alg1.c does. */

typedef struct ref {
  int model, diana, reset, star, grad0, server;
  double beta, gamma;
} ref;

static void grad_i(const tpc_problem *p, size_t i, const double *x, double *g) {
  char work[16];
  p->type->grad(p, i, x, g, work);
}

static void topk1(const double *e, double *out, size_t d) {
  size_t best = 0;
  for (size_t j = 1; j < d; j++)
    if (fabs(e[j]) > fabs(e[best])) best = j;
  memset(out, 0, d * sizeof(double));
  out[best] = e[best];
}

/* x^T of the reference method from x^0, shifts h (n d) updated in place. */
static void ref_run(const tpc_problem *p, const ref *r, const toy_opt *opt, uint64_t T,
                    double *x, double *h) {
  size_t d = p->d, n = p->n;
  double w[8], g[8], gi[8], e[8], q[8];
  memcpy(w, x, d * sizeof(double));
  for (size_t i = 0; i < n; i++) {
    grad_i(p, i, x, gi);
    for (size_t j = 0; j < d; j++) {
      double hs = r->model ? opt->x[j] - r->gamma * opt->h[i * d + j] : opt->h[i * d + j];
      h[i * d + j] = r->star ? hs : r->grad0 ? gi[j] : 0.0;
    }
  }
  for (uint64_t t = 0; t <= T; t++) {
    const double *pt = r->server ? w : x;
    memset(g, 0, sizeof g);
    for (size_t i = 0; i < n; i++) {
      double *hi = h + i * d;
      grad_i(p, i, pt, gi);
      for (size_t j = 0; j < d; j++) {
        double v = r->model ? pt[j] - r->gamma * gi[j] : gi[j];
        double m = v - hi[j];
        g[j] += hi[j] + m;
        if (r->diana) hi[j] = hi[j] + r->beta * m;
        if (r->reset) hi[j] = gi[j];
      }
    }
    if (t == T) break; /* the last round only updates the shifts */
    for (size_t j = 0; j < d; j++) {
      g[j] /= (double)n;
      x[j] = r->model ? g[j] : x[j] - r->gamma * g[j];
    }
    if (r->server) {
      for (size_t j = 0; j < d; j++) e[j] = x[j] - w[j];
      topk1(e, q, d);
      for (size_t j = 0; j < d; j++) w[j] = w[j] + q[j];
    }
  }
}

static void check_step(const char *spec, const ref *r) {
  tpc_problem *p = toy_alloc(3, 2, 1.0, 0);
  toy_opt opt;
  toy_opt_init(&opt, p);
  tpc_method *m = test_method_make(reg, NULL, p, spec, &opt.o);
  tpc_alg1_opts o;
  tpc_alg1_result res;
  opts(&o, r->gamma, 2);
  run(m, &o, &res);
  double x[3], h[6];
  memcpy(x, p->x0, sizeof x);
  ref_run(p, r, &opt, 2, x, h);
  const double *mx = tpc_alg1_model_x(tpc_method_runner(m));
  for (size_t j = 0; j < 3; j++)
    cr_expect(fabs(mx[j] - x[j]) <= 1e-15 * fmax(1, fabs(x[j])), "%s: x_%zu = %.17g, by hand %.17g",
              spec, j, mx[j], x[j]);
  const double *h0 = tpc_alg1_client_shift(tpc_method_runner(m), 0);
  for (size_t i = 0; i < 2 && h0; i++)
    for (size_t j = 0; j < 3; j++) {
      double hi = tpc_alg1_client_shift(tpc_method_runner(m), i)[j];
      cr_expect(fabs(hi - h[i * 3 + j]) <= 1e-15 * fmax(1, fabs(h[i * 3 + j])),
                "%s: h_%zu[%zu] = %.17g, by hand %.17g", spec, i, j, hi, h[i * 3 + j]);
    }
  tpc_alg1_result_free(&res);
  tpc_method_free(m);
  toy_opt_free(&opt);
  toy_free(p);
}

Test(methods, one_step_by_hand, .init = setup, .fini = teardown) {
  double g = 0.3;
  check_step("dcgd(identity)", &(ref){.gamma = g});
  check_step("dcgd_shift(identity,shift=fixed)", &(ref){.gamma = g, .grad0 = 1});
  check_step("dcgd_shift(identity,shift=star)", &(ref){.gamma = g, .star = 1});
  check_step("dcgd_shift(identity,shift=diana,beta=0.25)",
             &(ref){.gamma = g, .grad0 = 1, .diana = 1, .beta = 0.25});
  /* p = 1: every coin comes up, h_i = grad f_i(x^k) after each round */
  check_step("dcgd_shift(identity,shift=randdiana,p=1)",
             &(ref){.gamma = g, .grad0 = 1, .reset = 1});
  check_step("gdci(identity)", &(ref){.gamma = g, .model = 1});
  check_step("gdci(identity,shift=star)", &(ref){.gamma = g, .model = 1, .star = 1});
  check_step("ef21p(topk(k=1))", &(ref){.gamma = g, .server = 1});
  check_step("ef21p_dcgd(identity,topk(k=1))", &(ref){.gamma = g, .server = 1});
  check_step("ef21p_diana(identity,topk(k=1),beta=0.5)",
             &(ref){.gamma = g, .server = 1, .grad0 = 1, .diana = 1, .beta = 0.5});
}

/* ---- convergence ----------------------------------------------------------------- */

static double final_dist2(tpc_method *m, double gamma, uint64_t T, double *first) {
  tpc_alg1_opts o;
  tpc_alg1_result r;
  opts(&o, gamma, T);
  o.observe = 1;
  o.record_every = T;
  run(m, &o, &r);
  *first = r.first.dist2;
  double last = r.last.dist2;
  tpc_alg1_result_free(&r);
  return last;
}

/* T8.2 with sigma = 0: DCGD-STAR converges linearly to x*.  The toy has
** L- <= 2.6, mu >= 1 and L_max <= 2.6; urandk(k=5) on d = 42 has omega =
** 7.4, so gamma = 0.1 <= 1/(L- + 2 omega L_max / n) and the contraction
** 1 - gamma mu <= 0.9 a step: 0.9^600 is 1e-27, far below the 1e-20 asked
** (the floor is rounding, ~1e-30 relative).  DCGD without the shift keeps
** the variance of Q(grad f_i(x*)) and stalls: the contrast shows the shift
** is what converges. */
Test(methods, dcgd_star_converges_linearly, .init = setup, .fini = teardown) {
  toy_opt opt;
  toy_opt_init(&opt, toy);
  double d0;
  tpc_method *m = test_method_make(reg, NULL, toy, "dcgd_shift(identity,shift=star)", &opt.o);
  double dT = final_dist2(m, 1.0 / toy->c.Lminus.value, 100, &d0);
  cr_expect(d0 > 1 && dT <= 1e-20 * d0, "identity: %g -> %g", d0, dT);
  tpc_method_free(m);
  m = test_method_make(reg, NULL, toy, "dcgd_shift(urandk(k=5),shift=star)", &opt.o);
  dT = final_dist2(m, 0.1, 600, &d0);
  cr_expect(dT <= 1e-20 * d0, "urandk: %g -> %g", d0, dT);
  tpc_method_free(m);
  m = test_method_make(reg, NULL, toy, "dcgd(urandk(k=5))", &opt.o);
  dT = final_dist2(m, 0.1, 600, &d0);
  cr_expect(dT > 1e-6 * d0, "dcgd without a shift should stall: %g -> %g", d0, dT);
  tpc_method_free(m);
  toy_opt_free(&opt);
}

/* Observables: H^t = 0 for the star shift, ||x - x*||^2 as computed here,
** f(xbar^1) = f(x^1), NaN where they do not apply. */
Test(methods, observables, .init = setup, .fini = teardown) {
  toy_opt opt;
  toy_opt_init(&opt, toy);
  tpc_method *m = test_method_make(reg, NULL, toy, "dcgd_shift(urandk(k=5),shift=star)", &opt.o);
  tpc_alg1_opts o;
  tpc_alg1_result r;
  opts(&o, 0.1, 5);
  o.observe = o.average = 1;
  run(m, &o, &r);
  cr_assert(eq(sz, r.npoints, 6));
  for (size_t k = 0; k < r.npoints; k++) {
    cr_expect(eq(dbl, r.points[k].H, 0.0));
    cr_expect(isnan(r.points[k].wx2));
    cr_expect(eq(dbl, r.points[k].f_x, r.points[k].f));
  }
  cr_expect(isnan(r.points[0].f_avg));
  cr_expect(eq(dbl, r.points[1].f_avg, r.points[1].f));
  double s = 0;
  const double *x = tpc_alg1_model_x(tpc_method_runner(m));
  for (size_t j = 0; j < toy->d; j++) s += (x[j] - opt.x[j]) * (x[j] - opt.x[j]);
  cr_expect(fabs(r.last.dist2 - s) <= 1e-12 * s, "%g vs %g", r.last.dist2, s);
  tpc_alg1_result_free(&r);
  o.observe = 0;
  run(m, &o, &r);
  cr_expect(isnan(r.last.dist2) && isnan(r.last.H) && isnan(r.last.f_x));
  tpc_alg1_result_free(&r);
  tpc_method_free(m);
  toy_opt_free(&opt);
}

/* ---- DIANA uses the sent message ------------------------------------------------------ */

static int spy_checked, spy_bad;

/* The production rule, with the claim checked on the side: the new shift
** is h + beta m with m decoded from the message's bytes. */
static int spy_diana(const tpc_alg1_shift_step *s, double *h, tpc_msg *hmsg) {
  double *old = malloc(s->d * sizeof(double)), *m = calloc(s->d, sizeof(double));
  memcpy(old, h, s->d * sizeof(double));
  size_t size = tpc_wire_size(s->msg, TPC_WIRE_AUTO), len;
  uint8_t *buf = malloc(size);
  tpc_wire_decoded dm;
  int rc = tpc_wire_encode(s->msg, TPC_WIRE_AUTO, buf, size, &len) ||
           tpc_wire_decode(buf, len, s->d, TPC_F64, &dm);
  if (!rc) {
    tpc_msg_apply_f64(&dm.msg, m);
    tpc_wire_decoded_free(&dm);
  }
  int sent = tpc_method_shift_diana(s, h, hmsg);
  for (size_t j = 0; j < s->d; j++) spy_bad += rc || !(h[j] == old[j] + s->beta * m[j]);
  spy_checked++;
  free(buf);
  free(old);
  free(m);
  return sent;
}

/* A defect: DIANA's shift from a fresh draw of Q instead of the message,
** while the server derives its copy from m_i (saved first: the fresh draw
** reuses Q's workspace, where m_i's values live).  One thread, d <= 64. */
static int fresh_diana(const tpc_alg1_shift_step *s, double *h, tpc_msg *hmsg) {
  static double sent[64], fresh[64];
  memset(sent, 0, sizeof sent);
  tpc_msg_apply_f64(s->msg, sent);
  tpc_msg drawn;
  tpc_msg_reset(&drawn);
  tpc_comp_compress_f64(s->Q, s->diff, fresh, &drawn, s->ctx);
  for (size_t j = 0; j < s->d; j++) h[j] += s->beta * fresh[j];
  tpc_msg_part *pt = tpc_msg_add(hmsg, TPC_MSG_DENSE, TPC_F64, s->d);
  pt->val = sent;
  pt->coef = s->beta;
  return 0;
}

static const tpc_alg1_rule spy_rule = {.shift = spy_diana};
static const tpc_alg1_rule fresh_rule = {.shift = fresh_diana};

static int plan_with(const tpc_spec *s, double omega, tpc_method_plan *pl,
                     const tpc_alg1_rule *rule) {
  int rc = tpc_method_type_find("dcgd_shift")->plan(s, omega, pl);
  pl->sh.rule = rule;
  return rc;
}
static int plan_spy(const tpc_spec *s, double omega, tpc_method_plan *pl) {
  return plan_with(s, omega, pl, &spy_rule);
}
static int plan_fresh(const tpc_spec *s, double omega, tpc_method_plan *pl) {
  return plan_with(s, omega, pl, &fresh_rule);
}

static const char *const shift_keys[] = {"shift", "beta", "p", NULL};
static const tpc_method_type spy_type = {"dcgd_shift", "spy", "spy", "T8", "Q", shift_keys,
                                         plan_spy, "-"};
static const tpc_method_type fresh_type = {"dcgd_shift", "fresh", "fresh", "T8", "Q",
                                           shift_keys, plan_fresh, "-"};

Test(methods, diana_shift_uses_the_sent_message, .init = setup, .fini = teardown) {
  const char *spec = "dcgd_shift(urandk(k=3),shift=diana,beta=0.3)";
  tpc_alg1_opts o;
  tpc_alg1_result r, rw;
  opts(&o, 0.05, 30);
  spy_checked = spy_bad = 0;
  tpc_method *m = test_method_make(reg, &spy_type, toy, spec, NULL);
  run(m, &o, &r);
  cr_expect(eq(int, spy_checked, 31 * 6));
  cr_expect(eq(int, spy_bad, 0));
  tpc_method_free(m);
  /* the production rule: the same bits, and the wire check passes */
  m = test_method_make(reg, NULL, toy, spec, NULL);
  o.wire_check = 1;
  run(m, &o, &rw);
  cr_expect(same_points(&r, &rw));
  tpc_method_free(m);
  tpc_alg1_result_free(&rw);
  tpc_alg1_result_free(&r);
  /* the defect: the server's copy of h_i, derived from m_i, differs */
  m = test_method_make(reg, &fresh_type, toy, spec, NULL);
  cr_expect(eq(int, tpc_method_run(m, &o, &rw), TPC_EINTERNAL));
  cr_expect(strstr(tpc_error_msg(), "differs") != NULL, "%s", tpc_error_msg());
  tpc_method_free(m);
}

/* ---- bits ------------------------------------------------------------------------------ */

static uint64_t dense_msg_bits(size_t d, uint64_t *paper) {
  static double zero[64];
  tpc_msg msg;
  tpc_msg_reset(&msg);
  tpc_msg_part *pt = tpc_msg_add(&msg, TPC_MSG_DENSE, TPC_F64, d);
  pt->absolute = 1;
  pt->val = zero;
  *paper = tpc_wire_paper_bits(&msg);
  return tpc_wire_bits(&msg, TPC_WIRE_AUTO);
}

/* The uplink bits of each round of `spec` after the first. */
static uint64_t *round_bits(const char *spec, uint64_t T) {
  tpc_method *m = test_method_make(reg, NULL, toy, spec, NULL);
  tpc_alg1_opts o;
  tpc_alg1_result r;
  opts(&o, 0.05, T);
  run(m, &o, &r);
  uint64_t *b = malloc(T * sizeof *b);
  for (uint64_t t = 0; t < T; t++) b[t] = r.points[t + 1].bits_up - r.points[t].bits_up;
  tpc_alg1_result_free(&r);
  tpc_method_free(m);
  return b;
}

/* Rand-DIANA: each round costs n RandK messages plus one dense vector per
** coin that came up; with p = 0.5 over 40 rounds of 6 clients both kinds of
** rounds occur (a miss has probability 2^-240). */
Test(methods, randdiana_sends_dense_on_coin_rounds, .init = setup, .fini = teardown) {
  uint64_t T = 40, paper, dense = dense_msg_bits(toy->d, &paper);
  uint64_t *plain = round_bits("dcgd_shift(urandk(k=3),shift=fixed)", T);
  uint64_t *rd = round_bits("dcgd_shift(urandk(k=3),shift=randdiana,p=0.5)", T);
  uint64_t resets = 0;
  for (uint64_t t = 0; t < T; t++) {
    cr_assert(eq(u64, plain[t], plain[0]));
    uint64_t extra = rd[t] - plain[0];
    cr_expect(eq(u64, extra % dense, 0), "round %llu: %llu extra bits", (unsigned long long)t,
              (unsigned long long)extra);
    resets += extra / dense;
  }
  cr_expect(resets > 0 && resets < 6 * T, "%llu resets", (unsigned long long)resets);
  free(plain);
  free(rd);
  rd = round_bits("dcgd_shift(urandk(k=3),shift=randdiana,p=1)", T);
  uint64_t *base = round_bits("dcgd(urandk(k=3))", T);
  for (uint64_t t = 0; t < T; t++) cr_expect(eq(u64, rd[t], base[t] + 6 * dense));
  free(rd);
  free(base);
}

/* Downlink: a dense broadcast without a server compressor, TopK(3)'s
** encoded sparse message with one; the papers' count is the values. */
Test(methods, downlink_bits_are_the_encoded_messages, .init = setup, .fini = teardown) {
  uint64_t paper, dense = dense_msg_bits(toy->d, &paper);
  static double val[3];
  static uint32_t idx[3] = {0, 1, 2};
  tpc_msg sm;
  tpc_msg_reset(&sm);
  tpc_msg_part *pt = tpc_msg_add(&sm, TPC_MSG_SPARSE, TPC_F64, toy->d);
  pt->nnz = 3;
  pt->idx = idx;
  pt->val = val;
  uint64_t sparse = tpc_wire_bits(&sm, TPC_WIRE_AUTO);
  const char *specs[] = {"dcgd(urandk(k=3))", "ef21p_dcgd(urandk(k=3),topk(k=3))"};
  for (int k = 0; k < 2; k++) {
    tpc_method *m = test_method_make(reg, NULL, toy, specs[k], NULL);
    tpc_alg1_opts o;
    tpc_alg1_result r;
    opts(&o, 0.05, 20);
    run(m, &o, &r);
    uint64_t per = k ? sparse : dense, per_paper = k ? 3 * 64 : paper;
    for (size_t t = 0; t < r.npoints; t++) {
      cr_expect(eq(u64, r.points[t].bits_down, t * per), "%s, t = %zu", specs[k], t);
      cr_expect(eq(u64, r.points[t].bits_down_paper, t * per_paper));
    }
    tpc_alg1_result_free(&r);
    tpc_method_free(m);
  }
}

/* ---- EF21-P ------------------------------------------------------------------------------ */

/* ef21p(C_s) is Algorithm 1 with gd and the EF21-P downlink: point for point. */
Test(methods, ef21p_is_alg1_gd_with_server, .init = setup, .fini = teardown) {
  tpc_spec *gd = NULL, *srv = NULL;
  int status;
  cr_assert(tpc_spec_parse("gd", &gd) == TPC_OK && tpc_spec_parse("topk(k=3)", &srv) == TPC_OK);
  tpc_alg1 *a = tpc_alg1_alloc(toy, reg, gd, srv, &status);
  tpc_method *m = test_method_make(reg, NULL, toy, "ef21p(topk(k=3))", NULL);
  tpc_alg1_opts o;
  tpc_alg1_result r1, r2;
  opts(&o, 0.1, 60);
  cr_assert(eq(int, tpc_alg1_run(a, &o, &r1), TPC_OK));
  run(m, &o, &r2);
  cr_expect(same_points(&r1, &r2));
  tpc_alg1_result_free(&r1);
  tpc_alg1_result_free(&r2);
  tpc_alg1_free(a);
  tpc_method_free(m);
  tpc_spec_free(gd);
  tpc_spec_free(srv);
}

static void skip_w(const tpc_msg *m, double *w) {
  (void)m;
  (void)w;
}

static int plan_skip(const tpc_spec *s, double omega, tpc_method_plan *pl) {
  int rc = tpc_method_type_find("ef21p_diana")->plan(s, omega, pl);
  pl->downlink = skip_w;
  return rc;
}

static const char *const beta_keys[] = {"beta", NULL};
static const tpc_method_type skip_type = {"ef21p_diana", "skip", "skip", "T9", "QC", beta_keys,
                                          plan_skip, "-"};

/* The server's and the clients' w agree through the wire (the unchecked run
** gives the same bits); a server that skips w updates leaves the clients
** evaluating at w^0 while x moves away. */
Test(methods, ef21p_w_copies_through_the_wire, .init = setup, .fini = teardown) {
  const char *spec = "ef21p_diana(urandk(k=4),topk(k=3))";
  tpc_alg1_opts o;
  tpc_alg1_result r, rw;
  opts(&o, 0.05, 50);
  o.observe = 1;
  tpc_method *m = test_method_make(reg, NULL, toy, spec, NULL);
  run(m, &o, &r);
  o.wire_check = 1;
  run(m, &o, &rw);
  cr_expect(same_points(&r, &rw));
  cr_expect(r.last.wx2 >= 0 && isfinite(r.last.wx2));
  cr_expect(r.last.f < r.first.f);
  /* at t = 0, w = x: the same values, up to the order of the sums (the
  ** clients' and tpc_problem_full_grad's: a few ulps); at the end f(x^T) and
  ** |grad f(x^T)|^2 as computed here */
  cr_expect(fabs(r.first.f_x - r.first.f) <= 1e-14 * fabs(r.first.f));
  cr_expect(fabs(r.first.gnorm2_x - r.first.gnorm2) <= 1e-14 * r.first.gnorm2);
  double g[64], gtmp[64], s2 = 0;
  char work[16];
  double fx = tpc_problem_full_grad(toy, tpc_alg1_model_x(tpc_method_runner(m)), g, gtmp, work);
  for (size_t j = 0; j < toy->d; j++) s2 += g[j] * g[j];
  cr_expect(eq(dbl, rw.last.f_x, fx));
  cr_expect(fabs(rw.last.gnorm2_x - s2) <= 1e-14 * s2, "%g vs %g", rw.last.gnorm2_x, s2);
  tpc_alg1_result_free(&rw);
  tpc_method_free(m);
  m = test_method_make(reg, &skip_type, toy, spec, NULL);
  run(m, &o, &rw);
  for (size_t t = 0; t < rw.npoints; t++) cr_expect(eq(dbl, rw.points[t].f, rw.first.f));
  cr_expect(rw.last.wx2 > 0);
  tpc_alg1_result_free(&rw);
  tpc_alg1_result_free(&r);
  tpc_method_free(m);
}

/* ---- threads ------------------------------------------------------------------------------- */

Test(methods, threads_bit_identical, .init = setup_parallel, .fini = teardown) {
  toy_opt opt;
  toy_opt_init(&opt, toy);
  const char *specs[] = {"dcgd(identity)", "dcgd_shift(identity,shift=diana)",
                         "gdci(identity,shift=star)", "ef21p_dcgd(identity,topk(k=3))",
                         "ef21p(topk(k=2))", "dcgd_shift(urandk(k=3),shift=randdiana)",
                         "ef21p_diana(urandk(k=4),topk(k=3),beta=0.1)", NULL};
  for (int k = 0; specs[k]; k++) {
    tpc_method *m = test_method_make(reg, NULL, toy, specs[k], &opt.o);
    tpc_alg1_opts o;
    tpc_alg1_result r1, r2;
    opts(&o, 0.05, 40);
    o.observe = 1;
    run(m, &o, &r1);
    o.threads = 2;
    o.wire_check = 1;
    run(m, &o, &r2);
    cr_expect(same_points(&r1, &r2), "%s", specs[k]);
    tpc_alg1_result_free(&r1);
    tpc_alg1_result_free(&r2);
    tpc_method_free(m);
  }
  toy_opt_free(&opt);
}

/* ---- input ----------------------------------------------------------------------------------- */

static void refused(const char *text, const char *words) {
  tpc_spec *s = NULL;
  int status = TPC_OK;
  cr_assert(eq(int, tpc_spec_parse(text, &s), TPC_OK), "%s", text);
  tpc_method *m = tpc_method_alloc(toy, reg, s, &status);
  cr_expect(m == NULL && status == TPC_EINPUT, "%s accepted", text);
  cr_expect(strstr(tpc_error_msg(), words) != NULL, "%s: '%s' lacks '%s'", text,
            tpc_error_msg(), words);
  tpc_method_free(m);
  tpc_spec_free(s);
}

Test(methods, bad_input, .init = setup, .fini = teardown) {
  refused("ef21p(urandk(k=5))", "urandk(k=5) is not contractive");
  refused("dcgd(topk(k=5))", "topk(k=5) is not unbiased");
  refused("dcgd_shift(urandk(k=5),shift=diana,beta=0)", "beta=0 must be a number in (0, 1]");
  refused("dcgd_shift(urandk(k=5),shift=diana,beta=2)", "beta=2 must be");
  refused("dcgd_shift(urandk(k=5),shift=xyz)", "shift=xyz is not one of");
  refused("dcgd_shift(urandk(k=5),shift=randdiana,p=0)", "p=0 must be");
  refused("dcgd_shift(urandk(k=5),shift=star)", "needs the minimiser x* of problem toy");
  refused("gdci(urandk(k=5),shift=star)", "needs the minimiser");
  refused("dcgd_shift(urandk(k=5),shift=fixed,beta=0.5)", "beta applies only to shift=diana");
  refused("dcgd(urandk(k=5),topk(k=2))", "takes 1 compressor argument");
  refused("ef21p_dcgd(urandk(k=5),gd)", "is not a compressor");
}

/* The method names share the spec namespace: none is a compressor or a
** mechanism; canonical texts put parameters in the type's order and parse
** back to themselves. */
Test(methods, names_and_canonical_texts, .init = setup, .fini = teardown) {
  for (size_t k = 0; tpc_builtin_methods[k]; k++)
    cr_expect(eq(int, tpc_registry_kind(reg, tpc_builtin_methods[k]->name), TPC_KIND_NONE),
              "%s", tpc_builtin_methods[k]->name);
  tpc_spec *s = NULL, *back = NULL;
  char buf[256];
  cr_assert(eq(int, tpc_spec_parse("dcgd_shift( urandk(ratio=0.5), p=0.25, shift=randdiana)", &s), TPC_OK));
  cr_assert(eq(int, tpc_method_canonical(reg, s, buf, sizeof buf), TPC_OK));
  cr_expect(eq(str, buf, "dcgd_shift(urandk(ratio=0.5),shift=randdiana,p=0.25)"));
  cr_assert(eq(int, tpc_spec_parse(buf, &back), TPC_OK));
  cr_expect(eq(int, tpc_method_check(reg, back), TPC_OK));
  tpc_spec_free(s);
  tpc_spec_free(back);
}

/* ---- bidirectional 3PC (T10.1) ------------------------------------------------------- */

/* x^T of bidir(ef21(topk(k=1)), S) by hand, S = ef21(topk(k=1)) or, with
** zeta > 0, lag(zeta): clients g_i + TopK1(grad f_i - g_i), the server
** g^{t+1} from g^t, gbar^t and gbar^{t+1}, x^{t+1} = x^t - gamma g^t, every
** sum over clients in client order as alg1.c takes it. */
static void bidir_ref(const tpc_problem *p, double gamma, double zeta, uint64_t T, double *x) {
  size_t d = p->d, n = p->n;
  double gi[2][8], gbar[8], gs[8], gprev[8], grad[8], e[8], q[8];
  for (uint64_t t = 0; t <= T; t++) {
    memset(gbar, 0, sizeof gbar);
    for (size_t i = 0; i < n; i++) {
      grad_i(p, i, x, grad);
      for (size_t j = 0; j < d; j++) e[j] = grad[j] - gi[i][j];
      topk1(e, q, d);
      for (size_t j = 0; j < d; j++) {
        gi[i][j] = t == 0 ? grad[j] : gi[i][j] + q[j];
        gbar[j] += gi[i][j];
      }
    }
    for (size_t j = 0; j < d; j++) gbar[j] /= (double)n;
    if (t == T) break;
    if (t == 0) memcpy(gs, gbar, sizeof gs);
    double fresh = 0, lagged = 0;
    for (size_t j = 0; j < d; j++) {
      fresh += (gbar[j] - gs[j]) * (gbar[j] - gs[j]);
      lagged += (gbar[j] - gprev[j]) * (gbar[j] - gprev[j]);
      e[j] = gbar[j] - gs[j];
    }
    topk1(e, q, d);
    for (size_t j = 0; t > 0 && j < d; j++)
      gs[j] = zeta > 0 ? (fresh > zeta * lagged ? gbar[j] : gs[j]) : gs[j] + q[j];
    memcpy(gprev, gbar, sizeof gprev);
    for (size_t j = 0; j < d; j++) x[j] -= gamma * gs[j];
  }
}

/* Two rounds and five against the arithmetic above, to the last bit: the
** server's y is gbar^t (LAG's trigger reads it), its x gbar^{t+1}. */
Test(methods, bidir_steps_by_hand, .init = setup, .fini = teardown) {
  static const struct {
    const char *spec;
    double zeta;
  } cases[] = {{"bidir(ef21(topk(k=1)),ef21(topk(k=1)))", 0},
               {"bidir(ef21(topk(k=1)),lag(zeta=2))", 2}};
  tpc_problem *p = toy_alloc(3, 2, 1.0, 0);
  for (size_t c = 0; c < 2; c++)
    for (uint64_t T = 2; T <= 5; T += 3) {
      tpc_method *m = test_method_make(reg, NULL, p, cases[c].spec, NULL);
      tpc_alg1_opts o;
      tpc_alg1_result res;
      opts(&o, 0.3, T);
      run(m, &o, &res);
      double x[3];
      memcpy(x, p->x0, sizeof x);
      bidir_ref(p, 0.3, cases[c].zeta, T, x);
      const double *mx = tpc_alg1_model_x(tpc_method_runner(m));
      for (size_t j = 0; j < 3; j++)
        cr_expect(eq(dbl, mx[j], x[j]), "%s, T = %llu: x_%zu = %.17g, by hand %.17g",
                  cases[c].spec, (unsigned long long)T, j, mx[j], x[j]);
      tpc_alg1_result_free(&res);
      tpc_method_free(m);
    }
  toy_free(p);
}

/* A server that forwards the aggregate (gd: g^{t+1} = gbar^{t+1}, sent
** densely) is Algorithm 1's uncompressed broadcast: the same points, bits
** down included. */
Test(methods, bidir_with_gd_server_is_alg1, .init = setup, .fini = teardown) {
  tpc_method *a = test_method_make(reg, NULL, toy, "ef21(topk(k=3))", NULL);
  tpc_method *b = test_method_make(reg, NULL, toy, "bidir(ef21(topk(k=3)),gd)", NULL);
  tpc_alg1_opts o;
  tpc_alg1_result ra, rb;
  opts(&o, 0.05, 30);
  run(a, &o, &ra);
  o.wire_check = 1;
  run(b, &o, &rb);
  cr_expect(same_points(&ra, &rb));
  tpc_alg1_result_free(&ra);
  tpc_alg1_result_free(&rb);
  tpc_method_free(a);
  tpc_method_free(b);
}

/* Downlink: g^0 densely, then the server's EF21-TopK(3) message, the same
** encoded sparse message (and 3 values in the papers' count) as one
** client's EF21-TopK(3) uplink. */
Test(methods, bidir_downlink_bits_are_the_servers_messages, .init = setup, .fini = teardown) {
  uint64_t paper, dense = dense_msg_bits(toy->d, &paper);
  tpc_method *m = test_method_make(reg, NULL, toy, "bidir(ef21(topk(k=3)),ef21(topk(k=3)))", NULL);
  tpc_alg1_opts o;
  tpc_alg1_result r;
  opts(&o, 0.05, 20);
  run(m, &o, &r);
  const tpc_alg1_point *pt = r.points;
  cr_expect(eq(u64, pt[0].bits_down, 0));
  cr_expect(eq(u64, pt[1].bits_down, dense));
  cr_expect(eq(u64, pt[1].bits_down_paper, paper));
  for (size_t t = 2; t < r.npoints; t++) {
    uint64_t up = (pt[t].bits_up - pt[t - 1].bits_up) / toy->n;
    cr_expect(eq(u64, pt[t].bits_down - pt[t - 1].bits_down, up), "t = %zu", t);
    cr_expect(eq(u64, pt[t].bits_down_paper - pt[t - 1].bits_down_paper, 3 * 64), "t = %zu", t);
  }
  cr_expect(lt(u64, pt[2].bits_down - pt[1].bits_down, dense / 4));
  tpc_alg1_result_free(&r);
  tpc_method_free(m);
}

/* The clients' apply of the server's message with a defect: a compressed
** message (not g^0's absolute one) loses its last part. */
static void drop_last_part(const tpc_msg *m, double *g) {
  tpc_msg copy = *m;
  if (copy.nparts && !copy.part[0].absolute) copy.nparts--;
  tpc_msg_apply_f64(&copy, g);
}

static int plan_drop(const tpc_spec *s, double omega, tpc_method_plan *pl) {
  int rc = tpc_method_type_find("bidir")->plan(s, omega, pl);
  pl->downlink = drop_last_part;
  return rc;
}

static const char *const no_keys[] = {NULL};
static const tpc_method_type drop_type = {"bidir", "drop", "drop", "T10", "MM", no_keys,
                                          plan_drop, "-"};

/* Under the wire check the clients' copy of g goes through the bytes and
** equals the server's (the unchecked run gives the same points); a downlink
** apply that drops a part is caught in round 1, the first compressed
** message, with TPC_EINTERNAL. */
Test(methods, bidir_wire_check_catches_a_dropped_part, .init = setup, .fini = teardown) {
  const char *spec = "bidir(ef21(topk(k=3)),ef21(topk(k=3)))";
  tpc_alg1_opts o;
  tpc_alg1_result r, rw;
  opts(&o, 0.05, 30);
  tpc_method *m = test_method_make(reg, NULL, toy, spec, NULL);
  run(m, &o, &r);
  o.wire_check = 1;
  run(m, &o, &rw);
  cr_expect(same_points(&r, &rw));
  tpc_alg1_result_free(&r);
  tpc_alg1_result_free(&rw);
  tpc_method_free(m);
  m = test_method_make(reg, &drop_type, toy, spec, NULL);
  cr_expect(eq(int, tpc_method_run(m, &o, &r), TPC_EINTERNAL));
  cr_expect(strstr(tpc_error_msg(), "downlink, round 1:") != NULL, "%s", tpc_error_msg());
  cr_expect(strstr(tpc_error_msg(), "clients' copy of g differs") != NULL, "%s",
            tpc_error_msg());
  tpc_method_free(m);
}

/* Bit-identical on 1, 2 and 3 threads: deterministic (EF21-TopK both
** ways) and randomized (RandK both ways, the server's stream from the
** seed). */
Test(methods, bidir_threads_bit_identical, .init = setup_parallel, .fini = teardown) {
  const char *specs[] = {"bidir(ef21(topk(k=2)),ef21(topk(k=3)))",
                         "bidir(ef21(randk(k=2)),ef21(randk(k=3)))", NULL};
  for (int k = 0; specs[k]; k++) {
    tpc_method *m = test_method_make(reg, NULL, toy, specs[k], NULL);
    tpc_alg1_opts o;
    tpc_alg1_result r1, rt;
    opts(&o, 0.05, 40);
    o.seed = 7;
    run(m, &o, &r1);
    for (int threads = 2; threads <= 3; threads++) {
      o.threads = threads;
      o.wire_check = threads == 3;
      run(m, &o, &rt);
      cr_expect(same_points(&r1, &rt), "%s, %d threads", specs[k], threads);
      tpc_alg1_result_free(&rt);
    }
    o.seed = 8; /* another seed moves a randomized run */
    run(m, &o, &rt);
    cr_expect(eq(int, same_points(&r1, &rt), k == 0), "%s: seeds 7 and 8", specs[k]);
    tpc_alg1_result_free(&rt);
    tpc_alg1_result_free(&r1);
    tpc_method_free(m);
  }
}

/* The server's constants in tpc_method_info, the clients' as the runner's,
** deterministic only when both mechanisms are; MARINA's aggregate form and
** non-mechanisms are refused. */
Test(methods, bidir_constants_and_refusals, .init = setup, .fini = teardown) {
  tpc_method *m = test_method_make(reg, NULL, toy, "bidir(ef21(topk(k=3)),lag(zeta=2))", NULL);
  tpc_method_info mi;
  tpc_mech_consts mc;
  tpc_method_info_get(m, &mi);
  tpc_alg1_consts(tpc_method_runner(m), &mc);
  cr_expect(mi.typed && mi.server_mech && strcmp(mi.name, "bidir") == 0);
  cr_expect(mi.As == 1.0 && mi.Bs == 2.0, "A_s = %g, B_s = %g", mi.As, mi.Bs);
  double A, B;
  tpc_ef21_constants_alpha(3.0 / 42, &A, &B);
  cr_expect(mc.A == A && mc.B == B && mc.deterministic, "A_w = %g, B_w = %g", mc.A, mc.B);
  tpc_method_free(m);
  m = test_method_make(reg, NULL, toy, "bidir(ef21(topk(k=3)),ef21(randk(k=3)))", NULL);
  tpc_alg1_consts(tpc_method_runner(m), &mc);
  cr_expect(mc.deterministic == 0);
  tpc_method_free(m);
  refused("bidir(ef21(topk(k=3)),marina(urandk(k=3),p=0.5))", "declares an aggregate inequality");
  refused("bidir(topk(k=3),ef21(topk(k=3)))", "argument 1 'topk' is not a mechanism");
  refused("bidir(ef21(topk(k=3)))", "takes 2 mechanism arguments");
}
