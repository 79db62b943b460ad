/*
** tpc describe SPEC [--d D] [--n N]: the declared constants of one compressor
** or mechanism at dimension d and n clients, each with the THEORY.md item it
** comes from, and the Theorem 1 step size they imply.  With --problem P
** (which fixes d and n), the theorems of the catalogue
** (bounds/theorems/catalogue.h) that apply to the method on P, each with the
** step it allows, and "not applicable" with the failing assumption for the
** others.
**
** For a compressor the 3PC pair of EF21 with it is shown too, since that is
** how a contractive compressor enters Theorem 1.  --plugin FILE.so makes a
** plugin's names known (their constants are computed in-process: the
** type's init and consts callbacks run, its kernels do not).
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bounds/theorems/catalogue.h"
#include "cli/cli.h"
#include "core/error.h"
#include "methods/method.h"

static const char *num(double v, char *buf) {
  tpc_format_double(v, buf, 32);
  return buf;
}

/* Source strings come from the type, a plugin's included: NULL is allowed. */
static const char *src(const char *s) { return s ? s : "source not stated"; }

static const char *class_name(tpc_class c) {
  static const char *const names[] = {"no class (not contractive, not unbiased)",
                                      "contractive", "unbiased",
                                      "contractive and unbiased"};
  return names[c & 3];
}

/* The 3PC pair with its ratio and the Theorem 1 factor 1/(1 + sqrt(B/A)):
** the largest step size relative to 1/L- when L- = L+ (T5). */
static void print_pair(double A, double B, const char *src) {
  char a[32], b[32], r[32], f[32];
  printf("  %-13s %-24s [%s]\n", "A", num(A, a), src);
  printf("  %-13s %-24s [%s]\n", "B", num(B, b), src);
  printf("  %-13s %s\n", "B/A", num(B / A, r));
  printf("  %-13s %-24s [T5 Theorem 1: gamma <= 1/(L- + L+ sqrt(B/A)), times L when L- = L+ = L]\n",
         "step factor", num(1.0 / (1.0 + sqrt(B / A)), f));
}

/* A plugin's claim about its message size, never a measurement. */
static void print_claimed_bits(double bits) {
  char b[32];
  if (bits > 0)
    printf("  %-13s %-24s [claimed by the plugin; tpc counts the bits of its own encoding]\n",
           "message bits", num(bits, b));
}

static void print_comp_line(const tpc_comp *c, const char *name, int indent) {
  tpc_comp_consts k;
  char a[32], w[32];
  tpc_comp_consts_get(c, &k);
  printf("%*s%s: %s", indent, "", name, class_name(k.cls));
  if (k.cls & TPC_CLASS_CONTRACTIVE) printf(", alpha = %s [%s]", num(k.alpha, a), src(k.alpha_src));
  if (k.cls & TPC_CLASS_UNBIASED) printf(", omega = %s [%s]", num(k.omega, w), src(k.omega_src));
  printf(", %s\n", k.deterministic ? "deterministic" : "randomized");
}

static int describe_comp(const tpc_comp *c, const tpc_spec *s) {
  tpc_comp_consts k;
  char buf[32];
  tpc_comp_consts_get(c, &k);
  printf("  %-13s compressor [%s]\n", "object", src(c->type->theory));
  printf("  %-13s %s, %s\n", "class", class_name(k.cls),
         k.deterministic ? "deterministic" : "randomized");
  printf("  %-13s %-24s [%s]\n", "alpha",
         (k.cls & TPC_CLASS_CONTRACTIVE) ? num(k.alpha, buf) : "-",
         (k.cls & TPC_CLASS_CONTRACTIVE) ? src(k.alpha_src) : "not contractive");
  printf("  %-13s %-24s [%s]\n", "omega",
         (k.cls & TPC_CLASS_UNBIASED) ? num(k.omega, buf) : "-",
         (k.cls & TPC_CLASS_UNBIASED) ? src(k.omega_src) : "not unbiased");
  print_claimed_bits(k.bits_claimed);
  if (k.cls & TPC_CLASS_CONTRACTIVE) {
    double A, B;
    tpc_ef21_constants_alpha(k.alpha, &A, &B);
    printf("  as the compressor of ef21 (EF21's pair):\n");
    print_pair(A, B, "T3 EF21");
  }
  if (c->type->nsub) printf("  parts:\n");
  for (size_t i = 0; i < c->type->nsub; i++) {
    char text[512];
    tpc_spec_print(s->args[i], text, sizeof text);
    print_comp_line(c->sub[i], text, 4);
  }
  return TPC_EXIT_OK;
}

