/*
** The cases of `tpc bench` (cases.h): inputs, and for each kernel the setup,
** the timed call and the bytes it must move (for the roofline, roofline.h).
**
** Bytes per call, with s the element size, nnz the coordinates a call
** actually kept (read from the message of a set-up call), L = 64 (a cache
** line: a random access moves a whole line) and d s the vector size:
**
**   kernel / impl        read R                 written W
**   identity             d s                    2 d s   (out and the DENSE part)
**   topk comp            d s                    d s + nnz (s + 4)   (out, values, indices)
**   randk urandk permk   min(d s, nnz L)        d s + nnz (s + 4)
**   bernoulli(p)         p d s                  d s + p d s   (expected over the coin)
**   natural              d s                    2 d s   (out and the POW2 values)
**   dither               2 d s                  d s + 4 d   (out and int32 levels)
**   sign                 d s                    d s + d / 8   (out and sign bits)
**   threshold            d s                    d s + nnz (s + 4)
**   topk/IMPL            d s                    4 k   (the indices)
**   ef21                 2 d s   (h, x)         d s + nnz (s + 4)
**   clag send / skip     3 d s   (h, y, x)      d s + nnz (s + 4) / d s
**   encode KIND          payload P              encoded length E
**   decode KIND          E + V                  P + V
** where P is the message's value arrays (SPARSE nnz (s + 4), SIGN d / 8,
** QUANT 4 d, POW2 and DENSE d s) and V the part of the server's vector that
** applying it touches (min(d s, nnz L) for SPARSE, d s otherwise).  Work a
** kernel does beyond these (PermK's shuffle of d indices, the marks of the
** sparse emitters) is its own cost, not the floor's.  A second pass over x
** is too, except for dither: every one of its levels depends on ||x||, so no
** implementation can emit a level before it has read all of x, and x (larger
** than the caches at the sizes that matter) must be read twice.  sign's scale
** depends on ||x||_1 as well, but its output expands from the d/8 sign bits,
** which stay in cache: one read of x suffices there.
*/
#include "bench/cases.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/roofline.h"
#include "bench/store_bench.h"
#include "comp/topk_impl.h"
#include "core/error.h"
#include "registry/pyplugin.h"
#include "rng/pcg.h"
#include "wire/wire.h"

#define LINE 64.0

static const char *const msg_kinds[] = {"sparse", "sign", "quant", "pow2", "dense", NULL};

int tpc_bench_impl_matches(const char *const *filters, size_t nfilters, const char *impl) {
  if (nfilters == 0) return 1;
  for (size_t i = 0; i < nfilters; i++) {
    size_t n = strlen(filters[i]);
    if (!strncmp(impl, filters[i], n) && (impl[n] == '\0' || impl[n] == '/' || impl[n] == '.'))
      return 1;
  }
  return 0;
}

/* ---- inputs --------------------------------------------------------------------- */

static size_t elem_size(tpc_dtype t) { return t == TPC_F64 ? sizeof(double) : sizeof(float); }

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

/* 64-byte aligned and NOT cleared: a large block comes from fresh mapped
** pages, which stay out of the resident set until a kernel touches them, so
** a buffer sized for the hungriest case costs only what each case uses
** (tpc_calloc_aligned would touch every page).  Every user writes before it
** reads. */
static void *bench_alloc(size_t bytes) {
  void *p = aligned_alloc(64, align64(bytes ? bytes : 1));
  if (!p) tpc_error(TPC_ENOMEM, "out of memory (%zu bytes)", bytes);
  return p;
}

static int fill_normal(void *v, tpc_dtype t, size_t d, uint64_t seed, uint64_t which) {
  gsl_rng *r = tpc_rng_alloc_stream(seed, TPC_PURPOSE_BENCH, which << 48 | (uint64_t)d);
  if (!r) return tpc_error(TPC_ENOMEM, "out of memory (input generator)");
  for (size_t i = 0; i < d; i++) {
    double g = gsl_ran_gaussian_ziggurat(r, 1.0);
    if (t == TPC_F64) ((double *)v)[i] = g;
    else ((float *)v)[i] = (float)g;
  }
  gsl_rng_free(r);
  return TPC_OK;
}

void tpc_bench_inputs_free(tpc_bench_inputs *in) {
  free(in->x);
  free(in->h);
  free(in->y);
  in->x = in->h = in->y = NULL;
}

int tpc_bench_inputs_alloc(tpc_bench_inputs *in, tpc_dtype dtype, size_t d,
                           uint64_t seed, int with_hy) {
  memset(in, 0, sizeof *in);
  in->dtype = dtype;
  in->d = d;
  void **v[] = {&in->x, &in->h, &in->y};
  for (uint64_t w = 0; w < (with_hy ? 3u : 1u); w++) {
    *v[w] = d <= SIZE_MAX / 8 ? bench_alloc(d * elem_size(dtype)) : NULL;
    int rc = *v[w] ? fill_normal(*v[w], dtype, d, seed, w)
                   : tpc_error(TPC_ENOMEM, "out of memory (input of %zu elements)", d);
    if (rc) {
      tpc_bench_inputs_free(in);
      return rc;
    }
  }
  return TPC_OK;
}

