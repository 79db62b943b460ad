/*
** bernoulli(p=REAL): lazy compression (THEORY.md T2, U(1/p - 1) exactly):
** with probability p (one gsl_rng_uniform draw from the private stream) send
** x/p as a DENSE part, otherwise send nothing (a SKIP part, out = 0).
*/
#include "comp/kernels.h"

#include <gsl/gsl_rng.h>
#include <string.h>

static const char *const bernoulli_keys[] = {"p", NULL};

static int bernoulli_init(tpc_comp *c, const tpc_spec *s) {
  int status = tpc_comp_param_real(s, "p", 0.0, 1, 1.0, 0, &c->par[0]);
  if (status != TPC_OK) return status;
  return tpc_work_alloc(c, TPC_WORK_VAL, 0);
}

static void bernoulli_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double omega = 1.0 / c->par[0] - 1.0;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_UNBIASED, .omega = omega, .omega_src = "T2"};
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/bernoulli_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/bernoulli_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_comp_type tpc_comp_bernoulli = {
    .name = "bernoulli",
    .synopsis = "bernoulli(p=REAL)",
    .summary = "send x/p with probability p, else nothing (lazy)",
    .declared = "U(1/p - 1)",
    .theory = "T2",
    .keys = bernoulli_keys,
    .nsub = 0,
    .work_size = sizeof(tpc_work),
    .init = bernoulli_init,
    .destroy = tpc_work_destroy,
    .consts = bernoulli_consts,
    .compress_f32 = bernoulli_compress_f32,
    .compress_f64 = bernoulli_compress_f64,
};
