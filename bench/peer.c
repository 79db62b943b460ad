/*
** Running the TopK peers (peer.h): the input file, the child process with
** its trimmed environment, and the parser of the samples it prints.
*/
#include "bench/peer.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/store_bench.h"
#include "core/error.h"

static const char *const peer_names[] = {"numpy.argpartition", "torch.topk", NULL};

static int readable(const char *path) { return access(path, R_OK) == 0; }

/* The script's path into buf (see peer.h for the order); 0 when not found. */
static int find_script(char *buf, size_t size) {
  const char *dir = getenv("TPC_PEERS_DIR");
  if (dir && *dir) {
    snprintf(buf, size, "%s/topk_peers.py", dir);
    if (readable(buf)) return 1;
  }
  char exe[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len > 0) {
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    static const char *const rel[] = {"../bench/peers", "../share/tpc/peers"};
    for (size_t i = 0; i < 2; i++) {
      int w = snprintf(buf, size, "%s/%s/topk_peers.py", exe, rel[i]);
      if (w > 0 && (size_t)w < size && readable(buf)) return 1;
    }
  }
  snprintf(buf, size, "bench/peers/topk_peers.py");
  return readable(buf);
}

/* Write x as raw values into a new temporary file; its name in path. */
static int write_input(const tpc_bench_inputs *in, char *path, size_t size) {
  const char *tmp = getenv("TMPDIR");
  snprintf(path, size, "%s/tpc_bench_XXXXXX", tmp && *tmp ? tmp : "/tmp");
  int fd = mkstemp(path);
  if (fd < 0) return tpc_error(TPC_EIO, "peers: cannot create a file in %s", tmp ? tmp : "/tmp");
  size_t bytes = in->d * (in->dtype == TPC_F64 ? sizeof(double) : sizeof(float));
  const char *p = in->x;
  while (bytes > 0) {
    ssize_t w = write(fd, p, bytes);
    if (w <= 0) {
      close(fd);
      unlink(path);
      return tpc_error(TPC_EIO, "peers: cannot write the input to %s", path);
    }
    p += w;
    bytes -= (size_t)w;
  }
  close(fd);
  return TPC_OK;
}

/* Run argv (argv[0] the interpreter) with its stdout captured into *out (NUL
** terminated, malloc'd) and its stderr discarded.  *status is the exit code,
** 127 when it could not be started. */
static int run_child(char *const argv[], char **out, int *status) {
  int fd[2];
  *out = NULL;
  if (pipe(fd)) return tpc_error(TPC_EIO, "peers: pipe failed");
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    close(fd[0]);
    close(fd[1]);
    return tpc_error(TPC_EIO, "peers: fork failed");
  }
  if (pid == 0) {
    unsetenv("OPENBLAS_CORETYPE");
    unsetenv("OPENBLAS_L2_SIZE");
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, STDERR_FILENO);
    dup2(fd[1], STDOUT_FILENO);
    close(fd[0]);
    close(fd[1]);
    execvp(argv[0], argv);
    _exit(127);
  }
  close(fd[1]);
  size_t len = 0, cap = 4096;
  char *buf = malloc(cap);
  for (ssize_t r = 1; buf && r > 0;) {
    if (cap - len < 1024) {
      char *b = realloc(buf, cap *= 2);
      if (!b) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = b;
    }
    r = read(fd[0], buf + len, cap - len - 1);
    if (r > 0) len += (size_t)r;
  }
  close(fd[0]);
  int ws = 0;
  waitpid(pid, &ws, 0);
  *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
  if (!buf) return tpc_error(TPC_ENOMEM, "out of memory (peer output)");
  buf[len] = '\0';
  *out = buf;
  return TPC_OK;
}

static void note_add(char *note, size_t size, const char *text) {
  size_t len = strlen(note);
  if (len + 1 < size) snprintf(note + len, size - len, "%s%s", len ? "; " : "", text);
}

/* The peer case for (impl, k), created when new; NULL when out of memory. */
static tpc_bench_case *peer_case(tpc_bench_case **cases, size_t *n, size_t first,
                                 const tpc_bench_inputs *in, const char *impl, size_t k,
                                 size_t samples) {
  for (size_t i = first; i < *n; i++)
    if (!strcmp((*cases)[i].impl, impl) && (*cases)[i].k == k) return &(*cases)[i];
  tpc_bench_case *v = realloc(*cases, (*n + 1) * sizeof *v);
  if (!v) return NULL;
  *cases = v;
  tpc_bench_case *c = &v[(*n)++];
  memset(c, 0, sizeof *c);
  snprintf(c->kernel, sizeof c->kernel, "topk");
  snprintf(c->impl, sizeof c->impl, "%s", impl);
  snprintf(c->note, sizeof c->note, "peer, same input");
  c->role = TPC_BENCH_PEER;
  c->dtype = in->dtype;
  c->d = in->d;
  c->k = k;
  c->bytes_read = (double)in->d * (in->dtype == TPC_F64 ? 8.0 : 4.0);
  c->bytes_written = 4.0 * (double)k;
  c->ns = calloc(samples, sizeof *c->ns);
  c->seq = calloc(samples, sizeof *c->seq);
  return c->ns && c->seq ? c : NULL;
}

