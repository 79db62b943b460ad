/*
** Tests of bounds/theorems/rate (the Theorem 1 and PL checks of THEORY.md T5, the
** theory slack, the rows in the database) on the toy separable quadratic of
** rate_toy.h, whose constants are exact.
**
**  - prepare: which missing constants refuse a check (exit 2 in the command)
**    and which steps it implies;
**  - verdicts: deterministic and randomized methods pass at the theorem's
**    step; a lie about f^inf (a bound far too small) is reported violated;
**    one repetition of a randomized method is inconclusive; steps above the
**    theorem's, EF21-P and explicit steps without constants are n/a;
**  - slack: GD's is exactly 1 (gamma = 2/L- keeps the top mode's amplitude,
**    so the run ends far above the run at 1/L-; 4/L- triples it every step);
**  - store: every run and point reaches the tables, and discarding the run
**    removes them all;
**  - isolation: a check computed in a child process (a plugin's method in
**    `tpc rate`) stores the same rows, bit for bit, as one computed here,
**    and a child that crashes, exits or fails is reported, not taken for a
**    result.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "bench/rate_time.h"
#include "bounds/theorems/rate.h"
#include "core/error.h"
#include "registry/registry.h"
#include "rate_toy.h"
#include "store/store.h"

static tpc_method *make(const tpc_problem *p, const char *method, const char *server) {
  tpc_spec *m = NULL, *s = NULL;
  int status;
  cr_assert(eq(int, tpc_spec_parse(method, &m), TPC_OK));
  if (server) cr_assert(eq(int, tpc_spec_parse(server, &s), TPC_OK));
  tpc_method *a = tpc_method_alloc_server(p, reg, m, s, &status);
  cr_assert(a != NULL, "%s: %s", method, tpc_error_msg());
  tpc_spec_free(m);
  tpc_spec_free(s);
  return a;
}

/* Prepare and run one check; returns the verdict, the check in *c. */
static tpc_rate_verdict check(const tpc_problem *p, const char *method, const char *server,
                              const tpc_rate_opts *o, tpc_rate_check *c) {
  tpc_method *a = make(p, method, server);
  tpc_mech_consts mc;
  tpc_method_consts(a, &mc);
  cr_assert(eq(int, tpc_rate_prepare(p, &mc, NULL, o, c), TPC_OK), "%s: %s", method, tpc_error_msg());
  cr_assert(eq(int, tpc_rate_run(a, o, c), TPC_OK), "%s: %s", method, tpc_error_msg());
  tpc_method_free(a);
  return c->verdict;
}

static void opts(tpc_rate_opts *o, const char *theorem) {
  tpc_rate_opts_init(o);
  o->theorem = tpc_theorem_find(theorem);
  o->T = 200;
  o->slack = 0;
  o->seed = 3;
}

static const char *const det_methods[] = {
    "gd", "ef21(topk(k=4))", "lag(zeta=4)", "clag(topk(k=4),zeta=2)", "3pcv1(topk(k=4))",
    "3pcv4(topk(k=2),topk(k=2))", "adacgd(topk(k=1),topk(k=4),zeta=4)", "shifted(topk(k=4))",
    NULL};

static const char *const rand_methods[] = {
    "ef21(randk(k=4))", "3pcv2(urandk(k=2),topk(k=2))", "3pcv5(topk(k=4),p=0.2)",
    "marina(urandk(k=4),p=0.5)", "diana(urandk(k=21))", "3pcv3(lag(zeta=4),randk(k=4))", NULL};

Test(rate, theorem1_passes, .init = setup, .fini = teardown) {
  tpc_rate_opts o;
  opts(&o, "T5.thm1");
  for (int init = 0; init < 3; init++) {
    o.init = (tpc_alg1_init)init;
    for (size_t k = 0; det_methods[k]; k++) {
      tpc_rate_check c;
      cr_assert(eq(int, check(toy, det_methods[k], NULL, &o, &c), TPC_RATE_PASS), "%s: %s",
                det_methods[k], c.note);
      cr_assert(eq(sz, c.reps, 1));
      cr_assert(lt(dbl, 0, c.ratio));
      cr_assert(le(dbl, c.ratio, 1 + 1e-9));
      tpc_rate_check_free(&c);
    }
    /* 30 repetitions at level 0.99 (delta 0.01); 200 for MARINA, whose
    ** runs are heavy-tailed (a run of tails lets the aggregate error grow)
    ** and whose measured average is within 0.7-0.85 of the bound here */
    for (size_t k = 0; rand_methods[k]; k++) {
      o.reps = strncmp(rand_methods[k], "marina", 6) ? 30 : 200;
      tpc_rate_check c;
      cr_assert(eq(int, check(toy, rand_methods[k], NULL, &o, &c), TPC_RATE_PASS), "%s: %s",
                rand_methods[k], c.note);
      cr_assert(le(dbl, c.ucb, c.bound));
      tpc_rate_check_free(&c);
    }
    o.reps = 0;
  }
}

