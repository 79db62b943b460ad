/*
** Tests of the report layer (reports/): the text buffer; the document's
** HTML and Markdown (escaping, one table in both, plots inlined with ids
** scoped per figure so that two gnuplot SVGs never share an id); the
** comparison rules of reports/diff.h on synthetic runs (each level decided
** by the rule the header states, timings judged relative to the roofline);
** and the baseline's round trip (exact reals, infinities, quotes).  Each
** test works in its own mkdtemp directory.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "reports/baseline.h"
#include "reports/buf.h"
#include "reports/diff.h"
#include "reports/doc.h"
#include "store/store.h"

static char dir[64];

static void setup(void) {
  strcpy(dir, "/tmp/tpc_report_XXXXXX");
  cr_assert(ne(ptr, mkdtemp(dir), NULL));
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  cr_assert(eq(int, system(cmd), 0));
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "r");
  cr_assert(ne(ptr, f, NULL), "cannot open %s", path);
  tpc_buf b = {0};
  cr_assert(eq(int, tpc_buf_read(&b, f), TPC_OK));
  fclose(f);
  return b.s ? b.s : strdup("");
}

static size_t count(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
  return n;
}

Test(report, buf_grows_and_escapes) {
  tpc_buf b = {0};
  for (int i = 0; i < 1000; i++) tpc_buf_printf(&b, "%04d,", i);
  cr_assert(eq(sz, b.len, 5000));
  cr_assert(eq(int, strncmp(b.s + 4995, "0999,", 5), 0));
  tpc_buf_reset(&b);
  tpc_buf_html(&b, "<a href=\"x\">&'</a>");
  cr_assert(eq(str, b.s, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"));
  tpc_buf_free(&b);
}

Test(report, doc_tables_agree_and_escape, .init = setup, .fini = teardown) {
  tpc_doc d;
  cr_assert(eq(int, tpc_doc_init(&d, dir), TPC_OK));
  tpc_doc_section(&d, "s", "Section <1>");
  static const char *const h[] = {"<spec", "value", "!verdict"};
  tpc_doc_table(&d, 3, h);
  const char *row[] = {"a|b <c>", "1.5", "pass"};
  tpc_doc_row(&d, row, "pass");
  tpc_doc_table_end(&d);
  cr_assert(eq(int, tpc_doc_write(&d, "T", "meta"), TPC_OK));
  tpc_doc_free(&d);
  char p[128];
  snprintf(p, sizeof p, "%s/report.html", dir);
  char *html = slurp(p);
  snprintf(p, sizeof p, "%s/report.md", dir);
  char *md = slurp(p);
  /* HTML: escaped text, the verdict cell classed, the row toned */
  cr_assert(ne(ptr, strstr(html, "<td class=\"t\">a|b &lt;c&gt;</td>"), NULL));
  cr_assert(ne(ptr, strstr(html, "<tr class=\"pass\">"), NULL));
  cr_assert(ne(ptr, strstr(html, "<td class=\"t v\">pass</td>"), NULL));
  cr_assert(ne(ptr, strstr(html, "Section &lt;1&gt;"), NULL));
  /* Markdown: the pipe inside a cell escaped, numbers right-aligned */
  cr_assert(ne(ptr, strstr(md, "| a\\|b <c> | 1.5 | pass |"), NULL));
  cr_assert(ne(ptr, strstr(md, "|---|---:|---|"), NULL));
  /* self-contained: no script, nothing fetched */
  cr_assert(eq(sz, count(html, "<script"), 0));
  cr_assert(eq(sz, count(html, "http://"), count(html, "http://www.w3.org/")));
  free(html);
  free(md);
}

