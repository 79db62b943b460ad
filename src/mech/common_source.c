/* Template body of common.c: the vector helpers for one element type. */

void FUNCTION(tpc_mech, sub)(const BASE *a, const BASE *b, BASE *out,
                             size_t d) {
  for (size_t i = 0; i < d; i++) out[i] = a[i] - b[i];
}

double FUNCTION(tpc_mech, dist2)(const BASE *a, const BASE *b, size_t d) {
  double s = 0;
  for (size_t i = 0; i < d; i++) {
    double t = (double)a[i] - (double)b[i];
    s += t * t;
  }
  return s;
}

void FUNCTION(tpc_mech, finish)(const tpc_mech *m, const BASE *h,
                                const tpc_msg *msg, BASE *out) {
  memcpy(out, h, m->d * sizeof(BASE));
  FUNCTION(tpc_msg, apply)(msg, out);
}

void FUNCTION(tpc_mech, dense)(tpc_mech *m, const BASE *v, size_t slot,
                               tpc_msg *msg) {
  BASE *val = tpc_mech_buf(m, slot);
  memcpy(val, v, m->d * sizeof(BASE));
  tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_DENSE, DTYPE, m->d);
  p->absolute = 1;
  p->val = val;
}

void FUNCTION(tpc_mech, skip)(const tpc_mech *m, tpc_msg *msg) {
  tpc_msg_add(msg, TPC_MSG_SKIP, DTYPE, m->d);
}

tpc_msg_part *FUNCTION(tpc_mech, compress_diff)(tpc_mech *m, tpc_comp *c, const BASE *a,
                                                const BASE *b, size_t slot, tpc_msg *msg,
                                                const tpc_ctx *ctx) {
  BASE *e = tpc_mech_buf(m, slot), *q = tpc_mech_buf(m, slot + 1);
  FUNCTION(tpc_mech, sub)(a, b, e, m->d);
  FUNCTION(tpc_comp, compress)(c, e, q, msg, ctx);
  return &msg->part[msg->nparts - 1];
}

int FUNCTION(tpc_mech, triggered)(const BASE *h, const BASE *y, const BASE *x, double zeta,
                                  size_t d) {
  return FUNCTION(tpc_mech, dist2)(x, h, d) > zeta * FUNCTION(tpc_mech, dist2)(x, y, d);
}
