/*
** Tests of the SQLite store (store/store.h) and of the machine description
** it records (core/sysinfo.h): migration from an empty file, reopening,
** refusal of newer, foreign and non-database files, the runs rows, and two
** writers on one file.  Each test works in its own mkdtemp directory, removed
** by the fixture.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "core/buildinfo.h"
#include "core/error.h"
#include "core/sysinfo.h"
#include "store/migrations.h"
#include "store/store.h"

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmp_dir[64];
static char db_path[128]; /* tmp_dir/db/tpc.sqlite; tmp_dir/db does not exist yet */

static void tmp_setup(void) {
  strcpy(tmp_dir, "/tmp/tpc_store_XXXXXX");
  cr_assert(ne(ptr, mkdtemp(tmp_dir), NULL));
  snprintf(db_path, sizeof db_path, "%s/db/tpc.sqlite", tmp_dir);
}

static void remove_tree(const char *path) {
  struct stat sb;
  if (lstat(path, &sb) != 0)
    return;
  if (!S_ISDIR(sb.st_mode)) {
    unlink(path);
    return;
  }
  DIR *d = opendir(path);
  for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    char child[4096];
    snprintf(child, sizeof child, "%s/%s", path, e->d_name);
    remove_tree(child);
  }
  if (d != NULL)
    closedir(d);
  rmdir(path);
}

static void tmp_teardown(void) { remove_tree(tmp_dir); }

TestSuite(store, .init = tmp_setup, .fini = tmp_teardown);

/* ---- helpers ---------------------------------------------------------- */

static tpc_store *open_ok(const char *path) {
  tpc_store *st = NULL;
  int rc = tpc_store_open(path, &st);
  cr_assert(eq(int, rc, TPC_OK), "open %s: %s", path, tpc_error_msg());
  return st;
}

/* Run fixed SQL on the file through a plain connection, bypassing tpc. */
static void raw_exec(const char *path, const char *sql) {
  sqlite3 *db = NULL;
  cr_assert(eq(int, sqlite3_open(path, &db), SQLITE_OK));
  char *msg = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
  cr_assert(eq(int, rc, SQLITE_OK), "%s: %s", sql, msg ? msg : "");
  cr_assert(eq(int, sqlite3_close(db), SQLITE_OK));
}

static int64_t query_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *s = NULL;
  cr_assert(eq(int, sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK),
            "%s: %s", sql, sqlite3_errmsg(db));
  cr_assert(eq(int, sqlite3_step(s), SQLITE_ROW), "%s", sql);
  int64_t v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

static int64_t raw_int(const char *path, const char *sql) {
  sqlite3 *db = NULL;
  cr_assert(eq(int, sqlite3_open(path, &db), SQLITE_OK));
  int64_t v = query_int(db, sql);
  cr_assert(eq(int, sqlite3_close(db), SQLITE_OK));
  return v;
}

/* The bytes of a file (malloc'd, *len set). */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  cr_assert(ne(ptr, f, NULL), "%s", path);
  cr_assert(eq(int, fseek(f, 0, SEEK_END), 0));
  long n = ftell(f);
  cr_assert(ge(long, n, 0));
  rewind(f);
  char *buf = malloc((size_t)n + 1);
  cr_assert(ne(ptr, buf, NULL));
  cr_assert(eq(sz, fread(buf, 1, (size_t)n, f), (size_t)n));
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static void assert_file_is(const char *path, const char *before, size_t len) {
  size_t now_len = 0;
  char *now = slurp(path, &now_len);
  cr_assert(eq(sz, now_len, len), "%s changed size", path);
  cr_assert(eq(int, memcmp(now, before, len), 0), "%s changed", path);
  free(now);
}

static void make_db_dir(void) {
  char dir[128];
  snprintf(dir, sizeof dir, "%s/db", tmp_dir);
  cr_assert(eq(int, mkdir(dir, 0700), 0));
}

static int64_t begin_run(tpc_store *st, const char *command, uint64_t seed) {
  tpc_run_info info = {.command = command, .argv = "tpc test", .seed = seed,
                       .threads = 1};
  int64_t id = -1;
  int rc = tpc_store_run_begin(st, &info, &id);
  cr_assert(eq(int, rc, TPC_OK), "run_begin: %s", tpc_error_msg());
  return id;
}

static int64_t count_runs(tpc_store *st) {
  return query_int(tpc_store_db(st), "SELECT count(*) FROM runs");
}

