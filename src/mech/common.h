/*
** Shared pieces of the built-in mechanisms (THEORY.md T3): the type objects,
** the workspace every built-in instance keeps in m->work, the readers of
** parameters and of the classes of the parts, the constant formulas more than
** one row of the T3 table uses, and the type-generic vector helpers of
** common_source.c.  Internal to src/mech: plugins see only mech/mech.h.
**
** Every kernel ends with tpc_mech_finish_*: out = h, then the message applied
** to it by tpc_msg_apply_* (the server's function), which is what makes the
** client's state and the server's copy agree bit for bit (mech.h).
*/
#ifndef TPC_MECH_COMMON_H
#define TPC_MECH_COMMON_H

#include <stddef.h>

#include "comp/comp.h"
#include "core/error.h"
#include "mech/mech.h"

/* The built-in types, listed in mech/builtin.c. */
extern const tpc_mech_type tpc_mech_gd;
extern const tpc_mech_type tpc_mech_ef21;
extern const tpc_mech_type tpc_mech_lag;
extern const tpc_mech_type tpc_mech_clag;
extern const tpc_mech_type tpc_mech_3pcv1;
extern const tpc_mech_type tpc_mech_3pcv2;
extern const tpc_mech_type tpc_mech_3pcv3;
extern const tpc_mech_type tpc_mech_3pcv4;
extern const tpc_mech_type tpc_mech_3pcv5;
extern const tpc_mech_type tpc_mech_adacgd;
extern const tpc_mech_type tpc_mech_marina;
extern const tpc_mech_type tpc_mech_shifted;
extern const tpc_mech_type tpc_mech_diana;

/* Allocate m->work as nbuf vectors of d doubles (a float kernel uses the same
** bytes).  Kernels give every compressor input and output its own vector, so
** a part stays valid until the next call whatever the compressor points at.
** TPC_OK or TPC_ENOMEM with a message naming the mechanism. */
int tpc_mech_work_alloc(tpc_mech *m, size_t nbuf);

/* The destroy callback of every built-in type: frees m->work (safe when
** init failed before allocating it). */
void tpc_mech_work_destroy(tpc_mech *m);

/* Vector i of the workspace. */
static inline void *tpc_mech_buf(const tpc_mech *m, size_t i) {
  return (double *)m->work + i * m->d;
}

/* The trigger parameter zeta (LAG, CLAG, AdaCGD): required, finite, >= 0;
** stored in m->par[slot]. */
int tpc_mech_param_zeta(tpc_mech *m, const tpc_spec *s, size_t slot);

/* A probability p (3PCv5, MARINA): required, 0 < p <= 1; m->par[slot]. */
int tpc_mech_param_prob(tpc_mech *m, const tpc_spec *s, size_t slot);

/* The constants of compressor argument i, or TPC_EINPUT with a message naming
** the mechanism, the position and the compressor when its class lacks `need`
** (TPC_CLASS_CONTRACTIVE or TPC_CLASS_UNBIASED). */
int tpc_mech_need_class(const tpc_mech *m, size_t i, tpc_class need,
                        tpc_comp_consts *k);

/* Alpha of compressor argument i (its class was checked at init). */
double tpc_mech_alpha(const tpc_mech *m, size_t i);

/* Whether every compressor argument declares itself deterministic. */
int tpc_mech_comps_deterministic(const tpc_mech *m);

/* Largest number of message parts one apply of m appends: refuses nestings
** that would overflow TPC_MSG_MAXPARTS at init.  A type outside the built-in
** table is assumed to use up to TPC_MSG_MAXPARTS - 1, which leaves room for
** one wrapper (mech.h declares no such count for plugins). */
size_t tpc_mech_maxparts(const tpc_mech *m);

/* Type-generic helpers (common_source.c):
**   sub:    out = a - b
**   dist2:  ||a - b||^2, differences and sum in double
**   finish: out = h, then msg applied to out (tpc_msg_apply)
**   dense:  copy v into workspace vector `slot` and append it as a DENSE
**           absolute part (the server replaces its copy with v)
**   skip:   append a SKIP part (the server keeps h)
**   compress_diff: append the part of c(a - b), with a - b in workspace
**           vector `slot` and c's output in slot + 1; returns the part
**   triggered: the LAG trigger ||x - h||^2 > zeta ||x - y||^2 (T3), one
**           definition for LAG, CLAG and AdaCGD so their tie rule agrees */
void tpc_mech_sub_f32(const float *restrict a, const float *restrict b, float *restrict out,
                      size_t d);
void tpc_mech_sub_f64(const double *restrict a, const double *restrict b,
                      double *restrict out, size_t d);
double tpc_mech_dist2_f32(const float *a, const float *b, size_t d);
double tpc_mech_dist2_f64(const double *a, const double *b, size_t d);
void tpc_mech_finish_f32(const tpc_mech *m, const float *h, const tpc_msg *msg,
                         float *out);
void tpc_mech_finish_f64(const tpc_mech *m, const double *h,
                         const tpc_msg *msg, double *out);
void tpc_mech_dense_f32(tpc_mech *m, const float *v, size_t slot,
                        tpc_msg *msg);
void tpc_mech_dense_f64(tpc_mech *m, const double *v, size_t slot,
                        tpc_msg *msg);
void tpc_mech_skip_f32(const tpc_mech *m, tpc_msg *msg);
void tpc_mech_skip_f64(const tpc_mech *m, tpc_msg *msg);
tpc_msg_part *tpc_mech_compress_diff_f32(tpc_mech *m, tpc_comp *c, const float *a,
                                         const float *b, size_t slot, tpc_msg *msg,
                                         const tpc_ctx *ctx);
tpc_msg_part *tpc_mech_compress_diff_f64(tpc_mech *m, tpc_comp *c, const double *a,
                                         const double *b, size_t slot, tpc_msg *msg,
                                         const tpc_ctx *ctx);
/* ||a1 - b1||^2 <= c ||a2 - b2||^2, both sums scaled by one power of two
** (the largest difference brought to [1/2, 1)) so that entries of 1e300 do
** not overflow to inf <= inf and entries of 1e-300 do not underflow to
** 0 <= 0: the comparison is right wherever the differences are finite.
** The LAG trigger and AdaCGD's early exits decide with it. */
int tpc_mech_dist2_le_f32(const float *a1, const float *b1, double c, const float *a2,
                          const float *b2, size_t d);
int tpc_mech_dist2_le_f64(const double *a1, const double *b1, double c, const double *a2,
                          const double *b2, size_t d);
int tpc_mech_triggered_f32(const float *h, const float *y, const float *x, double zeta,
                           size_t d);
int tpc_mech_triggered_f64(const double *h, const double *y, const double *x, double zeta,
                           size_t d);

#endif
