/*
** AVX2 kernels of TopK (comp/topk_kern.h): the band pass of the filter and
** the maxbound implementation, and maxbound's block maxima and gather;
** compiled with -mavx2 -mfma -mbmi2 and called only when tpc_cpu_supports(TPC_ISA_AVX2).
** Per group of 64 elements (8 vectors of floats, 16 of doubles): the keys
** are the loaded bits with the sign cleared, one compare per vector gives
** the candidate lanes (key >= lo), movemask packs them into one 64-bit
** word, and tpc_topk_emit_* classifies its few set bits.  Keys are at most
** 2^31 - 1 (2^63 - 1), so AVX2's signed compares order them correctly;
** key >= lo is key > lo - 1.
*/
#include <immintrin.h>

#include "comp/topk_kern.h"

static inline uint64_t band256_group_f32(const float *p, __m256i lo1) {
  const __m256i abs = _mm256_set1_epi32(0x7fffffff);
  uint64_t word = 0;
#pragma GCC unroll 8 /* left a loop with a variable shift at -O2 */
  for (int j = 0; j < 8; j++) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + 8 * j));
    __m256i c = _mm256_cmpgt_epi32(_mm256_and_si256(v, abs), lo1);
    word |= (uint64_t)(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(c)) << (8 * j);
  }
  return word;
}

static inline uint64_t band256_group_f64(const double *p, __m256i lo1) {
  const __m256i abs = _mm256_set1_epi64x(0x7fffffffffffffffLL);
  uint64_t word = 0;
#pragma GCC unroll 16
  for (int j = 0; j < 16; j++) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + 4 * j));
    __m256i c = _mm256_cmpgt_epi64(_mm256_and_si256(v, abs), lo1);
    word |= (uint64_t)(unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(c)) << (4 * j);
  }
  return word;
}


/* lo - 1 (wrapping to -1 for lo = 0, below every key) in every lane. */
#define LO1_32(v) _mm256_set1_epi32((int)(v) - 1)
#define LO1_64(v) _mm256_set1_epi64x((long long)(v) - 1)
TPC_TOPK_BAND_RUN(band256_run_f32, f32, float, uint32_t, __m256i, LO1_32, band256_group_f32)
TPC_TOPK_BAND_RUN(band256_run_f64, f64, double, uint64_t, __m256i, LO1_64, band256_group_f64)

int tpc_topk_band_avx2_f32(const float *x, size_t d, uint32_t lo, uint32_t hi,
                           tpc_topk_band *b) {
  TPC_TOPK_UNROLL_SWITCH(b->unroll, band256_run_f32(x, d, lo, hi, b, U));
}

int tpc_topk_band_avx2_f64(const double *x, size_t d, uint64_t lo,
                           uint64_t hi, tpc_topk_band *b) {
  TPC_TOPK_UNROLL_SWITCH(b->unroll, band256_run_f64(x, d, lo, hi, b, U));
}

/* Block maxima, eight (float) or four (double) blocks of 16 at a time: per
** block the vertical maximum of its vectors, then the blocks' lane maxima
** folded into one vector of block maxima by unpack / permute and maximum
** steps; a last few blocks one at a time, folded alone.  The float keys
** compare as unsigned integers, the double ones as the non-negative doubles
** they are (AVX2 has no 64-bit integer maximum; for finite values the order
** is the same and equal keys are equal bits), whose upper halves are the
** 32-bit keys.  Were subnormals read as zero (DAZ), a block's maximum could
** come out below its largest key, which lowers the bound and adds
** candidates but never drops a kept element. */
static inline __m256i blockmax256_lanes_f32(const float *p) {
  const __m256i abs = _mm256_set1_epi32(0x7fffffff);
  const __m256i *v = (const __m256i *)(const void *)p;
  return _mm256_max_epu32(_mm256_and_si256(_mm256_loadu_si256(v), abs),
                          _mm256_and_si256(_mm256_loadu_si256(v + 1), abs));
}

static inline __m256d blockmax256_lanes_f64(const double *p) {
  const __m256d abs = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
  __m256d a0 = _mm256_and_pd(_mm256_loadu_pd(p), abs);
  __m256d a1 = _mm256_and_pd(_mm256_loadu_pd(p + 4), abs);
  __m256d a2 = _mm256_and_pd(_mm256_loadu_pd(p + 8), abs);
  __m256d a3 = _mm256_and_pd(_mm256_loadu_pd(p + 12), abs);
  return _mm256_max_pd(_mm256_max_pd(a0, a1), _mm256_max_pd(a2, a3));
}

