/*
** The report document (doc.h): HTML and Markdown from one set of calls.
*/
#include "reports/doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"

extern const char tpc_report_css[]; /* reports/page.css, embedded by the Makefile */

#define MAXCOLS TPC_DOC_MAXCOLS


/* The output directory is the user's (--out): one that cannot be made, or a
** file in its place, is bad input. */
static int make_dir(const char *path) {
  struct stat sb;
  if (mkdir(path, 0777) != 0 && errno != EEXIST)
    return tpc_error(TPC_EINPUT, "--out: cannot create directory %s: %s", path, strerror(errno));
  if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
    return tpc_error(TPC_EINPUT, "--out: %s is not a directory", path);
  return TPC_OK;
}

int tpc_doc_init(tpc_doc *d, const char *dir) {
  memset(d, 0, sizeof *d);
  if (strlen(dir) + 32 > sizeof d->dir) return tpc_error(TPC_EINPUT, "--out path too long");
  snprintf(d->dir, sizeof d->dir, "%s", dir);
  char plots[1100];
  snprintf(plots, sizeof plots, "%s/plots", dir);
  int rc = make_dir(dir);
  return rc ? rc : make_dir(plots);
}

void tpc_doc_free(tpc_doc *d) {
  tpc_buf_free(&d->html);
  tpc_buf_free(&d->md);
  tpc_buf_free(&d->toc);
}

void tpc_doc_section(tpc_doc *d, const char *anchor, const char *title) {
  tpc_buf_printf(&d->html, "<h2 id=\"%s\">", anchor);
  tpc_buf_html(&d->html, title);
  tpc_buf_puts(&d->html, "</h2>\n");
  tpc_buf_printf(&d->toc, "<li><a href=\"#%s\">", anchor);
  tpc_buf_html(&d->toc, title);
  tpc_buf_puts(&d->toc, "</a></li>\n");
  tpc_buf_printf(&d->md, "\n## %s\n\n", title);
}

void tpc_doc_subsection(tpc_doc *d, const char *title) {
  tpc_buf_puts(&d->html, "<h3>");
  tpc_buf_html(&d->html, title);
  tpc_buf_puts(&d->html, "</h3>\n");
  tpc_buf_printf(&d->md, "\n### %s\n\n", title);
}

static void paragraph(tpc_doc *d, const char *cls, const char *fmt, va_list ap) {
  char text[2048];
  vsnprintf(text, sizeof text, fmt, ap);
  tpc_buf_printf(&d->html, "<p%s>", cls);
  tpc_buf_html(&d->html, text);
  tpc_buf_puts(&d->html, "</p>\n");
  tpc_buf_printf(&d->md, "%s\n\n", text);
}

void tpc_doc_text(tpc_doc *d, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  paragraph(d, "", fmt, ap);
  va_end(ap);
}

void tpc_doc_empty(tpc_doc *d, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  paragraph(d, " class=\"empty\"", fmt, ap);
  va_end(ap);
}

/* Markdown cell text: a '|' would end the cell. */
static void md_cell(tpc_buf *b, const char *text) {
  for (const char *c = text; *c; c++) {
    if (*c == '|') tpc_buf_puts(b, "\\|");
    else if (*c != '\n') tpc_buf_putn(b, c, 1);
  }
}

void tpc_doc_table(tpc_doc *d, int ncols, const char *const *headers) {
  d->ncols = ncols < MAXCOLS ? ncols : MAXCOLS;
  tpc_buf_puts(&d->html, "<div class=\"tbl\"><table>\n<tr>");
  tpc_buf_puts(&d->md, "|");
  for (int i = 0; i < d->ncols; i++) {
    const char *h = headers[i];
    d->colkind[i] = (*h == '<' || *h == '!') ? *h++ : 'n';
    tpc_buf_puts(&d->html, d->colkind[i] == 'n' ? "<th>" : "<th class=\"t\">");
    tpc_buf_html(&d->html, h);
    tpc_buf_puts(&d->html, "</th>");
    tpc_buf_puts(&d->md, " ");
    md_cell(&d->md, h);
    tpc_buf_puts(&d->md, " |");
  }
  tpc_buf_puts(&d->html, "</tr>\n");
  tpc_buf_puts(&d->md, "\n|");
  for (int i = 0; i < d->ncols; i++) tpc_buf_puts(&d->md, d->colkind[i] == 'n' ? "---:|" : "---|");
  tpc_buf_puts(&d->md, "\n");
}

void tpc_doc_row(tpc_doc *d, const char *const *cells, const char *tone) {
  if (tone) tpc_buf_printf(&d->html, "<tr class=\"%s\">", tone);
  else tpc_buf_puts(&d->html, "<tr>");
  tpc_buf_puts(&d->md, "|");
  for (int i = 0; i < d->ncols; i++) {
    const char *c = cells[i] ? cells[i] : "";
    tpc_buf_puts(&d->html, d->colkind[i] == 'n' ? "<td>" : d->colkind[i] == '!' ? "<td class=\"t v\">"
                                                                           : "<td class=\"t\">");
    tpc_buf_html(&d->html, c);
    tpc_buf_puts(&d->html, "</td>");
    tpc_buf_puts(&d->md, " ");
    md_cell(&d->md, c);
    tpc_buf_puts(&d->md, " |");
  }
  tpc_buf_puts(&d->html, "</tr>\n");
  tpc_buf_puts(&d->md, "\n");
}

