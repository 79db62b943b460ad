/*
** The adversarial search of tpc bounds: from the worst screened points, look
** for points where the left side comes closest to (or exceeds) the declared
** right side.
**
** Each restart (one per BND_RESTART_EVALS evaluations of the budget, at most
** BND_MAX_RESTARTS) starts from a screened point, best first, and runs
**
**  1. GSL's Nelder-Mead simplex (gsl_multimin_fminimizer_nmsimplex2) on a
**     low-dimensional parametrization around the start P0, one of
**       profile    P_i = P0_i exp(sum_j t_j D_ji): magnitudes move, signs and
**                  zeros stay (TopK's and natural compression's worst cases
**                  are magnitude profiles)
**       additive   P = P0 + rms(P0) sum_j t_j D_j
**       geometry   (mechanisms) h = y + e^t0 (h0 - y) + t2 (x0 - y),
**                  x = y + e^t1 (x0 - y) + t3 (h0 - y): the relative sizes
**                  and alignment of the differences, which is where EF21's
**                  tight case lives
**     with D random Gaussian directions;
**  2. random-restart local ascent over the full vector: Gaussian steps on
**     every entry or multiplicative steps on one, kept when they improve,
**     with a step size that grows on success and shrinks on failure.
**
** The objective is the ratio of the left side to the declared right side
** (bnd_ratio).  A randomized target is evaluated with common random numbers
** (the same streams at every point of a restart), so the objective is a
** fixed function that the simplex can minimize; the winner's optimism about
** those particular draws is removed later by re-estimating with fresh
** streams.  Everything draws from (seed, SEARCH, restart), so the search is
** deterministic and independent of the thread count.
*/
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bounds/internal.h"
#include "core/error.h"
#include "rng/pcg.h"

enum { NM_DIM = 6, CRN_DRAWS = 32, CRN_MIN_DRAWS = 2 };

/* The relative standard error of the objective that ranks the search's
** moves well enough (crn_draws). */
#define CRN_PRECISION 0.01

typedef struct search {
  bnd_worker *w;
  const tpc_bounds_point *seed;
  uint32_t restart;
  int mode;
  size_t p;           /* parameters of the simplex */
  size_t dim;         /* entries of a point (x, or h, y, x) */
  double *dirs;       /* p * dim */
  double rms;
  bnd_point base, cur, best;
  double best_val;
  size_t evals, budget;
  size_t crn;         /* common random numbers per evaluation (crn_draws) */
} search;

size_t bnd_search_restarts(const tpc_bounds_opts *o) {
  if (o->search_budget == 0) return 0;
  size_t r = o->search_budget / BND_RESTART_EVALS;
  return r < 1 ? 1 : r > BND_MAX_RESTARTS ? BND_MAX_RESTARTS : r;
}

/* Entry i of the flat vector (x; or h, y, x) of a point. */
static double *entry(const search *s, bnd_point *p, size_t i) {
  size_t len = s->w->st->t.len;
  if (s->w->st->t.is_comp) return &p->x[i];
  double *blk[3] = {p->h, p->y, p->x};
  return &blk[i / len][i % len];
}

/* The ratio at s->cur, or -1 for a point out of range; keeps the best. */
static double objective(search *s) {
  const bnd_target *t = &s->w->st->t;
  double m = 0;
  s->evals++; /* rejected points count too: the budget bounds every loop */
  for (size_t i = 0; i < s->dim; i++) {
    double v = *entry(s, &s->cur, i);
    if (!isfinite(v)) return -1;
    m = tpc_bounds_fmax(m, fabs(v));
  }
  /* t->max_mag: kernels that scale (urandk by d/k) must stay finite */
  if (m == 0 || m > t->max_mag) return -1;
  bnd_point_finish(t, &s->cur);
  bnd_stat st;
  bnd_eval(s->w, &s->cur, TPC_PURPOSE_SEARCH, BND_PHASE_CRN, s->restart, s->crn, &st);
  double rhs = t->cu * st.u + t->cv * st.v + t->cw * st.w;
  double r = bnd_ratio(t, st.e.mean, rhs, st.s2);
  if (!(r <= 1e12)) r = 1e12; /* infinite or NaN: a violation; keep it finite for the simplex */
  if (r > s->best_val) {
    s->best_val = r;
    bnd_point_copy(&s->best, &s->cur, t->len);
  }
  return r;
}

