/*
** Evaluating a target at a point: the per-thread worker (its own instance of
** the spec, streams and buffers), one application with the streams of a
** (phase, point, draw), the left side and the norms in scaled units, the
** record of an evaluation with its confidence bounds, and the parallel loop
** every phase of a check runs on.
**
** Scaled units: a point's entries are multiplied by 2^-scale (exact: a
** power of two) before any square, so a point at 1e300 or 1e-300 gives
** sums near 1 and never overflows or underflows; ratios do not change.
*/
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds/internal.h"
#include "core/error.h"
#include "core/vec.h"
#include "rng/pcg.h"
#include "wire/wire.h"

int bnd_point_alloc(bnd_point *p, size_t len) {
  p->h = calloc(len, sizeof(double));
  p->y = calloc(len, sizeof(double));
  p->x = calloc(len, sizeof(double));
  p->scale = 0;
  if (p->h && p->y && p->x) return TPC_OK;
  bnd_point_free(p);
  return tpc_error(TPC_ENOMEM, "bounds: out of memory for a point of %zu entries", len);
}

void bnd_point_free(bnd_point *p) {
  free(p->h);
  free(p->y);
  free(p->x);
  p->h = p->y = p->x = NULL;
}

void bnd_point_copy(bnd_point *dst, const bnd_point *src, size_t len) {
  memcpy(dst->h, src->h, len * sizeof(double));
  memcpy(dst->y, src->y, len * sizeof(double));
  memcpy(dst->x, src->x, len * sizeof(double));
  dst->scale = src->scale;
}

void bnd_round(const bnd_target *t, double *v, size_t len) {
  if (t->o->dtype != TPC_F32) return;
  for (size_t i = 0; i < len; i++)
    v[i] = fabs(v[i]) > FLT_MAX ? copysign(FLT_MAX, v[i]) : (double)(float)v[i];
}

void bnd_point_finish(const bnd_target *t, bnd_point *p) {
  size_t len = t->len;
  bnd_round(t, p->h, len);
  bnd_round(t, p->y, len);
  bnd_round(t, p->x, len);
  double m = 0;
  for (size_t i = 0; i < len; i++)
    m = tpc_bounds_fmax(m, tpc_bounds_fmax(fabs(p->x[i]),
                                           tpc_bounds_fmax(fabs(p->h[i]), fabs(p->y[i]))));
  int e = 0;
  if (m > 0) frexp(m, &e);
  p->scale = e;
}

/* Depth first: the mechanism's own compressors, then its inner one's. */
size_t bnd_mech_parts(tpc_mech *m, tpc_comp **parts, size_t max) {
  size_t k = 0;
  for (size_t i = 0; i < m->ncomp && k < max; i++) parts[k++] = m->comp[i];
  if (m->inner && k < max) k += bnd_mech_parts(m->inner, parts + k, max - k);
  return k;
}

int bnd_worker_init(bnd_worker *w, const bnd_state *st) {
  const bnd_target *t = &st->t;
  int status = TPC_OK;
  memset(w, 0, sizeof *w);
  w->st = st;
  if (t->is_comp)
    w->comp = tpc_comp_alloc(t->reg, t->spec, t->d, t->n, &status);
  else
    w->mech = tpc_mech_alloc(t->reg, t->spec, t->d, t->n, &status);
  if (!w->comp && !w->mech) return status;
  if (w->mech) bnd_mech_parts(w->mech, w->parts, BND_MAX_PARTS);
  w->rng = tpc_rng_alloc_stream(t->o->seed, 0, 0);
  w->shared = tpc_rng_alloc_stream(t->o->seed, 0, 0);
  w->gen = tpc_rng_alloc_stream(t->o->seed, 0, 0);
  w->out = calloc(t->len, sizeof(double));
  w->tmp = calloc(t->d, sizeof(double));
  if (t->o->dtype == TPC_F32) w->f32 = calloc(4 * t->len, sizeof(float));
  status = bnd_point_alloc(&w->pt, t->len);
  if (status == TPC_OK && w->rng && w->shared && w->gen && w->out && w->tmp &&
      (w->f32 || t->o->dtype != TPC_F32))
    return TPC_OK;
  bnd_worker_free(w);
  return tpc_error(TPC_ENOMEM, "bounds: out of memory for a worker");
}

