/*
** Comparing two runs result by result (diff.h).
*/
#include "reports/diff.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bench/compare.h"
#include "bench/store_bench.h"
#include "core/error.h"

/* Deterministic results compare equal up to this relative difference: the
** same code on another CPU may round a sum differently. */
#define DIFF_RTOL 1e-9

void tpc_diff_init(tpc_diff *df, double threshold, int timings_gate) {
  memset(df, 0, sizeof *df);
  df->threshold = threshold;
  df->timings_gate = timings_gate;
  df->names[0] = "before";
  df->names[1] = "after";
}

void tpc_diff_free(tpc_diff *df) {
  free(df->item);
  df->item = NULL;
  df->n = df->cap = 0;
}

const char *tpc_diff_level_name(tpc_diff_level l) {
  return l == TPC_DIFF_FAIL ? "fail" : l == TPC_DIFF_WARN ? "warn" : "info";
}

static const char *num(double v, char *buf, size_t n) {
  if (isnan(v)) snprintf(buf, n, "-");
  else snprintf(buf, n, "%.6g", v);
  return buf;
}

static int add(tpc_diff *df, tpc_diff_level level, const char *area, const char *key,
               const char *what, const char *before, const char *after, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

static int add(tpc_diff *df, tpc_diff_level level, const char *area, const char *key,
               const char *what, const char *before, const char *after, const char *fmt, ...) {
  if (df->n == df->cap) {
    size_t cap = df->cap ? 2 * df->cap : 64;
    tpc_diff_item *it = realloc(df->item, cap * sizeof *it);
    if (!it) return tpc_error(TPC_ENOMEM, "out of memory comparing runs");
    df->item = it;
    df->cap = cap;
  }
  tpc_diff_item *it = &df->item[df->n++];
  snprintf(it->area, sizeof it->area, "%s", area);
  snprintf(it->key, sizeof it->key, "%s", key);
  snprintf(it->what, sizeof it->what, "%s", what);
  snprintf(it->before, sizeof it->before, "%s", before);
  snprintf(it->after, sizeof it->after, "%s", after);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(it->detail, sizeof it->detail, fmt, ap);
  va_end(ap);
  it->level = level;
  df->fails += level == TPC_DIFF_FAIL;
  df->warns += level == TPC_DIFF_WARN;
  return TPC_OK;
}

static int add_num(tpc_diff *df, tpc_diff_level level, const char *area, const char *key,
                   const char *what, double before, double after, const char *detail) {
  char a[48], b[48];
  return add(df, level, area, key, what, num(before, a, sizeof a), num(after, b, sizeof b), "%s",
             detail);
}

static double col(sqlite3_stmt *st, int i) {
  return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static int differs(double a, double b) {
  if (isnan(a) || isnan(b)) return isnan(a) != isnan(b);
  if (a == b) return 0;
  return fabs(a - b) > DIFF_RTOL * fmax(fabs(a), fabs(b));
}

/* ---- loading one run's rows --------------------------------------------- */

/* A result row: its key, text fields and numbers (per area, below). */
typedef struct row {
  char key[256];
  char verdict[16];
  int det;
  double v[8];
} row;

typedef struct rows {
  size_t n;
  row *r;
} rows;

static int load(tpc_store *s, int64_t run, const char *sql, int nvals, rows *out) {
  sqlite3 *db = tpc_store_db(s);
  sqlite3_stmt *st;
  out->n = 0;
  out->r = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    return tpc_error(TPC_ESTORE, "comparing runs: %s", sqlite3_errmsg(db));
  sqlite3_bind_int64(st, 1, run);
  size_t cap = 0;
  int step, rc = TPC_OK;
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    if (out->n == cap) {
      cap = cap ? 2 * cap : 32;
      row *r = realloc(out->r, cap * sizeof *r);
      if (!r) {
        rc = tpc_error(TPC_ENOMEM, "out of memory comparing runs");
        break;
      }
      out->r = r;
    }
    row *r = &out->r[out->n++];
    const unsigned char *k = sqlite3_column_text(st, 0), *v = sqlite3_column_text(st, 1);
    snprintf(r->key, sizeof r->key, "%s", k ? (const char *)k : "");
    snprintf(r->verdict, sizeof r->verdict, "%s", v ? (const char *)v : "");
    r->det = sqlite3_column_int(st, 2);
    for (int i = 0; i < nvals; i++) r->v[i] = col(st, 3 + i);
  }
  if (!rc && step != SQLITE_DONE)
    rc = tpc_error(TPC_ESTORE, "comparing runs: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  if (rc) free(out->r), out->r = NULL, out->n = 0;
  return rc;
}

static const row *find(const rows *rs, const char *key, char *used) {
  for (size_t i = 0; i < rs->n; i++)
    if (!used[i] && !strcmp(rs->r[i].key, key)) {
      used[i] = 1;
      return &rs->r[i];
    }
  return NULL;
}

typedef int (*compare_fn)(tpc_diff *df, const row *a, const row *b);

/* Load both runs, match rows on their key, compare each pair. */
static int diff_rows(tpc_diff *df, const char *sql, int nvals, compare_fn cmp, tpc_store *sa,
                     int64_t ra, tpc_store *sb, int64_t rb) {
  rows A, B;
  int rc = load(sa, ra, sql, nvals, &A);
  if (rc) return rc;
  rc = load(sb, rb, sql, nvals, &B);
  if (rc) {
    free(A.r);
    return rc;
  }
  char *used = calloc(B.n + 1, 1);
  if (!used) rc = tpc_error(TPC_ENOMEM, "out of memory comparing runs");
  for (size_t i = 0; !rc && i < A.n; i++) {
    const row *b = find(&B, A.r[i].key, used);
    if (!b) {
      /* the gate no longer checks what it used to */
      df->only_before++;
      rc = add(df, TPC_DIFF_FAIL, "gone", A.r[i].key, "result", A.r[i].verdict, "(missing)",
               "in the earlier run only; if the set changed on purpose, update the baseline");
    } else {
      df->matched++;
      rc = cmp(df, &A.r[i], b);
    }
  }
  for (size_t j = 0; !rc && j < B.n; j++)
    if (!used[j]) {
      df->only_after++;
      /* a result without a baseline still gates on its own verdict */
      if (strcmp(B.r[j].verdict, "pass") && strcmp(B.r[j].verdict, "n/a"))
        rc = add(df, TPC_DIFF_FAIL, "new", B.r[j].key, "verdict", "(none)", B.r[j].verdict,
                 "a new result that does not pass");
    }
  free(used);
  free(A.r);
  free(B.r);
  return rc;
}

/* ---- bounds ----------------------------------------------------------------- */

static const char *const bounds_sql =
    "SELECT spec || '  (d=' || d || ', n=' || n || "
    "CASE dtype WHEN 'f32' THEN ', f32' ELSE '' END || ')', verdict, deterministic, worst_ratio, "
    "worst_ratio_lcb, worst_ratio_ucb, sup_ratio, sup_ratio_ucb, frontier_BA, frontier_BA_lcb "
    "FROM bounds_specs WHERE run_id = ?1 ORDER BY position";

enum { B_WR, B_WRLO, B_WRHI, B_SUP, B_SUPHI, B_BA, B_BALO };

/* bounds: a violated or failed check gates, an inconclusive one warns, and a
** check that now passes is news. */
static int bounds_verdict(tpc_diff *df, const row *a, const row *b) {
  const char *v = b->verdict;
  int same = !strcmp(a->verdict, v);
  if (same && !strcmp(v, "pass")) return TPC_OK;
  tpc_diff_level level = !strcmp(v, "pass") ? TPC_DIFF_INFO
                         : !strcmp(v, "inconclusive") ? TPC_DIFF_WARN
                                                      : TPC_DIFF_FAIL;
  return add(df, level, "bounds", a->key, "verdict", a->verdict, v, "%s",
             same ? "still not a pass" : "the verdict changed");
}

static int compare_bounds(tpc_diff *df, const row *a, const row *b) {
  int rc = bounds_verdict(df, a, b);
  const double *x = a->v, *y = b->v;
  char why[200];
  if (!rc && differs(x[B_WR], y[B_WR])) {
    double lo = x[B_WRLO] * (1 - DIFF_RTOL), hi = x[B_WRHI] * (1 + DIFF_RTOL);
    int out = !(y[B_WR] >= lo && y[B_WR] <= hi);
    snprintf(why, sizeof why, "%s the old 99%% interval [%.6g, %.6g]", out ? "outside" : "inside",
             x[B_WRLO], x[B_WRHI]);
    rc = add_num(df, out ? TPC_DIFF_FAIL : TPC_DIFF_INFO, "bounds", a->key, "worst ratio",
                 x[B_WR], y[B_WR], why);
  }
  if (!rc && differs(x[B_SUP], y[B_SUP])) {
    int out = a->det || y[B_SUP] > x[B_SUPHI] * (1 + DIFF_RTOL);
    if (a->det) snprintf(why, sizeof why, "deterministic: any change counts");
    else snprintf(why, sizeof why, "%s the old upper bound %.6g", out ? "above" : "within",
                  x[B_SUPHI]);
    rc = add_num(df, out ? TPC_DIFF_FAIL : TPC_DIFF_INFO, "bounds", a->key,
                 "sup E|C(x)-x|^2/|x|^2", x[B_SUP], y[B_SUP], why);
  }
  if (!rc && differs(x[B_BA], y[B_BA])) {
    int out = a->det || y[B_BA] < x[B_BALO] * (1 - DIFF_RTOL);
    if (a->det) snprintf(why, sizeof why, "deterministic: any change counts");
    else snprintf(why, sizeof why, "%s the old lower bound %.6g", out ? "below" : "above",
                  x[B_BALO]);
    rc = add_num(df, out ? TPC_DIFF_FAIL : TPC_DIFF_INFO, "bounds", a->key, "min B/A", x[B_BA],
                 y[B_BA], why);
  }
  return rc;
}

int tpc_diff_bounds(tpc_diff *df, tpc_store *a, int64_t before, tpc_store *b, int64_t after) {
  return diff_rows(df, bounds_sql, 7, compare_bounds, a, before, b, after);
}

/* ---- rate ------------------------------------------------------------------ */

static const char *const rate_sql =
    "SELECT problem || '  ' || method || ifnull('  --server ' || server, '') || '  [' || "
    "ifnull(theorem, check_kind) || ']', verdict, deterministic, measured, ucb, ratio, slack FROM rate_checks "
    "WHERE run_id = ?1 AND experiment IS NULL AND check_kind <> 'none' ORDER BY id";

enum { R_MEAS, R_UCB, R_RATIO, R_SLACK };

/* rate: any change of verdict gates, and so does a violation. */
static int rate_verdict(tpc_diff *df, const row *a, const row *b) {
  int same = !strcmp(a->verdict, b->verdict);
  if (same && strcmp(b->verdict, "violated") && strcmp(b->verdict, "inconclusive")) return TPC_OK;
  tpc_diff_level level = same && !strcmp(b->verdict, "inconclusive") ? TPC_DIFF_WARN : TPC_DIFF_FAIL;
  return add(df, level, "rate", a->key, "verdict", a->verdict, b->verdict, "%s",
             same ? "still not a pass" : "the verdict changed");
}

static int compare_rate(tpc_diff *df, const row *a, const row *b) {
  int rc = rate_verdict(df, a, b);
  const double *x = a->v, *y = b->v;
  char why[200];
  if (!rc && differs(x[R_MEAS], y[R_MEAS])) {
    if (a->det) snprintf(why, sizeof why, "deterministic: the trajectory changed");
    else snprintf(why, sizeof why, "randomized; the old upper bound was %.6g", x[R_UCB]);
    rc = add_num(df, a->det ? TPC_DIFF_WARN : TPC_DIFF_INFO, "rate", a->key, "measured",
                 x[R_MEAS], y[R_MEAS], why);
  }
  if (!rc && differs(x[R_SLACK], y[R_SLACK]))
    rc = add_num(df, TPC_DIFF_INFO, "rate", a->key, "theory slack", x[R_SLACK], y[R_SLACK],
                 "largest converging multiplier");
  return rc;
}

int tpc_diff_rate(tpc_diff *df, tpc_store *a, int64_t before, tpc_store *b, int64_t after) {
  return diff_rows(df, rate_sql, 4, compare_rate, a, before, b, after);
}

/* ---- bench ------------------------------------------------------------------- */

/* "randk f32 d=1048576 k=10486 comp": a kernel case as a result key. */
static void case_key(const tpc_bench_row *x, char *key, size_t size) {
  char k[32] = "";
  if (x->k) snprintf(k, sizeof k, " k=%" PRId64, x->k);
  snprintf(key, size, "%s %s d=%" PRId64 "%s %s", x->kernel, x->dtype, x->d, k, x->impl);
}

/* "avx512 on AMD EPYC": where a case's timing comes from. */
static void case_where(const tpc_bench_rows *r, const tpc_bench_row *x, char *buf, size_t size) {
  snprintf(buf, size, "%s on %s", x->path[0] ? x->path : "path not recorded",
           r->cpu_model[0] ? r->cpu_model : "an unknown CPU");
}

/* Instruction counts of the same path, the same counter and the same
** compiler: another CPU runs the same instructions, so the CPU model does not
** matter; FAIL beyond the threshold whether timings gate or warn (bench/
** instrument.h: a count is the same on every run). */
static int compare_instructions(tpc_diff *df, const char *key, const tpc_bench_rows *X,
                                const tpc_bench_row *x, const tpc_bench_rows *Y,
                                const tpc_bench_row *y) {
  char before[48], after[48];
  snprintf(before, sizeof before, "%.6g", x->instructions);
  snprintf(after, sizeof after, "%.6g", y->instructions);
  if (!tpc_bench_same_path(x, y) || strcmp(X->instrument, Y->instrument) ||
      strcmp(X->compiler, Y->compiler)) {
    df->not_comparable++;
    return add(df, TPC_DIFF_INFO, "bench", key, "instructions", before, after,
               "not comparable (%s: %s by %s, %s; %s: %s by %s, %s)", df->names[0], x->path,
               X->instrument, X->compiler, df->names[1], y->path, Y->instrument, Y->compiler);
  }
  double r = y->instructions / x->instructions;
  tpc_bench_verdict v = tpc_bench_verdict_of(r, r, df->threshold);
  tpc_diff_level level = v == TPC_BENCH_SLOWER ? TPC_DIFF_FAIL : TPC_DIFF_INFO;
  if (r == 1.0) return TPC_OK; /* unchanged: nothing to say */
  return add(df, level, "bench", key, "instructions", before, after,
             "%s: ratio %.4f of instructions per call on %s (%s), threshold %g%%",
             tpc_bench_verdict_name(v), r, y->path, Y->instrument, 100 * df->threshold);
}

static int compare_case(tpc_diff *df, const tpc_bench_rows *X, const tpc_bench_row *x,
                        const tpc_bench_rows *Y, const tpc_bench_row *y) {
  char key[256], wx[200], wy[200];
  case_key(x, key, sizeof key);
  case_where(X, x, wx, sizeof wx);
  case_where(Y, y, wy, sizeof wy);
  if (x->instructions > 0 && y->instructions > 0)
    return compare_instructions(df, key, X, x, Y, y);
  if (!tpc_bench_same_path(x, y) || strcmp(X->cpu_model, Y->cpu_model)) {
    df->not_comparable++;
    return add(df, TPC_DIFF_INFO, "bench", key, "time / floor", "-", "-",
               "not comparable (%s: %s, %s: %s)", df->names[0], wx, df->names[1], wy);
  }
  if (!(x->floor_ns > 0 && y->floor_ns > 0) || !x->n || !y->n)
    return TPC_OK; /* no roofline or no samples: nothing comparable across machines */
  /* time in units of what each round's memory allowed (its roofline floor) */
  tpc_bench_rounds a, b;
  if (!tpc_bench_row_rounds(x, 1, &a) || !tpc_bench_row_rounds(y, 1, &b)) return TPC_OK;
  tpc_bench_cmp m;
  int rc = tpc_bench_compare(&a, &b, 0.99, df->threshold, (uint64_t)y->seed, &m);
  if (rc == TPC_EINPUT) { /* a sample below the clock's resolution: not comparable */
    tpc_error_clear();
    return TPC_OK;
  }
  if (!rc) {
    tpc_diff_level level = TPC_DIFF_INFO;
    if (m.verdict == TPC_BENCH_SLOWER) level = df->timings_gate ? TPC_DIFF_FAIL : TPC_DIFF_WARN;
    char before[48], after[48];
    snprintf(before, sizeof before, "%.3gx floor", x->median_ns / x->floor_ns);
    snprintf(after, sizeof after, "%.3gx floor", y->median_ns / y->floor_ns);
    rc = add(df, level, "bench", key, "time / floor", before, after,
             "%s%s: ratio %.3f [%.3f, %.3f] (99%%, %zu and %zu rounds; within rounds "
             "[%.3f, %.3f]); raw medians %.4g -> %.4g ns",
             tpc_bench_verdict_name(m.verdict), m.few_rounds ? " (too few rounds)" : "",
             m.ratio, m.lo, m.hi, x->rounds, y->rounds, m.w_lo, m.w_hi, x->median_ns,
             y->median_ns);
  }
  return rc;
}

/* A bench run's rows; none when it timed or counted nothing (an instrument
** run where no counter works, an interrupted run): its cases are then gone
** or new, not an error. */
static int load_or_empty(tpc_store *st, int64_t run, tpc_bench_rows *out) {
  int rc = tpc_bench_load(st, run, out);
  if (rc != TPC_EINPUT) return rc;
  tpc_error_clear();
  return TPC_OK;
}

int tpc_diff_bench(tpc_diff *df, tpc_store *a, int64_t before, tpc_store *b, int64_t after) {
  tpc_bench_rows A = {0}, B = {0};
  int rc = load_or_empty(a, before, &A);
  if (!rc) rc = load_or_empty(b, after, &B);
  char *used = rc ? NULL : calloc(B.n + 1, 1);
  if (!rc && !used) rc = tpc_error(TPC_ENOMEM, "out of memory comparing runs");
  for (size_t i = 0; !rc && i < A.n; i++) {
    if (strcmp(A.row[i].role, "kernel")) continue; /* bandwidths and peers do not gate */
    const tpc_bench_row *y = NULL;
    for (size_t j = 0; j < B.n && !y; j++)
      if (!used[j] && tpc_bench_same_case(&A.row[i], &B.row[j])) used[j] = 1, y = &B.row[j];
    if (!y) {
      df->only_before++; /* an ISA path this CPU lacks, say: worth a look, not a failure */
      char key[256];
      case_key(&A.row[i], key, sizeof key);
      rc = add(df, TPC_DIFF_WARN, "gone", key, "kernel case", "timed", "(missing)",
               "in the earlier run only");
    } else {
      df->matched++;
      rc = compare_case(df, &A, &A.row[i], &B, y);
    }
  }
  for (size_t j = 0; !rc && j < B.n; j++) df->only_after += !used[j] && !strcmp(B.row[j].role, "kernel");
  free(used);
  tpc_bench_rows_free(&A);
  tpc_bench_rows_free(&B);
  return rc;
}

void tpc_diff_print(FILE *out, const tpc_diff *df, tpc_diff_level min_level) {
  for (size_t i = 0; i < df->n; i++) {
    const tpc_diff_item *it = &df->item[i];
    if (it->level < min_level) continue;
    fprintf(out, "%s %-6s %s\n       %s: %s -> %s  (%s)\n", it->level == TPC_DIFF_FAIL ? "FAIL"
                                                        : it->level == TPC_DIFF_WARN ? "warn"
                                                                                     : "    ",
            it->area, it->key, it->what, it->before, it->after, it->detail);
  }
}
