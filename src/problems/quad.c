/*
** quad(d=INT,n=INT,s=REAL,seed=INT,convex=0|1,interp=0|1,lambda=REAL|kappa=REAL): the paper's
** quadratic generator (THEORY.md T6), f_i(x) = 1/2 x^T A_i x - b_i^T x with
**
**   nu_i = 1 + s xi_i,  A_i = (nu_i/4) T + c I,  b_i = (nu_i/4)(-1 + s xi'_i) e_1,
**   T = tridiag(-1, 2, -1),  c = lambda - lambda_min((nubar/4) T),  lambda = 1e-6,
**
** (lambda=REAL sets lambda, the strong convexity of f: the paper's 1e-6 by
** default, larger for well-conditioned problems whose linear rates show in
** a few hundred steps: THEORY.md T8, T9; kappa=REAL instead sets lambda so
** that f's condition number L-/mu is kappa exactly, for the scaling laws of
** THEORY.md T12: see quad_lambda_for_kappa),
**
** xi_i, xi'_i standard normal, drawn in that order from the stream
** tpc_rng_stream(seed, TPC_PURPOSE_DATA, i) of client i (so client i's data
** do not depend on n), and x0 = sqrt(d) e_1.
**
** Storage is three numbers per client in spirit (nu_i, the shared shift c,
** the first entry of b_i): a gradient is one tridiagonal product, O(d), and
** quad(d=1000,n=100) holds 1.6 KB of data.  Clients four at a time
** (grad_many, the kernel of quad_kern.h) share T x and c x.
**
** The constants are exact in closed form: every A_i is a polynomial in T, so
** all share T's eigenvectors, and on the k-th one A_i acts as
** e_ik = nu_i t_k/4 + c with t_k = 2 - 2cos(k pi/(d+1)) = 4 sin^2(k pi/(2d+2)).
** Hence L- = max_k |nubar t_k/4 + c|, L+^2 = max_k mean_i e_ik^2,
** L+-^2 = max_k var_i(e_ik) = var(nu) t_d^2/16, mu = min_k (nubar t_k/4 + c)
** (= lambda = 1e-6 up to rounding), and f_inf = -1/2 bbar^T x* with
** Abar x* = bbar solved as a symmetric tridiagonal system.
**
** convex=1 (THEORY.md T6, convex problems with exact optima) keeps every
** A_i positive definite: nu_i = |1 + s xi_i| (the same draws, folded at 0),
** and the shift c = lambda - min_i nu_i t_1/4 puts the smallest eigenvalue
** of every A_i at lambda or above (t_1 is T's smallest eigenvalue), so
** mu_i = min_i (nu_i t_1/4 + c) = lambda up to rounding and f's mu is
** nubar t_1/4 + c.  With s = 0 it is the default problem bit for bit.
** interp=1 (needs convex=1) plants a common minimiser: x*_j standard normal
** from the stream tpc_rng_stream(seed, TPC_PURPOSE_DATA, 2^40) (past any
** client's), and b_i = A_i x* (computed as (nu_i/4) T x* + c x*, the same
** expression as the gradient's A_i x, so grad f_i(x*) = 0 exactly).  Then
** f* = -1/2 x*^T Abar x*.  Storage: x* and T x* (2 d doubles) besides nu.
**
** Every problem: L_i = |A_i|_2 = max(|nu_i t_1/4 + c|, |nu_i t_d/4 + c|),
** exact; every f_i is convex exactly when every nu_i t_k/4 + c >= 0 (then
** mu_i is the smallest of them); f's strong convexity is mu above (Abar is
** positive definite by the shift).  x* solves Abar x* = bbar (a symmetric
** tridiagonal solve, gsl_linalg_solve_symm_tridiag), or is the planted one.
**
** The paper's second panel (T6: L+- ~ 6.58, L- ~ 0.77 at n = 100, d = 1000):
** quad(s=6.475,seed=377) gives L+- = 6.5800, L- = 0.7707, L+ = 6.6250.
** L+- = sd(nu) t_d/4 is linear in s while L- ~ |nubar| depends on the draw,
** so matching both needs the seed too; with the default seed 1, s = 7.254
** gives L+- = 6.58 but L- = 1.41.
*/
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/error.h"
#include "core/vec.h"
#include "problems/internal.h"
#include "problems/quad_kern.h"
#include "rng/pcg.h"

