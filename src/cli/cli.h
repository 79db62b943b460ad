/*
** The tpc command: one table of commands (main.c) whose flags say what
** setup each needs, one file per command (cmd_<name>.c), one option parser
** with the common options and their help block (options.c), one set of
** typed readers of option values (read.c), and the helpers they share
** (common.c).
**
** A command is a function of a tpc_cli_ctx.  It reads its options with
** tpc_cli_parse (which loads the registry when the command's flags ask for
** it), checks its input, opens its run with tpc_cli_run_open when it stores
** one, and returns an exit code; tpc_cli_dispatch ends the run with that
** code and frees what the flags set up.
**
** Exit codes everywhere (README.md): 0 all checks pass, 1 a check failed,
** 2 bad input or usage, 3 inconclusive, 4 internal or environment error.
*/
#ifndef TPC_CLI_H
#define TPC_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <getopt.h>
#include <math.h>

#include "registry/registry.h"
#include "spec/spec.h"

enum {
  TPC_EXIT_OK = 0,
  TPC_EXIT_FAIL = 1,
  TPC_EXIT_USAGE = 2,
  TPC_EXIT_INCONCLUSIVE = 3,
  TPC_EXIT_INTERNAL = 4
};

/* ---- typed readers of option values (read.c) ---------------------------- */

/* Each reads the text given to option opt ("--d") into *out and returns
** TPC_EXIT_OK, or prints "tpc: OPT expects WHAT, got 'TEXT'" and returns
** TPC_EXIT_USAGE, leaving *out as it was. */

/* The largest count any option takes: sizes times a few bytes fit size_t. */
#define TPC_CLI_COUNT_MAX (SIZE_MAX / 16)

/* A decimal integer in [lo, hi] (digits only: no sign, no blank). */
int tpc_cli_read_count(const char *opt, const char *text, size_t lo, size_t hi, size_t *out);

/* Any 64-bit decimal integer (--seed). */
int tpc_cli_read_u64(const char *opt, const char *text, uint64_t *out);

/* An interval of reals; hi = INFINITY for none. */
typedef struct tpc_cli_range {
  double lo, hi;
  int lo_open, hi_open;
} tpc_cli_range;

#define TPC_CLI_POSITIVE ((tpc_cli_range){0, INFINITY, 1, 1})
/* A relative timing threshold: 0.05 is 5% (bench compare, report, regress). */
#define TPC_CLI_THRESHOLD ((tpc_cli_range){0, 10, 0, 1})

/* A finite real in the range (strtod's syntax). */
int tpc_cli_read_real(const char *opt, const char *text, tpc_cli_range range, double *out);

/* One of the NULL-ended names: *out is its index. */
int tpc_cli_read_choice(const char *opt, const char *text, const char *const *names, int *out);

/* A run id: a positive decimal integer that fits int64_t. */
int tpc_cli_read_run(const char *opt, const char *text, int64_t *out);

/* A comma-separated list of sizes, each N or 2^N, from 1 to max ("2^20,1000"):
** at most cap of them into out[], their number in *n (out[] may be partly
** written when the list is refused). */
int tpc_cli_read_sizes(const char *opt, const char *text, size_t max, size_t cap, size_t *out,
                       size_t *n);

/* ---- the common options (options.c) ------------------------------------- */

#define TPC_CLI_MAXPLUGINS 16
#define TPC_CLI_MAXTHREADS 1024

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

/* --resume RUN, for the commands whose runs can be resumed (tpc_cli_run_open). */
#define TPC_CLI_RESUME_OPTION {"resume", required_argument, 0, TPC_OPT_RESUME}
#define TPC_CLI_RESUME_HELP                                                        \
  "  --resume RUN     continue run RUN, interrupted or abandoned: the same command\n" \
  "                   line (threads, --timeout and --quiet may differ) keeps its\n"  \
  "                   finished units and computes the rest\n"

void tpc_cli_common_init(tpc_cli_common *o);

