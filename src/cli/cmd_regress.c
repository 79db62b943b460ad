/*
** tpc regress [--baseline FILE] [--update] [--timings gate|warn] ...: the CI
** gate.  Runs a fixed, fast set of checks (every built-in's constants,
** float64 and float32; Theorem 1 and PL on the paper's quadratic and
** Theorem 1 on phishing; a short bench in rounds; the same kernels'
** instruction counts) through the ordinary commands, in this process and on
** the same database, then compares each step's results with the baseline's
** run of the same step (reports/diff.h) and prints the differences.  Exit 1
** when one fails: a violated bound, a constant outside the baseline's
** interval, a changed Theorem 1 verdict, a kernel running more instructions
** per call than the threshold allows on the same path, or (with --timings
** gate) a kernel slower beyond doubt relative to its roofline.  The
** regress tables are written by reports/store_regress.c.  --update writes
** the fresh results as the new baseline instead.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/error.h"
#include "reports/baseline.h"
#include "reports/diff.h"
#include "reports/store_regress.h"
#include "store/store.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The fixed set, one command line per step: one setting of every built-in
** compressor and mechanism (T2, T3) at d = 100, with the float64 kernels and
** again with the float32 ones; Theorem 1 and PL for the mechanisms with a
** 3PC pair on a small paper quadratic, Theorem 1 on phishing; the
** theorems of T8 to T11 (one check each, below); the
** compressors' kernels and EF21's step at 2^20 floats.
** Changing it means a new baseline (--update). */
#define THREEPC_METHODS                                                                    \
  "gd", "ef21(topk(k=10))", "lag(zeta=4)", "clag(topk(k=10),zeta=2)", "3pcv1(topk(k=10))",  \
      "3pcv2(urandk(k=5),topk(k=5))", "3pcv3(lag(zeta=4),topk(k=10))",                      \
      "3pcv4(topk(k=5),topk(k=5))", "3pcv5(topk(k=10),p=0.1)",                              \
      "adacgd(topk(k=1),topk(k=10),topk(k=100),zeta=4)", "marina(urandk(k=10),p=0.1)"
#define BOUNDS_SPECS                                                                       \
  "identity", "topk(k=10)", "randk(k=10)", "urandk(k=10)", "permk", "bernoulli(p=0.5)",    \
      "natural", "dither(s=4)", "sign", "threshold(lambda=0.5)", "scaled(urandk(k=10))",    \
      "compose(urandk(k=10),permk)", THREEPC_METHODS, "shifted(urandk(k=50))",              \
      "diana(urandk(k=10),beta=0.1)"
static const char *const bounds_set[] = {"bounds", BOUNDS_SPECS, "--d", "100"};
static const char *const bounds_f32_set[] = {"bounds", BOUNDS_SPECS, "--d", "100",
                                             "--dtype", "f32"};
static const char *const rate_set[] = {"rate", "quad(d=200,n=20,s=0)", THREEPC_METHODS,
                                       "--T", "300", "--theorem", "T5.thm1"};
static const char *const pl_set[] = {"rate", "quad(d=200,n=20,s=0)", THREEPC_METHODS,
                                     "--T", "300", "--theorem", "T5.pl", "--no-slack"};
static const char *const logreg_set[] = {"rate", "logreg(file=phishing)", "gd",
                                         "ef21(topk(k=10))", "clag(topk(k=10),zeta=2)",
                                         "--T", "200", "--theorem", "T5.thm1"};
/* One check of each theorem of T8 and T9 (bounds/theorems/thm_shift.c,
** thm_ef21p.c) at its step: a well-conditioned convex quadratic with exact
** optima for the convex ones, phishing for the nonconvex T9.7 and T9.1. */
#define CONVEX_QUAD "quad(d=20,n=10,s=1,seed=3,convex=1,lambda=0.1)"
static const char *const shift_set[] = {
    "rate", CONVEX_QUAD, "dcgd(urandk(k=5))", "dcgd_shift(urandk(k=5),shift=star)",
    "dcgd_shift(urandk(k=5),shift=diana)", "dcgd_shift(urandk(k=5),shift=randdiana)",
    "gdci(urandk(k=15),shift=star)", "ef21p(topk(k=5))", "ef21p_diana(urandk(k=5),topk(k=5))",
    "ef21p_dcgd(urandk(k=5),topk(k=5))", "--T", "200", "--reps", "10", "--no-slack"};
