/*
** 2Direction (THEORY.md T11.1, T11.2): the runner declared in
** methods/twodir.h.
**
** A round is three parallel client loops with server steps between them:
** the uplink of a_i at y, the clients' downlink (q, w, the anchor) with the
** uplink of b_i at z, and the wire check's comparison.  Each sum over clients
** runs over blocks of coordinates with the clients in order, so the bits do
** not depend on the thread count.
*/
#include "methods/twodir.h"

#include <float.h>
#include <gsl/gsl_rng.h>
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

/* A gradient with ||grad f_i||^2 above this stops the run (as alg1.c). */
#define TWODIR_GUARD 1e200

/* Coordinates per block of the sums over clients (as alg1.c). */
#define TWODIR_BLOCK 128

/* A round has seven loops over clients; below these sizes (bytes of data
** one pass over the clients reads, values one sum over clients adds) a
** loop runs on one thread, as the fork and join of a parallel region cost
** more than the loop (tpc rate on quad(d=20,n=4) spent 70% of its time in
** libgomp).  The sums are in client order either way: the same bits. */
#define TWODIR_PAR_BYTES (256 * 1024)
#define TWODIR_PAR_VALUES 65536

/* The scalars broadcast each round: theta, gamma, Gamma+. */
#define TWODIR_NSCALARS 3

/* A client's vectors (d each). */
enum {
  V_W, V_Z, V_K, V_Y, V_Q, /* its own copies of the server's state, and q */
  V_H,                     /* h_i */
  V_GRAD,                  /* scratch: grad f_i, then grad f_i(x) (observer) */
  V_DIFF, V_OUT,           /* scratch: what Q compresses, Q's output */
  V_A, V_B,                /* the server's decoded a_i, b_i */
  V_COUNT
};

typedef struct twodir_client {
  double *v[V_COUNT];
  double sc[TWODIR_NSCALARS]; /* the scalars as received */
  double Gamma;               /* the client's Gamma_t */
  tpc_msg msg;
  gsl_rng *rng, *shared;
  uint8_t *buf;
  size_t cap;
  double f, G;                /* f_i(x) (observer), ||h_i - grad f_i(z)||^2 */
  double fz;                  /* f_i(z), with grad f_i(z) in V_GRAD after the round */
  uint64_t bits, paper;
  int bad, status;
  char err[200];
} twodir_client;

struct tpc_twodir {
  const tpc_problem *p;
  const tpc_registry *reg;
  size_t d, n;
  tpc_spec *qspec;
  size_t nq;
  tpc_comp **q;               /* Q instances, one per thread */
  tpc_comp *cs;
  tpc_twodir_info info;
  tpc_twodir_ops ops;
  twodir_client *c;
  /* the server */
  double *x, *u, *w, *z, *k, *v, *h, *y, *g, *qs, *e, *pout, *sum, *gx, *hbound;
  tpc_msg smsg;
  gsl_rng *srng;
  tpc_twodir_scalars s;
  int coin;
  int z_is_x;                 /* z = x after the round (the start, a coin that
                                 came up): f_i(x), grad f_i(x) are the clients' */
  uint64_t dense_bits, dense_paper, scalar_bits, scalar_paper;
  const tpc_problem_optimum *opt;
  double fstar;               /* f(x*) as this runner evaluates f (observe) */
};

void tpc_twodir_params_init(tpc_twodir_params *pr) {
  memset(pr, 0, sizeof *pr);
  pr->p = pr->tau = NAN;
  pr->lbar = TPC_TWODIR_LBAR_STEP;
  pr->Lbar = NAN;
  pr->Gamma0 = 1.0;
}

/* ---- T11.2 ------------------------------------------------------------------ */

double tpc_twodir_default_p(double omega, double alpha) {
  if (omega == 0) return 1.0;
  double p = fmax(1.0 / (omega + 1.0), 1.0 / ((omega + 1.0) * sqrt(alpha * omega)));
  return fmin(1.0, p);
}

double tpc_twodir_default_tau(double omega) {
  if (omega == 0) return 1.0;
  return fmin(1.0, 1.0 / (cbrt(omega) * pow(omega + 1.0, 2.0 / 3.0)));
}

/* theta-bar, the positive root of a th^2 + b th - c = 0 with a = p Lbar Gamma,
** b = p (Lbar + Gamma mu), c = Lbar + Gamma mu, in the form 2c/(b + sqrt(b^2
** + 4ac)) that loses no digits to cancellation. */
void tpc_twodir_scalars_next(tpc_twodir_scalars *s, double p, double alpha, double tau,
                             double beta) {
  double c = s->Lbar + s->Gamma * s->mu;
  double a = p * s->Lbar * s->Gamma, b = p * c;
  double theta_bar = 2.0 * c / (b + sqrt(b * b + 4.0 * a * c));
  double cap = 0.25 * fmin(fmin(1.0, alpha / p), fmin(tau / p, beta / p));
  s->theta = fmin(theta_bar, cap);
  s->gamma = p * s->theta * s->Gamma / (1.0 - p * s->theta);
  s->Gamma_next = s->Gamma + s->gamma;
}

