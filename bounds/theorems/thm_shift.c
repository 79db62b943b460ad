/*
** The theorems of shifted compression, THEORY.md T8.2-T8.5: their step
** rules and bounds as pure functions (rules.h) and their catalogue entries
** (catalogue.h): DCGD-SHIFT with a fixed shift, with DIANA's and
** Rand-DIANA's learned shifts, and compressed iterates with the optimal
** shift.  All four are [derived] in this project (THEORY.md T8 gives the
** proofs): a violation is a finding, reported with its evidence.
*/
#include <math.h>
#include <string.h>

#include "bounds/theorems/catalogue.h"
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

/* ---- catalogue entries ------------------------------------------------------
**
** Every check of T8 reads the problem's x*, h_i* = grad f_i(x*) and the
** observables ||x^k - x*||^2 and H^k of the runs (methods/alg1.h); the
** shifts' distance at the start, sum_i ||h_i^0 - h_i*||^2, is n H^0 (for
** DCGD, h_i = 0: the sum of ||h_i*||^2). */

static int shift_is(const tpc_theorem_env *e, const char *shift) {
  return e->m.shift && !strcmp(e->m.shift, shift);
}

static double omega_of(const tpc_theorem_env *e) { return e->m.omega; }

static double dist_measured_at(const tpc_theorem_run *r, const tpc_alg1_point *pt) {
  (void)r;
  return pt->dist2;
}

static double dist_measured(const tpc_theorem_run *r) { return r->res->last.dist2; }

static double dist_rounding(const tpc_theorem_run *r) {
  return tpc_theorem_dist_floor(r, r->env->musc.value);
}

/* ---- T8.2: fixed shift --------------------------------------------------- */

static const char *t82_method(const tpc_theorem_env *e) {
  if (tpc_theorem_method_is(e, "dcgd") ||
      (tpc_theorem_method_is(e, "dcgd_shift") && (shift_is(e, "fixed") || shift_is(e, "star"))))
    return NULL;
  return "dcgd(Q) or dcgd_shift(Q, shift=fixed|star): a shift that does not change";
}

static double t82_step(const tpc_theorem_env *e) {
  return tpc_rule_t82_step(e->Lminus.value, e->Lmax.value, omega_of(e), (double)e->n);
}

static double t82_main(const tpc_theorem_run *r, double t) {
  const tpc_theorem_env *e = r->env;
  double n = (double)e->n;
  double sigma2 = tpc_rule_t82_sigma2(omega_of(e), n, n * r->res->first.H);
  return tpc_rule_t82_bound(e->musc.value, r->gamma, t, r->res->first.dist2, sigma2);
}

const tpc_theorem tpc_theorem_t82 = {
    .id = "T8.2",
    .family = "T8",
    .title = "DCGD with a fixed shift (DCGD-STAR: sigma = 0)",
    .check_name = "T8.2",
    .theory = "T8.2",
    .source = "shifted compression, Shulgin & Richtarik 2022 [derived]",
    .kind = "shift_fixed",
    .methods = "dcgd(Q) (h_i = 0), dcgd_shift(Q, shift=fixed|star)",
    .method_why_not = t82_method,
    .uplink_only = 0,
    .assumptions = {{"L- known", tpc_theorem_need_Lminus, 1},
                    {"L_max known", tpc_theorem_need_Lmax, 1},
                    {"every f_i convex", tpc_theorem_need_convex, 0},
                    {"f strongly convex, mu > 0 known", tpc_theorem_need_strongly_convex, 0},
                    {"x* and grad f_i(x*) known", tpc_theorem_need_optimum, 0},
                    {NULL, NULL, 0}},
    .step_rule = "gamma <= 1/(L- + 2 omega L_max/n)",
    .step = t82_step,
    .measure = TPC_THEOREM_DIST,
    .bound_text = "(1 - gamma mu)^k ||x^0 - x*||^2 + gamma sigma^2/mu, "
                  "sigma^2 = (2 omega/n^2) sum_i ||h_i - h_i*||^2",
    .measured = dist_measured,
    .measured_at = dist_measured_at,
    .bound_main = t82_main,
    .bound_start = tpc_theorem_no_start,
    .rounding = dist_rounding};

