/*
** The transport over Open MPI (dist/dist.h), linked into build/tpc-mpi only.
**
** Errors return instead of aborting (MPI_ERRORS_RETURN on MPI_COMM_WORLD),
** so that a failed call becomes a message and an exit code.  MPI counts are
** ints: a message of 2 GiB or more is refused with a message rather than cut.
**
** Every wait is a nonblocking call and a loop of MPI_Test (or MPI_Iprobe)
** that also polls the stop callback (tpc_dist_stop_set): a rank that died
** completes nothing, and Open MPI's mpirun then sends SIGTERM to the others
** and SIGKILL a second later, so a rank blocked in MPI could not end its
** run 'interrupted' with its finished units stored.  MPI's blocking calls
** spin in the same way.
*/
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/error.h"
#include "dist/dist.h"

static int rank, size, local_size = 1;
static int (*stop_requested)(void);

static int mpi_fail(int err, const char *what) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(err, text, &len);
  return tpc_error(TPC_EIO, "MPI: %s: %s", what, text);
}

#define MPI_CHECK(call, what)                  \
  do {                                         \
    int mpi_err_ = (call);                     \
    if (mpi_err_ != MPI_SUCCESS) return mpi_fail(mpi_err_, what); \
  } while (0)

static int count_of(size_t len, int *count) {
  *count = 0;
  if (len > INT_MAX)
    return tpc_error(TPC_EINPUT, "MPI: a message of %zu bytes is beyond MPI's int count", len);
  *count = (int)len;
  return TPC_OK;
}

/* SLURM_NTASKS names the job's size; a process that MPI started alone
** inside a larger allocation (tpc-mpi run without srun or mpirun) would
** compute everything on its own, once per task. */
static int slurm_size_check(void) {
  const char *ntasks = getenv("SLURM_NTASKS");
  if (!ntasks || !*ntasks) return TPC_OK;
  char *end;
  long n = strtol(ntasks, &end, 10);
  if (*end || n == size) return TPC_OK;
  return tpc_error(TPC_EINPUT,
                   "SLURM_NTASKS is %s but MPI started %d process%s: launch tpc-mpi with "
                   "`srun --mpi=pmix tpc-mpi ...` (or `mpirun -n %s tpc-mpi ...`) inside the "
                   "allocation, not as a plain command",
                   ntasks, size, size == 1 ? "" : "es", ntasks);
}

int tpc_dist_init(int *argc, char ***argv) {
  int provided;
  MPI_CHECK(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm node;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node) ==
      MPI_SUCCESS) {
    MPI_Comm_size(node, &local_size);
    MPI_Comm_free(&node);
  }
  if (provided < MPI_THREAD_FUNNELED)
    return tpc_error(TPC_EIO, "MPI: the library gives no funneled thread support");
  return slurm_size_check();
}

void tpc_dist_finalize(void) { MPI_Finalize(); }

/* MPI_Finalize is collective: with a peer gone it would wait forever.  A
** process that ends alone leaves; mpirun ends the others. */
_Noreturn void tpc_dist_exit(int code) {
  fflush(NULL);
  _exit(code);
}

int tpc_dist_rank(void) { return rank; }
int tpc_dist_size(void) { return size; }
int tpc_dist_local_size(void) { return local_size; }
int tpc_dist_enabled(void) { return 1; }

void tpc_dist_stop_set(int (*stop)(void)) { stop_requested = stop; }

static int stopped(const char *what) {
  return tpc_error(TPC_EIO, "MPI: %s: stopped by a signal (interrupted, or a rank died)", what);
}

/* Wait for request *r, polling the stop callback. */
static int wait_for(MPI_Request *r, const char *what) {
  for (;;) {
    int done = 0;
    MPI_CHECK(MPI_Test(r, &done, MPI_STATUS_IGNORE), what);
    if (done) return TPC_OK;
    if (stop_requested && stop_requested()) return stopped(what);
  }
}

int tpc_dist_send(const void *buf, size_t len, int dest, int tag) {
  MPI_Request r;
  int n, rc = count_of(len, &n);
  if (rc) return rc;
  MPI_CHECK(MPI_Isend(buf, n, MPI_BYTE, dest, tag, MPI_COMM_WORLD, &r), "MPI_Isend");
  return wait_for(&r, "MPI_Isend");
}

static int status_len(const MPI_Status *st, int *from, size_t *len) {
  int n;
  MPI_CHECK(MPI_Get_count(st, MPI_BYTE, &n), "MPI_Get_count");
  *from = st->MPI_SOURCE;
  *len = (size_t)n;
  return TPC_OK;
}

int tpc_dist_iprobe(int src, int tag, int *found, int *from, size_t *len) {
  MPI_Status st;
  MPI_CHECK(MPI_Iprobe(src == TPC_DIST_ANY ? MPI_ANY_SOURCE : src, tag, MPI_COMM_WORLD, found,
                       &st),
            "MPI_Iprobe");
  return *found ? status_len(&st, from, len) : TPC_OK;
}

int tpc_dist_probe(int src, int tag, int *from, size_t *len) {
  for (;;) {
    int found = 0, rc = tpc_dist_iprobe(src, tag, &found, from, len);
    if (rc || found) return rc;
    if (stop_requested && stop_requested()) return stopped("MPI_Iprobe");
  }
}

int tpc_dist_recv(void *buf, size_t len, int src, int tag) {
  MPI_Request r;
  int n, rc = count_of(len, &n);
  if (rc) return rc;
  MPI_CHECK(MPI_Irecv(buf, n, MPI_BYTE, src, tag, MPI_COMM_WORLD, &r), "MPI_Irecv");
  return wait_for(&r, "MPI_Irecv");
}

int tpc_dist_bcast(void *buf, size_t len, int root) {
  MPI_Request r;
  int n, rc = count_of(len, &n);
  if (rc) return rc;
  MPI_CHECK(MPI_Ibcast(buf, n, MPI_BYTE, root, MPI_COMM_WORLD, &r), "MPI_Ibcast");
  return wait_for(&r, "MPI_Ibcast");
}

int tpc_dist_barrier(void) {
  MPI_Request r;
  MPI_CHECK(MPI_Ibarrier(MPI_COMM_WORLD, &r), "MPI_Ibarrier");
  return wait_for(&r, "MPI_Ibarrier");
}

int tpc_dist_gatherv(const void *buf, size_t len, void *recv, const size_t *lens,
                     const size_t *displ) {
  MPI_Request r;
  int n, rc = count_of(len, &n);
  if (rc) return rc;
  int *counts = NULL, *offs = NULL;
  if (rank == 0) {
    counts = malloc((size_t)size * sizeof *counts);
    offs = malloc((size_t)size * sizeof *offs);
    if (!counts || !offs) rc = tpc_error(TPC_ENOMEM, "MPI: out of memory");
    for (int k = 0; k < size && !rc; k++)
      if (!(rc = count_of(lens[k], &counts[k]))) rc = count_of(displ[k], &offs[k]);
  }
  int err = rc ? MPI_SUCCESS
               : MPI_Igatherv(buf, n, MPI_BYTE, recv, counts, offs, MPI_BYTE, 0,
                              MPI_COMM_WORLD, &r);
  if (!rc) rc = err == MPI_SUCCESS ? wait_for(&r, "MPI_Igatherv") : mpi_fail(err, "MPI_Igatherv");
  if (rc == TPC_OK || err != MPI_SUCCESS) { /* a stopped Igatherv may still read them */
    free(counts);
    free(offs);
  }
  return rc;
}

double tpc_dist_wtime(void) { return MPI_Wtime(); }