#define QUAD_LAMBDA 1e-6
#define QUAD_XSTAR_STREAM (UINT64_C(1) << 40)   /* interp's x*: past every client */

typedef struct quad_priv {
  double *nu;  /* nu_i */
  double *b1;  /* first entry of b_i */
  double c;    /* the shift shared by every A_i */
  double lambda;  /* f's strong convexity (the smallest eigenvalue of Abar) */
  double nubar, bbar1;   /* the means, for Abar x* = bbar */
  int convex;  /* nu_i folded at 0 and the shift of the convex option */
  double *xs;  /* interp: the planted x* (d values), else NULL */
  double *txs; /* interp: T x* */
  tpc_quad_ax_fn ax;  /* the gradient kernel for this CPU (TPC_KERNEL caps it) */
} quad_priv;

static const char *const quad_keys[] = {"d",      "n",      "s",     "seed", "convex",
                                        "interp", "lambda", "kappa", NULL};

/* The portable gradient kernel (quad_kern_source.c), two coordinates at a
** time; its qk_trow forms (T x)_j for every other use here too. */
#define QK_LANES 2
#define QK_NAME(f) tpc_quad_##f
#include "problems/quad_kern_source.c"
#undef QK_NAME
#undef QK_LANES

/* (A_i x)_j = a (T x)_j + c x_j with a = nu_i/4, the same expression in grad
** and value so that both return f_i bit for bit. */
static inline double quad_row(const double *x, size_t j, size_t d, double a, double c) {
  return a * qk_trow(x, j, d) + c * x[j];
}

/* b_i^T x: b_i1 x_1, or under interp sum_j (a (T x*)_j + c x*_j) x_j in
** four partial sums over j mod 4 (as every sum over j here), with b_i's
** entries as quad_b_sub forms them. */
static double quad_bx(const quad_priv *q, size_t i, const double *x, size_t d) {
  if (!q->xs) return q->b1[i] * x[0];
  const double a = q->nu[i] / 4.0, c = q->c;
  double s[4] = {0.0, 0.0, 0.0, 0.0};
  size_t j = 0;
  for (; j + 4 <= d; j += 4)
    for (size_t l = 0; l < 4; l++) s[l] += (a * q->txs[j + l] + c * q->xs[j + l]) * x[j + l];
  for (; j < d; j++) s[0] += (a * q->txs[j] + c * q->xs[j]) * x[j];
  return (s[0] + s[1]) + (s[2] + s[3]);
}

/* g -= b_i under interp (the kernel subtracts b_i = b1_i e_1 otherwise). */
static void quad_b_sub(const quad_priv *q, size_t i, double *g, size_t d) {
  const double a = q->nu[i] / 4.0, c = q->c;
  for (size_t j = 0; j < d; j++) g[j] -= a * q->txs[j] + c * q->xs[j];
}

/* f_i(x) = 1/2 x^T (A_i x) - b_i^T x, the sums in four partial sums over
** j mod 4, added at the end: four chains of additions instead of one. */
static double quad_eval(const tpc_problem *p, size_t i, const double *x) {
  const quad_priv *q = p->priv;
  const size_t d = p->d;
  const double a = q->nu[i] / 4.0, c = q->c;
  double s[4] = {0.0, 0.0, 0.0, 0.0};
  size_t j = 0;
  for (; j + 4 <= d; j += 4)
    for (size_t l = 0; l < 4; l++) s[l] += x[j + l] * quad_row(x, j + l, d, a, c);
  for (; j < d; j++) s[0] += x[j] * quad_row(x, j, d, a, c);
  return 0.5 * ((s[0] + s[1]) + (s[2] + s[3])) - quad_bx(q, i, x, d);
}

