/*
** TopK implementations (comp/topk_impl.h): every implementation on
** every instruction set path this CPU has, in float and double, returns the
** same index array as the full-sort baseline, and the baseline itself has
** the TopK property (checked directly, in O(d), without sorting): the kept
** magnitudes are >= the dropped ones, and among equal magnitudes at the
** threshold the kept indices precede the dropped ones.  That property
** determines the set, so at the largest sizes it is checked on every output
** instead of comparing with the (slow) baseline.
**
** Inputs cover ties, equal magnitudes, signed zeros, subnormals, a support
** that is a run of 40 coordinates (fewer nonzero blocks than k: maxbound
** hands over to the heap), values near the top of the range, sorted
** orders, inputs that put a whole radix bucket in the band (the radix
** path's extra histogram passes), inputs that defeat the filter's sample
** (its radix fallback), and equal magnitudes at 2^20, whose block maxima
** bound nothing (maxbound's fallback).  maxbound's kernels (block maxima,
** lane bound, gather) match their definitions on every path, and the
** compressor's streaming dense output (tpc_topk_dense_avx2_*) matches
** memset and the k stores bit for bit.  Also: the
** TPC_KERNEL override, lookup by name, and the scratch size; and the other
** compressor kernel with an ISA path, the scaled sign, whose float scale
** must equal the double sum of |x_i| in its documented blocked order
** (comp/sign_kern.h) over d bit for bit on every path.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <float.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "comp/comp.h"
#include "core/cpu.h"
#include "comp/topk_kern.h"
#include "core/error.h"
#include "registry/registry.h"
#include "rng/pcg.h"

#define SEED 20240612u

static gsl_rng *data;

static void setup(void) {
  data = tpc_rng_alloc_stream(SEED, TPC_PURPOSE_TEST, 0);
  cr_assert(data != NULL);
}

static void teardown(void) { gsl_rng_free(data); }

TestSuite(topk, .init = setup, .fini = teardown);
TestSuite(topk_kernels, .init = setup, .fini = teardown);

enum {
  GAUSS, TIES, EQUAL, ZEROS, SPARSE, SUBNORMAL, HUGE, SORTED, REVERSED,
  NARROW, SPIKES, DIPS, WIDE, RUN, NFAMILY
};

static const char *const family_name[NFAMILY] = {
    "gauss",  "ties",     "equal",  "zeros",  "sparse", "subnormal",
    "huge",   "sorted",   "reversed", "narrow", "spikes", "dips", "wide", "run"};

/* SPIKES puts large magnitudes exactly on the lines the filter samples for
** k = d/100 (tpc_topk_sample_lines), so the sample overestimates the
** threshold; DIPS puts tiny ones there, so it underestimates: both reach the
** filter's fallback (at d large enough to be sampled, d > 2^16). */
static void mark_sample(size_t d, tpc_dtype dt, unsigned char *at) {
  size_t esize = dt == TPC_F32 ? sizeof(float) : sizeof(double);
  size_t k = d / 100 > 0 ? d / 100 : 1, lines = tpc_topk_sample_lines(d, k, esize);
  for (size_t j = 0; j < lines; j++) {
    size_t start = tpc_topk_sample_start(d, lines, esize, j);
    memset(at + start, 1, 64 / esize);
  }
}

/* x_i of a family for element type dt, in double (exact in float for f32);
** sampled: whether the filter samples x_i (SPIKES, DIPS). */
static double family_value(int family, size_t i, size_t d, tpc_dtype dt, int sampled) {
  double u = gsl_rng_uniform_pos(data), sgn = gsl_rng_uniform(data) < 0.5 ? -1 : 1;
  double big = dt == TPC_F32 ? FLT_MAX : DBL_MAX;
  int tiny_exp = dt == TPC_F32 ? -140 : -1050;
  switch (family) {
    case GAUSS: return gsl_ran_gaussian(data, 1.0);
    case TIES: return (double)gsl_rng_uniform_int(data, 9) - 4.0;
    case EQUAL: return sgn * 3.0;
    case ZEROS: return sgn * 0.0;
    case SPARSE: return u < 0.05 ? gsl_ran_gaussian(data, 1.0) : sgn * 0.0;
    case SUBNORMAL: return u < 0.1 ? sgn * 0.0 : sgn * ldexp(u, tiny_exp);
    case HUGE: return sgn * big * (0.5 + u / 2);
    case SORTED: return sgn * (double)i;
    case REVERSED: return sgn * (double)(d - i);
    case NARROW: return sgn * (1.0 + u * 1e-6);
    case SPIKES: return sampled ? sgn * (10 + u) : gsl_ran_gaussian(data, 1.0);
    case DIPS: return sampled ? sgn * u * 1e-3 : sgn * (1 + u);
    case RUN: return i < 40 ? gsl_ran_gaussian(data, 1.0) : sgn * 0.0;
    default: return sgn * ldexp(1 + u, (int)gsl_rng_uniform_int(data, 61) - 40);
  }
}

