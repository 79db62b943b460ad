/*
** The wire format (wire.h): messages (msg.h) to a bit-packed byte buffer and
** back, exactly.  The experiments report tpc_wire_bits as the honest cost of
** a round; the tests decode what was encoded and check that the server adds
** the same bits as the client.
**
** Bits are written LSB first: field bit j goes to bit (p mod 8) of byte p/8,
** where p is the running bit position, so a field may straddle bytes.  Values
** are the IEEE bit patterns of the element type, copied with memcpy, so
** decode(encode(m)) is exact for -0.0 and subnormals too.  w below is the
** value width: 32 for a float32 part, 64 for a float64 part.
**
**   field        bits               meaning
**   ------------ ------------------ -----------------------------------------
**   message
**   skip         1                  1: the message is one SKIP part with
**                                   absolute = 0 ("nothing sent this
**                                   round"); nothing else follows
**   nparts - 1   3 if skip == 0     1..8 parts follow
**   part[]       see below
**   padding      0..7               zero bits to the byte boundary; the buffer
**                                   ends there (len = ceil(bits / 8))
**
**   part header
**   kind         3                  0 SKIP 1 DENSE 2 SPARSE 3 SIGN 4 QUANT
**                                   5 POW2 (6 and 7 are refused)
**   absolute     1                  1: the part replaces v
**   unit         1 if not SKIP      1: coef == 1; 0: coef follows
**   coef         64 if unit == 0    IEEE double, finite and != 1
**
**   payload by kind (d and w are the receiver's: see "Context" below)
**   SKIP         -
**   DENSE        d * w              val[0..d)
**   SPARSE       varint             nnz <= d
**                1                  layout: 0 index list, 1 bitmap
**                nnz * b  (list)    idx[j], b = ceil(log2 d) bits (0 if d = 1),
**                                   strictly increasing, < d
**                d        (bitmap)  bit i set iff i is an index; nnz bits set
**                nnz * w            val[0..nnz)
**   SIGN         w                  scale (as the element type)
**                d                  bit i: 1 means -scale, 0 means +scale
**   QUANT        w                  scale (as the element type)
**                varint             s = levels, at most 2^32 - 1
**                d * c              level[i] + s in [0, 2s], c = max(1,
**                                   ceil(log2(2s + 1))) bits
**   POW2         d * (1 + e)        per value: sign bit, then an exponent
**                                   code of e bits: 0 for zero, else the
**                                   power 2^k as k + 150 (float32, k in
**                                   [-149, 127], codes 1..277, e = 9) or
**                                   k + 1075 (float64, k in [-1074, 1023],
**                                   codes 1..2098, e = 12)
**
**   varint: 8-bit groups, each 7 value bits (low first) and a continuation
**   bit on top; at most 10 groups; minimal (no trailing zero group).
**
** So a skipped round costs 1 bit (THEORY.md T7), and any other message
** 4 + the sum over its parts of 4 for a SKIP, else 5 (69 with a coef) plus
** the payload: one DENSE part is 9 + d * w bits, one SPARSE index list
** 9 + varint(nnz) + 1 + nnz * (b + w).
**
** Which messages there are.  A message updates one vector, so all its parts
** have that vector's d and dtype: encode refuses parts that disagree.  A
** message has at least one part: "nothing sent" is the one-part SKIP message
** (LAG and CLAG on a skipped round, a Bernoulli compressor that drew no
** send), and encode refuses an empty one.  That message has exactly one
** encoding, the 1-bit one: decode refuses it written out in the general form
** (skip = 0, one SKIP part with absolute = 0).  A SKIP with absolute = 1 (v
** becomes 0; no mechanism sends it) and SKIP parts beside others (3PCv2 with
** a Bernoulli inner compressor) take the general form.  A SKIP's coef means
** nothing (DIANA's beta on a skipped round) and is not sent: it decodes as 1.
** Every other field round-trips exactly.
**
** Context.  The receiver knows d and the dtype (it holds the vector the
** message updates), so neither is on the wire: decode takes them and gives
** every part that d and dtype.  d is at most TPC_WIRE_MAX_D = 2^48, so that
** no bit count wraps around 64 bits.  A buffer decoded with another d or
** dtype is refused whenever that makes its fields disagree with the buffer:
** lengths off by 8 bits or more (always so for a single DENSE or POW2 part of
** another d, and for a single DENSE (d >= 1), SPARSE (nnz >= 1), SIGN or POW2
** (d >= 3) part read as the other dtype), an index at or beyond d, a level or
** code out of range, nonzero padding.  Where they agree (the skip message
** fits every d and dtype; a SIGN, QUANT or bitmap part a few coordinates off
** can end within the padding; an index list read with a d of the same
** ceil(log2 d) above its indices), it decodes to a message of the receiver's
** shape: never out of bounds, but not what was sent.  Pairing a buffer with
** its vector is the protocol's job (Algorithm 1 knows which client sent
** what).
**
** Why these choices.  POW2: every power of two of the type, subnormals
** included, plus zero: 277 + 1 = 278 codes fit 9 bits (10 with the sign) for
** float32, 2098 + 1 = 2099 fit 12 bits (13) for float64; the sign bit of a
** zero code keeps -0.0.  QUANT: c is at least 1 so that every coordinate of
** every kind but SKIP costs at least one bit, which bounds what a decoder
** allocates by the size of its input.  SIGN and QUANT send the scale in the
** element type because that is all msg.h's apply uses: for a float32 part the
** decoded scale is (double)(float)scale.  The sparse layout that AUTO picks is
** the index list when nnz * b <= d, else the bitmap.
**
** Decoding checks every field (kinds, varint form, sizes against the bits
** left, index order, bitmap count, code ranges, finite values, zero padding,
** no trailing bytes) and never reads past len.
**
** The papers' count (tpc_wire_paper_bits) counts values only: SKIP 0, DENSE
** d * w, SPARSE nnz * w, and for the kinds whose values are not floats the
** payload that carries them: SIGN w + d (scale and signs), QUANT w + d * c
** (scale and levels), POW2 d * (1 + e).  No headers, indices, nnz or coef.
*/
#include "wire/wire.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define WIRE_SKIP_BITS 1
#define WIRE_NPARTS_BITS 3
#define WIRE_KIND_BITS 3
#define WIRE_COEF_BITS 64
#define WIRE_VARINT_GROUPS 10
#define WIRE_MAX_LEVELS UINT32_MAX

