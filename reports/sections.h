/*
** The report's sections (report.c calls them in order) and the few helpers
** they share for reading SQLite columns into table cells.  Each section reads
** the newest results of the selected runs through the temp views report.c
** creates (rep_bounds, rep_checks, rep_best, rep_cases, rep_regress) and
** writes its tables and figures into the document.
*/
#ifndef TPC_REPORT_SECTIONS_H
#define TPC_REPORT_SECTIONS_H

#include <sqlite3.h>
#include <stdint.h>

#include "reports/doc.h"
#include "reports/report.h"
#include "store/store.h"

int tpc_report_bounds(tpc_doc *d, sqlite3 *db, tpc_report_summary *sum);
/* The checks of the catalogue's theorems, one table per family. */
int tpc_report_theorems(tpc_doc *d, sqlite3 *db, tpc_report_summary *sum);
int tpc_report_rates(tpc_doc *d, sqlite3 *db, tpc_report_summary *sum);
/* The scaling laws of T12 (sec_scaling.c), a subsection of the rates. */
int tpc_report_scaling(tpc_doc *d, sqlite3 *db, tpc_report_summary *sum);
/* Algorithm 1 over MPI (sec_dist.c), a subsection of the rates. */
int tpc_report_dist(tpc_doc *d, sqlite3 *db, tpc_report_summary *sum);
int tpc_report_kernels(tpc_doc *d, sqlite3 *db, tpc_report_summary *sum);
int tpc_report_compare(tpc_doc *d, tpc_store *st, int64_t run_a, int64_t run_b, double threshold);
/* The newest regress run's verdict and its failures and warnings. */
int tpc_report_regress(tpc_doc *d, sqlite3 *db);
/* Both runs exist and are of one command with results (its name in cmd);
** TPC_EINPUT with a message otherwise. */
int tpc_report_compare_check(sqlite3 *db, int64_t a, int64_t b, char *cmd, size_t size);

/* What a convergence plot shows: SQL expressions of x and y over the
** columns of rate_points p and of the run's rate_checks c, their axis labels
** (gnuplot text), and which axes are logarithmic. */
typedef struct tpc_rep_series {
  const char *x, *y, *xlabel, *ylabel;
  int log_y, log_x;
} tpc_rep_series;

/* One plot of series s per value of column 0 of st (the panel), one line
** per row: label in column 1, trajectory id in column 2; the figures are
** named prefix-0, prefix-1, ... (sec_rate.c). */
int tpc_rep_panel_plots(tpc_doc *doc, sqlite3 *db, sqlite3_stmt *st, const tpc_rep_series *s,
                        const char *prefix, const char *what);

/* Prepare sql; TPC_ESTORE with SQLite's message. */
int tpc_rep_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st);
/* A column as a double (NaN when NULL) and as text ("" when NULL). */
double tpc_rep_real(sqlite3_stmt *st, int col);
const char *tpc_rep_text(sqlite3_stmt *st, int col);
/* A number for a cell: "%.4g" (digits significant digits), "inf", or "-"
** for NULL / NaN.  Returns buf. */
const char *tpc_rep_num(double v, int digits, char *buf, size_t size);
/* The step result of a loop over sqlite3_step: TPC_OK when it ended with
** SQLITE_DONE, else TPC_ESTORE with the message. */
int tpc_rep_done(sqlite3 *db, int step_rc);

#endif
