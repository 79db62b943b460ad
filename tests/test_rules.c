/*
** Tests of the step rules and bounds of THEORY.md T8 and T9
** (bounds/theorems/rules.h) against values computed by hand, with numbers
** chosen so that every intermediate is exact in binary or a short decimal.
** Powers go through exp(k log1p(-c)), a few ulps from the exact product:
** ULPS allows them.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>

#include "bounds/theorems/rules.h"

#define ULPS 8

/* L- = 1, L_max = 2, omega = 3, n = 4. */
Test(rules, t82_fixed_shift) {
  /* A_sh = 1 + 2*3*2/4 = 4 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t82_step(1, 2, 3, 4), 0.25, 0));
  /* sigma^2 = (2/16) * 3 * 5 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t82_sigma2(3, 4, 5), 1.875, 0));
  /* mu = 1/2, gamma = 1/4, k = 2: (7/8)^2 * 4 + (1/4)(1.875)/(1/2) = 3.0625 + 0.9375 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t82_bound(0.5, 0.25, 2, 4, 1.875), 4.0, ULPS));
  /* DCGD-STAR: sigma = 0 leaves the linear part alone */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t82_bound(0.5, 0.25, 2, 4, 0), 3.0625, ULPS));
}

Test(rules, t83_diana_and_t84_rand_diana) {
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t83_beta_max(3), 0.25, 0));
  /* 1/(1 + 6*3*2/4) */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t83_step(1, 2, 3, 4), 0.1, 1));
  /* 4*3*0.01/(4*0.25) */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t83_weight(3, 4, 0.1, 0.25), 0.12, 2));
  /* max{1 - 0.05, 1 - 0.125} = 0.95; 0.95^3 * 2 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t83_bound(0.5, 0.1, 0.25, 3, 2), 1.71475, ULPS));
  /* p = 0.02: max{0.95, 0.99} = 0.99; 0.99^2 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t84_bound(0.5, 0.1, 0.02, 2, 1), 0.9801, ULPS));
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t84_weight(3, 4, 0.1, 0.5), 0.06, 2));
}

Test(rules, t85_compressed_iterates) {
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t85_step(3, 1), 0.5, 0));
  /* gamma = 1/4, mu = 1, L- = 2, L_i in [1, 3], omega = 2, n = 4:
  ** rho = max{3/4, 1/2}, rho_max = max{3/4, 3/4, 1/4}: 9/16 + 2 (9/16)/4 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t85_factor(0.25, 1, 2, 1, 3, 2, 4), 0.84375, 0));
  /* L_max = 9 is the farthest from 1/gamma: rho_max = |1 - 9/4| = 5/4 enters
  ** through omega alone */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t85_factor(0.25, 1, 2, 1, 9, 0, 4), 0.5625, 0));
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t85_factor(0.25, 1, 2, 1, 9, 4, 4), 0.5625 + 1.5625, 0));
}

Test(rules, t91_ef21p) {
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t91_step(0.5, 2), 1.0 / 64, 0));
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t91_nonconvex_step(0.5, 2), 1.0 / 32, 0));
  /* gamma = 0.1, mu = 1, T = 2: 0.95^2 (0.2/0.2 + 1) */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t91_bound(1, 0.1, 2, 0.2, 1), 1.805, ULPS));
  /* 384 * 1 * 2/(0.5 * 384) */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t91_nonconvex_bound(1, 2, 0.5, 384), 4.0, 0));
}

Test(rules, t93_ef21p_diana) {
  /* min{4/(160*1*2) = 0.0125, 0.5/100 = 0.005, 1/(2*0.1) = 5} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t93_step(4, 1, 2, 0.5, 1, 0.1), 0.005, 1));
  /* omega = 0: the first term is +inf, the mu term 10 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t93_step(4, 0, 2, 0.5, 1, 0.1), 0.005, 1));
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t93_step(4, 0, 2, 50, 1, 1), 0.5, 1));
  /* gamma = 0.01: V0 = 0.02/0.02 + 1 + 8*0.01*1*2/16 * 100 = 3; mu = 2, T = 1: 0.99 * 3 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t93_bound(2, 0.01, 1, 1, 4, 0.02, 1, 100), 2.97, ULPS));
}

Test(rules, t95_and_t96) {
  /* 2/(0.5*4) + 4/4 + 16*0.5*1*2/(4*16) * 4 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t95_bound(0.5, 4, 1, 4, 2, 4, 4), 3.0, ULPS));
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t96_step(4, 1, 2, 0.5, 1), 0.005, 1));
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t96_step(4, 10, 2, 5, 1), 4.0 / 3200, 1));
  /* mu = 1, gamma = 0.2, T = 1: 0.9 (0.4/0.4 + 1) + 8*1/(4*1) * 8/4 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t96_bound(1, 0.2, 1, 1, 4, 0.4, 1, 8), 5.8, ULPS));
  /* interpolation (h_i* = 0): no neighbourhood */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t96_bound(1, 0.2, 1, 1, 4, 0.4, 1, 0), 1.8, ULPS));
  /* mu = 0: 1/(0.5*2) + 2/2 + 8*0.5*1/4 * 8/4 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t96_convex_bound(0.5, 2, 1, 4, 1, 2, 8), 4.0, ULPS));
}
