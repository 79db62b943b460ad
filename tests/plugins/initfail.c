/*
** Test plugin whose tpc_plugin_init fails: tpc must exit 2 with a message
** that names the file and keeps the plugin's own reason.
*/
#include <tpc.h>

int tpc_plugin_init(tpc_registry *r);
int tpc_plugin_init(tpc_registry *r) {
  (void)r;
  return tpc_error(TPC_EINPUT, "initfail refuses to load (test plugin)");
}