/* Two figures: each SVG's ids carry the figure's prefix, every reference
** points into its own figure, and the files and Markdown links exist. */
Test(report, doc_figures_scope_their_ids, .init = setup, .fini = teardown) {
  tpc_doc d;
  cr_assert(eq(int, tpc_doc_init(&d, dir), TPC_OK));
  for (int f = 0; f < 2; f++) {
    tpc_plot p;
    tpc_plot_begin(&p, "it's a plot");
    tpc_plot_data_begin(&p, "D");
    for (int i = 1; i <= 5; i++) tpc_plot_row(&p, "%d %d", i, i * i);
    tpc_plot_data_end(&p);
    tpc_buf_puts(&p.script, "plot $D using 1:2 with linespoints pt 7 title 'squares'\n");
    char name[16];
    snprintf(name, sizeof name, "fig%d", f);
    cr_assert(eq(int, tpc_doc_figure(&d, &p, name, "caption"), TPC_OK), "%s", tpc_error_msg());
    tpc_plot_free(&p);
  }
  cr_assert(eq(int, tpc_doc_write(&d, "T", "meta"), TPC_OK));
  tpc_doc_free(&d);
  char path[128];
  snprintf(path, sizeof path, "%s/report.html", dir);
  char *html = slurp(path);
  cr_assert(eq(sz, count(html, "id='gp"), 0), "an unscoped gnuplot id is left");
  cr_assert(lt(sz, 0, count(html, "id='f1-")));
  cr_assert(lt(sz, 0, count(html, "id='f2-")));
  cr_assert(eq(sz, count(html, "href='#gp"), 0));
  cr_assert(eq(sz, count(html, "<?xml"), 0));
  cr_assert(eq(sz, count(html, "<figure class=\"plot\""), 2));
  free(html);
  snprintf(path, sizeof path, "%s/report.md", dir);
  char *md = slurp(path);
  cr_assert(ne(ptr, strstr(md, "![caption](plots/fig1.svg)"), NULL));
  free(md);
  snprintf(path, sizeof path, "%s/plots/fig0.svg", dir);
  char *svg = slurp(path);
  cr_assert(ne(ptr, strstr(svg, "</svg>"), NULL));
  free(svg);
}

Test(report, plot_error_names_gnuplot) {
  tpc_plot p;
  tpc_plot_begin(&p, NULL);
  tpc_buf_puts(&p.script, "plot $NOPE using 1:2\n");
  char *svg = NULL;
  cr_assert(eq(int, tpc_plot_render(&p, &svg), TPC_EIO));
  cr_assert(eq(ptr, svg, NULL));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "gnuplot"), NULL));
  tpc_plot_free(&p);
}

/* ---- comparisons on synthetic runs --------------------------------------- */

static tpc_store *open_store(const char *name) {
  char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  tpc_store *st;
  cr_assert(eq(int, tpc_store_open(path, &st), TPC_OK));
  return st;
}

static void exec(tpc_store *st, const char *sql) {
  char *msg = NULL;
  int rc = sqlite3_exec(tpc_store_db(st), sql, NULL, NULL, &msg);
  cr_assert(eq(int, rc, SQLITE_OK), "%s", msg ? msg : "");
}

static void run_row(tpc_store *st, int id, const char *command) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "INSERT INTO runs (id, command, started_at, status) VALUES (%d, '%s', "
           "'2026-01-01T00:00:00.000Z', 'ok')",
           id, command);
  exec(st, sql);
}

/* A bounds_specs row: spec, deterministic, verdict, worst ratio with its
** interval, sup ratio with its upper bound, B/A with its lower bound. */
static void spec_row(tpc_store *st, int run, const char *spec, int det, const char *verdict,
                     double wr, double lo, double hi, double sup, double sup_ucb, double ba,
                     double ba_lcb) {
  char sql[1024];
  snprintf(sql, sizeof sql,
           "INSERT INTO bounds_specs (run_id, position, spec, kind, check_kind, d, n, "
           "deterministic, verdict, worst_ratio, worst_ratio_lcb, worst_ratio_ucb, sup_ratio, "
           "sup_ratio_ucb, frontier_BA, frontier_BA_lcb) VALUES (%d, 0, '%s', 'mechanism', "
           "'3pc', 100, 1, %d, '%s', %.17g, %.17g, %.17g, %.17g, %.17g, %.17g, %.17g)",
           run, spec, det, verdict, wr, lo, hi, sup, sup_ucb, ba, ba_lcb);
  exec(st, sql);
}

static const tpc_diff_item *item(const tpc_diff *df, const char *key_part, const char *what) {
  for (size_t i = 0; i < df->n; i++)
    if (strstr(df->item[i].key, key_part) && !strcmp(df->item[i].what, what)) return &df->item[i];
  return NULL;
}

