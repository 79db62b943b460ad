/*
** Tests of the wire format (src/wire/wire.c).  Messages are built by hand
** (not by the compressors) and must come back bit for bit: every field
** compared, re-encoding gives the same bytes, and the decoded message applied
** by msg.h's kernels gives the same vector as the original.  Sizes are
** checked against the layout table of wire.c; decoding must refuse every
** truncation, hand-crafted corrupt fields, and survive random corruption.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "rng/pcg.h"
#include "wire/msg.h"
#include "wire/wire.h"

/* ---- helpers -------------------------------------------------------------- */

/* Arrays behind hand-built messages, freed after each test. */
static void *pool[8192];
static size_t npool;

static void *pool_alloc(size_t bytes) {
  cr_assert(lt(sz, npool, sizeof pool / sizeof *pool));
  void *p = calloc(1, bytes == 0 ? 1 : bytes);
  cr_assert(ne(ptr, p, NULL));
  pool[npool++] = p;
  return p;
}

static void pool_free_all(void) {
  for (size_t i = 0; i < npool; i++) free(pool[i]);
  npool = 0;
}

TestSuite(wire, .fini = pool_free_all);

static size_t width(tpc_dtype t) { return t == TPC_F32 ? 4 : 8; }

/* A finite value of the type from random bits: every exponent, subnormals
** and huge values included. */
static double random_finite(gsl_rng *r, tpc_dtype t) {
  for (;;) {
    uint64_t u = gsl_rng_get(r);
    if (t == TPC_F32) {
      uint32_t v = (uint32_t)u;
      float f;
      memcpy(&f, &v, sizeof f);
      if (isfinite(f)) return f;
    } else {
      double f;
      memcpy(&f, &u, sizeof f);
      if (isfinite(f)) return f;
    }
  }
}

static void set_value(void *val, tpc_dtype t, size_t i, double v) {
  if (t == TPC_F32)
    ((float *)val)[i] = (float)v;
  else
    ((double *)val)[i] = v;
}

/* n random finite values, with 0, -0, the smallest subnormal and the largest
** finite value of the type in the first slots. */
static void *random_values(gsl_rng *r, tpc_dtype t, size_t n) {
  void *val = pool_alloc(n * width(t));
  const double special[] = {
      -0.0, 0.0, t == TPC_F32 ? (double)FLT_TRUE_MIN : DBL_TRUE_MIN,
      t == TPC_F32 ? (double)FLT_MAX : DBL_MAX,
      t == TPC_F32 ? -(double)FLT_MAX : -DBL_MAX};
  for (size_t i = 0; i < n; i++)
    set_value(val, t, i, i < 5 ? special[i] : random_finite(r, t));
  return val;
}

/* nnz distinct sorted indices below d (selection sampling). */
static uint32_t *random_indices(gsl_rng *r, size_t d, size_t nnz) {
  uint32_t *idx = pool_alloc(nnz * sizeof *idx);
  size_t k = 0;
  for (size_t i = 0; i < d && k < nnz; i++)
    if (gsl_rng_uniform_int(r, d - i) < nnz - k) idx[k++] = (uint32_t)i;
  cr_assert(eq(sz, k, nnz));
  return idx;
}

static void add_dense(tpc_msg *m, gsl_rng *r, tpc_dtype t, size_t d) {
  tpc_msg_part *p = tpc_msg_add(m, TPC_MSG_DENSE, t, d);
  p->val = random_values(r, t, d);
}

static void add_sparse(tpc_msg *m, gsl_rng *r, tpc_dtype t, size_t d,
                       size_t nnz) {
  tpc_msg_part *p = tpc_msg_add(m, TPC_MSG_SPARSE, t, d);
  p->nnz = nnz;
  p->idx = random_indices(r, d, nnz);
  p->val = random_values(r, t, nnz);
}

/* Sign bits are random, including the unused ones past d. */
static void add_sign(tpc_msg *m, gsl_rng *r, tpc_dtype t, size_t d,
                     double scale) {
  tpc_msg_part *p = tpc_msg_add(m, TPC_MSG_SIGN, t, d);
  p->scale = scale;
  p->bits = pool_alloc(((d + 63) / 64) * 8);
  for (size_t i = 0; i < (d + 63) / 64; i++) p->bits[i] = gsl_rng_get(r);
}

static void add_quant(tpc_msg *m, gsl_rng *r, tpc_dtype t, size_t d,
                      uint32_t s, double scale) {
  tpc_msg_part *p = tpc_msg_add(m, TPC_MSG_QUANT, t, d);
  p->scale = scale;
  p->levels = s;
  p->level = pool_alloc(d * sizeof *p->level);
  int64_t lo = s > INT32_MAX ? INT32_MIN : -(int64_t)s;
  int64_t hi = s > INT32_MAX ? INT32_MAX : (int64_t)s;
  for (size_t i = 0; i < d; i++) {
    uint64_t span = (uint64_t)(hi - lo) + 1;
    uint64_t u = gsl_rng_get(r) % span; /* pcg64: 64 random bits */
    p->level[i] = (int32_t)(lo + (int64_t)u);
  }
  if (d >= 2) {
    p->level[0] = (int32_t)lo;
    p->level[1] = (int32_t)hi;
  }
}

