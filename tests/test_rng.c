/*
** Tests of src/rng/pcg.c: the PCG generator types against the reference
** implementation's published outputs (imneme/pcg-c test-high/expected), their
** behaviour as GSL types (range, clone, independence, distributions), the
** derived streams of tpc_rng_stream, and the type table.
*/
#include "core/cpu.h"
#include "core/error.h"
#include "rng/pcg.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

/* ---- known answers -------------------------------------------------------- */

/* The reference check programs (test-high/check-base.c) print, per round, 6
** raw outputs, re-draw them after advancing back 6 (no net change of state),
** then draw 65 coins, 33 dice and a 52-card shuffle with the reference's
** rejection-bounded draw.  Replaying that consumption lets us check the raw
** outputs of rounds 2..5, deep into the sequence. */
static uint64_t ref_bounded(gsl_rng *r, uint64_t bound, int bits32) {
  uint64_t threshold = bits32 ? (uint64_t)((uint32_t)(0u - (uint32_t)bound) %
                                           (uint32_t)bound)
                              : (0u - bound) % bound;
  for (;;) {
    uint64_t x = gsl_rng_get(r);
    if (x >= threshold) return x % bound;
  }
}

static void ref_skip_games(gsl_rng *r, int bits32) {
  for (int i = 0; i < 65; i++) (void)ref_bounded(r, 2, bits32);
  for (int i = 0; i < 33; i++) (void)ref_bounded(r, 6, bits32);
  for (uint64_t i = 52; i > 1; i--) (void)ref_bounded(r, i, bits32);
}

static void check_rounds(gsl_rng *r, const uint64_t (*want)[6], int rounds,
                         int bits32) {
  for (int k = 0; k < rounds; k++) {
    for (int i = 0; i < 6; i++) {
      uint64_t got = gsl_rng_get(r);
      cr_assert(eq(u64, got, want[k][i]), "round %d value %d", k + 1, i);
    }
    ref_skip_games(r, bits32);
  }
}

/* expected/check-pcg32.out: pcg32_srandom_r(&rng, 42u, 54u). */
Test(rng, pcg32_reference_seed_42_54) {
  static const uint64_t want[5][6] = {
      {0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e},
      {0x74ab93ad, 0x1c1da000, 0x494ff896, 0x34462f2f, 0xd308a3e5, 0x0fa83bab},
      {0x39af5f9f, 0x04196b18, 0xc3c3eb28, 0xc076c60c, 0xc693e135, 0xf8f63932},
      {0x55ce6851, 0x97a7726d, 0x17e10815, 0x58007d43, 0x962fb148, 0xb9bb55bd},
      {0xfcef7cd6, 0x1b488b5a, 0xd0daf7ea, 0x1d9a70f7, 0x241a37cf, 0x9a3857b7}};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_pcg32);
  cr_assert(ne(ptr, r, NULL));
  /* the high words are ignored by pcg32: pass garbage to prove it */
  cr_assert(eq(int, tpc_rng_seed_stream(r, 0xdeadbeef, 42, 0xfeed, 54), TPC_OK));
  check_rounds(r, want, 5, 1);
  gsl_rng_free(r);
}

/* expected/check-pcg64.out: pcg64_srandom_r(&rng, 42, 54) (128-bit). */
Test(rng, pcg64_reference_seed_42_54) {
  static const uint64_t want[5][6] = {
      {0x86b1da1d72062b68, 0x1304aa46c9853d39, 0xa3670e9e0dd50358,
       0xf9090e529a7dae00, 0xc85b9fd837996f2c, 0x606121f8e3919196},
      {0x1773ba241e7a792a, 0xe41aed7117b0bc10, 0x36bac8d9432af525,
       0xe0c78e2f3c850a38, 0xe3ad939c1c7ce70d, 0xa302fdced8c79e93},
      {0xc96006593aed3b62, 0xf04d5afa3f197bf1, 0xce6f729cc913a50f,
       0x98b5fc4fbb1e4aea, 0x802dce1b410fc8c3, 0xe3bac0a14f6e5033},
      {0x68da679de81de48a, 0x7ee3c031fa0aa440, 0x6eb1663983530403,
       0xfec4d7a9a7aec823, 0xbce221c255ee9467, 0x460a42a962b8a2f9},
      {0x9e0d084cff42fe2f, 0x63cd8347aae338ea, 0x112aae00540d3fa1,
       0x53968bc829afd6ec, 0x1b9900eb6c5b6d90, 0xe89ed17ea33cb420}};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_pcg64);
  cr_assert(ne(ptr, r, NULL));
  cr_assert(eq(int, tpc_rng_seed_stream(r, 0, 42, 0, 54), TPC_OK));
  check_rounds(r, want, 5, 0);
  gsl_rng_free(r);
}

