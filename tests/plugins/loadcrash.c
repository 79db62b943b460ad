/*
** Test plugin whose tpc_plugin_init dereferences NULL: tpc loads a plugin
** once in a child process first (cli/common.c), so it must exit 4 with a
** message naming the file and the signal, not die of the signal itself.
*/
#include <stddef.h>

#include <tpc.h>

int tpc_plugin_init(tpc_registry *r);
int tpc_plugin_init(tpc_registry *r) {
  (void)r;
  volatile int *volatile p = NULL; /* both volatile: a real fault (see crash.c) */
  *p = 1;
  return TPC_OK;
}