/* s->cur = the parametrized point at theta. */
static void build(search *s, const gsl_vector *theta) {
  const bnd_target *t = &s->w->st->t;
  if (s->mode == 2) {
    const double *h0 = s->base.h, *y0 = s->base.y, *x0 = s->base.x;
    double t0 = exp(fmin(gsl_vector_get(theta, 0), 300.0));
    double t1 = exp(fmin(gsl_vector_get(theta, 1), 300.0));
    double t2 = gsl_vector_get(theta, 2), t3 = gsl_vector_get(theta, 3);
    for (size_t i = 0; i < t->len; i++) {
      double a = h0[i] - y0[i], b = x0[i] - y0[i];
      s->cur.y[i] = y0[i];
      s->cur.h[i] = y0[i] + t0 * a + t2 * b;
      s->cur.x[i] = y0[i] + t1 * b + t3 * a;
    }
    return;
  }
  double th[NM_DIM]; /* theta read once, not once per entry */
  for (size_t j = 0; j < s->p; j++) th[j] = gsl_vector_get(theta, j);
  for (size_t i = 0; i < s->dim; i++) {
    double z = 0;
    for (size_t j = 0; j < s->p; j++) z += th[j] * s->dirs[j * s->dim + i];
    double b = *entry(s, &s->base, i);
    *entry(s, &s->cur, i) = s->mode == 0 ? b * exp(fmin(z, 300.0)) : b + s->rms * z;
  }
}

/* The draws of a restart's objective: CRN_DRAWS (at most M), halved while
** the standard error of their mean at the start point, from its sample
** variance over those draws, stays within CRN_PRECISION of the mean, down
** to CRN_MIN_DRAWS.  At d = 100 a draw's left side varies by 5-30% and
** every restart keeps CRN_DRAWS; at d = 1e5 dithering's varies by under 1%
** on spread points and 2 draws rank the moves as 32 did: the other 30 were
** a quarter of its calls.  The search's draws bear on no bound: its points
** are screened and re-estimated like the rest (THEORY.md T-STATS). */
static size_t crn_draws(search *s) {
  const bnd_target *t = &s->w->st->t;
  size_t n = t->o->draws < CRN_DRAWS ? t->o->draws : CRN_DRAWS;
  if (t->deterministic) return n; /* one exact draw (bnd_eval) */
  bnd_stat st;
  bnd_eval(s->w, &s->base, TPC_PURPOSE_SEARCH, BND_PHASE_CRN, s->restart, n, &st);
  double var = tpc_bounds_acc_var(&st.e), tol = CRN_PRECISION * st.e.mean;
  if (!(tol > 0) || !isfinite(var)) return n;
  while (n / 2 >= CRN_MIN_DRAWS && var / (double)(n / 2) <= tol * tol) n /= 2;
  return n;
}

static double nm_f(const gsl_vector *theta, void *arg) {
  search *s = arg;
  build(s, theta);
  return -objective(s);
}

/* Phase 1: the simplex, for about half the restart's budget. */
static int nelder_mead(search *s) {
  gsl_multimin_function f = {nm_f, s->p, s};
  gsl_multimin_fminimizer *m =
      gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, s->p);
  gsl_vector *x0 = gsl_vector_calloc(s->p), *step = gsl_vector_alloc(s->p);
  int status = TPC_OK;
  if (!m || !x0 || !step) {
    status = tpc_error(TPC_ENOMEM, "bounds: out of memory for the simplex");
  } else {
    gsl_vector_set_all(step, 0.5);
    if (gsl_multimin_fminimizer_set(m, &f, x0, step) == GSL_SUCCESS) {
      size_t half = s->budget / 2;
      while (s->evals < half) {
        if (gsl_multimin_fminimizer_iterate(m) != GSL_SUCCESS) break;
        if (gsl_multimin_fminimizer_size(m) < 1e-8) break;
      }
    }
  }
  if (m) gsl_multimin_fminimizer_free(m);
  if (x0) gsl_vector_free(x0);
  if (step) gsl_vector_free(step);
  return status;
}

