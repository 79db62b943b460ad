/*
** Eight xoshiro256++ lanes (lanes.h): seeding from a stream and the
** portable fill, written lane-parallel so that compilers may vectorize it.
*/
#include "rng/lanes.h"

#include "rng/pcg.h"

/* SplitMix64's output function (Steele, Lea and Flood 2014): a bijection
** of 64-bit words that turns nearby inputs into unrelated outputs. */
static uint64_t lanes_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Word j of lane l: the mix of key j plus (l + 1) times the golden ratio,
** SplitMix64's increment, so that every lane starts from a different
** point of each key's sequence. */
void tpc_rng_lanes_seed(tpc_rng_lanes *L, gsl_rng *r) {
  uint64_t key[4];
  tpc_rng_pcg64_fill(r, key, 4);
  for (int l = 0; l < TPC_LANES; l++) {
    uint64_t any = 0;
    for (int j = 0; j < 4; j++) {
      L->s[j][l] = lanes_mix(key[j] + (uint64_t)(l + 1) * 0x9e3779b97f4a7c15ULL);
      any |= L->s[j][l];
    }
    if (any == 0) L->s[0][l] = 1;
  }
}

static inline uint64_t rotl(uint64_t x, int k) { return x << k | x >> (64 - k); }

void tpc_rng_lanes_fill(tpc_rng_lanes *L, uint64_t *out, size_t blocks) {
  uint64_t s0[TPC_LANES], s1[TPC_LANES], s2[TPC_LANES], s3[TPC_LANES];
  for (int l = 0; l < TPC_LANES; l++) {
    s0[l] = L->s[0][l];
    s1[l] = L->s[1][l];
    s2[l] = L->s[2][l];
    s3[l] = L->s[3][l];
  }
  for (size_t b = 0; b < blocks; b++)
    for (int l = 0; l < TPC_LANES; l++) {
      uint64_t t = s1[l] << 17;
      out[TPC_LANES * b + (size_t)l] = rotl(s0[l] + s3[l], 23) + s0[l];
      s2[l] ^= s0[l];
      s3[l] ^= s1[l];
      s1[l] ^= s2[l];
      s0[l] ^= s3[l];
      s2[l] ^= t;
      s3[l] = rotl(s3[l], 45);
    }
  for (int l = 0; l < TPC_LANES; l++) {
    L->s[0][l] = s0[l];
    L->s[1][l] = s1[l];
    L->s[2][l] = s2[l];
    L->s[3][l] = s3[l];
  }
}
