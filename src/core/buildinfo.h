/*
** What this binary was built from: version, git commit and dirty flag,
** compiler and flags.  Recorded in every runs row and printed by --version.
*/
#ifndef TPC_BUILDINFO_H
#define TPC_BUILDINFO_H

const char *tpc_build_version(void);
const char *tpc_build_commit(void);
int tpc_build_dirty(void);
const char *tpc_build_compiler(void);
const char *tpc_build_cflags(void);

#endif
