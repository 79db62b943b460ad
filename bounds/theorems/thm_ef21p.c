/*
** The theorems of EF21-P and its DIANA and DCGD variants, THEORY.md T9.1
** and T9.3 to T9.7, read in Gruntkowska, Tyurin and Richtárik (ICML 2023)
** [paper]: Theorems D.1, 5.1, F.1, F.2, G.3, G.2 and 6.2, with the
** misprint of F.2 and G.2 corrected (T-ERRATA).  Their step rules and
** bounds as pure functions of the constants (rules.h), then their entries
** in the catalogue (catalogue.h).
*/
#include <math.h>
#include <string.h>

#include "bounds/theorems/catalogue.h"
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

/* ---- catalogue entries ------------------------------------------------------
**
** The runs record x^t's observables (methods/alg1.h): with the EF21-P
** downlink the clients evaluate at w^t, and f(x^t), ||x^t - x*||^2,
** ||w^t - x^t||^2 are computed beside.  f* is the optimum's (exact, or
** computed to the accuracy it states), dist0 and gap0 are x^0's, shift0 =
** sum_i ||h_i^0 - h_i*||^2 = n H^0. */

/* EF21-P itself: ef21p(C_s), or gd with an EF21-P downlink (the same runs). */
static int is_ef21p(const tpc_theorem_env *e) {
  return tpc_theorem_method_is(e, "ef21p") ||
         (!e->m.typed && !strcmp(e->m.name, "gd") && e->m.downlink);
}

static const char *ef21p_method(const tpc_theorem_env *e) {
  return is_ef21p(e) ? NULL : "ef21p(C_s) (or gd --server C_s)";
}

static const char *diana_method(const tpc_theorem_env *e) {
  return tpc_theorem_method_is(e, "ef21p_diana") ? NULL : "ef21p_diana(Q, C_s)";
}

static const char *dcgd_method(const tpc_theorem_env *e) {
  return tpc_theorem_method_is(e, "ef21p_dcgd") ? NULL : "ef21p_dcgd(Q, C_s)";
}

/* Thm 5.1 and F.2 take beta = 1/(omega+1) itself. */
static const char *beta_exact(const tpc_theorem_env *e) {
  return e->m.beta == tpc_rule_t83_beta_max(e->m.omega) ? NULL
                                                        : "beta = 1/(omega + 1) (the default)";
}

static const char *beta_at_most(const tpc_theorem_env *e) {
  return e->m.beta <= tpc_rule_t83_beta_max(e->m.omega) ? NULL : "beta <= 1/(omega + 1)";
}

static double n_of(const tpc_theorem_env *e) { return (double)e->n; }

static double fstar(const tpc_theorem_run *r) { return r->env->opt->fstar; }

/* (1/(2 gamma)) ||x - x*||^2 + f(x) - f* at a point. */
static double dist_gap_at(const tpc_theorem_run *r, const tpc_alg1_point *pt) {
  return pt->dist2 / (2 * r->gamma) + (pt->f_x - fstar(r));
}

static double dist_gap(const tpc_theorem_run *r) { return dist_gap_at(r, &r->res->last); }

static double gap_average_at(const tpc_theorem_run *r, const tpc_alg1_point *pt) {
  return pt->f_avg - fstar(r);
}

static double gap_average(const tpc_theorem_run *r) { return gap_average_at(r, &r->res->last); }

static double dist0(const tpc_theorem_run *r) { return r->res->first.dist2; }
static double gap0(const tpc_theorem_run *r) { return r->res->first.f_x - fstar(r); }
static double shift0(const tpc_theorem_run *r) { return n_of(r->env) * r->res->first.H; }

/* The floor of (1/(2 gamma)) ||x - x*||^2 (f's rounding is f_rounding's). */
static double dist_gap_rounding(const tpc_theorem_run *r) {
  return tpc_theorem_dist_floor(r, r->env->musc.value) / (2 * r->gamma);
}

#define CONVEX_ASSUMPTIONS                                                            \
  {"L- known", tpc_theorem_need_Lminus, 1}, {"every f_i convex", tpc_theorem_need_convex, 0}, \
      {"x* and grad f_i(x*) known", tpc_theorem_need_optimum, 0}
#define STRONGLY_CONVEX {"f strongly convex, mu > 0 known", tpc_theorem_need_strongly_convex, 1}
#define LMAX_KNOWN {"L_max known", tpc_theorem_need_Lmax, 1}

