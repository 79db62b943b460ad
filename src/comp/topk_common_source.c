/* Template body of topk_common.c. */

/* The keys whose bits above `shift` equal `prefix` (there are at most
** TOPK_SMALL), sorted descending; the need-th is the answer. */
static TOPK_UKEY FUNCTION(topk, kth_small)(const TOPK_UKEY *key, size_t n,
                                          TOPK_UKEY prefix, unsigned shift,
                                          size_t need, size_t *greater) {
  TOPK_UKEY s[TOPK_SMALL];
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if ((key[i] >> shift) == prefix) s[m++] = key[i];
  for (size_t i = 1; i < m; i++) {
    TOPK_UKEY v = s[i];
    size_t j = i;
    for (; j > 0 && s[j - 1] < v; j--) s[j] = s[j - 1];
    s[j] = v;
  }
  TOPK_UKEY t = s[need - 1];
  size_t g = 0;
  while (s[g] > t) g++;
  *greater += g;
  return t;
}

/* One digit per round from the top: count the keys that share the prefix
** fixed so far by their next digit (the others land in a spare slot), keep
** the digit whose bucket holds the r-th largest.  O(n + 2^width) per round,
** at most ceil(bits / width) rounds for the bits below lo's and hi's common
** prefix, fewer once the bucket is small; digits of 8 bits below 4096 keys,
** where clearing and scanning 2^11 counters would cost more than the keys.
** A bucket of at most a quarter of the keys that fits the scratch is copied
** there, so later rounds read only it. */
TOPK_UKEY FUNCTION(tpc_topk, kth_key)(const TOPK_UKEY *key, size_t n, size_t r,
                                     TOPK_UKEY lo, TOPK_UKEY hi,
                                     TOPK_UKEY *scratch, size_t scratch_cap,
                                     size_t *greater) {
  enum { WIDE = 11, NARROW = 8 };
  uint32_t cnt[(1 << WIDE) + 1];
  unsigned width = n < 4096 ? NARROW : WIDE, shift = 0;
  for (TOPK_UKEY diff = lo ^ hi; diff != 0; diff >>= 1) shift++;
  TOPK_UKEY prefix = (TOPK_UKEY)(lo >> shift);
  size_t need = r, live = n;
  *greater = 0;
  while (shift > 0) {
    if (live <= TOPK_SMALL)
      return FUNCTION(topk, kth_small)(key, n, prefix, shift, need, greater);
    if (live <= n / 4 && live < scratch_cap) {
      size_t m = 0;
      for (size_t i = 0; i < n; i++) {
        scratch[m] = key[i];
        m += (key[i] >> shift) == prefix;
      }
      key = scratch;
      n = m;
      scratch_cap = 0;
    }
    size_t spare = (size_t)1 << width;
    unsigned w = shift < width ? shift : width, top = shift;
    shift -= w;
    TOPK_UKEY mask = ((TOPK_UKEY)1 << w) - 1;
    memset(cnt, 0, (spare + 1) * sizeof *cnt);
    for (size_t i = 0; i < n; i++) {
      TOPK_UKEY v = key[i];
      size_t digit = (size_t)((v >> shift) & mask);
      cnt[(v >> top) == prefix ? digit : spare]++;
    }
    size_t b = (size_t)mask, acc = 0;
    while (acc + cnt[b] < need) acc += cnt[b--];
    *greater += acc;
    need -= acc;
    live = cnt[b];
    prefix = (TOPK_UKEY)((prefix << w) | (TOPK_UKEY)b);
  }
  return prefix;
}

void FUNCTION(tpc_topk, collect)(const BASE *x, size_t d, TOPK_UKEY t,
                                 size_t ties, uint32_t *idx) {
  size_t n = 0;
  for (size_t i = 0; i < d; i++) {
    TOPK_UKEY v = TOPK_KEY(x[i]);
    if (v < t) continue;
    if (v == t) {
      if (ties == 0) continue;
      ties--;
    }
    idx[n++] = (uint32_t)i;
  }
}

/* The r-th smallest of key[0..n) (1 <= r <= TOPK_FEW <= n) and, in
** *greater, how many keys exceed it: the r smallest so far kept sorted in
** a list that each key passes through by compare-exchange steps, without
** branches (a band of a few entries more than needed, the usual case after
** maxbound's bound, would cost the radix selection's fixed cost or an
** insertion sort's mispredicted branches). */
static TOPK_UKEY FUNCTION(topk, kth_low)(const TOPK_UKEY *key, size_t n, size_t r,
                                        size_t *greater) {
  TOPK_UKEY low[TOPK_FEW];
  for (size_t s = 0; s < r; s++) low[s] = TOPK_KEY_MAX;
  for (size_t i = 0; i < n; i++) {
    TOPK_UKEY v = key[i];
    for (size_t s = 0; s < r; s++) {
      TOPK_UKEY a = low[s];
      low[s] = a < v ? a : v;
      v = a < v ? v : a;
    }
  }
  TOPK_UKEY t = low[r - 1];
  size_t g = 0;
  for (size_t i = 0; i < n; i++) g += key[i] > t;
  *greater = g;
  return t;
}

