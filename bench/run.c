/*
** The bench pipeline (run.h): rounds of fresh inputs and shuffled groups,
** the accumulation of every round's samples per case, the round-level
** summaries, and the storage of each group.
*/
#include "bench/run.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/instrument.h"
#include "bench/peer.h"
#include "bench/roofline.h"
#include "bench/rounds.h"
#include "bench/store_bench.h"
#include "bounds/sandbox.h"
#include "core/error.h"
#include "core/sysinfo.h"
#include "rng/pcg.h"

#define MAXK 64
/* Each round lays its memory out afresh, as a new process under ASLR would:
** before its inputs it maps an untouched pad of a random number of pages
** (up to PAD_PAGES: every later mapping moves by as much) and takes a random
** part of the heap (up to HEAP_PAD bytes in lines: the small allocations,
** the kernels' state, move too).  Forked children inherit their parent's
** layout, so without the pads every round of a run would share it. */
#define MMAP_THRESHOLD (128 * 1024)
#define PAD_PAGES 4096
#define HEAP_PAD (96 * 1024)
/* The plugins' constructors at every size of a plan, in one child: as long
** as loading a plugin may take (a Python module importing torch). */
#define PLUGIN_CHECK_TIMEOUT 300.0

/* One kernel's group across the rounds of a (dtype, d) block. */
typedef struct group_acc {
  tpc_bench_case *cases;   /* metadata of the first round, every round's samples */
  size_t n;
  double bw[TPC_BW_KINDS]; /* the last round's bandwidths (bench_bandwidth rows) */
} group_acc;

typedef struct run_state {
  const tpc_registry *reg;
  tpc_store *st;
  int64_t run_id;
  const tpc_bench_plan *p;
  tpc_bench_opts *o;
  const tpc_bench_hooks *h;
  tpc_bench_outcome *out;
  tpc_bench_counter *counter;  /* instrument runs only */
  int64_t grp;
  size_t block;                /* (dtype, d) blocks begun */
  int pipe_fd;                 /* in a forked round: where its results go; else -1 */
} run_state;

/* The k values for d: --k as given, or from the ratios, without repeats. */
static size_t ks_for(const tpc_bench_plan *p, size_t d, size_t *ks) {
  size_t n = 0;
  for (size_t i = 0; i < (p->nk ? p->nk : p->nratio); i++) {
    size_t k = p->nk ? p->k[i] : (size_t)fmax(1.0, round(p->ratio[i] * (double)d));
    int seen = 0;
    for (size_t j = 0; j < n; j++) seen |= ks[j] == k;
    if (!seen) ks[n++] = k;
  }
  return n;
}

static int any_needs_hy(const tpc_bench_plan *p) {
  for (size_t i = 0; i < p->nkernels; i++)
    if (tpc_bench_kernel_needs_hy(p->kernels[i])) return 1;
  return 0;
}

int tpc_bench_plan_check_memory(const tpc_bench_plan *p) {
  unsigned long long avail = tpc_sys_mem_available(), need = 0;
  size_t at_d = 0;
  for (size_t i = 0; i < p->nd; i++)
    for (size_t j = 0; j < p->ndtype; j++) {
      unsigned long long e = p->dtype[j] == TPC_F64 ? 8 : 4;
      unsigned long long bytes = (any_needs_hy(p) ? 4 : 2) * e * p->d[i];
      if (bytes > need) {
        need = bytes;
        at_d = p->d[i];
      }
    }
  if (!avail || need <= avail) return TPC_OK;
  return tpc_error(TPC_EINPUT, "--d %zu needs at least %.1f GiB (its inputs and one output); "
                   "this machine has %.1f GiB available", at_d, (double)need / 1073741824.0,
                   (double)avail / 1073741824.0);
}

/* What the child that checks the plugins' kernels needs. */
typedef struct check_arg {
  const tpc_registry *reg;
  const tpc_bench_plan *p;
  int (*stop)(void);
} check_arg;