/* gsl_rng_set(r, s) is the reference's srandom_r(s, s): the seed selects the
** stream too, so two seeds never walk the same cycle; srandom_r itself is
** pinned by the known answers. */
Test(rng, gsl_set_selects_the_stream_from_the_seed) {
  const gsl_rng_type *types[] = {gsl_rng_pcg32, gsl_rng_pcg64};
  for (size_t t = 0; t < 2; t++) {
    gsl_rng *a = gsl_rng_alloc(types[t]), *b = gsl_rng_alloc(types[t]);
    cr_assert(ne(ptr, a, NULL));
    cr_assert(ne(ptr, b, NULL));
    gsl_rng_set(a, 42);
    cr_assert(eq(int, tpc_rng_seed_stream(b, 0, 42, 0, 42), TPC_OK));
    for (int i = 0; i < 6; i++) cr_assert(eq(ulong, gsl_rng_get(a), gsl_rng_get(b)));
    gsl_rng_set(a, 43);
    cr_assert(eq(int, tpc_rng_seed_stream(b, 0, 43, 0, 43), TPC_OK));
    for (int i = 0; i < 6; i++) cr_assert(eq(ulong, gsl_rng_get(a), gsl_rng_get(b)));
    gsl_rng_free(a);
    gsl_rng_free(b);
  }
}

Test(rng, type_constants) {
  cr_assert(eq(str, (char *)gsl_rng_pcg32->name, "pcg32"));
  cr_assert(eq(str, (char *)gsl_rng_pcg64->name, "pcg64"));
  cr_assert(eq(ulong, gsl_rng_pcg32->min, 0));
  cr_assert(eq(ulong, gsl_rng_pcg32->max, 0xffffffffUL));
  cr_assert(eq(ulong, gsl_rng_pcg64->min, 0));
  cr_assert(eq(ulong, gsl_rng_pcg64->max, 0xffffffffffffffffUL));
}

/* ---- GSL type behaviour --------------------------------------------------- */

/* get_double is exactly x * 2^-32 (pcg32) and (x >> 11) * 2^-53 (pcg64) of the
** raw output x: compared through a clone, which continues identically.  Both
** formulas are < 1 for the largest x, so they never return 1. */
Test(rng, get_double_formula) {
  gsl_rng *a = tpc_rng_alloc_stream(1, TPC_PURPOSE_TEST, 0);
  cr_assert(ne(ptr, a, NULL));
  gsl_rng *b32 = gsl_rng_alloc(gsl_rng_pcg32);
  cr_assert(ne(ptr, b32, NULL));
  cr_assert(eq(int, tpc_rng_stream(b32, 1, TPC_PURPOSE_TEST, 0), TPC_OK));
  gsl_rng *ca = gsl_rng_clone(a);
  gsl_rng *cb = gsl_rng_clone(b32);
  cr_assert(ne(ptr, ca, NULL));
  cr_assert(ne(ptr, cb, NULL));
  for (int i = 0; i < 1000; i++) {
    uint64_t x = gsl_rng_get(a);
    cr_assert(eq(dbl, gsl_rng_uniform(ca), (double)(x >> 11) * 0x1p-53));
    uint64_t y = gsl_rng_get(b32);
    cr_assert(eq(dbl, gsl_rng_uniform(cb), (double)y * 0x1p-32));
  }
  gsl_rng_free(a);
  gsl_rng_free(b32);
  gsl_rng_free(ca);
  gsl_rng_free(cb);
}

