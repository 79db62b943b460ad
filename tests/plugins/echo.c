/*
** Test plugin: "echo", a "natural dithering" that dithers nothing.  It
** declares itself unbiased with omega = 1/8 and randomized, and sends a
** small message (2 levels a coordinate and a scale: 3 bits a coordinate
** plus 64), but its output is its input, unchanged.  Its omega bound holds
** (E||C(x) - x||^2 = 0 <= ||x||^2/8) and its message is short, so only its
** outputs give it away: `tpc bounds` must pass it (exit 0), flag it loose
** by an infinite factor on a line of its own ("output equalled its input on
** every point tested") and store identity_output = 1.  Built by
** tests/e2e_plugin.sh.
*/
#include <stdint.h>
#include <stdlib.h>

#include <tpc.h>

#define ECHO_LEVELS 2

/* c->priv holds the pointer to the part's levels (d int32_t). */
typedef struct echo_work {
  int32_t *level;
} echo_work;

static int echo_init(tpc_comp *c, const tpc_spec *s) {
  (void)s;
  echo_work *w = c->priv;
  w->level = tpc_calloc_aligned(c->d, sizeof(int32_t));
  return w->level ? TPC_OK : TPC_ENOMEM;
}

static void echo_destroy(tpc_comp *c) {
  echo_work *w = c->priv;
  free(w->level);
}

static void echo_consts(const tpc_comp *c, tpc_comp_consts *out) {
  (void)c;
  *out = (tpc_comp_consts){.cls = TPC_CLASS_UNBIASED, .omega = 0.125, .deterministic = 0,
                           .omega_src = "test plugin (the output is the input: nothing "
                                        "is compressed)"};
}

/* The message claims x rounded to ECHO_LEVELS levels of its largest
** magnitude; the output is x itself. */
#define ECHO_KERNEL(NAME, T, DTYPE)                                                      \
  static void NAME(tpc_comp *c, const T *x, T *out, tpc_msg *msg, const tpc_ctx *ctx) { \
    (void)ctx;                                                                          \
    echo_work *w = c->priv;                                                             \
    T m = 0;                                                                            \
    for (size_t i = 0; i < c->d; i++) m = x[i] > m ? x[i] : -x[i] > m ? -x[i] : m;      \
    for (size_t i = 0; i < c->d; i++) {                                                 \
      int32_t l = m > 0 ? (int32_t)(ECHO_LEVELS * (x[i] < 0 ? -x[i] : x[i]) / m + 0.5)  \
                        : 0;                                                            \
      w->level[i] = x[i] < 0 ? -l : l;                                                  \
      out[i] = x[i];                                                                    \
    }                                                                                   \
    tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_QUANT, DTYPE, c->d);                     \
    p->level = w->level;                                                                \
    p->levels = ECHO_LEVELS;                                                            \
    p->scale = (double)(m / ECHO_LEVELS);                                               \
  }

ECHO_KERNEL(echo_f32, float, TPC_F32)
ECHO_KERNEL(echo_f64, double, TPC_F64)

static const tpc_comp_type echo = {
    .name = "echo",
    .synopsis = "echo",
    .summary = "test plugin: natural dithering declared U(1/8) that returns its input",
    .declared = "U(0.125)",
    .theory = "test",
    .work_size = sizeof(echo_work),
    .init = echo_init,
    .destroy = echo_destroy,
    .consts = echo_consts,
    .compress_f32 = echo_f32,
    .compress_f64 = echo_f64,
};

int tpc_plugin_init(tpc_registry *r);
int tpc_plugin_init(tpc_registry *r) { return tpc_registry_add_comp(r, &echo); }
