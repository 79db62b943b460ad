/*
** Spec building (registry.h): the builders that turn a spec tree into bound
** instances, and the same walk without instantiation.
**
** Building is generic: look the name up, build the nested arguments the type
** asks for (compressors for 'C', a mechanism for 'M'), check that every
** parameter key is one the type knows, then hand over to the type's init for
** values and ranges (the instance lifecycles of comp/comp.h and mech/mech.h).
** So each type only validates what is its own, and the messages for unknown
** names, keys and argument counts are the same everywhere.  The same walk
** without instantiation (tpc_spec_check) serves `tpc list`-level validation
** where d is not known yet.
*/
#include "registry/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* ---- shape checks shared by the builders and tpc_spec_check ------------- */

int tpc_keys_have(const char *const *keys, const char *key) {
  for (size_t i = 0; keys && keys[i]; i++)
    if (strcmp(keys[i], key) == 0) return 1;
  return 0;
}

static int check_keys(const tpc_spec *s, const char *const *keys) {
  for (size_t i = 0; i < s->nparams; i++) {
    if (tpc_keys_have(keys, s->params[i].key)) {
      if (s->params[i].text)
        return tpc_spec_error(s, "'%s' expects a number for '%s', got '%s'", s->name,
                          s->params[i].key, s->params[i].text);
      continue;
    }
    if (!keys || !keys[0])
      return tpc_spec_error(s, "'%s' takes no parameters, got '%s'", s->name,
                        s->params[i].key);
    char list[256] = "";
    for (size_t k = 0; keys[k]; k++) {
      size_t len = strlen(list);
      snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", keys[k]);
    }
    return tpc_spec_error(s, "'%s' has no parameter '%s' (it takes: %s)", s->name,
                      s->params[i].key, list);
  }
  return TPC_OK;
}

/* The argument kind ('C' or 'M') expected at position i of a mechanism whose
** signature is `args`, or 0 when there is no position i. */
static char arg_kind(const char *args, size_t i) {
  size_t len = strlen(args);
  if (len && args[len - 1] == '+') {
    if (i < len - 2) return args[i];
    return args[len - 2];
  }
  return i < len ? args[i] : 0;
}

static size_t min_args(const char *args) {
  size_t len = strlen(args);
  return (len && args[len - 1] == '+') ? len - 1 : len;
}

static const char *arity_text(const char *args) {
  static const char *const names[] = {"no arguments", "one argument", "two arguments",
                                      "three arguments"};
  size_t len = strlen(args);
  if (len && args[len - 1] == '+') return "one or more compressors";
  return len < 4 ? names[len] : "several arguments";
}

static int check_arity(const tpc_spec *s, const char *args) {
  size_t len = strlen(args);
  int variadic = len && args[len - 1] == '+';
  if (s->nargs < min_args(args) || (!variadic && s->nargs > len))
    return tpc_spec_error(s, "'%s' takes %s, got %zu", s->name,
                     arity_text(args), s->nargs);
  return TPC_OK;
}

static int check_arg_kind(const tpc_registry *r, const tpc_spec *parent,
                          const tpc_spec *arg, char want) {
  tpc_kind got = tpc_registry_kind(r, arg->name);
  if (got == TPC_KIND_NONE)
    return tpc_spec_error(arg, "unknown compressor or mechanism '%s'", arg->name);
  if (want == 'C' && got != TPC_KIND_COMP)
    return tpc_spec_error(arg, "'%s' expects a compressor here, '%s' is a mechanism",
                      parent->name, arg->name);
  if (want == 'M' && got != TPC_KIND_MECH)
    return tpc_spec_error(arg, "'%s' expects a mechanism here, '%s' is a compressor",
                      parent->name, arg->name);
  return TPC_OK;
}

/* Argument signature of a compressor type: nsub (<= 2, checked on
** registration) compressors. */
static const char *comp_args(const tpc_comp_type *t) {
  static const char *const sig[] = {"", "C", "CC"};
  return sig[t->nsub];
}

static int check_shape(const tpc_registry *r, const tpc_spec *s, const char **args,
                       const char *const **keys) {
  const tpc_comp_type *ct = tpc_registry_comp(r, s->name);
  const tpc_mech_type *mt = ct ? NULL : tpc_registry_mech(r, s->name);
  if (!ct && !mt)
    return tpc_spec_error(s, "unknown compressor or mechanism '%s' (see `tpc list`)", s->name);
  *args = ct ? comp_args(ct) : mt->args;
  *keys = ct ? ct->keys : mt->keys;
  int rc = check_arity(s, *args);
  if (!rc) rc = check_keys(s, *keys);
  for (size_t i = 0; !rc && i < s->nargs; i++)
    rc = check_arg_kind(r, s, s->args[i], arg_kind(*args, i));
  return rc;
}

int tpc_spec_check(const tpc_registry *r, const tpc_spec *s) {
  const char *args;
  const char *const *keys;
  int rc = check_shape(r, s, &args, &keys);
  for (size_t i = 0; !rc && i < s->nargs; i++) rc = tpc_spec_check(r, s->args[i]);
  return rc;
}

