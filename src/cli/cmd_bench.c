/*
** tpc bench [KERNEL...] [options]: kernel timings with a roofline (bench/),
** and tpc bench compare RUN_A RUN_B: the regression check between two runs.
**
** A run times, for each dtype and each d, one group per kernel (the kernel's
** cases interleaved with the bandwidth cases at that size, bench/cases.h),
** then the TopK peers on the same input; each group is stored in one
** transaction as soon as it finishes, so an interrupted run keeps what it
** finished.  Every flag is checked before any work: bad input exits 2 and
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
#include "bench/peer.h"
#include "bench/roofline.h"
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
} bench_args;

static int usage(FILE *out, int code) {
  fprintf(out,
          "usage: tpc bench [KERNEL...] [--d LIST] [--k LIST | --ratio LIST]\n"
          "                 [--dtype f32,f64] [--impl LIST] [--samples N] [options]\n"
          "       tpc bench compare RUN_A RUN_B [--threshold T] [--db PATH]\n\n"
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
          "  encode decode   wire format of sparse, sign, quant, pow2, dense messages\n\n"
          "options (LIST = comma-separated):\n"
          "  --d LIST         dimensions, 2^N allowed (default 2^20)\n"
          "  --k LIST         kept coordinates for topk, randk, ... (each <= every d)\n"
          "  --ratio LIST     k = max(1, round(ratio d)) instead (default 0.01)\n"
          "  --dtype LIST     f32, f64 (default both)\n"
          "  --impl LIST      only these implementations (comp, quickselect, filter/avx2,\n"
          "                   numpy, sparse, send, ...; a name matches its ISA variants)\n"
          "  --samples N      samples per case, each >= 1 ms (default 20, at least 3)\n" TPC_CLI_COMMON_HELP
          "\ncompare: per case matched on kernel, dtype, d, k and impl, the ratio of B\n"
          "to A (Hodges-Lehmann) with its 99%% interval and a Mann-Whitney p-value.\n"
          "  --threshold T    a case regressed when the whole interval lies above 1 + T\n"
          "                   (default 0.05); exit 1 then, 2 for unknown runs\n");
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

static int parse_samples(const char *arg, bench_args *a) {
  int rc = tpc_cli_size("--samples", arg, &a->samples);
  if (!rc && (a->samples < 3 || a->samples > 100000)) {
    fprintf(stderr, "tpc: --samples %zu is out of range (3 to 100000)\n", a->samples);
    rc = TPC_EXIT_USAGE;
  }
  return rc;
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
    else if (c == OPT_SAMPLES) rc = parse_samples(optarg, a);
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
    if (!tpc_bench_kernel_known(argv[i])) {
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
  printf("%-10s %-5s %6s %8s %-20s %10s  %-23s %9s %4s %7s %10s %6s  %-14s %s\n", "kernel",
         "dtype", "d", "k", "impl", "median", "99% CI of median", "MAD", "out", "GB/s", "floor",
         "ratio", "path", "note");
}

static void print_case(const tpc_bench_case *c) {
  char d[16], k[24], med[24], lo[24], hi[24], mad[24], fl[24], ci[64], ratio[16];
  const tpc_bench_summary *s = &c->sum;
  double moved = c->bytes_read + c->bytes_written;
  snprintf(k, sizeof k, "%zu", c->k);
  snprintf(ci, sizeof ci, "[%s, %s]", tpc_bench_fmt_time(s->ci_lo, lo, sizeof lo),
           tpc_bench_fmt_time(s->ci_hi, hi, sizeof hi));
  if (c->ratio > 0) snprintf(ratio, sizeof ratio, "%.2f", c->ratio);
  else snprintf(ratio, sizeof ratio, "-");
  printf("%-10s %-5s %6s %8s %-20s %10s  %-23s %9s %4zu %7.2f %10s %6s  %-14s %s\n", c->kernel,
         tpc_bench_dtype_name(c->dtype), tpc_bench_fmt_size(c->d, d, sizeof d), c->k ? k : "-",
         c->impl, tpc_bench_fmt_time(s->median, med, sizeof med), ci,
         tpc_bench_fmt_time(s->mad, mad, sizeof mad),
         s->outliers, s->median > 0 ? moved / s->median : 0.0,
         tpc_bench_fmt_time(c->floor_ns, fl, sizeof fl), ratio, c->path[0] ? c->path : "-",
         c->note);
}

/* ---- a run -------------------------------------------------------------------- */

typedef struct bench_run {
  const bench_args *a;
  tpc_registry *reg;
  tpc_cli_run run;
  tpc_bench_opts opts;
  int64_t grp;
  double coverage;   /* lowest coverage of a median interval printed */
  char peers[512];
} bench_run;

