/* Template body of topk_filter.c. */

/* Band bounds from the sample (tpc_topk_sample_lines lines of L elements,
** 64 bytes, spread evenly over x, or all of x): lo = the r_lo-th
** largest sampled key (0 when r_lo exceeds the sample), hi = the r_hi-th
** largest (KEY_MAX, nothing kept outright, when r_hi < 1); lo <= hi since
** r_lo > r_hi. */
static void FUNCTION(filter, bounds)(const BASE *x, size_t d, size_t k,
                                     TOPK_UKEY *sample, tpc_topk_band *b,
                                     TOPK_UKEY *lo, TOPK_UKEY *hi) {
  const size_t L = 64 / sizeof(BASE);
  size_t lines = tpc_topk_sample_lines(d, k, sizeof(BASE)), s = d, greater;
  if (lines == 0) {
    for (size_t i = 0; i < d; i++) sample[i] = TOPK_KEY(x[i]);
  } else {
    s = lines * L;
    for (size_t j = 0; j < lines; j++) {
      const BASE *line = x + tpc_topk_sample_start(d, lines, sizeof(BASE), j);
      for (size_t e = 0; e < L; e++) sample[j * L + e] = TOPK_KEY(line[e]);
    }
  }
  long r_hi, r_lo;
  filter_ranks(d, k, s, &r_hi, &r_lo);
  *lo = r_lo > (long)s ? 0
                       : FUNCTION(tpc_topk, kth_key)(sample, s, (size_t)r_lo, 0,
                                                     TOPK_KEY_MAX, b->scratch,
                                                     b->scratch_cap, &greater);
  /* The r_hi-th largest is among the keys >= lo, a few percent of the
  ** sample for small k: select it there. */
  size_t m = 0;
  for (size_t j = 0; j < s; j++) {
    sample[m] = sample[j];
    m += sample[j] >= *lo;
  }
  *hi = r_hi < 1 ? TOPK_KEY_MAX
                 : FUNCTION(tpc_topk, kth_key)(sample, m, (size_t)r_hi, *lo,
                                               TOPK_KEY_MAX, b->scratch,
                                               b->scratch_cap, &greater);
}

static void FUNCTION(filter, run)(const BASE *x, size_t d, size_t k,
                                  uint32_t *idx, void *work, TOPK_BAND_FN band) {
  TOPK_UKEY lo, hi;
  tpc_topk_band b;
  unsigned char *w = work;
  if (k == d) {
    for (size_t i = 0; i < d; i++) idx[i] = (uint32_t)i;
    return;
  }
  tpc_topk_band_layout(&b, w + filter_sample_bytes(d, k), d, k, sizeof(TOPK_UKEY));
  FUNCTION(filter, bounds)(x, d, k, work, &b, &lo, &hi);
  if (band(x, d, lo, hi, &b) && b.nsure <= k && b.nsure + b.n >= k)
    FUNCTION(tpc_topk, finish)(&b, k, idx);
  else
    FUNCTION(tpc_topk, radix_run)(x, d, k, idx, &b, band);
}
