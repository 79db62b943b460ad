/* Undo templates_on.h so the next element type can be included. */
#undef BASE
#undef SHORT
#undef DTYPE
#undef BASE_EPSILON
#undef BASE_SQRT
#undef BASE_FABS
#undef BASE_LDEXP
#undef BASE_FREXP
#undef FUNCTION
