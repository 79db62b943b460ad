/*
** dither(s=INT): random dithering, QSGD with s levels and the 2-norm
** (Alistarh et al. 2017; THEORY.md T2, U(min(d/s^2, sqrt(d)/s))).
** level_i = sign(x_i) xi_i with xi_i the unbiased stochastic rounding of
** r_i = s|x_i|/||x|| to floor(r_i) or floor(r_i) + 1, and
** C(x)_i = (||x||/s) level_i, sent as a QUANT part.
**
** The norm.  Float input: the squares are exact in double and neither
** overflow nor underflow there, so ||x||^2 is summed directly, in 32
** interleaved partial sums (coordinate i into sum i mod 32, from the last
** coordinate to the first, combined by a fixed tree), the order the AVX-512
** kernel uses too.  Double input: the
** magnitudes are first scaled by pre = 2^-E with 2^E just above max|x_i|
** (exact), so that nothing overflows, and the squares summed in sequence
** (dither_relnorm_f64 takes that sum in the pass that finds the maximum
** where no square leaves the normal range).  Then r_i = min(|x_i| pre inv, s)
** with inv = s/(||x|| pre): |x_i| <= ||x|| holds for the computed values,
** and the min only absorbs the last bits of rounding of the product.  When
** ||x|| is within a factor 2 of the type's largest value (or not finite),
** scale * level could overflow, and x is sent dense instead (unbiased with
** no variance).
**
** Randomness: xoshiro lanes (rng/lanes.h) seeded from the private stream,
** filled in chunks of TPC_RAND_CHUNK coordinates.  With v = r 2^16 and
** q = floor(v), floor(r) = q >> 16 and F = q mod 2^16 is the top 16 bits of
** frac(r).  Coordinate j of a chunk takes u = the 16 bits 16(j mod 4) .. of word j/4:
** u < F rounds up, u > F down, and a tie u = F (probability 2^-16) draws
** one more word from the private stream, in coordinate order, which rounds
** up when its top 53 bits times 2^-53 fall below frac(v) (gsl_rng_uniform's
** resolution).  So P(up) = frac(r) to within 2^-69, for a quarter of a
** word per coordinate.  The per-element loop applies the random choice and
** the sign without branches (each would be mispredicted every other time);
** the float kernel has AVX2 and AVX-512 paths (dither_avx2.c,
** dither_avx512.c), the double kernel an AVX2 path (dither_avx2.c),
** computing the same bits.
*/
#include "comp/kernels.h"

#include <float.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#include "core/cpu.h"
#include "rng/lanes.h"
#include "rng/pcg.h"

static const char *const dither_keys[] = {"s", NULL};

/* c->par[0]: the number of levels s.  c->priv: the workspace and the
** instruction set path chosen at init. */
typedef struct dither_state {
  tpc_work work;
  tpc_isa isa;
} dither_state;

static tpc_isa dither_isa(const tpc_comp *c) { return ((const dither_state *)c->priv)->isa; }

static int dither_init(tpc_comp *c, const tpc_spec *s) {
  int status = tpc_comp_param_real(s, "s", 1.0, 0, (double)INT32_MAX, 1,
                                   &c->par[0]);
  if (status != TPC_OK) return status;
  ((dither_state *)c->priv)->isa = tpc_cpu_isa();
  c->k = (size_t)c->par[0];
  /* aux holds the levels, or the values of a dense fallback part */
  if (c->d > SIZE_MAX / sizeof(double))
    return tpc_error(TPC_EINPUT, "dither: d = %zu is too large", c->d);
  return tpc_work_alloc(c, 0, c->d * sizeof(double));
}

/* AVX2 and AVX-512: the float kernel and its sum of squares, and the
** lanes' random words in both types; AVX2: the double kernel. */
static void dither_path(const tpc_comp *c, tpc_dtype t, char *buf, size_t size) {
  (void)t;
  tpc_kernel_path(dither_isa(c), TPC_ISA_BIT_AVX2 | TPC_ISA_BIT_AVX512, buf, size);
}