static void check_unit_range(const gsl_rng_type *t) {
  gsl_rng *r = gsl_rng_alloc(t);
  cr_assert(ne(ptr, r, NULL));
  cr_assert(eq(int, tpc_rng_stream(r, 2, TPC_PURPOSE_TEST, 0), TPC_OK));
  double lo = 1.0, hi = 0.0;
  for (int i = 0; i < 1000000; i++) {
    double u = gsl_rng_uniform(r);
    cr_assert(ge(dbl, u, 0.0));
    cr_assert(lt(dbl, u, 1.0));
    lo = u < lo ? u : lo;
    hi = u > hi ? u : hi;
  }
  /* 10^6 uniforms: P(min > 1e-4) = (1 - 1e-4)^1e6 ~ e^-100, so a generator
  ** stuck in part of [0,1) fails these. */
  cr_assert(lt(dbl, lo, 1e-4));
  cr_assert(lt(dbl, 1.0 - 1e-4, hi));
  gsl_rng_free(r);
}

Test(rng, uniform_in_unit_interval) {
  check_unit_range(gsl_rng_pcg32);
  check_unit_range(gsl_rng_pcg64);
}

/* A clone continues the same sequence and stays valid when the original is
** freed: the state holds no pointers.  gsl_rng_memcpy does the same. */
static void check_clone(const gsl_rng_type *t) {
  gsl_rng *r = gsl_rng_alloc(t);
  cr_assert(ne(ptr, r, NULL));
  gsl_rng_set(r, 7);
  for (int i = 0; i < 37; i++) (void)gsl_rng_get(r);
  gsl_rng *c = gsl_rng_clone(r);
  gsl_rng *m = gsl_rng_alloc(t);
  cr_assert(ne(ptr, c, NULL));
  cr_assert(ne(ptr, m, NULL));
  cr_assert(eq(int, gsl_rng_memcpy(m, r), GSL_SUCCESS));
  unsigned long want[1000];
  for (int i = 0; i < 1000; i++) want[i] = gsl_rng_get(r);
  gsl_rng_free(r);
  for (int i = 0; i < 1000; i++) {
    cr_assert(eq(ulong, gsl_rng_get(c), want[i]));
    cr_assert(eq(ulong, gsl_rng_get(m), want[i]));
  }
  gsl_rng_free(c);
  gsl_rng_free(m);
}

Test(rng, clone_continues_sequence) {
  check_clone(gsl_rng_pcg32);
  check_clone(gsl_rng_pcg64);
}

/* Two instances do not share state: seeding or drawing from one leaves the
** other's sequence unchanged (rurban/gsl's pcg seeded a file-level static). */
static void check_independent(const gsl_rng_type *t) {
  gsl_rng *a = gsl_rng_alloc(t);
  gsl_rng *b = gsl_rng_alloc(t);
  gsl_rng *ref = gsl_rng_alloc(t);
  cr_assert(ne(ptr, a, NULL));
  cr_assert(ne(ptr, b, NULL));
  cr_assert(ne(ptr, ref, NULL));
  gsl_rng_set(a, 11);
  gsl_rng_set(ref, 11);
  gsl_rng_set(b, 12);
  for (int i = 0; i < 100; i++) (void)gsl_rng_get(b);
  int same = 0;
  for (int i = 0; i < 100; i++) {
    unsigned long x = gsl_rng_get(a);
    cr_assert(eq(ulong, x, gsl_rng_get(ref)));
    same += x == gsl_rng_get(b);
  }
  /* b (another seed) matches a at most by chance: expected 100 / 2^32 */
  cr_assert(le(int, same, 1));
  gsl_rng_free(a);
  gsl_rng_free(b);
  gsl_rng_free(ref);
}

Test(rng, instances_independent) {
  check_independent(gsl_rng_pcg32);
  check_independent(gsl_rng_pcg64);
}

