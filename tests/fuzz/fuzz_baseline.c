/*
** libFuzzer harness of the baseline loader (reports/baseline.h): the input is
** a baseline file, loaded into a scratch database as `tpc regress` loads
** db/baseline.sql.  Properties: the loader never crashes; it gives TPC_OK, or
** TPC_EINPUT / TPC_ENOMEM with a message; a baseline it loads is readable
** (tpc_baseline_runs gives TPC_OK); and it writes no file but the scratch
** database (and SQLite's -journal, -wal and -shm beside it): a baseline is
** committed text, so loading one must not ATTACH, VACUUM INTO or otherwise
** create files elsewhere.
**
** The process works in the scratch database's directory, so that a file a
** baseline names by a relative path lands there and is seen.  libFuzzer's
** own paths on the command line are made absolute first (and crash files go
** to the directory the fuzzer was started in), so they keep meaning what the
** user meant.
*/
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "fuzz.h"
#include "reports/baseline.h"

#define DB_NAME "scratch.sqlite"

static char workdir[4200];   /* scratch/db: the cwd, the database's directory */
static char input[4200];     /* scratch/baseline.sql, outside workdir */

/* path made absolute against cwd (a new string). */
static char *absolute(const char *cwd, const char *path) {
  size_t n = strlen(cwd) + strlen(path) + 2;
  char *s = malloc(n);
  if (!s) fuzz_fail("out of memory");
  snprintf(s, n, "%s%s%s", path[0] == '/' ? "" : cwd, path[0] == '/' ? "" : "/", path);
  return s;
}

/* -flag=PATH with its PATH made absolute, else NULL. */
static char *absolute_flag(const char *cwd, const char *arg) {
  static const char *const flags[] = {"-artifact_prefix=", "-exact_artifact_path=", "-dict=",
                                      NULL};
  for (size_t i = 0; flags[i]; i++) {
    size_t k = strlen(flags[i]);
    if (strncmp(arg, flags[i], k) == 0 && arg[k] != '/') {
      char *path = absolute(cwd, arg + k), *s = malloc(k + strlen(path) + 1);
      if (!s) fuzz_fail("out of memory");
      snprintf(s, k + strlen(path) + 1, "%s%s", flags[i], path);
      free(path);
      return s;
    }
  }
  return NULL;
}

/* The command line with its paths absolute and an -artifact_prefix (the
** start directory) when none was given.  The strings live as long as the
** process, like argv's. */
static void argv_absolute(int *argc, char ***argv, const char *cwd) {
  char **out = calloc((size_t)*argc + 2, sizeof *out);
  int n = 0, prefix = 0;
  if (!out) fuzz_fail("out of memory");
  for (int i = 0; i < *argc; i++) {
    const char *a = (*argv)[i];
    char *flag = i > 0 ? absolute_flag(cwd, a) : NULL;
    prefix |= strncmp(a, "-artifact_prefix=", 17) == 0 ||
              strncmp(a, "-exact_artifact_path=", 21) == 0;
    if (flag) out[n++] = flag;
    else if (i > 0 && a[0] != '-') out[n++] = absolute(cwd, a);
    else out[n++] = (*argv)[i];
  }
  if (!prefix) {
    char *dir = absolute(cwd, ""), *s = malloc(strlen(dir) + 18);
    if (!s) fuzz_fail("out of memory");
    sprintf(s, "-artifact_prefix=%s", dir);
    free(dir);
    out[n++] = s;
  }
  out[n] = NULL;
  *argc = n;
  *argv = out;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) fuzz_fail("getcwd: %s", strerror(errno));
  argv_absolute(argc, argv, cwd);
  fuzz_scratch_path("db", workdir, sizeof workdir);
  fuzz_scratch_path("baseline.sql", input, sizeof input);
  if (mkdir(workdir, 0700) != 0 || chdir(workdir) != 0)
    fuzz_fail("cannot work in %s: %s", workdir, strerror(errno));
  return 0;
}

/* The scratch database's own files: the database and SQLite's companions. */
static int own_file(const char *name) {
  static const char *const own[] = {DB_NAME, DB_NAME "-journal", DB_NAME "-wal", DB_NAME "-shm",
                                    NULL};
  for (size_t i = 0; own[i]; i++)
    if (strcmp(name, own[i]) == 0) return 1;
  return 0;
}

/* Fail on a file the load left beside the scratch database, then empty the
** directory for the next input (a stray file is removed after the report, so
** a reproduction starts clean too). */
static void check_and_clear(void) {
  DIR *dir = opendir(".");
  if (!dir) fuzz_fail("cannot list %s: %s", workdir, strerror(errno));
  char stray[512] = "";
  for (struct dirent *e; (e = readdir(dir)) != NULL;) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (!own_file(e->d_name) && !stray[0]) snprintf(stray, sizeof stray, "%s", e->d_name);
    remove(e->d_name);
  }
  closedir(dir);
  if (stray[0]) fuzz_fail("loading the baseline created '%s' beside the scratch database", stray);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_write_file(input, data, size);
  tpc_store *st = NULL;
  tpc_error_clear();
  int rc = tpc_baseline_load(input, DB_NAME, &st);
  if (rc == TPC_OK) {
    tpc_baseline_run runs[4];
    size_t n = 0;
    int rr = tpc_baseline_runs(st, runs, 4, &n);
    tpc_store_close(st);
    check_and_clear();
    if (rr != TPC_OK) fuzz_fail("a loaded baseline is unreadable (%d): %s", rr, tpc_error_msg());
    return 0;
  }
  if (st) fuzz_fail("refused (%d) but returned a store", rc);
  check_and_clear();
  if (rc != TPC_EINPUT && rc != TPC_ENOMEM)
    fuzz_fail("refused with status %d (not TPC_EINPUT or TPC_ENOMEM): %s", rc, tpc_error_msg());
  if (!*tpc_error_msg()) fuzz_fail("refused with status %d and an empty message", rc);
  return 0;
}
