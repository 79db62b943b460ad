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

/* n = 4, L_max = 2, L- = 1 throughout; each case makes another term the least. */
Test(rules, t94_step) {
  /* omega = 10, alpha = 5, mu = 1, beta = 1: min{4/3200, 0.05, 1} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t94_step(4, 10, 2, 5, 1, 1, 1), 0.00125, 1));
  /* omega = 1, alpha = 0.5, mu = 1, beta = 0.5: min{0.0125, 0.005, 0.5} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t94_step(4, 1, 2, 0.5, 1, 1, 0.5), 0.005, 1));
  /* omega = 1, alpha = 50, mu = 64, beta = 0.5: min{0.0125, 0.5, 1/128} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t94_step(4, 1, 2, 50, 1, 64, 0.5), 0.0078125, 0));
  /* mu = 0: beta/mu is +inf, min{0.0125, 0.5} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t94_step(4, 1, 2, 50, 1, 0, 0.5), 0.0125, 1));
  /* omega = 0: n/(160 omega L_max) is +inf, min{0.5, 1} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t94_step(4, 0, 2, 50, 1, 1, 1), 0.5, 0));
  /* both: alpha/(100 L-) alone */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t94_step(4, 0, 2, 50, 1, 0, 1), 0.5, 0));
}

/* gamma = 1/4, omega = 1, L+ = 2, n = 4, alpha = 1/2, beta = 1/2, L- = 1. */
Test(rules, t94_weights) {
  /* 192 (1/4) 4/(4/2) + 32/(1/2) = 96 + 64 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t94_nu(0.25, 1, 2, 4, 0.5, 1), 160.0, 0));
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t94_nu(0.25, 0, 2, 4, 0.5, 1), 64.0, 0));
  /* 4 (1/4)/(4/2) + 768 (1/64) 4/(16/4) + 128 (1/16)/(4/4) = 0.5 + 12 + 8 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t94_kappa(0.25, 1, 4, 0.5, 2, 0.5, 1), 20.5, 0));
  /* omega = 2: 1 + 48 + 16, the terms in omega, omega^2 and omega */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t94_kappa(0.25, 2, 4, 0.5, 2, 0.5, 1), 65.0, 0));
  /* omega = 0 (identity Q): the shifts carry no weight */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t94_kappa(0.25, 0, 4, 0.5, 2, 0.5, 1), 0.0, 0));
}

/* gamma = 1/4, kappa = 20.5, nu = 160, dist2 = 1, gap = 3, H = 2, wx2 = 1/32:
** dist2/(2 gamma) + kappa H + nu wx2 = 2 + 41 + 5 = 48. */
Test(rules, t94_one_step_sides) {
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t94_lhs(0.25, 20.5, 160, 1, 3, 2, 0.03125), 51.0, 0));
  /* mu = 1: (1 - 1/8) 48 + 3/2 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t94_rhs(0.25, 1, 20.5, 160, 1, 3, 2, 0.03125), 43.5, 0));
  /* mu = 0: no contraction, only the gap halves */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t94_rhs(0.25, 0, 20.5, 160, 1, 3, 2, 0.03125), 49.5, 0));
}
