/*
** Internals of tpc bounds shared by its files: the target (what one spec
** declares and how its right side is formed), the per-thread worker that
** evaluates points, the point itself, the random streams, and the state of
** one check (bounds/check.c) that families and the search read.
**
** Streams.  Every random number comes from tpc_rng_stream(seed, purpose,
** index) with index = phase (8 bits) | point (20) | draw (24) | slot (12):
** `slot` 0 is the stream every client of a draw shares (PermK's permutation,
** MARINA's coin) and 1 + c client c's private one.  The phase keeps the
** generation of a point, its screening draws, its fresh re-estimate, the
** unbiasedness draws and the search apart, so a re-estimate never reuses a
** number the screening saw.  Nothing depends on which thread runs what.
*/
#ifndef TPC_BOUNDS_INTERNAL_H
#define TPC_BOUNDS_INTERNAL_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

#include "bounds/bounds.h"
#include "bounds/stats.h"
#include "comp/comp.h"
#include "core/cpu.h"
#include "mech/mech.h"
#include "wire/msg.h"

enum {
  BND_PHASE_GEN = 1,      /* generating a point's vectors */
  BND_PHASE_SCREEN = 2,   /* its M screening draws */
  BND_PHASE_CONFIRM = 3,  /* the fresh re-estimate */
  BND_PHASE_UNBIASED = 4, /* unbiasedness draws */
  BND_PHASE_PRESCREEN = 5,/* worst vectors of a mechanism's compressors */
  BND_PHASE_SEARCH = 6,   /* search moves (purpose SEARCH) */
  BND_PHASE_CRN = 7,      /* the search's common random numbers (SEARCH) */
  BND_PHASE_FRONTIER = 8  /* fresh re-estimates of the frontier's points */
};

/* Limits of the index layout. */
#define BND_MAX_POINT ((1u << 20) - 1u)
#define BND_MAX_DRAW ((1u << 24) - 1u)
#define BND_MAX_CLIENTS 4094u

static inline uint64_t bnd_index(unsigned phase, uint64_t point, uint64_t draw,
                                 uint64_t slot) {
  return ((uint64_t)phase << 56) | ((point & 0xFFFFFu) << 36) |
         ((draw & 0xFFFFFFu) << 12) | (slot & 0xFFFu);
}

/* Number of re-estimated points per ranking (by estimate, by lower bound),
** and their draws in multiples of M. */
#define BND_CONFIRM 4
#define BND_CONFIRM_DRAWS 16
/* The screening's first checkpoint: M / 2^BND_SEQ_DOUBLINGS draws. */
#define BND_SEQ_DOUBLINGS 3
/* Frontier points re-estimated per round, and rounds. */
#define BND_FRONT_REFRESH 16
#define BND_FRONT_ROUNDS 2
/* Grid of the frontier: log-spaced A in [1e-4, 1], plus the declared A. */
#define BND_GRID 81
/* Search restarts at most, and evaluations per restart at least. */
#define BND_MAX_RESTARTS 16
#define BND_RESTART_EVALS 250
/* Worst vectors kept per compressor part, and parts at most. */
#define BND_TOP 2
#define BND_MAX_PARTS 8
#define BND_MAX_ZETA 4
/* Candidates the prescreen tries per compressor part (families.c). */
#define BND_PRESCREEN 48

/* What one spec declares, read once (bounds/target.c). */
typedef struct bnd_target {
  const tpc_registry *reg;
  const tpc_spec *spec;
  const tpc_bounds_opts *o;
  int is_comp;
  int check;              /* tpc_bounds_check */
  size_t d, n;
  size_t ncl;             /* clients per point: n for MARINA, else 1 */
  size_t len;             /* ncl * d: the length of h, y, x */
  double cu, cv, cw;      /* rhs = cu u + cv v + cw w */
  int deterministic;
  int unbiased;           /* E out = x is declared: tested */
  int has_AB;
  double alpha, omega, A, B, c;
  size_t nzeta;           /* trigger parameters found in the spec tree */
  double zeta[BND_MAX_ZETA];
  double tol;             /* relative floating-point allowance (check.c) */
  double max_mag;         /* largest magnitude a point may hold (the dtype's range) */
} bnd_target;

