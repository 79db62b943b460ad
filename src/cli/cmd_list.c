/*
** tpc list: every registered compressor and mechanism with its parameters,
** its declared constants in symbols, and the THEORY.md item they come from;
** then the catalogue of theorems `tpc rate` checks
** (bounds/theorems/catalogue.h).  With --plugin FILE.so the plugin's types
** are listed too, marked as such.
*/
#include <stdio.h>

#include "bounds/theorems/catalogue.h"
#include "cli/cli.h"
#include "methods/method.h"

/* Plugins may leave the descriptive strings NULL: print "-" instead. */
static const char *text(const char *s) { return s ? s : "-"; }

static void entry(const char *synopsis, const char *theory, const char *summary,
                  const char *declared, int plugin) {
  printf("  %-44s [%s]%s\n      %s\n      declared: %s\n", text(synopsis), text(theory),
         plugin ? " (plugin)" : "", text(summary), text(declared));
}


/* One theorem: id, title and citation, then what it covers, assumes, allows,
** measures and states. */
static void theorem_entry(const tpc_theorem *t) {
  printf("  %-9s %-34s [%s]\n      source: %s\n      methods: %s\n      assumes:", t->id,
         t->title, t->theory, t->source, t->methods);
  for (const tpc_theorem_assumption *a = t->assumptions; a->name; a++)
    printf("%s %s", a == t->assumptions ? "" : ";", a->name);
  printf("\n      step: %s\n      measures: %s\n      bound: %s\n", t->step_rule,
         tpc_theorem_measure_text(t->measure), t->bound_text);
}

static const char usage[] =
    "usage: tpc list [--plugin FILE.so]...\n\n"
    "Lists every compressor (T1, T2), mechanism (T3) and method (T8-T11) tpc knows,\n"
    "with its spec syntax, declared constants and THEORY.md item, and the\n"
    "theorems tpc rate checks (id, assumptions, step rule, bound).\n"
    "alpha: contraction B(alpha); omega: variance U(omega); A, B: the 3PC pair.\n"
    "With --plugin, also what each plugin registers, marked (plugin).\n";

int cmd_list(tpc_cli_ctx *ctx) {
  static const struct option no_options[] = {{0, 0, 0, 0}};
  int code = tpc_cli_parse(ctx, no_options, NULL, NULL, usage);
  if (code) return code;
  if (ctx->nargs) {
    fprintf(stderr, "tpc list: unexpected argument '%s'\n", ctx->args[0]);
    return TPC_EXIT_USAGE;
  }
  const tpc_registry *reg = ctx->reg;
  /* Plugins register after the built-ins: what lies past them is theirs. */
  size_t ncomp = 0, nmech = 0;
  while (tpc_builtin_comps[ncomp]) ncomp++;
  while (tpc_builtin_mechs[nmech]) nmech++;
  const tpc_comp_type *ct;
  const tpc_mech_type *mt;
  printf("Compressors (THEORY.md T1, T2)\n");
  for (size_t i = 0; (ct = tpc_registry_comp_at(reg, i)); i++)
    entry(ct->synopsis, ct->theory, ct->summary, ct->declared, i >= ncomp);
  printf("\nMechanisms (THEORY.md T3); C contractive, Q unbiased, M a 3PC\n");
  for (size_t i = 0; (mt = tpc_registry_mech_at(reg, i)); i++)
    entry(mt->synopsis, mt->theory, mt->summary, mt->declared, i >= nmech);
  printf("\nMethods (THEORY.md T8-T11; any mechanism above runs Algorithm 1, T4)\n");
  for (size_t i = 0; tpc_builtin_methods[i]; i++) {
    const tpc_method_type *t = tpc_builtin_methods[i];
    printf("  %-44s [%s]\n      %s\n      requires: %s\n", t->synopsis, t->theory,
           t->summary, t->requires);
  }
  printf("\nTheorems (tpc rate checks every one that applies; tpc describe METHOD "
         "--problem P)\n");
  for (size_t i = 0; tpc_theorems[i]; i++) theorem_entry(tpc_theorems[i]);
  return TPC_EXIT_OK;
}