/* ---- bit writer and reader ------------------------------------------------ */

typedef struct bit_writer {
  uint8_t *buf; /* zeroed beforehand, large enough (checked by the caller) */
  uint64_t pos;
} bit_writer;

/* Write the n <= 64 low bits of v. */
static void bw_put(bit_writer *w, uint64_t v, unsigned n) {
  if (n < 64) v &= (UINT64_C(1) << n) - 1;
  while (n > 0) {
    unsigned off = (unsigned)(w->pos & 7);
    unsigned take = 8 - off < n ? 8 - off : n;
    w->buf[w->pos >> 3] |= (uint8_t)((v & ((1u << take) - 1)) << off);
    v >>= take;
    w->pos += take;
    n -= take;
  }
}

/* The bits of n bytes at src, LSB first, written at w's position: what
** bw_put would write a byte at a time, a word at a time.  A dense part of
** d = 10^4 doubles took 90 us to encode value by value. */
static void bw_put_bytes(bit_writer *w, const uint8_t *src, size_t n) {
  uint8_t *dst = w->buf + (w->pos >> 3);
  unsigned off = (unsigned)(w->pos & 7);
  if (n == 0) return;
  w->pos += 8 * (uint64_t)n;
  if (off == 0) {
    memcpy(dst, src, n);
    return;
  }
  uint64_t carry = dst[0]; /* the low off bits already written; the rest is 0 */
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, out;
    memcpy(&x, src + i, sizeof x);
    out = (x << off) | carry;
    memcpy(dst + i, &out, sizeof out);
    carry = x >> (64 - off);
  }
  for (; i < n; i++) {
    dst[i] = (uint8_t)(((unsigned)src[i] << off) | carry);
    carry = (uint64_t)(src[i] >> (8 - off));
  }
  dst[n] = (uint8_t)carry; /* the last off bits: inside the message */
}

static void bw_varint(bit_writer *w, uint64_t v) {
  do {
    uint64_t group = v & 0x7f;
    v >>= 7;
    bw_put(w, group | (v != 0 ? 0x80 : 0), 8);
  } while (v != 0);
}

typedef struct bit_reader {
  const uint8_t *buf;
  uint64_t nbits;
  uint64_t pos;
} bit_reader;

static uint64_t br_left(const bit_reader *r) { return r->nbits - r->pos; }

/* Read n <= 64 bits; the caller has checked n <= br_left(r). */
static uint64_t br_get(bit_reader *r, unsigned n) {
  uint64_t v = 0;
  unsigned got = 0;
  while (got < n) {
    unsigned off = (unsigned)(r->pos & 7);
    unsigned take = 8 - off < n - got ? 8 - off : n - got;
    uint64_t bits = (uint64_t)(r->buf[r->pos >> 3] >> off) & ((1u << take) - 1);
    v |= bits << got;
    got += take;
    r->pos += take;
  }
  return v;
}

/* n bytes read at r's position into dst, LSB first: what br_get would read
** a byte at a time, a word at a time; the caller has checked 8 n <=
** br_left(r).  With an offset, byte n at r's position holds the last bits
** and is inside the buffer. */
static void br_get_bytes(bit_reader *r, uint8_t *dst, size_t n) {
  const uint8_t *src = r->buf + (r->pos >> 3);
  unsigned off = (unsigned)(r->pos & 7);
  if (n == 0) return;
  r->pos += 8 * (uint64_t)n;
  if (off == 0) {
    memcpy(dst, src, n);
    return;
  }
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, out;
    memcpy(&x, src + i, sizeof x);
    out = (x >> off) | ((uint64_t)src[i + 8] << (64 - off));
    memcpy(dst + i, &out, sizeof out);
  }
  for (; i < n; i++) dst[i] = (uint8_t)((src[i] >> off) | ((unsigned)src[i + 1] << (8 - off)));
}

/* Checked read of a header field named `what` of part `ip`. */
static int br_read(bit_reader *r, unsigned n, uint64_t *v, size_t ip,
                   const char *what) {
  if (n > br_left(r))
    return tpc_error(TPC_EINPUT, "wire: truncated in part %zu: %s needs %u "
                     "bits, %llu left", ip, what, n,
                     (unsigned long long)br_left(r));
  *v = br_get(r, n);
  return TPC_OK;
}

