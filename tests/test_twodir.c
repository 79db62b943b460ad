/*
** Tests of 2Direction (methods/twodir.h, THEORY.md T11.1-T11.4) and of its
** exact check T11.3 (bounds/theorems/thm_twodir.c): T11.2's parameters,
** the parameters refused, bits in both directions, the wire check's
** invariants and the defects it catches, E[g | past] = grad f(y), the same
** bits for any thread count, and T11.3 on a quadratic and on logistic
** regression, with the defects it must find violated.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bounds/theorems/rate.h"
#include "core/error.h"
#include "methods/method.h"
#include "methods/twodir.h"
#include "registry/registry.h"
#include "wire/wire.h"
#include "make_objects.h"

static tpc_registry *reg;

static void setup(void) {
  reg = tpc_registry_alloc();
  cr_assert(reg != NULL);
}

static void teardown(void) { tpc_registry_free(reg); }

/* Run m with T rounds, seed 1, every point, the wire check on or off. */
static int run_opts(tpc_method *m, uint64_t T, int wire, int threads, tpc_alg1_result *r) {
  tpc_alg1_opts o;
  tpc_alg1_opts_init(&o);
  o.gamma = 0.0625; /* Lbar = 16: T11.2 observes 16 L- to converge with TopK */
  o.T = T;
  o.seed = 1;
  o.wire_check = wire;
  o.threads = threads;
  return tpc_method_run(m, &o, r);
}

/* ---- T11.2 ----------------------------------------------------------------- */

/* The defaults, and theta-bar the positive root of T11.2's quadratic. */
Test(twodir, parameters, .init = setup, .fini = teardown) {
  cr_assert(eq(dbl, tpc_twodir_default_p(0, 0.1), 1.0));
  cr_assert(eq(dbl, tpc_twodir_default_tau(0), 1.0));
  /* omega = 9, alpha = 0.05: max{1/10, 1/(10 sqrt(0.45))} = 0.149... */
  cr_assert(ieee_ulp_eq(dbl, tpc_twodir_default_p(9, 0.05), 1.0 / (10 * sqrt(0.45)), 4));
  cr_assert(ieee_ulp_eq(dbl, tpc_twodir_default_p(9, 1.0), 0.1, 4));
  cr_assert(ieee_ulp_eq(dbl, tpc_twodir_default_tau(9), pow(9, -1.0 / 3) * pow(10, -2.0 / 3), 4));
  /* p = 1 caps both at 1 for a tiny omega */
  cr_assert(eq(dbl, tpc_twodir_default_p(1e-6, 1e-6), 1.0));
  const double Gs[] = {1, 37.5, 1e8}, mus[] = {0, 1e-3};
  for (size_t a = 0; a < 3; a++)
    for (size_t b = 0; b < 2; b++) {
      tpc_twodir_scalars s = {.Gamma = Gs[a], .Lbar = 2.0, .mu = mus[b]};
      double p = 0.3, beta = 0.5, tau = 0.7, alpha = 0.9;
      tpc_twodir_scalars_next(&s, p, alpha, tau, beta);
      double c = s.Lbar + s.Gamma * s.mu, A = p * s.Lbar * s.Gamma;
      double cap = 0.25 * fmin(fmin(1, alpha / p), fmin(tau / p, beta / p));
      cr_assert(le(dbl, s.theta, cap));
      if (s.theta < cap) /* theta-bar itself: a th^2 + p c th - c = 0 */
        cr_assert(le(dbl, fabs(A * s.theta * s.theta + p * c * s.theta - c), 1e-14 * c));
      cr_assert(ieee_ulp_eq(dbl, s.gamma, p * s.theta * s.Gamma / (1 - p * s.theta), 0));
      cr_assert(ieee_ulp_eq(dbl, s.Gamma_next, s.Gamma + s.gamma, 0));
    }
}