void bnd_worker_free(bnd_worker *w) {
  tpc_comp_free(w->comp);
  tpc_mech_free(w->mech);
  if (w->rng) gsl_rng_free(w->rng);
  if (w->shared) gsl_rng_free(w->shared);
  if (w->gen) gsl_rng_free(w->gen);
  free(w->out);
  free(w->tmp);
  free(w->f32);
  bnd_point_free(&w->pt);
  memset(w, 0, sizeof *w);
}

/* The streams of client c (slot c + 1) and the shared one (slot 0). */
static void set_streams(bnd_worker *w, uint32_t purpose, unsigned phase, uint32_t index,
                        uint32_t draw, size_t c) {
  uint64_t seed = w->st->t.o->seed;
  tpc_rng_stream(w->shared, seed, purpose, bnd_index(phase, index, draw, 0));
  tpc_rng_stream(w->rng, seed, purpose, bnd_index(phase, index, draw, c + 1));
}

static void to_f32(const double *v, float *f, size_t n) {
  for (size_t i = 0; i < n; i++) f[i] = (float)v[i];
}

static void from_f32(const float *f, double *v, size_t n) {
  for (size_t i = 0; i < n; i++) v[i] = (double)f[i];
}

/* The float32 path runs the kernel on float copies of its (float-exact)
** input and widens its output: the error is then measured in double. */
void bnd_compress(bnd_worker *w, tpc_comp *c, const double *x, double *out, tpc_ctx *ctx) {
  size_t d = w->st->t.d;
  tpc_msg_reset(&w->msg);
  if (w->st->t.o->dtype != TPC_F32) {
    tpc_comp_compress_f64(c, x, out, &w->msg, ctx);
    return;
  }
  float *fx = w->f32, *fout = w->f32 + d;
  to_f32(x, fx, d);
  tpc_comp_compress_f32(c, fx, fout, &w->msg, ctx);
  from_f32(fout, out, d);
}

/* out = C_{h,y}(x) for one client's d entries, in the checked dtype. */
static void mech_apply(bnd_worker *w, const double *h, const double *y, const double *x,
                       double *out, tpc_ctx *ctx) {
  size_t d = w->st->t.d;
  tpc_msg_reset(&w->msg);
  if (w->st->t.o->dtype != TPC_F32) {
    tpc_mech_apply_f64(w->mech, h, y, x, out, &w->msg, ctx);
    return;
  }
  float *fh = w->f32, *fy = fh + d, *fx = fy + d, *fout = fx + d;
  to_f32(h, fh, d);
  to_f32(y, fy, d);
  to_f32(x, fx, d);
  tpc_mech_apply_f32(w->mech, fh, fy, fx, fout, &w->msg, ctx);
  from_f32(fout, out, d);
}

/* Whether out differs from x anywhere: == on the element type (-0 == 0; a
** NaN differs), stopping at the first difference.  The output of a float32
** kernel is widened exactly and its input is float-exact (bnd_round), so
** comparing in double is comparing the floats. */
static int output_differs(const double *x, const double *out, size_t d) {
  for (size_t i = 0; i < d; i++)
    if (!(out[i] == x[i])) return 1;
  return 0;
}

double bnd_apply(bnd_worker *w, const bnd_point *p, uint32_t purpose, unsigned phase,
                 uint32_t index, uint32_t draw) {
  const bnd_target *t = &w->st->t;
  size_t d = t->d;
  double bits = 0;
  for (size_t c = 0; c < t->ncl; c++) {
    /* A per-client target runs as client index mod n (PermK's block). */
    size_t client = t->ncl > 1 ? c : index % t->n;
    tpc_ctx ctx = {.rng = w->rng, .shared = w->shared, .client = client};
    set_streams(w, purpose, phase, index, draw, c);
    if (w->comp) {
      bnd_compress(w, w->comp, p->x, w->out, &ctx);
      if (!w->output_changed) w->output_changed = output_differs(p->x, w->out, d);
    } else
      mech_apply(w, p->h + c * d, p->y + c * d, p->x + c * d, w->out + c * d, &ctx);
    bits += (double)tpc_wire_bits(&w->msg, TPC_WIRE_AUTO);
  }
  w->evals += (double)t->ncl;
  return bits / (double)t->ncl;
}

/* ||mean_c(a_c) - mean_c(b_c)||^2 over ncl blocks of d. */
static double mean_dist2(const double *a, const double *b, size_t d, size_t ncl, double f) {
  double s = 0;
  for (size_t i = 0; i < d; i++) {
    double q = 0;
    for (size_t c = 0; c < ncl; c++) q += (a[c * d + i] - b[c * d + i]) * f;
    q /= (double)ncl;
    s += q * q;
  }
  return s;
}

