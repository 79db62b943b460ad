/*
** Bench rows in SQLite (store_bench.h): prepared statements, one transaction
** per timed group, and the reader that `tpc bench compare` uses.
*/
#include "bench/store_bench.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <math.h>

#include "bench/stats.h"
#include "core/error.h"

const char *tpc_bench_dtype_name(int dtype) { return dtype == TPC_F64 ? "f64" : "f32"; }

int tpc_bench_same_case(const tpc_bench_row *x, const tpc_bench_row *y) {
  return !strcmp(x->role, y->role) && !strcmp(x->kernel, y->kernel) &&
         !strcmp(x->dtype, y->dtype) && x->d == y->d && x->k == y->k &&
         !strcmp(x->impl, y->impl);
}

int tpc_bench_same_path(const tpc_bench_row *x, const tpc_bench_row *y) {
  if (!strcmp(x->role, "peer")) return 1; /* another library: its own, unknown paths */
  return x->path[0] && !strcmp(x->path, y->path);
}

const char *tpc_bench_fmt_time(double ns, char *buf, size_t size) {
  if (!(ns > 0)) snprintf(buf, size, "-");
  else if (ns < 1e3) snprintf(buf, size, "%.4g ns", ns);
  else if (ns < 1e6) snprintf(buf, size, "%.4g us", ns / 1e3);
  else if (ns < 1e9) snprintf(buf, size, "%.4g ms", ns / 1e6);
  else snprintf(buf, size, "%.4g s", ns / 1e9);
  return buf;
}

const char *tpc_bench_fmt_size(size_t d, char *buf, size_t size) {
  if (d >= 1024 && (d & (d - 1)) == 0) snprintf(buf, size, "2^%d", __builtin_ctzll(d));
  else snprintf(buf, size, "%zu", d);
  return buf;
}

static const char *role_name(tpc_bench_role r) {
  static const char *const names[] = {"kernel", "bandwidth", "peer"};
  return names[r];
}

static int db_error(sqlite3 *db, const char *what) {
  return tpc_error(TPC_ESTORE, "bench: %s: %s", what, sqlite3_errmsg(db));
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **s) {
  return sqlite3_prepare_v2(db, sql, -1, s, NULL) == SQLITE_OK ? TPC_OK
                                                                : db_error(db, "prepare");
}

/* Bind text, or NULL for an empty string. */
static int bind_text(sqlite3_stmt *s, int i, const char *v) {
  return v && *v ? sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
}

static int step_done(sqlite3 *db, sqlite3_stmt *s, const char *what) {
  int rc = sqlite3_step(s) == SQLITE_DONE ? TPC_OK : db_error(db, what);
  sqlite3_reset(s);
  return rc;
}

