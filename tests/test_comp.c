/*
** The built-in compressors (THEORY.md T1, T2), each for float and double:
** exact properties (TopK against a sort reference, the scaled-sign identity,
** PermK's exact average, decode(message) == output for every type, history
** independence, the combinators' arithmetic and constants, parameter errors)
** and statistical ones (RandK, unbiased RandK, Bernoulli, natural
** compression, dithering) as two-sided bounds with a fixed seed.
**
** Statistical bounds: a mean of N draws is compared with its expected value
** within Z = 5 standard errors (two-sided normal tail 5.7e-7 per check, so
** the few hundred checks here fail by chance with probability < 1e-3 for an
** arbitrary seed; the seed is fixed, so the tests are deterministic).
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/cpu.h"
#include "comp/kernels.h"
#include "core/error.h"
#include "registry/registry.h"
#include "rng/pcg.h"
#include "kernel_env.h"

#define SEED 20240611u
#define DMAX 1024
#define Z 5.0

static tpc_registry *reg;
static gsl_rng *rng, *shared, *data;
static tpc_ctx ctx;

static void setup(void) {
  reg = tpc_registry_alloc();
  rng = tpc_rng_alloc_stream(SEED, TPC_PURPOSE_TEST, 0);
  shared = tpc_rng_alloc_stream(SEED, TPC_PURPOSE_TEST, 1);
  data = tpc_rng_alloc_stream(SEED, TPC_PURPOSE_TEST, 2);
  cr_assert(reg && rng && shared && data, "%s", tpc_error_msg());
  ctx = (tpc_ctx){rng, shared, 0};
}

static void teardown(void) {
  gsl_rng_free(data);
  gsl_rng_free(shared);
  gsl_rng_free(rng);
  tpc_registry_free(reg);
}

TestSuite(comp, .init = setup, .fini = teardown);
TestSuite(comp_stat, .init = setup, .fini = teardown);

/* Both element types for a ParameterizedTest of suite `suite`. */
#define DTYPES(suite, name)                                   \
  ParameterizedTestParameters(suite, name) {                  \
    static tpc_dtype types[] = {TPC_F32, TPC_F64};            \
    return cr_make_param_array(tpc_dtype, types, 2);          \
  }

static const char *dname(tpc_dtype dt) { return dt == TPC_F32 ? "f32" : "f64"; }

/* Unit roundoff of the element type. */
static double ueps(tpc_dtype dt) {
  return dt == TPC_F32 ? FLT_EPSILON / 2 : DBL_EPSILON / 2;
}

static int build_status(const char *text, size_t d, size_t n, tpc_comp **out) {
  tpc_spec *s = NULL;
  cr_assert(eq(int, tpc_spec_parse(text, &s), TPC_OK), "parse %s: %s", text,
            tpc_error_msg());
  int rc = TPC_OK;
  tpc_comp *c = tpc_comp_alloc(reg, s, d, n, &rc);
  tpc_spec_free(s);
  if (out)
    *out = c;
  else
    tpc_comp_free(c);
  return rc;
}

static tpc_comp *build(const char *text, size_t d, size_t n) {
  tpc_comp *c = NULL;
  int rc = build_status(text, d, n, &c);
  cr_assert(eq(int, rc, TPC_OK), "%s (d = %zu, n = %zu): %s", text, d, n,
            tpc_error_msg());
  return c;
}

/* Put both private and shared streams in state `index` (a "round"). */
static void streams(uint64_t index) {
  cr_assert(eq(int, tpc_rng_stream(rng, SEED, TPC_PURPOSE_TEST, 100 + index), TPC_OK));
  cr_assert(eq(int, tpc_rng_stream(shared, SEED, TPC_PURPOSE_SHARED, index), TPC_OK));
}

/* Round x to the element type, so that references see the kernel's input. */
static void to_dtype(tpc_dtype dt, double *x, size_t d) {
  if (dt == TPC_F32)
    for (size_t i = 0; i < d; i++) x[i] = (double)(float)x[i];
}

static void gauss(tpc_dtype dt, double *x, size_t d, double sigma) {
  for (size_t i = 0; i < d; i++) x[i] = gsl_ran_gaussian(data, sigma);
  to_dtype(dt, x, d);
}

/* Compress x with the kernel of element type dt; out (double) holds the
** kernel's output and *msg its message.  Every call checks the message
** contract: one relative part of type dt, and applying it to a zero vector
** with the server's function gives out exactly (== : -0 equals +0). */
static void run(tpc_comp *c, tpc_dtype dt, const double *x, double *out,
                tpc_msg *msg) {
  static float xf[DMAX], of[DMAX], vf[DMAX];
  static double vd[DMAX];
  size_t d = c->d;
  cr_assert(le(sz, d, DMAX));
  tpc_msg_reset(msg);
  if (dt == TPC_F32) {
    for (size_t i = 0; i < d; i++) xf[i] = (float)x[i];
    tpc_comp_compress_f32(c, xf, of, msg, &ctx);
    memset(vf, 0, sizeof vf);
    tpc_msg_apply_f32(msg, vf);
    for (size_t i = 0; i < d; i++) {
      cr_assert(of[i] == vf[i], "%s f32: out[%zu] = %a, decoded %a",
                c->type->name, i, (double)of[i], (double)vf[i]);
      out[i] = of[i];
    }
  } else {
    tpc_comp_compress_f64(c, x, out, msg, &ctx);
    memset(vd, 0, sizeof vd);
    tpc_msg_apply_f64(msg, vd);
    for (size_t i = 0; i < d; i++)
      cr_assert(out[i] == vd[i], "%s f64: out[%zu] = %a, decoded %a",
                c->type->name, i, out[i], vd[i]);
  }
  cr_assert(eq(sz, msg->nparts, 1), "%s: one part per call", c->type->name);
  cr_assert(eq(int, msg->part[0].absolute, 0));
  cr_assert(eq(int, (int)msg->part[0].dtype, (int)dt));
  cr_assert(eq(sz, msg->part[0].d, d));
}

static double norm2(const double *x, size_t d) {
  double s = 0;
  for (size_t i = 0; i < d; i++) s += x[i] * x[i];
  return s;
}

static double dist2(const double *a, const double *b, size_t d) {
  double s = 0;
  for (size_t i = 0; i < d; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
  return s;
}

/* Running mean and variance (Welford). */
typedef struct { double n, mean, m2; } stat;

static void stat_add(stat *s, double v) {
  s->n += 1;
  double delta = v - s->mean;
  s->mean += delta / s->n;
  s->m2 += delta * (v - s->mean);
}

/* |mean - target| <= Z * standard error + tol, with the standard error from
** the known standard deviation sd of one draw, or the sample's when sd < 0. */
static void assert_mean(const stat *s, double target, double sd, double tol,
                        const char *what, size_t i) {
  if (sd < 0) sd = sqrt(s->m2 / (s->n - 1));
  double bound = Z * sd / sqrt(s->n) + tol;
  cr_assert(le(dbl, fabs(s->mean - target), bound),
            "%s[%zu]: mean %.10g, expected %.10g +- %.3g", what, i, s->mean,
            target, bound);
}

/* ---- TopK ------------------------------------------------------------ */

static const double *ref_x;

static int ref_cmp(const void *pa, const void *pb) {
  size_t i = *(const size_t *)pa, j = *(const size_t *)pb;
  double a = fabs(ref_x[i]), b = fabs(ref_x[j]);
  if (a != b) return a > b ? -1 : 1;
  return (i > j) - (i < j);
}

static int idx_cmp(const void *pa, const void *pb) {
  size_t i = *(const size_t *)pa, j = *(const size_t *)pb;
  return (i > j) - (i < j);
}

/* Reference TopK by a full sort on (-|x_i|, i): the k kept indices in
** increasing order in keep[0..k). */
static void topk_reference(const double *x, size_t d, size_t k, size_t *keep) {
  static size_t order[DMAX];
  for (size_t i = 0; i < d; i++) order[i] = i;
  ref_x = x;
  qsort(order, d, sizeof *order, ref_cmp);
  memcpy(keep, order, k * sizeof *keep);
  qsort(keep, k, sizeof *keep, idx_cmp);
}

/* Input families for TopK: Gaussian, few distinct values (many ties), all
** magnitudes equal, all zero, sorted up, sorted down, organ pipe. */
static void topk_input(tpc_dtype dt, int family, double *x, size_t d) {
  for (size_t i = 0; i < d; i++) {
    double sgn = gsl_rng_uniform(data) < 0.5 ? -1.0 : 1.0;
    switch (family) {
      case 0: x[i] = gsl_ran_gaussian(data, 1.0); break;
      case 1: x[i] = (double)gsl_rng_uniform_int(data, 9) - 4.0; break;
      case 2: x[i] = sgn * 3.0; break;
      case 3: x[i] = 0.0; break;
      case 4: x[i] = sgn * (double)i; break;
      case 5: x[i] = sgn * (double)(d - i); break;
      default: x[i] = sgn * (double)(i < d / 2 ? i : d - i); break;
    }
  }
  to_dtype(dt, x, d);
}

DTYPES(comp, topk_matches_sort_reference)
ParameterizedTest(tpc_dtype *dt, comp, topk_matches_sort_reference) {
  static const size_t dims[] = {1, 7, 301, 1000};
  static double x[DMAX], out[DMAX];
  static size_t keep[DMAX];
  char spec[64];
  tpc_msg msg;
  for (size_t di = 0; di < sizeof dims / sizeof *dims; di++) {
    size_t d = dims[di];
    size_t ks[] = {1, 2, d / 3, d / 2, d - 1, d};
    for (int family = 0; family < 7; family++) {
      topk_input(*dt, family, x, d);
      for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
        size_t k = ks[ki];
        if (k < 1 || k > d) continue;
        snprintf(spec, sizeof spec, "topk(k=%zu)", k);
        tpc_comp *c = build(spec, d, 1);
        run(c, *dt, x, out, &msg);
        topk_reference(x, d, k, keep);
        const tpc_msg_part *p = &msg.part[0];
        cr_assert(eq(int, p->kind, TPC_MSG_SPARSE));
        cr_assert(eq(sz, p->nnz, k), "%s d=%zu family %d", spec, d, family);
        for (size_t j = 0; j < k; j++)
          cr_assert(eq(sz, p->idx[j], keep[j]), "%s %s d=%zu family %d: "
                    "position %zu", dname(*dt), spec, d, family, j);
        for (size_t j = 0, i = 0; i < d; i++) {
          int kept = j < k && keep[j] == i;
          cr_assert(out[i] == (kept ? x[i] : 0.0));
          j += (size_t)kept;
        }
        tpc_comp_free(c);
      }
    }
  }
}

