/*
** Problems (src/problems): gradients against central differences, the exact
** quadratic constants against dense GSL eigen-solvers and the closed forms,
** f(x*) = f_inf, the logistic-regression bounds against power iteration,
** its blocked gradient against the row-by-row definition (bit for bit) and
** its element-wise kernels against libm and each other,
** LibSVM and IDX loading (plain and gzip, written by the tests into a
** temporary folder), and every bad-input case with the line or byte at fault.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <float.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort_vector.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/error.h"
#include "core/cpu.h"
#include "core/vec.h"
#include "problems/logreg_kern.h"
#include "problems/quad_kern.h"
#include "problems/problem.h"
#include "rng/pcg.h"
#include "spec/spec.h"
#include "kernel_env.h"

/* ---- helpers ------------------------------------------------------------- */

/* Build a problem from spec text; NULL with *status on failure. */
static tpc_problem *build(const char *text, int *status) {
  tpc_spec *s = NULL;
  int rc = tpc_spec_parse(text, &s);
  cr_assert(eq(int, rc, TPC_OK), "spec '%s': %s", text, tpc_error_msg());
  tpc_problem *p = tpc_problem_alloc(s, status);
  tpc_spec_free(s);
  return p;
}

static tpc_problem *build_ok(const char *text) {
  int st = -1;
  tpc_problem *p = build(text, &st);
  cr_assert(p != NULL && st == TPC_OK, "'%s' failed: %s", text, tpc_error_msg());
  return p;
}

/* Expect TPC_EINPUT and a message containing `want`. */
static void expect_einput(const char *text, const char *want) {
  int st = -1;
  tpc_problem *p = build(text, &st);
  cr_assert(p == NULL, "'%s' should fail", text);
  cr_assert(eq(int, st, TPC_EINPUT), "'%s': status %d: %s", text, st, tpc_error_msg());
  cr_assert(strstr(tpc_error_msg(), want) != NULL, "'%s': message '%s' lacks '%s'", text,
            tpc_error_msg(), want);
}

static void *work_alloc(const tpc_problem *p) {
  void *w = malloc(tpc_problem_work_size(p));
  cr_assert(w != NULL);
  return w;
}

/* Compare grad f_i at x with central differences along `ncoord` coordinates
** (all when ncoord >= d).  |error| <= tol * (1 + |g_j|). */
static void check_grad_fd(const tpc_problem *p, size_t i, const double *x, double h,
                          double tol, size_t ncoord) {
  size_t d = p->d;
  double *g = malloc(d * sizeof *g), *y = malloc(d * sizeof *y);
  void *w = work_alloc(p);
  double f = p->type->grad(p, i, x, g, w);
  cr_assert(ieee_ulp_eq(dbl, f, p->type->value(p, i, x, w), 0),
            "grad and value return the same f_i");
  memcpy(y, x, d * sizeof *y);
  size_t step = ncoord >= d ? 1 : d / ncoord;
  for (size_t j = 0; j < d; j += step) {
    y[j] = x[j] + h;
    double fp = p->type->value(p, i, y, w);
    y[j] = x[j] - h;
    double fm = p->type->value(p, i, y, w);
    y[j] = x[j];
    double fd = (fp - fm) / (2 * h);
    cr_assert(le(dbl, fabs(fd - g[j]), tol * (1 + fabs(g[j]))),
              "client %zu coordinate %zu: grad %.12g, central difference %.12g", i, j, g[j],
              fd);
  }
  free(g);
  free(y);
  free(w);
}

/* The dense A_i of a quadratic from its gradients: column j = grad(e_j) - grad(0). */
static double *dense_hessian(const tpc_problem *p, size_t i) {
  size_t d = p->d;
  double *a = malloc(d * d * sizeof *a), *x = calloc(d, sizeof *x);
  double *g0 = malloc(d * sizeof *g0), *g = malloc(d * sizeof *g);
  void *w = work_alloc(p);
  p->type->grad(p, i, x, g0, w);
  for (size_t j = 0; j < d; j++) {
    x[j] = 1;
    p->type->grad(p, i, x, g, w);
    x[j] = 0;
    for (size_t k = 0; k < d; k++) a[k * d + j] = g[k] - g0[k];
  }
  free(x);
  free(g0);
  free(g);
  free(w);
  return a;
}

/* Eigenvalues of the symmetric d x d matrix a (copied), ascending. */
static void eigvals(const double *a, size_t d, double *ev) {
  gsl_matrix *m = gsl_matrix_alloc(d, d);
  memcpy(m->data, a, d * d * sizeof *a);
  gsl_vector_view v = gsl_vector_view_array(ev, d);
  gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(d);
  cr_assert(eq(int, gsl_eigen_symm(m, &v.vector, ws), 0));
  gsl_sort_vector(&v.vector);
  gsl_eigen_symm_free(ws);
  gsl_matrix_free(m);
}

static void matmul(const double *a, const double *b, double *c, size_t d) {
  for (size_t i = 0; i < d; i++)
    for (size_t j = 0; j < d; j++) {
      double s = 0;
      for (size_t k = 0; k < d; k++) s += a[i * d + k] * b[k * d + j];
      c[i * d + j] = s;
    }
}

/* The T6 constants of any quadratic problem from dense matrices: L-, L+, L+-,
** lambda_min(Abar), and Abar, bbar for solving. */
typedef struct dense_consts {
  double lminus, lplus, lpm, lmin;
  double *abar, *bbar;
} dense_consts;

static dense_consts dense_quad_consts(const tpc_problem *p) {
  size_t d = p->d, n = p->n, dd = d * d;
  double *abar = calloc(dd, sizeof *abar), *m2 = calloc(dd, sizeof *m2);
  double *sq = malloc(dd * sizeof *sq), *ev = malloc(d * sizeof *ev);
  double *bbar = calloc(d, sizeof *bbar), *x = calloc(d, sizeof *x), *g = malloc(d * sizeof *g);
  void *w = work_alloc(p);
  for (size_t i = 0; i < n; i++) {
    double *a = dense_hessian(p, i);
    matmul(a, a, sq, d);
    for (size_t k = 0; k < dd; k++) {
      abar[k] += a[k] / (double)n;
      m2[k] += sq[k] / (double)n;
    }
    p->type->grad(p, i, x, g, w);   /* grad f_i(0) = -b_i */
    for (size_t k = 0; k < d; k++) bbar[k] -= g[k] / (double)n;
    free(a);
  }
  dense_consts c = {.abar = abar, .bbar = bbar};
  eigvals(abar, d, ev);
  c.lminus = fmax(fabs(ev[0]), fabs(ev[d - 1]));
  c.lmin = ev[0];
  eigvals(m2, d, ev);
  c.lplus = sqrt(ev[d - 1]);
  matmul(abar, abar, sq, d);
  for (size_t k = 0; k < dd; k++) m2[k] -= sq[k];
  eigvals(m2, d, ev);
  c.lpm = sqrt(fmax(ev[d - 1], 0));
  free(m2);
  free(sq);
  free(ev);
  free(x);
  free(g);
  free(w);
  return c;
}

/* x* = Abar^{-1} bbar by Cholesky (Abar positive definite). */
static double *dense_solve(const dense_consts *c, size_t d) {
  gsl_matrix *m = gsl_matrix_alloc(d, d);
  memcpy(m->data, c->abar, d * d * sizeof(double));
  double *xs = malloc(d * sizeof *xs);
  gsl_vector_view b = gsl_vector_view_array(c->bbar, d), x = gsl_vector_view_array(xs, d);
  cr_assert(eq(int, gsl_linalg_cholesky_decomp1(m), 0));
  cr_assert(eq(int, gsl_linalg_cholesky_solve(m, &b.vector, &x.vector), 0));
  gsl_matrix_free(m);
  return xs;
}

static double norm2(const double *x, size_t d) {
  double s = 0;
  for (size_t j = 0; j < d; j++) s += x[j] * x[j];
  return sqrt(s);
}

/* ---- quad ---------------------------------------------------------------- */

Test(problems_quad, gradient_matches_central_differences) {
  tpc_problem *p = build_ok("quad(d=40,n=3,s=2,seed=5)");
  gsl_rng *r = tpc_rng_alloc_stream(1, TPC_PURPOSE_TEST, 0);
  double x[40];
  for (size_t j = 0; j < 40; j++) x[j] = gsl_ran_gaussian(r, 2.0);
  /* f_i is quadratic, so the central difference has no truncation error; its
  ** rounding error is about eps |f_i| / h ~ 1e-16 * 100 / 1e-3 = 1e-11. */
  for (size_t i = 0; i < p->n; i++) check_grad_fd(p, i, x, 1e-3, 1e-8, 40);
  gsl_rng_free(r);
  tpc_problem_free(p);
}

Test(problems_quad, constants_match_dense_eigen_solvers) {
  const char *specs[] = {"quad(d=12,n=5,s=3,seed=7)", "quad(d=9,n=4,s=0.5,seed=2)",
                         "quad(d=15,n=6,s=20,seed=3)", "quad(d=1,n=3,s=1)",
                         "quad(d=12,n=5,s=3,seed=7,lambda=0.25)"};
  double lambda[] = {1e-6, 1e-6, 1e-6, 1e-6, 0.25};
  for (size_t t = 0; t < sizeof specs / sizeof *specs; t++) {
    tpc_problem *p = build_ok(specs[t]);
    dense_consts c = dense_quad_consts(p);
    /* Dense symmetric eigenvalues carry an absolute error of a few d eps
    ** ||M||; with ||M|| <= 400 (s = 20) that is < 1e-11. */
    double scale = 1 + p->c.Lplus.value * p->c.Lplus.value;
    cr_assert(epsilon_eq(dbl, p->c.Lminus.value, c.lminus, 1e-12 * scale), "%s L-", specs[t]);
    cr_assert(epsilon_eq(dbl, p->c.Lplus.value, c.lplus, 1e-12 * scale), "%s L+", specs[t]);
    /* L+- = sqrt(lambda_max(M2 - Abar^2)): the square root amplifies the
    ** subtraction's ~d eps ||M2|| error near 0, hence sqrt(1e-12 scale). */
    cr_assert(epsilon_eq(dbl, p->c.Lpm.value, c.lpm, sqrt(1e-12 * scale)), "%s L+-", specs[t]);
    cr_assert(epsilon_eq(dbl, p->c.mu.value, c.lmin, 1e-12 * scale), "%s mu", specs[t]);
    cr_assert(epsilon_eq(dbl, p->c.mu.value, lambda[t], 1e-12 * scale),
              "%s: the shift puts lambda_min(Abar) at lambda", specs[t]);
    cr_assert(eq(int, p->c.Lminus.kind, TPC_CONST_EXACT));
    cr_assert(eq(int, p->c.Lplus.kind, TPC_CONST_EXACT));
    cr_assert(eq(int, p->c.Lpm.kind, TPC_CONST_EXACT));
    cr_assert(eq(int, p->c.mu.kind, TPC_CONST_EXACT));
    cr_assert(eq(int, p->c.finf.kind, TPC_CONST_EXACT));
    free(c.abar);
    free(c.bbar);
    tpc_problem_free(p);
  }
}

Test(problems_quad, finf_is_attained_at_the_solution) {
  tpc_problem *p = build_ok("quad(d=200,n=10,s=3,seed=4)");
  size_t d = p->d;
  dense_consts c = dense_quad_consts(p);
  double *xs = dense_solve(&c, d), *g = malloc(d * sizeof *g), *gt = malloc(d * sizeof *gt);
  void *w = work_alloc(p);
  double f = tpc_problem_full_grad(p, xs, g, gt, w);
  /* Cholesky is backward stable: the residual is ~ d eps ||Abar|| ||x*|| and
  ** ||x*|| <= ||bbar|| / mu = 1e6 ||bbar||, so ||grad f(x*)|| <~ 1e-7 ||bbar||. */
  cr_assert(le(dbl, norm2(g, d), 1e-6 * norm2(c.bbar, d)), "|grad f(x*)| = %g",
            norm2(g, d));
  /* f(x̂) - f* = 1/2 r^T Abar^{-1} r is negligible; evaluating f at |x| ~ 1e6
  ** loses ~ d eps |x^T A x| relative to |f*| = 1/2 |x^T A x|. */
  cr_assert(epsilon_eq(dbl, f, p->c.finf.value, 1e-9 * fabs(p->c.finf.value)),
            "f(x*) = %.15g, f_inf = %.15g", f, p->c.finf.value);
  double f0 = tpc_problem_full_grad(p, p->x0, g, gt, w);
  cr_assert(lt(dbl, p->c.finf.value, f0), "f_inf is below f(x0)");
  free(xs);
  free(g);
  free(gt);
  free(w);
  free(c.abar);
  free(c.bbar);
  tpc_problem_free(p);
}

Test(problems_quad, defaults_and_the_homogeneous_case) {
  tpc_problem *p = build_ok("quad");
  cr_assert(eq(sz, p->d, 1000));
  cr_assert(eq(sz, p->n, 100));
  cr_assert(ieee_ulp_eq(dbl, p->x0[0], sqrt(1000.0), 0), "x0 = sqrt(d) e_1");
  for (size_t j = 1; j < p->d; j++) cr_assert(eq(dbl, p->x0[j], 0.0));
  /* s = 0: all A_i equal, so L+- = 0 and L+ = L-; L- = t_d/4 + c with
  ** t_d/4 = cos^2(pi/(2d+2)) = 1 - 2.5e-6 and c = 1e-6 - sin^2(pi/(2d+2)). */
  cr_assert(eq(dbl, p->c.Lpm.value, 0.0));
  cr_assert(ieee_ulp_eq(dbl, p->c.Lplus.value, p->c.Lminus.value, 4));
  double sn = sin(M_PI / 2002.0), cs = cos(M_PI / 2002.0);
  cr_assert(epsilon_eq(dbl, p->c.Lminus.value, cs * cs + 1e-6 - sn * sn, 1e-14));
  cr_assert(epsilon_eq(dbl, p->c.mu.value, 1e-6, 1e-15));
  cr_assert(eq(sz, p->data_bytes, (2 * 100 + 1) * sizeof(double)));
  tpc_problem_free(p);
}