/* Shorthands: a positive count (tpc_cli_read_count from 1), and
** --threshold (tpc_cli_read_real in TPC_CLI_THRESHOLD). */
int tpc_cli_size(const char *opt, const char *text, size_t *out);
int tpc_cli_threshold(const char *text, double *out);

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

/* The same for a method: a mechanism spec or a method name of
** methods/method.h (THEORY.md T8, T9), checked by tpc_method_check. */
tpc_spec *tpc_cli_method_spec(const tpc_registry *reg, const char *text, int *exit_code);

/* ---- a run in the database ---------------------------------------------- */

struct tpc_store;

typedef struct tpc_cli_run {
  struct tpc_store *store;
  int64_t id;
  int resumed;   /* id is an earlier run this process took over (--resume) */
} tpc_cli_run;

/* Open the database and insert the runs row ('running') with the command
** line, seed, threads and settings: what fixes the command's results, one
** "key=value" a line (the canonical specs and every option but threads,
** time-outs and output), NULL for a command whose runs cannot be resumed.
** Installs SIGINT/SIGTERM handlers that set the flag tpc_cli_interrupted()
** reads.  With --resume RUN (o->resume), takes over run RUN instead
** (run->resumed set; its finished units are the caller's to keep), or
** returns 2 after printing why not: it finished, is still running, is of
** another command, another build or other settings.  Returns an exit code:
** 0; 2 after printing why when --db is not a tpc database or a newer one;
** 4 when SQLite fails. */
int tpc_cli_run_start(tpc_cli_run *run, const tpc_cli_common *o, const char *command,
                      int argc, char **argv, const char *settings);

/* Finish the run with the status for exit_code (0 ok, 1 failed,
** 3 inconclusive, 4 error; 'interrupted' when the flag is set) and close the
** store.  Exit code 2 deletes the run and every row that references it:
** nothing is stored for bad input; a resumed run keeps its rows and ends
** 'interrupted' instead.  Returns the exit code to use. */
int tpc_cli_run_end(tpc_cli_run *run, int exit_code);

/* The id of the last run tpc_cli_run_start inserted or took over
** in this process (0: none); after tpc_cli_run_end with exit code 2 a new
** run's id no longer exists. */
int64_t tpc_cli_last_run_id(void);

/* Set by SIGINT or SIGTERM after tpc_cli_run_start: long loops stop at the
** next unit of work, keep what finished, and end the run. */
int tpc_cli_interrupted(void);

/* tpc_cli_interrupted for the stop and cancel callbacks a sweep's units
** poll (bounds' tpc_bounds_opts.stop, Algorithm 1's cancel): rank 0 also
** answers the other ranks there (dist/sweep.h: tpc_sweep_serve). */
int tpc_cli_sweep_stop(void);
int tpc_cli_sweep_cancel(void *ctx);

/* Catch SIGINT and SIGTERM into the flag tpc_cli_interrupted() reads (done
** by tpc_cli_run_start; a process that stores into another's run calls it). */
void tpc_cli_interrupts_catch(void);

/* ---- commands ------------------------------------------------------------ */

/* What a command's table entry asks of the common code. */
enum {
  /* ctx->reg holds the built-ins and every --plugin, loaded by tpc_cli_parse
  ** once the options are read, freed after the command */
  TPC_CMD_NEEDS_REGISTRY = 1 << 0,
  /* the command opens a run (tpc_cli_run_open) once its input is checked;
  ** tpc_cli_dispatch ends it with the command's exit code */
  TPC_CMD_STORES_RUN = 1 << 1,
  /* under several ranks (tpc-mpi) the command is refused with exit 2: it
  ** does not distribute, and P copies would fight for the cores it times */
  TPC_CMD_ONE_PROCESS = 1 << 2,
  /* under several ranks only rank 0 runs it; the others exit 0 */
  TPC_CMD_RANK0 = 1 << 3
};

struct tpc_cli_ctx;

