/*
** natural: natural compression (Horvath et al. 2019; THEORY.md T2, U(1/8)).
** Each x_i with 2^a <= |x_i| < 2^(a+1) becomes sign(x_i) 2^(a+1) with
** probability (|x_i| - 2^a)/2^a and sign(x_i) 2^a otherwise, which is
** unbiased; zeros and exact powers of two are kept, subnormals round between
** subnormal powers of two.  The one biased range: rounding up from
** |x_i| >= 2^(MAX_EXP-1) (2^127 in float, 2^1023 in double) would overflow,
** so those values always round down.  Sent as a POW2 part.  Normal values
** are split into exponent and fraction on their bits (the probability of
** rounding up is the fraction, exactly); zeros and subnormals take the
** frexp path; both consume the same draws.
*/
#include "comp/kernels.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

static int natural_init(tpc_comp *c, const tpc_spec *s) {
  (void)s;
  return tpc_work_alloc(c, TPC_WORK_VAL, 0);
}

static void natural_consts(const tpc_comp *c, tpc_comp_consts *out) {
  (void)c;
  *out = (tpc_comp_consts){TPC_CLASS_UNBIASED, 0.0, 0.125, 0, NULL, "T2", 0, 0.0};
}

/* The bits of the element type: unsigned integer of its width, fraction
** bits, and the largest biased exponent of a finite value. */
#define TPC_BASE_F32
#include "core/templates_on.h"
#define NATURAL_UINT uint32_t
#define NATURAL_FRAC 23
#define NATURAL_EMAX 254u
#include "comp/natural_source.c"
#undef NATURAL_UINT
#undef NATURAL_FRAC
#undef NATURAL_EMAX
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#define NATURAL_UINT uint64_t
#define NATURAL_FRAC 52
#define NATURAL_EMAX 2046u
#include "comp/natural_source.c"
#undef NATURAL_UINT
#undef NATURAL_FRAC
#undef NATURAL_EMAX
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
    .work_size = sizeof(tpc_work),
    .init = natural_init,
    .destroy = tpc_work_destroy,
    .consts = natural_consts,
    .compress_f32 = natural_compress_f32,
    .compress_f64 = natural_compress_f64,
};
