/*
** The wire harness's seed corpus (make fuzz-seeds): messages of every part
** kind, both dtypes, both sparse layouts, a coefficient, an absolute part,
** several parts and the 1-bit skip message, encoded by tpc_wire_encode and
** written with fuzz_wire.c's context prefix (dtype byte, d as 2 bytes) to
** DIR/<name>.  Values are fixed, so the files only change with the format.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "wire/msg.h"
#include "wire/wire.h"

#define SEED_D 12

static const char *outdir;
static float vf[SEED_D];
static double vd[SEED_D];
static uint32_t idx[] = {0, 3, 4, 11};
static uint64_t signs[1] = {0x5a5};
static int32_t levels[SEED_D] = {-3, -2, -1, 0, 1, 2, 3, 0, 1, -1, 2, -2};
static float pf[SEED_D] = {0, 1, -2, 0.5f, -0.25f, 0x1p-149f, 0x1p127f, -0.0f, 4, 8, 16, 1};
static double pd[SEED_D] = {0, 1, -2, 0.5, -0.25, 0x1p-1074, 0x1p1023, -0.0, 4, 8, 16, 1};

static void write_seed(const char *name, const tpc_msg *m, tpc_wire_sparse layout) {
  uint8_t buf[4096];
  size_t len = 0;
  tpc_dtype t = m->part[0].dtype;
  size_t d = m->part[0].d;
  buf[0] = t == TPC_F64 ? 1 : 0;
  buf[1] = (uint8_t)(d & 0xff);
  buf[2] = (uint8_t)(d >> 8);
  if (tpc_wire_encode(m, layout, buf + 3, sizeof buf - 3, &len) != TPC_OK) {
    fprintf(stderr, "wire_seeds: %s: %s\n", name, tpc_error_msg());
    exit(1);
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/%s-%s", outdir, name, t == TPC_F64 ? "f64" : "f32");
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(buf, 1, len + 3, f) != len + 3 || fclose(f) != 0) {
    fprintf(stderr, "wire_seeds: cannot write %s\n", path);
    exit(1);
  }
}

static tpc_msg_part *start(tpc_msg *m, tpc_msg_kind kind, tpc_dtype t) {
  tpc_msg_reset(m);
  return tpc_msg_add(m, kind, t, SEED_D);
}

/* The payload arrays of a part of `kind` (values of the dtype). */
static void fill(tpc_msg_part *p) {
  int f32 = p->dtype == TPC_F32;
  switch (p->kind) {
    case TPC_MSG_DENSE: p->val = f32 ? (void *)vf : (void *)vd; break;
    case TPC_MSG_SPARSE:
      p->nnz = 4;
      p->idx = idx;
      p->val = f32 ? (void *)vf : (void *)vd;
      break;
    case TPC_MSG_SIGN:
      p->scale = 0.75;
      p->bits = signs;
      break;
    case TPC_MSG_QUANT:
      p->scale = 0.125;
      p->levels = 3;
      p->level = levels;
      break;
    case TPC_MSG_POW2: p->val = f32 ? (void *)pf : (void *)pd; break;
    default: break;
  }
}

static void seeds_of(tpc_dtype t) {
  static const char *const names[] = {"skip", "dense", "sparse", "sign", "quant", "pow2"};
  tpc_msg m;
  for (int k = TPC_MSG_DENSE; k <= TPC_MSG_POW2; k++) {
    fill(start(&m, (tpc_msg_kind)k, t));
    write_seed(names[k], &m, TPC_WIRE_AUTO);
  }
  fill(start(&m, TPC_MSG_SPARSE, t));
  write_seed("sparse-index", &m, TPC_WIRE_INDEX); /* AUTO took the bitmap */
  tpc_msg_part *p = start(&m, TPC_MSG_DENSE, t);
  fill(p);
  p->coef = 0.25;
  write_seed("dense-coef", &m, TPC_WIRE_AUTO);
  p = start(&m, TPC_MSG_DENSE, t);
  fill(p);
  p->absolute = 1;
  write_seed("dense-absolute", &m, TPC_WIRE_AUTO);
  start(&m, TPC_MSG_SKIP, t);
  write_seed("skip", &m, TPC_WIRE_AUTO);
  start(&m, TPC_MSG_SKIP, t)->absolute = 1;
  write_seed("skip-absolute", &m, TPC_WIRE_AUTO);
  fill(start(&m, TPC_MSG_QUANT, t));       /* 3PCv2: Q(x - y), then C(x - b) */
  fill(tpc_msg_add(&m, TPC_MSG_SPARSE, t, SEED_D));
  write_seed("quant-sparse", &m, TPC_WIRE_AUTO);
  fill(start(&m, TPC_MSG_SIGN, t));
  tpc_msg_add(&m, TPC_MSG_SKIP, t, SEED_D);
  fill(tpc_msg_add(&m, TPC_MSG_POW2, t, SEED_D));
  write_seed("sign-skip-pow2", &m, TPC_WIRE_AUTO);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: wire_seeds DIR\n");
    return 2;
  }
  outdir = argv[1];
  for (int i = 0; i < SEED_D; i++) {
    vf[i] = (float)(i + 1) * 0.5f - 2.0f;
    vd[i] = (double)(i + 1) * 0.1 - 0.5;
  }
  seeds_of(TPC_F32);
  seeds_of(TPC_F64);
  return 0;
}
