/* Template body of sign.c. */

/* The sum of mul |x_i| in double in the order of sign_kern.h (mul = 1 or
** a power of two, so every product is exact but for underflow). */
static double FUNCTION(sign, sum)(const BASE *x, size_t d, double mul) {
  double lane[TPC_SIGN_LANES] = {0};
  size_t i = 0;
  for (; i + TPC_SIGN_LANES <= d; i += TPC_SIGN_LANES)
    for (size_t l = 0; l < TPC_SIGN_LANES; l++) lane[l] += (double)BASE_FABS(x[i + l]) * mul;
  for (; i < d; i++) lane[i % TPC_SIGN_LANES] += (double)BASE_FABS(x[i]) * mul;
  return tpc_sign_fold16(lane);
}

/* ||x||_1 / d in double.  Only double input can overflow the sum; it is then
** summed again, in the same order, scaled by 2^-64 (exact but for values
** that underflow, which are negligible next to a sum that overflowed). */
static double FUNCTION(sign, mean_abs)(const BASE *x, size_t d) {
  double sum = FUNCTION(sign, sum)(x, d, 1.0);
  if (!isinf(sum)) return sum / (double)d;
  return ldexp(FUNCTION(sign, sum)(x, d, 0x1p-64) / (double)d, 64);
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
