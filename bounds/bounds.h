/*
** tpc bounds: empirical verification of the constants a compressor or a
** mechanism declares (THEORY.md T1-T3; the statistics are T-STATS).
**
** One call of tpc_bounds_run checks one spec at dimension d with n clients:
**
**   base compressor   E||C(x) - x||^2 <= c ||x||^2 with c = 1 - alpha
**                     (contractive), omega (unbiased), the smaller of the two
**                     (both); for a declared-unbiased one also E C(x) = x
**   mechanism (3PC)   E||C_{h,y}(x) - x||^2 <= (1 - A)||h - y||^2 + B||x - y||^2
**   MARINA            the same form for the average over the n clients
**   shifted, DIANA    E||C_h(x) - x||^2 <= c ||x - h||^2 (and E C_h(x) = x
**                     for a shifted unbiased Q)
**
** Points (a vector x, or triples (h, y, x)) come from families of test
** vectors and from an adversarial search; each is evaluated exactly (a
** deterministic target) or from up to M sequential draws with one-sided
** empirical Bernstein bounds (a randomized one: a point stops where its
** bounds settle it, THEORY.md T-STATS); the worst points are re-estimated
** with fresh streams before the verdict.  Every quantity is stored per point, so a
** report can re-analyse them.  See bounds/check.c for the procedure and the
** statistics, and db/README.md for the stored columns.
**
** The result is flat (no pointers besides the two arrays the caller
** provides), so that a child process can write it into shared memory
** (bounds/isolate.c) and the parent alone writes the database.
*/
#ifndef TPC_BOUNDS_H
#define TPC_BOUNDS_H

#include <stddef.h>
#include <stdint.h>

#include "registry/registry.h"
#include "spec/spec.h"
#include "wire/msg.h"

/* Families of points (the stored `family` column uses these names). */
typedef enum {
  TPC_FAM_GAUSSIAN = 0, /* iid N(0, 1) */
  TPC_FAM_HEAVY,        /* Student t with 1 (Cauchy), 2, 3 degrees of freedom */
  TPC_FAM_SPARSE,       /* 1, 2, 3, d/10, d/4 Gaussian nonzeros */
  TPC_FAM_EQUAL,        /* equal magnitudes c 2^a, c in {1, 4/3, 3/2, U[1,2)} */
  TPC_FAM_TIES,         /* magnitudes 1 + eps U(-1, 1), eps 1e-3 .. 1e-15 */
  TPC_FAM_SCALES,       /* the above normalized and scaled to 1e-300 .. 1e300,
                           and per-coordinate magnitudes 10^U(-150, 150) */
  TPC_FAM_WORST,        /* compressors: 1-hot and bumped equal vectors;
                           mechanisms: the tight EF21 construction of T3 on the
                           worst vectors found for each compressor part */
  TPC_FAM_BOUNDARY,     /* triggers: ||x - h||^2 = zeta (1 + eps) ||x - y||^2 */
  TPC_FAM_SEARCH,       /* the adversarial search's results */
  TPC_FAM_COUNT
} tpc_bounds_family;

/* Mask of every family a user can select (all but SEARCH, which
** --search-budget controls). */
#define TPC_BOUNDS_FAMILIES_ALL ((1u << TPC_FAM_SEARCH) - 1u)

const char *tpc_bounds_family_name(int family);

/* Parse "gaussian,sparse,..." or "all" into a mask; TPC_EINPUT with a
** message naming an unknown family. */
int tpc_bounds_families_parse(const char *list, unsigned *mask);

/* What is checked (the stored `check_kind` column). */
typedef enum {
  TPC_CHECK_NONE = 0,  /* a compressor that declares no class: only measured */
  TPC_CHECK_ALPHA,     /* contractive: rhs (1 - alpha)||x||^2 */
  TPC_CHECK_OMEGA,     /* unbiased: rhs omega ||x||^2, and E C(x) = x */
  TPC_CHECK_BOTH,      /* both: rhs min(1 - alpha, omega)||x||^2, and E C(x) = x */
  TPC_CHECK_3PC,       /* (3PC) per client */
  TPC_CHECK_AGGREGATE, /* MARINA's aggregate form over n clients */
  TPC_CHECK_SHIFT      /* c ||x - h||^2 (and E C_h(x) = x when declared) */
} tpc_bounds_check;

const char *tpc_bounds_check_name(int check);

typedef enum {
  TPC_VERDICT_PASS = 0,
  TPC_VERDICT_VIOLATED,
  TPC_VERDICT_INCONCLUSIVE,
  TPC_VERDICT_ERROR /* the evaluation crashed, hung or failed */
} tpc_bounds_verdict;

