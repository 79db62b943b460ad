/*
** Tests of the wire format (src/wire/wire.c).  Messages are built by hand
** (not by the compressors) and must come back bit for bit: every field
** compared, re-encoding gives the same bytes, and the decoded message applied
** by msg.h's kernels gives the same vector as the original.  Sizes are
** checked against the layout table of wire.c; decoding (with the receiver's
** d and dtype, which are not on the wire) must refuse every truncation,
** hand-crafted corrupt fields, and survive random corruption.
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

/* Decode as the receiver of m's vector: d and dtype of its parts. */
static int decode_for(const tpc_msg *m, const uint8_t *buf, size_t len,
                      tpc_wire_decoded *dm) {
  return tpc_wire_decode(buf, len, m->part[0].d, m->part[0].dtype, dm);
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
  cr_assert(eq(int, decode_for(m, buf, len, &dm), TPC_OK), "%s",
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

/* Bit i of an encoding, LSB first (the wire's order). */
static unsigned bit_at(const uint8_t *buf, uint64_t i) { return (buf[i >> 3] >> (i & 7)) & 1u; }

/* A dense part after a sparse one of nnz = 0..7 index-listed entries (7 + vb
** bits each at d = 100): its values start at every bit offset in a byte and
** travel a word at a time (wire.c's bw_put_bytes, br_get_bytes).  The last
** d vb bits of the encoding must be the values' patterns, LSB first, read
** back from a buffer of exactly the message's length; d from 1 to 17 covers
** the word loop, its byte tail and both together. */
Test(wire, dense_values_at_every_bit_offset) {
  gsl_rng *r = tpc_rng_alloc_stream(17, TPC_PURPOSE_TEST, 0);
  const size_t ds[] = {1, 7, 8, 9, 17, 100};
  for (size_t it = 0; it < 2; it++)
    for (size_t id = 0; id < sizeof ds / sizeof *ds; id++)
      for (size_t nnz = 0; nnz < 8; nnz++) {
        size_t d = ds[id] < nnz ? nnz : ds[id], vb = 8 * width(dtypes[it]), len;
        tpc_msg m;
        tpc_msg_reset(&m);
        add_sparse(&m, r, dtypes[it], d, nnz);
        add_dense(&m, r, dtypes[it], d);
        uint8_t *buf = roundtrip(&m, TPC_WIRE_INDEX, r, &len);
        uint64_t bits = tpc_wire_bits(&m, TPC_WIRE_INDEX), start = bits - (uint64_t)d * vb;
        const uint8_t *val = m.part[1].val;
        for (uint64_t b = 0; b < (uint64_t)d * vb; b++)
          cr_assert(eq(u32, bit_at(buf, start + b), bit_at(val, b)),
                    "%s d = %zu nnz = %zu: bit %llu of the values (offset %llu)",
                    dtypes[it] == TPC_F32 ? "f32" : "f64", d, nnz, (unsigned long long)b,
                    (unsigned long long)(start & 7));
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
  /* layout bit: after skip 1, nparts 3, header 5, nnz varint 8 */
  cr_assert(eq(int, (buf[17 / 8] >> (17 % 8)) & 1, 0));
  tpc_msg_reset(&m);
  add_sparse(&m, r, TPC_F32, 1000, 101);
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO),
               tpc_wire_bits(&m, TPC_WIRE_BITMAP)));
  cr_assert(lt(u64, tpc_wire_bits(&m, TPC_WIRE_BITMAP),
               tpc_wire_bits(&m, TPC_WIRE_INDEX)));
  buf = roundtrip(&m, TPC_WIRE_AUTO, r, &len);
  cr_assert(eq(int, (buf[17 / 8] >> (17 % 8)) & 1, 1));
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

/* "Nothing sent this round" (LAG and CLAG on a skipped round: one SKIP part
** with absolute = 0) is exactly 1 bit, the byte 0x01, whatever d and dtype,
** and decodes to that skip with the receiver's d and dtype: even at d = 2^40
** it allocates nothing. */
Test(wire, skip_message_is_one_bit) {
  gsl_rng *r = tpc_rng_alloc_stream(16, TPC_PURPOSE_TEST, 0);
  const size_t ds[] = {1, 5, 1000, 100000};
  for (size_t it = 0; it < 2; it++)
    for (size_t id = 0; id < sizeof ds / sizeof *ds; id++) {
      tpc_msg m;
      size_t len;
      tpc_msg_reset(&m);
      tpc_msg_add(&m, TPC_MSG_SKIP, dtypes[it], ds[id]);
      cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 1));
      cr_assert(eq(u64, tpc_wire_paper_bits(&m), 0));
      uint8_t *buf = roundtrip(&m, TPC_WIRE_AUTO, r, &len);
      cr_assert(eq(sz, len, 1));
      cr_assert(eq(u8, buf[0], 1));
    }
  const uint8_t one = 1;
  size_t huge = (size_t)1 << 40;
  tpc_wire_decoded dm;
  cr_assert(eq(int, tpc_wire_decode(&one, 1, huge, TPC_F32, &dm), TPC_OK));
  cr_assert(eq(sz, dm.msg.nparts, 1));
  cr_assert(eq(int, (int)dm.msg.part[0].kind, TPC_MSG_SKIP));
  cr_assert(eq(int, dm.msg.part[0].absolute, 0));
  cr_assert(eq(sz, dm.msg.part[0].d, huge));
  cr_assert(eq(int, (int)dm.msg.part[0].dtype, TPC_F32));
  cr_assert(eq(ptr, dm.mem, NULL));
  tpc_wire_decoded_free(&dm);
  gsl_rng_free(r);
}

