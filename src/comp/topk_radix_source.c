/* Template body of topk_radix.c. */

/* Histogram of the digit (key >> shift) & (2^w - 1) over the elements whose
** key bits above shift + w equal prefix; others land in cnt[2^w].  Four
** interleaved tables, so that runs of equal digits do not wait on each
** other's increments. */
static void FUNCTION(radix, hist)(const BASE *x, size_t d, TOPK_UKEY prefix,
                                  unsigned shift, unsigned w, uint32_t *cnt) {
  enum { N = 2049 };
  uint32_t c[4][N];
  size_t spare = (size_t)1 << w, i = 0;
  TOPK_UKEY mask = ((TOPK_UKEY)1 << w) - 1;
  unsigned top = shift + w;
  memset(c, 0, sizeof c);
#define RADIX_DIGIT(v) \
  ((TOPK_KEY(v) >> top) == prefix ? (size_t)((TOPK_KEY(v) >> shift) & mask) : spare)
  for (; i + 4 <= d; i += 4) {
    c[0][RADIX_DIGIT(x[i])]++;
    c[1][RADIX_DIGIT(x[i + 1])]++;
    c[2][RADIX_DIGIT(x[i + 2])]++;
    c[3][RADIX_DIGIT(x[i + 3])]++;
  }
  for (; i < d; i++) c[0][RADIX_DIGIT(x[i])]++;
#undef RADIX_DIGIT
  for (size_t j = 0; j <= spare; j++) cnt[j] = c[0][j] + c[1][j] + c[2][j] + c[3][j];
}

void FUNCTION(tpc_topk, radix_run)(const BASE *x, size_t d, size_t k,
                                   uint32_t *idx, tpc_topk_band *b,
                                   TOPK_BAND_FN band) {
  uint32_t cnt[2049];
  if (k == d) {
    for (size_t i = 0; i < d; i++) idx[i] = (uint32_t)i;
    return;
  }
  TOPK_UKEY prefix = 0;
  unsigned shift = TOPK_KEY_BITS;
  size_t need = k, live = d;
  while (shift > 0 && live > b->cap) {
    unsigned w = shift < 11 ? shift : 11;
    shift -= w;
    FUNCTION(radix, hist)(x, d, prefix, shift, w, cnt);
    size_t j = ((size_t)1 << w) - 1, acc = 0;
    while (acc + cnt[j] < need) acc += cnt[j--];
    need -= acc;
    live = cnt[j];
    prefix = (TOPK_UKEY)((prefix << w) | (TOPK_UKEY)j);
  }
  if (shift == 0) {
    FUNCTION(tpc_topk, collect)(x, d, prefix, need, idx);
    return;
  }
  TOPK_UKEY lo = (TOPK_UKEY)(prefix << shift);
  TOPK_UKEY hi = (TOPK_UKEY)(lo | (((TOPK_UKEY)1 << shift) - 1));
  b->sure_cap = k;
  band(x, d, lo, hi, b);
  FUNCTION(tpc_topk, finish)(b, k, idx);
}

static void FUNCTION(radix, select)(const BASE *x, size_t d, size_t k,
                                    uint32_t *idx, void *work) {
  tpc_topk_band b;
  tpc_topk_band_layout(&b, work, d, k, sizeof(TOPK_UKEY));
  FUNCTION(tpc_topk, radix_run)(x, d, k, idx, &b,
                                FUNCTION(tpc_topk, band_portable));
}
