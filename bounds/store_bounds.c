/*
** Storing a check of tpc bounds: one bounds_specs row, its bounds_points and
** bounds_frontier rows, in one transaction (db/002_bounds.sql; columns in
** db/README.md).  Non-finite values are stored as SQLite's Inf (a frontier
** that no B covers, the loose factor of a compressor whose output is its
** input) or NULL (NaN).  For --resume: a run's settings, and which of its
** specs it has stored.
*/
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds/bounds.h"
#include "core/error.h"
#include "store/store.h"

static const char *const sql_spec =
    "INSERT INTO bounds_specs (run_id, position, spec, kind, check_kind, d, n, trials, draws,"
    " families, search_budget, confidence, deterministic, declared_alpha, declared_omega,"
    " declared_A, declared_B, declared_c, sup_ratio, sup_ratio_ucb, alpha_hat, omega_hat,"
    " worst_ratio, worst_ratio_lcb, worst_ratio_ucb, worst_family, worst_index, frontier_A,"
    " frontier_B, frontier_BA, frontier_BA_lcb, B_at_declared_A, step_factor,"
    " declared_step_factor, step_gain, step_gain_max,"
    " unbiased_tests, unbiased_rejected, unbiased_p, bits_mean, bits_max, dense_bits,"
    " no_compression, loose, loose_factor, points, evaluations, verdict, reason, seconds,"
    " dtype, identity_output)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
    "?,?,?,?,?,?,?,?,?,?,?,?)";

static const char *const sql_point =
    "INSERT INTO bounds_points (run_id, spec_id, family, idx, confirm, client, draws,"
    " scale_log2, e, e_lcb, e_ucb, u, v, w, s2, rhs, ratio, ratio_lcb, ratio_ucb, bits)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static const char *const sql_front =
    "INSERT INTO bounds_frontier (run_id, spec_id, A, B, B_lcb, B_ucb, declared)"
    " VALUES (?,?,?,?,?,?,?)";

/* A statement under construction: the next column and the first error. */
typedef struct binder {
  sqlite3_stmt *s;
  int col, rc;
} binder;

static void b_real(binder *b, double v) {
  int rc = isnan(v) ? sqlite3_bind_null(b->s, ++b->col) : sqlite3_bind_double(b->s, ++b->col, v);
  if (b->rc == SQLITE_OK) b->rc = rc;
}

/* A value that is meaningful only when `has` (else NULL). */
static void b_opt(binder *b, int has, double v) { b_real(b, has ? v : NAN); }

static void b_int(binder *b, int64_t v) {
  int rc = sqlite3_bind_int64(b->s, ++b->col, v);
  if (b->rc == SQLITE_OK) b->rc = rc;
}

static void b_text(binder *b, const char *v) {
  int rc = sqlite3_bind_text(b->s, ++b->col, v, -1, SQLITE_TRANSIENT);
  if (b->rc == SQLITE_OK) b->rc = rc;
}

static int b_step(binder *b, sqlite3 *db, const char *what) {
  if (b->rc == SQLITE_OK) {
    b->rc = sqlite3_step(b->s);
    if (b->rc == SQLITE_DONE) b->rc = SQLITE_OK;
  }
  sqlite3_reset(b->s);
  sqlite3_clear_bindings(b->s);
  b->col = 0;
  if (b->rc != SQLITE_OK)
    return tpc_error(TPC_ESTORE, "storing %s: %s", what, sqlite3_errmsg(db));
  return TPC_OK;
}

/* The families of the mask, comma-separated. */
static void family_list(unsigned mask, char *buf, size_t size) {
  size_t n = 0;
  buf[0] = '\0';
  for (int f = 0; f < TPC_FAM_SEARCH; f++)
    if (mask & (1u << f))
      n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? "," : "",
                            tpc_bounds_family_name(f));
}

