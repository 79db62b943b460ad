/*
** Tests of the benchmark statistics (bench/stats.h) and of the two-run
** comparison (bench/compare.h) against values computed by hand: medians,
** MAD, the order-statistic ranks of the median's interval against binomial
** tail sums, Tukey's fences, the Mann-Whitney U and p (exact and with ties),
** and the verdicts on synthetic sample sets with a planted slowdown.  No
** timing is measured here.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#include "bench/compare.h"
#include "bench/stats.h"
#include "rng/pcg.h"

Test(bench_stats, median_odd_and_even) {
  double odd[] = {1, 2, 3}, even[] = {1, 2, 3, 4};
  cr_assert(eq(dbl, tpc_bench_median(odd, 3), 2.0));
  cr_assert(eq(dbl, tpc_bench_median(even, 4), 2.5));
  cr_assert(eq(dbl, tpc_bench_median(odd, 1), 1.0));
}

/* {1,2,3,4,100}: median 3, deviations {2,1,0,1,97}, their median 1: the
** outlier does not move it. */
Test(bench_stats, mad_ignores_one_outlier) {
  double x[] = {4, 1, 100, 3, 2}, work[5];
  cr_assert(eq(dbl, tpc_bench_mad(x, 5, 3.0, work), 1.0));
}

/* Ranks of the 99% interval and their exact coverage, from the binomial tail
** sums computed by hand: n = 20: P(B <= 3) = 1351/2^20 <= 0.005 but
** P(B <= 4) = 6196/2^20 > 0.005, so ranks 4 and 17; n = 100: ranks 37 and 64
** (coverage 0.99336..., the textbook table); n = 5, 8: the whole range with
** coverage 1 - 2/2^n, below 99% for n = 5. */
Test(bench_stats, median_ci_ranks) {
  size_t lo, hi;
  double cov;
  tpc_bench_median_ci_ranks(20, 0.99, &lo, &hi, &cov);
  cr_assert(eq(sz, lo, 4));
  cr_assert(eq(sz, hi, 17));
  cr_assert(ieee_ulp_eq(dbl, cov, 1.0 - 2.0 * 1351.0 / 1048576.0, 64));
  tpc_bench_median_ci_ranks(100, 0.99, &lo, &hi, &cov);
  cr_assert(eq(sz, lo, 37));
  cr_assert(eq(sz, hi, 64));
  cr_assert(epsilon_eq(dbl, cov, 0.9933628794840739, 1e-12));
  tpc_bench_median_ci_ranks(5, 0.99, &lo, &hi, &cov);
  cr_assert(eq(sz, lo, 1));
  cr_assert(eq(sz, hi, 5));
  cr_assert(ieee_ulp_eq(dbl, cov, 0.9375, 4));
  tpc_bench_median_ci_ranks(8, 0.99, &lo, &hi, &cov);
  cr_assert(eq(sz, lo, 1));
  cr_assert(ieee_ulp_eq(dbl, cov, 1.0 - 2.0 / 256.0, 4));
}

