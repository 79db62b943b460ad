/*
** Optimization problems for Algorithm 1 (THEORY.md T4-T7): f = (1/n) sum f_i
** with local gradients, and the smoothness constants Theorem 1 and the PL
** theorem need, each marked exact or a bound.
**
** Problems are named by spec strings like compressors:
**   quad(d=1000,n=100,s=0,seed=1)     the paper's generator (T6), banded A_i
**   quadfile(file="q.txt")            a general quadratic from a file
**   quad(d=1000,n=100,s=1,convex=1,interp=1)   every A_i PSD; grad f_i(x*) = 0
**   logreg(file="a9a.txt.gz",n=20,lambda=0.1)   LibSVM, .gz read directly
**   logreg(file=a9a,reg=l2,lambda=0.1)         convex: (lambda/2)|x|^2 (or reg=none)
**   autoenc(file="train-images-idx3-ubyte.gz",n=100,de=16,samples=60000)
** tpc_problem_alloc reads the data or generates it, checks it (bad files are
** TPC_EINPUT with the line or byte at fault), and computes the constants.
**
** Gradients are in double.  grad and value are thread-safe for distinct
** `work` buffers (work_size bytes each), so clients can run in parallel.
*/
#ifndef TPC_PROBLEM_H
#define TPC_PROBLEM_H

#include <stddef.h>

#include "spec/spec.h"

/* How a constant is known.  For L-, L+, L+-, Lmax: BOUND is an upper bound;
** for mu, musc, mui and f_inf: a lower bound.  UNKNOWN: not available
** (autoencoder).  COMPUTED (only for an optimum): a numerical solution whose
** accuracy is stated next to it. */
typedef enum {
  TPC_CONST_UNKNOWN = 0,
  TPC_CONST_EXACT,
  TPC_CONST_BOUND,
  TPC_CONST_COMPUTED
} tpc_const_kind;

typedef struct tpc_const {
  double value;
  tpc_const_kind kind;
} tpc_const;

typedef struct tpc_problem_consts {
  tpc_const Lminus;  /* f is L- smooth */
  tpc_const Lplus;   /* (1/n) sum |grad f_i(x) - grad f_i(y)|^2 <= L+^2 |x - y|^2 */
  tpc_const Lpm;     /* Hessian variance L+- (T5) */
  tpc_const mu;      /* PL constant (0 / UNKNOWN when not PL) */
  tpc_const finf;    /* inf f */
  /* The convex settings (THEORY.md T6, "Convex problems with exact optima"): */
  tpc_const Lmax;    /* max_i L_i, L_i the smoothness constant of f_i */
  tpc_const musc;    /* f is musc-strongly convex (0 EXACT: convex, not strongly);
                     ** UNKNOWN when f is not known convex */
  tpc_const mui;     /* every f_i is mui-strongly convex; UNKNOWN when not known */
  int convex;        /* 1 when every f_i is known convex */
  tpc_const finf_i;  /* a lower bound of every f_i (T9.7's f_i*); UNKNOWN when none */
} tpc_problem_consts;

/* A minimiser of f.  EXACT: a closed form (a linear solve), COMPUTED: an
** iterative solution; either way `accuracy` is |grad f(x)| at the stored x,
** evaluated by the problem's own gradient in floating point (so EXACT means
** exact up to the solve's rounding, and the residual says how much that is). */
typedef struct tpc_problem_optimum {
  tpc_const_kind kind;   /* TPC_CONST_EXACT or TPC_CONST_COMPUTED */
  double accuracy;       /* |grad f(x*)| */
  double fstar;          /* f(x*) */
  const double *x;       /* x* (d values) */
  const double *h;       /* h_i* = grad f_i(x*), client i at h + i d (n d values) */
} tpc_problem_optimum;

typedef struct tpc_problem tpc_problem;

