/*
** Internal pieces of the TopK implementations (comp/topk_impl.h); not part
** of the library's interface.
**
** Every implementation compares magnitude keys: the bits of |x_i| as an
** unsigned integer (the float's bits with the sign cleared).  For finite
** values the integer order is the order of the magnitudes, +0 and -0 get the
** same key, and equal magnitudes get equal keys, so all implementations
** agree exactly, subnormals and signed zeros included.
**
** The fast implementations share one step, the band pass: given key bounds
** lo <= hi, one scan writes the indices with key > hi (kept outright: the
** "sure" list) and the indices and keys with lo <= key <= hi (the "band"
** that holds the k-th largest key); tpc_topk_finish_* then selects among the
** band exactly and merges.  The SIMD kernels compare each vector with lo
** only, pack the masks of 64 elements into one word, and classify its few
** set bits in scalar code (tpc_topk_emit_*): one compare per vector and bit
** scans cost less than two compares and a compress per vector.  The radix
** implementation finds exact bounds from histograms; the filter estimates
** them from a sample, so that one pass over x usually suffices.  The band
** pass and the kernels of maxbound (block maxima, lane bound, gather) have
** per-ISA versions (topk_filter_avx2.c, topk_filter_avx512.c).
**
** Template sources include this header after core/templates_on.h and use
** TOPK_UKEY (the key type of BASE) and TOPK_KEY(v).
*/
#ifndef TPC_TOPK_KERN_H
#define TPC_TOPK_KERN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "comp/topk_impl.h"

static inline uint32_t tpc_topk_key_f32(float v) {
  uint32_t u;
  memcpy(&u, &v, sizeof u);
  return u & 0x7fffffffu;
}

static inline uint64_t tpc_topk_key_f64(double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  return u & 0x7fffffffffffffffu;
}

typedef uint32_t tpc_topk_ukey_f32;
typedef uint64_t tpc_topk_ukey_f64;

#define TOPK_CAT_(a, b) a##b
#define TOPK_CAT(a, b) TOPK_CAT_(a, b)
#define TOPK_UKEY TOPK_CAT(tpc_topk_ukey_, SHORT)
#define TOPK_KEY(v) TOPK_CAT(tpc_topk_key_, SHORT)(v)
/* Significant key bits (the sign bit is always clear) and the largest key. */
#define TOPK_KEY_BITS ((unsigned)(8 * sizeof(TOPK_UKEY) - 1))
#define TOPK_KEY_MAX ((TOPK_UKEY)(~(TOPK_UKEY)0 >> 1))
/* The band pass kernel type of BASE. */
#define TOPK_BAND_FN TOPK_CAT(TOPK_CAT(tpc_topk_band_, SHORT), _fn)
/* The maxbound kernel types of BASE. */
#define TOPK_BLOCKMAX_FN TOPK_CAT(TOPK_CAT(tpc_topk_blockmax_, SHORT), _fn)
#define TOPK_GATHER_FN TOPK_CAT(TOPK_CAT(tpc_topk_gather_, SHORT), _fn)

/* Band pass granularity: capacities are checked once per chunk (a multiple
** of 64 elements), so the buffers hold capacity + TPC_TOPK_SLACK entries (a
** chunk plus the overshoot of whole-vector stores and of the unconditional
** steps of tpc_topk_emit_*). */
enum { TPC_TOPK_CHUNK = 1024, TPC_TOPK_SLACK = TPC_TOPK_CHUNK + 64 };

/* The SIMD band passes prefetch this many bytes ahead: the hardware
** prefetcher alone left them about 20% slower than a plain sum on an Intel
** Xeon (they compute more per cache line). */
enum { TPC_TOPK_AHEAD = 2048 };

/* Prefetch the bytes [p, p + bytes) into the cache, one 64-byte line at a
** time. */
static inline void tpc_topk_prefetch(const void *p, size_t bytes) {
  for (size_t o = 0; o < bytes; o += 64) __builtin_prefetch((const char *)p + o);
}

/* Most keys the filter samples. */
enum { TPC_TOPK_SAMPLE_MAX = 1 << 16 };

/* Output of a band pass.  The pass stops early, returning 0, when at the
** start of a chunk nsure > sure_cap or n > cap. */
typedef struct tpc_topk_band {
  uint32_t *sure;    /* indices with key > hi, increasing */
  uint32_t *idx;     /* indices with lo <= key <= hi, increasing */
  void *key;         /* their keys: uint32_t (f32) or uint64_t (f64) */
  void *scratch;     /* scratch_cap keys for tpc_topk_kth_key */
  size_t nsure, n;
  size_t sure_cap, cap, scratch_cap;
  uint64_t lo, hi;   /* the bounds the pass ran with */
  unsigned unroll;   /* unconditional steps of tpc_topk_emit_* */
} tpc_topk_band;

