/*
** tpc list: every registered compressor and mechanism with its parameters,
** its declared constants in symbols, and the THEORY.md item they come from.
*/
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"

static void entry(const char *synopsis, const char *theory, const char *summary,
                  const char *declared) {
  printf("  %-44s [%s]\n      %s\n      declared: %s\n", synopsis, theory, summary, declared);
}

int cmd_list(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'h') {
      printf("usage: tpc list\n\nLists every compressor (T1, T2) and mechanism (T3) tpc knows,\n"
             "with its spec syntax, declared constants and THEORY.md item.\n"
             "alpha: contraction B(alpha); omega: variance U(omega); A, B: the 3PC pair.\n");
      return TPC_EXIT_OK;
    }
    return TPC_EXIT_USAGE;
  }
  if (optind < argc) {
    fprintf(stderr, "tpc list: unexpected argument '%s'\n", argv[optind]);
    return TPC_EXIT_USAGE;
  }
  tpc_registry *reg = tpc_cli_registry();
  if (!reg) return TPC_EXIT_INTERNAL;
  const tpc_comp_type *ct;
  const tpc_mech_type *mt;
  printf("Compressors (THEORY.md T1, T2)\n");
  for (size_t i = 0; (ct = tpc_registry_comp_at(reg, i)); i++)
    entry(ct->synopsis, ct->theory, ct->summary, ct->declared);
  printf("\nMechanisms (THEORY.md T3); C contractive, Q unbiased, M a 3PC\n");
  for (size_t i = 0; (mt = tpc_registry_mech_at(reg, i)); i++)
    entry(mt->synopsis, mt->theory, mt->summary, mt->declared);
  tpc_registry_free(reg);
  return TPC_EXIT_OK;
}
