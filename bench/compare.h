/*
** Two runs of one case, compared (`tpc bench compare RUN_A RUN_B`).
**
** The effect is the ratio r of B's timings to A's.  Its estimate and interval
** come from the Hodges-Lehmann / Moses construction on log timings
** (stats.h): it uses every pair of samples, is distribution-free under the
** model "B = r times A" (a slowdown scales the whole distribution), and is
** the interval that inverts the Mann-Whitney test reported beside it, so the
** p-value and the interval never disagree.  Combining the two medians'
** order-statistic intervals would be valid too, but far wider (each side
** pays its own 99%).
**
** Verdicts, with t the threshold (0.05 by default):
**   slower   the whole interval lies above 1 + t: a regression (exit 1)
**   faster   the whole interval lies below 1 / (1 + t)
**   same     the interval lies inside [1 / (1 + t), 1 + t]
**   unclear  otherwise (not enough samples to tell at this threshold)
*/
#ifndef TPC_BENCH_COMPARE_H
#define TPC_BENCH_COMPARE_H

#include <stddef.h>

typedef enum {
  TPC_BENCH_SAME = 0,
  TPC_BENCH_SLOWER,
  TPC_BENCH_FASTER,
  TPC_BENCH_UNCLEAR
} tpc_bench_verdict;

typedef struct tpc_bench_cmp {
  double ratio;      /* Hodges-Lehmann estimate of B / A */
  double lo, hi;     /* its interval at the level asked */
  double u;          /* Mann-Whitney U of B against A */
  double p;          /* two-sided p-value */
  tpc_bench_verdict verdict;
} tpc_bench_cmp;

/* "same", "slower", "faster", "unclear". */
const char *tpc_bench_verdict_name(tpc_bench_verdict v);

/* Compare samples b (run B) with a (run A), all > 0, at `level` (0.99) and
** `threshold` (0.05).  TPC_OK, TPC_EINPUT (a sample <= 0 or empty), or
** TPC_ENOMEM. */
int tpc_bench_compare(const double *a, size_t na, const double *b, size_t nb,
                      double level, double threshold, tpc_bench_cmp *out);

#endif
