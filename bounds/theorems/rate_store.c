/*
** The rows of a rate check (db/003_rate.sql, db/010_theorem.sql,
** db/011_theorems.sql and db/012_bidir.sql, documented in db/README.md):
** the check, one trajectory per Algorithm 1 run, and the recorded points,
** inserted with prepared statements in one transaction.  For --resume: a
** run's settings, and which of its checks it has stored.
*/
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds/theorems/rate.h"
#include "core/error.h"
#include "store/store.h"

static const char *const check_sql =
    "INSERT INTO rate_checks (run_id, experiment, label, problem, method, server, d, n,"
    " Lminus, Lminus_kind, Lplus, Lplus_kind, Lpm, Lpm_kind, mu, mu_kind, finf, finf_kind,"
    " ineq, A, B, deterministic, check_kind, x0, init, T, reps, eps, bits_budget,"
    " gamma_theory, mult, gamma, delta0, G0, bound, measured, ucb, ratio, confidence,"
    " verdict, note, slack, theorem, Lmax, Lmax_kind, musc, musc_kind, omega, alpha, beta, p,"
    " A_s, B_s)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
    "?,?,?,?,?,?,?,?,?,?,?,?,?)";

static const char *const traj_sql =
    "INSERT INTO rate_trajectories (check_id, role, rep, mult, gamma, stop, iters,"
    " record_every, sum_gnorm2, converged, seconds) VALUES (?,?,?,?,?,?,?,?,?,?,?)";

static const char *const point_sql =
    "INSERT INTO rate_points (trajectory_id, t, f, gnorm2, G, bits_up, bits_up_paper,"
    " bits_down, bits_down_paper, f_x, gnorm2_x, dist2, f_avg, H, wx2, measure, bound)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static int db_fail(sqlite3 *db, const char *what) {
  return tpc_error(TPC_ESTORE, "rate: %s: %s", what, sqlite3_errmsg(db));
}

static void bind_text(sqlite3_stmt *s, int i, const char *v) {
  if (v)
    sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(s, i);
}

static const char *kind_name(tpc_const_kind k) {
  return k == TPC_CONST_EXACT      ? "exact"
         : k == TPC_CONST_BOUND    ? "bound"
         : k == TPC_CONST_COMPUTED ? "computed"
                                   : "unknown";
}

static const char *ineq_name(tpc_ineq q) {
  return q == TPC_INEQ_3PC ? "3pc" : q == TPC_INEQ_AGGREGATE ? "aggregate" : "shift";
}

static void bind_const(sqlite3_stmt *s, int i, tpc_const c) {
  if (c.kind == TPC_CONST_UNKNOWN)
    sqlite3_bind_null(s, i);
  else
    tpc_store_bind_real(s, i, c.value);
  bind_text(s, i + 1, kind_name(c.kind));
}

