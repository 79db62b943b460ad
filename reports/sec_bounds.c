/*
** Report section "Constants": what `tpc bounds` found (db/README.md,
** bounds_specs and bounds_frontier).  A table of compressors (declared alpha
** or omega against the estimates), a table of mechanisms (the declared pair
** A, B against the smallest empirical B/A and the step size it implies,
** THEORY.md T5), the evidence for every verdict that is not a pass, and per
** mechanism the empirical A-B frontier with the declared point marked.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "reports/sections.h"

/* The newest row per (spec, d, n, dtype) among the selected runs
** (report.c); a float32 check is labelled as such. */
static const char *const specs_sql =
    "SELECT id, spec || CASE dtype WHEN 'f32' THEN ' [f32]' ELSE '' END, kind, check_kind, "
    "d, n, declared_alpha, declared_omega, declared_A, "
    "declared_B, alpha_hat, omega_hat, worst_ratio, worst_ratio_lcb, worst_ratio_ucb, "
    "frontier_BA, frontier_BA_lcb, step_factor, declared_step_factor, bits_mean, verdict, "
    "loose_factor, reason, run_id, frontier_A, frontier_B, loose AND identity_output "
    "FROM temp.rep_bounds WHERE kind = ?1 ORDER BY run_id, position";

enum {
  C_ID, C_SPEC, C_KIND, C_CHECK, C_D, C_N, C_DALPHA, C_DOMEGA, C_DA, C_DB, C_AHAT, C_OHAT,
  C_WR, C_WRLO, C_WRHI, C_BA, C_BALO, C_STEP, C_DSTEP, C_BITS, C_VERDICT, C_LOOSE, C_REASON,
  C_RUN, C_FA, C_FB, C_IDENTITY
};

static const char *tone_of(const char *verdict) {
  if (!strcmp(verdict, "pass")) return "pass";
  if (!strcmp(verdict, "inconclusive")) return "warn";
  return "fail";
}

/* "0.91 [0.89, 0.93]": an estimate with its interval. */
static const char *interval(sqlite3_stmt *st, int est, int lo, int hi, char *buf, size_t n) {
  char a[32], b[32], c[32];
  if (sqlite3_column_type(st, est) == SQLITE_NULL) return "-";
  snprintf(buf, n, "%s [%s, %s]", tpc_rep_num(tpc_rep_real(st, est), 4, a, sizeof a),
           tpc_rep_num(tpc_rep_real(st, lo), 4, b, sizeof b),
           tpc_rep_num(tpc_rep_real(st, hi), 4, c, sizeof c));
  return buf;
}

static const char *bits_per_coord(sqlite3_stmt *st, char *buf, size_t n) {
  double d = tpc_rep_real(st, C_D);
  return tpc_rep_num(tpc_rep_real(st, C_BITS) / d, 3, buf, n);
}

/* How loose: the factor, and for a compressor flagged for returning its
** input (bounds/check.c, flag_identity) why it is infinite. */
static const char *loose_cell(sqlite3_stmt *st, char *buf, size_t n) {
  if (sqlite3_column_int(st, C_IDENTITY)) {
    snprintf(buf, n, "inf, output = input");
    return buf;
  }
  return tpc_rep_num(tpc_rep_real(st, C_LOOSE), 3, buf, n);
}

static void compressor_row(tpc_doc *doc, sqlite3_stmt *st) {
  char d[24], al[32], om[32], ah[32], oh[32], wr[96], bits[32], loose[32];
  snprintf(d, sizeof d, "%lld", (long long)sqlite3_column_int64(st, C_D));
  /* alpha-hat means something for a contractive class only, omega-hat for an
  ** unbiased one (the table stores both estimates from the same sup ratio) */
  const char *check = tpc_rep_text(st, C_CHECK);
  int contractive = !strcmp(check, "alpha") || !strcmp(check, "both");
  int unbiased = !strcmp(check, "omega") || !strcmp(check, "both");
  const char *cells[] = {tpc_rep_text(st, C_SPEC),
                         d,
                         check,
                         tpc_rep_num(tpc_rep_real(st, C_DALPHA), 6, al, sizeof al),
                         contractive ? tpc_rep_num(tpc_rep_real(st, C_AHAT), 6, ah, sizeof ah) : "-",
                         tpc_rep_num(tpc_rep_real(st, C_DOMEGA), 6, om, sizeof om),
                         unbiased ? tpc_rep_num(tpc_rep_real(st, C_OHAT), 6, oh, sizeof oh) : "-",
                         interval(st, C_WR, C_WRLO, C_WRHI, wr, sizeof wr),
                         bits_per_coord(st, bits, sizeof bits),
                         tpc_rep_text(st, C_VERDICT),
                         loose_cell(st, loose, sizeof loose)};
  tpc_doc_row(doc, cells, tone_of(tpc_rep_text(st, C_VERDICT)));
}

