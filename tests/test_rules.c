/*
** Tests of the step rules and bounds of THEORY.md T8, T9 and T10
** (bounds/theorems/rules.h) against values computed by hand, with numbers
** chosen so that every intermediate is exact in binary or a short decimal.
** Powers go through exp(k log1p(-c)), a few ulps from the exact product:
** ULPS allows them.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>

#include "bounds/theorems/rules.h"
#include "methods/alg1.h"

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

/* T = 1536, delta0 = 1, L- = 1, L_max = 4, omega = 3, n = 4, so that
** 4608 omega L- L_max/(n T) = 9 and 1536 omega L- L_max/(n T) = 3:
** eps = max{1/(4 alpha), 3, sqrt(3 delta_star)}. */
Test(rules, t97_eps) {
  /* delta_star = 12, alpha = 1/2: max{0.5, 3, 6} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t97_eps(1, 12, 1, 4, 0.5, 3, 4, 1536), 6.0, 0));
  /* delta_star = 3/4: max{0.5, 3, 1.5} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t97_eps(1, 0.75, 1, 4, 0.5, 3, 4, 1536), 3.0, 0));
  /* alpha = 1/32: max{8, 3, 1.5} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t97_eps(1, 0.75, 1, 4, 0.03125, 3, 4, 1536), 8.0, 0));
  /* delta0 = 2 doubles the first two terms: max{1, 6, sqrt(3 * 2 * 6)} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t97_eps(2, 6, 1, 4, 0.5, 3, 4, 1536), 6.0, 0));
  /* delta_star = 3/4: max{1, 6, sqrt(4.5)} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t97_eps(2, 0.75, 1, 4, 0.5, 3, 4, 1536), 6.0, 0));
  /* omega = 0: T9.1's nonconvex bound (T9.2: EF21-P + DCGD with identity Q
  ** is EF21-P) */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t97_eps(1, 12, 1, 4, 0.5, 0, 4, 1536), 0.5, 0));
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t97_eps(1, 12, 1, 4, 0.5, 0, 4, 1536),
                        tpc_rule_t91_nonconvex_bound(1, 1, 0.5, 1536), 0));
}

/* The bound on T of Thm 6.2, as THEORY.md T9.7 writes it. */
static double t97_iterations_needed(double delta0, double delta_star, double Lminus,
                                    double Lmax, double alpha, double omega, double n,
                                    double eps) {
  double by_delta0 = 96 * delta0 * omega * Lmax / (n * eps);
  double by_delta_star = 32 * delta_star * omega * Lmax / (n * eps);
  return 48 * delta0 * Lminus / eps * fmax(8 / alpha, fmax(by_delta0, by_delta_star));
}

/* eps(T) meets the bound on T with equality, whichever term binds: the
** algebra of tpc_rule_t97_eps checked against the statement.  Constants of
** no special form; each side is a dozen roundings from exact, 16 ulps. */
Test(rules, t97_eps_meets_the_bound) {
  static const double cases[][7] = {
      /* delta0, delta_star, L-, L_max, alpha, omega, n */
      {0.7, 0.3, 1.3, 5.1, 0.01, 2.5, 7},  /* 8/alpha binds */
      {3.1, 0.2, 1.3, 5.1, 0.9, 2.5, 7},   /* delta0 binds */
      {0.7, 9.4, 1.3, 5.1, 0.9, 2.5, 7},   /* delta_star binds */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const double *c = cases[i];
    double T = 1000;
    double eps = tpc_rule_t97_eps(c[0], c[1], c[2], c[3], c[4], c[5], c[6], T);
    cr_assert(ieee_ulp_eq(dbl, t97_iterations_needed(c[0], c[1], c[2], c[3], c[4], c[5], c[6],
                                                     eps),
                          T, 16), "case %zu", i);
  }
}