void tpc_twodir_step(const tpc_twodir_scalars *s, const double *dir, const double *a,
                     const double *y, double *out, size_t d) {
  double ca = s->Lbar + s->Gamma * s->mu, cy = s->mu * s->gamma;
  double den = s->Lbar + s->Gamma_next * s->mu;
  for (size_t j = 0; j < d; j++) out[j] = (ca * a[j] + cy * y[j] - s->gamma * dir[j]) / den;
}

static void anchor_take(size_t client, uint64_t t, const double *znew, const double *knew,
                        double *z, double *k, size_t d) {
  (void)client;
  (void)t;
  memcpy(z, znew, d * sizeof(double));
  memcpy(k, knew, d * sizeof(double));
}

/* ---- set-up ---------------------------------------------------------------- */

static double *vec_alloc(size_t d) { return tpc_calloc_aligned(d, sizeof(double)); }

void tpc_twodir_free(tpc_twodir *tw) {
  if (!tw) return;
  for (size_t i = 0; tw->c && i < tw->n; i++) {
    twodir_client *c = &tw->c[i];
    for (int k = 0; k < V_COUNT; k++) free(c->v[k]);
    if (c->rng) gsl_rng_free(c->rng);
    if (c->shared) gsl_rng_free(c->shared);
    free(c->buf);
  }
  free(tw->c);
  for (size_t k = 0; k < tw->nq; k++) tpc_comp_free(tw->q[k]);
  free(tw->q);
  tpc_spec_free(tw->qspec);
  tpc_comp_free(tw->cs);
  if (tw->srng) gsl_rng_free(tw->srng);
  double *vs[] = {tw->x, tw->u, tw->w, tw->z, tw->k, tw->v, tw->h, tw->y,
                  tw->g, tw->qs, tw->e, tw->pout, tw->sum, tw->gx, tw->hbound};
  for (size_t k = 0; k < sizeof vs / sizeof vs[0]; k++) free(vs[k]);
  free(tw);
}

/* At least `count` Q instances (one per thread: a message points into its
** compressor's workspace and is used before the thread's next call). */
static int q_instances(tpc_twodir *tw, size_t count) {
  int status;
  if (count <= tw->nq) return TPC_OK;
  tpc_comp **q = realloc(tw->q, count * sizeof *q);
  if (!q) return tpc_error(TPC_ENOMEM, "twodirection: out of memory");
  tw->q = q;
  while (tw->nq < count) {
    if (!(q[tw->nq] = tpc_comp_alloc(tw->reg, tw->qspec, tw->d, tw->n, &status))) return status;
    tw->nq++;
  }
  return TPC_OK;
}

static int vectors_alloc(tpc_twodir *tw) {
  double **vs[] = {&tw->x, &tw->u, &tw->w, &tw->z, &tw->k, &tw->v, &tw->h, &tw->y,
                   &tw->g, &tw->qs, &tw->e, &tw->pout, &tw->sum, &tw->gx, &tw->hbound};
  for (size_t k = 0; k < sizeof vs / sizeof vs[0]; k++)
    if (!(*vs[k] = vec_alloc(tw->d))) return tpc_error(TPC_ENOMEM, "twodirection: out of memory");
  if (!(tw->c = calloc(tw->n, sizeof *tw->c)) || !(tw->srng = gsl_rng_alloc(gsl_rng_pcg64)))
    return tpc_error(TPC_ENOMEM, "twodirection: out of memory");
  for (size_t i = 0; i < tw->n; i++) {
    twodir_client *c = &tw->c[i];
    for (int k = 0; k < V_COUNT; k++)
      if (!(c->v[k] = vec_alloc(tw->d)))
        return tpc_error(TPC_ENOMEM, "twodirection: out of memory for client %zu", i);
    if (!(c->rng = gsl_rng_alloc(gsl_rng_pcg64)) || !(c->shared = gsl_rng_alloc(gsl_rng_pcg64)))
      return tpc_error(TPC_ENOMEM, "twodirection: out of memory");
  }
  return TPC_OK;
}

/* Bits of a dense message of m doubles (the anchor vectors, the scalars). */
static void dense_message_bits(size_t m, uint64_t *bits, uint64_t *paper) {
  double zero[1] = {0};
  tpc_msg msg;
  tpc_msg_reset(&msg);
  tpc_msg_part *pt = tpc_msg_add(&msg, TPC_MSG_DENSE, TPC_F64, m);
  pt->absolute = 1;
  pt->val = zero; /* sizes only: nothing is read */
  *bits = tpc_wire_bits(&msg, TPC_WIRE_AUTO);
  *paper = tpc_wire_paper_bits(&msg);
}

