/*
** The rows of THEORY.md T3 whose message is one compressed correction
** C(x - h) of the client's state h, or nothing:
**
**   ef21(C)                 h + C(x - h)
**   clag(C, zeta=)          h + C(x - h) if ||x - h||^2 > zeta ||x - y||^2, else h
**   adacgd(C1..Cm, zeta=)   h, or h + Cj(x - h) for the coarsest level whose
**                           error is <= zeta ||x - y||^2, else h + Cm(x - h)
**   shifted(Q)              h + Q(x - h)  (Shulgin & Richtarik 2022)
**   diana(Q, beta=)         h + beta Q(x - h)  (DIANA's shift update)
**
** shifted and diana declare the SHIFT inequality E||out - x||^2 <= c||x - h||^2,
** and, when c < 1, the 3PC pair that the EF21 argument derives from it.
*/
#include "mech/common.h"

#include <math.h>

#include "core/error.h"

static const char *const no_keys[] = {NULL};
static const char *const zeta_keys[] = {"zeta", NULL};
static const char *const beta_keys[] = {"beta", NULL};

static int ef21_init(tpc_mech *m, const tpc_spec *s) {
  (void)s;
  tpc_comp_consts k;
  int status = tpc_mech_need_class(m, 0, TPC_CLASS_CONTRACTIVE, &k);
  if (status != TPC_OK) return status;
  return tpc_mech_work_alloc(m, 2);
}

static void ef21_consts(const tpc_mech *m, tpc_mech_consts *out) {
  out->ineq = TPC_INEQ_3PC;
  out->has_AB = 1;
  tpc_ef21_constants_alpha(tpc_mech_alpha(m, 0), &out->A, &out->B);
  out->deterministic = tpc_mech_comps_deterministic(m);
  out->src = "T3 EF21";
}

static int clag_init(tpc_mech *m, const tpc_spec *s) {
  int status = ef21_init(m, s);
  if (status != TPC_OK) return status;
  return tpc_mech_param_zeta(m, s, 0);
}

static void clag_consts(const tpc_mech *m, tpc_mech_consts *out) {
  ef21_consts(m, out);
  out->B = fmax(out->B, m->par[0]);
  out->src = "T3 CLAG";
}

/* Every level contractive, alphas nondecreasing: the early exits need no
** order, but the declared constants use the last level's alpha, which must
** be the finest for the fallback to be the best EF21 step. */
static int adacgd_init(tpc_mech *m, const tpc_spec *s) {
  double prev = 0;
  for (size_t j = 0; j < m->ncomp; j++) {
    tpc_comp_consts k;
    int status = tpc_mech_need_class(m, j, TPC_CLASS_CONTRACTIVE, &k);
    if (status != TPC_OK) return status;
    if (k.alpha < prev)
      return tpc_error(TPC_EINPUT,
                       "adacgd: level %zu (%s, alpha = %g) is coarser than "
                       "level %zu (alpha = %g): list levels coarsest first",
                       j + 1, m->comp[j]->type->name, k.alpha, j, prev);
    prev = k.alpha;
  }
  int status = tpc_mech_param_zeta(m, s, 0);
  if (status != TPC_OK) return status;
  return tpc_mech_work_alloc(m, 2);
}

static void adacgd_consts(const tpc_mech *m, tpc_mech_consts *out) {
  out->ineq = TPC_INEQ_3PC;
  out->has_AB = 1;
  tpc_ef21_constants_alpha(tpc_mech_alpha(m, m->ncomp - 1), &out->A, &out->B);
  out->B = fmax(out->B, m->par[0]);
  out->deterministic = tpc_mech_comps_deterministic(m);
  out->src = "T3 AdaCGD";
}

static int shifted_init(tpc_mech *m, const tpc_spec *s) {
  (void)s;
  tpc_comp_consts k;
  tpc_comp_consts_get(m->comp[0], &k);
  if (!(k.cls & TPC_CLASS_BOTH))
    return tpc_error(TPC_EINPUT,
                     "shifted: %s is neither unbiased nor contractive (T1)",
                     m->comp[0]->type->name);
  return tpc_mech_work_alloc(m, 2);
}

/* Unbiased Q gives c = omega and an unbiased output; a contractive C gives
** c = 1 - alpha; a compressor of both classes satisfies both, so the smaller
** holds.  A and B come from c by the EF21 family, in the form exact for the
** quantity c was computed from. */
static void shifted_consts(const tpc_mech *m, tpc_mech_consts *out) {
  tpc_comp_consts k;
  tpc_comp_consts_get(m->comp[0], &k);
  int by_omega = (k.cls & TPC_CLASS_UNBIASED) &&
                 !((k.cls & TPC_CLASS_CONTRACTIVE) && 1.0 - k.alpha < k.omega);
  out->ineq = TPC_INEQ_SHIFT;
  out->unbiased = (k.cls & TPC_CLASS_UNBIASED) != 0;
  out->shift_c = by_omega ? k.omega : 1.0 - k.alpha;
  out->has_AB = out->shift_c < 1;
  if (out->has_AB && by_omega)
    tpc_ef21_constants(k.omega, &out->A, &out->B);
  else if (out->has_AB)
    tpc_ef21_constants_alpha(k.alpha, &out->A, &out->B);
  out->deterministic = k.deterministic;
  out->src = "T3 shifted";
}

