/*
** The helpers of fuzz.h: the scratch directory, input files, property
** failures, and the harness shared by the LibSVM, IDX and quadfile readers.
*/
#define _XOPEN_SOURCE 700
#include "fuzz.h"

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/error.h"
#include "problems/problem.h"
#include "spec/spec.h"

static char scratch[4096];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void scratch_remove(void) {
  if (scratch[0]) nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* abort() skips atexit: the scratch directory goes first.  (A sanitizer's
** report leaves it behind; tests/fuzz/run.sh removes its parent.) */
void fuzz_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("fuzz: property violated: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  scratch_remove();
  abort();
}

/* $FUZZ_SCRATCH (tests/fuzz/run.sh sets it, and removes it even after a
** crash), else /dev/shm, else $TMPDIR or /tmp. */
static const char *scratch_parent(void) {
  const char *env = getenv("FUZZ_SCRATCH");
  if (env && *env) return env;
  if (access("/dev/shm", W_OK) == 0) return "/dev/shm";
  env = getenv("TMPDIR");
  return env && *env ? env : "/tmp";
}

const char *fuzz_scratch_dir(void) {
  if (scratch[0]) return scratch;
  int n = snprintf(scratch, sizeof scratch, "%s/tpc-fuzz-XXXXXX", scratch_parent());
  if (n < 0 || (size_t)n >= sizeof scratch || !mkdtemp(scratch)) {
    fprintf(stderr, "fuzz: cannot make a scratch directory in %s: %s\n", scratch_parent(),
            strerror(errno));
    exit(1);
  }
  atexit(scratch_remove);
  return scratch;
}

void fuzz_scratch_path(const char *name, char *buf, size_t size) {
  int n = snprintf(buf, size, "%s/%s", fuzz_scratch_dir(), name);
  if (n < 0 || (size_t)n >= size) fuzz_fail("scratch path for '%s' too long", name);
}

void fuzz_write_file(const char *path, const uint8_t *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
    fprintf(stderr, "fuzz: cannot write %s: %s\n", path, strerror(errno));
    exit(1);
  }
}

/* ---- the data-file readers --------------------------------------------------- */

static void check_const(const char *name, tpc_const c) {
  if (c.kind != TPC_CONST_UNKNOWN && c.kind != TPC_CONST_EXACT && c.kind != TPC_CONST_BOUND)
    fuzz_fail("constant %s has kind %d", name, (int)c.kind);
  if (c.kind != TPC_CONST_UNKNOWN && !isfinite(c.value))
    fuzz_fail("constant %s = %g is known (kind %d) but not finite", name, c.value, (int)c.kind);
}

static void check_finite(const char *what, const double *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(v[i])) fuzz_fail("%s[%zu] = %g is not finite", what, i, v[i]);
}

/* A problem the reader accepted: its constants, x0, and f_i and grad f_i at
** x0 for every client, all finite. */
static void check_problem(const tpc_problem *p) {
  if (p->d == 0 || p->n == 0) fuzz_fail("accepted with d = %zu, n = %zu", p->d, p->n);
  check_const("L-", p->c.Lminus);
  check_const("L+", p->c.Lplus);
  check_const("L+-", p->c.Lpm);
  check_const("mu", p->c.mu);
  check_const("f_inf", p->c.finf);
  check_finite("x0", p->x0, p->d);
  size_t ws = tpc_problem_work_size(p);
  void *work = malloc(ws ? ws : 1);
  double *g = malloc(p->d * sizeof *g);
  if (!work || !g) fuzz_fail("out of memory for the gradient of d = %zu", p->d);
  for (size_t i = 0; i < p->n; i++) {
    double f = p->type->grad(p, i, p->x0, g, work);
    if (!isfinite(f)) fuzz_fail("f_%zu(x0) = %g is not finite", i, f);
    check_finite("grad f_i(x0)", g, p->d);
  }
  free(g);
  free(work);
}

/* The file as the readers see it, through zlib (a gzip file decompressed,
** up to where it is corrupt), NUL-terminated, at most FUZZ_TEXT_MAX bytes. */
#define FUZZ_TEXT_MAX ((size_t)16 << 20)
static char *read_back(const char *path, size_t *len) {
  gzFile f = gzopen(path, "rb");
  size_t cap = 65536;
  char *text = malloc(cap + 1);
  if (!f || !text) fuzz_fail("cannot read back %s", path);
  for (*len = 0;;) {
    if (*len == cap && (cap >= FUZZ_TEXT_MAX || !(text = realloc(text, (cap *= 2) + 1))))
      break;
    int got = gzread(f, text + *len, (unsigned)(cap - *len));
    if (got <= 0) break;
    *len += (size_t)got;
  }
  gzclose(f);
  if (!text) fuzz_fail("out of memory reading back %s", path);
  text[*len] = 0;
  return text;
}

static int announces_too_much(const char *path, fuzz_dim_fn dim) {
  size_t len = 0;
  char *text = read_back(path, &len);
  int big = dim(text, len) > FUZZ_MAX_D;
  free(text);
  return big;
}

int fuzz_problem_check(const uint8_t *data, size_t size, const char *type,
                       const char *params, fuzz_dim_fn dim) {
  char path[4200], text[4400];
  fuzz_scratch_path("input", path, sizeof path);
  fuzz_write_file(path, data, size);
  if (dim && announces_too_much(path, dim)) return -1;
  snprintf(text, sizeof text, "%s(file=\"%s\"%s)", type, path, params);
  tpc_spec *s = NULL;
  if (tpc_spec_parse(text, &s) != TPC_OK)
    fuzz_fail("harness spec %s: %s", text, tpc_error_msg());
  tpc_error_clear();
  int status = -1;
  tpc_problem *p = tpc_problem_alloc(s, &status);
  if (p) {
    check_problem(p);
    tpc_problem_free(p);
  } else if (status != TPC_EINPUT && status != TPC_ENOMEM) {
    fuzz_fail("refused with status %d (not TPC_EINPUT or TPC_ENOMEM): %s", status,
              tpc_error_msg());
  } else if (!*tpc_error_msg()) {
    fuzz_fail("refused with status %d and an empty message", status);
  }
  tpc_spec_free(s);
  return 0;
}
