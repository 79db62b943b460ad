/*
** The report document: one set of calls writes both the self-contained HTML
** page (report.html, plots inlined as SVG, no script, no network) and the
** Markdown summary (report.md, plots linked from plots/NAME.svg), so the two
** never disagree.  Sections append to memory; tpc_doc_write puts both files
** in place at the end (written to a temporary name, then renamed), so an
** interrupted report never leaves half a page.
*/
#ifndef TPC_REPORT_DOC_H
#define TPC_REPORT_DOC_H

#include "reports/buf.h"
#include "reports/plot.h"

#define TPC_DOC_MAXCOLS 24

typedef struct tpc_doc {
  char dir[1024];      /* output directory */
  tpc_buf html, md;    /* bodies */
  tpc_buf toc;         /* the page's table of contents */
  int ncols;           /* columns of the open table; 0 when none */
  char colkind[TPC_DOC_MAXCOLS]; /* per column: 'n' number, '<' text, '!' verdict */
  int figures;         /* figures written: numbers their SVG ids */
} tpc_doc;

/* Create dir and dir/plots (one level each).  TPC_EINPUT naming the path
** when one cannot be made or is not a directory. */
int tpc_doc_init(tpc_doc *d, const char *dir);
void tpc_doc_free(tpc_doc *d);

void tpc_doc_section(tpc_doc *d, const char *anchor, const char *title);
void tpc_doc_subsection(tpc_doc *d, const char *title);
void tpc_doc_text(tpc_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A paragraph saying that there is nothing to show, and why. */
void tpc_doc_empty(tpc_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A table: headers, rows of as many cells, end.  A header starting with '<'
** is left-aligned text (the '<' is not shown).  tone colours the row's
** verdict cells (class "v"): "pass", "fail", "warn", "info" or NULL. */
void tpc_doc_table(tpc_doc *d, int ncols, const char *const *headers);
void tpc_doc_row(tpc_doc *d, const char *const *cells, const char *tone);
void tpc_doc_table_end(tpc_doc *d);

/* Side-by-side figures between grid_begin and grid_end, in columns no
** narrower than a plot is drawn (TPC_PLOT_WIDTH): at most two to a row on
** the page (page.css: at most 1200 px wide). */
void tpc_doc_grid_begin(tpc_doc *d);
void tpc_doc_grid_end(tpc_doc *d);
/* Render p, write plots/name.svg, inline it in the page with a caption. */
int tpc_doc_figure(tpc_doc *d, tpc_plot *p, const char *name, const char *caption);

/* Write report.html and report.md with the title and a header line. */
int tpc_doc_write(tpc_doc *d, const char *title, const char *meta);

#endif
