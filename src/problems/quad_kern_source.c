/* Template body of the quad gradient kernel (quad_kern.h), written once
** with GCC vector types of QK_LANES doubles (2 or 4) and instantiated by
** quad.c (2: SSE2 on x86-64, scalar code elsewhere) and quad_avx2.c (4),
** each compiled with its own instruction-set flags.  Lane l of the QK_PARTS
** = 4 / QK_LANES vectors of a partial sum holds j mod 4 = l (+ QK_LANES for
** the second), so the four partial sums are those of the definition in
** every instance.  QK_NAME(f) names an instance's kernel. */

typedef double qk_v __attribute__((vector_size(8 * QK_LANES)));
#define QK_PARTS (4 / QK_LANES)

static inline qk_v qk_load(const double *v) {
  qk_v r;
  memcpy(&r, v, sizeof r);
  return r;
}

/* (T x)_j in the definition's order. */
static inline double qk_trow(const double *x, size_t j, size_t d) {
  double tx = 2.0 * x[j];
  if (j > 0) tx -= x[j - 1];
  if (j + 1 < d) tx -= x[j + 1];
  return tx;
}

/* (T x)_j .. (T x)_{j+QK_LANES-1}: without branches inside the vector,
** lane by lane at either end. */
static inline qk_v qk_tx(const double *x, size_t j, size_t d) {
  if (j > 0 && j + QK_LANES < d)
    return 2.0 * qk_load(x + j) - qk_load(x + j - 1) - qk_load(x + j + 1);
  qk_v t;
  for (size_t l = 0; l < QK_LANES; l++) t[l] = qk_trow(x, j + l, d);
  return t;
}

/* The kernel for a constant group, inlined, so that the loops over clients
** unroll and the sums stay in registers. */
static inline __attribute__((always_inline)) void qk_group(const double *a, double c,
                                                           const double *x, size_t d,
                                                           double *const *g, double *xax,
                                                           size_t group) {
  qk_v s[TPC_QUAD_GROUP][QK_PARTS] = {{{0}}}, av[TPC_QUAD_GROUP];
  for (size_t k = 0; k < group; k++)
    for (size_t l = 0; l < QK_LANES; l++) av[k][l] = a[k];
  size_t j = 0;
  for (; j + 4 <= d; j += 4)
#pragma GCC unroll 2
    for (size_t h = 0; h < QK_PARTS; h++) {
      size_t jh = j + h * QK_LANES;
      qk_v xv = qk_load(x + jh), tx = qk_tx(x, jh, d), cx = c * xv;
#pragma GCC unroll 4
      for (size_t k = 0; k < group; k++) {
        qk_v gv = av[k] * tx + cx;
        memcpy(g[k] + jh, &gv, sizeof gv);
        s[k][h] += xv * gv;
      }
    }
  for (size_t k = 0; k < group; k++) {
    double p[4];
    for (size_t l = 0; l < 4; l++) p[l] = s[k][l / QK_LANES][l % QK_LANES];
    for (size_t l = j; l < d; l++) {
      g[k][l] = a[k] * qk_trow(x, l, d) + c * x[l];
      p[0] += x[l] * g[k][l];
    }
    xax[k] = (p[0] + p[1]) + (p[2] + p[3]);
  }
}

void QK_NAME(ax)(const double *a, double c, const double *x, size_t d, double *const *g,
                 double *xax, size_t group) {
  if (group == TPC_QUAD_GROUP)
    qk_group(a, c, x, d, g, xax, TPC_QUAD_GROUP);
  else
    qk_group(a, c, x, d, g, xax, 1);
}