static void mechanism_row(tpc_doc *doc, sqlite3_stmt *st) {
  char dn[48], A[32], B[32], ba[32], bahat[32], balo[32], wr[96], step[32], dstep[32], bits[32],
      loose[32];
  snprintf(dn, sizeof dn, "%lld / %lld", (long long)sqlite3_column_int64(st, C_D),
           (long long)sqlite3_column_int64(st, C_N));
  double dA = tpc_rep_real(st, C_DA), dB = tpc_rep_real(st, C_DB);
  const char *cells[] = {tpc_rep_text(st, C_SPEC),
                         dn,
                         tpc_rep_num(dA, 6, A, sizeof A),
                         tpc_rep_num(dB, 6, B, sizeof B),
                         tpc_rep_num(dB / dA, 4, ba, sizeof ba),
                         tpc_rep_num(tpc_rep_real(st, C_BA), 4, bahat, sizeof bahat),
                         tpc_rep_num(tpc_rep_real(st, C_BALO), 4, balo, sizeof balo),
                         interval(st, C_WR, C_WRLO, C_WRHI, wr, sizeof wr),
                         tpc_rep_num(tpc_rep_real(st, C_DSTEP), 4, dstep, sizeof dstep),
                         tpc_rep_num(tpc_rep_real(st, C_STEP), 4, step, sizeof step),
                         bits_per_coord(st, bits, sizeof bits),
                         tpc_rep_text(st, C_VERDICT),
                         tpc_rep_num(tpc_rep_real(st, C_LOOSE), 3, loose, sizeof loose)};
  tpc_doc_row(doc, cells, tone_of(tpc_rep_text(st, C_VERDICT)));
}

typedef struct failure {
  char spec[160];
  char verdict[16];
  char reason[400];
} failure;

#define MAXFAIL 64

/* One table (compressors or mechanisms); the non-pass rows are collected. */
static int spec_table(tpc_doc *doc, sqlite3 *db, int mech, failure *fail, size_t *nfail,
                      int *rows) {
  static const char *const comp_h[] = {"<spec", "d", "<class", "declared α", "α̂",
                                       "declared ω", "ω̂", "worst ratio [99% interval]",
                                       "bits/coord", "!verdict", "loose ×"};
  static const char *const mech_h[] = {"<spec", "d / n", "A", "B", "B/A", "min B̂/A",
                                       "B̂/A lower bound", "worst ratio [99% interval]",
                                       "γL declared", "γL empirical", "bits/coord",
                                       "!verdict", "loose ×"};
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db, specs_sql, &st);
  if (rc) return rc;
  sqlite3_bind_text(st, 1, mech ? "mechanism" : "compressor", -1, SQLITE_STATIC);
  int step, n = 0;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (n++ == 0) {
      if (mech) tpc_doc_table(doc, 13, mech_h);
      else tpc_doc_table(doc, 11, comp_h);
    }
    if (mech) mechanism_row(doc, st);
    else compressor_row(doc, st);
    if (strcmp(tpc_rep_text(st, C_VERDICT), "pass") && *nfail < MAXFAIL) {
      failure *f = &fail[(*nfail)++];
      snprintf(f->spec, sizeof f->spec, "%s", tpc_rep_text(st, C_SPEC));
      snprintf(f->verdict, sizeof f->verdict, "%s", tpc_rep_text(st, C_VERDICT));
      snprintf(f->reason, sizeof f->reason, "%s", tpc_rep_text(st, C_REASON));
    }
  }
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  if (n) tpc_doc_table_end(doc);
  else tpc_doc_empty(doc, "No %s checked in the selected runs.",
                     mech ? "mechanism" : "compressor");
  *rows += n;
  return rc;
}

/* The frontier of one spec as datablocks: $F (A, B, lower, upper) for the
** finite positive values (the axes are logarithmic). */
static int frontier_data(sqlite3 *db, int64_t spec_id, tpc_plot *p) {
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db,
                           "SELECT A, B, B_lcb, B_ucb FROM bounds_frontier "
                           "WHERE spec_id = ?1 AND declared = 0 ORDER BY A",
                           &st);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, spec_id);
  tpc_plot_data_begin(p, "F");
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    double A = tpc_rep_real(st, 0), B = tpc_rep_real(st, 1);
    double lo = tpc_rep_real(st, 2), hi = tpc_rep_real(st, 3);
    if (!(isfinite(B) && B > 0 && A > 0)) continue;
    if (!(isfinite(lo) && lo > 0)) lo = B;
    if (!(isfinite(hi) && hi > 0)) hi = B;
    tpc_plot_row(p, "%.9g %.9g %.9g %.9g", A, B, lo, hi);
  }
  tpc_plot_data_end(p);
  rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  return rc;
}

