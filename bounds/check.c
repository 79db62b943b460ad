/*
** One check of tpc bounds (bounds/bounds.h): the procedure, its statistics
** and the verdict.
**
**  1. Prescreen (mechanisms): the worst vectors of each compressor part, for
**     the tight EF21 construction of the WORST family (families.c).
**  2. Screening: every point of every selected family, evaluated exactly
**     (deterministic target) or from up to M draws, with one-sided empirical
**     Bernstein bounds at level delta / N (Bonferroni over the N screened
**     points, delta = 1 - confidence) shared by the checkpoints M/8, M/4,
**     M/2, M of the sequential draws (eval.c, bnd_eval_seq; THEORY.md
**     T-STATS): a point stops where its bounds settle it.
**  3. Search (search.c) from the best screened points; its results are
**     screened like the rest (family SEARCH).
**  4. Re-estimation: the BND_CONFIRM points with the largest ratio and the
**     BND_CONFIRM with the largest lower bound are evaluated again with
**     fresh streams (another phase of the stream index) and M to 16M
**     sequential draws, at level delta / K for the K of them.  Selecting on
**     one sample and testing on an independent one removes the winner's
**     curse of the max over N noisy estimates; a deterministic target is evaluated again too,
**     and a different result refutes its claim to be deterministic.
**  5. Unbiasedness (unbiased.c) for declared-unbiased targets.
**  6. Frontier (frontier.c) for targets that declare a 3PC pair, from the
**     freshest estimate of each point; for a randomized target the points
**     that attain its maximum are re-estimated first (refresh_frontier).
**
** Ratios are (e - fp)/rhs with the floating-point allowance fp = tol (rhs +
** s2) (eval.c, target.c), so a deterministic target is judged exactly up to
** a few hundred ulps of the norms.
**
** Verdict (THEORY.md T-STATS): violated when a re-estimated point's lower
** bound exceeds the right side (ratio_lcb > 1; the lower bound truncates the
** draws, so no range is assumed), when the sound unbiasedness test rejects,
** or when a "deterministic" target is not; inconclusive when the screening
** found a significant exceedance that fresh draws did not confirm, or when
** the unbiasedness tests reject only at face value, each with the --draws
** that would decide; pass otherwise.  A passing check whose worst ratio is
** below 0.5 is flagged loose (the declared constant is more than twice what
** was found), and a target whose messages are on average as long as the
** dense vector (64 d bits, 32 d for float32 kernels) is flagged as not
** compressing.  A compressor whose output equalled its input on every call
** of every phase (eval.c notes any difference and bnd_parallel ORs the
** threads' notes, so it does not depend on --threads) compresses nothing,
** whatever its messages claim to cost: when it passes a positive declared
** right side it is flagged loose by an infinite factor (flag_identity).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounds/internal.h"
#include "core/error.h"
#include "rng/pcg.h"

static const char *const family_names[TPC_FAM_COUNT] = {
    "gaussian", "heavy", "sparse", "equal", "ties", "scales", "worst", "boundary", "search"};

const char *tpc_bounds_family_name(int family) {
  return family >= 0 && family < TPC_FAM_COUNT ? family_names[family] : "?";
}

int tpc_bounds_families_parse(const char *list, unsigned *mask) {
  *mask = 0;
  const char *p = list;
  while (*p) {
    size_t n = strcspn(p, ",");
    int found = 0;
    if (n == 3 && strncmp(p, "all", 3) == 0) {
      *mask |= TPC_BOUNDS_FAMILIES_ALL;
      found = 1;
    }
    for (int f = 0; f < TPC_FAM_SEARCH && !found; f++)
      if (strlen(family_names[f]) == n && strncmp(p, family_names[f], n) == 0) {
        *mask |= 1u << f;
        found = 1;
      }
    if (!found)
      return tpc_error(TPC_EINPUT,
                       "unknown family '%.*s' (families: gaussian, heavy, sparse, equal, "
                       "ties, scales, worst, boundary, all)",
                       (int)n, p);
    p += n;
    if (*p == ',') p++;
  }
  if (*mask == 0) return tpc_error(TPC_EINPUT, "no family selected");
  return TPC_OK;
}

const char *tpc_bounds_check_name(int check) {
  static const char *const names[] = {"none", "alpha", "omega", "both",
                                      "3pc",  "aggregate", "shift"};
  return check >= 0 && check <= TPC_CHECK_SHIFT ? names[check] : "?";
}

const char *tpc_bounds_verdict_name(int verdict) {
  static const char *const names[] = {"pass", "violated", "inconclusive", "error"};
  return verdict >= 0 && verdict <= TPC_VERDICT_ERROR ? names[verdict] : "?";
}

void tpc_bounds_opts_init(tpc_bounds_opts *o) {
  memset(o, 0, sizeof *o);
  o->d = 100;
  o->n = 4;
  o->trials = 48;
  o->draws = 1000;
  o->families = TPC_BOUNDS_FAMILIES_ALL;
  o->search_budget = 2000;
  o->confidence = 0.99;
  o->seed = 1;
  o->threads = 1;
  o->dtype = TPC_F64;
}

int tpc_bounds_opts_check(const tpc_bounds_opts *o) {
  if (o->d < 1) return tpc_error(TPC_EINPUT, "d must be at least 1");
  if (o->n < 1 || o->n > BND_MAX_CLIENTS)
    return tpc_error(TPC_EINPUT, "n = %zu is outside 1..%u", o->n, BND_MAX_CLIENTS);
  if (o->trials < 1 || o->trials * TPC_FAM_COUNT > BND_MAX_POINT)
    return tpc_error(TPC_EINPUT, "trials = %zu is outside 1..%u", o->trials,
                     BND_MAX_POINT / TPC_FAM_COUNT);
  if (o->draws < 2 || o->draws > BND_MAX_DRAW / BND_CONFIRM_DRAWS)
    return tpc_error(TPC_EINPUT, "draws = %zu is outside 2..%u", o->draws,
                     BND_MAX_DRAW / BND_CONFIRM_DRAWS);
  if (!(o->confidence > 0 && o->confidence < 1))
    return tpc_error(TPC_EINPUT, "confidence = %g is outside (0, 1)", o->confidence);
  if ((o->families & TPC_BOUNDS_FAMILIES_ALL) == 0)
    return tpc_error(TPC_EINPUT, "no family selected");
  if (o->dtype != TPC_F32 && o->dtype != TPC_F64)
    return tpc_error(TPC_EINPUT, "dtype %d is neither f32 nor f64", (int)o->dtype);
  return TPC_OK;
}

size_t tpc_bounds_cap_points(const tpc_bounds_opts *o) {
  return TPC_FAM_SEARCH * o->trials + bnd_search_restarts(o) + 2 * BND_CONFIRM +
         BND_FRONT_ROUNDS * BND_FRONT_REFRESH;
}

size_t tpc_bounds_cap_front(void) { return BND_GRID + 1; }

tpc_bounds_result *tpc_bounds_result_alloc(const tpc_bounds_opts *o) {
  tpc_bounds_result *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->cap_points = tpc_bounds_cap_points(o);
  r->cap_front = tpc_bounds_cap_front();
  r->points = calloc(r->cap_points, sizeof *r->points);
  r->front = calloc(r->cap_front, sizeof *r->front);
  if (r->points && r->front) return r;
  tpc_bounds_result_free(r);
  tpc_error(TPC_ENOMEM, "bounds: out of memory for a result");
  return NULL;
}

void tpc_bounds_result_free(tpc_bounds_result *r) {
  if (!r) return;
  free(r->points);
  free(r->front);
  free(r);
}

int tpc_bounds_validate(const tpc_registry *reg, const tpc_spec *spec, const tpc_bounds_opts *o) {
  bnd_target t;
  int status = tpc_bounds_opts_check(o);
  if (status == TPC_OK) status = bnd_target_init(&t, reg, spec, o);
  return status;
}

/* ---- the phases ------------------------------------------------------------ */

