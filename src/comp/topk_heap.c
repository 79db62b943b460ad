/*
** TopK by a size-k heap over one scan, O(d log k) worst case and
** O(d + k log k log(d/k)) on inputs in random order: the heap's root is the
** worst kept entry (smallest key, then largest index), replaced whenever a
** larger key arrives; an equal key arriving later has the larger index and
** never displaces it, which is the tie rule.  The kept indices are finally
** put in increasing order by a three-pass radix sort.
*/
#include "comp/topk_kern.h"

#include <string.h>

/* Ascending sort of a[0..n) into buf: insertion sort for a few entries,
** else an LSD radix sort by bytes, as many passes as the largest index has
** bytes, ending in buf.  Counts of 256 keep the fixed cost small: with
** three passes of 2^11 counts the sort alone took 3 us at k = 48, three
** times the selection. */
static void heap_sort_indices(uint32_t *a, uint32_t *buf, size_t n) {
  if (n <= 32) {
    for (size_t i = 0; i < n; i++) {
      uint32_t v = a[i];
      size_t j = i;
      for (; j > 0 && buf[j - 1] > v; j--) buf[j] = buf[j - 1];
      buf[j] = v;
    }
    return;
  }
  uint32_t top = 0, *src = a, *dst = buf;
  for (size_t i = 0; i < n; i++) top |= a[i];
  for (unsigned shift = 0; shift == 0 || (shift < 32 && top >> shift != 0); shift += 8) {
    size_t cnt[256] = {0}, sum = 0;
    for (size_t i = 0; i < n; i++) cnt[(src[i] >> shift) & 255]++;
    for (size_t j = 0; j < 256; j++) {
      size_t c = cnt[j];
      cnt[j] = sum;
      sum += c;
    }
    for (size_t i = 0; i < n; i++) dst[cnt[(src[i] >> shift) & 255]++] = src[i];
    uint32_t *t = src;
    src = dst;
    dst = t;
  }
  if (src != buf) memcpy(buf, src, n * sizeof *buf);
}

static size_t heap_align(size_t bytes) { return (bytes + 63) / 64 * 64; }

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/topk_heap_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/topk_heap_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

size_t tpc_topk_heap_work(size_t d, size_t k, size_t esize) {
  (void)d;
  return heap_align(k * esize) + heap_align(k * sizeof(uint32_t));
}

const tpc_topk_impl tpc_topk_heap = {.name = "heap", .isa = "portable",
                                     .select_f32 = heap_select_f32,
                                     .select_f64 = heap_select_f64};
