/*
** logreg(file=PATH,n=INT,lambda=REAL,reg=nonconvex|l2|none): logistic
** regression on a LibSVM data set with the regularizer r of THEORY.md T6,
**
**   f_i(x) = (1/m_i) sum_j log(1 + exp(-y_ij a_ij^T x)) + r(x),
**   reg=nonconvex (the default): r(x) = lambda sum_k x_k^2/(1 + x_k^2),
**   reg=l2:   r(x) = (lambda/2) |x|^2  (every f_i convex, f lambda-strongly),
**   reg=none: r(x) = 0                 (every f_i convex; lambda refused),
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
** A file name without '/' that does not exist is looked for among the data
** sets (files.c: the source tree's datasets/, the installed copy, $TPC_DATA),
** as given and with ".txt.gz" appended, so logreg(file=a9a) finds the
** shipped a9a.txt.gz.
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
** With reg=l2 the regularizer's curvature is lambda instead of 2 lambda (and
** L+- is unchanged), mu = musc = mu_i = lambda (lower bounds); with reg=none
** it is 0, and musc = mu_i = 0.  Lmax = max_i L_i (BOUND), each L_i kept.
**
** The optimum (convex regularizers only; THEORY.md T6, convex problems with
** exact optima) is computed by Newton's method with a backtracking line
** search: the Hessian (1/n) sum_i (1/m_i) A_i^T S_i A_i + lambda I
** (S_i = diag(s(1 - s)), s the logistic function of the margins) factored by
** gsl_linalg_cholesky_decomp1, stopped when |grad f| stops decreasing; it is
** marked COMPUTED with the |grad f| reached.  reg=none: features that never
** occur make the Hessian singular, so 1e-12 (1 + max diagonal) is added to
** its diagonal (those coordinates have zero gradient and stay 0).  On data
** that a hyperplane separates, f has no minimiser: when the iterate
** separates every row (then f(2x) < f(x)) or Newton does not converge, the
** optimum is refused with that reason.  A weaker form is common: a feature
** that occurs only in rows of one label (a9a has five) lets f decrease
** along that coordinate for ever, and Newton creeps on with |grad f| falling
** by a constant factor while its steps stay of length 1.  That feature is
** found first and named; other such directions show as steps that do not
** shrink (converged means |grad f| <= 1e-8 |grad f(0)| and a last step
** <= 1e-6 (1 + |x|)).
** lambda_max comes from eigbound.c (certified upper bound); the rounding of
** the Gram sums is covered by gamma_m ||A_i||_F^2 (each entry is a sum of m_i
** products; | |A|^T|A| |_2 <= its trace), and each scalar step rounds up.
** At x = 0 the Hessian of f_i is exactly A_i^T A_i/(4 m_i) + 2 lambda I, so
** the L_i and L- bounds are attained: they are tight.  Finite values too
** large for these sums (a Gram entry or its square past the double range)
** are bad input: TPC_EINPUT naming the constant and the largest value.
*/
#include <errno.h>
#include <float.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/error.h"
#include "problems/internal.h"
#include "problems/logreg_kern.h"

#define LOGREG_MAX_D 4096

typedef struct logreg_priv {
  size_t rows, nnz;
  size_t *row_ptr;    /* rows + 1 */
  uint32_t *col;      /* 0-based */
  double *val;
  int8_t *y;          /* -1 / +1 */
  size_t *start;      /* n + 1: client i owns rows start[i] .. start[i+1]-1 */
  double lambda;
  int reg;            /* LOGREG_NONCONVEX, LOGREG_L2, LOGREG_NONE */
  tpc_logreg_exp_fn exp;       /* the kernels for this CPU (TPC_KERNEL caps them) */
  tpc_logreg_terms_fn terms;
} logreg_priv;

enum { LOGREG_NONCONVEX, LOGREG_L2, LOGREG_NONE };
static const char *const logreg_regs[] = {"nonconvex", "l2", "none", NULL};

static const char *const logreg_keys[] = {"file", "n", "lambda", "reg", NULL};
static const char *const logreg_suffixes[] = {"", ".txt.gz", NULL};

/* ---- gradient ------------------------------------------------------------ */

