/*
** TopK by a bound from column maxima (comp/topk_kern.h), the method for
** small d, where a selection's fixed costs, not the read, decide.  View x
** as rows of m columns: the k-th largest of the m column maxima, t, is at
** most the k-th largest magnitude of x (k columns have an element >= t, and
** they are k distinct elements), so every kept element has key >= t.  One
** pass takes the column maxima (vertical maxima: one load and one maximum
** per vector, no branches), a short selection finds t, and a band pass with
** lo = t collects the candidates in index order, from which
** tpc_topk_finish selects exactly.  With m >= 4k columns and x in random
** order the candidates number about k (1 + k/2m); an input that leaves more
** than the band buffers hold (many equal magnitudes at large d) falls back
** to radix selection, so the answer never depends on the bound's quality.
**
** The column maxima and the band pass are the per-ISA kernels: portable
** (here and topk_common.c), AVX2 (topk_filter_avx2.c) and AVX-512
** (topk_filter_avx512.c), each an implementation of its own, as the
** filter's (topk_filter.c).
*/
#include "comp/topk_kern.h"

#include "core/cpu.h"

/* Largest k for which t is found by insertion into a sorted list of the k
** largest maxima so far (most maxima fail its first comparison); radix
** selection beyond. */
enum { MAXBOUND_LIST = 32 };

/* Columns: 4k rounded up to a multiple of 64, at most the whole rows of x;
** 0 (no bound: every element is a candidate) when fewer than k fit. */
static size_t maxbound_columns(size_t d, size_t k) {
  size_t m = (4 * k + 63) / 64 * 64;
  if (m > d) m = d / 64 * 64;
  return m >= k ? m : 0;
}

/* Bytes of the column maxima (keys of up to 8 bytes) before the band. */
static size_t maxbound_acc_bytes(size_t d, size_t k) {
  return (maxbound_columns(d, k) * 8 + 63) / 64 * 64;
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/topk_maxbound_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/topk_maxbound_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

size_t tpc_topk_maxbound_work(size_t d, size_t k, size_t esize) {
  return maxbound_acc_bytes(d, k) + tpc_topk_band_bytes(d, k, esize);
}

static int maxbound_avx2_available(void) { return tpc_cpu_supports(TPC_ISA_AVX2); }
static int maxbound_avx512_available(void) { return tpc_cpu_supports(TPC_ISA_AVX512); }

#define MAXBOUND_SELECT(isa)                                                   \
  static void maxbound_select_##isa##_f32(const float *x, size_t d, size_t k,  \
                                          uint32_t *idx, void *work) {         \
    maxbound_run_f32(x, d, k, idx, work, tpc_topk_colmax_##isa##_f32,          \
                     tpc_topk_band_##isa##_f32);                               \
  }                                                                            \
  static void maxbound_select_##isa##_f64(const double *x, size_t d, size_t k, \
                                          uint32_t *idx, void *work) {         \
    maxbound_run_f64(x, d, k, idx, work, tpc_topk_colmax_##isa##_f64,          \
                     tpc_topk_band_##isa##_f64);                               \
  }
MAXBOUND_SELECT(portable)
MAXBOUND_SELECT(avx2)
MAXBOUND_SELECT(avx512)
#undef MAXBOUND_SELECT

const tpc_topk_impl tpc_topk_maxbound_portable = {
    .name = "maxbound", .isa = "portable", .select_f32 = maxbound_select_portable_f32,
    .select_f64 = maxbound_select_portable_f64};
const tpc_topk_impl tpc_topk_maxbound_avx2 = {
    .name = "maxbound", .isa = "avx2", .available = maxbound_avx2_available,
    .select_f32 = maxbound_select_avx2_f32, .select_f64 = maxbound_select_avx2_f64};
const tpc_topk_impl tpc_topk_maxbound_avx512 = {
    .name = "maxbound", .isa = "avx512", .available = maxbound_avx512_available,
    .select_f32 = maxbound_select_avx512_f32, .select_f64 = maxbound_select_avx512_f64};
