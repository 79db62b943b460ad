/*
** A `tpc bench` run (the one entry point of the bench pipeline): for each
** dtype and each d, R rounds; in each round fresh inputs at new addresses,
** the kernels' groups in an order shuffled for that round (cases.h builds
** them; each group's cases are interleaved with the bandwidth cases, whose
** floors are so re-measured every round), and the TopK peers in the last
** round.  After the rounds each group's cases hold every round's samples;
** they are summarized (the pooled median with its within-round interval,
** the round-level intervals of rounds.h, the spread across rounds) and
** stored, one transaction per group, so that an interrupted run keeps the
** (dtype, d) blocks it finished and the rounds done of the one it was in.
**
** Each round runs in a forked child that allocates its own inputs, scratch
** and kernel state (new physical pages; random pads move their virtual
** addresses, run.c) and sends its samples back through a pipe: memory
** placement is one of the effects that differ between runs, and a process
** per round is what measures it.  A round that crashes is an error
** (TPC_ECHILD), never a hang.  The kernels run no OpenMP region, so the
** child is safe to fork from a process that has (tpc regress runs bench
** after rate).  glibc's mmap threshold is pinned so that large blocks are
** always fresh mappings, never recycled heap.
**
** With plan->instrument the run counts instructions instead of timing
** (instrument.h): one round, no samples, instructions per call per case.
*/
#ifndef TPC_BENCH_RUN_H
#define TPC_BENCH_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "bench/cases.h"
#include "bench/env.h"
#include "bench/harness.h"
#include "registry/registry.h"
#include "store/store.h"

/* What to run: the lists of `tpc bench`'s options, already checked. */
typedef struct tpc_bench_plan {
  const char *const *kernels;
  size_t nkernels;
  const size_t *d;
  size_t nd;
  const size_t *k;           /* --k, or none (nk == 0) and then */
  size_t nk;
  const double *ratio;       /* --ratio: k = max(1, round(ratio d)) */
  size_t nratio;
  const tpc_dtype *dtype;
  size_t ndtype;
  const char *const *impl;   /* --impl filters (none: every impl) */
  size_t nimpl;
  size_t rounds;             /* >= 1 */
  uint64_t seed;
  int threads;
  int instrument;            /* count instructions instead of timing */
} tpc_bench_plan;

/* What the command does along the way (any may be NULL). */
typedef struct tpc_bench_hooks {
  void *ctx;
  /* before the first case: the environment and the options */
  void (*started)(void *ctx, const tpc_bench_env *env, const tpc_bench_opts *o,
                  const tpc_bench_plan *p);
  /* around the timing of one group in one round (progress) */
  void (*group_begin)(void *ctx, const char *kernel, tpc_dtype dtype, size_t round);
  void (*group_end)(void *ctx);
  /* a group stored, with its rounds summarized */
  void (*group_stored)(void *ctx, const tpc_bench_case *cases, size_t n);
} tpc_bench_hooks;

typedef struct tpc_bench_outcome {
  char peers[512];      /* what the peer libraries were, or why skipped */
  long peak_rss_kib;
  const char *instrument;  /* "perf", "callgrind", or NULL when timed */
} tpc_bench_outcome;

/* Refuse a plan whose largest group cannot fit in this machine's available
** memory (tpc_sys_mem_available): its inputs and one dense output already
** exceed it, so it would be killed for memory midway.  TPC_EINPUT with the
** sizes; TPC_OK when it may fit or the memory is unknown. */
int tpc_bench_plan_check_memory(const tpc_bench_plan *p);

/* Build every plugin kernel of the plan at each of its d and k, in a
** sandboxed child (bounds/sandbox.h: the process that owns the database
** never runs a plugin's code; a Python plugin starts its interpreter there),
** so that a spec the plugin refuses is bad input before any run is stored:
** a type with a required parameter other than k, a k its constructor
** refuses.  TPC_OK at once when every kernel is a built-in; TPC_EINPUT with
** the plugin's message; TPC_ECHILD when the child crashed, hung or stop()
** asked (stop may be NULL). */
int tpc_bench_plan_check_plugins(const tpc_registry *reg, const tpc_bench_plan *p,
                                 int (*stop)(void));

/* Run plan p into run run_id of st (the bench_env row, then the groups).
** o holds the harness options (samples, stop, progress); o->stopped says
** whether it ended early.  An instrument run needs a counter this process
** can use (tpc_bench_counter_available; else the command re-runs itself
** under Valgrind, instrument.h).  TPC_OK, TPC_ENOMEM, TPC_ESTORE, TPC_EIO,
** TPC_EINPUT (a spec the registry refuses, a kernel no plugin provides) or
** TPC_ECHILD (a round crashed). */
int tpc_bench_run(const tpc_registry *reg, tpc_store *st, int64_t run_id,
                  const tpc_bench_plan *p, tpc_bench_opts *o, const tpc_bench_hooks *h,
                  tpc_bench_outcome *out);

/* Summarize a case's rounds: the pooled summary at o->level, the round-level
** intervals of the median and of the ratio to the floor (seeded by seed),
** the spread across rounds, and the floor as the median of the rounds'.
** TPC_OK or TPC_ENOMEM. */
int tpc_bench_case_summarize_rounds(tpc_bench_case *c, double level, uint64_t seed);

#endif
