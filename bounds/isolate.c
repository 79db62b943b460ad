/*
** Running one check in a child process (bounds/sandbox.h): a plugin whose
** init, consts or kernel crashes, hangs or exits takes down the child, never
** the command or its database connection.
**
** The child's output (tpc_sandbox_call) has a flat layout:
**
**     run_out                             counts, the summary
**     tpc_bounds_point  [cap_points]      points, in result order
**     tpc_bounds_fpoint [cap_front]       frontier
**
** and comes back only when tpc_bounds_run returned in the child.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds/bounds.h"
#include "bounds/sandbox.h"
#include "core/error.h"

typedef struct run_out {
  uint64_t npoints, nfront;
  tpc_bounds_summary sum;
} run_out;

typedef struct child_arg {
  const tpc_registry *reg;
  const tpc_spec *spec;
  const tpc_bounds_opts *o;
  size_t cap_points, cap_front;
} child_arg;

/* Offsets of the arrays in the output. */
static size_t off_points(void) { return (sizeof(run_out) + 63) / 64 * 64; }

static size_t off_front(size_t cap_points) {
  return (off_points() + cap_points * sizeof(tpc_bounds_point) + 63) / 64 * 64;
}

static size_t out_size(size_t cap_points, size_t cap_front) {
  return off_front(cap_points) + cap_front * sizeof(tpc_bounds_fpoint);
}

/* The command's interruption flag, polled by the parent while it waits. */
static int stop_requested(void *ctx) {
  const tpc_bounds_opts *o = ctx;
  return o->stop && o->stop();
}

static tpc_sandbox_opts sandbox_opts(const tpc_bounds_opts *o, double timeout_s) {
  return (tpc_sandbox_opts){.timeout_s = timeout_s, .stop = stop_requested,
                            .stop_ctx = (void *)o};
}

/* The child's side: run the check with the result's arrays in the output. */
static int run_child(void *arg, void *out) {
  const child_arg *a = arg;
  run_out *h = out;
  tpc_bounds_result res;
  memset(&res, 0, sizeof res);
  res.cap_points = a->cap_points;
  res.cap_front = a->cap_front;
  res.points = (tpc_bounds_point *)((char *)out + off_points());
  res.front = (tpc_bounds_fpoint *)((char *)out + off_front(a->cap_points));
  int status = tpc_bounds_run(a->reg, a->spec, a->o, &res);
  h->npoints = res.npoints;
  h->nfront = res.nfront;
  h->sum = res.sum;
  return status;
}

void tpc_bounds_result_error(tpc_bounds_result *res, const char *why) {
  memset(&res->sum, 0, sizeof res->sum);
  res->npoints = res->nfront = 0;
  res->sum.verdict = TPC_VERDICT_ERROR;
  snprintf(res->sum.reason, sizeof res->sum.reason, "%s", why);
}

/* Copy what the child left in `out` into res. */
static void take_result(const char *out, tpc_bounds_result *res) {
  const run_out *h = (const run_out *)out;
  res->sum = h->sum;
  res->npoints = h->npoints <= res->cap_points ? h->npoints : res->cap_points;
  res->nfront = h->nfront <= res->cap_front ? h->nfront : res->cap_front;
  memcpy(res->points, out + off_points(), res->npoints * sizeof *res->points);
  memcpy(res->front, out + off_front(res->cap_points), res->nfront * sizeof *res->front);
}

int tpc_bounds_run_isolated(const tpc_registry *reg, const tpc_spec *spec,
                            const tpc_bounds_opts *o, double timeout_s,
                            tpc_bounds_result *res) {
  child_arg a = {reg, spec, o, res->cap_points, res->cap_front};
  size_t size = out_size(a.cap_points, a.cap_front);
  char *out = malloc(size);
  if (!out) return tpc_error(TPC_ENOMEM, "bounds: out of memory for a result");
  tpc_sandbox_opts so = sandbox_opts(o, timeout_s);
  tpc_sandbox_result sr;
  int status, rc = tpc_sandbox_call(run_child, &a, out, size, &so, &sr, &status);
  if (rc == TPC_OK) {
    char why[sizeof res->sum.reason];
    if (status == TPC_OK) {
      take_result(out, res);
    } else {
      snprintf(why, sizeof why, "evaluation %s%.200s", status == TPC_ECHILD ? "" : "failed: ",
               tpc_error_msg());
      tpc_bounds_result_error(res, why);
      /* Only the parent's own stop request is an interruption: a child
      ** that raised SIGINT itself is a fault like any other signal. */
      res->sum.interrupted = sr.stopped;
    }
    if (res->sum.verdict == TPC_VERDICT_ERROR) res->sum.seconds = sr.seconds;
  }
  free(out);
  return rc;
}

static int validate_child(void *arg, void *out) {
  (void)out;
  const child_arg *a = arg;
  return tpc_bounds_validate(a->reg, a->spec, a->o);
}

int tpc_bounds_validate_isolated(const tpc_registry *reg, const tpc_spec *spec,
                                 const tpc_bounds_opts *o, double timeout_s) {
  child_arg a = {reg, spec, o, 0, 0};
  tpc_sandbox_opts so = sandbox_opts(o, timeout_s);
  tpc_sandbox_result sr;
  int status, rc = tpc_sandbox_call(validate_child, &a, NULL, 0, &so, &sr, &status);
  return rc ? rc : status;
}
