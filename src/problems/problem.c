/*
** The problem API (problems/problem.h): the table of built-in types, building
** a problem from its spec, the full gradient, and the parameter readers the
** types share.
**
** tpc_problem_alloc checks the spec's shape the way the registry checks a
** compressor's (registry/build.c): a known name, no nested specs, only known
** keys, and a text value exactly for the keys that take text (`file`), so
** every type's init sees well-formed parameters and only checks ranges.
**
** The optimum (tpc_problem_optimum_get) is computed on first request: the
** type gives x*, and h_i* = grad f_i(x*), f* = f(x*) and the accuracy
** |grad f(x*)| come from the type's own gradient, the same code a method
** runs, so a check against x* measures what the method sees.
*/
#include "problems/problem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/vec.h"
#include "problems/internal.h"

const tpc_problem_type *const tpc_builtin_problems[] = {
    &tpc_problem_quad, &tpc_problem_quadfile, &tpc_problem_logreg, &tpc_problem_autoenc,
    NULL};

/* Keys whose values are text (a file, a word such as reg=l2); every other
** key takes a number. */
static const char *const text_keys[] = {"file", "reg", NULL};

/* The optimum once computed; `state` 0 not yet asked, 1 known, -1 none
** (`why` keeps the message for later calls). */
struct tpc_problem_opt {
  int state;
  int status;
  char why[256];
  tpc_problem_optimum o;
  double *x, *h;
};

const tpc_problem_type *tpc_problem_type_find(const char *name) {
  for (size_t i = 0; name && tpc_builtin_problems[i]; i++)
    if (strcmp(tpc_builtin_problems[i]->name, name) == 0) return tpc_builtin_problems[i];
  return NULL;
}

static int in_list(const char *const *list, const char *key) {
  for (size_t i = 0; list && list[i]; i++)
    if (strcmp(list[i], key) == 0) return 1;
  return 0;
}

static void join(const char *const *list, char *buf, size_t size) {
  buf[0] = '\0';
  for (size_t k = 0; list && list[k]; k++) {
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "%s%s", k ? ", " : "", list[k]);
  }
}

/* Name, nesting, keys and value kinds; the messages match the registry's. */
static int check_shape(const tpc_spec *s, const tpc_problem_type **type) {
  size_t col = s->pos + 1;
  char list[256];
  *type = tpc_problem_type_find(s->name);
  if (!*type) {
    const char *names[8] = {NULL};
    for (size_t i = 0; i < 7 && tpc_builtin_problems[i]; i++)
      names[i] = tpc_builtin_problems[i]->name;
    join(names, list, sizeof list);
    return tpc_error(TPC_EINPUT, "column %zu: unknown problem '%s' (known: %s)", col,
                     s->name, list);
  }
  if (s->nargs)
    return tpc_error(TPC_EINPUT, "column %zu: '%s' takes no nested specs, got %zu", col,
                     s->name, s->nargs);
  for (size_t i = 0; i < s->nparams; i++) {
    const tpc_spec_param *p = &s->params[i];
    if (!in_list((*type)->keys, p->key)) {
      join((*type)->keys, list, sizeof list);
      return tpc_error(TPC_EINPUT, "column %zu: '%s' has no parameter '%s' (it takes: %s)",
                       col, s->name, p->key, list);
    }
    int want_text = in_list(text_keys, p->key);
    if (want_text && !p->text)
      return tpc_error(TPC_EINPUT, "column %zu: '%s' expects a text for '%s', got %g", col,
                       s->name, p->key, p->value);
    if (!want_text && p->text)
      return tpc_error(TPC_EINPUT, "column %zu: '%s' expects a number for '%s', got '%s'",
                       col, s->name, p->key, p->text);
  }
  return TPC_OK;
}

tpc_problem *tpc_problem_alloc(const tpc_spec *s, int *status) {
  const tpc_problem_type *type = NULL;
  int rc = s ? check_shape(s, &type) : tpc_error(TPC_EINPUT, "no problem spec");
  tpc_problem *p = NULL;
  if (!rc) {
    p = calloc(1, sizeof *p);
    if (!p) rc = tpc_error(TPC_ENOMEM, "out of memory allocating a problem");
  }
  if (!rc) {
    p->type = type;
    p->opt = calloc(1, sizeof *p->opt);
    rc = p->opt ? type->init(p, s) : tpc_error(TPC_ENOMEM, "out of memory allocating a problem");
    if (rc) tpc_error_prefix(rc, "%s: ", type->name);   /* "logreg: ..." */
  }
  if (rc) {
    tpc_problem_free(p);
    p = NULL;
  }
  if (status) *status = rc;
  return p;
}

void tpc_problem_free(tpc_problem *p) {
  if (!p) return;
  if (p->type && p->type->destroy) p->type->destroy(p);
  if (p->opt) {
    free(p->opt->x);
    free(p->opt->h);
    free(p->opt);
  }
  free(p->Li);
  free(p->x0);
  free(p);
}

/* Never 0, so that a caller's malloc(work_size) is a real buffer. */
size_t tpc_problem_work_size(const tpc_problem *p) {
  size_t w = p->type->work_size ? p->type->work_size(p) : 0;
  return w ? w : sizeof(double);
}

void tpc_problem_grad_many(const tpc_problem *p, size_t i0, size_t count, const double *x,
                           double *const *g, double *f, double *g2, void *work) {
  if (p->type->grad_many) {
    p->type->grad_many(p, i0, count, x, g, f, g2, work);
    return;
  }
  for (size_t k = 0; k < count; k++) {
    f[k] = p->type->grad(p, i0 + k, x, g[k], work);
    g2[k] = tpc_vec_norm2_4(g[k], p->d);
  }
}

