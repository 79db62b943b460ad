/*
** `tpc bench` rows in the SQLite store (db/004_bench.sql, db/README.md):
** writing a run's environment and each timed group (cases, samples,
** bandwidths) in one transaction, and reading a run's cases back with their
** samples for `tpc bench compare` and the tests.
*/
#ifndef TPC_BENCH_STORE_H
#define TPC_BENCH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "bench/env.h"
#include "bench/harness.h"
#include "bench/roofline.h"
#include "bench/rounds.h"
#include "store/store.h"

/* The bench_env row of run_id.  peers: what the peer libraries were (or why
** they were skipped), may be NULL; rounds per case; instrument: "perf",
** "callgrind" or NULL for a timed run. */
int tpc_bench_store_env(tpc_store *st, int64_t run_id, const tpc_bench_env *e,
                        const tpc_bench_opts *o, uint64_t seed, const char *peers,
                        size_t rounds, const char *instrument);

/* Update bench_env's peak_rss_kib and peers at the end of the run. */
int tpc_bench_store_env_end(tpc_store *st, int64_t run_id, long peak_rss_kib,
                            const char *peers);

/* One transaction: a bench_cases row per case with its summary and roofline,
** a bench_samples row per sample, and a bench_bandwidth row per bandwidth
** case (bw from tpc_bench_roofline_apply, bytes per ns). */
int tpc_bench_store_group(tpc_store *st, int64_t run_id, int64_t grp,
                          const tpc_bench_case *cases, size_t n,
                          const double bw[TPC_BW_KINDS]);

/* A case read back: its key, summary and samples (ns per call). */
typedef struct tpc_bench_row {
  char role[12];
  char kernel[24];
  char dtype[4];
  char impl[48];
  int64_t d;
  int64_t k;           /* 0 when the kernel has none (NULL in the table) */
  char path[64];       /* the kernel path that ran; "" when not recorded */
  double median_ns;
  double ci_lo_ns, ci_hi_ns;
  double floor_ns;
  double instructions; /* per call (an instrumented run), 0 when not counted */
  size_t n;
  double *ns;          /* n samples, round after round */
  size_t rounds;       /* 1 for a run stored before rounds (db/009_rounds.sql) */
  size_t *end;         /* end[r]: one past round r's last sample */
  double *floor;       /* each round's floor (ns; 0 when none was measured) */
  int64_t seed;        /* the run's --seed: seeds the bootstrap of compare */
} tpc_bench_row;

/* The row's samples as rounds (bench/rounds.h), each divided by its round's
** floor when by_floor (every floor must then be > 0: 0 returned otherwise). */
int tpc_bench_row_rounds(const tpc_bench_row *row, int by_floor, tpc_bench_rounds *out);

typedef struct tpc_bench_rows {
  int64_t run_id;
  char cpu_model[128];
  char compiler[128];
  char instrument[16]; /* "perf", "callgrind", or "" for a timed run */
  char git_commit[48];
  int git_dirty;
  int64_t seed;
  size_t n;
  tpc_bench_row *row;
} tpc_bench_rows;

/* Run id from "42", "last" (the newest bench run) or "last~N" (N before it).
** TPC_EINPUT with a message when the text is none of these or names no bench
** run. */
int tpc_bench_resolve_run(tpc_store *st, const char *text, int64_t *id);

/* Every case of bench run `run_id` in id order.  TPC_EINPUT when it is not a
** bench run with cases. */
int tpc_bench_load(tpc_store *st, int64_t run_id, tpc_bench_rows *out);

void tpc_bench_rows_free(tpc_bench_rows *r);

/* "f32" or "f64". */
const char *tpc_bench_dtype_name(int dtype);

/* The same case in two runs: role, kernel, dtype, d, k and impl agree (the
** key bench compare, reports and regress match runs on). */
int tpc_bench_same_case(const tpc_bench_row *x, const tpc_bench_row *y);

/* Whether the same case ran the same kernel path in both runs (a path not
** recorded matches nothing; peers, whose paths are their own, always match):
** only then are its timings comparable. */
int tpc_bench_same_path(const tpc_bench_row *x, const tpc_bench_row *y);

/* A time for a table: "1.234 ms" (4 significant digits, ns/us/ms/s), "-" for
** none; and a size: "2^20" for powers of two from 1024, else the number.
** Both return buf. */
const char *tpc_bench_fmt_time(double ns, char *buf, size_t size);
const char *tpc_bench_fmt_size(size_t d, char *buf, size_t size);

#endif
