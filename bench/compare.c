/*
** The comparison of two runs of one case (compare.h): a ratio with its
** interval, the Mann-Whitney p-value, and the verdict against the threshold.
*/
#include "bench/compare.h"

#include "bench/stats.h"
#include "core/error.h"

const char *tpc_bench_verdict_name(tpc_bench_verdict v) {
  static const char *const names[] = {"same", "slower", "faster", "unclear"};
  return names[v];
}

int tpc_bench_compare(const double *a, size_t na, const double *b, size_t nb,
                      double level, double threshold, tpc_bench_cmp *out) {
  if (na == 0 || nb == 0) return tpc_error(TPC_EINPUT, "compare: a run has no samples");
  int rc = tpc_bench_ratio_ci(a, na, b, nb, level, &out->ratio, &out->lo, &out->hi);
  if (!rc) rc = tpc_bench_mann_whitney(b, nb, a, na, &out->u, &out->p);
  if (rc) return rc;
  double up = 1.0 + threshold, down = 1.0 / up;
  if (out->lo > up) out->verdict = TPC_BENCH_SLOWER;
  else if (out->hi < down) out->verdict = TPC_BENCH_FASTER;
  else if (out->lo >= down && out->hi <= up) out->verdict = TPC_BENCH_SAME;
  else out->verdict = TPC_BENCH_UNCLEAR;
  return TPC_OK;
}
