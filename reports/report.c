/*
** `tpc report` (report.h): choose the runs, then write the sections.
*/
#include "reports/report.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "reports/sections.h"

int tpc_rep_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st) {
  if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK) return TPC_OK;
  *st = NULL;
  return tpc_error(TPC_ESTORE, "report query failed: %s", sqlite3_errmsg(db));
}

int tpc_rep_done(sqlite3 *db, int step_rc) {
  if (step_rc == SQLITE_DONE) return TPC_OK;
  return tpc_error(TPC_ESTORE, "report query failed: %s", sqlite3_errmsg(db));
}

double tpc_rep_real(sqlite3_stmt *st, int col) {
  return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

const char *tpc_rep_text(sqlite3_stmt *st, int col) {
  const unsigned char *t = sqlite3_column_text(st, col);
  return t ? (const char *)t : "";
}

const char *tpc_rep_num(double v, int digits, char *buf, size_t size) {
  if (isnan(v)) snprintf(buf, size, "-");
  else if (isinf(v)) snprintf(buf, size, v > 0 ? "inf" : "-inf");
  else snprintf(buf, size, "%.*g", digits, v);
  return buf;
}

static int exec(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return TPC_OK;
  int rc = tpc_error(TPC_ESTORE, "report: %s", msg ? msg : sqlite3_errmsg(db));
  sqlite3_free(msg);
  return rc;
}

/* The newest result per key among the selected runs, one temp view per
** result table; the sections read only these, so "newest" means one thing
** everywhere.  A scaling law is one run's grid: the newest run per swept
** variable (rep_scaling).  Kernel cases have two: the newest timing (rep_cases) and the
** newest instruction count per path (rep_counts), so that a counted run
** does not hide the timings it has none of. */
static const char *const newest_views =
    "CREATE TEMP VIEW rep_bounds AS SELECT * FROM (SELECT b.*, row_number() OVER (PARTITION "
    "BY spec, d, n, dtype ORDER BY run_id DESC, id DESC) AS rn FROM bounds_specs b WHERE run_id IN "
    "(SELECT id FROM temp.report_runs)) WHERE rn = 1;"
    "CREATE TEMP VIEW rep_checks AS SELECT * FROM (SELECT c.*, row_number() OVER (PARTITION BY "
    "problem, method, ifnull(server, ''), check_kind, ifnull(theorem, '') ORDER BY run_id DESC, "
    "id DESC) AS rn FROM "
    "rate_checks c WHERE experiment IS NULL AND run_id IN (SELECT id FROM temp.report_runs)) "
    "WHERE rn = 1;"
    "CREATE TEMP VIEW rep_best AS SELECT * FROM (SELECT b.*, row_number() OVER (PARTITION BY "
    "experiment, ifnull(panel, ''), method ORDER BY run_id DESC, id DESC) AS rn FROM rate_best "
    "b WHERE run_id IN (SELECT id FROM temp.report_runs)) WHERE rn = 1;"
    "CREATE TEMP VIEW rep_cases AS SELECT * FROM (SELECT c.*, row_number() OVER (PARTITION BY "
    "role, kernel, dtype, d, ifnull(k, -1), impl ORDER BY run_id DESC, id DESC) AS rn FROM "
    "bench_cases c WHERE instructions IS NULL AND run_id IN (SELECT id FROM temp.report_runs)) "
    "WHERE rn = 1;"
    "CREATE TEMP VIEW rep_counts AS SELECT * FROM (SELECT c.*, row_number() OVER (PARTITION BY "
    "role, kernel, dtype, d, ifnull(k, -1), impl, path ORDER BY run_id DESC, id DESC) AS rn "
    "FROM bench_cases c WHERE instructions IS NOT NULL AND run_id IN (SELECT id FROM "
    "temp.report_runs)) WHERE rn = 1;"
    "CREATE TEMP VIEW rep_regress AS SELECT * FROM regress_runs WHERE updated = 0 AND run_id "
    "IN (SELECT id FROM temp.report_runs) ORDER BY run_id DESC LIMIT 1;"
    "CREATE TEMP VIEW rep_scaling AS SELECT * FROM scaling_fits WHERE run_id IN (SELECT "
    "max(run_id) FROM scaling_fits WHERE run_id IN (SELECT id FROM temp.report_runs) GROUP BY "
    "variable);"
    "CREATE TEMP VIEW rep_runs AS SELECT run_id AS id FROM rep_bounds UNION SELECT run_id "
    "FROM rep_checks UNION SELECT run_id FROM rep_best UNION SELECT run_id FROM rep_cases "
    "UNION SELECT run_id FROM rep_counts UNION SELECT run_id FROM rep_regress UNION SELECT "
    "run_id FROM rep_scaling;";

/* temp.report_runs: the runs named, each checked to exist, or every run
** that is not still running (an abandoned run's finished rows count: its
** process is gone, store.h). */
static int select_runs(sqlite3 *db, const tpc_report_opts *o) {
  int rc = exec(db, "CREATE TEMP TABLE report_runs (id INTEGER PRIMARY KEY)");
  if (!rc) rc = exec(db, newest_views);
  if (rc) return rc;
  if (!o->nruns)
    return exec(db, "INSERT INTO temp.report_runs SELECT id FROM runs WHERE "
                    TPC_STORE_RUN_STATUS("runs") " <> 'running'");
  sqlite3_stmt *st;
  rc = tpc_rep_prepare(db, "INSERT OR IGNORE INTO temp.report_runs SELECT id FROM runs WHERE id = ?1",
                       &st);
  for (size_t i = 0; !rc && i < o->nruns; i++) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, o->runs[i]);
    if (sqlite3_step(st) != SQLITE_DONE) rc = tpc_rep_done(db, SQLITE_ERROR);
    else if (sqlite3_changes(db) == 0) {
      /* a repeated id changes nothing either: tell them apart */
      sqlite3_stmt *q;
      rc = tpc_rep_prepare(db, "SELECT 1 FROM runs WHERE id = ?1", &q);
      if (!rc) {
        sqlite3_bind_int64(q, 1, o->runs[i]);
        if (sqlite3_step(q) != SQLITE_ROW)
          rc = tpc_error(TPC_EINPUT, "--run %" PRId64 ": there is no such run", o->runs[i]);
        sqlite3_finalize(q);
      }
    }
  }
  sqlite3_finalize(st);
  return rc;
}

