/*
** AVX2 kernels of natural compression (comp/natural.c), float input: the
** portable rule on 8 coordinates at once, bit for bit the same result from
** the same words of the lanes (coordinate i: the 16-bit quarter i % 4 of
** word i / 4, which is 16-bit element i of the words on this little-endian
** machine; ties draw one more word each from the stream, in order, as in
** natural_source.c).  Subnormal lanes are rounded as the float of their
** integer bits and converted back, as in natural_source.c, and blended in.
** The same steps as natural_avx512.c with AVX2's vector masks: the
** magnitudes are below 2^31, so the signed compares of AVX2 order them as
** the unsigned ones of AVX-512 do.  The double kernel does the same on 4
** lanes of 64 bits, whose quarters are exactly one word; AVX2 has no
** conversion between doubles and 64-bit integers, so a subnormal's integer
** a < 2^52 becomes a double as (2^52 + a) - 2^52 on the bits, and the
** rounded power of two q <= 2^52 an integer as the bits of q + 2^52 less
** those of 2^52, both exact.  Compiled with the AVX2 flags, called only
** where tpc_cpu_supports(TPC_ISA_AVX2).
*/
#include <immintrin.h>
#include <stdint.h>

#include "comp/kernels.h"
#include "comp/stream_avx2.h"
#include "rng/lanes.h"

/* The lanes of `tie` (u = F, bit j for lane j) decided by one more word
** each, in order: the top 7 bits against the low 7 bits of f. */
static __m256i nat_ties(unsigned tie, __m256i up, __m256i f, gsl_rng *r) {
  uint32_t fv[8], uv[8];
  _mm256_storeu_si256((__m256i *)(void *)fv, f);
  _mm256_storeu_si256((__m256i *)(void *)uv, up);
  for (unsigned m = tie; m != 0; m &= m - 1) {
    unsigned j = (unsigned)__builtin_ctz(m);
    uv[j] = (tpc_natural_tie_word(r) >> 57) < (fv[j] & 127) ? ~0u : 0;
  }
  return _mm256_loadu_si256((const __m256i *)(const void *)uv);
}

/* 8 coordinates: x's bits v, their 8 random 16-bit quarters u (as 32-bit
** lanes); only the lanes in `live` (all-ones lanes) may draw for a tie. */
static inline __m256i nat_round8(__m256i v, __m256i u, __m256i live, gsl_rng *r) {
  const __m256i absmask = _mm256_set1_epi32(0x7fffffff), frac = _mm256_set1_epi32(0x7fffff);
  const __m256i expo = _mm256_set1_epi32(0x7f800000), unit = _mm256_set1_epi32(1 << 23);
  __m256i a = _mm256_and_si256(v, absmask);
  __m256i sub = _mm256_cmpgt_epi32(unit, a);
  __m256i y = _mm256_blendv_epi8(a, _mm256_castps_si256(_mm256_cvtepi32_ps(a)), sub);
  __m256i f = _mm256_and_si256(y, frac), top = _mm256_srli_epi32(f, 7);
  __m256i up = _mm256_cmpgt_epi32(top, u);
  __m256i tie = _mm256_and_si256(live, _mm256_cmpeq_epi32(u, top));
  unsigned tmask = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(tie));
  if (tmask != 0) up = nat_ties(tmask, up, f, r);
  up = _mm256_and_si256(up, _mm256_cmpgt_epi32(_mm256_set1_epi32(254 << 23), y));
  __m256i q = _mm256_and_si256(y, expo);
  q = _mm256_add_epi32(q, _mm256_and_si256(up, unit));
  q = _mm256_blendv_epi8(q, _mm256_cvttps_epi32(_mm256_castsi256_ps(q)), sub);
  return _mm256_or_si256(q, _mm256_andnot_si256(absmask, v));
}

/* The random quarters of coordinates [i, i + 8) of the chunk, as 32-bit
** lanes (the words are padded: nat_chunk). */
static inline __m256i nat_u8(const uint64_t *words, size_t i) {
  const uint16_t *w16 = (const uint16_t *)(const void *)words + i;
  return _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)w16));
}

/* The n < 8 coordinates [i, i + n), through masked loads and stores. */
static void nat_part(const float *x, const uint64_t *words, size_t i, size_t n, float *out,
                     float *val, gsl_rng *r) {
  __m256i m = tpc_mask8(n);
  __m256i v = _mm256_maskload_epi32((const int *)(const void *)(x + i), m);
  __m256i q = nat_round8(v, nat_u8(words, i), m, r);
  tpc_store2_mask_avx2(out + i, val + i, m, q, q);
}

/* n <= TPC_RAND_CHUNK coordinates from the chunk's words; when streaming,
** the head up to out's 32-byte boundary and the tail are masked, so that
** the streaming stores of out are aligned (val's are too when it has the
** same offset). */
static void nat_chunk(const float *x, const uint64_t *words, size_t n, float *out,
                      float *val, int stream, gsl_rng *r) {
  const __m256i all = _mm256_set1_epi32(-1);
  size_t i = 0;
  if (stream) {
    i = tpc_stream_head8(out, n);
    if (i > 0) nat_part(x, words, 0, i, out, val, r);
  }
  int aligned = ((uintptr_t)(val + i) & 31) == 0;
  for (; i + 8 <= n; i += 8) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(x + i));
    __m256i q = nat_round8(v, nat_u8(words, i), all, r);
    tpc_store2_avx2(out + i, val + i, q, q, stream, aligned);
  }
  if (i < n) nat_part(x, words, i, n - i, out, val, r);
}