static int insert_spec(sqlite3 *db, binder *b, int64_t run_id, int position, const char *spec,
                       const tpc_bounds_opts *o, const tpc_bounds_result *res) {
  const tpc_bounds_summary *s = &res->sum;
  int comp = s->check <= TPC_CHECK_BOTH, ok = s->verdict != TPC_VERDICT_ERROR;
  int contr = s->check == TPC_CHECK_ALPHA || s->check == TPC_CHECK_BOTH;
  int unb = s->check == TPC_CHECK_OMEGA || s->check == TPC_CHECK_BOTH;
  char fams[160];
  family_list(o->families, fams, sizeof fams);
  b_int(b, run_id);
  b_int(b, position);
  b_text(b, spec);
  b_text(b, comp ? "compressor" : "mechanism");
  b_text(b, tpc_bounds_check_name(s->check));
  b_int(b, (int64_t)o->d);
  b_int(b, (int64_t)o->n);
  b_int(b, (int64_t)o->trials);
  b_int(b, (int64_t)o->draws);
  b_text(b, fams);
  b_int(b, (int64_t)o->search_budget);
  b_real(b, o->confidence);
  b_int(b, s->deterministic != 0);
  b_opt(b, contr, s->alpha);
  b_opt(b, unb, s->omega);
  b_opt(b, s->has_AB, s->A);
  b_opt(b, s->has_AB, s->B);
  b_opt(b, s->check == TPC_CHECK_SHIFT, s->c);
  b_opt(b, comp && ok, s->sup);
  b_opt(b, comp && ok, s->sup_ucb);
  b_opt(b, comp && ok, 1.0 - s->sup);
  b_opt(b, unb && ok, s->sup);
  b_opt(b, ok, s->worst_ratio);
  b_opt(b, ok, s->worst_ratio_lcb);
  b_opt(b, ok, s->worst_ratio_ucb);
  if (ok) b_text(b, tpc_bounds_family_name(s->worst_family)); else b_opt(b, 0, 0);
  if (ok) b_int(b, s->worst_index); else b_opt(b, 0, 0);
  int fr = ok && s->has_AB;
  b_opt(b, fr, s->front_A);
  b_opt(b, fr, s->front_B);
  b_opt(b, fr, s->front_BA);
  b_opt(b, fr, s->front_BA_lcb);
  b_opt(b, fr, s->B_at_A);
  b_opt(b, fr, s->step_emp);
  b_opt(b, fr, s->step_decl);
  b_opt(b, fr, s->step_gain);
  b_opt(b, fr, s->step_gain_max);
  b_int(b, s->unb_tests);
  b_int(b, s->unb_rejected);
  b_opt(b, s->unb_tests > 0, s->unb_p);
  b_opt(b, ok, s->bits_mean);
  b_opt(b, ok, s->bits_max);
  b_opt(b, ok, s->dense_bits);
  b_int(b, s->no_compression != 0);
  b_int(b, s->loose != 0);
  b_opt(b, s->loose, s->loose_factor);
  b_int(b, s->npoints);
  b_real(b, s->evaluations);
  b_text(b, tpc_bounds_verdict_name(s->verdict));
  b_text(b, s->reason);
  b_real(b, s->seconds);
  b_text(b, o->dtype == TPC_F32 ? "f32" : "f64");
  b_int(b, s->identity_output != 0);
  return b_step(b, db, "a bounds_specs row");
}

static int insert_points(sqlite3 *db, binder *b, int64_t run_id, int64_t spec_id,
                         const tpc_bounds_result *res) {
  int status = TPC_OK;
  for (size_t i = 0; i < res->npoints && status == TPC_OK; i++) {
    const tpc_bounds_point *p = &res->points[i];
    b_int(b, run_id);
    b_int(b, spec_id);
    b_text(b, tpc_bounds_family_name(p->family));
    b_int(b, p->index);
    b_int(b, p->confirm);
    b_opt(b, p->client >= 0, p->client);
    b_int(b, p->draws);
    b_int(b, p->scale_log2);
    double v[12] = {p->e,   p->e_lcb, p->e_ucb, p->u,         p->v,         p->w,
                    p->s2,  p->rhs,   p->ratio, p->ratio_lcb, p->ratio_ucb, p->bits};
    for (int k = 0; k < 12; k++) b_real(b, v[k]);
    status = b_step(b, db, "a bounds_points row");
  }
  return status;
}

static int insert_front(sqlite3 *db, binder *b, int64_t run_id, int64_t spec_id,
                        const tpc_bounds_result *res) {
  int status = TPC_OK;
  for (size_t i = 0; i < res->nfront && status == TPC_OK; i++) {
    const tpc_bounds_fpoint *f = &res->front[i];
    b_int(b, run_id);
    b_int(b, spec_id);
    b_real(b, f->A);
    b_real(b, f->B);
    b_real(b, f->B_lcb);
    b_real(b, f->B_ucb);
    b_int(b, i + 1 == res->nfront); /* the last point is at the declared A */
    status = b_step(b, db, "a bounds_frontier row");
  }
  return status;
}