/* `return call` with U = unroll, a constant in each case (unroll is a power
** of two up to 64), so that the SIMD kernels inline one copy per value. */
#define TPC_TOPK_UNROLL_SWITCH(unroll, call) \
  switch (unroll) {                          \
    case 1: { enum { U = 1 }; return call; }  \
    case 2: { enum { U = 2 }; return call; }  \
    case 4: { enum { U = 4 }; return call; }  \
    case 8: { enum { U = 8 }; return call; }  \
    case 16: { enum { U = 16 }; return call; } \
    case 32: { enum { U = 32 }; return call; } \
    default: { enum { U = 64 }; return call; } \
  }

/* The candidates of the 64 elements from x[base] (bit j of m: key >= lo):
** each goes to the sure list when its key exceeds hi, else to the band,
** with branch-free stores (both lists are written, one count advances).
** The first `unroll` steps run whether or not m has that many bits (an
** exhausted m reads x[base + 63], inside the group, and advances neither
** count), so that only groups with more candidates than usual branch. */
#define TPC_TOPK_EMIT(SHORT_, BASE_, UKEY_)                                    \
  static inline void tpc_topk_emit_##SHORT_(                                  \
      uint64_t m, const BASE_ *x, size_t base, UKEY_ hi, uint32_t *sure,       \
      uint32_t *bidx, UKEY_ *bkey, size_t *ns, size_t *nb, unsigned unroll) { \
    const uint64_t top = (uint64_t)1 << 63;                                   \
    size_t s = *ns, n = *nb;                                                  \
    for (unsigned j = 0; j < unroll; j++, m &= m - 1) {                       \
      size_t i = base + (size_t)__builtin_ctzll(m | top), live = m != 0;      \
      UKEY_ v = tpc_topk_key_##SHORT_(x[i]);                                  \
      size_t up = live & (size_t)(v > hi);                                    \
      sure[s] = (uint32_t)i;                                                  \
      bidx[n] = (uint32_t)i;                                                  \
      bkey[n] = v;                                                            \
      s += up;                                                                \
      n += live - up;                                                         \
    }                                                                         \
    for (; m != 0; m &= m - 1) {                                              \
      size_t i = base + (size_t)__builtin_ctzll(m);                           \
      UKEY_ v = tpc_topk_key_##SHORT_(x[i]);                                  \
      size_t up = v > hi;                                                     \
      sure[s] = (uint32_t)i;                                                  \
      bidx[n] = (uint32_t)i;                                                  \
      bkey[n] = v;                                                            \
      s += up;                                                                \
      n += 1 - up;                                                            \
    }                                                                         \
    *ns = s;                                                                  \
    *nb = n;                                                                  \
  }
TPC_TOPK_EMIT(f32, float, uint32_t)
TPC_TOPK_EMIT(f64, double, uint64_t)
#undef TPC_TOPK_EMIT

/* Band pass over x[0..d): requires lo <= hi; returns 1 when complete. */
typedef int (*tpc_topk_band_f32_fn)(const float *x, size_t d, uint32_t lo,
                                    uint32_t hi, tpc_topk_band *b);
typedef int (*tpc_topk_band_f64_fn)(const double *x, size_t d, uint64_t lo,
                                    uint64_t hi, tpc_topk_band *b);

int tpc_topk_band_portable_f32(const float *x, size_t d, uint32_t lo,
                               uint32_t hi, tpc_topk_band *b);
int tpc_topk_band_portable_f64(const double *x, size_t d, uint64_t lo,
                               uint64_t hi, tpc_topk_band *b);
int tpc_topk_band_avx2_f32(const float *x, size_t d, uint32_t lo, uint32_t hi,
                           tpc_topk_band *b);
int tpc_topk_band_avx2_f64(const double *x, size_t d, uint64_t lo,
                           uint64_t hi, tpc_topk_band *b);
int tpc_topk_band_avx512_f32(const float *x, size_t d, uint32_t lo,
                             uint32_t hi, tpc_topk_band *b);
int tpc_topk_band_avx512_f64(const double *x, size_t d, uint64_t lo,
                             uint64_t hi, tpc_topk_band *b);

