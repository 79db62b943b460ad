/* Template body of topk.c: select, then zero out and scatter the k kept
** values into it and into the SPARSE part (in one streaming pass where x
** and out exceed the cache, topk_dense_use). */

static void FUNCTION(topk, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                     tpc_msg *msg, const tpc_ctx *ctx) {
  (void)ctx;
  tpc_work *w = c->priv;
  const topk_state *st = w->aux;
  uint32_t *idx = w->idx;
  BASE *val = w->val;
  size_t d = c->d, k = c->k;
  st->impl[DTYPE]->TOPK_CAT(select_, SHORT)(
      x, d, k, idx, (unsigned char *)w->aux + TOPK_STATE_BYTES);
  if (st->dense[DTYPE]) {
    TOPK_CAT(tpc_topk_dense_avx2_, SHORT)(x, d, idx, k, out, val);
  } else {
    memset(out, 0, d * sizeof(BASE));
    /* The kept elements' lines of x and out, mostly out of L2 at large
    ** d, are fetched 32 indices ahead: the increasing but irregular
    ** addresses escape the hardware prefetcher (TopK at 2^20 and 2^24, k
    ** = d/100: about 10% less time on an Intel Xeon). */
    for (size_t j = 0; j < k; j++) {
      size_t i = idx[j], ahead = idx[j + 32 < k ? j + 32 : j];
      __builtin_prefetch(x + ahead);
      __builtin_prefetch(out + ahead, 1);
      val[j] = out[i] = x[i];
    }
  }
  tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_SPARSE, DTYPE, d);
  p->nnz = k;
  p->idx = idx;
  p->val = val;
}
