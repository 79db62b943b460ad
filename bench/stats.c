/*
** Distribution-free statistics of timings (stats.h): the per-case summary of
** `tpc bench` and the two-run comparison of `tpc bench compare`.
**
** The exact null distribution of the Mann-Whitney statistic is counted by
** the classic recursion on the largest observation: it belongs to the first
** sample (and beats all m of the second) or to the second, so
** c(n, m, u) = c(n - 1, m, u - m) + c(n, m - 1, u).  Counts up to
** C(50, 25) < 2^53 are exact in a double, hence the n + m <= 50 limit.
*/
#include "bench/stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define EXACT_MAX 50

double tpc_bench_median(const double *sorted, size_t n) {
  return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

double tpc_bench_mad(const double *x, size_t n, double median, double *work) {
  for (size_t i = 0; i < n; i++) work[i] = fabs(x[i] - median);
  gsl_sort(work, 1, n);
  return tpc_bench_median(work, n);
}

void tpc_bench_median_ci_ranks(size_t n, double level, size_t *lo, size_t *hi,
                               double *coverage) {
  double alpha = 1.0 - level;
  size_t best = 1;
  /* P(B <= j - 1) grows with j: walk up while the interval keeps its level. */
  for (size_t j = 2; j <= (n + 1) / 2; j++) {
    if (2.0 * gsl_cdf_binomial_P((unsigned)(j - 1), 0.5, (unsigned)n) > alpha) break;
    best = j;
  }
  *lo = best;
  *hi = n + 1 - best;
  *coverage = 1.0 - 2.0 * gsl_cdf_binomial_P((unsigned)(best - 1), 0.5, (unsigned)n);
}

size_t tpc_bench_tukey_outliers(const double *sorted, size_t n, double *q1,
                                double *q3) {
  *q1 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.25);
  *q3 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.75);
  double iqr = *q3 - *q1, low = *q1 - 1.5 * iqr, high = *q3 + 1.5 * iqr;
  size_t count = 0;
  for (size_t i = 0; i < n; i++) count += sorted[i] < low || sorted[i] > high;
  return count;
}

void tpc_bench_summarize(double *x, size_t n, double level, double *work,
                         tpc_bench_summary *s) {
  size_t lo, hi;
  gsl_sort(x, 1, n);
  memset(s, 0, sizeof *s);
  s->n = n;
  s->median = tpc_bench_median(x, n);
  s->mad = tpc_bench_mad(x, n, s->median, work);
  tpc_bench_median_ci_ranks(n, level, &lo, &hi, &s->ci_level);
  s->ci_lo = x[lo - 1];
  s->ci_hi = x[hi - 1];
  s->outliers = tpc_bench_tukey_outliers(x, n, &s->q1, &s->q3);
  s->min = x[0];
  s->max = x[n - 1];
}

/* ---- Mann-Whitney ---------------------------------------------------------- */

/* cdf[v] = P(U <= v), v = 0 .. n m, for sample sizes n and m without ties;
** NULL when out of memory.  Free with free(). */
static double *mw_cdf_table(size_t n, size_t m) {
  size_t w = n * m + 1;
  /* prev[j][v] = c(i - 1, j, v), cur[j][v] = c(i, j, v) */
  double *prev = calloc((m + 1) * w, sizeof *prev);
  double *cur = calloc((m + 1) * w, sizeof *cur);
  double *cdf = malloc(w * sizeof *cdf);
  if (!prev || !cur || !cdf) {
    free(prev);
    free(cur);
    free(cdf);
    return NULL;
  }
  for (size_t j = 0; j <= m; j++) prev[j * w] = 1.0; /* c(0, j, 0) = 1 */
  for (size_t i = 1; i <= n; i++) {
    memset(cur, 0, (m + 1) * w * sizeof *cur);
    cur[0] = 1.0; /* c(i, 0, 0) = 1 */
    for (size_t j = 1; j <= m; j++)
      for (size_t v = 0; v <= i * j; v++)
        cur[j * w + v] = (v >= j ? prev[j * w + v - j] : 0.0) + cur[(j - 1) * w + v];
    double *t = prev;
    prev = cur;
    cur = t;
  }
  double total = 0.0, run = 0.0;
  for (size_t v = 0; v < w; v++) total += prev[m * w + v];
  for (size_t v = 0; v < w; v++) {
    run += prev[m * w + v];
    cdf[v] = run / total;
  }
  free(prev);
  free(cur);
  return cdf;
}

double tpc_bench_mw_cdf(size_t n, size_t m, double u) {
  if (u < 0) return 0.0;
  if (u >= (double)(n * m)) return 1.0;
  double *cdf = mw_cdf_table(n, m);
  if (!cdf) return -1.0;
  double f = cdf[(size_t)floor(u)];
  free(cdf);
  return f;
}

