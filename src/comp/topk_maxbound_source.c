/* Template body of topk_maxbound.c. */

/* The portable column maxima: blocks of 128 bytes of columns (8 registers
** of 16-byte GNU C vectors: SSE2 has 16, NEON 32), the keys compared as the
** magnitudes they are (the
** baseline has no 64-bit integer compare; gcc -O2 leaves the scalar loop
** unvectorized for double) and the larger kept by a bit select.  Were
** subnormals read as zero (DAZ), a maximum could come out below its
** column's largest key: a lower bound, still a valid one. */
void FUNCTION(tpc_topk, colmax_portable)(const BASE *x, size_t rows, size_t m,
                                         TOPK_UKEY *acc) {
  typedef BASE vbase __attribute__((vector_size(16)));
  typedef TOPK_UKEY vkey __attribute__((vector_size(16)));
  enum { L = sizeof(vbase) / sizeof(BASE), NV = 8, W = NV * L };
  for (size_t c = 0; c < m; c += W) {
    vkey a[NV];
    for (size_t j = 0; j < NV; j++) {
      memcpy(&a[j], x + c + L * j, sizeof a[j]);
      a[j] &= TOPK_KEY_MAX;
    }
    for (size_t r = 1; r < rows; r++) {
      const BASE *row = x + r * m + c;
#pragma GCC unroll 8 /* keeps a[] in registers */
      for (size_t j = 0; j < NV; j++) {
        vkey v;
        memcpy(&v, row + L * j, sizeof v);
        v &= TOPK_KEY_MAX;
        vkey more = (vkey)((vbase)v > (vbase)a[j]);
        a[j] = (a[j] & ~more) | (v & more);
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