/* Chi-square test of gsl_rng_uniform over 64 equal bins, 10^6 draws (expected
** 15625 per bin, so the chi-square approximation is excellent).  The seed is
** fixed, so the outcome is deterministic; the bounds 1e-6 < p < 1 - 1e-6 are
** two-sided at a level where a correct generator fails for only one seed in
** 5*10^5, while a biased generator (a lost bit, a wrong scale) gives a
** statistic in the thousands (p ~ 0) and a too-regular one (a counter)
** gives p ~ 1. */
static void check_chisq(const gsl_rng_type *t) {
  enum { BINS = 64, N = 1000000 };
  gsl_rng *r = gsl_rng_alloc(t);
  cr_assert(ne(ptr, r, NULL));
  cr_assert(eq(int, tpc_rng_stream(r, 3, TPC_PURPOSE_TEST, 0), TPC_OK));
  unsigned long count[BINS] = {0};
  for (int i = 0; i < N; i++) count[(int)(gsl_rng_uniform(r) * BINS)]++;
  double e = (double)N / BINS, stat = 0.0;
  for (int k = 0; k < BINS; k++)
    stat += ((double)count[k] - e) * ((double)count[k] - e) / e;
  double p = gsl_cdf_chisq_Q(stat, BINS - 1);
  cr_assert(lt(dbl, 1e-6, p), "%s: chi2 = %g, p = %g", t->name, stat, p);
  cr_assert(lt(dbl, p, 1.0 - 1e-6), "%s: chi2 = %g, p = %g", t->name, stat, p);
  gsl_rng_free(r);
}

Test(rng, chisq_uniformity) {
  check_chisq(gsl_rng_pcg32);
  check_chisq(gsl_rng_pcg64);
}

/* GSL's distributions draw from the PCG types.  N(0,1) sample mean has sd
** 1/sqrt(n), sample variance sd sqrt(2/n); Exp(mean 2) sample mean sd 2/sqrt(n).
** Bounds at 6 sd: two-sided, false failure probability ~2e-9 each. */
static void check_distributions(const gsl_rng_type *t) {
  enum { N = 200000 };
  gsl_rng *r = gsl_rng_alloc(t);
  cr_assert(ne(ptr, r, NULL));
  cr_assert(eq(int, tpc_rng_stream(r, 4, TPC_PURPOSE_TEST, 0), TPC_OK));
  double s = 0.0, s2 = 0.0, se = 0.0;
  for (int i = 0; i < N; i++) {
    double g = gsl_ran_gaussian(r, 1.0);
    s += g;
    s2 += g * g;
    se += gsl_ran_exponential(r, 2.0);
    cr_assert(lt(ulong, gsl_rng_uniform_int(r, 10), 10));
  }
  double mean = s / N, var = s2 / N - mean * mean, n = (double)N;
  cr_assert(epsilon_eq(dbl, mean, 0.0, 6.0 / sqrt(n)), "%s", t->name);
  cr_assert(epsilon_eq(dbl, var, 1.0, 6.0 * sqrt(2.0 / n)), "%s", t->name);
  cr_assert(epsilon_eq(dbl, se / N, 2.0, 6.0 * 2.0 / sqrt(n)), "%s", t->name);
  gsl_rng_free(r);
}

Test(rng, gsl_distributions_work) {
  check_distributions(gsl_rng_pcg32);
  check_distributions(gsl_rng_pcg64);
}

/* ---- derived streams ------------------------------------------------------ */

static void first_outputs(gsl_rng *r, unsigned long *out, int n) {
  for (int i = 0; i < n; i++) out[i] = gsl_rng_get(r);
}

/* The same triple gives the same sequence, whatever the generator did before. */
static void check_stream_deterministic(const gsl_rng_type *t) {
  gsl_rng *a = gsl_rng_alloc(t);
  gsl_rng *b = gsl_rng_alloc(t);
  cr_assert(ne(ptr, a, NULL));
  cr_assert(ne(ptr, b, NULL));
  gsl_rng_set(b, 99);
  for (int i = 0; i < 10; i++) (void)gsl_rng_get(b);
  cr_assert(eq(int, tpc_rng_stream(a, 5, TPC_PURPOSE_CLIENT, 17), TPC_OK));
  cr_assert(eq(int, tpc_rng_stream(b, 5, TPC_PURPOSE_CLIENT, 17), TPC_OK));
  for (int i = 0; i < 100; i++)
    cr_assert(eq(ulong, gsl_rng_get(a), gsl_rng_get(b)));
  gsl_rng_free(a);
  gsl_rng_free(b);
}

