/*
** A growable text buffer for the report writers (the page, gnuplot scripts,
** the baseline dump).  Like SQLite's StrAccum, an allocation failure is
** sticky: appends after it do nothing, and the owner checks `failed` once at
** the end instead of after every append.
*/
#ifndef TPC_REPORT_BUF_H
#define TPC_REPORT_BUF_H

#include <stddef.h>

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
/* The text, or "" when empty; valid until the next append. */
const char *tpc_buf_str(const tpc_buf *b);
void tpc_buf_reset(tpc_buf *b);
void tpc_buf_free(tpc_buf *b);

#endif