/* One text column of run id ("" for NULL), copied into buf. */
static char *run_text(tpc_store *st, int64_t id, const char *column,
                            char *buf, size_t size) {
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT %s FROM runs WHERE id = ?1", column);
  sqlite3_stmt *s = NULL;
  sqlite3 *db = tpc_store_db(st);
  cr_assert(eq(int, sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK));
  cr_assert(eq(int, sqlite3_bind_int64(s, 1, id), SQLITE_OK));
  cr_assert(eq(int, sqlite3_step(s), SQLITE_ROW), "no run %lld", (long long)id);
  const char *t = (const char *)sqlite3_column_text(s, 0);
  snprintf(buf, size, "%s", t ? t : "");
  sqlite3_finalize(s);
  return buf;
}

static int64_t run_int(tpc_store *st, int64_t id, const char *column) {
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT %s FROM runs WHERE id = %lld", column,
           (long long)id);
  return query_int(tpc_store_db(st), sql);
}

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS.mmmZ", or -1 when the
** string has another shape. */
static double parse_utc(const char *s) {
  struct tm tm = {0};
  int ms = -1, used = 0;
  if (strlen(s) != 24 ||
      sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon,
             &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &used) != 7 ||
      used != 24)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return (double)timegm(&tm) + ms / 1000.0;
}

/* ---- opening and migrating -------------------------------------------- */

Test(store, migrates_an_empty_file) {
  tpc_store *st = open_ok(db_path); /* also creates tmp_dir/db */
  sqlite3 *db = tpc_store_db(st);
  cr_assert(eq(int, tpc_store_db_version(st), 0)); /* found a fresh file */
  cr_assert(eq(i64, query_int(db, "PRAGMA user_version"), tpc_store_version()));
  cr_assert(eq(i64,
               query_int(db, "SELECT count(*) FROM sqlite_master WHERE "
                             "type = 'table' AND name = 'runs'"),
               1));
  cr_assert(eq(i64, query_int(db, "PRAGMA foreign_keys"), 1));
  cr_assert(eq(i64, query_int(db, "SELECT count(*) FROM pragma_journal_mode "
                                  "WHERE journal_mode = 'wal'"),
               1));
  cr_assert(eq(i64, count_runs(st), 0));
  tpc_store_close(st);
}

Test(store, version_is_the_last_migration) {
  int n = 0;
  for (const tpc_migration *m = tpc_migrations; m->version != 0; m++) {
    n++;
    cr_assert(eq(int, m->version, n), "migrations must be numbered 1, 2, ...");
    cr_assert(eq(int, atoi(m->name), m->version), "%s", m->name);
  }
  cr_assert(ge(int, n, 1));
  cr_assert(eq(int, tpc_store_version(), n));
}

Test(store, reopen_keeps_data_without_migrating) {
  tpc_store *st = open_ok(db_path);
  int64_t id = begin_run(st, "bounds", 7);
  tpc_store_close(st);

  int64_t schema_before = raw_int(db_path, "PRAGMA schema_version");
  st = open_ok(db_path);
  cr_assert(eq(int, tpc_store_db_version(st), tpc_store_version()));
  cr_assert(eq(i64, count_runs(st), 1));
  char buf[64];
  cr_assert(eq(str, run_text(st, id, "command", buf, sizeof buf), "bounds"));
  tpc_store_close(st);
  /* schema_version counts schema changes: a rerun migration would bump it */
  cr_assert(eq(i64, raw_int(db_path, "PRAGMA schema_version"), schema_before));
}

Test(store, refuses_a_newer_schema_untouched) {
  tpc_store_close(open_ok(db_path));
  /* Back to a rollback journal, so that a switch to WAL would show in the
  ** file header. */
  char sql[96];
  snprintf(sql, sizeof sql, "PRAGMA journal_mode = DELETE; PRAGMA user_version = %d",
           tpc_store_version() + 1);
  raw_exec(db_path, sql);
  size_t len = 0;
  char *before = slurp(db_path, &len);

  tpc_store *st = (tpc_store *)&st; /* must be reset to NULL */
  cr_assert(eq(int, tpc_store_open(db_path, &st), TPC_EINPUT));
  cr_assert(eq(ptr, st, NULL));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "newer"), NULL), "%s", tpc_error_msg());
  cr_assert(ne(ptr, strstr(tpc_error_msg(), db_path), NULL), "%s", tpc_error_msg());
  assert_file_is(db_path, before, len);
  cr_assert(eq(i64, raw_int(db_path, "PRAGMA user_version"), tpc_store_version() + 1));
  free(before);
}

Test(store, refuses_a_text_file_untouched) {
  make_db_dir();
  FILE *f = fopen(db_path, "w");
  cr_assert(ne(ptr, f, NULL));
  for (int i = 0; i < 100; i++)
    fprintf(f, "line %d of a text file that is not a database\n", i);
  cr_assert(eq(int, fclose(f), 0));
  size_t len = 0;
  char *before = slurp(db_path, &len);

  tpc_store *st = NULL;
  cr_assert(eq(int, tpc_store_open(db_path, &st), TPC_EINPUT));
  cr_assert(eq(ptr, st, NULL));
  char want[256];
  snprintf(want, sizeof want, "%s: file is not a database", db_path);
  cr_assert(eq(str, (char *)tpc_error_msg(), want));
  assert_file_is(db_path, before, len);
  free(before);
}