/* Random powers of two of the type, both signs, zeros included. */
static void add_pow2(tpc_msg *m, gsl_rng *r, tpc_dtype t, size_t d) {
  tpc_msg_part *p = tpc_msg_add(m, TPC_MSG_POW2, t, d);
  p->val = pool_alloc(d * width(t));
  int lo = t == TPC_F32 ? -149 : -1074, hi = t == TPC_F32 ? 127 : 1023;
  for (size_t i = 0; i < d; i++) {
    int e = lo + (int)gsl_rng_uniform_int(r, (unsigned long)(hi - lo + 1));
    double v = i % 7 == 3 ? 0.0 : ldexp(1.0, e);
    set_value(p->val, t, i, gsl_rng_uniform(r) < 0.5 ? -v : v);
  }
}

static int same_scale(double a, double b, tpc_dtype t) {
  if (t == TPC_F32) {
    float fa = (float)a, fb = (float)b;
    return memcmp(&fa, &fb, sizeof fa) == 0;
  }
  return memcmp(&a, &b, sizeof a) == 0;
}

static int same_bytes(const void *a, const void *b, size_t n) {
  return n == 0 || memcmp(a, b, n) == 0;
}

/* Every field msg.h defines, compared bit for bit (SIGN bits up to d only;
** the scale as the element type, all that apply uses). */
static void assert_msg_equal(const tpc_msg *a, const tpc_msg *b) {
  cr_assert(eq(sz, a->nparts, b->nparts));
  for (size_t k = 0; k < a->nparts; k++) {
    const tpc_msg_part *p = &a->part[k], *q = &b->part[k];
    size_t w = width(p->dtype);
    cr_assert(eq(int, (int)p->kind, (int)q->kind));
    cr_assert(eq(int, p->absolute, q->absolute));
    cr_assert(eq(int, (int)p->dtype, (int)q->dtype));
    cr_assert(eq(sz, p->d, q->d));
    cr_assert(same_bytes(&p->coef, &q->coef, sizeof p->coef), "part %zu coef",
              k);
    switch (p->kind) {
      case TPC_MSG_DENSE:
      case TPC_MSG_POW2:
        cr_assert(same_bytes(p->val, q->val, p->d * w), "part %zu values", k);
        break;
      case TPC_MSG_SPARSE:
        cr_assert(eq(sz, p->nnz, q->nnz));
        cr_assert(same_bytes(p->idx, q->idx, p->nnz * 4), "part %zu idx", k);
        cr_assert(same_bytes(p->val, q->val, p->nnz * w), "part %zu values", k);
        break;
      case TPC_MSG_SIGN:
        cr_assert(same_scale(p->scale, q->scale, p->dtype));
        for (size_t i = 0; i < p->d; i++)
          cr_assert(eq(u64, (p->bits[i / 64] >> (i % 64)) & 1,
                       (q->bits[i / 64] >> (i % 64)) & 1));
        break;
      case TPC_MSG_QUANT:
        cr_assert(same_scale(p->scale, q->scale, p->dtype));
        cr_assert(eq(u32, p->levels, q->levels));
        cr_assert(same_bytes(p->level, q->level, p->d * 4), "part %zu levels",
                  k);
        break;
      default:
        break;
    }
  }
}

/* The server's result from a random h, original against decoded, bitwise.
** All parts of a test message share d and dtype. */
static void assert_apply_equal(const tpc_msg *a, const tpc_msg *b, gsl_rng *r) {
  if (a->nparts == 0) return;
  size_t d = a->part[0].d;
  tpc_dtype t = a->part[0].dtype;
  size_t bytes = d * width(t);
  void *h = pool_alloc(bytes), *va = pool_alloc(bytes), *vb = pool_alloc(bytes);
  for (size_t i = 0; i < d; i++) set_value(h, t, i, gsl_rng_uniform(r) - 0.5);
  memcpy(va, h, bytes);
  memcpy(vb, h, bytes);
  if (t == TPC_F32) {
    tpc_msg_apply_f32(a, va);
    tpc_msg_apply_f32(b, vb);
  } else {
    tpc_msg_apply_f64(a, va);
    tpc_msg_apply_f64(b, vb);
  }
  cr_assert(same_bytes(va, vb, bytes), "applied vectors differ");
}

/* Encode into a buffer of exactly tpc_wire_size bytes (one byte less is
** refused), decode, compare fields and applied results, re-encode to the same
** bytes.  Returns the encoding (pool-owned) and its length. */
static uint8_t *roundtrip(const tpc_msg *m, tpc_wire_sparse layout, gsl_rng *r,
                          size_t *len_out) {
  uint64_t bits = tpc_wire_bits(m, layout);
  size_t size = tpc_wire_size(m, layout), len = 0, len2 = 0;
  cr_assert(eq(sz, size, (size_t)((bits + 7) / 8)));
  uint8_t *buf = pool_alloc(size), *again = pool_alloc(size);
  if (size > 0)
    cr_assert(eq(int, tpc_wire_encode(m, layout, buf, size - 1, &len),
                 TPC_EINPUT));
  cr_assert(eq(int, tpc_wire_encode(m, layout, buf, size, &len), TPC_OK), "%s",
            tpc_error_msg());
  cr_assert(eq(sz, len, size));
  tpc_wire_decoded dm;
  cr_assert(eq(int, tpc_wire_decode(buf, len, &dm), TPC_OK), "%s",
            tpc_error_msg());
  assert_msg_equal(m, &dm.msg);
  assert_apply_equal(m, &dm.msg, r);
  cr_assert(eq(int, tpc_wire_encode(&dm.msg, layout, again, size, &len2),
               TPC_OK));
  cr_assert(same_bytes(buf, again, size), "re-encoding differs");
  tpc_wire_decoded_free(&dm);
  *len_out = len;
  return buf;
}