/* ---- T9.1: EF21-P, Thm D.1 and the nonconvex form ------------------------- */

static double t91_step(const tpc_theorem_env *e) {
  return tpc_rule_t91_step(e->m.alpha, e->Lminus.value);
}

static double t91_main(const tpc_theorem_run *r, double t) {
  return tpc_rule_t91_bound(r->env->musc.value, r->gamma, t, dist0(r), gap0(r));
}

const tpc_theorem tpc_theorem_t91 = {
    .id = "T9.1",
    .family = "T9",
    .title = "EF21-P, strongly convex (Thm D.1)",
    .check_name = "T9.1",
    .theory = "T9.1",
    .source = "EF21-P paper, Theorem D.1 [paper]",
    .kind = "dist_gap",
    .methods = "ef21p(C_s), gd --server C_s",
    .method_why_not = ef21p_method,
    .assumptions = {CONVEX_ASSUMPTIONS, STRONGLY_CONVEX, {NULL, NULL, 0}},
    .step_rule = "gamma <= alpha/(16 L-)",
    .step = t91_step,
    .measure = TPC_THEOREM_DIST_GAP,
    .bound_text = "(1 - gamma mu/2)^T ((1/(2 gamma))||x^0 - x*||^2 + f(x^0) - f*)",
    .measured = dist_gap,
    .measured_at = dist_gap_at,
    .bound_main = t91_main,
    .bound_start = tpc_theorem_no_start,
    .f_rounding = 1,
    .rounding = dist_gap_rounding};

static double t91nc_step(const tpc_theorem_env *e) {
  return tpc_rule_t91_nonconvex_step(e->m.alpha, e->Lminus.value);
}

/* min_{t<T} ||grad f(x^t)||^2 of a run, and its mean over t < T (every
** point is recorded: tpc_theorem_needs_of). */
static double min_gnorm2(const tpc_theorem_run *r) {
  double m = INFINITY;
  for (size_t k = 0; k < r->res->npoints && r->res->points[k].t < r->res->iters; k++)
    m = fmin(m, r->res->points[k].gnorm2_x);
  return m;
}

static double mean_gnorm2(const tpc_theorem_run *r) {
  double s = 0;
  size_t n = 0;
  for (size_t k = 0; k < r->res->npoints && r->res->points[k].t < r->res->iters; k++, n++)
    s += r->res->points[k].gnorm2_x;
  return s / (double)n;
}

/* ||grad f(x^t)||^2 at a point; the curve of the minimum over t is its
** running minimum (rate_store.c). */
static double gnorm2_at(const tpc_theorem_run *r, const tpc_alg1_point *pt) {
  (void)r;
  return pt->gnorm2_x;
}

/* Delta0 = f(x^0) - f^inf (a lower bound of f* gives an upper bound). */
static double delta0_inf(const tpc_theorem_run *r) {
  return r->res->first.f_x - r->env->finf.value;
}

static double t91nc_main(const tpc_theorem_run *r, double t) {
  return tpc_rule_t91_nonconvex_bound(delta0_inf(r), r->env->Lminus.value, r->env->m.alpha, t);
}

const tpc_theorem tpc_theorem_t91nc = {
    .id = "T9.1.nc",
    .family = "T9",
    .title = "EF21-P, nonconvex (after Thm E.3)",
    .check_name = "T9.1 nonconvex",
    .theory = "T9.1",
    .source = "EF21-P paper, after Theorem E.3 [paper]",
    .kind = "min_gnorm2",
    .methods = "ef21p(C_s), gd --server C_s",
    .method_why_not = ef21p_method,
    .assumptions = {{"L- known", tpc_theorem_need_Lminus, 1},
                    {"f bounded below (f^inf exact or a lower bound)", tpc_theorem_need_finf, 0},
                    {NULL, NULL, 0}},
    .step_rule = "gamma = alpha/(8 L-)",
    .step = t91nc_step,
    .step_fixed = 1,
    .measure = TPC_THEOREM_MIN_GNORM2,
    .bound_text = "384 Delta0 L-/(alpha T)",
    .measured = min_gnorm2,
    .measured_upper = mean_gnorm2,
    .measured_at = gnorm2_at,
    .bound_main = t91nc_main,
    .bound_start = tpc_theorem_no_start};