/* ---- the kernel descriptor ----------------------------------------------------------- */

/* How a compressor kernel's spec is written from (d, k). */
typedef enum {
  SPEC_NAME,     /* the bare name */
  SPEC_K,        /* name(k=K) */
  SPEC_P,        /* name(p=k/d) */
  SPEC_LEVELS,   /* name(s=4) */
  SPEC_LAMBDA,   /* name(lambda) keeping k of d normal values on average */
  SPEC_CLIENTS   /* the bare name, with n clients near d/k (PermK's blocks) */
} spec_form;

/* Which row of the bytes table at the top a compressor kernel is. */
typedef enum {
  BYTES_SPARSE,  /* read d s, write d s + nnz (s + 4) */
  BYTES_DENSE,   /* write 2 d s */
  BYTES_GATHER,  /* read min(d s, nnz L) */
  BYTES_COIN,    /* p d s read, d s + p d s written */
  BYTES_LEVELS,  /* 2 d s read, d s + 4 d written */
  BYTES_SIGNS,   /* d s + d/8 written */
  BYTES_OUT      /* a plugin's type, and its bridge case: read x, write out */
} bytes_form;

struct case_list;

/* One kernel, described once: its name, whether it takes k and needs h and
** y, its peers, its impls, and how its cases are added. */
typedef struct kernel_desc {
  const char *name;
  int has_k, needs_hy;
  int has_peers;                  /* TopK: its implementations, and peer libraries */
  int vectors_read;               /* mechanisms: the d-vectors a step reads */
  int encodes;                    /* wire: encode (1) or decode (0) */
  const char *const *impls;       /* its impl names (TopK's implementations aside) */
  const char *const *spec_of;     /* mechanisms: the spec's tail per impl */
  int (*add)(const struct kernel_desc *kd, const tpc_registry *reg, struct case_list *l,
             const char *name, const tpc_bench_inputs *in, size_t k, const char *const *f,
             size_t nf, uint64_t seed);
  spec_form spec;                 /* compressors */
  bytes_form bytes;
} kernel_desc;

/* ---- shared pieces of the cases ----------------------------------------------------- */

/* A case's own state: whichever of these its kernel uses. */
typedef struct case_arg {
  const tpc_bench_inputs *in;
  tpc_comp *comp;
  tpc_mech *mech;
  const tpc_topk_impl *impl;
  gsl_rng *rng, *shared;
  tpc_ctx ctx;
  tpc_msg msg;
  uint8_t *bytes;          /* decode: the encoded message */
  size_t len;
  size_t k;
  const struct kernel_desc *kd;  /* the case's kernel */
} case_arg;

static void arg_destroy(tpc_bench_case *c) {
  case_arg *a = c->arg;
  if (!a) return;
  tpc_comp_free(a->comp);
  tpc_mech_free(a->mech);
  gsl_rng_free(a->rng);
  gsl_rng_free(a->shared);
  free(a->bytes);
  free(a);
}

/* FNV-1a of the case's identity: its random stream does not depend on which
** other cases a run selected. */
static uint64_t case_stream(const tpc_bench_case *c) {
  char key[256];
  snprintf(key, sizeof key, "%s|%s|%d|%zu|%zu", c->kernel, c->impl, (int)c->dtype, c->d, c->k);
  uint64_t h = 14695981039346656037u;
  for (const char *p = key; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211u;
  return h | (uint64_t)1 << 63;
}

/* The cases of a group being built. */
typedef struct case_list {
  tpc_bench_case *v;
  size_t n, cap;
} case_list;

/* Append a case with its identity, its own random streams and an otherwise
** zeroed arg; NULL when out of memory (a half-made case is still counted,
** so that freeing the list frees it). */
static tpc_bench_case *case_add(case_list *l, const char *kernel, const char *impl,
                                const tpc_bench_inputs *in, size_t k, uint64_t seed) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    tpc_bench_case *p = realloc(l->v, cap * sizeof *p);
    if (!p) return NULL;
    l->v = p;
    l->cap = cap;
  }
  tpc_bench_case *c = &l->v[l->n];
  memset(c, 0, sizeof *c);
  snprintf(c->kernel, sizeof c->kernel, "%s", kernel);
  snprintf(c->impl, sizeof c->impl, "%s", impl);
  snprintf(c->path, sizeof c->path, "portable");
  c->dtype = in->dtype;
  c->d = in->d;
  c->k = k;
  c->role = TPC_BENCH_KERNEL;
  case_arg *a = calloc(1, sizeof *a);
  if (!a) return NULL;
  a->in = in;
  a->k = k;
  a->rng = tpc_rng_alloc_stream(seed, TPC_PURPOSE_BENCH, case_stream(c));
  a->shared = tpc_rng_alloc_stream(seed, TPC_PURPOSE_BENCH, case_stream(c) ^ 1);
  c->arg = a;
  c->destroy = arg_destroy;
  l->n++;
  if (!a->rng || !a->shared) return NULL;
  a->ctx = (tpc_ctx){a->rng, a->shared, 0};
  return c;
}

