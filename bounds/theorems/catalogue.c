/*
** The catalogue's table and what every theorem shares (catalogue.h): the
** constants they read, the look-up by id and the applicability test.  A
** paper's theorems are defined in their own file (thm_3pc.c) and listed
** here in the order `tpc list` shows them.
*/
#include "bounds/theorems/catalogue.h"

#include <string.h>

extern const tpc_theorem tpc_theorem_3pc_thm1, tpc_theorem_3pc_pl;

const tpc_theorem *const tpc_theorems[] = {&tpc_theorem_3pc_thm1, &tpc_theorem_3pc_pl, NULL};

/* The one place that reads a problem's and a method's constants for the
** theorems: constants declared later (per-client L_i, strong convexity,
** the optimum) are copied here. */
void tpc_theorem_env_fill(tpc_theorem_env *e, const tpc_problem *p, const tpc_mech_consts *mc) {
  memset(e, 0, sizeof *e);
  e->d = p->d;
  e->n = p->n;
  e->Lminus = p->c.Lminus;
  e->Lplus = p->c.Lplus;
  e->mu = p->c.mu;
  e->finf = p->c.finf;
  e->mc = *mc;
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
      "min_{t<T} E||grad f(x^t)||^2"};
  return text[m];
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
