/*
** A toy problem for the Algorithm 1 and rate tests: a separable quadratic
** f_i(x) = sum_j (a_ij x_j^2 / 2 - b_ij x_j) whose constants (T6) are known
** in closed form, so the tests do not depend on src/problems.
**
**   L-  = max_j abar_j            L+^2 = max_j mean_i a_ij^2
**   L+-^2 = max_j var_i a_ij      mu = min_j abar_j
**   f^inf = -(1/2) sum_j bbar_j^2 / abar_j
**
** (diagonal Hessians: every matrix in T6 is diagonal, so its extreme
** eigenvalues are its extreme entries).  `unknown` = 1 marks every constant
** UNKNOWN, as the autoencoder does.
*/
#ifndef TPC_TEST_RATE_TOY_H
#define TPC_TEST_RATE_TOY_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "methods/alg1.h"
#include "registry/registry.h"
#include "problems/problem.h"

typedef struct toy_data {
  double *a, *b;   /* n x d, row i is client i */
} toy_data;

static size_t toy_work_size(const tpc_problem *p) {
  (void)p;
  return 16;
}

static double toy_grad(const tpc_problem *p, size_t i, const double *x, double *g,
                       void *work) {
  const toy_data *t = p->priv;
  const double *a = t->a + i * p->d, *b = t->b + i * p->d;
  double f = 0;
  memset(work, 0, 16);
  for (size_t j = 0; j < p->d; j++) {
    g[j] = a[j] * x[j] - b[j];
    f += 0.5 * a[j] * x[j] * x[j] - b[j] * x[j];
  }
  return f;
}

static double toy_value(const tpc_problem *p, size_t i, const double *x, void *work) {
  const toy_data *t = p->priv;
  const double *a = t->a + i * p->d, *b = t->b + i * p->d;
  double f = 0;
  (void)work;
  for (size_t j = 0; j < p->d; j++) f += 0.5 * a[j] * x[j] * x[j] - b[j] * x[j];
  return f;
}

static void toy_destroy(tpc_problem *p) {
  toy_data *t = p->priv;
  if (t) {
    free(t->a);
    free(t->b);
    free(t);
  }
  free(p->x0);
}

static const tpc_problem_type toy_type = {
    .name = "toy",
    .synopsis = "toy",
    .summary = "separable quadratic for tests",
    .keys = NULL,
    .work_size = toy_work_size,
    .init = NULL,
    .destroy = toy_destroy,
    .grad = toy_grad,
    .value = toy_value,
};

static tpc_const toy_const(double v, int unknown) {
  tpc_const c = {v, unknown ? TPC_CONST_UNKNOWN : TPC_CONST_EXACT};
  return c;
}

/* a_ij in [1, 2.6] and b_ij in [-1, 1] by fixed patterns; x^0_j = 1 + j % 3.
** `spread` scales how much the a_ij differ between clients. */
static tpc_problem *toy_alloc(size_t d, size_t n, double spread, int unknown) {
  tpc_problem *p = calloc(1, sizeof *p);
  toy_data *t = calloc(1, sizeof *t);
  p->type = &toy_type;
  p->d = d;
  p->n = n;
  p->priv = t;
  t->a = malloc(n * d * sizeof(double));
  t->b = malloc(n * d * sizeof(double));
  p->x0 = malloc(d * sizeof(double));
  double Lm = 0, Lp2 = 0, Lpm2 = 0, mu = INFINITY, finf = 0;
  for (size_t j = 0; j < d; j++) {
    double s = 0, s2 = 0, sb = 0;
    for (size_t i = 0; i < n; i++) {
      double a = 1.0 + spread * 0.4 * (double)((i + 2 * j) % 5);
      double b = ((double)((i * 7 + j * 3) % 11) - 5.0) / 5.0;
      t->a[i * d + j] = a;
      t->b[i * d + j] = b;
      s += a;
      s2 += a * a;
      sb += b;
    }
    double abar = s / (double)n, bbar = sb / (double)n;
    Lm = fmax(Lm, abar);
    Lp2 = fmax(Lp2, s2 / (double)n);
    Lpm2 = fmax(Lpm2, s2 / (double)n - abar * abar);
    mu = fmin(mu, abar);
    finf -= 0.5 * bbar * bbar / abar;
    p->x0[j] = 1.0 + (double)(j % 3);
  }
  p->c.Lminus = toy_const(Lm, unknown);
  p->c.Lplus = toy_const(sqrt(Lp2), unknown);
  p->c.Lpm = toy_const(sqrt(fmax(Lpm2, 0)), unknown);
  p->c.mu = toy_const(mu, unknown);
  p->c.finf = toy_const(finf, unknown);
  p->data_bytes = 2 * n * d * sizeof(double);
  return p;
}

static void toy_free(tpc_problem *p) {
  toy_destroy(p);
  free(p);
}

/* The fixture both suites use: the registry and a toy problem (d = 42,
** n = 6), built before and freed after each test. */
static tpc_registry *reg;
static tpc_problem *toy;

static void setup(void) {
  reg = tpc_registry_alloc();
  toy = toy_alloc(42, 6, 1.0, 0);
  cr_assert(reg && toy);
}

/* The same with a toy of n d = TPC_ALG1_PAR_VALUES (d = 2048, n = 32), the
** smallest whose rounds Algorithm 1 runs in parallel: the tests comparing
** thread counts need it, since a smaller problem runs on one thread. */
static inline void setup_parallel(void) {
  reg = tpc_registry_alloc();
  toy = toy_alloc(TPC_ALG1_PAR_VALUES / 32, 32, 1.0, 0);
  cr_assert(reg && toy);
}

static void teardown(void) {
  tpc_registry_free(reg);
  toy_free(toy);
}

#endif