/* mu = min abar > 0 and f^inf exact: the PL theorem applies. */
Test(rate, pl_passes, .init = setup, .fini = teardown) {
  tpc_rate_opts o;
  opts(&o, "T5.pl");
  o.init = TPC_ALG1_INIT_ZERO;
  const char *const m[] = {"gd", "ef21(topk(k=4))", "clag(topk(k=4),zeta=2)",
                           "ef21(randk(k=4))", "marina(urandk(k=4),p=0.2)", NULL};
  for (size_t k = 0; m[k]; k++) {
    tpc_rate_check c;
    cr_assert(eq(int, check(toy, m[k], NULL, &o, &c), TPC_RATE_PASS), "%s: %s", m[k], c.note);
    cr_assert(le(dbl, c.measured, c.bound * (1 + 1e-9)));
    cr_assert(lt(dbl, 0, c.bound));
    tpc_rate_check_free(&c);
  }
}

/* f^inf declared just below f(x^0): Delta0 is tiny, so Theorem 1's bound
** is far below what the runs measure; deterministic and randomized are
** violated.  For PL a mu ten times L- makes the step 1/(20 L-) and the
** claimed rate (1/2)^T, far faster than the runs contract. */
Test(rate, lie_is_violated, .init = setup, .fini = teardown) {
  tpc_problem *liar = toy_alloc(42, 6, 1.0, 0);
  tpc_rate_opts o;
  tpc_rate_check c;
  opts(&o, "T5.thm1");
  cr_assert(eq(int, check(liar, "gd", NULL, &o, &c), TPC_RATE_PASS));
  liar->c.finf.value = c.runs[0].first.f - 1e-6;
  tpc_rate_check_free(&c);
  cr_assert(eq(int, check(liar, "gd", NULL, &o, &c), TPC_RATE_VIOLATED));
  cr_assert(lt(dbl, 1e3, c.ratio));
  tpc_rate_check_free(&c);
  cr_assert(eq(int, check(liar, "ef21(randk(k=4))", NULL, &o, &c), TPC_RATE_VIOLATED));
  tpc_rate_check_free(&c);
  toy_free(liar);
  liar = toy_alloc(42, 6, 1.0, 0);
  liar->c.mu.value = 10 * liar->c.Lminus.value;
  o.theorem = tpc_theorem_find("T5.pl");
  cr_assert(eq(int, check(liar, "gd", NULL, &o, &c), TPC_RATE_VIOLATED));
  tpc_rate_check_free(&c);
  cr_assert(eq(int, check(liar, "ef21(randk(k=4))", NULL, &o, &c), TPC_RATE_VIOLATED));
  tpc_rate_check_free(&c);
  toy_free(liar);
}

Test(rate, inconclusive_and_na, .init = setup, .fini = teardown) {
  tpc_rate_opts o;
  tpc_rate_check c;
  opts(&o, "T5.thm1");
  o.reps = 1;
  cr_assert(eq(int, check(toy, "ef21(randk(k=4))", NULL, &o, &c), TPC_RATE_INCONCLUSIVE));
  cr_assert(strstr(c.note, "--reps") != NULL);
  tpc_rate_check_free(&c);
  o.reps = 0;
  o.mult = 2;
  cr_assert(eq(int, check(toy, "gd", NULL, &o, &c), TPC_RATE_NA));
  cr_assert(ieee_ulp_eq(dbl, c.mult, 2.0, 1));
  tpc_rate_check_free(&c);
  o.mult = 1;
  cr_assert(eq(int, check(toy, "gd", "topk(k=8)", &o, &c), TPC_RATE_NA));
  cr_assert(strstr(c.note, "EF21-P") != NULL);
  tpc_rate_check_free(&c);
  o.eps = 1e-3; /* randomized runs stopped by eps: not a fixed T */
  cr_assert(eq(int, check(toy, "ef21(randk(k=4))", NULL, &o, &c), TPC_RATE_NA));
  tpc_rate_check_free(&c);
  /* a deterministic run stopped by eps is a fixed T' */
  cr_assert(eq(int, check(toy, "gd", NULL, &o, &c), TPC_RATE_PASS));
  cr_assert(lt(u64, c.runs[0].iters, 200));
  tpc_rate_check_free(&c);
}

