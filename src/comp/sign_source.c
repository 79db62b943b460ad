/* Template body of sign.c. */

/* ||x||_1 / d in double.  Only double input can overflow the sum; it is then
** summed again scaled by 2^-64 (exact but for values that underflow, which
** are negligible next to a sum that overflowed). */
static double FUNCTION(sign, mean_abs)(const BASE *x, size_t d) {
  double sum = 0;
  for (size_t i = 0; i < d; i++) sum += (double)BASE_FABS(x[i]);
  if (!isinf(sum)) return sum / (double)d;
  sum = 0;
  for (size_t i = 0; i < d; i++) sum += ldexp((double)BASE_FABS(x[i]), -64);
  return ldexp(sum / (double)d, 64);
}

static void FUNCTION(sign, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                     tpc_msg *msg, const tpc_ctx *ctx) {
  (void)ctx;
  tpc_work *w = c->priv;
  uint64_t *bits = w->aux;
  size_t d = c->d;
  tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_SIGN, DTYPE, d);
  p->scale = FUNCTION(sign, mean_abs)(x, d);
  p->bits = bits;
  memset(bits, 0, (d + 63) / 64 * sizeof(uint64_t));
  const BASE scale = (BASE)p->scale;
  for (size_t i = 0; i < d; i++) {
    int neg = x[i] < 0;
    bits[i / 64] |= (uint64_t)neg << (i % 64);
    out[i] = neg ? -scale : scale;
  }
}