void tpc_topk_blockmax_avx2_f32(const float *x, size_t nb, uint32_t *m) {
  size_t b = 0;
  for (; b + 8 <= nb; b += 8) {
    const float *p = x + 16 * b;
    __m256i v0 = blockmax256_lanes_f32(p), v1 = blockmax256_lanes_f32(p + 16);
    __m256i v2 = blockmax256_lanes_f32(p + 32), v3 = blockmax256_lanes_f32(p + 48);
    __m256i v4 = blockmax256_lanes_f32(p + 64), v5 = blockmax256_lanes_f32(p + 80);
    __m256i v6 = blockmax256_lanes_f32(p + 96), v7 = blockmax256_lanes_f32(p + 112);
    __m256i a = _mm256_max_epu32(_mm256_unpacklo_epi32(v0, v1), _mm256_unpackhi_epi32(v0, v1));
    __m256i c = _mm256_max_epu32(_mm256_unpacklo_epi32(v2, v3), _mm256_unpackhi_epi32(v2, v3));
    __m256i e = _mm256_max_epu32(_mm256_unpacklo_epi32(v4, v5), _mm256_unpackhi_epi32(v4, v5));
    __m256i g = _mm256_max_epu32(_mm256_unpacklo_epi32(v6, v7), _mm256_unpackhi_epi32(v6, v7));
    __m256i ac = _mm256_max_epu32(_mm256_unpacklo_epi64(a, c), _mm256_unpackhi_epi64(a, c));
    __m256i eg = _mm256_max_epu32(_mm256_unpacklo_epi64(e, g), _mm256_unpackhi_epi64(e, g));
    __m256i r = _mm256_max_epu32(_mm256_permute2x128_si256(ac, eg, 0x20),
                                 _mm256_permute2x128_si256(ac, eg, 0x31));
    _mm256_storeu_si256((__m256i *)(void *)(m + b), r);
  }
  for (; b < nb; b++) {
    __m256i v = blockmax256_lanes_f32(x + 16 * b);
    __m128i h = _mm_max_epu32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    h = _mm_max_epu32(h, _mm_shuffle_epi32(h, 0x4e));
    h = _mm_max_epu32(h, _mm_shuffle_epi32(h, 0xb1));
    m[b] = (uint32_t)_mm_cvtsi128_si32(h);
  }
}

void tpc_topk_blockmax_avx2_f64(const double *x, size_t nb, uint32_t *m) {
  const __m256i odd = _mm256_setr_epi32(1, 3, 5, 7, 1, 3, 5, 7);
  size_t b = 0;
  for (; b + 4 <= nb; b += 4) {
    const double *p = x + 16 * b;
    __m256d v0 = blockmax256_lanes_f64(p), v1 = blockmax256_lanes_f64(p + 16);
    __m256d v2 = blockmax256_lanes_f64(p + 32), v3 = blockmax256_lanes_f64(p + 48);
    __m256d t0 = _mm256_max_pd(_mm256_unpacklo_pd(v0, v1), _mm256_unpackhi_pd(v0, v1));
    __m256d t1 = _mm256_max_pd(_mm256_unpacklo_pd(v2, v3), _mm256_unpackhi_pd(v2, v3));
    __m256d r = _mm256_max_pd(_mm256_permute2f128_pd(t0, t1, 0x20),
                              _mm256_permute2f128_pd(t0, t1, 0x31));
    __m256i hi = _mm256_permutevar8x32_epi32(_mm256_castpd_si256(r), odd);
    _mm_storeu_si128((__m128i *)(void *)(m + b), _mm256_castsi256_si128(hi));
  }
  for (; b < nb; b++) {
    __m256d v = blockmax256_lanes_f64(x + 16 * b);
    __m128d h = _mm_max_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    h = _mm_max_pd(h, _mm_unpackhi_pd(h, h));
    m[b] = (uint32_t)_mm_extract_epi32(_mm_castpd_si128(h), 1);
  }
}

/* The k-th largest of the lanes' r largest block maxima (topk_maxbound.c),
** r a constant in each inlined copy: the compare-exchange network down the
** rows with 32-bit maxima and minima, then for each of the 8 r values the
** count of values above it, one compare per vector. */
static inline __attribute__((always_inline)) uint32_t lanebound256(const uint32_t *m,
                                                                   size_t nrow, size_t k,
                                                                   const size_t r) {
  __m256i top[TPC_TOPK_MB_TOP], above[TPC_TOPK_MB_TOP];
#pragma GCC unroll 8 /* keeps top[] and above[] in registers */
  for (size_t s = 0; s < r; s++) top[s] = above[s] = _mm256_setzero_si256();
  for (size_t row = 0; row < nrow; row++) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(m + 8 * row));
