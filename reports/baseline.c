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
                                     "bench_bandwidth", "bench_rounds"};

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

/* Columns of runs that describe the process a run ran in (db/README.md,
** migration 8): noise in a reviewed file, and meaningless for a baseline,
** which no process runs or resumes. */
static int dump_skips(const char *table, const char *column) {
  static const char *const process[] = {"pid", "pid_start", "boot_id", "settings", "resumed"};
  if (strcmp(table, "runs")) return 0;
  for (size_t i = 0; i < sizeof process / sizeof process[0]; i++)
    if (!strcmp(column, process[i])) return 1;
  return 0;
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
      for (int c = 0, shown = 0; c < cols; c++)
        if (!dump_skips(table, sqlite3_column_name(st, c)))
          tpc_buf_printf(out, "%s%s", shown++ ? ", " : "", sqlite3_column_name(st, c));
      tpc_buf_puts(out, ") VALUES (");
      for (int c = 0, shown = 0; c < cols; c++) {
        if (dump_skips(table, sqlite3_column_name(st, c))) continue;
        if (shown++) tpc_buf_puts(out, ", ");
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

/* ---- loading: only INSERTs into the tables above ---------------------------
**
** A baseline is a file a pull request can change, so loading it must not be
** able to write anywhere but its scratch database.  Each statement is
** prepared on its own under an authorizer that allows only an INSERT into
** one of `tables` (and reading those tables, which the foreign keys do), and
** refuses everything else (ATTACH, PRAGMA, schema changes, UPDATE, DELETE,
** transactions, and every function call: load_extension, readfile, ...).  A
** statement that asks for no INSERT at all (VACUUM INTO asks for nothing),
** or returns rows, is refused too.  The connection is also made defensive,
** with extension loading off and no database to attach. */

/* Names of the authorizer's action codes, for the message (sqlite3.h). */
static const char *const action_names[] = {
    "COPY", "CREATE INDEX", "CREATE TABLE", "CREATE TEMP INDEX", "CREATE TEMP TABLE",
    "CREATE TEMP TRIGGER", "CREATE TEMP VIEW", "CREATE TRIGGER", "CREATE VIEW", "DELETE",
    "DROP INDEX", "DROP TABLE", "DROP TEMP INDEX", "DROP TEMP TABLE", "DROP TEMP TRIGGER",
    "DROP TEMP VIEW", "DROP TRIGGER", "DROP VIEW", "INSERT", "PRAGMA", "READ", "SELECT",
    "TRANSACTION", "UPDATE", "ATTACH", "DETACH", "ALTER TABLE", "REINDEX", "ANALYZE",
    "CREATE VIRTUAL TABLE", "DROP VIRTUAL TABLE", "FUNCTION", "SAVEPOINT", "RECURSIVE"};

/* What the authorizer saw of the statement being prepared. */
typedef struct load_guard {
  int inserts;        /* INSERTs into a baseline table */
  char refused[160];  /* why it denied the statement; "" while allowed */
} load_guard;

static int is_baseline_table(const char *db_name, const char *table) {
  if (!table || !db_name || strcmp(db_name, "main")) return 0;
  for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
    if (!strcmp(table, tables[t])) return 1;
  return 0;
}

/* Deny, keeping the first reason: what was asked and of what. */
static int guard_deny(load_guard *g, const char *what, const char *object) {
  if (!g->refused[0])
    snprintf(g->refused, sizeof g->refused, "%s%s%s", what, object ? " " : "",
             object ? object : "");
  return SQLITE_DENY;
}

static int guard_authorize(void *ctx, int action, const char *a1, const char *a2,
                           const char *db_name, const char *trigger) {
  (void)trigger;
  load_guard *g = ctx;
  switch (action) {
  case SQLITE_INSERT:
    if (!is_baseline_table(db_name, a1)) return guard_deny(g, "INSERT into the table", a1);
    g->inserts++;
    return SQLITE_OK;
  case SQLITE_READ:
    return is_baseline_table(db_name, a1) ? SQLITE_OK : guard_deny(g, "reading", a1);
  case SQLITE_SELECT: return SQLITE_OK; /* VALUES (...), (...) is a compound SELECT */
  case SQLITE_FUNCTION: return guard_deny(g, "calling the function", a2);
  default:
    if (action < 0 || (size_t)action >= sizeof action_names / sizeof action_names[0])
      return guard_deny(g, "an SQL action SQLite added after this tpc", NULL);
    return guard_deny(g, action_names[action], a1);
  }
}

/* Where the next statement starts: past blanks and comments. */
static const char *skip_blank(const char *p) {
  for (;;) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (p[0] == '-' && p[1] == '-') {
      p += strcspn(p, "\n");
    } else if (p[0] == '/' && p[1] == '*') {
      const char *end = strstr(p + 2, "*/");
      if (!end) return p; /* SQLite reports the unterminated comment */
      p = end + 2;
    } else {
      return p;
    }
  }
}

static int line_of(const char *text, const char *at) {
  int line = 1;
  for (const char *p = text; p < at; p++) line += *p == '\n';
  return line;
}

/* The refusal of the statement at `at`, quoting its first line. */
static int load_refuse(const char *path, const char *text, const char *at, const char *why) {
  int len = (int)strcspn(at, "\n");
  return tpc_error(TPC_EINPUT,
                   "baseline %s line %d is not a tpc baseline statement: %s (a baseline "
                   "holds only INSERT statements into runs, bounds_specs, rate_checks and "
                   "the bench tables): %.*s%s",
                   path, line_of(text, at), why, len > 80 ? 80 : len, at,
                   len > 80 ? "..." : "");
}

/* Prepare and run one statement under the guard; *tail past it. */
static int load_statement(sqlite3 *db, const char *path, const char *text, const char **tail) {
  const char *at = skip_blank(*tail);
  load_guard g = {0};
  sqlite3_set_authorizer(db, guard_authorize, &g);
  sqlite3_stmt *st = NULL;
  int prc = sqlite3_prepare_v2(db, at, -1, &st, tail);
  sqlite3_set_authorizer(db, NULL, NULL);
  if (prc != SQLITE_OK)
    return load_refuse(path, text, at, g.refused[0] ? g.refused : sqlite3_errmsg(db));
  if (!st) return TPC_OK; /* only blanks and comments were left */
  int rc = TPC_OK;
  if (!g.inserts)
    rc = load_refuse(path, text, at, "only INSERT statements are allowed");
  else if (sqlite3_column_count(st) > 0)
    rc = load_refuse(path, text, at, "the statement returns rows");
  else if (sqlite3_step(st) != SQLITE_DONE)
    rc = load_refuse(path, text, at, sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

/* No extension, no attached database, no writable schema, no SQL function
** that the schema does not trust. */
static int load_lock_down(sqlite3 *db) {
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  if (sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL) != SQLITE_OK ||
      sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL) != SQLITE_OK ||
      sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL) != SQLITE_OK)
    return tpc_error(TPC_ESTORE, "baseline: cannot restrict the connection: %s",
                     sqlite3_errmsg(db));
  return TPC_OK;
}

/* Every statement of text, in one transaction on st. */
static int load_text(tpc_store *st, const char *path, const char *text) {
  sqlite3 *db = tpc_store_db(st);
  int rc = load_lock_down(db);
  if (!rc) rc = tpc_store_begin(st);
  if (rc) return rc;
  for (const char *tail = text; !rc && *skip_blank(tail);)
    rc = load_statement(db, path, text, &tail);
  if (rc) tpc_store_rollback(st);
  else rc = tpc_store_commit(st);
  return rc;
}

int tpc_baseline_load(const char *path, const char *db_path, tpc_store **out) {
  *out = NULL;
  tpc_buf text = {0};
  int rc = read_text(path, &text);
  tpc_store *st = NULL;
  if (!rc) rc = tpc_store_open(db_path, &st);
  if (!rc) rc = load_text(st, path, tpc_buf_str(&text));
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
