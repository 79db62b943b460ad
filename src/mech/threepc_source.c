/* Template body of threepc.c: the kernels for one element type.
**
** Each intermediate point (b) is rebuilt in out from h and the message so
** far, exactly as the server will; the next part then compresses x - b. */

static void FUNCTION(v1, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                const BASE *x, BASE *out, tpc_msg *msg,
                                const tpc_ctx *ctx) {
  tpc_msg_reset(msg);
  FUNCTION(tpc_mech, dense)(m, y, 0, msg);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
  FUNCTION(tpc_mech, compress_diff)(m, m->comp[0], x, out, 1, msg, ctx);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
}

static void FUNCTION(v2, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                const BASE *x, BASE *out, tpc_msg *msg,
                                const tpc_ctx *ctx) {
  tpc_msg_reset(msg);
  FUNCTION(tpc_mech, compress_diff)(m, m->comp[0], x, y, 0, msg, ctx);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
  FUNCTION(tpc_mech, compress_diff)(m, m->comp[1], x, out, 2, msg, ctx);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
}

/* The inner mechanism resets msg, fills its parts and leaves b in out. */
static void FUNCTION(v3, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                const BASE *x, BASE *out, tpc_msg *msg,
                                const tpc_ctx *ctx) {
  FUNCTION(tpc_mech, apply)(m->inner, h, y, x, out, msg, ctx);
  FUNCTION(tpc_mech, compress_diff)(m, m->comp[0], x, out, 0, msg, ctx);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
}

/* comp[0] is C1, comp[1] is C2: C2 goes first. */
static void FUNCTION(v4, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                const BASE *x, BASE *out, tpc_msg *msg,
                                const tpc_ctx *ctx) {
  (void)y;
  tpc_msg_reset(msg);
  FUNCTION(tpc_mech, compress_diff)(m, m->comp[1], x, h, 0, msg, ctx);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
  FUNCTION(tpc_mech, compress_diff)(m, m->comp[0], x, out, 2, msg, ctx);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
}
