/*
** Algorithm 1 of the 3PC paper (THEORY.md T4): distributed gradient descent
** whose clients send 3PC messages, optionally with a compressed downlink
** (EF21-P, or a server mechanism: bidirectional 3PC, T10.1), on any
** problem of problems/problem.h.  src/methods/ is the floor
** of the optimization methods' runners (THEORY.md T4; the methods of T8-T11
** join Algorithm 1 here), above the registry that builds their mechanisms.
**
**     x^{t+1}   = x^t - gamma g^t
**     g_i^{t+1} = C_{g_i^t, grad f_i(x^t)}(grad f_i(x^{t+1}))    client i
**     g^{t+1}   = (1/n) sum_i g_i^{t+1}                           server
**
** The method is any mechanism spec (mech/mech.h).  MARINA is the `marina`
** mechanism run by every client with the round's shared stream, so all
** clients see the same coin; DIANA is the `diana` mechanism: the client state
** g_i is DIANA's shift h_i, updated h_i + beta Q(grad_i - h_i) and sent as the
** one message Q(grad_i - h_i) with coefficient beta (its 3PC pair comes from
** the shift inequality of T3).  The paper's unbiased DIANA estimator
** h_i + Q(grad_i - h_i), which is not a 3PC, is not a method here.
**
** Reproducibility: client i's randomness in round t comes from
** tpc_rng_stream(seed, TPC_PURPOSE_CLIENT, (rep (n+1) + i) 2^32 + t + 1)
** (t + 1 = 0 is the compressed initialization; slot n is the server's
** compressor), the round's shared stream from (TPC_PURPOSE_SHARED,
** rep 2^32 + t + 1), the Gaussian x^0 from (TPC_PURPOSE_DATA, 2^63).  Clients
** run in parallel (OpenMP); every sum over clients is taken in client order,
** so a trajectory is bit-identical for any thread count.
**
** With `wire_check`, every message is encoded, decoded and applied to the
** server's own copy of g_i with tpc_msg_apply_f64; the server aggregates its
** copies, and a copy that differs from the client's state by one bit stops
** the run with TPC_EINTERNAL.  Without it the server's copies are the
** clients' states, which mech.h guarantees to be the same bits.
**
** Statistics at every iteration t (at the clients' evaluation point: x^t, or
** w^t with a server compressor): f, ||grad f||^2, G^t, cumulative uplink bits
** (encoded, and the papers' values-only count) and downlink bits.  G^t is
** (1/n) sum ||g_i^t - grad f_i||^2 for a per-client 3PC, and the error of the
** average ||g^t - grad f||^2 for an aggregate mechanism (MARINA), the
** quantity its constants are declared for (T3).
*/
#ifndef TPC_METHODS_ALG1_H
#define TPC_METHODS_ALG1_H

#include <stddef.h>
#include <stdint.h>

#include "comp/comp.h"
#include "registry/registry.h"
#include "mech/mech.h"
#include "problems/problem.h"
#include "spec/spec.h"

typedef enum {
  TPC_ALG1_X0_PROBLEM = 0, /* the problem's own x^0 */
  TPC_ALG1_X0_ZERO,        /* x^0 = 0 */
  TPC_ALG1_X0_GAUSS        /* standard normal coordinates from the run seed */
} tpc_alg1_x0;

typedef enum {
  TPC_ALG1_INIT_EXACT = 0, /* g_i^0 = grad f_i(x^0), G^0 = 0 (sent densely) */
  TPC_ALG1_INIT_ZERO,      /* g_i^0 = 0 (nothing sent) */
  TPC_ALG1_INIT_COMPRESSED /* g_i^0 = C_{0,0}(grad f_i(x^0)): the method's
                              first message from a zero state */
} tpc_alg1_init;

typedef enum {
  TPC_ALG1_STOP_T = 0,      /* ran T iterations */
  TPC_ALG1_STOP_EPS,        /* ||grad f||^2 <= eps */
  TPC_ALG1_STOP_BITS,       /* uplink bits per client reached the budget */
  TPC_ALG1_STOP_DIVERGED,   /* non-finite or exploding gradients */
  TPC_ALG1_STOP_CANCELLED,  /* the cancel callback asked to stop */
  TPC_ALG1_STOP_F           /* f at the model reached opts.f_target */
} tpc_alg1_stop;

/* The name stored and printed for a stop reason: "T", "eps", "bits",
** "diverged", "cancelled", "f". */
const char *tpc_alg1_stop_name(tpc_alg1_stop s);