/* The selection's sorting fallback (reached only by adversarial orders with
** the default budget) and its partition path agree with a full sort for
** every rank. */
Test(comp, topk_selection_fallback_matches_sort) {
  static double x[DMAX], mag[DMAX];
  static float xf[DMAX], magf[DMAX];
  size_t d = 200;
  for (int family = 0; family < 7; family++) {
    topk_input(TPC_F32, family, x, d);
    for (size_t i = 0; i < d; i++) xf[i] = (float)x[i];
    for (size_t k = 1; k <= d; k += 13) {
      static size_t order[DMAX];
      ref_x = x;
      for (size_t i = 0; i < d; i++) order[i] = i;
      qsort(order, d, sizeof *order, ref_cmp);
      double want = fabs(x[order[k - 1]]);
      for (size_t rounds = 0; rounds < 4; rounds++) {
        cr_assert(eq(dbl, tpc_kern_select_abs_f64(x, d, k, mag, rounds), want));
        cr_assert(eq(flt, tpc_kern_select_abs_f32(xf, d, k, magf, rounds),
                     (float)want));
      }
      cr_assert(eq(dbl, tpc_kern_kth_abs_f64(x, d, k, mag), want));
    }
  }
}

/* ---- RandK, unbiased RandK, PermK, Bernoulli ---------------------------- */

/* T2: E||C(x) - x||^2 = (1 - k/d)||x||^2 exactly, and every coordinate is
** kept with probability k/d (its count is Binomial(N, k/d)). */
DTYPES(comp_stat, randk_error_and_frequency)
ParameterizedTest(tpc_dtype *dt, comp_stat, randk_error_and_frequency) {
  const size_t d = 20, k = 5, N = 20000;
  double x[20], out[20], count[20] = {0};
  tpc_msg msg;
  gauss(*dt, x, d, 1.0);
  tpc_comp *c = build("randk(k=5)", d, 1);
  stat err = {0};
  for (size_t t = 0; t < N; t++) {
    run(c, *dt, x, out, &msg);
    cr_assert(eq(sz, msg.part[0].nnz, k));
    for (size_t i = 0; i < d; i++) cr_assert(out[i] == 0 || out[i] == x[i]);
    for (size_t j = 0; j < k; j++) count[msg.part[0].idx[j]] += 1;
    stat_add(&err, dist2(out, x, d) / norm2(x, d));
  }
  assert_mean(&err, 1.0 - (double)k / (double)d, -1, 0, "randk error", 0);
  double p = (double)k / (double)d;
  for (size_t i = 0; i < d; i++) {
    stat s = {(double)N, count[i] / (double)N, 0};
    assert_mean(&s, p, sqrt(p * (1 - p)), 0, "randk frequency", i);
  }
  tpc_comp_free(c);
}

/* T2: E||Q(x)||^2 = (d/k)||x||^2 exactly, and E Q(x)_i = x_i. */
DTYPES(comp_stat, urandk_second_moment_and_unbiased)
ParameterizedTest(tpc_dtype *dt, comp_stat, urandk_second_moment_and_unbiased) {
  const size_t d = 16, k = 4, N = 20000;
  double x[16], out[16];
  stat mom = {0}, mean[16] = {{0}};
  tpc_msg msg;
  gauss(*dt, x, d, 1.0);
  tpc_comp *c = build("urandk(k=4)", d, 1);
  const double scale = (double)d / (double)k;
  for (size_t t = 0; t < N; t++) {
    run(c, *dt, x, out, &msg);
    for (size_t i = 0; i < d; i++) {
      cr_assert(out[i] == 0 || out[i] == scale * x[i]);
      stat_add(&mean[i], out[i]);
    }
    stat_add(&mom, norm2(out, d) / norm2(x, d));
  }
  assert_mean(&mom, scale, -1, 0, "urandk E||Q||^2/||x||^2", 0);
  double p = 1.0 / scale;
  for (size_t i = 0; i < d; i++)
    assert_mean(&mean[i], x[i], scale * fabs(x[i]) * sqrt(p * (1 - p)), 0,
                "urandk mean", i);
  tpc_comp_free(c);
}

/* T2: Bernoulli sends with probability p, and E||Q(x) - x||^2 equals
** (1/p - 1)||x||^2: one draw is (1/p - 1)^2 with probability p and 1
** otherwise (relative to ||x||^2), standard deviation known. */
DTYPES(comp_stat, bernoulli_exact_omega_and_unbiased)
ParameterizedTest(tpc_dtype *dt, comp_stat, bernoulli_exact_omega_and_unbiased) {
  const size_t d = 8, N = 20000;
  const double p = 0.3, a = (1 / p - 1) * (1 / p - 1);
  double x[8], out[8];
  stat err = {0}, mean[8] = {{0}};
  tpc_msg msg;
  gauss(*dt, x, d, 1.0);
  tpc_comp *c = build("bernoulli(p=0.3)", d, 1);
  const double pb = *dt == TPC_F32 ? (double)(float)p : p;
  for (size_t t = 0; t < N; t++) {
    run(c, *dt, x, out, &msg);
    int sent = msg.part[0].kind == TPC_MSG_DENSE;
    cr_assert(sent || msg.part[0].kind == TPC_MSG_SKIP);
    for (size_t i = 0; i < d; i++) {
      double want = sent ? x[i] / pb : 0.0;
      if (*dt == TPC_F32) want = (double)(float)want;
      cr_assert(out[i] == want);
      stat_add(&mean[i], out[i]);
    }
    stat_add(&err, dist2(out, x, d) / norm2(x, d));
  }
  /* tol: float rounds x/p, a relative error of the element type's unit
  ** roundoff on each coordinate, 3 u relative on the squared error */
  assert_mean(&err, 1 / p - 1, sqrt(p * (1 - p)) * fabs(a - 1),
              3 * ueps(*dt) * a, "bernoulli omega", 0);
  for (size_t i = 0; i < d; i++)
    assert_mean(&mean[i], x[i], fabs(x[i]) * sqrt((1 - p) / p),
                2 * ueps(*dt) * fabs(x[i]) / p, "bernoulli mean", i);
  tpc_comp_free(c);
}

/* T2: the n clients, each drawing the permutation from the shared stream in
** the same state, keep disjoint blocks that cover 0..d-1, each value scaled by
** n, so (1/n) sum_i Q_i(x) = x; exactly when n is a power of two, otherwise
** within the two roundings of n x_i (element type) and of the division by n. */
DTYPES(comp, permk_average_is_exact)
ParameterizedTest(tpc_dtype *dt, comp, permk_average_is_exact) {
  static const size_t ns[] = {1, 3, 4, 12};
  const size_t d = 12;
  double x[12], out[12];
  tpc_msg msg;
  gauss(*dt, x, d, 1.0);
  for (size_t ni = 0; ni < 4; ni++) {
    size_t n = ns[ni];
    for (uint64_t round = 0; round < 20; round++) {
      double avg[12] = {0};
      int owner[12] = {0};
      tpc_comp *c = build("permk", d, n);
      for (size_t client = 0; client < n; client++) {
        streams(round);
        ctx.client = client;
        run(c, *dt, x, out, &msg);
        cr_assert(eq(sz, msg.part[0].nnz, d / n));
        for (size_t j = 0; j < d / n; j++) owner[msg.part[0].idx[j]]++;
        for (size_t i = 0; i < d; i++) avg[i] += out[i] / (double)n;
      }
      for (size_t i = 0; i < d; i++) {
        cr_assert(eq(int, owner[i], 1), "n = %zu: coordinate %zu", n, i);
        if ((n & (n - 1)) == 0)
          cr_assert(avg[i] == x[i]);
        else
          cr_assert(le(dbl, fabs(avg[i] - x[i]), 2 * ueps(*dt) * fabs(x[i])));
      }
      tpc_comp_free(c);
    }
  }
}

/* ---- natural compression and dithering --------------------------------- */

/* The two powers of two around |v| (v not 0 and not a power of two). */
static void pow2_around(double v, double *lo, double *hi) {
  int e;
  frexp(fabs(v), &e);
  *lo = ldexp(1.0, e - 1);
  *hi = ldexp(1.0, e);
}

/* T2: each output is sign(x_i) times a neighbouring power of two, zeros and
** powers of two are kept, and E Q(x)_i = x_i (per coordinate, the variance of
** one draw known: (hi - |x|)(|x| - lo)), including subnormals. */
DTYPES(comp_stat, natural_unbiased)
ParameterizedTest(tpc_dtype *dt, comp_stat, natural_unbiased) {
  const size_t N = 20000;
  const double tiny = *dt == TPC_F32 ? 0x1p-148 : 0x1p-1073; /* subnormal */
  double x[] = {0.0, -0.0, 1.0, -0.25, 0.3, -1.7, 3.0, 1e3, -5e-3,
                3 * tiny, -5 * tiny, 0x1.8p-3};
  const size_t d = sizeof x / sizeof *x;
  double out[sizeof x / sizeof *x];
  stat mean[sizeof x / sizeof *x] = {{0}};
  tpc_msg msg;
  to_dtype(*dt, x, d);
  tpc_comp *c = build("natural", d, 1);
  for (size_t t = 0; t < N; t++) {
    run(c, *dt, x, out, &msg);
    cr_assert(eq(int, msg.part[0].kind, TPC_MSG_POW2));
    for (size_t i = 0; i < d; i++) {
      int e;
      double m = frexp(fabs(x[i]), &e);
      if (x[i] == 0 || m == 0.5) {
        cr_assert(out[i] == x[i], "zeros and powers of two are kept");
      } else {
        double lo, hi;
        pow2_around(x[i], &lo, &hi);
        cr_assert(fabs(out[i]) == lo || fabs(out[i]) == hi);
        cr_assert(eq(int, out[i] < 0, x[i] < 0));
      }
      if (x[i] != 0) stat_add(&mean[i], out[i] / fabs(x[i]));
    }
  }
  /* Means relative to |x_i| (so subnormal samples keep their precision). */
  for (size_t i = 0; i < d; i++) {
    double sd = 0, lo, hi, a = fabs(x[i]);
    int e;
    if (a == 0) continue;
    if (frexp(a, &e) != 0.5) {
      pow2_around(x[i], &lo, &hi);
      sd = sqrt((hi / a - 1) * (1 - lo / a));
    }
    assert_mean(&mean[i], x[i] / a, sd, 0, "natural mean", i);
  }
  tpc_comp_free(c);
}