static const char *const nonconvex_set[] = {"rate", "logreg(file=phishing,n=10)",
                                            "ef21p(topk(k=5))",
                                            "ef21p_dcgd(urandk(k=5),topk(k=5))", "--T", "200",
                                            "--reps", "5", "--no-slack"};
/* T10.2 for the three pairs of bidirectional 3PC it must cover, and
** T11.3 for AGD (2Direction without compression), on the same quadratic. */
static const char *const bidir_set[] = {
    "rate", CONVEX_QUAD, "bidir(ef21(topk(k=5)),ef21(topk(k=5)))",
    "bidir(adacgd(topk(k=2),topk(k=5),zeta=2),ef21(topk(k=5)))",
    "bidir(lag(zeta=2),ef21(topk(k=5)))", "twodirection(identity,identity)", "--T", "200",
    "--no-slack"};
static const char *const bench_set[] = {"bench", "topk", "randk", "sign", "natural", "dither",
                                        "ef21", "--d", "2^20", "--dtype", "f32",
                                        "--impl", "comp", "--samples", "20"};
/* The same kernels' instruction counts (bench/instrument.h), the gate on
** kernel regressions: at 2^14, where callgrind takes about a second; the
** plugins' compressor types join it by their bare names. */
static const char *const instr_set[] = {"bench", "topk", "randk", "sign", "natural", "dither",
                                        "ef21", "--d", "2^14", "--dtype", "f32",
                                        "--impl", "comp", "--instrument", "instructions"};

typedef struct regress_step {
  const char *const *words;   /* the command line, the command first */
  size_t nwords;
} regress_step;

#define STEP(set) {set, NELEM(set)}
static const regress_step steps[] = {STEP(bounds_set), STEP(bounds_f32_set), STEP(rate_set),
                                     STEP(pl_set),     STEP(logreg_set),     STEP(shift_set),
                                     STEP(nonconvex_set), STEP(bidir_set),  STEP(bench_set),
                                     STEP(instr_set)};
#define NSTEPS NELEM(steps)

#define MAXARGS 160
#define MAXSPECS 64

enum { OPT_BASELINE = TPC_OPT_FIRST_FREE, OPT_UPDATE, OPT_TIMINGS, OPT_THRESHOLD, OPT_SPEC,
       OPT_VERBOSE };

typedef struct regress_args {
  const char *baseline;
  int update;
  int timings_gate;
  int verbose;
  double threshold;
  const char *specs[MAXSPECS];  /* --spec, and the plugins' bare names */
  size_t nspecs;
  const char *comps[MAXSPECS];  /* the plugins' compressor types with a bare spec */
  size_t ncomps;
} regress_args;

static const char usage[] =
    "usage: tpc regress [--baseline FILE] [--update] [--timings gate|warn]\n"
    "                   [--threshold T] [--plugin FILE [--spec SPEC]...] [--db PATH]\n\n"
    "Runs a fixed set of checks (tpc bounds over every built-in at d = 100, with\n"
    "the float64 and the float32 kernels; tpc rate Theorem 1 and PL on\n"
    "quad(d=200,n=20,s=0), Theorem 1 on phishing, one check of every theorem\n"
    "of T8 and T9 on a convex quadratic and on phishing; tpc bench of the compressors\n"
    "at 2^20 floats in rounds, and their instructions per call at 2^14) and\n"
    "compares each step's results with the baseline's.  Fails (exit 1) on a\n"
    "violated bound, an empirical constant outside the baseline's confidence\n"
    "interval, a changed theorem verdict, a result the baseline has and\n"
    "this run lacks, or a kernel running more instructions per call than the\n"
    "threshold allows on the same kernel path.  Timings, taken relative to each\n"
    "run's roofline so that another machine does not fail them, warn.\n\n"
    "  --baseline FILE  the baseline (default db/baseline.sql)\n"
    "  --update         write this run's results as the baseline instead of comparing\n"
    "  --timings MODE   warn (default): slowdowns are reported; gate: they fail too\n"
    "  --threshold T    relative slowdown that counts (default 0.05)\n"
    "  --plugin FILE    also check the plugin's types (their bare names) ...\n"
    "  --spec SPEC      ... and these specs (repeatable)\n"
    "  --verbose        print every difference, not only failures and warnings\n";

