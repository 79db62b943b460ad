/* Template body of identity.c. */

static void FUNCTION(identity, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                         tpc_msg *msg, const tpc_ctx *ctx) {
  (void)ctx;
  memcpy(((tpc_work *)c->priv)->val, x, c->d * sizeof(BASE));
  FUNCTION(tpc_kern, dense)(c->priv, c->d, out, msg);
}