static const tpc_wire_sparse layouts[] = {TPC_WIRE_AUTO, TPC_WIRE_INDEX,
                                          TPC_WIRE_BITMAP};
static const tpc_dtype dtypes[] = {TPC_F32, TPC_F64};

/* ---- round trips ------------------------------------------------------------ */

Test(wire, dense_roundtrip) {
  gsl_rng *r = tpc_rng_alloc_stream(10, TPC_PURPOSE_TEST, 0);
  const size_t ds[] = {1, 5, 7, 1000};
  const double coefs[] = {1.0, 0.25, -3e-7};
  for (size_t it = 0; it < 2; it++)
    for (size_t id = 0; id < 4; id++)
      for (int abs = 0; abs < 2; abs++)
        for (size_t ic = 0; ic < 3; ic++) {
          tpc_msg m;
          size_t len;
          tpc_msg_reset(&m);
          add_dense(&m, r, dtypes[it], ds[id]);
          m.part[0].absolute = abs;
          m.part[0].coef = coefs[ic];
          roundtrip(&m, TPC_WIRE_AUTO, r, &len);
        }
  gsl_rng_free(r);
}

/* Both layouts and AUTO, k = 0, k = 1, k = d/10 and k = d; the bitmap costs
** d bits, the list nnz * ceil(log2 d), and AUTO the smaller. */
Test(wire, sparse_roundtrip_layouts) {
  gsl_rng *r = tpc_rng_alloc_stream(11, TPC_PURPOSE_TEST, 0);
  const size_t ds[] = {1, 2, 3, 100, 1000, 1024, 1025};
  for (size_t it = 0; it < 2; it++)
    for (size_t id = 0; id < sizeof ds / sizeof *ds; id++) {
      size_t d = ds[id], b = 0;
      while (((size_t)1 << b) < d) b++; /* ceil(log2 d) */
      const size_t ks[] = {0, 1, d / 10, d};
      for (size_t ik = 0; ik < 4; ik++) {
        tpc_msg m;
        size_t len;
        tpc_msg_reset(&m);
        add_sparse(&m, r, dtypes[it], d, ks[ik]);
        m.part[0].coef = ik == 2 ? 0.5 : 1.0;
        m.part[0].absolute = ik == 1;
        uint64_t bi = tpc_wire_bits(&m, TPC_WIRE_INDEX);
        uint64_t bb = tpc_wire_bits(&m, TPC_WIRE_BITMAP);
        uint64_t ba = tpc_wire_bits(&m, TPC_WIRE_AUTO);
        cr_assert(eq(i64, (int64_t)bb - (int64_t)bi,
                     (int64_t)d - (int64_t)(ks[ik] * b)));
        cr_assert(eq(u64, ba, bi < bb ? bi : bb));
        for (size_t il = 0; il < 3; il++) roundtrip(&m, layouts[il], r, &len);
      }
    }
  gsl_rng_free(r);
}

/* d = 1000, ceil(log2 d) = 10: 100 indices cost exactly d bits (the list
** wins the tie), 101 cost more (the bitmap wins). */
Test(wire, sparse_auto_threshold) {
  gsl_rng *r = tpc_rng_alloc_stream(12, TPC_PURPOSE_TEST, 0);
  tpc_msg m;
  size_t len;
  tpc_msg_reset(&m);
  add_sparse(&m, r, TPC_F32, 1000, 100);
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO),
               tpc_wire_bits(&m, TPC_WIRE_INDEX)));
  uint8_t *buf = roundtrip(&m, TPC_WIRE_AUTO, r, &len);
  /* layout bit: after nparts 4, header 6, d varint 16, nnz varint 8 */
  cr_assert(eq(int, (buf[34 / 8] >> (34 % 8)) & 1, 0));
  tpc_msg_reset(&m);
  add_sparse(&m, r, TPC_F32, 1000, 101);
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO),
               tpc_wire_bits(&m, TPC_WIRE_BITMAP)));
  cr_assert(lt(u64, tpc_wire_bits(&m, TPC_WIRE_BITMAP),
               tpc_wire_bits(&m, TPC_WIRE_INDEX)));
  buf = roundtrip(&m, TPC_WIRE_AUTO, r, &len);
  cr_assert(eq(int, (buf[34 / 8] >> (34 % 8)) & 1, 1));
  gsl_rng_free(r);
}

/* Word boundaries of the sign bits; a scale that float cannot hold exactly
** (0.1) goes as (float)0.1 and applies the same. */
Test(wire, sign_roundtrip) {
  gsl_rng *r = tpc_rng_alloc_stream(13, TPC_PURPOSE_TEST, 0);
  const size_t ds[] = {1, 63, 64, 65, 130};
  const double scales[] = {0.1, -2.5, 0.0, 1e-310};
  for (size_t it = 0; it < 2; it++)
    for (size_t id = 0; id < 5; id++)
      for (size_t is = 0; is < 4; is++) {
        tpc_msg m;
        size_t len;
        tpc_msg_reset(&m);
        add_sign(&m, r, dtypes[it], ds[id], scales[is]);
        m.part[0].coef = is == 1 ? 0.75 : 1.0;
        roundtrip(&m, TPC_WIRE_AUTO, r, &len);
      }
  gsl_rng_free(r);
}

