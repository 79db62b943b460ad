/*
** The SQLite store (store/store.h): opens the database file, refuses files
** that are not tpc databases or were written by a newer tpc, migrates older
** ones with the steps embedded from db/ (store/migrations.h), and writes the
** runs rows that every result row references.
**
** Opening reads before it writes: the schema version and the table list are
** read in one read transaction, and nothing (not even the switch to WAL mode,
** which rewrites the file header) touches a file that is refused.  Each
** migration runs in its own BEGIN IMMEDIATE transaction that re-reads
** PRAGMA user_version and sets it to the migration's number, so two tpc
** processes opening a fresh file at once apply each step exactly once.
**
** All values go through bound parameters; the only SQL built with snprintf is
** "PRAGMA user_version = N" from a compiled-in integer (pragmas take no
** parameters).  Error messages name the file and quote sqlite3_errmsg.
*/
#include "store/store.h"

#include "core/buildinfo.h"
#include "core/error.h"
#include "core/sysinfo.h"
#include "store/migrations.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* How long a writer waits for another connection's write lock. */
#define STORE_BUSY_MS 10000

/* UTC ISO-8601 with milliseconds, as SQLite computes it: 2024-05-01T12:34:56.789Z.
** These strings sort in time order. */
#define STORE_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

struct tpc_store {
  sqlite3 *db;
  char *path;
  int db_version; /* PRAGMA user_version found on open, before migrating */
};

/* Indexed by tpc_run_status; the same strings as the CHECK of runs.status. */
static const char *const store_status_names[] = {
    "running", "ok", "failed", "inconclusive", "error", "interrupted"};

/* A damaged file is the user's to repair, not a failed operation: TPC_EINPUT
** with what SQLite found and what to do. */
static int store_damaged(const tpc_store *st, const char *found) {
  return tpc_error(TPC_EINPUT,
                   "%s is damaged (quick_check: %s): restore it from a copy or move it "
                   "aside; `sqlite3 %s .recover` may save its rows",
                   st->path, found, st->path);
}

/* Record the connection's last error, naming the file and what was being
** done.  SQLITE_NOTADB and SQLITE_CORRUPT get messages of their own and
** TPC_EINPUT, since the file is the problem (a wrong --db, a damaged file)
** rather than the operation. */
static int store_fail(const tpc_store *st, const char *what) {
  int code = sqlite3_errcode(st->db);
  if (code == SQLITE_NOTADB)
    return tpc_error(TPC_EINPUT, "%s: file is not a database", st->path);
  if (code == SQLITE_CORRUPT)
    return store_damaged(st, sqlite3_errmsg(st->db));
  return tpc_error(TPC_ESTORE, "%s: %s: %s", st->path, what,
                   sqlite3_errmsg(st->db));
}

/* Step a prepared statement that returns no rows, then finalize it. */
static int store_step_done(tpc_store *st, sqlite3_stmt *stmt, const char *what) {
  int rc = sqlite3_step(stmt) == SQLITE_DONE ? TPC_OK : store_fail(st, what);
  sqlite3_finalize(stmt); /* repeats the step's error, already recorded */
  return rc;
}

/* Run one fixed statement without parameters (pragmas, BEGIN, COMMIT). */
static int store_exec(tpc_store *st, const char *sql, const char *what) {
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return store_fail(st, what);
  return store_step_done(st, stmt, what);
}

/* The single integer a fixed query returns. */
static int store_query_int(tpc_store *st, const char *sql, int64_t *out,
                           const char *what) {
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return store_fail(st, what);
  int rc = TPC_OK;
  if (sqlite3_step(stmt) == SQLITE_ROW)
    *out = sqlite3_column_int64(stmt, 0);
  else
    rc = store_fail(st, what);
  sqlite3_finalize(stmt);
  return rc;
}

/* End a failed transaction.  The first error stays the reported one: a failed
** ROLLBACK leaves nothing else to do, and closing the connection rolls back. */
static void store_abort(tpc_store *st) {
  if (!sqlite3_get_autocommit(st->db))
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* mkdir the directory holding path when missing (one level, like the
** default db/tpc.sqlite in a fresh checkout). */
static int store_make_parent(const char *path) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL || slash == path)
    return TPC_OK;
  size_t n = (size_t)(slash - path);
  char *dir = malloc(n + 1);
  if (dir == NULL)
    return tpc_error(TPC_ENOMEM, "%s: out of memory", path);
  memcpy(dir, path, n);
  dir[n] = '\0';
  int rc = TPC_OK;
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    rc = tpc_error(TPC_EIO, "%s: cannot create directory %s: %s", path, dir,
                   strerror(errno));
  free(dir);
  return rc;
}

