/*
** Tests of Algorithm 1 over a network (methods/alg1.h, tpc_alg1_net): P
** ranks simulated by P threads of this process, each with its own problem
** and method, talking through in-memory mailboxes (one FIFO per ordered
** pair of ranks and kind: point-to-point or broadcast), so that the path
** dist/alg1_net.c drives over MPI runs here without an MPI runtime.
**
**  - every rank records the points of the one-process run bit for bit, for
**    P = 1 (the wire path alone), 2, 3 (uneven: quad's n = 10 is blocks of
**    4, 4, 2) and 4 (a rank without clients), over Algorithm 1's
**    mechanisms (GD, EF21, CLAG, MARINA), shifted clients (DIANA,
**    Rand-DIANA, compressed iterates), EF21-P downlinks and a bidirectional
**    3PC, with the wire check on the ranks as well;
**  - each rank's sums of times count the run's rounds, and the bytes the
**    ranks sent are the bytes rank 0 received.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "methods/method.h"
#include "registry/registry.h"
#include "make_objects.h"

#define NET_MAX 4
#define PROBLEM "quad(d=21,n=10,s=1,seed=5)"

/* ---- the in-memory network ------------------------------------------------ */

typedef struct mail {
  struct mail *next;
  size_t len;
  unsigned char bytes[];
} mail;

typedef struct world {
  int size;
  pthread_mutex_t lock;
  pthread_cond_t moved;
  mail *head[2][NET_MAX][NET_MAX], *tail[2][NET_MAX][NET_MAX]; /* [kind][src][dst] */
} world;

typedef struct endpoint {
  world *w;
  int rank;
  tpc_alg1_net net;
  tpc_alg1_net_times tm;   /* the last run's */
  size_t runs;
} endpoint;

static int post(world *w, int kind, int src, int dst, const void *buf, size_t len) {
  mail *m = malloc(sizeof *m + len);
  if (!m) return TPC_ENOMEM;
  m->next = NULL;
  m->len = len;
  memcpy(m->bytes, buf, len);
  pthread_mutex_lock(&w->lock);
  if (w->tail[kind][src][dst])
    w->tail[kind][src][dst]->next = m;
  else
    w->head[kind][src][dst] = m;
  w->tail[kind][src][dst] = m;
  pthread_cond_broadcast(&w->moved);
  pthread_mutex_unlock(&w->lock);
  return TPC_OK;
}

/* The next mail from src to dst of kind (waits); taken off when take. */
static mail *peek(world *w, int kind, int src, int dst, int take) {
  pthread_mutex_lock(&w->lock);
  while (!w->head[kind][src][dst]) pthread_cond_wait(&w->moved, &w->lock);
  mail *m = w->head[kind][src][dst];
  if (take && !(w->head[kind][src][dst] = m->next)) w->tail[kind][src][dst] = NULL;
  pthread_mutex_unlock(&w->lock);
  return m;
}

static int net_send(void *ctx, const void *buf, size_t len, int dest) {
  endpoint *e = ctx;
  return post(e->w, 0, e->rank, dest, buf, len);
}

static int net_probe(void *ctx, int src, size_t *len) {
  endpoint *e = ctx;
  *len = peek(e->w, 0, src, e->rank, 0)->len;
  return TPC_OK;
}

static int take(endpoint *e, int kind, int src, void *buf, size_t len) {
  mail *m = peek(e->w, kind, src, e->rank, 1);
  int rc = m->len == len ? TPC_OK : TPC_EIO;
  if (!rc) memcpy(buf, m->bytes, len);
  free(m);
  return rc;
}

static int net_recv(void *ctx, void *buf, size_t len, int src) {
  return take(ctx, 0, src, buf, len);
}

static int net_bcast(void *ctx, void *buf, size_t len) {
  endpoint *e = ctx;
  if (e->rank != 0) return take(e, 1, 0, buf, len);
  for (int r = 1; r < e->w->size; r++)
    if (post(e->w, 1, 0, r, buf, len)) return TPC_ENOMEM;
  return TPC_OK;
}

static double net_wtime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int net_run_end(void *ctx, const tpc_alg1_net_times *t) {
  endpoint *e = ctx;
  e->tm = *t;
  e->runs++;
  return TPC_OK;
}

/* ---- ranks ------------------------------------------------------------------ */

static tpc_registry *reg;

static void setup(void) {
  reg = tpc_registry_alloc();
  cr_assert(reg != NULL);
}

static void teardown(void) { tpc_registry_free(reg); }

typedef struct rank_job {
  endpoint *e;
  tpc_method *m;
  tpc_alg1_opts o;
  tpc_alg1_result res;
  int rc;
} rank_job;

static void *rank_main(void *arg) {
  rank_job *j = arg;
  j->o.net = &j->e->net;
  j->rc = tpc_method_run(j->m, &j->o, &j->res);
  return NULL;
}

static int same_points(const tpc_alg1_result *a, const tpc_alg1_result *b) {
  return a->npoints == b->npoints && a->iters == b->iters && a->stop == b->stop &&
         a->sum_gnorm2 == b->sum_gnorm2 &&
         memcmp(&a->first, &b->first, sizeof a->first) == 0 &&
         memcmp(a->points, b->points, a->npoints * sizeof *a->points) == 0;
}