/* ---- Algorithm 1 over a network of processes ------------------------------
**
** With tpc_alg1_opts.net the n clients are split over `size` processes
** (ranks) that all run the same command with the same problem and options;
** rank 0 is also the server.  Rank r runs the clients
** [tpc_alg1_net_lo(n, size, r), ..hi), whole blocks of TPC_ALG1_CLIENTS (the
** blocks of one process: the same tpc_problem_grad_many calls).  Per round:
**   - each rank encodes its clients' messages in their wire format
**     (wire/wire.h) with their scalars (f_i, G_i, H_i, bits, the bad flag)
**     and sends them to rank 0, which decodes and applies them in client
**     order to its copies of the g_i (and h_i), exactly the wire check's
**     path, and aggregates g in client order (a shift's update of h_i
**     travels as its own message also where the server could derive it
**     from m_i, as DIANA's: the bits counted stay those of one process, the
**     bytes sent are more);
**   - grad f = (1/n) sum y_i travels as a chain (the statistics): rank 0
**     adds its clients' y_i to +0.0 and sends the sum to rank 1, which adds
**     its own, ..., and the last rank sends it back to rank 0: the additions
**     of one process in its order;
**   - rank 0 computes the point's statistics, the stop decision and the
**     server step, and broadcasts the point, the decision and the downlink's
**     wire message (g^t densely; EF21-P's compressed message; the
**     bidirectional server's message), which every rank decodes and applies
**     to its x (or w, or g) with the operations of one process.
** So every rank records the same points, bit for bit those of one process
** (THEORY.md T4 fixes the method; the order of the sums fixes the bits).
** On ranks other than 0 with an EF21-P downlink only w (the clients' point)
** is kept: x, the model, is rank 0's; a client's state and shift
** (tpc_alg1_client_shift) are its own rank's.  The transport is the caller's: these
** callbacks (dist/alg1_net.h implements them over dist/dist.h). */
typedef struct tpc_alg1_net_times {
  double grad;        /* the clients' gradients (thread-seconds) */
  double compress;    /* mechanism, message, encoding (thread-seconds) */
  double wait;        /* rank 0: waiting for a rank's messages to arrive */
  double comm;        /* sending, receiving, broadcasting the algorithm's bytes */
  double decode;      /* decoding and applying messages, aggregating */
  double server;      /* rank 0: statistics of the point and the server step */
  double stats;       /* the chain of grad f's partial sums */
  uint64_t rounds;    /* rounds run (the initialization is round 0) */
  uint64_t bytes_sent, bytes_recv;       /* the algorithm's, not the chain's */
  uint64_t stats_bytes;                  /* the chain's, sent by this rank */
} tpc_alg1_net_times;

typedef struct tpc_alg1_net {
  int rank, size;
  void *ctx;
  int (*send)(void *ctx, const void *buf, size_t len, int dest);
  /* The length of the next message from src (blocking), then its bytes. */
  int (*probe)(void *ctx, int src, size_t *len);
  int (*recv)(void *ctx, void *buf, size_t len, int src);
  int (*bcast)(void *ctx, void *buf, size_t len);    /* from rank 0 */
  double (*wtime)(void);
  /* Called on every rank at the end of each run (collective), with this
  ** rank's sums; NULL: none. */
  int (*run_end)(void *ctx, const tpc_alg1_net_times *t);
} tpc_alg1_net;

/* The first client of rank r of size: whole blocks of TPC_ALG1_CLIENTS, as
** evenly as they go (hi is tpc_alg1_net_lo(n, size, r + 1)). */
size_t tpc_alg1_net_lo(size_t n, int size, int r);

