/*
** The mechanism instance's lifecycle (mech.h): allocation bound to d and n,
** the type's init, the constants, and freeing with the parts.  The
** registry's builder (registry/build.c) reads the spec tree and builds the
** parts between tpc_mech_instance_alloc and tpc_mech_instance_init.
*/
#include "mech/mech.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

tpc_mech *tpc_mech_instance_alloc(const tpc_spec *s, size_t d, size_t n, int *status) {
  tpc_mech *m = calloc(1, sizeof *m);
  if (!m) {
    *status = tpc_error(TPC_ENOMEM, "out of memory building '%s'", s->name);
    return NULL;
  }
  m->d = d;
  m->n = n;
  return m;
}

int tpc_mech_instance_init(tpc_mech *m, const tpc_mech_type *t, const tpc_spec *s) {
  m->type = t;
  return t->init(m, s);
}

void tpc_mech_free(tpc_mech *m) {
  if (!m) return;
  if (m->type && m->type->destroy) m->type->destroy(m);
  tpc_mech_free(m->inner);
  for (size_t i = 0; i < m->ncomp; i++) tpc_comp_free(m->comp[i]);
  free(m->comp);
  free(m);
}

void tpc_mech_consts_get(const tpc_mech *m, tpc_mech_consts *out) {
  memset(out, 0, sizeof *out);
  m->type->consts(m, out);
}
