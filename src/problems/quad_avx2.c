/*
** The AVX2 instance of the quad gradient kernel (quad_kern.h,
** quad_kern_source.c): four coordinates per instruction, the same bits as
** the portable kernel.  Compiled with the AVX2 flags, called only where
** tpc_cpu_isa() allows it.
*/
#include <string.h>

#include "problems/quad_kern.h"

#define QK_LANES 4
#define QK_NAME(f) tpc_quad_##f##_avx2
#include "problems/quad_kern_source.c"
