/* Build provenance, from the buildinfo.h the Makefile generates per build. */
#include "core/buildinfo.h"

#include "buildinfo_gen.h"

const char *tpc_build_version(void) { return TPC_VERSION; }
const char *tpc_build_commit(void) { return TPC_GIT_COMMIT; }
int tpc_build_dirty(void) { return TPC_GIT_DIRTY; }
const char *tpc_build_compiler(void) { return TPC_COMPILER; }
const char *tpc_build_cflags(void) { return TPC_CFLAGS; }
