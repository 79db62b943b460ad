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

/* The rule of natural_round without the tie: the rounded bits of x with
** its 16 random bits u, rounding down on a tie, which *tie flags (all ones)
** for natural_round to redo.  Shifts, masks and adds on the bits only, the
** comparisons as the sign bit of a difference and the conversions of a
** subnormal's integer through the bits of 2^FRAC (exact below it), so that
** compilers vectorize it at either width with no more than SSE2 or NEON. */
static inline NATURAL_UINT FUNCTION(natural, guess)(NATURAL_UINT bits, NATURAL_UINT u,
                                                    NATURAL_UINT *tie) {
  const int top_bit = 8 * sizeof(BASE) - 1;
  const NATURAL_UINT one = 1, sign = one << top_bit, unit = one << NATURAL_FRAC;
  const NATURAL_UINT magic = NATURAL_MAGIC; /* the bits of 2^FRAC */
  const BASE magic_value = (BASE)(one << NATURAL_FRAC);
  NATURAL_UINT a = bits & ~sign;
  NATURAL_UINT sub = 0 - (((a >> NATURAL_FRAC) - 1) >> top_bit); /* ones where a < unit */
  BASE fa;
  NATURAL_UINT t = a | magic, ya;
  memcpy(&fa, &t, sizeof fa);
  fa -= magic_value; /* (BASE)a where a < unit */
  memcpy(&ya, &fa, sizeof ya);
  NATURAL_UINT y = (ya & sub) | (a & ~sub);
  NATURAL_UINT top = (y & (unit - 1)) >> (NATURAL_FRAC - 16);
  NATURAL_UINT up = (u - top) >> top_bit; /* u < top: both below 2^16 */
  *tie = 0 - (((u ^ top) - 1) >> top_bit);
  up &= ((y >> NATURAL_FRAC) - NATURAL_EMAX) >> top_bit; /* the top binade goes down */
  NATURAL_UINT q = (y & ~(unit - 1)) + (up << NATURAL_FRAC), qi;
  BASE fq;
  memcpy(&fq, &q, sizeof fq);
  fq += magic_value; /* (NATURAL_UINT)fq where q is a power of two <= unit */
  memcpy(&qi, &fq, sizeof qi);
  qi -= magic;
  return ((qi & sub) | (q & ~sub)) | (bits & sign);
}

/* Coordinates [0, n) of a chunk whose random words are w: NATURAL_BLOCK
** coordinates at a time through natural_guess, in a loop of fixed length
** that gcc -O2 vectorizes; a block that met a tie is redone in order by
** natural_round, which draws its tie words; the last n % NATURAL_BLOCK
** coordinates by natural_round alone. */
static void FUNCTION(natural, chunk)(const BASE *restrict x, size_t n, const uint64_t *w,
                                     BASE *restrict out, BASE *restrict val, gsl_rng *r) {
  size_t j = 0;
  for (; j + NATURAL_BLOCK <= n; j += NATURAL_BLOCK) {
    NATURAL_UINT ties = 0;
    uint16_t u[NATURAL_BLOCK];
    tpc_rand_quarters(w + j / 4, NATURAL_BLOCK, u);
    for (size_t k = 0; k < NATURAL_BLOCK; k++) {
      NATURAL_UINT bits, tie;
      memcpy(&bits, &x[j + k], sizeof bits);
      bits = FUNCTION(natural, guess)(bits, u[k], &tie);
      ties |= tie;
      memcpy(&out[j + k], &bits, sizeof bits);
      memcpy(&val[j + k], &bits, sizeof bits);
    }
    for (size_t k = 0; ties != 0 && k < NATURAL_BLOCK; k++)
      val[j + k] = out[j + k] = FUNCTION(natural, round)(x[j + k], (uint32_t)u[k], r);
  }
  for (; j < n; j++) {
    uint32_t u = (uint32_t)(w[j / 4] >> (16 * (j % 4))) & 0xffff;
    val[j] = out[j] = FUNCTION(natural, round)(x[j], u, r);
  }
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
    FUNCTION(natural, chunk)(x + i, n, words, out + i, val + i, ctx->rng);
  }
}
