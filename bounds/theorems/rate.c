/*
** The checks of the catalogue's theorems and the theory slack
** (bounds/theorems/rate.h): whether a theorem applies, the step it implies,
** the repetitions, and the verdict from their statistics (the theorem's
** measured quantity and bound come from its descriptor, catalogue.h).
*/
#include "bounds/theorems/rate.h"

/* Repetitions of one method: each keeps its trajectory summary in memory. */
#define TPC_RATE_MAX_REPS (1 << 20)

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* Relative tolerance of a deterministic Theorem 1 comparison: the measured
** side is a sum of T rounded norms, the bound a few operations. */
#define RATE_REL_TOL 1e-9
/* Absolute rounding of f near its minimum, relative to |f| + |f^inf|. */
#define RATE_F_TOL 1e-12
/* A slack run stops once ||grad f||^2 exceeds this factor of its start. */
#define RATE_SLACK_DIVERGE 1e20

const char *tpc_rate_verdict_name(tpc_rate_verdict v) {
  static const char *const names[] = {"pass", "violated", "inconclusive", "n/a"};
  return names[v];
}

const char *tpc_rate_check_kind(const tpc_rate_check *c) {
  return c->thm ? c->thm->kind : "none";
}

const char *tpc_rate_check_theorem(const tpc_rate_check *c) {
  return c->thm ? c->thm->id : NULL;
}

const char *tpc_rate_x0_name(tpc_alg1_x0 x) {
  static const char *const names[] = {"problem", "zero", "gauss"};
  return names[x];
}

const char *tpc_rate_init_name(tpc_alg1_init i) {
  static const char *const names[] = {"exact", "zero", "compressed"};
  return names[i];
}

void tpc_rate_opts_init(tpc_rate_opts *o) {
  memset(o, 0, sizeof *o);
  o->theorem = tpc_theorems[0];
  o->T = 1000;
  o->mult = 1;
  o->delta = 0.01;
  o->max_points = 2000;
  o->slack = 1;
  o->threads = 1;
}

void tpc_rate_check_free(tpc_rate_check *c) {
  if (!c) return;
  for (size_t r = 0; c->runs && r < c->reps; r++) tpc_alg1_result_free(&c->runs[r]);
  free(c->runs);
  c->runs = NULL;
  for (size_t k = 0; k < c->nslack; k++) tpc_alg1_result_free(&c->slack_runs[k]);
  c->nslack = 0;
}

/* ---- prepare -------------------------------------------------------------- */

/* Why the check (or, without one, the step of the catalogue's first
** theorem) cannot be had, or NULL. */
static const char *missing(const tpc_theorem_env *e, const tpc_rate_opts *o) {
  return o->theorem ? tpc_theorem_why_not(o->theorem, e, NULL)
                    : tpc_theorem_step_why_not(tpc_theorems[0], e);
}

int tpc_rate_prepare(const tpc_problem *p, const tpc_mech_consts *mc,
                     const tpc_rate_opts *o, tpc_rate_check *c) {
  const tpc_theorem *step_thm = o->theorem ? o->theorem : tpc_theorems[0];
  tpc_theorem_env env;
  memset(c, 0, sizeof *c);
  c->thm = o->theorem;
  c->mc = *mc;
  c->slack = -1;
  c->gamma_theory = c->mult = NAN;
  c->delta0 = c->G0 = c->bound = c->measured = c->ucb = c->ratio = NAN;
  if (!(o->mult > 0 && isfinite(o->mult)))
    return tpc_error(TPC_EINPUT, "--mult %g is not positive", o->mult);
  tpc_theorem_env_fill(&env, p, mc);
  const char *miss = missing(&env, o);
  if (miss && !(o->gamma > 0))
    return tpc_error(TPC_EINPUT,
                     "the %s check needs %s; give an explicit step with --gamma to "
                     "run without a check",
                     step_thm->check_name, miss);
  if (miss)
    snprintf(c->note, sizeof c->note, "no check: needs %s", miss);
  else
    c->gamma_theory = step_thm->step(&env);
  c->gamma = o->gamma > 0 ? o->gamma : o->mult * c->gamma_theory;
  c->mult = c->gamma / c->gamma_theory;
  /* A deterministic method repeats identically: one run is the whole truth. */
  c->reps = mc->deterministic ? 1 : o->reps ? o->reps : 20;
  if (c->reps > TPC_RATE_MAX_REPS)
    return tpc_error(TPC_EINPUT, "--reps %zu is more than %d", c->reps, TPC_RATE_MAX_REPS);
  if (!(c->gamma > 0 && isfinite(c->gamma)))
    return tpc_error(TPC_EINPUT, "the step size %g is not positive and finite", c->gamma);
  return TPC_OK;
}

/* ---- runs ----------------------------------------------------------------- */

