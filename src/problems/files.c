/*
** Data files for the problem types: finding a data set by a short name,
** opening it, and reading text lines from plain or gzip files.
**
** The data sets the project ships (datasets/README.md) are found by short
** name (`logreg(file=a9a)`) in three places, in this order: the source
** tree's copy (datasets/ of the checkout the library was built from, a path
** the Makefile writes into gen/datadir_gen.h), the installed copy
** (share/tpc/datasets beside the bin/ of the running program, so an installed
** tree can move), and the directory named by $TPC_DATA, for a user's own.
**
** The line reader sits on zlib's gzread, which passes plain files through
** unchanged, so `a9a.txt.gz` and `a9a.txt` read alike.  It reads in blocks and
** splits lines itself (rather than gzgets) so that a NUL byte or a corrupt or
** truncated gzip stream is reported with the number of the line where it
** happened, and lines of any length work.  Files are opened through
** core/file.h, which refuses what is not a regular file (a FIFO would block
** the open), and handed to zlib as a descriptor, so the file checked is the
** file read.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/file.h"
#include "datadir_gen.h"
#include "problems/internal.h"

/* Small reads: zlib drops the output of a read that hits corrupt data, so
** the line number of such an error is exact to within one block. */
#define LINES_BLOCK 4096

static char *path_join(const char *dir, const char *name, const char *suffix) {
  size_t len = strlen(dir) + strlen(name) + strlen(suffix) + 2;
  char *p = malloc(len);
  if (p) snprintf(p, len, "%s%s%s%s", dir, *dir ? "/" : "", name, suffix);
  return p;
}

int tpc_problem_find_file(const char *name, const char *const *dirs,
                          const char *const *suffixes, char **out) {
  *out = NULL;
  if (access(name, F_OK) == 0 || strchr(name, '/')) {
    *out = strdup(name);
    if (!*out) return tpc_error(TPC_ENOMEM, "out of memory");
    if (access(name, F_OK) != 0)
      return tpc_error(TPC_EINPUT, "cannot open '%s': %s", name, strerror(errno));
    return TPC_OK;
  }
  char tried[1024] = "";
  for (size_t i = 0; dirs[i]; i++) {
    size_t len = strlen(tried);
    snprintf(tried + len, sizeof tried - len, "%s%s/", i ? ", " : "", dirs[i]);
    for (size_t k = 0; suffixes[k]; k++) {
      char *p = path_join(dirs[i], name, suffixes[k]);
      if (!p) return tpc_error(TPC_ENOMEM, "out of memory");
      if (access(p, F_OK) == 0) {
        *out = p;
        return TPC_OK;
      }
      free(p);
    }
  }
  return tpc_error(TPC_EINPUT, "file '%s' not found (also looked in %s)", name, tried);
}

/* The installed copy: share/tpc/datasets in the prefix whose bin/ holds the
** running program (/usr/local/bin/tpc: /usr/local/share/tpc/datasets).  NULL
** when /proc/self/exe cannot be read. */
static char *installed_dir(void) {
  char exe[4096];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) return NULL;
  exe[len] = 0;
  for (int up = 0; up < 2; up++) {  /* drop the program's name, then bin/ */
    char *slash = strrchr(exe, '/');
    if (!slash) return NULL;
    *slash = 0;
  }
  return path_join(exe, "share/tpc/datasets", "");
}

int tpc_problem_data_dirs(char *dirs[TPC_DATA_DIRS + 1]) {
  size_t n = 0;
  const char *env = getenv("TPC_DATA");
  memset(dirs, 0, (TPC_DATA_DIRS + 1) * sizeof *dirs);
  if (!(dirs[n++] = strdup(TPC_SOURCE_DATADIR))) goto nomem;
  if ((dirs[n] = installed_dir())) n++;
  if (env && *env && !(dirs[n++] = strdup(env))) goto nomem;
  return TPC_OK;
nomem:
  tpc_problem_data_dirs_free(dirs);
  return tpc_error(TPC_ENOMEM, "out of memory");
}

