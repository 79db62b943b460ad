/* Template body of sign.c. */

/* ||x||_1 / d in double.  Only double input can overflow the sum; it is then
** summed again scaled by 2^-64 (exact but for values that underflow, which
** are negligible next to a sum that overflowed). */
static double FUNCTION(sign, mean_abs)(const BASE *x, size_t d) {
  double sum = FUNCTION(sign, sum)(x, d);
  if (!isinf(sum)) return sum / (double)d;
  sum = 0;
  for (size_t i = 0; i < d; i++) sum += ldexp((double)BASE_FABS(x[i]), -64);
  return ldexp(sum / (double)d, 64);
}

/* The sign bits, bit i of word i/64 set when x_i < 0 (-0 is not). */
static void FUNCTION(sign, bits)(const BASE *x, size_t d, uint64_t *bits) {
  for (size_t w = 0; w < (d + 63) / 64; w++) {
    size_t end = d - 64 * w < 64 ? d - 64 * w : 64;
    uint64_t word = 0;
    for (size_t j = 0; j < end; j++) word |= (uint64_t)(x[64 * w + j] < 0) << j;
    bits[w] = word;
  }
}

static void FUNCTION(sign, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                     tpc_msg *msg, const tpc_ctx *ctx) {
  (void)ctx;
  tpc_work *w = c->priv;
  uint64_t *bits = w->aux;
  size_t d = c->d;
  tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_SIGN, DTYPE, d);
  p->bits = bits;
  if (SIGN_FAST(c, x, out, bits, &p->scale)) return;
  p->scale = FUNCTION(sign, mean_abs)(x, d);
  FUNCTION(sign, bits)(x, d, bits);
  const BASE scale = (BASE)p->scale, minus = -scale;
  for (size_t i = 0; i < d; i++) out[i] = x[i] < 0 ? minus : scale;
}
