/*
** The AVX-512 fill of the xoshiro256++ lanes (rng/lanes.h): one register
** per state word, eight words per step.  Compiled with the AVX-512 flags,
** called only where tpc_cpu_supports(TPC_ISA_AVX512).
*/
#include <immintrin.h>

#include "rng/lanes.h"

void tpc_rng_lanes_fill_avx512(tpc_rng_lanes *L, uint64_t *out, size_t blocks) {
  __m512i s0 = _mm512_loadu_si512(L->s[0]), s1 = _mm512_loadu_si512(L->s[1]);
  __m512i s2 = _mm512_loadu_si512(L->s[2]), s3 = _mm512_loadu_si512(L->s[3]);
  for (size_t b = 0; b < blocks; b++) {
    __m512i t = _mm512_slli_epi64(s1, 17);
    __m512i sum = _mm512_add_epi64(s0, s3);
    _mm512_storeu_si512(out + TPC_LANES * b, _mm512_add_epi64(_mm512_rol_epi64(sum, 23), s0));
    s2 = _mm512_xor_si512(s2, s0);
    s3 = _mm512_xor_si512(s3, s1);
    s1 = _mm512_xor_si512(s1, s2);
    s0 = _mm512_xor_si512(s0, s3);
    s2 = _mm512_xor_si512(s2, t);
    s3 = _mm512_rol_epi64(s3, 45);
  }
  _mm512_storeu_si512(L->s[0], s0);
  _mm512_storeu_si512(L->s[1], s1);
  _mm512_storeu_si512(L->s[2], s2);
  _mm512_storeu_si512(L->s[3], s3);
}
