/*
** Test plugin: "planted", the built-in sign compressor (THEORY.md T2) plus,
** when built with -DPLANTED_SLOWDOWN, a real slowdown: an extra pass over
** the first tenth of the input (a sum of squares that a volatile keeps).
** Built twice by tests/e2e_gate.sh, with and without the pass, under the
** same type name: the two builds are one kernel before and after a
** regression, which `tpc regress` must fail on its instruction count and
** pass when unchanged.  The message, the output and the constants are
** sign's: only the cost differs.
*/
#include <stdlib.h>

#include <tpc.h>

#ifndef PLANTED_SLOWDOWN
#define PLANTED_SLOWDOWN 0
#endif

typedef struct planted_work {
  tpc_registry *reg;
  tpc_comp *sign;
} planted_work;

static volatile double planted_sink;

static int planted_init(tpc_comp *c, const tpc_spec *s) {
  (void)s;
  planted_work *w = c->priv;
  tpc_spec *inner = NULL;
  int rc = TPC_ENOMEM;
  w->reg = tpc_registry_alloc();
  if (w->reg) rc = tpc_spec_parse("sign", &inner);
  if (rc == TPC_OK) w->sign = tpc_comp_alloc(w->reg, inner, c->d, c->n, &rc);
  tpc_spec_free(inner);
  return w->sign ? TPC_OK : rc;
}

static void planted_destroy(tpc_comp *c) {
  planted_work *w = c->priv;
  tpc_comp_free(w->sign);
  tpc_registry_free(w->reg);
}

static void planted_consts(const tpc_comp *c, tpc_comp_consts *out) {
  const planted_work *w = c->priv;
  tpc_comp_consts_get(w->sign, out);
}

static void planted_path(const tpc_comp *c, tpc_dtype t, char *buf, size_t size) {
  const planted_work *w = c->priv;
  tpc_comp_path(w->sign, t, buf, size);
}

/* sign, then (planted) a pass over x[0 .. d/10). */
#define PLANTED_KERNEL(NAME, T, CALL)                                                   \
  static void NAME(tpc_comp *c, const T *x, T *out, tpc_msg *msg, const tpc_ctx *ctx) { \
    planted_work *w = c->priv;                                                         \
    CALL(w->sign, x, out, msg, ctx);                                                   \
    if (PLANTED_SLOWDOWN) {                                                            \
      double s = 0;                                                                    \
      for (size_t i = 0; i < c->d / 10; i++) s += (double)x[i] * (double)x[i];        \
      planted_sink = s;                                                                \
    }                                                                                  \
  }

PLANTED_KERNEL(planted_f32, float, tpc_comp_compress_f32)
PLANTED_KERNEL(planted_f64, double, tpc_comp_compress_f64)

static const tpc_comp_type planted = {
    .name = "planted",
    .synopsis = "planted",
    .summary = "test plugin: sign, with an extra pass over a tenth of x when planted",
    .declared = "B(1/d)",
    .theory = "test",
    .work_size = sizeof(planted_work),
    .init = planted_init,
    .destroy = planted_destroy,
    .consts = planted_consts,
    .compress_f32 = planted_f32,
    .compress_f64 = planted_f64,
    .path = planted_path,
};

int tpc_plugin_init(tpc_registry *r);
int tpc_plugin_init(tpc_registry *r) { return tpc_registry_add_comp(r, &planted); }
