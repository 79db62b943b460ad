/*
** Running untrusted evaluation in a child process (sandbox.h).
**
** Two processes per run.  The parent forks a keeper, which makes itself the
** leader of a new process group, and the keeper forks the worker, which
** calls fn.  Only this file's code runs in the keeper, so it can be trusted
** with what the worker cannot be: with every signal blocked, it waits
** (sigwaitinfo) for
**   - SIGCHLD: the worker ended; the keeper hands the worker's wait status
**     to the parent through a shared word and exits 0;
**   - anything else, above all SIGHUP, its parent-death signal: the parent
**     is gone (or someone asks the sandbox to end); it kills its whole group,
**     itself included.
** So when the parent is killed by SIGKILL, which it cannot catch, the kernel
** tells the keeper, and the keeper kills the worker and whatever the worker
** forked.  The worker has SIGKILL as its own parent-death signal, in case
** the keeper alone is killed.  Both check getppid() after setting the
** signal: a parent that died before prctl would otherwise go unnoticed.
**
** The parent waits by polling waitid(WNOHANG | WNOWAIT) with a sleep that
** grows from 50 us to 10 ms, so a fast child costs well under a millisecond
** of latency and a long one a negligible number of wake-ups.  When the
** keeper has ended, at the deadline, or when stop() asks, it kills the group
** with SIGKILL (which cannot be caught or ignored) and only then reaps the
** keeper: while the keeper is an unreaped zombie its pid, the group's id,
** cannot be reused, so the kill cannot reach an unrelated group.  Every
** system call is retried on EINTR: the command's SIGINT/SIGTERM handlers
** (cli/common.c) are installed without SA_RESTART, which is also what ends
** the parent's sleep at once on an interruption.
**
** The worker is a plain fork: it sees the caller's memory as it was at the
** fork (copy on write), so fn needs no serialization of its arguments, and
** it reports back only through the shared mapping and its exit status.  It
** ends with _exit, never exit: it must not run the parent's atexit handlers
** or touch the parent's database connection on the way out.  The parent
** flushes its stdio streams before forking, so that even a plugin calling
** exit() in the worker has no buffered output of the parent's to write twice.
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
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"

/* What the keeper tells the parent, in a shared mapping of its own. */
typedef struct keeper_report {
  int reaped;      /* the worker ended and `status` is its wait status */
  int status;
  int fork_errno;  /* nonzero: the keeper could not fork the worker */
} keeper_report;

/* Why the parent stopped waiting. */
enum { END_EXITED, END_TIMEOUT, END_STOP, END_ERROR };

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

static void default_dispositions(void) {
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
}

/* The worker: default dispositions and an empty signal mask, so that a
** fault kills it with its signal (not a handler the parent installed, the
** sanitizers' included).  SIGTTOU is ignored: the worker's group is not the
** terminal's foreground group, and a progress bar it draws must not stop it
** on a terminal set to `stty tostop`. */
static _Noreturn void work(int (*fn)(void *, void *), void *arg, void *shm, pid_t keeper) {
  default_dispositions();
  signal(SIGTTOU, SIG_IGN);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != keeper) _exit(127);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  int status = fn(arg, shm);
  _exit(status & 0xff);
}

static _Noreturn void end_group(void) {
  kill(0, SIGKILL);
  _exit(127); /* not reached: the group includes this process */
}

/* The keeper (see the top of the file).  Its dispositions are reset while
** every signal is blocked: one the parent ignores (SIGHUP under nohup)
** would otherwise be discarded instead of waited for. */
static _Noreturn void keep(int (*fn)(void *, void *), void *arg, void *shm, keeper_report *rep,
                           pid_t parent) {
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  default_dispositions();
  setpgid(0, 0);
  if (prctl(PR_SET_PDEATHSIG, SIGHUP) != 0 || getppid() != parent) end_group();
  pid_t self = getpid(), worker = fork();
  if (worker < 0) {
    rep->fork_errno = errno;
    _exit(0);
  }
  if (worker == 0) work(fn, arg, shm, self);
  for (;;) {
    int sig = sigwaitinfo(&all, NULL), status;
    if (sig < 0) continue;
    if (sig != SIGCHLD) end_group();
    if (waitpid(worker, &status, WNOHANG) == worker) {
      rep->status = status;
      __atomic_store_n(&rep->reaped, 1, __ATOMIC_RELEASE);
      _exit(0);
    }
  }
}

