/*
** The SQLite store (db/README.md): opening, migrating, and the runs
** table every result row references.
**
** tpc_store_open creates the file if needed, sets WAL mode and a busy timeout
** (two tpc processes may write at once), and runs the embedded migrations of
** db/ up to TPC_STORE_VERSION inside transactions.  A database written by a
** newer tpc (PRAGMA user_version greater than this binary's) is refused with
** a message, never modified.  Table and column names are documented in
** db/README.md.
*/
#ifndef TPC_STORE_H
#define TPC_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tpc_store tpc_store;

/* What the caller knows of a run.  The rest of the runs row (git commit and
** dirty flag, compiler and flags, tpc version, host name, CPU model, cores)
** is filled from the build (core/buildinfo.h) and the machine
** (core/sysinfo.h). */
typedef struct tpc_run_info {
  const char *command;     /* "bounds", "rate", ... */
  const char *argv;        /* the whole command line, shell-quoted */
  uint64_t seed;
  int threads;
  const char *settings;    /* what fixes the results, one "key=value" a line,
                              compared by tpc_store_run_resume; NULL: the
                              run cannot be resumed */
} tpc_run_info;

typedef enum {
  TPC_RUN_RUNNING = 0,     /* stored as 'running' */
  TPC_RUN_OK,              /* 'ok': finished, every check passed */
  TPC_RUN_FAILED,          /* 'failed': finished, a check failed (exit 1) */
  TPC_RUN_INCONCLUSIVE,    /* 'inconclusive' (exit 3) */
  TPC_RUN_ERROR,           /* 'error': stopped by an internal error (exit 4) */
  TPC_RUN_INTERRUPTED      /* 'interrupted': did not finish */
} tpc_run_status;

/* Open (creating and migrating) the database at path.  TPC_EINPUT with a
** message when the file is not a tpc database or is newer than this binary
** (the user's input: another --db is needed); TPC_ESTORE when SQLite fails
** (locked, I/O, a failed migration); TPC_EIO when its directory cannot be
** created. */
int tpc_store_open(const char *path, tpc_store **out);
void tpc_store_close(tpc_store *st);

/* The schema version this binary writes, and the one the file had when it
** was opened, before migrating (0 for a new file). */
int tpc_store_version(void);
int tpc_store_db_version(const tpc_store *st);

/* The connection, for the layers that add their own rows. */
sqlite3 *tpc_store_db(tpc_store *st);

/* Insert a runs row with status 'running', the start time and this process
** (host, boot id, pid, start time); its id in *id. */
int tpc_store_run_begin(tpc_store *st, const tpc_run_info *info, int64_t *id);

/* Take over run id to continue it in this process: it must be a run of
** info->command that did not finish (status 'interrupted' or 'error', or
** 'running' with its process gone), made by a tpc built from this commit,
** with the same info->settings.  The row is then 'running' again, owned by
** this process, its `resumed` count one higher, its result rows kept.
** TPC_EINPUT with a message saying why otherwise (nothing is changed). */
int tpc_store_run_resume(tpc_store *st, int64_t id, const tpc_run_info *info);

/* Every connection has the SQL function tpc_run_status(status, host,
** boot_id, pid, pid_start): the status a runs row shows.  A 'running' row
** whose process is gone (its host is this one, and it was started in another
** boot, or its pid is free or held by a process started at another time)
** shows 'abandoned'; any other row shows its status.  The stored status
** stays 'running': only the process that owns a row writes it, and a row of
** another host cannot be judged from here.  TPC_STORE_RUN_STATUS("r") is the
** call on the columns of runs row r. */
#define TPC_STORE_RUN_STATUS(r)                                                  \
  "tpc_run_status(" r ".status, " r ".host, " r ".boot_id, " r ".pid, " r        \
  ".pid_start)"

/* Set the end time and final status of run id. */
int tpc_store_run_end(tpc_store *st, int64_t id, tpc_run_status status);

/* Delete run id and every row that references it (ON DELETE CASCADE): used
** when a run ends with bad input, so nothing half-written stays. */
int tpc_store_run_discard(tpc_store *st, int64_t id);

/* Bind v to parameter i of s, NULL for a NaN (SQLite would store a NaN as
** NULL anyway: the layers' rows say so explicitly). */
void tpc_store_bind_real(sqlite3_stmt *s, int i, double v);

/* Transactions for grouping a check's rows (BEGIN IMMEDIATE / COMMIT /
** ROLLBACK). */
int tpc_store_begin(tpc_store *st);
int tpc_store_commit(tpc_store *st);
int tpc_store_rollback(tpc_store *st);

/* ---- units computed elsewhere (src/store/merge.c) ------------------------- */

/* A database in memory holding a copy of image (sqlite3_serialize of a
** tpc database), migrated if older: what tpc_store_open_unit starts each
** unit from, instead of running every migration again. */
int tpc_store_open_image(const void *image, size_t len, tpc_store **out);

/* A database in memory, migrated, for one unit of run run_id computed in
** another process (dist/sweep.h): its runs table holds a row with that id,
** so the unit's rows reference it as they would in the run's database. */
int tpc_store_open_unit(int64_t run_id, tpc_store **out);

/* The unit database's image (sqlite3_serialize), sqlite3_free'd by the
** caller. */
int tpc_store_unit_image(tpc_store *unit, void **image, size_t *len);

/* What a merge added to the ids of each table it moved. */
#define TPC_STORE_MERGED_MAX 64
typedef struct tpc_store_merged {
  size_t n;
  struct {
    char name[64];
    int64_t shift;
  } table[TPC_STORE_MERGED_MAX];
} tpc_store_merged;

/* Merge a unit's image into st in one transaction: every table's rows but
** runs, each INTEGER PRIMARY KEY id and every column that references one
** shifted past the ids st holds, so that the rows and ids are those the
** unit would have had stored into st directly.  merged (or NULL) receives
** the shifts.  TPC_ESTORE with a message when SQLite fails (nothing is
** merged then). */
int tpc_store_merge(tpc_store *st, const void *image, size_t len, tpc_store_merged *merged);

/* The shift a merge applied to table's ids (0: none, or merged NULL). */
int64_t tpc_store_merged_shift(const tpc_store_merged *merged, const char *table);

#endif
