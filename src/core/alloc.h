/*
** Aligned, zeroed allocation for workspaces.  Kernels read their buffers with
** vector loads, so every workspace starts on a 64-byte boundary (a cache line,
** an AVX-512 register).
*/
#ifndef TPC_ALLOC_H
#define TPC_ALLOC_H

#include <stddef.h>

/* count * size zeroed bytes, 64-byte aligned, freed with free(); NULL and an
** error message (TPC_ENOMEM) when out of memory or when count * size, rounded
** up to a multiple of 64, does not fit in size_t. */
void *tpc_calloc_aligned(size_t count, size_t size);

#endif