/* The compressors' classes and constants, the parameters' ranges. */
static int params_check(tpc_twodir *tw, const tpc_twodir_params *pr) {
  tpc_comp_consts kq, ks;
  char text[256];
  tpc_comp_consts_get(tw->q[0], &kq);
  tpc_comp_consts_get(tw->cs, &ks);
  if (!(kq.cls & TPC_CLASS_UNBIASED)) {
    tpc_spec_print(pr->Q, text, sizeof text);
    return tpc_error(TPC_EINPUT, "twodirection: the clients' compressor %s is not unbiased: "
                                 "2Direction needs Q in U(omega) [T11.1]", text);
  }
  if (!(ks.cls & TPC_CLASS_CONTRACTIVE)) {
    tpc_spec_print(pr->Cs, text, sizeof text);
    return tpc_error(TPC_EINPUT, "twodirection: the server compressor %s is not contractive: "
                                 "2Direction needs C_s in B(alpha) [T11.1]", text);
  }
  tpc_twodir_info *in = &tw->info;
  in->omega = kq.omega;
  in->alpha = ks.alpha;
  in->beta = 1.0 / (kq.omega + 1.0);
  in->p = isnan(pr->p) ? tpc_twodir_default_p(kq.omega, ks.alpha) : pr->p;
  in->tau = isnan(pr->tau) ? tpc_twodir_default_tau(kq.omega) : pr->tau;
  in->Gamma0 = pr->Gamma0;
  in->lbar = pr->lbar;
  in->Lbar = pr->lbar == TPC_TWODIR_LBAR_STEP ? NAN : pr->Lbar;
  in->deterministic = kq.deterministic && ks.deterministic && in->p == 1.0;
  const tpc_problem_consts *pc = &tw->p->c;
  in->mu = pc->musc.kind != TPC_CONST_UNKNOWN && pc->musc.value > 0 ? pc->musc.value : 0.0;
  if (!(in->p > 0 && in->p <= 1) || !(in->tau > 0 && in->tau <= 1))
    return tpc_error(TPC_EINPUT, "twodirection: p = %g and tau = %g must lie in (0, 1]", in->p,
                     in->tau);
  if (!(pr->Gamma0 > 0 && isfinite(pr->Gamma0)))
    return tpc_error(TPC_EINPUT, "twodirection: gamma0 = %g must be positive", pr->Gamma0);
  if (pr->lbar != TPC_TWODIR_LBAR_STEP && !(pr->Lbar > 0 && isfinite(pr->Lbar)))
    return tpc_error(TPC_EINPUT, "twodirection: %s = %g must be positive",
                     pr->lbar == TPC_TWODIR_LBAR_ABS ? "Lbar" : "Lbar_mult", pr->Lbar);
  if (pr->lbar == TPC_TWODIR_LBAR_MULT && pc->Lminus.kind == TPC_CONST_UNKNOWN)
    return tpc_error(TPC_EINPUT, "twodirection: Lbar_mult needs the problem's L-, and %s "
                                 "declares none (give Lbar=)", tw->p->type->name);
  return TPC_OK;
}

tpc_twodir *tpc_twodir_alloc(const tpc_problem *p, const tpc_registry *reg,
                             const tpc_twodir_params *pr, int *status) {
  tpc_twodir *tw = calloc(1, sizeof *tw);
  int rc = TPC_OK;
  if (!tw) {
    *status = tpc_error(TPC_ENOMEM, "twodirection: out of memory");
    return NULL;
  }
  tw->p = p;
  tw->reg = reg;
  tw->d = p->d;
  tw->n = p->n;
  tw->ops.step = pr->ops && pr->ops->step ? pr->ops->step : tpc_twodir_step;
  tw->ops.anchor = pr->ops && pr->ops->anchor ? pr->ops->anchor : anchor_take;
  if (!(tw->qspec = tpc_spec_copy(pr->Q))) rc = tpc_error(TPC_ENOMEM, "out of memory");
  if (!rc) rc = q_instances(tw, 1);
  if (!rc && !(tw->cs = tpc_comp_alloc(reg, pr->Cs, tw->d, tw->n, &rc)))
    tpc_error_prefix(rc, "twodirection: ");
  if (!rc) rc = params_check(tw, pr);
  if (!rc) rc = vectors_alloc(tw);
  if (!rc) {
    dense_message_bits(tw->d, &tw->dense_bits, &tw->dense_paper);
    dense_message_bits(TWODIR_NSCALARS, &tw->scalar_bits, &tw->scalar_paper);
  }
  *status = rc;
  if (!rc) return tw;
  tpc_twodir_free(tw);
  return NULL;
}

void tpc_twodir_info_get(const tpc_twodir *tw, tpc_twodir_info *out) { *out = tw->info; }

const double *tpc_twodir_x(const tpc_twodir *tw) { return tw->x; }
const double *tpc_twodir_y(const tpc_twodir *tw) { return tw->y; }
const double *tpc_twodir_g(const tpc_twodir *tw) { return tw->g; }
const tpc_problem *tpc_twodir_problem(const tpc_twodir *tw) { return tw->p; }

