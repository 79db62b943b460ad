/*
** The checks of the catalogue's theorems (bounds/theorems/catalogue.h) on
** Algorithm 1 runs, the theory slack, the paper's experiments of T7, and
** their rows in the database (`tpc rate`, db/003_rate.sql,
** db/009_theorem.sql).  bounds/theorems/ is where the checks of the
** convergence theorems live (THEORY.md T5 now; the theorems of T8-T11 about
** the methods of src/methods/ join the catalogue).
**
** A theorem bounds the mean of a quantity M measured on a run by
** main(Delta0) + start(E[G^0]) (catalogue.h), for example Theorem 1 of T5:
**     (1/T) sum_{t<T} E||grad f(x^t)||^2 <= 2 Delta0/(gamma T) + E[G^0]/(A T).
** Each repetition r gives Z_r = M_r - start(G^0_r), whose mean is at most
** main(Delta0).  Where the theorem bounds min_{t<T} E||grad f(x^t)||^2
** (catalogue.h) a run's minimum over t has a mean below that quantity and
** its mean over t one above: the check is violated on the first and passes
** on the second.  A one-step theorem (T8.5, T9.4) states
** E[lhs(x^{t+1}) | x^t] <= rhs(x^t) at every t, so each run's ratio
** lhs/rhs at step t has a mean at most 1: a step whose mean ratio over the
** runs is above 1 at level delta/T (Bonferroni over the steps) is a
** violation, and the check passes on each run's mean ratio over its steps
** (rate.c says why not step by step).  A deterministic method has one exact Z (a relative
** tolerance of 1e-9 covers the rounding of the sums; a bound on
** f(x^T) - f^inf adds 1e-12 (|f(x^T)| + |f^inf|) for the rounding of f near
** its minimum); a randomized one gets a one-sided Student-t interval at
** level 1 - delta over R >= 2 repetitions: pass when the upper end is within
** the bound, violated when the lower end is above it, inconclusive otherwise
** (R < 2 always).
**
** The check applies only when the step is within the theorem's (multiplier
** <= 1 or an explicit gamma below it; equal to it where the theorem fixes
** its step), the run has no EF21-P downlink when
** the theorem covers the uplink alone (T5 covers Algorithm 1 itself), and
** every repetition ran T iterations (or a deterministic run stopped by
** eps); otherwise its verdict is "n/a" with a note.  A repetition that
** diverges at a valid step is a violation.
**
** Theory slack: the largest multiplier m in {1, 2, 4, ..., 4096} of the
** theoretical step at which repetition 0 converges: it stays finite, ends
** (at T, or at eps) with ||grad f||^2 below its value at x^0, and, for
** m > 1, no larger than the run at m = 1 ends with (twice that for a
** randomized method, whose single runs vary).  Ending below the start alone
** would count the bounded oscillations of logistic regression at huge steps.
** The scan goes up in powers of two and stops after two consecutive
** failures (or when m = 1 itself fails: slack 0).
*/
#ifndef TPC_THEOREMS_RATE_H
#define TPC_THEOREMS_RATE_H

#include <stddef.h>
#include <stdint.h>

#include "methods/alg1.h"
#include "bounds/sandbox.h"
#include "bounds/theorems/catalogue.h"
#include "registry/registry.h"
#include "problems/problem.h"

struct tpc_store;

typedef enum {
  TPC_RATE_PASS = 0,
  TPC_RATE_VIOLATED,
  TPC_RATE_INCONCLUSIVE,
  TPC_RATE_NA
} tpc_rate_verdict;

/* "pass", "violated", "inconclusive", "n/a". */
const char *tpc_rate_verdict_name(tpc_rate_verdict v);

/* "problem", "zero", "gauss"; "exact", "zero", "compressed". */
const char *tpc_rate_x0_name(tpc_alg1_x0 x);
const char *tpc_rate_init_name(tpc_alg1_init i);

#define TPC_RATE_SLACK_MAX_LOG2 12 /* m up to 4096 */