Test(problems_quad, closed_forms_at_d_1000) {
  /* The closed forms against their definitions at the paper's size: L+- =
  ** sqrt(var nu) t_d / 4, where var nu is recomputed here from the gradients
  ** (grad f_i(e_2) - grad f_i(0) has entry 2 equal to nu_i/2 + c). */
  tpc_problem *p = build_ok("quad(d=1000,n=100,s=6.475,seed=377)");
  double *x = calloc(p->d, sizeof *x), *g = malloc(p->d * sizeof *g);
  double *g0 = malloc(p->d * sizeof *g0), nu[100], mean = 0, var = 0;
  void *w = work_alloc(p);
  for (size_t i = 0; i < 100; i++) {
    x[1] = 0;
    p->type->grad(p, i, x, g0, w);
    x[1] = 1;
    p->type->grad(p, i, x, g, w);
    /* -(g[0] - g0[0]) = nu_i/4: the off-diagonal entry, free of the shift. */
    nu[i] = -4 * (g[0] - g0[0]);
    mean += nu[i] / 100;
  }
  for (size_t i = 0; i < 100; i++) var += (nu[i] - mean) * (nu[i] - mean) / 100;
  double td = 4 * pow(sin(1000 * M_PI / 2002.0), 2);
  cr_assert(epsilon_eq(dbl, p->c.Lpm.value, sqrt(var) * td / 4, 1e-12 * p->c.Lpm.value));
  /* The paper's second panel (T6): L+- ~ 6.58 and L- ~ 0.77 at n = 100. */
  cr_assert(epsilon_eq(dbl, p->c.Lpm.value, 6.58, 0.005), "L+- = %g", p->c.Lpm.value);
  cr_assert(epsilon_eq(dbl, p->c.Lminus.value, 0.77, 0.005), "L- = %g", p->c.Lminus.value);
  cr_assert(le(dbl, p->c.Lminus.value, p->c.Lplus.value), "L- <= L+ (T5)");
  free(x);
  free(g);
  free(g0);
  free(w);
  tpc_problem_free(p);
}

/* kappa= sets lambda in closed form: L-/mu, both computed by quad_consts
** from the eigenvalues, is kappa up to rounding.  The worst case is mu
** formed as nubar t_1/4 + c, whose rounding (an ulp of nubar t_1/4 ~ 1e-3)
** is a few 1e-14 of mu = 1e-5 at kappa = 1e5: 1e-12 has room. */
Test(problems_quad, kappa_sets_the_condition_number_exactly) {
  const char *families[] = {"quad(d=50,n=5,s=0", "quad(d=30,n=6,s=3,seed=2",
                            "quad(d=40,n=8,s=0.3,seed=4,convex=1"};
  const double kappas[] = {1.5, 10, 1e3, 1e5};
  for (size_t f = 0; f < 3; f++)
    for (size_t k = 0; k < 4; k++) {
      /* convex=1 reaches L-/mu < (nubar t_d - min nu t_1)/((nubar - min nu) t_1): 1895 here */
      if (f == 2 && kappas[k] > 1e3) continue;
      char text[128];
      snprintf(text, sizeof text, "%s,kappa=%g)", families[f], kappas[k]);
      tpc_problem *p = build_ok(text);
      double ratio = p->c.Lminus.value / p->c.mu.value;
      cr_assert(epsilon_eq(dbl, ratio, kappas[k], 1e-12 * kappas[k]), "%s: L-/mu = %.17g", text,
                ratio);
      tpc_problem_free(p);
    }
}

Test(problems_quad, kappa_out_of_reach_or_with_lambda_is_bad_input) {
  expect_einput("quad(d=10,n=2,kappa=10,lambda=0.1)", "exclude each other");
  expect_einput("quad(d=10,n=2,kappa=1)", "out of reach");
  expect_einput("quad(d=1,n=2,kappa=10)", "is 1 for every lambda");
  /* convex=1 with s > 0: L-/mu < top/bottom, named in the message */
  expect_einput("quad(d=40,n=8,s=0.3,seed=4,convex=1,kappa=1e9)", "lies in (1, ");
}

Test(problems_quad, same_spec_same_problem_and_full_grad_is_the_mean) {
  tpc_problem *a = build_ok("quad(d=30,n=4,s=1.5,seed=9)");
  tpc_problem *b = build_ok("quad(seed=9,s=1.5,n=4,d=30)");
  tpc_problem *c = build_ok("quad(d=30,n=4,s=1.5,seed=10)");
  double x[30], g[30], gb[30], gt[30], gi[30], mean[30] = {0}, fmean = 0;
  for (size_t j = 0; j < 30; j++) x[j] = cos((double)j);
  void *w = work_alloc(a);
  double fa = tpc_problem_full_grad(a, x, g, gt, w);
  double fb = tpc_problem_full_grad(b, x, gb, gt, w);
  cr_assert(eq(int, memcmp(g, gb, sizeof g), 0), "bit-identical for the same spec");
  cr_assert(ieee_ulp_eq(dbl, fa, fb, 0));
  cr_assert(not(ieee_ulp_eq(dbl, fa, tpc_problem_full_grad(c, x, gb, gt, w), 0)),
            "another seed, another problem");
  for (size_t i = 0; i < 4; i++) {
    fmean += a->type->grad(a, i, x, gi, w) / 4;
    for (size_t j = 0; j < 30; j++) mean[j] += gi[j] / 4;
  }
  /* The same sums in a different association: a few ulps. */
  cr_assert(epsilon_eq(dbl, fa, fmean, 1e-13 * (1 + fabs(fa))));
  for (size_t j = 0; j < 30; j++)
    cr_assert(epsilon_eq(dbl, g[j], mean[j], 1e-13 * (1 + fabs(g[j]))));
  free(w);
  tpc_problem_free(a);
  tpc_problem_free(b);
  tpc_problem_free(c);
}

/* Clients grouped four at a time share T x and sum side by side: every
** gradient and value is still the one grad and value give alone, bit for
** bit, at every d (the first and last rows of T, the tail past a multiple
** of four), every count (groups cut short) and every variant, each norm is
** tpc_vec_norm2_4's; and the portable kernel gives the AVX2 one's bits. */
Test(problems_quad, grad_many_is_grad_bit_for_bit) {
  static const char *const variants[] = {"", ",s=1.3,seed=5", ",s=1,convex=1,interp=1"};
  static const size_t dims[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 1000};
  enum { N = 11 };
  for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
    for (size_t t = 0; t < sizeof dims / sizeof *dims; t++) {
      char spec[96];
      snprintf(spec, sizeof spec, "quad(d=%zu,n=%d%s)", dims[t], N, variants[v]);
      char saved[32];
      test_kernel_push("scalar", saved);
      tpc_problem *ps = build_ok(spec);
      test_kernel_pop(saved);
      tpc_problem *p = build_ok(spec);
      size_t d = p->d;
      double *x = malloc(d * sizeof *x), *g1 = malloc(d * sizeof *g1);
      double *gm = malloc(N * d * sizeof *gm), f[N], g2[N], *gp[N];
      for (size_t j = 0; j < d; j++) x[j] = 3.0 * sin(1.7 * (double)j + 0.3) - 0.5;
      for (size_t i = 0; i < N; i++) gp[i] = gm + i * d;
      void *w = work_alloc(p);
      for (size_t count = 1; count <= N; count++) {
        size_t i0 = N - count;
        tpc_problem_grad_many(p, i0, count, x, gp, f, g2, w);
        for (size_t k = 0; k < count; k++) {
          cr_assert(ieee_ulp_eq(dbl, g2[k], tpc_vec_norm2_4(gp[k], d), 0), "%s count %zu", spec,
                    count);
          double fk = p->type->grad(p, i0 + k, x, g1, w);
          cr_assert(ieee_ulp_eq(dbl, f[k], fk, 0), "%s count %zu client %zu", spec, count,
                    i0 + k);
          cr_assert(ieee_ulp_eq(dbl, p->type->value(p, i0 + k, x, w), fk, 0), "%s", spec);
          cr_assert(eq(int, memcmp(gp[k], g1, d * sizeof *g1), 0), "%s count %zu client %zu",
                    spec, count, i0 + k);
          cr_assert(ieee_ulp_eq(dbl, ps->type->grad(ps, i0 + k, x, g1, w), fk, 0), "%s", spec);
          cr_assert(eq(int, memcmp(gp[k], g1, d * sizeof *g1), 0), "%s: portable kernel", spec);
        }
      }
      free(w);
      free(x);
      free(g1);
      free(gm);
      tpc_problem_free(p);
      tpc_problem_free(ps);
    }
  }
}

/* A kernel call of 1 to TPC_QUAD_GROUP clients computes exactly those:
** each client's g, x^T A x and |g|^2 are its own call's alone, bit for bit,
** and nothing is written past the group (a call for two or three clients
** once ran four, its last client repeated, or only the first). */
static void quad_kernel_groups_check(tpc_quad_ax_fn ax, const char *name) {
  enum { D = 13 };
  const double a[TPC_QUAD_GROUP] = {0.3, -1.7, 2.25, 0.8}, b0[TPC_QUAD_GROUP] = {1, -2, 0.5, 3};
  double x[D], one[D], many[TPC_QUAD_GROUP][D + 1];
  for (size_t j = 0; j < D; j++) x[j] = cos(0.9 * (double)j) - 0.2;
  for (size_t group = 1; group <= TPC_QUAD_GROUP; group++) {
    double *g[TPC_QUAD_GROUP], xax[TPC_QUAD_GROUP], g2[TPC_QUAD_GROUP];
    for (size_t k = 0; k < TPC_QUAD_GROUP; k++) {
      for (size_t j = 0; j <= D; j++) many[k][j] = -7.0; /* a poison value */
      g[k] = many[k];
    }
    ax(a, b0, 0.125, x, D, g, xax, g2, group);
    for (size_t k = 0; k < TPC_QUAD_GROUP; k++) {
      double *g1[1] = {one}, xax1, g21;
      ax(a + k, b0 + k, 0.125, x, D, g1, &xax1, &g21, 1);
      int written = k < group;
      cr_assert(eq(int, memcmp(many[k], one, sizeof one) == 0, written), "%s group %zu client %zu",
                name, group, k);
      cr_assert(eq(dbl, many[k][D], -7.0), "%s: written past d", name);
      if (!written) continue;
      cr_assert(ieee_ulp_eq(dbl, xax[k], xax1, 0), "%s group %zu client %zu", name, group, k);
      cr_assert(ieee_ulp_eq(dbl, g2[k], g21, 0), "%s group %zu client %zu", name, group, k);
      cr_assert(ieee_ulp_eq(dbl, g21, tpc_vec_norm2_4(one, D), 0), "%s", name);
    }
  }
}

Test(problems_quad, kernel_takes_every_group_size) {
  quad_kernel_groups_check(tpc_quad_ax, "portable");
  if (tpc_cpu_supports(TPC_ISA_AVX2)) quad_kernel_groups_check(tpc_quad_ax_avx2, "avx2");
}

/* ---- spec checks ----------------------------------------------------------- */

Test(problems_spec, bad_specs_name_the_column) {
  expect_einput("nosuch(d=3)", "column 1: unknown problem 'nosuch'");
  expect_einput("quad(e=3)",
                "has no parameter 'e' (it takes: d, n, s, seed, convex, interp, lambda, kappa)");
  expect_einput("quad(d=\"big\")", "expects a number for 'd'");
  expect_einput("quad(d=0)", "d must be an integer in [1, ");
  expect_einput("quad(n=2.5)", "n must be an integer");
  expect_einput("quad(s=-1)", "s must be in [0, ");
  expect_einput("quad(topk(k=1))", "takes no nested specs");
  cr_assert(eq(ptr, (void *)tpc_problem_type_find("nosuch"), NULL));
  cr_assert(eq(str, (char *)tpc_problem_type_find("quad")->name, "quad"));
  for (size_t i = 0; tpc_builtin_problems[i]; i++)
    cr_assert(eq(ptr, (void *)tpc_problem_type_find(tpc_builtin_problems[i]->name),
                 (void *)tpc_builtin_problems[i]));
}

/* ---- temporary files ------------------------------------------------------ */

static char tmpdir[64];

static void tmp_setup(void) {
  strcpy(tmpdir, "/tmp/tpc_problems_XXXXXX");
  cr_assert(mkdtemp(tmpdir) != NULL);
}

static void tmp_teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  cr_assert(eq(int, system(cmd), 0));
}

/* Write `len` bytes to tmpdir/name, gzip-compressed when gz; returns the path
** (static buffer per slot). */
static const char *write_bytes(const char *name, const void *data, size_t len, int gz) {
  static char paths[8][128];
  static int slot;
  char *path = paths[slot++ % 8];
  snprintf(path, 128, "%s/%s", tmpdir, name);
  if (gz) {
    gzFile f = gzopen(path, "wb");
    cr_assert(f != NULL);
    cr_assert(eq(int, gzwrite(f, data, (unsigned)len), (int)len));
    cr_assert(eq(int, gzclose(f), Z_OK));
  } else {
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL);
    cr_assert(eq(sz, fwrite(data, 1, len, f), len));
    cr_assert(eq(int, fclose(f), 0));
  }
  return path;
}

