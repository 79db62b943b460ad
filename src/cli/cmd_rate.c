/*
** tpc rate PROBLEM METHOD... [options]: Algorithm 1 (THEORY.md T4) on a
** problem with each method, the check of every theorem of the catalogue
** (bounds/theorems/catalogue.h) that applies, or of the one --theorem
** names, with a verdict per (method, theorem), the theory slack,
** trajectories in the database (bounds/theorems/rate.h, db/003_rate.sql).
**
** tpc rate --experiment fig3|fig2|fig1|ef21p|2direction: the papers'
** experiments of T7, T9.8 and, run as a kappa scaling law, T11's.
**
** tpc rate --scaling kappa|omega FAMILY METHOD...: the bits to eps against
** the condition number or omega, and the fitted slope against the theory's
** (THEORY.md T12, bounds/theorems/scaling.h).
**
** Every input (problem, methods, constants the check needs) is validated
** before the run starts, so bad input exits 2 and stores nothing.
**
** A method that names a plugin's type is built, run and timed in a child
** process (bounds/theorems/rate_isolate.c) with a time limit, and the parent stores
** what comes back: a crash, hang or exit in plugin code fails that method
** alone (verdict error, no row), the other methods run, and the run row ends
** properly.  Built-in methods run in this process: tpc's own code needs no
** protection, and one fork and copy per method would cost time for nothing;
** their results are the same bits either way (tests/test_rate.c).
**
** Exit codes: 0 every check passed (or n/a), 1 one was violated, 3 one was
** inconclusive, 4 internal error or a method's child failed.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/rate_time.h"
#include "bounds/theorems/rate.h"
#include "bounds/theorems/scaling.h"
#include "cli/cli.h"
#include "core/error.h"
#include "dist/alg1_net.h"
#include "dist/dist.h"
#include "dist/sweep.h"
#include "methods/method.h"
#include "store/store.h"

#define RATE_MAX_METHODS 64
#define RATE_DELTA 0.01

enum {
  OPT_T = TPC_OPT_FIRST_FREE,
  OPT_REPS,
  OPT_MULT,
  OPT_GAMMA,
  OPT_PL,
  OPT_THEOREM,
  OPT_NOCHECK,
  OPT_EPS,
  OPT_BITS,
  OPT_SERVER,
  OPT_X0,
  OPT_INIT,
  OPT_NOSLACK,
  OPT_WIRE,
  OPT_TIME,
  OPT_POINTS,
  OPT_EXPERIMENT,
  OPT_SAMPLES,
  OPT_TIMEOUT,
  OPT_SCALING,
  OPT_GRID,
  OPT_EPS_REL,
  OPT_STEP,
  OPT_STEP_GRID
};

static const struct option rate_options[] = {
    {"T", required_argument, 0, OPT_T},
    {"reps", required_argument, 0, OPT_REPS},
    {"mult", required_argument, 0, OPT_MULT},
    {"gamma", required_argument, 0, OPT_GAMMA},
    {"pl", no_argument, 0, OPT_PL},
    {"theorem", required_argument, 0, OPT_THEOREM},
    {"no-check", no_argument, 0, OPT_NOCHECK},
    {"eps", required_argument, 0, OPT_EPS},
    {"bits-budget", required_argument, 0, OPT_BITS},
    {"server", required_argument, 0, OPT_SERVER},
    {"x0", required_argument, 0, OPT_X0},
    {"init", required_argument, 0, OPT_INIT},
    {"no-slack", no_argument, 0, OPT_NOSLACK},
    {"wire-check", no_argument, 0, OPT_WIRE},
    {"time", no_argument, 0, OPT_TIME},
    {"points", required_argument, 0, OPT_POINTS},
    {"experiment", required_argument, 0, OPT_EXPERIMENT},
    {"samples", required_argument, 0, OPT_SAMPLES},
    {"timeout", required_argument, 0, OPT_TIMEOUT},
    {"scaling", required_argument, 0, OPT_SCALING},
    {"grid", required_argument, 0, OPT_GRID},
    {"eps-rel", required_argument, 0, OPT_EPS_REL},
    {"step", required_argument, 0, OPT_STEP},
    {"step-grid", required_argument, 0, OPT_STEP_GRID},
    TPC_CLI_RESUME_OPTION,
    {0, 0, 0, 0}};

static const char usage[] =
    "usage: tpc rate PROBLEM METHOD... [options]\n"
    "       tpc rate --experiment fig3|fig2|fig1|ef21p|2direction [--T N] [--samples N]\n"
    "       tpc rate --scaling kappa|omega FAMILY METHOD... [--grid LO:HI:N]\n\n"
    "Runs each METHOD on PROBLEM and checks every theorem of the catalogue\n"
    "(tpc list) that applies to it, each at its largest step times --mult, one\n"
    "row per (method, theorem). A METHOD is a mechanism spec run by Algorithm 1\n"
    "(T4: ef21(topk(k=10)), marina(urandk(k=10),p=0.01), ...), checked by T5's\n"
    "Theorem 1 (T5.thm1) and PL theorem (T5.pl), or a method of T8-T11:\n"
    "dcgd(Q), dcgd_shift(Q,shift=fixed|star|diana|randdiana,beta=,p=),\n"
    "gdci(Q,shift=zero|star) (T8.2-T8.5), ef21p(C_s), ef21p_diana(Q,C_s,beta=),\n"
    "ef21p_dcgd(Q,C_s) (T9.1, T9.3-T9.7), bidir(M_w,M_s) (T10.2), or 2Direction\n"
    "of T11: twodirection(Q,C_s,p=,tau=,Lbar=|Lbar_mult=,gamma0=) (T11.3; Lbar =\n"
    "1/gamma unless given). Randomized methods: one-sided Student-t bounds over\n"
    "--reps repetitions; one-step theorems (T8.5, T9.4, T11.3): every step.\n"
    "tpc describe METHOD --problem PROBLEM says which theorems apply and why not.\n"
    "Problems: quad(d=,n=,s=,seed=,convex=,interp=,lambda=|kappa=), quadfile(file=),\n"
    "logreg(file=,n=,lambda=,reg=nonconvex|l2|none), autoenc(file=,n=,de=,samples=)\n"
    "(no constants: needs --gamma).\n\n"
    "options:\n"
    "  --T N            iterations (default 1000; experiments: fig3 2000,\n"
    "                   fig2 2000 per run, fig1 200, ef21p 1000)\n"
    "  --reps R         repetitions (default 1 deterministic, 20 randomized)\n"
    "  --mult M         step = M x the theorem's step (default 1; M > 1: no check)\n"
    "  --gamma G        explicit step size (no check when above the theorem's)\n"
    "  --theorem ID     check this theorem only (tpc list; exit 2 when it\n"
    "                   does not apply, naming the assumption that fails)\n"
    "  --pl             the same as --theorem T5.pl (needs mu > 0, exact f^inf)\n"
    "  --no-check       run and store only (at Theorem 1's step or --gamma)\n"
    "  --eps E          stop when |grad f|^2 <= E\n"
    "  --bits-budget B  stop when the uplink bits per client reach B\n"
    "  --server SPEC    EF21-P downlink with a contractive compressor (gd: T9.1)\n"
    "  --x0 WHICH       problem (default) | zero | gauss (standard normal, --seed)\n"
    "  --init WHICH     exact (default, G0 = 0) | zero | compressed (g_i^0 = C(grad))\n"
    "  --no-slack       skip the theory slack (largest converging m in 1..4096)\n"
    "  --wire-check     encode and decode every message; the server's copies\n"
    "                   must equal the clients' states bit for bit\n"
    "  --time           ns per iteration vs one pass over the data and one call\n"
    "                   of every gradient, both on the run's threads; peak RSS\n"
    "                   (implies --no-slack)\n"
    "  --points N       keep at most about N points per trajectory (default 2000)\n"
    "  --timeout S      seconds a method with a plugin type may run in its child\n"
    "                   process before it is killed (default 600)\n"
    "  --experiment E   fig3 (quadratic), fig2 (CLAG heat map, phishing),\n"
    "                   fig1 (autoencoder, Fashion-MNIST), ef21p (EF21-P +\n"
    "                   DIANA vs DIANA, w8a), 2direction (2Direction vs\n"
    "                   EF21-P + DIANA, AGD: a --scaling kappa law, T11);\n"
    "                   --samples N images (fig1, default 2000)\n"
    TPC_CLI_RESUME_HELP "                   (checks only: one unit is one method)\n"
    "\n--scaling kappa|omega (T12; README.md): bits per client to f - f* <=\n"
    "eps (f(x^0) - f*), fitted slope vs the theory's (exit 0 either way)\n"
    "  --grid LO:HI:N   values: kappa=v of FAMILY (a quad spec, default\n"
    "                   1e2:1e5:7); omega: k of METHOD's `urandk` (default 1:8:4)\n"
    "  --eps-rel E      eps (default 1e-6); --T caps each run (default 10^6)\n"
    "  --step WHICH     theory (default; else the grid) | grid (2^0..2^-K / L-)\n"
    "  --step-grid K    K (default 8)\n"
    "\nExit codes: 0 pass (or no check), 1 a check violated, 2 bad input,\n"
    "3 inconclusive, 4 internal error, or a plugin crashed or timed out.\n";

typedef struct rate_args {
  const tpc_cli_common *common;
  tpc_rate_opts o;
  const char *server;
  const char *experiment;
  const char *scaling;      /* --scaling kappa|omega */
  const char *grid;         /* --grid LO:HI:N */
  double eps_rel;
  int step_grid;            /* --step grid */
  size_t grid_k;
  size_t samples;
  double timeout;
  int time;
  int T_given;
  int nocheck;
  int pl;
  const char *theorem_id;       /* --theorem (--pl: T5.pl) */
  const tpc_theorem *theorem;   /* its catalogue entry */
} rate_args;