/* Exact expected error of natural compression: sum (hi - |x|)(|x| - lo). */
static double natural_expected_error(const double *x, size_t d) {
  double e = 0, lo, hi;
  int ex;
  for (size_t i = 0; i < d; i++)
    if (x[i] != 0 && frexp(fabs(x[i]), &ex) != 0.5) {
      pow2_around(x[i], &lo, &hi);
      e += (hi - fabs(x[i])) * (fabs(x[i]) - lo);
    }
  return e;
}

/* T2: natural's omega = 1/8, attained at |x_i| = (4/3) 2^a: there the exact
** expected error is within 1e-6 of ||x||^2/8 (the float rounding of 4/3
** moves it by second order only), and the sampled mean matches it; for random
** x the exact value stays below ||x||^2/8 and the sampled mean matches it. */
DTYPES(comp_stat, natural_variance_bound_attained)
ParameterizedTest(tpc_dtype *dt, comp_stat, natural_variance_bound_attained) {
  const size_t N = 20000, d = 6;
  double x[6], out[6];
  tpc_msg msg;
  for (int family = 0; family < 2; family++) {
    for (size_t i = 0; i < d; i++)
      x[i] = family == 0 ? ldexp((i % 2 ? -4.0 : 4.0) / 3.0, (int)i * 3 - 7)
                         : gsl_ran_gaussian(data, 10.0);
    to_dtype(*dt, x, d);
    double want = natural_expected_error(x, d) / norm2(x, d);
    cr_assert(le(dbl, want, 0.125 * (1 + 1e-12)));
    if (family == 0) cr_assert(epsilon_eq(dbl, want, 0.125, 1e-6));
    tpc_comp *c = build("natural", d, 1);
    stat err = {0};
    for (size_t t = 0; t < N; t++) {
      run(c, *dt, x, out, &msg);
      stat_add(&err, dist2(out, x, d) / norm2(x, d));
    }
    assert_mean(&err, want, -1, 0, "natural error", (size_t)family);
    tpc_comp_free(c);
  }
}

/* Float: |x| >= 2^127 always rounds down (documented bias; 2^128 overflows). */
Test(comp, natural_top_of_float_range_rounds_down) {
  tpc_comp *c = build("natural", 2, 1);
  float x[2] = {0x1.8p127f, -0x1.fffffep127f}, out[2];
  tpc_msg msg;
  for (int t = 0; t < 50; t++) {
    tpc_msg_reset(&msg);
    tpc_comp_compress_f32(c, x, out, &msg, &ctx);
    cr_assert(eq(flt, out[0], 0x1p127f));
    cr_assert(eq(flt, out[1], -0x1p127f));
  }
  tpc_comp_free(c);
}

/* The levels of dither(s) for x: level_i = out_i / scale. */
static void dither_levels(const tpc_msg *msg, size_t d, int32_t *lev) {
  cr_assert(eq(int, msg->part[0].kind, TPC_MSG_QUANT));
  memcpy(lev, msg->part[0].level, d * sizeof *lev);
}

/* T2: dithering is unbiased per coordinate (5 sample standard errors, plus
** the element type's rounding of scale * level), |level| <= s, and the exact
** expected error sum scale^2 f_i (1 - f_i) (f_i the fractional part of
** s|x_i|/||x||) stays below omega ||x||^2 and matches the sampled mean. */
DTYPES(comp_stat, dither_unbiased)
ParameterizedTest(tpc_dtype *dt, comp_stat, dither_unbiased) {
  static const unsigned levels[] = {1, 4};
  const size_t d = 16, N = 20000;
  double x[16], out[16];
  int32_t lev[16];
  tpc_msg msg;
  for (size_t li = 0; li < 2; li++) {
    char spec[32];
    double s = levels[li];
    snprintf(spec, sizeof spec, "dither(s=%u)", levels[li]);
    gauss(*dt, x, d, 2.0);
    x[3] = 0;
    tpc_comp *c = build(spec, d, 1);
    tpc_comp_consts k;
    tpc_comp_consts_get(c, &k);
    double nx = sqrt(norm2(x, d)), want = 0;
    for (size_t i = 0; i < d; i++) {
      double r = s * fabs(x[i]) / nx, f = r - floor(r);
      want += (nx / s) * (nx / s) * f * (1 - f);
    }
    want /= nx * nx;
    cr_assert(le(dbl, want, k.omega));
    stat mean[16] = {{0}}, err = {0};
    for (size_t t = 0; t < N; t++) {
      run(c, *dt, x, out, &msg);
      dither_levels(&msg, d, lev);
      cr_assert(eq(u32, msg.part[0].levels, levels[li]));
      for (size_t i = 0; i < d; i++) {
        cr_assert(le(i32, abs(lev[i]), (int32_t)levels[li]));
        stat_add(&mean[i], out[i]);
      }
      stat_add(&err, dist2(out, x, d) / (nx * nx));
    }
    for (size_t i = 0; i < d; i++)
      assert_mean(&mean[i], x[i], -1, 4 * ueps(*dt) * nx, "dither mean", i);
    assert_mean(&err, want, -1, 8 * ueps(*dt), "dither error", li);
    tpc_comp_free(c);
  }
}

/* Dithering at extreme scales: multiplying x by a power of two gives the same
** levels from the same stream (the norm is taken relative to max|x_i|, so
** nothing overflows or underflows), and x = 0 gives zero levels. */
DTYPES(comp, dither_extreme_scales)
ParameterizedTest(tpc_dtype *dt, comp, dither_extreme_scales) {
  const size_t d = 64;
  static const int f32_shift[] = {100, -100}, f64_shift[] = {900, -900};
  double x[64], y[64], out[64];
  int32_t base[64], lev[64];
  tpc_msg msg;
  gauss(*dt, x, d, 1.0);
  tpc_comp *c = build("dither(s=7)", d, 1);
  streams(5);
  run(c, *dt, x, out, &msg);
  dither_levels(&msg, d, base);
  for (int j = 0; j < 2; j++) {
    int sh = *dt == TPC_F32 ? f32_shift[j] : f64_shift[j];
    for (size_t i = 0; i < d; i++) y[i] = ldexp(x[i], sh);
    streams(5);
    run(c, *dt, y, out, &msg);
    dither_levels(&msg, d, lev);
    for (size_t i = 0; i < d; i++) {
      cr_assert(eq(i32, lev[i], base[i]), "shift %d, coordinate %zu", sh, i);
      cr_assert(isfinite(out[i]));
    }
  }
  memset(y, 0, sizeof y);
  run(c, *dt, y, out, &msg);
  dither_levels(&msg, d, lev);
  for (size_t i = 0; i < d; i++) cr_assert(eq(i32, lev[i], 0));
  tpc_comp_free(c);
}

/* ---- scaled sign, threshold, identity ---------------------------------- */

/* T2: ||C(x) - x||^2 = ||x||^2 - ||x||_1^2/d for every x.  The scale's
** rounding to the element type enters only at second order (d s^2 delta^2),
** so the identity holds up to the double sums' rounding: tolerance
** 4 d DBL_EPSILON ||x||^2.  sign(0) = +1, and -0 counts as 0. */
DTYPES(comp, sign_identity_exact)
ParameterizedTest(tpc_dtype *dt, comp, sign_identity_exact) {
  const size_t d = 100;
  double x[100], out[100];
  tpc_msg msg;
  tpc_comp *c = build("sign", d, 1);
  for (int family = 0; family < 4; family++) {
    gauss(*dt, x, d, family == 2 ? 1e30 : 1.0);
    if (family == 1)
      for (size_t i = 0; i < d; i++) x[i] = i == 17 ? -2.5 : (i % 2 ? 0.0 : -0.0);
    if (family == 3)
      for (size_t i = 0; i < d; i++) x[i] = i % 3 ? -1.0 : 1.0;
    run(c, *dt, x, out, &msg);
    double l1 = 0;
    for (size_t i = 0; i < d; i++) l1 += fabs(x[i]);
    double lhs = dist2(out, x, d), rhs = norm2(x, d) - l1 * l1 / (double)d;
    cr_assert(le(dbl, fabs(lhs - rhs), 4 * (double)d * DBL_EPSILON * norm2(x, d)),
              "family %d: %.17g vs %.17g", family, lhs, rhs);
    for (size_t i = 0; i < d; i++)
      cr_assert(out[i] == (x[i] < 0 ? -1 : 1) * fabs(out[0]));
  }
  tpc_comp_free(c);
}

DTYPES(comp, threshold_and_identity_keep_exactly)
ParameterizedTest(tpc_dtype *dt, comp, threshold_and_identity_keep_exactly) {
  const size_t d = 50;
  double x[50], out[50];
  tpc_msg msg;
  gauss(*dt, x, d, 1.0);
  x[4] = 0.5;
  x[5] = -0.5;
  static const char *const specs[] = {"threshold(lambda=0.5)", "threshold(lambda=0)",
                                      "identity"};
  static const double lambda[] = {0.5, 0.0, 0.0};
  for (size_t s = 0; s < 3; s++) {
    tpc_comp *c = build(specs[s], d, 1);
    run(c, *dt, x, out, &msg);
    for (size_t i = 0; i < d; i++)
      cr_assert(out[i] == (fabs(x[i]) >= lambda[s] ? x[i] : 0.0), "%s", specs[s]);
    tpc_comp_free(c);
  }
}

/* ---- every type: decoding, history independence ------------------------ */

static const char *const all_specs[] = {
    "identity",        "topk(k=7)",           "topk(ratio=0.25)",
    "randk(k=7)",      "urandk(k=7)",         "permk",
    "bernoulli(p=0.5)", "natural",            "dither(s=3)",
    "sign",            "threshold(lambda=0.5)", "scaled(urandk(k=5))",
    "scaled(natural)", "compose(urandk(k=8),permk)",
    "compose(natural,dither(s=2))", "compose(topk(k=3),randk(k=10))",
    "scaled(compose(urandk(k=16),bernoulli(p=0.25)))"};
#define NSPECS (sizeof all_specs / sizeof *all_specs)

/* Inputs: Gaussian, sparse with signed zeros, huge, subnormal, mixed. */
static void family_input(tpc_dtype dt, int family, double *x, size_t d) {
  double big = dt == TPC_F32 ? 1e30 : 1e300;
  double small = dt == TPC_F32 ? 1e-41 : 1e-310;
  gauss(dt, x, d, 1.0);
  for (size_t i = 0; i < d; i++) {
    if (family == 1) x[i] = i % 3 ? (i % 2 ? 0.0 : -0.0) : x[i];
    if (family == 2) x[i] *= big;
    if (family == 3) x[i] *= small;
    if (family == 4) x[i] *= i % 2 ? big : small;
  }
  to_dtype(dt, x, d);
}

