/*
** Host name, CPU model and core count for provenance (core/sysinfo.h).  All
** three are filled together by one pthread_once call, so the first caller pays
** for reading /proc/cpuinfo and every later call is a load.
*/
#include "core/sysinfo.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define SYS_STR_MAX 256

static pthread_once_t sys_once = PTHREAD_ONCE_INIT;
static char sys_host[SYS_STR_MAX];
static char sys_cpu[SYS_STR_MAX];
static int sys_cores;

/* Copy src into dst (SYS_STR_MAX bytes) without leading or trailing blanks. */
static void sys_copy_trimmed(char *dst, const char *src) {
  while (isspace((unsigned char)*src))
    src++;
  size_t n = strlen(src);
  while (n > 0 && isspace((unsigned char)src[n - 1]))
    n--;
  if (n >= SYS_STR_MAX)
    n = SYS_STR_MAX - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/* The first "model name : ..." value of /proc/cpuinfo into sys_cpu; leaves
** sys_cpu empty when the file or the line is missing (ARM kernels omit it). */
static void sys_read_cpuinfo(void) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (f == NULL)
    return;
  char line[1024];
  while (fgets(line, sizeof line, f) != NULL) {
    const char *colon = strchr(line, ':');
    if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
      sys_copy_trimmed(sys_cpu, colon + 1);
      break;
    }
  }
  fclose(f);
}

static void sys_init(void) {
  char host[SYS_STR_MAX] = "";
  if (gethostname(host, sizeof host - 1) != 0)
    host[0] = '\0';
  host[sizeof host - 1] = '\0'; /* gethostname may truncate without a NUL */
  sys_copy_trimmed(sys_host, host[0] != '\0' ? host : "unknown");

  sys_read_cpuinfo();
  struct utsname u;
  if (sys_cpu[0] == '\0')
    sys_copy_trimmed(sys_cpu, uname(&u) == 0 ? u.machine : "unknown");
  if (sys_cpu[0] == '\0')
    sys_copy_trimmed(sys_cpu, "unknown");

  long n = sysconf(_SC_NPROCESSORS_ONLN);
  sys_cores = n >= 1 && n <= 1L << 20 ? (int)n : 1;
}

const char *tpc_sys_host(void) {
  pthread_once(&sys_once, sys_init);
  return sys_host;
}

const char *tpc_sys_cpu_model(void) {
  pthread_once(&sys_once, sys_init);
  return sys_cpu;
}

int tpc_sys_cores(void) {
  pthread_once(&sys_once, sys_init);
  return sys_cores;
}