int tpc_bench_store_env(tpc_store *st, int64_t run_id, const tpc_bench_env *e,
                        const tpc_bench_opts *o, uint64_t seed, const char *peers,
                        size_t rounds, const char *instrument) {
  sqlite3 *db = tpc_store_db(st);
  sqlite3_stmt *s;
  int rc = prepare(db,
                   "INSERT INTO bench_env (run_id, cpu_model, cores, governor, turbo,"
                   " compiler, cflags, git_commit, git_dirty, threads, timer,"
                   " timer_overhead_ns, read_isa, kernel_override, samples,"
                   " target_sample_ns, ci_level, seed, peak_rss_kib, peers, rounds,"
                   " instrument) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   &s);
  if (rc) return rc;
  int b = SQLITE_OK;
  b |= sqlite3_bind_int64(s, 1, run_id);
  b |= bind_text(s, 2, e->cpu_model);
  b |= sqlite3_bind_int(s, 3, e->cores);
  b |= bind_text(s, 4, e->governor);
  b |= bind_text(s, 5, e->turbo);
  b |= bind_text(s, 6, e->compiler);
  b |= bind_text(s, 7, e->cflags);
  b |= bind_text(s, 8, e->git_commit);
  b |= sqlite3_bind_int(s, 9, e->git_dirty ? 1 : 0);
  b |= sqlite3_bind_int(s, 10, e->threads);
  b |= bind_text(s, 11, e->timer);
  b |= sqlite3_bind_double(s, 12, e->timer_overhead_ns);
  b |= bind_text(s, 13, e->read_isa);
  b |= bind_text(s, 14, e->kernel_override);
  b |= sqlite3_bind_int64(s, 15, (sqlite3_int64)o->samples);
  b |= sqlite3_bind_double(s, 16, o->target_ns);
  b |= sqlite3_bind_double(s, 17, o->level);
  b |= sqlite3_bind_int64(s, 18, (sqlite3_int64)seed);
  b |= sqlite3_bind_int64(s, 19, e->peak_rss_kib);
  b |= bind_text(s, 20, peers);
  b |= sqlite3_bind_int64(s, 21, (sqlite3_int64)rounds);
  b |= bind_text(s, 22, instrument);
  rc = b == SQLITE_OK ? step_done(db, s, "bench_env row") : db_error(db, "bind");
  sqlite3_finalize(s);
  return rc;
}

int tpc_bench_store_env_end(tpc_store *st, int64_t run_id, long peak_rss_kib,
                            const char *peers) {
  sqlite3 *db = tpc_store_db(st);
  sqlite3_stmt *s;
  int rc = prepare(db, "UPDATE bench_env SET peak_rss_kib = ?, peers = ? WHERE run_id = ?", &s);
  if (rc) return rc;
  int b = sqlite3_bind_int64(s, 1, peak_rss_kib) | bind_text(s, 2, peers) |
          sqlite3_bind_int64(s, 3, run_id);
  rc = b == SQLITE_OK ? step_done(db, s, "bench_env update") : db_error(db, "bind");
  sqlite3_finalize(s);
  return rc;
}

/* ---- one group ----------------------------------------------------------------- */

typedef struct group_stmts {
  sqlite3_stmt *cas, *sample, *bw, *round;
} group_stmts;

/* The bench_rounds rows of case `id`, and its samples with their rounds. */
static int store_rounds(sqlite3 *db, const group_stmts *g, int64_t run_id, int64_t id,
                        const tpc_bench_case *c) {
  /* a plain group run (rounds == 0) is one round */
  size_t nr = c->rounds ? c->rounds : 1;
  const size_t *end = c->rounds ? c->round_end : &c->nsamples;
  const size_t *iters = c->rounds ? c->round_iters : &c->iters;
  const double *floor = c->rounds ? c->round_floor : &c->floor_ns;
  int rc = TPC_OK;
  for (size_t r = 0, i = 0; r < nr && !rc; r++) {
    size_t start = i;
    for (; i < end[r] && !rc; i++) {
      int b = sqlite3_bind_int64(g->sample, 1, run_id) | sqlite3_bind_int64(g->sample, 2, id) |
              sqlite3_bind_int64(g->sample, 3, (sqlite3_int64)i) |
              sqlite3_bind_int64(g->sample, 4, (sqlite3_int64)c->seq[i]) |
              sqlite3_bind_double(g->sample, 5, c->ns[i]) |
              sqlite3_bind_int64(g->sample, 6, (sqlite3_int64)r);
      rc = b != SQLITE_OK ? db_error(db, "bind") : step_done(db, g->sample, "bench_samples row");
    }
    double *sorted = i > start ? malloc((i - start) * sizeof *sorted) : NULL;
    if (sorted) {
      memcpy(sorted, c->ns + start, (i - start) * sizeof *sorted);
      gsl_sort(sorted, 1, i - start);
    }
    int b = sqlite3_bind_int64(g->round, 1, run_id) | sqlite3_bind_int64(g->round, 2, id) |
            sqlite3_bind_int64(g->round, 3, (sqlite3_int64)r) |
            sqlite3_bind_int64(g->round, 4, (sqlite3_int64)iters[r]) |
            sqlite3_bind_int64(g->round, 5, (sqlite3_int64)(i - start)) |
            (sorted ? sqlite3_bind_double(g->round, 6, tpc_bench_median(sorted, i - start))
                    : sqlite3_bind_null(g->round, 6)) |
            (floor[r] > 0 ? sqlite3_bind_double(g->round, 7, floor[r])
                             : sqlite3_bind_null(g->round, 7));
    free(sorted);
    if (!rc && i > start && !sorted) rc = tpc_error(TPC_ENOMEM, "out of memory (round median)");
    if (!rc)
      rc = b != SQLITE_OK ? db_error(db, "bind") : step_done(db, g->round, "bench_rounds row");
  }
  return rc;
}

static int bind_case(sqlite3_stmt *s, int64_t run_id, int64_t grp, const tpc_bench_case *c) {
  const tpc_bench_summary *m = &c->sum;
  double moved = c->bytes_read + c->bytes_written;
  int b = SQLITE_OK, i = 1;
  b |= sqlite3_bind_int64(s, i++, run_id);
  b |= sqlite3_bind_int64(s, i++, grp);
  b |= sqlite3_bind_text(s, i++, role_name(c->role), -1, SQLITE_STATIC);
  b |= sqlite3_bind_text(s, i++, c->kernel, -1, SQLITE_TRANSIENT);
  b |= sqlite3_bind_text(s, i++, tpc_bench_dtype_name(c->dtype), -1, SQLITE_STATIC);
  b |= sqlite3_bind_int64(s, i++, (sqlite3_int64)c->d);
  b |= c->k ? sqlite3_bind_int64(s, i++, (sqlite3_int64)c->k) : sqlite3_bind_null(s, i++);
  b |= sqlite3_bind_text(s, i++, c->impl, -1, SQLITE_TRANSIENT);
  b |= bind_text(s, i++, c->spec);
  b |= bind_text(s, i++, c->note);
  b |= bind_text(s, i++, c->path);
  b |= sqlite3_bind_int(s, i++, c->restore != NULL || c->in_place);
  b |= sqlite3_bind_int64(s, i++, (sqlite3_int64)c->iters);
  b |= sqlite3_bind_int64(s, i++, (sqlite3_int64)c->nsamples);
  if (m->n) {
    const double v[] = {m->median, m->mad, m->ci_lo, m->ci_hi, m->ci_level, m->q1, m->q3};
    for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) b |= sqlite3_bind_double(s, i++, v[j]);
    b |= sqlite3_bind_int64(s, i++, (sqlite3_int64)m->outliers);
    b |= sqlite3_bind_double(s, i++, m->min);
    b |= sqlite3_bind_double(s, i++, m->max);
  } else {
    for (int j = 0; j < 10; j++) b |= sqlite3_bind_null(s, i++);
  }
  b |= sqlite3_bind_double(s, i++, c->bytes_read);
  b |= sqlite3_bind_double(s, i++, c->bytes_written);
  b |= m->n && m->median > 0 ? sqlite3_bind_double(s, i++, moved / m->median)
                             : sqlite3_bind_null(s, i++);
  b |= c->floor_ns > 0 ? sqlite3_bind_double(s, i++, c->floor_ns) : sqlite3_bind_null(s, i++);
  b |= c->ratio > 0 ? sqlite3_bind_double(s, i++, c->ratio) : sqlite3_bind_null(s, i++);
  b |= sqlite3_bind_int64(s, i++, (sqlite3_int64)(c->rounds ? c->rounds : 1));
  const double more[] = {c->round_lo, c->round_hi, c->ratio_lo, c->ratio_hi, c->round_cv,
                         c->instructions};
  for (size_t j = 0; j < sizeof more / sizeof more[0]; j++)
    b |= more[j] > 0 && isfinite(more[j]) ? sqlite3_bind_double(s, i++, more[j])
                                          : sqlite3_bind_null(s, i++);
  return b;
}

