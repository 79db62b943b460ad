/*
** 2Direction (THEORY.md T11.1, T11.2): accelerated bidirectional compression.
** Clients send two unbiased messages a round (Q in U(omega)), the server
** broadcasts one contractive message (C_s in B(alpha)), three scalars and,
** when its coin comes up, two dense vectors.  The runner keeps the server's
** state (x, u, w, z, k, v, h) and each client's (its own w, z, k, from which
** it recomputes y and q, and its shift h_i) apart, as a deployment does.
**
** One round t, with Gamma = Gamma_t and the scalars theta, gamma, Gamma+ of
** T11.2 broadcast first:
**   clients   y = theta w + (1-theta) z;  a_i = Q_i(grad f_i(y) - h_i)
**   server    g = h + (1/n) sum a_i;  u = S(g, u);  q = S(k, w);
**             p = C_s(u - q), broadcast;  w = q + p;  x = theta u + (1-theta) z;
**             with probability p: k = v, z = x, both broadcast densely
**   clients   q = S(k, w) from their own k, w, y;  w = q + p;  take z, k;
**             b_i = Q_i(grad f_i(z) - h_i);  h_i += beta b_i
**   server    v = (1-tau) v + tau (h + (1/n) sum b_i);  h += (beta/n) sum b_i
** with S(d, a) = ((Lbar + Gamma mu) a + mu gamma y - gamma d)/(Lbar + Gamma+ mu).
** This is the order of the authors' code (T11.2's provenance): C_s's draws,
** then the coin, on the server's stream; a_i's draws then b_i's on client i's.
**
** Reproducibility as methods/alg1.h: client i's stream in round t from
** (seed, TPC_PURPOSE_CLIENT, (rep (n+1) + i) 2^32 + t + 1), the shared stream
** from (TPC_PURPOSE_SHARED, rep 2^32 + t + 1), the server's (C_s, then the
** coin) from slot n.  Sums over clients are taken in client order, so a
** trajectory is bit-identical for any thread count.
**
** The start (T11.1): x = u = w = z = x^0 on both sides; client i sends
** h_i^0 = grad f_i(x^0) densely, the server averages h = v = k and
** broadcasts k densely.  Bits: up, a_i and b_i as encoded (and the papers'
** values-only count); down, p, the three scalars as three doubles, and the
** two dense vectors in a round whose coin comes up.
**
** With `wire_check` every message crosses the wire (encoded, decoded) before
** its receiver applies it, and after every round the clients' w, z, k, y are
** compared bit for bit with the server's and h with (1/n) sum h_i to
** TPC_TWODIR_H_TOL (T11.4); a difference stops the run with TPC_EINTERNAL
** naming the client and round.
**
** Points are at x^t, where the authors evaluate: f(x^t), ||grad f(x^t)||^2,
** and G^t = (1/n) sum ||h_i^t - grad f_i(z^t)||^2 (the shifts' error at the
** anchor z).  With opts.observe and a known optimum also ||x^t - x*||^2 and
** T11.3's Psi_t = Gamma_t (f(z^t) - f*) + ((Lbar + Gamma_t mu)/2)||u^t - x*||^2.
*/
#ifndef TPC_METHODS_TWODIR_H
#define TPC_METHODS_TWODIR_H

#include <stddef.h>
#include <stdint.h>

#include "methods/alg1.h"

/* The wire check's tolerance on h^t = (1/n) sum h_i^t (T11.4): the two are
** the same sums in exact arithmetic, not in floating point.  Per round the
** server's h + beta ((1/n) sum b_i) rounds by at most (to first order)
** eps ((n - 1) (beta/n) sum_i |b_ij| + 2 (beta/n) sum_i |b_ij| + |h_j|), and
** the clients' h_ij + beta b_ij by eps (beta |b_ij| + |h_ij|) each, so the
** runner accumulates
**   B_j += eps ((n + 2) (beta/n) sum_i |b_ij| + |h_j| + (1/n) sum_i |h_ij|)
** and requires |h_j - (1/n) sum_i h_ij| <= 2 B_j + n eps (1/n) sum_i |h_ij|
** (the last term the rounding of the average itself; 2 covers the
** second-order terms).  A skipped or wrong update of one h_i moves the
** average by beta |b_ij|/n, far above B_j unless b_ij is at rounding level. */

/* The scalars of one round (T11.2) the step operator reads. */
typedef struct tpc_twodir_scalars {
  double theta, gamma, Gamma, Gamma_next; /* Gamma_t and Gamma_{t+1} */
  double Lbar, mu;
} tpc_twodir_scalars;

