/*
** A certified upper bound on the largest eigenvalue of a symmetric matrix,
** for smoothness constants that must be upper bounds despite rounding
** (logistic regression, THEORY.md T6).
**
** gsl_eigen_symm gives an estimate lambda.  We then pick t slightly above it
** and show t I - A is positive semidefinite up to a margin: if the floating-
** point Cholesky factorization of the computed B = fl(t I - A) runs to the
** end, then B + dB = R^T R is PSD with |dB_ij| <= g sqrt(B_ii B_jj),
** g = gamma_{d+1} / (1 - gamma_{d+1}) (Demmel's bound, Higham, Accuracy and
** Stability, Thm 10.5 and eq. 10.12; Rump, BIT 46 (2006), Lemma 2.1), so
** lambda_min(B) >= -g tr(B).  Forming B rounds only its diagonal, by at most
** u B_jj.  Hence
**   lambda_max(A) <= t + g tr(B) + u max_j B_jj   (+ an underflow term)
** for the A that was passed in.  The unblocked factorization is written out
** here, with no fused multiply-add (-ffp-contract=off), so the bound's
** assumptions (plain IEEE operations) hold; it also serves quadfile.c, where
** a failure must be a status, not GSL's error handler.  A matrix too large
** to certify (||A||_F past DBL_MAX / (8 (d + 1)), or entries not finite)
** gets +inf, a true bound that the data types report as data too large.
*/
#include <float.h>
#include <gsl/gsl_eigen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "problems/internal.h"

double tpc_problem_gamma(double k) {
  double ku = k * (DBL_EPSILON / 2);
  return ku / (1 - ku);
}

int tpc_problem_cholesky(double *b, size_t d) {
  for (size_t j = 0; j < d; j++) {
    double s = b[j * d + j];
    for (size_t k = 0; k < j; k++) s -= b[j * d + k] * b[j * d + k];
    if (!(s > 0)) return 0;
    double r = sqrt(s);
    b[j * d + j] = r;
    for (size_t i = j + 1; i < d; i++) {
      double v = b[i * d + j];
      for (size_t k = 0; k < j; k++) v -= b[i * d + k] * b[j * d + k];
      b[i * d + j] = v / r;
    }
  }
  return 1;
}

static double frobenius(const double *a, size_t d) {
  double f = 0;
  for (size_t k = 0; k < d * d; k++) f += a[k] * a[k];
  return sqrt(f);
}

/* The estimate of lambda_max from GSL; a is overwritten. */
static int estimate(double *a, size_t d, double *lmax) {
  gsl_matrix_view m = gsl_matrix_view_array(a, d, d);
  gsl_vector *ev = gsl_vector_alloc(d);
  gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(d);
  int rc = TPC_OK;
  if (!ev || !ws)
    rc = tpc_error(TPC_ENOMEM, "out of memory for a %zu x %zu eigenproblem", d, d);
  else if (gsl_eigen_symm(&m.matrix, ev, ws))
    rc = tpc_error(TPC_EINTERNAL, "gsl_eigen_symm failed (d = %zu)", d);
  else
    *lmax = gsl_vector_max(ev);
  gsl_vector_free(ev);
  gsl_eigen_symm_free(ws);
  return rc;
}

/* Past this ||A||_F, t I - A and its trace may leave the double range (t is
** about ||A||_F, the trace d + 1 times that, with room to spare). */
static double fro_limit(size_t d) { return DBL_MAX / (8.0 * ((double)d + 1)); }

/* The bound from the estimate lmax of the matrix orig (||orig||_F = fro):
** raise t = lmax + delta until the Cholesky factorization of t I - orig
** (into b) runs to the end, then add the rounding margin. */
static int certify(const double *orig, double *b, size_t d, double lmax, double fro,
                   double *bound) {
  size_t dd = d * d;
  double delta = 1e-12 * fabs(lmax) + (double)d * DBL_EPSILON * fro + DBL_MIN;
  const double u = DBL_EPSILON / 2, g = tpc_problem_gamma((double)d + 1);
  for (int tries = 0; tries < 200 && isfinite(delta); tries++) {
    double t = lmax + delta, tr = 0, maxdiag = 0;
    for (size_t k = 0; k < dd; k++) b[k] = -orig[k];
    for (size_t j = 0; j < d; j++) {
      b[j * d + j] = t - orig[j * d + j];
      tr += b[j * d + j];
      maxdiag = fmax(maxdiag, b[j * d + j]);
    }
    if (tpc_problem_cholesky(b, d)) {
      /* tr was summed in floating point: (1 + gamma_d) covers it; the final
      ** 4u |bound| covers the few roundings of this expression. */
      double margin = g / (1 - g) * tr * (1 + tpc_problem_gamma((double)d)) + u * maxdiag +
                      4.0 * (double)d * (2.0 * (double)(d + 1) + maxdiag) * DBL_TRUE_MIN;
      *bound = t + margin;
      *bound += 4 * u * fabs(*bound);
      return TPC_OK;
    }
    delta *= 4;
  }
  return tpc_error(TPC_EINTERNAL, "could not certify lambda_max (estimate %g)", lmax);
}

int tpc_problem_lambda_max_bound(double *a, size_t d, double *bound) {
  /* Entries too large to square and sum, or not finite, admit no finite
  ** certified bound; +inf is still a true one, and the caller, which knows
  ** where the matrix came from, reports it.  Likewise when GSL's estimate
  ** overflowed inside. */
  double fro = frobenius(a, d);
  *bound = INFINITY;
  if (!(fro <= fro_limit(d))) return TPC_OK;
  size_t dd = d * d;
  double *b = malloc(dd * sizeof *b), *orig = malloc(dd * sizeof *orig);
  if (!b || !orig) {
    free(b);
    free(orig);
    return tpc_error(TPC_ENOMEM, "out of memory for a %zu x %zu matrix", d, d);
  }
  memcpy(orig, a, dd * sizeof *a);
  double lmax = 0;
  int rc = estimate(a, d, &lmax);
  if (!rc && isfinite(lmax)) rc = certify(orig, b, d, lmax, fro, bound);
  free(b);
  free(orig);
  return rc;
}