/* Input of both types: x (double) and xf (float, the rounded x); at has d
** zero bytes, left zero. */
static void make_input(int family, size_t d, tpc_dtype dt, double *x, float *xf,
                       unsigned char *at) {
  mark_sample(d, dt, at);
  for (size_t i = 0; i < d; i++) {
    x[i] = family_value(family, i, d, dt, at[i]);
    xf[i] = (float)x[i];
    if (dt == TPC_F32) x[i] = xf[i];
  }
  memset(at, 0, d);
}

static double magnitude(const void *x, tpc_dtype dt, size_t i) {
  return dt == TPC_F32 ? fabs((double)((const float *)x)[i]) : fabs(((const double *)x)[i]);
}

/* The TopK property of idx[0..k) for x[0..d): strictly increasing indices;
** every dropped magnitude below the smallest kept one t, or equal to t and
** after every kept index of magnitude t.  mark has d bytes, left zeroed. */
static void check_property(const void *x, tpc_dtype dt, size_t d, size_t k,
                           const uint32_t *idx, unsigned char *mark, const char *what) {
  double t = INFINITY;
  size_t last_t = 0;
  for (size_t j = 0; j < k; j++) {
    cr_assert(lt(sz, (size_t)idx[j], d), "%s: index %zu out of range", what, j);
    if (j > 0) cr_assert(lt(u32, idx[j - 1], idx[j]), "%s: not increasing at %zu", what, j);
    mark[idx[j]] = 1;
    t = fmin(t, magnitude(x, dt, idx[j]));
  }
  for (size_t j = 0; j < k; j++)
    if (magnitude(x, dt, idx[j]) == t) last_t = idx[j];
  for (size_t i = 0; i < d; i++) {
    double a = magnitude(x, dt, i);
    if (!mark[i])
      cr_assert(a < t || (a == t && i > last_t),
                "%s: dropped %zu (%.9g) beats the threshold %.9g", what, i, a, t);
    mark[i] = 0;
  }
}

/* Every available implementation and path. */
static size_t available_impls(const tpc_topk_impl **out) {
  size_t n = 0;
  for (const tpc_topk_impl *const *p = tpc_topk_impls(); *p != NULL; p++)
    if ((*p)->available == NULL || (*p)->available()) out[n++] = *p;
  return n;
}

static void run_impl(const tpc_topk_impl *impl, tpc_dtype dt, const double *x,
                     const float *xf, size_t d, size_t k, uint32_t *idx, void *work) {
  const uint32_t canary = 0xdeadbeefu;
  idx[k] = canary;
  if (dt == TPC_F32)
    impl->select_f32(xf, d, k, idx, work);
  else
    impl->select_f64(x, d, k, idx, work);
  cr_assert(eq(u32, idx[k], canary), "%s/%s wrote past idx[k]", impl->name, impl->isa);
}

/* Buffers for one size, allocated once per test. */
typedef struct bufs {
  double *x;
  float *xf;
  uint32_t *ref, *idx;
  unsigned char *mark;
  void *work;
} bufs;

static bufs bufs_alloc(size_t d) {
  bufs b = {malloc(d * sizeof(double)), malloc(d * sizeof(float)),
            malloc((d + 1) * sizeof(uint32_t)), malloc((d + 1) * sizeof(uint32_t)),
            calloc(d, 1), NULL};
  size_t w = (tpc_topk_work_size(d, d) + 63) / 64 * 64;
  b.work = aligned_alloc(64, w);
  cr_assert(b.x && b.xf && b.ref && b.idx && b.mark && b.work);
  return b;
}

static void bufs_free(bufs *b) {
  free(b->x);
  free(b->xf);
  free(b->ref);
  free(b->idx);
  free(b->mark);
  free(b->work);
}

/* One input and k on every path: the baseline (when with_sort) has the
** property and every other output equals it; without the baseline every
** output has the property. */
static void check_case(bufs *b, tpc_dtype dt, int family, size_t d, size_t k,
                       int with_sort) {
  const tpc_topk_impl *impls[16];
  size_t n = available_impls(impls);
  char what[128];
  const void *x = dt == TPC_F32 ? (const void *)b->xf : (const void *)b->x;
  if (with_sort) {
    run_impl(&tpc_topk_sort, dt, b->x, b->xf, d, k, b->ref, b->work);
    snprintf(what, sizeof what, "sort %s %s d=%zu k=%zu", dt == TPC_F32 ? "f32" : "f64",
             family_name[family], d, k);
    check_property(x, dt, d, k, b->ref, b->mark, what);
  }
  for (size_t m = 0; m < n; m++) {
    if (impls[m] == &tpc_topk_sort) continue;
    snprintf(what, sizeof what, "%s/%s %s %s d=%zu k=%zu", impls[m]->name, impls[m]->isa,
             dt == TPC_F32 ? "f32" : "f64", family_name[family], d, k);
    run_impl(impls[m], dt, b->x, b->xf, d, k, b->idx, b->work);
    if (with_sort) {
      for (size_t j = 0; j < k; j++)
        cr_assert(eq(u32, b->idx[j], b->ref[j]), "%s: position %zu", what, j);
    } else {
      check_property(x, dt, d, k, b->idx, b->mark, what);
    }
  }
}

