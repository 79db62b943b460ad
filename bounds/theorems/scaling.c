/*
** The scaling laws of THEORY.md T12 (bounds/theorems/scaling.h): the grid
** of problems and methods, the step of each point, the runs to eps, the
** least-squares fits and their rows in the database (db/013_scaling.sql).
*/
#include "bounds/theorems/scaling.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds/theorems/rate.h"
#include "core/error.h"
#include "methods/method.h"
#include "store/store.h"

#define SCALING_MAX_POINTS 64
#define SCALING_MAX_METHODS 64
#define SCALING_DIVERGE 1e20   /* ||grad f||^2 beyond this factor of its start: diverged */
#define SCALING_LEVEL 0.95

struct tpc_scaling {
  const tpc_registry *reg;
  tpc_scaling_opts o;
  size_t nm, np;
  tpc_problem *probs[SCALING_MAX_POINTS];   /* kappa: one per value; omega: probs[0] */
  char prob_text[SCALING_MAX_POINTS][256];
  char family[256];
  char (*input)[256];                       /* the methods as given, nm */
  tpc_spec **specs;                         /* nm * np: the point's method spec */
  tpc_scaling_point *pts;                   /* nm * np, method-major */
  tpc_scaling_fit *fits;                    /* nm * TPC_SCALING_BITS_KINDS */
};

const char *tpc_scaling_var_name(tpc_scaling_var v) {
  return v == TPC_SCALING_KAPPA ? "kappa" : "omega";
}

const char *tpc_scaling_verdict_name(tpc_scaling_verdict v) {
  static const char *const names[] = {"consistent", "differs", "inconclusive"};
  return names[v];
}

const char *tpc_scaling_bits_name(tpc_scaling_bits b) {
  static const char *const names[] = {"total", "up", "down", "total_paper"};
  return names[b];
}

void tpc_scaling_opts_init(tpc_scaling_opts *o, tpc_scaling_var var) {
  memset(o, 0, sizeof *o);
  o->var = var;
  o->lo = var == TPC_SCALING_KAPPA ? 1e2 : 1;
  o->hi = var == TPC_SCALING_KAPPA ? 1e5 : 8;
  o->npoints = var == TPC_SCALING_KAPPA ? 7 : 4;
  o->eps_rel = 1e-6;
  o->T = 1000000;
  o->grid_k = 8;
  o->threads = 1;
  o->max_points = 500;
}

int tpc_scaling_grid_parse(const char *text, tpc_scaling_opts *o) {
  double lo, hi;
  long n;
  int used = 0;
  if (sscanf(text, "%lf:%lf:%ld%n", &lo, &hi, &n, &used) != 3 || text[used] != '\0')
    return tpc_error(TPC_EINPUT, "--grid '%s': expected LO:HI:N (1e2:1e5:7)", text);
  if (!(lo > 0 && isfinite(hi) && hi >= lo))
    return tpc_error(TPC_EINPUT, "--grid '%s': needs 0 < LO <= HI", text);
  if (n < 1 || n > SCALING_MAX_POINTS || (n == 1) != (lo == hi))
    return tpc_error(TPC_EINPUT, "--grid '%s': N must be in [2, %d] (1 only with LO = HI)",
                     text, SCALING_MAX_POINTS);
  o->lo = lo;
  o->hi = hi;
  o->npoints = (size_t)n;
  return TPC_OK;
}

/* The k-th of the grid's log-spaced values. */
static double grid_value(const tpc_scaling_opts *o, size_t k) {
  if (o->npoints < 2) return o->lo;
  return o->lo * pow(o->hi / o->lo, (double)k / (double)(o->npoints - 1));
}

/* ---- fits ------------------------------------------------------------------ */

/* log y = c0 + c1 log x by least squares over n <= SCALING_MAX_POINTS
** points, *var the variance of c1 estimated from the scatter (GSL: the
** residual sum of squares over n - 2).  Nonzero when GSL fails. */
static int log_fit(const double *x, const double *y, size_t n, double *c0, double *c1,
                   double *var) {
  double lx[SCALING_MAX_POINTS], ly[SCALING_MAX_POINTS], cov00, cov01, ss;
  for (size_t k = 0; k < n; k++) {
    lx[k] = log(x[k]);
    ly[k] = log(y[k]);
  }
  return gsl_fit_linear(lx, 1, ly, 1, n, c0, c1, &cov00, &cov01, var, &ss);
}

void tpc_scaling_fit_points(const double *x, const double *y, size_t n, double prediction,
                            tpc_scaling_fit *fit) {
  double c0, c1, cov11;
  fit->npoints = n;
  fit->prediction = prediction;
  fit->intercept = fit->slope = fit->lo = fit->hi = NAN;
  fit->verdict = TPC_SCALING_INCONCLUSIVE;
  if (n < 3 || n > SCALING_MAX_POINTS || log_fit(x, y, n, &c0, &c1, &cov11)) return;
  double half = gsl_cdf_tdist_Pinv(0.5 + SCALING_LEVEL / 2, (double)(n - 2)) * sqrt(cov11);
  fit->intercept = c0;
  fit->slope = c1;
  fit->lo = c1 - half;
  fit->hi = c1 + half;
  fit->verdict = prediction >= fit->lo && prediction <= fit->hi ? TPC_SCALING_CONSISTENT
                                                                : TPC_SCALING_DIFFERS;
}