typedef struct tpc_problem_type {
  const char *name;
  const char *synopsis;    /* "logreg(file=PATH, n=INT, lambda=REAL)" */
  const char *summary;
  const char *const *keys; /* NULL-terminated parameter keys, canonical order */
  size_t (*work_size)(const tpc_problem *p);
  /* Generate or load (p->d, p->n unset), fill d, n, consts, x0, data_bytes.
  ** TPC_EINPUT with a message for bad input; TPC_ENOMEM, TPC_EIO. */
  int (*init)(tpc_problem *p, const tpc_spec *s);
  void (*destroy)(tpc_problem *p);   /* accepts a partly initialized problem */
  /* g = grad f_i(x); returns f_i(x). */
  double (*grad)(const tpc_problem *p, size_t i, const double *x, double *g, void *work);
  /* g[k] = grad f_{i0+k}(x) and f[k] = f_{i0+k}(x) for k < count, the same
  ** bits as grad (NULL: grad client by client), and g2[k] = |g[k]|^2 as
  ** tpc_vec_norm2_4 sums it (core/vec.h).  For problems whose clients
  ** share work at one point, whose per-client sums are chains of additions
  ** that run faster side by side than one after the other, or whose
  ** gradient pass can sum the squares while the values are in registers. */
  void (*grad_many)(const tpc_problem *p, size_t i0, size_t count, const double *x,
                    double *const *g, double *f, double *g2, void *work);
  /* f_i(x). */
  double (*value)(const tpc_problem *p, size_t i, const double *x, void *work);
  /* A minimiser of f into x (d values), its kind (EXACT or COMPUTED).
  ** TPC_EINPUT with a message when none is known (NULL hook: never). */
  int (*optimum)(const tpc_problem *p, double *x, tpc_const_kind *kind);
} tpc_problem_type;

struct tpc_problem {
  const tpc_problem_type *type;
  size_t d;                 /* dimension of x */
  size_t n;                 /* clients */
  tpc_problem_consts c;
  double *x0;               /* the problem's own starting point (d values) */
  size_t data_bytes;        /* bytes one pass over all clients' data reads */
  double *Li;               /* n values: L_i of each f_i (kind of c.Lmax); NULL unknown */
  struct tpc_problem_opt *opt;   /* the optimum, computed on first request */
  void *priv;
};

/* Build a problem from its spec; NULL with *status and a message on error. */
tpc_problem *tpc_problem_alloc(const tpc_spec *s, int *status);
void tpc_problem_free(tpc_problem *p);

/* The built-in problem types, NULL-terminated, and look-up by name. */
extern const tpc_problem_type *const tpc_builtin_problems[];
const tpc_problem_type *tpc_problem_type_find(const char *name);

size_t tpc_problem_work_size(const tpc_problem *p);

/* The problem's minimiser x*, h_i* and f*, computed on the first call (a
** linear solve or Newton's method: see each type) and kept until
** tpc_problem_free.  NULL with an error message when no minimiser is known
** (a nonconvex problem, separable data without a regulariser) or on failure.
** The first call is not thread-safe: make it before starting threads. */
const tpc_problem_optimum *tpc_problem_optimum_get(const tpc_problem *p);
/* The same, under the name that reads like its type:
** `const tpc_problem_optimum *o = tpc_problem_optimum(p);` (a function-like
** macro, so the type's name used alone is untouched). */
#define tpc_problem_optimum(p) tpc_problem_optimum_get(p)

/* The gradients of clients i0 .. i0 + count - 1 at x into g[k], their
** values into f[k] and |g[k]|^2 into g2[k] (tpc_vec_norm2_4's sums): the
** type's grad_many, or its grad client by client (the same bits either
** way). */
void tpc_problem_grad_many(const tpc_problem *p, size_t i0, size_t count, const double *x,
                           double *const *g, double *f, double *g2, void *work);

/* grad f(x) = (1/n) sum grad f_i(x) into g (d values); returns f(x). work as
** for grad; gtmp holds d doubles. Sequential over clients (deterministic). */
double tpc_problem_full_grad(const tpc_problem *p, const double *x, double *g,
                             double *gtmp, void *work);

#endif
