/*
** Running untrusted evaluation (plugin code) in a child process.
**
** tpc_sandbox_run forks; the child calls fn(arg, shm) and exits with its
** return value; the parent waits up to a time limit, then kills the child.
** shm is shared memory (tpc_sandbox_shm_alloc) the child writes its results
** into and the parent reads after a clean exit, so a crash, a hang or an
** exit in plugin code is reported (the signal, the time-out, the status) and
** never touches the parent's state or its database connection.
**
** What the sandbox guarantees (sandbox.c says how):
**   - the child and every process it forks form a process group of their
**     own, and nothing of that group outlives the call: at the time-out, at
**     a stop request, and after fn returned, the whole group is killed;
**   - nothing of it outlives the parent either: if the parent dies, even by
**     SIGKILL, the group is killed at once (a parent-death signal);
**   - a signal the child raises (SIGINT included) is the child's fate, never
**     taken for one sent to the parent; the terminal's Ctrl-C reaches the
**     parent only, whose stop callback then ends the child at once.
** A process that leaves the group on purpose (setsid, setpgid) escapes: the
** sandbox contains faults, not malice.
**
** The parent must not have an OpenMP team running when it forks, and must
** call from the thread that lives as long as the call (the parent-death
** signal is tied to the forking thread); the child may use OpenMP.
*/
#ifndef TPC_SANDBOX_H
#define TPC_SANDBOX_H

#include <stddef.h>

typedef struct tpc_sandbox_opts {
  double timeout_s;          /* kill the child after this long; <= 0, NaN or
                                infinite: no limit */
  int (*stop)(void *ctx);    /* polled while waiting (NULL: never); nonzero
                                kills the child at once (an interruption) */
  void *stop_ctx;
} tpc_sandbox_opts;

typedef struct tpc_sandbox_result {
  int exited;        /* the child exited normally ... */
  int exit_status;   /* ... with this status (fn's return value, 0..255) */
  int signal;        /* else the signal that ended it (SIGSEGV, SIGKILL, ...) */
  int timed_out;     /* the parent killed it after timeout_s */
  int stopped;       /* the parent killed it because stop() asked */
  double seconds;    /* wall time of the child */
} tpc_sandbox_result;

/* Zeroed shared memory of size bytes (MAP_SHARED | MAP_ANONYMOUS); NULL with a
** message on failure.  Free with tpc_sandbox_shm_free(p, size). */
void *tpc_sandbox_shm_alloc(size_t size);
void tpc_sandbox_shm_free(void *p, size_t size);

/* Run fn(arg, shm) in a child.  Returns TPC_OK when the child was run and
** waited for (whatever its fate, described in *res), TPC_EIO when fork or
** waiting failed, TPC_ENOMEM. */
int tpc_sandbox_run(int (*fn)(void *arg, void *shm), void *arg, void *shm,
                    const tpc_sandbox_opts *o, tpc_sandbox_result *res);

/* A function call in a child: fn(arg, out) runs there with out pointing to
** size zeroed bytes of shared memory, copied to `out` here when fn returned.
** Returns TPC_OK when the child was run (else as tpc_sandbox_run), and in
** *status: fn's return value, with fn's message as this thread's error
** message (tpc_error_msg), when fn returned; TPC_ECHILD with what happened
** ("killed by signal 11 (Segmentation fault)", "timed out after 2 s", "exited
** with status 0 before returning") when it did not.  out may be NULL when
** size is 0. */
int tpc_sandbox_call(int (*fn)(void *arg, void *out), void *arg, void *out, size_t size,
                     const tpc_sandbox_opts *o, tpc_sandbox_result *res, int *status);

/* "killed by signal 11 (Segmentation fault)", "timed out after 10 s",
** "stopped (interrupted) after 1 s", "exited with status 3": for messages. */
const char *tpc_sandbox_describe(const tpc_sandbox_result *res, char *buf, size_t size);

#endif
