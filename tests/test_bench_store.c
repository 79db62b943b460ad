/*
** Tests of the bench rows in SQLite (bench/store_bench.h) and of the cases
** the bench builds (bench/cases.h): a stored group reads back with its keys,
** summaries and every sample; run ids resolve (42, last, last~N) and unknown
** ones are refused; discarding a run removes its bench rows; every kernel
** builds at a small size, calls without allocating its inputs anew, and the
** in-place decode sees the same input each call; inputs follow the seed.
** Each test works in its own mkdtemp directory.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/cases.h"
#include "bench/env.h"
#include "bench/store_bench.h"
#include "core/error.h"
#include "registry/registry.h"
#include "store/store.h"

static char dir[64], path[128];

static void setup(void) {
  strcpy(dir, "/tmp/tpc_bench_XXXXXX");
  cr_assert(ne(ptr, mkdtemp(dir), NULL));
  snprintf(path, sizeof path, "%s/t.sqlite", dir);
}

static void teardown(void) {
  char f[160];
  static const char *const sfx[] = {"", "-wal", "-shm"};
  for (int i = 0; i < 3; i++) {
    snprintf(f, sizeof f, "%s%s", path, sfx[i]);
    unlink(f);
  }
  rmdir(dir);
}

static int64_t count(tpc_store *st, const char *sql) {
  sqlite3_stmt *s;
  cr_assert(eq(int, sqlite3_prepare_v2(tpc_store_db(st), sql, -1, &s, NULL), SQLITE_OK));
  cr_assert(eq(int, sqlite3_step(s), SQLITE_ROW));
  int64_t n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

/* A case with given samples, as the harness leaves it. */
static void fake_case(tpc_bench_case *c, const char *kernel, const char *impl, size_t k,
                      tpc_bench_role role, double base) {
  memset(c, 0, sizeof *c);
  snprintf(c->kernel, sizeof c->kernel, "%s", kernel);
  snprintf(c->impl, sizeof c->impl, "%s", impl);
  c->role = role;
  c->dtype = TPC_F64;
  c->d = 4096;
  c->k = k;
  c->bytes_read = 32768;
  c->bytes_written = role == TPC_BENCH_BANDWIDTH ? 32768 : 0;
  c->iters = 10;
  c->nsamples = 5;
  c->ns = malloc(5 * sizeof *c->ns);
  c->seq = malloc(5 * sizeof *c->seq);
  for (size_t i = 0; i < 5; i++) {
    c->ns[i] = base + (double)i;
    c->seq[i] = 100 + i;
  }
  cr_assert(eq(int, tpc_bench_case_summarize(c, 0.99), 0));
}

static int64_t new_run(tpc_store *st) {
  tpc_run_info info = {.command = "bench", .argv = "tpc bench", .seed = 1, .threads = 1};
  int64_t id;
  cr_assert(eq(int, tpc_store_run_begin(st, &info, &id), 0));
  return id;
}

static void store_run(tpc_store *st, int64_t id, double base) {
  tpc_bench_case c[3];
  fake_case(&c[0], "bandwidth", "copy", 0, TPC_BENCH_BANDWIDTH, base);
  fake_case(&c[1], "topk", "filter/avx2", 41, TPC_BENCH_KERNEL, base + 10);
  fake_case(&c[2], "sign", "comp", 0, TPC_BENCH_KERNEL, base + 20);
  double bw[TPC_BW_KINDS] = {0};
  tpc_bench_roofline_apply(c, 3, bw);
  tpc_bench_env env;
  tpc_bench_opts o;
  tpc_bench_opts_init(&o);
  tpc_bench_env_read(&env, 1);
  cr_assert(eq(int, tpc_bench_store_env(st, id, &env, &o, 1, NULL, 1, NULL), 0));
  cr_assert(eq(int, tpc_bench_store_group(st, id, 0, c, 3, bw), 0));
  cr_assert(eq(int, tpc_bench_store_env_end(st, id, 1234, "numpy 1.0"), 0));
  for (int i = 0; i < 3; i++) tpc_bench_case_clear(&c[i]);
}

