/*
** Algorithm 1 (THEORY.md T4): the runner declared in methods/alg1.h.
**
** One round is two parallel loops.  The client loop runs blocks of
** TPC_ALG1_CLIENTS clients: one call of the problem gives the block's new
** gradients, then each client its mechanism's message and new state, the
** message's bit counts and its share of G^t; with the wire check it also
** encodes, decodes and applies the message to the server's copy and
** compares the bits.  The
** aggregation loop runs over blocks of coordinates and sums the clients in
** client order, so the averages do not depend on the thread count.  On one
** thread the two loops are fused: each block's vectors are added to the sums
** right after its round, while in cache, each coordinate's clients in the
** same order.  A block's sums of squares (each client's four partial sums
** over j mod 4, as tpc_vec_dist2_4) run side by side, the same bits.  Every
** per-client scalar is kept in the client's slot and summed afterwards in
** client order for the same reason.
*/
#include "methods/alg1.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/vec.h"
#include "methods/runner.h"
#include "rng/pcg.h"
#include "wire/wire.h"

/* A gradient with ||grad f_i||^2 above this stops the run: every coordinate
** is then below 1e100, so the differences a mechanism forms stay finite. */
#define TPC_ALG1_GUARD 1e200

/* Coordinates per block of the aggregation loop (one block per task; each
** coordinate sums the clients in order whatever the blocks, so the size
** changes no bit).  1024 left a d = 1000 aggregation to one thread while
** the other waited: 128 took quad(d=1000,n=100) on 2 threads from 750-840
** to 530-690 us per iteration in 8 interleaved pairs (a noisy spell). */
#define TPC_ALG1_BLOCK 128

/* Spare vectors per thread: a gradient for each client of a block, and the
** mechanism's output, which one client at a time borrows. */
#define TPC_ALG1_SPARES (TPC_ALG1_CLIENTS + 1)

/* Two doubles, coordinates j and j+1 (an SSE2 register on x86-64; a GCC
** vector type, each lane's IEEE operations exactly as written): the four
** partial sums over j mod 4 that tpc_vec_norm2_4 and tpc_vec_dist2_4 keep
** are a pair of them, lanes 0, 1 and 2, 3. */
typedef double alg1_v2 __attribute__((vector_size(16)));

static inline alg1_v2 v2_load(const double *v) {
  alg1_v2 r;
  memcpy(&r, v, sizeof r);
  return r;
}

/* (s0 + s1) + (s2 + s3) of the four partial sums q[0] = (s0, s1), q[1] =
** (s2, s3), as tpc_vec_dist2_4 ends. */
static inline double v2_total(const alg1_v2 *q) {
  return (q[0][0] + q[0][1]) + (q[1][0] + q[1][1]);
}

typedef struct alg1_client {
  double *g;         /* g_i^t, the client's state */
  double *y;         /* grad f_i at the current evaluation point */
  /* Lent by the thread for the client's round (spare_lend), NULL between
  ** rounds: only g and y persist, which keeps n clients' vectors half as
  ** large (quad(d=1000,n=100): 1.6 MB, inside a 2 MB L2). */
  double *x;         /* grad f_i at the new point (scratch) */
  double *out;       /* the mechanism's output, swapped with g */
  double *srv;       /* the server's copy of g_i (allocated for a wire check) */
  double *h;         /* shifted clients: the shift h_i */
  double *hs;        /* shifted clients: the server's copy of h_i (wire check) */
  double *diff;      /* shifted clients: v_i - h_i */
  tpc_msg msg;
  tpc_msg hmsg;      /* shifted clients: the update of h_i */
  gsl_rng *rng;      /* private stream of the round */
  gsl_rng *shared;   /* the round's shared stream */
  uint8_t *buf;      /* wire buffer */
  size_t cap;
  double f;          /* f_i at the new point */
  double G;          /* ||g_i - y_i||^2 */
  double H;          /* ||h_i - h_i*||^2 before the round's update */
  uint64_t bits, paper;
  int bad;           /* non-finite or huge gradient */
  int status;        /* wire check failure */
  char err[200];
} alg1_client;

/* Over a network (alg1.h): a client's records of the round for the server,
** each an operation on its copies and, for a message, its wire bytes.  Kept
** apart from alg1_client, whose layout the one-process round is tuned to. */
typedef struct alg1_ops {
  uint8_t *buf;
  size_t len, cap;
} alg1_ops;

struct tpc_alg1 {
  const tpc_problem *p;
  const tpc_registry *reg;
  tpc_spec *method;   /* a copy, to build more instances */
  size_t d, n;
  size_t nmech;       /* mechanism instances: one per thread of the run */
  tpc_mech **mech;
  /* Scratch vectors a thread lends its clients (alg1_client.x, out), the
  ** buffers swapped in and out as a round's swaps move them:
  ** TPC_ALG1_SPARES per thread of the run. */
  size_t nspare;
  double **spare;
  alg1_client *c;
  tpc_mech_consts mc;
  tpc_comp *server;   /* EF21-P compressor or NULL */
  tpc_msg smsg;
  gsl_rng *srng;
  uint8_t *sbuf;
  size_t scap;
  double *x;          /* the model x^t */
  double *w;          /* the clients' point w^t (EF21-P) */
  double *wc;         /* the clients' decoded copy of w (wire check) */
  double *g;          /* the aggregate g^t */
  double *gf;         /* grad f at the evaluation point */
  double *e, *q;      /* server scratch: x - w and C_s(x - w) */
  double *zero;       /* a zero vector: h and y of the compressed init */
  uint64_t dense_bits;   /* a dense d-vector message, encoded */
  uint64_t dense_paper;
  /* shifted clients (alg1.h); rule NULL for Algorithm 1's mechanisms */
  const tpc_alg1_rule *rule;
  tpc_spec *qspec;    /* a copy of Q's spec, to build more instances */
  size_t nqinst;      /* Q instances: one per thread of the run */
  tpc_comp **qinst;
  double beta, prob;
  tpc_alg1_shift0 h0;
  const tpc_problem_optimum *opt;  /* NULL until known */
  void (*down)(const tpc_msg *m, double *w);
  double *xsum;       /* sum_{s=1}^t x^s (opts.average) */
  double *xbar;       /* xsum / t; grad f(x^t) (observe) */
  double *ox;         /* scratch of tpc_problem_full_grad (observe) */
  /* bidirectional 3PC (THEORY.md T10.1): the server's mechanism, its
  ** estimate g^t (a->g is the aggregate gbar^t), gbar^{t-1}, the
  ** mechanism's output, the clients' decoded copy of g^t (wire check); the
  ** message, stream and wire buffer are smsg, srng, sbuf (no EF21-P then) */
  tpc_mech *smech;
  double *gs, *gprev, *gout, *gsc;
  /* Over a network, rank 0: the server's copies of every client's g_i and
  ** h_i (the clients' own states live on their ranks), and the buffers the
  ** ranks' bytes arrive in and leave from. */
  double **ng, **nh;
  alg1_ops *ops;      /* every client's records (its own rank's used) */
  uint8_t *rbuf, *sbuf2;
  size_t rcap, scap2;
};

const char *tpc_alg1_stop_name(tpc_alg1_stop s) {
  switch (s) {
    case TPC_ALG1_STOP_T: return "T";
    case TPC_ALG1_STOP_EPS: return "eps";
    case TPC_ALG1_STOP_BITS: return "bits";
    case TPC_ALG1_STOP_DIVERGED: return "diverged";
    case TPC_ALG1_STOP_F: return "f";
    default: return "cancelled";
  }
}

void tpc_alg1_opts_init(tpc_alg1_opts *o) {
  memset(o, 0, sizeof *o);
  o->T = 1000;
  o->threads = 1;
  o->record_every = 1;
  o->x0 = TPC_ALG1_X0_PROBLEM;
  o->init = TPC_ALG1_INIT_EXACT;
}

void tpc_alg1_result_free(tpc_alg1_result *r) {
  if (!r) return;
  free(r->points);
  r->points = NULL;
  r->npoints = 0;
}

double tpc_alg1_step_theorem1(double Lminus, double Lplus, double A, double B) {
  return 1.0 / (Lminus + Lplus * sqrt(B / A));
}

double tpc_alg1_step_pl(double Lminus, double Lplus, double A, double B, double mu) {
  return fmin(1.0 / (Lminus + Lplus * sqrt(2.0 * B / A)), A / (2.0 * mu));
}

/* ---- set-up -------------------------------------------------------------- */

static double *vec_alloc(size_t d) { return tpc_calloc_aligned(d, sizeof(double)); }

static void client_free(alg1_client *c) {
  free(c->g);
  free(c->y);
  free(c->srv);
  free(c->h);
  free(c->hs);
  free(c->diff);
  free(c->buf);
  if (c->rng) gsl_rng_free(c->rng);
  if (c->shared) gsl_rng_free(c->shared);
}

static void net_copies_free(tpc_alg1 *a) {
  for (size_t i = 0; a->ng && i < a->n; i++) free(a->ng[i]);
  for (size_t i = 0; a->nh && i < a->n; i++) free(a->nh[i]);
  for (size_t i = 0; a->ops && i < a->n; i++) free(a->ops[i].buf);
  free(a->ops);
  a->ops = NULL;
  free(a->ng);
  free(a->nh);
  a->ng = a->nh = NULL;
}

void tpc_alg1_free(tpc_alg1 *a) {
  if (!a) return;
  if (a->c)
    for (size_t i = 0; i < a->n; i++) client_free(&a->c[i]);
  free(a->c);
  net_copies_free(a);
  free(a->rbuf);
  free(a->sbuf2);
  for (size_t k = 0; k < a->nmech; k++) tpc_mech_free(a->mech[k]);
  free(a->mech);
  for (size_t k = 0; k < a->nspare; k++) free(a->spare[k]);
  free(a->spare);
  tpc_spec_free(a->method);
  for (size_t k = 0; k < a->nqinst; k++) tpc_comp_free(a->qinst[k]);
  free(a->qinst);
  tpc_spec_free(a->qspec);
  free(a->xsum);
  free(a->xbar);
  free(a->ox);
  tpc_comp_free(a->server);
  tpc_mech_free(a->smech);
  free(a->gs);
  free(a->gprev);
  free(a->gout);
  free(a->gsc);
  if (a->srng) gsl_rng_free(a->srng);
  free(a->sbuf);
  free(a->x);
  free(a->w);
  free(a->wc);
  free(a->g);
  free(a->gf);
  free(a->e);
  free(a->q);
  free(a->zero);
  free(a);
}

