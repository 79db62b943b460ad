/* Template body of compose.c. */

static void FUNCTION(compose, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                        tpc_msg *msg, const tpc_ctx *ctx) {
  tpc_msg inner;
  BASE *mid = ((tpc_work *)c->priv)->val;
  tpc_msg_reset(&inner);
  FUNCTION(tpc_comp, compress)(c->sub[1], x, mid, &inner, ctx);
  FUNCTION(tpc_comp, compress)(c->sub[0], mid, out, msg, ctx);
}
