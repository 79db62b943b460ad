/*
** Messages: what a client sends, as a compressor or mechanism produced it.
**
** A message is a short list of parts.  The server reconstructs the client's
** new state from its copy h of the old one by applying the parts in order:
**
**     v = h
**     for each part:  v = part.absolute ? decode(part) : v + coef * decode(part)
**
** Every compressor and mechanism computes its own output with exactly these
** operations on exactly these values, so decoding returns bit for bit what
** the client holds.  A single compressor fills one part; EF21 sends the one
** part of C(x - h); 3PCv2 sends two (Q(x - y), then C(x - b)); LAG sends a
** dense absolute part or a skip.
**
** Parts point into buffers owned by the object that produced them (its
** workspace) and stay valid until that object's next call.  The wire layer
** (wire.h) turns a message into bytes and back.
**
** Part kinds and the value they decode to (coordinate i, 0 <= i < d):
**
**   SKIP    nothing is sent; decodes to the zero vector (and with absolute=0,
**           v is unchanged).
**   DENSE   val[0..d) in the element type.
**   SPARSE  nnz pairs (idx[j], val[j]), idx strictly increasing; other
**           coordinates 0.  On the wire as an index list or a bitmap,
**           whichever is shorter (both can be forced for testing).
**   SIGN    scale * s_i with s_i = +1 or -1 (bit i of `bits`, 1 meaning -1).
**   QUANT   scale * level[i], level[i] an integer in [-levels, levels].
**   POW2    val[i] is 0 or +-2^e; sent as a sign bit and an exponent code.
**
** `scale` and `val` are in the element type of the message (dtype): a float32
** kernel sends 32-bit values, a float64 kernel 64-bit values (T7).
*/
#ifndef TPC_MSG_H
#define TPC_MSG_H

#include <stddef.h>
#include <stdint.h>

typedef enum { TPC_F32 = 0, TPC_F64 = 1 } tpc_dtype;

typedef enum {
  TPC_MSG_SKIP = 0,
  TPC_MSG_DENSE,
  TPC_MSG_SPARSE,
  TPC_MSG_SIGN,
  TPC_MSG_QUANT,
  TPC_MSG_POW2
} tpc_msg_kind;

#define TPC_MSG_MAXPARTS 8

typedef struct tpc_msg_part {
  tpc_msg_kind kind;
  int absolute;       /* 1: the server replaces v; 0: it adds coef * decode */
  double coef;        /* 1 except for DIANA's beta; applied as v + coef*q in the
                         element type, and skipped (v + q) when coef == 1 */
  tpc_dtype dtype;
  size_t d;
  size_t nnz;         /* SPARSE: number of pairs */
  uint32_t *idx;      /* SPARSE: strictly increasing indices */
  void *val;          /* DENSE (d), SPARSE (nnz), POW2 (d): float or double */
  double scale;       /* SIGN, QUANT: converted to dtype before use */
  uint64_t *bits;     /* SIGN: d sign bits, bit i of word i/64 */
  int32_t *level;     /* QUANT: d levels */
  uint32_t levels;    /* QUANT: s, so level[i] is in [-s, s] */
} tpc_msg_part;

typedef struct tpc_msg {
  size_t nparts;
  tpc_msg_part part[TPC_MSG_MAXPARTS];
} tpc_msg;

/* Start an empty message. */
static inline void tpc_msg_reset(tpc_msg *m) { m->nparts = 0; }

/* Append a part and return it with kind, dtype and d set, coef 1, absolute 0
** and all pointers NULL; NULL when the message already has TPC_MSG_MAXPARTS
** parts (mechanism construction refuses nestings that could get there, so
** kernels may treat NULL as impossible). */
tpc_msg_part *tpc_msg_add(tpc_msg *m, tpc_msg_kind kind, tpc_dtype dtype, size_t d);

/* Whether every part of m has dimension d and element type dtype. */
int tpc_msg_fits(const tpc_msg *m, size_t d, tpc_dtype dtype);

/* The server's side: apply the message to v (length d, element type of the
** message) in place, as described above. */
void tpc_msg_apply_f32(const tpc_msg *m, float *v);
void tpc_msg_apply_f64(const tpc_msg *m, double *v);

#endif