static int check_stop(void *ctx) {
  const check_arg *c = ctx;
  return c->stop && c->stop();
}

/* One plugin kernel built at every d and k of the plan. */
static int check_plugin(const tpc_registry *reg, const tpc_bench_plan *p, const char *kernel) {
  int has_k = tpc_bench_kernel_has_k(reg, kernel), rc = TPC_OK;
  size_t ks[MAXK] = {0};
  for (size_t i = 0; i < p->nd && !rc; i++) {
    size_t nk = has_k ? ks_for(p, p->d[i], ks) : 1;
    for (size_t m = 0; m < nk && !rc; m++) rc = tpc_bench_kernel_check(reg, kernel, p->d[i], ks[m]);
  }
  return rc;
}

/* The plan's plugin kernels (tpc_bench_kernel_check), in the sandboxed
** child of tpc_bench_plan_check_plugins. */
static int check_plugins_in_child(void *arg, void *out) {
  (void)out;
  const check_arg *c = arg;
  int rc = TPC_OK;
  for (size_t j = 0; j < c->p->nkernels && !rc; j++)
    if (!tpc_bench_kernel_known(c->p->kernels[j]))
      rc = check_plugin(c->reg, c->p, c->p->kernels[j]);
  return rc;
}

int tpc_bench_plan_check_plugins(const tpc_registry *reg, const tpc_bench_plan *p,
                                 int (*stop)(void)) {
  int plugins = 0;
  for (size_t j = 0; j < p->nkernels; j++) plugins |= !tpc_bench_kernel_known(p->kernels[j]);
  if (!plugins) return TPC_OK;
  check_arg arg = {reg, p, stop};
  tpc_sandbox_opts so = {.timeout_s = PLUGIN_CHECK_TIMEOUT, .stop = check_stop, .stop_ctx = &arg};
  tpc_sandbox_result sr;
  int status, rc = tpc_sandbox_call(check_plugins_in_child, &arg, NULL, 0, &so, &sr, &status);
  if (rc == TPC_OK && status == TPC_ECHILD)
    return tpc_error_prefix(status, "bench: building the plugins' kernels ");
  return rc ? rc : status;
}

/* ---- accumulating rounds ---------------------------------------------------------- */

/* A new accumulated case: c's description, no results, no kernel. */
static void acc_init(tpc_bench_case *e, const tpc_bench_case *c) {
  *e = *c;
  e->in_place = c->in_place || c->restore != NULL;
  e->call = e->restore = e->destroy = NULL;
  e->arg = e->scratch = NULL;
  e->ns = NULL;
  e->seq = NULL;
  e->nsamples = 0;
  e->rounds = 0;
  e->round_end = NULL;
  e->round_floor = NULL;
  e->round_iters = NULL;
}

static int grow(void **p, size_t n, size_t size) {
  void *q = realloc(*p, (n ? n : 1) * size);
  if (!q) return tpc_error(TPC_ENOMEM, "out of memory (rounds)");
  *p = q;
  return TPC_OK;
}

/* Append c's samples of this round to e as one more round (none taken: an
** interrupted round adds nothing). */
static int acc_append(tpc_bench_case *e, const tpc_bench_case *c) {
  if (c->nsamples == 0) return TPC_OK;
  size_t n = e->nsamples + c->nsamples, r = e->rounds + 1;
  int rc = grow((void **)&e->ns, n, sizeof *e->ns);
  if (!rc) rc = grow((void **)&e->seq, n, sizeof *e->seq);
  if (!rc) rc = grow((void **)&e->round_end, r, sizeof *e->round_end);
  if (!rc) rc = grow((void **)&e->round_floor, r, sizeof *e->round_floor);
  if (!rc) rc = grow((void **)&e->round_iters, r, sizeof *e->round_iters);
  if (rc) return rc;
  memcpy(e->ns + e->nsamples, c->ns, c->nsamples * sizeof *c->ns);
  memcpy(e->seq + e->nsamples, c->seq, c->nsamples * sizeof *c->seq);
  e->round_end[e->rounds] = n;
  e->round_floor[e->rounds] = c->floor_ns;
  e->round_iters[e->rounds] = c->iters;
  e->iters = c->iters;
  e->instructions = c->instructions;
  e->nsamples = n;
  e->rounds = r;
  return TPC_OK;
}

