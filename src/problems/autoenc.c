/*
** autoenc(file=PATH,n=INT,de=INT,samples=INT): the linear autoencoder of
** THEORY.md T6/T7 on IDX images (MNIST, Fashion-MNIST),
**
**   f_i(D, E) = (1/m_i) sum_{j in client i} ||D E a_j - a_j||^2,
**
** a_j the j-th image's pixels scaled to [0, 1] (d_f = rows x cols of them),
** D in R^{d_f x d_e}, E in R^{d_e x d_f}; x = (D, E) row-major, D first, so
** d = 2 d_f d_e.  Defaults n = 100, de = 16, samples = every image in the
** file; the first `samples` images are split per T7 (file order, equal
** blocks, remainder to the last client).  With equal blocks f is the mean
** over all samples.
**
** The file: IDX with magic 0x00000803 (unsigned bytes, 3 dimensions), then
** the image count, rows and columns as big-endian 32-bit integers, then the
** pixels; plain or gzip (zlib).  A wrong magic, a zero dimension, a file
** shorter or longer than the header says (dims mismatch) or a corrupt gzip
** stream is TPC_EINPUT naming the byte offset.  A name without '/' that does
** not exist is looked for in /usr/share/datasets/fashion-mnist/ (Debian's
** dataset-fashion-mnist) as given, with ".gz", and with
** "-images-idx3-ubyte.gz", so autoenc(file=train) finds the training set.
**
** The gradient runs over blocks of images as five matrix products (CBLAS,
** OpenBLAS on the calling thread).  Its bits are the same for any thread
** count on one machine; another CPU may round differently, since OpenBLAS
** chooses its kernels by CPU.  The problem declares no constants, so no
** check depends on those bits.
**
** Pixels stay uint8 (60000 images: 47 MB).  x0 is Gaussian with standard
** deviation 1/sqrt(d_f) from the fixed stream (seed 1, TPC_PURPOSE_DATA, 0).
** Constants: f is not globally smooth (T6), so L-, L+, L+- and mu are
** UNKNOWN; f_inf >= 0 is a BOUND.
*/
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "problems/internal.h"
#include "rng/pcg.h"

#define IDX_MAGIC 0x00000803u
#define IDX_CHUNK (1u << 20)

typedef struct autoenc_priv {
  uint8_t *pix;     /* samples x df */
  size_t samples, df, de;
  size_t *start;    /* n + 1 */
} autoenc_priv;

static const char *const autoenc_keys[] = {"file", "n", "de", "samples", NULL};
static const char *const autoenc_dirs[] = {"/usr/share/datasets/fashion-mnist", NULL};
static const char *const autoenc_suffixes[] = {"", ".gz", "-images-idx3-ubyte.gz", NULL};

/* Images per block of the gradient: up to 64, and at most 2^17 pixels, so
** that the block's pixels and residuals (2 x 64 x 784 doubles for MNIST,
** 800 KB) stay in L2 between the products. */
static size_t block_images(const autoenc_priv *q) {
  size_t b = ((size_t)1 << 17) / q->df;
  return b < 1 ? 1 : b > 64 ? 64 : b;
}

/* work: A and R (block x df each), Z and U (block x de each). */
static size_t autoenc_work_size(const tpc_problem *p) {
  const autoenc_priv *q = p->priv;
  return (2 * q->df + 2 * q->de) * block_images(q) * sizeof(double);
}

/* One block of b images from px: returns sum_j ||D E a_j - a_j||^2 and, when
** gD is not NULL, adds R^T Z to gD and U^T A to gE, with Z = A E^T, R = Z D^T
** - A and U = R D (the factor 2/m comes later).  Five matrix products
** through CBLAS (OpenBLAS, which the command keeps on the calling thread:
** tpc runs the clients in parallel itself). */
static double block_eval(const autoenc_priv *q, const uint8_t *px, size_t b, const double *D,
                         const double *E, double *gD, double *gE, double *w) {
  int df = (int)q->df, de = (int)q->de, nb = (int)b;
  size_t cap = block_images(q);
  double *A = w, *R = A + cap * q->df, *Z = R + cap * q->df, *U = Z + cap * q->de;
  for (size_t l = 0; l < b * q->df; l++) {
    A[l] = px[l] / 255.0;
    R[l] = -A[l];
  }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, de, df, 1.0, A, df, E, df, 0.0, Z,
              de);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, df, de, 1.0, Z, de, D, de, 1.0, R,
              df);
  double loss = 0;
  for (size_t l = 0; l < b * q->df; l++) loss += R[l] * R[l];
  if (!gD) return loss;
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, df, de, nb, 1.0, R, df, Z, de, 1.0, gD,
              de);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nb, de, df, 1.0, R, df, D, de, 0.0, U,
              de);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, de, df, nb, 1.0, U, de, A, df, 1.0, gE,
              df);
  return loss;
}