/* A point: h, y, x of ncl * d each (h, y unused for a compressor), and the
** power of two every quantity is measured in. */
typedef struct bnd_point {
  double *h, *y, *x;
  int scale;
} bnd_point;

int bnd_point_alloc(bnd_point *p, size_t len);
void bnd_point_free(bnd_point *p);
void bnd_point_copy(bnd_point *dst, const bnd_point *src, size_t len);
/* Make p a point the kernels take as it is: every entry rounded to the
** checked dtype (bnd_round), then p->scale set to the exponent of the
** largest magnitude (frexp), so that dividing by 2^scale brings every entry
** to at most 1 in magnitude. */
void bnd_point_finish(const bnd_target *t, bnd_point *p);

/* Round v[0..len) to the checked dtype: for float32, to the nearest float
** (values beyond the float range to +-FLT_MAX), so that the errors measured
** in double are those of the float kernel on exactly its input. */
void bnd_round(const bnd_target *t, double *v, size_t len);

/* The worst vectors found for each compressor part of a mechanism, the
** search's points, and the target: everything families read. */
typedef struct bnd_progress {
  size_t done, total;
  double evals;           /* compressor/mechanism calls, all threads */
  int output_changed;     /* a compressor call's output differed from its
                             input (any thread): the OR of the workers' */
} bnd_progress;

typedef struct bnd_state {
  bnd_target t;
  bnd_progress *progress; /* units done and expected, for o->progress */
  size_t nparts;
  double part_alpha[BND_MAX_PARTS];     /* declared alpha, or -1 */
  size_t ntop[BND_MAX_PARTS];
  double *top[BND_MAX_PARTS][BND_TOP];  /* d each */
  size_t nsearch;
  bnd_point search[BND_MAX_RESTARTS];
} bnd_state;

/* Per-thread evaluator: its own instance of the spec (instances own their
** workspace and are not thread-safe), streams, message and buffers. */
typedef struct bnd_worker {
  const bnd_state *st;
  tpc_comp *comp;
  tpc_mech *mech;
  tpc_comp *parts[BND_MAX_PARTS];
  gsl_rng *rng, *shared, *gen;
  tpc_msg msg;
  double *out;      /* len */
  double *tmp;      /* d */
  float *f32;       /* float32 targets: h, y, x, out of len each */
  bnd_point pt;     /* scratch point */
  double evals;
  int output_changed; /* one of this worker's compressor calls returned
                         something other than its input */
} bnd_worker;

int bnd_worker_init(bnd_worker *w, const bnd_state *st);
void bnd_worker_free(bnd_worker *w);

/* One evaluation's sums: the left side per draw, and the point's norms. */
typedef struct bnd_stat {
  tpc_bounds_acc e;
  double bits;      /* sum over draws of the mean bits per client message */
  double u, v, w, s2;
  int client;
} bnd_stat;

/* The compressor parts of a mechanism in a fixed order (its own, then the
** inner mechanism's, recursively); at most max. */
size_t bnd_mech_parts(tpc_mech *m, tpc_comp **parts, size_t max);

/* ---- target.c ------------------------------------------------------------ */

/* Build the target of spec (declared constants, rhs coefficients,
** triggers); TPC_EINPUT when the spec does not build at o->d, o->n. */
int bnd_target_init(bnd_target *t, const tpc_registry *reg, const tpc_spec *spec,
                    const tpc_bounds_opts *o);

/* ---- eval.c -------------------------------------------------------------- */

/* Apply the target once to point p with the streams of (purpose, phase,
** index, draw): out = C(x) or C_{h,y}(x) per client.  Returns the mean
** encoded bits per client message.  For a compressor, notes in
** w->output_changed whether out differs from x (bnd_parallel gathers it). */
double bnd_apply(bnd_worker *w, const bnd_point *p, uint32_t purpose,
                 unsigned phase, uint32_t index, uint32_t draw);

/* out = c(x) for a compressor part of the target (d entries), in the
** checked dtype; x must be rounded to it (bnd_round). */
void bnd_compress(bnd_worker *w, tpc_comp *c, const double *x, double *out, tpc_ctx *ctx);

