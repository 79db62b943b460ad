/*
** Statistics of tpc bounds: running moments, the empirical Bernstein bound
** of Maurer and Pontil (2009), the lower bound of a non-negative mean that
** decides violations, the test of a zero mean that decides unbiasedness,
** the face-value p-values that only flag a doubt, and Holm's step-down
** correction.  THEORY.md T-STATS states the inequalities behind each.
**
** Why these.  A randomized compressor's error E||C(x) - x||^2 is estimated
** from M draws, and a verdict of "violated" must hold at the stated
** confidence whatever the draw distribution is, rare events included: a
** compressor that sends x/p with probability p has an error of ||x||^2/p^2
** that M draws may never show.  Empirical Bernstein (Maurer & Pontil 2009,
** Theorem 4) adapts to the variance but needs a support [0, R] fixed in
** advance; the observed largest value is not one.  So:
**
**  - tpc_bounds_lcb truncates the error at a level L fixed before the draws
**    (one of a geometric grid above a reference the caller derives from
**    the point, not from the draws) and takes the first level above the
**    largest draw, with a union bound over the levels: E X >= E min(X, L),
**    and min(X, L) has the support [0, L], so the bound is Theorem 4's.
**  - tpc_bounds_mean0_p tests E Z = 0 using only what the declaration
**    itself gives: E Z^2 <= sigma^2 (the declared omega bounds the spread
**    of every projection of C(x) - x).  No range is assumed, so a rare
**    event never drawn cannot turn into a false rejection.
**  - The face-value p-values (bernstein_p, const_p) take the observed range
**    for the support.  They are no evidence of a violation; a test they
**    reject and the sound one does not is reported as inconclusive, with
**    the draws that the sound test would need (tpc_bounds_mean0_draws).
**
** The upper bound (tpc_bounds_bernstein with the observed range, bounds/eval.c
** bnd_ucb) remains a heuristic: no sample bounds a tail it has not seen, and
** an upper bound decides no verdict.
*/
#ifndef TPC_BOUNDS_STATS_H
#define TPC_BOUNDS_STATS_H

#include <math.h>
#include <stddef.h>

/* fmax(m, x) and fmin(m, x) as libm returns them (a NaN x is ignored; of
** two equal values, ±0 included, x), inline: the loops over d entries a draw
** (the running range, a point's largest magnitude) call them, and libm's
** are calls (a sixth of tpc bounds' time at d = 1e5 for TopK).  | rather
** than ||: without a branch, gcc vectorizes the loops that call them. */
static inline double tpc_bounds_fmax(double m, double x) { return isnan(x) | (m > x) ? m : x; }
static inline double tpc_bounds_fmin(double m, double x) { return isnan(x) | (m < x) ? m : x; }

/* Welford's running mean and sum of squared deviations, with the range. */
typedef struct tpc_bounds_acc {
  size_t n;
  double mean, m2, min, max;
} tpc_bounds_acc;

void tpc_bounds_acc_init(tpc_bounds_acc *a);

/* Add x (Welford's update).  Inline: the unbiasedness test adds d values a
** draw, and a call per value kept its loop from holding its sums in
** registers. */
static inline void tpc_bounds_acc_add(tpc_bounds_acc *a, double x) {
  a->n++;
  double delta = x - a->mean;
  a->mean += delta / (double)a->n;
  a->m2 += delta * (x - a->mean);
  a->min = tpc_bounds_fmin(a->min, x);
  a->max = tpc_bounds_fmax(a->max, x);
}

/* Sample variance (divisor n - 1); 0 for fewer than two values. */
double tpc_bounds_acc_var(const tpc_bounds_acc *a);

/* Half-width of Maurer-Pontil's one-sided bound at level delta:
** sqrt(2 V ln(2/delta) / n) + 7 R ln(2/delta) / (3 (n - 1)), with V the
** sample variance and R the width of the support; 0 for n < 2 (an exact
** value).  With R the observed range it is a heuristic (see above): the
** upper bounds e_ucb use it, no verdict does. */
double tpc_bounds_bernstein(const tpc_bounds_acc *a, double delta, double range);

