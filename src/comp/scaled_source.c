/* Template body of scaled.c.
**
** The scale multiplies the sub-compressor's own coefficient (1 for the
** built-ins, anything for a plugin) and out is rebuilt from the part the way
** the server decodes it, so out equals coef * decode(part) exactly. */

static void FUNCTION(scaled, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                       tpc_msg *msg, const tpc_ctx *ctx) {
  FUNCTION(tpc_comp, compress)(c->sub[0], x, out, msg, ctx);
  tpc_msg_part *p = &msg->part[msg->nparts - 1];
  p->coef *= c->par[0];
  tpc_msg one = {.nparts = 1, .part = {*p}};
  memset(out, 0, c->d * sizeof(BASE));
  FUNCTION(tpc_msg, apply)(&one, out);
}
