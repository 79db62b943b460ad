/*
** Report sections "Theorems" and "Rates": what `tpc rate` found
** (db/README.md, rate_*).  Theorems: the checks of the catalogue's theorems
** (bounds/theorems/catalogue.h; bound, measured, upper bound, ratio,
** theory slack), one table per family of theorems (THEORY.md T5, T8, T9),
** and per check that recorded it the trajectory of the theorem's measured
** quantity against its bound (rate_points.measure, .bound).
** Rates: the convergence of each checked method against the bits it sent,
** and the papers' experiments (T7, T9.8): ‖∇f‖² against Mbits per client for
** Fig. 3 and Fig. 1, Fig. 2's CLAG heat map with the cheapest cell marked,
** and f(x^t) against the bits per client of each direction for EF21-P.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bounds/theorems/catalogue.h"
#include "core/error.h"
#include "reports/sections.h"

/* The newest check per (problem, method, server, theorem) outside
** experiments (report.c), of the theorems of one family. */
static const char *const checks_sql =
    "SELECT id, problem, method, server, gamma, mult, bound, measured, ucb, ratio, verdict, "
    "slack, note, n, theorem FROM temp.rep_checks WHERE theorem LIKE ?1 || '.%' "
    "ORDER BY theorem, problem, run_id, id";

enum { K_ID, K_PROBLEM, K_METHOD, K_SERVER, K_GAMMA, K_MULT, K_BOUND, K_MEAS, K_UCB, K_RATIO,
       K_VERDICT, K_SLACK, K_NOTE, K_N, K_THEOREM };

static const char *tone_of(const char *verdict) {
  if (!strcmp(verdict, "pass")) return "pass";
  if (!strcmp(verdict, "n/a")) return "info";
  if (!strcmp(verdict, "inconclusive")) return "warn";
  return "fail";
}

static void check_row(tpc_doc *doc, sqlite3_stmt *st) {
  char method[200], g[32], m[32], b[32], me[32], u[32], r[32], s[32];
  const char *server = tpc_rep_text(st, K_SERVER);
  snprintf(method, sizeof method, "%s%s%s", tpc_rep_text(st, K_METHOD),
           *server ? " --server " : "", server);
  if (sqlite3_column_type(st, K_SLACK) == SQLITE_NULL) snprintf(s, sizeof s, "-");
  else snprintf(s, sizeof s, "%d", sqlite3_column_int(st, K_SLACK));
  const char *verdict = tpc_rep_text(st, K_VERDICT);
  const tpc_theorem *t = tpc_theorem_find(tpc_rep_text(st, K_THEOREM));
  const char *cells[] = {t ? t->title : tpc_rep_text(st, K_THEOREM),
                         tpc_rep_text(st, K_PROBLEM),
                         method,
                         tpc_rep_num(tpc_rep_real(st, K_GAMMA), 4, g, sizeof g),
                         tpc_rep_num(tpc_rep_real(st, K_MULT), 3, m, sizeof m),
                         tpc_rep_num(tpc_rep_real(st, K_BOUND), 4, b, sizeof b),
                         tpc_rep_num(tpc_rep_real(st, K_MEAS), 4, me, sizeof me),
                         tpc_rep_num(tpc_rep_real(st, K_UCB), 4, u, sizeof u),
                         tpc_rep_num(tpc_rep_real(st, K_RATIO), 3, r, sizeof r),
                         verdict,
                         s,
                         strcmp(verdict, "pass") ? tpc_rep_text(st, K_NOTE) : ""};
  tpc_doc_row(doc, cells, tone_of(verdict));
}

typedef tpc_rep_series series;

static const series gnorm2_up = {"p.bits_up * 1e-6 / c.n", "p.gnorm2", "Mbits sent per client",
                                 "‖∇f(x^t)‖^2", 1, 0};
/* EF21-P (T9.8), in the papers' count: every client receives the one
** broadcast, so the downlink bits per client are the broadcast's.  f has no
** known minimum there (w8a without a regularizer): a linear axis. */
static const series f_up = {"p.bits_up_paper * 1e-6 / c.n", "p.f_x",
                            "uplink Mbits per client (values only)", "f(x^t)", 0, 0};