/* Parse the script's lines into peer cases and the note. */
static int parse_output(char *text, const tpc_bench_inputs *in, tpc_bench_opts *o,
                        tpc_bench_case **cases, size_t *n, size_t first, char *note,
                        size_t note_size) {
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    char impl[48], what[64];
    size_t k, iters;
    double total;
    int pos = 0;
    if (sscanf(line, "sample %47s %zu %zu %lf", impl, &k, &iters, &total) == 4 && iters > 0) {
      tpc_bench_case *c = peer_case(cases, n, first, in, impl, k, o->samples);
      if (!c) return tpc_error(TPC_ENOMEM, "out of memory (peer samples)");
      if (c->nsamples == o->samples) continue;
      c->iters = iters;
      c->ns[c->nsamples] = total / (double)iters;
      c->seq[c->nsamples++] = o->seq++;
    } else if (sscanf(line, "version %63s %n", what, &pos) == 1 && pos > 0) {
      char buf[128];
      snprintf(buf, sizeof buf, "%s %s", what, line + pos);
      note_add(note, note_size, buf);
    } else if (sscanf(line, "skip %47s %n", impl, &pos) == 1 && pos > 0) {
      char buf[256];
      snprintf(buf, sizeof buf, "%s skipped: %s", impl, line + pos);
      note_add(note, note_size, buf);
    }
  }
  return TPC_OK;
}

/* "--k" value: the ks joined by commas. */
static void join_ks(const size_t *ks, size_t nk, char *buf, size_t size) {
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < nk && len + 24 < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%zu", i ? "," : "", ks[i]);
}

/* Run the script with each interpreter candidate until one imports numpy. */
static int run_script(const char *script, const char *file, const tpc_bench_inputs *in,
                      const size_t *ks, size_t nk, const char *impls, tpc_bench_opts *o,
                      int threads, char **out) {
  char d[32], kl[1024], samples[32], target[32], warm[32], th[16];
  snprintf(d, sizeof d, "%zu", in->d);
  join_ks(ks, nk, kl, sizeof kl);
  snprintf(samples, sizeof samples, "%zu", o->samples);
  snprintf(target, sizeof target, "%.17g", o->target_ns);
  snprintf(warm, sizeof warm, "%.17g", o->warmup_ns);
  snprintf(th, sizeof th, "%d", threads);
  const char *env = getenv("TPC_PYTHON");
  const char *cands[] = {env && *env ? env : "python3", env && *env ? NULL : "/usr/bin/python3",
                         NULL};
  *out = NULL;
  for (size_t i = 0; cands[i]; i++) {
    char *argv[] = {(char *)cands[i], (char *)script, "--file", (char *)file,
                    "--dtype", (char *)tpc_bench_dtype_name(in->dtype), "--d", d,
                    "--k", kl, "--samples", samples, "--target-ns", target,
                    "--warmup-ns", warm, "--threads", th, "--impl", (char *)impls, NULL};
    int status = 0;
    free(*out);
    *out = NULL;
    int rc = run_child(argv, out, &status);
    if (rc) return rc;
    int last = cands[i + 1] == NULL;
    if (status == 127) {
      if (last) return tpc_error(TPC_EIO, "%s cannot be run", cands[i]);
      continue;
    }
    if (!last && strstr(*out, "numpy is not importable")) continue;
    return TPC_OK;
  }
  return TPC_OK;
}

int tpc_bench_peers_topk(const tpc_bench_inputs *in, const size_t *ks, size_t nk,
                         const char *const *filters, size_t nfilters,
                         tpc_bench_opts *o, int threads, tpc_bench_case **cases,
                         size_t *n, char *note, size_t note_size) {
  char impls[64] = "", script[PATH_MAX], file[PATH_MAX];
  note[0] = '\0';
  for (size_t i = 0; peer_names[i]; i++)
    if (tpc_bench_impl_matches(filters, nfilters, peer_names[i]))
      snprintf(impls + strlen(impls), sizeof impls - strlen(impls), "%s%s",
               impls[0] ? "," : "", peer_names[i]);
  if (!impls[0]) return TPC_OK;
  if (!find_script(script, sizeof script)) {
    note_add(note, note_size, "peers skipped: bench/peers/topk_peers.py not found");
    return TPC_OK;
  }
  int rc = write_input(in, file, sizeof file);
  if (rc) return rc;
  char *out = NULL;
  rc = run_script(script, file, in, ks, nk, impls, o, threads, &out);
  unlink(file);
  if (rc == TPC_EIO) {
    char buf[160];
    snprintf(buf, sizeof buf, "peers skipped: %s", tpc_error_msg());
    note_add(note, note_size, buf);
    free(out);
    return TPC_OK;
  }
  size_t first = *n;
  if (!rc && out) rc = parse_output(out, in, o, cases, n, first, note, note_size);
  free(out);
  for (size_t i = first; !rc && i < *n; i++) rc = tpc_bench_case_summarize(&(*cases)[i], o->level);
  return rc;
}
