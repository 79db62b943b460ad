/*
** The methods of THEORY.md T8, T9 and T10 by name (methods/method.h): their type
** table, the parameters each reads, their shift rules, and the plan each
** hands to the runner of methods/alg1.c.
*/
#include "methods/method.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

struct tpc_method {
  const tpc_method_type *type; /* NULL: a mechanism spec */
  tpc_alg1 *alg;               /* Algorithm 1's runner, or NULL with */
  tpc_twodir *tw;              /* 2Direction's */
  tpc_method_info info;
};

/* ---- shift rules (T8.1, T9.2) -------------------------------------------- */

/* DIANA: h_i += beta m_i.  The update is m_i's parts with coefficient beta,
** applied as the server applies them to its copy (a compressor's parts add
** to the vector they are applied to: comp.h), so both hold the same bits;
** the server derives it from m_i, nothing more is sent. */
int tpc_method_shift_diana(const tpc_alg1_shift_step *s, double *h, tpc_msg *hmsg) {
  *hmsg = *s->msg;
  for (size_t k = 0; k < hmsg->nparts; k++) hmsg->part[k].coef *= s->beta;
  tpc_msg_apply_f64(hmsg, h);
  return 0;
}

/* Rand-DIANA: with probability p (the client's coin, drawn after Q's draws)
** h_i = grad f_i at the round's point, sent as a dense absolute vector. */
int tpc_method_shift_randdiana(const tpc_alg1_shift_step *s, double *h, tpc_msg *hmsg) {
  if (!(gsl_rng_uniform(s->ctx->rng) < s->p)) return 0;
  tpc_msg_part *pt = tpc_msg_add(hmsg, TPC_MSG_DENSE, TPC_F64, s->d);
  pt->absolute = 1;
  pt->val = (void *)s->grad;
  memcpy(h, s->grad, s->d * sizeof(double));
  return 1;
}

const tpc_alg1_rule tpc_method_rule_const = {0};
const tpc_alg1_rule tpc_method_rule_diana = {.shift = tpc_method_shift_diana};
const tpc_alg1_rule tpc_method_rule_randdiana = {.randomized = 1,
                                                 .shift = tpc_method_shift_randdiana};
const tpc_alg1_rule tpc_method_rule_model = {.model = 1};

/* ---- parameters ------------------------------------------------------------ */

/* Parameter `key` of s as one of `words` (index in *out), or `def` when
** absent. */
static int param_word(const tpc_spec *s, const char *key, const char *const *words, int def,
                      int *out) {
  const tpc_spec_param *q = tpc_spec_param_find(s, key);
  *out = def;
  if (!q) return TPC_OK;
  for (int k = 0; words[k]; k++)
    if (q->text && strcmp(q->text, words[k]) == 0) {
      *out = k;
      return TPC_OK;
    }
  char list[128] = "";
  for (int k = 0; words[k]; k++)
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "", words[k]);
  if (q->text)
    return tpc_spec_error(s, "%s: %s=%s is not one of %s", s->name, key, q->text, list);
  return tpc_spec_error(s, "%s: %s=%g is not one of %s", s->name, key, q->value, list);
}

/* Parameter `key` of s in (0, 1], or `def` when absent. */
static int param_unit(const tpc_spec *s, const char *key, double def, double *out) {
  const tpc_spec_param *q = tpc_spec_param_find(s, key);
  *out = def;
  if (!q) return TPC_OK;
  char num[32];
  tpc_format_double(q->value, num, sizeof num);
  if (q->text || !(q->value > 0 && q->value <= 1))
    return tpc_spec_error(s, "%s: %s=%s must be a number in (0, 1]", s->name, key,
                      q->text ? q->text : num);
  *out = q->value;
  return TPC_OK;
}

/* Refuse parameter `key` of s unless `allowed`: it means nothing else. */
static int param_only(const tpc_spec *s, const char *key, int allowed, const char *when) {
  if (allowed || !tpc_spec_param_find(s, key)) return TPC_OK;
  return tpc_spec_error(s, "%s: %s applies only to %s", s->name, key, when);
}