/* What the theorems read: Q's omega, C_s's alpha, beta = 1/(omega+1), the
** defaults of p and tau, mu from the problem, the Lbar rule. */
Test(twodir, info, .init = setup, .fini = teardown) {
  tpc_problem *p = test_problem_make("quad(d=6,n=4,lambda=0.01)");
  tpc_method *m = test_method_make(reg, NULL, p, "twodirection(urandk(k=2),topk(k=3))", NULL);
  tpc_method_info mi;
  tpc_mech_consts mc;
  tpc_method_info_get(m, &mi);
  tpc_method_consts(m, &mc);
  cr_assert(eq(int, mi.twodir && mi.downlink && mi.typed, 1));
  cr_assert(eq(dbl, mi.omega, 2.0));
  cr_assert(eq(dbl, mi.alpha, 0.5));
  cr_assert(ieee_ulp_eq(dbl, mi.beta, 1.0 / 3, 0));
  cr_assert(ieee_ulp_eq(dbl, mi.p, tpc_twodir_default_p(2, 0.5), 0));
  cr_assert(ieee_ulp_eq(dbl, mi.tau, tpc_twodir_default_tau(2), 0));
  cr_assert(eq(dbl, mi.mu, p->c.musc.value));
  cr_assert(eq(int, mi.lbar, TPC_TWODIR_LBAR_STEP));
  cr_assert(eq(int, mc.deterministic || mc.has_AB, 0));
  tpc_method_free(m);
  m = test_method_make(reg, NULL, p, "twodirection(identity,identity,Lbar_mult=2,gamma0=3)", NULL);
  tpc_method_info_get(m, &mi);
  tpc_method_consts(m, &mc);
  cr_assert(eq(dbl, mi.p, 1.0));
  cr_assert(eq(dbl, mi.tau, 1.0));
  cr_assert(eq(int, mi.lbar, TPC_TWODIR_LBAR_MULT));
  cr_assert(eq(dbl, mi.Lbar, 2.0));
  cr_assert(eq(dbl, mi.Gamma0, 3.0));
  cr_assert(eq(int, mc.deterministic, 1));
  tpc_method_free(m);
  tpc_problem_free(p);
}

/* Refused with a message naming the parameter or the compressor. */
Test(twodir, bad_parameters, .init = setup, .fini = teardown) {
  tpc_problem *p = test_problem_make("quad(d=6,n=4)");
  static const struct {
    const char *spec, *says;
  } bad[] = {{"twodirection(urandk(k=2),topk(k=3),p=0)", "p=0"},
             {"twodirection(urandk(k=2),topk(k=3),tau=2)", "tau=2"},
             {"twodirection(urandk(k=2),topk(k=3),Lbar=-1)", "Lbar=-1"},
             {"twodirection(urandk(k=2),topk(k=3),Lbar=1,Lbar_mult=2)", "not both"},
             {"twodirection(urandk(k=2),topk(k=3),gamma0=0)", "gamma0=0"},
             {"twodirection(topk(k=2),topk(k=3))", "not unbiased"},
             {"twodirection(urandk(k=2),urandk(k=3))", "not contractive"},
             {"twodirection(urandk(k=2))", "2 compressor arguments"}};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    tpc_spec *s = NULL;
    int status;
    cr_assert(eq(int, tpc_spec_parse(bad[k].spec, &s), TPC_OK));
    tpc_method *m = tpc_method_alloc(p, reg, s, &status);
    cr_expect(m == NULL && status == TPC_EINPUT, "%s", bad[k].spec);
    cr_expect(strstr(tpc_error_msg(), bad[k].says) != NULL, "%s: %s", bad[k].spec,
              tpc_error_msg());
    tpc_method_free(m);
    tpc_spec_free(s);
  }
  tpc_problem_free(p);
}

/* ---- bits and the wire check (T11.4) ------------------------------------------ */

static uint64_t dense_bits(size_t m) {
  double zero[1] = {0};
  tpc_msg msg;
  tpc_msg_reset(&msg);
  tpc_msg_part *pt = tpc_msg_add(&msg, TPC_MSG_DENSE, TPC_F64, m);
  pt->absolute = 1;
  pt->val = zero;
  return tpc_wire_bits(&msg, TPC_WIRE_AUTO);
}