typedef struct tpc_rate_opts {
  /* The theorem checked; NULL: no check, the run takes the step of the
  ** catalogue's first theorem (T5's Theorem 1) or gamma. */
  const tpc_theorem *theorem;
  uint64_t T;
  size_t reps;            /* 0: 1 for deterministic methods, 20 otherwise */
  double mult;            /* multiplier of the theoretical step (1) */
  double gamma;           /* > 0: this step instead (needed without constants) */
  double eps;
  uint64_t bits_budget;   /* uplink bits per client */
  tpc_alg1_x0 x0;
  tpc_alg1_init init;
  uint64_t seed;
  int threads;
  int wire_check;
  int slack;              /* compute the theory slack */
  double diverge;         /* tpc_alg1_opts.diverge of the check's runs (0) */
  int f_stop;             /* stop once f(x^t) <= f_target (tpc_alg1_opts.f_stop: */
  double f_target;        /* the scaling laws of T12, bounds/theorems/scaling.h) */
  int observe;            /* tpc_alg1_opts.observe even when the theorem does
                             not need it: f(x^t) under an EF21-P downlink */
  double delta;           /* 1 - confidence of one check (already corrected
                             for the number of checks by the caller) */
  uint64_t max_points;    /* keep at most about this many points per run */
  int (*cancel)(void *ctx);
  void *cancel_ctx;
  void (*progress)(void *ctx, size_t done, size_t total);
  void *progress_ctx;
  /* Algorithm 1's clients spread over processes (tpc_alg1_opts.net; NULL:
  ** one process).  2Direction's runner ignores it: every process runs it. */
  const tpc_alg1_net *net;
} tpc_rate_opts;

/* Theorem 1 of T5, T = 1000, mult 1, delta 0.01, max_points 2000, slack
** on, one thread. */
void tpc_rate_opts_init(tpc_rate_opts *o);

/* One method's check and its runs. */
typedef struct tpc_rate_check {
  const tpc_theorem *thm;  /* the theorem checked; NULL: none */
  tpc_mech_consts mc;
  tpc_method_info mi;      /* the method as the theorems see it */
  double gamma_theory;     /* the theorem's step; NaN when not defined */
  double gamma;            /* the step used */
  double mult;             /* gamma / gamma_theory, NaN without a theory step */
  size_t reps;
  tpc_alg1_result *runs;   /* reps results */
  double delta0;           /* f(x^0) - f^inf (NaN when f^inf is unknown) */
  double G0;               /* mean G^0 */
  double bound, measured, ucb, ratio;  /* NaN where not applicable */
  tpc_rate_verdict verdict;
  char note[200];
  int slack;               /* largest converging m, 0 if none, -1 not computed */
  size_t nslack;           /* slack runs: m = 2^0 .. 2^(nslack-1) */
  tpc_alg1_result slack_runs[TPC_RATE_SLACK_MAX_LOG2 + 1];
} tpc_rate_check;

/* Validate that the check of o->theorem can be done for the problem's
** constants and the method's, and fill c->thm, c->mc, c->gamma_theory,
** c->gamma, c->mult and c->reps.  TPC_EINPUT with a message naming what is
** missing when the theorem does not apply (the method is outside it, e.g.
** declares no (A, B); an assumption fails, e.g. L-, f^inf or mu unknown),
** unless o->gamma is given: then the run goes on without a check (verdict
** n/a, the reason in c->note).  With o->theorem NULL only a step is needed.
** mi NULL: a mechanism run by Algorithm 1, described by nothing more. */
int tpc_rate_prepare(const tpc_problem *p, const tpc_mech_consts *mc,
                     const tpc_method_info *mi, const tpc_rate_opts *o, tpc_rate_check *c);

/* Run the repetitions (and the slack scan when asked) with method m (its
** Algorithm 1 or 2Direction runner) of the prepared check c, then decide the
** verdict.  TPC_OK also when cancelled (c->note says so); errors of
** tpc_method_run. */
int tpc_rate_run(tpc_method *m, const tpc_rate_opts *o, tpc_rate_check *c);

void tpc_rate_check_free(tpc_rate_check *c);

/* f(x^0) at the start x0 (seed for a Gaussian one) that the runs take:
** T9.7's step and the relative targets of the scaling laws (scaling.h)
** need it.  TPC_ENOMEM. */
int tpc_rate_start_value(const tpc_problem *p, tpc_alg1_x0 x0, uint64_t seed, double *f0);

/* ---- isolation ----------------------------------------------------------------
**
** The prepared check c filled in a child process (bounds/sandbox.h), for a
** method whose code is a plugin's: compute(arg, c, extra) runs there
** (typically: build Algorithm 1 with the method, tpc_rate_run), and what it
** made comes back, c with its runs, slack runs and their points and
** extra_size bytes at extra, bit for bit as if compute had run here.
** Returns TPC_OK when the child was run (else TPC_EIO, TPC_ENOMEM), with
** *status compute's status and message, or TPC_ECHILD with what happened
** when the child crashed, timed out, exited early or was stopped (*sr says
** which).  c is changed only when *status is TPC_OK (otherwise extra may
** be half-written). */
int tpc_rate_check_isolated(int (*compute)(void *arg, tpc_rate_check *c, void *extra),
                            void *arg, tpc_rate_check *c, void *extra, size_t extra_size,
                            const tpc_sandbox_opts *o, tpc_sandbox_result *sr, int *status);