static const series f_down = {"p.bits_down_paper * 1e-6", "p.f_x",
                              "downlink Mbits per client (values only)", "f(x^t)", 0, 0};

/* Points of one trajectory as datablock $name: the series' x and y
** (positive y only on a logarithmic axis). */
static int trajectory_data(sqlite3 *db, int64_t traj, const series *s, const char *name,
                           tpc_plot *p) {
  sqlite3_stmt *st;
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT %s, %s FROM rate_points p JOIN rate_trajectories t ON t.id = p.trajectory_id "
           "JOIN rate_checks c ON c.id = t.check_id WHERE p.trajectory_id = ?1 ORDER BY p.t",
           s->x, s->y);
  int rc = tpc_rep_prepare(db, sql, &st);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, traj);
  tpc_plot_data_begin(p, name);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    double x = tpc_rep_real(st, 0), y = tpc_rep_real(st, 1);
    if (isfinite(x) && isfinite(y) && (y > 0 || !s->log_y) && (x > 0 || !s->log_x))
      tpc_plot_row(p, "%.9g %.9g", x, y);
  }
  tpc_plot_data_end(p);
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  return rc;
}

/* A convergence plot: one line per trajectory, labelled. */
typedef struct curves {
  tpc_plot p;
  tpc_buf plot;      /* the plot command being assembled */
  const series *s;
  int n;
} curves;

static void curves_begin(curves *c, const char *title, const series *s) {
  memset(c, 0, sizeof *c);
  c->s = s;
  tpc_plot_begin(&c->p, title);
}

static int curves_add(curves *c, sqlite3 *db, int64_t traj, const char *label) {
  char name[16];
  snprintf(name, sizeof name, "T%d", c->n);
  size_t before = c->p.points;
  int rc = trajectory_data(db, traj, c->s, name, &c->p);
  if (rc || c->p.points == before) return rc;
  tpc_buf_printf(&c->plot, "%s$%s using 1:2 with lines lw 1.6 title ", c->n ? ", " : "", name);
  tpc_plot_quote(&c->plot, label);
  c->n++;
  return TPC_OK;
}

/* Draw the plot (when a line has data) and free it. */
static int curves_end(curves *c, tpc_doc *doc, const char *name, const char *caption) {
  int rc = TPC_OK;
  if (c->plot.failed) rc = tpc_error(TPC_ENOMEM, "out of memory building a plot");
  else if (c->n) {
    if (c->s->log_y) tpc_plot_log_axis(&c->p, 'y', 10);
    if (c->s->log_x) tpc_plot_log_axis(&c->p, 'x', 10);
    tpc_buf_printf(&c->p.script, "set xlabel '%s'\nset ylabel '%s'\nset key right top\nplot %s\n",
                   c->s->xlabel, c->s->ylabel, tpc_buf_str(&c->plot));
    rc = tpc_doc_figure(doc, &c->p, name, caption);
  }
  tpc_plot_free(&c->p);
  tpc_buf_free(&c->plot);
  return rc;
}

int tpc_rep_panel_plots(tpc_doc *doc, sqlite3 *db, sqlite3_stmt *st, const series *s,
                        const char *prefix, const char *what) {
  curves c;
  char panel[256] = "", name[64], caption[512];
  int rc = TPC_OK, step, k = 0, open = 0;
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    const char *pa = tpc_rep_text(st, 0);
    if (open && strcmp(pa, panel)) {
      rc = curves_end(&c, doc, name, caption);
      open = 0;
    }
    if (!open) {
      snprintf(panel, sizeof panel, "%s", pa);
      snprintf(name, sizeof name, "%s-%d", prefix, k++);
      snprintf(caption, sizeof caption, "%s: %s", panel, what);
      curves_begin(&c, panel, s);
      open = 1;
    }
    if (!rc) rc = curves_add(&c, db, sqlite3_column_int64(st, 2), tpc_rep_text(st, 1));
  }
  if (!rc) rc = tpc_rep_done(db, step);
  if (open) {
    int rc2 = curves_end(&c, doc, name, caption);
    if (!rc) rc = rc2;
  }
  return rc;
}

