/*
** A growable text buffer for the report writers (the page, gnuplot scripts,
** the baseline dump).  Like SQLite's StrAccum, an allocation failure is
** sticky: appends after it do nothing, and the owner checks `failed` once at
** the end instead of after every append.
*/
#ifndef TPC_REPORT_BUF_H
#define TPC_REPORT_BUF_H

#include <stddef.h>
#include <stdio.h>

typedef struct tpc_buf {
  char *s;       /* NUL-terminated text, NULL until the first append */
  size_t len;
  size_t cap;
  int failed;    /* an allocation failed: the text is incomplete */
} tpc_buf;

void tpc_buf_puts(tpc_buf *b, const char *text);
void tpc_buf_putn(tpc_buf *b, const char *text, size_t n);
void tpc_buf_printf(tpc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append text with <, >, &, ' and " escaped for HTML. */
void tpc_buf_html(tpc_buf *b, const char *text);
/* Append everything f has left to read; TPC_OK, or TPC_EIO when reading
** fails (TPC_ENOMEM is the sticky `failed` flag, checked by the caller). */
int tpc_buf_read(tpc_buf *b, FILE *f);
/* Replace the file at path with len bytes of text: written to path.tmp,
** then renamed, so a reader never sees half of it.  TPC_EIO with the path. */
int tpc_file_replace(const char *path, const char *text, size_t len);
/* The text, or "" when empty; valid until the next append. */
const char *tpc_buf_str(const tpc_buf *b);
void tpc_buf_reset(tpc_buf *b);
void tpc_buf_free(tpc_buf *b);

#endif
