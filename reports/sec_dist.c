/*
** Report subsection "Algorithm 1 over MPI" of the rates (README.md, tpc-mpi
** rate): for the newest selected run with distributed trajectories, the
** links from rank 0 (dist_links: a and b), each method's per-round time on
** every rank of its first repetition split into gradients, compression,
** waiting, communication, decoding with the server's work and the
** statistics chain (dist_alg1_times), and the measured communication of
** rank 0 per round against the model a + bytes/b of its messages: the
** uplink messages it receives and the broadcasts it sends (dist/alg1_net.h
** says how), plotted per trajectory with the line measured = model.  Beside
** it, the roofline floor of the same bytes: their copy at the newest
** measured memory bandwidth (bench_bandwidth), what one machine would pay.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "reports/plot.h"
#include "reports/sections.h"

static const char *const run_sql =
    "SELECT max(c.run_id) FROM dist_alg1_times z JOIN rate_trajectories t ON"
    " t.id = z.trajectory_id JOIN rate_checks c ON c.id = t.check_id WHERE c.run_id IN"
    " (SELECT id FROM temp.report_runs)";

static const char *const links_sql =
    "SELECT rank, latency * 1e6, bandwidth / 1e9 FROM dist_links WHERE run_id = ?1 ORDER BY rank";

/* Per round: the split of every rank of each check's first repetition,
** with rank 0's model, ratio and the copy floor of its bytes. */
static const char *const split_sql =
    "SELECT c.method || ifnull(' ' || c.theorem, ''), z.rank, z.clients, z.grad_s / z.rounds,"
    " z.compress_s / z.rounds, z.wait_s / z.rounds, z.comm_s / z.rounds,"
    " (z.decode_s + z.server_s) / z.rounds, z.stats_s / z.rounds,"
    " (z.bytes_sent + z.bytes_recv) * 1.0 / z.rounds, z.model_s / z.rounds,"
    " z.comm_s / z.model_s, (z.bytes_sent + z.bytes_recv) * 1.0 / z.rounds / (?2 * 1e9)"
    " FROM dist_alg1_times z JOIN rate_trajectories t ON t.id = z.trajectory_id"
    " JOIN rate_checks c ON c.id = t.check_id WHERE c.run_id = ?1 AND t.role = 'rep'"
    " AND t.rep = 0 ORDER BY t.id, z.rank";

/* Every trajectory's rank 0: model and measured seconds per round. */
static const char *const points_sql =
    "SELECT z.model_s / z.rounds, z.comm_s / z.rounds FROM dist_alg1_times z"
    " JOIN rate_trajectories t ON t.id = z.trajectory_id JOIN rate_checks c ON"
    " c.id = t.check_id WHERE c.run_id = ?1 AND z.rank = 0 AND z.model_s > 0 AND z.comm_s > 0";

/* The newest memory copy bandwidth measured (GB/s), NaN when none. */
static const char *const copy_sql =
    "SELECT max(gbps) FROM bench_bandwidth WHERE kind = 'copy' AND run_id ="
    " (SELECT max(run_id) FROM bench_bandwidth WHERE kind = 'copy')";

static int one_value(sqlite3 *db, const char *sql, double *v) {
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db, sql, &st);
  if (rc) return rc;
  int step = sqlite3_step(st);
  *v = step == SQLITE_ROW ? tpc_rep_real(st, 0) : NAN;
  rc = tpc_rep_done(db, step == SQLITE_ROW ? SQLITE_DONE : step);
  sqlite3_finalize(st);
  return rc;
}

static int links_table(tpc_doc *doc, sqlite3 *db, int64_t run) {
  static const char *const h[] = {"rank", "a (µs)", "b (GB/s)"};
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db, links_sql, &st), step, n = 0;
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, run);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    char v[3][32];
    const char *cells[3];
    for (int c = 0; c < 3; c++) cells[c] = tpc_rep_num(tpc_rep_real(st, c), 4, v[c], 32);
    if (n++ == 0) tpc_doc_table(doc, 3, h);
    tpc_doc_row(doc, cells, "info");
  }
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  if (n) tpc_doc_table_end(doc);
  return rc;
}