/* The maxbound implementation's kernels (topk_maxbound.c) work on blocks of
** TPC_TOPK_MB_BLOCK consecutive elements and on 32-bit keys: the key itself
** for float, its upper half (key >> 32) for double, which orders no pair
** the other way and so bounds as the key does.
**
** blockmax: m[b] = the largest 32-bit key of block b, for the nb whole
** blocks from x.  gather: for each block b < nb with m[b] >= t, in
** increasing order (blk: room for nb block numbers), append the index and
** key of every element with key >= lo to idx[n..] and key[n..], checking
** n <= cap before each block (the buffers hold cap + TPC_TOPK_MB_BLOCK
** entries); returns the count, above cap when it stopped early. */
enum { TPC_TOPK_MB_BLOCK = 16 };
/* lanebound: the bound of maxbound (topk_maxbound.c) from nrow rows of 8
** block maxima, for 1 <= k <= TPC_TOPK_MB_LIST: the k-th largest of the
** lanes' r = ceil(k/4) largest maxima, r <= TPC_TOPK_MB_TOP. */
enum { TPC_TOPK_MB_TOP = 8, TPC_TOPK_MB_LIST = 4 * TPC_TOPK_MB_TOP };
typedef uint32_t (*tpc_topk_lanebound_fn)(const uint32_t *m, size_t nrow, size_t k);
typedef void (*tpc_topk_blockmax_f32_fn)(const float *x, size_t nb, uint32_t *m);
typedef void (*tpc_topk_blockmax_f64_fn)(const double *x, size_t nb, uint32_t *m);
typedef size_t (*tpc_topk_gather_f32_fn)(const float *x, const uint32_t *m, size_t nb,
                                         uint32_t t, uint32_t *blk, uint32_t lo,
                                         uint32_t *idx, uint32_t *key, size_t n,
                                         size_t cap);
typedef size_t (*tpc_topk_gather_f64_fn)(const double *x, const uint32_t *m, size_t nb,
                                         uint32_t t, uint32_t *blk, uint64_t lo,
                                         uint32_t *idx, uint64_t *key, size_t n,
                                         size_t cap);
#define TPC_TOPK_MB_DECLARE(isa)                                                         \
  uint32_t tpc_topk_lanebound_##isa(const uint32_t *m, size_t nrow, size_t k);           \
  void tpc_topk_blockmax_##isa##_f32(const float *x, size_t nb, uint32_t *m);            \
  void tpc_topk_blockmax_##isa##_f64(const double *x, size_t nb, uint32_t *m);           \
  size_t tpc_topk_gather_##isa##_f32(const float *x, const uint32_t *m, size_t nb,       \
                                     uint32_t t, uint32_t *blk, uint32_t lo,             \
                                     uint32_t *idx, uint32_t *key, size_t n, size_t cap); \
  size_t tpc_topk_gather_##isa##_f64(const double *x, const uint32_t *m, size_t nb,      \
                                     uint32_t t, uint32_t *blk, uint64_t lo,             \
                                     uint32_t *idx, uint64_t *key, size_t n, size_t cap);
/* The blocks b < nb with m[b] >= t into blk, increasing; returns their
** number (the AVX2 and AVX-512 gathers' first step; m is padded with
** zeros to a multiple of 8 entries). */
size_t tpc_topk_blocklist_avx2(const uint32_t *m, size_t nb, uint32_t t, uint32_t *blk);
TPC_TOPK_MB_DECLARE(portable)
TPC_TOPK_MB_DECLARE(avx2)
TPC_TOPK_MB_DECLARE(avx512)
#undef TPC_TOPK_MB_DECLARE

/* The gather kernels' step: the candidates of one block (bit j of mask:
** element base + j has key >= lo; x, idx, key and n in scope), the first
** written unconditionally (an empty mask rewrites element 15 of the block
** and advances nothing), the rare others in a loop. */
#define TPC_TOPK_GATHER_EMIT(SHORT_)                                  \
  do {                                                                \
    size_t j0 = (size_t)__builtin_ctz(mask | 0x8000u);                \
    idx[n] = (uint32_t)(base + j0);                                   \
    key[n] = tpc_topk_key_##SHORT_(x[base + j0]);                     \
    n += mask != 0;                                                   \
    for (mask &= mask - 1; mask != 0; mask &= mask - 1) {             \
      size_t j = (size_t)__builtin_ctz(mask);                         \
      idx[n] = (uint32_t)(base + j);                                  \
      key[n++] = tpc_topk_key_##SHORT_(x[base + j]);                  \
    }                                                                 \
  } while (0)

