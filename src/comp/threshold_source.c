/* Template body of threshold.c.  The comparison is in double, so lambda is
** not rounded to the element type. */

static void FUNCTION(threshold, compress)(tpc_comp *c, const BASE *x,
                                          BASE *out, tpc_msg *msg,
                                          const tpc_ctx *ctx) {
  (void)ctx;
  tpc_work *w = c->priv;
  for (size_t i = 0; i < c->d; i++)
    w->mark[i] = (double)BASE_FABS(x[i]) >= c->par[0];
  FUNCTION(tpc_kern, sparse)(w, x, (BASE)1, c->d, out, msg);
}
