/*
** Complexity as a measured scaling law (THEORY.md T12): `tpc rate --scaling
** kappa|omega FAMILY METHOD...`.  FAMILY is a quad spec without kappa= or
** lambda= (src/problems/quad.c); the swept variable takes N log-spaced
** values of a grid:
**
**   kappa  quad(...,kappa=V): f's condition number L-/mu is exactly V;
**   omega  every method's clients' compressor, written `urandk` without k
**          (ef21p_diana(urandk,topk(k=5))), becomes urandk(k=V) with V
**          rounded to an integer in [1, d - 1]: omega = d/k - 1 is the
**          value fitted against.  A method without such an argument (gd,
**          any mechanism of Algorithm 1) sends the same bits whatever omega
**          is and is refused.
**
** Each (method, value) runs once from the problem's x^0 until f(x^t) - f*
** <= eps (f(x^0) - f*) (tpc_alg1_opts.f_stop; at the server's model x^t) or
** the cap T, and records the bits per client to get there: uplink (all the
** clients' bits / n), downlink (the broadcast every client receives) and
** their total, encoded and in the papers' values-only count.  A point that
** does not reach eps is reported and left out of the fits.
**
** Step: the step of the first theorem of the catalogue whose step rule
** applies to the method on the point's problem (catalogue.h; theorems with
** a fixed step for a given T are skipped: T is a cap here), or, without one
** or with `grid`, the best of the multipliers 2^0, 2^-1, ..., 2^-K of 1/L-:
** the fewest total bits to eps, scanning down until a smaller multiplier
** needs more bits than the best so far (a theorem's step is often far below
** the largest that converges, so the grid does not start from it).
**
** Fit: log(bits) = a + s log(value) by least squares over the reached points
** (gsl_fit_linear), with the 95 % Student-t interval of s (n - 2 degrees of
** freedom), for the total bits (and up, down, total in the papers' count).
** Prediction: for kappa 1 for the non-accelerated methods and 1/2 for the
** accelerated ones (twodirection: AGD, 2Direction where its first term
** dominates, T11); for omega the slope of the method's complexity formula.
** Verdict: "consistent" when the interval holds the prediction, "differs"
** otherwise, "inconclusive" with fewer than 3 reached points.  A scaling law
** is evidence about how the bits grow, not a theorem's bound: "differs" says
** the grid shows another exponent (a pre-asymptotic grid, a step rule that
** scales differently, a slower method), and the complexity formula's own
** slope over the same grid (its hidden constants 1) is printed beside it to
** show how far the grid is from the asymptotic regime.
**
** Storage: every run a rate_checks row (experiment 'scaling', label
** 'kappa=V' or 'omega=V'), scaling_points and scaling_fits
** (db/013_scaling.sql).  The runs record f(x^t) at the model; a kept run
** that reached eps before half the cap, and so kept one point every
** T / max_points rounds, is run again with the cap just past its rounds
** (the same run bit for bit, checked) and that row is the point's, with
** max_points points for the report's convergence figure.
*/
#ifndef TPC_THEOREMS_SCALING_H
#define TPC_THEOREMS_SCALING_H

#include <stddef.h>
#include <stdint.h>

#include "registry/registry.h"

struct tpc_store;

typedef enum { TPC_SCALING_KAPPA = 0, TPC_SCALING_OMEGA } tpc_scaling_var;

/* "kappa", "omega". */
const char *tpc_scaling_var_name(tpc_scaling_var v);

typedef struct tpc_scaling_opts {
  tpc_scaling_var var;
  double lo, hi;           /* the grid: npoints log-spaced values in [lo, hi] */
  size_t npoints;
  double eps_rel;          /* run to f - f* <= eps_rel (f(x^0) - f*) */
  uint64_t T;              /* iteration cap per run */
  int step_grid;           /* the best multiplier even where a theorem has a step */
  int grid_k;              /* multipliers 2^0 .. 2^-grid_k */
  uint64_t seed;
  int threads;
  int wire_check;
  uint64_t max_points;     /* points kept per stored run */
  /* Tests plant a slower method: every step is multiplied by this (NULL:
  ** none) of the point's kappa. */
  double (*step_scale)(double kappa);
  int (*cancel)(void *ctx);
  void *cancel_ctx;
  void (*progress)(void *ctx, size_t done, size_t total);
  void *progress_ctx;
} tpc_scaling_opts;

/* kappa 1e2:1e5:7, eps_rel 1e-6, T 10^6, grid_k 8, one thread, 500 points. */
void tpc_scaling_opts_init(tpc_scaling_opts *o, tpc_scaling_var var);

/* Read "LO:HI:N" (0 < LO <= HI, N >= 2, N = 1 with LO = HI) into o.
** TPC_EINPUT naming what is wrong. */
int tpc_scaling_grid_parse(const char *text, tpc_scaling_opts *o);

/* One (method, value). */
typedef struct tpc_scaling_point {
  double value;            /* the swept variable: kappa, or omega = d/k - 1 */
  double kappa, omega;     /* the problem's L-/mu; the clients' omega (NaN: none) */
  char problem[256];       /* the point's problem spec */
  char method[256];        /* the point's method spec, canonical */
  double gamma;
  int ran;                 /* 0: not run (the run was interrupted first) */
  int grid;                /* 1: the best multiplier of 1/L-; 0: the theorem's step */
  const char *theorem;     /* the catalogue id whose step it is (NULL: grid) */
  double mult;             /* gamma / that step (gamma L- for the grid) */
  int reached;
  uint64_t iters;
  double up, down, up_paper, down_paper;   /* bits per client */
  double rounds;           /* the rounds the theory's formula states (scaling.c) */
  double formula;          /* times the values a client sends per round */
  const char *formula_rule;/* which: "T11", "T9.3", "T5 PL" */
  int accelerated;         /* twodirection: the prediction for kappa is 1/2 */
  int64_t check_id;        /* the stored run (0: none) */
} tpc_scaling_point;

