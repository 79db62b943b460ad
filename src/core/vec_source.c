/* Template body of vec.c. */
int FUNCTION(tpc_vec, check)(const BASE *x, size_t d, const char *name) {
  for (size_t i = 0; i < d; i++) {
    if (isfinite(x[i])) continue;
    const char *what = isnan(x[i]) ? "NaN" : (x[i] > 0 ? "+Inf" : "-Inf");
    return tpc_error(TPC_EINPUT, "%s[%zu] is %s: inputs must be finite", name, i, what);
  }
  return TPC_OK;
}
