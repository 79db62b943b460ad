/*
** The TopK implementations behind one interface (comp/topk_impl.h): the
** list, lookup by name with run-time choice of the instruction set path
** (core/cpu.h), the scratch sizes, and the table that picks the fastest
** implementation for a size.
*/
#include <string.h>

#include "core/cpu.h"
#include "comp/topk_kern.h"

typedef struct topk_entry {
  const tpc_topk_impl *impl;
  size_t (*work)(size_t d, size_t k, size_t esize);
} topk_entry;

static const topk_entry topk_entries[] = {
    {&tpc_topk_sort, tpc_topk_sort_work},
    {&tpc_topk_quickselect, tpc_topk_quickselect_work},
    {&tpc_topk_heap, tpc_topk_heap_work},
    {&tpc_topk_radix, tpc_topk_radix_work},
    {&tpc_topk_filter_portable, tpc_topk_filter_work},
    {&tpc_topk_filter_avx2, tpc_topk_filter_work},
    {&tpc_topk_filter_avx512, tpc_topk_filter_work},
    {&tpc_topk_maxbound_portable, tpc_topk_maxbound_work},
    {&tpc_topk_maxbound_avx2, tpc_topk_maxbound_work},
    {&tpc_topk_maxbound_avx512, tpc_topk_maxbound_work},
};
enum { TOPK_NIMPL = sizeof topk_entries / sizeof *topk_entries };

static const tpc_topk_impl *const topk_list[TOPK_NIMPL + 1] = {
    &tpc_topk_sort,           &tpc_topk_quickselect,     &tpc_topk_heap,
    &tpc_topk_radix,          &tpc_topk_filter_portable, &tpc_topk_filter_avx2,
    &tpc_topk_filter_avx512,  &tpc_topk_maxbound_portable, &tpc_topk_maxbound_avx2,
    &tpc_topk_maxbound_avx512, NULL};

const tpc_topk_impl *const *tpc_topk_impls(void) { return topk_list; }

size_t tpc_topk_impl_work(const tpc_topk_impl *impl, size_t d, size_t k,
                          tpc_dtype dtype) {
  size_t esize = dtype == TPC_F64 ? sizeof(double) : sizeof(float);
  for (size_t i = 0; i < TOPK_NIMPL; i++)
    if (topk_entries[i].impl == impl) return topk_entries[i].work(d, k, esize);
  return 0;
}

size_t tpc_topk_work_size(size_t d, size_t k) {
  size_t most = 0;
  for (size_t i = 0; i < TOPK_NIMPL; i++) {
    size_t w = tpc_topk_impl_work(topk_entries[i].impl, d, k, TPC_F64);
    if (w > most) most = w;
  }
  return most;
}

int tpc_topk_avx2_available(void) { return tpc_cpu_supports(TPC_ISA_AVX2); }
int tpc_topk_avx512_available(void) { return tpc_cpu_supports(TPC_ISA_AVX512); }

static int topk_available(const tpc_topk_impl *impl) {
  return impl->available == NULL || impl->available();
}

/* "name/isa": that path if available; "name": the path tpc_cpu_isa() allows
** (TPC_KERNEL), else the portable one. */
const tpc_topk_impl *tpc_topk_impl_find(const char *name) {
  const char *slash = strchr(name, '/');
  size_t len = slash != NULL ? (size_t)(slash - name) : strlen(name);
  tpc_isa isa = tpc_cpu_isa();
  const char *want = slash != NULL ? slash + 1
                     : isa == TPC_ISA_SCALAR ? "portable"
                                             : tpc_isa_name(isa);
  const tpc_topk_impl *portable = NULL;
  for (size_t i = 0; i < TOPK_NIMPL; i++) {
    const tpc_topk_impl *impl = topk_list[i];
    if (strlen(impl->name) != len || strncmp(impl->name, name, len) != 0) continue;
    if (strcmp(impl->isa, want) == 0) return topk_available(impl) ? impl : NULL;
    if (strcmp(impl->isa, "portable") == 0) portable = impl;
  }
  return slash != NULL ? NULL : portable;
}