Test(rng, stream_deterministic) {
  check_stream_deterministic(gsl_rng_pcg32);
  check_stream_deterministic(gsl_rng_pcg64);
}

/* Neighbouring triples (each component +-1) give different sequences: over
** 8 outputs a chance agreement has probability 2^-256 (pcg32) or less. */
static void check_stream_neighbours(const gsl_rng_type *t) {
  static const int64_t delta[7][3] = {{0, 0, 0},  {1, 0, 0},  {-1, 0, 0},
                                      {0, 1, 0},  {0, -1, 0}, {0, 0, 1},
                                      {0, 0, -1}};
  unsigned long out[7][8];
  gsl_rng *r = gsl_rng_alloc(t);
  cr_assert(ne(ptr, r, NULL));
  for (int k = 0; k < 7; k++) {
    uint64_t seed = (uint64_t)(1000 + delta[k][0]);
    uint32_t purpose = (uint32_t)(TPC_PURPOSE_TRIAL + delta[k][1]);
    uint64_t index = (uint64_t)(500 + delta[k][2]);
    cr_assert(eq(int, tpc_rng_stream(r, seed, purpose, index), TPC_OK));
    first_outputs(r, out[k], 8);
  }
  for (int k = 0; k < 7; k++)
    for (int j = k + 1; j < 7; j++)
      cr_assert(ne(int, memcmp(out[k], out[j], sizeof out[k]), 0),
                "%s: triples %d and %d", t->name, k, j);
  gsl_rng_free(r);
}

Test(rng, stream_neighbours_differ) {
  check_stream_neighbours(gsl_rng_pcg32);
  check_stream_neighbours(gsl_rng_pcg64);
}

/* Over a grid of 3 seeds x 7 purposes x 128 indices (2688 streams) the first
** pcg64 outputs are pairwise distinct: a chance collision among n = 2688
** uniform 64-bit words has probability n^2 / 2^65 ~ 2e-13. */
Test(rng, stream_grid_distinct) {
  enum { NS = 3, NP = 7, NI = 128, N = NS * NP * NI };
  static unsigned long first[N];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_pcg64);
  cr_assert(ne(ptr, r, NULL));
  int n = 0;
  for (uint64_t s = 0; s < NS; s++)
    for (uint32_t p = 0; p < NP; p++)
      for (uint64_t i = 0; i < NI; i++) {
        cr_assert(eq(int, tpc_rng_stream(r, s, p, i), TPC_OK));
        first[n++] = gsl_rng_get(r);
      }
  for (int k = 0; k < N; k++)
    for (int j = k + 1; j < N; j++)
      cr_assert(ne(ulong, first[k], first[j]), "streams %d and %d", k, j);
  gsl_rng_free(r);
}

/* The derivation documented in pcg.c, recomputed here from its description:
** if code and comment disagree, this fails. */
static uint64_t doc_splitmix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Test(rng, stream_matches_documented_derivation) {
  static const uint64_t seeds[] = {0, 1, 42, 0xffffffffffffffffULL};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_pcg64);
  gsl_rng *q = gsl_rng_alloc(gsl_rng_pcg32);
  gsl_rng *ref = gsl_rng_alloc(gsl_rng_pcg64);
  gsl_rng *ref32 = gsl_rng_alloc(gsl_rng_pcg32);
  cr_assert(r && q && ref && ref32);
  for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
    uint64_t seed = seeds[k], index = seeds[k] * 3u + 1u;
    uint32_t purpose = (uint32_t)k + TPC_PURPOSE_SHARED;
    uint64_t a = doc_splitmix64(seed);
    uint64_t b = doc_splitmix64(a ^ purpose);
    uint64_t c = doc_splitmix64(b ^ index);
    uint64_t d = doc_splitmix64(c);
    cr_assert(eq(int, tpc_rng_stream(r, seed, purpose, index), TPC_OK));
    cr_assert(eq(int, tpc_rng_stream(q, seed, purpose, index), TPC_OK));
    cr_assert(eq(int, tpc_rng_seed_stream(ref, d, doc_splitmix64(d),
                                          (a << 32) | purpose, c), TPC_OK));
    cr_assert(eq(int, tpc_rng_seed_stream(ref32, 0, doc_splitmix64(d), 0, c),
                 TPC_OK));
    for (int i = 0; i < 16; i++) {
      cr_assert(eq(ulong, gsl_rng_get(r), gsl_rng_get(ref)));
      cr_assert(eq(ulong, gsl_rng_get(q), gsl_rng_get(ref32)));
    }
  }
  gsl_rng_free(r);
  gsl_rng_free(q);
  gsl_rng_free(ref);
  gsl_rng_free(ref32);
}

