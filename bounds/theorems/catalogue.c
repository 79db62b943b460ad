/*
** The catalogue's table and what every theorem shares (catalogue.h): the
** constants they read, the look-up by id and the applicability test.  A
** paper's theorems are defined in their own file (thm_3pc.c) and listed
** here in the order `tpc list` shows them.
*/
#include "bounds/theorems/catalogue.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/vec.h"

extern const tpc_theorem tpc_theorem_3pc_thm1, tpc_theorem_3pc_pl;
extern const tpc_theorem tpc_theorem_t82, tpc_theorem_t83, tpc_theorem_t84, tpc_theorem_t85;
extern const tpc_theorem tpc_theorem_t91, tpc_theorem_t91nc, tpc_theorem_t93, tpc_theorem_t94,
    tpc_theorem_t95, tpc_theorem_t96, tpc_theorem_t96c, tpc_theorem_t97, tpc_theorem_t102,
    tpc_theorem_t113;

const tpc_theorem *const tpc_theorems[] = {
    &tpc_theorem_3pc_thm1, &tpc_theorem_3pc_pl, &tpc_theorem_t82,  &tpc_theorem_t83,
    &tpc_theorem_t84,      &tpc_theorem_t85,    &tpc_theorem_t91,  &tpc_theorem_t91nc,
    &tpc_theorem_t93,      &tpc_theorem_t94,    &tpc_theorem_t95,  &tpc_theorem_t96,
    &tpc_theorem_t96c,     &tpc_theorem_t97,    &tpc_theorem_t102, &tpc_theorem_t113,
    NULL};

/* The one place that reads a problem's and a method's constants for the
** theorems: constants declared later (per-client L_i, strong convexity,
** the optimum) are copied here. */
void tpc_theorem_env_fill(tpc_theorem_env *e, const tpc_problem *p, const tpc_mech_consts *mc,
                          const tpc_method_info *m) {
  memset(e, 0, sizeof *e);
  e->d = p->d;
  e->n = p->n;
  e->Lminus = p->c.Lminus;
  e->Lplus = p->c.Lplus;
  e->mu = p->c.mu;
  e->finf = p->c.finf;
  e->Lmax = p->c.Lmax;
  e->musc = p->c.musc;
  e->mui = p->c.mui;
  e->convex = p->c.convex;
  e->Lmin_i = NAN;
  for (size_t i = 0; p->Li && i < p->n; i++) e->Lmin_i = i ? fmin(e->Lmin_i, p->Li[i]) : p->Li[i];
  e->mc = *mc;
  e->m = *m;
  e->hstar = NAN;
  e->finf_i = p->c.finf_i;
  e->T = e->f0 = NAN;
  /* a problem without a known minimiser says why in the error message,
  ** which the theorems that need one do not read */
  e->xstar_norm = NAN;
  if ((e->opt = tpc_problem_optimum(p))) {
    e->hstar = tpc_vec_norm2(e->opt->h, p->n * p->d);
    e->xstar_norm = sqrt(tpc_vec_norm2(e->opt->x, p->d));
  }
  tpc_error_clear();
}

const char *tpc_theorem_need_Lminus(const tpc_theorem_env *e) {
  return e->Lminus.kind == TPC_CONST_UNKNOWN ? "the problem's L-" : NULL;
}

const char *tpc_theorem_need_Lplus(const tpc_theorem_env *e) {
  return e->Lplus.kind == TPC_CONST_UNKNOWN ? "the problem's L+" : NULL;
}

const char *tpc_theorem_need_Lmax(const tpc_theorem_env *e) {
  return e->Lmax.kind == TPC_CONST_UNKNOWN ? "the problem's L_max = max_i L_i" : NULL;
}

const char *tpc_theorem_need_finf(const tpc_theorem_env *e) {
  return e->finf.kind == TPC_CONST_UNKNOWN ? "the problem's f^inf" : NULL;
}

const char *tpc_theorem_need_convex(const tpc_theorem_env *e) {
  return e->convex ? NULL : "every f_i convex (the problem does not declare it)";
}

