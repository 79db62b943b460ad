/*
** `tpc regress` rows in the SQLite store (db/005_regress.sql, db/README.md):
** one regress_runs row with the outcome, one regress_steps row per step of
** the fixed set, one regress_items row per difference found.  They sit
** beside reports/diff.h, whose items they store, as bench/store_bench.c sits
** beside the bench.
*/
#ifndef TPC_REPORTS_STORE_REGRESS_H
#define TPC_REPORTS_STORE_REGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "reports/diff.h"
#include "store/store.h"

/* One regress run's outcome. */
typedef struct tpc_regress_record {
  int64_t run_id;
  const char *baseline;        /* the baseline file */
  const char *baseline_commit; /* NULL with --update (nothing was compared) */
  int timings_gate;
  double threshold;
  int updated;                 /* --update */
  const tpc_diff *diff;        /* NULL with --update */
  size_t nsteps;
  const char *const *commands; /* each step's command: "bounds", "rate", "bench" */
  const int64_t *step_runs;    /* the run each step made */
  const int64_t *base_runs;    /* the baseline's run of each step; NULL with --update */
} tpc_regress_record;

/* The rows of r, in one transaction.  TPC_ESTORE. */
int tpc_regress_store(tpc_store *st, const tpc_regress_record *r);

/* The violated bounds and theorem checks among the runs regress run
** run_id made (a result that must not become a baseline).  TPC_ESTORE. */
int tpc_regress_count_violations(tpc_store *st, int64_t run_id, int64_t *n);

#endif