static void sleep_s(double s) {
  struct timespec t = {(time_t)s, (long)((s - floor(s)) * 1e9)};
  /* An interrupted sleep just ends early: the caller's loop re-checks. */
  nanosleep(&t, NULL);
}

/* Whether the keeper has ended, leaving it unreaped: 1 yes, 0 not yet,
** -1 waitid failed. */
static int keeper_ended(pid_t pid) {
  siginfo_t si;
  int r;
  do {
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
  } while (r < 0 && errno == EINTR);
  return r < 0 ? -1 : si.si_pid == pid;
}

/* Wait for the keeper to end, the deadline, or a stop request. */
static int watch(pid_t pid, const tpc_sandbox_opts *o, double start) {
  /* No limit for a non-positive, NaN or infinite time-out. */
  int limited = o && o->timeout_s > 0 && isfinite(o->timeout_s);
  double deadline = start + (limited ? o->timeout_s : 0), nap = 50e-6;
  for (;;) {
    int ended = keeper_ended(pid);
    if (ended) return ended > 0 ? END_EXITED : END_ERROR;
    if (o && o->stop && o->stop(o->stop_ctx)) return END_STOP;
    double t = now_s();
    if (limited && t >= deadline) return END_TIMEOUT;
    sleep_s(limited ? fmin(nap, deadline - t) : nap);
    nap = fmin(2 * nap, 10e-3);
  }
}

static pid_t reap(pid_t pid, int *status) {
  pid_t r;
  do r = waitpid(pid, status, 0);
  while (r < 0 && errno == EINTR);
  return r;
}

/* Fill res from the keeper's wait status: the worker's status when the
** keeper relayed it, else the keeper's own fate, which is the worker's too
** (the group died together).  A child that ended on its own just before the
** kill landed is reported as it ended, not as timed out or stopped. */
static void fill_result(tpc_sandbox_result *res, int keeper_status, const keeper_report *rep,
                        int end) {
  int relayed = WIFEXITED(keeper_status) && WEXITSTATUS(keeper_status) == 0 &&
                __atomic_load_n(&rep->reaped, __ATOMIC_ACQUIRE);
  int status = relayed ? rep->status : keeper_status;
  if (WIFEXITED(status)) {
    res->exited = 1;
    res->exit_status = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    res->signal = WTERMSIG(status);
    int ours = !relayed && res->signal == SIGKILL;
    res->timed_out = ours && end == END_TIMEOUT;
    res->stopped = ours && end == END_STOP;
  }
}

int tpc_sandbox_run(int (*fn)(void *arg, void *shm), void *arg, void *shm,
                    const tpc_sandbox_opts *o, tpc_sandbox_result *res) {
  memset(res, 0, sizeof *res);
  keeper_report *rep = tpc_sandbox_shm_alloc(sizeof *rep);
  if (!rep) return TPC_ENOMEM;
  fflush(NULL);
  /* Fails (harmlessly) only inside a parallel region, which the contract
  ** excludes; the child would then hang in OpenMP and be timed out. */
  omp_pause_resource_all(omp_pause_soft);
  pid_t parent = getpid();
  double start = now_s();
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    tpc_sandbox_shm_free(rep, sizeof *rep);
    return tpc_error(TPC_EIO, "sandbox: fork failed: %s", strerror(e));
  }
  if (pid == 0) keep(fn, arg, shm, rep, parent);
  setpgid(pid, pid); /* as the keeper does: the group exists whoever runs first */
  int end = watch(pid, o, start), e = errno, status = 0;
  kill(-pid, SIGKILL);
  pid_t r = reap(pid, &status);
  res->seconds = now_s() - start;
  int rc = TPC_OK;
  if (end == END_ERROR || r != pid)
    rc = tpc_error(TPC_EIO, "sandbox: waiting for child %ld failed: %s", (long)pid,
                   strerror(end == END_ERROR ? e : errno));
  else if (rep->fork_errno)
    rc = tpc_error(TPC_EIO, "sandbox: fork failed: %s", strerror(rep->fork_errno));
  else
    fill_result(res, status, rep, end);
  tpc_sandbox_shm_free(rep, sizeof *rep);
  return rc;
}

