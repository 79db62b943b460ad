/*
** quadfile(file=PATH): general quadratics f_i(x) = 1/2 x^T A_i x - b_i^T x
** read from a text file (plain or gzip), with the exact constants of
** THEORY.md T6.  x0 = 0.
**
** The format.  Text lines; '#' starts a comment to the end of the line;
** blank lines are ignored; numbers are decimal (strtod) and must be finite;
** tokens are separated by blanks.
**
**   quadfile d=D n=N storage=dense                 (header, first line)
**   quadfile d=D n=N storage=banded bandwidth=W    (or banded, 0 <= W < D)
**   quadfile d=D n=N storage=dense psd=1           (every A_i declared PSD)
**   client 1                                       (then, for each client i = 1..N:)
**   <row 1 of A_1>
**   ...
**   <row D of A_1>
**   <b_1: D numbers>
**   client 2
**   ...
**
** Dense: row j holds the D entries A[j][1..D].  Banded: row j holds the
** entries A[j][k] for max(1, j-W) <= k <= min(D, j+W), i.e. the band
** including both triangles (so row 1 has W+1 entries, middle rows 2W+1).
** Every A_i must be symmetric exactly (A[j][k] and A[k][j] the same number:
** write the same decimal text), A_i need not be definite.  d <= 8192.
** Example (d = 2, one client, f = x_1^2 + x_2^2 - x_1):
**   quadfile d=2 n=1 storage=dense
**   client 1
**   2 0
**   0 2
**   1 0
** psd=1 (psd=0 is the default) declares every A_i positive semidefinite,
** i.e. every f_i convex: the declaration is checked (below) and a file that
** breaks it is refused naming the client.
** Errors are TPC_EINPUT naming the file and line: a bad or non-finite
** number, a wrong count, a missing `client` line, an asymmetric A_i,
** content after the last client, a file that ends before the clients its
** header announces (the coefficients are allocated as they are read, so a
** header cannot make the reader allocate what the file does not hold).
** Numbers too large for the constants (A_i^2 or Abar^{-1} bbar past the
** double range) are TPC_EINPUT naming the constant and the largest number.
**
** Constants (exact, from dense d x d matrices and gsl_eigen_symm):
** L- = max |lambda(Abar)|, L+^2 = lambda_max((1/n) sum A_i^2),
** L+-^2 = lambda_max((1/n) sum A_i^2 - Abar^2), and with lambda_min(Abar):
**   > tol_c = 20 d^1.5 u ||Abar||: mu = lambda_min, f_inf = -1/2 bbar^T x*
**     = -1/2 |L^{-1} bbar|^2 with Abar = L L^T by Cholesky (the margin makes
**     it succeed in practice, Higham, Accuracy and Stability, Thm 10.7; if it
**     still fails, the next case applies);
**   < -tol = -d u ||Abar||: f is unbounded below: TPC_EINPUT;
**   otherwise Abar is singular to working precision: mu and f_inf UNKNOWN.
** Per client (THEORY.md T6, convex problems with exact optima), from each
** A_i's extreme eigenvalues by gsl_eigen_symm: L_i = max |lambda(A_i)|,
** Lmax = max_i L_i; every f_i is convex when every lambda_min(A_i) >= -tol_i
** (tol_i = d u |A_i|, PSD to working precision), then mu_i = max(0, min_i
** lambda_min(A_i)); psd=1 with some lambda_min(A_i) < -tol_i is TPC_EINPUT.
** f's strong convexity musc is mu, or 0 when Abar is singular to working
** precision but not indefinite.  x* solves Abar x* = bbar by Cholesky
** (gsl_linalg_cholesky_decomp1) when mu is known; otherwise no optimum.
** Storage is the band (the dense matrix when dense) per client: a gradient
** costs O(d (2W+1)).
*/
#include <float.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "problems/internal.h"

#define QUADFILE_MAX_D 8192

typedef struct quadfile_priv {
  size_t w;        /* bandwidth (d - 1 when dense) */
  size_t nb;       /* band entries per client */
  size_t *off;     /* d + 1: row j's entries start at off[j] */
  double *a;       /* n x nb */
  double *b;       /* n x d */
  size_t a_cap, b_cap;   /* doubles allocated in a and b while reading */
  tpc_problem_peak peak;  /* the largest |number| of the A_i and b_i, and its line */
  int psd;         /* the header's psd=1: every A_i declared PSD */
} quadfile_priv;