enum { SHIFT_FIXED, SHIFT_STAR, SHIFT_DIANA, SHIFT_RANDDIANA };
static const char *const shift_words[] = {"fixed", "star", "diana", "randdiana", NULL};
static const char *const gdci_words[] = {"zero", "star", NULL};

/* The default of beta and p: 1/(omega+1) (method.h). */
static double unit_default(double omega) { return 1.0 / (omega + 1.0); }

static int plan_dcgd(const tpc_spec *s, double omega, tpc_method_plan *pl) {
  (void)s;
  (void)omega;
  pl->sh.rule = &tpc_method_rule_const;
  pl->sh.h0 = TPC_ALG1_SHIFT0_ZERO;
  pl->shift = "zero";
  return TPC_OK;
}

static int plan_dcgd_shift(const tpc_spec *s, double omega, tpc_method_plan *pl) {
  int shift, rc = param_word(s, "shift", shift_words, -1, &shift);
  if (!rc && shift < 0)
    rc = tpc_spec_error(s, "%s: shift= is required (fixed, star, diana or randdiana)", s->name);
  if (!rc) rc = param_only(s, "beta", shift == SHIFT_DIANA, "shift=diana");
  if (!rc) rc = param_only(s, "p", shift == SHIFT_RANDDIANA, "shift=randdiana");
  if (!rc) rc = param_unit(s, "beta", unit_default(omega), &pl->sh.beta);
  if (!rc) rc = param_unit(s, "p", unit_default(omega), &pl->sh.p);
  if (rc) return rc;
  static const tpc_alg1_rule *const rules[] = {&tpc_method_rule_const, &tpc_method_rule_const,
                                                &tpc_method_rule_diana,
                                                &tpc_method_rule_randdiana};
  pl->sh.rule = rules[shift];
  pl->sh.h0 = shift == SHIFT_STAR ? TPC_ALG1_SHIFT0_STAR : TPC_ALG1_SHIFT0_GRAD;
  pl->shift = shift_words[shift];
  return TPC_OK;
}

static int plan_gdci(const tpc_spec *s, double omega, tpc_method_plan *pl) {
  (void)omega;
  int shift, rc = param_word(s, "shift", gdci_words, 0, &shift);
  pl->sh.rule = &tpc_method_rule_model;
  pl->sh.h0 = shift ? TPC_ALG1_SHIFT0_STAR : TPC_ALG1_SHIFT0_ZERO;
  pl->shift = gdci_words[shift];
  return rc;
}

/* EF21-P (T9.1) is Algorithm 1 with gd clients and the EF21-P downlink:
** the runner's own (sh.rule NULL). */
static int plan_ef21p(const tpc_spec *s, double omega, tpc_method_plan *pl) {
  (void)s;
  (void)omega;
  pl->sh.rule = NULL;
  return TPC_OK;
}

static int plan_ef21p_diana(const tpc_spec *s, double omega, tpc_method_plan *pl) {
  pl->sh.rule = &tpc_method_rule_diana;
  pl->sh.h0 = TPC_ALG1_SHIFT0_GRAD;
  pl->shift = "diana";
  return param_unit(s, "beta", unit_default(omega), &pl->sh.beta);
}

/* Bidirectional 3PC (T10.1): Algorithm 1 with the clients' mechanism and
** the server's (the plan's mechanisms, set by the caller). */
static int plan_bidir(const tpc_spec *s, double omega, tpc_method_plan *pl) {
  (void)s;
  (void)omega;
  pl->sh.rule = NULL;
  return TPC_OK;
}

/* Parameter `key` of s, a positive finite number, or NaN when absent. */
static int param_positive(const tpc_spec *s, const char *key, double *out) {
  const tpc_spec_param *q = tpc_spec_param_find(s, key);
  *out = NAN;
  if (!q) return TPC_OK;
  char num[32];
  tpc_format_double(q->value, num, sizeof num);
  if (q->text || !(q->value > 0 && isfinite(q->value)))
    return tpc_spec_error(s, "%s: %s=%s must be a positive number", s->name, key,
                          q->text ? q->text : num);
  *out = q->value;
  return TPC_OK;
}