/* Whether the CPU and OS run the AVX2 / AVX-512 kernels: the availability
** test of every vector path of the filter and maxbound. */
int tpc_topk_avx2_available(void);
int tpc_topk_avx512_available(void);

/* The implementation `impl` on its three kernel paths (topk_filter.c,
** topk_maxbound.c): tpc_topk_IMPL_portable, _avx2 and _avx512, over the
** file's IMPL_select_PATH_f32 and _f64. */
#define TPC_TOPK_IMPL_PATH(impl, path, avail)                                   \
  const tpc_topk_impl tpc_topk_##impl##_##path = {                             \
      .name = #impl, .isa = #path, .available = avail,                         \
      .select_f32 = impl##_select_##path##_f32, .select_f64 = impl##_select_##path##_f64}
#define TPC_TOPK_IMPL_PATHS(impl)                                               \
  TPC_TOPK_IMPL_PATH(impl, portable, NULL);                                     \
  TPC_TOPK_IMPL_PATH(impl, avx2, tpc_topk_avx2_available);                      \
  TPC_TOPK_IMPL_PATH(impl, avx512, tpc_topk_avx512_available)

/* Bytes of the band buffers for (d, k) and keys of key_size bytes, and
** their placement at the start of work (64-byte aligned); sets the
** capacities (sure_cap = k), the unroll for the density k/d, and zeroes the
** counts.  The scratch holds at least TPC_TOPK_SAMPLE_MAX keys. */
size_t tpc_topk_band_bytes(size_t d, size_t k, size_t key_size);
void tpc_topk_band_layout(tpc_topk_band *b, void *work, size_t d, size_t k,
                          size_t key_size);

/* The r-th largest (1 <= r <= n) of key[0..n), all in [lo, hi], and, in
** *greater, how many keys exceed it.  Radix selection by histograms of
** digits below the bits lo and hi share; key[] is left as it is (the band's
** keys stay in index order for tpc_topk_finish): once a digit's bucket is
** small its keys are copied to scratch (room for scratch_cap keys, which
** may be 0) and the next rounds read only those. */
uint32_t tpc_topk_kth_key_f32(const uint32_t *key, size_t n, size_t r,
                              uint32_t lo, uint32_t hi, uint32_t *scratch,
                              size_t scratch_cap, size_t *greater);
uint64_t tpc_topk_kth_key_f64(const uint64_t *key, size_t n, size_t r,
                              uint64_t lo, uint64_t hi, uint64_t *scratch,
                              size_t scratch_cap, size_t *greater);

/* idx[0..k) = the indices of x with key > t, plus the first `ties` indices
** with key == t, in increasing order (the caller knows they number k). */
void tpc_topk_collect_f32(const float *x, size_t d, uint32_t t, size_t ties,
                          uint32_t *idx);
void tpc_topk_collect_f64(const double *x, size_t d, uint64_t t, size_t ties,
                          uint32_t *idx);

/* After a band pass with nsure <= k <= nsure + n: select the k - nsure
** largest of the band (ties to the lower index) and merge them with the sure
** indices into idx[0..k), increasing. */
void tpc_topk_finish_f32(tpc_topk_band *b, size_t k, uint32_t *idx);
void tpc_topk_finish_f64(tpc_topk_band *b, size_t k, uint32_t *idx);

/* Radix select on x with the given band pass kernel; b laid out by
** tpc_topk_band_layout.  Used by the radix implementation and as the
** filter's fallback. */
void tpc_topk_radix_run_f32(const float *x, size_t d, size_t k, uint32_t *idx,
                            tpc_topk_band *b, tpc_topk_band_f32_fn band);
void tpc_topk_radix_run_f64(const double *x, size_t d, size_t k,
                            uint32_t *idx, tpc_topk_band *b,
                            tpc_topk_band_f64_fn band);

/* The filter's sample: the number of 64-byte lines it reads for (d, k) and
** elements of esize bytes (0: it reads all of x), and the first element of
** line j of `lines`.  Exposed so that tests can build inputs the sample
** misjudges, which reach the filter's fallback. */
size_t tpc_topk_sample_lines(size_t d, size_t k, size_t esize);
size_t tpc_topk_sample_start(size_t d, size_t lines, size_t esize, size_t j);

/* The topk compressor's dense output where x and out exceed the cache
** (topk.c): out[i] = x[i] for i in idx[0..k) (increasing), +0 elsewhere,
** and val[j] = x[idx[j]], in one sequential pass of streaming stores over
** out (topk_filter_avx2.c); the AVX-512 path runs it too.  out must be
** aligned to its element size. */
void tpc_topk_dense_avx2_f32(const float *x, size_t d, const uint32_t *idx, size_t k,
                             float *out, float *val);