/* beta defaults to 1/(omega + 1), the largest step T3 allows. */
static int diana_init(tpc_mech *m, const tpc_spec *s) {
  tpc_comp_consts k;
  int status = tpc_mech_need_class(m, 0, TPC_CLASS_UNBIASED, &k);
  if (status != TPC_OK) return status;
  double most = 1.0 / (k.omega + 1.0);
  const tpc_spec_param *p = tpc_spec_param_find(s, "beta");
  double beta = p ? p->value : most;
  if (!(beta > 0 && beta <= most))
    return tpc_error(TPC_EINPUT,
                     "diana: beta = %g is outside (0, 1/(omega+1)] = (0, %g] "
                     "for %s (omega = %g)",
                     beta, most, m->comp[0]->type->name, k.omega);
  m->par[0] = beta;
  return tpc_mech_work_alloc(m, 2);
}

static void diana_consts(const tpc_mech *m, tpc_mech_consts *out) {
  double beta = m->par[0];
  out->ineq = TPC_INEQ_SHIFT;
  out->shift_c = 1.0 - beta;
  out->has_AB = 1;
  tpc_ef21_constants_alpha(beta, &out->A, &out->B);
  out->deterministic = tpc_mech_comps_deterministic(m);
  out->src = "T3 DIANA";
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "mech/ef21_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "mech/ef21_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_mech_type tpc_mech_ef21 = {
    .name = "ef21",
    .synopsis = "ef21(C)",
    .summary = "error feedback: h + C(x - h) with a contractive C",
    .declared = "A = 1 - sqrt(1-a), B = (1-a)/(1 - sqrt(1-a))",
    .theory = "T3 EF21",
    .args = "C",
    .keys = no_keys,
    .init = ef21_init,
    .destroy = tpc_mech_work_destroy,
    .consts = ef21_consts,
    .apply_f32 = ef21_apply_f32,
    .apply_f64 = ef21_apply_f64,
};

const tpc_mech_type tpc_mech_clag = {
    .name = "clag",
    .synopsis = "clag(C, zeta=REAL)",
    .summary = "EF21 step only when ||x-h||^2 > zeta ||x-y||^2, else skip",
    .declared = "A = 1 - sqrt(1-a), B = max{(1-a)/(1 - sqrt(1-a)), zeta}",
    .theory = "T3 CLAG",
    .args = "C",
    .keys = zeta_keys,
    .init = clag_init,
    .destroy = tpc_mech_work_destroy,
    .consts = clag_consts,
    .apply_f32 = clag_apply_f32,
    .apply_f64 = clag_apply_f64,
};

const tpc_mech_type tpc_mech_adacgd = {
    .name = "adacgd",
    .synopsis = "adacgd(C1, ..., Cm, zeta=REAL)",
    .summary = "skip, or the coarsest level whose error is <= zeta ||x-y||^2, "
               "else the finest",
    .declared = "A = 1 - sqrt(1-a_m), B = max{(1-a_m)/(1 - sqrt(1-a_m)), zeta}",
    .theory = "T3 AdaCGD",
    .args = "C+",
    .keys = zeta_keys,
    .init = adacgd_init,
    .destroy = tpc_mech_work_destroy,
    .consts = adacgd_consts,
    .apply_f32 = adacgd_apply_f32,
    .apply_f64 = adacgd_apply_f64,
};

const tpc_mech_type tpc_mech_shifted = {
    .name = "shifted",
    .synopsis = "shifted(Q)",
    .summary = "shifted compressor h + Q(x - h)",
    .declared = "SHIFT c = w (Q in U(w), unbiased) or 1-a (Q in B(a)); "
                "if c < 1: A = 1 - sqrt(c), B = c/(1 - sqrt(c))",
    .theory = "T3 shifted",
    .args = "C",
    .keys = no_keys,
    .init = shifted_init,
    .destroy = tpc_mech_work_destroy,
    .consts = shifted_consts,
    .apply_f32 = ef21_apply_f32,
    .apply_f64 = ef21_apply_f64,
};

const tpc_mech_type tpc_mech_diana = {
    .name = "diana",
    .synopsis = "diana(Q, beta=REAL)",
    .summary = "DIANA shift update h + beta Q(x - h), beta <= 1/(w+1) "
               "(default 1/(w+1))",
    .declared = "SHIFT c = 1 - beta; A = 1 - sqrt(1-beta), "
                "B = (1-beta)/(1 - sqrt(1-beta))",
    .theory = "T3 DIANA",
    .args = "C",
    .keys = beta_keys,
    .init = diana_init,
    .destroy = tpc_mech_work_destroy,
    .consts = diana_consts,
    .apply_f32 = diana_apply_f32,
    .apply_f64 = diana_apply_f64,
};
