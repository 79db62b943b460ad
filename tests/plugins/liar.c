/*
** Test plugin: "liar", C(x) = x/2 declared in B(0.9).  It achieves exactly
** alpha = 3/4 (||C(x) - x||^2 = ||x||^2/4 for every x), so the declared
** bound (1 - 0.9)||x||^2 is exceeded by a factor 2.5 at every x: `tpc
** bounds` must report it violated and exit 1.  Built by tests/e2e_plugin.sh.
*/
#include <stdlib.h>

#include <tpc.h>

/* c->priv holds the pointer to the part's values (d doubles). */
typedef struct liar_work {
  void *val;
} liar_work;

static int liar_init(tpc_comp *c, const tpc_spec *s) {
  (void)s;
  liar_work *w = c->priv;
  w->val = tpc_calloc_aligned(c->d, sizeof(double));
  return w->val ? TPC_OK : TPC_ENOMEM;
}

static void liar_destroy(tpc_comp *c) {
  liar_work *w = c->priv;
  free(w->val);
}

static void liar_consts(const tpc_comp *c, tpc_comp_consts *out) {
  (void)c;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_CONTRACTIVE, .alpha = 0.9, .deterministic = 1,
                           .alpha_src = "test plugin (false: the truth is 3/4)"};
}

/* One DENSE part with x/2 (halving is exact in binary floating point). */
#define LIAR_KERNEL(NAME, T, DTYPE)                                                      \
  static void NAME(tpc_comp *c, const T *x, T *out, tpc_msg *msg, const tpc_ctx *ctx) { \
    (void)ctx;                                                                          \
    liar_work *w = c->priv;                                                             \
    T *val = w->val;                                                                    \
    for (size_t i = 0; i < c->d; i++) out[i] = val[i] = x[i] / 2;                       \
    tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_DENSE, DTYPE, c->d);                     \
    p->val = val;                                                                       \
  }

LIAR_KERNEL(liar_f32, float, TPC_F32)
LIAR_KERNEL(liar_f64, double, TPC_F64)

static const tpc_comp_type liar = {
    .name = "liar",
    .synopsis = "liar",
    .summary = "test plugin: x/2 declared B(0.9), achieves B(3/4)",
    .declared = "B(0.9)",
    .theory = "test",
    .work_size = sizeof(liar_work),
    .init = liar_init,
    .destroy = liar_destroy,
    .consts = liar_consts,
    .compress_f32 = liar_f32,
    .compress_f64 = liar_f64,
};

int tpc_plugin_init(tpc_registry *r);
int tpc_plugin_init(tpc_registry *r) { return tpc_registry_add_comp(r, &liar); }