/* How the runner applies S and how a client takes the coin's broadcast;
** tests replace them to plant defects (a wrong S, a client that skips z).
** NULL members: T11.1's. */
typedef struct tpc_twodir_ops {
  /* out = S(dir, a; s, y), d values (out may not alias the inputs). */
  void (*step)(const tpc_twodir_scalars *s, const double *dir, const double *a,
               const double *y, double *out, size_t d);
  /* Client `client` in round t takes the broadcast anchor: z = znew,
  ** k = knew (d values). */
  void (*anchor)(size_t client, uint64_t t, const double *znew, const double *knew, double *z,
                 double *k, size_t d);
} tpc_twodir_ops;

/* How Lbar is set (T11.2: the authors tune Lbar = 1/gamma). */
typedef enum {
  TPC_TWODIR_LBAR_STEP = 0,  /* Lbar = 1/opts.gamma of the run */
  TPC_TWODIR_LBAR_ABS,       /* Lbar = params.Lbar */
  TPC_TWODIR_LBAR_MULT       /* Lbar = params.Lbar times the problem's L- */
} tpc_twodir_lbar;

typedef struct tpc_twodir_params {
  const tpc_spec *Q;         /* the clients' compressor: unbiased */
  const tpc_spec *Cs;        /* the server's: contractive */
  double p, tau;             /* NaN: T11.2's defaults from omega, alpha */
  tpc_twodir_lbar lbar;
  double Lbar;               /* ABS: the value; MULT: the multiplier of L- */
  double Gamma0;             /* Gamma_0 > 0 (default 1) */
  const tpc_twodir_ops *ops; /* NULL: T11.1's */
} tpc_twodir_params;

/* Defaults: p, tau NaN (T11.2's), Lbar from the step, Gamma0 = 1. */
void tpc_twodir_params_init(tpc_twodir_params *pr);

/* T11.2's defaults for omega and alpha. */
double tpc_twodir_default_p(double omega, double alpha);
double tpc_twodir_default_tau(double omega);

/* T11.2's theta, gamma and Gamma+ for Gamma (s->Gamma, Lbar, mu set),
** probability p, momentum tau, alpha and beta. */
void tpc_twodir_scalars_next(tpc_twodir_scalars *s, double p, double alpha, double tau,
                             double beta);

/* T11.1's step operator S (the default of tpc_twodir_ops.step). */
void tpc_twodir_step(const tpc_twodir_scalars *s, const double *dir, const double *a,
                     const double *y, double *out, size_t d);

typedef struct tpc_twodir tpc_twodir;

/* Set up 2Direction on problem p (p and reg must outlive it).  NULL with
** *status: TPC_EINPUT naming a biased Q, a non-contractive C_s, p or tau
** outside (0, 1], Lbar or Gamma0 not positive, Lbar_mult without the
** problem's L-; TPC_ENOMEM. */
tpc_twodir *tpc_twodir_alloc(const tpc_problem *p, const tpc_registry *reg,
                             const tpc_twodir_params *pr, int *status);
void tpc_twodir_free(tpc_twodir *tw);

/* What the theorems read: omega, alpha, beta, the p and tau in use, mu (the
** problem's strong convexity, 0 when not known), Gamma_0, the Lbar rule and
** its value (ABS: Lbar; MULT: the multiplier; STEP: NaN). */
typedef struct tpc_twodir_info {
  double omega, alpha, beta, p, tau, mu, Gamma0;
  tpc_twodir_lbar lbar;
  double Lbar;
  int deterministic;        /* Q, C_s deterministic and p = 1: no draw at all */
} tpc_twodir_info;
void tpc_twodir_info_get(const tpc_twodir *tw, tpc_twodir_info *out);

/* Run from scratch with options o (tpc_alg1_opts: init is ignored, the start
** is T11.1's); as tpc_alg1_run: TPC_OK also when diverged or cancelled,
** TPC_EINPUT for bad options, TPC_EINTERNAL when a wire check fails. */
int tpc_twodir_run(tpc_twodir *tw, const tpc_alg1_opts *o, tpc_alg1_result *res);

/* The server's x (the evaluation point), y and g of the last round, where
** the last run stopped (d values). */
const double *tpc_twodir_x(const tpc_twodir *tw);
const double *tpc_twodir_y(const tpc_twodir *tw);
const double *tpc_twodir_g(const tpc_twodir *tw);

/* The problem the instance runs on. */
const tpc_problem *tpc_twodir_problem(const tpc_twodir *tw);

#endif
