/*
** AVX2 kernels of dithering (comp/dither.c), float input: the portable
** rule on 8 coordinates at once, bit for bit the same levels and out from
** the same words of the lanes, chunk by chunk (and one word of the stream
** per tie in coordinate order: dither.c).  The two halves of 8 floats are
** widened to doubles for v = min(|x| inv16, s16); below s = 2^15, q =
** floor(v) < 2^31 is the truncating conversion to 32 bits; above, AVX2 has
** no conversion of doubles to 64-bit integers, so q is read off the bits of
** floor(v) + 2^52 (exact: 0 <= v < 2^47), and the low 32 bits of the four
** 64-bit lanes of each half gathered into 8 lanes: floor(r) = q >> 16 and
** F = q mod 2^16, compared with the 8 random quarters (lane i is quarter
** i % 4 of word i / 4 on this little-endian machine).  Streaming stores
** for out and the levels when asked.  Also the sum of squares in
** dither.c's order.  The double kernel takes 4 coordinates (one word of
** quarters) at a time, v = min(|x| pre inv16, s16) as dither_source.c
** multiplies, the levels narrowed to 32 bits for the store.  Compiled with
** the AVX2 flags, called only where tpc_cpu_supports(TPC_ISA_AVX2).
*/
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

#include "comp/kernels.h"
#include "comp/stream_avx2.h"
#include "rng/lanes.h"

typedef struct {
  __m256d inv16, s16;
  __m256 scale;
  gsl_rng *r;
  int wide; /* s >= 2^15: floor(v) may exceed 31 bits */
} dith_par;

/* floor(v) of 4 values 0 <= v < 2^47 as 64-bit lanes, through the bits of
** the integer plus 2^52. */
static inline __m256i dith_floor(__m256d v) {
  const __m256d magic = _mm256_set1_pd(0x1p52);
  __m256d fl = _mm256_add_pd(_mm256_floor_pd(v), magic);
  return _mm256_sub_epi64(_mm256_castpd_si256(fl), _mm256_castpd_si256(magic));
}

/* v = min(a inv16, s16) of 4 float magnitudes. */
static inline __m256d dith_v(__m128 a, const dith_par *p) {
  return _mm256_min_pd(_mm256_mul_pd(_mm256_cvtps_pd(a), p->inv16), p->s16);
}

/* The low 32 bits of the 64-bit lanes of a, then of b, in order. */
static inline __m256i dith_low32(__m256i a, __m256i b) {
  __m256 t = _mm256_shuffle_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), 0x88);
  return _mm256_permute4x64_epi64(_mm256_castps_si256(t), 0xd8);
}

/* The lanes of `tie` (u = F, bit j for lane j) decided by one more word
** each, in order, v recomputed as the vectors did (same operations, same
** bits); the new up lanes. */
static __m256i dith_ties(unsigned tie, __m256i up, const float *x, const dith_par *p) {
  double inv16 = _mm256_cvtsd_f64(p->inv16), s16 = _mm256_cvtsd_f64(p->s16);
  uint32_t uv[8];
  _mm256_storeu_si256((__m256i *)(void *)uv, up);
  for (unsigned m = tie; m != 0; m &= m - 1) {
    unsigned j = (unsigned)__builtin_ctz(m);
    double v = (double)fabsf(x[j]) * inv16;
    v = v < s16 ? v : s16;
    if (tpc_dither_tie(p->r, v - (double)(int64_t)v)) uv[j] = ~0u;
  }
  return _mm256_loadu_si256((const __m256i *)(const void *)uv);
}

/* 8 coordinates v (those in `live`, all-ones lanes, read from x; the
** others zero) and their random quarters at w16: levels and out values;
** ties (only live lanes have them) read x again. */
static inline void dith_8(const float *x, __m256 v, const uint16_t *w16, __m256i live,
                          const dith_par *p, __m256i *lev, __m256i *val) {
  const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  __m256 a = _mm256_and_ps(v, absmask);
  __m256d v0 = dith_v(_mm256_castps256_ps128(a), p), v1 = dith_v(_mm256_extractf128_ps(a, 1), p);
  __m256i fl, f;
  if (p->wide) {
    __m256i q0 = dith_floor(v0), q1 = dith_floor(v1);
    fl = dith_low32(_mm256_srli_epi64(q0, 16), _mm256_srli_epi64(q1, 16));
    f = _mm256_and_si256(dith_low32(q0, q1), _mm256_set1_epi32(0xffff));
  } else { /* q < 2^31: the truncating conversion is the floor (v >= 0) */
    __m256i q = _mm256_set_m128i(_mm256_cvttpd_epi32(v1), _mm256_cvttpd_epi32(v0));
    fl = _mm256_srli_epi32(q, 16);
    f = _mm256_and_si256(q, _mm256_set1_epi32(0xffff));
  }
  __m256i u = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)w16));
  __m256i up = _mm256_cmpgt_epi32(f, u);
  __m256i tie = _mm256_and_si256(live, _mm256_cmpeq_epi32(u, f));
  unsigned tmask = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(tie));
  if (tmask != 0) up = dith_ties(tmask, up, x, p);
  fl = _mm256_sub_epi32(fl, up);
  __m256i neg = _mm256_castps_si256(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
  *lev = _mm256_sub_epi32(_mm256_xor_si256(fl, neg), neg);
  *val = _mm256_castps_si256(_mm256_mul_ps(p->scale, _mm256_cvtepi32_ps(*lev)));
}

