/*
** The registry: every compressor and mechanism type by spec name, and the
** builders that turn a spec tree into instances (registry/build.c).  This
** floor sits above comp/ and mech/: it knows every type, they know none.
**
** tpc_registry_alloc() returns a registry holding the built-in types of
** THEORY.md T2 and T3; plugins add theirs with tpc_registry_add_comp/_mech
** (see registry/plugin.h).  Names are one namespace: a mechanism and a compressor
** cannot share a name.  The registry is read-only after set-up and may then be
** shared by threads.
*/
#ifndef TPC_REGISTRY_H
#define TPC_REGISTRY_H

#include <stddef.h>

#include "comp/comp.h"
#include "mech/mech.h"
#include "spec/spec.h"

typedef struct tpc_registry tpc_registry;

tpc_registry *tpc_registry_alloc(void);
void tpc_registry_free(tpc_registry *r);

/* Add a type; TPC_EINPUT when the name is taken or not a valid spec name.
** The type must outlive the registry (static storage, or a loaded plugin). */
int tpc_registry_add_comp(tpc_registry *r, const tpc_comp_type *t);
int tpc_registry_add_mech(tpc_registry *r, const tpc_mech_type *t);

const tpc_comp_type *tpc_registry_comp(const tpc_registry *r, const char *name);
const tpc_mech_type *tpc_registry_mech(const tpc_registry *r, const char *name);

/* How many types are registered, and dropping every type registered after
** such a count (a plugin whose init failed half-way). */
void tpc_registry_counts(const tpc_registry *r, size_t *ncomp, size_t *nmech);
void tpc_registry_truncate(tpc_registry *r, size_t ncomp, size_t nmech);

/* Iteration in registration order; NULL past the end. */
const tpc_comp_type *tpc_registry_comp_at(const tpc_registry *r, size_t i);
const tpc_mech_type *tpc_registry_mech_at(const tpc_registry *r, size_t i);

/* Whether a type's NULL-terminated parameter keys (NULL: none) include key. */
int tpc_keys_have(const char *const *keys, const char *key);

/* What a spec names. */
typedef enum { TPC_KIND_NONE = 0, TPC_KIND_COMP, TPC_KIND_MECH } tpc_kind;
tpc_kind tpc_registry_kind(const tpc_registry *r, const char *name);

/* Whether any name in the spec tree is a plugin's type (or unknown): its
** code is then not tpc's own, and the commands run it in a child process
** (bounds/sandbox.h). */
int tpc_registry_uses_plugin(const tpc_registry *r, const tpc_spec *s);

/* Check names, argument kinds and counts, and parameter keys of a whole spec
** tree without instantiating it (no d needed), then write its canonical form:
** parameters in each type's declared order.  TPC_EINPUT with a message that
** names the column for an unknown name, unknown key, or wrong arguments. */
int tpc_spec_check(const tpc_registry *r, const tpc_spec *s);
int tpc_spec_canonical(const tpc_registry *r, const tpc_spec *s, char *buf,
                       size_t size);

/* Build a compressor from a spec for dimension d and n clients.  Returns NULL
** with a message (tpc_error_msg) and *status = TPC_EINPUT for an unknown name,
** a wrong number of nested compressors, an unknown or missing parameter, or a
** value out of range; TPC_ENOMEM when allocation fails. */
tpc_comp *tpc_comp_alloc(const tpc_registry *reg, const tpc_spec *s, size_t d,
                         size_t n, int *status);

/* Build a mechanism from a spec for dimension d and n clients.  NULL with
** *status and a message on error, as tpc_comp_alloc. */
tpc_mech *tpc_mech_alloc(const tpc_registry *reg, const tpc_spec *s, size_t d,
                         size_t n, int *status);

#endif