static int regress_opt(void *args, int code, const char *value) {
  static const char *const timings[] = {"gate", "warn", NULL};
  regress_args *a = args;
  int timing;
  switch (code) {
    case OPT_BASELINE: a->baseline = value; return TPC_EXIT_OK;
    case OPT_UPDATE: a->update = 1; return TPC_EXIT_OK;
    case OPT_VERBOSE: a->verbose = 1; return TPC_EXIT_OK;
    case OPT_TIMINGS:
      if (tpc_cli_read_choice("--timings", value, timings, &timing)) return TPC_EXIT_USAGE;
      a->timings_gate = timing == 0;
      return TPC_EXIT_OK;
    case OPT_THRESHOLD: return tpc_cli_threshold(value, &a->threshold);
    default: /* OPT_SPEC */
      if (a->nspecs == MAXSPECS) {
        fprintf(stderr, "tpc: at most %d --spec\n", MAXSPECS);
        return TPC_EXIT_USAGE;
      }
      a->specs[a->nspecs++] = value;
      return TPC_EXIT_OK;
  }
}

static int parse(tpc_cli_ctx *ctx, regress_args *a) {
  static const struct option opts[] = {{"baseline", required_argument, 0, OPT_BASELINE},
                                       {"update", no_argument, 0, OPT_UPDATE},
                                       {"timings", required_argument, 0, OPT_TIMINGS},
                                       {"threshold", required_argument, 0, OPT_THRESHOLD},
                                       {"spec", required_argument, 0, OPT_SPEC},
                                       {"verbose", no_argument, 0, OPT_VERBOSE},
                                       {0, 0, 0, 0}};
  int code = tpc_cli_parse(ctx, opts, regress_opt, a, usage);
  if (!code && ctx->nargs) {
    fprintf(stderr, "tpc: regress takes no arguments, got '%s'\n", ctx->args[0]);
    code = TPC_EXIT_USAGE;
  }
  return code;
}

/* Does the bare name build at the set's d = 100 (no required parameter)? */
static int builds_bare(const tpc_registry *reg, const char *name) {
  tpc_spec *s = NULL;
  int st, ok = 0;
  if (tpc_spec_parse(name, &s) == TPC_OK && tpc_spec_check(reg, s) == TPC_OK) {
    if (tpc_registry_kind(reg, name) == TPC_KIND_COMP) {
      tpc_comp *c = tpc_comp_alloc(reg, s, 100, 4, &st);
      ok = c != NULL;
      tpc_comp_free(c);
    } else {
      tpc_mech *m = tpc_mech_alloc(reg, s, 100, 4, &st);
      ok = m != NULL;
      tpc_mech_free(m);
    }
  }
  tpc_spec_free(s);
  tpc_error_clear();
  return ok;
}

/* The plugins' types that build under their bare name join --spec: a
** plugin's compressor with defaults is checked without being named.  The
** others need --spec with their parameters; say so.  Plugins register
** after the built-ins: what lies past them in the registry is theirs. */
static void plugin_specs(const tpc_cli_ctx *ctx, regress_args *a) {
  const tpc_registry *reg = ctx->reg;
  size_t c0 = 0, m0 = 0, c1, m1;
  while (tpc_builtin_comps[c0]) c0++;
  while (tpc_builtin_mechs[m0]) m0++;
  tpc_registry_counts(reg, &c1, &m1);
  for (size_t i = 0; i < (c1 - c0) + (m1 - m0) && a->nspecs < MAXSPECS; i++) {
    const char *name = i < c1 - c0 ? tpc_registry_comp_at(reg, c0 + i)->name
                                   : tpc_registry_mech_at(reg, m0 + i - (c1 - c0))->name;
    if (builds_bare(reg, name)) {
      a->specs[a->nspecs++] = name;
      if (i < c1 - c0) a->comps[a->ncomps++] = name; /* its kernel joins the count */
    } else if (!ctx->common.quiet)
      fprintf(stderr, "regress: plugin type %s takes parameters: check it with --spec\n", name);
  }
}

/* An argv for a command run in-process: the fixed words, then the common
** flags this regress run was given. */
typedef struct argvec {
  int n;
  char *v[MAXARGS];
  char seed[32], threads[16];
} argvec;

static void push(argvec *av, const char *word) {
  if (av->n < MAXARGS - 1) av->v[av->n++] = (char *)word; /* getopt permutes, never writes */
  av->v[av->n] = NULL;
}

static void push_common(argvec *av, const tpc_cli_common *o) {
  snprintf(av->seed, sizeof av->seed, "%" PRIu64, o->seed);
  snprintf(av->threads, sizeof av->threads, "%d", o->threads);
  const char *words[] = {"--db", o->db, "--seed", av->seed, "--threads", av->threads,
                         "--quiet"};
  for (size_t i = 0; i < NELEM(words); i++) push(av, words[i]);
  for (size_t i = 0; i < o->nplugins; i++) {
    push(av, "--plugin");
    push(av, o->plugins[i]);
  }
}