typedef struct tpc_alg1_opts {
  double gamma;             /* step size, > 0 */
  uint64_t T;               /* at most T iterations (updates), >= 1 */
  double eps;               /* stop once ||grad f(x^t)||^2 <= eps; 0: off */
  uint64_t bits_budget;     /* stop once encoded uplink bits / n >= budget; 0: off */
  /* With f_stop: stop once f(x^t) <= f_target at the model x^t (checked
  ** every iteration; with EF21-P one more evaluation of f a round, at x^t
  ** instead of the clients' w^t).  The scaling checks of THEORY.md T12 run
  ** to f(x^t) - f* <= eps (f(x^0) - f*). */
  int f_stop;
  double f_target;
  /* Stop as diverged once ||grad f(x^t)||^2 > diverge ||grad f(x^0)||^2;
  ** 0: only non-finite gradients (or one with ||grad f_i||^2 > 1e200, which
  ** keeps every difference a mechanism forms finite) stop the run. */
  double diverge;
  tpc_alg1_x0 x0;
  tpc_alg1_init init;
  uint64_t seed;
  uint64_t rep;             /* repetition: selects independent streams */
  int threads;              /* OpenMP threads, >= 1 */
  int wire_check;           /* encode/decode every message (see above) */
  uint64_t record_every;    /* keep every k-th point (and the last); >= 1 */
  /* Compute the observables of tpc_alg1_point at every recorded point
  ** (f(x^t), ||grad f(x^t)||^2, ||x^t - x*||^2, H^t, ||w^t - x^t||^2; with
  ** EF21-P one full gradient at x^t each): off, they are NaN. */
  int observe;
  /* With observe: also f at the running average of the iterates (one more
  ** evaluation of f per recorded point). */
  int average;
  /* Polled once per iteration when not NULL: nonzero stops the run. */
  int (*cancel)(void *ctx);
  void *cancel_ctx;
  /* The clients spread over processes (above); NULL: one process.  The
  ** cancel callback is polled on rank 0 only, and its decision broadcast. */
  const tpc_alg1_net *net;
} tpc_alg1_opts;

/* Below this many client-state values (n d) a round runs on one thread
** whatever opts.threads asks: the fork and join of its two parallel loops
** then cost more than the work they share (quad(d=100,n=10): 18 us a round
** on 2 threads, 11.5 us on 1, on an EPYC Zen 3).  The one-thread round makes
** the same sums in the same order, so the trajectory is the same bits. */
#define TPC_ALG1_PAR_VALUES 65536

/* Clients per block of a round: their gradients and the guard's norms come
** from one call of the problem (tpc_problem_grad_many), and their sums of
** squares for G run side by side, four chains of additions at a time
** instead of one: a chain's latency, not its arithmetic, bounded a client's
** pass over its vectors. */
#define TPC_ALG1_CLIENTS 4

/* The threads a round of Algorithm 1 on p runs on when `threads` are asked:
** 1 below TPC_ALG1_PAR_VALUES, else at most one per client, at least 1. */
int tpc_alg1_threads(const tpc_problem *p, int threads);

/* Defaults: T = 1000, record_every 1, threads 1, the problem's x^0, exact
** initialization, everything else off (gamma must still be set). */
void tpc_alg1_opts_init(tpc_alg1_opts *o);

typedef struct tpc_alg1_point {
  uint64_t t;
  double f;                 /* f at the evaluation point */
  double gnorm2;            /* ||grad f||^2 there */
  double G;                 /* G^t */
  uint64_t bits_up;         /* cumulative encoded uplink bits, all clients */
  uint64_t bits_up_paper;   /* the same in the papers' values-only count */
  uint64_t bits_down;       /* cumulative downlink bits (one broadcast a round) */
  uint64_t bits_down_paper; /* the same in the papers' values-only count */
  /* The observables of THEORY.md T8 and T9, at recorded points of a run with
  ** tpc_alg1_opts.observe; NaN otherwise and where they do not apply. */
  double f_x;               /* f(x^t) (f above is at w^t with EF21-P) */
  double gnorm2_x;          /* ||grad f(x^t)||^2 (gnorm2 above is at w^t with EF21-P) */
  double dist2;             /* ||x^t - x*||^2, when x* is known */
  double f_avg;             /* f(xbar^t), xbar^t = (1/t) sum_{s=1}^t x^s (opts.average) */
  double H;                 /* (1/n) sum ||h_i^t - h_i*||^2: shifted clients, h* known */
  double wx2;               /* ||w^t - x^t||^2, with a downlink compressor */
  /* 2Direction (methods/twodir.h): Gamma_t of T11.2 at every point, and
  ** T11.3's Lyapunov quantity Psi_t where observed with x* known. */
  double Gamma;
  double psi;
} tpc_alg1_point;

typedef struct tpc_alg1_result {
  tpc_alg1_stop stop;
  uint64_t iters;           /* updates performed: the last point is x^iters */
  double sum_gnorm2;        /* sum_{t < iters} ||grad f(x^t)||^2 */
  tpc_alg1_point first;     /* at x^0 (G is G^0) */
  tpc_alg1_point last;      /* at x^iters */
  size_t npoints;           /* recorded points, t increasing */
  tpc_alg1_point *points;   /* owned: free with tpc_alg1_result_free */
  double seconds;           /* wall time of the iterations (not the set-up) */
} tpc_alg1_result;

