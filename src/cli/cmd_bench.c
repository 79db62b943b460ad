/*
** tpc bench [KERNEL...] [options]: kernel timings with a roofline, in rounds
** (the pipeline is bench/run.h); tpc bench compare RUN_A RUN_B: the
** regression check between two runs; tpc bench calibrate: an A/A run on
** this machine and the noise floor it leaves.  This file parses, dispatches
** and prints.  Every flag is checked before any work: bad input exits 2 and
** stores nothing.
*/
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/calibrate.h"
#include "bench/cases.h"
#include "bench/compare.h"
#include "bench/env.h"
#include "bench/harness.h"
#include "bench/instrument.h"
#include "bench/rounds.h"
#include "bench/run.h"
#include "bench/store_bench.h"
#include "cli/cli.h"
#include "core/error.h"
#include "store/store.h"

#define MAXLIST 64
#define MAX_D ((size_t)1 << 31)

enum {
  OPT_D = TPC_OPT_FIRST_FREE,
  OPT_K,
  OPT_RATIO,
  OPT_DTYPE,
  OPT_IMPL,
  OPT_SAMPLES,
  OPT_ROUNDS,
  OPT_INSTRUMENT,
  OPT_THRESHOLD
};

typedef struct bench_args {
  const char *kernels[MAXLIST];
  size_t nkernels;
  size_t d[MAXLIST];
  size_t nd;
  size_t k[MAXLIST];
  size_t nk;
  double ratio[MAXLIST];
  size_t nratio;
  tpc_dtype dtype[2];
  size_t ndtype;
  const char *impl[MAXLIST];
  size_t nimpl;
  char *impl_text;   /* strdup'd --impl values the impl[] entries point into */
  size_t samples;
  size_t rounds;
  int instrument;    /* --instrument instructions */
} bench_args;

#define DEFAULT_ROUNDS 5

static const char usage[] =
    "usage: tpc bench [KERNEL...] [--d LIST] [--k LIST | --ratio LIST]\n"
    "                 [--dtype f32,f64] [--impl LIST] [--samples N] [options]\n"
    "       tpc bench compare RUN_A RUN_B [--threshold T] [--db PATH]\n"
    "       tpc bench calibrate [KERNEL...] [--rounds R] [bench options]\n\n"
    "Times compression kernels and stores every sample in the database.  Each\n"
    "kernel's cases are interleaved with read, copy and write bandwidth\n"
    "measurements at the same size; floor = bytes the kernel must move divided\n"
    "by those bandwidths, ratio = median / floor.\n\n"
    "kernels (default: all):\n"
    "  identity topk randk urandk permk bernoulli natural dither sign threshold\n"
    "           the base compressors (impl comp); topk adds every TopK\n"
    "           implementation and ISA path (topk/filter/avx512, ...) and the\n"
    "           peers numpy.argpartition and torch.topk when python3 has them\n"
    "  ef21 clag       the fused steps h + C(x - h) with C = topk (clag: send, skip)\n"
    "  encode decode   wire format of sparse, sign, quant, pow2, dense messages\n"
    "  NAME            with --plugin: a plugin's compressor type, NAME(k=K) as topk\n"
    "                  when it has a parameter k, else its bare spec; a Python\n"
    "                  type's cases come with impl bridge (pyidentity: the\n"
    "                  interpreter's cost per call, shown as a share in the\n"
    "                  type's note; --impl cannot select it alone)\n\n"
    "options (LIST = comma-separated):\n"
    "  --d LIST         dimensions, 2^N allowed (default 2^20)\n"
    "  --k LIST         kept coordinates for topk, randk, ... (each <= every d)\n"
    "  --ratio LIST     k = max(1, round(ratio d)) instead (default 0.01)\n"
    "  --dtype LIST     f32, f64 (default both)\n"
    "  --impl LIST      only these implementations (comp, quickselect, filter/avx2,\n"
    "                   numpy, sparse, send, ...; a name matches its ISA variants)\n"
    "  --samples N      samples per case and round, each >= 1 ms (default 20, at\n"
    "                   least 3)\n"
    "  --rounds R       rounds per case, each with fresh inputs at new addresses,\n"
    "                   the cases in a new order and the floors measured again\n"
    "                   (default 5; 1 to 1000); intervals come from the rounds\n"
    "  --instrument instructions\n"
    "                   count instructions per call instead of timing (perf where\n"
    "                   the machine has counters, else a re-run under valgrind's\n"
    "                   callgrind, which runs the avx2 paths)\n"
    "\ncompare: per case matched on kernel, dtype, d, k and impl, the ratio of B's\n"
    "median to A's with its 99% round-level interval (a two-level bootstrap over\n"
    "rounds, then samples), beside the within-round interval; instruction counts\n"
    "of the same path when both runs have them.\n"
    "  --threshold T    a case regressed when the whole interval lies above 1 + T\n"
    "                   (default 0.05); exit 1 then, 2 for unknown runs; fewer than\n"
    "                   3 rounds in a run: unclear, never a verdict\n"
    "\ncalibrate [KERNEL...] [bench options]: an A/A test of this machine: 2 R\n"
    "rounds of one build, split into two halves and compared; per case the false\n"
    "verdicts and the noise floor (the smallest change detectable at R rounds:\n"
    "the half-width of the ratio's interval).  Default R 5, d 2^20, f32, comp.\n";

