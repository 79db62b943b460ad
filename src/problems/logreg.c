/*
** logreg(file=PATH,n=INT,lambda=REAL): logistic regression with the
** nonconvex regularizer of THEORY.md T6 on a LibSVM data set,
**
**   f_i(x) = (1/m_i) sum_j log(1 + exp(-y_ij a_ij^T x)) + lambda sum_k x_k^2/(1 + x_k^2),
**
** defaults n = 20, lambda = 0.1, x0 = 0.
**
** The file.  LibSVM text, plain or gzip (read through zlib).  One row per
** line: `LABEL INDEX:VALUE INDEX:VALUE ...`, blanks (spaces, tabs) between
** tokens, indices from 1 and strictly increasing within a line (the LibSVM
** convention; a repeated or decreasing index is an error, not a sum), values
** finite decimal numbers.  Blank lines are skipped.  d is the largest index
** in the file (at most 4096: the bounds below use dense d x d matrices).
** There must be exactly two label values; the smaller maps to -1, the larger
** to +1 (0/1, 1/2 and -1/+1 files all work).  Every error is TPC_EINPUT with
** the file's name and the number of the first bad line.
**
** A file name without '/' that does not exist is looked for in
** ../shared/datasets/ and /work/shared/datasets/, as given and with ".txt.gz"
** appended, so logreg(file=a9a) finds the shipped a9a.txt.gz.
**
** Split (T7): rows in file order, n contiguous blocks of floor(rows/n) rows,
** the remainder to the last client.  Storage: CSR (32-bit column indices,
** double values), labels as int8.  A gradient reads its client's rows once.
**
** Constants (T6), all upper bounds (BOUND), valid despite rounding:
**   l_i = lambda_max(A_i^T A_i)/(4 m_i)  bounds the logistic part's Hessian,
**   L_i = l_i + 2 lambda                 (|d^2/dt^2 t^2/(1+t^2)| <= 2),
**   L-  = lambda_max((1/n) sum A_i^T A_i/(4 m_i)) + 2 lambda,
**   L+  = sqrt((1/n) sum L_i^2),
**   L+- = sqrt((1/n) sum l_i^2): the regularizer is the same on every client,
**         so it cancels from grad f_i - grad f and the Hessian variance is at
**         most (1/n) sum ||D_i||^2 / ||x - y||^2 with D_i the logistic parts'
**         differences, each at most l_i ||x - y||;
**   f_inf >= 0 (BOUND); mu UNKNOWN (f is not PL in general).
** lambda_max comes from eigbound.c (certified upper bound); the rounding of
** the Gram sums is covered by gamma_m ||A_i||_F^2 (each entry is a sum of m_i
** products; | |A|^T|A| |_2 <= its trace), and each scalar step rounds up.
** At x = 0 the Hessian of f_i is exactly A_i^T A_i/(4 m_i) + 2 lambda I, so
** the L_i and L- bounds are attained: they are tight.
*/
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "problems/internal.h"

#define LOGREG_MAX_D 4096

typedef struct logreg_priv {
  size_t rows, nnz;
  size_t *row_ptr;    /* rows + 1 */
  uint32_t *col;      /* 0-based */
  double *val;
  int8_t *y;          /* -1 / +1 */
  size_t *start;      /* n + 1: client i owns rows start[i] .. start[i+1]-1 */
  double lambda;
} logreg_priv;

static const char *const logreg_keys[] = {"file", "n", "lambda", NULL};
static const char *const logreg_dirs[] = {"../shared/datasets", "/work/shared/datasets", NULL};
static const char *const logreg_suffixes[] = {"", ".txt.gz", NULL};

/* ---- gradient ------------------------------------------------------------ */

/* log(1 + exp(-m)) without overflow or cancellation. */
static double softplus_neg(double m) {
  return m >= 0 ? log1p(exp(-m)) : -m + log1p(exp(m));
}

/* 1 / (1 + exp(m)). */
static double sigmoid_neg(double m) {
  if (m >= 0) {
    double e = exp(-m);
    return e / (1 + e);
  }
  return 1 / (1 + exp(m));
}