Test(store, refuses_a_foreign_database) {
  make_db_dir();
  raw_exec(db_path, "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('a');");
  size_t len = 0;
  char *before = slurp(db_path, &len);
  tpc_store *st = NULL;
  cr_assert(eq(int, tpc_store_open(db_path, &st), TPC_EINPUT));
  cr_assert(eq(ptr, st, NULL));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "not a tpc database"), NULL), "%s",
            tpc_error_msg());
  assert_file_is(db_path, before, len);
  free(before);
  cr_assert(eq(i64, raw_int(db_path, "PRAGMA user_version"), 0));
  cr_assert(eq(i64, raw_int(db_path, "SELECT count(*) FROM notes"), 1));
  cr_assert(eq(i64, raw_int(db_path, "SELECT count(*) FROM sqlite_master "
                                     "WHERE name = 'runs'"),
               0));
}

/* Another program's database that uses user_version for itself. */
Test(store, refuses_a_foreign_database_with_a_version) {
  make_db_dir();
  raw_exec(db_path, "CREATE TABLE notes (x TEXT); PRAGMA user_version = 1;");
  tpc_store *st = NULL;
  cr_assert(eq(int, tpc_store_open(db_path, &st), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "not a tpc database"), NULL), "%s",
            tpc_error_msg());
}

/* Connection hook (an SQLite auto-extension) that forbids CREATE INDEX, so
** that migration 1 fails after its CREATE TABLE succeeded. */
static int deny_index(void *arg, int action, const char *a, const char *b,
                      const char *c, const char *d) {
  (void)arg, (void)a, (void)b, (void)c, (void)d;
  return action == SQLITE_CREATE_INDEX ? SQLITE_DENY : SQLITE_OK;
}

static int install_deny_index(sqlite3 *db, char **msg, const void *api) {
  (void)msg, (void)api;
  return sqlite3_set_authorizer(db, deny_index, NULL);
}

Test(store, failed_migration_leaves_nothing) {
  cr_assert(eq(int, sqlite3_auto_extension((void (*)(void))install_deny_index),
               SQLITE_OK));
  tpc_store *st = NULL;
  cr_assert(eq(int, tpc_store_open(db_path, &st), TPC_ESTORE));
  cr_assert(eq(ptr, st, NULL));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "migration 001_init.sql failed"), NULL),
            "%s", tpc_error_msg());
  sqlite3_reset_auto_extension();
  cr_assert(eq(i64, raw_int(db_path, "PRAGMA user_version"), 0));
  cr_assert(eq(i64, raw_int(db_path, "SELECT count(*) FROM sqlite_master"), 0));
  st = open_ok(db_path); /* nothing half-done is in the way */
  cr_assert(eq(int, tpc_store_db_version(st), 0));
  tpc_store_close(st);
}

Test(store, creates_one_directory_level_only) {
  char path[160];
  snprintf(path, sizeof path, "%s/a/b/tpc.sqlite", tmp_dir);
  tpc_store *st = NULL;
  cr_assert(eq(int, tpc_store_open(path, &st), TPC_EIO));
  cr_assert(eq(ptr, st, NULL));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "cannot create directory"), NULL),
            "%s", tpc_error_msg());
}

/* Overwrite page `page` (1-based) of the file with bytes of a fixed
** pseudo-random sequence, as a failing disk or a torn copy would. */
static void overwrite_page(const char *path, int64_t page, int64_t page_size) {
  FILE *f = fopen(path, "r+b");
  cr_assert(ne(ptr, f, NULL), "%s", path);
  cr_assert(eq(int, fseek(f, (long)((page - 1) * page_size), SEEK_SET), 0));
  uint64_t x = 0x9e3779b97f4a7c15u;
  for (int64_t i = 0; i < page_size; i++) {
    x = x * 6364136223846793005u + 1442695040888963407u;
    cr_assert(ne(int, fputc((int)(x >> 56), f), EOF));
  }
  cr_assert(eq(int, fclose(f), 0));
}

