/*
** The transport of one process (dist/dist.h), linked into build/tpc: rank 0
** of 1.  A message to or from another rank cannot exist, so those calls are
** internal errors; the collectives of one rank have nothing to move.
*/
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "dist/dist.h"

int tpc_dist_init(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return TPC_OK;
}

void tpc_dist_finalize(void) {}

_Noreturn void tpc_dist_exit(int code) { exit(code); }

int tpc_dist_rank(void) { return 0; }
int tpc_dist_size(void) { return 1; }
int tpc_dist_local_size(void) { return 1; }
int tpc_dist_enabled(void) { return 0; }

void tpc_dist_stop_set(int (*stop)(void)) { (void)stop; }

static int no_peer(void) {
  return tpc_error(TPC_EINTERNAL, "dist: a message to another rank in a one-process run");
}

int tpc_dist_send(const void *buf, size_t len, int dest, int tag) {
  (void)buf, (void)len, (void)dest, (void)tag;
  return no_peer();
}

int tpc_dist_probe(int src, int tag, int *from, size_t *len) {
  (void)src, (void)tag, (void)from, (void)len;
  return no_peer();
}

int tpc_dist_iprobe(int src, int tag, int *found, int *from, size_t *len) {
  (void)src, (void)tag, (void)from, (void)len;
  *found = 0;
  return TPC_OK;
}

int tpc_dist_recv(void *buf, size_t len, int src, int tag) {
  (void)buf, (void)len, (void)src, (void)tag;
  return no_peer();
}

int tpc_dist_bcast(void *buf, size_t len, int root) {
  (void)buf, (void)len, (void)root;
  return TPC_OK;
}

int tpc_dist_barrier(void) { return TPC_OK; }

int tpc_dist_gatherv(const void *buf, size_t len, void *recv, const size_t *lens,
                     const size_t *displ) {
  (void)lens;
  if (len && recv != buf) memmove((char *)recv + displ[0], buf, len);
  return TPC_OK;
}

double tpc_dist_wtime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