void tpc_alg1_result_free(tpc_alg1_result *r);

typedef struct tpc_alg1 tpc_alg1;

/* Set up Algorithm 1 for problem p (which must outlive it) and the method
** spec (a mechanism of reg); `server` is NULL or a contractive compressor
** spec for the EF21-P downlink; reg and p must outlive the instance.  NULL
** with *status (TPC_EINPUT for a spec that is not a mechanism, a server
** compressor that is not contractive; TPC_ENOMEM) and a message.  Runs
** use one mechanism instance per thread (a mechanism keeps no state between
** calls: mech.h), so memory does not grow with n beyond the client states. */
tpc_alg1 *tpc_alg1_alloc(const tpc_problem *p, const tpc_registry *reg,
                         const tpc_spec *method, const tpc_spec *server,
                         int *status);
void tpc_alg1_free(tpc_alg1 *a);

/* Bidirectional 3PC (THEORY.md T10.1): Algorithm 1 with the clients'
** mechanism `method` and a server that applies the mechanism `server_mech`
** to the aggregate instead of broadcasting it:
**     g^{t+1} = C^s_{g^t, gbar^t}(gbar^{t+1}),  x^{t+1} = x^t - gamma g^t,
** gbar^t = (1/n) sum_i g_i^t, g^0 = gbar^0 (sent densely).  The downlink
** bits are the server's messages; under the wire check each is decoded and
** applied to the clients' copy of g (with the downlink apply of
** tpc_alg1_set_downlink), which must equal the server's g bit for bit, else
** TPC_EINTERNAL naming the round.  The server's mechanism is built for n = 1
** (one node); TPC_EINPUT for one that is not a mechanism or declares
** MARINA's aggregate inequality.  tpc_alg1_consts gives the clients'
** constants, deterministic only when both mechanisms are. */
tpc_alg1 *tpc_alg1_alloc_bidir(const tpc_problem *p, const tpc_registry *reg,
                               const tpc_spec *method, const tpc_spec *server_mech,
                               int *status);

/* The method's declared constants (client 0's instance). */
void tpc_alg1_consts(const tpc_alg1 *a, tpc_mech_consts *out);

/* Whether the run has an EF21-P downlink compressor. */
int tpc_alg1_bidirectional(const tpc_alg1 *a);

/* The downlink compressor's constants into *k; 0 (k untouched) without one. */
int tpc_alg1_server_consts(const tpc_alg1 *a, tpc_comp_consts *k);

/* The problem the instance runs on. */
const tpc_problem *tpc_alg1_problem(const tpc_alg1 *a);

/* The clients' evaluation point (x, or w with EF21-P) where the last run
** stopped: d values, valid until the next run. */
const double *tpc_alg1_point_x(const tpc_alg1 *a);

/* The start x^0 of a run with options x0 and seed into x (d values), as
** tpc_alg1_run takes it.  TPC_ENOMEM. */
int tpc_alg1_x0_fill(const tpc_problem *p, tpc_alg1_x0 which, uint64_t seed, double *x);

/* Run from scratch with options o; the result owns its points.  TPC_OK also
** for a diverged or cancelled run (see res->stop); TPC_EINPUT for bad
** options, TPC_ENOMEM, TPC_EINTERNAL when a wire check fails (the message
** names the client and round).  res is filled (and must be freed) on TPC_OK
** only. */
int tpc_alg1_run(tpc_alg1 *a, const tpc_alg1_opts *o, tpc_alg1_result *res);

