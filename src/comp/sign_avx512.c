/*
** AVX-512 kernels of the scaled sign for float input (comp/sign.c); compiled
** with the AVX-512 flags and called only where tpc_cpu_supports
** (TPC_ISA_AVX512).  The scan reads x once for the sign bits and the sum of
** |x_i|, equal bit for bit to the sequential double sum; the fill writes out
** from the bits (streaming stores when asked), so the call moves what it
** must: x read once, out written once.
**
** The sum.  With the running sum s in [2^(e-1), 2^e), bound = 2^e and
** theta = 2^(e-30) (tpc_sign_bounds_f32), a magnitude a >= theta is a
** multiple of ulp(s) = 2^(e-53), so adding it to s is exact while the total
** stays below bound ("big"); a nonzero a < theta may round ("small").  The
** sequential sum is therefore: bigs added exactly, in any order, and each
** small added with the rounding of the moment.  The scan keeps the bigs met
** since the last small in a vector accumulator `acc` (exact: every partial
** sum is a multiple of 2^(e-53) below 2^e), and at each small adds the
** pending bigs to s (exact) and then the small (rounded), so the serial chain
** is two additions per small (about 1 in 80 magnitudes of a Gaussian x at
** d = 2^24) instead of one per element.  A block of 64 without smalls only
** adds to acc, and a lane-wise comparison of acc with (bound - s)/8 (exact,
** s >= bound/2) shows that the total stays below bound without a
** horizontal sum.  Every step checks its result against bound; a block where
** one does not stay below is redone one element at a time from its start
** (rare: s changes binade a few dozen times in all), which is exactly
** sign.c's sequential definition.
*/
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "comp/sign_kern.h"

/* Floats the scan prefetches ahead (as the AVX2 scan). */
enum { SIGN_AHEAD = 512 };

/* The small ones of 16 magnitudes: 0 < a < theta, as a - 1 < theta - 1 on
** the bits (unsigned), th1 = theta's bits minus 1. */
static inline __mmask16 sign_small(__m512i a, __m512i th1) {
  return _mm512_cmplt_epu32_mask(_mm512_sub_epi32(a, _mm512_set1_epi32(1)), th1);
}

/* The entries of lo, hi (positions 0-7, 8-15) in mask m, summed with pend
** horizontally: exact where it is used, so in any order. */
static inline double sign_part(__m512d lo, __m512d hi, __m512d pend, unsigned m) {
  return _mm512_reduce_add_pd(_mm512_add_pd(
      pend, _mm512_add_pd(_mm512_maskz_mov_pd((__mmask8)m, lo),
                          _mm512_maskz_mov_pd((__mmask8)(m >> 8), hi))));
}

/* A block x[0..64) with small magnitudes at the set bits of `small`, 16 at a
** time, s the running sum and *pend the pending bigs (s + their sum below
** bound, exact): the new s, with *pend the bigs after the last small; NAN
** where a step left the binade (the caller then redoes the block).  At each
** small the pending bigs and those before it are added (exact), then the
** small (rounded). */
static double sign_smalls(const float *x, uint64_t small, double s, double bound,
                          __m512d *pend) {
  const __m512i absmask = _mm512_set1_epi32(0x7fffffff);
  __m512d p = *pend;
  for (int q = 0; q < 4; q++) {
    __m512i a = _mm512_and_si512(_mm512_loadu_si512(x + 16 * q), absmask);
    unsigned m = (unsigned)(small >> (16 * q)) & 0xffff, from = 0;
    a = _mm512_maskz_mov_epi32((__mmask16)~m, a);
    __m512d lo = _mm512_cvtps_pd(_mm256_castsi256_ps(_mm512_castsi512_si256(a)));
    __m512d hi = _mm512_cvtps_pd(_mm256_castsi256_ps(_mm512_extracti64x4_epi64(a, 1)));
    for (; m != 0; m &= m - 1) {
      unsigned e = (unsigned)__builtin_ctz(m);
      double t = s + sign_part(lo, hi, p, ((1u << e) - 1) & ~((1u << from) - 1));
      if (!(t < bound)) return NAN;
      s = t + (double)fabsf(x[16 * q + e]);
      if (!(s < bound)) return NAN;
      p = _mm512_setzero_pd();
      from = e + 1;
    }
    unsigned rest = 0xffffu & ~((1u << from) - 1);
    p = _mm512_add_pd(p, _mm512_add_pd(_mm512_maskz_mov_pd((__mmask8)rest, lo),
                                       _mm512_maskz_mov_pd((__mmask8)(rest >> 8), hi)));
  }
  *pend = p;
  return s;
}

