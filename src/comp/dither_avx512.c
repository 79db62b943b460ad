/*
** AVX-512 kernel of dithering for float input (comp/dither.c): the portable
** rule on 16 coordinates at once, bit for bit the same levels and out from
** the same words of the lanes, chunk by chunk (and one word of the stream
** per tie in coordinate order: dither.c).  The two halves of
** 16 floats are widened to doubles for v = min(|x| inv16, s16) and q =
** floor(v) as 64-bit lanes, whose low and high 32-bit halves are gathered
** into 16 lanes each: floor(r) = q >> 16 and F = q mod 2^16, compared with
** the 16 random quarters (lane i is quarter i % 4 of word i / 4 on this
** little-endian machine).  Streaming stores for out and the levels when
** asked.  Compiled with the AVX-512 flags, called only where
** tpc_cpu_supports(TPC_ISA_AVX512).
*/
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "comp/kernels.h"
#include "comp/stream_avx512.h"
#include "rng/lanes.h"

typedef struct {
  __m512d inv16, s16;
  __m512 scale;
  gsl_rng *r;
} dith_par;

/* floor(min(a inv16, s16)) of 8 magnitudes, as 64-bit lanes. */
static inline __m512i dith_q(__m256 a, const dith_par *p) {
  return _mm512_cvttpd_epu64(_mm512_min_pd(_mm512_mul_pd(_mm512_cvtps_pd(a), p->inv16), p->s16));
}

/* The lanes of `tie` (u = F) decided by one more word each, in order, v
** recomputed as the vectors did (same operations, same bits). */
static __mmask16 dith_ties(__mmask16 tie, __mmask16 up, const float *x, const dith_par *p) {
  double inv16 = _mm512_cvtsd_f64(p->inv16), s16 = _mm512_cvtsd_f64(p->s16);
  for (unsigned m = tie; m != 0; m &= m - 1) {
    unsigned j = (unsigned)__builtin_ctz(m);
    double v = (double)fabsf(x[j]) * inv16;
    v = v < s16 ? v : s16;
    if (tpc_dither_tie(p->r, v - (double)(int64_t)v)) up = (__mmask16)(up | 1u << j);
  }
  return up;
}

/* 16 coordinates (those in `live`) from their random quarters at w16:
** levels and out values. */
static inline void dith_16(const float *x, const uint16_t *w16, __mmask16 live,
                           const dith_par *p, __m512i *lev, __m512 *val) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26,
                                         28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  __m512 v = _mm512_maskz_loadu_ps(live, x);
  __m512 a = _mm512_abs_ps(v);
  __m512i q0 = dith_q(_mm512_castps512_ps256(a), p);
  __m512i q1 = dith_q(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)), p);
  __m512i lo = _mm512_permutex2var_epi32(q0, even, q1), hi = _mm512_permutex2var_epi32(q0, odd, q1);
  __m512i fl = _mm512_or_si512(_mm512_srli_epi32(lo, 16), _mm512_slli_epi32(hi, 16));
  __m512i f = _mm512_and_si512(lo, _mm512_set1_epi32(0xffff));
  __m512i u = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(live, w16));
  __mmask16 up = _mm512_cmplt_epu32_mask(u, f);
  __mmask16 tie = _mm512_mask_cmpeq_epi32_mask(live, u, f);
  if (tie != 0) up = dith_ties(tie, up, x, p);
  fl = _mm512_mask_add_epi32(fl, up, fl, _mm512_set1_epi32(1));
  __mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
  *lev = _mm512_mask_sub_epi32(fl, neg, _mm512_setzero_si512(), fl);
  *val = _mm512_mul_ps(p->scale, _mm512_cvtepi32_ps(*lev));
}

/* A chunk of n coordinates: masked head up to out's 64-byte boundary when
** streaming (level's stores are streamed too when it has the same offset),
** whole vectors, masked tail. */
static void dith_chunk(const float *x, const uint64_t *words, size_t n, const dith_par *p,
                       float *out, int32_t *level, int stream) {
  const uint16_t *w16 = (const uint16_t *)(const void *)words;
  __m512i lev;
  __m512 val;
  size_t i = 0;
  if (stream) {
    i = tpc_stream_head(out, n);
    __mmask16 m = tpc_mask16(i);
    dith_16(x, w16, m, p, &lev, &val);
    _mm512_mask_storeu_ps(out, m, val);
    _mm512_mask_storeu_epi32(level, m, lev);
  }
  int aligned = ((uintptr_t)(level + i) & 63) == 0;
  for (; i + 16 <= n; i += 16) {
    dith_16(x + i, w16 + i, 0xffff, p, &lev, &val);
    tpc_store2_avx512(out + i, level + i, _mm512_castps_si512(val), lev, stream, aligned);
  }
  if (i < n) {
    __mmask16 m = tpc_mask16(n - i);
    dith_16(x + i, w16 + i, m, p, &lev, &val);
    _mm512_mask_storeu_ps(out + i, m, val);
    _mm512_mask_storeu_epi32(level + i, m, lev);
  }
}

void tpc_dither_f32_avx512(const float *x, size_t d, double inv16, double s16, float scale,
                           float *out, int32_t *level, tpc_rng_lanes *lanes, gsl_rng *r,
                           int stream) {
  dith_par p = {_mm512_set1_pd(inv16), _mm512_set1_pd(s16), _mm512_set1_ps(scale), r};
  uint64_t words[TPC_RAND_CHUNK / 4];
  for (size_t i = 0; i < d; i += TPC_RAND_CHUNK) {
    size_t n = d - i < TPC_RAND_CHUNK ? d - i : TPC_RAND_CHUNK;
    tpc_rng_lanes_fill_avx512(lanes, words, tpc_rand_blocks(n));
    dith_chunk(x + i, words, n, &p, out + i, level + i, stream);
  }
  if (stream) _mm_sfence();
}

/* Coordinate i into lane i mod 32 of four vectors, from the last to the
** first: the partial block at the end through masked loads (adding +0
** leaves a partial sum as it is), then whole blocks; then dither.c's tree. */
double tpc_dither_sumsq_f32_avx512(const float *x, size_t d) {
  __m512d acc[4] = {_mm512_setzero_pd(), _mm512_setzero_pd(), _mm512_setzero_pd(),
                    _mm512_setzero_pd()};
  size_t i = d - d % 32;
  for (int k = 0; k < 4 && i + 8 * (size_t)k < d; k++) {
    size_t left = d - i - 8 * (size_t)k;
    __mmask8 m = (__mmask8)(left >= 8 ? 0xff : (1u << left) - 1);
    __m512d v = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, x + i + 8 * k));
    acc[k] = _mm512_add_pd(acc[k], _mm512_mul_pd(v, v));
  }
  for (; i >= 32; i -= 32)
    for (int k = 0; k < 4; k++) {
      __m512d v = _mm512_cvtps_pd(_mm256_loadu_ps(x + i - 32 + 8 * k));
      acc[k] = _mm512_add_pd(acc[k], _mm512_mul_pd(v, v));
    }
  __m512d t = _mm512_add_pd(_mm512_add_pd(acc[0], acc[1]), _mm512_add_pd(acc[2], acc[3]));
  __m256d u = _mm256_add_pd(_mm512_castpd512_pd256(t), _mm512_extractf64x4_pd(t, 1));
  __m128d h = _mm_add_pd(_mm256_castpd256_pd128(u), _mm256_extractf128_pd(u, 1));
  return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
}