/* s = 0 (one bit per level), small s, and s = 2^32 - 1 with levels at both
** ends of int32. */
Test(wire, quant_roundtrip) {
  gsl_rng *r = tpc_rng_alloc_stream(14, TPC_PURPOSE_TEST, 0);
  const uint32_t ss[] = {0, 1, 4, 255, 256, UINT32_MAX};
  for (size_t it = 0; it < 2; it++)
    for (size_t is = 0; is < 6; is++)
      for (int abs = 0; abs < 2; abs++) {
        tpc_msg m;
        size_t len;
        tpc_msg_reset(&m);
        add_quant(&m, r, dtypes[it], 77, ss[is], 0.3);
        m.part[0].absolute = abs;
        m.part[0].coef = abs ? 1.0 : 0.25;
        roundtrip(&m, TPC_WIRE_AUTO, r, &len);
      }
  gsl_rng_free(r);
}

/* Every power of two of each type, both signs, and +-0. */
Test(wire, pow2_every_power) {
  gsl_rng *r = tpc_rng_alloc_stream(15, TPC_PURPOSE_TEST, 0);
  for (size_t it = 0; it < 2; it++) {
    tpc_dtype t = dtypes[it];
    int lo = t == TPC_F32 ? -149 : -1074, hi = t == TPC_F32 ? 127 : 1023;
    size_t d = 2 * (size_t)(hi - lo + 1) + 2, n = 0;
    tpc_msg m;
    size_t len;
    tpc_msg_reset(&m);
    tpc_msg_part *p = tpc_msg_add(&m, TPC_MSG_POW2, t, d);
    p->val = pool_alloc(d * width(t));
    for (int e = lo; e <= hi; e++) {
      set_value(p->val, t, n++, ldexp(1.0, e));
      set_value(p->val, t, n++, -ldexp(1.0, e));
    }
    set_value(p->val, t, n++, 0.0);
    set_value(p->val, t, n++, -0.0);
    cr_assert(eq(sz, n, d));
    /* the extremes really are the type's smallest subnormal and largest power */
    double smallest = t == TPC_F32 ? (double)FLT_TRUE_MIN : DBL_TRUE_MIN;
    cr_assert(eq(dbl, ldexp(1.0, lo), smallest));
    roundtrip(&m, TPC_WIRE_AUTO, r, &len);
    /* 10 bits per float32 value, 13 per float64 value */
    cr_assert(eq(u64, tpc_wire_paper_bits(&m), d * (t == TPC_F32 ? 10 : 13)));
    tpc_msg_reset(&m);
    add_pow2(&m, r, t, 300);
    m.part[0].coef = -0.5;
    roundtrip(&m, TPC_WIRE_AUTO, r, &len);
  }
  gsl_rng_free(r);
}

/* A message with no parts is one byte, 0; SKIP parts cost their header only
** and apply as msg.h says. */
Test(wire, skip_and_empty) {
  gsl_rng *r = tpc_rng_alloc_stream(16, TPC_PURPOSE_TEST, 0);
  tpc_msg m;
  size_t len;
  tpc_msg_reset(&m);
  uint8_t *buf = roundtrip(&m, TPC_WIRE_AUTO, r, &len);
  cr_assert(eq(sz, len, 1));
  cr_assert(eq(u8, buf[0], 0));
  for (int abs = 0; abs < 2; abs++)
    for (size_t it = 0; it < 2; it++) {
      tpc_msg_reset(&m);
      tpc_msg_part *p = tpc_msg_add(&m, TPC_MSG_SKIP, dtypes[it], 5);
      p->absolute = abs;
      cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 4 + 6 + 8));
      cr_assert(eq(u64, tpc_wire_paper_bits(&m), 0));
      roundtrip(&m, TPC_WIRE_AUTO, r, &len);
    }
  gsl_rng_free(r);
}

/* Several parts of every kind in one message, and the two-part messages of
** 3PCv2 and DIANA's coef != 1. */
Test(wire, multipart) {
  gsl_rng *r = tpc_rng_alloc_stream(17, TPC_PURPOSE_TEST, 0);
  for (size_t it = 0; it < 2; it++) {
    tpc_dtype t = dtypes[it];
    size_t d = 50, len;
    tpc_msg m;
    tpc_msg_reset(&m);
    add_dense(&m, r, t, d);
    m.part[0].absolute = 1;
    add_sparse(&m, r, t, d, 7);
    add_sign(&m, r, t, d, 0.125);
    add_quant(&m, r, t, d, 4, 2.0);
    m.part[3].coef = 0.25;
    add_pow2(&m, r, t, d);
    tpc_msg_add(&m, TPC_MSG_SKIP, t, d);
    add_sparse(&m, r, t, d, 50);
    add_dense(&m, r, t, d);
    m.part[7].coef = 3.0;
    cr_assert(eq(sz, m.nparts, TPC_MSG_MAXPARTS));
    for (size_t il = 0; il < 3; il++) roundtrip(&m, layouts[il], r, &len);
    tpc_msg_reset(&m); /* 3PCv2: Q(x - y) then C(x - b) */
    add_sparse(&m, r, t, 1000, 2);
    add_sparse(&m, r, t, 1000, 8);
    roundtrip(&m, TPC_WIRE_AUTO, r, &len);
  }
  gsl_rng_free(r);
}

