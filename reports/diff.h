/*
** What changed between two runs of one command: the comparison section of
** `tpc report --compare A B` and the gate of `tpc regress` (README.md).  The
** runs may sit in two databases (regress compares the fresh run with the
** baseline's).  Results are matched on their key (spec and size; problem,
** method and check; kernel case) and every change is an item with a level:
**
** bounds  FAIL: the new verdict is violated or error, or the verdict changed
**         to anything but pass; an empirical constant moved outside the old
**         run's confidence interval: the worst-point ratio outside
**         [lcb, ucb], the sup ratio above its upper bound, the smallest B/A
**         below its lower bound (deterministic specs: any change beyond a
**         relative 1e-9).  WARN: now inconclusive.  INFO: other changes.
** rate    FAIL: a changed Theorem 1 / PL verdict, or a violated one.  WARN:
**         a deterministic method's measured value changed (its trajectory
**         did).  INFO: the slack or a randomized measurement moved.
** any     a result of the earlier run that the later one lacks is FAIL (the
**         gate no longer checks it; a kernel case: WARN, another CPU may lack
**         an ISA path); a new result that does not pass is FAIL.
** bench   per kernel case, the ratio of the runs' timings each divided by
**         its own run's roofline floor, with the interval and test of
**         bench/compare.h.  A slowdown whose whole interval is beyond the
**         threshold is FAIL (WARN when timings only warn); everything else
**         is INFO.  Only timings of the same kernel path (store_bench.h) on
**         the same CPU model are compared: the floor does not make CPUs
**         alike (the same AVX-512 kernels sit at 1.0-1.7x their floor on one
**         Xeon and 1.8-3.5x on one EPYC), and another path is other code.
**         Any other pair is an INFO item "not comparable (X, Y)".
*/
#ifndef TPC_REPORT_DIFF_H
#define TPC_REPORT_DIFF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

typedef enum { TPC_DIFF_INFO = 0, TPC_DIFF_WARN, TPC_DIFF_FAIL } tpc_diff_level;

typedef struct tpc_diff_item {
  char area[8];        /* bounds, rate, bench */
  char key[256];       /* what was compared: the spec, problem and method, kernel case */
  char what[48];       /* the quantity: verdict, worst ratio, time/floor, ... */
  char before[48], after[48];
  char detail[320];    /* the interval, test or rule that decided the level */
  tpc_diff_level level;
} tpc_diff_item;

typedef struct tpc_diff {
  double threshold;    /* bench: relative slowdown that counts (0.05) */
  int timings_gate;    /* bench: 1 slowdowns FAIL, 0 they WARN */
  size_t n, cap;
  tpc_diff_item *item;
  size_t matched, only_before, only_after; /* result keys */
  size_t not_comparable;  /* bench cases matched but run on another path or CPU */
  size_t fails, warns;
  const char *names[2];   /* the runs as details name them: "before", "after" */
} tpc_diff;

void tpc_diff_init(tpc_diff *df, double threshold, int timings_gate);
void tpc_diff_free(tpc_diff *df);

/* Compare run `before` in store a with run `after` in store b (a and b may
** be the same store).  TPC_ESTORE, TPC_ENOMEM. */
int tpc_diff_bounds(tpc_diff *df, tpc_store *a, int64_t before, tpc_store *b, int64_t after);
int tpc_diff_rate(tpc_diff *df, tpc_store *a, int64_t before, tpc_store *b, int64_t after);
int tpc_diff_bench(tpc_diff *df, tpc_store *a, int64_t before, tpc_store *b, int64_t after);

/* "info", "warn", "fail". */
const char *tpc_diff_level_name(tpc_diff_level l);

/* The items at min_level or above, one per line, as a readable diff. */
void tpc_diff_print(FILE *out, const tpc_diff *df, tpc_diff_level min_level);

#endif