/* Slope of log y over log x by least squares (the formula's, no interval). */
static double plain_slope(const double *x, const double *y, size_t n) {
  double c0, c1, var;
  return n < 2 || log_fit(x, y, n, &c0, &c1, &var) ? NAN : c1;
}

/* ---- the complexity formulas ---------------------------------------------- */

/* Whether the method is accelerated (twodirection: AGD with identity
** compressors, 2Direction: T11). */
static int accelerated(const tpc_method_info *mi) { return !strcmp(mi->name, "twodirection"); }

/* The rounds to eps the theory states for the method, hidden constants 1
** (the papers' communication complexity is these rounds times the values
** a client sends per round, describe_point below):
**   T11 (2Direction):  sqrt(L-(w+1)/(a mu)) + sqrt(L_max w^2/(n mu)) + 1/a + w
**   T9.3 (EF21-P + DIANA, and the methods of T8, T9 with a = 1 without C_s):
**                      L-/(a mu) + L_max w/(n mu) + w
**   T5 PL (Algorithm 1 with a 3PC (A, B)):  (L- + L+ sqrt(B/A))/mu + 1/A. */
static double formula_rounds(const tpc_problem *p, const tpc_method_info *mi,
                             const tpc_mech_consts *mc, const char **rule) {
  double Lm = p->c.Lminus.value, mu = p->c.mu.value, Lmax = p->c.Lmax.value;
  double n = (double)p->n, w = isnan(mi->omega) ? 0 : mi->omega;
  double a = isnan(mi->alpha) ? 1 : mi->alpha;
  if (accelerated(mi)) {
    *rule = "T11";
    return sqrt(Lm * (w + 1) / (a * mu)) + sqrt(Lmax * w * w / (n * mu)) + 1 / a + w;
  }
  if (mi->typed) {
    *rule = "T9.3";
    return Lm / (a * mu) + Lmax * w / (n * mu) + w;
  }
  *rule = "T5 PL";
  if (!mc->has_AB) return Lm / mu;
  return (Lm + p->c.Lplus.value * sqrt(mc->B / mc->A)) / mu + 1 / mc->A;
}

/* ---- set-up ---------------------------------------------------------------- */

static tpc_scaling_point *point_at(const tpc_scaling *s, size_t m, size_t k) {
  return &s->pts[m * s->np + k];
}

static int load_problem(tpc_scaling *s, size_t k, const char *text) {
  tpc_spec *spec = NULL;
  int rc = tpc_spec_parse(text, &spec);
  if (!rc) s->probs[k] = tpc_problem_alloc(spec, &rc);
  if (!rc) tpc_spec_print(spec, s->prob_text[k], sizeof s->prob_text[k]);
  tpc_spec_free(spec);
  return rc ? tpc_error_prefix(rc, "problem '%s': ", text) : TPC_OK;
}

/* The family: a quad spec whose kappa (and lambda) the sweep sets; for
** omega the one problem itself. */
static int load_family(tpc_scaling *s, const char *family) {
  tpc_spec *spec = NULL;
  int rc = tpc_spec_parse(family, &spec);
  if (rc) return tpc_error_prefix(rc, "FAMILY '%s': ", family);
  if (strcmp(spec->name, "quad"))
    rc = tpc_error(TPC_EINPUT, "FAMILY '%s' is not a quad spec: the scaling laws need the "
                   "exact constants of quad (kappa=, THEORY.md T6)", family);
  else if (s->o.var == TPC_SCALING_KAPPA && tpc_spec_param_find(spec, "kappa"))
    rc = tpc_error(TPC_EINPUT, "FAMILY '%s' sets kappa, the swept variable: leave it out",
                   family);
  else if (s->o.var == TPC_SCALING_KAPPA && tpc_spec_param_find(spec, "lambda"))
    rc = tpc_error(TPC_EINPUT, "FAMILY '%s' sets lambda, which kappa= sets: leave it out",
                   family);
  if (!rc) tpc_spec_print(spec, s->family, sizeof s->family);
  tpc_spec_free(spec);
  if (rc) return rc;
  if (s->o.var == TPC_SCALING_OMEGA) return load_problem(s, 0, s->family);
  for (size_t k = 0; k < s->np && !rc; k++) {
    char text[320], v[32];
    size_t len = strlen(s->family);
    tpc_format_double(grid_value(&s->o, k), v, sizeof v);
    if (s->family[len - 1] == ')')
      snprintf(text, sizeof text, "%.*s,kappa=%s)", (int)(len - 1), s->family, v);
    else
      snprintf(text, sizeof text, "%s(kappa=%s)", s->family, v);
    rc = load_problem(s, k, text);
  }
  return rc;
}

