/*
** The kernel timing harness of `tpc bench`: one case is one kernel at one
** size; a group is the set of cases timed together, interleaved.
**
** For each case of a group the harness warms the kernel up, calibrates the
** number of calls per sample so that a sample lasts at least the target
** (1 ms by default: the clock's cost and resolution are then below 1e-4 of a
** sample), and then takes the samples round-robin, A B C A B C ..., so that
** frequency drift, a noisy neighbour or thermal throttling hits every case of
** the group alike.  Every sample is kept (ns per call), with its position in
** the run's sequence.
**
** In-place kernels (a `restore` callback) get their input put back before
** every call, outside the timed region: those calls are timed one by one and
** the clock's own cost (measured once, tpc_bench_timer_overhead) is
** subtracted from each.
**
** The clock is CLOCK_MONOTONIC through the vDSO (~20 ns a read, ns
** resolution).  rdtsc would save a few ns per read but needs a calibration
** against a wall clock and an invariant, synchronized TSC; at >= 1 ms per
** sample the difference is invisible, so the portable clock wins.  Tests
** substitute a fake clock to check calibration deterministically.
*/
#ifndef TPC_BENCH_HARNESS_H
#define TPC_BENCH_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "bench/stats.h"
#include "wire/msg.h"

typedef enum {
  TPC_BENCH_KERNEL = 0,   /* a library kernel */
  TPC_BENCH_BANDWIDTH,    /* a roofline measurement (roofline.h) */
  TPC_BENCH_PEER          /* another library timed on the same input (peer.h) */
} tpc_bench_role;

typedef struct tpc_bench_case tpc_bench_case;

struct tpc_bench_case {
  /* what it is: the key `bench compare` matches on is (kernel, dtype, d, k, impl) */
  char kernel[24];
  char impl[48];
  char spec[160];        /* the spec string built, or "" */
  char note[160];        /* shown and stored as is: "keeps 12" */
  char path[64];         /* the kernel path that runs (comp.h): "avx512",
                            "filter/avx512", "portable"; "" for a peer.
                            Timings of different paths are not comparable. */
  tpc_bench_role role;
  tpc_dtype dtype;
  size_t d;
  size_t k;              /* 0: the kernel has no size parameter */
  double bytes_read;     /* bytes one call must read and write (roofline.h) */
  double bytes_written;

  /* the kernel: one call, and for in-place kernels the restore */
  void (*call)(tpc_bench_case *c);
  void (*restore)(tpc_bench_case *c);
  void (*destroy)(tpc_bench_case *c);  /* frees arg; may be NULL */
  int in_place;          /* restore was set: kept when the kernel is gone (bench/run.c) */
  void *arg;
  void *scratch;         /* scratch_bytes of the group's scratch, 64-byte aligned */
  size_t scratch_bytes;

  /* results */
  size_t iters;          /* calls per sample */
  size_t nsamples;       /* samples taken (fewer than asked when interrupted) */
  double *ns;            /* nsamples values, ns per call, in the order taken */
  uint64_t *seq;         /* each sample's position in the run */
  tpc_bench_summary sum;
  double floor_ns;       /* roofline floor (0: no bandwidth measured) */
  double ratio;          /* median / floor_ns */

  /* rounds (bench/run.h): ns[] and seq[] then hold every round's samples,
     round after round; rounds == 0 is one round of this group_run */
  size_t rounds;
  size_t *round_end;     /* one past each round's last sample */
  double *round_floor;   /* each round's floor_ns */
  size_t *round_iters;   /* each round's calls per sample */
  double round_lo, round_hi;  /* round-level interval of the median (bench/rounds.h) */
  double ratio_lo, ratio_hi;  /* ... of median / floor; 0 when not known */
  double round_cv;       /* spread of the rounds' medians: sd / mean */
  double instructions;   /* per call (--instrument instructions); 0: not counted */
};

/* A clock in nanoseconds. */
typedef uint64_t (*tpc_bench_clock_fn)(void *ctx);

typedef struct tpc_bench_opts {
  size_t samples;            /* samples per case, >= 1 */
  double target_ns;          /* shortest sample: 1e6 */
  double warmup_ns;          /* warm-up per case (at least 2 calls): 1e7 */
  double level;              /* confidence of the median interval: 0.99 */
  double timer_overhead_ns;  /* subtracted from each call of an in-place kernel */
  tpc_bench_clock_fn clock;  /* NULL: CLOCK_MONOTONIC */
  void *clock_ctx;
  void (*progress)(void *ctx, size_t done, size_t total);
  void *progress_ctx;
  int (*stop)(void);         /* polled between samples; non-zero stops */
  uint64_t seq;              /* next sample's sequence number (advanced) */
  int stopped;               /* out: stop() ended the last group early */
} tpc_bench_opts;

/* Defaults: 20 samples, 1 ms, 10 ms, 99%, the monotonic clock. */
void tpc_bench_opts_init(tpc_bench_opts *o);

/* CLOCK_MONOTONIC in ns. */
uint64_t tpc_bench_clock_monotonic(void *ctx);

/* The median cost of one clock read-pair (an empty timed region), in ns. */
double tpc_bench_timer_overhead(void);

/* Time the n cases of a group as described above.  Allocates each case's ns
** and seq arrays (freed by tpc_bench_case_clear).  Returns TPC_OK (also when
** stopped: the cases hold the samples taken, nsamples may differ between
** cases by one, summaries cover what was taken, o->stopped is set) or
** TPC_ENOMEM. */
int tpc_bench_group_run(tpc_bench_case *cases, size_t n, tpc_bench_opts *o);

/* Recompute c->sum from c->ns (a sorted copy), at confidence level. */
int tpc_bench_case_summarize(tpc_bench_case *c, double level);

/* Free the results and call destroy; the case may then be reused. */
void tpc_bench_case_clear(tpc_bench_case *c);

#endif