/* The other SKIPs take the general form: a lone SKIP with absolute = 1 (v
** becomes 0) is skip 1 + nparts 3 + kind 3 + absolute 1 = 8 bits, the byte
** 0x80; two lone relative SKIPs 4 + 2 x 4 = 12; a SKIP beside a DENSE part
** (3PCv2 with a Bernoulli inner compressor) adds 4 to the DENSE part's 5 + d w. */
Test(wire, skip_parts_general_form) {
  gsl_rng *r = tpc_rng_alloc_stream(20, TPC_PURPOSE_TEST, 0);
  for (size_t it = 0; it < 2; it++) {
    tpc_dtype t = dtypes[it];
    tpc_msg m;
    size_t len;
    tpc_msg_reset(&m);
    tpc_msg_add(&m, TPC_MSG_SKIP, t, 5)->absolute = 1;
    cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 8));
    uint8_t *buf = roundtrip(&m, TPC_WIRE_AUTO, r, &len);
    cr_assert(eq(sz, len, 1));
    cr_assert(eq(u8, buf[0], 0x80));
    tpc_msg_reset(&m);
    tpc_msg_add(&m, TPC_MSG_SKIP, t, 5);
    tpc_msg_add(&m, TPC_MSG_SKIP, t, 5);
    cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 12));
    roundtrip(&m, TPC_WIRE_AUTO, r, &len);
    tpc_msg_reset(&m);
    add_dense(&m, r, t, 5);
    tpc_msg_add(&m, TPC_MSG_SKIP, t, 5);
    cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO),
                 4 + 5 + 5 * 8 * width(t) + 4));
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
  /* skip 1 + nparts 3 + kind, absolute, unit 5 + 10 x 32 */
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 329));
  cr_assert(eq(sz, tpc_wire_size(&m, TPC_WIRE_AUTO), 42));
  p->coef = 2.0; /* + 64 */
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 393));
  tpc_msg_reset(&m);
  p = tpc_msg_add(&m, TPC_MSG_SPARSE, TPC_F64, 1000);
  p->nnz = 10, p->idx = idx, p->val = g;
  /* 4 + 5 + nnz 8 + layout 1 + 10 x 10 + 10 x 64 */
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 758));
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_BITMAP), 758 - 100 + 1000));
  tpc_msg_reset(&m);
  p = tpc_msg_add(&m, TPC_MSG_QUANT, TPC_F64, 10);
  p->levels = 4, p->level = lev, p->scale = 1;
  /* 4 + 5 + scale 64 + s 8 + 10 x 4 (codes 0..8) */
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 121));
  tpc_msg_reset(&m);
  p = tpc_msg_add(&m, TPC_MSG_SIGN, TPC_F32, 100);
  p->bits = sbits, p->scale = 1;
  /* 4 + 5 + scale 32 + 100 */
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 141));
  tpc_msg_reset(&m);
  p = tpc_msg_add(&m, TPC_MSG_POW2, TPC_F32, 3);
  p->val = f;
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 4 + 5 + 30));
  p->dtype = TPC_F64;
  p->val = g;
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 4 + 5 + 39));
}