static int store_case(sqlite3 *db, const group_stmts *g, int64_t run_id, int64_t grp,
                      const tpc_bench_case *c, const double bw[TPC_BW_KINDS]) {
  if (bind_case(g->cas, run_id, grp, c) != SQLITE_OK) return db_error(db, "bind");
  int rc = step_done(db, g->cas, "bench_cases row");
  if (rc) return rc;
  int64_t id = sqlite3_last_insert_rowid(db);
  if ((rc = store_rounds(db, g, run_id, id, c))) return rc;
  if (c->role != TPC_BENCH_BANDWIDTH) return TPC_OK;
  for (int k = 0; k < TPC_BW_KINDS; k++) {
    if (strcmp(c->impl, tpc_bench_bw_name((tpc_bw_kind)k))) continue;
    double bytes = k == TPC_BW_WRITE ? c->bytes_written : c->bytes_read;
    int b = sqlite3_bind_int64(g->bw, 1, run_id) | sqlite3_bind_int64(g->bw, 2, id) |
            sqlite3_bind_int64(g->bw, 3, grp) |
            sqlite3_bind_text(g->bw, 4, tpc_bench_dtype_name(c->dtype), -1, SQLITE_STATIC) |
            sqlite3_bind_int64(g->bw, 5, (sqlite3_int64)c->d) |
            sqlite3_bind_text(g->bw, 6, c->impl, -1, SQLITE_TRANSIENT) |
            sqlite3_bind_int64(g->bw, 7, (sqlite3_int64)bytes) |
            (bw[k] > 0 ? sqlite3_bind_double(g->bw, 8, bw[k]) : sqlite3_bind_null(g->bw, 8));
    if (b != SQLITE_OK) return db_error(db, "bind");
    if ((rc = step_done(db, g->bw, "bench_bandwidth row"))) return rc;
  }
  return TPC_OK;
}

