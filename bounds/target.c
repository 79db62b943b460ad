/*
** The target of a check: what one spec declares, read from an instance built
** at the run's d and n, turned into the right side rhs = cu u + cv v + cw w
** of the inequality that is checked (bounds/bounds.h lists them), and the
** trigger parameters (zeta) of LAG, CLAG and AdaCGD anywhere in the spec
** tree, which the boundary family aims at.
*/
#include <float.h>
#include <math.h>
#include <string.h>

#include "bounds/internal.h"
#include "core/error.h"

/* Collect every parameter named zeta in the tree (depth first). */
static void find_zeta(const tpc_spec *s, bnd_target *t) {
  const tpc_spec_param *p = tpc_spec_param_find(s, "zeta");
  if (p && !p->text && t->nzeta < BND_MAX_ZETA) t->zeta[t->nzeta++] = p->value;
  for (size_t i = 0; i < s->nargs; i++) find_zeta(s->args[i], t);
}

static int comp_target(bnd_target *t) {
  int status = TPC_OK;
  tpc_comp *c = tpc_comp_alloc(t->reg, t->spec, t->d, t->n, &status);
  if (!c) return status;
  tpc_comp_consts k;
  tpc_comp_consts_get(c, &k);
  tpc_comp_free(c);
  t->is_comp = 1;
  t->deterministic = k.deterministic;
  t->alpha = (k.cls & TPC_CLASS_CONTRACTIVE) ? k.alpha : 0;
  t->omega = (k.cls & TPC_CLASS_UNBIASED) ? k.omega : 0;
  t->unbiased = (k.cls & TPC_CLASS_UNBIASED) != 0;
  switch (k.cls) {
    case TPC_CLASS_CONTRACTIVE:
      t->check = TPC_CHECK_ALPHA;
      t->cu = 1.0 - k.alpha;
      break;
    case TPC_CLASS_UNBIASED:
      t->check = TPC_CHECK_OMEGA;
      t->cu = k.omega;
      break;
    case TPC_CLASS_BOTH:
      t->check = TPC_CHECK_BOTH;
      t->cu = fmin(1.0 - k.alpha, k.omega);
      break;
    default:
      /* Nothing declared: the ratio is E||C(x) - x||^2/||x||^2 itself. */
      t->check = TPC_CHECK_NONE;
      t->cu = 1.0;
      break;
  }
  return TPC_OK;
}

static int mech_target(bnd_target *t) {
  int status = TPC_OK;
  tpc_mech *m = tpc_mech_alloc(t->reg, t->spec, t->d, t->n, &status);
  if (!m) return status;
  tpc_mech_consts k;
  tpc_mech_consts_get(m, &k);
  tpc_mech_free(m);
  t->deterministic = k.deterministic;
  t->has_AB = k.has_AB;
  t->A = k.has_AB ? k.A : 0;
  t->B = k.has_AB ? k.B : 0;
  switch (k.ineq) {
    case TPC_INEQ_AGGREGATE:
      t->check = TPC_CHECK_AGGREGATE;
      t->ncl = t->n;
      t->cu = 1.0 - k.A;
      t->cv = k.B;
      break;
    case TPC_INEQ_SHIFT:
      t->check = TPC_CHECK_SHIFT;
      t->c = k.shift_c;
      t->cw = k.shift_c;
      t->unbiased = k.unbiased;
      break;
    default:
      t->check = TPC_CHECK_3PC;
      t->cu = 1.0 - k.A;
      t->cv = k.B;
      break;
  }
  return TPC_OK;
}

int bnd_target_init(bnd_target *t, const tpc_registry *reg, const tpc_spec *spec,
                    const tpc_bounds_opts *o) {
  memset(t, 0, sizeof *t);
  t->reg = reg;
  t->spec = spec;
  t->o = o;
  t->d = o->d;
  t->n = o->n;
  t->ncl = 1;
  tpc_kind kind = tpc_registry_kind(reg, spec->name);
  int status = kind == TPC_KIND_COMP   ? comp_target(t)
               : kind == TPC_KIND_MECH ? mech_target(t)
                                       : tpc_error(TPC_EINPUT, "unknown name '%s'", spec->name);
  if (status != TPC_OK) return status;
  t->len = t->ncl * t->d;
  find_zeta(spec, t);
  /* Each of e, u, v, w is a sum of len squares of differences in double:
  ** rounding bounds its relative error by about (len + 2) eps (Higham's
  ** gamma_n), the declared constants carry a few ulps, and the output
  ** itself is rounded once or twice per coordinate, in the kernel's dtype,
  ** relative to the vectors' magnitudes (s2).  Four times the first, plus 64
  ** ulps of the dtype: a few hundred double ulps at d = 100, and 64 float
  ** ulps (7.6e-6) more for float32 kernels. */
  double ulp = o->dtype == TPC_F32 ? (double)FLT_EPSILON : DBL_EPSILON;
  t->tol = 4.0 * (double)t->len * DBL_EPSILON + 64.0 * ulp;
  /* Points stay far inside the dtype's range, so no square or scaled copy
  ** overflows in a kernel that computes in its own type. */
  t->max_mag = o->dtype == TPC_F32 ? 1e30 : 1e290;
  return TPC_OK;
}