static void bind_check(sqlite3_stmt *s, const tpc_rate_row *row, const tpc_problem *p,
                       const tpc_rate_opts *o, const tpc_rate_check *c) {
  int i = 1;
  sqlite3_bind_int64(s, i++, row->run_id);
  bind_text(s, i++, row->experiment);
  bind_text(s, i++, row->label);
  bind_text(s, i++, row->problem);
  bind_text(s, i++, row->method);
  bind_text(s, i++, row->server);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)p->d);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)p->n);
  bind_const(s, i, p->c.Lminus);
  bind_const(s, i + 2, p->c.Lplus);
  bind_const(s, i + 4, p->c.Lpm);
  bind_const(s, i + 6, p->c.mu);
  bind_const(s, i + 8, p->c.finf);
  i += 10;
  bind_text(s, i++, ineq_name(c->mc.ineq));
  tpc_store_bind_real(s, i++, c->mc.has_AB ? c->mc.A : NAN);
  tpc_store_bind_real(s, i++, c->mc.has_AB ? c->mc.B : NAN);
  sqlite3_bind_int(s, i++, c->mc.deterministic != 0);
  bind_text(s, i++, tpc_rate_check_kind(c));
  bind_text(s, i++, tpc_rate_x0_name(o->x0));
  bind_text(s, i++, tpc_rate_init_name(o->init));
  sqlite3_bind_int64(s, i++, (sqlite3_int64)o->T);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)c->reps);
  tpc_store_bind_real(s, i++, o->eps > 0 ? o->eps : NAN);
  if (o->bits_budget)
    sqlite3_bind_int64(s, i++, (sqlite3_int64)o->bits_budget);
  else
    sqlite3_bind_null(s, i++);
  tpc_store_bind_real(s, i++, c->gamma_theory);
  tpc_store_bind_real(s, i++, c->mult);
  tpc_store_bind_real(s, i++, c->gamma);
  tpc_store_bind_real(s, i++, c->delta0);
  tpc_store_bind_real(s, i++, c->G0);
  tpc_store_bind_real(s, i++, c->bound);
  tpc_store_bind_real(s, i++, c->measured);
  tpc_store_bind_real(s, i++, c->ucb);
  tpc_store_bind_real(s, i++, c->ratio);
  tpc_store_bind_real(s, i++, c->mc.deterministic || c->verdict == TPC_RATE_NA ? NAN : 1 - o->delta);
  bind_text(s, i++, tpc_rate_verdict_name(c->verdict));
  bind_text(s, i++, c->note[0] ? c->note : NULL);
  if (c->slack >= 0)
    sqlite3_bind_int(s, i++, c->slack);
  else
    sqlite3_bind_null(s, i++);
  bind_text(s, i++, tpc_rate_check_theorem(c));
  bind_const(s, i, p->c.Lmax);
  bind_const(s, i + 2, p->c.musc);
  i += 4;
  tpc_store_bind_real(s, i++, c->mi.omega);
  tpc_store_bind_real(s, i++, c->mi.alpha);
  tpc_store_bind_real(s, i++, c->mi.beta);
  tpc_store_bind_real(s, i++, c->mi.p);
  tpc_store_bind_real(s, i++, c->mi.As);
  tpc_store_bind_real(s, i, c->mi.Bs);
}

static int step(sqlite3 *db, sqlite3_stmt *s, const char *what) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return rc == SQLITE_DONE ? TPC_OK : db_fail(db, what);
}

typedef struct traj_info {
  const char *role;
  size_t rep;
  double mult, gamma;
  uint64_t record_every;
  const tpc_theorem *thm;      /* the theorem checked on it (its curve), or NULL */
  const tpc_theorem_env *env;
} traj_info;

/* The checked theorem's measured quantity and bound at point k of run r
** (NaN where the theorem draws none): a one-step theorem's sides at x^t
** (lhs) and x^{t-1} (rhs), otherwise M(x^t) and the bound at t.  For a
** minimum over t, M at t is min_{s<t} of measured_at, carried in *low
** (the minimum over the points before k) as the points go by. */
static void curve_at(const traj_info *ti, const tpc_alg1_result *r, size_t k, double *low,
                     double *m, double *b) {
  const tpc_theorem *t = ti->thm;
  tpc_theorem_run run = {ti->env, ti->gamma, r};
  const tpc_alg1_point *pt = &r->points[k];
  double at = (double)pt->t;
  *m = *b = NAN;
  if (!t) return;
  if (t->measure == TPC_THEOREM_ONE_STEP) {
    if (k == 0 || r->points[k - 1].t + 1 != pt->t) return;
    *m = t->step_lhs(&run, pt);
    *b = t->step_rhs(&run, &r->points[k - 1]);
    return;
  }
  if (!t->measured_at) return;
  double here = t->measured_at(&run, pt);
  if (t->measure == TPC_THEOREM_MIN_GNORM2) {
    *m = *low;
    *low = fmin(*low, here);
  } else {
    *m = here;
  }
  if (pt->t == 0) *m = NAN;
  else *b = t->bound_main(&run, at) + t->bound_start(&run, at);
}

static void bind_count(sqlite3_stmt *s, int i, uint64_t v) {
  sqlite3_bind_int64(s, i, (sqlite3_int64)v);
}

