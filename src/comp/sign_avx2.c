/*
** AVX2 kernels of the scaled sign for float and double input (comp/sign.c);
** compiled with -mavx2 -mfma -mbmi2 and called only when tpc_cpu_supports
** (TPC_ISA_AVX2).  The scan reads x once for both the sum of |x_i| (in the
** order of sign_kern.h: lanes 0-3, 4-7, 8-11, 12-15 are four vectors of
** doubles, each added to once per 16 elements) and the sign bits; the fill
** writes out from the bits, with streaming stores when out is larger than
** the caches, so that the call moves about what it must: x read once, out
** written once.
*/
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stddef.h>

#include "comp/sign_kern.h"

/* Bytes the scan prefetches ahead: the hardware prefetcher alone leaves it
** well below the speed of a plain sum once x is in memory. */
enum { SIGN_AHEAD = 2048 };

/* 8 floats at x: their sign bits (x < 0, -0 not), and |x| widened and added
** to the lanes lo (elements 0-3) and hi (4-7). */
static inline unsigned sign_step8(const float *x, __m256d *lo, __m256d *hi) {
  const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  __m256 v = _mm256_loadu_ps(x), a = _mm256_and_ps(v, absmask);
  *lo = _mm256_add_pd(*lo, _mm256_cvtps_pd(_mm256_castps256_ps128(a)));
  *hi = _mm256_add_pd(*hi, _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)));
  return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
}

double tpc_sign_scan_f32_avx2(const float *x, size_t d, uint64_t *bits) {
  __m256d acc[4] = {_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(),
                    _mm256_setzero_pd()};
  size_t i = 0;
  for (; i + 64 <= d; i += 64) {
    if (i + SIGN_AHEAD / sizeof *x + 64 <= d)
      for (size_t l = 0; l < 4; l++)
        __builtin_prefetch(x + i + SIGN_AHEAD / sizeof *x + 16 * l);
    uint64_t word = 0;
#pragma GCC unroll 8 /* keeps acc in registers: a loop left it in memory */
    for (size_t j = 0; j < 8; j++) /* elements 8j .. 8j+7: lanes 8(j%2) .. */
      word |= (uint64_t)sign_step8(x + i + 8 * j, &acc[2 * (j % 2)], &acc[2 * (j % 2) + 1])
              << (8 * j);
    bits[i / 64] = word;
  }
  double lane[TPC_SIGN_LANES];
  for (size_t k = 0; k < 4; k++) _mm256_storeu_pd(lane + 4 * k, acc[k]);
  if (i < d) { /* i is a multiple of 64: element e goes to lane e % 16 */
    uint64_t word = 0;
    for (size_t e = i; e < d; e++) {
      lane[e % TPC_SIGN_LANES] += (double)fabsf(x[e]);
      word |= (uint64_t)(x[e] < 0) << (e - i);
    }
    bits[i / 64] = word;
  }
  return tpc_sign_fold16(lane);
}

/* The 64 sign bits of positions i .. i+63 (all < d), wherever i falls: the
** aligned head of a streaming fill leaves i at any offset in its word. */
static inline uint64_t sign_bits64(const uint64_t *bits, size_t i) {
  size_t w = i / 64, o = i % 64;
  return o == 0 ? bits[w] : bits[w] >> o | bits[w + 1] << (64 - o);
}

/* The sign of element i of out from bit i of the bits (the scalar head and
** tail of the fills). */
#define SIGN_OUT(bits, i, scale) ((bits)[(i) / 64] >> ((i) % 64) & 1 ? -(scale) : (scale))

/* out[0..64) from the word's bits: each vector's lanes shift their own bit
** into the sign position (a variable shift of the broadcast word), which
** blendv reads, so a vector costs a shift, a blend and a store.  Inlined
** with `stream` a constant. */
static inline __attribute__((always_inline)) void sign_fill64_f32(uint64_t word, float *out,
                                                                 __m256 plus, __m256 minus,
                                                                 int stream) {
  const __m256i top = _mm256_setr_epi32(31, 30, 29, 28, 27, 26, 25, 24);
  const __m256i half[2] = {_mm256_set1_epi32((int)(uint32_t)word),
                           _mm256_set1_epi32((int)(uint32_t)(word >> 32))};
#pragma GCC unroll 8 /* the shift counts become constants */
  for (int j = 0; j < 8; j++) { /* lane l of vector j: bit 8j + l */
    __m256i at = _mm256_sub_epi32(top, _mm256_set1_epi32(8 * (j % 4)));
    __m256i m = _mm256_sllv_epi32(half[j / 4], at);
    __m256 v = _mm256_blendv_ps(plus, minus, _mm256_castsi256_ps(m));
    if (stream)
      _mm256_stream_ps(out + 8 * j, v);
    else
      _mm256_storeu_ps(out + 8 * j, v);
  }
}

