/*
** Shared pieces of the built-in compressors (THEORY.md T2, T1): the built-in
** type objects, the workspace every built-in instance keeps in c->priv, the
** parameter readers, and the type-generic helpers that more than one kernel
** uses (selecting the k largest magnitudes, emitting a sorted SPARSE part
** from marked coordinates, emitting a DENSE part).  Internal to src/comp:
** plugins see only comp/comp.h.
*/
#ifndef TPC_COMP_KERNELS_H
#define TPC_COMP_KERNELS_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "comp/comp.h"
#include "core/cpu.h"
#include "core/error.h"
#include "rng/lanes.h"

/* The built-in types, listed in comp/builtin.c. */
extern const tpc_comp_type tpc_comp_identity;
extern const tpc_comp_type tpc_comp_topk;
extern const tpc_comp_type tpc_comp_randk;
extern const tpc_comp_type tpc_comp_urandk;
extern const tpc_comp_type tpc_comp_permk;
extern const tpc_comp_type tpc_comp_bernoulli;
extern const tpc_comp_type tpc_comp_natural;
extern const tpc_comp_type tpc_comp_dither;
extern const tpc_comp_type tpc_comp_sign;
extern const tpc_comp_type tpc_comp_threshold;
extern const tpc_comp_type tpc_comp_scaled;
extern const tpc_comp_type tpc_comp_compose;

/* Workspace of a built-in instance (c->priv, work_size = sizeof(tpc_work)),
** or the first member of a type's own state struct, whose work_size is then
** the struct's size and whose further members hold what init decided (the
** instruction set path, a scale), typed.
** Buffers a message part points into live here, so a part stays valid until
** the instance's next call whatever the caller does with `out`.  Sized for
** double, so one instance serves both element types. */
typedef struct tpc_work {
  void *val;            /* d values: DENSE, SPARSE or POW2 part values */
  uint32_t *idx;        /* d indices of a SPARSE part */
  unsigned char *mark;  /* d flags, all zero between calls */
  void *aux;            /* type-specific scratch of aux_bytes */
} tpc_work;

enum { TPC_WORK_VAL = 1, TPC_WORK_SPARSE = 2 };

/* Allocate c->priv's buffers: val when `what` has TPC_WORK_VAL, idx, val and
** mark when it has TPC_WORK_SPARSE (which needs d <= UINT32_MAX), and aux when
** aux_bytes > 0.  On failure frees what it allocated and returns TPC_ENOMEM
** or TPC_EINPUT with a message. */
int tpc_work_alloc(tpc_comp *c, unsigned what, size_t aux_bytes);

/* The destroy callback of every built-in type: frees tpc_work_alloc's buffers
** (safe on a zeroed or partly built workspace). */
void tpc_work_destroy(tpc_comp *c);

/* Size parameter of topk, randk, urandk: exactly one of k (integer 1..d) or
** ratio (in (0, 1], k = max(1, round(ratio d))).  Sets c->k and c->par[0] = k.
** TPC_EINPUT with a message naming the parameter and its range. */
int tpc_comp_param_k(tpc_comp *c, const tpc_spec *s);

/* Required real parameter `key` in [lo, hi] (open at lo when lo_open), or an
** integer there when integer != 0; stored in *v. */
int tpc_comp_param_real(const tpc_spec *s, const char *key, double lo,
                        int lo_open, double hi, int integer, double *v);

/* The k-th largest of |x_0| .. |x_{d-1}| (1 <= k <= d), in O(d) expected
** time: introselect on a copy of the magnitudes in `mag` (d elements), with
** a three-way partition so that equal magnitudes cost no extra passes. */
float tpc_kern_kth_abs_f32(const float *x, size_t d, size_t k, float *mag);
double tpc_kern_kth_abs_f64(const double *x, size_t d, size_t k, double *mag);

