/* Template body of kernels.c: the shared type-generic helpers. */

static int FUNCTION(kern, cmp_desc)(const void *pa, const void *pb) {
  BASE a = *(const BASE *)pa, b = *(const BASE *)pb;
  return (a < b) - (a > b);
}

static BASE FUNCTION(kern, median3)(BASE a, BASE b, BASE c) {
  if (a > b) { BASE t = a; a = b; b = t; }
  if (b > c) b = c;
  return a > b ? a : b;
}

/* Dutch-flag partition of a[lo, hi) into [> p][== p][< p]; returns the
** bounds of the middle block in *g and *l.  With p taken from the range the
** middle block is never empty, so every round of the selection makes
** progress, and all-equal input finishes in one pass. */
static void FUNCTION(kern, partition3)(BASE *a, size_t lo, size_t hi, BASE p,
                                       size_t *g, size_t *l) {
  size_t i = lo, gt = lo, lt = hi;
  while (i < lt) {
    BASE v = a[i];
    if (v > p) {
      a[i++] = a[gt];
      a[gt++] = v;
    } else if (v < p) {
      a[i] = a[--lt];
      a[lt] = v;
    } else {
      i++;
    }
  }
  *g = gt;
  *l = lt;
}

/* Quickselect with median-of-three pivots; after `rounds` partitions (only
** adversarial orderings use up the default budget) the remaining range is
** sorted instead, which bounds the worst case by O(d log d) as introselect
** does. */
BASE FUNCTION(tpc_kern, select_abs)(const BASE *x, size_t d, size_t k,
                                    BASE *mag, size_t rounds) {
  size_t lo = 0, hi = d, r = k - 1;
  for (size_t i = 0; i < d; i++) mag[i] = BASE_FABS(x[i]);
  while (hi - lo > 1) {
    if (rounds-- == 0) {
      qsort(mag + lo, hi - lo, sizeof(BASE), FUNCTION(kern, cmp_desc));
      return mag[r];
    }
    BASE p = FUNCTION(kern, median3)(mag[lo], mag[lo + (hi - lo) / 2],
                                     mag[hi - 1]);
    size_t g, l;
    FUNCTION(kern, partition3)(mag, lo, hi, p, &g, &l);
    if (r < g)
      hi = g;
    else if (r >= l)
      lo = l;
    else
      return p;
  }
  return mag[r];
}

BASE FUNCTION(tpc_kern, kth_abs)(const BASE *x, size_t d, size_t k, BASE *mag) {
  size_t rounds = 8;
  for (size_t m = d; m > 1; m >>= 1) rounds += 2;
  return FUNCTION(tpc_kern, select_abs)(x, d, k, mag, rounds);
}

void FUNCTION(tpc_kern, sparse)(tpc_work *w, const BASE *x, BASE scale,
                                size_t d, BASE *out, tpc_msg *msg) {
  BASE *val = w->val;
  size_t nnz = 0;
  for (size_t i = 0; i < d; i++) {
    if (w->mark[i]) {
      w->mark[i] = 0;
      w->idx[nnz] = (uint32_t)i;
      val[nnz++] = out[i] = scale * x[i];
    } else {
      out[i] = 0;
    }
  }
  tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_SPARSE, DTYPE, d);
  p->nnz = nnz;
  p->idx = w->idx;
  p->val = val;
}

void FUNCTION(tpc_kern, dense)(tpc_work *w, size_t d, BASE *out,
                               tpc_msg *msg) {
  memcpy(out, w->val, d * sizeof(BASE));
  tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_DENSE, DTYPE, d);
  p->val = w->val;
}