/* The decode check lives in run(): here every type meets every input family
** and many rounds (so both Bernoulli branches and many subsets occur). */
DTYPES(comp, decode_equals_output_for_every_type)
ParameterizedTest(tpc_dtype *dt, comp, decode_equals_output_for_every_type) {
  const size_t d = 32;
  double x[32], out[32];
  tpc_msg msg;
  for (size_t s = 0; s < NSPECS; s++) {
    tpc_comp *c = build(all_specs[s], d, 4);
    for (int family = 0; family < 5; family++) {
      family_input(*dt, family, x, d);
      for (uint64_t round = 0; round < 8; round++) {
        streams(round);
        ctx.client = round % 4;
        run(c, *dt, x, out, &msg);
        for (size_t i = 0; i < d; i++)
          cr_assert(not(isnan(out[i])), "%s family %d", all_specs[s], family);
      }
    }
    tpc_comp_free(c);
  }
}

/* A result depends on the streams only: the same streams give the same output
** after the instance compressed something else, and in a fresh instance. */
DTYPES(comp, history_independence)
ParameterizedTest(tpc_dtype *dt, comp, history_independence) {
  const size_t d = 32;
  double x[32], y[32], a[32], b[32], f[32];
  tpc_msg msg;
  gauss(*dt, x, d, 1.0);
  gauss(*dt, y, d, 3.0);
  for (size_t s = 0; s < NSPECS; s++) {
    tpc_comp *c = build(all_specs[s], d, 4);
    tpc_comp *fresh = build(all_specs[s], d, 4);
    for (uint64_t round = 0; round < 6; round++) {
      ctx.client = 1;
      streams(round);
      run(c, *dt, x, a, &msg);
      streams(round + 1000);
      run(c, *dt, y, b, &msg);
      streams(round);
      run(c, *dt, x, b, &msg);
      streams(round);
      run(fresh, *dt, x, f, &msg);
      for (size_t i = 0; i < d; i++) {
        cr_assert(a[i] == f[i], "%s fresh: coordinate %zu", all_specs[s], i);
      }
      cr_assert(memcmp(a, b, sizeof a) == 0, "%s: bitwise equal", all_specs[s]);
    }
    tpc_comp_free(fresh);
    tpc_comp_free(c);
  }
}

/* ---- combinators -------------------------------------------------------- */

/* T1: scaled(Q)(x) is (BASE)(1/(omega+1)) times Q(x) from the same stream, and
** compose(Q1, Q2)(x) is Q1(Q2(x)) with Q2 drawing first. */
DTYPES(comp, combinators_compute_their_definition)
ParameterizedTest(tpc_dtype *dt, comp, combinators_compute_their_definition) {
  const size_t d = 24;
  double x[24], q[24], mid[24], want[24], out[24];
  tpc_msg msg;
  gauss(*dt, x, d, 1.0);
  tpc_comp *sc = build("scaled(urandk(k=6))", d, 1), *q1 = build("urandk(k=6)", d, 1);
  tpc_comp *co = build("compose(natural,urandk(k=12))", d, 1);
  tpc_comp *n1 = build("natural", d, 1), *u2 = build("urandk(k=12)", d, 1);
  for (uint64_t round = 0; round < 10; round++) {
    streams(round);
    run(q1, *dt, x, q, &msg);
    streams(round);
    run(sc, *dt, x, out, &msg);
    cr_assert(eq(dbl, msg.part[0].coef, 0.25));
    for (size_t i = 0; i < d; i++) cr_assert(out[i] == 0.25 * q[i]);
    streams(round);
    run(u2, *dt, x, mid, &msg);
    run(n1, *dt, mid, want, &msg);
    streams(round);
    run(co, *dt, x, out, &msg);
    cr_assert(eq(int, msg.part[0].kind, TPC_MSG_POW2), "the message is Q1's");
    for (size_t i = 0; i < d; i++) cr_assert(out[i] == want[i]);
  }
  tpc_comp_free(sc);
  tpc_comp_free(q1);
  tpc_comp_free(co);
  tpc_comp_free(n1);
  tpc_comp_free(u2);
}

typedef struct {
  const char *spec;
  size_t d, n;
  tpc_class cls;
  double alpha, omega;
  int det;
  const char *src;
} consts_case;