static double autoenc_eval(const tpc_problem *p, size_t i, const double *x, double *g,
                           void *work) {
  const autoenc_priv *q = p->priv;
  size_t half = q->df * q->de;
  if (g) memset(g, 0, p->d * sizeof *g);
  double loss = 0;
  size_t cap = block_images(q);
  for (size_t j = q->start[i]; j < q->start[i + 1]; j += cap) {
    size_t b = q->start[i + 1] - j < cap ? q->start[i + 1] - j : cap;
    loss += block_eval(q, q->pix + j * q->df, b, x, x + half, g, g ? g + half : NULL, work);
  }
  double m = (double)(q->start[i + 1] - q->start[i]);
  if (g)
    for (size_t k = 0; k < p->d; k++) g[k] *= 2 / m;
  return loss / m;
}

static double autoenc_grad(const tpc_problem *p, size_t i, const double *x, double *g,
                           void *work) {
  return autoenc_eval(p, i, x, g, work);
}

static double autoenc_value(const tpc_problem *p, size_t i, const double *x, void *work) {
  return autoenc_eval(p, i, x, NULL, work);
}

/* ---- reading ------------------------------------------------------------- */

/* Read up to len bytes; the count read, or -1 with a message at a corrupt
** stream (offset = bytes of the file consumed before this call). */
static long long idx_read(gzFile f, const char *path, void *buf, size_t len, size_t offset) {
  size_t got = 0;
  while (got < len) {
    size_t want = len - got < IDX_CHUNK ? len - got : IDX_CHUNK;
    int k = gzread(f, (char *)buf + got, (unsigned)want);
    int err = Z_OK;
    const char *msg = gzerror(f, &err);
    if (k < 0 || (err != Z_OK && err != Z_STREAM_END)) {
      tpc_error(TPC_EINPUT, "'%s' byte %zu: the file is unreadable or corrupt (%s)", path,
                offset + got, msg);
      return -1;
    }
    if (k == 0) break;
    got += (size_t)k;
  }
  return (long long)got;
}

