/*
** Helpers shared by the commands: reporting library errors with the right
** exit code, reading specs with a caret under the error, the life of a runs
** row (opened by rank 0 alone under tpc-mpi, dist/dist.h), which ranks run a
** command, and the progress bar.
*/
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/error.h"
#include "dist/dist.h"
#include "dist/sweep.h"
#include "methods/method.h"
#include "store/store.h"

int tpc_cli_exit_code(int status) {
  return status == TPC_EINPUT ? TPC_EXIT_USAGE : TPC_EXIT_INTERNAL;
}

int tpc_cli_fail(int status) {
  fprintf(stderr, "tpc: %s\n", tpc_error_msg());
  return tpc_cli_exit_code(status);
}

void tpc_cli_caret(const char *text) {
  size_t column = tpc_error_column();
  if (column == 0 || column > strlen(text) + 1) return;
  fprintf(stderr, "  %s\n  %*s^\n", text, (int)(column - 1), "");
}

/* Parse text and check it with `check` (tpc_cli_spec, tpc_cli_method_spec). */
static tpc_spec *spec_checked(const tpc_registry *reg, const char *text,
                              int (*check)(const tpc_registry *, const tpc_spec *),
                              int *exit_code) {
  tpc_spec *s = NULL;
  int rc = tpc_spec_parse(text, &s);
  if (!rc) {
    rc = check(reg, s);
    if (rc) tpc_error_prefix(rc, "spec '%s': ", text);
  }
  if (!rc) return s;
  tpc_spec_free(s);
  *exit_code = tpc_cli_fail(rc);
  tpc_cli_caret(text);
  return NULL;
}

tpc_spec *tpc_cli_spec(const tpc_registry *reg, const char *text, int *exit_code) {
  return spec_checked(reg, text, tpc_spec_check, exit_code);
}

tpc_spec *tpc_cli_method_spec(const tpc_registry *reg, const char *text, int *exit_code) {
  return spec_checked(reg, text, tpc_method_check, exit_code);
}

/* ---- runs ------------------------------------------------------------------ */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
}

int tpc_cli_interrupted(void) { return interrupted != 0; }

int tpc_cli_sweep_stop(void) {
  tpc_sweep_serve();
  return tpc_cli_interrupted();
}

int tpc_cli_sweep_cancel(void *ctx) {
  (void)ctx;
  return tpc_cli_sweep_stop();
}

/* The command line as one shell-quoted string, for the runs row. */
static char *join_argv(int argc, char **argv) {
  size_t len = 4;
  for (int i = 0; i < argc; i++) len += 4 * strlen(argv[i]) + 3;
  char *s = malloc(len), *p = s;
  if (!s) return NULL;
  p += sprintf(p, "tpc");
  for (int i = 0; i < argc; i++) {
    int plain = strpbrk(argv[i], " \t\n'\"\\$`*?()[]{}<>|&;!#~") == NULL && *argv[i];
    *p++ = ' ';
    if (plain) {
      p += sprintf(p, "%s", argv[i]);
      continue;
    }
    *p++ = '\'';
    for (const char *c = argv[i]; *c; c++) {
      if (*c == '\'') p += sprintf(p, "'\\''");
      else *p++ = *c;
    }
    *p++ = '\'';
  }
  *p = '\0';
  return s;
}

/* The id of the newest run this process began: `tpc regress` runs the other
** commands in-process and finds their results by it. */
static int64_t last_run_id;

int64_t tpc_cli_last_run_id(void) { return last_run_id; }

