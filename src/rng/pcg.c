/*
** PCG generators (O'Neill 2014) as GSL generator types, and tpc's derived
** streams (see pcg.h for the contract).
**
** pcg32 is the reference XSH-RR 64/32 "setseq" generator: 64-bit LCG state,
** a per-stream odd increment, output computed from the state before the step.
** pcg64 is the reference XSL-RR 128/64 "setseq" generator: 128-bit LCG state
** and increment, output computed from the state after the step (as
** pcg_setseq_128_xsl_rr_64_random_r in imneme/pcg-c does).  Seeding follows the
** reference srandom_r: state = 0; step; state += initstate; step.
**
** The states hold no pointers, so gsl_rng_clone and gsl_rng_memcpy (which copy
** bytes) give exact, independent copies.  The types need an unsigned long of
** 64 bits (LP64), checked at compile time: gsl_rng_get returns unsigned long.
*/
#include "rng/pcg.h"

#include "core/error.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

_Static_assert(ULONG_MAX >= UINT64_MAX, "pcg64 needs a 64-bit unsigned long");

__extension__ typedef unsigned __int128 pcg_u128;

#define PCG_U128(hi, lo) (((pcg_u128)(hi) << 64) | (pcg_u128)(lo))

/* Reference constants (imneme/pcg-c include/pcg_variants.h). */
#define PCG_MULT_64 6364136223846793005ULL
#define PCG_MULT_128 PCG_U128(2549297995355413924ULL, 4865540595714422341ULL)

typedef struct {
  uint64_t state;
  uint64_t inc;
} pcg32_state;

typedef struct {
  pcg_u128 state;
  pcg_u128 inc;
} pcg64_state;

/* ---- pcg32: XSH-RR 64/32 -------------------------------------------------- */

static uint32_t rotr32(uint32_t v, unsigned rot) {
  return (v >> rot) | (v << ((-rot) & 31u));
}

static uint32_t pcg32_next(pcg32_state *s) {
  uint64_t old = s->state;
  s->state = old * PCG_MULT_64 + s->inc;
  return rotr32((uint32_t)(((old >> 18) ^ old) >> 27), (unsigned)(old >> 59));
}

/* The reference srandom_r with the increment given directly (odd). */
static void pcg32_seed_inc(pcg32_state *s, uint64_t initstate, uint64_t inc) {
  s->state = 0;
  s->inc = inc;
  (void)pcg32_next(s);
  s->state += initstate;
  (void)pcg32_next(s);
}

/* gsl_rng_set: the seed picks the state and the stream, as the reference's
** pcg32_srandom_r(seed, seed), so two seeds never walk the same cycle. */
static void pcg32_set(void *vstate, unsigned long seed) {
  pcg32_seed_inc(vstate, (uint64_t)seed, ((uint64_t)seed << 1) | 1u);
}

static unsigned long pcg32_get(void *vstate) { return pcg32_next(vstate); }

/* x / 2^32: at most 1 - 2^-32, never 1. */
static double pcg32_get_double(void *vstate) {
  return (double)pcg32_next(vstate) * 0x1p-32;
}

static const gsl_rng_type pcg32_type = {"pcg32", 0xffffffffUL, 0,
                                        sizeof(pcg32_state), pcg32_set,
                                        pcg32_get, pcg32_get_double};

/* ---- pcg64: XSL-RR 128/64 ------------------------------------------------- */

static uint64_t rotr64(uint64_t v, unsigned rot) {
  return (v >> rot) | (v << ((-rot) & 63u));
}

static uint64_t pcg64_next(pcg64_state *s) {
  s->state = s->state * PCG_MULT_128 + s->inc;
  uint64_t hi = (uint64_t)(s->state >> 64);
  return rotr64(hi ^ (uint64_t)s->state, (unsigned)(hi >> 58));
}

static void pcg64_seed_inc(pcg64_state *s, pcg_u128 initstate, pcg_u128 inc) {
  s->state = 0;
  s->inc = inc;
  (void)pcg64_next(s);
  s->state += initstate;
  (void)pcg64_next(s);
}

/* gsl_rng_set: pcg64_srandom_r(seed, seed), as for pcg32. */
static void pcg64_set(void *vstate, unsigned long seed) {
  pcg64_seed_inc(vstate, (pcg_u128)seed, ((pcg_u128)seed << 1) | 1u);
}

