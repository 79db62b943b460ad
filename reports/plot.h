/*
** Plots for the report, drawn as SVG by gnuplot (the gnuplot-nox package
** that make deps installs).
**
** A plot is a gnuplot script built in a buffer: settings, then the data as
** inline datablocks ($name << EOD ... EOD), then the plot command.  Rendering
** runs `gnuplot` on it and returns the SVG text, so no data file is left
** behind.  Non-finite values must not reach a datablock (gnuplot cannot read
** "inf"); the writers skip them.
*/
#ifndef TPC_REPORT_PLOT_H
#define TPC_REPORT_PLOT_H

#include "reports/buf.h"

typedef struct tpc_plot {
  tpc_buf script;
  size_t points;   /* data rows written: a plot without any is not drawn */
} tpc_plot;

/* Every plot is drawn this size, and the page lays plots in columns at
** least as wide (tpc_doc_grid_begin), so none is shown smaller than drawn:
** its text renders at least at its SVG font size, 11 px or more. */
#define TPC_PLOT_WIDTH 560
#define TPC_PLOT_HEIGHT 420

/* Start a script for an SVG of TPC_PLOT_WIDTH x TPC_PLOT_HEIGHT pixels with
** a title (NULL: none). */
void tpc_plot_begin(tpc_plot *p, const char *title);
/* Start datablock $name; end it with tpc_plot_data_end. */
void tpc_plot_data_begin(tpc_plot *p, const char *name);
/* One data row (values separated by spaces, ending without a newline);
** counts towards `points`. */
void tpc_plot_row(tpc_plot *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tpc_plot_data_end(tpc_plot *p);
/* Append text quoted as a gnuplot string: 'it''s'. */
void tpc_plot_quote(tpc_buf *b, const char *text);
/* Axis 'x' or 'y' on a logarithmic scale of `base`, its ticks labelled
** base^{N}. */
void tpc_plot_log_axis(tpc_plot *p, char axis, int base);

/* Run gnuplot on the script; *svg is the SVG text (free it).  TPC_EIO with
** gnuplot's message when it fails or is not installed, TPC_ENOMEM. */
int tpc_plot_render(tpc_plot *p, char **svg);
void tpc_plot_free(tpc_plot *p);

#endif