/* Bits of a varint and ceil(log2 d), computed here independently of wire.c:
** 8 per started 7-bit group; the smallest b with 2^b >= d. */
static uint64_t varint_len(uint64_t v) {
  uint64_t n = 8;
  for (; v >= 128; v >>= 7) n += 8;
  return n;
}

static uint64_t log2_ceil(uint64_t d) {
  uint64_t b = 0;
  while ((UINT64_C(1) << b) < d) b++;
  return b;
}

/* Each kind's count as the table in wire.c documents it, over sizes that
** cross the varint and index-width boundaries, one part (header 4 + 5) with
** coef 1: DENSE d w; SPARSE list varint(nnz) + 1 + nnz (ceil(log2 d) + w),
** bitmap varint(nnz) + 1 + d + nnz w; SIGN w + d; QUANT w + varint(s) + d c;
** POW2 d (1 + e); the skip message 1.  Each encodes to ceil(bits / 8)
** bytes and round-trips. */
Test(wire, bits_match_the_table) {
  gsl_rng *r = tpc_rng_alloc_stream(21, TPC_PURPOSE_TEST, 0);
  const size_t ds[] = {1, 2, 127, 128, 129, 1000, 1024, 1025, 20000};
  for (size_t it = 0; it < 2; it++)
    for (size_t id = 0; id < sizeof ds / sizeof *ds; id++) {
      tpc_dtype t = dtypes[it];
      uint64_t d = ds[id], w = 8 * width(t), nnz = d < 200 ? d / 2 : 130;
      uint64_t head = 9, c = 4; /* s = 4: codes 0..8 in 4 bits */
      tpc_msg m[6];
      uint64_t want[6][2] = {{head + d * w, 0},
                             {head + varint_len(nnz) + 1 + nnz * (log2_ceil(d) + w),
                              head + varint_len(nnz) + 1 + d + nnz * w},
                             {head + w + d, 0},
                             {head + w + varint_len(4) + d * c, 0},
                             {head + d * (t == TPC_F32 ? 10 : 13), 0},
                             {1, 0}};
      for (size_t k = 0; k < 6; k++) tpc_msg_reset(&m[k]);
      add_dense(&m[0], r, t, d);
      add_sparse(&m[1], r, t, d, nnz);
      add_sign(&m[2], r, t, d, 1.0);
      add_quant(&m[3], r, t, d, 4, 1.0);
      add_pow2(&m[4], r, t, d);
      tpc_msg_add(&m[5], TPC_MSG_SKIP, t, d);
      for (size_t k = 0; k < 6; k++)
        for (size_t il = 1; il < 3; il++) {
          uint64_t bits = tpc_wire_bits(&m[k], layouts[il]);
          uint64_t expect = want[k][il == 2 && k == 1 ? 1 : 0];
          cr_assert(eq(u64, bits, expect), "kind %zu d %llu layout %zu", k,
                    (unsigned long long)d, il);
          size_t len;
          roundtrip(&m[k], layouts[il], r, &len);
          cr_assert(eq(sz, len, (size_t)((bits + 7) / 8)));
        }
    }
  gsl_rng_free(r);
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
  FRESH(TPC_MSG_SKIP, TPC_F64, 4), p->dtype = (tpc_dtype)2;
  assert_refused(&m, "dtype 2");
  tpc_msg_reset(&m);
  assert_refused(&m, "no parts");
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "no parts"), NULL));
#undef FRESH
}