/* What the checks refuse (the command's exit 2), and what an explicit step
** allows. */
Test(rate, prepare_refuses, .init = setup, .fini = teardown) {
  tpc_problem *blind = toy_alloc(42, 6, 1.0, 1);
  tpc_rate_opts o;
  tpc_rate_check c;
  tpc_mech_consts mc;
  opts(&o, "T5.thm1");
  tpc_method *a = make(blind, "ef21(topk(k=4))", NULL);
  tpc_method_consts(a, &mc);
  cr_assert(eq(int, tpc_rate_prepare(blind, &mc, NULL, &o, &c), TPC_EINPUT));
  cr_assert(strstr(tpc_error_msg(), "L-") != NULL);
  o.gamma = 0.01;
  cr_assert(eq(int, tpc_rate_prepare(blind, &mc, NULL, &o, &c), TPC_OK));
  cr_assert(eq(int, tpc_rate_run(a, &o, &c), TPC_OK));
  cr_assert(eq(int, c.verdict, TPC_RATE_NA));
  cr_assert(ieee_ulp_eq(dbl, c.gamma, 0.01, 0));
  tpc_rate_check_free(&c);
  tpc_method_free(a);
  toy_free(blind);

  /* shifted(Q) with omega = 42/2 - 1 >= 1 declares no 3PC pair */
  o.gamma = 0;
  a = make(toy, "shifted(urandk(k=2))", NULL);
  tpc_method_consts(a, &mc);
  cr_assert(eq(int, tpc_rate_prepare(toy, &mc, NULL, &o, &c), TPC_EINPUT));
  cr_assert(strstr(tpc_error_msg(), "shifted") != NULL);
  tpc_method_free(a);

  /* PL needs an exact f^inf and mu > 0 */
  a = make(toy, "gd", NULL);
  tpc_method_consts(a, &mc);
  o.theorem = tpc_theorem_find("T5.pl");
  toy->c.finf.kind = TPC_CONST_BOUND;
  cr_assert(eq(int, tpc_rate_prepare(toy, &mc, NULL, &o, &c), TPC_EINPUT));
  o.theorem = tpc_theorem_find("T5.thm1");
  cr_assert(eq(int, tpc_rate_prepare(toy, &mc, NULL, &o, &c), TPC_OK));
  toy->c.finf.kind = TPC_CONST_EXACT;
  toy->c.mu.value = 0;
  o.theorem = tpc_theorem_find("T5.pl");
  cr_assert(eq(int, tpc_rate_prepare(toy, &mc, NULL, &o, &c), TPC_EINPUT));
  cr_assert(strstr(tpc_error_msg(), "mu") != NULL);
  o.mult = -1;
  o.theorem = tpc_theorem_find("T5.thm1");
  cr_assert(eq(int, tpc_rate_prepare(toy, &mc, NULL, &o, &c), TPC_EINPUT));
  tpc_method_free(a);
}

/* Steps: GD's Theorem 1 step is 1/L-; the PL step of EF21 is capped by
** A/(2 mu) only when mu is large, and never exceeds the Theorem 1 one. */
Test(rate, steps, .init = setup, .fini = teardown) {
  tpc_rate_opts o;
  tpc_rate_check c;
  tpc_mech_consts mc;
  opts(&o, "T5.thm1");
  tpc_method *a = make(toy, "gd", NULL);
  tpc_method_consts(a, &mc);
  cr_assert(eq(int, tpc_rate_prepare(toy, &mc, NULL, &o, &c), TPC_OK));
  cr_assert(ieee_ulp_eq(dbl, c.gamma_theory, 1.0 / toy->c.Lminus.value, 0));
  double t1 = c.gamma_theory;
  o.theorem = tpc_theorem_find("T5.pl");
  cr_assert(eq(int, tpc_rate_prepare(toy, &mc, NULL, &o, &c), TPC_OK));
  cr_assert(le(dbl, c.gamma_theory, t1));
  cr_assert(ieee_ulp_eq(dbl, c.gamma_theory, fmin(t1, 1.0 / (2 * toy->c.mu.value)), 0));
  tpc_method_free(a);
}

