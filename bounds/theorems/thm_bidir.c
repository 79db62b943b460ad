/*
** Bidirectional 3PC (THEORY.md T10): the step rule and bound of T10.2
** [derived] as pure functions (rules.h), and its catalogue entry
** (catalogue.h) for bidir(M_w, M_s) of methods/method.h, whose runner is
** Algorithm 1 with the server's mechanism (methods/alg1.h,
** tpc_alg1_alloc_bidir).
**
**   M = sqrt(2 [3 B_s (B_w L+^2 + L-^2)/A_s + (1 + 6 B_s/A_s) B_w L+^2/A_w]),
**   gamma <= 1/(L- + M):
**   (1/T) sum_{t<T} E||grad f(x^t)||^2 <= 2 Delta0/(gamma T).
**
** The Lyapunov function of T10.2 starts at Delta0 only when S^0 =
** ||g^0 - gbar^0||^2 and W^0 = (1/n) sum ||g_i^0 - grad f_i(x^0)||^2 are
** zero: the exact initialization is an assumption, and runs with another
** --init are outside the theorem (n/a).  The clients' pair is the runner's
** (tpc_alg1_consts), the server's tpc_method_info's A_s, B_s; a derived
** theorem is checked, not trusted.
*/
#include <math.h>

#include "bounds/theorems/catalogue.h"
#include "bounds/theorems/rules.h"

double tpc_rule_t102_M(double Lminus, double Lplus, double Aw, double Bw, double As,
                       double Bs) {
  double L2 = Lplus * Lplus;
  double server = 3 * Bs * (Bw * L2 + Lminus * Lminus) / As;
  double clients = (1 + 6 * Bs / As) * Bw * L2 / Aw;
  return sqrt(2 * (server + clients));
}

double tpc_rule_t102_step(double Lminus, double Lplus, double Aw, double Bw, double As,
                          double Bs) {
  return 1 / (Lminus + tpc_rule_t102_M(Lminus, Lplus, Aw, Bw, As, Bs));
}

double tpc_rule_t102_bound(double delta0, double gamma, double T) {
  return 2 * delta0 / (gamma * T);
}

/* A declared pair T10.2 can use: A in (0, 1], B >= 0 finite. */
static int pair_ok(double A, double B) { return A > 0 && A <= 1 && B >= 0 && isfinite(B); }

static const char *needs_bidir(const tpc_theorem_env *e) {
  if (!tpc_theorem_method_is(e, "bidir")) return "bidir(M_w, M_s)";
  if (!e->mc.has_AB || e->mc.ineq == TPC_INEQ_AGGREGATE || !pair_ok(e->mc.A, e->mc.B))
    return "bidir(M_w, M_s) whose client mechanism declares a per-client 3PC pair "
           "(A_w, B_w) (MARINA's aggregate form is not one)";
  if (!pair_ok(e->m.As, e->m.Bs))
    return "bidir(M_w, M_s) whose server mechanism declares a 3PC pair (A_s, B_s)";
  return NULL;
}

static double t102_M(const tpc_theorem_env *e) {
  return tpc_rule_t102_M(e->Lminus.value, e->Lplus.value, e->mc.A, e->mc.B, e->m.As, e->m.Bs);
}

static double t102_step(const tpc_theorem_env *e) {
  return tpc_rule_t102_step(e->Lminus.value, e->Lplus.value, e->mc.A, e->mc.B, e->m.As,
                            e->m.Bs);
}

static double t102_measured(const tpc_theorem_run *r) {
  return r->res->sum_gnorm2 / (double)r->res->iters;
}

static double t102_main(const tpc_theorem_run *r, double T) {
  return tpc_rule_t102_bound(r->res->first.f - r->env->finf.value, r->gamma, T);
}

const tpc_theorem tpc_theorem_t102 = {
    .id = "T10.2",
    .family = "T10",
    .title = "bidirectional 3PC (nonconvex)",
    .check_name = "T10.2",
    .theory = "T10.2",
    .source = "bidirectional 3PC, after Makarenko et al. 2022 [derived]",
    .kind = "bidir",
    .methods = "bidir(M_w, M_s) (T10.1) with 3PC pairs (A_w, B_w) and (A_s, B_s)",
    .method_why_not = needs_bidir,
    .uplink_only = 0,
    .exact_init = 1,
    .assumptions = {{"L- known (exact or an upper bound)", tpc_theorem_need_Lminus, 1},
                    {"L+ known (exact or an upper bound)", tpc_theorem_need_Lplus, 1},
                    {"f bounded below (f^inf exact or a lower bound)", tpc_theorem_need_finf,
                     0},
                    {NULL, NULL, 0}},
    .step_rule = "gamma <= 1/(L- + M)",
    .step = t102_step,
    .constant_name = "M",
    .constant = t102_M,
    .measure = TPC_THEOREM_MEAN_GNORM2,
    .bound_text = "2 Delta0/(gamma T) (exact initialization)",
    .measured = t102_measured,
    .bound_main = t102_main,
    .bound_start = tpc_theorem_no_start,
    .f_rounding = 0};