/* ---- a function call in a child ------------------------------------------- */

#define CALL_MAGIC 0x7470632d63616c6cull /* "tpc-call" */

/* Ahead of fn's output in the mapping; the magic number is written last, so
** a child killed midway leaves nothing the parent would take for a result. */
typedef struct call_header {
  uint64_t magic;
  int32_t status;
  char msg[512];
  char fault[512];  /* what tpc_fault wrote, when plugin code faulted */
} call_header;

typedef struct call_arg {
  int (*fn)(void *arg, void *out);
  void *arg;
} call_arg;

static size_t call_offset(void) { return (sizeof(call_header) + 63) / 64 * 64; }

static int call_child(void *arg, void *shm) {
  const call_arg *a = arg;
  call_header *h = shm;
  tpc_error_clear();
  tpc_fault_channel_set(h->fault, sizeof h->fault);
  int status = a->fn(a->arg, (char *)shm + call_offset());
  h->status = status;
  snprintf(h->msg, sizeof h->msg, "%s", status == TPC_OK ? "" : tpc_error_msg());
  __atomic_store_n(&h->magic, CALL_MAGIC, __ATOMIC_RELEASE);
  return 0;
}

/* fn's status and message when it returned, else TPC_ECHILD saying why. */
static int call_outcome(const void *shm, void *out, size_t size, const tpc_sandbox_result *res) {
  const call_header *h = shm;
  char why[128];
  tpc_sandbox_describe(res, why, sizeof why);
  int returned = res->exited && res->exit_status == 0 &&
                 __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) == CALL_MAGIC;
  if (!returned && res->exited && res->exit_status == TPC_FAULT_STATUS && h->fault[0])
    return tpc_error(TPC_ECHILD, "failed: %s", h->fault);
  if (!returned)
    return tpc_error(TPC_ECHILD, "%s%s", why, res->exited ? " before returning" : "");
  if (size) memcpy(out, (const char *)shm + call_offset(), size);
  if (h->status == TPC_OK) {
    tpc_error_clear();
    return TPC_OK;
  }
  return tpc_error(h->status, "%s", h->msg);
}

int tpc_sandbox_call(int (*fn)(void *arg, void *out), void *arg, void *out, size_t size,
                     const tpc_sandbox_opts *o, tpc_sandbox_result *res, int *status) {
  size_t total = call_offset() + size;
  void *shm = tpc_sandbox_shm_alloc(total);
  if (!shm) return TPC_ENOMEM;
  call_arg a = {fn, arg};
  int rc = tpc_sandbox_run(call_child, &a, shm, o, res);
  if (rc == TPC_OK) *status = call_outcome(shm, out, size, res);
  tpc_sandbox_shm_free(shm, total);
  return rc;
}

const char *tpc_sandbox_describe(const tpc_sandbox_result *res, char *buf, size_t size) {
  if (!buf || size == 0) return "";
  if (res->timed_out)
    snprintf(buf, size, "timed out after %.3g s", res->seconds);
  else if (res->stopped)
    snprintf(buf, size, "stopped (interrupted) after %.3g s", res->seconds);
  else if (res->exited)
    snprintf(buf, size, "exited with status %d", res->exit_status);
  else
    snprintf(buf, size, "killed by signal %d (%s)", res->signal, strsignal(res->signal));
  return buf;
}
