/*
** The wire format: messages (msg.h) to bytes and back (THEORY.md T7).
**
** Encoding is exact: decode(encode(m)) reproduces every part's kind, flags,
** coefficient and values bit for bit, so the server adds exactly what the
** client computed.  The bit count a message reports is the length of its
** encoding; the papers' values-only count (32 or 64 bits per transmitted
** value, no indices, nothing for a skip) is a second figure.
**
** The receiver's d and dtype are context, not payload: a message updates one
** vector, which the receiver holds, so decode takes them as arguments.  "Nothing
** sent this round" (one SKIP part with absolute = 0, LAG's and CLAG's skip)
** costs exactly 1 bit.
**
** Layout (all integers little-endian, fields bit-packed LSB first):
**   see wire.c's header comment for the exact table.
*/
#ifndef TPC_WIRE_H
#define TPC_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "wire/msg.h"

/* The largest receiver's d the format carries, 2^48 coordinates: every bit
** count of a message (at most 8 parts of at most 2 x 64 bits a coordinate)
** then fits 64 bits.  Encode and decode refuse a larger d. */
#define TPC_WIRE_MAX_D ((size_t)1 << 48)

/* How a SPARSE part is laid out: AUTO picks the shorter of an index list
** (ceil(log2 d) bits per index) and a d-bit bitmap. */
typedef enum { TPC_WIRE_AUTO = 0, TPC_WIRE_INDEX, TPC_WIRE_BITMAP } tpc_wire_sparse;

/* Exact number of bits encode will write for m (for a message it accepts):
** 1 for "nothing sent" (one SKIP part with absolute = 0), else 4 plus the
** parts.  The receiver's d and dtype are not on the wire. */
uint64_t tpc_wire_bits(const tpc_msg *m, tpc_wire_sparse layout);

/* The papers' values-only count (T7): DENSE d and SPARSE nnz values of 32 or
** 64 bits, nothing for SKIP, no index or bitmap bits; for SIGN, QUANT and POW2
** the bits that carry the values (the scale, then 1, ceil(log2(2s+1)) or the
** sign-and-exponent bits per coordinate). */
uint64_t tpc_wire_paper_bits(const tpc_msg *m);

/* Bytes needed by encode: ceil(tpc_wire_bits / 8). */
size_t tpc_wire_size(const tpc_msg *m, tpc_wire_sparse layout);

/* Encode m into buf (size bytes).  Returns TPC_OK and the bytes written in
** *len, or TPC_EINPUT when buf is too small, m has no parts or parts that
** disagree on d or dtype (a message updates one vector), d is beyond
** TPC_WIRE_MAX_D, or a part is malformed (indices not increasing or >= d, a
** QUANT level out of range, a POW2 value that is not 0 or +-2^e, a
** non-finite value). */
int tpc_wire_encode(const tpc_msg *m, tpc_wire_sparse layout, uint8_t *buf,
                    size_t size, size_t *len);

/* A decoded message owns its buffers. */
typedef struct tpc_wire_decoded {
  tpc_msg msg;
  void *mem;
} tpc_wire_decoded;

/* Decode len bytes, a message for a vector of length d and element type
** dtype (the receiver's: they are not on the wire), into out.  Every decoded
** part has that d and dtype, so the message can be applied to the vector
** whatever the bytes were.  A buffer encoded for another d or dtype is
** refused when the lengths or ranges tell (wire.c's "Context" says when they
** cannot).  TPC_EINPUT with a message naming the problem for a truncated or
** corrupt buffer (never reads past len), an unknown dtype or a d beyond
** TPC_WIRE_MAX_D.  Free with tpc_wire_decoded_free. */
int tpc_wire_decode(const uint8_t *buf, size_t len, size_t d, tpc_dtype dtype,
                    tpc_wire_decoded *out);

void tpc_wire_decoded_free(tpc_wire_decoded *dm);

#endif
