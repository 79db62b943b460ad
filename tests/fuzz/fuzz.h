/*
** What the libFuzzer harnesses of tests/fuzz/ share: a scratch directory per
** process for the files a harness hands to a reader, writing an input there,
** failing a property loudly, and the harness of the three data-file readers.
**
** A property that does not hold is reported through abort(): libFuzzer then
** keeps the input as a crash file, exactly as for a sanitizer's finding.
*/
#ifndef TPC_FUZZ_H
#define TPC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The process's scratch directory (under /dev/shm when it exists, so that
** files cost no disk), made on first use and removed at exit. */
const char *fuzz_scratch_dir(void);

/* scratch/name, in a buffer of the caller's; aborts when it does not fit. */
void fuzz_scratch_path(const char *name, char *buf, size_t size);

/* Write size bytes to path, replacing it; aborts when that fails (the
** harness, not the code under test, would be at fault). */
void fuzz_write_file(const char *path, const uint8_t *data, size_t size);

/* Print "fuzz: property violated: ..." and abort. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* The largest dimension a reader may build in the harnesses.  The readers
** accept up to 4096 (LibSVM) and 8192 (quadfile) and compute their constants
** from dense d x d eigenproblems: a few bytes can announce a dimension that
** costs minutes, which would stop the fuzzer at a time-out every run.  Such
** inputs are skipped; the cost itself is reported in README.md "Fuzzing". */
#define FUZZ_MAX_D 256

/* The dimension an input announces, read from its text as the reader sees
** it (decompressed); 0 when it announces none the reader would accept. */
typedef size_t (*fuzz_dim_fn)(const char *text, size_t len);

/* The data-file readers' harness: write the input to a scratch file, build
** type(file="PATH"params) through tpc_problem_alloc, and check that the
** reader either succeeds with finite constants, starting point and gradient,
** or refuses with TPC_EINPUT / TPC_ENOMEM and a message.  The problem and
** everything the reader allocated must be freed (LeakSanitizer checks).
** With dim, an input announcing more than FUZZ_MAX_D is not read: -1, which
** tells libFuzzer to keep it out of the corpus; else 0. */
int fuzz_problem_check(const uint8_t *data, size_t size, const char *type,
                       const char *params, fuzz_dim_fn dim);

#endif
