/*
** Report sections built on reports/diff.h: "Comparison" (`tpc report
** --compare A B`), what changed between two runs of one command, item by
** item, with the rule that judged each change; and "CI gate", the newest
** `tpc regress` run's differences from its baseline.
*/
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "reports/diff.h"
#include "reports/sections.h"

static int run_command(sqlite3 *db, int64_t id, char *cmd, size_t size) {
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db, "SELECT command FROM runs WHERE id = ?1", &st);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, id);
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW) snprintf(cmd, size, "%s", tpc_rep_text(st, 0));
  else if (step == SQLITE_DONE) rc = tpc_error(TPC_EINPUT, "--compare: there is no run %" PRId64, id);
  else rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  return rc;
}

int tpc_report_compare_check(sqlite3 *db, int64_t a, int64_t b, char *cmd, size_t size) {
  char cb[32];
  int rc = run_command(db, a, cmd, size);
  if (!rc) rc = run_command(db, b, cb, sizeof cb);
  if (rc) return rc;
  if (strcmp(cmd, cb))
    return tpc_error(TPC_EINPUT, "--compare: run %" PRId64 " is a %s run and run %" PRId64
                     " a %s run; compare two runs of one command", a, cmd, b, cb);
  if (strcmp(cmd, "bounds") && strcmp(cmd, "rate") && strcmp(cmd, "bench"))
    return tpc_error(TPC_EINPUT, "--compare: runs of '%s' have no results to compare", cmd);
  return TPC_OK;
}

int tpc_report_compare(tpc_doc *doc, tpc_store *st, int64_t a, int64_t b, double threshold) {
  char cmd[32];
  int rc = tpc_report_compare_check(tpc_store_db(st), a, b, cmd, sizeof cmd);
  if (rc) return rc;
  tpc_diff df;
  tpc_diff_init(&df, threshold, 1);
  if (!strcmp(cmd, "bounds")) rc = tpc_diff_bounds(&df, st, a, st, b);
  else if (!strcmp(cmd, "rate")) rc = tpc_diff_rate(&df, st, a, st, b);
  else rc = tpc_diff_bench(&df, st, a, st, b);
  if (rc) {
    tpc_diff_free(&df);
    return rc;
  }
  char title[96];
  snprintf(title, sizeof title, "Comparison: run %" PRId64 " -> run %" PRId64 " (%s)", a, b, cmd);
  tpc_doc_section(doc, "comparison", title);
  tpc_doc_text(doc,
               "%zu results matched, %zu only in run %" PRId64 ", %zu only in run %" PRId64
               "; %zu changes that fail, %zu that warn, %zu for information. Timings are "
               "compared as multiples of each run's roofline floor, threshold %g%%.",
               df.matched, df.only_before, a, df.only_after, b, df.fails, df.warns,
               df.n - df.fails - df.warns, 100 * threshold);
  if (df.n) {
    static const char *const h[] = {"<area", "<result", "<quantity", "<run A", "<run B",
                                    "!level", "<why"};
    tpc_doc_table(doc, 7, h);
    for (size_t i = 0; i < df.n; i++) {
      const tpc_diff_item *it = &df.item[i];
      const char *cells[] = {it->area,  it->key, it->what, it->before, it->after,
                             tpc_diff_level_name(it->level), it->detail};
      tpc_doc_row(doc, cells,
                  it->level == TPC_DIFF_FAIL   ? "fail"
                  : it->level == TPC_DIFF_WARN ? "warn"
                                               : "info");
    }
    tpc_doc_table_end(doc);
  } else {
    tpc_doc_empty(doc, "No result changed.");
  }
  tpc_diff_free(&df);
  return TPC_OK;
}

/* The newest regress run among the selected: its verdict against the
** baseline and every difference that failed or warned. */
int tpc_report_regress(tpc_doc *doc, sqlite3 *db) {
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db,
                           "SELECT g.run_id, g.baseline, substr(g.baseline_commit, 1, 12), "
                           "g.matched, g.fails, g.warns, g.timings, " TPC_STORE_RUN_STATUS("r") ", "
                           "r.started_at "
                           "FROM temp.rep_regress g JOIN runs r ON r.id = g.run_id",
                           &st);
  if (rc) return rc;
  int step = sqlite3_step(st);
  if (step != SQLITE_ROW) {
    sqlite3_finalize(st);
    return tpc_rep_done(db, step);
  }
  int64_t run = sqlite3_column_int64(st, 0);
  tpc_doc_section(doc, "regress", "CI gate (tpc regress)");
  tpc_doc_text(doc,
               "Run %" PRId64 " (%s, %s) against %s (commit %s): %d results matched, %d "
               "failure(s), %d warning(s); timings %s.",
               run, tpc_rep_text(st, 8), tpc_rep_text(st, 7), tpc_rep_text(st, 1),
               tpc_rep_text(st, 2), sqlite3_column_int(st, 3), sqlite3_column_int(st, 4),
               sqlite3_column_int(st, 5),
               strcmp(tpc_rep_text(st, 6), "gate") ? "only warn" : "gate");
  sqlite3_finalize(st);
  rc = tpc_rep_prepare(db,
                       "SELECT area, result, quantity, baseline, current, level, detail FROM "
                       "regress_items WHERE run_id = ?1 AND level <> 'info' ORDER BY seq",
                       &st);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, run);
  static const char *const h[] = {"<area", "<result", "<quantity", "<baseline", "<now",
                                  "!level", "<why"};
  int n = 0;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (n++ == 0) tpc_doc_table(doc, 7, h);
    const char *cells[7];
    for (int c = 0; c < 7; c++) cells[c] = tpc_rep_text(st, c);
    tpc_doc_row(doc, cells, strcmp(cells[5], "fail") ? "warn" : "fail");
  }
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  if (n) tpc_doc_table_end(doc);
  return rc;
}