static void dither_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double d = (double)c->d, s = c->par[0];
  double omega = fmin(d / (s * s), sqrt(d) / s);
  *out = (tpc_comp_consts){.cls = TPC_CLASS_UNBIASED, .omega = omega, .omega_src = "T2"};
}

/* A tie: one more word decides whether to round up, at 53 bits against
** rest = frac(v) (see the top of the file). */
int tpc_dither_tie(gsl_rng *r, double rest) {
  uint64_t w;
  tpc_rng_pcg64_fill(r, &w, 1);
  return (double)(w >> 11) * 0x1p-53 < rest;
}

/* ||x||^2 of float input in double: coordinate i into partial sum i mod 32,
** from the last coordinate to the first (so that the start of x is what
** the caches keep for the pass that follows; the partial block at the end
** first, then whole blocks of 32 down), the 32 sums combined as
** (s_j + s_j+8) + (s_j+16 + s_j+24), then lanes j and j+4, j and j+2, 0
** and 1: the AVX2 and AVX-512 kernels' order. */
static double dither_sumsq_f32(const tpc_comp *c, const float *x, size_t d) {
  if (dither_isa(c) >= TPC_ISA_AVX512) return tpc_dither_sumsq_f32_avx512(x, d);
  if (dither_isa(c) >= TPC_ISA_AVX2) return tpc_dither_sumsq_f32_avx2(x, d);
  double acc[32] = {0};
  size_t i = d - d % 32;
  for (size_t k = 0; i + k < d; k++) acc[k] += (double)x[i + k] * (double)x[i + k];
  /* 32 sums side by side, gcc -O2 vectorizes it; unrolled, they stay in registers */
  for (; i >= 32; i -= 32)
#pragma GCC unroll 32
    for (size_t k = 0; k < 32; k++) acc[k] += (double)x[i - 32 + k] * (double)x[i - 32 + k];
  double t[8];
  for (int j = 0; j < 8; j++) t[j] = (acc[j] + acc[j + 8]) + (acc[j + 16] + acc[j + 24]);
  for (int j = 0; j < 4; j++) t[j] += t[j + 4];
  return (t[0] + t[2]) + (t[1] + t[3]);
}

/* ||x|| pre for float input, pre = 1 (the top of the file). */
static double dither_relnorm_f32(const tpc_comp *c, const float *x, double *pre) {
  *pre = 1;
  return sqrt(dither_sumsq_f32(c, x, c->d));
}

/* The magnitude of a double on its bits, which order as the magnitudes do
** (NaN above infinity). */
static uint64_t dither_mag_bits(double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  return u & ~(uint64_t)0 >> 1;
}

/* One coordinate of dither_relnorm_f64's pass: the extreme magnitudes on
** the bits (top, and the smallest nonzero less one in low) and the
** unscaled sum of squares. */
static inline void dither_norm_step(double x, uint64_t *top, uint64_t *low, double *raw) {
  uint64_t u = dither_mag_bits(x);
  *top = u > *top ? u : *top;
  *low = u - 1 < *low ? u - 1 : *low;
  *raw += x * x;
}