/* spec over `size` ranks against the one-process run with the same options. */
static void check_spec(const char *spec, int size, const tpc_alg1_opts *o) {
  tpc_problem *p1 = test_problem_make(PROBLEM);
  tpc_method *m1 = test_method_make(reg, NULL, p1, spec, NULL);
  tpc_alg1_result ref;
  cr_assert(eq(int, tpc_method_run(m1, o, &ref), TPC_OK), "%s: %s", spec, tpc_error_msg());
  world w = {.size = size};
  pthread_mutex_init(&w.lock, NULL);
  pthread_cond_init(&w.moved, NULL);
  endpoint e[NET_MAX];
  rank_job job[NET_MAX];
  tpc_problem *p[NET_MAX];
  pthread_t th[NET_MAX];
  for (int r = 0; r < size; r++) {
    e[r] = (endpoint){.w = &w, .rank = r};
    e[r].net = (tpc_alg1_net){r, size, &e[r], net_send, net_probe, net_recv, net_bcast,
                              net_wtime, net_run_end};
    p[r] = test_problem_make(PROBLEM);
    job[r] = (rank_job){.e = &e[r], .m = test_method_make(reg, NULL, p[r], spec, NULL), .o = *o};
  }
  for (int r = 0; r < size; r++) cr_assert(pthread_create(&th[r], NULL, rank_main, &job[r]) == 0);
  for (int r = 0; r < size; r++) pthread_join(th[r], NULL);
  uint64_t sent = 0;
  for (int r = 0; r < size; r++) {
    cr_assert(eq(int, job[r].rc, TPC_OK), "%s, P = %d, rank %d: %s", spec, size, r,
              tpc_error_msg());
    cr_expect(same_points(&ref, &job[r].res), "%s, P = %d: rank %d's points", spec, size, r);
    cr_expect(eq(u64, e[r].runs, 1));
    cr_expect(eq(u64, e[r].tm.rounds, ref.iters + 1), "%s: rank %d's rounds", spec, r);
    cr_expect(e[r].tm.grad >= 0 && e[r].tm.comm >= 0 && e[r].tm.stats >= 0);
    if (r > 0) sent += e[r].tm.bytes_sent;
    tpc_alg1_result_free(&job[r].res);
    tpc_method_free(job[r].m);
    tpc_problem_free(p[r]);
  }
  /* what the ranks sent rank 0 received (the broadcasts go the other way) */
  if (size > 1) cr_expect(eq(u64, sent, e[0].tm.bytes_recv), "%s, P = %d", spec, size);
  tpc_alg1_result_free(&ref);
  tpc_method_free(m1);
  tpc_problem_free(p1);
  pthread_cond_destroy(&w.moved);
  pthread_mutex_destroy(&w.lock);
}

static const char *const specs[] = {
    "gd", "ef21(topk(k=3))", "clag(topk(k=3),zeta=2)", "marina(urandk(k=3),p=0.3)",
    "3pcv2(urandk(k=2),topk(k=3))", "dcgd_shift(urandk(k=3),shift=diana)",
    "dcgd_shift(urandk(k=3),shift=randdiana)", "gdci(urandk(k=5),shift=zero)",
    "ef21p(topk(k=4))", "ef21p_diana(urandk(k=4),topk(k=3))",
    "bidir(ef21(topk(k=3)),ef21(topk(k=5)))", NULL};

static void opts(tpc_alg1_opts *o) {
  tpc_alg1_opts_init(o);
  o->gamma = 0.02;
  o->T = 30;
  o->seed = 11;
  o->rep = 1;
  o->observe = 1;
}

Test(alg1_net, every_rank_has_the_one_process_bits, .init = setup, .fini = teardown) {
  tpc_alg1_opts o;
  opts(&o);
  for (int k = 0; specs[k]; k++)
    for (int size = 1; size <= NET_MAX; size++) check_spec(specs[k], size, &o);
}

/* The wire check on every rank, a compressed start and recorded points
** every third, stopping at eps: the same bits. */
Test(alg1_net, options_change_nothing, .init = setup, .fini = teardown) {
  tpc_alg1_opts o;
  opts(&o);
  o.wire_check = 1;
  o.init = TPC_ALG1_INIT_COMPRESSED;
  o.record_every = 3;
  o.T = 400;
  o.eps = 1e-3;
  o.average = 1;
  check_spec("ef21(topk(k=3))", 3, &o);
  check_spec("dcgd_shift(urandk(k=3),shift=diana)", 2, &o);
  o.init = TPC_ALG1_INIT_ZERO;
  check_spec("marina(urandk(k=3),p=0.3)", 3, &o);
}

/* A step so large that the run diverges: every rank stops where one
** process stops, with the same reason. */
Test(alg1_net, divergence_stops_every_rank, .init = setup, .fini = teardown) {
  tpc_alg1_opts o;
  opts(&o);
  o.gamma = 50;
  o.T = 200;
  check_spec("ef21(topk(k=3))", 3, &o);
}
