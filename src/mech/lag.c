/*
** The rows of THEORY.md T3 that send x itself or nothing:
**
**   gd              x                                     (A = 1, B = 0)
**   lag(zeta=)      x if ||x - h||^2 > zeta ||x - y||^2, else h   (A = 1, B = zeta)
**
** x goes as one DENSE absolute part (the server replaces its copy), the
** skip as a SKIP part (the server keeps h).
*/
#include "mech/common.h"

static const char *const no_keys[] = {NULL};
static const char *const zeta_keys[] = {"zeta", NULL};

static int gd_init(tpc_mech *m, const tpc_spec *s) {
  (void)s;
  return tpc_mech_work_alloc(m, 1);
}

static void gd_consts(const tpc_mech *m, tpc_mech_consts *out) {
  (void)m;
  out->ineq = TPC_INEQ_3PC;
  out->has_AB = 1;
  out->A = 1;
  out->B = 0;
  out->deterministic = 1;
  out->src = "T3 GD";
}

static int lag_init(tpc_mech *m, const tpc_spec *s) {
  int status = tpc_mech_param_zeta(m, s, 0);
  if (status != TPC_OK) return status;
  return tpc_mech_work_alloc(m, 1);
}

static void lag_consts(const tpc_mech *m, tpc_mech_consts *out) {
  gd_consts(m, out);
  out->B = m->par[0];
  out->src = "T3 LAG";
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "mech/lag_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "mech/lag_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_mech_type tpc_mech_gd = {
    .name = "gd",
    .synopsis = "gd",
    .summary = "no compression: send x",
    .declared = "A = 1, B = 0",
    .theory = "T3 GD",
    .args = "",
    .keys = no_keys,
    .init = gd_init,
    .destroy = tpc_mech_work_destroy,
    .consts = gd_consts,
    .apply_f32 = gd_apply_f32,
    .apply_f64 = gd_apply_f64,
};

const tpc_mech_type tpc_mech_lag = {
    .name = "lag",
    .synopsis = "lag(zeta=REAL)",
    .summary = "lazy aggregation: send x when ||x-h||^2 > zeta ||x-y||^2, "
               "else skip",
    .declared = "A = 1, B = zeta",
    .theory = "T3 LAG",
    .args = "",
    .keys = zeta_keys,
    .init = lag_init,
    .destroy = tpc_mech_work_destroy,
    .consts = lag_consts,
    .apply_f32 = lag_apply_f32,
    .apply_f64 = lag_apply_f64,
};