static int store_points(sqlite3 *db, sqlite3_stmt *ps, int64_t tid, const traj_info *ti,
                        const tpc_alg1_result *r) {
  double low = INFINITY;
  for (size_t k = 0; k < r->npoints; k++) {
    const tpc_alg1_point *pt = &r->points[k];
    double m, b;
    curve_at(ti, r, k, &low, &m, &b);
    sqlite3_bind_int64(ps, 1, tid);
    sqlite3_bind_int64(ps, 2, (sqlite3_int64)pt->t);
    tpc_store_bind_real(ps, 3, pt->f);
    tpc_store_bind_real(ps, 4, pt->gnorm2);
    tpc_store_bind_real(ps, 5, pt->G);
    bind_count(ps, 6, pt->bits_up);
    bind_count(ps, 7, pt->bits_up_paper);
    bind_count(ps, 8, pt->bits_down);
    bind_count(ps, 9, pt->bits_down_paper);
    const double obs[] = {pt->f_x, pt->gnorm2_x, pt->dist2, pt->f_avg, pt->H, pt->wx2, m, b};
    for (int j = 0; j < 8; j++) tpc_store_bind_real(ps, 10 + j, obs[j]);
    int rc = step(db, ps, "inserting a point");
    if (rc) return rc;
  }
  return TPC_OK;
}

static int store_traj(sqlite3 *db, sqlite3_stmt *ts, sqlite3_stmt *ps, int64_t check_id,
                      const traj_info *ti, const tpc_alg1_result *r, int64_t *tid) {
  sqlite3_bind_int64(ts, 1, check_id);
  bind_text(ts, 2, ti->role);
  sqlite3_bind_int64(ts, 3, (sqlite3_int64)ti->rep);
  tpc_store_bind_real(ts, 4, ti->mult);
  tpc_store_bind_real(ts, 5, ti->gamma);
  bind_text(ts, 6, tpc_alg1_stop_name(r->stop));
  sqlite3_bind_int64(ts, 7, (sqlite3_int64)r->iters);
  sqlite3_bind_int64(ts, 8, (sqlite3_int64)ti->record_every);
  tpc_store_bind_real(ts, 9, r->sum_gnorm2);
  sqlite3_bind_int(ts, 10, r->stop != TPC_ALG1_STOP_DIVERGED &&
                               r->stop != TPC_ALG1_STOP_CANCELLED &&
                               isfinite(r->last.gnorm2) &&
                               (r->last.gnorm2 < r->first.gnorm2 ||
                                r->stop == TPC_ALG1_STOP_EPS || r->stop == TPC_ALG1_STOP_F));
  tpc_store_bind_real(ts, 11, r->seconds);
  int rc = step(db, ts, "inserting a trajectory");
  if (rc) return rc;
  *tid = sqlite3_last_insert_rowid(db);
  return store_points(db, ps, *tid, ti, r);
}

/* Spacing of the recorded points: the step between the first two. */
static uint64_t spacing(const tpc_alg1_result *r) {
  return r->npoints > 2 ? r->points[1].t - r->points[0].t : 1;
}

static int store_all(sqlite3 *db, sqlite3_stmt *st[3], const tpc_rate_row *row,
                     const tpc_problem *p, const tpc_rate_opts *o, const tpc_rate_check *c,
                     tpc_rate_ids *ids) {
  bind_check(st[0], row, p, o, c);
  int rc = step(db, st[0], "inserting a check");
  if (rc) return rc;
  int64_t cid = sqlite3_last_insert_rowid(db), tid;
  tpc_theorem_env env;
  tpc_theorem_env_fill(&env, p, &c->mc, &c->mi);
  ids->check_id = cid;
  for (size_t r = 0; r < c->reps && !rc; r++) {
    traj_info ti = {"rep", r, c->mult, c->gamma, spacing(&c->runs[r]),
                    c->verdict == TPC_RATE_NA ? NULL : c->thm, &env};
    rc = store_traj(db, st[1], st[2], cid, &ti, &c->runs[r], &tid);
    if (r == 0) ids->traj0_id = tid;
  }
  for (size_t k = 0; k < c->nslack && !rc; k++) {
    double m = ldexp(1.0, (int)k);
    traj_info ti = {"slack", 0, m, m * c->gamma_theory, spacing(&c->slack_runs[k]), NULL, NULL};
    rc = store_traj(db, st[1], st[2], cid, &ti, &c->slack_runs[k], &tid);
  }
  return rc;
}

