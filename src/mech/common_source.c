/* Template body of common.c: the vector helpers for one element type. */

/* Eight at a time on restrict pointers, so that -O2's cheap vectorizer
** takes the loop (out is a scratch buffer, never a or b). */
void FUNCTION(tpc_mech, sub)(const BASE *restrict a, const BASE *restrict b,
                             BASE *restrict out, size_t d) {
  size_t i = 0;
  for (; i + 8 <= d; i += 8)
    for (size_t l = 0; l < 8; l++) out[i + l] = a[i + l] - b[i + l];
  for (; i < d; i++) out[i] = a[i] - b[i];
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

int FUNCTION(tpc_mech, dist2_le)(const BASE *a1, const BASE *b1, double c, const BASE *a2,
                                 const BASE *b2, size_t d) {
  double m = 0, s1 = 0, s2 = 0;
  for (size_t i = 0; i < d; i++) {
    m = fmax(m, fabs((double)a1[i] - (double)b1[i]));
    m = fmax(m, fabs((double)a2[i] - (double)b2[i]));
  }
  if (m == 0) return 1;
  int e;
  frexp(m, &e);
  /* 2^-e in two factors: either alone stays a normal double for any e of a
  ** finite m (subnormal m has e down to -1073, and 2^1073 would overflow). */
  double f1 = ldexp(1.0, -e / 2), f2 = ldexp(1.0, -e - (-e / 2));
  for (size_t i = 0; i < d; i++) {
    double t1 = ((double)a1[i] - (double)b1[i]) * f1 * f2;
    double t2 = ((double)a2[i] - (double)b2[i]) * f1 * f2;
    s1 += t1 * t1;
    s2 += t2 * t2;
  }
  return s1 <= c * s2;
}

int FUNCTION(tpc_mech, triggered)(const BASE *h, const BASE *y, const BASE *x, double zeta,
                                  size_t d) {
  return !FUNCTION(tpc_mech, dist2_le)(x, h, zeta, x, y, d);
}
