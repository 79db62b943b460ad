/*
** The A/A test of `tpc bench calibrate` (calibrate.h): each case's rounds in
** two halves, compared, and the noise floors' median.
*/
#include "bench/calibrate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/vec.h"

void tpc_bench_calib_init(tpc_bench_calib *k, double threshold) {
  memset(k, 0, sizeof *k);
  k->threshold = threshold;
}

int tpc_bench_calib_add(tpc_bench_calib *k, const tpc_bench_case *c, tpc_bench_calib_case *out) {
  size_t h = c->rounds / 2;
  if (h == 0 || c->rounds - h > TPC_BENCH_CALIB_MAX_HALF) {
    k->few++;
    return 0;
  }
  /* the second half's sample offsets, from its own first sample */
  size_t first = c->round_end[h - 1], end_b[TPC_BENCH_CALIB_MAX_HALF];
  for (size_t r = h; r < c->rounds; r++) end_b[r - h] = c->round_end[r] - first;
  tpc_bench_rounds a = {c->ns, c->round_end, NULL, h};
  tpc_bench_rounds b = {c->ns + first, end_b, NULL, c->rounds - h};
  tpc_bench_cmp *m = &out->cmp;
  if (tpc_bench_compare(&a, &b, 0.99, k->threshold, (uint64_t)c->d ^ c->k, m) != TPC_OK) {
    tpc_error_clear();
    k->few++;
    return 0;
  }
  out->floor = fmax(m->hi / m->ratio, m->ratio / m->lo) - 1.0;
  out->false_verdict = m->verdict == TPC_BENCH_SLOWER || m->verdict == TPC_BENCH_FASTER;
  k->false_verdicts += out->false_verdict;
  k->few += m->few_rounds;
  if (k->cases < TPC_BENCH_CALIB_MAX_CASES) k->floors[k->cases] = out->floor;
  k->cases++;
  return 1;
}

void tpc_bench_calib_floors(tpc_bench_calib *k, double *median, double *largest) {
  size_t m = k->cases < TPC_BENCH_CALIB_MAX_CASES ? k->cases : TPC_BENCH_CALIB_MAX_CASES;
  qsort(k->floors, m, sizeof k->floors[0], tpc_vec_cmp_f64);
  *median = m ? k->floors[m / 2] : 0.0;
  *largest = m ? k->floors[m - 1] : 0.0;
}