void tpc_doc_table_end(tpc_doc *d) {
  tpc_buf_puts(&d->html, "</table></div>\n");
  tpc_buf_puts(&d->md, "\n");
  d->ncols = 0;
}

void tpc_doc_grid_begin(tpc_doc *d) {
  tpc_buf_printf(&d->html,
                 "<div class=\"grid\" style=\"grid-template-columns: repeat(auto-fill, "
                 "minmax(%dpx, 1fr))\">\n",
                 TPC_PLOT_WIDTH);
}
void tpc_doc_grid_end(tpc_doc *d) { tpc_buf_puts(&d->html, "</div>\n"); }

/* Does `s` start with the attribute-value prefix `pre`? */
static size_t starts(const char *s, const char *pre) {
  size_t n = strlen(pre);
  return strncmp(s, pre, n) == 0 ? n : 0;
}

/* Inline gnuplot's SVG with every id and reference to one prefixed by
** `prefix`: each plot defines the same ids (gpPt0, gnuplot_canvas, ...), and
** ids are global to an HTML page, so unprefixed a plot could draw another
** plot's markers or clip paths.  The XML prolog is dropped. */
static void inline_svg(tpc_buf *out, const char *svg, const char *prefix) {
  const char *s = strstr(svg, "<svg");
  if (!s) s = svg;
  static const char *const refs[] = {"id='", "id=\"", "href='#", "href=\"#", "url(#"};
  while (*s) {
    size_t n = 0;
    for (size_t i = 0; i < sizeof refs / sizeof refs[0] && !n; i++) n = starts(s, refs[i]);
    if (n) {
      tpc_buf_putn(out, s, n);
      tpc_buf_puts(out, prefix);
      s += n;
    } else {
      const char *next = s + 1;
      while (*next && *next != 'i' && *next != 'h' && *next != 'u') next++;
      tpc_buf_putn(out, s, (size_t)(next - s));
      s = next;
    }
  }
}

int tpc_doc_figure(tpc_doc *d, tpc_plot *p, const char *name, const char *caption) {
  char *svg;
  int rc = tpc_plot_render(p, &svg);
  if (rc) return rc;
  char path[1200], prefix[24];
  snprintf(path, sizeof path, "%s/plots/%s.svg", d->dir, name);
  rc = tpc_file_replace(path, svg, strlen(svg));
  if (!rc) {
    snprintf(prefix, sizeof prefix, "f%d-", ++d->figures);
    tpc_buf_printf(&d->html, "<figure class=\"plot\" id=\"fig-%s\">\n", name);
    inline_svg(&d->html, svg, prefix);
    tpc_buf_puts(&d->html, "\n<figcaption>");
    tpc_buf_html(&d->html, caption);
    tpc_buf_puts(&d->html, "</figcaption></figure>\n");
    tpc_buf_printf(&d->md, "![%s](plots/%s.svg)\n\n", caption, name);
  }
  free(svg);
  return rc;
}

int tpc_doc_write(tpc_doc *d, const char *title, const char *meta) {
  if (d->html.failed || d->md.failed || d->toc.failed)
    return tpc_error(TPC_ENOMEM, "out of memory writing the report");
  tpc_buf page = {0}, md = {0};
  tpc_buf_puts(&page, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>");
  tpc_buf_html(&page, title);
  tpc_buf_printf(&page, "</title>\n<style>\n%s</style>\n</head><body>\n<header><h1>", tpc_report_css);
  tpc_buf_html(&page, title);
  tpc_buf_puts(&page, "</h1><p class=\"meta\">");
  tpc_buf_html(&page, meta);
  tpc_buf_printf(&page, "</p><nav><ul>\n%s</ul></nav></header>\n%s</body></html>\n",
                 tpc_buf_str(&d->toc), tpc_buf_str(&d->html));
  tpc_buf_printf(&md, "# %s\n\n%s\n%s", title, meta, tpc_buf_str(&d->md));
  int rc = page.failed || md.failed ? tpc_error(TPC_ENOMEM, "out of memory writing the report")
                                    : TPC_OK;
  char path[1200];
  if (!rc) {
    snprintf(path, sizeof path, "%s/report.html", d->dir);
    rc = tpc_file_replace(path, page.s, page.len);
  }
  if (!rc) {
    snprintf(path, sizeof path, "%s/report.md", d->dir);
    rc = tpc_file_replace(path, md.s, md.len);
  }
  tpc_buf_free(&page);
  tpc_buf_free(&md);
  return rc;
}
