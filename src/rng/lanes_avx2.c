/*
** The AVX2 fill of the xoshiro256++ lanes (rng/lanes.h): two registers of
** four lanes per state word, eight words per step, the rotations as two
** shifts (AVX2 has no 64-bit rotate).  The same words as the portable and
** the AVX-512 fill.  Compiled with the AVX2 flags, called only where
** tpc_cpu_supports(TPC_ISA_AVX2).
*/
#include <immintrin.h>

#include "rng/lanes.h"

#define LANES_ROTL(x, k) _mm256_or_si256(_mm256_slli_epi64(x, k), _mm256_srli_epi64(x, 64 - (k)))

/* One xoshiro256++ step of four lanes: their outputs to out. */
static inline void lanes_step4(__m256i *s0, __m256i *s1, __m256i *s2, __m256i *s3,
                               uint64_t *out) {
  __m256i t = _mm256_slli_epi64(*s1, 17), sum = _mm256_add_epi64(*s0, *s3);
  _mm256_storeu_si256((__m256i *)(void *)out, _mm256_add_epi64(LANES_ROTL(sum, 23), *s0));
  *s2 = _mm256_xor_si256(*s2, *s0);
  *s3 = _mm256_xor_si256(*s3, *s1);
  *s1 = _mm256_xor_si256(*s1, *s2);
  *s0 = _mm256_xor_si256(*s0, *s3);
  *s2 = _mm256_xor_si256(*s2, t);
  *s3 = LANES_ROTL(*s3, 45);
}

void tpc_rng_lanes_fill_avx2(tpc_rng_lanes *L, uint64_t *out, size_t blocks) {
  __m256i s[2][4];
  for (int h = 0; h < 2; h++)
    for (int j = 0; j < 4; j++)
      s[h][j] = _mm256_loadu_si256((const __m256i *)(const void *)(L->s[j] + 4 * h));
  for (size_t b = 0; b < blocks; b++)
#pragma GCC unroll 2 /* keeps the state in registers: a loop left it in memory */
    for (int h = 0; h < 2; h++)
      lanes_step4(&s[h][0], &s[h][1], &s[h][2], &s[h][3], out + TPC_LANES * b + 4 * (size_t)h);
  for (int h = 0; h < 2; h++)
    for (int j = 0; j < 4; j++) _mm256_storeu_si256((__m256i *)(void *)(L->s[j] + 4 * h), s[h][j]);
}