/* ||x|| pre for double input (the top of the file): pre = 2^-E with 2^E >
** max|x_i|, and the sequential sum of (|x_i| pre)^2.  Its additions are one
** dependency chain, the cost of the call at large d, so one pass reads x
** for both the extreme magnitudes and, alongside, the unscaled sequential
** sum of x_i^2.  Where every nonzero square and every partial sum, scaled
** and unscaled, lies in the normal range, scaling by pre^2 (a power of two)
** commutes with each rounding, and the unscaled sum times pre^2 is the
** scaled sum bit for bit.  The sums are monotone, so that holds when the
** smallest nonzero |x_i| >= 2^(max(E, 0) - 511) and the unscaled sum is
** finite; other inputs (subnormal or huge squares) take the scaled sum in
** a second pass.  The pass prefetches DITHER_AHEAD coordinates ahead: the
** chain consumes x too slowly for the hardware prefetcher to keep ahead of
** it once x is in memory (a pass over 2^24 cold doubles took 1.5-1.7 ns a
** coordinate with it, 2.9-3.3 without).  Not finite when x is not. */
static double dither_relnorm_f64(const tpc_comp *c, const double *x, double *pre) {
  enum { DITHER_AHEAD = 512 };
  size_t d = c->d, i = 0;
  uint64_t top = 0, low = UINT64_MAX; /* max |x_i|, min nonzero |x_i| less one */
  double raw = 0;
  for (; i + 8 <= d; i += 8) { /* 8 doubles: a cache line */
    if (i + DITHER_AHEAD < d) __builtin_prefetch(x + i + DITHER_AHEAD);
    for (size_t j = 0; j < 8; j++) dither_norm_step(x[i + j], &top, &low, &raw);
  }
  for (; i < d; i++) dither_norm_step(x[i], &top, &low, &raw);
  double big, small;
  low += 1; /* 0 when x is all zeros */
  memcpy(&big, &top, sizeof big);
  memcpy(&small, &low, sizeof small);
  int e = 0;
  if (isfinite(big) && big > 0) frexp(big, &e);
  double p = ldexp(1.0, -e), sum = 0;
  *pre = p;
  if (!isfinite(big)) return big;
  if (isfinite(raw) && (low == 0 || small >= ldexp(1.0, (e > 0 ? e : 0) - 511)))
    return sqrt(raw * p * p);
  for (i = 0; i < d; i++) {
    double t = fabs(x[i]) * p;
    sum += t * t;
  }
  return sqrt(sum);
}

/* The float kernel on the AVX-512 or AVX2 path (streaming beyond 4 MiB); 0
** where neither is available. */
static int dither_fast_f32(const tpc_comp *c, const float *x, float *out, int32_t *level,
                           double inv16, float scale, tpc_rng_lanes *lanes, gsl_rng *r) {
  int stream = c->d * sizeof(float) > ((size_t)4 << 20);
  double s16 = c->par[0] * 0x1p16;
  if (dither_isa(c) >= TPC_ISA_AVX512)
    tpc_dither_f32_avx512(x, c->d, inv16, s16, scale, out, level, lanes, r, stream);
  else if (dither_isa(c) >= TPC_ISA_AVX2)
    tpc_dither_f32_avx2(x, c->d, inv16, s16, scale, out, level, lanes, r, stream);
  else
    return 0;
  return 1;
}

/* The double kernel on the AVX2 path (streaming beyond 4 MiB); 0 where it
** is not available. */
static int dither_fast_f64(const tpc_comp *c, const double *x, double *out, int32_t *level,
                           double pre, double inv16, double scale, tpc_rng_lanes *lanes,
                           gsl_rng *r) {
  if (dither_isa(c) < TPC_ISA_AVX2) return 0;
  tpc_dither_f64_avx2(x, c->d, pre, inv16, c->par[0] * 0x1p16, scale, out, level, lanes, r,
                      c->d * sizeof(double) > ((size_t)4 << 20));
  return 1;
}

/* Coordinates per block of the portable loop (dither_source.c): a whole
** number of vectors of either type on every target. */
enum { DITHER_BLOCK = 32 };

/* Per type: ||x|| pre and the fast path (float's has pre = 1). */
#define TPC_BASE_F32
#include "core/templates_on.h"
#define DITHER_RELNORM(c, x, pre) dither_relnorm_f32(c, x, pre)
#define DITHER_FAST(c, x, out, level, pre, inv16, scale, lanes, r) \
  dither_fast_f32(c, x, out, level, inv16, scale, lanes, r)
#include "comp/dither_source.c"
#undef DITHER_RELNORM
#undef DITHER_FAST
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#define DITHER_RELNORM(c, x, pre) dither_relnorm_f64(c, x, pre)
#define DITHER_FAST(c, x, out, level, pre, inv16, scale, lanes, r) \
  dither_fast_f64(c, x, out, level, pre, inv16, scale, lanes, r)
#include "comp/dither_source.c"
#undef DITHER_RELNORM
#undef DITHER_FAST
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
    .work_size = sizeof(dither_state),
    .init = dither_init,
    .destroy = tpc_work_destroy,
    .consts = dither_consts,
    .compress_f32 = dither_compress_f32,
    .compress_f64 = dither_compress_f64,
    .path = dither_path,
};
