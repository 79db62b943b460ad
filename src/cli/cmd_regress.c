/*
** tpc regress [--baseline FILE] [--update] [--timings gate|warn] ...: the CI
** gate (issue 6).  Runs a fixed, fast set of checks (every built-in's
** constants, Theorem 1 on the paper's quadratic, a short bench) through the
** ordinary commands, in this process and on the same database, then compares
** their results with the baseline's (reports/diff.h) and prints the
** differences.  Exit 1 when one fails: a violated bound, a constant outside
** the baseline's interval, a changed Theorem 1 verdict, or (with --timings
** gate) a kernel slower beyond doubt relative to its roofline.  --update
** writes the fresh results as the new baseline instead.
*/
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/error.h"
#include "reports/baseline.h"
#include "reports/diff.h"
#include "store/store.h"

/* The fixed set: one setting of every built-in compressor and mechanism
** (T2, T3) at d = 100; Theorem 1 for the mechanisms with a 3PC pair on
** quad(s=0); the compressors' kernels at 2^20 floats.  Changing it means a
** new baseline (--update). */
static const char *const bounds_set[] = {
    "identity", "topk(k=10)", "randk(k=10)", "urandk(k=10)", "permk", "bernoulli(p=0.5)",
    "natural", "dither(s=4)", "sign", "threshold(lambda=0.5)", "scaled(urandk(k=10))",
    "compose(urandk(k=10),permk)", "gd", "ef21(topk(k=10))", "lag(zeta=4)",
    "clag(topk(k=10),zeta=2)", "3pcv1(topk(k=10))", "3pcv2(urandk(k=5),topk(k=5))",
    "3pcv3(lag(zeta=4),topk(k=10))", "3pcv4(topk(k=5),topk(k=5))", "3pcv5(topk(k=10),p=0.1)",
    "adacgd(topk(k=1),topk(k=10),topk(k=100),zeta=4)", "marina(urandk(k=10),p=0.1)",
    "shifted(urandk(k=50))", "diana(urandk(k=10),beta=0.1)"};
static const char *const rate_set[] = {
    "rate", "quad(d=200,n=20,s=0)", "gd", "ef21(topk(k=10))", "lag(zeta=4)", "clag(topk(k=10),zeta=2)",
    "3pcv1(topk(k=10))", "3pcv2(urandk(k=5),topk(k=5))", "3pcv3(lag(zeta=4),topk(k=10))",
    "3pcv4(topk(k=5),topk(k=5))", "3pcv5(topk(k=10),p=0.1)",
    "adacgd(topk(k=1),topk(k=10),topk(k=100),zeta=4)", "marina(urandk(k=10),p=0.1)",
    "--T", "300"};