static int client_alloc(tpc_alg1 *a, alg1_client *c) {
  size_t d = a->d;
  c->g = vec_alloc(d);
  c->y = vec_alloc(d);
  c->rng = gsl_rng_alloc(gsl_rng_pcg64);
  c->shared = gsl_rng_alloc(gsl_rng_pcg64);
  if (a->rule) {
    c->h = vec_alloc(d);
    c->diff = vec_alloc(d);
  }
  if (!c->g || !c->y || !c->rng || !c->shared ||
      (a->rule && (!c->h || !c->diff)))
    return tpc_error(TPC_ENOMEM, "alg1: out of memory for a client (d = %zu)", d);
  return TPC_OK;
}

static int server_alloc(tpc_alg1 *a, const tpc_registry *reg, const tpc_spec *server) {
  int status;
  tpc_comp_consts k;
  if (tpc_registry_kind(reg, server->name) != TPC_KIND_COMP)
    return tpc_error(TPC_EINPUT, "--server '%s' is not a compressor", server->name);
  a->server = tpc_comp_alloc(reg, server, a->d, a->n, &status);
  if (!a->server) return tpc_error_prefix(status, "--server: ");
  tpc_comp_consts_get(a->server, &k);
  if (!(k.cls & TPC_CLASS_CONTRACTIVE))
    return tpc_error(TPC_EINPUT,
                     "--server %s is not contractive: EF21-P (T4) needs a "
                     "compressor in B(alpha)",
                     server->name);
  a->srng = gsl_rng_alloc(gsl_rng_pcg64);
  a->e = vec_alloc(a->d);
  a->q = vec_alloc(a->d);
  a->wc = vec_alloc(a->d);
  if (!a->srng || !a->e || !a->q || !a->wc)
    return tpc_error(TPC_ENOMEM, "alg1: out of memory for the server compressor");
  return TPC_OK;
}

/* Bits of one dense d-vector message (the exact initialization, and the
** uncompressed broadcast). */
static void dense_bits(tpc_alg1 *a) {
  tpc_msg m;
  tpc_msg_reset(&m);
  tpc_msg_part *pt = tpc_msg_add(&m, TPC_MSG_DENSE, TPC_F64, a->d);
  pt->absolute = 1;
  pt->val = a->zero;
  a->dense_bits = tpc_wire_bits(&m, TPC_WIRE_AUTO);
  a->dense_paper = tpc_wire_paper_bits(&m);
}

/* At least `count` mechanism instances.  A mechanism keeps no state between
** calls (its result is fixed by h, y, x and the streams: mech.h), so one
** instance per thread serves every client that thread runs; a client's
** message is used before the thread's next call. */
static int mech_instances(tpc_alg1 *a, size_t count) {
  int status;
  if (count <= a->nmech) return TPC_OK;
  tpc_mech **m = realloc(a->mech, count * sizeof *m);
  if (!m) return tpc_error(TPC_ENOMEM, "alg1: out of memory");
  a->mech = m;
  while (a->nmech < count) {
    if (!(m[a->nmech] = tpc_mech_alloc(a->reg, a->method, a->d, a->n, &status))) return status;
    a->nmech++;
  }
  return TPC_OK;
}

/* Q instances for shifted clients, as mech_instances: a compressor's
** message points into its workspace and is used before the thread's next
** call. */
static int q_instances(tpc_alg1 *a, size_t count) {
  int status;
  if (count <= a->nqinst) return TPC_OK;
  tpc_comp **q = realloc(a->qinst, count * sizeof *q);
  if (!q) return tpc_error(TPC_ENOMEM, "alg1: out of memory");
  a->qinst = q;
  while (a->nqinst < count) {
    if (!(q[a->nqinst] = tpc_comp_alloc(a->reg, a->qspec, a->d, a->n, &status))) return status;
    a->nqinst++;
  }
  return TPC_OK;
}

/* The spare vectors for a run on `count` threads (alg1_client.x, out). */
static int spare_vectors(tpc_alg1 *a, size_t count) {
  size_t want = count * TPC_ALG1_SPARES;
  if (want <= a->nspare) return TPC_OK;
  double **v = realloc(a->spare, want * sizeof *v);
  if (!v) return tpc_error(TPC_ENOMEM, "alg1: out of memory");
  a->spare = v;
  for (; a->nspare < want; a->nspare++)
    if (!(v[a->nspare] = vec_alloc(a->d)))
      return tpc_error(TPC_ENOMEM, "alg1: out of memory (d = %zu)", a->d);
  return TPC_OK;
}

/* The clients' instances and spare vectors for a run on `count` threads. */
static int instances(tpc_alg1 *a, size_t count) {
  int rc = spare_vectors(a, count);
  if (rc) return rc;
  return a->rule ? q_instances(a, count) : mech_instances(a, count);
}

/* The parts every instance has: vectors, clients (after a->rule is set),
** the server compressor. */
static int alg1_core(tpc_alg1 *a, const tpc_spec *server) {
  int rc = TPC_OK;
  a->x = vec_alloc(a->d);
  a->w = vec_alloc(a->d);
  a->g = vec_alloc(a->d);
  a->gf = vec_alloc(a->d);
  a->zero = vec_alloc(a->d);
  a->xsum = vec_alloc(a->d);
  a->xbar = vec_alloc(a->d);
  a->ox = vec_alloc(a->d);
  a->c = calloc(a->n, sizeof *a->c);
  if (!a->x || !a->w || !a->g || !a->gf || !a->zero || !a->xsum || !a->xbar || !a->ox || !a->c)
    return tpc_error(TPC_ENOMEM, "alg1: out of memory (d = %zu, n = %zu)", a->d, a->n);
  if ((rc = instances(a, 1))) return rc;
  for (size_t i = 0; i < a->n && !rc; i++) rc = client_alloc(a, &a->c[i]);
  if (!rc && server) rc = server_alloc(a, a->reg, server);
  if (!rc) dense_bits(a);
  return rc;
}

static tpc_alg1 *alg1_new(const tpc_problem *p, const tpc_registry *reg, int *status) {
  tpc_alg1 *a = calloc(1, sizeof *a);
  if (!a) {
    *status = tpc_error(TPC_ENOMEM, "alg1: out of memory");
    return NULL;
  }
  a->p = p;
  a->d = p->d;
  a->n = p->n;
  a->reg = reg;
  a->down = tpc_msg_apply_f64;
  return a;
}

static tpc_alg1 *alg1_done(tpc_alg1 *a, int rc, int *status) {
  *status = rc;
  if (!rc) return a;
  tpc_alg1_free(a);
  return NULL;
}

tpc_alg1 *tpc_alg1_alloc(const tpc_problem *p, const tpc_registry *reg,
                         const tpc_spec *method, const tpc_spec *server,
                         int *status) {
  int rc = TPC_OK;
  tpc_alg1 *a = alg1_new(p, reg, status);
  if (!a) return NULL;
  if (tpc_registry_kind(reg, method->name) != TPC_KIND_MECH)
    rc = tpc_error(TPC_EINPUT,
                   "method '%s' is not a mechanism (a compressor C runs as "
                   "ef21(C), an unbiased Q as marina(Q, p=...))",
                   method->name);
  else if (!(a->method = tpc_spec_copy(method)))
    rc = tpc_error(TPC_ENOMEM, "alg1: out of memory");
  if (!rc) rc = alg1_core(a, server);
  if (!rc) tpc_mech_consts_get(a->mech[0], &a->mc);
  return alg1_done(a, rc, status);
}

/* The server's mechanism of T10.1.  It is one node: it compresses one
** vector, the aggregate gbar, against its own state g, so it is built for
** n = 1; a mechanism's n counts the senders that share its coin or its
** permutation (MARINA's B = (1-p) omega/n, PermK's blocks), and the server
** has no peers.  MARINA's inequality bounds the error of an average over n
** senders, not of one node's state, so it is refused: T10.2's recursion of
** S = ||g - gbar||^2 needs a per-node pair (A_s, B_s). */
static int server_mech_alloc(tpc_alg1 *a, const tpc_spec *spec) {
  int status;
  tpc_mech_consts k;
  char text[256];
  tpc_spec_print(spec, text, sizeof text);
  if (tpc_registry_kind(a->reg, spec->name) != TPC_KIND_MECH)
    return tpc_error(TPC_EINPUT, "the server's '%s' is not a mechanism", text);
  if (!(a->smech = tpc_mech_alloc(a->reg, spec, a->d, 1, &status)))
    return tpc_error_prefix(status, "the server's mechanism %s: ", text);
  tpc_mech_consts_get(a->smech, &k);
  if (k.ineq == TPC_INEQ_AGGREGATE)
    return tpc_error(TPC_EINPUT,
                     "the server's mechanism %s declares an aggregate inequality (over n "
                     "clients sharing a coin): the server is one node and needs a "
                     "per-node 3PC pair (THEORY.md T10.1)",
                     text);
  a->gs = vec_alloc(a->d);
  a->gprev = vec_alloc(a->d);
  a->gout = vec_alloc(a->d);
  a->gsc = vec_alloc(a->d);
  if (!a->srng) a->srng = gsl_rng_alloc(gsl_rng_pcg64);
  if (!a->gs || !a->gprev || !a->gout || !a->gsc || !a->srng)
    return tpc_error(TPC_ENOMEM, "alg1: out of memory for the server's mechanism");
  return TPC_OK;
}

