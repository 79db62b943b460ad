/*
** The machine a run executes on: host name, CPU model and core count, as
** recorded in every runs row (store) and next to every timing (bench).
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

#endif