static int rate_opt(void *args, int code, const char *arg) {
  rate_args *a = args;
  static const char *const x0s[] = {"problem", "zero", "gauss", NULL};
  static const char *const inits[] = {"exact", "zero", "compressed", NULL};
  static const char *const steps[] = {"theory", "grid", NULL};
  size_t n = 0;
  int k = 0, rc = TPC_EXIT_OK;
  switch (code) {
    case OPT_T: rc = tpc_cli_size("--T", arg, &n); a->o.T = n; a->T_given = 1; break;
    case OPT_REPS: rc = tpc_cli_size("--reps", arg, &a->o.reps); break;
    case OPT_MULT: rc = tpc_cli_read_real("--mult", arg, TPC_CLI_POSITIVE, &a->o.mult); break;
    case OPT_GAMMA: rc = tpc_cli_read_real("--gamma", arg, TPC_CLI_POSITIVE, &a->o.gamma); break;
    case OPT_PL: a->pl = 1; break;
    case OPT_THEOREM: a->theorem_id = arg; break;
    case OPT_NOCHECK: a->nocheck = 1; break;
    case OPT_EPS: rc = tpc_cli_read_real("--eps", arg, TPC_CLI_POSITIVE, &a->o.eps); break;
    case OPT_BITS: rc = tpc_cli_size("--bits-budget", arg, &n); a->o.bits_budget = n; break;
    case OPT_SERVER: a->server = arg; break;
    case OPT_X0: rc = tpc_cli_read_choice("--x0", arg, x0s, &k); a->o.x0 = (tpc_alg1_x0)k; break;
    case OPT_INIT:
      rc = tpc_cli_read_choice("--init", arg, inits, &k);
      a->o.init = (tpc_alg1_init)k;
      break;
    case OPT_NOSLACK: a->o.slack = 0; break;
    case OPT_WIRE: a->o.wire_check = 1; break;
    case OPT_TIME: a->time = 1; break;
    case OPT_POINTS: rc = tpc_cli_size("--points", arg, &n); a->o.max_points = n; break;
    case OPT_EXPERIMENT: a->experiment = arg; break;
    case OPT_SAMPLES: rc = tpc_cli_size("--samples", arg, &a->samples); break;
    case OPT_SCALING: a->scaling = arg; break;
    case OPT_GRID: a->grid = arg; break;
    case OPT_EPS_REL:
      rc = tpc_cli_read_real("--eps-rel", arg, TPC_CLI_POSITIVE, &a->eps_rel);
      break;
    case OPT_STEP: rc = tpc_cli_read_choice("--step", arg, steps, &a->step_grid); break;
    case OPT_STEP_GRID: rc = tpc_cli_size("--step-grid", arg, &a->grid_k); break;
    default: /* OPT_TIMEOUT */
      rc = tpc_cli_read_real("--timeout", arg, TPC_CLI_POSITIVE, &a->timeout);
  }
  return rc;
}

static int parse_args(tpc_cli_ctx *ctx, rate_args *a) {
  a->common = &ctx->common;
  tpc_rate_opts_init(&a->o);
  a->timeout = 600;
  a->grid_k = 8;
  int code = tpc_cli_parse(ctx, rate_options, rate_opt, a, usage);
  if (code) return code;
  a->o.seed = a->common->seed;
  a->o.threads = a->common->threads;
  if (a->time) a->o.slack = 0;
  if (a->pl && a->nocheck) {
    fprintf(stderr, "tpc rate: --pl and --no-check exclude each other\n");
    return TPC_EXIT_USAGE;
  }
  if (a->theorem_id && (a->nocheck || a->pl)) {
    fprintf(stderr, "tpc rate: --theorem and %s exclude each other\n",
            a->pl ? "--pl" : "--no-check");
    return TPC_EXIT_USAGE;
  }
  if (a->pl) a->theorem_id = "T5.pl";
  return TPC_EXIT_OK;
}

