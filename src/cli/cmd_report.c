/*
** tpc report [--db PATH] [--out DIR] [--run ID]... [--compare RUN_A RUN_B]
** [--threshold T] [--quiet]:
** the database as an HTML page and a Markdown summary (reports/report.h).
**
** Reading only: no runs row is written.  Every flag and run id is checked
** before a file is written, so bad input (exit 2) leaves the output
** directory as it was.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/error.h"
#include "reports/report.h"
#include "store/store.h"

#define MAXRUNS 256

enum { OPT_OUT = TPC_OPT_FIRST_FREE, OPT_RUN, OPT_COMPARE, OPT_THRESHOLD };

static const char usage[] =
    "usage: tpc report [--db PATH] [--out DIR] [--run ID]... [--compare RUN_A RUN_B]\n"
    "                  [--threshold T] [--quiet]\n\n"
    "Writes DIR/report.html (self-contained: plots inline as SVG, no network),\n"
    "DIR/report.md and DIR/plots/*.svg from the database: the constants (tpc\n"
    "bounds), the rates (tpc rate, the paper's figures) and the kernels (tpc bench).\n"
    "It only reads the database: no run is stored.\n\n"
    "  --out DIR        output directory (default reports/out), created if missing\n"
    "  --run ID         only this run (repeatable, at most 256); default: of every\n"
    "                   result the newest, over all finished runs\n"
    "  --compare A B    add what changed from run A to run B (two runs of one\n"
    "                   command), with the rule that judged each change\n"
    "  --threshold T    relative slowdown that counts in --compare, in [0, 10)\n"
    "                   (default 0.05)\n"
    "  --db PATH        the database read (default db/tpc.sqlite); it must exist\n"
    "  --quiet          print nothing on success\n"
    "--seed, --threads and --plugin are accepted and change nothing here.\n";

typedef struct report_args {
  tpc_cli_ctx *ctx; /* --compare reads the word after its value */
  tpc_report_opts o;
  int64_t runs[MAXRUNS];
} report_args;

static int report_opt(void *args, int code, const char *value) {
  report_args *a = args;
  const char *second;
  switch (code) {
    case OPT_OUT: a->o.out = value; return TPC_EXIT_OK;
    case OPT_RUN:
      if (a->o.nruns == MAXRUNS) {
        fprintf(stderr, "tpc: at most %d --run ids\n", MAXRUNS);
        return TPC_EXIT_USAGE;
      }
      if (tpc_cli_read_run("--run", value, &a->runs[a->o.nruns])) return TPC_EXIT_USAGE;
      a->o.nruns++;
      return TPC_EXIT_OK;
    case OPT_COMPARE:
      if (!(second = tpc_cli_parse_next(a->ctx))) {
        fprintf(stderr, "tpc: --compare expects two run ids\n");
        return TPC_EXIT_USAGE;
      }
      if (tpc_cli_read_run("--compare", value, &a->o.compare_a)) return TPC_EXIT_USAGE;
      return tpc_cli_read_run("--compare", second, &a->o.compare_b);
    default: /* OPT_THRESHOLD */
      return tpc_cli_threshold(value, &a->o.threshold);
  }
}

int cmd_report(tpc_cli_ctx *ctx) {
  static const struct option opts[] = {{"out", required_argument, 0, OPT_OUT},
                                       {"run", required_argument, 0, OPT_RUN},
                                       {"compare", required_argument, 0, OPT_COMPARE},
                                       {"threshold", required_argument, 0, OPT_THRESHOLD},
                                       {0, 0, 0, 0}};
  report_args a;
  memset(&a, 0, sizeof a);
  a.ctx = ctx;
  a.o.out = "reports/out";
  a.o.threshold = 0.05;
  int code = tpc_cli_parse(ctx, opts, report_opt, &a, usage);
  if (code) return code;
  if (ctx->nargs) {
    fprintf(stderr, "tpc: report takes no arguments, got '%s'\n", ctx->args[0]);
    return TPC_EXIT_USAGE;
  }
  const tpc_cli_common *common = &ctx->common;
  a.o.runs = a.runs;
  a.o.db_path = common->db;
  if (access(common->db, F_OK) != 0) {
    fprintf(stderr, "tpc: %s does not exist: run tpc bounds, rate or bench first\n", common->db);
    return TPC_EXIT_USAGE;
  }
  tpc_store *st;
  int rc = tpc_store_open(common->db, &st);
  if (rc) {
    tpc_cli_fail(rc);
    return TPC_EXIT_USAGE; /* not a tpc database, or a newer one */
  }
  tpc_report_summary sum;
  rc = tpc_report_write(st, &a.o, &sum);
  tpc_store_close(st);
  if (rc) return tpc_cli_fail(rc);
  if (!common->quiet)
    printf("report: %s/report.html and %s/report.md (%d runs; %d constants, %d rate "
           "results, %d kernel cases; %d plots)\n",
           a.o.out, a.o.out, sum.runs, sum.bounds, sum.rates, sum.kernels, sum.figures);
  return TPC_EXIT_OK;
}