/* The layout table, counted by hand. */
Test(wire, bits_by_hand) {
  static float f[10];
  static double g[10];
  static uint32_t idx[10] = {0, 5, 9, 100, 200, 300, 400, 500, 600, 999};
  static int32_t lev[10];
  static uint64_t sbits[2];
  tpc_msg m;
  tpc_msg_reset(&m);
  tpc_msg_part *p = tpc_msg_add(&m, TPC_MSG_DENSE, TPC_F32, 10);
  p->val = f;
  /* nparts 4 + kind/flags 6 + d varint 8 + 10 x 32 */
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 338));
  cr_assert(eq(sz, tpc_wire_size(&m, TPC_WIRE_AUTO), 43));
  p->coef = 2.0; /* + 64 */
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 402));
  tpc_msg_reset(&m);
  p = tpc_msg_add(&m, TPC_MSG_SPARSE, TPC_F64, 1000);
  p->nnz = 10, p->idx = idx, p->val = g;
  /* 4 + 6 + d 16 + nnz 8 + layout 1 + 10 x 10 + 10 x 64 */
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 775));
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_BITMAP), 775 - 100 + 1000));
  tpc_msg_reset(&m);
  p = tpc_msg_add(&m, TPC_MSG_QUANT, TPC_F64, 10);
  p->levels = 4, p->level = lev, p->scale = 1;
  /* 4 + 6 + 8 + scale 64 + s 8 + 10 x 4 (codes 0..8) */
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 130));
  tpc_msg_reset(&m);
  p = tpc_msg_add(&m, TPC_MSG_SIGN, TPC_F32, 100);
  p->bits = sbits, p->scale = 1;
  /* 4 + 6 + 8 + scale 32 + 100 */
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 150));
  tpc_msg_reset(&m);
  p = tpc_msg_add(&m, TPC_MSG_POW2, TPC_F32, 3);
  p->val = f;
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 4 + 6 + 8 + 30));
  p->dtype = TPC_F64;
  p->val = g;
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 4 + 6 + 8 + 39));
}

