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

/* Instruction counts: exact (callgrind) or nearly (perf), so the ratio is
** its own interval and the verdict that of [r, r]. */
static void compare_instructions(const tpc_bench_row *ra, const tpc_bench_row *rb,
                                 double threshold, tpc_bench_cmp *m) {
  memset(m, 0, sizeof *m);
  m->ratio = m->lo = m->hi = rb->instructions / ra->instructions;
  m->verdict = tpc_bench_verdict_of(m->lo, m->hi, threshold);
}

/* Timings by the round-level comparison; 1 when the samples cannot be
** compared (none, or one <= 0: below the clock). */
static int compare_times(const tpc_bench_row *ra, const tpc_bench_row *rb, double threshold,
                         tpc_bench_cmp *m) {
  tpc_bench_rounds a, b;
  if (!tpc_bench_row_rounds(ra, 0, &a) || !tpc_bench_row_rounds(rb, 0, &b)) return 1;
  if (tpc_bench_compare(&a, &b, 0.99, threshold, (uint64_t)rb->seed, m) == TPC_OK) return 0;
  tpc_error_clear();
  return 1;
}

/* B's first case not yet matched that is the same case as ra, marked used;
** NULL when there is none. */
static const tpc_bench_row *match(const tpc_bench_row *ra, const tpc_bench_rows *B, int *used) {
  for (size_t j = 0; j < B->n; j++)
    if (!used[j] && tpc_bench_same_case(ra, &B->row[j])) {
      used[j] = 1;
      return &B->row[j];
    }
  return NULL;
}

int tpc_bench_compare_runs(const tpc_bench_rows *A, const tpc_bench_rows *B, double threshold,
                           tpc_bench_row_fn row, void *ctx, tpc_bench_tally *t) {
  memset(t, 0, sizeof *t);
  int *used = calloc(B->n + 1, sizeof *used);
  if (!used) return tpc_error(TPC_ENOMEM, "out of memory");
  for (size_t i = 0; i < A->n; i++) {
    const tpc_bench_row *ra = &A->row[i], *rb = match(ra, B, used);
    if (!rb) {
      t->only_a++;
      continue;
    }
    if (!tpc_bench_same_path(ra, rb)) {
      t->other_path++;
      if (row) row(ctx, ra, rb, NULL, 0);
      continue;
    }
    tpc_bench_cmp m;
    int instructions = ra->instructions > 0 && rb->instructions > 0;
    if (instructions) compare_instructions(ra, rb, threshold, &m);
    else if (compare_times(ra, rb, threshold, &m)) {
      t->skipped++;
      continue;
    }
    t->matched++;
    if (!strcmp(ra->role, "kernel")) t->verdicts[m.verdict]++;
    if (row) row(ctx, ra, rb, &m, instructions);
  }
  for (size_t j = 0; j < B->n; j++) t->only_b += !used[j];
  free(used);
  return TPC_OK;
}