int tpc_bench_store_group(tpc_store *st, int64_t run_id, int64_t grp,
                          const tpc_bench_case *cases, size_t n,
                          const double bw[TPC_BW_KINDS]) {
  sqlite3 *db = tpc_store_db(st);
  group_stmts g = {0};
  int rc = prepare(db,
                   "INSERT INTO bench_cases (run_id, grp, role, kernel, dtype, d, k, impl,"
                   " spec, note, path, in_place, iters, nsamples, median_ns, mad_ns,"
                   " ci_lo_ns, ci_hi_ns, ci_level, q1_ns, q3_ns, outliers, min_ns, max_ns,"
                   " bytes_read, bytes_written, gbps, floor_ns, ratio, rounds, round_lo_ns,"
                   " round_hi_ns, ratio_lo, ratio_hi, round_cv, instructions)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                   "?,?,?,?,?,?,?)",
                   &g.cas);
  if (!rc)
    rc = prepare(db,
                 "INSERT INTO bench_samples (run_id, case_id, sample, seq, ns, round)"
                 " VALUES (?,?,?,?,?,?)",
                 &g.sample);
  if (!rc)
    rc = prepare(db,
                 "INSERT INTO bench_rounds (run_id, case_id, round, iters, nsamples,"
                 " median_ns, floor_ns) VALUES (?,?,?,?,?,?,?)",
                 &g.round);
  if (!rc)
    rc = prepare(db,
                 "INSERT INTO bench_bandwidth (run_id, case_id, grp, dtype, d, kind,"
                 " bytes, gbps) VALUES (?,?,?,?,?,?,?,?)",
                 &g.bw);
  if (!rc) rc = tpc_store_begin(st);
  if (!rc) {
    for (size_t i = 0; i < n && !rc; i++) rc = store_case(db, &g, run_id, grp, &cases[i], bw);
    if (rc) tpc_store_rollback(st);
    else rc = tpc_store_commit(st);
  }
  sqlite3_finalize(g.cas);
  sqlite3_finalize(g.sample);
  sqlite3_finalize(g.bw);
  sqlite3_finalize(g.round);
  return rc;
}

/* ---- reading a run back ------------------------------------------------------------ */

/* The id of the newest bench run but `back`, or 0 when there is none. */
static int nth_last_run(sqlite3 *db, int64_t back, int64_t *id) {
  sqlite3_stmt *s;
  int rc = prepare(db,
                   "SELECT id FROM runs WHERE command = 'bench' AND id IN"
                   " (SELECT run_id FROM bench_cases) ORDER BY id DESC LIMIT 1 OFFSET ?",
                   &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, back);
  int r = sqlite3_step(s);
  *id = r == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  rc = r == SQLITE_ROW || r == SQLITE_DONE ? TPC_OK : db_error(db, "runs");
  sqlite3_finalize(s);
  return rc;
}