/* The left side of every draw, in four chains of additions: in one chain
** the sum's latency cost as much as the kernel at d = 1e5. */
double bnd_error(const bnd_worker *w, const bnd_point *p) {
  const bnd_target *t = &w->st->t;
  double f = ldexp(1.0, -p->scale);
  if (t->check == TPC_CHECK_AGGREGATE) return mean_dist2(w->out, p->x, t->d, t->ncl, f);
  return tpc_vec_dist2_scaled_4(w->out, p->x, t->len, f);
}

void bnd_norms(const bnd_worker *w, const bnd_point *p, uint32_t index, bnd_stat *s) {
  const bnd_target *t = &w->st->t;
  double f = ldexp(1.0, -p->scale), k = (double)t->ncl;
  s->client = (int)(t->ncl > 1 ? -1 : (int)(index % t->n));
  if (t->is_comp) {
    s->u = s->w = s->s2 = tpc_vec_norm2_scaled(p->x, t->d, f);
    s->v = 0;
    return;
  }
  s->v = tpc_vec_dist2_scaled(p->x, p->y, t->len, f) / k;
  s->w = tpc_vec_dist2_scaled(p->x, p->h, t->len, f) / k;
  s->s2 = (tpc_vec_norm2_scaled(p->h, t->len, f) + tpc_vec_norm2_scaled(p->y, t->len, f) +
           tpc_vec_norm2_scaled(p->x, t->len, f)) / k;
  s->u = t->check == TPC_CHECK_AGGREGATE ? mean_dist2(p->h, p->y, t->d, t->ncl, f)
                                         : tpc_vec_dist2_scaled(p->h, p->y, t->len, f);
}

/* Draws [s->e.n, upto) into s: draw j always runs on the streams of j. */
static void eval_draws(bnd_worker *w, const bnd_point *p, uint32_t purpose, unsigned phase,
                       uint32_t index, size_t upto, bnd_stat *s) {
  for (size_t j = s->e.n; j < upto; j++) {
    s->bits += bnd_apply(w, p, purpose, phase, index, (uint32_t)j);
    tpc_bounds_acc_add(&s->e, bnd_error(w, p));
  }
}

static void eval_start(bnd_worker *w, const bnd_point *p, uint32_t index, bnd_stat *s) {
  tpc_bounds_acc_init(&s->e);
  s->bits = 0;
  bnd_norms(w, p, index, s);
}

void bnd_eval(bnd_worker *w, const bnd_point *p, uint32_t purpose, unsigned phase,
              uint32_t index, size_t draws, bnd_stat *s) {
  eval_start(w, p, index, s);
  eval_draws(w, p, purpose, phase, index, w->st->t.deterministic ? 1 : draws, s);
}

/* The draws' count for q: a deterministic target's one value is exact. */
static size_t seq_last(const bnd_target *t, const bnd_seq *q) {
  return t->deterministic ? 1 : q->last;
}

double bnd_seq_level(const bnd_target *t, const bnd_seq *q) {
  return q->delta / (double)tpc_bounds_seq_count(q->first, seq_last(t, q));
}

double bnd_ucb(const tpc_bounds_acc *a, double delta) {
  return a->mean + tpc_bounds_bernstein(a, delta, a->max - a->min);
}

int bnd_seq_settled(const bnd_target *t, const bnd_stat *s, double level) {
  const tpc_bounds_acc *a = &s->e;
  double bound = bnd_bound(t, s);
  if (tpc_bounds_lcb(a, level, bound) > bound) return 1;
  return bnd_ucb(a, level) < bound;
}

void bnd_eval_seq(bnd_worker *w, const bnd_point *p, uint32_t purpose, unsigned phase,
                  uint32_t index, const bnd_seq *q, bnd_stat *s) {
  const bnd_target *t = &w->st->t;
  size_t last = seq_last(t, q), checks = tpc_bounds_seq_count(q->first, last);
  double level = bnd_seq_level(t, q);
  eval_start(w, p, index, s);
  for (size_t c = 0; c < checks; c++) {
    eval_draws(w, p, purpose, phase, index, tpc_bounds_seq_at(q->first, last, c), s);
    if (c + 1 < checks && bnd_seq_settled(t, s, level)) break;
  }
}

