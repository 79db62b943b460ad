/*
** Growable text buffer, and whole-file reads and writes through it (buf.h).
*/
#include "reports/buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static int reserve(tpc_buf *b, size_t extra) {
  if (b->failed) return 0;
  if (b->len + extra + 1 <= b->cap) return 1;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *s = realloc(b->s, cap);
  if (!s) {
    b->failed = 1;
    return 0;
  }
  b->s = s;
  b->cap = cap;
  return 1;
}

void tpc_buf_putn(tpc_buf *b, const char *text, size_t n) {
  if (!reserve(b, n)) return;
  memcpy(b->s + b->len, text, n);
  b->len += n;
  b->s[b->len] = 0;
}

void tpc_buf_puts(tpc_buf *b, const char *text) { tpc_buf_putn(b, text, strlen(text)); }

void tpc_buf_printf(tpc_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || !reserve(b, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void tpc_buf_html(tpc_buf *b, const char *text) {
  for (const char *p = text; *p; p++) {
    switch (*p) {
    case '<': tpc_buf_puts(b, "&lt;"); break;
    case '>': tpc_buf_puts(b, "&gt;"); break;
    case '&': tpc_buf_puts(b, "&amp;"); break;
    case '"': tpc_buf_puts(b, "&quot;"); break;
    case '\'': tpc_buf_puts(b, "&#39;"); break;
    default: tpc_buf_putn(b, p, 1);
    }
  }
}

const char *tpc_buf_str(const tpc_buf *b) { return b->s ? b->s : ""; }

void tpc_buf_reset(tpc_buf *b) {
  b->len = 0;
  if (b->s) b->s[0] = 0;
}

void tpc_buf_free(tpc_buf *b) {
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
  b->failed = 0;
}

int tpc_buf_read(tpc_buf *b, FILE *f) {
  char chunk[8192];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) tpc_buf_putn(b, chunk, n);
  return ferror(f) ? tpc_error(TPC_EIO, "read failed: %s", strerror(errno)) : TPC_OK;
}

int tpc_file_replace(const char *path, const char *text, size_t len) {
  char tmp[4200];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
    return tpc_error(TPC_EIO, "path too long: %s", path);
  FILE *f = fopen(tmp, "w");
  if (!f) return tpc_error(TPC_EIO, "cannot write %s: %s", tmp, strerror(errno));
  int bad = fwrite(text, 1, len, f) != len;
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path) != 0) {
    remove(tmp);
    return tpc_error(TPC_EIO, "cannot write %s", path);
  }
  return TPC_OK;
}