#pragma GCC unroll 8
    for (size_t s = 0; s < r; s++) {
      __m256i hi = _mm256_max_epi32(top[s], v);
      v = _mm256_min_epi32(top[s], v);
      top[s] = hi;
    }
  }
  for (size_t j = 0; j < r; j++) {
    uint32_t q[8];
    _mm256_storeu_si256((__m256i *)(void *)q, top[j]);
    for (size_t l = 0; l < 8; l++) {
      __m256i v = _mm256_set1_epi32((int)q[l]);
#pragma GCC unroll 8
      for (size_t s = 0; s < r; s++)
        above[s] = _mm256_sub_epi32(above[s], _mm256_cmpgt_epi32(v, top[s]));
    }
  }
  const __m256i kv = _mm256_set1_epi32((int)k), none = _mm256_set1_epi32(INT32_MAX);
  __m256i least = none;
#pragma GCC unroll 8
  for (size_t s = 0; s < r; s++)
    least = _mm256_min_epi32(least, _mm256_blendv_epi8(none, top[s],
                                                       _mm256_cmpgt_epi32(kv, above[s])));
  __m128i h = _mm_min_epi32(_mm256_castsi256_si128(least), _mm256_extracti128_si256(least, 1));
  h = _mm_min_epi32(h, _mm_shuffle_epi32(h, 0x4e));
  h = _mm_min_epi32(h, _mm_shuffle_epi32(h, 0xb1));
  return (uint32_t)_mm_cvtsi128_si32(h);
}

uint32_t tpc_topk_lanebound_avx2(const uint32_t *m, size_t nrow, size_t k) {
  switch ((k + 3) / 4) {
    case 1: return lanebound256(m, nrow, k, 1);
    case 2: return lanebound256(m, nrow, k, 2);
    case 3: return lanebound256(m, nrow, k, 3);
    case 4: return lanebound256(m, nrow, k, 4);
    case 5: return lanebound256(m, nrow, k, 5);
    case 6: return lanebound256(m, nrow, k, 6);
    case 7: return lanebound256(m, nrow, k, 7);
    default: return lanebound256(m, nrow, k, 8);
  }
}

/* The blocks b < nb with m[b] >= t into blk, increasing: one compare per
** eight maxima, the set bits of the masks listed by a loop that branches
** once per listed block and once at its end (not once per block).  Also the
** AVX-512 gather's list. */
size_t tpc_topk_blocklist_avx2(const uint32_t *m, size_t nb, uint32_t t, uint32_t *blk) {
  const __m256i t1 = LO1_32(t);
  size_t n = 0;
  for (size_t g = 0; g < nb; g += 64) {
    uint64_t word = 0;
    size_t rows = nb - g < 64 ? (nb - g + 7) / 8 : 8;
    for (size_t r = 0; r < rows; r++) {
      __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(m + g + 8 * r));
      word |= (uint64_t)(unsigned)_mm256_movemask_ps(
                  _mm256_castsi256_ps(_mm256_cmpgt_epi32(v, t1))) << (8 * r);
    }
    if (nb - g < 64) word &= ((uint64_t)1 << (nb - g)) - 1;
    for (; word != 0; word &= word - 1) blk[n++] = (uint32_t)(g + (size_t)__builtin_ctzll(word));
  }
  return n;
}

size_t tpc_topk_gather_avx2_f32(const float *x, const uint32_t *m, size_t nb, uint32_t t,
                                uint32_t *blk, uint32_t lo, uint32_t *idx, uint32_t *key,
                                size_t n, size_t cap) {
  const __m256i abs = _mm256_set1_epi32(0x7fffffff), lo1 = LO1_32(lo);
  size_t nblk = tpc_topk_blocklist_avx2(m, nb, t, blk);
  for (size_t b = 0; b < nblk && n <= cap; b++) {
    size_t base = (size_t)blk[b] * 16;
    const __m256i *p = (const __m256i *)(const void *)(x + base);
    __m256i c0 = _mm256_cmpgt_epi32(_mm256_and_si256(_mm256_loadu_si256(p), abs), lo1);
    __m256i c1 = _mm256_cmpgt_epi32(_mm256_and_si256(_mm256_loadu_si256(p + 1), abs), lo1);
    unsigned mask = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(c0)) |
                    (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(c1)) << 8;
    TPC_TOPK_GATHER_EMIT(f32);
  }
  return n;
}

