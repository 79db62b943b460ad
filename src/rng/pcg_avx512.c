/*
** The AVX-512 kernel of tpc_rng_pcg64_fill_avx512 (rng/pcg.h): pcg64's
** 128-bit LCG run in 64-bit lanes, 4 vectors of 8 consecutive states, each
** lane jumping 32 steps at a time, so one block yields 32 consecutive outputs
** and the four vectors' multiplication chains overlap.  Compiled with the
** AVX-512 flags, called only where tpc_cpu_supports(TPC_ISA_AVX512).
**
** AVX-512 has the low 64 bits of a 64x64 product (vpmullq) but not the high
** ones: those come from four 32x32 products (vpmuludq).
*/
#include <immintrin.h>

#include "rng/pcg.h"

/* A vector of 8 states: high and low words. */
typedef struct {
  __m512i hi, lo;
} pcg_lanes;

/* A jump with its multiplier's low word split for mulhi. */
typedef struct {
  __m512i mul_hi, mul_lo, mul_lo_top, add_hi, add_lo;
} pcg_jump_vec;

static pcg_jump_vec jump_vec(const tpc_pcg64_jump *j) {
  return (pcg_jump_vec){_mm512_set1_epi64((long long)j->mul_hi),
                        _mm512_set1_epi64((long long)j->mul_lo),
                        _mm512_set1_epi64((long long)(j->mul_lo >> 32)),
                        _mm512_set1_epi64((long long)j->add_hi),
                        _mm512_set1_epi64((long long)j->add_lo)};
}

/* The high 64 bits of a * b per lane, b's halves given (b_top = b >> 32),
** from four 32x32 products; no sum below can overflow 64 bits. */
static inline __m512i mulhi64(__m512i a, __m512i b, __m512i b_top) {
  const __m512i low32 = _mm512_set1_epi64(0xffffffffLL);
  __m512i a_top = _mm512_srli_epi64(a, 32);
  __m512i p00 = _mm512_mul_epu32(a, b), p01 = _mm512_mul_epu32(a, b_top);
  __m512i p10 = _mm512_mul_epu32(a_top, b), p11 = _mm512_mul_epu32(a_top, b_top);
  __m512i t = _mm512_add_epi64(p01, _mm512_srli_epi64(p00, 32));
  __m512i u = _mm512_add_epi64(p10, _mm512_and_si512(t, low32));
  return _mm512_add_epi64(_mm512_add_epi64(p11, _mm512_srli_epi64(t, 32)),
                          _mm512_srli_epi64(u, 32));
}

/* s * mul + add mod 2^128 per lane. */
static inline pcg_lanes jump(pcg_lanes s, const pcg_jump_vec *j) {
  __m512i lo = _mm512_add_epi64(_mm512_mullo_epi64(s.lo, j->mul_lo), j->add_lo);
  __mmask8 carry = _mm512_cmplt_epu64_mask(lo, j->add_lo);
  __m512i hi = _mm512_add_epi64(
      _mm512_add_epi64(mulhi64(s.lo, j->mul_lo, j->mul_lo_top), j->add_hi),
      _mm512_add_epi64(_mm512_mullo_epi64(s.lo, j->mul_hi),
                       _mm512_mullo_epi64(s.hi, j->mul_lo)));
  hi = _mm512_mask_sub_epi64(hi, carry, hi, _mm512_set1_epi64(-1));
  return (pcg_lanes){hi, lo};
}

/* XSL-RR: (hi ^ lo) rotated right by hi's top 6 bits. */
static inline __m512i output(pcg_lanes s) {
  return _mm512_rorv_epi64(_mm512_xor_si512(s.hi, s.lo), _mm512_srli_epi64(s.hi, 58));
}

void tpc_rng_pcg64_lanes_avx512(const uint64_t first_hi[8], const uint64_t first_lo[8],
                                const tpc_pcg64_jump *by8, const tpc_pcg64_jump *by32,
                                uint64_t *out, size_t blocks, uint64_t *last_hi,
                                uint64_t *last_lo) {
  pcg_jump_vec j8 = jump_vec(by8), j32 = jump_vec(by32);
  /* four named chains rather than an array, so that they stay in registers */
  pcg_lanes v0 = {_mm512_loadu_si512(first_hi), _mm512_loadu_si512(first_lo)};
  pcg_lanes v1 = jump(v0, &j8), v2 = jump(v1, &j8), v3 = jump(v2, &j8);
  for (size_t b = 0;; b++) {
    _mm512_storeu_si512(out + 32 * b, output(v0));
    _mm512_storeu_si512(out + 32 * b + 8, output(v1));
    _mm512_storeu_si512(out + 32 * b + 16, output(v2));
    _mm512_storeu_si512(out + 32 * b + 24, output(v3));
    if (b + 1 == blocks) break;
    v0 = jump(v0, &j32);
    v1 = jump(v1, &j32);
    v2 = jump(v2, &j32);
    v3 = jump(v3, &j32);
  }
  uint64_t hi[8], lo[8];
  _mm512_storeu_si512(hi, v3.hi);
  _mm512_storeu_si512(lo, v3.lo);
  *last_hi = hi[7];
  *last_lo = lo[7];
}
