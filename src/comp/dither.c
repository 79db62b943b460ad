/*
** dither(s=INT): random dithering, QSGD with s levels and the 2-norm
** (Alistarh et al. 2017; THEORY.md T2, U(min(d/s^2, sqrt(d)/s))).
** level_i = sign(x_i) xi_i with xi_i the unbiased stochastic rounding of
** r_i = s|x_i|/||x|| to floor(r_i) or floor(r_i) + 1, and
** C(x)_i = (||x||/s) level_i, sent as a QUANT part.  ||x|| is computed in
** double after dividing by max|x_i|, so extreme scales neither overflow nor
** underflow; r_i <= s holds exactly.  When ||x|| is within a factor 2 of the
** type's largest value, scale * level could overflow, and x is sent dense
** instead (unbiased with no variance).  The per-element
** loop applies the random choice and the sign without branches (each would
** be mispredicted every other time); the draws are those of the plain
** formulation.
*/
#include "comp/kernels.h"

#include <float.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

static const char *const dither_keys[] = {"s", NULL};

static int dither_init(tpc_comp *c, const tpc_spec *s) {
  int status = tpc_comp_param_real(s, "s", 1.0, 0, (double)INT32_MAX, 1,
                                   &c->par[0]);
  if (status != TPC_OK) return status;
  c->k = (size_t)c->par[0];
  /* aux holds the levels, or the values of a dense fallback part */
  if (c->d > SIZE_MAX / sizeof(double))
    return tpc_error(TPC_EINPUT, "dither: d = %zu is too large", c->d);
  return tpc_work_alloc(c, 0, c->d * sizeof(double));
}

static void dither_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double d = (double)c->d, s = c->par[0];
  double omega = fmin(d / (s * s), sqrt(d) / s);
  *out = (tpc_comp_consts){TPC_CLASS_UNBIASED, 0.0, omega, 0, NULL, "T2", 0, 0.0};
}

/* DITHER_UINT: the unsigned integer as wide as the element type. */
#define TPC_BASE_F32
#include "core/templates_on.h"
#define DITHER_UINT uint32_t
#include "comp/dither_source.c"
#undef DITHER_UINT
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#define DITHER_UINT uint64_t
#include "comp/dither_source.c"
#undef DITHER_UINT
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_comp_type tpc_comp_dither = {
    .name = "dither",
    .synopsis = "dither(s=INT)",
    .summary = "random dithering (QSGD) with s levels and the 2-norm",
    .declared = "U(min(d/s^2, sqrt(d)/s))",
    .theory = "T2",
    .keys = dither_keys,
    .nsub = 0,
    .work_size = sizeof(tpc_work),
    .init = dither_init,
    .destroy = tpc_work_destroy,
    .consts = dither_consts,
    .compress_f32 = dither_compress_f32,
    .compress_f64 = dither_compress_f64,
};
