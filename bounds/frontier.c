/*
** The empirical A-B frontier of a mechanism (THEORY.md T3's inequality read
** as a set of pairs): for each A, the smallest B that covers every evaluated
** point,
**
**     B_hat(A) = max_i (e_i - (1 - A) u_i) / v_i     (at least 0),
**
** on a log-spaced grid of A in [1e-4, 1] and at the declared A, with e_i the
** estimate of the left side (and, as second and third figures, its lower
** and upper confidence bounds: every pair (A, B) that holds has
** B >= B_lcb(A) at the check's confidence).  For a randomized target the
** points that define the maximum are re-estimated with fresh draws first
** (check.c): the maximum over hundreds of noisy estimates, divided by a small
** v_i, would otherwise be mostly noise.  Then the
** smallest B_hat(A)/A and the Theorem 1 step factor 1/(1 + sqrt(B/A)) it
** implies (T5: gamma <= 1/(L- + L+ sqrt(B/A)), relative to 1/L when
** L- = L+ = L), against the declared one.  The ratio of the two factors is
** the step size the declared constants leave on the table, as far as the
** points found show: the frontier is a lower envelope of the true one.
**
** Each term is linear in A, so B_hat(A)/A = max_i [c_i/A + u_i/v_i] with
** c_i = (e_i - u_i)/v_i is a maximum of monotone functions of A, hence
** quasiconvex: the minimum between the grid's neighbours of its best point
** is found by golden-section search.  The same minimum from the lower
** bounds gives the most step size the points allow at the check's
** confidence (step_gain_max); for a deterministic target the two agree.
*/
#include <math.h>

#include "bounds/internal.h"

double bnd_frontier_B(const bnd_target *t, const tpc_bounds_point *pts, size_t npts,
                      double A, int which, size_t *arg) {
  double B = 0;
  size_t at = npts;
  for (size_t i = 0; i < npts; i++) {
    const tpc_bounds_point *p = &pts[i];
    double slack = t->tol * p->s2;
    double e = fmax((which == 1 ? p->e_lcb : which == 0 ? p->e : p->e_ucb) - slack, 0.0);
    double excess = e - (1.0 - A) * p->u, b = 0;
    if (p->v > 0)
      b = excess / p->v;
    else if (excess > slack || isnan(excess))
      b = INFINITY; /* x = y: no B helps, A must shrink */
    if (b > B) {
      B = b;
      at = i;
    }
  }
  if (arg) *arg = at;
  return B;
}

/* The points and which of their bounds B_hat uses. */
typedef struct curve {
  const bnd_target *t;
  const tpc_bounds_point *pts;
  size_t npts;
  int which;
} curve;

static double ba(const curve *c, double A) {
  return bnd_frontier_B(c->t, c->pts, c->npts, A, c->which, NULL) / A;
}

/* Golden-section minimum of B_hat(A)/A on [lo, hi]. */
static double golden(const curve *cv, double lo, double hi) {
  const double g = 0.5 * (sqrt(5.0) - 1.0);
  double a = lo, b = hi, c = b - g * (b - a), d = a + g * (b - a);
  double fc = ba(cv, c), fd = ba(cv, d);
  for (int it = 0; it < 80 && b - a > 1e-15 * b; it++) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = ba(cv, c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = ba(cv, d);
    }
  }
  return fc <= fd ? c : d;
}

double bnd_frontier_grid(size_t g) {
  return g + 1 == BND_GRID ? 1.0 : pow(10.0, -4.0 + 4.0 * (double)g / (BND_GRID - 1));
}

/* The A that minimizes B_hat(A)/A: the best grid point, refined between its
** neighbours. */
static double argmin_ba(const curve *c) {
  size_t best = 0;
  for (size_t g = 1; g < BND_GRID; g++)
    if (ba(c, bnd_frontier_grid(g)) < ba(c, bnd_frontier_grid(best))) best = g;
  double A = bnd_frontier_grid(best), r = ba(c, A);
  if (r > 0 && isfinite(r)) {
    double lo = bnd_frontier_grid(best > 0 ? best - 1 : 0);
    double hi = bnd_frontier_grid(best + 1 < BND_GRID ? best + 1 : best);
    double a = golden(c, lo, hi);
    if (ba(c, a) < r) A = a;
  }
  return A;
}

static double step_factor(double ba_ratio) { return 1.0 / (1.0 + sqrt(ba_ratio)); }

size_t bnd_frontier(const bnd_target *t, const tpc_bounds_point *pts, size_t npts,
                    tpc_bounds_fpoint *front, tpc_bounds_summary *sum) {
  size_t n = 0;
  for (size_t g = 0; g <= BND_GRID; g++, n++) {
    double A = g < BND_GRID ? bnd_frontier_grid(g) : t->A; /* last: the declared A */
    front[n].A = A;
    front[n].B = bnd_frontier_B(t, pts, npts, A, 0, NULL);
    front[n].B_lcb = bnd_frontier_B(t, pts, npts, A, 1, NULL);
    front[n].B_ucb = bnd_frontier_B(t, pts, npts, A, 2, NULL);
  }
  curve est = {t, pts, npts, 0}, low = {t, pts, npts, 1};
  double A = argmin_ba(&est), Al = argmin_ba(&low);
  sum->front_A = A;
  sum->front_B = bnd_frontier_B(t, pts, npts, A, 0, NULL);
  sum->front_BA = sum->front_B / A;
  sum->front_BA_lcb = ba(&low, Al);
  sum->B_at_A = front[n - 1].B;
  sum->step_emp = step_factor(sum->front_BA);
  sum->step_decl = step_factor(t->B / t->A);
  sum->step_gain = sum->step_emp / sum->step_decl;
  sum->step_gain_max = step_factor(sum->front_BA_lcb) / sum->step_decl;
  return n;
}