/* Without compression every message is dense: per round 2 n vectors up,
** and down p, three scalars and (the coin always comes up) z and k; the
** start sends h_i^0 up and k^0 down. */
Test(twodir, bits_both_directions, .init = setup, .fini = teardown) {
  tpc_problem *p = test_problem_make("quad(d=6,n=4,lambda=0.01)");
  tpc_method *m = test_method_make(reg, NULL, p, "twodirection(identity,identity)", NULL);
  tpc_alg1_result r;
  cr_assert(eq(int, run_opts(m, 5, 1, 1, &r), TPC_OK), "%s", tpc_error_msg());
  uint64_t v = dense_bits(6), s3 = dense_bits(3);
  cr_assert(eq(u64, r.first.bits_up, 4 * v));
  cr_assert(eq(u64, r.first.bits_down, v));
  cr_assert(eq(u64, r.last.bits_up, 4 * v + 5 * 2 * 4 * v));
  cr_assert(eq(u64, r.last.bits_down, v + 5 * (3 * v + s3)));
  cr_assert(eq(u64, r.last.bits_down_paper, 64 * (6 + 5 * (3 * 6 + 3))));
  tpc_alg1_result_free(&r);
  tpc_method_free(m);
  tpc_problem_free(p);
}

/* Compressed both ways, the coin random: the wire check holds the clients'
** copies bit for bit and h^t = (1/n) sum h_i^t within its rounding bound
** for a long run; compressed messages cost fewer bits than dense ones. */
Test(twodir, wire_check_holds, .init = setup, .fini = teardown) {
  tpc_problem *p = test_problem_make("quad(d=40,n=5,lambda=0.01)");
  tpc_method *m = test_method_make(reg, NULL, p, "twodirection(urandk(k=4),topk(k=4))", NULL);
  tpc_alg1_result r;
  cr_assert(eq(int, run_opts(m, 3000, 1, 1, &r), TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(int, r.stop, TPC_ALG1_STOP_T));
  uint64_t v = dense_bits(40);
  cr_assert(lt(u64, 0, r.last.bits_up));
  cr_assert(lt(u64, r.last.bits_up - r.first.bits_up, 3000 * 2 * 5 * v / 4));
  cr_assert(lt(u64, r.last.bits_down - r.first.bits_down, 3000 * 3 * v));
  cr_assert(lt(dbl, r.last.f - p->c.finf.value, 1e-3 * (r.first.f - p->c.finf.value)));
  tpc_alg1_result_free(&r);
  tpc_method_free(m);
  tpc_problem_free(p);
}

/* Planted defects: a client that skips the coin's z, or its k. */
static void skip_z(size_t client, uint64_t t, const double *znew, const double *knew,
                   double *z, double *k, size_t d) {
  (void)t;
  if (client != 1) memcpy(z, znew, d * sizeof(double));
  memcpy(k, knew, d * sizeof(double));
}

static void skip_k(size_t client, uint64_t t, const double *znew, const double *knew,
                   double *z, double *k, size_t d) {
  memcpy(z, znew, d * sizeof(double));
  if (client != 2 || t < 3) memcpy(k, knew, d * sizeof(double));
}

static const tpc_twodir_ops ops_skip_z = {.anchor = skip_z}, ops_skip_k = {.anchor = skip_k};
static const tpc_twodir_ops *planted_ops;

static int plan_planted(const tpc_spec *s, double omega, tpc_method_plan *pl) {
  int rc = tpc_method_type_find("twodirection")->plan(s, omega, pl);
  pl->td.ops = planted_ops;
  return rc;
}

static tpc_method_type planted_type(void) {
  tpc_method_type t = *tpc_method_type_find("twodirection");
  t.plan = plan_planted;
  return t;
}

Test(twodir, wire_check_catches_a_skipped_anchor, .init = setup, .fini = teardown) {
  tpc_problem *p = test_problem_make("quad(d=8,n=4,lambda=0.01)");
  tpc_method_type t = planted_type();
  static const struct {
    const tpc_twodir_ops *ops;
    const char *says;
  } cases[] = {{&ops_skip_z, "client 1, round 1: its copy of z"},
               {&ops_skip_k, "client 2, round 4: its copy of k"}};
  for (size_t k = 0; k < 2; k++) {
    planted_ops = cases[k].ops;
    tpc_method *m = test_method_make(reg, &t, p, "twodirection(urandk(k=2),topk(k=2),p=1)", NULL);
    tpc_alg1_result r;
    cr_assert(eq(int, run_opts(m, 50, 1, 1, &r), TPC_EINTERNAL));
    cr_assert(strstr(tpc_error_msg(), cases[k].says) != NULL, "%s", tpc_error_msg());
    cr_assert(eq(int, run_opts(m, 50, 0, 1, &r), TPC_OK)); /* unchecked, it goes on */
    tpc_alg1_result_free(&r);
    tpc_method_free(m);
  }
  tpc_problem_free(p);
}

/* ---- E[g | past] = grad f(y) (T11.4) --------------------------------------------- */

/* Round 0's g is grad f(y^0) exactly (h_i^0 = grad f_i(y^0): a_i = Q(0)),
** so round 1 is the first whose g is random, and its past (round 0's b_i,
** the coin) is random too: E[g^1 - grad f(y^1) | past] = 0 implies the
** same mean over R independent runs.  Each coordinate's mean must lie
** within 4.5 standard errors (two-sided 7e-6 each, 4e-5 over d = 6 by
** Bonferroni; the seeds are fixed, so the test is deterministic).  The
** same statistic against the gradient at the wrong point, the round's x
** instead of y, must be rejected (47 standard errors); so is a server
** that scales the messages' mean by 1.1 (5.2; 1.05 gives 3.2, within). */
Test(twodir, unbiased_estimate, .init = setup, .fini = teardown) {
  enum { R = 4000, D = 6 };
  tpc_problem *p = test_problem_make("quad(d=6,n=3,lambda=0.1,s=0.5)");
  tpc_method *m = test_method_make(reg, NULL, p, "twodirection(urandk(k=1),identity)", NULL);
  tpc_twodir *tw = tpc_method_twodir(m);
  double s[2][D] = {{0}}, s2[2][D] = {{0}}, gf[D], gx[D], tmp[D];
  void *work = calloc(1, tpc_problem_work_size(p) + 64);
  tpc_alg1_opts o;
  tpc_alg1_opts_init(&o);
  o.gamma = 0.5;
  o.T = 2;
  o.seed = 11;
  for (uint64_t rep = 0; rep < R; rep++) {
    tpc_alg1_result r;
    o.rep = rep;
    cr_assert(eq(int, tpc_method_run(m, &o, &r), TPC_OK));
    tpc_alg1_result_free(&r);
    tpc_problem_full_grad(p, tpc_twodir_y(tw), gf, tmp, work);
    tpc_problem_full_grad(p, tpc_twodir_x(tw), gx, tmp, work);
    const double *g = tpc_twodir_g(tw);
    for (size_t j = 0; j < D; j++) {
      double e[2] = {g[j] - gf[j], g[j] - gx[j]};
      for (int k = 0; k < 2; k++) {
        s[k][j] += e[k];
        s2[k][j] += e[k] * e[k];
      }
    }
  }
  double worst[2] = {0, 0};
  for (int k = 0; k < 2; k++)
    for (size_t j = 0; j < D; j++) {
      double mean = s[k][j] / R, var = (s2[k][j] - R * mean * mean) / (R - 1);
      worst[k] = fmax(worst[k], fabs(mean) / sqrt(var / R));
    }
  cr_expect(le(dbl, worst[0], 4.5), "E[g - grad f(y)]: %g standard errors", worst[0]);
  cr_expect(lt(dbl, 4.5, worst[1]), "the planted bias went unseen: %g", worst[1]);
  free(work);
  tpc_method_free(m);
  tpc_problem_free(p);
}

/* ---- reproducibility ---------------------------------------------------------------- */

static void points_equal(const tpc_alg1_result *a, const tpc_alg1_result *b, int equal) {
  int same = a->npoints == b->npoints &&
             memcmp(a->points, b->points, a->npoints * sizeof *a->points) == 0;
  cr_assert(eq(int, same, equal));
}

/* The same bits on 1, 2 and 3 threads and for the same seed; another seed
** differs.  w8a with n = 220 makes both kinds of loop parallel (twodir.c's
** thresholds). */
Test(twodir, threads_and_seeds, .init = setup, .fini = teardown) {
  tpc_problem *p = test_problem_make("logreg(file=w8a,n=220,reg=l2,lambda=1e-3)");
  cr_assert(ge(u64, p->n * p->d, 65536));
  tpc_method *m = test_method_make(reg, NULL, p, "twodirection(urandk(k=30),topk(k=30))", NULL);
  tpc_alg1_result r1, r2, r3, rs;
  cr_assert(eq(int, run_opts(m, 20, 1, 1, &r1), TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(int, run_opts(m, 20, 0, 2, &r2), TPC_OK));
  cr_assert(eq(int, run_opts(m, 20, 1, 3, &r3), TPC_OK), "%s", tpc_error_msg());
  points_equal(&r1, &r2, 1);
  points_equal(&r1, &r3, 1);
  tpc_alg1_result_free(&r2);
  cr_assert(eq(int, run_opts(m, 20, 0, 1, &r2), TPC_OK));
  points_equal(&r1, &r2, 1);
  tpc_alg1_opts o;
  tpc_alg1_opts_init(&o);
  o.gamma = 0.5;
  o.T = 20;
  o.seed = 2;
  cr_assert(eq(int, tpc_method_run(m, &o, &rs), TPC_OK));
  points_equal(&r1, &rs, 0);
  tpc_alg1_result *all[] = {&r1, &r2, &r3, &rs};
  for (size_t k = 0; k < 4; k++) tpc_alg1_result_free(all[k]);
  tpc_method_free(m);
  tpc_problem_free(p);
}

/* ---- T11.3 ------------------------------------------------------------------------ */

/* The check of T11.3 at its step (gamma = 1/L-, Lbar = L-), T rounds, as
** `tpc rate` runs it, with the method's info passed through `edit`. */
static tpc_rate_verdict t113(const tpc_method_type *t, tpc_problem *p, const char *text,
                             uint64_t T, void (*edit)(tpc_method_info *), tpc_rate_check *c) {
  tpc_rate_opts o;
  tpc_rate_opts_init(&o);
  o.theorem = tpc_theorem_find("T11.3");
  o.T = T;
  o.slack = 0;
  o.max_points = 0;
  o.threads = 1;
  tpc_method *m = test_method_make(reg, t, p, text, NULL);
  tpc_mech_consts mc;
  tpc_method_info mi;
  tpc_method_consts(m, &mc);
  tpc_method_info_get(m, &mi);
  if (edit) edit(&mi);
  cr_assert(eq(int, tpc_rate_prepare(p, &mc, &mi, &o, c), TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(int, tpc_rate_run(m, &o, c), TPC_OK), "%s", tpc_error_msg());
  tpc_method_free(m);
  return c->verdict;
}

/* kappa = 10^4 (L- ~ 1 with s = 0, mu = lambda), T = 10^4: every step. */
Test(twodir, t113_quadratic, .init = setup, .fini = teardown) {
  tpc_problem *p = test_problem_make("quad(d=20,n=4,lambda=1e-4)");
  cr_assert(ge(dbl, p->c.Lminus.value / p->c.musc.value, 0.9e4));
  tpc_rate_check c;
  cr_assert(eq(int, t113(NULL, p, "twodirection(identity,identity)", 10000, NULL, &c),
               TPC_RATE_PASS), "%s", c.note);
  cr_assert(le(dbl, c.ratio, 1.0));
  tpc_rate_check_free(&c);
  tpc_problem_free(p);
}

/* L2-regularized logistic regression (mu = lambda, x* computed): T = 1500
** here (about 1 s); `tpc rate` with T = 10^4 passes as well. */
Test(twodir, t113_logreg, .init = setup, .fini = teardown) {
  tpc_problem *p = test_problem_make("logreg(file=phishing,n=10,reg=l2,lambda=1e-3)");
  tpc_rate_check c;
  cr_assert(eq(int, t113(NULL, p, "twodirection(identity,identity)", 1500, NULL, &c),
               TPC_RATE_PASS), "%s", c.note);
  tpc_rate_check_free(&c);
  tpc_problem_free(p);
}

/* Planted: the run uses Lbar = L-/4 while the check believes Lbar = 1/gamma
** = L-; and an S without its mu gamma y term.  Both are found violated. */
static void claim_step_rule(tpc_method_info *mi) {
  mi->lbar = TPC_TWODIR_LBAR_STEP;
  mi->Lbar = NAN;
}

static void wrong_step(const tpc_twodir_scalars *s, const double *dir, const double *a,
                       const double *y, double *out, size_t d) {
  (void)y;
  double ca = s->Lbar + s->Gamma * s->mu, den = s->Lbar + s->Gamma_next * s->mu;
  for (size_t j = 0; j < d; j++) out[j] = (ca * a[j] - s->gamma * dir[j]) / den;
}

static const tpc_twodir_ops ops_wrong_step = {.step = wrong_step};

Test(twodir, t113_catches_planted_defects, .init = setup, .fini = teardown) {
  tpc_problem *p = test_problem_make("quad(d=20,n=4,lambda=1e-2)");
  tpc_rate_check c;
  cr_assert(eq(int,
               t113(NULL, p, "twodirection(identity,identity,Lbar_mult=0.25)", 2000,
                    claim_step_rule, &c),
               TPC_RATE_VIOLATED), "%s", c.note);
  tpc_rate_check_free(&c);
  tpc_method_type t = planted_type();
  planted_ops = &ops_wrong_step;
  cr_assert(eq(int, t113(&t, p, "twodirection(identity,identity)", 2000, NULL, &c),
               TPC_RATE_VIOLATED), "%s", c.note);
  tpc_rate_check_free(&c);
  tpc_problem_free(p);
}

/* T11.3 covers identity compressors and Lbar >= L- only. */
Test(twodir, t113_applies, .init = setup, .fini = teardown) {
  tpc_problem *p = test_problem_make("quad(d=20,n=4,lambda=1e-2)");
  const tpc_theorem *t = tpc_theorem_find("T11.3");
  static const struct {
    const char *spec;
    int applies;
  } cases[] = {{"twodirection(identity,identity)", 1},
               {"twodirection(identity,identity,Lbar_mult=1)", 1},
               {"twodirection(identity,identity,Lbar_mult=0.5)", 0},
               {"twodirection(identity,identity,Lbar=0.5)", 0},
               {"twodirection(identity,identity,Lbar=2)", 1},
               {"twodirection(urandk(k=2),identity)", 0},
               {"twodirection(identity,topk(k=2))", 0},
               {"ef21p(identity)", 0}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    tpc_method *m = test_method_make(reg, NULL, p, cases[k].spec, NULL);
    tpc_mech_consts mc;
    tpc_method_info mi;
    tpc_theorem_env env;
    tpc_method_consts(m, &mc);
    tpc_method_info_get(m, &mi);
    tpc_theorem_env_fill(&env, p, &mc, &mi);
    cr_expect(eq(int, tpc_theorem_why_not(t, &env, NULL) == NULL, cases[k].applies), "%s",
              cases[k].spec);
    tpc_method_free(m);
  }
  tpc_problem_free(p);
}
