/*
** AVX2 path of randk (comp/randk.c), the same results as the portable one:
** Floyd's draws 8 at a time, for either type, from the lanes' 32-bit words
** by Lemire's method (randk.c), as randk_avx512.c takes 16.  Compiled with
** the AVX2 flags, called only where tpc_cpu_supports(TPC_ISA_AVX2).
*/
#include <immintrin.h>
#include <stdint.h>

#include "comp/kernels.h"

/* The products of u and m in 64-bit lanes, even and odd words apart; the
** high halves are the draws, the low halves decide acceptance (compared
** unsigned through the flipped sign bit: AVX2 compares signed only). */
int tpc_randk_draw8_avx2(const uint32_t *u, uint32_t m0, uint32_t *out) {
  const __m256i step = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i flip = _mm256_set1_epi32(INT32_MIN);
  __m256i w = _mm256_loadu_si256((const __m256i *)(const void *)u);
  __m256i m = _mm256_add_epi32(_mm256_set1_epi32((int)m0), step);
  __m256i even = _mm256_mul_epu32(w, m);
  __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(w, 32), _mm256_srli_epi64(m, 32));
  __m256i low = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xaa);
  __m256i below = _mm256_cmpgt_epi32(_mm256_xor_si256(m, flip), _mm256_xor_si256(low, flip));
  if (!_mm256_testz_si256(below, below)) return 0;
  __m256i draws = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xaa);
  _mm256_storeu_si256((__m256i *)(void *)out, draws);
  return 1;
}