/* The n < 8 coordinates [i, i + n), through masked loads and stores. */
static void dith_part(const float *x, const uint16_t *w16, size_t i, size_t n,
                      const dith_par *p, float *out, int32_t *level) {
  __m256i m = tpc_mask8(n), lev, val;
  dith_8(x + i, _mm256_maskload_ps(x + i, m), w16 + i, m, p, &lev, &val);
  tpc_store2_mask_avx2(out + i, level + i, m, val, lev);
}

/* A chunk of n coordinates: masked head up to out's 32-byte boundary when
** streaming (level's stores are streamed too when it has the same offset),
** whole vectors, masked tail. */
static void dith_chunk(const float *x, const uint64_t *words, size_t n, const dith_par *p,
                       float *out, int32_t *level, int stream) {
  const uint16_t *w16 = (const uint16_t *)(const void *)words;
  const __m256i all = _mm256_set1_epi32(-1);
  __m256i lev, val;
  size_t i = 0;
  if (stream) {
    i = tpc_stream_head8(out, n);
    if (i > 0) dith_part(x, w16, 0, i, p, out, level);
  }
  int aligned = ((uintptr_t)(level + i) & 31) == 0;
  for (; i + 8 <= n; i += 8) {
    dith_8(x + i, _mm256_loadu_ps(x + i), w16 + i, all, p, &lev, &val);
    tpc_store2_avx2(out + i, level + i, val, lev, stream, aligned);
  }
  if (i < n) dith_part(x, w16, i, n - i, p, out, level);
}

void tpc_dither_f32_avx2(const float *x, size_t d, double inv16, double s16, float scale,
                         float *out, int32_t *level, tpc_rng_lanes *lanes, gsl_rng *r,
                         int stream) {
  dith_par p = {_mm256_set1_pd(inv16), _mm256_set1_pd(s16), _mm256_set1_ps(scale), r,
                !(s16 < 0x1p31)};
  /* two words of padding: the last vector of a chunk may read 8 quarters
  ** from where its head left it; zero, so that no lane reads an unset word */
  uint64_t words[TPC_RAND_CHUNK / 4 + 2] = {0};
  for (size_t i = 0; i < d; i += TPC_RAND_CHUNK) {
    size_t n = d - i < TPC_RAND_CHUNK ? d - i : TPC_RAND_CHUNK;
    tpc_rng_lanes_fill_avx2(lanes, words, tpc_rand_blocks(n));
    dith_chunk(x + i, words, n, &p, out + i, level + i, stream);
  }
  if (stream) _mm_sfence();
}

/* Coordinate i into lane i mod 32 of eight vectors of four, from the last
** to the first: the partial block at the end through masked loads (adding
** +0 leaves a partial sum as it is), then whole blocks; then dither.c's
** tree: lanes j, j + 8, j + 16, j + 24 are vectors k, k + 2, k + 4, k + 6. */
double tpc_dither_sumsq_f32_avx2(const float *x, size_t d) {
  __m256d acc[8];
  for (int k = 0; k < 8; k++) acc[k] = _mm256_setzero_pd();
  size_t i = d - d % 32;
  for (int k = 0; k < 8 && i + 4 * (size_t)k < d; k++) {
    size_t left = d - i - 4 * (size_t)k;
    __m128i m = _mm256_castsi256_si128(tpc_mask8(left >= 4 ? 4 : left));
    __m256d v = _mm256_cvtps_pd(_mm_maskload_ps(x + i + 4 * k, m));
    acc[k] = _mm256_add_pd(acc[k], _mm256_mul_pd(v, v));
  }
  for (; i >= 32; i -= 32)
    for (int k = 0; k < 8; k++) {
      __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(x + i - 32 + 4 * k));
      acc[k] = _mm256_add_pd(acc[k], _mm256_mul_pd(v, v));
    }
  __m256d t0 = _mm256_add_pd(_mm256_add_pd(acc[0], acc[2]), _mm256_add_pd(acc[4], acc[6]));
  __m256d t1 = _mm256_add_pd(_mm256_add_pd(acc[1], acc[3]), _mm256_add_pd(acc[5], acc[7]));
  __m256d u = _mm256_add_pd(t0, t1);
  __m128d h = _mm_add_pd(_mm256_castpd256_pd128(u), _mm256_extractf128_pd(u, 1));
  return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
}

/* ---- double ---------------------------------------------------------- */

typedef struct {
  __m256d pre, inv16, s16, scale;
  gsl_rng *r;
} dith_par4;

