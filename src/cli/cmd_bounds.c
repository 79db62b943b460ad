/*
** tpc bounds SPEC... : the empirical check of THEORY.md T1-T3 for each spec
** (bounds/bounds.h has the method), and of both mechanisms of a
** bidir(M_w, M_s) (THEORY.md T10.1).  Every input is validated before the run
** row exists, so bad input (exit 2) stores nothing; a spec that names a
** plugin's type is validated in a child process, so that its init or consts
** crashing or hanging there fails that spec alone.  Each spec is then
** evaluated in a child process with a time limit (bounds/isolate.c), and the
** parent alone writes its rows.  A summary table goes to stdout (unless
** --quiet), a progress bar to stderr on a terminal.
**
** Exit code: 4 when an evaluation crashed, hung or failed; else 1 when a
** declared constant is violated; else 3 when a check is inconclusive; else 0.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds/bounds.h"
#include "cli/cli.h"
#include "core/error.h"
#include "dist/dist.h"
#include "dist/sweep.h"
#include "methods/method.h"

enum {
  OPT_D = TPC_OPT_FIRST_FREE,
  OPT_N,
  OPT_TRIALS,
  OPT_DRAWS,
  OPT_FAMILIES,
  OPT_BUDGET,
  OPT_CONFIDENCE,
  OPT_DTYPE,
  OPT_TIMEOUT
};

typedef struct bounds_args {
  const tpc_cli_common *common;
  tpc_bounds_opts opts;
  double timeout;
} bounds_args;

static const char usage[] =
    "usage: tpc bounds SPEC... [--d D] [--n N] [--trials N] [--draws M]\n"
    "                  [--families LIST] [--search-budget S] [--confidence C]\n"
    "                  [--dtype f64|f32] [--timeout SECONDS] [--resume RUN]\n"
    "                  [common options]\n\n"
    "Checks the constants each SPEC declares (THEORY.md T1-T3) on families of\n"
    "test points and an adversarial search: alpha or omega and unbiasedness of a\n"
    "compressor, the 3PC inequality of a mechanism (MARINA: for the average of\n"
    "n clients; shifted, DIANA: their shift inequality), with the empirical A-B\n"
    "frontier and the Theorem 1 step size it implies; a bidir(M_w, M_s) spec\n"
    "checks both mechanisms, the server's M_s as one node (n = 1).  Exit 0 pass,\n"
    "1 violated, 3 inconclusive, 4 an evaluation crashed or timed out, 2 bad input.\n"
    "Example: tpc bounds 'topk(k=10)' 'ef21(topk(k=10))' --d 100\n\n"
    "  --d D            dimension (default 100)\n"
    "  --n N            clients: PermK's blocks, MARINA's average (default 4)\n"
    "  --trials N       points per family (default 48)\n"
    "  --draws M        most draws per point of a randomized spec; a point stops\n"
    "                   once its bounds settle it (default 1000)\n"
    "  --families LIST  comma-separated: gaussian, heavy, sparse, equal, ties,\n"
    "                   scales, worst, boundary, or all (default all)\n"
    "  --search-budget S  objective evaluations of the search; 0: none (default 2000)\n"
    "  --confidence C   1 - delta of every bound and test, in (0, 1) (default 0.99)\n"
    "  --dtype T        the kernels checked: f64 (default) or f32, on points that\n"
    "                   are exact floats within float's range\n"
    "  --timeout S      seconds one spec may take before it is killed (default 300)\n"
    TPC_CLI_RESUME_HELP;

static int bounds_opt(void *args, int c, const char *arg) {
  static const char *const dtypes[] = {"f64", "f32", NULL};
  bounds_args *a = args;
  tpc_bounds_opts *o = &a->opts;
  int k = 0, rc;
  switch (c) {
    case OPT_D: return tpc_cli_size("--d", arg, &o->d);
    case OPT_N: return tpc_cli_size("--n", arg, &o->n);
    case OPT_TRIALS: return tpc_cli_size("--trials", arg, &o->trials);
    case OPT_DRAWS: return tpc_cli_size("--draws", arg, &o->draws);
    case OPT_BUDGET:
      return tpc_cli_read_count("--search-budget", arg, 0, TPC_CLI_COUNT_MAX, &o->search_budget);
    case OPT_CONFIDENCE:
      return tpc_cli_read_real("--confidence", arg, (tpc_cli_range){0, 1, 1, 1}, &o->confidence);
    case OPT_TIMEOUT:
      return tpc_cli_read_real("--timeout", arg, (tpc_cli_range){0, 1e9, 1, 1}, &a->timeout);
    case OPT_DTYPE:
      rc = tpc_cli_read_choice("--dtype", arg, dtypes, &k);
      if (!rc) o->dtype = k ? TPC_F32 : TPC_F64;
      return rc;
    default: /* OPT_FAMILIES */
      if (tpc_bounds_families_parse(arg, &o->families) == TPC_OK) return TPC_EXIT_OK;
      fprintf(stderr, "tpc: --families: %s\n", tpc_error_msg());
      return TPC_EXIT_USAGE;
  }
}