/* Values only: w per DENSE/SPARSE value, payload for SIGN/QUANT/POW2, nothing
** for SKIP, and no headers, indices or coef. */
Test(wire, paper_bits) {
  static float f[10];
  static double g[10];
  static uint32_t idx[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  static int32_t lev[10];
  static uint64_t sbits[2];
  tpc_msg m;
  tpc_msg_reset(&m);
  tpc_msg_part *p = tpc_msg_add(&m, TPC_MSG_DENSE, TPC_F32, 10);
  p->val = f, p->coef = 0.5;
  cr_assert(eq(u64, tpc_wire_paper_bits(&m), 320));
  p = tpc_msg_add(&m, TPC_MSG_SPARSE, TPC_F64, 1000);
  p->nnz = 10, p->idx = idx, p->val = g;
  cr_assert(eq(u64, tpc_wire_paper_bits(&m), 320 + 640));
  tpc_msg_add(&m, TPC_MSG_SKIP, TPC_F64, 1000);
  cr_assert(eq(u64, tpc_wire_paper_bits(&m), 960));
  tpc_msg_reset(&m);
  p = tpc_msg_add(&m, TPC_MSG_SIGN, TPC_F32, 100);
  p->bits = sbits;
  cr_assert(eq(u64, tpc_wire_paper_bits(&m), 32 + 100));
  tpc_msg_reset(&m);
  p = tpc_msg_add(&m, TPC_MSG_QUANT, TPC_F64, 10);
  p->levels = 4, p->level = lev;
  cr_assert(eq(u64, tpc_wire_paper_bits(&m), 64 + 40));
}

/* ---- encode refuses malformed parts ---------------------------------------- */

static void assert_refused(const tpc_msg *m, const char *what) {
  uint8_t buf[4096];
  size_t len = 7;
  tpc_error_clear();
  cr_assert(eq(int, tpc_wire_encode(m, TPC_WIRE_AUTO, buf, sizeof buf, &len),
               TPC_EINPUT), "%s accepted", what);
  cr_assert(eq(sz, len, 0));
  cr_assert(ne(int, tpc_error_msg()[0], '\0'), "%s: no message", what);
}

Test(wire, encode_refuses) {
  double g[4] = {1, 2, 3, 4};
  float f[4] = {1, 2, 3, 4};
  uint32_t idx[3] = {1, 5, 7};
  int32_t lev[4] = {0, 1, -1, 2};
  uint64_t sbits[1] = {0};
  tpc_msg m;
  tpc_msg_part *p;
#define FRESH(kind, t, n) (tpc_msg_reset(&m), p = tpc_msg_add(&m, kind, t, n))
  FRESH(TPC_MSG_DENSE, TPC_F64, 4), p->val = g, g[2] = NAN;
  assert_refused(&m, "NaN");
  g[2] = INFINITY;
  assert_refused(&m, "Inf");
  g[2] = 3;
  FRESH(TPC_MSG_DENSE, TPC_F32, 4), p->val = f, f[3] = -INFINITY;
  assert_refused(&m, "-Inf float");
  f[3] = 4;
  FRESH(TPC_MSG_SPARSE, TPC_F64, 8), p->nnz = 3, p->idx = idx, p->val = g;
  g[1] = NAN;
  assert_refused(&m, "NaN sparse value");
  g[1] = 2;
  idx[1] = 1;
  assert_refused(&m, "repeated index");
  idx[1] = 0;
  assert_refused(&m, "decreasing index");
  idx[1] = 5, idx[2] = 8;
  assert_refused(&m, "index = d");
  idx[2] = 7, p->nnz = 9;
  assert_refused(&m, "nnz > d");
  FRESH(TPC_MSG_QUANT, TPC_F64, 4), p->level = lev, p->levels = 1, p->scale = 1;
  assert_refused(&m, "level 2 with s = 1");
  p->levels = 2, p->scale = INFINITY;
  assert_refused(&m, "infinite scale");
  FRESH(TPC_MSG_SIGN, TPC_F32, 4), p->bits = sbits, p->scale = 1e39;
  assert_refused(&m, "scale beyond float");
  FRESH(TPC_MSG_POW2, TPC_F64, 4), p->val = g, g[0] = 0.5, g[1] = 4, g[2] = 3;
  g[3] = -0.0;
  assert_refused(&m, "POW2 3");
  g[2] = 3 * DBL_TRUE_MIN;
  assert_refused(&m, "POW2 3 x smallest subnormal");
  g[2] = INFINITY;
  assert_refused(&m, "POW2 inf");
  g[2] = 2 * DBL_TRUE_MIN;
  size_t len;
  uint8_t buf[64];
  cr_assert(eq(int, tpc_wire_encode(&m, TPC_WIRE_AUTO, buf, sizeof buf, &len),
               TPC_OK), "the same part made valid: %s", tpc_error_msg());
  p->coef = NAN;
  assert_refused(&m, "NaN coef");
  p->coef = 1, p->absolute = 2;
  assert_refused(&m, "absolute 2");
  FRESH(TPC_MSG_SKIP, TPC_F64, 4), p->kind = (tpc_msg_kind)6;
  assert_refused(&m, "kind 6");
  FRESH(TPC_MSG_SKIP, TPC_F64, 4), m.nparts = TPC_MSG_MAXPARTS + 1;
  assert_refused(&m, "9 parts");
#undef FRESH
}

/* ---- decode refuses bad buffers ---------------------------------------------- */

/* Valid encodings of every kind and both dtypes and layouts, for the
** truncation and corruption tests. */
static size_t sample_buffers(gsl_rng *r, uint8_t **bufs, size_t *lens) {
  size_t n = 0;
  for (size_t it = 0; it < 2; it++) {
    tpc_dtype t = dtypes[it];
    for (size_t il = 1; il < 3; il++) {
      tpc_msg m;
      tpc_msg_reset(&m);
      add_sparse(&m, r, t, 40, 6);
      add_sign(&m, r, t, 40, -0.5);
      add_quant(&m, r, t, 40, 3, 0.1);
      m.part[2].coef = 0.25;
      add_pow2(&m, r, t, 40);
      add_dense(&m, r, t, 40);
      tpc_msg_add(&m, TPC_MSG_SKIP, t, 40)->absolute = 1;
      bufs[n] = roundtrip(&m, layouts[il], r, &lens[n]);
      n++;
    }
  }
  return n;
}

/* Decoding either fails with EINPUT and owns nothing, or gives a message
** that encodes again and decodes to itself. */
static void assert_decodes_cleanly(const uint8_t *buf, size_t len) {
  tpc_wire_decoded dm, again;
  int rc = tpc_wire_decode(buf, len, &dm);
  cr_assert(rc == TPC_OK || rc == TPC_EINPUT, "rc %d", rc);
  if (rc != TPC_OK) {
    cr_assert(eq(ptr, dm.mem, NULL));
    cr_assert(eq(sz, dm.msg.nparts, 0));
    cr_assert(ne(int, tpc_error_msg()[0], '\0'));
    return;
  }
  size_t size = tpc_wire_size(&dm.msg, TPC_WIRE_AUTO), n = 0;
  uint8_t *enc = malloc(size);
  cr_assert(eq(int, tpc_wire_encode(&dm.msg, TPC_WIRE_AUTO, enc, size, &n),
               TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(int, tpc_wire_decode(enc, n, &again), TPC_OK));
  assert_msg_equal(&dm.msg, &again.msg);
  tpc_wire_decoded_free(&again);
  tpc_wire_decoded_free(&dm);
  free(enc);
}

/* Every proper prefix of a valid buffer is refused; so are extra bytes and
** nonzero padding. */
Test(wire, decode_truncations) {
  gsl_rng *r = tpc_rng_alloc_stream(18, TPC_PURPOSE_TEST, 0);
  uint8_t *bufs[8];
  size_t lens[8], n = sample_buffers(r, bufs, lens);
  for (size_t b = 0; b < n; b++) {
    for (size_t len = 0; len < lens[b]; len++) {
      uint8_t *copy = malloc(len + 1); /* exact size: ASan sees any overread */
      memcpy(copy, bufs[b], len);
      tpc_wire_decoded dm;
      cr_assert(eq(int, tpc_wire_decode(copy, len, &dm), TPC_EINPUT),
                "prefix %zu of %zu accepted", len, lens[b]);
      cr_assert(eq(ptr, dm.mem, NULL));
      free(copy);
    }
    uint8_t *longer = pool_alloc(lens[b] + 1);
    memcpy(longer, bufs[b], lens[b]);
    tpc_wire_decoded dm;
    cr_assert(eq(int, tpc_wire_decode(longer, lens[b] + 1, &dm), TPC_EINPUT));
    cr_assert(ne(ptr, strstr(tpc_error_msg(), "trailing"), NULL));
  }
  /* a 4 + 6 + 8 = 18-bit SKIP message has 6 padding bits */
  tpc_msg m;
  size_t len;
  tpc_msg_reset(&m);
  tpc_msg_add(&m, TPC_MSG_SKIP, TPC_F64, 3);
  uint8_t *buf = roundtrip(&m, TPC_WIRE_AUTO, r, &len);
  cr_assert(eq(sz, len, 3));
  buf[2] |= 0x80;
  tpc_wire_decoded dm;
  cr_assert(eq(int, tpc_wire_decode(buf, len, &dm), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "padding"), NULL));
  gsl_rng_free(r);
}

/* A test-side bit writer, to craft buffers field by field (LSB first, as
** wire.c's table says). */
typedef struct crafted {
  uint8_t buf[64];
  size_t pos;
} crafted;

static void put(crafted *c, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; i++, c->pos++)
    if ((v >> i) & 1) c->buf[c->pos / 8] |= (uint8_t)(1u << (c->pos % 8));
}

