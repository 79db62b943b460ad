/*
** The catalogue of convergence theorems that `tpc rate` checks: one
** descriptor per theorem, grouped in files per paper (thm_3pc.c: THEORY.md
** T5), each saying where it comes from, which methods it covers, what it
** assumes, the largest step it allows, what it measures on a run and the
** bound it states as a function of T and the problem's constants.  `tpc
** list`, `tpc describe --problem` and `tpc rate` read the same table, so a
** theorem added here is listed, described and checked.
**
** Ids are "T<section>.<name>": "T5.thm1", "T5.pl"; the items of T8 and T9
** take their numbers ("T8.2", "T9.3", "T10.2").  A descriptor's `theory` is the
** citation printed in brackets ("T5 Theorem 1"), checked against THEORY.md
** by tests/e2e_theory.sh.
**
** Everything a descriptor reads about a problem and a method goes through
** tpc_theorem_env (filled by tpc_theorem_env_fill alone), so constants that
** problems or methods declare later are added in one place.
*/
#ifndef TPC_THEOREMS_CATALOGUE_H
#define TPC_THEOREMS_CATALOGUE_H

#include <stddef.h>

#include "mech/mech.h"
#include "methods/alg1.h"
#include "methods/method.h"
#include "problems/problem.h"

/* The constants the theorems' assumptions, steps and bounds read. */
typedef struct tpc_theorem_env {
  size_t d, n;
  tpc_const Lminus, Lplus, mu, finf;   /* the problem's (problems/problem.h) */
  tpc_const Lmax, musc, mui;           /* its convex settings */
  int convex;                          /* every f_i known convex */
  double Lmin_i;                       /* min_i L_i (NaN: unknown) */
  const tpc_problem_optimum *opt;      /* x*, h_i* (NULL: none known) */
  double hstar;                        /* sum_i ||h_i*||^2 (NaN without opt) */
  double xstar_norm;                   /* ||x*|| (NaN without opt) */
  tpc_const finf_i;                    /* a lower bound of every f_i */
  double T, f0;                        /* the run's T and f(x^0) when a step needs them
                                          (T9.7; set by the caller, else NaN) */
  tpc_mech_consts mc;                  /* the method's declared constants */
  tpc_method_info m;                   /* which method, its omega, alpha, beta, p */
} tpc_theorem_env;

/* The problem's and the method's constants as the theorems see them; the
** optimum is asked of the problem (computed once, problems/problem.h). */
void tpc_theorem_env_fill(tpc_theorem_env *e, const tpc_problem *p, const tpc_mech_consts *mc,
                          const tpc_method_info *m);

/* One assumption: its name, and why it fails (NULL when it holds).  The
** reason completes "needs ...": "a PL constant mu > 0 (the problem declares
** none)". */
typedef struct tpc_theorem_assumption {
  const char *name;
  const char *(*why_not)(const tpc_theorem_env *e);
  int for_step;   /* the step rule itself needs it (a run without a check too) */
} tpc_theorem_assumption;

/* The quantity a theorem bounds, measured on a run: T5's two, and those
** the theorems of T8 and T9 (rules.h) bound once their methods record them. */
typedef enum {
  TPC_THEOREM_MEAN_GNORM2 = 0, /* (1/T) sum_{t<T} ||grad f(x^t)||^2 (T5 Theorem 1) */
  TPC_THEOREM_PSI_PL,          /* f(x^T) - f^inf + (gamma/A) G^T (T5 PL) */
  TPC_THEOREM_DIST,            /* ||x^k - x*||^2 (T8.2; T8.5 step by step) */
  TPC_THEOREM_PSI_SHIFT,       /* ||x^k - x*||^2 + w H^k (T8.3, T8.4) */
  TPC_THEOREM_DIST_GAP,        /* (1/(2 gamma))||x^T - x*||^2 + f(x^T) - f* (T9.1, T9.3, T9.6) */
  TPC_THEOREM_GAP_AVERAGE,     /* f(xbar^T) - f* (T9.5, T9.6 with mu = 0) */
  TPC_THEOREM_MIN_GNORM2,      /* min_{t<T} ||grad f(x^t)||^2 (T9.1 nonconvex, T9.7) */
  TPC_THEOREM_ONE_STEP,        /* E[lhs(t+1)] <= E[rhs(t)] at every t (T8.5, T9.4) */
  TPC_THEOREM_MEASURES         /* their number */
} tpc_theorem_measure;

