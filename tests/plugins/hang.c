/*
** Test plugin: "hanger", a compressor whose kernel never returns.  `tpc
** bounds --timeout S` must kill it after S seconds, report the time-out,
** exit 4, and leave the database readable.  Built by tests/e2e_plugin.sh.
*/
#include <tpc.h>

static int hanger_init(tpc_comp *c, const tpc_spec *s) {
  (void)c;
  (void)s;
  return TPC_OK;
}

static void hanger_consts(const tpc_comp *c, tpc_comp_consts *out) {
  (void)c;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_CONTRACTIVE, .alpha = 0.5, .deterministic = 1,
                           .alpha_src = "test plugin"};
}

/* A volatile flag keeps the loop from being optimized into anything else. */
static void hang(void) {
  volatile int forever = 1;
  while (forever) continue;
}

static void hanger_f32(tpc_comp *c, const float *x, float *out, tpc_msg *msg,
                       const tpc_ctx *ctx) {
  (void)c, (void)x, (void)out, (void)msg, (void)ctx;
  hang();
}

static void hanger_f64(tpc_comp *c, const double *x, double *out, tpc_msg *msg,
                       const tpc_ctx *ctx) {
  (void)c, (void)x, (void)out, (void)msg, (void)ctx;
  hang();
}

static const tpc_comp_type hanger = {
    .name = "hanger",
    .synopsis = "hanger",
    .summary = "test plugin: its kernel loops forever",
    .declared = "B(1/2)",
    .theory = "test",
    .init = hanger_init,
    .consts = hanger_consts,
    .compress_f32 = hanger_f32,
    .compress_f64 = hanger_f64,
};

int tpc_plugin_init(tpc_registry *r);
int tpc_plugin_init(tpc_registry *r) { return tpc_registry_add_comp(r, &hanger); }