Test(report, diff_bounds_rules, .init = setup, .fini = teardown) {
  tpc_store *a = open_store("a.sqlite"), *b = open_store("b.sqlite");
  run_row(a, 1, "bounds");
  run_row(b, 7, "bounds");
  /* inside: worst ratio 0.95 in [0.9, 1.0]; sup 0.5 below the old ucb 0.6 */
  spec_row(a, 1, "inside", 0, "pass", 0.97, 0.9, 1.0, 0.5, 0.6, 10, 9);
  spec_row(b, 7, "inside", 0, "pass", 0.95, 0.93, 0.97, 0.55, 0.62, 9.5, 9.2);
  /* outside: worst ratio 0.8 below [0.9, 1.0]; B/A 8 below the old lower bound 9 */
  spec_row(a, 1, "outside", 0, "pass", 0.97, 0.9, 1.0, 0.5, 0.6, 10, 9);
  spec_row(b, 7, "outside", 0, "pass", 0.8, 0.78, 0.82, 0.5, 0.6, 8, 7.5);
  /* deterministic: a change of the sup ratio by 1e-6 counts */
  spec_row(a, 1, "det", 1, "pass", 1, 1, 1, 0.9, 0.9, 5, 5);
  spec_row(b, 7, "det", 1, "pass", 1, 1, 1, 0.900001, 0.900001, 5, 5);
  /* and by 1e-12 it does not (rounding on another CPU) */
  spec_row(a, 1, "round", 1, "pass", 1, 1, 1, 0.9, 0.9, 5, 5);
  spec_row(b, 7, "round", 1, "pass", 1, 1, 1, 0.9 * (1 + 1e-12), 0.9, 5, 5);
  spec_row(a, 1, "broke", 1, "pass", 1, 1, 1, 0.9, 0.9, 5, 5);
  spec_row(b, 7, "broke", 1, "violated", 1, 1, 1, 0.9, 0.9, 5, 5);
  spec_row(a, 1, "unsure", 0, "pass", 1, 0.9, 1.1, 0.9, 1.0, 5, 4);
  spec_row(b, 7, "unsure", 0, "inconclusive", 1, 0.9, 1.1, 0.9, 1.0, 5, 4);
  /* a spec the later run lacks: the gate no longer checks it */
  spec_row(a, 1, "dropped", 1, "pass", 1, 1, 1, 0.9, 0.9, 5, 5);
  tpc_diff df;
  tpc_diff_init(&df, 0.05, 1);
  cr_assert(eq(int, tpc_diff_bounds(&df, a, 1, b, 7), TPC_OK));
  cr_assert(eq(sz, df.matched, 6));
  cr_assert(eq(int, item(&df, "inside", "worst ratio")->level, TPC_DIFF_INFO));
  cr_assert(eq(int, item(&df, "inside", "sup E|C(x)-x|^2/|x|^2")->level, TPC_DIFF_INFO));
  cr_assert(eq(int, item(&df, "inside", "min B/A")->level, TPC_DIFF_INFO));
  cr_assert(eq(int, item(&df, "outside", "worst ratio")->level, TPC_DIFF_FAIL));
  cr_assert(eq(int, item(&df, "outside", "min B/A")->level, TPC_DIFF_FAIL));
  cr_assert(eq(int, item(&df, "det", "sup E|C(x)-x|^2/|x|^2")->level, TPC_DIFF_FAIL));
  cr_assert(eq(ptr, (void *)item(&df, "round", "sup E|C(x)-x|^2/|x|^2"), NULL));
  cr_assert(eq(int, item(&df, "broke", "verdict")->level, TPC_DIFF_FAIL));
  cr_assert(eq(int, item(&df, "unsure", "verdict")->level, TPC_DIFF_WARN));
  cr_assert(eq(int, item(&df, "dropped", "result")->level, TPC_DIFF_FAIL));
  cr_assert(eq(sz, df.only_before, 1));
  cr_assert(eq(sz, df.fails, 5)); /* outside twice, det, broke, dropped */
  cr_assert(eq(sz, df.warns, 1));
  tpc_diff_free(&df);
  tpc_store_close(a);
  tpc_store_close(b);
}

