/*
** Test plugin: "crasher", a compressor whose kernel writes through a NULL
** pointer (SIGSEGV).  Loading it, listing it and describing it work (init
** and consts are fine); `tpc bounds` must report the signal, exit 4, and
** leave the database readable.  Built by tests/e2e_plugin.sh.
*/
#include <stddef.h>

#include <tpc.h>

static int crasher_init(tpc_comp *c, const tpc_spec *s) {
  (void)c;
  (void)s;
  return TPC_OK;
}

static void crasher_consts(const tpc_comp *c, tpc_comp_consts *out) {
  (void)c;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_CONTRACTIVE, .alpha = 0.5, .deterministic = 1,
                           .alpha_src = "test plugin"};
}

/* Both the pointer and its target are volatile: the compiler can neither
** prove the pointer NULL nor drop the store, so this is a real memory fault
** (GCC deletes the store when only the pointer is volatile). */
static void crash(void) {
  volatile int *volatile p = NULL;
  *p = 1;
}

static void crasher_f32(tpc_comp *c, const float *x, float *out, tpc_msg *msg,
                        const tpc_ctx *ctx) {
  (void)c, (void)x, (void)out, (void)msg, (void)ctx;
  crash();
}

static void crasher_f64(tpc_comp *c, const double *x, double *out, tpc_msg *msg,
                        const tpc_ctx *ctx) {
  (void)c, (void)x, (void)out, (void)msg, (void)ctx;
  crash();
}

static const tpc_comp_type crasher = {
    .name = "crasher",
    .synopsis = "crasher",
    .summary = "test plugin: its kernel dereferences NULL",
    .declared = "B(1/2)",
    .theory = "test",
    .init = crasher_init,
    .consts = crasher_consts,
    .compress_f32 = crasher_f32,
    .compress_f64 = crasher_f64,
};

int tpc_plugin_init(tpc_registry *r);
int tpc_plugin_init(tpc_registry *r) { return tpc_registry_add_comp(r, &crasher); }