/* panel_plots of ‖∇f‖² against the uplink bits, side by side. */
static int panel_figures(tpc_doc *doc, sqlite3 *db, sqlite3_stmt *st, const char *prefix,
                         const char *what) {
  tpc_doc_grid_begin(doc);
  int rc = tpc_rep_panel_plots(doc, db, st, &gnorm2_up, prefix, what);
  tpc_doc_grid_end(doc);
  return rc;
}

/* Repetition 0 of each Theorem 1 check, one plot per problem. */
static int convergence_figures(tpc_doc *doc, sqlite3 *db) {
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(
      db,
      "SELECT c.problem, c.method, t.id FROM rate_trajectories t JOIN temp.rep_checks c "
      "ON c.id = t.check_id WHERE t.role = 'rep' AND t.rep = 0 AND c.check_kind = 'theorem1' "
      "ORDER BY c.problem, c.run_id, c.id",
      &st);
  if (rc) return rc;
  rc = panel_figures(doc, db, st, "rate",
                     "‖∇f(x^t)‖² of repetition 0 at the step of Theorem 1, against the "
                     "uplink bits per client");
  sqlite3_finalize(st);
  return rc;
}

/* The checks of one family's theorems, one table. */
static int checks_table(tpc_doc *doc, sqlite3 *db, const char *family, int *rows) {
  static const char *const h[] = {"<theorem", "<problem", "<method", "γ", "× theory", "bound",
                                  "measured", "upper bound", "ratio", "!verdict", "slack",
                                  "<note"};
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db, checks_sql, &st);
  if (rc) return rc;
  sqlite3_bind_text(st, 1, family, -1, SQLITE_STATIC);
  int step, n = 0;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (n++ == 0) tpc_doc_table(doc, 12, h);
    check_row(doc, st);
  }
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  if (n) tpc_doc_table_end(doc);
  else tpc_doc_empty(doc, "No check of a %s theorem in the selected runs.", family);
  *rows += n;
  return rc;
}

/* ---- each check's trajectory against its bound ---------------------------
**
** A checked run stores, at each recorded t of each repetition, the
** theorem's measured quantity and its bound (rate_points.measure, .bound;
** for a one-step theorem the left side at t and the right side at t - 1:
** bounds/theorems/rate_store.c).  One panel per check draws repetition 0's
** pair and, with several repetitions, the pair's means over them.  A
** one-step theorem's two sides differ by a fraction of a percent where it
** is tight, one line on a log scale: its panel draws their ratio against
** the bound 1 instead, on a linear scale, the per-step ratio its check
** decides on (bounds/theorems/rate.h). */

/* Rows kept per panel: a one-step or min_t check records every iteration,
** and T = 10^5 would otherwise put 10^5 points in each line. */
#define CURVE_POINTS 400

/* Per recorded t of check ?1's repetitions, the value (measure, or
** measure/bound when ?3) and its bound (bound, or 1): repetition 0's, and
** their means where every repetition has the point (NULL elsewhere); every
** k-th row plus the last, so that at most ?2 remain. */
static const char *const curve_sql =
    "WITH reps AS (SELECT count(*) AS R FROM rate_trajectories WHERE check_id = ?1 AND "
    "role = 'rep'), "
    "pts AS (SELECT p.t AS t, r.rep AS rep, CASE WHEN ?3 THEN p.measure / p.bound ELSE "
    "p.measure END AS v, CASE WHEN ?3 THEN 1.0 ELSE p.bound END AS b FROM rate_points p JOIN "
    "rate_trajectories r ON r.id = p.trajectory_id WHERE r.check_id = ?1 AND r.role = 'rep' "
    "AND p.measure IS NOT NULL AND p.bound IS NOT NULL), "
    "per_t AS (SELECT t, max(CASE WHEN rep = 0 THEN v END) AS v0, max(CASE WHEN rep = 0 THEN b "
    "END) AS b0, avg(v) AS vm, avg(b) AS bm, count(*) AS k FROM pts GROUP BY t), "
    "numbered AS (SELECT *, row_number() OVER (ORDER BY t) - 1 AS i, count(*) OVER () AS n "
    "FROM per_t) "
    "SELECT t, v0, b0, CASE WHEN k = R THEN vm END, CASE WHEN k = R THEN bm END FROM numbered, "
    "reps WHERE i % ((n + ?2 - 1) / ?2) = 0 OR i = n - 1 ORDER BY t";