static int cli_cancel(void *ctx) {
  (void)ctx;
  return tpc_cli_interrupted();
}

/* A method's child: killed after --timeout, or at once on an interruption. */
static tpc_sandbox_opts sandbox_opts(const rate_args *a) {
  return (tpc_sandbox_opts){.timeout_s = a->timeout, .stop = cli_cancel};
}

/* ---- checks mode ------------------------------------------------------------- */

/* What --time measured: computed with the run, in the child if isolated. */
typedef struct rate_timed {
  int timed;
  tpc_rate_timing tm;
} rate_timed;

typedef struct rate_method {
  tpc_spec *spec;
  char canon[512];
  int isolated;     /* names a plugin's type: built and run in a child */
  char fault[256];  /* not empty: why building it in its child failed */
  tpc_mech_consts mc;
  tpc_method_info mi;
} rate_method;

/* One row of the table: a method checked against one theorem (thm NULL:
** run without a check). */
typedef struct rate_unit {
  rate_method *m;
  const tpc_theorem *thm;
  tpc_rate_check c;
  char fault[256];  /* not empty: why its child failed (verdict error) */
  rate_timed time;
} rate_unit;

#define RATE_MAX_UNITS (RATE_MAX_METHODS * TPC_THEOREMS_MAX)

typedef struct rate_job {
  rate_args *args;
  const tpc_registry *reg;
  tpc_spec *prob_spec;
  char prob_text[512];
  tpc_problem *p;
  tpc_spec *server;
  char server_text[256];
  size_t nm, nu;
  rate_method m[RATE_MAX_METHODS];
  rate_unit u[RATE_MAX_UNITS];
  const char *names[RATE_MAX_UNITS];    /* u[k].m->canon */
  const char *theorems[RATE_MAX_UNITS]; /* u[k].thm's id or NULL */
  /* tpc-mpi: Algorithm 1's clients over the ranks (dist/alg1_net.h) */
  tpc_dist_alg1 *dist;
} rate_job;

static void job_free(rate_job *j) {
  for (size_t k = 0; k < j->nm; k++) tpc_spec_free(j->m[k].spec);
  for (size_t k = 0; k < j->nu; k++) tpc_rate_check_free(&j->u[k].c);
  tpc_spec_free(j->server);
  tpc_problem_free(j->p);
  tpc_spec_free(j->prob_spec);
  tpc_dist_alg1_free(j->dist);
}

static int load_problem(rate_job *j, const char *text) {
  int rc = tpc_spec_parse(text, &j->prob_spec);
  if (!rc) j->p = tpc_problem_alloc(j->prob_spec, &rc);
  if (rc) {
    fprintf(stderr, "tpc: problem '%s': %s\n", text, tpc_error_msg());
    tpc_cli_caret(text);
    return tpc_cli_exit_code(rc);
  }
  tpc_spec_print(j->prob_spec, j->prob_text, sizeof j->prob_text);
  return TPC_EXIT_OK;
}

/* What the theorems read of a method: its declared constants and which
** method it is. */
typedef struct method_view {
  tpc_mech_consts mc;
  tpc_method_info mi;
} method_view;

/* The method built (its init) is asked for its constants (its runner's) and
** its description. */
static int method_consts(const rate_job *j, const tpc_spec *spec, method_view *v) {
  int rc;
  tpc_method *m = tpc_method_alloc_server(j->p, j->reg, spec, j->server, &rc);
  if (!m) return rc;
  tpc_method_consts(m, &v->mc);
  tpc_method_info_get(m, &v->mi);
  tpc_method_free(m);
  return TPC_OK;
}

typedef struct consts_call {
  const rate_job *j;
  const tpc_spec *spec;
} consts_call;

static int consts_child(void *arg, void *out) {
  const consts_call *call = arg;
  method_view *v = out;
  int rc = method_consts(call->j, call->spec, v);
  v->mc.src = NULL; /* may point into the child's heap; nothing here reads it */
  return rc;
}

/* method_consts in a child: a crash or hang there becomes the method's
** fault (TPC_OK, m->fault set), reported when its turn comes. */
static int consts_isolated(rate_job *j, rate_method *m, method_view *v) {
  consts_call call = {j, m->spec};
  tpc_sandbox_opts so = sandbox_opts(j->args);
  tpc_sandbox_result sr;
  int status, rc = tpc_sandbox_call(consts_child, &call, v, sizeof *v, &so, &sr, &status);
  if (rc != TPC_OK) return rc;
  if (status != TPC_ECHILD) return status;
  snprintf(m->fault, sizeof m->fault, "building the method (init, consts) %s", tpc_error_msg());
  return TPC_OK;
}

/* Add the unit (m, thm) and prepare its check: every reason to refuse it
** shows up here, before the run starts. */
static int add_unit(rate_job *j, rate_method *m, const tpc_theorem *thm, const char *text) {
  rate_unit *u = &j->u[j->nu];
  rate_args *a = j->args;
  u->m = m;
  u->thm = thm;
  j->names[j->nu] = m->canon;
  j->theorems[j->nu++] = thm ? thm->id : NULL;
  if (m->fault[0]) return TPC_EXIT_OK;
  a->o.theorem = thm;
  int rc = tpc_rate_prepare(j->p, &m->mc, &m->mi, &a->o, &u->c);
  if (rc) {
    fprintf(stderr, "tpc: method '%s': %s\n", text, tpc_error_msg());
    return tpc_cli_exit_code(rc);
  }
  return TPC_EXIT_OK;
}

/* The theorem asked for by --theorem does not apply: exit 2 naming the
** assumption that fails. */
static int refuse_theorem(const rate_job *j, const char *text, const tpc_theorem *t,
                          const char *assumption, const char *why) {
  fprintf(stderr,
          "tpc: method '%s': %s [%s] does not apply on %s: '%s' fails: the %s check needs %s\n",
          text, t->id, t->theory, j->prob_text, assumption, t->check_name, why);
  return TPC_EXIT_USAGE;
}

/* No theorem of the catalogue applies and there is no --gamma: say why for
** each theorem that covers the method (or for all when none does). */
static int refuse_method(const tpc_theorem_env *env, const char *text) {
  int covered = 0, first = 1;
  for (size_t i = 0; tpc_theorems[i]; i++)
    covered |= !tpc_theorems[i]->method_why_not(env);
  fprintf(stderr, "tpc: method '%s': no theorem applies:", text);
  for (size_t i = 0; tpc_theorems[i]; i++) {
    if (covered && tpc_theorems[i]->method_why_not(env)) continue;
    fprintf(stderr, "%s the %s check (%s) needs %s", first ? "" : ";",
            tpc_theorems[i]->check_name, tpc_theorems[i]->id,
            tpc_theorem_why_not(tpc_theorems[i], env, NULL));
    first = 0;
  }
  fprintf(stderr, "; give an explicit step with --gamma to run without a check\n");
  return TPC_EXIT_USAGE;
}

