/* Finite-input checks (vec.h), once per element type. */
#include "core/vec.h"

#include <math.h>

#include "core/error.h"

#define TPC_BASE_F32
#include "core/templates_on.h"
#include "core/vec_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F32

#define TPC_BASE_F64
#include "core/templates_on.h"
#include "core/vec_source.c"
#include "core/templates_off.h"
#undef TPC_BASE_F64