static const char *write_text(const char *name, const char *text, int gz) {
  return write_bytes(name, text, strlen(text), gz);
}

/* Build "type(file="path"extra)". */
static tpc_problem *build_file(const char *type, const char *path, const char *extra,
                               int *status) {
  char spec[512];
  snprintf(spec, sizeof spec, "%s(file=\"%s\"%s)", type, path, extra);
  return build(spec, status);
}

static tpc_problem *build_file_ok(const char *type, const char *path, const char *extra) {
  int st = -1;
  tpc_problem *p = build_file(type, path, extra, &st);
  cr_assert(p != NULL, "%s(%s%s): %s", type, path, extra, tpc_error_msg());
  return p;
}

/* `type` on a file with `text` must fail with TPC_EINPUT mentioning `want`. */
static void expect_file_einput(const char *type, const char *text, const char *extra,
                               const char *want) {
  const char *path = write_text("bad.txt", text, 0);
  int st = -1;
  tpc_problem *p = build_file(type, path, extra, &st);
  cr_assert(p == NULL, "should fail: %s", text);
  cr_assert(eq(int, st, TPC_EINPUT), "status %d: %s", st, tpc_error_msg());
  cr_assert(strstr(tpc_error_msg(), want) != NULL, "message '%s' lacks '%s'", tpc_error_msg(),
            want);
}

/* `type` on the file at path must fail with TPC_EINPUT mentioning `want`. */
static void expect_path_einput(const char *type, const char *path, const char *extra,
                               const char *want) {
  int st = -1;
  tpc_problem *p = build_file(type, path, extra, &st);
  cr_assert(p == NULL, "%s(%s%s) should fail", type, path, extra);
  cr_assert(eq(int, st, TPC_EINPUT), "%s: status %d: %s", path, st, tpc_error_msg());
  cr_assert(strstr(tpc_error_msg(), want) != NULL, "message '%s' lacks '%s'", tpc_error_msg(),
            want);
}

/* ---- quadfile -------------------------------------------------------------- */

/* A random symmetric banded quadratic file (bandwidth w; w = d - 1 dense),
** written in both storages when both is set; returns the text. */
static char *quad_text(size_t d, size_t n, size_t w, int dense, double shift, uint64_t seed) {
  gsl_rng *r = tpc_rng_alloc_stream(seed, TPC_PURPOSE_TEST, 1);
  size_t cap = 64 + n * (d * d + d + 2) * 26;
  char *t = malloc(cap), *e = t;
  if (dense) e += sprintf(e, "quadfile d=%zu n=%zu storage=dense\n", d, n);
  else e += sprintf(e, "# test\nquadfile d=%zu n=%zu storage=banded bandwidth=%zu\n", d, n, w);
  double *a = malloc(d * d * sizeof *a);
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < d; j++)
      for (size_t k = j; k < d; k++) {
        double v = k - j <= w ? gsl_ran_gaussian(r, 1.0) : 0.0;
        if (k == j) v += shift;
        a[j * d + k] = a[k * d + j] = v;
      }
    e += sprintf(e, "client %zu\n", i + 1);
    for (size_t j = 0; j < d; j++) {
      size_t lo = dense ? 0 : (j > w ? j - w : 0), hi = dense ? d - 1 : (j + w < d ? j + w : d - 1);
      for (size_t k = lo; k <= hi; k++) e += sprintf(e, "%s%.17g", k > lo ? " " : "", a[j * d + k]);
      e += sprintf(e, "  # row %zu\n", j + 1);
    }
    for (size_t j = 0; j < d; j++) e += sprintf(e, "%.17g ", gsl_ran_gaussian(r, 1.0));
    e += sprintf(e, "\n\n");
  }
  free(a);
  gsl_rng_free(r);
  return t;
}

static void check_quadfile_consts(const tpc_problem *p) {
  dense_consts c = dense_quad_consts(p);
  double scale = 1 + p->c.Lplus.value * p->c.Lplus.value;
  cr_assert(epsilon_eq(dbl, p->c.Lminus.value, c.lminus, 1e-11 * scale));
  cr_assert(epsilon_eq(dbl, p->c.Lplus.value, c.lplus, 1e-11 * scale));
  cr_assert(epsilon_eq(dbl, p->c.Lpm.value, c.lpm, sqrt(1e-11 * scale)));
  if (p->c.mu.kind == TPC_CONST_EXACT) {
    cr_assert(epsilon_eq(dbl, p->c.mu.value, c.lmin, 1e-11 * scale));
    double *xs = dense_solve(&c, p->d), *g = malloc(p->d * 8), *gt = malloc(p->d * 8);
    void *w = work_alloc(p);
    double f = tpc_problem_full_grad(p, xs, g, gt, w);
    /* Well-conditioned here (shifted to lambda_min >= 1): a few ulps of |f|. */
    cr_assert(epsilon_eq(dbl, f, p->c.finf.value, 1e-10 * (1 + fabs(f))));
    cr_assert(le(dbl, norm2(g, p->d), 1e-9 * (1 + norm2(c.bbar, p->d))));
    free(xs);
    free(g);
    free(gt);
    free(w);
  }
  free(c.abar);
  free(c.bbar);
}

Test(problems_quadfile, banded_and_dense_agree_with_dense_eigen, .init = tmp_setup,
     .fini = tmp_teardown) {
  /* w = 1 at d = 30 takes the band-product path, w = 3 at d = 9 the BLAS path. */
  size_t cases[][3] = {{30, 3, 1}, {9, 4, 3}};
  for (size_t t = 0; t < 2; t++) {
    size_t d = cases[t][0], n = cases[t][1], w = cases[t][2];
    /* Shift 2w + 4 > the Gershgorin radius of most draws: Abar positive definite. */
    char *tb = quad_text(d, n, w, 0, 2.0 * (double)w + 4, 11 + t);
    char *td = quad_text(d, n, w, 1, 2.0 * (double)w + 4, 11 + t);
    tpc_problem *pb = build_file_ok("quadfile", write_text("b.txt", tb, 0), "");
    tpc_problem *pd = build_file_ok("quadfile", write_text("d.txt.gz", td, 1), "");
    cr_assert(eq(sz, pb->d, d));
    cr_assert(eq(sz, pb->n, n));
    cr_assert(eq(int, pb->c.mu.kind, TPC_CONST_EXACT), "Abar is positive definite");
    check_quadfile_consts(pb);
    check_quadfile_consts(pd);
    double x[30], gb[30], gd[30];
    for (size_t j = 0; j < d; j++) x[j] = sin((double)j + 1);
    for (size_t i = 0; i < n; i++) {
      double fb = pb->type->grad(pb, i, x, gb, NULL), fd = pd->type->grad(pd, i, x, gd, NULL);
      /* The dense rows add exact zeros to the same sums: identical values. */
      cr_assert(ieee_ulp_eq(dbl, fb, fd, 0));
      for (size_t j = 0; j < d; j++) cr_assert(ieee_ulp_eq(dbl, gb[j] + 0.0, gd[j] + 0.0, 0));
      check_grad_fd(pb, i, x, 1e-3, 1e-8, d);
    }
    cr_assert(eq(sz, pd->data_bytes, n * (d * d + d) * sizeof(double)));
    free(tb);
    free(td);
    tpc_problem_free(pb);
    tpc_problem_free(pd);
  }
}

Test(problems_quadfile, indefinite_clients_and_singular_mean, .init = tmp_setup,
     .fini = tmp_teardown) {
  /* A_1 = diag(1, -1), A_2 = diag(3, 5): clients indefinite, Abar = diag(2, 2):
  ** L- = 2, L+^2 = max((1+9)/2, (1+25)/2) = 13, L+-^2 = max(5-4, 13-4) = 9. */
  tpc_problem *p = build_file_ok("quadfile",
                                 write_text("q.txt",
                                            "quadfile d=2 n=2 storage=banded bandwidth=0\n"
                                            "client 1\n1\n-1\n1 1\nclient 2\n3\n5\n-1 3\n",
                                            0),
                                 "");
  cr_assert(ieee_ulp_eq(dbl, p->c.Lminus.value, 2.0, 4));
  cr_assert(ieee_ulp_eq(dbl, p->c.Lplus.value, sqrt(13.0), 4));
  cr_assert(ieee_ulp_eq(dbl, p->c.Lpm.value, 3.0, 4));
  cr_assert(ieee_ulp_eq(dbl, p->c.mu.value, 2.0, 4));
  /* bbar = (0, 2): x* = (0, 1), f_inf = -1/2 bbar^T x* = -1. */
  cr_assert(ieee_ulp_eq(dbl, p->c.finf.value, -1.0, 4));
  tpc_problem_free(p);
  /* Abar = diag(1, 0): singular, so mu and f_inf are unknown. */
  p = build_file_ok("quadfile",
                    write_text("s.txt", "quadfile d=2 n=1 storage=dense\nclient 1\n1 0\n0 0\n1 0\n",
                               0),
                    "");
  cr_assert(eq(int, p->c.mu.kind, TPC_CONST_UNKNOWN));
  cr_assert(eq(int, p->c.finf.kind, TPC_CONST_UNKNOWN));
  cr_assert(eq(int, p->c.Lminus.kind, TPC_CONST_EXACT));
  cr_assert(ieee_ulp_eq(dbl, p->c.Lminus.value, 1.0, 4));
  tpc_problem_free(p);
}

Test(problems_quadfile, bad_files_name_the_line, .init = tmp_setup, .fini = tmp_teardown) {
  const char *hd = "quadfile d=2 n=1 storage=dense\n";
  char t[512];
  expect_file_einput("quadfile", "", "", "is empty");
  expect_file_einput("quadfile", "# only a comment\n\n", "", "is empty");
  expect_file_einput("quadfile", "quad d=2 n=1 storage=dense\n", "", "line 1: expected 'quadfile");
  expect_file_einput("quadfile", "quadfile d=2 n=1\n", "", "line 1: the header needs");
  expect_file_einput("quadfile", "quadfile d=2 n=1 storage=banded\n", "", "line 1: the header");
  expect_file_einput("quadfile", "quadfile d=0 n=1 storage=dense\n", "", "line 1: d must be");
  expect_file_einput("quadfile", "quadfile d=2 n=1 storage=dense foo=1\n", "",
                     "line 1: unknown header item 'foo=1'");
  expect_file_einput("quadfile", "quadfile d=2 n=1 storage=banded bandwidth=2\n", "",
                     "bandwidth 2 must be below d = 2");
  snprintf(t, sizeof t, "%sclient 2\n", hd);
  expect_file_einput("quadfile", t, "", "line 2: expected 'client 1'");
  snprintf(t, sizeof t, "%sclient 1\n1 0\n0 x1\n", hd);
  expect_file_einput("quadfile", t, "", "line 4: bad number 'x1' in row 2 of A_1");
  snprintf(t, sizeof t, "%sclient 1\n1 0\n0 1 2\n", hd);
  expect_file_einput("quadfile", t, "", "line 4: row 2 of A_1 needs 2 numbers, got 3");
  snprintf(t, sizeof t, "%sclient 1\n1 nan\n0 1\n", hd);
  expect_file_einput("quadfile", t, "", "line 3: number 2 of row 1 of A_1 is not finite");
  snprintf(t, sizeof t, "%sclient 1\n1 inf\n0 1\n", hd);
  expect_file_einput("quadfile", t, "", "line 3: number 2 of row 1 of A_1 is not finite");
  snprintf(t, sizeof t, "%sclient 1\n1 0.5\n\n# c\n0.25 1\n1 1\n", hd);
  expect_file_einput("quadfile", t, "", "line 6: A_1 is not symmetric: A[1][2] = 0.5");
  snprintf(t, sizeof t, "%sclient 1\n1 0\n0 1\n", hd);
  expect_file_einput("quadfile", t, "", "ends after line 4: expected b_1");
  snprintf(t, sizeof t, "%sclient 1\n1 0\n0 1\n1 1\nclient 2\n", hd);
  expect_file_einput("quadfile", t, "", "line 6: content after the last client");
  snprintf(t, sizeof t, "%sclient 1\n1 0\n0 -1\n1 1\n", hd);
  expect_file_einput("quadfile", t, "", "f is unbounded below");
  expect_einput("quadfile(file=\"/nonexistent/q.txt\")", "cannot open '/nonexistent/q.txt'");
  expect_einput("quadfile(file=3)", "expects a text for 'file'");
  expect_einput("quadfile", "file=... is required");
}

/* A header announcing more than the file holds: d = 8192 and 10^8 clients
** would be 5 * 10^16 bytes of coefficients, the file holds one row.  Plain or
** gzip, that is a short file (exit 2), not an allocation failure. */
Test(problems_quadfile, lying_header_is_a_short_file, .init = tmp_setup,
     .fini = tmp_teardown) {
  size_t d = 8192;
  char *t = malloc(64 + 2 * d), *e = t;
  e += sprintf(e, "quadfile d=%zu n=100000000 storage=dense\nclient 1\n1", d);
  for (size_t k = 1; k < d; k++) e += sprintf(e, " 0");
  sprintf(e, "\n");
  for (int gz = 0; gz < 2; gz++)
    expect_path_einput("quadfile", write_text(gz ? "lie.txt.gz" : "lie.txt", t, gz), "",
                       "ends after line 3: expected row 2 of A_1 (the header announces d = "
                       "8192, n = 100000000)");
  free(t);
  const char *two = "quadfile d=2 n=100000000 storage=dense\nclient 1\n1 0\n0 1\n1 1\n";
  for (int gz = 0; gz < 2; gz++)
    expect_path_einput("quadfile", write_text(gz ? "n.txt.gz" : "n.txt", two, gz), "",
                       "ends after line 5: expected 'client 2' (the header announces d = 2, "
                       "n = 100000000)");
}

