/* Template body of ef21.c: the kernels for one element type. */

static void FUNCTION(ef21, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                  const BASE *x, BASE *out, tpc_msg *msg,
                                  const tpc_ctx *ctx) {
  (void)y;
  tpc_msg_reset(msg);
  FUNCTION(tpc_mech, compress_diff)(m, m->comp[0], x, h, 0, msg, ctx);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
}

static void FUNCTION(clag, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                  const BASE *x, BASE *out, tpc_msg *msg,
                                  const tpc_ctx *ctx) {
  tpc_msg_reset(msg);
  if (FUNCTION(tpc_mech, triggered)(h, y, x, m->par[0], m->d))
    FUNCTION(tpc_mech, compress_diff)(m, m->comp[0], x, h, 0, msg, ctx);
  else
    FUNCTION(tpc_mech, skip)(m, msg);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
}

/* Each level is tried on the same x - h; its error is measured on the output
** the server would rebuild, so an early exit guarantees exactly the error
** bound the AdaCGD row relies on.  The message keeps only the chosen level. */
static void FUNCTION(adacgd, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                    const BASE *x, BASE *out, tpc_msg *msg,
                                    const tpc_ctx *ctx) {
  tpc_msg_reset(msg);
  if (!FUNCTION(tpc_mech, triggered)(h, y, x, m->par[0], m->d)) {
    FUNCTION(tpc_mech, skip)(m, msg);
    FUNCTION(tpc_mech, finish)(m, h, msg, out);
    return;
  }
  for (size_t j = 0;; j++) {
    tpc_msg_reset(msg);
    FUNCTION(tpc_mech, compress_diff)(m, m->comp[j], x, h, 0, msg, ctx);
    FUNCTION(tpc_mech, finish)(m, h, msg, out);
    if (j + 1 == m->ncomp || FUNCTION(tpc_mech, dist2_le)(x, out, m->par[0], x, y, m->d))
      return;
  }
}

/* The compressor's coefficient (1 for the built-ins) times beta. */
static void FUNCTION(diana, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                   const BASE *x, BASE *out, tpc_msg *msg,
                                   const tpc_ctx *ctx) {
  (void)y;
  tpc_msg_reset(msg);
  FUNCTION(tpc_mech, compress_diff)(m, m->comp[0], x, h, 0, msg, ctx)->coef *= m->par[0];
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
}
