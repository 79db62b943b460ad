/*
** Shared pieces of the built-in mechanisms (see mech/common.h): workspace,
** parameter and class checks, the EF21 constant formula, and the helpers of
** common_source.c instantiated for float and double.
*/
#include "mech/common.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

int tpc_mech_work_alloc(tpc_mech *m, size_t nbuf) {
  if (m->d > SIZE_MAX / nbuf)
    return tpc_error(TPC_ENOMEM, "%s: d = %zu is too large", m->type->name,
                     m->d);
  m->work = tpc_calloc_aligned(nbuf * m->d, sizeof(double));
  if (m->work == NULL)
    return tpc_error_prefix(TPC_ENOMEM, "%s: ", m->type->name);
  return TPC_OK;
}

void tpc_mech_work_destroy(tpc_mech *m) {
  free(m->work);
  m->work = NULL;
}

int tpc_mech_param_zeta(tpc_mech *m, const tpc_spec *s, size_t slot) {
  const tpc_spec_param *p = tpc_spec_param_find(s, "zeta");
  if (p == NULL)
    return tpc_error(TPC_EINPUT, "%s: missing parameter zeta", m->type->name);
  if (!(p->value >= 0 && isfinite(p->value)))
    return tpc_error(TPC_EINPUT, "%s: zeta = %g must be finite and >= 0",
                     m->type->name, p->value);
  m->par[slot] = p->value;
  return TPC_OK;
}

int tpc_mech_param_prob(tpc_mech *m, const tpc_spec *s, size_t slot) {
  const tpc_spec_param *p = tpc_spec_param_find(s, "p");
  if (p == NULL)
    return tpc_error(TPC_EINPUT, "%s: missing parameter p", m->type->name);
  if (!(p->value > 0 && p->value <= 1))
    return tpc_error(TPC_EINPUT, "%s: p = %g is outside (0, 1]",
                     m->type->name, p->value);
  m->par[slot] = p->value;
  return TPC_OK;
}

int tpc_mech_need_class(const tpc_mech *m, size_t i, tpc_class need,
                        tpc_comp_consts *k) {
  tpc_comp_consts_get(m->comp[i], k);
  if (k->cls & need) return TPC_OK;
  return tpc_error(TPC_EINPUT, "%s: argument %zu, %s, is not %s (T1)",
                   m->type->name, i + 1, m->comp[i]->type->name,
                   need == TPC_CLASS_CONTRACTIVE ? "contractive" : "unbiased");
}

double tpc_mech_alpha(const tpc_mech *m, size_t i) {
  tpc_comp_consts k;
  tpc_comp_consts_get(m->comp[i], &k);
  return k.alpha;
}

int tpc_mech_comps_deterministic(const tpc_mech *m) {
  for (size_t i = 0; i < m->ncomp; i++) {
    tpc_comp_consts k;
    tpc_comp_consts_get(m->comp[i], &k);
    if (!k.deterministic) return 0;
  }
  return 1;
}

/* Two parts for the rows that send an intermediate point and a correction,
** the inner mechanism's plus one for 3PCv3, one for every other row. */
size_t tpc_mech_maxparts(const tpc_mech *m) {
  const tpc_mech_type *t = m->type;
  if (t == &tpc_mech_3pcv3) return tpc_mech_maxparts(m->inner) + 1;
  if (t == &tpc_mech_3pcv1 || t == &tpc_mech_3pcv2 || t == &tpc_mech_3pcv4)
    return 2;
  for (size_t i = 0; tpc_builtin_mechs[i] != NULL; i++)
    if (t == tpc_builtin_mechs[i]) return 1;
  return TPC_MSG_MAXPARTS - 1;
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "mech/common_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "mech/common_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64