/* What a panel's data turned out to hold. */
typedef struct curve_info {
  size_t drawn;     /* rows with a value to draw (positive_cell) */
  int common_bound; /* the mean bound is repetition 0's at every t: one line */
} curve_info;

/* A value for the datablock, positive or left out (the log axis cannot
** show the rest, and a ratio of nonnegative sides is not below 0 but by
** rounding): gnuplot reads NaN as undefined and draws no point. */
static void positive_cell(double v, char *buf, size_t size) {
  if (isfinite(v) && v > 0) snprintf(buf, size, "%.9g", v);
  else snprintf(buf, size, "NaN");
}

/* Bounds this close are one line at any size a plot is drawn: the mean of
** equal bounds differs from them by the rounding of the sum alone. */
static int same_line(double a, double b) { return fabs(a - b) <= 1e-6 * fabs(a); }

/* Datablock $C of check `id`: t, then repetition 0's value and bound, then
** their means over the repetitions (ratio: measure/bound against 1). */
static int curve_data(sqlite3 *db, int64_t id, int ratio, tpc_plot *p, curve_info *ci) {
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db, curve_sql, &st);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int(st, 2, CURVE_POINTS);
  sqlite3_bind_int(st, 3, ratio);
  tpc_plot_data_begin(p, "C");
  int step;
  ci->drawn = 0;
  ci->common_bound = 1;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    char c[4][32];
    int any = 0;
    for (int j = 0; j < 4; j++) {
      double v = tpc_rep_real(st, 1 + j);
      positive_cell(v, c[j], sizeof c[j]);
      any |= isfinite(v) && v > 0;
    }
    double b0 = tpc_rep_real(st, 2), bm = tpc_rep_real(st, 4);
    if (!isnan(bm) && !same_line(b0, bm)) ci->common_bound = 0;
    ci->drawn += (size_t)any;
    tpc_plot_row(p, "%lld %s %s %s %s", (long long)sqlite3_column_int64(st, 0), c[0], c[1], c[2],
                 c[3]);
  }
  tpc_plot_data_end(p);
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  return rc;
}

/* One line of the plot command: column `col` of $C, labelled. */
static void curve_line(tpc_plot *p, int col, int dashed, const char *colour, const char *label) {
  tpc_buf_printf(&p->script, "%s$C using 1:%d with lines lw 1.6%s lc rgb '%s' title ",
                 col == 2 ? "plot " : ", ", col, dashed ? " dt 2" : "", colour);
  tpc_plot_quote(&p->script, label);
}

/* Repetition 0 in blue, the means in orange, a bound common to both in
** grey; values solid, bounds dashed.  The value's line comes first (the
** plot command starts there). */
static void curve_plot_command(tpc_plot *p, int reps, int ratio, const curve_info *ci) {
  const char *what = ratio ? "lhs/rhs" : "measured";
  char label[64];
  tpc_buf_printf(&p->script,
                 "set xlabel 'iteration t'\nset ylabel '%s'\nset key right top opaque\n",
                 ratio ? "left side / right side" : "measured and bound");
  snprintf(label, sizeof label, "%s, rep. 0", what);
  curve_line(p, 2, 0, "#1f5fa8", label);
  if (reps > 1) {
    snprintf(label, sizeof label, "%s, mean of %d", what, reps);
    curve_line(p, 4, 0, "#d9730d", label);
  }
  if (reps < 2 || ci->common_bound) {
    curve_line(p, 3, 1, "#444444", ratio ? "bound 1" : "bound");
  } else {
    curve_line(p, 3, 1, "#1f5fa8", "bound, rep. 0");
    snprintf(label, sizeof label, "bound, mean of %d", reps);
    curve_line(p, 5, 1, "#d9730d", label);
  }
  tpc_buf_puts(&p->script, "\n");
}