static int build_spec(const tpc_registry *reg, const char *text, tpc_spec **s) {
  int rc = tpc_spec_parse(text, s);
  if (!rc) rc = tpc_spec_check(reg, *s);
  if (rc) {
    tpc_spec_free(*s);
    *s = NULL;
    return tpc_error_prefix(rc, "bench spec '%s': ", text);
  }
  return TPC_OK;
}

static int make_comp(const tpc_registry *reg, const char *text, size_t d, size_t n,
                     tpc_comp **out) {
  tpc_spec *s;
  int rc = build_spec(reg, text, &s);
  if (rc) return rc;
  *out = tpc_comp_alloc(reg, s, d, n, &rc);
  tpc_spec_free(s);
  return *out ? TPC_OK : rc;
}

static int make_mech(const tpc_registry *reg, const char *text, size_t d, tpc_mech **out) {
  tpc_spec *s;
  int rc = build_spec(reg, text, &s);
  if (rc) return rc;
  *out = tpc_mech_alloc(reg, s, d, 1, &rc);
  tpc_spec_free(s);
  return *out ? TPC_OK : rc;
}

/* Kept coordinates of a message's last part (d for the dense kinds). */
static size_t msg_nnz(const tpc_msg *m) {
  if (m->nparts == 0) return 0;
  const tpc_msg_part *p = &m->part[m->nparts - 1];
  return p->kind == TPC_MSG_SPARSE ? p->nnz : p->kind == TPC_MSG_SKIP ? 0 : p->d;
}

/* Bytes of the value arrays of a message's parts (P in the table above). */
static double msg_payload(const tpc_msg *m) {
  double b = 0;
  for (size_t i = 0; i < m->nparts; i++) {
    const tpc_msg_part *p = &m->part[i];
    double s = (double)elem_size(p->dtype), d = (double)p->d;
    switch (p->kind) {
      case TPC_MSG_SPARSE: b += (double)p->nnz * (s + 4); break;
      case TPC_MSG_SIGN: b += d / 8; break;
      case TPC_MSG_QUANT: b += 4 * d; break;
      case TPC_MSG_DENSE:
      case TPC_MSG_POW2: b += d * s; break;
      case TPC_MSG_SKIP: break;
    }
  }
  return b;
}

/* ---- compressors ---------------------------------------------------------------- */

static void comp_call(tpc_bench_case *c) {
  case_arg *a = c->arg;
  tpc_msg_reset(&a->msg);
  if (c->dtype == TPC_F32) tpc_comp_compress_f32(a->comp, a->in->x, c->scratch, &a->msg, &a->ctx);
  else tpc_comp_compress_f64(a->comp, a->in->x, c->scratch, &a->msg, &a->ctx);
}

/* The spec of compressor kernel kd keeping about k of d, and its client count. */
static void comp_spec(const kernel_desc *kd, const char *name, size_t d, size_t k, char *spec,
                      size_t size, size_t *n) {
  double ratio = (double)k / (double)d;
  *n = 1;
  switch (kd->spec) {
    case SPEC_K: snprintf(spec, size, "%s(k=%zu)", name, k); break;
    case SPEC_P: snprintf(spec, size, "%s(p=%.17g)", name, ratio); break;
    case SPEC_LEVELS: snprintf(spec, size, "%s(s=4)", name); break;
    case SPEC_LAMBDA: /* P(|N(0,1)| >= lambda) = k/d */
      snprintf(spec, size, "%s(lambda=%.17g)", name, gsl_cdf_ugaussian_Qinv(ratio / 2));
      break;
    case SPEC_CLIENTS: {
      /* n clients with d % n == 0, as near d/k as possible from below */
      size_t m = (size_t)llround((double)d / (double)k);
      while (m > 1 && d % m) m--;
      *n = m ? m : 1;
      snprintf(spec, size, "%s", name);
      break;
    }
    case SPEC_NAME: snprintf(spec, size, "%s", name); break;
  }
}

/* The bytes of a compressor case (the table at the top). */
static void comp_bytes(const kernel_desc *kd, tpc_bench_case *c, size_t nnz, double p) {
  double s = (double)elem_size(c->dtype), ds = (double)c->d * s, d = (double)c->d;
  c->bytes_read = ds;
  c->bytes_written = ds + (double)nnz * (s + 4);
  switch (kd->bytes) {
    case BYTES_SPARSE: break;
    case BYTES_DENSE: c->bytes_written = 2 * ds; break;
    case BYTES_GATHER: c->bytes_read = fmin(ds, (double)nnz * LINE); break;
    case BYTES_COIN:
      c->bytes_read = p * ds;
      c->bytes_written = ds + p * ds;
      break;
    case BYTES_LEVELS: /* the norm, then the levels (see the top) */
      c->bytes_read = 2 * ds;
      c->bytes_written = ds + 4 * d;
      break;
    case BYTES_SIGNS: c->bytes_written = ds + d / 8; break;
    case BYTES_OUT: c->bytes_written = ds; break;
  }
}