static int br_varint(bit_reader *r, uint64_t *v, size_t ip, const char *what) {
  uint64_t acc = 0;
  for (unsigned g = 0; g < WIRE_VARINT_GROUPS; g++) {
    uint64_t group = 0;
    int rc = br_read(r, 8, &group, ip, what);
    if (rc != TPC_OK) return rc;
    uint64_t low = group & 0x7f;
    if (g == WIRE_VARINT_GROUPS - 1 && (group & ~UINT64_C(1)) != 0) break;
    acc |= low << (7 * g);
    if ((group & 0x80) == 0) {
      if (g > 0 && low == 0)
        return tpc_error(TPC_EINPUT, "wire: part %zu: %s is not minimally "
                         "encoded", ip, what);
      *v = acc;
      return TPC_OK;
    }
  }
  return tpc_error(TPC_EINPUT, "wire: part %zu: %s does not fit 64 bits", ip,
                   what);
}

/* ---- sizes ------------------------------------------------------------------ */

static unsigned bit_length(uint64_t v) {
  unsigned n = 0;
  for (; v != 0; v >>= 1) n++;
  return n;
}

static uint64_t varint_bits(uint64_t v) {
  unsigned n = bit_length(v);
  return 8 * (uint64_t)(n == 0 ? 1 : (n + 6) / 7);
}

static unsigned value_bits(tpc_dtype t) { return t == TPC_F32 ? 32 : 64; }

/* Bits of one sparse index: ceil(log2 d). */
static unsigned index_bits(uint64_t d) { return d <= 1 ? 0 : bit_length(d - 1); }

/* Bits of one QUANT level code: codes 0..2s, at least one bit. */
static unsigned level_bits(uint64_t s) {
  unsigned n = bit_length(2 * s);
  return n == 0 ? 1 : n;
}

/* Bits of the POW2 exponent code, without the sign bit. */
static unsigned pow2_bits(tpc_dtype t) { return t == TPC_F32 ? 9 : 12; }

/* Whether a SPARSE part goes as a bitmap under `layout`. */
static int use_bitmap(uint64_t d, uint64_t nnz, tpc_wire_sparse layout) {
  if (layout != TPC_WIRE_AUTO) return layout == TPC_WIRE_BITMAP;
  return nnz * index_bits(d) > d;
}

/* Whether the part's coefficient goes on the wire: a SKIP carries no values,
** so its coefficient (DIANA's beta on a skipped round) means nothing. */
static int coef_sent(const tpc_msg_part *p) {
  return p->kind != TPC_MSG_SKIP && p->coef != 1.0;
}

/* Whether m is "nothing sent": one SKIP part that leaves v unchanged, the
** message with the 1-bit encoding. */
static int skip_message(const tpc_msg *m) {
  return m->nparts == 1 && m->part[0].kind == TPC_MSG_SKIP &&
         m->part[0].absolute == 0;
}

/* kind, absolute, and for the kinds that carry values the unit flag and
** the coef when it is not 1. */
static uint64_t header_bits(const tpc_msg_part *p) {
  if (p->kind == TPC_MSG_SKIP) return WIRE_KIND_BITS + 1;
  return WIRE_KIND_BITS + 2 + (coef_sent(p) ? WIRE_COEF_BITS : 0);
}

static uint64_t part_bits(const tpc_msg_part *p, tpc_wire_sparse layout) {
  uint64_t w = value_bits(p->dtype), d = p->d;
  uint64_t bits = header_bits(p);
  switch (p->kind) {
    case TPC_MSG_DENSE:
      return bits + d * w;
    case TPC_MSG_SPARSE:
      bits += varint_bits(p->nnz) + 1 + p->nnz * w;
      return bits + (use_bitmap(d, p->nnz, layout) ? d : p->nnz * index_bits(d));
    case TPC_MSG_SIGN:
      return bits + w + d;
    case TPC_MSG_QUANT:
      return bits + w + varint_bits(p->levels) + d * level_bits(p->levels);
    case TPC_MSG_POW2:
      return bits + d * (1 + pow2_bits(p->dtype));
    default:
      return bits;
  }
}

uint64_t tpc_wire_bits(const tpc_msg *m, tpc_wire_sparse layout) {
  if (skip_message(m)) return WIRE_SKIP_BITS;
  uint64_t bits = WIRE_SKIP_BITS + WIRE_NPARTS_BITS;
  for (size_t i = 0; i < m->nparts && i < TPC_MSG_MAXPARTS; i++)
    bits += part_bits(&m->part[i], layout);
  return bits;
}

size_t tpc_wire_size(const tpc_msg *m, tpc_wire_sparse layout) {
  return (size_t)((tpc_wire_bits(m, layout) + 7) / 8);
}

uint64_t tpc_wire_paper_bits(const tpc_msg *m) {
  uint64_t bits = 0;
  for (size_t i = 0; i < m->nparts && i < TPC_MSG_MAXPARTS; i++) {
    const tpc_msg_part *p = &m->part[i];
    uint64_t w = value_bits(p->dtype), d = p->d;
    switch (p->kind) {
      case TPC_MSG_DENSE: bits += d * w; break;
      case TPC_MSG_SPARSE: bits += p->nnz * w; break;
      case TPC_MSG_SIGN: bits += w + d; break;
      case TPC_MSG_QUANT: bits += w + d * level_bits(p->levels); break;
      case TPC_MSG_POW2: bits += d * (1 + pow2_bits(p->dtype)); break;
      default: break;
    }
  }
  return bits;
}

/* ---- values ----------------------------------------------------------------- */

/* The IEEE pattern of value i of a float or double array. */
static uint64_t value_pattern(const void *val, tpc_dtype t, size_t i) {
  if (t == TPC_F32) {
    uint32_t u;
    memcpy(&u, (const float *)val + i, sizeof u);
    return u;
  }
  uint64_t u;
  memcpy(&u, (const double *)val + i, sizeof u);
  return u;
}

