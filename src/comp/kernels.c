/*
** Shared pieces of the built-in compressors (see comp/kernels.h): workspace
** allocation, parameter readers, and the type-generic helpers of
** kernels_source.c instantiated for float and double.
*/
#include "comp/kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

int tpc_work_alloc(tpc_comp *c, unsigned what, size_t aux_bytes) {
  tpc_work *w = c->priv;
  size_t d = c->d;
  if ((what & TPC_WORK_SPARSE) && d > UINT32_MAX)
    return tpc_error(TPC_EINPUT, "%s: d = %zu exceeds the sparse index range",
                     c->type->name, d);
  int ok = 1;
  if (what & (TPC_WORK_VAL | TPC_WORK_SPARSE))
    ok = ok && (w->val = tpc_calloc_aligned(d, sizeof(double))) != NULL;
  if (what & TPC_WORK_SPARSE) {
    ok = ok && (w->idx = tpc_calloc_aligned(d, sizeof(uint32_t))) != NULL;
    ok = ok && (w->mark = tpc_calloc_aligned(d, 1)) != NULL;
  }
  if (aux_bytes > 0)
    ok = ok && (w->aux = tpc_calloc_aligned(aux_bytes, 1)) != NULL;
  if (ok) return TPC_OK;
  tpc_work_destroy(c);
  return tpc_error(TPC_ENOMEM, "%s: out of memory for d = %zu", c->type->name,
                   d);
}

void tpc_work_destroy(tpc_comp *c) {
  tpc_work *w = c->priv;
  if (w == NULL) return;
  free(w->val);
  free(w->idx);
  free(w->mark);
  free(w->aux);
  memset(w, 0, sizeof *w);
}

int tpc_comp_param_real(const tpc_spec *s, const char *key, double lo,
                        int lo_open, double hi, int integer, double *v) {
  const tpc_spec_param *p = tpc_spec_param_find(s, key);
  if (p == NULL)
    return tpc_error(TPC_EINPUT, "%s: missing parameter %s", s->name, key);
  double x = p->value;
  int in = lo_open ? x > lo : x >= lo;
  if (integer && x != floor(x))
    return tpc_error(TPC_EINPUT, "%s: %s = %g is not an integer", s->name,
                     key, x);
  if (!in || !(x <= hi))
    return tpc_error(TPC_EINPUT, "%s: %s = %g is outside %c%g, %g]", s->name,
                     key, x, lo_open ? '(' : '[', lo, hi);
  *v = x;
  return TPC_OK;
}

int tpc_comp_param_k(tpc_comp *c, const tpc_spec *s) {
  const tpc_spec_param *pk = tpc_spec_param_find(s, "k");
  const tpc_spec_param *pr = tpc_spec_param_find(s, "ratio");
  double k;
  if ((pk == NULL) == (pr == NULL))
    return tpc_error(TPC_EINPUT, "%s: give exactly one of k and ratio",
                     s->name);
  if (pk != NULL) {
    k = pk->value;
    if (k != floor(k) || k < 1)
      return tpc_error(TPC_EINPUT, "%s: k = %g must be an integer >= 1",
                       s->name, k);
    if (k > (double)c->d)
      return tpc_error(TPC_EINPUT, "%s: k = %g exceeds d = %zu", s->name, k,
                       c->d);
  } else {
    if (!(pr->value > 0 && pr->value <= 1))
      return tpc_error(TPC_EINPUT, "%s: ratio = %g is outside (0, 1]",
                       s->name, pr->value);
    if (c->d == 0)
      return tpc_error(TPC_EINPUT, "%s: d = 0 leaves nothing to keep",
                       s->name);
    k = fmax(1.0, round(pr->value * (double)c->d));
  }
  c->k = (size_t)k;
  c->par[0] = k;
  return TPC_OK;
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/kernels_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/kernels_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64