static void check_row(tpc_store *st, int run, const char *method, int det, const char *verdict,
                      double measured) {
  char sql[1024];
  snprintf(sql, sizeof sql,
           "INSERT INTO rate_checks (run_id, problem, method, d, n, deterministic, check_kind, "
           "x0, init, T, reps, gamma, measured, ucb, verdict) VALUES (%d, 'quad(s=0)', '%s', "
           "10, 2, %d, 'theorem1', 'problem', 'exact', 10, 1, 0.1, %.17g, %.17g, '%s')",
           run, method, det, measured, measured * 1.1, verdict);
  exec(st, sql);
}

Test(report, diff_rate_rules, .init = setup, .fini = teardown) {
  tpc_store *a = open_store("a.sqlite");
  run_row(a, 1, "rate");
  run_row(a, 2, "rate");
  check_row(a, 1, "gd", 1, "pass", 1.0);
  check_row(a, 2, "gd", 1, "pass", 1.5);          /* deterministic and moved: warn */
  check_row(a, 1, "marina", 0, "pass", 1.0);
  check_row(a, 2, "marina", 0, "inconclusive", 1.0); /* verdict changed: fail */
  check_row(a, 1, "same", 1, "pass", 2.0);
  check_row(a, 2, "same", 1, "pass", 2.0);
  tpc_diff df;
  tpc_diff_init(&df, 0.05, 1);
  cr_assert(eq(int, tpc_diff_rate(&df, a, 1, a, 2), TPC_OK));
  cr_assert(eq(sz, df.matched, 3));
  cr_assert(eq(int, item(&df, "gd", "measured")->level, TPC_DIFF_WARN));
  cr_assert(eq(int, item(&df, "marina", "verdict")->level, TPC_DIFF_FAIL));
  cr_assert(eq(ptr, (void *)item(&df, "same", "measured"), NULL));
  cr_assert(eq(sz, df.fails, 1));
  tpc_diff_free(&df);
  tpc_store_close(a);
}

/* A bench case with samples scale * (100 + i % 7) for i < 30 in `rounds`
** rounds (0: stored as before rounds, no round and no bench_rounds row), a
** floor and the kernel path it ran. */
static void bench_case_rounds(tpc_store *st, int run, int id, double floor_ns, double scale,
                              const char *path, int rounds) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "INSERT INTO bench_cases (id, run_id, grp, role, kernel, dtype, d, impl, nsamples, "
           "median_ns, floor_ns, path) VALUES (%d, %d, 0, 'kernel', 'randk', 'f32', 1024, "
           "'comp', 30, %.17g, %.17g, '%s')",
           id, run, 103 * scale, floor_ns, path);
  exec(st, sql);
  for (int i = 0; i < 30; i++) {
    char round[16] = "NULL";
    if (rounds) snprintf(round, sizeof round, "%d", i * rounds / 30);
    snprintf(sql, sizeof sql,
             "INSERT INTO bench_samples (run_id, case_id, sample, seq, ns, round) VALUES "
             "(%d, %d, %d, %d, %.17g, %s)",
             run, id, i, i, scale * (100 + i % 7), round);
    exec(st, sql);
  }
  for (int r = 0; r < rounds; r++) {
    snprintf(sql, sizeof sql,
             "INSERT INTO bench_rounds (run_id, case_id, round, nsamples, floor_ns) VALUES "
             "(%d, %d, %d, %d, %.17g)", run, id, r, 30 / rounds, floor_ns);
    exec(st, sql);
  }
}

/* Five rounds of six samples: enough rounds for a verdict. */
static void bench_case(tpc_store *st, int run, int id, double floor_ns, double scale,
                       const char *path) {
  bench_case_rounds(st, run, id, floor_ns, scale, path, 5);
}