/* Floating-point allowance: tol relative to the right side and to the
** magnitudes the output was computed from.  Without it a triple whose right
** side is 0 (x = y for LAG, or 3PCv1 with the identity) would read as a
** violation made of rounding errors. */
double bnd_ratio(const bnd_target *t, double e, double rhs, double s2) {
  if (isnan(e)) return INFINITY; /* a NaN output: the left side is not finite */
  double slack = t->tol * (rhs + s2);
  if (rhs > 0) return fmax(e - slack, 0.0) / rhs;
  if (e <= slack) return s2 > 0 ? 1.0 : 0.0; /* 0 <= 0: the bound is met with equality */
  return INFINITY;
}

double bnd_rhs(const bnd_target *t, const bnd_stat *s) {
  return t->cu * s->u + t->cv * s->v + t->cw * s->w;
}

double bnd_bound(const bnd_target *t, const bnd_stat *s) {
  double rhs = bnd_rhs(t, s);
  return rhs + t->tol * (rhs + s->s2);
}

void bnd_record(const bnd_target *t, const bnd_stat *s, double delta, int family,
                uint32_t index, int confirm, int scale, tpc_bounds_point *rec) {
  /* The upper bound takes the draws' range for the support (a heuristic:
  ** bnd_ucb); the lower bound, which decides violations, truncates at
  ** levels above the point's bound instead (THEORY.md T-STATS). */
  memset(rec, 0, sizeof *rec);
  rec->family = family;
  rec->confirm = confirm;
  rec->index = index;
  rec->draws = (uint32_t)s->e.n;
  rec->scale_log2 = scale;
  rec->client = s->client;
  rec->e = s->e.mean;
  rec->e_lcb = tpc_bounds_lcb(&s->e, delta, bnd_bound(t, s));
  rec->e_ucb = bnd_ucb(&s->e, delta);
  rec->u = s->u;
  rec->v = s->v;
  rec->w = s->w;
  rec->s2 = s->s2;
  rec->rhs = bnd_rhs(t, s);
  rec->ratio = bnd_ratio(t, rec->e, rec->rhs, s->s2);
  rec->ratio_lcb = bnd_ratio(t, rec->e_lcb, rec->rhs, s->s2);
  rec->ratio_ucb = bnd_ratio(t, rec->e_ucb, rec->rhs, s->s2);
  rec->bits = s->e.n ? s->bits / (double)s->e.n : 0;
}

/* ---- the parallel loop ------------------------------------------------------ */

static void progress_step(const bnd_state *st) {
  const tpc_bounds_opts *o = st->t.o;
  size_t done;
#pragma omp atomic capture
  done = ++st->progress->done;
  if (o->progress) o->progress(o->progress_ctx, done, st->progress->total);
}

int bnd_parallel(const bnd_state *st, size_t count, bnd_task fn, void *arg, int *stopped) {
  const tpc_bounds_opts *o = st->t.o;
  size_t first_fail = count;
  int fail_status = TPC_OK, stop = 0;
  char fail_msg[256] = "";
#pragma omp parallel num_threads(o->threads > 0 ? o->threads : 1)
  {
    bnd_worker w;
    int status = bnd_worker_init(&w, st);
    if (status != TPC_OK) {
#pragma omp critical(bnd_fail)
      if (fail_status == TPC_OK) {
        fail_status = status;
        first_fail = 0;
        snprintf(fail_msg, sizeof fail_msg, "%s", tpc_error_msg());
      }
    }
#pragma omp for schedule(dynamic, 1)
    for (size_t i = 0; i < count; i++) {
      int halt;
#pragma omp atomic read
      halt = stop;
      if (status != TPC_OK || halt) continue;
      if (o->stop && o->stop()) {
#pragma omp atomic write
        stop = 1;
        continue;
      }
      int rc = fn(&w, i, arg);
      if (rc != TPC_OK) {
#pragma omp critical(bnd_fail)
        if (i < first_fail) {
          first_fail = i;
          fail_status = rc;
          snprintf(fail_msg, sizeof fail_msg, "%s", tpc_error_msg());
        }
      }
      progress_step(st);
    }
    if (status == TPC_OK) {
#pragma omp critical(bnd_evals)
      {
        st->progress->evals += w.evals;
        st->progress->output_changed |= w.output_changed;
      }
      bnd_worker_free(&w);
    }
  }
  if (stopped) *stopped = stop;
  if (fail_status != TPC_OK) return tpc_error(fail_status, "%s", fail_msg);
  return TPC_OK;
}
