/*
** The AVX2 instance of the logistic-regression kernels (logreg_kern.h,
** logreg_kern_source.c): 4 rows per instruction, the same bits as the
** portable kernels.  Compiled with the AVX2 flags, called only where
** tpc_cpu_isa() allows it.
*/
#include <stdint.h>
#include <string.h>

#include "problems/logreg_kern.h"

#define LR_LANES 4
#define LR_NAME(f) tpc_logreg_##f##_avx2
#include "problems/logreg_kern_source.c"
