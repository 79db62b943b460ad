/*
** randk(k=INT | ratio=REAL) and urandk(k=INT | ratio=REAL): keep k coordinates
** chosen uniformly without replacement (THEORY.md T2).  randk keeps the values
** (biased, B(k/d)); urandk scales them by d/k (U(d/k - 1)).  The subset comes
** from Floyd's algorithm, k draws of gsl_rng_uniform_int from the caller's
** private stream, marked in a bitmap of d bits in the workspace (a 64th of
** x's size, so the random marks stay in cache); one scan of the bitmap, which
** also clears it, lists the kept indices in order, so a result depends on
** the stream only, never on the instance's earlier calls.  Per call the
** kernel writes out once (zeros, then the k kept values, prefetched a few
** indices ahead) and reads x at the k kept indices only.
*/
#include "comp/kernels.h"

#include <gsl/gsl_rng.h>
#include <string.h>

static const char *const randk_keys[] = {"k", "ratio", NULL};

/* Entries beyond k that randk_list may write (its unconditional steps), and
** how many kept indices ahead the scatter prefetches. */
enum { RANDK_SLACK = 64, RANDK_AHEAD = 16 };

/* c->par[1] is the factor applied to the kept values.  Workspace: the
** bitmap in aux, k (+ slack) indices and values. */
static int randk_init(tpc_comp *c, const tpc_spec *s) {
  int status = tpc_comp_param_k(c, s);
  if (status != TPC_OK) return status;
  if (c->d > UINT32_MAX)
    return tpc_error(TPC_EINPUT, "%s: d = %zu exceeds the sparse index range",
                     c->type->name, c->d);
  c->par[1] = 1.0;
  status = tpc_work_alloc(c, 0, (c->d + 63) / 64 * sizeof(uint64_t));
  if (status != TPC_OK) return status;
  tpc_work *w = c->priv;
  w->idx = tpc_calloc_aligned(c->k + RANDK_SLACK, sizeof(uint32_t));
  w->val = tpc_calloc_aligned(c->k, sizeof(double));
  if (w->idx == NULL || w->val == NULL) {
    tpc_work_destroy(c);
    return TPC_ENOMEM;
  }
  return TPC_OK;
}

static int urandk_init(tpc_comp *c, const tpc_spec *s) {
  int status = randk_init(c, s);
  if (status == TPC_OK) c->par[1] = (double)c->d / (double)c->k;
  return status;
}

static void randk_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double alpha = (double)c->k / (double)c->d;
  *out = (tpc_comp_consts){TPC_CLASS_CONTRACTIVE, alpha, 0.0, 0, "T2", NULL, 0, 0.0};
}

static void urandk_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double omega = (double)c->d / (double)c->k - 1.0;
  *out = (tpc_comp_consts){TPC_CLASS_UNBIASED, 0.0, omega, 0, NULL, "T2", 0, 0.0};
}

/* Floyd's algorithm: marks a uniformly random k-subset of 0..d-1.  The
** draws come first (into draw[0..k), which randk_list then overwrites), so
** that the marking can prefetch the bitmap words it will test: the bitmap
** outgrows the L2 cache from d = 2^23, and the draws are a serial chain. */
static void randk_mark(uint64_t *bits, size_t d, size_t k, uint32_t *draw,
                       gsl_rng *r) {
  enum { AHEAD = 16 };
  for (size_t j = 0; j < k; j++)
    draw[j] = (uint32_t)gsl_rng_uniform_int(r, (unsigned long)(d - k + j) + 1);
  for (size_t j = 0; j < k; j++) {
    if (j + AHEAD < k) __builtin_prefetch(bits + draw[j + AHEAD] / 64, 1);
    size_t t = draw[j], at = bits[t / 64] >> (t % 64) & 1 ? d - k + j : t;
    bits[at / 64] |= (uint64_t)1 << (at % 64);
  }
}

/* idx[0..k) = the set bits of bits[0..(d+63)/64), increasing, clearing
** them.  Two entries per word are written whether or not the word has them
** (the count advances only for bits present), so that only words with more
** than two bits branch: at k/d of a few percent most words hold none or one.
** idx has RANDK_SLACK entries of room beyond k. */
static void randk_list(uint64_t *bits, size_t d, uint32_t *idx) {
  const uint64_t top = (uint64_t)1 << 63;
  size_t n = 0;
  for (size_t w = 0; w < (d + 63) / 64; w++) {
    uint64_t m = bits[w];
    bits[w] = 0;
    uint32_t base = (uint32_t)(64 * w), *p = idx + n;
    p[0] = base + (uint32_t)__builtin_ctzll(m | top);
    n += m != 0;
    m &= m - 1;
    p[1] = base + (uint32_t)__builtin_ctzll(m | top);
    n += m != 0;
    m &= m - 1;
    for (p += 2; m != 0; m &= m - 1, n++) *p++ = base + (uint32_t)__builtin_ctzll(m);
  }
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/randk_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/randk_source.c"
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
    .work_size = sizeof(tpc_work),
    .init = randk_init,
    .destroy = tpc_work_destroy,
    .consts = randk_consts,
    .compress_f32 = randk_compress_f32,
    .compress_f64 = randk_compress_f64,
};

const tpc_comp_type tpc_comp_urandk = {
    .name = "urandk",
    .synopsis = "urandk(k=INT | ratio=REAL)",
    .summary = "keep k uniformly random coordinates scaled by d/k (unbiased)",
    .declared = "U(d/k - 1)",
    .theory = "T2",
    .keys = randk_keys,
    .nsub = 0,
    .work_size = sizeof(tpc_work),
    .init = urandk_init,
    .destroy = tpc_work_destroy,
    .consts = urandk_consts,
    .compress_f32 = randk_compress_f32,
    .compress_f64 = randk_compress_f64,
};
