/*
** The A/A test of `tpc bench calibrate`: one build timed in 2 R rounds, each
** case's first R rounds compared with its last R (compare.h).  The build is
** the same, so a "slower" or "faster" verdict is a false alarm, and the
** ratio interval's half-width is the noise floor: the smallest change R
** rounds can resolve on this machine.
*/
#ifndef TPC_BENCH_CALIBRATE_H
#define TPC_BENCH_CALIBRATE_H

#include <stddef.h>

#include "bench/compare.h"
#include "bench/harness.h"

/* The most rounds in a half, and the most cases whose floors are kept for
** their median. */
#define TPC_BENCH_CALIB_MAX_HALF 1000
#define TPC_BENCH_CALIB_MAX_CASES 4096

/* The A/A test so far: cases compared, their false verdicts, cases without a
** verdict (too few rounds, or samples the comparison refuses), and the
** noise floor of each compared case. */
typedef struct tpc_bench_calib {
  double threshold;
  size_t cases, false_verdicts, few;
  double floors[TPC_BENCH_CALIB_MAX_CASES];
} tpc_bench_calib;

/* One case's halves compared: B (the second half) over A (the first). */
typedef struct tpc_bench_calib_case {
  tpc_bench_cmp cmp;
  double floor;      /* max(hi / ratio, ratio / lo) - 1 */
  int false_verdict; /* slower or faster */
} tpc_bench_calib_case;

void tpc_bench_calib_init(tpc_bench_calib *k, double threshold);

/* Split case c's rounds into halves and compare them (99%, k->threshold,
** seeded by d and k); count the result in *k.  Returns 1 with *out filled,
** or 0 when the case cannot be compared (fewer than 2 rounds, a half of
** more than TPC_BENCH_CALIB_MAX_HALF, samples tpc_bench_compare refuses):
** counted in k->few. */
int tpc_bench_calib_add(tpc_bench_calib *k, const tpc_bench_case *c, tpc_bench_calib_case *out);

/* The median (the upper one of an even count) and the largest of the
** cases' noise floors, 0 when none; sorts k->floors. */
void tpc_bench_calib_floors(tpc_bench_calib *k, double *median, double *largest);

#endif