/* ---- messages ----------------------------------------------------------------- */

typedef struct twodir_round {
  tpc_twodir *tw;
  const tpc_alg1_opts *o;
  uint64_t t;            /* the round: t = 0 is the start */
  char *work;
  size_t work_size;
} twodir_round;

static void client_fail(twodir_client *c, int rc) {
  if (c->status) return;
  c->status = rc;
  snprintf(c->err, sizeof c->err, "%s", tpc_error_msg());
}

/* Receive message m into v (d values): through the wire with the check,
** else as sent. */
static void receive(const twodir_round *r, twodir_client *c, const tpc_msg *m, double *v,
                    size_t d) {
  if (!r->o->wire_check) {
    tpc_msg_apply_f64(m, v);
    return;
  }
  int rc = tpc_runner_wire_apply(m, v, d, &c->buf, &c->cap, tpc_msg_apply_f64);
  if (rc) client_fail(c, rc);
}

/* A dense absolute message of the m values at val. */
static void dense_message(tpc_msg *msg, const double *val, size_t m) {
  tpc_msg_reset(msg);
  tpc_msg_part *pt = tpc_msg_add(msg, TPC_MSG_DENSE, TPC_F64, m);
  pt->absolute = 1;
  pt->val = (void *)val;
}

static void client_streams(const twodir_round *r, size_t i, twodir_client *c) {
  uint64_t slot = r->o->rep * (r->tw->n + 1) + i, t1 = r->t + 1;
  tpc_rng_stream(c->rng, r->o->seed, TPC_PURPOSE_CLIENT, (slot << 32) | t1);
  tpc_rng_stream(c->shared, r->o->seed, TPC_PURPOSE_SHARED, (r->o->rep << 32) | t1);
}

/* grad f_i at pt into V_GRAD; flags the client bad when non-finite or huge. */
static double client_grad(const twodir_round *r, size_t i, twodir_client *c, const double *pt,
                          void *work) {
  const tpc_problem *p = r->tw->p;
  double f = p->type->grad(p, i, pt, c->v[V_GRAD], work);
  if (!(isfinite(f) && tpc_vec_norm2_4(c->v[V_GRAD], r->tw->d) <= TWODIR_GUARD)) c->bad = 1;
  return f;
}

/* Client i's message Q_i(grad f_i - h_i) (V_GRAD holds the gradient), its
** bits, and the server's decoded copy into `srv`. */
static void client_send(const twodir_round *r, size_t i, size_t th, twodir_client *c,
                        double *srv) {
  size_t d = r->tw->d;
  double *diff = c->v[V_DIFF];
  for (size_t j = 0; j < d; j++) diff[j] = c->v[V_GRAD][j] - c->v[V_H][j];
  tpc_ctx ctx = {.rng = c->rng, .shared = c->shared, .client = i};
  tpc_msg_reset(&c->msg);
  tpc_comp_compress_f64(r->tw->q[th], diff, c->v[V_OUT], &c->msg, &ctx);
  c->bits += tpc_wire_bits(&c->msg, TPC_WIRE_AUTO);
  c->paper += tpc_wire_paper_bits(&c->msg);
  memset(srv, 0, d * sizeof(double));
  receive(r, c, &c->msg, srv, d);
}

/* Phase 1 of round t for client i: the scalars, y, and a_i. */
static void client_up_y(const twodir_round *r, size_t i, size_t th, void *work) {
  tpc_twodir *tw = r->tw;
  twodir_client *c = &tw->c[i];
  size_t d = tw->d;
  tpc_msg m;
  c->bits = c->paper = 0;
  double sc[TWODIR_NSCALARS] = {tw->s.theta, tw->s.gamma, tw->s.Gamma_next};
  dense_message(&m, sc, TWODIR_NSCALARS);
  receive(r, c, &m, c->sc, TWODIR_NSCALARS);
  double th_ = c->sc[0], *y = c->v[V_Y];
  for (size_t j = 0; j < d; j++) y[j] = th_ * c->v[V_W][j] + (1.0 - th_) * c->v[V_Z][j];
  client_streams(r, i, c);
  client_grad(r, i, c, y, work);
  if (!c->bad) client_send(r, i, th, c, c->v[V_A]);
}

