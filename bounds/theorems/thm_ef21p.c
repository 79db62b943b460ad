/*
** The step rules and bounds of EF21-P and its DIANA and DCGD variants,
** THEORY.md T9.1, T9.3, T9.5 and T9.6 (rules.h), read in Gruntkowska,
** Tyurin and Richtárik (ICML 2023) [paper]: Theorems D.1, 5.1, F.2, G.3 and
** G.2, with the misprint of F.2 and G.2 corrected (T-ERRATA).
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

/* min{n/(160 omega L_max), alpha/(100 L-)}, the first term +inf when
** omega = 0 (no uplink compression). */
static double uplink_step(double n, double omega, double Lmax, double alpha, double Lminus) {
  double by_alpha = alpha / (100 * Lminus);
  return omega > 0 ? fmin(n / (160 * omega * Lmax), by_alpha) : by_alpha;
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