/* 2Direction (T11.1, T11.2): p and tau in (0, 1] (NaN: T11.2's defaults),
** Lbar absolute or Lbar_mult times L- (neither: 1/gamma), gamma0 > 0. */
static int plan_twodir(const tpc_spec *s, double omega, tpc_method_plan *pl) {
  (void)omega;
  double lbar, mult, g0;
  tpc_twodir_params_init(&pl->td);
  pl->twodir = 1;
  int rc = param_unit(s, "p", NAN, &pl->td.p);
  if (!rc) rc = param_unit(s, "tau", NAN, &pl->td.tau);
  if (!rc) rc = param_positive(s, "Lbar", &lbar);
  if (!rc) rc = param_positive(s, "Lbar_mult", &mult);
  if (!rc) rc = param_positive(s, "gamma0", &g0);
  if (!rc && !isnan(lbar) && !isnan(mult))
    rc = tpc_spec_error(s, "%s: give Lbar= or Lbar_mult=, not both", s->name);
  if (rc) return rc;
  if (!isnan(lbar)) {
    pl->td.lbar = TPC_TWODIR_LBAR_ABS;
    pl->td.Lbar = lbar;
  } else if (!isnan(mult)) {
    pl->td.lbar = TPC_TWODIR_LBAR_MULT;
    pl->td.Lbar = mult;
  }
  if (!isnan(g0)) pl->td.Gamma0 = g0;
  return TPC_OK;
}

static const char *const keys_none[] = {NULL};
static const char *const keys_shift[] = {"shift", "beta", "p", NULL};
static const char *const keys_gdci[] = {"shift", NULL};
static const char *const keys_beta[] = {"beta", NULL};
static const char *const keys_twodir[] = {"p", "tau", "Lbar", "Lbar_mult", "gamma0", NULL};

static const tpc_method_type type_dcgd = {
    "dcgd", "dcgd(Q)", "distributed compressed GD: x - gamma (1/n) sum Q(grad f_i)",
    "T8 DCGD (T8.1 a)", "Q", keys_none, plan_dcgd, "Q in U(omega)"};
static const tpc_method_type type_dcgd_shift = {
    "dcgd_shift", "dcgd_shift(Q, shift=fixed|star|diana|randdiana, beta=REAL, p=REAL)",
    "DCGD with shifts h_i: sends Q(grad f_i - h_i); h_i fixed, optimal or learned",
    "T8 DCGD-SHIFT (T8.1)", "Q", keys_shift, plan_dcgd_shift,
    "Q in U(omega); beta, p in (0, 1], default 1/(omega+1); star needs x*"};
static const tpc_method_type type_gdci = {
    "gdci", "gdci(Q, shift=zero|star)",
    "compressed iterates: x = (1/n) sum h_i + Q(x - gamma grad f_i(x) - h_i)", "T8 GDCI (T8.5)", "Q",
    keys_gdci, plan_gdci, "Q in U(omega); star needs x*"};
static const tpc_method_type type_ef21p = {
    "ef21p", "ef21p(C_s)", "GD with the EF21-P downlink w + C_s(x - w)", "T9 EF21-P (T9.1)", "C",
    keys_none, plan_ef21p, "C_s in B(alpha)"};
static const tpc_method_type type_ef21p_diana = {
    "ef21p_diana", "ef21p_diana(Q, C_s, beta=REAL)",
    "EF21-P downlink, DIANA uplink: Q(grad f_i(w) - h_i), h_i += beta m_i", "T9 EF21-P + DIANA (T9.2)", "QC",
    keys_beta, plan_ef21p_diana,
    "Q in U(omega), C_s in B(alpha); beta in (0, 1], default 1/(omega+1)"};
