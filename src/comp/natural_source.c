/* Template body of natural.c. */

/* |x| = m 2^e with m in [1/2, 1) (frexp, exact also for subnormals), so the
** lower power is 2^(e-1) and the probability of rounding up is 2m - 1,
** computed exactly.  One draw per coordinate that is not a power of two. */
static BASE FUNCTION(natural, round_frexp)(BASE x, gsl_rng *r) {
  int e;
  BASE m = BASE_FREXP(BASE_FABS(x), &e);
  if (m == (BASE)0.5 || x == 0) return x;
  BASE lo = BASE_LDEXP((BASE)0.5, e), hi = lo + lo;
  BASE q = (isinf(hi) || !(gsl_rng_uniform(r) < 2 * m - 1)) ? lo : hi;
  return x < 0 ? -q : q;
}

/* The same on the bits of a normal |x| = (1 + f 2^-FRAC) 2^E: 2m - 1 is
** f 2^-FRAC (BASE_EPSILON = 2^-FRAC), the result is 2^E or 2^(E+1) with x's
** sign, and the draw is skipped where natural_round_frexp skips it (f = 0;
** 2^(E+1) infinite).  The random choice and the sign are applied to the
** bits without branches: either would be mispredicted every other time. */
static BASE FUNCTION(natural, round)(BASE x, gsl_rng *r) {
  const NATURAL_UINT one = 1, sign = one << (8 * sizeof(BASE) - 1);
  NATURAL_UINT u;
  memcpy(&u, &x, sizeof u);
  NATURAL_UINT e = (u & ~sign) >> NATURAL_FRAC, f = u & ((one << NATURAL_FRAC) - 1);
  if (e == 0) return FUNCTION(natural, round_frexp)(x, r);
  if (f == 0) return x;
  NATURAL_UINT up = 0;
  if (e < NATURAL_EMAX) up = gsl_rng_uniform(r) < (BASE)f * BASE_EPSILON;
  u = ((e + up) << NATURAL_FRAC) | (u & sign);
  BASE q;
  memcpy(&q, &u, sizeof q);
  return q;
}

static void FUNCTION(natural, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                        tpc_msg *msg, const tpc_ctx *ctx) {
  tpc_work *w = c->priv;
  BASE *val = w->val;
  for (size_t i = 0; i < c->d; i++)
    val[i] = out[i] = FUNCTION(natural, round)(x[i], ctx->rng);
  tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_POW2, DTYPE, c->d);
  p->val = val;
}
