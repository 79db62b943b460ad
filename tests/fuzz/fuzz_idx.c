/*
** libFuzzer harness of the IDX image reader (autoenc, src/problems/autoenc.c):
** the input is the file, plain or gzip, read as autoenc(file=...,n=1,de=1).
** Properties: fuzz.h, fuzz_problem_check.  No dimension guard: the pixels the
** header announces must be in the file, so the input bounds the work.
*/
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_problem_check(data, size, "autoenc", ",n=1,de=1", NULL);
}