typedef struct regress_job {
  regress_args *a;
  const tpc_cli_common *common;
  tpc_cli_run *run;          /* regress's own, opened by tpc_cli_run_open */
  int64_t ids[NSTEPS];       /* the run each step made */
  tpc_store *base;           /* the baseline, loaded; NULL with --update */
  int64_t base_ids[NSTEPS];  /* the baseline's run of each step */
  char base_commit[48];
  char scratch[256];         /* the baseline's scratch database */
} regress_job;

/* Run the fixed set in-process, each step's run id in j->ids; exit code 0,
** or the first step's 2 or 4. */
static int run_set(regress_job *j) {
  for (size_t k = 0; k < NSTEPS; k++) {
    argvec av = {0};
    for (size_t i = 0; i < steps[k].nwords; i++) push(&av, steps[k].words[i]);
    if (!strcmp(steps[k].words[0], "bounds"))
      for (size_t i = 0; i < j->a->nspecs; i++) push(&av, j->a->specs[i]);
    if (steps[k].words == instr_set)
      for (size_t i = 0; i < j->a->ncomps; i++) push(&av, j->a->comps[i]);
    push_common(&av, j->common);
    if (!j->common->quiet)
      fprintf(stderr, "regress: step %zu/%zu: tpc %s %s ...\n", k + 1, NSTEPS,
              steps[k].words[0], steps[k].words[1]);
    int code = tpc_cli_dispatch(av.n, av.v);
    j->ids[k] = tpc_cli_last_run_id();
    /* 1 (violated) and 3 (inconclusive) are results: the comparison reports them */
    if (code == TPC_EXIT_USAGE || code == TPC_EXIT_INTERNAL) return code;
  }
  return TPC_EXIT_OK;
}