static void put_varint(crafted *c, uint64_t v) {
  do {
    put(c, (v & 0x7f) | (v > 0x7f ? 0x80 : 0), 8);
    v >>= 7;
  } while (v != 0);
}

/* One part: header with coef 1 and dtype t. */
static void put_head(crafted *c, tpc_msg_kind kind, tpc_dtype t, uint64_t d) {
  put(c, 1, 4);
  put(c, (uint64_t)kind, 3);
  put(c, 0, 1);
  put(c, (uint64_t)t, 1);
  put(c, 1, 1);
  put_varint(c, d);
}

static int decode_crafted(const crafted *c, const char *says) {
  tpc_wire_decoded dm;
  int rc = tpc_wire_decode(c->buf, (c->pos + 7) / 8, &dm);
  if (rc == TPC_OK) {
    tpc_wire_decoded_free(&dm);
    return rc;
  }
  cr_assert(ne(ptr, strstr(tpc_error_msg(), says), NULL), "%s: want %s",
            tpc_error_msg(), says);
  return rc;
}

static uint32_t f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

/* Each field corrupted on its own, with a control that the same crafting
** made valid is accepted. */
Test(wire, decode_corrupt_fields) {
  crafted c;
#define CRAFT() (memset(&c, 0, sizeof c))
  CRAFT(), put_head(&c, TPC_MSG_DENSE, TPC_F32, 1), put(&c, f32_bits(1.5f), 32);
  cr_assert(eq(int, decode_crafted(&c, ""), TPC_OK)); /* control */
  CRAFT(), put_head(&c, TPC_MSG_DENSE, TPC_F32, 1), put(&c, f32_bits(NAN), 32);
  cr_assert(eq(int, decode_crafted(&c, "not finite"), TPC_EINPUT));
  CRAFT(), put(&c, 1, 4), put(&c, 6, 3);
  cr_assert(eq(int, decode_crafted(&c, "unknown kind 6"), TPC_EINPUT));
  CRAFT(), put(&c, 9, 4), put(&c, 0, 4);
  cr_assert(eq(int, decode_crafted(&c, "9 parts"), TPC_EINPUT));
  /* d = 2^40 float64 values announced, none sent: refused before allocating */
  CRAFT(), put_head(&c, TPC_MSG_DENSE, TPC_F64, UINT64_C(1) << 40);
  cr_assert(eq(int, decode_crafted(&c, "truncated"), TPC_EINPUT));
  CRAFT(), put_head(&c, TPC_MSG_QUANT, TPC_F64, UINT64_C(1) << 50);
  put(&c, 0, 64), put_varint(&c, 0);
  cr_assert(eq(int, decode_crafted(&c, "truncated"), TPC_EINPUT));
  CRAFT(), put(&c, 1, 4), put(&c, 0, 3), put(&c, 0, 2), put(&c, 0, 1);
  put(&c, UINT64_C(0x3ff0000000000000), 64), put_varint(&c, 3); /* coef 1.0 */
  cr_assert(eq(int, decode_crafted(&c, "is 1"), TPC_EINPUT));
  CRAFT(), put(&c, 1, 4), put(&c, 0x20, 6), put(&c, 0x83, 8), put(&c, 0, 8);
  cr_assert(eq(int, decode_crafted(&c, "minimally"), TPC_EINPUT));
  CRAFT(), put(&c, 1, 4), put(&c, 0, 3), put(&c, 0, 2), put(&c, 1, 1);
  for (int i = 0; i < 10; i++) put(&c, 0xff, 8);
  cr_assert(eq(int, decode_crafted(&c, "64 bits"), TPC_EINPUT));
  /* SPARSE float32 d = 16 (4-bit indices), nnz 2, list */
  CRAFT(), put_head(&c, TPC_MSG_SPARSE, TPC_F32, 16), put_varint(&c, 2);
  put(&c, 0, 1), put(&c, 3, 4), put(&c, 9, 4), put(&c, 0, 64);
  cr_assert(eq(int, decode_crafted(&c, ""), TPC_OK)); /* control */
  CRAFT(), put_head(&c, TPC_MSG_SPARSE, TPC_F32, 16), put_varint(&c, 2);
  put(&c, 0, 1), put(&c, 3, 4), put(&c, 3, 4), put(&c, 0, 64);
  cr_assert(eq(int, decode_crafted(&c, "above the previous"), TPC_EINPUT));
  CRAFT(), put_head(&c, TPC_MSG_SPARSE, TPC_F32, 10), put_varint(&c, 2);
  put(&c, 0, 1), put(&c, 3, 4), put(&c, 12, 4), put(&c, 0, 64);
  cr_assert(eq(int, decode_crafted(&c, "below d"), TPC_EINPUT));
  CRAFT(), put_head(&c, TPC_MSG_SPARSE, TPC_F32, 4), put_varint(&c, 5);
  cr_assert(eq(int, decode_crafted(&c, "exceeds d"), TPC_EINPUT));
  /* bitmap d = 8 with nnz 2 but 3 or 1 bits set */
  CRAFT(), put_head(&c, TPC_MSG_SPARSE, TPC_F32, 8), put_varint(&c, 2);
  put(&c, 1, 1), put(&c, 0x16, 8), put(&c, 0, 64);
  cr_assert(eq(int, decode_crafted(&c, "more than nnz = 2"), TPC_EINPUT));
  CRAFT(), put_head(&c, TPC_MSG_SPARSE, TPC_F32, 8), put_varint(&c, 2);
  put(&c, 1, 1), put(&c, 0x10, 8), put(&c, 0, 64);
  cr_assert(eq(int, decode_crafted(&c, "bitmap has 1 bits set"), TPC_EINPUT));
  /* QUANT s = 1: 2-bit codes 0..2; 3 is out of range */
  CRAFT(), put_head(&c, TPC_MSG_QUANT, TPC_F32, 2), put(&c, f32_bits(1), 32);
  put_varint(&c, 1), put(&c, 2, 2), put(&c, 0, 2);
  cr_assert(eq(int, decode_crafted(&c, ""), TPC_OK)); /* control */
  CRAFT(), put_head(&c, TPC_MSG_QUANT, TPC_F32, 2), put(&c, f32_bits(1), 32);
  put_varint(&c, 1), put(&c, 3, 2), put(&c, 0, 2);
  cr_assert(eq(int, decode_crafted(&c, "outside"), TPC_EINPUT));
  CRAFT(), put_head(&c, TPC_MSG_SIGN, TPC_F32, 2);
  put(&c, f32_bits(INFINITY), 32), put(&c, 1, 2);
  cr_assert(eq(int, decode_crafted(&c, "scale is not finite"), TPC_EINPUT));
  /* POW2 float32: codes 1..277; 277 is 2^127, 278 does not exist */
  CRAFT(), put_head(&c, TPC_MSG_POW2, TPC_F32, 1), put(&c, 1, 1);
  put(&c, 277, 9);
  tpc_wire_decoded dm;
  cr_assert(eq(int, tpc_wire_decode(c.buf, (c.pos + 7) / 8, &dm), TPC_OK));
  cr_assert(eq(flt, ((float *)dm.msg.part[0].val)[0], -ldexpf(1.0f, 127)));
  tpc_wire_decoded_free(&dm);
  CRAFT(), put_head(&c, TPC_MSG_POW2, TPC_F32, 1), put(&c, 0, 1);
  put(&c, 278, 9);
  cr_assert(eq(int, decode_crafted(&c, "out of range"), TPC_EINPUT));
  CRAFT(), put_head(&c, TPC_MSG_POW2, TPC_F64, 1), put(&c, 0, 1);
  put(&c, 2099, 12);
  cr_assert(eq(int, decode_crafted(&c, "out of range"), TPC_EINPUT));
  cr_assert(eq(int, decode_crafted(&(crafted){{0}, 0}, "empty"), TPC_EINPUT));
#undef CRAFT
}