/* Small and odd sizes (around the vector widths, the filter's chunk and
** the band buffers' 2^16 threshold), k from 1 to d, all families. */
Test(topk, all_paths_match_sort_small_sizes) {
  static const size_t dims[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1000, 1025, 4099};
  bufs b = bufs_alloc(4099);
  for (int dt = TPC_F32; dt <= TPC_F64; dt++)
    for (size_t di = 0; di < sizeof dims / sizeof *dims; di++) {
      size_t d = dims[di];
      size_t ks[] = {1, 2, d / 100, d / 10, d / 3, d / 2, d - 1, d};
      for (int family = 0; family < NFAMILY; family++) {
        make_input(family, d, (tpc_dtype)dt, b.x, b.xf, b.mark);
        for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++)
          if (ks[ki] >= 1 && ks[ki] <= d && (ki == 0 || ks[ki] != ks[ki - 1]))
            check_case(&b, (tpc_dtype)dt, family, d, ks[ki], 1);
      }
    }
  bufs_free(&b);
}

/* Around 2^16 and 2^18, beyond the band buffers' floor, against the
** baseline: ratios 0.001 to 0.5 and k = d. */
Test(topk, all_paths_match_sort_medium_sizes) {
  static const size_t dims[] = {65536 + 3, 262144};
  static const int families[] = {GAUSS, TIES, SPARSE, SUBNORMAL, NARROW, SPIKES, DIPS};
  bufs b = bufs_alloc(262144);
  for (int dt = TPC_F32; dt <= TPC_F64; dt++)
    for (size_t di = 0; di < 2; di++) {
      size_t d = dims[di];
      size_t ks[] = {d / 1000, d / 100, d / 10, d / 2, d};
      for (size_t f = 0; f < sizeof families / sizeof *families; f++) {
        make_input(families[f], d, (tpc_dtype)dt, b.x, b.xf, b.mark);
        for (size_t ki = 0; ki < 5; ki++)
          check_case(&b, (tpc_dtype)dt, families[f], d, ks[ki], ki != 3);
      }
    }
  bufs_free(&b);
}

/* 2^20 (+5, not a multiple of any vector width): the property on every
** path, and the baseline once per type. */
Test(topk, all_paths_have_the_property_large) {
  const size_t d = ((size_t)1 << 20) + 5;
  static const int families[] = {GAUSS, EQUAL, NARROW, SPIKES, DIPS};
  bufs b = bufs_alloc(d);
  for (int dt = TPC_F32; dt <= TPC_F64; dt++)
    for (size_t f = 0; f < sizeof families / sizeof *families; f++) {
      make_input(families[f], d, (tpc_dtype)dt, b.x, b.xf, b.mark);
      check_case(&b, (tpc_dtype)dt, families[f], d, d / 100, f == 0);
      check_case(&b, (tpc_dtype)dt, families[f], d, d / 1000, 0);
    }
  bufs_free(&b);
}

/* Every path reads only x[0..d): the input ends on an inaccessible page,
** so a read past it crashes the test.  Sizes whose last group of 64 is
** partial (the vector passes' masked tail), in float and double, k at 1%
** and 10 (one candidate per group or fewer: the emission's unconditional
** steps run on empty masks). */
Test(topk, paths_read_nothing_past_the_input) {
  static const size_t dims[] = {1000, 4099, 65536 + 3};
  long page = sysconf(_SC_PAGESIZE);
  size_t most = (65536 + 3) * sizeof(double), span = (most / (size_t)page + 2) * (size_t)page;
  unsigned char *map = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  cr_assert(map != MAP_FAILED);
  unsigned char *guard = map + span - (size_t)page;
  cr_assert(eq(int, mprotect(guard, (size_t)page, PROT_NONE), 0));
  bufs b = bufs_alloc(65536 + 3);
  const tpc_topk_impl *impls[16];
  size_t n = available_impls(impls);
  for (int dt = TPC_F32; dt <= TPC_F64; dt++)
    for (size_t di = 0; di < sizeof dims / sizeof *dims; di++) {
      size_t d = dims[di], es = dt == TPC_F32 ? sizeof(float) : sizeof(double);
      make_input(GAUSS, d, (tpc_dtype)dt, b.x, b.xf, b.mark);
      void *x = guard - d * es; /* aligned to es: page size and d * es are */
      memcpy(x, dt == TPC_F32 ? (void *)b.xf : (void *)b.x, d * es);
      size_t ks[] = {10, d / 100};
      for (size_t ki = 0; ki < 2; ki++) {
        run_impl(&tpc_topk_sort, (tpc_dtype)dt, b.x, b.xf, d, ks[ki], b.ref, b.work);
        for (size_t m = 0; m < n; m++) {
          run_impl(impls[m], (tpc_dtype)dt, x, x, d, ks[ki], b.idx, b.work);
          cr_assert(eq(int, memcmp(b.idx, b.ref, ks[ki] * sizeof *b.idx), 0),
                    "%s/%s d = %zu k = %zu", impls[m]->name, impls[m]->isa, d, ks[ki]);
        }
      }
    }
  bufs_free(&b);
  munmap(map, span);
}