/* The level of the one item comparing run 1 (floor 50, avx512, CPU "X") with
** run 2 (floor_b, samples scale_b times run 1's, path_b, CPU cpu_b); with
** want_detail, the item's detail must contain it. */
static tpc_diff_level bench_item(double floor_b, double scale_b, int gate, const char *path_b,
                                 const char *cpu_b, const char *want_detail) {
  tpc_store *a = open_store("bench.sqlite");
  char sql[256];
  exec(a, "DELETE FROM runs");
  run_row(a, 1, "bench");
  run_row(a, 2, "bench");
  snprintf(sql, sizeof sql, "UPDATE runs SET cpu_model = CASE id WHEN 1 THEN 'X' ELSE '%s' END",
           cpu_b);
  exec(a, sql);
  bench_case(a, 1, 1, 50, 1, "avx512");
  bench_case(a, 2, 2, floor_b, scale_b, path_b);
  tpc_diff df;
  tpc_diff_init(&df, 0.05, gate);
  cr_assert(eq(int, tpc_diff_bench(&df, a, 1, a, 2), TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(sz, df.n, 1));
  cr_assert(eq(sz, df.matched, 1));
  int other = strcmp(path_b, "avx512") || strcmp(cpu_b, "X");
  cr_assert(eq(sz, df.not_comparable, (size_t)other));
  if (want_detail)
    cr_assert(strstr(df.item[0].detail, want_detail) != NULL, "detail '%s' lacks '%s'",
              df.item[0].detail, want_detail);
  tpc_diff_level l = df.item[0].level;
  tpc_diff_free(&df);
  tpc_store_close(a);
  return l;
}

static tpc_diff_level bench_level(double floor_b, double scale_b, int gate) {
  return bench_item(floor_b, scale_b, gate, "avx512", "X", NULL);
}

/* Runs stored before rounds read as one round each: 3x slower is "unclear
** (too few rounds)", never a failure on within-process noise. */
Test(report, diff_bench_one_round_is_unclear, .init = setup, .fini = teardown) {
  tpc_store *a = open_store("old.sqlite");
  run_row(a, 1, "bench");
  run_row(a, 2, "bench");
  bench_case_rounds(a, 1, 1, 50, 1, "avx512", 0);
  bench_case_rounds(a, 2, 2, 50, 3, "avx512", 0);
  tpc_diff df;
  tpc_diff_init(&df, 0.05, 1);
  cr_assert(eq(int, tpc_diff_bench(&df, a, 1, a, 2), TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(sz, df.n, 1));
  cr_assert(eq(int, df.item[0].level, TPC_DIFF_INFO));
  cr_assert(strstr(df.item[0].detail, "unclear (too few rounds)") != NULL, "%s",
            df.item[0].detail);
  tpc_diff_free(&df);
  tpc_store_close(a);
}

Test(report, diff_bench_relative_to_roofline, .init = setup, .fini = teardown) {
  /* twice as slow on a machine with half the bandwidth: the same */
  cr_assert(eq(int, bench_level(100, 2, 1), TPC_DIFF_INFO));
  /* 20% slower at the same floor: a regression, gated or only warned */
  cr_assert(eq(int, bench_level(50, 1.2, 1), TPC_DIFF_FAIL));
  cr_assert(eq(int, bench_level(50, 1.2, 0), TPC_DIFF_WARN));
  /* 20% faster: news, not a failure */
  cr_assert(eq(int, bench_level(50, 0.8, 1), TPC_DIFF_INFO));
}

/* Timings of another kernel path, or of another CPU model at the same floor,
** are not compared: three times slower is then no failure, and the item
** says what differs. */
Test(report, diff_bench_compares_like_with_like, .init = setup, .fini = teardown) {
  cr_assert(eq(int, bench_item(50, 3, 1, "portable", "X", NULL), TPC_DIFF_INFO));
  cr_assert(eq(int, bench_item(50, 3, 1, "avx2", "Y",
                               "not comparable (before: avx512 on X, after: avx2 on Y)"),
               TPC_DIFF_INFO));
  cr_assert(eq(int, bench_item(50, 3, 1, "avx512", "Y", "avx512 on Y"), TPC_DIFF_INFO));
  cr_assert(eq(int, bench_item(50, 3, 1, "avx512", "X", "slower"), TPC_DIFF_FAIL));
}

Test(report, baseline_round_trip, .init = setup, .fini = teardown) {
  tpc_store *a = open_store("a.sqlite");
  run_row(a, 3, "bounds");
  exec(a, "UPDATE runs SET argv = 'tpc bounds ''topk(k=10)''' WHERE id = 3");
  spec_row(a, 3, "topk(k=10)", 1, "pass", 0.1 + 0.2, 1.0 / 3, 1e-300, 0, 0.6, 5e-324, 1);
  exec(a, "UPDATE bounds_specs SET sup_ratio = 9e999"); /* +inf */
  char path[128], db[128];
  snprintf(path, sizeof path, "%s/baseline.sql", dir);
  int64_t runs[] = {3};
  cr_assert(eq(int, tpc_baseline_write(a, runs, 1, path), TPC_OK), "%s", tpc_error_msg());
  char *text = slurp(path); /* the process a run ran in is not the baseline's */
  cr_assert(eq(ptr, strstr(text, "pid"), NULL), "%s", text);
  cr_assert(eq(ptr, strstr(text, "boot_id"), NULL), "%s", text);
  cr_assert(ne(ptr, strstr(text, "INSERT INTO runs (id, command, argv"), NULL), "%s", text);
  free(text);
  snprintf(db, sizeof db, "%s/loaded.sqlite", dir);
  tpc_store *b;
  cr_assert(eq(int, tpc_baseline_load(path, db, &b), TPC_OK), "%s", tpc_error_msg());
  tpc_baseline_run runs_back[2];
  size_t n;
  cr_assert(eq(int, tpc_baseline_runs(b, runs_back, 2, &n), TPC_OK));
  cr_assert(eq(sz, n, 1));
  cr_assert(eq(i64, runs_back[0].id, 3));
  cr_assert(eq(str, runs_back[0].command, "bounds"));
  sqlite3_stmt *q;
  cr_assert(eq(int, sqlite3_prepare_v2(tpc_store_db(b),
                                       "SELECT worst_ratio, worst_ratio_lcb, worst_ratio_ucb, "
                                       "sup_ratio, frontier_BA, (SELECT argv FROM runs) FROM "
                                       "bounds_specs", -1, &q, NULL), SQLITE_OK));
  cr_assert(eq(int, sqlite3_step(q), SQLITE_ROW));
  cr_assert(eq(dbl, sqlite3_column_double(q, 0), 0.1 + 0.2)); /* bit for bit */
  cr_assert(eq(dbl, sqlite3_column_double(q, 1), 1.0 / 3));
  cr_assert(eq(dbl, sqlite3_column_double(q, 2), 1e-300));
  cr_assert(eq(int, isinf(sqlite3_column_double(q, 3)) > 0, 1));
  cr_assert(eq(dbl, sqlite3_column_double(q, 4), 5e-324));
  cr_assert(eq(str, (char *)sqlite3_column_text(q, 5), "tpc bounds 'topk(k=10)'"));
  sqlite3_finalize(q);
  tpc_store_close(b);
  tpc_store_close(a);
}

Test(report, baseline_refuses_garbage, .init = setup, .fini = teardown) {
  char path[128], db[128];
  snprintf(path, sizeof path, "%s/bad.sql", dir);
  snprintf(db, sizeof db, "%s/loaded.sqlite", dir);
  FILE *f = fopen(path, "w");
  fputs("INSERT INTO runs (nope) VALUES (1);\n", f);
  fclose(f);
  tpc_store *b = NULL;
  cr_assert(eq(int, tpc_baseline_load(path, db, &b), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "not a tpc baseline"), NULL));
  cr_assert(eq(ptr, b, NULL));
  snprintf(path, sizeof path, "%s/missing.sql", dir);
  cr_assert(eq(int, tpc_baseline_load(path, db, &b), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "--update"), NULL));
}

