/*
** A sweep over the ranks of a run (README.md "Distributed sweeps"): units
** 0..N-1, independent, each computed by some rank, stored by rank 0 in unit
** order.  `tpc bounds SPEC...` (a unit: one spec), `tpc rate --experiment`
** (one task or heat-map cell) and the scaling checks (one point) run on it.
**
** Assignment is dynamic: a rank asks rank 0 for the next unit when it has
** finished one.  Rank 0 computes units too and answers the others between
** its units and from inside them (tpc_sweep_serve, called by the stop and
** cancel callbacks the layers already poll).
**
** Storage: with one rank, every unit is computed into the run's database,
** as a loop over the units would.  With more, each unit is computed into a
** database of its own in memory (src/store/merge.c) whatever rank computes
** it, and rank 0 merges the units' images strictly in unit order (holding
** early arrivals), so the rows and their ids are those of one process.
** Beside its rows a unit returns a result (bytes: every rank runs the same
** program) that rank 0 hands, in unit order, to `done`: what the command
** prints or fits from.
**
** Only rank 0 touches the database; it never waits in MPI without polling
** `stop` (SIGTERM from mpirun when a rank died), so an interrupted run
** still ends 'interrupted' with its merged units stored.
*/
#ifndef TPC_DIST_SWEEP_H
#define TPC_DIST_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct tpc_sweep {
  size_t nunits;
  int64_t run_id;
  tpc_store *store;        /* rank 0: the run's database; NULL on the others */
  /* Compute unit u, its rows into `store` under run_id, its result into
  ** *result (malloc'd, *len bytes; NULL and 0 for none).  An error status
  ** ends the sweep with it (the message travels to rank 0). */
  int (*compute)(void *ctx, size_t u, tpc_store *store, void **result, size_t *len);
  /* Rank 0, in unit order, once unit u's rows are in the run's database:
  ** its result; `merged` says how its ids moved (NULL: they did not). */
  int (*done)(void *ctx, size_t u, tpc_store *store, const tpc_store_merged *merged,
              const void *result, size_t len);
  /* Polled between units and while rank 0 waits: nonzero ends the sweep
  ** (the units merged so far stay stored; a unit it interrupted with more
  ** than one rank is not merged). */
  int (*stop)(void);
  void *ctx;
} tpc_sweep;

/* A unit's result for `compute`: a malloc'd copy of the len bytes at v. */
int tpc_sweep_result_copy(const void *v, size_t len, void **result, size_t *out_len);

/* Run the sweep on every rank (each calls it with the same nunits).
** TPC_OK when every unit is done or `stop` ended it; else the first
** failure, on rank 0 with its rank's message. */
int tpc_sweep_run(const tpc_sweep *sw);

/* Rank 0, inside one of its units: receive the results that arrived and
** give the asking ranks their next units.  Cheap and safe to call often
** and from anywhere: it does nothing outside a sweep, on another rank, in
** a forked child (bounds' sandbox), on a thread other than the main one,
** or within a millisecond of its last call. */
void tpc_sweep_serve(void);

#endif