/* The first theorem that covers the method (whatever the problem), or the
** catalogue's first: the one whose failing assumption explains a run
** without a check. */
static const tpc_theorem *covering(const tpc_theorem_env *env) {
  for (size_t i = 0; tpc_theorems[i]; i++)
    if (!tpc_theorems[i]->method_why_not(env)) return tpc_theorems[i];
  return tpc_theorems[0];
}

/* The units of one method: --no-check one unchecked run, --theorem that
** theorem (which must apply), by default every theorem that applies, or one
** unchecked run at --gamma when none does. */
static int method_units(rate_job *j, rate_method *m, const char *text) {
  const rate_args *a = j->args;
  tpc_theorem_env env;
  const char *assumption = NULL, *why;
  if (a->nocheck || m->fault[0]) return add_unit(j, m, a->nocheck ? NULL : a->theorem, text);
  tpc_theorem_env_fill(&env, j->p, &m->mc, &m->mi);
  if (a->theorem) {
    if ((why = tpc_theorem_why_not(a->theorem, &env, &assumption)))
      return refuse_theorem(j, text, a->theorem, assumption, why);
    return add_unit(j, m, a->theorem, text);
  }
  size_t before = j->nu;
  int ec = TPC_EXIT_OK;
  for (size_t i = 0; tpc_theorems[i] && !ec; i++)
    if (!tpc_theorem_why_not(tpc_theorems[i], &env, NULL))
      ec = add_unit(j, m, tpc_theorems[i], text);
  if (ec || j->nu > before) return ec;
  if (!(a->o.gamma > 0)) return refuse_method(&env, text);
  ec = add_unit(j, m, NULL, text);
  const tpc_theorem *t = covering(&env);
  if (!ec)
    snprintf(j->u[before].c.note, sizeof j->u[before].c.note,
             "no check: no theorem applies (%s needs %s)", t->id,
             tpc_theorem_why_not(t, &env, NULL));
  return ec;
}

/* Parse and build one method, then its units. */
static int load_method(rate_job *j, const char *text) {
  int ec = TPC_EXIT_OK, rc;
  rate_method *m = &j->m[j->nm];
  if (!(m->spec = tpc_cli_method_spec(j->reg, text, &ec))) return ec;
  j->nm++;
  if (tpc_method_canonical(j->reg, m->spec, m->canon, sizeof m->canon))
    tpc_spec_print(m->spec, m->canon, sizeof m->canon);
  m->isolated = tpc_method_uses_plugin(j->reg, m->spec) ||
                (j->server && tpc_registry_uses_plugin(j->reg, j->server));
  method_view v = {0};
  rc = m->isolated ? consts_isolated(j, m, &v) : method_consts(j, m->spec, &v);
  if (rc) {
    fprintf(stderr, "tpc: method '%s': %s\n", text, tpc_error_msg());
    return tpc_cli_exit_code(rc);
  }
  m->mc = v.mc;
  m->mi = v.mi;
  return method_units(j, m, text);
}

/* --theorem ID: the catalogue's entry, or exit 2 listing the ids. */
static int find_theorem(rate_args *a) {
  if (!a->theorem_id) return TPC_EXIT_OK;
  if ((a->theorem = tpc_theorem_find(a->theorem_id))) return TPC_EXIT_OK;
  fprintf(stderr, "tpc rate: --theorem '%s' is not in the catalogue; its theorems are",
          a->theorem_id);
  for (size_t i = 0; tpc_theorems[i]; i++) fprintf(stderr, " %s", tpc_theorems[i]->id);
  fprintf(stderr, " (tpc list)\n");
  return TPC_EXIT_USAGE;
}

static int load_job(rate_job *j, int npos, char **pos) {
  int ec;
  if (npos < 2) {
    fprintf(stderr, "tpc rate: expected PROBLEM METHOD...; see `tpc rate --help`\n");
    return TPC_EXIT_USAGE;
  }
  if (npos - 1 > RATE_MAX_METHODS) {
    fprintf(stderr, "tpc rate: at most %d methods\n", RATE_MAX_METHODS);
    return TPC_EXIT_USAGE;
  }
  if ((ec = find_theorem(j->args))) return ec;
  if (j->args->server) {
    if (!(j->server = tpc_cli_spec(j->reg, j->args->server, &ec))) return ec;
    if (tpc_spec_canonical(j->reg, j->server, j->server_text, sizeof j->server_text))
      tpc_spec_print(j->server, j->server_text, sizeof j->server_text);
  }
  if ((ec = load_problem(j, pos[0]))) return ec;
  for (int k = 1; k < npos; k++)
    if ((ec = load_method(j, pos[k]))) return ec;
  return TPC_EXIT_OK;
}

static const char *kind_text(tpc_const_kind k) {
  return k == TPC_CONST_EXACT      ? "exact"
         : k == TPC_CONST_BOUND    ? "bound"
         : k == TPC_CONST_COMPUTED ? "computed"
                                   : "unknown";
}

static void print_const(const char *name, tpc_const c) {
  if (c.kind == TPC_CONST_UNKNOWN)
    printf(" %s = ? ", name);
  else
    printf(" %s = %.6g (%s)", name, c.value, kind_text(c.kind));
}

/* The convex settings' constants (THEORY.md T6, convex problems with exact
** optima) and the optimum, computed here when the problem has one. */
static void print_convexity(const tpc_problem *p) {
  printf("\n  every f_i convex: %s,", p->c.convex ? "yes" : "not known");
  print_const("Lmax", p->c.Lmax);
  print_const("mu_sc", p->c.musc);
  print_const("mu_i", p->c.mui);
  const tpc_problem_optimum *o = tpc_problem_optimum(p);
  if (o)
    printf("\n  x*: %s, |grad f(x*)| = %.3g, f* = %.17g", kind_text(o->kind), o->accuracy,
           o->fstar);
  else
    printf("\n  x*: none known (%s)", tpc_error_msg());
  tpc_error_clear();
}

/* "theorems": what --theorem, --no-check or the default asked for. */
static const char *selection(const rate_args *a) {
  return a->nocheck ? "none" : a->theorem ? a->theorem->id : "all";
}

static void print_header(const rate_job *j) {
  const rate_args *a = j->args;
  const tpc_rate_opts *o = &a->o;
  if (a->nocheck)
    printf("tpc rate: no check on %s\n ", j->prob_text);
  else if (a->theorem)
    printf("tpc rate: %s, %s (THEORY.md %s) on %s\n ", a->theorem->id, a->theorem->title,
           a->theorem->theory, j->prob_text);
  else
    printf("tpc rate: every theorem that applies (tpc list) on %s\n ", j->prob_text);
  printf(" d = %zu, n = %zu,", j->p->d, j->p->n);
  print_const("L-", j->p->c.Lminus);
  print_const("L+", j->p->c.Lplus);
  print_const("L+-", j->p->c.Lpm);
  printf("\n ");
  print_const("mu", j->p->c.mu);
  print_const("f^inf", j->p->c.finf);
  print_convexity(j->p);
  printf("\n  T = %llu, x0 = %s, init = %s, seed = %llu%s%s\n\n", (unsigned long long)o->T,
         tpc_rate_x0_name(o->x0), tpc_rate_init_name(o->init),
         (unsigned long long)o->seed, j->server ? ", server " : "",
         j->server ? j->server_text : "");
  printf("%-40s %10s %10s %10s %11s %11s %11s %10s  %-12s %5s  %s\n", "method", "A", "B/A",
         "gamma", "bound", "measured", "upper", "ratio", "verdict", "slack", "theorem");
}

