/*
** Shared steps of the TopK implementations (comp/topk_kern.h): the band
** buffers' layout, exact selection among keys, the final collection and
** merge, and the portable band pass.  Type-generic bodies in
** topk_common_source.c.
*/
#include "comp/topk_kern.h"

#include <math.h>

/* Entries of the band buffers: up to d/8 beyond 2^16, so the radix
** fallback needs a few histogram passes only when more than an eighth of the
** input shares its top 11 key bits. */
static size_t topk_band_cap(size_t d) {
  size_t small = 65536;
  return d <= small ? d : (d / 8 > small ? d / 8 : small);
}

/* Few enough keys left in a bucket to finish by sorting them. */
enum { TOPK_SMALL = 64 };

/* tpc_topk_finish drops up to TOPK_FEW - 1 band entries beyond those it
** needs through a list of the smallest, instead of a radix selection. */
enum { TOPK_FEW = 4 };

/* Elements the portable band pass tests at once for a candidate: a divisor
** of TPC_TOPK_CHUNK; 16 leaves most blocks without one at the densities of
** the filter's band (k/d up to a few percent). */
enum { TOPK_BLOCK = 16 };

static size_t topk_align(size_t bytes) { return (bytes + 63) / 64 * 64; }

/* Keys of scratch for tpc_topk_kth_key: a quarter of the band's capacity
** (a bucket worth copying is small), and at least the largest sample's. */
static size_t topk_scratch_cap(size_t d) {
  size_t q = (topk_band_cap(d) + TPC_TOPK_SLACK) / 4;
  return q > TPC_TOPK_SAMPLE_MAX ? q : TPC_TOPK_SAMPLE_MAX;
}

size_t tpc_topk_band_bytes(size_t d, size_t k, size_t key_size) {
  size_t cap = topk_band_cap(d) + TPC_TOPK_SLACK;
  return topk_align((k + TPC_TOPK_SLACK) * sizeof(uint32_t)) +
         topk_align(cap * sizeof(uint32_t)) + topk_align(cap * key_size) +
         topk_align(topk_scratch_cap(d) * key_size);
}

/* Unconditional steps per group of 64 elements in tpc_topk_emit_*: the
** expected number of candidates (about 64 k/d) plus half a standard
** deviation, rounded up to a power of two, so that fewer than a third of
** the groups branch and the steps rarely run idle. */
static unsigned topk_unroll(size_t d, size_t k) {
  double mean = 64.0 * (double)k / (double)d, want = mean + 0.5 * sqrt(mean);
  unsigned u = 1;
  while (u < 64 && (double)u < want) u *= 2;
  return u;
}

void tpc_topk_band_layout(tpc_topk_band *b, void *work, size_t d, size_t k,
                          size_t key_size) {
  size_t cap = topk_band_cap(d);
  unsigned char *p = work;
  b->sure = (uint32_t *)(void *)p;
  p += topk_align((k + TPC_TOPK_SLACK) * sizeof(uint32_t));
  b->idx = (uint32_t *)(void *)p;
  p += topk_align((cap + TPC_TOPK_SLACK) * sizeof(uint32_t));
  b->key = p;
  p += topk_align((cap + TPC_TOPK_SLACK) * key_size);
  b->scratch = p;
  b->scratch_cap = topk_scratch_cap(d);
  b->nsure = b->n = 0;
  b->sure_cap = k;
  b->cap = cap;
  b->lo = b->hi = 0;
  b->unroll = topk_unroll(d, k);
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/topk_common_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/topk_common_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64
