/*
** The regress tables (store_regress.h): prepared INSERTs in one transaction
** and the count of violated checks among a regress run's steps.
*/
#include "reports/store_regress.h"

#include "core/error.h"

static int bind_count(sqlite3_stmt *st, int col, size_t v) {
  return sqlite3_bind_int64(st, col, (sqlite3_int64)v);
}

static int insert_run(sqlite3 *db, const tpc_regress_record *r) {
  sqlite3_stmt *s;
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO regress_runs (run_id, baseline, baseline_commit, "
                         "timings, threshold, updated, matched, only_baseline, "
                         "only_current, fails, warns, not_comparable) VALUES (?1, ?2, "
                         "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                         -1, &s, NULL) != SQLITE_OK)
    return 0;
  const tpc_diff *df = r->diff;
  sqlite3_bind_int64(s, 1, r->run_id);
  sqlite3_bind_text(s, 2, r->baseline, -1, SQLITE_STATIC);
  if (r->baseline_commit) sqlite3_bind_text(s, 3, r->baseline_commit, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 4, r->timings_gate ? "gate" : "warn", -1, SQLITE_STATIC);
  sqlite3_bind_double(s, 5, r->threshold);
  sqlite3_bind_int(s, 6, r->updated);
  if (df) {
    bind_count(s, 7, df->matched);
    bind_count(s, 8, df->only_before);
    bind_count(s, 9, df->only_after);
    bind_count(s, 10, df->fails);
    bind_count(s, 11, df->warns);
    bind_count(s, 12, df->not_comparable);
  }
  int ok = sqlite3_step(s) == SQLITE_DONE;
  sqlite3_finalize(s);
  return ok;
}

static int insert_steps(sqlite3 *db, const tpc_regress_record *r) {
  sqlite3_stmt *s;
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO regress_steps (run_id, step, command, step_run, "
                         "baseline_run) VALUES (?1, ?2, ?3, ?4, ?5)",
                         -1, &s, NULL) != SQLITE_OK)
    return 0;
  int ok = 1;
  for (size_t k = 0; ok && k < r->nsteps; k++) {
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, r->run_id);
    bind_count(s, 2, k);
    sqlite3_bind_text(s, 3, r->commands[k], -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, r->step_runs[k]);
    if (r->base_runs) sqlite3_bind_int64(s, 5, r->base_runs[k]);
    else sqlite3_bind_null(s, 5);
    ok = sqlite3_step(s) == SQLITE_DONE;
  }
  sqlite3_finalize(s);
  return ok;
}

static int insert_items(sqlite3 *db, const tpc_regress_record *r) {
  sqlite3_stmt *s;
  if (!r->diff) return 1;
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO regress_items (run_id, seq, area, result, quantity, "
                         "baseline, current, detail, level) VALUES (?1, ?2, ?3, ?4, ?5, "
                         "?6, ?7, ?8, ?9)",
                         -1, &s, NULL) != SQLITE_OK)
    return 0;
  int ok = 1;
  for (size_t i = 0; ok && i < r->diff->n; i++) {
    const tpc_diff_item *d = &r->diff->item[i];
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, r->run_id);
    bind_count(s, 2, i);
    const char *text[] = {d->area, d->key, d->what, d->before, d->after, d->detail,
                          tpc_diff_level_name(d->level)};
    for (int c = 0; c < 7; c++) sqlite3_bind_text(s, 3 + c, text[c], -1, SQLITE_STATIC);
    ok = sqlite3_step(s) == SQLITE_DONE;
  }
  sqlite3_finalize(s);
  return ok;
}

int tpc_regress_store(tpc_store *st, const tpc_regress_record *r) {
  int rc = tpc_store_begin(st);
  if (rc) return rc;
  sqlite3 *db = tpc_store_db(st);
  if (!(insert_run(db, r) && insert_steps(db, r) && insert_items(db, r))) {
    rc = tpc_error(TPC_ESTORE, "storing the regress result: %s", sqlite3_errmsg(db));
    tpc_store_rollback(st);
    return rc;
  }
  return tpc_store_commit(st);
}

int tpc_regress_count_violations(tpc_store *st, int64_t run_id, int64_t *n) {
  sqlite3 *db = tpc_store_db(st);
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(db,
                         "SELECT (SELECT count(*) FROM bounds_specs WHERE verdict IN "
                         "('violated', 'error') AND run_id IN (SELECT step_run FROM "
                         "regress_steps WHERE run_id = ?1)) + (SELECT count(*) FROM "
                         "rate_checks WHERE verdict = 'violated' AND run_id IN (SELECT "
                         "step_run FROM regress_steps WHERE run_id = ?1))",
                         -1, &q, NULL) != SQLITE_OK)
    return tpc_error(TPC_ESTORE, "regress: %s", sqlite3_errmsg(db));
  sqlite3_bind_int64(q, 1, run_id);
  *n = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
  sqlite3_finalize(q);
  return *n < 0 ? tpc_error(TPC_ESTORE, "regress: %s", sqlite3_errmsg(db)) : TPC_OK;
}
