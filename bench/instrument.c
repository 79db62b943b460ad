/*
** Instruction counts (instrument.h): perf_event_open where the kernel
** exposes a PMU, else callgrind's client requests in a re-run of tpc under
** Valgrind.
*/
#include "bench/instrument.h"

#include <errno.h>
#include <signal.h>
#include <linux/perf_event.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include "core/error.h"

extern char **environ;

static int perf_open(void) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof a);
  a.type = PERF_TYPE_HARDWARE;
  a.size = sizeof a;
  a.config = PERF_COUNT_HW_INSTRUCTIONS;
  a.disabled = 1;
  a.exclude_kernel = 1;
  a.exclude_hv = 1;
  return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static int under_callgrind(void) {
  return RUNNING_ON_VALGRIND && getenv(TPC_BENCH_ENV_CALLGRIND) != NULL;
}

int tpc_bench_counter_available(void) {
  if (under_callgrind()) return 1;
  int fd = perf_open();
  if (fd >= 0) close(fd);
  return fd >= 0;
}

/* Whether an executable `name` is in a directory of PATH (posix_spawnp's
** search, asked before a run row is opened). */
static int in_path(const char *name) {
  const char *path = getenv("PATH");
  char file[4096];
  while (path && *path) {
    size_t n = strcspn(path, ":");
    if (n && n + strlen(name) + 2 <= sizeof file) {
      snprintf(file, sizeof file, "%.*s/%s", (int)n, path, name);
      if (access(file, X_OK) == 0) return 1;
    }
    path += n + (path[n] == ':');
  }
  return 0;
}

const char *tpc_bench_counter_missing(void) {
  if (tpc_bench_counter_available() || in_path("valgrind")) return NULL;
  return "this machine refuses perf_event_open and valgrind is not installed "
         "(apt-get install valgrind)";
}

int tpc_bench_counter_open(tpc_bench_counter *c) {
  memset(c, 0, sizeof *c);
  c->fd = -1;
  if (under_callgrind()) { /* perf inside Valgrind would count Valgrind */
    c->kind = TPC_COUNTER_CALLGRIND;
    snprintf(c->dump, sizeof c->dump, "%s", getenv(TPC_BENCH_ENV_CALLGRIND));
    return TPC_OK;
  }
  c->fd = perf_open();
  if (c->fd < 0)
    return tpc_error(TPC_EIO, "perf_event_open(instructions): %s, and not under callgrind",
                     strerror(errno));
  c->kind = TPC_COUNTER_PERF;
  return TPC_OK;
}

const char *tpc_bench_counter_name(const tpc_bench_counter *c) {
  return c->kind == TPC_COUNTER_PERF ? "perf" : "callgrind";
}

void tpc_bench_counter_close(tpc_bench_counter *c) {
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
}

/* One call, counted: only the call, not the restore of an in-place kernel. */
static void counted_call(tpc_bench_counter *ctr, tpc_bench_case *c) {
  if (c->restore) c->restore(c);
  if (ctr->kind == TPC_COUNTER_PERF) {
    ioctl(ctr->fd, PERF_EVENT_IOC_ENABLE, 0);
    c->call(c);
    ioctl(ctr->fd, PERF_EVENT_IOC_DISABLE, 0);
  } else {
    CALLGRIND_TOGGLE_COLLECT;
    c->call(c);
    CALLGRIND_TOGGLE_COLLECT;
  }
}

/* The "summary:" total of callgrind's dump number `part`, then the file
** removed. */
static int callgrind_total(const tpc_bench_counter *ctr, unsigned part, double *total) {
  char path[4200], line[512];
  snprintf(path, sizeof path, "%s.%u", ctr->dump, part);
  FILE *f = fopen(path, "r");
  if (!f) return tpc_error(TPC_EIO, "callgrind dump %s: %s", path, strerror(errno));
  unsigned long long v = 0;
  int found = 0;
  while (!found && fgets(line, sizeof line, f)) found = sscanf(line, "summary: %llu", &v) == 1;
  fclose(f);
  remove(path);
  if (!found) return tpc_error(TPC_EIO, "callgrind dump %s has no summary line", path);
  *total = (double)v;
  return TPC_OK;
}

