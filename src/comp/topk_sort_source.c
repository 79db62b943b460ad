/* Template body of topk_sort.c. */

static void FUNCTION(sort, swap)(TOPK_UKEY *a, size_t i, size_t j) {
  TOPK_UKEY t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/* Heapsort descending: a min-heap, whose root goes to the end each round. */
static void FUNCTION(sort, sift)(TOPK_UKEY *a, size_t n, size_t j) {
  for (size_t c; (c = 2 * j + 1) < n; j = c) {
    if (c + 1 < n && a[c + 1] < a[c]) c++;
    if (a[j] <= a[c]) return;
    FUNCTION(sort, swap)(a, j, c);
  }
}

static void FUNCTION(sort, heap)(TOPK_UKEY *a, size_t n) {
  for (size_t j = n / 2; j-- > 0;) FUNCTION(sort, sift)(a, n, j);
  for (size_t m = n; m-- > 1;) {
    FUNCTION(sort, swap)(a, 0, m);
    FUNCTION(sort, sift)(a, m, 0);
  }
}

/* Hoare partition around the median of a[0], a[n/2], a[n-1], moved to a[0]
** first so the scans stop inside the range; returns j with a[0..j] >= p >=
** a[j+1..n), 0 <= j < n - 1. */
static size_t FUNCTION(sort, partition)(TOPK_UKEY *a, size_t n) {
  size_t m = n / 2, l = n - 1, med;
  if (a[0] > a[m])
    med = a[m] > a[l] ? m : (a[0] > a[l] ? l : 0);
  else
    med = a[0] > a[l] ? 0 : (a[m] > a[l] ? l : m);
  FUNCTION(sort, swap)(a, 0, med);
  TOPK_UKEY p = a[0];
  size_t i = 0, j = n;
  for (;;) {
    while (a[i] > p) i++;
    while (a[--j] < p) {}
    if (i >= j) return j;
    FUNCTION(sort, swap)(a, i++, j);
  }
}

static void FUNCTION(sort, desc)(TOPK_UKEY *a, size_t n, unsigned depth) {
  while (n > 16) {
    if (depth-- == 0) {
      FUNCTION(sort, heap)(a, n);
      return;
    }
    size_t j = FUNCTION(sort, partition)(a, n) + 1;
    if (j < n - j) {
      FUNCTION(sort, desc)(a, j, depth);
      a += j;
      n -= j;
    } else {
      FUNCTION(sort, desc)(a + j, n - j, depth);
      n = j;
    }
  }
  for (size_t i = 1; i < n; i++) {
    TOPK_UKEY v = a[i];
    size_t j = i;
    for (; j > 0 && a[j - 1] < v; j--) a[j] = a[j - 1];
    a[j] = v;
  }
}

static void FUNCTION(sort, select)(const BASE *x, size_t d, size_t k,
                                   uint32_t *idx, void *work) {
  TOPK_UKEY *key = work;
  unsigned depth = 0;
  for (size_t m = d; m > 1; m >>= 1) depth += 2;
  for (size_t i = 0; i < d; i++) key[i] = TOPK_KEY(x[i]);
  FUNCTION(sort, desc)(key, d, depth);
  TOPK_UKEY t = key[k - 1];
  size_t greater = k - 1;
  while (greater > 0 && key[greater - 1] == t) greater--;
  FUNCTION(tpc_topk, collect)(x, d, t, k - greater, idx);
}
