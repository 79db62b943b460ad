/*
** The built-in mechanism types (THEORY.md T3) in the order `tpc list` shows
** them: the rows of the 3PC paper's table, then MARINA and the shifted
** compressors.  tpc_registry_alloc registers every entry.
*/
#include "mech/common.h"

const tpc_mech_type *const tpc_builtin_mechs[] = {
    &tpc_mech_gd,     &tpc_mech_ef21,   &tpc_mech_lag,     &tpc_mech_clag,
    &tpc_mech_3pcv1,  &tpc_mech_3pcv2,  &tpc_mech_3pcv3,   &tpc_mech_3pcv4,
    &tpc_mech_3pcv5,  &tpc_mech_adacgd, &tpc_mech_marina,  &tpc_mech_shifted,
    &tpc_mech_diana,  NULL};
