/*
** Checks on input vectors.  Kernels assume finite input (a NaN would turn
** TopK's selection and every norm into noise without a word), so whatever
** brings vectors in from outside (data files, plugins, user arguments) passes
** them through tpc_vec_check first and refuses the rest with a message that
** names the first bad coordinate.
*/
#ifndef TPC_VEC_H
#define TPC_VEC_H

#include <stddef.h>

/* TPC_OK when every x[i] is finite; otherwise TPC_EINPUT and the message
** "NAME[i] is NaN" (or "is +Inf", "is -Inf") for the first such i. */
int tpc_vec_check_f32(const float *x, size_t d, const char *name);
int tpc_vec_check_f64(const double *x, size_t d, const char *name);

#endif