/* The k values for d: --k as given, or from the ratios, without repeats. */
static size_t ks_for(const bench_args *a, size_t d, size_t *ks) {
  size_t n = 0;
  for (size_t i = 0; i < (a->nk ? a->nk : a->nratio); i++) {
    size_t k = a->nk ? a->k[i] : (size_t)fmax(1.0, round(a->ratio[i] * (double)d));
    int seen = 0;
    for (size_t j = 0; j < n; j++) seen |= ks[j] == k;
    if (!seen) ks[n++] = k;
  }
  return n;
}

static int any_needs_hy(const bench_args *a) {
  for (size_t i = 0; i < a->nkernels; i++)
    if (tpc_bench_kernel_needs_hy(a->kernels[i])) return 1;
  return 0;
}

static int run_peers(bench_run *b, const tpc_bench_inputs *in, const size_t *ks, size_t nk,
                     tpc_bench_case **cases, size_t *n, const double bw[TPC_BW_KINDS]) {
  char note[256];
  size_t first = *n;
  int rc = tpc_bench_peers_topk(in, ks, nk, b->a->impl, b->a->nimpl, &b->opts,
                                b->a->common.threads, cases, n, note, sizeof note);
  if (rc) return rc;
  if (note[0] && !strstr(b->peers, note) && strlen(b->peers) + strlen(note) + 3 < sizeof b->peers)
    snprintf(b->peers + strlen(b->peers), sizeof b->peers - strlen(b->peers), "%s%s",
             b->peers[0] ? "; " : "", note);
  for (size_t i = first; i < *n; i++) {
    tpc_bench_case *c = &(*cases)[i];
    c->floor_ns = tpc_bench_floor_ns(c->bytes_read, c->bytes_written, bw);
    c->ratio = c->floor_ns > 0 && c->sum.median > 0 ? c->sum.median / c->floor_ns : 0;
  }
  return TPC_OK;
}

/* One group: build, time, roofline, peers, store, print. */
static int run_group(bench_run *b, const char *kernel, const tpc_bench_inputs *in) {
  size_t ks[MAXLIST], nk = ks_for(b->a, in->d, ks), n;
  tpc_bench_case *cases;
  void *scratch;
  double bw[TPC_BW_KINDS];
  int rc = tpc_bench_group_build(b->reg, kernel, in, ks, nk, b->a->impl, b->a->nimpl,
                                 b->a->common.seed, &cases, &n, &scratch);
  if (rc) return rc;
  if (n > TPC_BW_KINDS) { /* some case passed the filters */
    tpc_cli_progress prog;
    char label[48];
    snprintf(label, sizeof label, "%s %s", kernel, tpc_bench_dtype_name(in->dtype));
    tpc_cli_progress_init(&prog, label, &b->a->common);
    b->opts.progress = tpc_cli_progress_cb;
    b->opts.progress_ctx = &prog;
    rc = tpc_bench_group_run(cases, n, &b->opts);
    tpc_cli_progress_end(&prog);
    if (!rc) tpc_bench_roofline_apply(cases, n, bw);
    if (!rc && !b->opts.stopped && !strcmp(kernel, "topk"))
      rc = run_peers(b, in, ks, nk, &cases, &n, bw);
    if (!rc) rc = tpc_bench_store_group(b->run.store, b->run.id, b->grp++, cases, n, bw);
    for (size_t i = 0; !rc && !b->a->common.quiet && i < n; i++) {
      print_case(&cases[i]);
      if (cases[i].sum.n && cases[i].sum.ci_level < b->coverage)
        b->coverage = cases[i].sum.ci_level;
    }
    fflush(stdout);
  }
  tpc_bench_group_free(cases, n, scratch);
  return rc;
}

static int run_all(bench_run *b) {
  const bench_args *a = b->a;
  int rc = TPC_OK;
  for (size_t t = 0; t < a->ndtype && !rc; t++)
    for (size_t i = 0; i < a->nd && !rc && !tpc_cli_interrupted(); i++) {
      tpc_bench_inputs in;
      rc = tpc_bench_inputs_alloc(&in, a->dtype[t], a->d[i], a->common.seed, any_needs_hy(a));
      for (size_t j = 0; j < a->nkernels && !rc && !tpc_cli_interrupted(); j++)
        rc = run_group(b, a->kernels[j], &in);
      tpc_bench_inputs_free(&in);
    }
  return rc;
}

