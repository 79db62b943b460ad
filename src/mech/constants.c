/*
** The closed forms of THEORY.md T3 that several mechanisms share, computed
** without cancellation.  EF21's A = 1 - sqrt(1 - alpha) loses most of its
** digits in the naive form when alpha is small (topk(k=1) at d = 1000 has
** alpha = 1e-3), and B = (1 - alpha)/A inherits the error; the declared
** constants are compared with measured ratios, so they are computed here to
** a few ulps instead.
*/
#include <math.h>

#include "mech/mech.h"

/* 1 - sqrt(1 - a) = a / (1 + sqrt(1 - a)): the right side subtracts nothing
** that cancels (1 - a is exact for a >= 1/2 and has no cancellation below). */
double tpc_one_minus_sqrt1m(double a) { return a / (1.0 + sqrt(1.0 - a)); }

void tpc_ef21_constants(double q, double *A, double *B) {
  double a = (1.0 - q) / (1.0 + sqrt(q));
  *A = a;
  *B = q / a;
}

void tpc_ef21_constants_alpha(double alpha, double *A, double *B) {
  *A = tpc_one_minus_sqrt1m(alpha);
  *B = (1.0 - alpha) / *A;
}
