/*
** The processes of one run (README.md "On a cluster").  `build/tpc` is one
** process; `build/tpc-mpi`, started by mpirun or srun, is P processes (ranks)
** that run the same command line and share its work: the sweeps' independent
** units (dist/sweep.h) and the clients of Algorithm 1 (dist/alg1_net.h).
**
** This header is the transport, the only place that knows MPI: dist/mpi.c
** implements it over Open MPI (linked into tpc-mpi only), dist/none.c for
** one process (linked into tpc, which then needs no MPI runtime).  Messages
** are bytes; both ends are the same program, so structs travel as their
** bytes and doubles arrive bit for bit.  Rank 0 is the one that opens the
** database and prints; the others compute.
*/
#ifndef TPC_DIST_H
#define TPC_DIST_H

#include <stddef.h>
#include <stdint.h>

/* Start the transport (MPI_Init_thread, funneled: OpenMP threads compute,
** the main thread talks).  Under SLURM, a job size SLURM_NTASKS that is not
** the number of processes MPI started (tpc-mpi run directly inside an
** allocation: a singleton) is TPC_EINPUT with a message that says how to
** launch.  Call once, before anything else. */
int tpc_dist_init(int *argc, char ***argv);

/* End the transport after a run every rank finished (collective). */
void tpc_dist_finalize(void);

/* End this process with `code` when the run cannot finish together (a peer
** died, or this rank failed): no collective call, which would wait forever
** on the dead.  One process: exit(code). */
_Noreturn void tpc_dist_exit(int code);

int tpc_dist_rank(void);
int tpc_dist_size(void);

/* The ranks on this machine, this one included: the command's default
** --threads divides the processors among them. */
int tpc_dist_local_size(void);

/* Whether this binary talks MPI (tpc-mpi), whatever its size. */
int tpc_dist_enabled(void);

/* A callback every wait polls (the command's interruption flag): once it
** says 1, the call returns TPC_EIO instead of waiting for a peer that may be
** dead.  The stopped operation may still be under way: the process makes no
** further transport call and leaves with tpc_dist_exit.  NULL: none. */
void tpc_dist_stop_set(int (*stop)(void));

/* Point-to-point, tagged.  tpc_dist_probe waits for a message with `tag`
** from `src` (TPC_DIST_ANY: any rank) and says where it is from and how long
** it is; tpc_dist_iprobe only looks (1 found, 0 none).  Every call returns
** TPC_OK or TPC_EIO with a message. */
#define TPC_DIST_ANY (-1)
int tpc_dist_send(const void *buf, size_t len, int dest, int tag);
int tpc_dist_probe(int src, int tag, int *from, size_t *len);
int tpc_dist_iprobe(int src, int tag, int *found, int *from, size_t *len);
int tpc_dist_recv(void *buf, size_t len, int src, int tag);

/* Collectives: every rank calls them in the same order. */
int tpc_dist_bcast(void *buf, size_t len, int root);
int tpc_dist_barrier(void);
/* Rank 0 receives each rank's `len` bytes at recv + displ[r], lens[r] of
** them (arrays of size tpc_dist_size(), read on rank 0 only). */
int tpc_dist_gatherv(const void *buf, size_t len, void *recv, const size_t *lens,
                     const size_t *displ);

/* Seconds of a monotonic clock shared by the ranks' measurements. */
double tpc_dist_wtime(void);

#endif
