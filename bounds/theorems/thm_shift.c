/*
** The step rules and bounds of shifted compression, THEORY.md T8.2-T8.5
** (rules.h): DCGD-SHIFT with a fixed shift, with DIANA's and Rand-DIANA's
** learned shifts, and compressed iterates with the optimal shift.  All four
** are [derived] in this project (THEORY.md T8 gives the proofs).
*/
#include <math.h>

#include "bounds/theorems/rules.h"

/* (1 - c)^k without the rounding of 1 - c for small c. */
static double contraction(double c, double k) { return exp(k * log1p(-c)); }

double tpc_rule_t82_step(double Lminus, double Lmax, double omega, double n) {
  return 1 / (Lminus + 2 * omega * Lmax / n);
}

double tpc_rule_t82_sigma2(double omega, double n, double shift) {
  return 2 / (n * n) * omega * shift;
}

double tpc_rule_t82_bound(double mu, double gamma, double k, double dist0, double sigma2) {
  return contraction(gamma * mu, k) * dist0 + gamma * sigma2 / mu;
}

double tpc_rule_t83_beta_max(double omega) { return 1 / (omega + 1); }

double tpc_rule_t83_step(double Lminus, double Lmax, double omega, double n) {
  return 1 / (Lminus + 6 * omega * Lmax / n);
}

double tpc_rule_t83_weight(double omega, double n, double gamma, double beta) {
  return 4 * omega * gamma * gamma / (n * beta);
}

double tpc_rule_t83_bound(double mu, double gamma, double beta, double k, double psi0) {
  return contraction(fmin(gamma * mu, beta / 2), k) * psi0;
}

double tpc_rule_t84_weight(double omega, double n, double gamma, double p) {
  return tpc_rule_t83_weight(omega, n, gamma, p);
}

double tpc_rule_t84_bound(double mu, double gamma, double p, double k, double psi0) {
  return tpc_rule_t83_bound(mu, gamma, p, k, psi0);
}

double tpc_rule_t85_step(double Lmax, double mu) { return 2 / (Lmax + mu); }

double tpc_rule_t85_factor(double gamma, double mu, double Lminus, double Lmin_i, double Lmax,
                           double omega, double n) {
  double by_mu = fabs(1 - gamma * mu);
  double rho = fmax(by_mu, fabs(1 - gamma * Lminus));
  double rho_max = fmax(by_mu, fmax(fabs(1 - gamma * Lmin_i), fabs(1 - gamma * Lmax)));
  return rho * rho + omega * rho_max * rho_max / n;
}