/* The method's clients' compressor argument for the omega sweep: `urandk`
** written without k, which the sweep sets.  Its index, or TPC_EINPUT. */
static int omega_argument(const tpc_spec *spec, size_t *argi) {
  const tpc_method_type *t = tpc_method_type_find(spec->name);
  for (size_t i = 0; t && t->args[i] && i < spec->nargs; i++) {
    if (t->args[i] != 'Q') continue;
    const tpc_spec *q = spec->args[i];
    if (strcmp(q->name, "urandk"))
      return tpc_spec_error(q, "--scaling omega sets the k of the clients' compressor, which "
                            "must be urandk (not %s)", q->name);
    if (q->nparams)
      return tpc_spec_error(q, "--scaling omega sets urandk's k: write urandk without "
                            "parameters");
    *argi = i;
    return TPC_OK;
  }
  return tpc_error(TPC_EINPUT, "no unbiased compressor argument for --scaling omega to sweep "
                   "(its bits do not depend on omega)");
}

/* The method spec with urandk(k=K) in argument argi; NULL when out of memory. */
static tpc_spec *with_k(const tpc_spec *spec, size_t argi, double K) {
  tpc_spec *c = tpc_spec_copy(spec);
  if (!c) return NULL;
  tpc_spec *q = c->args[argi];
  tpc_spec_param *pp = realloc(q->params, sizeof *pp);
  char *key = malloc(2);
  if (!pp || !key) {
    free(key);
    if (pp) q->params = pp;
    tpc_spec_free(c);
    return NULL;
  }
  memcpy(key, "k", 2);
  q->params = pp;
  q->params[0] = (tpc_spec_param){.key = key, .value = K, .text = NULL};
  q->nparams = 1;
  return c;
}

/* The spec of method m at point k (the omega sweep sets its k). */
static int method_spec(tpc_scaling *s, size_t m, size_t k, const tpc_spec *spec) {
  tpc_scaling_point *pt = point_at(s, m, k);
  tpc_spec **out = &s->specs[m * s->np + k];
  pt->omega = NAN;
  if (s->o.var == TPC_SCALING_KAPPA) {
    *out = tpc_spec_copy(spec);
    return *out ? TPC_OK : tpc_error(TPC_ENOMEM, "scaling: out of memory");
  }
  size_t argi = 0, d = s->probs[0]->d;
  int rc = omega_argument(spec, &argi);
  if (rc) return rc;
  double K = round(grid_value(&s->o, k));
  if (K < 1 || K > (double)d - 1)
    return tpc_error(TPC_EINPUT, "--grid: k = %g is outside [1, d - 1] = [1, %zu] (omega = d/k "
                     "- 1 must be positive)", K, d - 1);
  if (k > 0 && K == round(grid_value(&s->o, k - 1)))
    return tpc_error(TPC_EINPUT, "--grid: k = %g twice after rounding to integers: use fewer "
                     "points or a wider range", K);
  *out = with_k(spec, argi, K);
  pt->value = pt->omega = (double)d / K - 1;
  return *out ? TPC_OK : tpc_error(TPC_ENOMEM, "scaling: out of memory");
}

/* The problem of point k: its own for kappa, the one FAMILY for omega. */
static size_t problem_index(const tpc_scaling *s, size_t k) {
  return s->o.var == TPC_SCALING_KAPPA ? k : 0;
}

static const tpc_problem *point_problem(const tpc_scaling *s, size_t k) {
  return s->probs[problem_index(s, k)];
}

/* Point k of method m as built (meth): its kappa and omega, the
** complexity formula there (formula_rounds) and the texts stored. */
static void describe_point(tpc_scaling *s, size_t m, size_t k, tpc_method *meth) {
  tpc_scaling_point *pt = point_at(s, m, k);
  const tpc_problem *p = point_problem(s, k);
  tpc_method_info mi;
  tpc_mech_consts mc;
  tpc_method_info_get(meth, &mi);
  tpc_method_consts(meth, &mc);
  pt->kappa = p->c.Lminus.value / p->c.mu.value;
  if (s->o.var == TPC_SCALING_KAPPA) pt->value = grid_value(&s->o, k);
  pt->omega = mi.omega;
  /* values a client sends per round: RandK's k = d/(omega+1) when the
  ** method has an unbiased Q (what the omega sweep changes), else d */
  double per_round = (double)p->d / (isnan(mi.omega) ? 1 : mi.omega + 1);
  pt->rounds = formula_rounds(p, &mi, &mc, &pt->formula_rule);
  pt->formula = per_round * pt->rounds;
  pt->accelerated = accelerated(&mi);
  snprintf(pt->problem, sizeof pt->problem, "%s", s->prob_text[problem_index(s, k)]);
  if (tpc_method_canonical(s->reg, s->specs[m * s->np + k], pt->method, sizeof pt->method))
    tpc_spec_print(s->specs[m * s->np + k], pt->method, sizeof pt->method);
}