static void alg1_opts(const tpc_rate_opts *o, double gamma, tpc_alg1_opts *a) {
  tpc_alg1_opts_init(a);
  a->gamma = gamma;
  a->T = o->T;
  a->eps = o->eps;
  a->bits_budget = o->bits_budget;
  a->x0 = o->x0;
  a->init = o->init;
  a->seed = o->seed;
  a->threads = o->threads;
  a->wire_check = o->wire_check;
  a->diverge = o->diverge;
  a->record_every = o->max_points && o->T > o->max_points
                        ? (o->T + o->max_points - 1) / o->max_points
                        : 1;
  a->cancel = o->cancel;
  a->cancel_ctx = o->cancel_ctx;
}

static int converged(const tpc_alg1_result *r) {
  return (r->stop == TPC_ALG1_STOP_T || r->stop == TPC_ALG1_STOP_EPS ||
          r->stop == TPC_ALG1_STOP_BITS) &&
         isfinite(r->last.gnorm2) && isfinite(r->last.f) &&
         (r->last.gnorm2 < r->first.gnorm2 || r->stop == TPC_ALG1_STOP_EPS);
}

static int cancelled(const tpc_rate_opts *o) { return o->cancel && o->cancel(o->cancel_ctx); }

/* Whether slack run k converged: finite, ending below its start, and for
** k > 0 ending no worse than the run at the theorem's step (m = 1) did; a
** randomized method's single runs vary, so it gets a factor 2.  Ending below
** the start alone is too weak where gradients stay bounded (logistic
** regression oscillates below its start at any step). */
static int slack_converged(const tpc_rate_check *c, int k) {
  const tpc_alg1_result *r = &c->slack_runs[k];
  if (!converged(r)) return 0;
  if (k == 0 || r->stop == TPC_ALG1_STOP_EPS) return 1;
  double ref = c->slack_runs[0].last.gnorm2 * (c->mc.deterministic ? 1.0 : 2.0);
  return r->last.gnorm2 <= ref;
}

/* Repetition 0 at m = 1, 2, 4, ... times the theoretical step, up to two
** consecutive failures; the scan needs m = 1 to converge to go on. */
static int slack_scan(tpc_alg1 *a, const tpc_rate_opts *o, tpc_rate_check *c,
                      size_t *done, size_t total) {
  tpc_alg1_opts ao;
  int fails = 0;
  c->slack = 0;
  for (int k = 0; k <= TPC_RATE_SLACK_MAX_LOG2 && fails < 2 && !cancelled(o); k++) {
    double m = ldexp(1.0, k);
    alg1_opts(o, m * c->gamma_theory, &ao);
    ao.diverge = RATE_SLACK_DIVERGE;
    int rc = tpc_alg1_run(a, &ao, &c->slack_runs[k]);
    if (rc) return rc;
    c->nslack = (size_t)k + 1;
    if (slack_converged(c, k)) {
      c->slack = (int)m;
      fails = 0;
    } else {
      fails = k == 0 ? 2 : fails + 1;
    }
    if (o->progress) o->progress(o->progress_ctx, ++*done, total);
  }
  return TPC_OK;
}

/* ---- verdict -------------------------------------------------------------- */

/* Why the runs cannot be checked (a note and n/a), or NULL. */
static const char *not_applicable(tpc_alg1 *a, const tpc_rate_check *c, char *buf,
                                  size_t size) {
  if (!c->thm) return c->note[0] ? NULL : "no check requested"; /* keep the caller's why */
  if (!isfinite(c->gamma_theory)) return NULL; /* note set by prepare */
  if (c->gamma > c->gamma_theory * (1 + 1e-12))
    return "the step is above the theorem's (multiplier > 1)";
  if (c->thm->uplink_only && tpc_alg1_bidirectional(a)) {
    snprintf(buf, size, "EF21-P downlink: %s covers Algorithm 1 without it", c->thm->family);
    return buf;
  }
  for (size_t r = 0; r < c->reps; r++) {
    const tpc_alg1_result *x = &c->runs[r];
    if (x->stop == TPC_ALG1_STOP_CANCELLED) return "cancelled";
    if (x->stop == TPC_ALG1_STOP_DIVERGED) continue;
    if (x->iters == 0) return "stopped at x^0 (eps already met)";
    if (x->stop != TPC_ALG1_STOP_T && !c->mc.deterministic)
      return "a repetition stopped before T (eps or bit budget): the theorem is for a fixed T";
  }
  return NULL;
}

/* Per repetition: the statistic Z_r whose mean the theorem bounds by
** `main`, and the measured quantity M_r. */
static void rep_stats(const tpc_rate_check *c, const tpc_theorem_env *env, size_t r,
                      double *Z, double *M, double *main) {
  const tpc_alg1_result *x = &c->runs[r];
  tpc_theorem_run run = {env, c->gamma, x};
  double T = (double)x->iters, delta0 = x->first.f - env->finf.value;
  *M = c->thm->measured(&run);
  *Z = *M - c->thm->bound_start(env, c->gamma, T, x->first.G);
  *main = c->thm->bound_main(env, c->gamma, T, delta0);
}

