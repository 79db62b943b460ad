/*
** Algorithm 1 over the run's processes (dist/alg1_net.h): methods/alg1.h's
** network callbacks on dist/dist.h's tagged messages and broadcasts, the
** ranks' sums of times gathered at the end of each run, the links' ping-pong,
** and their rows in db/015_dist.sql's tables.
*/
#include "dist/alg1_net.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "dist/dist.h"
#include "store/store.h"

/* dist.h's tags of this file's messages (the sweeps use their own). */
enum { TAG_ALG1 = 0x1a00, TAG_PING = 0x1a01 };

/* One run's sums of times, every rank's (rank 0). */
typedef struct run_times {
  tpc_alg1_net_times *rank;   /* size entries */
} run_times;

struct tpc_dist_alg1 {
  tpc_alg1_net net;
  int size;
  tpc_dist_link *links;       /* size entries, [0] unused (rank 0) */
  int links_known;
  run_times *runs;            /* gathered since the last clear */
  size_t nruns, cap;
};

static int net_send(void *ctx, const void *buf, size_t len, int dest) {
  (void)ctx;
  return tpc_dist_send(buf, len, dest, TAG_ALG1);
}

static int net_probe(void *ctx, int src, size_t *len) {
  (void)ctx;
  int from;
  return tpc_dist_probe(src, TAG_ALG1, &from, len);
}

static int net_recv(void *ctx, void *buf, size_t len, int src) {
  (void)ctx;
  return tpc_dist_recv(buf, len, src, TAG_ALG1);
}

static int net_bcast(void *ctx, void *buf, size_t len) {
  (void)ctx;
  return tpc_dist_bcast(buf, len, 0);
}

/* Rank 0 keeps every rank's sums of the run that just ended. */
static int net_run_end(void *ctx, const tpc_alg1_net_times *t) {
  tpc_dist_alg1 *d = ctx;
  size_t one = sizeof *t, *lens = NULL, *displ = NULL;
  tpc_alg1_net_times *all = NULL;
  int rc = TPC_OK;
  if (d->net.rank == 0) {
    lens = malloc((size_t)d->size * sizeof *lens);
    displ = malloc((size_t)d->size * sizeof *displ);
    all = malloc((size_t)d->size * one);
    if (d->nruns == d->cap) {
      size_t cap = d->cap ? 2 * d->cap : 16;
      run_times *r = realloc(d->runs, cap * sizeof *r);
      if (r) d->runs = r, d->cap = cap;
    }
    if (!lens || !displ || !all || d->nruns == d->cap)
      rc = tpc_error(TPC_ENOMEM, "dist: out of memory for the ranks' times");
    for (int r = 0; r < d->size && !rc; r++) lens[r] = one, displ[r] = (size_t)r * one;
  }
  /* every rank takes part, so that none waits on rank 0's failure */
  int grc = tpc_dist_gatherv(t, one, all, lens, displ);
  if (!rc) rc = grc;
  if (!rc && d->net.rank == 0) {
    d->runs[d->nruns++].rank = all;
    all = NULL;
  }
  free(all);
  free(lens);
  free(displ);
  return rc;
}

tpc_dist_alg1 *tpc_dist_alg1_alloc(int *status) {
  tpc_dist_alg1 *d = calloc(1, sizeof *d);
  if (d) d->links = calloc((size_t)tpc_dist_size(), sizeof *d->links);
  if (!d || !d->links) {
    free(d);
    *status = tpc_error(TPC_ENOMEM, "dist: out of memory");
    return NULL;
  }
  d->size = tpc_dist_size();
  d->net = (tpc_alg1_net){tpc_dist_rank(), d->size, d, net_send, net_probe, net_recv,
                          net_bcast, tpc_dist_wtime, net_run_end};
  *status = TPC_OK;
  return d;
}

void tpc_dist_alg1_clear(tpc_dist_alg1 *d) {
  for (size_t k = 0; k < d->nruns; k++) free(d->runs[k].rank);
  d->nruns = 0;
}

void tpc_dist_alg1_free(tpc_dist_alg1 *d) {
  if (!d) return;
  tpc_dist_alg1_clear(d);
  free(d->runs);
  free(d->links);
  free(d);
}

const tpc_alg1_net *tpc_dist_alg1_net(const tpc_dist_alg1 *d) { return &d->net; }

/* ---- the links ------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Rank 0: the median round trip of `trials` messages of len bytes to peer,
** which sends each back. */
static int round_trips(int peer, void *buf, size_t len, size_t trials, double *rt) {
  double *t = malloc(trials * sizeof *t);
  if (!t) return tpc_error(TPC_ENOMEM, "dist: out of memory");
  int rc = TPC_OK;
  for (size_t k = 0; k < trials && !rc; k++) {
    double t0 = tpc_dist_wtime();
    rc = tpc_dist_send(buf, len, peer, TAG_PING);
    if (!rc) rc = tpc_dist_recv(buf, len, peer, TAG_PING);
    t[k] = tpc_dist_wtime() - t0;
  }
  if (!rc) *rt = median(t, trials);
  free(t);
  return rc;
}