/* TPC_KERNEL caps the path that "filter" resolves to, and the one the
** table picks for maxbound; the explicit "name/isa"
** form ignores it; an unknown value is ignored. */
Test(topk, kernel_override) {
  static const struct { const char *env; tpc_isa cap; } cases[] = {
      {"scalar", TPC_ISA_SCALAR}, {"avx2", TPC_ISA_AVX2},
      {"avx512", TPC_ISA_AVX512}, {"sse9", TPC_ISA_AVX512}};
  for (size_t c = 0; c < 4; c++) {
    cr_assert(eq(int, setenv("TPC_KERNEL", cases[c].env, 1), 0));
    tpc_isa want = cases[c].cap;
    while (!tpc_cpu_supports(want)) want = (tpc_isa)(want - 1);
    cr_assert(eq(int, (int)tpc_cpu_isa(), (int)want), "TPC_KERNEL=%s", cases[c].env);
    const tpc_topk_impl *f = tpc_topk_impl_find("filter");
    cr_assert(f != NULL);
    cr_assert(eq(str, (char *)f->isa, (char *)(want == TPC_ISA_SCALAR ? "portable"
                                                                     : tpc_isa_name(want))));
    const tpc_topk_impl *best = tpc_topk_best((size_t)1 << 24, (size_t)1 << 17, TPC_F32);
    cr_assert(best != NULL);
    cr_assert(strcmp(best->isa, "portable") == 0 || strcmp(best->isa, f->isa) == 0,
              "best %s/%s under TPC_KERNEL=%s", best->name, best->isa, cases[c].env);
    /* Algorithm 1's size, d = 1000, k = 10: maxbound on the capped path,
    ** portable included; d = 256, k = 10: maxbound on a vector path only,
    ** the heap on the portable one. */
    const tpc_topk_impl *small = tpc_topk_best(1000, 10, TPC_F64);
    cr_assert(eq(str, (char *)small->name, "maxbound"), "TPC_KERNEL=%s", cases[c].env);
    cr_assert(eq(str, (char *)small->isa, (char *)f->isa), "TPC_KERNEL=%s", cases[c].env);
    const tpc_topk_impl *tiny = tpc_topk_best(256, 10, TPC_F32);
    cr_assert(eq(str, (char *)tiny->name, want == TPC_ISA_SCALAR ? "heap" : "maxbound"),
              "TPC_KERNEL=%s", cases[c].env);
    cr_assert(eq(ptr, (void *)tpc_topk_impl_find("filter/portable"),
                 (void *)&tpc_topk_filter_portable));
  }
  cr_assert(eq(int, unsetenv("TPC_KERNEL"), 0));
  tpc_isa widest = TPC_ISA_AVX512;
  while (!tpc_cpu_supports(widest)) widest = (tpc_isa)(widest - 1);
  cr_assert(eq(int, (int)tpc_cpu_isa(), (int)widest));
  cr_assert(tpc_cpu_supports(TPC_ISA_SCALAR));
}

