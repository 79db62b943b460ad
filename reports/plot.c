/*
** gnuplot as the report's plotter (plot.h).
**
** The script goes to a temporary file and gnuplot writes the SVG to its
** standard output, which we read through a pipe; its standard error goes to
** a second temporary file so that a failure can quote gnuplot's own message.
*/
#include "reports/plot.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"

/* Text at 14 px: enhanced text draws exponents and subscripts (2^{16},
** ‖∇f‖^2) at 0.8 of it, 11.2 px; the key, plain text, at 12 px. */
void tpc_plot_begin(tpc_plot *p, const char *title) {
  memset(p, 0, sizeof *p);
  tpc_buf_printf(&p->script,
                 "set terminal svg size %d,%d dynamic enhanced font 'sans-serif,14' "
                 "background '#ffffff'\n"
                 "set encoding utf8\nset grid lc rgb '#dddddd'\nset key left bottom "
                 "noenhanced font ',12' samplen 2\nset border lc rgb '#555555'\n",
                 TPC_PLOT_WIDTH, TPC_PLOT_HEIGHT);
  if (title) {
    tpc_buf_puts(&p->script, "set title noenhanced ");
    tpc_plot_quote(&p->script, title);
    tpc_buf_puts(&p->script, "\n");
  }
}

void tpc_plot_quote(tpc_buf *b, const char *text) {
  tpc_buf_puts(b, "'");
  for (const char *c = text; *c; c++) {
    if (*c == '\'') tpc_buf_puts(b, "''");
    else if (*c != '\n') tpc_buf_putn(b, c, 1);
  }
  tpc_buf_puts(b, "'");
}

/* gnuplot's %L is the exponent in the base of the axis's own logscale
** (10 unless given): the label's base must be that same base, or 2^{%L}
** on a base-10 axis labels 2^20 as 2^6. */
void tpc_plot_log_axis(tpc_plot *p, char axis, int base) {
  tpc_buf_printf(&p->script, "set logscale %c %d\nset format %c '%d^{%%L}'\n", axis, base, axis,
                 base);
}

void tpc_plot_data_begin(tpc_plot *p, const char *name) {
  tpc_buf_printf(&p->script, "$%s << EOD\n", name);
}

void tpc_plot_row(tpc_plot *p, const char *fmt, ...) {
  va_list ap;
  char line[512];
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  tpc_buf_puts(&p->script, line);
  tpc_buf_puts(&p->script, "\n");
  p->points++;
}

void tpc_plot_data_end(tpc_plot *p) { tpc_buf_puts(&p->script, "EOD\n"); }

/* A temporary file holding `text` (NULL: empty); its path in path[]. */
static int temp_file(char *path, size_t size, const char *text) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir || strchr(dir, '\'')) dir = "/tmp"; /* the path is quoted in a shell line */
  snprintf(path, size, "%s/tpc-plot-XXXXXX", dir);
  int fd = mkstemp(path);
  if (fd < 0) return tpc_error(TPC_EIO, "cannot create a temporary file in %s", path);
  size_t len = text ? strlen(text) : 0, off = 0;
  while (off < len) {
    ssize_t w = write(fd, text + off, len - off);
    if (w <= 0) {
      close(fd);
      unlink(path);
      return tpc_error(TPC_EIO, "cannot write %s", path);
    }
    off += (size_t)w;
  }
  close(fd);
  return TPC_OK;
}

/* gnuplot's first error line from its stderr file, for the message. */
static void first_error(const char *path, char *msg, size_t size) {
  FILE *f = fopen(path, "r");
  snprintf(msg, size, "no message");
  if (!f) return;
  char line[256];
  while (fgets(line, sizeof line, f))
    if (strstr(line, "rror") || strstr(line, "not found")) {
      line[strcspn(line, "\n")] = 0;
      snprintf(msg, size, "%s", line);
      break;
    }
  fclose(f);
}

int tpc_plot_render(tpc_plot *p, char **svg) {
  *svg = NULL;
  if (p->script.failed) return tpc_error(TPC_ENOMEM, "out of memory building a plot");
  char script[512], err[512], cmd[1200];
  int rc = temp_file(script, sizeof script, tpc_buf_str(&p->script));
  if (rc) return rc;
  rc = temp_file(err, sizeof err, NULL);
  if (rc) {
    unlink(script);
    return rc;
  }
  snprintf(cmd, sizeof cmd, "gnuplot '%s' 2>'%s'", script, err);
  tpc_buf out = {0};
  FILE *f = popen(cmd, "r");
  int status = -1;
  if (f) {
    tpc_buf_read(&out, f); /* a short read shows as a missing </svg> below */
    status = pclose(f);
  }
  char msg[256];
  first_error(err, msg, sizeof msg);
  unlink(script);
  unlink(err);
  if (!f || !WIFEXITED(status) || WEXITSTATUS(status) == 127) {
    tpc_buf_free(&out);
    return tpc_error(TPC_EIO, "cannot run gnuplot (install gnuplot-nox: make deps)");
  }
  if (WEXITSTATUS(status) != 0 || !strstr(tpc_buf_str(&out), "</svg>")) {
    tpc_buf_free(&out);
    return tpc_error(TPC_EIO, "gnuplot failed: %s", msg);
  }
  if (out.failed) {
    tpc_buf_free(&out);
    return tpc_error(TPC_ENOMEM, "out of memory reading a plot");
  }
  *svg = out.s;
  return TPC_OK;
}

void tpc_plot_free(tpc_plot *p) { tpc_buf_free(&p->script); }
