/*
** The sweep driver (dist/sweep.h) over the transport (dist/dist.h).
**
** Messages: a rank sends rank 0 a WORK message (a header, the unit's
** database image, its result; unit -1 for the first request, which carries
** nothing) and receives an ASSIGN message (the next unit, -1: none left).
** A unit that failed carries its status and message instead of an image.
** Rank 0 keeps every arrived unit until the units before it are merged.
*/
#include "dist/sweep.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "dist/dist.h"

enum { TAG_WORK = 0x5301, TAG_ASSIGN = 0x5302 };

/* Seconds between two looks at the queue from inside a unit. */
#define SERVE_EVERY 1e-3

typedef struct work_head {
  int64_t unit;            /* -1: a request only */
  int32_t status;          /* TPC_OK, or the failure; the message is the result */
  uint64_t image_len, result_len;
} work_head;

/* Rank 0's side of a running sweep. */
typedef struct sweep_state {
  const tpc_sweep *sw;
  size_t next;             /* the next unit to hand out */
  size_t merged;           /* the next unit to merge */
  void **held;             /* per unit: its WORK message, until merged */
  int asking;              /* ranks not yet told that no unit is left */
  int failed;              /* the first failure (a status), 0: none */
  pid_t owner;             /* the process that runs the sweep (not a fork) */
  double last_serve;
} sweep_state;

static sweep_state *serving;

/* A WORK message: head, image, result. */
static void *work_pack(int64_t unit, int status, const void *image, size_t image_len,
                       const void *result, size_t result_len, size_t *len) {
  work_head h = {unit, status, image_len, result_len};
  *len = sizeof h + image_len + result_len;
  char *m = malloc(*len);
  if (!m) return NULL;
  memcpy(m, &h, sizeof h);
  if (image_len) memcpy(m + sizeof h, image, image_len);
  if (result_len) memcpy(m + sizeof h + image_len, result, result_len);
  return m;
}

/* Unit u computed into a database of its own: its WORK message.  A failure
** travels as the message text. */
static void *unit_compute(const tpc_sweep *sw, size_t u, size_t *len) {
  tpc_store *unit = NULL;
  void *result = NULL, *image = NULL, *msg;
  size_t rlen = 0, ilen = 0;
  int rc = tpc_store_open_unit(sw->run_id, &unit);
  if (!rc) rc = sw->compute(sw->ctx, u, unit, &result, &rlen);
  if (!rc) rc = tpc_store_unit_image(unit, &image, &ilen);
  tpc_store_close(unit);
  if (rc) {
    const char *why = tpc_error_msg();
    msg = work_pack((int64_t)u, rc, NULL, 0, why, strlen(why) + 1, len);
  } else {
    msg = work_pack((int64_t)u, TPC_OK, image, ilen, result, rlen, len);
  }
  sqlite3_free(image);
  free(result);
  return msg;
}

/* ---- rank 0 ------------------------------------------------------------------ */

static int assign(sweep_state *st, int to) {
  int64_t u = -1;
  if (!st->failed && st->next < st->sw->nunits && !st->sw->stop()) u = (int64_t)st->next++;
  if (u < 0) st->asking--;
  return tpc_dist_send(&u, sizeof u, to, TAG_ASSIGN);
}

/* Take one WORK message from rank `from`, and answer it. */
static int take_work(sweep_state *st, int from, size_t len) {
  work_head h;
  char *m = malloc(len >= sizeof h ? len : sizeof h);
  if (!m) return tpc_error(TPC_ENOMEM, "sweep: out of memory for a unit from rank %d", from);
  int rc = tpc_dist_recv(m, len, from, TAG_WORK);
  memcpy(&h, m, sizeof h);
  if (!rc && (len < sizeof h || len != sizeof h + h.image_len + h.result_len ||
              h.unit >= (int64_t)st->sw->nunits))
    rc = tpc_error(TPC_EINTERNAL, "sweep: a malformed message of %zu bytes from rank %d", len,
                   from);
  if (!rc && h.unit >= 0 && h.status != TPC_OK) {
    rc = tpc_error(h.status, "rank %d, unit %lld: %s", from, (long long)h.unit,
                   m + sizeof h + h.image_len);
    st->failed = rc;
  }
  if (!rc && h.unit >= 0) {
    st->held[h.unit] = m;
    m = NULL;
  }
  free(m);
  int sent = assign(st, from);
  return rc ? rc : sent;
}

/* Every WORK message that has arrived. */
static int serve_now(sweep_state *st) {
  for (;;) {
    int found = 0, from;
    size_t len;
    int rc = tpc_dist_iprobe(TPC_DIST_ANY, TAG_WORK, &found, &from, &len);
    if (rc || !found) return rc;
    if ((rc = take_work(st, from, len))) return rc;
  }
}