/* A database with one page of the runs table overwritten: opening it for
** writing is refused, naming the damage and what to do, and leaves the file
** byte for byte as it was. */
Test(store, refuses_a_damaged_file_untouched) {
  tpc_store *st = open_ok(db_path);
  for (int i = 0; i < 400; i++) begin_run(st, "bounds", (uint64_t)i);
  tpc_store_close(st); /* the last close checkpoints: every page is in the file */
  int64_t root = raw_int(db_path, "SELECT rootpage FROM sqlite_master WHERE name = 'runs'");
  int64_t page_size = raw_int(db_path, "PRAGMA page_size");
  cr_assert(lt(i64, root, raw_int(db_path, "PRAGMA page_count")));
  overwrite_page(db_path, root, page_size);
  size_t len = 0;
  char *before = slurp(db_path, &len);

  st = (tpc_store *)&st;
  cr_assert(eq(int, tpc_store_open(db_path, &st), TPC_EINPUT));
  cr_assert(eq(ptr, st, NULL));
  const char *msg = tpc_error_msg();
  cr_assert(ne(ptr, strstr(msg, db_path), NULL), "%s", msg);
  cr_assert(ne(ptr, strstr(msg, "is damaged (quick_check: "), NULL), "%s", msg);
  cr_assert(ne(ptr, strstr(msg, ".recover"), NULL), "%s", msg);
  assert_file_is(db_path, before, len);
  free(before);
}

/* ---- runs rows -------------------------------------------------------- */

Test(store, run_begin_end_round_trip) {
  /* A local zone 5 h 30 min off UTC (a POSIX TZ string, no tzdata needed),
  ** so that local time written by mistake would show. */
  cr_assert(eq(int, setenv("TZ", "TPC-05:30", 1), 0));
  tzset();
  tpc_store *st = open_ok(db_path);
  tpc_run_info info = {.command = "bounds", .argv = "tpc bounds 'topk(k=1)'",
                       .seed = UINT64_MAX, .threads = 3};
  int64_t id = 0;
  cr_assert(eq(int, tpc_store_run_begin(st, &info, &id), TPC_OK), "%s",
            tpc_error_msg());
  char buf[512], started[64], ended[64];
  cr_assert(eq(str, run_text(st, id, "command", buf, sizeof buf), "bounds"));
  cr_assert(eq(str, run_text(st, id, "argv", buf, sizeof buf), "tpc bounds 'topk(k=1)'"));
  cr_assert(eq(u64, (uint64_t)run_int(st, id, "seed"), UINT64_MAX));
  cr_assert(eq(i64, run_int(st, id, "threads"), 3));
  cr_assert(eq(str, run_text(st, id, "status", buf, sizeof buf), "running"));
  cr_assert(eq(i64, run_int(st, id, "ended_at IS NULL"), 1));
  cr_assert(eq(str, run_text(st, id, "git_commit", buf, sizeof buf),
               (char *)tpc_build_commit()));
  cr_assert(eq(i64, run_int(st, id, "git_dirty"), tpc_build_dirty()));
  cr_assert(eq(str, run_text(st, id, "host", buf, sizeof buf), (char *)tpc_sys_host()));
  cr_assert(eq(str, run_text(st, id, "cpu_model", buf, sizeof buf),
               (char *)tpc_sys_cpu_model()));
  cr_assert(eq(i64, run_int(st, id, "cores"), tpc_sys_cores()));
  cr_assert(eq(str, run_text(st, id, "compiler", buf, sizeof buf),
               (char *)tpc_build_compiler()));
  cr_assert(eq(str, run_text(st, id, "cflags", buf, sizeof buf),
               (char *)tpc_build_cflags()));
  cr_assert(eq(str, run_text(st, id, "tpc_version", buf, sizeof buf),
               (char *)tpc_build_version()));

  /* UTC, not local time: within a minute of the clock (a generous bound for
  ** a statement that takes microseconds, yet far below any time-zone offset
  ** but UTC's own). */
  double t0 = parse_utc(run_text(st, id, "started_at", started, sizeof started));
  cr_assert(ge(dbl, t0, 0.0), "started_at = %s", started);
  cr_assert(le(dbl, fabs(t0 - (double)time(NULL)), 60.0), "started_at = %s", started);

  cr_assert(eq(int, tpc_store_run_end(st, id, TPC_RUN_OK), TPC_OK), "%s",
            tpc_error_msg());
  cr_assert(eq(str, run_text(st, id, "status", buf, sizeof buf), "ok"));
  double t1 = parse_utc(run_text(st, id, "ended_at", ended, sizeof ended));
  cr_assert(ge(dbl, t1, t0), "started %s, ended %s", started, ended);
  cr_assert(ge(int, strcmp(ended, started), 0)); /* text order is time order */
  tpc_store_close(st);
}

Test(store, seeds_keep_all_64_bits) {
  static const uint64_t seeds[] = {0, 1, (uint64_t)INT64_MAX,
                                   (uint64_t)INT64_MAX + 1, UINT64_MAX - 1,
                                   UINT64_MAX};
  tpc_store *st = open_ok(db_path);
  for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
    int64_t id = begin_run(st, "rate", seeds[i]);
    cr_assert(eq(u64, (uint64_t)run_int(st, id, "seed"), seeds[i]));
  }
  tpc_store_close(st);
}