tpc_alg1 *tpc_alg1_alloc_bidir(const tpc_problem *p, const tpc_registry *reg,
                               const tpc_spec *method, const tpc_spec *server_mech,
                               int *status) {
  tpc_alg1 *a = tpc_alg1_alloc(p, reg, method, NULL, status);
  if (!a) return NULL;
  int rc = server_mech_alloc(a, server_mech);
  tpc_mech_consts k;
  if (!rc) {
    tpc_mech_consts_get(a->smech, &k);
    a->mc.deterministic = a->mc.deterministic && k.deterministic;
  }
  return alg1_done(a, rc, status);
}

/* Q's class and what the shifts need, before anything is built. */
static int shifted_check(tpc_alg1 *a, const tpc_alg1_shifted *s) {
  tpc_comp_consts k;
  char text[256];
  tpc_comp_consts_get(a->qinst[0], &k);
  tpc_spec_print(s->Q, text, sizeof text);
  if (!(k.cls & TPC_CLASS_UNBIASED))
    return tpc_error(TPC_EINPUT,
                     "the clients' compressor %s is not unbiased: shifted "
                     "compression (THEORY.md T8, T9) needs Q in U(omega)",
                     text);
  a->mc.deterministic = k.deterministic && !s->rule->randomized;
  if (s->h0 == TPC_ALG1_SHIFT0_STAR && !a->opt)
    return tpc_error(TPC_EINPUT,
                     "shift=star needs the minimiser x* of problem %s, and none is known",
                     a->p->type->name);
  return TPC_OK;
}

tpc_alg1 *tpc_alg1_alloc_shifted(const tpc_problem *p, const tpc_registry *reg,
                                 const tpc_alg1_shifted *s, const tpc_spec *server,
                                 int *status) {
  int rc = TPC_OK;
  tpc_alg1 *a = alg1_new(p, reg, status);
  if (!a) return NULL;
  a->rule = s->rule;
  a->beta = s->beta;
  a->prob = s->p;
  a->h0 = s->h0;
  a->opt = s->optimum;
  if (!a->opt && s->h0 == TPC_ALG1_SHIFT0_STAR) a->opt = tpc_problem_optimum(p);
  if (tpc_registry_kind(reg, s->Q->name) != TPC_KIND_COMP)
    rc = tpc_error(TPC_EINPUT, "'%s' is not a compressor", s->Q->name);
  else if (!(a->qspec = tpc_spec_copy(s->Q)))
    rc = tpc_error(TPC_ENOMEM, "alg1: out of memory");
  if (!rc) rc = alg1_core(a, server);
  if (!rc) rc = shifted_check(a, s);
  return alg1_done(a, rc, status);
}

void tpc_alg1_set_downlink(tpc_alg1 *a, void (*apply)(const tpc_msg *m, double *w)) {
  a->down = apply ? apply : tpc_msg_apply_f64;
}

void tpc_alg1_set_optimum(tpc_alg1 *a, const tpc_problem_optimum *opt) { a->opt = opt; }

const double *tpc_alg1_model_x(const tpc_alg1 *a) { return a->x; }

const double *tpc_alg1_client_shift(const tpc_alg1 *a, size_t i) { return a->c[i].h; }

void tpc_alg1_consts(const tpc_alg1 *a, tpc_mech_consts *out) { *out = a->mc; }

int tpc_alg1_bidirectional(const tpc_alg1 *a) { return a->server != NULL; }

int tpc_alg1_server_consts(const tpc_alg1 *a, tpc_comp_consts *k) {
  if (!a->server) return 0;
  tpc_comp_consts_get(a->server, k);
  return 1;
}

const tpc_problem *tpc_alg1_problem(const tpc_alg1 *a) { return a->p; }

const double *tpc_alg1_point_x(const tpc_alg1 *a) { return a->server ? a->w : a->x; }

/* ---- one round ------------------------------------------------------------ */

typedef struct alg1_round {
  tpc_alg1 *a;
  const tpc_alg1_opts *o;
  const double *pt;    /* the evaluation point */
  uint64_t t1;         /* stream index of the round: t + 1, 0 for the init */
  char *work;          /* problem work buffers, one per thread */
  size_t work_size;
  /* Over a network (o->net): this rank's blocks of clients, its sums of
  ** times, and the gradients' and the rest's thread-seconds per thread. */
  size_t b_lo, b_hi;
  tpc_alg1_net_times *tm;
  double *tgrad, *tcomp;
} alg1_round;

/* The records of a client's round for the server over a network: apply a
** message to the copy of g_i or h_i, copy h_i's into g_i's, or an error. */
enum { NET_OP_G = 'g', NET_OP_H = 'h', NET_OP_COPY = 'c', NET_OP_ERR = 'e' };

static void client_fail(alg1_client *c, int rc) {
  c->status = rc;
  snprintf(c->err, sizeof c->err, "%s", tpc_error_msg());
}

/* Append record `op` with len payload bytes to the client's records; the
** payload is written by the caller at the returned place (NULL: out of
** memory, the client's status says so). */
static uint8_t *net_record(const tpc_alg1 *a, alg1_client *c, int op, size_t len) {
  alg1_ops *o = &a->ops[c - a->c];
  size_t need = o->len + 1 + sizeof(uint64_t) + len;
  if (need > o->cap) {
    size_t cap = need > 2 * o->cap ? need : 2 * o->cap;
    uint8_t *b = realloc(o->buf, cap);
    if (!b) {
      client_fail(c, tpc_error(TPC_ENOMEM, "out of memory for a %zu-byte record", need));
      return NULL;
    }
    o->buf = b;
    o->cap = cap;
  }
  uint8_t *at = o->buf + o->len;
  uint64_t l = len;
  at[0] = (uint8_t)op;
  memcpy(at + 1, &l, sizeof l);
  o->len = need;
  return at + 1 + sizeof l;
}

/* Over a network: message m in its wire bytes, for the server's copy of g_i
** (op NET_OP_G) or h_i (NET_OP_H). */
static void net_message(const tpc_alg1 *a, alg1_client *c, int op, const tpc_msg *m) {
  size_t size = tpc_wire_size(m, TPC_WIRE_AUTO), len = 0;
  uint8_t *at = c->status ? NULL : net_record(a, c, op, size);
  if (!at) return;
  int rc = tpc_wire_encode(m, TPC_WIRE_AUTO, at, size, &len);
  if (rc) client_fail(c, rc);
}

/* With the wire check, apply message m to the server's copy `copy` and
** compare it with the client's `state`. */
static void client_wire(const alg1_round *r, alg1_client *c, const tpc_msg *m, int to_h,
                        const double *state) {
  size_t d = r->a->d;
  double *copy = to_h ? c->hs : c->srv;
  if (r->o->net) net_message(r->a, c, to_h ? NET_OP_H : NET_OP_G, m);
  if (!r->o->wire_check || c->status) return;
  int rc = tpc_runner_wire_apply(m, copy, d, &c->buf, &c->cap, tpc_msg_apply_f64);
  if (!rc && memcmp(copy, state, d * sizeof(double)) != 0)
    rc = tpc_error(TPC_EINTERNAL,
                   "the server's copy differs from the client's state after "
                   "decoding its message");
  if (rc) client_fail(c, rc);
}

/* Add message m's bits to client c's count. */
static void client_bits(alg1_client *c, const tpc_msg *m) {
  c->bits += tpc_wire_bits(m, TPC_WIRE_AUTO);
  c->paper += tpc_wire_paper_bits(m);
}

/* Account for client c's message, and with the wire check apply it to the
** server's copy and compare with the client's new state `state`. */
static void client_message(const alg1_round *r, alg1_client *c, const double *state) {
  client_bits(c, &c->msg);
  client_wire(r, c, &c->msg, 0, state);
}

static void client_streams(const alg1_round *r, size_t i, alg1_client *c) {
  const tpc_alg1 *a = r->a;
  uint64_t slot = r->o->rep * (a->n + 1) + i;
  tpc_rng_stream(c->rng, r->o->seed, TPC_PURPOSE_CLIENT, (slot << 32) | r->t1);
  tpc_rng_stream(c->shared, r->o->seed, TPC_PURPOSE_SHARED, (r->o->rep << 32) | r->t1);
}

/* ||a_k - b_k||^2 into out[k] for `group` pairs, each in
** tpc_vec_dist2_4's four partial sums over j mod 4 (the same bits), the
** pairs side by side: one pair's sum is a chain of d/4 dependent additions
** whose latency bounded the pass.  Inlined with a constant group
** (TPC_ALG1_CLIENTS), so that the loop over pairs unrolls and the sums stay
** in registers. */
static inline __attribute__((always_inline)) void dist2_group(const double *const *a,
                                                              const double *const *b,
                                                              size_t d, double *out,
                                                              size_t group) {
  alg1_v2 q[TPC_ALG1_CLIENTS][2] = {{{0}}};
  size_t j = 0;
  for (; j + 4 <= d; j += 4)
#pragma GCC unroll 4
    for (size_t k = 0; k < group; k++)
#pragma GCC unroll 2
      for (size_t h = 0; h < 2; h++) {
        alg1_v2 t = v2_load(a[k] + j + 2 * h) - v2_load(b[k] + j + 2 * h);
        q[k][h] += t * t;
      }
  for (size_t k = 0; k < group; k++) {
    for (size_t l = j; l < d; l++) q[k][0][0] += (a[k][l] - b[k][l]) * (a[k][l] - b[k][l]);
    out[k] = v2_total(q[k]);
  }
}

/* dist2_group over a block of count <= TPC_ALG1_CLIENTS pairs; a short
** block pair by pair (tpc_vec_dist2_4: the same bits). */
static void dist2_block(const double *const *a, const double *const *b, size_t count,
                        size_t d, double *out) {
  if (count == TPC_ALG1_CLIENTS)
    dist2_group(a, b, d, out, TPC_ALG1_CLIENTS);
  else
    for (size_t k = 0; k < count; k++) out[k] = tpc_vec_dist2_4(a[k], b[k], d);
}