/* ---- T9.3 (Thm 5.1), T9.4 (Thm F.1), T9.5 (Thm F.2): EF21-P + DIANA ------- */

static double t93_step(const tpc_theorem_env *e) {
  return tpc_rule_t93_step(n_of(e), e->m.omega, e->Lmax.value, e->m.alpha, e->Lminus.value,
                           e->musc.value);
}

static double t93_main(const tpc_theorem_run *r, double t) {
  const tpc_theorem_env *e = r->env;
  return tpc_rule_t93_bound(e->musc.value, r->gamma, t, e->m.omega, n_of(e), dist0(r), gap0(r),
                            shift0(r));
}

const tpc_theorem tpc_theorem_t93 = {
    .id = "T9.3",
    .family = "T9",
    .title = "EF21-P + DIANA, strongly convex (Thm 5.1)",
    .check_name = "T9.3",
    .theory = "T9.3",
    .source = "EF21-P paper, Theorem 5.1 [paper]",
    .kind = "dist_gap",
    .methods = "ef21p_diana(Q, C_s) with beta = 1/(omega+1)",
    .method_why_not = diana_method,
    .assumptions = {CONVEX_ASSUMPTIONS, LMAX_KNOWN, STRONGLY_CONVEX,
                    {"beta = 1/(omega+1)", beta_exact, 0}, {NULL, NULL, 0}},
    .step_rule = "gamma <= min{n/(160 omega L_max), alpha/(100 L-), 1/((omega+1) mu)}",
    .step = t93_step,
    .measure = TPC_THEOREM_DIST_GAP,
    .bound_text = "(1 - gamma mu/2)^T V0, V0 = (1/(2 gamma))||x^0 - x*||^2 + f(x^0) - f* "
                  "+ (8 gamma omega (omega+1)/n^2) sum_i ||h_i^0 - h_i*||^2",
    .measured = dist_gap,
    .measured_at = dist_gap_at,
    .bound_main = t93_main,
    .bound_start = tpc_theorem_no_start,
    .f_rounding = 1,
    .rounding = dist_gap_rounding};

static double t94_step(const tpc_theorem_env *e) {
  return tpc_rule_t94_step(n_of(e), e->m.omega, e->Lmax.value, e->m.alpha, e->Lminus.value,
                           e->musc.value, e->m.beta);
}

static double t94_nu(const tpc_theorem_run *r) {
  const tpc_theorem_env *e = r->env;
  return tpc_rule_t94_nu(r->gamma, e->m.omega, e->Lplus.value, n_of(e), e->m.alpha,
                         e->Lminus.value);
}

static double t94_kappa(const tpc_theorem_run *r) {
  const tpc_theorem_env *e = r->env;
  return tpc_rule_t94_kappa(r->gamma, e->m.omega, n_of(e), e->m.beta, e->Lplus.value,
                            e->m.alpha, e->Lminus.value);
}

static double t94_lhs(const tpc_theorem_run *r, const tpc_alg1_point *next) {
  return tpc_rule_t94_lhs(r->gamma, t94_kappa(r), t94_nu(r), next->dist2, next->f_x - fstar(r),
                          next->H, next->wx2);
}

/* The floor of the left side: x's, the shifts', and w's (w follows x
** through C_s, at x's rate). */
static double t94_rounding(const tpc_theorem_run *r) {
  double mu = r->env->musc.value, dist = tpc_theorem_dist_floor(r, mu);
  return dist / (2 * r->gamma) + t94_kappa(r) * tpc_theorem_shift_floor(r, mu, r->env->m.beta) +
         t94_nu(r) * 4 * dist;
}

static double t94_rhs(const tpc_theorem_run *r, const tpc_alg1_point *now) {
  return tpc_rule_t94_rhs(r->gamma, r->env->musc.value, t94_kappa(r), t94_nu(r), now->dist2,
                          now->f_x - fstar(r), now->H, now->wx2);
}