static const tpc_method_type type_ef21p_dcgd = {
    "ef21p_dcgd", "ef21p_dcgd(Q, C_s)", "EF21-P downlink, DCGD uplink: Q(grad f_i(w))", "T9 EF21-P + DCGD (T9.2)",
    "QC", keys_none, plan_dcgd, "Q in U(omega), C_s in B(alpha)"};
static const tpc_method_type type_twodir = {
    "twodirection", "twodirection(Q, C_s, p=REAL, tau=REAL, Lbar=REAL|Lbar_mult=REAL, gamma0=REAL)",
    "2Direction: accelerated, Q(grad f_i - h_i) up twice, C_s(u - q) down",
    "T11 2Direction (T11.1)", "QC", keys_twodir, plan_twodir,
    "Q in U(omega), C_s in B(alpha); p, tau in (0, 1] (default T11.2's); Lbar > 0, or "
    "Lbar_mult > 0 times L-, else 1/gamma; gamma0 > 0 (default 1)"};

static const tpc_method_type type_bidir = {
    "bidir", "bidir(M_w, M_s)",
    "bidirectional 3PC: clients' M_w up, the server's M_s on the aggregate down",
    "T10 bidir (T10.1)", "MM", keys_none, plan_bidir,
    "M_w, M_s mechanisms; M_s built for one node (n = 1), not MARINA's aggregate form"};

const tpc_method_type *const tpc_builtin_methods[] = {
    &type_dcgd, &type_dcgd_shift, &type_gdci, &type_ef21p, &type_ef21p_diana, &type_ef21p_dcgd,
    &type_bidir, &type_twodir, NULL};

const tpc_method_type *tpc_method_type_find(const char *name) {
  for (size_t k = 0; tpc_builtin_methods[k]; k++)
    if (strcmp(tpc_builtin_methods[k]->name, name) == 0) return tpc_builtin_methods[k];
  return NULL;
}

/* ---- checking ---------------------------------------------------------------- */

static int key_known(const tpc_method_type *t, const char *key) {
  for (size_t k = 0; t->keys[k]; k++)
    if (strcmp(t->keys[k], key) == 0) return 1;
  return 0;
}

/* What an argument letter of a type takes: 'M' a mechanism, else a
** compressor. */
static const char *arg_noun(char letter) { return letter == 'M' ? "mechanism" : "compressor"; }

static int type_check(const tpc_registry *reg, const tpc_method_type *t, const tpc_spec *s) {
  size_t want = strlen(t->args);
  if (s->nargs != want)
    return tpc_spec_error(s, "%s takes %zu %s argument%s (%s), not %zu", t->name, want,
                          arg_noun(t->args[0]), want == 1 ? "" : "s", t->synopsis, s->nargs);
  for (size_t k = 0; k < want; k++) {
    int rc = tpc_spec_check(reg, s->args[k]);
    if (rc) return rc;
    tpc_kind kind = t->args[k] == 'M' ? TPC_KIND_MECH : TPC_KIND_COMP;
    if (tpc_registry_kind(reg, s->args[k]->name) != kind)
      return tpc_spec_error(s->args[k], "%s: argument %zu '%s' is not a %s (%s)", t->name,
                            k + 1, s->args[k]->name, arg_noun(t->args[k]), t->synopsis);
  }
  for (size_t k = 0; k < s->nparams; k++)
    if (!key_known(t, s->params[k].key))
      return tpc_spec_error(s, "%s: unknown parameter '%s' (%s)", t->name, s->params[k].key,
                        t->synopsis);
  tpc_method_plan pl;
  memset(&pl, 0, sizeof pl);
  return t->plan(s, NAN, &pl);
}

int tpc_method_check(const tpc_registry *reg, const tpc_spec *s) {
  const tpc_method_type *t = tpc_method_type_find(s->name);
  return t ? type_check(reg, t, s) : tpc_spec_check(reg, s);
}

int tpc_method_uses_plugin(const tpc_registry *reg, const tpc_spec *s) {
  if (!tpc_method_type_find(s->name)) return tpc_registry_uses_plugin(reg, s);
  for (size_t k = 0; k < s->nargs; k++)
    if (tpc_registry_uses_plugin(reg, s->args[k])) return 1;
  return 0;
}

