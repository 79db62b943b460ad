/*
** Helpers shared by the subcommands: reporting library errors with the right
** exit code, reading specs with a caret under the error, reading numbers.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/error.h"

int tpc_cli_exit_code(int status) {
  return status == TPC_EINPUT ? TPC_EXIT_USAGE : TPC_EXIT_INTERNAL;
}

int tpc_cli_fail(int status) {
  fprintf(stderr, "tpc: %s\n", tpc_error_msg());
  return tpc_cli_exit_code(status);
}

/* The column a spec error message names ("column 8: ..."), or 0. */
static size_t error_column(const char *msg) {
  const char *p = strstr(msg, "column ");
  size_t c = 0;
  if (p) sscanf(p + 7, "%zu", &c);
  return c;
}

static void print_caret(const char *text, size_t column) {
  if (column == 0 || column > strlen(text) + 1) return;
  fprintf(stderr, "  %s\n  %*s^\n", text, (int)(column - 1), "");
}

tpc_spec *tpc_cli_spec(const tpc_registry *reg, const char *text, int *exit_code) {
  tpc_spec *s = NULL;
  int rc = tpc_spec_parse(text, &s);
  if (!rc) {
    rc = tpc_spec_check(reg, s);
    if (rc) tpc_error_prefix(rc, "spec '%s': ", text);
  }
  if (!rc) return s;
  tpc_spec_free(s);
  *exit_code = tpc_cli_fail(rc);
  print_caret(text, error_column(tpc_error_msg()));
  return NULL;
}

int tpc_cli_size(const char *opt, const char *text, size_t *out) {
  char *end;
  errno = 0;
  uintmax_t v = strtoumax(text, &end, 10);
  if (errno || end == text || *end || text[0] == '-' || v == 0 || v > SIZE_MAX / 16) {
    fprintf(stderr, "tpc: %s expects a positive integer, got '%s'\n", opt, text);
    return TPC_EXIT_USAGE;
  }
  *out = (size_t)v;
  return TPC_EXIT_OK;
}

tpc_registry *tpc_cli_registry(void) {
  tpc_registry *r = tpc_registry_alloc();
  if (!r) tpc_cli_fail(TPC_ENOMEM);
  return r;
}