static int store_connect(tpc_store *st) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(st->path, &st->db, flags, NULL) != SQLITE_OK) {
    if (st->db == NULL)
      return tpc_error(TPC_ENOMEM, "%s: cannot allocate a SQLite connection",
                       st->path);
    return store_fail(st, "cannot open");
  }
  if (sqlite3_busy_timeout(st->db, STORE_BUSY_MS) != SQLITE_OK)
    return store_fail(st, "setting the busy timeout");
  return store_exec(st, "PRAGMA foreign_keys = ON", "enabling foreign keys");
}

/* Read the schema version and whether the schema looks like ours, in one
** read transaction so a concurrent migration is seen whole or not at all;
** refuse newer and foreign databases.  Version 0 must come with an empty
** schema: anything in it belongs to another program. */
static int store_check(tpc_store *st) {
  const char *what = "reading the schema";
  int64_t version = 0, objects = 0, runs = 0;
  int rc = store_exec(st, "BEGIN", what);
  if (rc == TPC_OK)
    rc = store_query_int(st, "PRAGMA user_version", &version, what);
  if (rc == TPC_OK)
    rc = store_query_int(st,
                         "SELECT count(*) FROM sqlite_master"
                         " WHERE name NOT LIKE 'sqlite!_%' ESCAPE '!'",
                         &objects, what);
  if (rc == TPC_OK)
    rc = store_query_int(st,
                         "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                         " AND name = 'runs'",
                         &runs, what);
  if (rc == TPC_OK)
    rc = store_exec(st, "COMMIT", what);
  if (rc != TPC_OK)
    return rc;
  if (version > tpc_store_version())
    return tpc_error(TPC_EINPUT,
                     "%s has schema version %lld, newer than this tpc (%d); "
                     "use a newer tpc or another --db",
                     st->path, (long long)version, tpc_store_version());
  if (version == 0 && objects > 0)
    return tpc_error(TPC_EINPUT,
                     "%s is not a tpc database: it holds %lld tables, views or "
                     "indexes but no tpc schema version; use another --db",
                     st->path, (long long)objects);
  if (version < 0 || (version > 0 && runs == 0))
    return tpc_error(TPC_EINPUT,
                     "%s is not a tpc database: schema version %lld without a "
                     "runs table; use another --db",
                     st->path, (long long)version);
  st->db_version = (int)version;
  return TPC_OK;
}

/* PRAGMA quick_check before anything is written: SQLite writes to a file
** with a damaged page as long as it does not read that page, so a run would
** be stored into a file that no report can read back.  quick_check reads
** every page (O(file size)); it skips only the index-against-table
** comparison of integrity_check.  Its first finding is the message. */
static int store_check_pages(tpc_store *st) {
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &stmt, NULL) != SQLITE_OK)
    return store_fail(st, "checking the file");
  int rc = TPC_OK;
  if (sqlite3_step(stmt) != SQLITE_ROW) {
    rc = store_fail(st, "checking the file");
  } else {
    const char *found = (const char *)sqlite3_column_text(stmt, 0);
    /* "*** in database main ***\nPage 4: ...": the page is the news */
    if (found != NULL && strncmp(found, "*** ", 4) == 0 && strchr(found, '\n'))
      found = strchr(found, '\n') + 1;
    if (found == NULL || strcmp(found, "ok") != 0)
      rc = store_damaged(st, found ? found : "no result");
  }
  sqlite3_finalize(stmt);
  return rc;
}

/* WAL lets readers and one writer work at once; an in-memory database has
** no WAL and stays "memory". */
static int store_set_wal(tpc_store *st) {
  const char *what = "switching to WAL mode";
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) !=
      SQLITE_OK)
    return store_fail(st, what);
  int rc = TPC_OK;
  if (sqlite3_step(stmt) != SQLITE_ROW) {
    rc = store_fail(st, what);
  } else {
    const char *mode = (const char *)sqlite3_column_text(stmt, 0);
    if (mode == NULL || (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0))
      rc = tpc_error(TPC_ESTORE, "%s: cannot switch to WAL mode (journal mode "
                     "stays %s)", st->path, mode ? mode : "unknown");
  }
  sqlite3_finalize(stmt);
  return rc;
}