/* One block by the definition, each magnitude in order, the bounds
** following s. */
static double sign_block_slow(double s, const float *x, double *bound, float *theta) {
  for (int e = 0; e < 64; e++) {
    s += (double)fabsf(x[e]);
    if (!(s < *bound)) tpc_sign_bounds_f32(s, bound, theta);
  }
  return s;
}

/* 16 floats of the block at x + i: sign bits n##k, small bits s##k,
** magnitudes a##k. */
#define SIGN_LOAD16(k)                                                              \
  __m512 v##k = _mm512_loadu_ps(x + i + 16 * (k));                                  \
  __m512i a##k = _mm512_and_si512(_mm512_castps_si512(v##k), absmask);              \
  __mmask16 n##k = _mm512_cmp_ps_mask(v##k, zero, _CMP_LT_OQ);                      \
  __mmask16 s##k = sign_small(a##k, th1)

/* The widened sum of 16 magnitudes (no small ones among them). */
static inline __m512d sign_sum16(__m512i a) {
  return _mm512_add_pd(_mm512_cvtps_pd(_mm256_castsi256_ps(_mm512_castsi512_si256(a))),
                       _mm512_cvtps_pd(_mm256_castsi256_ps(_mm512_extracti64x4_epi64(a, 1))));
}

double tpc_sign_scan_f32_avx512(const float *x, size_t d, uint64_t *bits) {
  const __m512 zero = _mm512_setzero_ps();
  const __m512i absmask = _mm512_set1_epi32(0x7fffffff);
  double s = 0, bound = 0;
  __m512d lim = _mm512_setzero_pd();
  float theta = 0;
  __m512d acc = _mm512_setzero_pd(); /* pending bigs: s + sum < bound, exact */
  size_t i = 0;
  for (; i + 64 <= d; i += 64) {
    if (i + SIGN_AHEAD + 64 <= d) {
      __builtin_prefetch(x + i + SIGN_AHEAD);
      __builtin_prefetch(x + i + SIGN_AHEAD + 16);
      __builtin_prefetch(x + i + SIGN_AHEAD + 32);
      __builtin_prefetch(x + i + SIGN_AHEAD + 48);
    }
    uint32_t tb;
    memcpy(&tb, &theta, sizeof tb);
    const __m512i th1 = _mm512_set1_epi32((int)(tb - 1));
    SIGN_LOAD16(0);
    SIGN_LOAD16(1);
    SIGN_LOAD16(2);
    SIGN_LOAD16(3);
    bits[i / 64] = _cvtmask64_u64(
        _mm512_kunpackd(_mm512_kunpackw(n3, n2), _mm512_kunpackw(n1, n0)));
    uint64_t small = _cvtmask64_u64(
        _mm512_kunpackd(_mm512_kunpackw(s3, s2), _mm512_kunpackw(s1, s0)));
    if (small == 0) {
      __m512d sum = _mm512_add_pd(_mm512_add_pd(sign_sum16(a0), sign_sum16(a1)),
                                  _mm512_add_pd(sign_sum16(a2), sign_sum16(a3)));
      /* every lane below (bound - s)/8 (exact: s >= bound/2) keeps the
      ** total below bound without a horizontal sum */
      __m512d next = _mm512_add_pd(acc, sum);
      if (_mm512_cmp_pd_mask(next, lim, _CMP_LT_OQ) == 0xff) {
        acc = next;
        continue;
      }
      double t = s + _mm512_reduce_add_pd(next);
      if (t < bound) { /* fold the pending bigs into s */
        s = t;
        acc = _mm512_setzero_pd();
        lim = _mm512_set1_pd((bound - s) / 8);
        continue;
      }
    } else {
      __m512d pend = acc;
      double t = sign_smalls(x + i, small, s, bound, &pend);
      __m512d tlim = _mm512_set1_pd((bound - t) / 8); /* NAN when a step failed */
      if (_mm512_cmp_pd_mask(pend, tlim, _CMP_LT_OQ) == 0xff ||
          t + _mm512_reduce_add_pd(pend) < bound) {
        s = t;
        acc = pend;
        lim = tlim;
        continue;
      }
    }
    s = sign_block_slow(s + _mm512_reduce_add_pd(acc), x + i, &bound, &theta);
    acc = _mm512_setzero_pd();
    lim = _mm512_set1_pd(bound > 0 ? (bound - s) / 8 : 0);
  }
  s += _mm512_reduce_add_pd(acc);
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