/* Names: the six implementations, the three paths of the filter and of
** maxbound, each name/isa once; unknown names, unknown paths and
** unavailable paths give NULL. */
Test(topk, impl_find_names) {
  static const char *const names[] = {"sort",   "quickselect", "heap",
                                      "radix",  "filter",      "maxbound"};
  size_t count = 0;
  for (const tpc_topk_impl *const *p = tpc_topk_impls(); *p != NULL; p++, count++)
    for (const tpc_topk_impl *const *q = tpc_topk_impls(); q != p; q++)
      cr_assert(strcmp((*p)->name, (*q)->name) != 0 || strcmp((*p)->isa, (*q)->isa) != 0);
  cr_assert(eq(sz, count, 10));
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    const tpc_topk_impl *impl = tpc_topk_impl_find(names[i]);
    cr_assert(impl != NULL, "%s", names[i]);
    cr_assert(eq(str, (char *)impl->name, (char *)names[i]));
    char full[64];
    snprintf(full, sizeof full, "%s/portable", names[i]);
    impl = tpc_topk_impl_find(full);
    cr_assert(impl != NULL && strcmp(impl->isa, "portable") == 0, "%s", full);
  }
  cr_assert(eq(ptr, (void *)tpc_topk_impl_find("filter/avx2"),
               tpc_cpu_supports(TPC_ISA_AVX2) ? (void *)&tpc_topk_filter_avx2 : NULL));
  cr_assert(eq(ptr, (void *)tpc_topk_impl_find("filter/avx512"),
               tpc_cpu_supports(TPC_ISA_AVX512) ? (void *)&tpc_topk_filter_avx512 : NULL));
  cr_assert(eq(ptr, (void *)tpc_topk_impl_find("maxbound/avx2"),
               tpc_cpu_supports(TPC_ISA_AVX2) ? (void *)&tpc_topk_maxbound_avx2 : NULL));
  cr_assert(eq(ptr, (void *)tpc_topk_impl_find("maxbound/avx512"),
               tpc_cpu_supports(TPC_ISA_AVX512) ? (void *)&tpc_topk_maxbound_avx512 : NULL));
  cr_assert(eq(ptr, (void *)tpc_topk_impl_find("sort/avx2"), NULL));
  cr_assert(eq(ptr, (void *)tpc_topk_impl_find("filte"), NULL));
  cr_assert(eq(ptr, (void *)tpc_topk_impl_find("filter/"), NULL));
  cr_assert(eq(ptr, (void *)tpc_topk_impl_find("bogus"), NULL));
}

/* maxbound's kernels on one path (NULL where the CPU lacks it). */
typedef struct mb_path {
  const char *name;
  tpc_isa isa;
  tpc_topk_blockmax_f32_fn blockmax_f32;
  tpc_topk_blockmax_f64_fn blockmax_f64;
  tpc_topk_lanebound_fn lanebound;
  tpc_topk_gather_f32_fn gather_f32;
  tpc_topk_gather_f64_fn gather_f64;
} mb_path;

static const mb_path mb_paths[] = {
    {"portable", TPC_ISA_SCALAR, tpc_topk_blockmax_portable_f32, tpc_topk_blockmax_portable_f64,
     tpc_topk_lanebound_portable, tpc_topk_gather_portable_f32, tpc_topk_gather_portable_f64},
    {"avx2", TPC_ISA_AVX2, tpc_topk_blockmax_avx2_f32, tpc_topk_blockmax_avx2_f64,
     tpc_topk_lanebound_avx2, tpc_topk_gather_avx2_f32, tpc_topk_gather_avx2_f64},
    {"avx512", TPC_ISA_AVX512, tpc_topk_blockmax_avx512_f32, tpc_topk_blockmax_avx512_f64,
     tpc_topk_lanebound_avx512, tpc_topk_gather_avx512_f32, tpc_topk_gather_avx512_f64}};

static int cmp_u32_desc(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? 1 : x > y ? -1 : 0;
}

/* The 32-bit key of x_i (comp/topk_kern.h) and the largest of a block, by
** the definition. */
static uint32_t key32(const void *x, tpc_dtype dt, size_t i) {
  return dt == TPC_F32 ? tpc_topk_key_f32(((const float *)x)[i])
                       : (uint32_t)(tpc_topk_key_f64(((const double *)x)[i]) >> 32);
}

/* Block maxima on every path equal the largest 32-bit key of each block of
** 16, for every family (signed zeros, subnormals, huge values, ties) and
** block counts around the kernels' groups of 4 and 8 blocks. */
Test(topk_kernels, maxbound_block_maxima) {
  enum { NB = 45 };
  bufs b = bufs_alloc(NB * TPC_TOPK_MB_BLOCK);
  uint32_t m[NB + 8];
  for (int dt = TPC_F32; dt <= TPC_F64; dt++)
    for (int family = 0; family < NFAMILY; family++) {
      make_input(family, NB * TPC_TOPK_MB_BLOCK, (tpc_dtype)dt, b.x, b.xf, b.mark);
      const void *x = dt == TPC_F32 ? (const void *)b.xf : (const void *)b.x;
      for (size_t p = 0; p < 3; p++) {
        if (!tpc_cpu_supports(mb_paths[p].isa)) continue;
        for (size_t nb = 1; nb <= NB; nb += 11) {
          m[nb] = 0xdeadbeefu;
          if (dt == TPC_F32) mb_paths[p].blockmax_f32(b.xf, nb, m);
          else mb_paths[p].blockmax_f64(b.x, nb, m);
          cr_assert(eq(u32, m[nb], 0xdeadbeefu), "%s wrote past m[nb]", mb_paths[p].name);
          for (size_t j = 0; j < nb; j++) {
            uint32_t want = 0;
            for (size_t i = j * TPC_TOPK_MB_BLOCK; i < (j + 1) * TPC_TOPK_MB_BLOCK; i++) {
              uint32_t v = key32(x, (tpc_dtype)dt, i);
              want = v > want ? v : want;
            }
            cr_assert(eq(u32, m[j], want), "%s %s %s nb = %zu: block %zu",
                      mb_paths[p].name, dt == TPC_F32 ? "f32" : "f64", family_name[family],
                      nb, j);
          }
        }
      }
    }
  bufs_free(&b);
}