/* The gradient runs over blocks of TPC_LOGREG_BLOCK rows, in passes: the
** margins (four rows at a time), exp of each, the element-wise terms (a
** kernel of logreg_kern.h), the loss sum and the scatter into g.  A block's
** rows (about 14 entries of 12 bytes in a9a) and its per-row scalars stay in
** L1 between the passes, so the matrix streams from memory once.  Every sum
** of the gradient keeps the order of the row-by-row definition, so the
** gradient is that definition to the last bit, with exp and log1p by tpc's
** own branch-free versions of fdlibm's kernels (logreg_kern_source.c): the
** same bits on every machine.  The loss is summed in four partial sums (row
** k of a block into sum k mod 4), a fixed order: one chain of additions was
** 4% of an a9a iteration. */

/* The portable kernels (logreg_kern_source.c), two rows at a time. */
#define LR_LANES 2
#define LR_NAME(f) tpc_logreg_##f
#include "problems/logreg_kern_source.c"
#undef LR_NAME
#undef LR_LANES

double tpc_logreg_exp1(double m) { return lr_exp_neg(lr_splat(m))[0]; }

/* a_r^T x from entry j0 of row r on (j0 = row_ptr[r] for the whole row), summed
** in index order onto z. */
static double logreg_dot(const logreg_priv *q, size_t r, size_t j0, const double *x, double z) {
  for (size_t j = j0; j < q->row_ptr[r + 1]; j++) z += q->val[j] * x[q->col[j]];
  return z;
}

/* m[k] = y_r a_r^T x for the nr rows from r0, each dot product summed in
** index order.  Four rows at a time over their common length: four
** independent chains of additions instead of one, the same sums. */
static void logreg_margins(const logreg_priv *q, size_t r0, size_t nr, const double *x,
                           double *m) {
  const size_t *rp = q->row_ptr;
  const uint32_t *col = q->col;
  const double *val = q->val;
  size_t k = 0;
  for (; k + 4 <= nr; k += 4) {
    size_t r = r0 + k, a = rp[r], b = rp[r + 1], c = rp[r + 2], e = rp[r + 3];
    size_t len = b - a;
    if (c - b < len) len = c - b;
    if (e - c < len) len = e - c;
    if (rp[r + 4] - e < len) len = rp[r + 4] - e;
    double z0 = 0, z1 = 0, z2 = 0, z3 = 0;
    for (size_t j = 0; j < len; j++) {
      z0 += val[a + j] * x[col[a + j]];
      z1 += val[b + j] * x[col[b + j]];
      z2 += val[c + j] * x[col[c + j]];
      z3 += val[e + j] * x[col[e + j]];
    }
    m[k] = q->y[r] * logreg_dot(q, r, a + len, x, z0);
    m[k + 1] = q->y[r + 1] * logreg_dot(q, r + 1, b + len, x, z1);
    m[k + 2] = q->y[r + 2] * logreg_dot(q, r + 2, c + len, x, z2);
    m[k + 3] = q->y[r + 3] * logreg_dot(q, r + 3, e + len, x, z3);
  }
  for (; k < nr; k++) m[k] = q->y[r0 + k] * logreg_dot(q, r0 + k, rp[r0 + k], x, 0);
}

/* g[col] += coef_r a_r for the nr rows from r0, rows in order.  Two entries
** at a time: a row's indices differ, so the pair's updates are independent. */
static void logreg_scatter(const logreg_priv *q, size_t r0, size_t nr, const double *s,
                           double *g) {
  const uint32_t *col = q->col;
  const double *val = q->val;
  for (size_t k = 0; k < nr; k++) {
    size_t r = r0 + k, j = q->row_ptr[r], end = q->row_ptr[r + 1];
    double coef = -(double)q->y[r] * s[k];
    for (; j + 2 <= end; j += 2) {
      double g0 = g[col[j]] + coef * val[j], g1 = g[col[j + 1]] + coef * val[j + 1];
      g[col[j]] = g0;
      g[col[j + 1]] = g1;
    }
    if (j < end) g[col[j]] += coef * val[j];
  }
}

/* The convex regularizers: g = g inv + lambda x (reg=l2) or g inv (reg=none)
** when g is not NULL; returns (lambda/2) |x|^2 or 0. */
static double logreg_convex_reg(const logreg_priv *q, const double *x, double *g, size_t d,
                                double inv) {
  double lam = q->reg == LOGREG_L2 ? q->lambda : 0.0, x2 = 0;
  for (size_t k = 0; k < d; k++) {
    x2 += x[k] * x[k];
    if (g) g[k] = g[k] * inv + lam * x[k];
  }
  return 0.5 * lam * x2;
}

