/*
** Plugins: shared objects that register new compressors and mechanisms.
**
** A plugin exports
**
**     int tpc_plugin_init(tpc_registry *r);
**
** which calls tpc_registry_add_comp / tpc_registry_add_mech with types of
** static storage (their declared constants included) and returns TPC_OK.
** Build it with `cc -shared -fPIC $(pkg-config --cflags tpc)`; it resolves
** tpc's symbols from the program that loads it.  Loading runs the plugin's
** code in the caller's process; the tpc command therefore loads each plugin
** once in a child process first (cli/common.c), and `tpc bounds` and `tpc
** rate` call its types' init, consts and kernels only in child processes
** (bounds/sandbox.h), so a crash or hang in one cannot corrupt the database.
*/
#ifndef TPC_PLUGIN_H
#define TPC_PLUGIN_H

#include "registry/registry.h"

typedef int (*tpc_plugin_init_fn)(tpc_registry *r);

/* dlopen `path`, find tpc_plugin_init and call it on r.  TPC_EINPUT with a
** message naming the file when it cannot be opened, lacks the symbol, or its
** init fails (its own message is kept).  The library stays loaded for the
** life of the process: the registered types point into it. */
int tpc_plugin_load(tpc_registry *r, const char *path);

#endif