/* Options into a, then the checks that need all of them. */
static int parse_args(tpc_cli_ctx *ctx, bounds_args *a) {
  static const struct option opts[] = {{"d", required_argument, 0, OPT_D},
                                       {"n", required_argument, 0, OPT_N},
                                       {"trials", required_argument, 0, OPT_TRIALS},
                                       {"draws", required_argument, 0, OPT_DRAWS},
                                       {"families", required_argument, 0, OPT_FAMILIES},
                                       {"search-budget", required_argument, 0, OPT_BUDGET},
                                       {"confidence", required_argument, 0, OPT_CONFIDENCE},
                                       {"dtype", required_argument, 0, OPT_DTYPE},
                                       {"timeout", required_argument, 0, OPT_TIMEOUT},
                                       TPC_CLI_RESUME_OPTION,
                                       {0, 0, 0, 0}};
  a->common = &ctx->common;
  tpc_bounds_opts_init(&a->opts);
  a->timeout = 300;
  int code = tpc_cli_parse(ctx, opts, bounds_opt, a, usage);
  if (code) return code;
  a->opts.seed = a->common->seed;
  a->opts.threads = a->common->threads;
  a->opts.stop = tpc_cli_sweep_stop;
  if (tpc_bounds_opts_check(&a->opts) != TPC_OK) {
    fprintf(stderr, "tpc bounds: %s\n", tpc_error_msg());
    return TPC_EXIT_USAGE;
  }
  if (ctx->nargs == 0) {
    fprintf(stderr, "tpc bounds: expected at least one SPEC\n");
    return TPC_EXIT_USAGE;
  }
  return TPC_EXIT_OK;
}

/* ---- the table ---------------------------------------------------------------- */

static const char *g(double v, char *buf) {
  snprintf(buf, 24, "%.4g", v);
  return buf;
}

static void declared_text(const tpc_bounds_summary *s, char *buf, size_t size) {
  char a[24], b[24];
  switch (s->check) {
    case TPC_CHECK_ALPHA: snprintf(buf, size, "alpha %s", g(s->alpha, a)); break;
    case TPC_CHECK_OMEGA: snprintf(buf, size, "omega %s", g(s->omega, a)); break;
    case TPC_CHECK_BOTH:
      snprintf(buf, size, "alpha %s omega %s", g(s->alpha, a), g(s->omega, b));
      break;
    case TPC_CHECK_SHIFT: snprintf(buf, size, "c %s", g(s->c, a)); break;
    case TPC_CHECK_3PC:
    case TPC_CHECK_AGGREGATE: snprintf(buf, size, "A %s B %s", g(s->A, a), g(s->B, b)); break;
    default: snprintf(buf, size, "none"); break;
  }
}

