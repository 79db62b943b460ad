/* Template body of scaled.c. */

static void FUNCTION(scaled, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                       tpc_msg *msg, const tpc_ctx *ctx) {
  FUNCTION(tpc_comp, compress)(c->sub[0], x, out, msg, ctx);
  tpc_msg_part *p = &msg->part[msg->nparts - 1];
  p->coef = c->par[0];
  const BASE coef = (BASE)p->coef;
  for (size_t i = 0; i < c->d; i++) out[i] = coef * out[i];
}
