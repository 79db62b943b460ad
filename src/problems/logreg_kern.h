/*
** The element-wise steps of the logistic-regression gradient (logreg.c),
** written once (logreg_kern_source.c) and instantiated as portable kernels
** (logreg.c), AVX2 ones (logreg_avx2.c) and AVX-512 ones (logreg_avx512.c),
** each called only when tpc_cpu_isa() allows it.  All perform the same IEEE
** operations in the same order on every element, so they give the same
** bits; they do two, four and eight rows per instruction (AVX-512 over AVX2
** on a9a: 698 -> 625 us per EF21 iteration, medians of 11 interleaved runs
** on an EPYC Zen 4).
*/
#ifndef TPC_LOGREG_KERN_H
#define TPC_LOGREG_KERN_H

#include <stddef.h>

/* Rows of one block of the gradient; the kernels take whole blocks. */
#define TPC_LOGREG_BLOCK 128

/* e[k] = exp(-|m[k]|) for the margins of a block, by fdlibm's exp (e_exp.c,
** error below 1 ulp) without its branches: tpc's own, so that the gradient
** has the same bits on every machine (libm's exp may round differently
** across builds and CPUs: glibc picks an FMA variant at run time), two,
** four or eight rows per instruction.  NaN stays NaN; below -746 the result
** is 0, as exp's. */
typedef void (*tpc_logreg_exp_fn)(const double *m, double *e);

void tpc_logreg_exp(const double *m, double *e);
void tpc_logreg_exp_avx2(const double *m, double *e);
void tpc_logreg_exp_avx512(const double *m, double *e);

/* The same rule on one margin (tests and references). */
double tpc_logreg_exp1(double m);

/* For the margins m[k] of a block and e[k] = exp(-|m[k]|):
**   sp[k] = log(1 + exp(-m)) = (m >= 0 ? 0 : -m) + log1p(e),
**   s[k]  = 1/(1 + exp(m))   = (m >= 0 ? e : 1)/(1 + e),
** with log1p by the fdlibm kernel (see logreg.c), k < TPC_LOGREG_BLOCK. */
typedef void (*tpc_logreg_terms_fn)(const double *m, const double *e, double *sp, double *s);

void tpc_logreg_terms(const double *m, const double *e, double *sp, double *s);
void tpc_logreg_terms_avx2(const double *m, const double *e, double *sp, double *s);
void tpc_logreg_terms_avx512(const double *m, const double *e, double *sp, double *s);

/* The fdlibm log1p coefficients (s_log1p.c) every instance uses. */
#define TPC_LOG1P_LN2_HI 6.93147180369123816490e-01
#define TPC_LOG1P_LN2_LO 1.90821492927058770002e-10
#define TPC_LOG1P_LP1 6.666666666666735130e-01
#define TPC_LOG1P_LP2 3.999999999940941908e-01
#define TPC_LOG1P_LP3 2.857142874366239149e-01
#define TPC_LOG1P_LP4 2.222219843214978396e-01
#define TPC_LOG1P_LP5 1.818357216161805012e-01
#define TPC_LOG1P_LP6 1.531383769920937332e-01
#define TPC_LOG1P_LP7 1.479819860511658591e-01
/* fdlibm's exp (e_exp.c): 1/ln 2 and the polynomial of its rational
** approximation on [-ln2/2, ln2/2] (ln 2 split as for log1p above); the
** clamp below which exp rounds to 0; 1.5 2^52, which rounds a double below
** 2^51 in magnitude to an integer when added. */
#define TPC_EXP_INVLN2 1.44269504088896338700e+00
#define TPC_EXP_P1 1.66666666666666019037e-01
#define TPC_EXP_P2 -2.77777777770155933842e-03
#define TPC_EXP_P3 6.61375632143793436117e-05
#define TPC_EXP_P4 -1.65339022054652515390e-06
#define TPC_EXP_P5 4.13813679705723846039e-08
#define TPC_EXP_MIN -746.0
#define TPC_EXP_SHIFT 0x1.8p52
/* sqrt(2) - 1: below it log1p(e) is taken directly, above it from 1 + e. */
#define TPC_LOG1P_SPLIT 0.41421356237309503

#endif