static const char *const bench_set[] = {"bench", "topk", "randk", "sign", "natural", "dither",
                                        "ef21", "--d", "2^20", "--dtype", "f32",
                                        "--impl", "comp", "--samples", "20"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXARGS 160
#define MAXSPECS 64

enum { OPT_BASELINE = TPC_OPT_FIRST_FREE, OPT_UPDATE, OPT_TIMINGS, OPT_THRESHOLD, OPT_SPEC,
       OPT_VERBOSE, OPT_HELP };

typedef struct regress_args {
  tpc_cli_common common;
  const char *baseline;
  int update;
  int timings_gate;
  int verbose;
  double threshold;
  const char *specs[MAXSPECS];  /* --spec, and the plugins' bare names */
  size_t nspecs;
} regress_args;

static int usage(FILE *out, int code) {
  fprintf(out,
          "usage: tpc regress [--baseline FILE] [--update] [--timings gate|warn]\n"
          "                   [--threshold T] [--plugin FILE [--spec SPEC]...] [--db PATH]\n\n"
          "Runs a fixed set of checks (tpc bounds over every built-in at d = 100, tpc rate\n"
          "Theorem 1 on quad(s=0), tpc bench of the compressors at 2^20 floats) and\n"
          "compares the results with the baseline.  Fails (exit 1) on a violated bound,\n"
          "an empirical constant outside the baseline's confidence interval, a changed\n"
          "Theorem 1 verdict, or a kernel slower beyond doubt, timings being taken\n"
          "relative to each run's roofline so that another machine does not fail it.\n\n"
          "  --baseline FILE  the baseline (default db/baseline.sql)\n"
          "  --update         write this run's results as the baseline instead of comparing\n"
          "  --timings MODE   gate (default): slowdowns fail; warn: they are only reported\n"
          "  --threshold T    relative slowdown that counts (default 0.05)\n"
          "  --plugin FILE    also check the plugin's types (their bare names) ...\n"
          "  --spec SPEC      ... and these specs (repeatable)\n"
          "  --verbose        print every difference, not only failures and warnings\n"
          "  --db PATH        database the runs are stored in (default db/tpc.sqlite)\n"
          "  --seed N, --threads N, --quiet as for the other commands\n");
  return code;
}

/* 0, -1 for --help, or an exit code. */
static int parse(int argc, char **argv, regress_args *a) {
  static const struct option opts[] = {{"baseline", required_argument, 0, OPT_BASELINE},
                                       {"update", no_argument, 0, OPT_UPDATE},
                                       {"timings", required_argument, 0, OPT_TIMINGS},
                                       {"threshold", required_argument, 0, OPT_THRESHOLD},
                                       {"spec", required_argument, 0, OPT_SPEC},
                                       {"verbose", no_argument, 0, OPT_VERBOSE},
                                       {"help", no_argument, 0, OPT_HELP},
                                       TPC_CLI_COMMON_OPTIONS,
                                       {0, 0, 0, 0}};
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    int r = tpc_cli_common_opt(&a->common, c, optarg);
    if (r == 1) continue;
    if (r < 0) return TPC_EXIT_USAGE;
    switch (c) {
    case OPT_HELP:
    case 'h': return -1;
    case OPT_BASELINE: a->baseline = optarg; break;
    case OPT_UPDATE: a->update = 1; break;
    case OPT_VERBOSE: a->verbose = 1; break;
    case OPT_TIMINGS:
      if (strcmp(optarg, "gate") && strcmp(optarg, "warn")) {
        fprintf(stderr, "tpc: --timings expects gate or warn, got '%s'\n", optarg);
        return TPC_EXIT_USAGE;
      }
      a->timings_gate = !strcmp(optarg, "gate");
      break;
    case OPT_THRESHOLD:
      if (tpc_cli_threshold(optarg, &a->threshold)) return TPC_EXIT_USAGE;
      break;
    case OPT_SPEC:
      if (a->nspecs == MAXSPECS) {
        fprintf(stderr, "tpc: at most %d --spec\n", MAXSPECS);
        return TPC_EXIT_USAGE;
      }
      a->specs[a->nspecs++] = optarg;
      break;
    default:
      fprintf(stderr, "tpc: regress: unknown or incomplete option '%s'\n", argv[optind - 1]);
      return TPC_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "tpc: regress takes no arguments, got '%s'\n", argv[optind]);
    return TPC_EXIT_USAGE;
  }
  return TPC_EXIT_OK;
}