/* What a check of the theorem reads of one run: res->first is x^0's point,
** with the observables of T8, T9 (methods/alg1.h) when the measure needs
** them (tpc_theorem_observes). */
typedef struct tpc_theorem_run {
  const tpc_theorem_env *env;
  double gamma;                /* the step the run used */
  const tpc_alg1_result *res;  /* its trajectory summary */
} tpc_theorem_run;

/* What the runs of a check must record for the measure: the observables,
** f at the running average, and every point (min over t, one-step). */
typedef struct tpc_theorem_needs {
  int observe, average, every_point;
} tpc_theorem_needs;

#define TPC_THEOREM_MAX_ASSUMPTIONS 8

typedef struct tpc_theorem {
  const char *id;              /* "T5.thm1" */
  const char *family;          /* "T5": one report table per family */
  const char *title;           /* "Theorem 1 (nonconvex)" */
  const char *check_name;      /* in messages: "the Theorem 1 check needs ..." */
  const char *theory;          /* THEORY.md citation: "T5 Theorem 1" */
  const char *source;          /* "3PC paper, Theorem 1 [paper]" */
  const char *kind;            /* rate_checks.check_kind: "theorem1", "pl" */
  const char *methods;         /* the methods it covers, in words */
  /* Why the method is outside the theorem (NULL: it is covered). */
  const char *(*method_why_not)(const tpc_theorem_env *e);
  /* Runs with an EF21-P downlink are outside the theorem (verdict n/a). */
  int uplink_only;
  /* The theorem assumes the exact initialization g_i^0 = grad f_i(x^0)
  ** (T10.2): runs with another --init are outside it (verdict n/a). */
  int exact_init;
  tpc_theorem_assumption assumptions[TPC_THEOREM_MAX_ASSUMPTIONS]; /* NULL name ends */
  const char *step_rule;       /* "gamma <= 1/(L- + L+ sqrt(B/A))" */
  double (*step)(const tpc_theorem_env *e);  /* the largest step it allows */
  /* A constant of the step rule that `tpc describe` shows ("M" of T10.2;
  ** NULL: none). */
  const char *constant_name;
  double (*constant)(const tpc_theorem_env *e);
  /* The theorem's bound holds at its step only (T9.1's nonconvex form and
  ** T9.7 fix gamma): a smaller step is outside it (verdict n/a). */
  int step_fixed;
  tpc_theorem_measure measure;
  const char *bound_text;      /* "2 Delta0/(gamma T) + E[G0]/(A T)" */
  /* The measured quantity M of one run, whose mean the bound holds
  ** (NULL for a one-step theorem).  For min_{t<T} E||grad f||^2 it is the
  ** run's own minimum, and measured_upper its mean over t: the mean of the
  ** first is at most the theorem's quantity and the mean of the second at
  ** least, so the check passes on the second and is violated on the first
  ** (NULL: both are `measured`). */
  double (*measured)(const tpc_theorem_run *r);
  double (*measured_upper)(const tpc_theorem_run *r);
  /* M at a recorded point, for the trajectory drawn against its bound
  ** (NULL: none drawn); for a minimum over t, the quantity whose running
  ** minimum is drawn. */
  double (*measured_at)(const tpc_theorem_run *r, const tpc_alg1_point *pt);
  /* The bound at iteration t is main + start: main the same in every
  ** repetition, start affine in the repetition's random start (G^0), so
  ** that each repetition's start is taken with its own measurement. */
  double (*bound_main)(const tpc_theorem_run *r, double t);
  double (*bound_start)(const tpc_theorem_run *r, double t);
  /* One-step theorems: the two sides at consecutive points. */
  double (*step_lhs)(const tpc_theorem_run *r, const tpc_alg1_point *next);
  double (*step_rhs)(const tpc_theorem_run *r, const tpc_alg1_point *now);
  /* A deterministic comparison also allows the rounding of f near its
  ** minimum (bounds on f(x^T) - f^inf). */
  int f_rounding;
  /* The floor that rounding puts under the measured quantity (the left
  ** side of a one-step theorem) of run r, where iterates converge to x*:
  ** a measurement within it says nothing against the bound (NULL: none). */
  double (*rounding)(const tpc_theorem_run *r);
  /* The same at point pt, for a quantity whose rounding grows along the
  ** run (T11.3's Gamma_t (f - f*)); when set it replaces `rounding`. */
  double (*rounding_at)(const tpc_theorem_run *r, const tpc_alg1_point *pt);
} tpc_theorem;

