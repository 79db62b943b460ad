/*
** Tests of the timing harness (bench/harness.h) and of the roofline
** (bench/roofline.h) with fake kernels on a fake clock, so that every
** assertion is exact and nothing depends on the machine's speed:
** calibration makes samples last at least the target, samples are taken
** round-robin, an in-place kernel sees the same input on every call and its
** restore is not timed, the floors follow the documented model, and every
** path of the read sum computes the same sum.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdlib.h>
#include <string.h>

#include "bench/harness.h"
#include "bench/roofline.h"
#include "rng/pcg.h"

/* The fake clock: kernels advance it by their declared cost. */
static uint64_t fake_now;
static uint64_t fake_clock(void *ctx) {
  (void)ctx;
  return fake_now;
}

typedef struct fake {
  uint64_t cost_ns;
  int id;
} fake;

static void fake_call(tpc_bench_case *c) {
  fake *f = c->arg;
  fake_now += f->cost_ns;
}

static void fake_opts(tpc_bench_opts *o, size_t samples) {
  tpc_bench_opts_init(o);
  o->samples = samples;
  o->clock = fake_clock;
}

static void fake_case(tpc_bench_case *c, fake *f) {
  memset(c, 0, sizeof *c);
  c->call = fake_call;
  c->arg = f;
}

/* A 37 us kernel needs ceil(1 ms / 37 us) = 28 calls; calibration aims at
** 1.25 ms and must never go below 1 ms; a 3 ms kernel needs one call. */
Test(bench_harness, calibration_reaches_target) {
  static const uint64_t costs[] = {37000, 999, 3000000, 100};
  for (size_t t = 0; t < 4; t++) {
    fake f = {.cost_ns = costs[t]};
    tpc_bench_case c;
    tpc_bench_opts o;
    fake_case(&c, &f);
    fake_opts(&o, 20);
    cr_assert(eq(int, tpc_bench_group_run(&c, 1, &o), 0));
    cr_assert(eq(sz, c.nsamples, 20));
    cr_assert(ge(dbl, (double)c.iters * (double)costs[t], 1e6));
    /* no more than the 1.25 aim plus one call, times the worst growth of 2 */
    cr_assert(le(dbl, (double)c.iters * (double)costs[t], 2 * 1.25e6 + 2.0 * (double)costs[t]));
    for (size_t r = 0; r < c.nsamples; r++) {
      cr_assert(eq(dbl, c.ns[r], (double)costs[t]));
      cr_assert(ge(dbl, c.ns[r] * (double)c.iters, 1e6));
    }
    cr_assert(eq(dbl, c.sum.median, (double)costs[t]));
    cr_assert(eq(dbl, c.sum.mad, 0.0));
    c.arg = NULL;
    tpc_bench_case_clear(&c);
  }
}

/* Three cases of different costs: the seq numbers count 0, 1, 2, 3 ...
** across the cases in round-robin order, whatever each case's calls per
** sample. */
Test(bench_harness, samples_interleave) {
  enum { S = 7 };
  fake f[3] = {{.cost_ns = 50000}, {.cost_ns = 300000}, {.cost_ns = 7000}};
  tpc_bench_case c[3];
  for (int i = 0; i < 3; i++) fake_case(&c[i], &f[i]);
  tpc_bench_opts o;
  fake_opts(&o, S);
  cr_assert(eq(int, tpc_bench_group_run(c, 3, &o), 0));
  for (int i = 0; i < 3; i++) {
    cr_assert(eq(sz, c[i].nsamples, S));
    for (size_t r = 0; r < S; r++) cr_assert(eq(u64, c[i].seq[r], (uint64_t)(3 * r + (size_t)i)));
    c[i].arg = NULL;
    tpc_bench_case_clear(&c[i]);
  }
  cr_assert(eq(u64, o.seq, 3 * S));
}

/* The call log proper: after warm-up and calibration (A.. B.. C..) the
** samples run A B C A B C ...; collapsing runs of equal ids gives exactly
** [A B C] and then [A B C] once per sample. */
static int order_log[1 << 20];
static size_t order_n;
static void order_call(tpc_bench_case *c) {
  fake *f = c->arg;
  fake_now += f->cost_ns;
  if (order_n < sizeof order_log / sizeof order_log[0]) order_log[order_n++] = f->id;
}

