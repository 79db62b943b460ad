/*
** The unbiasedness test of tpc bounds: E C(x) = x for a compressor declared
** unbiased (T1), and E C_h(x) = x for a shifted unbiased compressor (T3).
**
** On UNB_POINTS points from the families (Gaussian, equal magnitudes,
** sparse, heavy-tailed, near-ties, extreme scales, worst cases), M_u fresh
** draws each give out - x; the tests are two-sided, one per coordinate and
** one per projection on UNB_PROJ random Gaussian directions, on x itself
** (x - h for a shifted one) and on sign(x).  The projection on x is the
** powerful one: for RandK on equal magnitudes <Q(x), x> is the same in every
** draw, so a bias of any size shows at once.  p-values come from the
** empirical Bernstein bound (stats.h), and Holm's step-down procedure at
** level 1 - confidence controls the family-wise error over all tests; a
** test whose mean is within the
** floating-point allowance of 0 counts as passed, and a coordinate that is 0
** in every draw and in x is not a test.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "bounds/internal.h"
#include "core/error.h"
#include "rng/pcg.h"

enum { UNB_POINTS = 8, UNB_PROJ = 8, UNB_MIN_DRAWS = 200 };

/* Tests per point: d coordinates and UNB_PROJ + 2 projections. */
typedef struct unb_job {
  size_t ntest;       /* per point */
  size_t draws;
  double *p;          /* UNB_POINTS * ntest p-values, NaN: not a test */
  double *mean, *scale;
} unb_job;

static const int unb_family[UNB_POINTS] = {
    TPC_FAM_GAUSSIAN, TPC_FAM_EQUAL, TPC_FAM_SPARSE, TPC_FAM_HEAVY,
    TPC_FAM_TIES,     TPC_FAM_SCALES, TPC_FAM_WORST, TPC_FAM_EQUAL};

/* The family of test point u: a mechanism without compressor parts has no
** worst vectors, and takes a Gaussian point instead. */
static int point_family(const bnd_state *st, size_t u) {
  int family = unb_family[u];
  if (family == TPC_FAM_WORST && !st->t.is_comp && st->nparts == 0) return TPC_FAM_GAUSSIAN;
  return family;
}

/* Directions: UNB_PROJ Gaussian, then x - h, then sign(x - h). */
static void directions(bnd_worker *w, const bnd_point *p, size_t u, double *dirs) {
  const bnd_target *t = &w->st->t;
  size_t d = t->d;
  tpc_rng_stream(w->gen, t->o->seed, TPC_PURPOSE_TRIAL,
                 bnd_index(BND_PHASE_UNBIASED, u, BND_MAX_DRAW, 0));
  for (size_t k = 0; k < UNB_PROJ * d; k++) dirs[k] = gsl_ran_gaussian(w->gen, 1.0);
  double f = ldexp(1.0, -p->scale);
  for (size_t i = 0; i < d; i++) {
    double z = (p->x[i] - p->h[i]) * f;
    dirs[UNB_PROJ * d + i] = z;
    dirs[(UNB_PROJ + 1) * d + i] = (z > 0) - (z < 0);
  }
}

/* Sums of one point's draws.  Coordinate tests run in units of |x_i - h_i|,
** the compressed coordinate (h = 0 for a compressor; 2^scale when it is 0),
** so that a coordinate 1e-200 times smaller than the largest keeps its
** precision; projections in units of 2^scale. */
typedef struct unb_sums {
  tpc_bounds_acc *acc;  /* per test, in test units */
  double *unit;         /* coordinates: the unit in 2^scale units */
  double *mag;          /* sum of |out| + |x| per test, in test units */
  double *first;        /* the first draw's value, in 2^scale units */
  double *dirs;         /* projection directions, nproj * d */
  double range;         /* largest |out_i| + |x_i| seen, in 2^scale units */
} unb_sums;