/* The plugins' types that stand alone as a spec (a bare name that checks),
** added to --spec: a plugin's compressor with defaults is checked without
** being named. */
static int plugin_specs(regress_args *a) {
  if (!a->common.nplugins) return TPC_EXIT_OK;
  int code;
  tpc_registry *builtin = tpc_registry_alloc();
  tpc_registry *reg = tpc_cli_registry_plugins(&a->common, &code);
  if (!builtin || !reg) {
    tpc_registry_free(builtin);
    tpc_registry_free(reg);
    return builtin ? code : TPC_EXIT_INTERNAL;
  }
  size_t c0, m0, c1, m1;
  tpc_registry_counts(builtin, &c0, &m0);
  tpc_registry_counts(reg, &c1, &m1);
  for (size_t i = 0; i < (c1 - c0) + (m1 - m0) && a->nspecs < MAXSPECS; i++) {
    const char *name = i < c1 - c0 ? tpc_registry_comp_at(reg, c0 + i)->name
                                   : tpc_registry_mech_at(reg, m0 + i - (c1 - c0))->name;
    tpc_spec *s = NULL;
    if (tpc_spec_parse(name, &s) == TPC_OK && tpc_spec_check(reg, s) == TPC_OK)
      a->specs[a->nspecs++] = name;
    tpc_spec_free(s);
  }
  tpc_registry_free(builtin);
  tpc_registry_free(reg); /* the names are the plugin's static strings: still loaded */
  return TPC_EXIT_OK;
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

static void push_common(argvec *av, const regress_args *a) {
  snprintf(av->seed, sizeof av->seed, "%" PRIu64, a->common.seed);
  snprintf(av->threads, sizeof av->threads, "%d", a->common.threads);
  const char *words[] = {"--db", a->common.db, "--seed", av->seed, "--threads", av->threads,
                         "--quiet"};
  for (size_t i = 0; i < NELEM(words); i++) push(av, words[i]);
  for (size_t i = 0; i < a->common.nplugins; i++) {
    push(av, "--plugin");
    push(av, a->common.plugins[i]);
  }
}

/* Run one command in-process; its run id in *id.  Returns its exit code. */
static int run_command(int (*cmd)(int, char **), argvec *av, int64_t *id) {
  int code = cmd(av->n, av->v);
  *id = tpc_cli_last_run_id();
  return code;
}

typedef struct regress_job {
  regress_args *a;
  tpc_cli_run run;
  int64_t ids[3];          /* bounds, rate, bench runs made */
  tpc_store *base;         /* the baseline, loaded; NULL with --update */
  int64_t base_ids[3];
  char base_commit[48];
  char scratch[256];       /* the baseline's scratch database */
} regress_job;

static const char *const commands[3] = {"bounds", "rate", "bench"};

/* Run the fixed set; exit code 0, or the first command's 2 or 4. */
static int run_set(regress_job *j) {
  argvec av[3] = {{0}};
  push(&av[0], "bounds");
  for (size_t i = 0; i < NELEM(bounds_set); i++) push(&av[0], bounds_set[i]);
  for (size_t i = 0; i < j->a->nspecs; i++) push(&av[0], j->a->specs[i]);
  push(&av[0], "--d");
  push(&av[0], "100");
  for (size_t i = 0; i < NELEM(rate_set); i++) push(&av[1], rate_set[i]);
  for (size_t i = 0; i < NELEM(bench_set); i++) push(&av[2], bench_set[i]);
  int (*const fn[3])(int, char **) = {cmd_bounds, cmd_rate, cmd_bench};
  for (int k = 0; k < 3; k++) {
    push_common(&av[k], j->a);
    if (!j->a->common.quiet) fprintf(stderr, "regress: tpc %s ...\n", commands[k]);
    int code = run_command(fn[k], &av[k], &j->ids[k]);
    /* 1 (violated) and 3 (inconclusive) are results: the comparison reports them */
    if (code == TPC_EXIT_USAGE || code == TPC_EXIT_INTERNAL) return code;
  }
  return TPC_EXIT_OK;
}

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
  int rc = tpc_baseline_load(j->a->baseline, j->scratch, &j->base);
  for (int k = 0; !rc && k < 3; k++) {
    rc = tpc_baseline_run(j->base, commands[k], &j->base_ids[k], k ? NULL : j->base_commit,
                          sizeof j->base_commit);
    if (!rc && !j->base_ids[k])
      rc = tpc_error(TPC_EINPUT, "baseline %s has no %s run: write it with tpc regress --update",
                     j->a->baseline, commands[k]);
  }
  return rc ? tpc_cli_fail(rc) : TPC_EXIT_OK;
}

