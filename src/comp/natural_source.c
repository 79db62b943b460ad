/* Template body of natural.c. */

/* The magnitude bits a of a normal number rounded up or down (natural.c):
** u holds the 16 random bits, a tie draws from r; the top binade
** (2^(EMAX - bias + 1) would be infinite) goes down. */
static NATURAL_UINT FUNCTION(natural, bits)(NATURAL_UINT a, uint32_t u, gsl_rng *r) {
  const NATURAL_UINT one = 1, low = (one << (NATURAL_FRAC - 16)) - 1;
  NATURAL_UINT e = a >> NATURAL_FRAC, f = a & ((one << NATURAL_FRAC) - 1);
  uint32_t top = (uint32_t)(f >> (NATURAL_FRAC - 16));
  NATURAL_UINT up = u < top;
  if (u == top) up = (tpc_natural_tie_word(r) >> (64 - (NATURAL_FRAC - 16))) < (f & low);
  up &= (NATURAL_UINT)(e < NATURAL_EMAX);
  return (e + up) << NATURAL_FRAC;
}

/* One coordinate: a zero or subnormal x is the integer a of its bits times
** the smallest subnormal; a is exact as a normal BASE, rounded by the same
** rule and converted back (a zero stays zero). */
static BASE FUNCTION(natural, round)(BASE x, uint32_t u, gsl_rng *r) {
  const NATURAL_UINT one = 1, sign = one << (8 * sizeof(BASE) - 1);
  NATURAL_UINT bits, q;
  memcpy(&bits, &x, sizeof bits);
  NATURAL_UINT a = bits & ~sign;
  if (a >> NATURAL_FRAC != 0) {
    q = FUNCTION(natural, bits)(a, u, r);
  } else {
    BASE y = (BASE)a;
    memcpy(&q, &y, sizeof q);
    q = FUNCTION(natural, bits)(q, u, r);
    memcpy(&y, &q, sizeof y);
    q = (NATURAL_UINT)y;
  }
  q |= bits & sign;
  BASE out;
  memcpy(&out, &q, sizeof out);
  return out;
}

static void FUNCTION(natural, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                        tpc_msg *msg, const tpc_ctx *ctx) {
  tpc_work *w = c->priv;
  BASE *val = w->val;
  tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_POW2, DTYPE, c->d);
  p->val = val;
  tpc_rng_lanes lanes;
  tpc_rng_lanes_seed(&lanes, ctx->rng);
  if (NATURAL_FAST(c, x, out, val, &lanes, ctx->rng)) return;
  tpc_rng_lanes_fill_fn fill = tpc_rand_fill(natural_isa(c));
  uint64_t words[TPC_RAND_CHUNK / 4];
  for (size_t i = 0; i < c->d; i += TPC_RAND_CHUNK) {
    size_t n = c->d - i < TPC_RAND_CHUNK ? c->d - i : TPC_RAND_CHUNK;
    fill(&lanes, words, tpc_rand_blocks(n));
    for (size_t j = 0; j < n; j++) {
      uint32_t u = (uint32_t)(words[j / 4] >> (16 * (j % 4))) & 0xffff;
      val[i + j] = out[i + j] = FUNCTION(natural, round)(x[i + j], u, ctx->rng);
    }
  }
}