int tpc_rate_store(tpc_store *store, const tpc_rate_row *row, const tpc_problem *p,
                   const tpc_rate_opts *o, const tpc_rate_check *c, tpc_rate_ids *ids) {
  const char *sql[3] = {check_sql, traj_sql, point_sql};
  sqlite3_stmt *st[3] = {NULL, NULL, NULL};
  sqlite3 *db = tpc_store_db(store);
  tpc_rate_ids dummy;
  int rc = tpc_store_begin(store);
  if (rc) return rc;
  for (int k = 0; k < 3 && !rc; k++)
    if (sqlite3_prepare_v2(db, sql[k], -1, &st[k], NULL) != SQLITE_OK)
      rc = db_fail(db, "preparing an insert");
  if (!rc) rc = store_all(db, st, row, p, o, c, ids ? ids : &dummy);
  for (int k = 0; k < 3; k++) sqlite3_finalize(st[k]);
  if (!rc) rc = tpc_store_commit(store);
  if (rc) tpc_store_rollback(store);
  return rc;
}

char *tpc_rate_settings(const char *problem, const char *server, const char *theorems,
                        const tpc_rate_opts *o, const char *const *methods,
                        const char *const *theorem_ids, size_t n) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f) return NULL;
  fprintf(f,
          "problem=%s\nserver=%s\ntheorems=%s\nT=%" PRIu64 "\nreps=%zu\nmult=%.17g\n"
          "gamma=%.17g\neps=%.17g\nbits-budget=%" PRIu64 "\nx0=%s\ninit=%s\nslack=%d\n"
          "wire-check=%d\ndiverge=%.17g\npoints=%" PRIu64 "\nseed=%" PRIu64 "\nunits=%zu\n",
          problem, server ? server : "", theorems, o->T, o->reps, o->mult, o->gamma, o->eps,
          o->bits_budget, tpc_rate_x0_name(o->x0), tpc_rate_init_name(o->init), o->slack,
          o->wire_check, o->diverge, o->max_points, o->seed, n);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "unit %zu=%s %s\n", i + 1, methods[i], theorem_ids[i] ? theorem_ids[i] : "none");
  if (fclose(f) != 0) {
    free(text);
    return NULL;
  }
  return text;
}

static int verdict_of(const char *name) {
  for (int v = TPC_RATE_PASS; v <= TPC_RATE_NA; v++)
    if (name && !strcmp(name, tpc_rate_verdict_name((tpc_rate_verdict)v))) return v;
  return TPC_RATE_NA; /* the CHECK constraint allows no other name */
}

static int same_text(const char *a, const char *b) {
  return a && b ? !strcmp(a, b) : a == b;
}

/* Checks are stored in the order of the units, one per unit, so stored
** row i is unit i's. */
int tpc_rate_stored(tpc_store *store, int64_t run_id, const char *const *methods,
                    const char *const *theorem_ids, size_t n, int *verdicts) {
  sqlite3 *db = tpc_store_db(store);
  sqlite3_stmt *q;
  for (size_t i = 0; i < n; i++) verdicts[i] = -1;
  if (sqlite3_prepare_v2(db,
                         "SELECT method, theorem, verdict FROM rate_checks WHERE run_id = ?1 "
                         "AND experiment IS NULL ORDER BY id",
                         -1, &q, NULL) != SQLITE_OK)
    return db_fail(db, "reading the stored checks");
  sqlite3_bind_int64(q, 1, run_id);
  int step, rc = TPC_OK;
  for (size_t i = 0; rc == TPC_OK && (step = sqlite3_step(q)) == SQLITE_ROW; i++) {
    const char *method = (const char *)sqlite3_column_text(q, 0);
    const char *theorem = (const char *)sqlite3_column_text(q, 1);
    if (i >= n || !method || strcmp(method, methods[i]) || !same_text(theorem, theorem_ids[i]))
      rc = tpc_error(TPC_EINPUT, "run %" PRId64 " stored a check of %s (%s) where its unit %zu "
                     "is %s (%s)", run_id, method ? method : "?", theorem ? theorem : "none",
                     i + 1, i < n ? methods[i] : "none",
                     i < n && theorem_ids[i] ? theorem_ids[i] : "none");
    else verdicts[i] = verdict_of((const char *)sqlite3_column_text(q, 2));
  }
  if (rc == TPC_OK && step != SQLITE_DONE) rc = db_fail(db, "reading the stored checks");
  sqlite3_finalize(q);
  return rc;
}
