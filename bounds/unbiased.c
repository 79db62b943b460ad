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
** draw, so a bias shows at once.
**
** Each test has two p-values (THEORY.md T-STATS).  The sound one assumes
** nothing the declaration does not give: the declared right side bounds
** E||out - x||^2, hence the second moment of every coordinate and
** projection of out - x, and the zero-mean test of stats.h is valid under
** that bound alone; a declared-deterministic target's one value is its
** mean.  The face-value one (empirical Bernstein with the observed range)
** takes the draws for the whole support, so a rare event never drawn (a
** coordinate kept with probability 1e-3, scaled by 1e3) looks like a bias.
** Holm's step-down procedure at level 1 - confidence runs on each: a sound
** rejection is a violation; face-value rejections alone make the check
** inconclusive, with the draws at which the sound test would decide if the
** draws kept their mean and spread.  A test whose mean is within the
** floating-point allowance of 0 counts as passed, and a coordinate that is
** 0 in every draw and in x is not a test.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "bounds/internal.h"
#include "core/cpu.h"
#include "core/error.h"
#include "rng/pcg.h"

enum { UNB_POINTS = 8, UNB_PROJ = BND_UNB_PROJ, UNB_NPROJ = BND_UNB_NPROJ, UNB_MIN_DRAWS = 200 };

