/*
** AVX-512 kernels of the scaled sign for float input (comp/sign.c); compiled
** with the AVX-512 flags and called only where tpc_cpu_supports
** (TPC_ISA_AVX512).  The scan reads x once for the sign bits and the sum of
** |x_i| in the order of sign_kern.h: lanes 0-7 and 8-15 are two vectors of
** doubles, each 16 floats widened and added to them in turn, so the chain is
** one vector addition per 16 elements and the scan runs at read bandwidth.
** The fill writes out from the bits (streaming stores when asked), so the
** call moves what it must: x read once, out written once.
*/
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stddef.h>

#include "comp/sign_kern.h"

/* Floats the scan prefetches ahead (as the AVX2 scan). */
enum { SIGN_AHEAD = 512 };

/* 16 floats at x: their sign bits (x < 0, -0 not), and |x| widened and
** added to the lanes lo (elements 0-7) and hi (8-15). */
static inline __mmask16 sign_step16(const float *x, __m512d *lo, __m512d *hi) {
  __m512 v = _mm512_loadu_ps(x);
  __m512 a = _mm512_castsi512_ps(
      _mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(0x7fffffff)));
  *lo = _mm512_add_pd(*lo, _mm512_cvtps_pd(_mm512_castps512_ps256(a)));
  *hi = _mm512_add_pd(*hi, _mm512_cvtps_pd(_mm256_castpd_ps(
                               _mm512_extractf64x4_pd(_mm512_castps_pd(a), 1))));
  return _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
}

double tpc_sign_scan_f32_avx512(const float *x, size_t d, uint64_t *bits) {
  __m512d lo = _mm512_setzero_pd(), hi = _mm512_setzero_pd();
  size_t i = 0;
  for (; i + 64 <= d; i += 64) {
    if (i + SIGN_AHEAD + 64 <= d)
      for (size_t l = 0; l < 4; l++) __builtin_prefetch(x + i + SIGN_AHEAD + 16 * l);
    __mmask16 n0 = sign_step16(x + i, &lo, &hi);
    __mmask16 n1 = sign_step16(x + i + 16, &lo, &hi);
    __mmask16 n2 = sign_step16(x + i + 32, &lo, &hi);
    __mmask16 n3 = sign_step16(x + i + 48, &lo, &hi);
    bits[i / 64] = _cvtmask64_u64(
        _mm512_kunpackd(_mm512_kunpackw(n3, n2), _mm512_kunpackw(n1, n0)));
  }
  double lane[TPC_SIGN_LANES];
  _mm512_storeu_pd(lane, lo);
  _mm512_storeu_pd(lane + 8, hi);
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

/* The 16 sign bits of positions i .. i+15 (all < d), wherever i falls. */
static inline __mmask16 sign_bits16(const uint64_t *bits, size_t i) {
  size_t w = i / 64, o = i % 64;
  uint64_t v = bits[w] >> o;
  if (o > 48) v |= bits[w + 1] << (64 - o);
  return (__mmask16)v;
}

void tpc_sign_fill_f32_avx512(const uint64_t *bits, size_t d, float scale, float *out,
                              int stream) {
  const __m512 plus = _mm512_set1_ps(scale), minus = _mm512_set1_ps(-scale);
  size_t i = 0;
  if (stream) { /* masked up to out's 64-byte boundary */
    size_t head = (64 - ((uintptr_t)out & 63)) / 4 % 16;
    head = head < d ? head : d;
    __mmask16 m = (__mmask16)((1u << head) - 1);
    _mm512_mask_storeu_ps(out, m, _mm512_mask_blend_ps((__mmask16)bits[0], plus, minus));
    i = head;
  }
  for (; i + 16 <= d; i += 16) {
    __m512 v = _mm512_mask_blend_ps(sign_bits16(bits, i), plus, minus);
    if (stream) _mm512_stream_ps(out + i, v);
    else _mm512_storeu_ps(out + i, v);
  }
  if (stream) _mm_sfence();
  for (; i < d; i++) out[i] = bits[i / 64] >> (i % 64) & 1 ? -scale : scale;
}