/* The measured counterpart of the declared constants. */
static void found_text(const tpc_bounds_summary *s, char *buf, size_t size) {
  char a[24], b[24];
  switch (s->check) {
    case TPC_CHECK_NONE:
    case TPC_CHECK_ALPHA: snprintf(buf, size, "alpha^ %s", g(1.0 - s->sup, a)); break;
    case TPC_CHECK_OMEGA: snprintf(buf, size, "omega^ %s", g(s->sup, a)); break;
    case TPC_CHECK_BOTH:
      snprintf(buf, size, "alpha^ %s omega^ %s", g(1.0 - s->sup, a), g(s->sup, b));
      break;
    case TPC_CHECK_SHIFT: snprintf(buf, size, "c^ %s", g(s->worst_ratio * s->c, a)); break;
    default:
      snprintf(buf, size, "B/A^ %s (%s)", g(s->front_BA, a), g(s->B / s->A, b));
      break;
  }
}

/* Fixed-width columns, each cut to its width, so that scripts can read the
** table by position: the spec (as wide as the longest) is the first field,
** and every other column starts where its header does. */
#define ROW "%-*s %-9.9s %-20.20s %-24.24s %-22.22s %-14.14s %-8.8s "

static void print_header(int width) {
  printf(ROW "%s\n", width, "spec", "check", "declared", "found (declared B/A)",
         "worst ratio (ucb)", "step x (max)", "bits/crd", "verdict");
}

static void print_row(int width, const char *spec, const tpc_bounds_summary *s, size_t d) {
  char dec[64], fnd[64], worst[64], step[64], bits[32], a[24], b[24];
  if (s->verdict == TPC_VERDICT_ERROR) {
    printf(ROW "error\n", width, spec, tpc_bounds_check_name(s->check), "-", "-", "-", "-", "-");
    return;
  }
  declared_text(s, dec, sizeof dec);
  found_text(s, fnd, sizeof fnd);
  snprintf(worst, sizeof worst, "%s (%s)", g(s->worst_ratio, a), g(s->worst_ratio_ucb, b));
  if (s->has_AB && s->deterministic) snprintf(step, sizeof step, "%s", g(s->step_gain, a));
  else if (s->has_AB)
    snprintf(step, sizeof step, "%s (%s)", g(s->step_gain, a), g(s->step_gain_max, b));
  else snprintf(step, sizeof step, "-");
  snprintf(bits, sizeof bits, "%.3g", s->bits_mean / (double)d);
  printf(ROW "%s", width, spec, tpc_bounds_check_name(s->check), dec, fnd, worst, step, bits,
         tpc_bounds_verdict_name(s->verdict));
  if (s->loose) printf(", loose x%s", g(s->loose_factor, a));
  if (s->no_compression)
    printf(", no compression (%s of dense)", g(s->bits_mean / s->dense_bits, a));
  printf("\n");
  /* On a line of its own: a pass whose output was its input is no pass a
  ** reader may skim over (bounds/check.c, flag_identity). */
  if (s->identity_output && s->loose) printf("  flag: %s\n", s->reason);
}

/* ---- the run -------------------------------------------------------------------- */

/* The checks to run: one per spec, or per mechanism of a bidir(M_w, M_s)
** spec (methods/method.h: tpc_method_mech_parts), each with the n it is
** built for and a label that says which it is. */
typedef struct spec_list {
  size_t n;
  tpc_spec **spec;
  char **canon;
  char **fault; /* NULL, or why the spec's plugin code failed to build it */
  size_t *clients;
} spec_list;

static void specs_free(spec_list *l) {
  for (size_t i = 0; i < l->n; i++) {
    tpc_spec_free(l->spec[i]);
    free(l->canon[i]);
    free(l->fault[i]);
  }
  free(l->spec);
  free(l->canon);
  free(l->fault);
  free(l->clients);
}