/* Finite values whose constants overflow are bad data, named with the
** constant and the largest value: A = 1e308 I squares to +inf (L+); two
** clients of 1.5e308 I sum to +inf (L-); b = 1e300 over A = 1e-300 I makes
** b^T A^{-1} b overflow (f_inf). */
Test(problems_quadfile, overflowing_constants_are_bad_input, .init = tmp_setup,
     .fini = tmp_teardown) {
  const char *hd = "quadfile d=2 n=1 storage=dense\nclient 1\n";
  char t[512];
  snprintf(t, sizeof t, "%s1e308 0\n0 1e308\n1 1\n", hd);
  expect_file_einput("quadfile", t, "",
                     "L+ overflows (the data's values are too large: largest |value| 1e+308, "
                     "line 3)");
  snprintf(t, sizeof t, "quadfile d=2 n=2 storage=banded bandwidth=0\nclient 1\n1.5e308\n1\n"
           "0 0\nclient 2\n1.5e308\n1\n0 0\n");
  expect_file_einput("quadfile", t, "", "L- overflows (the data's values are too large: "
                     "largest |value| 1.5e+308, line 3)");
  snprintf(t, sizeof t, "%s1e-300 0\n0 1e-300\n1 1e300\n", hd);
  expect_file_einput("quadfile", t, "", "f_inf overflows (the data's values are too large: "
                     "largest |value| 1e+300, line 5)");
  /* Large values whose constants fit load: L- = L+ = mu = 1e150. */
  snprintf(t, sizeof t, "%s1e150 0\n0 1e150\n1 1\n", hd);
  tpc_problem *p = build_file_ok("quadfile", write_text("ok.txt", t, 0), "");
  cr_assert(ieee_ulp_eq(dbl, p->c.Lminus.value, 1e150, 4));
  cr_assert(ieee_ulp_eq(dbl, p->c.Lplus.value, 1e150, 4));
  cr_assert(ieee_ulp_eq(dbl, p->c.mu.value, 1e150, 4));
  tpc_problem_free(p);
}

/* ---- logreg ------------------------------------------------------------------ */

/* Seven rows, d = 4, labels 0/1 (0 -> -1); with n = 3 the blocks are rows
** {0,1}, {2,3}, {4,5,6} (remainder to the last client). */
#define LR_ROWS 7
static const char *lr_text =
    "1 1:0.5 3:-1.2\n"
    "0 2:1 4:0.3\n"
    "\n"
    "1 1:-0.7 2:0.4 4:1.5\r\n"
    "0\t3:2   \n"
    "1 1:1 2:1 3:1 4:1\n"
    "0 1:-0.3 4:-0.9\n"
    "1 2:0.8\n";
static const double lr_a[LR_ROWS][4] = {{0.5, 0, -1.2, 0}, {0, 1, 0, 0.3}, {-0.7, 0.4, 0, 1.5},
                                        {0, 0, 2, 0},      {1, 1, 1, 1},   {-0.3, 0, 0, -0.9},
                                        {0, 0.8, 0, 0}};
static const double lr_y[LR_ROWS] = {1, -1, 1, -1, 1, -1, 1};

/* f_i by the definition, in long double. */
static double lr_expected(size_t r0, size_t r1, const double *x, double lambda) {
  long double loss = 0, reg = 0;
  for (size_t r = r0; r < r1; r++) {
    long double z = 0;
    for (size_t k = 0; k < 4; k++) z += (long double)lr_a[r][k] * x[k];
    loss += log1pl(expl(-lr_y[r] * z));
  }
  for (size_t k = 0; k < 4; k++) reg += (long double)x[k] * x[k] / (1 + (long double)x[k] * x[k]);
  return (double)(loss / (long double)(r1 - r0) + lambda * reg);
}

Test(problems_logreg, values_labels_and_split, .init = tmp_setup, .fini = tmp_teardown) {
  tpc_problem *p = build_file_ok("logreg", write_text("t.txt", lr_text, 0), ",n=3,lambda=0.25");
  tpc_problem *pz = build_file_ok("logreg", write_text("t.txt.gz", lr_text, 1), ",n=3,lambda=0.25");
  /* The same rows with labels -1/+1 and 1/2: the smaller value is -1. */
  char alt[512], alt2[512];
  const char *src = lr_text;
  char *e = alt, *e2 = alt2;
  for (int bol = 1; *src; src++) {
    if (bol && *src == '0') {
      e += sprintf(e, "-1");
      *e2++ = '1';
    } else if (bol && *src == '1') {
      e += sprintf(e, "+1");
      *e2++ = '2';
    } else {
      *e++ = *src;
      *e2++ = *src;
    }
    bol = *src == '\n';
  }
  *e = *e2 = '\0';
  tpc_problem *pa = build_file_ok("logreg", write_text("a.txt", alt, 0), ",n=3,lambda=0.25");
  tpc_problem *pb = build_file_ok("logreg", write_text("b.txt", alt2, 0), ",n=3,lambda=0.25");
  cr_assert(eq(sz, p->d, 4));
  cr_assert(eq(sz, p->n, 3));
  size_t blocks[4] = {0, 2, 4, 7};
  double x[4] = {0.3, -1.1, 0.7, 2.0}, g[4];
  for (size_t i = 0; i < 3; i++) {
    double want = lr_expected(blocks[i], blocks[i + 1], x, 0.25);
    double f = p->type->grad(p, i, x, g, NULL);
    /* A handful of roundings on O(1) terms. */
    cr_assert(epsilon_eq(dbl, f, want, 1e-14), "client %zu: %.17g vs %.17g", i, f, want);
    cr_assert(ieee_ulp_eq(dbl, pz->type->value(pz, i, x, NULL), f, 0), "gzip reads the same");
    cr_assert(ieee_ulp_eq(dbl, pa->type->value(pa, i, x, NULL), f, 0), "-1/+1 labels");
    cr_assert(ieee_ulp_eq(dbl, pb->type->value(pb, i, x, NULL), f, 0), "1/2 labels");
    /* Smooth: central differences with h = 1e-5 err by h^2 |f'''|/6 + eps|f|/h ~ 1e-10. */
    check_grad_fd(p, i, x, 1e-5, 1e-8, 4);
  }
  for (size_t j = 0; j < 4; j++) cr_assert(eq(dbl, p->x0[j], 0.0), "x0 = 0");
  cr_assert(eq(int, p->c.finf.kind, TPC_CONST_BOUND));
  cr_assert(eq(dbl, p->c.finf.value, 0.0));
  cr_assert(eq(int, p->c.mu.kind, TPC_CONST_UNKNOWN));
  /* 15 stored entries (4-byte index + 8-byte value), 8 row offsets, 7 labels. */
  cr_assert(eq(sz, p->data_bytes, 15 * 12 + 8 * sizeof(size_t) + 7));
  tpc_problem_free(p);
  tpc_problem_free(pz);
  tpc_problem_free(pa);
  tpc_problem_free(pb);
}

/* A LibSVM text of `rows` rows over d = 40 features: row r has (7r mod 13)
** entries (empty rows included) at increasing indices, the last one of row 1
** at 40 so that d = 40, values of both signs and magnitudes 0.01 to 5, labels
** 0/1.  The rows also go to a (dense, rows x 40) and y (-1/+1). */
static char *lr_random_text(size_t rows, double *a, double *y) {
  char *text = malloc(rows * (12 * 40 + 4) + 1), *e = text;
  gsl_rng *rng = tpc_rng_alloc_stream(5, TPC_PURPOSE_DATA, 0);
  memset(a, 0, rows * 40 * sizeof *a);
  for (size_t r = 0; r < rows; r++) {
    y[r] = gsl_rng_uniform(rng) < 0.5 ? -1 : 1;
    e += sprintf(e, "%d", y[r] > 0 ? 1 : 0);
    size_t len = 7 * r % 13, col = 0;
    for (size_t k = 0; k < len; k++) {
      col = r == 1 && k + 1 == len ? 40 : col + 1 + gsl_rng_uniform_int(rng, 3);
      double v = (gsl_rng_uniform(rng) < 0.5 ? -1 : 1) *
                 (0.01 + 5 * gsl_rng_uniform(rng) * gsl_rng_uniform(rng));
      e += sprintf(e, " %zu:%.17g", col, v);
      a[r * 40 + col - 1] = v;
    }
    *e++ = '\n';
  }
  *e = '\0';
  gsl_rng_free(rng);
  return text;
}

/* The gradient by the definition, row by row with libm's exp and log1p (the
** formulas before the blocked kernel); returns f_i. */
static double lr_reference(const double *a, const double *y, size_t r0, size_t r1,
                           const double *x, double lambda, double *g) {
  double loss = 0;
  memset(g, 0, 40 * sizeof *g);
  for (size_t r = r0; r < r1; r++) {
    double z = 0;
    for (size_t k = 0; k < 40; k++)
      if (a[r * 40 + k] != 0) z += a[r * 40 + k] * x[k];
    double m = y[r] * z, e = tpc_logreg_exp1(m); /* exp(-|m|), tpc's rule */
    loss += m >= 0 ? log1p(e) : -m + log1p(e);
    double s = m >= 0 ? e / (1 + e) : 1 / (1 + e), coef = -y[r] * s;
    for (size_t k = 0; k < 40; k++)
      if (a[r * 40 + k] != 0) g[k] += coef * a[r * 40 + k];
  }
  double inv = 1.0 / (double)(r1 - r0), reg = 0;
  for (size_t k = 0; k < 40; k++) {
    double x2 = x[k] * x[k], den = 1 + x2;
    reg += x2 / den;
    g[k] = g[k] * inv + lambda * 2 * x[k] / (den * den);
  }
  return loss * inv + lambda * reg;
}

/* The two kernels of logreg_kern.h on 64 blocks: e = exp(-|m|) for margins
** of both signs from 1e-9 to 800 (e underflows to 0 past 745), and in the
** first block the edge values of e: 0, the smallest subnormal, 2^-30, both
** neighbours of the sqrt(2) - 1 split, 1/2, the largest double below 1, 1,
** and NaN.  s equals the definition (m >= 0 ? e : 1)/(1 + e) to the bit; sp
** is within 1 ulp of max(-m, 0) + log1p(e) with libm's log1p (the same
** fdlibm kernel, but glibc's build fuses some products, which moves about
** 0.07% of its results by 1 ulp; adding -m >= 0 keeps that within 1 ulp); the
** AVX2 kernel, where the CPU has it, equals the portable one bit for bit. */
Test(problems_logreg, terms_kernels_agree) {
  enum { B = TPC_LOGREG_BLOCK };
  double m[B], e[B], sp[B], s[B], sp2[B], s2[B];
  const double edge[] = {0, 4.9406564584124654e-324, 0x1p-30, nextafter(TPC_LOG1P_SPLIT, 0),
                         TPC_LOG1P_SPLIT, nextafter(TPC_LOG1P_SPLIT, 1), 0.5,
                         nextafter(1.0, 0), 1.0, NAN};
  int avx2 = tpc_cpu_supports(TPC_ISA_AVX2), avx512 = tpc_cpu_supports(TPC_ISA_AVX512);
  for (int blk = 0; blk < 64; blk++) {
    for (size_t k = 0; k < B; k++) {
      double mag = 1e-9 * pow(8e11, (double)((blk * B + (int)k) * 7919 % (64 * B)) / (64.0 * B));
      m[k] = k % 2 ? mag : -mag;
      e[k] = exp(-fabs(m[k]));
      if (blk == 0 && k < sizeof edge / sizeof *edge) {
        e[k] = edge[k];
        m[k] = edge[k] > 0 ? -log(edge[k]) : 0; /* m is read for its sign only here */
      }
    }
    tpc_logreg_terms(m, e, sp, s);
    for (size_t k = 0; k < B; k++) {
      double want_s = (m[k] >= 0 ? e[k] : 1.0) / (1.0 + e[k]);
      double want_sp = (m[k] >= 0 ? 0.0 : -m[k]) + log1p(e[k]);
      if (isnan(e[k])) {
        cr_assert(isnan(s[k]) && isnan(sp[k]), "NaN stays NaN");
        continue;
      }
      cr_assert(ieee_ulp_eq(dbl, s[k], want_s, 0), "s at e = %a", e[k]);
      /* The log within 1 ulp, then the same rounded addition of -m. */
      cr_assert(ieee_ulp_eq(dbl, sp[k], want_sp, 1), "sp at m = %a, e = %a", m[k], e[k]);
    }
    if (avx2) {
      tpc_logreg_terms_avx2(m, e, sp2, s2);
      cr_assert(eq(int, memcmp(sp, sp2, sizeof sp), 0), "block %d: AVX2 sp bits", blk);
      cr_assert(eq(int, memcmp(s, s2, sizeof s), 0), "block %d: AVX2 s bits", blk);
    }
    if (avx512) {
      tpc_logreg_terms_avx512(m, e, sp2, s2);
      cr_assert(eq(int, memcmp(sp, sp2, sizeof sp), 0), "block %d: AVX-512 sp bits", blk);
      cr_assert(eq(int, memcmp(s, s2, sizeof s), 0), "block %d: AVX-512 s bits", blk);
    }
  }
}