static void print_row(const rate_unit *u) {
  const tpc_rate_check *c = &u->c;
  char slack[16] = "-";
  if (c->slack >= 0) snprintf(slack, sizeof slack, "%d", c->slack);
  printf("%-40s %10.4g %10.4g %10.4g %11.5g %11.5g %11.5g %10.4g  %-12s %5s  %s\n",
         u->m->canon, c->mc.has_AB ? c->mc.A : NAN, c->mc.has_AB ? c->mc.B / c->mc.A : NAN,
         c->gamma, c->bound, c->measured, c->ucb, c->ratio, tpc_rate_verdict_name(c->verdict),
         slack, u->thm ? u->thm->id : "-");
  if (c->verdict != TPC_RATE_PASS && c->note[0]) printf("    %s\n", c->note);
}

/* A unit whose child failed: no numbers, the reason below. */
static void print_error_row(const rate_unit *u, const char *fault) {
  printf("%-40s %10s %10s %10s %11s %11s %11s %10s  %-12s %5s  %s\n    %s\n", u->m->canon, "-",
         "-", "-", "-", "-", "-", "-", "error", "-", u->thm ? u->thm->id : "-", fault);
}

static void print_time(const rate_unit *u) {
  const tpc_rate_timing *tm = &u->time.tm;
  printf("    time (%d thread%s): %.0f ns/iteration; one pass over the data %.0f ns (%zu "
         "bytes): %.2fx;\n"
         "          all n gradients %.0f ns: %.2fx; n d states %.0f ns: %.2fx; "
         "peak RSS %.1f MiB\n",
         tm->threads, tm->threads == 1 ? "" : "s", tm->iter_ns, tm->data_pass_ns,
         tm->data_bytes, tm->iter_ns / tm->data_pass_ns,
         tm->grad_pass_ns, tm->iter_ns / tm->grad_pass_ns, tm->state_pass_ns,
         tm->iter_ns / tm->state_pass_ns, (double)tm->peak_rss_kib / 1024.0);
}

/* The fault of a unit: its method's (building it) or its own (running it). */
static const char *unit_fault(const rate_unit *u) {
  return u->m->fault[0] ? u->m->fault : u->fault;
}

/* Bonferroni: the randomized checks share the level RATE_DELTA. */
static void set_delta(rate_job *j) {
  size_t random = 0;
  for (size_t k = 0; k < j->nu; k++)
    random += !unit_fault(&j->u[k])[0] && !j->u[k].c.mc.deterministic;
  j->args->o.delta = RATE_DELTA / (double)(random ? random : 1);
}

typedef struct unit_call {
  rate_job *j;
  const rate_unit *u;
  tpc_cli_progress *pr;
} unit_call;

/* Build Algorithm 1 with the method, run the unit's check into c, and time
** it with --time: everything that runs the method's code, in the child for
** an isolated method. */
static int compute_unit(void *arg, tpc_rate_check *c, void *extra) {
  const unit_call *call = arg;
  const rate_job *j = call->j;
  rate_args *a = j->args;
  rate_timed *t = extra;
  int rc;
  tpc_method *meth = tpc_method_alloc_server(j->p, j->reg, call->u->m->spec, j->server, &rc);
  if (!meth) return rc;
  a->o.progress = tpc_cli_progress_cb;
  a->o.progress_ctx = call->pr;
  rc = tpc_rate_run(meth, &a->o, c);
  /* gradients timed where the last repetition stopped (--time implies
  ** --no-slack, so that is a repetition's point) */
  if (!rc && a->time && c->reps)
    t->timed = !tpc_rate_time(j->p, tpc_method_point_x(meth), &c->runs[0], a->o.threads, &t->tm);
  tpc_method_free(meth);
  return rc;
}

/* compute_unit in a child.  A failure there is the unit's (u->fault,
** TPC_OK), and *stopped says whether it was an interruption. */
static int compute_isolated(unit_call *call, rate_unit *u, int *stopped) {
  tpc_sandbox_opts so = sandbox_opts(call->j->args);
  tpc_sandbox_result sr;
  int status, rc = tpc_rate_check_isolated(compute_unit, call, &u->c, &u->time,
                                           sizeof u->time, &so, &sr, &status);
  call->pr->last_percent = 0; /* the child drew the bar: ending it clears the line */
  if (rc != TPC_OK || status == TPC_OK) return rc;
  snprintf(u->fault, sizeof u->fault, "evaluation %s%s", status == TPC_ECHILD ? "" : "failed: ",
           tpc_error_msg());
  *stopped = sr.stopped;
  return TPC_OK;
}

/* Run one unit and store its check, unless it failed in its child. */
static int run_unit(rate_job *j, rate_unit *u, tpc_cli_run *run, tpc_cli_progress *pr,
                    int *stopped) {
  unit_call call = {j, u, pr};
  /* a plugin's child talks to no rank: every rank runs it whole; one rank
  ** runs the plain path, without the wire's encoding and decoding */
  j->args->o.net = j->dist && !u->m->isolated && tpc_dist_size() > 1
                       ? tpc_dist_alg1_net(j->dist) : NULL;
  if (j->dist) tpc_dist_alg1_clear(j->dist);
  int rc = u->m->isolated ? compute_isolated(&call, u, stopped)
                          : compute_unit(&call, &u->c, &u->time);
  if (rc == TPC_OK && tpc_cli_interrupted()) { /* cancelled runs: not whole, not kept */
    *stopped = 1;
    return TPC_OK;
  }
  if (rc != TPC_OK || u->fault[0] || tpc_dist_rank() != 0) return rc;
  tpc_rate_row row = {run->id, NULL, NULL, j->prob_text, u->m->canon,
                      j->server ? j->server_text : NULL};
  tpc_rate_ids ids;
  rc = tpc_rate_store(run->store, &row, j->p, &j->args->o, &u->c, &ids);
  if (!rc && j->dist) rc = tpc_dist_alg1_store(j->dist, run->store, ids.check_id, j->p->n);
  return rc;
}