/* A message updates one vector, whose d and dtype are not on the wire: parts
** that disagree on either are refused, whichever part differs, SKIPs
** included; the same parts made to agree are accepted. */
Test(wire, encode_refuses_mixed_parts) {
  double g[8] = {0};
  float f[8] = {0};
  uint8_t buf[256];
  size_t len;
  tpc_msg m;
  tpc_msg_reset(&m);
  tpc_msg_add(&m, TPC_MSG_DENSE, TPC_F64, 8)->val = g;
  tpc_msg_add(&m, TPC_MSG_SKIP, TPC_F64, 8);
  tpc_msg_add(&m, TPC_MSG_DENSE, TPC_F64, 8)->val = g;
  cr_assert(eq(int, tpc_wire_encode(&m, TPC_WIRE_AUTO, buf, sizeof buf, &len),
               TPC_OK), "%s", tpc_error_msg());
  for (size_t k = 0; k < 3; k++) {
    m.part[k].d = 7;
    assert_refused(&m, "parts of d 8 and 7");
    cr_assert(ne(ptr, strstr(tpc_error_msg(), "one vector"), NULL));
    m.part[k].d = 8;
    m.part[k].dtype = TPC_F32;
    if (m.part[k].kind == TPC_MSG_DENSE) m.part[k].val = f;
    assert_refused(&m, "parts of float32 and float64");
    m.part[k].dtype = TPC_F64;
    m.part[k].val = m.part[k].kind == TPC_MSG_DENSE ? g : NULL;
  }
}

/* ---- decode refuses bad buffers ---------------------------------------------- */

/* A valid encoding and the receiver it was made for. */
typedef struct sample {
  uint8_t *buf;
  size_t len, d;
  tpc_dtype dtype;
} sample;

/* Valid encodings of every kind and both dtypes and layouts, and the skip
** message, for the truncation and corruption tests (6 samples). */
static size_t sample_buffers(gsl_rng *r, sample *s) {
  size_t n = 0;
  for (size_t it = 0; it < 2; it++) {
    tpc_dtype t = dtypes[it];
    tpc_msg m;
    size_t len;
    for (size_t il = 1; il < 3; il++) {
      tpc_msg_reset(&m);
      add_sparse(&m, r, t, 40, 6);
      add_sign(&m, r, t, 40, -0.5);
      add_quant(&m, r, t, 40, 3, 0.1);
      m.part[2].coef = 0.25;
      add_pow2(&m, r, t, 40);
      add_dense(&m, r, t, 40);
      tpc_msg_add(&m, TPC_MSG_SKIP, t, 40)->absolute = 1;
      uint8_t *buf = roundtrip(&m, layouts[il], r, &len);
      s[n++] = (sample){buf, len, 40, t};
    }
    tpc_msg_reset(&m);
    tpc_msg_add(&m, TPC_MSG_SKIP, t, 40);
    uint8_t *buf = roundtrip(&m, TPC_WIRE_AUTO, r, &len);
    s[n++] = (sample){buf, len, 40, t};
  }
  return n;
}