static int prepare(sqlite3 *db, const char *sql, binder *b) {
  memset(b, 0, sizeof *b);
  if (sqlite3_prepare_v2(db, sql, -1, &b->s, NULL) != SQLITE_OK)
    return tpc_error(TPC_ESTORE, "preparing a bounds statement: %s", sqlite3_errmsg(db));
  return TPC_OK;
}

int tpc_bounds_store(struct tpc_store *st, int64_t run_id, int position, const char *spec,
                     const tpc_bounds_opts *o, const tpc_bounds_result *res) {
  sqlite3 *db = tpc_store_db(st);
  binder bs, bp, bf;
  memset(&bp, 0, sizeof bp);
  memset(&bf, 0, sizeof bf);
  int status = prepare(db, sql_spec, &bs);
  if (status == TPC_OK) status = prepare(db, sql_point, &bp);
  if (status == TPC_OK) status = prepare(db, sql_front, &bf);
  if (status == TPC_OK) status = tpc_store_begin(st);
  if (status == TPC_OK) {
    status = insert_spec(db, &bs, run_id, position, spec, o, res);
    int64_t spec_id = sqlite3_last_insert_rowid(db);
    if (status == TPC_OK) status = insert_points(db, &bp, run_id, spec_id, res);
    if (status == TPC_OK) status = insert_front(db, &bf, run_id, spec_id, res);
    if (status == TPC_OK) status = tpc_store_commit(st);
    else tpc_store_rollback(st);
  }
  sqlite3_finalize(bs.s);
  sqlite3_finalize(bp.s);
  sqlite3_finalize(bf.s);
  return status;
}

char *tpc_bounds_settings(const tpc_bounds_opts *o, char *const *specs, size_t n) {
  char *text = NULL, fams[160];
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f) return NULL;
  family_list(o->families, fams, sizeof fams);
  fprintf(f,
          "d=%zu\nn=%zu\ntrials=%zu\ndraws=%zu\nfamilies=%s\nsearch-budget=%zu\n"
          "confidence=%.17g\ndtype=%s\nseed=%" PRIu64 "\nspecs=%zu\n",
          o->d, o->n, o->trials, o->draws, fams, o->search_budget, o->confidence,
          o->dtype == TPC_F32 ? "f32" : "f64", o->seed, n);
  for (size_t i = 0; i < n; i++) fprintf(f, "spec %zu=%s\n", i + 1, specs[i]);
  if (fclose(f) != 0) {
    free(text);
    return NULL;
  }
  return text;
}

static int verdict_of(const char *name) {
  for (int v = TPC_VERDICT_PASS; v <= TPC_VERDICT_ERROR; v++)
    if (name && !strcmp(name, tpc_bounds_verdict_name(v))) return v;
  return TPC_VERDICT_ERROR; /* the CHECK constraint allows no other name */
}

int tpc_bounds_stored(struct tpc_store *st, int64_t run_id, size_t n, int *verdicts) {
  sqlite3 *db = tpc_store_db(st);
  sqlite3_stmt *q;
  for (size_t i = 0; i < n; i++) verdicts[i] = -1;
  if (sqlite3_prepare_v2(db, "SELECT position, verdict FROM bounds_specs WHERE run_id = ?1",
                         -1, &q, NULL) != SQLITE_OK)
    return tpc_error(TPC_ESTORE, "reading the stored specs: %s", sqlite3_errmsg(db));
  sqlite3_bind_int64(q, 1, run_id);
  int step, rc = TPC_OK;
  while (rc == TPC_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
    int64_t pos = sqlite3_column_int64(q, 0);
    if (pos < 0 || (uint64_t)pos >= n)
      rc = tpc_error(TPC_EINPUT, "run %" PRId64 " stored a spec at position %" PRId64
                     ", not one of its %zu", run_id, pos, n);
    else verdicts[pos] = verdict_of((const char *)sqlite3_column_text(q, 1));
  }
  if (rc == TPC_OK && step != SQLITE_DONE)
    rc = tpc_error(TPC_ESTORE, "reading the stored specs: %s", sqlite3_errmsg(db));
  sqlite3_finalize(q);
  return rc;
}
