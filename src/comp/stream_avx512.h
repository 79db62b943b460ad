/*
** Helpers of the AVX-512 kernels that write two arrays of 32-bit elements,
** 16 coordinates at a time, with streaming stores (natural_avx512.c: out
** and the POW2 values; dither_avx512.c: out and the levels).  Include only
** from files compiled with the AVX-512 flags.
*/
#ifndef TPC_STREAM_AVX512_H
#define TPC_STREAM_AVX512_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

/* The first n lanes. */
static inline __mmask16 tpc_mask16(size_t n) { return (__mmask16)((1u << n) - 1); }

/* Coordinates before out's next 64-byte boundary, at most n: the masked
** head after which the streaming stores of out are aligned. */
static inline size_t tpc_stream_head(const void *out, size_t n) {
  size_t head = (64 - ((uintptr_t)out & 63)) / 4 % 16;
  return head < n ? head : n;
}

/* a to out and b to aux, 16 lanes each: streaming stores when `stream`
** (aux's only when aux_aligned), plain ones otherwise. */
static inline void tpc_store2_avx512(void *out, void *aux, __m512i a, __m512i b, int stream,
                                     int aux_aligned) {
  if (stream) {
    _mm512_stream_si512(out, a);
    if (aux_aligned) _mm512_stream_si512(aux, b);
    else _mm512_storeu_si512(aux, b);
  } else {
    _mm512_storeu_si512(out, a);
    _mm512_storeu_si512(aux, b);
  }
}

#endif
