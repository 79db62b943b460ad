/*
** The timing harness (harness.h): warm-up, calibration of calls per sample,
** interleaved sampling, summaries.  Nothing here allocates while a kernel is
** being timed: the result arrays are allocated before the first sample.
*/
#include "bench/harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/vec.h"

#define MAX_ITERS ((size_t)1 << 30)

void tpc_bench_opts_init(tpc_bench_opts *o) {
  memset(o, 0, sizeof *o);
  o->samples = 20;
  o->target_ns = 1e6;
  o->warmup_ns = 1e7;
  o->level = 0.99;
}

uint64_t tpc_bench_clock_monotonic(void *ctx) {
  (void)ctx;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double tpc_bench_timer_overhead(void) {
  enum { N = 2001 };
  static double d[N];
  for (size_t i = 0; i < N; i++) {
    uint64_t t0 = tpc_bench_clock_monotonic(NULL);
    uint64_t t1 = tpc_bench_clock_monotonic(NULL);
    d[i] = (double)(t1 - t0);
  }
  qsort(d, N, sizeof *d, tpc_vec_cmp_f64);
  return d[N / 2];
}

static uint64_t now(const tpc_bench_opts *o) {
  return o->clock ? o->clock(o->clock_ctx) : tpc_bench_clock_monotonic(NULL);
}

/* Total ns of n calls.  An in-place kernel is restored before each call and
** timed call by call, less the clock's own cost; the sum is clamped at 0. */
static double time_calls(tpc_bench_case *c, size_t n, const tpc_bench_opts *o) {
  if (!c->restore) {
    uint64_t t0 = now(o);
    for (size_t i = 0; i < n; i++) c->call(c);
    return (double)(now(o) - t0);
  }
  double total = 0;
  for (size_t i = 0; i < n; i++) {
    c->restore(c);
    uint64_t t0 = now(o);
    c->call(c);
    total += (double)(now(o) - t0) - o->timer_overhead_ns;
  }
  return total > 0 ? total : 0;
}

static void warm_up(tpc_bench_case *c, const tpc_bench_opts *o) {
  uint64_t t0 = now(o);
  size_t calls = 0;
  while (calls < 2 || (double)(now(o) - t0) < o->warmup_ns) {
    time_calls(c, 1, o);
    calls++;
  }
}

/* The calls per sample: grow n until n calls take at least the target twice
** in a row (the minimum of two timings, so that one preempted batch does not
** make the samples too short), aiming at 1.25 times the target. */
static size_t calibrate(tpc_bench_case *c, const tpc_bench_opts *o) {
  size_t n = 1;
  for (;;) {
    double t = time_calls(c, n, o);
    if (t >= o->target_ns) {
      t = fmin(t, time_calls(c, n, o));
      if (t >= o->target_ns) return n;
    }
    if (n >= MAX_ITERS) return MAX_ITERS;
    double grow = t > 0 ? 1.25 * o->target_ns / t : 100.0;
    grow = fmin(100.0, fmax(2.0, grow));
    double next = ceil((double)n * grow);
    n = next >= (double)MAX_ITERS ? MAX_ITERS : (size_t)next;
  }
}

int tpc_bench_case_summarize(tpc_bench_case *c, double level) {
  if (c->nsamples == 0) {
    memset(&c->sum, 0, sizeof c->sum);
    return TPC_OK;
  }
  double *x = malloc(2 * c->nsamples * sizeof *x);
  if (!x) return tpc_error(TPC_ENOMEM, "out of memory (summary of %zu samples)", c->nsamples);
  memcpy(x, c->ns, c->nsamples * sizeof *x);
  tpc_bench_summarize(x, c->nsamples, level, x + c->nsamples, &c->sum);
  free(x);
  return TPC_OK;
}

static int alloc_results(tpc_bench_case *cases, size_t n, size_t samples) {
  for (size_t i = 0; i < n; i++) {
    free(cases[i].ns);
    free(cases[i].seq);
    cases[i].ns = calloc(samples, sizeof *cases[i].ns);
    cases[i].seq = calloc(samples, sizeof *cases[i].seq);
    cases[i].nsamples = 0;
    if (!cases[i].ns || !cases[i].seq)
      return tpc_error(TPC_ENOMEM, "out of memory (%zu samples)", samples);
  }
  return TPC_OK;
}

int tpc_bench_group_run(tpc_bench_case *cases, size_t n, tpc_bench_opts *o) {
  int rc = alloc_results(cases, n, o->samples);
  if (rc) return rc;
  o->stopped = 0;
  size_t total = n * o->samples, done = 0;
  for (size_t i = 0; i < n && !o->stopped; i++) {
    warm_up(&cases[i], o);
    cases[i].iters = calibrate(&cases[i], o);
    o->stopped = o->stop && o->stop();
  }
  for (size_t r = 0; r < o->samples && !o->stopped; r++) {
    for (size_t i = 0; i < n; i++) {
      tpc_bench_case *c = &cases[i];
      c->ns[r] = time_calls(c, c->iters, o) / (double)c->iters;
      c->seq[r] = o->seq++;
      c->nsamples = r + 1;
      if (o->progress) o->progress(o->progress_ctx, ++done, total);
      if (o->stop && o->stop()) {
        o->stopped = 1;
        break;
      }
    }
  }
  for (size_t i = 0; i < n; i++)
    if ((rc = tpc_bench_case_summarize(&cases[i], o->level))) return rc;
  return TPC_OK;
}

void tpc_bench_case_clear(tpc_bench_case *c) {
  if (c->destroy) c->destroy(c);
  free(c->ns);
  free(c->seq);
  free(c->round_end);
  free(c->round_floor);
  free(c->round_iters);
  c->ns = NULL;
  c->seq = NULL;
  c->round_end = NULL;
  c->round_floor = NULL;
  c->round_iters = NULL;
  c->rounds = 0;
  c->arg = NULL;
  c->destroy = NULL;
  c->nsamples = 0;
}
