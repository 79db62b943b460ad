/*
** The one option parser of the commands: getopt_long over the command's own
** options, the common ones (--db, --seed, --threads, --quiet, --plugin) and
** --help, with one convention for what goes wrong (an unknown or ambiguous
** option, a missing value: a message naming it, exit 2) and one help block
** for the common options after every command's usage (cli.h); and, for the
** commands that need it, the registry with every --plugin loaded.
*/
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounds/sandbox.h"
#include "dist/dist.h"
#include "cli/cli.h"
#include "core/error.h"
#include "registry/plugin.h"
#include "registry/pyplugin.h"

/* Seconds a plugin's constructors and tpc_plugin_init may take. */
#define PLUGIN_LOAD_TIMEOUT 60

void tpc_cli_common_init(tpc_cli_common *o) {
  memset(o, 0, sizeof *o);
  o->db = "db/tpc.sqlite";
  o->seed = 1;
  /* the ranks of tpc-mpi on one machine share its processors */
  int share = omp_get_num_procs() / tpc_dist_local_size();
  o->threads = share > 1 ? share : 1;
}

/* 1 for a good value, -1 for a bad one: tpc_cli_common_opt's convention. */
static int applied(int exit_code) { return exit_code == TPC_EXIT_OK ? 1 : -1; }

/* Apply a common option returned by getopt_long.  Returns 1 when `code` was
** one (and its value good), 0 when it is not a common option, and -1 after
** printing a message when the value is bad (the command exits 2). */
static int common_opt(tpc_cli_common *o, int code, const char *arg) {
  size_t n = 0;
  int rc;
  switch (code) {
    case TPC_OPT_DB:
      if (!*arg) {
        fprintf(stderr, "tpc: --db expects a path\n");
        return -1;
      }
      o->db = arg;
      return 1;
    case TPC_OPT_SEED: return applied(tpc_cli_read_u64("--seed", arg, &o->seed));
    case TPC_OPT_THREADS:
      rc = tpc_cli_read_count("--threads", arg, 1, TPC_CLI_MAXTHREADS, &n);
      if (!rc) o->threads = (int)n;
      return applied(rc);
    case TPC_OPT_QUIET:
      o->quiet = 1;
      return 1;
    case TPC_OPT_RESUME: return applied(tpc_cli_read_run("--resume", arg, &o->resume));
    case TPC_OPT_PLUGIN:
      if (o->nplugins == TPC_CLI_MAXPLUGINS) {
        fprintf(stderr, "tpc: at most %d --plugin options\n", TPC_CLI_MAXPLUGINS);
        return -1;
      }
      o->plugins[o->nplugins++] = arg;
      return 1;
    default:
      return 0;
  }
}

/* The child's side of a trial load: a scratch registry, thrown away. */
static int load_in_child(void *arg, void *out) {
  (void)out;
  tpc_registry *r = tpc_registry_alloc();
  if (!r) return tpc_error(TPC_ENOMEM, "out of memory");
  int rc = tpc_plugin_load(r, arg);
  tpc_registry_free(r);
  return rc;
}

/* The child's side of loading a Python plugin: import it, describe it. */
static int probe_in_child(void *arg, void *out) {
  return tpc_pyplugin_probe(arg, out, TPC_PYPLUGIN_PROBE_SIZE);
}

/* Load a Python plugin into r: its file is imported in a child process only
** (this one never starts Python), which describes what it registers; the
** proxies registered here run the file's code wherever they are used. */
static int load_python(tpc_registry *r, const char *path) {
  tpc_sandbox_opts so = {.timeout_s = PLUGIN_LOAD_TIMEOUT};
  tpc_sandbox_result sr;
  void *buf = malloc(TPC_PYPLUGIN_PROBE_SIZE);
  if (!buf) return tpc_error(TPC_ENOMEM, "out of memory");
  int status, rc = tpc_sandbox_call(probe_in_child, (void *)path, buf, TPC_PYPLUGIN_PROBE_SIZE,
                                    &so, &sr, &status);
  if (rc == TPC_OK) rc = status;
  if (rc == TPC_OK) rc = tpc_pyplugin_register(r, path, buf, TPC_PYPLUGIN_PROBE_SIZE);
  free(buf);
  if (rc == TPC_ECHILD) return tpc_error_prefix(rc, "plugin %s: importing it ", path);
  return rc ? tpc_error_prefix(rc, "plugin %s: ", path) : TPC_OK;
}

/* Load a plugin into r, after loading it once in a child process.  The
** registration itself has to happen here, since r keeps pointers into the
** plugin's memory; but the plugin's constructors and tpc_plugin_init are
** its own code, and a crash or hang in them is caught in the child (exit 4)
** before they can take this process down. */
static int load_plugin(tpc_registry *r, const char *path) {
  if (tpc_pyplugin_is_python(path)) return load_python(r, path);
  tpc_sandbox_opts so = {.timeout_s = PLUGIN_LOAD_TIMEOUT};
  tpc_sandbox_result sr;
  int status, rc = tpc_sandbox_call(load_in_child, (void *)path, NULL, 0, &so, &sr, &status);
  if (rc == TPC_OK && status == TPC_ECHILD)
    return tpc_error_prefix(TPC_ECHILD, "plugin %s: loading it (its constructors, "
                                        "tpc_plugin_init) ", path);
  if (rc == TPC_OK) rc = status;
  return rc == TPC_OK ? tpc_plugin_load(r, path) : rc;
}

