/*
** CPU feature detection for the kernel dispatch (core/cpu.h), after
** xxHash's xxh_x86dispatch.c: cpuid says what the processor implements,
** xgetbv says which register states the OS saves on a context switch; a
** path is usable only when both agree.  The answer is computed once and
** kept in an atomic (every thread computes the same value, so a race only
** repeats the work).
*/
#include "core/cpu.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/* XCR0: the register states the OS enabled. */
static unsigned long long cpu_xcr0(void) {
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((unsigned long long)hi << 32) | lo;
}

/* Bit set of supported paths: 1 << TPC_ISA_*. */
static int cpu_detect(void) {
  unsigned a, b, c, d;
  int set = 1 << TPC_ISA_SCALAR;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return set;
  int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
  if (!osxsave || !avx || __get_cpuid_max(0, NULL) < 7) return set;
  unsigned long long xcr0 = cpu_xcr0();
  __cpuid_count(7, 0, a, b, c, d);
  /* XCR0 bits 1-2: SSE and AVX state; 5-7: opmask and the ZMM halves. */
  int ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xe6) == 0xe6;
  int avx2 = (b >> 5) & 1, bmi2 = (b >> 8) & 1;
  int f = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
  if (ymm && avx2 && fma && bmi2) {
    set |= 1 << TPC_ISA_AVX2;
    if (zmm && f && dq && bw && vl) set |= 1 << TPC_ISA_AVX512;
  }
  return set;
}
#else
static int cpu_detect(void) { return 1 << TPC_ISA_SCALAR; }
#endif

static int cpu_features(void) {
  static atomic_int cached = 0;  /* 0: not yet computed (scalar is always set) */
  int set = atomic_load_explicit(&cached, memory_order_relaxed);
  if (set == 0) {
    set = cpu_detect();
    atomic_store_explicit(&cached, set, memory_order_relaxed);
  }
  return set;
}

int tpc_cpu_supports(tpc_isa isa) { return (cpu_features() >> isa) & 1; }

const char *tpc_isa_name(tpc_isa isa) {
  switch (isa) {
    case TPC_ISA_AVX2: return "avx2";
    case TPC_ISA_AVX512: return "avx512";
    default: return "scalar";
  }
}

tpc_isa tpc_cpu_isa(void) {
  tpc_isa cap = TPC_ISA_AVX512;
  const char *env = getenv("TPC_KERNEL");
  for (int i = TPC_ISA_SCALAR; env != NULL && i <= TPC_ISA_AVX512; i++)
    if (strcmp(env, tpc_isa_name((tpc_isa)i)) == 0) cap = (tpc_isa)i;
  while (cap > TPC_ISA_SCALAR && !tpc_cpu_supports(cap)) cap = (tpc_isa)(cap - 1);
  return cap;
}
