/*
** The Python plugin bridge in a tpc built without Python's headers
** (python3-dev): .py plugins are refused with a message that says how to get
** them.  The Makefile compiles this file instead of pyplugin.c.
*/
#include "registry/pyplugin.h"

#include <string.h>

#include "core/error.h"

static int refuse(void) {
  return tpc_error(TPC_EINPUT, "this tpc was built without Python's headers; .py plugins need "
                               "them: install python3-dev (make deps does), then rebuild tpc");
}

int tpc_pyplugin_probe(const char *path, void *buf, size_t size) {
  (void)path, (void)buf, (void)size;
  return refuse();
}

int tpc_pyplugin_register(tpc_registry *r, const char *path, const void *buf, size_t size) {
  (void)r, (void)path, (void)buf, (void)size;
  return refuse();
}
