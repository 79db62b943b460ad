/*
** The gradient kernel of quad (quad.c): A_i x for a group of clients, whose
** matrices A_i = a_i T + c I share T and c, written once
** (quad_kern_source.c) and instantiated as a portable kernel (quad.c, two
** doubles per instruction) and an AVX2 one (quad_avx2.c, four; AVX-512
** machines run it too), each called only when tpc_cpu_isa() allows it.
** Each lane's IEEE operations are exactly as written (the build has
** -ffp-contract=off), so both give the same bits.
*/
#ifndef TPC_QUAD_KERN_H
#define TPC_QUAD_KERN_H

#include <stddef.h>

/* The most clients a kernel call takes: they share T x and c x, and their
** sums, each a chain of d/4 dependent additions, run side by side. */
#define TPC_QUAD_GROUP 4

/* For the clients k < group (1 .. TPC_QUAD_GROUP) with a[k] = nu_i/4:
** g[k] = A_i x - b0[k] e_1, (A_i x)_j = a[k] (T x)_j + c x_j with
** (T x)_j = 2 x_j - x_{j-1} - x_{j+1} in that order (a neighbour past either
** end left out) and g[k][0] = (A_i x)_0 - b0[k]; xax[k] = x^T (A_i x) and
** g2[k] = |g[k]|^2, each summed in four partial sums over j mod 4 (the
** terms past the last multiple of four into the first), added as
** (s0 + s1) + (s2 + s3): the sums of tpc_vec_norm2_4. */
typedef void (*tpc_quad_ax_fn)(const double *a, const double *b0, double c, const double *x,
                               size_t d, double *const *g, double *xax, double *g2,
                               size_t group);

void tpc_quad_ax(const double *a, const double *b0, double c, const double *x, size_t d,
                 double *const *g, double *xax, double *g2, size_t group);
void tpc_quad_ax_avx2(const double *a, const double *b0, double c, const double *x, size_t d,
                      double *const *g, double *xax, double *g2, size_t group);

#endif