static void sums_free(unb_sums *u) {
  free(u->acc);
  free(u->unit);
  free(u->mag);
  free(u->first);
  free(u->dirs);
}

static int sums_alloc(unb_sums *u, size_t nt, size_t nproj, size_t d) {
  memset(u, 0, sizeof *u);
  u->acc = malloc(nt * sizeof *u->acc);
  u->unit = malloc(d * sizeof *u->unit);
  u->mag = calloc(nt, sizeof *u->mag);
  u->first = calloc(nt, sizeof *u->first);
  u->dirs = malloc(nproj * d * sizeof *u->dirs);
  if (u->acc && u->unit && u->mag && u->first && u->dirs) return TPC_OK;
  sums_free(u);
  return tpc_error(TPC_ENOMEM, "bounds: out of memory for the unbiasedness test");
}

/* Accumulate one draw (w->out) of point p. */
static void add_draw(bnd_worker *w, const bnd_point *p, unb_sums *u, size_t nproj, int first) {
  size_t d = w->st->t.d;
  double f = ldexp(1.0, -p->scale);
  for (size_t i = 0; i < d; i++) {
    double o = w->out[i] * f, x = p->x[i] * f, z = o - x;
    w->tmp[i] = z;
    u->range = fmax(u->range, fabs(o) + fabs(x));
    if (first) u->first[i] = z;
    tpc_bounds_acc_add(&u->acc[i], (w->out[i] - p->x[i]) / u->unit[i]);
    u->mag[i] += (fabs(w->out[i]) + fabs(p->x[i])) / u->unit[i];
  }
  for (size_t k = 0; k < nproj; k++) {
    const double *r = u->dirs + k * d;
    double s = 0, a = 0;
    for (size_t i = 0; i < d; i++) {
      s += w->tmp[i] * r[i];
      a += (fabs(w->out[i] * f) + fabs(p->x[i] * f)) * fabs(r[i]);
    }
    if (first) u->first[d + k] = s;
    tpc_bounds_acc_add(&u->acc[d + k], s);
    u->mag[d + k] += a;
  }
}

/* p-value of test k: empirical Bernstein when the draws vary beyond rounding,
** else the constant-value bound with the plausible range of the point (the
** largest |out_i| + |x_i| seen in any coordinate of any draw, through |r|_1
** for a projection), so that a rare event that was never drawn (dithering a
** coordinate a million times smaller than the norm up to a level of the
** norm) is not taken for a bias.  A target declared deterministic has no
** rare events: its one value is its mean, and any bias beyond rounding is
** certain (p = 0). */
static double test_p(const bnd_target *t, const unb_sums *u, size_t k, size_t draws) {
  size_t d = t->d;
  const tpc_bounds_acc *a = &u->acc[k];
  double tol = t->tol * u->mag[k] / (double)draws, var = tpc_bounds_acc_var(a);
  if (fabs(a->mean) <= tol) return 1.0;
  if (sqrt(var) > tol) return tpc_bounds_bernstein_p(a->mean, var, a->max - a->min, a->n, tol);
  if (t->deterministic) return 0.0;
  double range = u->range;
  if (k >= d) {
    double l1 = 0;
    for (size_t i = 0; i < d; i++) l1 += fabs(u->dirs[(k - d) * d + i]);
    range *= l1;
  }
  return tpc_bounds_const_p(u->first[k], range, draws);
}

