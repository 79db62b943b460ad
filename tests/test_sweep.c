/*
** Tests of the sweep driver (dist/sweep.h) in one process (dist/none.c):
** every unit computed into the run's database and handed to `done` in unit
** order, a failure ends the sweep with its status, a stop keeps the units
** done before it.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "dist/sweep.h"

typedef struct probe {
  size_t computed, done[16], ndone, fail_at, stop_after;
} probe;

static probe *current;

static int never(void) { return 0; }
static int after_stop(void) { return current->ndone >= current->stop_after; }

static int compute(void *ctx, size_t u, tpc_store *store, void **result, size_t *len) {
  probe *p = ctx;
  cr_assert(eq(ptr, store, NULL)); /* one process: the run's database, here none */
  p->computed++;
  if (u == p->fail_at) return tpc_error(TPC_EINPUT, "unit %zu fails", u);
  size_t *r = malloc(sizeof *r);
  *r = 10 * u;
  *result = r;
  *len = sizeof *r;
  return TPC_OK;
}

static int done(void *ctx, size_t u, tpc_store *store, const tpc_store_merged *merged,
                const void *result, size_t len) {
  probe *p = ctx;
  (void)store;
  cr_assert(eq(ptr, (void *)merged, NULL));
  cr_assert(eq(sz, len, sizeof(size_t)));
  cr_assert(eq(sz, *(const size_t *)result, 10 * u));
  p->done[p->ndone++] = u;
  return TPC_OK;
}

static tpc_sweep sweep_of(probe *p, size_t n, int (*stop)(void)) {
  current = p;
  return (tpc_sweep){.nunits = n, .run_id = 1, .compute = compute, .done = done, .stop = stop,
                     .ctx = p};
}

Test(sweep, one_process_does_every_unit_in_order) {
  probe p = {.fail_at = 99};
  tpc_sweep sw = sweep_of(&p, 5, never);
  cr_assert(eq(int, tpc_sweep_run(&sw), TPC_OK));
  cr_assert(eq(sz, p.ndone, 5));
  for (size_t u = 0; u < 5; u++) cr_assert(eq(sz, p.done[u], u));
}

Test(sweep, failure_ends_it_with_its_status) {
  probe p = {.fail_at = 2};
  tpc_sweep sw = sweep_of(&p, 5, never);
  cr_assert(eq(int, tpc_sweep_run(&sw), TPC_EINPUT));
  cr_assert(eq(sz, p.computed, 3));
  cr_assert(eq(sz, p.ndone, 2));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "unit 2 fails"), NULL));
}

Test(sweep, stop_keeps_the_units_before_it) {
  probe p = {.fail_at = 99, .stop_after = 3};
  tpc_sweep sw = sweep_of(&p, 5, after_stop);
  cr_assert(eq(int, tpc_sweep_run(&sw), TPC_OK));
  cr_assert(eq(sz, p.ndone, 3));
  cr_assert(eq(sz, p.computed, 3));
}