/* Build method m at every point (its constants fill the points' formula)
** so that nothing that can be refused is found after the runs start. */
static int load_method(tpc_scaling *s, size_t m, const char *text) {
  tpc_spec *spec = NULL;
  int rc = tpc_spec_parse(text, &spec);
  if (!rc) rc = tpc_method_check(s->reg, spec);
  for (size_t k = 0; k < s->np && !rc; k++) {
    if ((rc = method_spec(s, m, k, spec))) break;
    const tpc_spec *point_spec = s->specs[m * s->np + k];
    tpc_method *meth = tpc_method_alloc(point_problem(s, k), s->reg, point_spec, &rc);
    if (!meth) break;
    describe_point(s, m, k, meth);
    tpc_method_free(meth);
  }
  tpc_spec_free(spec);
  return rc ? tpc_error_prefix(rc, "method '%s': ", text) : TPC_OK;
}

void tpc_scaling_free(tpc_scaling *s) {
  if (!s) return;
  for (size_t k = 0; k < SCALING_MAX_POINTS; k++) tpc_problem_free(s->probs[k]);
  for (size_t k = 0; s->specs && k < s->nm * s->np; k++) tpc_spec_free(s->specs[k]);
  free(s->specs);
  free(s->input);
  free(s->pts);
  free(s->fits);
  free(s);
}

tpc_scaling *tpc_scaling_alloc(const tpc_registry *reg, const char *family,
                               const char *const *methods, size_t nmethods,
                               const tpc_scaling_opts *o, int *status) {
  tpc_scaling *s = calloc(1, sizeof *s);
  int rc = TPC_OK;
  if (!s) {
    *status = tpc_error(TPC_ENOMEM, "scaling: out of memory");
    return NULL;
  }
  s->reg = reg;
  s->o = *o;
  s->nm = nmethods;
  s->np = o->npoints;
  if (!nmethods || nmethods > SCALING_MAX_METHODS)
    rc = tpc_error(TPC_EINPUT, "--scaling needs 1 to %d methods", SCALING_MAX_METHODS);
  else if (o->T < 1)
    rc = tpc_error(TPC_EINPUT, "--T must be at least 1");
  else if (!(o->eps_rel > 0 && o->eps_rel < 1))
    rc = tpc_error(TPC_EINPUT, "--eps-rel %g is not in (0, 1)", o->eps_rel);
  else if (!s->np || s->np > SCALING_MAX_POINTS || !(o->lo > 0 && o->hi >= o->lo))
    rc = tpc_error(TPC_EINPUT, "the grid needs 0 < LO <= HI and 1 to %d points",
                   SCALING_MAX_POINTS);
  if (!rc) {
    s->input = calloc(nmethods, sizeof *s->input);
    s->specs = calloc(nmethods * s->np, sizeof *s->specs);
    s->pts = calloc(nmethods * s->np, sizeof *s->pts);
    s->fits = calloc(nmethods * TPC_SCALING_BITS_KINDS, sizeof *s->fits);
    if (!s->input || !s->specs || !s->pts || !s->fits)
      rc = tpc_error(TPC_ENOMEM, "scaling: out of memory");
  }
  if (!rc) rc = load_family(s, family);
  for (size_t m = 0; m < nmethods && !rc; m++) {
    snprintf(s->input[m], sizeof s->input[m], "%s", methods[m]);
    rc = load_method(s, m, methods[m]);
  }
  *status = rc;
  if (rc) {
    tpc_scaling_free(s);
    return NULL;
  }
  return s;
}

/* ---- presets ----------------------------------------------------------------- */

static const char *const twodirection_methods[] = {
    "twodirection(urandk(k=10),topk(k=1))", "ef21p_diana(urandk(k=10),topk(k=1))",
    "twodirection(identity,identity)"};

/* The cap: EF21-P + DIANA at kappa = 1e5 reaches eps in 6.1e6 rounds at
** its best step, 2^-4 / L- (measured: 51 s on one thread), and the scan
** runs the next halving, which needs about twice that, to see it cost
** more bits: 2e7 leaves a margin over both. */
#define TWODIRECTION_T 20000000

static const tpc_scaling_preset presets[] = {
    {"2direction",
     "2direction: the bidirectional setting of 2Direction's paper as a kappa scaling law\n"
     "(THEORY.md T11, T12): quad(d=100,n=10), T6's tridiagonal quadratic made mu-strongly\n"
     "convex by kappa=, from its x^0 = sqrt(d) e_1, kappa 1e2..1e5 (7 values); 2Direction\n"
     "twodirection(urandk(k=10),topk(k=1)) (RandK up, TopK down with server K = 1) against\n"
     "EF21-P + DIANA ef21p_diana(urandk(k=10),topk(k=1)) and AGD twodirection(identity,\n"
     "identity), the uncompressed reference; each at the best of the steps 2^0..2^-8 of\n"
     "1/L- (2Direction's Lbar = 1/gamma >= L-), run to f(x^t) - f* <= 1e-6 (f(x^0) - f*)\n"
     "or T rounds.  As in the paper the step is tuned over powers of two; the authors'\n"
     "scripts take d, n and K on the command line without recording them, so d = 100,\n"
     "n = 10, K = 10 are our choice; the paper plots f against bits for a fixed number\n"
     "of rounds where this stops at eps and fits the slope of the bits against kappa.",
     "quad(d=100,n=10)", twodirection_methods,
     sizeof twodirection_methods / sizeof *twodirection_methods, TPC_SCALING_KAPPA, 1e2, 1e5,
     7, TWODIRECTION_T, 1}};