int tpc_method_canonical(const tpc_registry *reg, const tpc_spec *s, char *buf, size_t size) {
  const tpc_method_type *t = tpc_method_type_find(s->name);
  if (!t) return tpc_spec_canonical(reg, s, buf, size);
  tpc_spec *c = tpc_spec_copy(s);
  if (!c) return tpc_error(TPC_ENOMEM, "out of memory");
  int rc = TPC_OK;
  char text[512];
  for (size_t k = 0; k < c->nargs && !rc; k++) {
    tpc_spec *arg = NULL;
    rc = tpc_spec_canonical(reg, c->args[k], text, sizeof text);
    if (!rc) rc = tpc_spec_parse(text, &arg);
    if (!rc) {
      tpc_spec_free(c->args[k]);
      c->args[k] = arg;
    }
  }
  /* parameters in the type's order: a stable pass per key */
  size_t at = 0;
  for (size_t k = 0; t->keys[k]; k++)
    for (size_t j = at; j < c->nparams; j++)
      if (strcmp(c->params[j].key, t->keys[k]) == 0) {
        tpc_spec_param p = c->params[j];
        memmove(&c->params[at + 1], &c->params[at], (j - at) * sizeof p);
        c->params[at++] = p;
        break;
      }
  if (!rc) tpc_spec_print(c, buf, size);
  tpc_spec_free(c);
  return rc;
}

size_t tpc_method_mech_parts(const tpc_spec *s, size_t n,
                             tpc_method_mech_part out[TPC_METHOD_MECH_PARTS]) {
  static const char *const roles[TPC_METHOD_MECH_PARTS] = {"client", "server"};
  const tpc_method_type *t = tpc_method_type_find(s->name);
  size_t count = 0;
  for (size_t k = 0; t && t->args[k] && k < s->nargs; k++)
    if (t->args[k] == 'M' && count < TPC_METHOD_MECH_PARTS) {
      out[count] = (tpc_method_mech_part){s->args[k], count ? 1 : n, roles[count]};
      count++;
    }
  return count;
}

/* ---- building ---------------------------------------------------------------- */

/* A compressor's constants for dimension d and n clients (built and freed). */
static int arg_consts(const tpc_registry *reg, const tpc_spec *s, size_t d, size_t n,
                      tpc_comp_consts *k) {
  int status;
  tpc_comp *c = tpc_comp_alloc(reg, s, d, n, &status);
  if (!c) return status;
  tpc_comp_consts_get(c, k);
  tpc_comp_free(c);
  return TPC_OK;
}

/* A mechanism argument of a bidirectional method: the clients' (the
** first), or the server's, built for one node (methods/alg1.h) to read its
** declared pair. */
static int plan_mech(const tpc_registry *reg, const tpc_method_type *t, const tpc_spec *arg,
                     size_t d, tpc_method_plan *pl) {
  int status;
  if (!pl->client_mech) {
    pl->client_mech = arg;
    return TPC_OK;
  }
  tpc_mech *m = tpc_mech_alloc(reg, arg, d, 1, &status);
  if (!m) return tpc_error_prefix(status, "%s: the server's mechanism: ", t->name);
  tpc_mech_consts k;
  tpc_mech_consts_get(m, &k);
  tpc_mech_free(m);
  pl->server_mech = arg;
  if (k.has_AB) {
    pl->As = k.A;
    pl->Bs = k.B;
  }
  return TPC_OK;
}

