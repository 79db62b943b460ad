/*
** The rows of THEORY.md T3 that flip a coin between sending x and a
** compressed difference of gradients:
**
**   3pcv5(C, p=)    x w.p. p (a private coin, ctx->rng), else h + C(x - y)
**   marina(Q, p=)   x w.p. p (a coin all clients share, ctx->shared), else
**                   h + Q(x - y); declared for the average over the n
**                   clients (TPC_INEQ_AGGREGATE: A = p, B = (1-p) omega / n)
**
** With p = 1 no coin is drawn and both are GD.
*/
#include <gsl/gsl_rng.h>

#include "core/error.h"
#include "mech/common.h"

static const char *const p_keys[] = {"p", NULL};

static int v5_init(tpc_mech *m, const tpc_spec *s) {
  tpc_comp_consts k;
  int status = tpc_mech_need_class(m, 0, TPC_CLASS_CONTRACTIVE, &k);
  if (status == TPC_OK) status = tpc_mech_param_prob(m, s, 0);
  if (status != TPC_OK) return status;
  return tpc_mech_work_alloc(m, 2);
}

static void v5_consts(const tpc_mech *m, tpc_mech_consts *out) {
  double p = m->par[0];
  out->ineq = TPC_INEQ_3PC;
  out->has_AB = 1;
  out->A = tpc_one_minus_sqrt1m(p);
  out->B = (1.0 - p) * (1.0 - tpc_mech_alpha(m, 0)) / out->A;
  out->deterministic = p >= 1;
  out->src = "T3 3PCv5";
}

static int marina_init(tpc_mech *m, const tpc_spec *s) {
  tpc_comp_consts k;
  if (m->n == 0)
    return tpc_error(TPC_EINPUT, "marina: needs n >= 1 clients");
  int status = tpc_mech_need_class(m, 0, TPC_CLASS_UNBIASED, &k);
  if (status == TPC_OK) status = tpc_mech_param_prob(m, s, 0);
  if (status != TPC_OK) return status;
  if (k.shared && !(k.omega_avg > 0))
    return tpc_error(TPC_EINPUT, "marina: %s draws randomness shared by the clients and "
                     "declares no variance of their average (T3 assumes independent Q_i)",
                     m->comp[0]->type->name);
  return tpc_mech_work_alloc(m, 2);
}

/* T3: B = (1 - p) omega / n for independent Q_i.  Clients sharing their
** randomness (PermK) declare the variance of the average themselves:
** B = (1 - p) omega_avg. */
static void marina_consts(const tpc_mech *m, tpc_mech_consts *out) {
  tpc_comp_consts k;
  double p = m->par[0];
  tpc_comp_consts_get(m->comp[0], &k);
  out->ineq = TPC_INEQ_AGGREGATE;
  out->has_AB = 1;
  out->A = p;
  out->B = (1.0 - p) * (k.shared ? k.omega_avg : k.omega / (double)m->n);
  out->deterministic = p >= 1;
  out->src = k.shared ? "T3 MARINA, PermK average (Szlendak et al. 2021)" : "T3 MARINA";
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "mech/coin_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "mech/coin_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_mech_type tpc_mech_3pcv5 = {
    .name = "3pcv5",
    .synopsis = "3pcv5(C, p=REAL)",
    .summary = "x with probability p (private coin), else h + C(x - y)",
    .declared = "A = 1 - sqrt(1-p), B = (1-p)(1-a)/(1 - sqrt(1-p))",
    .theory = "T3 3PCv5",
    .args = "C",
    .keys = p_keys,
    .init = v5_init,
    .destroy = tpc_mech_work_destroy,
    .consts = v5_consts,
    .apply_f32 = v5_apply_f32,
    .apply_f64 = v5_apply_f64,
};

const tpc_mech_type tpc_mech_marina = {
    .name = "marina",
    .synopsis = "marina(Q, p=REAL)",
    .summary = "x with probability p (coin shared by all clients), "
               "else h + Q(x - y)",
    .declared = "aggregate: A = p, B = (1-p) w / n",
    .theory = "T3 MARINA",
    .args = "C",
    .keys = p_keys,
    .init = marina_init,
    .destroy = tpc_mech_work_destroy,
    .consts = marina_consts,
    .apply_f32 = marina_apply_f32,
    .apply_f64 = marina_apply_f64,
};