/* ---- shifted clients: the methods of T8 and T9 (methods/method.h) ----------
**
** The same runner with clients that hold a shift h_i instead of a 3PC state:
** client i sends m_i = Q_i(v_i - h_i) for an unbiased Q_i, where v_i is
** grad f_i at the clients' point (T8.1, T9.2) or the local step
** T_i(x) = x - gamma grad f_i(x) (T8.5, `model`), and the server averages
** the estimates e_i = h_i + m_i, each formed by applying the message to its
** copy of h_i exactly as the client does (so both hold the same bits):
** x^{t+1} = x^t - gamma (1/n) sum e_i, or x^{t+1} = (1/n) sum e_i (model).
** After sending, the client updates h_i by the rule's `shift`, which also
** writes the message the server applies to its copy of h_i.  The message is
** sent (and its bits counted) when the rule says so (Rand-DIANA's reset);
** otherwise the server derives it from m_i (DIANA's h_i + beta m_i: the
** parts of m_i with coefficient beta) and nothing more goes on the wire.
** G^t is (1/n) sum ||e_i - grad f_i||^2 (the estimates' error; NaN for
** model methods, whose estimates are points).  With a server compressor the
** downlink is EF21-P's, as for Algorithm 1. */
typedef enum {
  TPC_ALG1_SHIFT0_ZERO = 0, /* h_i^0 = 0 */
  TPC_ALG1_SHIFT0_GRAD,     /* h_i^0 = grad f_i(x^0), sent densely first */
  TPC_ALG1_SHIFT0_STAR      /* h_i^0 = grad f_i(x*), or T_i(x*) for a model
                               method: known to both sides, nothing sent */
} tpc_alg1_shift0;

/* What a shift rule sees of client i's round. */
typedef struct tpc_alg1_shift_step {
  size_t client, d;
  const double *grad;     /* grad f_i at the clients' point */
  const double *diff;     /* v_i - h_i, what Q compressed */
  const tpc_msg *msg;     /* m_i, as sent */
  double beta, p;         /* the method's parameters */
  tpc_comp *Q;            /* the client's compressor instance */
  const tpc_ctx *ctx;     /* the client's streams, after Q's draws */
  double *scratch;        /* d doubles the rule may use */
} tpc_alg1_shift_step;

typedef struct tpc_alg1_rule {
  int model;              /* 1: Q compresses T_i(x) - h_i and x^{t+1} = e */
  int randomized;         /* the shift rule draws from the client's stream */
  /* h_i's update after m_i (NULL: h_i stays): update h in place and write
  ** into hmsg the message that takes the server's copy of h_i to the same
  ** bits; return 1 when hmsg is sent, 0 when the server derives it from m_i
  ** (an empty hmsg: no change). */
  int (*shift)(const tpc_alg1_shift_step *s, double *h, tpc_msg *hmsg);
  /* How both sides apply the downlink message to w (NULL: as decoded,
  ** tpc_msg_apply_f64). */
  void (*downlink)(const tpc_msg *m, double *w);
} tpc_alg1_rule;

typedef struct tpc_alg1_shifted {
  const tpc_alg1_rule *rule;
  const tpc_spec *Q;          /* the clients' compressor: must be unbiased */
  double beta, p;             /* passed to the rule */
  tpc_alg1_shift0 h0;
  /* x* and h_i* for SHIFT0_STAR and the observables; NULL: the problem's
  ** (tpc_problem_optimum), which must then be known for SHIFT0_STAR. */
  const tpc_problem_optimum *optimum;
} tpc_alg1_shifted;

/* Set up the runner with shifted clients (above) and optionally an EF21-P
** server compressor, as tpc_alg1_alloc.  TPC_EINPUT when Q is not an
** unbiased compressor, or SHIFT0_STAR has no optimum. */
tpc_alg1 *tpc_alg1_alloc_shifted(const tpc_problem *p, const tpc_registry *reg,
                                 const tpc_alg1_shifted *s, const tpc_spec *server,
                                 int *status);

/* Replace how both sides apply the downlink message to w (NULL: as decoded),
** for a method whose w rule differs from EF21-P's (tests plant defects); in
** a bidirectional 3PC run, how the clients apply the server's message to
** their copy of g. */
void tpc_alg1_set_downlink(tpc_alg1 *a, void (*apply)(const tpc_msg *m, double *w));

/* The optimum the observables use (NULL: the problem's, asked on the first
** observed run); it must outlive a. */
void tpc_alg1_set_optimum(tpc_alg1 *a, const tpc_problem_optimum *opt);

/* The server's model x^t where the last run stopped (d values). */
const double *tpc_alg1_model_x(const tpc_alg1 *a);

/* Client i's shift h_i where the last run stopped (d values; NULL for
** Algorithm 1's clients). */
const double *tpc_alg1_client_shift(const tpc_alg1 *a, size_t i);

/* Theorem 1's largest step 1/(L- + L+ sqrt(B/A)) (T5). */
double tpc_alg1_step_theorem1(double Lminus, double Lplus, double A, double B);

/* The PL theorem's largest step min{1/(L- + L+ sqrt(2B/A)), A/(2 mu)} (T5). */
double tpc_alg1_step_pl(double Lminus, double Lplus, double A, double B, double mu);

#endif