/* A FIFO with no writer as the baseline: refused at once, where reading it
** would wait for a writer for ever (the timeout fails the test then). */
Test(report, baseline_refuses_a_fifo, .init = setup, .fini = teardown, .timeout = 20) {
  char path[128], db[128];
  snprintf(path, sizeof path, "%s/fifo.sql", dir);
  snprintf(db, sizeof db, "%s/loaded.sqlite", dir);
  cr_assert(eq(int, mkfifo(path, 0600), 0));
  tpc_store *b = NULL;
  cr_assert(eq(int, tpc_baseline_load(path, db, &b), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "is not a regular file (a FIFO)"), NULL), "%s",
            tpc_error_msg());
  cr_assert(eq(ptr, b, NULL));
}

/* A baseline file: one good runs row on line 1, then `hostile` from line 2. */
static void write_baseline(const char *path, const char *hostile) {
  FILE *f = fopen(path, "w");
  cr_assert(ne(ptr, f, NULL));
  fprintf(f, "INSERT INTO runs (id, command, started_at, status) VALUES (1, 'bounds', "
             "'2024-01-01T00:00:00.000Z', 'ok');\n%s\n", hostile);
  cr_assert(eq(int, fclose(f), 0));
}

/* A baseline is code a pull request changes: loading it must not write
** anywhere but its scratch database, whatever SQL it holds.  Each statement
** below is refused, by line and kind, before it runs: no file appears and the
** scratch database keeps no row. */
Test(report, baseline_refuses_what_is_not_an_insert, .init = setup, .fini = teardown) {
  static const struct {
    const char *sql, *why;
  } cases[] = {
      {"ATTACH DATABASE '%s/x.db' AS p; CREATE TABLE p.t(x);", "ATTACH"},
      {"VACUUM INTO '%s/x.db';", "only INSERT"},
      {"SELECT writefile('%s/x.db', 'x');", "writefile"},
      {"SELECT load_extension('%s/x.so');", "load_extension"},
      {"INSERT INTO runs (command, started_at) VALUES (readfile('%s/x.db'), 'now');",
       "readfile"},
      {"PRAGMA journal_mode = DELETE; -- %s", "PRAGMA"},
      {"CREATE TABLE t (x); -- %s", "CREATE TABLE"},
      {"CREATE TRIGGER t AFTER INSERT ON runs BEGIN DELETE FROM runs; END; -- %s",
       "CREATE TRIGGER"},
      {"DROP TABLE bench_samples; -- %s", "DROP TABLE"},
      {"ALTER TABLE runs ADD COLUMN z; -- %s", "ALTER"},
      {"UPDATE runs SET seed = 2; -- %s", "UPDATE"},
      {"DELETE FROM runs; -- %s", "DELETE"},
      {"BEGIN; -- %s", "TRANSACTION"},
      {"INSERT INTO regress_runs (run_id, baseline, timings, threshold, updated) VALUES "
       "(1, '%s', 'gate', 0, 0);", "regress_runs"},
      {"INSERT INTO runs (command, started_at) SELECT name, '%s' FROM sqlite_master;",
       "sqlite_master"},
      {"INSERT INTO bench_env (run_id, peers) VALUES (1, '%s') RETURNING peers;",
       "returns rows"},
  };
  char path[128], db[128], sql[512], file[160];
  snprintf(path, sizeof path, "%s/bad.sql", dir);
  snprintf(file, sizeof file, "%s/x.db", dir);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    snprintf(db, sizeof db, "%s/loaded%zu.sqlite", dir, i);
    snprintf(sql, sizeof sql, cases[i].sql, dir);
    write_baseline(path, sql);
    tpc_store *b = (tpc_store *)&b;
    cr_assert(eq(int, tpc_baseline_load(path, db, &b), TPC_EINPUT), "%s", sql);
    cr_assert(eq(ptr, b, NULL));
    const char *msg = tpc_error_msg();
    cr_assert(ne(ptr, strstr(msg, "line 2"), NULL), "%s: %s", sql, msg);
    cr_assert(ne(ptr, strstr(msg, cases[i].why), NULL), "%s: %s", sql, msg);
    cr_assert(ne(int, access(file, F_OK), 0), "%s created %s", sql, file);
    tpc_store *s = open_store(strrchr(db, '/') + 1);
    sqlite3_stmt *q;
    cr_assert(eq(int, sqlite3_prepare_v2(tpc_store_db(s), "SELECT count(*) FROM runs", -1, &q,
                                         NULL), SQLITE_OK));
    cr_assert(eq(int, sqlite3_step(q), SQLITE_ROW));
    cr_assert(eq(int, sqlite3_column_int(q, 0), 0), "%s: rows kept", sql);
    sqlite3_finalize(q);
    tpc_store_close(s);
  }
}

