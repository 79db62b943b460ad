/*
** natural: natural compression (Horvath et al. 2019; THEORY.md T2, U(1/8)).
** Each x_i with 2^a <= |x_i| < 2^(a+1) becomes sign(x_i) 2^(a+1) with
** probability (|x_i| - 2^a)/2^a and sign(x_i) 2^a otherwise, which is
** unbiased; zeros and exact powers of two are kept, subnormals round between
** subnormal powers of two.  The one biased range: rounding up from
** |x_i| >= 2^(MAX_EXP-1) (2^127 in float, 2^1023 in double) would overflow,
** so those values always round down.  Sent as a POW2 part.
**
** Randomness: xoshiro lanes (rng/lanes.h) seeded from the private stream,
** filled in chunks of TPC_RAND_CHUNK coordinates: coordinate j of a chunk
** takes the 16 bits u = bits 16(j mod 4) .. of word j/4.  For normal |x| =
** (1 + f 2^-FRAC) 2^E (FRAC = 23 for float, 52 for double) the probability of
** rounding up is f 2^-FRAC; with F the top 16 bits of f, u < F rounds up,
** u > F down, and a tie u = F (probability 2^-16) draws one more word from
** the private stream itself, in coordinate order, whose top FRAC - 16 bits
** are compared with the rest of f.  So P(up) = f 2^-FRAC exactly, for a
** quarter of a word per coordinate.  A zero or subnormal is an integer a
** times the smallest subnormal; a (exactly a normal number of the type) is
** rounded by the same rule and scaled back, so subnormals are exact too.
** Everything but the ties is done on the bits without branches (a random
** choice would be mispredicted every other time); the float kernel has
** AVX2 and AVX-512 paths (natural_avx2.c, natural_avx512.c), the double
** kernel an AVX2 path (natural_avx2.c), computing the same bits.
*/
#include "comp/kernels.h"

#include <gsl/gsl_rng.h>
#include <string.h>

#include "core/cpu.h"
#include "rng/lanes.h"
#include "rng/pcg.h"

uint64_t tpc_natural_tie_word(gsl_rng *r) {
  uint64_t w;
  tpc_rng_pcg64_fill(r, &w, 1);
  return w;
}

/* c->priv: the workspace and the instruction set path chosen at init. */
typedef struct natural_state {
  tpc_work work;
  tpc_isa isa;
} natural_state;

static int natural_init(tpc_comp *c, const tpc_spec *s) {
  (void)s;
  ((natural_state *)c->priv)->isa = tpc_cpu_isa();
  return tpc_work_alloc(c, TPC_WORK_VAL, 0);
}

static tpc_isa natural_isa(const tpc_comp *c) {
  return ((const natural_state *)c->priv)->isa;
}

/* The float kernel on the AVX-512 or AVX2 path, streaming beyond 4 MiB
** (where out and val would not stay in cache anyway); 0 where neither is
** available. */
static int natural_fast_f32(const tpc_comp *c, const float *x, float *out, float *val,
                            tpc_rng_lanes *lanes, gsl_rng *r) {
  int stream = c->d * sizeof(float) > ((size_t)4 << 20);
  if (natural_isa(c) >= TPC_ISA_AVX512)
    tpc_natural_f32_avx512(x, c->d, out, val, lanes, r, stream);
  else if (natural_isa(c) >= TPC_ISA_AVX2)
    tpc_natural_f32_avx2(x, c->d, out, val, lanes, r, stream);
  else
    return 0;
  return 1;
}

/* The double kernel on the AVX2 path (streaming beyond 4 MiB when out and
** val are 32-byte aligned); 0 where it is not available. */
static int natural_fast_f64(const tpc_comp *c, const double *x, double *out, double *val,
                            tpc_rng_lanes *lanes, gsl_rng *r) {
  if (natural_isa(c) < TPC_ISA_AVX2) return 0;
  tpc_natural_f64_avx2(x, c->d, out, val, lanes, r, c->d * sizeof(double) > ((size_t)4 << 20));
  return 1;
}

/* AVX2 and AVX-512: the float kernel, and the lanes' random words in both
** types; AVX2: the double kernel. */
static void natural_path(const tpc_comp *c, tpc_dtype t, char *buf, size_t size) {
  (void)t;
  tpc_kernel_path(natural_isa(c), TPC_ISA_BIT_AVX2 | TPC_ISA_BIT_AVX512, buf, size);
}

static void natural_consts(const tpc_comp *c, tpc_comp_consts *out) {
  (void)c;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_UNBIASED, .omega = 0.125, .omega_src = "T2"};
}

/* Coordinates per block of the portable loop (natural_source.c): a whole
** number of vectors of either type on every target. */
enum { NATURAL_BLOCK = 32 };

/* The bits of the element type: unsigned integer of its width, fraction
** bits, the largest biased exponent of a finite value, the bits of 2^FRAC,
** and the fast path (0 where none). */
#define TPC_BASE_F32
#include "core/templates_on.h"
#define NATURAL_UINT uint32_t
#define NATURAL_FRAC 23
#define NATURAL_EMAX 254u
#define NATURAL_MAGIC 0x4b000000u
#define NATURAL_FAST(c, x, out, val, lanes, r) natural_fast_f32(c, x, out, val, lanes, r)
#include "comp/natural_source.c"
#undef NATURAL_UINT
#undef NATURAL_FRAC
#undef NATURAL_EMAX
#undef NATURAL_MAGIC
#undef NATURAL_FAST
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#define NATURAL_UINT uint64_t
#define NATURAL_FRAC 52
#define NATURAL_EMAX 2046u
#define NATURAL_MAGIC 0x4330000000000000u
#define NATURAL_FAST(c, x, out, val, lanes, r) natural_fast_f64(c, x, out, val, lanes, r)
#include "comp/natural_source.c"
#undef NATURAL_UINT
#undef NATURAL_FRAC
#undef NATURAL_EMAX
#undef NATURAL_MAGIC
#undef NATURAL_FAST
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_comp_type tpc_comp_natural = {
    .name = "natural",
    .synopsis = "natural",
    .summary = "round each magnitude stochastically to a power of two",
    .declared = "U(1/8)",
    .theory = "T2",
    .keys = NULL,
    .nsub = 0,
    .work_size = sizeof(natural_state),
    .init = natural_init,
    .destroy = tpc_work_destroy,
    .consts = natural_consts,
    .compress_f32 = natural_compress_f32,
    .compress_f64 = natural_compress_f64,
    .path = natural_path,
};