const char *tpc_bounds_verdict_name(int verdict);

typedef struct tpc_bounds_opts {
  size_t d, n;             /* dimension and clients (n: PermK, MARINA) */
  size_t trials;           /* points per family */
  size_t draws;            /* M: most draws per point of a randomized target
                              (sequential: THEORY.md T-STATS) */
  unsigned families;       /* mask of tpc_bounds_family bits */
  size_t search_budget;    /* objective evaluations of the search; 0: none */
  double confidence;       /* 1 - delta, in (0, 1) */
  uint64_t seed;
  int threads;
  tpc_dtype dtype;         /* the kernels checked: TPC_F64 (default) or TPC_F32 */
  /* Called from any thread with work units done and the total; may be NULL. */
  void (*progress)(void *ctx, size_t done, size_t total);
  void *progress_ctx;
  /* Polled between units of work; nonzero stops the run (the result is
  ** marked interrupted).  May be NULL. */
  int (*stop)(void);
} tpc_bounds_opts;

/* The defaults: d 100, n 4, 48 trials, 1000 draws, every family, a search
** budget of 2000, confidence 0.99, seed 1, one thread, float64. */
void tpc_bounds_opts_init(tpc_bounds_opts *o);

/* Limits of the stream layout (bounds/internal.h): TPC_EINPUT with a message
** when an option is out of range. */
int tpc_bounds_opts_check(const tpc_bounds_opts *o);

/* One evaluated point.  e, u, v, w, s2 are in units of 4^scale_log2 (the
** point was divided by 2^scale_log2 before squaring, so 1e-300 and 1e300
** neither underflow nor overflow); ratios do not depend on the unit. */
typedef struct tpc_bounds_point {
  int32_t family;     /* tpc_bounds_family */
  int32_t confirm;    /* 0: screening estimate; 1: fresh re-estimate of a
                         worst point; 2: of a point on the frontier */
  uint32_t index;     /* index within the family */
  uint32_t draws;     /* draws behind e (1 for a deterministic target) */
  int32_t scale_log2;
  int32_t client;     /* the client a per-client target ran as */
  double e;           /* estimate of the left side E||C(.) - x||^2 */
  double e_lcb, e_ucb;/* one-sided bounds on it (equal to e when exact) */
  double u, v, w;     /* ||h - y||^2, ||x - y||^2, ||x - h||^2 (compressors:
                         u = w = ||x||^2, v = 0; MARINA: the T3 averages) */
  double s2;          /* ||h||^2 + ||y||^2 + ||x||^2: the floating-point scale */
  double rhs;         /* the declared right side */
  double ratio;       /* (e - fp)/rhs, fp the floating-point allowance */
  double ratio_lcb, ratio_ucb;
  double bits;        /* mean encoded bits of one client message */
} tpc_bounds_point;

/* One point of the empirical frontier B_hat(A) = max_i (e_i - (1-A) u_i)/v_i
** (at least 0) with e_i the estimate, its lower bound and its upper bound. */
typedef struct tpc_bounds_fpoint {
  double A;
  double B;           /* from the estimates e */
  double B_lcb;       /* from e_lcb: with confidence, every valid B(A) is above */
  double B_ucb;       /* from e_ucb */
} tpc_bounds_fpoint;

typedef struct tpc_bounds_summary {
  int32_t check;          /* tpc_bounds_check */
  int32_t verdict;        /* tpc_bounds_verdict */
  int32_t deterministic;
  int32_t has_AB;         /* a 3PC pair is declared: frontier computed */
  int32_t loose;          /* worst ratio < 0.5, or identity_output against a
                             positive declared right side */
  int32_t no_compression; /* mean message bits >= the dense 64 d */
  int32_t identity_output; /* compressors: every call's output equalled its
                              input, coordinate by coordinate */
  int32_t interrupted;
  int32_t worst_family;
  uint32_t worst_index;
  uint32_t unb_tests;     /* unbiasedness: tests run, and Holm rejections of */
  uint32_t unb_rejected;  /* the sound test (THEORY.md T-STATS) */
  uint32_t unb_doubted;   /* Holm rejections at face value (observed range) */
  uint32_t npoints;       /* points screened */
  double alpha, omega, A, B, c;    /* declared (0 where not declared) */
  double sup, sup_ucb;    /* compressors: max E||C(x)-x||^2/||x||^2 found */
  double worst_ratio, worst_ratio_lcb, worst_ratio_ucb;
  double loose_factor;    /* 1/worst_ratio (+inf for identity_output) */
  double front_A, front_B, front_BA; /* argmin of B_hat(A)/A, and the min */
  double front_BA_lcb;    /* the min of B_lcb(A)/A */
  double B_at_A;          /* B_hat at the declared A */
  double step_emp, step_decl, step_gain; /* 1/(1 + sqrt(B/A)) and the ratio */
  double step_gain_max;   /* the ratio from front_BA_lcb */
  double unb_p;           /* smallest Holm-adjusted p-value (1 if none) */
  double draws_needed;    /* inconclusive: the --draws that would decide
                             (HUGE_VAL: none would); 0 otherwise */
  double bits_mean, bits_max, dense_bits;
  double evaluations;     /* compressor/mechanism calls made */
  double seconds;
  char reason[240];       /* one line: why this verdict */
} tpc_bounds_summary;