/* Tests per point: d coordinates and UNB_PROJ + 2 projections. */
typedef struct unb_job {
  size_t ntest;       /* per point */
  size_t draws;
  double *p;          /* UNB_POINTS * ntest sound p-values, NaN: not a test */
  double *face;       /* the face-value p-values */
  double *sigma;      /* the declared bound on each test's root mean square */
  double *scale;      /* mean of |out| + |x| per test, in test units */
  tpc_bounds_acc *acc;/* each test's draws, in test units */
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

/* Entry i of projection direction k: the directions are stored entry by
** entry (dirs[i UNB_NPROJ + k]), so that one pass over a draw updates every
** projection from contiguous memory (add_projections). */
static inline double *dir_at(double *dirs, size_t k, size_t i) {
  return &dirs[i * UNB_NPROJ + k];
}

/* Directions: UNB_PROJ Gaussian (each drawn entry by entry in turn), then
** x - h, then sign(x - h). */
static void directions(bnd_worker *w, const bnd_point *p, size_t u, double *dirs) {
  const bnd_target *t = &w->st->t;
  size_t d = t->d;
  tpc_rng_stream(w->gen, t->o->seed, TPC_PURPOSE_TRIAL,
                 bnd_index(BND_PHASE_UNBIASED, u, BND_MAX_DRAW, 0));
  for (size_t k = 0; k < UNB_PROJ; k++)
    for (size_t i = 0; i < d; i++) *dir_at(dirs, k, i) = gsl_ran_gaussian(w->gen, 1.0);
  double f = ldexp(1.0, -p->scale);
  for (size_t i = 0; i < d; i++) {
    double z = (p->x[i] - p->h[i]) * f;
    *dir_at(dirs, UNB_PROJ, i) = z;
    *dir_at(dirs, UNB_PROJ + 1, i) = (z > 0) - (z < 0);
  }
}

/* Draws a pass: the compressor's outputs of a block are kept, then each
** chunk of coordinates takes every draw of the block while its sums, x and
** its directions are in cache (one pass a draw read them all from memory,
** 9 times the compressor's call at d = 1e5). */
enum { UNB_BLOCK = 8, UNB_CHUNK = 256 };

/* Sums of one point's draws.  Coordinate tests run in units of |x_i - h_i|,
** the compressed coordinate (h = 0 for a compressor; 2^scale when it is 0),
** so that a coordinate 1e-200 times smaller than the largest keeps its
** precision; projections in units of 2^scale.  The coordinates' Welford
** sums are arrays of one field each, so that the update of a chunk is a
** vector loop; acc gathers them when the draws are done (sums_finish). */
typedef struct unb_sums {
  tpc_bounds_acc *acc;  /* per test, in test units (sums_finish) */
  bnd_unb_cols col;     /* the coordinates' sums, x and the directions */
  tpc_bounds_acc proj[UNB_NPROJ];
  size_t n;             /* draws added */
  tpc_isa isa;          /* the path of a draw's chunk (bnd_unb_chunk) */
  double *unit;         /* coordinates: the unit in 2^scale units */
  double *mag;          /* sum of |out| + |x| per test, in test units */
  double *first;        /* the first draw's value, in 2^scale units */
  double *dirs;         /* projection directions, d * UNB_NPROJ (dir_at) */
  double *outs;         /* the block's draws, UNB_BLOCK rows of len */
  double range;         /* largest |out_i| + |x_i| seen, in 2^scale units */
} unb_sums;

static void sums_free(unb_sums *u) {
  free(u->acc);
  free(u->col.mean);
  free(u->col.m2);
  free(u->col.min);
  free(u->col.max);
  free(u->unit);
  free(u->mag);
  free(u->first);
  free(u->dirs);
  free(u->outs);
}

/* The sums of no draw (tpc_bounds_acc_init for every test) of a point p,
** and the path that takes its draws. */
static int sums_alloc(unb_sums *u, const bnd_point *p, size_t nt, size_t d, size_t len) {
  memset(u, 0, sizeof *u);
  bnd_unb_cols *c = &u->col;
  u->acc = malloc(nt * sizeof *u->acc);
  c->mean = calloc(d, sizeof *c->mean);
  c->m2 = calloc(d, sizeof *c->m2);
  c->min = malloc(d * sizeof *c->min);
  c->max = malloc(d * sizeof *c->max);
  u->unit = malloc(d * sizeof *u->unit);
  u->mag = calloc(nt, sizeof *u->mag);
  u->first = calloc(nt, sizeof *u->first);
  u->dirs = malloc(UNB_NPROJ * d * sizeof *u->dirs);
  u->outs = malloc(UNB_BLOCK * len * sizeof *u->outs);
  if (!(u->acc && c->mean && c->m2 && c->min && c->max && u->unit && u->mag && u->first &&
        u->dirs && u->outs)) {
    sums_free(u);
    return tpc_error(TPC_ENOMEM, "bounds: out of memory for the unbiasedness test");
  }
  for (size_t i = 0; i < d; i++) {
    c->min[i] = INFINITY;
    c->max[i] = -INFINITY;
  }
  for (size_t k = 0; k < UNB_NPROJ; k++) tpc_bounds_acc_init(&u->proj[k]);
  c->mag = u->mag;
  c->unit = u->unit;
  c->x = p->x;
  c->dirs = u->dirs;
  u->isa = tpc_cpu_isa();
  return TPC_OK;
}

/* Every test's sums as one tpc_bounds_acc, in test order. */
static void sums_finish(unb_sums *u, size_t d) {
  const bnd_unb_cols *c = &u->col;
  for (size_t i = 0; i < d; i++)
    u->acc[i] = (tpc_bounds_acc){u->n, c->mean[i], c->m2[i], c->min[i], c->max[i]};
  for (size_t k = 0; k < UNB_NPROJ; k++) u->acc[d + k] = u->proj[k];
}

/* Draw n (1-based) of coordinates [i0, i1): tpc_bounds_acc_add's operations
** in its order, per coordinate, so every sum is the bits of one
** tpc_bounds_acc_add a draw.  The running range takes the largest of values
** that are +0 or more (fabs + fabs) or NaN: ignoring NaN, from +0, it is the
** largest non-NaN value in whatever order, so lanes may take it apart. */
static void add_coords(const bnd_unb_cols *c, const double *out, size_t i0, size_t i1,
                       double n, double f, double *range) {
  double *mean = c->mean, *m2 = c->m2, *lo = c->min, *hi = c->max, *mag = c->mag;
  const double *unit = c->unit, *x = c->x;
  double top = *range;
#pragma omp simd reduction(max : top)
  for (size_t i = i0; i < i1; i++) {
    double v = (out[i] - x[i]) / unit[i], delta = v - mean[i];
    double r = fabs(out[i] * f) + fabs(x[i] * f);
    mean[i] += delta / n;
    m2[i] += delta * (v - mean[i]);
    lo[i] = tpc_bounds_fmin(lo[i], v);
    hi[i] = tpc_bounds_fmax(hi[i], v);
    mag[i] += (fabs(out[i]) + fabs(x[i])) / unit[i];
    top = r > top ? r : top;
  }
  *range = top;
}

/* One draw's projections over coordinates [i0, i1), added to s: each its
** own chain of additions in index order, so a draw's sums over the chunks in
** turn are the bits of one pass (one pass per projection waited on ten
** such chains in turn; unrolled, the ten sums stay in registers). */
static void add_projections(const bnd_unb_cols *c, const double *out, size_t i0, size_t i1,
                            double f, double *s) {
  double acc[UNB_NPROJ];
  memcpy(acc, s, sizeof acc);
  for (size_t i = i0; i < i1; i++) {
    double z = out[i] * f - c->x[i] * f;
    const double *r = c->dirs + i * UNB_NPROJ;
#pragma GCC unroll 10
    for (size_t k = 0; k < UNB_NPROJ; k++) acc[k] += z * r[k];
  }
  memcpy(s, acc, sizeof acc);
}

size_t bnd_unb_chunk(const bnd_unb_cols *c, tpc_isa isa, const double *out, size_t i0,
                     size_t i1, double n, double f, double *range, double *s) {
  if (isa >= TPC_ISA_AVX2) i0 = bnd_unb_draw_avx2(c, out, i0, i1, n, f, range, s);
  add_coords(c, out, i0, i1, n, f, range);
  add_projections(c, out, i0, i1, f, s);
  return i0;
}

/* Accumulate the nb draws of u->outs of point p, in draw order for every
** test: the coordinates chunk by chunk, each chunk taking the block's draws
** in turn; each draw's projections after its last chunk. */
static void add_block(const bnd_point *p, unb_sums *u, size_t d, size_t len, size_t nb) {
  double f = ldexp(1.0, -p->scale), s[UNB_BLOCK][UNB_NPROJ] = {{0}};
  if (u->n == 0)
    for (size_t i = 0; i < d; i++) u->first[i] = u->outs[i] * f - p->x[i] * f;
  for (size_t i0 = 0; i0 < d; i0 += UNB_CHUNK) {
    size_t i1 = d - i0 < UNB_CHUNK ? d : i0 + UNB_CHUNK;
    for (size_t b = 0; b < nb; b++)
      bnd_unb_chunk(&u->col, u->isa, u->outs + b * len, i0, i1, (double)(u->n + b + 1), f,
                    &u->range, s[b]);
  }
  for (size_t b = 0; b < nb; b++)
    for (size_t k = 0; k < UNB_NPROJ; k++) {
      if (u->n + b == 0) u->first[d + k] = s[b][k];
      tpc_bounds_acc_add(&u->proj[k], s[b][k]);
    }
  u->n += nb;
}

/* The draws of point u in blocks: bnd_apply writes each into its row of
** s->outs (w->out pointed there), then add_block takes the block. */
static void add_draws(bnd_worker *w, const bnd_point *p, size_t u, size_t draws, unb_sums *s) {
  const bnd_target *t = &w->st->t;
  double *out = w->out;
  for (size_t j0 = 0; j0 < draws; j0 += UNB_BLOCK) {
    size_t nb = draws - j0 < UNB_BLOCK ? draws - j0 : UNB_BLOCK;
    for (size_t b = 0; b < nb; b++) {
      w->out = s->outs + b * t->len;
      bnd_apply(w, p, TPC_PURPOSE_TRIAL, BND_PHASE_UNBIASED, (uint32_t)u, (uint32_t)(j0 + b));
    }
    w->out = out;
    add_block(p, s, t->d, t->len, nb);
  }
}

/* The magnitude of each projection on r over the draws, sum of |r_i| (|out_i|
** + |x_i|) in 2^scale units, from the coordinates' sums (in units of unit_i):
** the floating-point allowance of a projection scales with it.  Summed
** once, not once a draw. */
static void project_mags(const bnd_point *p, unb_sums *u, size_t d) {
  double f = ldexp(1.0, -p->scale);
  for (size_t k = 0; k < UNB_NPROJ; k++) {
    double a = 0;
    for (size_t i = 0; i < d; i++) a += fabs(*dir_at(u->dirs, k, i)) * (u->mag[i] * (u->unit[i] * f));
    u->mag[d + k] = a;
  }
}

/* Face-value p-value of test k: empirical Bernstein when the draws vary
** beyond rounding, else the constant-value bound with the plausible range
** of the point (the largest |out_i| + |x_i| seen in any coordinate of any
** draw, through |r|_1 for a projection).  Both take what was drawn for the
** support: a doubt, never evidence (stats.h). */
static double face_p(const bnd_target *t, const unb_sums *u, size_t k, double tol) {
  size_t d = t->d;
  const tpc_bounds_acc *a = &u->acc[k];
  double var = tpc_bounds_acc_var(a);
  if (sqrt(var) > tol) return tpc_bounds_bernstein_p(a->mean, var, a->max - a->min, a->n, tol);
  double range = u->range;
  if (k >= d) {
    double l1 = 0;
    for (size_t i = 0; i < d; i++) l1 += fabs(*dir_at(u->dirs, k - d, i));
    range *= l1;
  }
  return tpc_bounds_const_p(u->first[k], range, a->n);
}

/* Sound p-value of test k: a target declared deterministic whose draws
** agree has no rare events (its one value is its mean, and any bias beyond
** rounding is certain); otherwise the zero-mean test under the declared
** bound sigma on the test's root mean square. */
static double sound_p(const bnd_target *t, const tpc_bounds_acc *a, double tol, double sigma) {
  if (t->deterministic && sqrt(tpc_bounds_acc_var(a)) <= tol) return 0.0;
  return tpc_bounds_mean0_p(a, sigma);
}

/* The declared bound on the root mean square of each test of point p: the
** right side (with its allowance) bounds E||(out - x) 2^-scale||^2, so
** coordinate i in units of unit_i has at most sqrt(bound) / (unit_i
** 2^-scale), and a projection on r at most sqrt(bound) ||r||. */
static void test_sigmas(bnd_worker *w, const bnd_point *p, uint32_t u, const unb_sums *s,
                        double *sigma) {
  size_t d = w->st->t.d;
  bnd_stat ns;
  bnd_norms(w, p, u, &ns);
  double root = sqrt(bnd_bound(&w->st->t, &ns)), f = ldexp(1.0, -p->scale);
  for (size_t i = 0; i < d; i++) sigma[i] = root / (s->unit[i] * f);
  for (size_t k = 0; k < UNB_NPROJ; k++) {
    double r2 = 0;
    for (size_t i = 0; i < d; i++) r2 += *dir_at(s->dirs, k, i) * *dir_at(s->dirs, k, i);
    sigma[d + k] = root * sqrt(r2);
  }
}

static int unb_task(bnd_worker *w, size_t u, void *arg) {
  unb_job *job = arg;
  const bnd_target *t = &w->st->t;
  size_t d = t->d, nt = job->ntest;
  bnd_point *p = &w->pt;
  bnd_generate(w, point_family(w->st, u), (uint32_t)u, p);
  unb_sums s;
  int status = sums_alloc(&s, p, nt, d, t->len);
  if (status != TPC_OK) return status;
  double f = ldexp(1.0, -p->scale);
  for (size_t i = 0; i < d; i++) {
    double z = fabs(p->x[i] - p->h[i]); /* what is compressed: x, or x - h */
    s.unit[i] = z > 0 && isfinite(z) ? z : 1.0 / f;
  }
  directions(w, p, u, s.dirs);
  add_draws(w, p, u, job->draws, &s);
  sums_finish(&s, d);
  project_mags(p, &s, d);
  size_t at = u * nt;
  test_sigmas(w, p, (uint32_t)u, &s, job->sigma + at);
  for (size_t k = 0; k < nt; k++, at++) {
    const tpc_bounds_acc *a = &s.acc[k];
    double tol = t->tol * s.mag[k] / (double)job->draws;
    job->acc[at] = *a;
    job->scale[at] = s.mag[k] / (double)job->draws;
    if (a->min == 0 && a->max == 0 && s.mag[k] == 0) {
      job->p[at] = job->face[at] = NAN; /* 0 in every draw and in x: not a test */
    } else if (fabs(a->mean) <= tol) {
      job->p[at] = job->face[at] = 1.0; /* floating-point noise is no evidence */
    } else {
      job->p[at] = sound_p(t, a, tol, job->sigma[at]);
      job->face[at] = fmin(job->p[at], face_p(t, &s, k, tol));
    }
  }
  sums_free(&s);
  return TPC_OK;
}

/* What test k of a point is, for a reason line. */
static void test_name(const bnd_target *t, size_t k, char *buf, size_t size) {
  if (k < t->d)
    snprintf(buf, size, "coordinate %zu", k);
  else if (k - t->d < UNB_PROJ)
    snprintf(buf, size, "random projection %zu", k - t->d);
  else
    snprintf(buf, size, "%s",
             k - t->d == UNB_PROJ ? "projection on x - h" : "projection on sign(x - h)");
}

/* Holm's procedure over one kind of p-value of every test. */
typedef struct unb_holm {
  size_t tests, rejected;
  size_t arg;       /* the most significant test */
  double p_adj;     /* its adjusted p-value */
  double last;      /* the largest p-value rejected */
} unb_holm;

static unb_holm holm_over(const double *p, size_t total, double level, double *work) {
  unb_holm h = {0, 0, 0, 1.0, 0.0};
  for (size_t i = 0; i < total; i++) {
    if (isnan(p[i])) continue;
    if (h.tests == 0 || p[i] < p[h.arg]) h.arg = i;
    work[h.tests++] = p[i];
  }
  h.rejected = tpc_bounds_holm(work, h.tests, level, &h.p_adj);
  if (h.rejected) h.last = work[h.rejected - 1];
  return h;
}

/* The --draws at which the sound test would reject at Holm's first step, if
** the draws kept their mean and spread: the fewest over the tests rejected
** at face value (M_u = 2 M unbiasedness draws). */
static double draws_to_decide(const unb_job *job, size_t total, const unb_holm *face,
                              double level) {
  double best = HUGE_VAL;
  for (size_t i = 0; i < total; i++)
    if (job->face[i] <= face->last)
      best = fmin(best, tpc_bounds_mean0_draws(&job->acc[i], job->sigma[i],
                                               level / (double)face->tests));
  return ceil(best / 2.0);
}

/* The reason line: a violation (sound rejections) or a doubt (face-value
** rejections alone, with the draws that would decide). */
static void describe(const bnd_state *st, const unb_job *job, const unb_holm *h, int sound,
                     double draws, char *buf, size_t size) {
  const bnd_target *t = &st->t;
  size_t u = h->arg / job->ntest, k = h->arg % job->ntest;
  char what[32], advice[60];
  test_name(t, k, what, sizeof what);
  const char *family = tpc_bounds_family_name(point_family(st, u));
  if (sound) {
    snprintf(buf, size,
             "E C(x) != x: %zu of %zu tests rejected (Holm, level %.3g); worst: %s at %s #%zu, "
             "mean error %.4g (scale %.4g), adjusted p %.3g",
             h->rejected, h->tests, 1.0 - t->o->confidence, what, family, u,
             job->acc[h->arg].mean, job->scale[h->arg], h->p_adj);
    return;
  }
  bnd_advice(draws, advice, sizeof advice);
  snprintf(buf, size,
           "E C(x) = x undecided (%s): %zu of %zu tests reject at face value, none under "
           "the declared bound; worst: %s at %s #%zu, mean error %.4g (scale %.4g)",
           advice, h->rejected, h->tests, what, family, u, job->acc[h->arg].mean,
           job->scale[h->arg]);
}

static void job_free(unb_job *job) {
  free(job->p);
  free(job->face);
  free(job->sigma);
  free(job->scale);
  free(job->acc);
}

int bnd_unbiased(const bnd_state *st, tpc_bounds_summary *sum) {
  const bnd_target *t = &st->t;
  unb_job job;
  job.ntest = t->d + UNB_NPROJ;
  job.draws = 2 * t->o->draws < UNB_MIN_DRAWS ? UNB_MIN_DRAWS : 2 * t->o->draws;
  size_t total = UNB_POINTS * job.ntest;
  job.p = malloc(total * sizeof(double));
  job.face = malloc(total * sizeof(double));
  job.sigma = malloc(total * sizeof(double));
  job.scale = malloc(total * sizeof(double));
  job.acc = malloc(total * sizeof *job.acc);
  double *work = malloc(total * sizeof(double));
  int status = job.p && job.face && job.sigma && job.scale && job.acc && work
                   ? bnd_parallel(st, UNB_POINTS, unb_task, &job, NULL)
                   : tpc_error(TPC_ENOMEM, "bounds: out of memory for the unbiasedness test");
  if (status == TPC_OK) {
    double level = 1.0 - t->o->confidence;
    unb_holm sound = holm_over(job.p, total, level, work);
    unb_holm face = holm_over(job.face, total, level, work);
    sum->unb_tests = (uint32_t)sound.tests;
    sum->unb_rejected = (uint32_t)sound.rejected;
    sum->unb_doubted = (uint32_t)face.rejected;
    sum->unb_p = sound.p_adj;
    if (sound.rejected) {
      describe(st, &job, &sound, 1, 0, sum->reason, sizeof sum->reason);
    } else if (face.rejected) {
      sum->draws_needed = draws_to_decide(&job, total, &face, level);
      describe(st, &job, &face, 0, sum->draws_needed, sum->reason, sizeof sum->reason);
    }
  }
  job_free(&job);
  free(work);
  return status;
}