static void store_pattern(void *val, tpc_dtype t, size_t i, uint64_t u) {
  if (t == TPC_F32) {
    uint32_t v = (uint32_t)u;
    memcpy((float *)val + i, &v, sizeof v);
  } else {
    memcpy((double *)val + i, &u, sizeof u);
  }
}

/* Exponent field all ones: inf or nan. */
static int pattern_finite(uint64_t u, tpc_dtype t) {
  return t == TPC_F32 ? ((u >> 23) & 0xff) != 0xff
                      : ((u >> 52) & 0x7ff) != 0x7ff;
}

static unsigned trailing_zeros(uint64_t v) {
  unsigned n = 0;
  for (; (v & 1) == 0 && n < 64; v >>= 1) n++;
  return n;
}

/* The POW2 exponent code of pattern u, or -1 when u is not 0 or +-2^k.
** Subnormal 2^k has one mantissa bit: code 1 + its position; a normal one has
** mantissa 0: code = exponent field + mantissa width (see the file comment). */
static long pow2_code(uint64_t u, tpc_dtype t) {
  unsigned mbits = t == TPC_F32 ? 23 : 52;
  uint64_t exmax = t == TPC_F32 ? 0xff : 0x7ff;
  uint64_t man = u & ((UINT64_C(1) << mbits) - 1);
  uint64_t ex = (u >> mbits) & exmax;
  if (ex == 0) {
    if (man == 0) return 0;
    if ((man & (man - 1)) != 0) return -1;
    return 1 + (long)trailing_zeros(man);
  }
  if (ex == exmax || man != 0) return -1;
  return (long)(ex + mbits);
}

/* The pattern of POW2 code `code` with sign bit `neg`; 0 when the code is out
** of range (a zero code yields +-0 through the sign alone). */
static int pow2_pattern(uint64_t code, uint64_t neg, tpc_dtype t, uint64_t *u) {
  unsigned mbits = t == TPC_F32 ? 23 : 52;
  uint64_t exmax = t == TPC_F32 ? 0xff : 0x7ff;
  uint64_t sign = neg << (t == TPC_F32 ? 31 : 63);
  if (code == 0)
    *u = sign;
  else if (code <= mbits)
    *u = sign | (UINT64_C(1) << (code - 1));
  else if (code - mbits < exmax)
    *u = sign | ((code - mbits) << mbits);
  else
    return 0;
  return 1;
}

/* The scale as sent: its pattern in the element type, refused when it is not
** finite there. */
static int scale_pattern(double scale, tpc_dtype t, size_t ip, uint64_t *u) {
  if (!isfinite(scale) || (t == TPC_F32 && fabs(scale) > (double)FLT_MAX))
    return tpc_error(TPC_EINPUT, "wire: part %zu: scale %g is not finite in "
                     "the element type", ip, scale);
  if (t == TPC_F32) {
    float f = (float)scale;
    *u = value_pattern(&f, t, 0);
  } else {
    *u = value_pattern(&scale, t, 0);
  }
  return TPC_OK;
}

/* ---- encoding ----------------------------------------------------------------- */

/* The first of the n values of type t at val that is not finite, or n. */
static size_t first_nonfinite(const void *val, tpc_dtype t, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!pattern_finite(value_pattern(val, t, i), t)) return i;
  return n;
}

static int values_finite(const tpc_msg_part *p, size_t n, size_t ip) {
  size_t bad = first_nonfinite(p->val, p->dtype, n);
  if (bad < n)
    return tpc_error(TPC_EINPUT, "wire: part %zu: value %zu is not finite", ip, bad);
  return TPC_OK;
}

/* A little-endian host holds an array of values as the bit string the wire
** carries (each pattern LSB first, in order): it travels by bytes. */
#define WIRE_LITTLE_ENDIAN (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

static int put_values(bit_writer *w, const tpc_msg_part *p, size_t n,
                      size_t ip) {
  unsigned vb = value_bits(p->dtype);
  int rc = values_finite(p, n, ip);
  if (rc != TPC_OK) return rc;
  if (WIRE_LITTLE_ENDIAN) {
    bw_put_bytes(w, p->val, n * (vb / 8));
    return TPC_OK;
  }
  for (size_t i = 0; i < n; i++) bw_put(w, value_pattern(p->val, p->dtype, i), vb);
  return TPC_OK;
}

static int put_sparse(bit_writer *w, const tpc_msg_part *p,
                      tpc_wire_sparse layout, size_t ip) {
  if (p->nnz > p->d)
    return tpc_error(TPC_EINPUT, "wire: part %zu: nnz = %zu exceeds d = %zu",
                     ip, p->nnz, p->d);
  for (size_t j = 0; j < p->nnz; j++)
    if (p->idx[j] >= p->d || (j > 0 && p->idx[j] <= p->idx[j - 1]))
      return tpc_error(TPC_EINPUT, "wire: part %zu: index %zu (%u) is not "
                       "below d = %zu and above the previous one", ip, j,
                       (unsigned)p->idx[j], p->d);
  int bitmap = use_bitmap(p->d, p->nnz, layout);
  bw_varint(w, p->nnz);
  bw_put(w, (uint64_t)bitmap, 1);
  if (bitmap) {
    uint64_t start = w->pos; /* the buffer is zeroed: set the index bits */
    for (size_t j = 0; j < p->nnz; j++) {
      uint64_t at = start + p->idx[j];
      w->buf[at >> 3] |= (uint8_t)(1u << (at & 7));
    }
    w->pos = start + p->d;
  } else {
    unsigned b = index_bits(p->d);
    for (size_t j = 0; j < p->nnz; j++) bw_put(w, p->idx[j], b);
  }
  return put_values(w, p, p->nnz, ip);
}