/* Inside the migration's transaction: run its SQL and stamp its version. */
static int store_step_up(tpc_store *st, const tpc_migration *m, int64_t found) {
  if (found != m->version - 1)
    return tpc_error(TPC_EINTERNAL,
                     "%s: migration %s expects schema version %d, found %lld",
                     st->path, m->name, m->version - 1, (long long)found);
  char *msg = NULL;
  if (sqlite3_exec(st->db, m->sql, NULL, NULL, &msg) != SQLITE_OK) {
    int rc = tpc_error(TPC_ESTORE, "%s: migration %s failed: %s", st->path,
                       m->name, msg ? msg : sqlite3_errmsg(st->db));
    sqlite3_free(msg);
    return rc;
  }
  char sql[64];
  snprintf(sql, sizeof sql, "PRAGMA user_version = %d", m->version);
  return store_exec(st, sql, m->name);
}

/* Apply migration m unless another connection already has; all or nothing. */
static int store_apply(tpc_store *st, const tpc_migration *m) {
  int64_t found = 0;
  int rc = store_exec(st, "BEGIN IMMEDIATE", m->name);
  if (rc != TPC_OK)
    return rc;
  rc = store_query_int(st, "PRAGMA user_version", &found, m->name);
  if (rc == TPC_OK && found < m->version)
    rc = store_step_up(st, m, found);
  if (rc == TPC_OK)
    rc = store_exec(st, "COMMIT", m->name);
  if (rc != TPC_OK)
    store_abort(st);
  return rc;
}

static int store_migrate(tpc_store *st) {
  for (const tpc_migration *m = tpc_migrations; m->version != 0; m++) {
    if (m->version <= st->db_version)
      continue;
    int rc = store_apply(st, m);
    if (rc != TPC_OK)
      return rc;
  }
  return TPC_OK;
}

int tpc_store_open(const char *path, tpc_store **out) {
  *out = NULL;
  int rc = store_make_parent(path);
  if (rc != TPC_OK)
    return rc;
  tpc_store *st = calloc(1, sizeof *st);
  if (st == NULL || (st->path = strdup(path)) == NULL) {
    free(st);
    return tpc_error(TPC_ENOMEM, "%s: out of memory", path);
  }
  rc = store_connect(st);
  if (rc == TPC_OK)
    rc = store_check(st);
  if (rc == TPC_OK && st->db_version > 0)
    rc = store_check_pages(st);
  if (rc == TPC_OK)
    rc = store_set_wal(st);
  if (rc == TPC_OK)
    rc = store_migrate(st);
  if (rc != TPC_OK) {
    tpc_store_close(st);
    return rc;
  }
  *out = st;
  return TPC_OK;
}

/* sqlite3_close_v2 so that a statement another layer forgot to finalize
** delays the close instead of leaking the connection. */
void tpc_store_close(tpc_store *st) {
  if (st == NULL)
    return;
  sqlite3_close_v2(st->db);
  free(st->path);
  free(st);
}

int tpc_store_version(void) {
  int version = 0;
  for (const tpc_migration *m = tpc_migrations; m->version != 0; m++)
    if (m->version > version)
      version = m->version;
  return version;
}

int tpc_store_db_version(const tpc_store *st) { return st->db_version; }

sqlite3 *tpc_store_db(tpc_store *st) { return st->db; }

/* SQLite integers are signed 64-bit: a seed stores as the int64 with the same
** bits, so seeds of 2^63 and above read back negative; (uint64_t) of the
** column restores them. */
static sqlite3_int64 store_seed_bits(uint64_t seed) {
  sqlite3_int64 bits;
  memcpy(&bits, &seed, sizeof bits);
  return bits;
}

