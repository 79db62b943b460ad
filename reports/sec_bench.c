/*
** Report section "Kernels": what `tpc bench` measured (db/README.md,
** bench_*).  Per kernel and dtype, throughput against d for every
** implementation with the memory floor of the same runs (the roofline); TopK's
** implementations beside the peer libraries, as a table and as time against
** d; Python kernels beside the bridge's own cost (bench/cases.h); and every
** case with its median, its intervals over rounds and within a round, the
** spread across rounds, and its distance to the floor.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/store_bench.h"
#include "core/error.h"
#include "reports/sections.h"

/* The newest row per case key among the selected runs (report.c), as "cases". */
#define CASES "WITH cases AS (SELECT * FROM temp.rep_cases) "

/* A size column ("2^20"), "-" when NULL. */
static const char *fmt_size(sqlite3_stmt *st, int col, char *buf, size_t n) {
  if (sqlite3_column_type(st, col) == SQLITE_NULL) return "-";
  return tpc_bench_fmt_size((size_t)sqlite3_column_int64(st, col), buf, n);
}

/* Series plot against d: rows (label, d, y) ordered by label; one line per
** label.  d on a base-2 axis labelled 2^N; yaxis: the y axis's settings. */
static int series_figure(tpc_doc *doc, sqlite3 *db, sqlite3_stmt *st, const char *title,
                         const char *yaxis, const char *name, const char *caption) {
  tpc_plot p;
  tpc_buf cmd = {0};
  tpc_plot_begin(&p, title);
  char label[128] = "";
  int step, nseries = 0, open = 0;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    const char *l = tpc_rep_text(st, 0);
    double x = tpc_rep_real(st, 1), y = tpc_rep_real(st, 2);
    if (!open || strcmp(l, label)) {
      if (open) tpc_plot_data_end(&p);
      snprintf(label, sizeof label, "%s", l);
      char block[16];
      snprintf(block, sizeof block, "S%d", nseries);
      tpc_plot_data_begin(&p, block);
      tpc_buf_printf(&cmd, "%s$%s using 1:2 with linespoints pt 7 ps 0.6 lw 1.5 %s title ",
                     nseries ? ", " : "", block,
                     !strcmp(l, "memory floor") ? "dt 2 lc rgb '#000000'" : "");
      tpc_plot_quote(&cmd, l);
      nseries++;
      open = 1;
    }
    if (isfinite(x) && isfinite(y) && x > 0 && y > 0) tpc_plot_row(&p, "%.9g %.9g", x, y);
  }
  if (open) tpc_plot_data_end(&p);
  int rc = tpc_rep_done(db, step);
  if (!rc && cmd.failed) rc = tpc_error(TPC_ENOMEM, "out of memory building a plot");
  if (!rc && p.points) {
    tpc_plot_log_axis(&p, 'x', 2);
    tpc_buf_printf(&p.script, "set xlabel 'd'\n%s\nset key outside right top\nplot %s\n", yaxis,
                   tpc_buf_str(&cmd));
    rc = tpc_doc_figure(doc, &p, name, caption);
  }
  tpc_plot_free(&p);
  tpc_buf_free(&cmd);
  return rc;
}

/* Throughput against d for one kernel and dtype: each implementation (and
** peer), the memory floor (bytes over the smallest floor of the case), and
** the read bandwidth. */
static int throughput_figure(tpc_doc *doc, sqlite3 *db, const char *kernel, const char *dtype,
                             int index) {
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(
      db,
      CASES "SELECT impl, d, gbps FROM cases WHERE role <> 'bandwidth' AND kernel = ?1 AND "
            "dtype = ?2 UNION ALL SELECT 'memory floor', d, max((bytes_read + bytes_written) / "
            "floor_ns) FROM cases WHERE role = 'kernel' AND kernel = ?1 AND dtype = ?2 GROUP BY "
            "d UNION ALL SELECT 'read bandwidth', d, max(gbps) FROM cases WHERE role = "
            "'bandwidth' AND impl = 'read' AND dtype = ?2 AND d IN (SELECT d FROM cases WHERE "
            "kernel = ?1 AND dtype = ?2) GROUP BY d ORDER BY 1, 2",
      &st);
  if (rc) return rc;
  sqlite3_bind_text(st, 1, kernel, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, dtype, -1, SQLITE_TRANSIENT);
  char title[96], name[64], caption[256];
  snprintf(title, sizeof title, "%s %s", kernel, dtype);
  snprintf(name, sizeof name, "kernel-%d", index);
  snprintf(caption, sizeof caption,
           "%s, %s: GB/s moved against d; dashed, the roofline of the same runs", kernel, dtype);
  rc = series_figure(doc, db, st, title,
                     "set ylabel 'GB/s (bytes the kernel must move / median)'\nset yrange [0:*]",
                     name, caption);
  sqlite3_finalize(st);
  return rc;
}

