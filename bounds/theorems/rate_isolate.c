/*
** A rate check computed in a child process (bounds/theorems/rate.h,
** tpc_rate_check_isolated): Algorithm 1 with a plugin's compressor or
** mechanism runs its code in the child (bounds/sandbox.h), and only the
** finished check comes back.
**
** The result has no size known in advance (repetitions times recorded
** points), so it does not travel through the fixed shared mapping of
** tpc_sandbox_call but through an anonymous in-memory file (memfd) the
** child inherits: the child writes
**
**     tpc_rate_check                      the check, pointers meaningless
**     extra_size bytes                    the caller's extra result
**     per repetition: tpc_alg1_result, then its npoints points
**     per slack run: its npoints points   (the results are in the check)
**     RESULT_MAGIC                        written last
**
** and the parent reads it back after the child returned, bounded by the
** file's size, so a child that stopped midway is a failure and never a
** partial result.  Both sides are the same program, so structs travel as
** their bytes: doubles come back bit for bit.
*/
#define _GNU_SOURCE /* memfd_create */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounds/theorems/rate.h"
#include "core/error.h"

#define RESULT_MAGIC 0x7470632d72617465ull /* "tpc-rate" */

typedef struct child_arg {
  int (*compute)(void *arg, tpc_rate_check *c, void *extra);
  void *arg;
  tpc_rate_check *c;
  void *extra;
  size_t extra_size;
  int fd;
} child_arg;

/* ---- the child: compute, then write ------------------------------------------ */

static int put(FILE *f, const void *p, size_t n) { return n == 0 || fwrite(p, n, 1, f) == 1; }

static int put_points(FILE *f, const tpc_alg1_result *r) {
  return put(f, r->points, r->npoints * sizeof *r->points);
}

static int put_check(FILE *f, const tpc_rate_check *c, const void *extra, size_t extra_size) {
  int ok = put(f, c, sizeof *c) && put(f, extra, extra_size);
  for (size_t r = 0; ok && r < c->reps; r++)
    ok = put(f, &c->runs[r], sizeof c->runs[r]) && put_points(f, &c->runs[r]);
  for (size_t k = 0; ok && k < c->nslack; k++) ok = put_points(f, &c->slack_runs[k]);
  uint64_t magic = RESULT_MAGIC;
  return ok && put(f, &magic, sizeof magic);
}

/* c is the child's copy of the caller's prepared check. */
static int child(void *arg, void *out) {
  (void)out;
  const child_arg *a = arg;
  int rc = a->compute(a->arg, a->c, a->extra);
  if (rc != TPC_OK) return rc;
  FILE *f = fdopen(a->fd, "w");
  int ok = f && put_check(f, a->c, a->extra, a->extra_size);
  if (f && fclose(f) != 0) ok = 0;
  return ok ? TPC_OK
            : tpc_error(TPC_EIO, "rate: writing the result for the parent: %s", strerror(errno));
}

/* ---- the parent: read back --------------------------------------------------- */

typedef struct reader {
  FILE *f;
  uint64_t left; /* bytes of the file not read yet */
} reader;

static int get(reader *rd, void *p, size_t n) {
  if (n > rd->left) return 0;
  rd->left -= n;
  return n == 0 || fread(p, n, 1, rd->f) == 1;
}

/* r's points, after its struct was read (the pointer in it is the child's). */
static int get_points(reader *rd, tpc_alg1_result *r) {
  r->points = NULL;
  if (r->npoints > rd->left / sizeof *r->points) return 0;
  if (r->npoints == 0) return 1;
  r->points = malloc(r->npoints * sizeof *r->points);
  return r->points && get(rd, r->points, r->npoints * sizeof *r->points);
}

/* Read the check into c; on failure c holds what was read so far and is
** safe to pass to tpc_rate_check_free. */
static int get_check(reader *rd, tpc_rate_check *c, void *extra, size_t extra_size) {
  int ok = get(rd, c, sizeof *c);
  size_t reps = c->reps;
  c->runs = NULL;
  c->reps = 0;
  for (size_t k = 0; k <= TPC_RATE_SLACK_MAX_LOG2; k++) c->slack_runs[k].points = NULL;
  if (!ok || c->nslack > TPC_RATE_SLACK_MAX_LOG2 + 1 || reps > rd->left / sizeof *c->runs) {
    c->nslack = 0;
    return 0;
  }
  if (!(c->runs = calloc(reps ? reps : 1, sizeof *c->runs))) return 0;
  c->reps = reps;
  ok = get(rd, extra, extra_size);
  for (size_t r = 0; ok && r < reps; r++) {
    ok = get(rd, &c->runs[r], sizeof c->runs[r]);
    c->runs[r].points = NULL;
    ok = ok && get_points(rd, &c->runs[r]);
  }
  for (size_t k = 0; ok && k < c->nslack; k++) ok = get_points(rd, &c->slack_runs[k]);
  uint64_t magic = 0;
  return ok && get(rd, &magic, sizeof magic) && magic == RESULT_MAGIC && rd->left == 0;
}

/* Replace c (prepared, without runs) by the check in the file. */
static int take(int fd, tpc_rate_check *c, void *extra, size_t extra_size) {
  struct stat st;
  if (fstat(fd, &st) != 0 || lseek(fd, 0, SEEK_SET) != 0)
    return tpc_error(TPC_EIO, "rate: reading the child's result: %s", strerror(errno));
  int copy = dup(fd);
  reader rd = {copy >= 0 ? fdopen(copy, "r") : NULL, (uint64_t)st.st_size};
  if (!rd.f) {
    if (copy >= 0) close(copy);
    return tpc_error(TPC_EIO, "rate: reading the child's result: %s", strerror(errno));
  }
  tpc_rate_check got;
  int ok = get_check(&rd, &got, extra, extra_size);
  fclose(rd.f);
  if (!ok) {
    tpc_rate_check_free(&got);
    return tpc_error(TPC_ECHILD, "returned an incomplete result (%lld bytes)",
                     (long long)st.st_size);
  }
  *c = got;
  return TPC_OK;
}

int tpc_rate_check_isolated(int (*compute)(void *arg, tpc_rate_check *c, void *extra),
                            void *arg, tpc_rate_check *c, void *extra, size_t extra_size,
                            const tpc_sandbox_opts *o, tpc_sandbox_result *sr, int *status) {
  int fd = memfd_create("tpc-rate-result", MFD_CLOEXEC);
  if (fd < 0) return tpc_error(TPC_EIO, "rate: memfd_create: %s", strerror(errno));
  child_arg a = {compute, arg, c, extra, extra_size, fd};
  int rc = tpc_sandbox_call(child, &a, NULL, 0, o, sr, status);
  if (rc == TPC_OK && *status == TPC_OK) *status = take(fd, c, extra, extra_size);
  close(fd);
  return rc;
}