typedef struct work {
  bnd_state *st;
  tpc_bounds_point *recs;   /* screened points, then re-estimates */
  size_t n;                 /* screened so far */
  size_t off;               /* where the next jobs' records go */
  int *family;              /* of each job */
  uint32_t *index;
  bnd_seq seq;              /* the draws of each job and their level */
  unsigned phase;
  tpc_bounds_acc *acc;      /* the draws behind each record, beside recs */
} work;

static int eval_task(bnd_worker *w, size_t i, void *arg) {
  work *wk = arg;
  bnd_stat s;
  bnd_point *p = &w->pt;
  bnd_generate(w, wk->family[i], wk->index[i], p);
  uint32_t idx = bnd_point_index(w->st->t.o, wk->family[i], wk->index[i]);
  bnd_eval_seq(w, p, TPC_PURPOSE_TRIAL, wk->phase, idx, &wk->seq, &s);
  int confirm = wk->phase == BND_PHASE_CONFIRM ? 1 : wk->phase == BND_PHASE_FRONTIER ? 2 : 0;
  bnd_record(&w->st->t, &s, bnd_seq_level(&w->st->t, &wk->seq), wk->family[i], wk->index[i],
             confirm, p->scale, &wk->recs[wk->off + i]);
  wk->acc[wk->off + i] = s.e;
  return TPC_OK;
}

