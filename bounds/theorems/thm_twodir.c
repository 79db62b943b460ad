/*
** The exact check of 2Direction without compression, THEORY.md T11.3
** [derived]: with identity compressors (omega = 0, alpha = 1, so p = tau =
** beta = 1 and the coin always comes up) 2Direction is Nesterov's
** similar-triangles method, z^{t+1} = x^{t+1}, and for Lbar >= L- and f
** convex with mu >= 0 the standard proof gives the one-step decrease
**   Psi_{t+1} <= Psi_t,
**   Psi_t = Gamma_t (f(z^t) - f*) + ((Lbar + Gamma_t mu)/2) ||u^t - x*||^2,
** deterministically, which implies T11.3's Psi_T <= Psi_0.  The runner
** records Psi_t and Gamma_t at every point (methods/twodir.h).
*/
#include <float.h>
#include <math.h>
#include <string.h>

#include "bounds/theorems/catalogue.h"

/* Relative rounding of an evaluation of f near its minimum (as rate.c's
** f tolerance for the other entries). */
#define TWODIR_F_TOL 1e-12

/* Identity compressors, and an Lbar the theorem covers: 1/gamma (the step
** rule gives Lbar = L-, a multiplier <= 1 a larger one), or an explicit
** Lbar >= L-. */
static const char *t113_method(const tpc_theorem_env *e) {
  if (!tpc_theorem_method_is(e, "twodirection"))
    return "twodirection(Q, C_s)";
  if (!(e->m.omega == 0 && e->m.alpha == 1))
    return "identity compressors (omega = 0, alpha = 1)";
  double Lm = e->Lminus.value;
  if (e->m.lbar == TPC_TWODIR_LBAR_ABS && e->Lminus.kind != TPC_CONST_UNKNOWN && e->m.Lbar < Lm)
    return "Lbar >= L- (Lbar= is below L-)";
  if (e->m.lbar == TPC_TWODIR_LBAR_MULT && e->m.Lbar < 1)
    return "Lbar >= L- (Lbar_mult= is below 1)";
  return NULL;
}

/* gamma = 1/L-, i.e. Lbar = L- for the default rule Lbar = 1/gamma. */
static double t113_step(const tpc_theorem_env *e) { return 1.0 / e->Lminus.value; }

static double psi_at(const tpc_theorem_run *r, const tpc_alg1_point *pt) {
  (void)r;
  return pt->psi;
}

/* The floor under Psi at pt: Gamma_t times the rounding of f(z) - f*
** (z^t = x^t here, and Gamma_t grows geometrically, so this term alone
** outgrows any fixed floor), and (Lbar + Gamma_t mu)/2 times the floor of
** ||u - x*||^2 (u converges to x* with x; catalogue.h's distance floor at
** the contraction rate gamma mu, slower than AGD's, so larger). */
static double psi_rounding(const tpc_theorem_run *r, const tpc_alg1_point *pt) {
  const tpc_theorem_env *e = r->env;
  double G = pt->Gamma, mu = e->m.mu;
  double f_floor = G * TWODIR_F_TOL * (fabs(pt->f) + fabs(e->opt->fstar));
  double Lbar = e->m.lbar == TPC_TWODIR_LBAR_ABS    ? e->m.Lbar
                : e->m.lbar == TPC_TWODIR_LBAR_MULT ? e->m.Lbar * e->Lminus.value
                                                    : 1.0 / r->gamma;
  double dist = mu > 0 ? tpc_theorem_dist_floor(r, mu) : 0;
  return f_floor + 0.5 * (Lbar + G * mu) * dist;
}

const tpc_theorem tpc_theorem_t113 = {
    .id = "T11.3",
    .family = "T11",
    .title = "2Direction without compression: Psi decreases every step",
    .check_name = "T11.3",
    .theory = "T11.3",
    .source = "similar-triangles method, one-step form of T11.3 [derived]",
    .kind = "one_step",
    .methods = "twodirection(identity, identity) with Lbar >= L-",
    .method_why_not = t113_method,
    .assumptions = {{"L- known", tpc_theorem_need_Lminus, 1},
                    {"every f_i convex", tpc_theorem_need_convex, 0},
                    {"x* and grad f_i(x*) known", tpc_theorem_need_optimum, 0},
                    {NULL, NULL, 0}},
    .step_rule = "gamma = 1/L- (Lbar = 1/gamma >= L-)",
    .step = t113_step,
    .measure = TPC_THEOREM_ONE_STEP,
    .bound_text = "Psi_{t+1} <= Psi_t, Psi_t = Gamma_t (f(z^t) - f*) + "
                  "((Lbar + Gamma_t mu)/2)||u^t - x*||^2",
    .measured_at = psi_at,
    .step_lhs = psi_at,
    .step_rhs = psi_at,
    .rounding_at = psi_rounding};