const tpc_theorem tpc_theorem_t94 = {
    .id = "T9.4",
    .family = "T9",
    .title = "EF21-P + DIANA, one step (Thm F.1)",
    .check_name = "T9.4",
    .theory = "T9.4",
    .source = "EF21-P paper, Theorem F.1 [paper]",
    .kind = "one_step",
    .methods = "ef21p_diana(Q, C_s) with beta <= 1/(omega+1)",
    .method_why_not = diana_method,
    .assumptions = {CONVEX_ASSUMPTIONS, LMAX_KNOWN, STRONGLY_CONVEX,
                    {"L+ known", tpc_theorem_need_Lplus, 0},
                    {"beta <= 1/(omega+1)", beta_at_most, 0}, {NULL, NULL, 0}},
    .step_rule = "gamma <= min{n/(160 omega L_max), alpha/(100 L-), beta/mu}",
    .step = t94_step,
    .measure = TPC_THEOREM_ONE_STEP,
    .bound_text = "(1/(2g))|x'-x*|^2 + f(x')-f* + kappa H' + nu |w'-x'|^2 <= "
                  "(1 - g mu/2)((1/(2g))|x-x*|^2 + kappa H + nu |w-x|^2) + (f(x)-f*)/2",
    .measured_at = t94_lhs,
    .step_lhs = t94_lhs,
    .step_rhs = t94_rhs,
    .f_rounding = 1,
    .rounding = t94_rounding};

static double t96_step(const tpc_theorem_env *e) {
  return tpc_rule_t96_step(n_of(e), e->m.omega, e->Lmax.value, e->m.alpha, e->Lminus.value);
}

static double t95_main(const tpc_theorem_run *r, double t) {
  return tpc_rule_t95_bound(r->gamma, t, r->env->m.omega, n_of(r->env), dist0(r), gap0(r),
                            shift0(r));
}

const tpc_theorem tpc_theorem_t95 = {
    .id = "T9.5",
    .family = "T9",
    .title = "EF21-P + DIANA, convex (Thm F.2)",
    .check_name = "T9.5",
    .theory = "T9.5",
    .source = "EF21-P paper, Theorem F.2 (T-ERRATA) [paper]",
    .kind = "gap_average",
    .methods = "ef21p_diana(Q, C_s) with beta = 1/(omega+1)",
    .method_why_not = diana_method,
    .assumptions = {CONVEX_ASSUMPTIONS, LMAX_KNOWN, {"beta = 1/(omega+1)", beta_exact, 0},
                    {NULL, NULL, 0}},
    .step_rule = "gamma <= min{n/(160 omega L_max), alpha/(100 L-)}",
    .step = t96_step,
    .measure = TPC_THEOREM_GAP_AVERAGE,
    .bound_text = "||x^0 - x*||^2/(gamma T) + (f(x^0) - f*)/T "
                  "+ (16 gamma omega (omega+1)/(T n^2)) sum_i ||h_i^0 - h_i*||^2",
    .measured = gap_average,
    .measured_at = gap_average_at,
    .bound_main = t95_main,
    .bound_start = tpc_theorem_no_start,
    .f_rounding = 1};

/* ---- T9.6: EF21-P + DCGD, Thms G.3 and G.2 -------------------------------- */

static double t96_main(const tpc_theorem_run *r, double t) {
  const tpc_theorem_env *e = r->env;
  return tpc_rule_t96_bound(e->musc.value, r->gamma, t, e->m.omega, n_of(e), dist0(r), gap0(r),
                            e->hstar);
}

static double t96c_main(const tpc_theorem_run *r, double t) {
  const tpc_theorem_env *e = r->env;
  return tpc_rule_t96_convex_bound(r->gamma, t, e->m.omega, n_of(e), dist0(r), gap0(r),
                                   e->hstar);
}

const tpc_theorem tpc_theorem_t96 = {
    .id = "T9.6",
    .family = "T9",
    .title = "EF21-P + DCGD, strongly convex (Thm G.3)",
    .check_name = "T9.6",
    .theory = "T9.6",
    .source = "EF21-P paper, Theorem G.3 [paper]",
    .kind = "dist_gap",
    .methods = "ef21p_dcgd(Q, C_s)",
    .method_why_not = dcgd_method,
    .assumptions = {CONVEX_ASSUMPTIONS, LMAX_KNOWN, STRONGLY_CONVEX, {NULL, NULL, 0}},
    .step_rule = "gamma <= min{n/(160 omega L_max), alpha/(100 L-)}",
    .step = t96_step,
    .measure = TPC_THEOREM_DIST_GAP,
    .bound_text = "(1 - gamma mu/2)^T ((1/(2 gamma))||x^0 - x*||^2 + f(x^0) - f*) "
                  "+ (8 omega/(n mu)) (1/n) sum_i ||h_i*||^2",
    .measured = dist_gap,
    .measured_at = dist_gap_at,
    .bound_main = t96_main,
    .bound_start = tpc_theorem_no_start,
    .f_rounding = 1,
    .rounding = dist_gap_rounding};

