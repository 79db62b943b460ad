/*
** scaled(Q): Q(x)/(omega+1) for an unbiased Q in U(omega), which is in
** B(1/(omega+1)) (THEORY.md T1, "scaled").  The message is Q's part with its
** coefficient multiplied by 1/(omega+1), and out is rebuilt from that part
** by the server's own apply, so decoding stays exact.
*/
#include <string.h>

#include "comp/kernels.h"

static int scaled_init(tpc_comp *c, const tpc_spec *s) {
  tpc_comp_consts q;
  tpc_comp_consts_get(c->sub[0], &q);
  if (!(q.cls & TPC_CLASS_UNBIASED))
    return tpc_error(TPC_EINPUT, "%s: the argument %s is not unbiased "
                     "(declares no omega)", s->name, c->sub[0]->type->name);
  c->par[0] = 1.0 / (q.omega + 1.0);
  return TPC_OK;
}

/* alpha = 1/(omega + 1) as init stored it; deterministic when the part is. */
static void scaled_consts(const tpc_comp *c, tpc_comp_consts *out) {
  tpc_comp_consts q;
  tpc_comp_consts_get(c->sub[0], &q);
  *out = (tpc_comp_consts){.cls = TPC_CLASS_CONTRACTIVE, .alpha = c->par[0],
                           .deterministic = q.deterministic != 0, .alpha_src = "T1 scaled"};
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/scaled_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/scaled_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_comp_type tpc_comp_scaled = {
    .name = "scaled",
    .synopsis = "scaled(Q)",
    .summary = "an unbiased compressor divided by omega+1 (contractive)",
    .declared = "B(1/(omega+1))",
    .theory = "T1",
    .keys = NULL,
    .nsub = 1,
    .work_size = 0,
    .init = scaled_init,
    .destroy = NULL,
    .consts = scaled_consts,
    .compress_f32 = scaled_compress_f32,
    .compress_f64 = scaled_compress_f64,
};
