/*
** AVX2 kernels of TopK (comp/topk_kern.h): the band pass of the filter and
** the maxbound implementation, and maxbound's column maxima; compiled with
** -mavx2 -mfma -mbmi2 and called only when tpc_cpu_supports(TPC_ISA_AVX2).
** Per group of 64 elements (8 vectors of floats, 16 of doubles): the keys
** are the loaded bits with the sign cleared, one compare per vector gives
** the candidate lanes (key >= lo), movemask packs them into one 64-bit
** word, and tpc_topk_emit_* classifies its few set bits.  Keys are at most
** 2^31 - 1 (2^63 - 1), so AVX2's signed compares order them correctly;
** key >= lo is key > lo - 1.
*/
#include <immintrin.h>

#include "comp/topk_kern.h"

static inline uint64_t band256_group_f32(const float *p, __m256i lo1) {
  const __m256i abs = _mm256_set1_epi32(0x7fffffff);
  uint64_t word = 0;
#pragma GCC unroll 8 /* left a loop with a variable shift at -O2 */
  for (int j = 0; j < 8; j++) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + 8 * j));
    __m256i c = _mm256_cmpgt_epi32(_mm256_and_si256(v, abs), lo1);
    word |= (uint64_t)(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(c)) << (8 * j);
  }
  return word;
}

static inline uint64_t band256_group_f64(const double *p, __m256i lo1) {
  const __m256i abs = _mm256_set1_epi64x(0x7fffffffffffffffLL);
  uint64_t word = 0;
#pragma GCC unroll 16
  for (int j = 0; j < 16; j++) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + 4 * j));
    __m256i c = _mm256_cmpgt_epi64(_mm256_and_si256(v, abs), lo1);
    word |= (uint64_t)(unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(c)) << (4 * j);
  }
  return word;
}


/* lo - 1 (wrapping to -1 for lo = 0, below every key) in every lane. */
#define LO1_32(v) _mm256_set1_epi32((int)(v) - 1)
#define LO1_64(v) _mm256_set1_epi64x((long long)(v) - 1)
TPC_TOPK_BAND_RUN(band256_run_f32, f32, float, uint32_t, __m256i, LO1_32, band256_group_f32)
TPC_TOPK_BAND_RUN(band256_run_f64, f64, double, uint64_t, __m256i, LO1_64, band256_group_f64)

int tpc_topk_band_avx2_f32(const float *x, size_t d, uint32_t lo, uint32_t hi,
                           tpc_topk_band *b) {
  TPC_TOPK_UNROLL_SWITCH(b->unroll, band256_run_f32(x, d, lo, hi, b, U));
}

int tpc_topk_band_avx2_f64(const double *x, size_t d, uint64_t lo,
                           uint64_t hi, tpc_topk_band *b) {
  TPC_TOPK_UNROLL_SWITCH(b->unroll, band256_run_f64(x, d, lo, hi, b, U));
}

/* Column maxima, 64 columns at a time in registers; the float keys compare
** as unsigned integers, the double ones as the non-negative doubles they
** are (AVX2 has no 64-bit integer maximum; for finite values the order is
** the same and equal keys are equal bits).  Were subnormals read as zero
** (DAZ), a column's maximum could come out below its largest key, which
** lowers the bound and adds candidates but never drops a kept element. */
void tpc_topk_colmax_avx2_f32(const float *x, size_t rows, size_t m, uint32_t *acc) {
  const __m256i abs = _mm256_set1_epi32(0x7fffffff);
  for (size_t c = 0; c < m; c += 64) {
    __m256i a[8];
    for (int j = 0; j < 8; j++)
      a[j] = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(const void *)(x + c + 8 * j)), abs);
    for (size_t r = 1; r < rows; r++) {
      const float *p = x + r * m + c;
      for (int j = 0; j < 8; j++)
        a[j] = _mm256_max_epu32(
            a[j], _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(const void *)(p + 8 * j)), abs));
    }
    for (int j = 0; j < 8; j++) _mm256_storeu_si256((__m256i *)(void *)(acc + c + 8 * j), a[j]);
  }
}

void tpc_topk_colmax_avx2_f64(const double *x, size_t rows, size_t m, uint64_t *acc) {
  const __m256d abs = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
  for (size_t c = 0; c < m; c += 64) {
    __m256d a[16];
    for (int j = 0; j < 16; j++) a[j] = _mm256_and_pd(_mm256_loadu_pd(x + c + 4 * j), abs);
    for (size_t r = 1; r < rows; r++) {
      const double *p = x + r * m + c;
      for (int j = 0; j < 16; j++)
        a[j] = _mm256_max_pd(a[j], _mm256_and_pd(_mm256_loadu_pd(p + 4 * j), abs));
    }
    for (int j = 0; j < 16; j++) _mm256_storeu_pd((double *)(void *)(acc + c + 4 * j), a[j]);
  }
}