/* Evaluate count jobs into recs[wk->off ...]. */
static int run_jobs(work *wk, size_t count, int *stopped) {
  return bnd_parallel(wk->st, count, eval_task, wk, stopped);
}

/* Order: larger key first, then larger ratio, then family, then index (a
** total order, so no choice depends on the sort's stability; ratios are
** never NaN, bnd_ratio maps a NaN left side to infinity). */
static int cmp_key(const tpc_bounds_point *a, const tpc_bounds_point *b, double ka, double kb) {
  if (ka != kb) return ka > kb ? -1 : 1;
  if (a->ratio != b->ratio) return a->ratio > b->ratio ? -1 : 1;
  if (a->family != b->family) return a->family < b->family ? -1 : 1;
  return (a->index > b->index) - (a->index < b->index);
}

static int cmp_ratio(const void *x, const void *y) {
  const tpc_bounds_point *a = x, *b = y;
  return cmp_key(a, b, a->ratio, b->ratio);
}

static int cmp_lcb(const void *x, const void *y) {
  const tpc_bounds_point *a = x, *b = y;
  return cmp_key(a, b, a->ratio_lcb, b->ratio_lcb);
}

/* The screening's draws: M at most, from M / 2^BND_SEQ_DOUBLINGS (at least
** 2) on, each point's bounds at delta / N for the N screened points
** (Bonferroni) shared among the checkpoints.  A point stops where it is
** settled; one that is not (near its bound: the worst points) gets all M. */
static bnd_seq screen_seq(const tpc_bounds_opts *o, size_t npoints) {
  size_t first = o->draws >> BND_SEQ_DOUBLINGS;
  bnd_seq q = {first < 2 ? 2 : first, o->draws, (1.0 - o->confidence) / (double)npoints};
  return q;
}

/* The re-estimates' draws: M to BND_CONFIRM_DRAWS M, at delta / K for K
** points shared among the checkpoints; a point near its bound gets all. */
static bnd_seq confirm_seq(const tpc_bounds_opts *o, size_t nconf) {
  bnd_seq q = {o->draws, BND_CONFIRM_DRAWS * o->draws,
               (1.0 - o->confidence) / (double)(nconf ? nconf : 1)};
  return q;
}

/* Screening over every family; returns the number of points in *n. */
static int screen(work *wk, int *stopped) {
  const tpc_bounds_opts *o = wk->st->t.o;
  size_t n = 0;
  for (int f = 0; f < TPC_FAM_SEARCH; f++) {
    size_t c = bnd_family_count(wk->st, f);
    for (size_t k = 0; k < c; k++) {
      wk->family[n] = f;
      wk->index[n++] = (uint32_t)k;
    }
  }
  size_t total = n + bnd_search_restarts(o);
  wk->seq = screen_seq(o, total ? total : 1);
  wk->phase = BND_PHASE_SCREEN;
  wk->n = wk->off = 0;
  int status = run_jobs(wk, n, stopped);
  wk->n = n;
  return status;
}

/* Search from the best screened points, then screen its results. */
static int search_phase(work *wk, int *stopped) {
  size_t n = wk->n, restarts = bnd_search_restarts(wk->st->t.o);
  if (restarts == 0 || n == 0) return TPC_OK;
  tpc_bounds_point *seeds = malloc(n * sizeof *seeds);
  if (!seeds) return tpc_error(TPC_ENOMEM, "bounds: out of memory");
  memcpy(seeds, wk->recs, n * sizeof *seeds);
  qsort(seeds, n, sizeof *seeds, cmp_ratio);
  int status = bnd_search(wk->st, seeds, n < restarts ? n : restarts);
  free(seeds);
  if (status != TPC_OK || wk->st->nsearch == 0) return status;
  for (size_t r = 0; r < wk->st->nsearch; r++) {
    wk->family[r] = TPC_FAM_SEARCH;
    wk->index[r] = (uint32_t)r;
  }
  wk->off = wk->n;
  status = run_jobs(wk, wk->st->nsearch, stopped);
  wk->n += wk->st->nsearch;
  return status;
}