static void describe_parts(const tpc_mech *m, const tpc_spec *s, int indent) {
  size_t ci = 0;
  for (size_t i = 0; i < s->nargs; i++) {
    char text[512];
    tpc_spec_print(s->args[i], text, sizeof text);
    if (m->inner && i == 0 && strchr(m->type->args, 'M')) {
      tpc_mech_consts k;
      char a[32], b[32];
      tpc_mech_consts_get(m->inner, &k);
      printf("%*s%s: mechanism, A = %s, B = %s [%s]\n", indent, "", text, num(k.A, a),
             num(k.B, b), src(k.src));
      describe_parts(m->inner, s->args[i], indent + 2);
    } else if (ci < m->ncomp) {
      print_comp_line(m->comp[ci++], text, indent);
    }
  }
}

static int describe_mech(const tpc_mech *m, const tpc_spec *s) {
  tpc_mech_consts k;
  char c[32];
  tpc_mech_consts_get(m, &k);
  static const char *const ineq[] = {
      "3PC inequality per client: E|C(x)-x|^2 <= (1-A)|h-y|^2 + B|x-y|^2",
      "3PC inequality for the average over the n clients (shared coin)",
      "shift inequality: E|C_h(x)-x|^2 <= c |x-h|^2"};
  printf("  %-13s mechanism [%s]\n", "object", src(k.src));
  printf("  %-13s %s\n", "inequality", ineq[k.ineq]);
  if (k.ineq == TPC_INEQ_SHIFT) {
    printf("  %-13s %-24s [%s]\n", "c", num(k.shift_c, c), src(k.src));
    if (k.unbiased) printf("  %-13s E C_h(x) = x [%s]\n", "unbiased", src(k.src));
  }
  if (k.has_AB)
    print_pair(k.A, k.B, k.ineq == TPC_INEQ_SHIFT ? "T3 EF21 family with 1-alpha = c" : src(k.src));
  else
    printf("  %-13s none (c >= 1: no 3PC pair follows)\n", "A, B");
  printf("  %-13s %s\n", "randomness", k.deterministic ? "deterministic" : "randomized");
  print_claimed_bits(k.bits_claimed);
  printf("  parts:\n");
  describe_parts(m, s, 4);
  return TPC_EXIT_OK;
}

/* Mechanism argument k of a bidir(M_w, M_s): the clients' (k = 0) at n
** clients, the server's at one node (methods/alg1.h), with its pair. */
static int describe_method_mech(const tpc_registry *reg, const tpc_spec *arg, size_t d,
                                size_t n, size_t k) {
  int rc;
  char text[1024], a[32], b[32];
  tpc_mech_consts mc;
  tpc_mech *m = tpc_mech_alloc(reg, arg, d, k ? 1 : n, &rc);
  if (!m) return rc;
  tpc_mech_consts_get(m, &mc);
  tpc_mech_free(m);
  tpc_spec_print(arg, text, sizeof text);
  printf("  %-13s %s at n = %zu (%s)\n", k ? "M_s" : "M_w", text, k ? (size_t)1 : n,
         k ? "the server, one node" : "each client");
  if (mc.has_AB)
    printf("    %s = %s, %s = %s [%s], %s\n", k ? "A_s" : "A_w", num(mc.A, a), k ? "B_s" : "B_w",
           num(mc.B, b), src(mc.src), mc.deterministic ? "deterministic" : "randomized");
  else
    printf("    no 3PC pair (c >= 1) [%s]\n", src(mc.src));
  return TPC_OK;
}

/* 2Direction's parameters in use (T11.2): p, tau, beta, Lbar's rule, Gamma_0. */
static void describe_twodir(const tpc_method_plan *pl) {
  char v[32];
  double p = isnan(pl->td.p) ? tpc_twodir_default_p(pl->omega, pl->alpha) : pl->td.p;
  double tau = isnan(pl->td.tau) ? tpc_twodir_default_tau(pl->omega) : pl->td.tau;
  printf("  %-13s %s%s\n", "p", num(p, v), isnan(pl->td.p) ? " (T11.2's default)" : "");
  printf("  %-13s %s%s\n", "tau", num(tau, v), isnan(pl->td.tau) ? " (T11.2's default)" : "");
  printf("  %-13s %s (1/(omega+1))\n", "beta", num(1.0 / (pl->omega + 1.0), v));
  if (pl->td.lbar == TPC_TWODIR_LBAR_ABS)
    printf("  %-13s %s\n", "Lbar", num(pl->td.Lbar, v));
  else if (pl->td.lbar == TPC_TWODIR_LBAR_MULT)
    printf("  %-13s %s x L-\n", "Lbar", num(pl->td.Lbar, v));
  else
    printf("  %-13s 1/gamma (the run's step)\n", "Lbar");
  printf("  %-13s %s\n", "gamma0", num(pl->td.Gamma0, v));
}

