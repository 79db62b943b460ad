/* Template body of topk_maxbound.c. */

/* The portable column maxima: blocks of 64 columns, a fixed trip count the
** compiler vectorizes. */
void FUNCTION(tpc_topk, colmax_portable)(const BASE *x, size_t rows, size_t m,
                                         TOPK_UKEY *acc) {
  for (size_t c = 0; c < m; c += 64) {
    TOPK_UKEY a[64];
    for (size_t j = 0; j < 64; j++) a[j] = TOPK_KEY(x[c + j]);
    for (size_t r = 1; r < rows; r++) {
      const BASE *row = x + r * m + c;
      for (size_t j = 0; j < 64; j++) {
        TOPK_UKEY v = TOPK_KEY(row[j]);
        a[j] = v > a[j] ? v : a[j];
      }
    }
    memcpy(acc + c, a, sizeof a);
  }
}

/* The k-th largest of acc[0..m), 1 <= k <= m. */
static TOPK_UKEY FUNCTION(maxbound, kth)(TOPK_UKEY *acc, size_t m, size_t k,
                                        tpc_topk_band *b) {
  if (k > MAXBOUND_LIST) {
    size_t greater;
    return FUNCTION(tpc_topk, kth_key)(acc, m, k, 0, TOPK_KEY_MAX, b->scratch,
                                       b->scratch_cap, &greater);
  }
  TOPK_UKEY top[MAXBOUND_LIST]; /* the largest so far, descending */
  size_t n = 0;
  for (size_t j = 0; j < m; j++) {
    TOPK_UKEY v = acc[j];
    if (n == k && v <= top[k - 1]) continue;
    size_t i = n < k ? n++ : k - 1;
    for (; i > 0 && top[i - 1] < v; i--) top[i] = top[i - 1];
    top[i] = v;
  }
  return top[k - 1];
}

static void FUNCTION(maxbound, run)(const BASE *x, size_t d, size_t k, uint32_t *idx,
                                    void *work, TOPK_COLMAX_FN colmax,
                                    TOPK_BAND_FN band) {
  tpc_topk_band b;
  size_t m = maxbound_columns(d, k);
  TOPK_UKEY *acc = work, lo = 0;
  if (k == d) {
    for (size_t i = 0; i < d; i++) idx[i] = (uint32_t)i;
    return;
  }
  tpc_topk_band_layout(&b, (unsigned char *)work + maxbound_acc_bytes(d, k), d, k,
                       sizeof(TOPK_UKEY));
  if (m > 0) {
    colmax(x, d / m, m, acc);
    lo = FUNCTION(maxbound, kth)(acc, m, k, &b);
  }
  if (band(x, d, lo, TOPK_KEY_MAX, &b))
    FUNCTION(tpc_topk, finish)(&b, k, idx);
  else
    FUNCTION(tpc_topk, radix_run)(x, d, k, idx, &b, band);
}
