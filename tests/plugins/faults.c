/*
** Test plugin: compressors that misbehave in every way the sandbox must
** contain (bounds/sandbox.h), each declaring B(1/2) like crash.c:
**
**   interrupter    its kernel raises SIGINT: a fault of that spec alone,
**                  never taken for the user's Ctrl-C
**   forker         its kernel forks three spinning processes (once per
**                  process), then loops forever: the time-out, or the death
**                  of tpc, must end all of them
**   exiter0        its kernel calls exit(0): a child that "succeeds" without
**                  a result is a failure
**   initcrasher    its init dereferences NULL
**   constscrasher  its consts dereferences NULL
**
** With TPC_TEST_PIDFILE set, forker appends "PID PGID" for each process it
** forks to that file, one a line, so that a test can check that none of
** them, and nothing of their process group, survives.  Built by
** tests/e2e_plugin.sh.
*/
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include <tpc.h>

/* Both the pointer and its target are volatile: a real memory fault (see
** crash.c). */
static void crash(void) {
  volatile int *volatile p = NULL;
  *p = 1;
}

/* A volatile flag keeps the loop from being optimized into anything else. */
static void hang(void) {
  volatile int forever = 1;
  while (forever) continue;
}

static void record_pid(pid_t pid) {
  const char *path = getenv("TPC_TEST_PIDFILE");
  FILE *f = path ? fopen(path, "a") : NULL;
  if (!f) return;
  fprintf(f, "%ld %ld\n", (long)pid, (long)getpgrp());
  fclose(f);
}

/* Three spinners, forked by the first call in this process only (kernels
** run on several threads: the exchange lets exactly one fork). */
static void fork_spinners(void) {
  static int forked;
  if (__atomic_exchange_n(&forked, 1, __ATOMIC_SEQ_CST)) return;
  for (int i = 0; i < 3; i++) {
    pid_t pid = fork();
    if (pid == 0) hang();
    if (pid > 0) record_pid(pid);
  }
}

static void interrupt(void) { raise(SIGINT); }

static void fork_and_hang(void) {
  fork_spinners();
  hang();
}

static void exit_zero(void) { exit(0); }

static int fine_init(tpc_comp *c, const tpc_spec *s) {
  (void)c;
  (void)s;
  return TPC_OK;
}

static int crashing_init(tpc_comp *c, const tpc_spec *s) {
  (void)c;
  (void)s;
  crash();
  return TPC_OK;
}

static void half_consts(const tpc_comp *c, tpc_comp_consts *out) {
  (void)c;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_CONTRACTIVE, .alpha = 0.5, .deterministic = 1,
                           .alpha_src = "test plugin"};
}

static void crashing_consts(const tpc_comp *c, tpc_comp_consts *out) {
  half_consts(c, out);
  crash();
}

/* Kernels of both element types that just misbehave. */
#define FAULTY_KERNELS(NAME, FAULT)                                                     \
  static void NAME##_f32(tpc_comp *c, const float *x, float *out, tpc_msg *msg,         \
                         const tpc_ctx *ctx) {                                          \
    (void)c, (void)x, (void)out, (void)msg, (void)ctx;                                  \
    FAULT();                                                                            \
  }                                                                                     \
  static void NAME##_f64(tpc_comp *c, const double *x, double *out, tpc_msg *msg,       \
                         const tpc_ctx *ctx) {                                          \
    (void)c, (void)x, (void)out, (void)msg, (void)ctx;                                  \
    FAULT();                                                                            \
  }

FAULTY_KERNELS(interrupter, interrupt)
FAULTY_KERNELS(forker, fork_and_hang)
FAULTY_KERNELS(exiter0, exit_zero)
FAULTY_KERNELS(crashing, crash) /* never reached: init or consts crashes first */

/* A type named NAME with the given init, consts and kernels. */
#define FAULTY_TYPE(NAME, SUMMARY, INIT, CONSTS, KERNEL)                               \
  static const tpc_comp_type NAME##_type = {                                           \
      .name = #NAME,                                                                   \
      .synopsis = #NAME,                                                               \
      .summary = "test plugin: " SUMMARY,                                              \
      .declared = "B(1/2)",                                                            \
      .theory = "test",                                                                \
      .init = INIT,                                                                    \
      .consts = CONSTS,                                                                \
      .compress_f32 = KERNEL##_f32,                                                    \
      .compress_f64 = KERNEL##_f64,                                                    \
  };

FAULTY_TYPE(interrupter, "its kernel raises SIGINT", fine_init, half_consts, interrupter)
FAULTY_TYPE(forker, "its kernel forks spinning processes and hangs", fine_init, half_consts,
            forker)
FAULTY_TYPE(exiter0, "its kernel calls exit(0)", fine_init, half_consts, exiter0)
FAULTY_TYPE(initcrasher, "its init dereferences NULL", crashing_init, half_consts, crashing)
FAULTY_TYPE(constscrasher, "its consts dereferences NULL", fine_init, crashing_consts, crashing)

int tpc_plugin_init(tpc_registry *r);
int tpc_plugin_init(tpc_registry *r) {
  const tpc_comp_type *const types[] = {&interrupter_type, &forker_type, &exiter0_type,
                                        &initcrasher_type, &constscrasher_type};
  for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
    int rc = tpc_registry_add_comp(r, types[i]);
    if (rc != TPC_OK) return rc;
  }
  return TPC_OK;
}
