/*
** Tests of two runs compared case by case (tpc_bench_compare_runs,
** bench/compare.h) and of calibrate's A/A arithmetic (bench/calibrate.h), on
** rows and cases built here: which cases are matched, which verdict each
** gets, what the tally counts, and the noise floors' median.  No timing is
** measured.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <string.h>

#include "bench/calibrate.h"
#include "bench/compare.h"

#define ROUNDS 6
#define SAMPLES 8

/* A case's samples: ROUNDS rounds of SAMPLES, round r at base (1 + r / 1000)
** with a spread of 0.5% inside it, so that rounds differ a little and every
** interval is narrow. */
typedef struct timings {
  double ns[ROUNDS * SAMPLES];
  size_t end[ROUNDS];
} timings;

static void fill(timings *t, double base) {
  for (size_t r = 0; r < ROUNDS; r++) {
    for (size_t i = 0; i < SAMPLES; i++)
      t->ns[r * SAMPLES + i] = base * (1 + r / 1000.0) * (1 + 0.005 * ((double)i - 3.5) / 3.5);
    t->end[r] = (r + 1) * SAMPLES;
  }
}

static tpc_bench_row row(const char *kernel, const char *path, double instructions,
                         timings *t) {
  tpc_bench_row r;
  memset(&r, 0, sizeof r);
  snprintf(r.role, sizeof r.role, "kernel");
  snprintf(r.kernel, sizeof r.kernel, "%s", kernel);
  snprintf(r.dtype, sizeof r.dtype, "f32");
  snprintf(r.impl, sizeof r.impl, "comp");
  snprintf(r.path, sizeof r.path, "%s", path);
  r.d = 4096;
  r.instructions = instructions;
  if (t) {
    r.n = ROUNDS * SAMPLES;
    r.ns = t->ns;
    r.rounds = ROUNDS;
    r.end = t->end;
  }
  r.seed = 1;
  return r;
}

/* What the row callback saw. */
typedef struct seen {
  size_t rows, uncompared, instructions;
  tpc_bench_verdict last;
} seen;

static void count_row(void *ctx, const tpc_bench_row *a, const tpc_bench_row *b,
                      const tpc_bench_cmp *m, int instructions) {
  seen *s = ctx;
  cr_assert(tpc_bench_same_case(a, b));
  s->rows++;
  s->uncompared += m == NULL;
  s->instructions += instructions;
  if (m) s->last = m->verdict;
}

Test(bench_compare, runs_matched_case_by_case) {
  static timings ta, tb;
  fill(&ta, 1000);
  fill(&tb, 1300); /* 30% slower: far beyond the 5% threshold */
  tpc_bench_row a[] = {row("sign", "portable", 100, NULL), row("topk", "avx2", 0, &ta),
                       row("dither", "portable", 0, &ta), row("natural", "x", 0, &ta)};
  tpc_bench_row b[] = {row("sign", "portable", 100, NULL), row("topk", "avx2", 0, &tb),
                       row("dither", "avx512", 0, &tb), row("randk", "x", 0, &tb)};
  tpc_bench_rows A = {.run_id = 1, .n = 4, .row = a}, B = {.run_id = 2, .n = 4, .row = b};
  tpc_bench_tally t;
  seen s = {0};
  cr_assert(eq(int, tpc_bench_compare_runs(&A, &B, 0.05, count_row, &s, &t), 0));
  /* sign by its equal instruction counts, topk by its timings */
  cr_assert(eq(sz, t.matched, 2));
  cr_assert(eq(sz, t.verdicts[TPC_BENCH_SAME], 1));
  cr_assert(eq(sz, t.verdicts[TPC_BENCH_SLOWER], 1));
  cr_assert(eq(sz, t.other_path, 1)); /* dither: another kernel path, not compared */
  cr_assert(eq(sz, t.only_a, 1));     /* natural */
  cr_assert(eq(sz, t.only_b, 1));     /* randk */
  cr_assert(eq(sz, t.skipped, 0));
  cr_assert(eq(sz, s.rows, 3));
  cr_assert(eq(sz, s.uncompared, 1));
  cr_assert(eq(sz, s.instructions, 1));
}