/* A case of `kernel` with `impl` that times the compressor type `type`
** (the kernel's own, or the bridge's for a Python kernel), its spec written
** as kd says. */
static int add_comp(const kernel_desc *kd, const tpc_registry *reg, case_list *l,
                    const char *kernel, const char *impl, const char *type,
                    const tpc_bench_inputs *in, size_t k, uint64_t seed) {
  size_t n;
  tpc_bench_case *c = case_add(l, kernel, impl, in, k, seed);
  if (!c) return tpc_error(TPC_ENOMEM, "out of memory (bench case)");
  case_arg *a = c->arg;
  a->kd = kd;
  comp_spec(kd, type, in->d, k ? k : 1, c->spec, sizeof c->spec, &n);
  int rc = make_comp(reg, c->spec, in->d, n, &a->comp);
  if (rc) return rc;
  tpc_comp_path(a->comp, in->dtype, c->path, sizeof c->path);
  c->call = comp_call;
  c->scratch_bytes = in->d * elem_size(in->dtype);
  return TPC_OK;
}

/* After the group's scratch exists: one call to learn nnz, then the bytes. */
static void comp_finish(tpc_bench_case *c) {
  case_arg *a = c->arg;
  c->call(c);
  size_t nnz = msg_nnz(&a->msg);
  if (a->kd->spec == SPEC_CLIENTS)
    snprintf(c->note, sizeof c->note, "n = %zu clients, block %zu", a->comp->n, nnz);
  if (a->kd->spec == SPEC_LAMBDA) snprintf(c->note, sizeof c->note, "keeps %zu", nnz);
  comp_bytes(a->kd, c, nnz, (double)c->k / (double)c->d);
}

/* ---- TopK implementations ----------------------------------------------------------- */

static void topk_call(tpc_bench_case *c) {
  case_arg *a = c->arg;
  uint32_t *idx = c->scratch;
  void *work = (char *)c->scratch + align64(a->k * sizeof *idx);
  if (c->dtype == TPC_F32) a->impl->select_f32(a->in->x, c->d, a->k, idx, work);
  else a->impl->select_f64(a->in->x, c->d, a->k, idx, work);
}

static int add_topk_impls(case_list *l, const tpc_bench_inputs *in, size_t k,
                          const char *const *filters, size_t nfilters, uint64_t seed) {
  for (const tpc_topk_impl *const *p = tpc_topk_impls(); *p; p++) {
    char name[48];
    snprintf(name, sizeof name, "%s/%s", (*p)->name, (*p)->isa);
    if (((*p)->available && !(*p)->available()) ||
        !tpc_bench_impl_matches(filters, nfilters, name))
      continue;
    tpc_bench_case *c = case_add(l, "topk", name, in, k, seed);
    if (!c) return tpc_error(TPC_ENOMEM, "out of memory (bench case)");
    case_arg *a = c->arg;
    a->impl = *p;
    snprintf(c->path, sizeof c->path, "%s", name);
    c->call = topk_call;
    c->scratch_bytes = align64(k * sizeof(uint32_t)) + tpc_topk_work_size(in->d, k);
    c->bytes_read = (double)(in->d * elem_size(in->dtype));
    c->bytes_written = 4.0 * (double)k;
  }
  return TPC_OK;
}

/* ---- mechanisms --------------------------------------------------------------------- */

static void mech_call(tpc_bench_case *c) {
  case_arg *a = c->arg;
  const tpc_bench_inputs *in = a->in;
  if (c->dtype == TPC_F32)
    tpc_mech_apply_f32(a->mech, in->h, in->y, in->x, c->scratch, &a->msg, &a->ctx);
  else
    tpc_mech_apply_f64(a->mech, in->h, in->y, in->x, c->scratch, &a->msg, &a->ctx);
}

/* The mechanism's spec for an impl (kd->impls[i] with its kd->spec_of[i]). */
static void mech_spec(const kernel_desc *kd, size_t impl, size_t k, char *spec, size_t size) {
  snprintf(spec, size, "%s(topk(k=%zu)%s)", kd->name, k, kd->spec_of[impl]);
}