/* The gradients of the count clients from i0 at the round's point into
** their c->x, and their norms for the guard, in one call of the problem
** (tpc_problem_grad_many); flags a client bad when its gradient is
** non-finite or beyond the guard. */
static void clients_grad(const alg1_round *r, size_t i0, size_t count, void *work) {
  const tpc_alg1 *a = r->a;
  double *g[TPC_ALG1_CLIENTS] = {0}, f[TPC_ALG1_CLIENTS], nx[TPC_ALG1_CLIENTS];
  for (size_t k = 0; k < count; k++) {
    alg1_client *c = &a->c[i0 + k];
    c->bits = c->paper = 0;
    g[k] = c->x;
  }
  tpc_problem_grad_many(a->p, i0, count, r->pt, g, f, nx, work);
  for (size_t k = 0; k < count; k++) {
    alg1_client *c = &a->c[i0 + k];
    c->f = f[k];
    c->bad = !(isfinite(c->f) && nx[k] <= TPC_ALG1_GUARD);
  }
}

static void swap_vec(double **a, double **b) {
  double *t = *a;
  *a = *b;
  *b = t;
}

/* ---- shifted clients (alg1.h) ---------------------------------------------- */

/* h_i^* of client i for the observables and the star shift: grad f_i(x*),
** or for a model method T_i(x*) = x* - gamma grad f_i(x*) (T8.5), at j. */
static double shift_star(const tpc_alg1 *a, double gamma, size_t i, size_t j) {
  double hj = a->opt->h[i * a->d + j];
  return a->rule->model ? a->opt->x[j] - gamma * hj : hj;
}

static double shift_dist2(const tpc_alg1 *a, double gamma, size_t i, const double *h) {
  double s = 0;
  for (size_t j = 0; j < a->d; j++) {
    double e = h[j] - shift_star(a, gamma, i, j);
    s += e * e;
  }
  return s;
}

/* Client i's round with a shift: m_i = Q(v_i - h_i), e_i = h_i + m_i (in
** c->g, applied as the server applies it), then the rule's update of h_i.
** c->x holds grad f_i at the round's point; c->out serves as scratch. */
static void shifted_round(const alg1_round *r, size_t i, tpc_comp *Q) {
  const tpc_alg1 *a = r->a;
  alg1_client *c = &r->a->c[i];
  size_t d = a->d;
  double gamma = r->o->gamma;
  for (size_t j = 0; j < d; j++)
    c->diff[j] = a->rule->model ? (r->pt[j] - gamma * c->x[j]) - c->h[j] : c->x[j] - c->h[j];
  client_streams(r, i, c);
  tpc_ctx ctx = {.rng = c->rng, .shared = c->shared, .client = i};
  tpc_msg_reset(&c->msg);
  tpc_comp_compress_f64(Q, c->diff, c->out, &c->msg, &ctx);
  c->H = r->o->observe && a->opt ? shift_dist2(a, gamma, i, c->h) : NAN;
  memcpy(c->g, c->h, d * sizeof(double));
  tpc_msg_apply_f64(&c->msg, c->g);
  client_bits(c, &c->msg);
  if (r->o->wire_check) memcpy(c->srv, c->hs, d * sizeof(double));
  if (r->o->net && !c->status) net_record(a, c, NET_OP_COPY, 0);
  client_wire(r, c, &c->msg, 0, c->g);
  if (!a->rule->shift) return;
  tpc_alg1_shift_step st = {.client = i, .d = d, .grad = c->x, .diff = c->diff,
                            .msg = &c->msg, .beta = a->beta, .p = a->prob, .Q = Q,
                            .ctx = &ctx, .scratch = c->out};
  tpc_msg_reset(&c->hmsg);
  if (a->rule->shift(&st, c->h, &c->hmsg)) client_bits(c, &c->hmsg);
  if (c->hmsg.nparts) client_wire(r, c, &c->hmsg, 1, c->h);
}

/* h_i^0 by the method's start (alg1.h), c->x holding grad f_i(x^0); the
** server's copy receives the same. */
static void shifted_start(const alg1_round *r, size_t i) {
  const tpc_alg1 *a = r->a;
  alg1_client *c = &r->a->c[i];
  size_t d = a->d;
  if (a->h0 == TPC_ALG1_SHIFT0_ZERO) {
    memset(c->h, 0, d * sizeof(double));
  } else if (a->h0 == TPC_ALG1_SHIFT0_STAR) {
    for (size_t j = 0; j < d; j++) c->h[j] = shift_star(a, r->o->gamma, i, j);
  } else {
    memcpy(c->h, c->x, d * sizeof(double));
    tpc_msg_reset(&c->hmsg);
    tpc_msg_part *pt = tpc_msg_add(&c->hmsg, TPC_MSG_DENSE, TPC_F64, d);
    pt->absolute = 1;
    pt->val = c->h;
    client_bits(c, &c->hmsg);
    client_wire(r, c, &c->hmsg, 1, c->h);
    return;
  }
  if (c->hs) memcpy(c->hs, c->h, d * sizeof(double));
}

/* Round t of T4 for client i, its gradient in c->x (clients_grad):
** g_i^{t+1} = C_{g_i^t, y_i}(grad f_i(x^{t+1})).  G_i = ||g_i - y_i||^2
** after this and client_init is the callers' (on one thread, fused with the
** sums). */
static void client_round(const alg1_round *r, size_t i, size_t th) {
  alg1_client *c = &r->a->c[i];
  if (c->bad) return;
  if (r->a->rule) {
    shifted_round(r, i, r->a->qinst[th]);
    swap_vec(&c->y, &c->x);
    return;
  }
  tpc_mech *mech = r->a->mech[th];
  client_streams(r, i, c);
  tpc_ctx ctx = {.rng = c->rng, .shared = c->shared, .client = i};
  tpc_mech_apply_f64(mech, c->g, c->y, c->x, c->out, &c->msg, &ctx);
  client_message(r, c, c->out);
  swap_vec(&c->g, &c->out);
  swap_vec(&c->y, &c->x);
}

/* g_i^0 for client i by the initialization of r->o (the server's copy starts
** at zero and receives the same message); shifted clients start their shift
** and run their first round. */
static void client_init(const alg1_round *r, size_t i, size_t th) {
  tpc_alg1 *a = r->a;
  alg1_client *c = &a->c[i];
  size_t d = a->d;
  if (c->bad) return;
  if (a->rule) {
    shifted_start(r, i);
    shifted_round(r, i, a->qinst[th]);
    swap_vec(&c->y, &c->x);
    return;
  }
  tpc_mech *mech = a->mech[th];
  swap_vec(&c->y, &c->x);
  if (c->srv) memset(c->srv, 0, d * sizeof(double));
  tpc_msg_reset(&c->msg);
  if (r->o->init == TPC_ALG1_INIT_EXACT) {
    tpc_msg_part *pt = tpc_msg_add(&c->msg, TPC_MSG_DENSE, TPC_F64, d);
    pt->absolute = 1;
    pt->val = c->y;
    memcpy(c->g, c->y, d * sizeof(double));
  } else if (r->o->init == TPC_ALG1_INIT_ZERO) {
    memset(c->g, 0, d * sizeof(double)); /* nothing is sent */
    return;
  } else {
    client_streams(r, i, c);
    tpc_ctx ctx = {.rng = c->rng, .shared = c->shared, .client = i};
    tpc_mech_apply_f64(mech, a->zero, a->zero, c->y, c->g, &c->msg, &ctx);
  }
  client_message(r, c, c->g);
}

int tpc_alg1_threads(const tpc_problem *p, int threads) {
  if (threads <= 1 || p->n * p->d < TPC_ALG1_PAR_VALUES) return 1;
  return (size_t)threads < p->n ? threads : (int)p->n;
}

static int client_threads(const tpc_alg1 *a, const tpc_alg1_opts *o) {
  return tpc_alg1_threads(a->p, o->threads);
}

/* The block of count clients from i0: their gradients (clients_grad), then
** each client's round, or its initialization when init is set; thread th
** lends the clients its spare vectors for their scratch and takes back
** whichever buffers the round's swaps left there. */
static void block_run(const alg1_round *r, size_t i0, size_t count, size_t th, void *work,
                      int init) {
  double **spare = r->a->spare + th * TPC_ALG1_SPARES;
  double t0 = r->tgrad ? r->o->net->wtime() : 0, t1 = 0;
  for (size_t k = 0; k < count; k++) r->a->c[i0 + k].x = spare[k];
  clients_grad(r, i0, count, work);
  if (r->tgrad) t1 = r->o->net->wtime();
  for (size_t k = 0; k < count; k++) {
    alg1_client *c = &r->a->c[i0 + k];
    c->out = spare[TPC_ALG1_CLIENTS];
    if (init)
      client_init(r, i0 + k, th);
    else
      client_round(r, i0 + k, th);
    spare[k] = c->x; /* the buffers the swaps left with the client's scratch */
    spare[TPC_ALG1_CLIENTS] = c->out;
    c->x = c->out = NULL;
  }
  if (r->tgrad) {
    r->tgrad[th] += t1 - t0;
    r->tcomp[th] += r->o->net->wtime() - t1;
  }
}

/* The clients' states g_i and gradients y_i of a block, by pointer. */
static void block_vectors(const tpc_alg1 *a, size_t i0, size_t count, const double **g,
                          const double **y) {
  for (size_t k = 0; k < count; k++) {
    g[k] = a->c[i0 + k].g;
    y[k] = a->c[i0 + k].y;
  }
}

static size_t block_count(const tpc_alg1 *a, size_t i0) {
  return a->n - i0 < TPC_ALG1_CLIENTS ? a->n - i0 : TPC_ALG1_CLIENTS;
}