/* The baseline into a scratch database; its runs must be the steps' runs,
** in order. */
static int load_baseline(regress_job *j) {
  const char *dir = getenv("TMPDIR");
  snprintf(j->scratch, sizeof j->scratch, "%s/tpc-baseline-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(j->scratch);
  if (fd < 0) {
    j->scratch[0] = 0;
    return tpc_cli_fail(tpc_error(TPC_EIO, "cannot create a scratch database in %s",
                                  dir && *dir ? dir : "/tmp"));
  }
  close(fd);
  tpc_baseline_run runs[NSTEPS + 1];
  size_t n = 0;
  int rc = tpc_baseline_load(j->a->baseline, j->scratch, &j->base);
  if (!rc) rc = tpc_baseline_runs(j->base, runs, NSTEPS + 1, &n);
  int same = n == NSTEPS;
  for (size_t k = 0; !rc && same && k < NSTEPS; k++) {
    same = !strcmp(runs[k].command, steps[k].words[0]);
    j->base_ids[k] = runs[k].id;
  }
  if (!rc && !same)
    rc = tpc_error(TPC_EINPUT, "baseline %s holds %zu runs, not the %zu steps of this "
                   "regress set: write it again with tpc regress --update",
                   j->a->baseline, n, NSTEPS);
  /* another seed draws other points: every randomized estimate would move */
  if (!rc && runs[0].seed != j->common->seed)
    rc = tpc_error(TPC_EINPUT, "baseline %s was made with --seed %" PRIu64 ", not %" PRIu64
                   ": run with that seed, or write a new baseline with --update",
                   j->a->baseline, runs[0].seed, j->common->seed);
  if (!rc) snprintf(j->base_commit, sizeof j->base_commit, "%s", runs[0].commit);
  return rc ? tpc_cli_fail(rc) : TPC_EXIT_OK;
}

static int compare(regress_job *j, tpc_diff *df) {
  int rc = TPC_OK;
  for (size_t k = 0; !rc && k < NSTEPS; k++) {
    int (*diff)(tpc_diff *, tpc_store *, int64_t, tpc_store *, int64_t) =
        !strcmp(steps[k].words[0], "bounds") ? tpc_diff_bounds
        : !strcmp(steps[k].words[0], "rate") ? tpc_diff_rate
                                             : tpc_diff_bench;
    rc = diff(df, j->base, j->base_ids[k], j->run->store, j->ids[k]);
  }
  return rc;
}

/* The regress tables' rows (reports/store_regress.h). */
static int store_result(regress_job *j, const tpc_diff *df) {
  const char *commands[NSTEPS];
  for (size_t k = 0; k < NSTEPS; k++) commands[k] = steps[k].words[0];
  tpc_regress_record r = {j->run->id,       j->a->baseline, j->base ? j->base_commit : NULL,
                          j->a->timings_gate, j->a->threshold, j->a->update,
                          j->base ? df : NULL, NSTEPS,       commands,
                          j->ids,          j->base ? j->base_ids : NULL};
  return tpc_regress_store(j->run->store, &r);
}

static int update_baseline(regress_job *j) {
  int64_t bad = 0;
  int rc = tpc_regress_count_violations(j->run->store, j->run->id, &bad);
  if (rc) return tpc_cli_fail(rc);
  if (bad) {
    fprintf(stderr, "tpc: %" PRId64 " check(s) violated: not writing them as the baseline\n",
            bad);
    return TPC_EXIT_FAIL;
  }
  rc = tpc_baseline_write(j->run->store, j->ids, NSTEPS, j->a->baseline);
  if (rc) return tpc_cli_fail(rc);
  if (!j->common->quiet)
    printf("regress: baseline %s written from runs %" PRId64 " to %" PRId64 "\n",
           j->a->baseline, j->ids[0], j->ids[NSTEPS - 1]);
  return TPC_EXIT_OK;
}

static int report(regress_job *j, const tpc_diff *df) {
  if (!j->common->quiet) {
    printf("tpc regress: baseline %s (commit %.12s) -> runs %" PRId64 " to %" PRId64 "\n",
           j->a->baseline, j->base_commit, j->ids[0], j->ids[NSTEPS - 1]);
    tpc_diff_print(stdout, df, j->a->verbose ? TPC_DIFF_INFO : TPC_DIFF_WARN);
    printf("%zu results matched (%zu only in the baseline, %zu new); %zu failure(s), %zu "
           "warning(s), %zu other change(s)%s\n",
           df->matched, df->only_before, df->only_after, df->fails, df->warns,
           df->n - df->fails - df->warns, j->a->verbose ? "" : " (--verbose lists them)");
    if (df->not_comparable)
      printf("%zu timing(s) not comparable: another kernel path or CPU than the baseline's "
             "(timings gate only the same kernel path on the same CPU model)\n",
             df->not_comparable);
  }
  return df->fails ? TPC_EXIT_FAIL : TPC_EXIT_OK;
}

/* --update: the baseline can be written, tried before any work so that a
** bad path is exit 2 with nothing stored. */
static int check_writable(const char *path) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f) {
    fprintf(stderr, "tpc: cannot write the baseline %s: %s\n", tmp, strerror(errno));
    return TPC_EXIT_USAGE;
  }
  fclose(f);
  remove(tmp);
  return TPC_EXIT_OK;
}

static int regress_main(tpc_cli_ctx *ctx, regress_job *j) {
  regress_args *a = j->a;
  plugin_specs(ctx, a);
  int code = a->update ? check_writable(a->baseline) : load_baseline(j);
  if (!code) code = tpc_cli_run_open(ctx, NULL);
  if (code) return code;
  code = run_set(j);
  tpc_diff df;
  tpc_diff_init(&df, a->threshold, a->timings_gate);
  df.names[0] = "baseline";
  df.names[1] = "here";
  int rc = TPC_OK;
  if (!code && j->base) rc = compare(j, &df);
  if (!code && !rc) rc = store_result(j, &df);
  if (rc) {
    tpc_cli_fail(rc);
    code = TPC_EXIT_INTERNAL; /* input was checked: a failure here is ours or SQLite's */
  }
  if (!code) code = a->update ? update_baseline(j) : report(j, &df);
  tpc_diff_free(&df);
  return code;
}

/* The baseline's scratch database and its WAL and shared-memory files. */
static void remove_scratch(const char *scratch) {
  char side[300];
  unlink(scratch);
  snprintf(side, sizeof side, "%s-wal", scratch);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", scratch);
  unlink(side);
}

int cmd_regress(tpc_cli_ctx *ctx) {
  regress_args a;
  memset(&a, 0, sizeof a);
  a.baseline = "db/baseline.sql";
  a.timings_gate = 0; /* timings warn; instruction counts gate */
  a.threshold = 0.05;
  int code = parse(ctx, &a);
  if (code) return code;
  regress_job j;
  memset(&j, 0, sizeof j);
  j.a = &a;
  j.common = &ctx->common;
  j.run = &ctx->run;
  code = regress_main(ctx, &j);
  tpc_store_close(j.base);
  if (j.scratch[0]) remove_scratch(j.scratch);
  return code;
}
