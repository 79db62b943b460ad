/*
** libFuzzer harness of the LibSVM reader (logreg, src/problems/logreg.c): the
** input is the file, plain or gzip, read as logreg(file=...,n=1).
** Properties: fuzz.h, fuzz_problem_check.
*/
#include <string.h>

#include "fuzz.h"

/* The LibSVM reader's own limit on a feature index: a larger one is refused
** on its line. */
#define LOGREG_MAX_D 4096

/* The largest INDEX of an INDEX: the reader would accept (d is the largest
** in the file).  Every digit run before a ':' counts, which can only skip
** more than needed. */
static size_t libsvm_dim(const char *text, size_t len) {
  size_t max = 0;
  for (size_t i = 0; i < len;) {
    if (text[i] < '0' || text[i] > '9') {
      i++;
      continue;
    }
    size_t v = 0;
    for (; i < len && text[i] >= '0' && text[i] <= '9'; i++)
      v = v > LOGREG_MAX_D ? v : v * 10 + (size_t)(text[i] - '0');
    if (i < len && text[i] == ':' && v <= LOGREG_MAX_D && v > max) max = v;
  }
  return max;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_problem_check(data, size, "logreg", ",n=1", libsvm_dim);
}
