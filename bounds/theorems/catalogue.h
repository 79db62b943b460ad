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
** take their numbers ("T8.2", "T9.3").  A descriptor's `theory` is the
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
#include "problems/problem.h"

/* The constants the theorems' assumptions, steps and bounds read. */
typedef struct tpc_theorem_env {
  size_t d, n;
  tpc_const Lminus, Lplus, mu, finf;   /* the problem's (problems/problem.h) */
  tpc_mech_consts mc;                  /* the method's declared constants */
} tpc_theorem_env;

/* The problem's and the method's constants as the theorems see them. */
void tpc_theorem_env_fill(tpc_theorem_env *e, const tpc_problem *p, const tpc_mech_consts *mc);

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
  TPC_THEOREM_MEASURES         /* their number */
} tpc_theorem_measure;

/* What a check of the theorem reads of one run. */
typedef struct tpc_theorem_run {
  const tpc_theorem_env *env;
  double gamma;                /* the step the run used */
  const tpc_alg1_result *res;  /* its trajectory summary */
} tpc_theorem_run;

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
  tpc_theorem_assumption assumptions[TPC_THEOREM_MAX_ASSUMPTIONS]; /* NULL name ends */
  const char *step_rule;       /* "gamma <= 1/(L- + L+ sqrt(B/A))" */
  double (*step)(const tpc_theorem_env *e);  /* the largest step it allows */
  tpc_theorem_measure measure;
  const char *bound_text;      /* "2 Delta0/(gamma T) + E[G0]/(A T)" */
  /* The measured quantity of one run. */
  double (*measured)(const tpc_theorem_run *r);
  /* The bound is main(Delta0) + start(G0), affine in the start's error G0
  ** so that a randomized method's G0 is taken per repetition: T the
  ** iterations, Delta0 = f(x^0) - f^inf. */
  double (*bound_main)(const tpc_theorem_env *e, double gamma, double T, double delta0);
  double (*bound_start)(const tpc_theorem_env *e, double gamma, double T, double G0);
  /* A deterministic comparison also allows the rounding of f near its
  ** minimum (bounds on f(x^T) - f^inf). */
  int f_rounding;
} tpc_theorem;

/* The catalogue in order, NULL-terminated (fewer than TPC_THEOREMS_MAX
** entries); look-up by id (NULL if none). */
#define TPC_THEOREMS_MAX 32
extern const tpc_theorem *const tpc_theorems[];
const tpc_theorem *tpc_theorem_find(const char *id);

/* "(1/T) sum_{t<T} ||grad f(x^t)||^2", ... */
const char *tpc_theorem_measure_text(tpc_theorem_measure m);

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