/* g = A_i x - b_i, f_i = 1/2 x^T A_i x - b_i^T x and |g|^2 for clients
** i0 .. i0 + count - 1, TPC_QUAD_GROUP at a time (one kernel call each, the
** last call taking the clients left), each as quad_eval orders its sums.
** b_i is e_1's multiple b1_i, which the kernel subtracts, or under interp
** a full vector, subtracted after it (and |g|^2 summed again). */
static void quad_grad_many(const tpc_problem *p, size_t i0, size_t count, const double *x,
                           double *const *g, double *f, double *g2, void *work) {
  (void)work;
  const quad_priv *q = p->priv;
  const size_t d = p->d;
  for (size_t k0 = 0; k0 < count; k0 += TPC_QUAD_GROUP) {
    size_t m = count - k0 < TPC_QUAD_GROUP ? count - k0 : TPC_QUAD_GROUP;
    double a[TPC_QUAD_GROUP], b0[TPC_QUAD_GROUP], xax[TPC_QUAD_GROUP];
    for (size_t k = 0; k < m; k++) {
      a[k] = q->nu[i0 + k0 + k] / 4.0;
      b0[k] = q->xs ? 0.0 : q->b1[i0 + k0 + k];
    }
    q->ax(a, b0, q->c, x, d, g + k0, xax, g2 + k0, m);
    for (size_t k = 0; k < m; k++) {
      f[k0 + k] = 0.5 * xax[k] - quad_bx(q, i0 + k0 + k, x, d);
      if (!q->xs) continue;
      quad_b_sub(q, i0 + k0 + k, g[k0 + k], d);
      g2[k0 + k] = tpc_vec_norm2_4(g[k0 + k], d);
    }
  }
}

static double quad_grad(const tpc_problem *p, size_t i, const double *x, double *g,
                        void *work) {
  double f, g2;
  quad_grad_many(p, i, 1, x, &g, &f, &g2, work);
  return f;
}

static double quad_value(const tpc_problem *p, size_t i, const double *x, void *work) {
  (void)work;
  return quad_eval(p, i, x);
}

static size_t quad_work_size(const tpc_problem *p) {
  (void)p;
  return 0;
}

/* k-th eigenvalue of tridiag(-1,2,-1) of order d, k = 1..d, in the form
** without cancellation for small k. */
static double tridiag_eig(size_t k, size_t d) {
  double s = sin((double)k * M_PI / (2.0 * (double)(d + 1)));
  return 4.0 * s * s;
}

/* Draw nu_i and b_i1 for every client. */
static int quad_generate(tpc_problem *p, quad_priv *q, double s, unsigned long seed) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_pcg64);
  if (!r) return tpc_error(TPC_ENOMEM, "out of memory allocating a generator");
  for (size_t i = 0; i < p->n; i++) {
    tpc_rng_stream(r, seed, TPC_PURPOSE_DATA, i);
    double xi = gsl_ran_ugaussian(r);
    double xi2 = gsl_ran_ugaussian(r);
    q->nu[i] = q->convex ? fabs(1.0 + s * xi) : 1.0 + s * xi;
    q->b1[i] = q->nu[i] / 4.0 * (-1.0 + s * xi2);
  }
  gsl_rng_free(r);
  return TPC_OK;
}

/* interp: the planted x* and T x*, (T x*)_j as qk_trow forms it, so that
** a (T x*)_j + c x*_j is bit for bit the gradient's (A_i x*)_j. */
static int quad_plant(tpc_problem *p, quad_priv *q, unsigned long seed) {
  size_t d = p->d;
  q->xs = malloc(d * sizeof *q->xs);
  q->txs = malloc(d * sizeof *q->txs);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_pcg64);
  if (!q->xs || !q->txs || !r) {
    gsl_rng_free(r);
    return tpc_error(TPC_ENOMEM, "out of memory for the planted x* (d = %zu)", d);
  }
  tpc_rng_stream(r, seed, TPC_PURPOSE_DATA, QUAD_XSTAR_STREAM);
  for (size_t j = 0; j < d; j++) q->xs[j] = gsl_ran_ugaussian(r);
  gsl_rng_free(r);
  for (size_t j = 0; j < d; j++) q->txs[j] = qk_trow(q->xs, j, d);
  return TPC_OK;
}

