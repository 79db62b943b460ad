/*
** `tpc rate --time` (rate_time.h): the cost of an Algorithm 1 iteration next
** to what it cannot avoid, measured in the same process: one pass over the
** problem's data (data_bytes read by the roofline's sum, roofline.h, the
** widest vectorized loop the CPU runs, so it moves bytes at the read
** bandwidth `tpc bench` measures), every local gradient (the oracle) at the
** point where the run stopped, in the rounds' blocks of clients, and one
** read of the n client states (n d doubles, which the aggregation must
** touch).  Each is the median over 9 batches of repeated passes lasting
** about 2 ms each, warm in cache where it fits, as the iterations are, and runs on as many threads as the
** iterations did (contiguous slices of the data, clients split as Algorithm
** 1 splits them): a parallel iteration measured against a serial pass would
** flatter it by the thread count.  Peak RSS from getrusage.
*/
#include <gsl/gsl_sort.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench/harness.h"
#include "bench/rate_time.h"
#include "bench/roofline.h"
#include "bench/stats.h"
#include "core/error.h"

#define TIME_BATCHES 9
#define TIME_BATCH_NS 2e6

static volatile double time_sink;

typedef void (*pass_fn)(void *ctx);

/* ns since t0 on the harness's monotonic clock. */
static double since(uint64_t t0) { return (double)(tpc_bench_clock_monotonic(NULL) - t0); }

/* Median ns of one call of fn over TIME_BATCHES batches of `reps` calls,
** reps chosen so that a batch takes about TIME_BATCH_NS. */
static double time_pass(pass_fn fn, void *ctx) {
  uint64_t t0 = tpc_bench_clock_monotonic(NULL);
  fn(ctx);
  double one = since(t0);
  size_t reps = one > 0 ? (size_t)(TIME_BATCH_NS / one) + 1 : 1000;
  double ns[TIME_BATCHES];
  for (int b = 0; b < TIME_BATCHES; b++) {
    t0 = tpc_bench_clock_monotonic(NULL);
    for (size_t k = 0; k < reps; k++) fn(ctx);
    ns[b] = since(t0) / (double)reps;
  }
  gsl_sort(ns, 1, TIME_BATCHES);
  return tpc_bench_median(ns, TIME_BATCHES);
}

typedef struct sum_ctx {
  unsigned char *buf;
  size_t bytes;
  int threads;
} sum_ctx;

/* The roofline's read sum over one contiguous slice per thread, cut at
** 64-byte lines. */
static void sum_pass(void *ctx) {
  const sum_ctx *s = ctx;
  uint64_t total = 0;
  size_t lines = (s->bytes + 63) / 64;
#pragma omp parallel num_threads(s->threads) reduction(+ : total)
  {
    size_t t = (size_t)omp_get_thread_num(), nt = (size_t)omp_get_num_threads();
    size_t lo = 64 * (lines * t / nt), hi = 64 * (lines * (t + 1) / nt);
    if (hi > s->bytes) hi = s->bytes;
    if (lo < hi) total += tpc_bench_read_sum(s->buf + lo, hi - lo);
  }
  time_sink = (double)total;
}

/* g and work: TPC_ALG1_CLIENTS gradients and one work buffer per thread,
** `ws` bytes of work apart. */
typedef struct grad_ctx {
  const tpc_problem *p;
  const double *x;
  double *g;
  char *work;
  size_t ws;
  int threads;
} grad_ctx;

/* Every gradient, in Algorithm 1's blocks of TPC_ALG1_CLIENTS clients (one
** tpc_problem_grad_many call each), the blocks split between threads as
** the rounds split them. */
static void grad_pass(void *ctx) {
  const grad_ctx *c = ctx;
  const size_t n = c->p->n, d = c->p->d;
  double acc = 0;
  long nb = (long)((n + TPC_ALG1_CLIENTS - 1) / TPC_ALG1_CLIENTS);
#pragma omp parallel for num_threads(c->threads) schedule(static) reduction(+ : acc)
  for (long b = 0; b < nb; b++) {
    size_t t = (size_t)omp_get_thread_num(), i0 = (size_t)b * TPC_ALG1_CLIENTS;
    size_t count = n - i0 < TPC_ALG1_CLIENTS ? n - i0 : TPC_ALG1_CLIENTS;
    double *g[TPC_ALG1_CLIENTS], f[TPC_ALG1_CLIENTS], g2[TPC_ALG1_CLIENTS];
    for (size_t k = 0; k < count; k++) g[k] = c->g + (t * TPC_ALG1_CLIENTS + k) * d;
    tpc_problem_grad_many(c->p, i0, count, c->x, g, f, g2, c->work + t * c->ws);
    for (size_t k = 0; k < count; k++) acc += f[k];
  }
  time_sink = acc;
}

static double time_sum(size_t bytes, int threads, int *ok) {
  sum_ctx s = {malloc(bytes ? bytes : 1), bytes, threads};
  if (!s.buf) {
    *ok = 0;
    return NAN;
  }
  memset(s.buf, 7, bytes); /* touched, so the pass reads real pages */
  double ns = time_pass(sum_pass, &s);
  free(s.buf);
  return ns;
}

int tpc_rate_time(const tpc_problem *p, const double *x, const tpc_alg1_result *r,
                  int threads, tpc_rate_timing *out) {
  int ok = 1;
  memset(out, 0, sizeof *out);
  /* the iterations' threads: at most one per client, one on a small problem */
  threads = tpc_alg1_threads(p, threads);
  out->threads = threads;
  out->data_bytes = p->data_bytes;
  out->iter_ns = r->iters ? 1e9 * r->seconds / (double)r->iters : NAN;
  out->data_pass_ns = time_sum(p->data_bytes, threads, &ok);
  out->state_pass_ns = time_sum(p->n * p->d * sizeof(double), threads, &ok);
  size_t ws = p->type->work_size ? p->type->work_size(p) : 0;
  ws = (ws + 63) / 64 * 64;
  grad_ctx g = {p, x, calloc((size_t)threads * TPC_ALG1_CLIENTS * p->d, sizeof(double)),
                calloc((size_t)threads * (ws ? ws : 1), 1), ws, threads};
  if (g.g && g.work && ok)
    out->grad_pass_ns = time_pass(grad_pass, &g);
  else
    ok = 0;
  free(g.g);
  free(g.work);
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) == 0) out->peak_rss_kib = ru.ru_maxrss;
  return ok ? TPC_OK : tpc_error(TPC_ENOMEM, "rate --time: out of memory");
}
