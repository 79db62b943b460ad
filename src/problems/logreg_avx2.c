/*
** AVX2 kernel of the logistic-regression terms (logreg_kern.h): the
** portable kernel's operations, in its order, four rows at a time.  No FMA
** (the build has -ffp-contract=off and the code writes each product and sum),
** so the bits equal the portable kernel's.
*/
#include <immintrin.h>

#include "problems/logreg_kern.h"

/* The fdlibm log1p kernel on four e in [0, 1] (logreg.c: log1p_unit). */
static inline __m256d log1p_unit4(__m256d e) {
  const __m256d one = _mm256_set1_pd(1.0), half = _mm256_set1_pd(0.5);
  __m256d u = _mm256_add_pd(one, e);
  __m256d cu = _mm256_div_pd(_mm256_sub_pd(e, _mm256_sub_pd(u, one)), u);
  __m256d fu = _mm256_sub_pd(_mm256_mul_pd(half, u), one);
  __m256d big = _mm256_cmp_pd(e, _mm256_set1_pd(TPC_LOG1P_SPLIT), _CMP_GE_OQ);
  __m256d k = _mm256_and_pd(big, one), c = _mm256_and_pd(big, cu);
  __m256d f = _mm256_blendv_pd(e, fu, big);
  __m256d hfsq = _mm256_mul_pd(_mm256_mul_pd(half, f), f);
  __m256d s = _mm256_div_pd(f, _mm256_add_pd(_mm256_set1_pd(2.0), f));
  __m256d z = _mm256_mul_pd(s, s);
  __m256d R = _mm256_set1_pd(TPC_LOG1P_LP7);
  R = _mm256_add_pd(_mm256_set1_pd(TPC_LOG1P_LP6), _mm256_mul_pd(z, R));
  R = _mm256_add_pd(_mm256_set1_pd(TPC_LOG1P_LP5), _mm256_mul_pd(z, R));
  R = _mm256_add_pd(_mm256_set1_pd(TPC_LOG1P_LP4), _mm256_mul_pd(z, R));
  R = _mm256_add_pd(_mm256_set1_pd(TPC_LOG1P_LP3), _mm256_mul_pd(z, R));
  R = _mm256_add_pd(_mm256_set1_pd(TPC_LOG1P_LP2), _mm256_mul_pd(z, R));
  R = _mm256_add_pd(_mm256_set1_pd(TPC_LOG1P_LP1), _mm256_mul_pd(z, R));
  R = _mm256_mul_pd(z, R);
  __m256d klo = _mm256_add_pd(_mm256_mul_pd(k, _mm256_set1_pd(TPC_LOG1P_LN2_LO)), c);
  __m256d inner = _mm256_add_pd(_mm256_mul_pd(s, _mm256_add_pd(hfsq, R)), klo);
  return _mm256_sub_pd(_mm256_mul_pd(k, _mm256_set1_pd(TPC_LOG1P_LN2_HI)),
                       _mm256_sub_pd(_mm256_sub_pd(hfsq, inner), f));
}

void tpc_logreg_terms_avx2(const double *m, const double *e, double *sp, double *s) {
  const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
  const __m256d sign = _mm256_set1_pd(-0.0);
  for (size_t k = 0; k < TPC_LOGREG_BLOCK; k += 4) {
    __m256d mk = _mm256_loadu_pd(m + k), ek = _mm256_loadu_pd(e + k);
    __m256d pos = _mm256_cmp_pd(mk, zero, _CMP_GE_OQ);
    __m256d neg = _mm256_andnot_pd(pos, _mm256_xor_pd(mk, sign));
    _mm256_storeu_pd(sp + k, _mm256_add_pd(neg, log1p_unit4(ek)));
    __m256d num = _mm256_blendv_pd(one, ek, pos);
    _mm256_storeu_pd(s + k, _mm256_div_pd(num, _mm256_add_pd(one, ek)));
  }
}