static int put_quant(bit_writer *w, const tpc_msg_part *p, size_t ip) {
  int64_t s = (int64_t)p->levels;
  unsigned c = level_bits(p->levels);
  bw_varint(w, p->levels);
  for (size_t i = 0; i < p->d; i++) {
    int64_t l = p->level[i];
    if (l < -s || l > s)
      return tpc_error(TPC_EINPUT, "wire: part %zu: level[%zu] = %lld is "
                       "outside [-%lld, %lld]", ip, i, (long long)l,
                       (long long)s, (long long)s);
    bw_put(w, (uint64_t)(l + s), c);
  }
  return TPC_OK;
}

static int put_pow2(bit_writer *w, const tpc_msg_part *p, size_t ip) {
  unsigned e = pow2_bits(p->dtype), signbit = p->dtype == TPC_F32 ? 31 : 63;
  for (size_t i = 0; i < p->d; i++) {
    uint64_t u = value_pattern(p->val, p->dtype, i);
    long code = pow2_code(u, p->dtype);
    if (code < 0)
      return tpc_error(TPC_EINPUT, "wire: part %zu: POW2 value %zu is not 0 "
                       "or a power of two", ip, i);
    bw_put(w, (u >> signbit) | ((uint64_t)code << 1), 1 + e);
  }
  return TPC_OK;
}

static void put_signs(bit_writer *w, const tpc_msg_part *p) {
  for (size_t i = 0; i < p->d; i += 64) {
    size_t n = p->d - i < 64 ? p->d - i : 64;
    bw_put(w, p->bits[i / 64], (unsigned)n);
  }
}

/* The fields of a part's header are checked with the message's shape
** (check_shape), before anything is written. */
static void put_header(bit_writer *w, const tpc_msg_part *p) {
  bw_put(w, (uint64_t)p->kind, WIRE_KIND_BITS);
  bw_put(w, (uint64_t)p->absolute, 1);
  if (p->kind == TPC_MSG_SKIP) return;
  int unit = !coef_sent(p);
  uint64_t coef;
  memcpy(&coef, &p->coef, sizeof coef);
  bw_put(w, (uint64_t)unit, 1);
  if (!unit) bw_put(w, coef, WIRE_COEF_BITS);
}

static int put_part(bit_writer *w, const tpc_msg_part *p,
                    tpc_wire_sparse layout, size_t ip) {
  put_header(w, p);
  uint64_t scale = 0;
  int rc = TPC_OK;
  switch (p->kind) {
    case TPC_MSG_DENSE:
      return put_values(w, p, p->d, ip);
    case TPC_MSG_SPARSE:
      return put_sparse(w, p, layout, ip);
    case TPC_MSG_SIGN:
    case TPC_MSG_QUANT:
      rc = scale_pattern(p->scale, p->dtype, ip, &scale);
      if (rc != TPC_OK) return rc;
      bw_put(w, scale, value_bits(p->dtype));
      if (p->kind == TPC_MSG_QUANT) return put_quant(w, p, ip);
      put_signs(w, p);
      return TPC_OK;
    case TPC_MSG_POW2:
      return put_pow2(w, p, ip);
    default:
      return TPC_OK;
  }
}

/* Beyond TPC_WIRE_MAX_D a bit count could wrap around 64 bits (a bitmap is
** d bits), and encode would size its buffer by the wrapped count. */
static int check_d(size_t d) {
  if (d > TPC_WIRE_MAX_D)
    return tpc_error(TPC_EINPUT, "wire: d = %zu exceeds the largest d the format "
                     "carries (2^48)", d);
  return TPC_OK;
}

/* What the wire cannot say: no parts, more than it counts, parts that
** disagree on the vector they update (its d and dtype are not sent), or a d
** beyond TPC_WIRE_MAX_D. */
static int check_shape(const tpc_msg *m) {
  if (m->nparts == 0)
    return tpc_error(TPC_EINPUT, "wire: a message with no parts (nothing "
                     "sent is one SKIP part)");
  if (m->nparts > TPC_MSG_MAXPARTS)
    return tpc_error(TPC_EINPUT, "wire: %zu parts (at most %d)", m->nparts,
                     TPC_MSG_MAXPARTS);
  const tpc_msg_part *p0 = &m->part[0];
  if (p0->dtype != TPC_F32 && p0->dtype != TPC_F64)
    return tpc_error(TPC_EINPUT, "wire: unknown dtype %d", (int)p0->dtype);
  int rc = check_d(p0->d);
  if (rc != TPC_OK) return rc;
  for (size_t i = 0; i < m->nparts; i++) {
    const tpc_msg_part *p = &m->part[i];
    if (p->d != p0->d || p->dtype != p0->dtype)
      return tpc_error(TPC_EINPUT, "wire: part %zu has d = %zu, dtype %d but "
                       "part 0 d = %zu, dtype %d: a message updates one "
                       "vector", i, p->d, (int)p->dtype, p0->d,
                       (int)p0->dtype);
    if ((unsigned)p->kind > TPC_MSG_POW2 ||
        (p->absolute != 0 && p->absolute != 1) || !isfinite(p->coef))
      return tpc_error(TPC_EINPUT, "wire: part %zu: bad kind %d, absolute %d "
                       "or coef %g", i, (int)p->kind, p->absolute, p->coef);
  }
  return TPC_OK;
}