/* The distance from got to the true value w, in ulps of the double nearest
** w (the subnormal spacing below the normal range). */
static double ulps_from(double got, long double w) {
  double wd = (double)w;
  int e;
  frexp(wd, &e);
  double ulp = wd == 0 ? 0x1p-1074 : ldexp(1.0, (e - 53 < -1074 ? -1074 : e - 53));
  return (double)(fabsl((long double)got - w) / ulp);
}

/* tpc's exp(-|m|) (logreg_kern.h) is fdlibm's, whose error analysis gives
** below 1 ulp: checked against x87 expl (64-bit significand, so its own error
** is 2^-11 of a double ulp) at 10^6 margins, uniform on [0, 746] (the
** subnormal results and the underflow to 0 included) and log-uniform from
** 1e-300 to 1, both signs; it is then within 1 ulp of libm's exp too.  The
** special values: exp(-0) = 1 exactly, NaN stays NaN, infinities and
** margins beyond 745.14 give +0.  Both kernels give the same bits. */
Test(problems_logreg, exp_within_one_ulp) {
  enum { B = TPC_LOGREG_BLOCK, N = 1000000 };
  double worst = 0, worst_m = 0, m[B], e[B], e2[B];
  size_t equal_libm = 0;
  int avx2 = tpc_cpu_supports(TPC_ISA_AVX2), avx512 = tpc_cpu_supports(TPC_ISA_AVX512);
  uint64_t u = 0x243f6a8885a308d3ULL;
  for (size_t i = 0; i < N; i += B) {
    for (size_t k = 0; k < B; k++) {
      u = u * 6364136223846793005ULL + 1442695040888963407ULL;
      double v = (double)(u >> 11) * 0x1p-53;
      double mag = (i / B) % 2 ? 746.0 * v : pow(10.0, -300.0 * v);
      m[k] = k % 2 ? mag : -mag;
    }
    tpc_logreg_exp(m, e);
    for (size_t k = 0; k < B; k++) {
      double err = ulps_from(e[k], expl(-fabsl((long double)m[k])));
      if (err > worst) worst = err, worst_m = m[k];
      double lib = exp(-fabs(m[k]));
      equal_libm += e[k] == lib;
      cr_assert(le(dbl, fabs(e[k] - lib), fmax(nextafter(lib, INFINITY) - lib, 0x1p-1074)),
                "m = %a: %a vs libm %a", m[k], e[k], lib);
      cr_assert(ieee_ulp_eq(dbl, tpc_logreg_exp1(m[k]), e[k], 0));
    }
    if (avx2) {
      tpc_logreg_exp_avx2(m, e2);
      cr_assert(eq(int, memcmp(e, e2, sizeof e), 0), "block %zu: AVX2 bits", i / B);
    }
    if (avx512) {
      tpc_logreg_exp_avx512(m, e2);
      cr_assert(eq(int, memcmp(e, e2, sizeof e), 0), "block %zu: AVX-512 bits", i / B);
    }
  }
  cr_assert(lt(dbl, worst, 1.0), "worst %.3f ulp at m = %a", worst, worst_m);
  cr_log_info("exp: worst %.3f ulp, %.4f%% equal to libm", worst, 100.0 * equal_libm / N);
  const double zero_at[] = {INFINITY, -INFINITY, 745.2, -746.0, 1e300};
  for (size_t j = 0; j < sizeof zero_at / sizeof *zero_at; j++) {
    double z = tpc_logreg_exp1(zero_at[j]);
    cr_assert(z == 0 && !signbit(z), "exp(-|%g|) = %a", zero_at[j], z);
  }
  cr_assert(eq(dbl, tpc_logreg_exp1(0.0), 1.0));
  cr_assert(eq(dbl, tpc_logreg_exp1(-0.0), 1.0));
  cr_assert(isnan(tpc_logreg_exp1(NAN)));
  cr_assert(eq(dbl, tpc_logreg_exp1(745.0), 0x1p-1074), "the smallest subnormal");
}

/* Build logreg from `path` with the kernel path capped at `isa` (TPC_KERNEL
** is read at init), restoring the caller's TPC_KERNEL. */
static tpc_problem *build_logreg_isa(const char *path, const char *extra, const char *isa) {
  char saved[32];
  test_kernel_push(isa, saved);
  tpc_problem *p = build_file_ok("logreg", path, extra);
  test_kernel_pop(saved);
  return p;
}

/* The blocked gradient (margins four rows at a time, one exp per row, the
** branch-free log1p, rows of 0 to 12 entries, clients of 233 to 235 rows:
** several blocks and ragged ends) equals the row-by-row definition bit for
** bit, on the portable, the AVX2 and the AVX-512 kernels (each where the
** CPU has it), at points with small, large (|m| > 745: exp underflows to 0)
** and mixed margins; f_i agrees with libm's log1p to rounding and across
** the kernels to the bit. */
Test(problems_logreg, blocked_gradient_is_the_definition, .init = tmp_setup,
     .fini = tmp_teardown) {
  enum { ROWS = 701 };
  static const char *const isas[] = {"avx2", "avx512"};
  double *a = malloc(ROWS * 40 * sizeof *a), y[ROWS], x[40], g[40], gr[40];
  char *text = lr_random_text(ROWS, a, y);
  const char *path = write_text("r.txt", text, 0);
  tpc_problem *ps = build_logreg_isa(path, ",n=3,lambda=0.3", "scalar");
  tpc_problem *pv[2] = {build_logreg_isa(path, ",n=3,lambda=0.3", isas[0]),
                        build_logreg_isa(path, ",n=3,lambda=0.3", isas[1])};
  cr_assert(eq(sz, ps->d, 40));
  const double scales[] = {0, 1e-3, 0.3, 3, 300};
  for (size_t t = 0; t < sizeof scales / sizeof *scales; t++) {
    for (size_t k = 0; k < 40; k++) x[k] = scales[t] * sin(3.7 * (double)k + (double)t);
    for (size_t i = 0; i < 3; i++) {
      size_t r0 = i * (ROWS / 3), r1 = i == 2 ? ROWS : r0 + ROWS / 3;
      double fr = lr_reference(a, y, r0, r1, x, 0.3, gr);
      double f = ps->type->grad(ps, i, x, g, NULL);
      cr_assert(eq(int, memcmp(g, gr, sizeof g), 0), "scale %g client %zu: gradient bits",
                scales[t], i);
      /* Each log1p term is within 1 ulp of libm's (both are fdlibm's kernel,
      ** < 1 ulp), the terms are nonnegative, and each of the two sums of
      ** <= 235 terms rounds by at most 235 eps relative: 1e-13 covers it. */
      cr_assert(epsilon_eq(dbl, f, fr, 1e-13 * fabs(fr)), "scale %g client %zu: %.17g vs %.17g",
                scales[t], i, f, fr);
      cr_assert(ieee_ulp_eq(dbl, ps->type->value(ps, i, x, NULL), f, 0));
      for (int v = 0; v < 2; v++) {
        cr_assert(ieee_ulp_eq(dbl, pv[v]->type->grad(pv[v], i, x, g, NULL), f, 0),
                  "%s: kernels agree", isas[v]);
        cr_assert(eq(int, memcmp(g, gr, sizeof g), 0), "scale %g client %zu: %s gradient bits",
                  scales[t], i, isas[v]);
      }
    }
  }
  free(a);
  free(text);
  tpc_problem_free(ps);
  tpc_problem_free(pv[0]);
  tpc_problem_free(pv[1]);
}

/* lambda_max of the symmetric d x d matrix a (copied). */
static double eig_max(const double *a, size_t d) {
  double ev[16];
  eigvals(a, d, ev);
  return fmax(fabs(ev[0]), fabs(ev[d - 1]));
}

/* ||H v|| by power iteration on central-difference Hessian-vector products
** of client i (or of f when i == n) at x. */
static double power_hessian(const tpc_problem *p, size_t i, const double *x) {
  size_t d = p->d;
  double v[16], xp[16], xm[16], gp[16], gm[16], gt[16], est = 0, h = 1e-4;
  for (size_t j = 0; j < d; j++) v[j] = 1 / sqrt((double)d) * (j % 2 ? 1 : -1.5);
  for (int it = 0; it < 300; it++) {
    double nv = norm2(v, d);
    for (size_t j = 0; j < d; j++) {
      v[j] /= nv;
      xp[j] = x[j] + h * v[j];
      xm[j] = x[j] - h * v[j];
    }
    if (i < p->n) {
      p->type->grad(p, i, xp, gp, NULL);
      p->type->grad(p, i, xm, gm, NULL);
    } else {
      tpc_problem_full_grad(p, xp, gp, gt, NULL);
      tpc_problem_full_grad(p, xm, gm, gt, NULL);
    }
    for (size_t j = 0; j < d; j++) v[j] = (gp[j] - gm[j]) / (2 * h);
    est = norm2(v, d);
  }
  return est;
}

Test(problems_logreg, bounds_hold_and_are_tight_at_zero, .init = tmp_setup,
     .fini = tmp_teardown) {
  const double lambda = 0.25;
  tpc_problem *p = build_file_ok("logreg", write_text("t.txt", lr_text, 0), ",n=3,lambda=0.25");
  size_t blocks[4] = {0, 2, 4, 7}, d = 4;
  double h[3][16], hbar[16] = {0}, m2[16] = {0}, sq[16], Li[3], li[3], mean_L2 = 0, mean_l2 = 0;
  /* At x = 0 the Hessian of f_i is exactly A_i^T A_i / (4 m_i) + 2 lambda I. */
  for (size_t i = 0; i < 3; i++) {
    double m = (double)(blocks[i + 1] - blocks[i]);
    for (size_t a = 0; a < d; a++)
      for (size_t b = 0; b < d; b++) {
        double s = 0;
        for (size_t r = blocks[i]; r < blocks[i + 1]; r++) s += lr_a[r][a] * lr_a[r][b];
        h[i][a * d + b] = s / (4 * m);
      }
    li[i] = eig_max(h[i], d);
    for (size_t a = 0; a < d; a++) h[i][a * d + a] += 2 * lambda;
    Li[i] = eig_max(h[i], d);
    mean_L2 += Li[i] * Li[i] / 3;
    mean_l2 += li[i] * li[i] / 3;
    matmul(h[i], h[i], sq, d);
    for (size_t k = 0; k < 16; k++) {
      hbar[k] += h[i][k] / 3;
      m2[k] += sq[k] / 3;
    }
  }
  matmul(hbar, hbar, sq, d);
  for (size_t k = 0; k < 16; k++) m2[k] -= sq[k];
  double lm0 = eig_max(hbar, d), lpm0 = sqrt(eig_max(m2, d));
  /* Bounds: never below the attained values, and tight: the same formulas
  ** plus the certification's 1e-12 relative step and rounding margins. */
  cr_assert(le(dbl, lm0, p->c.Lminus.value));
  cr_assert(le(dbl, p->c.Lminus.value, lm0 * (1 + 1e-11)), "L- bound %.17g vs %.17g",
            p->c.Lminus.value, lm0);
  /* The certification (eigbound.c) adds 1e-12 relative before its margins. */
  cr_assert(le(dbl, sqrt(mean_L2), p->c.Lplus.value));
  cr_assert(le(dbl, p->c.Lplus.value, sqrt(mean_L2) * (1 + 1e-11)), "L+ = sqrt(mean L_i^2)");
  cr_assert(le(dbl, sqrt(mean_l2), p->c.Lpm.value));
  cr_assert(le(dbl, p->c.Lpm.value, sqrt(mean_l2) * (1 + 1e-11)));
  cr_assert(le(dbl, lpm0, p->c.Lpm.value), "Hessian variance at 0: %g", lpm0);
  cr_assert(eq(int, p->c.Lminus.kind, TPC_CONST_BOUND));
  cr_assert(eq(int, p->c.Lplus.kind, TPC_CONST_BOUND));
  cr_assert(eq(int, p->c.Lpm.kind, TPC_CONST_BOUND));
  /* Away from 0, power iteration on difference Hessians (error ~ h^2 f'''' ~
  ** 1e-8) stays below L_i <= L+ sqrt(n) and L-. */
  double xs[3][4] = {{0, 0, 0, 0}, {0.3, -1.1, 0.7, 2.0}, {0.05, 0.1, -0.05, 0}};
  for (size_t t = 0; t < 3; t++) {
    for (size_t i = 0; i < 3; i++)
      cr_assert(le(dbl, power_hessian(p, i, xs[t]), Li[i] * (1 + 1e-12) + 1e-6),
                "client %zu at point %zu", i, t);
    cr_assert(le(dbl, power_hessian(p, 3, xs[t]), p->c.Lminus.value + 1e-6));
  }
  /* Power iteration at 0 finds the bound: it is attained (to 1e-6). */
  cr_assert(epsilon_eq(dbl, power_hessian(p, 3, xs[0]), lm0, 1e-6));
  tpc_problem_free(p);
}