/* SIGINT and SIGTERM set the flag that long loops poll. */
void tpc_cli_interrupts_catch(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

/* Rank 0's side of tpc_cli_run_start: the database and the runs row. */
static int run_start_root(tpc_cli_run *run, const tpc_cli_common *o, const char *command,
                          int argc, char **argv, const char *settings) {
  run->id = 0;
  int rc = tpc_store_open(o->db, &run->store);
  if (rc) return tpc_cli_fail(rc); /* not a tpc database, newer or damaged: 2; else 4 */
  char *line = join_argv(argc, argv);
  tpc_run_info info = {.command = command, .argv = line, .seed = o->seed,
                       .threads = o->threads, .settings = settings};
  if (!line) rc = tpc_error(TPC_ENOMEM, "out of memory");
  else if (o->resume) rc = tpc_store_run_resume(run->store, o->resume, &info);
  else rc = tpc_store_run_begin(run->store, &info, &run->id);
  free(line);
  if (rc) {
    tpc_store_close(run->store);
    run->store = NULL;
    return tpc_cli_fail(rc); /* a run that cannot be resumed: 2 */
  }
  if (o->resume) {
    run->id = o->resume;
    run->resumed = 1;
  }
  return TPC_EXIT_OK;
}

/* Only rank 0 opens the database (dist/dist.h): the others learn the run's
** id, or the exit code that ended its start, from it. */
int tpc_cli_run_start(tpc_cli_run *run, const tpc_cli_common *o, const char *command,
                      int argc, char **argv, const char *settings) {
  int64_t told[2] = {0, 0}; /* exit code, run id */
  run->store = NULL;
  run->resumed = 0;
  if (tpc_dist_rank() == 0) {
    told[0] = run_start_root(run, o, command, argc, argv, settings);
    told[1] = run->id;
  }
  int rc = tpc_dist_bcast(told, sizeof told, 0);
  if (rc) return tpc_cli_fail(rc);
  if (told[0] != TPC_EXIT_OK) return (int)told[0];
  run->id = told[1];
  run->resumed = o->resume != 0;
  last_run_id = run->id;
  tpc_cli_interrupts_catch();
  return TPC_EXIT_OK;
}

int tpc_cli_run_open(tpc_cli_ctx *ctx, const char *settings) {
  if (!(ctx->cmd->flags & TPC_CMD_STORES_RUN)) /* no one would end the run */
    return tpc_cli_fail(tpc_error(TPC_EINTERNAL, "tpc %s stores no run (its table entry)",
                                  ctx->cmd->name));
  return tpc_cli_run_start(&ctx->run, &ctx->common, ctx->cmd->name, ctx->argc, ctx->argv,
                           settings);
}

/* Seconds a rank other than 0 waits for rank 0 to leave first. */
#define RANK0_FIRST_SECONDS 10

/* Open MPI's mpirun kills every rank (SIGKILL) as soon as one exits with a
** non-zero status.  A rank other than 0 that is leaving with the same news
** as rank 0 (a usage error all found, an interruption all received) waits
** here for rank 0 to report or store it and leave: mpirun then ends this one.
** Leaving first would kill rank 0 before it marks the run 'interrupted' or
** prints.  The bound covers news that reached this rank alone. */
static void rank0_first_wait(void) {
  double until = tpc_dist_wtime() + RANK0_FIRST_SECONDS;
  struct timespec nap = {0, 10000000};
  while (tpc_dist_wtime() < until) nanosleep(&nap, NULL);
}

/* A run of several ranks that was interrupted or failed cannot end with the
** collective MPI_Finalize (a rank may be dead or still computing): this
** process leaves with its exit code, and mpirun ends the others. */
static int run_end_alone(int exit_code) {
  if (tpc_dist_size() > 1 && (interrupted || exit_code == TPC_EXIT_INTERNAL)) {
    exit_code = interrupted ? TPC_EXIT_INTERNAL : exit_code;
    if (interrupted && tpc_dist_rank() != 0) rank0_first_wait();
    tpc_cli_stderr_release(exit_code);
    tpc_dist_exit(exit_code);
  }
  return exit_code;
}

int tpc_cli_run_end(tpc_cli_run *run, int exit_code) {
  if (!run->store) return run_end_alone(exit_code);
  int rc;
  if (exit_code == TPC_EXIT_USAGE && run->resumed) {
    rc = tpc_store_run_end(run->store, run->id, TPC_RUN_INTERRUPTED);
  } else if (exit_code == TPC_EXIT_USAGE) {
    rc = tpc_store_run_discard(run->store, run->id);
  } else {
    tpc_run_status st = interrupted                          ? TPC_RUN_INTERRUPTED
                        : exit_code == TPC_EXIT_OK           ? TPC_RUN_OK
                        : exit_code == TPC_EXIT_FAIL         ? TPC_RUN_FAILED
                        : exit_code == TPC_EXIT_INCONCLUSIVE ? TPC_RUN_INCONCLUSIVE
                                                             : TPC_RUN_ERROR;
    rc = tpc_store_run_end(run->store, run->id, st);
    if (interrupted && exit_code == TPC_EXIT_OK) {
      fprintf(stderr, "tpc: interrupted; the finished checks are stored\n");
      exit_code = TPC_EXIT_INTERNAL;
    }
  }
  if (rc) {
    tpc_cli_fail(rc);
    exit_code = TPC_EXIT_INTERNAL;
  }
  tpc_store_close(run->store);
  run->store = NULL;
  return run_end_alone(exit_code);
}

/* ---- ranks ------------------------------------------------------------------ */

int tpc_cli_ranks_check(const tpc_cli_cmd *cmd) {
  if (tpc_dist_size() == 1) return TPC_EXIT_OK;
  if (cmd->flags & TPC_CMD_ONE_PROCESS) {
    if (tpc_dist_rank() == 0)
      fprintf(stderr, "tpc %s: does not run over %d processes; run it without mpirun (or with "
                      "-n 1)\n", cmd->name, tpc_dist_size());
    return TPC_EXIT_USAGE;
  }
  return (cmd->flags & TPC_CMD_RANK0) && tpc_dist_rank() != 0 ? TPC_CLI_RANK_IDLE : TPC_EXIT_OK;
}

/* ---- a rank's standard error ------------------------------------------------ */

static int stderr_real = -1; /* a rank other than 0: its real standard error, while held */
static FILE *stderr_held;

int tpc_cli_stderr_hold(void) {
  if (tpc_dist_rank() == 0) return TPC_OK;
  fflush(stderr);
  FILE *held = tmpfile();
  int real = held ? dup(STDERR_FILENO) : -1;
  if (real < 0 || dup2(fileno(held), STDERR_FILENO) < 0) {
    if (real >= 0) close(real);
    if (held) fclose(held);
    return tpc_error(TPC_EIO, "rank %d: cannot hold its standard error: %s", tpc_dist_rank(),
                     strerror(errno));
  }
  stderr_real = real;
  stderr_held = held;
  return TPC_OK;
}

/* The held text, from its start, to the real standard error. */
static void stderr_copy(int from, int to) {
  char buf[4096];
  off_t at = 0;
  ssize_t n;
  while ((n = pread(from, buf, sizeof buf, at)) > 0) {
    if (write(to, buf, (size_t)n) != n) return;
    at += n;
  }
}

void tpc_cli_stderr_release(int exit_code) {
  if (stderr_real < 0) return;
  fflush(stderr);
  if (exit_code == TPC_EXIT_USAGE && tpc_dist_size() > 1) rank0_first_wait();
  stderr_copy(fileno(stderr_held), stderr_real);
  dup2(stderr_real, STDERR_FILENO);
  close(stderr_real);
  fclose(stderr_held);
  stderr_real = -1;
  stderr_held = NULL;
}

/* ---- progress -------------------------------------------------------------- */

void tpc_cli_progress_init(tpc_cli_progress *p, const char *label, const tpc_cli_common *o) {
  p->label = label;
  p->enabled = !o->quiet && isatty(STDERR_FILENO) && tpc_dist_rank() == 0;
  p->last_percent = -1;
}

void tpc_cli_progress_cb(void *ctx, size_t done, size_t total) {
  tpc_cli_progress *p = ctx;
  if (!p->enabled || total == 0) return;
  int percent = (int)(100.0 * (double)done / (double)total);
#pragma omp critical(tpc_cli_progress)
  if (percent != p->last_percent) {
    p->last_percent = percent;
    int bar = percent * 30 / 100;
    fprintf(stderr, "\r%-16.16s [%.*s%*s] %3d%%", p->label, bar,
            "##############################", 30 - bar, "", percent);
    fflush(stderr);
  }
}

void tpc_cli_progress_end(tpc_cli_progress *p) {
  if (p->enabled && p->last_percent >= 0) fprintf(stderr, "\r%*s\r", 56, "");
}
