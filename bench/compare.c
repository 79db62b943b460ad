/*
** The comparison of two runs of one case (compare.h): the round-level ratio
** interval and its verdict, with the within-round interval and the
** Mann-Whitney p-value beside it.
*/
#include "bench/compare.h"

#include <stdlib.h>
#include <string.h>

#include "bench/stats.h"
#include "core/error.h"

const char *tpc_bench_verdict_name(tpc_bench_verdict v) {
  static const char *const names[] = {"same", "slower", "faster", "unclear"};
  return names[v];
}

tpc_bench_verdict tpc_bench_verdict_of(double lo, double hi, double threshold) {
  double up = 1.0 + threshold, down = 1.0 / up;
  if (lo > up) return TPC_BENCH_SLOWER;
  if (hi < down) return TPC_BENCH_FASTER;
  if (lo >= down && hi <= up) return TPC_BENCH_SAME;
  return TPC_BENCH_UNCLEAR;
}

int tpc_bench_compare_within(const double *a, size_t na, const double *b, size_t nb,
                             double level, double threshold, tpc_bench_cmp *out) {
  memset(out, 0, sizeof *out);
  if (na == 0 || nb == 0) return tpc_error(TPC_EINPUT, "compare: a run has no samples");
  int rc = tpc_bench_ratio_ci(a, na, b, nb, level, &out->ratio, &out->w_lo, &out->w_hi);
  if (!rc) rc = tpc_bench_mann_whitney(b, nb, a, na, &out->u, &out->p);
  if (rc) return rc;
  out->lo = out->w_lo;
  out->hi = out->w_hi;
  out->verdict = tpc_bench_verdict_of(out->lo, out->hi, threshold);
  return TPC_OK;
}

/* The samples of a run divided by their rounds' scales, pooled: what the
** within-round comparison sees.  NULL when out of memory. */
static double *pooled(const tpc_bench_rounds *s) {
  double *v = malloc((s->end[s->n - 1] + 1) * sizeof *v);
  if (!v) return NULL;
  for (size_t r = 0, i = 0; r < s->n; r++)
    for (; i < s->end[r]; i++) v[i] = s->x[i] / (s->scale ? s->scale[r] : 1.0);
  return v;
}

int tpc_bench_compare(const tpc_bench_rounds *a, const tpc_bench_rounds *b, double level,
                      double threshold, uint64_t seed, tpc_bench_cmp *out) {
  memset(out, 0, sizeof *out);
  if (a->n == 0 || b->n == 0) return tpc_error(TPC_EINPUT, "compare: a run has no samples");
  double *pa = pooled(a), *pb = pooled(b);
  int rc = pa && pb ? TPC_OK : tpc_error(TPC_ENOMEM, "out of memory (compare)");
  if (!rc) rc = tpc_bench_compare_within(pa, a->end[a->n - 1], pb, b->end[b->n - 1], level,
                                         threshold, out);
  free(pa);
  free(pb);
  if (!rc) rc = tpc_bench_rounds_ratio_ci(a, b, level, seed, &out->ratio, &out->lo, &out->hi);
  if (rc) return rc;
  out->few_rounds = a->n < TPC_BENCH_MIN_ROUNDS || b->n < TPC_BENCH_MIN_ROUNDS;
  out->verdict = out->few_rounds ? TPC_BENCH_UNCLEAR
                                 : tpc_bench_verdict_of(out->lo, out->hi, threshold);
  return TPC_OK;
}