void tpc_sign_fill_f32_avx2(const uint64_t *bits, size_t d, float scale,
                            float *out, int stream) {
  const __m256 plus = _mm256_set1_ps(scale), minus = _mm256_set1_ps(-scale);
  size_t i = 0;
  if (stream) {
    /* Streaming stores need 32-byte alignment: scalar up to it. */
    for (; i < d && ((uintptr_t)(out + i) & 31) != 0; i++) out[i] = SIGN_OUT(bits, i, scale);
    for (; i + 64 <= d; i += 64) sign_fill64_f32(sign_bits64(bits, i), out + i, plus, minus, 1);
    _mm_sfence();
  } else {
    for (; i + 64 <= d; i += 64) sign_fill64_f32(bits[i / 64], out + i, plus, minus, 0);
  }
  for (; i < d; i++) out[i] = SIGN_OUT(bits, i, scale);
}

/* 4 doubles at x: their sign bits (x < 0, -0 not), and |x| added to the
** lanes acc. */
static inline unsigned sign_step4(const double *x, __m256d *acc) {
  const __m256d absmask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
  __m256d v = _mm256_loadu_pd(x);
  *acc = _mm256_add_pd(*acc, _mm256_and_pd(v, absmask));
  return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(v, _mm256_setzero_pd(), _CMP_LT_OQ));
}

double tpc_sign_scan_f64_avx2(const double *x, size_t d, uint64_t *bits) {
  __m256d acc[4] = {_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(),
                    _mm256_setzero_pd()};
  size_t i = 0;
  for (; i + 64 <= d; i += 64) {
    if (i + SIGN_AHEAD / sizeof *x + 64 <= d)
      for (size_t l = 0; l < 8; l++)
        __builtin_prefetch(x + i + SIGN_AHEAD / sizeof *x + 8 * l);
    uint64_t word = 0;
#pragma GCC unroll 16 /* keeps acc in registers */
    for (size_t j = 0; j < 16; j++) /* elements 4j .. 4j+3: lanes 4(j%4) .. */
      word |= (uint64_t)sign_step4(x + i + 4 * j, &acc[j % 4]) << (4 * j);
    bits[i / 64] = word;
  }
  double lane[TPC_SIGN_LANES];
  for (size_t k = 0; k < 4; k++) _mm256_storeu_pd(lane + 4 * k, acc[k]);
  if (i < d) {
    uint64_t word = 0;
    for (size_t e = i; e < d; e++) {
      lane[e % TPC_SIGN_LANES] += fabs(x[e]);
      word |= (uint64_t)(x[e] < 0) << (e - i);
    }
    bits[i / 64] = word;
  }
  return tpc_sign_fold16(lane);
}

/* The double fill as sign_fill64_f32: lane l of vector j takes bit 4j + l. */
static inline __attribute__((always_inline)) void sign_fill64_f64(uint64_t word, double *out,
                                                                 __m256d plus, __m256d minus,
                                                                 int stream) {
  const __m256i top = _mm256_setr_epi64x(63, 62, 61, 60), all = _mm256_set1_epi64x((long long)word);
#pragma GCC unroll 16
  for (int j = 0; j < 16; j++) {
    __m256i m = _mm256_sllv_epi64(all, _mm256_sub_epi64(top, _mm256_set1_epi64x(4 * j)));
    __m256d v = _mm256_blendv_pd(plus, minus, _mm256_castsi256_pd(m));
    if (stream)
      _mm256_stream_pd(out + 4 * j, v);
    else
      _mm256_storeu_pd(out + 4 * j, v);
  }
}

void tpc_sign_fill_f64_avx2(const uint64_t *bits, size_t d, double scale,
                            double *out, int stream) {
  const __m256d plus = _mm256_set1_pd(scale), minus = _mm256_set1_pd(-scale);
  size_t i = 0;
  if (stream) {
    for (; i < d && ((uintptr_t)(out + i) & 31) != 0; i++) out[i] = SIGN_OUT(bits, i, scale);
    for (; i + 64 <= d; i += 64) sign_fill64_f64(sign_bits64(bits, i), out + i, plus, minus, 1);
    _mm_sfence();
  } else {
    for (; i + 64 <= d; i += 64) sign_fill64_f64(bits[i / 64], out + i, plus, minus, 0);
  }
  for (; i < d; i++) out[i] = SIGN_OUT(bits, i, scale);
}
