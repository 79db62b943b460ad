/*
** The families of points tpc bounds evaluates (bounds/bounds.h lists them),
** and the prescreen that finds the worst vectors of a mechanism's
** compressors for the tight EF21 construction of THEORY.md T3.
**
** Point (family, k) is a function of (seed, family, k) only: its vectors are
** drawn from stream (seed, TRIAL, phase GEN, point index), so any thread can
** regenerate it (the re-estimate, the search's restarts) and no point is
** kept in memory longer than its evaluation.
**
** For a compressor a point is a vector x.  For a mechanism it is a triple
** (h, y, x) per client: y from the family, and h, x at distances a, b
** (log-uniform in [1e-2, 1e2]) along directions from the same family, with
** one of the three differences h - y, x - y, x - h built from the family's
** vector alone so that its structure (equal magnitudes, ties, sparsity)
** reaches the compressor whichever difference the mechanism compresses.
*/
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bounds/internal.h"
#include "core/error.h"
#include "core/vec.h"
#include "rng/pcg.h"

uint32_t bnd_point_index(const tpc_bounds_opts *o, int family, uint32_t k) {
  return (uint32_t)((size_t)family * o->trials + k);
}

size_t bnd_family_count(const bnd_state *st, int family) {
  const bnd_target *t = &st->t;
  if (family >= TPC_FAM_SEARCH || !(t->o->families & (1u << family))) return 0;
  if (family == TPC_FAM_BOUNDARY && (t->is_comp || t->nzeta == 0)) return 0;
  if (family == TPC_FAM_WORST && !t->is_comp) {
    size_t tops = 0;
    for (size_t p = 0; p < st->nparts; p++) tops += st->ntop[p];
    if (tops == 0) return 0;
  }
  return t->o->trials;
}

/* Mark m distinct coordinates of v (zeroed first) with 1 (Floyd's algorithm). */
static void mark_subset(gsl_rng *r, size_t d, size_t m, double *v) {
  memset(v, 0, d * sizeof *v);
  for (size_t j = d - m; j < d; j++) {
    size_t t = (size_t)gsl_rng_uniform_int(r, (unsigned long)j + 1);
    if (v[t] != 0)
      v[j] = 1;
    else
      v[t] = 1;
  }
}

static double rsign(gsl_rng *r) { return gsl_rng_uniform(r) < 0.5 ? -1.0 : 1.0; }

/* A base vector of kind TPC_FAM_GAUSSIAN .. TPC_FAM_TIES, variant k (which
** degrees of freedom, support size, magnitude or tie width). */
static void bnd_vector(int kind, uint32_t k, gsl_rng *r, size_t d, double *v) {
  static const double nu[] = {1, 2, 3};
  static const double tie_eps[] = {1e-3, 1e-6, 1e-9, 1e-12, 1e-15};
  static const double eq_c[] = {1.0, 4.0 / 3.0, 1.5};
  switch (kind) {
    case TPC_FAM_HEAVY:
      for (size_t i = 0; i < d; i++) v[i] = gsl_ran_tdist(r, nu[k % 3]);
      break;
    case TPC_FAM_SPARSE: {
      size_t sizes[] = {1, 2, 3, d / 10, d / 4};
      size_t m = sizes[k % 5];
      m = m < 1 ? 1 : m > d ? d : m;
      mark_subset(r, d, m, v);
      for (size_t i = 0; i < d; i++)
        if (v[i] != 0) v[i] = gsl_ran_gaussian(r, 1.0);
      break;
    }
    case TPC_FAM_EQUAL: {
      /* c 2^a: 4/3 2^a is natural compression's worst case (T2). */
      double c = k % 4 < 3 ? eq_c[k % 4] : 1.0 + gsl_rng_uniform(r);
      double mag = ldexp(c, (int)gsl_rng_uniform_int(r, 9) - 4);
      if ((k / 4) % 2 == 0)
        for (size_t i = 0; i < d; i++) v[i] = 1;
      else
        mark_subset(r, d, 1 + (size_t)gsl_rng_uniform_int(r, (unsigned long)d), v);
      for (size_t i = 0; i < d; i++)
        if (v[i] != 0) v[i] = rsign(r) * mag;
      break;
    }
    case TPC_FAM_TIES: {
      double eps = tie_eps[k % 5];
      for (size_t i = 0; i < d; i++)
        v[i] = rsign(r) * (1.0 + eps * (2.0 * gsl_rng_uniform(r) - 1.0));
      break;
    }
    default:
      for (size_t i = 0; i < d; i++) v[i] = gsl_ran_gaussian(r, 1.0);
      break;
  }
}

