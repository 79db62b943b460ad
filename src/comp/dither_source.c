/* Template body of dither.c. */

/* ||x|| within a factor 2 of the largest value of the type (or not
** finite): the part's scale times a level could overflow, so x goes as it is
** (a DENSE part: unbiased, no variance, and the bound of T2 holds a
** fortiori). */
static void FUNCTION(dither, dense)(tpc_comp *c, const BASE *x, BASE *out, tpc_msg *msg) {
  BASE *val = ((tpc_work *)c->priv)->aux;
  memcpy(val, x, c->d * sizeof(BASE));
  memcpy(out, x, c->d * sizeof(BASE));
  tpc_msg_add(msg, TPC_MSG_DENSE, DTYPE, c->d)->val = val;
}

/* Coordinate x with its 16 random bits u (dither.c): the level, and in
** *tie whether u = F, where the level (rounded down) must be redone by
** dither_one.  v = min(|x| pre inv16, s16) is r 2^16, q = floor(v) its
** integer part: floor(r) = q >> 16 and F = q mod 2^16.  With s < 2^15
** (not `wide`), q < 2^31 is one conversion to int32 (truncation is the
** floor: v >= 0); else floor(r) = trunc(v 2^-16) (scaling by a power of
** two is exact) and F = trunc(v - floor(r) 2^16) (the difference is exact:
** Sterbenz where floor(r) >= 1, v itself where it is 0).  The comparisons
** are sign bits of 32-bit differences (u, F < 2^16), so that compilers
** vectorize it with no more than SSE2 or NEON, in 32-bit lanes.  A zero's
** level is 0 whatever its sign; x is finite here (dither.c). */
static inline int32_t FUNCTION(dither, guess)(BASE x, uint32_t u, double pre, double inv16,
                                              double s16, int wide, uint32_t *tie) {
  double v = (double)BASE_FABS(x) * pre * inv16;
  v = v < s16 ? v : s16;
  int32_t top;
  uint32_t f;
  if (wide) {
    top = (int32_t)(v * 0x1p-16);
    f = (uint32_t)(int32_t)(v - (double)top * 0x1p16);
  } else {
    uint32_t q = (uint32_t)(int32_t)v;
    top = (int32_t)(q >> 16);
    f = q & 0xffff;
  }
  *tie = 0u - (((u ^ f) - 1) >> 31);
  int32_t lev = top + (int32_t)((u - f) >> 31);
  return x < 0 ? -lev : lev;
}

/* The same coordinate whole, a tie drawing its word from r. */
static int32_t FUNCTION(dither, one)(BASE x, uint32_t u, double pre, double inv16, double s16,
                                     gsl_rng *r) {
  double v = (double)BASE_FABS(x) * pre * inv16;
  v = v < s16 ? v : s16;
  uint64_t q = (uint64_t)(int64_t)v; /* floor: 0 <= v < 2^47, so the signed conversion */
  uint32_t f = (uint32_t)q & 0xffff;
  int32_t up = u < f || (u == f && tpc_dither_tie(r, v - (double)q));
  int32_t lev = (int32_t)(q >> 16) + up, neg = -(int32_t)(x < 0);
  return (lev ^ neg) - neg;
}

/* Coordinates [0, n) of a chunk whose random words are w (dither.c):
** DITHER_BLOCK at a time through dither_guess, in a loop of fixed length
** that gcc -O2 vectorizes; a block that met a tie is redone in order by
** dither_one, which draws its tie words; the last n % DITHER_BLOCK by
** dither_one alone.  Inlined with `wide` a constant (dither_guess). */
static inline __attribute__((always_inline)) void FUNCTION(dither, chunk)(
    const BASE *restrict x, size_t n, const uint64_t *w, double pre, double inv16, double s16,
    int wide, BASE scale, BASE *restrict out, int32_t *restrict level, gsl_rng *r) {
  size_t j = 0;
  for (; j + DITHER_BLOCK <= n; j += DITHER_BLOCK) {
    uint16_t u[DITHER_BLOCK];
    uint32_t ties = 0;
    tpc_rand_quarters(w + j / 4, DITHER_BLOCK, u);
    for (size_t k = 0; k < DITHER_BLOCK; k++) {
      uint32_t tie;
      level[j + k] = FUNCTION(dither, guess)(x[j + k], u[k], pre, inv16, s16, wide, &tie);
      out[j + k] = scale * (BASE)level[j + k];
      ties |= tie;
    }
    for (size_t k = 0; ties != 0 && k < DITHER_BLOCK; k++) {
      level[j + k] = FUNCTION(dither, one)(x[j + k], u[k], pre, inv16, s16, r);
      out[j + k] = scale * (BASE)level[j + k];
    }
  }
  for (; j < n; j++) {
    level[j] = FUNCTION(dither, one)(x[j], (uint32_t)(w[j / 4] >> (16 * (j % 4))) & 0xffff,
                                     pre, inv16, s16, r);
    out[j] = scale * (BASE)level[j];
  }
}

static void FUNCTION(dither, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                       tpc_msg *msg, const tpc_ctx *ctx) {
  tpc_work *w = c->priv;
  int32_t *level = w->aux;
  double pre, rel = DITHER_RELNORM(c, x, &pre), s = c->par[0];
  double norm = rel / pre;
  if (!(norm <= 0.5 * (DTYPE == TPC_F32 ? (double)FLT_MAX : DBL_MAX))) {
    FUNCTION(dither, dense)(c, x, out, msg);
    return;
  }
  tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_QUANT, DTYPE, c->d);
  p->scale = norm / s;
  p->level = level;
  p->levels = (uint32_t)c->k;
  const BASE scale = (BASE)p->scale;
  double inv16 = rel > 0 ? s / rel * 0x1p16 : 0;
  tpc_rng_lanes lanes;
  tpc_rng_lanes_seed(&lanes, ctx->rng);
  if (DITHER_FAST(c, x, out, level, pre, inv16, scale, &lanes, ctx->rng)) return;
  tpc_rng_lanes_fill_fn fill = tpc_rand_fill(dither_isa(c));
  uint64_t words[TPC_RAND_CHUNK / 4];
  for (size_t i = 0; i < c->d; i += TPC_RAND_CHUNK) {
    size_t n = c->d - i < TPC_RAND_CHUNK ? c->d - i : TPC_RAND_CHUNK;
    fill(&lanes, words, tpc_rand_blocks(n));
    if (s < 0x1p15)
      FUNCTION(dither, chunk)(x + i, n, words, pre, inv16, s * 0x1p16, 0, scale, out + i,
                              level + i, ctx->rng);
    else
      FUNCTION(dither, chunk)(x + i, n, words, pre, inv16, s * 0x1p16, 1, scale, out + i,
                              level + i, ctx->rng);
  }
}
