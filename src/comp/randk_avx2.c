/*
** AVX2 paths of randk (comp/randk.c), the same results as the portable
** ones: Floyd's draws 8 at a time, for either type, from the lanes' 32-bit
** words by Lemire's method (randk.c), as randk_avx512.c takes 16; and the
** output for float input in the pass of randk_pass.h, 8 coordinates at a
** time.  Compiled with the AVX2 flags (BMI2's
** pdep included), called only where tpc_cpu_supports(TPC_ISA_AVX2).
*/
#include <immintrin.h>
#include <stdint.h>

#include "comp/kernels.h"
#include "comp/randk_pass.h"

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

/* ---- the float output: one pass over the bitmap ----------------------- */

/* The 8 lanes of kept bits m from the list at val: lane i takes value
** popcount(m below bit i) where bit i is set, +0 elsewhere.  AVX2 has no
** expand, so the permutation comes from two pdeps: the bytes of m spread to
** whole bytes, and 0, 1, 2, .. deposited into the kept ones. */
static inline __m256 randk_expand8(unsigned m, const float *val) {
  uint64_t spread = _pdep_u64(m, 0x0101010101010101ULL) * 0xff;
  uint64_t from = _pdep_u64(0x0706050403020100ULL, spread);
  __m256i perm = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)from));
  __m256i keep = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128((long long)spread));
  __m256 v = _mm256_permutevar8x32_ps(_mm256_loadu_ps(val), perm);
  return _mm256_and_ps(v, _mm256_castsi256_ps(keep));
}

/* 8 coordinates at out with kept bits m, from the list at val: a whole
** store (streaming when asked) or, where part (all-ones lanes) is not
** whole, a masked one; how many were kept. */
static inline size_t randk_8(unsigned m, const float *val, float *out, int stream, __m256i part,
                             int whole) {
  __m256 v = m == 0 ? _mm256_setzero_ps() : randk_expand8(m, val);
  if (!whole) _mm256_maskstore_ps(out, part, v);
  else if (stream) _mm256_stream_ps(out, v);
  else _mm256_storeu_ps(out, v);
  return (size_t)__builtin_popcount(m);
}

/* out for bitmap words [from, to), all whole, from the values at val + n,
** clearing the words; the new n. */
static size_t randk_write(uint64_t *bits, size_t from, size_t to, const float *val, size_t n,
                          float *out, int stream) {
  const __m256i all = _mm256_set1_epi32(-1);
  for (size_t w = from; w < to; w++) {
    uint64_t m = bits[w];
    bits[w] = 0;
    for (int q = 0; q < 8; q++, m >>= 8)
      n += randk_8((unsigned)m & 0xff, val + n, out + 64 * w + 8 * q, stream, all, 1);
  }
  return n;
}

/* out[base, d) from the last, partial word m, through masked stores. */
static size_t randk_tail(uint64_t m, size_t base, size_t d, const float *val, size_t n,
                         float *out) {
  for (; base < d; base += 8, m >>= 8) {
    size_t left = d - base;
    __m256i part = _mm256_cmpgt_epi32(_mm256_set1_epi32(left >= 8 ? 8 : (int)left),
                                      _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    n += randk_8((unsigned)m & 0xff, val + n, out + base, 0, part, 0);
  }
  return n;
}

/* randk_pass.h's pass on 8 lanes. */
void tpc_randk_f32_avx2(uint64_t *bits, const float *x, size_t d, float scale, float *out,
                        uint32_t *idx, float *val, int stream) {
  randk_pass(bits, x, d, scale, out, idx, val, stream && ((uintptr_t)out & 31) == 0,
             randk_write, randk_tail);
}
