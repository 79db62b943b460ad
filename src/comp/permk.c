/*
** permk: PermK for client `ctx->client` of n (THEORY.md T2, U(n - 1)).  Every
** client draws the same permutation of 0..d-1 from the shared stream (the
** index array is reset to the identity before each shuffle, so the draw does
** not depend on earlier calls); client i keeps block i of it, d/n coordinates,
** scaled by n.  Averaged over the n clients the blocks tile 0..d-1, so
** (1/n) sum_i Q_i(x) = x exactly.
*/
#include "comp/kernels.h"

#include <gsl/gsl_randist.h>

static int permk_init(tpc_comp *c, const tpc_spec *s) {
  (void)s;
  if (c->n < 1 || c->d < c->n || c->d % c->n != 0)
    return tpc_error(TPC_EINPUT, "permk: n = %zu must divide d = %zu "
                     "(d >= n >= 1)", c->n, c->d);
  c->par[0] = (double)c->n;
  return tpc_work_alloc(c, TPC_WORK_SPARSE, c->d * sizeof(uint32_t));
}

static void permk_consts(const tpc_comp *c, tpc_comp_consts *out) {
  double omega = (double)c->n - 1.0;
  /* With n | d the average over clients satisfies the AB inequality with
  ** A = B = 1 (Szlendak et al. 2021): E||(1/n) sum Q_i(a_i) - abar||^2 =
  ** (1/n) sum ||a_i||^2 - ||abar||^2, so omega_avg = 1. */
  *out = (tpc_comp_consts){.cls = TPC_CLASS_UNBIASED, .omega = omega, .omega_src = "T2",
                           .shared = 1, .omega_avg = 1.0};
}

/* Marks block `client` of a permutation drawn from the shared stream. */
static void permk_mark(tpc_comp *c, const tpc_ctx *ctx) {
  tpc_work *w = c->priv;
  uint32_t *perm = w->aux;
  size_t d = c->d, b = d / c->n;
  for (size_t i = 0; i < d; i++) perm[i] = (uint32_t)i;
  gsl_ran_shuffle(ctx->shared, perm, d, sizeof *perm);
  for (size_t j = ctx->client * b; j < (ctx->client + 1) * b; j++)
    w->mark[perm[j]] = 1;
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "comp/permk_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "comp/permk_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64

const tpc_comp_type tpc_comp_permk = {
    .name = "permk",
    .synopsis = "permk",
    .summary = "client i of n keeps block i of a shared random permutation, "
               "scaled by n",
    .declared = "U(n - 1)",
    .theory = "T2",
    .keys = NULL,
    .nsub = 0,
    .work_size = sizeof(tpc_work),
    .init = permk_init,
    .destroy = tpc_work_destroy,
    .consts = permk_consts,
    .compress_f32 = permk_compress_f32,
    .compress_f64 = permk_compress_f64,
};