const char *tpc_theorem_need_strongly_convex(const tpc_theorem_env *e) {
  return e->musc.kind == TPC_CONST_UNKNOWN || !(e->musc.value > 0)
             ? "f mu-strongly convex with a known mu > 0"
             : NULL;
}

const char *tpc_theorem_need_optimum(const tpc_theorem_env *e) {
  return e->opt ? NULL : "the minimiser x* and grad f_i(x*) (the problem knows none)";
}

double tpc_theorem_dist_floor(const tpc_theorem_run *r, double mu) {
  const tpc_theorem_env *e = r->env;
  double size = e->xstar_norm + sqrt(r->res->first.dist2);
  double err = 8 * DBL_EPSILON * size / (r->gamma * mu) + e->opt->accuracy / mu;
  return err * err;
}

double tpc_theorem_shift_floor(const tpc_theorem_run *r, double mu, double rate) {
  const tpc_theorem_env *e = r->env;
  double size = sqrt(e->hstar / (double)e->n) + sqrt(r->res->first.H);
  double err = 8 * DBL_EPSILON * size / rate + e->Lmax.value * e->opt->accuracy / mu;
  return err * err;
}

double tpc_theorem_no_start(const tpc_theorem_run *r, double t) {
  (void)r;
  (void)t;
  return 0;
}

int tpc_theorem_method_is(const tpc_theorem_env *e, const char *name) {
  return e->m.typed && !strcmp(e->m.name, name);
}

const tpc_theorem *tpc_theorem_find(const char *id) {
  for (size_t i = 0; tpc_theorems[i]; i++)
    if (!strcmp(tpc_theorems[i]->id, id)) return tpc_theorems[i];
  return NULL;
}

const char *tpc_theorem_measure_text(tpc_theorem_measure m) {
  static const char *const text[TPC_THEOREM_MEASURES] = {
      "(1/T) sum_{t<T} E||grad f(x^t)||^2",
      "E[Psi^T], Psi^t = f(x^t) - f^inf + (gamma/A) G^t",
      "E||x^k - x*||^2",
      "E[Psi^k], Psi^k = ||x^k - x*||^2 + w H^k, H^k = (1/n) sum_i ||h_i^k - h_i*||^2",
      "(1/(2 gamma)) E||x^T - x*||^2 + E[f(x^T) - f*]",
      "E f(xbar^T) - f*, xbar^T = (1/T) sum_{t=1}^T x^t",
      "min_{t<T} E||grad f(x^t)||^2",
      "one step: E[lhs(x^{t+1})] <= E[rhs(x^t)] at every t < T"};
  return text[m];
}

tpc_theorem_needs tpc_theorem_needs_of(const tpc_theorem *t) {
  tpc_theorem_needs n = {0, 0, 0};
  n.observe = t->measure >= TPC_THEOREM_DIST;
  n.average = t->measure == TPC_THEOREM_GAP_AVERAGE;
  n.every_point = t->measure == TPC_THEOREM_MIN_GNORM2 || t->measure == TPC_THEOREM_ONE_STEP;
  return n;
}

/* The first reason among the method's and the assumptions (all of them, or
** those the step needs). */
static const char *first_failure(const tpc_theorem *t, const tpc_theorem_env *e, int step_only,
                                 const char **assumption) {
  const char *why = t->method_why_not(e);
  if (why) {
    if (assumption) *assumption = "the methods it covers";
    return why;
  }
  for (const tpc_theorem_assumption *a = t->assumptions; a->name; a++)
    if ((!step_only || a->for_step) && (why = a->why_not(e))) {
      if (assumption) *assumption = a->name;
      return why;
    }
  return NULL;
}

const char *tpc_theorem_why_not(const tpc_theorem *t, const tpc_theorem_env *e,
                                const char **assumption) {
  return first_failure(t, e, 0, assumption);
}

const char *tpc_theorem_step_why_not(const tpc_theorem *t, const tpc_theorem_env *e) {
  return first_failure(t, e, 1, NULL);
}
