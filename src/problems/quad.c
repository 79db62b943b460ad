/*
** quad(d=INT,n=INT,s=REAL,seed=INT): the paper's quadratic generator
** (THEORY.md T6), f_i(x) = 1/2 x^T A_i x - b_i^T x with
**
**   nu_i = 1 + s xi_i,  A_i = (nu_i/4) T + c I,  b_i = (nu_i/4)(-1 + s xi'_i) e_1,
**   T = tridiag(-1, 2, -1),  c = lambda - lambda_min((nubar/4) T),  lambda = 1e-6,
**
** xi_i, xi'_i standard normal, drawn in that order from the stream
** tpc_rng_stream(seed, TPC_PURPOSE_DATA, i) of client i (so client i's data
** do not depend on n), and x0 = sqrt(d) e_1.
**
** Storage is three numbers per client in spirit (nu_i, the shared shift c,
** the first entry of b_i): a gradient is one tridiagonal product, O(d), and
** quad(d=1000,n=100) holds 1.6 KB of data.
**
** The constants are exact in closed form: every A_i is a polynomial in T, so
** all share T's eigenvectors, and on the k-th one A_i acts as
** e_ik = nu_i t_k/4 + c with t_k = 2 - 2cos(k pi/(d+1)) = 4 sin^2(k pi/(2d+2)).
** Hence L- = max_k |nubar t_k/4 + c|, L+^2 = max_k mean_i e_ik^2,
** L+-^2 = max_k var_i(e_ik) = var(nu) t_d^2/16, mu = min_k (nubar t_k/4 + c)
** (= lambda = 1e-6 up to rounding), and f_inf = -1/2 bbar^T x* with
** Abar x* = bbar solved as a symmetric tridiagonal system.
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

#include "core/error.h"
#include "problems/internal.h"
#include "rng/pcg.h"

#define QUAD_LAMBDA 1e-6

typedef struct quad_priv {
  double *nu;  /* nu_i */
  double *b1;  /* first entry of b_i */
  double c;    /* the shift shared by every A_i */
} quad_priv;

static const char *const quad_keys[] = {"d", "n", "s", "seed", NULL};

/* (A_i x)_j = a (T x)_j + c x_j with a = nu_i/4, the same expression in grad
** and value so that both return f_i bit for bit. */
static inline double quad_row(const double *x, size_t j, size_t d, double a, double c) {
  double tx = 2.0 * x[j];
  if (j > 0) tx -= x[j - 1];
  if (j + 1 < d) tx -= x[j + 1];
  return a * tx + c * x[j];
}

/* x^T v in four partial sums over j mod 4, added at the end: four chains of
** additions instead of one, whose latency was a fifth of a quad(d=1000)
** iteration of Algorithm 1. */
static double quad_dot(const double *x, const double *v, size_t d) {
  double s[4] = {0.0, 0.0, 0.0, 0.0};
  size_t j = 0;
  for (; j + 4 <= d; j += 4)
    for (size_t l = 0; l < 4; l++) s[l] += x[j + l] * v[j + l];
  for (; j < d; j++) s[0] += x[j] * v[j];
  return (s[0] + s[1]) + (s[2] + s[3]);
}

/* f_i(x) = 1/2 x^T (A_i x) - b_i1 x_1, the sum in quad_dot's order. */
static double quad_eval(const tpc_problem *p, size_t i, const double *x) {
  const quad_priv *q = p->priv;
  const size_t d = p->d;
  const double a = q->nu[i] / 4.0, c = q->c;
  double s[4] = {0.0, 0.0, 0.0, 0.0};
  size_t j = 0;
  for (; j + 4 <= d; j += 4)
    for (size_t l = 0; l < 4; l++) s[l] += x[j + l] * quad_row(x, j + l, d, a, c);
  for (; j < d; j++) s[0] += x[j] * quad_row(x, j, d, a, c);
  return 0.5 * ((s[0] + s[1]) + (s[2] + s[3])) - q->b1[i] * x[0];
}

/* g = A_i x - b_i: the interior rows without branches, four at a time
** through a temporary (loads before stores, so they vectorize without alias
** checks), then f_i from g in the same order as quad_eval. */
static double quad_grad(const tpc_problem *p, size_t i, const double *x, double *g,
                        void *work) {
  (void)work;
  const quad_priv *q = p->priv;
  const size_t d = p->d;
  const double a = q->nu[i] / 4.0, c = q->c;
  g[0] = quad_row(x, 0, d, a, c);
  size_t j = 1;
  for (; j + 5 <= d; j += 4) {
    double t[4];
    for (size_t l = 0; l < 4; l++)
      t[l] = a * (2.0 * x[j + l] - x[j + l - 1] - x[j + l + 1]) + c * x[j + l];
    memcpy(g + j, t, sizeof t);
  }
  for (; j + 1 < d; j++) g[j] = a * (2.0 * x[j] - x[j - 1] - x[j + 1]) + c * x[j];
  if (d > 1) g[d - 1] = quad_row(x, d - 1, d, a, c);
  double xax = quad_dot(x, g, d);
  g[0] -= q->b1[i];
  return 0.5 * xax - q->b1[i] * x[0];
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
    q->nu[i] = 1.0 + s * xi;
    q->b1[i] = q->nu[i] / 4.0 * (-1.0 + s * xi2);
  }
  gsl_rng_free(r);
  return TPC_OK;
}