/* Phase 2: local ascent over every entry from the best point so far. */
static void ascent(search *s) {
  gsl_rng *r = s->w->gen;
  size_t len = s->w->st->t.len;
  double sigma = 0.3;
  while (s->evals < s->budget) {
    bnd_point_copy(&s->cur, &s->best, len);
    double rms = 0;
    for (size_t i = 0; i < s->dim; i++) rms += pow(*entry(s, &s->best, i), 2);
    rms = sqrt(rms / (double)s->dim);
    if (gsl_rng_uniform(r) < 0.5) {
      for (size_t i = 0; i < s->dim; i++)
        *entry(s, &s->cur, i) += sigma * rms * gsl_ran_gaussian(r, 1.0);
    } else {
      double *e = entry(s, &s->cur, (size_t)gsl_rng_uniform_int(r, (unsigned long)s->dim));
      *e = *e != 0 ? *e * exp(4.0 * sigma * gsl_ran_gaussian(r, 1.0))
                   : sigma * rms * gsl_ran_gaussian(r, 1.0);
    }
    double before = s->best_val;
    objective(s);
    sigma = s->best_val > before ? fmin(1.0, sigma * 1.5) : sigma * 0.85;
    if (sigma < 1e-4) sigma = 0.3;
  }
}

static int search_alloc(search *s, size_t len) {
  s->dirs = malloc(NM_DIM * s->dim * sizeof(double));
  int status = s->dirs ? TPC_OK : tpc_error(TPC_ENOMEM, "bounds: out of memory");
  if (status == TPC_OK) status = bnd_point_alloc(&s->base, len);
  if (status == TPC_OK) status = bnd_point_alloc(&s->cur, len);
  if (status == TPC_OK) status = bnd_point_alloc(&s->best, len);
  return status;
}

static void search_free(search *s) {
  free(s->dirs);
  bnd_point_free(&s->base);
  bnd_point_free(&s->cur);
  bnd_point_free(&s->best);
}

typedef struct search_job {
  bnd_state *st;
  const tpc_bounds_point *seeds;
  size_t nseeds, restarts;
} search_job;

static int restart_task(bnd_worker *w, size_t r, void *arg) {
  search_job *job = arg;
  const bnd_target *t = &job->st->t;
  search s;
  memset(&s, 0, sizeof s);
  s.w = w;
  s.restart = (uint32_t)r;
  s.seed = &job->seeds[r % job->nseeds];
  s.dim = t->is_comp ? t->d : 3 * t->len;
  s.budget = t->o->search_budget / job->restarts;
  s.mode = (int)(r % (t->is_comp ? 2 : 3));
  s.p = s.mode == 2 ? 4 : (s.dim < NM_DIM ? s.dim : NM_DIM);
  s.best_val = -INFINITY;
  int status = search_alloc(&s, t->len);
  if (status == TPC_OK) {
    bnd_generate(w, s.seed->family, s.seed->index, &s.base);
    tpc_rng_stream(w->gen, t->o->seed, TPC_PURPOSE_SEARCH,
                   bnd_index(BND_PHASE_SEARCH, r, 0, 0));
    for (size_t i = 0; i < s.p * s.dim; i++) s.dirs[i] = gsl_ran_gaussian(w->gen, 1.0);
    for (size_t i = 0; i < s.dim; i++) s.rms += pow(*entry(&s, &s.base, i), 2);
    s.rms = sqrt(s.rms / (double)s.dim);
    s.crn = crn_draws(&s);
    bnd_point_copy(&s.cur, &s.base, t->len);
    objective(&s);
    status = nelder_mead(&s);
  }
  if (status == TPC_OK) {
    ascent(&s);
    bnd_point_copy(&job->st->search[r], &s.best, t->len);
  }
  search_free(&s);
  return status;
}

int bnd_search(bnd_state *st, const tpc_bounds_point *seeds, size_t nseeds) {
  size_t restarts = bnd_search_restarts(st->t.o);
  if (restarts == 0 || nseeds == 0) return TPC_OK;
  for (size_t r = 0; r < restarts; r++) {
    int status = bnd_point_alloc(&st->search[r], st->t.len);
    if (status != TPC_OK) return status;
    st->nsearch = r + 1;
  }
  search_job job = {st, seeds, nseeds, restarts};
  return bnd_parallel(st, restarts, restart_task, &job, NULL);
}
