/*
** AVX2 kernels of the logistic-regression exp and terms (logreg_kern.h):
** the portable kernels' operations, in their order, four rows at a time.  No FMA
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

/* exp(-|m|) on four margins: logreg.c's exp_neg, operation for operation. */
static inline __m256d exp_neg4(__m256d m) {
  __m256d x = _mm256_or_pd(m, _mm256_set1_pd(-0.0));
  __m256d low = _mm256_cmp_pd(x, _mm256_set1_pd(TPC_EXP_MIN), _CMP_LT_OQ);
  x = _mm256_blendv_pd(x, _mm256_set1_pd(TPC_EXP_MIN), low);
  __m256d shift = _mm256_set1_pd(TPC_EXP_SHIFT);
  __m256d t = _mm256_add_pd(_mm256_mul_pd(x, _mm256_set1_pd(TPC_EXP_INVLN2)), shift);
  __m256d kd = _mm256_sub_pd(t, shift);
  __m256d hi = _mm256_sub_pd(x, _mm256_mul_pd(kd, _mm256_set1_pd(TPC_LOG1P_LN2_HI)));
  __m256d lo = _mm256_mul_pd(kd, _mm256_set1_pd(TPC_LOG1P_LN2_LO));
  __m256d r = _mm256_sub_pd(hi, lo), z = _mm256_mul_pd(r, r);
  __m256d P = _mm256_set1_pd(TPC_EXP_P5);
  P = _mm256_add_pd(_mm256_set1_pd(TPC_EXP_P4), _mm256_mul_pd(z, P));
  P = _mm256_add_pd(_mm256_set1_pd(TPC_EXP_P3), _mm256_mul_pd(z, P));
  P = _mm256_add_pd(_mm256_set1_pd(TPC_EXP_P2), _mm256_mul_pd(z, P));
  P = _mm256_add_pd(_mm256_set1_pd(TPC_EXP_P1), _mm256_mul_pd(z, P));
  __m256d c = _mm256_sub_pd(r, _mm256_mul_pd(z, P));
  __m256d q = _mm256_div_pd(_mm256_mul_pd(r, c), _mm256_sub_pd(_mm256_set1_pd(2.0), c));
  __m256d y = _mm256_sub_pd(_mm256_set1_pd(1.0), _mm256_sub_pd(_mm256_sub_pd(lo, q), hi));
  __m256i nk = _mm256_sub_epi64(_mm256_castpd_si256(shift), _mm256_castpd_si256(t));
  __m256i half = _mm256_srli_epi64(nk, 1), rest = _mm256_sub_epi64(nk, half);
  __m256i bias = _mm256_set1_epi64x(1023);
  __m256d s1 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_sub_epi64(bias, half), 52));
  __m256d s2 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_sub_epi64(bias, rest), 52));
  return _mm256_mul_pd(_mm256_mul_pd(y, s1), s2);
}

void tpc_logreg_exp_avx2(const double *m, double *e) {
  for (size_t k = 0; k < TPC_LOGREG_BLOCK; k += 4)
    _mm256_storeu_pd(e + k, exp_neg4(_mm256_loadu_pd(m + k)));
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
