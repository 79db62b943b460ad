/*
** Instruction set paths for the per-ISA kernels, chosen at run time so one
** binary serves every x86-64 (the Makefile's "Per-ISA kernels").  A kernel with SIMD variants exists as a portable
** reference plus files compiled with their own flags (*_avx2.c, *_avx512.c);
** which one runs is decided here from the CPU's features, checked together
** with the operating system's support for the wider registers (xgetbv), so a
** binary built once runs correctly on any x86-64 and elsewhere.
**
** The environment variable TPC_KERNEL=scalar|avx2|avx512 caps the choice (a
** path the CPU lacks is never chosen), so tests run every path against the
** reference and benchmarks time each.  It is read on every call of
** tpc_cpu_isa(): callers decide once, when they allocate their state.
*/
#ifndef TPC_CPU_H
#define TPC_CPU_H

typedef enum {
  TPC_ISA_SCALAR = 0,  /* portable C */
  TPC_ISA_AVX2 = 1,    /* AVX2, FMA, BMI2; OS saves the YMM state */
  TPC_ISA_AVX512 = 2   /* AVX-512 F, VL, BW, DQ; OS saves ZMM and mask state */
} tpc_isa;

/* Whether the CPU and the OS support `isa` (TPC_ISA_SCALAR: always). */
int tpc_cpu_supports(tpc_isa isa);

/* The widest supported path, capped by TPC_KERNEL when it names one (an
** unknown value is ignored). */
tpc_isa tpc_cpu_isa(void);

/* "scalar", "avx2" or "avx512". */
const char *tpc_isa_name(tpc_isa isa);

#endif