/* The round's blocks [r->b_lo, r->b_hi): all of them in one process, this
** rank's over a network. */
static void clients_run(const alg1_round *r, int init) {
  const tpc_alg1 *a = r->a;
  long lo = (long)r->b_lo, hi = (long)r->b_hi;
#pragma omp parallel for num_threads(client_threads(r->a, r->o)) schedule(static)
  for (long b = lo; b < hi; b++) {
    size_t th = (size_t)omp_get_thread_num(), i0 = (size_t)b * TPC_ALG1_CLIENTS;
    size_t count = block_count(a, i0);
    const double *g[TPC_ALG1_CLIENTS], *y[TPC_ALG1_CLIENTS];
    double G[TPC_ALG1_CLIENTS];
    block_run(r, i0, count, th, r->work + th * r->work_size, init);
    block_vectors(a, i0, count, g, y);
    dist2_block(g, y, count, a->d, G);
    for (size_t k = 0; k < count; k++) a->c[i0 + k].G = G[k];
  }
}

/* acc[j] += s_k[j] and accf[j] += y_k[j] for j < d and the `group` clients
** k in order, and G[k] = ||g_k - y_k||^2 as dist2_group sums it: one pass
** over the clients' vectors instead of three, their chains side by side
** (inlined with a constant group, as dist2_group).  s_k is the server's
** copy of g_k (the same values; its own buffer under the wire check). */
static inline __attribute__((always_inline)) void fold_group(
    double *restrict acc, double *restrict accf, const double *const *s,
    const double *const *g, const double *const *y, size_t d, double *G, size_t group) {
  alg1_v2 q[TPC_ALG1_CLIENTS][2] = {{{0}}};
  size_t j = 0;
  for (; j + 4 <= d; j += 4)
#pragma GCC unroll 2
    for (size_t h = 0; h < 2; h++) {
      size_t jh = j + 2 * h;
      alg1_v2 av = v2_load(acc + jh), fv = v2_load(accf + jh);
#pragma GCC unroll 4
      for (size_t k = 0; k < group; k++) {
        alg1_v2 yv = v2_load(y[k] + jh), t = v2_load(g[k] + jh) - yv;
        av += v2_load(s[k] + jh);
        fv += yv;
        q[k][h] += t * t;
      }
      memcpy(acc + jh, &av, sizeof av);
      memcpy(accf + jh, &fv, sizeof fv);
    }
  for (size_t k = 0; k < group; k++) {
    for (size_t l = j; l < d; l++) {
      acc[l] += s[k][l];
      accf[l] += y[k][l];
      q[k][0][0] += (g[k][l] - y[k][l]) * (g[k][l] - y[k][l]);
    }
    G[k] = v2_total(q[k]);
  }
}

/* fold_group over a block of count <= TPC_ALG1_CLIENTS clients (a short
** block client by client: each coordinate still sums them in order). */
static void fold_block(double *restrict acc, double *restrict accf, const double *const *s,
                       const double *const *g, const double *const *y, size_t count,
                       size_t d, double *G) {
  if (count == TPC_ALG1_CLIENTS) {
    fold_group(acc, accf, s, g, y, d, G, TPC_ALG1_CLIENTS);
    return;
  }
  for (size_t k = 0; k < count; k++) fold_group(acc, accf, s + k, g + k, y + k, d, G + k, 1);
}

/* g[j] /= n and gf[j] /= n for j < d, two coordinates a division: the
** same quotients, and a d = 1000 round's 2000 divisions took 1% of it one
** at a time. */
static void sums_average(double *restrict g, double *restrict gf, size_t d, size_t n) {
  const alg1_v2 nv = {(double)n, (double)n};
  size_t j = 0;
  for (; j + 2 <= d; j += 2) {
    alg1_v2 gv = v2_load(g + j) / nv, fv = v2_load(gf + j) / nv;
    memcpy(g + j, &gv, sizeof gv);
    memcpy(gf + j, &fv, sizeof fv);
  }
  for (; j < d; j++) {
    g[j] /= (double)n;
    gf[j] /= (double)n;
  }
}

/* One thread: each block's round, then its g_i (the server's copies) and
** y_i added to g and gf while they are still in cache.  The same sums in
** the same order as clients_run and aggregate, so the same bits. */
static void clients_run_serial(const alg1_round *r, int init) {
  tpc_alg1 *a = r->a;
  size_t d = a->d, n = a->n;
  memset(a->g, 0, d * sizeof(double));
  memset(a->gf, 0, d * sizeof(double));
  for (size_t i0 = 0; i0 < n; i0 += TPC_ALG1_CLIENTS) {
    size_t count = block_count(a, i0);
    const double *g[TPC_ALG1_CLIENTS], *y[TPC_ALG1_CLIENTS], *s[TPC_ALG1_CLIENTS];
    double G[TPC_ALG1_CLIENTS];
    block_run(r, i0, count, 0, r->work, init);
    block_vectors(a, i0, count, g, y);
    for (size_t k = 0; k < count; k++) s[k] = r->o->wire_check ? a->c[i0 + k].srv : g[k];
    fold_block(a->g, a->gf, s, g, y, count, d, G);
    for (size_t k = 0; k < count; k++) a->c[i0 + k].G = G[k];
  }
  sums_average(a->g, a->gf, d, n);
}

/* g = (1/n) sum of the server's copies, gf = (1/n) sum y_i, coordinate blocks
** in parallel, clients in order within each block. */
static void aggregate(tpc_alg1 *a, const tpc_alg1_opts *o) {
  size_t d = a->d, n = a->n;
  long nb = (long)((d + TPC_ALG1_BLOCK - 1) / TPC_ALG1_BLOCK);
#pragma omp parallel for num_threads(o->threads) schedule(static) if (nb > 1)
  for (long b = 0; b < nb; b++) {
    size_t lo = (size_t)b * TPC_ALG1_BLOCK;
    size_t hi = lo + TPC_ALG1_BLOCK < d ? lo + TPC_ALG1_BLOCK : d;
    double *g = a->g, *gf = a->gf;
    for (size_t j = lo; j < hi; j++) g[j] = gf[j] = 0;
    for (size_t i = 0; i < n; i++) {
      const double *gi = o->wire_check ? a->c[i].srv : a->c[i].g;
      const double *yi = a->c[i].y;
      for (size_t j = lo; j < hi; j++) {
        g[j] += gi[j];
        gf[j] += yi[j];
      }
    }
    sums_average(g + lo, gf + lo, hi - lo, n);
  }
}

/* A round's client loop and aggregation (the init round when init is set):
** fused on one thread (asked for, or a problem below TPC_ALG1_PAR_VALUES),
** else two parallel loops. */
static void round_run(tpc_alg1 *a, const tpc_alg1_opts *o, const alg1_round *r, int init) {
  if (client_threads(a, o) == 1) {
    clients_run_serial(r, init);
    return;
  }
  clients_run(r, init);
  aggregate(a, o);
}

/* ---- the loop ------------------------------------------------------------- */

/* The first wire-check failure in client order, as the thread's error. */
static int clients_status(const tpc_alg1 *a, uint64_t t) {
  for (size_t i = 0; i < a->n; i++)
    if (a->c[i].status)
      return tpc_error(a->c[i].status, "alg1: client %zu, round %llu: %s", i,
                       (unsigned long long)t, a->c[i].err);
  return TPC_OK;
}

static int clients_bad(const tpc_alg1 *a) {
  for (size_t i = 0; i < a->n; i++)
    if (a->c[i].bad) return 1;
  return 0;
}

/* The statistics at the current point after a round (t, bits accumulated
** by the caller). */
static void point_stats(const tpc_alg1 *a, tpc_alg1_point *pt) {
  double f = 0, G = 0;
  for (size_t i = 0; i < a->n; i++) {
    f += a->c[i].f;
    G += a->c[i].G;
  }
  pt->f = f / (double)a->n;
  pt->gnorm2 = tpc_vec_norm2(a->gf, a->d);
  pt->G = a->mc.ineq == TPC_INEQ_AGGREGATE ? tpc_vec_dist2_4(a->g, a->gf, a->d) : G / (double)a->n;
  if (a->rule && a->rule->model) pt->G = NAN; /* its estimates are points */
  if (clients_bad(a)) {
    pt->gnorm2 = INFINITY;
    pt->G = INFINITY;
  }
}

static void add_bits(const tpc_alg1 *a, tpc_alg1_point *pt) {
  for (size_t i = 0; i < a->n; i++) {
    pt->bits_up += a->c[i].bits;
    pt->bits_up_paper += a->c[i].paper;
  }
}

static int check_opts(const tpc_alg1_opts *o) {
  if (!(o->gamma > 0 && isfinite(o->gamma)))
    return tpc_error(TPC_EINPUT, "alg1: step size gamma = %g is not positive and finite",
                     o->gamma);
  if (o->T < 1 || o->T >= UINT32_MAX)
    return tpc_error(TPC_EINPUT, "alg1: T = %llu is outside [1, 2^32 - 1)",
                     (unsigned long long)o->T);
  if (o->threads < 1 || o->record_every < 1 || !(o->eps >= 0) || !(o->diverge >= 0))
    return tpc_error(TPC_EINPUT, "alg1: threads, record_every must be >= 1 and "
                                 "eps, diverge >= 0");
  if (o->f_stop && !isfinite(o->f_target))
    return tpc_error(TPC_EINPUT, "alg1: the target of f, %g, is not finite", o->f_target);
  if (o->net && !(o->net->size >= 1 && o->net->rank >= 0 && o->net->rank < o->net->size))
    return tpc_error(TPC_EINPUT, "alg1: rank %d of %d processes", o->net->rank, o->net->size);
  if (o->rep >= (UINT64_C(1) << 31))
    return tpc_error(TPC_EINPUT, "alg1: repetition index %llu too large",
                     (unsigned long long)o->rep);
  return TPC_OK;
}

int tpc_alg1_x0_fill(const tpc_problem *p, tpc_alg1_x0 which, uint64_t seed, double *x) {
  size_t d = p->d;
  if (which == TPC_ALG1_X0_ZERO || (which == TPC_ALG1_X0_PROBLEM && !p->x0)) {
    memset(x, 0, d * sizeof(double));
  } else if (which == TPC_ALG1_X0_PROBLEM) {
    memcpy(x, p->x0, d * sizeof(double));
  } else {
    gsl_rng *r = tpc_rng_alloc_stream(seed, TPC_PURPOSE_DATA, UINT64_C(1) << 63);
    if (!r) return TPC_ENOMEM;
    for (size_t j = 0; j < d; j++) x[j] = gsl_ran_gaussian(r, 1.0);
    gsl_rng_free(r);
  }
  return TPC_OK;
}