Test(problems_logreg, bad_files_name_the_line, .init = tmp_setup, .fini = tmp_teardown) {
  const char *ok2 = "1 1:1\n0 2:1\n";
  char t[256];
  snprintf(t, sizeof t, "%s1 1:0.5 x\n", ok2);
  expect_file_einput("logreg", t, ",n=1", "line 3: bad feature 'x' (expected INDEX:VALUE)");
  snprintf(t, sizeof t, "%s1 1:0.5 2:\n", ok2);
  expect_file_einput("logreg", t, ",n=1", "line 3: bad feature '2:'");
  snprintf(t, sizeof t, "%s1 1:0.5 -2:1\n", ok2);
  expect_file_einput("logreg", t, ",n=1", "line 3: bad feature '-2:1'");
  snprintf(t, sizeof t, "%sa 1:1\n", ok2);
  expect_file_einput("logreg", t, ",n=1", "line 3: bad label 'a'");
  snprintf(t, sizeof t, "%snan 1:1\n", ok2);
  expect_file_einput("logreg", t, ",n=1", "line 3: bad label 'nan'");
  snprintf(t, sizeof t, "%s1 0:1\n", ok2);
  expect_file_einput("logreg", t, ",n=1", "line 3: feature index 0 (indices start at 1)");
  snprintf(t, sizeof t, "%s1 3:nan\n", ok2);
  expect_file_einput("logreg", t, ",n=1", "line 3: feature 3 has the non-finite value 'nan'");
  snprintf(t, sizeof t, "%s1 3:-inf\n", ok2);
  expect_file_einput("logreg", t, ",n=1", "line 3: feature 3 has the non-finite value '-inf'");
  snprintf(t, sizeof t, "%s1 3:1 2:1\n", ok2);
  expect_file_einput("logreg", t, ",n=1", "line 3: feature index 2 after 3");
  snprintf(t, sizeof t, "%s\n1 2:1 2:1\n", ok2);
  expect_file_einput("logreg", t, ",n=1", "line 4: feature index 2 after 2");
  snprintf(t, sizeof t, "%s1 5000:1\n", ok2);
  expect_file_einput("logreg", t, ",n=1", "line 3: feature index 5000 exceeds 4096");
  snprintf(t, sizeof t, "%s5 1:1\n", ok2);
  expect_file_einput("logreg", t, ",n=1",
                     "line 3: a third label value 5 (after 1 and 0): labels must be binary");
  expect_file_einput("logreg", "1 1:1\n1 2:3\n", ",n=1", "every row has the label 1");
  expect_file_einput("logreg", ok2, ",n=3", "n = 3 exceeds the 2 rows");
  expect_file_einput("logreg", "", "", "has no data rows");
  expect_file_einput("logreg", "\n  \n", "", "has no data rows");
  const char nul[] = "1 1:1\n0 2:1\n1 1\0:1\n";
  const char *np = write_bytes("nul.txt", nul, sizeof nul - 1, 0);
  int st = -1;
  cr_assert(eq(ptr, build_file("logreg", np, ",n=1", &st), NULL));
  cr_assert(strstr(tpc_error_msg(), "line 3: NUL byte") != NULL, "%s", tpc_error_msg());
  expect_einput("logreg(file=\"nosuch_dataset\")", "file 'nosuch_dataset' not found");
  expect_einput("logreg(file=\"a9a\",lambda=\"x\")", "expects a number for 'lambda'");
  expect_einput("logreg(n=2)", "file=... is required");
}

/* Finite values whose Gram sums overflow: 1e308 squares to +inf, 1e100 to
** 1e200, whose squares in the eigenvalue bound overflow.  Exit 2 naming L-
** and the largest value, not an internal "could not certify" (exit 4). */
Test(problems_logreg, overflowing_constants_are_bad_input, .init = tmp_setup,
     .fini = tmp_teardown) {
  expect_file_einput("logreg", "1 1:0.5 2:1\n0 1:1e308 3:2\n1 2:0.3\n0 3:-1\n", ",n=2",
                     "L- overflows (the data's values are too large: largest |value| 1e+308, "
                     "line 2)");
  expect_file_einput("logreg", "1 1:0.5 2:1\n0 1:1 3:2\n1 2:-1e100\n0 3:-1\n", ",n=2",
                     "L- overflows (the data's values are too large: largest |value| 1e+100, "
                     "line 3)");
  /* 1e30 fits: the Gram matrix of the one client holds 1e60, and L- bounds
  ** lambda_max(A^T A)/(4 m) = 1e60/8 from above. */
  tpc_problem *p = build_file_ok("logreg", write_text("ok.txt", "1 1:1e30\n0 2:1\n", 0), ",n=1");
  cr_assert(ge(dbl, p->c.Lminus.value, 1e60 / 8));
  cr_assert(le(dbl, p->c.Lminus.value, 1e60 / 8 * (1 + 1e-9)));
  tpc_problem_free(p);
}

Test(problems_logreg, corrupt_gzip_is_bad_input, .init = tmp_setup, .fini = tmp_teardown) {
  /* 4000 lines compress to a few KB; cutting the file in half leaves a
  ** truncated stream, and flipping bytes in the middle a corrupt one. */
  size_t cap = 4000 * 40;
  char *text = malloc(cap), *e = text;
  for (int r = 0; r < 4000; r++) e += sprintf(e, "%d 1:%d 2:0.%d 7:1\n", r % 2, r, r * 7 % 1000);
  const char *path = write_text("big.txt.gz", text, 1);
  tpc_problem *p = build_file_ok("logreg", path, "");
  cr_assert(eq(sz, p->d, 7));
  tpc_problem_free(p);
  FILE *f = fopen(path, "rb");
  unsigned char buf[65536];
  size_t len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  cr_assert(lt(sz, 1000, len));
  int st = -1;
  p = build_file("logreg", write_bytes("cut.gz", buf, len / 2, 0), "", &st);
  cr_assert(eq(int, st, TPC_EINPUT), "%s", tpc_error_msg());
  cr_assert(strstr(tpc_error_msg(), "unreadable or corrupt") != NULL, "%s", tpc_error_msg());
  /* zlib decodes ahead, so the line is where the damage was detected: past
  ** the start, before the end of the 4000 lines. */
  const char *ln = strstr(tpc_error_msg(), " line ");
  cr_assert(ln != NULL, "%s", tpc_error_msg());
  long line = strtol(ln + 6, NULL, 10);
  cr_assert(lt(long, 100, line));
  cr_assert(lt(long, line, 4000));
  for (size_t k = len / 3; k < len / 3 + 16; k++) buf[k] ^= 0x5a;
  p = build_file("logreg", write_bytes("flip.gz", buf, len, 0), "", &st);
  cr_assert(eq(int, st, TPC_EINPUT), "%s", tpc_error_msg());
  free(text);
}

/* The shipped data sets (datasets/README.md), found by short name in the
** source tree's copy: d, and the rows through the n = rows + 1 refusal. */
Test(problems_logreg, shipped_datasets_load) {
  static const struct { const char *name; size_t d, rows; } sets[] = {
      {"phishing", 68, 11055}, {"a9a", 123, 32561}, {"mushrooms", 112, 8124}, {"w8a", 300, 49749}};
  for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
    char spec[64], want[64];
    snprintf(spec, sizeof spec, "logreg(file=\"%s\")", sets[i].name);
    tpc_problem *q = build_ok(spec);
    cr_assert(eq(sz, q->d, sets[i].d), "%s", sets[i].name);
    tpc_problem_free(q);
    snprintf(spec, sizeof spec, "logreg(file=\"%s\",n=%zu)", sets[i].name, sets[i].rows + 1);
    snprintf(want, sizeof want, "n = %zu exceeds the %zu rows", sets[i].rows + 1, sets[i].rows);
    expect_einput(spec, want);
  }
}

Test(problems_logreg, shipped_phishing_gradient) {
  tpc_problem *p = build_ok("logreg(file=\"phishing\")");
  cr_assert(eq(sz, p->d, 68));
  cr_assert(eq(sz, p->n, 20));
  /* Labels are 0/1 here: at x0 = 0 every f_i is log 2 whatever the labels. */
  void *w = work_alloc(p);
  double *g = malloc(68 * 8), *gt = malloc(68 * 8);
  /* Each f_i sums m_i ~ 550 equal terms: relative error <= 550 eps. */
  cr_assert(epsilon_eq(dbl, tpc_problem_full_grad(p, p->x0, g, gt, w), log(2.0), 1e-13));
  cr_assert(lt(dbl, 2 * 0.1, p->c.Lminus.value), "above the regularizer's share");
  cr_assert(le(dbl, p->c.Lminus.value, p->c.Lplus.value));
  free(g);
  free(gt);
  free(w);
  tpc_problem_free(p);
}

/* ---- autoenc ------------------------------------------------------------------ */

/* An IDX file of `count` images of rows x cols with pixel (j, l) = (7j + 3l) %
** 256, except every third pixel 0 (as real images have zeros). */
static size_t idx_image(unsigned char *buf, uint32_t count, uint32_t rows, uint32_t cols) {
  uint32_t h[4] = {0x00000803u, count, rows, cols};
  for (int k = 0; k < 4; k++)
    for (int b = 0; b < 4; b++) buf[4 * k + b] = (unsigned char)(h[k] >> (24 - 8 * b));
  size_t len = 16;
  for (uint32_t j = 0; j < count; j++)
    for (uint32_t l = 0; l < rows * cols; l++)
      buf[len++] = (unsigned char)(l % 3 ? (7 * j + 3 * l) % 256 : 0);
  return len;
}

/* f over images j0 .. j1-1 of the IDX file in buf by the definition, with
** d_e = 2: D = x[0, 2 df) (df x 2), E = x[2 df, 4 df) (2 x df); a holds df
** doubles. */
static double autoenc_definition(const unsigned char *buf, size_t j0, size_t j1, size_t df,
                                 const double *x, double *a) {
  const double *D = x, *E = x + 2 * df;
  double sum = 0;
  for (size_t j = j0; j < j1; j++) {
    double z[2] = {0, 0};
    for (size_t l = 0; l < df; l++) a[l] = buf[16 + j * df + l] / 255.0;
    for (size_t k = 0; k < 2; k++)
      for (size_t l = 0; l < df; l++) z[k] += E[k * df + l] * a[l];
    for (size_t l = 0; l < df; l++) {
      double rl = D[l * 2] * z[0] + D[l * 2 + 1] * z[1] - a[l];
      sum += rl * rl;
    }
  }
  return sum / (double)(j1 - j0);
}

Test(problems_autoenc, values_gradients_and_split, .init = tmp_setup, .fini = tmp_teardown) {
  unsigned char buf[256];
  size_t len = idx_image(buf, 5, 3, 2);
  const char *path = write_bytes("img-idx3-ubyte", buf, len, 0);
  tpc_problem *p = build_file_ok("autoenc", path, ",n=2,de=2");
  tpc_problem *pz = build_file_ok("autoenc", write_bytes("img.gz", buf, len, 1), ",n=2,de=2");
  size_t df = 6, de = 2;
  cr_assert(eq(sz, p->d, 2 * df * de));
  cr_assert(eq(sz, p->data_bytes, 5 * df));
  cr_assert(eq(int, p->c.Lminus.kind, TPC_CONST_UNKNOWN));
  cr_assert(eq(int, p->c.finf.kind, TPC_CONST_BOUND));
  double x[24];
  gsl_rng *r = tpc_rng_alloc_stream(3, TPC_PURPOSE_TEST, 0);
  for (size_t k = 0; k < 24; k++) x[k] = gsl_ran_gaussian(r, 0.5);
  gsl_rng_free(r);
  void *w = work_alloc(p);
  size_t blocks[3] = {0, 2, 5};
  for (size_t i = 0; i < 2; i++) {
    double a[6], want = autoenc_definition(buf, blocks[i], blocks[i + 1], df, x, a);
    double f = p->type->value(p, i, x, w);
    cr_assert(epsilon_eq(dbl, f, want, 1e-13 * (1 + want)), "client %zu", i);
    cr_assert(ieee_ulp_eq(dbl, pz->type->value(pz, i, x, w), f, 0));
    /* f_i is a quartic: central differences err by h^2 |f'''|/6 ~ 1e-9 at h = 1e-4. */
    check_grad_fd(p, i, x, 1e-4, 1e-6, 24);
  }
  /* x0: Gaussian with standard deviation 1/sqrt(d_f), fixed stream. */
  tpc_problem *p2 = build_file_ok("autoenc", path, ",n=1,de=2,samples=3");
  cr_assert(eq(int, memcmp(p->x0, p2->x0, 24 * sizeof(double)), 0));
  cr_assert(eq(sz, p2->data_bytes, 3 * df));
  double s2 = 0;
  for (size_t k = 0; k < 24; k++) s2 += p->x0[k] * p->x0[k];
  /* sum of 24 squares of N(0, 1/6): mean 4, sd sqrt(2*24)/6 = 1.15. */
  cr_assert(lt(dbl, 0.5, s2));
  cr_assert(lt(dbl, s2, 10.0));
  free(w);
  tpc_problem_free(p);
  tpc_problem_free(pz);
  tpc_problem_free(p2);
}

/* Images of 256 x 256 go through the products two at a time (2^17 pixels a
** block): five images in one client are three blocks, the last one short;
** f and the gradient still match the definition. */
Test(problems_autoenc, blocks_match_definition, .init = tmp_setup, .fini = tmp_teardown) {
  enum { IMG = 5, DF = 256 * 256 };
  unsigned char *buf = malloc(16 + IMG * DF);
  cr_assert(not(eq(ptr, buf, NULL)));
  size_t len = idx_image(buf, IMG, 256, 256);
  tpc_problem *p = build_file_ok("autoenc", write_bytes("big-idx3-ubyte", buf, len, 0),
                                 ",n=1,de=2");
  double *x = malloc(p->d * sizeof *x), *a = malloc(DF * sizeof *a);
  cr_assert(x != NULL && a != NULL);
  gsl_rng *r = tpc_rng_alloc_stream(4, TPC_PURPOSE_TEST, 0);
  for (size_t k = 0; k < p->d; k++) x[k] = gsl_ran_gaussian(r, 0.01);
  gsl_rng_free(r);
  double want = autoenc_definition(buf, 0, IMG, DF, x, a);
  void *w = work_alloc(p);
  double f = p->type->value(p, 0, x, w);
  cr_assert(epsilon_eq(dbl, f, want, 1e-12 * want), "f %.17g, definition %.17g", f, want);
  check_grad_fd(p, 0, x, 1e-4, 1e-6, 24);
  free(w);
  free(a);
  free(x);
  free(buf);
  tpc_problem_free(p);
}

