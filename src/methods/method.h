/*
** Optimization methods by name: Algorithm 1 with any mechanism spec (T4),
** and the shifted-compression and EF21-P methods of THEORY.md T8 and T9,
** all on the runner of methods/alg1.h (its seeded streams, wire encoding, bit
** counts in both directions and wire check):
**
**   dcgd(Q)                                        T8.1 (a): h_i = 0
**   dcgd_shift(Q, shift=fixed|star|diana|randdiana, beta=REAL, p=REAL)
**                                                  T8.1 (b), (b*), (c), (d)
**   gdci(Q, shift=zero|star)                       T8.5: compressed iterates
**   ef21p(C_s)                                     T9.1: Algorithm 1 with gd
**                                                  and the EF21-P downlink
**   ef21p_diana(Q, C_s, beta=REAL)                 T9.2: EF21-P + DIANA
**   ef21p_dcgd(Q, C_s)                             T9.2: EF21-P + DCGD
**   bidir(M_w, M_s)                                T10.1: bidirectional 3PC,
**                                                  clients' M_w, server's M_s
**   twodirection(Q, C_s, p=REAL, tau=REAL, Lbar=REAL | Lbar_mult=REAL,
**                gamma0=REAL)                      T11.1: 2Direction, on its
**                                                  own runner (methods/twodir.h)
**
** Q must be unbiased (U(omega), from its declared constants) and C_s
** contractive (B(alpha)); M_w and M_s are mechanisms (mech/mech.h), M_s
** built for one node (n = 1) and not MARINA's aggregate form
** (methods/alg1.h: tpc_alg1_alloc_bidir).  beta and p lie in (0, 1]; beta defaults to
** 1/(omega+1), the largest value T8.3 and T9.3 allow (a larger one runs,
** outside the theorems), and p to 1/(omega+1) as well: with Q = urandk(k)
** that is k/d, so a client's expected dense reset costs as many values per
** round as its compressed message, and T8.4's rate max{1 - gamma mu,
** 1 - p/2} matches DIANA's at its default beta.  Starting shifts:
** shift=fixed holds h_i = grad f_i(x^0) for the whole run (T8.2 allows any
** given h_i; x^0's gradients are the natural data-dependent choice, and
** h_i = 0 is dcgd already); diana and randdiana start from the same
** h_i^0 = grad f_i(x^0), sent densely in the first round, as the EF21-P +
** DIANA authors' code does (T9.2); star uses grad f_i(x*) (T_i(x*) for
** gdci), which needs the problem's minimiser (problems/problem.h).
**
** The type table is open: a test may define its own tpc_method_type (a
** defective shift rule, a server that skips w updates) and build it with
** tpc_method_alloc_type; production code has no hooks for that beyond the
** rule and downlink functions of methods/alg1.h.
*/
#ifndef TPC_METHODS_METHOD_H
#define TPC_METHODS_METHOD_H

#include <stddef.h>

#include "methods/alg1.h"
#include "methods/twodir.h"

/* What a method type asks of the runner: shifted clients (sh.rule set) or
** Algorithm 1 with mechanism gd (sh.rule NULL), and the server compressor
** (NULL: uncompressed broadcast). */
typedef struct tpc_method_plan {
  tpc_alg1_shifted sh;
  const tpc_spec *server;
  /* The shift the method declares ("zero", "fixed", "star", "diana",
  ** "randdiana"; NULL without shifted clients): what the theorems read, so a
  ** test's variant with a defective rule is checked as what it claims. */
  const char *shift;
  double omega, alpha;     /* Q's and C_s's constants (NaN: no such argument) */
  /* Bidirectional 3PC: the clients' and the server's mechanisms (NULL
  ** otherwise) and the server's declared pair (NaN without one). */
  const tpc_spec *client_mech, *server_mech;
  double As, Bs;
  /* Applied to the instance after it is built (NULL: EF21-P's w update). */
  void (*downlink)(const tpc_msg *m, double *w);
  /* 2Direction (T11.1) runs on its own runner with these parameters (Q and
  ** C_s set by the caller) instead of Algorithm 1's. */
  int twodir;
  tpc_twodir_params td;
} tpc_method_plan;