/* x of Abar x = bbar, Abar = (nubar/4) T + c I, bbar = bbar1 e_1 (without
** interp), by gsl_linalg_solve_symm_tridiag. */
static int quad_solve(const tpc_problem *p, double *xout) {
  const quad_priv *q = p->priv;
  size_t d = p->d;
  double diagv = q->nubar / 2.0 + q->c;
  if (d == 1) {
    xout[0] = q->bbar1 / diagv;
    return TPC_OK;
  }
  gsl_vector *dg = gsl_vector_alloc(d), *off = gsl_vector_alloc(d - 1);
  gsl_vector *b = gsl_vector_calloc(d);
  gsl_vector_view x = gsl_vector_view_array(xout, d);
  int rc = TPC_OK;
  if (!dg || !off || !b) {
    rc = tpc_error(TPC_ENOMEM, "out of memory solving for x* (d = %zu)", d);
  } else {
    gsl_vector_set_all(dg, diagv);
    gsl_vector_set_all(off, -q->nubar / 4.0);
    gsl_vector_set(b, 0, q->bbar1);
    int g = gsl_linalg_solve_symm_tridiag(dg, off, b, &x.vector);
    if (g) rc = tpc_error(TPC_EINTERNAL, "solving Abar x* = bbar failed: %s", gsl_strerror(g));
  }
  gsl_vector_free(dg);
  gsl_vector_free(off);
  gsl_vector_free(b);
  return rc;
}

/* f_inf = f(x*): -1/2 bbar_1 x*_1, or -1/2 x*^T Abar x* under interp. */
static int quad_finf(const tpc_problem *p, double *finf) {
  const quad_priv *q = p->priv;
  if (q->xs) {
    double s = 0.0;
    for (size_t j = 0; j < p->d; j++) s += q->xs[j] * (q->nubar / 4.0 * q->txs[j] + q->c * q->xs[j]);
    *finf = -0.5 * s;
    return TPC_OK;
  }
  double *x = malloc(p->d * sizeof *x);
  if (!x) return tpc_error(TPC_ENOMEM, "out of memory solving for x* (d = %zu)", p->d);
  int rc = quad_solve(p, x);
  if (!rc) *finf = -0.5 * q->bbar1 * x[0];
  free(x);
  return rc;
}

static int quad_optimum(const tpc_problem *p, double *x, tpc_const_kind *kind) {
  const quad_priv *q = p->priv;
  *kind = TPC_CONST_EXACT;
  if (!q->xs) return quad_solve(p, x);
  memcpy(x, q->xs, p->d * sizeof *x);
  return TPC_OK;
}

/* L_i, Lmax, convex and mu_i from each A_i's extreme eigenvalues
** nu_i t_k/4 + c, k = 1 and d (see the top of the file). */
static int quad_client_consts(tpc_problem *p, double t1, double td) {
  const quad_priv *q = p->priv;
  p->Li = malloc(p->n * sizeof *p->Li);
  if (!p->Li) return tpc_error(TPC_ENOMEM, "out of memory for n = %zu", p->n);
  double lmax = 0.0, mui = INFINITY;
  for (size_t i = 0; i < p->n; i++) {
    double e1 = q->nu[i] * t1 / 4.0 + q->c, ed = q->nu[i] * td / 4.0 + q->c;
    p->Li[i] = fmax(fabs(e1), fabs(ed));
    lmax = fmax(lmax, p->Li[i]);
    mui = fmin(mui, fmin(e1, ed));
  }
  p->c.Lmax = (tpc_const){.value = lmax, .kind = TPC_CONST_EXACT};
  p->c.convex = mui >= 0.0;
  p->c.mui = (tpc_const){.value = p->c.convex ? mui : 0.0,
                         .kind = p->c.convex ? TPC_CONST_EXACT : TPC_CONST_UNKNOWN};
  return TPC_OK;
}

