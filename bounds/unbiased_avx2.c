/*
** The AVX2 draw of the unbiasedness test (bnd_unb_draw_avx2, bounds/internal.h):
** four coordinates a step through tpc_bounds_acc_add's operations and the
** running range, then their entries of the ten projections, in index order.
** The divisions of a step (three a coordinate) keep the divider busy for
** longer than the projections' multiplications and additions take, so
** that the projections come for free; one loop a draw, not two.  Only
** separate multiplications and additions (no fused multiply-add, and the
** Makefile's -ffp-contract=off), so every value is the bits of the portable
** loops of bounds/unbiased.c, which take the last coordinates of a chunk.
** The range's lanes are taken together at the end: the largest non-NaN of
** values >= +0 is the same in any order.
*/
#include <immintrin.h>

#include "bounds/internal.h"

/* tpc_bounds_fmin and fmax (bounds/stats.h) on four lanes: m where v is
** NaN or m is beyond v, else v. */
static inline __m256d draw_min4(__m256d m, __m256d v) {
  __m256d keep = _mm256_or_pd(_mm256_cmp_pd(v, v, _CMP_UNORD_Q), _mm256_cmp_pd(m, v, _CMP_LT_OQ));
  return _mm256_blendv_pd(v, m, keep);
}

static inline __m256d draw_max4(__m256d m, __m256d v) {
  __m256d keep = _mm256_or_pd(_mm256_cmp_pd(v, v, _CMP_UNORD_Q), _mm256_cmp_pd(m, v, _CMP_GT_OQ));
  return _mm256_blendv_pd(v, m, keep);
}

/* The projections of coordinate i with z = out_i 2^-scale - x_i 2^-scale:
** entries 0-3, 4-7 and 8-9 of the sums, each its own chain. */
static inline void draw_project(const double *r, double z, __m256d *s0, __m256d *s1,
                                __m128d *s2) {
  __m256d z4 = _mm256_set1_pd(z);
  *s0 = _mm256_add_pd(*s0, _mm256_mul_pd(z4, _mm256_loadu_pd(r)));
  *s1 = _mm256_add_pd(*s1, _mm256_mul_pd(z4, _mm256_loadu_pd(r + 4)));
  *s2 = _mm_add_pd(*s2, _mm_mul_pd(_mm256_castpd256_pd128(z4), _mm_loadu_pd(r + 8)));
}

size_t bnd_unb_draw_avx2(const bnd_unb_cols *c, const double *out, size_t i0, size_t i1,
                         double n, double f, double *range, double *s) {
  const __m256d sign = _mm256_set1_pd(-0.0), n4 = _mm256_set1_pd(n), f4 = _mm256_set1_pd(f);
  __m256d s0 = _mm256_loadu_pd(s), s1 = _mm256_loadu_pd(s + 4), top = _mm256_set1_pd(*range);
  __m128d s2 = _mm_loadu_pd(s + 8);
  size_t i = i0;
  for (; i + 4 <= i1; i += 4) {
    __m256d o = _mm256_loadu_pd(out + i), x = _mm256_loadu_pd(c->x + i);
    __m256d unit = _mm256_loadu_pd(c->unit + i), mean = _mm256_loadu_pd(c->mean + i);
    __m256d v = _mm256_div_pd(_mm256_sub_pd(o, x), unit), delta = _mm256_sub_pd(v, mean);
    __m256d of = _mm256_mul_pd(o, f4), xf = _mm256_mul_pd(x, f4);
    __m256d r = _mm256_add_pd(_mm256_andnot_pd(sign, of), _mm256_andnot_pd(sign, xf));
    mean = _mm256_add_pd(mean, _mm256_div_pd(delta, n4));
    _mm256_storeu_pd(c->mean + i, mean);
    _mm256_storeu_pd(c->m2 + i, _mm256_add_pd(_mm256_loadu_pd(c->m2 + i),
                                              _mm256_mul_pd(delta, _mm256_sub_pd(v, mean))));
    _mm256_storeu_pd(c->min + i, draw_min4(_mm256_loadu_pd(c->min + i), v));
    _mm256_storeu_pd(c->max + i, draw_max4(_mm256_loadu_pd(c->max + i), v));
    __m256d a = _mm256_add_pd(_mm256_andnot_pd(sign, o), _mm256_andnot_pd(sign, x));
    a = _mm256_div_pd(a, unit);
    _mm256_storeu_pd(c->mag + i, _mm256_add_pd(_mm256_loadu_pd(c->mag + i), a));
    top = _mm256_blendv_pd(top, r, _mm256_cmp_pd(r, top, _CMP_GT_OQ));
    double z[4];
    _mm256_storeu_pd(z, _mm256_sub_pd(of, xf));
    for (size_t j = 0; j < 4; j++)
      draw_project(c->dirs + (i + j) * BND_UNB_NPROJ, z[j], &s0, &s1, &s2);
  }
  double lanes[4], best = *range;
  _mm256_storeu_pd(lanes, top);
  for (size_t j = 0; j < 4; j++) best = lanes[j] > best ? lanes[j] : best;
  *range = best;
  _mm256_storeu_pd(s, s0);
  _mm256_storeu_pd(s + 4, s1);
  _mm_storeu_pd(s + 8, s2);
  return i;
}