typedef struct ranked {
  double v;
  int from_a;
} ranked;

static int ranked_cmp(const void *x, const void *y) {
  double a = ((const ranked *)x)->v, b = ((const ranked *)y)->v;
  return (a > b) - (a < b);
}

/* Sum of the midranks of a's observations, and sum (t^3 - t) over tie groups. */
static int rank_sum(const double *a, size_t na, const double *b, size_t nb,
                    double *ra, double *ties) {
  size_t n = na + nb;
  ranked *r = malloc(n * sizeof *r);
  if (!r) return tpc_error(TPC_ENOMEM, "out of memory (Mann-Whitney, %zu values)", n);
  for (size_t i = 0; i < na; i++) r[i] = (ranked){a[i], 1};
  for (size_t j = 0; j < nb; j++) r[na + j] = (ranked){b[j], 0};
  qsort(r, n, sizeof *r, ranked_cmp);
  *ra = 0.0;
  *ties = 0.0;
  for (size_t i = 0; i < n;) {
    size_t e = i + 1;
    while (e < n && r[e].v == r[i].v) e++;
    double mid = 0.5 * (double)(i + 1 + e), t = (double)(e - i);
    for (size_t q = i; q < e; q++)
      if (r[q].from_a) *ra += mid;
    *ties += t * t * t - t;
    i = e;
  }
  free(r);
  return TPC_OK;
}

int tpc_bench_mann_whitney(const double *a, size_t na, const double *b,
                           size_t nb, double *u, double *p) {
  double ra = 0, ties = 0;
  int rc = rank_sum(a, na, b, nb, &ra, &ties);
  if (rc) return rc;
  double n = (double)na, m = (double)nb, N = n + m, mean = n * m / 2.0;
  *u = ra - n * (n + 1.0) / 2.0;
  if (ties == 0.0 && na + nb <= EXACT_MAX) {
    double *cdf = mw_cdf_table(na, nb);
    if (!cdf) return tpc_error(TPC_ENOMEM, "out of memory (Mann-Whitney)");
    /* U is an integer without ties; P(U >= u) = P(U <= nm - u) by symmetry */
    double lower = cdf[(size_t)*u], upper = cdf[na * nb - (size_t)*u];
    free(cdf);
    *p = fmin(1.0, 2.0 * fmin(lower, upper));
    return TPC_OK;
  }
  double var = n * m / 12.0 * ((N + 1.0) - ties / (N * (N - 1.0)));
  if (var <= 0.0) {
    *p = 1.0; /* every observation equal */
    return TPC_OK;
  }
  double z = fmax(0.0, fabs(*u - mean) - 0.5) / sqrt(var);
  *p = fmin(1.0, 2.0 * gsl_cdf_ugaussian_Q(z));
  return TPC_OK;
}

/* The 1-based rank c of the lower Moses bound: the largest c >= 1 with
** P(U <= c - 1) <= (1 - level)/2, capped at the middle. */
static size_t moses_rank(size_t na, size_t nb, double level) {
  double half = (1.0 - level) / 2.0, nm = (double)(na * nb);
  size_t c = 1, mid = (na * nb + 1) / 2;
  double *cdf = na + nb <= EXACT_MAX ? mw_cdf_table(na, nb) : NULL;
  if (cdf) {
    while (c + 1 <= mid && cdf[c] <= half) c++; /* cdf[c] = P(U <= (c + 1) - 1) */
    free(cdf);
    return c;
  }
  /* Larger samples (or no memory for the table): the normal approximation. */
  double sd = sqrt(nm * ((double)(na + nb) + 1.0) / 12.0);
  double v = floor(nm / 2.0 + 0.5 - gsl_cdf_ugaussian_Qinv(half) * sd);
  if (v < 1.0) return 1;
  return v > (double)mid ? mid : (size_t)v;
}

int tpc_bench_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
                       double level, double *est, double *lo, double *hi) {
  size_t nd = na * nb;
  for (size_t i = 0; i < na; i++)
    if (!(a[i] > 0)) return tpc_error(TPC_EINPUT, "ratio of timings: a value is not positive");
  for (size_t j = 0; j < nb; j++)
    if (!(b[j] > 0)) return tpc_error(TPC_EINPUT, "ratio of timings: a value is not positive");
  double *diff = malloc(nd * sizeof *diff);
  if (!diff) return tpc_error(TPC_ENOMEM, "out of memory (%zu differences)", nd);
  for (size_t i = 0; i < na; i++)
    for (size_t j = 0; j < nb; j++) diff[i * nb + j] = log(b[j]) - log(a[i]);
  gsl_sort(diff, 1, nd);
  size_t c = moses_rank(na, nb, level);
  *est = exp(tpc_bench_median(diff, nd));
  *lo = exp(diff[c - 1]);
  *hi = exp(diff[nd - c]);
  free(diff);
  return TPC_OK;
}