/* The bound with the mean G^0 in place of E[G^0]. */
static double full_bound(const tpc_rate_check *c, const tpc_theorem_env *env, double main) {
  return main + c->thm->bound_start(env, c->gamma, (double)c->runs[0].iters, c->G0);
}

static void decide_deterministic(tpc_rate_check *c, const tpc_problem *p, double Z,
                                 double main) {
  double tol = RATE_REL_TOL * fabs(c->bound);
  if (c->thm->f_rounding)
    tol += RATE_F_TOL * (fabs(c->runs[0].last.f) + fabs(p->c.finf.value));
  c->ucb = c->measured;
  c->verdict = Z <= main + tol ? TPC_RATE_PASS : TPC_RATE_VIOLATED;
  snprintf(c->note, sizeof c->note, "deterministic: exact comparison, tolerance %.3g", tol);
}

static void decide_random(tpc_rate_check *c, const double *Z, double main, double delta) {
  size_t R = c->reps;
  double mean = 0, var = 0;
  for (size_t r = 0; r < R; r++) mean += Z[r];
  mean /= (double)R;
  if (R < 2) {
    c->verdict = TPC_RATE_INCONCLUSIVE;
    snprintf(c->note, sizeof c->note, "randomized method: needs --reps >= 2");
    return;
  }
  for (size_t r = 0; r < R; r++) var += (Z[r] - mean) * (Z[r] - mean);
  var /= (double)(R - 1);
  double half = gsl_cdf_tdist_Pinv(1 - delta, (double)(R - 1)) * sqrt(var / (double)R);
  c->ucb = c->measured + half;
  if (mean + half <= main)
    c->verdict = TPC_RATE_PASS;
  else if (mean - half > main)
    c->verdict = TPC_RATE_VIOLATED;
  else
    c->verdict = TPC_RATE_INCONCLUSIVE;
  snprintf(c->note, sizeof c->note, "one-sided Student t, %zu repetitions, level %.4g", R,
           1 - delta);
}

static int decide(tpc_alg1 *a, const tpc_rate_opts *o, tpc_rate_check *c) {
  const tpc_problem *p = tpc_alg1_problem(a);
  char buf[sizeof c->note];
  const char *na = not_applicable(a, c, buf, sizeof buf);
  tpc_theorem_env env;
  tpc_theorem_env_fill(&env, p, &c->mc);
  c->G0 = 0;
  for (size_t r = 0; r < c->reps; r++) c->G0 += c->runs[r].first.G / (double)c->reps;
  if (p->c.finf.kind != TPC_CONST_UNKNOWN) c->delta0 = c->runs[0].first.f - p->c.finf.value;
  if (na || !c->thm || !isfinite(c->gamma_theory)) {
    c->verdict = TPC_RATE_NA;
    if (na) snprintf(c->note, sizeof c->note, "%s", na);
    return TPC_OK;
  }
  for (size_t r = 0; r < c->reps; r++)
    if (c->runs[r].stop == TPC_ALG1_STOP_DIVERGED) {
      c->verdict = TPC_RATE_VIOLATED;
      c->measured = c->ratio = INFINITY;
      snprintf(c->note, sizeof c->note, "repetition %zu diverged at the theorem's step", r);
      return TPC_OK;
    }
  size_t R = c->mc.deterministic ? 1 : c->reps;
  double *Z = malloc(R * sizeof *Z), M, main = 0;
  if (!Z) return tpc_error(TPC_ENOMEM, "rate: out of memory");
  c->measured = 0;
  for (size_t r = 0; r < R; r++) {
    rep_stats(c, &env, r, &Z[r], &M, &main);
    c->measured += M / (double)R;
  }
  c->bound = full_bound(c, &env, main);
  c->ratio = c->measured / c->bound;
  if (R == 1 && c->mc.deterministic)
    decide_deterministic(c, p, Z[0], main);
  else
    decide_random(c, Z, main, o->delta);
  free(Z);
  return TPC_OK;
}

int tpc_rate_run(tpc_alg1 *a, const tpc_rate_opts *o, tpc_rate_check *c) {
  tpc_alg1_opts ao;
  size_t done = 0;
  size_t total = c->reps + (o->slack ? TPC_RATE_SLACK_MAX_LOG2 + 1 : 0);
  c->runs = calloc(c->reps, sizeof *c->runs);
  if (!c->runs) return tpc_error(TPC_ENOMEM, "rate: out of memory");
  alg1_opts(o, c->gamma, &ao);
  for (size_t r = 0; r < c->reps; r++) {
    ao.rep = r;
    int rc = tpc_alg1_run(a, &ao, &c->runs[r]);
    if (rc) {
      c->reps = r;
      return rc;
    }
    if (o->progress) o->progress(o->progress_ctx, ++done, total);
  }
  if (o->slack && isfinite(c->gamma_theory) && !cancelled(o)) {
    int rc = slack_scan(a, o, c, &done, total);
    if (rc) return rc;
  }
  return decide(a, o, c);
}