/* The left side of the inequality for w->out (scaled units). */
double bnd_error(const bnd_worker *w, const bnd_point *p);

/* u, v, w, s2 of p (scaled units) into s, and the client a per-client
** target runs as at this point (its index). */
void bnd_norms(const bnd_worker *w, const bnd_point *p, uint32_t index, bnd_stat *s);

/* The declared right side rhs = cu u + cv v + cw w at the norms in s. */
double bnd_rhs(const bnd_target *t, const bnd_stat *s);

/* What the declaration bounds the left side by, the floating-point
** allowance included: rhs + tol (rhs + s2).  A ratio above 1 is a left
** side above it. */
double bnd_bound(const bnd_target *t, const bnd_stat *s);

/* `draws` evaluations (1 for a deterministic target) into s. */
void bnd_eval(bnd_worker *w, const bnd_point *p, uint32_t purpose, unsigned phase,
              uint32_t index, size_t draws, bnd_stat *s);

/* A sequential estimate (THEORY.md T-STATS, sequential draws): draws at
** the checkpoints tpc_bounds_seq_at(first, last, .), stopping at the first
** where the point is settled: its lower bound above the point's bound (an
** exceedance) or its upper bound below it (within, at face value).  Every
** bound is at the level delta / tpc_bounds_seq_count. */
typedef struct bnd_seq {
  size_t first, last;
  double delta;
} bnd_seq;

/* The level of each checkpoint's bounds: q->delta over the checkpoints (a
** deterministic target has one draw, hence one checkpoint). */
double bnd_seq_level(const bnd_target *t, const bnd_seq *q);

/* The heuristic upper bound at level delta on the mean of the draws in a:
** Maurer-Pontil's half-width with the draws' range [min, max] for the
** support, as the face-value tests take it (stats.h).  No sample bounds a
** tail it has not seen; no verdict depends on it.  With [0, max] (before)
** the range term, about 29 max / n at n = M/8, kept points whose draws
** agreed to 1% at d = 1e5 from stopping unless far below their bound. */
double bnd_ucb(const tpc_bounds_acc *a, double delta);

/* Whether the draws in s settle the point at a checkpoint of level `level`:
** its lower bound above the point's bound (an exceedance) or bnd_ucb below
** it (within, at face value).  Stopping on the upper bound can only miss an
** exceedance, never make one up, so the lower bound keeps its guarantee. */
int bnd_seq_settled(const bnd_target *t, const bnd_stat *s, double level);

/* bnd_eval by the sequential rule q. */
void bnd_eval_seq(bnd_worker *w, const bnd_point *p, uint32_t purpose, unsigned phase,
                  uint32_t index, const bnd_seq *q, bnd_stat *s);

/* The stored record of an evaluation: bounds at level delta, rhs, ratios. */
void bnd_record(const bnd_target *t, const bnd_stat *s, double delta, int family,
                uint32_t index, int confirm, int scale, tpc_bounds_point *rec);

/* The adjusted ratio of a left side e to rhs (see check.c). */
double bnd_ratio(const bnd_target *t, double e, double rhs, double s2);

/* ---- families.c ---------------------------------------------------------- */

/* Points in family f (TPC_FAM_*) for the target, without SEARCH. */
size_t bnd_family_count(const bnd_state *st, int family);

/* Generate point (family, k) into p: deterministic in (seed, family, k). */
void bnd_generate(bnd_worker *w, int family, uint32_t k, bnd_point *p);

/* The global point index of (family, k): family * trials + k. */
uint32_t bnd_point_index(const tpc_bounds_opts *o, int family, uint32_t k);

/* Fill st->top: the worst vectors of each compressor part of a mechanism
** (prescreened over the base families with common random numbers). */
int bnd_find_worst(bnd_state *st);

/* ---- search.c ------------------------------------------------------------ */

/* Run the adversarial search from the screened points `seeds` (best first)
** into st->search; returns TPC_OK or TPC_ENOMEM. */
int bnd_search(bnd_state *st, const tpc_bounds_point *seeds, size_t nseeds);