static int add_mech(const kernel_desc *kd, size_t impl, const tpc_registry *reg, case_list *l,
                    const tpc_bench_inputs *in, size_t k, uint64_t seed) {
  tpc_bench_case *c = case_add(l, kd->name, kd->impls[impl], in, k, seed);
  if (!c) return tpc_error(TPC_ENOMEM, "out of memory (bench case)");
  case_arg *a = c->arg;
  a->kd = kd;
  mech_spec(kd, impl, k, c->spec, sizeof c->spec);
  c->call = mech_call;
  c->scratch_bytes = in->d * elem_size(in->dtype);
  int rc = make_mech(reg, c->spec, in->d, &a->mech);
  if (!rc) tpc_mech_path(a->mech, in->dtype, c->path, sizeof c->path);
  return rc;
}

static void mech_finish(tpc_bench_case *c) {
  case_arg *a = c->arg;
  c->call(c);
  double s = (double)elem_size(c->dtype), ds = (double)c->d * s;
  size_t nnz = msg_nnz(&a->msg);
  int sent = a->msg.nparts > 0 && a->msg.part[a->msg.nparts - 1].kind != TPC_MSG_SKIP;
  c->bytes_read = (double)a->kd->vectors_read * ds;
  c->bytes_written = ds + (sent ? (double)nnz * (s + 4) : 0.0);
  /* a mechanism with a trigger has an impl per outcome (clag: send, skip) */
  if (a->kd->impls[1]) snprintf(c->note, sizeof c->note, "%s", sent ? "sent" : "skipped");
}

/* ---- wire ----------------------------------------------------------------------------- */

/* The compressor whose message has the kind msg_kinds[kind]. */
static void kind_spec(size_t kind, size_t k, char *buf, size_t size) {
  static const char *const specs[] = {"topk(k=%zu)", "sign", "dither(s=4)", "natural",
                                      "identity"};
  if (kind == 0) snprintf(buf, size, specs[0], k);
  else snprintf(buf, size, "%s", specs[kind]);
}

static void encode_call(tpc_bench_case *c) {
  case_arg *a = c->arg;
  tpc_wire_encode(&a->msg, TPC_WIRE_AUTO, c->scratch, c->scratch_bytes, &a->len);
}

static void decode_restore(tpc_bench_case *c) {
  case_arg *a = c->arg;
  memcpy(c->scratch, a->in->x, c->d * elem_size(c->dtype));
}

static void decode_call(tpc_bench_case *c) {
  case_arg *a = c->arg;
  tpc_wire_decoded dm;
  if (tpc_wire_decode(a->bytes, a->len, c->d, c->dtype, &dm)) return;
  if (c->dtype == TPC_F32) tpc_msg_apply_f32(&dm.msg, c->scratch);
  else tpc_msg_apply_f64(&dm.msg, c->scratch);
  tpc_wire_decoded_free(&dm);
}

/* Compress x once into a temporary output; the message stays valid in the
** compressor's workspace until its next call, which never comes. */
static int wire_message(const tpc_registry *reg, tpc_bench_case *c, size_t kind) {
  case_arg *a = c->arg;
  size_t es = elem_size(c->dtype);
  kind_spec(kind, c->k ? c->k : 1, c->spec, sizeof c->spec);
  int rc = make_comp(reg, c->spec, c->d, 1, &a->comp);
  if (rc) return rc;
  void *out = malloc(c->d * es);
  if (!out) return tpc_error(TPC_ENOMEM, "out of memory (message set-up)");
  tpc_msg_reset(&a->msg);
  if (c->dtype == TPC_F32) tpc_comp_compress_f32(a->comp, a->in->x, out, &a->msg, &a->ctx);
  else tpc_comp_compress_f64(a->comp, a->in->x, out, &a->msg, &a->ctx);
  free(out);
  return TPC_OK;
}

static int add_wire(const kernel_desc *kd, size_t kind, const tpc_registry *reg, case_list *l,
                    const tpc_bench_inputs *in, size_t k, uint64_t seed) {
  int sparse = kind == 0;
  tpc_bench_case *c = case_add(l, kd->name, msg_kinds[kind], in, sparse ? k : 0, seed);
  if (!c) return tpc_error(TPC_ENOMEM, "out of memory (bench case)");
  case_arg *a = c->arg;
  a->kd = kd;
  int rc = wire_message(reg, c, kind);
  if (rc) return rc;
  size_t size = tpc_wire_size(&a->msg, TPC_WIRE_AUTO), es = elem_size(c->dtype);
  double payload = msg_payload(&a->msg), ds = (double)(c->d * es);
  double touched = sparse ? fmin(ds, (double)msg_nnz(&a->msg) * LINE) : ds;
  if (kd->encodes) {
    c->call = encode_call;
    c->scratch_bytes = size;
    c->bytes_read = payload;
    c->bytes_written = (double)size;
    return TPC_OK;
  }
  if (!(a->bytes = malloc(size ? size : 1))) return tpc_error(TPC_ENOMEM, "out of memory");
  rc = tpc_wire_encode(&a->msg, TPC_WIRE_AUTO, a->bytes, size, &a->len);
  if (rc) return rc;
  c->call = decode_call;
  c->restore = decode_restore;
  c->scratch_bytes = c->d * es;
  c->bytes_read = (double)a->len + touched;
  c->bytes_written = payload + touched;
  return TPC_OK;
}