/* Phase 2 for client i: q and w from the broadcast p, the anchor when the
** coin came up, then b_i at z and h_i += beta b_i. */
static void client_down_z(const twodir_round *r, size_t i, size_t th, void *work) {
  tpc_twodir *tw = r->tw;
  twodir_client *c = &tw->c[i];
  size_t d = tw->d;
  tpc_twodir_scalars s = {.theta = c->sc[0], .gamma = c->sc[1], .Gamma = c->Gamma,
                          .Gamma_next = c->sc[2], .Lbar = tw->s.Lbar, .mu = tw->s.mu};
  tw->ops.step(&s, c->v[V_K], c->v[V_W], c->v[V_Y], c->v[V_Q], d);
  memcpy(c->v[V_W], c->v[V_Q], d * sizeof(double));
  receive(r, c, &tw->smsg, c->v[V_W], d);
  if (tw->coin) {
    tpc_msg m;
    double *zn = c->v[V_DIFF], *kn = c->v[V_OUT];
    dense_message(&m, tw->z, d);
    receive(r, c, &m, zn, d);
    dense_message(&m, tw->k, d);
    receive(r, c, &m, kn, d);
    tw->ops.anchor(i, r->t, zn, kn, c->v[V_Z], c->v[V_K], d);
  }
  c->Gamma = s.Gamma_next;
  c->fz = client_grad(r, i, c, c->v[V_Z], work);
  if (c->bad) return;
  client_send(r, i, th, c, c->v[V_B]);
  tpc_msg hm = c->msg;
  for (size_t k = 0; k < hm.nparts; k++) hm.part[k].coef *= tw->info.beta;
  tpc_msg_apply_f64(&hm, c->v[V_H]);
  c->G = tpc_vec_dist2_4(c->v[V_H], c->v[V_GRAD], d);
}

/* The start for client i: w = z = x^0, h_i = grad f_i(x^0) sent densely,
** G_i = 0. */
static void client_start(const twodir_round *r, size_t i, size_t th, void *work) {
  (void)th;
  tpc_twodir *tw = r->tw;
  twodir_client *c = &tw->c[i];
  size_t d = tw->d;
  tpc_msg m;
  c->bits = c->paper = 0;
  c->bad = c->status = 0;
  c->Gamma = tw->info.Gamma0;
  memcpy(c->v[V_W], tw->x, d * sizeof(double));
  memcpy(c->v[V_Z], tw->x, d * sizeof(double));
  c->fz = client_grad(r, i, c, tw->x, work);
  memcpy(c->v[V_H], c->v[V_GRAD], d * sizeof(double));
  dense_message(&m, c->v[V_H], d);
  c->bits += tw->dense_bits;
  c->paper += tw->dense_paper;
  receive(r, c, &m, c->v[V_A], d);
  c->G = 0;
}

/* Client i takes k^0 = h^0, broadcast densely. */
static void client_take_k(const twodir_round *r, size_t i, size_t th, void *work) {
  (void)th;
  (void)work;
  twodir_client *c = &r->tw->c[i];
  tpc_msg m;
  dense_message(&m, r->tw->k, r->tw->d);
  receive(r, c, &m, c->v[V_K], r->tw->d);
}

/* The observer: f_i and grad f_i at the server's x (not communication),
** where z != x (else they are the clients' own at z: point_stats). */
static void client_observe_x(const twodir_round *r, size_t i, size_t th, void *work) {
  (void)th;
  twodir_client *c = &r->tw->c[i];
  c->f = client_grad(r, i, c, r->tw->x, work);
}

typedef void (*client_fn)(const twodir_round *r, size_t i, size_t th, void *work);

static int client_threads(const tpc_twodir *tw, const tpc_alg1_opts *o) {
  return (size_t)o->threads < tw->n ? o->threads : (int)tw->n;
}

static void clients_run(const twodir_round *r, client_fn fn) {
  long nl = (long)r->tw->n;
  int par = r->tw->p->data_bytes >= TWODIR_PAR_BYTES;
#pragma omp parallel for num_threads(client_threads(r->tw, r->o)) schedule(static) if (par)
  for (long i = 0; i < nl; i++) {
    size_t th = (size_t)omp_get_thread_num();
    fn(r, (size_t)i, th, r->work + th * r->work_size);
  }
}

/* out = (1/n) sum_i client i's vector `which`, clients in order in every
** coordinate (blocks of coordinates in parallel). */
static void clients_mean(const tpc_twodir *tw, const tpc_alg1_opts *o, int which, double *out) {
  size_t d = tw->d, n = tw->n;
  long nb = (long)((d + TWODIR_BLOCK - 1) / TWODIR_BLOCK);
  int par = nb > 1 && n * d >= TWODIR_PAR_VALUES;
#pragma omp parallel for num_threads(o->threads) schedule(static) if (par)
  for (long b = 0; b < nb; b++) {
    size_t lo = (size_t)b * TWODIR_BLOCK, hi = lo + TWODIR_BLOCK < d ? lo + TWODIR_BLOCK : d;
    for (size_t j = lo; j < hi; j++) out[j] = 0;
    for (size_t i = 0; i < n; i++) {
      const double *vi = tw->c[i].v[which];
      for (size_t j = lo; j < hi; j++) out[j] += vi[j];
    }
    for (size_t j = lo; j < hi; j++) out[j] /= (double)n;
  }
}

/* ---- the server --------------------------------------------------------------- */