/* Declared constants (T2 table, T1 rules), computed for concrete d, n. */
Test(comp, declared_constants) {
  static const consts_case cases[] = {
      {"identity", 10, 1, TPC_CLASS_BOTH, 1, 0, 1, "T2"},
      {"topk(k=3)", 12, 1, TPC_CLASS_CONTRACTIVE, 0.25, 0, 1, "T2"},
      {"topk(ratio=0.1)", 25, 1, TPC_CLASS_CONTRACTIVE, 3.0 / 25, 0, 1, "T2"},
      {"topk(ratio=0.001)", 25, 1, TPC_CLASS_CONTRACTIVE, 1.0 / 25, 0, 1, "T2"},
      {"randk(k=5)", 20, 1, TPC_CLASS_CONTRACTIVE, 0.25, 0, 0, "T2"},
      {"urandk(k=5)", 20, 1, TPC_CLASS_UNBIASED, 0, 3, 0, "T2"},
      {"permk", 20, 4, TPC_CLASS_UNBIASED, 0, 3, 0, "T2"},
      {"bernoulli(p=0.25)", 20, 1, TPC_CLASS_UNBIASED, 0, 3, 0, "T2"},
      {"natural", 20, 1, TPC_CLASS_UNBIASED, 0, 0.125, 0, "T2"},
      {"dither(s=2)", 100, 1, TPC_CLASS_UNBIASED, 0, 5, 0, "T2"},
      {"dither(s=20)", 100, 1, TPC_CLASS_UNBIASED, 0, 0.25, 0, "T2"},
      {"sign", 8, 1, TPC_CLASS_CONTRACTIVE, 0.125, 0, 1, "T2"},
      {"threshold(lambda=1)", 8, 1, TPC_CLASS_NONE, 0, 0, 1, NULL},
      {"scaled(urandk(k=5))", 20, 1, TPC_CLASS_CONTRACTIVE, 0.25, 0, 0, "T1 scaled"},
      {"scaled(identity)", 20, 1, TPC_CLASS_CONTRACTIVE, 1, 0, 1, "T1 scaled"},
      {"compose(urandk(k=5),bernoulli(p=0.5))", 20, 1, TPC_CLASS_UNBIASED, 0, 7,
       0, "T1 composition"},
      {"compose(identity,natural)", 20, 1, TPC_CLASS_UNBIASED, 0, 0.125, 0,
       "T1 composition"},
      {"compose(topk(k=2),urandk(k=5))", 20, 1, TPC_CLASS_NONE, 0, 0, 0, NULL},
      {"compose(topk(k=2),sign)", 20, 1, TPC_CLASS_NONE, 0, 0, 1, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const consts_case *e = &cases[i];
    tpc_comp *c = build(e->spec, e->d, e->n);
    tpc_comp_consts k;
    tpc_comp_consts_get(c, &k);
    cr_assert(eq(int, k.cls, e->cls), "%s", e->spec);
    cr_assert(eq(int, k.deterministic, e->det), "%s", e->spec);
    if (e->cls & TPC_CLASS_CONTRACTIVE) {
      cr_assert(ieee_ulp_eq(dbl, k.alpha, e->alpha, 2), "%s", e->spec);
      cr_assert(eq(str, (char *)k.alpha_src, (char *)e->src), "%s", e->spec);
    }
    if (e->cls & TPC_CLASS_UNBIASED) {
      cr_assert(ieee_ulp_eq(dbl, k.omega, e->omega, 2), "%s", e->spec);
      cr_assert(eq(str, (char *)k.omega_src, (char *)e->src), "%s", e->spec);
    }
    tpc_comp_free(c);
  }
}

Test(comp, every_type_documents_itself) {
  for (size_t i = 0; tpc_builtin_comps[i]; i++) {
    const tpc_comp_type *t = tpc_builtin_comps[i];
    cr_assert(t->name && t->synopsis && t->summary && t->declared && t->theory);
    cr_assert(strncmp(t->synopsis, t->name, strlen(t->name)) == 0, "%s", t->name);
    cr_assert(t->init && t->consts && t->compress_f32 && t->compress_f64);
  }
}

/* ---- parameter errors --------------------------------------------------- */

Test(comp, parameter_errors_name_the_problem) {
  static const struct {
    const char *spec;
    size_t d, n;
    const char *fragment;
  } cases[] = {
      {"topk(k=200)", 100, 1, "topk: k = 200 exceeds d = 100"},
      {"topk(k=0)", 100, 1, "topk: k = 0"},
      {"topk(k=2.5)", 100, 1, "k = 2.5"},
      {"topk(k=2,ratio=0.5)", 100, 1, "exactly one of k and ratio"},
      {"topk", 100, 1, "exactly one of k and ratio"},
      {"topk(ratio=0)", 100, 1, "ratio = 0 is outside (0, 1]"},
      {"topk(ratio=1.5)", 100, 1, "ratio = 1.5"},
      {"randk(k=0)", 10, 1, "randk: k = 0"},
      {"urandk(k=11)", 10, 1, "urandk: k = 11 exceeds d = 10"},
      {"bernoulli(p=0)", 10, 1, "bernoulli: p = 0 is outside (0, 1]"},
      {"bernoulli(p=1.5)", 10, 1, "p = 1.5"},
      {"bernoulli", 10, 1, "missing parameter p"},
      {"dither(s=0)", 10, 1, "dither: s = 0 is outside [1,"},
      {"dither(s=1.5)", 10, 1, "s = 1.5 is not an integer"},
      {"threshold(lambda=-1)", 10, 1, "lambda = -1"},
      {"scaled(topk(k=1))", 10, 1, "scaled: the argument topk is not unbiased"},
      {"scaled(compose(topk(k=1),natural))", 10, 1, "not unbiased"},
      {"permk", 100, 3, "permk: n = 3 must divide d = 100"},
      {"permk", 100, 0, "n = 0"},
      {"permk", 2, 4, "n = 4 must divide d = 2"},
      {"compose(urandk(k=20),identity)", 10, 1, "k = 20 exceeds d = 10"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tpc_error_clear();
    int rc = build_status(cases[i].spec, cases[i].d, cases[i].n, NULL);
    cr_assert(eq(int, rc, TPC_EINPUT), "%s", cases[i].spec);
    cr_assert(strstr(tpc_error_msg(), cases[i].fragment) != NULL,
              "%s: message '%s' lacks '%s'", cases[i].spec, tpc_error_msg(),
              cases[i].fragment);
  }
}

/* dither near the top of the range: ||x||/s times a level would overflow the
** element type, so x is sent as it is (dense, finite, unbiased), in both
** types; just below the cut the quantized part stays finite. */
Test(comp, dither_extreme_norm_falls_back_to_dense) {
  tpc_comp *c = build("dither(s=1)", 4, 1);
  tpc_msg msg;
  double out[4];
  for (int t = 0; t < 2; t++) {
    tpc_dtype dt = t ? TPC_F64 : TPC_F32;
    double big = t ? 1.5e308 : 3e38;
    double x[4] = {big, -big, big, 1.0};
    to_dtype(dt, x, 4);
    streams(1);
    run(c, dt, x, out, &msg);
    cr_assert(eq(int, msg.part[0].kind, TPC_MSG_DENSE), "%s", dname(dt));
    for (size_t i = 0; i < 4; i++) cr_assert(out[i] == x[i], "%s [%zu]", dname(dt), i);
    double below[4] = {big / 8, -big / 8, big / 8, 1.0};
    streams(2);
    run(c, dt, below, out, &msg);
    cr_assert(eq(int, msg.part[0].kind, TPC_MSG_QUANT), "%s", dname(dt));
    for (size_t i = 0; i < 4; i++) cr_assert(isfinite(out[i]), "%s [%zu]", dname(dt), i);
  }
  tpc_comp_free(c);
}

/* ---- instruction set paths ---------------------------------------------- */

/* Build `text` with the kernel path capped at `isa` (TPC_KERNEL is read at
** init), restoring the caller's TPC_KERNEL. */
static tpc_comp *build_isa(const char *text, size_t d, const char *isa) {
  char saved[32];
  test_kernel_push(isa, saved);
  tpc_comp *c = build(text, d, 1);
  test_kernel_pop(saved);
  return c;
}

/* Gaussian input with the special values every path must treat alike:
** zeros of both signs, powers of two, subnormals, the top binade. */
static void path_input(tpc_dtype dt, void *x, size_t d) {
  for (size_t i = 0; i < d; i++) {
    double v = gsl_ran_gaussian(data, 1.0);
    if (i % 97 == 3) v = i % 2 ? 0.0 : -0.0;
    if (i % 89 == 5) v = ldexp(i % 2 ? 1.0 : -1.0, (int)(i % 13) - 6);
    if (i % 83 == 7) v *= dt == TPC_F32 ? 0x1p-130 : 0x1p-1030;
    if (i % 211 == 9) v = dt == TPC_F32 ? 0x1.8p127 : 0x1.8p1023;
    if (dt == TPC_F32) ((float *)x)[i] = (float)v;
    else ((double *)x)[i] = v;
  }
}

/* path_input less its top binade (those coordinates become 1): dither
** sends an x whose norm nears the type's largest value dense, so only this
** input reaches its quantizing kernels. */
static void path_input_quantizable(tpc_dtype dt, void *x, size_t d) {
  path_input(dt, x, d);
  for (size_t i = 0; i < d; i++)
    if (dt == TPC_F32 && fabsf(((float *)x)[i]) > 0x1p126f) ((float *)x)[i] = 1.0f;
    else if (dt == TPC_F64 && fabs(((double *)x)[i]) > 0x1p1022) ((double *)x)[i] = 1.0;
}

/* The message parts of two calls hold the same bits. */
static void assert_same_part(const tpc_msg_part *a, const tpc_msg_part *b, size_t es,
                             const char *what) {
  cr_assert(eq(int, (int)a->kind, (int)b->kind), "%s", what);
  cr_assert(eq(sz, a->nnz, b->nnz), "%s", what);
  cr_assert(a->scale == b->scale || (isnan(a->scale) && isnan(b->scale)), "%s", what);
  size_t d = a->d, nval = a->kind == TPC_MSG_SPARSE ? a->nnz : d;
  if (a->kind == TPC_MSG_SPARSE)
    cr_assert(eq(int, memcmp(a->idx, b->idx, a->nnz * sizeof *a->idx), 0), "%s", what);
  if (a->val) cr_assert(eq(int, memcmp(a->val, b->val, nval * es), 0), "%s", what);
  if (a->kind == TPC_MSG_QUANT)
    cr_assert(eq(int, memcmp(a->level, b->level, d * sizeof *a->level), 0), "%s", what);
  if (a->kind == TPC_MSG_SIGN)
    cr_assert(eq(int, memcmp(a->bits, b->bits, (d + 63) / 64 * 8), 0), "%s", what);
}

/* spec (randk and urandk keep d/50 + 1) on x under every path the CPU has:
** the portable path's output and message bit for bit, and the same random
** words consumed (the stream's next word agrees after the call). */
static void assert_paths_match(tpc_dtype dt, const char *name, const void *x, size_t d,
                               const char *how) {
  static const char *const isas[] = {"avx2", "avx512"};
  size_t es = dt == TPC_F32 ? sizeof(float) : sizeof(double);
  void *ref = malloc(d * es), *got = malloc(d * es);
  cr_assert(ref && got);
  char spec[64];
  if (!strcmp(name, "randk") || !strcmp(name, "urandk"))
    snprintf(spec, sizeof spec, "%s(k=%zu)", name, d / 50 + 1);
  else
    snprintf(spec, sizeof spec, "%s", name);
  tpc_comp *c0 = build_isa(spec, d, "scalar");
  tpc_msg m0, m1;
  tpc_msg_reset(&m0);
  streams(7);
  if (dt == TPC_F32) tpc_comp_compress_f32(c0, x, ref, &m0, &ctx);
  else tpc_comp_compress_f64(c0, x, ref, &m0, &ctx);
  unsigned long next = gsl_rng_get(rng);
  for (size_t p = 0; p < sizeof isas / sizeof *isas; p++) {
    if (!tpc_cpu_supports((tpc_isa)(p + 1))) continue;
    char what[160];
    snprintf(what, sizeof what, "%s %s d = %zu %s %s", spec, dname(dt), d, how, isas[p]);
    tpc_comp *c1 = build_isa(spec, d, isas[p]);
    tpc_msg_reset(&m1);
    streams(7);
    if (dt == TPC_F32) tpc_comp_compress_f32(c1, x, got, &m1, &ctx);
    else tpc_comp_compress_f64(c1, x, got, &m1, &ctx);
    cr_assert(eq(ulong, gsl_rng_get(rng), next), "%s: stream consumed", what);
    cr_assert(eq(int, memcmp(ref, got, d * es), 0), "%s: out", what);
    cr_assert(eq(sz, m0.nparts, m1.nparts), "%s", what);
    assert_same_part(&m0.part[0], &m1.part[0], es, what);
    tpc_comp_free(c1);
  }
  tpc_comp_free(c0);
  free(ref);
  free(got);
}

static const char *const path_specs[] = {"natural", "dither(s=4)", "randk", "urandk", "sign"};

/* Every instruction set path of natural, dither, randk, urandk and sign
** gives the portable path's output and message bit for bit, and consumes the
** same random words, at sizes that exercise the vector heads and tails (none
** but 1000 a multiple of 8 or 16) and, beyond 4 MiB, the streaming stores;
** at 2^20 natural and dither meet about 16 ties of the 16-bit comparison
** each (probability 2^-16 per coordinate).  dither runs on the input with
** and without the top binade (dense, then quantized), at a few levels. */
DTYPES(comp, every_isa_path_matches_portable)
ParameterizedTest(tpc_dtype *dt, comp, every_isa_path_matches_portable) {
  static const size_t dims[] = {1, 31, 1000, (1u << 20) + 37};
  size_t es = *dt == TPC_F32 ? sizeof(float) : sizeof(double);
  for (size_t di = 0; di < sizeof dims / sizeof *dims; di++) {
    size_t d = dims[di];
    void *x = malloc(d * es);
    cr_assert(x != NULL);
    path_input(*dt, x, d);
    for (size_t s = 0; s < sizeof path_specs / sizeof *path_specs; s++)
      assert_paths_match(*dt, path_specs[s], x, d, "gaussian");
    path_input_quantizable(*dt, x, d);
    assert_paths_match(*dt, "dither(s=4)", x, d, "quantized");
    assert_paths_match(*dt, "dither(s=1)", x, d, "quantized");
    assert_paths_match(*dt, "dither(s=100000)", x, d, "quantized");
    free(x);
  }
}

/* The same on the input without its top binade scaled to the ends of the
** type's range (1e-300 and 1e300 for double; 1e-40, subnormal, and 1e34
** for float, whose norm stays below half the largest float), where natural
** rounds between subnormal powers of two and dither's norm and levels meet
** their extremes, at a length that is no multiple of the vector widths. */
DTYPES(comp, every_isa_path_matches_portable_at_extreme_scales)
ParameterizedTest(tpc_dtype *dt, comp, every_isa_path_matches_portable_at_extreme_scales) {
  const double scales[] = {*dt == TPC_F32 ? 1e-40 : 1e-300, *dt == TPC_F32 ? 1e34 : 1e300};
  size_t d = (1u << 14) + 11, es = *dt == TPC_F32 ? sizeof(float) : sizeof(double);
  double *g = malloc(d * sizeof *g);
  void *x = malloc(d * es);
  cr_assert(g && x);
  path_input_quantizable(TPC_F64, g, d);
  for (size_t k = 0; k < 2; k++) {
    for (size_t i = 0; i < d; i++) {
      if (*dt == TPC_F32) ((float *)x)[i] = (float)(g[i] * scales[k]);
      else ((double *)x)[i] = g[i] * scales[k];
    }
    char how[32];
    snprintf(how, sizeof how, "scale %g", scales[k]);
    for (size_t s = 0; s < sizeof path_specs / sizeof *path_specs; s++)
      assert_paths_match(*dt, path_specs[s], x, d, how);
  }
  free(g);
  free(x);
}

/* dither's float sum of squares, as documented in comp/dither.c and written
** here independently of the library: coordinate i into partial sum i mod 32
** from the last coordinate to the first, then (s_j + s_j+8) + (s_j+16 +
** s_j+24), lanes j and j+4, (t_0 + t_2) + (t_1 + t_3). */
static double dither_ordered_sumsq(const float *x, size_t d) {
  double acc[32] = {0}, t[8];
  for (size_t i = d; i-- > 0;) acc[i % 32] += (double)x[i] * (double)x[i];
  for (int j = 0; j < 8; j++) t[j] = (acc[j] + acc[j + 8]) + (acc[j + 16] + acc[j + 24]);
  for (int j = 0; j < 4; j++) t[j] += t[j + 4];
  return (t[0] + t[2]) + (t[1] + t[3]);
}

/* The AVX2 and AVX-512 sums of squares follow that order bit for bit, at
** every length up to 70 (the masked partial block at each offset) and at
** 2^16 + 5, on magnitudes within a factor 2^4 of each other, where the
** partial sums are alike and any other order of the additions rounds
** differently somewhere. */
Test(comp, dither_sumsq_isa_paths_follow_the_documented_order) {
  enum { N = (1 << 16) + 5 };
  static float x[N];
  for (size_t i = 0; i < N; i++)
    x[i] = (float)ldexp(gsl_ran_gaussian(data, 1.0), (int)gsl_rng_uniform_int(data, 5) - 2);
  for (size_t d = 0; d <= N; d = d < 70 ? d + 1 : N + (d == N)) {
    double want = dither_ordered_sumsq(x, d);
    if (tpc_cpu_supports(TPC_ISA_AVX2))
      cr_assert(eq(dbl, tpc_dither_sumsq_f32_avx2(x, d), want), "avx2, d = %zu", d);
    if (tpc_cpu_supports(TPC_ISA_AVX512))
      cr_assert(eq(dbl, tpc_dither_sumsq_f32_avx512(x, d), want), "avx512, d = %zu", d);
  }
}

/* dither's double norm, as documented in comp/dither.c and written here
** independently of the library: pre = 2^-E with 2^E > max|x_i| (frexp), the
** sequential sum of (|x_i| pre)^2, ||x|| = sqrt(sum) / pre; the scale is
** ||x|| / s. */
static double dither_scaled_norm_scale(const double *x, size_t d, double s) {
  double big = 0, sum = 0;
  for (size_t i = 0; i < d; i++) big = fmax(big, fabs(x[i]));
  int e = 0;
  if (big > 0) frexp(big, &e);
  double pre = ldexp(1.0, -e);
  for (size_t i = 0; i < d; i++) sum += (fabs(x[i]) * pre) * (fabs(x[i]) * pre);
  return sqrt(sum) / pre / s;
}

/* The double scale is that two-pass norm bit for bit, where the library
** sums the squares unscaled in the pass that finds the maximum (exact where
** no square leaves the normal range: Gaussian input at 1, 2^-400, 2^400,
** and magnitudes in [1, 2) 2^-511, the boundary) and where it must scale
** first: Gaussian input at 2^-530 and magnitudes in [1, 2) 2^-512, whose
** squares are subnormal unscaled and round differently there, and Gaussian
** input at 2^600, whose squares overflow unscaled; every seventh
** coordinate zero, and x all zeros. */
Test(comp, dither_double_norm_is_the_scaled_sequential_sum) {
  enum { D = 1000 };
  static double x[D], out[D];
  static const struct {
    double scale;
    int gaussian;
  } cases[] = {{1, 1},         {0x1p-400, 1}, {0x1p400, 1}, {0x1p-511, 0},
               {0x1p-530, 1},  {0x1p-512, 0}, {0x1p600, 1}, {0, 1}};
  tpc_comp *c = build("dither(s=4)", D, 1);
  tpc_msg msg;
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    for (size_t i = 0; i < D; i++) {
      double v = cases[k].gaussian ? gsl_ran_gaussian(data, 1.0) : 1 + gsl_rng_uniform(data);
      x[i] = i % 7 == 2 ? 0 : v * cases[k].scale;
    }
    streams(k);
    run(c, TPC_F64, x, out, &msg);
    double want = dither_scaled_norm_scale(x, D, 4);
    cr_assert(eq(dbl, msg.part[0].scale, want), "case %zu: %a vs %a", k, msg.part[0].scale,
              want);
  }
  tpc_comp_free(c);
}

/* The path each type reports is the kernel its calls run under each
** TPC_KERNEL cap: the widest variant it has within the cap (natural, dither
** and randk draw from the AVX2 lanes in both types; sign's double kernel has
** only AVX2), TopK's
** selection by size with its instruction set, combinators their parts'. */
Test(comp, reported_path_is_the_kernel_that_runs) {
  static const struct {
    const char *spec, *cap;
    tpc_dtype dt;
    const char *want;
  } cases[] = {
      {"natural", "avx512", TPC_F32, "avx512"},   {"natural", "avx2", TPC_F32, "avx2"},
      {"dither(s=4)", "avx512", TPC_F64, "avx512"}, {"urandk(k=9)", "avx2", TPC_F64, "avx2"},
      {"randk(k=9)", "avx512", TPC_F32, "avx512"}, {"sign", "avx2", TPC_F32, "avx2"},
      {"sign", "avx512", TPC_F32, "avx512"},      {"sign", "avx512", TPC_F64, "avx2"},
      {"sign", "avx2", TPC_F64, "avx2"},          {"sign", "scalar", TPC_F64, "portable"},
      {"sign", "scalar", TPC_F32, "portable"},    {"identity", "avx512", TPC_F32, "portable"},
      {"topk(k=10)", "avx512", TPC_F32, "maxbound/avx512"},
      {"topk(k=10)", "avx2", TPC_F64, "maxbound/avx2"},
      {"topk(k=10)", "scalar", TPC_F32, "filter/portable"},
      {"compose(urandk(k=9),permk)", "avx512", TPC_F32, "avx512+portable"},
      {"scaled(urandk(k=9))", "avx2", TPC_F32, "avx2"},
      {"dither(s=4)", "avx2", TPC_F64, "avx2"},   {"natural", "scalar", TPC_F32, "portable"},
      {"compose(natural,natural)", "avx512", TPC_F32, "avx512"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tpc_isa cap = !strcmp(cases[i].cap, "avx512") ? TPC_ISA_AVX512
                  : !strcmp(cases[i].cap, "avx2") ? TPC_ISA_AVX2
                                                  : TPC_ISA_SCALAR;
    if (!tpc_cpu_supports(cap)) continue; /* a cap the CPU lacks falls back */
    tpc_comp *c = build_isa(cases[i].spec, 1u << 16, cases[i].cap);
    char path[64];
    cr_assert(eq(str, (char *)tpc_comp_path(c, cases[i].dt, path, sizeof path),
                 (char *)cases[i].want),
              "%s under %s", cases[i].spec, cases[i].cap);
    tpc_comp_free(c);
  }
}

/* spec on x (d elements of dt) with the output at `out` elements past a
** 64-byte boundary, under the scalar path and under isa, with r as the
** private stream (reset to seed 7 when it is not the suite's): the same
** bits and the same words consumed. */
static void assert_isa_at_offset(tpc_dtype dt, const char *spec, const void *x, size_t d,
                                 size_t off, const char *isa, gsl_rng *r) {
  size_t es = dt == TPC_F32 ? sizeof(float) : sizeof(double);
  size_t bytes = (d + 16) * es + 64 - (d + 16) * es % 64;
  char *buf[2] = {aligned_alloc(64, bytes), aligned_alloc(64, bytes)};
  cr_assert(buf[0] && buf[1]);
  tpc_ctx cx = {r, shared, 0};
  tpc_comp *c[2] = {build_isa(spec, d, "scalar"), build_isa(spec, d, isa)};
  tpc_msg m[2];
  unsigned long next[2];
  for (int k = 0; k < 2; k++) {
    tpc_msg_reset(&m[k]);
    streams(7);
    if (r != rng) gsl_rng_set(r, 7);
    void *out = buf[k] + off * es;
    if (dt == TPC_F32) tpc_comp_compress_f32(c[k], x, out, &m[k], &cx);
    else tpc_comp_compress_f64(c[k], x, out, &m[k], &cx);
    next[k] = gsl_rng_get(r);
  }
  char what[128];
  snprintf(what, sizeof what, "%s %s d = %zu off %zu %s %s", spec, dname(dt), d, off, isa,
           gsl_rng_name(r));
  cr_assert(eq(ulong, next[0], next[1]), "%s: stream consumed", what);
  cr_assert(eq(int, memcmp(buf[0] + off * es, buf[1] + off * es, d * es), 0), "%s: out", what);
  assert_same_part(&m[0].part[0], &m[1].part[0], es, what);
  tpc_comp_free(c[0]);
  tpc_comp_free(c[1]);
  free(buf[0]);
  free(buf[1]);
}

/* natural's and dither's AVX2 and AVX-512 kernels give the portable bits
** and leave the stream where the portable path does also where the tests
** above do not reach: out 64-byte aligned (no masked head, whole vectors
** from the first coordinate) as well as one element off it, streaming
** (beyond 4 MiB) and not, and with an mt19937 private stream in place of
** pcg64 (the words then come from tpc_rng_pcg64_fill's generic branch);
** dither on input it quantizes. */
DTYPES(comp, natural_dither_vector_paths_aligned_and_any_generator_match_portable)
ParameterizedTest(tpc_dtype *dt, comp,
                  natural_dither_vector_paths_aligned_and_any_generator_match_portable) {
  static const size_t dims[] = {3000, (1u << 20) + 200};
  static const char *const isas[] = {"avx2", "avx512"};
  size_t es = *dt == TPC_F32 ? sizeof(float) : sizeof(double);
  for (size_t di = 0; di < 2; di++) {
    size_t d = dims[di];
    void *x = malloc(d * es), *xq = malloc(d * es);
    cr_assert(x && xq);
    path_input(*dt, x, d);
    path_input_quantizable(*dt, xq, d);
    for (int gen = 0; gen < 2; gen++) {
      gsl_rng *r = gen ? gsl_rng_alloc(gsl_rng_mt19937) : rng;
      cr_assert(r != NULL);
      for (size_t p = 0; p < 2; p++)
        for (size_t off = 0; off < 2 && tpc_cpu_supports((tpc_isa)(p + 1)); off++) {
          assert_isa_at_offset(*dt, "natural", x, d, off, isas[p], r);
          assert_isa_at_offset(*dt, "dither(s=4)", xq, d, off, isas[p], r);
        }
      if (gen) gsl_rng_free(r);
    }
    free(x);
    free(xq);
  }
}

/* randk's float paths agree with the portable one at the extremes of k/d
** too: k = d (every coordinate kept, most of Floyd's draws colliding), half
** (words of many kept bits) and a few (most chunks of the AVX-512 pass
** empty), at sizes of one partial word, a few chunks of 1024 coordinates
** and, beyond 4 MiB, streaming stores. */
Test(comp, randk_dense_and_sparse_isa_paths_match_portable) {
  static const size_t dims[] = {50, 3000, (1u << 20) + 37};
  static const char *const isas[] = {"avx2", "avx512"};
  for (size_t di = 0; di < sizeof dims / sizeof *dims; di++) {
    size_t d = dims[di];
    float *x = malloc(d * sizeof *x), *ref = malloc(d * sizeof *ref),
          *got = malloc(d * sizeof *got);
    cr_assert(x && ref && got);
    path_input(TPC_F32, x, d);
    char specs[3][32];
    snprintf(specs[0], sizeof specs[0], "urandk(k=%zu)", d);
    snprintf(specs[1], sizeof specs[1], "randk(ratio=0.5)");
    snprintf(specs[2], sizeof specs[2], "randk(k=3)");
    for (size_t s = 0; s < 3; s++) {
      tpc_comp *c0 = build_isa(specs[s], d, "scalar");
      tpc_msg m0, m1;
      tpc_msg_reset(&m0);
      streams(11);
      tpc_comp_compress_f32(c0, x, ref, &m0, &ctx);
      for (size_t p = 0; p < sizeof isas / sizeof *isas; p++) {
        if (!tpc_cpu_supports((tpc_isa)(p + 1))) continue;
        char what[128];
        snprintf(what, sizeof what, "%s d = %zu %s", specs[s], d, isas[p]);
        tpc_comp *c1 = build_isa(specs[s], d, isas[p]);
        tpc_msg_reset(&m1);
        streams(11);
        tpc_comp_compress_f32(c1, x, got, &m1, &ctx);
        cr_assert(eq(int, memcmp(ref, got, d * sizeof *ref), 0), "%s: out", what);
        assert_same_part(&m0.part[0], &m1.part[0], sizeof *x, what);
        tpc_comp_free(c1);
      }
      tpc_comp_free(c0);
    }
    free(x);
    free(ref);
    free(got);
  }
}

/* The scaled sign's sum of |x_i|, as documented in comp/sign_kern.h and
** written here independently of the library: 16 lanes, lane l taking the
** elements j with j mod 16 = l in increasing j, multiplied by mul, then
** lane[l] += lane[l + h] for h = 8, 4, 2, 1. */
static double sign_blocked_sum(tpc_dtype dt, const void *x, size_t d, double mul) {
  double lane[16] = {0};
  for (size_t j = 0; j < d; j++) {
    double a = dt == TPC_F32 ? (double)fabsf(((const float *)x)[j])
                             : fabs(((const double *)x)[j]);
    lane[j % 16] += a * mul;
  }
  for (size_t h = 8; h >= 1; h /= 2)
    for (size_t l = 0; l < h; l++) lane[l] += lane[l + h];
  return lane[0];
}

/* The scale on a path: the message's scale after one call. */
static double sign_scale_on(tpc_dtype dt, const void *x, size_t d, const char *isa) {
  size_t es = dt == TPC_F32 ? sizeof(float) : sizeof(double);
  void *out = malloc(d * es);
  cr_assert(out != NULL);
  tpc_comp *c = build_isa("sign", d, isa);
  tpc_msg m;
  tpc_msg_reset(&m);
  if (dt == TPC_F32) tpc_comp_compress_f32(c, x, out, &m, &ctx);
  else tpc_comp_compress_f64(c, x, out, &m, &ctx);
  double scale = m.part[0].scale;
  tpc_comp_free(c);
  free(out);
  return scale;
}

/* The scale is exactly the documented blocked sum / d on every path (and
** for double input whose sum overflows, the same sum scaled by 2^-64, / d,
** scaled back: path_input's top-binade values make that happen from d =
** 221 on), at sizes with every tail length class; and, by hand, on an input
** where the order shows: 1 followed by sixteen 2^-53, d = 17.  Summed
** sequentially each 2^-53 is lost (a tie to even).  In the blocked order
** lane 0 loses x_16 and, at h = 8, lane 8's; the other 14 arrive at h = 4,
** 2, 1 as 2^-52, 2^-51, 2^-50, each addition exact, so the scale is
** (1 + 7 * 2^-52) / 17 (exact operands: the only rounding is the division,
** the same in the test). */
DTYPES(comp, sign_scale_is_blocked_sum)
ParameterizedTest(tpc_dtype *dt, comp, sign_scale_is_blocked_sum) {
  static const size_t dims[] = {1, 15, 16, 17, 63, 64, 65, 1000, (1u << 18) + 37};
  static const char *const isas[] = {"scalar", "avx2", "avx512"};
  size_t es = *dt == TPC_F32 ? sizeof(float) : sizeof(double);
  for (size_t di = 0; di < sizeof dims / sizeof *dims; di++) {
    size_t d = dims[di];
    void *x = malloc(d * es);
    cr_assert(x != NULL);
    path_input(*dt, x, d);
    double sum = sign_blocked_sum(*dt, x, d, 1.0);
    double want = !isinf(sum) ? sum / (double)d
                              : ldexp(sign_blocked_sum(*dt, x, d, 0x1p-64) / (double)d, 64);
    cr_assert(isfinite(want), "%s d = %zu", dname(*dt), d);
    for (size_t p = 0; p < 3; p++) {
      if (p > 0 && !tpc_cpu_supports((tpc_isa)p)) continue;
      double got = sign_scale_on(*dt, x, d, isas[p]);
      cr_assert(eq(dbl, got, want), "%s d = %zu %s", dname(*dt), d, isas[p]);
    }
    free(x);
  }
  double xd[17];
  float xf[17];
  for (size_t j = 0; j < 17; j++) {
    xd[j] = j == 0 ? 1.0 : 0x1p-53;
    xf[j] = (float)xd[j];
  }
  for (size_t p = 0; p < 3; p++) {
    if (p > 0 && !tpc_cpu_supports((tpc_isa)p)) continue;
    double got = sign_scale_on(*dt, *dt == TPC_F32 ? (void *)xf : (void *)xd, 17, isas[p]);
    cr_assert(eq(dbl, got, (1 + 7 * 0x1p-52) / 17), "%s by hand %s", dname(*dt), isas[p]);
  }
}

/* The sign bits and out follow the definition on every path, the portable
** one included (the every-path test compares it only with the vector paths
** a CPU has): bit i of word i/64 set exactly where x_i < 0 (-0 and +0 not),
** the rest of the last word clear, out_i = -scale there and +scale
** elsewhere, scale the part's scale rounded to the element type; at a d
** across the portable scan's chunks with a partial last word. */
DTYPES(comp, sign_bits_and_out_follow_the_signs)
ParameterizedTest(tpc_dtype *dt, comp, sign_bits_and_out_follow_the_signs) {
  static const char *const isas[] = {"scalar", "avx2", "avx512"};
  enum { D = 3 * 1024 + 45 };
  size_t es = *dt == TPC_F32 ? sizeof(float) : sizeof(double);
  void *x = malloc(D * es), *out = malloc(D * es);
  cr_assert(x && out);
  path_input(*dt, x, D);
  for (size_t p = 0; p < 3; p++) {
    if (p > 0 && !tpc_cpu_supports((tpc_isa)p)) continue;
    tpc_comp *c = build_isa("sign", D, isas[p]);
    tpc_msg m;
    tpc_msg_reset(&m);
    if (*dt == TPC_F32) tpc_comp_compress_f32(c, x, out, &m, &ctx);
    else tpc_comp_compress_f64(c, x, out, &m, &ctx);
    const uint64_t *bits = m.part[0].bits;
    for (size_t i = 0; i < (D + 63) / 64 * 64; i++) {
      double xi = i >= D ? 0 : *dt == TPC_F32 ? ((float *)x)[i] : ((double *)x)[i];
      int neg = xi < 0, bit = (int)(bits[i / 64] >> (i % 64) & 1);
      cr_assert(eq(int, bit, neg), "%s %s bit %zu", dname(*dt), isas[p], i);
      if (i >= D) continue;
      double o = *dt == TPC_F32 ? ((float *)out)[i] : ((double *)out)[i];
      double s = *dt == TPC_F32 ? (double)(float)m.part[0].scale : m.part[0].scale;
      cr_assert(o == (neg ? -s : s) && !!signbit(o) == neg, "%s %s out %zu", dname(*dt),
                isas[p], i);
    }
    tpc_comp_free(c);
  }
  free(x);
  free(out);
}

/* randk's 16 draws at once: where every low product half is at least m the
** draws are the high halves, (u m) >> 32, as Lemire's scalar rule gives;
** one low half below its m (lane 9 with u = 0: low 0) refuses the whole
** group and leaves out as it was. */
Test(comp, randk_draw16_accepts_only_sure_groups) {
  if (!tpc_cpu_supports(TPC_ISA_AVX512)) cr_skip_test("no AVX-512 on this machine");
  uint32_t u[16], out[16], m0 = 1000003;
  for (int l = 0; l < 16; l++) u[l] = 0x9e3779b9u * (uint32_t)(l + 1);
  cr_assert(eq(int, tpc_randk_draw16_avx512(u, m0, out), 1));
  for (int l = 0; l < 16; l++) {
    uint64_t p = (uint64_t)u[l] * (m0 + (uint32_t)l);
    cr_assert(ge(u32, (uint32_t)p, m0 + (uint32_t)l), "lane %d is a sure accept", l);
    cr_assert(eq(u32, out[l], (uint32_t)(p >> 32)), "lane %d", l);
  }
  uint32_t keep[16];
  for (int l = 0; l < 16; l++) keep[l] = out[l] = 7;
  u[9] = 0;
  cr_assert(eq(int, tpc_randk_draw16_avx512(u, m0, out), 0));
  cr_assert(eq(int, memcmp(out, keep, sizeof out), 0));
}

/* ---- instruction set paths at awkward inputs ---------------------------- */

/* Inputs beyond path_input's mixture that every path must treat alike,
** each a whole vector of one kind: all equal (every TopK and tie-break
** comparison an equality), equal magnitudes with random signs, zeros of
** both signs only, subnormals only, magnitudes within a factor 4/3 of the
** type's largest (norms overflow: dither sends dense, sign rescales its
** sum), and a mixture of those specials with Gaussians.  Finite only, as
** comp/comp.h requires of x. */
enum { AWK_EQUAL, AWK_EQUAL_MAGNITUDE, AWK_ZEROS, AWK_SUBNORMAL, AWK_HUGE, AWK_SPECIALS,
       AWK_KINDS };
static const char *const awk_names[AWK_KINDS] = {"equal",     "equal magnitude", "zeros",
                                                 "subnormal", "huge",            "specials"};

/* Coordinate i of an input of that kind (data's draws). */
static double awk_value(tpc_dtype dt, int kind, size_t i) {
  double top = dt == TPC_F32 ? FLT_MAX : DBL_MAX, tiny = dt == TPC_F32 ? 0x1p-149 : 0x1p-1074;
  double sign = gsl_rng_uniform(data) < 0.5 ? -1.0 : 1.0;
  static const double specials[] = {0.0, -0.0, 2.0, -2.0};
  unsigned long j;
  switch (kind) {
  case AWK_EQUAL: return 1.5;
  case AWK_EQUAL_MAGNITUDE: return 3.0 * sign;
  case AWK_ZEROS: return i % 3 ? 0.0 : -0.0;
  case AWK_SUBNORMAL: return sign * tiny * (double)(1 + gsl_rng_uniform_int(data, 1000));
  case AWK_HUGE: return sign * top * (1.0 - 0.25 * gsl_rng_uniform(data));
  default:
    j = gsl_rng_uniform_int(data, 8);
    return j < 4 ? specials[j] : j < 6 ? sign * tiny : gsl_ran_gaussian(data, 1.0);
  }
}

static void awk_input(tpc_dtype dt, int kind, void *x, size_t d) {
  for (size_t i = 0; i < d; i++) {
    double v = awk_value(dt, kind, i);
    if (dt == TPC_F32) ((float *)x)[i] = (float)v;
    else ((double *)x)[i] = v;
  }
}

/* spec on x (d elements, at whatever offset the caller gives it) on the
** scalar path and on isa, the output `off` elements past a 64-byte
** boundary: two calls on one instance without resetting the streams (the
** state a kernel keeps between calls), then the same bits in out and in
** the 64 bytes after it (nothing written past the end), in every message
** part, and the same next word of both streams (the same words consumed). */
static void assert_isa_twice(tpc_dtype dt, const char *spec, const void *x, size_t d,
                             size_t off, const char *isa, const char *how) {
  size_t es = dt == TPC_F32 ? sizeof(float) : sizeof(double);
  size_t bytes = ((off + d) * es + 64 + 63) / 64 * 64;
  char *buf[2] = {aligned_alloc(64, bytes), aligned_alloc(64, bytes)};
  cr_assert(buf[0] && buf[1]);
  tpc_comp *c[2] = {build_isa(spec, d, "scalar"), build_isa(spec, d, isa)};
  tpc_msg m[2];
  unsigned long next[2][2];
  for (int k = 0; k < 2; k++) {
    memset(buf[k], 0x5a, bytes);
    streams(7);
    void *out = buf[k] + off * es;
    for (int call = 0; call < 2; call++) {
      tpc_msg_reset(&m[k]);
      if (dt == TPC_F32) tpc_comp_compress_f32(c[k], x, out, &m[k], &ctx);
      else tpc_comp_compress_f64(c[k], x, out, &m[k], &ctx);
    }
    next[k][0] = gsl_rng_get(rng);
    next[k][1] = gsl_rng_get(shared);
  }
  char what[192];
  snprintf(what, sizeof what, "%s %s d = %zu %s, out +%zu, %s", spec, dname(dt), d, how, off, isa);
  cr_assert(eq(ulong, next[0][0], next[1][0]), "%s: private stream consumed", what);
  cr_assert(eq(ulong, next[0][1], next[1][1]), "%s: shared stream consumed", what);
  cr_assert(eq(int, memcmp(buf[0], buf[1], bytes), 0), "%s: out", what);
  cr_assert(eq(sz, m[0].nparts, m[1].nparts), "%s", what);
  for (size_t p = 0; p < m[0].nparts; p++) assert_same_part(&m[0].part[p], &m[1].part[p], es, what);
  tpc_comp_free(c[0]);
  tpc_comp_free(c[1]);
  free(buf[0]);
  free(buf[1]);
}

/* Every spec of the path tests, and the selections at k = 1, d - 1 and d
** (one kept, one dropped, none dropped: the ends of Floyd's draws and of
** TopK's bounds), on x under every vector path the CPU has. */
static void assert_awkward_paths(tpc_dtype dt, const void *x, size_t d, size_t off,
                                 const char *how) {
  static const char *const fixed[] = {"natural", "dither(s=1)", "dither(s=4)",
                                      "dither(s=2147483647)", "sign",
                                      "compose(urandk(k=1),natural)"};
  static const char *const selections[] = {"randk", "urandk", "topk"};
  static const char *const isas[] = {"avx2", "avx512"};
  char spec[64];
  for (size_t p = 0; p < 2; p++) {
    if (!tpc_cpu_supports((tpc_isa)(p + 1))) continue;
    for (size_t s = 0; s < sizeof fixed / sizeof *fixed; s++)
      assert_isa_twice(dt, fixed[s], x, d, off, isas[p], how);
    size_t ks[3] = {1, d > 1 ? d - 1 : 1, d};
    for (size_t s = 0; s < 3; s++)
      for (size_t k = 0; k < 3; k++) {
        snprintf(spec, sizeof spec, "%s(k=%zu)", selections[s], ks[k]);
        assert_isa_twice(dt, spec, x, d, off, isas[p], how);
      }
  }
}

/* The paths agree where the tests above do not look: every d from 1 to 70
** (each head and tail length of 4-, 8- and 16-wide vectors, several
** times), d next to the switches (vector widths squared, TopK's 512 and
** 2^14), on every awkward input, with the input at 0 to 3 elements past
** an allocation's start (loads at every offset) and the output at another
** offset; and on both sides of the 4 MiB switch to streaming stores (d =
** 2^20 floats or 2^19 doubles, and one more). */
DTYPES(comp, every_isa_path_matches_portable_at_awkward_inputs)
ParameterizedTest(tpc_dtype *dt, comp, every_isa_path_matches_portable_at_awkward_inputs) {
  static const size_t near_switch[] = {127, 129, 255, 257, 511, 512, 513, 16383, 16384, 16385};
  size_t es = *dt == TPC_F32 ? sizeof(float) : sizeof(double);
  size_t stream_at = ((size_t)4 << 20) / es;
  size_t dims[70 + sizeof near_switch / sizeof *near_switch], nd = 0;
  for (size_t d = 1; d <= 70; d++) dims[nd++] = d;
  for (size_t i = 0; i < sizeof near_switch / sizeof *near_switch; i++) dims[nd++] = near_switch[i];
  void *x = malloc((16385 + 3) * es);
  cr_assert(x != NULL);
  for (size_t di = 0; di < nd; di++)
    for (int kind = 0; kind < AWK_KINDS; kind++) {
      size_t d = dims[di], xoff = (di + (size_t)kind) % 4;
      awk_input(*dt, kind, x, d + xoff);
      const char *at = (const char *)x + xoff * es;
      assert_awkward_paths(*dt, at, d, (3 * xoff + 1) % 8, awk_names[kind]);
    }
  free(x);
  x = malloc((stream_at + 1) * es);
  cr_assert(x != NULL);
  for (size_t d = stream_at; d <= stream_at + 1; d++) {
    awk_input(*dt, AWK_EQUAL_MAGNITUDE, x, d);
    assert_awkward_paths(*dt, x, d, d - stream_at, "equal magnitude");
  }
  free(x);
}

/* Pages: inaccessible, room for `room` bytes, inaccessible, room,
** inaccessible.  A kernel that reads before x or past x[d - 1], or writes
** outside out[0..d), crashes the test when x and out are placed against
** those pages (masked lanes are not accessed, so a masked tail is fine). */
typedef struct fenced {
  unsigned char *map, *lo, *hi; /* the two rooms */
  size_t span, room;
} fenced;

static fenced fenced_alloc(size_t room) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  fenced f = {NULL, NULL, NULL, 0, (room + page - 1) / page * page};
  f.span = 2 * f.room + 3 * page;
  f.map = mmap(NULL, f.span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  cr_assert(f.map != MAP_FAILED);
  f.lo = f.map + page;
  f.hi = f.lo + f.room + page;
  cr_assert(eq(int, mprotect(f.map, page, PROT_NONE), 0));
  cr_assert(eq(int, mprotect(f.lo + f.room, page, PROT_NONE), 0));
  cr_assert(eq(int, mprotect(f.hi + f.room, page, PROT_NONE), 0));
  return f;
}

/* natural, dither, sign, randk and topk (k near d/2 and d/3: long lists
** and bands) on every path, with x and out each against the page before
** it or the page after it (four placements). */
static void assert_fenced(fenced *f, tpc_dtype dt, size_t d) {
  static const char *const isas[] = {"scalar", "avx2", "avx512"};
  size_t es = dt == TPC_F32 ? sizeof(float) : sizeof(double);
  char specs[5][48];
  snprintf(specs[0], sizeof specs[0], "natural");
  snprintf(specs[1], sizeof specs[1], "dither(s=4)");
  snprintf(specs[2], sizeof specs[2], "sign");
  snprintf(specs[3], sizeof specs[3], "randk(k=%zu)", d / 2 + 1);
  snprintf(specs[4], sizeof specs[4], "topk(k=%zu)", d / 3 + 1);
  for (int place = 0; place < 4; place++) {
    void *x = place & 1 ? (void *)f->lo : (void *)(f->lo + f->room - d * es);
    void *out = place & 2 ? (void *)f->hi : (void *)(f->hi + f->room - d * es);
    path_input_quantizable(dt, x, d);
    for (size_t s = 0; s < 5; s++)
      for (size_t p = 0; p < 3; p++) {
        tpc_comp *c = build_isa(specs[s], d, isas[p]);
        tpc_msg m;
        tpc_msg_reset(&m);
        streams(3);
        if (dt == TPC_F32) tpc_comp_compress_f32(c, x, out, &m, &ctx);
        else tpc_comp_compress_f64(c, x, out, &m, &ctx);
        tpc_comp_free(c);
      }
  }
}

/* The vector paths touch only x[0..d) and out[0..d): every d up to 130
** (each head and tail of the 4-, 8- and 16-wide vectors) and next to the
** 4 MiB switch to streaming stores, whose heads and tails are masked. */
DTYPES(comp, isa_paths_touch_only_their_arrays)
ParameterizedTest(tpc_dtype *dt, comp, isa_paths_touch_only_their_arrays) {
  size_t es = *dt == TPC_F32 ? sizeof(float) : sizeof(double);
  size_t stream_at = ((size_t)4 << 20) / es;
  fenced f = fenced_alloc((stream_at + 7) * es);
  for (size_t d = 1; d <= 130; d++) assert_fenced(&f, *dt, d);
  for (size_t d = stream_at; d <= stream_at + 7; d += 7) assert_fenced(&f, *dt, d);
  munmap(f.map, f.span);
}