void tpc_topk_dense_avx2_f64(const double *x, size_t d, const uint32_t *idx, size_t k,
                             double *out, double *val);

/* The implementations (topk_sort.c, topk_quickselect.c, topk_heap.c,
** topk_radix.c, topk_filter.c, topk_maxbound.c) and the scratch each needs
** for elements of esize bytes (4 or 8). */
extern const tpc_topk_impl tpc_topk_sort, tpc_topk_quickselect, tpc_topk_heap,
    tpc_topk_radix, tpc_topk_filter_portable, tpc_topk_filter_avx2,
    tpc_topk_filter_avx512, tpc_topk_maxbound_portable, tpc_topk_maxbound_avx2,
    tpc_topk_maxbound_avx512;
size_t tpc_topk_sort_work(size_t d, size_t k, size_t esize);
size_t tpc_topk_quickselect_work(size_t d, size_t k, size_t esize);
size_t tpc_topk_heap_work(size_t d, size_t k, size_t esize);
size_t tpc_topk_radix_work(size_t d, size_t k, size_t esize);
size_t tpc_topk_filter_work(size_t d, size_t k, size_t esize);
size_t tpc_topk_maxbound_work(size_t d, size_t k, size_t esize);

/* Scratch bytes `impl` needs for (d, k) and one element type: what the topk
** compressor allocates for the implementations it chose. */
size_t tpc_topk_impl_work(const tpc_topk_impl *impl, size_t d, size_t k,
                          tpc_dtype dtype);


/* The band pass of an ISA path, defined once for both: NAME(x, d, lo, hi, b,
** unroll) scans x in groups of 64 with GROUP(x + i, SET1(lo)) (the ISA's
** candidate mask), emits them, and stops with 0 when the band overflows its
** capacity; the tail (under 64 elements, which at d = 10^3 cost as much as
** the rest in scalar code) is one more group, copied into zeros and masked
** to its length, emitted without unconditional steps (they would read
** x[full + 63], beyond d).  Inlined once per unroll (a constant) so the
** emission's unconditional steps are straight-line code.  Expanded in the
** *_avx2.c / *_avx512.c files, which carry the ISA flags. */
#define TPC_TOPK_BAND_RUN(NAME, SHORT_, BASE_, UKEY_, VTYPE, SET1, GROUP)     \
  static inline __attribute__((always_inline)) int NAME(                     \
      const BASE_ *x, size_t d, UKEY_ lo, UKEY_ hi, tpc_topk_band *b,          \
      const unsigned unroll) {                                                 \
    const VTYPE vlo = SET1(lo);                                                \
    uint32_t *sure = b->sure, *bidx = b->idx;                                  \
    UKEY_ *bkey = b->key;                                                      \
    size_t ns = 0, nb = 0, full = d / 64 * 64;                                 \
    b->lo = lo;                                                                \
    b->hi = hi;                                                                \
    for (size_t i = 0; i < full;) {                                            \
      if (ns > b->sure_cap || nb > b->cap) {                                   \
        b->nsure = ns;                                                         \
        b->n = nb;                                                             \
        return 0;                                                              \
      }                                                                        \
      size_t end = full - i < TPC_TOPK_CHUNK ? full : i + TPC_TOPK_CHUNK;      \
      for (; i < end; i += 64) {                                               \
        size_t ahead = i + TPC_TOPK_AHEAD / sizeof(BASE_);                     \
        tpc_topk_prefetch(x + (ahead < full ? ahead : i), 64 * sizeof(BASE_)); \
        tpc_topk_emit_##SHORT_(GROUP(x + i, vlo), x, i, hi, sure, bidx, bkey,  \
                               &ns, &nb, unroll);                              \
      }                                                                        \
    }                                                                          \
    if (full < d) {                                                            \
      BASE_ pad[64] = {0};                                                     \
      memcpy(pad, x + full, (d - full) * sizeof(BASE_));                       \
      uint64_t live = ((uint64_t)1 << (d - full)) - 1;                         \
      tpc_topk_emit_##SHORT_(GROUP(pad, vlo) & live, x, full, hi, sure, bidx,  \
                             bkey, &ns, &nb, 0);                               \
    }                                                                          \
    b->nsure = ns;                                                             \
    b->n = nb;                                                                 \
    return 1;                                                                  \
  }

#endif