const tpc_scaling_preset *tpc_scaling_preset_find(const char *name) {
  for (size_t i = 0; i < sizeof presets / sizeof *presets; i++)
    if (!strcmp(presets[i].name, name)) return &presets[i];
  return NULL;
}

void tpc_scaling_preset_opts(const tpc_scaling_preset *p, tpc_scaling_opts *o) {
  tpc_scaling_opts_init(o, p->var);
  o->lo = p->lo;
  o->hi = p->hi;
  o->npoints = p->npoints;
  o->T = p->T;
  o->step_grid = p->step_grid;
}

tpc_scaling_var tpc_scaling_variable(const tpc_scaling *s) { return s->o.var; }
size_t tpc_scaling_nmethods(const tpc_scaling *s) { return s->nm; }
size_t tpc_scaling_npoints(const tpc_scaling *s) { return s->np; }
const char *tpc_scaling_method(const tpc_scaling *s, size_t m) { return s->input[m]; }

const tpc_scaling_point *tpc_scaling_get_point(const tpc_scaling *s, size_t m, size_t k) {
  return point_at(s, m, k);
}

const tpc_scaling_fit *tpc_scaling_get_fit(const tpc_scaling *s, size_t m, tpc_scaling_bits b) {
  return &s->fits[m * TPC_SCALING_BITS_KINDS + b];
}

/* ---- runs ------------------------------------------------------------------ */

/* One point's method, built on its problem, and what its runs share. */
typedef struct point_run {
  tpc_scaling *s;
  tpc_scaling_point *pt;
  const tpc_problem *p;
  tpc_method *meth;
  tpc_mech_consts mc;
  tpc_method_info mi;
  double f_target;          /* f* + eps (f(x^0) - f*) */
  struct tpc_store *store;
  int64_t run_id;
  char label[64];
} point_run;

/* The first theorem of the catalogue whose step rule applies (a fixed step
** for a given T excluded: T is only a cap here), its step in *gamma; NULL
** and 1/L- without one. */
static const tpc_theorem *theory_step(const point_run *r, double *gamma) {
  tpc_theorem_env env;
  tpc_theorem_env_fill(&env, r->p, &r->mc, &r->mi);
  for (size_t i = 0; tpc_theorems[i]; i++) {
    const tpc_theorem *t = tpc_theorems[i];
    if (t->step_fixed || tpc_theorem_step_why_not(t, &env)) continue;
    *gamma = t->step(&env);
    if (*gamma > 0 && isfinite(*gamma)) return t;
  }
  *gamma = 1 / r->p->c.Lminus.value;
  return NULL;
}

/* f* + eps (f(x^0) - f*) at the problem's x^0. */
static int target_value(point_run *r) {
  double f0, fstar = r->p->c.finf.value;
  int rc = tpc_rate_start_value(r->p, TPC_ALG1_X0_PROBLEM, r->s->o.seed, &f0);
  if (!rc) r->f_target = fstar + r->s->o.eps_rel * (f0 - fstar);
  return rc;
}

/* What one run at step gamma gave. */
typedef struct run_bits {
  int reached;
  uint64_t iters;
  double up, down, up_paper, down_paper;
  int64_t check_id;
} run_bits;

static double total_bits(const run_bits *b) { return b->up + b->down; }

/* Run at step gamma to eps or the cap T and store it as a rate_checks row,
** f(x^t) at the model among its points (the report's convergence figure). */
static int run_at(point_run *r, double gamma, uint64_t T, run_bits *out) {
  const tpc_scaling_opts *so = &r->s->o;
  tpc_rate_opts o;
  tpc_rate_check c;
  tpc_rate_ids ids = {0, 0};
  tpc_rate_opts_init(&o);
  o.theorem = NULL;
  o.gamma = gamma;
  o.T = T;
  o.reps = 1;
  o.seed = so->seed;
  o.threads = so->threads;
  o.wire_check = so->wire_check;
  o.slack = 0;
  o.diverge = SCALING_DIVERGE;
  o.f_stop = 1;
  o.f_target = r->f_target;
  o.observe = 1;
  o.max_points = so->max_points;
  o.cancel = so->cancel;
  o.cancel_ctx = so->cancel_ctx;
  int rc = tpc_rate_prepare(r->p, &r->mc, &r->mi, &o, &c);
  if (!rc) rc = tpc_rate_run(r->meth, &o, &c);
  tpc_rate_row row = {.run_id = r->run_id, .experiment = "scaling", .label = r->label,
                      .problem = r->pt->problem, .method = r->pt->method};
  if (!rc) rc = tpc_rate_store(r->store, &row, r->p, &o, &c, &ids);
  if (!rc) {
    const tpc_alg1_result *res = &c.runs[0];
    double n = (double)r->p->n;
    *out = (run_bits){.reached = res->stop == TPC_ALG1_STOP_F, .iters = res->iters,
                      .up = (double)res->last.bits_up / n,
                      .down = (double)res->last.bits_down,
                      .up_paper = (double)res->last.bits_up_paper / n,
                      .down_paper = (double)res->last.bits_down_paper,
                      .check_id = ids.check_id};
  }
  tpc_rate_check_free(&c);
  return rc;
}

