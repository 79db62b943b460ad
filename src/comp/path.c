/*
** The kernel path of a compressor (comp.h): which of its per-ISA kernels a
** call runs, so that a timing is only ever compared with a timing of the
** same code.
*/
#include <stdio.h>
#include <string.h>

#include "comp/comp.h"

void tpc_path_join(char *buf, size_t size, const char *part) {
  size_t len = strlen(buf), plen = strlen(part);
  for (const char *p = buf; *p;) {
    const char *end = strchr(p, '+');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n == plen && !strncmp(p, part, n)) return;
    p += n + (end != NULL);
  }
  if (len < size) snprintf(buf + len, size - len, "%s%s", len ? "+" : "", part);
}

const char *tpc_comp_path(const tpc_comp *c, tpc_dtype t, char *buf, size_t size) {
  if (!size) return buf;
  buf[0] = 0;
  if (c->type->path) {
    c->type->path(c, t, buf, size);
    return buf;
  }
  char part[64];
  for (size_t i = 0; i < c->type->nsub; i++)
    tpc_path_join(buf, size, tpc_comp_path(c->sub[i], t, part, sizeof part));
  if (!buf[0]) snprintf(buf, size, "portable");
  return buf;
}
