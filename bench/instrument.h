/*
** `tpc bench --instrument instructions`: instructions per call of each
** kernel case, a count that does not depend on the machine's load, so that
** `tpc regress` can gate on it where timings only warn.
**
** Two counters, the first that works:
**   perf       perf_event_open(PERF_COUNT_HW_INSTRUCTIONS), user space only
**              (exclude_kernel, exclude_hv), enabled around each call.  Needs
**              a PMU the kernel exposes and perf_event_paranoid <= 2; a VM
**              without a virtual PMU (Firecracker) has none: ENOENT.
**   callgrind  Valgrind's callgrind: tpc re-runs itself under
**              valgrind --tool=callgrind --collect-atstart=no, and the re-run
**              brackets each call with the client requests of
**              <valgrind/callgrind.h> (CALLGRIND_TOGGLE_COLLECT), dumps
**              (CALLGRIND_DUMP_STATS_AT) once per case and reads the dump's
**              "summary:" total.  Exact and the same on every run, ~50 times
**              slower.  Valgrind 3.19 emulates no AVX-512: under it the
**              dispatch sees an AVX2 CPU, so the counts are those of the
**              avx2 and portable paths; the path is stored with every count,
**              and avx512 paths have counts only where perf works.
**
** What a count misses: time spent waiting on memory.  A kernel that streams
** 4 MiB can slow down by a worse access pattern (a gather, a second pass
** over data that no longer fits the cache) with barely more instructions,
** and a change of the instruction mix (a division, a mispredicted branch)
** costs time without more instructions.  The time comparison still sees
** those, with the round-level intervals of rounds.h, as warnings.
**
** Each kernel case is called once outside the count (first-touch page
** faults, lazy set-up), then CALLS times counted; in-place kernels are
** restored outside the count.
*/
#ifndef TPC_BENCH_INSTRUMENT_H
#define TPC_BENCH_INSTRUMENT_H

#include <stddef.h>

#include "bench/harness.h"

#define TPC_BENCH_COUNT_CALLS 3

/* Environment of the re-run under Valgrind: the callgrind output file's
** base name (dumps are BASE.1, BASE.2, ...) and the run it stores into. */
#define TPC_BENCH_ENV_CALLGRIND "TPC_BENCH_CALLGRIND_OUT"
#define TPC_BENCH_ENV_RUN "TPC_BENCH_RUN_ID"

typedef enum { TPC_COUNTER_PERF = 1, TPC_COUNTER_CALLGRIND } tpc_bench_counter_kind;

typedef struct tpc_bench_counter {
  tpc_bench_counter_kind kind;
  int fd;              /* perf */
  char dump[4096];     /* callgrind: the output file's base name */
  unsigned dumps;      /* callgrind: dumps made so far */
} tpc_bench_counter;

/* Whether this process can count: perf works, or it runs under callgrind
** with TPC_BENCH_CALLGRIND_OUT set.  When not, the command re-runs itself
** (tpc_bench_counter_rerun). */
int tpc_bench_counter_available(void);

/* Why instructions cannot be counted here at all (no perf counter and no
** valgrind to re-run under), NULL when they can: asked before a run starts. */
const char *tpc_bench_counter_missing(void);

/* Open the counter this process can use.  TPC_EIO with a message when none. */
int tpc_bench_counter_open(tpc_bench_counter *c);

/* "perf" or "callgrind". */
const char *tpc_bench_counter_name(const tpc_bench_counter *c);

/* Count each kernel case of a group (bandwidth cases are skipped): its
** instructions per call in c->instructions.  TPC_EIO when a count cannot be
** read. */
int tpc_bench_counter_group(tpc_bench_counter *ctr, tpc_bench_case *cases, size_t n);

void tpc_bench_counter_close(tpc_bench_counter *c);

/* Run this program again, with argv[1...], under valgrind --tool=callgrind,
** storing into run run_id, and wait for it: *code is its exit status (4 when
** it crashed).  An AddressSanitizer build, which valgrind cannot run, counts
** nothing: *code 3 (inconclusive) with a message.  TPC_OK, or TPC_EIO when
** valgrind cannot be started. */
int tpc_bench_counter_rerun(char *const *argv, long long run_id, int *code);

#endif