static void keep(tpc_scaling_point *pt, const run_bits *b, double gamma, double base) {
  pt->ran = 1;
  pt->gamma = gamma;
  pt->mult = gamma / base;
  pt->reached = b->reached;
  pt->iters = b->iters;
  pt->up = b->up;
  pt->down = b->down;
  pt->up_paper = b->up_paper;
  pt->down_paper = b->down_paper;
  pt->check_id = b->check_id;
}

static int cancelled(const tpc_scaling *s) {
  return s->o.cancel && s->o.cancel(s->o.cancel_ctx);
}

/* The multipliers 2^0, 2^-1, ... of base, down until a smaller one needs
** more bits than the best so far (a smaller stable step only takes more
** rounds) or one reached eps and the next does not. */
static int scan_grid(point_run *r, double base) {
  double best_bits = INFINITY;
  for (int k = 0; k <= r->s->o.grid_k && !cancelled(r->s); k++) {
    double gamma = ldexp(base, -k);
    run_bits b;
    int rc = run_at(r, gamma, r->s->o.T, &b);
    if (rc) return rc;
    if (b.reached && total_bits(&b) < best_bits) {
      keep(r->pt, &b, gamma, base);
      best_bits = total_bits(&b);
    } else if (k == 0) {
      keep(r->pt, &b, gamma, base); /* the record of a point that reaches nothing */
    } else if (r->pt->reached) {
      break;
    }
  }
  return TPC_OK;
}

/* A run that reached eps long before the cap kept only a few points (one
** every T / max_points rounds): run the kept step again with the cap just
** past its rounds, which repeats it bit for bit (the same streams) with
** max_points points, and keep that run as the point's. */
static int refine_point(point_run *r) {
  tpc_scaling_point *pt = r->pt;
  uint64_t T = pt->iters + 1;
  if (!pt->reached || r->s->o.T <= r->s->o.max_points || T >= r->s->o.T / 2) return TPC_OK;
  run_bits b;
  int rc = run_at(r, pt->gamma, T, &b);
  if (rc || cancelled(r->s)) return rc; /* interrupted: the first run stays the point's */
  if (!b.reached || b.iters != pt->iters || b.up != pt->up || b.down != pt->down)
    return tpc_error(TPC_EINTERNAL, "scaling: %s on %s at gamma %.17g: the run again with "
                     "T = %llu did not repeat itself", pt->method, pt->problem, pt->gamma,
                     (unsigned long long)T);
  pt->check_id = b.check_id;
  return TPC_OK;
}

/* The point: its step (the theorem's, or the grid's best) and its bits. */
static int run_point(tpc_scaling *s, size_t m, size_t k, struct tpc_store *store,
                     int64_t run_id) {
  point_run r = {.s = s, .pt = point_at(s, m, k), .p = point_problem(s, k),
                 .store = store, .run_id = run_id};
  char v[32];
  tpc_format_double(r.pt->value, v, sizeof v);
  snprintf(r.label, sizeof r.label, "%s=%s", tpc_scaling_var_name(s->o.var), v);
  int rc;
  r.meth = tpc_method_alloc(r.p, s->reg, s->specs[m * s->np + k], &rc);
  if (!r.meth) return rc;
  tpc_method_consts(r.meth, &r.mc);
  tpc_method_info_get(r.meth, &r.mi);
  double base;
  const tpc_theorem *t = theory_step(&r, &base);
  rc = target_value(&r);
  r.pt->grid = !t || s->o.step_grid;
  /* the grid scales 1/L-: a theorem's step is usually far below the
  ** largest that converges, and halving it only costs more rounds */
  if (r.pt->grid) base = 1 / r.p->c.Lminus.value;
  if (s->o.step_scale) base *= s->o.step_scale(r.pt->kappa);
  r.pt->theorem = r.pt->grid ? NULL : t->id;
  if (!rc && r.pt->grid) rc = scan_grid(&r, base);
  if (!rc && !r.pt->grid) {
    run_bits b;
    rc = run_at(&r, base, s->o.T, &b);
    if (!rc) keep(r.pt, &b, base, base);
  }
  if (!rc) rc = refine_point(&r);
  tpc_method_free(r.meth);
  return rc;
}

/* ---- fits and rows ---------------------------------------------------------- */

static double point_bits(const tpc_scaling_point *pt, tpc_scaling_bits b) {
  return b == TPC_SCALING_BITS_TOTAL  ? pt->up + pt->down
         : b == TPC_SCALING_BITS_UP   ? pt->up
         : b == TPC_SCALING_BITS_DOWN ? pt->down
                                      : pt->up_paper + pt->down_paper;
}