/* Add this round's group to the accumulated one: case i to case i (a group
** is built the same way every round), new cases (the peers) at the end. */
static int acc_group(group_acc *g, const tpc_bench_case *cases, size_t n,
                     const double bw[TPC_BW_KINDS]) {
  if (n > g->n) {
    int rc = grow((void **)&g->cases, n, sizeof *g->cases);
    if (rc) return rc;
    for (size_t i = g->n; i < n; i++) acc_init(&g->cases[i], &cases[i]);
    g->n = n;
  }
  memcpy(g->bw, bw, sizeof g->bw);
  int rc = TPC_OK;
  for (size_t i = 0; i < n && !rc; i++) rc = acc_append(&g->cases[i], &cases[i]);
  if (!rc && cases[0].instructions > 0) /* instrument runs: counts without samples */
    for (size_t i = 0; i < n; i++) g->cases[i].instructions = cases[i].instructions;
  return rc;
}

/* ---- summaries -------------------------------------------------------------------- */

static int all_positive(const double *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!(v[i] > 0)) return 0;
  return n > 0;
}

int tpc_bench_case_summarize_rounds(tpc_bench_case *c, double level, uint64_t seed) {
  int rc = tpc_bench_case_summarize(c, level);
  if (rc || c->rounds == 0 || !all_positive(c->ns, c->nsamples)) return rc;
  tpc_bench_rounds s = {c->ns, c->round_end, NULL, c->rounds};
  double est;
  rc = tpc_bench_rounds_median_ci(&s, level, seed, &est, &c->round_lo, &c->round_hi);
  if (!rc) rc = tpc_bench_rounds_spread(&s, &c->round_cv);
  if (rc || !all_positive(c->round_floor, c->rounds)) return rc;
  double *f = malloc(c->rounds * sizeof *f);
  if (!f) return tpc_error(TPC_ENOMEM, "out of memory (floors)");
  memcpy(f, c->round_floor, c->rounds * sizeof *f);
  c->floor_ns = gsl_stats_median(f, 1, c->rounds);
  free(f);
  s.scale = c->round_floor;
  return tpc_bench_rounds_median_ci(&s, level, seed, &c->ratio, &c->ratio_lo, &c->ratio_hi);
}

/* Drop the cases with nothing measured: the bandwidth cases of an
** instrument run, which counts kernels only. */
static void drop_unmeasured(group_acc *g) {
  size_t w = 0;
  for (size_t i = 0; i < g->n; i++) {
    tpc_bench_case *c = &g->cases[i];
    if (c->nsamples == 0 && !(c->instructions > 0)) tpc_bench_case_clear(c);
    else g->cases[w++] = *c;
  }
  g->n = w;
}

/* Summarize, store and show a block's groups in the plan's kernel order. */
static int store_block(run_state *s, group_acc *groups) {
  int rc = TPC_OK;
  for (size_t j = 0; j < s->p->nkernels && !rc; j++) {
    group_acc *g = &groups[j];
    if (g->n <= TPC_BW_KINDS) continue; /* no case passed the filters */
    if (s->counter) drop_unmeasured(g);
    for (size_t i = 0; i < g->n && !rc; i++)
      rc = tpc_bench_case_summarize_rounds(&g->cases[i], s->o->level, s->p->seed);
    if (!rc) tpc_bench_bridge_notes(g->cases, g->n);
    if (!rc) rc = tpc_bench_store_group(s->st, s->run_id, s->grp++, g->cases, g->n, g->bw);
    if (!rc && s->h && s->h->group_stored) s->h->group_stored(s->h->ctx, g->cases, g->n);
  }
  return rc;
}

static int send_group(int fd, size_t j, const tpc_bench_case *cases, size_t n,
                      const double bw[TPC_BW_KINDS]);

