/*
** AVX2 kernels of the scaled sign for float input (comp/sign.c); compiled
** with -mavx2 -mfma -mbmi2 and called only when tpc_cpu_supports
** (TPC_ISA_AVX2).  The scan reads x once for both the sum of |x_i| (equal
** bit for bit to the sequential double sum, see sign.c) and the sign bits;
** the fill writes out from the bits, with streaming stores when out is
** larger than the caches, so that the call moves about what it must: x read
** once, out written once.
*/
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stddef.h>

#include "comp/sign_kern.h"

/* Sum of the 4 doubles of v, in any order (exact where it is used). */
static inline double sign_hsum(__m256d v) {
  __m128d h = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
}

/* Floats the scan prefetches ahead: the hardware prefetcher alone leaves it
** well below the speed of a plain sum once x is in memory. */
enum { SIGN_AHEAD = 512 };

/* |x| of 8 floats widened to doubles and added pairwise: 4 doubles. */
static inline __m256d sign_widen_add(__m256 a) {
  return _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(a)),
                       _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)));
}

/* Blocks of 64: the sign bits make one word, the magnitudes one tree sum,
** tested once (sign.c) and taken whole when it passes; otherwise each of
** its 8 blocks of 8 is tested alone and taken whole or added one by one
** (at large sums a few percent of the magnitudes are below theta, so about
** half the blocks of 64 hold one, but few blocks of 8). */
double tpc_sign_scan_f32_avx2(const float *x, size_t d, uint64_t *bits) {
  const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256 zero = _mm256_setzero_ps();
  double s = 0, bound = 0;
  float theta = 0;
  size_t i = 0;
  for (; i + 64 <= d; i += 64) {
    const __m256 th = _mm256_set1_ps(theta);
    __m256d part[8];
    if (i + SIGN_AHEAD + 64 <= d)
      for (size_t l = 0; l < 4; l++) __builtin_prefetch(x + i + SIGN_AHEAD + 16 * l);
    unsigned small = 0;
    uint64_t word = 0;
    for (size_t j = 0; j < 8; j++) {
      __m256 v = _mm256_loadu_ps(x + i + 8 * j), a = _mm256_and_ps(v, absmask);
      unsigned neg = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(v, zero, _CMP_LT_OQ));
      word |= (uint64_t)neg << (8 * j);
      __m256 lo = _mm256_and_ps(_mm256_cmp_ps(a, th, _CMP_LT_OQ),
                                _mm256_cmp_ps(a, zero, _CMP_NEQ_OQ));
      small |= (unsigned)(_mm256_movemask_ps(lo) != 0) << j;
      part[j] = sign_widen_add(a);
    }
    bits[i / 64] = word;
    double t = s + sign_hsum(_mm256_add_pd(
                       _mm256_add_pd(_mm256_add_pd(part[0], part[1]),
                                     _mm256_add_pd(part[2], part[3])),
                       _mm256_add_pd(_mm256_add_pd(part[4], part[5]),
                                     _mm256_add_pd(part[6], part[7]))));
    if (small == 0 && t < bound) {
      s = t;
      continue;
    }
    for (size_t j = 0; j < 8; j++) {
      t = s + sign_hsum(part[j]);
      if (!(small >> j & 1) && t < bound) {
        s = t;
        continue;
      }
      for (size_t e = 0; e < 8; e++) s += (double)fabsf(x[i + 8 * j + e]);
      if (!(s < bound)) tpc_sign_bounds_f32(s, &bound, &theta);
    }
  }
  if (i < d) {
    uint64_t word = 0;
    for (size_t e = i; e < d; e++) {
      s += (double)fabsf(x[e]);
      word |= (uint64_t)(x[e] < 0) << (e - i);
    }
    bits[i / 64] = word;
  }
  return s;
}

/* The 8 sign bits of positions i .. i+7 (all < d), wherever i falls: the
** aligned head of a streaming fill leaves i at any offset in its word. */
static inline int sign_bits8(const uint64_t *bits, size_t i) {
  size_t w = i / 64, o = i % 64;
  uint64_t v = bits[w] >> o;
  if (o > 56) v |= bits[w + 1] << (64 - o);
  return (int)(v & 0xff);
}

void tpc_sign_fill_f32_avx2(const uint64_t *bits, size_t d, float scale,
                            float *out, int stream) {
  const __m256i lane = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  const __m256 plus = _mm256_set1_ps(scale), minus = _mm256_set1_ps(-scale);
  size_t i = 0;
  /* Streaming stores need 32-byte alignment: scalar up to it. */
  for (; stream && i < d && ((uintptr_t)(out + i) & 31) != 0; i++)
    out[i] = bits[i / 64] >> (i % 64) & 1 ? -scale : scale;
  for (; i + 8 <= d; i += 8) {
    __m256i m = _mm256_set1_epi32(sign_bits8(bits, i));
    __m256 neg = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(m, lane), lane));
    __m256 v = _mm256_blendv_ps(plus, minus, neg);
    if (stream)
      _mm256_stream_ps(out + i, v);
    else
      _mm256_storeu_ps(out + i, v);
  }
  if (stream) _mm_sfence();
  for (; i < d; i++) out[i] = bits[i / 64] >> (i % 64) & 1 ? -scale : scale;
}