static double quad_min_nu(const quad_priv *q, size_t n) {
  double m = INFINITY;
  for (size_t i = 0; i < n; i++) m = fmin(m, q->nu[i]);
  return m;
}

/* The lambda at which L-/mu = kappa.  f's eigenvalues are nubar t_k/4 + c,
** and the shift c of quad_consts is lambda minus a number that does not
** depend on lambda, so L- = lambda + top and mu = lambda + bottom with
**   default:  top = |nubar| (t_d - t_1)/4,   bottom = 0,
**   convex=1: top = (nubar t_d - min nu t_1)/4,  bottom = (nubar - min nu) t_1/4
** (every eigenvalue is at least lambda > 0, so L- is the largest).  Then
** L-/mu = kappa at lambda = (top - kappa bottom)/(kappa - 1), positive only
** for kappa < top/bottom: L-/mu falls from top/bottom (lambda -> 0) to 1. */
static int quad_lambda_for_kappa(const tpc_problem *p, const quad_priv *q, double kappa,
                                 size_t column, double *lambda) {
  double nubar = 0.0, t1 = tridiag_eig(1, p->d), td = tridiag_eig(p->d, p->d);
  for (size_t i = 0; i < p->n; i++) nubar += q->nu[i];
  nubar /= (double)p->n;
  double m = quad_min_nu(q, p->n);
  double top = q->convex ? (nubar * td - m * t1) / 4.0 : fabs(nubar) * (td - t1) / 4.0;
  double bottom = q->convex ? (nubar - m) * t1 / 4.0 : 0.0;
  *lambda = (top - kappa * bottom) / (kappa - 1.0);
  if (kappa > 1.0 && *lambda > 0.0 && isfinite(*lambda)) return TPC_OK;
  if (!(top > 0.0))
    return tpc_error(TPC_EINPUT, "column %zu: kappa=%g is out of reach: this problem's L-/mu "
                     "is 1 for every lambda (d = 1, or the mean nu is 0)", column, kappa);
  return tpc_error(TPC_EINPUT, "column %zu: kappa=%g is out of reach: with lambda > 0 this "
                   "problem's L-/mu lies in (1, %.6g) (its limit as lambda -> 0)",
                   column, kappa, bottom > 0.0 ? top / bottom : INFINITY);
}

/* The shift c and every constant, in closed form (see the top of the file). */
static int quad_consts(tpc_problem *p) {
  quad_priv *q = p->priv;
  size_t n = p->n, d = p->d;
  double nubar = 0.0, bbar1 = 0.0, var = 0.0;
  for (size_t i = 0; i < n; i++) {
    nubar += q->nu[i];
    bbar1 += q->b1[i];
  }
  nubar /= (double)n;
  bbar1 /= (double)n;
  for (size_t i = 0; i < n; i++) var += (q->nu[i] - nubar) * (q->nu[i] - nubar);
  var /= (double)n;
  q->nubar = nubar;
  q->bbar1 = bbar1;
  double t1 = tridiag_eig(1, d), td = tridiag_eig(d, d);
  q->c = q->convex ? q->lambda - quad_min_nu(q, n) * t1 / 4.0
                   : q->lambda - fmin(nubar * t1 / 4.0, nubar * td / 4.0);
  double lminus = 0.0, lplus2 = 0.0, mu = INFINITY;
  for (size_t k = 1; k <= d; k++) {
    double t = tridiag_eig(k, d), e = nubar * t / 4.0 + q->c;
    lminus = fmax(lminus, fabs(e));
    lplus2 = fmax(lplus2, var * t * t / 16.0 + e * e);
    mu = fmin(mu, e);
  }
  p->c.Lminus = (tpc_const){.value = lminus, .kind = TPC_CONST_EXACT};
  p->c.Lplus = (tpc_const){.value = sqrt(lplus2), .kind = TPC_CONST_EXACT};
  p->c.Lpm = (tpc_const){.value = sqrt(var) * td / 4.0, .kind = TPC_CONST_EXACT};
  p->c.mu = (tpc_const){.value = mu, .kind = TPC_CONST_EXACT};
  p->c.musc = p->c.mu;
  double finf = 0.0;
  int rc = quad_finf(p, &finf);
  p->c.finf = (tpc_const){.value = finf, .kind = TPC_CONST_EXACT};
  return rc ? rc : quad_client_consts(p, t1, td);
}