/* The slope of the formula over method m's grid: of the uplink's values
** (rounds times values per round) or, for the downlink, whose broadcast
** does not depend on the clients' compressor, of the rounds. */
static double formula_slope(const tpc_scaling *s, size_t m, tpc_scaling_bits b) {
  double fx[SCALING_MAX_POINTS], fy[SCALING_MAX_POINTS];
  for (size_t k = 0; k < s->np; k++) {
    const tpc_scaling_point *pt = point_at(s, m, k);
    fx[k] = pt->value;
    fy[k] = b == TPC_SCALING_BITS_DOWN ? pt->rounds : pt->formula;
  }
  return plain_slope(fx, fy, s->np);
}

/* Method m's fits: the reached points with positive bits. */
static void fit_method(tpc_scaling *s, size_t m) {
  const tpc_scaling_point *p0 = point_at(s, m, 0);
  int acc = p0->accelerated;
  for (int b = 0; b < TPC_SCALING_BITS_KINDS; b++) {
    double x[SCALING_MAX_POINTS], y[SCALING_MAX_POINTS];
    size_t n = 0;
    for (size_t k = 0; k < s->np; k++) {
      const tpc_scaling_point *pt = point_at(s, m, k);
      double bits = point_bits(pt, (tpc_scaling_bits)b);
      if (!pt->reached || !(bits > 0)) continue;
      x[n] = pt->value;
      y[n++] = bits;
    }
    tpc_scaling_fit *f = &s->fits[m * TPC_SCALING_BITS_KINDS + (size_t)b];
    double fslope = formula_slope(s, m, (tpc_scaling_bits)b);
    double pred = s->o.var == TPC_SCALING_OMEGA ? fslope : acc ? 0.5 : 1.0;
    tpc_scaling_fit_points(x, y, n, pred, f);
    f->formula_slope = fslope;
    f->prediction_rule = s->o.var == TPC_SCALING_OMEGA
                             ? (!strcmp(p0->formula_rule, "T11") ? "formula T11" : "formula T9.3")
                         : acc ? "accelerated: 1/2 (T11)"
                               : "non-accelerated: 1";
  }
}

static void bind_real(sqlite3_stmt *st, int i, double v) {
  if (isfinite(v))
    sqlite3_bind_double(st, i, v);
  else
    sqlite3_bind_null(st, i);
}

static int store_step(sqlite3 *db, sqlite3_stmt *st, const char *what) {
  int rc = sqlite3_step(st) == SQLITE_DONE
               ? TPC_OK
               : tpc_error(TPC_ESTORE, "scaling: inserting %s: %s", what, sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

static const char *const point_sql =
    "INSERT INTO scaling_points (run_id, family, problem, method, variable, value, kappa,"
    " omega, gamma, step_rule, theorem, mult, reached, iters, bits_up, bits_down, bits_total,"
    " bits_up_paper, bits_down_paper, bits_total_paper, check_id, method_arg)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static int store_point(const tpc_scaling *s, size_t m, const tpc_scaling_point *pt,
                       struct tpc_store *store, int64_t run_id) {
  sqlite3 *db = tpc_store_db(store);
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, point_sql, -1, &st, NULL) != SQLITE_OK)
    return tpc_error(TPC_ESTORE, "scaling: preparing a point: %s", sqlite3_errmsg(db));
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_text(st, 2, s->family, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, pt->problem, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, pt->method, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 5, tpc_scaling_var_name(s->o.var), -1, SQLITE_STATIC);
  bind_real(st, 6, pt->value);
  bind_real(st, 7, pt->kappa);
  bind_real(st, 8, pt->omega);
  bind_real(st, 9, pt->gamma);
  sqlite3_bind_text(st, 10, pt->grid ? "grid" : "theorem", -1, SQLITE_STATIC);
  if (pt->theorem)
    sqlite3_bind_text(st, 11, pt->theorem, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 11);
  bind_real(st, 12, pt->mult);
  sqlite3_bind_int(st, 13, pt->reached);
  sqlite3_bind_int64(st, 14, (sqlite3_int64)pt->iters);
  bind_real(st, 15, pt->up);
  bind_real(st, 16, pt->down);
  bind_real(st, 17, pt->up + pt->down);
  bind_real(st, 18, pt->up_paper);
  bind_real(st, 19, pt->down_paper);
  bind_real(st, 20, pt->up_paper + pt->down_paper);
  if (pt->check_id)
    sqlite3_bind_int64(st, 21, pt->check_id);
  else
    sqlite3_bind_null(st, 21);
  sqlite3_bind_text(st, 22, s->input[m], -1, SQLITE_TRANSIENT);
  return store_step(db, st, "a point");
}

static const char *const fit_sql =
    "INSERT INTO scaling_fits (run_id, method, variable, bits, npoints, intercept, slope, lo,"
    " hi, prediction, prediction_rule, formula_slope, verdict) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";

