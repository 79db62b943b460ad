/*
** identity: C(x) = x (THEORY.md T2), in B(1) and U(0).  The reference point of
** every comparison (GD is EF21 with identity) and a DENSE part.
*/
#include "comp/kernels.h"

#include <string.h>

static int identity_init(tpc_comp *c, const tpc_spec *s) {
  (void)s;
  return tpc_work_alloc(c, TPC_WORK_VAL, 0);
}

static void identity_consts(const tpc_comp *c, tpc_comp_consts *out) {
  (void)c;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_BOTH, .alpha = 1.0, .omega = 0.0, .deterministic = 1,
                           .alpha_src = "T2", .omega_src = "T2"};
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/identity_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/identity_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_comp_type tpc_comp_identity = {
    .name = "identity",
    .synopsis = "identity",
    .summary = "no compression: C(x) = x",
    .declared = "B(1), U(0)",
    .theory = "T2",
    .keys = NULL,
    .nsub = 0,
    .work_size = sizeof(tpc_work),
    .init = identity_init,
    .destroy = tpc_work_destroy,
    .consts = identity_consts,
    .compress_f32 = identity_compress_f32,
    .compress_f64 = identity_compress_f64,
};