/* tpc-mpi: the unit's time per round on rank 0 and its communication
** against the links' model (dist/alg1_net.h). */
static void print_dist(const rate_job *j) {
  tpc_dist_alg1_summary s;
  tpc_dist_alg1_summary_get(j->dist, &s);
  if (!s.rounds) {
    printf("    %d ranks: each ran it whole (2Direction's runner, or a plugin's child)\n",
           tpc_dist_size());
    return;
  }
  printf("    %d ranks, rank 0 per round: gradients %.3g s, compress %.3g s, wait %.3g s, "
         "comm %.3g s, decode+server %.3g s, statistics %.3g s;\n"
         "          comm / (a + bytes/b) = %.3g / %.3g = %.3g\n",
         tpc_dist_size(), s.grad, s.compress, s.wait, s.comm, s.decode, s.stats, s.comm,
         s.model, s.ratio);
}

/* Report a unit that failed in its child. */
static void report_fault(const rate_job *j, const rate_unit *u) {
  if (!j->args->common->quiet) print_error_row(u, unit_fault(u));
  fprintf(stderr, "tpc rate: %s: error: %s\n", u->m->canon, unit_fault(u));
}

/* A resumed run's stored checks (bounds/theorems/rate.h): in kept the verdict of
** each unit it stored, -1 for the others, which are computed. */
static int stored_checks(rate_job *j, const tpc_cli_run *run, int *kept) {
  int rc = tpc_rate_stored(run->store, run->id, j->names, j->theorems, j->nu, kept);
  if (rc) return tpc_cli_fail(rc);
  size_t n = 0;
  for (size_t k = 0; k < j->nu; k++) n += kept[k] >= 0;
  if (!j->args->common->quiet)
    fprintf(stderr, "tpc rate: resuming run %lld: %zu of %zu checks kept, %zu to compute\n",
            (long long)run->id, n, j->nu, j->nu - n);
  return TPC_EXIT_OK;
}

/* tpc-mpi: rank 0, the only one with the database, read what a resumed run
** kept (exit code ec); the other ranks learn both and skip the same units. */
static int share_kept(const rate_job *j, int ec, int *kept) {
  if (tpc_dist_size() == 1) return ec;
  int32_t told = ec;
  int rc = tpc_dist_bcast(&told, sizeof told, 0);
  if (!rc && !told) rc = tpc_dist_bcast(kept, j->nu * sizeof *kept, 0);
  return rc ? tpc_cli_fail(rc) : told;
}

static int run_checks(rate_job *j, tpc_cli_run *run) {
  int violated = 0, inconclusive = 0, failed = 0, quiet = j->args->common->quiet;
  int kept[RATE_MAX_UNITS];
  for (size_t k = 0; k < j->nu; k++) kept[k] = -1;
  int ec = run->resumed && run->store ? stored_checks(j, run, kept) : TPC_EXIT_OK;
  if ((ec = share_kept(j, ec, kept))) return ec;
  set_delta(j);
  if (!quiet) print_header(j);
  for (size_t k = 0; k < j->nu && !tpc_cli_interrupted(); k++) {
    rate_unit *u = &j->u[k];
    if (run->resumed && kept[k] >= 0) {
      violated |= kept[k] == TPC_RATE_VIOLATED;
      inconclusive |= kept[k] == TPC_RATE_INCONCLUSIVE;
      if (!quiet)
        printf("%-40s kept: %s  %s\n", u->m->canon, tpc_rate_verdict_name(kept[k]),
               u->thm ? u->thm->id : "-");
      continue;
    }
    int rc = TPC_OK, stopped = 0;
    if (!u->m->fault[0]) {
      tpc_cli_progress pr;
      tpc_cli_progress_init(&pr, u->m->canon, j->args->common);
      rc = run_unit(j, u, run, &pr, &stopped);
      tpc_cli_progress_end(&pr);
    }
    if (rc) return tpc_cli_fail(rc);
    if (stopped) break; /* interrupted: nothing of this unit to store */
    if (unit_fault(u)[0]) {
      failed = 1;
      report_fault(j, u);
    } else {
      violated |= u->c.verdict == TPC_RATE_VIOLATED;
      inconclusive |= u->c.verdict == TPC_RATE_INCONCLUSIVE;
      if (!quiet) print_row(u);
      if (!quiet && u->time.timed) print_time(u);
      if (!quiet && j->dist && tpc_dist_size() > 1) print_dist(j);
    }
    fflush(stdout);
  }
  return failed ? TPC_EXIT_INTERNAL : violated ? TPC_EXIT_FAIL
       : inconclusive ? TPC_EXIT_INCONCLUSIVE : TPC_EXIT_OK;
}

/* Open the run (on rank 0, which tells the others: tpc_cli_run_start), and
** under tpc-mpi measure the links (dist/alg1_net.h) and store them with
** the run. */
static int open_run(tpc_cli_ctx *ctx, rate_job *j, const char *settings) {
  int rc, ec = tpc_cli_run_open(ctx, settings);
  if (ec || !tpc_dist_enabled()) return ec;
  if (!(j->dist = tpc_dist_alg1_alloc(&rc)) || (rc = tpc_dist_alg1_links(j->dist)))
    return tpc_cli_fail(rc);
  if (tpc_dist_rank() == 0 &&
      (rc = tpc_dist_alg1_store_links(j->dist, ctx->run.store, ctx->run.id)))
    return tpc_cli_fail(rc);
  return TPC_EXIT_OK;
}

static int checks_mode(tpc_cli_ctx *ctx, rate_args *a) {
  rate_job *j = calloc(1, sizeof *j);
  if (!j) return tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
  j->args = a;
  j->reg = ctx->reg;
  char *settings = NULL;
  int ec = load_job(j, ctx->nargs, ctx->args);
  if (!ec && !(settings = tpc_rate_settings(j->prob_text, j->server ? j->server_text : NULL,
                                            selection(a), &a->o, j->names, j->theorems, j->nu)))
    ec = tpc_cli_fail(tpc_error(TPC_ENOMEM, "out of memory"));
  if (!ec) ec = open_run(ctx, j, settings);
  if (!ec) ec = run_checks(j, &ctx->run);
  free(settings);
  job_free(j);
  free(j);
  return ec;
}

/* ---- experiments --------------------------------------------------------------- */

static void print_best(const tpc_rate_best *b) {
  if (!b->reached) {
    printf("%-12s %-48s %10s %12s %14s %8s\n", b->panel, b->method, "-", "-", "not reached", "-");
    return;
  }
  char m[32];
  if (isnan(b->best_mult))
    snprintf(m, sizeof m, "g=%g", b->best_gamma);
  else
    snprintf(m, sizeof m, "%g", b->best_mult);
  printf("%-12s %-48s %10s %12.5g %14.6g %8llu\n", b->panel, b->method, m, b->value,
         b->bits_pc / 1e6, (unsigned long long)b->iters);
}