double tpc_problem_full_grad(const tpc_problem *p, const double *x, double *g,
                             double *gtmp, void *work) {
  double f = 0.0;
  memset(g, 0, p->d * sizeof *g);
  for (size_t i = 0; i < p->n; i++) {
    f += p->type->grad(p, i, x, gtmp, work);
    for (size_t j = 0; j < p->d; j++) g[j] += gtmp[j];
  }
  double inv = 1.0 / (double)p->n;
  for (size_t j = 0; j < p->d; j++) g[j] *= inv;
  return f * inv;
}

/* ---- the optimum ---------------------------------------------------------- */

/* h, f* and |grad f(x*)| from the type's gradient, clients in order as in
** tpc_problem_full_grad. */
static int optimum_fill(const tpc_problem *p, struct tpc_problem_opt *c) {
  size_t d = p->d, n = p->n;
  double *g = calloc(d, sizeof *g);
  void *work = malloc(tpc_problem_work_size(p));
  if (!g || !work) {
    free(g);
    free(work);
    return tpc_error(TPC_ENOMEM, "out of memory for the optimum (d = %zu)", d);
  }
  double f = 0.0, g2 = 0.0;
  for (size_t i = 0; i < n; i++) {
    double *hi = c->h + i * d;
    f += p->type->grad(p, i, c->x, hi, work);
    for (size_t j = 0; j < d; j++) g[j] += hi[j];
  }
  for (size_t j = 0; j < d; j++) g2 += (g[j] / (double)n) * (g[j] / (double)n);
  c->o.fstar = f / (double)n;
  c->o.accuracy = sqrt(g2);
  c->o.x = c->x;
  c->o.h = c->h;
  free(g);
  free(work);
  return TPC_OK;
}

static int optimum_compute(const tpc_problem *p, struct tpc_problem_opt *c) {
  if (!p->type->optimum)
    return tpc_error(TPC_EINPUT, "%s: no minimiser is known (the problem is not known convex)",
                     p->type->name);
  c->x = calloc(p->d, sizeof *c->x);
  c->h = calloc(p->n * p->d, sizeof *c->h);
  if (!c->x || !c->h)
    return tpc_error(TPC_ENOMEM, "out of memory for the optimum (d = %zu, n = %zu)", p->d,
                     p->n);
  int rc = p->type->optimum(p, c->x, &c->o.kind);
  if (rc) return tpc_error_prefix(rc, "%s: ", p->type->name);
  return optimum_fill(p, c);
}

const tpc_problem_optimum *tpc_problem_optimum_get(const tpc_problem *p) {
  struct tpc_problem_opt *c = p->opt;
  if (!c) {
    tpc_error(TPC_EINTERNAL, "the problem was not built by tpc_problem_alloc");
    return NULL;
  }
  if (!c->state) {
    c->status = optimum_compute(p, c);
    c->state = c->status ? -1 : 1;
    if (c->status) snprintf(c->why, sizeof c->why, "%s", tpc_error_msg());
  }
  if (c->state > 0) return &c->o;
  tpc_error(c->status, "%s", c->why);
  return NULL;
}

/* ---- data checks ---------------------------------------------------------- */

void tpc_problem_peak_note(tpc_problem_peak *pk, double v, size_t line) {
  if (fabs(v) > pk->abs) {
    pk->abs = fabs(v);
    pk->line = line;
  }
}

int tpc_problem_consts_check(const tpc_problem *p, const char *path,
                             const tpc_problem_peak *pk) {
  const struct {
    const char *name;
    double value;
  } c[] = {{"L-", p->c.Lminus.value}, {"L+", p->c.Lplus.value}, {"L+-", p->c.Lpm.value},
           {"mu", p->c.mu.value},     {"f_inf", p->c.finf.value},
           {"Lmax", p->c.Lmax.value}, {"mu_sc", p->c.musc.value}, {"mu_i", p->c.mui.value}};
  for (size_t k = 0; k < sizeof c / sizeof c[0]; k++)
    if (!isfinite(c[k].value))
      return tpc_error(TPC_EINPUT, "'%s': %s overflows (the data's values are too large: "
                       "largest |value| %g, line %zu)", path, c[k].name, pk->abs, pk->line);
  return TPC_OK;
}

/* ---- parameters ---------------------------------------------------------- */

int tpc_problem_param_int(const tpc_spec *s, const char *key, long def, long lo,
                          long hi, long *out) {
  const tpc_spec_param *p = tpc_spec_param_find(s, key);
  if (!p) {
    *out = def;
    return TPC_OK;
  }
  if (p->value != floor(p->value) || p->value < (double)lo || p->value > (double)hi)
    return tpc_error(TPC_EINPUT, "column %zu: %s must be an integer in [%ld, %ld], got %g",
                     s->pos + 1, key, lo, hi, p->value);
  *out = (long)p->value;
  return TPC_OK;
}

int tpc_problem_param_real(const tpc_spec *s, const char *key, double def,
                           double lo, double hi, double *out) {
  const tpc_spec_param *p = tpc_spec_param_find(s, key);
  if (!p) {
    *out = def;
    return TPC_OK;
  }
  if (!(p->value >= lo && p->value <= hi))
    return tpc_error(TPC_EINPUT, "column %zu: %s must be in [%g, %g], got %g",
                     s->pos + 1, key, lo, hi, p->value);
  *out = p->value;
  return TPC_OK;
}

int tpc_problem_param_text(const tpc_spec *s, const char *key, const char **out) {
  const tpc_spec_param *p = tpc_spec_param_find(s, key);
  if (!p || !p->text || !p->text[0])
    return tpc_error(TPC_EINPUT, "column %zu: the parameter %s=... is required",
                     s->pos + 1, key);
  *out = p->text;
  return TPC_OK;
}
