/*
** The kernel path of a mechanism (mech.h): the paths of the compressors it
** is built from.  The mechanisms' own arithmetic has one portable path.
*/
#include <stdio.h>

#include "mech/mech.h"

/* Join the paths of m's compressors, and of its inner mechanism's, to buf. */
static void mech_parts(const tpc_mech *m, tpc_dtype t, char *buf, size_t size) {
  char part[128];
  if (m->inner) mech_parts(m->inner, t, buf, size);
  for (size_t i = 0; i < m->ncomp; i++)
    tpc_path_join(buf, size, tpc_comp_path(m->comp[i], t, part, sizeof part));
}

const char *tpc_mech_path(const tpc_mech *m, tpc_dtype t, char *buf, size_t size) {
  if (!size) return buf;
  buf[0] = 0;
  mech_parts(m, t, buf, size);
  if (!buf[0]) snprintf(buf, size, "portable");
  return buf;
}
