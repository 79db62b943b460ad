/* Template body of dither.c. */

/* ||x|| / max|x_i| in double, and max|x_i| in *m (0 for x = 0).  The
** maximum is taken on the magnitudes' bits (their order for finite values),
** which vectorizes where fmax does not. */
static double FUNCTION(dither, relnorm)(const BASE *x, size_t d, double *m) {
  DITHER_UINT top = 0;
  for (size_t i = 0; i < d; i++) {
    DITHER_UINT u;
    memcpy(&u, &x[i], sizeof u);
    u &= ~(DITHER_UINT)0 >> 1;
    top = u > top ? u : top;
  }
  BASE big;
  memcpy(&big, &top, sizeof big);
  double mx = (double)big, sum = 0;
  for (size_t i = 0; mx > 0 && i < d; i++) {
    double t = (double)BASE_FABS(x[i]) / mx;
    sum += t * t;
  }
  *m = mx;
  return sqrt(sum);
}

/* ||x|| within a factor 2 of the largest value of the type: the part's scale
** times a level could overflow, so x goes as it is (a DENSE part: unbiased,
** no variance, and the bound of T2 holds a fortiori). */
static void FUNCTION(dither, dense)(tpc_comp *c, const BASE *x, BASE *out, tpc_msg *msg) {
  BASE *val = ((tpc_work *)c->priv)->aux;
  memcpy(val, x, c->d * sizeof(BASE));
  memcpy(out, x, c->d * sizeof(BASE));
  tpc_msg_add(msg, TPC_MSG_DENSE, DTYPE, c->d)->val = val;
}

static void FUNCTION(dither, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                       tpc_msg *msg, const tpc_ctx *ctx) {
  tpc_work *w = c->priv;
  int32_t *level = w->aux;
  double mx, rel = FUNCTION(dither, relnorm)(x, c->d, &mx), s = c->par[0];
  if (mx * rel > 0.5 * (DTYPE == TPC_F32 ? (double)FLT_MAX : DBL_MAX)) {
    FUNCTION(dither, dense)(c, x, out, msg);
    return;
  }
  tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_QUANT, DTYPE, c->d);
  p->scale = mx * rel / s;
  p->level = level;
  p->levels = (uint32_t)c->k;
  const BASE scale = (BASE)p->scale;
  for (size_t i = 0; i < c->d; i++) {
    double r = mx > 0 ? s * ((double)BASE_FABS(x[i]) / mx) / rel : 0.0;
    int32_t f = (int32_t)r;  /* floor: 0 <= r <= s < 2^31 */
    if (r > (double)f) f += gsl_rng_uniform(ctx->rng) < r - (double)f;
    int32_t neg = -(int32_t)(x[i] < 0);
    level[i] = (f ^ neg) - neg;
    out[i] = scale * (BASE)level[i];
  }
}