void tpc_natural_f32_avx2(const float *x, size_t d, float *out, float *val,
                          tpc_rng_lanes *lanes, gsl_rng *r, int stream) {
  /* two words of padding: the last vector of a chunk may read 8 quarters
  ** from where its head left it; zero, so that no lane reads an unset word */
  uint64_t words[TPC_RAND_CHUNK / 4 + 2] = {0};
  for (size_t i = 0; i < d; i += TPC_RAND_CHUNK) {
    size_t n = d - i < TPC_RAND_CHUNK ? d - i : TPC_RAND_CHUNK;
    tpc_rng_lanes_fill_avx2(lanes, words, tpc_rand_blocks(n));
    nat_chunk(x + i, words, n, out + i, val + i, stream, r);
  }
  if (stream) _mm_sfence();
}

/* ---- double ---------------------------------------------------------- */

/* The lanes of `tie` (bit j for lane j) decided by one more word each, in
** order: the top 36 bits against the low 36 bits of f. */
static __m256i nat_ties4(unsigned tie, __m256i up, __m256i f, gsl_rng *r) {
  const uint64_t low = ((uint64_t)1 << 36) - 1;
  uint64_t fv[4], uv[4];
  _mm256_storeu_si256((__m256i *)(void *)fv, f);
  _mm256_storeu_si256((__m256i *)(void *)uv, up);
  for (unsigned m = tie; m != 0; m &= m - 1) {
    unsigned j = (unsigned)__builtin_ctz(m);
    uv[j] = (tpc_natural_tie_word(r) >> 28) < (fv[j] & low) ? ~(uint64_t)0 : 0;
  }
  return _mm256_loadu_si256((const __m256i *)(const void *)uv);
}

/* 4 coordinates: x's bits v and the word of their random quarters; only
** the lanes in `live` may draw for a tie. */
static inline __m256i nat_round4(__m256i v, uint64_t word, __m256i live, gsl_rng *r) {
  const __m256i absmask = _mm256_set1_epi64x(INT64_MAX);
  const __m256i frac = _mm256_set1_epi64x(((int64_t)1 << 52) - 1);
  const __m256i expo = _mm256_set1_epi64x((int64_t)0x7ff << 52);
  const __m256i unit = _mm256_set1_epi64x((int64_t)1 << 52);
  const __m256d two52 = _mm256_set1_pd(0x1p52);
  __m256i a = _mm256_and_si256(v, absmask);
  __m256i sub = _mm256_cmpgt_epi64(unit, a);
  __m256i big = _mm256_or_si256(a, _mm256_castpd_si256(two52)); /* 2^52 + a, a < 2^52 */
  __m256d fa = _mm256_sub_pd(_mm256_castsi256_pd(big), two52);
  __m256i y = _mm256_blendv_epi8(a, _mm256_castpd_si256(fa), sub);
  __m256i f = _mm256_and_si256(y, frac), top = _mm256_srli_epi64(f, 36);
  __m256i u = _mm256_cvtepu16_epi64(_mm_cvtsi64_si128((long long)word));
  __m256i up = _mm256_cmpgt_epi64(top, u);
  __m256i tie = _mm256_and_si256(live, _mm256_cmpeq_epi64(u, top));
  unsigned tmask = (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(tie));
  if (tmask != 0) up = nat_ties4(tmask, up, f, r);
  up = _mm256_and_si256(up, _mm256_cmpgt_epi64(_mm256_set1_epi64x((int64_t)2046 << 52), y));
  __m256i q = _mm256_and_si256(y, expo);
  q = _mm256_add_epi64(q, _mm256_and_si256(up, unit));
  __m256d qs = _mm256_add_pd(_mm256_castsi256_pd(q), two52);
  __m256i qi = _mm256_sub_epi64(_mm256_castpd_si256(qs), _mm256_castpd_si256(two52));
  q = _mm256_blendv_epi8(q, qi, sub);
  return _mm256_or_si256(q, _mm256_andnot_si256(absmask, v));
}

/* n <= TPC_RAND_CHUNK coordinates from the chunk's words, 4 (one word) at a
** time; the last n % 4 through masked loads and stores.  Streaming stores
** when `stream` and out and val are 32-byte aligned (their buffers are: the
** caller's and the workspace's), plain ones otherwise. */
static void nat_chunk4(const double *x, const uint64_t *words, size_t n, double *out,
                       double *val, int stream, gsl_rng *r) {
  const __m256i all = _mm256_set1_epi64x(-1);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(x + i));
    __m256i q = nat_round4(v, words[i / 4], all, r);
    tpc_store2_avx2(out + i, val + i, q, q, stream, 1);
  }
  if (i < n) {
    __m256i m = _mm256_cvtepi32_epi64(_mm256_castsi256_si128(tpc_mask8(n - i)));
    __m256i v = _mm256_maskload_epi64((const long long *)(const void *)(x + i), m);
    __m256i q = nat_round4(v, words[i / 4], m, r);
    _mm256_maskstore_epi64((long long *)(void *)(out + i), m, q);
    _mm256_maskstore_epi64((long long *)(void *)(val + i), m, q);
  }
}

void tpc_natural_f64_avx2(const double *x, size_t d, double *out, double *val,
                          tpc_rng_lanes *lanes, gsl_rng *r, int stream) {
  uint64_t words[TPC_RAND_CHUNK / 4];
  stream = stream && ((uintptr_t)out & 31) == 0 && ((uintptr_t)val & 31) == 0;
  for (size_t i = 0; i < d; i += TPC_RAND_CHUNK) {
    size_t n = d - i < TPC_RAND_CHUNK ? d - i : TPC_RAND_CHUNK;
    tpc_rng_lanes_fill_avx2(lanes, words, tpc_rand_blocks(n));
    nat_chunk4(x + i, words, n, out + i, val + i, stream, r);
  }
  if (stream) _mm_sfence();
}