void tpc_problem_data_dirs_free(char *dirs[TPC_DATA_DIRS + 1]) {
  for (size_t i = 0; i < TPC_DATA_DIRS; i++) {
    free(dirs[i]);
    dirs[i] = NULL;
  }
}

int tpc_problem_find_dataset(const char *name, const char *const *suffixes, char **out) {
  char *dirs[TPC_DATA_DIRS + 1];
  int rc = tpc_problem_data_dirs(dirs);
  if (!rc) rc = tpc_problem_find_file(name, (const char *const *)dirs, suffixes, out);
  tpc_problem_data_dirs_free(dirs);
  return rc;
}

/* The reader keeps its block buffer after the line buffer's header: r->buf
** holds the current line; blk, blen, bpos the unread part of the last block. */
typedef struct lines_state {
  char blk[LINES_BLOCK];
  int blen, bpos;
  int eof;
} lines_state;

int tpc_problem_gzopen(const char *path, gzFile *out) {
  int fd;
  *out = NULL;
  int rc = tpc_file_open_regular(path, &fd);
  if (rc) return rc;
  *out = gzdopen(fd, "rb");
  if (!*out) {
    close(fd);
    return tpc_error(TPC_ENOMEM, "out of memory opening '%s'", path);
  }
  return TPC_OK;
}

int tpc_lines_open(tpc_lines *r, const char *path) {
  memset(r, 0, sizeof *r);
  r->path = path;
  int rc = tpc_problem_gzopen(path, &r->f);
  if (rc) return rc;
  r->cap = 256;
  r->buf = malloc(r->cap);
  lines_state *st = calloc(1, sizeof *st);
  if (!r->buf || !st) {
    free(st);
    return tpc_error(TPC_ENOMEM, "out of memory reading '%s'", path);
  }
  r->state = st;
  gzbuffer(r->f, 1024);   /* zlib decodes ahead by twice this */
  return TPC_OK;
}

/* Refill the block; 0 at end of file, 1 with data, or a negated status. */
static int lines_fill(tpc_lines *r, lines_state *st) {
  if (st->eof) return 0;
  st->blen = gzread(r->f, st->blk, LINES_BLOCK);
  st->bpos = 0;
  int err = Z_OK;
  const char *msg = gzerror(r->f, &err);
  if (st->blen < 0 || (err != Z_OK && err != Z_STREAM_END))
    return -tpc_error(TPC_EINPUT, "'%s' line %zu: the file is unreadable or corrupt (%s)",
                     r->path, r->lineno + 1,
                     err == Z_ERRNO ? strerror(errno) : msg);
  if (st->blen == 0) st->eof = 1;
  return st->blen > 0;
}

int tpc_lines_next(tpc_lines *r) {
  lines_state *st = r->state;
  size_t len = 0;
  int any = 0;
  for (;;) {
    if (st->bpos >= st->blen) {
      int rc = lines_fill(r, st);
      if (rc < 0) return rc;
      if (rc == 0) break;
    }
    char c = st->blk[st->bpos++];
    any = 1;
    if (c == '\n') break;
    if (c == '\0')
      return -tpc_error(TPC_EINPUT, "'%s' line %zu: NUL byte (not a text file?)", r->path,
                        r->lineno + 1);
    if (len + 2 > r->cap) {
      char *nb = realloc(r->buf, 2 * r->cap);
      if (!nb) return -tpc_error(TPC_ENOMEM, "out of memory reading '%s'", r->path);
      r->buf = nb;
      r->cap *= 2;
    }
    r->buf[len++] = c;
  }
  if (!any) return 0;
  if (len > 0 && r->buf[len - 1] == '\r') len--;
  r->buf[len] = '\0';
  r->lineno++;
  return 1;
}

void tpc_lines_close(tpc_lines *r) {
  if (r->f) gzclose(r->f);
  free(r->buf);
  free(r->state);
  memset(r, 0, sizeof *r);
}