Test(bench_harness, call_order_is_round_robin) {
  enum { S = 5 };
  fake f[3] = {{.cost_ns = 50000, .id = 0}, {.cost_ns = 300000, .id = 1}, {.cost_ns = 7000, .id = 2}};
  tpc_bench_case c[3];
  for (int i = 0; i < 3; i++) {
    fake_case(&c[i], &f[i]);
    c[i].call = order_call;
  }
  tpc_bench_opts o;
  fake_opts(&o, S);
  order_n = 0;
  cr_assert(eq(int, tpc_bench_group_run(c, 3, &o), 0));
  int runs[64];
  size_t nruns = 0;
  for (size_t i = 0; i < order_n; i++)
    if (i == 0 || order_log[i] != order_log[i - 1]) {
      cr_assert(lt(sz, nruns, 64));
      runs[nruns++] = order_log[i];
    }
  cr_assert(eq(sz, nruns, 3 + 3 * S));
  for (size_t i = 0; i < nruns; i++) cr_assert(eq(int, runs[i], (int)(i % 3)));
  for (int i = 0; i < 3; i++) {
    c[i].arg = NULL;
    tpc_bench_case_clear(&c[i]);
  }
}

/* An in-place kernel: doubles its vector and counts the calls that did not
** find the original.  Its restore costs 1 ms of fake time and the kernel
** 10 us: the samples must read exactly 10 us (restore untimed). */
typedef struct inplace {
  double v[64], orig[64];
  size_t calls, wrong;
} inplace;

static void inplace_call(tpc_bench_case *c) {
  inplace *p = c->arg;
  p->calls++;
  p->wrong += memcmp(p->v, p->orig, sizeof p->v) != 0;
  for (int i = 0; i < 64; i++) p->v[i] *= 2;
  fake_now += 10000;
}

static void inplace_restore(tpc_bench_case *c) {
  inplace *p = c->arg;
  memcpy(p->v, p->orig, sizeof p->v);
  fake_now += 1000000;
}

Test(bench_harness, in_place_input_restored_outside_timing) {
  inplace p;
  for (int i = 0; i < 64; i++) p.v[i] = p.orig[i] = i + 0.5;
  p.calls = p.wrong = 0;
  tpc_bench_case c;
  memset(&c, 0, sizeof c);
  c.call = inplace_call;
  c.restore = inplace_restore;
  c.arg = &p;
  tpc_bench_opts o;
  fake_opts(&o, 6);
  cr_assert(eq(int, tpc_bench_group_run(&c, 1, &o), 0));
  cr_assert(lt(sz, 6 * 100, p.calls));
  cr_assert(eq(sz, p.wrong, 0));
  /* 1 call (10 us) -> 100 calls (growth capped at 100x) = 1 ms: done.  Were
  ** the 1 ms restores timed, one call would have reached the target. */
  cr_assert(eq(sz, c.iters, 100));
  for (size_t r = 0; r < c.nsamples; r++) cr_assert(eq(dbl, c.ns[r], 10000.0));
  c.arg = NULL;
  tpc_bench_case_clear(&c);
}

/* Without restore the same kernel sees its own output: the control that
** shows the test above can fail. */
Test(bench_harness, in_place_without_restore_drifts) {
  inplace p;
  for (int i = 0; i < 64; i++) p.v[i] = p.orig[i] = i + 0.5;
  p.calls = p.wrong = 0;
  tpc_bench_case c;
  memset(&c, 0, sizeof c);
  c.call = inplace_call;
  c.arg = &p;
  tpc_bench_opts o;
  fake_opts(&o, 3);
  cr_assert(eq(int, tpc_bench_group_run(&c, 1, &o), 0));
  cr_assert(eq(sz, p.wrong, p.calls - 1));
  c.arg = NULL;
  tpc_bench_case_clear(&c);
}

static int stop_now(void) { return 1; }

/* A stop request ends the group after the first sample; what was taken is
** summarized. */
Test(bench_harness, stop_keeps_samples_taken) {
  fake f[2] = {{.cost_ns = 20000}, {.cost_ns = 20000}};
  tpc_bench_case c[2];
  fake_case(&c[0], &f[0]);
  fake_case(&c[1], &f[1]);
  tpc_bench_opts o;
  fake_opts(&o, 10);
  o.stop = stop_now;
  cr_assert(eq(int, tpc_bench_group_run(c, 2, &o), 0));
  cr_assert(eq(int, o.stopped, 1));
  cr_assert(eq(sz, c[0].nsamples + c[1].nsamples, 0)); /* stopped after calibration */
  for (int i = 0; i < 2; i++) {
    c[i].arg = NULL;
    tpc_bench_case_clear(&c[i]);
  }
}

