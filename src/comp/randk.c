/*
** randk(k=INT | ratio=REAL) and urandk(k=INT | ratio=REAL): keep k coordinates
** chosen uniformly without replacement (THEORY.md T2).  randk keeps the values
** (biased, B(k/d)); urandk scales them by d/k (U(d/k - 1)).  The subset comes
** from Floyd's algorithm: draw j is uniform on 0 .. d-k+j, taken from
** xoshiro lanes seeded from the caller's private stream (rng/lanes.h), 32
** bits at a time (d < 2^32), by Lemire's multiply-and-reject method, which
** is exactly uniform (a word is rejected, and the next one taken, with
** probability below d/2^32).  The subset is marked in a bitmap of d bits in
** the workspace (a 64th of x's size, so the random marks stay in cache),
** which every call leaves cleared, so a result depends on the stream only,
** never on the instance's earlier calls.  x is
** read at the kept indices only.  The portable path lists the kept indices
** in order by a scan of the bitmap, then writes out with memset (streaming
** at large sizes in libc) and a scatter of the k values, prefetched a few
** indices ahead.  The float path on AVX-512 (randk_avx512.c) makes one pass
** over the bitmap instead, listing the kept indices a little ahead of where
** it writes out, so that the reads of x at them overlap the writes of out.
** The AVX2 and AVX-512 paths take Floyd's draws 8 or 16 at a time
** (randk_avx2.c, randk_avx512.c); AVX2's float pass over the bitmap runs
** beyond 4 MiB only.
*/
#include "comp/kernels.h"

#include <gsl/gsl_rng.h>
#include <string.h>

#include "core/cpu.h"
#include "rng/lanes.h"

static const char *const randk_keys[] = {"k", "ratio", NULL};

/* Entries of room beyond k in idx and val (randk_list's unconditional
** steps write up to 2 beyond, the AVX-512 scan reads whole vectors of val),
** how many kept indices ahead the scatter prefetches, and random words per
** call of the generator. */
enum { RANDK_SLACK = 64, RANDK_AHEAD = 16, RANDK_WORDS = 256 };

/* c->priv: the workspace, the factor applied to the kept values (1 for
** randk, d/k for urandk) and the instruction set path chosen at init.
** Workspace: in aux the bitmap (W words); k (+ slack) indices (which hold
** the draws until the bitmap is listed) and values. */
typedef struct randk_state {
  tpc_work work;
  double scale;
  tpc_isa isa;
} randk_state;

static const randk_state *randk_state_of(const tpc_comp *c) { return c->priv; }

static int randk_init(tpc_comp *c, const tpc_spec *s) {
  int status = tpc_comp_param_k(c, s);
  if (status != TPC_OK) return status;
  if (c->d > UINT32_MAX)
    return tpc_error(TPC_EINPUT, "%s: d = %zu exceeds the sparse index range",
                     c->type->name, c->d);
  randk_state *st = c->priv;
  st->scale = 1.0;
  st->isa = tpc_cpu_isa();
  size_t words = (c->d + 63) / 64;
  status = tpc_work_alloc(c, 0, words * sizeof(uint64_t));
  if (status != TPC_OK) return status;
  tpc_work *w = c->priv;
  w->idx = tpc_calloc_aligned(c->k + RANDK_SLACK, sizeof(uint32_t));
  w->val = tpc_calloc_aligned(c->k + RANDK_SLACK, sizeof(double));
  if (w->idx == NULL || w->val == NULL) {
    tpc_work_destroy(c);
    return TPC_ENOMEM;
  }
  return TPC_OK;
}

static int urandk_init(tpc_comp *c, const tpc_spec *s) {
  int status = randk_init(c, s);
  if (status == TPC_OK) ((randk_state *)c->priv)->scale = (double)c->d / (double)c->k;
  return status;
}

/* AVX-512: the draws and the lanes' words in both types, and the float
** kernel's pass over the bitmap; AVX2: the same, the pass beyond 4 MiB. */
static void randk_path(const tpc_comp *c, tpc_dtype t, char *buf, size_t size) {
  (void)t;
  tpc_kernel_path(randk_state_of(c)->isa, TPC_ISA_BIT_AVX2 | TPC_ISA_BIT_AVX512, buf, size);
}

static void randk_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double alpha = (double)c->k / (double)c->d;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_CONTRACTIVE, .alpha = alpha, .alpha_src = "T2"};
}

static void urandk_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double omega = (double)c->d / (double)c->k - 1.0;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_UNBIASED, .omega = omega, .omega_src = "T2"};
}

