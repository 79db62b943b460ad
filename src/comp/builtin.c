/*
** The built-in compressor types (THEORY.md T2 and the combinators of T1), in
** the order `tpc list` shows them; the registry adds them at start-up.
*/
#include "comp/kernels.h"

const tpc_comp_type *const tpc_builtin_comps[] = {
    &tpc_comp_identity, &tpc_comp_topk,    &tpc_comp_randk,
    &tpc_comp_urandk,   &tpc_comp_permk,   &tpc_comp_bernoulli,
    &tpc_comp_natural,  &tpc_comp_dither,  &tpc_comp_sign,
    &tpc_comp_threshold, &tpc_comp_scaled, &tpc_comp_compose,
    NULL};