/* ---- T8.3 DIANA and T8.4 Rand-DIANA -------------------------------------- */

/* beta for DIANA, p for Rand-DIANA: the rate of the shifts. */
static double shift_rate(const tpc_theorem_env *e) {
  return shift_is(e, "diana") ? e->m.beta : e->m.p;
}

static const char *t83_method(const tpc_theorem_env *e) {
  return tpc_theorem_method_is(e, "dcgd_shift") && shift_is(e, "diana")
             ? NULL
             : "dcgd_shift(Q, shift=diana): DIANA's learned shift";
}

static const char *t84_method(const tpc_theorem_env *e) {
  return tpc_theorem_method_is(e, "dcgd_shift") && shift_is(e, "randdiana")
             ? NULL
             : "dcgd_shift(Q, shift=randdiana): Rand-DIANA's reset shift";
}

static const char *t83_beta(const tpc_theorem_env *e) {
  return e->m.beta <= tpc_rule_t83_beta_max(omega_of(e)) ? NULL
                                                         : "beta <= 1/(omega + 1)";
}

static double t83_step(const tpc_theorem_env *e) {
  return tpc_rule_t83_step(e->Lminus.value, e->Lmax.value, omega_of(e), (double)e->n);
}

/* w = 4 omega gamma^2/(n beta) (beta: p for Rand-DIANA, T8.4). */
static double psi_weight(const tpc_theorem_run *r) {
  const tpc_theorem_env *e = r->env;
  return tpc_rule_t83_weight(omega_of(e), (double)e->n, r->gamma, shift_rate(e));
}

static double psi_measured_at(const tpc_theorem_run *r, const tpc_alg1_point *pt) {
  return pt->dist2 + psi_weight(r) * pt->H;
}

static double psi_measured(const tpc_theorem_run *r) {
  return psi_measured_at(r, &r->res->last);
}

static double psi_rounding(const tpc_theorem_run *r) {
  double mu = r->env->musc.value;
  return tpc_theorem_dist_floor(r, mu) +
         psi_weight(r) * tpc_theorem_shift_floor(r, mu, shift_rate(r->env));
}

static double psi_main(const tpc_theorem_run *r, double t) {
  return tpc_rule_t83_bound(r->env->musc.value, r->gamma, shift_rate(r->env), t,
                            psi_measured_at(r, &r->res->first));
}

#define T8_SHIFT_ASSUMPTIONS                                                       \
  {"L- known", tpc_theorem_need_Lminus, 1}, {"L_max known", tpc_theorem_need_Lmax, 1}, \
      {"every f_i convex", tpc_theorem_need_convex, 0},                              \
      {"f strongly convex, mu > 0 known", tpc_theorem_need_strongly_convex, 0},      \
      {"x* and grad f_i(x*) known", tpc_theorem_need_optimum, 0}

const tpc_theorem tpc_theorem_t83 = {
    .id = "T8.3",
    .family = "T8",
    .title = "DIANA shift",
    .check_name = "T8.3",
    .theory = "T8.3",
    .source = "shifted compression, Shulgin & Richtarik 2022 [derived]",
    .kind = "shift_diana",
    .methods = "dcgd_shift(Q, shift=diana, beta <= 1/(omega+1))",
    .method_why_not = t83_method,
    .assumptions = {T8_SHIFT_ASSUMPTIONS, {"beta <= 1/(omega+1)", t83_beta, 0}, {NULL, NULL, 0}},
    .step_rule = "gamma <= 1/(L- + 6 omega L_max/n)",
    .step = t83_step,
    .measure = TPC_THEOREM_PSI_SHIFT,
    .bound_text = "max{1 - gamma mu, 1 - beta/2}^k Psi^0, w = 4 omega gamma^2/(n beta)",
    .measured = psi_measured,
    .measured_at = psi_measured_at,
    .bound_main = psi_main,
    .bound_start = tpc_theorem_no_start,
    .rounding = psi_rounding};

