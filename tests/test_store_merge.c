/*
** Tests of the merge of units computed elsewhere (src/store/merge.c): units
** stored each into a database in memory and merged in order give the rows
** and ids of the same units stored directly, over a database that already
** holds other runs; a unit whose rows cannot be merged leaves nothing.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "store/store.h"

static char tmp_dir[64];

static void tmp_setup(void) {
  strcpy(tmp_dir, "/tmp/tpc_merge_XXXXXX");
  cr_assert(ne(ptr, mkdtemp(tmp_dir), NULL));
}

static void tmp_teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_dir);
  cr_assert(eq(int, system(cmd), 0));
}

TestSuite(store_merge, .init = tmp_setup, .fini = tmp_teardown);

static tpc_store *open_at(const char *name) {
  char path[128];
  snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
  tpc_store *st = NULL;
  cr_assert(eq(int, tpc_store_open(path, &st), TPC_OK), "%s", tpc_error_msg());
  return st;
}

static int64_t run_begin(tpc_store *st) {
  tpc_run_info info = {.command = "rate", .argv = "tpc rate", .seed = 1, .threads = 1};
  int64_t id = 0;
  cr_assert(eq(int, tpc_store_run_begin(st, &info, &id), TPC_OK), "%s", tpc_error_msg());
  return id;
}

static void exec(tpc_store *st, const char *sql) {
  char *msg = NULL;
  cr_assert(eq(int, sqlite3_exec(tpc_store_db(st), sql, NULL, NULL, &msg), SQLITE_OK), "%s: %s",
            sql, msg ? msg : "");
}

/* Unit u of run run_id as the layers store it: a check, `trajs` trajectories
** of it with their points, and a best row that references the last one;
** every id from SQLite, every reference from last_insert_rowid(). */
static void store_unit(tpc_store *st, int64_t run_id, int u, int trajs) {
  char sql[1024];
  snprintf(sql, sizeof sql,
           "INSERT INTO rate_checks (run_id, problem, method, d, n, check_kind, x0, init, T,"
           " reps, gamma, verdict) VALUES (%lld, 'quad', 'unit %d', 10, 2, 'exp', 'zero', 'full',"
           " 5, 1, 0.5, 'n/a'); CREATE TEMP TABLE IF NOT EXISTS ids (k TEXT PRIMARY KEY, v);"
           " INSERT OR REPLACE INTO temp.ids VALUES ('check', last_insert_rowid());",
           (long long)run_id, u);
  exec(st, sql);
  for (int k = 0; k < trajs; k++) {
    snprintf(sql, sizeof sql,
             "INSERT INTO rate_trajectories (check_id, role, rep, gamma, stop, iters, "
             "record_every) SELECT v, 'rep', %d, 0.5, 'T', 5, 1 FROM temp.ids WHERE k = 'check';"
             " INSERT OR REPLACE INTO temp.ids VALUES ('traj', last_insert_rowid());"
             " INSERT INTO rate_points (trajectory_id, t, bits_up, bits_up_paper, bits_down)"
             " SELECT v, 0, %d, 1, 1 FROM temp.ids WHERE k = 'traj';"
             " INSERT INTO rate_points (trajectory_id, t, bits_up, bits_up_paper, bits_down)"
             " SELECT v, 5, %d, 2, 2 FROM temp.ids WHERE k = 'traj';",
             k, 100 * u + k, 100 * u + k + 1);
    exec(st, sql);
  }
  snprintf(sql, sizeof sql,
           "INSERT INTO rate_best (run_id, experiment, method, metric, trajectory_id, reached)"
           " SELECT %lld, 'fig2', 'unit %d', 'bits_to_eps', v, 1 FROM temp.ids WHERE k = 'traj'",
           (long long)run_id, u);
  exec(st, sql);
}

