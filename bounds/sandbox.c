/*
** Running untrusted evaluation in a child process (sandbox.h).
**
** The child is a plain fork of the caller: it sees the caller's memory as it
** was at the fork (copy on write), so fn needs no serialization of its
** arguments, and it reports back only through the shared mapping and its
** exit status.  It ends with _exit, never exit: it must not flush the
** parent's stdio buffers a second time, run the parent's atexit handlers, or
** touch the parent's database connection on the way out.
**
** The parent waits by polling waitpid(WNOHANG) with a sleep that grows from
** 50 us to 10 ms, so a fast child costs well under a millisecond of latency
** and a long one a negligible number of wake-ups; at the deadline it sends
** SIGKILL (which cannot be caught or ignored) and reaps the child, so no
** zombie is left behind.  Every system call is retried on EINTR: the
** command's SIGINT/SIGTERM handlers (cli/common.c) are installed without
** SA_RESTART.
**
** OpenMP: GCC's libgomp keeps the worker threads of a finished parallel
** region in a pool, and a forked child inherits the pool's bookkeeping but
** not its threads, so the child's first parallel region with more than one
** thread waits forever for workers that do not exist.  The parent therefore
** releases its pool with omp_pause_resource_all before forking (OpenMP 5.0;
** its next region starts fresh threads, a cost of microseconds), and the
** child builds its own.  That is why no team may be running at the fork.
*/
#include "bounds/sandbox.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"

void *tpc_sandbox_shm_alloc(size_t size) {
  if (size == 0) {
    tpc_error(TPC_EINPUT, "sandbox: shared memory of 0 bytes requested");
    return NULL;
  }
  /* Anonymous mappings are zero-filled by the kernel. */
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    tpc_error(TPC_ENOMEM, "sandbox: shared memory of %zu bytes: %s", size, strerror(errno));
    return NULL;
  }
  return p;
}

void tpc_sandbox_shm_free(void *p, size_t size) {
  if (p && size) munmap(p, size);
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The child's side: default dispositions and an empty signal mask, so that
** a fault kills it with its signal (and is not caught by a handler the
** parent installed, the sanitizers' included) and SIGINT from the terminal
** ends it like the parent.  Never returns. */
static void run_child(int (*fn)(void *, void *), void *arg, void *shm) {
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  int status = fn(arg, shm);
  _exit(status & 0xff);
}

static void sleep_s(double s) {
  struct timespec t = {(time_t)s, (long)((s - floor(s)) * 1e9)};
  /* An interrupted sleep just ends early: the caller's loop re-checks. */
  nanosleep(&t, NULL);
}

/* waitpid retried on EINTR.  Returns its result (pid, 0 or -1). */
static pid_t wait_child(pid_t pid, int *status, int flags) {
  pid_t r;
  do r = waitpid(pid, status, flags);
  while (r < 0 && errno == EINTR);
  return r;
}

/* Fill res from a wait status; `killed` says we sent SIGKILL at the
** deadline.  A child that exited on its own just before the kill landed is
** reported as exited, not timed out. */
static void fill_result(tpc_sandbox_result *res, int status, int killed) {
  if (WIFEXITED(status)) {
    res->exited = 1;
    res->exit_status = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    res->signal = WTERMSIG(status);
    res->timed_out = killed && res->signal == SIGKILL;
  }
}

int tpc_sandbox_run(int (*fn)(void *arg, void *shm), void *arg, void *shm,
                    double timeout_s, tpc_sandbox_result *res) {
  memset(res, 0, sizeof *res);
  /* No limit for a non-positive, NaN or infinite time-out. */
  int limited = timeout_s > 0 && isfinite(timeout_s);
  double start = now_s(), deadline = start + (limited ? timeout_s : 0);
  /* Fails (harmlessly) only inside a parallel region, which the contract
  ** excludes; the child would then hang in OpenMP and be timed out. */
  omp_pause_resource_all(omp_pause_soft);
  pid_t pid = fork();
  if (pid < 0) return tpc_error(TPC_EIO, "sandbox: fork failed: %s", strerror(errno));
  if (pid == 0) run_child(fn, arg, shm);

  int status = 0, killed = 0;
  double nap = 50e-6;
  for (;;) {
    pid_t r = wait_child(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0) {
      int e = errno;
      kill(pid, SIGKILL);
      wait_child(pid, &status, 0);
      return tpc_error(TPC_EIO, "sandbox: waiting for child %ld failed: %s", (long)pid,
                       strerror(e));
    }
    double t = now_s();
    if (limited && t >= deadline) {
      kill(pid, SIGKILL);
      killed = 1;
      if (wait_child(pid, &status, 0) != pid)
        return tpc_error(TPC_EIO, "sandbox: reaping child %ld failed: %s", (long)pid,
                         strerror(errno));
      break;
    }
    sleep_s(limited ? fmin(nap, deadline - t) : nap);
    nap = fmin(2 * nap, 10e-3);
  }
  res->seconds = now_s() - start;
  fill_result(res, status, killed);
  return TPC_OK;
}

const char *tpc_sandbox_describe(const tpc_sandbox_result *res, char *buf, size_t size) {
  if (!buf || size == 0) return "";
  if (res->timed_out)
    snprintf(buf, size, "timed out after %.3g s", res->seconds);
  else if (res->exited)
    snprintf(buf, size, "exited with status %d", res->exit_status);
  else
    snprintf(buf, size, "killed by signal %d (%s)", res->signal, strsignal(res->signal));
  return buf;
}
