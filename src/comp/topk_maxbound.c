/*
** TopK by a bound from block maxima (comp/topk_kern.h), the method for
** small d, where a selection's fixed costs, not the read, decide.  One pass
** takes the maxima of blocks of TPC_TOPK_MB_BLOCK consecutive elements (a
** vertical maximum per vector and a few folds per block, no branches); t,
** the k-th largest of a subset of those maxima, is at most the k-th largest
** magnitude of x (k blocks have an element >= t, and they are k distinct
** elements), so every kept element lies in a block whose maximum is >= t.
** A second look at those blocks only (about k of them on inputs in random
** order) gathers the candidates, key >= t, in index order, from which
** tpc_topk_finish selects exactly.  An input that leaves more candidates
** than the band buffers hold (many equal magnitudes at large d) falls back
** to radix selection, and one with fewer than k nonzero blocks (a support
** of a few runs) to the heap, so the answer never depends on the bound's
** quality.
**
** The maxima are 32-bit keys (comp/topk_kern.h), so that the bound's
** selection works on eight lanes of one 256-bit vector for both types: the
** maxima are laid out as rows of eight, each lane keeps its r = ceil(k/4)
** largest by a compare-exchange network down the rows, and t is the k-th
** largest of those 8 r values by counting, for each, the values above it
** (8 r >= 2 k: on Gaussian input t is the k-th largest block maximum in
** about 9 cases of 10, one block lower in the others).  Beyond k = 32 the
** bound is the exact k-th largest maximum, by radix selection.  With no
** more blocks than k (d < 16 (k + 1), k <= 32: EF21's step on a9a, d =
** 123, k = 10)
** each element is a block of its own: the same lane bound over the
** elements' 32-bit keys, then one branch-free scan for the candidates.
**
** The block maxima and the gather are the per-ISA kernels: portable (here),
** AVX2 (topk_filter_avx2.c) and AVX-512 (topk_filter_avx512.c), each an
** implementation of its own, as the filter's (topk_filter.c).
*/
#include "comp/topk_kern.h"

/* The portable lane bound's eight lanes are two 16-byte vectors (SSE2,
** NEON: every target has them; gcc splits wider GNU C vectors into scalar
** code there). */
enum { MAXBOUND_LANES = 8 };

typedef int32_t maxbound_vec __attribute__((vector_size(16)));
enum { MAXBOUND_HALF = sizeof(maxbound_vec) / sizeof(int32_t),
       MAXBOUND_NV = MAXBOUND_LANES / MAXBOUND_HALF };

static size_t maxbound_align(size_t bytes) { return (bytes + 63) / 64 * 64; }

/* Rows of eight block maxima (whole blocks, the last row padded with 0). */
static size_t maxbound_rows(size_t d) {
  return (d / TPC_TOPK_MB_BLOCK + MAXBOUND_LANES - 1) / MAXBOUND_LANES;
}

/* Whether the bound comes from the elements' own keys: with fewer blocks
** than k there is no block bound, with exactly k a poor one (d = 256, k =
** 16: 438 ns by the blocks, 345 by the elements); the elements' scan costs
** about a nanosecond each, so it loses to the blocks beyond (d = 256, k =
** 10: 286 ns against 173; d = 1000, k = 32: 1.3 us against 0.66). */
static int maxbound_by_elements(size_t d, size_t k) {
  return k <= TPC_TOPK_MB_LIST && d / TPC_TOPK_MB_BLOCK <= k;
}

/* Entries of the maxima: rows of eight block maxima, or where the bound
** may come from the elements (d / TPC_TOPK_MB_BLOCK <= TPC_TOPK_MB_LIST)
** rows of eight elements' keys. */
static size_t maxbound_entries(size_t d) {
  size_t rows = maxbound_rows(d);
  if (d / TPC_TOPK_MB_BLOCK <= TPC_TOPK_MB_LIST) rows = (d + MAXBOUND_LANES - 1) / MAXBOUND_LANES;
  return rows * MAXBOUND_LANES;
}

/* Bytes of the maxima and of the list of candidate blocks, which precede
** the band buffers in the work area. */
static size_t maxbound_head_bytes(size_t d) {
  return maxbound_align(maxbound_entries(d) * sizeof(uint32_t)) +
         maxbound_align(d / TPC_TOPK_MB_BLOCK * sizeof(uint32_t));
}