static unsigned long pcg64_get(void *vstate) { return pcg64_next(vstate); }

/* The top 53 bits times 2^-53: at most 1 - 2^-53, never 1. */
static double pcg64_get_double(void *vstate) {
  return (double)(pcg64_next(vstate) >> 11) * 0x1p-53;
}

static const gsl_rng_type pcg64_type = {"pcg64", 0xffffffffffffffffUL, 0,
                                        sizeof(pcg64_state), pcg64_set,
                                        pcg64_get, pcg64_get_double};

const gsl_rng_type *gsl_rng_pcg32 = &pcg32_type;
const gsl_rng_type *gsl_rng_pcg64 = &pcg64_type;

/* ---- seeding and derived streams ------------------------------------------ */

int tpc_rng_seed_stream(gsl_rng *r, uint64_t initstate_hi, uint64_t initstate_lo,
                        uint64_t initseq_hi, uint64_t initseq_lo) {
  if (r == NULL) return tpc_error(TPC_EINPUT, "rng: NULL generator");
  if (r->type == &pcg32_type) {
    pcg32_seed_inc(r->state, initstate_lo, (initseq_lo << 1) | 1u);
    return TPC_OK;
  }
  if (r->type == &pcg64_type) {
    pcg_u128 seq = PCG_U128(initseq_hi, initseq_lo);
    pcg64_seed_inc(r->state, PCG_U128(initstate_hi, initstate_lo),
                   (seq << 1) | 1u);
    return TPC_OK;
  }
  return tpc_error(TPC_EINPUT, "rng: generator '%s' is not pcg32 or pcg64",
                   r->type->name);
}

/* splitmix64 (Steele, Lea, Flood 2014): add the golden-ratio constant, then
** its finalizer.  A bijection of 64-bit words with full avalanche. */
static uint64_t splitmix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* The stream of (seed, purpose, index).  Stored results depend on this exact
** derivation: changing it changes every derived random number.  With m the
** splitmix64 above:
**
**   a = m(seed)            run key
**   b = m(a ^ purpose)     (seed, purpose) key
**   c = m(b ^ index)       stream word: a bijection of index for fixed b
**   d = m(c)               state word
**
**   tpc_rng_seed_stream(r, initstate = (d, m(d)),
**                          initseq   = ((a << 32) | purpose, c))
**
** so pcg32, which reads only the low words, gets initstate m(d) and initseq c.
** For pcg64 the increment 2*initseq+1 keeps bits 0..62 of the high word and
** all of the low one, so within one seed distinct (purpose, index) pairs get
** distinct increments: never the same stream.  pcg32 has only 63 stream bits
** for 96 bits of (purpose, index), so two of n streams share an increment with
** probability about n^2 / 2^64. */
int tpc_rng_stream(gsl_rng *r, uint64_t seed, uint32_t purpose, uint64_t index) {
  uint64_t a = splitmix64(seed);
  uint64_t b = splitmix64(a ^ purpose);
  uint64_t c = splitmix64(b ^ index);
  uint64_t d = splitmix64(c);
  return tpc_rng_seed_stream(r, d, splitmix64(d), (a << 32) | purpose, c);
}

gsl_rng *tpc_rng_alloc_stream(uint64_t seed, uint32_t purpose, uint64_t index) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_pcg64);
  if (r == NULL) {
    tpc_error(TPC_ENOMEM, "rng: cannot allocate a pcg64 generator");
    return NULL;
  }
  if (tpc_rng_stream(r, seed, purpose, index) != TPC_OK) {
    gsl_rng_free(r);
    return NULL;
  }
  return r;
}

/* ---- batched draws -------------------------------------------------------- */

/* Two gsl_rng_uniform draws' top 32 bits each: any generator type. */
static void fill_generic(gsl_rng *r, uint64_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint64_t hi = (uint64_t)(gsl_rng_uniform(r) * 0x1p32);
    out[i] = hi << 32 | (uint64_t)(gsl_rng_uniform(r) * 0x1p32);
  }
}

