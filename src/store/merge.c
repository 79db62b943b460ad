/*
** Units of a run computed in other processes (dist/sweep.h): each unit is
** stored into a database of its own in memory, whose image
** (sqlite3_serialize) travels to the process that owns the run's database
** and is merged there (sqlite3_deserialize into an attached schema, then
** INSERT ... SELECT per table).
**
** The merged rows and ids are those the unit would have had if it had been
** stored into the run's database directly, after the units merged before
** it: a table's new INTEGER PRIMARY KEY ids are max(id) + 1, ... (none of
** tpc's tables uses AUTOINCREMENT, db/README.md), so every id of the unit
** is shifted by the largest id the table held before the merge, and every
** column that REFERENCES a table (PRAGMA foreign_key_list) by that table's
** shift.  The unit database holds a copy of the run's id in its runs table,
** so run_id columns are copied as they are and runs itself is not merged.
** One transaction per unit, its foreign keys checked at the commit: the
** database never holds part of a unit.
*/
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"

#define UNIT_SCHEMA "tpc_unit"

/* A unit's table: its name, whether it has rowids, its id column's shift. */
typedef struct unit_table {
  char name[64];
  int rowid;            /* a rowid table: copied in rowid order */
  int has_ipk;          /* an INTEGER PRIMARY KEY column, ipk */
  char ipk[64];
  int64_t shift;
} unit_table;

static int merge_fail(sqlite3 *db, const char *what) {
  return tpc_error(TPC_ESTORE, "merging a unit: %s: %s", what, sqlite3_errmsg(db));
}

static int merge_exec(sqlite3 *db, const char *sql, const char *what) {
  return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? TPC_OK : merge_fail(db, what);
}

/* The empty, migrated database every unit of this process starts from:
** running the migrations costs about 10 ms, copying it a few µs. */
static void *unit_template;
static size_t unit_template_len;

static int unit_open_empty(tpc_store **out) {
  if (unit_template) return tpc_store_open_image(unit_template, unit_template_len, out);
  int rc = tpc_store_open(":memory:", out);
  if (!rc) rc = tpc_store_unit_image(*out, &unit_template, &unit_template_len);
  return rc;
}

int tpc_store_open_unit(int64_t run_id, tpc_store **out) {
  int rc = unit_open_empty(out);
  if (rc) {
    tpc_store_close(*out);
    *out = NULL;
    return rc;
  }
  sqlite3 *db = tpc_store_db(*out);
  sqlite3_stmt *s;
  if (sqlite3_prepare_v2(db, "INSERT INTO runs (id, command, started_at) VALUES (?1, 'unit', '')",
                         -1, &s, NULL) != SQLITE_OK) {
    rc = merge_fail(db, "the unit's runs row");
  } else {
    sqlite3_bind_int64(s, 1, run_id);
    rc = sqlite3_step(s) == SQLITE_DONE ? TPC_OK : merge_fail(db, "the unit's runs row");
    sqlite3_finalize(s);
  }
  if (rc) {
    tpc_store_close(*out);
    *out = NULL;
  }
  return rc;
}

int tpc_store_unit_image(tpc_store *unit, void **image, size_t *len) {
  sqlite3_int64 size = 0;
  *image = sqlite3_serialize(tpc_store_db(unit), "main", &size, 0);
  *len = (size_t)size;
  return *image ? TPC_OK : tpc_error(TPC_ENOMEM, "a unit's database: out of memory for its image");
}

/* Whether the unit's table t is a rowid table, and its INTEGER PRIMARY KEY
** (a single primary-key column declared INTEGER). */
static int table_shape(sqlite3 *db, unit_table *t) {
  sqlite3_stmt *s;
  int pks = 0;
  if (sqlite3_prepare_v2(db, "SELECT wr FROM pragma_table_list WHERE schema = '" UNIT_SCHEMA
                         "' AND name = ?1", -1, &s, NULL) != SQLITE_OK)
    return merge_fail(db, "reading a table's kind");
  sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
  t->rowid = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 0;
  sqlite3_finalize(s);
  if (sqlite3_prepare_v2(db, "SELECT name, type FROM pragma_table_info(?1, '" UNIT_SCHEMA "')"
                         " WHERE pk > 0", -1, &s, NULL) != SQLITE_OK)
    return merge_fail(db, "reading a table's key");
  sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
  t->has_ipk = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    pks++;
    const char *type = (const char *)sqlite3_column_text(s, 1);
    if (type && !strcasecmp(type, "INTEGER")) {
      t->has_ipk = 1;
      snprintf(t->ipk, sizeof t->ipk, "%s", (const char *)sqlite3_column_text(s, 0));
    }
  }
  sqlite3_finalize(s);
  t->has_ipk = t->has_ipk && pks == 1 && t->rowid;
  return TPC_OK;
}

