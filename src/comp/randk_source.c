/* Template body of randk.c (randk and urandk differ only in the scale). */

/* The portable path (randk.c): the subset marked, the indices listed, out
** zeroed, the kept values written to out and val. */
static void FUNCTION(randk, scatter)(tpc_comp *c, const BASE *x, BASE *out, BASE scale,
                                     gsl_rng *r) {
  tpc_work *w = c->priv;
  size_t k = c->k;
  uint32_t *idx = w->idx;
  BASE *val = w->val;
  randk_mark(c, w->aux, idx, r);
  randk_list(w->aux, c->d, idx);
  memset(out, 0, c->d * sizeof(BASE));
  for (size_t j = 0; j < k; j++) {
    if (j + RANDK_AHEAD < k) {
      __builtin_prefetch(x + idx[j + RANDK_AHEAD]);
      __builtin_prefetch(out + idx[j + RANDK_AHEAD], 1);
    }
    val[j] = out[idx[j]] = scale * x[idx[j]];
  }
}

static void FUNCTION(randk, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                      tpc_msg *msg, const tpc_ctx *ctx) {
  tpc_work *w = c->priv;
  const BASE scale = (BASE)randk_state_of(c)->scale;
  if (!RANDK_FAST(c, x, out, scale, ctx->rng))
    FUNCTION(randk, scatter)(c, x, out, scale, ctx->rng);
  tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_SPARSE, DTYPE, c->d);
  p->nnz = c->k;
  p->idx = w->idx;
  p->val = w->val;
}
