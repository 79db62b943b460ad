/* Template body of topk_maxbound.c. */

/* The 32-bit key of a key (comp/topk_kern.h): its upper half for double. */
#define MAXBOUND_KEY32(v) ((uint32_t)((v) >> (8 * sizeof(TOPK_UKEY) - 32)))

/* The portable block maxima: 16-byte GNU C vectors (SSE2, NEON), the keys
** compared as the magnitudes they are (the baseline has no 64-bit integer
** compare) and the larger kept by a bit select, then the lanes folded.
** Were subnormals read as zero (DAZ), a maximum could come out below its
** block's largest key: a lower bound, still a valid one. */
void FUNCTION(tpc_topk, blockmax_portable)(const BASE *x, size_t nb, uint32_t *m) {
  typedef BASE vbase __attribute__((vector_size(16)));
  typedef TOPK_UKEY vkey __attribute__((vector_size(16)));
  enum { L = sizeof(vbase) / sizeof(BASE) };
  for (size_t b = 0; b < nb; b++) {
    const BASE *p = x + TPC_TOPK_MB_BLOCK * b;
    vkey a;
    memcpy(&a, p, sizeof a);
    a &= TOPK_KEY_MAX;
    for (size_t j = L; j < TPC_TOPK_MB_BLOCK; j += L) {
      vkey v;
      memcpy(&v, p + j, sizeof v);
      v &= TOPK_KEY_MAX;
      vkey more = (vkey)((vbase)v > (vbase)a);
      a = (a & ~more) | (v & more);
    }
    TOPK_UKEY top = a[0];
    for (size_t l = 1; l < L; l++) top = a[l] > top ? a[l] : top;
    m[b] = MAXBOUND_KEY32(top);
  }
}

/* The portable gather: the blocks listed and each element of a listed
** block written with the count advancing by the comparison (no branch per
** block or element). */
size_t FUNCTION(tpc_topk, gather_portable)(const BASE *x, const uint32_t *m, size_t nb,
                                           uint32_t t, uint32_t *blk, TOPK_UKEY lo,
                                           uint32_t *idx, TOPK_UKEY *key, size_t n,
                                           size_t cap) {
  size_t nblk = 0;
  for (size_t b = 0; b < nb; b++) {
    blk[nblk] = (uint32_t)b;
    nblk += m[b] >= t;
  }
  for (size_t b = 0; b < nblk && n <= cap; b++) {
    size_t base = (size_t)blk[b] * TPC_TOPK_MB_BLOCK;
    for (size_t j = 0; j < TPC_TOPK_MB_BLOCK; j++) {
      TOPK_UKEY v = TOPK_KEY(x[base + j]);
      idx[n] = (uint32_t)(base + j);
      key[n] = v;
      n += v >= lo;
    }
  }
  return n;
}

/* No more blocks than k <= TPC_TOPK_MB_LIST (d < 16 (k + 1)): the bound
** from the elements' own 32-bit keys, rows of eight in m, and the
** candidates by one scan whose count advances by the comparison (d < 528
** entries fit the band buffers). */
static void FUNCTION(maxbound, run_elements)(const BASE *x, size_t d, size_t k,
                                             uint32_t *idx, void *work, tpc_topk_band *b,
                                             tpc_topk_lanebound_fn lanebound) {
  uint32_t *m = work;
  size_t nrow = (d + MAXBOUND_LANES - 1) / MAXBOUND_LANES, n = 0;
  TOPK_UKEY *key = b->key;
  for (size_t i = 0; i < d; i++) m[i] = MAXBOUND_KEY32(TOPK_KEY(x[i]));
  for (size_t i = d; i < nrow * MAXBOUND_LANES; i++) m[i] = 0;
  uint32_t t = lanebound(m, nrow, k);
  TOPK_UKEY lo = (TOPK_UKEY)((TOPK_UKEY)t << (8 * sizeof(TOPK_UKEY) - 32));
  if (t == 0) { /* mostly zeros, or their lanes shared: the heap passes the zeros by */
    tpc_topk_heap.TOPK_CAT(select_, SHORT)(x, d, k, idx, work);
    return;
  }
  for (size_t i = 0; i < d; i++) {
    TOPK_UKEY v = TOPK_KEY(x[i]);
    b->idx[n] = (uint32_t)i;
    key[n] = v;
    n += v >= lo;
  }
  b->n = n;
  b->lo = lo;
  b->hi = TOPK_KEY_MAX;
  FUNCTION(tpc_topk, finish)(b, k, idx);
}

static void FUNCTION(maxbound, run)(const BASE *x, size_t d, size_t k, uint32_t *idx,
                                    void *work, TOPK_BLOCKMAX_FN blockmax,
                                    tpc_topk_lanebound_fn lanebound, TOPK_GATHER_FN gather,
                                    TOPK_BAND_FN band) {
  tpc_topk_band b;
  size_t nb = d / TPC_TOPK_MB_BLOCK, nrow = maxbound_rows(d);
  uint32_t *m = work;
  uint32_t *blk = m + maxbound_align(maxbound_entries(d) * sizeof *m) / sizeof *m;
  if (k == d) {
    for (size_t i = 0; i < d; i++) idx[i] = (uint32_t)i;
    return;
  }
  tpc_topk_band_layout(&b, (unsigned char *)work + maxbound_head_bytes(d), d, k,
                       sizeof(TOPK_UKEY));
  if (maxbound_by_elements(d, k)) {
    FUNCTION(maxbound, run_elements)(x, d, k, idx, work, &b, lanebound);
    return;
  }
  blockmax(x, nb, m);
  for (size_t j = nb; j < nrow * MAXBOUND_LANES; j++) m[j] = 0;
  uint32_t t = maxbound_bound(m, nb, nrow, k, &b, lanebound);
  if (t == 0) { /* fewer than k nonzero blocks: the heap passes the zeros by */
    tpc_topk_heap.TOPK_CAT(select_, SHORT)(x, d, k, idx, work);
    return;
  }
  TOPK_UKEY lo = (TOPK_UKEY)((TOPK_UKEY)t << (8 * sizeof(TOPK_UKEY) - 32));
  TOPK_UKEY *key = b.key;
  size_t n = gather(x, m, nb, t, blk, lo, b.idx, key, 0, b.cap);
  if (n <= b.cap)
    for (size_t i = nb * TPC_TOPK_MB_BLOCK; i < d; i++) {
      TOPK_UKEY v = TOPK_KEY(x[i]);
      b.idx[n] = (uint32_t)i;
      key[n] = v;
      n += v >= lo;
    }
  if (n > b.cap) {
    FUNCTION(tpc_topk, radix_run)(x, d, k, idx, &b, band);
    return;
  }
  b.n = n;
  b.lo = lo;
  b.hi = TOPK_KEY_MAX;
  FUNCTION(tpc_topk, finish)(&b, k, idx);
}

#undef MAXBOUND_KEY32