/* Diagonal toy, GD: every mode contracts by |1 - gamma abar_j|.  At 1/L-
** the top mode vanishes at once and the rest contract at least by half a
** step; at 2/L- the top mode keeps its amplitude (the run ends below its
** start, but far above the run at 1/L-: not converged); at 4/L- it grows 3x
** a step.  EF21-TopK's theoretical step is ~1/40 of GD's: larger multiples
** converge faster, so its slack is above 8. */
Test(rate, slack, .init = setup, .fini = teardown) {
  tpc_rate_opts o;
  tpc_rate_check c;
  opts(&o, "T5.thm1");
  o.slack = 1;
  cr_assert(eq(int, check(toy, "gd", NULL, &o, &c), TPC_RATE_PASS));
  cr_assert(eq(int, c.slack, 1));
  cr_assert(eq(sz, c.nslack, 3)); /* 1, 2, 4: two failures end the scan */
  cr_assert(lt(dbl, c.slack_runs[1].last.gnorm2, c.slack_runs[1].first.gnorm2));
  cr_assert(eq(int, c.slack_runs[2].stop, TPC_ALG1_STOP_DIVERGED));
  tpc_rate_check_free(&c);
  cr_assert(eq(int, check(toy, "ef21(topk(k=4))", NULL, &o, &c), TPC_RATE_PASS));
  cr_assert(ge(int, c.slack, 8));
  cr_assert(lt(int, c.slack, 4096));
  tpc_rate_check_free(&c);
}

static int count(sqlite3 *db, const char *sql) {
  sqlite3_stmt *s;
  cr_assert(eq(int, sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK), "%s",
            sqlite3_errmsg(db));
  cr_assert(eq(int, sqlite3_step(s), SQLITE_ROW));
  int v = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return v;
}

Test(rate, store_and_discard, .init = setup, .fini = teardown) {
  char path[] = "/tmp/tpc_test_rate_XXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  close(fd);
  unlink(path);
  tpc_store *st;
  cr_assert(eq(int, tpc_store_open(path, &st), TPC_OK), "%s", tpc_error_msg());
  tpc_run_info info = {.command = "rate", .argv = "tpc rate toy", .seed = 3, .threads = 1};
  int64_t run_id;
  cr_assert(eq(int, tpc_store_run_begin(st, &info, &run_id), TPC_OK));
  tpc_rate_opts o;
  tpc_rate_check c;
  opts(&o, "T5.thm1");
  o.slack = 1;
  o.max_points = 50; /* T = 200: every 4th point and the last */
  check(toy, "ef21(randk(k=4))", NULL, &o, &c);
  tpc_rate_row row = {run_id, NULL, NULL, "toy", "ef21(randk(k=4))", NULL};
  tpc_rate_ids ids;
  cr_assert(eq(int, tpc_rate_store(st, &row, toy, &o, &c, &ids), TPC_OK), "%s",
            tpc_error_msg());
  sqlite3 *db = tpc_store_db(st);
  size_t points = 0;
  for (size_t r = 0; r < c.reps; r++) points += c.runs[r].npoints;
  for (size_t k = 0; k < c.nslack; k++) points += c.slack_runs[k].npoints;
  cr_assert(eq(sz, c.runs[0].npoints, 51));
  cr_assert(eq(int, count(db, "SELECT count(*) FROM rate_checks WHERE verdict = 'pass'"), 1));
  cr_assert(eq(int, count(db, "SELECT count(*) FROM rate_trajectories"),
               (int)(c.reps + c.nslack)));
  cr_assert(eq(int, count(db, "SELECT count(*) FROM rate_points"), (int)points));
  cr_assert(eq(int, count(db, "SELECT count(*) FROM rate_trajectories WHERE role = 'rep' "
                              "AND record_every = 4"),
               (int)c.reps));
  cr_assert(eq(int, count(db, "SELECT max(t) FROM rate_points"), 200));
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT rep FROM rate_trajectories WHERE id = %lld",
           (long long)ids.traj0_id);
  cr_assert(eq(int, count(db, sql), 0));
  tpc_rate_check_free(&c);
  cr_assert(eq(int, tpc_store_run_discard(st, run_id), TPC_OK));
  cr_assert(eq(int, count(db, "SELECT count(*) FROM rate_checks"), 0));
  cr_assert(eq(int, count(db, "SELECT count(*) FROM rate_points"), 0));
  tpc_store_close(st);
  unlink(path);
}