/* Instructions of TPC_BENCH_COUNT_CALLS calls of c. */
static int count_case(tpc_bench_counter *ctr, tpc_bench_case *c, double *total) {
  if (ctr->kind == TPC_COUNTER_PERF) ioctl(ctr->fd, PERF_EVENT_IOC_RESET, 0);
  else CALLGRIND_ZERO_STATS;
  for (int i = 0; i < TPC_BENCH_COUNT_CALLS; i++) counted_call(ctr, c);
  if (ctr->kind == TPC_COUNTER_CALLGRIND) {
    CALLGRIND_DUMP_STATS_AT(c->kernel);
    return callgrind_total(ctr, ++ctr->dumps, total);
  }
  uint64_t v = 0;
  if (read(ctr->fd, &v, sizeof v) != (ssize_t)sizeof v)
    return tpc_error(TPC_EIO, "reading the instruction counter: %s", strerror(errno));
  *total = (double)v;
  return TPC_OK;
}

int tpc_bench_counter_group(tpc_bench_counter *ctr, tpc_bench_case *cases, size_t n) {
  for (size_t i = 0; i < n; i++) {
    tpc_bench_case *c = &cases[i];
    if (c->role != TPC_BENCH_KERNEL) continue;
    if (c->restore) c->restore(c);
    c->call(c); /* first touch and lazy set-up, not counted */
    double total;
    int rc = count_case(ctr, c, &total);
    if (rc) return rc;
    c->instructions = total / TPC_BENCH_COUNT_CALLS;
  }
  return TPC_OK;
}

/* The running program's path, for valgrind to start again. */
static int self_path(char *buf, size_t size) {
  ssize_t n = readlink("/proc/self/exe", buf, size - 1);
  if (n <= 0) return tpc_error(TPC_EIO, "cannot find the tpc binary: %s", strerror(errno));
  buf[n] = 0;
  return TPC_OK;
}

/* Wait for the re-run.  A signal that interrupts the wait (SIGINT, SIGTERM
** sent to tpc alone) is passed on as SIGTERM, so the re-run stops after its
** group and stores what it finished, rather than running on after tpc. */
static int wait_forwarding(pid_t pid, int *status) {
  while (waitpid(pid, status, 0) < 0) {
    if (errno != EINTR) return errno;
    kill(pid, SIGTERM);
  }
  return 0;
}

int tpc_bench_counter_rerun(char *const *argv, long long run_id, int *code) {
#if defined(__SANITIZE_ADDRESS__)
  (void)argv;
  (void)run_id;
  *code = 3;
  fprintf(stderr, "tpc: no instruction counter: perf_event_open is refused here and "
                  "valgrind cannot run an AddressSanitizer build; nothing counted\n");
  return TPC_OK;
#endif
  char exe[4096], dir[256], out[300], outopt[330], run[64];
  const char *tmp = getenv("TMPDIR");
  *code = 4;
  int rc = self_path(exe, sizeof exe);
  if (rc) return rc;
  snprintf(dir, sizeof dir, "%s/tpc-callgrind-XXXXXX",
           tmp && *tmp && strlen(tmp) < 200 ? tmp : "/tmp");
  if (!mkdtemp(dir)) return tpc_error(TPC_EIO, "cannot create %s: %s", dir, strerror(errno));
  snprintf(out, sizeof out, "%s/cg", dir);
  snprintf(outopt, sizeof outopt, "--callgrind-out-file=%s", out);
  snprintf(run, sizeof run, "%lld", run_id);
  size_t n = 0;
  while (argv[n]) n++;
  char **av = calloc(n + 8, sizeof *av);
  if (!av) return tpc_error(TPC_ENOMEM, "out of memory (valgrind command)");
  const char *pre[] = {"valgrind", "--tool=callgrind", "--collect-atstart=no", "-q", outopt, exe};
  size_t k = 0;
  for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++) av[k++] = (char *)pre[i];
  for (size_t i = 1; i < n; i++) av[k++] = argv[i]; /* argv[0]: this program, as exe */
  setenv(TPC_BENCH_ENV_CALLGRIND, out, 1);
  setenv(TPC_BENCH_ENV_RUN, run, 1);
  pid_t pid;
  int err = posix_spawnp(&pid, "valgrind", NULL, NULL, av, environ);
  unsetenv(TPC_BENCH_ENV_CALLGRIND);
  unsetenv(TPC_BENCH_ENV_RUN);
  free(av);
  int status = 0;
  if (!err) err = wait_forwarding(pid, &status);
  remove(out); /* the dump at exit (nothing collected) */
  rmdir(dir);
  if (err) return tpc_error(TPC_EIO, "cannot run valgrind (apt-get install valgrind): %s",
                            strerror(err));
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : 4;
  return TPC_OK;
}
