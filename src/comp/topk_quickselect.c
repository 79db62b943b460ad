/*
** TopK by quickselect, the O(d) expected baseline (the library's first
** selection, before the heap and the filter): tpc_kern_kth_abs selects the k-th largest magnitude on a
** copy of the magnitudes, then one scan counts the magnitudes above it and
** one more collects the kept indices in order.
*/
#include "comp/kernels.h"
#include "comp/topk_kern.h"

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/topk_quickselect_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/topk_quickselect_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

size_t tpc_topk_quickselect_work(size_t d, size_t k, size_t esize) {
  (void)k;
  return d * esize;
}

const tpc_topk_impl tpc_topk_quickselect = {.name = "quickselect", .isa = "portable",
                                            .select_f32 = quickselect_select_f32,
                                            .select_f64 = quickselect_select_f64};
