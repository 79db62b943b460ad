/*
** AVX-512 kernel of natural compression for float input (comp/natural.c):
** the portable rule on 16 coordinates at once, bit for bit the same result
** from the same words of the lanes (coordinate i: the 16-bit quarter
** i % 4 of word i / 4, which is lane i of the words read as 16-bit lanes on
** this little-endian machine; ties draw one more word each from the stream,
** in order, as in natural_source.c).  Subnormal lanes are rounded as the
** float of their integer bits and converted back, as in natural_source.c,
** and blended in.  Compiled with the AVX-512 flags, called only where
** tpc_cpu_supports(TPC_ISA_AVX512).
*/
#include <immintrin.h>
#include <stdint.h>

#include "comp/kernels.h"
#include "comp/stream_avx512.h"
#include "rng/lanes.h"

/* The lanes of `tie` (u = F) decided by one more word each, in order: the
** top 7 bits against the low 7 bits of f. */
static __mmask16 nat_ties(__mmask16 tie, __mmask16 up, __m512i f, gsl_rng *r) {
  uint32_t fv[16];
  _mm512_storeu_si512(fv, f);
  for (unsigned m = tie; m != 0; m &= m - 1) {
    unsigned j = (unsigned)__builtin_ctz(m);
    up = (__mmask16)(up & ~(1u << j));
    if ((tpc_natural_tie_word(r) >> 57) < (fv[j] & 127)) up = (__mmask16)(up | 1u << j);
  }
  return up;
}

/* 16 coordinates: x's bits v, their 16 random 16-bit quarters u (as 32-bit
** lanes); only the lanes in `live` may draw for a tie. */
static inline __m512i nat_round16(__m512i v, __m512i u, __mmask16 live, gsl_rng *r) {
  const __m512i absmask = _mm512_set1_epi32(0x7fffffff), frac = _mm512_set1_epi32(0x7fffff);
  const __m512i expo = _mm512_set1_epi32(0x7f800000), unit = _mm512_set1_epi32(1 << 23);
  __m512i a = _mm512_and_si512(v, absmask);
  __mmask16 sub = _mm512_cmplt_epu32_mask(a, unit);
  __m512i y = _mm512_mask_mov_epi32(a, sub, _mm512_castps_si512(_mm512_cvtepi32_ps(a)));
  __m512i f = _mm512_and_si512(y, frac), top = _mm512_srli_epi32(f, 7);
  __mmask16 up = _mm512_cmplt_epu32_mask(u, top), tie = _mm512_mask_cmpeq_epi32_mask(live, u, top);
  if (tie != 0) up = nat_ties(tie, up, f, r);
  up &= _mm512_cmplt_epu32_mask(y, _mm512_set1_epi32(254 << 23));
  __m512i q = _mm512_and_si512(y, expo);
  q = _mm512_mask_add_epi32(q, up, q, unit);
  q = _mm512_mask_mov_epi32(q, sub, _mm512_cvttps_epi32(_mm512_castsi512_ps(q)));
  return _mm512_or_si512(q, _mm512_andnot_si512(absmask, v));
}

/* The random quarters of coordinates [i, i + 16) of the chunk, those in m. */
static inline __m512i nat_u16(const uint64_t *words, size_t i, __mmask16 m) {
  return _mm512_cvtepu16_epi32(
      _mm256_maskz_loadu_epi16(m, (const uint16_t *)(const void *)words + i));
}

/* n <= TPC_RAND_CHUNK coordinates from the chunk's words; the head up to out's
** 64-byte boundary and the tail are masked, so that the streaming stores of
** out are aligned (val's are too when it has the same offset). */
static void nat_chunk(const float *x, const uint64_t *words, size_t n, float *out,
                      float *val, int stream, gsl_rng *r) {
  size_t i = 0;
  if (stream) {
    i = tpc_stream_head(out, n);
    __mmask16 m = tpc_mask16(i);
    __m512i q = nat_round16(_mm512_maskz_loadu_epi32(m, x), nat_u16(words, 0, m), m, r);
    _mm512_mask_storeu_epi32(out, m, q);
    _mm512_mask_storeu_epi32(val, m, q);
  }
  int aligned = ((uintptr_t)(val + i) & 63) == 0;
  for (; i + 16 <= n; i += 16) {
    __m512i q = nat_round16(_mm512_loadu_si512(x + i), nat_u16(words, i, 0xffff), 0xffff, r);
    tpc_store2_avx512(out + i, val + i, q, q, stream, aligned);
  }
  if (i < n) {
    __mmask16 m = tpc_mask16(n - i);
    __m512i q = nat_round16(_mm512_maskz_loadu_epi32(m, x + i), nat_u16(words, i, m), m, r);
    _mm512_mask_storeu_epi32(out + i, m, q);
    _mm512_mask_storeu_epi32(val + i, m, q);
  }
}

void tpc_natural_f32_avx512(const float *x, size_t d, float *out, float *val,
                            tpc_rng_lanes *lanes, gsl_rng *r, int stream) {
  uint64_t words[TPC_RAND_CHUNK / 4];
  for (size_t i = 0; i < d; i += TPC_RAND_CHUNK) {
    size_t n = d - i < TPC_RAND_CHUNK ? d - i : TPC_RAND_CHUNK;
    tpc_rng_lanes_fill_avx512(lanes, words, tpc_rand_blocks(n));
    nat_chunk(x + i, words, n, out + i, val + i, stream, r);
  }
  if (stream) _mm_sfence();
}