/* What one panel says under it: the theorem, the problem, what is drawn. */
static void curve_caption(const tpc_theorem *t, const char *problem, int reps, int ratio,
                          char *buf, size_t size) {
  const char *what = ratio ? "each step's left side at t over its right side at t − 1 (solid) "
                             "against the bound 1 (dashed)"
                           : "the measured quantity (solid) against the bound at t (dashed)";
  snprintf(buf, size, "%s on %s: %s, repetition 0%s", t->title, problem, what,
           reps > 1 ? " and the mean over the repetitions" : "");
}

/* One check's panel, from a row of checks_with_curves_sql. */
static int curve_figure(tpc_doc *doc, sqlite3 *db, sqlite3_stmt *row, int index) {
  const tpc_theorem *t = tpc_theorem_find(tpc_rep_text(row, 1));
  if (!t) return TPC_OK; /* a theorem this tpc does not know: its table row says so */
  int reps = sqlite3_column_int(row, 5), ratio = t->measure == TPC_THEOREM_ONE_STEP;
  const char *server = tpc_rep_text(row, 4);
  char title[512], caption[1024], name[64];
  snprintf(title, sizeof title, "%s: %s%s%s", t->id, tpc_rep_text(row, 3),
           *server ? " --server " : "", server);
  tpc_plot p;
  tpc_plot_begin(&p, title);
  curve_info ci;
  int rc = curve_data(db, sqlite3_column_int64(row, 0), ratio, &p, &ci);
  if (!rc && ci.drawn) {
    if (!ratio) tpc_plot_log_axis(&p, 'y', 10);
    curve_plot_command(&p, reps, ratio, &ci);
    curve_caption(t, tpc_rep_text(row, 2), reps, ratio, caption, sizeof caption);
    snprintf(name, sizeof name, "theorem-%s-%d", t->family, index);
    rc = tpc_doc_figure(doc, &p, name, caption);
  }
  tpc_plot_free(&p);
  return rc;
}

/* The family's checks whose repetition 0 has a curve: id, theorem,
** problem, method, server, repetitions. */
static const char *const checks_with_curves_sql =
    "SELECT c.id, c.theorem, c.problem, c.method, c.server, (SELECT count(*) FROM "
    "rate_trajectories r WHERE r.check_id = c.id AND r.role = 'rep') FROM temp.rep_checks c "
    "WHERE c.theorem LIKE ?1 || '.%' AND EXISTS (SELECT 1 FROM rate_trajectories r JOIN "
    "rate_points p ON p.trajectory_id = r.id WHERE r.check_id = c.id AND r.role = 'rep' AND "
    "r.rep = 0 AND p.measure IS NOT NULL) ORDER BY c.theorem, c.problem, c.run_id, c.id";

/* The panels of one family's checks, side by side; none without curves. */
static int curve_figures(tpc_doc *doc, sqlite3 *db, const char *family) {
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db, checks_with_curves_sql, &st);
  if (rc) return rc;
  sqlite3_bind_text(st, 1, family, -1, SQLITE_STATIC);
  int step, n = 0;
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    if (n == 0) tpc_doc_grid_begin(doc);
    rc = curve_figure(doc, db, st, n++);
  }
  if (!rc) rc = tpc_rep_done(db, step);
  if (n) tpc_doc_grid_end(doc);
  sqlite3_finalize(st);
  return rc;
}

/* "T5: Theorem 1 (nonconvex), PL (Theorem 2 of EF21)": the family's
** subsection, from the catalogue entry at i on. */
static void family_title(size_t i, char *buf, size_t size) {
  const char *family = tpc_theorems[i]->family;
  size_t len = (size_t)snprintf(buf, size, "%s:", family);
  for (size_t k = i; tpc_theorems[k] && !strcmp(tpc_theorems[k]->family, family) && len < size;
       k++)
    len += (size_t)snprintf(buf + len, size - len, "%s %s", k > i ? "," : "",
                            tpc_theorems[k]->title);
}