/* Decoding either fails with EINPUT and owns nothing, or gives a message
** of the receiver's shape that encodes again and decodes to itself. */
static void assert_decodes_cleanly(const uint8_t *buf, size_t len, size_t d,
                                   tpc_dtype t) {
  tpc_wire_decoded dm, again;
  int rc = tpc_wire_decode(buf, len, d, t, &dm);
  cr_assert(rc == TPC_OK || rc == TPC_EINPUT, "rc %d", rc);
  if (rc != TPC_OK) {
    cr_assert(eq(ptr, dm.mem, NULL));
    cr_assert(eq(sz, dm.msg.nparts, 0));
    cr_assert(ne(int, tpc_error_msg()[0], '\0'));
    return;
  }
  cr_assert(tpc_msg_fits(&dm.msg, d, t));
  size_t size = tpc_wire_size(&dm.msg, TPC_WIRE_AUTO), n = 0;
  uint8_t *enc = malloc(size);
  cr_assert(eq(int, tpc_wire_encode(&dm.msg, TPC_WIRE_AUTO, enc, size, &n),
               TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(int, tpc_wire_decode(enc, n, d, t, &again), TPC_OK));
  assert_msg_equal(&dm.msg, &again.msg);
  tpc_wire_decoded_free(&again);
  tpc_wire_decoded_free(&dm);
  free(enc);
}

/* Every proper prefix of a valid buffer is refused; so are extra bytes and
** nonzero padding. */
Test(wire, decode_truncations) {
  gsl_rng *r = tpc_rng_alloc_stream(18, TPC_PURPOSE_TEST, 0);
  sample s[8];
  size_t n = sample_buffers(r, s);
  for (size_t b = 0; b < n; b++) {
    for (size_t len = 0; len < s[b].len; len++) {
      uint8_t *copy = malloc(len + 1); /* exact size: ASan sees any overread */
      memcpy(copy, s[b].buf, len);
      tpc_wire_decoded dm;
      cr_assert(eq(int, tpc_wire_decode(copy, len, s[b].d, s[b].dtype, &dm),
                   TPC_EINPUT), "prefix %zu of %zu accepted", len, s[b].len);
      cr_assert(eq(ptr, dm.mem, NULL));
      free(copy);
    }
    uint8_t *longer = pool_alloc(s[b].len + 1);
    memcpy(longer, s[b].buf, s[b].len);
    tpc_wire_decoded dm;
    cr_assert(eq(int, tpc_wire_decode(longer, s[b].len + 1, s[b].d,
                                      s[b].dtype, &dm), TPC_EINPUT));
    cr_assert(ne(ptr, strstr(tpc_error_msg(), "trailing"), NULL));
  }
  /* the 1-bit skip message has 7 padding bits: each must be zero */
  for (unsigned bit = 1; bit < 8; bit++) {
    uint8_t buf = (uint8_t)(1u | (1u << bit));
    tpc_wire_decoded dm;
    cr_assert(eq(int, tpc_wire_decode(&buf, 1, 3, TPC_F64, &dm), TPC_EINPUT));
    cr_assert(ne(ptr, strstr(tpc_error_msg(), "padding"), NULL));
  }
  gsl_rng_free(r);
}

/* The wire has no d or dtype: a buffer read by a receiver of another shape
** is refused where the lengths or ranges tell (a DENSE or POW2 part of
** another d, these four kinds read as the other dtype, an index at or beyond
** d, another index width) and otherwise decodes, in bounds, to the
** receiver's shape, as wire.c's "Context" documents: the skip message at
** any d, a SIGN part whose extra signs land in the padding, an index list
** read with a larger d of the same ceil(log2 d). */
Test(wire, decode_other_receiver) {
  gsl_rng *r = tpc_rng_alloc_stream(22, TPC_PURPOSE_TEST, 0);
  for (size_t it = 0; it < 2; it++) {
    tpc_dtype t = dtypes[it], other = dtypes[1 - it];
    tpc_msg m[4];
    uint8_t *buf[4];
    size_t len[4];
    for (size_t k = 0; k < 4; k++) tpc_msg_reset(&m[k]);
    add_dense(&m[0], r, t, 40);
    add_pow2(&m[1], r, t, 40);
    add_sparse(&m[2], r, t, 1000, 20);
    m[2].part[0].idx[19] = 999;
    add_sign(&m[3], r, t, 10, 1.0);
    for (size_t k = 0; k < 4; k++)
      buf[k] = roundtrip(&m[k], TPC_WIRE_INDEX, r, &len[k]);
    tpc_wire_decoded dm;
    for (size_t k = 0; k < 2; k++)
      for (size_t wrong = 39; wrong <= 41; wrong += 2)
        cr_assert(eq(int, tpc_wire_decode(buf[k], len[k], wrong, t, &dm),
                     TPC_EINPUT), "kind %zu read with d %zu", k, wrong);
    for (size_t k = 0; k < 4; k++)
      cr_assert(eq(int, tpc_wire_decode(buf[k], len[k], m[k].part[0].d, other,
                                        &dm), TPC_EINPUT),
                "kind %zu read as the other dtype", k);
    /* index 999 >= 999; 10-bit indices read as 9-bit ones (d = 512) leave
    ** 20 bits over; as 11-bit ones (d = 1025) need 20 more */
    const size_t sparse_d[] = {999, 512, 1025};
    for (size_t j = 0; j < 3; j++)
      cr_assert(eq(int, tpc_wire_decode(buf[2], len[2], sparse_d[j], t, &dm),
                   TPC_EINPUT), "sparse read with d %zu", sparse_d[j]);
    /* the documented blind spots: accepted, in the receiver's shape */
    cr_assert(eq(int, tpc_wire_decode(buf[2], len[2], 1024, t, &dm), TPC_OK));
    cr_assert(tpc_msg_fits(&dm.msg, 1024, t));
    tpc_wire_decoded_free(&dm);
    /* SIGN d = 10: 4 + 5 + w + 10 bits, 5 padding bits; d = 12 reads two */
    cr_assert(eq(sz, len[3], (size_t)((19 + 8 * width(t) + 7) / 8)));
    cr_assert(eq(int, tpc_wire_decode(buf[3], len[3], 12, t, &dm), TPC_OK));
    cr_assert(tpc_msg_fits(&dm.msg, 12, t));
    tpc_wire_decoded_free(&dm);
    const uint8_t skip = 1;
    cr_assert(eq(int, tpc_wire_decode(&skip, 1, 7, other, &dm), TPC_OK));
    cr_assert(tpc_msg_fits(&dm.msg, 7, other));
    tpc_wire_decoded_free(&dm);
    cr_assert(eq(int, tpc_wire_decode(&skip, 1, 7, (tpc_dtype)2, &dm),
                 TPC_EINPUT));
    cr_assert(ne(ptr, strstr(tpc_error_msg(), "dtype"), NULL));
  }
  gsl_rng_free(r);
}

/* A test-side bit writer, to craft buffers field by field (LSB first, as
** wire.c's table says). */
typedef struct crafted {
  uint8_t buf[64];
  size_t pos;
  size_t d;        /* the receiver decode_crafted decodes for */
  tpc_dtype dtype;
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

/* A one-part message (skip 0, nparts - 1 = 0) with a relative part header
** of coef 1, for a receiver of d values of type t. */
static void put_head(crafted *c, tpc_msg_kind kind, tpc_dtype t, size_t d) {
  put(c, 0, 4);
  put(c, (uint64_t)kind, 3);
  put(c, 0, 1);
  if (kind != TPC_MSG_SKIP) put(c, 1, 1);
  c->d = d;
  c->dtype = t;
}

static int decode_crafted(const crafted *c, const char *says) {
  tpc_wire_decoded dm;
  int rc = tpc_wire_decode(c->buf, (c->pos + 7) / 8, c->d, c->dtype, &dm);
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
  CRAFT(), put(&c, 0, 4), put(&c, 6, 3);
  cr_assert(eq(int, decode_crafted(&c, "unknown kind 6"), TPC_EINPUT));
  /* "nothing sent" has one encoding, the 1-bit one; absolute SKIP is valid */
  CRAFT(), put_head(&c, TPC_MSG_SKIP, TPC_F64, 5);
  cr_assert(eq(int, decode_crafted(&c, "1-bit skip message"), TPC_EINPUT));
  CRAFT(), put(&c, 0, 4), put(&c, TPC_MSG_SKIP, 3), put(&c, 1, 1);
  cr_assert(eq(int, decode_crafted(&c, ""), TPC_OK)); /* control */
  CRAFT(), put(&c, 1, 1), put(&c, 0, 8);
  cr_assert(eq(int, decode_crafted(&c, "trailing"), TPC_EINPUT));
  /* d = 2^40 float64 values announced, none sent: refused before allocating */
  CRAFT(), put_head(&c, TPC_MSG_DENSE, TPC_F64, UINT64_C(1) << 40);
  cr_assert(eq(int, decode_crafted(&c, "truncated"), TPC_EINPUT));
  CRAFT(), put_head(&c, TPC_MSG_QUANT, TPC_F64, UINT64_C(1) << 47); /* below TPC_WIRE_MAX_D */
  put(&c, 0, 64), put_varint(&c, 0);
  cr_assert(eq(int, decode_crafted(&c, "truncated"), TPC_EINPUT));
  /* DENSE d = 0 with the unit flag 0 and coef 1.0 */
  CRAFT(), put(&c, 0, 4), put(&c, TPC_MSG_DENSE, 3), put(&c, 0, 2);
  put(&c, UINT64_C(0x3ff0000000000000), 64);
  cr_assert(eq(int, decode_crafted(&c, "is 1"), TPC_EINPUT));
  CRAFT(), put_head(&c, TPC_MSG_SPARSE, TPC_F32, 16);
  put(&c, 0x83, 8), put(&c, 0, 8); /* nnz = 3 in two groups */
  cr_assert(eq(int, decode_crafted(&c, "minimally"), TPC_EINPUT));
  CRAFT(), put_head(&c, TPC_MSG_SPARSE, TPC_F32, 16);
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
  cr_assert(eq(int, tpc_wire_decode(c.buf, (c.pos + 7) / 8, 1, TPC_F32, &dm),
               TPC_OK));
  cr_assert(eq(flt, ((float *)dm.msg.part[0].val)[0], -ldexpf(1.0f, 127)));
  tpc_wire_decoded_free(&dm);
  CRAFT(), put_head(&c, TPC_MSG_POW2, TPC_F32, 1), put(&c, 0, 1);
  put(&c, 278, 9);
  cr_assert(eq(int, decode_crafted(&c, "out of range"), TPC_EINPUT));
  CRAFT(), put_head(&c, TPC_MSG_POW2, TPC_F64, 1), put(&c, 0, 1);
  put(&c, 2099, 12);
  cr_assert(eq(int, decode_crafted(&c, "out of range"), TPC_EINPUT));
  cr_assert(eq(int, decode_crafted(&(crafted){.pos = 0}, "empty"), TPC_EINPUT));
#undef CRAFT
}

/* Flipped bits, random bytes and random lengths never crash and never give
** anything but OK (a valid message) or EINPUT. */
Test(wire, random_corruption) {
  gsl_rng *r = tpc_rng_alloc_stream(19, TPC_PURPOSE_TEST, 0);
  sample s[8];
  size_t n = sample_buffers(r, s), ok = 0;
  for (int it = 0; it < 60000; it++) {
    size_t b = gsl_rng_uniform_int(r, n), len = s[b].len, d = s[b].d;
    tpc_dtype t = s[b].dtype;
    int mode = it % 3;
    if (mode == 2) { /* random bytes for a random receiver */
      len = 1 + gsl_rng_uniform_int(r, 64);
      d = gsl_rng_uniform_int(r, 80);
      t = dtypes[gsl_rng_uniform_int(r, 2)];
    }
    uint8_t *copy = malloc(len);
    if (mode == 2) {
      for (size_t i = 0; i < len; i++) copy[i] = (uint8_t)gsl_rng_get(r);
    } else {
      memcpy(copy, s[b].buf, len);
      int flips = 1 + (int)gsl_rng_uniform_int(r, mode == 0 ? 2 : 8);
      for (int k = 0; k < flips; k++) {
        size_t bit = gsl_rng_uniform_int(r, len * 8);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
      }
    }
    tpc_wire_decoded dm;
    if (tpc_wire_decode(copy, len, d, t, &dm) == TPC_OK) {
      ok++;
      tpc_wire_decoded_free(&dm);
    }
    assert_decodes_cleanly(copy, len, d, t);
    free(copy);
  }
  /* single flips of value bits decode fine: some corruptions must pass, so
  ** the loop really reached the bodies (a loose lower bound, not a rate) */
  cr_assert(lt(sz, 100, ok));
  gsl_rng_free(r);
}

/* A skipped round costs the same whatever coefficient its mechanism set
** (DIANA's beta on a SKIP means nothing): the 1-bit message, and 8 bits for
** a lone absolute SKIP; it decodes to a plain skip. */
Test(wire, skip_sends_no_coefficient) {
  tpc_msg plain, scaled;
  tpc_msg_reset(&plain);
  tpc_msg_reset(&scaled);
  tpc_msg_add(&plain, TPC_MSG_SKIP, TPC_F64, 100);
  tpc_msg_add(&scaled, TPC_MSG_SKIP, TPC_F64, 100)->coef = 0.25;
  cr_assert(eq(u64, tpc_wire_bits(&scaled, TPC_WIRE_AUTO), 1));
  cr_assert(eq(u64, tpc_wire_bits(&plain, TPC_WIRE_AUTO), 1));
  for (int abs = 0; abs < 2; abs++) {
    scaled.part[0].absolute = abs;
    uint8_t buf[16];
    size_t len = 0;
    cr_assert(eq(int, tpc_wire_encode(&scaled, TPC_WIRE_AUTO, buf, sizeof buf, &len), TPC_OK));
    cr_assert(eq(u64, tpc_wire_bits(&scaled, TPC_WIRE_AUTO), abs ? 8 : 1));
    tpc_wire_decoded dm;
    cr_assert(eq(int, tpc_wire_decode(buf, len, 100, TPC_F64, &dm), TPC_OK));
    cr_assert(eq(int, dm.msg.part[0].kind, TPC_MSG_SKIP));
    cr_assert(eq(int, dm.msg.part[0].absolute, abs));
    cr_assert(eq(dbl, dm.msg.part[0].coef, 1.0));
    tpc_wire_decoded_free(&dm);
  }
}

/* The receiver's d is at most TPC_WIRE_MAX_D, below which every bit count
** fits 64 bits.  Beyond it a SPARSE part's bitmap of d bits wrapped the
** count around: a part for d = 2^64 - 1 "fitted" a few bytes as a bitmap and
** its index bits were set past them, and a buffer decoded for that d did not
** survive re-encoding (found by tests/fuzz/fuzz_wire.c).  Both directions
** refuse such a d; at the limit the counts are exact. */
Test(wire, d_beyond_the_limit_is_refused) {
  uint32_t idx[1] = {1000};
  double val[1] = {1.5};
  tpc_msg m;
  tpc_msg_reset(&m);
  tpc_msg_part *p = tpc_msg_add(&m, TPC_MSG_SPARSE, TPC_F64, SIZE_MAX);
  p->nnz = 1, p->idx = idx, p->val = val;
  uint8_t *buf = pool_alloc(4096);
  size_t len = 0;
  for (int l = 0; l < 3; l++) {
    cr_assert(eq(int, tpc_wire_encode(&m, layouts[l], buf, 4096, &len), TPC_EINPUT),
              "layout %d", l);
    cr_assert(ne(ptr, strstr(tpc_error_msg(), "exceeds the largest d"), NULL), "%s",
              tpc_error_msg());
  }
  p->d = TPC_WIRE_MAX_D + 1;
  cr_assert(eq(int, tpc_wire_encode(&m, TPC_WIRE_INDEX, buf, 4096, &len), TPC_EINPUT));
  /* An empty index list, as the fuzzer sent it: nparts 1, SPARSE, unit,
  ** nnz = 0, layout 0. */
  const uint8_t empty_list[3] = {0x20, 0x01, 0x00};
  const uint8_t skip = 1;
  tpc_wire_decoded dm;
  cr_assert(eq(int, tpc_wire_decode(empty_list, 3, SIZE_MAX, TPC_F64, &dm), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "exceeds the largest d"), NULL), "%s",
            tpc_error_msg());
  cr_assert(eq(int, tpc_wire_decode(&skip, 1, TPC_WIRE_MAX_D + 1, TPC_F32, &dm), TPC_EINPUT));
  cr_assert(eq(int, tpc_wire_decode(empty_list, 3, TPC_WIRE_MAX_D, TPC_F64, &dm), TPC_OK),
            "%s", tpc_error_msg());
  cr_assert(eq(sz, dm.msg.part[0].d, TPC_WIRE_MAX_D));
  tpc_wire_decoded_free(&dm);
  p->d = TPC_WIRE_MAX_D;
  uint64_t max = TPC_WIRE_MAX_D;
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_BITMAP), 4 + 5 + 8 + 1 + max + 64));
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_INDEX), 4 + 5 + 8 + 1 + 48 + 64));
  p->kind = TPC_MSG_DENSE;
  cr_assert(eq(u64, tpc_wire_bits(&m, TPC_WIRE_AUTO), 4 + 5 + 64 * max));
}