static int count_cases(sqlite3 *db, int64_t run_id, int64_t *n) {
  sqlite3_stmt *s;
  int rc = prepare(db,
                   "SELECT count(*) FROM bench_cases c JOIN runs r ON r.id = c.run_id"
                   " WHERE c.run_id = ? AND r.command = 'bench'",
                   &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, run_id);
  rc = sqlite3_step(s) == SQLITE_ROW ? TPC_OK : db_error(db, "bench_cases");
  *n = rc ? 0 : sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return rc;
}

int tpc_bench_resolve_run(tpc_store *st, const char *text, int64_t *id) {
  sqlite3 *db = tpc_store_db(st);
  char *end;
  int64_t back = -1;
  if (!strcmp(text, "last")) back = 0;
  else if (!strncmp(text, "last~", 5) && text[5] >= '0' && text[5] <= '9') {
    errno = 0;
    long long v = strtoll(text + 5, &end, 10);
    if (!errno && !*end) back = v;
  }
  if (back >= 0) {
    int rc = nth_last_run(db, back, id);
    if (rc) return rc;
    if (*id == 0) return tpc_error(TPC_EINPUT, "'%s': there is no such bench run", text);
    return TPC_OK;
  }
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || end == text || *end || v <= 0)
    return tpc_error(TPC_EINPUT, "'%s' is not a run id (a number, last or last~N)", text);
  int64_t n;
  int rc = count_cases(db, v, &n);
  if (rc) return rc;
  if (n == 0) return tpc_error(TPC_EINPUT, "run %lld is not a bench run with results", v);
  *id = v;
  return TPC_OK;
}

static void copy_col(char *dst, size_t size, sqlite3_stmt *s, int col) {
  const unsigned char *t = sqlite3_column_text(s, col);
  snprintf(dst, size, "%s", t ? (const char *)t : "");
}

static int load_env(sqlite3 *db, tpc_bench_rows *out) {
  sqlite3_stmt *s;
  int rc = prepare(db,
                   "SELECT r.cpu_model, r.git_commit, r.git_dirty, r.seed, r.compiler,"
                   " e.instrument FROM runs r LEFT JOIN bench_env e ON e.run_id = r.id"
                   " WHERE r.id = ?",
                   &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, out->run_id);
  if (sqlite3_step(s) == SQLITE_ROW) {
    copy_col(out->cpu_model, sizeof out->cpu_model, s, 0);
    copy_col(out->git_commit, sizeof out->git_commit, s, 1);
    out->git_dirty = sqlite3_column_int(s, 2);
    out->seed = sqlite3_column_int64(s, 3);
    copy_col(out->compiler, sizeof out->compiler, s, 4);
    copy_col(out->instrument, sizeof out->instrument, s, 5);
  }
  sqlite3_finalize(s);
  return TPC_OK;
}

/* Grow a row's sample array to hold one more; TPC_ENOMEM. */
static int grow_samples(tpc_bench_row *row, size_t *cap) {
  if (row->n < *cap) return TPC_OK;
  *cap = *cap ? 2 * *cap : 32;
  double *p = realloc(row->ns, *cap * sizeof *p);
  size_t *e = realloc(row->end, *cap * sizeof *e);
  if (p) row->ns = p;
  if (e) row->end = e;
  return p && e ? TPC_OK : tpc_error(TPC_ENOMEM, "out of memory (samples)");
}

/* Samples of case `id` into row->ns, and where each round ends (a NULL
** round, from before rounds, is round 0: one round). */
static int load_samples(sqlite3 *db, sqlite3_stmt *s, int64_t id, tpc_bench_row *row) {
  sqlite3_bind_int64(s, 1, id);
  size_t cap = 0;
  int64_t last = -1;
  int r, rc = TPC_OK;
  while (!rc && (r = sqlite3_step(s)) == SQLITE_ROW) {
    if ((rc = grow_samples(row, &cap))) break;
    int64_t round = sqlite3_column_int64(s, 1);
    if (round != last) row->rounds++;
    last = round;
    row->ns[row->n++] = sqlite3_column_double(s, 0);
    row->end[row->rounds - 1] = row->n;
  }
  sqlite3_reset(s);
  return rc ? rc : r == SQLITE_DONE ? TPC_OK : db_error(db, "bench_samples");
}