/* A rank other than 0: send back what rank 0 sends, as many times. */
static int echo(void *buf, size_t len, size_t trials) {
  int rc = TPC_OK;
  for (size_t k = 0; k < trials && !rc; k++)
    if (!(rc = tpc_dist_recv(buf, len, 0, TAG_PING))) rc = tpc_dist_send(buf, len, 0, TAG_PING);
  return rc;
}

int tpc_dist_alg1_links(tpc_dist_alg1 *d) {
  uint8_t *buf = calloc(TPC_DIST_BULK_BYTES, 1);
  if (!buf) return tpc_error(TPC_ENOMEM, "dist: out of memory for the ping-pong");
  int rc = TPC_OK, rank = d->net.rank;
  for (int peer = 1; peer < d->size && !rc; peer++) {
    double small, large;
    if (rank == 0) {
      rc = round_trips(peer, buf, TPC_DIST_PING_BYTES, TPC_DIST_PING_TRIALS, &small);
      if (!rc) rc = round_trips(peer, buf, TPC_DIST_BULK_BYTES, TPC_DIST_BULK_TRIALS, &large);
      if (!rc) {
        d->links[peer].latency = small / 2;
        d->links[peer].bandwidth = TPC_DIST_BULK_BYTES / fmax(large / 2 - small / 2, 1e-12);
      }
    } else if (rank == peer) {
      rc = echo(buf, TPC_DIST_PING_BYTES, TPC_DIST_PING_TRIALS);
      if (!rc) rc = echo(buf, TPC_DIST_BULK_BYTES, TPC_DIST_BULK_TRIALS);
    }
  }
  free(buf);
  if (!rc) rc = tpc_dist_barrier();
  d->links_known = !rc;
  return rc;
}

/* ---- the model and the summary --------------------------------------------- */

/* The model a + bytes/b of rank 0's communication in run k: per other rank
** r, its R uplink messages (U_r bytes) and the 2R - 1 broadcasts it
** receives (D_r bytes): (3R - 1) a_r + (U_r + D_r) / b_r.  NaN without
** links. */
static double run_model(const tpc_dist_alg1 *d, const run_times *run) {
  if (!d->links_known || d->size < 2) return NAN;
  double s = 0;
  for (int r = 1; r < d->size; r++) {
    const tpc_alg1_net_times *t = &run->rank[r];
    double msgs = 3.0 * (double)t->rounds - 1.0;
    s += msgs * d->links[r].latency +
         (double)(t->bytes_sent + t->bytes_recv) / d->links[r].bandwidth;
  }
  return s;
}

void tpc_dist_alg1_summary_get(const tpc_dist_alg1 *d, tpc_dist_alg1_summary *s) {
  memset(s, 0, sizeof *s);
  double model = 0;
  for (size_t k = 0; k < d->nruns; k++) {
    const tpc_alg1_net_times *t = &d->runs[k].rank[0];
    s->rounds += t->rounds;
    s->grad += t->grad, s->compress += t->compress, s->wait += t->wait;
    s->comm += t->comm, s->decode += t->decode + t->server, s->stats += t->stats;
    model += run_model(d, &d->runs[k]);
  }
  double r = s->rounds ? (double)s->rounds : NAN;
  s->grad /= r, s->compress /= r, s->wait /= r, s->comm /= r, s->decode /= r, s->stats /= r;
  s->model = model / r;
  s->ratio = s->comm / s->model;
}

/* ---- the database ------------------------------------------------------------ */

static int db_fail(sqlite3 *db, const char *what) {
  return tpc_error(TPC_ESTORE, "dist: %s: %s", what, sqlite3_errmsg(db));
}