/* The re-estimated set: top BND_CONFIRM by ratio and by lower bound, into
** family[0..*k), index[0..*k). */
static int pick_confirm(const work *wk, int *family, uint32_t *index, size_t *count) {
  size_t n = wk->n, k = 0;
  tpc_bounds_point *s = malloc((n ? n : 1) * sizeof *s);
  if (!s) return tpc_error(TPC_ENOMEM, "bounds: out of memory");
  for (int pass = 0; pass < 2; pass++) {
    memcpy(s, wk->recs, n * sizeof *s);
    qsort(s, n, sizeof *s, pass ? cmp_lcb : cmp_ratio);
    for (size_t i = 0; i < n && i < BND_CONFIRM; i++) {
      int dup = 0;
      for (size_t j = 0; j < k; j++) dup |= family[j] == s[i].family && index[j] == s[i].index;
      if (dup) continue;
      family[k] = s[i].family;
      index[k++] = s[i].index;
    }
  }
  free(s);
  *count = k;
  return TPC_OK;
}

static const tpc_bounds_point *find(const work *wk, int family, uint32_t index) {
  for (size_t i = 0; i < wk->n; i++)
    if (wk->recs[i].family == family && wk->recs[i].index == index) return &wk->recs[i];
  return NULL;
}

/* ---- the summary --------------------------------------------------------------- */

void bnd_advice(double draws, char *buf, size_t size) {
  double most = BND_MAX_DRAW / BND_CONFIRM_DRAWS;
  if (!(draws < INFINITY))
    snprintf(buf, size, "no number of draws would decide");
  else if (draws > most)
    snprintf(buf, size, "--draws %.3g would decide (at most %.0f allowed)", draws, most);
  else
    snprintf(buf, size, "--draws %.0f would decide", draws);
}

/* The --draws that would decide a screening exceedance at s that the fresh
** draws did not confirm: the draws at which the fresh lower bound (at the
** re-estimates' level per checkpoint) would clear the bound if the fresh
** draws kept their spread and their mean, or, when that mean is within the bound, the
** smallest excess the screening vouches for (its lower bound). */
static double draws_to_confirm(const work *wk, size_t nconf, const tpc_bounds_point *s,
                               double level) {
  const bnd_target *t = &wk->st->t;
  for (size_t i = 0; i < nconf; i++) {
    const tpc_bounds_point *c = &wk->recs[wk->n + i];
    if (c->family != s->family || c->index != s->index) continue;
    const tpc_bounds_acc *a = &wk->acc[wk->n + i];
    double bound = c->rhs + t->tol * (c->rhs + c->s2);
    double mean = a->mean > bound ? a->mean : s->e_lcb;
    return ceil(tpc_bounds_lcb_draws(a, level, bound, mean, bound) / BND_CONFIRM_DRAWS);
  }
  return HUGE_VAL; /* not re-estimated: pick_confirm takes the largest lower bounds */
}

/* "equal #3", with the magnitude of the point's entries when it is far
** from 1 (a finding at 1e-300 is a different story from one at 1). */
static void fmt_point(const tpc_bounds_point *p, char *buf, size_t size) {
  if (abs(p->scale_log2) > 64)
    snprintf(buf, size, "%s #%u (entries up to 2^%d)", tpc_bounds_family_name(p->family),
             p->index, p->scale_log2);
  else
    snprintf(buf, size, "%s #%u", tpc_bounds_family_name(p->family), p->index);
}

/* A passing compressor whose every output equalled its input: E||C(x) -
** x||^2 = 0 at every point against a positive declared right side, so the
** declared constant is loose by an infinite factor, whatever the messages
** claim to cost.  The reason says so in place of the worst ratio (0). */
static void flag_identity(const bnd_target *t, double calls, tpc_bounds_summary *sum) {
  char decl[96];
  if (t->check == TPC_CHECK_ALPHA)
    snprintf(decl, sizeof decl, "alpha = %.6g (1 - alpha = %.6g)", t->alpha, 1.0 - t->alpha);
  else if (t->check == TPC_CHECK_OMEGA)
    snprintf(decl, sizeof decl, "omega = %.6g", t->omega);
  else
    snprintf(decl, sizeof decl, "alpha = %.6g, omega = %.6g (min(1 - alpha, omega) = %.6g)",
             t->alpha, t->omega, t->cu);
  sum->loose = 1;
  sum->loose_factor = INFINITY;
  snprintf(sum->reason, sizeof sum->reason,
           "output equalled its input on every point tested (%.0f calls): it compresses "
           "nothing; declared %s is loose x inf",
           calls, decl);
}