/* The "Runs" section: the runs whose results the report shows, with
** provenance. */
static int runs_section(tpc_doc *d, sqlite3 *db, tpc_report_summary *sum) {
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(
      db,
      "SELECT id, command, " TPC_STORE_RUN_STATUS("runs") ", started_at, substr(git_commit, 1, "
      "12), git_dirty, cpu_model, threads, argv FROM runs WHERE id IN (SELECT id FROM "
      "temp.rep_runs) ORDER BY id",
      &st);
  if (rc) return rc;
  tpc_doc_section(d, "runs", "Runs");
  static const char *const h[] = {"run", "<command", "!status", "<started (UTC)",
                                  "<commit", "<CPU", "threads", "<command line"};
  int step, n = 0;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (n++ == 0) tpc_doc_table(d, 8, h);
    char id[24], commit[32], threads[16];
    snprintf(id, sizeof id, "%lld", (long long)sqlite3_column_int64(st, 0));
    snprintf(commit, sizeof commit, "%s%s", tpc_rep_text(st, 4),
             sqlite3_column_int(st, 5) ? " (modified)" : "");
    snprintf(threads, sizeof threads, "%d", sqlite3_column_int(st, 7));
    const char *status = tpc_rep_text(st, 2);
    const char *cells[] = {id,     tpc_rep_text(st, 1), status, tpc_rep_text(st, 3),
                           commit, tpc_rep_text(st, 6), threads, tpc_rep_text(st, 8)};
    tpc_doc_row(d, cells,
                !strcmp(status, "ok") ? "pass" : !strcmp(status, "failed") ? "fail" : "warn");
  }
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  if (n) tpc_doc_table_end(d);
  else tpc_doc_empty(d, "The database has no finished run: run tpc bounds, rate or bench first.");
  sum->runs = n;
  return rc;
}

static void header_line(const tpc_report_opts *o, char *buf, size_t size) {
  char when[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
  snprintf(buf, size, "Database %s, generated %s. %s", o->db_path ? o->db_path : "?", when,
           o->nruns ? "Results of the runs named (--run)."
                    : "Of every result, the newest (per spec, per problem and method, per "
                      "kernel case).");
}

int tpc_report_write(tpc_store *st, const tpc_report_opts *o, tpc_report_summary *sum) {
  sqlite3 *db = tpc_store_db(st);
  memset(sum, 0, sizeof *sum);
  tpc_doc doc;
  char cmd[32];
  int rc = select_runs(db, o); /* bad input is refused before anything is written */
  if (!rc && o->compare_a)
    rc = tpc_report_compare_check(db, o->compare_a, o->compare_b, cmd, sizeof cmd);
  if (rc) return rc;
  rc = tpc_doc_init(&doc, o->out);
  if (!rc) rc = runs_section(&doc, db, sum);
  if (!rc) rc = tpc_report_bounds(&doc, db, sum);
  if (!rc) rc = tpc_report_theorems(&doc, db, sum);
  if (!rc) rc = tpc_report_rates(&doc, db, sum);
  if (!rc) rc = tpc_report_kernels(&doc, db, sum);
  if (!rc) rc = tpc_report_regress(&doc, db);
  if (!rc && o->compare_a)
    rc = tpc_report_compare(&doc, st, o->compare_a, o->compare_b, o->threshold);
  char meta[512];
  header_line(o, meta, sizeof meta);
  if (!rc) rc = tpc_doc_write(&doc, "tpc report", meta);
  sum->figures = doc.figures;
  tpc_doc_free(&doc);
  return rc;
}