/* The floor model of roofline.h: P = min(R, W) at copy speed, the rest of the
** reads at read speed and of the writes at write speed. */
Test(bench_harness, floor_model) {
  const double bw[TPC_BW_KINDS] = {20.0, 8.0, 10.0}; /* read, copy, write in bytes/ns */
  cr_assert(eq(dbl, tpc_bench_floor_ns(200, 0, bw), 10.0));
  cr_assert(eq(dbl, tpc_bench_floor_ns(80, 80, bw), 10.0));
  cr_assert(eq(dbl, tpc_bench_floor_ns(0, 100, bw), 10.0));
  cr_assert(eq(dbl, tpc_bench_floor_ns(280, 80, bw), 10.0 + 10.0));
  cr_assert(eq(dbl, tpc_bench_floor_ns(80, 180, bw), 10.0 + 10.0));
  const double none[TPC_BW_KINDS] = {20.0, 0.0, 10.0};
  cr_assert(eq(dbl, tpc_bench_floor_ns(80, 80, none), 0.0));
}

/* roofline_apply takes the bandwidths from the fastest samples: a bandwidth
** case whose median is twice its best sits at ratio 2, a kernel moving twice
** the read bytes in twice the best read time at 1, one 3 times slower at 3. */
Test(bench_harness, roofline_apply) {
  tpc_bench_case c[5];
  cr_assert(eq(int, tpc_bench_bw_cases(c, "", 1000, TPC_F32, 250), 0));
  c[TPC_BW_READ].sum.min = 100;  /* 10 bytes/ns from the fastest sample */
  c[TPC_BW_COPY].sum.min = 200;  /* 5 */
  c[TPC_BW_WRITE].sum.min = 125; /* 8 */
  for (int k = 0; k < 3; k++) {
    c[k].sum.n = 1;
    c[k].sum.median = 2 * c[k].sum.min; /* a noisy median: ratio 2, floor unmoved */
  }
  memset(&c[3], 0, 2 * sizeof c[0]);
  c[3].bytes_read = 2000;
  c[3].sum.median = 200;
  c[3].sum.n = 1;
  c[4].bytes_read = 1000;
  c[4].bytes_written = 1800; /* 1000 at copy speed, 800 at write speed: 200 + 100 */
  c[4].sum.median = 900;
  c[4].sum.n = 1;
  double bw[TPC_BW_KINDS];
  tpc_bench_roofline_apply(c, 5, bw);
  cr_assert(eq(dbl, bw[TPC_BW_READ], 10.0));
  cr_assert(eq(dbl, bw[TPC_BW_COPY], 5.0));
  cr_assert(eq(dbl, bw[TPC_BW_WRITE], 8.0));
  for (int k = 0; k < 3; k++) cr_assert(ieee_ulp_eq(dbl, c[k].ratio, 2.0, 4));
  cr_assert(ieee_ulp_eq(dbl, c[3].ratio, 1.0, 4));
  cr_assert(ieee_ulp_eq(dbl, c[4].floor_ns, 300.0, 4));
  cr_assert(ieee_ulp_eq(dbl, c[4].ratio, 3.0, 4));
  for (int k = 0; k < 3; k++) tpc_bench_case_clear(&c[k]);
}

/* Every path of the read sum equals a plain word-by-word sum, on a length
** that leaves a tail of every size class (words, bytes) and an unaligned
** start. */
Test(bench_harness, read_sum_paths_agree) {
  enum { N = 100003 };
  unsigned char *buf = malloc(N + 1);
  gsl_rng *r = tpc_rng_alloc_stream(3, TPC_PURPOSE_TEST, 0);
  for (size_t i = 0; i < N + 1; i++) buf[i] = (unsigned char)gsl_rng_uniform_int(r, 256);
  gsl_rng_free(r);
  for (size_t off = 0; off < 2; off++) {
    const unsigned char *p = buf + off;
    size_t bytes = N - off, i = 0;
    uint64_t want = 0;
    for (; i + 8 <= bytes; i += 8) {
      uint64_t w;
      memcpy(&w, p + i, 8);
      want += w;
    }
    for (; i < bytes; i++) want += p[i];
    cr_assert(eq(u64, tpc_bench_read_sum_portable(p, bytes), want));
    cr_assert(eq(u64, tpc_bench_read_sum(p, bytes), want));
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) cr_assert(eq(u64, tpc_bench_read_sum_avx2(p, bytes), want));
    if (__builtin_cpu_supports("avx512f"))
      cr_assert(eq(u64, tpc_bench_read_sum_avx512(p, bytes), want));
#endif
  }
  free(buf);
}
