/*
** libFuzzer harness of the wire decoder (src/wire/wire.h).  The receiver's
** context comes first, then the bytes to decode:
**
**   byte 0      bit 0: dtype (0 float32, 1 float64); bit 1: wide d
**   d           2 bytes little-endian, or 8 when wide (any size_t)
**   the rest    the buffer handed to tpc_wire_decode
**
** Properties of a buffer that decodes: every part has the receiver's d and
** dtype; applying the message to a vector of d elements stays in bounds;
** for each sparse layout (AUTO, INDEX, BITMAP) the message encodes into
** exactly tpc_wire_size bytes (one byte less is refused) and decodes back to
** the same message, bit for bit (decode-encode-decode identity); and the
** format is canonical up to the sparse layout, which the sender chooses:
** with no SPARSE part encode(decode(b)) == b for every layout, with one
** SPARSE part b is its INDEX or its BITMAP encoding, and the AUTO encoding is
** never longer than b.  A buffer that does not decode gives TPC_EINPUT with
** a message and leaves no message behind.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "fuzz.h"
#include "wire/msg.h"
#include "wire/wire.h"

/* The largest d whose vector the harness allocates to apply a message. */
#define FUZZ_APPLY_MAX_D 65536

/* The largest re-encoding the harness makes: a sparse part sent as an index
** list costs d bits as a bitmap, and d can be any size_t.  Larger encodings
** are not made (they cannot be the input, which is smaller). */
#define FUZZ_ENCODE_MAX (1u << 20)

static size_t value_bytes(tpc_dtype t) { return t == TPC_F32 ? 4 : 8; }

static int same_bytes(const void *a, const void *b, size_t n) {
  return n == 0 || memcmp(a, b, n) == 0;
}

/* The first d bits of two SIGN bit arrays agree. */
static int same_signs(const uint64_t *a, const uint64_t *b, size_t d) {
  for (size_t i = 0; i < d; i += 64) {
    size_t n = d - i < 64 ? d - i : 64;
    uint64_t mask = n == 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
    if ((a[i / 64] ^ b[i / 64]) & mask) return 0;
  }
  return 1;
}

/* Bit-for-bit equality of what two parts of the same context carry. */
static int same_part(const tpc_msg_part *p, const tpc_msg_part *q) {
  size_t vb = value_bytes(p->dtype);
  if (p->kind != q->kind || p->absolute != q->absolute || p->d != q->d ||
      p->dtype != q->dtype || memcmp(&p->coef, &q->coef, sizeof p->coef) != 0)
    return 0;
  switch (p->kind) {
    case TPC_MSG_DENSE:
    case TPC_MSG_POW2: return same_bytes(p->val, q->val, p->d * vb);
    case TPC_MSG_SPARSE:
      return p->nnz == q->nnz && same_bytes(p->idx, q->idx, p->nnz * sizeof *p->idx) &&
             same_bytes(p->val, q->val, p->nnz * vb);
    case TPC_MSG_SIGN:
      return memcmp(&p->scale, &q->scale, sizeof p->scale) == 0 &&
             same_signs(p->bits, q->bits, p->d);
    case TPC_MSG_QUANT:
      return memcmp(&p->scale, &q->scale, sizeof p->scale) == 0 && p->levels == q->levels &&
             same_bytes(p->level, q->level, p->d * sizeof *p->level);
    default: return 1;
  }
}

static int same_msg(const tpc_msg *a, const tpc_msg *b) {
  if (a->nparts != b->nparts) return 0;
  for (size_t i = 0; i < a->nparts; i++)
    if (!same_part(&a->part[i], &b->part[i])) return 0;
  return 1;
}

/* The server's side on a vector of d ones: in bounds whatever was decoded. */
static void apply_once(const tpc_msg *m, size_t d, tpc_dtype dtype) {
  if (d > FUZZ_APPLY_MAX_D) return;
  void *v = malloc(d ? d * value_bytes(dtype) : 1);
  if (!v) fuzz_fail("out of memory for a vector of d = %zu", d);
  for (size_t i = 0; i < d; i++) {
    if (dtype == TPC_F32) ((float *)v)[i] = 1.0f;
    else ((double *)v)[i] = 1.0;
  }
  if (dtype == TPC_F32) tpc_msg_apply_f32(m, v);
  else tpc_msg_apply_f64(m, v);
  free(v);
}

