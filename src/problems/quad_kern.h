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

/* Clients a kernel call takes at once (or one alone): they share T x and
** c x, and their x^T A_i x sums, each a chain of d/4 dependent additions,
** run side by side. */
#define TPC_QUAD_GROUP 4

/* For the clients k < group (1 or TPC_QUAD_GROUP) with a[k] = nu_i/4:
** g[k][j] = a[k] (T x)_j + c x_j, (T x)_j = 2 x_j - x_{j-1} - x_{j+1} in that
** order (a neighbour past either end left out), and xax[k] = x^T g[k] summed
** in four partial sums over j mod 4, added as (s0 + s1) + (s2 + s3). */
typedef void (*tpc_quad_ax_fn)(const double *a, double c, const double *x, size_t d,
                               double *const *g, double *xax, size_t group);

void tpc_quad_ax(const double *a, double c, const double *x, size_t d, double *const *g,
                 double *xax, size_t group);
void tpc_quad_ax_avx2(const double *a, double c, const double *x, size_t d, double *const *g,
                      double *xax, size_t group);

#endif