/* Steps 2-4 of T11.1 after the a_i: g, u, q, p = C_s(u - q), w, x, the coin;
** the downlink bits into pt. */
static void server_step(tpc_twodir *tw, const tpc_alg1_opts *o, uint64_t t,
                        tpc_alg1_point *pt) {
  size_t d = tw->d;
  clients_mean(tw, o, V_A, tw->sum);
  for (size_t j = 0; j < d; j++) tw->g[j] = tw->h[j] + tw->sum[j];
  tw->ops.step(&tw->s, tw->g, tw->u, tw->y, tw->e, d);
  memcpy(tw->u, tw->e, d * sizeof(double));
  tw->ops.step(&tw->s, tw->k, tw->w, tw->y, tw->qs, d);
  for (size_t j = 0; j < d; j++) tw->e[j] = tw->u[j] - tw->qs[j];
  tpc_rng_stream(tw->srng, o->seed, TPC_PURPOSE_CLIENT,
                 ((o->rep * (tw->n + 1) + tw->n) << 32) | (t + 1));
  tpc_ctx ctx = {.rng = tw->srng, .shared = tw->srng, .client = 0};
  tpc_msg_reset(&tw->smsg);
  tpc_comp_compress_f64(tw->cs, tw->e, tw->pout, &tw->smsg, &ctx);
  memcpy(tw->w, tw->qs, d * sizeof(double));
  tpc_msg_apply_f64(&tw->smsg, tw->w);
  double th = tw->s.theta;
  for (size_t j = 0; j < d; j++) tw->x[j] = th * tw->u[j] + (1.0 - th) * tw->z[j];
  tw->coin = tw->z_is_x = gsl_rng_uniform(tw->srng) < tw->info.p;
  if (tw->coin) {
    memcpy(tw->k, tw->v, d * sizeof(double));
    memcpy(tw->z, tw->x, d * sizeof(double));
  }
  pt->bits_down += tpc_wire_bits(&tw->smsg, TPC_WIRE_AUTO) + tw->scalar_bits;
  pt->bits_down_paper += tpc_wire_paper_bits(&tw->smsg) + tw->scalar_paper;
  if (tw->coin) {
    pt->bits_down += 2 * tw->dense_bits;
    pt->bits_down_paper += 2 * tw->dense_paper;
  }
}

/* Step 5's server side: v and h from the mean of the b_i. */
static void server_shifts(tpc_twodir *tw, const tpc_alg1_opts *o) {
  clients_mean(tw, o, V_B, tw->sum);
  double tau = tw->info.tau, beta = tw->info.beta;
  for (size_t j = 0; j < tw->d; j++) {
    tw->v[j] = (1.0 - tau) * tw->v[j] + tau * (tw->h[j] + tw->sum[j]);
    tw->h[j] += beta * tw->sum[j];
  }
}

/* ---- the wire check (T11.4) ----------------------------------------------------- */

/* The first client whose w, z, k or y differs from the server's by a bit. */
static int copies_check(const tpc_twodir *tw, uint64_t t) {
  static const char *const names[] = {"w", "z", "k", "y"};
  const double *srv[] = {tw->w, tw->z, tw->k, tw->y};
  const int which[] = {V_W, V_Z, V_K, V_Y};
  for (size_t i = 0; i < tw->n; i++)
    for (int k = 0; k < 4; k++)
      if (memcmp(tw->c[i].v[which[k]], srv[k], tw->d * sizeof(double)) != 0)
        return tpc_error(TPC_EINTERNAL,
                         "twodirection: client %zu, round %llu: its copy of %s differs from "
                         "the server's",
                         i, (unsigned long long)t, names[k]);
  return TPC_OK;
}

/* h = (1/n) sum h_i within the accumulated bound of twodir.h. */
static int shifts_check(tpc_twodir *tw, const tpc_alg1_opts *o, uint64_t t) {
  size_t d = tw->d, n = tw->n;
  double eps = DBL_EPSILON, beta = tw->info.beta;
  clients_mean(tw, o, V_H, tw->sum);
  for (size_t j = 0; j < d; j++) {
    double sabs_h = 0, sabs_b = 0;
    for (size_t i = 0; i < n; i++) {
      sabs_h += fabs(tw->c[i].v[V_H][j]);
      sabs_b += t > 0 ? fabs(tw->c[i].v[V_B][j]) : 0;
    }
    sabs_h /= (double)n;
    if (t > 0)
      tw->hbound[j] += eps * ((double)(n + 2) * beta * sabs_b / (double)n + fabs(tw->h[j]) + sabs_h);
    double tol = 2.0 * tw->hbound[j] + (double)n * eps * sabs_h;
    if (!(fabs(tw->h[j] - tw->sum[j]) <= tol))
      return tpc_error(TPC_EINTERNAL,
                       "twodirection: round %llu: the server's h differs from (1/n) sum h_i "
                       "by %.3g at coordinate %zu (rounding allows %.3g)",
                       (unsigned long long)t, fabs(tw->h[j] - tw->sum[j]), j, tol);
  }
  return TPC_OK;
}

