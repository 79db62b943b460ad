/*
** TopK by radix selection on the magnitude keys (comp/topk_kern.h), O(d):
** a histogram of the top 11 key bits locates the bucket of the k-th largest
** magnitude; one band pass then keeps the indices above that bucket and the
** bucket's own indices and keys, among which tpc_topk_finish selects exactly.
** Two passes over x for most inputs; a bucket holding more than the band
** buffers (a large share of the input within a quarter octave, or ties)
** costs one more histogram pass per further digit, and when every digit is
** fixed the threshold is exact and one collecting pass finishes.
*/
#include "comp/topk_kern.h"

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/topk_radix_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/topk_radix_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

size_t tpc_topk_radix_work(size_t d, size_t k, size_t esize) {
  return tpc_topk_band_bytes(d, k, esize);
}

const tpc_topk_impl tpc_topk_radix = {.name = "radix", .isa = "portable",
                                      .select_f32 = radix_select_f32,
                                      .select_f64 = radix_select_f64};
