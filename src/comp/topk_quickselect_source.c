/* Template body of topk_quickselect.c. */

static void FUNCTION(quickselect, select)(const BASE *x, size_t d, size_t k,
                                          uint32_t *idx, void *work) {
  TOPK_UKEY t = TOPK_KEY(FUNCTION(tpc_kern, kth_abs)(x, d, k, work));
  size_t greater = 0;
  for (size_t i = 0; i < d; i++) greater += TOPK_KEY(x[i]) > t;
  FUNCTION(tpc_topk, collect)(x, d, t, k - greater, idx);
}