/* Pinned outputs of stream (42, TEST, 0): stored results were drawn from these
** streams, so any change to the derivation or the generators must fail here
** (these values are ours, not the reference's; the reference is pinned above). */
Test(rng, stream_pinned_values) {
  static const uint64_t want64[4] = {
      0xb29a8e551d198d5c, 0xc207f5cfdcd11d5c, 0x6ce41fc0abaf74c1,
      0x864e20b5c5a8e752};
  static const uint64_t want32[4] = {0x92e41107, 0x1b057d60, 0xe288e058,
                                     0x37de3c6c};
  gsl_rng *r = tpc_rng_alloc_stream(42, TPC_PURPOSE_TEST, 0);
  gsl_rng *q = gsl_rng_alloc(gsl_rng_pcg32);
  cr_assert(ne(ptr, r, NULL));
  cr_assert(ne(ptr, q, NULL));
  cr_assert(eq(int, tpc_rng_stream(q, 42, TPC_PURPOSE_TEST, 0), TPC_OK));
  for (int i = 0; i < 4; i++) {
    cr_assert(eq(u64, gsl_rng_get(r), want64[i]), "pcg64 value %d", i);
    cr_assert(eq(u64, gsl_rng_get(q), want32[i]), "pcg32 value %d", i);
  }
  gsl_rng_free(r);
  gsl_rng_free(q);
}

Test(rng, alloc_stream_is_pcg64_stream) {
  gsl_rng *r = tpc_rng_alloc_stream(8, TPC_PURPOSE_DATA, 3);
  gsl_rng *s = gsl_rng_alloc(gsl_rng_pcg64);
  cr_assert(ne(ptr, r, NULL));
  cr_assert(ne(ptr, s, NULL));
  cr_assert(eq(ptr, (void *)r->type, (void *)gsl_rng_pcg64));
  cr_assert(eq(int, tpc_rng_stream(s, 8, TPC_PURPOSE_DATA, 3), TPC_OK));
  for (int i = 0; i < 16; i++)
    cr_assert(eq(ulong, gsl_rng_get(r), gsl_rng_get(s)));
  gsl_rng_free(r);
  gsl_rng_free(s);
}

Test(rng, seeding_refuses_other_types) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  cr_assert(ne(ptr, r, NULL));
  tpc_error_clear();
  cr_assert(eq(int, tpc_rng_seed_stream(r, 0, 1, 0, 2), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "mt19937"), NULL));
  cr_assert(eq(int, tpc_rng_stream(r, 1, TPC_PURPOSE_TEST, 0), TPC_EINPUT));
  cr_assert(eq(int, tpc_rng_stream(NULL, 1, TPC_PURPOSE_TEST, 0), TPC_EINPUT));
  gsl_rng_free(r);
}

/* ---- batched draws --------------------------------------------------------- */

typedef void (*fill_fn)(gsl_rng *, uint64_t *, size_t);