/* Encode m with `layout`, check the size, decode it back and compare; 1 when
** the encoding is the original buffer b (n bytes).  0 without encoding when
** the encoding would exceed FUZZ_ENCODE_MAX bytes. */
static int reencode(const tpc_msg *m, tpc_wire_sparse layout, size_t d, tpc_dtype dtype,
                    const uint8_t *b, size_t n) {
  uint64_t bits = tpc_wire_bits(m, layout);
  size_t size = tpc_wire_size(m, layout), len = 0;
  if (size != (bits + 7) / 8) fuzz_fail("layout %d: size %zu for %llu bits", (int)layout,
                                        size, (unsigned long long)bits);
  if (tpc_wire_paper_bits(m) > bits)
    fuzz_fail("layout %d: the values-only count exceeds the %llu bits", (int)layout,
              (unsigned long long)bits);
  if (size > FUZZ_ENCODE_MAX) return 0;
  uint8_t *buf = malloc(size ? size : 1);
  if (!buf) fuzz_fail("out of memory for %zu bytes", size);
  if (size > 0 && tpc_wire_encode(m, layout, buf, size - 1, &len) != TPC_EINPUT)
    fuzz_fail("layout %d: encode into %zu bytes of %zu did not refuse", (int)layout,
              size - 1, size);
  if (tpc_wire_encode(m, layout, buf, size, &len) != TPC_OK || len != size)
    fuzz_fail("layout %d: a decoded message does not encode (%zu of %zu bytes): %s",
              (int)layout, len, size, tpc_error_msg());
  tpc_wire_decoded again;
  if (tpc_wire_decode(buf, len, d, dtype, &again) != TPC_OK)
    fuzz_fail("layout %d: re-encoded message does not decode: %s", (int)layout,
              tpc_error_msg());
  if (!same_msg(m, &again.msg))
    fuzz_fail("layout %d: decode(encode(m)) differs from m", (int)layout);
  tpc_wire_decoded_free(&again);
  int same = len == n && memcmp(buf, b, n) == 0;
  free(buf);
  return same;
}

static void check_decoded(const tpc_msg *m, size_t d, tpc_dtype dtype, const uint8_t *b,
                          size_t n) {
  size_t nsparse = 0;
  if (m->nparts == 0 || m->nparts > TPC_MSG_MAXPARTS)
    fuzz_fail("decoded %zu parts", m->nparts);
  if (!tpc_msg_fits(m, d, dtype)) fuzz_fail("a decoded part has another d or dtype");
  for (size_t i = 0; i < m->nparts; i++) nsparse += m->part[i].kind == TPC_MSG_SPARSE;
  apply_once(m, d, dtype);
  int is_auto = reencode(m, TPC_WIRE_AUTO, d, dtype, b, n);
  int is_index = reencode(m, TPC_WIRE_INDEX, d, dtype, b, n);
  int is_bitmap = reencode(m, TPC_WIRE_BITMAP, d, dtype, b, n);
  if (nsparse == 0 && !(is_auto && is_index && is_bitmap))
    fuzz_fail("no SPARSE part, yet encode(decode(b)) != b (auto %d index %d bitmap %d)",
              is_auto, is_index, is_bitmap);
  if (nsparse == 1 && !is_index && !is_bitmap)
    fuzz_fail("one SPARSE part, yet b is neither its INDEX nor its BITMAP encoding");
  if (tpc_wire_size(m, TPC_WIRE_AUTO) > n)
    fuzz_fail("AUTO needs %zu bytes, the buffer had %zu", tpc_wire_size(m, TPC_WIRE_AUTO), n);
}

/* d from the `width` little-endian bytes at p. */
static size_t read_le(const uint8_t *p, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; i++) v |= (uint64_t)p[i] << (8 * i);
  return (size_t)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  tpc_dtype dtype = (data[0] & 1) ? TPC_F64 : TPC_F32;
  size_t width = (data[0] & 2) ? 8 : 2;
  if (size < 1 + width) return 0;
  size_t d = read_le(data + 1, width);
  const uint8_t *b = data + 1 + width;
  size_t n = size - 1 - width;
  tpc_wire_decoded dm;
  tpc_error_clear();
  int rc = tpc_wire_decode(b, n, d, dtype, &dm);
  if (rc == TPC_OK) {
    check_decoded(&dm.msg, d, dtype, b, n);
    tpc_wire_decoded_free(&dm);
  } else if (rc != TPC_EINPUT && rc != TPC_ENOMEM) {
    fuzz_fail("decode returned %d: %s", rc, tpc_error_msg());
  } else if (!*tpc_error_msg() || dm.msg.nparts != 0 || dm.mem != NULL) {
    fuzz_fail("decode refused (%d) with message '%s', %zu parts left", rc, tpc_error_msg(),
              dm.msg.nparts);
  }
  return 0;
}
