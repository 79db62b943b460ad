/*
** The compressor instance's lifecycle (comp.h): allocation bound to d and n,
** the type's workspace and init, the constants, and freeing.  Reading a spec
** tree into nested instances is the registry's builder (registry/build.c),
** which calls these in order.
*/
#include "comp/comp.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

tpc_comp *tpc_comp_instance_alloc(const tpc_spec *s, size_t d, size_t n, int *status) {
  tpc_comp *c = calloc(1, sizeof *c);
  if (!c) {
    *status = tpc_error(TPC_ENOMEM, "out of memory building '%s'", s->name);
    return NULL;
  }
  c->d = d;
  c->n = n;
  return c;
}

/* The type is set only once the workspace exists: a failed workspace
** allocation leaves no type, so tpc_comp_free does not call its destroy. */
int tpc_comp_instance_init(tpc_comp *c, const tpc_comp_type *t, const tpc_spec *s) {
  if (t->work_size && !(c->priv = tpc_calloc_aligned(1, t->work_size))) return TPC_ENOMEM;
  c->type = t;
  return t->init(c, s);
}

void tpc_comp_free(tpc_comp *c) {
  if (!c) return;
  if (c->type && c->type->destroy) c->type->destroy(c);
  for (size_t i = 0; i < 2; i++) tpc_comp_free(c->sub[i]);
  free(c->priv);
  free(c);
}

void tpc_comp_consts_get(const tpc_comp *c, tpc_comp_consts *out) {
  memset(out, 0, sizeof *out);
  c->type->consts(c, out);
}
