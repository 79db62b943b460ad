/*
** sign: scaled sign, C(x) = (||x||_1/d) sign(x) with sign(0) = +1 (THEORY.md
** T2, B(1/d), deterministic; per x, ||C(x) - x||^2 = ||x||^2 - ||x||_1^2/d).
** Sent as a SIGN part: the scale and one bit per coordinate.  The scale is
** the double sum of |x_i| in a fixed blocked order (sign_kern.h: 16 lanes of
** consecutive elements, folded in a fixed tree) divided by d: the same bits
** on the portable, AVX2 and AVX-512 paths and for any thread count, and a
** sum the vector paths keep at read bandwidth (a sequential sum is one
** serial addition per element).
*/
#include "comp/kernels.h"

#include <math.h>
#include <string.h>

#include "core/cpu.h"
#include "comp/sign_kern.h"

/* c->priv: the workspace and the instruction set path chosen at init. */
typedef struct sign_state {
  tpc_work work;
  tpc_isa isa;
} sign_state;

static tpc_isa sign_isa(const tpc_comp *c) { return ((const sign_state *)c->priv)->isa; }

static int sign_init(tpc_comp *c, const tpc_spec *s) {
  (void)s;
  ((sign_state *)c->priv)->isa = tpc_cpu_isa();
  return tpc_work_alloc(c, 0, (c->d + 63) / 64 * sizeof(uint64_t));
}

/* The float kernel has AVX-512 and AVX2 variants, the double one AVX2 (its
** scan already runs at read bandwidth there). */
static void sign_path(const tpc_comp *c, tpc_dtype t, char *buf, size_t size) {
  tpc_kernel_path(sign_isa(c),
                  t == TPC_F32 ? TPC_ISA_BIT_AVX2 | TPC_ISA_BIT_AVX512 : TPC_ISA_BIT_AVX2,
                  buf, size);
}

static void sign_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double alpha = 1.0 / (double)c->d;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_CONTRACTIVE, .alpha = alpha, .deterministic = 1,
                           .alpha_src = "T2"};
}

/* The fold of the lanes (sign_kern.h): one tree, which every path ends with. */
double tpc_sign_fold16(double lane[TPC_SIGN_LANES]) {
  for (int h = TPC_SIGN_LANES / 2; h >= 1; h /= 2)
    for (int l = 0; l < h; l++) lane[l] += lane[l + h];
  return lane[0];
}

/* The float kernel on the AVX-512 or AVX2 path: one read of x, one write of
** out (streaming beyond 4 MiB, where out would not stay in cache anyway).
** Returns 0 where neither path is available. */
static int sign_fast_f32(const tpc_comp *c, const float *x, float *out,
                         uint64_t *bits, double *scale) {
  size_t d = c->d;
  int stream = d * sizeof(float) > ((size_t)4 << 20);
  if (sign_isa(c) >= TPC_ISA_AVX512) {
    *scale = tpc_sign_scan_f32_avx512(x, d, bits) / (double)d;
    tpc_sign_fill_f32_avx512(bits, d, (float)*scale, out, stream);
    return 1;
  }
  if (sign_isa(c) < TPC_ISA_AVX2) return 0;
  *scale = tpc_sign_scan_f32_avx2(x, d, bits) / (double)d;
  tpc_sign_fill_f32_avx2(bits, d, (float)*scale, out, stream);
  return 1;
}

/* The double kernel on the AVX2 path (also under an AVX-512 cap), as the
** float one.  Returns 0 where AVX2 is not available, and where the sum
** overflows: the portable path then sums again scaled (sign_source.c) and
** rewrites the bits, a rare input that may cost a second read. */
static int sign_fast_f64(const tpc_comp *c, const double *x, double *out,
                         uint64_t *bits, double *scale) {
  size_t d = c->d;
  if (sign_isa(c) < TPC_ISA_AVX2) return 0;
  double sum = tpc_sign_scan_f64_avx2(x, d, bits);
  if (isinf(sum)) return 0;
  *scale = sum / (double)d;
  tpc_sign_fill_f64_avx2(bits, d, *scale, out, d * sizeof(double) > ((size_t)4 << 20));
  return 1;
}

/* 2^j for j < 32 and j < 64: the portable loops (sign_source.c) test and
** set bit j of a word through a load from these, since a shift by the loop
** index does not vectorize at the baseline ISA. */
#define SIGN_POW2_8(T, j)                                                         \
  (T)1 << (j), (T)1 << ((j) + 1), (T)1 << ((j) + 2), (T)1 << ((j) + 3),           \
      (T)1 << ((j) + 4), (T)1 << ((j) + 5), (T)1 << ((j) + 6), (T)1 << ((j) + 7)
static const uint32_t sign_pow2_32[32] = {SIGN_POW2_8(uint32_t, 0), SIGN_POW2_8(uint32_t, 8),
                                          SIGN_POW2_8(uint32_t, 16),
                                          SIGN_POW2_8(uint32_t, 24)};
static const uint64_t sign_pow2_64[64] = {
    SIGN_POW2_8(uint64_t, 0),  SIGN_POW2_8(uint64_t, 8),  SIGN_POW2_8(uint64_t, 16),
    SIGN_POW2_8(uint64_t, 24), SIGN_POW2_8(uint64_t, 32), SIGN_POW2_8(uint64_t, 40),
    SIGN_POW2_8(uint64_t, 48), SIGN_POW2_8(uint64_t, 56)};

/* Elements per chunk of the portable scan (sign_source.c): a multiple of
** 64 whose doubles fit the L1 cache with room to spare. */
enum { SIGN_CHUNK = 1024 };

/* Per type: the fast path (0 where it has none), the unsigned integer as
** wide as the element (SIGN_BITS bits) and its powers of two. */
#define TPC_BASE_F32
#include "core/templates_on.h"
#define SIGN_FAST(c, x, out, bits, scale) sign_fast_f32(c, x, out, bits, scale)
#define SIGN_UINT uint32_t
#define SIGN_BITS 32
#define SIGN_POW2 sign_pow2_32
#include "comp/sign_source.c"
#undef SIGN_FAST
#undef SIGN_UINT
#undef SIGN_BITS
#undef SIGN_POW2
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#define SIGN_FAST(c, x, out, bits, scale) sign_fast_f64(c, x, out, bits, scale)
#define SIGN_UINT uint64_t
#define SIGN_BITS 64
#define SIGN_POW2 sign_pow2_64
#include "comp/sign_source.c"
#undef SIGN_FAST
#undef SIGN_UINT
#undef SIGN_BITS
#undef SIGN_POW2
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
    .work_size = sizeof(sign_state),
    .init = sign_init,
    .destroy = tpc_work_destroy,
    .consts = sign_consts,
    .compress_f32 = sign_compress_f32,
    .compress_f64 = sign_compress_f64,
    .path = sign_path,
};