/* ---- the database ----------------------------------------------------------- */

/* rate_checks.check_kind and .theorem of a check: the theorem's kind
** ("theorem1", "pl") and id, or "none" and NULL without a check. */
const char *tpc_rate_check_kind(const tpc_rate_check *c);
const char *tpc_rate_check_theorem(const tpc_rate_check *c);

/* What a check row records besides the check itself. */
typedef struct tpc_rate_row {
  int64_t run_id;
  const char *experiment;  /* NULL, or "fig3", "fig2", "fig1", "ef21p" */
  const char *label;       /* experiment panel or cell; NULL otherwise */
  const char *problem;     /* canonical problem spec */
  const char *method;      /* canonical mechanism spec */
  const char *server;      /* EF21-P compressor spec or NULL */
} tpc_rate_row;

typedef struct tpc_rate_ids {
  int64_t check_id;        /* the rate_checks row */
  int64_t traj0_id;        /* the rate_trajectories row of repetition 0 */
} tpc_rate_ids;

/* Insert the check row, one trajectory row per run (repetitions, then slack
** runs) and their points, in one transaction; the new ids in *ids (may be
** NULL).  TPC_ESTORE with SQLite's message. */
int tpc_rate_store(struct tpc_store *store, const tpc_rate_row *row, const tpc_problem *p,
                   const tpc_rate_opts *o, const tpc_rate_check *c, tpc_rate_ids *ids);

/* What fixes the results of a tpc rate check run, for tpc_cli_run_start:
** the canonical problem, server, the theorems asked for ("all", an id, or
** "none"), and the n units (method, theorem) in order, and every option of
** o but theorem (the units say it), threads, delta (which follows from the
** units) and callbacks, one "key=value" a line.  A method's runs draw from
** streams of (seed, purpose, repetition, client, iteration) alone
** (rng/pcg.h), never from the units before it, so equal settings give equal
** rows unit by unit.  Malloc'd; NULL when out of memory. */
char *tpc_rate_settings(const char *problem, const char *server, const char *theorems,
                        const tpc_rate_opts *o, const char *const *methods,
                        const char *const *theorem_ids, size_t n);

/* The checks run_id has stored, for --resume: verdicts[i] is the verdict of
** unit i (methods[i] with theorem_ids[i], NULL for no check), or -1 where
** none was stored.  TPC_EINPUT when a stored check is not the unit at its
** place in the list; TPC_ESTORE. */
int tpc_rate_stored(struct tpc_store *store, int64_t run_id, const char *const *methods,
                    const char *const *theorem_ids, size_t n, int *verdicts);

/* ---- the papers' experiments (T7, T9.8) ------------------------------------
**
**   fig3  quad(d=1000,n=100,seed=123), panels s = 0 and s chosen so that
**         L+- = 6.58 (L+- is linear in s for a fixed seed: s = 6.58 / L+-(s=1),
**         6.5052; seed 123 gives L- = 0.777 as well, the paper's ~0.77);
**         EF21-TopK, EF21-RandK, 3PCv2 (RandK + TopK, RandK o PermK + TopK),
**         3PCv5-TopK, MARINA (RandK, PermK), about 10 coordinates a round;
**         multipliers 2^0, 2^1, ..., 2^12 of the Theorem 1 step (up to two
**         consecutive divergences), each run to T; best: the smallest final
**         ||grad f||^2.
**   fig2  logreg(file=phishing,n=20,lambda=0.1), x0 = 0; CLAG(TopK(K), zeta)
**         for K in linspace(1, d, 10) rounded and zeta in {0, 1, 2, ..., 512};
**         per cell the multipliers 2^11 down to 2^0, each run until
**         ||grad f||^2 < 1e-8, T, or ||grad f||^2 > 10 times its start
**         (too large a step oscillates there: logistic gradients are
**         bounded); best: fewest uplink bits per client to get there (the
**         scan stops once a smaller multiplier needs more bits than the best
**         so far, or none reaches eps after one did).
**   fig1  autoenc(file=train,n=100,de=16,samples=S) on Fashion-MNIST;
**         EF21-TopK(251) and two 3PCv2 splits of the same budget; explicit
**         step sizes 2^-12 .. 2^-8 (no constants: T6; ||grad f(x^0)||^2 is
**         ~7e3 with pixels in [0, 1], and 2^-8 already diverges at
**         samples = 2000); best: smallest final ||grad f||^2.
**   ef21p logreg(file=w8a,n=10,reg=none) (T9.8: the paper's plain logistic
**         loss; w8a has no minimiser then, f is plotted as it is), x0 = 0;
**         ef21p_diana(urandk(k=10),topk(k=10)) and, with an uncompressed
**         downlink, dcgd_shift(urandk(k=10),shift=diana), beta = 1/(omega+1)
**         for both; explicit step sizes 2^-10 .. 2^10 (no theorem step
**         without mu), each run to T (only a non-finite value stops one
**         early); best: the smallest final f(x^T) (tpc_rate_opts.observe:
**         EF21-P's clients evaluate at w^t, the model is x^t).
** Every run is stored (rate_checks with experiment and label, its
** trajectory and points); rate_best holds one row per method or cell. */

