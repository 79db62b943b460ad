/*
** compose(Q1, Q2): Q1(Q2(x)), Q2 applied first (THEORY.md T1).  Two
** independent unbiased compressors compose to U((w1+1)(w2+1) - 1) ("T1
** composition"); any other pair declares no class.  Q2's output goes through
** the workspace; the message is Q1's part, which decodes to the result.  Both
** draw from the same context in turn (Q2 first), which makes them independent.
*/
#include "comp/kernels.h"

static int compose_init(tpc_comp *c, const tpc_spec *s) {
  (void)s;
  return tpc_work_alloc(c, TPC_WORK_VAL, 0);
}

static void compose_consts(const tpc_comp *c, tpc_comp_consts *out) {
  tpc_comp_consts q1, q2;
  tpc_comp_consts_get(c->sub[0], &q1);
  tpc_comp_consts_get(c->sub[1], &q2);
  int det = q1.deterministic && q2.deterministic;
  int shared = q1.shared || q2.shared; /* omega_avg of a composition: not declared */
  if ((q1.cls & TPC_CLASS_UNBIASED) && (q2.cls & TPC_CLASS_UNBIASED)) {
    double omega = (q1.omega + 1.0) * (q2.omega + 1.0) - 1.0;
    *out = (tpc_comp_consts){.cls = TPC_CLASS_UNBIASED, .omega = omega, .deterministic = det,
                             .omega_src = "T1 composition", .shared = shared};
  } else {
    *out = (tpc_comp_consts){.cls = TPC_CLASS_NONE, .deterministic = det, .shared = shared};
  }
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/compose_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/compose_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_comp_type tpc_comp_compose = {
    .name = "compose",
    .synopsis = "compose(Q1, Q2)",
    .summary = "Q1 applied to the output of Q2",
    .declared = "U((w1+1)(w2+1) - 1) when both unbiased, else none",
    .theory = "T1",
    .keys = NULL,
    .nsub = 2,
    .work_size = sizeof(tpc_work),
    .init = compose_init,
    .destroy = tpc_work_destroy,
    .consts = compose_consts,
    .compress_f32 = compose_compress_f32,
    .compress_f64 = compose_compress_f64,
};