typedef struct tpc_method_type {
  const char *name;        /* spec name: "dcgd_shift" */
  const char *synopsis;    /* "dcgd_shift(Q, shift=..., beta=REAL, p=REAL)" */
  const char *summary;     /* one line for `tpc list` */
  const char *theory;      /* THEORY.md items: "T8.1" */
  /* Positional arguments, one letter each: 'Q' the clients' unbiased
  ** compressor, 'C' the server's contractive compressor, 'M' a mechanism
  ** (the first the clients', the second the server's). */
  const char *args;
  const char *const *keys; /* NULL-terminated parameter keys, canonical order */
  /* Read spec's parameters into plan->sh (rule, h0, beta, p; Q and the
  ** server are set by the caller), omega Q's constant (NaN when not known
  ** yet: only the values written are checked).  TPC_EINPUT naming the
  ** parameter and the value at fault. */
  int (*plan)(const tpc_spec *spec, double omega, tpc_method_plan *plan);
  const char *requires;    /* the parameters' classes and ranges, for `tpc list` */
} tpc_method_type;

/* The built-in method types, NULL-terminated, and look-up by name (NULL:
** not a method name; mechanisms are the registry's). */
extern const tpc_method_type *const tpc_builtin_methods[];
const tpc_method_type *tpc_method_type_find(const char *name);

/* The shift rules of T8.1 and T9.2, for method types (and tests' variants):
** DIANA's h_i + beta m_i (the server derives it from m_i), Rand-DIANA's
** reset to grad f_i with probability p (one coin per client and round from
** the client's stream, the reset sent densely), and the rule of h_i = const
** (gradient estimates) and of compressed iterates (model). */
int tpc_method_shift_diana(const tpc_alg1_shift_step *s, double *h, tpc_msg *hmsg);
int tpc_method_shift_randdiana(const tpc_alg1_shift_step *s, double *h, tpc_msg *hmsg);
extern const tpc_alg1_rule tpc_method_rule_const, tpc_method_rule_diana,
    tpc_method_rule_randdiana, tpc_method_rule_model;

/* Check a method spec without a problem: a method name's argument count and
** kinds, keys and the values written (words, ranges); any other name as
** tpc_spec_check.  TPC_EINPUT with a message. */
int tpc_method_check(const tpc_registry *reg, const tpc_spec *s);

/* Whether the spec runs a plugin's code (tpc_registry_uses_plugin, which
** does not know the method names). */
int tpc_method_uses_plugin(const tpc_registry *reg, const tpc_spec *s);

/* The plan of spec s of type t for dimension d and n clients: its
** compressors built to check their classes (TPC_EINPUT naming a biased Q or
** a non-contractive C_s), Q's omega giving the defaults; its mechanisms
** built for their constants (the server's for n = 1).  pl->sh.optimum is
** left NULL. */
int tpc_method_plan_get(const tpc_registry *reg, const tpc_method_type *t, const tpc_spec *s,
                        size_t d, size_t n, tpc_method_plan *pl);

/* The mechanisms of a method spec that `tpc bounds` checks like mechanism
** specs: for bidir(M_w, M_s) the clients' M_w at n clients and the server's
** M_s at one node (as tpc_alg1_alloc_bidir builds it).  Returns how many
** were written to out (0 for another spec). */
typedef struct tpc_method_mech_part {
  const tpc_spec *spec;   /* points into the method's spec */
  size_t n;               /* the n it is built for */
  const char *role;       /* "client", "server" */
} tpc_method_mech_part;

#define TPC_METHOD_MECH_PARTS 2
size_t tpc_method_mech_parts(const tpc_spec *s, size_t n,
                             tpc_method_mech_part out[TPC_METHOD_MECH_PARTS]);

