/*
** Statistics of tpc bounds: running moments, the one-sided empirical
** Bernstein bound of Maurer and Pontil (2009) and the p-values it gives, a
** bound for draws that never varied, and Holm's step-down correction.
**
** Why these: a randomized compressor's error E||C(x) - x||^2 is estimated
** from M draws, and the verdict must say how far the mean can be from the
** estimate.  Empirical Bernstein (Maurer & Pontil 2009, Theorem 4) adapts to
** the variance, so a draw distribution with little spread (RandK on equal
** magnitudes has none) gives a bound nearly as tight as the floating-point
** allowance, and a wide one stays honest.  The theorem needs a range [0, R]
** holding the draws; for an arbitrary compressor (a plugin) it is not known,
** and the caller passes the largest value observed: the error is
** non-negative, so the support starts at 0 whatever was drawn (RandK on a
** 1-hot vector draws ||x||^2 nine times in ten and 0 otherwise: 64 draws
** that all hit ||x||^2 must not read as an error of ||x||^2 for sure), and
** only its upper end is estimated.  An estimated range makes the bound a
** heuristic, not Theorem 4's guarantee: a range too small narrows both
** sides.  A rare large error never drawn also lowers the sample mean, which
** pulls the lower bound down with it, and the worst points are re-estimated
** with fresh streams and 16M draws before any verdict (bounds/check.c); a
** range derived from the declared constants would make it rigorous.
*/
#ifndef TPC_BOUNDS_STATS_H
#define TPC_BOUNDS_STATS_H

#include <stddef.h>

/* Welford's running mean and sum of squared deviations, with the range. */
typedef struct tpc_bounds_acc {
  size_t n;
  double mean, m2, min, max;
} tpc_bounds_acc;

void tpc_bounds_acc_init(tpc_bounds_acc *a);
void tpc_bounds_acc_add(tpc_bounds_acc *a, double x);

/* Sample variance (divisor n - 1); 0 for fewer than two values. */
double tpc_bounds_acc_var(const tpc_bounds_acc *a);

/* Half-width of Maurer-Pontil's one-sided bound at level delta:
** sqrt(2 V ln(2/delta) / n) + 7 R ln(2/delta) / (3 (n - 1)), with V the
** sample variance and R the width of the support; 0 for n < 2 (an exact
** value). */
double tpc_bounds_bernstein(const tpc_bounds_acc *a, double delta, double range);

/* Two-sided p-value of "the mean is 0" for n values with this mean, sample
** variance and range (max - min), by inverting the empirical Bernstein
** bound: the smallest delta at which the two-sided bound (each side at
** delta/2) excludes 0.  Student's t would be sharper, and wrong: on the
** skewed draws of a sparsifier (9 x_i with probability 0.1, else -x_i) a
** low count of the rare value shrinks the sample variance with the mean,
** and t at 2000 draws rejects far more often than its level.  A mean within
** `tol` of 0 gives 1 (floating-point noise is no evidence). */
double tpc_bounds_bernstein_p(double mean, double var, double range, size_t n, double tol);

/* p-value of "the mean is 0" when all n values equal c: the largest
** probability of that event for a variable of mean 0 whose support lies in
** [-R, R], (R / (R + |c|))^n (the rest of the mass at the far end).  R is
** the plausible range of the values, taken from what was observed. */
double tpc_bounds_const_p(double c, double range, size_t n);

/* Holm's step-down procedure at family-wise level `level` over m p-values:
** the number of rejected hypotheses, and in *p_adj the smallest
** Holm-adjusted p-value (min(1, m p_min); 1 when m = 0).  p is reordered. */
size_t tpc_bounds_holm(double *p, size_t m, double level, double *p_adj);

#endif
