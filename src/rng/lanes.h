/*
** Bulk random words for the compressors' per-coordinate randomness: eight
** xoshiro256++ generators (Blackman and Vigna 2021) run side by side, the
** layout of one AVX-512 register per state word, as Julia's bulk rand!
** does.  pcg64 (pcg.h) stays the generator of every stream; a call that
** needs a word or more per few coordinates seeds a set of lanes from its
** stream (four words) and draws the bulk from the lanes, which cost a few
** simple instructions per eight words where pcg64's 128-bit multiply costs
** tens.  Word 8b + l of a fill is lane l's output b, so the portable, the
** AVX2 and the AVX-512 fill give the same words.
*/
#ifndef TPC_LANES_H
#define TPC_LANES_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

enum { TPC_LANES = 8 };

/* s[j][l]: state word j of lane l. */
typedef struct tpc_rng_lanes {
  uint64_t s[4][TPC_LANES];
} tpc_rng_lanes;

/* Seed the lanes from four words of r (tpc_rng_pcg64_fill), expanded by
** SplitMix64's output function, so that the lanes are a function of r's
** state only and r advances by exactly four words (pcg64; any other type
** by eight uniform draws).  A lane whose state would be all zero (the one
** state xoshiro cannot leave; probability 2^-256) gets state word 0 = 1. */
void tpc_rng_lanes_seed(tpc_rng_lanes *L, gsl_rng *r);

/* The next 8 blocks words into out[0 .. 8 blocks): word 8b + l is lane l's
** next output.  Either fill, as a pointer. */
typedef void (*tpc_rng_lanes_fill_fn)(tpc_rng_lanes *L, uint64_t *out, size_t blocks);

void tpc_rng_lanes_fill(tpc_rng_lanes *L, uint64_t *out, size_t blocks);

/* The same in AVX2 registers (rng/lanes_avx2.c); call only where
** tpc_cpu_supports(TPC_ISA_AVX2) (core/cpu.h). */
void tpc_rng_lanes_fill_avx2(tpc_rng_lanes *L, uint64_t *out, size_t blocks);

/* The same in AVX-512 registers (rng/lanes_avx512.c); call only where
** tpc_cpu_supports(TPC_ISA_AVX512) (core/cpu.h). */
void tpc_rng_lanes_fill_avx512(tpc_rng_lanes *L, uint64_t *out, size_t blocks);

#endif