/* The clients' failures first (a message that did not decode), then T11.4. */
static int round_check(tpc_twodir *tw, const tpc_alg1_opts *o, uint64_t t) {
  for (size_t i = 0; i < tw->n; i++)
    if (tw->c[i].status)
      return tpc_error(tw->c[i].status, "twodirection: client %zu, round %llu: %s", i,
                       (unsigned long long)t, tw->c[i].err);
  if (!o->wire_check) return TPC_OK;
  int rc = copies_check(tw, t);
  return rc ? rc : shifts_check(tw, o, t);
}

/* ---- points ----------------------------------------------------------------------- */

/* f, ||grad f||^2 at x, G^t and the bits up of the round into pt. */
static void point_stats(tpc_twodir *tw, const twodir_round *r, tpc_alg1_point *pt) {
  double f = 0, G = 0;
  int bad = 0;
  if (!tw->z_is_x) clients_run(r, client_observe_x);
  for (size_t i = 0; i < tw->n; i++) {
    twodir_client *c = &tw->c[i];
    f += tw->z_is_x ? c->fz : c->f;
    G += c->G;
    pt->bits_up += c->bits;
    pt->bits_up_paper += c->paper;
    bad |= c->bad;
  }
  clients_mean(tw, r->o, V_GRAD, tw->gx);
  pt->f = f / (double)tw->n;
  pt->G = G / (double)tw->n;
  pt->gnorm2 = bad ? INFINITY : tpc_vec_norm2(tw->gx, tw->d);
  pt->f_x = pt->gnorm2_x = pt->dist2 = pt->f_avg = pt->H = pt->wx2 = pt->psi = NAN;
  pt->Gamma = tw->s.Gamma;
}

static double f_at(const tpc_twodir *tw, const double *z, void *work) {
  double f = 0;
  for (size_t i = 0; i < tw->n; i++) f += tw->p->type->value(tw->p, i, z, work);
  return f / (double)tw->n;
}

/* The observables at a recorded point: f(x^t), ||x^t - x*||^2, ||w^t - x^t||^2,
** and T11.3's Psi_t with f* = f(x*) evaluated as f(z^t) is. */
static void observe(tpc_twodir *tw, void *work, tpc_alg1_point *pt) {
  size_t d = tw->d;
  pt->f_x = pt->f;
  pt->gnorm2_x = pt->gnorm2;
  pt->wx2 = tpc_vec_dist2_4(tw->w, tw->x, d);
  if (!tw->opt) return;
  pt->dist2 = tpc_vec_dist2_4(tw->x, tw->opt->x, d);
  double G = tw->s.Gamma, fz = tw->z_is_x ? pt->f : f_at(tw, tw->z, work);
  pt->psi = G * (fz - tw->fstar) +
            0.5 * (tw->s.Lbar + G * tw->s.mu) * tpc_vec_dist2_4(tw->u, tw->opt->x, d);
}

/* ---- the loop ------------------------------------------------------------------------ */

static int check_opts(const tpc_twodir *tw, const tpc_alg1_opts *o) {
  if (tw->info.lbar == TPC_TWODIR_LBAR_STEP && !(o->gamma > 0 && isfinite(o->gamma)))
    return tpc_error(TPC_EINPUT,
                     "twodirection: Lbar = 1/gamma needs a positive finite step (gamma = %g)",
                     o->gamma);
  if (o->T < 1 || o->T >= UINT32_MAX || o->threads < 1 || o->record_every < 1 ||
      !(o->eps >= 0) || !(o->diverge >= 0) || o->rep >= (UINT64_C(1) << 31) ||
      (o->f_stop && !isfinite(o->f_target)))
    return tpc_error(TPC_EINPUT, "twodirection: T in [1, 2^32 - 1), threads, record_every >= 1, "
                                 "eps, diverge >= 0, a finite f target, rep < 2^31");
  return TPC_OK;
}

/* Lbar for the run: absolute, a multiple of L-, or 1/gamma. */
static double lbar_of(const tpc_twodir *tw, const tpc_alg1_opts *o) {
  switch (tw->info.lbar) {
    case TPC_TWODIR_LBAR_ABS: return tw->info.Lbar;
    case TPC_TWODIR_LBAR_MULT: return tw->info.Lbar * tw->p->c.Lminus.value;
    default: return 1.0 / o->gamma;
  }
}