/* The table of best runs; with the final f(x^T) as the metric (ef21p, whose
** methods talk both ways), the papers' values-only bits of each best run in
** both directions under it. */
static void print_bests(const tpc_rate_exp *e) {
  size_t n = tpc_rate_exp_nbest(e);
  tpc_rate_metric m = n ? tpc_rate_exp_best(e, 0)->metric : TPC_RATE_METRIC_FINAL_GNORM2;
  printf("%-12s %-48s %10s %12s %14s %8s\n", "panel", "method", "best mult",
         m == TPC_RATE_METRIC_BITS_TO_EPS ? "bits/client"
         : m == TPC_RATE_METRIC_FINAL_F   ? "final f(x)"
                                          : "final |g|^2",
         "Mbits/client", "iters");
  for (size_t k = 0; k < n; k++) print_best(tpc_rate_exp_best(e, k));
  if (m != TPC_RATE_METRIC_FINAL_F) return;
  printf("\nMbits per client of the best runs, papers' count (values only, no indices):\n");
  for (size_t k = 0; k < n; k++) {
    const tpc_rate_best *b = tpc_rate_exp_best(e, k);
    if (b->reached)
      printf("  %-48s up %10.5g  down %10.5g\n", b->method, b->paper_pc / 1e6,
             b->down_paper_pc / 1e6);
  }
}

static int preset_mode(tpc_cli_ctx *ctx, rate_args *a, const tpc_scaling_preset *p);

/* A sweep over an experiment's tasks (dist/sweep.h): rank 0 takes each
** task's best in task order. */
typedef struct exp_sweep {
  tpc_rate_exp *e;
  int64_t run_id;
  tpc_cli_progress *pr;
} exp_sweep;

static int task_compute(void *ctx, size_t k, tpc_store *store, void **result, size_t *len) {
  exp_sweep *x = ctx;
  int rc = tpc_rate_exp_task(x->e, k, store, x->run_id);
  return rc ? rc : tpc_sweep_result_copy(tpc_rate_exp_best(x->e, k), sizeof(tpc_rate_best),
                                         result, len);
}

static int task_done(void *ctx, size_t k, tpc_store *store, const tpc_store_merged *merged,
                     const void *result, size_t len) {
  exp_sweep *x = ctx;
  tpc_rate_best b;
  (void)store;
  if (len != sizeof b) return tpc_error(TPC_EINTERNAL, "rate: a task's best of %zu bytes", len);
  memcpy(&b, result, sizeof b);
  tpc_rate_exp_best_take(x->e, k, &b, tpc_store_merged_shift(merged, "rate_trajectories"));
  tpc_cli_progress_cb(x->pr, k + 1, tpc_rate_exp_nbest(x->e));
  return TPC_OK;
}

static int experiment_mode(tpc_cli_ctx *ctx, rate_args *a) {
  int ec, rc;
  tpc_cli_progress pr;
  if (ctx->nargs) {
    fprintf(stderr, "tpc rate: --experiment takes no PROBLEM or METHOD\n");
    return TPC_EXIT_USAGE;
  }
  if (a->common->resume) {
    fprintf(stderr, "tpc rate: --resume continues checks, not an --experiment\n");
    return TPC_EXIT_USAGE;
  }
  const tpc_scaling_preset *preset = tpc_scaling_preset_find(a->experiment);
  if (preset) return preset_mode(ctx, a, preset);
  tpc_rate_exp_opts eo = {.T = a->T_given ? a->o.T : 0, .seed = a->common->seed,
                          .threads = a->common->threads, .wire_check = a->o.wire_check,
                          .samples = a->samples, .cancel = tpc_cli_sweep_cancel};
  tpc_cli_progress_init(&pr, a->experiment, a->common);
  tpc_rate_exp *e = tpc_rate_exp_alloc(a->experiment, ctx->reg, &eo, &rc);
  if (!e) return tpc_cli_fail(rc);
  ec = tpc_cli_run_open(ctx, NULL);
  if (!ec) {
    if (!a->common->quiet) printf("%s\n\n", tpc_rate_exp_about(e));
    exp_sweep x = {e, ctx->run.id, &pr};
    tpc_sweep sw = {.nunits = tpc_rate_exp_nbest(e), .run_id = ctx->run.id,
                    .store = ctx->run.store, .compute = task_compute, .done = task_done,
                    .stop = tpc_cli_interrupted, .ctx = &x};
    rc = tpc_sweep_run(&sw);
    tpc_cli_progress_end(&pr);
    if (rc) tpc_cli_fail(rc);
    if (!rc && !a->common->quiet) print_bests(e);
    ec = rc ? TPC_EXIT_INTERNAL : TPC_EXIT_OK;
  }
  tpc_rate_exp_free(e);
  return ec;
}

/* ---- scaling laws ----------------------------------------------------------- */

/* The command line's scaling options over the defaults in *so; exit 2
** naming what is wrong. */
static int scaling_overrides(const rate_args *a, tpc_scaling_opts *so) {
  if (a->grid && tpc_scaling_grid_parse(a->grid, so)) {
    fprintf(stderr, "tpc rate: %s\n", tpc_error_msg());
    return TPC_EXIT_USAGE;
  }
  if (a->theorem_id || a->nocheck || a->server || a->o.gamma > 0 || a->o.mult != 1) {
    fprintf(stderr, "tpc rate: --scaling chooses its own steps and runs no check: it takes no "
            "--theorem, --pl, --no-check, --server, --gamma or --mult\n");
    return TPC_EXIT_USAGE;
  }
  if (a->grid_k > 60) {
    fprintf(stderr, "tpc rate: --step-grid %zu: at most 60 halvings\n", a->grid_k);
    return TPC_EXIT_USAGE;
  }
  if (a->eps_rel > 0) so->eps_rel = a->eps_rel;
  if (a->T_given) so->T = a->o.T;
  so->step_grid |= a->step_grid;
  so->grid_k = (int)a->grid_k;
  so->seed = a->common->seed;
  so->threads = a->common->threads;
  so->wire_check = a->o.wire_check;
  so->cancel = tpc_cli_sweep_cancel;
  return TPC_EXIT_OK;
}

/* The scaling options of --scaling kappa|omega and the command line. */
static int scaling_opts(const rate_args *a, tpc_scaling_opts *so) {
  static const char *const vars[] = {"kappa", "omega", NULL};
  int var = 0, rc = tpc_cli_read_choice("--scaling", a->scaling, vars, &var);
  if (rc) return rc;
  tpc_scaling_opts_init(so, (tpc_scaling_var)var);
  return scaling_overrides(a, so);
}