const tpc_theorem tpc_theorem_t96c = {
    .id = "T9.6.convex",
    .family = "T9",
    .title = "EF21-P + DCGD, convex (Thm G.2)",
    .check_name = "T9.6 convex",
    .theory = "T9.6",
    .source = "EF21-P paper, Theorem G.2 (T-ERRATA) [paper]",
    .kind = "gap_average",
    .methods = "ef21p_dcgd(Q, C_s)",
    .method_why_not = dcgd_method,
    .assumptions = {CONVEX_ASSUMPTIONS, LMAX_KNOWN, {NULL, NULL, 0}},
    .step_rule = "gamma <= min{n/(160 omega L_max), alpha/(100 L-)}",
    .step = t96_step,
    .measure = TPC_THEOREM_GAP_AVERAGE,
    .bound_text = "||x^0 - x*||^2/(gamma T) + (f(x^0) - f*)/T "
                  "+ (8 gamma omega/n) (1/n) sum_i ||h_i*||^2",
    .measured = gap_average,
    .measured_at = gap_average_at,
    .bound_main = t96c_main,
    .bound_start = tpc_theorem_no_start,
    .f_rounding = 1};

/* ---- T9.7: EF21-P + DCGD, nonconvex (Thm 6.2) ----------------------------- */

/* Delta0 and Delta* from f at the start: f(x^0) - f^inf bounds
** f(x^0) - f* above, and f(x^0) - l (l a lower bound of every f_i) bounds
** (1/n) sum_i (f* - f_i*) above (f* <= f(x^0)); upper bounds keep the
** theorem (rules.h). */
static double t97_eps_from(const tpc_theorem_env *e, double f0, double T) {
  return tpc_rule_t97_eps(f0 - e->finf.value, f0 - e->finf_i.value, e->Lminus.value,
                          e->Lmax.value, e->m.alpha, e->m.omega, n_of(e), T);
}

static double t97_step(const tpc_theorem_env *e) {
  double eps = t97_eps_from(e, e->f0, e->T);
  return tpc_rule_t97_step(e->m.alpha, e->Lminus.value, e->Lmax.value, e->m.omega, n_of(e),
                           e->T, e->f0 - e->finf_i.value, eps);
}

static double t97_main(const tpc_theorem_run *r, double t) {
  return t97_eps_from(r->env, r->res->first.f_x, t);
}

static const char *needs_finf_i(const tpc_theorem_env *e) {
  return e->finf_i.kind == TPC_CONST_UNKNOWN ? "a lower bound of every f_i (f_i*)" : NULL;
}

const tpc_theorem tpc_theorem_t97 = {
    .id = "T9.7",
    .family = "T9",
    .title = "EF21-P + DCGD, nonconvex (Thm 6.2)",
    .check_name = "T9.7",
    .theory = "T9.7",
    .source = "EF21-P paper, Theorem 6.2 [paper]",
    .kind = "min_gnorm2",
    .methods = "ef21p_dcgd(Q, C_s)",
    .method_why_not = dcgd_method,
    .assumptions = {{"L- known", tpc_theorem_need_Lminus, 1},
                    {"L_max known", tpc_theorem_need_Lmax, 1},
                    {"f bounded below (f^inf exact or a lower bound)", tpc_theorem_need_finf, 1},
                    {"every f_i bounded below, by a known f_i*", needs_finf_i, 1},
                    {NULL, NULL, 0}},
    .step_rule = "gamma = min{alpha/(8 L-), sqrt(n/(2 omega L- L_max T)), "
                 "n eps/(32 Delta* omega L- L_max)} at the smallest eps T allows",
    .step = t97_step,
    .step_fixed = 1,
    .measure = TPC_THEOREM_MIN_GNORM2,
    .bound_text = "eps(T) = max{384 Delta0 L-/(alpha T), sqrt(4608 Delta0^2 omega L- L_max/(n T)), "
                  "sqrt(1536 Delta0 Delta* omega L- L_max/(n T))}",
    .measured = min_gnorm2,
    .measured_upper = mean_gnorm2,
    .bound_main = t97_main,
    .bound_start = tpc_theorem_no_start};
