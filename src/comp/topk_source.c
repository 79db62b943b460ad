/* Template body of topk.c. */

static void FUNCTION(topk, compress)(tpc_comp *c, const BASE *x, BASE *out,
                                     tpc_msg *msg, const tpc_ctx *ctx) {
  (void)ctx;
  tpc_work *w = c->priv;
  size_t d = c->d, greater = 0;
  BASE t = FUNCTION(tpc_kern, kth_abs)(x, d, c->k, w->aux);
  for (size_t i = 0; i < d; i++) greater += BASE_FABS(x[i]) > t;
  size_t ties = c->k - greater;
  for (size_t i = 0; i < d; i++) {
    BASE a = BASE_FABS(x[i]);
    if (a > t) {
      w->mark[i] = 1;
    } else if (a == t && ties > 0) {
      w->mark[i] = 1;
      ties--;
    }
  }
  FUNCTION(tpc_kern, sparse)(w, x, (BASE)1, d, out, msg);
}
