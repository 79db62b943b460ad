/*
** Three-point compressors and related mechanisms (THEORY.md T3).
**
** A mechanism maps (h, y, x) to out = C_{h,y}(x) and the message the client
** sends; in Algorithm 1 (T4) h = g_i^t, y = grad f_i(x^t), x = grad f_i(x^{t+1}).
** Its declared constants are computed from its parts by the T3 table, so
** nesting (3PCv3 around any 3PC, 3PCv2 around any pair of compressors) keeps
** them right.  Like compressors, an instance is bound to d and n, owns its
** workspace, allocates nothing per call, and is not thread-safe.
**
** Bit-exactness: every apply builds its output by copying h and applying its
** own message to it with tpc_msg_apply_*, the very function the server uses,
** so the server's state equals the client's bit for bit.
*/
#ifndef TPC_MECH_H
#define TPC_MECH_H

#include <stddef.h>

#include "comp/comp.h"

/* Which inequality the declared constants are for. */
typedef enum {
  /* (3PC): E||C(x) - x||^2 <= (1 - A)||h - y||^2 + B||x - y||^2 per client */
  TPC_INEQ_3PC = 0,
  /* MARINA (T3): the same form for the average over n clients sharing the
  ** coin, with h, y, x the per-client vectors and the left side the error of
  ** the average; A = p, B = (1 - p) omega / n */
  TPC_INEQ_AGGREGATE,
  /* Shifted compressor / DIANA shift (T3): E||C_h(x) - x||^2 <= c ||x - h||^2 */
  TPC_INEQ_SHIFT
} tpc_ineq;

typedef struct tpc_mech_consts {
  tpc_ineq ineq;
  int has_AB;          /* A and B are declared (always for 3PC and AGGREGATE;
                          for SHIFT when c < 1, via the EF21 family of T3) */
  double A, B;
  double shift_c;      /* SHIFT: the constant c */
  int unbiased;        /* E out = x is also declared (shifted unbiased Q) */
  int deterministic;
  const char *src;     /* THEORY.md row: "T3 EF21", "T3 3PCv3", ... */
  double bits_claimed; /* as tpc_comp_consts.bits_claimed */
} tpc_mech_consts;

typedef struct tpc_mech tpc_mech;

/* How a mechanism type's positional arguments are read, one letter each:
** 'M' a mechanism, 'C' a compressor; a trailing '+' repeats the last letter
** one or more times ("C+" for AdaCGD's levels). */
typedef struct tpc_mech_type {
  const char *name;
  const char *synopsis;   /* "clag(C, zeta=REAL)" */
  const char *summary;
  const char *declared;   /* "A = 1 - sqrt(1-alpha), B = max{(1-alpha)/(1-sqrt(1-alpha)), zeta}" */
  const char *theory;     /* "T3 CLAG" */
  const char *args;       /* "", "C", "CC", "MC", "C+" */
  const char *const *keys;/* NULL-terminated parameter keys in canonical order */
  /* Validate parameters and the classes of the parts (m->comp, m->inner are
  ** built), allocate workspace.  TPC_OK, or TPC_EINPUT/TPC_ENOMEM. */
  int (*init)(tpc_mech *m, const tpc_spec *s);
  /* Frees what init allocated; may be NULL.  Also called after a failed
  ** init, so it must accept a partly initialized instance (zeroed start). */
  void (*destroy)(tpc_mech *m);
  void (*consts)(const tpc_mech *m, tpc_mech_consts *out);
  /* out = C_{h,y}(x) and msg (reset by the callee) such that applying msg to
  ** a copy of h gives out.  h, y, x, out have length d; out aliases none. */
  void (*apply_f32)(tpc_mech *m, const float *h, const float *y,
                    const float *x, float *out, tpc_msg *msg,
                    const tpc_ctx *ctx);
  void (*apply_f64)(tpc_mech *m, const double *h, const double *y,
                    const double *x, double *out, tpc_msg *msg,
                    const tpc_ctx *ctx);
} tpc_mech_type;

struct tpc_mech {
  const tpc_mech_type *type;
  size_t d;
  size_t n;
  tpc_mech *inner;       /* the 'M' argument, if any */
  size_t ncomp;          /* the 'C' arguments, in order */
  tpc_comp **comp;
  double par[4];         /* parameters as init stored them */
  void *work;            /* workspace allocated by init, freed by destroy */
};

/* The lifecycle under the registry's builder (tpc_mech_alloc,
** registry/registry.h), as for compressors: tpc_mech_instance_alloc returns
** a zeroed instance bound to d and n; the builder sets m->inner, m->comp and
** m->ncomp from the spec's arguments; tpc_mech_instance_init gives it type t
** and runs t's init on the spec s.  After a failure of either,
** tpc_mech_free releases what was built. */
tpc_mech *tpc_mech_instance_alloc(const tpc_spec *s, size_t d, size_t n, int *status);
int tpc_mech_instance_init(tpc_mech *m, const tpc_mech_type *t, const tpc_spec *s);

void tpc_mech_free(tpc_mech *m);

void tpc_mech_consts_get(const tpc_mech *m, tpc_mech_consts *out);

/* The kernel path of m's calls in element type t: its parts' paths
** (tpc_comp_path) joined by '+', each listed once; "portable" when it has
** no compressor.  Returns buf. */
const char *tpc_mech_path(const tpc_mech *m, tpc_dtype t, char *buf, size_t size);

static inline void tpc_mech_apply_f32(tpc_mech *m, const float *h,
                                      const float *y, const float *x,
                                      float *out, tpc_msg *msg,
                                      const tpc_ctx *ctx) {
  m->type->apply_f32(m, h, y, x, out, msg, ctx);
}

static inline void tpc_mech_apply_f64(tpc_mech *m, const double *h,
                                      const double *y, const double *x,
                                      double *out, tpc_msg *msg,
                                      const tpc_ctx *ctx) {
  m->type->apply_f64(m, h, y, x, out, msg, ctx);
}

/* The built-in types (THEORY.md T3) in the order `tpc list` shows them,
** NULL-terminated (mech/builtin.c); every registry starts with them. */
extern const tpc_mech_type *const tpc_builtin_mechs[];

/* 1 - sqrt(1 - a) without cancellation for small a (a in [0, 1]). */
double tpc_one_minus_sqrt1m(double a);

/* EF21's pair (T3) for a contractive alpha in (0, 1]: A = 1 - sqrt(1 - alpha),
** B = (1 - alpha)/A, without cancellation.  Use this form when alpha is the
** exact quantity (k/d): rounding q = 1 - alpha first costs ~25 ulps at 0.01. */
void tpc_ef21_constants_alpha(double alpha, double *A, double *B);

/* The same pair from the contraction q = 1 - alpha in [0, 1) when q is the
** exact quantity (a shift constant c = omega): A = 1 - sqrt(q), B = q/A. */
void tpc_ef21_constants(double q, double *A, double *B);

#endif
