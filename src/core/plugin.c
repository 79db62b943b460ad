/*
** Loading plugins (plugin.h).  The handle is never closed: the types a
** plugin registers live in its data segment and the registry keeps pointers
** to them until the process exits.
*/
#include "core/plugin.h"

#include <dlfcn.h>
#include <string.h>

#include "core/error.h"

int tpc_plugin_load(tpc_registry *r, const char *path) {
  /* dlopen searches the library path for a bare name: make "x.so" mean the
  ** file in the current directory, as a user typing it expects. */
  char local[4096];
  if (!strchr(path, '/') && strlen(path) + 3 < sizeof local) {
    strcpy(local, "./");
    strcat(local, path);
    path = local;
  }
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) return tpc_error(TPC_EINPUT, "plugin %s: %s", path, dlerror());
  tpc_plugin_init_fn init;
  /* POSIX allows converting dlsym's void* to a function pointer this way. */
  *(void **)(&init) = dlsym(h, "tpc_plugin_init");
  if (!init)
    return tpc_error(TPC_EINPUT, "plugin %s: no function tpc_plugin_init", path);
  int rc = init(r);
  if (rc) return tpc_error_prefix(TPC_EINPUT, "plugin %s: ", path);
  return TPC_OK;
}