/* Uniform integers below m < 2^32 from the lanes' words, each word read as
** two 32-bit words, low half first (Lemire 2019: the high half of u m,
** rejecting u when the low half falls below 2^32 mod m, which leaves every
** value exactly m of the 2^32 words). */
typedef struct {
  tpc_rng_lanes lanes;
  tpc_rng_lanes_fill_fn fill;
  size_t next, end; /* in 32-bit words */
  uint64_t word[RANDK_WORDS];
} randk_source;

/* The next `words` words of the lanes (at most RANDK_WORDS, rounded up to
** whole blocks): the lanes' words come in one sequence whatever the batches,
** so a first batch sized to the call's k spares a small k the cost of a
** full one. */
static void randk_refill(randk_source *src, size_t words) {
  size_t blocks = (words + TPC_LANES - 1) / TPC_LANES;
  src->fill(&src->lanes, src->word, blocks);
  src->next = 0;
  src->end = 2 * TPC_LANES * blocks;
}

static uint32_t randk_u32(randk_source *src) {
  if (src->next == src->end) randk_refill(src, RANDK_WORDS);
  size_t i = src->next++;
  return (uint32_t)(src->word[i / 2] >> (32 * (i % 2)));
}

static uint32_t randk_below(randk_source *src, uint32_t m) {
  uint64_t p = (uint64_t)randk_u32(src) * m;
  if ((uint32_t)p < m) {
    uint32_t least = (0u - m) % m; /* 2^32 mod m */
    while ((uint32_t)p < least) p = (uint64_t)randk_u32(src) * m;
  }
  return (uint32_t)(p >> 32);
}

/* width draws at once from the words u on the vector path, all uniform
** below m0, m0 + 1, ..: tpc_randk_draw16_avx512 or tpc_randk_draw8_avx2. */
static int randk_draw_wide(tpc_isa isa, const uint32_t *u, uint32_t m0, uint32_t *out) {
  return isa >= TPC_ISA_AVX512 ? tpc_randk_draw16_avx512(u, m0, out)
                               : tpc_randk_draw8_avx2(u, m0, out);
}

/* Floyd's draws: draw[j] uniform on 0 .. d-k+j, in order.  The AVX-512 and
** AVX2 paths take 16 or 8 at a time (randk_avx512.c, randk_avx2.c) where
** all their words are surely accepted and leave the others, and a refill,
** to randk_below: the same words give the same draws either way.  The
** first batch holds the k/2 words that k draws take without a rejection,
** the later ones RANDK_WORDS. */
static void randk_draws(const tpc_comp *c, uint32_t *draw, gsl_rng *r) {
  tpc_isa isa = randk_state_of(c)->isa;
  size_t width = isa >= TPC_ISA_AVX512 ? 16 : isa >= TPC_ISA_AVX2 ? 8 : 0;
  size_t d = c->d, k = c->k, j = 0;
  randk_source src;
  tpc_rng_lanes_seed(&src.lanes, r);
  src.fill = tpc_rand_fill(isa);
  randk_refill(&src, k / 2 + 1 < RANDK_WORDS ? k / 2 + 1 : RANDK_WORDS);
  while (j < k) {
    if (width > 0 && j + width <= k && src.next + width <= src.end &&
        randk_draw_wide(isa, (const uint32_t *)(const void *)src.word + src.next,
                        (uint32_t)(d - k + j + 1), draw + j)) {
      src.next += width;
      j += width;
    } else {
      draw[j] = randk_below(&src, (uint32_t)(d - k + j + 1));
      j++;
    }
  }
}

/* Floyd's step j: marks draw[j], or top + j (never marked before step j)
** when draw[j] is marked already, and leaves the marked position in
** draw[j]. */
static inline void randk_set(uint64_t *bits, uint32_t *draw, size_t j, size_t top) {
  size_t t = draw[j], at = bits[t / 64] >> (t % 64) & 1 ? top + j : t;
  bits[at / 64] |= (uint64_t)1 << (at % 64);
  draw[j] = (uint32_t)at;
}

/* Reads one word of every line of a bitmap beyond 512 KiB: the caches take
** it in sequentially, at full bandwidth, where the marks would otherwise
** miss one random line at a time (at d = 2^24, 2 MiB read in about 0.1 ms
** saved about 0.2 ms of misses when the bitmap had left the caches). */
static void randk_warm(const uint64_t *bits, size_t words) {
  if (words < ((size_t)64 << 10)) return;
  uint64_t any = 0;
  for (size_t w = 0; w < words; w += 8) any |= bits[w];
  __asm__ volatile("" : : "r"(any)); /* the loads are the point: keep them */
}