/* Worst re-estimate, sup of the compressor ratio, bits, and the verdict. */
static void summarize(const work *wk, size_t nconf, tpc_bounds_summary *sum) {
  const bnd_target *t = &wk->st->t;
  const tpc_bounds_point *conf = wk->recs + wk->n, *worst = NULL, *refuted = NULL;
  const tpc_bounds_point *unconfirmed = NULL, *nondet = NULL;
  for (size_t i = 0; i < nconf; i++) {
    const tpc_bounds_point *c = &conf[i];
    if (!worst || cmp_lcb(c, worst) < 0) worst = c;
    if (c->ratio_lcb > 1 && (!refuted || cmp_lcb(c, refuted) < 0)) refuted = c;
    const tpc_bounds_point *s = find(wk, c->family, c->index);
    if (t->deterministic && s && fabs(s->e - c->e) > t->tol * (c->e + c->s2)) nondet = c;
  }
  for (size_t i = 0; i < wk->n; i++) {
    const tpc_bounds_point *s = &wk->recs[i];
    if (s->ratio_lcb > 1 && (!unconfirmed || cmp_lcb(s, unconfirmed) < 0)) unconfirmed = s;
    sum->bits_mean += s->bits / (double)wk->n;
    sum->bits_max = fmax(sum->bits_max, s->bits);
  }
  sum->dense_bits = (t->o->dtype == TPC_F32 ? 32.0 : 64.0) * (double)t->d;
  sum->no_compression = sum->bits_mean >= sum->dense_bits;
  const bnd_progress *prog = wk->st->progress;
  sum->identity_output = t->is_comp && prog->evals > 0 && !prog->output_changed;
  if (worst) {
    if (t->is_comp && worst->u > 0) {
      sum->sup = worst->e / worst->u;
      sum->sup_ucb = worst->e_ucb / worst->u;
    }
    sum->worst_ratio = worst->ratio;
    sum->worst_ratio_lcb = worst->ratio_lcb;
    sum->worst_ratio_ucb = worst->ratio_ucb;
    sum->worst_family = worst->family;
    sum->worst_index = worst->index;
  }
  char where[96];
  if (t->check == TPC_CHECK_NONE) {
    sum->verdict = TPC_VERDICT_PASS;
    snprintf(sum->reason, sizeof sum->reason,
             "declares no class; sup E|C(x)-x|^2/|x|^2 found: %.6g (%s)", sum->sup,
             sum->sup >= 1 ? "not contractive" : "contractive on the points found");
    return;
  }
  if (nondet) {
    fmt_point(nondet, where, sizeof where);
    sum->verdict = TPC_VERDICT_VIOLATED;
    snprintf(sum->reason, sizeof sum->reason,
             "declared deterministic, but two evaluations of %s differ", where);
  } else if (refuted) {
    fmt_point(refuted, where, sizeof where);
    sum->verdict = TPC_VERDICT_VIOLATED;
    snprintf(sum->reason, sizeof sum->reason,
             "left side %.6g x the declared right side (lower bound %.6g, %u fresh draws) at %s",
             refuted->ratio, refuted->ratio_lcb, refuted->draws, where);
  } else if (sum->unb_rejected) {
    sum->verdict = TPC_VERDICT_VIOLATED; /* unbiased.c wrote the reason */
  } else if (unconfirmed) {
    char advice[60];
    fmt_point(unconfirmed, where, sizeof where);
    sum->verdict = TPC_VERDICT_INCONCLUSIVE;
    bnd_seq q = confirm_seq(t->o, nconf);
    sum->draws_needed = draws_to_confirm(wk, nconf, unconfirmed, bnd_seq_level(t, &q));
    bnd_advice(sum->draws_needed, advice, sizeof advice);
    snprintf(sum->reason, sizeof sum->reason,
             "screening exceedance at %s (lower bound %.6g) not confirmed by fresh draws (%s)",
             where, unconfirmed->ratio_lcb, advice);
  } else if (sum->unb_doubted) {
    sum->verdict = TPC_VERDICT_INCONCLUSIVE; /* unbiased.c wrote the reason */
  } else {
    sum->verdict = TPC_VERDICT_PASS;
    if (worst) fmt_point(worst, where, sizeof where);
    snprintf(sum->reason, sizeof sum->reason, "worst ratio %.6g (upper bound %.6g) at %s",
             sum->worst_ratio, sum->worst_ratio_ucb, worst ? where : "-");
  }
  if (sum->verdict == TPC_VERDICT_PASS && sum->worst_ratio < 0.5) {
    sum->loose = 1;
    sum->loose_factor = 1.0 / sum->worst_ratio;
  }
  /* The built-in identity declares a right side of 0: nothing is loose. */
  if (sum->verdict == TPC_VERDICT_PASS && sum->identity_output && t->cu > 0)
    flag_identity(t, prog->evals, sum);
}