/* Run `clear` (NULL: none), then `sql` with its statement prepared, once per
** row: bind(ctx, st, row) binds row's values; one transaction. */
static int insert_rows(tpc_store *store, const char *clear, const char *sql, size_t rows,
                       void (*bind)(const void *ctx, sqlite3_stmt *st, size_t row),
                       const void *ctx) {
  sqlite3 *db = tpc_store_db(store);
  sqlite3_stmt *st = NULL;
  int rc = tpc_store_begin(store);
  if (rc) return rc;
  if (clear && sqlite3_exec(db, clear, NULL, NULL, NULL) != SQLITE_OK)
    rc = db_fail(db, "clearing");
  if (!rc && sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    rc = db_fail(db, "preparing");
  for (size_t k = 0; k < rows && !rc; k++) {
    sqlite3_reset(st);
    bind(ctx, st, k);
    if (sqlite3_step(st) != SQLITE_DONE) rc = db_fail(db, "inserting");
  }
  sqlite3_finalize(st);
  if (!rc) rc = tpc_store_commit(store);
  if (rc) tpc_store_rollback(store);
  return rc;
}

typedef struct links_rows {
  const tpc_dist_alg1 *d;
  int64_t run_id;
} links_rows;

static void bind_link(const void *ctx, sqlite3_stmt *st, size_t row) {
  const links_rows *l = ctx;
  const tpc_dist_link *k = &l->d->links[row + 1];
  sqlite3_bind_int64(st, 1, l->run_id);
  sqlite3_bind_int(st, 2, (int)row + 1);
  sqlite3_bind_int(st, 3, l->d->size);
  tpc_store_bind_real(st, 4, k->latency);
  tpc_store_bind_real(st, 5, k->bandwidth);
  sqlite3_bind_int(st, 6, TPC_DIST_PING_BYTES);
  sqlite3_bind_int(st, 7, TPC_DIST_BULK_BYTES);
}

/* A resumed run measures its links again, on its own ranks: they replace the
** links of its earlier start (which may have had another number of ranks). */
int tpc_dist_alg1_store_links(tpc_dist_alg1 *d, tpc_store *store, int64_t run_id) {
  if (!d->links_known || d->size < 2) return TPC_OK;
  links_rows l = {d, run_id};
  char *clear = sqlite3_mprintf("DELETE FROM dist_links WHERE run_id = %lld", (long long)run_id);
  if (!clear) return tpc_error(TPC_ENOMEM, "dist: out of memory");
  int rc = insert_rows(store, clear,
                       "INSERT INTO dist_links (run_id, rank, ranks, latency, bandwidth,"
                       " ping_bytes, bulk_bytes) VALUES (?,?,?,?,?,?,?)",
                       (size_t)d->size - 1, bind_link, &l);
  sqlite3_free(clear);
  return rc;
}

typedef struct times_rows {
  const tpc_dist_alg1 *d;
  const int64_t *traj;     /* the trajectories, in run order */
  size_t n;                /* clients */
} times_rows;

static void bind_times(const void *ctx, sqlite3_stmt *st, size_t row) {
  const times_rows *tr = ctx;
  size_t run = row / (size_t)tr->d->size;
  int r = (int)(row % (size_t)tr->d->size);
  const run_times *rt = &tr->d->runs[run];
  const tpc_alg1_net_times *t = &rt->rank[r];
  size_t lo = tpc_alg1_net_lo(tr->n, tr->d->size, r);
  size_t hi = tpc_alg1_net_lo(tr->n, tr->d->size, r + 1);
  double v[] = {t->grad, t->compress, t->wait, t->comm, t->decode, t->server, t->stats};
  sqlite3_bind_int64(st, 1, tr->traj[run]);
  sqlite3_bind_int(st, 2, r);
  sqlite3_bind_int(st, 3, tr->d->size);
  sqlite3_bind_int64(st, 4, (sqlite3_int64)(hi - lo));
  sqlite3_bind_int64(st, 5, (sqlite3_int64)t->rounds);
  for (int k = 0; k < 7; k++) tpc_store_bind_real(st, 6 + k, v[k]);
  sqlite3_bind_int64(st, 13, (sqlite3_int64)t->bytes_sent);
  sqlite3_bind_int64(st, 14, (sqlite3_int64)t->bytes_recv);
  sqlite3_bind_int64(st, 15, (sqlite3_int64)t->stats_bytes);
  tpc_store_bind_real(st, 16, r == 0 ? run_model(tr->d, rt) : NAN);
}

/* The trajectory ids of check_id in the order they were inserted; *count
** of them.  TPC_ESTORE, TPC_ENOMEM. */
static int trajectories(sqlite3 *db, int64_t check_id, int64_t **ids, size_t *count) {
  sqlite3_stmt *st = NULL;
  size_t cap = 0;
  int rc = TPC_OK;
  *ids = NULL;
  *count = 0;
  if (sqlite3_prepare_v2(db, "SELECT id FROM rate_trajectories WHERE check_id = ? ORDER BY id",
                         -1, &st, NULL) != SQLITE_OK)
    return db_fail(db, "preparing");
  sqlite3_bind_int64(st, 1, check_id);
  int step;
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    if (*count == cap) {
      cap = cap ? 2 * cap : 32;
      int64_t *n = realloc(*ids, cap * sizeof *n);
      if (!n) {
        rc = tpc_error(TPC_ENOMEM, "dist: out of memory");
        break;
      }
      *ids = n;
    }
    (*ids)[(*count)++] = sqlite3_column_int64(st, 0);
  }
  if (!rc && step != SQLITE_DONE) rc = db_fail(db, "reading the trajectories");
  sqlite3_finalize(st);
  return rc;
}

int tpc_dist_alg1_store(tpc_dist_alg1 *d, tpc_store *store, int64_t check_id, size_t n) {
  int64_t *ids;
  size_t count;
  int rc = trajectories(tpc_store_db(store), check_id, &ids, &count);
  if (!rc && count == d->nruns && count) {
    times_rows tr = {d, ids, n};
    rc = insert_rows(store, NULL,
                     "INSERT INTO dist_alg1_times (trajectory_id, rank, ranks, clients, rounds,"
                     " grad_s, compress_s, wait_s, comm_s, decode_s, server_s, stats_s,"
                     " bytes_sent, bytes_recv, stats_bytes, model_s)"
                     " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     count * (size_t)d->size, bind_times, &tr);
  }
  free(ids);
  return rc;
}
