/*
** Statistics of the benchmark: what `tpc bench` reports for one case and what
** `tpc bench compare` reports for two runs of a case.
**
** Timings are not normal (they have a floor and a long right tail: page
** faults, interrupts, another process), so everything here is
** distribution-free: the median with an order-statistic confidence interval,
** the median absolute deviation, Tukey's fences for outliers, the
** Mann-Whitney test, and a Hodges-Lehmann estimate of the ratio of two runs
** with the Moses confidence interval that inverts that same test.
**
** Sample arrays are in nanoseconds per call; functions taking `sorted` need
** them in increasing order.  Nothing here allocates except where a `work`
** array cannot be supplied by the caller (tpc_bench_ratio_ci, documented).
*/
#ifndef TPC_BENCH_STATS_H
#define TPC_BENCH_STATS_H

#include <stddef.h>

/* The summary stored with each case (bench_cases, db/README.md). */
typedef struct tpc_bench_summary {
  size_t n;
  double median;
  double mad;         /* median of |x_i - median|, unscaled */
  double ci_lo, ci_hi;/* order-statistic interval for the median */
  double ci_level;    /* its exact coverage (>= the level asked when n allows) */
  double q1, q3;      /* quartiles (linear interpolation, GSL's definition) */
  size_t outliers;    /* outside [q1 - 1.5 iqr, q3 + 1.5 iqr] */
  double min, max;
} tpc_bench_summary;

/* Median of sorted[0..n), n >= 1 (the mean of the two middle values for even n). */
double tpc_bench_median(const double *sorted, size_t n);

/* Median absolute deviation about `median`; work has n doubles. */
double tpc_bench_mad(const double *x, size_t n, double median, double *work);

/* The 1-based ranks (lo, n + 1 - lo) of the distribution-free interval for
** the median at confidence `level`: the largest lo such that
** 1 - 2 P(B <= lo - 1) >= level with B ~ Binomial(n, 1/2).  When even
** lo = 1 (the whole range) falls short (n < 8 at 99%), lo = 1.  *coverage is
** the interval's exact coverage 1 - 2 P(B <= lo - 1).  n >= 1. */
void tpc_bench_median_ci_ranks(size_t n, double level, size_t *lo, size_t *hi,
                               double *coverage);

/* Observations outside Tukey's fences [q1 - 1.5 iqr, q3 + 1.5 iqr]. */
size_t tpc_bench_tukey_outliers(const double *sorted, size_t n, double *q1,
                                double *q3);

/* Sort x in place and fill *s; work has n doubles.  n >= 1. */
void tpc_bench_summarize(double *x, size_t n, double level, double *work,
                         tpc_bench_summary *s);

/* Mann-Whitney test of a (na) against b (nb), both >= 1: *u is U of a (the
** number of pairs with a_i > b_j, ties counting one half) and *p the
** two-sided p-value: exact (the null distribution by recursion) when there
** are no ties and na + nb <= 50, else the normal approximation with the tie
** correction of the variance and a continuity correction.  TPC_OK, or
** TPC_ENOMEM. */
int tpc_bench_mann_whitney(const double *a, size_t na, const double *b,
                           size_t nb, double *u, double *p);

/* Ratio of b to a in the multiplicative shift model (b ~ r a): *est is the
** Hodges-Lehmann estimate exp(median of log b_j - log a_i) and [*lo, *hi] the
** Moses interval at `level`: the order statistics of the na nb differences
** at the ranks where the Mann-Whitney statistic reaches its critical values
** (exact distribution when na + nb <= 50, else normal).  All values > 0.
** Allocates the na nb differences.  TPC_OK, TPC_EINPUT for a value <= 0, or
** TPC_ENOMEM. */
int tpc_bench_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
                       double level, double *est, double *lo, double *hi);

/* P(U <= u) under the null hypothesis for sample sizes n and m (no ties),
** exactly; n + m <= 50 (so the counts fit a double exactly).  Exposed for
** tests.  Returns a negative value when out of memory. */
double tpc_bench_mw_cdf(size_t n, size_t m, double u);

#endif
