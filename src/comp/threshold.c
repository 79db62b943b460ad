/*
** threshold(lambda=REAL): hard threshold, keep the coordinates with
** |x_i| >= lambda (THEORY.md T2).  Not contractive uniformly (small x is
** zeroed entirely), so it declares no class: a negative example for the
** verifier.  Deterministic; a SPARSE part.
*/
#include "comp/kernels.h"

#include <math.h>

static const char *const threshold_keys[] = {"lambda", NULL};

static int threshold_init(tpc_comp *c, const tpc_spec *s) {
  int status = tpc_comp_param_real(s, "lambda", 0.0, 0, HUGE_VAL, 0,
                                   &c->par[0]);
  if (status != TPC_OK) return status;
  return tpc_work_alloc(c, TPC_WORK_SPARSE, 0);
}

static void threshold_consts(const tpc_comp *c, tpc_comp_consts *out) {
  (void)c;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_NONE, .deterministic = 1};
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/threshold_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/threshold_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_comp_type tpc_comp_threshold = {
    .name = "threshold",
    .synopsis = "threshold(lambda=REAL)",
    .summary = "keep the coordinates with |x_i| >= lambda",
    .declared = "none",
    .theory = "T2",
    .keys = threshold_keys,
    .nsub = 0,
    .work_size = sizeof(tpc_work),
    .init = threshold_init,
    .destroy = tpc_work_destroy,
    .consts = threshold_consts,
    .compress_f32 = threshold_compress_f32,
    .compress_f64 = threshold_compress_f64,
};
