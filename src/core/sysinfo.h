/*
** The machine a run executes on: host name, CPU model and core count, as
** recorded in every runs row (store) and next to every timing (bench); and
** the identity of a process (boot, pid, start time), by which the store
** tells a run whose process is gone from one still running.
**
** Each value is computed once per process, on first use, under pthread_once,
** so any thread may call these at any time; the returned strings are static
** and live until the process exits.  They never fail: what cannot be found
** reads "unknown" (host, CPU model) or 1 (cores).
*/
#ifndef TPC_SYSINFO_H
#define TPC_SYSINFO_H

/* gethostname(), never empty. */
const char *tpc_sys_host(void);

/* The "model name" line of /proc/cpuinfo (first CPU, surrounding blanks
** trimmed); uname's machine ("x86_64", "aarch64") where there is none. */
const char *tpc_sys_cpu_model(void);

/* Processors online (sysconf _SC_NPROCESSORS_ONLN), at least 1: the size of
** the machine, not this process's affinity mask. */
int tpc_sys_cores(void);

/* Memory the kernel can give without swapping (MemAvailable of
** /proc/meminfo) in bytes, read at each call; 0 where it cannot be read. */
unsigned long long tpc_sys_mem_available(void);

/* The kernel's id of the current boot (/proc/sys/kernel/random/boot_id):
** process ids and start times are only comparable within one boot.  ""
** where the kernel has none. */
const char *tpc_sys_boot_id(void);

/* Whether process pid exists on this machine, and its start time in clock
** ticks since boot (field 22 of /proc/PID/stat) in *start: 1 it exists
** (*start set, or -1 without /proc), 0 it does not (or is a zombie, which
** has exited), -1 cannot tell. */
int tpc_sys_proc_start(long pid, long long *start);

#endif