/* Assumptions several theorems share (catalogue.c): NULL when the problem
** meets them, else what it lacks ("the problem's L-"). */
const char *tpc_theorem_need_Lminus(const tpc_theorem_env *e);
const char *tpc_theorem_need_Lplus(const tpc_theorem_env *e);
const char *tpc_theorem_need_Lmax(const tpc_theorem_env *e);
const char *tpc_theorem_need_finf(const tpc_theorem_env *e);
const char *tpc_theorem_need_convex(const tpc_theorem_env *e);
const char *tpc_theorem_need_strongly_convex(const tpc_theorem_env *e);
const char *tpc_theorem_need_optimum(const tpc_theorem_env *e);

/* Rounding floors of ||x^t - x*||^2 and of H^t = (1/n) sum ||h_i^t - h_i*||^2
** for iterates that contract to x* (h_i to h_i*) at the rate `rate` per
** step (gamma mu for x; beta or p for DIANA's shifts): each step rounds
** x (h_i) by a few ulps of its size, which adds up over about 2/rate
** steps, and x* itself is off by up to |grad f(x*)|/mu (h_i* by L_max times
** that):
**   dist: (8 eps (||x*|| + ||x^0 - x*||)/(gamma mu) + acc/mu)^2
**   H:    (8 eps (sqrt(sum ||h_i*||^2/n) + sqrt(H^0))/rate + L_max acc/mu)^2
** with mu the constant the theorem uses. */
double tpc_theorem_dist_floor(const tpc_theorem_run *r, double mu);
double tpc_theorem_shift_floor(const tpc_theorem_run *r, double mu, double rate);

/* bound_start of a theorem whose bound does not depend on the random start. */
double tpc_theorem_no_start(const tpc_theorem_run *r, double t);

/* Whether the method is the typed method `name` (methods/method.h). */
int tpc_theorem_method_is(const tpc_theorem_env *e, const char *name);

/* The catalogue in order, NULL-terminated (fewer than TPC_THEOREMS_MAX
** entries); look-up by id (NULL if none). */
#define TPC_THEOREMS_MAX 32
extern const tpc_theorem *const tpc_theorems[];
const tpc_theorem *tpc_theorem_find(const char *id);

/* "(1/T) sum_{t<T} ||grad f(x^t)||^2", ... */
const char *tpc_theorem_measure_text(tpc_theorem_measure m);

/* What the runs of a check of t must record. */
tpc_theorem_needs tpc_theorem_needs_of(const tpc_theorem *t);

/* Why the theorem does not apply to the method on the problem, NULL when it
** does: the method's exclusion or the first failing assumption's reason.
** *assumption (may be NULL) gets the failing assumption's name ("the
** methods it covers" for the method's). */
const char *tpc_theorem_why_not(const tpc_theorem *t, const tpc_theorem_env *e,
                                const char **assumption);

/* The same for the step rule alone (a run at the theorem's step without its
** check): the method's exclusion and the assumptions marked for_step. */
const char *tpc_theorem_step_why_not(const tpc_theorem *t, const tpc_theorem_env *e);

#endif
