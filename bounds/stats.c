/*
** Statistics of tpc bounds (see bounds/stats.h for the choice of bounds and
** THEORY.md T-STATS for why each is valid).
*/
#include "bounds/stats.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "core/vec.h"

void tpc_bounds_acc_init(tpc_bounds_acc *a) {
  a->n = 0;
  a->mean = a->m2 = 0;
  a->min = INFINITY;
  a->max = -INFINITY;
}

double tpc_bounds_acc_var(const tpc_bounds_acc *a) {
  return a->n < 2 ? 0.0 : fmax(a->m2, 0.0) / (double)(a->n - 1);
}

/* Maurer-Pontil's half-width for n >= 2 draws of sample variance var in a
** support of width range, at level delta. */
static double bernstein_hw(double var, double range, double n, double delta) {
  double l = log(2.0 / delta);
  return sqrt(2.0 * var * l / n) + 7.0 * range * l / (3.0 * (n - 1.0));
}

double tpc_bounds_bernstein(const tpc_bounds_acc *a, double delta, double range) {
  if (a->n < 2) return 0.0;
  return bernstein_hw(tpc_bounds_acc_var(a), range, (double)a->n, delta);
}

/* The truncation level of tpc_bounds_lcb for draws up to max: the first
** L_j = ref 2^(j/4), j >= 0, at or above max, with its weight's share of
** delta in *delta_j. */
static double lcb_level(double max, double ref, double delta, double *delta_j) {
  if (!(ref > 0) || !(ref < INFINITY)) ref = DBL_MIN;
  double j = max > ref ? fmax(ceil(4.0 * log2(max / ref)), 0.0) : 0.0;
  while (ref * exp2(j / 4.0) < max) j++; /* log2 rounded down */
  *delta_j = delta / ((j + 1.0) * (j + 2.0));
  return ref * exp2(j / 4.0);
}

double tpc_bounds_lcb(const tpc_bounds_acc *a, double delta, double ref) {
  if (a->n < 2) return a->mean;
  if (!(a->max < INFINITY)) return 0.0;
  double delta_j, level = lcb_level(a->max, ref, delta, &delta_j);
  return fmax(a->mean - bernstein_hw(tpc_bounds_acc_var(a), level, (double)a->n, delta_j), 0.0);
}

double tpc_bounds_lcb_draws(const tpc_bounds_acc *a, double delta, double ref, double mean,
                            double above) {
  if (a->n < 2) return 0.0;
  if (!(mean > above) || !(a->max < INFINITY)) return HUGE_VAL;
  double delta_j, level = lcb_level(a->max, ref, delta, &delta_j), var = tpc_bounds_acc_var(a);
  double lo = 2.0, hi = 0x1p62;
  if (mean - bernstein_hw(var, level, hi, delta_j) <= above) return HUGE_VAL;
  while (hi - lo > 1.0) { /* the half-width falls with n: lo fails, hi passes */
    double mid = floor((lo + hi) / 2.0);
    if (mean - bernstein_hw(var, level, mid, delta_j) > above) hi = mid;
    else lo = mid;
  }
  return mean - bernstein_hw(var, level, lo, delta_j) > above ? lo : hi;
}

size_t tpc_bounds_seq_count(size_t first, size_t last) {
  size_t count = 1;
  for (size_t n = first ? first : 1; n < last; n *= 2) count++;
  return count;
}

size_t tpc_bounds_seq_at(size_t first, size_t last, size_t j) {
  if (j + 1 >= tpc_bounds_seq_count(first, last)) return last;
  return first << j;
}

/* The draws' mean and mean square in units of sigma, for the test of a zero
** mean; 0 when they are not finite (an overflowed draw: no usable evidence). */
static int mean0_moments(const tpc_bounds_acc *a, double sigma, double *m, double *q) {
  if (a->n == 0 || !(sigma > 0) || !(sigma < INFINITY)) return 0;
  double rms = hypot(sqrt(fmax(a->m2, 0.0) / (double)a->n), a->mean) / sigma;
  *m = a->mean / sigma;
  *q = rms * rms;
  return isfinite(*m) && isfinite(*q);
}