/* Entries N(0, 1) 10^U(-dec, dec): magnitudes across 2 dec decades (dec =
** 150 for float64, 15 for float32: mixed_decades). */
static void mixed_vector(gsl_rng *r, size_t d, double *v, double dec) {
  for (size_t i = 0; i < d; i++)
    v[i] = gsl_ran_gaussian(r, 1.0) * pow(10.0, 2.0 * dec * gsl_rng_uniform(r) - dec);
}

/* The decades mixed vectors span: a tenth as many for float32, whose range
** (1e-38 .. 3e38) is about a tenth of double's, so that squares of their
** entries stay normal floats in kernels that compute in float. */
static double mixed_decades(const bnd_target *t) {
  return t->o->dtype == TPC_F32 ? 15.0 : 150.0;
}

static double log_uniform(gsl_rng *r, double lo, double hi) {
  return lo * pow(hi / lo, gsl_rng_uniform(r));
}

/* One client's triple from base kind `kind` (or mixed magnitudes across
** 2 dec decades when kind is TPC_FAM_SCALES), into h, y, x of length d; tmp
** holds d doubles. */
static void base_triple(gsl_rng *r, int kind, uint32_t k, size_t d, double *h, double *y,
                        double *x, double *tmp, double dec) {
  int mixed = kind == TPC_FAM_SCALES;
  double a = mixed ? 1.0 : log_uniform(r, 1e-2, 1e2);
  double b = mixed ? 1.0 : log_uniform(r, 1e-2, 1e2);
  if (k % 16 == 14) b = 0; /* x = y */
  if (k % 16 == 15) a = 0; /* h = y */
  unsigned mode = (unsigned)gsl_rng_uniform_int(r, 3);
  if (mixed) mixed_vector(r, d, y, dec); else bnd_vector(kind, k, r, d, y);
  if (mixed) mixed_vector(r, d, h, dec); else bnd_vector(kind, k, r, d, h);
  if (mixed) mixed_vector(r, d, tmp, dec); else bnd_vector(kind, k, r, d, tmp);
  for (size_t i = 0; i < d; i++) {
    double g1 = h[i], g2 = tmp[i];
    if (mode == 0) {        /* h - y and x - y from the family */
      h[i] = y[i] + a * g1;
      x[i] = y[i] + b * g2;
    } else if (mode == 1) { /* x - y and x - h */
      x[i] = y[i] + b * g2;
      h[i] = x[i] - a * g1;
    } else {                /* h - y and x - h */
      h[i] = y[i] + a * g1;
      x[i] = h[i] + b * g2;
    }
  }
}

/* The decades of the SCALES family: variant k of base kind k % 6 (5 is the
** mixed-magnitude vector) is scaled to 10^scale_exp(t, k / 6): one of
** -300, -200, -100, -30, 30, 100, 200, 300 for float64, a tenth of that for
** float32 (as mixed_decades). */
static int scale_exp(const bnd_target *t, uint32_t k) {
  static const int exps[8] = {-300, -200, -100, -30, 30, 100, 200, 300};
  return exps[k % 8] / (t->o->dtype == TPC_F32 ? 10 : 1);
}

/* Multiply every entry of p by 10^e / max|entry|: the largest becomes 10^e. */
static void scale_point(bnd_point *p, size_t len, int e) {
  double m = 0;
  for (size_t i = 0; i < len; i++)
    m = fmax(m, fmax(fabs(p->x[i]), fmax(fabs(p->h[i]), fabs(p->y[i]))));
  if (m == 0) return;
  double f = pow(10.0, (double)e);
  for (size_t i = 0; i < len; i++) {
    p->h[i] = p->h[i] / m * f;
    p->y[i] = p->y[i] / m * f;
    p->x[i] = p->x[i] / m * f;
  }
}

/* A compressor's structured worst cases: the 1-hot vector at coordinate j
** (scaled sign's worst case, T2), and equal magnitudes with coordinate j
** raised by 2^-20 relative (TopK's tight case with a strict winner at j). */
static void comp_worst(gsl_rng *r, uint32_t k, size_t d, double *x) {
  size_t j = (k / 2) % d;
  double mag = ldexp(4.0 / 3.0, (int)gsl_rng_uniform_int(r, 9) - 4);
  if (k % 2 == 0) {
    memset(x, 0, d * sizeof *x);
    x[j] = rsign(r) * mag;
    return;
  }
  for (size_t i = 0; i < d; i++) x[i] = rsign(r) * mag;
  x[j] *= 1.0 + ldexp(1.0, -20);
}

