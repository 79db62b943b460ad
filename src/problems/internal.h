/*
** Private helpers shared by the problem types (the .c files of src/problems): reading
** spec parameters with range checks, finding data files, reading text lines
** from plain or gzip files, the built-in type descriptors, and the rigorous
** upper bound on the largest eigenvalue of a symmetric matrix that the
** logistic-regression bounds need.  Not installed; not part of the API.
*/
#ifndef TPC_PROBLEMS_INTERNAL_H
#define TPC_PROBLEMS_INTERNAL_H

#include <stddef.h>
#include <zlib.h>

#include "problems/problem.h"

extern const tpc_problem_type tpc_problem_quad;
extern const tpc_problem_type tpc_problem_quadfile;
extern const tpc_problem_type tpc_problem_logreg;
extern const tpc_problem_type tpc_problem_autoenc;

/* Integer parameter `key` of spec s in [lo, hi], `def` when absent.  The
** value must be integral.  TPC_EINPUT naming the spec's column otherwise. */
int tpc_problem_param_int(const tpc_spec *s, const char *key, long def, long lo,
                          long hi, long *out);

/* Real parameter (finite by the spec grammar) in [lo, hi], `def` when absent. */
int tpc_problem_param_real(const tpc_spec *s, const char *key, double def,
                           double lo, double hi, double *out);

/* Text parameter; TPC_EINPUT "parameter 'key' is required" when absent. */
int tpc_problem_param_text(const tpc_spec *s, const char *key, const char **out);

/* Resolve a data file name.  A name that exists as given is used as is.  A
** name without '/' that does not exist is tried in each of `dirs` (NULL-
** terminated), each with every suffix of `suffixes` (NULL-terminated; "" for
** the bare name).  On success *out is a malloc'd path.  TPC_EINPUT naming the
** places tried when nothing exists; TPC_ENOMEM. */
int tpc_problem_find_file(const char *name, const char *const *dirs,
                          const char *const *suffixes, char **out);

/* The places a short data-set name is looked up, in order (files.c): the
** source tree's datasets/, the installed share/tpc/datasets beside the
** program's bin/ (absent when the program's path cannot be read) and
** $TPC_DATA (when set and not empty).  dirs is NULL-terminated, each entry
** malloc'd: free with tpc_problem_data_dirs_free.  TPC_ENOMEM. */
#define TPC_DATA_DIRS 3
int tpc_problem_data_dirs(char *dirs[TPC_DATA_DIRS + 1]);
void tpc_problem_data_dirs_free(char *dirs[TPC_DATA_DIRS + 1]);

/* tpc_problem_find_file over the data-set places above. */
int tpc_problem_find_dataset(const char *name, const char *const *suffixes, char **out);

/* Open a data file, plain or gzip, for gzread: only a regular file
** (core/file.h), so a FIFO cannot block the open.  TPC_EINPUT naming the
** file; TPC_ENOMEM. */
int tpc_problem_gzopen(const char *path, gzFile *out);

/* A text reader over tpc_problem_gzopen (zlib reads plain files too) that
** returns whole lines of any length and counts them. */
typedef struct tpc_lines {
  gzFile f;
  const char *path;
  char *buf;
  size_t cap;
  size_t lineno;    /* 1-based number of the line last returned */
  void *state;      /* the block buffer (files.c) */
} tpc_lines;

/* TPC_EINPUT when the file cannot be opened; TPC_ENOMEM.  `path` must
** outlive the reader.  Close even after a failed open. */
int tpc_lines_open(tpc_lines *r, const char *path);
/* Next line without its end-of-line characters ("\n" or "\r\n") into r->buf:
** 1, 0 at end of file, or a negated status: -TPC_EINPUT for a read error, a
** corrupt or truncated gzip stream or a NUL byte, -TPC_ENOMEM; the message
** names the file and the line. */
int tpc_lines_next(tpc_lines *r);
void tpc_lines_close(tpc_lines *r);

/* The largest |value| read from a data file and the line it is on: when
** the constants overflow, the message points at it. */
typedef struct tpc_problem_peak {
  double abs;
  size_t line;
} tpc_problem_peak;

/* Note value v, read on `line`. */
void tpc_problem_peak_note(tpc_problem_peak *pk, double v, size_t line);

/* TPC_EINPUT "'path': L+ overflows (the data's values are too large: largest
** |value| 1e+308, line 3)" for the first of L-, L+, L+-, mu, f_inf that is
** not finite: finite data whose sums and squares leave the double range is
** bad input, not a constant to run a method with.  TPC_OK when all are. */
int tpc_problem_consts_check(const tpc_problem *p, const char *path,
                             const tpc_problem_peak *pk);

/* Upper bound on lambda_max of the symmetric d x d matrix a (row major,
** destroyed), valid despite rounding: an estimate from gsl_eigen_symm,
** certified by a Cholesky factorization of t I - a (see eigbound.c); +inf
** when the entries are too large for that (or not finite), which callers
** report through tpc_problem_consts_check.  Returns TPC_OK, TPC_ENOMEM or
** TPC_EINTERNAL. */
int tpc_problem_lambda_max_bound(double *a, size_t d, double *bound);

/* In-place lower Cholesky factor L (A = L L^T, in the lower half) of the
** row-major symmetric d x d matrix b, unblocked, in plain IEEE arithmetic.
** Returns 1, or 0 when a pivot is not positive (not positive definite to
** working precision; b is then partly overwritten). */
int tpc_problem_cholesky(double *b, size_t d);

/* gamma_k = k u / (1 - k u) (Higham), u the unit roundoff of double: the
** relative error bound of a k-term floating-point sum or product. */
double tpc_problem_gamma(double k);

#endif