/* The lane bound on every path is the k-th largest of the lanes' r =
** ceil(k/4) largest values (lane l: m[l], m[l + 8], ...), computed here by
** sorting, for k = 1..32, 1 to 20 rows, and values drawn from 6 (many ties)
** or 2^31 levels. */
Test(topk_kernels, maxbound_lane_bound) {
  enum { ROWS = 20 };
  uint32_t m[8 * ROWS], lane[ROWS], pool[8 * 8];
  for (size_t levels = 6; levels != 0; levels = levels == 6 ? (size_t)1 << 31 : 0)
    for (size_t nrow = 1; nrow <= ROWS; nrow += 3)
      for (size_t k = 1; k <= TPC_TOPK_MB_LIST; k++) {
        for (size_t i = 0; i < 8 * nrow; i++)
          m[i] = (uint32_t)gsl_rng_uniform_int(data, (unsigned long)levels);
        size_t r = (k + 3) / 4, np = 0;
        for (size_t l = 0; l < 8; l++) {
          for (size_t row = 0; row < nrow; row++) lane[row] = m[8 * row + l];
          qsort(lane, nrow, sizeof *lane, cmp_u32_desc);
          for (size_t s = 0; s < r; s++) pool[np++] = s < nrow ? lane[s] : 0;
        }
        qsort(pool, np, sizeof *pool, cmp_u32_desc);
        for (size_t p = 0; p < 3; p++)
          if (tpc_cpu_supports(mb_paths[p].isa))
            cr_assert(eq(u32, mb_paths[p].lanebound(m, nrow, k), pool[k - 1]),
                      "%s: %zu rows, k = %zu, %zu levels", mb_paths[p].name, nrow, k, levels);
      }
}

/* The gather on every path lists, in index order, every element with key
** >= lo of the blocks whose maximum is >= t, with its key; t and lo at the
** k-th largest block maximum for k = 1, 5, 20 and at 0 (every block); and
** it stops once the count passes the capacity. */
Test(topk_kernels, maxbound_gather) {
  enum { NB = 37, D = NB * TPC_TOPK_MB_BLOCK, CAP = D + TPC_TOPK_MB_BLOCK };
  bufs b = bufs_alloc(D);
  static uint32_t m[NB + 8], sorted[NB], blk[NB], idx[CAP], want[CAP];
  static uint64_t key[CAP];
  for (int dt = TPC_F32; dt <= TPC_F64; dt++)
    for (int family = 0; family < NFAMILY; family++) {
      make_input(family, D, (tpc_dtype)dt, b.x, b.xf, b.mark);
      const void *x = dt == TPC_F32 ? (const void *)b.xf : (const void *)b.x;
      for (size_t j = 0; j < NB + 8; j++) m[j] = 0;
      for (size_t i = 0; i < D; i++) {
        uint32_t v = key32(x, (tpc_dtype)dt, i);
        size_t j = i / TPC_TOPK_MB_BLOCK;
        m[j] = v > m[j] ? v : m[j];
      }
      memcpy(sorted, m, sizeof sorted);
      qsort(sorted, NB, sizeof *sorted, cmp_u32_desc);
      static const size_t ks[] = {1, 5, 20, NB + 1};
      for (size_t ki = 0; ki < 4; ki++) {
        uint32_t t = ks[ki] <= NB ? sorted[ks[ki] - 1] : 0;
        uint64_t lo = dt == TPC_F32 ? t : (uint64_t)t << 32;
        size_t n = 0;
        for (size_t i = 0; i < D; i++) {
          uint64_t v = dt == TPC_F32 ? tpc_topk_key_f32(b.xf[i]) : tpc_topk_key_f64(b.x[i]);
          if (m[i / TPC_TOPK_MB_BLOCK] >= t && v >= lo) want[n++] = (uint32_t)i;
        }
        for (size_t p = 0; p < 3; p++) {
          if (!tpc_cpu_supports(mb_paths[p].isa)) continue;
          size_t got;
          if (dt == TPC_F32) {
            uint32_t *k32 = (uint32_t *)(void *)key;
            got = mb_paths[p].gather_f32(b.xf, m, NB, t, blk, (uint32_t)lo, idx, k32, 0, CAP);
            for (size_t j = 0; j < got && j < n; j++)
              cr_assert(eq(u32, k32[j], tpc_topk_key_f32(b.xf[idx[j]])));
          } else {
            got = mb_paths[p].gather_f64(b.x, m, NB, t, blk, lo, idx, key, 0, CAP);
            for (size_t j = 0; j < got && j < n; j++)
              cr_assert(eq(u64, key[j], tpc_topk_key_f64(b.x[idx[j]])));
          }
          cr_assert(eq(sz, got, n), "%s %s %s t = %u", mb_paths[p].name,
                    dt == TPC_F32 ? "f32" : "f64", family_name[family], t);
          cr_assert(eq(int, memcmp(idx, want, n * sizeof *idx), 0), "%s", mb_paths[p].name);
          if (t == 0) { /* every element a candidate: stops past a capacity of 100 */
            got = dt == TPC_F32
                      ? mb_paths[p].gather_f32(b.xf, m, NB, t, blk, (uint32_t)lo, idx,
                                               (uint32_t *)(void *)key, 0, 100)
                      : mb_paths[p].gather_f64(b.x, m, NB, t, blk, lo, idx, key, 0, 100);
            cr_assert(gt(sz, got, 100), "%s", mb_paths[p].name);
            cr_assert(le(sz, got, 100 + TPC_TOPK_MB_BLOCK), "%s", mb_paths[p].name);
          }
        }
      }
    }
  bufs_free(&b);
}