/* The grid of s for the constructions below: around the s at which the
** EF21 family A = 1 - q(1+s), B = q(1+1/s) passes through the declared pair,
** s = (1 - A)/B (EF21's 1/sqrt(1 - alpha) - 1), else around the part's own
** 1/sqrt(1 - alpha) - 1, else a fixed grid.  Several s trace the frontier. */
enum { NGRID = 9 };

static void s_grid(const bnd_target *t, double alpha, double *grid) {
  static const double generic[NGRID] = {0.01, 0.03, 0.05, 0.1, 0.2, 0.5, 1, 2, 5};
  static const double mult[NGRID] = {1, 0.9, 0.75, 0.5, 0.25, 1.25, 2, 4, 10};
  double s0 = 0;
  if (t->has_AB && t->B > 0) s0 = (1.0 - t->A) / t->B;
  if (!(s0 > 0) && alpha > 0 && alpha < 1) s0 = 1.0 / sqrt(1.0 - alpha) - 1.0;
  if (!(s0 > 0 && isfinite(s0))) {
    memcpy(grid, generic, sizeof generic);
    return;
  }
  for (int i = 0; i < NGRID; i++) grid[i] = s0 * mult[i];
}

/* Two constructions on a worst vector v of a compressor part C, each with
** an s from s_grid and h (or y) at several distances from the origin:
**   k even: the tight EF21 case of T3, y - h = v/(1+s), x - y = s v/(1+s)
**           (x - h = v);
**   k odd:  x - y = v and h - y = -(v - C(v))/s: the state h sits against
**           the residual C leaves on x - y, where the error of rows that
**           compress x - y (3PCv1, 3PCv5, MARINA's tails) is
**           ||h - y - (x - y - C(x - y))||^2 and meets their family of
**           bounds with equality. */
static void mech_worst(bnd_worker *w, uint32_t k, bnd_point *p) {
  const bnd_state *st = w->st;
  const bnd_target *t = &st->t;
  gsl_rng *r = w->gen;
  size_t d = t->d, pairs = 0, pick = 0, part = 0, kk = k / 2;
  for (size_t q = 0; q < st->nparts; q++) pairs += st->ntop[q];
  size_t sel = kk % pairs;
  for (part = 0; part < st->nparts; part++) {
    if (sel < st->ntop[part]) {
      pick = sel;
      break;
    }
    sel -= st->ntop[part];
  }
  const double *v = st->top[part][pick];
  double sgrid[NGRID];
  s_grid(t, st->part_alpha[part], sgrid);
  double s = sgrid[(kk / pairs) % NGRID];
  static const double hdist[4] = {0, 0.1, 1, 10};
  double hs = hdist[(kk / (NGRID * pairs)) % 4] * sqrt(tpc_vec_norm2(v, d) / (double)d);
  double *res = w->tmp;
  if (k % 2) { /* res = v - C(v), one draw of C from the generation stream */
    tpc_ctx ctx = {.rng = r, .shared = r, .client = 0};
    bnd_compress(w, w->parts[part], v, w->out, &ctx);
    for (size_t i = 0; i < d; i++) res[i] = v[i] - w->out[i];
  }
  for (size_t c = 0; c < t->ncl; c++) {
    double *h = p->h + c * d, *y = p->y + c * d, *x = p->x + c * d;
    for (size_t i = 0; i < d; i++) {
      if (k % 2) {
        y[i] = hs * gsl_ran_gaussian(r, 1.0);
        x[i] = y[i] + v[i];
        h[i] = y[i] - res[i] / s;
      } else {
        h[i] = hs * gsl_ran_gaussian(r, 1.0);
        y[i] = h[i] + v[i] / (1.0 + s);
        x[i] = y[i] + s * v[i] / (1.0 + s);
      }
    }
  }
}