/* ---- canonical text ----------------------------------------------------- */

/* Rebuild a tree with each node's parameters in its type's key order. */
static tpc_spec *canonical_tree(const tpc_registry *r, const tpc_spec *s) {
  tpc_spec *c = tpc_spec_copy(s);
  if (!c) return NULL;
  const char *args;
  const char *const *keys;
  if (check_shape(r, c, &args, &keys)) {
    tpc_spec_free(c);
    return NULL;
  }
  size_t out = 0;
  for (size_t k = 0; keys && keys[k]; k++)
    for (size_t i = out; i < c->nparams; i++)
      if (strcmp(c->params[i].key, keys[k]) == 0) {
        tpc_spec_param tmp = c->params[out];
        c->params[out++] = c->params[i];
        c->params[i] = tmp;
        break;
      }
  for (size_t i = 0; i < c->nargs; i++) {
    tpc_spec *sub = canonical_tree(r, c->args[i]);
    if (!sub) {
      tpc_spec_free(c);
      return NULL;
    }
    tpc_spec_free(c->args[i]);
    c->args[i] = sub;
  }
  return c;
}

int tpc_spec_canonical(const tpc_registry *r, const tpc_spec *s, char *buf, size_t size) {
  int rc = tpc_spec_check(r, s);
  if (rc) return rc;
  tpc_spec *c = canonical_tree(r, s);
  if (!c) return tpc_error(TPC_ENOMEM, "out of memory writing a canonical spec");
  tpc_spec_print(c, buf, size);
  tpc_spec_free(c);
  return TPC_OK;
}

/* ---- the spec -> instance builders --------------------------------------- */

/* What both builders check first: a dimension, a valid shape, and a name of
** the wanted kind.  The signature of the type goes to *args. */
static int check_build(const tpc_registry *r, const tpc_spec *s, size_t d,
                       tpc_kind want, const char **args) {
  const char *const *keys;
  if (d == 0) return tpc_error(TPC_EINPUT, "the dimension d must be at least 1");
  int rc = check_shape(r, s, args, &keys);
  if (rc) return rc;
  if (tpc_registry_kind(r, s->name) != want)
    return tpc_spec_error(s, "'%s' is a %s, a %s is needed here",
                     s->name, want == TPC_KIND_COMP ? "mechanism" : "compressor",
                     want == TPC_KIND_COMP ? "compressor" : "mechanism");
  return TPC_OK;
}

tpc_comp *tpc_comp_alloc(const tpc_registry *r, const tpc_spec *s, size_t d,
                         size_t n, int *status) {
  tpc_comp *c = NULL;
  const tpc_comp_type *t = tpc_registry_comp(r, s->name);
  const char *args;
  int rc = check_build(r, s, d, TPC_KIND_COMP, &args);
  if (rc) goto done;
  if (!(c = tpc_comp_instance_alloc(s, d, n, &rc))) goto done;
  for (size_t i = 0; i < s->nargs; i++)
    if (!(c->sub[i] = tpc_comp_alloc(r, s->args[i], d, n, &rc))) goto done;
  rc = tpc_comp_instance_init(c, t, s);
done:
  if (rc) {
    tpc_comp_free(c);
    c = NULL;
  }
  if (status) *status = rc;
  return c;
}

/* ---- mechanisms --------------------------------------------------------- */

/* Build the positional arguments of a mechanism spec into m. */
static int mech_build_args(const tpc_registry *r, tpc_mech *m, const tpc_spec *s,
                           const char *args) {
  int rc = TPC_OK;
  m->comp = calloc(s->nargs ? s->nargs : 1, sizeof *m->comp);
  if (!m->comp) return tpc_error(TPC_ENOMEM, "out of memory building '%s'", s->name);
  for (size_t i = 0; i < s->nargs; i++) {
    if (arg_kind(args, i) == 'M') {
      if (!(m->inner = tpc_mech_alloc(r, s->args[i], m->d, m->n, &rc))) return rc;
    } else {
      tpc_comp *c = tpc_comp_alloc(r, s->args[i], m->d, m->n, &rc);
      if (!c) return rc;
      m->comp[m->ncomp++] = c;
    }
  }
  return TPC_OK;
}

tpc_mech *tpc_mech_alloc(const tpc_registry *r, const tpc_spec *s, size_t d,
                         size_t n, int *status) {
  tpc_mech *m = NULL;
  const tpc_mech_type *t = tpc_registry_mech(r, s->name);
  const char *args;
  int rc = check_build(r, s, d, TPC_KIND_MECH, &args);
  if (rc) goto done;
  if (!(m = tpc_mech_instance_alloc(s, d, n, &rc))) goto done;
  if ((rc = mech_build_args(r, m, s, args))) goto done;
  rc = tpc_mech_instance_init(m, t, s);
done:
  if (rc) {
    tpc_mech_free(m);
    m = NULL;
  }
  if (status) *status = rc;
  return m;
}