/* Bind the run's fields and the build's and machine's provenance. */
static int store_bind_run(sqlite3_stmt *s, const tpc_run_info *info) {
  const int OK = SQLITE_OK;
  if (sqlite3_bind_text(s, 1, info->command, -1, SQLITE_STATIC) != OK ||
      sqlite3_bind_text(s, 2, info->argv, -1, SQLITE_STATIC) != OK ||
      sqlite3_bind_int64(s, 3, store_seed_bits(info->seed)) != OK ||
      sqlite3_bind_int(s, 4, info->threads) != OK ||
      sqlite3_bind_text(s, 5, tpc_build_commit(), -1, SQLITE_STATIC) != OK ||
      sqlite3_bind_int(s, 6, tpc_build_dirty() ? 1 : 0) != OK ||
      sqlite3_bind_text(s, 7, tpc_sys_host(), -1, SQLITE_STATIC) != OK ||
      sqlite3_bind_text(s, 8, tpc_sys_cpu_model(), -1, SQLITE_STATIC) != OK ||
      sqlite3_bind_int(s, 9, tpc_sys_cores()) != OK ||
      sqlite3_bind_text(s, 10, tpc_build_compiler(), -1, SQLITE_STATIC) != OK ||
      sqlite3_bind_text(s, 11, tpc_build_cflags(), -1, SQLITE_STATIC) != OK ||
      sqlite3_bind_text(s, 12, tpc_build_version(), -1, SQLITE_STATIC) != OK)
    return TPC_ESTORE;
  return TPC_OK;
}

int tpc_store_run_begin(tpc_store *st, const tpc_run_info *info, int64_t *id) {
  static const char sql[] =
      "INSERT INTO runs (command, argv, seed, threads, git_commit, git_dirty,"
      " host, cpu_model, cores, compiler, cflags, tpc_version, started_at,"
      " status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
      STORE_NOW ", 'running')";
  const char *what = "inserting a run";
  if (info->command == NULL)
    return tpc_error(TPC_EINTERNAL, "%s: run_begin: no command", st->path);
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return store_fail(st, what);
  if (store_bind_run(stmt, info) != TPC_OK) {
    int rc = store_fail(st, what);
    sqlite3_finalize(stmt);
    return rc;
  }
  int rc = store_step_done(st, stmt, what);
  if (rc == TPC_OK)
    *id = sqlite3_last_insert_rowid(st->db);
  return rc;
}

/* Prepare a statement on run id (?1) with an optional text ?2, run it, and
** require that it changed exactly that run's row. */
static int store_on_run(tpc_store *st, const char *sql, int64_t id,
                        const char *text, const char *what) {
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return store_fail(st, what);
  if (sqlite3_bind_int64(stmt, 1, id) != SQLITE_OK ||
      (text != NULL && sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC) !=
                           SQLITE_OK)) {
    int rc = store_fail(st, what);
    sqlite3_finalize(stmt);
    return rc;
  }
  int rc = store_step_done(st, stmt, what);
  if (rc == TPC_OK && sqlite3_changes(st->db) != 1)
    rc = tpc_error(TPC_ESTORE, "%s: %s: no run with id %lld", st->path, what,
                   (long long)id);
  return rc;
}

int tpc_store_run_end(tpc_store *st, int64_t id, tpc_run_status status) {
  if ((int)status <= (int)TPC_RUN_RUNNING ||
      (int)status > (int)TPC_RUN_INTERRUPTED)
    return tpc_error(TPC_EINTERNAL, "%s: run_end: %d is not a final run status",
                     st->path, (int)status);
  return store_on_run(st,
                      "UPDATE runs SET ended_at = " STORE_NOW ", status = ?2"
                      " WHERE id = ?1",
                      id, store_status_names[status], "ending a run");
}

int tpc_store_run_discard(tpc_store *st, int64_t id) {
  return store_on_run(st, "DELETE FROM runs WHERE id = ?1", id, NULL,
                      "discarding a run");
}

int tpc_store_begin(tpc_store *st) {
  return store_exec(st, "BEGIN IMMEDIATE", "beginning a transaction");
}

int tpc_store_commit(tpc_store *st) {
  return store_exec(st, "COMMIT", "committing");
}

/* A no-op outside a transaction: error paths call it without knowing whether
** SQLite already rolled back on its own (after SQLITE_FULL, SQLITE_IOERR...). */
int tpc_store_rollback(tpc_store *st) {
  if (sqlite3_get_autocommit(st->db))
    return TPC_OK;
  return store_exec(st, "ROLLBACK", "rolling back");
}