/* The trigger boundary of LAG, CLAG and AdaCGD: a = x - h and b = x - y
** with ||a||^2 = zeta (1 + eps) ||b||^2, eps just below and above 0; a along
** b, random, or a worst vector of a compressor part, in which case every
** other point puts that level's own error, (1 - alpha)||a||^2, on the
** boundary instead (AdaCGD's early exits). */
static void mech_boundary(const bnd_state *st, bnd_worker *w, uint32_t k, bnd_point *p) {
  static const double eps[6] = {-1e-9, -1e-6, -1e-3, -0.1, 1e-9, 1e-3};
  const bnd_target *t = &st->t;
  gsl_rng *r = w->gen;
  size_t d = t->d, nz = t->nzeta;
  double zeta = t->zeta[k % nz], e = eps[(k / nz) % 6];
  unsigned align = (unsigned)((k / (6 * nz)) % 3);
  int level = (k / (18 * nz)) % 2;
  double *a = w->tmp;
  for (size_t c = 0; c < t->ncl; c++) {
    double *h = p->h + c * d, *y = p->y + c * d, *x = p->x + c * d;
    bnd_vector(TPC_FAM_GAUSSIAN, k, r, d, x);
    bnd_vector(k % 2 ? TPC_FAM_EQUAL : TPC_FAM_GAUSSIAN, k, r, d, y); /* y holds b */
    double bscale = log_uniform(r, 1e-2, 1e2), target_div = 1.0;
    for (size_t i = 0; i < d; i++) y[i] *= bscale;
    if (align == 0) {
      memcpy(a, y, d * sizeof *a);
    } else if (align == 1 || st->nparts == 0 || st->ntop[0] == 0) {
      bnd_vector(TPC_FAM_GAUSSIAN, k, r, d, a);
    } else {
      size_t part = (k / 2) % st->nparts;
      if (st->ntop[part] == 0) part = 0;
      memcpy(a, st->top[part][0], d * sizeof *a);
      if (level && st->part_alpha[part] >= 0 && st->part_alpha[part] < 1)
        target_div = 1.0 - st->part_alpha[part];
    }
    double na = tpc_vec_norm2(a, d), nb = tpc_vec_norm2(y, d);
    double f = na > 0 ? sqrt(zeta * (1.0 + e) * nb / target_div / na) : 0.0;
    for (size_t i = 0; i < d; i++) {
      double ai = f * a[i], bi = y[i];
      h[i] = x[i] - ai;
      y[i] = x[i] - bi;
    }
  }
}

static void mech_point(bnd_worker *w, int family, uint32_t k, bnd_point *p) {
  const bnd_state *st = w->st;
  const bnd_target *t = &st->t;
  size_t d = t->d;
  if (family == TPC_FAM_WORST) {
    mech_worst(w, k, p);
  } else if (family == TPC_FAM_BOUNDARY) {
    mech_boundary(st, w, k, p);
  } else {
    int kind = family;
    uint32_t kk = k;
    if (family == TPC_FAM_SCALES) {
      kind = (int)(k % 6); /* GAUSSIAN .. TIES, or 5: mixed */
      kk = k / 6;
      if (kind == 5) kind = TPC_FAM_SCALES;
    }
    for (size_t c = 0; c < t->ncl; c++)
      base_triple(w->gen, kind, kk, d, p->h + c * d, p->y + c * d, p->x + c * d, w->tmp,
                  mixed_decades(t));
    if (family == TPC_FAM_SCALES && kind != TPC_FAM_SCALES) {
      scale_point(p, t->len, scale_exp(t, kk));
    }
  }
}

static void comp_point(bnd_worker *w, int family, uint32_t k, bnd_point *p) {
  const bnd_target *t = &w->st->t;
  size_t d = t->d;
  memset(p->h, 0, d * sizeof(double));
  memset(p->y, 0, d * sizeof(double));
  if (family == TPC_FAM_WORST) {
    comp_worst(w->gen, k, d, p->x);
  } else if (family == TPC_FAM_SCALES) {
    if (k % 6 == 5) {
      mixed_vector(w->gen, d, p->x, mixed_decades(t));
    } else {
      bnd_vector((int)(k % 6), k / 6, w->gen, d, p->x);
      scale_point(p, d, scale_exp(t, k / 6));
    }
  } else {
    bnd_vector(family, k, w->gen, d, p->x);
  }
}

void bnd_generate(bnd_worker *w, int family, uint32_t k, bnd_point *p) {
  const bnd_state *st = w->st;
  const bnd_target *t = &st->t;
  if (family == TPC_FAM_SEARCH) {
    bnd_point_copy(p, &st->search[k], t->len);
    return;
  }
  tpc_rng_stream(w->gen, t->o->seed, TPC_PURPOSE_TRIAL,
                 bnd_index(BND_PHASE_GEN, bnd_point_index(t->o, family, k), 0, 0));
  if (t->is_comp)
    comp_point(w, family, k, p);
  else
    mech_point(w, family, k, p);
  bnd_point_finish(t, p);
}

/* ---- the prescreen of a mechanism's compressors -------------------------- */

/* Candidates per part: CAND_Q variants of each of the base kinds and of the
** compressor worst cases; draws per candidate: at most PRE_DRAWS. */
enum { CAND_Q = 8, CAND_KINDS = 6, PRE_DRAWS = 32 };
_Static_assert(CAND_Q * CAND_KINDS == BND_PRESCREEN, "prescreen size");

