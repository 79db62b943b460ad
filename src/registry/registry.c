/*
** The registry of compressor and mechanism types (registry.h): the table of
** names, its checks on what a type must declare, and the question whether a
** spec tree runs a plugin's code.  Turning specs into instances is
** registry/build.c.
*/
#include "registry/registry.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define REGISTRY_MAX 256

struct tpc_registry {
  size_t ncomp, nmech;
  const tpc_comp_type *comp[REGISTRY_MAX];
  const tpc_mech_type *mech[REGISTRY_MAX];
};

/* ---- the table ---------------------------------------------------------- */

static int valid_name(const char *name) {
  if (!name || !*name || *name == '_') return 0;
  for (const char *c = name; *c; c++)
    if (!(*c == '_' || (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
          (*c >= 'A' && *c <= 'Z')))
      return 0;
  return 1;
}

static int check_new_name(const tpc_registry *r, const char *name) {
  if (!valid_name(name))
    return tpc_error(TPC_EINPUT, "'%s' is not a valid spec name", name ? name : "");
  if (tpc_registry_kind(r, name) != TPC_KIND_NONE)
    return tpc_error(TPC_EINPUT, "the spec name '%s' is already registered", name);
  return TPC_OK;
}

/* The descriptive strings every type must have (`tpc list` prints them). */
static int check_texts(const char *name, const char *synopsis, const char *summary,
                       const char *declared, const char *theory) {
  if (!synopsis || !summary || !declared || !theory)
    return tpc_error(TPC_EINPUT, "type '%s' lacks its synopsis, summary, declared "
                     "constants or theory item", name);
  return TPC_OK;
}

/* A mechanism's argument signature: C and M letters, at most one M, and an
** optional '+' after a final C. */
static int valid_args(const char *args) {
  size_t len = args ? strlen(args) : 0, nm = 0;
  if (!args) return 0;
  for (size_t i = 0; i < len; i++) {
    if (args[i] == 'M') nm++;
    else if (args[i] == '+') {
      if (i != len - 1 || i == 0 || args[i - 1] != 'C') return 0;
    } else if (args[i] != 'C') return 0;
  }
  return nm <= 1;
}

int tpc_registry_add_comp(tpc_registry *r, const tpc_comp_type *t) {
  int rc = check_new_name(r, t->name);
  if (rc) return rc;
  if ((rc = check_texts(t->name, t->synopsis, t->summary, t->declared, t->theory))) return rc;
  if (!t->init || !t->consts || !t->compress_f32 || !t->compress_f64)
    return tpc_error(TPC_EINPUT, "compressor '%s' lacks init, consts or a compress kernel",
                     t->name);
  if (t->nsub > 2)
    return tpc_error(TPC_EINPUT, "compressor '%s' nests %u compressors (at most 2)", t->name,
                     t->nsub);
  if (r->ncomp == REGISTRY_MAX)
    return tpc_error(TPC_EINPUT, "too many compressor types (at most %d)", REGISTRY_MAX);
  r->comp[r->ncomp++] = t;
  return TPC_OK;
}

int tpc_registry_add_mech(tpc_registry *r, const tpc_mech_type *t) {
  int rc = check_new_name(r, t->name);
  if (rc) return rc;
  if ((rc = check_texts(t->name, t->synopsis, t->summary, t->declared, t->theory))) return rc;
  if (!t->init || !t->consts || !t->apply_f32 || !t->apply_f64)
    return tpc_error(TPC_EINPUT, "mechanism '%s' lacks init, consts or an apply kernel",
                     t->name);
  if (!valid_args(t->args))
    return tpc_error(TPC_EINPUT, "mechanism '%s' has the argument signature '%s' (letters "
                     "C and M, at most one M, an optional final C+)",
                     t->name, t->args ? t->args : "(null)");
  if (r->nmech == REGISTRY_MAX)
    return tpc_error(TPC_EINPUT, "too many mechanism types (at most %d)", REGISTRY_MAX);
  r->mech[r->nmech++] = t;
  return TPC_OK;
}

tpc_registry *tpc_registry_alloc(void) {
  tpc_registry *r = calloc(1, sizeof *r);
  if (!r) {
    tpc_error(TPC_ENOMEM, "out of memory allocating the registry");
    return NULL;
  }
  for (size_t i = 0; tpc_builtin_comps[i]; i++)
    if (tpc_registry_add_comp(r, tpc_builtin_comps[i])) goto fail;
  for (size_t i = 0; tpc_builtin_mechs[i]; i++)
    if (tpc_registry_add_mech(r, tpc_builtin_mechs[i])) goto fail;
  return r;
fail:
  free(r);
  return NULL;
}

void tpc_registry_free(tpc_registry *r) { free(r); }

const tpc_comp_type *tpc_registry_comp(const tpc_registry *r, const char *name) {
  for (size_t i = 0; i < r->ncomp; i++)
    if (strcmp(r->comp[i]->name, name) == 0) return r->comp[i];
  return NULL;
}

const tpc_mech_type *tpc_registry_mech(const tpc_registry *r, const char *name) {
  for (size_t i = 0; i < r->nmech; i++)
    if (strcmp(r->mech[i]->name, name) == 0) return r->mech[i];
  return NULL;
}

void tpc_registry_counts(const tpc_registry *r, size_t *ncomp, size_t *nmech) {
  *ncomp = r->ncomp;
  *nmech = r->nmech;
}

void tpc_registry_truncate(tpc_registry *r, size_t ncomp, size_t nmech) {
  if (ncomp < r->ncomp) r->ncomp = ncomp;
  if (nmech < r->nmech) r->nmech = nmech;
}

const tpc_comp_type *tpc_registry_comp_at(const tpc_registry *r, size_t i) {
  return i < r->ncomp ? r->comp[i] : NULL;
}

const tpc_mech_type *tpc_registry_mech_at(const tpc_registry *r, size_t i) {
  return i < r->nmech ? r->mech[i] : NULL;
}

tpc_kind tpc_registry_kind(const tpc_registry *r, const char *name) {
  if (tpc_registry_comp(r, name)) return TPC_KIND_COMP;
  if (tpc_registry_mech(r, name)) return TPC_KIND_MECH;
  return TPC_KIND_NONE;
}

/* A built-in type is an entry of the static tables; anything else a name
** resolves to was registered by a plugin. */
static int builtin_name(const tpc_registry *r, const char *name) {
  const tpc_comp_type *ct = tpc_registry_comp(r, name);
  for (size_t i = 0; ct && tpc_builtin_comps[i]; i++)
    if (tpc_builtin_comps[i] == ct) return 1;
  const tpc_mech_type *mt = tpc_registry_mech(r, name);
  for (size_t i = 0; mt && tpc_builtin_mechs[i]; i++)
    if (tpc_builtin_mechs[i] == mt) return 1;
  return 0;
}

int tpc_registry_uses_plugin(const tpc_registry *r, const tpc_spec *s) {
  if (!builtin_name(r, s->name)) return 1;
  for (size_t i = 0; i < s->nargs; i++)
    if (tpc_registry_uses_plugin(r, s->args[i])) return 1;
  return 0;
}