int tpc_report_theorems(tpc_doc *doc, sqlite3 *db, tpc_report_summary *sum) {
  tpc_doc_section(doc, "theorems", "Theorems (tpc rate)");
  tpc_doc_text(doc,
               "Each check compares the mean over repetitions of the theorem's measured "
               "quantity with its bound at the theorem's largest step times the multiplier "
               "(tpc list states each theorem); randomized methods pass on a one-sided upper "
               "confidence bound. slack: the largest multiplier in 1, 2, 4, … 4096 at which "
               "the run still converges. One table per family of theorems, then per check "
               "that recorded its curve the measured quantity against its bound at each t "
               "(log scale; for a one-step theorem, each step's left side over its right "
               "side against 1).");
  int rc = TPC_OK;
  for (size_t i = 0; tpc_theorems[i] && !rc; i++) {
    if (i && !strcmp(tpc_theorems[i - 1]->family, tpc_theorems[i]->family)) continue;
    char title[1024]; /* T9's seven titles fill 300 characters */
    family_title(i, title, sizeof title);
    tpc_doc_subsection(doc, title);
    rc = checks_table(doc, db, tpc_theorems[i]->family, &sum->rates);
    if (!rc) rc = curve_figures(doc, db, tpc_theorems[i]->family);
  }
  return rc;
}

/* The newest rate_best row per (experiment, panel, method) (report.c). */
#define BEST_SQL(cols, order) "SELECT " cols " FROM temp.rep_best WHERE experiment = ?1 " order

/* The best run of each method (fig3, fig1), or the ten cheapest cells of a
** heat map (fig2: the grid itself is the figure). */
static int best_table(tpc_doc *doc, sqlite3 *db, const char *experiment, int cheapest,
                      int *rows) {
  static const char *const h[] = {"<panel", "<method", "best × theory", "γ", "<metric",
                                  "value", "Mbits/client", "iterations", "!reached"};
  sqlite3_stmt *st;
#define BEST_COLS "panel, method, best_mult, best_gamma, metric, value, bits_up_per_client * 1e-6, " \
                  "iters, reached"
  int rc = tpc_rep_prepare(db,
                           cheapest ? BEST_SQL(BEST_COLS, "ORDER BY reached DESC, value LIMIT 10")
                                    : BEST_SQL(BEST_COLS, "ORDER BY panel, id"),
                           &st);
  if (rc) return rc;
  sqlite3_bind_text(st, 1, experiment, -1, SQLITE_STATIC);
  int step, n = 0;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (n++ == 0) tpc_doc_table(doc, 9, h);
    char m[32], g[32], v[32], b[32], it[24];
    int reached = sqlite3_column_int(st, 8);
    snprintf(it, sizeof it, "%d", sqlite3_column_int(st, 7));
    const char *cells[] = {tpc_rep_text(st, 0),
                           tpc_rep_text(st, 1),
                           tpc_rep_num(tpc_rep_real(st, 2), 4, m, sizeof m),
                           tpc_rep_num(tpc_rep_real(st, 3), 4, g, sizeof g),
                           tpc_rep_text(st, 4),
                           tpc_rep_num(tpc_rep_real(st, 5), 4, v, sizeof v),
                           tpc_rep_num(tpc_rep_real(st, 6), 4, b, sizeof b),
                           it,
                           reached ? "yes" : "no"};
    tpc_doc_row(doc, cells, reached ? "pass" : "warn");
  }
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  if (n) tpc_doc_table_end(doc);
  *rows += n;
  return rc;
}

