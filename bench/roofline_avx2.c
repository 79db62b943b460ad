/*
** The read-bandwidth sum (roofline.h) with AVX2: four 256-bit accumulators,
** so that two loads per cycle never wait on an add.  Built with -mavx2 (the
** Makefile's rule for *_avx2.c); called only when the CPU has AVX2.
*/
#include "bench/roofline.h"

#if defined(__AVX2__)
#include <immintrin.h>

uint64_t tpc_bench_read_sum_avx2(const void *buf, size_t bytes) {
  const unsigned char *p = buf;
  __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 128 <= bytes; i += 128) {
    s0 = _mm256_add_epi64(s0, _mm256_loadu_si256((const __m256i *)(p + i)));
    s1 = _mm256_add_epi64(s1, _mm256_loadu_si256((const __m256i *)(p + i + 32)));
    s2 = _mm256_add_epi64(s2, _mm256_loadu_si256((const __m256i *)(p + i + 64)));
    s3 = _mm256_add_epi64(s3, _mm256_loadu_si256((const __m256i *)(p + i + 96)));
  }
  uint64_t lane[4];
  _mm256_storeu_si256((__m256i *)lane,
                      _mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3)));
  return lane[0] + lane[1] + lane[2] + lane[3] +
         tpc_bench_read_sum_portable(p + i, bytes - i);
}
#else
uint64_t tpc_bench_read_sum_avx2(const void *buf, size_t bytes) {
  return tpc_bench_read_sum_portable(buf, bytes);
}
#endif
