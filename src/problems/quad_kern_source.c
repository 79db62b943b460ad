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

/* The vectors of g[k] from j = jh, (A x) - b0[k] e_1 in each lane, with
** their sums x^T (A x) into s and |g|^2 into q: the first vector (j = 0)
** subtracts b0 in lane 0 (bv), every other one subtracts nothing. */
static inline __attribute__((always_inline)) void qk_vectors(
    const qk_v *av, const qk_v *bv, double c, const double *x, size_t d, size_t jh,
    double *const *g, qk_v *s, qk_v *q, size_t group) {
  qk_v xv = qk_load(x + jh), tx = qk_tx(x, jh, d), cx = c * xv;
#pragma GCC unroll 4
  for (size_t k = 0; k < group; k++) {
    qk_v ax = av[k] * tx + cx, gv = bv ? ax - bv[k] : ax;
    memcpy(g[k] + jh, &gv, sizeof gv);
    s[k * QK_PARTS] += xv * ax;
    q[k * QK_PARTS] += gv * gv;
  }
}

/* The four partial sums of v[0 .. QK_PARTS - 1] into p[0 .. 3]. */
static inline void qk_parts(const qk_v *v, double *p) {
  for (size_t l = 0; l < 4; l++) p[l] = v[l / QK_LANES][l % QK_LANES];
}

/* The kernel for a constant group, inlined, so that the loops over clients
** unroll and the sums stay in registers. */
static inline __attribute__((always_inline)) void qk_group(const double *a, const double *b0,
                                                           double c, const double *x,
                                                           size_t d, double *const *g,
                                                           double *xax, double *g2,
                                                           size_t group) {
  qk_v s[TPC_QUAD_GROUP * QK_PARTS] = {0}, q[TPC_QUAD_GROUP * QK_PARTS] = {0};
  qk_v av[TPC_QUAD_GROUP], bv[TPC_QUAD_GROUP] = {0};
  for (size_t k = 0; k < group; k++) {
    for (size_t l = 0; l < QK_LANES; l++) av[k][l] = a[k];
    bv[k][0] = b0[k];
  }
  size_t j = 0;
  if (d >= 4) { /* the first four coordinates, with b0 */
    qk_vectors(av, bv, c, x, d, 0, g, s, q, group);
    for (size_t h = 1; h < QK_PARTS; h++)
      qk_vectors(av, NULL, c, x, d, h * QK_LANES, g, s + h, q + h, group);
    j = 4;
  }
  for (; j + 4 <= d; j += 4)
#pragma GCC unroll 2
    for (size_t h = 0; h < QK_PARTS; h++)
      qk_vectors(av, NULL, c, x, d, j + h * QK_LANES, g, s + h, q + h, group);
  for (size_t k = 0; k < group; k++) {
    double ps[4], pq[4];
    qk_parts(s + k * QK_PARTS, ps);
    qk_parts(q + k * QK_PARTS, pq);
    for (size_t l = j; l < d; l++) { /* the tail into the first partial sums */
      double ax = a[k] * qk_trow(x, l, d) + c * x[l];
      g[k][l] = l == 0 ? ax - b0[k] : ax;
      ps[0] += x[l] * ax;
      pq[0] += g[k][l] * g[k][l];
    }
    xax[k] = (ps[0] + ps[1]) + (ps[2] + ps[3]);
    g2[k] = (pq[0] + pq[1]) + (pq[2] + pq[3]);
  }
}

void QK_NAME(ax)(const double *a, const double *b0, double c, const double *x, size_t d,
                 double *const *g, double *xax, double *g2, size_t group) {
  switch (group) {
    case 4: qk_group(a, b0, c, x, d, g, xax, g2, 4); break;
    case 3: qk_group(a, b0, c, x, d, g, xax, g2, 3); break;
    case 2: qk_group(a, b0, c, x, d, g, xax, g2, 2); break;
    default: qk_group(a, b0, c, x, d, g, xax, g2, 1); break;
  }
}
