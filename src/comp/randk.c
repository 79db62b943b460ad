/*
** randk(k=INT | ratio=REAL) and urandk(k=INT | ratio=REAL): keep k coordinates
** chosen uniformly without replacement (THEORY.md T2).  randk keeps the values
** (biased, B(k/d)); urandk scales them by d/k (U(d/k - 1)).  The subset comes
** from Floyd's algorithm, k draws of gsl_rng_uniform_int from the caller's
** private stream, marked in the workspace and emitted by one scan that also
** clears the marks, so a result depends on the stream only, never on the
** instance's earlier calls.
*/
#include "comp/kernels.h"

#include <gsl/gsl_rng.h>

static const char *const randk_keys[] = {"k", "ratio", NULL};

/* c->par[1] is the factor applied to the kept values. */
static int randk_init(tpc_comp *c, const tpc_spec *s) {
  int status = tpc_comp_param_k(c, s);
  if (status != TPC_OK) return status;
  c->par[1] = 1.0;
  return tpc_work_alloc(c, TPC_WORK_SPARSE, 0);
}

static int urandk_init(tpc_comp *c, const tpc_spec *s) {
  int status = randk_init(c, s);
  if (status == TPC_OK) c->par[1] = (double)c->d / (double)c->k;
  return status;
}

static void randk_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double alpha = (double)c->k / (double)c->d;
  *out = (tpc_comp_consts){TPC_CLASS_CONTRACTIVE, alpha, 0.0, 0, "T2", NULL};
}

static void urandk_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double omega = (double)c->d / (double)c->k - 1.0;
  *out = (tpc_comp_consts){TPC_CLASS_UNBIASED, 0.0, omega, 0, NULL, "T2"};
}

/* Floyd's algorithm: marks a uniformly random k-subset of 0..d-1. */
static void randk_mark(unsigned char *mark, size_t d, size_t k, gsl_rng *r) {
  for (size_t j = d - k; j < d; j++) {
    size_t t = (size_t)gsl_rng_uniform_int(r, (unsigned long)j + 1);
    if (mark[t])
      mark[j] = 1;
    else
      mark[t] = 1;
  }
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/randk_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/randk_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_comp_type tpc_comp_randk = {
    .name = "randk",
    .synopsis = "randk(k=INT | ratio=REAL)",
    .summary = "keep k uniformly random coordinates, unscaled (biased)",
    .declared = "B(k/d)",
    .theory = "T2",
    .keys = randk_keys,
    .nsub = 0,
    .work_size = sizeof(tpc_work),
    .init = randk_init,
    .destroy = tpc_work_destroy,
    .consts = randk_consts,
    .compress_f32 = randk_compress_f32,
    .compress_f64 = randk_compress_f64,
};

const tpc_comp_type tpc_comp_urandk = {
    .name = "urandk",
    .synopsis = "urandk(k=INT | ratio=REAL)",
    .summary = "keep k uniformly random coordinates scaled by d/k (unbiased)",
    .declared = "U(d/k - 1)",
    .theory = "T2",
    .keys = randk_keys,
    .nsub = 0,
    .work_size = sizeof(tpc_work),
    .init = urandk_init,
    .destroy = tpc_work_destroy,
    .consts = urandk_consts,
    .compress_f32 = randk_compress_f32,
    .compress_f64 = randk_compress_f64,
};
