/*
** Report subsection "Scaling laws" of the rates (THEORY.md T12, `tpc rate
** --scaling`): for the newest run per swept variable (rep_scaling,
** report.c), the table of fitted slopes of the total bits to eps with
** their 95 % intervals, predictions and verdicts, and a log-log plot of the
** bits per client against the variable, one colour per method, its fitted
** line drawn over its points and its slope +- half the interval in the
** legend (scaling_points, scaling_fits: db/README.md).  For kappa (so for
** `tpc rate --experiment 2direction`) also f(x^t) - f* against the uplink
** and the downlink bits per client of each method's kept run at the
** largest kappa every method reached, from its stored trajectory, and the
** table of its bits to eps with the ratio to the fewest.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "reports/sections.h"

static const char *const fits_sql =
    "SELECT method, npoints, slope, lo, hi, prediction, prediction_rule, formula_slope, verdict,"
    " intercept, run_id FROM temp.rep_scaling WHERE variable = ?1 AND bits = 'total' ORDER BY id";

enum { F_METHOD, F_N, F_SLOPE, F_LO, F_HI, F_PRED, F_RULE, F_FORMULA, F_VERDICT, F_A, F_RUN };

static const char *const points_sql =
    "SELECT value, bits_total FROM scaling_points WHERE run_id = ?1 AND method_arg = ?2"
    " AND variable = ?3 AND reached = 1 AND bits_total > 0 ORDER BY value";

static const char *tone_of(const char *verdict) {
  return !strcmp(verdict, "consistent") ? "pass" : !strcmp(verdict, "differs") ? "warn" : "info";
}

static void fit_row(tpc_doc *doc, sqlite3_stmt *st) {
  char s[32], lo[32], hi[32], iv[80], p[32], f[32], n[16];
  snprintf(n, sizeof n, "%d", sqlite3_column_int(st, F_N));
  snprintf(iv, sizeof iv, "[%s, %s]", tpc_rep_num(tpc_rep_real(st, F_LO), 4, lo, sizeof lo),
           tpc_rep_num(tpc_rep_real(st, F_HI), 4, hi, sizeof hi));
  const char *cells[] = {tpc_rep_text(st, F_METHOD),
                         n,
                         tpc_rep_num(tpc_rep_real(st, F_SLOPE), 4, s, sizeof s),
                         iv,
                         tpc_rep_num(tpc_rep_real(st, F_PRED), 4, p, sizeof p),
                         tpc_rep_text(st, F_RULE),
                         tpc_rep_num(tpc_rep_real(st, F_FORMULA), 4, f, sizeof f),
                         tpc_rep_text(st, F_VERDICT)};
  tpc_doc_row(doc, cells, tone_of(tpc_rep_text(st, F_VERDICT)));
}

/* Method `method`'s reached points as datablock $P<index>. */
static int points_data(sqlite3 *db, int64_t run, const char *method, const char *var, int index,
                       tpc_plot *p) {
  sqlite3_stmt *st;
  char name[16];
  int rc = tpc_rep_prepare(db, points_sql, &st), step;
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, run);
  sqlite3_bind_text(st, 2, method, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, var, -1, SQLITE_STATIC);
  snprintf(name, sizeof name, "P%d", index);
  tpc_plot_data_begin(p, name);
  while ((step = sqlite3_step(st)) == SQLITE_ROW)
    tpc_plot_row(p, "%.9g %.9g", sqlite3_column_double(st, 0), sqlite3_column_double(st, 1));
  tpc_plot_data_end(p);
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  return rc;
}

