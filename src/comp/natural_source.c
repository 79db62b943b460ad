/* Template body of natural.c. */

/* |x| = m 2^e with m in [1/2, 1) (frexp, exact also for subnormals), so the
** lower power is 2^(e-1) and the probability of rounding up is 2m - 1,
** computed exactly.  One draw per coordinate that is not a power of two. */
static BASE FUNCTION(natural, round)(BASE x, gsl_rng *r) {
  int e;
  BASE m = BASE_FREXP(BASE_FABS(x), &e);
  if (m == (BASE)0.5 || x == 0) return x;
  BASE lo = BASE_LDEXP((BASE)0.5, e), hi = lo + lo;
  BASE q = (isinf(hi) || !(gsl_rng_uniform(r) < 2 * m - 1)) ? lo : hi;
  return x < 0 ? -q : q;
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
