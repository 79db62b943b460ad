/*
** libFuzzer harness of the quadfile reader (src/problems/quadfile.c): the
** input is the file, plain or gzip, read as quadfile(file=...).  Properties:
** fuzz.h, fuzz_problem_check.
*/
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* The quadfile reader's own limit on d: a larger d is refused at the header. */
#define QUADFILE_MAX_D 8192

/* The largest d=N token the reader would accept, anywhere in the text (the
** header is the first line that is not blank or a comment; looking further
** only skips more).  A banded file with bandwidth 0 holds about 4 bytes per
** unit of d, and gzip shrinks that to almost nothing. */
static size_t quadfile_dim(const char *text, size_t len) {
  size_t max = 0;
  for (size_t i = 0; i + 2 < len; i++) {
    int starts = i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n';
    if (!starts || text[i] != 'd' || text[i + 1] != '=') continue;
    long d = strtol(text + i + 2, NULL, 10);
    if (d > 0 && d <= QUADFILE_MAX_D && (size_t)d > max) max = (size_t)d;
  }
  return max;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_problem_check(data, size, "quadfile", "", quadfile_dim);
}
