/*
** tpc bench [KERNEL...] [options]: kernel timings with a roofline, in rounds
** (the pipeline is bench/run.h); tpc bench compare RUN_A RUN_B: the
** regression check between two runs; tpc bench calibrate: an A/A run on
** this machine and the noise floor it leaves.  This file parses, dispatches
** and prints.  Every flag is checked before any work: bad input exits 2 and
** stores nothing.
*/
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
  OPT_THRESHOLD,
  OPT_HELP
};

typedef struct bench_args {
  tpc_cli_common common;
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

static int usage(FILE *out, int code) {
  fprintf(out,
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
          "  NAME            with --plugin: a plugin's compressor type, bare spec\n\n"
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
          "                   callgrind, which runs the avx2 paths)\n" TPC_CLI_COMMON_HELP
          "\ncompare: per case matched on kernel, dtype, d, k and impl, the ratio of B's\n"
          "median to A's with its 99%% round-level interval (a two-level bootstrap over\n"
          "rounds, then samples), beside the within-round interval; instruction counts\n"
          "of the same path when both runs have them.\n"
          "  --threshold T    a case regressed when the whole interval lies above 1 + T\n"
          "                   (default 0.05); exit 1 then, 2 for unknown runs; fewer than\n"
          "                   3 rounds in a run: unclear, never a verdict\n"
          "\ncalibrate [KERNEL...] [bench options]: an A/A test of this machine: 2 R\n"
          "rounds of one build, split into two halves and compared; per case the false\n"
          "verdicts and the noise floor (the smallest change detectable at R rounds:\n"
          "the half-width of the ratio's interval).  Default R 5, d 2^20, f32, comp.\n");
  return code;
}

/* ---- parsing ------------------------------------------------------------------ */

/* "4096" or "2^12" */
static int parse_d(const char *text, size_t *out) {
  char *end;
  errno = 0;
  if (!strncmp(text, "2^", 2)) {
    unsigned long e = strtoul(text + 2, &end, 10);
    if (errno || end == text + 2 || *end || e > 31) return 0;
    *out = (size_t)1 << e;
    return 1;
  }
  unsigned long long v = strtoull(text, &end, 10);
  if (errno || end == text || *end || text[0] == '-' || v == 0 || v > MAX_D) return 0;
  *out = (size_t)v;
  return 1;
}

/* Split a comma-separated list in place into items[]; 2 on an empty item or
** too many. */
static int split(const char *opt, char *text, char **items, size_t *n) {
  *n = 0;
  for (char *save = NULL, *t = strtok_r(text, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (*n == MAXLIST) {
      fprintf(stderr, "tpc: %s takes at most %d values\n", opt, MAXLIST);
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

static int parse_list(int code, const char *arg, bench_args *a) {
  char buf[4096], *items[MAXLIST];
  size_t n;
  static const char *const names[] = {"--d", "--k", "--ratio", "--dtype"};
  const char *opt = names[code - OPT_D];
  snprintf(buf, sizeof buf, "%s", arg);
  int rc = split(opt, buf, items, &n);
  for (size_t i = 0; i < n && !rc; i++) {
    char *end;
    if (code == OPT_D) {
      if (!parse_d(items[i], &a->d[i])) rc = TPC_EXIT_USAGE;
    } else if (code == OPT_K) {
      rc = tpc_cli_size("--k", items[i], &a->k[i]);
      if (rc) return rc;
    } else if (code == OPT_RATIO) {
      errno = 0;
      a->ratio[i] = strtod(items[i], &end);
      if (errno || end == items[i] || *end || !(a->ratio[i] > 0 && a->ratio[i] <= 1))
        rc = TPC_EXIT_USAGE;
    } else {
      if (i >= 2 || (strcmp(items[i], "f32") && strcmp(items[i], "f64"))) rc = TPC_EXIT_USAGE;
      else a->dtype[i] = strcmp(items[i], "f32") ? TPC_F64 : TPC_F32;
    }
    if (rc) {
      static const char *const want[] = {"a dimension (N or 2^N, 1 <= d <= 2^31)", "",
                                         "a ratio in (0, 1]", "f32 or f64"};
      fprintf(stderr, "tpc: %s expects %s, got '%s'\n", opt, want[code - OPT_D], items[i]);
    }
  }
  if (rc) return rc;
  size_t *counts[] = {&a->nd, &a->nk, &a->nratio, &a->ndtype};
  *counts[code - OPT_D] = n;
  return TPC_EXIT_OK;
}

static int parse_impl(const char *arg, bench_args *a) {
  free(a->impl_text);
  a->impl_text = strdup(arg);
  if (!a->impl_text) return tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
  char *items[MAXLIST];
  int rc = split("--impl", a->impl_text, items, &a->nimpl);
  for (size_t i = 0; i < a->nimpl && !rc; i++) a->impl[i] = items[i];
  return rc;
}

/* A count in [lo, hi] for option opt. */
static int parse_count(const char *opt, const char *arg, size_t lo, size_t hi, size_t *out) {
  int rc = tpc_cli_size(opt, arg, out);
  if (!rc && (*out < lo || *out > hi)) {
    fprintf(stderr, "tpc: %s %zu is out of range (%zu to %zu)\n", opt, *out, lo, hi);
    rc = TPC_EXIT_USAGE;
  }
  return rc;
}

static int parse_instrument(const char *arg, bench_args *a) {
  if (strcmp(arg, "instructions")) {
    fprintf(stderr, "tpc: --instrument expects instructions, got '%s'\n", arg);
    return TPC_EXIT_USAGE;
  }
  a->instrument = 1;
  return TPC_EXIT_OK;
}

/* Every k must fit every d; ratios always do. */
static int check_sizes(const bench_args *a) {
  int any_k = 0;
  for (size_t i = 0; i < a->nkernels; i++) any_k |= tpc_bench_kernel_has_k(a->kernels[i]);
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

static int parse_args(int argc, char **argv, bench_args *a) {
  static const struct option opts[] = {
      {"d", required_argument, 0, OPT_D},         {"k", required_argument, 0, OPT_K},
      {"ratio", required_argument, 0, OPT_RATIO}, {"dtype", required_argument, 0, OPT_DTYPE},
      {"impl", required_argument, 0, OPT_IMPL},   {"samples", required_argument, 0, OPT_SAMPLES},
      {"rounds", required_argument, 0, OPT_ROUNDS},
      {"instrument", required_argument, 0, OPT_INSTRUMENT},
      {"help", no_argument, 0, OPT_HELP},         TPC_CLI_COMMON_OPTIONS,
      {0, 0, 0, 0}};
  int c, rc = TPC_EXIT_OK;
  optind = 1;
  opterr = 0;
  while (!rc && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    int common = tpc_cli_common_opt(&a->common, c, optarg);
    if (common == 1) continue;
    if (common < 0) return TPC_EXIT_USAGE;
    if (c == OPT_HELP || c == 'h') return -1;
    if (c >= OPT_D && c <= OPT_DTYPE) rc = parse_list(c, optarg, a);
    else if (c == OPT_IMPL) rc = parse_impl(optarg, a);
    else if (c == OPT_SAMPLES) rc = parse_count("--samples", optarg, 3, 100000, &a->samples);
    else if (c == OPT_ROUNDS) rc = parse_count("--rounds", optarg, 1, 1000, &a->rounds);
    else if (c == OPT_INSTRUMENT) rc = parse_instrument(optarg, a);
    else {
      fprintf(stderr, "tpc: bench: unknown or incomplete option '%s'\n", argv[optind - 1]);
      rc = TPC_EXIT_USAGE;
    }
  }
  if (rc) return rc;
  if (a->nk && a->nratio) {
    fprintf(stderr, "tpc: give --k or --ratio, not both\n");
    return TPC_EXIT_USAGE;
  }
  for (int i = optind; i < argc; i++) {
    /* with --plugin, a name may be a plugin's compressor: the registry decides */
    if (!tpc_bench_kernel_known(argv[i]) && !a->common.nplugins) {
      fprintf(stderr, "tpc: '%s' is not a bench kernel (see tpc bench --help)\n", argv[i]);
      return TPC_EXIT_USAGE;
    }
    if (a->nkernels == MAXLIST) return TPC_EXIT_USAGE;
    a->kernels[a->nkernels++] = argv[i];
  }
  defaults(a);
  rc = check_sizes(a);
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
  const bench_args *a;
  tpc_cli_progress prog;
  double coverage;   /* lowest coverage of a within-round median interval printed */
  void (*group_stored)(void *ctx, const tpc_bench_case *cases, size_t n); /* calibrate */
  void *stored_ctx;
} bench_cli;

static void on_started(void *ctx, const tpc_bench_env *env, const tpc_bench_opts *o,
                       const tpc_bench_plan *p) {
  bench_cli *b = ctx;
  if (b->a->common.quiet) return;
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
  snprintf(label, sizeof label, "%s %s r%zu", kernel, tpc_bench_dtype_name(dtype), round + 1);
  tpc_cli_progress_init(&b->prog, label, &b->a->common);
}

static void on_group_end(void *ctx) { tpc_cli_progress_end(&((bench_cli *)ctx)->prog); }

static void on_group_stored(void *ctx, const tpc_bench_case *cases, size_t n) {
  bench_cli *b = ctx;
  if (b->group_stored) b->group_stored(b->stored_ctx, cases, n);
  for (size_t i = 0; !b->a->common.quiet && i < n; i++) {
    if (!b->group_stored) print_case(&cases[i]);
    if (cases[i].sum.n && cases[i].sum.ci_level < b->coverage) b->coverage = cases[i].sum.ci_level;
  }
  fflush(stdout);
}

static void plan_of(const bench_args *a, tpc_bench_plan *p) {
  *p = (tpc_bench_plan){a->kernels, a->nkernels, a->d,         a->nd,
                        a->k,       a->nk,       a->ratio,     a->nratio,
                        a->dtype,   a->ndtype,   a->impl,      a->nimpl,
                        a->rounds ? a->rounds : DEFAULT_ROUNDS, a->common.seed,
                        a->common.threads,       a->instrument};
}

/* The run itself, into run_id: in this process, or for instruction counts
** without perf, in a re-run of this command under callgrind (bench/instrument.h). */
static int bench_body(bench_args *a, bench_cli *b, tpc_store *st, int64_t run_id, int argc,
                      char **argv) {
  if (a->instrument && !tpc_bench_counter_available()) {
    char **full = calloc((size_t)argc + 2, sizeof *full);
    if (!full) return tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
    full[0] = "tpc";
    for (int i = 0; i < argc; i++) full[i + 1] = argv[i];
    int code, rc = tpc_bench_counter_rerun(full, (long long)run_id, &code);
    free(full);
    return rc ? tpc_cli_fail(rc) : code;
  }
  int code;
  tpc_registry *reg = tpc_cli_registry_plugins(&a->common, &code);
  if (!reg) return code;
  omp_set_num_threads(a->common.threads);
  tpc_bench_opts opts;
  tpc_bench_opts_init(&opts);
  opts.samples = a->samples ? a->samples : 20;
  opts.stop = tpc_cli_interrupted;
  opts.progress = tpc_cli_progress_cb;
  opts.progress_ctx = &b->prog;
  tpc_bench_plan plan;
  plan_of(a, &plan);
  tpc_bench_hooks hooks = {b, on_started, on_group_begin, on_group_end, on_group_stored};
  tpc_bench_outcome out;
  int rc = tpc_bench_run(reg, st, run_id, &plan, &opts, &hooks, &out);
  tpc_registry_free(reg);
  if (!rc && !a->common.quiet) {
    if (out.peers[0]) printf("peers: %s\n", out.peers);
    if (b->coverage < opts.level && !b->group_stored)
      printf("note: below 8 samples the within-round interval is the whole range, with "
             "%.4g%% coverage rather than 99%%\n", 100 * b->coverage);
    printf("run %" PRId64 " stored in %s; peak resident set %.1f MiB\n", run_id, a->common.db,
           (double)out.peak_rss_kib / 1024.0);
  }
  code = rc ? tpc_cli_fail(rc) : TPC_EXIT_OK;
  return code == TPC_EXIT_USAGE ? TPC_EXIT_INTERNAL : code; /* input was checked: ours */
}

/* The re-run under callgrind: it stores into its parent's run. */
static int bench_child(bench_args *a, bench_cli *b, int argc, char **argv) {
  long long id = atoll(getenv(TPC_BENCH_ENV_RUN));
  tpc_cli_interrupts_catch(); /* a signal stops it between groups, as its parent */
  tpc_store *st;
  int rc = tpc_store_open(a->common.db, &st);
  if (rc) return tpc_cli_fail(rc);
  int code = bench_body(a, b, st, id, argc, argv);
  tpc_store_close(st);
  return code;
}

static int bench_main(bench_args *a, bench_cli *b, int argc, char **argv) {
  if (a->instrument && getenv(TPC_BENCH_ENV_RUN) && tpc_bench_counter_available())
    return bench_child(a, b, argc, argv);
  tpc_cli_run run;
  int code = tpc_cli_run_begin(&run, &a->common, "bench", argc, argv);
  if (code) return code;
  code = bench_body(a, b, run.store, run.id, argc, argv);
  return tpc_cli_run_end(&run, code);
}

/* ---- calibrate ---------------------------------------------------------------- */

typedef struct calib {
  size_t cases, false_verdicts, few;
  double threshold;
  double floors[4096];   /* each case's noise floor, for the median */
} calib;

/* Split a case's 2R rounds into its first and second R and compare them:
** the same build, so any "faster" or "slower" is a false alarm, and the
** interval's half-width is the smallest change R rounds can resolve here. */
static void calibrate_case(calib *k, const tpc_bench_case *c) {
  size_t h = c->rounds / 2;
  if (h == 0 || c->rounds < 2) {
    k->few++;
    return;
  }
  size_t first = c->round_end[h - 1], end_b[1000];
  for (size_t r = h; r < c->rounds && r - h < 1000; r++) end_b[r - h] = c->round_end[r] - first;
  tpc_bench_rounds a = {c->ns, c->round_end, NULL, h};
  tpc_bench_rounds b = {c->ns + first, end_b, NULL, c->rounds - h};
  tpc_bench_cmp m;
  if (tpc_bench_compare(&a, &b, 0.99, k->threshold, (uint64_t)c->d ^ c->k, &m) != TPC_OK) {
    tpc_error_clear();
    k->few++;
    return;
  }
  double floor = fmax(m.hi / m.ratio, m.ratio / m.lo) - 1.0;
  int alarm = m.verdict == TPC_BENCH_SLOWER || m.verdict == TPC_BENCH_FASTER;
  k->false_verdicts += alarm;
  k->few += m.few_rounds;
  if (k->cases < sizeof k->floors / sizeof k->floors[0]) k->floors[k->cases] = floor;
  k->cases++;
  char d[16], kk[24];
  snprintf(kk, sizeof kk, "%zu", c->k);
  printf("%-10s %-5s %6s %8s %-20s %7.3f [%.3f, %.3f] %-9s %8.1f%% %7.1f%%\n", c->kernel,
         tpc_bench_dtype_name(c->dtype), tpc_bench_fmt_size(c->d, d, sizeof d), c->k ? kk : "-",
         c->impl, m.ratio, m.lo, m.hi, alarm ? "FALSE" : tpc_bench_verdict_name(m.verdict),
         100 * floor, 100 * c->round_cv);
}

static void calibrate_group(void *ctx, const tpc_bench_case *cases, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (cases[i].role == TPC_BENCH_KERNEL) calibrate_case(ctx, &cases[i]);
}

static int cmp_floor(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* tpc bench calibrate: a bench run of 2 R rounds whose halves are compared. */
static int calibrate_main(int argc, char **argv) {
  bench_args a;
  memset(&a, 0, sizeof a);
  tpc_cli_common_init(&a.common);
  int rc = parse_args(argc, argv, &a);
  if (rc == -1) { /* --help: the help and nothing else */
    free(a.impl_text);
    return usage(stdout, TPC_EXIT_OK);
  }
  if (!rc && a.instrument) {
    fprintf(stderr, "tpc: bench calibrate measures timings: --instrument does not apply\n");
    rc = TPC_EXIT_USAGE;
  }
  size_t R = a.rounds ? a.rounds : DEFAULT_ROUNDS;
  if (!rc && (R < TPC_BENCH_MIN_ROUNDS || R > 500)) {
    fprintf(stderr, "tpc: bench calibrate needs --rounds from %d to 500 (it runs twice as many)\n",
            TPC_BENCH_MIN_ROUNDS);
    rc = TPC_EXIT_USAGE;
  }
  static calib k;
  memset(&k, 0, sizeof k);
  k.threshold = 0.05;
  if (!rc) {
    a.rounds = 2 * R;
    bench_cli b = {.a = &a, .coverage = 1.0, .group_stored = calibrate_group, .stored_ctx = &k};
    if (!a.common.quiet)
      printf("tpc bench calibrate: an A/A test, %zu rounds split into two halves of %zu; "
             "verdicts at 99%% and threshold 5%%\n"
             "%-10s %-5s %6s %8s %-20s %7s %-16s %-9s %9s %8s\n",
             2 * R, R, "kernel", "dtype", "d", "k", "impl", "B/A", "99% CI (rounds)", "verdict",
             "noise", "spread");
    a.common.quiet = 1; /* the bench table: calibrate prints its own */
    rc = bench_main(&a, &b, argc, argv);
    a.common.quiet = 0;
  }
  free(a.impl_text);
  if (rc) return rc;
  size_t m = k.cases < 4096 ? k.cases : 4096;
  qsort(k.floors, m, sizeof k.floors[0], cmp_floor);
  printf("%zu kernel cases: %zu false verdicts (expected about 1%% at 99%%); noise floor at %zu "
         "rounds: median %.1f%%, largest %.1f%%\n",
         k.cases, k.false_verdicts, R, m ? 100 * k.floors[m / 2] : 0.0,
         m ? 100 * k.floors[m - 1] : 0.0);
  if (k.cases == 0 || k.few) {
    fprintf(stderr, "tpc: calibrate: %s\n",
            k.cases ? "some cases have too few rounds (interrupted?)" : "no kernel case was timed");
    return TPC_EXIT_INCONCLUSIVE;
  }
  return TPC_EXIT_OK;
}

/* ---- compare ------------------------------------------------------------------ */

typedef struct tally {
  size_t verdicts[4], matched, only_a, only_b, skipped, other_path;
} tally;

/* One line of the comparison: m is NULL for cases of different kernel paths,
** whose timings are not compared; what says "time" or "instructions". */
static void print_compare_row(const tpc_bench_row *ra, const tpc_bench_row *rb,
                              const tpc_bench_cmp *m, int instructions) {
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

/* Instruction counts: exact (callgrind) or nearly (perf), so the ratio is
** its own interval and the verdict that of [r, r]. */
static void compare_instructions(const tpc_bench_row *ra, const tpc_bench_row *rb,
                                 double threshold, tpc_bench_cmp *m) {
  memset(m, 0, sizeof *m);
  m->ratio = m->lo = m->hi = rb->instructions / ra->instructions;
  m->verdict = tpc_bench_verdict_of(m->lo, m->hi, threshold);
}

/* Timings by the round-level comparison (bench/compare.h); 1 when the
** samples cannot be compared (none, or one <= 0: below the clock). */
static int compare_times(const tpc_bench_row *ra, const tpc_bench_row *rb, double threshold,
                         tpc_bench_cmp *m) {
  tpc_bench_rounds a, b;
  if (!tpc_bench_row_rounds(ra, 0, &a) || !tpc_bench_row_rounds(rb, 0, &b)) return 1;
  if (tpc_bench_compare(&a, &b, 0.99, threshold, (uint64_t)rb->seed, m) == TPC_OK) return 0;
  tpc_error_clear();
  return 1;
}

static int compare_rows(const tpc_bench_rows *A, const tpc_bench_rows *B, double threshold,
                        int quiet, tally *t) {
  int *used = calloc(B->n + 1, sizeof *used);
  if (!used) return tpc_error(TPC_ENOMEM, "out of memory");
  for (size_t i = 0; i < A->n; i++) {
    const tpc_bench_row *ra = &A->row[i], *rb = NULL;
    for (size_t j = 0; j < B->n && !rb; j++)
      if (!used[j] && tpc_bench_same_case(ra, &B->row[j])) {
        used[j] = 1;
        rb = &B->row[j];
      }
    if (!rb) {
      t->only_a++;
      continue;
    }
    if (!tpc_bench_same_path(ra, rb)) {
      t->other_path++;
      if (!quiet) print_compare_row(ra, rb, NULL, 0);
      continue;
    }
    tpc_bench_cmp m;
    int instructions = ra->instructions > 0 && rb->instructions > 0;
    if (instructions) compare_instructions(ra, rb, threshold, &m);
    else if (compare_times(ra, rb, threshold, &m)) {
      t->skipped++;
      continue;
    }
    t->matched++;
    if (!strcmp(ra->role, "kernel")) t->verdicts[m.verdict]++;
    if (!quiet) print_compare_row(ra, rb, &m, instructions);
  }
  for (size_t j = 0; j < B->n; j++) t->only_b += !used[j];
  free(used);
  return TPC_OK;
}

/* How a run measured its cases, for the message refusing to compare a timed
** run with a counted one (their rows share no measure). */
static const char *measure_of(const tpc_bench_rows *r) {
  return r->instrument[0] ? "counted instructions" : "measured time";
}

static int compare_main(int argc, char **argv) {
  static const struct option opts[] = {{"threshold", required_argument, 0, OPT_THRESHOLD},
                                       {"help", no_argument, 0, OPT_HELP},
                                       TPC_CLI_COMMON_OPTIONS,
                                       {0, 0, 0, 0}};
  tpc_cli_common common;
  tpc_cli_common_init(&common);
  double threshold = 0.05;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    int r = tpc_cli_common_opt(&common, c, optarg);
    if (r == 1) continue;
    if (r < 0) return TPC_EXIT_USAGE;
    if (c == OPT_HELP || c == 'h') return usage(stdout, TPC_EXIT_OK);
    if (c == OPT_THRESHOLD) {
      if (tpc_cli_threshold(optarg, &threshold)) return TPC_EXIT_USAGE;
      continue;
    }
    fprintf(stderr, "tpc: bench compare: unknown or incomplete option '%s'\n", argv[optind - 1]);
    return TPC_EXIT_USAGE;
  }
  if (argc - optind != 2) {
    fprintf(stderr, "tpc: bench compare expects two run ids (RUN_A RUN_B)\n");
    return TPC_EXIT_USAGE;
  }
  if (access(common.db, F_OK) != 0) {
    fprintf(stderr, "tpc: %s does not exist\n", common.db);
    return TPC_EXIT_USAGE;
  }
  tpc_store *st;
  int rc = tpc_store_open(common.db, &st);
  if (rc) {
    tpc_cli_fail(rc);
    return TPC_EXIT_USAGE; /* not a tpc database, or a newer one: the user's input */
  }
  int64_t ida, idb;
  tpc_bench_rows A = {0}, B = {0};
  rc = tpc_bench_resolve_run(st, argv[optind], &ida);
  if (!rc) rc = tpc_bench_resolve_run(st, argv[optind + 1], &idb);
  if (!rc) rc = tpc_bench_load(st, ida, &A);
  if (!rc) rc = tpc_bench_load(st, idb, &B);
  tpc_store_close(st);
  if (!rc && !A.instrument[0] != !B.instrument[0])
    rc = tpc_error(TPC_EINPUT,
                   "run %" PRId64 " %s and run %" PRId64 " %s: compare two timed runs "
                   "or two counted ones", ida, measure_of(&A), idb, measure_of(&B));
  tally t = {0};
  if (!rc && !common.quiet) {
    printf("tpc bench compare: run %" PRId64 " (A) -> run %" PRId64
           " (B); ratio B/A with its 99%% interval over rounds (within rounds beside it, "
           "for contrast); threshold %g%%\n",
           ida, idb, 100 * threshold);
    if (strcmp(A.cpu_model, B.cpu_model))
      printf("note: different CPUs: A on %s, B on %s\n", A.cpu_model, B.cpu_model);
    printf("%-10s %-5s %6s %8s %-20s %12s %12s %7s %-17s %-17s  %s\n", "kernel", "dtype", "d",
           "k", "impl", "median A", "median B", "B/A", "99% CI (rounds)", "within rounds",
           "verdict");
  }
  if (!rc) rc = compare_rows(&A, &B, threshold, common.quiet, &t);
  tpc_bench_rows_free(&A);
  tpc_bench_rows_free(&B);
  if (rc) return tpc_cli_fail(rc);
  size_t *v = t.verdicts;
  if (!common.quiet)
    printf("%zu kernel cases: %zu same, %zu faster, %zu slower, %zu unclear; %zu only in A, "
           "%zu only in B, %zu of different kernel paths%s\n",
           v[0] + v[1] + v[2] + v[3], v[TPC_BENCH_SAME], v[TPC_BENCH_FASTER],
           v[TPC_BENCH_SLOWER], v[TPC_BENCH_UNCLEAR], t.only_a, t.only_b, t.other_path,
           t.skipped ? " (some without usable samples)" : "");
  if (v[TPC_BENCH_SLOWER]) {
    fprintf(stderr, "tpc: %zu case(s) slower than %g%% beyond doubt\n", v[TPC_BENCH_SLOWER],
            100 * threshold);
    return TPC_EXIT_FAIL;
  }
  if (v[0] + v[1] + v[2] + v[3] == 0) {
    fprintf(stderr, "tpc: runs %" PRId64 " and %" PRId64 " have no kernel case in common%s\n",
            ida, idb, t.other_path ? " on the same kernel path" : "");
    return TPC_EXIT_INCONCLUSIVE;
  }
  return TPC_EXIT_OK;
}

int cmd_bench(tpc_cli_ctx *ctx) {
  int argc = ctx->argc;
  char **argv = ctx->argv;
  if (argc >= 2 && !strcmp(argv[1], "compare")) return compare_main(argc - 1, argv + 1);
  if (argc >= 2 && !strcmp(argv[1], "calibrate")) return calibrate_main(argc - 1, argv + 1);
  bench_args a;
  memset(&a, 0, sizeof a);
  tpc_cli_common_init(&a.common);
  int rc = parse_args(argc, argv, &a);
  if (rc == -1) rc = usage(stdout, TPC_EXIT_OK);
  else if (rc == TPC_EXIT_OK) {
    bench_cli b = {.a = &a, .coverage = 1.0};
    rc = bench_main(&a, &b, argc, argv);
  }
  free(a.impl_text);
  return rc;
}