/* Quartiles by linear interpolation (n = 11: positions 2.5 and 7.5), fences
** at 1.5 IQR: exactly the planted value is outside, on either side. */
Test(bench_stats, tukey_fences) {
  double high[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100};
  double low[] = {-50, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  double q1, q3;
  cr_assert(eq(sz, tpc_bench_tukey_outliers(high, 11, &q1, &q3), 1));
  cr_assert(eq(dbl, q1, 3.5));
  cr_assert(eq(dbl, q3, 8.5));
  cr_assert(eq(sz, tpc_bench_tukey_outliers(low, 11, &q1, &q3), 1));
  cr_assert(eq(dbl, q1, 2.5));
  cr_assert(eq(sz, tpc_bench_tukey_outliers(high, 10, &q1, &q3), 0));
}

Test(bench_stats, summarize_sorts_and_fills) {
  double x[20], work[20];
  for (int i = 0; i < 20; i++) x[i] = (double)(20 - i); /* 20 .. 1 */
  tpc_bench_summary s;
  tpc_bench_summarize(x, 20, 0.99, work, &s);
  cr_assert(eq(dbl, s.median, 10.5));
  cr_assert(eq(dbl, s.ci_lo, 4.0)); /* ranks 4 and 17 of 1..20 */
  cr_assert(eq(dbl, s.ci_hi, 17.0));
  cr_assert(eq(dbl, s.mad, 5.0));   /* deviations 0.5, 0.5, 1.5, 1.5, ... */
  cr_assert(eq(dbl, s.min, 1.0));
  cr_assert(eq(dbl, s.max, 20.0));
  cr_assert(eq(sz, s.outliers, 0));
}

/* The null distribution of U for n = m = 3 (20 arrangements) has counts
** 1 1 2 3 3 3 3 2 1 1 for u = 0..9. */
Test(bench_stats, mann_whitney_null_distribution) {
  static const double counts[] = {1, 1, 2, 3, 3, 3, 3, 2, 1, 1};
  double run = 0;
  for (int u = 0; u < 10; u++) {
    run += counts[u];
    cr_assert(ieee_ulp_eq(dbl, tpc_bench_mw_cdf(3, 3, u), run / 20.0, 4));
  }
  cr_assert(eq(dbl, tpc_bench_mw_cdf(3, 3, -1), 0.0));
}

/* Exact p without ties: complete separation of 3 against 3 has p = 2/20;
** {1,3,5} against {2,4,6}: U = 3, p = 2 P(U <= 3) = 2 * 7/20. */
Test(bench_stats, mann_whitney_exact) {
  double a[] = {1, 2, 3}, b[] = {4, 5, 6}, c[] = {1, 3, 5}, e[] = {2, 4, 6}, u, p;
  cr_assert(eq(int, tpc_bench_mann_whitney(a, 3, b, 3, &u, &p), 0));
  cr_assert(eq(dbl, u, 0.0));
  cr_assert(ieee_ulp_eq(dbl, p, 0.1, 4));
  cr_assert(eq(int, tpc_bench_mann_whitney(b, 3, a, 3, &u, &p), 0));
  cr_assert(eq(dbl, u, 9.0));
  cr_assert(ieee_ulp_eq(dbl, p, 0.1, 4));
  cr_assert(eq(int, tpc_bench_mann_whitney(c, 3, e, 3, &u, &p), 0));
  cr_assert(eq(dbl, u, 3.0));
  cr_assert(ieee_ulp_eq(dbl, p, 0.7, 4));
}

/* Ties: a = {1,2,2,3}, b = {2,3,4,4}.  Midranks 1, 3, 3, 5.5 for a, so
** R = 12.5 and U = 2.5; tie groups of 3, 2, 2 give sum(t^3 - t) = 36 and
** var = (16/12)(9 - 36/56) = 11.142857...; z = (5.5 - 0.5)/sqrt(var) and
** p = erfc(z / sqrt 2) = 0.134169... (computed by hand and in Python). */
Test(bench_stats, mann_whitney_ties) {
  double a[] = {1, 2, 2, 3}, b[] = {2, 3, 4, 4}, u, p;
  cr_assert(eq(int, tpc_bench_mann_whitney(a, 4, b, 4, &u, &p), 0));
  cr_assert(eq(dbl, u, 2.5));
  cr_assert(epsilon_eq(dbl, p, 0.13416918012812581, 1e-12));
  double same[] = {5, 5, 5};
  cr_assert(eq(int, tpc_bench_mann_whitney(same, 3, same, 3, &u, &p), 0));
  cr_assert(eq(dbl, p, 1.0));
}

/* n samples of base * exp(0.02 N(0,1)) from a fixed stream. */
static void lognormal(double *x, size_t n, double base, uint64_t index) {
  gsl_rng *r = tpc_rng_alloc_stream(7, TPC_PURPOSE_TEST, index);
  cr_assert(ne(ptr, r, NULL));
  for (size_t i = 0; i < n; i++) x[i] = base * exp(0.02 * gsl_ran_gaussian(r, 1.0));
  gsl_rng_free(r);
}

/* b = 2 a elementwise: the pairwise log differences are symmetric about
** log 2, so the estimate is 2 (to rounding) and the interval holds it. */
Test(bench_stats, ratio_ci_of_scaled_copy) {
  double a[20], b[20], est, lo, hi;
  lognormal(a, 20, 1000, 1);
  for (int i = 0; i < 20; i++) b[i] = 2 * a[i];
  cr_assert(eq(int, tpc_bench_ratio_ci(a, 20, b, 20, 0.99, &est, &lo, &hi), 0));
  cr_assert(epsilon_eq(dbl, est, 2.0, 1e-12));
  cr_assert(le(dbl, lo, 2.0));
  cr_assert(ge(dbl, hi, 2.0));
  a[3] = 0;
  cr_assert(eq(int, tpc_bench_ratio_ci(a, 20, b, 20, 0.99, &est, &lo, &hi), 2));
}

/* Planted effects on 20 + 20 samples with 2% log-normal noise: the 99%
** interval of the ratio is about +-2.5% wide (2.58 sqrt(2/20) 2% plus the
** pairing), so a 20% slowdown lies far beyond the 5% threshold and a 1%
** one well inside it.  Fixed streams make the outcome deterministic. */
Test(bench_stats, compare_flags_planted_slowdown) {
  double a[20], b[20];
  tpc_bench_cmp m;
  lognormal(a, 20, 1000, 2);
  lognormal(b, 20, 1200, 3);
  cr_assert(eq(int, tpc_bench_compare_within(a, 20, b, 20, 0.99, 0.05, &m), 0));
  cr_assert(eq(int, m.verdict, TPC_BENCH_SLOWER));
  cr_assert(lt(dbl, 1.05, m.lo));
  cr_assert(lt(dbl, m.p, 1e-6));
  lognormal(b, 20, 1010, 3);
  cr_assert(eq(int, tpc_bench_compare_within(a, 20, b, 20, 0.99, 0.05, &m), 0));
  cr_assert(eq(int, m.verdict, TPC_BENCH_SAME));
  cr_assert(lt(dbl, m.lo, 1.05));
  lognormal(b, 20, 1000 / 1.2, 3);
  cr_assert(eq(int, tpc_bench_compare_within(a, 20, b, 20, 0.99, 0.05, &m), 0));
  cr_assert(eq(int, m.verdict, TPC_BENCH_FASTER));
}

/* A run compared with itself: ratio 1, p = 1, same. */
Test(bench_stats, compare_with_itself) {
  double a[25];
  tpc_bench_cmp m;
  lognormal(a, 25, 500, 4);
  cr_assert(eq(int, tpc_bench_compare_within(a, 25, a, 25, 0.99, 0.05, &m), 0));
  cr_assert(epsilon_eq(dbl, m.ratio, 1.0, 1e-12));
  cr_assert(eq(int, m.verdict, TPC_BENCH_SAME));
  cr_assert(lt(dbl, 0.9, m.p));
}

/* Large samples take the normal approximation: 200 + 200 with a planted 20%
** still flagged, and the interval contains the planted 1.2. */
Test(bench_stats, compare_large_samples) {
  double *a = malloc(200 * sizeof *a), *b = malloc(200 * sizeof *b);
  tpc_bench_cmp m;
  lognormal(a, 200, 1000, 5);
  lognormal(b, 200, 1200, 6);
  cr_assert(eq(int, tpc_bench_compare_within(a, 200, b, 200, 0.99, 0.05, &m), 0));
  cr_assert(eq(int, m.verdict, TPC_BENCH_SLOWER));
  cr_assert(le(dbl, m.lo, 1.2));
  cr_assert(ge(dbl, m.hi, 1.2));
  free(a);
  free(b);
}