size_t tpc_topk_gather_avx2_f64(const double *x, const uint32_t *m, size_t nb, uint32_t t,
                                uint32_t *blk, uint64_t lo, uint32_t *idx, uint64_t *key,
                                size_t n, size_t cap) {
  const __m256i abs = _mm256_set1_epi64x(0x7fffffffffffffffLL), lo1 = LO1_64(lo);
  size_t nblk = tpc_topk_blocklist_avx2(m, nb, t, blk);
  for (size_t b = 0; b < nblk && n <= cap; b++) {
    size_t base = (size_t)blk[b] * 16;
    const __m256i *p = (const __m256i *)(const void *)(x + base);
    unsigned mask = 0;
    for (int j = 0; j < 4; j++) {
      __m256i c = _mm256_cmpgt_epi64(_mm256_and_si256(_mm256_loadu_si256(p + j), abs), lo1);
      mask |= (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(c)) << (4 * j);
    }
    TPC_TOPK_GATHER_EMIT(f64);
  }
  return n;
}

/* The dense output of TopK (tpc_topk_dense_avx2_*, comp/topk_kern.h) in
** one sequential pass over out, a vector at a time, with streaming stores
** (after a scalar head up to out's 32-byte boundary): zeros, or x's vector
** masked to its kept lanes where idx (increasing) lists some, their values
** recorded in val on the way and their lines of x fetched 32 indices
** ahead.  So out is written once, never read for ownership, where memset
** and k scattered stores would read the kept lines back from memory. */
#define DENSE_SCALAR(BASE_)                                                    \
  static size_t dense_scalar_##BASE_(const BASE_ *x, size_t from, size_t to,    \
                                     const uint32_t *idx, size_t j, size_t k,   \
                                     BASE_ *out, BASE_ *val) {                  \
    for (size_t i = from; i < to; i++) {                                        \
      out[i] = 0;                                                               \
      if (j < k && idx[j] == i) val[j++] = out[i] = x[i];                       \
    }                                                                           \
    return j;                                                                   \
  }
DENSE_SCALAR(float)
DENSE_SCALAR(double)
#undef DENSE_SCALAR

/* Bit l set for each idx[*j..] = i + l below i + L, their values recorded
** in val; advances *j past them. */
#define DENSE_LANES(BASE_, L)                                                    \
  static inline unsigned dense_lanes_##BASE_(const BASE_ *x, size_t i,           \
                                             const uint32_t *idx, size_t *j,      \
                                             size_t k, BASE_ *val) {              \
    unsigned bits = 0;                                                            \
    for (; *j < k && idx[*j] < i + L; (*j)++) {                                   \
      bits |= 1u << (idx[*j] - i);                                                \
      val[*j] = x[idx[*j]];                                                       \
      __builtin_prefetch(x + idx[*j + 32 < k ? *j + 32 : *j]);                    \
    }                                                                             \
    return bits;                                                                  \
  }
DENSE_LANES(float, 8)
DENSE_LANES(double, 4)
#undef DENSE_LANES

void tpc_topk_dense_avx2_f32(const float *x, size_t d, const uint32_t *idx, size_t k,
                             float *out, float *val) {
  const __m256i lane = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  size_t head = (32 - ((uintptr_t)out & 31)) / 4 % 8, i = head < d ? head : d;
  size_t j = dense_scalar_float(x, 0, i, idx, 0, k, out, val);
  for (; i + 8 <= d; i += 8) {
    __m256 v = _mm256_setzero_ps();
    if (j < k && idx[j] < i + 8) {
      __m256i bits = _mm256_set1_epi32((int)dense_lanes_float(x, i, idx, &j, k, val));
      __m256i keep = _mm256_cmpeq_epi32(_mm256_and_si256(bits, lane), lane);
      v = _mm256_and_ps(_mm256_loadu_ps(x + i), _mm256_castsi256_ps(keep));
    }
    _mm256_stream_ps(out + i, v);
  }
  dense_scalar_float(x, i, d, idx, j, k, out, val);
  _mm_sfence();
}

void tpc_topk_dense_avx2_f64(const double *x, size_t d, const uint32_t *idx, size_t k,
                             double *out, double *val) {
  const __m256i lane = _mm256_setr_epi64x(1, 2, 4, 8);
  size_t head = (32 - ((uintptr_t)out & 31)) / 8 % 4, i = head < d ? head : d;
  size_t j = dense_scalar_double(x, 0, i, idx, 0, k, out, val);
  for (; i + 4 <= d; i += 4) {
    __m256d v = _mm256_setzero_pd();
    if (j < k && idx[j] < i + 4) {
      __m256i bits = _mm256_set1_epi64x((long long)dense_lanes_double(x, i, idx, &j, k, val));
      __m256i keep = _mm256_cmpeq_epi64(_mm256_and_si256(bits, lane), lane);
      v = _mm256_and_pd(_mm256_loadu_pd(x + i), _mm256_castsi256_pd(keep));
    }
    _mm256_stream_pd(out + i, v);
  }
  dense_scalar_double(x, i, d, idx, j, k, out, val);
  _mm_sfence();
}
