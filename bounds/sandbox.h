/*
** Running untrusted evaluation (plugin kernels) in a child process.
**
** tpc_sandbox_run forks; the child calls fn(arg, shm) and exits with its
** return value; the parent waits up to timeout_s seconds, then kills the
** child.  shm is shared memory (tpc_sandbox_shm_alloc) the child writes its
** results into and the parent reads after a clean exit, so a crash or hang
** in a plugin is reported (the signal, or the time-out) and never touches the
** parent's state or its database connection.  The parent must not have an
** OpenMP team running when it forks; the child may use OpenMP.
*/
#ifndef TPC_SANDBOX_H
#define TPC_SANDBOX_H

#include <stddef.h>

typedef struct tpc_sandbox_result {
  int exited;        /* the child exited normally ... */
  int exit_status;   /* ... with this status (fn's return value, 0..255) */
  int signal;        /* else the signal that ended it (SIGSEGV, SIGKILL, ...) */
  int timed_out;     /* the parent killed it after timeout_s */
  double seconds;    /* wall time of the child */
} tpc_sandbox_result;

/* Zeroed shared memory of size bytes (MAP_SHARED | MAP_ANONYMOUS); NULL with a
** message on failure.  Free with tpc_sandbox_shm_free(p, size). */
void *tpc_sandbox_shm_alloc(size_t size);
void tpc_sandbox_shm_free(void *p, size_t size);

/* Run fn(arg, shm) in a child.  Returns TPC_OK when the child was run and
** waited for (whatever its fate, described in *res), TPC_EIO when fork or
** waiting failed. */
int tpc_sandbox_run(int (*fn)(void *arg, void *shm), void *arg, void *shm,
                    double timeout_s, tpc_sandbox_result *res);

/* "killed by signal 11 (Segmentation fault)", "timed out after 10 s",
** "exited with status 3": for messages. */
const char *tpc_sandbox_describe(const tpc_sandbox_result *res, char *buf, size_t size);

#endif
