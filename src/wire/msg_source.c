/* Template body of msg.c: tpc_msg_apply for one element type. */

/* Value of coordinate i of a part that is not SKIP, SPARSE or DENSE. */
static BASE FUNCTION(part, value)(const tpc_msg_part *p, size_t i) {
  const BASE scale = (BASE)p->scale;
  switch (p->kind) {
    case TPC_MSG_SIGN:
      return ((p->bits[i / 64] >> (i % 64)) & 1u) ? -scale : scale;
    case TPC_MSG_QUANT:
      return scale * (BASE)p->level[i];
    default: /* TPC_MSG_POW2 */
      return ((const BASE *)p->val)[i];
  }
}

/* v = v + c*q, or v = q when the part is absolute; c is skipped when 1 so
** that the common case is a plain sum. */
static void FUNCTION(part, apply)(const tpc_msg_part *p, BASE *v) {
  const BASE c = (BASE)p->coef;
  const int unit = p->coef == 1.0;
  const BASE *val = (const BASE *)p->val;
  size_t d = p->d;
  if (p->kind == TPC_MSG_SKIP) {
    if (p->absolute)
      for (size_t i = 0; i < d; i++) v[i] = 0;
    return;
  }
  if (p->kind == TPC_MSG_SPARSE) {
    if (p->absolute)
      for (size_t i = 0; i < d; i++) v[i] = 0;
    for (size_t j = 0; j < p->nnz; j++) {
      size_t i = p->idx[j];
      BASE q = unit ? val[j] : c * val[j];
      v[i] = p->absolute ? q : v[i] + q;
    }
    return;
  }
  for (size_t i = 0; i < d; i++) {
    BASE q = p->kind == TPC_MSG_DENSE ? val[i] : FUNCTION(part, value)(p, i);
    if (!unit) q = c * q;
    v[i] = p->absolute ? q : v[i] + q;
  }
}

void FUNCTION(tpc_msg, apply)(const tpc_msg *m, BASE *v) {
  for (size_t k = 0; k < m->nparts; k++) FUNCTION(part, apply)(&m->part[k], v);
}