/* The same with an explicit number of partition rounds before the remaining
** range is sorted (kth_abs uses 2 log2(d) + 8); exposed so that tests reach
** the sorting fallback, which only adversarial orders trigger otherwise. */
float tpc_kern_select_abs_f32(const float *x, size_t d, size_t k, float *mag,
                              size_t rounds);
double tpc_kern_select_abs_f64(const double *x, size_t d, size_t k,
                               double *mag, size_t rounds);

/* Emit the marked coordinates of x, each multiplied by scale, as one SPARSE
** part in increasing index order (values in w->val, indices in w->idx),
** write the same values into out (zero elsewhere), and clear the marks. */
void tpc_kern_sparse_f32(tpc_work *w, const float *x, float scale, size_t d,
                         float *out, tpc_msg *msg);
void tpc_kern_sparse_f64(tpc_work *w, const double *x, double scale, size_t d,
                         double *out, tpc_msg *msg);

/* Emit w->val (d values, already computed) as one DENSE part and copy it into
** out. */
void tpc_kern_dense_f32(tpc_work *w, size_t d, float *out, tpc_msg *msg);
void tpc_kern_dense_f64(tpc_work *w, size_t d, double *out, tpc_msg *msg);

/* ---- AVX2 and AVX-512 kernels of natural, dither and randk (their
** *_avx2.c and *_avx512.c files; call only where tpc_cpu_supports() says
** the instruction set is there; each file's comment says what its kernel
** computes, bit for bit the portable result) ---------------------------- */

/* Coordinates per fill of the lanes (rng/lanes.h) in natural and dither,
** four per word, and the lanes' blocks of 8 words a chunk of n takes (the
** last block of a short chunk partly unused): every path cuts the same
** chunks, so that it draws the same words. */
enum { TPC_RAND_CHUNK = 1024 };
static inline size_t tpc_rand_blocks(size_t n) { return (n + 31) / 32; }

/* The 16-bit quarters of words w[0 .. n/4) in coordinate order (quarter i
** % 4 of word i / 4, low first): the words' bytes as they are on a
** little-endian machine, where the copy is what compilers vectorize best,
** shifted out otherwise. */
static inline void tpc_rand_quarters(const uint64_t *w, size_t n, uint16_t *u) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy(u, w, n * sizeof *u);
#else
  for (size_t i = 0; i < n; i++) u[i] = (uint16_t)(w[i / 4] >> (16 * (i % 4)));
#endif
}

/* The lanes' fill for the instruction-set path chosen at init: the same
** words either way. */
static inline tpc_rng_lanes_fill_fn tpc_rand_fill(tpc_isa isa) {
  return isa >= TPC_ISA_AVX512 ? tpc_rng_lanes_fill_avx512
         : isa >= TPC_ISA_AVX2  ? tpc_rng_lanes_fill_avx2
                                : tpc_rng_lanes_fill;
}

/* The path a kernel runs (tpc_comp_type.path): the widest of its variants
** (a set of 1 << TPC_ISA_*) within the instruction set chosen at init,
** "portable" when none is. */
static inline void tpc_kernel_path(tpc_isa isa, unsigned variants, char *buf, size_t size) {
  int used = TPC_ISA_SCALAR;
  for (int i = TPC_ISA_AVX2; i <= TPC_ISA_AVX512; i++)
    if ((variants >> i & 1) && i <= (int)isa) used = i;
  snprintf(buf, size, "%s", used == TPC_ISA_SCALAR ? "portable" : tpc_isa_name((tpc_isa)used));
}
enum { TPC_ISA_BIT_AVX2 = 1 << TPC_ISA_AVX2, TPC_ISA_BIT_AVX512 = 1 << TPC_ISA_AVX512 };

/* natural, float: out and val from x, drawing from the lanes (ties from r);
** streaming stores when `stream`. */
void tpc_natural_f32_avx512(const float *x, size_t d, float *out, float *val,
                            tpc_rng_lanes *lanes, gsl_rng *r, int stream);
