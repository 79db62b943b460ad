/*
** `tpc rate --time`: the cost of an Algorithm 1 iteration next to what it
** cannot avoid, measured in the same process (bench/rate_time.c).  Timing
** belongs to the benchmark layer: its read pass is the roofline's (the
** widest vectorized sum the CPU runs), so the floor moves bytes as fast as
** `tpc bench` shows this machine can.
*/
#ifndef TPC_BENCH_RATE_TIME_H
#define TPC_BENCH_RATE_TIME_H

#include <stddef.h>

#include "methods/alg1.h"
#include "problems/problem.h"

typedef struct tpc_rate_timing {
  double iter_ns;          /* one Algorithm 1 iteration (mean over the run) */
  double data_pass_ns;     /* reading data_bytes bytes once at the read bandwidth */
  double grad_pass_ns;     /* all n local gradients at one point */
  double state_pass_ns;    /* reading the n client states (n d doubles) once */
  size_t data_bytes;
  int threads;             /* of the iterations, and of each pass above */
  long peak_rss_kib;       /* the process's peak resident set so far */
} tpc_rate_timing;

/* Time one pass over data_bytes bytes, the gradient oracle at x (d values:
** the point where the run stopped, since a gradient's cost can depend on
** the point: exp(0) is a fast path, and logreg starts at 0) and a pass over
** n d doubles (each the median of repeated passes, warm), on the run's
** `threads` (as many as Algorithm 1 uses: tpc_alg1_threads), and fill the
** rest from the finished run r.  TPC_ENOMEM. */
int tpc_rate_time(const tpc_problem *p, const double *x, const tpc_alg1_result *r,
                  int threads, tpc_rate_timing *out);

#endif
