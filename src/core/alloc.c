/* Aligned zeroed allocation (alloc.h). */
#include "core/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

void *tpc_calloc_aligned(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size)
    return tpc_error(TPC_ENOMEM, "allocation of %zu x %zu bytes overflows", count, size), NULL;
  size_t bytes = count * size;
  if (bytes > SIZE_MAX - 63)
    return tpc_error(TPC_ENOMEM, "allocation of %zu bytes overflows", bytes), NULL;
  bytes = bytes == 0 ? 64 : (bytes + 63) / 64 * 64;
  void *p = aligned_alloc(64, bytes);
  if (!p) return tpc_error(TPC_ENOMEM, "out of memory allocating %zu bytes", bytes), NULL;
  return memset(p, 0, bytes);
}