static const char *const quadfile_keys[] = {"file", NULL};
static const char *const no_dirs[] = {NULL};
static const char *const no_suffixes[] = {"", NULL};

static size_t row_lo(size_t j, size_t w) { return j > w ? j - w : 0; }
static size_t row_hi(size_t j, size_t w, size_t d) { return j + w < d ? j + w : d - 1; }

/* g = A_i x - b_i when g is not NULL; returns f_i(x). */
static double quadfile_eval(const tpc_problem *p, size_t i, const double *x, double *g) {
  const quadfile_priv *q = p->priv;
  size_t d = p->d;
  const double *a = q->a + i * q->nb, *b = q->b + i * d;
  double xax = 0, bx = 0;
  for (size_t j = 0; j < d; j++) {
    const double *row = a + q->off[j];
    size_t lo = row_lo(j, q->w), hi = row_hi(j, q->w, d);
    double s = 0;
    for (size_t k = lo; k <= hi; k++) s += row[k - lo] * x[k];
    xax += x[j] * s;
    bx += b[j] * x[j];
    if (g) g[j] = s - b[j];
  }
  return 0.5 * xax - bx;
}

static double quadfile_grad(const tpc_problem *p, size_t i, const double *x, double *g,
                            void *work) {
  (void)work;
  return quadfile_eval(p, i, x, g);
}

static double quadfile_value(const tpc_problem *p, size_t i, const double *x, void *work) {
  (void)work;
  return quadfile_eval(p, i, x, NULL);
}

static size_t quadfile_work_size(const tpc_problem *p) {
  (void)p;
  return 0;
}

/* ---- reading ------------------------------------------------------------- */

/* The next line with content (comments cut); 1, 0 at the end, or negated status. */
static int next_content(tpc_lines *lr) {
  for (;;) {
    int got = tpc_lines_next(lr);
    if (got <= 0) return got;
    char *h = strchr(lr->buf, '#');
    if (h) *h = '\0';
    if (lr->buf[strspn(lr->buf, " \t")]) return 1;
  }
}

/* Exactly `count` finite numbers from the current line into out, noting
** the largest in pk. */
static int parse_numbers(tpc_lines *lr, double *out, size_t count, const char *what,
                         tpc_problem_peak *pk) {
  char *s = lr->buf;
  size_t got = 0;
  for (;;) {
    s += strspn(s, " \t");
    if (!*s) break;
    char *e;
    double v = strtod(s, &e);
    size_t tl = strcspn(s, " \t");
    if (e != s + tl || tl == 0)
      return tpc_error(TPC_EINPUT, "'%s' line %zu: bad number '%.*s' in %s", lr->path,
                       lr->lineno, (int)tl, s, what);
    if (!isfinite(v))
      return tpc_error(TPC_EINPUT, "'%s' line %zu: number %zu of %s is not finite", lr->path,
                       lr->lineno, got + 1, what);
    if (got < count) out[got] = v;
    tpc_problem_peak_note(pk, v, lr->lineno);
    got++;
    s = e;
  }
  if (got != count)
    return tpc_error(TPC_EINPUT, "'%s' line %zu: %s needs %zu numbers, got %zu", lr->path,
                     lr->lineno, what, count, got);
  return TPC_OK;
}

/* One "key=value" integer from the header line. */
static int header_int(tpc_lines *lr, const char *tok, size_t tl, const char *key, long lo,
                      long hi, long *out) {
  size_t kl = strlen(key);
  char *e;
  long v = strtol(tok + kl + 1, &e, 10);
  if (e != tok + tl || v < lo || v > hi)
    return tpc_error(TPC_EINPUT, "'%s' line %zu: %s must be an integer in [%ld, %ld], got "
                     "'%.*s'", lr->path, lr->lineno, key, lo, hi, (int)(tl - kl - 1),
                     tok + kl + 1);
  *out = v;
  return TPC_OK;
}