static int quad_init(tpc_problem *p, const tpc_spec *s) {
  long d, n, seed, convex, interp;
  double sv, lambda, kappa;
  int rc = tpc_problem_param_int(s, "d", 1000, 1, 100000000L, &d);
  if (!rc) rc = tpc_problem_param_int(s, "n", 100, 1, 100000000L, &n);
  if (!rc) rc = tpc_problem_param_real(s, "s", 0.0, 0.0, 1e6, &sv);
  if (!rc) rc = tpc_problem_param_int(s, "seed", 1, 0, 9007199254740992L, &seed);
  if (!rc) rc = tpc_problem_param_int(s, "convex", 0, 0, 1, &convex);
  if (!rc) rc = tpc_problem_param_int(s, "interp", 0, 0, 1, &interp);
  if (!rc) rc = tpc_problem_param_real(s, "lambda", QUAD_LAMBDA, 1e-300, 1e6, &lambda);
  if (!rc) rc = tpc_problem_param_real(s, "kappa", 0.0, 0.0, 1e300, &kappa);
  if (!rc && tpc_spec_param_find(s, "kappa") && tpc_spec_param_find(s, "lambda"))
    rc = tpc_error(TPC_EINPUT, "column %zu: kappa= and lambda= exclude each other (kappa "
                   "sets lambda)", s->pos + 1);
  if (!rc && interp && !convex)
    rc = tpc_error(TPC_EINPUT, "column %zu: interp=1 needs convex=1 (a common minimiser of "
                   "every f_i needs every f_i convex)", s->pos + 1);
  if (rc) return rc;
  p->d = (size_t)d;
  p->n = (size_t)n;
  quad_priv *q = calloc(1, sizeof *q);
  if (!q) return tpc_error(TPC_ENOMEM, "out of memory");
  p->priv = q;
  q->convex = (int)convex;
  q->lambda = lambda;
  q->ax = tpc_cpu_isa() >= TPC_ISA_AVX2 ? tpc_quad_ax_avx2 : tpc_quad_ax;
  q->nu = malloc(p->n * sizeof *q->nu);
  q->b1 = malloc(p->n * sizeof *q->b1);
  p->x0 = calloc(p->d, sizeof *p->x0);
  if (!q->nu || !q->b1 || !p->x0)
    return tpc_error(TPC_ENOMEM, "out of memory for d = %zu, n = %zu", p->d, p->n);
  p->x0[0] = sqrt((double)p->d);
  p->data_bytes = (2 * p->n + 1) * sizeof(double);
  rc = quad_generate(p, q, sv, (unsigned long)seed);
  if (!rc && interp) rc = quad_plant(p, q, (unsigned long)seed);
  if (!rc && tpc_spec_param_find(s, "kappa"))
    rc = quad_lambda_for_kappa(p, q, kappa, s->pos + 1, &q->lambda);
  if (interp) p->data_bytes += 2 * p->d * sizeof(double);
  return rc ? rc : quad_consts(p);
}

static void quad_destroy(tpc_problem *p) {
  quad_priv *q = p->priv;
  if (!q) return;
  free(q->nu);
  free(q->b1);
  free(q->xs);
  free(q->txs);
  free(q);
  p->priv = NULL;
}

const tpc_problem_type tpc_problem_quad = {
    .name = "quad",
    .synopsis = "quad(d=INT, n=INT, s=REAL, seed=INT, convex=0|1, interp=0|1, lambda=REAL "
                "| kappa=REAL)",
    .summary = "the paper's tridiagonal quadratic (T6); exact constants",
    .keys = quad_keys,
    .work_size = quad_work_size,
    .init = quad_init,
    .destroy = quad_destroy,
    .grad = quad_grad,
    .grad_many = quad_grad_many,
    .value = quad_value,
    .optimum = quad_optimum,
};
