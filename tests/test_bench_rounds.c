/*
** Tests of the round-level statistics (bench/rounds.h) and of the A/A
** property of `tpc bench compare` (bench/compare.h, THEORY.md T-BENCH), on a
** seeded simulation of the two-level model that timings on a shared machine
** follow: each round of a run has its own effect (memory placement,
** frequency, a neighbour: log-normal with a between-round coefficient of
** variation of 20%, and one round in 20 an outlier at 1.87 times, like a run
** of 841 us among runs of 437-475 us), and samples within a round vary by 2%.
** No timing is measured here.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#include "bench/compare.h"
#include "bench/rounds.h"
#include "rng/pcg.h"

#define ROUNDS 5
#define SAMPLES 20
#define CASES 300

typedef struct sim_run {
  double x[ROUNDS * SAMPLES];
  size_t end[ROUNDS];
  tpc_bench_rounds r;
} sim_run;

/* One run of a case whose true time is `base` ns under the two-level model
** (outlier rounds only where there is round noise at all). */
static void simulate(gsl_rng *g, double base, double between_sd, sim_run *s) {
  for (size_t r = 0; r < ROUNDS; r++) {
    double effect = exp(gsl_ran_gaussian(g, between_sd));
    if (between_sd > 0 && gsl_rng_uniform(g) < 0.05) effect *= 1.87;
    for (size_t i = 0; i < SAMPLES; i++)
      s->x[r * SAMPLES + i] = base * effect * exp(gsl_ran_gaussian(g, 0.02));
    s->end[r] = (r + 1) * SAMPLES;
  }
  s->r = (tpc_bench_rounds){s->x, s->end, NULL, ROUNDS};
}

typedef struct aa_count {
  size_t excludes_one;   /* intervals that exclude 1: the test's false alarms */
  size_t false_verdict;  /* "faster" or "slower" */
} aa_count;

/* CASES A/A comparisons of the same build (two runs of one model); within:
** the pooled within-round method instead of the round-level one. */
static aa_count aa_experiment(uint64_t seed, int within) {
  gsl_rng *g = tpc_rng_alloc_stream(seed, TPC_PURPOSE_TEST, 19);
  aa_count c = {0, 0};
  static sim_run a, b;
  for (size_t k = 0; k < CASES; k++) {
    double base = 2e5 * (1.0 + (double)k); /* any scale: the ratio does not see it */
    simulate(g, base, 0.2, &a);
    simulate(g, base, 0.2, &b);
    tpc_bench_cmp m;
    int rc = within ? tpc_bench_compare_within(a.x, ROUNDS * SAMPLES, b.x, ROUNDS * SAMPLES,
                                               0.99, 0.05, &m)
                    : tpc_bench_compare(&a.r, &b.r, 0.99, 0.05, k, &m);
    cr_assert(eq(int, rc, 0));
    c.excludes_one += m.lo > 1.0 || m.hi < 1.0;
    c.false_verdict += m.verdict == TPC_BENCH_SLOWER || m.verdict == TPC_BENCH_FASTER;
  }
  gsl_rng_free(g);
  return c;
}

/* The 99% round-level interval of B/A excludes 1 in about 1% of A/A cases.
** Tolerance: at most 9 of 300.  If the true rate were the nominal 1%, the
** count is Binomial(300, 0.01) with mean 3 and P(X >= 10) < 0.001; the
** bound still passes a true rate up to about 1.5% (small-sample slack of
** the t approximation) and fails a method at 3% or worse with probability
** above 0.5.  The false faster/slower verdicts, which need the interval
** beyond the threshold too, are at most as many. */
Test(bench_rounds, aa_false_alarms_stay_near_nominal) {
  aa_count c = aa_experiment(7, 0);
  cr_log_info("round-level: %zu of %d intervals exclude 1, %zu false verdicts", c.excludes_one,
              CASES, c.false_verdict);
  cr_assert(le(sz, c.excludes_one, 9));
  cr_assert(le(sz, c.false_verdict, c.excludes_one));
}

/* The within-round method on the same model: its interval measures only the
** 2% noise within a run, so a 20% round effect reads as a difference almost
** every time.  At least a third false verdicts (the issue measured 18 of 45
** on a real machine); it gets far more here. */
Test(bench_rounds, aa_within_round_method_fails) {
  aa_count c = aa_experiment(7, 1);
  cr_log_info("within-round: %zu of %d intervals exclude 1, %zu false verdicts",
              c.excludes_one, CASES, c.false_verdict);
  cr_assert(ge(sz, c.false_verdict, CASES / 3));
}

