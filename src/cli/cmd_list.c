/*
** tpc list: every registered compressor and mechanism with its parameters,
** its declared constants in symbols, and the THEORY.md item they come from.
** With --plugin FILE.so the plugin's types are listed too, marked as such.
*/
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"

/* Plugins may leave the descriptive strings NULL: print "-" instead. */
static const char *text(const char *s) { return s ? s : "-"; }

static void entry(const char *synopsis, const char *theory, const char *summary,
                  const char *declared, int plugin) {
  printf("  %-44s [%s]%s\n      %s\n      declared: %s\n", text(synopsis), text(theory),
         plugin ? " (plugin)" : "", text(summary), text(declared));
}


static int usage(FILE *out, int code) {
  fprintf(out,
          "usage: tpc list [--plugin FILE.so]...\n\n"
          "Lists every compressor (T1, T2) and mechanism (T3) tpc knows,\n"
          "with its spec syntax, declared constants and THEORY.md item.\n"
          "alpha: contraction B(alpha); omega: variance U(omega); A, B: the 3PC pair.\n"
          "  --plugin FILE    also list what a plugin registers (repeatable)\n");
  return code;
}

int cmd_list(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, 0, 'h'},
                                       {"plugin", required_argument, 0, TPC_OPT_PLUGIN},
                                       {0, 0, 0, 0}};
  tpc_cli_common o;
  tpc_cli_common_init(&o);
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'h') return usage(stdout, TPC_EXIT_OK);
    if (c != TPC_OPT_PLUGIN || tpc_cli_common_opt(&o, c, optarg) != 1)
      return usage(stderr, TPC_EXIT_USAGE);
  }
  if (optind < argc) {
    fprintf(stderr, "tpc list: unexpected argument '%s'\n", argv[optind]);
    return TPC_EXIT_USAGE;
  }
  int code = TPC_EXIT_OK;
  tpc_registry *reg = tpc_cli_registry_plugins(&o, &code);
  if (!reg) return code;
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
  tpc_registry_free(reg);
  return TPC_EXIT_OK;
}
