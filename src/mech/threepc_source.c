/* Template body of threepc.c: the kernels for one element type. */

/* With b in out: append the part of c(x - b) (workspace `slot` holds x - b,
** slot + 1 the compressor's output) and rebuild out = b + c(x - b) from h
** and the whole message. */
static void FUNCTION(threepc, correct)(tpc_mech *m, tpc_comp *c, size_t slot,
                                       const BASE *h, const BASE *x,
                                       BASE *out, tpc_msg *msg,
                                       const tpc_ctx *ctx) {
  BASE *e = tpc_mech_buf(m, slot), *q = tpc_mech_buf(m, slot + 1);
  FUNCTION(tpc_mech, sub)(x, out, e, m->d);
  FUNCTION(tpc_comp, compress)(c, e, q, msg, ctx);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
}

/* Append the part of c(a - b) (workspace 0 holds a - b, 1 the compressor's
** output) and set out to h with the message so far applied: b. */
static void FUNCTION(threepc, first)(tpc_mech *m, tpc_comp *c, const BASE *a,
                                     const BASE *b, const BASE *h, BASE *out,
                                     tpc_msg *msg, const tpc_ctx *ctx) {
  BASE *e = tpc_mech_buf(m, 0), *q = tpc_mech_buf(m, 1);
  FUNCTION(tpc_mech, sub)(a, b, e, m->d);
  FUNCTION(tpc_comp, compress)(c, e, q, msg, ctx);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
}

static void FUNCTION(v1, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                const BASE *x, BASE *out, tpc_msg *msg,
                                const tpc_ctx *ctx) {
  tpc_msg_reset(msg);
  FUNCTION(tpc_mech, dense)(m, y, 0, msg);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
  FUNCTION(threepc, correct)(m, m->comp[0], 1, h, x, out, msg, ctx);
}

static void FUNCTION(v2, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                const BASE *x, BASE *out, tpc_msg *msg,
                                const tpc_ctx *ctx) {
  tpc_msg_reset(msg);
  FUNCTION(threepc, first)(m, m->comp[0], x, y, h, out, msg, ctx);
  FUNCTION(threepc, correct)(m, m->comp[1], 2, h, x, out, msg, ctx);
}

/* The inner mechanism resets msg, fills its parts and leaves b in out. */
static void FUNCTION(v3, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                const BASE *x, BASE *out, tpc_msg *msg,
                                const tpc_ctx *ctx) {
  FUNCTION(tpc_mech, apply)(m->inner, h, y, x, out, msg, ctx);
  FUNCTION(threepc, correct)(m, m->comp[0], 0, h, x, out, msg, ctx);
}

/* comp[0] is C1, comp[1] is C2: C2 goes first. */
static void FUNCTION(v4, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                const BASE *x, BASE *out, tpc_msg *msg,
                                const tpc_ctx *ctx) {
  (void)y;
  tpc_msg_reset(msg);
  FUNCTION(threepc, first)(m, m->comp[1], x, h, h, out, msg, ctx);
  FUNCTION(threepc, correct)(m, m->comp[0], 2, h, x, out, msg, ctx);
}
