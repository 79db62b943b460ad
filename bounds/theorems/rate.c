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

int tpc_rate_start_value(const tpc_problem *p, tpc_alg1_x0 x0, uint64_t seed, double *f0) {
  size_t d = p->d, ws = tpc_problem_work_size(p);
  double *x = malloc(3 * d * sizeof *x);
  void *work = malloc(ws ? ws : 1);
  int rc = x && work ? tpc_alg1_x0_fill(p, x0, seed, x) : TPC_ENOMEM;
  if (!rc) *f0 = tpc_problem_full_grad(p, x, x + d, x + 2 * d, work);
  free(x);
  free(work);
  return rc ? tpc_error(rc, "rate: out of memory") : TPC_OK;
}

int tpc_rate_prepare(const tpc_problem *p, const tpc_mech_consts *mc,
                     const tpc_method_info *mi, const tpc_rate_opts *o, tpc_rate_check *c) {
  const tpc_theorem *step_thm = o->theorem ? o->theorem : tpc_theorems[0];
  tpc_theorem_env env;
  memset(c, 0, sizeof *c);
  c->thm = o->theorem;
  c->mc = *mc;
  c->mi = mi ? *mi
              : (tpc_method_info){.omega = NAN, .alpha = NAN, .beta = NAN, .p = NAN, .As = NAN,
                                  .Bs = NAN, .tau = NAN, .Gamma0 = NAN, .mu = NAN,
                                  .Lbar = NAN};
  c->slack = -1;
  c->gamma_theory = c->mult = NAN;
  c->delta0 = c->G0 = c->bound = c->measured = c->ucb = c->ratio = NAN;
  if (!(o->mult > 0 && isfinite(o->mult)))
    return tpc_error(TPC_EINPUT, "--mult %g is not positive", o->mult);
  tpc_theorem_env_fill(&env, p, mc, &c->mi);
  env.T = (double)o->T;
  int rc = tpc_rate_start_value(p, o->x0, o->seed, &env.f0);
  if (rc) return rc;
  const char *miss = missing(&env, o);
  if (miss && !(o->gamma > 0))
    return tpc_error(TPC_EINPUT,
                     "the %s check needs %s; give an explicit step with --gamma to "
                     "run without a check",
                     step_thm->check_name, miss);
  if (miss && o->theorem)
    snprintf(c->note, sizeof c->note, "no check: needs %s", miss);
  else if (!miss)
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

/* The runner's options for a run at step gamma (a slack run: no theorem's
** needs). */
static void alg1_opts(const tpc_rate_opts *o, double gamma, const tpc_theorem *thm,
                      tpc_alg1_opts *a) {
  tpc_theorem_needs needs = {0, 0, 0};
  if (thm) needs = tpc_theorem_needs_of(thm);
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
  a->f_stop = o->f_stop;
  a->f_target = o->f_target;
  a->record_every = o->max_points && o->T > o->max_points && !needs.every_point
                        ? (o->T + o->max_points - 1) / o->max_points
                        : 1;
  a->observe = needs.observe || o->observe;
  a->average = needs.average;
  a->cancel = o->cancel;
  a->cancel_ctx = o->cancel_ctx;
  a->net = o->net;
}

static int converged(const tpc_alg1_result *r) {
  int target = r->stop == TPC_ALG1_STOP_EPS || r->stop == TPC_ALG1_STOP_F;
  return (r->stop == TPC_ALG1_STOP_T || r->stop == TPC_ALG1_STOP_BITS || target) &&
         isfinite(r->last.gnorm2) && isfinite(r->last.f) &&
         (r->last.gnorm2 < r->first.gnorm2 || target);
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
static int slack_scan(tpc_method *meth, const tpc_rate_opts *o, tpc_rate_check *c,
                      size_t *done, size_t total) {
  tpc_alg1_opts ao;
  int fails = 0;
  c->slack = 0;
  for (int k = 0; k <= TPC_RATE_SLACK_MAX_LOG2 && fails < 2 && !cancelled(o); k++) {
    double m = ldexp(1.0, k);
    alg1_opts(o, m * c->gamma_theory, NULL, &ao);
    ao.diverge = RATE_SLACK_DIVERGE;
    int rc = tpc_method_run(meth, &ao, &c->slack_runs[k]);
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
static const char *not_applicable(const tpc_rate_check *c, const tpc_rate_opts *o,
                                  int downlink, char *buf, size_t size) {
  if (!c->thm) return c->note[0] ? NULL : "no check requested"; /* keep the caller's why */
  if (!isfinite(c->gamma_theory)) return NULL; /* note set by prepare */
  if (c->gamma > c->gamma_theory * (1 + 1e-12))
    return "the step is above the theorem's (multiplier > 1)";
  if (c->thm->step_fixed && c->gamma < c->gamma_theory * (1 - 1e-12))
    return "the theorem's bound holds at its own step only (multiplier < 1)";
  if (c->thm->uplink_only && downlink) {
    snprintf(buf, size, "EF21-P downlink: %s covers Algorithm 1 without it", c->thm->family);
    return buf;
  }
  if (c->thm->exact_init && o->init != TPC_ALG1_INIT_EXACT) {
    snprintf(buf, size, "--init %s: %s assumes the exact initialization",
             tpc_rate_init_name(o->init), c->thm->id);
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

/* The statistics of one check: per repetition r, Z_r (whose mean must stay
** below `main` for a violation) and U_r (for a pass), and the measured
** means they come from. */
typedef struct rate_stats {
  size_t R;
  double *Z, *U;
  double main;        /* the part of the bound common to the repetitions */
  double measured;    /* mean of M_r */
  double start;       /* mean of start_r */
  double floor;       /* the measured quantity's rounding floor (catalogue.h) */
} rate_stats;


static void stats_of_run(const tpc_rate_check *c, const tpc_theorem_env *env, size_t r,
                         rate_stats *st) {
  const tpc_alg1_result *x = &c->runs[r];
  tpc_theorem_run run = {env, c->gamma, x};
  double T = (double)x->iters, start = c->thm->bound_start(&run, T);
  double M = c->thm->measured(&run);
  double U = c->thm->measured_upper ? c->thm->measured_upper(&run) : M;
  st->Z[r] = M - start;
  st->U[r] = U - start;
  st->measured += M / (double)st->R;
  st->start += start / (double)st->R;
  if (r == 0) st->main = c->thm->bound_main(&run, T);
}

/* The rounding under the measured quantity of run r at point pt: the floor
** the theorem states for distances to x* (catalogue.h), and where the
** quantity holds f(x) - f^inf or f(x) - f*, the rounding of f near its
** minimum. */
static double floor_at(const tpc_rate_check *c, const tpc_theorem_env *env, size_t r,
                       const tpc_alg1_point *pt) {
  tpc_theorem_run run = {env, c->gamma, &c->runs[r]};
  double floor = c->thm->rounding_at ? c->thm->rounding_at(&run, pt)
                 : c->thm->rounding  ? c->thm->rounding(&run)
                                     : 0;
  if (!c->thm->f_rounding) return floor;
  double fref = env->opt ? fabs(env->opt->fstar) : 0;
  if (env->finf.kind != TPC_CONST_UNKNOWN) fref = fmax(fref, fabs(env->finf.value));
  double f = isfinite(pt->f_x) ? fmax(fabs(pt->f), fabs(pt->f_x)) : fabs(pt->f);
  return floor + RATE_F_TOL * (f + fref);
}

/* Rounding allowed to a deterministic comparison with bound b: the sums'
** relative error and the floor at pt. */
static double tolerance(const tpc_rate_check *c, const tpc_theorem_env *env,
                        const tpc_alg1_point *pt, double b) {
  return RATE_REL_TOL * fabs(b) + floor_at(c, env, 0, pt);
}

static void decide_deterministic(tpc_rate_check *c, const tpc_theorem_env *env,
                                 const rate_stats *st) {
  double tol = tolerance(c, env, &c->runs[0].last, c->bound);
  c->ucb = c->measured;
  c->verdict = st->Z[0] <= st->main + tol ? TPC_RATE_PASS : TPC_RATE_VIOLATED;
  snprintf(c->note, sizeof c->note, "deterministic: exact comparison, tolerance %.3g", tol);
}

/* Mean and the one-sided Student-t half width at level 1 - delta of x[R]. */
static void t_interval(const double *x, size_t R, double delta, double *mean, double *half) {
  double m = 0, var = 0;
  for (size_t r = 0; r < R; r++) m += x[r];
  m /= (double)R;
  for (size_t r = 0; r < R; r++) var += (x[r] - m) * (x[r] - m);
  var /= (double)(R - 1);
  *mean = m;
  *half = gsl_cdf_tdist_Pinv(1 - delta, (double)(R - 1)) * sqrt(var / (double)R);
}

static void decide_random(tpc_rate_check *c, const rate_stats *st, double delta) {
  size_t R = c->reps;
  double zmean, zhalf, umean, uhalf;
  if (R < 2) {
    c->verdict = TPC_RATE_INCONCLUSIVE;
    snprintf(c->note, sizeof c->note, "randomized method: needs --reps >= 2");
    return;
  }
  t_interval(st->Z, R, delta, &zmean, &zhalf);
  t_interval(st->U, R, delta, &umean, &uhalf);
  c->ucb = umean + uhalf + st->start;
  if (umean + uhalf <= st->main + st->floor)
    c->verdict = TPC_RATE_PASS;
  else if (zmean - zhalf > st->main + st->floor)
    c->verdict = TPC_RATE_VIOLATED;
  else
    c->verdict = TPC_RATE_INCONCLUSIVE;
  snprintf(c->note, sizeof c->note, "one-sided Student t, %zu repetitions, level %.4g", R,
           1 - delta);
}

/* A theorem bounding a quantity at T: its statistics, then the verdict. */
static int decide_at_T(tpc_rate_check *c, const tpc_theorem_env *env, const tpc_rate_opts *o) {
  rate_stats st = {c->mc.deterministic ? 1 : c->reps, NULL, NULL, 0, 0, 0, 0};
  st.Z = malloc(2 * st.R * sizeof *st.Z);
  if (!st.Z) return tpc_error(TPC_ENOMEM, "rate: out of memory");
  st.U = st.Z + st.R;
  st.floor = floor_at(c, env, 0, &c->runs[0].last);
  for (size_t r = 0; r < st.R; r++) stats_of_run(c, env, r, &st);
  c->measured = st.measured;
  c->bound = st.main + st.start;
  c->ratio = c->measured / c->bound;
  if (st.R == 1 && c->mc.deterministic)
    decide_deterministic(c, env, &st);
  else
    decide_random(c, &st, o->delta);
  free(st.Z);
  if (st.floor > 1e-3 * c->bound) { /* the run reached x* to rounding */
    c->ratio = c->measured / (c->bound + st.floor);
    size_t len = strlen(c->note);
    snprintf(c->note + len, sizeof c->note - len,
             "; compared with the bound plus x*'s rounding floor %.3g", st.floor);
  }
  return TPC_OK;
}

/* One step t of a one-step theorem in run r: lhs(x^{t+1}) and rhs(x^t). */
static void step_sides(const tpc_rate_check *c, const tpc_theorem_env *env, size_t r,
                       uint64_t t, double *lhs, double *rhs) {
  tpc_theorem_run run = {env, c->gamma, &c->runs[r]};
  *lhs = c->thm->step_lhs(&run, &c->runs[r].points[t + 1]);
  *rhs = c->thm->step_rhs(&run, &c->runs[r].points[t]);
}

/* Whether every run recorded every point x^0 .. x^T (a one-step check
** needs them all). */
static int every_point(const tpc_rate_check *c, size_t R) {
  for (size_t r = 0; r < R; r++)
    if (c->runs[r].npoints != c->runs[r].iters + 1 || c->runs[r].iters != c->runs[0].iters)
      return 0;
  return 1;
}

/* Step t of run r is resolved when its right side is above the rounding
** floor: below it x^t sits at x* to rounding, and lhs/rhs is rounding over
** rounding.  The left side counts above its floor only.  *z is lhs/rhs. */
static int step_ratio(const tpc_rate_check *c, const tpc_theorem_env *env, size_t r,
                      uint64_t t, double *z) {
  double lhs, rhs, floor = floor_at(c, env, r, &c->runs[r].points[t + 1]);
  step_sides(c, env, r, t, &lhs, &rhs);
  if (!(rhs > floor)) return 0;
  *z = fmax(lhs - floor, 0) / rhs;
  return 1;
}

/* Deterministic: every resolved step exactly, with rounding; the largest
** ratio. */
static void one_step_exact(tpc_rate_check *c, const tpc_theorem_env *env, uint64_t T,
                           uint64_t *worst, uint64_t *first_bad, double *resolved) {
  double lhs, rhs, z;
  for (uint64_t t = 0; t < T; t++) {
    if (!step_ratio(c, env, 0, t, &z)) continue;
    step_sides(c, env, 0, t, &lhs, &rhs);
    *resolved += 1;
    double tol = tolerance(c, env, &c->runs[0].points[t + 1], rhs);
    if (lhs - rhs > tol && *first_bad == T) *first_bad = t;
    if (z > c->ratio) {
      *worst = t;
      c->ratio = c->measured = c->ucb = z;
    }
  }
  c->verdict = *first_bad < T ? TPC_RATE_VIOLATED : TPC_RATE_PASS;
}

/* Randomized.  Step t is violated when the lower bound of the mean ratio
** of its resolved runs (level delta/T, Bonferroni over the steps) exceeds 1.
** A bound attained in the limit (T8.5) leaves each step's mean within noise
** of 1, so no step alone can pass: the pass is on Y_r = (1/T) sum over run
** r's resolved steps of (z - 1), whose mean is at most 0 (whether a step is
** resolved is known at x^t, before its draws); the runs are independent,
** the steps of one run are not.  The table shows 1 + mean(Y) T/(resolved
** steps per run), the mean ratio, and its upper bound; the note the step
** with the largest mean. */
static int one_step_random(tpc_rate_check *c, const tpc_theorem_env *env, size_t R,
                           uint64_t T, double delta, uint64_t *worst, uint64_t *first_bad,
                           double *resolved) {
  double *z = malloc(2 * R * sizeof *z), *Y = z + R, mean, half, worst_mean = -INFINITY;
  if (!z) return tpc_error(TPC_ENOMEM, "rate: out of memory");
  for (size_t r = 0; r < R; r++) Y[r] = 0;
  for (uint64_t t = 0; t < T; t++) {
    size_t m = 0;
    for (size_t r = 0; r < R; r++)
      if (step_ratio(c, env, r, t, &z[m])) {
        Y[r] += (z[m++] - 1) / (double)T;
        *resolved += 1.0 / (double)R;
      }
    if (m < 2) continue;
    t_interval(z, m, delta / (double)T, &mean, &half);
    if (mean - half > 1 && *first_bad == T) *first_bad = t;
    if (mean > worst_mean) {
      worst_mean = mean;
      *worst = t;
    }
  }
  t_interval(Y, R, delta, &mean, &half);
  free(z);
  double per_step = *resolved > 0 ? (double)T / *resolved : 0;
  c->ratio = c->measured = 1 + mean * per_step;
  c->ucb = 1 + (mean + half) * per_step;
  c->verdict = *first_bad < T ? TPC_RATE_VIOLATED
               : mean + half <= 0 ? TPC_RATE_PASS
                                  : TPC_RATE_INCONCLUSIVE;
  return TPC_OK;
}

/* A one-step theorem: the ratio lhs(x^{t+1})/rhs(x^t) against the bound 1
** at every t < T. */
static int decide_one_step(tpc_rate_check *c, const tpc_theorem_env *env,
                           const tpc_rate_opts *o) {
  size_t R = c->mc.deterministic ? 1 : c->reps;
  uint64_t T = c->runs[0].iters, worst = 0, first_bad = T;
  if (R < 2 && !c->mc.deterministic) { /* as a quantity at T: too little evidence */
    c->verdict = TPC_RATE_INCONCLUSIVE;
    snprintf(c->note, sizeof c->note, "randomized method: needs --reps >= 2");
    return TPC_OK;
  }
  if (!every_point(c, R)) {
    c->verdict = TPC_RATE_NA;
    snprintf(c->note, sizeof c->note, "the runs did not record every step");
    return TPC_OK;
  }
  double resolved = 0;
  c->bound = 1;
  c->ratio = -INFINITY;
  if (R == 1) {
    one_step_exact(c, env, T, &worst, &first_bad, &resolved);
  } else {
    int rc = one_step_random(c, env, R, T, o->delta, &worst, &first_bad, &resolved);
    if (rc) return rc;
  }
  char bad[64] = "";
  if (first_bad < T)
    snprintf(bad, sizeof bad, "; first violated at t = %llu", (unsigned long long)first_bad);
  snprintf(c->note, sizeof c->note,
           "one step lhs/rhs <= 1 at t < %llu, %s; %.0f steps above x*'s rounding floor; "
           "largest at t = %llu%s", (unsigned long long)T,
           R == 1 ? "deterministic: every step exactly" : "randomized: each run's mean over t",
           resolved, (unsigned long long)worst, bad);
  return TPC_OK;
}

static int decide(const tpc_method *m, const tpc_rate_opts *o, tpc_rate_check *c) {
  const tpc_problem *p = tpc_method_problem(m);
  tpc_method_info mi;
  char buf[sizeof c->note];
  tpc_method_info_get(m, &mi);
  const char *na = not_applicable(c, o, mi.downlink, buf, sizeof buf);
  tpc_theorem_env env;
  tpc_theorem_env_fill(&env, p, &c->mc, &c->mi);
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
  return c->thm->measure == TPC_THEOREM_ONE_STEP ? decide_one_step(c, &env, o)
                                                 : decide_at_T(c, &env, o);
}

int tpc_rate_run(tpc_method *m, const tpc_rate_opts *o, tpc_rate_check *c) {
  tpc_alg1_opts ao;
  size_t done = 0;
  size_t total = c->reps + (o->slack ? TPC_RATE_SLACK_MAX_LOG2 + 1 : 0);
  c->runs = calloc(c->reps, sizeof *c->runs);
  if (!c->runs) return tpc_error(TPC_ENOMEM, "rate: out of memory");
  alg1_opts(o, c->gamma, c->thm, &ao);
  for (size_t r = 0; r < c->reps; r++) {
    ao.rep = r;
    int rc = tpc_method_run(m, &ao, &c->runs[r]);
    if (rc) {
      c->reps = r;
      return rc;
    }
    if (o->progress) o->progress(o->progress_ctx, ++done, total);
  }
  if (o->slack && isfinite(c->gamma_theory) && !cancelled(o)) {
    int rc = slack_scan(m, o, c, &done, total);
    if (rc) return rc;
  }
  return decide(m, o, c);
}
