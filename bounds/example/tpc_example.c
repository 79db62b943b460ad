/*
** An example tpc plugin: two new compressors, written the way the built-ins
** are (src/comp/comp.h), for `tpc bounds` to check against the constants
** they declare.  Read it as a tutorial; README.md beside it shows how to
** build and validate it.
**
**   terngrad       TernGrad (Wen et al., NeurIPS 2017): each coordinate
**                  becomes max|x| * sign(x_i) with probability |x_i|/max|x|,
**                  else 0.  Unbiased, U(omega) with omega = (sqrt(d) - 1)/2.
**
**   rtopk(k=INT)   TopK whose ties at the k-th largest magnitude are broken
**                  uniformly at random instead of towards the lower index.
**                  Contractive, B(k/d), like TopK.
**
** Why those constants (the plugin's part of the contract: tpc checks them,
** it does not derive them):
**
**   terngrad.  With m = max|x_i|, coordinate i is m*sign(x_i)*b_i with
**   b_i ~ Bernoulli(|x_i|/m), so E C(x)_i = x_i and
**   E (C(x)_i - x_i)^2 = m|x_i| - x_i^2.  Summing,
**   E||C(x) - x||^2 = m ||x||_1 - ||x||^2.  The ratio m||x||_1 / ||x||^2 is
**   largest at x = (1, t, ..., t) with t = 1/(1 + sqrt d), where it equals
**   (1 + sqrt d)/2: so omega = (sqrt d - 1)/2, and the bound is attained.
**
**   rtopk.  Whichever tied coordinates are kept, the dropped mass is the
**   d - k smallest squared magnitudes, at most (1 - k/d)||x||^2 (equality
**   when all |x_i| are equal): the same bound as TopK, for every draw.
**
** The plugin interface is only what <tpc.h> installs: the tpc_comp_type
** vtable, messages (wire/msg.h), the registry, errors, gsl_rng.  Every
** function here is static except tpc_plugin_init, the one symbol tpc looks
** up.  Kernels run in a child process under `tpc bounds`, so a bug in them
** is reported (signal, time-out), never fatal to the database.
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <tpc.h>

/* ---- workspace --------------------------------------------------------------
** A compressor instance is bound to one dimension d.  tpc allocates
** type->work_size zeroed bytes in c->priv before calling init; init
** allocates the buffers (once: kernels allocate nothing per call) and
** destroy frees them.  The message a kernel emits points into these
** buffers, so it stays valid until the instance's next call whatever the
** caller does with `out`.
*/
typedef struct example_work {
  int32_t *level;   /* terngrad: the levels, in {-1, 0, 1} */
  double *mag;      /* rtopk: |x_i| in index order */
  double *sorted;   /* rtopk: the same, sorted to find the k-th largest */
  uint32_t *idx;    /* rtopk: indices of the kept coordinates, increasing */
  void *val;        /* rtopk: their values, float or double (sized for double) */
} example_work;

/* destroy also runs after a failed init, on a partly built workspace:
** unset pointers are NULL (the workspace starts zeroed), and free(NULL) is
** a no-op, so freeing every pointer is always safe.  tpc frees c->priv. */
static void example_destroy(tpc_comp *c) {
  example_work *w = c->priv;
  free(w->level);
  free(w->mag);
  free(w->sorted);
  free(w->idx);
  free(w->val);
}

/* Kernels exist for float and double.  The built-ins write each algorithm
** once and instantiate it for both types with a template header; a plugin
** can do the same with a macro taking the element type T and its dtype
** tag, as the two kernels below do. */

/* ======================================================================== */
/* terngrad                                                                  */
/* ======================================================================== */

static int terngrad_init(tpc_comp *c, const tpc_spec *s) {
  (void)s; /* no parameters (keys = NULL): the registry refused any key */
  example_work *w = c->priv;
  w->level = tpc_calloc_aligned(c->d, sizeof *w->level);
  return w->level ? TPC_OK : TPC_ENOMEM; /* tpc_calloc_aligned left the message */
}