/* Restarts the search makes for options o. */
size_t bnd_search_restarts(const tpc_bounds_opts *o);

/* ---- frontier.c ---------------------------------------------------------- */

/* The frontier of the points: grid values into front (BND_GRID + 1 points),
** the minimum of B_hat(A)/A (refined between grid points) into the summary. */
size_t bnd_frontier(const bnd_target *t, const tpc_bounds_point *pts, size_t npts,
                    tpc_bounds_fpoint *front, tpc_bounds_summary *sum);

/* B_hat(A) of the points from e (which 0), e_lcb (1) or e_ucb (2), and the
** index of the point that attains it (npts when B_hat is 0) in *arg. */
double bnd_frontier_B(const bnd_target *t, const tpc_bounds_point *pts, size_t npts,
                      double A, int which, size_t *arg);

/* A of grid point g of the frontier. */
double bnd_frontier_grid(size_t g);

/* ---- unbiased.c ---------------------------------------------------------- */

/* Test E out = x on points from the families: fills unb_tests, unb_rejected,
** unb_doubted, unb_p and, on a rejection or a doubt, the reason (and for a
** doubt the draws that would decide). */
int bnd_unbiased(const bnd_state *st, tpc_bounds_summary *sum);

/* Projections of the unbiasedness test: random directions, then x - h and
** sign(x - h). */
enum { BND_UNB_PROJ = 8, BND_UNB_NPROJ = BND_UNB_PROJ + 2 };

/* The per-coordinate sums of the unbiasedness test (arrays of d), in units
** of unit_i, and what each draw is compared with. */
typedef struct bnd_unb_cols {
  double *mean, *m2;     /* Welford's mean and squared deviations */
  double *min, *max;     /* the range of the draws */
  double *mag;           /* sum of |out_i| + |x_i| */
  const double *unit;    /* the unit of coordinate i, in 2^scale units */
  const double *x;       /* the point */
  const double *dirs;    /* projection directions, entry by entry (BND_UNB_NPROJ a row) */
} bnd_unb_cols;

/* Draw n (1-based) of coordinates [i0, i1) of the unbiasedness test, the
** sums of each coordinate and the draw's projections s[0..BND_UNB_NPROJ)
** (from 0 at the draw's first chunk, its chunks in index order), on the
** path isa: AVX2 as far as bnd_unb_draw_avx2 takes them, the rest in
** portable loops.  Every value is the bits of tpc_bounds_acc_add and of
** one chain of additions per projection in index order, on every path.
** Returns where the portable loops began (tests). */
size_t bnd_unb_chunk(const bnd_unb_cols *c, tpc_isa isa, const double *out, size_t i0,
                     size_t i1, double n, double f, double *range, double *s);

/* Draw n (1-based) of coordinates [i0, i1) on AVX2, four at a time: the
** sums of bounds/unbiased.c (add_coords, add_projections) with the same
** operations in the same order, bit for bit, in one loop, so that the
** projections' multiplications and additions run while the divider works.
** *range takes the largest |out_i 2^-scale| + |x_i 2^-scale|, s[0..10) the
** projections.  Returns the first coordinate left to the portable loops (at
** most 3 before i1).  Compiled with the AVX2 flags, called only where
** tpc_cpu_supports(TPC_ISA_AVX2). */
size_t bnd_unb_draw_avx2(const bnd_unb_cols *c, const double *out, size_t i0, size_t i1,
                         double n, double f, double *range, double *s);

/* ---- check.c ------------------------------------------------------------- */

/* "--draws N would decide" for an inconclusive verdict's reason, with the
** largest --draws allowed when N is beyond it, or that no number would. */
void bnd_advice(double draws, char *buf, size_t size);

/* ---- parallel work -------------------------------------------------------- */

/* Run fn(worker, i, arg) for i in [0, count) over o->threads threads, each
** with its own worker; returns the status of the lowest failing i, or
** TPC_OK.  Honours o->stop (then *stopped = 1) and reports progress. */
typedef int (*bnd_task)(bnd_worker *w, size_t i, void *arg);
int bnd_parallel(const bnd_state *st, size_t count, bnd_task fn, void *arg,
                 int *stopped);

#endif
