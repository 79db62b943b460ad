/*
** The per-thread error message behind tpc_error().  A fixed buffer per thread
** keeps error paths allocation-free, so they work when memory is exhausted.
*/
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TPC_ERROR_MAX 1024

static _Thread_local char error_buf[TPC_ERROR_MAX];
static _Thread_local size_t error_column;

int tpc_error(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(error_buf, sizeof error_buf, fmt, ap);
  va_end(ap);
  error_column = 0;
  return code;
}

int tpc_error_at(int code, size_t column, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(error_buf, sizeof error_buf, fmt, ap);
  va_end(ap);
  error_column = column;
  return code;
}

size_t tpc_error_column(void) { return error_column; }

int tpc_error_prefix(int code, const char *fmt, ...) {
  char old[TPC_ERROR_MAX];
  memcpy(old, error_buf, sizeof old);
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(error_buf, sizeof error_buf, fmt, ap);
  va_end(ap);
  if (len >= 0 && (size_t)len < sizeof error_buf)
    snprintf(error_buf + len, sizeof error_buf - (size_t)len, "%s", old);
  return code;
}

const char *tpc_error_msg(void) { return error_buf; }

void tpc_error_clear(void) {
  error_buf[0] = '\0';
  error_column = 0;
}

static char *fault_buf;
static size_t fault_size;

void tpc_fault_channel_set(char *buf, size_t size) {
  fault_buf = buf;
  fault_size = size;
}

void tpc_fault(const char *fmt, ...) {
  char msg[TPC_ERROR_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (fault_buf && fault_size) {
    snprintf(fault_buf, fault_size, "%s", msg);
  } else {
    fflush(stdout);
    fprintf(stderr, "tpc: %s\n", msg);
  }
  _exit(TPC_FAULT_STATUS);
}
