/*
** sign: scaled sign, C(x) = (||x||_1/d) sign(x) with sign(0) = +1 (THEORY.md
** T2, B(1/d), deterministic; per x, ||C(x) - x||^2 = ||x||^2 - ||x||_1^2/d).
** Sent as a SIGN part: the scale and one bit per coordinate.
*/
#include "comp/kernels.h"

#include <math.h>
#include <string.h>

static int sign_init(tpc_comp *c, const tpc_spec *s) {
  (void)s;
  return tpc_work_alloc(c, 0, (c->d + 63) / 64 * sizeof(uint64_t));
}

static void sign_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double alpha = 1.0 / (double)c->d;
  *out = (tpc_comp_consts){TPC_CLASS_CONTRACTIVE, alpha, 0.0, 1, "T2", NULL};
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/sign_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/sign_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_comp_type tpc_comp_sign = {
    .name = "sign",
    .synopsis = "sign",
    .summary = "scaled sign: (||x||_1/d) sign(x)",
    .declared = "B(1/d)",
    .theory = "T2",
    .keys = NULL,
    .nsub = 0,
    .work_size = sizeof(tpc_work),
    .init = sign_init,
    .destroy = tpc_work_destroy,
    .consts = sign_consts,
    .compress_f32 = sign_compress_f32,
    .compress_f64 = sign_compress_f64,
};
