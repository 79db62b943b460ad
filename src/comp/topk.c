/*
** topk(k=INT | ratio=REAL): keep the k largest |x_i|, ties broken towards the
** lower index, zero the rest (THEORY.md T2, B(k/d), deterministic).  The
** selection is the fastest TopK implementation for the size
** (tpc_topk_best, comp/topk_impl.h), chosen once at init together with its
** instruction set path; its scratch, the k kept indices and the k values
** are allocated then too, so a call allocates nothing and touches O(k)
** memory besides reading x and writing out.
*/
#include <unistd.h>

#include "comp/kernels.h"
#include "comp/topk_kern.h"
#include "core/cpu.h"

static const char *const topk_keys[] = {"k", "ratio", NULL};

/* Head of the workspace's aux buffer: the implementation per element type
** (indexed by tpc_dtype); the selection's scratch follows at
** TOPK_STATE_BYTES, keeping its 64-byte alignment. */
typedef struct topk_state {
  const tpc_topk_impl *impl[2];
  unsigned char dense[2];  /* output by the streaming pass (topk_dense_use) */
} topk_state;
enum { TOPK_STATE_BYTES = 64 };

/* Whether the output of d elements of esize bytes is written by the AVX2
** streaming pass (tpc_topk_dense_avx2_*) rather than by memset and the k
** stores: where x and out together exceed 3/4 of the last-level cache
** (sysconf; 4 MiB where it does not say), as glibc's memset turns to
** streaming stores at a similar share.  Below that, x and out stay cached
** between calls and the streaming stores cost more than they save (TopK,
** k = d/100, on an Intel Xeon with a 300 MiB L3: double at 2^24 10 ms
** streamed vs 16 ms; float at 2^24 8.1 ms vs 5.5, at 2^20 double 830 us
** vs 600). */
static int topk_dense_use(size_t d, size_t esize) {
  long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  size_t cache = l3 > 0 ? (size_t)l3 : (size_t)4 << 20;
  return 2 * d * esize > cache / 4 * 3 && tpc_cpu_isa() >= TPC_ISA_AVX2;
}

static int topk_init(tpc_comp *c, const tpc_spec *s) {
  int status = tpc_comp_param_k(c, s);
  if (status != TPC_OK) return status;
  if (c->d > UINT32_MAX)
    return tpc_error(TPC_EINPUT, "topk: d = %zu exceeds the sparse index range",
                     c->d);
  const tpc_topk_impl *f32 = tpc_topk_best(c->d, c->k, TPC_F32);
  const tpc_topk_impl *f64 = tpc_topk_best(c->d, c->k, TPC_F64);
  size_t w32 = tpc_topk_impl_work(f32, c->d, c->k, TPC_F32);
  size_t w64 = tpc_topk_impl_work(f64, c->d, c->k, TPC_F64);
  status = tpc_work_alloc(c, 0, TOPK_STATE_BYTES + (w32 > w64 ? w32 : w64));
  if (status != TPC_OK) return status;
  tpc_work *w = c->priv;
  w->idx = tpc_calloc_aligned(c->k, sizeof(uint32_t));
  w->val = tpc_calloc_aligned(c->k, sizeof(double));
  if (w->idx == NULL || w->val == NULL) {
    tpc_work_destroy(c);
    return TPC_ENOMEM;
  }
  topk_state *st = w->aux;
  st->impl[TPC_F32] = f32;
  st->impl[TPC_F64] = f64;
  st->dense[TPC_F32] = (unsigned char)topk_dense_use(c->d, sizeof(float));
  st->dense[TPC_F64] = (unsigned char)topk_dense_use(c->d, sizeof(double));
  return TPC_OK;
}

/* The selection chosen at init for the type, with its instruction set. */
static void topk_path(const tpc_comp *c, tpc_dtype t, char *buf, size_t size) {
  const topk_state *st = ((const tpc_work *)c->priv)->aux;
  snprintf(buf, size, "%s/%s", st->impl[t]->name, st->impl[t]->isa);
}

static void topk_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double alpha = (double)c->k / (double)c->d;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_CONTRACTIVE, .alpha = alpha, .deterministic = 1,
                           .alpha_src = "T2"};
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/topk_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/topk_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_comp_type tpc_comp_topk = {
    .name = "topk",
    .synopsis = "topk(k=INT | ratio=REAL)",
    .summary = "keep the k largest magnitudes (ties: lower index first)",
    .declared = "B(k/d)",
    .theory = "T2",
    .keys = topk_keys,
    .nsub = 0,
    .work_size = sizeof(tpc_work),
    .init = topk_init,
    .destroy = tpc_work_destroy,
    .consts = topk_consts,
    .compress_f32 = topk_compress_f32,
    .compress_f64 = topk_compress_f64,
    .path = topk_path,
};
