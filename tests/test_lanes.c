/*
** Tests of src/rng/lanes.c: the xoshiro256++ lanes against the reference
** implementation's published outputs, the AVX2 and AVX-512 fills against
** the portable one, the seeding's use of the stream, and the balance of the words' bits.
*/
#include "core/cpu.h"
#include "rng/lanes.h"
#include "rng/pcg.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <string.h>

typedef void (*lanes_fill_fn)(tpc_rng_lanes *, uint64_t *, size_t);

static lanes_fill_fn fills[3];
static size_t nfills;

static void setup(void) {
  fills[0] = tpc_rng_lanes_fill;
  nfills = 1;
  if (tpc_cpu_supports(TPC_ISA_AVX2)) fills[nfills++] = tpc_rng_lanes_fill_avx2;
  if (tpc_cpu_supports(TPC_ISA_AVX512)) fills[nfills++] = tpc_rng_lanes_fill_avx512;
}

TestSuite(lanes, .init = setup);

/* xoshiro256plusplus.c from state {1, 2, 3, 4}: the first ten outputs, the
** vector every port checks against (rand_xoshiro's test).  Every lane is
** given that state, so each of the 8 words of block b is output b. */
Test(lanes, reference_outputs) {
  static const uint64_t expect[10] = {
      41943041ULL,           58720359ULL,           3588806011781223ULL,
      3591011842654386ULL,   9228616714210784205ULL, 9973669472204895162ULL,
      14011001112246962877ULL, 12406186145184390807ULL, 15849039046786891736ULL,
      10450023813501588000ULL};
  for (size_t f = 0; f < nfills; f++) {
    tpc_rng_lanes L;
    for (int j = 0; j < 4; j++)
      for (int l = 0; l < TPC_LANES; l++) L.s[j][l] = (uint64_t)j + 1;
    uint64_t got[80];
    fills[f](&L, got, 3); /* two calls: the state carries over */
    fills[f](&L, got + 24, 7);
    for (size_t i = 0; i < 80; i++)
      cr_assert(eq(u64, got[i], expect[i / TPC_LANES]), "fill %zu, word %zu", f, i);
  }
}

/* Seeded lanes: every fill the CPU has gives the portable fill's words,
** call after call, at block counts that are and are not multiples of the
** vector width; lane l's words differ from lane 0's, and seeding takes
** exactly four words of the stream (the next draw is the fifth word of a
** clone). */
Test(lanes, seed_and_fills_agree) {
  gsl_rng *r = tpc_rng_alloc_stream(5, TPC_PURPOSE_TEST, 1);
  cr_assert(ne(ptr, r, NULL));
  gsl_rng *c = gsl_rng_clone(r);
  tpc_rng_lanes L[3];
  tpc_rng_lanes_seed(&L[0], r);
  for (int i = 0; i < 4; i++) (void)gsl_rng_get(c);
  cr_assert(eq(ulong, gsl_rng_get(r), gsl_rng_get(c)));
  L[1] = L[2] = L[0];
  static uint64_t got[3][8 * 300];
  static const size_t blocks[] = {1, 32, 267};
  for (size_t b = 0; b < 3; b++)
    for (size_t f = 0; f < nfills; f++) {
      fills[f](&L[f], got[f], blocks[b]);
      cr_assert(eq(int, memcmp(got[0], got[f], 8 * blocks[b] * sizeof(uint64_t)), 0),
                "fill %zu, %zu blocks", f, blocks[b]);
    }
  for (int l = 1; l < TPC_LANES; l++) cr_assert(ne(u64, got[0][l], got[0][0]));
  gsl_rng_free(r);
  gsl_rng_free(c);
}

/* Two streams seed different lanes. */
Test(lanes, streams_differ) {
  gsl_rng *a = tpc_rng_alloc_stream(5, TPC_PURPOSE_TEST, 1);
  gsl_rng *b = tpc_rng_alloc_stream(5, TPC_PURPOSE_TEST, 2);
  cr_assert(a && b);
  tpc_rng_lanes La, Lb;
  tpc_rng_lanes_seed(&La, a);
  tpc_rng_lanes_seed(&Lb, b);
  cr_assert(ne(int, memcmp(&La, &Lb, sizeof La), 0));
  gsl_rng_free(a);
  gsl_rng_free(b);
}

/* Every bit position of the words is set in half of them: over N = 2^18
** words a count is Binomial(N, 1/2), and 6 standard deviations (sqrt(N)/2
** = 256) bound all 64 positions with probability 1 - 64 * 2e-9. */
Test(lanes, bits_balanced) {
  enum { N = 1 << 18 };
  static uint64_t w[N];
  gsl_rng *r = tpc_rng_alloc_stream(11, TPC_PURPOSE_TEST, 0);
  cr_assert(ne(ptr, r, NULL));
  tpc_rng_lanes L;
  tpc_rng_lanes_seed(&L, r);
  tpc_rng_lanes_fill(&L, w, N / TPC_LANES);
  for (int bit = 0; bit < 64; bit++) {
    long ones = 0;
    for (size_t i = 0; i < N; i++) ones += (long)(w[i] >> bit & 1);
    cr_assert(le(dbl, fabs((double)ones - N / 2.0), 6 * 256.0), "bit %d: %ld", bit, ones);
  }
  gsl_rng_free(r);
}