static int store_fit(const tpc_scaling *s, size_t m, tpc_scaling_bits b, struct tpc_store *store,
                     int64_t run_id) {
  sqlite3 *db = tpc_store_db(store);
  sqlite3_stmt *st;
  const tpc_scaling_fit *f = tpc_scaling_get_fit(s, m, b);
  if (sqlite3_prepare_v2(db, fit_sql, -1, &st, NULL) != SQLITE_OK)
    return tpc_error(TPC_ESTORE, "scaling: preparing a fit: %s", sqlite3_errmsg(db));
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_text(st, 2, s->input[m], -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, tpc_scaling_var_name(s->o.var), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, tpc_scaling_bits_name(b), -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, (sqlite3_int64)f->npoints);
  bind_real(st, 6, f->intercept);
  bind_real(st, 7, f->slope);
  bind_real(st, 8, f->lo);
  bind_real(st, 9, f->hi);
  bind_real(st, 10, f->prediction);
  sqlite3_bind_text(st, 11, f->prediction_rule, -1, SQLITE_STATIC);
  bind_real(st, 12, f->formula_slope);
  sqlite3_bind_text(st, 13, tpc_scaling_verdict_name(f->verdict), -1, SQLITE_STATIC);
  return store_step(db, st, "a fit");
}

/* ---- units --------------------------------------------------------------------- */

size_t tpc_scaling_nunits(const tpc_scaling *s) { return s->nm * s->np; }

int tpc_scaling_unit_run(tpc_scaling *s, size_t u, struct tpc_store *store, int64_t run_id) {
  size_t m = u / s->np, k = u % s->np;
  int rc = run_point(s, m, k, store, run_id);
  if (!rc && !cancelled(s)) rc = store_point(s, m, point_at(s, m, k), store, run_id);
  return rc;
}

/* What run_point found at a point, pointer-free (the theorem by its id):
** the bytes another process sends. */
typedef struct point_outcome {
  int32_t ran, grid, reached;
  char theorem[32];
  double gamma, mult, up, down, up_paper, down_paper;
  uint64_t iters;
  int64_t check_id;
} point_outcome;

int tpc_scaling_unit_result(const tpc_scaling *s, size_t u, void **bytes, size_t *len) {
  const tpc_scaling_point *pt = &s->pts[u];
  point_outcome *o = calloc(1, sizeof *o);
  if (!o) return tpc_error(TPC_ENOMEM, "scaling: out of memory");
  *o = (point_outcome){.ran = pt->ran, .grid = pt->grid, .reached = pt->reached,
                       .gamma = pt->gamma, .mult = pt->mult, .up = pt->up, .down = pt->down,
                       .up_paper = pt->up_paper, .down_paper = pt->down_paper,
                       .iters = pt->iters, .check_id = pt->check_id};
  snprintf(o->theorem, sizeof o->theorem, "%s", pt->theorem ? pt->theorem : "");
  *bytes = o;
  *len = sizeof *o;
  return TPC_OK;
}

int tpc_scaling_unit_take(tpc_scaling *s, size_t u, const void *bytes, size_t len,
                          int64_t check_shift) {
  point_outcome o;
  if (len != sizeof o) return tpc_error(TPC_EINTERNAL, "scaling: a point of %zu bytes", len);
  memcpy(&o, bytes, sizeof o);
  const tpc_theorem *t = o.theorem[0] ? tpc_theorem_find(o.theorem) : NULL;
  if (o.theorem[0] && !t)
    return tpc_error(TPC_EINTERNAL, "scaling: a point's theorem '%.31s' is unknown", o.theorem);
  tpc_scaling_point *pt = &s->pts[u];
  pt->ran = o.ran;
  pt->grid = o.grid;
  pt->reached = o.reached;
  pt->theorem = t ? t->id : NULL;
  pt->gamma = o.gamma;
  pt->mult = o.mult;
  pt->up = o.up;
  pt->down = o.down;
  pt->up_paper = o.up_paper;
  pt->down_paper = o.down_paper;
  pt->iters = o.iters;
  pt->check_id = o.check_id ? o.check_id + check_shift : 0;
  return TPC_OK;
}

int tpc_scaling_finish(tpc_scaling *s, struct tpc_store *store, int64_t run_id) {
  if (cancelled(s)) return TPC_OK;
  for (size_t m = 0; m < s->nm; m++) {
    fit_method(s, m);
    for (int b = 0; b < TPC_SCALING_BITS_KINDS; b++) {
      int rc = store_fit(s, m, (tpc_scaling_bits)b, store, run_id);
      if (rc) return rc;
    }
  }
  return TPC_OK;
}

int tpc_scaling_run(tpc_scaling *s, struct tpc_store *store, int64_t run_id) {
  size_t n = tpc_scaling_nunits(s);
  for (size_t u = 0; u < n && !cancelled(s); u++) {
    int rc = tpc_scaling_unit_run(s, u, store, run_id);
    if (rc) return rc;
    if (s->o.progress) s->o.progress(s->o.progress_ctx, u + 1, n);
  }
  return tpc_scaling_finish(s, store, run_id);
}