/* ---- one round ---------------------------------------------------------------------- */

/* A random order of 0 .. n - 1 from the round's own stream. */
static int shuffled(size_t *order, size_t n, uint64_t seed, uint64_t which) {
  for (size_t i = 0; i < n; i++) order[i] = i;
  gsl_rng *r = tpc_rng_alloc_stream(seed, TPC_PURPOSE_BENCH_ORDER, which);
  if (!r) return tpc_error(TPC_ENOMEM, "out of memory (round order)");
  gsl_ran_shuffle(r, order, n, sizeof *order);
  gsl_rng_free(r);
  return TPC_OK;
}

/* Time the group's cases in a shuffled order (their interleaving and who
** warms up first change between rounds), then put them back in place. */
static int time_shuffled(run_state *s, tpc_bench_case *cases, size_t n, uint64_t which) {
  size_t *order = malloc(n * sizeof *order);
  tpc_bench_case *tmp = malloc(n * sizeof *tmp);
  int rc = order && tmp ? shuffled(order, n, s->p->seed, which)
                        : tpc_error(TPC_ENOMEM, "out of memory (round order)");
  if (!rc) {
    for (size_t i = 0; i < n; i++) tmp[i] = cases[order[i]];
    rc = tpc_bench_group_run(tmp, n, s->o);
    for (size_t i = 0; i < n; i++) cases[order[i]] = tmp[i]; /* results too, failed or not */
  }
  free(order);
  free(tmp);
  return rc;
}

/* The TopK peers on this round's input (one round: another library's own
** process, not ours to repeat), their floors from this round's bandwidths;
** their note joins the run's. */
static int run_peers(run_state *s, const tpc_bench_inputs *in, const size_t *ks, size_t nk,
                     tpc_bench_case **cases, size_t *n, const double bw[TPC_BW_KINDS]) {
  char note[256], *all = s->out->peers;
  size_t first = *n, used = strlen(all);
  int rc = tpc_bench_peers_topk(in, ks, nk, s->p->impl, s->p->nimpl, s->o, s->p->threads, cases,
                                n, note, sizeof note);
  if (rc) return rc;
  if (note[0] && !strstr(all, note) && used + strlen(note) + 3 < sizeof s->out->peers)
    snprintf(all + used, sizeof s->out->peers - used, "%s%s", used ? "; " : "", note);
  for (size_t i = first; i < *n; i++) {
    tpc_bench_case *c = &(*cases)[i];
    c->floor_ns = tpc_bench_floor_ns(c->bytes_read, c->bytes_written, bw);
  }
  return TPC_OK;
}

/* Build, time (or count) one kernel's group in round r and hand it to the
** round's sink: accumulated here, or sent to the parent (a forked round). */
static int round_group(run_state *s, size_t j, const tpc_bench_inputs *in, size_t r,
                       group_acc *g) {
  const tpc_bench_plan *p = s->p;
  const char *kernel = p->kernels[j];
  size_t ks[MAXK], nk = ks_for(p, in->d, ks), n;
  tpc_bench_case *cases;
  void *scratch;
  double bw[TPC_BW_KINDS] = {0};
  int rc = tpc_bench_group_build(s->reg, kernel, in, ks, nk, p->impl, p->nimpl, p->seed, &cases,
                                 &n, &scratch);
  if (rc) return rc;
  if (n > TPC_BW_KINDS) { /* some case passed the filters */
    if (s->h && s->h->group_begin) s->h->group_begin(s->h->ctx, kernel, in->dtype, r);
    if (s->counter) rc = tpc_bench_counter_group(s->counter, cases, n);
    else rc = time_shuffled(s, cases, n, (uint64_t)r << 32 | (uint64_t)s->block << 8 | j);
    if (s->h && s->h->group_end) s->h->group_end(s->h->ctx);
    if (!rc && !s->counter) tpc_bench_roofline_apply(cases, n, bw);
    if (!rc && !s->counter && !s->o->stopped && r + 1 == p->rounds &&
        tpc_bench_kernel_has_peers(kernel))
      rc = run_peers(s, in, ks, nk, &cases, &n, bw);
    if (!rc) rc = s->pipe_fd >= 0 ? send_group(s->pipe_fd, j, cases, n, bw)
                                  : acc_group(g, cases, n, bw);
  }
  tpc_bench_group_free(cases, n, scratch);
  return rc;
}

