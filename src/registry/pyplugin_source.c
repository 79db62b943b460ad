/* Template body of pyplugin.c: the calls into Python and the messages built
** from their results, per element type. */

/* The first coordinate of out that is not finite, or d. */
static size_t FUNCTION(py, nonfinite)(const BASE *out, size_t d) {
  size_t bad = d;
  for (size_t i = d; i-- > 0;)
    if (!isfinite(out[i])) bad = i;
  return bad;
}

/* The plugin's result (pyplugin.py made it C-contiguous, of type BASE and
** length d) into out and the dense message buffer in one pass, counting its
** nonzeros; the index of its first value that is not finite, or d. */
static size_t FUNCTION(py, take)(py_inst *p, const BASE *src, BASE *out, size_t d, size_t *nnz) {
  BASE *val = (BASE *)(void *)p->val;
  size_t bad = d, count = 0;
  for (size_t i = d; i-- > 0;) {
    BASE v = src[i];
    out[i] = val[i] = v;
    count += v != 0;
    if (!isfinite(v)) bad = i;
  }
  *nnz = count;
  return bad;
}

/* A compressor's output as its message: a SPARSE part of its nnz nonzeros
** when that is shorter on the wire than DENSE (the wire writes a sparse part
** as a bitmap of d bits plus the values at most), else DENSE from the copy
** py_take made.  Either decodes to out exactly (zeros up to their sign). */
static void FUNCTION(py, emit)(py_inst *p, const BASE *out, size_t d, size_t nnz, tpc_msg *msg) {
  BASE *val = (BASE *)(void *)p->val;
  const size_t w = 8 * sizeof(BASE);
  if (d + nnz * w >= d * w) {
    tpc_msg_add(msg, TPC_MSG_DENSE, DTYPE, d)->val = val;
    return;
  }
  nnz = 0;
  for (size_t i = 0; i < d; i++)
    if (out[i] != 0) {
      p->idx[nnz] = (uint32_t)i;
      val[nnz++] = out[i];
    }
  tpc_msg_part *part = tpc_msg_add(msg, TPC_MSG_SPARSE, DTYPE, d);
  part->nnz = nnz;
  part->idx = p->idx;
  part->val = val;
}

/* A mechanism's new state as its message: a SPARSE part of out - h at the
** coordinates that changed, when h + (out - h) gives out back bit for bit
** at each of them and the part is shorter than DENSE; else out itself as an
** absolute DENSE part.  Applying it to a copy of h gives out exactly. */
static void FUNCTION(py, emit_state)(py_inst *p, const BASE *h, const BASE *out, size_t d,
                                     tpc_msg *msg) {
  BASE *val = (BASE *)(void *)p->val;
  const size_t w = 8 * sizeof(BASE);
  size_t nnz = 0;
  int exact = 1;
  for (size_t i = 0; exact && i < d; i++) {
    if (PY_SAME(out[i], h[i])) continue;
    BASE delta = out[i] - h[i];
    BASE back = h[i] + delta;
    exact = PY_SAME(back, out[i]) && d + (nnz + 1) * w < d * w;
    p->idx[nnz] = (uint32_t)i;
    val[nnz++] = delta;
  }
  tpc_msg_reset(msg);
  if (exact) {
    tpc_msg_part *part = tpc_msg_add(msg, TPC_MSG_SPARSE, DTYPE, d);
    part->nnz = nnz;
    part->idx = p->idx;
    part->val = val;
    return;
  }
  memcpy(val, out, d * sizeof(BASE));
  tpc_msg_part *part = tpc_msg_add(msg, TPC_MSG_DENSE, DTYPE, d);
  part->absolute = 1;
  part->val = val;
}

static void FUNCTION(py, compress)(tpc_comp *c, const BASE *x, BASE *out, tpc_msg *msg,
                                   const tpc_ctx *ctx) {
  const py_type *t = py_type_of_comp(c->type);
  py_inst *p = c->priv;
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *xv = py_view(x, c->d * sizeof(BASE));
  PyObject *rng = py_rng_new(ctx->rng, ctx->shared, (long)ctx->client);
  PyObject *res = xv && rng ? PyObject_CallFunction(py_fn_compress, "OOinO", p->obj, xv,
                                                    (int)DTYPE, (Py_ssize_t)c->d, rng)
                            : NULL;
  py_rng_end(rng);
  Py_XDECREF(rng);
  Py_XDECREF(xv);
  Py_buffer b;
  if (!res || PyObject_GetBuffer(res, &b, PyBUF_C_CONTIGUOUS) != 0)
    tpc_fault("%s.compress: %s", t->name, py_why());
  if ((size_t)b.len != c->d * sizeof(BASE))
    tpc_fault("%s.compress: a result of the wrong size", t->name);
  size_t nnz, bad = FUNCTION(py, take)(p, b.buf, out, c->d, &nnz);
  PyBuffer_Release(&b);
  Py_DECREF(res);
  PyGILState_Release(g);
  if (bad < c->d)
    tpc_fault("%s.compress: the result is %g at index %zu", t->name, (double)out[bad], bad);
  FUNCTION(py, emit)(p, out, c->d, nnz, msg);
}

static void FUNCTION(py, apply)(tpc_mech *m, const BASE *h, const BASE *y, const BASE *x,
                                BASE *out, tpc_msg *msg, const tpc_ctx *ctx) {
  const py_type *t = py_type_of_mech(m->type);
  py_inst *p = m->work;
  const size_t bytes = m->d * sizeof(BASE);
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *hv = py_view(h, bytes), *yv = py_view(y, bytes), *xv = py_view(x, bytes);
  PyObject *rng = py_rng_new(ctx->rng, ctx->shared, (long)ctx->client);
  PyObject *res = hv && yv && xv && rng
                      ? PyObject_CallFunction(py_fn_apply, "OOOOinO", p->obj, hv, yv, xv,
                                              (int)DTYPE, (Py_ssize_t)m->d, rng)
                      : NULL;
  py_rng_end(rng);
  Py_XDECREF(rng);
  Py_XDECREF(hv);
  Py_XDECREF(yv);
  Py_XDECREF(xv);
  if (!res || py_copy_out(res, out, bytes) != 0) tpc_fault("%s.apply: %s", t->name, py_why());
  Py_DECREF(res);
  PyGILState_Release(g);
  size_t bad = FUNCTION(py, nonfinite)(out, m->d);
  if (bad < m->d)
    tpc_fault("%s.apply: the result is %g at index %zu", t->name, (double)out[bad], bad);
  FUNCTION(py, emit_state)(p, h, out, m->d, msg);
}
