/*
** PCG random number generators (O'Neill 2014) as GSL generator types, and the
** derivation of independent streams from (run seed, purpose, index).
**
**   gsl_rng_pcg32  XSH-RR 64/32: 64-bit state, 32-bit outputs
**   gsl_rng_pcg64  XSL-RR 128/64: 128-bit state, 64-bit outputs
**
** Both are ordinary gsl_rng_types, so every GSL distribution draws from PCG.
** gsl_rng_set(r, seed) seeds the default stream, as the reference
** implementation's srandom(seed, default increment) would.  tpc_rng_seed_stream
** selects any (seed, stream) pair.  get_double is in [0, 1).
**
** Every random stream in tpc is derived, never shared between units of work:
** tpc_rng_stream(r, seed, purpose, index) puts r in a state determined only by
** its arguments, so trial i, client j or round t draws the same numbers
** whichever thread runs it and in whatever order.
*/
#ifndef TPC_PCG_H
#define TPC_PCG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

extern const gsl_rng_type *gsl_rng_pcg32;
extern const gsl_rng_type *gsl_rng_pcg64;

/* Purposes: the first component of a derived stream.  New ones go at the end
** (values are stored results' provenance: never renumber). */
typedef enum {
  TPC_PURPOSE_TEST = 0,
  TPC_PURPOSE_TRIAL = 1,    /* bounds: one Monte Carlo trial */
  TPC_PURPOSE_CLIENT = 2,   /* rate: a client's private randomness */
  TPC_PURPOSE_SHARED = 3,   /* rate: randomness shared by all clients */
  TPC_PURPOSE_DATA = 4,     /* problem and input generation */
  TPC_PURPOSE_SEARCH = 5,   /* bounds: adversarial search */
  TPC_PURPOSE_BENCH = 6,    /* bench: kernel inputs */
  TPC_PURPOSE_BENCH_BOOT = 7, /* bench: round-level bootstrap (bench/rounds.h) */
  TPC_PURPOSE_BENCH_ORDER = 8 /* bench: the cases' order in a round */
} tpc_purpose;

/* Set the reference PCG state: state from initstate, increment from
** initseq (as pcg32_srandom_r / pcg64_srandom_r).  For pcg32 the high 64 bits
** of the 128-bit arguments are ignored.  r must be a pcg32 or pcg64 generator;
** returns TPC_EINPUT otherwise. */
int tpc_rng_seed_stream(gsl_rng *r, uint64_t initstate_hi, uint64_t initstate_lo,
                        uint64_t initseq_hi, uint64_t initseq_lo);

/* Put r (pcg32 or pcg64) in the state of stream (seed, purpose, index): a
** well-mixed function of all three chooses both the state and the increment,
** so distinct triples give distinct, statistically independent sequences. */
int tpc_rng_stream(gsl_rng *r, uint64_t seed, uint32_t purpose, uint64_t index);

/* A new pcg64 generator in stream (seed, purpose, index); NULL when out of
** memory.  Free with gsl_rng_free. */
gsl_rng *tpc_rng_alloc_stream(uint64_t seed, uint32_t purpose, uint64_t index);

/* Generator types by name: the PCG types, then GSL's own, NULL-terminated
** (GSL's table is closed, so tpc keeps its own). */
const gsl_rng_type **tpc_rng_types(void);
const gsl_rng_type *tpc_rng_type_find(const char *name);

/* ---- batched draws (the compressors' per-coordinate randomness) ---------- */

/* The next n outputs of r in out[0..n), advancing r past them.  For a pcg64
** generator they are exactly the values of n calls of gsl_rng_get(r), so
** batched and single draws mix freely; computed inline, without GSL's call
** through a function pointer per draw.  Any other generator type gives words
** of two gsl_rng_uniform draws each, the top 32 bits from the first (a
** generator with fewer than 32 bits leaves low bits of each half zero). */
void tpc_rng_pcg64_fill(gsl_rng *r, uint64_t *out, size_t n);

/* The same, computed 32 consecutive states at a time in AVX-512 registers;
** call only where tpc_cpu_supports(TPC_ISA_AVX512) (core/cpu.h). */
void tpc_rng_pcg64_fill_avx512(gsl_rng *r, uint64_t *out, size_t n);

/* A jump of the pcg64 LCG by a fixed number of steps: s -> s * mul + add
** (mod 2^128), as 64-bit words. */
typedef struct tpc_pcg64_jump {
  uint64_t mul_hi, mul_lo, add_hi, add_lo;
} tpc_pcg64_jump;

/* The kernel of tpc_rng_pcg64_fill_avx512 (rng/pcg_avx512.c), on words:
** given the states s_1 .. s_8 in first_hi/first_lo and the jumps by 8 and
** by 32 steps, writes the outputs of s_1 .. s_{32 blocks} to out and the
** state s_{32 blocks} to last_hi, last_lo (blocks >= 1). */
void tpc_rng_pcg64_lanes_avx512(const uint64_t first_hi[8], const uint64_t first_lo[8],
                                const tpc_pcg64_jump *by8, const tpc_pcg64_jump *by32,
                                uint64_t *out, size_t blocks, uint64_t *last_hi,
                                uint64_t *last_lo);

#endif