Test(store, run_end_writes_each_status) {
  static const struct {
    tpc_run_status status;
    const char *name;
  } cases[] = {{TPC_RUN_OK, "ok"},
               {TPC_RUN_FAILED, "failed"},
               {TPC_RUN_INCONCLUSIVE, "inconclusive"},
               {TPC_RUN_ERROR, "error"},
               {TPC_RUN_INTERRUPTED, "interrupted"}};
  tpc_store *st = open_ok(db_path);
  char buf[32];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int64_t id = begin_run(st, "bounds", i);
    cr_assert(eq(int, tpc_store_run_end(st, id, cases[i].status), TPC_OK));
    cr_assert(eq(str, run_text(st, id, "status", buf, sizeof buf),
                 (char *)cases[i].name));
  }
  int64_t id = begin_run(st, "bounds", 0);
  cr_assert(eq(int, tpc_store_run_end(st, id, TPC_RUN_RUNNING), TPC_EINTERNAL));
  cr_assert(eq(int, tpc_store_run_end(st, id, (tpc_run_status)42), TPC_EINTERNAL));
  cr_assert(eq(int, tpc_store_run_end(st, id + 1000, TPC_RUN_OK), TPC_ESTORE));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "no run"), NULL), "%s", tpc_error_msg());
  /* The CHECK constraint keeps other strings out. */
  cr_assert(ne(int, sqlite3_exec(tpc_store_db(st),
                                 "UPDATE runs SET status = 'done'", NULL, NULL, NULL),
               SQLITE_OK));
  tpc_store_close(st);
}

