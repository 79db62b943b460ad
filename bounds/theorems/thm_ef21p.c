/*
** The step rules and bounds of EF21-P and its DIANA and DCGD variants,
** THEORY.md T9.1 and T9.3 to T9.7 (rules.h), read in Gruntkowska, Tyurin
** and Richtárik (ICML 2023) [paper]: Theorems D.1, 5.1, F.1, F.2, G.3, G.2
** and 6.2, with the misprint of F.2 and G.2 corrected (T-ERRATA).
*/
#include <math.h>

#include "bounds/theorems/rules.h"

/* (1 - gamma mu/2)^T, the contraction of D.1, 5.1 and G.3. */
static double contraction(double mu, double gamma, double T) {
  return exp(T * log1p(-gamma * mu / 2));
}

/* The Lyapunov function at the start: dist0/(2 gamma) + gap0. */
static double start_value(double gamma, double dist0, double gap0) {
  return dist0 / (2 * gamma) + gap0;
}

/* num/den, or +inf when den = 0: a step's term whose constraint is void,
** as with omega = 0 (no uplink compression) or mu = 0. */
static double ratio_or_inf(double num, double den) { return den > 0 ? num / den : INFINITY; }

/* min{n/(160 omega L_max), alpha/(100 L-)}, the first term +inf when
** omega = 0. */
static double uplink_step(double n, double omega, double Lmax, double alpha, double Lminus) {
  return fmin(ratio_or_inf(n, 160 * omega * Lmax), alpha / (100 * Lminus));
}

double tpc_rule_t91_step(double alpha, double Lminus) { return alpha / (16 * Lminus); }

double tpc_rule_t91_bound(double mu, double gamma, double T, double dist0, double gap0) {
  return contraction(mu, gamma, T) * start_value(gamma, dist0, gap0);
}

double tpc_rule_t91_nonconvex_step(double alpha, double Lminus) { return alpha / (8 * Lminus); }

double tpc_rule_t91_nonconvex_bound(double delta0, double Lminus, double alpha, double T) {
  return 384 * delta0 * Lminus / (alpha * T);
}

double tpc_rule_t93_step(double n, double omega, double Lmax, double alpha, double Lminus,
                         double mu) {
  return fmin(uplink_step(n, omega, Lmax, alpha, Lminus), 1 / ((omega + 1) * mu));
}

double tpc_rule_t93_bound(double mu, double gamma, double T, double omega, double n,
                          double dist0, double gap0, double shift0) {
  double v0 = start_value(gamma, dist0, gap0) + 8 * gamma * omega * (omega + 1) / (n * n) * shift0;
  return contraction(mu, gamma, T) * v0;
}

double tpc_rule_t94_step(double n, double omega, double Lmax, double alpha, double Lminus,
                         double mu, double beta) {
  return fmin(uplink_step(n, omega, Lmax, alpha, Lminus), ratio_or_inf(beta, mu));
}

double tpc_rule_t94_nu(double gamma, double omega, double Lplus, double n, double alpha,
                       double Lminus) {
  return 192 * gamma * omega * Lplus * Lplus / (n * alpha) + 32 * Lminus / alpha;
}

double tpc_rule_t94_kappa(double gamma, double omega, double n, double beta, double Lplus,
                          double alpha, double Lminus) {
  double shift = 4 * gamma * omega / (n * beta);
  double by_Lplus = 768 * gamma * gamma * gamma * omega * omega * Lplus * Lplus /
                    (n * n * alpha * beta);
  double by_Lminus = 128 * gamma * gamma * omega * Lminus / (n * alpha * beta);
  return shift + by_Lplus + by_Lminus;
}

/* The part of F.1's Lyapunov function that contracts by 1 - gamma mu/2:
** dist2/(2 gamma) + kappa H + nu wx2. */
static double t94_contracting(double gamma, double kappa, double nu, double dist2, double H,
                              double wx2) {
  return dist2 / (2 * gamma) + kappa * H + nu * wx2;
}

double tpc_rule_t94_lhs(double gamma, double kappa, double nu, double dist2, double gap,
                        double H, double wx2) {
  return t94_contracting(gamma, kappa, nu, dist2, H, wx2) + gap;
}

double tpc_rule_t94_rhs(double gamma, double mu, double kappa, double nu, double dist2,
                        double gap, double H, double wx2) {
  return (1 - gamma * mu / 2) * t94_contracting(gamma, kappa, nu, dist2, H, wx2) + gap / 2;
}

double tpc_rule_t95_bound(double gamma, double T, double omega, double n, double dist0,
                          double gap0, double shift0) {
  return dist0 / (gamma * T) + gap0 / T + 16 * gamma * omega * (omega + 1) / (T * n * n) * shift0;
}

double tpc_rule_t96_step(double n, double omega, double Lmax, double alpha, double Lminus) {
  return uplink_step(n, omega, Lmax, alpha, Lminus);
}

double tpc_rule_t96_bound(double mu, double gamma, double T, double omega, double n,
                          double dist0, double gap0, double hstar) {
  return contraction(mu, gamma, T) * start_value(gamma, dist0, gap0) +
         8 * omega / (n * mu) * hstar / n;
}

double tpc_rule_t96_convex_bound(double gamma, double T, double omega, double n, double dist0,
                                 double gap0, double hstar) {
  return dist0 / (gamma * T) + gap0 / T + 8 * gamma * omega / n * hstar / n;
}

/* Thm 6.2's bound on T solved for eps, term by term (rules.h). */
double tpc_rule_t97_eps(double delta0, double delta_star, double Lminus, double Lmax,
                        double alpha, double omega, double n, double T) {
  double by_alpha = 384 * delta0 * Lminus / (alpha * T);
  double by_delta0 = sqrt(4608 * delta0 * delta0 * omega * Lminus * Lmax / (n * T));
  double by_delta_star = sqrt(1536 * delta0 * delta_star * omega * Lminus * Lmax / (n * T));
  return fmax(by_alpha, fmax(by_delta0, by_delta_star));
}

double tpc_rule_t97_step(double alpha, double Lminus, double Lmax, double omega, double n,
                         double T, double delta_star, double eps) {
  double by_T = ratio_or_inf(sqrt(n), sqrt(2 * omega * Lminus * Lmax * T));
  double by_eps = ratio_or_inf(n * eps, 32 * delta_star * omega * Lminus * Lmax);
  return fmin(tpc_rule_t91_nonconvex_step(alpha, Lminus), fmin(by_T, by_eps));
}