/* f_i(x), and g = grad f_i(x) when g is not NULL (shared by grad and value so
** both return the same f_i). */
static double logreg_eval(const tpc_problem *p, size_t i, const double *x, double *g) {
  const logreg_priv *q = p->priv;
  size_t r0 = q->start[i], r1 = q->start[i + 1], d = p->d;
  double loss = 0;
  if (g) memset(g, 0, d * sizeof *g);
  for (size_t r = r0; r < r1; r++) {
    double z = 0;
    for (size_t k = q->row_ptr[r]; k < q->row_ptr[r + 1]; k++) z += q->val[k] * x[q->col[k]];
    double y = q->y[r], m = y * z;
    loss += softplus_neg(m);
    if (!g) continue;
    double coef = -y * sigmoid_neg(m);
    for (size_t k = q->row_ptr[r]; k < q->row_ptr[r + 1]; k++) g[q->col[k]] += coef * q->val[k];
  }
  double inv = 1.0 / (double)(r1 - r0), reg = 0;
  for (size_t k = 0; k < d; k++) {
    double x2 = x[k] * x[k], den = 1 + x2;
    reg += x2 / den;
    if (g) g[k] = g[k] * inv + q->lambda * 2 * x[k] / (den * den);
  }
  return loss * inv + q->lambda * reg;
}

static double logreg_grad(const tpc_problem *p, size_t i, const double *x, double *g,
                          void *work) {
  (void)work;
  return logreg_eval(p, i, x, g);
}

static double logreg_value(const tpc_problem *p, size_t i, const double *x, void *work) {
  (void)work;
  return logreg_eval(p, i, x, NULL);
}

static size_t logreg_work_size(const tpc_problem *p) {
  (void)p;
  return 0;
}

/* ---- reading ------------------------------------------------------------- */

/* Growing arrays for the CSR data while the file is read. */
typedef struct csr_build {
  size_t rows, nnz, cap_rows, cap_nnz;
  double labels[2];
  size_t nlabels;
  double *label;
  size_t maxcol;
} csr_build;

