/*
** AVX-512 kernels of TopK (comp/topk_kern.h): the band pass of the filter
** and the maxbound implementation, and maxbound's gather; compiled with
** -mavx512f -mavx512vl -mavx512bw -mavx512dq and called only when
** tpc_cpu_supports(TPC_ISA_AVX512).  Per group of 64 elements (4 vectors of
** floats, 8 of doubles): the keys are the loaded bits with the sign
** cleared, one unsigned compare per vector with lo gives the candidate
** lanes, the masks are packed into one 64-bit word (kunpck), and
** tpc_topk_emit_* classifies its few set bits.  Vector compress (the
** textbook way to write the selected lanes) is avoided: its register form
** costs several cycles per vector on AMD Zen 4, and the memory form is
** microcoded there.
*/
#include <immintrin.h>

#include "comp/topk_kern.h"

/* Candidate lanes (key >= lo) of 16 floats / 8 doubles at p. */
static inline __mmask16 band512_cand_f32(const float *p, __m512i lo) {
  __m512i key = _mm512_and_si512(_mm512_loadu_si512(p), _mm512_set1_epi32(0x7fffffff));
  return _mm512_cmpge_epu32_mask(key, lo);
}

static inline __mmask8 band512_cand_f64(const double *p, __m512i lo) {
  __m512i key = _mm512_and_si512(_mm512_loadu_si512(p),
                                 _mm512_set1_epi64(0x7fffffffffffffffLL));
  return _mm512_cmpge_epu64_mask(key, lo);
}

static inline uint64_t band512_group_f32(const float *p, __m512i lo) {
  __mmask32 c01 = _mm512_kunpackw(band512_cand_f32(p + 16, lo), band512_cand_f32(p, lo));
  __mmask32 c23 = _mm512_kunpackw(band512_cand_f32(p + 48, lo),
                                  band512_cand_f32(p + 32, lo));
  return _mm512_kunpackd(c23, c01);
}

static inline uint64_t band512_group_f64(const double *p, __m512i lo) {
  __mmask16 c[4];
  for (int j = 0; j < 4; j++)
    c[j] = _mm512_kunpackb(band512_cand_f64(p + 16 * j + 8, lo),
                           band512_cand_f64(p + 16 * j, lo));
  return _mm512_kunpackd(_mm512_kunpackw(c[3], c[2]), _mm512_kunpackw(c[1], c[0]));
}


#define SET1_32(v) _mm512_set1_epi32((int)(v))
#define SET1_64(v) _mm512_set1_epi64((long long)(v))
TPC_TOPK_BAND_RUN(band512_run_f32, f32, float, uint32_t, __m512i, SET1_32, band512_group_f32)
TPC_TOPK_BAND_RUN(band512_run_f64, f64, double, uint64_t, __m512i, SET1_64, band512_group_f64)

int tpc_topk_band_avx512_f32(const float *x, size_t d, uint32_t lo,
                             uint32_t hi, tpc_topk_band *b) {
  TPC_TOPK_UNROLL_SWITCH(b->unroll, band512_run_f32(x, d, lo, hi, b, U));
}

int tpc_topk_band_avx512_f64(const double *x, size_t d, uint64_t lo,
                             uint64_t hi, tpc_topk_band *b) {
  TPC_TOPK_UNROLL_SWITCH(b->unroll, band512_run_f64(x, d, lo, hi, b, U));
}

/* The block maxima and the lane bound are the AVX2 kernels'
** (topk_filter_avx2.c), run on this path too: no 512-bit versions are
** written, so the AVX-512 path differs from the AVX2 one in the gather
** only (the bound works on rows of eight maxima either way). */
uint32_t tpc_topk_lanebound_avx512(const uint32_t *m, size_t nrow, size_t k) {
  return tpc_topk_lanebound_avx2(m, nrow, k);
}

void tpc_topk_blockmax_avx512_f32(const float *x, size_t nb, uint32_t *m) {
  tpc_topk_blockmax_avx2_f32(x, nb, m);
}

void tpc_topk_blockmax_avx512_f64(const double *x, size_t nb, uint32_t *m) {
  tpc_topk_blockmax_avx2_f64(x, nb, m);
}

size_t tpc_topk_gather_avx512_f32(const float *x, const uint32_t *m, size_t nb, uint32_t t,
                                  uint32_t *blk, uint32_t lo, uint32_t *idx, uint32_t *key,
                                  size_t n, size_t cap) {
  const __m512i vlo = SET1_32(lo);
  size_t nblk = tpc_topk_blocklist_avx2(m, nb, t, blk);
  for (size_t b = 0; b < nblk && n <= cap; b++) {
    size_t base = (size_t)blk[b] * 16;
    unsigned mask = band512_cand_f32(x + base, vlo);
    TPC_TOPK_GATHER_EMIT(f32);
  }
  return n;
}

size_t tpc_topk_gather_avx512_f64(const double *x, const uint32_t *m, size_t nb, uint32_t t,
                                  uint32_t *blk, uint64_t lo, uint32_t *idx, uint64_t *key,
                                  size_t n, size_t cap) {
  const __m512i vlo = SET1_64(lo);
  size_t nblk = tpc_topk_blocklist_avx2(m, nb, t, blk);
  for (size_t b = 0; b < nblk && n <= cap; b++) {
    size_t base = (size_t)blk[b] * 16;
    unsigned mask = (unsigned)band512_cand_f64(x + base, vlo) |
                    (unsigned)band512_cand_f64(x + base + 8, vlo) << 8;
    TPC_TOPK_GATHER_EMIT(f64);
  }
  return n;
}
