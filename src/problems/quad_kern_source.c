/* Template body of the quad gradient kernel (quad_kern.h), written once
** with GCC vector types of QK_LANES doubles (2 or 4) and instantiated by
** quad.c (2: SSE2 on x86-64, scalar code elsewhere) and quad_avx2.c (4),
** each compiled with its own instruction-set flags.  Lane l of the QK_PARTS
** = 4 / QK_LANES vectors of a partial sum holds j mod 4 = l (+ QK_LANES for
** the second), so the four partial sums are those of the definition in
** every instance.  QK_NAME(f) names an instance's kernel. */

typedef double qk_v __attribute__((vector_size(8 * QK_LANES)));
#define QK_PARTS (4 / QK_LANES)

/* Whether |g|^2 is summed as g is stored.  Four clients' sums of x^T A x
** and of |g|^2 in two-double vectors are 16 registers, all x86-64's SSE2
** has, and spilled: a second pass over the gradients while they are in L1
** costs less (quad(d=1000,n=100)'s 100 gradients and norms: 34.0-34.5
** against 35.0 us), so two lanes sum the squares after the stores. */
#define QK_FUSED_NORM (QK_LANES >= 4)

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

/* One step of the kernel: coordinates j .. j + 3 of every client's g,
** (A x) - b0 e_1 in each lane (first: j = 0, where lane 0 subtracts b0;
** elsewhere nothing is subtracted), with their sums x^T (A x) into s and,
** with QK_FUSED_NORM, |g|^2 into q. */
static inline __attribute__((always_inline)) void qk_step(
    const qk_v *av, const double *b0, double c, const double *x, size_t d, size_t j,
    double *const *g, qk_v (*s)[QK_PARTS], qk_v (*q)[QK_PARTS], size_t group, int first) {
#pragma GCC unroll 2
  for (size_t h = 0; h < QK_PARTS; h++) {
    size_t jh = j + h * QK_LANES;
    qk_v xv = qk_load(x + jh), tx = qk_tx(x, jh, d), cx = c * xv;
#pragma GCC unroll 4
    for (size_t k = 0; k < group; k++) {
      qk_v ax = av[k] * tx + cx, gv = ax;
      if (first && h == 0) gv[0] = ax[0] - b0[k];
      memcpy(g[k] + jh, &gv, sizeof gv);
      s[k][h] += xv * ax;
      if (QK_FUSED_NORM) q[k][h] += gv * gv;
    }
  }
}

/* |g[k]|^2's partial sums over j < d rounded down to a multiple of four
** into q, the clients side by side, after the stores (without
** QK_FUSED_NORM). */
static inline __attribute__((always_inline)) void qk_norms(double *const *g, size_t d,
                                                           qk_v (*q)[QK_PARTS], size_t group) {
  for (size_t j = 0; j + 4 <= d; j += 4)
#pragma GCC unroll 4
    for (size_t k = 0; k < group; k++)
#pragma GCC unroll 2
      for (size_t h = 0; h < QK_PARTS; h++) {
        qk_v gv = qk_load(g[k] + j + h * QK_LANES);
        q[k][h] += gv * gv;
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
  qk_v s[TPC_QUAD_GROUP][QK_PARTS] = {{{0}}}, q[TPC_QUAD_GROUP][QK_PARTS] = {{{0}}};
  qk_v av[TPC_QUAD_GROUP];
  for (size_t k = 0; k < group; k++)
    for (size_t l = 0; l < QK_LANES; l++) av[k][l] = a[k];
  size_t j = 0;
  if (d >= 4) {
    qk_step(av, b0, c, x, d, 0, g, s, q, group, 1);
    for (j = 4; j + 4 <= d; j += 4) qk_step(av, b0, c, x, d, j, g, s, q, group, 0);
  }
  if (!QK_FUSED_NORM) qk_norms(g, d, q, group);
  for (size_t k = 0; k < group; k++) {
    double ps[4], pq[4];
    qk_parts(s[k], ps);
    qk_parts(q[k], pq);
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
  switch (group) { /* TPC_QUAD_GROUP = 4 */
    case 4: qk_group(a, b0, c, x, d, g, xax, g2, 4); break;
    case 3: qk_group(a, b0, c, x, d, g, xax, g2, 3); break;
    case 2: qk_group(a, b0, c, x, d, g, xax, g2, 2); break;
    default: qk_group(a, b0, c, x, d, g, xax, g2, 1); break;
  }
}