Test(store, run_discard_removes_the_run_and_its_rows) {
  tpc_store *st = open_ok(db_path);
  sqlite3 *db = tpc_store_db(st);
  int64_t a = begin_run(st, "bounds", 1), b = begin_run(st, "bounds", 2);
  /* A result table as later migrations add them. */
  cr_assert(eq(int, sqlite3_exec(db, "CREATE TABLE results (run_id INTEGER NOT NULL"
                                     " REFERENCES runs (id) ON DELETE CASCADE, x REAL)",
                                 NULL, NULL, NULL),
               SQLITE_OK));
  char sql[160];
  snprintf(sql, sizeof sql,
           "INSERT INTO results VALUES (%lld, 1), (%lld, 2), (%lld, 3)",
           (long long)a, (long long)a, (long long)b);
  cr_assert(eq(int, sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK));

  cr_assert(eq(int, tpc_store_run_discard(st, a), TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(i64, count_runs(st), 1));
  cr_assert(eq(i64, run_int(st, b, "id"), b));
  cr_assert(eq(i64, query_int(db, "SELECT count(*) FROM results"), 1));
  snprintf(sql, sizeof sql, "SELECT count(*) FROM results WHERE run_id = %lld",
           (long long)b);
  cr_assert(eq(i64, query_int(db, sql), 1));
  cr_assert(eq(int, tpc_store_run_discard(st, a), TPC_ESTORE));
  tpc_store_close(st);
}

Test(store, rollback_drops_and_commit_keeps) {
  tpc_store *st = open_ok(db_path);
  cr_assert(eq(int, tpc_store_rollback(st), TPC_OK)); /* no transaction: no-op */
  cr_assert(eq(int, tpc_store_begin(st), TPC_OK));
  begin_run(st, "bounds", 1);
  cr_assert(eq(int, tpc_store_rollback(st), TPC_OK));
  cr_assert(eq(i64, count_runs(st), 0));
  cr_assert(eq(int, tpc_store_begin(st), TPC_OK));
  begin_run(st, "bounds", 2);
  cr_assert(eq(int, tpc_store_commit(st), TPC_OK));
  cr_assert(eq(i64, count_runs(st), 1));
  cr_assert(eq(int, tpc_store_commit(st), TPC_ESTORE)); /* nothing to commit */
  tpc_store_close(st);
}

/* ---- abandoned runs and --resume -------------------------------------- */

/* A pid that no process holds: a child's, after it was reaped. */
static int64_t dead_pid(void) {
  pid_t pid = fork();
  cr_assert(ge(int, pid, 0));
  if (pid == 0)
    _exit(0);
  int status;
  cr_assert(eq(int, waitpid(pid, &status, 0), pid));
  return pid;
}

static void run_exec(tpc_store *st, int64_t id, const char *set) {
  char sql[256];
  snprintf(sql, sizeof sql, "UPDATE runs SET %s WHERE id = %lld", set, (long long)id);
  cr_assert(eq(int, sqlite3_exec(tpc_store_db(st), sql, NULL, NULL, NULL), SQLITE_OK), "%s",
            sql);
}

/* tpc_run_status() of run id: what the report shows. */
static char *shown(tpc_store *st, int64_t id, char *buf, size_t size) {
  return run_text(st, id, TPC_STORE_RUN_STATUS("runs"), buf, size);
}

/* A run records its process; while it lives it shows running, and once its
** pid is free, held by a process started at another time, or from another
** boot, it shows abandoned.  Rows that cannot be judged from here (another
** host, no pid) show their stored status. */
Test(store, run_whose_process_is_gone_shows_abandoned) {
  tpc_store *st = open_ok(db_path);
  int64_t id = begin_run(st, "bounds", 1);
  char buf[64];
  cr_assert(eq(i64, run_int(st, id, "pid"), (int64_t)getpid()));
  cr_assert(eq(str, run_text(st, id, "boot_id", buf, sizeof buf), (char *)tpc_sys_boot_id()));
  cr_assert(eq(int, strlen(tpc_sys_boot_id()) > 0, 1), "this Linux has a boot id");
  long long start = -2;
  cr_assert(eq(int, tpc_sys_proc_start((long)getpid(), &start), 1));
  cr_assert(eq(i64, run_int(st, id, "pid_start"), (int64_t)start));
  cr_assert(eq(str, shown(st, id, buf, sizeof buf), "running"));

  char set[160];
  snprintf(set, sizeof set, "pid_start = pid_start + 1"); /* the pid was reused */
  run_exec(st, id, set);
  cr_assert(eq(str, shown(st, id, buf, sizeof buf), "abandoned"));
  snprintf(set, sizeof set, "pid_start = %lld, boot_id = 'another boot'", start);
  run_exec(st, id, set);
  cr_assert(eq(str, shown(st, id, buf, sizeof buf), "abandoned"));
  snprintf(set, sizeof set, "boot_id = '%s', pid = %lld", tpc_sys_boot_id(),
           (long long)dead_pid());
  run_exec(st, id, set);
  cr_assert(eq(str, shown(st, id, buf, sizeof buf), "abandoned"));
  cr_assert(eq(str, run_text(st, id, "status", buf, sizeof buf), "running")); /* as stored */
  run_exec(st, id, "host = 'elsewhere'");
  cr_assert(eq(str, shown(st, id, buf, sizeof buf), "running"));
  snprintf(set, sizeof set, "host = '%s', pid = NULL", tpc_sys_host());
  run_exec(st, id, set);
  cr_assert(eq(str, shown(st, id, buf, sizeof buf), "running"));
  cr_assert(eq(int, tpc_store_run_end(st, id, TPC_RUN_FAILED), TPC_OK));
  cr_assert(eq(str, shown(st, id, buf, sizeof buf), "failed"));
  tpc_store_close(st);
}

static int resume(tpc_store *st, int64_t id, const char *command, const char *settings) {
  tpc_run_info info = {.command = command, .argv = "tpc again", .seed = 1, .threads = 1,
                       .settings = settings};
  return tpc_store_run_resume(st, id, &info);
}

static void assert_msg_has(const char *part) {
  cr_assert(ne(ptr, strstr(tpc_error_msg(), part), NULL), "'%s' not in: %s", part,
            tpc_error_msg());
}

/* --resume takes over a run only when it did not finish, its process is
** gone, and the command, the build and the settings are the run's; each
** refusal says why and changes nothing. */
Test(store, resume_takes_over_only_an_unfinished_run_of_the_same_settings) {
  tpc_store *st = open_ok(db_path);
  tpc_run_info info = {.command = "bounds", .argv = "tpc bounds x --d 5", .seed = 1,
                       .threads = 1, .settings = "d=5\nspec 1=x\n"};
  int64_t id = 0;
  cr_assert(eq(int, tpc_store_run_begin(st, &info, &id), TPC_OK), "%s", tpc_error_msg());
  char buf[256];

  cr_assert(eq(int, resume(st, id, "bounds", info.settings), TPC_EINPUT));
  assert_msg_has("is still running (pid");
  char set[160];
  snprintf(set, sizeof set, "pid = %lld", (long long)dead_pid());
  run_exec(st, id, set);
  cr_assert(eq(int, resume(st, id + 1, "bounds", info.settings), TPC_EINPUT));
  assert_msg_has("has no run");
  cr_assert(eq(int, resume(st, id, "rate", info.settings), TPC_EINPUT));
  assert_msg_has("is a tpc bounds run, not tpc rate");
  cr_assert(eq(int, resume(st, id, "bounds", "d=6\nspec 1=x\n"), TPC_EINPUT));
  assert_msg_has("the run has d=5, this command d=6");
  assert_msg_has("tpc bounds x --d 5");
  cr_assert(eq(int, resume(st, id, "bounds", "d=5\n"), TPC_EINPUT));
  assert_msg_has("the run has spec 1=x, this command nothing");
  run_exec(st, id, "git_commit = 'abc'");
  cr_assert(eq(int, resume(st, id, "bounds", info.settings), TPC_EINPUT));
  assert_msg_has("built from commit abc");
  snprintf(set, sizeof set, "git_commit = '%s'", tpc_build_commit());
  run_exec(st, id, set);
  cr_assert(eq(i64, run_int(st, id, "resumed"), 0));

  cr_assert(eq(int, resume(st, id, "bounds", info.settings), TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(i64, run_int(st, id, "pid"), (int64_t)getpid()));
  cr_assert(eq(i64, run_int(st, id, "resumed"), 1));
  cr_assert(eq(str, run_text(st, id, "status", buf, sizeof buf), "running"));
  cr_assert(eq(str, shown(st, id, buf, sizeof buf), "running"));
  cr_assert(eq(int, tpc_store_run_end(st, id, TPC_RUN_INTERRUPTED), TPC_OK));
  cr_assert(eq(int, resume(st, id, "bounds", info.settings), TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(i64, run_int(st, id, "ended_at IS NULL"), 1));
  cr_assert(eq(i64, run_int(st, id, "resumed"), 2));
  cr_assert(eq(int, tpc_store_run_end(st, id, TPC_RUN_OK), TPC_OK));
  cr_assert(eq(int, resume(st, id, "bounds", info.settings), TPC_EINPUT));
  assert_msg_has("finished (status ok): there is nothing to resume");
  cr_assert(eq(str, run_text(st, id, "status", buf, sizeof buf), "ok"));
  cr_assert(eq(i64, run_int(st, id, "resumed"), 2));
  tpc_store_close(st);
}

/* ---- two writers ------------------------------------------------------ */

Test(store, two_connections_interleave_writes) {
  enum { N = 25 };
  tpc_store *a = open_ok(db_path);
  tpc_store *b = open_ok(db_path);
  cr_assert(eq(int, tpc_store_db_version(b), tpc_store_version()));
  int64_t ids[2 * N];
  for (int i = 0; i < N; i++) {
    ids[2 * i] = begin_run(a, "bounds", (uint64_t)i);
    ids[2 * i + 1] = begin_run(b, "rate", (uint64_t)i);
    cr_assert(eq(int, tpc_store_run_end(a, ids[2 * i], TPC_RUN_OK), TPC_OK));
    cr_assert(eq(int, tpc_store_run_end(b, ids[2 * i + 1], TPC_RUN_FAILED), TPC_OK));
  }
  for (int i = 1; i < 2 * N; i++)
    cr_assert(lt(i64, ids[i - 1], ids[i])); /* each insert saw the other's */
  cr_assert(eq(i64, count_runs(a), 2 * N));
  cr_assert(eq(i64, count_runs(b), 2 * N));
  tpc_store_close(a);
  tpc_store_close(b);
}

/* The child process: wait for the go byte, insert (blocking on the parent's
** write lock), report when the insert finished.  Exit 0 on success. */
static void writer_child(int go_fd, int back_fd) {
  char c;
  if (read(go_fd, &c, 1) != 1)
    _exit(2);
  tpc_store *st = NULL;
  if (tpc_store_open(db_path, &st) != TPC_OK)
    _exit(3);
  tpc_run_info info = {.command = "child", .seed = 2, .threads = 1};
  int64_t id;
  int rc = tpc_store_run_begin(st, &info, &id);
  struct timespec done;
  clock_gettime(CLOCK_MONOTONIC, &done);
  tpc_store_close(st);
  if (write(back_fd, &done, sizeof done) != (ssize_t)sizeof done)
    _exit(4);
  _exit(rc == TPC_OK ? 0 : 1);
}

static double seconds(struct timespec t) { return (double)t.tv_sec + (double)t.tv_nsec * 1e-9; }

/* A second process's insert waits for the first's transaction (busy
** timeout) instead of failing with SQLITE_BUSY, and lands after its commit. */
Test(store, writer_waits_for_another_process) {
  tpc_store_close(open_ok(db_path)); /* migrate before the race */
  int go[2], back[2];
  cr_assert(eq(int, pipe(go), 0));
  cr_assert(eq(int, pipe(back), 0));
  pid_t pid = fork();
  cr_assert(ge(int, pid, 0));
  if (pid == 0)
    writer_child(go[0], back[1]);

  tpc_store *st = open_ok(db_path);
  cr_assert(eq(int, tpc_store_begin(st), TPC_OK));
  begin_run(st, "parent", 1);
  cr_assert(eq(long, (long)write(go[1], "g", 1), 1L));
  struct timespec hold = {0, 300 * 1000 * 1000}, commit_at, done;
  nanosleep(&hold, NULL);
  clock_gettime(CLOCK_MONOTONIC, &commit_at);
  cr_assert(eq(int, tpc_store_commit(st), TPC_OK), "%s", tpc_error_msg());

  cr_assert(eq(long, (long)read(back[0], &done, sizeof done), (long)sizeof done));
  int status = 0;
  cr_assert(eq(int, waitpid(pid, &status, 0), pid));
  cr_assert(eq(int, WIFEXITED(status) != 0, 1));
  cr_assert(eq(int, WEXITSTATUS(status), 0), "child exit %d", WEXITSTATUS(status));
  /* CLOCK_MONOTONIC is one clock for the whole machine. */
  cr_assert(lt(dbl, seconds(commit_at), seconds(done)));
  cr_assert(eq(i64, count_runs(st), 2));
  tpc_store_close(st);
  close(go[0]), close(go[1]), close(back[0]), close(back[1]);
}

/* ---- the machine description ------------------------------------------ */

static void assert_trimmed(const char *s) {
  size_t n = strlen(s);
  cr_assert(lt(sz, 0, n));
  cr_assert(not(eq(int, isspace((unsigned char)s[0]) != 0, 1)), "'%s'", s);
  cr_assert(not(eq(int, isspace((unsigned char)s[n - 1]) != 0, 1)), "'%s'", s);
}

Test(store, sysinfo_describes_the_machine) {
  assert_trimmed(tpc_sys_host());
  assert_trimmed(tpc_sys_cpu_model());
  cr_assert(eq(int, tpc_sys_cores(), (int)sysconf(_SC_NPROCESSORS_ONLN)));
  cr_assert(eq(ptr, (void *)tpc_sys_host(), (void *)tpc_sys_host())); /* computed once */
  char host[256] = "";
  cr_assert(eq(int, gethostname(host, sizeof host - 1), 0));
  cr_assert(eq(str, (char *)tpc_sys_host(), host));
}

/* A process's start time is read past its name, which may hold blanks and
** parentheses: a child that renames itself "x) 1 2 (y" keeps its start time.
** A reaped child has none. */
Test(store, sysinfo_reads_a_start_time_past_any_name) {
  int ready[2], hold[2];
  cr_assert(eq(int, pipe(ready), 0));
  cr_assert(eq(int, pipe(hold), 0));
  pid_t pid = fork();
  cr_assert(ge(int, pid, 0));
  if (pid == 0) {
    char c = 0;
    close(hold[1]); /* the parent's end: a failed test closes it, and read returns 0 */
    close(ready[0]);
    if (read(hold[0], &c, 1) != 1 || prctl(PR_SET_NAME, "x) 1 2 (y", 0, 0, 0) != 0 ||
        write(ready[1], "r", 1) != 1 || read(hold[0], &c, 1) != 1)
      _exit(1);
    _exit(0);
  }
  long long before = -1, after = -1;
  cr_assert(eq(int, tpc_sys_proc_start((long)pid, &before), 1));
  cr_assert(lt(i64, 0, (int64_t)before));
  char c;
  cr_assert(eq(long, (long)write(hold[1], "g", 1), 1L));
  cr_assert(eq(long, (long)read(ready[0], &c, 1), 1L));
  cr_assert(eq(int, tpc_sys_proc_start((long)pid, &after), 1));
  cr_assert(eq(i64, (int64_t)after, (int64_t)before));
  cr_assert(eq(long, (long)write(hold[1], "g", 1), 1L));
  int status;
  cr_assert(eq(int, waitpid(pid, &status, 0), pid));
  cr_assert(eq(int, WIFEXITED(status) && WEXITSTATUS(status) == 0, 1));
  cr_assert(eq(int, tpc_sys_proc_start((long)pid, &after), 0));
  close(ready[0]), close(ready[1]), close(hold[0]), close(hold[1]);
}

/* A child that exited but was not reaped yet (a zombie, as a killed tpc is
** until its shell waits for it) is gone. */
Test(store, sysinfo_counts_a_zombie_as_gone) {
  pid_t pid = fork();
  cr_assert(ge(int, pid, 0));
  if (pid == 0)
    _exit(0);
  long long start = -1;
  siginfo_t info;
  memset(&info, 0, sizeof info);
  /* wait until it has exited, leaving it unreaped */
  cr_assert(eq(int, waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT), 0));
  cr_assert(eq(int, tpc_sys_proc_start((long)pid, &start), 0));
  int status;
  cr_assert(eq(int, waitpid(pid, &status, 0), pid));
}