/* The fastest implementation by size, from one-thread medians (Gaussian
** input, float and double, d = 2^6 .. 2^26) on an Intel Xeon at 2.1 GHz
** (AVX-512) and an AMD EPYC Zen 4; the rules for maxbound were written
** after its bound came from block maxima, from the best of 5 to 15 timings
** on a loaded Intel Xeon (Sapphire Rapids), AVX2 path unless named
** (figures in ns, double / float; p: portable path):
**
**   vector path, k <= 32 and     maxbound (d = 1000, k = 10: 147 / 110 vs
**   d <= 2^18 from d = 96 (k >=  heap 538 / 532; d = 123, k = 10, each
**   8) or 128 (k < 8); or 128 <= element its own block: 158 / 145 vs 186
**   d < 2^15 and k <= d/16       / 184; d = 100, k = 1: 44 / 43 vs the
**                                heap's 37 / 37, and k = 4 even, not
**                                taken; d = 64: even with the heap, not
**                                taken; d = 256, k = 16: even; 2^18, k =
**                                32: 36 / 16 us
**                                vs filter 44 / 30; 2^20, k = 10: 268 /
**                                139 us vs filter 241 / 120, not taken;
**                                2^15, k = 100: 8.8 / 7.6 us vs filter
**                                10.1 / 6.1; 2^16, k = 100: 19 / 9.5 us
**                                vs 15 / 10, not taken: beyond k = 32
**                                the bound is a radix selection over the
**                                d/16 maxima)
**   portable path, 512 <= d <    maxbound (p: d = 1000, k = 10: 500 / 377
**   2^15, k <= d/32              vs heap 767 / 558; 8192, k = 100: 5.7 /
**                                4.4 us vs filter 8.9 / 6.3; 512, k = 16
**                                and 1000, k = 32: even with the heap;
**                                2^15, k = 100: even with the filter)
**   d <= 2^11, k <= 16           heap    (d = 123, k = 10: 0.18 us vs
**                                quickselect 0.46 on the portable path;
**                                d = 64, k = 1: 31 ns vs maxbound 41)
**   2^9 <= d <= 2^11, k <= d/16  heap    (2^11, k = 128: 5.1 us vs 5.5;
**                                2^10, k = 128: 4.0 us vs 3.3, not taken)
**   d <= 2^11, larger k          quickselect (5.7 us vs filter 10.4 at
**                                2^10, about even at 2^11)
**   d <= 2^13, k <= 32           heap    (2^12, k = 32: 2.9 us vs filter
**                                3.6 with AVX-512; 2^13: even with it,
**                                ahead of the AVX2 and portable filters)
**   otherwise                    filter  (2^24, k = d/100: 5 to 9 ms vs
**                                quickselect 177 ms, radix 56 ms)
**
** The filter has a fixed cost of a few microseconds (its sample and two
** selections in it), which the heap and maxbound beat while k and d are
** small; maxbound bounds by d/16 blocks (by the elements where there are
** fewer blocks than k <= 32), and from about 2^19 on its second look at
** the blocks loses to the filter's one pass.  The rules hold for both element types;
** a later table may come from the bench's measurements. */
const tpc_topk_impl *tpc_topk_best(size_t d, size_t k, tpc_dtype dtype) {
  (void)dtype;
  const tpc_topk_impl *maxbound = tpc_topk_impl_find("maxbound");
  if (strcmp(maxbound->isa, "portable") != 0) {
    size_t least = k >= 8 ? 96 : 128;
    if ((d >= least && k <= 32 && d <= ((size_t)1 << 18)) ||
        (d >= 128 && k <= d / 16 && d < 32768))
      return maxbound;
  } else if (d >= 512 && d < 32768 && k <= d / 32) {
    return maxbound;
  }
  if ((d <= 2048 && (k <= 16 || (d >= 512 && k <= d / 16))) || (d <= 8192 && k <= 32))
    return &tpc_topk_heap;
  if (d <= 2048) return &tpc_topk_quickselect;
  return tpc_topk_impl_find("filter");
}