/* Each round's floor from bench_rounds; the case's floor for a run stored
** before rounds. */
static int load_floors(sqlite3 *db, sqlite3_stmt *s, int64_t id, tpc_bench_row *row) {
  row->floor = calloc(row->rounds + 1, sizeof *row->floor);
  if (!row->floor) return tpc_error(TPC_ENOMEM, "out of memory (floors)");
  row->floor[0] = row->floor_ns;
  sqlite3_bind_int64(s, 1, id);
  int r;
  size_t i = 0;
  while ((r = sqlite3_step(s)) == SQLITE_ROW && i < row->rounds)
    row->floor[i++] = sqlite3_column_double(s, 0);
  sqlite3_reset(s);
  return r == SQLITE_DONE || r == SQLITE_ROW ? TPC_OK : db_error(db, "bench_rounds");
}

int tpc_bench_row_rounds(const tpc_bench_row *row, int by_floor, tpc_bench_rounds *out) {
  *out = (tpc_bench_rounds){row->ns, row->end, by_floor ? row->floor : NULL, row->rounds};
  for (size_t r = 0; by_floor && r < row->rounds; r++)
    if (!(row->floor[r] > 0)) return 0;
  return row->rounds > 0;
}

int tpc_bench_load(tpc_store *st, int64_t run_id, tpc_bench_rows *out) {
  sqlite3 *db = tpc_store_db(st);
  memset(out, 0, sizeof *out);
  out->run_id = run_id;
  int64_t n;
  int rc = count_cases(db, run_id, &n);
  if (rc) return rc;
  if (n == 0) return tpc_error(TPC_EINPUT, "run %" PRId64 " is not a bench run with results", run_id);
  if ((rc = load_env(db, out))) return rc;
  out->row = calloc((size_t)n, sizeof *out->row);
  if (!out->row) return tpc_error(TPC_ENOMEM, "out of memory (%" PRId64 " cases)", n);
  sqlite3_stmt *c = NULL, *smp = NULL, *fl = NULL;
  rc = prepare(db,
               "SELECT id, role, kernel, dtype, d, k, impl, median_ns, ci_lo_ns, ci_hi_ns,"
               " floor_ns, path, instructions FROM bench_cases WHERE run_id = ? ORDER BY id",
               &c);
  if (!rc)
    rc = prepare(db, "SELECT ns, round FROM bench_samples WHERE case_id = ? ORDER BY sample",
                 &smp);
  if (!rc)
    rc = prepare(db, "SELECT floor_ns FROM bench_rounds WHERE case_id = ? ORDER BY round", &fl);
  if (!rc) sqlite3_bind_int64(c, 1, run_id);
  while (!rc && out->n < (size_t)n && sqlite3_step(c) == SQLITE_ROW) {
    tpc_bench_row *w = &out->row[out->n++];
    copy_col(w->role, sizeof w->role, c, 1);
    copy_col(w->kernel, sizeof w->kernel, c, 2);
    copy_col(w->dtype, sizeof w->dtype, c, 3);
    w->d = sqlite3_column_int64(c, 4);
    w->k = sqlite3_column_int64(c, 5); /* NULL reads 0 */
    copy_col(w->impl, sizeof w->impl, c, 6);
    w->median_ns = sqlite3_column_double(c, 7);
    w->ci_lo_ns = sqlite3_column_double(c, 8);
    w->ci_hi_ns = sqlite3_column_double(c, 9);
    w->floor_ns = sqlite3_column_double(c, 10);
    copy_col(w->path, sizeof w->path, c, 11);
    w->instructions = sqlite3_column_double(c, 12); /* NULL reads 0 */
    w->seed = out->seed;
    rc = load_samples(db, smp, sqlite3_column_int64(c, 0), w);
    if (!rc) rc = load_floors(db, fl, sqlite3_column_int64(c, 0), w);
  }
  sqlite3_finalize(c);
  sqlite3_finalize(smp);
  sqlite3_finalize(fl);
  if (rc) tpc_bench_rows_free(out);
  return rc;
}

void tpc_bench_rows_free(tpc_bench_rows *r) {
  for (size_t i = 0; r->row && i < r->n; i++) {
    free(r->row[i].ns);
    free(r->row[i].end);
    free(r->row[i].floor);
  }
  free(r->row);
  r->row = NULL;
  r->n = 0;
}