/* ---- parsing ------------------------------------------------------------------ */

/* Split a comma-separated list in place into at most cap items[] (empty
** items skipped, as strtok does); 2 when there are none or too many. */
static int split(const char *opt, char *text, size_t cap, char **items, size_t *n) {
  *n = 0;
  for (char *save = NULL, *t = strtok_r(text, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (*n == cap) {
      fprintf(stderr, "tpc: %s takes at most %zu values\n", opt, cap);
      return TPC_EXIT_USAGE;
    }
    items[(*n)++] = t;
  }
  if (*n == 0) {
    fprintf(stderr, "tpc: %s expects a comma-separated list\n", opt);
    return TPC_EXIT_USAGE;
  }
  return TPC_EXIT_OK;
}

/* Item i of --k, --ratio or --dtype into its slot. */
static int read_item(int code, const char *item, size_t i, bench_args *a) {
  static const char *const dtypes[] = {"f32", "f64", NULL}; /* in tpc_dtype's order */
  static const tpc_cli_range ratio = {0, 1, 1, 0};          /* (0, 1] */
  int dtype, rc;
  switch (code) {
    case OPT_K: return tpc_cli_size("--k", item, &a->k[i]);
    case OPT_RATIO: return tpc_cli_read_real("--ratio", item, ratio, &a->ratio[i]);
    default:
      rc = tpc_cli_read_choice("--dtype", item, dtypes, &dtype);
      if (!rc) a->dtype[i] = (tpc_dtype)dtype;
      return rc;
  }
}

/* --k, --ratio, --dtype: each item read, the count set once all are good. */
static int parse_list(int code, const char *opt, const char *arg, bench_args *a) {
  char *text = strdup(arg), *items[MAXLIST];
  if (!text) return tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
  size_t n, cap = code == OPT_DTYPE ? 2 : MAXLIST;
  int rc = split(opt, text, cap, items, &n);
  for (size_t i = 0; i < n && !rc; i++) rc = read_item(code, items[i], i, a);
  free(text);
  if (rc) return rc;
  size_t *counts[] = {&a->nk, &a->nratio, &a->ndtype};
  *counts[code - OPT_K] = n;
  return TPC_EXIT_OK;
}

static int parse_impl(const char *arg, bench_args *a) {
  free(a->impl_text);
  a->impl_text = strdup(arg);
  if (!a->impl_text) return tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
  char *items[MAXLIST];
  int rc = split("--impl", a->impl_text, MAXLIST, items, &a->nimpl);
  for (size_t i = 0; i < a->nimpl && !rc; i++) a->impl[i] = items[i];
  return rc;
}

static int bench_opt(void *args, int code, const char *value) {
  static const char *const instruments[] = {"instructions", NULL};
  bench_args *a = args;
  int instrument;
  switch (code) {
    case OPT_D: return tpc_cli_read_sizes("--d", value, MAX_D, MAXLIST, a->d, &a->nd);
    case OPT_K: return parse_list(code, "--k", value, a);
    case OPT_RATIO: return parse_list(code, "--ratio", value, a);
    case OPT_DTYPE: return parse_list(code, "--dtype", value, a);
    case OPT_IMPL: return parse_impl(value, a);
    case OPT_SAMPLES: return tpc_cli_read_count("--samples", value, 3, 100000, &a->samples);
    case OPT_ROUNDS: return tpc_cli_read_count("--rounds", value, 1, 1000, &a->rounds);
    default: /* OPT_INSTRUMENT */
      if (tpc_cli_read_choice("--instrument", value, instruments, &instrument))
        return TPC_EXIT_USAGE;
      a->instrument = 1;
      return TPC_EXIT_OK;
  }
}

/* Every k must fit every d; ratios always do. */
static int check_sizes(const tpc_registry *reg, const bench_args *a) {
  int any_k = 0;
  for (size_t i = 0; i < a->nkernels; i++) any_k |= tpc_bench_kernel_has_k(reg, a->kernels[i]);
  for (size_t i = 0; any_k && i < a->nk; i++)
    for (size_t j = 0; j < a->nd; j++)
      if (a->k[i] > a->d[j]) {
        fprintf(stderr, "tpc: --k %zu exceeds d = %zu\n", a->k[i], a->d[j]);
        return TPC_EXIT_USAGE;
      }
  return TPC_EXIT_OK;
}

static void defaults(bench_args *a) {
  if (a->nkernels == 0)
    for (const char *const *k = tpc_bench_kernels(); *k; k++) a->kernels[a->nkernels++] = *k;
  if (a->nd == 0) a->d[a->nd++] = (size_t)1 << 20;
  if (a->nk == 0 && a->nratio == 0) a->ratio[a->nratio++] = 0.01;
  if (a->ndtype == 0) {
    a->dtype[0] = TPC_F32;
    a->dtype[1] = TPC_F64;
    a->ndtype = 2;
  }
}

/* The kernels named (with --plugin, a name may be a plugin's compressor:
** the registry decides) and every --impl among their cases. */
static int check_kernels(const tpc_cli_ctx *ctx, bench_args *a) {
  for (int i = 0; i < ctx->nargs; i++) {
    if (!tpc_bench_kernel_known(ctx->args[i]) && !ctx->common.nplugins) {
      fprintf(stderr, "tpc: '%s' is not a bench kernel (see tpc bench --help)\n", ctx->args[i]);
      return TPC_EXIT_USAGE;
    }
    if (a->nkernels == MAXLIST) {
      fprintf(stderr, "tpc: at most %d kernels\n", MAXLIST);
      return TPC_EXIT_USAGE;
    }
    a->kernels[a->nkernels++] = ctx->args[i];
  }
  defaults(a);
  int rc = check_sizes(ctx->reg, a);
  for (size_t i = 0; i < a->nimpl && !rc; i++) {
    int known = 0;
    for (size_t j = 0; j < a->nkernels && !known; j++)
      known = tpc_bench_impl_known(a->kernels[j], a->impl[i]);
    if (!known) {
      fprintf(stderr, "tpc: --impl '%s' matches no case of the kernels asked%s\n", a->impl[i],
              tpc_bench_impl_known(NULL, a->impl[i]) ? "" : " (see tpc bench --help)");
      rc = TPC_EXIT_USAGE;
    }
  }
  return rc;
}

/* The options of bench and calibrate, then the kernels; 0, TPC_CLI_HELP or
** an exit code. */
static int parse_args(tpc_cli_ctx *ctx, bench_args *a) {
  static const struct option opts[] = {
      {"d", required_argument, 0, OPT_D},         {"k", required_argument, 0, OPT_K},
      {"ratio", required_argument, 0, OPT_RATIO}, {"dtype", required_argument, 0, OPT_DTYPE},
      {"impl", required_argument, 0, OPT_IMPL},   {"samples", required_argument, 0, OPT_SAMPLES},
      {"rounds", required_argument, 0, OPT_ROUNDS},
      {"instrument", required_argument, 0, OPT_INSTRUMENT},
      {0, 0, 0, 0}};
  int rc = tpc_cli_parse(ctx, opts, bench_opt, a, usage);
  if (rc) return rc;
  if (a->nk && a->nratio) {
    fprintf(stderr, "tpc: give --k or --ratio, not both\n");
    return TPC_EXIT_USAGE;
  }
  return check_kernels(ctx, a);
}

/* ---- the table ---------------------------------------------------------------- */

static void print_header(void) {
  printf("%-10s %-5s %6s %8s %-20s %10s  %-23s %6s %4s %7s %10s %6s  %-14s %s\n", "kernel",
         "dtype", "d", "k", "impl", "median", "99% CI (rounds)", "spread", "out", "GB/s",
         "floor", "ratio", "path", "note");
}

/* The round-level interval of the median, or the within-round one (marked
** "within") when there is one round only. */
static void fmt_interval(const tpc_bench_case *c, char *buf, size_t size) {
  char lo[24], hi[24];
  int rounds = c->round_hi > 0 && isfinite(c->round_hi);
  snprintf(buf, size, "[%s, %s]%s",
           tpc_bench_fmt_time(rounds ? c->round_lo : c->sum.ci_lo, lo, sizeof lo),
           tpc_bench_fmt_time(rounds ? c->round_hi : c->sum.ci_hi, hi, sizeof hi),
           rounds ? "" : " within");
}

static void print_case(const tpc_bench_case *c) {
  char d[16], k[24], med[24], fl[24], ci[64], ratio[16], spread[16] = "-";
  const tpc_bench_summary *s = &c->sum;
  double moved = c->bytes_read + c->bytes_written;
  snprintf(k, sizeof k, "%zu", c->k);
  fmt_interval(c, ci, sizeof ci);
  if (c->rounds > 1) snprintf(spread, sizeof spread, "%.1f%%", 100 * c->round_cv);
  if (c->ratio > 0) snprintf(ratio, sizeof ratio, "%.2f", c->ratio);
  else snprintf(ratio, sizeof ratio, "-");
  if (c->instructions > 0) snprintf(med, sizeof med, "%.4g ins", c->instructions);
  else tpc_bench_fmt_time(s->median, med, sizeof med);
  printf("%-10s %-5s %6s %8s %-20s %10s  %-23s %6s %4zu %7.2f %10s %6s  %-14s %s\n", c->kernel,
         tpc_bench_dtype_name(c->dtype), tpc_bench_fmt_size(c->d, d, sizeof d), c->k ? k : "-",
         c->impl, med, c->instructions > 0 ? "-" : ci, spread, s->outliers,
         s->median > 0 ? moved / s->median : 0.0, tpc_bench_fmt_time(c->floor_ns, fl, sizeof fl),
         ratio, c->path[0] ? c->path : "-", c->note);
}

/* ---- a run -------------------------------------------------------------------- */

typedef struct bench_cli {
  tpc_cli_ctx *ctx;
  const bench_args *a;
  int quiet;         /* no table: --quiet, or calibrate, which prints its own */
  tpc_cli_progress prog;
  double coverage;   /* lowest coverage of a within-round median interval printed */
  void (*group_stored)(void *ctx, const tpc_bench_case *cases, size_t n); /* calibrate */
  void *stored_ctx;
} bench_cli;

static void on_started(void *ctx, const tpc_bench_env *env, const tpc_bench_opts *o,
                       const tpc_bench_plan *p) {
  bench_cli *b = ctx;
  if (b->quiet) return;
  printf("tpc bench: %s, %d cores, governor %s, turbo %s; ", env->cpu_model, env->cores,
         env->governor[0] ? env->governor : "unknown", env->turbo[0] ? env->turbo : "unknown");
  if (p->instrument) printf("instructions per call, %d calls counted\n", TPC_BENCH_COUNT_CALLS);
  else printf("%zu rounds of %zu samples per case\n", p->rounds, o->samples);
  print_header();
  fflush(stdout);
}

static void on_group_begin(void *ctx, const char *kernel, tpc_dtype dtype, size_t round) {
  bench_cli *b = ctx;
  char label[64];
  tpc_cli_common shown = b->ctx->common;
  shown.quiet = b->quiet;
  snprintf(label, sizeof label, "%s %s r%zu", kernel, tpc_bench_dtype_name(dtype), round + 1);
  tpc_cli_progress_init(&b->prog, label, &shown);
}

static void on_group_end(void *ctx) { tpc_cli_progress_end(&((bench_cli *)ctx)->prog); }

static void on_group_stored(void *ctx, const tpc_bench_case *cases, size_t n) {
  bench_cli *b = ctx;
  if (b->group_stored) b->group_stored(b->stored_ctx, cases, n);
  for (size_t i = 0; !b->quiet && i < n; i++) {
    print_case(&cases[i]);
    if (cases[i].sum.n && cases[i].sum.ci_level < b->coverage) b->coverage = cases[i].sum.ci_level;
  }
  fflush(stdout);
}

static void plan_of(const bench_args *a, const tpc_cli_common *o, tpc_bench_plan *p) {
  *p = (tpc_bench_plan){a->kernels, a->nkernels, a->d,         a->nd,
                        a->k,       a->nk,       a->ratio,     a->nratio,
                        a->dtype,   a->ndtype,   a->impl,      a->nimpl,
                        a->rounds ? a->rounds : DEFAULT_ROUNDS, o->seed,
                        o->threads, a->instrument};
}

/* For instruction counts without perf: this command again under callgrind
** (bench/instrument.h), storing into run_id; its exit code. */
static int bench_rerun(const tpc_cli_ctx *ctx, int64_t run_id) {
  char **full = calloc((size_t)ctx->argc + 2, sizeof *full);
  if (!full) return tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
  full[0] = "tpc";
  for (int i = 0; i < ctx->argc; i++) full[i + 1] = ctx->argv[i];
  int code, rc = tpc_bench_counter_rerun(full, (long long)run_id, &code);
  free(full);
  return rc ? tpc_cli_fail(rc) : code;
}

/* The run itself, into run_id: in this process, or for instruction counts
** without perf, in a re-run of this command. */
static int bench_body(bench_cli *b, tpc_store *st, int64_t run_id) {
  const bench_args *a = b->a;
  const tpc_cli_common *o = &b->ctx->common;
  if (a->instrument && !tpc_bench_counter_available()) return bench_rerun(b->ctx, run_id);
  omp_set_num_threads(o->threads);
  tpc_bench_opts opts;
  tpc_bench_opts_init(&opts);
  opts.samples = a->samples ? a->samples : 20;
  opts.stop = tpc_cli_interrupted;
  opts.progress = tpc_cli_progress_cb;
  opts.progress_ctx = &b->prog;
  tpc_bench_plan plan;
  plan_of(a, o, &plan);
  tpc_bench_hooks hooks = {b, on_started, on_group_begin, on_group_end, on_group_stored};
  tpc_bench_outcome out;
  int rc = tpc_bench_run(b->ctx->reg, st, run_id, &plan, &opts, &hooks, &out);
  if (!rc && !b->quiet) {
    if (out.peers[0]) printf("peers: %s\n", out.peers);
    if (b->coverage < opts.level)
      printf("note: below 8 samples the within-round interval is the whole range, with "
             "%.4g%% coverage rather than 99%%\n", 100 * b->coverage);
    printf("run %" PRId64 " stored in %s; peak resident set %.1f MiB\n", run_id, o->db,
           (double)out.peak_rss_kib / 1024.0);
  }
  int code = rc ? tpc_cli_fail(rc) : TPC_EXIT_OK;
  return code == TPC_EXIT_USAGE ? TPC_EXIT_INTERNAL : code; /* input was checked: ours */
}

/* The re-run under callgrind: it stores into its parent's run, opens none. */
static int bench_child(bench_cli *b) {
  long long id = atoll(getenv(TPC_BENCH_ENV_RUN));
  tpc_cli_interrupts_catch(); /* a signal stops it between groups, as its parent */
  tpc_store *st;
  int rc = tpc_store_open(b->ctx->common.db, &st);
  if (rc) return tpc_cli_fail(rc);
  int code = bench_body(b, st, id);
  tpc_store_close(st);
  return code;
}

static int bench_main(bench_cli *b) {
  const char *missing;
  if (b->a->instrument && getenv(TPC_BENCH_ENV_RUN) && tpc_bench_counter_available())
    return bench_child(b);
  if (b->a->instrument && (missing = tpc_bench_counter_missing())) {
    fprintf(stderr, "tpc bench: --instrument instructions: %s; nothing run\n", missing);
    return TPC_EXIT_USAGE;
  }
  tpc_bench_plan plan;
  plan_of(b->a, &b->ctx->common, &plan);
  int rc = tpc_bench_plan_check_memory(&plan);
  if (!rc) rc = tpc_bench_plan_check_plugins(b->ctx->reg, &plan, tpc_cli_interrupted);
  if (rc) return tpc_cli_fail(rc);
  int code = tpc_cli_run_open(b->ctx, NULL);
  return code ? code : bench_body(b, b->ctx->run.store, b->ctx->run.id);
}

/* ---- calibrate ---------------------------------------------------------------- */

static void print_calibrated(const tpc_bench_case *c, const tpc_bench_calib_case *r) {
  const tpc_bench_cmp *m = &r->cmp;
  char d[16], kk[24];
  snprintf(kk, sizeof kk, "%zu", c->k);
  printf("%-10s %-5s %6s %8s %-20s %7.3f [%.3f, %.3f] %-9s %8.1f%% %7.1f%%\n", c->kernel,
         tpc_bench_dtype_name(c->dtype), tpc_bench_fmt_size(c->d, d, sizeof d), c->k ? kk : "-",
         c->impl, m->ratio, m->lo, m->hi,
         r->false_verdict ? "FALSE" : tpc_bench_verdict_name(m->verdict), 100 * r->floor,
         100 * c->round_cv);
}

static void calibrate_group(void *ctx, const tpc_bench_case *cases, size_t n) {
  tpc_bench_calib_case r;
  for (size_t i = 0; i < n; i++)
    if (cases[i].role == TPC_BENCH_KERNEL && tpc_bench_calib_add(ctx, &cases[i], &r))
      print_calibrated(&cases[i], &r);
}

/* calibrate's own checks: timings only, and 2 R rounds within --rounds' range. */
static int calibrate_check(const bench_args *a, size_t R) {
  if (a->instrument) {
    fprintf(stderr, "tpc: bench calibrate measures timings: --instrument does not apply\n");
    return TPC_EXIT_USAGE;
  }
  if (R < TPC_BENCH_MIN_ROUNDS || R > 500) {
    fprintf(stderr, "tpc: bench calibrate needs --rounds from %d to 500 (it runs twice as many)\n",
            TPC_BENCH_MIN_ROUNDS);
    return TPC_EXIT_USAGE;
  }
  return TPC_EXIT_OK;
}

static int calibrate_summary(tpc_bench_calib *k, size_t R) {
  double median, largest;
  tpc_bench_calib_floors(k, &median, &largest);
  printf("%zu kernel cases: %zu false verdicts (expected about 1%% at 99%%); noise floor at %zu "
         "rounds: median %.1f%%, largest %.1f%%\n",
         k->cases, k->false_verdicts, R, 100 * median, 100 * largest);
  if (k->cases == 0 || k->few) {
    fprintf(stderr, "tpc: calibrate: %s\n",
            k->cases ? "some cases have too few rounds (interrupted?)" : "no kernel case was timed");
    return TPC_EXIT_INCONCLUSIVE;
  }
  return TPC_EXIT_OK;
}

/* tpc bench calibrate: a bench run of 2 R rounds whose halves are compared.
** ctx's words start at "calibrate". */
static int calibrate_main(tpc_cli_ctx *ctx, bench_args *a) {
  int rc = parse_args(ctx, a);
  size_t R = a->rounds ? a->rounds : DEFAULT_ROUNDS;
  if (!rc) rc = calibrate_check(a, R);
  if (rc) return rc;
  static tpc_bench_calib k; /* 32 KiB of floors */
  tpc_bench_calib_init(&k, 0.05);
  a->rounds = 2 * R;
  bench_cli b = {.ctx = ctx, .a = a, .quiet = 1, .coverage = 1.0,
                 .group_stored = calibrate_group, .stored_ctx = &k};
  if (!ctx->common.quiet)
    printf("tpc bench calibrate: an A/A test, %zu rounds split into two halves of %zu; "
           "verdicts at 99%% and threshold 5%%\n"
           "%-10s %-5s %6s %8s %-20s %7s %-16s %-9s %9s %8s\n",
           2 * R, R, "kernel", "dtype", "d", "k", "impl", "B/A", "99% CI (rounds)", "verdict",
           "noise", "spread");
  rc = bench_main(&b);
  /* interrupted: the run ends as every interrupted run does (exit 4), with
  ** no summary of cases it did not finish */
  if (rc || tpc_cli_interrupted()) return rc;
  return calibrate_summary(&k, R);
}

/* ---- compare ------------------------------------------------------------------ */

/* One line of the comparison (a tpc_bench_row_fn): m is NULL for cases of
** different kernel paths, whose timings are not compared. */
static void print_compare_row(void *ctx, const tpc_bench_row *ra, const tpc_bench_row *rb,
                              const tpc_bench_cmp *m, int instructions) {
  (void)ctx;
  char d[16], k[24], ma[24], mb[24], ci[48] = "-", ratio[16] = "-", within[48] = "-",
                                      verdict[160];
  snprintf(k, sizeof k, "%" PRId64, ra->k);
  if (m) {
    snprintf(ci, sizeof ci, "[%.3f, %.3f]", m->lo, m->hi);
    snprintf(ratio, sizeof ratio, "%.3f", m->ratio);
    if (!instructions) snprintf(within, sizeof within, "[%.3f, %.3f]", m->w_lo, m->w_hi);
    int counts = !strcmp(ra->role, "kernel");
    snprintf(verdict, sizeof verdict, counts ? "%s%s" : "(%s%s)",
             tpc_bench_verdict_name(m->verdict),
             m->few_rounds ? " (too few rounds)" : instructions ? " (instructions)" : "");
  } else
    snprintf(verdict, sizeof verdict, "not comparable (A: %s, B: %s)",
             ra->path[0] ? ra->path : "path not recorded",
             rb->path[0] ? rb->path : "path not recorded");
  if (instructions) {
    snprintf(ma, sizeof ma, "%.4g ins", ra->instructions);
    snprintf(mb, sizeof mb, "%.4g ins", rb->instructions);
  } else {
    tpc_bench_fmt_time(ra->median_ns, ma, sizeof ma);
    tpc_bench_fmt_time(rb->median_ns, mb, sizeof mb);
  }
  printf("%-10s %-5s %6s %8s %-20s %12s %12s %7s %-17s %-17s  %s\n", ra->kernel, ra->dtype,
         tpc_bench_fmt_size((size_t)ra->d, d, sizeof d), ra->k ? k : "-", ra->impl, ma, mb,
         ratio, ci, within, verdict);
}

static void print_compare_header(const tpc_bench_rows *A, const tpc_bench_rows *B,
                                 double threshold) {
  printf("tpc bench compare: run %" PRId64 " (A) -> run %" PRId64
         " (B); ratio B/A with its 99%% interval over rounds (within rounds beside it, "
         "for contrast); threshold %g%%\n",
         A->run_id, B->run_id, 100 * threshold);
  if (strcmp(A->cpu_model, B->cpu_model))
    printf("note: different CPUs: A on %s, B on %s\n", A->cpu_model, B->cpu_model);
  printf("%-10s %-5s %6s %8s %-20s %12s %12s %7s %-17s %-17s  %s\n", "kernel", "dtype", "d",
         "k", "impl", "median A", "median B", "B/A", "99% CI (rounds)", "within rounds",
         "verdict");
}

/* The summary line and the exit code: 1 when a kernel case is slower, 3
** when none was compared. */
static int compare_verdict(const tpc_bench_tally *t, int64_t ida, int64_t idb, double threshold,
                           int quiet) {
  const size_t *v = t->verdicts;
  if (!quiet)
    printf("%zu kernel cases: %zu same, %zu faster, %zu slower, %zu unclear; %zu only in A, "
           "%zu only in B, %zu of different kernel paths%s\n",
           v[0] + v[1] + v[2] + v[3], v[TPC_BENCH_SAME], v[TPC_BENCH_FASTER],
           v[TPC_BENCH_SLOWER], v[TPC_BENCH_UNCLEAR], t->only_a, t->only_b, t->other_path,
           t->skipped ? " (some without usable samples)" : "");
  if (v[TPC_BENCH_SLOWER]) {
    fprintf(stderr, "tpc: %zu case(s) slower than %g%% beyond doubt\n", v[TPC_BENCH_SLOWER],
            100 * threshold);
    return TPC_EXIT_FAIL;
  }
  if (v[0] + v[1] + v[2] + v[3] == 0) {
    fprintf(stderr, "tpc: runs %" PRId64 " and %" PRId64 " have no kernel case in common%s\n",
            ida, idb, t->other_path ? " on the same kernel path" : "");
    return TPC_EXIT_INCONCLUSIVE;
  }
  return TPC_EXIT_OK;
}

/* How a run measured its cases, for the message refusing to compare a timed
** run with a counted one (their rows share no measure). */
static const char *measure_of(const tpc_bench_rows *r) {
  return r->instrument[0] ? "counted instructions" : "measured time";
}

/* Both runs' cases, read from the database; 2 for a database or run id
** that is not one, or for a timed run against a counted one. */
static int compare_load(const char *db, char **ids, tpc_bench_rows *A, tpc_bench_rows *B) {
  if (access(db, F_OK) != 0) {
    fprintf(stderr, "tpc: %s does not exist\n", db);
    return TPC_EXIT_USAGE;
  }
  tpc_store *st;
  int rc = tpc_store_open(db, &st);
  if (rc) {
    tpc_cli_fail(rc);
    return TPC_EXIT_USAGE; /* not a tpc database, or a newer one: the user's input */
  }
  int64_t ida, idb;
  rc = tpc_bench_resolve_run(st, ids[0], &ida);
  if (!rc) rc = tpc_bench_resolve_run(st, ids[1], &idb);
  if (!rc) rc = tpc_bench_load(st, ida, A);
  if (!rc) rc = tpc_bench_load(st, idb, B);
  tpc_store_close(st);
  if (!rc && !A->instrument[0] != !B->instrument[0])
    rc = tpc_error(TPC_EINPUT,
                   "run %" PRId64 " %s and run %" PRId64 " %s: compare two timed runs "
                   "or two counted ones", ida, measure_of(A), idb, measure_of(B));
  return rc ? tpc_cli_fail(rc) : TPC_EXIT_OK;
}

static int compare_opt(void *args, int code, const char *value) {
  (void)code; /* OPT_THRESHOLD */
  return tpc_cli_threshold(value, args);
}

/* tpc bench compare RUN_A RUN_B: ctx's words start at "compare"; it loads
** no registry and stores no run. */
static int compare_main(tpc_cli_ctx *ctx) {
  static const struct option opts[] = {{"threshold", required_argument, 0, OPT_THRESHOLD},
                                       {0, 0, 0, 0}};
  double threshold = 0.05;
  int rc = tpc_cli_parse(ctx, opts, compare_opt, &threshold, usage);
  if (rc) return rc;
  if (ctx->nargs != 2) {
    fprintf(stderr, "tpc: bench compare expects two run ids (RUN_A RUN_B)\n");
    return TPC_EXIT_USAGE;
  }
  tpc_bench_rows A = {0}, B = {0};
  tpc_bench_tally t;
  int quiet = ctx->common.quiet, status = TPC_OK;
  rc = compare_load(ctx->common.db, ctx->args, &A, &B);
  if (!rc && !quiet) print_compare_header(&A, &B, threshold);
  if (!rc)
    status = tpc_bench_compare_runs(&A, &B, threshold, quiet ? NULL : print_compare_row, NULL, &t);
  int64_t ida = A.run_id, idb = B.run_id;
  tpc_bench_rows_free(&A);
  tpc_bench_rows_free(&B);
  if (rc) return rc;
  if (status) return tpc_cli_fail(status);
  return compare_verdict(&t, ida, idb, threshold, quiet);
}

/* The words from argv[1] on under another table entry: `bench compare`
** opens no run and loads no plugin, so its entry has no flags. */
static tpc_cli_ctx subcommand(const tpc_cli_ctx *ctx, const tpc_cli_cmd *entry) {
  tpc_cli_ctx sub = *ctx;
  sub.cmd = entry;
  sub.argc--;
  sub.argv++;
  return sub;
}

int cmd_bench(tpc_cli_ctx *ctx) {
  static const tpc_cli_cmd compare_entry = {.name = "bench compare"};
  const char *word = ctx->argc >= 2 ? ctx->argv[1] : "";
  if (!strcmp(word, "compare")) {
    tpc_cli_ctx sub = subcommand(ctx, &compare_entry);
    return compare_main(&sub);
  }
  bench_args a;
  memset(&a, 0, sizeof a);
  int rc;
  if (!strcmp(word, "calibrate")) {
    ctx->argc--; /* the run's command line is stored from "calibrate" on, as before */
    ctx->argv++;
    rc = calibrate_main(ctx, &a);
  } else {
    rc = parse_args(ctx, &a);
    bench_cli b = {.ctx = ctx, .a = &a, .quiet = ctx->common.quiet, .coverage = 1.0};
    if (!rc) rc = bench_main(&b);
  }
  free(a.impl_text);
  return rc;
}