/* Validate one spec: in this process when it is built-in only, else in a
** child, whose crash or hang is kept as the spec's fault (TPC_OK) rather
** than refusing the command. */
static int validate_spec(const bounds_args *a, const tpc_registry *reg, const tpc_spec *s,
                         char **fault) {
  if (!tpc_registry_uses_plugin(reg, s)) return tpc_bounds_validate(reg, s, &a->opts);
  int rc = tpc_bounds_validate_isolated(reg, s, &a->opts, a->timeout);
  if (rc != TPC_ECHILD) return rc;
  char why[256];
  snprintf(why, sizeof why, "building the spec (init, consts) %s", tpc_error_msg());
  *fault = strdup(why);
  return *fault ? TPC_OK : tpc_error(TPC_ENOMEM, "out of memory");
}

/* Add spec s (owned from here) as a check at n clients labelled with its
** canonical text and `role` ("" for a spec of its own), validated as the
** run will build it: exit code 2 with a message when it is bad. */
static int add_check(bounds_args *a, const tpc_registry *reg, spec_list *l, tpc_spec *s,
                     size_t n, const char *role) {
  char text[1024];
  size_t i = l->n++;
  l->spec[i] = s;
  l->clients[i] = n;
  tpc_spec_canonical(reg, s, text, sizeof text);
  size_t len = strlen(text) + strlen(role) + 40;
  if (!(l->canon[i] = malloc(len))) return tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
  if (*role)
    snprintf(l->canon[i], len, "%s (%s of bidir, n=%zu)", text, role, n);
  else
    snprintf(l->canon[i], len, "%s", text);
  a->opts.n = n;
  int rc = validate_spec(a, reg, s, &l->fault[i]);
  if (rc != TPC_OK) {
    tpc_error_prefix(rc, "spec '%s' at d = %zu, n = %zu: ", l->canon[i], a->opts.d, n);
    return tpc_cli_fail(rc);
  }
  return TPC_EXIT_OK;
}

/* The checks of one SPEC argument: itself, or the mechanisms of a
** bidir(M_w, M_s), the server's as one node (THEORY.md T10.1). */
static int add_spec(bounds_args *a, const tpc_registry *reg, spec_list *l, const char *text,
                    size_t n) {
  int code = TPC_EXIT_OK;
  tpc_spec *s = tpc_cli_method_spec(reg, text, &code);
  if (!s) return code;
  tpc_method_mech_part part[TPC_METHOD_MECH_PARTS];
  size_t parts = tpc_method_mech_parts(s, n, part);
  if (!parts && tpc_method_type_find(s->name)) {
    fprintf(stderr, "tpc bounds: '%s' is a method: check its compressors (or a bidir's "
                    "mechanisms)\n", text);
    tpc_spec_free(s);
    return TPC_EXIT_USAGE;
  }
  if (!parts) return add_check(a, reg, l, s, n, "");
  for (size_t k = 0; k < parts && !code; k++) {
    tpc_spec *copy = tpc_spec_copy(part[k].spec);
    code = copy ? add_check(a, reg, l, copy, part[k].n, part[k].role)
                : tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
  }
  tpc_spec_free(s);
  return code;
}

/* Parse, check and build every spec at d, n: exit code 2 with a message for
** the first bad one. */
static int read_specs(bounds_args *a, const tpc_registry *reg, int count, char **text,
                      spec_list *l) {
  size_t cap = (size_t)count * TPC_METHOD_MECH_PARTS, n = a->opts.n;
  int code = TPC_EXIT_OK;
  l->n = 0;
  l->spec = calloc(cap, sizeof *l->spec);
  l->canon = calloc(cap, sizeof *l->canon);
  l->fault = calloc(cap, sizeof *l->fault);
  l->clients = calloc(cap, sizeof *l->clients);
  if (!l->spec || !l->canon || !l->fault || !l->clients)
    return tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
  for (int i = 0; i < count && !code; i++) code = add_spec(a, reg, l, text[i], n);
  a->opts.n = n;
  return code;
}

