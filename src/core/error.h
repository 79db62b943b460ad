/*
** Status codes and the per-thread error message of the tpc library.
**
** Every library call that can fail returns one of the TPC_E* codes (0 is
** success) and, on failure, leaves a human-readable message that names the
** problem in a thread-local buffer, read back with tpc_error_msg().  The codes
** map one to one onto the command's exit codes (README.md): TPC_EINPUT is bad
** input or usage (exit 2), everything else is an internal or environment
** error (exit 4).  The library never prints and never aborts, with one
** exception: tpc_fault, for plugin code that failed where the interface has
** no error return.
*/
#ifndef TPC_ERROR_H
#define TPC_ERROR_H

#include <stddef.h>

enum {
  TPC_OK = 0,
  TPC_EINPUT = 2,   /* bad input: malformed spec, k > d, NaN, bad file */
  TPC_ENOMEM = 10,  /* allocation failed */
  TPC_EIO = 11,     /* file or system call failed */
  TPC_ESTORE = 12,  /* the SQLite store failed or refused the database */
  TPC_EINTERNAL = 13,
  TPC_ECHILD = 14   /* an evaluation isolated in a child process crashed, timed
                       out, was stopped or exited without its result */
};

#if defined(__GNUC__)
#define TPC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TPC_PRINTF(a, b)
#endif

/* Record a message for the calling thread and return `code`, so that error
** paths read `return tpc_error(TPC_EINPUT, "k = %zu exceeds d = %zu", k, d);`. */
int tpc_error(int code, const char *fmt, ...) TPC_PRINTF(2, 3);

/* tpc_error for input text: also records the 1-based column of the text at
** fault, which tpc_error_column() returns (a caret can then point at it). */
int tpc_error_at(int code, size_t column, const char *fmt, ...) TPC_PRINTF(3, 4);

/* The column recorded with the last message (0: none; tpc_error clears it). */
size_t tpc_error_column(void);

/* Prefix the current message with more context ("topk: " + message); the
** column stays. */
int tpc_error_prefix(int code, const char *fmt, ...) TPC_PRINTF(2, 3);

/* The last message recorded by this thread; "" when none. */
const char *tpc_error_msg(void);

void tpc_error_clear(void);

/* A fault in plugin code where the interface has no error return (a
** compressor's kernel, a constants call): a Python exception, an output of
** the wrong shape.  Nothing sensible can continue, so the process ends:
** the message goes to the fault channel if one is set, else to stderr, and
** the process exits at once (_exit) with status TPC_FAULT_STATUS, the
** command's exit code for an internal or environment error.  Meant for
** the child processes that evaluate plugins (bounds/sandbox.h sets the
** channel there, and the parent reports the message as the child's fate). */
#define TPC_FAULT_STATUS 4
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
void tpc_fault(const char *fmt, ...) TPC_PRINTF(1, 2);

/* Where tpc_fault writes its message in this process: size bytes at buf,
** NUL-terminated (NULL: stderr). */
void tpc_fault_channel_set(char *buf, size_t size);

#endif