int tpc_wire_encode(const tpc_msg *m, tpc_wire_sparse layout, uint8_t *buf,
                    size_t size, size_t *len) {
  *len = 0;
  int rc = check_shape(m);
  if (rc != TPC_OK) return rc;
  if ((unsigned)layout > TPC_WIRE_BITMAP)
    return tpc_error(TPC_EINPUT, "wire: unknown sparse layout %d", (int)layout);
  size_t need = tpc_wire_size(m, layout);
  if (size < need)
    return tpc_error(TPC_EINPUT, "wire: buffer of %zu bytes, %zu needed", size,
                     need);
  memset(buf, 0, need);
  bit_writer w = {buf, 0};
  int skip = skip_message(m);
  bw_put(&w, (uint64_t)skip, WIRE_SKIP_BITS);
  if (!skip) bw_put(&w, m->nparts - 1, WIRE_NPARTS_BITS);
  for (size_t i = 0; !skip && i < m->nparts; i++) {
    rc = put_part(&w, &m->part[i], layout, i);
    if (rc != TPC_OK) return rc;
  }
  *len = need;
  return TPC_OK;
}

/* ---- decoding ----------------------------------------------------------------- */

/* What the receiver knows: the d and dtype of the vector a message updates. */
typedef struct wire_ctx {
  size_t d;
  tpc_dtype dtype;
} wire_ctx;

/* What a part's header says beyond the tpc_msg_part fields. */
typedef struct part_head {
  int bitmap;          /* SPARSE layout */
  uint64_t body_bits;  /* bits of the arrays after the header */
} part_head;

/* Whether count * width + extra <= left, without overflow. */
static int fits(uint64_t count, uint64_t width, uint64_t extra, uint64_t left) {
  if (extra > left) return 0;
  return width == 0 || count <= (left - extra) / width;
}

static int read_scale(bit_reader *r, tpc_msg_part *p, size_t ip) {
  uint64_t u = 0;
  int rc = br_read(r, value_bits(p->dtype), &u, ip, "scale");
  if (rc != TPC_OK) return rc;
  if (!pattern_finite(u, p->dtype))
    return tpc_error(TPC_EINPUT, "wire: part %zu: scale is not finite", ip);
  if (p->dtype == TPC_F32) {
    float f;
    store_pattern(&f, p->dtype, 0, u);
    p->scale = (double)f;
  } else {
    store_pattern(&p->scale, p->dtype, 0, u);
  }
  return TPC_OK;
}

/* The fields common to all kinds: kind, absolute, and the coef of the kinds
** that carry values; d and dtype come from the receiver. */
static int read_common(bit_reader *r, const wire_ctx *cx, tpc_msg_part *p,
                       size_t ip) {
  uint64_t kind = 0, absolute = 0, unit = 1;
  int rc = br_read(r, WIRE_KIND_BITS, &kind, ip, "kind");
  if (rc != TPC_OK) return rc;
  if (kind > TPC_MSG_POW2)
    return tpc_error(TPC_EINPUT, "wire: part %zu: unknown kind %llu", ip,
                     (unsigned long long)kind);
  rc = br_read(r, 1, &absolute, ip, "absolute flag");
  if (rc == TPC_OK && kind != TPC_MSG_SKIP)
    rc = br_read(r, 1, &unit, ip, "coef flag");
  if (rc != TPC_OK) return rc;
  memset(p, 0, sizeof *p);
  p->kind = (tpc_msg_kind)kind;
  p->absolute = (int)absolute;
  p->dtype = cx->dtype;
  p->d = cx->d;
  p->coef = 1.0;
  if (!unit) {
    uint64_t c = 0;
    rc = br_read(r, WIRE_COEF_BITS, &c, ip, "coef");
    if (rc != TPC_OK) return rc;
    memcpy(&p->coef, &c, sizeof c);
    if (!isfinite(p->coef) || p->coef == 1.0)
      return tpc_error(TPC_EINPUT, "wire: part %zu: coef %g sent explicitly "
                       "is not finite or is 1", ip, p->coef);
  }
  return TPC_OK;
}

/* The kind-specific header fields: the scale of SIGN and QUANT, nnz and the
** layout bit of SPARSE, s of QUANT. */
static int read_kind_fields(bit_reader *r, tpc_msg_part *p, part_head *h,
                            size_t ip) {
  uint64_t v = 0;
  int rc = TPC_OK;
  if (p->kind == TPC_MSG_SIGN || p->kind == TPC_MSG_QUANT)
    rc = read_scale(r, p, ip);
  if (rc == TPC_OK && p->kind == TPC_MSG_SPARSE) {
    rc = br_varint(r, &v, ip, "nnz");
    if (rc == TPC_OK && v > p->d)
      rc = tpc_error(TPC_EINPUT, "wire: part %zu: nnz = %llu exceeds d = %zu",
                     ip, (unsigned long long)v, p->d);
    p->nnz = (size_t)v;
    if (rc == TPC_OK) rc = br_read(r, 1, &v, ip, "sparse layout");
    h->bitmap = (int)v;
  }
  if (rc == TPC_OK && p->kind == TPC_MSG_QUANT) {
    rc = br_varint(r, &v, ip, "levels");
    if (rc == TPC_OK && v > WIRE_MAX_LEVELS)
      rc = tpc_error(TPC_EINPUT, "wire: part %zu: %llu levels", ip,
                     (unsigned long long)v);
    p->levels = (uint32_t)v;
  }
  return rc;
}