static int unb_task(bnd_worker *w, size_t u, void *arg) {
  unb_job *job = arg;
  const bnd_target *t = &w->st->t;
  size_t d = t->d, nt = job->ntest, nproj = nt - d;
  bnd_point *p = &w->pt;
  bnd_generate(w, point_family(w->st, u), (uint32_t)u, p);
  unb_sums s;
  int status = sums_alloc(&s, nt, nproj, d);
  if (status != TPC_OK) return status;
  double f = ldexp(1.0, -p->scale);
  for (size_t i = 0; i < d; i++) {
    double z = fabs(p->x[i] - p->h[i]); /* what is compressed: x, or x - h */
    s.unit[i] = z > 0 && isfinite(z) ? z : 1.0 / f;
  }
  directions(w, p, u, s.dirs);
  for (size_t k = 0; k < nt; k++) tpc_bounds_acc_init(&s.acc[k]);
  for (size_t j = 0; j < job->draws; j++) {
    bnd_apply(w, p, TPC_PURPOSE_TRIAL, BND_PHASE_UNBIASED, (uint32_t)u, (uint32_t)j);
    add_draw(w, p, &s, nproj, j == 0);
  }
  for (size_t k = 0; k < nt; k++) {
    size_t at = u * nt + k;
    job->mean[at] = s.acc[k].mean;
    job->scale[at] = s.mag[k] / (double)job->draws;
    int never = s.acc[k].min == 0 && s.acc[k].max == 0 && s.mag[k] == 0;
    job->p[at] = never ? NAN : test_p(t, &s, k, job->draws);
  }
  sums_free(&s);
  return TPC_OK;
}

/* The reason line for the most significant test. */
static void describe(const bnd_state *st, const unb_job *job, size_t arg, size_t rejected,
                     size_t tests, double p_adj, char *buf, size_t size) {
  const bnd_target *t = &st->t;
  size_t u = arg / job->ntest, k = arg % job->ntest;
  char what[64];
  if (k < t->d)
    snprintf(what, sizeof what, "coordinate %zu", k);
  else if (k - t->d < UNB_PROJ)
    snprintf(what, sizeof what, "random projection %zu", k - t->d);
  else
    snprintf(what, sizeof what, "%s",
             k - t->d == UNB_PROJ ? "projection on x - h" : "projection on sign(x - h)");
  int family = point_family(st, u);
  snprintf(buf, size,
           "E C(x) != x: %zu of %zu tests rejected (Holm, level %.3g); worst: %s at %s #%zu, "
           "mean error %.4g (scale %.4g), adjusted p %.3g",
           rejected, tests, 1.0 - t->o->confidence, what, tpc_bounds_family_name(family), u,
           job->mean[arg], job->scale[arg], p_adj);
}

int bnd_unbiased(const bnd_state *st, tpc_bounds_summary *sum) {
  const bnd_target *t = &st->t;
  unb_job job;
  job.ntest = t->d + UNB_PROJ + 2;
  job.draws = 2 * t->o->draws < UNB_MIN_DRAWS ? UNB_MIN_DRAWS : 2 * t->o->draws;
  size_t total = UNB_POINTS * job.ntest;
  job.p = malloc(total * sizeof(double));
  job.mean = malloc(total * sizeof(double));
  job.scale = malloc(total * sizeof(double));
  double *pv = malloc(total * sizeof(double));
  int status = job.p && job.mean && job.scale && pv
                   ? bnd_parallel(st, UNB_POINTS, unb_task, &job, NULL)
                   : tpc_error(TPC_ENOMEM, "bounds: out of memory for the unbiasedness test");
  if (status == TPC_OK) {
    size_t m = 0, arg = 0;
    for (size_t i = 0; i < total; i++) {
      if (isnan(job.p[i])) continue;
      if (m == 0 || job.p[i] < job.p[arg]) arg = i;
      pv[m++] = job.p[i];
    }
    double p_adj;
    size_t rejected = tpc_bounds_holm(pv, m, 1.0 - t->o->confidence, &p_adj);
    sum->unb_tests = (uint32_t)m;
    sum->unb_rejected = (uint32_t)rejected;
    sum->unb_p = p_adj;
    if (rejected)
      describe(st, &job, arg, rejected, m, p_adj, sum->reason, sizeof sum->reason);
  }
  free(job.p);
  free(job.mean);
  free(job.scale);
  free(pv);
  return status;
}
