/* Template body of topk_heap.c. */

/* Restore the heap order below slot j: a parent is worse than its children
** (smaller key, or equal key and larger index). */
static void FUNCTION(heap, sift)(TOPK_UKEY *hk, uint32_t *hi, size_t n,
                                 size_t j) {
  TOPK_UKEY k0 = hk[j];
  uint32_t i0 = hi[j];
  for (size_t c; (c = 2 * j + 1) < n; j = c) {
    if (c + 1 < n &&
        (hk[c + 1] < hk[c] || (hk[c + 1] == hk[c] && hi[c + 1] > hi[c])))
      c++;
    if (k0 < hk[c] || (k0 == hk[c] && i0 > hi[c])) break;
    hk[j] = hk[c];
    hi[j] = hi[c];
  }
  hk[j] = k0;
  hi[j] = i0;
}

static void FUNCTION(heap, select)(const BASE *x, size_t d, size_t k,
                                   uint32_t *idx, void *work) {
  TOPK_UKEY *hk = work;
  uint32_t *hi = (uint32_t *)(void *)((unsigned char *)work +
                                      heap_align(k * sizeof(TOPK_UKEY)));
  for (size_t i = 0; i < k; i++) {
    hk[i] = TOPK_KEY(x[i]);
    hi[i] = (uint32_t)i;
  }
  for (size_t j = k / 2; j-- > 0;) FUNCTION(heap, sift)(hk, hi, k, j);
  TOPK_UKEY root = hk[0];
  for (size_t i = k; i < d; i++) {
    TOPK_UKEY v = TOPK_KEY(x[i]);
    if (v > root) {
      hk[0] = v;
      hi[0] = (uint32_t)i;
      FUNCTION(heap, sift)(hk, hi, k, 0);
      root = hk[0];
    }
  }
  heap_sort_indices(hi, idx, k);
}
