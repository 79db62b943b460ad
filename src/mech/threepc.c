/*
** The 3PC paper's new rows of THEORY.md T3, each an intermediate point b
** followed by a compressed correction b + C(x - b):
**
**   3pcv1(C)        b = y (sent as a DENSE absolute part)
**   3pcv2(Q, C)     b = h + Q(x - y), Q unbiased
**   3pcv3(M, C)     b = M_{h,y}(x), any mechanism declaring 3PC constants
**   3pcv4(C1, C2)   b = h + C2(x - h), then b + C1(x - b)
**
** b is always obtained by applying the parts sent so far to a copy of h, so
** the server rebuilds it bit for bit before adding the correction.
*/
#include "core/error.h"
#include "mech/common.h"

static const char *const no_keys[] = {NULL};

static int v1_init(tpc_mech *m, const tpc_spec *s) {
  (void)s;
  tpc_comp_consts k;
  int status = tpc_mech_need_class(m, 0, TPC_CLASS_CONTRACTIVE, &k);
  if (status != TPC_OK) return status;
  return tpc_mech_work_alloc(m, 3);
}

static void v1_consts(const tpc_mech *m, tpc_mech_consts *out) {
  out->ineq = TPC_INEQ_3PC;
  out->has_AB = 1;
  out->A = 1;
  out->B = 1.0 - tpc_mech_alpha(m, 0);
  out->deterministic = tpc_mech_comps_deterministic(m);
  out->src = "T3 3PCv1";
}

static int v2_init(tpc_mech *m, const tpc_spec *s) {
  (void)s;
  tpc_comp_consts k;
  int status = tpc_mech_need_class(m, 0, TPC_CLASS_UNBIASED, &k);
  if (status == TPC_OK)
    status = tpc_mech_need_class(m, 1, TPC_CLASS_CONTRACTIVE, &k);
  if (status != TPC_OK) return status;
  return tpc_mech_work_alloc(m, 4);
}

static void v2_consts(const tpc_mech *m, tpc_mech_consts *out) {
  tpc_comp_consts q;
  tpc_comp_consts_get(m->comp[0], &q);
  double alpha = tpc_mech_alpha(m, 1);
  out->ineq = TPC_INEQ_3PC;
  out->has_AB = 1;
  out->A = alpha;
  out->B = (1.0 - alpha) * q.omega;
  out->deterministic = tpc_mech_comps_deterministic(m);
  out->src = "T3 3PCv2";
}

/* The inner mechanism must declare a pair (A1, B1) for the per-client (3PC)
** inequality: a 3PC row, or a shifted compressor with c < 1, whose pair is
** one.  MARINA's pair is for the average over clients and does not qualify. */
static int v3_init(tpc_mech *m, const tpc_spec *s) {
  (void)s;
  tpc_mech_consts in;
  tpc_comp_consts k;
  tpc_mech_consts_get(m->inner, &in);
  if (!in.has_AB || in.ineq == TPC_INEQ_AGGREGATE)
    return tpc_error(TPC_EINPUT,
                     "3pcv3: the inner mechanism %s declares no per-client 3PC "
                     "constants A1, B1",
                     m->inner->type->name);
  size_t parts = tpc_mech_maxparts(m);
  if (parts > TPC_MSG_MAXPARTS)
    return tpc_error(TPC_EINPUT,
                     "3pcv3: nesting too deep: a message would need %zu parts, "
                     "at most %d fit",
                     parts, TPC_MSG_MAXPARTS);
  int status = tpc_mech_need_class(m, 0, TPC_CLASS_CONTRACTIVE, &k);
  if (status != TPC_OK) return status;
  return tpc_mech_work_alloc(m, 2);
}