int tpc_method_plan_get(const tpc_registry *reg, const tpc_method_type *t, const tpc_spec *s,
                        size_t d, size_t n, tpc_method_plan *pl) {
  double omega = NAN;
  char text[256];
  memset(pl, 0, sizeof *pl);
  pl->omega = pl->alpha = pl->As = pl->Bs = NAN;
  for (size_t k = 0; t->args[k]; k++) {
    if (t->args[k] == 'M') {
      int rc = plan_mech(reg, t, s->args[k], d, pl);
      if (rc) return rc;
      continue;
    }
    tpc_comp_consts kc;
    int rc = arg_consts(reg, s->args[k], d, n, &kc);
    if (rc) return tpc_error_prefix(rc, "%s: ", t->name);
    tpc_spec_print(s->args[k], text, sizeof text);
    if (t->args[k] == 'Q') {
      if (!(kc.cls & TPC_CLASS_UNBIASED))
        return tpc_error(TPC_EINPUT,
                         "%s: the clients' compressor %s is not unbiased: shifted "
                         "compression needs Q in U(omega) [%s]",
                         t->name, text, t->theory);
      omega = pl->omega = kc.omega;
      pl->sh.Q = s->args[k];
    } else {
      if (!(kc.cls & TPC_CLASS_CONTRACTIVE))
        return tpc_error(TPC_EINPUT,
                         "%s: the server compressor %s is not contractive: its compressed "
                         "downlink needs C_s in B(alpha) [%s]",
                         t->name, text, t->theory);
      pl->server = s->args[k];
      pl->alpha = kc.alpha;
    }
  }
  return t->plan(s, omega, pl);
}

/* The theorems' view of a typed method (tpc_method_info). */
static void plan_info(const tpc_method_type *t, const tpc_method_plan *pl, tpc_method_info *in) {
  snprintf(in->name, sizeof in->name, "%s", t->name);
  in->typed = 1;
  in->shift = pl->shift;
  in->model = pl->sh.rule && pl->sh.rule->model;
  in->downlink = pl->server != NULL;
  in->omega = pl->omega;
  in->alpha = pl->alpha;
  in->beta = pl->shift && !strcmp(pl->shift, "diana") ? pl->sh.beta : NAN;
  in->p = pl->shift && !strcmp(pl->shift, "randdiana") ? pl->sh.p : NAN;
  in->server_mech = pl->server_mech != NULL;
  in->As = pl->As;
  in->Bs = pl->Bs;
  in->tau = in->Gamma0 = in->mu = in->Lbar = NAN;
}

/* The theorems' view of 2Direction: its runner's parameters (T11.2). */
static void twodir_info(const tpc_twodir *tw, tpc_method_info *in) {
  tpc_twodir_info ti;
  tpc_twodir_info_get(tw, &ti);
  in->shift = NULL;
  in->downlink = 1;
  in->twodir = 1;
  in->beta = ti.beta;
  in->p = ti.p;
  in->tau = ti.tau;
  in->Gamma0 = ti.Gamma0;
  in->mu = ti.mu;
  in->lbar = ti.lbar;
  in->Lbar = ti.Lbar;
}

/* The same for Algorithm 1 with mechanism `spec` and downlink `server`. */
static void mech_info(tpc_method *m, const tpc_spec *spec) {
  tpc_comp_consts k;
  m->info = (tpc_method_info){.omega = NAN, .alpha = NAN, .beta = NAN, .p = NAN, .As = NAN,
                              .Bs = NAN, .tau = NAN, .Gamma0 = NAN, .mu = NAN, .Lbar = NAN};
  snprintf(m->info.name, sizeof m->info.name, "%s", spec->name);
  if ((m->info.downlink = tpc_alg1_server_consts(m->alg, &k))) m->info.alpha = k.alpha;
}

