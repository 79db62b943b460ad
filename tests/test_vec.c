/* Vector helpers: every kind of non-finite value is found, with its index;
** each sum adds in its documented order (the orders round differently, and
** stored results depend on which one a caller uses). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/vec.h"

Test(vec, finite_vectors_pass) {
  double x[4] = {0.0, -0.0, 1e308, 4.9e-324};
  float y[3] = {0.0f, -3.0f, 1e-45f};
  cr_assert(eq(int, tpc_vec_check_f64(x, 4, "x"), TPC_OK));
  cr_assert(eq(int, tpc_vec_check_f32(y, 3, "y"), TPC_OK));
  cr_assert(eq(int, tpc_vec_check_f64(x, 0, "x"), TPC_OK), "an empty vector is finite");
}

Test(vec, nan_and_inf_are_refused_with_the_first_index) {
  double x[5] = {1.0, 2.0, NAN, INFINITY, 5.0};
  cr_assert(eq(int, tpc_vec_check_f64(x, 5, "g"), TPC_EINPUT));
  cr_assert(eq(str, (char *)tpc_error_msg(), "g[2] is NaN: inputs must be finite"));
  x[2] = 0.0;
  cr_assert(eq(int, tpc_vec_check_f64(x, 5, "g"), TPC_EINPUT));
  cr_assert(strstr(tpc_error_msg(), "g[3] is +Inf") != NULL, "%s", tpc_error_msg());
  float y[2] = {-INFINITY, 0.0f};
  cr_assert(eq(int, tpc_vec_check_f32(y, 2, "y"), TPC_EINPUT));
  cr_assert(strstr(tpc_error_msg(), "y[0] is -Inf") != NULL, "%s", tpc_error_msg());
}

/* Squares 2^-54, 2^-54, 2^-54, 1: in index order the three small terms add
** up to 3 2^-54 before meeting 1, and 1 + 3 2^-54 rounds up to 1 + 2^-52;
** in the four chains each small term stays alone, (2^-54 + 2^-54) +
** (2^-54 + 1) = 2^-53 + 1, a tie that rounds to even: 1. */
Test(vec, norm2_adds_in_index_order_and_norm2_4_in_four_chains) {
  double a[4] = {0x1p-27, 0x1p-27, 0x1p-27, 1.0}, zero[5] = {0};
  cr_assert(eq(dbl, tpc_vec_norm2(a, 4), 1.0 + 0x1p-52));
  cr_assert(eq(dbl, tpc_vec_norm2_4(a, 4), 1.0));
  cr_assert(eq(dbl, tpc_vec_dist2_4(a, zero, 4), 1.0));
  cr_assert(eq(dbl, tpc_vec_norm2_scaled(a, 4, 1.0), 1.0 + 0x1p-52));
  cr_assert(eq(dbl, tpc_vec_dist2_scaled(a, zero, 4, 1.0), 1.0 + 0x1p-52));
  cr_assert(eq(dbl, tpc_vec_dist2_scaled_4(a, zero, 4, 1.0), 1.0));
  /* the tail past a multiple of four joins the first chain */
  double b[5] = {1.0, 0, 0, 0, 0x1p-27};
  cr_assert(eq(dbl, tpc_vec_norm2_4(b, 5), 1.0));
  cr_assert(eq(dbl, tpc_vec_dist2_scaled_4(b, zero, 5, 1.0), 1.0));
  cr_assert(eq(dbl, tpc_vec_norm2(b, 0), 0.0));
}

/* Scaling before squaring keeps entries near 1e200 finite; with f a power of
** two the result is the exact scaled value up to the sum's rounding. */
Test(vec, scaled_sums_square_after_scaling) {
  double a[2] = {1e200, 1e200}, b[2] = {-1e200, 0}, f = ldexp(1.0, -700);
  double q = 1e200 * f;
  double n = tpc_vec_norm2_scaled(a, 2, f), d = tpc_vec_dist2_scaled(a, b, 2, f);
  cr_assert(isfinite(n) && isfinite(d));
  cr_assert(ieee_ulp_eq(dbl, n, 2 * q * q, 1));
  cr_assert(ieee_ulp_eq(dbl, d, 5 * q * q, 1));
  cr_assert(ieee_ulp_eq(dbl, tpc_vec_dist2_scaled_4(a, b, 2, f), 5 * q * q, 1));
}

Test(vec, cmp_f64_sorts_increasing) {
  double x[5] = {3.0, -1.0, 2.5, -INFINITY, 0.0};
  qsort(x, 5, sizeof *x, tpc_vec_cmp_f64);
  for (size_t i = 0; i + 1 < 5; i++) cr_assert(x[i] < x[i + 1], "x[%zu] = %g", i, x[i]);
  double y = 1.0, z = 1.0;
  cr_assert(eq(int, tpc_vec_cmp_f64(&y, &z), 0));
}