typedef enum { TPC_SCALING_CONSISTENT = 0, TPC_SCALING_DIFFERS, TPC_SCALING_INCONCLUSIVE }
    tpc_scaling_verdict;

/* "consistent", "differs", "inconclusive". */
const char *tpc_scaling_verdict_name(tpc_scaling_verdict v);

/* The bits a fit is of. */
typedef enum {
  TPC_SCALING_BITS_TOTAL = 0, TPC_SCALING_BITS_UP, TPC_SCALING_BITS_DOWN,
  TPC_SCALING_BITS_TOTAL_PAPER, TPC_SCALING_BITS_KINDS
} tpc_scaling_bits;

/* "total", "up", "down", "total_paper". */
const char *tpc_scaling_bits_name(tpc_scaling_bits b);

typedef struct tpc_scaling_fit {
  size_t npoints;          /* reached points fitted */
  double intercept, slope, lo, hi;   /* NaN when inconclusive */
  double prediction;
  const char *prediction_rule;       /* "non-accelerated: 1", "formula T9.3", ... */
  double formula_slope;    /* slope of log(formula) over the same points */
  tpc_scaling_verdict verdict;
} tpc_scaling_fit;

/* Fit log y = a + s log x over n points (x, y > 0) with the 95 % Student-t
** interval of s, and the verdict against `prediction`; fewer than 3 points:
** inconclusive, NaN slope and interval. */
void tpc_scaling_fit_points(const double *x, const double *y, size_t n, double prediction,
                            tpc_scaling_fit *fit);

typedef struct tpc_scaling tpc_scaling;

/* Check everything before anything runs: the family (a quad spec without
** kappa or lambda), every point's problem (a kappa out of reach), every
** method on it (omega: its urandk argument), the grid.  TPC_EINPUT naming
** what is wrong; TPC_ENOMEM. */
tpc_scaling *tpc_scaling_alloc(const tpc_registry *reg, const char *family,
                               const char *const *methods, size_t nmethods,
                               const tpc_scaling_opts *o, int *status);
void tpc_scaling_free(tpc_scaling *s);

/* Run every point, storing each run and the points and fits under run_id.
** TPC_OK also when cancelled (what finished is stored, no fits). */
int tpc_scaling_run(tpc_scaling *s, struct tpc_store *store, int64_t run_id);

/* The units of tpc_scaling_run, independent (a sweep's units, dist/sweep.h):
** point u is method u / npoints at value u % npoints.  tpc_scaling_unit_run
** runs it and stores its runs and scaling_points row (TPC_OK also when
** cancelled: no point row then); tpc_scaling_unit_result gives what it
** found as bytes (malloc'd) for another process, whose
** tpc_scaling_unit_take sets the point from them, its check_id moved by
** check_shift where its rows were merged.  tpc_scaling_finish, once every
** point is set: the fits and their rows (none when cancelled). */
size_t tpc_scaling_nunits(const tpc_scaling *s);
int tpc_scaling_unit_run(tpc_scaling *s, size_t u, struct tpc_store *store, int64_t run_id);
int tpc_scaling_unit_result(const tpc_scaling *s, size_t u, void **bytes, size_t *len);
int tpc_scaling_unit_take(tpc_scaling *s, size_t u, const void *bytes, size_t len,
                          int64_t check_shift);
int tpc_scaling_finish(tpc_scaling *s, struct tpc_store *store, int64_t run_id);

/* A named experiment run by this machinery (`tpc rate --experiment NAME`):
** its family, methods, grid and options live here, so the command line
** only parses, dispatches and prints. */
typedef struct tpc_scaling_preset {
  const char *name;
  const char *about;       /* what it runs and how it differs from the paper */
  const char *family;
  const char *const *methods;
  size_t nmethods;
  tpc_scaling_var var;
  double lo, hi;           /* the default grid */
  size_t npoints;
  uint64_t T;              /* the default cap */
  int step_grid;           /* the best multiplier of 1/L- for every method */
} tpc_scaling_preset;

/* "2direction" (THEORY.md T11, T12): quad(d=100,n=10) over kappa 1e2..1e5,
** 2Direction against EF21-P + DIANA and AGD; NULL for another name. */
const tpc_scaling_preset *tpc_scaling_preset_find(const char *name);

/* The options of a preset: tpc_scaling_opts_init and its grid, T, step. */
void tpc_scaling_preset_opts(const tpc_scaling_preset *p, tpc_scaling_opts *o);

tpc_scaling_var tpc_scaling_variable(const tpc_scaling *s);
size_t tpc_scaling_nmethods(const tpc_scaling *s);
size_t tpc_scaling_npoints(const tpc_scaling *s);
const char *tpc_scaling_method(const tpc_scaling *s, size_t m);
const tpc_scaling_point *tpc_scaling_get_point(const tpc_scaling *s, size_t m, size_t k);
const tpc_scaling_fit *tpc_scaling_get_fit(const tpc_scaling *s, size_t m, tpc_scaling_bits b);

#endif