/* A method of T8/T9: its item, its compressors at (d, n) and the parameters
** their constants give (the defaults of methods/method.h). */
static int describe_method(const tpc_registry *reg, const tpc_method_type *t, const tpc_spec *s,
                           size_t d, size_t n) {
  char canon[4096], v[32];
  tpc_method_plan pl;
  int rc = tpc_method_plan_get(reg, t, s, d, n, &pl);
  if (!rc) rc = tpc_method_canonical(reg, s, canon, sizeof canon);
  if (rc) return tpc_cli_fail(rc);
  printf("  %-13s %s\n  %-13s d = %zu, n = %zu\n", "spec", canon, "at", d, n);
  printf("  %-13s method [%s]\n  %-13s %s\n  %-13s %s\n", "object", t->theory, "rule",
         t->summary, "requires", t->requires);
  for (size_t k = 0; k < s->nargs; k++) {
    if (t->args[k] == 'M') {
      if ((rc = describe_method_mech(reg, s->args[k], d, n, k))) return tpc_cli_fail(rc);
      continue;
    }
    tpc_comp *c = tpc_comp_alloc(reg, s->args[k], d, n, &rc);
    if (!c) return tpc_cli_fail(rc);
    tpc_spec_print(s->args[k], canon, sizeof canon);
    print_comp_line(c, t->args[k] == 'Q' ? "Q" : "C_s", 2);
    printf("    %s\n", canon);
    tpc_comp_free(c);
  }
  if (pl.sh.rule == &tpc_method_rule_diana)
    printf("  %-13s %s\n", "beta", num(pl.sh.beta, v));
  if (pl.sh.rule == &tpc_method_rule_randdiana)
    printf("  %-13s %s\n", "p", num(pl.sh.p, v));
  if (pl.twodir) describe_twodir(&pl);
  return TPC_EXIT_OK;
}

/* Which theorems apply to the method (a mechanism run by Algorithm 1, or a
** method of T8-T11) on the problem: the step each allows, or why not. */
static int describe_theorems(const tpc_registry *reg, const tpc_spec *s, const tpc_problem *p,
                             const char *problem) {
  tpc_mech_consts k;
  tpc_method_info mi;
  tpc_theorem_env env;
  char g[32];
  int rc;
  tpc_method *m = tpc_method_alloc(p, reg, s, &rc);
  if (!m) return tpc_cli_fail(rc);
  tpc_method_consts(m, &k);
  tpc_method_info_get(m, &mi);
  tpc_method_free(m);
  tpc_theorem_env_fill(&env, p, &k, &mi);
  printf("  theorems on %s (tpc rate checks those that apply):\n", problem);
  for (size_t i = 0; tpc_theorems[i]; i++) {
    const tpc_theorem *t = tpc_theorems[i];
    const char *assumption, *why = tpc_theorem_why_not(t, &env, &assumption);
    if (t->method_why_not(&env)) continue;
    if (why)
      printf("    %-11s not applicable: needs %s ('%s' fails) [%s]\n", t->id, why, assumption,
             t->theory);
    else
      printf("    %-11s applies, step gamma = %-12s [%s: %s]\n", t->id, num(t->step(&env), g),
             t->theory, t->step_rule);
    if (!why && t->constant)
      printf("    %-11s %s = %s\n", "", t->constant_name, num(t->constant(&env), g));
  }
  printf("    for other methods:");
  for (size_t i = 0; tpc_theorems[i]; i++)
    if (tpc_theorems[i]->method_why_not(&env)) printf(" %s", tpc_theorems[i]->id);
  printf("\n");
  return TPC_EXIT_OK;
}