/* The streaming dense output (tpc_topk_dense_avx2_*, used where x and out
** exceed the cache) equals memset and the k stores bit for bit, values
** recorded in val included: every family (signed zeros, subnormals), d
** around the vector widths and beyond a few of them, out at every element
** offset from a 32-byte boundary (the scalar head), and kept sets that are
** one element, runs, every other element, all of x, and random ones. */
static void check_dense(const void *x, tpc_dtype dt, size_t d, const uint32_t *idx,
                        size_t k, unsigned char *out, unsigned char *want, void *val,
                        const char *what) {
  size_t es = dt == TPC_F32 ? sizeof(float) : sizeof(double);
  unsigned char *wval = want + d * es;
  memset(want, 0, d * es);
  for (size_t j = 0; j < k; j++) {
    memcpy(want + idx[j] * es, (const unsigned char *)x + idx[j] * es, es);
    memcpy(wval + j * es, (const unsigned char *)x + idx[j] * es, es);
  }
  memset(out, 0xa5, d * es);
  if (dt == TPC_F32) tpc_topk_dense_avx2_f32(x, d, idx, k, (float *)(void *)out, val);
  else tpc_topk_dense_avx2_f64(x, d, idx, k, (double *)(void *)out, val);
  for (size_t i = 0; i < d * es; i++)
    cr_assert(eq(u8, out[i], want[i]), "%s: out byte %zu", what, i);
  cr_assert(eq(int, memcmp(val, wval, k * es), 0), "%s: val", what);
}

Test(topk_kernels, dense_output_matches_memset_and_stores) {
  enum { D = 1100, NSET = 5 };
  if (!tpc_cpu_supports(TPC_ISA_AVX2)) cr_skip_test("no AVX2 on this machine");
  static const size_t sizes[] = {1, 3, 7, 8, 9, 33, 64, 100, 1027, D};
  bufs b = bufs_alloc(D);
  /* C11's aligned_alloc takes a size that is a multiple of the alignment */
  unsigned char *out = aligned_alloc(64, ((D + 8) * sizeof(double) + 63) / 64 * 64);
  unsigned char *want = malloc(2 * D * sizeof(double));
  void *val = malloc(D * sizeof(double));
  cr_assert(out && want && val);
  char what[128];
  for (int dt = TPC_F32; dt <= TPC_F64; dt++)
    for (int family = 0; family < NFAMILY; family++) {
      make_input(family, D, (tpc_dtype)dt, b.x, b.xf, b.mark);
      const void *x = dt == TPC_F32 ? (const void *)b.xf : (const void *)b.x;
      size_t es = dt == TPC_F32 ? sizeof(float) : sizeof(double);
      for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (int set = 0; set < NSET; set++) {
          size_t d = sizes[s], k = 0;
          for (size_t i = 0; i < d; i++) {
            int keep = set == 0 ? i == d / 2
                     : set == 1 ? i % 37 < 11
                     : set == 2 ? i % 2 == 0
                     : set == 3 ? 1
                                : gsl_rng_uniform(data) < 0.05;
            if (keep) b.idx[k++] = (uint32_t)i;
          }
          for (size_t off = 0; off < 32 / es; off++) {
            snprintf(what, sizeof what, "%s %s d=%zu set %d offset %zu",
                     dt == TPC_F32 ? "f32" : "f64", family_name[family], d, set, off);
            check_dense(x, (tpc_dtype)dt, d, b.idx, k, out + off * es, want, val, what);
          }
        }
    }
  free(out);
  free(want);
  free(val);
  bufs_free(&b);
}

