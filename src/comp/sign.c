/*
** sign: scaled sign, C(x) = (||x||_1/d) sign(x) with sign(0) = +1 (THEORY.md
** T2, B(1/d), deterministic; per x, ||C(x) - x||^2 = ||x||^2 - ||x||_1^2/d).
** Sent as a SIGN part: the scale and one bit per coordinate.  The scale is
** the sequential double sum of |x_i| divided by d, bit for bit, however it
** is computed (sign_sum_f32 and the AVX2 scan sum exact blocks at once, the
** AVX-512 scan exact runs between the magnitudes that round).
*/
#include "comp/kernels.h"

#include <math.h>
#include <string.h>

#include "comp/cpu.h"
#include "comp/sign_kern.h"

/* c->par[1]: the instruction set path (tpc_isa) chosen at init. */
static int sign_init(tpc_comp *c, const tpc_spec *s) {
  (void)s;
  c->par[1] = (double)tpc_cpu_isa();
  return tpc_work_alloc(c, 0, (c->d + 63) / 64 * sizeof(uint64_t));
}

static void sign_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double alpha = 1.0 / (double)c->d;
  *out = (tpc_comp_consts){TPC_CLASS_CONTRACTIVE, alpha, 0.0, 1, "T2", NULL, 0, 0.0};
}

/* The sum of |x_i| in double for float input, equal bit for bit to the
** sequential sum but faster: blocks are summed as a tree, which is the
** sequential result whenever no addition rounds.  With the running sum s in
** [2^(e-1), 2^e), s is a multiple of its ulp 2^(e-53); a block whose
** nonzero magnitudes are all >= theta = 2^(e-30) holds multiples of 2^(e-53)
** too (24-bit significands), so while the block's total stays below
** bound = 2^e every partial sum, in any order, is representable and nothing
** rounds.  A tree sum that reached the bound is at or above it (rounding is
** monotone and the bound representable), so comparing the computed total
** decides; other blocks are summed one by one, and the bounds follow s
** when it leaves its binade (it only grows: bound = 0 while s = 0).
** Double input has 53-bit significands, where the test would rarely pass:
** it is summed one by one. */
void tpc_sign_bounds_f32(double s, double *bound, float *theta) {
  int e;
  frexp(s, &e);
  *bound = s > 0 ? ldexp(1.0, e) : 0.0;
  *theta = s > 0 ? (float)ldexp(1.0, e - 30) : 0.0f;
}

static double sign_sum_f32(const float *x, size_t d) {
  double s = 0, bound = 0;
  float theta = 0;
  size_t i = 0;
  for (; i + 8 <= d; i += 8) {
    float a[8];
    int small = 0;
    for (int j = 0; j < 8; j++) {
      a[j] = fabsf(x[i + j]);
      small |= (a[j] < theta) & (a[j] != 0);
    }
    double t = s + ((((double)a[0] + (double)a[1]) + ((double)a[2] + (double)a[3])) +
                    (((double)a[4] + (double)a[5]) + ((double)a[6] + (double)a[7])));
    if (!small && t < bound) {
      s = t;
      continue;
    }
    for (int j = 0; j < 8; j++) s += (double)a[j];
    if (!(s < bound)) tpc_sign_bounds_f32(s, &bound, &theta);
  }
  for (; i < d; i++) s += (double)fabsf(x[i]);
  return s;
}

/* The sequential sum of |x_i| in double. */
static double sign_sum_f64(const double *x, size_t d) {
  double s = 0;
  for (size_t i = 0; i < d; i++) s += fabs(x[i]);
  return s;
}

/* The float kernel on the AVX-512 or AVX2 path: one read of x, one write of
** out (streaming beyond 4 MiB, where out would not stay in cache anyway).
** Returns 0 where neither path is available. */
static int sign_fast_f32(const tpc_comp *c, const float *x, float *out,
                         uint64_t *bits, double *scale) {
  size_t d = c->d;
  int stream = d * sizeof(float) > ((size_t)4 << 20);
  if (c->par[1] >= (double)TPC_ISA_AVX512) {
    *scale = tpc_sign_scan_f32_avx512(x, d, bits) / (double)d;
    tpc_sign_fill_f32_avx512(bits, d, (float)*scale, out, stream);
    return 1;
  }
  if (c->par[1] < (double)TPC_ISA_AVX2) return 0;
  *scale = tpc_sign_scan_f32_avx2(x, d, bits) / (double)d;
  tpc_sign_fill_f32_avx2(bits, d, (float)*scale, out, stream);
  return 1;
}

/* SIGN_FAST: the type's fast path, 0 where it has none. */
#define TPC_BASE_F32
#include "core/templates_on.h"
#define SIGN_FAST(c, x, out, bits, scale) sign_fast_f32(c, x, out, bits, scale)
#include "comp/sign_source.c"
#undef SIGN_FAST
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#define SIGN_FAST(c, x, out, bits, scale) 0
#include "comp/sign_source.c"
#undef SIGN_FAST
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