/* What tpc regress --update writes still loads: several rows per statement
** and references to the rows before (foreign keys read the parent). */
Test(report, baseline_loads_inserts_with_references, .init = setup, .fini = teardown) {
  char path[128], db[128];
  snprintf(path, sizeof path, "%s/ok.sql", dir);
  snprintf(db, sizeof db, "%s/loaded.sqlite", dir);
  write_baseline(path, "-- a comment\n/* another */ INSERT INTO bench_env (run_id, seed) "
                       "VALUES (1, 7);\nINSERT INTO bench_cases (run_id, grp, role, kernel, "
                       "dtype, d, impl, nsamples) VALUES (1, 0, 'kernel', 'topk', 'f32', 8, "
                       "'comp', 1), (1, 1, 'kernel', 'sign', 'f32', 8, 'comp', 1);");
  tpc_store *b = NULL;
  cr_assert(eq(int, tpc_baseline_load(path, db, &b), TPC_OK), "%s", tpc_error_msg());
  sqlite3_stmt *q;
  cr_assert(eq(int, sqlite3_prepare_v2(tpc_store_db(b), "SELECT count(*) FROM bench_cases", -1,
                                       &q, NULL), SQLITE_OK));
  cr_assert(eq(int, sqlite3_step(q), SQLITE_ROW));
  cr_assert(eq(int, sqlite3_column_int(q, 0), 2));
  sqlite3_finalize(q);
  tpc_store_close(b);
}