/* x* of Abar x* = bbar, Abar = (nubar/4) T + c I; returns f_inf = -1/2 bbar_1 x*_1. */
static int quad_finf(const tpc_problem *p, double nubar, double bbar1, double *finf) {
  const quad_priv *q = p->priv;
  size_t d = p->d;
  double diagv = nubar / 2.0 + q->c;
  if (d == 1) {
    *finf = -0.5 * bbar1 * (bbar1 / diagv);
    return TPC_OK;
  }
  gsl_vector *dg = gsl_vector_alloc(d), *off = gsl_vector_alloc(d - 1);
  gsl_vector *b = gsl_vector_calloc(d), *x = gsl_vector_alloc(d);
  int rc = TPC_OK;
  if (!dg || !off || !b || !x) {
    rc = tpc_error(TPC_ENOMEM, "out of memory solving for x* (d = %zu)", d);
  } else {
    gsl_vector_set_all(dg, diagv);
    gsl_vector_set_all(off, -nubar / 4.0);
    gsl_vector_set(b, 0, bbar1);
    int g = gsl_linalg_solve_symm_tridiag(dg, off, b, x);
    if (g)
      rc = tpc_error(TPC_EINTERNAL, "solving Abar x* = bbar failed: %s", gsl_strerror(g));
    else
      *finf = -0.5 * bbar1 * gsl_vector_get(x, 0);
  }
  gsl_vector_free(dg);
  gsl_vector_free(off);
  gsl_vector_free(b);
  gsl_vector_free(x);
  return rc;
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
  double t1 = tridiag_eig(1, d), td = tridiag_eig(d, d);
  q->c = QUAD_LAMBDA - fmin(nubar * t1 / 4.0, nubar * td / 4.0);
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
  double finf = 0.0;
  int rc = quad_finf(p, nubar, bbar1, &finf);
  p->c.finf = (tpc_const){.value = finf, .kind = TPC_CONST_EXACT};
  return rc;
}

static int quad_init(tpc_problem *p, const tpc_spec *s) {
  long d, n, seed;
  double sv;
  int rc = tpc_problem_param_int(s, "d", 1000, 1, 100000000L, &d);
  if (!rc) rc = tpc_problem_param_int(s, "n", 100, 1, 100000000L, &n);
  if (!rc) rc = tpc_problem_param_real(s, "s", 0.0, 0.0, 1e6, &sv);
  if (!rc) rc = tpc_problem_param_int(s, "seed", 1, 0, 9007199254740992L, &seed);
  if (rc) return rc;
  p->d = (size_t)d;
  p->n = (size_t)n;
  quad_priv *q = calloc(1, sizeof *q);
  if (!q) return tpc_error(TPC_ENOMEM, "out of memory");
  p->priv = q;
  q->nu = malloc(p->n * sizeof *q->nu);
  q->b1 = malloc(p->n * sizeof *q->b1);
  p->x0 = calloc(p->d, sizeof *p->x0);
  if (!q->nu || !q->b1 || !p->x0)
    return tpc_error(TPC_ENOMEM, "out of memory for d = %zu, n = %zu", p->d, p->n);
  p->x0[0] = sqrt((double)p->d);
  p->data_bytes = (2 * p->n + 1) * sizeof(double);
  rc = quad_generate(p, q, sv, (unsigned long)seed);
  return rc ? rc : quad_consts(p);
}

static void quad_destroy(tpc_problem *p) {
  quad_priv *q = p->priv;
  if (!q) return;
  free(q->nu);
  free(q->b1);
  free(q);
  p->priv = NULL;
}

const tpc_problem_type tpc_problem_quad = {
    .name = "quad",
    .synopsis = "quad(d=INT, n=INT, s=REAL, seed=INT)",
    .summary = "the paper's tridiagonal quadratic (T6); exact constants",
    .keys = quad_keys,
    .work_size = quad_work_size,
    .init = quad_init,
    .destroy = quad_destroy,
    .grad = quad_grad,
    .value = quad_value,
};