/* 1 - (1 - a)(1 - A1) written as a + A1 (1 - a): no cancellation. */
static void v3_consts(const tpc_mech *m, tpc_mech_consts *out) {
  tpc_mech_consts in;
  tpc_mech_consts_get(m->inner, &in);
  double alpha = tpc_mech_alpha(m, 0);
  out->ineq = TPC_INEQ_3PC;
  out->has_AB = 1;
  out->A = alpha + in.A * (1.0 - alpha);
  out->B = (1.0 - alpha) * in.B;
  out->deterministic = in.deterministic && tpc_mech_comps_deterministic(m);
  out->src = "T3 3PCv3";
}

static int v4_init(tpc_mech *m, const tpc_spec *s) {
  (void)s;
  tpc_comp_consts k;
  int status = tpc_mech_need_class(m, 0, TPC_CLASS_CONTRACTIVE, &k);
  if (status == TPC_OK)
    status = tpc_mech_need_class(m, 1, TPC_CLASS_CONTRACTIVE, &k);
  if (status != TPC_OK) return status;
  return tpc_mech_work_alloc(m, 4);
}

/* abar = 1 - (1 - a1)(1 - a2) = a1 + a2 (1 - a1), then EF21's row. */
static void v4_consts(const tpc_mech *m, tpc_mech_consts *out) {
  double a1 = tpc_mech_alpha(m, 0), a2 = tpc_mech_alpha(m, 1);
  out->ineq = TPC_INEQ_3PC;
  out->has_AB = 1;
  tpc_ef21_constants_alpha(a1 + a2 * (1.0 - a1), &out->A, &out->B);
  out->deterministic = tpc_mech_comps_deterministic(m);
  out->src = "T3 3PCv4";
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "mech/threepc_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "mech/threepc_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_mech_type tpc_mech_3pcv1 = {
    .name = "3pcv1",
    .synopsis = "3pcv1(C)",
    .summary = "y + C(x - y): sends y densely, then the compressed difference",
    .declared = "A = 1, B = 1-a",
    .theory = "T3 3PCv1",
    .args = "C",
    .keys = no_keys,
    .init = v1_init,
    .destroy = tpc_mech_work_destroy,
    .consts = v1_consts,
    .apply_f32 = v1_apply_f32,
    .apply_f64 = v1_apply_f64,
};

const tpc_mech_type tpc_mech_3pcv2 = {
    .name = "3pcv2",
    .synopsis = "3pcv2(Q, C)",
    .summary = "b + C(x - b) with b = h + Q(x - y), Q unbiased",
    .declared = "A = a, B = (1-a) w",
    .theory = "T3 3PCv2",
    .args = "CC",
    .keys = no_keys,
    .init = v2_init,
    .destroy = tpc_mech_work_destroy,
    .consts = v2_consts,
    .apply_f32 = v2_apply_f32,
    .apply_f64 = v2_apply_f64,
};

const tpc_mech_type tpc_mech_3pcv3 = {
    .name = "3pcv3",
    .synopsis = "3pcv3(M, C)",
    .summary = "b + C(x - b) with b = M_{h,y}(x), M any 3PC",
    .declared = "A = 1 - (1-a)(1-A1), B = (1-a) B1",
    .theory = "T3 3PCv3",
    .args = "MC",
    .keys = no_keys,
    .init = v3_init,
    .destroy = tpc_mech_work_destroy,
    .consts = v3_consts,
    .apply_f32 = v3_apply_f32,
    .apply_f64 = v3_apply_f64,
};

const tpc_mech_type tpc_mech_3pcv4 = {
    .name = "3pcv4",
    .synopsis = "3pcv4(C1, C2)",
    .summary = "b + C1(x - b) with b = h + C2(x - h)",
    .declared = "abar = 1 - (1-a1)(1-a2): A = 1 - sqrt(1-abar), "
                "B = (1-abar)/(1 - sqrt(1-abar))",
    .theory = "T3 3PCv4",
    .args = "CC",
    .keys = no_keys,
    .init = v4_init,
    .destroy = tpc_mech_work_destroy,
    .consts = v4_consts,
    .apply_f32 = v4_apply_f32,
    .apply_f64 = v4_apply_f64,
};
