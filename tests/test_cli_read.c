/* The command's typed readers of option values (src/cli/read.c): what each
** accepts, where its range ends, and that a refused value leaves the output
** as it was and gives exit code 2. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdint.h>

#include "cli/cli.h"

Test(cli_read, count_takes_digits_in_its_range) {
  size_t v = 7;
  cr_assert(eq(int, tpc_cli_read_count("--n", "0", 0, 10, &v), TPC_EXIT_OK));
  cr_assert(eq(sz, v, 0));
  cr_assert(eq(int, tpc_cli_read_count("--n", "10", 0, 10, &v), TPC_EXIT_OK));
  cr_assert(eq(sz, v, 10));
  const char *bad[] = {"11", "-1", "+1", " 1", "1 ", "", "x", "1e3", "0x10",
                       "99999999999999999999999"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    v = 7;
    cr_assert(eq(int, tpc_cli_read_count("--n", bad[i], 0, 10, &v), TPC_EXIT_USAGE), "'%s'",
              bad[i]);
    cr_assert(eq(sz, v, 7), "'%s' changed the value", bad[i]);
  }
}

Test(cli_read, u64_takes_the_whole_range) {
  uint64_t v = 0;
  cr_assert(eq(int, tpc_cli_read_u64("--seed", "18446744073709551615", &v), TPC_EXIT_OK));
  cr_assert(eq(u64, v, UINT64_MAX));
  cr_assert(eq(int, tpc_cli_read_u64("--seed", "18446744073709551616", &v), TPC_EXIT_USAGE));
  cr_assert(eq(int, tpc_cli_read_u64("--seed", "-1", &v), TPC_EXIT_USAGE));
}

Test(cli_read, run_ids_are_positive_int64) {
  int64_t id = 5;
  cr_assert(eq(int, tpc_cli_read_run("--run", "9223372036854775807", &id), TPC_EXIT_OK));
  cr_assert(eq(i64, id, INT64_MAX));
  cr_assert(eq(int, tpc_cli_read_run("--run", "9223372036854775808", &id), TPC_EXIT_USAGE));
  cr_assert(eq(int, tpc_cli_read_run("--run", "0", &id), TPC_EXIT_USAGE));
  cr_assert(eq(int, tpc_cli_read_run("--run", "+3", &id), TPC_EXIT_USAGE));
  cr_assert(eq(i64, id, INT64_MAX));
}

Test(cli_read, reals_respect_open_and_closed_ends) {
  double v = -1;
  tpc_cli_range unit_open = {0, 1, 1, 1};
  cr_assert(eq(int, tpc_cli_read_real("--c", "0.5", unit_open, &v), TPC_EXIT_OK));
  cr_assert(eq(dbl, v, 0.5));
  cr_assert(eq(int, tpc_cli_read_real("--c", "0", unit_open, &v), TPC_EXIT_USAGE));
  cr_assert(eq(int, tpc_cli_read_real("--c", "1", unit_open, &v), TPC_EXIT_USAGE));
  cr_assert(eq(int, tpc_cli_read_real("--t", "0", TPC_CLI_THRESHOLD, &v), TPC_EXIT_OK));
  cr_assert(eq(dbl, v, 0.0));
  cr_assert(eq(int, tpc_cli_read_real("--t", "10", TPC_CLI_THRESHOLD, &v), TPC_EXIT_USAGE));
  cr_assert(eq(int, tpc_cli_read_real("--g", "1e300", TPC_CLI_POSITIVE, &v), TPC_EXIT_OK));
  const char *bad[] = {"nan", "inf", "1e999", "1e-999", "", "0.5x", "-0"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    cr_assert(eq(int, tpc_cli_read_real("--g", bad[i], TPC_CLI_POSITIVE, &v), TPC_EXIT_USAGE),
              "'%s'", bad[i]);
  cr_assert(eq(dbl, v, 1e300));
}

Test(cli_read, choices_give_the_index) {
  static const char *const names[] = {"problem", "zero", "gauss", NULL};
  int k = -1;
  cr_assert(eq(int, tpc_cli_read_choice("--x0", "gauss", names, &k), TPC_EXIT_OK));
  cr_assert(eq(int, k, 2));
  cr_assert(eq(int, tpc_cli_read_choice("--x0", "Gauss", names, &k), TPC_EXIT_USAGE));
  cr_assert(eq(int, tpc_cli_read_choice("--x0", "", names, &k), TPC_EXIT_USAGE));
  cr_assert(eq(int, k, 2));
}

Test(cli_read, size_lists_take_powers_of_two) {
  size_t out[4] = {0}, n = 0;
  cr_assert(eq(int, tpc_cli_read_sizes("--d", "2^20,1000", (size_t)1 << 31, 4, out, &n),
               TPC_EXIT_OK));
  cr_assert(eq(sz, n, 2));
  cr_assert(eq(sz, out[0], (size_t)1 << 20));
  cr_assert(eq(sz, out[1], 1000));
  cr_assert(eq(int, tpc_cli_read_sizes("--d", "2^31", (size_t)1 << 31, 4, out, &n),
               TPC_EXIT_OK));
  cr_assert(eq(sz, out[0], (size_t)1 << 31));
  cr_assert(eq(sz, n, 1));
  const char *bad[] = {"2^32", "2^99", "2^", "3^2", "0", "", ",", "1,", ",1", "1,,2",
                       "-1", "1,2,3,4,5", "2^0x"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    n = 9;
    cr_assert(eq(int, tpc_cli_read_sizes("--d", bad[i], (size_t)1 << 31, 4, out, &n),
                 TPC_EXIT_USAGE), "'%s'", bad[i]);
    cr_assert(eq(sz, n, 9), "'%s' changed the count", bad[i]);
  }
}
