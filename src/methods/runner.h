/*
** Helpers the runners of src/methods/ share (alg1.c for Algorithm 1 and the
** methods of THEORY.md T8, T9; twodir.c for 2Direction, T11): the
** receiver's side of a wire-checked message, and the growing trajectory of
** recorded points.  Internal to src/methods/.
*/
#ifndef TPC_METHODS_RUNNER_H
#define TPC_METHODS_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "methods/alg1.h"
#include "wire/msg.h"

/* Encode m, decode it (d values), and apply the decoded copy to v with
** `apply`: what a receiver holds after the bytes cross the wire.  *buf
** (capacity *cap) grows as needed.  TPC_ENOMEM, or the codec's error. */
int tpc_runner_wire_apply(const tpc_msg *m, double *v, size_t d, uint8_t **buf, size_t *cap,
                          void (*apply)(const tpc_msg *, double *));

/* Append *pt to res->points (capacity *cap, doubled as needed).  TPC_ENOMEM. */
int tpc_runner_record(tpc_alg1_result *res, size_t *cap, const tpc_alg1_point *pt);

#endif