static int throughput_figures(tpc_doc *doc, sqlite3 *db) {
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db,
                           CASES "SELECT DISTINCT kernel, dtype FROM cases WHERE role = 'kernel' "
                                 "ORDER BY kernel, dtype",
                           &st);
  if (rc) return rc;
  int step, k = 0;
  tpc_doc_grid_begin(doc);
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
    rc = throughput_figure(doc, db, tpc_rep_text(st, 0), tpc_rep_text(st, 1), k++);
  if (!rc) rc = tpc_rep_done(db, step);
  tpc_doc_grid_end(doc);
  sqlite3_finalize(st);
  return rc;
}

/* TopK: every implementation and peer per (dtype, d, k), fastest first, with
** its distance to the floor and its speed-up over numpy and quickselect. */
static int topk_table(tpc_doc *doc, sqlite3 *db) {
  static const char *const h[] = {"dtype", "d", "k", "<implementation", "median",
                                  "× floor", "× faster than numpy", "× faster than quickselect"};
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(
      db,
      CASES "SELECT c.dtype, c.d, c.k, c.impl, c.median_ns, c.ratio, "
            "(SELECT median_ns FROM cases p WHERE p.kernel = 'topk' AND p.impl LIKE 'numpy%' "
            " AND p.dtype = c.dtype AND p.d = c.d AND p.k = c.k) / c.median_ns, "
            "(SELECT min(median_ns) FROM cases q WHERE q.kernel = 'topk' AND q.impl LIKE "
            " 'quickselect%' AND q.dtype = c.dtype AND q.d = c.d AND q.k = c.k) / c.median_ns "
            "FROM cases c WHERE c.kernel = 'topk' AND c.role <> 'bandwidth' "
            "ORDER BY c.dtype, c.d, c.k, c.median_ns",
      &st);
  if (rc) return rc;
  int step, n = 0;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (n++ == 0) tpc_doc_table(doc, 8, h);
    char d[24], k[24], med[32], fl[32], np[32], qs[32];
    const char *cells[] = {tpc_rep_text(st, 0),
                           fmt_size(st, 1, d, sizeof d),
                           fmt_size(st, 2, k, sizeof k),
                           tpc_rep_text(st, 3),
                           tpc_bench_fmt_time(tpc_rep_real(st, 4), med, sizeof med),
                           tpc_rep_num(tpc_rep_real(st, 5), 3, fl, sizeof fl),
                           tpc_rep_num(tpc_rep_real(st, 6), 3, np, sizeof np),
                           tpc_rep_num(tpc_rep_real(st, 7), 3, qs, sizeof qs)};
    tpc_doc_row(doc, cells, NULL);
  }
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  if (n) tpc_doc_table_end(doc);
  else tpc_doc_empty(doc, "No TopK case in the selected runs.");
  return rc;
}

