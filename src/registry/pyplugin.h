/*
** Python plugins: compressors and mechanisms written in Python (numpy,
** PyTorch), run by the CPython interpreter embedded in tpc.  The API a
** plugin author sees (the module `tpc`, its decorators, the classes'
** methods) is documented in bounds/example/README.md and implemented in
** registry/pyplugin.py; this header is what the command uses.
**
** Loading happens in two processes, so that the process that owns the
** database never runs Python:
**
**   tpc_pyplugin_probe, in a child process: start the interpreter, import the
**       file, and write what it registers (names, synopses, parameter keys,
**       texts) into a flat buffer the parent can read;
**   tpc_pyplugin_register, in the parent: add one proxy type per entry to the
**       registry.  A proxy's functions start the interpreter and import the
**       file in the process that first builds an instance: the child that
**       evaluates a spec (tpc bounds, tpc rate), or the command itself for
**       tpc describe and tpc bench.
**
** Threads: every call into Python holds the GIL (PyGILState_Ensure), so the
** OpenMP threads of a run take turns in the interpreter; results do not
** depend on the order, since every call draws only from the streams tpc
** derived for it.  A fault in the plugin's code where the C interface has no
** error return (an exception in constants, compress or apply, a result of
** the wrong shape or not finite) ends the process with tpc_fault
** (core/error.h), which the sandbox reports as the evaluation's failure.
*/
#ifndef TPC_PYPLUGIN_H
#define TPC_PYPLUGIN_H

#include <stddef.h>
#include <string.h>

#include "registry/registry.h"

/* The kernel path of every Python type (tpc_comp_path), and the type that
** every .py plugin registers beside its own: pyidentity, C(x) = x in Python,
** the bridge's own cost per call (registry/pyplugin.py); tpc bench times it
** beside each Python compressor (bench/cases.c). */
#define TPC_PYPLUGIN_PATH "python"
#define TPC_PYPLUGIN_BRIDGE "pyidentity"

/* Bytes of the buffer a probe writes. */
#define TPC_PYPLUGIN_PROBE_SIZE 65536

/* Whether path names a Python plugin (it ends in ".py"). */
static inline int tpc_pyplugin_is_python(const char *path) {
  size_t n = path ? strlen(path) : 0;
  return n > 3 && strcmp(path + n - 3, ".py") == 0;
}

/* Import path in this process and describe what it registered into buf.
** TPC_EINPUT with the Python error (a syntax error with its line, a missing
** module, a file that registers nothing, more than buf holds) or, in a tpc
** built without Python's headers, saying so. */
int tpc_pyplugin_probe(const char *path, void *buf, size_t size);

/* Register the proxies of a probe's buffer in r.  TPC_EINPUT when a name is
** taken (nothing of the file is then registered), TPC_ENOMEM. */
int tpc_pyplugin_register(tpc_registry *r, const char *path, const void *buf, size_t size);

#endif