/* Floyd's algorithm: marks a uniformly random k-subset of 0..d-1, and
** leaves the marked positions in draw[0..k) in draw order.  The draws come
** first; each step prefetches the bitmap word of the draw AHEAD steps on
** (the bitmap outgrows the L2 cache from d = 2^23).  The steps run in draw
** order, so the subset is Floyd's. */
static void randk_mark(const tpc_comp *c, uint64_t *bits, uint32_t *draw, gsl_rng *r) {
  enum { AHEAD = 32 };
  size_t d = c->d, k = c->k;
  randk_draws(c, draw, r);
  randk_warm(bits, (d + 63) / 64);
  for (size_t j = 0; j < k; j++) {
    if (j + AHEAD < k) __builtin_prefetch(bits + draw[j + AHEAD] / 64, 1);
    randk_set(bits, draw, j, d - k);
  }
}

/* idx[0..k) = the set bits of bits, increasing (tpc_randk_list), then the
** bitmap cleared for the next call.  idx has RANDK_SLACK entries of room
** beyond k. */
static void randk_list(uint64_t *bits, size_t d, uint32_t *idx) {
  size_t words = (d + 63) / 64;
  tpc_randk_list(bits, 0, words, idx, 0);
  memset(bits, 0, words * sizeof *bits);
}

/* The float path on AVX-512, or on AVX2 beyond 4 MiB: marks (randk.c),
** then one pass over the bitmap (randk_avx512.c, randk_avx2.c); 0 where
** neither applies.  Below 4 MiB out stays in the caches, and memset and the
** scatter were faster than AVX2's pass (0.22 against 0.27 ms at d = 2^20,
** k/d = 1%, best of 15 calls on the same buffers; at 2^24 the pass took
** 4.8 against 7.6 ms, median 5.1 against 9.7, on a loaded 2-core VM). */
static int randk_fast_f32(const tpc_comp *c, const float *x, float *out, float scale,
                          gsl_rng *r) {
  tpc_isa isa = randk_state_of(c)->isa;
  int stream = c->d * sizeof(float) > ((size_t)4 << 20);
  if (isa < TPC_ISA_AVX2 || (isa == TPC_ISA_AVX2 && !stream)) return 0;
  tpc_work *w = c->priv;
  uint64_t *bits = w->aux;
  randk_mark(c, bits, w->idx, r);
  if (isa >= TPC_ISA_AVX512)
    tpc_randk_f32_avx512(bits, x, c->d, scale, out, w->idx, w->val, stream);
  else
    tpc_randk_f32_avx2(bits, x, c->d, scale, out, w->idx, w->val, stream);
  return 1;
}

/* RANDK_FAST: the type's fast path, 0 where it has none. */
#define TPC_BASE_F32
#include "core/templates_on.h"
#define RANDK_FAST(c, x, out, scale, r) randk_fast_f32(c, x, out, scale, r)
#include "comp/randk_source.c"
#undef RANDK_FAST
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#define RANDK_FAST(c, x, out, scale, r) 0
#include "comp/randk_source.c"
#undef RANDK_FAST
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_comp_type tpc_comp_randk = {
    .name = "randk",
    .synopsis = "randk(k=INT | ratio=REAL)",
    .summary = "keep k uniformly random coordinates, unscaled (biased)",
    .declared = "B(k/d)",
    .theory = "T2",
    .keys = randk_keys,
    .nsub = 0,
    .work_size = sizeof(randk_state),
    .init = randk_init,
    .destroy = tpc_work_destroy,
    .consts = randk_consts,
    .compress_f32 = randk_compress_f32,
    .compress_f64 = randk_compress_f64,
    .path = randk_path,
};

const tpc_comp_type tpc_comp_urandk = {
    .name = "urandk",
    .synopsis = "urandk(k=INT | ratio=REAL)",
    .summary = "keep k uniformly random coordinates scaled by d/k (unbiased)",
    .declared = "U(d/k - 1)",
    .theory = "T2",
    .keys = randk_keys,
    .nsub = 0,
    .work_size = sizeof(randk_state),
    .init = urandk_init,
    .destroy = tpc_work_destroy,
    .consts = urandk_consts,
    .compress_f32 = randk_compress_f32,
    .compress_f64 = randk_compress_f64,
    .path = randk_path,
};