/* The interval is not so wide that it sees nothing: a planted 2x slowdown
** of every round (3.5 between-round standard deviations of log time) is
** "slower" in most cases at R = 5; far more rounds are needed for 10% under
** 20% round noise, which is what tpc bench calibrate reports as the noise
** floor. */
Test(bench_rounds, detects_a_large_slowdown) {
  gsl_rng *g = tpc_rng_alloc_stream(8, TPC_PURPOSE_TEST, 19);
  static sim_run a, b;
  size_t slower = 0;
  for (size_t k = 0; k < 100; k++) {
    simulate(g, 1e5, 0.2, &a);
    simulate(g, 2e5, 0.2, &b);
    tpc_bench_cmp m;
    cr_assert(eq(int, tpc_bench_compare(&a.r, &b.r, 0.99, 0.05, k, &m), 0));
    slower += m.verdict == TPC_BENCH_SLOWER;
  }
  gsl_rng_free(g);
  cr_log_info("2x slowdown: %zu of 100 slower", slower);
  cr_assert(ge(sz, slower, 50));
}

/* Without round effects, the interval of one run's median shrinks to the
** within-round noise: 20 x 5 samples at 2% spread give a half-width well
** under 5%; and a seed fixes it. */
Test(bench_rounds, median_interval_is_seeded_and_tight_without_round_noise) {
  gsl_rng *g = tpc_rng_alloc_stream(9, TPC_PURPOSE_TEST, 19);
  static sim_run a;
  simulate(g, 1e5, 0.0, &a);
  gsl_rng_free(g);
  double e1, l1, h1, e2, l2, h2;
  cr_assert(eq(int, tpc_bench_rounds_median_ci(&a.r, 0.99, 3, &e1, &l1, &h1), 0));
  cr_assert(eq(int, tpc_bench_rounds_median_ci(&a.r, 0.99, 3, &e2, &l2, &h2), 0));
  cr_assert(eq(dbl, l1, l2));
  cr_assert(eq(dbl, h1, h2));
  cr_assert(l1 < e1 && e1 < h1);
  cr_assert(lt(dbl, h1 / l1, 1.05));
}

/* One round says nothing about a rerun: the interval is [0, inf] and compare
** says unclear, never a verdict. */
Test(bench_rounds, one_round_is_unclear) {
  double x[] = {1, 1.1, 0.9}, y[] = {2, 2.1, 1.9};
  size_t end[] = {3};
  tpc_bench_rounds a = {x, end, NULL, 1}, b = {y, end, NULL, 1};
  tpc_bench_cmp m;
  cr_assert(eq(int, tpc_bench_compare(&a, &b, 0.99, 0.05, 1, &m), 0));
  cr_assert(eq(int, m.verdict, TPC_BENCH_UNCLEAR));
  cr_assert(m.few_rounds);
  cr_assert(eq(dbl, m.ratio, 2.0));
}

/* Scales divide each round: two rounds of equal ratio to their floors have a
** spread of 0 across rounds although their times differ by 2x. */
Test(bench_rounds, scale_divides_each_round) {
  double x[] = {10, 10, 20, 20}, floor[] = {5, 10};
  size_t end[] = {2, 4};
  tpc_bench_rounds s = {x, end, floor, 2};
  double cv, est, lo, hi;
  cr_assert(eq(int, tpc_bench_rounds_spread(&s, &cv), 0));
  cr_assert(eq(dbl, cv, 0.0));
  cr_assert(eq(int, tpc_bench_rounds_median_ci(&s, 0.99, 1, &est, &lo, &hi), 0));
  cr_assert(eq(dbl, est, 2.0));
  s.scale = NULL;
  cr_assert(eq(int, tpc_bench_rounds_spread(&s, &cv), 0));
  cr_assert(lt(dbl, 0.4, cv));
  double bad[] = {1, -1};
  size_t e1[] = {2};
  tpc_bench_rounds z = {bad, e1, NULL, 1};
  cr_assert(eq(int, tpc_bench_rounds_median_ci(&z, 0.99, 1, &est, &lo, &hi), 2));
}
