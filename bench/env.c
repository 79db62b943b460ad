/*
** Reading the benchmark environment (env.h).  Files under /sys that a
** machine lacks (virtual machines often have no cpufreq) leave the field
** empty rather than failing: the row then says "unknown".
*/
#include "bench/env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench/harness.h"
#include "bench/roofline.h"
#include "core/buildinfo.h"
#include "core/sysinfo.h"

/* First line of path without its newline into buf; 0 when not readable. */
static int read_line(const char *path, char *buf, size_t size) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  int ok = fgets(buf, (int)size, f) != NULL;
  fclose(f);
  if (!ok) return 0;
  buf[strcspn(buf, "\n")] = '\0';
  return 1;
}

/* intel_pstate says no_turbo (1 = off); acpi-cpufreq and amd say boost (1 = on). */
static void read_turbo(char *out, size_t size) {
  char v[16];
  if (read_line("/sys/devices/system/cpu/intel_pstate/no_turbo", v, sizeof v))
    snprintf(out, size, "%s", v[0] == '1' ? "off" : "on");
  else if (read_line("/sys/devices/system/cpu/cpufreq/boost", v, sizeof v))
    snprintf(out, size, "%s", v[0] == '1' ? "on" : "off");
  else
    out[0] = '\0';
}

long tpc_bench_peak_rss_kib(void) {
  struct rusage ru;
  return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

void tpc_bench_env_read(tpc_bench_env *e, int threads) {
  memset(e, 0, sizeof *e);
  e->cpu_model = tpc_sys_cpu_model();
  e->cores = tpc_sys_cores();
  if (!read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", e->governor,
                 sizeof e->governor))
    e->governor[0] = '\0';
  read_turbo(e->turbo, sizeof e->turbo);
  e->compiler = tpc_build_compiler();
  e->cflags = tpc_build_cflags();
  e->git_commit = tpc_build_commit();
  e->git_dirty = tpc_build_dirty();
  e->threads = threads;
  e->timer = "CLOCK_MONOTONIC";
  e->timer_overhead_ns = tpc_bench_timer_overhead();
  e->read_isa = tpc_bench_read_isa();
  const char *k = getenv("TPC_KERNEL");
  snprintf(e->kernel_override, sizeof e->kernel_override, "%s", k ? k : "");
  e->peak_rss_kib = tpc_bench_peak_rss_kib();
}
