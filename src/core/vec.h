/*
** Vector helpers: checks on input vectors, and the squared norms and
** distances the runner and the checks take, each summed in one fixed order.
**
** Kernels assume finite input (a NaN would turn TopK's selection and every
** norm into noise without a word), so whatever brings vectors in from outside
** (data files, plugins, user arguments) passes them through tpc_vec_check
** first and refuses the rest with a message that names the first bad
** coordinate.
**
** The sums are not interchangeable: each order rounds differently, and the
** stored constants and trajectories were computed with the one their caller
** uses, so a caller keeps its function (a change of order is a change of
** results, caught by `tpc regress`).
*/
#ifndef TPC_VEC_H
#define TPC_VEC_H

#include <stddef.h>

/* TPC_OK when every x[i] is finite; otherwise TPC_EINPUT and the message
** "NAME[i] is NaN" (or "is +Inf", "is -Inf") for the first such i. */
int tpc_vec_check_f32(const float *x, size_t d, const char *name);
int tpc_vec_check_f64(const double *x, size_t d, const char *name);

/* sum_i a_i^2, added in index order. */
double tpc_vec_norm2(const double *a, size_t d);

/* sum_i (f a_i)^2 and sum_i (f (a_i - b_i))^2, added in index order: f (a
** power of two) brings huge or tiny entries into range before squaring. */
double tpc_vec_norm2_scaled(const double *a, size_t d, double f);
double tpc_vec_dist2_scaled(const double *a, const double *b, size_t d, double f);

/* sum_i a_i^2 and sum_i (a_i - b_i)^2 in four partial sums over i mod 4,
** added as (s0 + s1) + (s2 + s3): four independent chains of additions
** instead of one (one chain's latency made these sums a fifth of a
** quad(d=1000) iteration of Algorithm 1).  The sums are four scalars, not an
** array: -O2 vectorizes an array of sums in memory, and each add then waits
** on the store of the one before. */
double tpc_vec_norm2_4(const double *a, size_t d);
double tpc_vec_dist2_4(const double *a, const double *b, size_t d);

/* tpc_vec_dist2_scaled in the four chains of tpc_vec_dist2_4: the left side
** of every draw of tpc bounds, where one chain cost as much as the kernel
** at d = 1e5 (bounds/eval.c). */
double tpc_vec_dist2_scaled_4(const double *a, const double *b, size_t d, double f);

/* qsort's comparison for doubles in increasing order (no NaN). */
int tpc_vec_cmp_f64(const void *a, const void *b);

#endif