/* Flipped bits, random bytes and random lengths never crash and never give
** anything but OK (a valid message) or EINPUT. */
Test(wire, random_corruption) {
  gsl_rng *r = tpc_rng_alloc_stream(19, TPC_PURPOSE_TEST, 0);
  uint8_t *bufs[8];
  size_t lens[8], n = sample_buffers(r, bufs, lens), ok = 0;
  for (int it = 0; it < 60000; it++) {
    size_t b = gsl_rng_uniform_int(r, n), len = lens[b];
    int mode = it % 3;
    if (mode == 2) len = 1 + gsl_rng_uniform_int(r, 64);
    uint8_t *copy = malloc(len);
    if (mode == 2) {
      for (size_t i = 0; i < len; i++) copy[i] = (uint8_t)gsl_rng_get(r);
    } else {
      memcpy(copy, bufs[b], len);
      int flips = 1 + (int)gsl_rng_uniform_int(r, mode == 0 ? 2 : 8);
      for (int k = 0; k < flips; k++) {
        size_t bit = gsl_rng_uniform_int(r, len * 8);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
      }
    }
    tpc_wire_decoded dm;
    if (tpc_wire_decode(copy, len, &dm) == TPC_OK) {
      ok++;
      tpc_wire_decoded_free(&dm);
    }
    assert_decodes_cleanly(copy, len);
    free(copy);
  }
  /* single flips of value bits decode fine: some corruptions must pass, so
  ** the loop really reached the bodies (a loose lower bound, not a rate) */
  cr_assert(gt(sz, ok, 100));
  gsl_rng_free(r);
}

/* A skipped round costs the same whatever coefficient its mechanism set
** (DIANA's beta on a SKIP means nothing), and decodes to a plain skip. */
Test(wire, skip_sends_no_coefficient) {
  tpc_msg plain, scaled;
  tpc_msg_reset(&plain);
  tpc_msg_reset(&scaled);
  tpc_msg_add(&plain, TPC_MSG_SKIP, TPC_F64, 100);
  tpc_msg_add(&scaled, TPC_MSG_SKIP, TPC_F64, 100)->coef = 0.25;
  cr_assert(eq(u64, tpc_wire_bits(&scaled, TPC_WIRE_AUTO), tpc_wire_bits(&plain, TPC_WIRE_AUTO)));
  uint8_t buf[16];
  size_t len = 0;
  cr_assert(eq(int, tpc_wire_encode(&scaled, TPC_WIRE_AUTO, buf, sizeof buf, &len), TPC_OK));
  tpc_wire_decoded dm;
  cr_assert(eq(int, tpc_wire_decode(buf, len, &dm), TPC_OK));
  cr_assert(eq(int, dm.msg.part[0].kind, TPC_MSG_SKIP));
  cr_assert(eq(dbl, dm.msg.part[0].coef, 1.0));
  tpc_wire_decoded_free(&dm);
}