/* The header line: d, n, storage, bandwidth. */
static int parse_header(tpc_lines *lr, long *d, long *n, long *w, long *psd) {
  const char *bad = "'%s' line %zu: expected 'quadfile d=D n=N storage=dense|banded "
                    "[bandwidth=W]', got '%s'";
  char *s = lr->buf + strspn(lr->buf, " \t");
  if (strncmp(s, "quadfile", 8) != 0 || (s[8] && s[8] != ' ' && s[8] != '\t'))
    return tpc_error(TPC_EINPUT, bad, lr->path, lr->lineno, s);
  *d = *n = *w = -1;
  *psd = 0;
  int dense = -1, rc = TPC_OK;
  for (s += 8; !rc;) {
    s += strspn(s, " \t");
    if (!*s) break;
    size_t tl = strcspn(s, " \t");
    if (strncmp(s, "d=", 2) == 0) rc = header_int(lr, s, tl, "d", 1, QUADFILE_MAX_D, d);
    else if (strncmp(s, "n=", 2) == 0) rc = header_int(lr, s, tl, "n", 1, 100000000L, n);
    else if (strncmp(s, "bandwidth=", 10) == 0)
      rc = header_int(lr, s, tl, "bandwidth", 0, QUADFILE_MAX_D, w);
    else if (strncmp(s, "psd=", 4) == 0) rc = header_int(lr, s, tl, "psd", 0, 1, psd);
    else if (tl == 13 && strncmp(s, "storage=dense", 13) == 0) dense = 1;
    else if (tl == 14 && strncmp(s, "storage=banded", 14) == 0) dense = 0;
    else return tpc_error(TPC_EINPUT, "'%s' line %zu: unknown header item '%.*s'", lr->path,
                          lr->lineno, (int)tl, s);
    s += tl;
  }
  if (rc) return rc;
  if (*d < 0 || *n < 0 || dense < 0 || (dense == 0) != (*w >= 0))
    return tpc_error(TPC_EINPUT, "'%s' line %zu: the header needs d=, n=, storage=, and "
                     "bandwidth= exactly when storage=banded", lr->path, lr->lineno);
  if (dense) *w = *d - 1;
  if (*w > *d - 1)
    return tpc_error(TPC_EINPUT, "'%s' line %zu: bandwidth %ld must be below d = %ld",
                     lr->path, lr->lineno, *w, *d);
  return TPC_OK;
}

/* The next content line, which must be there: `what` names it when the file
** ends first, with the header's counts, since a header that announces more
** than the file holds ends this way.  1, or a negated status. */
static int next_required(tpc_lines *lr, const tpc_problem *p, const char *what) {
  int got = next_content(lr);
  if (got == 0)
    return -tpc_error(TPC_EINPUT, "'%s' ends after line %zu: expected %s (the header announces "
                      "d = %zu, n = %zu)", lr->path, lr->lineno, what, p->d, p->n);
  return got;
}

/* Room for `need` doubles in *arr of *cap, doubling.  The coefficients grow
** row by row as they are read, never by the header's d and n alone: a short
** file announcing 10^8 clients of 8192 x 8192 costs what it holds and fails
** as truncated, where allocating n d^2 doubles up front would fail for
** memory, or succeed for a file that cannot fill it. */
static int grow_doubles(double **arr, size_t *cap, size_t need) {
  if (need <= *cap) return TPC_OK;
  size_t nc = *cap ? *cap : 4096;
  while (nc < need) nc *= 2;
  double *grown = realloc(*arr, nc * sizeof *grown);
  if (!grown) return tpc_error(TPC_ENOMEM, "out of memory for %zu coefficients", nc);
  *arr = grown;
  *cap = nc;
  return TPC_OK;
}

/* "client i+1" (i 0-based). */
static int parse_client_line(tpc_lines *lr, const tpc_problem *p, size_t i) {
  char what[64];
  snprintf(what, sizeof what, "'client %zu'", i + 1);
  int got = next_required(lr, p, what);
  if (got < 0) return -got;
  char *s = lr->buf + strspn(lr->buf, " \t"), *e = NULL;
  unsigned long id = 0;
  if (strncmp(s, "client", 6) == 0) id = strtoul(s + 6, &e, 10);
  if (id != i + 1 || e[strspn(e, " \t")])
    return tpc_error(TPC_EINPUT, "'%s' line %zu: expected 'client %zu'", lr->path, lr->lineno,
                     i + 1);
  return TPC_OK;
}

