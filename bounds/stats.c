/*
** Statistics of tpc bounds (see bounds/stats.h for the choice of bounds).
*/
#include "bounds/stats.h"

#include <math.h>
#include <stdlib.h>

void tpc_bounds_acc_init(tpc_bounds_acc *a) {
  a->n = 0;
  a->mean = a->m2 = 0;
  a->min = INFINITY;
  a->max = -INFINITY;
}

void tpc_bounds_acc_add(tpc_bounds_acc *a, double x) {
  a->n++;
  double delta = x - a->mean;
  a->mean += delta / (double)a->n;
  a->m2 += delta * (x - a->mean);
  a->min = fmin(a->min, x);
  a->max = fmax(a->max, x);
}

double tpc_bounds_acc_var(const tpc_bounds_acc *a) {
  return a->n < 2 ? 0.0 : fmax(a->m2, 0.0) / (double)(a->n - 1);
}

double tpc_bounds_bernstein(const tpc_bounds_acc *a, double delta, double range) {
  if (a->n < 2) return 0.0;
  double n = (double)a->n, l = log(2.0 / delta);
  return sqrt(2.0 * tpc_bounds_acc_var(a) * l / n) + 7.0 * range * l / (3.0 * (n - 1.0));
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

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

size_t tpc_bounds_holm(double *p, size_t m, double level, double *p_adj) {
  *p_adj = 1.0;
  if (m == 0) return 0;
  qsort(p, m, sizeof *p, cmp_double);
  *p_adj = fmin(1.0, (double)m * p[0]);
  size_t k = 0;
  while (k < m && p[k] <= level / (double)(m - k)) k++;
  return k;
}