/* A batched draw of n words equals n calls of gsl_rng_get from the same state,
** and leaves the generator where those calls leave it (the next single draws
** agree), for lengths around the AVX-512 kernel's blocks of 32 and its first
** 8 states, one after another so that each fill starts mid-stream. */
static void check_fill(fill_fn fill) {
  static const size_t len[] = {0, 1, 7, 8, 9, 31, 32, 33, 64, 100, 1000, 4099};
  static uint64_t got[4099];
  gsl_rng *a = tpc_rng_alloc_stream(99, TPC_PURPOSE_TEST, 7);
  gsl_rng *b = gsl_rng_clone(a);
  cr_assert(ne(ptr, a, NULL));
  cr_assert(ne(ptr, b, NULL));
  for (size_t l = 0; l < sizeof len / sizeof *len; l++) {
    fill(a, got, len[l]);
    for (size_t i = 0; i < len[l]; i++)
      cr_assert(eq(u64, got[i], (uint64_t)gsl_rng_get(b)), "n = %zu, word %zu", len[l], i);
    for (int i = 0; i < 3; i++) cr_assert(eq(ulong, gsl_rng_get(a), gsl_rng_get(b)));
  }
  gsl_rng_free(a);
  gsl_rng_free(b);
}

Test(rng, pcg64_fill_equals_single_draws) { check_fill(tpc_rng_pcg64_fill); }

Test(rng, pcg64_fill_avx512_equals_single_draws) {
  if (!tpc_cpu_supports(TPC_ISA_AVX512)) cr_skip_test("no AVX-512 on this machine");
  check_fill(tpc_rng_pcg64_fill_avx512);
}

/* Another generator type: each word is two gsl_rng_uniform draws' top 32
** bits, the first draw high (the documented fallback), on both entries. */
Test(rng, fill_other_type_uses_uniform_draws) {
  static const fill_fn fills[] = {tpc_rng_pcg64_fill, tpc_rng_pcg64_fill_avx512};
  for (int f = 0; f < (tpc_cpu_supports(TPC_ISA_AVX512) ? 2 : 1); f++) {
    gsl_rng *a = gsl_rng_alloc(gsl_rng_pcg32), *b = gsl_rng_alloc(gsl_rng_pcg32);
    cr_assert(ne(ptr, a, NULL));
    cr_assert(ne(ptr, b, NULL));
    uint64_t got[40];
    fills[f](a, got, 40);
    for (size_t i = 0; i < 40; i++) {
      uint64_t hi = (uint64_t)(gsl_rng_uniform(b) * 0x1p32);
      cr_assert(eq(u64, got[i], hi << 32 | (uint64_t)(gsl_rng_uniform(b) * 0x1p32)));
    }
    gsl_rng_free(a);
    gsl_rng_free(b);
  }
}

/* ---- the type table ------------------------------------------------------- */

Test(rng, types_table) {
  const gsl_rng_type **t = tpc_rng_types();
  cr_assert(eq(ptr, (void *)t[0], (void *)gsl_rng_pcg32));
  cr_assert(eq(ptr, (void *)t[1], (void *)gsl_rng_pcg64));
  size_t n = 0, ngsl = 0;
  while (t[n] != NULL) n++;
  for (const gsl_rng_type **g = gsl_rng_types_setup(); *g != NULL; g++) ngsl++;
  cr_assert(eq(sz, n, ngsl + 2));
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      cr_assert(ne(str, (char *)t[i]->name, (char *)t[j]->name));
  cr_assert(eq(ptr, (void *)tpc_rng_types(), (void *)t));
}

Test(rng, type_find) {
  cr_assert(eq(ptr, (void *)tpc_rng_type_find("pcg64"), (void *)gsl_rng_pcg64));
  cr_assert(eq(ptr, (void *)tpc_rng_type_find("pcg32"), (void *)gsl_rng_pcg32));
  cr_assert(eq(ptr, (void *)tpc_rng_type_find("mt19937"),
               (void *)gsl_rng_mt19937));
  cr_assert(eq(ptr, (void *)tpc_rng_type_find("taus2"), (void *)gsl_rng_taus2));
  tpc_error_clear();
  cr_assert(eq(ptr, (void *)tpc_rng_type_find("pcg128"), NULL));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "pcg128"), NULL));
  cr_assert(eq(ptr, (void *)tpc_rng_type_find(""), NULL));
  cr_assert(eq(ptr, (void *)tpc_rng_type_find(NULL), NULL));
}
