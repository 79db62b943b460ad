/* Template body of coin.c: the kernels for one element type. */

/* Heads (probability p = m->par[0], drawn from `coin` unless p = 1): x as a
** DENSE absolute part; tails: the part of C(x - y) added to h. */
static void FUNCTION(coin, apply)(tpc_mech *m, gsl_rng *coin, const BASE *h,
                                  const BASE *y, const BASE *x, BASE *out,
                                  tpc_msg *msg, const tpc_ctx *ctx) {
  double p = m->par[0];
  tpc_msg_reset(msg);
  if (p >= 1 || gsl_rng_uniform(coin) < p) {
    FUNCTION(tpc_mech, dense)(m, x, 0, msg);
  } else {
    FUNCTION(tpc_mech, compress_diff)(m, m->comp[0], x, y, 0, msg, ctx);
  }
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
}

static void FUNCTION(v5, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                const BASE *x, BASE *out, tpc_msg *msg,
                                const tpc_ctx *ctx) {
  FUNCTION(coin, apply)(m, ctx->rng, h, y, x, out, msg, ctx);
}

static void FUNCTION(marina, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                    const BASE *x, BASE *out, tpc_msg *msg,
                                    const tpc_ctx *ctx) {
  FUNCTION(coin, apply)(m, ctx->shared, h, y, x, out, msg, ctx);
}
