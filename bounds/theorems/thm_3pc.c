/*
** The 3PC paper's convergence theorems (THEORY.md T5) as catalogue entries
** (catalogue.h): Theorem 1 (nonconvex, "T5.thm1") and the PL theorem
** ("T5.pl", EF21's Theorem 2 with the 3PC constants), both for Algorithm 1
** with a method that declares a 3PC pair (A, B).
**
**   Theorem 1: gamma <= 1/(L- + L+ sqrt(B/A)),
**     (1/T) sum_{t<T} E||grad f(x^t)||^2 <= 2 Delta0/(gamma T) + E[G^0]/(A T).
**   PL: gamma <= min{1/(L- + L+ sqrt(2B/A)), A/(2 mu)},
**     E[Psi^T] <= (1 - gamma mu)^T Psi^0,  Psi^t = f(x^t) - f^inf + (gamma/A) G^t.
**
** L-, L+ may be upper bounds (the step stays valid); Theorem 1 takes f^inf
** exact or a lower bound, the PL theorem needs it exact (a lower bound would
** shift both sides by different amounts) and mu > 0 known (a lower bound
** is fine: f is then PL with it).
*/
#include <math.h>

#include "bounds/theorems/catalogue.h"

static const char *needs_pair(const tpc_theorem_env *e) {
  const tpc_mech_consts *mc = &e->mc;
  if (e->m.typed)
    return "Algorithm 1 with a 3PC mechanism (the methods of T8 and T9 are not one)";
  if (mc->has_AB && mc->A > 0 && mc->A <= 1 && mc->B >= 0 && isfinite(mc->B)) return NULL;
  return mc->ineq == TPC_INEQ_SHIFT
             ? "the method's A, B (a shifted compressor with c >= 1 declares no 3PC pair)"
             : "the method's A, B (it declares none)";
}

static const char *needs_exact_finf(const tpc_theorem_env *e) {
  return e->finf.kind != TPC_CONST_EXACT
             ? "an exact f^inf (the PL check cannot use a lower bound)"
             : NULL;
}

static const char *needs_mu(const tpc_theorem_env *e) {
  return e->mu.kind == TPC_CONST_UNKNOWN || !(e->mu.value > 0)
             ? "a PL constant mu > 0 (the problem declares none)"
             : NULL;
}

/* What both theorems assume of the problem (L-, L+ may be upper bounds,
** f^inf a lower bound). */
#define T5_ASSUMPTIONS                                                                       \
  {"L- known (exact or an upper bound)", tpc_theorem_need_Lminus, 1},                         \
      {"L+ known (exact or an upper bound)", tpc_theorem_need_Lplus, 1},                      \
      {"f bounded below (f^inf exact or a lower bound)", tpc_theorem_need_finf, 0}

/* ---- Theorem 1 ------------------------------------------------------------ */

static double thm1_step(const tpc_theorem_env *e) {
  return tpc_alg1_step_theorem1(e->Lminus.value, e->Lplus.value, e->mc.A, e->mc.B);
}

static double thm1_measured(const tpc_theorem_run *r) {
  return r->res->sum_gnorm2 / (double)r->res->iters;
}

/* Delta0 = f(x^0) - f^inf. */
static double delta0(const tpc_theorem_run *r) { return r->res->first.f - r->env->finf.value; }

static double thm1_main(const tpc_theorem_run *r, double T) {
  return 2 * delta0(r) / (r->gamma * T);
}

static double thm1_start(const tpc_theorem_run *r, double T) {
  return r->res->first.G / (r->env->mc.A * T);
}

const tpc_theorem tpc_theorem_3pc_thm1 = {
    .id = "T5.thm1",
    .family = "T5",
    .title = "Theorem 1 (nonconvex)",
    .check_name = "Theorem 1",
    .theory = "T5 Theorem 1",
    .source = "3PC paper, Theorem 1 [paper]",
    .kind = "theorem1",
    .methods = "Algorithm 1 (T4) with a mechanism that declares a 3PC pair (A, B)",
    .method_why_not = needs_pair,
    .uplink_only = 1,
    .assumptions = {T5_ASSUMPTIONS, {NULL, NULL, 0}},
    .step_rule = "gamma <= 1/(L- + L+ sqrt(B/A))",
    .step = thm1_step,
    .measure = TPC_THEOREM_MEAN_GNORM2,
    .bound_text = "2 Delta0/(gamma T) + E[G0]/(A T)",
    .measured = thm1_measured,
    .bound_main = thm1_main,
    .bound_start = thm1_start,
    .f_rounding = 0};

/* ---- PL theorem ----------------------------------------------------------- */

static double pl_rho(const tpc_theorem_run *r, double T) {
  return exp(T * log1p(-r->gamma * r->env->mu.value));
}

static double pl_step(const tpc_theorem_env *e) {
  return tpc_alg1_step_pl(e->Lminus.value, e->Lplus.value, e->mc.A, e->mc.B, e->mu.value);
}

static double pl_measured_at(const tpc_theorem_run *r, const tpc_alg1_point *pt) {
  return pt->f - r->env->finf.value + (r->gamma / r->env->mc.A) * pt->G;
}

static double pl_measured(const tpc_theorem_run *r) { return pl_measured_at(r, &r->res->last); }

static double pl_main(const tpc_theorem_run *r, double T) { return pl_rho(r, T) * delta0(r); }

static double pl_start(const tpc_theorem_run *r, double T) {
  return pl_rho(r, T) * (r->gamma / r->env->mc.A) * r->res->first.G;
}

const tpc_theorem tpc_theorem_3pc_pl = {
    .id = "T5.pl",
    .family = "T5",
    .title = "PL (Theorem 2 of EF21)",
    .check_name = "PL",
    .theory = "T5 PL theorem",
    .source = "EF21's Theorem 2 with the 3PC constants [paper]",
    .kind = "pl",
    .methods = "Algorithm 1 (T4) with a mechanism that declares a 3PC pair (A, B)",
    .method_why_not = needs_pair,
    .uplink_only = 1,
    .assumptions = {T5_ASSUMPTIONS,
                    {"f^inf exact", needs_exact_finf, 0},
                    {"f is PL with a known mu > 0", needs_mu, 1},
                    {NULL, NULL, 0}},
    .step_rule = "gamma <= min{1/(L- + L+ sqrt(2B/A)), A/(2 mu)}",
    .step = pl_step,
    .measure = TPC_THEOREM_PSI_PL,
    .bound_text = "(1 - gamma mu)^T (Delta0 + (gamma/A) E[G0])",
    .measured = pl_measured,
    .measured_at = pl_measured_at,
    .bound_main = pl_main,
    .bound_start = pl_start,
    .f_rounding = 1};
