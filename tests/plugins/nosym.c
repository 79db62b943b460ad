/*
** Test plugin without tpc_plugin_init (a misspelled entry point): tpc must
** exit 2 with a message that names the file and the missing function.
*/
#include <tpc.h>

int tpc_plugin_initialize(tpc_registry *r);
int tpc_plugin_initialize(tpc_registry *r) {
  (void)r;
  return TPC_OK;
}
