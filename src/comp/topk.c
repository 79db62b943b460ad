/*
** topk(k=INT | ratio=REAL): keep the k largest |x_i|, ties broken towards the
** lower index, zero the rest (THEORY.md T2, B(k/d), deterministic).  O(d)
** expected per call: the k-th largest magnitude t is selected without a sort
** (tpc_kern_kth_abs), then one scan keeps every |x_i| > t and the first
** k - #{|x_i| > t} coordinates with |x_i| = t.
*/
#include "comp/kernels.h"

static const char *const topk_keys[] = {"k", "ratio", NULL};

static int topk_init(tpc_comp *c, const tpc_spec *s) {
  int status = tpc_comp_param_k(c, s);
  if (status != TPC_OK) return status;
  return tpc_work_alloc(c, TPC_WORK_SPARSE, c->d * sizeof(double));
}

static void topk_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double alpha = (double)c->k / (double)c->d;
  *out = (tpc_comp_consts){TPC_CLASS_CONTRACTIVE, alpha, 0.0, 1, "T2", NULL};
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/topk_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/topk_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_comp_type tpc_comp_topk = {
    .name = "topk",
    .synopsis = "topk(k=INT | ratio=REAL)",
    .summary = "keep the k largest magnitudes (ties: lower index first)",
    .declared = "B(k/d)",
    .theory = "T2",
    .keys = topk_keys,
    .nsub = 0,
    .work_size = sizeof(tpc_work),
    .init = topk_init,
    .destroy = tpc_work_destroy,
    .consts = topk_consts,
    .compress_f32 = topk_compress_f32,
    .compress_f64 = topk_compress_f64,
};