/* The registry with the built-ins and every --plugin, or NULL after printing
** why (*exit_code = 2 for a plugin that cannot be loaded, 4 when loading it
** crashed or hung in the child it is first loaded in, or otherwise). */
static tpc_registry *registry_plugins(const tpc_cli_common *o, int *exit_code) {
  tpc_registry *r = tpc_registry_alloc();
  if (!r) {
    *exit_code = tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
    return NULL;
  }
  for (size_t i = 0; i < o->nplugins; i++) {
    int rc = load_plugin(r, o->plugins[i]);
    if (rc) {
      *exit_code = tpc_cli_fail(rc);
      tpc_registry_free(r);
      return NULL;
    }
  }
  return r;
}

/* The common options' help, which ends every command's --help. */
#define COMMON_HELP                                                                  \
  "\ncommon options (every command takes them and uses those it needs):\n"          \
  "  --db PATH        database (default db/tpc.sqlite; created and migrated)\n"      \
  "  --seed N         run seed: fixes every result, whatever the thread count\n"     \
  "  --threads N      worker threads, 1 to 1024 (default: the processors, shared\n" \
  "                   by the tpc-mpi ranks on the machine)\n"                       \
  "  --plugin FILE    load compressors/mechanisms from a plugin (repeatable)\n"      \
  "  --quiet          no progress bar or table\n"                                    \
  "  --help           this text\n"

#define TPC_CLI_MAXOPTIONS 48

/* The command's options, then the common ones and --help, in one table. */
static int merge_options(const tpc_cli_cmd *cmd, const struct option *own,
                         struct option *all) {
  static const struct option common[] = {{"db", required_argument, 0, TPC_OPT_DB},
                                         {"seed", required_argument, 0, TPC_OPT_SEED},
                                         {"threads", required_argument, 0, TPC_OPT_THREADS},
                                         {"quiet", no_argument, 0, TPC_OPT_QUIET},
                                         {"plugin", required_argument, 0, TPC_OPT_PLUGIN},
                                         {"help", no_argument, 0, 'h'}};
  size_t n = 0;
  while (own[n].name) n++;
  if (n + sizeof common / sizeof *common >= TPC_CLI_MAXOPTIONS) {
    fprintf(stderr, "tpc %s: too many options for the parser\n", cmd->name);
    return TPC_EXIT_INTERNAL;
  }
  memcpy(all, own, n * sizeof *own);
  memcpy(all + n, common, sizeof common);
  memset(all + n + sizeof common / sizeof *common, 0, sizeof *all);
  return TPC_EXIT_OK;
}

/* getopt_long's ':' (a value missing) and '?' (an unknown or ambiguous
** option): argv[optind - 1] is the word as typed. */
static int refuse_word(const tpc_cli_ctx *ctx, int code) {
  const char *word = ctx->argv[optind - 1];
  if (code == ':') fprintf(stderr, "tpc: %s expects a value\n", word);
  else
    fprintf(stderr, "tpc %s: unknown or ambiguous option '%s'; see `tpc %s --help`\n",
            ctx->cmd->name, word, ctx->cmd->name);
  return TPC_EXIT_USAGE;
}

int tpc_cli_parse(tpc_cli_ctx *ctx, const struct option *opts, tpc_cli_opt_fn apply, void *args,
                  const char *usage) {
  struct option all[TPC_CLI_MAXOPTIONS];
  int c, rc = merge_options(ctx->cmd, opts, all);
  optind = 1;
  opterr = 0;
  while (!rc && (c = getopt_long(ctx->argc, ctx->argv, ":h", all, NULL)) != -1) {
    if (c == 'h') {
      printf("%s" COMMON_HELP, usage);
      return TPC_CLI_HELP;
    }
    if (c == ':' || c == '?') return refuse_word(ctx, c);
    int common = common_opt(&ctx->common, c, optarg);
    if (common < 0) rc = TPC_EXIT_USAGE;
    else if (common == 0) rc = apply(args, c, optarg);
  }
  if (rc) return rc;
  ctx->nargs = ctx->argc - optind;
  ctx->args = ctx->argv + optind;
  if (ctx->cmd->flags & TPC_CMD_NEEDS_REGISTRY)
    ctx->reg = registry_plugins(&ctx->common, &rc);
  return rc;
}

const char *tpc_cli_parse_next(tpc_cli_ctx *ctx) {
  return optind < ctx->argc ? ctx->argv[optind++] : NULL;
}
