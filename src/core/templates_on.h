/*
** One algorithm, two element types (the GSL "templates" idiom).
**
** A wrapper file defines TPC_BASE_F32 or TPC_BASE_F64, includes this header,
** includes the generic source (X_source.c), includes templates_off.h, and
** repeats for the other type.  The generic source is written with
**
**   BASE            the element type (float or double)
**   FUNCTION(a, b)  the name a_b_f32 or a_b_f64
**   DTYPE           TPC_F32 or TPC_F64 (wire/msg.h)
**   BASE_EPSILON    FLT_EPSILON or DBL_EPSILON
**   BASE_SQRT, BASE_FABS, BASE_LDEXP, BASE_FREXP   the libm function of that type
**
** so that the kernel the benchmark times is the kernel the verifier checks.
*/
#include <float.h>
#include <math.h>

#define TPC_CONCAT3_(a, b, c) a##_##b##_##c
#define TPC_CONCAT3(a, b, c) TPC_CONCAT3_(a, b, c)

#if defined(TPC_BASE_F32)
#define BASE float
#define SHORT f32
#define DTYPE TPC_F32
#define BASE_EPSILON FLT_EPSILON
#define BASE_SQRT sqrtf
#define BASE_FABS fabsf
#define BASE_LDEXP ldexpf
#define BASE_FREXP frexpf
#elif defined(TPC_BASE_F64)
#define BASE double
#define SHORT f64
#define DTYPE TPC_F64
#define BASE_EPSILON DBL_EPSILON
#define BASE_SQRT sqrt
#define BASE_FABS fabs
#define BASE_LDEXP ldexp
#define BASE_FREXP frexp
#else
#error "define TPC_BASE_F32 or TPC_BASE_F64 before including templates_on.h"
#endif

#define FUNCTION(a, b) TPC_CONCAT3(a, b, SHORT)
