/*
** Running one check in a child process (bounds/sandbox.h): a plugin's kernel
** that crashes or hangs takes down the child, never the command or its
** database connection.
**
** The child writes its result into one shared mapping with a flat layout:
**
**     shm_header                          magic, status, message, counts,
**                                         the summary
**     tpc_bounds_point  [cap_points]      points, in result order
**     tpc_bounds_fpoint [cap_front]       frontier
**
** The parent reads it only after the child exited with status 0 and the
** header carries the magic number written last, so a child killed midway
** leaves nothing the parent would take for a result.
*/
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "bounds/bounds.h"
#include "bounds/sandbox.h"
#include "core/error.h"

#define SHM_MAGIC 0x7470636231ull /* "tpcb1" */

typedef struct shm_header {
  uint64_t magic;
  int32_t status;
  int32_t pad;
  uint64_t npoints, nfront;
  char msg[256];
  tpc_bounds_summary sum;
} shm_header;

typedef struct child_arg {
  const tpc_registry *reg;
  const tpc_spec *spec;
  const tpc_bounds_opts *o;
  size_t cap_points, cap_front;
} child_arg;

/* Offsets of the arrays in the mapping. */
static size_t off_points(void) { return (sizeof(shm_header) + 63) / 64 * 64; }

static size_t off_front(size_t cap_points) {
  return (off_points() + cap_points * sizeof(tpc_bounds_point) + 63) / 64 * 64;
}

static size_t shm_size(size_t cap_points, size_t cap_front) {
  return off_front(cap_points) + cap_front * sizeof(tpc_bounds_fpoint);
}

/* The child's side: run the check with the result's arrays in the mapping. */
static int child(void *arg, void *shm) {
  const child_arg *a = arg;
  shm_header *hdr = shm;
  tpc_bounds_result res;
  memset(&res, 0, sizeof res);
  res.cap_points = a->cap_points;
  res.cap_front = a->cap_front;
  res.points = (tpc_bounds_point *)((char *)shm + off_points());
  res.front = (tpc_bounds_fpoint *)((char *)shm + off_front(a->cap_points));
  int status = tpc_bounds_run(a->reg, a->spec, a->o, &res);
  hdr->status = status;
  hdr->npoints = res.npoints;
  hdr->nfront = res.nfront;
  hdr->sum = res.sum;
  snprintf(hdr->msg, sizeof hdr->msg, "%s", status == TPC_OK ? "" : tpc_error_msg());
  __atomic_store_n(&hdr->magic, SHM_MAGIC, __ATOMIC_RELEASE);
  return status == TPC_OK ? 0 : 1;
}

/* A result that says why the child gave none. */
static void failed(tpc_bounds_result *res, const char *why) {
  memset(&res->sum, 0, sizeof res->sum);
  res->npoints = res->nfront = 0;
  res->sum.verdict = TPC_VERDICT_ERROR;
  snprintf(res->sum.reason, sizeof res->sum.reason, "%s", why);
}

int tpc_bounds_run_isolated(const tpc_registry *reg, const tpc_spec *spec,
                            const tpc_bounds_opts *o, double timeout_s,
                            tpc_bounds_result *res) {
  child_arg a = {reg, spec, o, res->cap_points, res->cap_front};
  size_t size = shm_size(a.cap_points, a.cap_front);
  void *shm = tpc_sandbox_shm_alloc(size);
  if (!shm) return TPC_ENOMEM;
  tpc_sandbox_result sr;
  int status = tpc_sandbox_run(child, &a, shm, timeout_s, &sr);
  if (status != TPC_OK) {
    tpc_sandbox_shm_free(shm, size);
    return status;
  }
  const shm_header *hdr = shm;
  char why[sizeof res->sum.reason], desc[128];
  int complete = __atomic_load_n(&hdr->magic, __ATOMIC_ACQUIRE) == SHM_MAGIC;
  if (sr.exited && sr.exit_status == 0 && complete) {
    res->sum = hdr->sum;
    res->npoints = hdr->npoints <= res->cap_points ? hdr->npoints : res->cap_points;
    res->nfront = hdr->nfront <= res->cap_front ? hdr->nfront : res->cap_front;
    memcpy(res->points, (const char *)shm + off_points(), res->npoints * sizeof *res->points);
    memcpy(res->front, (const char *)shm + off_front(a.cap_points),
           res->nfront * sizeof *res->front);
  } else if (sr.exited && complete) {
    snprintf(why, sizeof why, "evaluation failed: %.200s", hdr->msg);
    failed(res, why);
  } else {
    snprintf(why, sizeof why, "evaluation %s", tpc_sandbox_describe(&sr, desc, sizeof desc));
    failed(res, why);
    /* SIGINT from the terminal reached the child too: an interruption. */
    res->sum.interrupted = !sr.exited && !sr.timed_out && sr.signal == SIGINT;
  }
  if (res->sum.verdict == TPC_VERDICT_ERROR) res->sum.seconds = sr.seconds;
  tpc_sandbox_shm_free(shm, size);
  return TPC_OK;
}