static int start_point(tpc_alg1 *a, const tpc_alg1_opts *o) {
  size_t d = a->d;
  int rc = tpc_alg1_x0_fill(a->p, o->x0, o->seed, a->x);
  if (rc) return rc;
  memcpy(a->w, a->x, d * sizeof(double));
  if (a->wc) memcpy(a->wc, a->x, d * sizeof(double));
  memset(a->xsum, 0, d * sizeof(double));
  return TPC_OK;
}

/* The server's broadcast of round t = t1 - 1 in a bidirectional 3PC run
** (T10.1): g^0 = gbar^0 sent densely, then g^t = C^s_{g^{t-1},
** gbar^{t-1}}(gbar^t) and its message, from the server's stream (slot n, as
** EF21-P's compressor).  The clients apply the message to their copy of g
** with the downlink apply (tpc_alg1_set_downlink); under the wire check
** that copy goes through the bytes and must equal the server's g^t. */
static int bidir_broadcast(tpc_alg1 *a, const tpc_alg1_opts *o, uint64_t t1,
                           tpc_alg1_point *pt) {
  size_t d = a->d;
  tpc_msg_reset(&a->smsg);
  if (t1 == 1) {
    tpc_msg_part *part = tpc_msg_add(&a->smsg, TPC_MSG_DENSE, TPC_F64, d);
    part->absolute = 1;
    part->val = a->g;
    memcpy(a->gs, a->g, d * sizeof(double));
  } else {
    tpc_rng_stream(a->srng, o->seed, TPC_PURPOSE_CLIENT,
                   ((o->rep * (a->n + 1) + a->n) << 32) | t1);
    tpc_ctx ctx = {.rng = a->srng, .shared = a->srng, .client = 0};
    tpc_mech_apply_f64(a->smech, a->gs, a->gprev, a->g, a->gout, &a->smsg, &ctx);
    swap_vec(&a->gs, &a->gout);
  }
  memcpy(a->gprev, a->g, d * sizeof(double));
  pt->bits_down += tpc_wire_bits(&a->smsg, TPC_WIRE_AUTO);
  pt->bits_down_paper += tpc_wire_paper_bits(&a->smsg);
  if (!o->wire_check) return TPC_OK;
  int rc = tpc_runner_wire_apply(&a->smsg, a->gsc, d, &a->sbuf, &a->scap, a->down);
  if (!rc && memcmp(a->gsc, a->gs, d * sizeof(double)) != 0)
    rc = tpc_error(TPC_EINTERNAL, "the clients' copy of g differs from the server's");
  if (rc) return tpc_error_prefix(rc, "alg1: downlink, round %llu: ", (unsigned long long)(t1 - 1));
  return TPC_OK;
}

/* x^{t+1} = x^t - gamma g^t, or g^t for a model method (T8.5): on the
** server, and over a network on every rank from the broadcast g^t. */
static void model_step(tpc_alg1 *a, const tpc_alg1_opts *o, const double *g) {
  if (a->rule && a->rule->model)
    memcpy(a->x, g, a->d * sizeof(double));
  else
    for (size_t j = 0; j < a->d; j++) a->x[j] -= o->gamma * g[j];
}

/* x^{t+1} = x^t - gamma g^t (a model method: x^{t+1} = g^t, T8.5); with
** EF21-P the broadcast w^{t+1} = w^t + C_s(x^{t+1} - w^t), which the clients
** rebuild from the (decoded) message.  Adds the downlink bits to pt. */
static int server_step(tpc_alg1 *a, const tpc_alg1_opts *o, uint64_t t1, tpc_alg1_point *pt) {
  size_t d = a->d;
  int rc = a->smech ? bidir_broadcast(a, o, t1, pt) : TPC_OK;
  if (rc) return rc;
  model_step(a, o, a->smech ? a->gs : a->g);
  if (a->smech) return TPC_OK;
  if (!a->server) {
    pt->bits_down += a->dense_bits;
    pt->bits_down_paper += a->dense_paper;
    return TPC_OK;
  }
  tpc_rng_stream(a->srng, o->seed, TPC_PURPOSE_CLIENT,
                 ((o->rep * (a->n + 1) + a->n) << 32) | t1);
  tpc_ctx ctx = {.rng = a->srng, .shared = a->srng, .client = 0};
  for (size_t j = 0; j < d; j++) a->e[j] = a->x[j] - a->w[j];
  tpc_msg_reset(&a->smsg);
  tpc_comp_compress_f64(a->server, a->e, a->q, &a->smsg, &ctx);
  a->down(&a->smsg, a->w);
  pt->bits_down += tpc_wire_bits(&a->smsg, TPC_WIRE_AUTO);
  pt->bits_down_paper += tpc_wire_paper_bits(&a->smsg);
  if (!o->wire_check) return TPC_OK;
  rc = tpc_runner_wire_apply(&a->smsg, a->wc, d, &a->sbuf, &a->scap, a->down);
  if (!rc && memcmp(a->wc, a->w, d * sizeof(double)) != 0)
    rc = tpc_error(TPC_EINTERNAL, "the clients' copy of w differs from the server's");
  if (rc) return tpc_error_prefix(rc, "alg1: downlink, round %llu: ", (unsigned long long)(t1 - 1));
  return TPC_OK;
}

/* f at z: the clients' values in client order. */
static double f_at(const tpc_alg1 *a, const double *z, void *work) {
  double f = 0;
  for (size_t i = 0; i < a->n; i++) f += a->p->type->value(a->p, i, z, work);
  return f / (double)a->n;
}

/* Whether f at the model x^t has reached opts.f_target: pt->f is f(x^t)
** unless the clients evaluate at EF21-P's w^t. */
static int f_reached(const tpc_alg1 *a, const tpc_alg1_opts *o, const tpc_alg1_point *pt,
                     void *work) {
  if (!o->f_stop) return 0;
  return (a->server ? f_at(a, a->x, work) : pt->f) <= o->f_target;
}

/* Why the run stops at point pt (t = pt->t), or -1 to go on. */
static int stop_reason(const tpc_alg1 *a, const tpc_alg1_opts *o, const tpc_alg1_point *pt,
                       double gn0, void *work) {
  int G_bad = !isfinite(pt->G) && !(a->rule && a->rule->model);
  if (!isfinite(pt->gnorm2) || !isfinite(pt->f) || G_bad ||
      (o->diverge > 0 && pt->gnorm2 > o->diverge * gn0))
    return TPC_ALG1_STOP_DIVERGED;
  if (pt->t >= o->T) return TPC_ALG1_STOP_T;
  if (o->eps > 0 && pt->gnorm2 <= o->eps) return TPC_ALG1_STOP_EPS;
  if (f_reached(a, o, pt, work)) return TPC_ALG1_STOP_F;
  if (o->bits_budget > 0 && pt->bits_up / a->n >= o->bits_budget) return TPC_ALG1_STOP_BITS;
  if (o->cancel && o->cancel(o->cancel_ctx)) return TPC_ALG1_STOP_CANCELLED;
  return -1;
}

/* The observables of tpc_alg1_point at point pt (x^t, w^t in place). */
static void observe(const tpc_alg1 *a, const tpc_alg1_opts *o, void *work, tpc_alg1_point *pt) {
  size_t d = a->d;
  pt->f_x = pt->f;
  pt->gnorm2_x = pt->gnorm2;
  if (a->server) {
    pt->f_x = tpc_problem_full_grad(a->p, a->x, a->xbar, a->ox, work);
    pt->gnorm2_x = tpc_vec_norm2(a->xbar, d);
  }
  if (a->opt) pt->dist2 = tpc_vec_dist2_4(a->x, a->opt->x, d);
  if (a->server) pt->wx2 = tpc_vec_dist2_4(a->w, a->x, d);
  if (a->rule && a->opt) {
    double H = 0;
    for (size_t i = 0; i < a->n; i++) H += a->c[i].H;
    pt->H = H / (double)a->n;
  }
  if (o->average && pt->t > 0) {
    for (size_t j = 0; j < d; j++) a->xbar[j] = a->xsum[j] / (double)pt->t;
    pt->f_avg = f_at(a, a->xbar, work);
  }
}

