/*
** AVX-512 kernels of the logistic-regression exp and terms (logreg_kern.h):
** the portable kernels' operations, in their order, eight rows at a time.
** No FMA (the build has -ffp-contract=off and the code writes each product
** and sum), so the bits equal the portable kernels'.  Compiled with the
** AVX-512 flags, called only where tpc_cpu_supports(TPC_ISA_AVX512).
*/
#include <immintrin.h>

#include "problems/logreg_kern.h"

static inline __m512d set(double v) { return _mm512_set1_pd(v); }

/* The fdlibm log1p kernel on eight e in [0, 1] (logreg.c: log1p_unit). */
static inline __m512d log1p_unit8(__m512d e) {
  const __m512d one = set(1.0), half = set(0.5);
  __m512d u = _mm512_add_pd(one, e);
  __m512d cu = _mm512_div_pd(_mm512_sub_pd(e, _mm512_sub_pd(u, one)), u);
  __m512d fu = _mm512_sub_pd(_mm512_mul_pd(half, u), one);
  __mmask8 big = _mm512_cmp_pd_mask(e, set(TPC_LOG1P_SPLIT), _CMP_GE_OQ);
  __m512d k = _mm512_maskz_mov_pd(big, one), c = _mm512_maskz_mov_pd(big, cu);
  __m512d f = _mm512_mask_blend_pd(big, e, fu);
  __m512d hfsq = _mm512_mul_pd(_mm512_mul_pd(half, f), f);
  __m512d s = _mm512_div_pd(f, _mm512_add_pd(set(2.0), f));
  __m512d z = _mm512_mul_pd(s, s);
  __m512d R = set(TPC_LOG1P_LP7);
  R = _mm512_add_pd(set(TPC_LOG1P_LP6), _mm512_mul_pd(z, R));
  R = _mm512_add_pd(set(TPC_LOG1P_LP5), _mm512_mul_pd(z, R));
  R = _mm512_add_pd(set(TPC_LOG1P_LP4), _mm512_mul_pd(z, R));
  R = _mm512_add_pd(set(TPC_LOG1P_LP3), _mm512_mul_pd(z, R));
  R = _mm512_add_pd(set(TPC_LOG1P_LP2), _mm512_mul_pd(z, R));
  R = _mm512_add_pd(set(TPC_LOG1P_LP1), _mm512_mul_pd(z, R));
  R = _mm512_mul_pd(z, R);
  __m512d klo = _mm512_add_pd(_mm512_mul_pd(k, set(TPC_LOG1P_LN2_LO)), c);
  __m512d inner = _mm512_add_pd(_mm512_mul_pd(s, _mm512_add_pd(hfsq, R)), klo);
  return _mm512_sub_pd(_mm512_mul_pd(k, set(TPC_LOG1P_LN2_HI)),
                       _mm512_sub_pd(_mm512_sub_pd(hfsq, inner), f));
}

/* exp(-|m|) on eight margins: logreg.c's exp_neg, operation for operation. */
static inline __m512d exp_neg8(__m512d m) {
  __m512d x = _mm512_or_pd(m, set(-0.0));
  __mmask8 low = _mm512_cmp_pd_mask(x, set(TPC_EXP_MIN), _CMP_LT_OQ);
  x = _mm512_mask_mov_pd(x, low, set(TPC_EXP_MIN));
  __m512d shift = set(TPC_EXP_SHIFT);
  __m512d t = _mm512_add_pd(_mm512_mul_pd(x, set(TPC_EXP_INVLN2)), shift);
  __m512d kd = _mm512_sub_pd(t, shift);
  __m512d hi = _mm512_sub_pd(x, _mm512_mul_pd(kd, set(TPC_LOG1P_LN2_HI)));
  __m512d lo = _mm512_mul_pd(kd, set(TPC_LOG1P_LN2_LO));
  __m512d r = _mm512_sub_pd(hi, lo), z = _mm512_mul_pd(r, r);
  __m512d P = set(TPC_EXP_P5);
  P = _mm512_add_pd(set(TPC_EXP_P4), _mm512_mul_pd(z, P));
  P = _mm512_add_pd(set(TPC_EXP_P3), _mm512_mul_pd(z, P));
  P = _mm512_add_pd(set(TPC_EXP_P2), _mm512_mul_pd(z, P));
  P = _mm512_add_pd(set(TPC_EXP_P1), _mm512_mul_pd(z, P));
  __m512d c = _mm512_sub_pd(r, _mm512_mul_pd(z, P));
  __m512d q = _mm512_div_pd(_mm512_mul_pd(r, c), _mm512_sub_pd(set(2.0), c));
  __m512d y = _mm512_sub_pd(set(1.0), _mm512_sub_pd(_mm512_sub_pd(lo, q), hi));
  __m512i nk = _mm512_sub_epi64(_mm512_castpd_si512(shift), _mm512_castpd_si512(t));
  __m512i half = _mm512_srli_epi64(nk, 1), rest = _mm512_sub_epi64(nk, half);
  __m512i bias = _mm512_set1_epi64(1023);
  __m512d s1 = _mm512_castsi512_pd(_mm512_slli_epi64(_mm512_sub_epi64(bias, half), 52));
  __m512d s2 = _mm512_castsi512_pd(_mm512_slli_epi64(_mm512_sub_epi64(bias, rest), 52));
  return _mm512_mul_pd(_mm512_mul_pd(y, s1), s2);
}

void tpc_logreg_exp_avx512(const double *m, double *e) {
  for (size_t k = 0; k < TPC_LOGREG_BLOCK; k += 8)
    _mm512_storeu_pd(e + k, exp_neg8(_mm512_loadu_pd(m + k)));
}

void tpc_logreg_terms_avx512(const double *m, const double *e, double *sp, double *s) {
  const __m512d one = set(1.0);
  for (size_t k = 0; k < TPC_LOGREG_BLOCK; k += 8) {
    __m512d mk = _mm512_loadu_pd(m + k), ek = _mm512_loadu_pd(e + k);
    __mmask8 pos = _mm512_cmp_pd_mask(mk, _mm512_setzero_pd(), _CMP_GE_OQ);
    __m512d neg = _mm512_maskz_mov_pd((__mmask8)~pos, _mm512_xor_pd(mk, set(-0.0)));
    _mm512_storeu_pd(sp + k, _mm512_add_pd(neg, log1p_unit8(ek)));
    __m512d num = _mm512_mask_blend_pd(pos, one, ek);
    _mm512_storeu_pd(s + k, _mm512_div_pd(num, _mm512_add_pd(one, ek)));
  }
}