/* Make room for `need` elements in two parallel arrays of `cap` elements
** (a gets cap + extra_a); *cap changes only when both grew. */
static int grow2(void **a, size_t ea, size_t extra_a, void **b, size_t eb, size_t *cap,
                 size_t need) {
  if (need <= *cap) return TPC_OK;
  size_t nc = *cap ? *cap : 1024;
  while (nc < need) nc *= 2;
  void *na = realloc(*a, (nc + extra_a) * ea);
  if (na) *a = na;
  void *nb = na ? realloc(*b, nc * eb) : NULL;
  if (!nb) return tpc_error(TPC_ENOMEM, "out of memory reading the data (%zu entries)", nc);
  *b = nb;
  *cap = nc;
  return TPC_OK;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Read the label at *s and note it in the label set; TPC_EINPUT for a bad
** token or a third distinct value. */
static int parse_label(tpc_lines *lr, csr_build *b, char **s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(*s, &end);
  if (end == *s || (*end && !is_blank(*end)) || !isfinite(v))
    return tpc_error(TPC_EINPUT, "'%s' line %zu: bad label '%.*s'", lr->path, lr->lineno,
                     (int)strcspn(*s, " \t"), *s);
  size_t k = 0;
  while (k < b->nlabels && b->labels[k] != v) k++;
  if (k == b->nlabels) {
    if (b->nlabels == 2)
      return tpc_error(TPC_EINPUT,
                       "'%s' line %zu: a third label value %g (after %g and %g): "
                       "labels must be binary",
                       lr->path, lr->lineno, v, b->labels[0], b->labels[1]);
    b->labels[b->nlabels++] = v;
  }
  *s = end;
  *out = v;
  return TPC_OK;
}

/* One INDEX:VALUE token at s (not blank); its end in *end. */
static int parse_feature(tpc_lines *lr, char *s, char **end, unsigned long prev,
                         unsigned long *idx, double *val) {
  int tl = (int)strcspn(s, " \t");
  char *e;
  errno = 0;
  unsigned long j = (*s >= '0' && *s <= '9') ? strtoul(s, &e, 10) : 0;
  if (!(*s >= '0' && *s <= '9') || *e != ':' || errno)
    return tpc_error(TPC_EINPUT, "'%s' line %zu: bad feature '%.*s' (expected INDEX:VALUE)",
                     lr->path, lr->lineno, tl, s);
  if (j < 1)
    return tpc_error(TPC_EINPUT, "'%s' line %zu: feature index 0 (indices start at 1)",
                     lr->path, lr->lineno);
  if (j > LOGREG_MAX_D)
    return tpc_error(TPC_EINPUT, "'%s' line %zu: feature index %lu exceeds %d", lr->path,
                     lr->lineno, j, LOGREG_MAX_D);
  if (j <= prev)
    return tpc_error(TPC_EINPUT, "'%s' line %zu: feature index %lu after %lu (indices must "
                     "increase)", lr->path, lr->lineno, j, prev);
  char *vs = e + 1;
  double v = strtod(vs, &e);
  if (e == vs || (*e && !is_blank(*e)))
    return tpc_error(TPC_EINPUT, "'%s' line %zu: bad feature '%.*s' (expected INDEX:VALUE)",
                     lr->path, lr->lineno, tl, s);
  if (!isfinite(v))
    return tpc_error(TPC_EINPUT, "'%s' line %zu: feature %lu has the non-finite value '%.*s'",
                     lr->path, lr->lineno, j, (int)(e - vs), vs);
  *idx = j;
  *val = v;
  *end = e;
  return TPC_OK;
}

/* Parse one non-blank line into the next row. */
static int parse_row(tpc_lines *lr, csr_build *b, logreg_priv *q, char *s) {
  int rc = grow2((void **)&q->row_ptr, sizeof *q->row_ptr, 1, (void **)&b->label,
                 sizeof *b->label, &b->cap_rows, b->rows + 1);
  if (rc) return rc;
  rc = parse_label(lr, b, &s, &b->label[b->rows]);
  unsigned long prev = 0;
  while (!rc) {
    while (is_blank(*s)) s++;
    if (!*s) break;
    unsigned long j = 0;
    double v = 0;
    rc = parse_feature(lr, s, &s, prev, &j, &v);
    if (!rc) rc = grow2((void **)&q->val, sizeof *q->val, 0, (void **)&q->col, sizeof *q->col,
                        &b->cap_nnz, b->nnz + 1);
    if (rc) break;
    q->col[b->nnz] = (uint32_t)(j - 1);
    q->val[b->nnz++] = v;
    if (j > b->maxcol) b->maxcol = j;
    prev = j;
  }
  if (!rc) q->row_ptr[++b->rows] = b->nnz;
  return rc;
}

static int logreg_read(const char *path, logreg_priv *q, csr_build *b) {
  tpc_lines lr;
  int rc = tpc_lines_open(&lr, path);
  if (!rc) rc = grow2((void **)&q->row_ptr, sizeof *q->row_ptr, 1, (void **)&b->label,
                      sizeof *b->label, &b->cap_rows, 1);
  if (!rc) q->row_ptr[0] = 0;
  while (!rc) {
    int got = tpc_lines_next(&lr);
    if (got < 0) rc = -got;
    if (got <= 0) break;
    char *s = lr.buf;
    while (is_blank(*s)) s++;
    if (*s) rc = parse_row(&lr, b, q, s);
  }
  tpc_lines_close(&lr);
  return rc;
}

/* ---- set-up -------------------------------------------------------------- */

/* Labels to -1/+1 and the T7 split; TPC_EINPUT for a data set that cannot
** be split or classified. */
static int logreg_shape(tpc_problem *p, logreg_priv *q, csr_build *b, const char *path) {
  q->rows = b->rows;
  q->nnz = b->nnz;
  if (b->rows == 0) return tpc_error(TPC_EINPUT, "'%s' has no data rows", path);
  if (b->nlabels < 2)
    return tpc_error(TPC_EINPUT, "'%s': every row has the label %g: labels must take two "
                     "values", path, b->labels[0]);
  if (p->n > b->rows)
    return tpc_error(TPC_EINPUT, "n = %zu exceeds the %zu rows of '%s'", p->n, b->rows, path);
  p->d = b->maxcol ? b->maxcol : 1;
  double lo = fmin(b->labels[0], b->labels[1]);
  q->y = malloc(b->rows * sizeof *q->y);
  q->start = malloc((p->n + 1) * sizeof *q->start);
  p->x0 = calloc(p->d, sizeof *p->x0);
  if (!q->y || !q->start || !p->x0) return tpc_error(TPC_ENOMEM, "out of memory");
  for (size_t r = 0; r < b->rows; r++) q->y[r] = b->label[r] == lo ? -1 : 1;
  size_t m = b->rows / p->n;
  for (size_t i = 0; i < p->n; i++) q->start[i] = i * m;
  q->start[p->n] = b->rows;
  p->data_bytes = q->nnz * (sizeof *q->col + sizeof *q->val) +
                  (q->rows + 1) * sizeof *q->row_ptr + q->rows * sizeof *q->y;
  return TPC_OK;
}

/* The next double above x: a bound on the exact result of the rounded
** operation that produced x. */
static double up(double x) { return nextafter(x, INFINITY); }

/* gram = A_i^T A_i (dense d x d) for client i; *fro2 = ||A_i||_F^2. */
static void gram(const tpc_problem *p, size_t i, double *gm, double *fro2) {
  const logreg_priv *q = p->priv;
  size_t d = p->d;
  memset(gm, 0, d * d * sizeof *gm);
  double f = 0;
  for (size_t r = q->start[i]; r < q->start[i + 1]; r++)
    for (size_t a = q->row_ptr[r]; a < q->row_ptr[r + 1]; a++) {
      double va = q->val[a];
      double *row = gm + (size_t)q->col[a] * d;
      f += va * va;
      for (size_t b = q->row_ptr[r]; b < q->row_ptr[r + 1]; b++) row[q->col[b]] += va * q->val[b];
    }
  *fro2 = f;
}

/* The T6 bounds (see the top of the file). */
static int logreg_consts(tpc_problem *p) {
  const logreg_priv *q = p->priv;
  size_t d = p->d, n = p->n;
  double *gm = malloc(d * d * sizeof *gm), *mean = calloc(d * d, sizeof *mean);
  if (!gm || !mean) {
    free(gm);
    free(mean);
    return tpc_error(TPC_ENOMEM, "out of memory for %zu x %zu Gram matrices", d, d);
  }
  int rc = TPC_OK;
  double sum_l2 = 0, sum_L2 = 0, margin_mean = 0, reg = up(2 * q->lambda);
  for (size_t i = 0; i < n && !rc; i++) {
    double m = (double)(q->start[i + 1] - q->start[i]), fro2, lmax;
    gram(p, i, gm, &fro2);
    /* The accumulation into `mean` rounds each entry once more per client. */
    double gsum = tpc_problem_gamma(m + 1) + tpc_problem_gamma((double)n + 2);
    margin_mean = up(margin_mean + up(up(2 * gsum * fro2) / (4 * m)));
    for (size_t k = 0; k < d * d; k++) mean[k] += gm[k] / (4 * m);
    rc = tpc_problem_lambda_max_bound(gm, d, &lmax);
    double li = up(up(lmax + up(2 * tpc_problem_gamma(m + 1) * fro2)) / (4 * m));
    double Li = up(li + reg);
    sum_l2 = up(sum_l2 + up(li * li));
    sum_L2 = up(sum_L2 + up(Li * Li));
  }
  double lmean = 0;
  if (!rc) {
    for (size_t k = 0; k < d * d; k++) mean[k] /= (double)n;
    rc = tpc_problem_lambda_max_bound(mean, d, &lmean);
  }
  free(gm);
  free(mean);
  if (rc) return rc;
  p->c.Lminus = (tpc_const){up(up(lmean + up(margin_mean / (double)n)) + reg), TPC_CONST_BOUND};
  p->c.Lplus = (tpc_const){up(sqrt(up(sum_L2 / (double)n))), TPC_CONST_BOUND};
  p->c.Lpm = (tpc_const){up(sqrt(up(sum_l2 / (double)n))), TPC_CONST_BOUND};
  p->c.mu = (tpc_const){0, TPC_CONST_UNKNOWN};
  p->c.finf = (tpc_const){0, TPC_CONST_BOUND};
  return TPC_OK;
}

static int logreg_init(tpc_problem *p, const tpc_spec *s) {
  const char *name;
  long n;
  double lambda;
  int rc = tpc_problem_param_text(s, "file", &name);
  if (!rc) rc = tpc_problem_param_int(s, "n", 20, 1, 100000000L, &n);
  if (!rc) rc = tpc_problem_param_real(s, "lambda", 0.1, 0.0, 1e6, &lambda);
  if (rc) return rc;
  logreg_priv *q = calloc(1, sizeof *q);
  if (!q) return tpc_error(TPC_ENOMEM, "out of memory");
  p->priv = q;
  p->n = (size_t)n;
  q->lambda = lambda;
  char *path = NULL;
  csr_build b = {0};
  rc = tpc_problem_find_file(name, logreg_dirs, logreg_suffixes, &path);
  if (!rc) rc = logreg_read(path, q, &b);
  if (!rc) rc = logreg_shape(p, q, &b, path);
  free(b.label);
  free(path);
  return rc ? rc : logreg_consts(p);
}

static void logreg_destroy(tpc_problem *p) {
  logreg_priv *q = p->priv;
  if (!q) return;
  free(q->row_ptr);
  free(q->col);
  free(q->val);
  free(q->y);
  free(q->start);
  free(q);
  p->priv = NULL;
}

const tpc_problem_type tpc_problem_logreg = {
    .name = "logreg",
    .synopsis = "logreg(file=PATH, n=INT, lambda=REAL)",
    .summary = "logistic regression, nonconvex regularizer, LibSVM data (T6); bounds",
    .keys = logreg_keys,
    .work_size = logreg_work_size,
    .init = logreg_init,
    .destroy = logreg_destroy,
    .grad = logreg_grad,
    .value = logreg_value,
};
