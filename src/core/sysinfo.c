/*
** Host name, CPU model, core count and boot id for provenance
** (core/sysinfo.h).  All four are filled together by one pthread_once call,
** so the first caller pays for reading /proc and every later call is a load.
** A process's start time is read from /proc/PID/stat on each call.
*/
#include "core/sysinfo.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define SYS_STR_MAX 256

static pthread_once_t sys_once = PTHREAD_ONCE_INIT;
static char sys_host[SYS_STR_MAX];
static char sys_cpu[SYS_STR_MAX];
static int sys_cores;
static char sys_boot[SYS_STR_MAX];

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

/* The first line of a small /proc file, trimmed, into dst; "" when the file
** cannot be read. */
static void sys_read_line(const char *path, char *dst) {
  char line[SYS_STR_MAX] = "";
  FILE *f = fopen(path, "r");
  if (f != NULL) {
    if (fgets(line, sizeof line, f) == NULL)
      line[0] = '\0';
    fclose(f);
  }
  sys_copy_trimmed(dst, line);
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
  sys_read_line("/proc/sys/kernel/random/boot_id", sys_boot);
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

unsigned long long tpc_sys_mem_available(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  char line[256];
  unsigned long long kib = 0;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1) break;
  if (f) fclose(f);
  return kib * 1024;
}

const char *tpc_sys_boot_id(void) {
  pthread_once(&sys_once, sys_init);
  return sys_boot;
}

/* Field 22 (starttime) of a /proc/PID/stat line, as tpc_sys_proc_start
** returns it; a zombie (state Z or X, field 3) has exited and does not
** exist.  The command name, field 2, is in parentheses and may hold blanks
** and parentheses itself, so fields are counted from the last ')'. */
static int sys_parse_start(const char *stat, long long *start) {
  const char *p = strrchr(stat, ')');
  if (p == NULL)
    return -1;
  p++;
  while (*p == ' ')
    p++;
  if (*p == 'Z' || *p == 'X')
    return 0;
  for (int field = 3; field < 22; field++) {
    while (*p == ' ')
      p++;
    p += strcspn(p, " ");
    if (*p == '\0')
      return -1;
  }
  char *end;
  errno = 0;
  long long v = strtoll(p, &end, 10);
  if (errno != 0 || end == p)
    return -1;
  *start = v;
  return 1;
}

int tpc_sys_proc_start(long pid, long long *start) {
  if (pid <= 0)
    return 0;
  char path[64], stat[1024];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    if (errno == ENOENT && access("/proc/self/stat", R_OK) == 0)
      return 0; /* /proc works and has no such process */
    *start = -1; /* no /proc: ask the kernel whether the pid exists */
    if (kill((pid_t)pid, 0) == 0 || errno == EPERM)
      return 1;
    return errno == ESRCH ? 0 : -1;
  }
  size_t n = fread(stat, 1, sizeof stat - 1, f);
  fclose(f);
  stat[n] = '\0';
  return n == 0 ? 0 : sys_parse_start(stat, start); /* empty: it just exited */
}
