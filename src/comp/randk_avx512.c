/*
** AVX-512 path of randk for float input (comp/randk.c), the same result as
** the portable path.  The kept values are read in the random order of the
** draws, each stored at its rank in the sorted list (the kept count before
** its bitmap word plus the bits below it in the word; ranks first, then the
** values, each loop prefetching what it will touch a few draws ahead): an
** ordered scan of the kept lines of x would set the hardware prefetcher
** streaming through all of x.  Then one pass over the bitmap writes out 16
** coordinates at a time, the list's next values expanded into the lanes of
** the bits (streaming stores when asked: out is written once, never read),
** and clears the bitmap.  Compiled with the AVX-512 flags,
** called only where tpc_cpu_supports(TPC_ISA_AVX512).
*/
#include <immintrin.h>
#include <stdint.h>

#include "comp/kernels.h"

/* Draws between a prefetch and its use. */
enum { RANDK_AHEAD = 32 };

/* pre[w] = the kept count in words before w. */
static void randk_prefix(const uint64_t *bits, size_t words, uint32_t *pre) {
  uint32_t n = 0;
  for (size_t w = 0; w < words; w++) {
    pre[w] = n;
    n += (uint32_t)__builtin_popcountll(bits[w]);
  }
}

/* rank[j]: the place of pos[j] in the sorted list, the kept count before
** its word plus the bits below it in the word (both prefetched ahead); the
** places in idx and val are prefetched for writing as they are found. */
static void randk_ranks(const uint64_t *bits, const uint32_t *pre, const uint32_t *pos,
                        size_t k, uint32_t *rank, uint32_t *idx, float *val) {
  for (size_t j = 0; j < k; j++) {
    if (j + RANDK_AHEAD < k) {
      __builtin_prefetch(pre + pos[j + RANDK_AHEAD] / 64);
      __builtin_prefetch(bits + pos[j + RANDK_AHEAD] / 64);
    }
    uint32_t a = pos[j];
    uint64_t below = bits[a / 64] & (((uint64_t)1 << (a % 64)) - 1);
    uint32_t r = pre[a / 64] + (uint32_t)__builtin_popcountll(below);
    __builtin_prefetch(idx + r, 1);
    __builtin_prefetch(val + r, 1);
    rank[j] = r;
  }
}

/* idx and val in sorted order, x read in draw order (prefetched ahead). */
static void randk_place(const uint32_t *pos, const uint32_t *rank, size_t k, const float *x,
                        float scale, uint32_t *idx, float *val) {
  for (size_t j = 0; j < k; j++) {
    if (j + RANDK_AHEAD < k) __builtin_prefetch(x + pos[j + RANDK_AHEAD]);
    idx[rank[j]] = pos[j];
    val[rank[j]] = scale * x[pos[j]];
  }
}

/* 16 coordinates from base with kept bits m: out's lanes from the list at
** val (whole store when full, masked to `part` otherwise); how many were
** kept. */
static inline size_t randk_16(__mmask16 m, const float *val, float *out, int stream,
                              __mmask16 part) {
  __m512 v = _mm512_maskz_expand_ps(m, _mm512_loadu_ps(val));
  if (part != 0xffff) _mm512_mask_storeu_ps(out, part, v);
  else if (stream) _mm512_stream_ps(out, v);
  else _mm512_storeu_ps(out, v);
  return (size_t)__builtin_popcount(m);
}

void tpc_randk_f32_avx512(uint64_t *bits, uint32_t *pre, const uint32_t *pos, uint32_t *rank,
                          size_t k, const float *x, size_t d, float scale, float *out,
                          uint32_t *idx, float *val, int stream) {
  size_t words = (d + 63) / 64, full = d / 64, n = 0;
  randk_prefix(bits, words, pre);
  randk_ranks(bits, pre, pos, k, rank, idx, val);
  randk_place(pos, rank, k, x, scale, idx, val);
  stream = stream && ((uintptr_t)out & 63) == 0;
  for (size_t w = 0; w < full; w++) {
    uint64_t m = bits[w];
    bits[w] = 0;
    for (int q = 0; q < 4; q++, m >>= 16)
      n += randk_16((__mmask16)m, val + n, out + 64 * w + 16 * q, stream, 0xffff);
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