Test(bench_store, round_trip, .init = setup, .fini = teardown) {
  tpc_store *st;
  cr_assert(eq(int, tpc_store_open(path, &st), 0));
  int64_t id = new_run(st);
  store_run(st, id, 1000);
  tpc_bench_rows r;
  cr_assert(eq(int, tpc_bench_load(st, id, &r), 0));
  cr_assert(eq(sz, r.n, 3));
  cr_assert(eq(str, r.row[1].kernel, "topk"));
  cr_assert(eq(str, r.row[1].impl, "filter/avx2"));
  cr_assert(eq(str, r.row[1].dtype, "f64"));
  cr_assert(eq(str, r.row[1].role, "kernel"));
  cr_assert(eq(i64, r.row[1].k, 41));
  cr_assert(eq(i64, r.row[2].k, 0)); /* stored as NULL */
  cr_assert(eq(str, r.row[0].role, "bandwidth"));
  cr_assert(eq(i64, r.row[1].d, 4096));
  cr_assert(eq(sz, r.row[1].n, 5));
  for (size_t i = 0; i < 5; i++) cr_assert(eq(dbl, r.row[1].ns[i], 1010.0 + (double)i));
  cr_assert(eq(dbl, r.row[1].median_ns, 1012.0));
  /* copy: 32768 bytes in 1002 ns; topk reads 32768 bytes at copy speed (no read bw) */
  cr_assert(eq(i64, count(st, "SELECT count(*) FROM bench_samples"), 15));
  cr_assert(eq(i64, count(st, "SELECT count(*) FROM bench_bandwidth WHERE kind = 'copy'"), 1));
  cr_assert(eq(i64, count(st, "SELECT peak_rss_kib FROM bench_env"), 1234));
  cr_assert(eq(i64, count(st, "SELECT count(*) FROM bench_samples WHERE seq = 102"), 3));
  tpc_bench_rows_free(&r);
  tpc_store_close(st);
}

Test(bench_store, resolve_and_refuse, .init = setup, .fini = teardown) {
  tpc_store *st;
  cr_assert(eq(int, tpc_store_open(path, &st), 0));
  int64_t a = new_run(st);
  store_run(st, a, 1000);
  int64_t other;
  tpc_run_info info = {.command = "bounds", .argv = "tpc bounds", .seed = 1, .threads = 1};
  cr_assert(eq(int, tpc_store_run_begin(st, &info, &other), 0));
  int64_t b = new_run(st);
  store_run(st, b, 2000);
  int64_t id;
  char text[32];
  cr_assert(eq(int, tpc_bench_resolve_run(st, "last", &id), 0));
  cr_assert(eq(i64, id, b));
  cr_assert(eq(int, tpc_bench_resolve_run(st, "last~1", &id), 0));
  cr_assert(eq(i64, id, a));
  snprintf(text, sizeof text, "%lld", (long long)a);
  cr_assert(eq(int, tpc_bench_resolve_run(st, text, &id), 0));
  cr_assert(eq(i64, id, a));
  snprintf(text, sizeof text, "%lld", (long long)other);
  cr_assert(eq(int, tpc_bench_resolve_run(st, text, &id), TPC_EINPUT)); /* not a bench run */
  cr_assert(eq(int, tpc_bench_resolve_run(st, "last~2", &id), TPC_EINPUT));
  cr_assert(eq(int, tpc_bench_resolve_run(st, "999", &id), TPC_EINPUT));
  cr_assert(eq(int, tpc_bench_resolve_run(st, "x1", &id), TPC_EINPUT));
  tpc_bench_rows r;
  cr_assert(eq(int, tpc_bench_load(st, 999, &r), TPC_EINPUT));
  tpc_store_close(st);
}

/* tpc_store_run_discard (exit 2) must take every bench row with it. */
Test(bench_store, discard_cascades, .init = setup, .fini = teardown) {
  tpc_store *st;
  cr_assert(eq(int, tpc_store_open(path, &st), 0));
  int64_t id = new_run(st);
  store_run(st, id, 1000);
  cr_assert(eq(int, tpc_store_run_discard(st, id), 0));
  static const char *const tables[] = {"bench_env", "bench_cases", "bench_samples",
                                       "bench_bandwidth"};
  for (int i = 0; i < 4; i++) {
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
    cr_assert(eq(i64, count(st, sql), 0));
  }
  tpc_store_close(st);
}

/* ---- cases -------------------------------------------------------------------- */