static int compare(regress_job *j, tpc_diff *df) {
  int rc = tpc_diff_bounds(df, j->base, j->base_ids[0], j->run.store, j->ids[0]);
  if (!rc) rc = tpc_diff_rate(df, j->base, j->base_ids[1], j->run.store, j->ids[1]);
  if (!rc) rc = tpc_diff_bench(df, j->base, j->base_ids[2], j->run.store, j->ids[2]);
  return rc;
}

static int store_result(regress_job *j, const tpc_diff *df) {
  sqlite3 *db = tpc_store_db(j->run.store);
  sqlite3_stmt *r = NULL, *it = NULL;
  int rc = tpc_store_begin(j->run.store);
  if (rc) return rc;
  int ok = sqlite3_prepare_v2(db,
                              "INSERT INTO regress_runs (run_id, baseline, baseline_commit, "
                              "bounds_run, rate_run, bench_run, timings, threshold, updated, "
                              "matched, only_baseline, only_current, fails, warns) VALUES "
                              "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                              -1, &r, NULL) == SQLITE_OK &&
           sqlite3_prepare_v2(db,
                              "INSERT INTO regress_items (run_id, seq, area, result, quantity, "
                              "baseline, current, detail, level) VALUES (?1, ?2, ?3, ?4, ?5, "
                              "?6, ?7, ?8, ?9)",
                              -1, &it, NULL) == SQLITE_OK;
  if (ok) {
    sqlite3_bind_int64(r, 1, j->run.id);
    sqlite3_bind_text(r, 2, j->a->baseline, -1, SQLITE_STATIC);
    if (j->base) sqlite3_bind_text(r, 3, j->base_commit, -1, SQLITE_STATIC);
    for (int k = 0; k < 3; k++) sqlite3_bind_int64(r, 4 + k, j->ids[k]);
    sqlite3_bind_text(r, 7, j->a->timings_gate ? "gate" : "warn", -1, SQLITE_STATIC);
    sqlite3_bind_double(r, 8, j->a->threshold);
    sqlite3_bind_int(r, 9, j->a->update);
    if (j->base) {
      sqlite3_bind_int64(r, 10, (sqlite3_int64)df->matched);
      sqlite3_bind_int64(r, 11, (sqlite3_int64)df->only_before);
      sqlite3_bind_int64(r, 12, (sqlite3_int64)df->only_after);
      sqlite3_bind_int64(r, 13, (sqlite3_int64)df->fails);
      sqlite3_bind_int64(r, 14, (sqlite3_int64)df->warns);
    }
    ok = sqlite3_step(r) == SQLITE_DONE;
  }
  for (size_t i = 0; ok && i < df->n; i++) {
    const tpc_diff_item *d = &df->item[i];
    sqlite3_reset(it);
    sqlite3_bind_int64(it, 1, j->run.id);
    sqlite3_bind_int64(it, 2, (sqlite3_int64)i);
    const char *text[] = {d->area, d->key, d->what, d->before, d->after, d->detail,
                          tpc_diff_level_name(d->level)};
    for (int c = 0; c < 7; c++) sqlite3_bind_text(it, 3 + c, text[c], -1, SQLITE_STATIC);
    ok = sqlite3_step(it) == SQLITE_DONE;
  }
  if (!ok) rc = tpc_error(TPC_ESTORE, "storing the regress result: %s", sqlite3_errmsg(db));
  sqlite3_finalize(r);
  sqlite3_finalize(it);
  if (rc) tpc_store_rollback(j->run.store);
  else rc = tpc_store_commit(j->run.store);
  return rc;
}

/* Results that must not become a baseline: a violated bound or theorem. */
static int count_violations(regress_job *j, int64_t *n) {
  sqlite3 *db = tpc_store_db(j->run.store);
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(db,
                         "SELECT (SELECT count(*) FROM bounds_specs WHERE run_id = ?1 AND "
                         "verdict IN ('violated', 'error')) + (SELECT count(*) FROM rate_checks "
                         "WHERE run_id = ?2 AND verdict = 'violated')",
                         -1, &q, NULL) != SQLITE_OK)
    return tpc_error(TPC_ESTORE, "regress: %s", sqlite3_errmsg(db));
  sqlite3_bind_int64(q, 1, j->ids[0]);
  sqlite3_bind_int64(q, 2, j->ids[1]);
  *n = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
  sqlite3_finalize(q);
  return *n < 0 ? tpc_error(TPC_ESTORE, "regress: %s", sqlite3_errmsg(db)) : TPC_OK;
}