/* T11.1's start on both sides; the bits of h_i^0 up and k^0 down into pt. */
static int start(tpc_twodir *tw, twodir_round *r, tpc_alg1_point *pt) {
  const tpc_alg1_opts *o = r->o;
  size_t d = tw->d;
  int rc = tpc_alg1_x0_fill(tw->p, o->x0, o->seed, tw->x);
  if (rc) return tpc_error(rc, "twodirection: out of memory");
  double *vs[] = {tw->u, tw->w, tw->z, tw->y};
  for (size_t k = 0; k < 4; k++) memcpy(vs[k], tw->x, d * sizeof(double));
  memset(tw->hbound, 0, d * sizeof(double));
  tw->s = (tpc_twodir_scalars){.Gamma = tw->info.Gamma0, .Lbar = lbar_of(tw, o), .mu = tw->info.mu};
  tw->z_is_x = 1;
  clients_run(r, client_start);
  clients_mean(tw, o, V_A, tw->h);
  memcpy(tw->v, tw->h, d * sizeof(double));
  memcpy(tw->k, tw->h, d * sizeof(double));
  clients_run(r, client_take_k);
  for (size_t i = 0; i < tw->n; i++) memcpy(tw->c[i].v[V_Y], tw->y, d * sizeof(double));
  pt->bits_down += tw->dense_bits;
  pt->bits_down_paper += tw->dense_paper;
  return round_check(tw, o, 0);
}

/* One round t: the scalars, the a_i, the server's step, the clients' side of
** the downlink and the b_i, v and h. */
static int round_run(tpc_twodir *tw, twodir_round *r, tpc_alg1_point *pt) {
  tpc_twodir_info *in = &tw->info;
  tpc_twodir_scalars_next(&tw->s, in->p, in->alpha, in->tau, in->beta);
  double th = tw->s.theta;
  for (size_t j = 0; j < tw->d; j++) tw->y[j] = th * tw->w[j] + (1.0 - th) * tw->z[j];
  clients_run(r, client_up_y);
  server_step(tw, r->o, r->t, pt);
  clients_run(r, client_down_z);
  server_shifts(tw, r->o);
  tw->s.Gamma = tw->s.Gamma_next;
  return round_check(tw, r->o, r->t + 1);
}

/* Why the run stops at point pt, or -1 to go on (the order of alg1.c's). */
static int stop_reason(const tpc_twodir *tw, const tpc_alg1_opts *o, const tpc_alg1_point *pt,
                       double gn0) {
  if (!isfinite(pt->gnorm2) || !isfinite(pt->f) || !isfinite(pt->G) ||
      (o->diverge > 0 && pt->gnorm2 > o->diverge * gn0))
    return TPC_ALG1_STOP_DIVERGED;
  if (pt->t >= o->T) return TPC_ALG1_STOP_T;
  if (o->eps > 0 && pt->gnorm2 <= o->eps) return TPC_ALG1_STOP_EPS;
  if (o->f_stop && pt->f <= o->f_target) return TPC_ALG1_STOP_F;
  if (o->bits_budget > 0 && pt->bits_up / tw->n >= o->bits_budget) return TPC_ALG1_STOP_BITS;
  if (o->cancel && o->cancel(o->cancel_ctx)) return TPC_ALG1_STOP_CANCELLED;
  return -1;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int iterate(tpc_twodir *tw, twodir_round *r, tpc_alg1_result *res) {
  const tpc_alg1_opts *o = r->o;
  tpc_alg1_point pt = {0};
  size_t cap = 0;
  int rc = start(tw, r, &pt), stop;
  if (rc) return rc;
  point_stats(tw, r, &pt);
  if (o->observe) observe(tw, r->work, &pt);
  res->first = pt;
  double t0 = now();
  for (;;) {
    stop = stop_reason(tw, o, &pt, res->first.gnorm2);
    if (stop >= 0 || pt.t % o->record_every == 0) {
      if (o->observe && pt.t > 0) observe(tw, r->work, &pt);
      if ((rc = tpc_runner_record(res, &cap, &pt))) return rc;
    }
    if (stop >= 0) break;
    res->sum_gnorm2 += pt.gnorm2;
    r->t = pt.t;
    if ((rc = round_run(tw, r, &pt))) return rc;
    pt.t++;
    point_stats(tw, r, &pt);
  }
  res->seconds = now() - t0;
  res->stop = (tpc_alg1_stop)stop;
  res->iters = pt.t;
  res->last = pt;
  return TPC_OK;
}

int tpc_twodir_run(tpc_twodir *tw, const tpc_alg1_opts *o, tpc_alg1_result *res) {
  memset(res, 0, sizeof *res);
  int rc = check_opts(tw, o);
  if (!rc) rc = q_instances(tw, (size_t)client_threads(tw, o));
  if (rc) return rc;
  if (o->observe && !tw->opt) {
    tw->opt = tpc_problem_optimum(tw->p); /* NULL, and a message, when none is known */
    tpc_error_clear();
  }
  twodir_round r = {.tw = tw, .o = o};
  size_t ws = tpc_problem_work_size(tw->p);
  r.work_size = (ws + 63) / 64 * 64;
  r.work = r.work_size ? tpc_calloc_aligned((size_t)o->threads, r.work_size) : NULL;
  if (r.work_size && !r.work) return tpc_error(TPC_ENOMEM, "twodirection: out of memory");
  if (tw->opt && o->observe) tw->fstar = f_at(tw, tw->opt->x, r.work);
  rc = iterate(tw, &r, res);
  free(r.work);
  if (rc) tpc_alg1_result_free(res);
  return rc;
}