/* The declared constants: what `tpc describe` prints and `tpc bounds`
** checks.  deterministic = 0 tells the verifier to estimate expectations
** from many draws, with a confidence bound, and to test unbiasedness. */
static void terngrad_consts(const tpc_comp *c, tpc_comp_consts *out) {
  *out = (tpc_comp_consts){.cls = TPC_CLASS_UNBIASED,
                           .omega = (sqrt((double)c->d) - 1.0) / 2.0,
                           .deterministic = 0,
                           .omega_src = "plugin: TernGrad, Wen et al. 2017"};
}

/* One QUANT part: scale = max|x_i|, levels = 1, level[i] = sign(x_i) with
** probability |x_i|/scale.  The server decodes scale * level[i] in the
** element type, so out is computed by exactly that operation.  Randomness
** comes only from ctx->rng, the stream tpc derived for this call: the
** result does not depend on threads or on the instance's history. */
#define TERNGRAD_KERNEL(NAME, T, DTYPE)                                            \
  static void NAME(tpc_comp *c, const T *x, T *out, tpc_msg *msg,                 \
                   const tpc_ctx *ctx) {                                           \
    example_work *w = c->priv;                                                     \
    double m = 0;                                                                  \
    for (size_t i = 0; i < c->d; i++) m = fmax(m, fabs((double)x[i]));             \
    for (size_t i = 0; i < c->d; i++) {                                            \
      int keep = m > 0 && gsl_rng_uniform(ctx->rng) < fabs((double)x[i]) / m;      \
      w->level[i] = keep ? (x[i] < 0 ? -1 : 1) : 0;                                \
    }                                                                              \
    tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_QUANT, DTYPE, c->d);                \
    p->scale = m;                                                                  \
    p->level = w->level;                                                           \
    p->levels = 1;                                                                 \
    const T scale = (T)m;                                                          \
    for (size_t i = 0; i < c->d; i++) out[i] = scale * (T)w->level[i];             \
  }

TERNGRAD_KERNEL(terngrad_compress_f32, float, TPC_F32)
TERNGRAD_KERNEL(terngrad_compress_f64, double, TPC_F64)

/* The vtable.  It must have static storage: the registry keeps a pointer
** to it for the life of the process. */
static const tpc_comp_type terngrad_type = {
    .name = "terngrad",
    .synopsis = "terngrad",
    .summary = "TernGrad: max|x| sign(x_i) with probability |x_i|/max|x| (example plugin)",
    .declared = "U((sqrt(d)-1)/2)",
    .theory = "T1",
    .keys = NULL,
    .nsub = 0,
    .work_size = sizeof(example_work),
    .init = terngrad_init,
    .destroy = example_destroy,
    .consts = terngrad_consts,
    .compress_f32 = terngrad_compress_f32,
    .compress_f64 = terngrad_compress_f64,
};

/* ======================================================================== */
/* rtopk(k=INT)                                                              */
/* ======================================================================== */

/* Parameter keys in canonical order; the registry refuses any other key. */
static const char *const rtopk_keys[] = {"k", NULL};

/* Read and check k (an integer in [1, d]); TPC_EINPUT with a message that
** says what is wrong, which `tpc` prints as is and exits 2. */
static int rtopk_init(tpc_comp *c, const tpc_spec *s) {
  const tpc_spec_param *k = tpc_spec_param_find(s, "k");
  if (!k) return tpc_error(TPC_EINPUT, "rtopk: the parameter k is required");
  if (k->text) return tpc_error(TPC_EINPUT, "rtopk: k must be a number, got '%s'", k->text);
  if (k->value != floor(k->value) || k->value < 1 || k->value > (double)c->d)
    return tpc_error(TPC_EINPUT, "rtopk: k must be an integer from 1 to d = %zu, got %g", c->d,
                     k->value);
  if (c->d > UINT32_MAX)
    return tpc_error(TPC_EINPUT, "rtopk: d = %zu is too large for 32-bit indices", c->d);
  c->k = (size_t)k->value;
  c->par[0] = k->value;
  example_work *w = c->priv;
  w->mag = tpc_calloc_aligned(c->d, sizeof *w->mag);
  w->sorted = tpc_calloc_aligned(c->d, sizeof *w->sorted);
  w->idx = tpc_calloc_aligned(c->d, sizeof *w->idx);
  w->val = tpc_calloc_aligned(c->d, sizeof(double));
  return w->mag && w->sorted && w->idx && w->val ? TPC_OK : TPC_ENOMEM;
}