/* Every kernel at d = 64, k = 4, both types: the group builds, has the three
** bandwidth cases first, positive byte counts, and every call runs (under
** ASan this checks the buffers' sizes); the in-place decode restores its
** vector so that two calls leave the same result. */
Test(bench_cases, every_kernel_builds_and_runs) {
  tpc_registry *reg = tpc_registry_alloc();
  const size_t ks[] = {4, 8};
  for (int t = 0; t < 2; t++) {
    tpc_bench_inputs in;
    tpc_dtype dt = t ? TPC_F64 : TPC_F32;
    cr_assert(eq(int, tpc_bench_inputs_alloc(&in, dt, 64, 1, 1), 0));
    for (const char *const *k = tpc_bench_kernels(); *k; k++) {
      tpc_bench_case *c;
      size_t n;
      void *scratch;
      int rc = tpc_bench_group_build(reg, *k, &in, ks, 2, NULL, 0, 1, &c, &n, &scratch);
      cr_assert(eq(int, rc, 0), "%s: %s", *k, tpc_error_msg());
      cr_assert(lt(sz, 3, n), "%s has cases", *k);
      for (size_t i = 0; i < n; i++) {
        cr_assert(eq(int, c[i].role, i < 3 ? TPC_BENCH_BANDWIDTH : TPC_BENCH_KERNEL));
        cr_assert(lt(dbl, 0.0, c[i].bytes_read + c[i].bytes_written), "%s/%s", *k, c[i].impl);
        cr_assert(eq(int, strcmp(c[i].kernel, i < 3 ? "bandwidth" : *k), 0));
        if (c[i].restore) c[i].restore(&c[i]);
        c[i].call(&c[i]);
        if (!c[i].restore) continue;
        size_t bytes = 64 * (t ? sizeof(double) : sizeof(float));
        unsigned char first[512];
        memcpy(first, c[i].scratch, bytes);
        c[i].restore(&c[i]);
        c[i].call(&c[i]);
        cr_assert(eq(int, memcmp(first, c[i].scratch, bytes), 0), "%s/%s", *k, c[i].impl);
      }
      tpc_bench_group_free(c, n, scratch);
    }
    tpc_bench_inputs_free(&in);
  }
  tpc_registry_free(reg);
}

/* Kernels without k get one case per impl whatever the number of ks; topk
** gets one compressor case and one case per available implementation per k;
** --impl filters by name and by name prefix. */
Test(bench_cases, case_counts_and_filters) {
  tpc_registry *reg = tpc_registry_alloc();
  tpc_bench_inputs in;
  const size_t ks[] = {4, 8, 16};
  cr_assert(eq(int, tpc_bench_inputs_alloc(&in, TPC_F32, 256, 1, 0), 0));
  tpc_bench_case *c;
  size_t n;
  void *scratch;
  cr_assert(eq(int, tpc_bench_group_build(reg, "sign", &in, ks, 3, NULL, 0, 1, &c, &n, &scratch), 0));
  cr_assert(eq(sz, n, 4));
  tpc_bench_group_free(c, n, scratch);
  cr_assert(eq(int, tpc_bench_group_build(reg, "encode", &in, ks, 3, NULL, 0, 1, &c, &n, &scratch), 0));
  cr_assert(eq(sz, n, 3 + 3 + 4)); /* sparse per k, sign quant pow2 dense once */
  tpc_bench_group_free(c, n, scratch);
  const char *f[] = {"quickselect"};
  cr_assert(eq(int, tpc_bench_group_build(reg, "topk", &in, ks, 3, f, 1, 1, &c, &n, &scratch), 0));
  cr_assert(eq(sz, n, 3 + 3));
  for (size_t i = 3; i < n; i++) cr_assert(eq(str, c[i].impl, "quickselect/portable"));
  tpc_bench_group_free(c, n, scratch);
  cr_assert(tpc_bench_impl_known(NULL, "filter"));
  cr_assert(tpc_bench_impl_known("topk", "numpy"));
  cr_assert(tpc_bench_impl_known("decode", "pow2"));
  cr_assert(not(tpc_bench_impl_known("sign", "filter")));
  cr_assert(not(tpc_bench_impl_known(NULL, "bogus")));
  cr_assert(not(tpc_bench_impl_known(NULL, "filt")));
  tpc_bench_inputs_free(&in);
  tpc_registry_free(reg);
}

/* Inputs depend on the seed only: f32 is the rounded f64, a new seed differs. */
Test(bench_cases, inputs_follow_seed) {
  tpc_bench_inputs a, b, c;
  cr_assert(eq(int, tpc_bench_inputs_alloc(&a, TPC_F64, 1000, 9, 1), 0));
  cr_assert(eq(int, tpc_bench_inputs_alloc(&b, TPC_F32, 1000, 9, 0), 0));
  cr_assert(eq(int, tpc_bench_inputs_alloc(&c, TPC_F64, 1000, 10, 0), 0));
  cr_assert(eq(ptr, b.h, NULL));
  size_t differ = 0;
  for (size_t i = 0; i < 1000; i++) {
    cr_assert(eq(flt, ((float *)b.x)[i], (float)((double *)a.x)[i]));
    differ += ((double *)a.x)[i] != ((double *)c.x)[i];
  }
  cr_assert(eq(sz, differ, 1000));
  cr_assert(ne(int, memcmp(a.x, a.h, 1000 * sizeof(double)), 0));
  tpc_bench_inputs_free(&a);
  tpc_bench_inputs_free(&b);
  tpc_bench_inputs_free(&c);
}