/* An instrumented bench run: one kernel case of `ins` instructions per call
** on path avx2, counted by callgrind, built by compiler cc. */
static void instr_run(tpc_store *st, int run, double ins, const char *cc) {
  char sql[512];
  run_row(st, run, "bench");
  snprintf(sql, sizeof sql, "UPDATE runs SET compiler = '%s', cpu_model = 'CPU%d' WHERE id = %d",
           cc, run, run);
  exec(st, sql);
  snprintf(sql, sizeof sql,
           "INSERT INTO bench_env (run_id, instrument, rounds) VALUES (%d, 'callgrind', 1)", run);
  exec(st, sql);
  snprintf(sql, sizeof sql,
           "INSERT INTO bench_cases (run_id, grp, role, kernel, dtype, d, impl, nsamples, path, "
           "instructions) VALUES (%d, 0, 'kernel', 'sign', 'f32', 16384, 'comp', 0, 'avx2', "
           "%.17g)",
           run, ins);
  exec(st, sql);
}

/* Instruction counts gate whether timings gate or not, on any CPU model,
** but only with the same counter, path and compiler. */
Test(report, diff_bench_gates_instructions, .init = setup, .fini = teardown) {
  tpc_store *a = open_store("ins.sqlite");
  instr_run(a, 1, 1000, "gcc 12");
  instr_run(a, 2, 1102, "gcc 12"); /* +10.2%: a regression beyond 5% */
  instr_run(a, 3, 1040, "gcc 12"); /* +4%: within the threshold */
  instr_run(a, 4, 2000, "gcc 13"); /* another compiler: other instructions */
  int64_t later[] = {2, 3, 4};
  tpc_diff_level want[] = {TPC_DIFF_FAIL, TPC_DIFF_INFO, TPC_DIFF_INFO};
  size_t not_comparable[] = {0, 0, 1};
  for (int i = 0; i < 3; i++) {
    tpc_diff df;
    tpc_diff_init(&df, 0.05, 0);
    cr_assert(eq(int, tpc_diff_bench(&df, a, 1, a, later[i]), TPC_OK), "%s", tpc_error_msg());
    cr_assert(eq(sz, df.n, 1));
    cr_assert(eq(int, df.item[0].level, want[i]), "run %d: %s", (int)later[i],
              df.item[0].detail);
    cr_assert(eq(str, df.item[0].what, "instructions"));
    cr_assert(eq(sz, df.not_comparable, not_comparable[i]));
    tpc_diff_free(&df);
  }
  tpc_store_close(a);
}