Test(rate, timing, .init = setup, .fini = teardown) {
  tpc_rate_opts o;
  tpc_rate_check c;
  tpc_rate_timing tm;
  opts(&o, "T5.thm1");
  check(toy, "gd", NULL, &o, &c);
  /* the passes run on the iterations' threads: one on the small toy, as the
  ** rounds do; on one of parallel size as asked, at most n, at least 1 */
  tpc_problem *big = toy_alloc(TPC_ALG1_PAR_VALUES / 32, 32, 1.0, 0);
  static const int asked[] = {1, 2, 1000, 0};
  for (int k = 0; k < 2; k++) {
    tpc_problem *p = k ? big : toy;
    for (size_t i = 0; i < sizeof asked / sizeof *asked; i++) {
      cr_assert(eq(int, tpc_rate_time(p, p->x0, &c.runs[0], asked[i], &tm), TPC_OK));
      int want = asked[i] < 1 ? 1 : (size_t)asked[i] > p->n ? (int)p->n : asked[i];
      cr_assert(eq(int, tm.threads, k ? want : 1), "n d = %zu, asked %d", p->n * p->d,
                asked[i]);
      cr_assert(lt(dbl, 0, tm.iter_ns));
      cr_assert(lt(dbl, 0, tm.data_pass_ns));
      cr_assert(lt(dbl, 0, tm.grad_pass_ns));
      cr_assert(lt(dbl, 0, tm.state_pass_ns));
      cr_assert(eq(sz, tm.data_bytes, p->data_bytes));
      cr_assert(lt(long, 0, tm.peak_rss_kib));
    }
  }
  toy_free(big);
  tpc_rate_check_free(&c);
}

Test(rate, experiment_names, .init = setup, .fini = teardown) {
  tpc_rate_exp_opts o = {.threads = 1};
  int status;
  cr_assert(tpc_rate_exp_alloc("fig4", reg, &o, &status) == NULL);
  cr_assert(eq(int, status, TPC_EINPUT));
  cr_assert(strstr(tpc_error_msg(), "fig3") != NULL);
}

/* ---- isolation ------------------------------------------------------------------ */

/* What the command does for a method: build Algorithm 1, run the check;
** `fault` 1 crashes, 2 exits 0, 3 fails with a message, after the run.  The
** extra result is the last point's first coordinate. */
typedef struct compute_arg {
  const char *method;
  const tpc_rate_opts *o;
  int fault;
} compute_arg;

static int compute(void *arg, tpc_rate_check *c, void *extra) {
  const compute_arg *a = arg;
  tpc_spec *m = NULL;
  int rc = tpc_spec_parse(a->method, &m);
  tpc_method *alg = rc ? NULL : tpc_method_alloc_server(toy, reg, m, NULL, &rc);
  tpc_spec_free(m);
  if (!alg) return rc;
  rc = tpc_rate_run(alg, a->o, c);
  *(double *)extra = tpc_method_point_x(alg)[0];
  tpc_method_free(alg);
  if (a->fault == 1) kill(getpid(), SIGSEGV);
  if (a->fault == 2) _exit(0);
  if (a->fault == 3) return tpc_error(TPC_EINTERNAL, "compute: planted failure");
  return rc;
}

static void prepare(const char *method, const tpc_rate_opts *o, tpc_rate_check *c) {
  tpc_method *a = make(toy, method, NULL);
  tpc_mech_consts mc;
  tpc_method_consts(a, &mc);
  tpc_method_free(a);
  cr_assert(eq(int, tpc_rate_prepare(toy, &mc, NULL, o, c), TPC_OK), "%s", tpc_error_msg());
}

static int isolated(compute_arg *a, tpc_rate_check *c, double *x, int *status) {
  tpc_sandbox_opts so = {.timeout_s = 60};
  tpc_sandbox_result sr;
  return tpc_rate_check_isolated(compute, a, c, x, sizeof *x, &so, &sr, status);
}

