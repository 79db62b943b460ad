/*
** The scaled sign's vector kernels shared between sign.c and its AVX2 and
** AVX-512 files (sign_avx2.c, sign_avx512.c, compiled with their flags and
** called only when the CPU and OS support them), and the one definition of
** the order in which every path sums |x_i|.
**
** The order (sign.c): 16 double lanes, lane l summing |x_j| for the j with
** j mod 16 = l, in increasing j, from +0; then the halves folded in a fixed
** tree (tpc_sign_fold16).  A fixed order, not a sequential one, so that the
** vector paths run at read bandwidth and still agree with the portable one
** bit for bit.
*/
#ifndef TPC_SIGN_KERN_H
#define TPC_SIGN_KERN_H

#include <stddef.h>
#include <stdint.h>

/* Lanes of the sum of |x_i|: 8 per AVX-512 vector of doubles, 4 per AVX2. */
enum { TPC_SIGN_LANES = 16 };

/* AVX2: the scan returns the sum of |x_i| in the order above and writes the
** sign bits; the fill writes out from the bits, with streaming stores when
** `stream`. */
double tpc_sign_scan_f32_avx2(const float *x, size_t d, uint64_t *bits);
void tpc_sign_fill_f32_avx2(const uint64_t *bits, size_t d, float scale, float *out,
                            int stream);

/* AVX2, double input: the same contract; the sum is exact to the portable
** one's bits, and +inf where it overflows. */
double tpc_sign_scan_f64_avx2(const double *x, size_t d, uint64_t *bits);
void tpc_sign_fill_f64_avx2(const uint64_t *bits, size_t d, double scale, double *out,
                            int stream);

/* AVX-512, float input: the same contract (sign_avx512.c). */
double tpc_sign_scan_f32_avx512(const float *x, size_t d, uint64_t *bits);
void tpc_sign_fill_f32_avx512(const uint64_t *bits, size_t d, float scale, float *out,
                              int stream);

/* sign.c: the 16 lanes folded, for h = 8, 4, 2, 1, lane[l] += lane[l + h]
** for l < h; lane[0] is the sum.  Overwrites lane. */
double tpc_sign_fold16(double lane[TPC_SIGN_LANES]);

#endif