typedef struct tpc_cli_cmd {
  const char *name;
  int (*run)(struct tpc_cli_ctx *ctx);
  unsigned flags;        /* TPC_CMD_* */
  const char *synopsis;  /* one line: "describe SPEC [--d D] [--n N]" */
  const char *summary;
} tpc_cli_cmd;

/* A command's invocation: what the common code sets up around it. */
typedef struct tpc_cli_ctx {
  const tpc_cli_cmd *cmd;
  int argc;              /* argv[0] is the command's name */
  char **argv;
  tpc_cli_common common; /* the common options, defaults until tpc_cli_parse */
  int nargs;             /* the operands, after tpc_cli_parse */
  char **args;
  tpc_registry *reg;     /* TPC_CMD_NEEDS_REGISTRY */
  tpc_cli_run run;       /* TPC_CMD_STORES_RUN, once opened */
} tpc_cli_ctx;

int cmd_list(tpc_cli_ctx *ctx);
int cmd_describe(tpc_cli_ctx *ctx);
int cmd_bounds(tpc_cli_ctx *ctx);
int cmd_rate(tpc_cli_ctx *ctx);
int cmd_bench(tpc_cli_ctx *ctx);
int cmd_report(tpc_cli_ctx *ctx);
int cmd_regress(tpc_cli_ctx *ctx);

/* What tpc_cli_ranks_check returns to a rank that leaves the command to
** rank 0. */
#define TPC_CLI_RANK_IDLE (-2)

/* Whether this rank runs cmd (its TPC_CMD_ONE_PROCESS, TPC_CMD_RANK0
** flags): 0 yes; TPC_CLI_RANK_IDLE when rank 0 alone runs it; 2 after rank
** 0 printed why a command that does not distribute is refused. */
int tpc_cli_ranks_check(const tpc_cli_cmd *cmd);

/* Every rank reads the same command line, so each finds the same bad input
** and would print it: a rank other than 0 holds its standard error in a
** temporary file from the start (tpc_cli_stderr_hold), and copies it out
** when it leaves (tpc_cli_stderr_release, with its exit code).  On exit 2 it
** first waits for rank 0, which reports the same message, to end the job;
** a message that this rank alone found (a file missing on its node) still
** shows.  Rank 0 and one process hold nothing. */
int tpc_cli_stderr_hold(void);
void tpc_cli_stderr_release(int exit_code);

/* Run the command argv[0] of the table with argv (tpc itself, and tpc
** regress for its steps): the common options' defaults, the command, then
** its run ended and its registry freed.  Returns the exit code. */
int tpc_cli_dispatch(int argc, char **argv);

/* A command's own options: the getopt_long table (without the common ones
** and --help, which tpc_cli_parse adds) and the function that applies one,
** returning an exit code (NULL when the table is empty). */
typedef int (*tpc_cli_opt_fn)(void *args, int code, const char *value);

/* What tpc_cli_parse returns after printing --help: the command returns it,
** tpc_cli_dispatch makes it exit code 0. */
#define TPC_CLI_HELP (-1)

/* Read ctx's options: each of the command's to apply(args, code, value),
** the common ones into ctx->common; --help prints usage then the common
** options' help block and returns TPC_CLI_HELP.  An unknown option, a
** missing value or a bad one prints why and returns 2.  Then the operands
** into ctx->args, and the registry when the command needs it: 2 for a
** plugin that cannot be loaded, 4 when loading it crashed or hung in the
** child it is first loaded in, or otherwise. */
int tpc_cli_parse(tpc_cli_ctx *ctx, const struct option *opts, tpc_cli_opt_fn apply, void *args,
                  const char *usage);

/* The second value of an option that takes two ("--compare A B"): the next
** word, consumed; NULL when there is none. */
const char *tpc_cli_parse_next(tpc_cli_ctx *ctx);

/* Open the command's run (tpc_cli_run_start with its name, argv and
** settings); tpc_cli_dispatch ends it.  Exit 4 for a command whose entry
** lacks TPC_CMD_STORES_RUN: no one would end its run. */
int tpc_cli_run_open(tpc_cli_ctx *ctx, const char *settings);

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