/* The plot clause of method `index`: its points, and its fitted line
** exp(a) x^s titled with the slope and half the interval. */
static void fit_clause(tpc_buf *plot, sqlite3_stmt *st, int index) {
  double a = tpc_rep_real(st, F_A), s = tpc_rep_real(st, F_SLOPE);
  double half = (tpc_rep_real(st, F_HI) - tpc_rep_real(st, F_LO)) / 2;
  char title[320];
  tpc_buf_printf(plot, "%s$P%d using 1:2 with points pt 7 lc %d title ", index ? ", " : "plot ",
                 index, index + 1);
  tpc_plot_quote(plot, tpc_rep_text(st, F_METHOD));
  if (!isfinite(s)) return;
  snprintf(title, sizeof title, "slope %.3f ± %.3f", s, half);
  tpc_buf_printf(plot, ", exp(%.17g) * x**%.17g with lines lc %d title ", a, s, index + 1);
  tpc_plot_quote(plot, title);
}

/* The table and the plot of one swept variable; *rows counts the fits. */
static int variable_part(tpc_doc *doc, sqlite3 *db, const char *var, int *rows) {
  static const char *const h[] = {"<method", "points", "slope", "95% interval", "predicted",
                                  "<rule", "formula slope", "<verdict"};
  sqlite3_stmt *st;
  tpc_plot p;
  tpc_buf plot = {0};
  int rc = tpc_rep_prepare(db, fits_sql, &st), step, n = 0;
  if (rc) return rc;
  sqlite3_bind_text(st, 1, var, -1, SQLITE_STATIC);
  char title[96];
  snprintf(title, sizeof title, "Bits per client to eps against %s", var);
  tpc_plot_begin(&p, title);
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    if (n == 0) tpc_doc_table(doc, 8, h);
    fit_row(doc, st);
    rc = points_data(db, sqlite3_column_int64(st, F_RUN), tpc_rep_text(st, F_METHOD), var, n,
                     &p);
    fit_clause(&plot, st, n++);
  }
  if (!rc) rc = tpc_rep_done(db, n ? SQLITE_DONE : step);
  sqlite3_finalize(st);
  if (n) tpc_doc_table_end(doc);
  if (!rc && n) {
    char xl[64], name[32], caption[160];
    snprintf(xl, sizeof xl, "set xlabel '%s'\nset ylabel 'bits per client to eps'\n", var);
    tpc_buf_puts(&p.script, xl);
    tpc_buf_puts(&p.script, "set key top left\n");
    tpc_plot_log_axis(&p, 'x', 10);
    tpc_plot_log_axis(&p, 'y', 10);
    tpc_buf_puts(&p.script, tpc_buf_str(&plot));
    tpc_buf_puts(&p.script, "\n");
    snprintf(name, sizeof name, "scaling-%s", var);
    snprintf(caption, sizeof caption, "T12: log(bits) against log(%s), least-squares lines; "
             "the legend gives each slope ± half its 95%% interval", var);
    tpc_doc_grid_begin(doc);
    rc = tpc_doc_figure(doc, &p, name, caption);
    tpc_doc_grid_end(doc);
  }
  tpc_buf_free(&plot);
  tpc_plot_free(&p);
  *rows += n;
  return rc;
}

/* Each method's kept point of run ?1 at the largest kappa every method
** reached (a method that stopped short: its largest reached), joined to
** its trajectory t; ?2 is free for the caller. */
#define KEPT_SQL(cols)                                                                        \
  "SELECT " cols " FROM scaling_points s JOIN rate_trajectories t ON t.check_id = s.check_id" \
  " AND t.role = 'rep' AND t.rep = 0 WHERE s.run_id = ?1 AND s.variable = 'kappa' AND"       \
  " s.reached = 1 AND s.value = (SELECT max(value) FROM scaling_points s2 WHERE s2.run_id ="  \
  " s.run_id AND s2.method_arg = s.method_arg AND s2.variable = 'kappa' AND s2.reached = 1"   \
  " AND s2.value <= (SELECT min(top) FROM (SELECT max(value) AS top FROM scaling_points"      \
  " WHERE run_id = ?1 AND variable = 'kappa' AND reached = 1 GROUP BY method_arg)))"           \
  " ORDER BY s.id"

/* f(x^t) - f* at the model (f^inf of the quad family is exact). */
static const tpc_rep_series gap_up = {"p.bits_up * 1.0 / c.n", "p.f_x - c.finf",
                                      "uplink bits per client", "f(x^t) − f*", 1, 1};