static int frontier_figure(tpc_doc *doc, sqlite3 *db, sqlite3_stmt *st, int *drawn) {
  const char *spec = tpc_rep_text(st, C_SPEC);
  tpc_plot p;
  tpc_plot_begin(&p, spec);
  int rc = frontier_data(db, sqlite3_column_int64(st, C_ID), &p);
  if (rc || p.points == 0) {
    tpc_plot_free(&p);
    return rc; /* B = 0 everywhere (gd) or no frontier: nothing on log axes */
  }
  double A = tpc_rep_real(st, C_DA), B = tpc_rep_real(st, C_DB);
  double fA = tpc_rep_real(st, C_FA), fB = tpc_rep_real(st, C_FB);
  tpc_plot_data_begin(&p, "D");
  if (isfinite(A) && isfinite(B) && A > 0 && B > 0) tpc_plot_row(&p, "%.9g %.9g", A, B);
  tpc_plot_data_end(&p);
  tpc_plot_data_begin(&p, "M");
  if (isfinite(fA) && isfinite(fB) && fA > 0 && fB > 0) tpc_plot_row(&p, "%.9g %.9g", fA, fB);
  tpc_plot_data_end(&p);
  tpc_buf_puts(&p.script,
               "set logscale xy\nset xlabel 'A'\nset ylabel 'B'\nset key left top\n"
               "plot $F using 1:3:4 with filledcurves lc rgb '#c8d8f0' title '99% band', "
               "$F using 1:2 with lines lw 2 lc rgb '#1f4e9a' title 'empirical B(A)', "
               "$D using 1:2 with points pt 7 ps 1.6 lc rgb '#c0392b' title 'declared (A, B)', "
               "$M using 1:2 with points pt 3 ps 1.8 lc rgb '#222222' title 'min B/A'\n");
  char name[64], caption[320];
  snprintf(name, sizeof name, "frontier-%lld", (long long)sqlite3_column_int64(st, C_ID));
  snprintf(caption, sizeof caption,
           "%s: the smallest B that the points allow at each A (T3), with the declared pair",
           spec);
  rc = tpc_doc_figure(doc, &p, name, caption);
  tpc_plot_free(&p);
  if (!rc) (*drawn)++;
  return rc;
}

static int frontier_figures(tpc_doc *doc, sqlite3 *db) {
  sqlite3_stmt *st;
  int rc = tpc_rep_prepare(db, specs_sql, &st);
  if (rc) return rc;
  sqlite3_bind_text(st, 1, "mechanism", -1, SQLITE_STATIC);
  tpc_doc_grid_begin(doc);
  int step, drawn = 0;
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
    rc = frontier_figure(doc, db, st, &drawn);
  if (!rc) rc = tpc_rep_done(db, step);
  sqlite3_finalize(st);
  tpc_doc_grid_end(doc);
  if (!rc && !drawn) tpc_doc_empty(doc, "No mechanism has a frontier with B > 0 to draw.");
  return rc;
}

int tpc_report_bounds(tpc_doc *doc, sqlite3 *db, tpc_report_summary *sum) {
  tpc_doc_section(doc, "constants", "Constants (tpc bounds)");
  tpc_doc_text(doc,
               "Declared constants against their Monte Carlo and adversarial estimates "
               "(THEORY.md T1-T3). worst ratio: E|C(x)-x|^2 over the declared bound at the "
               "worst point found (at most 1 when the bound holds); loose ×: how far below "
               "the bound the worst point stays (inf, output = input: the compressor "
               "returned its input on every call, so it compresses nothing). γL: "
               "Theorem 1's step times L when L- = L+ = L (T5), with the declared pair and "
               "with the smallest B/A the points allow.");
  failure fail[MAXFAIL];
  size_t nfail = 0;
  tpc_doc_subsection(doc, "Compressors");
  int rc = spec_table(doc, db, 0, fail, &nfail, &sum->bounds);
  if (!rc) {
    tpc_doc_subsection(doc, "Mechanisms");
    rc = spec_table(doc, db, 1, fail, &nfail, &sum->bounds);
  }
  if (!rc && nfail) {
    tpc_doc_subsection(doc, "Verdicts other than pass");
    static const char *const h[] = {"<spec", "!verdict", "<evidence"};
    tpc_doc_table(doc, 3, h);
    for (size_t i = 0; i < nfail; i++) {
      const char *cells[] = {fail[i].spec, fail[i].verdict, fail[i].reason};
      tpc_doc_row(doc, cells, tone_of(fail[i].verdict));
    }
    tpc_doc_table_end(doc);
  }
  if (!rc) {
    tpc_doc_subsection(doc, "A-B frontiers");
    rc = frontier_figures(doc, db);
  }
  return rc;
}