/* Size the arrays that follow the head into h->body_bits; 0 when they need
** more than the `left` bits there are (nothing is multiplied before that
** check, so absurd counts cannot overflow). */
static int size_body(const tpc_msg_part *p, part_head *h, uint64_t left) {
  uint64_t d = p->d, count = d, per = 0, extra = 0;
  switch (p->kind) {
    case TPC_MSG_DENSE: per = value_bits(p->dtype); break;
    case TPC_MSG_SIGN: per = 1; break;
    case TPC_MSG_QUANT: per = level_bits(p->levels); break;
    case TPC_MSG_POW2: per = 1 + pow2_bits(p->dtype); break;
    case TPC_MSG_SPARSE:
      count = p->nnz;
      per = value_bits(p->dtype) + (h->bitmap ? 0 : index_bits(d));
      extra = h->bitmap ? d : 0;
      break;
    default: count = 0; break;
  }
  if (!fits(count, per, extra, left)) return 0;
  h->body_bits = extra + count * per;
  return 1;
}

static int read_head(bit_reader *r, const wire_ctx *cx, tpc_msg_part *p,
                     part_head *h, size_t ip) {
  int rc = read_common(r, cx, p, ip);
  if (rc == TPC_OK) rc = read_kind_fields(r, p, h, ip);
  if (rc != TPC_OK) return rc;
  if (!size_body(p, h, br_left(r)))
    return tpc_error(TPC_EINPUT, "wire: truncated in part %zu: d = %zu, nnz "
                     "= %zu need more than the %llu bits left", ip, p->d,
                     p->nnz, (unsigned long long)br_left(r));
  return TPC_OK;
}

/* Bytes of the arrays a part decodes into, each rounded up to 8 so that
** doubles stay aligned in the shared block. */
static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

static size_t part_mem(const tpc_msg_part *p) {
  size_t vb = value_bits(p->dtype) / 8;
  switch (p->kind) {
    case TPC_MSG_DENSE:
    case TPC_MSG_POW2: return round8(p->d * vb);
    case TPC_MSG_SPARSE: return round8(p->nnz * 4) + round8(p->nnz * vb);
    case TPC_MSG_SIGN: return ((p->d + 63) / 64) * 8;
    case TPC_MSG_QUANT: return round8(p->d * 4);
    default: return 0;
  }
}

typedef struct arena {
  uint8_t *base;
  size_t used;
} arena;

static void *arena_take(arena *a, size_t bytes) {
  if (bytes == 0) return NULL;
  void *p = a->base + a->used;
  a->used += round8(bytes);
  return p;
}

static int get_values(bit_reader *r, tpc_msg_part *p, size_t n, size_t ip) {
  unsigned vb = value_bits(p->dtype);
  if (WIRE_LITTLE_ENDIAN)
    br_get_bytes(r, p->val, n * (vb / 8));
  else
    for (size_t i = 0; i < n; i++) store_pattern(p->val, p->dtype, i, br_get(r, vb));
  return values_finite(p, n, ip);
}

static int get_index_list(bit_reader *r, tpc_msg_part *p, size_t ip) {
  unsigned b = index_bits(p->d);
  for (size_t j = 0; j < p->nnz; j++) {
    uint64_t i = br_get(r, b);
    if (i >= p->d || i > UINT32_MAX || (j > 0 && i <= p->idx[j - 1]))
      return tpc_error(TPC_EINPUT, "wire: part %zu: index %zu (%llu) is not "
                       "below d and above the previous one", ip, j,
                       (unsigned long long)i);
    p->idx[j] = (uint32_t)i;
  }
  return TPC_OK;
}

static int get_bitmap(bit_reader *r, tpc_msg_part *p, size_t ip) {
  size_t n = 0;
  for (size_t i = 0; i < p->d; i += 64) {
    unsigned chunk = (unsigned)(p->d - i < 64 ? p->d - i : 64);
    for (uint64_t word = br_get(r, chunk); word != 0; word &= word - 1) {
      uint64_t at = i + trailing_zeros(word);
      if (n == p->nnz || at > UINT32_MAX)
        return tpc_error(TPC_EINPUT, "wire: part %zu: bitmap has more than "
                         "nnz = %zu bits set, or one above 2^32", ip, p->nnz);
      p->idx[n++] = (uint32_t)at;
    }
  }
  if (n != p->nnz)
    return tpc_error(TPC_EINPUT, "wire: part %zu: bitmap has %zu bits set, "
                     "nnz = %zu", ip, n, p->nnz);
  return TPC_OK;
}

static int get_levels(bit_reader *r, tpc_msg_part *p, size_t ip) {
  unsigned c = level_bits(p->levels);
  int64_t s = (int64_t)p->levels;
  for (size_t i = 0; i < p->d; i++) {
    int64_t l = (int64_t)br_get(r, c) - s;
    if (l > s || l < INT32_MIN || l > INT32_MAX)
      return tpc_error(TPC_EINPUT, "wire: part %zu: level %zu = %lld outside "
                       "[-%lld, %lld]", ip, i, (long long)l, (long long)s,
                       (long long)s);
    p->level[i] = (int32_t)l;
  }
  return TPC_OK;
}

static int get_pow2(bit_reader *r, tpc_msg_part *p, size_t ip) {
  unsigned e = pow2_bits(p->dtype);
  for (size_t i = 0; i < p->d; i++) {
    uint64_t field = br_get(r, 1 + e), u = 0;
    if (!pow2_pattern(field >> 1, field & 1, p->dtype, &u))
      return tpc_error(TPC_EINPUT, "wire: part %zu: POW2 code %llu of value "
                       "%zu out of range", ip, (unsigned long long)(field >> 1),
                       i);
    store_pattern(p->val, p->dtype, i, u);
  }
  return TPC_OK;
}