/* The largest id table t holds in the run's database: the unit's ids move
** past it. */
static int table_shift(sqlite3 *db, unit_table *t) {
  t->shift = 0;
  if (!t->has_ipk) return TPC_OK;
  char *sql = sqlite3_mprintf("SELECT coalesce(max(\"%w\"), 0) FROM main.\"%w\"", t->ipk, t->name);
  sqlite3_stmt *s;
  int rc = TPC_OK;
  if (!sql) return tpc_error(TPC_ENOMEM, "merging a unit: out of memory");
  if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
    rc = merge_fail(db, "a table of the unit is not in the run's database");
  } else {
    if (sqlite3_step(s) == SQLITE_ROW) t->shift = sqlite3_column_int64(s, 0);
    else rc = merge_fail(db, "reading a table's largest id");
    sqlite3_finalize(s);
  }
  sqlite3_free(sql);
  return rc;
}

/* The unit's tables but runs, with their shapes and shifts, in *tables. */
static int unit_tables(sqlite3 *db, unit_table **tables, size_t *n) {
  sqlite3_stmt *s;
  *tables = NULL;
  *n = 0;
  if (sqlite3_prepare_v2(db, "SELECT name FROM " UNIT_SCHEMA ".sqlite_schema WHERE type = 'table'"
                         " AND name NOT LIKE 'sqlite!_%' ESCAPE '!' AND name <> 'runs'"
                         " ORDER BY name", -1, &s, NULL) != SQLITE_OK)
    return merge_fail(db, "listing the unit's tables");
  int rc = TPC_OK;
  while (!rc && sqlite3_step(s) == SQLITE_ROW) {
    unit_table *t = realloc(*tables, (*n + 1) * sizeof *t);
    if (!t) {
      rc = tpc_error(TPC_ENOMEM, "merging a unit: out of memory");
      break;
    }
    *tables = t;
    t += (*n)++;
    snprintf(t->name, sizeof t->name, "%s", (const char *)sqlite3_column_text(s, 0));
    rc = table_shape(db, t);
    if (!rc) rc = table_shift(db, t);
  }
  sqlite3_finalize(s);
  return rc;
}

static int64_t shift_of(const unit_table *tables, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(tables[i].name, name)) return tables[i].shift;
  return 0;
}

/* How much column col of table t moves: t's shift for its id, the shift
** of the table it references for a foreign key (ref: that table, or NULL). */
static int64_t column_shift(const unit_table *tables, size_t n, const unit_table *t,
                            const char *col, const char *ref) {
  if (t->has_ipk && !strcmp(col, t->ipk)) return t->shift;
  return ref ? shift_of(tables, n, ref) : 0;
}

