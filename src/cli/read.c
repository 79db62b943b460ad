/*
** Typed readers of option values: every number, choice and list a command
** takes on its command line is read here, so that each kind is accepted
** with one syntax and refused with one message, "tpc: OPT expects WHAT, got
** 'TEXT'", and exit code 2 (cli.h).
*/
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static int refuse(const char *opt, const char *what, const char *text) {
  fprintf(stderr, "tpc: %s expects %s, got '%s'\n", opt, what, text);
  return TPC_EXIT_USAGE;
}

/* Decimal digits only, up to the first character in stop (or the end):
** strtoumax alone would take a sign or leading blanks.  *end is where the
** number stopped; 0 when it is none or overflows uintmax_t. */
static int read_digits(const char *text, const char *stop, uintmax_t *v, const char **end) {
  char *e;
  if (!(text[0] >= '0' && text[0] <= '9')) return 0;
  errno = 0;
  *v = strtoumax(text, &e, 10);
  *end = e;
  return !errno && (*e == '\0' || strchr(stop, *e));
}

/* "a positive integer", "a non-negative integer" or "an integer from LO to HI". */
static int refuse_integer(const char *opt, const char *text, uintmax_t lo, uintmax_t hi,
                          uintmax_t max) {
  char what[80];
  if (hi == max && lo <= 1)
    snprintf(what, sizeof what, "a %s integer", lo ? "positive" : "non-negative");
  else
    snprintf(what, sizeof what, "an integer from %ju to %ju", lo, hi);
  return refuse(opt, what, text);
}

static int read_integer(const char *opt, const char *text, uintmax_t lo, uintmax_t hi,
                        uintmax_t max, uintmax_t *out) {
  uintmax_t v;
  const char *end;
  if (!read_digits(text, "", &v, &end) || v < lo || v > hi)
    return refuse_integer(opt, text, lo, hi, max);
  *out = v;
  return TPC_EXIT_OK;
}

int tpc_cli_read_count(const char *opt, const char *text, size_t lo, size_t hi, size_t *out) {
  uintmax_t v;
  int rc = read_integer(opt, text, lo, hi, TPC_CLI_COUNT_MAX, &v);
  if (!rc) *out = (size_t)v;
  return rc;
}

int tpc_cli_read_u64(const char *opt, const char *text, uint64_t *out) {
  uintmax_t v;
  int rc = read_integer(opt, text, 0, UINT64_MAX, UINT64_MAX, &v);
  if (!rc) *out = (uint64_t)v;
  return rc;
}

int tpc_cli_read_run(const char *opt, const char *text, int64_t *out) {
  uintmax_t v;
  const char *end;
  if (!read_digits(text, "", &v, &end) || v == 0 || v > INT64_MAX)
    return refuse(opt, "a run id (a positive integer)", text);
  *out = (int64_t)v;
  return TPC_EXIT_OK;
}

static int in_range(double v, tpc_cli_range r) {
  return (r.lo_open ? v > r.lo : v >= r.lo) && (r.hi_open ? v < r.hi : v <= r.hi);
}

int tpc_cli_read_real(const char *opt, const char *text, tpc_cli_range r, double *out) {
  char *end, what[96];
  errno = 0;
  double v = strtod(text, &end);
  if (!errno && end != text && *end == '\0' && isfinite(v) && in_range(v, r)) {
    *out = v;
    return TPC_EXIT_OK;
  }
  if (isinf(r.hi))
    snprintf(what, sizeof what, "a number %s %g", r.lo_open ? ">" : ">=", r.lo);
  else
    snprintf(what, sizeof what, "a number in %c%g, %g%c", r.lo_open ? '(' : '[', r.lo, r.hi,
             r.hi_open ? ')' : ']');
  return refuse(opt, what, text);
}

int tpc_cli_read_choice(const char *opt, const char *text, const char *const *names, int *out) {
  int n = 0;
  for (; names[n]; n++)
    if (!strcmp(names[n], text)) {
      *out = n;
      return TPC_EXIT_OK;
    }
  /* "f64 or f32", "one of problem, zero or gauss" */
  char what[256] = "";
  size_t len = 0;
  if (n > 2) len = (size_t)snprintf(what, sizeof what, "one of ");
  for (int k = 0; k < n && len < sizeof what; k++)
    len += (size_t)snprintf(what + len, sizeof what - len, "%s%s",
                            k == 0 ? "" : k == n - 1 ? " or " : ", ", names[k]);
  return refuse(opt, what, text);
}

/* One item of a size list, ended by ',' or the end: N or 2^N. */
static int read_size(const char *item, size_t max, size_t *out, const char **end) {
  uintmax_t v;
  if (!read_digits(item, ",^", &v, end)) return 0;
  if (**end == '^') {
    if (v != 2) return 0;
    uintmax_t e;
    if (!read_digits(*end + 1, ",", &e, end) || e >= sizeof(size_t) * 8) return 0;
    v = (uintmax_t)1 << e;
  }
  if (v == 0 || v > max) return 0;
  *out = (size_t)v;
  return 1;
}

int tpc_cli_read_sizes(const char *opt, const char *text, size_t max, size_t cap, size_t *out,
                       size_t *n) {
  char what[96];
  snprintf(what, sizeof what, "a comma-separated list of at most %zu sizes "
           "(N or 2^N, 1 to %zu)", cap, max);
  size_t count = 0;
  for (const char *p = text, *end;; p = end + 1) {
    if (count == cap || !read_size(p, max, &out[count], &end)) return refuse(opt, what, text);
    count++;
    if (*end == '\0') break;
  }
  *n = count;
  return TPC_EXIT_OK;
}

int tpc_cli_size(const char *opt, const char *text, size_t *out) {
  return tpc_cli_read_count(opt, text, 1, TPC_CLI_COUNT_MAX, out);
}

int tpc_cli_threshold(const char *text, double *out) {
  return tpc_cli_read_real("--threshold", text, TPC_CLI_THRESHOLD, out);
}