/* The exit code of the verdicts so far (4 > 1 > 3 > 0). */
static int merge_code(int code, int verdict) {
  int v = verdict == TPC_VERDICT_ERROR          ? TPC_EXIT_INTERNAL
          : verdict == TPC_VERDICT_VIOLATED     ? TPC_EXIT_FAIL
          : verdict == TPC_VERDICT_INCONCLUSIVE ? TPC_EXIT_INCONCLUSIVE
                                                : TPC_EXIT_OK;
  static const int rank[5] = {0, 2, -1, 1, 3}; /* by exit code 0..4 */
  return rank[v] > rank[code] ? v : code;
}

/* A resumed run's stored specs (bounds/bounds.h): in *kept the verdict of
** each spec it stored, -1 for the others, which are computed. */
static int stored_specs(const tpc_cli_run *run, const spec_list *l, int quiet, int **kept) {
  *kept = malloc(l->n * sizeof **kept);
  if (!*kept) return tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
  int rc = tpc_bounds_stored(run->store, run->id, l->n, *kept);
  if (rc) return tpc_cli_fail(rc);
  size_t n = 0;
  for (size_t i = 0; i < l->n; i++) n += (*kept)[i] >= 0;
  if (!quiet)
    fprintf(stderr, "tpc bounds: resuming run %lld: %zu of %zu specs kept, %zu to compute\n",
            (long long)run->id, n, l->n, l->n - n);
  return TPC_EXIT_OK;
}

/* A sweep over the specs to compute (dist/sweep.h): unit u is spec
** unit_spec[u]; a resumed run's kept specs are no units. */
typedef struct bounds_sweep {
  bounds_args *a;
  const tpc_registry *reg;
  const spec_list *l;
  int64_t run_id;
  const int *kept;        /* NULL, or per spec its kept verdict (-1: none) */
  size_t *unit_spec;
  tpc_bounds_result *res;
  size_t printed;         /* specs whose rows are printed */
  int width, code;
} bounds_sweep;

/* Evaluate spec unit_spec[u] and store it; its summary is the result. */
static int spec_compute(void *ctx, size_t u, tpc_store *store, void **result, size_t *len) {
  bounds_sweep *b = ctx;
  bounds_args *a = b->a;
  size_t i = b->unit_spec[u];
  tpc_cli_progress prog;
  tpc_cli_progress_init(&prog, b->l->canon[i], a->common);
  a->opts.progress = tpc_cli_progress_cb;
  a->opts.progress_ctx = &prog;
  int rc = TPC_OK;
  a->opts.n = b->l->clients[i]; /* a bidir's server is one node */
  if (b->l->fault[i])
    tpc_bounds_result_error(b->res, b->l->fault[i]);
  else
    rc = tpc_bounds_run_isolated(b->reg, b->l->spec[i], &a->opts, a->timeout, b->res);
  /* The bar was drawn by the child, whose copy of prog the parent never
  ** sees: mark it drawn so that ending it clears the line. */
  prog.last_percent = 0;
  tpc_cli_progress_end(&prog);
  if (rc != TPC_OK || b->res->sum.interrupted) return rc;
  rc = tpc_bounds_store(store, b->run_id, (int)i, b->l->canon[i], &a->opts, b->res);
  return rc ? rc : tpc_sweep_result_copy(&b->res->sum, sizeof b->res->sum, result, len);
}

/* The kept specs' lines before spec `upto`, in spec order. */
static void print_kept(bounds_sweep *b, size_t upto) {
  for (; b->printed < upto; b->printed++) {
    int v = b->kept ? b->kept[b->printed] : -1;
    if (v < 0) continue;
    b->code = merge_code(b->code, v);
    if (!b->a->common->quiet)
      printf("%-*s kept: %s\n", b->width, b->l->canon[b->printed], tpc_bounds_verdict_name(v));
  }
}