void tpc_natural_f32_avx2(const float *x, size_t d, float *out, float *val,
                          tpc_rng_lanes *lanes, gsl_rng *r, int stream);
/* natural, double, on AVX2: the same. */
void tpc_natural_f64_avx2(const double *x, size_t d, double *out, double *val,
                          tpc_rng_lanes *lanes, gsl_rng *r, int stream);

/* natural.c: the word a tie of the 16-bit comparison draws. */
uint64_t tpc_natural_tie_word(gsl_rng *r);

/* dither, float: levels and out from x with inv16 = 2^16 s/||x||, s16 =
** 2^16 s (dither.c). */
void tpc_dither_f32_avx512(const float *x, size_t d, double inv16, double s16, float scale,
                           float *out, int32_t *level, tpc_rng_lanes *lanes, gsl_rng *r,
                           int stream);
void tpc_dither_f32_avx2(const float *x, size_t d, double inv16, double s16, float scale,
                         float *out, int32_t *level, tpc_rng_lanes *lanes, gsl_rng *r,
                         int stream);
/* dither, double, on AVX2: the same with pre (dither.c). */
void tpc_dither_f64_avx2(const double *x, size_t d, double pre, double inv16, double s16,
                         double scale, double *out, int32_t *level, tpc_rng_lanes *lanes,
                         gsl_rng *r, int stream);

/* dither, float: ||x||^2 in double, summed in dither.c's order. */
double tpc_dither_sumsq_f32_avx512(const float *x, size_t d);
double tpc_dither_sumsq_f32_avx2(const float *x, size_t d);

/* dither.c: the rounding on a tie of the 16-bit comparison, drawing one more
** word from r; 1 to round up (rest: the fraction below the 16 bits). */
int tpc_dither_tie(gsl_rng *r, double rest);

/* randk: appends the set bits of bits[from..to) to idx at n, increasing; the
** new count.  Two entries per word are written whether or not the word has
** them (the count advances only for bits present), so that only words with
** more than two bits branch: at k/d of a few percent most words hold none or
** one.  idx needs 64 entries of room beyond the count.  Shared by the
** portable path (randk.c) and the AVX-512 one, which must list alike. */
static inline size_t tpc_randk_list(const uint64_t *bits, size_t from, size_t to,
                                    uint32_t *idx, size_t n) {
  const uint64_t top = (uint64_t)1 << 63;
  for (size_t w = from; w < to; w++) {
    uint64_t m = bits[w];
    uint32_t base = (uint32_t)(64 * w), *p = idx + n;
    p[0] = base + (uint32_t)__builtin_ctzll(m | top);
    n += m != 0;
    m &= m - 1;
    p[1] = base + (uint32_t)__builtin_ctzll(m | top);
    n += m != 0;
    m &= m - 1;
    for (p += 2; m != 0; m &= m - 1, n++) *p++ = base + (uint32_t)__builtin_ctzll(m);
  }
  return n;
}

/* randk: Floyd's draws j .. j+15, uniform below m0, m0 + 1, .. m0 + 15, from
** the 16 32-bit words u when every one is accepted at first sight (its
** low product half at least m: randk.c); 1 then, else 0 with out
** untouched. */
int tpc_randk_draw16_avx512(const uint32_t *u, uint32_t m0, uint32_t *out);

/* randk: the same 8 at a time on AVX2 (randk_avx2.c). */
int tpc_randk_draw8_avx2(const uint32_t *u, uint32_t m0, uint32_t *out);

/* randk, float: from the bitmap of the kept set, the sorted indices and
** values (idx, val) and out (randk.c); the bitmap is cleared, idx and val
** need 16 entries of room beyond k. */
void tpc_randk_f32_avx512(uint64_t *bits, const float *x, size_t d, float scale, float *out,
                          uint32_t *idx, float *val, int stream);
void tpc_randk_f32_avx2(uint64_t *bits, const float *x, size_t d, float scale, float *out,
                        uint32_t *idx, float *val, int stream);

#endif