/* Lower confidence bound at level delta on the mean of a non-negative
** variable from its draws in a (THEORY.md T-STATS, truncation): with the
** levels L_j = ref 2^(j/4), j >= 0, and L_j the first at or above the
** largest draw, the mean minus Maurer-Pontil's half-width for the support
** [0, L_j] at level delta / ((j + 1)(j + 2)) (the weights sum to 1), at
** least 0.  ref > 0 must not depend on the draws (the declared right side
** of the point).  One draw is exact (its mean); a draw that overflowed to
** infinity gives 0 (an overflow is no evidence of an infinite mean). */
double tpc_bounds_lcb(const tpc_bounds_acc *a, double delta, double ref);

/* The draws n at which tpc_bounds_lcb of draws with a's sample variance and
** largest value would exceed `above` if their mean were `mean`: the smallest
** n with mean - halfwidth(n) > above, found by bisection; 0 when a has
** fewer than 2 draws, HUGE_VAL when mean <= above. */
double tpc_bounds_lcb_draws(const tpc_bounds_acc *a, double delta, double ref, double mean,
                            double above);

/* Checkpoints of a sequential estimate (THEORY.md T-STATS, sequential
** draws): n_0 = first, n_j = min(2^j first, last), the last one `last`;
** one checkpoint when first >= last.  A bound taken at whichever checkpoint
** the draws stop uses the level delta / tpc_bounds_seq_count: the union
** bound over the checkpoints makes it valid at that random stopping time. */
size_t tpc_bounds_seq_count(size_t first, size_t last);
size_t tpc_bounds_seq_at(size_t first, size_t last, size_t j);

/* p-value of "E Z = 0" for the draws Z_1..Z_n in a, under the declared
** bound E Z^2 <= sigma^2 (THEORY.md T-STATS, unbiasedness): the mixture over
** the grid beta = +-2^(-i/2), i < TPC_BOUNDS_MEAN0_GRID, of the e-values
** exp(sum_j (b Z_j - b^2 Z_j^2 / 2) - n ln(1 + beta^2 / 2)), b = beta/sigma,
** each of expectation at most 1 under the hypothesis because
** exp(u - u^2/2) <= 1 + u + u^2/2 for every real u; p = 1/mixture, at most
** 1.  Valid for any distribution with that second moment, rare events
** included.  A sigma that is not finite and positive gives 1. */
#define TPC_BOUNDS_MEAN0_GRID 24
double tpc_bounds_mean0_p(const tpc_bounds_acc *a, double sigma);

/* The draws n at which tpc_bounds_mean0_p would fall to `level` if the
** draws kept a's mean and mean square: the smallest n with n g >=
** ln(2 GRID / level) for the best grid point's rate g per draw (the
** mixture is at least 1/(2 GRID) of its best term); HUGE_VAL when no
** grid point has a positive rate. */
double tpc_bounds_mean0_draws(const tpc_bounds_acc *a, double sigma, double level);

/* Face-value two-sided p-value of "the mean is 0" for n values with this
** mean, sample variance and range (max - min), by inverting the empirical
** Bernstein bound: the smallest delta at which the two-sided bound (each
** side at delta/2) excludes 0.  Student's t would be sharper, and wrong: on
** the skewed draws of a sparsifier (9 x_i with probability 0.1, else -x_i)
** a low count of the rare value shrinks the sample variance with the mean,
** and t at 2000 draws rejects far more often than its level.  A mean
** within `tol` of 0 gives 1 (floating-point noise is no evidence).  The
** observed range stands for the support: a doubt, not evidence. */
double tpc_bounds_bernstein_p(double mean, double var, double range, size_t n, double tol);

/* Face-value p-value of "the mean is 0" when all n values equal c: the
** largest probability of that event for a variable of mean 0 whose support
** lies in [-R, R], (R / (R + |c|))^n (the rest of the mass at the far end),
** with R the range observed: a doubt, not evidence. */
double tpc_bounds_const_p(double c, double range, size_t n);

/* Holm's step-down procedure at family-wise level `level` over m p-values:
** the number of rejected hypotheses, and in *p_adj the smallest
** Holm-adjusted p-value (min(1, m p_min); 1 when m = 0).  p is reordered. */
size_t tpc_bounds_holm(double *p, size_t m, double level, double *p_adj);

#endif