/* Every row of the result tables, ids included, as one text. */
static char *dump(tpc_store *st) {
  static const char *const q[] = {
      "SELECT group_concat(id || ',' || run_id || ',' || method, ';') FROM rate_checks",
      "SELECT group_concat(id || ',' || check_id || ',' || rep, ';') FROM rate_trajectories",
      "SELECT group_concat(trajectory_id || ',' || t || ',' || bits_up, ';') FROM rate_points",
      "SELECT group_concat(id || ',' || run_id || ',' || method || ',' || trajectory_id, ';')"
      " FROM rate_best",
      NULL};
  size_t cap = 1 << 16, len = 0;
  char *out = calloc(1, cap);
  for (size_t i = 0; q[i]; i++) {
    sqlite3_stmt *s;
    cr_assert(eq(int, sqlite3_prepare_v2(tpc_store_db(st), q[i], -1, &s, NULL), SQLITE_OK));
    cr_assert(eq(int, sqlite3_step(s), SQLITE_ROW));
    const char *t = (const char *)sqlite3_column_text(s, 0);
    len += (size_t)snprintf(out + len, cap - len, "%s\n", t ? t : "");
    sqlite3_finalize(s);
  }
  return out;
}

/* Units 1..3 of a second run, over a first run's rows: directly, and each
** through its own unit database merged in order. */
Test(store_merge, gives_the_rows_and_ids_of_direct_storing) {
  tpc_store *direct = open_at("direct.sqlite"), *merged = open_at("merged.sqlite");
  int64_t r0 = run_begin(direct);
  cr_assert(eq(i64, run_begin(merged), r0));
  store_unit(direct, r0, 0, 2);
  store_unit(merged, r0, 0, 2);
  int64_t r1 = run_begin(direct);
  cr_assert(eq(i64, run_begin(merged), r1));
  for (int u = 1; u <= 3; u++) {
    store_unit(direct, r1, u, u);
    tpc_store *unit = NULL;
    cr_assert(eq(int, tpc_store_open_unit(r1, &unit), TPC_OK), "%s", tpc_error_msg());
    store_unit(unit, r1, u, u);
    void *image;
    size_t len;
    cr_assert(eq(int, tpc_store_unit_image(unit, &image, &len), TPC_OK));
    tpc_store_close(unit);
    tpc_store_merged shifts;
    cr_assert(eq(int, tpc_store_merge(merged, image, len, &shifts), TPC_OK), "%s",
              tpc_error_msg());
    sqlite3_free(image);
    /* before unit u: 1 + (u - 1) checks of the earlier units */
    cr_assert(eq(i64, tpc_store_merged_shift(&shifts, "rate_checks"), u));
    cr_assert(eq(i64, tpc_store_merged_shift(&shifts, "runs"), 0));
  }
  char *a = dump(direct), *b = dump(merged);
  cr_assert(eq(str, b, a));
  cr_assert(ne(ptr, strstr(a, "4,2,unit 3"), NULL)); /* the dump holds the ids */
  free(a);
  free(b);
  tpc_store_close(direct);
  tpc_store_close(merged);
}

/* A unit whose row references a run the database lacks: refused at the
** commit, and nothing of it stays. */
Test(store_merge, refused_unit_leaves_nothing) {
  tpc_store *st = open_at("one.sqlite");
  int64_t r = run_begin(st);
  tpc_store *unit = NULL;
  cr_assert(eq(int, tpc_store_open_unit(r + 1, &unit), TPC_OK));
  store_unit(unit, r + 1, 1, 2);
  void *image;
  size_t len;
  cr_assert(eq(int, tpc_store_unit_image(unit, &image, &len), TPC_OK));
  tpc_store_close(unit);
  cr_assert(eq(int, tpc_store_merge(st, image, len, NULL), TPC_ESTORE));
  sqlite3_free(image);
  char *d = dump(st);
  cr_assert(eq(str, d, "\n\n\n\n"));
  free(d);
  /* the connection is usable: the unit schema was detached */
  exec(st, "SELECT 1");
  cr_assert(eq(int, sqlite3_get_autocommit(tpc_store_db(st)), 1));
  tpc_store_close(st);
}