/* ---- groups ------------------------------------------------------------------------- */

/* The cases of one kernel at one k, each impl that passes the filters. */
static int add_comp_kernel(const kernel_desc *kd, const tpc_registry *reg, case_list *l,
                           const char *name, const tpc_bench_inputs *in, size_t k,
                           const char *const *f, size_t nf, uint64_t seed) {
  int rc = tpc_bench_impl_matches(f, nf, "comp")
               ? add_comp(kd, reg, l, name, "comp", name, in, k, seed)
               : TPC_OK;
  if (!rc && kd->has_peers) rc = add_topk_impls(l, in, k, f, nf, seed);
  return rc;
}

static int add_mech_kernel(const kernel_desc *kd, const tpc_registry *reg, case_list *l,
                           const char *name, const tpc_bench_inputs *in, size_t k,
                           const char *const *f, size_t nf, uint64_t seed) {
  (void)name;
  int rc = TPC_OK;
  for (size_t i = 0; kd->impls[i] && !rc; i++)
    if (tpc_bench_impl_matches(f, nf, kd->impls[i])) rc = add_mech(kd, i, reg, l, in, k, seed);
  return rc;
}

static int add_wire_kernel(const kernel_desc *kd, const tpc_registry *reg, case_list *l,
                           const char *name, const tpc_bench_inputs *in, size_t k,
                           const char *const *f, size_t nf, uint64_t seed) {
  (void)name;
  int rc = TPC_OK;
  for (size_t i = 0; msg_kinds[i] && !rc; i++)
    if (tpc_bench_impl_matches(f, nf, msg_kinds[i])) rc = add_wire(kd, i, reg, l, in, k, seed);
  return rc;
}

/* ---- the kernels ---------------------------------------------------------------------- */

static const char *const comp_impls[] = {"comp", NULL};
static const char *const topk_impls[] = {"comp", "numpy.argpartition", "torch.topk", NULL};
static const char *const ef21_impls[] = {"topk", NULL};
static const char *const clag_impls[] = {"send", "skip", NULL};
static const char *const ef21_specs[] = {""};
static const char *const clag_specs[] = {",zeta=0.5", ",zeta=2"}; /* fires, does not */

#define COMP(NAME, HAS_K, SPEC, BYTES, PEERS) \
  {NAME, HAS_K, 0, PEERS, 0, 0, PEERS ? topk_impls : comp_impls, NULL, add_comp_kernel, SPEC, BYTES}
#define MECH(NAME, IMPLS, SPECS, READS) \
  {NAME, 1, 1, 0, READS, 0, IMPLS, SPECS, add_mech_kernel, SPEC_NAME, BYTES_SPARSE}
#define WIRE(NAME, ENCODES) \
  {NAME, 1, 0, 0, 0, ENCODES, msg_kinds, NULL, add_wire_kernel, SPEC_NAME, BYTES_SPARSE}

/* Every kernel once, in the order a run times them. */
static const kernel_desc kernel_table[] = {
    COMP("identity", 0, SPEC_NAME, BYTES_DENSE, 0),
    COMP("topk", 1, SPEC_K, BYTES_SPARSE, 1),
    COMP("randk", 1, SPEC_K, BYTES_GATHER, 0),
    COMP("urandk", 1, SPEC_K, BYTES_GATHER, 0),
    COMP("permk", 1, SPEC_CLIENTS, BYTES_GATHER, 0),
    COMP("bernoulli", 1, SPEC_P, BYTES_COIN, 0),
    COMP("natural", 0, SPEC_NAME, BYTES_DENSE, 0),
    COMP("dither", 0, SPEC_LEVELS, BYTES_LEVELS, 0),
    COMP("sign", 0, SPEC_NAME, BYTES_SIGNS, 0),
    COMP("threshold", 1, SPEC_LAMBDA, BYTES_SPARSE, 0),
    MECH("ef21", ef21_impls, ef21_specs, 2),   /* reads h, x */
    MECH("clag", clag_impls, clag_specs, 3),   /* reads h, y, x */
    WIRE("encode", 1),
    WIRE("decode", 0)};
#define NKERNELS (sizeof kernel_table / sizeof kernel_table[0])

/* A plugin's compressor type named as a kernel: name(k=K) for each k when
** the type has a parameter k, as topk is timed, else its bare spec; the
** least any compressor moves (read x, write out). */
#define PLUGIN(HAS_K, SPEC) \
  {NULL, HAS_K, 0, 0, 0, 0, comp_impls, NULL, add_comp_kernel, SPEC, BYTES_OUT}
static const kernel_desc plugin_bare = PLUGIN(0, SPEC_NAME);
static const kernel_desc plugin_k = PLUGIN(1, SPEC_K);