void tpc_sweep_serve(void) {
  sweep_state *st = serving;
  if (!st || getpid() != st->owner || omp_get_thread_num() != 0) return;
  double now = tpc_dist_wtime();
  if (now - st->last_serve < SERVE_EVERY) return;
  st->last_serve = now;
  serving = NULL; /* not re-entered from a callback of its own */
  int rc = serve_now(st);
  if (rc && !st->failed) st->failed = rc;
  serving = st;
}

/* Merge the held units that are next in order and hand their results on. */
static int merge_ready(sweep_state *st) {
  const tpc_sweep *sw = st->sw;
  while (st->merged < sw->nunits && st->held[st->merged]) {
    char *m = st->held[st->merged];
    work_head h;
    memcpy(&h, m, sizeof h);
    tpc_store_merged shifts;
    int rc = tpc_store_merge(sw->store, m + sizeof h, h.image_len, &shifts);
    if (!rc)
      rc = sw->done(sw->ctx, st->merged, sw->store, &shifts, m + sizeof h + h.image_len,
                    h.result_len);
    free(m);
    st->held[st->merged++] = NULL;
    if (rc) return rc;
  }
  return TPC_OK;
}

/* A unit of rank 0's own, held like the others' (its image waits for the
** units before it). */
static int own_unit(sweep_state *st) {
  size_t u = st->next++, len;
  serving = st;
  void *m = unit_compute(st->sw, u, &len);
  serving = NULL;
  if (!m) return tpc_error(TPC_ENOMEM, "sweep: out of memory for unit %zu", u);
  work_head h;
  memcpy(&h, m, sizeof h);
  if (h.status != TPC_OK) {
    int rc = tpc_error(h.status, "%s", (char *)m + sizeof h);
    free(m);
    return rc;
  }
  if (st->sw->stop()) { /* interrupted inside: not whole */
    free(m);
    return TPC_OK;
  }
  st->held[u] = m;
  return TPC_OK;
}

static void nap(void) {
  struct timespec t = {0, 1000000};
  nanosleep(&t, NULL);
}

/* Rank 0 with other ranks: hand out, compute, merge, until every unit is
** merged and every rank told to stop; a stop or failure ends it at once. */
static int sweep_root(const tpc_sweep *sw) {
  sweep_state st = {.sw = sw, .asking = tpc_dist_size() - 1, .owner = getpid()};
  int rc = TPC_OK;
  if (!(st.held = calloc(sw->nunits ? sw->nunits : 1, sizeof *st.held)))
    return tpc_error(TPC_ENOMEM, "sweep: out of memory");
  while (!rc && !st.failed && !sw->stop()) {
    rc = serve_now(&st);
    if (!rc) rc = merge_ready(&st);
    if (rc || (st.merged == sw->nunits && st.asking == 0)) break;
    if (st.next < sw->nunits) rc = own_unit(&st);
    else nap();
  }
  if (!rc) rc = st.failed;
  int merged = merge_ready(&st); /* what arrived in order stays stored */
  if (!rc) rc = merged;
  for (size_t u = 0; u < sw->nunits; u++) free(st.held[u]);
  free(st.held);
  return rc;
}

/* ---- the other ranks ------------------------------------------------------------ */

static int sweep_worker(const tpc_sweep *sw) {
  size_t len;
  void *m = work_pack(-1, TPC_OK, NULL, 0, NULL, 0, &len);
  int failed = TPC_OK;
  for (;;) {
    if (!m) return tpc_error(TPC_ENOMEM, "sweep: out of memory");
    int rc = tpc_dist_send(m, len, 0, TAG_WORK);
    free(m);
    int64_t u;
    if (!rc) rc = tpc_dist_recv(&u, sizeof u, 0, TAG_ASSIGN);
    if (rc) return rc;
    if (u < 0) return failed;
    m = unit_compute(sw, (size_t)u, &len);
    if (sw->stop()) { /* interrupted inside: not whole, not sent */
      free(m);
      return TPC_OK;
    }
    if (m && !failed) memcpy(&failed, (char *)m + offsetof(work_head, status), sizeof failed);
  }
}

int tpc_sweep_result_copy(const void *v, size_t len, void **result, size_t *out_len) {
  if (!(*result = malloc(len ? len : 1)))
    return tpc_error(TPC_ENOMEM, "sweep: out of memory for a unit's result");
  if (len) memcpy(*result, v, len);
  *out_len = len;
  return TPC_OK;
}

int tpc_sweep_run(const tpc_sweep *sw) {
  if (tpc_dist_size() > 1) return tpc_dist_rank() == 0 ? sweep_root(sw) : sweep_worker(sw);
  for (size_t u = 0; u < sw->nunits && !sw->stop(); u++) {
    void *result = NULL;
    size_t len = 0;
    int rc = sw->compute(sw->ctx, u, sw->store, &result, &len);
    if (!rc && !sw->stop()) rc = sw->done(sw->ctx, u, sw->store, NULL, result, len);
    free(result);
    if (rc) return rc;
  }
  return TPC_OK;
}