Test(problems_autoenc, bad_files_name_the_byte, .init = tmp_setup, .fini = tmp_teardown) {
  unsigned char buf[256];
  size_t len = idx_image(buf, 5, 3, 2);
  int st = -1;
  struct {
    size_t len;
    const char *extra, *want;
  } cases[] = {
      {len - 1, ",n=1,de=2",
       "byte 45: truncated: the header announces 5 images of 6 pixels (30 bytes)"},
      {10, ",n=1,de=2", "byte 10: truncated in the 16-byte IDX header"},
      {len + 3, ",n=1,de=2", "byte 46: dims mismatch"},
      {len, ",samples=6", "samples = 6 exceeds the 5 images"},
      {len, ",n=4,samples=3,de=2", "n = 4 exceeds the 3 samples"},
      {len, ",de=7", "de = 7 exceeds the 6 pixels"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    const char *path = write_bytes("x.idx", buf, cases[c].len, 0);
    cr_assert(eq(ptr, build_file("autoenc", path, cases[c].extra, &st), NULL), "case %zu", c);
    cr_assert(eq(int, st, TPC_EINPUT));
    cr_assert(strstr(tpc_error_msg(), cases[c].want) != NULL, "case %zu: %s", c,
              tpc_error_msg());
  }
  buf[3] = 1;   /* a labels file's magic */
  cr_assert(eq(ptr, build_file("autoenc", write_bytes("y.idx", buf, len, 0), "", &st), NULL));
  cr_assert(strstr(tpc_error_msg(), "byte 0: magic 0x00000801 is not 0x00000803") != NULL, "%s",
            tpc_error_msg());
  buf[3] = 3;
  buf[11] = 0;  /* rows = 0 */
  cr_assert(eq(ptr, build_file("autoenc", write_bytes("z.idx", buf, len, 0), "", &st), NULL));
  cr_assert(strstr(tpc_error_msg(), "byte 4: bad dimensions 5 x 0 x 2") != NULL, "%s",
            tpc_error_msg());
}

/* A 6 KB file whose header announces 2^32 - 1 images of 28 x 28 (3.4 TB):
** plain or gzip, a short file (exit 2) naming the count and the bytes that
** are there, not an allocation failure. */
Test(problems_autoenc, lying_header_is_a_short_file, .init = tmp_setup,
     .fini = tmp_teardown) {
  enum { LEN = 6 * 1024 };
  unsigned char *buf = calloc(LEN, 1);
  cr_assert(buf != NULL);
  idx_image(buf, 0, 28, 28);    /* the header alone */
  memset(buf + 4, 0xff, 4);     /* count 4294967295 */
  for (int gz = 0; gz < 2; gz++)
    expect_path_einput("autoenc", write_bytes(gz ? "lie.gz" : "lie.idx", buf, LEN, gz),
                       ",n=1,de=2",
                       "byte 6144: truncated: the header announces 4294967295 images of 784 "
                       "pixels (3367254359280 bytes), the file ends after 6128");
  free(buf);
}

/* Debian's dataset-fashion-mnist (make deps installs it), by short name. */
Test(problems_autoenc, fashion_mnist_loads) {
  tpc_problem *p = build_ok("autoenc(file=t10k,n=10,samples=500)");
  cr_assert(eq(sz, p->d, 2 * 784 * 16));
  cr_assert(eq(sz, p->data_bytes, 500 * 784));
  void *w = work_alloc(p);
  /* Pixels in [0, 1] and D E a ~ 0 at x0: f(x0) ~ mean ||a||^2, between 0 and 784. */
  double f = p->type->value(p, 0, p->x0, w);
  cr_assert(lt(dbl, 1.0, f));
  cr_assert(lt(dbl, f, 784.0));
  free(w);
  tpc_problem_free(p);
}

/* ---- files that are not files ------------------------------------------------ */

/* A FIFO with no writer would block open() for ever, and a directory is no
** data: every reader refuses what is not a regular file, at once (the
** timeout fails the test if one blocks). */
Test(problems_files, non_regular_files_are_refused, .init = tmp_setup, .fini = tmp_teardown,
     .timeout = 20) {
  char fifo[128];
  snprintf(fifo, sizeof fifo, "%s/fifo", tmpdir);
  cr_assert(eq(int, mkfifo(fifo, 0600), 0));
  static const char *const types[] = {"logreg", "autoenc", "quadfile"};
  char want[192];
  for (size_t t = 0; t < 3; t++) {
    snprintf(want, sizeof want, "'%s' is not a regular file (a FIFO)", fifo);
    expect_path_einput(types[t], fifo, "", want);
    snprintf(want, sizeof want, "'%s' is not a regular file (a directory)", tmpdir);
    expect_path_einput(types[t], tmpdir, "", want);
  }
}

/* ---- convex problems with exact optima (THEORY.md T6) ---------------------- */

/* Every A_i's eigenvalues (dense, from the gradients) against the problem's
** L_i, Lmax, mu_i, the convex flag and musc = lambda_min(Abar).  The dense
** matrices are exact up to one rounding per entry, so eigenvalues agree to
** a few d u |A| (Weyl); 1e-10 |A| leaves a wide margin and still catches a
** wrong formula (which is off by O(|A|), or by O(lambda) = 1e-6). */
static void check_client_consts(const tpc_problem *p) {
  size_t d = p->d, n = p->n;
  double *ev = malloc(d * sizeof *ev), lmax = 0, mui = INFINITY;
  cr_assert(p->Li != NULL);
  for (size_t i = 0; i < n; i++) {
    double *a = dense_hessian(p, i);
    eigvals(a, d, ev);
    double li = fmax(fabs(ev[0]), fabs(ev[d - 1]));
    cr_assert(le(dbl, fabs(p->Li[i] - li), 1e-10 * li), "L_%zu %.17g, eigen %.17g", i,
              p->Li[i], li);
    lmax = fmax(lmax, li);
    mui = fmin(mui, ev[0]);
    free(a);
  }
  cr_assert(le(dbl, fabs(p->c.Lmax.value - lmax), 1e-10 * lmax));
  cr_assert(eq(int, p->c.convex, mui >= -1e-10 * lmax), "convex flag, min eigenvalue %g", mui);
  if (p->c.convex) {
    cr_assert(eq(int, p->c.mui.kind, TPC_CONST_EXACT));
    cr_assert(le(dbl, fabs(p->c.mui.value - mui), 1e-10 * lmax), "mu_i %.17g, eigen %.17g",
              p->c.mui.value, mui);
  } else {
    cr_assert(eq(int, p->c.mui.kind, TPC_CONST_UNKNOWN));
  }
  dense_consts c = dense_quad_consts(p);
  cr_assert(le(dbl, fabs(p->c.musc.value - c.lmin), 1e-10 * c.lminus), "musc %.17g, eigen %.17g",
            p->c.musc.value, c.lmin);
  free(c.abar);
  free(c.bbar);
  free(ev);
}

/* The optimum of a quadratic: x* against an independent dense Cholesky
** solve, Abar x* - bbar small in the dense matrices, h_i = grad f_i(x*)
** bit for bit, (1/n) sum h_i = grad f(x*) within the stated accuracy,
** f* = f(x*) = f_inf, and f(x* + e) >= f* along every coordinate. */
static void check_quad_optimum(const tpc_problem *p) {
  size_t d = p->d, n = p->n;
  const tpc_problem_optimum *o = tpc_problem_optimum(p);
  cr_assert(o != NULL, "%s", tpc_error_msg());
  cr_assert(eq(int, o->kind, TPC_CONST_EXACT));
  dense_consts c = dense_quad_consts(p);
  double *xs = dense_solve(&c, d), *g = malloc(d * sizeof *g), *gt = malloc(d * sizeof *gt);
  double *hs = calloc(d, sizeof *hs), *y = malloc(d * sizeof *y);
  void *w = work_alloc(p);
  double xn = norm2(xs, d), err = 0, res = 0;
  for (size_t j = 0; j < d; j++) err = fmax(err, fabs(o->x[j] - xs[j]));
  /* Both solves are backward stable: forward error <= kappa d u |x*|. */
  double kappa = c.lminus / c.lmin;
  cr_assert(le(dbl, err, 100 * kappa * d * DBL_EPSILON * (1 + xn)), "x* differs by %g", err);
  for (size_t j = 0; j < d; j++) {
    double r = -c.bbar[j];
    for (size_t k = 0; k < d; k++) r += c.abar[j * d + k] * o->x[k];
    res += r * r;
  }
  cr_assert(le(dbl, sqrt(res), 100 * d * DBL_EPSILON * (c.lminus * norm2(o->x, d) + norm2(c.bbar, d))),
            "residual %g", sqrt(res));
  for (size_t i = 0; i < n; i++) {
    p->type->grad(p, i, o->x, g, w);
    cr_assert(eq(int, memcmp(g, o->h + i * d, d * sizeof *g), 0), "h_%zu is grad f_%zu(x*)", i, i);
    for (size_t j = 0; j < d; j++) hs[j] += g[j] / (double)n;
  }
  double f = tpc_problem_full_grad(p, o->x, g, gt, w);
  /* The same sum of the h_i in other roundings: apart by n u sum |h_i|. */
  double hsum = 0;
  for (size_t i = 0; i < n; i++) hsum += norm2(o->h + i * d, d);
  double sumtol = 4 * (double)n * DBL_EPSILON * hsum;
  cr_assert(le(dbl, fabs(norm2(hs, d) - o->accuracy), sumtol));
  cr_assert(le(dbl, fabs(norm2(g, d) - o->accuracy), sumtol));
  cr_assert(ieee_ulp_eq(dbl, o->fstar, f, 4), "f* %.17g, f(x*) %.17g", o->fstar, f);
  /* f(x*) as evaluated rounds terms of size Lmax |x*|^2 and |b| |x*|; f_inf
  ** is -1/2 bbar^T x*, without that cancellation. */
  double xo = norm2(o->x, d);
  double ftol = 100 * d * DBL_EPSILON * (p->c.Lmax.value * xo * xo + norm2(c.bbar, d) * xo);
  cr_assert(le(dbl, fabs(o->fstar - p->c.finf.value), ftol), "f* %.17g, f_inf %.17g",
            o->fstar, p->c.finf.value);
  for (size_t j = 0; j < d; j++) {
    memcpy(y, o->x, d * sizeof *y);
    y[j] += 1e-3 * (1 + fabs(y[j]));
    cr_assert(ge(dbl, tpc_problem_full_grad(p, y, g, gt, w), o->fstar), "coordinate %zu", j);
  }
  free(c.abar);
  free(c.bbar);
  free(xs);
  free(g);
  free(gt);
  free(hs);
  free(y);
  free(w);
}

Test(problems_convex, quad_convex_keeps_every_client_psd) {
  static const double svals[] = {0.5, 2.0, 6.4};
  char spec[128];
  for (unsigned seed = 1; seed <= 3; seed++)
    for (size_t k = 0; k < 3; k++) {
      snprintf(spec, sizeof spec, "quad(d=12,n=7,s=%g,seed=%u,convex=1)", svals[k], seed);
      tpc_problem *p = build_ok(spec);
      cr_assert(eq(int, p->c.convex, 1), "%s", spec);
      /* The shift puts the smallest client eigenvalue at lambda = 1e-6. */
      cr_assert(epsilon_eq(dbl, p->c.mui.value, 1e-6, 1e-12), "%s: mu_i %g", spec, p->c.mui.value);
      check_client_consts(p);
      check_quad_optimum(p);
      tpc_problem_free(p);
    }
}

/* The default generator: L_i and musc exact too; with s > 0 some A_i are
** indefinite (convex 0, mu_i unknown), and x* still exists (Abar > 0). */
Test(problems_convex, quad_default_constants_and_optimum) {
  tpc_problem *p = build_ok("quad(d=10,n=9,s=3,seed=2)");
  cr_assert(eq(int, p->c.convex, 0));
  check_client_consts(p);
  check_quad_optimum(p);
  tpc_problem_free(p);
  p = build_ok("quad(d=10,n=3)");   /* s = 0: every A_i = Abar > 0 */
  cr_assert(eq(int, p->c.convex, 1));
  check_client_consts(p);
  tpc_problem_free(p);
}

/* convex=1 with s = 0 is the default problem bit for bit (nu_i = 1 either way). */
Test(problems_convex, quad_convex_at_s0_is_the_default) {
  tpc_problem *a = build_ok("quad(d=50,n=4,seed=5)"), *b = build_ok("quad(d=50,n=4,seed=5,convex=1)");
  double x[50], ga[50], gb[50];
  for (size_t j = 0; j < 50; j++) x[j] = sin((double)j);
  for (size_t i = 0; i < 4; i++) {
    double f[2] = {a->type->grad(a, i, x, ga, NULL), b->type->grad(b, i, x, gb, NULL)};
    cr_assert(eq(int, memcmp(&f[0], &f[1], sizeof f[0]), 0));
    cr_assert(eq(int, memcmp(ga, gb, sizeof ga), 0));
  }
  cr_assert(eq(int, memcmp(&a->c.Lminus, &b->c.Lminus, 5 * sizeof(tpc_const)), 0));
  tpc_problem_free(a);
  tpc_problem_free(b);
}

/* interp=1: x* is a minimiser of every f_i, so every h_i = 0 (the planted
** b_i is formed by the gradient's own expression: exactly 0). */
Test(problems_convex, quad_interpolation_has_zero_client_gradients) {
  tpc_problem *p = build_ok("quad(d=30,n=6,s=1.5,seed=4,convex=1,interp=1)");
  check_client_consts(p);
  check_quad_optimum(p);
  const tpc_problem_optimum *o = tpc_problem_optimum(p);
  for (size_t k = 0; k < p->n * p->d; k++)
    cr_assert(eq(dbl, o->h[k], 0.0), "h entry %zu = %g", k, o->h[k]);
  cr_assert(eq(dbl, o->accuracy, 0.0));
  check_grad_fd(p, 2, p->x0, 1e-5, 1e-6, 30);
  tpc_problem_free(p);
}

Test(problems_convex, bad_convex_options_are_refused) {
  expect_einput("quad(d=5,convex=2)", "convex must be an integer in [0, 1]");
  expect_einput("quad(d=5,interp=1)", "interp=1 needs convex=1");
  expect_einput("quad(d=5,convex=1,interp=-1)", "interp must be an integer in [0, 1]");
  expect_einput("logreg(file=a9a,reg=xyz)", "reg must be nonconvex, l2 or none, got 'xyz'");
  expect_einput("logreg(file=a9a,reg=2)", "expects a text for 'reg'");
  expect_einput("logreg(file=a9a,reg=l2,lambda=-0.1)", "lambda must be in [0, 1e+06]");
  expect_einput("logreg(file=a9a,reg=none,lambda=0.1)", "reg=none takes no lambda");
}

/* quadfile: psd=1 checked against each A_i, the per-client constants and the
** optimum as for quad. */
Test(problems_convex, quadfile_psd_header, .init = tmp_setup, .fini = tmp_teardown) {
  /* A shift of 4 sqrt(d) makes these random A_i positive definite (their
  ** Gaussian parts have norm about 2 sqrt(d)). */
  char *t = quad_text(6, 4, 2, 1, 4 * sqrt(6.0), 11);
  char *psd = malloc(strlen(t) + 8);
  char *nl = strchr(t, '\n');
  sprintf(psd, "%.*s psd=1%s", (int)(nl - t), t, nl);
  tpc_problem *p = build_file_ok("quadfile", write_text("psd.txt", psd, 0), "");
  cr_assert(eq(int, p->c.convex, 1));
  check_client_consts(p);
  check_quad_optimum(p);
  tpc_problem_free(p);
  free(t);
  free(psd);
  /* The same header on an indefinite client (Abar = diag(2.5, 0.5) is
  ** still positive definite) is a lie: refused, naming the client. */
  static const char *const body = "client 1\n2 0\n0 2\n1 1\nclient 2\n3 0\n0 -1\n1 0\n";
  char lie[256], honest[256];
  snprintf(lie, sizeof lie, "quadfile d=2 n=2 storage=dense psd=1\n%s", body);
  snprintf(honest, sizeof honest, "quadfile d=2 n=2 storage=dense\n%s", body);
  expect_file_einput("quadfile", lie, "", "the header says psd=1 but A_2 (client 2) has the "
                     "eigenvalue -1 < 0");
  expect_file_einput("quadfile", "quadfile d=1 n=1 storage=dense psd=2\nclient 1\n1\n1\n", "",
                     "psd must be an integer in [0, 1]");
  /* Without the claim the file is fine, just not convex. */
  p = build_file_ok("quadfile", write_text("ind.txt", honest, 0), "");
  check_client_consts(p);
  check_quad_optimum(p);
  tpc_problem_free(p);
}

/* lr_text's rows under a convex regularizer, in long double: f_i and its
** gradient by the definition. */
static double lr_convex_expected(size_t r0, size_t r1, const double *x, double lambda,
                                 double *g) {
  long double loss = 0, gl[4] = {0};
  for (size_t r = r0; r < r1; r++) {
    long double z = 0;
    for (size_t k = 0; k < 4; k++) z += (long double)lr_a[r][k] * x[k];
    loss += log1pl(expl(-lr_y[r] * z));
    long double s = 1 / (1 + expl(lr_y[r] * z));   /* -d/dz log(1 + e^{-yz}) / y */
    for (size_t k = 0; k < 4; k++) gl[k] -= lr_y[r] * s * lr_a[r][k];
  }
  long double m = (long double)(r1 - r0), reg = 0;
  for (size_t k = 0; k < 4; k++) {
    reg += (long double)x[k] * x[k];
    g[k] = (double)(gl[k] / m + lambda * (long double)x[k]);
  }
  return (double)(loss / m + lambda / 2 * reg);
}

Test(problems_convex, logreg_convex_regularizers, .init = tmp_setup, .fini = tmp_teardown) {
  const char *path = write_text("t.txt", lr_text, 0);
  tpc_problem *pl = build_file_ok("logreg", path, ",n=3,reg=l2,lambda=0.25");
  size_t blocks[4] = {0, 2, 4, 7};
  double x[4] = {0.3, -1.1, 0.7, 2.0}, g[4], ge[4];
  for (size_t i = 0; i < 3; i++) {
    double f = pl->type->grad(pl, i, x, g, NULL);
    double fe = lr_convex_expected(blocks[i], blocks[i + 1], x, 0.25, ge);
    cr_assert(epsilon_eq(dbl, f, fe, 1e-14), "f_%zu %.17g, expected %.17g", i, f, fe);
    for (size_t k = 0; k < 4; k++) cr_assert(epsilon_eq(dbl, g[k], ge[k], 1e-14));
  }
  cr_assert(eq(int, pl->c.convex, 1));
  cr_assert(eq(dbl, pl->c.musc.value, 0.25));
  cr_assert(eq(dbl, pl->c.mui.value, 0.25));
  /* L_i bounds the Hessian at 0, A_i^T A_i/(4 m_i) + lambda I, tightly. */
  for (size_t i = 0; i < 3; i++) {
    double h[16] = {0}, ev[4];
    double m = (double)(blocks[i + 1] - blocks[i]);
    for (size_t r = blocks[i]; r < blocks[i + 1]; r++)
      for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 4; b++) h[a * 4 + b] += lr_a[r][a] * lr_a[r][b] / (4 * m);
    eigvals(h, 4, ev);
    double li = ev[3] + 0.25;
    cr_assert(ge(dbl, pl->Li[i], li));
    cr_assert(le(dbl, pl->Li[i], li * (1 + 1e-12)), "L_%zu %.17g, exact %.17g", i, pl->Li[i], li);
  }
  /* Newton's optimum: the gradient at x*, recomputed in long double, is
  ** below the stated accuracy (plus the double evaluation's own error). */
  const tpc_problem_optimum *o = tpc_problem_optimum(pl);
  cr_assert(o != NULL, "%s", tpc_error_msg());
  cr_assert(eq(int, o->kind, TPC_CONST_COMPUTED));
  cr_assert(le(dbl, o->accuracy, 1e-14));
  double gs[4] = {0}, fs = 0;
  for (size_t i = 0; i < 3; i++) {
    fs += lr_convex_expected(blocks[i], blocks[i + 1], o->x, 0.25, ge) / 3;
    for (size_t k = 0; k < 4; k++) gs[k] += ge[k] / 3;
  }
  cr_assert(le(dbl, norm2(gs, 4), o->accuracy + 1e-14), "|grad f(x*)| = %g", norm2(gs, 4));
  cr_assert(epsilon_eq(dbl, o->fstar, fs, 1e-14));
  tpc_problem_free(pl);
  /* reg=none: f_i by the definition, and a minimiser (these rows are not
  ** separable), its gradient recomputed in long double. */
  tpc_problem *pn = build_file_ok("logreg", path, ",n=3,reg=none");
  cr_assert(eq(int, pn->c.convex, 1));
  cr_assert(eq(dbl, pn->c.musc.value, 0.0));
  cr_assert(eq(int, pn->c.musc.kind, TPC_CONST_EXACT));
  double f0 = pn->type->grad(pn, 0, x, g, NULL), fe0 = lr_convex_expected(0, 2, x, 0.0, ge);
  cr_assert(epsilon_eq(dbl, f0, fe0, 1e-14));
  for (size_t k = 0; k < 4; k++) cr_assert(epsilon_eq(dbl, g[k], ge[k], 1e-14));
  o = tpc_problem_optimum(pn);
  cr_assert(o != NULL, "%s", tpc_error_msg());
  memset(gs, 0, sizeof gs);
  for (size_t i = 0; i < 3; i++) {
    lr_convex_expected(blocks[i], blocks[i + 1], o->x, 0.0, ge);
    for (size_t k = 0; k < 4; k++) gs[k] += ge[k] / 3;
  }
  cr_assert(le(dbl, norm2(gs, 4), o->accuracy + 1e-13), "|grad f(x*)| = %g", norm2(gs, 4));
  tpc_problem_free(pn);
  /* Feature 3 only in rows labelled +1: no minimiser, the feature named. */
  tpc_problem *pq = build_file_ok(
      "logreg", write_text("q.txt", "1 1:1 2:1\n0 1:1 2:-1\n1 1:-1 3:2\n0 1:-1 2:1\n1 2:0.5\n", 0),
      ",n=1,reg=none");
  cr_assert(tpc_problem_optimum(pq) == NULL);
  cr_assert(strstr(tpc_error_msg(), "feature 3 has y a_3 of one sign (> 0)") != NULL, "%s",
            tpc_error_msg());
  tpc_problem_free(pq);
  /* Rows that x_1 + x_2 separates, each feature of both signs: f has no
  ** minimiser, and the optimum is refused saying why (and again on the
  ** second request). */
  tpc_problem *ps = build_file_ok(
      "logreg", write_text("sep.txt", "1 1:1 2:1\n1 1:2 2:-0.5\n1 1:-0.5 2:2\n"
                                      "0 1:-1 2:-1\n0 1:-2 2:0.5\n0 1:0.5 2:-2\n", 0),
      ",n=1,reg=none");
  cr_assert(tpc_problem_optimum(ps) == NULL);
  cr_assert(strstr(tpc_error_msg(), "linearly separable") != NULL, "%s", tpc_error_msg());
  tpc_error_clear();
  cr_assert(tpc_problem_optimum(ps) == NULL);
  cr_assert(strstr(tpc_error_msg(), "linearly separable") != NULL, "kept: %s", tpc_error_msg());
  tpc_problem_free(ps);
  /* The nonconvex regularizer has no known minimiser. */
  tpc_problem *pd = build_file_ok("logreg", path, ",n=3");
  cr_assert(eq(int, pd->c.convex, 0));
  cr_assert(eq(int, pd->c.musc.kind, TPC_CONST_UNKNOWN));
  cr_assert(tpc_problem_optimum(pd) == NULL);
  cr_assert(strstr(tpc_error_msg(), "nonconvex regularizer") != NULL, "%s", tpc_error_msg());
  tpc_problem_free(pd);
}