/* The grid's 2^(-i/2) and ln(1 + beta^2 / 2), the same for every test:
** computed once (the unbiasedness test takes d + 10 p-values a point, and
** the libm calls per value were most of their cost). */
static double grid_beta[TPC_BOUNDS_MEAN0_GRID], grid_log[TPC_BOUNDS_MEAN0_GRID];
static pthread_once_t grid_once = PTHREAD_ONCE_INIT;

static void grid_init(void) {
  for (int i = 0; i < TPC_BOUNDS_MEAN0_GRID; i++) {
    grid_beta[i] = exp2(-0.5 * i);
    grid_log[i] = log1p(0.5 * grid_beta[i] * grid_beta[i]);
  }
}

/* The log e-value per draw at grid point i on side `sign`: beta m -
** beta^2 q / 2 - ln(1 + beta^2 / 2), beta = sign 2^(-i/2) (the sign does
** not change beta^2).  Callers run grid_init first (pthread_once). */
static double mean0_rate(double m, double q, int i, double sign) {
  double beta = sign * grid_beta[i];
  return beta * m - 0.5 * beta * beta * q - grid_log[i];
}

double tpc_bounds_mean0_p(const tpc_bounds_acc *a, double sigma) {
  double m, q, n = (double)a->n, l[2 * TPC_BOUNDS_MEAN0_GRID], top = -INFINITY, sum = 0;
  if (!mean0_moments(a, sigma, &m, &q)) return 1.0;
  pthread_once(&grid_once, grid_init);
  for (int k = 0; k < 2 * TPC_BOUNDS_MEAN0_GRID; k++) {
    l[k] = n * mean0_rate(m, q, k / 2, k % 2 ? -1.0 : 1.0);
    top = fmax(top, l[k]);
  }
  for (int k = 0; k < 2 * TPC_BOUNDS_MEAN0_GRID; k++) sum += exp(l[k] - top);
  /* p = 2 GRID / sum of the e-values, in logarithms (they overflow). */
  return fmin(1.0, exp(log(2.0 * TPC_BOUNDS_MEAN0_GRID) - top - log(sum)));
}

double tpc_bounds_mean0_draws(const tpc_bounds_acc *a, double sigma, double level) {
  double m, q, best = 0;
  if (!mean0_moments(a, sigma, &m, &q)) return HUGE_VAL;
  pthread_once(&grid_once, grid_init);
  for (int k = 0; k < 2 * TPC_BOUNDS_MEAN0_GRID; k++)
    best = fmax(best, mean0_rate(m, q, k / 2, k % 2 ? -1.0 : 1.0));
  if (!(best > 0)) return HUGE_VAL;
  return ceil(log(2.0 * TPC_BOUNDS_MEAN0_GRID / level) / best);
}

/* |mean| = a sqrt(L) + b L with L = ln(4/delta) (two sides at delta/2 each,
** each side's ln(2/(delta/2))): a quadratic in sqrt(L). */
double tpc_bounds_bernstein_p(double mean, double var, double range, size_t n, double tol) {
  double m = fabs(mean);
  if (m <= tol) return 1.0;
  if (n < 2) return 1.0;
  double a = sqrt(2.0 * fmax(var, 0.0) / (double)n), b = 7.0 * range / (3.0 * (double)(n - 1));
  if (!isfinite(a) || !isfinite(b)) return 1.0; /* no usable spread: no evidence */
  double r = b > 0 ? (-a + sqrt(a * a + 4.0 * b * m)) / (2.0 * b) : m / a;
  if (!(r < INFINITY)) return 0.0;
  return fmin(1.0, 4.0 * exp(-r * r));
}

double tpc_bounds_const_p(double c, double range, size_t n) {
  double a = fabs(c);
  if (a == 0) return 1.0;
  if (!(range < INFINITY)) return 1.0;
  return pow(range / (range + a), (double)n);
}

size_t tpc_bounds_holm(double *p, size_t m, double level, double *p_adj) {
  *p_adj = 1.0;
  if (m == 0) return 0;
  qsort(p, m, sizeof *p, tpc_vec_cmp_f64);
  *p_adj = fmin(1.0, (double)m * p[0]);
  size_t k = 0;
  while (k < m && p[k] <= level / (double)(m - k)) k++;
  return k;
}