typedef struct tpc_rate_exp_opts {
  uint64_t T;              /* iterations per run; 0: the experiment's default */
  uint64_t seed;
  int threads;
  int wire_check;
  uint64_t max_points;     /* points kept per run (0: 500) */
  size_t samples;          /* fig1: images used (0: the default) */
  int (*cancel)(void *ctx);
  void *cancel_ctx;
} tpc_rate_exp_opts;

/* What ranks the runs of one task (rate_best.metric). */
typedef enum {
  TPC_RATE_METRIC_FINAL_GNORM2 = 0, /* fig3, fig1: smallest final ||grad f||^2 */
  TPC_RATE_METRIC_BITS_TO_EPS,      /* fig2: fewest uplink bits per client to eps */
  TPC_RATE_METRIC_FINAL_F           /* ef21p: smallest final f(x^T) */
} tpc_rate_metric;

/* "final_gnorm2", "bits_to_eps", "final_f": the name stored. */
const char *tpc_rate_metric_name(tpc_rate_metric m);

/* One summary row (rate_best). */
typedef struct tpc_rate_best {
  char panel[64];
  char method[256];
  long K;                  /* fig2 cells, else -1 */
  double zeta;             /* fig2 cells, else NaN */
  tpc_rate_metric metric;
  int reached;             /* some multiplier reached eps / stayed finite */
  double best_mult;        /* NaN when none */
  double best_gamma;
  double value;            /* the metric at the best multiplier */
  double bits_pc, paper_pc;/* uplink bits per client of the best run */
  double down_paper_pc;    /* its downlink bits per client (each receives the
                              broadcast), papers' values-only count */
  uint64_t iters;
  int64_t traj_id;         /* its trajectory row, 0 when none */
} tpc_rate_best;

typedef struct tpc_rate_exp tpc_rate_exp;

/* Load the experiment's problems and check its methods: TPC_EINPUT for an
** unknown name or missing data (the message names the file or the Debian
** package), nothing run yet. */
tpc_rate_exp *tpc_rate_exp_alloc(const char *name, const tpc_registry *reg,
                                 const tpc_rate_exp_opts *o, int *status);
void tpc_rate_exp_free(tpc_rate_exp *e);

/* A few lines on what this run uses (panels, s, T, grid, reductions from
** the paper), for the command to print. */
const char *tpc_rate_exp_about(const tpc_rate_exp *e);

/* Task k of tpc_rate_exp_nbest(e), one method or heat-map cell: its scan,
** every run stored under run_id as it finishes, then its rate_best row and
** tpc_rate_exp_best(e, k).  The tasks are independent (a sweep's units,
** dist/sweep.h).  TPC_OK also when cancelled (the finished runs are
** stored, no rate_best row). */
int tpc_rate_exp_task(tpc_rate_exp *e, size_t k, struct tpc_store *store, int64_t run_id);

/* Task k's best as another process computed it (tpc_rate_exp_task there),
** its trajectory's id moved by traj_shift where its rows were merged. */
void tpc_rate_exp_best_take(tpc_rate_exp *e, size_t k, const tpc_rate_best *b,
                            int64_t traj_shift);

size_t tpc_rate_exp_nbest(const tpc_rate_exp *e);
const tpc_rate_best *tpc_rate_exp_best(const tpc_rate_exp *e, size_t i);

#endif
