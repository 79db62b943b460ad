/*
** Tests of the catalogue of theorems (bounds/theorems/catalogue.h):
**
**  - the table: unique ids of the form FAMILY.NAME, every field a check
**    reads set, families contiguous (one report table each), fewer entries
**    than TPC_THEOREMS_MAX;
**  - applicability: which assumption fails first, and its reason, for
**    constants built by hand (the messages `tpc rate` and `tpc describe`
**    print), and the step rule alone (runs without a check);
**  - the step rules, measured quantities and bounds of T5 against values
**    computed by hand from THEORY.md T5.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <string.h>

#include "bounds/theorems/catalogue.h"

/* Text equality that tolerates NULL (an assumption that holds). */
static int same(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* A problem with every constant of T5 known exactly, and EF21-like A, B. */
static tpc_theorem_env env_known(void) {
  tpc_theorem_env e;
  memset(&e, 0, sizeof e);
  e.d = 10;
  e.n = 4;
  e.Lminus = (tpc_const){2, TPC_CONST_EXACT};
  e.Lplus = (tpc_const){3, TPC_CONST_EXACT};
  e.mu = (tpc_const){0.5, TPC_CONST_EXACT};
  e.finf = (tpc_const){-1, TPC_CONST_EXACT};
  e.mc.has_AB = 1;
  e.mc.A = 0.25;
  e.mc.B = 1;
  e.mc.ineq = TPC_INEQ_3PC;
  return e;
}

Test(catalogue, table_is_consistent) {
  size_t n = 0;
  for (; tpc_theorems[n]; n++) {
    const tpc_theorem *t = tpc_theorems[n];
    size_t fl = strlen(t->family);
    cr_assert(t->id != NULL && strncmp(t->id, t->family, fl) == 0 && t->id[fl] == '.' &&
                  t->id[fl + 1],
              "%s: the id is FAMILY.NAME", t->id);
    cr_assert(t->title != NULL && t->check_name && t->source && t->kind && t->methods &&
                  t->step_rule && t->bound_text,
              "%s: a text is missing", t->id);
    cr_assert(strncmp(t->theory, t->family, fl) == 0 &&
                  (t->theory[fl] == ' ' || t->theory[fl] == '.'),
              "%s: cites its own section (%s)", t->id, t->theory);
    cr_assert(t->method_why_not != NULL && t->step, "%s: a function is missing", t->id);
    if (t->measure == TPC_THEOREM_ONE_STEP)
      cr_assert(t->step_lhs && t->step_rhs && !t->measured, "%s: one step: its two sides", t->id);
    else
      cr_assert(t->measured && t->bound_main && t->bound_start && !t->step_lhs,
                "%s: a measured quantity and its bound", t->id);
    size_t na = 0;
    while (t->assumptions[na].name) cr_assert(t->assumptions[na++].why_not != NULL);
    cr_assert(lt(sz, na, TPC_THEOREM_MAX_ASSUMPTIONS), "%s: the NULL entry ends them", t->id);
    cr_assert(eq(ptr, (void *)tpc_theorem_find(t->id), (void *)t), "%s is found", t->id);
    for (size_t k = 0; k < n; k++) {
      cr_assert(strcmp(tpc_theorems[k]->id, t->id) != 0, "%s twice", t->id);
      /* a family seen before must end right before t */
      if (strcmp(tpc_theorems[k]->family, t->family) == 0)
        cr_assert(same(tpc_theorems[n - 1]->family, t->family), "%s: family split", t->id);
    }
  }
  cr_assert(n >= 2 && n < TPC_THEOREMS_MAX);
  cr_assert(tpc_theorem_find("T9.9") == NULL);
  cr_assert(same(tpc_theorems[0]->id, "T5.thm1"), "the step of a run without a check");
}

Test(catalogue, applicability_names_the_failing_assumption) {
  const tpc_theorem *thm1 = tpc_theorem_find("T5.thm1"), *pl = tpc_theorem_find("T5.pl");
  tpc_theorem_env e = env_known();
  const char *a = NULL;
  cr_assert(tpc_theorem_why_not(thm1, &e, &a) == NULL);
  cr_assert(tpc_theorem_why_not(pl, &e, &a) == NULL);
  e.finf.kind = TPC_CONST_BOUND; /* a lower bound: Theorem 1 yes, PL no */
  cr_assert(tpc_theorem_why_not(thm1, &e, &a) == NULL);
  cr_assert(same(tpc_theorem_why_not(pl, &e, &a),
                "an exact f^inf (the PL check cannot use a lower bound)"));
  cr_assert(same(a, "f^inf exact"));
  e = env_known();
  e.mu = (tpc_const){0, TPC_CONST_UNKNOWN};
  cr_assert(same(tpc_theorem_why_not(pl, &e, &a),
                "a PL constant mu > 0 (the problem declares none)"));
  cr_assert(same(a, "f is PL with a known mu > 0"));
  e.Lminus.kind = TPC_CONST_UNKNOWN; /* the first failure is reported */
  cr_assert(same(tpc_theorem_why_not(pl, &e, &a), "the problem's L-"));
  cr_assert(same(tpc_theorem_step_why_not(thm1, &e), "the problem's L-"));
  e = env_known();
  e.finf.kind = TPC_CONST_UNKNOWN; /* a run without a check needs no f^inf */
  cr_assert(tpc_theorem_step_why_not(thm1, &e) == NULL);
  cr_assert(same(tpc_theorem_why_not(thm1, &e, &a), "the problem's f^inf"));
  e = env_known();
  e.mc.has_AB = 0;
  e.mc.ineq = TPC_INEQ_SHIFT;
  cr_assert(same(tpc_theorem_why_not(thm1, &e, &a),
                "the method's A, B (a shifted compressor with c >= 1 declares no 3PC pair)"));
  cr_assert(same(a, "the methods it covers"));
  e = env_known();
  e.mc.A = 1.5; /* outside 0 < A <= 1 */
  cr_assert(same(tpc_theorem_why_not(thm1, &e, NULL), "the method's A, B (it declares none)"));
}

/* THEORY.md T5 with L- = 2, L+ = 3, A = 1/4, B = 1, mu = 1/2:
** Theorem 1: gamma = 1/(2 + 3 sqrt(4)) = 1/8;
** PL: min{1/(2 + 3 sqrt(8)), A/(2 mu) = 1/4} = 1/(2 + 6 sqrt 2). */
Test(catalogue, t5_steps_and_bounds_by_hand) {
  const tpc_theorem *thm1 = tpc_theorem_find("T5.thm1"), *pl = tpc_theorem_find("T5.pl");
  tpc_theorem_env e = env_known();
  cr_assert(ieee_ulp_eq(dbl, thm1->step(&e), 0.125, 0));
  cr_assert(ieee_ulp_eq(dbl, pl->step(&e), 1 / (2 + 6 * sqrt(2.0)), 2));
  /* a made-up trajectory summary: Delta0 = f(x^0) - f^inf = 3, G0 = 2 */
  tpc_alg1_result r;
  memset(&r, 0, sizeof r);
  r.first.f = e.finf.value + 3;
  r.first.G = 2;
  tpc_theorem_run at8 = {&e, 0.125, &r}, at10 = {&e, 0.1, &r};
  /* Theorem 1 at gamma 1/8, T = 10: 2*3/(10/8) + 2/(10/4) */
  cr_assert(ieee_ulp_eq(dbl, thm1->bound_main(&at8, 10), 4.8, 1));
  cr_assert(ieee_ulp_eq(dbl, thm1->bound_start(&at8, 10), 0.8, 1));
  /* PL at gamma 0.1, T = 2: rho = 0.95^2 = 0.9025; start (gamma/A) G0 = 0.4 * 2 */
  cr_assert(ieee_ulp_eq(dbl, pl->bound_main(&at10, 2), 0.9025 * 3, 2));
  cr_assert(ieee_ulp_eq(dbl, pl->bound_start(&at10, 2), 0.9025 * 0.8, 2));
  /* the measured quantities */
  r.iters = 4;
  r.sum_gnorm2 = 10;
  r.last.f = 0.5;
  r.last.G = 0.2;
  tpc_theorem_run run = {&e, 0.1, &r};
  cr_assert(ieee_ulp_eq(dbl, thm1->measured(&run), 2.5, 0));
  cr_assert(ieee_ulp_eq(dbl, pl->measured(&run), 0.5 + 1 + 0.4 * 0.2, 1));
  for (int m = 0; m < TPC_THEOREM_MEASURES; m++)
    cr_assert(tpc_theorem_measure_text((tpc_theorem_measure)m) != NULL, "measure %d", m);
  cr_assert(same(tpc_theorem_measure_text(pl->measure),
                "E[Psi^T], Psi^t = f(x^t) - f^inf + (gamma/A) G^t"));
}
