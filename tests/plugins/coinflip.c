/*
** Test plugin: "coinflip", C(x) = x or 2x on a fair coin, declared unbiased
** with omega = 1/2.  The declared variance is the true one
** (E||C(x) - x||^2 = ||x||^2/2), so the omega check passes; but
** E C(x) = 3x/2, so only the unbiasedness test can refute it, and it must
** from the projection on x, whose draws are ||x||^2 or 0 against a spread
** the declared omega bounds by ||x||^2/2 (the sound test decides after
** about 130 draws).  `tpc bounds` must report it violated and exit 1.
** Built by tests/e2e_plugin.sh and tests/long/bounds_sweep.sh.
*/
#include <stdlib.h>

#include <tpc.h>

/* c->priv holds the pointer to the part's values (d doubles). */
typedef struct coinflip_work {
  void *val;
} coinflip_work;

static int coinflip_init(tpc_comp *c, const tpc_spec *s) {
  (void)s;
  coinflip_work *w = c->priv;
  w->val = tpc_calloc_aligned(c->d, sizeof(double));
  return w->val ? TPC_OK : TPC_ENOMEM;
}

static void coinflip_destroy(tpc_comp *c) {
  coinflip_work *w = c->priv;
  free(w->val);
}

static void coinflip_consts(const tpc_comp *c, tpc_comp_consts *out) {
  (void)c;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_UNBIASED, .omega = 0.5, .deterministic = 0,
                           .omega_src = "test plugin (false: E C(x) = 3x/2)"};
}

/* One DENSE part with x or 2x (doubling is exact in binary floating point). */
#define COINFLIP_KERNEL(NAME, T, DTYPE)                                                  \
  static void NAME(tpc_comp *c, const T *x, T *out, tpc_msg *msg, const tpc_ctx *ctx) { \
    coinflip_work *w = c->priv;                                                         \
    T *val = w->val;                                                                    \
    T f = gsl_rng_uniform(ctx->rng) < 0.5 ? 1 : 2;                                      \
    for (size_t i = 0; i < c->d; i++) out[i] = val[i] = f * x[i];                       \
    tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_DENSE, DTYPE, c->d);                     \
    p->val = val;                                                                       \
  }

COINFLIP_KERNEL(coinflip_f32, float, TPC_F32)
COINFLIP_KERNEL(coinflip_f64, double, TPC_F64)

static const tpc_comp_type coinflip = {
    .name = "coinflip",
    .synopsis = "coinflip",
    .summary = "test plugin: x or 2x on a coin declared U(1/2), biased (E C(x) = 3x/2)",
    .declared = "U(0.5)",
    .theory = "test",
    .work_size = sizeof(coinflip_work),
    .init = coinflip_init,
    .destroy = coinflip_destroy,
    .consts = coinflip_consts,
    .compress_f32 = coinflip_f32,
    .compress_f64 = coinflip_f64,
};

int tpc_plugin_init(tpc_registry *r);
int tpc_plugin_init(tpc_registry *r) { return tpc_registry_add_comp(r, &coinflip); }
