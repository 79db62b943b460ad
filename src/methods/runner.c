/*
** The helpers both runners of src/methods/ use (methods/runner.h).
*/
#include "methods/runner.h"

#include <stdlib.h>

#include "core/error.h"
#include "wire/wire.h"

int tpc_runner_wire_apply(const tpc_msg *m, double *v, size_t d, uint8_t **buf, size_t *cap,
                          void (*apply)(const tpc_msg *, double *)) {
  size_t size = tpc_wire_size(m, TPC_WIRE_AUTO), len;
  if (size > *cap) {
    uint8_t *nb = realloc(*buf, size);
    if (!nb) return tpc_error(TPC_ENOMEM, "out of memory for a %zu-byte message", size);
    *buf = nb;
    *cap = size;
  }
  int rc = tpc_wire_encode(m, TPC_WIRE_AUTO, *buf, size, &len);
  if (rc) return rc;
  tpc_wire_decoded dm;
  rc = tpc_wire_decode(*buf, len, d, TPC_F64, &dm); /* its parts have our shape */
  if (rc) return rc;
  apply(&dm.msg, v);
  tpc_wire_decoded_free(&dm);
  return TPC_OK;
}

int tpc_runner_record(tpc_alg1_result *res, size_t *cap, const tpc_alg1_point *pt) {
  if (res->npoints == *cap) {
    size_t nc = *cap ? 2 * *cap : 256;
    tpc_alg1_point *np = realloc(res->points, nc * sizeof *np);
    if (!np) return tpc_error(TPC_ENOMEM, "out of memory for the trajectory");
    res->points = np;
    *cap = nc;
  }
  res->points[res->npoints++] = *pt;
  return TPC_OK;
}