/* TopK time against d, one plot per dtype and kept fraction k/d. */
static int topk_figures(tpc_doc *doc, sqlite3 *db) {
  sqlite3_stmt *groups, *st;
  int rc = tpc_rep_prepare(db,
                           CASES "SELECT DISTINCT dtype, round(1.0 * k / d, 4) FROM cases WHERE "
                                 "kernel = 'topk' AND role <> 'bandwidth' ORDER BY 1, 2",
                           &groups);
  if (rc) return rc;
  rc = tpc_rep_prepare(db,
                       CASES "SELECT impl, d, median_ns * 1e-6 FROM cases WHERE kernel = 'topk' "
                             "AND role <> 'bandwidth' AND dtype = ?1 AND round(1.0 * k / d, 4) "
                             "= ?2 ORDER BY impl, d",
                       &st);
  if (rc) {
    sqlite3_finalize(groups);
    return rc;
  }
  int step, i = 0;
  tpc_doc_grid_begin(doc);
  while (!rc && (step = sqlite3_step(groups)) == SQLITE_ROW) {
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, tpc_rep_text(groups, 0), -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 2, sqlite3_column_double(groups, 1));
    char title[96], name[32], caption[200];
    snprintf(title, sizeof title, "TopK %s, k = %g d", tpc_rep_text(groups, 0),
             sqlite3_column_double(groups, 1));
    snprintf(name, sizeof name, "topk-%d", i++);
    snprintf(caption, sizeof caption, "%s: median time per call of each implementation and peer",
             title);
    rc = series_figure(doc, db, st, title,
                       "set logscale y 10\nset ylabel 'ms per call'",
                       name, caption);
  }
  if (!rc) rc = tpc_rep_done(db, step);
  tpc_doc_grid_end(doc);
  sqlite3_finalize(groups);
  sqlite3_finalize(st);
  return rc;
}

/* Python kernels: each case's median beside its run's bridge case at the
** same (dtype, d) (pyidentity, impl "bridge") and the bridge's share, the
** interpreter's cost apart from the plugin's own code.  Nothing when no
** Python kernel was timed. */
static int python_table(tpc_doc *doc, sqlite3 *db) {
  static const char *const h[] = {"<kernel", "dtype", "d", "k", "median", "bridge",
                                  "bridge share"};
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(
      db,
      CASES "SELECT c.kernel, c.dtype, c.d, c.k, c.median_ns, b.median_ns, 100.0 * "
            "b.median_ns / c.median_ns FROM cases c JOIN cases b ON b.run_id = c.run_id AND "
            "b.kernel = c.kernel AND b.dtype = c.dtype AND b.d = c.d AND b.role = 'kernel' "
            "AND b.impl = 'bridge' WHERE c.role = 'kernel' AND c.impl <> 'bridge' AND c.path "
            "= 'python' ORDER BY 1, 2, 3, 4",
      &st);
  if (rc) return rc;
  int step, n = 0;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (n++ == 0) {
      tpc_doc_subsection(doc, "Python kernels and the bridge");
      tpc_doc_table(doc, 7, h);
    }
    char d[24], k[24], med[32], br[32], share[32];
    snprintf(share, sizeof share, "%.3g %%", tpc_rep_real(st, 6));
    const char *cells[] = {tpc_rep_text(st, 0),
                           tpc_rep_text(st, 1),
                           fmt_size(st, 2, d, sizeof d),
                           fmt_size(st, 3, k, sizeof k),
                           tpc_bench_fmt_time(tpc_rep_real(st, 4), med, sizeof med),
                           tpc_bench_fmt_time(tpc_rep_real(st, 5), br, sizeof br),
                           share};
    tpc_doc_row(doc, cells, NULL);
  }
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  if (n) tpc_doc_table_end(doc);
  return rc;
}

/* "[lo, hi]" of two time columns, "-" when the first is NULL. */
static const char *fmt_interval(sqlite3_stmt *st, int col, char *buf, size_t n) {
  char lo[32], hi[32];
  if (sqlite3_column_type(st, col) == SQLITE_NULL) return "-";
  snprintf(buf, n, "[%s, %s]", tpc_bench_fmt_time(tpc_rep_real(st, col), lo, sizeof lo),
           tpc_bench_fmt_time(tpc_rep_real(st, col + 1), hi, sizeof hi));
  return buf;
}

/* The median column: a time, or for a counted case its instructions per
** call (the unit bench's own table prints). */
static const char *median_cell(sqlite3_stmt *st, char *buf, size_t n) {
  if (sqlite3_column_type(st, 16) == SQLITE_NULL)
    return tpc_bench_fmt_time(tpc_rep_real(st, 5), buf, n);
  snprintf(buf, n, "%.4g ins", tpc_rep_real(st, 16));
  return buf;
}

