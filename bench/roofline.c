/*
** Bandwidth cases and floors (roofline.h).  The read sum is dispatched once
** to the widest path the CPU runs (__builtin_cpu_supports checks the OS's
** XSAVE state too), so the floor is never held to a slower loop than the
** kernels it judges.
*/
#include "bench/roofline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* Where every sum goes, so no call can be removed as dead. */
static volatile uint64_t sink;

const char *tpc_bench_bw_name(tpc_bw_kind k) {
  static const char *const names[] = {"read", "copy", "write"};
  return names[k];
}

uint64_t tpc_bench_read_sum_portable(const void *buf, size_t bytes) {
  const unsigned char *p = buf;
  uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 32 <= bytes; i += 32) {
    uint64_t w[4];
    memcpy(w, p + i, sizeof w);
    s0 += w[0];
    s1 += w[1];
    s2 += w[2];
    s3 += w[3];
  }
  for (; i + 8 <= bytes; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, sizeof w);
    s0 += w;
  }
  for (; i < bytes; i++) s1 += p[i];
  return s0 + s1 + s2 + s3;
}

typedef uint64_t (*sum_fn)(const void *, size_t);

static sum_fn pick(const char **isa) {
#if defined(__x86_64__) || defined(__i386__)
  if (__builtin_cpu_supports("avx512f")) {
    *isa = "avx512";
    return tpc_bench_read_sum_avx512;
  }
  if (__builtin_cpu_supports("avx2")) {
    *isa = "avx2";
    return tpc_bench_read_sum_avx2;
  }
#endif
  *isa = "portable";
  return tpc_bench_read_sum_portable;
}

const char *tpc_bench_read_isa(void) {
  const char *isa;
  pick(&isa);
  return isa;
}

uint64_t tpc_bench_read_sum(const void *buf, size_t bytes) {
  const char *isa;
  return pick(&isa)(buf, bytes);
}

/* ---- the bandwidth cases ----------------------------------------------------- */

typedef struct bw_arg {
  const void *src;
  size_t bytes;
  sum_fn sum;
  unsigned char byte;
} bw_arg;

static void bw_read(tpc_bench_case *c) {
  const bw_arg *a = c->arg;
  sink += a->sum(a->src, a->bytes);
}

static void bw_copy(tpc_bench_case *c) {
  const bw_arg *a = c->arg;
  memcpy(c->scratch, a->src, a->bytes);
}

static void bw_write(tpc_bench_case *c) {
  bw_arg *a = c->arg;
  memset(c->scratch, a->byte++, a->bytes);
}

static void bw_destroy(tpc_bench_case *c) { free(c->arg); }

int tpc_bench_bw_cases(tpc_bench_case out[TPC_BW_KINDS], const void *src,
                       size_t bytes, tpc_dtype dtype, size_t d) {
  static void (*const calls[])(tpc_bench_case *) = {bw_read, bw_copy, bw_write};
  const char *isa;
  sum_fn sum = pick(&isa);
  for (int k = 0; k < TPC_BW_KINDS; k++) {
    tpc_bench_case *c = &out[k];
    memset(c, 0, sizeof *c);
    snprintf(c->kernel, sizeof c->kernel, "bandwidth");
    snprintf(c->impl, sizeof c->impl, "%s", tpc_bench_bw_name((tpc_bw_kind)k));
    if (k == TPC_BW_READ) snprintf(c->note, sizeof c->note, "64-bit sum, %s", isa);
    else snprintf(c->note, sizeof c->note, "%s", k == TPC_BW_COPY ? "memcpy" : "memset");
    snprintf(c->path, sizeof c->path, "%s", k == TPC_BW_READ ? isa : "libc");
    c->role = TPC_BENCH_BANDWIDTH;
    c->dtype = dtype;
    c->d = d;
    c->bytes_read = k == TPC_BW_WRITE ? 0.0 : (double)bytes;
    c->bytes_written = k == TPC_BW_READ ? 0.0 : (double)bytes;
    c->call = calls[k];
    c->scratch_bytes = k == TPC_BW_READ ? 0 : bytes;
    c->arg = malloc(sizeof(bw_arg));
    c->destroy = bw_destroy;
    if (!c->arg) {
      for (int j = 0; j < k; j++) tpc_bench_case_clear(&out[j]);
      return tpc_error(TPC_ENOMEM, "out of memory (bandwidth cases)");
    }
    *(bw_arg *)c->arg = (bw_arg){src, bytes, sum, 0};
  }
  return TPC_OK;
}

double tpc_bench_floor_ns(double r, double w, const double bw[TPC_BW_KINDS]) {
  double p = r < w ? r : w, t = 0;
  if (p > 0) {
    if (!(bw[TPC_BW_COPY] > 0)) return 0;
    t += p / bw[TPC_BW_COPY];
  }
  if (r > p) {
    if (!(bw[TPC_BW_READ] > 0)) return 0;
    t += (r - p) / bw[TPC_BW_READ];
  }
  if (w > p) {
    if (!(bw[TPC_BW_WRITE] > 0)) return 0;
    t += (w - p) / bw[TPC_BW_WRITE];
  }
  return t;
}

void tpc_bench_roofline_apply(tpc_bench_case *cases, size_t n,
                              double bw[TPC_BW_KINDS]) {
  for (int k = 0; k < TPC_BW_KINDS; k++) bw[k] = 0;
  for (size_t i = 0; i < n; i++) {
    const tpc_bench_case *c = &cases[i];
    if (c->role != TPC_BENCH_BANDWIDTH || !(c->sum.min > 0)) continue;
    for (int k = 0; k < TPC_BW_KINDS; k++)
      if (!strcmp(c->impl, tpc_bench_bw_name((tpc_bw_kind)k)))
        bw[k] = (k == TPC_BW_WRITE ? c->bytes_written : c->bytes_read) / c->sum.min;
  }
  for (size_t i = 0; i < n; i++) {
    tpc_bench_case *c = &cases[i];
    c->floor_ns = tpc_bench_floor_ns(c->bytes_read, c->bytes_written, bw);
    c->ratio = c->floor_ns > 0 && c->sum.n ? c->sum.median / c->floor_ns : 0;
  }
}

