/*
** Algorithm 1's clients spread over the run's processes (methods/alg1.h,
** tpc_alg1_net) on the transport of dist/dist.h, the time each rank spends
** in each part of a round, and the links' latency and bandwidth that the
** report's model a + bytes/b of the communication time needs (README.md
** "Algorithm 1 over MPI", db/015_dist.sql).
**
** Every rank runs the same `tpc rate` command: each creates the network
** with tpc_dist_alg1_alloc, measures the links (collective), and passes
** tpc_dist_alg1_net() to the runs; at the end of each run rank 0 gathers the
** ranks' sums of times and keeps them until tpc_dist_alg1_store writes them
** under the trajectories of a stored check.  Rank 0 alone touches SQLite.
*/
#ifndef TPC_DIST_ALG1_NET_H
#define TPC_DIST_ALG1_NET_H

#include <stddef.h>
#include <stdint.h>

#include "methods/alg1.h"

struct tpc_store;

/* The link between rank 0 and one rank: a, half the median round trip of
** TPC_DIST_PING_BYTES-byte messages, and b, the large messages' bytes over
** half their median round trip less a. */
typedef struct tpc_dist_link {
  double latency;          /* a, seconds */
  double bandwidth;        /* b, bytes per second */
} tpc_dist_link;

#define TPC_DIST_PING_BYTES 8
#define TPC_DIST_PING_TRIALS 200
#define TPC_DIST_BULK_BYTES (4u << 20)
#define TPC_DIST_BULK_TRIALS 8

typedef struct tpc_dist_alg1 tpc_dist_alg1;

/* The network of this process's rank; NULL with TPC_ENOMEM.  One process
** (build/tpc, or tpc-mpi with -n 1) is a network of one rank: the wire path
** without a peer. */
tpc_dist_alg1 *tpc_dist_alg1_alloc(int *status);
void tpc_dist_alg1_free(tpc_dist_alg1 *d);

const tpc_alg1_net *tpc_dist_alg1_net(const tpc_dist_alg1 *d);

/* Measure the links from rank 0 to every other rank (collective; rank 0
** keeps them). */
int tpc_dist_alg1_links(tpc_dist_alg1 *d);

/* Rank 0: the links of run_id into dist_links.  TPC_ESTORE. */
int tpc_dist_alg1_store_links(tpc_dist_alg1 *d, struct tpc_store *store, int64_t run_id);

/* Forget the runs gathered so far (before a check's first run). */
void tpc_dist_alg1_clear(tpc_dist_alg1 *d);

/* Rank 0: the runs gathered since the last clear, one row per rank, under
** the trajectories of check check_id in the order tpc_rate_store wrote them
** (repetitions, then slack runs) for n clients: dist_alg1_times.  Nothing
** when the counts differ (a run that ended in an error).  TPC_ESTORE. */
int tpc_dist_alg1_store(tpc_dist_alg1 *d, struct tpc_store *store, int64_t check_id, size_t n);

/* Rank 0: what the runs gathered since the last clear add up to, for the
** line `tpc rate` prints: the per-round seconds of rank 0's gradients,
** compression, waiting, communication, decoding with aggregation and server
** step, the chain, and the measured communication over the model a + bytes/b
** of the bytes into and out of rank 0 (NaN without a link). */
typedef struct tpc_dist_alg1_summary {
  uint64_t rounds;
  double grad, compress, wait, comm, decode, stats;  /* rank 0, seconds per round */
  double model;            /* seconds per round */
  double ratio;            /* comm / model */
} tpc_dist_alg1_summary;

void tpc_dist_alg1_summary_get(const tpc_dist_alg1 *d, tpc_dist_alg1_summary *s);

#endif
