/*
** Helpers of the AVX2 kernels that write two arrays of 32-bit elements, 8
** coordinates at a time, with streaming stores (natural_avx2.c: out and the
** POW2 values; dither_avx2.c: out and the levels): the AVX2 counterpart of
** stream_avx512.h.  AVX2 has no mask registers, so a partial vector's lanes
** are a vector of all-ones lanes for maskload/maskstore.  Include only from
** files compiled with the AVX2 flags.
*/
#ifndef TPC_STREAM_AVX2_H
#define TPC_STREAM_AVX2_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

/* The first n <= 8 lanes, as all-ones 32-bit lanes. */
static inline __m256i tpc_mask8(size_t n) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), lane);
}

/* Coordinates before out's next 32-byte boundary, at most n: the masked
** head after which the streaming stores of out are aligned. */
static inline size_t tpc_stream_head8(const void *out, size_t n) {
  size_t head = (32 - ((uintptr_t)out & 31)) / 4 % 8;
  return head < n ? head : n;
}

/* a to out and b to aux, 8 lanes each: streaming stores when `stream`
** (aux's only when aux_aligned), plain ones otherwise. */
static inline void tpc_store2_avx2(void *out, void *aux, __m256i a, __m256i b, int stream,
                                   int aux_aligned) {
  if (stream) {
    _mm256_stream_si256((__m256i *)out, a);
    if (aux_aligned) _mm256_stream_si256((__m256i *)aux, b);
    else _mm256_storeu_si256((__m256i *)aux, b);
  } else {
    _mm256_storeu_si256((__m256i *)out, a);
    _mm256_storeu_si256((__m256i *)aux, b);
  }
}

/* The masked lanes m of a and b to out and aux. */
static inline void tpc_store2_mask_avx2(void *out, void *aux, __m256i m, __m256i a, __m256i b) {
  _mm256_maskstore_epi32((int *)out, m, a);
  _mm256_maskstore_epi32((int *)aux, m, b);
}

#endif
