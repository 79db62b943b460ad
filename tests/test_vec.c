/* Finite-input checks: every kind of non-finite value is found, with its index. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
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
