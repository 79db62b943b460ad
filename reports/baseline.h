/*
** The regression baseline (`tpc regress --baseline db/baseline.sql`): the
** result rows of the runs of one regress set (bounds, rate, bench runs), as
** SQL text that is committed to the repository and reviewed like code.
**
** The file holds INSERT statements only, with explicit column names; the
** schema comes from this tpc's migrations.  Migrations only add tables and
** columns (db/README.md), so a baseline written by an older tpc still loads.
** Reals are written with 17 significant digits (exact), infinities as
** 9e999.  Only what the comparison reads is kept: runs (less the process a
** run ran in: pid, pid_start, boot_id, settings, resumed), bounds_specs,
** rate_checks and the bench tables, not the points and trajectories.
*/
#ifndef TPC_REPORT_BASELINE_H
#define TPC_REPORT_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Write the rows of `runs` (n ids) from st to path (to path.tmp, then
** renamed).  TPC_EIO, TPC_ESTORE, TPC_ENOMEM. */
int tpc_baseline_write(tpc_store *st, const int64_t *runs, size_t n, const char *path);

/* Load path into a new database at db_path (a scratch file the caller
** removes), migrated to this tpc's schema.  Only INSERT statements into the
** baseline's tables run: any other statement (ATTACH, PRAGMA, CREATE, UPDATE,
** a function call, ...) is refused before it runs, and nothing of the file
** stays.  TPC_EINPUT with the file, the line and why when it is missing or
** not a baseline. */
int tpc_baseline_load(const char *path, const char *db_path, tpc_store **out);

/* The baseline's runs in id order (the order they were made): at most max
** in runs, how many there are in *n. */
typedef struct tpc_baseline_run {
  int64_t id;
  char command[16];
  char commit[48];
  uint64_t seed;      /* the run's --seed */
} tpc_baseline_run;

int tpc_baseline_runs(tpc_store *st, tpc_baseline_run *runs, size_t max, size_t *n);

#endif