/* A_i's rows and b_i, each row's line into rowline. */
static int parse_client_rows(tpc_lines *lr, tpc_problem *p, size_t i, size_t *rowline) {
  quadfile_priv *q = p->priv;
  size_t d = p->d;
  char what[64];
  for (size_t j = 0; j <= d; j++) {
    size_t lo = j < d ? row_lo(j, q->w) : 0, cnt = j < d ? row_hi(j, q->w, d) - lo + 1 : d;
    if (j < d) snprintf(what, sizeof what, "row %zu of A_%zu", j + 1, i + 1);
    else snprintf(what, sizeof what, "b_%zu", i + 1);
    int got = next_required(lr, p, what);
    if (got < 0) return -got;
    int rc = j < d ? grow_doubles(&q->a, &q->a_cap, i * q->nb + q->off[j + 1])
                   : grow_doubles(&q->b, &q->b_cap, (i + 1) * d);
    if (!rc) rc = parse_numbers(lr, j < d ? q->a + i * q->nb + q->off[j] : q->b + i * d, cnt,
                                what, &q->peak);
    if (rc) return rc;
    if (j < d) rowline[j] = lr->lineno;
  }
  return TPC_OK;
}

/* The lines of client i (0-based): "client i+1", the rows of A_i, b_i; then
** the symmetry check, naming the line of the lower of the two rows. */
static int parse_client(tpc_lines *lr, tpc_problem *p, size_t i, size_t *rowline) {
  quadfile_priv *q = p->priv;
  size_t d = p->d;
  int rc = parse_client_line(lr, p, i);
  if (!rc) rc = parse_client_rows(lr, p, i, rowline);
  if (rc) return rc;
  const double *a = q->a + i * q->nb;
  for (size_t j = 0; j < d; j++)
    for (size_t k = j + 1; k <= row_hi(j, q->w, d); k++) {
      double ajk = a[q->off[j] + k - row_lo(j, q->w)], akj = a[q->off[k] + j - row_lo(k, q->w)];
      if (ajk != akj)
        return tpc_error(TPC_EINPUT, "'%s' line %zu: A_%zu is not symmetric: A[%zu][%zu] = "
                         "%.17g but A[%zu][%zu] = %.17g", lr->path, rowline[k], i + 1, j + 1,
                         k + 1, ajk, k + 1, j + 1, akj);
    }
  return TPC_OK;
}

/* The band's layout and x0; the coefficients come as they are read. */
static int quadfile_alloc(tpc_problem *p, quadfile_priv *q, long d, long n, long w) {
  p->d = (size_t)d;
  p->n = (size_t)n;
  q->w = (size_t)w;
  q->off = malloc((p->d + 1) * sizeof *q->off);
  p->x0 = calloc(p->d, sizeof *p->x0);
  if (!q->off || !p->x0) return tpc_error(TPC_ENOMEM, "out of memory");
  q->off[0] = 0;
  for (size_t j = 0; j < p->d; j++)
    q->off[j + 1] = q->off[j] + row_hi(j, q->w, p->d) - row_lo(j, q->w) + 1;
  q->nb = q->off[p->d];
  p->data_bytes = p->n * (q->nb + p->d) * sizeof(double);
  return TPC_OK;
}

static int quadfile_read(tpc_problem *p, quadfile_priv *q, const char *path) {
  tpc_lines lr;
  size_t *rowline = NULL;
  int rc = tpc_lines_open(&lr, path);
  int got = rc ? 0 : next_content(&lr);
  if (got < 0) rc = -got;
  if (!rc && !got) rc = tpc_error(TPC_EINPUT, "'%s' is empty: no 'quadfile' header", path);
  long d, n, w, psd;
  if (!rc) rc = parse_header(&lr, &d, &n, &w, &psd);
  if (!rc) q->psd = (int)psd;
  if (!rc) rc = quadfile_alloc(p, q, d, n, w);
  if (!rc && !(rowline = malloc(p->d * sizeof *rowline)))
    rc = tpc_error(TPC_ENOMEM, "out of memory");
  for (size_t i = 0; !rc && i < p->n; i++) rc = parse_client(&lr, p, i, rowline);
  if (!rc && (got = next_content(&lr)) != 0)
    rc = got < 0 ? -got : tpc_error(TPC_EINPUT, "'%s' line %zu: content after the last "
                                    "client", path, lr.lineno);
  free(rowline);
  tpc_lines_close(&lr);
  return rc;
}

