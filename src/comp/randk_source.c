/* Template body of randk.c (randk and urandk differ only in c->par[1]). */

static void FUNCTION(randk, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                      tpc_msg *msg, const tpc_ctx *ctx) {
  tpc_work *w = c->priv;
  randk_mark(w->mark, c->d, c->k, ctx->rng);
  FUNCTION(tpc_kern, sparse)(w, x, (BASE)c->par[1], c->d, out, msg);
}