/* Rank 0, in spec order: the spec's summary row. */
static int spec_done(void *ctx, size_t u, tpc_store *store, const tpc_store_merged *merged,
                     const void *result, size_t len) {
  bounds_sweep *b = ctx;
  size_t i = b->unit_spec[u];
  tpc_bounds_summary sum;
  (void)store, (void)merged;
  if (len != sizeof sum) return tpc_error(TPC_EINTERNAL, "bounds: a summary of %zu bytes", len);
  memcpy(&sum, result, sizeof sum);
  print_kept(b, i);
  b->printed = i + 1;
  b->code = merge_code(b->code, sum.verdict);
  if (!b->a->common->quiet) print_row(b->width, b->l->canon[i], &sum, b->a->opts.d);
  if (sum.verdict != TPC_VERDICT_PASS)
    fprintf(stderr, "tpc bounds: %s: %s: %s\n", b->l->canon[i],
            tpc_bounds_verdict_name(sum.verdict), sum.reason);
  fflush(stdout);
  return TPC_OK;
}

/* The specs to compute: those a resumed run has not kept. */
static size_t units_of(const spec_list *l, const int *kept, size_t *unit_spec) {
  size_t n = 0;
  for (size_t i = 0; i < l->n; i++)
    if (!kept || kept[i] < 0) unit_spec[n++] = i;
  return n;
}

/* Evaluate and store each spec (those a resumed run has stored are kept),
** spread over the ranks; the summary rows in spec order. */
static int run_specs(bounds_args *a, const tpc_registry *reg, const spec_list *l,
                     tpc_cli_run *run) {
  int code = TPC_EXIT_OK, *kept = NULL;
  if (run->resumed && tpc_dist_rank() == 0 &&
      (code = stored_specs(run, l, a->common->quiet, &kept))) {
    free(kept);
    return code;
  }
  if (run->resumed && tpc_dist_size() > 1) { /* every rank the same units */
    if (!kept && !(kept = malloc(l->n * sizeof *kept)))
      return tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
    int rc = tpc_dist_bcast(kept, l->n * sizeof *kept, 0);
    if (rc) {
      free(kept);
      return tpc_cli_fail(rc);
    }
  }
  bounds_sweep b = {.a = a, .reg = reg, .l = l, .run_id = run->id, .kept = kept,
                    .unit_spec = malloc(l->n * sizeof *b.unit_spec),
                    .res = tpc_bounds_result_alloc(&a->opts), .width = 4};
  if (!b.unit_spec || !b.res) {
    free(kept);
    free(b.unit_spec);
    tpc_bounds_result_free(b.res);
    return tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
  }
  for (size_t i = 0; i < l->n; i++) {
    int len = (int)strlen(l->canon[i]);
    if (len > b.width) b.width = len;
  }
  if (!a->common->quiet) print_header(b.width);
  tpc_sweep sw = {.nunits = units_of(l, kept, b.unit_spec), .run_id = run->id,
                  .store = run->store, .compute = spec_compute, .done = spec_done,
                  .stop = tpc_cli_interrupted, .ctx = &b};
  int rc = tpc_sweep_run(&sw);
  if (rc != TPC_OK) b.code = tpc_cli_fail(rc);
  else if (!tpc_cli_interrupted()) print_kept(&b, l->n);
  tpc_bounds_result_free(b.res);
  free(b.unit_spec);
  free(kept);
  return b.code;
}

int cmd_bounds(tpc_cli_ctx *ctx) {
  bounds_args a;
  int code = parse_args(ctx, &a);
  if (code) return code;
  spec_list l;
  code = read_specs(&a, ctx->reg, ctx->nargs, ctx->args, &l);
  char *settings = NULL;
  if (code == TPC_EXIT_OK && !(settings = tpc_bounds_settings(&a.opts, l.canon, l.n)))
    code = tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
  if (code == TPC_EXIT_OK) code = tpc_cli_run_open(ctx, settings);
  if (code == TPC_EXIT_OK) code = run_specs(&a, ctx->reg, &l, &ctx->run);
  free(settings);
  specs_free(&l);
  return code;
}