/* v = min(|x| pre inv16, s16) of 4 coordinates, multiplied in
** dither_source.c's order. */
static inline __m256d dith_v4(__m256d x, const dith_par4 *p) {
  __m256d a = _mm256_andnot_pd(_mm256_set1_pd(-0.0), x);
  return _mm256_min_pd(_mm256_mul_pd(_mm256_mul_pd(a, p->pre), p->inv16), p->s16);
}

/* The lanes of `tie` (bit j for lane j) decided by one more word each, in
** order; the new up lanes. */
static __m256i dith_ties4(unsigned tie, __m256i up, __m256d v, __m256i q, gsl_rng *r) {
  double vv[4];
  int64_t qv[4], uv[4];
  _mm256_storeu_pd(vv, v);
  _mm256_storeu_si256((__m256i *)(void *)qv, q);
  _mm256_storeu_si256((__m256i *)(void *)uv, up);
  for (unsigned m = tie; m != 0; m &= m - 1) {
    unsigned j = (unsigned)__builtin_ctz(m);
    uv[j] = tpc_dither_tie(r, vv[j] - (double)qv[j]) ? -1 : 0;
  }
  return _mm256_loadu_si256((const __m256i *)(const void *)uv);
}

/* 4 coordinates xv (those in `live`, all-ones 64-bit lanes; the others
** zero) and the word of their quarters: the 4 levels (32-bit) and out
** values. */
static inline void dith_4(__m256d xv, uint64_t word, __m256i live, const dith_par4 *p,
                          __m128i *lev, __m256d *val) {
  const __m256i low32 = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
  __m256d v = dith_v4(xv, p);
  __m256i q = dith_floor(v);
  __m256i f = _mm256_and_si256(q, _mm256_set1_epi64x(0xffff));
  __m256i u = _mm256_cvtepu16_epi64(_mm_cvtsi64_si128((long long)word));
  __m256i up = _mm256_cmpgt_epi64(f, u);
  __m256i tie = _mm256_and_si256(live, _mm256_cmpeq_epi64(u, f));
  unsigned tmask = (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(tie));
  if (tmask != 0) up = dith_ties4(tmask, up, v, q, p->r);
  __m256i fl = _mm256_sub_epi64(_mm256_srli_epi64(q, 16), up);
  __m256i neg = _mm256_castpd_si256(_mm256_cmp_pd(xv, _mm256_setzero_pd(), _CMP_LT_OQ));
  fl = _mm256_sub_epi64(_mm256_xor_si256(fl, neg), neg);
  *lev = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(fl, low32));
  *val = _mm256_mul_pd(p->scale, _mm256_cvtepi32_pd(*lev));
}

/* A chunk of n coordinates, 4 at a time, the last n % 4 through masked
** loads and stores; streaming stores when `stream` (out and level then
** aligned: tpc_dither_f64_avx2). */
static void dith_chunk4(const double *x, const uint64_t *words, size_t n, const dith_par4 *p,
                        double *out, int32_t *level, int stream) {
  const __m256i all = _mm256_set1_epi64x(-1);
  __m128i lev;
  __m256d val;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    dith_4(_mm256_loadu_pd(x + i), words[i / 4], all, p, &lev, &val);
    if (stream) {
      _mm256_stream_pd(out + i, val);
      _mm_stream_si128((__m128i *)(void *)(level + i), lev);
    } else {
      _mm256_storeu_pd(out + i, val);
      _mm_storeu_si128((__m128i *)(void *)(level + i), lev);
    }
  }
  if (i < n) {
    __m128i m32 = _mm256_castsi256_si128(tpc_mask8(n - i));
    __m256i m = _mm256_cvtepi32_epi64(m32);
    dith_4(_mm256_maskload_pd(x + i, m), words[i / 4], m, p, &lev, &val);
    _mm256_maskstore_pd(out + i, m, val);
    _mm_maskstore_epi32((int *)(void *)(level + i), m32, lev);
  }
}

void tpc_dither_f64_avx2(const double *x, size_t d, double pre, double inv16, double s16,
                         double scale, double *out, int32_t *level, tpc_rng_lanes *lanes,
                         gsl_rng *r, int stream) {
  dith_par4 p = {_mm256_set1_pd(pre), _mm256_set1_pd(inv16), _mm256_set1_pd(s16),
                 _mm256_set1_pd(scale), r};
  uint64_t words[TPC_RAND_CHUNK / 4];
  stream = stream && ((uintptr_t)out & 31) == 0 && ((uintptr_t)level & 15) == 0;
  for (size_t i = 0; i < d; i += TPC_RAND_CHUNK) {
    size_t n = d - i < TPC_RAND_CHUNK ? d - i : TPC_RAND_CHUNK;
    tpc_rng_lanes_fill_avx2(lanes, words, tpc_rand_blocks(n));
    dith_chunk4(x + i, words, n, &p, out + i, level + i, stream);
  }
  if (stream) _mm_sfence();
}