const tpc_theorem tpc_theorem_t84 = {
    .id = "T8.4",
    .family = "T8",
    .title = "Rand-DIANA shift",
    .check_name = "T8.4",
    .theory = "T8.4",
    .source = "shifted compression, Shulgin & Richtarik 2022 [derived]",
    .kind = "shift_randdiana",
    .methods = "dcgd_shift(Q, shift=randdiana, any p in (0, 1])",
    .method_why_not = t84_method,
    .assumptions = {T8_SHIFT_ASSUMPTIONS, {NULL, NULL, 0}},
    .step_rule = "gamma <= 1/(L- + 6 omega L_max/n)",
    .step = t83_step,
    .measure = TPC_THEOREM_PSI_SHIFT,
    .bound_text = "max{1 - gamma mu, 1 - p/2}^k Psi^0, w = 4 omega gamma^2/(n p)",
    .measured = psi_measured,
    .measured_at = psi_measured_at,
    .bound_main = psi_main,
    .bound_start = tpc_theorem_no_start,
    .rounding = psi_rounding};

/* ---- T8.5: compressed iterates with the optimal shift -------------------- */

static const char *t85_method(const tpc_theorem_env *e) {
  return tpc_theorem_method_is(e, "gdci") && shift_is(e, "star")
             ? NULL
             : "gdci(Q, shift=star): compressed iterates with the optimal shift";
}

static const char *t85_mui(const tpc_theorem_env *e) {
  return e->mui.kind == TPC_CONST_UNKNOWN || !(e->mui.value > 0)
             ? "a mu > 0 that every f_i is strongly convex with (mu_i)"
             : NULL;
}

static const char *t85_Li(const tpc_theorem_env *e) {
  return isnan(e->Lmin_i) ? "the clients' L_i" : NULL;
}

static double t85_step(const tpc_theorem_env *e) {
  return tpc_rule_t85_step(e->Lmax.value, e->mui.value);
}

static double t85_factor(const tpc_theorem_run *r) {
  const tpc_theorem_env *e = r->env;
  return tpc_rule_t85_factor(r->gamma, e->mui.value, e->Lminus.value, e->Lmin_i, e->Lmax.value,
                             omega_of(e), (double)e->n);
}

static double t85_rounding(const tpc_theorem_run *r) {
  return tpc_theorem_dist_floor(r, r->env->mui.value);
}

static double t85_lhs(const tpc_theorem_run *r, const tpc_alg1_point *next) {
  (void)r;
  return next->dist2;
}

static double t85_rhs(const tpc_theorem_run *r, const tpc_alg1_point *now) {
  return t85_factor(r) * now->dist2;
}

const tpc_theorem tpc_theorem_t85 = {
    .id = "T8.5",
    .family = "T8",
    .title = "compressed iterates, optimal shift (one step)",
    .check_name = "T8.5",
    .theory = "T8.5",
    .source = "shifted compression, Shulgin & Richtarik 2022 [derived]",
    .kind = "one_step",
    .methods = "gdci(Q, shift=star)",
    .method_why_not = t85_method,
    .assumptions = {{"L- known", tpc_theorem_need_Lminus, 1},
                    {"L_max known", tpc_theorem_need_Lmax, 1},
                    {"every f_i mu_i-strongly convex, mu_i > 0 known", t85_mui, 1},
                    {"every L_i known", t85_Li, 0},
                    {"x* known", tpc_theorem_need_optimum, 0},
                    {NULL, NULL, 0}},
    .step_rule = "gamma <= 2/(L_max + mu_i)",
    .step = t85_step,
    .measure = TPC_THEOREM_ONE_STEP,
    .bound_text = "E||x^{k+1} - x*||^2 <= (rho^2 + omega rho_max^2/n) ||x^k - x*||^2",
    .measured_at = dist_measured_at,
    .step_lhs = t85_lhs,
    .step_rhs = t85_rhs,
    .rounding = t85_rounding};
