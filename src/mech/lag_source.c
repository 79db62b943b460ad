/* Template body of lag.c: the kernels for one element type. */

static void FUNCTION(gd, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                const BASE *x, BASE *out, tpc_msg *msg,
                                const tpc_ctx *ctx) {
  (void)y;
  (void)ctx;
  tpc_msg_reset(msg);
  FUNCTION(tpc_mech, dense)(m, x, 0, msg);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
}

static void FUNCTION(lag, apply)(tpc_mech *m, const BASE *h, const BASE *y,
                                 const BASE *x, BASE *out, tpc_msg *msg,
                                 const tpc_ctx *ctx) {
  (void)ctx;
  tpc_msg_reset(msg);
  if (FUNCTION(tpc_mech, triggered)(h, y, x, m->par[0], m->d))
    FUNCTION(tpc_mech, dense)(m, x, 0, msg);
  else
    FUNCTION(tpc_mech, skip)(m, msg);
  FUNCTION(tpc_mech, finish)(m, h, msg, out);
}