/* Every case: its median with the round-level interval (what a rerun would
** see, bench/rounds.h) beside the within-round one (one process's noise)
** and the spread of the rounds' medians, so that a reader sees which of the
** two a case's uncertainty comes from. */
static int cases_table(tpc_doc *doc, sqlite3 *db, int *rows) {
  static const char *const h[] = {"<kernel", "dtype", "d", "k", "<implementation", "<path",
                                  "median", "99% interval over rounds", "99% within a round",
                                  "spread across rounds", "GB/s", "floor", "× floor"};
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db,
                           CASES "SELECT kernel, dtype, d, k, impl, median_ns, round_lo_ns, "
                                 "round_hi_ns, ci_lo_ns, ci_hi_ns, gbps, floor_ns, ratio, "
                                 "coalesce(path, '-'), round_cv, coalesce(rounds, 1), NULL FROM "
                                 "cases WHERE role <> 'bandwidth' UNION ALL SELECT kernel, "
                                 "dtype, d, k, impl, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                                 "NULL, coalesce(path, '-'), NULL, NULL, instructions FROM "
                                 "temp.rep_counts WHERE role = 'kernel' ORDER BY 1, 2, 3, 4, "
                                 "17, 6",
                           &st);
  if (rc) return rc;
  int step, n = 0;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (n++ == 0) tpc_doc_table(doc, 13, h);
    char d[24], k[24], med[32], rci[72], wci[72], gb[32], fl[32], r[32], cv[48] = "-";
    if (sqlite3_column_type(st, 14) != SQLITE_NULL)
      snprintf(cv, sizeof cv, "%.2g%% (%lld rounds)", 100 * tpc_rep_real(st, 14),
               sqlite3_column_int64(st, 15));
    const char *cells[] = {tpc_rep_text(st, 0),
                           tpc_rep_text(st, 1),
                           fmt_size(st, 2, d, sizeof d),
                           fmt_size(st, 3, k, sizeof k),
                           tpc_rep_text(st, 4),
                           tpc_rep_text(st, 13),
                           median_cell(st, med, sizeof med),
                           fmt_interval(st, 6, rci, sizeof rci),
                           fmt_interval(st, 8, wci, sizeof wci),
                           cv,
                           tpc_rep_num(tpc_rep_real(st, 10), 3, gb, sizeof gb),
                           tpc_bench_fmt_time(tpc_rep_real(st, 11), fl, sizeof fl),
                           tpc_rep_num(tpc_rep_real(st, 12), 3, r, sizeof r)};
    tpc_doc_row(doc, cells, NULL);
  }
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  if (n) tpc_doc_table_end(doc);
  *rows += n;
  return rc;
}

int tpc_report_kernels(tpc_doc *doc, sqlite3 *db, tpc_report_summary *sum) {
  tpc_doc_section(doc, "kernels", "Kernels (tpc bench)");
  tpc_doc_text(doc,
               "Median time per call; the floor is the bytes a call must move over the read, "
               "copy and write bandwidths measured in the same run, interleaved with the "
               "kernel (× floor = 1: at memory speed). A case is timed in rounds, each a "
               "fresh process with its own inputs and floors: the interval over rounds "
               "(a two-level bootstrap, THEORY.md T-BENCH) covers what a rerun would see; "
               "the distribution-free 99%% interval within a round shows one process's noise "
               "only, and the spread is the coefficient of variation of the rounds' "
               "medians. The path is the kernel variant that ran (its "
               "instruction set; TopK's selection): timings of different paths are not "
               "comparable. A case counted with --instrument instructions has its own row, "
               "instructions per call in the median column. A Python kernel's group also "
               "times the bridge alone (impl bridge: C(x) = x in Python), the interpreter's "
               "share of each call.");
  int before = sum->kernels;
  tpc_doc_subsection(doc, "Throughput against the roofline");
  int rc = throughput_figures(doc, db);
  if (!rc) {
    tpc_doc_subsection(doc, "TopK implementations and peers");
    rc = topk_table(doc, db);
  }
  if (!rc) rc = topk_figures(doc, db);
  if (!rc) rc = python_table(doc, db);
  if (!rc) {
    tpc_doc_subsection(doc, "Every case");
    rc = cases_table(doc, db, &sum->kernels);
  }
  if (!rc && sum->kernels == before) tpc_doc_empty(doc, "No bench run selected.");
  return rc;
}