static int best_figures(tpc_doc *doc, sqlite3 *db, const char *experiment) {
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db, BEST_SQL("ifnull(panel, experiment), method, trajectory_id", "ORDER BY panel, id"), &st);
  if (rc) return rc;
  sqlite3_bind_text(st, 1, experiment, -1, SQLITE_STATIC);
  rc = panel_figures(doc, db, st, experiment,
                     "‖∇f(x^t)‖² against Mbits per client, each method at its best multiple "
                     "of the theoretical step");
  sqlite3_finalize(st);
  return rc;
}

/* EF21-P (T9.8): f(x^t) against the uplink and against the downlink bits
** per client, each method at its best step, the two directions side by
** side. */
static int ef21p_figures(tpc_doc *doc, sqlite3 *db) {
  static const struct {
    const series *s;
    const char *prefix, *title, *what;
  } dirs[] = {{&f_up, "ef21p-up", ": uplink",
               "f(x^t) at the model x against the uplink Mbits per client, each method at "
               "its best step (values only, as many bits a value as the run's doubles: 64)"},
              {&f_down, "ef21p-down", ": downlink",
               "f(x^t) against the downlink Mbits per client (the broadcast every client "
               "receives, values only, 64 bits a value)"}};
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(
      db, BEST_SQL("ifnull(panel, experiment) || ?2, method, trajectory_id", "ORDER BY panel, id"),
      &st);
  if (rc) return rc;
  tpc_doc_grid_begin(doc);
  for (size_t i = 0; i < 2 && !rc; i++) {
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, "ef21p", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, dirs[i].title, -1, SQLITE_STATIC);
    rc = tpc_rep_panel_plots(doc, db, st, dirs[i].s, dirs[i].prefix, dirs[i].what);
  }
  tpc_doc_grid_end(doc);
  sqlite3_finalize(st);
  return rc;
}

/* Distinct sorted values of one heat-map axis, for the tick labels. */
typedef struct axis {
  double v[64];
  int n;
} axis;

static int axis_index(axis *a, double v) {
  for (int i = 0; i < a->n; i++)
    if (a->v[i] == v) return i;
  return -1;
}

static void axis_add(axis *a, double v) {
  if (axis_index(a, v) >= 0 || a->n == 64) return;
  int i = a->n++;
  while (i > 0 && a->v[i - 1] > v) a->v[i] = a->v[i - 1], i--;
  a->v[i] = v;
}

static void axis_tics(tpc_buf *b, const char *which, const axis *a) {
  tpc_buf_printf(b, "set %stics (", which);
  for (int i = 0; i < a->n; i++) tpc_buf_printf(b, "%s'%g' %d", i ? ", " : "", a->v[i], i);
  tpc_buf_puts(b, ")\n");
}