/* ---- constants ------------------------------------------------------------ */

/* m2 += A_i^2 for client i: band products when the band is narrow, else
** the dense A_i (scratch) through BLAS syrk (A_i A_i^T = A_i^2, lower half). */
static void add_square(const tpc_problem *p, size_t i, double *m2, double *scratch) {
  const quadfile_priv *q = p->priv;
  size_t d = p->d, w = q->w;
  const double *a = q->a + i * q->nb;
  if ((2 * w + 1) * (2 * w + 1) <= d) {
    for (size_t j = 0; j < d; j++)
      for (size_t l = row_lo(j, w); l <= row_hi(j, w, d); l++) {
        double ajl = a[q->off[j] + l - row_lo(j, w)];
        const double *rl = a + q->off[l];
        for (size_t k = row_lo(l, w); k <= row_hi(l, w, d); k++)
          m2[j * d + k] += ajl * rl[k - row_lo(l, w)];
      }
    return;
  }
  memset(scratch, 0, d * d * sizeof *scratch);
  for (size_t j = 0; j < d; j++)
    for (size_t k = row_lo(j, w); k <= row_hi(j, w, d); k++)
      scratch[j * d + k] = a[q->off[j] + k - row_lo(j, w)];
  gsl_matrix_view s = gsl_matrix_view_array(scratch, d, d), m = gsl_matrix_view_array(m2, d, d);
  gsl_blas_dsyrk(CblasLower, CblasNoTrans, 1.0, &s.matrix, 1.0, &m.matrix);
}

static int all_finite(const double *m, size_t len) {
  for (size_t k = 0; k < len; k++)
    if (!isfinite(m[k])) return 0;
  return 1;
}

/* Eigenvalues of the symmetric matrix m (its lower half; destroyed).  When
** an entry is not finite (the data's sums or products overflowed), or GSL
** could not keep the eigenvalues finite, lmin = -inf and lmax = +inf: the
** constants then overflow, and tpc_problem_consts_check says so. */
static int eig_range(double *m, size_t d, double *lmin, double *lmax) {
  *lmin = -INFINITY;
  *lmax = INFINITY;
  if (!all_finite(m, d * d)) return TPC_OK;
  gsl_matrix_view v = gsl_matrix_view_array(m, d, d);
  gsl_vector *ev = gsl_vector_alloc(d);
  gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(d);
  int rc = TPC_OK;
  if (!ev || !ws)
    rc = tpc_error(TPC_ENOMEM, "out of memory for a %zu x %zu eigenproblem", d, d);
  else if (gsl_eigen_symm(&v.matrix, ev, ws))
    rc = tpc_error(TPC_EINTERNAL, "gsl_eigen_symm failed (d = %zu)", d);
  else
    gsl_vector_minmax(ev, lmin, lmax);
  if (!isfinite(*lmin) || !isfinite(*lmax)) {
    *lmin = -INFINITY;
    *lmax = INFINITY;
  }
  gsl_vector_free(ev);
  gsl_eigen_symm_free(ws);
  return rc;
}

static void lower_to_upper(double *m, size_t d) {
  for (size_t j = 0; j < d; j++)
    for (size_t k = j + 1; k < d; k++) m[j * d + k] = m[k * d + j];
}

/* mu and f_inf from lambda_min(Abar) (see the top of the file); abar is
** destroyed. */
static int quadfile_finf(tpc_problem *p, double *abar, double lmin, double lminus) {
  size_t d = p->d, n = p->n;
  const quadfile_priv *q = p->priv;
  double u = DBL_EPSILON / 2, tol = (double)d * u * lminus;
  double tolc = 20 * pow((double)d, 1.5) * u * lminus;
  p->c.mu = p->c.finf = (tpc_const){.value = 0, .kind = TPC_CONST_UNKNOWN};
  if (lmin < -tol)
    return tpc_error(TPC_EINPUT, "f is unbounded below: Abar has the eigenvalue %.6g < 0", lmin);
  /* f convex (Abar PSD to working precision): strongly so when mu is known. */
  p->c.musc = (tpc_const){.value = 0, .kind = TPC_CONST_EXACT};
  if (!(lmin > tolc)) return TPC_OK;
  double *y = calloc(d, sizeof *y);
  if (!y) return tpc_error(TPC_ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++) y[j] += q->b[i * d + j];
  for (size_t j = 0; j < d; j++) y[j] /= (double)n;
  if (tpc_problem_cholesky(abar, d)) {
    /* bbar^T Abar^{-1} bbar = |L^{-1} bbar|^2: one forward substitution. */
    double bx = 0;
    for (size_t j = 0; j < d; j++) {
      double s = y[j];
      for (size_t k = 0; k < j; k++) s -= abar[j * d + k] * y[k];
      y[j] = s / abar[j * d + j];
      bx += y[j] * y[j];
    }
    p->c.finf = (tpc_const){.value = -0.5 * bx, .kind = TPC_CONST_EXACT};
    p->c.mu = (tpc_const){.value = lmin, .kind = TPC_CONST_EXACT};
    p->c.musc = p->c.mu;
  }
  free(y);
  return TPC_OK;
}