static const tpc_rep_series gap_down = {"p.bits_down", "p.f_x - c.finf",
                                        "downlink bits per client", "f(x^t) − f*", 1, 1};

/* The two panels, uplink and downlink, side by side. */
static int gap_figures(tpc_doc *doc, sqlite3 *db, int64_t run) {
  static const struct {
    const tpc_rep_series *s;
    const char *prefix, *title;
  } dirs[] = {{&gap_up, "scaling-gap-up", "f(x^t) − f* against the uplink bits per client"},
              {&gap_down, "scaling-gap-down",
               "f(x^t) − f* against the downlink bits per client (the broadcast)"}};
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(
      db, KEPT_SQL("?2, s.method_arg || ' (κ = ' || printf('%g', s.value) || ')', t.id"), &st);
  if (rc) return rc;
  tpc_doc_grid_begin(doc);
  for (size_t i = 0; i < 2 && !rc; i++) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_text(st, 2, dirs[i].title, -1, SQLITE_STATIC);
    rc = tpc_rep_panel_plots(doc, db, st, dirs[i].s, dirs[i].prefix,
                             "each method's kept run (its best step) at the largest kappa "
                             "every method reached, encoded bits");
  }
  tpc_doc_grid_end(doc);
  sqlite3_finalize(st);
  return rc;
}

/* Bits per client to eps of the kept runs and the ratio of each total to
** the fewest: by how much one method beats another at large kappa. */
static int gap_table(tpc_doc *doc, sqlite3 *db, int64_t run) {
  static const char *const h[] = {"<method", "kappa", "rounds", "bits up", "bits down",
                                  "bits total", "total / fewest"};
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db, KEPT_SQL("s.method_arg, s.value, s.iters, s.bits_up,"
                                        " s.bits_down, s.bits_total,"
                                        " s.bits_total / min(s.bits_total) OVER ()"),
                           &st), step, n = 0;
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, run);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    char v[6][32];
    const char *cells[7] = {tpc_rep_text(st, 0)};
    for (int c = 1; c < 7; c++) cells[c] = tpc_rep_num(tpc_rep_real(st, c), 4, v[c - 1], 32);
    if (n++ == 0) tpc_doc_table(doc, 7, h);
    tpc_doc_row(doc, cells, tpc_rep_real(st, 6) == 1 ? "pass" : "info");
  }
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  if (n) tpc_doc_table_end(doc);
  return rc;
}

/* The convergence of the newest kappa scaling run, when there is one. */
static int kappa_convergence(tpc_doc *doc, sqlite3 *db) {
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(
      db, "SELECT max(run_id) FROM temp.rep_scaling WHERE variable = 'kappa'", &st);
  if (rc) return rc;
  int step = sqlite3_step(st);
  int64_t run = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  rc = tpc_rep_done(db, step == SQLITE_ROW ? SQLITE_DONE : step);
  sqlite3_finalize(st);
  if (rc || !run) return rc;
  tpc_doc_text(doc, "Bits per client to eps at the largest kappa every method reached "
               "(encoded bits; the ratio is each total over the fewest):");
  rc = gap_table(doc, db, run);
  if (!rc) rc = gap_figures(doc, db, run);
  return rc;
}

int tpc_report_scaling(tpc_doc *doc, sqlite3 *db, tpc_report_summary *sum) {
  static const char *const vars[] = {"kappa", "omega"};
  tpc_doc_subsection(doc, "Scaling laws (T12): bits to eps against kappa and omega");
  int before = sum->rates, rc = TPC_OK;
  for (size_t i = 0; !rc && i < 2; i++) {
    rc = variable_part(doc, db, vars[i], &sum->rates);
    if (!rc && i == 0) rc = kappa_convergence(doc, db);
  }
  if (!rc && sum->rates == before)
    tpc_doc_empty(doc, "Not run: tpc rate --scaling kappa|omega FAMILY METHOD...");
  return rc;
}