static int split_table(tpc_doc *doc, sqlite3 *db, int64_t run, double copy_gbps) {
  static const char *const h[] = {"<method", "rank", "clients", "gradients (s)", "compress (s)",
                                  "wait (s)", "comm (s)", "decode+server (s)", "statistics (s)",
                                  "bytes", "model a+bytes/b (s)", "comm / model",
                                  "copy floor (s)"};
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db, split_sql, &st), step, n = 0;
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, run);
  sqlite3_bind_double(st, 2, copy_gbps);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    char v[12][32];
    const char *cells[13] = {tpc_rep_text(st, 0)};
    for (int c = 1; c < 13; c++) cells[c] = tpc_rep_num(tpc_rep_real(st, c), 4, v[c - 1], 32);
    if (n++ == 0) tpc_doc_table(doc, 13, h);
    tpc_doc_row(doc, cells, "info");
  }
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  if (n) tpc_doc_table_end(doc);
  return rc;
}

static int model_figure(tpc_doc *doc, sqlite3 *db, int64_t run) {
  sqlite3_stmt *st;
  tpc_plot p;
  int rc = tpc_rep_prepare(db, points_sql, &st), step;
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, run);
  tpc_plot_begin(&p, "Rank 0's communication per round: measured against a + bytes/b");
  tpc_plot_data_begin(&p, "M");
  while ((step = sqlite3_step(st)) == SQLITE_ROW)
    tpc_plot_row(&p, "%.9g %.9g", sqlite3_column_double(st, 0), sqlite3_column_double(st, 1));
  tpc_plot_data_end(&p);
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  if (!rc && p.points) {
    tpc_buf_puts(&p.script, "set xlabel 'model a + bytes/b (s per round)'\n"
                            "set ylabel 'measured (s per round)'\nset key top left\n");
    tpc_plot_log_axis(&p, 'x', 10);
    tpc_plot_log_axis(&p, 'y', 10);
    tpc_buf_puts(&p.script, "plot $M using 1:2 with points pt 7 title 'trajectories', "
                            "x with lines dt 2 title 'measured = model'\n");
    tpc_doc_grid_begin(doc);
    rc = tpc_doc_figure(doc, &p, "dist-comm-model",
                        "one point per trajectory: rank 0's transfer time per round (waiting "
                        "apart) against the model of its uplink messages and broadcasts");
    tpc_doc_grid_end(doc);
  }
  tpc_plot_free(&p);
  return rc;
}

int tpc_report_dist(tpc_doc *doc, sqlite3 *db, tpc_report_summary *sum) {
  (void)sum;
  double v, copy_gbps;
  tpc_doc_subsection(doc, "Algorithm 1 over MPI: time per round and the model a + bytes/b");
  int rc = one_value(db, run_sql, &v);
  if (!rc) rc = one_value(db, copy_sql, &copy_gbps);
  if (rc) return rc;
  if (isnan(v)) {
    tpc_doc_empty(doc, "Not run: mpirun -n P tpc-mpi rate PROBLEM METHOD...");
    return TPC_OK;
  }
  int64_t run = (int64_t)v;
  tpc_doc_text(doc, "Run %lld. Links from rank 0 (a: half the median round trip of 8-byte "
               "messages; b: 4 MiB messages):", (long long)run);
  rc = links_table(doc, db, run);
  if (!rc)
    tpc_doc_text(doc, "Seconds per round of each method's first repetition, every rank "
                 "(gradients and compression in thread-seconds). Rank 0's model: per other "
                 "rank r, (3R − 1) a_r + (uplink + broadcast bytes) / b_r over R rounds; the "
                 "copy floor: its bytes at the newest measured memory copy bandwidth "
                 "(tpc bench).");
  if (!rc) rc = split_table(doc, db, run, copy_gbps);
  if (!rc) rc = model_figure(doc, db, run);
  return rc;
}