static void declared(const bnd_target *t, tpc_bounds_summary *sum) {
  sum->check = t->check;
  sum->deterministic = t->deterministic;
  sum->has_AB = t->has_AB;
  sum->alpha = t->alpha;
  sum->omega = t->omega;
  sum->A = t->A;
  sum->B = t->B;
  sum->c = t->c;
}

/* ---- the whole check -------------------------------------------------------- */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The declared alpha of each compressor part (-1 when not contractive). */
static int read_parts(bnd_state *st) {
  if (st->t.is_comp) return TPC_OK;
  bnd_worker w;
  int status = bnd_worker_init(&w, st);
  if (status != TPC_OK) return status;
  st->nparts = bnd_mech_parts(w.mech, w.parts, BND_MAX_PARTS);
  for (size_t p = 0; p < st->nparts; p++) {
    tpc_comp_consts k;
    tpc_comp_consts_get(w.parts[p], &k);
    st->part_alpha[p] = (k.cls & TPC_CLASS_CONTRACTIVE) ? k.alpha : -1;
  }
  bnd_worker_free(&w);
  return TPC_OK;
}

static void state_free(bnd_state *st) {
  for (size_t p = 0; p < BND_MAX_PARTS; p++)
    for (size_t t = 0; t < BND_TOP; t++) free(st->top[p][t]);
  for (size_t r = 0; r < st->nsearch; r++) bnd_point_free(&st->search[r]);
}

/* Fresh estimates for a randomized target's frontier: the points that
** attain B_hat at some grid A are evaluated again with BND_CONFIRM_DRAWS M
** fresh draws (phase FRONTIER), replacing their screening estimates in
** front[] (which holds one entry per screened point), for up to
** BND_FRONT_ROUNDS rounds (the maximum may move to another point).  Returns
** the number of records added after wk->off in *added. */
static int refresh_frontier(work *wk, tpc_bounds_point *front, size_t *added, int *stopped) {
  const bnd_target *t = &wk->st->t;
  size_t n = wk->n, base = wk->off;
  *added = 0;
  unsigned char *done = calloc(n ? n : 1, 1);
  size_t *slot = malloc(BND_FRONT_REFRESH * sizeof *slot);
  int status = done && slot ? TPC_OK : tpc_error(TPC_ENOMEM, "bounds: out of memory");
  for (int round = 0; status == TPC_OK && !*stopped && round < BND_FRONT_ROUNDS; round++) {
    size_t k = 0;
    for (size_t g = 0; g < BND_GRID + 1 && k < BND_FRONT_REFRESH; g++) {
      size_t arg;
      bnd_frontier_B(t, front, n, g < BND_GRID ? bnd_frontier_grid(g) : t->A, 0, &arg);
      if (arg == n || done[arg]) continue;
      done[arg] = 1;
      slot[k] = arg;
      wk->family[k] = front[arg].family;
      wk->index[k++] = front[arg].index;
    }
    if (k == 0) break;
    wk->off = base + *added;
    wk->phase = BND_PHASE_FRONTIER;
    wk->seq.first = wk->seq.last = BND_CONFIRM_DRAWS * t->o->draws; /* one checkpoint */
    wk->seq.delta = (1.0 - t->o->confidence) / (double)k;
    status = run_jobs(wk, k, stopped);
    for (size_t j = 0; status == TPC_OK && j < k; j++) front[slot[j]] = wk->recs[wk->off + j];
    *added += k;
  }
  free(done);
  free(slot);
  return status;
}

