/*
** Compressors (THEORY.md T1, T2): the vtable, the declared constants, and the
** instance that a spec string builds.
**
** A compressor instance is bound to a dimension d (and a client count n, for
** PermK) when it is allocated: tpc_comp_alloc (registry/registry.h)
** validates the parameters against d, allocates every buffer the kernel needs
** once, and the kernels then allocate nothing per call.  An instance is not
** thread-safe (it owns its workspace); threads allocate one each.  Randomness
** comes only from the context passed to each call, so a result is fixed by
** the streams the caller derived (rng/pcg.h), never by the instance's
** history.
**
** Kernels exist once, type-generic over float and double (core/templates_on.h),
** and always fill both the dense output and the message that decodes to it.
*/
#ifndef TPC_COMP_H
#define TPC_COMP_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "core/alloc.h"
#include "spec/spec.h"
#include "wire/msg.h"

/* Class of a compressor (T1).  BOTH means it is in B(alpha) and U(omega). */
typedef enum {
  TPC_CLASS_NONE = 0,
  TPC_CLASS_CONTRACTIVE = 1,
  TPC_CLASS_UNBIASED = 2,
  TPC_CLASS_BOTH = 3
} tpc_class;

/* Declared constants.  alpha is meaningful when cls has CONTRACTIVE, omega
** when it has UNBIASED; the *_src strings name the THEORY.md item ("T2",
** "T1 scaled", "T1 composition"). */
typedef struct tpc_comp_consts {
  tpc_class cls;
  double alpha;
  double omega;
  int deterministic;
  const char *alpha_src;
  const char *omega_src;
  /* Randomness correlated across the n clients of a round (PermK's shared
  ** permutation).  T3's MARINA constant assumes independent Q_i and does not
  ** apply; omega_avg declares instead E||(1/n) sum_i Q_i(a_i) - abar||^2 <=
  ** omega_avg (1/n) sum_i ||a_i||^2 (0: not declared, MARINA refuses it). */
  int shared;
  double omega_avg;
  /* The message size in bits the type claims for one call (a plugin's
  ** claim; 0: none).  Never used as a measurement: tpc counts the bits of
  ** its own encoding of every message. */
  double bits_claimed;
} tpc_comp_consts;

/* Everything a call may need besides the vectors.  `rng` is this client's
** private stream for this call; `shared` a stream every client of the round
** holds in the same state (PermK's permutation, MARINA's coin).  Callers
** derive both with tpc_rng_stream so results do not depend on thread count. */
typedef struct tpc_ctx {
  gsl_rng *rng;
  gsl_rng *shared;
  size_t client;   /* 0 <= client < n */
} tpc_ctx;

typedef struct tpc_comp tpc_comp;

typedef struct tpc_comp_type {
  const char *name;       /* spec name: "topk" */
  const char *synopsis;   /* "topk(k=INT | ratio=REAL)" */
  const char *summary;    /* one line for `tpc list` */
  const char *declared;   /* the constants in symbols: "B(k/d)" */
  const char *theory;     /* "T2" */
  const char *const *keys;/* NULL-terminated parameter keys in canonical order
                             (NULL pointer: none) */
  unsigned nsub;          /* nested compressors: 0, 1 (scaled) or 2 (compose) */
  size_t work_size;       /* bytes of type-private state in c->priv */
  /* Read and validate parameters (c->d, c->n and c->sub are set), allocate
  ** workspace.  Returns TPC_OK or TPC_EINPUT/TPC_ENOMEM with a message. */
  int (*init)(tpc_comp *c, const tpc_spec *s);
  /* Frees what init allocated; may be NULL.  Also called after a failed
  ** init, so it must accept a partly initialized instance (unset pointers are
  ** NULL: the instance starts zeroed). */
  void (*destroy)(tpc_comp *c);
  void (*consts)(const tpc_comp *c, tpc_comp_consts *out);
  /* out = C(x), and exactly one part appended to msg (absolute = 0) such that
  ** coef * decode(part) equals out (up to the sign of zeros).  x and out do
  ** not alias.  x must be finite (callers check their inputs). */
  void (*compress_f32)(tpc_comp *c, const float *x, float *out,
                       tpc_msg *msg, const tpc_ctx *ctx);
  void (*compress_f64)(tpc_comp *c, const double *x, double *out,
                       tpc_msg *msg, const tpc_ctx *ctx);
  /* The kernel path a call of element type t runs, into buf: "avx512",
  ** "avx2" or "portable" (TopK adds its selection: "filter/avx512").  May be
  ** NULL: the type has one path, or (combinators) its parts' paths. */
  void (*path)(const tpc_comp *c, tpc_dtype t, char *buf, size_t size);
} tpc_comp_type;

struct tpc_comp {
  const tpc_comp_type *type;
  size_t d;
  size_t n;
  tpc_comp *sub[2];
  double par[4];   /* parameters as the type's init stored them */
  size_t k;        /* integer size parameter where the type has one */
  void *priv;      /* work_size bytes, zeroed, owned by the instance */
};

/* The lifecycle under the registry's builder (tpc_comp_alloc,
** registry/registry.h), which reads the spec tree: tpc_comp_instance_alloc
** returns a zeroed instance bound to d and n (NULL with *status and a
** message when out of memory); the builder sets c->sub from the spec's
** arguments; tpc_comp_instance_init gives the instance type t, its zeroed
** workspace of t->work_size bytes, and runs t's init on the spec s.  After
** a failure of either, tpc_comp_free releases what was built. */
tpc_comp *tpc_comp_instance_alloc(const tpc_spec *s, size_t d, size_t n, int *status);
int tpc_comp_instance_init(tpc_comp *c, const tpc_comp_type *t, const tpc_spec *s);

void tpc_comp_free(tpc_comp *c);

void tpc_comp_consts_get(const tpc_comp *c, tpc_comp_consts *out);

/* The kernel path of c's calls in element type t, as the type reports it;
** for a type without one, its parts' paths joined by '+' (each listed once),
** or "portable".  Timings of different paths are not comparable (`tpc
** bench` stores the path with each case, `tpc regress` matches on it).
** Returns buf. */
const char *tpc_comp_path(const tpc_comp *c, tpc_dtype t, char *buf, size_t size);

/* The built-in types (THEORY.md T2 and the combinators of T1) in the order
** `tpc list` shows them, NULL-terminated (comp/builtin.c); every registry
** starts with them. */
extern const tpc_comp_type *const tpc_builtin_comps[];

/* Append part to the '+'-joined list in buf unless it is listed already. */
void tpc_path_join(char *buf, size_t size, const char *part);

/* out = C(x) with c's kernel for the element type.  x must be finite: a NaN
** or an infinity is not an input of any compressor, and the kernel paths may
** then differ from one another (tpc's own callers check their inputs first). */
static inline void tpc_comp_compress_f32(tpc_comp *c, const float *x,
                                         float *out, tpc_msg *msg,
                                         const tpc_ctx *ctx) {
  c->type->compress_f32(c, x, out, msg, ctx);
}

static inline void tpc_comp_compress_f64(tpc_comp *c, const double *x,
                                         double *out, tpc_msg *msg,
                                         const tpc_ctx *ctx) {
  c->type->compress_f64(c, x, out, msg, ctx);
}


#endif