/* f_i(x), and g = grad f_i(x) when g is not NULL (shared by grad and value so
** both return the same f_i), block by block of rows. */
static double logreg_eval(const tpc_problem *p, size_t i, const double *x, double *g) {
  const logreg_priv *q = p->priv;
  size_t r0 = q->start[i], r1 = q->start[i + 1], d = p->d;
  /* The kernel reads whole blocks: past a short last block's rows, m and e
  ** hold the previous block's values or these zeros, never garbage. */
  double m[TPC_LOGREG_BLOCK] = {0}, e[TPC_LOGREG_BLOCK] = {0};
  double sp[TPC_LOGREG_BLOCK], s[TPC_LOGREG_BLOCK];
  double l0 = 0, l1 = 0, l2 = 0, l3 = 0; /* row k of a block into l(k mod 4) */
  if (g) memset(g, 0, d * sizeof *g);
  for (size_t b = r0; b < r1; b += TPC_LOGREG_BLOCK) {
    size_t nr = r1 - b < TPC_LOGREG_BLOCK ? r1 - b : TPC_LOGREG_BLOCK;
    logreg_margins(q, b, nr, x, m);
    q->exp(m, e);
    q->terms(m, e, sp, s);
    size_t k = 0;
    for (; k + 4 <= nr; k += 4) {
      l0 += sp[k];
      l1 += sp[k + 1];
      l2 += sp[k + 2];
      l3 += sp[k + 3];
    }
    if (k < nr) l0 += sp[k];
    if (k + 1 < nr) l1 += sp[k + 1];
    if (k + 2 < nr) l2 += sp[k + 2];
    if (g) logreg_scatter(q, b, nr, s, g);
  }
  double inv = 1.0 / (double)(r1 - r0), reg = 0;
  double loss = ((l0 + l1) + (l2 + l3)) * inv;
  if (q->reg != LOGREG_NONCONVEX) return loss + logreg_convex_reg(q, x, g, d, inv);
  for (size_t k = 0; k < d; k++) {
    double x2 = x[k] * x[k], den = 1 + x2;
    reg += x2 / den;
    if (g) g[k] = g[k] * inv + q->lambda * 2 * x[k] / (den * den);
  }
  return loss + q->lambda * reg;
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
  tpc_problem_peak peak;   /* the largest |feature value| and its line */
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
    tpc_problem_peak_note(&b->peak, v, lr->lineno);
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

/* mu, musc, mu_i and the convex flag for the convex regularizers: lambda
** for l2 (the loss is convex, the regularizer lambda-strongly), 0 for none. */
static void logreg_convexity(tpc_problem *p, const logreg_priv *q) {
  if (q->reg == LOGREG_NONCONVEX) return;
  p->c.convex = 1;
  if (q->reg == LOGREG_L2) {
    p->c.musc = p->c.mui = p->c.mu = (tpc_const){.value = q->lambda, .kind = TPC_CONST_BOUND};
  } else {
    p->c.musc = p->c.mui = (tpc_const){.value = 0, .kind = TPC_CONST_EXACT};
  }
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
  if (!(p->Li = malloc(n * sizeof *p->Li))) rc = tpc_error(TPC_ENOMEM, "out of memory");
  double sum_l2 = 0, sum_L2 = 0, margin_mean = 0, lmaxi = 0;
  double reg = q->reg == LOGREG_NONCONVEX ? up(2 * q->lambda)
               : q->reg == LOGREG_L2      ? q->lambda
                                          : 0.0;
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
    p->Li[i] = Li;
    lmaxi = fmax(lmaxi, Li);
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
  p->c.Lminus =
      (tpc_const){.value = up(up(lmean + up(margin_mean / (double)n)) + reg),
                  .kind = TPC_CONST_BOUND};
  p->c.Lplus = (tpc_const){.value = up(sqrt(up(sum_L2 / (double)n))), .kind = TPC_CONST_BOUND};
  p->c.Lpm = (tpc_const){.value = up(sqrt(up(sum_l2 / (double)n))), .kind = TPC_CONST_BOUND};
  p->c.mu = (tpc_const){.value = 0, .kind = TPC_CONST_UNKNOWN};
  p->c.finf = (tpc_const){.value = 0, .kind = TPC_CONST_BOUND};
  p->c.finf_i = p->c.finf; /* every f_i: a mean of logistic losses and a regularizer, >= 0 */
  p->c.Lmax = (tpc_const){.value = lmaxi, .kind = TPC_CONST_BOUND};
  logreg_convexity(p, q);
  return TPC_OK;
}

/* reg=nonconvex|l2|none; lambda with reg=none is refused (it would be unused). */
static int logreg_param_reg(const tpc_spec *s, int *reg) {
  const tpc_spec_param *r = tpc_spec_param_find(s, "reg");
  if (!r) return TPC_OK;
  for (int k = 0; logreg_regs[k]; k++)
    if (strcmp(r->text, logreg_regs[k]) == 0) *reg = k;
  if (strcmp(r->text, logreg_regs[*reg]) != 0)
    return tpc_error(TPC_EINPUT, "column %zu: reg must be nonconvex, l2 or none, got '%s'",
                     s->pos + 1, r->text);
  if (*reg == LOGREG_NONE && tpc_spec_param_find(s, "lambda"))
    return tpc_error(TPC_EINPUT, "column %zu: reg=none takes no lambda (there is no "
                     "regularizer to weigh)", s->pos + 1);
  return TPC_OK;
}

static int logreg_init(tpc_problem *p, const tpc_spec *s) {
  const char *name;
  long n;
  double lambda;
  int rc = tpc_problem_param_text(s, "file", &name);
  if (!rc) rc = tpc_problem_param_int(s, "n", 20, 1, 100000000L, &n);
  if (!rc) rc = tpc_problem_param_real(s, "lambda", 0.1, 0.0, 1e6, &lambda);
  int reg = LOGREG_NONCONVEX;
  if (!rc) rc = logreg_param_reg(s, &reg);
  if (rc) return rc;
  logreg_priv *q = calloc(1, sizeof *q);
  if (!q) return tpc_error(TPC_ENOMEM, "out of memory");
  p->priv = q;
  p->n = (size_t)n;
  q->lambda = reg == LOGREG_NONE ? 0.0 : lambda;
  q->reg = reg;
  tpc_isa isa = tpc_cpu_isa();
  q->exp = isa >= TPC_ISA_AVX512 ? tpc_logreg_exp_avx512
           : isa >= TPC_ISA_AVX2 ? tpc_logreg_exp_avx2
                                 : tpc_logreg_exp;
  q->terms = isa >= TPC_ISA_AVX512 ? tpc_logreg_terms_avx512
             : isa >= TPC_ISA_AVX2 ? tpc_logreg_terms_avx2
                                   : tpc_logreg_terms;
  char *path = NULL;
  csr_build b = {0};
  rc = tpc_problem_find_dataset(name, logreg_suffixes, &path);
  if (!rc) rc = logreg_read(path, q, &b);
  if (!rc) rc = logreg_shape(p, q, &b, path);
  if (!rc) rc = logreg_consts(p);
  if (!rc) rc = tpc_problem_consts_check(p, path, &b.peak);
  free(b.label);
  free(path);
  return rc;
}

/* ---- the optimum (Newton's method; see the top of the file) -------------- */

#define NEWTON_MAX_ITER 100
#define NEWTON_STALL 3          /* iterations without a smaller |grad f| that end it */

/* Buffers of one Newton run. */
typedef struct newton {
  const tpc_problem *p;
  double *g, *gt, *xt, *step, *hess, *gtmp;
  void *work;
  double f, gn;   /* f and |grad f| at the current x */
  double g0;      /* |grad f(0)|, the scale of "converged" */
  double moved;   /* length of the last step taken */
} newton;

static double norm2(const double *v, size_t d) {
  double s = 0;
  for (size_t k = 0; k < d; k++) s += v[k] * v[k];
  return sqrt(s);
}

/* The Hessian of f at x into nt->hess (dense, both halves): the loss's
** (1/n) sum_i (1/m_i) sum_r s_r (1 - s_r) a_r a_r^T plus lambda I (l2), or
** plus the small ridge of reg=none. */
static void newton_hessian(newton *nt, const double *x) {
  const tpc_problem *p = nt->p;
  const logreg_priv *q = p->priv;
  size_t d = p->d;
  double *h = nt->hess, dmax = 0;
  memset(h, 0, d * d * sizeof *h);
  for (size_t i = 0; i < p->n; i++) {
    double scale = 1.0 / ((double)(q->start[i + 1] - q->start[i]) * (double)p->n);
    for (size_t r = q->start[i]; r < q->start[i + 1]; r++) {
      double sg = 1.0 / (1.0 + exp(-logreg_dot(q, r, q->row_ptr[r], x, 0)));
      double w = sg * (1.0 - sg) * scale;
      for (size_t a = q->row_ptr[r]; a < q->row_ptr[r + 1]; a++)
        for (size_t b = q->row_ptr[r]; b < q->row_ptr[r + 1]; b++)
          h[(size_t)q->col[a] * d + q->col[b]] += w * q->val[a] * q->val[b];
    }
  }
  for (size_t k = 0; k < d; k++) dmax = fmax(dmax, h[k * d + k]);
  double ridge = q->reg == LOGREG_L2 ? q->lambda : 1e-12 * (1.0 + dmax);
  for (size_t k = 0; k < d; k++) h[k * d + k] += ridge;
}

/* One damped Newton step from x: the step solves H step = -g; halve it until
** f decreases by the Armijo amount or |grad f| decreases.  Updates x, g, f,
** gn; returns 1 when it moved, 0 when no step helped, -status on failure. */
static int newton_step(newton *nt, double *x) {
  size_t d = nt->p->d;
  newton_hessian(nt, x);
  gsl_matrix_view hv = gsl_matrix_view_array(nt->hess, d, d);
  gsl_vector_view sv = gsl_vector_view_array(nt->step, d);
  for (size_t k = 0; k < d; k++) nt->step[k] = -nt->g[k];
  if (gsl_linalg_cholesky_decomp1(&hv.matrix) || gsl_linalg_cholesky_svx(&hv.matrix, &sv.vector))
    return -tpc_error(TPC_EINPUT, "the Hessian is not positive definite to working precision");
  double slope = 0;
  for (size_t k = 0; k < d; k++) slope += nt->g[k] * nt->step[k];
  for (double t = 1.0; t > 1e-12; t /= 2) {
    for (size_t k = 0; k < d; k++) nt->xt[k] = x[k] + t * nt->step[k];
    double ft = tpc_problem_full_grad(nt->p, nt->xt, nt->gt, nt->gtmp, nt->work);
    double gnt = norm2(nt->gt, d);
    if (ft <= nt->f + 1e-4 * t * slope || gnt < nt->gn) {
      memcpy(x, nt->xt, d * sizeof *x);
      memcpy(nt->g, nt->gt, d * sizeof *x);
      nt->f = ft;
      nt->gn = gnt;
      nt->moved = t * norm2(nt->step, d);
      return 1;
    }
  }
  return 0;
}

/* Iterate until |grad f| has not decreased for NEWTON_STALL steps; x ends at
** the point of the smallest |grad f| seen (nt->xt is reused as scratch). */
static int newton_run(newton *nt, double *x) {
  const tpc_problem *p = nt->p;
  size_t d = p->d;
  double *best = malloc(d * sizeof *best);
  if (!best) return tpc_error(TPC_ENOMEM, "out of memory");
  memset(x, 0, d * sizeof *x);
  nt->f = tpc_problem_full_grad(p, x, nt->g, nt->gtmp, nt->work);
  nt->gn = nt->g0 = norm2(nt->g, d);
  double bestg = nt->gn;
  memcpy(best, x, d * sizeof *x);
  int rc = TPC_OK;
  for (int it = 0, stall = 0; it < NEWTON_MAX_ITER && stall < NEWTON_STALL && bestg > 0; it++) {
    int moved = newton_step(nt, x);
    if (moved < 0) rc = -moved;
    if (moved <= 0) break;
    stall = nt->gn < bestg ? 0 : stall + 1;
    if (nt->gn < bestg) {
      bestg = nt->gn;
      memcpy(best, x, d * sizeof *x);
    }
  }
  memcpy(x, best, d * sizeof *x);
  nt->gn = bestg;
  free(best);
  return rc;
}

/* A feature k whose every nonzero y_r a_rk has one sign: f decreases without
** end along -sign e_k (each row's loss falls, none rises), so with reg=none
** f has no minimiser.  Returns k + 1, or 0 when there is none. */
static size_t logreg_one_sided_feature(const tpc_problem *p, int *sign) {
  const logreg_priv *q = p->priv;
  size_t d = p->d, found = 0;
  unsigned char *seen = calloc(d, 1);   /* bit 1: a positive y a_rk, bit 2: a negative */
  if (!seen) return 0;
  for (size_t r = 0; r < q->rows; r++)
    for (size_t a = q->row_ptr[r]; a < q->row_ptr[r + 1]; a++) {
      double v = q->y[r] * q->val[a];
      seen[q->col[a]] |= v > 0 ? 1 : v < 0 ? 2 : 0;
    }
  for (size_t k = 0; k < d && !found; k++)
    if (seen[k] == 1 || seen[k] == 2) {
      found = k + 1;
      *sign = seen[k] == 1 ? 1 : -1;
    }
  free(seen);
  return found;
}

/* 1 when x separates the data: every margin y_r a_r^T x > 0. */
static int logreg_separates(const logreg_priv *q, const double *x) {
  for (size_t r = 0; r < q->rows; r++)
    if (!(q->y[r] * logreg_dot(q, r, q->row_ptr[r], x, 0) > 0)) return 0;
  return 1;
}

/* Newton from 0; refused when the regularizer is nonconvex, when the data
** are separated by the iterate (reg=none: no minimiser), or when |grad f|
** did not fall below 1e-8 |grad f(0)| (not converged). */
static int logreg_optimum(const tpc_problem *p, double *x, tpc_const_kind *kind) {
  const logreg_priv *q = p->priv;
  size_t d = p->d;
  if (q->reg == LOGREG_NONCONVEX)
    return tpc_error(TPC_EINPUT, "no minimiser is known with the nonconvex regularizer "
                     "(use reg=l2 or reg=none)");
  int sign = 0;
  size_t k = q->reg == LOGREG_NONE ? logreg_one_sided_feature(p, &sign) : 0;
  if (k)
    return tpc_error(TPC_EINPUT, "feature %zu has y a_%zu of one sign (%s) in every row where "
                     "it occurs: with reg=none f decreases without end as x_%zu -> %s, so it "
                     "has no minimiser", k, k, sign > 0 ? "> 0" : "< 0", k,
                     sign > 0 ? "+inf" : "-inf");
  newton nt = {.p = p};
  nt.g = malloc(d * sizeof *nt.g);
  nt.gt = malloc(d * sizeof *nt.gt);
  nt.xt = malloc(d * sizeof *nt.xt);
  nt.step = malloc(d * sizeof *nt.step);
  nt.gtmp = malloc(d * sizeof *nt.gtmp);
  nt.hess = malloc(d * d * sizeof *nt.hess);
  nt.work = malloc(tpc_problem_work_size(p));
  int rc = TPC_OK;
  if (!nt.g || !nt.gt || !nt.xt || !nt.step || !nt.gtmp || !nt.hess || !nt.work)
    rc = tpc_error(TPC_ENOMEM, "out of memory for Newton's method (d = %zu)", d);
  if (!rc) rc = newton_run(&nt, x);
  if (!rc && q->reg == LOGREG_NONE && logreg_separates(q, x))
    rc = tpc_error(TPC_EINPUT, "the data are linearly separable (Newton's iterate separates "
                   "every row): with reg=none f has no minimiser");
  else if (!rc && !(nt.gn <= 1e-8 * nt.g0 && nt.moved <= 1e-6 * (1 + norm2(x, d))))
    rc = tpc_error(TPC_EINPUT, "Newton's method stopped at |grad f| = %.3g (from %.3g), its "
                   "last step %.3g long: no minimiser found%s", nt.gn, nt.g0, nt.moved,
                   q->reg == LOGREG_NONE ? " (the data may be separable)" : "");
  free(nt.g);
  free(nt.gt);
  free(nt.xt);
  free(nt.step);
  free(nt.gtmp);
  free(nt.hess);
  free(nt.work);
  *kind = TPC_CONST_COMPUTED;
  return rc;
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
    .synopsis = "logreg(file=PATH, n=INT, lambda=REAL, reg=nonconvex|l2|none)",
    .summary = "logistic regression, nonconvex regularizer, LibSVM data (T6); bounds",
    .keys = logreg_keys,
    .work_size = logreg_work_size,
    .init = logreg_init,
    .destroy = logreg_destroy,
    .grad = logreg_grad,
    .value = logreg_value,
    .optimum = logreg_optimum,
};