Test(bench_compare, instructions_are_their_own_interval) {
  tpc_bench_row a[] = {row("sign", "portable", 100, NULL)};
  tpc_bench_row b[] = {row("sign", "portable", 104, NULL)};
  tpc_bench_rows A = {.n = 1, .row = a}, B = {.n = 1, .row = b};
  tpc_bench_tally t;
  seen s = {0};
  /* 4% more instructions: within 5%, beyond 3% */
  cr_assert(eq(int, tpc_bench_compare_runs(&A, &B, 0.05, count_row, &s, &t), 0));
  cr_assert(eq(int, s.last, TPC_BENCH_SAME));
  cr_assert(eq(int, tpc_bench_compare_runs(&A, &B, 0.03, count_row, &s, &t), 0));
  cr_assert(eq(int, s.last, TPC_BENCH_SLOWER));
  cr_assert(eq(sz, t.verdicts[TPC_BENCH_SLOWER], 1));
}

Test(bench_compare, unusable_samples_are_skipped_without_a_row) {
  static timings ta, tb;
  fill(&ta, 1000);
  fill(&tb, 1000);
  tb.ns[3] = 0; /* below the clock */
  tpc_bench_row a[] = {row("topk", "avx2", 0, &ta)}, b[] = {row("topk", "avx2", 0, &tb)};
  tpc_bench_rows A = {.n = 1, .row = a}, B = {.n = 1, .row = b};
  tpc_bench_tally t;
  seen s = {0};
  cr_assert(eq(int, tpc_bench_compare_runs(&A, &B, 0.05, count_row, &s, &t), 0));
  cr_assert(eq(sz, t.skipped, 1));
  cr_assert(eq(sz, t.matched, 0));
  cr_assert(eq(sz, s.rows, 0));
}

/* A kernel case of `rounds` rounds of t's samples. */
static tpc_bench_case calib_case(timings *t, size_t rounds) {
  tpc_bench_case c;
  memset(&c, 0, sizeof c);
  c.role = TPC_BENCH_KERNEL;
  c.d = 4096;
  c.ns = t->ns;
  c.nsamples = rounds * SAMPLES;
  c.rounds = rounds;
  c.round_end = t->end;
  return c;
}

Test(bench_calibrate, halves_compared_and_counted) {
  static timings t;
  static tpc_bench_calib k;
  fill(&t, 1000);
  tpc_bench_calib_init(&k, 0.05);
  tpc_bench_calib_case r;
  tpc_bench_case c = calib_case(&t, ROUNDS);
  cr_assert(eq(int, tpc_bench_calib_add(&k, &c, &r), 1));
  /* halves 0.3% apart with 0.5% spread: the same at 5%, and a floor that
  ** covers the ratio's interval */
  cr_assert(eq(int, r.cmp.verdict, TPC_BENCH_SAME));
  cr_assert(eq(int, r.false_verdict, 0));
  cr_assert(r.floor > 0 && r.floor < 0.05, "floor %g", r.floor);
  cr_assert(r.cmp.hi <= r.cmp.ratio * (1 + r.floor) * (1 + 1e-12));
  cr_assert(r.cmp.lo >= r.cmp.ratio / (1 + r.floor) * (1 - 1e-12));
  c = calib_case(&t, 1); /* one round: no halves */
  cr_assert(eq(int, tpc_bench_calib_add(&k, &c, &r), 0));
  cr_assert(eq(sz, k.cases, 1));
  cr_assert(eq(sz, k.few, 1));
  cr_assert(eq(sz, k.false_verdicts, 0));
}

Test(bench_calibrate, floors_median_is_the_upper_one) {
  static tpc_bench_calib k;
  tpc_bench_calib_init(&k, 0.05);
  double floors[] = {0.3, 0.1, 0.4, 0.2}, median, largest;
  memcpy(k.floors, floors, sizeof floors);
  k.cases = 4;
  tpc_bench_calib_floors(&k, &median, &largest);
  cr_assert(eq(dbl, median, 0.3));
  cr_assert(eq(dbl, largest, 0.4));
  k.cases = 0;
  tpc_bench_calib_floors(&k, &median, &largest);
  cr_assert(eq(dbl, median, 0.0));
  cr_assert(eq(dbl, largest, 0.0));
}