typedef struct tpc_bounds_result {
  tpc_bounds_summary sum;
  size_t npoints, cap_points;
  tpc_bounds_point *points;
  size_t nfront, cap_front;
  tpc_bounds_fpoint *front;
} tpc_bounds_result;

/* Capacities a result needs for options o (every point and frontier point
** tpc_bounds_run can produce). */
size_t tpc_bounds_cap_points(const tpc_bounds_opts *o);
size_t tpc_bounds_cap_front(void);

/* A result with malloc'd arrays of those capacities; NULL when out of
** memory.  tpc_bounds_result_free(NULL) is a no-op. */
tpc_bounds_result *tpc_bounds_result_alloc(const tpc_bounds_opts *o);
void tpc_bounds_result_free(tpc_bounds_result *r);

/* Check that spec builds at o->d, o->n (and names what is wrong otherwise:
** TPC_EINPUT), without evaluating anything. */
int tpc_bounds_validate(const tpc_registry *reg, const tpc_spec *spec,
                        const tpc_bounds_opts *o);

/* Run the whole check of one spec into res (its arrays must have the
** capacities above).  TPC_OK with res->sum.verdict set; TPC_EINPUT for a
** spec that does not build; TPC_ENOMEM.  Results are the same for any
** o->threads. */
int tpc_bounds_run(const tpc_registry *reg, const tpc_spec *spec,
                   const tpc_bounds_opts *o, tpc_bounds_result *res);

/* The same in a child process (bounds/sandbox.h) with a time limit: the
** child writes the result into shared memory and the parent copies it into
** res.  A crash, a hang, an exit or an error in the child gives TPC_OK with
** res->sum.verdict = TPC_VERDICT_ERROR and the reason (the signal, the
** time-out, the child's message); when o->stop asked the parent to stop, the
** child is killed at once and res->sum.interrupted is set as well.  Returns
** TPC_EIO when the child cannot be started, TPC_ENOMEM. */
int tpc_bounds_run_isolated(const tpc_registry *reg, const tpc_spec *spec,
                            const tpc_bounds_opts *o, double timeout_s,
                            tpc_bounds_result *res);

/* tpc_bounds_validate in a child process, for a spec whose init or consts
** is a plugin's: its status and message, or TPC_ECHILD with what happened
** to the child ("killed by signal 11 (...)", "timed out after 2 s");
** TPC_EIO when the child cannot be started, TPC_ENOMEM. */
int tpc_bounds_validate_isolated(const tpc_registry *reg, const tpc_spec *spec,
                                 const tpc_bounds_opts *o, double timeout_s);

/* Make res the result of a spec that could not be evaluated: verdict error
** with the reason `why`, no points. */
void tpc_bounds_result_error(tpc_bounds_result *res, const char *why);

struct tpc_store;

/* Store one spec's result under run_id (tables bounds_specs,
** bounds_points, bounds_frontier; one transaction). */
int tpc_bounds_store(struct tpc_store *st, int64_t run_id, int position,
                     const char *spec, const tpc_bounds_opts *o,
                     const tpc_bounds_result *res);

/* What fixes the results of a tpc bounds run, for tpc_cli_run_start: every
** option of o but threads and callbacks, and the n canonical specs in order,
** one "key=value" a line.  Each spec's evaluation draws from streams of
** (seed, purpose, index) alone (rng/pcg.h), never from its position or the
** specs before it, so equal settings give equal rows spec by spec.  Malloc'd;
** NULL when out of memory. */
char *tpc_bounds_settings(const tpc_bounds_opts *o, char *const *specs, size_t n);

/* The specs run_id has stored, for --resume: verdicts[i] is the verdict of
** the spec at position i, or -1 where none was stored.  TPC_EINPUT when a
** stored position is not below n; TPC_ESTORE. */
int tpc_bounds_stored(struct tpc_store *st, int64_t run_id, size_t n, int *verdicts);

#endif