/* The round's layout (see the top): an untouched mapping of a random number
** of pages and a random part of the heap, both held for the round. */
typedef struct round_pads {
  void *map, *heap;
} round_pads;

static int pads_take(round_pads *pads, gsl_rng *g) {
  pads->map = malloc(MMAP_THRESHOLD + gsl_rng_uniform_int(g, PAD_PAGES) * 4096);
  pads->heap = malloc(64 + gsl_rng_uniform_int(g, HEAP_PAD / 64) * 64);
  return pads->map && pads->heap ? TPC_OK : tpc_error(TPC_ENOMEM, "out of memory (round pads)");
}

static void pads_free(round_pads *pads) {
  free(pads->heap);
  free(pads->map);
}

/* Round r of a (dtype, d) block: a fresh layout, fresh inputs, the groups
** in a shuffled order, all drawn from the round's own stream. */
static int run_round(run_state *s, tpc_dtype dtype, size_t d, size_t r, group_acc *groups,
                     int (*stop)(void)) {
  const tpc_bench_plan *p = s->p;
  size_t order[MAXK];
  round_pads pads = {NULL, NULL};
  gsl_rng *g = tpc_rng_alloc_stream(p->seed, TPC_PURPOSE_BENCH_ORDER,
                                    (uint64_t)r << 32 | (uint64_t)s->block);
  if (!g) return tpc_error(TPC_ENOMEM, "out of memory (round order)");
  for (size_t i = 0; i < p->nkernels; i++) order[i] = i;
  gsl_ran_shuffle(g, order, p->nkernels, sizeof *order);
  int rc = pads_take(&pads, g);
  gsl_rng_free(g);
  tpc_bench_inputs in;
  if (!rc) rc = tpc_bench_inputs_alloc(&in, dtype, d, p->seed, any_needs_hy(p));
  if (!rc) {
    for (size_t i = 0; i < p->nkernels && !rc && !s->o->stopped && !(stop && stop()); i++)
      rc = round_group(s, order[i], &in, r, groups ? &groups[order[i]] : NULL);
    tpc_bench_inputs_free(&in);
  }
  pads_free(&pads);
  return rc;
}

/* ---- forked rounds ------------------------------------------------------------------ */

/* A round runs in a forked child that allocates its own inputs and sends its
** groups back through a pipe: per group a header, then per case the struct
** (its pointers meaningless here) and its samples; then a trailer.  A child
** that crashes, or exits without its trailer, fails the run with TPC_ECHILD:
** an error, never a hang (the parent reads to end of file, then waits). */
typedef struct wire_group {
  size_t j, n;               /* the kernel's index in the plan; SIZE_MAX: the trailer */
  double bw[TPC_BW_KINDS];
} wire_group;

typedef struct wire_trailer {
  uint64_t seq;              /* the harness's next sequence number */
  int stopped;
  long peak_rss_kib;         /* the child's own peak resident set */
  char peers[512];
} wire_trailer;

static int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len) {
    ssize_t w = write(fd, p, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return tpc_error(TPC_EIO, "bench round: writing results: %s", strerror(errno));
    p += w;
    len -= (size_t)w;
  }
  return TPC_OK;
}

