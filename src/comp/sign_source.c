/* Template body of sign.c. */

/* lane[l] += mul |x_j| for the j < n with j mod 16 = l, in increasing j
** (sign_kern.h's order; n a multiple of 16 but for the last call).  The
** unrolled inner loop makes the lanes 16 scalars, which gcc -O2 keeps in
** vector registers (8 at SSE2) and vectorizes as independent sums, each
** in its own order. */
static inline void FUNCTION(sign, sum)(const BASE *x, size_t n, double mul,
                                       double lane[TPC_SIGN_LANES]) {
  double acc[TPC_SIGN_LANES];
  memcpy(acc, lane, sizeof acc);
  size_t i = 0;
  for (; i + TPC_SIGN_LANES <= n; i += TPC_SIGN_LANES)
#pragma GCC unroll 16
    for (size_t l = 0; l < TPC_SIGN_LANES; l++) acc[l] += (double)BASE_FABS(x[i + l]) * mul;
  for (; i < n; i++) acc[i % TPC_SIGN_LANES] += (double)BASE_FABS(x[i]) * mul;
  memcpy(lane, acc, sizeof acc);
}

/* The sign bits of x[0, n), bit j of word j/64 set when x_j < 0 (-0 is
** not): whole words through a table of powers of two, a loop of fixed
** length that gcc -O2 vectorizes at the baseline ISA (SSE2; NEON likewise),
** the last partial word bit by bit. */
static void FUNCTION(sign, bits)(const BASE *x, size_t n, uint64_t *bits) {
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    uint64_t word = 0;
    for (size_t h = 0; h < 64; h += SIGN_BITS) {
      SIGN_UINT part = 0;
      for (size_t j = 0; j < SIGN_BITS; j++) part |= x[i + h + j] < 0 ? SIGN_POW2[j] : 0;
      word |= (uint64_t)part << h % 64; /* h is 0 for double: no shift by 64 */
    }
    bits[i / 64] = word;
  }
  if (i < n) {
    uint64_t word = 0;
    for (size_t j = 0; i + j < n; j++) word |= (uint64_t)(x[i + j] < 0) << j;
    bits[i / 64] = word;
  }
}

/* ||x||_1 / d in double, and the sign bits, in one read of x: chunk by
** chunk, the sum then the bits, the chunk still in the L1 cache for the
** second.  Only double input can overflow the sum; it is then summed
** again, in the same order, scaled by 2^-64 (exact but for values that
** underflow, which are negligible next to a sum that overflowed). */
static double FUNCTION(sign, mean_abs)(const BASE *x, size_t d, uint64_t *bits) {
  double lane[TPC_SIGN_LANES] = {0};
  for (size_t i = 0; i < d; i += SIGN_CHUNK) {
    size_t n = d - i < SIGN_CHUNK ? d - i : SIGN_CHUNK;
    FUNCTION(sign, sum)(x + i, n, 1.0, lane);
    FUNCTION(sign, bits)(x + i, n, bits + i / 64);
  }
  double sum = tpc_sign_fold16(lane);
  if (!isinf(sum)) return sum / (double)d;
  memset(lane, 0, sizeof lane);
  FUNCTION(sign, sum)(x, d, 0x1p-64, lane);
  return ldexp(tpc_sign_fold16(lane) / (double)d, 64);
}

/* out[0, n) from the word's bits: scale with its sign bit flipped where
** the bit is set (what -scale is), on the integer bits so that it
** vectorizes at the baseline ISA. */
static void FUNCTION(sign, fill)(uint64_t word, size_t n, BASE scale, BASE *restrict out) {
  const SIGN_UINT top = (SIGN_UINT)1 << (SIGN_BITS - 1);
  SIGN_UINT plus;
  memcpy(&plus, &scale, sizeof plus);
  if (n < 64) {
    for (size_t j = 0; j < n; j++) out[j] = word >> j & 1 ? -scale : scale;
    return;
  }
  for (size_t h = 0; h < 64; h += SIGN_BITS) {
    SIGN_UINT part = (SIGN_UINT)(word >> h % 64); /* as in sign_bits */
    for (size_t j = 0; j < SIGN_BITS; j++) { /* p + top - 1 has the top bit iff p != 0 */
      SIGN_UINT o = plus ^ (((part & SIGN_POW2[j]) + (top - 1)) & top);
      memcpy(out + h + j, &o, sizeof o);
    }
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
  p->scale = FUNCTION(sign, mean_abs)(x, d, bits);
  const BASE scale = (BASE)p->scale;
  for (size_t i = 0; i < d; i += 64)
    FUNCTION(sign, fill)(bits[i / 64], d - i < 64 ? d - i : 64, scale, out + i);
}
