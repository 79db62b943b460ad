/*
** AVX-512 paths of randk (comp/randk.c), the same results as the portable
** ones: Floyd's draws 16 at a time, for either type, and the output for
** float input.  One pass over the bitmap of the kept set in index order, a
** chunk of RANDK_CHUNK words (64 coordinates each) at a time, three steps
** staggered so that the random reads of x overlap the writes of out: the
** kept indices RANDK_AHEAD chunks ahead are listed into idx and their lines
** of x prefetched into L2; the values of this chunk (prefetched chunks ago)
** are read into val; out is written 16 coordinates at a time, the chunk's
** values expanded into the lanes of the kept bits (streaming stores when
** asked: out is written once, never read), and the bitmap cleared.  In
** order, the reads of x touch only the lines kept and x need not be read in
** the random order of the draws.  Compiled with the AVX-512 flags, called
** only where tpc_cpu_supports(TPC_ISA_AVX512).
*/
#include <immintrin.h>
#include <stdint.h>

#include "comp/kernels.h"

/* Bitmap words per chunk and chunks listed ahead of the writes (at k/d = 1%
** about 10 kept values a chunk).  Prefetches into L1 stalled beyond about
** 20 reads of x in flight (2 chunks ahead was the fastest of 1 to 64
** words and 1 to 64 chunks); into L2 (prefetcht1) 16 chunks ahead, about
** 160 in flight, took 4.0 ms median against 4.5 ms over 12 interleaved
** runs at d = 2^24, and 13.3-17.1 ms against 16.6-20.0 at k/d = 10%. */
enum { RANDK_CHUNK = 16, RANDK_AHEAD = 16 };

/* Appends the set bits of bits[from..to) to idx at n (tpc_randk_list) and
** prefetches x at each; the new count. */
static size_t randk_list(const uint64_t *bits, size_t from, size_t to, const float *x,
                         uint32_t *idx, size_t n) {
  size_t start = n;
  n = tpc_randk_list(bits, from, to, idx, n);
  for (size_t j = start; j < n; j++) _mm_prefetch((const char *)(x + idx[j]), _MM_HINT_T1);
  return n;
}

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

void tpc_randk_f32_avx512(uint64_t *bits, const float *x, size_t d, float scale, float *out,
                          uint32_t *idx, float *val, int stream) {
  size_t words = (d + 63) / 64, full = d / 64;
  size_t lw = 0, listed = 0, read = 0, n = 0;
  stream = stream && ((uintptr_t)out & 63) == 0;
  for (size_t w = 0; w < words; w += RANDK_CHUNK) {
    size_t end = words - w < RANDK_CHUNK ? words : w + RANDK_CHUNK;
    size_t to = words - w < (RANDK_AHEAD + 1) * RANDK_CHUNK ? words
                                                            : w + (RANDK_AHEAD + 1) * RANDK_CHUNK;
    listed = randk_list(bits, lw, to, x, idx, listed); /* the chunk RANDK_AHEAD on */
    lw = to;
    for (; read < listed && idx[read] < 64 * end; read++) val[read] = scale * x[idx[read]];
    n = randk_write(bits, w, end < full ? end : full, val, n, out, stream);
  }
  if (full < words) { /* the last, partial word */
    uint64_t m = bits[full];
    bits[full] = 0;
    for (size_t base = 64 * full; base < d; base += 16, m >>= 16) {
      size_t left = d - base;
      __mmask16 part = (__mmask16)(left >= 16 ? 0xffff : (1u << left) - 1);
      n += randk_16((__mmask16)m, val + n, out + base, 0, part);
    }
  }
  if (stream) _mm_sfence();
}
