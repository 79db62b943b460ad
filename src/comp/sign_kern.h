/*
** The scaled sign's float kernels shared between sign.c and its AVX2 and
** AVX-512 files (sign_avx2.c, sign_avx512.c, compiled with their flags and
** called only when the CPU and OS support them).
*/
#ifndef TPC_SIGN_KERN_H
#define TPC_SIGN_KERN_H

#include <stddef.h>
#include <stdint.h>

/* AVX2: the scan returns the sum of |x_i| (bit for bit the sequential double
** sum) and writes the sign bits; the fill writes out from the bits, with
** streaming stores when `stream`. */
double tpc_sign_scan_f32_avx2(const float *x, size_t d, uint64_t *bits);
void tpc_sign_fill_f32_avx2(const uint64_t *bits, size_t d, float scale, float *out,
                            int stream);

/* AVX-512: the same contract (sign_avx512.c). */
double tpc_sign_scan_f32_avx512(const float *x, size_t d, uint64_t *bits);
void tpc_sign_fill_f32_avx512(const uint64_t *bits, size_t d, float scale, float *out,
                              int stream);

/* sign.c: refreshes the bounds of the exactness test for the running sum s
** (0 and 0 while s = 0: every block is then summed one by one). */
void tpc_sign_bounds_f32(double s, double *bound, float *theta);

#endif
