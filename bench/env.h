/*
** The environment a `tpc bench` run measured in (bench_env, db/README.md):
** what the runs row already has (CPU model, cores, compiler and flags, git
** commit and dirty flag) repeated next to the timings, plus what only timings
** need: the frequency governor and turbo state when /sys exposes them, the
** clock and its cost, the read-bandwidth ISA, a forced kernel path
** (TPC_KERNEL), threads, and the peak resident set at the end.
*/
#ifndef TPC_BENCH_ENV_H
#define TPC_BENCH_ENV_H

typedef struct tpc_bench_env {
  const char *cpu_model;
  int cores;
  char governor[32];     /* "" when not readable */
  char turbo[8];         /* "on", "off", or "" when not readable */
  const char *compiler;
  const char *cflags;
  const char *git_commit;
  int git_dirty;
  int threads;
  const char *timer;     /* "CLOCK_MONOTONIC" */
  double timer_overhead_ns;
  const char *read_isa;  /* path of the read-bandwidth sum */
  char kernel_override[16]; /* TPC_KERNEL, "" when unset */
  long peak_rss_kib;     /* getrusage ru_maxrss of this process */
} tpc_bench_env;

/* Fill e for a run with `threads` threads (measures the clock's cost). */
void tpc_bench_env_read(tpc_bench_env *e, int threads);

/* Peak resident set of this process so far, KiB (0 when unknown). */
long tpc_bench_peak_rss_kib(void);

#endif
