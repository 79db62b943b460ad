/*
** The tpc command: one table of subcommands (main.c), one file per
** subcommand (cmd_<name>.c), and the few helpers they share (common.c).
**
** Exit codes everywhere (DESIGN.md): 0 all checks pass, 1 a check failed,
** 2 bad input or usage, 3 inconclusive, 4 internal or environment error.
*/
#ifndef TPC_CLI_H
#define TPC_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <getopt.h>

#include "registry/registry.h"
#include "spec/spec.h"

enum {
  TPC_EXIT_OK = 0,
  TPC_EXIT_FAIL = 1,
  TPC_EXIT_USAGE = 2,
  TPC_EXIT_INCONCLUSIVE = 3,
  TPC_EXIT_INTERNAL = 4
};

typedef struct tpc_cli_cmd {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *synopsis;   /* one line: "describe SPEC [--d D] [--n N]" */
  const char *summary;
} tpc_cli_cmd;

int cmd_list(int argc, char **argv);
int cmd_describe(int argc, char **argv);
int cmd_bounds(int argc, char **argv);
int cmd_rate(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_regress(int argc, char **argv);

/* Print "tpc: " + message to stderr and return the exit code for status. */
int tpc_cli_fail(int status);

/* Exit code for a library status (TPC_EINPUT -> 2, anything else -> 4). */
int tpc_cli_exit_code(int status);

/* Print text with a caret under the column the last error recorded (see
** tpc_error_at); nothing when it recorded none. */
void tpc_cli_caret(const char *text);

/* Parse a spec and check it against the registry; on error print the
** message with a caret under the column it names and return NULL with
** *exit_code = 2 (or 4 when out of memory). */
tpc_spec *tpc_cli_spec(const tpc_registry *reg, const char *text, int *exit_code);

/* Read a positive integer option value ("--d 100"); 2 with a message if it
** is not one. */
int tpc_cli_size(const char *opt, const char *text, size_t *out);

/* Read a relative timing threshold ("--threshold 0.05", in [0, 10)); 2 with
** a message if it is not one. */
int tpc_cli_threshold(const char *text, double *out);

/* The registry with the built-ins, or NULL after printing why. */
tpc_registry *tpc_cli_registry(void);

/* ---- flags every result-producing command takes (DESIGN.md) ------------ */

#define TPC_CLI_MAXPLUGINS 16

typedef struct tpc_cli_common {
  const char *db;        /* --db PATH, default db/tpc.sqlite */
  uint64_t seed;         /* --seed N, default 1 */
  int threads;           /* --threads N, default: the processors available */
  int quiet;             /* --quiet: no progress bar, no summary table */
  size_t nplugins;       /* --plugin FILE.so, repeatable */
  const char *plugins[TPC_CLI_MAXPLUGINS];
  int64_t resume;        /* --resume RUN (commands that splice it in); 0: none */
} tpc_cli_common;

enum {
  TPC_OPT_DB = 0x100,
  TPC_OPT_SEED,
  TPC_OPT_THREADS,
  TPC_OPT_QUIET,
  TPC_OPT_PLUGIN,
  TPC_OPT_RESUME,
  TPC_OPT_FIRST_FREE = 0x120 /* commands number their own long options from here */
};

/* Splice into a command's struct option table. */
#define TPC_CLI_COMMON_OPTIONS                                  \
  {"db", required_argument, 0, TPC_OPT_DB},                     \
      {"seed", required_argument, 0, TPC_OPT_SEED},             \
      {"threads", required_argument, 0, TPC_OPT_THREADS},       \
      {"quiet", no_argument, 0, TPC_OPT_QUIET},                 \
  {                                                             \
    "plugin", required_argument, 0, TPC_OPT_PLUGIN              \
  }

/* Usage lines for the common flags, for a command's --help. */
#define TPC_CLI_COMMON_HELP                                                      \
  "  --db PATH        database (default db/tpc.sqlite; created and migrated)\n"  \
  "  --seed N         run seed: fixes every result, whatever the thread count\n" \
  "  --threads N      worker threads (default: all processors)\n"               \
  "  --plugin FILE    load compressors/mechanisms from a plugin (repeatable)\n"  \
  "  --quiet          no progress bar or table\n"

/* --resume RUN, for the commands whose runs can be resumed (tpc_cli_run_start). */
#define TPC_CLI_RESUME_OPTION {"resume", required_argument, 0, TPC_OPT_RESUME}
#define TPC_CLI_RESUME_HELP                                                        \
  "  --resume RUN     continue run RUN, interrupted or abandoned: the same command\n" \
  "                   line (threads, --timeout and --quiet may differ) keeps its\n"  \
  "                   finished units and computes the rest\n"

void tpc_cli_common_init(tpc_cli_common *o);

/* Apply a common option returned by getopt_long.  Returns 1 when `code` was
** one (and its value good), 0 when it is not a common option, and -1 after
** printing a message when the value is bad (the command exits 2). */
int tpc_cli_common_opt(tpc_cli_common *o, int code, const char *arg);

/* Seconds a plugin's constructors and tpc_plugin_init may take. */
#define TPC_CLI_PLUGIN_LOAD_TIMEOUT 60

/* The registry with the built-ins and every --plugin, or NULL after printing
** why (*exit_code = 2 for a plugin that cannot be loaded, 4 when loading it
** crashed or hung in the child it is first loaded in, or otherwise). */
tpc_registry *tpc_cli_registry_plugins(const tpc_cli_common *o, int *exit_code);

/* ---- a run in the database ---------------------------------------------- */

struct tpc_store;

typedef struct tpc_cli_run {
  struct tpc_store *store;
  int64_t id;
  int resumed;   /* id is an earlier run this process took over (--resume) */
} tpc_cli_run;

/* Open the database and insert the runs row ('running') with the command
** line, seed and threads.  Installs SIGINT/SIGTERM handlers that set the flag
** tpc_cli_interrupted() reads.  Returns an exit code: 0; 2 after printing
** why when --db is not a tpc database or a newer one; 4 when SQLite fails. */
int tpc_cli_run_begin(tpc_cli_run *run, const tpc_cli_common *o, const char *command,
                      int argc, char **argv);

/* tpc_cli_run_begin for a command whose runs can be resumed: settings is
** what fixes its results, one "key=value" a line (the canonical specs and
** every option but threads, time-outs and output).  With --resume RUN
** (o->resume), takes over run RUN instead (run->resumed set; its finished
** units are the caller's to keep), or returns 2 after printing why not: it
** finished, is still running, is of another command, another build or
** other settings. */
int tpc_cli_run_start(tpc_cli_run *run, const tpc_cli_common *o, const char *command,
                      int argc, char **argv, const char *settings);

/* Finish the run with the status for exit_code (0 ok, 1 failed,
** 3 inconclusive, 4 error; 'interrupted' when the flag is set) and close the
** store.  Exit code 2 deletes the run and every row that references it:
** nothing is stored for bad input; a resumed run keeps its rows and ends
** 'interrupted' instead.  Returns the exit code to use. */
int tpc_cli_run_end(tpc_cli_run *run, int exit_code);

/* The id of the last run tpc_cli_run_begin or _start inserted or took over
** in this process (0: none); after tpc_cli_run_end with exit code 2 a new
** run's id no longer exists. */
int64_t tpc_cli_last_run_id(void);

/* Set by SIGINT or SIGTERM after tpc_cli_run_begin: long loops stop at the
** next unit of work, keep what finished, and end the run. */
int tpc_cli_interrupted(void);

/* ---- progress ------------------------------------------------------------ */

/* A progress callback for the layers below (bounds, rate, bench): draws a bar
** on stderr when it is a terminal and --quiet is off, else does nothing.
** ctx is the tpc_cli_progress; thread-safe. */
typedef struct tpc_cli_progress {
  const char *label;
  int enabled;
  int last_percent;
} tpc_cli_progress;

void tpc_cli_progress_init(tpc_cli_progress *p, const char *label, const tpc_cli_common *o);
void tpc_cli_progress_cb(void *ctx, size_t done, size_t total);
void tpc_cli_progress_end(tpc_cli_progress *p);

#endif