static const char usage[] =
    "usage: tpc describe SPEC [--d D] [--n N | --problem P] [--plugin FILE.so]...\n\n"
    "Declared constants of a compressor or mechanism spec at dimension D\n"
    "(or the compressors, mechanisms and parameters of a method of T8-T11)\n"
    "(default 100) with N clients (default 1), each with its THEORY.md item.\n"
    "  --d D            dimension (default 100)\n"
    "  --n N            clients (default 1)\n"
    "  --problem P      at the problem's d and n, and which theorems of tpc rate\n"
    "                   apply to the mechanism on P, with the step each allows\n"
    "Example: tpc describe 'clag(topk(k=10),zeta=2)' --d 100\n"
    "         tpc describe 'ef21(topk(k=10))' --problem 'quad(d=100,n=10)'\n";

enum { OPT_D = TPC_OPT_FIRST_FREE, OPT_N, OPT_PROBLEM };

typedef struct describe_args {
  size_t d, n;
  int dn_given;
  const char *problem;
} describe_args;

static int describe_opt(void *args, int code, const char *value) {
  describe_args *a = args;
  if (code == OPT_PROBLEM) {
    a->problem = value;
    return TPC_EXIT_OK;
  }
  a->dn_given = 1;
  return code == OPT_D ? tpc_cli_size("--d", value, &a->d) : tpc_cli_size("--n", value, &a->n);
}

/* --problem: parse and build it (its d and n replace the defaults). */
static int load_problem(const describe_args *a, tpc_spec **ps, tpc_problem **p) {
  int rc = tpc_spec_parse(a->problem, ps);
  if (!rc) *p = tpc_problem_alloc(*ps, &rc);
  if (!rc) return TPC_EXIT_OK;
  fprintf(stderr, "tpc: problem '%s': %s\n", a->problem, tpc_error_msg());
  tpc_cli_caret(a->problem);
  return tpc_cli_exit_code(rc);
}

int cmd_describe(tpc_cli_ctx *ctx) {
  static const struct option opts[] = {{"d", required_argument, 0, OPT_D},
                                       {"n", required_argument, 0, OPT_N},
                                       {"problem", required_argument, 0, OPT_PROBLEM},
                                       {0, 0, 0, 0}};
  describe_args a = {.d = 100, .n = 1};
  int code = tpc_cli_parse(ctx, opts, describe_opt, &a, usage), rc;
  if (code) return code;
  if (ctx->nargs != 1) {
    fprintf(stderr, "tpc describe: expected exactly one SPEC\n");
    return TPC_EXIT_USAGE;
  }
  if (a.problem && a.dn_given) {
    fprintf(stderr, "tpc describe: --problem fixes d and n; leave out --d and --n\n");
    return TPC_EXIT_USAGE;
  }
  const tpc_registry *reg = ctx->reg;
  tpc_spec *ps = NULL;
  tpc_problem *p = NULL;
  if (a.problem && (code = load_problem(&a, &ps, &p))) {
    tpc_spec_free(ps);
    return code;
  }
  size_t d = p ? p->d : a.d, n = p ? p->n : a.n;
  tpc_spec *s = tpc_cli_method_spec(reg, ctx->args[0], &code);
  const tpc_method_type *t = s ? tpc_method_type_find(s->name) : NULL;
  if (t) {
    code = describe_method(reg, t, s, d, n);
    if (p && !code) code = describe_theorems(reg, s, p, a.problem);
  } else if (s) {
    int is_comp = tpc_registry_kind(reg, s->name) == TPC_KIND_COMP;
    tpc_comp *cp = is_comp ? tpc_comp_alloc(reg, s, d, n, &rc) : NULL;
    tpc_mech *m = is_comp ? NULL : tpc_mech_alloc(reg, s, d, n, &rc);
    if (cp || m) {
      char canon[4096];
      if (tpc_spec_canonical(reg, s, canon, sizeof canon)) /* only out of memory */
        tpc_spec_print(s, canon, sizeof canon);
      printf("  %-13s %s\n  %-13s d = %zu, n = %zu\n", "spec", canon, "at", d, n);
      code = cp ? describe_comp(cp, s) : describe_mech(m, s);
      if (p && m && !code) code = describe_theorems(reg, s, p, a.problem);
      else if (p) printf("  theorems: none (a compressor is not a method; ef21(C) is)\n");
    } else {
      code = tpc_cli_fail(rc);
    }
    tpc_comp_free(cp);
    tpc_mech_free(m);
  }
  tpc_spec_free(s);
  tpc_problem_free(p);
  tpc_spec_free(ps);
  return code;
}
