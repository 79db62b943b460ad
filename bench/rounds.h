/*
** Round-level statistics of `tpc bench` (THEORY.md T-BENCH): a case is timed
** in R rounds, each a fresh set of allocations with its own floors, and a
** round holds S samples.  Samples within a round share one allocation and
** one machine state, so their spread says nothing about what a rerun would
** see; the rounds do.  Intervals here come from a two-level bootstrap:
** resample the rounds with replacement, then the samples within each chosen
** round, and take the median of the pooled draw.
**
** The bootstrap's spread of log(median) gives a standard error se; the
** interval is log(estimate) +- z se sqrt(R / (R - 1)), z the normal
** quantile.  The factor: a resample of R rounds carries only (R - 1) / R of
** the between-round variance.  Why not the percentile interval: with R = 5
** its percentiles take a handful of distinct values.  Why z and not
** Student's t: on the two-level model of tests/test_bench_rounds.c (round
** CV 20%, outlier rounds at 1.87x, 2% within) z with the factor keeps the
** 99% interval's A/A false alarms at 2 of 300 (nominal 3), while t at
** df = R - 1 gave 0 of 300 and lost a third of the power (THEORY.md
** T-BENCH).  Everything is
** seeded: a seed fixes every interval.
*/
#ifndef TPC_BENCH_ROUNDS_H
#define TPC_BENCH_ROUNDS_H

#include <stddef.h>
#include <stdint.h>

/* Fewer rounds than this give no verdict: "unclear (too few rounds)". */
#define TPC_BENCH_MIN_ROUNDS 3

/* Bootstrap resamples per interval. */
#define TPC_BENCH_BOOT 1000

/* One case's samples, round after round. */
typedef struct tpc_bench_rounds {
  const double *x;      /* samples (ns per call), round 0 first */
  const size_t *end;    /* end[r]: one past round r's last sample */
  const double *scale;  /* a divisor per round (its floor), or NULL for 1 */
  size_t n;             /* rounds */
} tpc_bench_rounds;

/* Median of the pooled (scaled) samples, and its round-level interval at
** `level` in [*lo, *hi].  With fewer than 2 rounds the interval is
** [0, inf] (nothing is known about a rerun).  TPC_OK, TPC_EINPUT (no
** sample, a sample or scale <= 0) or TPC_ENOMEM. */
int tpc_bench_rounds_median_ci(const tpc_bench_rounds *s, double level, uint64_t seed,
                               double *est, double *lo, double *hi);

/* Ratio of b's pooled median to a's and its round-level interval; [0, inf]
** when either run has fewer than 2 rounds.  Errors as above. */
int tpc_bench_rounds_ratio_ci(const tpc_bench_rounds *a, const tpc_bench_rounds *b,
                              double level, uint64_t seed, double *est, double *lo,
                              double *hi);

/* The spread across rounds: the coefficient of variation (sd / mean) of the
** rounds' medians; 0 for one round.  Errors as above. */
int tpc_bench_rounds_spread(const tpc_bench_rounds *s, double *cv);

#endif
