/*
** The regression baseline as SQL text (baseline.h).
*/
#include "reports/baseline.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buildinfo.h"
#include "core/error.h"
#include "core/file.h"
#include "reports/buf.h"

/* The tables a baseline keeps, parents first (foreign keys). */
static const char *const tables[] = {"runs",      "bounds_specs", "rate_checks",
                                     "bench_env", "bench_cases",  "bench_samples",
                                     "bench_bandwidth"};

static void sql_value(tpc_buf *b, sqlite3_stmt *st, int col) {
  switch (sqlite3_column_type(st, col)) {
  case SQLITE_INTEGER: tpc_buf_printf(b, "%lld", sqlite3_column_int64(st, col)); break;
  case SQLITE_FLOAT: {
    double v = sqlite3_column_double(st, col);
    if (isinf(v)) tpc_buf_puts(b, v > 0 ? "9e999" : "-9e999");
    else tpc_buf_printf(b, "%.17g", v);
    break;
  }
  case SQLITE_TEXT: {
    const char *t = (const char *)sqlite3_column_text(st, col);
    tpc_buf_puts(b, "'");
    for (; *t; t++) {
      tpc_buf_putn(b, t, 1);
      if (*t == '\'') tpc_buf_putn(b, t, 1); /* SQL doubles a quote inside a string */
    }
    tpc_buf_puts(b, "'");
    break;
  }
  case SQLITE_NULL: tpc_buf_puts(b, "NULL"); break;
  default: tpc_buf_puts(b, "NULL"); /* no tpc table holds blobs */
  }
}

/* Every row of table whose run is one of `runs`, as INSERT statements. */
static int dump_table(sqlite3 *db, const char *table, const int64_t *runs, size_t n,
                      tpc_buf *out) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE %s = ?1 ORDER BY rowid", table,
           strcmp(table, "runs") ? "run_id" : "id");
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    return tpc_error(TPC_ESTORE, "baseline: %s", sqlite3_errmsg(db));
  int cols = sqlite3_column_count(st), step = SQLITE_DONE;
  for (size_t r = 0; r < n; r++) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, runs[r]);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
      tpc_buf_printf(out, "INSERT INTO %s (", table);
      for (int c = 0; c < cols; c++)
        tpc_buf_printf(out, "%s%s", c ? ", " : "", sqlite3_column_name(st, c));
      tpc_buf_puts(out, ") VALUES (");
      for (int c = 0; c < cols; c++) {
        if (c) tpc_buf_puts(out, ", ");
        sql_value(out, st, c);
      }
      tpc_buf_puts(out, ");\n");
    }
    if (step != SQLITE_DONE) break;
  }
  sqlite3_finalize(st);
  if (step != SQLITE_DONE) return tpc_error(TPC_ESTORE, "baseline: %s", sqlite3_errmsg(db));
  return TPC_OK;
}

int tpc_baseline_write(tpc_store *st, const int64_t *runs, size_t n, const char *path) {
  tpc_buf b = {0};
  tpc_buf_printf(&b,
                 "-- tpc regression baseline (tpc regress --update; tpc %s, commit %.12s%s).\n"
                 "-- Result rows of runs",
                 tpc_build_version(), tpc_build_commit(), tpc_build_dirty() ? ", modified" : "");
  for (size_t i = 0; i < n; i++) tpc_buf_printf(&b, " %" PRId64, runs[i]);
  tpc_buf_printf(&b, "; the schema is tpc's (version %d). Review changes like code.\n",
                 tpc_store_version());
  int rc = TPC_OK;
  for (size_t t = 0; !rc && t < sizeof tables / sizeof tables[0]; t++)
    rc = dump_table(tpc_store_db(st), tables[t], runs, n, &b);
  if (!rc && b.failed) rc = tpc_error(TPC_ENOMEM, "out of memory writing the baseline");
  if (!rc) rc = tpc_file_replace(path, b.s, b.len);
  tpc_buf_free(&b);
  return rc;
}

/* The baseline file's text; every failure to read it is the user's input.
** Only a regular file is opened (core/file.h): a FIFO would block. */
static int read_text(const char *path, tpc_buf *b) {
  if (access(path, F_OK) != 0)
    return tpc_error(TPC_EINPUT, "baseline %s: %s (write one with tpc regress --update)", path,
                     strerror(errno));
  int fd;
  int rc = tpc_file_open_regular(path, &fd);
  if (rc) return tpc_error_prefix(rc, "baseline: ");
  FILE *f = fdopen(fd, "r");
  if (!f) {
    close(fd);
    return tpc_error(TPC_ENOMEM, "out of memory reading %s", path);
  }
  rc = tpc_buf_read(b, f);
  fclose(f);
  if (rc) return tpc_error_prefix(TPC_EINPUT, "baseline %s: ", path); /* a read error */
  if (b->failed) return tpc_error(TPC_ENOMEM, "out of memory reading %s", path);
  if (memchr(tpc_buf_str(b), 0, b->len))
    return tpc_error(TPC_EINPUT, "baseline %s: not a text file", path);
  return TPC_OK;
}

int tpc_baseline_load(const char *path, const char *db_path, tpc_store **out) {
  *out = NULL;
  tpc_buf text = {0};
  int rc = read_text(path, &text);
  tpc_store *st = NULL;
  if (!rc) rc = tpc_store_open(db_path, &st);
  if (!rc) rc = tpc_store_begin(st);
  if (!rc) {
    char *msg = NULL;
    if (sqlite3_exec(tpc_store_db(st), tpc_buf_str(&text), NULL, NULL, &msg) != SQLITE_OK) {
      rc = tpc_error(TPC_EINPUT, "baseline %s is not a tpc baseline: %s", path,
                     msg ? msg : "SQL error");
      tpc_store_rollback(st);
    } else {
      rc = tpc_store_commit(st);
    }
    sqlite3_free(msg);
  }
  tpc_buf_free(&text);
  if (rc) tpc_store_close(st);
  else *out = st;
  return rc;
}

int tpc_baseline_runs(tpc_store *st, tpc_baseline_run *runs, size_t max, size_t *n) {
  sqlite3 *db = tpc_store_db(st);
  sqlite3_stmt *q;
  *n = 0;
  if (sqlite3_prepare_v2(db, "SELECT id, command, git_commit, seed FROM runs ORDER BY id", -1, &q,
                         NULL) != SQLITE_OK)
    return tpc_error(TPC_ESTORE, "baseline: %s", sqlite3_errmsg(db));
  int step;
  while ((step = sqlite3_step(q)) == SQLITE_ROW) {
    if (*n < max) {
      tpc_baseline_run *r = &runs[*n];
      const unsigned char *c = sqlite3_column_text(q, 1), *g = sqlite3_column_text(q, 2);
      r->id = sqlite3_column_int64(q, 0);
      r->seed = (uint64_t)sqlite3_column_int64(q, 3); /* stored as the signed 64 bits */
      snprintf(r->command, sizeof r->command, "%s", c ? (const char *)c : "");
      snprintf(r->commit, sizeof r->commit, "%s", g ? (const char *)g : "");
    }
    (*n)++;
  }
  sqlite3_finalize(q);
  if (step != SQLITE_DONE) return tpc_error(TPC_ESTORE, "baseline: %s", sqlite3_errmsg(db));
  return TPC_OK;
}