static void rtopk_consts(const tpc_comp *c, tpc_comp_consts *out) {
  *out = (tpc_comp_consts){.cls = TPC_CLASS_CONTRACTIVE,
                           .alpha = (double)c->k / (double)c->d,
                           .deterministic = 0, /* the tie-break draws */
                           .alpha_src = "plugin: as TopK, T2"};
}

static int descending(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x < y) - (x > y);
}

/* The selection, written once for both element types since it only looks
** at the magnitudes w->mag.  Keeps every |x_i| above the k-th largest
** magnitude t, and `need` of the `tied` coordinates equal to t chosen
** uniformly at random by selection sampling (Knuth's Algorithm S: take the
** next tied coordinate with probability need/tied, both counting down),
** which visits indices in increasing order, as a SPARSE part requires.
** (A sort costs O(d log d); the built-in topk selects in O(d).) */
static void rtopk_select(example_work *w, size_t d, size_t k, const tpc_ctx *ctx) {
  memcpy(w->sorted, w->mag, d * sizeof *w->mag);
  qsort(w->sorted, d, sizeof *w->sorted, descending);
  double t = w->sorted[k - 1];
  size_t above = 0, tied = 0;
  for (size_t i = 0; i < d; i++) {
    above += w->mag[i] > t;
    tied += w->mag[i] == t;
  }
  size_t need = k - above, nnz = 0;
  for (size_t i = 0; i < d; i++) {
    int keep = w->mag[i] > t;
    if (w->mag[i] == t) {
      keep = gsl_rng_uniform_int(ctx->rng, tied) < need;
      need -= (size_t)keep;
      tied--;
    }
    if (keep) w->idx[nnz++] = (uint32_t)i;
  }
}

/* One SPARSE part with the k kept coordinates (values in the element
** type, indices increasing); out holds the same values, zero elsewhere. */
#define RTOPK_KERNEL(NAME, T, DTYPE)                                               \
  static void NAME(tpc_comp *c, const T *x, T *out, tpc_msg *msg,                 \
                   const tpc_ctx *ctx) {                                           \
    example_work *w = c->priv;                                                     \
    T *val = w->val;                                                               \
    for (size_t i = 0; i < c->d; i++) w->mag[i] = fabs((double)x[i]);              \
    rtopk_select(w, c->d, c->k, ctx);                                              \
    memset(out, 0, c->d * sizeof *out);                                            \
    for (size_t j = 0; j < c->k; j++) out[w->idx[j]] = val[j] = x[w->idx[j]];      \
    tpc_msg_part *p = tpc_msg_add(msg, TPC_MSG_SPARSE, DTYPE, c->d);               \
    p->nnz = c->k;                                                                 \
    p->idx = w->idx;                                                               \
    p->val = val;                                                                  \
  }

RTOPK_KERNEL(rtopk_compress_f32, float, TPC_F32)
RTOPK_KERNEL(rtopk_compress_f64, double, TPC_F64)

static const tpc_comp_type rtopk_type = {
    .name = "rtopk",
    .synopsis = "rtopk(k=INT)",
    .summary = "keep the k largest magnitudes, ties broken at random (example plugin)",
    .declared = "B(k/d)",
    .theory = "T2",
    .keys = rtopk_keys,
    .nsub = 0,
    .work_size = sizeof(example_work),
    .init = rtopk_init,
    .destroy = example_destroy,
    .consts = rtopk_consts,
    .compress_f32 = rtopk_compress_f32,
    .compress_f64 = rtopk_compress_f64,
};

/* ======================================================================== */
/* the entry point                                                           */
/* ======================================================================== */

/* The one exported symbol.  tpc calls it once, after loading the file, with
** the registry the command uses; the names registered here then work in
** every spec, nested ones included: 'ef21(rtopk(k=5))',
** 'scaled(terngrad)', 'clag(rtopk(k=10),zeta=2)'.  A failure returns its
** status with a message (tpc_error), and tpc exits 2 naming the file. */
int tpc_plugin_init(tpc_registry *r);

int tpc_plugin_init(tpc_registry *r) {
  int rc = tpc_registry_add_comp(r, &terngrad_type);
  if (rc == TPC_OK) rc = tpc_registry_add_comp(r, &rtopk_type);
  return rc;
}
