/* Template body of bernoulli.c. */

static void FUNCTION(bernoulli, compress)(tpc_comp *c, const BASE *x,
                                          BASE *out, tpc_msg *msg,
                                          const tpc_ctx *ctx) {
  tpc_work *w = c->priv;
  size_t d = c->d;
  if (!(gsl_rng_uniform(ctx->rng) < c->par[0])) {
    memset(out, 0, d * sizeof(BASE));
    tpc_msg_add(msg, TPC_MSG_SKIP, DTYPE, d);
    return;
  }
  const BASE p = (BASE)c->par[0];
  BASE *val = w->val;
  for (size_t i = 0; i < d; i++) val[i] = x[i] / p;
  FUNCTION(tpc_kern, dense)(w, d, out, msg);
}