/* 1 read, 0 at end of file before any byte, else an error. */
static int read_all(int fd, void *buf, size_t len) {
  char *p = buf;
  size_t got = 0;
  while (got < len) {
    ssize_t r = read(fd, p + got, len - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return got == 0 && r == 0 ? 0 : -1;
    got += (size_t)r;
  }
  return 1;
}

static int send_group(int fd, size_t j, const tpc_bench_case *cases, size_t n,
                      const double bw[TPC_BW_KINDS]) {
  wire_group g = {j, n, {0}};
  memcpy(g.bw, bw, sizeof g.bw);
  int rc = write_all(fd, &g, sizeof g);
  for (size_t i = 0; i < n && !rc; i++) {
    rc = write_all(fd, &cases[i], sizeof cases[i]);
    if (!rc) rc = write_all(fd, cases[i].ns, cases[i].nsamples * sizeof *cases[i].ns);
    if (!rc) rc = write_all(fd, cases[i].seq, cases[i].nsamples * sizeof *cases[i].seq);
  }
  return rc;
}

/* One group from the pipe into a temporary case array (freed by the caller
** with tpc_bench_group_free), then accumulated. */
static int receive_group(int fd, const wire_group *g, group_acc *groups, size_t nkernels) {
  if (g->j >= nkernels || g->n > 100000)
    return tpc_error(TPC_ECHILD, "bench round: a malformed result from the child");
  tpc_bench_case *cases = calloc(g->n + 1, sizeof *cases);
  if (!cases) return tpc_error(TPC_ENOMEM, "out of memory (round results)");
  int rc = TPC_OK;
  size_t got = 0;
  for (; got < g->n && !rc; got++) {
    tpc_bench_case *c = &cases[got];
    int ok = read_all(fd, c, sizeof *c) == 1;
    size_t nsamples = c->nsamples;
    acc_init(c, c); /* the child's pointers mean nothing here */
    c->nsamples = nsamples;
    c->ns = ok && c->nsamples <= 10000000 ? malloc((c->nsamples + 1) * sizeof *c->ns) : NULL;
    c->seq = c->ns ? malloc((c->nsamples + 1) * sizeof *c->seq) : NULL;
    ok = ok && c->seq && read_all(fd, c->ns, c->nsamples * sizeof *c->ns) == 1 &&
         read_all(fd, c->seq, c->nsamples * sizeof *c->seq) == 1;
    if (!ok) rc = tpc_error(TPC_ECHILD, "bench round: the child's results were cut short");
  }
  if (!rc) rc = acc_group(&groups[g->j], cases, g->n, g->bw);
  tpc_bench_group_free(cases, got, NULL);
  return rc;
}

/* The parent's side: groups until the trailer, then the child's status. */
static int receive_round(run_state *s, int fd, pid_t pid, size_t r, group_acc *groups) {
  int rc = TPC_OK, got_trailer = 0;
  wire_group g;
  while (!rc && !got_trailer) {
    int k = read_all(fd, &g, sizeof g);
    if (k != 1) break;
    if (g.j == SIZE_MAX) {
      wire_trailer t;
      got_trailer = read_all(fd, &t, sizeof t) == 1;
      s->o->seq = t.seq;
      s->o->stopped = t.stopped;
      if (t.peak_rss_kib > s->out->peak_rss_kib) s->out->peak_rss_kib = t.peak_rss_kib;
      t.peers[sizeof t.peers - 1] = 0;
      if (got_trailer && t.peers[0]) snprintf(s->out->peers, sizeof s->out->peers, "%s", t.peers);
    } else
      rc = receive_group(fd, &g, groups, s->p->nkernels);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (rc) return rc;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !got_trailer) {
    if (WIFSIGNALED(status))
      return tpc_error(TPC_ECHILD, "bench round %zu crashed (signal %d)", r + 1, WTERMSIG(status));
    return tpc_error(TPC_ECHILD, "bench round %zu ended without its results", r + 1);
  }
  return TPC_OK;
}

/* The child's side: run the round, send its groups and the trailer, and
** leave without running the parent's exit handlers (_exit).  An error is
** printed here, where its message is. */
static void child_round(run_state *s, int fd, tpc_dtype dtype, size_t d, size_t r) {
  s->pipe_fd = fd;
  int rc = run_round(s, dtype, d, r, NULL, s->o->stop);
  wire_group end = {SIZE_MAX, 0, {0}};
  wire_trailer t = {s->o->seq, s->o->stopped, tpc_bench_peak_rss_kib(), {0}};
  snprintf(t.peers, sizeof t.peers, "%s", s->out->peers);
  if (!rc) rc = write_all(fd, &end, sizeof end);
  if (!rc) rc = write_all(fd, &t, sizeof t);
  if (rc) fprintf(stderr, "tpc: bench round %zu: %s\n", r + 1, tpc_error_msg());
  close(fd);
  _exit(rc ? 1 : 0);
}

/* Round r in a forked child.  The child's inputs, scratch and kernels' state
** are its own allocations at addresses of its own. */
static int forked_round(run_state *s, tpc_dtype dtype, size_t d, size_t r, group_acc *groups) {
  int fds[2];
  if (pipe(fds) != 0) return tpc_error(TPC_EIO, "bench round: pipe: %s", strerror(errno));
  fflush(NULL); /* nothing buffered is written twice */
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return tpc_error(TPC_EIO, "bench round: fork: %s", strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    child_round(s, fds[1], dtype, d, r);
  }
  close(fds[1]);
  int rc = receive_round(s, fds[0], pid, r, groups);
  close(fds[0]);
  return rc;
}

static void groups_free(group_acc *groups, size_t n) {
  for (size_t j = 0; j < n; j++) tpc_bench_group_free(groups[j].cases, groups[j].n, NULL);
}

/* Every round of one (dtype, d) block, then its groups stored. */
static int run_block(run_state *s, tpc_dtype dtype, size_t d) {
  group_acc groups[MAXK];
  memset(groups, 0, sizeof groups);
  int rc = TPC_OK;
  size_t rounds = s->counter ? 1 : s->p->rounds;
  s->block++;
  for (size_t r = 0; r < rounds && !rc && !s->o->stopped && !(s->o->stop && s->o->stop()); r++)
    rc = s->counter ? run_round(s, dtype, d, r, groups, s->o->stop)
                    : forked_round(s, dtype, d, r, groups);
  if (!rc) rc = store_block(s, groups);
  groups_free(groups, s->p->nkernels);
  return rc;
}

int tpc_bench_run(const tpc_registry *reg, tpc_store *st, int64_t run_id,
                  const tpc_bench_plan *p, tpc_bench_opts *o, const tpc_bench_hooks *h,
                  tpc_bench_outcome *out) {
  memset(out, 0, sizeof *out);
  if (p->nkernels > MAXK) return tpc_error(TPC_EINPUT, "bench: at most %d kernels", MAXK);
  /* a fixed threshold: freed inputs are unmapped, the next round's are new pages */
  mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
  run_state s = {reg, st, run_id, p, o, h, out, NULL, 0, 0, -1};
  tpc_bench_counter counter;
  int rc = TPC_OK;
  if (p->instrument) {
    rc = tpc_bench_counter_open(&counter);
    if (rc) return rc;
    s.counter = &counter;
    out->instrument = tpc_bench_counter_name(&counter);
  }
  tpc_bench_env env;
  tpc_bench_env_read(&env, p->threads);
  o->timer_overhead_ns = env.timer_overhead_ns;
  rc = tpc_bench_store_env(st, run_id, &env, o, p->seed, NULL, p->rounds, out->instrument);
  if (!rc && h && h->started) h->started(h->ctx, &env, o, p);
  for (size_t t = 0; t < p->ndtype && !rc; t++)
    for (size_t i = 0; i < p->nd && !rc && !o->stopped && !(o->stop && o->stop()); i++)
      rc = run_block(&s, p->dtype[t], p->d[i]);
  long self = tpc_bench_peak_rss_kib(); /* the rounds' children sent theirs */
  if (self > out->peak_rss_kib) out->peak_rss_kib = self;
  if (!rc) rc = tpc_bench_store_env_end(st, run_id, out->peak_rss_kib, out->peers);
  if (s.counter) tpc_bench_counter_close(&counter);
  return rc;
}