/* Rows of one run, every column but ids and wall times, in a fixed order. */
#define ROWS_OF(run)                                                                      \
  "SELECT c.method, c.verdict, c.bound, c.measured, c.ucb, c.ratio, c.G0, c.delta0,"      \
  " c.slack, t.role, t.rep, t.mult, t.gamma, t.stop, t.iters, t.record_every,"           \
  " t.sum_gnorm2, t.converged, p.t, p.f, p.gnorm2, p.G, p.bits_up, p.bits_up_paper,"     \
  " p.bits_down FROM rate_checks c JOIN rate_trajectories t ON t.check_id = c.id"         \
  " JOIN rate_points p ON p.trajectory_id = t.id WHERE c.run_id = " run

/* A randomized method with the slack scan, on two threads: in process and
** in a child, the stored checks, trajectories and points are the same bits
** (SQLite compares REALs exactly), and so is the extra result. */
Test(rate, isolated_run_stores_the_same_rows, .init = setup, .fini = teardown) {
  char path[] = "/tmp/tpc_test_rate_iso_XXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  close(fd);
  unlink(path);
  tpc_store *st;
  cr_assert(eq(int, tpc_store_open(path, &st), TPC_OK), "%s", tpc_error_msg());
  tpc_rate_opts o;
  opts(&o, "T5.thm1");
  o.slack = 1;
  o.threads = 2;
  o.max_points = 50;
  compute_arg a = {"ef21(randk(k=4))", &o, 0};
  tpc_rate_check here, there;
  double x_here = 0, x_there = 0;
  int status;
  prepare(a.method, &o, &here);
  prepare(a.method, &o, &there);
  cr_assert(eq(int, compute(&a, &here, &x_here), TPC_OK));
  cr_assert(eq(int, isolated(&a, &there, &x_there, &status), TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(int, status, TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(int, memcmp(&x_here, &x_there, sizeof x_here), 0));
  cr_assert(eq(sz, there.reps, here.reps));
  cr_assert(eq(sz, there.nslack, here.nslack));
  tpc_run_info info = {.command = "rate", .argv = "tpc rate toy", .seed = 3, .threads = 2};
  for (int k = 0; k < 2; k++) {
    int64_t run_id;
    cr_assert(eq(int, tpc_store_run_begin(st, &info, &run_id), TPC_OK));
    tpc_rate_row row = {run_id, NULL, NULL, "toy", a.method, NULL};
    cr_assert(eq(int, tpc_rate_store(st, &row, toy, &o, k ? &there : &here, NULL), TPC_OK),
              "%s", tpc_error_msg());
  }
  sqlite3 *db = tpc_store_db(st);
  int rows = count(db, "SELECT count(*) FROM (" ROWS_OF("1") ")");
  cr_assert(lt(int, 20 * 50, rows), "%d rows", rows);
  cr_assert(eq(int, count(db, "SELECT count(*) FROM (" ROWS_OF("2") ")"), rows));
  cr_assert(eq(int, count(db, "SELECT count(*) FROM (" ROWS_OF("1") " EXCEPT " ROWS_OF("2") ")"),
               0));
  tpc_rate_check_free(&here);
  tpc_rate_check_free(&there);
  tpc_store_close(st);
  unlink(path);
}

/* A child that crashes, exits 0 after computing, or fails: no result, the
** check left as prepared, and what happened in the status and message. */
Test(rate, isolated_failures_are_reported, .init = setup, .fini = teardown) {
  tpc_rate_opts o;
  opts(&o, "T5.thm1");
  static const char *const want[] = {"killed by signal 11 (Segmentation fault)",
                                     "exited with status 0 before returning",
                                     "compute: planted failure"};
  static const int codes[] = {TPC_ECHILD, TPC_ECHILD, TPC_EINTERNAL};
  for (int fault = 1; fault <= 3; fault++) {
    compute_arg a = {"ef21(topk(k=4))", &o, fault};
    tpc_rate_check c;
    double x = -1;
    int status;
    prepare(a.method, &o, &c);
    cr_assert(eq(int, isolated(&a, &c, &x, &status), TPC_OK), "%s", tpc_error_msg());
    cr_assert(eq(int, status, codes[fault - 1]), "fault %d", fault);
    cr_assert(eq(str, (char *)tpc_error_msg(), (char *)want[fault - 1]));
    cr_assert(eq(ptr, c.runs, NULL));
    cr_assert(eq(dbl, x, -1.0));
    tpc_rate_check_free(&c);
  }
}
