/*
** tpc report [--db PATH] [--out DIR] [--run ID]... [--compare RUN_A RUN_B]:
** the database as an HTML page and a Markdown summary (reports/report.h).
**
** Reading only: no runs row is written.  Every flag and run id is checked
** before a file is written, so bad input (exit 2) leaves the output
** directory as it was.
*/
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/error.h"
#include "reports/report.h"
#include "store/store.h"

#define MAXRUNS 256

enum { OPT_OUT = TPC_OPT_FIRST_FREE, OPT_RUN, OPT_COMPARE, OPT_THRESHOLD, OPT_HELP };

static int usage(FILE *out, int code) {
  fprintf(out,
          "usage: tpc report [--db PATH] [--out DIR] [--run ID]... [--compare RUN_A RUN_B]\n\n"
          "Writes DIR/report.html (self-contained: plots inline as SVG, no network),\n"
          "DIR/report.md and DIR/plots/*.svg from the database: the constants (tpc\n"
          "bounds), the rates (tpc rate, the paper's figures) and the kernels (tpc bench).\n\n"
          "  --out DIR        output directory (default reports/out)\n"
          "  --run ID         only this run (repeatable); default: of every result the\n"
          "                   newest, over all finished runs\n"
          "  --compare A B    add what changed from run A to run B (two runs of one\n"
          "                   command), with the rule that judged each change\n"
          "  --threshold T    relative slowdown that counts in --compare (default 0.05)\n"
          "  --db PATH        database (default db/tpc.sqlite)\n"
          "  --quiet          print nothing on success\n");
  return code;
}

static int run_id(const char *opt, const char *text, int64_t *id) {
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || end == text || *end || v <= 0) {
    fprintf(stderr, "tpc: %s expects a run id (a positive integer), got '%s'\n", opt, text);
    return TPC_EXIT_USAGE;
  }
  *id = v;
  return TPC_EXIT_OK;
}

typedef struct report_args {
  tpc_cli_common common;
  tpc_report_opts o;
  int64_t runs[MAXRUNS];
} report_args;

/* 0, -1 for --help, or an exit code. */
static int parse(int argc, char **argv, report_args *a) {
  static const struct option opts[] = {{"out", required_argument, 0, OPT_OUT},
                                       {"run", required_argument, 0, OPT_RUN},
                                       {"compare", required_argument, 0, OPT_COMPARE},
                                       {"threshold", required_argument, 0, OPT_THRESHOLD},
                                       {"help", no_argument, 0, OPT_HELP},
                                       TPC_CLI_COMMON_OPTIONS,
                                       {0, 0, 0, 0}};
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    int r = tpc_cli_common_opt(&a->common, c, optarg);
    if (r == 1) continue;
    if (r < 0) return TPC_EXIT_USAGE;
    switch (c) {
    case OPT_HELP:
    case 'h': return -1;
    case OPT_OUT: a->o.out = optarg; break;
    case OPT_RUN:
      if (a->o.nruns == MAXRUNS) {
        fprintf(stderr, "tpc: at most %d --run ids\n", MAXRUNS);
        return TPC_EXIT_USAGE;
      }
      if (run_id("--run", optarg, &a->runs[a->o.nruns])) return TPC_EXIT_USAGE;
      a->o.nruns++;
      break;
    case OPT_COMPARE:
      /* two values: this one and the next word */
      if (optind >= argc || run_id("--compare", optarg, &a->o.compare_a) ||
          run_id("--compare", argv[optind], &a->o.compare_b)) {
        if (optind >= argc) fprintf(stderr, "tpc: --compare expects two run ids\n");
        return TPC_EXIT_USAGE;
      }
      optind++;
      break;
    case OPT_THRESHOLD:
      if (tpc_cli_threshold(optarg, &a->o.threshold)) return TPC_EXIT_USAGE;
      break;
    default:
      fprintf(stderr, "tpc: report: unknown or incomplete option '%s'\n", argv[optind - 1]);
      return TPC_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "tpc: report takes no arguments, got '%s'\n", argv[optind]);
    return TPC_EXIT_USAGE;
  }
  return TPC_EXIT_OK;
}

int cmd_report(int argc, char **argv) {
  report_args a;
  memset(&a, 0, sizeof a);
  tpc_cli_common_init(&a.common);
  a.o.out = "reports/out";
  a.o.threshold = 0.05;
  int code = parse(argc, argv, &a);
  if (code == -1) return usage(stdout, TPC_EXIT_OK);
  if (code) return code;
  a.o.runs = a.runs;
  a.o.db_path = a.common.db;
  if (access(a.common.db, F_OK) != 0) {
    fprintf(stderr, "tpc: %s does not exist: run tpc bounds, rate or bench first\n", a.common.db);
    return TPC_EXIT_USAGE;
  }
  tpc_store *st;
  int rc = tpc_store_open(a.common.db, &st);
  if (rc) {
    tpc_cli_fail(rc);
    return TPC_EXIT_USAGE; /* not a tpc database, or a newer one */
  }
  tpc_report_summary sum;
  rc = tpc_report_write(st, &a.o, &sum);
  tpc_store_close(st);
  if (rc) return tpc_cli_fail(rc);
  if (!a.common.quiet)
    printf("report: %s/report.html and %s/report.md (%d runs; %d constants, %d rate "
           "results, %d kernel cases; %d plots)\n",
           a.o.out, a.o.out, sum.runs, sum.bounds, sum.rates, sum.kernels, sum.figures);
  return TPC_EXIT_OK;
}