/* a, b = the larger and the smaller of a and b, lane by lane. */
static void maxbound_exchange(maxbound_vec *a, maxbound_vec *b) {
  maxbound_vec more = *b > *a, hi = (*b & more) | (*a & ~more);
  *b = (*a & more) | (*b & ~more);
  *a = hi;
}

/* The portable lane bound (comp/topk_kern.h): the smallest of the lanes'
** r largest maxima with fewer than k of them above it. */
uint32_t tpc_topk_lanebound_portable(const uint32_t *m, size_t nrow, size_t k) {
  enum { NV = MAXBOUND_NV };
  size_t r = (k + 3) / 4;
  maxbound_vec top[TPC_TOPK_MB_TOP][NV] = {{{0}}}, above[TPC_TOPK_MB_TOP][NV] = {{{0}}};
  for (size_t row = 0; row < nrow; row++)
    for (size_t h = 0; h < NV; h++) {
      maxbound_vec v;
      memcpy(&v, m + MAXBOUND_LANES * row + MAXBOUND_HALF * h, sizeof v);
      for (size_t s = 0; s < r; s++) maxbound_exchange(&top[s][h], &v);
    }
  const int32_t *q = (const int32_t *)(const void *)top;
  for (size_t j = 0; j < MAXBOUND_LANES * r; j++) {
    maxbound_vec v = (maxbound_vec){0} + q[j];
    for (size_t s = 0; s < r; s++)
      for (size_t h = 0; h < NV; h++) above[s][h] -= top[s][h] < v;
  }
  maxbound_vec least = (maxbound_vec){0} + INT32_MAX, kv = (maxbound_vec){0} + (int32_t)k;
  for (size_t s = 0; s < r; s++)
    for (size_t h = 0; h < NV; h++) {
      maxbound_vec take = above[s][h] < kv;
      maxbound_vec v = (top[s][h] & take) | (least & ~take);
      maxbound_exchange(&v, &least);
    }
  int32_t t = least[0];
  for (size_t l = 1; l < MAXBOUND_HALF; l++) t = least[l] < t ? least[l] : t;
  return (uint32_t)t;
}

/* A lower bound of the k-th largest of the nb block maxima m (padded to
** nrow rows): 0 when there are fewer than k blocks.  The lane bound is 0
** when more than r of the few nonzero maxima share a lane (a vector whose
** support is a run of coordinates, as EF21's x - h can be), which would
** make every element a candidate: the exact k-th largest maximum then. */
static uint32_t maxbound_bound(const uint32_t *m, size_t nb, size_t nrow, size_t k,
                               tpc_topk_band *b, tpc_topk_lanebound_fn lanebound) {
  size_t greater;
  if (nb < k) return 0;
  uint32_t t = k <= TPC_TOPK_MB_LIST ? lanebound(m, nrow, k) : 0;
  if (t > 0) return t;
  return tpc_topk_kth_key_f32(m, nb, k, 0, INT32_MAX, b->scratch, b->scratch_cap,
                              &greater);
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
  return maxbound_head_bytes(d) + tpc_topk_band_bytes(d, k, esize);
}

#define MAXBOUND_SELECT(isa)                                                   \
  static void maxbound_select_##isa##_f32(const float *x, size_t d, size_t k,  \
                                          uint32_t *idx, void *work) {         \
    maxbound_run_f32(x, d, k, idx, work, tpc_topk_blockmax_##isa##_f32,        \
                     tpc_topk_lanebound_##isa, tpc_topk_gather_##isa##_f32,    \
                     tpc_topk_band_##isa##_f32);                               \
  }                                                                            \
  static void maxbound_select_##isa##_f64(const double *x, size_t d, size_t k, \
                                          uint32_t *idx, void *work) {         \
    maxbound_run_f64(x, d, k, idx, work, tpc_topk_blockmax_##isa##_f64,        \
                     tpc_topk_lanebound_##isa, tpc_topk_gather_##isa##_f64,    \
                     tpc_topk_band_##isa##_f64);                               \
  }
MAXBOUND_SELECT(portable)
MAXBOUND_SELECT(avx2)
MAXBOUND_SELECT(avx512)
#undef MAXBOUND_SELECT

TPC_TOPK_IMPL_PATHS(maxbound);
