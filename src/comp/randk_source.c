/* Template body of randk.c (randk and urandk differ only in c->par[1]). */

static void FUNCTION(randk, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                      tpc_msg *msg, const tpc_ctx *ctx) {
  tpc_work *w = c->priv;
  size_t d = c->d, k = c->k;
  uint32_t *idx = w->idx;
  BASE *val = w->val;
  const BASE scale = (BASE)c->par[1];
  randk_mark(w->aux, d, k, idx, ctx->rng);
  randk_list(w->aux, d, idx);
  memset(out, 0, d * sizeof(BASE));
  for (size_t j = 0; j < k; j++) {
    if (j + RANDK_AHEAD < k) {
      __builtin_prefetch(x + idx[j + RANDK_AHEAD]);
      __builtin_prefetch(out + idx[j + RANDK_AHEAD], 1);
    }
    val[j] = out[idx[j]] = scale * x[idx[j]];
  }
  tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_SPARSE, DTYPE, d);
  p->nnz = k;
  p->idx = idx;
  p->val = val;
}
