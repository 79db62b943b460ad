/*
** TopK selection: several implementations behind one interface, so that
** `tpc bench` can time each against the others and the numpy/torch peers.
**
** Every implementation selects the k largest |x_i| of x[0..d) with the same
** tie rule (equal magnitudes: lower index first) and writes their indices in
** increasing order, so all return the same set bit for bit.  The `topk`
** compressor calls tpc_topk_best(), which picks an implementation by a fixed
** table of thresholds on d and k (topk_impl.c, written from one-off timings
** that the comment there quotes; nothing is measured at run time), and
** honours TPC_KERNEL (scalar|avx2|avx512) to force an instruction set path
** for tests and benchmarks.
*/
#ifndef TPC_TOPK_IMPL_H
#define TPC_TOPK_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "wire/msg.h"

typedef struct tpc_topk_impl {
  const char *name;   /* "sort", "quickselect", "heap", "radix", "filter",
                         "maxbound" */
  const char *isa;    /* "portable", "avx2", "avx512" */
  int (*available)(void);  /* CPU and OS support this path (NULL: always) */
  /* idx[0..k) = indices of the k largest magnitudes, increasing.  work has
  ** tpc_topk_work_size(d, k) bytes, 64-byte aligned; 1 <= k <= d < 2^32.
  ** Allocates nothing.  x finite. */
  void (*select_f32)(const float *x, size_t d, size_t k, uint32_t *idx, void *work);
  void (*select_f64)(const double *x, size_t d, size_t k, uint32_t *idx, void *work);
} tpc_topk_impl;

/* Scratch bytes any implementation needs for (d, k). */
size_t tpc_topk_work_size(size_t d, size_t k);

/* Every implementation built into the library (available or not), NULL-terminated. */
const tpc_topk_impl *const *tpc_topk_impls(void);

/* By "name" or "name/isa" ("filter/avx2"); NULL if unknown or unavailable. */
const tpc_topk_impl *tpc_topk_impl_find(const char *name);

/* The implementation the topk compressor uses for d and k, from the fixed
** table of topk_impl.c.  The table is the same for both element types:
** dtype is not consulted (the timings behind it agreed for float and
** double). */
const tpc_topk_impl *tpc_topk_best(size_t d, size_t k, tpc_dtype dtype);

#endif