/* m = A_i, dense (d x d, both halves). */
static void client_dense(const tpc_problem *p, size_t i, double *m) {
  const quadfile_priv *q = p->priv;
  size_t d = p->d;
  const double *a = q->a + i * q->nb;
  memset(m, 0, d * d * sizeof *m);
  for (size_t j = 0; j < d; j++)
    for (size_t k = row_lo(j, q->w); k <= row_hi(j, q->w, d); k++)
      m[j * d + k] = a[q->off[j] + k - row_lo(j, q->w)];
}

/* abar += A_i for every client, then abar /= n (abar zeroed by the caller). */
static void abar_sum(const tpc_problem *p, double *abar) {
  const quadfile_priv *q = p->priv;
  size_t d = p->d, n = p->n;
  for (size_t i = 0; i < n; i++) {
    const double *a = q->a + i * q->nb;
    for (size_t j = 0; j < d; j++)
      for (size_t k = row_lo(j, q->w); k <= row_hi(j, q->w, d); k++)
        abar[j * d + k] += a[q->off[j] + k - row_lo(j, q->w)];
  }
  for (size_t k = 0; k < d * d; k++) abar[k] /= (double)n;
}

/* L_i, Lmax, convex, mu_i from every A_i's eigenvalues; checks psd=1.  scratch
** holds d x d doubles. */
static int client_consts(tpc_problem *p, double *scratch, const char *path) {
  const quadfile_priv *q = p->priv;
  size_t d = p->d, n = p->n;
  if (!(p->Li = malloc(n * sizeof *p->Li))) return tpc_error(TPC_ENOMEM, "out of memory");
  double lmax = 0, mui = INFINITY;
  int convex = 1;
  for (size_t i = 0; i < n; i++) {
    double lo, hi;
    client_dense(p, i, scratch);
    int rc = eig_range(scratch, d, &lo, &hi);
    if (rc) return rc;
    p->Li[i] = fmax(fabs(lo), fabs(hi));
    lmax = fmax(lmax, p->Li[i]);
    mui = fmin(mui, lo);
    if (lo >= -(double)d * (DBL_EPSILON / 2) * p->Li[i]) continue;
    convex = 0;
    if (q->psd)
      return tpc_error(TPC_EINPUT, "'%s': the header says psd=1 but A_%zu (client %zu) has "
                       "the eigenvalue %.6g < 0", path, i + 1, i + 1, lo);
  }
  p->c.Lmax = (tpc_const){.value = lmax, .kind = TPC_CONST_EXACT};
  p->c.convex = convex;
  p->c.mui = (tpc_const){.value = convex ? fmax(mui, 0.0) : 0.0,
                         .kind = convex ? TPC_CONST_EXACT : TPC_CONST_UNKNOWN};
  return TPC_OK;
}