/* The frontier from the freshest estimate of every screened point. */
static int frontier_phase(work *wk, size_t nconf, tpc_bounds_result *res, size_t *added,
                          int *stopped) {
  const bnd_target *t = &wk->st->t;
  size_t n = wk->n;
  *added = 0;
  tpc_bounds_point *front = malloc((n ? n : 1) * sizeof *front);
  if (!front) return tpc_error(TPC_ENOMEM, "bounds: out of memory");
  memcpy(front, wk->recs, n * sizeof *front);
  for (size_t c = 0; c < nconf; c++) {
    const tpc_bounds_point *r = &wk->recs[n + c];
    for (size_t i = 0; i < n; i++)
      if (front[i].family == r->family && front[i].index == r->index) front[i] = *r;
  }
  wk->off = n + nconf;
  int status = t->deterministic ? TPC_OK : refresh_frontier(wk, front, added, stopped);
  if (status == TPC_OK && !*stopped) res->nfront = bnd_frontier(t, front, n, res->front, &res->sum);
  free(front);
  return status;
}

/* Steps 2-6 on a prepared state; recs has room for every point. */
static int phases(work *wk, tpc_bounds_result *res, int *stopped) {
  bnd_state *st = wk->st;
  const bnd_target *t = &st->t;
  int status = screen(wk, stopped);
  if (status == TPC_OK && !*stopped) status = search_phase(wk, stopped);
  size_t nconf = 0, nfront = 0;
  if (status == TPC_OK && !*stopped) status = pick_confirm(wk, wk->family, wk->index, &nconf);
  if (status == TPC_OK && !*stopped) {
    wk->seq = confirm_seq(t->o, nconf);
    wk->phase = BND_PHASE_CONFIRM;
    wk->off = wk->n;
    status = run_jobs(wk, nconf, stopped);
  }
  if (status == TPC_OK && !*stopped && t->has_AB)
    status = frontier_phase(wk, nconf, res, &nfront, stopped);
  if (status == TPC_OK && !*stopped && t->unbiased) status = bnd_unbiased(st, &res->sum);
  if (status != TPC_OK || *stopped) return status;
  summarize(wk, nconf, &res->sum);
  size_t all = wk->n + nconf + nfront;
  res->sum.npoints = (uint32_t)wk->n;
  res->npoints = all < res->cap_points ? all : res->cap_points;
  memcpy(res->points, wk->recs, res->npoints * sizeof *res->points);
  return TPC_OK;
}

int tpc_bounds_run(const tpc_registry *reg, const tpc_spec *spec, const tpc_bounds_opts *o,
                   tpc_bounds_result *res) {
  double start = now_s();
  bnd_state st;
  bnd_progress prog = {0, 0, 0, 0};
  memset(&st, 0, sizeof st);
  memset(&res->sum, 0, sizeof res->sum);
  res->npoints = res->nfront = 0;
  int status = tpc_bounds_opts_check(o);
  if (status == TPC_OK) status = bnd_target_init(&st.t, reg, spec, o);
  if (status != TPC_OK) return status;
  st.progress = &prog;
  declared(&st.t, &res->sum);
  status = read_parts(&st);
  size_t cap = tpc_bounds_cap_points(o);
  work wk = {&st, calloc(cap, sizeof(tpc_bounds_point)), 0, 0, calloc(cap, sizeof(int)),
             calloc(cap, sizeof(uint32_t)), {0, 0, 0}, 0, calloc(cap, sizeof(tpc_bounds_acc))};
  if (status == TPC_OK && (!wk.recs || !wk.family || !wk.index || !wk.acc))
    status = tpc_error(TPC_ENOMEM, "bounds: out of memory");
  /* Units of progress (an upper bound): prescreen candidates, points,
  ** restarts, re-estimates, unbiasedness points. */
  prog.total = st.nparts * BND_PRESCREEN + cap + 8;
  if (status == TPC_OK) status = bnd_find_worst(&st);
  int stopped = 0;
  if (status == TPC_OK) status = phases(&wk, res, &stopped);
  res->sum.interrupted = stopped;
  res->sum.evaluations = prog.evals;
  res->sum.seconds = now_s() - start;
  free(wk.recs);
  free(wk.family);
  free(wk.index);
  free(wk.acc);
  state_free(&st);
  return status;
}
