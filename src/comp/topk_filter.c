/*
** TopK by a sampled-threshold filter (comp/topk_kern.h), one pass over x for
** most inputs.  A sample of whole cache lines spread evenly over x
** (deterministic: no random draws) estimates the magnitudes of rank k, with
** a margin of z = 3.5 binomial standard deviations either way: keys above
** the upper estimate are kept outright, keys between the two estimates form
** a band of a few tenths of a percent of d, from which tpc_topk_finish
** selects exactly.  When the
** estimate misses (the band pass reports too many kept or too many band
** entries, or the band does not hold the k-th largest) the result comes
** from radix selection instead, so the answer never depends on the sample.
**
** The band pass is the per-ISA kernel: the portable one (topk_common.c),
** AVX2 (topk_filter_avx2.c) and AVX-512 (topk_filter_avx512.c), each an
** implementation of its own here; tpc_topk_impl_find("filter") picks by
** tpc_cpu_isa().
*/
#include "comp/topk_kern.h"

#include <math.h>

/* Sample size: a sampled key costs less than a band entry (the sample is
** read by whole cache lines; a band entry is stored and selected among), and
** the band holds about 2 z sqrt(p/s) d entries for p = k/d: the sum is least
** near s = (8 d sqrt(p))^(2/3), taken within [1024, TPC_TOPK_SAMPLE_MAX]
** and at most d. */
static size_t filter_sample_size(size_t d, size_t k) {
  double p = (double)k / (double)d;
  double s = cbrt(8.0 * (double)d * sqrt(p));
  s *= s;
  if (s < 1024) s = 1024;
  if (s > TPC_TOPK_SAMPLE_MAX) s = TPC_TOPK_SAMPLE_MAX;
  return (size_t)s < d ? (size_t)s : d;
}

size_t tpc_topk_sample_lines(size_t d, size_t k, size_t esize) {
  size_t s = filter_sample_size(d, k);
  return s >= d ? 0 : s / (64 / esize);
}

size_t tpc_topk_sample_start(size_t d, size_t lines, size_t esize, size_t j) {
  size_t per = 64 / esize;
  return (2 * j + 1) * (d / per) / (2 * lines) * per;
}

/* Ranks (1-based, descending) in a sample of s of the band's bounds:
** r_hi <= mean - z sd and r_lo >= mean + z sd + 1 of the count of sampled
** keys above the k-th largest, mean = s k/d (binomial). */
static void filter_ranks(size_t d, size_t k, size_t s, long *r_hi, long *r_lo) {
  const double z = 3.5;
  double p = (double)k / (double)d, m = p * (double)s;
  double sd = sqrt(m * (1.0 - p));
  *r_hi = (long)floor(m - z * sd);
  *r_lo = (long)ceil(m + z * sd) + 1;
}

/* Bytes reserved for the sample (keys of up to 8 bytes) before the band. */
static size_t filter_sample_bytes(size_t d, size_t k) {
  return (filter_sample_size(d, k) * 8 + 63) / 64 * 64;
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/topk_filter_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/topk_filter_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

size_t tpc_topk_filter_work(size_t d, size_t k, size_t esize) {
  return filter_sample_bytes(d, k) + tpc_topk_band_bytes(d, k, esize);
}

#define FILTER_SELECT(isa)                                                   \
  static void filter_select_##isa##_f32(const float *x, size_t d, size_t k,  \
                                        uint32_t *idx, void *work) {         \
    filter_run_f32(x, d, k, idx, work, tpc_topk_band_##isa##_f32);           \
  }                                                                          \
  static void filter_select_##isa##_f64(const double *x, size_t d, size_t k, \
                                        uint32_t *idx, void *work) {         \
    filter_run_f64(x, d, k, idx, work, tpc_topk_band_##isa##_f64);           \
  }
FILTER_SELECT(portable)
FILTER_SELECT(avx2)
FILTER_SELECT(avx512)
#undef FILTER_SELECT

TPC_TOPK_IMPL_PATHS(filter);