/* "INSERT INTO main.t (cols) SELECT exprs FROM unit.t [ORDER BY rowid]". */
static int table_copy_sql(sqlite3 *db, const unit_table *tables, size_t n, const unit_table *t,
                          char **out) {
  sqlite3_stmt *s;
  if (sqlite3_prepare_v2(db, "SELECT c.name, (SELECT f.\"table\" FROM pragma_foreign_key_list(?1, '"
                         UNIT_SCHEMA "') f WHERE f.\"from\" = c.name) FROM pragma_table_info(?1, '"
                         UNIT_SCHEMA "') c ORDER BY c.cid", -1, &s, NULL) != SQLITE_OK)
    return merge_fail(db, "reading a table's columns");
  sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
  char *cols = sqlite3_mprintf(""), *exprs = sqlite3_mprintf("");
  for (int first = 1; cols && exprs && sqlite3_step(s) == SQLITE_ROW; first = 0) {
    const char *col = (const char *)sqlite3_column_text(s, 0);
    int64_t by = column_shift(tables, n, t, col, (const char *)sqlite3_column_text(s, 1));
    const char *sep = first ? "" : ", ";
    char *c = sqlite3_mprintf("%z%s\"%w\"", cols, sep, col);
    char *e = by ? sqlite3_mprintf("%z%s\"%w\" + %lld", exprs, sep, col, (long long)by)
                 : sqlite3_mprintf("%z%s\"%w\"", exprs, sep, col);
    cols = c;
    exprs = e;
  }
  sqlite3_finalize(s);
  *out = cols && exprs ? sqlite3_mprintf("INSERT INTO main.\"%w\" (%s) SELECT %s FROM "
                                         UNIT_SCHEMA ".\"%w\"%s", t->name, cols, exprs, t->name,
                                         t->rowid ? " ORDER BY rowid" : "")
                       : NULL;
  sqlite3_free(cols);
  sqlite3_free(exprs);
  return *out ? TPC_OK : tpc_error(TPC_ENOMEM, "merging a unit: out of memory");
}

/* Inside the unit's transaction: every table's rows, shifted. */
static int merge_tables(sqlite3 *db, tpc_store_merged *merged) {
  unit_table *tables;
  size_t n;
  int rc = unit_tables(db, &tables, &n);
  for (size_t i = 0; i < n && !rc; i++) {
    char *sql = NULL;
    rc = table_copy_sql(db, tables, n, &tables[i], &sql);
    if (!rc) rc = merge_exec(db, sql, tables[i].name);
    sqlite3_free(sql);
  }
  if (!rc && merged) {
    merged->n = 0;
    for (size_t i = 0; i < n && merged->n < TPC_STORE_MERGED_MAX; i++)
      if (tables[i].shift) {
        snprintf(merged->table[merged->n].name, sizeof merged->table[0].name, "%s", tables[i].name);
        merged->table[merged->n++].shift = tables[i].shift;
      }
  }
  free(tables);
  return rc;
}

/* Attach a copy of the image as schema UNIT_SCHEMA (writable: BEGIN IMMEDIATE
** locks every attached schema); SQLite frees the copy. */
static int attach_image(sqlite3 *db, const void *image, size_t len) {
  unsigned char *copy = sqlite3_malloc64(len);
  if (!copy) return tpc_error(TPC_ENOMEM, "merging a unit: out of memory for its image");
  memcpy(copy, image, len);
  int rc = merge_exec(db, "ATTACH ':memory:' AS " UNIT_SCHEMA, "attaching the unit");
  if (rc) {
    sqlite3_free(copy);
    return rc;
  }
  if (sqlite3_deserialize(db, UNIT_SCHEMA, copy, (sqlite3_int64)len, (sqlite3_int64)len,
                          SQLITE_DESERIALIZE_FREEONCLOSE) !=
      SQLITE_OK) {
    rc = merge_fail(db, "reading the unit's image");
    sqlite3_exec(db, "DETACH " UNIT_SCHEMA, NULL, NULL, NULL);
  }
  return rc;
}

int tpc_store_merge(tpc_store *st, const void *image, size_t len, tpc_store_merged *merged) {
  sqlite3 *db = tpc_store_db(st);
  int rc = attach_image(db, image, len);
  if (rc) return rc;
  rc = merge_exec(db, "BEGIN IMMEDIATE", "beginning its transaction");
  if (!rc) rc = merge_exec(db, "PRAGMA defer_foreign_keys = ON", "deferring foreign keys");
  if (!rc) rc = merge_tables(db, merged);
  if (!rc) rc = merge_exec(db, "COMMIT", "committing (a row whose parent is missing?)");
  if (rc && !sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  int detached = merge_exec(db, "DETACH " UNIT_SCHEMA, "detaching the unit");
  return rc ? rc : detached;
}

int64_t tpc_store_merged_shift(const tpc_store_merged *merged, const char *table) {
  if (!merged) return 0;
  for (size_t i = 0; i < merged->n; i++)
    if (!strcmp(merged->table[i].name, table)) return merged->table[i].shift;
  return 0;
}
