/*
** TPC_KERNEL for the tests that build objects on a chosen kernel path: the
** variable is read when an object is built (src/core/cpu.c), so a test sets
** it around the build and then restores the caller's value, which may itself
** come from a run under TPC_KERNEL.
*/
#ifndef TPC_TEST_KERNEL_ENV_H
#define TPC_TEST_KERNEL_ENV_H

#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

/* TPC_KERNEL=isa until test_kernel_pop, which restores the value saved here
** (saved[0] = 0: it was unset). */
static inline void test_kernel_push(const char *isa, char saved[32]) {
  const char *old = getenv("TPC_KERNEL");
  saved[0] = '\0';
  if (old) snprintf(saved, 32, "%s", old);
  cr_assert(eq(int, setenv("TPC_KERNEL", isa, 1), 0));
}

static inline void test_kernel_pop(const char saved[32]) {
  if (saved[0])
    setenv("TPC_KERNEL", saved, 1);
  else
    unsetenv("TPC_KERNEL");
}

#endif
