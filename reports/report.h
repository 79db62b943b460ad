/*
** `tpc report`: the database rendered for people (README.md "tpc report").
**
** tpc_report_write reads the selected runs and writes, in one directory,
** report.html (self-contained: CSS inline, plots inline as SVG, no script,
** no network), report.md (the same tables, plots linked) and plots/NAME.svg.
**
** Which results: by default every finished run, and of each result the
** newest (per spec and size for bounds, per problem and method for rate, per
** kernel case for bench), so one report shows the latest word on
** everything; with --run only the runs named.  Sections: the constants
** (bounds), the rates (Theorem 1, PL, the paper's figures), the kernels
** (throughput against the roofline, TopK beside its peers), and with
** --compare the differences between two runs (reports/diff.h).
*/
#ifndef TPC_REPORT_H
#define TPC_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct tpc_report_opts {
  const char *out;            /* output directory (reports/out) */
  const char *db_path;        /* shown in the header */
  const int64_t *runs;        /* --run ids; NULL: newest of everything */
  size_t nruns;
  int64_t compare_a, compare_b; /* --compare; 0 when not asked */
  double threshold;           /* timing threshold of the comparison (0.05) */
} tpc_report_opts;

typedef struct tpc_report_summary {
  int figures;                /* plots drawn */
  int runs;                   /* runs the report drew from */
  int bounds, rates, kernels; /* result rows shown in each section */
} tpc_report_summary;

/* Write the report.  TPC_EINPUT for a run id that does not exist (message
** names it), TPC_EIO when gnuplot or the output directory fails, TPC_ENOMEM,
** TPC_ESTORE for SQLite errors. */
int tpc_report_write(tpc_store *st, const tpc_report_opts *o, tpc_report_summary *sum);

#endif