static void get_signs(bit_reader *r, tpc_msg_part *p) {
  for (size_t i = 0; i < p->d; i += 64) {
    size_t n = p->d - i < 64 ? p->d - i : 64;
    p->bits[i / 64] = br_get(r, (unsigned)n);
  }
}

/* The arrays of a part whose head has been read and sized (read_head). */
static int read_body(bit_reader *r, tpc_msg_part *p, const part_head *h,
                     arena *a, size_t ip) {
  size_t vb = value_bits(p->dtype) / 8;
  switch (p->kind) {
    case TPC_MSG_DENSE:
      p->val = arena_take(a, p->d * vb);
      return get_values(r, p, p->d, ip);
    case TPC_MSG_SPARSE: {
      p->idx = arena_take(a, p->nnz * 4);
      p->val = arena_take(a, p->nnz * vb);
      int rc = h->bitmap ? get_bitmap(r, p, ip) : get_index_list(r, p, ip);
      return rc != TPC_OK ? rc : get_values(r, p, p->nnz, ip);
    }
    case TPC_MSG_SIGN:
      p->bits = arena_take(a, ((p->d + 63) / 64) * 8);
      get_signs(r, p);
      return TPC_OK;
    case TPC_MSG_QUANT:
      p->level = arena_take(a, p->d * 4);
      return get_levels(r, p, ip);
    case TPC_MSG_POW2:
      p->val = arena_take(a, p->d * vb);
      return get_pow2(r, p, ip);
    default:
      return TPC_OK;
  }
}

/* The message's first field, and the part count when it is not the skip
** message; len >= 1 byte holds both. */
static uint64_t read_count(bit_reader *r, int *skip) {
  *skip = (int)br_get(r, WIRE_SKIP_BITS);
  return *skip ? 1 : 1 + br_get(r, WIRE_NPARTS_BITS);
}

/* The 1-bit skip message is the only encoding of "nothing sent". */
static int check_canonical(uint64_t n, const tpc_msg_part *p) {
  if (n == 1 && p->kind == TPC_MSG_SKIP && !p->absolute)
    return tpc_error(TPC_EINPUT, "wire: a lone SKIP with absolute = 0 in the "
                     "general form (it is the 1-bit skip message)");
  return TPC_OK;
}

/* First pass: read every head, skip the bodies, check the padding and the
** length, and total the memory the bodies need. */
static int scan_message(const uint8_t *buf, size_t len, const wire_ctx *cx,
                        int *skip, size_t *nparts, size_t *mem) {
  bit_reader r = {buf, (uint64_t)len * 8, 0};
  *mem = 0;
  if (len == 0) return tpc_error(TPC_EINPUT, "wire: empty buffer");
  uint64_t n = read_count(&r, skip);
  for (size_t i = 0; !*skip && i < n; i++) {
    tpc_msg_part p;
    part_head h;
    int rc = read_head(&r, cx, &p, &h, i);
    if (rc == TPC_OK && i == 0) rc = check_canonical(n, &p);
    if (rc != TPC_OK) return rc;
    r.pos += h.body_bits;
    *mem += part_mem(&p);
  }
  if (br_left(&r) >= 8)
    return tpc_error(TPC_EINPUT, "wire: %llu trailing bytes after the message",
                     (unsigned long long)(br_left(&r) / 8));
  if (br_get(&r, (unsigned)br_left(&r)) != 0)
    return tpc_error(TPC_EINPUT, "wire: nonzero padding bits");
  *nparts = (size_t)n;
  return TPC_OK;
}

int tpc_wire_decode(const uint8_t *buf, size_t len, size_t d, tpc_dtype dtype,
                    tpc_wire_decoded *out) {
  size_t nparts = 0, mem = 0;
  int skip = 0;
  wire_ctx cx = {d, dtype};
  memset(out, 0, sizeof *out);
  if (dtype != TPC_F32 && dtype != TPC_F64)
    return tpc_error(TPC_EINPUT, "wire: unknown receiver dtype %d", (int)dtype);
  int rc = check_d(d);
  if (rc == TPC_OK) rc = scan_message(buf, len, &cx, &skip, &nparts, &mem);
  if (rc != TPC_OK) return rc;
  if (skip) {
    tpc_msg_add(&out->msg, TPC_MSG_SKIP, dtype, d);
    return TPC_OK;
  }
  arena a = {NULL, 0};
  if (mem > 0 && (a.base = malloc(mem)) == NULL)
    return tpc_error(TPC_ENOMEM, "wire: out of memory for %zu bytes", mem);
  out->mem = a.base;
  bit_reader r = {buf, (uint64_t)len * 8, WIRE_SKIP_BITS + WIRE_NPARTS_BITS};
  for (size_t i = 0; i < nparts; i++) {
    tpc_msg_part *p = &out->msg.part[i];
    part_head h;
    rc = read_head(&r, &cx, p, &h, i);
    if (rc == TPC_OK) rc = read_body(&r, p, &h, &a, i);
    if (rc != TPC_OK) {
      tpc_wire_decoded_free(out);
      return rc;
    }
    out->msg.nparts = i + 1;
  }
  return TPC_OK;
}

void tpc_wire_decoded_free(tpc_wire_decoded *dm) {
  if (dm == NULL) return;
  free(dm->mem);
  dm->mem = NULL;
  dm->msg.nparts = 0;
}