static int update_baseline(regress_job *j) {
  int64_t bad = 0;
  int rc = count_violations(j, &bad);
  if (rc) return tpc_cli_fail(rc);
  if (bad) {
    fprintf(stderr, "tpc: %" PRId64 " check(s) violated: not writing them as the baseline\n",
            bad);
    return TPC_EXIT_FAIL;
  }
  rc = tpc_baseline_write(j->run.store, j->ids, 3, j->a->baseline);
  if (rc) return tpc_cli_fail(rc);
  if (!j->a->common.quiet)
    printf("regress: baseline %s written from runs %" PRId64 ", %" PRId64 ", %" PRId64 "\n",
           j->a->baseline, j->ids[0], j->ids[1], j->ids[2]);
  return TPC_EXIT_OK;
}

static int report(regress_job *j, const tpc_diff *df) {
  if (!j->a->common.quiet) {
    printf("tpc regress: baseline %s (commit %.12s) -> runs %" PRId64 ", %" PRId64 ", %" PRId64
           "\n",
           j->a->baseline, j->base_commit, j->ids[0], j->ids[1], j->ids[2]);
    tpc_diff_print(stdout, df, j->a->verbose ? TPC_DIFF_INFO : TPC_DIFF_WARN);
    printf("%zu results matched (%zu only in the baseline, %zu new); %zu failure(s), %zu "
           "warning(s), %zu other change(s)%s\n",
           df->matched, df->only_before, df->only_after, df->fails, df->warns,
           df->n - df->fails - df->warns, j->a->verbose ? "" : " (--verbose lists them)");
  }
  return df->fails ? TPC_EXIT_FAIL : TPC_EXIT_OK;
}

static int regress_main(regress_job *j, int argc, char **argv) {
  regress_args *a = j->a;
  int code = plugin_specs(a);
  if (!code && !a->update) code = load_baseline(j);
  if (code) return code;
  code = tpc_cli_run_begin(&j->run, &a->common, "regress", argc, argv);
  if (code) return code;
  int64_t self = j->run.id;
  code = run_set(j);
  j->run.id = self;
  tpc_diff df;
  tpc_diff_init(&df, a->threshold, a->timings_gate);
  int rc = TPC_OK;
  if (!code && j->base) rc = compare(j, &df);
  if (!code && !rc) rc = store_result(j, &df);
  if (rc) {
    tpc_cli_fail(rc);
    code = TPC_EXIT_INTERNAL; /* input was checked: a failure here is ours or SQLite's */
  }
  if (!code) code = a->update ? update_baseline(j) : report(j, &df);
  tpc_diff_free(&df);
  return tpc_cli_run_end(&j->run, code);
}

int cmd_regress(int argc, char **argv) {
  regress_args a;
  memset(&a, 0, sizeof a);
  tpc_cli_common_init(&a.common);
  a.baseline = "db/baseline.sql";
  a.timings_gate = 1;
  a.threshold = 0.05;
  int code = parse(argc, argv, &a);
  if (code == -1) return usage(stdout, TPC_EXIT_OK);
  if (code) return code;
  regress_job j;
  memset(&j, 0, sizeof j);
  j.a = &a;
  code = regress_main(&j, argc, argv);
  tpc_store_close(j.base);
  if (j.scratch[0]) {
    unlink(j.scratch);
    char side[300];
    snprintf(side, sizeof side, "%s-wal", j.scratch);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", j.scratch);
    unlink(side);
  }
  return code;
}