tpc_method *tpc_method_alloc_type(const tpc_method_type *t, const tpc_problem *p,
                                  const tpc_registry *reg, const tpc_spec *spec,
                                  const tpc_problem_optimum *opt, int *status) {
  tpc_method *m = calloc(1, sizeof *m);
  tpc_spec *gd = NULL;
  tpc_method_plan pl;
  if (!m) {
    *status = tpc_error(TPC_ENOMEM, "out of memory");
    return NULL;
  }
  m->type = t;
  int rc = type_check(reg, t, spec);
  if (!rc) rc = tpc_method_plan_get(reg, t, spec, p->d, p->n, &pl);
  if (!rc && pl.twodir) {
    pl.td.Q = pl.sh.Q;
    pl.td.Cs = pl.server;
    m->tw = tpc_twodir_alloc(p, reg, &pl.td, &rc);
  } else if (!rc && pl.sh.rule) {
    pl.sh.optimum = opt;
    m->alg = tpc_alg1_alloc_shifted(p, reg, &pl.sh, pl.server, &rc);
    if (rc) tpc_error_prefix(rc, "%s: ", t->name);
  } else if (!rc && pl.server_mech) {
    m->alg = tpc_alg1_alloc_bidir(p, reg, pl.client_mech, pl.server_mech, &rc);
    if (rc) tpc_error_prefix(rc, "%s: ", t->name);
    if (!rc && opt) tpc_alg1_set_optimum(m->alg, opt);
  } else if (!rc && !(rc = tpc_spec_parse("gd", &gd))) {
    m->alg = tpc_alg1_alloc(p, reg, gd, pl.server, &rc);
    if (!rc && opt) tpc_alg1_set_optimum(m->alg, opt);
  }
  if (!rc && pl.downlink) tpc_alg1_set_downlink(m->alg, pl.downlink);
  if (!rc) plan_info(t, &pl, &m->info);
  if (!rc && m->tw) twodir_info(m->tw, &m->info);
  tpc_spec_free(gd);
  *status = rc;
  if (!rc) return m;
  tpc_method_free(m);
  return NULL;
}

tpc_method *tpc_method_alloc(const tpc_problem *p, const tpc_registry *reg,
                             const tpc_spec *spec, int *status) {
  return tpc_method_alloc_server(p, reg, spec, NULL, status);
}

tpc_method *tpc_method_alloc_server(const tpc_problem *p, const tpc_registry *reg,
                                    const tpc_spec *spec, const tpc_spec *server,
                                    int *status) {
  const tpc_method_type *t = tpc_method_type_find(spec->name);
  if (t && server) {
    *status = tpc_error(TPC_EINPUT,
                        "%s: --server is Algorithm 1's downlink; the EF21-P methods "
                        "take C_s as an argument (%s)",
                        t->name, t->synopsis);
    return NULL;
  }
  if (t) return tpc_method_alloc_type(t, p, reg, spec, NULL, status);
  tpc_method *m = calloc(1, sizeof *m);
  if (!m) {
    *status = tpc_error(TPC_ENOMEM, "out of memory");
    return NULL;
  }
  if (!(m->alg = tpc_alg1_alloc(p, reg, spec, server, status))) {
    free(m);
    return NULL;
  }
  mech_info(m, spec);
  return m;
}

void tpc_method_free(tpc_method *m) {
  if (!m) return;
  tpc_alg1_free(m->alg);
  tpc_twodir_free(m->tw);
  free(m);
}

const tpc_method_type *tpc_method_get_type(const tpc_method *m) { return m->type; }

tpc_alg1 *tpc_method_runner(tpc_method *m) { return m->alg; }

tpc_twodir *tpc_method_twodir(tpc_method *m) { return m->tw; }

void tpc_method_info_get(const tpc_method *m, tpc_method_info *out) { *out = m->info; }

void tpc_method_consts(const tpc_method *m, tpc_mech_consts *out) {
  if (m->alg) {
    tpc_alg1_consts(m->alg, out);
    return;
  }
  tpc_twodir_info ti;
  tpc_twodir_info_get(m->tw, &ti);
  *out = (tpc_mech_consts){.deterministic = ti.deterministic, .src = "T11 2Direction"};
}

const tpc_problem *tpc_method_problem(const tpc_method *m) {
  return m->alg ? tpc_alg1_problem(m->alg) : tpc_twodir_problem(m->tw);
}

const double *tpc_method_point_x(const tpc_method *m) {
  return m->alg ? tpc_alg1_point_x(m->alg) : tpc_twodir_x(m->tw);
}

int tpc_method_run(tpc_method *m, const tpc_alg1_opts *o, tpc_alg1_result *res) {
  return m->alg ? tpc_alg1_run(m->alg, o, res) : tpc_twodir_run(m->tw, o, res);
}
