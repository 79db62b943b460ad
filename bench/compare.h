/*
** Two runs of one case, compared (`tpc bench compare RUN_A RUN_B`, the
** timings of `tpc regress`, `tpc bench calibrate`).
**
** The effect is the ratio r of B's pooled median to A's.  Its interval is
** the round-level one of rounds.h (THEORY.md T-BENCH): a two-level bootstrap
** over each run's rounds, then over the samples within them, so that it
** covers what a rerun would see (memory placement, frequency, a neighbour),
** not only the noise within one process.  Beside it, for contrast, the
** within-round construction that tpc used before rounds: the Hodges-Lehmann
** estimate with the Moses interval on all samples pooled (stats.h) and the
** Mann-Whitney p-value; it treats every sample as independent and so takes
** run-to-run differences for effects.
**
** Verdicts, with t the threshold (0.05 by default), from an interval:
**   slower   the whole interval lies above 1 + t: a regression (exit 1)
**   faster   the whole interval lies below 1 / (1 + t)
**   same     the interval lies inside [1 / (1 + t), 1 + t]
**   unclear  otherwise (not enough rounds to tell at this threshold), and
**            always when a run has fewer than TPC_BENCH_MIN_ROUNDS rounds
*/
#ifndef TPC_BENCH_COMPARE_H
#define TPC_BENCH_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "bench/rounds.h"
#include "bench/store_bench.h"

typedef enum {
  TPC_BENCH_SAME = 0,
  TPC_BENCH_SLOWER,
  TPC_BENCH_FASTER,
  TPC_BENCH_UNCLEAR
} tpc_bench_verdict;

typedef struct tpc_bench_cmp {
  double ratio;      /* estimate of B / A */
  double lo, hi;     /* its interval at the level asked */
  double w_lo, w_hi; /* within-round (pooled samples) interval, for contrast */
  double u;          /* Mann-Whitney U of B against A (pooled samples) */
  double p;          /* its two-sided p-value */
  int few_rounds;    /* a run had fewer than TPC_BENCH_MIN_ROUNDS rounds */
  tpc_bench_verdict verdict;
} tpc_bench_cmp;

/* "same", "slower", "faster", "unclear". */
const char *tpc_bench_verdict_name(tpc_bench_verdict v);

/* The verdict of an interval [lo, hi] of a ratio at `threshold`. */
tpc_bench_verdict tpc_bench_verdict_of(double lo, double hi, double threshold);

/* Compare run b with run a at `level` (0.99) and `threshold` (0.05), the
** bootstrap seeded by `seed`.  TPC_OK, TPC_EINPUT (a sample <= 0, a round
** without samples), or TPC_ENOMEM. */
int tpc_bench_compare(const tpc_bench_rounds *a, const tpc_bench_rounds *b, double level,
                      double threshold, uint64_t seed, tpc_bench_cmp *out);

/* The within-round comparison alone, on pooled samples: ratio, w_lo, w_hi
** (also copied to lo, hi), u, p and the verdict of that interval.  This is
** the method that takes run-to-run noise for effects; kept for the contrast
** column and for the A/A test that shows why (tests/test_bench_rounds.c). */
int tpc_bench_compare_within(const double *a, size_t na, const double *b, size_t nb,
                             double level, double threshold, tpc_bench_cmp *out);

/* ---- two stored runs, case by case (tpc bench compare) -------------------- */

/* What a comparison of two runs found: kernel cases by verdict, the cases
** compared (kernels and bandwidths), those of one run only, those whose
** samples could not be compared, and those of different kernel paths. */
typedef struct tpc_bench_tally {
  size_t verdicts[4]; /* indexed by tpc_bench_verdict; kernel cases only */
  size_t matched, only_a, only_b, skipped, other_path;
} tpc_bench_tally;

/* One compared case: m NULL when a and b ran different kernel paths (not
** compared); instructions when m compares instruction counts, not times. */
typedef void (*tpc_bench_row_fn)(void *ctx, const tpc_bench_row *a, const tpc_bench_row *b,
                                 const tpc_bench_cmp *m, int instructions);

/* Match every case of A with the same case of B (tpc_bench_same_case) and
** compare them at 99% and `threshold`: instruction counts when both runs
** have them (exact or nearly, so the ratio is its own interval), else the
** timings by tpc_bench_compare, seeded by B's seed.  row (may be NULL) sees
** each compared case and each of another path, in A's order; *t is zeroed
** first.  TPC_OK or TPC_ENOMEM. */
int tpc_bench_compare_runs(const tpc_bench_rows *A, const tpc_bench_rows *B, double threshold,
                           tpc_bench_row_fn row, void *ctx, tpc_bench_tally *t);

#endif
