/* Template body of ef21.c: the kernels for one element type. */

/* Append the part of c(x - h) to msg (workspace 0 holds x - h, 1 the
** compressor's output) and return it. */
static tpc_msg_part *FUNCTION(ef21, part)(tpc_mech *m, tpc_comp *c,
                                          const BASE *h, const BASE *x,
                                          tpc_msg *msg, const tpc_ctx *ctx) {
  BASE *e = tpc_mech_buf(m, 0), *q = tpc_mech_buf(m, 1);
  FUNCTION(tpc_mech, sub)(x, h, e, m->d);
  FUNCTION(tpc_comp, compress)(c, e, q, msg, ctx);
  return &msg->part[msg->nparts - 1];
}

static void FUNCTION(ef21, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                  const BASE *x, BASE *out, tpc_msg *msg,
                                  const tpc_ctx *ctx) {
  (void)y;
  tpc_msg_reset(msg);
  FUNCTION(ef21, part)(m, m->comp[0], h, x, msg, ctx);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
}

static void FUNCTION(clag, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                  const BASE *x, BASE *out, tpc_msg *msg,
                                  const tpc_ctx *ctx) {
  double zeta = m->par[0];
  tpc_msg_reset(msg);
  if (FUNCTION(tpc_mech, dist2)(x, h, m->d) >
      zeta * FUNCTION(tpc_mech, dist2)(x, y, m->d))
    FUNCTION(ef21, part)(m, m->comp[0], h, x, msg, ctx);
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
  double bound = m->par[0] * FUNCTION(tpc_mech, dist2)(x, y, m->d);
  BASE *e = tpc_mech_buf(m, 0), *q = tpc_mech_buf(m, 1);
  tpc_msg_reset(msg);
  if (FUNCTION(tpc_mech, dist2)(x, h, m->d) <= bound) {
    FUNCTION(tpc_mech, skip)(m, msg);
    FUNCTION(tpc_mech, finish)(m, h, msg, out);
    return;
  }
  FUNCTION(tpc_mech, sub)(x, h, e, m->d);
  for (size_t j = 0;; j++) {
    tpc_msg_reset(msg);
    FUNCTION(tpc_comp, compress)(m->comp[j], e, q, msg, ctx);
    FUNCTION(tpc_mech, finish)(m, h, msg, out);
    if (j + 1 == m->ncomp || FUNCTION(tpc_mech, dist2)(x, out, m->d) <= bound)
      return;
  }
}

/* The compressor's coefficient (1 for the built-ins) times beta. */
static void FUNCTION(diana, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                   const BASE *x, BASE *out, tpc_msg *msg,
                                   const tpc_ctx *ctx) {
  (void)y;
  tpc_msg_reset(msg);
  tpc_msg_part *p = FUNCTION(ef21, part)(m, m->comp[0], h, x, msg, ctx);
  p->coef *= m->par[0];
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
}