/* T = 1536, L- = 1, L_max = 4, omega = 3, n = 4: sqrt(n)/sqrt(2 omega L- L_max T)
** = 2/192 and n eps/(32 delta_star omega L- L_max) = eps/(96 delta_star). */
Test(rules, t97_step) {
  /* alpha = 1/2, delta_star = 12, eps = 6: min{1/16, 1/96, 1/192} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t97_step(0.5, 1, 4, 3, 4, 1536, 12, 6), 1.0 / 192, 1));
  /* delta_star = 3/4, eps = 3: min{1/16, 1/96, 1/24} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t97_step(0.5, 1, 4, 3, 4, 1536, 0.75, 3), 1.0 / 96, 1));
  /* alpha = 1/32, eps = 8: min{1/256, 1/96, 1/9} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t97_step(0.03125, 1, 4, 3, 4, 1536, 0.75, 8), 1.0 / 256, 0));
  /* delta_star = 0 (interpolation): the eps term is +inf, min{1/16, 1/96} */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t97_step(0.5, 1, 4, 3, 4, 1536, 0, 3), 1.0 / 96, 1));
  /* omega = 0: T9.1's nonconvex step alpha/(8 L-) */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t97_step(0.5, 1, 4, 0, 4, 1536, 12, 0.5), 1.0 / 16, 0));
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t97_step(0.5, 1, 4, 0, 4, 1536, 12, 0.5),
                        tpc_rule_t91_nonconvex_step(0.5, 1), 0));
}

/* T10.2.  L- = L+ = 1, A_w = 1/2, B_w = 1, A_s = 3/4, B_s = 1/4:
** 3 B_s/A_s = 1, 1 + 6 B_s/A_s = 3, so M^2 = 2 [(1 + 1) + 3 * 1/(1/2)] = 16,
** M = 4 and the step 1/(1 + 4); the bound 2 * 3/(0.25 * 6) = 4. */
Test(rules, t102_bidirectional_3pc) {
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t102_M(1, 1, 0.5, 1, 0.75, 0.25), 4.0, 1));
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t102_step(1, 1, 0.5, 1, 0.75, 0.25), 0.2, 2));
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t102_bound(3, 0.25, 6), 4.0, 0));
  /* L- = 2, L+ = 3, A_w = 1/4, B_w = 2, A_s = 1/2, B_s = 1/2:
  ** 2 [3 (1/2)(2*9 + 4)/(1/2) + (1 + 6) 2*9/(1/4)] = 2 [66 + 504] = 1140 */
  cr_assert(ieee_ulp_eq(dbl, tpc_rule_t102_M(2, 3, 0.25, 2, 0.5, 0.5), sqrt(1140.0), 1));
}

/* An exact server (A_s = 1, B_s = 0) leaves M = L+ sqrt(2 B_w/A_w): T5
** Theorem 1's step with sqrt(2) more in front of L+, and so smaller. */
Test(rules, t102_exact_server_is_sqrt2_weaker_than_theorem1) {
  static const double cases[][4] = {{1, 1, 0.5, 1}, {2, 3, 0.134, 5.6}, {0.7, 11, 1, 2}};
  for (size_t k = 0; k < 3; k++) {
    double Lm = cases[k][0], Lp = cases[k][1], A = cases[k][2], B = cases[k][3];
    double thm1 = 1 / tpc_alg1_step_theorem1(Lm, Lp, A, B) - Lm; /* L+ sqrt(B/A) */
    cr_expect(ieee_ulp_eq(dbl, tpc_rule_t102_M(Lm, Lp, A, B, 1, 0), sqrt(2.0) * thm1, 4),
              "case %zu: M = %.17g, sqrt 2 L+ sqrt(B/A) = %.17g", k,
              tpc_rule_t102_M(Lm, Lp, A, B, 1, 0), sqrt(2.0) * thm1);
    cr_expect(ieee_ulp_eq(dbl, tpc_rule_t102_step(Lm, Lp, A, B, 1, 0),
                          1 / (Lm + Lp * sqrt(2 * B / A)), 4), "case %zu", k);
    cr_expect(lt(dbl, tpc_rule_t102_step(Lm, Lp, A, B, 1, 0),
                 tpc_alg1_step_theorem1(Lm, Lp, A, B)), "case %zu", k);
  }
}
