/* Template body of permk.c. */

static void FUNCTION(permk, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                      tpc_msg *msg, const tpc_ctx *ctx) {
  permk_mark(c, ctx);
  FUNCTION(tpc_kern, sparse)(c->priv, x, (BASE)c->n, c->d, out, msg);
}
