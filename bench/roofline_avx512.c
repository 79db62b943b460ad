/*
** The read-bandwidth sum (roofline.h) with AVX-512: four 512-bit
** accumulators, one cache line per load.  Built with -mavx512f (the
** Makefile's rule for *_avx512.c); called only when the CPU has AVX-512F.
*/
#include "bench/roofline.h"

#if defined(__AVX512F__)
#include <immintrin.h>

uint64_t tpc_bench_read_sum_avx512(const void *buf, size_t bytes) {
  const unsigned char *p = buf;
  __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 256 <= bytes; i += 256) {
    s0 = _mm512_add_epi64(s0, _mm512_loadu_si512((const void *)(p + i)));
    s1 = _mm512_add_epi64(s1, _mm512_loadu_si512((const void *)(p + i + 64)));
    s2 = _mm512_add_epi64(s2, _mm512_loadu_si512((const void *)(p + i + 128)));
    s3 = _mm512_add_epi64(s3, _mm512_loadu_si512((const void *)(p + i + 192)));
  }
  /* Lanes summed as unsigned: GCC's _mm512_reduce_add_epi64 adds signed
  ** long longs, whose wrap-around UBSan reports. */
  uint64_t lane[8], sum = tpc_bench_read_sum_portable(p + i, bytes - i);
  _mm512_storeu_si512((void *)lane,
                      _mm512_add_epi64(_mm512_add_epi64(s0, s1), _mm512_add_epi64(s2, s3)));
  for (int j = 0; j < 8; j++) sum += lane[j];
  return sum;
}
#else
uint64_t tpc_bench_read_sum_avx512(const void *buf, size_t bytes) {
  return tpc_bench_read_sum_portable(buf, bytes);
}
#endif
