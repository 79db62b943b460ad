/*
** tpc: entry point and the table of commands (git's command table).
**
** `tpc CMD ARGS...` runs cmd_CMD with a tpc_cli_ctx whose argv[0] is CMD.
** The entry's flags say what the common code does around the command
** (cli.h): load the registry and the --plugin files once the options are
** read, end the run the command opened.  Each command answers --help with
** its usage and the common options' block.
*/
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buildinfo.h"
#include "dist/dist.h"

/* OpenBLAS, which serves GSL's CBLAS calls here, keeps a thread pool of
** its own, whose workers spin beside tpc's OpenMP threads and oversubscribe
** the cores (quad(d=1000,n=100), EF21-TopK on 2 threads: 276-557 us per
** iteration, 197-216 us with OPENBLAS_NUM_THREADS=1).  tpc parallelizes
** above BLAS, so BLAS runs on the calling thread; the workers that the
** library started when it was loaded go to sleep after OpenBLAS's spin
** timeout.  Weak: absent when another BLAS is linked. */
extern void openblas_set_num_threads(int) __attribute__((weak));

#define NEEDS_REGISTRY TPC_CMD_NEEDS_REGISTRY
#define STORES_RUN TPC_CMD_STORES_RUN
#define ONE_PROCESS TPC_CMD_ONE_PROCESS
#define RANK0 TPC_CMD_RANK0

static const tpc_cli_cmd commands[] = {
    {"list", cmd_list, NEEDS_REGISTRY | RANK0, "list",
     "every compressor and mechanism, its parameters and declared constants"},
    {"describe", cmd_describe, NEEDS_REGISTRY | RANK0, "describe SPEC [--d D] [--n N]",
     "A, B, B/A, alpha, omega of one spec and the THEORY.md item of each"},
    {"bounds", cmd_bounds, NEEDS_REGISTRY | STORES_RUN, "bounds SPEC... [options]",
     "empirical check of alpha, omega, unbiasedness and the 3PC inequality"},
    {"rate", cmd_rate, NEEDS_REGISTRY | STORES_RUN, "rate PROBLEM METHOD... [options]",
     "Algorithm 1 runs, the Theorem 1 and PL checks, the paper's experiments"},
    {"bench", cmd_bench, NEEDS_REGISTRY | STORES_RUN | ONE_PROCESS,
     "bench [KERNEL...] [options]",
     "kernel timings with a roofline; bench compare RUN_A RUN_B"},
    {"report", cmd_report, RANK0, "report [--out DIR] [--run ID...]",
     "HTML + Markdown report of the database, plots by gnuplot"},
    {"regress", cmd_regress, NEEDS_REGISTRY | STORES_RUN | ONE_PROCESS,
     "regress [--baseline F] [--update]",
     "CI gate: a fixed set of checks compared with a baseline"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out) {
  fprintf(out,
          "usage: tpc [--help | --version] COMMAND [ARGS]\n\n"
          "tpc implements gradient compressors and three-point compressors (3PC)\n"
          "and checks their declared constants against THEORY.md.\n\n"
          "commands:\n");
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(out, "  %-34s %s\n", commands[i].synopsis, commands[i].summary);
  fprintf(out,
          "\n`tpc COMMAND --help` describes a command.  Exit codes: 0 pass, 1 a check\n"
          "failed, 2 bad input or usage, 3 inconclusive, 4 internal error.\n");
}

static const tpc_cli_cmd *find_command(const char *name) {
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (!strcmp(commands[i].name, name)) return &commands[i];
  return NULL;
}

int tpc_cli_dispatch(int argc, char **argv) {
  const tpc_cli_cmd *cmd = find_command(argv[0]);
  if (!cmd) {
    fprintf(stderr, "tpc: '%s' is not a tpc command; see `tpc --help`\n", argv[0]);
    return TPC_EXIT_USAGE;
  }
  int code = tpc_cli_ranks_check(cmd);
  if (code == TPC_CLI_RANK_IDLE) return TPC_EXIT_OK;
  if (code) return code;
  tpc_cli_ctx ctx = {.cmd = cmd, .argc = argc, .argv = argv};
  tpc_cli_common_init(&ctx.common);
  code = cmd->run(&ctx);
  if (code == TPC_CLI_HELP) code = TPC_EXIT_OK;
  if (cmd->flags & TPC_CMD_STORES_RUN) code = tpc_cli_run_end(&ctx.run, code);
  tpc_registry_free(ctx.reg);
  return code;
}

static void version(void) {
  printf("tpc %s (commit %.12s%s)\n%s\nflags: %s\n", tpc_build_version(),
         tpc_build_commit(), tpc_build_dirty() ? ", modified" : "",
         tpc_build_compiler(), tpc_build_cflags());
}

static int run(int argc, char **argv) {
  /* GSL's default handler aborts; every GSL status is checked instead. */
  gsl_set_error_handler_off();
  if (openblas_set_num_threads) openblas_set_num_threads(1);
  if (argc < 2) {
    usage(stderr);
    return TPC_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    if (argc > 2 && strcmp(cmd, "help") == 0 && find_command(argv[2])) {
      char help[] = "--help";
      char *sub[] = {argv[2], help, NULL};
      return tpc_cli_dispatch(2, sub);
    }
    usage(stdout);
    return TPC_EXIT_OK;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
    version();
    return TPC_EXIT_OK;
  }
  return tpc_cli_dispatch(argc - 1, argv + 1);
}

/* tpc-mpi: every rank runs the command line; rank 0 prints and stores
** (dist/dist.h), the others' standard output goes nowhere. */
int main(int argc, char **argv) {
  int rc = tpc_dist_init(&argc, &argv);
  if (rc) tpc_dist_exit(tpc_cli_fail(rc));
  tpc_dist_stop_set(tpc_cli_interrupted);
  if (tpc_dist_rank() != 0 && !freopen("/dev/null", "w", stdout))
    tpc_dist_exit(tpc_cli_fail(tpc_error(TPC_EIO, "rank %d: cannot close its output",
                                         tpc_dist_rank())));
  if ((rc = tpc_cli_stderr_hold())) tpc_dist_exit(tpc_cli_fail(rc));
  int code = run(argc, argv);
  tpc_dist_finalize();
  tpc_cli_stderr_release(code);
  return code;
}
