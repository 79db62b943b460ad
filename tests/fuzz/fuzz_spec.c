/*
** libFuzzer harness of the spec parser (src/spec/spec.h).  The input, up to
** its first NUL byte, is a spec text.  Properties: parsing gives TPC_OK with a
** tree, or TPC_EINPUT with a message and a column inside the text; a tree
** prints to a canonical text that parses back to an equal tree and prints to
** the same text again (parse(print(x)) = x, print idempotent), a copy is
** equal, and printing into a short buffer gives the prefix, NUL-terminated.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "fuzz.h"
#include "spec/spec.h"

/* print(s) in a new string; *len its length. */
static char *print_alloc(const tpc_spec *s, size_t *len) {
  *len = tpc_spec_print(s, NULL, 0);
  char *buf = malloc(*len + 1);
  if (!buf) fuzz_fail("out of memory for %zu bytes of printed spec", *len);
  size_t again = tpc_spec_print(s, buf, *len + 1);
  if (again != *len || strlen(buf) != *len)
    fuzz_fail("print: length %zu, then %zu, string of %zu", *len, again, strlen(buf));
  return buf;
}

/* Printing into size bytes gives the first size - 1 bytes of the full text. */
static void check_truncated(const tpc_spec *s, const char *full, size_t len, size_t size) {
  char small[16];
  memset(small, 'x', sizeof small);
  if (tpc_spec_print(s, small, size) != len) fuzz_fail("print into %zu bytes: wrong length", size);
  size_t keep = size - 1 < len ? size - 1 : len;
  if (memcmp(small, full, keep) != 0 || small[keep] != 0)
    fuzz_fail("print into %zu bytes is not the NUL-terminated prefix of '%s'", size, full);
}

static void check_tree(const char *text, const tpc_spec *s) {
  size_t len = 0, len2 = 0;
  char *printed = print_alloc(s, &len);
  tpc_spec *t = NULL;
  if (tpc_spec_parse(printed, &t) != TPC_OK)
    fuzz_fail("'%s' printed as '%s', which does not parse: %s", text, printed, tpc_error_msg());
  if (!tpc_spec_equal(s, t))
    fuzz_fail("'%s' printed as '%s' parses to another tree", text, printed);
  char *again = print_alloc(t, &len2);
  if (strcmp(printed, again) != 0)
    fuzz_fail("'%s': print gives '%s', print(parse(print)) '%s'", text, printed, again);
  tpc_spec *c = tpc_spec_copy(s);
  if (!c || !tpc_spec_equal(s, c)) fuzz_fail("copy of '%s' is not equal", text);
  check_truncated(s, printed, len, 1);
  check_truncated(s, printed, len, 1 + len % 15);
  tpc_spec_free(c);
  tpc_spec_free(t);
  free(again);
  free(printed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  tpc_spec *s = NULL;
  tpc_error_clear();
  int rc = tpc_spec_parse(text, &s);
  if (rc == TPC_OK) {
    if (!s) fuzz_fail("TPC_OK without a tree");
    check_tree(text, s);
  } else {
    if (rc != TPC_EINPUT || s) fuzz_fail("status %d, tree %p", rc, (void *)s);
    size_t col = tpc_error_column();
    if (!*tpc_error_msg()) fuzz_fail("TPC_EINPUT with an empty message");
    if (col > strlen(text) + 1)
      fuzz_fail("column %zu beyond the %zu bytes of the text: %s", col, strlen(text),
                tpc_error_msg());
  }
  tpc_spec_free(s);
  free(text);
  return 0;
}
