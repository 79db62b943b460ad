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
** Migrations run with foreign keys off, as SQLite's procedure for rebuilding
** a table requires (dropping a parent table would otherwise cascade to its
** children), and each checks them with PRAGMA foreign_key_check before its
** commit; the connection turns them on once the schema is current.
**
** All values go through bound parameters; the only SQL built with snprintf is
** "PRAGMA user_version = N" from a compiled-in integer (pragmas take no
** parameters).  Error messages name the file and quote sqlite3_errmsg.
*/
#include "store/store.h"

#include "core/buildinfo.h"
#include "core/error.h"
#include "core/file.h"
#include "core/sysinfo.h"
#include "store/migrations.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
** with what found the damage, what it found, and what to do. */
static int store_damaged(const tpc_store *st, const char *by, const char *found) {
  return tpc_error(TPC_EINPUT,
                   "%s is damaged (%s: %s): restore it from a copy or move it "
                   "aside; `sqlite3 %s .recover` may save its rows",
                   st->path, by, found, st->path);
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
    return store_damaged(st, what, sqlite3_errmsg(st->db));
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

/* Refuse, before SQLite sees it, a path that names something other than a
** database or nothing: a FIFO or a directory (SQLite would block or fail
** with an I/O error) and a short non-empty file (SQLite takes a file shorter
** than its header for an empty database and overwrites it).  An empty file
** is an empty database, as for SQLite; a longer foreign file is refused by
** SQLite itself (SQLITE_NOTADB). */
static int store_check_file(const char *path) {
  static const char magic[16] = "SQLite format 3";
  struct stat sb;
  if (stat(path, &sb) != 0)
    return TPC_OK; /* missing: created on open; other errors reported there */
  int fd;
  int rc = tpc_file_open_regular(path, &fd);
  if (rc != TPC_OK)
    return rc;
  char head[sizeof magic];
  ssize_t got = read(fd, head, sizeof head);
  close(fd);
  if (got < 0)
    return tpc_error(TPC_EIO, "%s: cannot read: %s", path, strerror(errno));
  if (got > 0 && (got < (ssize_t)sizeof head || memcmp(head, magic, sizeof magic) != 0))
    return tpc_error(TPC_EINPUT, "%s: file is not a database", path);
  return TPC_OK;
}

/* ---- whether a run's process is gone ------------------------------------ */

/* A runs row's owner, as run_begin records it. */
typedef struct store_owner {
  const char *host, *boot_id; /* NULL when not recorded */
  int has_pid, has_start;     /* pid and pid_start are not NULL */
  int64_t pid, start;
} store_owner;

/* Whether the process that owns a 'running' row is gone: 1 gone, 0 alive
** or cannot tell (another host; a row written before pids were recorded).
** Pids are reused, so a live pid counts only with the start time recorded. */
static int store_owner_gone(const store_owner *o) {
  if (!o->has_pid || o->host == NULL || strcmp(o->host, tpc_sys_host()) != 0)
    return 0;
  const char *boot = tpc_sys_boot_id();
  if (o->boot_id != NULL && o->boot_id[0] && boot[0] && strcmp(o->boot_id, boot) != 0)
    return 1; /* the machine has rebooted since */
  long long start = -1;
  int found = tpc_sys_proc_start((long)o->pid, &start);
  if (found == 0)
    return 1;
  return found == 1 && o->has_start && start >= 0 && start != o->start;
}

static const char *store_status_shown(const char *status, const store_owner *o) {
  if (status != NULL && strcmp(status, "running") == 0 && store_owner_gone(o))
    return "abandoned";
  return status;
}

static const char *value_text(sqlite3_value *v) {
  return (const char *)sqlite3_value_text(v);
}

/* tpc_run_status(status, host, boot_id, pid, pid_start) (store.h). */
static void store_sql_run_status(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  store_owner o = {value_text(argv[1]), value_text(argv[2]),
                   sqlite3_value_type(argv[3]) != SQLITE_NULL,
                   sqlite3_value_type(argv[4]) != SQLITE_NULL,
                   sqlite3_value_int64(argv[3]), sqlite3_value_int64(argv[4])};
  const char *shown = store_status_shown(value_text(argv[0]), &o);
  if (shown == NULL)
    sqlite3_result_null(ctx);
  else
    sqlite3_result_text(ctx, shown, -1, SQLITE_TRANSIENT);
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
  if (sqlite3_create_function_v2(st->db, "tpc_run_status", 5,
                                 SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL,
                                 store_sql_run_status, NULL, NULL,
                                 NULL) != SQLITE_OK)
    return store_fail(st, "adding tpc_run_status()");
  return TPC_OK;
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
      rc = store_damaged(st, "quick_check", found ? found : "no result");
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
  int64_t orphans = 0;
  int rc = store_query_int(st, "SELECT count(*) FROM pragma_foreign_key_check", &orphans,
                           m->name);
  if (rc == TPC_OK && orphans)
    rc = tpc_error(TPC_ESTORE, "%s: migration %s would leave %lld rows whose parent is gone",
                   st->path, m->name, (long long)orphans);
  if (rc != TPC_OK)
    return rc;
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

/* The last steps of opening a connected store (rc: how far it got):
** migrate, turn foreign keys on; *out, or the store closed and the error. */
static int store_ready(tpc_store *st, int rc, tpc_store **out) {
  if (rc == TPC_OK)
    rc = store_migrate(st);
  if (rc == TPC_OK)
    rc = store_exec(st, "PRAGMA foreign_keys = ON", "enabling foreign keys");
  if (rc != TPC_OK) {
    tpc_store_close(st);
    return rc;
  }
  *out = st;
  return TPC_OK;
}

int tpc_store_open(const char *path, tpc_store **out) {
  *out = NULL;
  int rc = store_make_parent(path);
  if (rc == TPC_OK)
    rc = store_check_file(path);
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
  return store_ready(st, rc, out);
}

int tpc_store_open_image(const void *image, size_t len, tpc_store **out) {
  *out = NULL;
  tpc_store *st = calloc(1, sizeof *st);
  unsigned char *copy = sqlite3_malloc64(len);
  if (st == NULL || copy == NULL || (st->path = strdup(":memory:")) == NULL) {
    free(st);
    sqlite3_free(copy);
    return tpc_error(TPC_ENOMEM, "a database image: out of memory");
  }
  memcpy(copy, image, len);
  int rc = store_connect(st);
  /* SQLite frees the copy when the connection closes, or at once if this fails */
  if (rc == TPC_OK &&
      sqlite3_deserialize(st->db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
                          SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) !=
          SQLITE_OK)
    rc = store_fail(st, "reading a database image");
  else if (rc != TPC_OK)
    sqlite3_free(copy);
  if (rc == TPC_OK)
    rc = store_check(st);
  return store_ready(st, rc, out);
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

/* Bind this process as a run's owner to ?first .. ?first+3: host, pid,
** pid_start (NULL where /proc cannot tell), boot_id. */
static int store_bind_owner(sqlite3_stmt *s, int first) {
  long long start = -1;
  int found = tpc_sys_proc_start((long)getpid(), &start);
  if (sqlite3_bind_text(s, first, tpc_sys_host(), -1, SQLITE_STATIC) != SQLITE_OK ||
      sqlite3_bind_int64(s, first + 1, (sqlite3_int64)getpid()) != SQLITE_OK ||
      (found == 1 && start >= 0
           ? sqlite3_bind_int64(s, first + 2, start)
           : sqlite3_bind_null(s, first + 2)) != SQLITE_OK ||
      sqlite3_bind_text(s, first + 3, tpc_sys_boot_id(), -1, SQLITE_STATIC) != SQLITE_OK)
    return TPC_ESTORE;
  return TPC_OK;
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
      sqlite3_bind_text(s, 7, tpc_sys_cpu_model(), -1, SQLITE_STATIC) != OK ||
      sqlite3_bind_int(s, 8, tpc_sys_cores()) != OK ||
      sqlite3_bind_text(s, 9, tpc_build_compiler(), -1, SQLITE_STATIC) != OK ||
      sqlite3_bind_text(s, 10, tpc_build_cflags(), -1, SQLITE_STATIC) != OK ||
      sqlite3_bind_text(s, 11, tpc_build_version(), -1, SQLITE_STATIC) != OK ||
      sqlite3_bind_text(s, 12, info->settings, -1, SQLITE_STATIC) != OK)
    return TPC_ESTORE;
  return store_bind_owner(s, 13);
}

int tpc_store_run_begin(tpc_store *st, const tpc_run_info *info, int64_t *id) {
  static const char sql[] =
      "INSERT INTO runs (command, argv, seed, threads, git_commit, git_dirty,"
      " cpu_model, cores, compiler, cflags, tpc_version, settings, host, pid,"
      " pid_start, boot_id, started_at, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
      " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, " STORE_NOW ", 'running')";
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

/* ---- resuming a run ------------------------------------------------------ */

/* What resuming needs of a runs row. */
typedef struct store_resumable {
  char command[32], status[32], commit[64], host[256], boot_id[64];
  char *settings, *argv; /* malloc'd; NULL when not recorded */
  store_owner owner;     /* host and boot_id point into the buffers above */
} store_resumable;

static void column_copy(sqlite3_stmt *q, int col, char *buf, size_t size) {
  const char *t = (const char *)sqlite3_column_text(q, col);
  snprintf(buf, size, "%s", t ? t : "");
}

/* A copy of a text column into *out (NULL for NULL); 0, or -1 out of memory. */
static int column_dup(sqlite3_stmt *q, int col, char **out) {
  const char *t = (const char *)sqlite3_column_text(q, col);
  *out = t ? strdup(t) : NULL;
  return t && !*out ? -1 : 0;
}

static int store_read_resumable(tpc_store *st, int64_t id, store_resumable *r) {
  static const char sql[] =
      "SELECT command, status, git_commit, host, boot_id, pid, pid_start, settings,"
      " argv FROM runs WHERE id = ?1";
  const char *what = "reading the run to resume";
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
    return store_fail(st, what);
  sqlite3_bind_int64(q, 1, id);
  int step = sqlite3_step(q), rc = TPC_OK;
  if (step == SQLITE_ROW) {
    column_copy(q, 0, r->command, sizeof r->command);
    column_copy(q, 1, r->status, sizeof r->status);
    column_copy(q, 2, r->commit, sizeof r->commit);
    column_copy(q, 3, r->host, sizeof r->host);
    column_copy(q, 4, r->boot_id, sizeof r->boot_id);
    r->owner.host = sqlite3_column_type(q, 3) != SQLITE_NULL ? r->host : NULL;
    r->owner.boot_id = sqlite3_column_type(q, 4) != SQLITE_NULL ? r->boot_id : NULL;
    r->owner.has_pid = sqlite3_column_type(q, 5) != SQLITE_NULL;
    r->owner.has_start = sqlite3_column_type(q, 6) != SQLITE_NULL;
    r->owner.pid = sqlite3_column_int64(q, 5);
    r->owner.start = sqlite3_column_int64(q, 6);
    if (column_dup(q, 7, &r->settings) || column_dup(q, 8, &r->argv))
      rc = tpc_error(TPC_ENOMEM, "%s: out of memory", st->path);
  } else if (step == SQLITE_DONE) {
    rc = tpc_error(TPC_EINPUT, "--resume %lld: %s has no run %lld", (long long)id,
                   st->path, (long long)id);
  } else {
    rc = store_fail(st, what);
  }
  sqlite3_finalize(q);
  return rc;
}

/* The first line where settings `was` and `now` differ, for the message. */
static void store_settings_diff(const char *was, const char *now, char *buf, size_t size) {
  while (*was || *now) {
    size_t a = strcspn(was, "\n"), b = strcspn(now, "\n");
    if (a != b || memcmp(was, now, a) != 0) {
      snprintf(buf, size, "the run has %.*s%s, this command %.*s%s", (int)a, was,
               a ? "" : "nothing", (int)b, now, b ? "" : "nothing");
      return;
    }
    was += a + (was[a] != '\0');
    now += b + (now[b] != '\0');
  }
  snprintf(buf, size, "their settings differ in blank lines");
}

/* Why run id (read into r) cannot be resumed by info's command, as an
** error; TPC_OK when it can. */
static int store_resume_refusal(int64_t id, const store_resumable *r,
                                const tpc_run_info *info) {
  long long n = (long long)id;
  if (strcmp(r->command, info->command) != 0)
    return tpc_error(TPC_EINPUT, "--resume %lld: run %lld is a tpc %s run, not tpc %s", n, n,
                     r->command, info->command);
  int running = strcmp(r->status, "running") == 0;
  if (!running && strcmp(r->status, "interrupted") != 0 && strcmp(r->status, "error") != 0)
    return tpc_error(TPC_EINPUT, "--resume %lld: run %lld finished (status %s): there is "
                     "nothing to resume", n, n, r->status);
  if (running && !r->owner.has_pid)
    return tpc_error(TPC_EINPUT, "--resume %lld: run %lld is marked running, and was started "
                     "by a tpc that did not record its process: tpc cannot tell whether it "
                     "is alive", n, n);
  if (running && r->owner.host != NULL && strcmp(r->host, tpc_sys_host()) != 0)
    return tpc_error(TPC_EINPUT, "--resume %lld: run %lld is marked running on host %s: tpc "
                     "cannot tell from %s whether it is alive; resume it there", n, n,
                     r->host, tpc_sys_host());
  if (running && !store_owner_gone(&r->owner))
    return tpc_error(TPC_EINPUT, "--resume %lld: run %lld is still running (pid %lld on this "
                     "host)", n, n, (long long)r->owner.pid);
  if (strcmp(r->commit, tpc_build_commit()) != 0)
    return tpc_error(TPC_EINPUT, "--resume %lld: run %lld was made by tpc built from commit "
                     "%.12s, this tpc is %.12s: its kept results and the new ones would come "
                     "from different code; start a new run", n, n, r->commit,
                     tpc_build_commit());
  if (r->settings == NULL || info->settings == NULL)
    return tpc_error(TPC_EINPUT, "--resume %lld: run %lld recorded no settings to resume "
                     "from (written by an older tpc)", n, n);
  if (strcmp(r->settings, info->settings) != 0) {
    char diff[1024];
    store_settings_diff(r->settings, info->settings, diff, sizeof diff);
    return tpc_error(TPC_EINPUT, "--resume %lld: this command is not run %lld's (%s): "
                     "repeat its command line with --resume: %s", n, n, diff,
                     r->argv ? r->argv : "(not recorded)");
  }
  return TPC_OK;
}

/* Make run id this process's again: running, not ended, one more resume. */
static int store_resume_claim(tpc_store *st, int64_t id) {
  static const char sql[] =
      "UPDATE runs SET status = 'running', ended_at = NULL, resumed = resumed + 1,"
      " host = ?2, pid = ?3, pid_start = ?4, boot_id = ?5 WHERE id = ?1";
  const char *what = "taking over the run to resume";
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return store_fail(st, what);
  if (sqlite3_bind_int64(stmt, 1, id) != SQLITE_OK || store_bind_owner(stmt, 2) != TPC_OK) {
    int rc = store_fail(st, what);
    sqlite3_finalize(stmt);
    return rc;
  }
  return store_step_done(st, stmt, what);
}

/* Read, judge and claim in one write transaction, so that of two processes
** resuming one run the second sees the first alive. */
int tpc_store_run_resume(tpc_store *st, int64_t id, const tpc_run_info *info) {
  if (info->command == NULL)
    return tpc_error(TPC_EINTERNAL, "%s: run_resume: no command", st->path);
  store_resumable r;
  memset(&r, 0, sizeof r);
  int rc = tpc_store_begin(st);
  if (rc != TPC_OK)
    return rc;
  rc = store_read_resumable(st, id, &r);
  if (rc == TPC_OK)
    rc = store_resume_refusal(id, &r, info);
  if (rc == TPC_OK)
    rc = store_resume_claim(st, id);
  if (rc == TPC_OK)
    rc = tpc_store_commit(st);
  if (rc != TPC_OK)
    store_abort(st);
  free(r.settings);
  free(r.argv);
  return rc;
}

int tpc_store_begin(tpc_store *st) {
  return store_exec(st, "BEGIN IMMEDIATE", "beginning a transaction");
}

int tpc_store_commit(tpc_store *st) {
  return store_exec(st, "COMMIT", "committing");
}

/* A no-op outside a transaction: error paths call it without knowing whether
** SQLite already rolled back on its own (after SQLITE_FULL, SQLITE_IOERR...). */
void tpc_store_bind_real(sqlite3_stmt *s, int i, double v) {
  if (isnan(v))
    sqlite3_bind_null(s, i);
  else
    sqlite3_bind_double(s, i, v);
}

int tpc_store_rollback(tpc_store *st) {
  if (sqlite3_get_autocommit(st->db))
    return TPC_OK;
  return store_exec(st, "ROLLBACK", "rolling back");
}