/* Fig. 2: bits per client to reach ‖∇f‖ < 1e-4 per (K, zeta) cell,
** log10 on the colour axis; unreached cells grey; the cheapest cell marked. */
static int heatmap_figure(tpc_doc *doc, sqlite3 *db) {
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db, BEST_SQL("K, zeta, value, reached", ""), &st);
  if (rc) return rc;
  sqlite3_bind_text(st, 1, "fig2", -1, SQLITE_STATIC);
  enum { MAXCELLS = 1024 };
  double K[MAXCELLS], Z[MAXCELLS], V[MAXCELLS];
  int R[MAXCELLS];
  axis ax = {{0}, 0}, ay = {{0}, 0};
  int n = 0, step, best = -1;
  while ((step = sqlite3_step(st)) == SQLITE_ROW && n < MAXCELLS) {
    K[n] = tpc_rep_real(st, 0), Z[n] = tpc_rep_real(st, 1), V[n] = tpc_rep_real(st, 2);
    R[n] = sqlite3_column_int(st, 3) && isfinite(V[n]) && V[n] > 0;
    if (isnan(K[n]) || isnan(Z[n])) continue;
    axis_add(&ax, Z[n]);
    axis_add(&ay, K[n]);
    if (R[n] && (best < 0 || V[n] < V[best])) best = n;
    n++;
  }
  rc = tpc_rep_done(db, step == SQLITE_ROW ? SQLITE_DONE : step);
  sqlite3_finalize(st);
  if (rc || !n) return rc;
  tpc_plot p;
  tpc_plot_begin(&p, "CLAG on phishing: uplink bits per client to ‖∇f‖ < 1e-4");
  tpc_plot_data_begin(&p, "H");
  for (int i = 0; i < n; i++)
    if (R[i]) tpc_plot_row(&p, "%d %d %.6f", axis_index(&ax, Z[i]), axis_index(&ay, K[i]),
                           log10(V[i]));
  tpc_plot_data_end(&p);
  tpc_plot_data_begin(&p, "U");
  for (int i = 0; i < n; i++)
    if (!R[i]) tpc_plot_row(&p, "%d %d", axis_index(&ax, Z[i]), axis_index(&ay, K[i]));
  tpc_plot_data_end(&p);
  tpc_plot_data_begin(&p, "B");
  if (best >= 0) tpc_plot_row(&p, "%d %d", axis_index(&ax, Z[best]), axis_index(&ay, K[best]));
  tpc_plot_data_end(&p);
  axis_tics(&p.script, "x", &ax);
  axis_tics(&p.script, "y", &ay);
  tpc_buf_printf(&p.script,
                 "set xrange [-0.5:%d.5]\nset yrange [-0.5:%d.5]\nunset grid\n"
                 "set xlabel 'ζ (CLAG trigger)'\nset ylabel 'K (TopK)'\n"
                 "set cblabel 'log_{10} bits per client'\nset palette rgb 33,13,10\n"
                 "set key outside top center horizontal\n"
                 "plot $H using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 fc palette "
                 "notitle, $U using 1:2:(0.5):(0.5) with boxxyerror fs pattern 4 lc rgb "
                 "'#999999' title 'not reached', $B using 1:2 with points pt 6 ps 3 lw 2 lc "
                 "rgb '#000000' title 'cheapest'\n",
                 ax.n - 1, ay.n - 1);
  char caption[256];
  if (best >= 0)
    snprintf(caption, sizeof caption,
             "Fig. 2 (T7): the cheapest cell is K = %g, ζ = %g with %.4g Mbits per client",
             K[best], Z[best], V[best] * 1e-6);
  else snprintf(caption, sizeof caption, "Fig. 2 (T7): no cell reached the tolerance");
  tpc_doc_grid_begin(doc);
  rc = tpc_doc_figure(doc, &p, "fig2-heatmap", caption);
  tpc_doc_grid_end(doc);
  tpc_plot_free(&p);
  return rc;
}

int tpc_report_rates(tpc_doc *doc, sqlite3 *db, tpc_report_summary *sum) {
  tpc_doc_section(doc, "rates", "Rates (tpc rate)");
  tpc_doc_text(doc,
               "Convergence of the methods checked against Theorem 1 (T5) at its step, "
               "and the papers' experiments (T7, T9.8).");
  int rc = convergence_figures(doc, db);
  static const char *const exps[][2] = {
      {"fig3", "Fig. 3: quadratics (T7), s = 0 and L± ≈ 6.58"},
      {"fig2", "Fig. 2: CLAG on phishing, K × ζ (table: the ten cheapest cells)"},
      {"fig1", "Fig. 1: autoencoder on Fashion-MNIST"},
      {"ef21p", "EF21-P (T9.8): EF21-P + DIANA against DIANA on w8a"}};
  for (size_t i = 0; !rc && i < sizeof exps / sizeof *exps; i++) {
    tpc_doc_subsection(doc, exps[i][1]);
    int before = sum->rates;
    rc = best_table(doc, db, exps[i][0], i == 1, &sum->rates);
    if (!rc && sum->rates == before)
      tpc_doc_empty(doc, "Not run: tpc rate --experiment %s.", exps[i][0]);
    else if (!rc && i == 1) rc = heatmap_figure(doc, db);
    else if (!rc && i == 3) rc = ef21p_figures(doc, db);
    else if (!rc) rc = best_figures(doc, db, exps[i][0]);
  }
  if (!rc) rc = tpc_report_scaling(doc, db, sum);
  return rc ? rc : tpc_report_dist(doc, db, sum);
}