static uint32_t be32(const unsigned char *b) {
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Header: the image count and the pixels per image. */
static int idx_header(gzFile f, const char *path, size_t *count, size_t *df) {
  unsigned char h[16];
  long long got = idx_read(f, path, h, sizeof h, 0);
  if (got < 0) return TPC_EINPUT;
  if (got >= 4 && be32(h) != IDX_MAGIC)
    return tpc_error(TPC_EINPUT, "'%s' byte 0: magic 0x%08x is not 0x%08x (IDX unsigned-byte "
                     "images with 3 dimensions)", path, be32(h), IDX_MAGIC);
  if (got < 16)
    return tpc_error(TPC_EINPUT, "'%s' byte %lld: truncated in the 16-byte IDX header", path,
                     got);
  uint32_t nimg = be32(h + 4), rows = be32(h + 8), cols = be32(h + 12);
  if (!nimg || !rows || !cols || (uint64_t)rows * cols > (1u << 24))
    return tpc_error(TPC_EINPUT, "'%s' byte 4: bad dimensions %u x %u x %u", path, nimg,
                     rows, cols);
  *count = nimg;
  *df = (size_t)rows * cols;
  return TPC_OK;
}

/* The first `need` pixels into q->pix, *have of them (fewer at the end of
** the file).  The buffer grows as the bytes arrive, doubling from IDX_CHUNK
** up to `need`, never by the header's count alone: a short file that
** announces 4 billion images costs what it holds, and then fails as
** truncated.  A plain file's size could be checked up front, but a gzip
** stream's only by reading it (its trailer holds the size mod 2^32), so
** both take this path. */
static int idx_read_grow(gzFile f, const char *path, autoenc_priv *q, size_t need,
                         size_t *have) {
  size_t cap = 0;
  *have = 0;
  while (*have == cap && cap < need) {
    cap = cap ? (cap < need / 2 ? 2 * cap : need) : (need < IDX_CHUNK ? need : IDX_CHUNK);
    uint8_t *grown = realloc(q->pix, cap);
    if (!grown) return tpc_error(TPC_ENOMEM, "out of memory for %zu pixels", cap);
    q->pix = grown;
    long long got = idx_read(f, path, q->pix + *have, cap - *have, 16 + *have);
    if (got < 0) return TPC_EINPUT;
    *have += (size_t)got;
  }
  return TPC_OK;
}

/* The first q->samples images into q->pix, and check that the file holds
** exactly `count` images (reading the rest through a scratch buffer). */
static int idx_pixels(gzFile f, const char *path, autoenc_priv *q, size_t count) {
  size_t need = q->samples * q->df, total = count * q->df, have;
  int rc = idx_read_grow(f, path, q, need, &have);
  if (rc) return rc;
  unsigned char scratch[4096];
  while (have == need || (have > need && have <= total)) {   /* count the rest */
    long long got = idx_read(f, path, scratch, sizeof scratch, 16 + have);
    if (got < 0) return TPC_EINPUT;
    if (got == 0) break;
    have += (size_t)got;
  }
  if (have < total)
    return tpc_error(TPC_EINPUT, "'%s' byte %zu: truncated: the header announces %zu images "
                     "of %zu pixels (%zu bytes), the file ends after %zu", path, 16 + have,
                     count, q->df, total, have);
  if (have > total)
    return tpc_error(TPC_EINPUT, "'%s' byte %zu: dims mismatch: data continue past the %zu "
                     "images of %zu pixels the header announces", path, 16 + total, count,
                     q->df);
  return TPC_OK;
}

static int autoenc_load(tpc_problem *p, autoenc_priv *q, const char *path, long samples) {
  gzFile f;
  int rc = tpc_problem_gzopen(path, &f);
  if (rc) return rc;
  size_t count = 0;
  rc = idx_header(f, path, &count, &q->df);
  if (!rc && samples > 0 && (size_t)samples > count)
    rc = tpc_error(TPC_EINPUT, "samples = %ld exceeds the %zu images of '%s'", samples, count,
                   path);
  q->samples = samples > 0 ? (size_t)samples : count;
  if (!rc && q->de > q->df)
    rc = tpc_error(TPC_EINPUT, "de = %zu exceeds the %zu pixels of an image", q->de, q->df);
  if (!rc && p->n > q->samples)
    rc = tpc_error(TPC_EINPUT, "n = %zu exceeds the %zu samples", p->n, q->samples);
  if (!rc) rc = idx_pixels(f, path, q, count);
  gzclose(f);
  return rc;
}

/* ---- set-up -------------------------------------------------------------- */

static int autoenc_setup(tpc_problem *p, autoenc_priv *q) {
  p->d = 2 * q->df * q->de;
  q->start = malloc((p->n + 1) * sizeof *q->start);
  p->x0 = malloc(p->d * sizeof *p->x0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_pcg64);
  int rc = TPC_OK;
  if (!q->start || !p->x0 || !r) {
    rc = tpc_error(TPC_ENOMEM, "out of memory");
  } else {
    size_t m = q->samples / p->n;
    for (size_t i = 0; i < p->n; i++) q->start[i] = i * m;
    q->start[p->n] = q->samples;
    tpc_rng_stream(r, 1, TPC_PURPOSE_DATA, 0);
    double sigma = 1 / sqrt((double)q->df);
    for (size_t k = 0; k < p->d; k++) p->x0[k] = gsl_ran_gaussian(r, sigma);
  }
  if (r) gsl_rng_free(r);
  p->data_bytes = q->samples * q->df;
  p->c.Lminus = p->c.Lplus = p->c.Lpm = p->c.mu =
      (tpc_const){.value = 0, .kind = TPC_CONST_UNKNOWN};
  p->c.finf = (tpc_const){.value = 0, .kind = TPC_CONST_BOUND};
  return rc;
}

static int autoenc_init(tpc_problem *p, const tpc_spec *s) {
  const char *name;
  long n, de, samples;
  int rc = tpc_problem_param_text(s, "file", &name);
  if (!rc) rc = tpc_problem_param_int(s, "n", 100, 1, 100000000L, &n);
  if (!rc) rc = tpc_problem_param_int(s, "de", 16, 1, 1000000L, &de);
  if (!rc) rc = tpc_problem_param_int(s, "samples", 0, 1, 4294967295L, &samples);
  if (rc) return rc;
  autoenc_priv *q = calloc(1, sizeof *q);
  if (!q) return tpc_error(TPC_ENOMEM, "out of memory");
  p->priv = q;
  p->n = (size_t)n;
  q->de = (size_t)de;
  char *path = NULL;
  rc = tpc_problem_find_file(name, autoenc_dirs, autoenc_suffixes, &path);
  if (!rc) rc = autoenc_load(p, q, path, samples);
  free(path);
  return rc ? rc : autoenc_setup(p, q);
}

static void autoenc_destroy(tpc_problem *p) {
  autoenc_priv *q = p->priv;
  if (!q) return;
  free(q->pix);
  free(q->start);
  free(q);
  p->priv = NULL;
}

const tpc_problem_type tpc_problem_autoenc = {
    .name = "autoenc",
    .synopsis = "autoenc(file=PATH, n=INT, de=INT, samples=INT)",
    .summary = "linear autoencoder on IDX images (Fashion-MNIST); constants unknown",
    .keys = autoenc_keys,
    .work_size = autoenc_work_size,
    .init = autoenc_init,
    .destroy = autoenc_destroy,
    .grad = autoenc_grad,
    .value = autoenc_value,
};