void tpc_rng_pcg64_fill(gsl_rng *r, uint64_t *out, size_t n) {
  if (r->type != &pcg64_type) {
    fill_generic(r, out, n);
    return;
  }
  pcg64_state *s = r->state, t = *s;
  for (size_t i = 0; i < n; i++) out[i] = pcg64_next(&t);
  *s = t;
}

/* Jumps by K = 8 and 32 steps: s -> s M^K + inc G_K with G_K = 1 + M + ... +
** M^(K-1) (mod 2^128), constants computed by doubling (a jump by 2j is the
** jump by j done twice: G_2j = G_j (1 + M^j)). */
#define PCG_MUL_8 PCG_U128(0x6347af777a7898f6ULL, 0xd1a2d6f33505ffe1ULL)
#define PCG_SUM_8 PCG_U128(0x22ab9b110b39425cULL, 0x292967d144306478ULL)
#define PCG_MUL_32 PCG_U128(0x2c82901ad1cb0cd1ULL, 0x82b631ba6b261781ULL)
#define PCG_SUM_32 PCG_U128(0x8b144946fe438d94ULL, 0xe2deea36e161b7e0ULL)

static tpc_pcg64_jump pcg64_jump(pcg_u128 mul, pcg_u128 sum, pcg_u128 inc) {
  pcg_u128 add = inc * sum;
  return (tpc_pcg64_jump){(uint64_t)(mul >> 64), (uint64_t)mul, (uint64_t)(add >> 64),
                          (uint64_t)add};
}

/* The first 8 states are stepped here, the lanes run whole blocks of 32
** outputs, and the rest (n mod 32) is stepped here again from the lanes'
** last state. */
void tpc_rng_pcg64_fill_avx512(gsl_rng *r, uint64_t *out, size_t n) {
  if (r->type != &pcg64_type || n < 32) {
    tpc_rng_pcg64_fill(r, out, n);
    return;
  }
  pcg64_state *s = r->state, t = *s;
  uint64_t hi[8], lo[8], last_hi, last_lo;
  for (int j = 0; j < 8; j++) {
    (void)pcg64_next(&t);
    hi[j] = (uint64_t)(t.state >> 64);
    lo[j] = (uint64_t)t.state;
  }
  tpc_pcg64_jump by8 = pcg64_jump(PCG_MUL_8, PCG_SUM_8, t.inc);
  tpc_pcg64_jump by32 = pcg64_jump(PCG_MUL_32, PCG_SUM_32, t.inc);
  size_t blocks = n / 32;
  tpc_rng_pcg64_lanes_avx512(hi, lo, &by8, &by32, out, blocks, &last_hi, &last_lo);
  t.state = PCG_U128(last_hi, last_lo);
  for (size_t i = 32 * blocks; i < n; i++) out[i] = pcg64_next(&t);
  *s = t;
}

/* ---- the type table ------------------------------------------------------- */

/* GSL's own table holds at most 100 types (it aborts beyond that), so ours
** fits in 2 + 100 + the terminating NULL. */
#define TPC_RNG_TYPES_MAX 103

static const gsl_rng_type *rng_types[TPC_RNG_TYPES_MAX];
static pthread_once_t rng_types_once = PTHREAD_ONCE_INIT;

/* gsl_rng_types_setup rewrites a global array on every call, so calling it
** from several threads races: build our table once, under pthread_once. */
static void rng_types_build(void) {
  size_t n = 0;
  rng_types[n++] = gsl_rng_pcg32;
  rng_types[n++] = gsl_rng_pcg64;
  for (const gsl_rng_type **t = gsl_rng_types_setup();
       *t != NULL && n + 1 < TPC_RNG_TYPES_MAX; t++)
    rng_types[n++] = *t;
  rng_types[n] = NULL;
}

const gsl_rng_type **tpc_rng_types(void) {
  pthread_once(&rng_types_once, rng_types_build);
  return rng_types;
}

/* NULL, with a message, when no type has this name. */
const gsl_rng_type *tpc_rng_type_find(const char *name) {
  if (name == NULL) {
    tpc_error(TPC_EINPUT, "rng: NULL generator name");
    return NULL;
  }
  for (const gsl_rng_type **t = tpc_rng_types(); *t != NULL; t++)
    if (strcmp((*t)->name, name) == 0) return *t;
  tpc_error(TPC_EINPUT, "rng: unknown generator '%s'", name);
  return NULL;
}
