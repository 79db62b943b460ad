/*
** The tpc command: one table of subcommands (main.c), one file per
** subcommand (cmd_<name>.c), and the few helpers they share (common.c).
**
** Exit codes everywhere (DESIGN.md): 0 all checks pass, 1 a check failed,
** 2 bad input or usage, 3 inconclusive, 4 internal or environment error.
*/
#ifndef TPC_CLI_H
#define TPC_CLI_H

#include <stddef.h>

#include "core/registry.h"
#include "spec/spec.h"

enum {
  TPC_EXIT_OK = 0,
  TPC_EXIT_FAIL = 1,
  TPC_EXIT_USAGE = 2,
  TPC_EXIT_INCONCLUSIVE = 3,
  TPC_EXIT_INTERNAL = 4
};

typedef struct tpc_cli_cmd {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *synopsis;   /* one line: "describe SPEC [--d D] [--n N]" */
  const char *summary;
} tpc_cli_cmd;

int cmd_list(int argc, char **argv);
int cmd_describe(int argc, char **argv);

/* Print "tpc: " + message to stderr and return the exit code for status. */
int tpc_cli_fail(int status);

/* Exit code for a library status (TPC_EINPUT -> 2, anything else -> 4). */
int tpc_cli_exit_code(int status);

/* Parse a spec and check it against the registry; on error print the
** message with a caret under the column it names and return NULL with
** *exit_code = 2 (or 4 when out of memory). */
tpc_spec *tpc_cli_spec(const tpc_registry *reg, const char *text, int *exit_code);

/* Read a positive integer option value ("--d 100"); 2 with a message if it
** is not one. */
int tpc_cli_size(const char *opt, const char *text, size_t *out);

/* The registry with the built-ins, or NULL after printing why. */
tpc_registry *tpc_cli_registry(void);

#endif