static const kernel_desc *find_kernel(const char *name) {
  for (size_t i = 0; i < NKERNELS; i++)
    if (!strcmp(kernel_table[i].name, name)) return &kernel_table[i];
  return NULL;
}

const char *const *tpc_bench_kernels(void) {
  static const char *names[NKERNELS + 1]; /* filled once, on the first call */
  if (!names[0])
    for (size_t i = 0; i < NKERNELS; i++) names[i] = kernel_table[i].name;
  return names;
}

int tpc_bench_kernel_known(const char *name) { return find_kernel(name) != NULL; }

/* The kernel named: a built-in, or a plugin's compressor type the registry
** knows (NULL when reg is); NULL otherwise. */
static const kernel_desc *kernel_in(const tpc_registry *reg, const char *name) {
  const kernel_desc *kd = find_kernel(name);
  if (kd || !reg || tpc_registry_kind(reg, name) != TPC_KIND_COMP) return kd;
  return tpc_keys_have(tpc_registry_comp(reg, name)->keys, "k") ? &plugin_k : &plugin_bare;
}

int tpc_bench_kernel_has_k(const tpc_registry *reg, const char *name) {
  const kernel_desc *kd = kernel_in(reg, name);
  return kd && kd->has_k;
}

int tpc_bench_kernel_needs_hy(const char *name) {
  const kernel_desc *kd = find_kernel(name);
  return kd && kd->needs_hy;
}

int tpc_bench_kernel_has_peers(const char *name) {
  const kernel_desc *kd = find_kernel(name);
  return kd && kd->has_peers;
}

/* Whether a filter matches some impl of kd (TopK: its implementations too). */
static int kernel_has_impl(const kernel_desc *kd, const char *filter) {
  const char *one[] = {filter};
  for (const char *const *i = kd->impls; *i; i++)
    if (tpc_bench_impl_matches(one, 1, *i)) return 1;
  for (const tpc_topk_impl *const *p = tpc_topk_impls(); kd->has_peers && *p; p++) {
    char name[64];
    snprintf(name, sizeof name, "%s/%s", (*p)->name, (*p)->isa);
    if (tpc_bench_impl_matches(one, 1, name)) return 1;
  }
  return 0;
}

int tpc_bench_impl_known(const char *kernel, const char *filter) {
  if (kernel) {
    const kernel_desc *kd = find_kernel(kernel);
    return kernel_has_impl(kd ? kd : &plugin_bare, filter);
  }
  for (size_t i = 0; i < NKERNELS; i++)
    if (kernel_has_impl(&kernel_table[i], filter)) return 1;
  return 0;
}

/* kernel_in, with an error when it is neither. */
static const kernel_desc *kernel_of(const tpc_registry *reg, const char *name) {
  const kernel_desc *kd = kernel_in(reg, name);
  if (!kd) tpc_error(TPC_EINPUT, "'%s' is not a bench kernel nor a compressor of a plugin", name);
  return kd;
}

static int is_plugin(const kernel_desc *kd) { return kd == &plugin_bare || kd == &plugin_k; }

int tpc_bench_kernel_check(const tpc_registry *reg, const char *kernel, size_t d, size_t k) {
  const kernel_desc *kd = kernel_of(reg, kernel);
  if (!kd) return TPC_EINPUT;
  if (!is_plugin(kd)) return TPC_OK;
  char spec[160], why[512];
  size_t n;
  tpc_comp *c;
  comp_spec(kd, kernel, d, k ? k : 1, spec, sizeof spec, &n);
  int rc = make_comp(reg, spec, d, n, &c);
  if (!rc) tpc_comp_free(c);
  if (rc != TPC_EINPUT) return rc;
  snprintf(why, sizeof why, "%s", tpc_error_msg());
  return tpc_error(rc, "bench %s: %s at d = %zu: %s (tpc bench times a plugin's type as "
                   "name(k=K) when it has a parameter k, else by its bare name: a type that "
                   "needs another parameter cannot be timed)", kernel, spec, d, why);
}

/* Whether the group has a case of `kernel` that runs Python. */
static int group_runs_python(const case_list *l, const char *kernel) {
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].role == TPC_BENCH_KERNEL && !strcmp(l->v[i].kernel, kernel) &&
        !strcmp(l->v[i].path, TPC_PYPLUGIN_PATH))
      return 1;
  return 0;
}

/* A Python compressor's group also times the bridge alone (pyidentity: the
** memoryview, the call, the conversion, the checks and the copy of every
** call, and no work of the plugin's), once per Python kernel and (dtype,
** d), as a case of that kernel with impl "bridge", k 0 and the plugin's
** bytes; --impl cannot select it alone, it goes with the kernel's cases. */
static int add_bridge(const kernel_desc *kd, const tpc_registry *reg, case_list *l,
                      const char *kernel, const tpc_bench_inputs *in, uint64_t seed) {
  if (!is_plugin(kd) || !strcmp(kernel, TPC_PYPLUGIN_BRIDGE) ||
      tpc_registry_kind(reg, TPC_PYPLUGIN_BRIDGE) != TPC_KIND_COMP || !group_runs_python(l, kernel))
    return TPC_OK;
  return add_comp(&plugin_bare, reg, l, kernel, TPC_BENCH_BRIDGE, TPC_PYPLUGIN_BRIDGE, in, 0,
                  seed);
}

