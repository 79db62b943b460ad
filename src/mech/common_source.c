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