/* The band's choice is compacted without branches (about half its entries
** are taken, in no pattern); the merge copies the run of sure indices below
** each chosen band index with a loop whose branch fails once per run, since
** a compare-and-select merge would wait on a load every step. */
void FUNCTION(tpc_topk, finish)(tpc_topk_band *b, size_t k, uint32_t *idx) {
  size_t need = k - b->nsure, m = 0;
  const uint32_t *sure = b->sure;
  uint32_t *bidx = b->idx;
  if (need == b->n) {
    m = need;
  } else if (need > 0) {
    const TOPK_UKEY *key = b->key;
    size_t greater, r = b->n - need + 1;
    TOPK_UKEY t = r <= TOPK_FEW
                      ? FUNCTION(topk, kth_low)(key, b->n, r, &greater)
                      : FUNCTION(tpc_topk, kth_key)(key, b->n, need, (TOPK_UKEY)b->lo,
                                                    (TOPK_UKEY)b->hi, b->scratch,
                                                    b->scratch_cap, &greater);
    size_t ties = need - greater;
    for (size_t j = 0; j < b->n; j++) {
      size_t tie = (key[j] == t) & (ties > 0);
      bidx[m] = bidx[j];
      m += (size_t)(key[j] > t) | tie;
      ties -= tie;
    }
  }
  size_t i = 0, o = 0, ns = b->nsure;
  for (size_t j = 0; j < m; j++) {
    uint32_t v = bidx[j];
    while (i < ns && sure[i] < v) idx[o++] = sure[i++];
    idx[o++] = v;
  }
  memcpy(idx + o, sure + i, (ns - i) * sizeof *idx);
}

/* The band pass of x[i0..d) in scalar code, continuing b's counts (no
** capacity check): the classification of the portable pass. */
static void FUNCTION(topk, band_scalar)(const BASE *x, size_t i0, size_t d, TOPK_UKEY lo,
                                        TOPK_UKEY hi, tpc_topk_band *b) {
  uint32_t *sure = b->sure, *bidx = b->idx;
  TOPK_UKEY *bkey = b->key, width = hi - lo;
  size_t ns = b->nsure, nb = b->n;
  for (size_t i = i0; i < d; i++) {
    TOPK_UKEY v = TOPK_KEY(x[i]);
    sure[ns] = (uint32_t)i;
    ns += v > hi;
    bidx[nb] = (uint32_t)i;
    bkey[nb] = v;
    nb += (TOPK_UKEY)(v - lo) <= width;
  }
  b->nsure = ns;
  b->n = nb;
}

/* Whether x[0..TOPK_BLOCK) has a key >= lo, where lof is the value whose
** bits are lo (finite: lo is 0 or some element's key).  Compared as
** magnitudes, which order as the keys do for finite values, in 16-byte
** vectors of GNU C (every target has them: SSE2 on x86-64, NEON on ARM),
** because the compiler's own vectorizer leaves the double loop scalar at
** -O2 (the baseline has no 64-bit integer compare, and the float compare
** reduced into a flag is not its "very cheap" pattern).  Where subnormals
** are read as zero (a DAZ mode set by code compiled with -ffast-math) the
** test only flags more blocks, never fewer: the classification that follows
** compares the integer keys. */
static int FUNCTION(topk, block_hit)(const BASE *x, BASE lof) {
  typedef BASE vbase __attribute__((vector_size(16)));
  typedef TOPK_UKEY vkey __attribute__((vector_size(16)));
  const vbase low = (vbase){0} + lof;
  vkey any = {0};
  for (size_t j = 0; j < TOPK_BLOCK; j += sizeof(vbase) / sizeof(BASE)) {
    vkey bits;
    memcpy(&bits, x + j, sizeof bits);
    bits &= TOPK_KEY_MAX;
    any |= (vkey)((vbase)bits >= low);
  }
  TOPK_UKEY hit = 0;
  for (size_t l = 0; l < sizeof(vkey) / sizeof(TOPK_UKEY); l++) hit |= any[l];
  return hit != 0;
}

/* The reference band pass: blocks of TOPK_BLOCK elements without a
** candidate (most of them, for the bounds the filter and maxbound set) are
** passed over after one vectorized test; the others are classified
** branch-free, the counts advancing by the comparisons (lo <= key <= hi as
** one unsigned comparison). */
int FUNCTION(tpc_topk, band_portable)(const BASE *x, size_t d, TOPK_UKEY lo,
                                      TOPK_UKEY hi, tpc_topk_band *b) {
  BASE lof;
  memcpy(&lof, &lo, sizeof lof);
  b->nsure = b->n = 0;
  b->lo = lo;
  b->hi = hi;
  for (size_t i0 = 0; i0 < d; i0 += TPC_TOPK_CHUNK) {
    if (b->nsure > b->sure_cap || b->n > b->cap) return 0;
    size_t end = d - i0 < TPC_TOPK_CHUNK ? d : i0 + TPC_TOPK_CHUNK, i = i0;
    for (; i + TOPK_BLOCK <= end; i += TOPK_BLOCK)
      if (FUNCTION(topk, block_hit)(x + i, lof))
        FUNCTION(topk, band_scalar)(x, i, i + TOPK_BLOCK, lo, hi, b);
    FUNCTION(topk, band_scalar)(x, i, end, lo, hi, b);
  }
  return 1;
}
