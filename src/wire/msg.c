/*
** Message assembly and the server's side of a message: applying its parts to
** the server's copy of the client state (see msg.h for the contract).  The
** apply kernels are the single definition of "what the server adds"; the
** mechanisms call them too, which is what makes client and server agree bit
** for bit.
*/
#include "wire/msg.h"

#include <string.h>

tpc_msg_part *tpc_msg_add(tpc_msg *m, tpc_msg_kind kind, tpc_dtype dtype,
                          size_t d) {
  if (m->nparts >= TPC_MSG_MAXPARTS) return NULL;
  tpc_msg_part *p = &m->part[m->nparts++];
  memset(p, 0, sizeof *p);
  p->kind = kind;
  p->dtype = dtype;
  p->d = d;
  p->coef = 1.0;
  return p;
}

int tpc_msg_fits(const tpc_msg *m, size_t d, tpc_dtype dtype) {
  for (size_t i = 0; i < m->nparts; i++)
    if (m->part[i].d != d || m->part[i].dtype != dtype) return 0;
  return 1;
}

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "wire/msg_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "wire/msg_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64