static int quadfile_consts(tpc_problem *p, const char *path) {
  size_t d = p->d, n = p->n, dd = d * d;
  double *abar = calloc(dd, sizeof *abar), *m2 = calloc(dd, sizeof *m2);
  double *sq = malloc(dd * sizeof *sq), *ab2 = malloc(dd * sizeof *ab2);
  int rc = TPC_OK;
  if (!abar || !m2 || !sq || !ab2) {
    rc = tpc_error(TPC_ENOMEM, "out of memory for %zu x %zu matrices", d, d);
    goto done;
  }
  abar_sum(p, abar);
  for (size_t i = 0; i < n; i++) add_square(p, i, m2, sq);
  for (size_t k = 0; k < dd; k++) m2[k] /= (double)n;
  lower_to_upper(m2, d);
  gsl_matrix_view va = gsl_matrix_view_array(abar, d, d), vs = gsl_matrix_view_array(sq, d, d);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &va.matrix, &va.matrix, 0.0, &vs.matrix);
  for (size_t k = 0; k < dd; k++) sq[k] = m2[k] - sq[k];   /* (1/n) sum A_i^2 - Abar^2 */
  memcpy(ab2, abar, dd * sizeof *ab2);
  double lmin, lmax, t, m2max, vmax;
  rc = eig_range(ab2, d, &lmin, &lmax);
  if (!rc) rc = eig_range(m2, d, &t, &m2max);
  if (!rc) rc = eig_range(sq, d, &t, &vmax);
  if (rc) goto done;
  double lminus = fmax(fabs(lmin), fabs(lmax));
  p->c.Lminus = (tpc_const){.value = lminus, .kind = TPC_CONST_EXACT};
  p->c.Lplus = (tpc_const){.value = sqrt(fmax(m2max, 0)), .kind = TPC_CONST_EXACT};
  p->c.Lpm = (tpc_const){.value = sqrt(fmax(vmax, 0)), .kind = TPC_CONST_EXACT};
  rc = quadfile_finf(p, abar, lmin, lminus);
  if (!rc) rc = client_consts(p, sq, path);
done:
  free(abar);
  free(m2);
  free(sq);
  free(ab2);
  return rc;
}

/* x* of Abar x* = bbar by Cholesky, when Abar is positive definite (mu known). */
static int quadfile_optimum(const tpc_problem *p, double *x, tpc_const_kind *kind) {
  const quadfile_priv *q = p->priv;
  size_t d = p->d, n = p->n;
  if (p->c.mu.kind != TPC_CONST_EXACT)
    return tpc_error(TPC_EINPUT, "Abar is singular to working precision: no unique x*");
  double *abar = calloc(d * d, sizeof *abar);
  if (!abar) return tpc_error(TPC_ENOMEM, "out of memory for a %zu x %zu matrix", d, d);
  abar_sum(p, abar);
  memset(x, 0, d * sizeof *x);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++) x[j] += q->b[i * d + j];
  for (size_t j = 0; j < d; j++) x[j] /= (double)n;
  gsl_matrix_view a = gsl_matrix_view_array(abar, d, d);
  gsl_vector_view v = gsl_vector_view_array(x, d);
  int g = gsl_linalg_cholesky_decomp1(&a.matrix);
  if (!g) g = gsl_linalg_cholesky_svx(&a.matrix, &v.vector);
  free(abar);
  *kind = TPC_CONST_EXACT;
  return g ? tpc_error(TPC_EINPUT, "Abar is not positive definite to working precision: %s",
                       gsl_strerror(g))
           : TPC_OK;
}

/* ---- the type -------------------------------------------------------------- */

static int quadfile_init(tpc_problem *p, const tpc_spec *s) {
  const char *name;
  int rc = tpc_problem_param_text(s, "file", &name);
  if (rc) return rc;
  quadfile_priv *q = calloc(1, sizeof *q);
  if (!q) return tpc_error(TPC_ENOMEM, "out of memory");
  p->priv = q;
  char *path = NULL;
  rc = tpc_problem_find_file(name, no_dirs, no_suffixes, &path);
  if (!rc) rc = quadfile_read(p, q, path);
  if (!rc) rc = quadfile_consts(p, path);
  if (!rc) rc = tpc_problem_consts_check(p, path, &q->peak);
  free(path);
  return rc;
}

static void quadfile_destroy(tpc_problem *p) {
  quadfile_priv *q = p->priv;
  if (!q) return;
  free(q->off);
  free(q->a);
  free(q->b);
  free(q);
  p->priv = NULL;
}

const tpc_problem_type tpc_problem_quadfile = {
    .name = "quadfile",
    .synopsis = "quadfile(file=PATH)",
    .summary = "general quadratics (dense or banded A_i, b_i) from a text file; exact constants",
    .keys = quadfile_keys,
    .work_size = quadfile_work_size,
    .init = quadfile_init,
    .destroy = quadfile_destroy,
    .grad = quadfile_grad,
    .value = quadfile_value,
    .optimum = quadfile_optimum,
};
