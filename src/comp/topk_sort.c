/*
** TopK by a full sort, the O(d log d) baseline: the magnitude keys are
** sorted descending (introsort: quicksort with median-of-three pivots,
** insertion sort for short ranges, heapsort past 2 log2 d levels, so no
** input is quadratic and nothing is allocated), the k-th is the threshold,
** and one scan collects the kept indices in order.
*/
#include "comp/topk_kern.h"

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/topk_sort_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/topk_sort_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

size_t tpc_topk_sort_work(size_t d, size_t k, size_t esize) {
  (void)k;
  return d * esize;
}

const tpc_topk_impl tpc_topk_sort = {.name = "sort", .isa = "portable",
                                     .select_f32 = sort_select_f32,
                                     .select_f64 = sort_select_f64};