typedef struct prescreen {
  double *score; /* nparts * CAND_KINDS * CAND_Q */
} prescreen;

static void candidate(bnd_worker *w, size_t part, size_t j, double *x) {
  const bnd_target *t = &w->st->t;
  int kind = (int)(j / CAND_Q);
  uint32_t k = (uint32_t)(j % CAND_Q);
  tpc_rng_stream(w->gen, t->o->seed, TPC_PURPOSE_TRIAL,
                 bnd_index(BND_PHASE_PRESCREEN, part * 1024 + j, BND_MAX_DRAW, 0));
  if (kind == CAND_KINDS - 1)
    comp_worst(w->gen, k, t->d, x);
  else
    bnd_vector(kind, k, w->gen, t->d, x);
  bnd_round(t, x, t->d);
}

/* A lower bound on E||C_p(x) - x||^2 / ||x||^2 from common random numbers:
** the mean less two standard errors, so that a vector that is worst for
** sure (RandK on equal magnitudes: no variance) beats one that is worst by
** luck in 32 draws, and the EF21 construction on it is tight point by point
** rather than on average. */
static int prescreen_task(bnd_worker *w, size_t i, void *arg) {
  prescreen *ps = arg;
  const bnd_target *t = &w->st->t;
  size_t ncand = CAND_KINDS * CAND_Q, part = i / ncand, j = i % ncand, d = t->d;
  tpc_comp *c = w->parts[part];
  tpc_comp_consts k;
  tpc_comp_consts_get(c, &k);
  double *x = w->pt.x, *out = w->out, xx = 0;
  candidate(w, part, j, x);
  for (size_t q = 0; q < d; q++) xx += x[q] * x[q];
  size_t m = k.deterministic ? 1 : (t->o->draws < PRE_DRAWS ? t->o->draws : PRE_DRAWS);
  tpc_bounds_acc acc;
  tpc_bounds_acc_init(&acc);
  for (size_t r = 0; r < m; r++) {
    uint64_t base = bnd_index(BND_PHASE_PRESCREEN, part * 1024 + j, r, 0);
    tpc_rng_stream(w->shared, t->o->seed, TPC_PURPOSE_TRIAL, base);
    tpc_rng_stream(w->rng, t->o->seed, TPC_PURPOSE_TRIAL, base + 1);
    tpc_ctx ctx = {.rng = w->rng, .shared = w->shared, .client = 0};
    bnd_compress(w, c, x, out, &ctx);
    double sum = 0;
    for (size_t q = 0; q < d; q++) sum += (out[q] - x[q]) * (out[q] - x[q]);
    tpc_bounds_acc_add(&acc, xx > 0 ? sum / xx : 0);
  }
  w->evals += (double)m;
  ps->score[i] = acc.mean - 2.0 * sqrt(tpc_bounds_acc_var(&acc) / (double)m);
  return TPC_OK;
}

/* Indices of the BND_TOP largest scores of one part, best first. */
static void pick_top(const double *score, size_t n, size_t *best) {
  for (size_t t = 0; t < BND_TOP; t++) {
    size_t arg = n;
    for (size_t j = 0; j < n; j++) {
      int taken = 0;
      for (size_t q = 0; q < t; q++) taken |= best[q] == j;
      if (!taken && (arg == n || score[j] > score[arg])) arg = j;
    }
    best[t] = arg;
  }
}

int bnd_find_worst(bnd_state *st) {
  size_t ncand = CAND_KINDS * CAND_Q, n = st->nparts * ncand;
  if (n == 0) return TPC_OK;
  prescreen ps = {calloc(n, sizeof(double))};
  bnd_worker w;
  int status = ps.score ? bnd_parallel(st, n, prescreen_task, &ps, NULL)
                        : tpc_error(TPC_ENOMEM, "bounds: out of memory");
  if (status == TPC_OK) status = bnd_worker_init(&w, st);
  if (status != TPC_OK) {
    free(ps.score);
    return status;
  }
  for (size_t p = 0; p < st->nparts && status == TPC_OK; p++) {
    size_t best[BND_TOP];
    pick_top(ps.score + p * ncand, ncand, best);
    for (size_t t = 0; t < BND_TOP; t++) {
      st->top[p][t] = malloc(st->t.d * sizeof(double));
      if (!st->top[p][t]) {
        status = tpc_error(TPC_ENOMEM, "bounds: out of memory");
        break;
      }
      candidate(&w, p, best[t], st->top[p][t]);
      st->ntop[p] = t + 1;
    }
  }
  bnd_worker_free(&w);
  free(ps.score);
  return status;
}