/* tpc_topk_best returns a listed, available implementation for every size
** and type, and the shared scratch covers every implementation's need. */
Test(topk, best_and_work_size) {
  for (size_t d = 1; d <= ((size_t)1 << 28); d *= 4)
    for (size_t k = 1; k <= d; k = k * 16 + 1)
      for (int dt = TPC_F32; dt <= TPC_F64; dt++) {
        const tpc_topk_impl *best = tpc_topk_best(d, k, (tpc_dtype)dt);
        int listed = 0;
        for (const tpc_topk_impl *const *p = tpc_topk_impls(); *p != NULL; p++) {
          listed |= *p == best;
          cr_assert(le(sz, tpc_topk_impl_work(*p, d, k, (tpc_dtype)dt),
                       tpc_topk_work_size(d, k)));
        }
        cr_assert(listed && (best->available == NULL || best->available()));
      }
}

/* Output of "sign" on xf under TPC_KERNEL=env (NULL: unset). */
static void sign_run(const char *env, const float *xf, size_t d, float *out,
                     double *scale, uint64_t *bits) {
  if (env != NULL)
    cr_assert(eq(int, setenv("TPC_KERNEL", env, 1), 0));
  else
    cr_assert(eq(int, unsetenv("TPC_KERNEL"), 0));
  tpc_registry *reg = tpc_registry_alloc();
  tpc_spec *spec = NULL;
  cr_assert(eq(int, tpc_spec_parse("sign", &spec), TPC_OK));
  int status;
  tpc_comp *c = tpc_comp_alloc(reg, spec, d, 1, &status);
  cr_assert(c != NULL);
  tpc_msg msg;
  tpc_msg_reset(&msg);
  tpc_ctx ctx = {NULL, NULL, 0};
  tpc_comp_compress_f32(c, xf, out, &msg, &ctx);
  *scale = msg.part[0].scale;
  memcpy(bits, msg.part[0].bits, (d + 63) / 64 * sizeof *bits);
  tpc_comp_free(c);
  tpc_spec_free(spec);
  tpc_registry_free(reg);
}

/* Scaled sign in float: the scale is the sum of |x_i| in the order
** comp/sign_kern.h documents (16 lanes, lane l taking the i with i mod 16 =
** l in increasing i, then lane[l] += lane[l + h] for h = 8, 4, 2, 1),
** written out here, / d exactly, and the scalar and the widest path agree
** on scale, bits and output, for Gaussian input at 2^18 + 37 (a tail),
** magnitudes over 60 octaves (where most additions round), zeros,
** subnormals and huge values. */
Test(topk_kernels, sign_paths_match_blocked_sum) {
  const size_t d = ((size_t)1 << 18) + 37;
  static const int families[] = {GAUSS, WIDE, SPARSE, SUBNORMAL, HUGE, SORTED, TIES};
  bufs b = bufs_alloc(d);
  float *out[2] = {malloc(d * sizeof(float)), malloc(d * sizeof(float))};
  uint64_t *bits[2] = {malloc((d + 63) / 64 * 8), malloc((d + 63) / 64 * 8)};
  cr_assert(out[0] && out[1] && bits[0] && bits[1]);
  for (size_t f = 0; f < sizeof families / sizeof *families; f++) {
    make_input(families[f], d, TPC_F32, b.x, b.xf, b.mark);
    double lane[16] = {0}, scale[2];
    for (size_t i = 0; i < d; i++) lane[i % 16] += (double)fabsf(b.xf[i]);
    for (size_t h = 8; h >= 1; h /= 2)
      for (size_t l = 0; l < h; l++) lane[l] += lane[l + h];
    double sum = lane[0];
    sign_run("scalar", b.xf, d, out[0], &scale[0], bits[0]);
    sign_run(NULL, b.xf, d, out[1], &scale[1], bits[1]);
    for (int p = 0; p < 2; p++)
      cr_assert(eq(dbl, scale[p], sum / (double)d), "%s path %d", family_name[families[f]], p);
    cr_assert(eq(int, memcmp(bits[0], bits[1], (d + 63) / 64 * 8), 0));
    cr_assert(eq(int, memcmp(out[0], out[1], d * sizeof(float)), 0));
  }
  for (int p = 0; p < 2; p++) {
    free(out[p]);
    free(bits[p]);
  }
  bufs_free(&b);
}