static int bench_main(bench_args *a, int argc, char **argv) {
  bench_run b;
  memset(&b, 0, sizeof b);
  b.a = a;
  b.coverage = 1.0;
  int code;
  b.reg = tpc_cli_registry_plugins(&a->common, &code);
  if (!b.reg) return code;
  code = tpc_cli_run_begin(&b.run, &a->common, "bench", argc, argv);
  if (code) {
    tpc_registry_free(b.reg);
    return code;
  }
  omp_set_num_threads(a->common.threads);
  tpc_bench_opts_init(&b.opts);
  b.opts.samples = a->samples ? a->samples : 20;
  b.opts.stop = tpc_cli_interrupted;
  tpc_bench_env env;
  tpc_bench_env_read(&env, a->common.threads);
  b.opts.timer_overhead_ns = env.timer_overhead_ns;
  int rc = tpc_bench_store_env(b.run.store, b.run.id, &env, &b.opts, a->common.seed, NULL);
  if (!rc && !a->common.quiet) {
    printf("tpc bench: %s, %d cores, governor %s, turbo %s; %zu samples per case\n",
           env.cpu_model, env.cores, env.governor[0] ? env.governor : "unknown",
           env.turbo[0] ? env.turbo : "unknown", b.opts.samples);
    print_header();
  }
  if (!rc) rc = run_all(&b);
  long rss = tpc_bench_peak_rss_kib();
  if (!rc) rc = tpc_bench_store_env_end(b.run.store, b.run.id, rss, b.peers);
  if (!rc && !a->common.quiet) {
    if (b.peers[0]) printf("peers: %s\n", b.peers);
    if (b.coverage < b.opts.level)
      printf("note: below 8 samples the median's interval is the whole range, with "
             "%.4g%% coverage rather than 99%%\n",
             100 * b.coverage);
    printf("run %" PRId64 " stored in %s; peak resident set %.1f MiB\n", b.run.id, a->common.db,
           (double)rss / 1024.0);
  }
  code = rc ? tpc_cli_fail(rc) : TPC_EXIT_OK;
  if (code == TPC_EXIT_USAGE) code = TPC_EXIT_INTERNAL; /* input was checked: this is ours */
  tpc_registry_free(b.reg);
  return tpc_cli_run_end(&b.run, code);
}

/* ---- compare ------------------------------------------------------------------ */

typedef struct tally {
  size_t verdicts[4], matched, only_a, only_b, skipped, other_path;
} tally;

/* One line of the comparison: m is NULL for cases of different kernel paths,
** whose timings are not compared. */
static void print_compare_row(const tpc_bench_row *ra, const tpc_bench_row *rb,
                              const tpc_bench_cmp *m) {
  char d[16], k[24], ma[24], mb[24], ci[48] = "-", ratio[16] = "-", p[16] = "-", verdict[160];
  snprintf(k, sizeof k, "%" PRId64, ra->k);
  if (m) {
    snprintf(ci, sizeof ci, "[%.3f, %.3f]", m->lo, m->hi);
    snprintf(ratio, sizeof ratio, "%.3f", m->ratio);
    snprintf(p, sizeof p, "%.2g", m->p);
    int counts = !strcmp(ra->role, "kernel");
    snprintf(verdict, sizeof verdict, counts ? "%s" : "(%s)", tpc_bench_verdict_name(m->verdict));
  } else
    snprintf(verdict, sizeof verdict, "not comparable (A: %s, B: %s)",
             ra->path[0] ? ra->path : "path not recorded",
             rb->path[0] ? rb->path : "path not recorded");
  printf("%-10s %-5s %6s %8s %-20s %10s %10s %7s %-17s %8s  %s\n", ra->kernel, ra->dtype,
         tpc_bench_fmt_size((size_t)ra->d, d, sizeof d), ra->k ? k : "-", ra->impl,
         tpc_bench_fmt_time(ra->median_ns, ma, sizeof ma),
         tpc_bench_fmt_time(rb->median_ns, mb, sizeof mb), ratio, ci, p, verdict);
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
      if (!quiet) print_compare_row(ra, rb, NULL);
      continue;
    }
    tpc_bench_cmp m;
    if (tpc_bench_compare(ra->ns, ra->n, rb->ns, rb->n, 0.99, threshold, &m)) {
      t->skipped++; /* no samples, or a sample <= 0 (below the clock's resolution) */
      continue;
    }
    t->matched++;
    if (!strcmp(ra->role, "kernel")) t->verdicts[m.verdict]++;
    if (!quiet) print_compare_row(ra, rb, &m);
  }
  for (size_t j = 0; j < B->n; j++) t->only_b += !used[j];
  free(used);
  return TPC_OK;
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
  tally t = {0};
  if (!rc && !common.quiet) {
    printf("tpc bench compare: run %" PRId64 " (A) -> run %" PRId64
           " (B); ratio B/A with 99%% interval; threshold %g%%\n",
           ida, idb, 100 * threshold);
    if (strcmp(A.cpu_model, B.cpu_model))
      printf("note: different CPUs: A on %s, B on %s\n", A.cpu_model, B.cpu_model);
    printf("%-10s %-5s %6s %8s %-20s %10s %10s %7s %-17s %8s  %s\n", "kernel", "dtype", "d",
           "k", "impl", "median A", "median B", "B/A", "99% CI", "p", "verdict");
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
  bench_args a;
  memset(&a, 0, sizeof a);
  tpc_cli_common_init(&a.common);
  int rc = parse_args(argc, argv, &a);
  if (rc == -1) rc = usage(stdout, TPC_EXIT_OK);
  else if (rc == TPC_EXIT_OK) rc = bench_main(&a, argc, argv);
  free(a.impl_text);
  return rc;
}