/* The canonical text of a method spec (parameters in the type's order,
** arguments canonical), like tpc_spec_canonical. */
int tpc_method_canonical(const tpc_registry *reg, const tpc_spec *s, char *buf, size_t size);

typedef struct tpc_method tpc_method;

/* Build the method `spec` on problem p: a mechanism spec runs Algorithm 1
** as tpc_alg1_alloc (no server compressor), a method name its type.  p and
** reg must outlive it.  NULL with *status (TPC_EINPUT with a message naming
** what is wrong: a biased Q, a non-contractive C_s, beta or p outside
** (0, 1], an unknown shift, a star shift without x*; TPC_ENOMEM). */
tpc_method *tpc_method_alloc(const tpc_problem *p, const tpc_registry *reg,
                             const tpc_spec *spec, int *status);

/* The same with Algorithm 1's EF21-P downlink compressor `server` (NULL:
** none) for a mechanism spec; TPC_EINPUT with a method name, whose EF21-P
** variants take C_s as an argument. */
tpc_method *tpc_method_alloc_server(const tpc_problem *p, const tpc_registry *reg,
                                    const tpc_spec *spec, const tpc_spec *server,
                                    int *status);

/* The same with an explicit type (a test's variant) and optimum (NULL: the
** problem's, tpc_problem_optimum), which must outlive the method. */
tpc_method *tpc_method_alloc_type(const tpc_method_type *t, const tpc_problem *p,
                                  const tpc_registry *reg, const tpc_spec *spec,
                                  const tpc_problem_optimum *opt, int *status);
void tpc_method_free(tpc_method *m);

/* The method's type (NULL for a mechanism spec) and its Algorithm 1 runner
** (NULL for 2Direction, which has its own: methods/twodir.h). */
const tpc_method_type *tpc_method_get_type(const tpc_method *m);
tpc_alg1 *tpc_method_runner(tpc_method *m);

/* 2Direction's runner (NULL for the methods on Algorithm 1's). */
tpc_twodir *tpc_method_twodir(tpc_method *m);

/* The method's declared constants, as tpc_alg1_consts; for 2Direction no
** (A, B) pair, deterministic when it draws nothing (tpc_twodir_info). */
void tpc_method_consts(const tpc_method *m, tpc_mech_consts *out);

/* The problem it runs on, and the clients' evaluation point where the last
** run stopped (d values: tpc_alg1_point_x, or 2Direction's x). */
const tpc_problem *tpc_method_problem(const tpc_method *m);
const double *tpc_method_point_x(const tpc_method *m);

/* What the theorems of the catalogue (bounds/theorems/catalogue.h) read of
** a method: which one it is and its constants. */
typedef struct tpc_method_info {
  char name[64];          /* the type's ("ef21p_diana") or the mechanism's ("gd") */
  int typed;              /* a method of T8, T9 (0: Algorithm 1 with a mechanism) */
  const char *shift;      /* the declared shift (tpc_method_plan), NULL */
  int model;              /* compressed iterates (T8.5) */
  int downlink;           /* an EF21-P downlink compressor */
  double omega, alpha;    /* Q's omega, C_s's alpha; NaN without them */
  double beta, p;         /* DIANA's beta, Rand-DIANA's p; NaN for other shifts;
                             2Direction's beta = 1/(omega+1) and coin p */
  /* Bidirectional 3PC: the server mechanism's declared pair (the clients'
  ** is the runner's, tpc_alg1_consts); NaN for other methods. */
  int server_mech;
  double As, Bs;
  /* 2Direction (T11.2; NaN for the others): tau, Gamma_0, mu, and Lbar's
  ** rule with its value (tpc_twodir_info). */
  int twodir;
  double tau, Gamma0, mu;
  tpc_twodir_lbar lbar;
  double Lbar;
} tpc_method_info;

void tpc_method_info_get(const tpc_method *m, tpc_method_info *out);

/* Run from scratch, as tpc_alg1_run (or tpc_twodir_run). */
int tpc_method_run(tpc_method *m, const tpc_alg1_opts *o, tpc_alg1_result *res);

#endif