static void print_scaling_points(const tpc_scaling *s, size_t m) {
  printf("%s\n  %10s %10s %8s %-12s %10s %9s %10s %14s %14s %14s %14s\n",
         tpc_scaling_method(s, m), "value", "kappa", "omega", "step", "gamma", "mult",
         "iters", "Mbits up", "Mbits down", "Mbits total", "total (paper)");
  for (size_t k = 0; k < tpc_scaling_npoints(s); k++) {
    const tpc_scaling_point *pt = tpc_scaling_get_point(s, m, k);
    if (!pt->ran) {
      printf("  %10.4g   not run (interrupted)\n", pt->value);
      continue;
    }
    const char *step = pt->grid ? "grid x 1/L-" : pt->theorem;
    printf("  %10.4g %10.4g %8.4g %-12s %10.4g %9.4g %10llu", pt->value, pt->kappa, pt->omega,
           step, pt->gamma, pt->mult,
           (unsigned long long)pt->iters);
    if (pt->reached)
      printf(" %14.6g %14.6g %14.6g %14.6g\n", pt->up / 1e6, pt->down / 1e6,
             (pt->up + pt->down) / 1e6, (pt->up_paper + pt->down_paper) / 1e6);
    else
      printf(" %14s   (eps not reached in T; left out of the fit)\n", "-");
  }
}

static void print_scaling_fits(const tpc_scaling *s) {
  printf("\nslope of log(bits per client to eps) against log(%s), 95%% Student-t interval:\n",
         tpc_scaling_var_name(tpc_scaling_variable(s)));
  printf("%-44s %-11s %3s %9s %21s %10s %-24s %9s  %s\n", "method", "bits", "n", "slope",
         "interval", "predicted", "rule", "formula", "verdict");
  for (size_t m = 0; m < tpc_scaling_nmethods(s); m++)
    for (int b = 0; b < TPC_SCALING_BITS_KINDS; b++) {
      const tpc_scaling_fit *f = tpc_scaling_get_fit(s, m, (tpc_scaling_bits)b);
      char iv[48];
      snprintf(iv, sizeof iv, "[%.4f, %.4f]", f->lo, f->hi);
      printf("%-44s %-11s %3zu %9.4f %21s %10.4f %-24s %9.4f  %s\n",
             b ? "" : tpc_scaling_method(s, m), tpc_scaling_bits_name((tpc_scaling_bits)b),
             f->npoints, f->slope, iv, f->prediction, f->prediction_rule, f->formula_slope,
             tpc_scaling_verdict_name(f->verdict));
    }
}

/* A sweep over a scaling law's points (dist/sweep.h): rank 0 sets each
** point in order, then fits. */
typedef struct scaling_sweep {
  tpc_scaling *s;
  int64_t run_id;
  tpc_cli_progress *pr;
} scaling_sweep;

static int point_compute(void *ctx, size_t u, tpc_store *store, void **result, size_t *len) {
  scaling_sweep *x = ctx;
  int rc = tpc_scaling_unit_run(x->s, u, store, x->run_id);
  return rc ? rc : tpc_scaling_unit_result(x->s, u, result, len);
}

static int point_done(void *ctx, size_t u, tpc_store *store, const tpc_store_merged *merged,
                      const void *result, size_t len) {
  scaling_sweep *x = ctx;
  (void)store;
  int rc = tpc_scaling_unit_take(x->s, u, result, len,
                                 tpc_store_merged_shift(merged, "rate_checks"));
  tpc_cli_progress_cb(x->pr, u + 1, tpc_scaling_nunits(x->s));
  return rc;
}

/* Run the scaling law of FAMILY and the methods under options so (`what`
** names it in messages; about, not NULL, is printed first): its points
** spread over the ranks, the fits on rank 0. */
static int scaling_run(tpc_cli_ctx *ctx, const rate_args *a, const char *what,
                       const char *about, const char *family, const char *const *methods,
                       size_t nmethods, tpc_scaling_opts *so) {
  tpc_cli_progress pr;
  int rc, ec;
  tpc_cli_progress_init(&pr, "scaling", a->common);
  tpc_scaling *s = tpc_scaling_alloc(ctx->reg, family, methods, nmethods, so, &rc);
  if (!s) {
    fprintf(stderr, "tpc rate: %s: %s\n", what, tpc_error_msg());
    return tpc_cli_exit_code(rc);
  }
  ec = tpc_cli_run_open(ctx, NULL);
  if (!ec) {
    if (about && !a->common->quiet) printf("%s\n\n", about);
    scaling_sweep x = {s, ctx->run.id, &pr};
    tpc_sweep sw = {.nunits = tpc_scaling_nunits(s), .run_id = ctx->run.id,
                    .store = ctx->run.store, .compute = point_compute, .done = point_done,
                    .stop = tpc_cli_interrupted, .ctx = &x};
    rc = tpc_sweep_run(&sw);
    if (!rc && tpc_dist_rank() == 0) rc = tpc_scaling_finish(s, ctx->run.store, ctx->run.id);
    tpc_cli_progress_end(&pr);
    if (rc) tpc_cli_fail(rc);
    if (!rc && !a->common->quiet) {
      for (size_t m = 0; m < tpc_scaling_nmethods(s); m++) print_scaling_points(s, m);
      if (!tpc_cli_interrupted()) print_scaling_fits(s);
    }
    ec = rc ? TPC_EXIT_INTERNAL : TPC_EXIT_OK;
  }
  tpc_scaling_free(s);
  return ec;
}

static int scaling_mode(tpc_cli_ctx *ctx, rate_args *a) {
  tpc_scaling_opts so;
  char what[64];
  int ec = scaling_opts(a, &so);
  if (ec) return ec;
  if (a->common->resume) {
    fprintf(stderr, "tpc rate: --resume continues checks, not --scaling\n");
    return TPC_EXIT_USAGE;
  }
  if (ctx->nargs < 2) {
    fprintf(stderr, "tpc rate: --scaling expects FAMILY METHOD...; see `tpc rate --help`\n");
    return TPC_EXIT_USAGE;
  }
  snprintf(what, sizeof what, "--scaling %s", a->scaling);
  return scaling_run(ctx, a, what, NULL, ctx->args[0], (const char *const *)ctx->args + 1,
                     (size_t)ctx->nargs - 1, &so);
}

/* --experiment NAME of a scaling preset (bounds/theorems/scaling.h). */
static int preset_mode(tpc_cli_ctx *ctx, rate_args *a, const tpc_scaling_preset *p) {
  tpc_scaling_opts so;
  char what[64];
  tpc_scaling_preset_opts(p, &so);
  int ec = scaling_overrides(a, &so);
  if (ec) return ec;
  snprintf(what, sizeof what, "--experiment %s", p->name);
  return scaling_run(ctx, a, what, p->about, p->family, p->methods, p->nmethods, &so);
}

int cmd_rate(tpc_cli_ctx *ctx) {
  rate_args a;
  memset(&a, 0, sizeof a);
  int ec = parse_args(ctx, &a);
  if (ec) return ec;
  a.o.cancel = cli_cancel;
  if (a.experiment && a.scaling) {
    fprintf(stderr, "tpc rate: --experiment and --scaling exclude each other\n");
    return TPC_EXIT_USAGE;
  }
  return a.experiment ? experiment_mode(ctx, &a)
         : a.scaling  ? scaling_mode(ctx, &a)
                      : checks_mode(ctx, &a);
}
