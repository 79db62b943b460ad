/*
** AVX-512 paths of randk (comp/randk.c), the same results as the portable
** ones: Floyd's draws 16 at a time, for either type, and the output for
** float input in the pass of randk_pass.h, out written 16 coordinates at a
** time (streaming stores when asked: out is written once, never read).
** Compiled with the AVX-512 flags, called only where tpc_cpu_supports
** (TPC_ISA_AVX512).
*/
#include <immintrin.h>
#include <stdint.h>

#include "comp/kernels.h"
#include "comp/randk_pass.h"

/* 16 coordinates at out with kept bits m: out's lanes from the list at val
** (whole store when full, masked to `part` otherwise); how many were kept. */
static inline size_t randk_16(__mmask16 m, const float *val, float *out, int stream,
                              __mmask16 part) {
  __m512 v = _mm512_maskz_expand_ps(m, _mm512_loadu_ps(val));
  if (part != 0xffff) _mm512_mask_storeu_ps(out, part, v);
  else if (stream) _mm512_stream_ps(out, v);
  else _mm512_storeu_ps(out, v);
  return (size_t)__builtin_popcount(m);
}

/* out for bitmap words [from, to), all whole, from the values at val + n,
** clearing the words; the new n. */
static size_t randk_write(uint64_t *bits, size_t from, size_t to, const float *val, size_t n,
                          float *out, int stream) {
  for (size_t w = from; w < to; w++) {
    uint64_t m = bits[w];
    bits[w] = 0;
    for (int q = 0; q < 4; q++, m >>= 16)
      n += randk_16((__mmask16)m, val + n, out + 64 * w + 16 * q, stream, 0xffff);
  }
  return n;
}

/* The products of u and m in 64-bit lanes, even and odd words apart; the
** high halves are the draws, the low halves decide acceptance. */
int tpc_randk_draw16_avx512(const uint32_t *u, uint32_t m0, uint32_t *out) {
  const __m512i step = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  __m512i w = _mm512_loadu_si512(u), m = _mm512_add_epi32(_mm512_set1_epi32((int)m0), step);
  __m512i even = _mm512_mul_epu32(w, m);
  __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(w, 32), _mm512_srli_epi64(m, 32));
  __m512i low = _mm512_mask_blend_epi32(0xaaaa, even, _mm512_slli_epi64(odd, 32));
  if (_mm512_cmplt_epu32_mask(low, m) != 0) return 0;
  _mm512_storeu_si512(out, _mm512_mask_blend_epi32(0xaaaa, _mm512_srli_epi64(even, 32), odd));
  return 1;
}

/* out[base, d) from the last, partial word m. */
static size_t randk_tail(uint64_t m, size_t base, size_t d, const float *val, size_t n,
                         float *out) {
  for (; base < d; base += 16, m >>= 16) {
    size_t left = d - base;
    __mmask16 part = (__mmask16)(left >= 16 ? 0xffff : (1u << left) - 1);
    n += randk_16((__mmask16)m, val + n, out + base, 0, part);
  }
  return n;
}

void tpc_randk_f32_avx512(uint64_t *bits, const float *x, size_t d, float scale, float *out,
                          uint32_t *idx, float *val, int stream) {
  randk_pass(bits, x, d, scale, out, idx, val, stream && ((uintptr_t)out & 63) == 0,
             randk_write, randk_tail);
}
