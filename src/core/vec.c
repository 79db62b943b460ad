/* Vector helpers (vec.h): the finite-input checks, once per element type,
** and the fixed-order sums. */
#include "core/vec.h"

#include <math.h>

#include "core/error.h"

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "core/vec_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "core/vec_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

double tpc_vec_norm2(const double *a, size_t d) {
  double s = 0;
  for (size_t i = 0; i < d; i++) s += a[i] * a[i];
  return s;
}

double tpc_vec_norm2_scaled(const double *a, size_t d, double f) {
  double s = 0;
  for (size_t i = 0; i < d; i++) {
    double q = a[i] * f;
    s += q * q;
  }
  return s;
}

double tpc_vec_dist2_scaled(const double *a, const double *b, size_t d, double f) {
  double s = 0;
  for (size_t i = 0; i < d; i++) {
    double q = (a[i] - b[i]) * f;
    s += q * q;
  }
  return s;
}

double tpc_vec_norm2_4(const double *a, size_t d) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t j = 0;
  for (; j + 4 <= d; j += 4) {
    s0 += a[j] * a[j];
    s1 += a[j + 1] * a[j + 1];
    s2 += a[j + 2] * a[j + 2];
    s3 += a[j + 3] * a[j + 3];
  }
  for (; j < d; j++) s0 += a[j] * a[j];
  return (s0 + s1) + (s2 + s3);
}

double tpc_vec_dist2_4(const double *a, const double *b, size_t d) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t j = 0;
  for (; j + 4 <= d; j += 4) {
    double t0 = a[j] - b[j], t1 = a[j + 1] - b[j + 1];
    double t2 = a[j + 2] - b[j + 2], t3 = a[j + 3] - b[j + 3];
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
  }
  for (; j < d; j++) s0 += (a[j] - b[j]) * (a[j] - b[j]);
  return (s0 + s1) + (s2 + s3);
}

double tpc_vec_dist2_scaled_4(const double *a, const double *b, size_t d, double f) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t j = 0;
  for (; j + 4 <= d; j += 4) {
    double t0 = (a[j] - b[j]) * f, t1 = (a[j + 1] - b[j + 1]) * f;
    double t2 = (a[j + 2] - b[j + 2]) * f, t3 = (a[j + 3] - b[j + 3]) * f;
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
  }
  for (; j < d; j++) {
    double t = (a[j] - b[j]) * f;
    s0 += t * t;
  }
  return (s0 + s1) + (s2 + s3);
}

int tpc_vec_cmp_f64(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
