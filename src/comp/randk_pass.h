/*
** The float output of randk on the vector paths (randk_avx2.c,
** randk_avx512.c): one pass over the bitmap of the kept set in index order,
** a chunk of RANDK_CHUNK words (64 coordinates each) at a time, three steps
** staggered so that the random reads of x overlap the writes of out: the
** kept indices RANDK_AHEAD chunks ahead are listed into idx and their lines
** of x prefetched into L2; the values of this chunk (prefetched chunks ago)
** are read into val; out is written by the file's own vector code, the
** chunk's values expanded into the lanes of the kept bits, and the bitmap
** cleared.  In order, the reads of x touch only the lines kept and x need
** not be read in the random order of the draws.  Include only from files
** compiled with the AVX2 or AVX-512 flags.
*/
#ifndef TPC_RANDK_PASS_H
#define TPC_RANDK_PASS_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "comp/kernels.h"

/* Bitmap words per chunk and chunks listed ahead of the writes (at k/d = 1%
** about 10 kept values a chunk).  Prefetches into L1 stalled beyond about
** 20 reads of x in flight (2 chunks ahead was the fastest of 1 to 64
** words and 1 to 64 chunks); into L2 (prefetcht1) 16 chunks ahead, about
** 160 in flight, took 4.0 ms median against 4.5 ms over 12 interleaved
** runs at d = 2^24 on AVX-512, and 13.3-17.1 ms against 16.6-20.0 at k/d =
** 10%. */
enum { RANDK_CHUNK = 16, RANDK_AHEAD = 16 };

/* out for bitmap words [from, to), all whole, from the values at val + n,
** clearing the words; the new n. */
typedef size_t (*randk_write_fn)(uint64_t *bits, size_t from, size_t to, const float *val,
                                 size_t n, float *out, int stream);

/* out[base, d) (fewer than 64 coordinates) for the bitmap word m, from the
** values at val + n, with plain stores; the new n. */
typedef size_t (*randk_tail_fn)(uint64_t m, size_t base, size_t d, const float *val, size_t n,
                                float *out);

/* Appends the set bits of bits[from..to) to idx at n (tpc_randk_list) and
** prefetches x at each; the new count. */
static inline size_t randk_list_ahead(const uint64_t *bits, size_t from, size_t to,
                                      const float *x, uint32_t *idx, size_t n) {
  size_t start = n;
  n = tpc_randk_list(bits, from, to, idx, n);
  for (size_t j = start; j < n; j++) _mm_prefetch((const char *)(x + idx[j]), _MM_HINT_T1);
  return n;
}

/* The pass (the top of the file) with the file's write and tail, inlined
** where they are constants; `stream` only where out is aligned for it. */
static inline __attribute__((always_inline)) void randk_pass(
    uint64_t *bits, const float *x, size_t d, float scale, float *out, uint32_t *idx,
    float *val, int stream, randk_write_fn write, randk_tail_fn tail) {
  size_t words = (d + 63) / 64, full = d / 64;
  size_t lw = 0, listed = 0, read = 0, n = 0;
  for (size_t w = 0; w < words; w += RANDK_CHUNK) {
    size_t end = words - w < RANDK_CHUNK ? words : w + RANDK_CHUNK;
    size_t to = words - w < (RANDK_AHEAD + 1) * RANDK_CHUNK ? words
                                                            : w + (RANDK_AHEAD + 1) * RANDK_CHUNK;
    listed = randk_list_ahead(bits, lw, to, x, idx, listed); /* the chunk RANDK_AHEAD on */
    lw = to;
    for (; read < listed && idx[read] < 64 * end; read++) val[read] = scale * x[idx[read]];
    n = write(bits, w, end < full ? end : full, val, n, out, stream);
  }
  if (full < words) { /* the last, partial word */
    uint64_t m = bits[full];
    bits[full] = 0;
    tail(m, 64 * full, d, val, n, out);
  }
  if (stream) _mm_sfence();
}

#endif
