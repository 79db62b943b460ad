/*
** The objects the tests of the methods (src/methods/) and of their
** theorems (bounds/theorems/) build from spec text, each step asserted so a
** test fails where its input is wrong: a problem, and a method of a
** built-in type or of a test's own variant (methods/method.h).
*/
#ifndef TPC_TEST_MAKE_OBJECTS_H
#define TPC_TEST_MAKE_OBJECTS_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "core/error.h"
#include "methods/method.h"
#include "problems/problem.h"
#include "registry/registry.h"
#include "spec/spec.h"

static inline tpc_problem *test_problem_make(const char *text) {
  tpc_spec *s = NULL;
  int status;
  cr_assert(eq(int, tpc_spec_parse(text, &s), TPC_OK), "%s", text);
  tpc_problem *p = tpc_problem_alloc(s, &status);
  cr_assert(p != NULL, "%s: %s", text, tpc_error_msg());
  tpc_spec_free(s);
  return p;
}

/* Method `text` on p: of type t (a test's variant), or with t NULL of the
** type its name says, with optimum opt (NULL: the problem's); a mechanism
** spec is Algorithm 1 (opt unused). */
static inline tpc_method *test_method_make(const tpc_registry *reg, const tpc_method_type *t,
                                           const tpc_problem *p, const char *text,
                                           const tpc_problem_optimum *opt) {
  tpc_spec *s = NULL;
  int status;
  cr_assert(eq(int, tpc_spec_parse(text, &s), TPC_OK), "%s", text);
  if (!t) t = tpc_method_type_find(s->name);
  tpc_method *m = t ? tpc_method_alloc_type(t, p, reg, s, opt, &status)
                    : tpc_method_alloc(p, reg, s, &status);
  cr_assert(m != NULL, "%s: %s", text, tpc_error_msg());
  tpc_spec_free(s);
  return m;
}

#endif