/* What a call of c cost: its instructions where counted, else its median. */
static double case_cost(const tpc_bench_case *c) {
  return c->instructions > 0 ? c->instructions : c->sum.median;
}

void tpc_bench_bridge_notes(tpc_bench_case *cases, size_t n) {
  const tpc_bench_case *b = NULL;
  for (size_t i = 0; i < n; i++)
    if (cases[i].role == TPC_BENCH_KERNEL && !strcmp(cases[i].impl, TPC_BENCH_BRIDGE))
      b = &cases[i];
  for (size_t i = 0; b && i < n; i++) {
    tpc_bench_case *c = &cases[i];
    if (c == b || c->role != TPC_BENCH_KERNEL || strcmp(c->kernel, b->kernel) ||
        strcmp(c->path, TPC_PYPLUGIN_PATH) || !(case_cost(b) > 0 && case_cost(c) > 0))
      continue;
    double share = 100 * case_cost(b) / case_cost(c);
    char cost[32];
    if (b->instructions > 0) snprintf(cost, sizeof cost, "%.4g ins", b->instructions);
    else tpc_bench_fmt_time(b->sum.median, cost, sizeof cost);
    snprintf(c->note, sizeof c->note, share < 99.95 ? "bridge %s (%.3g %%)" : "bridge %s (%.0f %%)",
             cost, share);
  }
}

void tpc_bench_group_free(tpc_bench_case *cases, size_t n, void *scratch) {
  for (size_t i = 0; cases && i < n; i++) tpc_bench_case_clear(&cases[i]);
  free(cases);
  free(scratch);
}

/* Remove the wire cases that the k loop repeated although their message kind
** has no k (all but sparse). */
static void drop_repeats(case_list *l) {
  size_t w = 0;
  for (size_t i = 0; i < l->n; i++) {
    int dup = 0;
    for (size_t j = 0; j < w && !dup; j++)
      dup = l->v[j].k == 0 && l->v[i].k == 0 && !strcmp(l->v[j].kernel, l->v[i].kernel) &&
            !strcmp(l->v[j].impl, l->v[i].impl);
    if (dup) tpc_bench_case_clear(&l->v[i]);
    else l->v[w++] = l->v[i];
  }
  l->n = w;
}

static int finish_group(case_list *l, void **scratch) {
  size_t need = 64;
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].scratch_bytes > need) need = l->v[i].scratch_bytes;
  *scratch = bench_alloc(need);
  if (!*scratch) return TPC_ENOMEM;
  for (size_t i = 0; i < l->n; i++) {
    tpc_bench_case *c = &l->v[i];
    c->scratch = *scratch;
    if (c->role != TPC_BENCH_KERNEL) continue;
    if (c->call == comp_call) comp_finish(c);
    else if (c->call == mech_call) mech_finish(c);
  }
  return TPC_OK;
}

int tpc_bench_group_build(const tpc_registry *reg, const char *kernel,
                          const tpc_bench_inputs *in, const size_t *ks, size_t nk,
                          const char *const *filters, size_t nfilters, uint64_t seed,
                          tpc_bench_case **cases, size_t *n, void **scratch) {
  case_list l = {0};
  *cases = NULL;
  *n = 0;
  *scratch = NULL;
  int rc = TPC_OK;
  size_t bytes = in->d * elem_size(in->dtype);
  l.v = calloc(TPC_BW_KINDS, sizeof *l.v);
  if (!l.v) return tpc_error(TPC_ENOMEM, "out of memory (bench cases)");
  l.cap = TPC_BW_KINDS;
  rc = tpc_bench_bw_cases(l.v, in->x, bytes, in->dtype, in->d);
  if (!rc) l.n = TPC_BW_KINDS;
  const kernel_desc *kd = kernel_of(reg, kernel);
  if (!kd) rc = TPC_EINPUT;
  for (size_t i = 0; kd && i < (kd->has_k ? nk : 1) && !rc; i++)
    rc = kd->add(kd, reg, &l, kernel, in, kd->has_k ? ks[i] : 0, filters, nfilters, seed);
  if (!rc) rc = add_bridge(kd, reg, &l, kernel, in, seed);
  if (!rc) drop_repeats(&l);
  if (!rc) rc = finish_group(&l, scratch);
  if (rc) {
    tpc_bench_group_free(l.v, l.n, *scratch);
    *scratch = NULL;
    return rc;
  }
  *cases = l.v;
  *n = l.n;
  return TPC_OK;
}
