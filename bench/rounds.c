/*
** Round-level intervals (rounds.h): the two-level bootstrap of a pooled
** median and of the ratio of two runs' pooled medians (THEORY.md T-BENCH).
*/
#include "bench/rounds.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "rng/pcg.h"

static size_t round_start(const tpc_bench_rounds *s, size_t r) { return r ? s->end[r - 1] : 0; }

static double round_scale(const tpc_bench_rounds *s, size_t r) {
  return s->scale ? s->scale[r] : 1.0;
}

/* Every round has a sample, every sample and scale is > 0. */
static int check(const tpc_bench_rounds *s) {
  if (s->n == 0) return tpc_error(TPC_EINPUT, "rounds: no round");
  for (size_t r = 0; r < s->n; r++) {
    if (s->end[r] <= round_start(s, r) || !(round_scale(s, r) > 0))
      return tpc_error(TPC_EINPUT, "rounds: round %zu has no sample or no floor", r);
    for (size_t i = round_start(s, r); i < s->end[r]; i++)
      if (!(s->x[i] > 0)) return tpc_error(TPC_EINPUT, "rounds: a sample is not positive");
  }
  return TPC_OK;
}

/* Median of all samples, each divided by its round's scale; work has
** end[n - 1] doubles (gsl_stats_median reorders it). */
static double pooled_median(const tpc_bench_rounds *s, double *work) {
  size_t m = 0;
  for (size_t r = 0; r < s->n; r++)
    for (size_t i = round_start(s, r); i < s->end[r]; i++) work[m++] = s->x[i] / round_scale(s, r);
  return gsl_stats_median(work, 1, m);
}

/* log of the median of one two-level resample: n rounds drawn with
** replacement, and as many samples as each drawn round has, drawn from it
** with replacement.  work holds at least n times the largest round. */
static double resample_log_median(const tpc_bench_rounds *s, gsl_rng *rng, double *work) {
  size_t m = 0;
  for (size_t i = 0; i < s->n; i++) {
    size_t r = gsl_rng_uniform_int(rng, s->n), a = round_start(s, r), len = s->end[r] - a;
    double scale = round_scale(s, r);
    for (size_t j = 0; j < len; j++) work[m++] = s->x[a + gsl_rng_uniform_int(rng, len)] / scale;
  }
  return log(gsl_stats_median(work, 1, m));
}

static size_t largest_round(const tpc_bench_rounds *s) {
  size_t big = 0;
  for (size_t r = 0; r < s->n; r++)
    if (s->end[r] - round_start(s, r) > big) big = s->end[r] - round_start(s, r);
  return big;
}

/* The bootstrap variance of log(median), corrected by R / (R - 1): a
** resample of R rounds carries only (R - 1) / R of the between-round
** variance.  *est is the pooled median.  n >= 2. */
static int log_median_var(const tpc_bench_rounds *s, gsl_rng *rng, double *est, double *var) {
  size_t big = largest_round(s), need = s->n * big > s->end[s->n - 1] ? s->n * big
                                                                       : s->end[s->n - 1];
  double *work = malloc(need * sizeof *work), *boot = malloc(TPC_BENCH_BOOT * sizeof *boot);
  if (!work || !boot) {
    free(work);
    free(boot);
    return tpc_error(TPC_ENOMEM, "out of memory (bootstrap of %zu samples)", need);
  }
  *est = pooled_median(s, work);
  for (size_t b = 0; b < TPC_BENCH_BOOT; b++) boot[b] = resample_log_median(s, rng, work);
  double R = (double)s->n;
  *var = gsl_stats_variance(boot, 1, TPC_BENCH_BOOT) * R / (R - 1.0);
  free(work);
  free(boot);
  return TPC_OK;
}

static gsl_rng *boot_rng(uint64_t seed) {
  gsl_rng *r = tpc_rng_alloc_stream(seed, TPC_PURPOSE_BENCH_BOOT, 0);
  if (!r) tpc_error(TPC_ENOMEM, "out of memory (bootstrap generator)");
  return r;
}

/* est * exp(+-z sqrt(var)) at two-sided `level`. */
static void interval(double est, double var, double level, double *lo, double *hi) {
  double h = gsl_cdf_ugaussian_Qinv((1.0 - level) / 2.0) * sqrt(var);
  *lo = est * exp(-h);
  *hi = est * exp(h);
}

int tpc_bench_rounds_median_ci(const tpc_bench_rounds *s, double level, uint64_t seed,
                               double *est, double *lo, double *hi) {
  int rc = check(s);
  if (rc) return rc;
  *lo = 0;
  *hi = INFINITY;
  if (s->n < 2) {
    double *work = malloc(s->end[0] * sizeof *work);
    if (!work) return tpc_error(TPC_ENOMEM, "out of memory (median)");
    *est = pooled_median(s, work);
    free(work);
    return TPC_OK;
  }
  gsl_rng *rng = boot_rng(seed);
  if (!rng) return TPC_ENOMEM;
  double var;
  rc = log_median_var(s, rng, est, &var);
  if (!rc) interval(*est, var, level, lo, hi);
  gsl_rng_free(rng);
  return rc;
}

int tpc_bench_rounds_ratio_ci(const tpc_bench_rounds *a, const tpc_bench_rounds *b,
                              double level, uint64_t seed, double *est, double *lo,
                              double *hi) {
  int rc = check(a);
  if (!rc) rc = check(b);
  if (rc) return rc;
  double ea, eb, va = 0, vb = 0;
  if (a->n < 2 || b->n < 2) {
    double x, y;
    rc = tpc_bench_rounds_median_ci(a, level, seed, &ea, &x, &y);
    if (!rc) rc = tpc_bench_rounds_median_ci(b, level, seed, &eb, &x, &y);
    *est = rc ? 0 : eb / ea;
    *lo = 0;
    *hi = INFINITY;
    return rc;
  }
  gsl_rng *rng = boot_rng(seed);
  if (!rng) return TPC_ENOMEM;
  rc = log_median_var(a, rng, &ea, &va);
  if (!rc) rc = log_median_var(b, rng, &eb, &vb);
  if (!rc) {
    *est = eb / ea;
    interval(*est, va + vb, level, lo, hi);
  }
  gsl_rng_free(rng);
  return rc;
}

int tpc_bench_rounds_spread(const tpc_bench_rounds *s, double *cv) {
  int rc = check(s);
  if (rc) return rc;
  *cv = 0;
  if (s->n < 2) return TPC_OK;
  double *med = malloc((s->n + largest_round(s)) * sizeof *med), *work = med + s->n;
  if (!med) return tpc_error(TPC_ENOMEM, "out of memory (spread of %zu rounds)", s->n);
  for (size_t r = 0; r < s->n; r++) {
    tpc_bench_rounds one = {s->x + round_start(s, r), NULL, NULL, 1};
    size_t len = s->end[r] - round_start(s, r);
    one.end = &len;
    med[r] = pooled_median(&one, work) / round_scale(s, r);
  }
  double mean = gsl_stats_mean(med, 1, s->n);
  *cv = gsl_stats_sd_m(med, 1, s->n, mean) / mean;
  free(med);
  return TPC_OK;
}