/* a9a (shipped): Newton reaches |grad f| <= 1e-10 under l2 (two lambdas),
** recomputed by the full gradient. */
Test(problems_convex, logreg_a9a_newton) {
  static const char *const specs[] = {"logreg(file=a9a,n=10,reg=l2,lambda=0.1)",
                                      "logreg(file=a9a,n=10,reg=l2,lambda=1e-4)"};
  for (size_t s = 0; s < 2; s++) {
    tpc_problem *p = build_ok(specs[s]);
    const tpc_problem_optimum *o = tpc_problem_optimum(p);
    cr_assert(o != NULL, "%s: %s", specs[s], tpc_error_msg());
    cr_assert(eq(int, o->kind, TPC_CONST_COMPUTED));
    cr_assert(le(dbl, o->accuracy, 1e-10), "%s: accuracy %g", specs[s], o->accuracy);
    double *g = malloc(p->d * sizeof *g), *gt = malloc(p->d * sizeof *gt);
    void *w = work_alloc(p);
    double f = tpc_problem_full_grad(p, o->x, g, gt, w);
    cr_assert(le(dbl, norm2(g, p->d), 1e-10));
    cr_assert(ieee_ulp_eq(dbl, f, o->fstar, 4));
    cr_assert(lt(dbl, f, log(2.0)), "below f(0) = log 2");
    for (size_t i = 0; i < p->n; i++) cr_assert(le(dbl, p->Li[i], p->c.Lmax.value));
    free(g);
    free(gt);
    free(w);
    tpc_problem_free(p);
  }
}

/* Without a regularizer a9a has no minimiser: feature 12 occurs in 14 rows,
** all labelled -1, so f falls for ever as x_12 -> -inf.  (Newton, left to
** itself, creeps on with |grad f| near 1e-14: only the certificate tells.) */
Test(problems_convex, logreg_a9a_without_regularizer_has_no_minimiser) {
  tpc_problem *p = build_ok("logreg(file=a9a,n=10,reg=none)");
  cr_assert(tpc_problem_optimum(p) == NULL);
  cr_assert(strstr(tpc_error_msg(), "feature 12 has y a_12 of one sign (< 0)") != NULL, "%s",
            tpc_error_msg());
  tpc_problem_free(p);
}

Test(problems_convex, autoencoder_has_no_optimum) {
  tpc_problem *p = build_ok("autoenc(file=t10k,n=10,samples=500)");
  cr_assert(eq(int, p->c.convex, 0));
  cr_assert(p->Li == NULL);
  cr_assert(tpc_problem_optimum(p) == NULL);
  cr_assert(strstr(tpc_error_msg(), "no minimiser is known") != NULL, "%s", tpc_error_msg());
  tpc_problem_free(p);
}
