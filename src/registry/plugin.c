/*
** Loading plugins (plugin.h).  The handle of a loaded plugin is never
** closed: the types it registers live in its data segment and the registry
** keeps pointers to them until the process exits.  A plugin whose init fails
** leaves nothing behind: the types it registered before failing are dropped
** and the file is closed.
**
** Symbols: the plugin is opened RTLD_NOW, so a plugin that calls a function
** the program does not export fails here with the name of the missing
** symbol, not later in a kernel; and RTLD_LOCAL, so two plugins cannot
** capture each other's helper functions.  The tpc functions a plugin calls
** resolve to the program's own copy, which it exports (-rdynamic).
*/
#include "registry/plugin.h"

#include <dlfcn.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/file.h"

/* dlerror's text usually starts with the path ("./x.so: cannot open shared
** object file: ..."); drop that prefix, the message names the file already. */
static const char *dl_reason(const char *path) {
  const char *e = dlerror();
  if (!e) return "unknown dlopen error";
  size_t n = strlen(path);
  if (strncmp(e, path, n) == 0 && e[n] == ':' && e[n + 1] == ' ') return e + n + 2;
  return e;
}

int tpc_plugin_load(tpc_registry *r, const char *path) {
  if (!path || !*path) return tpc_error(TPC_EINPUT, "plugin: empty file name");
  /* dlopen searches the library path for a bare name: make "x.so" mean the
  ** file in the current directory, as a user typing it expects. */
  char local[4096];
  if (!strchr(path, '/') && strlen(path) + 3 <= sizeof local) {
    strcpy(local, "./");
    strcat(local, path);
    path = local;
  }
  /* dlopen opens the file itself, and a FIFO would block it: look first.
  ** (The file may change before dlopen; a plugin is code the user runs.) */
  int fd;
  int rc = tpc_file_open_regular(path, &fd);
  if (rc) return tpc_error_prefix(rc, "plugin: ");
  close(fd);
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) return tpc_error(TPC_EINPUT, "plugin %s: %s", path, dl_reason(path));
  tpc_plugin_init_fn init;
  dlerror();
  /* POSIX allows converting dlsym's void* to a function pointer this way. */
  *(void **)(&init) = dlsym(h, "tpc_plugin_init");
  if (!init) {
    dlclose(h); /* nothing of it is referenced yet */
    return tpc_error(TPC_EINPUT,
                     "plugin %s: no function tpc_plugin_init (is it a tpc plugin? "
                     "it must export int tpc_plugin_init(tpc_registry *))",
                     path);
  }
  size_t ncomp, nmech;
  tpc_registry_counts(r, &ncomp, &nmech);
  tpc_error_clear();
  rc = init(r);
  if (rc == TPC_OK) return TPC_OK;
  tpc_registry_truncate(r, ncomp, nmech);
  dlclose(h);
  /* Keep the plugin's own message; supply one if it left none.  Out of
  ** memory stays what it is; every other failure is the plugin's input. */
  if (!*tpc_error_msg()) tpc_error(rc, "tpc_plugin_init failed with status %d", rc);
  return tpc_error_prefix(rc == TPC_ENOMEM ? TPC_ENOMEM : TPC_EINPUT, "plugin %s: ", path);
}