/* A point whose observables are not computed (yet): NaN. */
static void point_nan(tpc_alg1_point *pt) {
  pt->f_x = pt->gnorm2_x = pt->dist2 = pt->f_avg = pt->H = pt->wx2 = pt->Gamma = pt->psi = NAN;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- over a network (alg1.h) --------------------------------------------- */

size_t tpc_alg1_net_lo(size_t n, int size, int r) {
  size_t nb = (n + TPC_ALG1_CLIENTS - 1) / TPC_ALG1_CLIENTS;
  size_t lo = nb * (size_t)r / (size_t)size * TPC_ALG1_CLIENTS;
  return lo < n ? lo : n;
}

/* A client's scalars as they travel, before its records. */
typedef struct net_head {
  double f, G, H;
  uint64_t bits, paper, ops_len;
  int32_t bad, status;
} net_head;

/* What rank 0 broadcasts after each round: its error (the others stop with
** it), the stop decision, the point to record and the downlink's length. */
typedef struct net_sync_head {
  int32_t rc, stop;
  uint64_t down_len;
  tpc_alg1_point pt;
} net_sync_head;

static double net_clock(const alg1_round *r) { return r->o->net->wtime(); }

/* Room for `size` bytes at *buf (capacity *cap). */
static int net_grow(uint8_t **buf, size_t *cap, size_t size) {
  if (size <= *cap) return TPC_OK;
  uint8_t *b = realloc(*buf, size);
  if (!b) return tpc_error(TPC_ENOMEM, "alg1: out of memory for a %zu-byte message", size);
  *buf = b;
  *cap = size;
  return TPC_OK;
}

/* This rank's clients [lo, hi) into a->sbuf2: each one's head and records
** (its error text as a last record); *len the bytes. */
static int net_pack(tpc_alg1 *a, size_t lo, size_t hi, size_t *len) {
  size_t off = 0;
  for (size_t i = lo; i < hi; i++) {
    alg1_client *c = &a->c[i];
    if (c->status) {
      size_t l = strlen(c->err) + 1;
      uint8_t *at = net_record(a, c, NET_OP_ERR, l);
      if (at) memcpy(at, c->err, l);
    }
    alg1_ops *o = &a->ops[i];
    net_head h = {c->f, c->G, c->H, c->bits, c->paper, o->len, c->bad, c->status};
    int rc = net_grow(&a->sbuf2, &a->scap2, off + sizeof h + o->len);
    if (rc) return rc;
    memcpy(a->sbuf2 + off, &h, sizeof h);
    if (o->len) memcpy(a->sbuf2 + off + sizeof h, o->buf, o->len); /* none: NULL */
    off += sizeof h + o->len;
    o->len = 0; /* the next round's records start empty */
  }
  *len = off;
  return TPC_OK;
}

/* One record of client i on rank 0: its message decoded and applied to the
** server's copy with tpc_msg_apply_f64 (the wire check's path). */
static int net_apply(tpc_alg1 *a, size_t i, int op, const uint8_t *p, size_t l) {
  alg1_client *c = &a->c[i];
  tpc_wire_decoded dm;
  int rc;
  switch (op) {
    case NET_OP_COPY: memcpy(a->ng[i], a->nh[i], a->d * sizeof(double)); return TPC_OK;
    case NET_OP_ERR: snprintf(c->err, sizeof c->err, "%.*s", (int)l, (const char *)p); return TPC_OK;
    case NET_OP_G:
    case NET_OP_H:
      if ((rc = tpc_wire_decode(p, l, a->d, TPC_F64, &dm))) return rc;
      tpc_msg_apply_f64(&dm.msg, op == NET_OP_G ? a->ng[i] : a->nh[i]);
      tpc_wire_decoded_free(&dm);
      return TPC_OK;
    default: return tpc_error(TPC_EIO, "an unknown record %d", op);
  }
}

/* Rank 0: the clients [lo, hi) of one rank's len bytes, their scalars into
** a->c and their records applied in client order. */
static int net_unpack(tpc_alg1 *a, const uint8_t *buf, size_t len, size_t lo, size_t hi) {
  size_t off = 0;
  for (size_t i = lo; i < hi; i++) {
    net_head h;
    alg1_client *c = &a->c[i];
    if (len - off < sizeof h) return tpc_error(TPC_EIO, "alg1: client %zu's bytes are cut", i);
    memcpy(&h, buf + off, sizeof h);
    off += sizeof h;
    if (h.ops_len > len - off) return tpc_error(TPC_EIO, "alg1: client %zu's records are cut", i);
    c->f = h.f, c->G = h.G, c->H = h.H, c->bits = h.bits, c->paper = h.paper;
    c->bad = h.bad, c->status = h.status;
    for (size_t end = off + h.ops_len; off < end;) {
      uint64_t l;
      int op = buf[off];
      if (end - off < 1 + sizeof l) return tpc_error(TPC_EIO, "alg1: client %zu: a cut record", i);
      memcpy(&l, buf + off + 1, sizeof l);
      off += 1 + sizeof l;
      if (l > end - off) return tpc_error(TPC_EIO, "alg1: client %zu: a cut record", i);
      int rc = net_apply(a, i, op, buf + off, (size_t)l);
      if (rc) return tpc_error_prefix(rc, "alg1: client %zu's message: ", i);
      off += (size_t)l;
    }
  }
  return off == len ? TPC_OK : tpc_error(TPC_EIO, "alg1: %zu bytes too many", len - off);
}

/* Rank 0 before the first round: its copies of the clients' states as both
** sides start them (g_i = 0; h_i by the method's start that sends nothing). */
static int net_copies_start(const alg1_round *r) {
  tpc_alg1 *a = r->a;
  size_t d = a->d;
  if (!a->ng && !(a->ng = calloc(a->n, sizeof *a->ng))) return TPC_ENOMEM;
  if (a->rule && !a->nh && !(a->nh = calloc(a->n, sizeof *a->nh))) return TPC_ENOMEM;
  for (size_t i = 0; i < a->n; i++) {
    if (!a->ng[i] && !(a->ng[i] = vec_alloc(d))) return TPC_ENOMEM;
    memset(a->ng[i], 0, d * sizeof(double));
    if (!a->rule) continue;
    if (!a->nh[i] && !(a->nh[i] = vec_alloc(d))) return TPC_ENOMEM;
    for (size_t j = 0; j < d; j++)
      a->nh[i][j] = a->h0 == TPC_ALG1_SHIFT0_STAR ? shift_star(a, r->o->gamma, i, j) : 0.0;
  }
  return TPC_OK;
}

/* Rank 0: its own clients' bytes, then each other rank's in rank order,
** applied as they come; probing is waiting, receiving the transfer. */
static int net_gather(const alg1_round *r, size_t own) {
  tpc_alg1 *a = r->a;
  const tpc_alg1_net *net = r->o->net;
  double t = net_clock(r);
  int rc = net_unpack(a, a->sbuf2, own, 0, tpc_alg1_net_lo(a->n, net->size, 1));
  r->tm->decode += net_clock(r) - t;
  for (int src = 1; src < net->size && !rc; src++) {
    size_t len;
    t = net_clock(r);
    if ((rc = net->probe(net->ctx, src, &len))) break;
    double t1 = net_clock(r);
    r->tm->wait += t1 - t;
    if (!(rc = net_grow(&a->rbuf, &a->rcap, len))) rc = net->recv(net->ctx, a->rbuf, len, src);
    double t2 = net_clock(r);
    r->tm->comm += t2 - t1;
    r->tm->bytes_recv += len;
    if (!rc)
      rc = net_unpack(a, a->rbuf, len, tpc_alg1_net_lo(a->n, net->size, src),
                      tpc_alg1_net_lo(a->n, net->size, src + 1));
    r->tm->decode += net_clock(r) - t2;
  }
  return rc;
}

/* grad f's sum (1/n itself comes with g's, sums_average): rank 0 adds its
** clients' y_i to +0.0, each rank adds its own to what the previous sent
** and passes it on, the last back to rank 0: one process's additions, in
** its order, without sending a y_i. */
static int net_chain(const alg1_round *r, size_t lo, size_t hi) {
  tpc_alg1 *a = r->a;
  const tpc_alg1_net *net = r->o->net;
  size_t d = a->d, bytes = d * sizeof(double);
  double t = net_clock(r);
  int rc = TPC_OK;
  if (net->rank == 0)
    memset(a->gf, 0, bytes);
  else
    rc = net->recv(net->ctx, a->gf, bytes, net->rank - 1);
  for (size_t i = lo; i < hi && !rc; i++)
    for (size_t j = 0; j < d; j++) a->gf[j] += a->c[i].y[j];
  if (!rc && net->size > 1) {
    rc = net->send(net->ctx, a->gf, bytes, (net->rank + 1) % net->size);
    r->tm->stats_bytes += bytes;
  }
  if (!rc && net->rank == 0 && net->size > 1) rc = net->recv(net->ctx, a->gf, bytes, net->size - 1);
  r->tm->stats += net_clock(r) - t;
  return rc;
}

/* Rank 0: g = (1/n) sum of its copies, grad f = (1/n) the chain's sum, each
** coordinate's clients in order (aggregate's sums). */
static void net_aggregate(tpc_alg1 *a) {
  size_t d = a->d;
  memset(a->g, 0, d * sizeof(double));
  for (size_t i = 0; i < a->n; i++)
    for (size_t j = 0; j < d; j++) a->g[j] += a->ng[i][j];
  sums_average(a->g, a->gf, d, a->n);
}

/* One round over the network (the initialization when init is set): this
** rank's clients, their bytes to rank 0, the chain, rank 0's aggregate. */
static int net_round(alg1_round *r, int init) {
  tpc_alg1 *a = r->a;
  const tpc_alg1_net *net = r->o->net;
  size_t lo = tpc_alg1_net_lo(a->n, net->size, net->rank);
  size_t hi = tpc_alg1_net_lo(a->n, net->size, net->rank + 1), len = 0;
  int rc = net->rank == 0 && init ? net_copies_start(r) : TPC_OK;
  if (rc) return rc;
  clients_run(r, init);
  double t = net_clock(r);
  rc = net_pack(a, lo, hi, &len);
  r->tm->compress += net_clock(r) - t;
  r->tm->rounds++;
  if (!rc && net->rank != 0) {
    t = net_clock(r);
    rc = net->send(net->ctx, a->sbuf2, len, 0);
    r->tm->comm += net_clock(r) - t;
    r->tm->bytes_sent += len;
  } else if (!rc) {
    rc = net_gather(r, len);
  }
  if (!rc) rc = net_chain(r, lo, hi);
  if (rc || net->rank != 0) return rc;
  t = net_clock(r);
  net_aggregate(a);
  r->tm->decode += net_clock(r) - t;
  return TPC_OK;
}

/* Rank 0: the downlink of the step just taken in its wire bytes, in
** a->sbuf2: g^t densely, or the server compressor's or mechanism's message. */
static int net_downlink_encode(tpc_alg1 *a, size_t *len) {
  tpc_msg dense;
  const tpc_msg *m = &a->smsg;
  if (!a->server && !a->smech) {
    tpc_msg_reset(&dense);
    tpc_msg_part *part = tpc_msg_add(&dense, TPC_MSG_DENSE, TPC_F64, a->d);
    part->absolute = 1;
    part->val = a->g;
    m = &dense;
  }
  size_t size = tpc_wire_size(m, TPC_WIRE_AUTO);
  int rc = net_grow(&a->sbuf2, &a->scap2, size);
  return rc ? rc : tpc_wire_encode(m, TPC_WIRE_AUTO, a->sbuf2, size, len);
}

/* The other ranks: the downlink's bytes applied as the server applied its
** message, to rebuild x (from g or the server's g), or w. */
static int net_downlink_apply(tpc_alg1 *a, const tpc_alg1_opts *o, const uint8_t *buf,
                              size_t len) {
  tpc_wire_decoded dm;
  int rc = tpc_wire_decode(buf, len, a->d, TPC_F64, &dm);
  if (rc) return tpc_error_prefix(rc, "alg1: the downlink: ");
  if (a->smech) {
    a->down(&dm.msg, a->gs);
    model_step(a, o, a->gs);
  } else if (a->server) {
    a->down(&dm.msg, a->w);
  } else {
    tpc_msg_apply_f64(&dm.msg, a->g);
    model_step(a, o, a->g);
  }
  tpc_wire_decoded_free(&dm);
  return TPC_OK;
}

/* Rank 0 after a round (t_prev the point's t before it, the init round when
** init is set): the clients' errors, bits and statistics, as iterate does. */
static int net_point(tpc_alg1 *a, const tpc_alg1_opts *o, alg1_round *r, tpc_alg1_point *pt,
                     int init) {
  double t = net_clock(r);
  int rc = clients_status(a, pt->t);
  if (rc) return rc;
  if (!init) pt->t++;
  add_bits(a, pt);
  point_stats(a, pt);
  point_nan(pt);
  if (init && o->observe) observe(a, o, r->work, pt);
  r->tm->server += net_clock(r) - t;
  return TPC_OK;
}

/* Rank 0 at point pt: the stop decision, the observables of a recorded
** point (*rec, what every rank records), and unless it stops the server
** step and its downlink's bytes (*len). */
static int net_decide(tpc_alg1 *a, const tpc_alg1_opts *o, alg1_round *r, tpc_alg1_point *pt,
                      double gn0, net_sync_head *h) {
  double t = net_clock(r);
  int stop = stop_reason(a, o, pt, gn0, r->work), rc = TPC_OK;
  if ((stop >= 0 || pt->t % o->record_every == 0) && o->observe && pt->t > 0)
    observe(a, o, r->work, pt);
  h->stop = stop;
  h->pt = *pt;
  if (stop < 0 && !(rc = server_step(a, o, pt->t + 1, pt))) {
    if (o->average)
      for (size_t j = 0; j < a->d; j++) a->xsum[j] += a->x[j];
    size_t len = 0;
    rc = net_downlink_encode(a, &len);
    h->down_len = len;
  }
  r->tm->server += net_clock(r) - t;
  return rc;
}

/* Every rank: rank 0's decision (its error, the stop, the point) and the
** downlink, which the others apply. */
static int net_sync(alg1_round *r, net_sync_head *h) {
  tpc_alg1 *a = r->a;
  const tpc_alg1_net *net = r->o->net;
  double t = net_clock(r);
  int rc = net->bcast(net->ctx, h, sizeof *h);
  if (net->rank == 0)
    r->tm->bytes_sent += sizeof *h * (uint64_t)(net->size - 1);
  else
    r->tm->bytes_recv += sizeof *h;
  if (!rc && !h->rc && h->stop < 0) {
    if (!(rc = net_grow(&a->sbuf2, &a->scap2, h->down_len)))
      rc = net->bcast(net->ctx, a->sbuf2, h->down_len);
    if (net->rank == 0)
      r->tm->bytes_sent += h->down_len * (uint64_t)(net->size - 1);
    else
      r->tm->bytes_recv += h->down_len;
  }
  double t1 = net_clock(r);
  r->tm->comm += t1 - t;
  if (rc) return rc;
  if (h->rc)
    return net->rank == 0 ? h->rc
                          : tpc_error(h->rc, "alg1: rank 0 stopped the run (error %d)", h->rc);
  if (net->rank != 0 && h->stop < 0) rc = net_downlink_apply(a, r->o, a->sbuf2, h->down_len);
  r->tm->decode += net_clock(r) - t1;
  return rc;
}

/* iterate over a network: rank 0 decides, every rank records its points. */
static int iterate_net(tpc_alg1 *a, const tpc_alg1_opts *o, alg1_round *r,
                       tpc_alg1_result *res) {
  int root = o->net->rank == 0;
  size_t cap = 0;
  tpc_alg1_point pt = {0};
  int rc = net_round(r, 1);
  if (root && !rc) rc = net_point(a, o, r, &pt, 1);
  double t0 = now(), gn0 = pt.gnorm2;
  for (;;) {
    net_sync_head h = {.rc = rc, .stop = -1};
    if (root && !rc) h.rc = net_decide(a, o, r, &pt, gn0, &h);
    if ((rc = net_sync(r, &h))) return rc;
    if (h.pt.t == 0) res->first = h.pt;
    if (h.stop >= 0 || h.pt.t % o->record_every == 0)
      if ((rc = tpc_runner_record(res, &cap, &h.pt))) return rc;
    if (h.stop >= 0) {
      res->stop = (tpc_alg1_stop)h.stop;
      res->iters = h.pt.t;
      res->last = h.pt;
      break;
    }
    res->sum_gnorm2 += h.pt.gnorm2;
    r->t1 = h.pt.t + 1;
    r->pt = a->server ? a->w : a->x;
    rc = net_round(r, 0);
    if (root && !rc) rc = net_point(a, o, r, &pt, 0);
  }
  res->seconds = now() - t0;
  return TPC_OK;
}

static int iterate(tpc_alg1 *a, const tpc_alg1_opts *o, alg1_round *r, tpc_alg1_result *res) {
  size_t cap = 0;
  tpc_alg1_point pt = {0};
  int rc, stop;
  round_run(a, o, r, 1);
  if ((rc = clients_status(a, 0))) return rc;
  add_bits(a, &pt);
  point_stats(a, &pt);
  point_nan(&pt);
  if (o->observe) observe(a, o, r->work, &pt);
  res->first = pt;
  double t0 = now();
  for (;;) {
    stop = stop_reason(a, o, &pt, res->first.gnorm2, r->work);
    if (stop >= 0 || pt.t % o->record_every == 0) {
      if (o->observe && pt.t > 0) observe(a, o, r->work, &pt);
      if ((rc = tpc_runner_record(res, &cap, &pt))) return rc;
    }
    if (stop >= 0) break;
    res->sum_gnorm2 += pt.gnorm2;
    r->t1 = pt.t + 1;
    if ((rc = server_step(a, o, r->t1, &pt))) return rc;
    if (o->average)
      for (size_t j = 0; j < a->d; j++) a->xsum[j] += a->x[j];
    r->pt = a->server ? a->w : a->x;
    round_run(a, o, r, 0);
    if ((rc = clients_status(a, pt.t))) return rc;
    pt.t++;
    add_bits(a, &pt);
    point_stats(a, &pt);
    point_nan(&pt);
  }
  res->seconds = now() - t0;
  res->stop = (tpc_alg1_stop)stop;
  res->iters = pt.t;
  res->last = pt;
  return TPC_OK;
}

/* iterate_net with this rank's blocks, its sums of times, and the caller's
** run_end with them. */
static int run_net(tpc_alg1 *a, const tpc_alg1_opts *o, alg1_round *r, tpc_alg1_result *res) {
  const tpc_alg1_net *net = o->net;
  tpc_alg1_net_times tm = {0};
  size_t th = (size_t)client_threads(a, o);
  r->b_lo = tpc_alg1_net_lo(a->n, net->size, net->rank) / TPC_ALG1_CLIENTS;
  r->b_hi = (tpc_alg1_net_lo(a->n, net->size, net->rank + 1) + TPC_ALG1_CLIENTS - 1) /
            TPC_ALG1_CLIENTS;
  r->tm = &tm;
  if (!a->ops && !(a->ops = calloc(a->n, sizeof *a->ops))) return TPC_ENOMEM;
  for (size_t i = 0; i < a->n; i++) a->ops[i].len = 0; /* a failed run's */
  r->tgrad = calloc(2 * th, sizeof(double));
  if (!r->tgrad) return TPC_ENOMEM;
  r->tcomp = r->tgrad + th;
  int rc = iterate_net(a, o, r, res);
  for (size_t k = 0; k < th; k++) {
    tm.grad += r->tgrad[k];
    tm.compress += r->tcomp[k];
  }
  free(r->tgrad);
  if (!rc && net->run_end) rc = net->run_end(net->ctx, &tm);
  return rc;
}

int tpc_alg1_run(tpc_alg1 *a, const tpc_alg1_opts *o, tpc_alg1_result *res) {
  memset(res, 0, sizeof *res);
  int rc = check_opts(o);
  if (rc) return rc;
  if ((rc = instances(a, (size_t)client_threads(a, o)))) return rc;
  if ((rc = start_point(a, o))) return rc;
  if (o->observe && !a->opt) {
    a->opt = tpc_problem_optimum(a->p); /* NULL, and a message, when none is known */
    tpc_error_clear();
  }
  size_t nb = (a->n + TPC_ALG1_CLIENTS - 1) / TPC_ALG1_CLIENTS;
  alg1_round r = {.a = a, .o = o, .pt = a->x, .t1 = 0, .b_lo = 0, .b_hi = nb};
  size_t ws = a->p->type->work_size ? a->p->type->work_size(a->p) : 0;
  r.work_size = (ws + 63) / 64 * 64;
  r.work = r.work_size ? tpc_calloc_aligned((size_t)o->threads, r.work_size) : NULL;
  if (r.work_size && !r.work) return TPC_ENOMEM;
  for (size_t i = 0; i < a->n; i++) {
    a->c[i].status = 0;
    if (o->wire_check && !a->c[i].srv && !(a->c[i].srv = vec_alloc(a->d))) rc = TPC_ENOMEM;
    if (o->wire_check && a->rule && !a->c[i].hs && !(a->c[i].hs = vec_alloc(a->d)))
      rc = TPC_ENOMEM;
  }
  if (rc) {
    free(r.work);
    return rc;
  }
  rc = o->net ? run_net(a, o, &r, res) : iterate(a, o, &r, res);
  free(r.work);
  if (rc) tpc_alg1_result_free(res);
  return rc;
}
