/*
** The registry and the generic builders: name look-up, argument shapes,
** parameter keys, canonical text, and registration of new types (what a
** plugin does).
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "core/error.h"
#include "registry/registry.h"

static tpc_registry *reg;

static void setup(void) { reg = tpc_registry_alloc(); }
static void teardown(void) { tpc_registry_free(reg); }

TestSuite(registry, .init = setup, .fini = teardown);

/* Parse and check; returns the status of the check (parse must succeed). */
static int check(const char *text) {
  tpc_spec *s = NULL;
  cr_assert(eq(int, tpc_spec_parse(text, &s), TPC_OK), "parse %s: %s", text, tpc_error_msg());
  int rc = tpc_spec_check(reg, s);
  tpc_spec_free(s);
  return rc;
}

static void expect_error(const char *text, const char *fragment) {
  cr_assert(eq(int, check(text), TPC_EINPUT), "%s should be refused", text);
  cr_assert(strstr(tpc_error_msg(), fragment) != NULL, "%s: message '%s' lacks '%s'", text,
            tpc_error_msg(), fragment);
}

Test(registry, every_t2_t3_row_is_registered) {
  static const char *const comps[] = {"identity", "topk",    "randk", "urandk",
                                      "permk",    "bernoulli", "natural", "dither",
                                      "sign",     "threshold", "scaled",  "compose"};
  static const char *const mechs[] = {"gd",    "ef21",  "lag",   "clag",   "3pcv1",
                                      "3pcv2", "3pcv3", "3pcv4", "3pcv5",  "adacgd",
                                      "marina", "shifted", "diana"};
  for (size_t i = 0; i < sizeof comps / sizeof *comps; i++)
    cr_assert(eq(int, tpc_registry_kind(reg, comps[i]), TPC_KIND_COMP), "%s", comps[i]);
  for (size_t i = 0; i < sizeof mechs / sizeof *mechs; i++)
    cr_assert(eq(int, tpc_registry_kind(reg, mechs[i]), TPC_KIND_MECH), "%s", mechs[i]);
}

Test(registry, shape_errors_name_the_column) {
  expect_error("topq(k=1)", "column 1: unknown");
  expect_error("ef21(topq(k=1))", "column 6: unknown");
  expect_error("ef21", "takes one argument, got 0");
  expect_error("ef21(topk(k=1),topk(k=2))", "takes one argument, got 2");
  expect_error("ef21(lag(zeta=1))", "expects a compressor here");
  expect_error("3pcv3(topk(k=1),topk(k=2))", "expects a mechanism here");
  expect_error("topk(q=3)", "has no parameter 'q'");
  expect_error("natural(s=3)", "takes no parameters");
  expect_error("adacgd(zeta=1)", "one or more compressors");
  expect_error("topk(k=ten)", "expects a number for 'k', got 'ten'");
}

Test(registry, valid_nestings_pass) {
  cr_assert(eq(int, check("3pcv3(3pcv3(lag(zeta=4),topk(k=3)),topk(k=10))"), TPC_OK));
  cr_assert(eq(int, check("adacgd(topk(k=1),topk(k=2),topk(k=3),zeta=4)"), TPC_OK));
  cr_assert(eq(int, check("scaled(compose(urandk(k=2),permk))"), TPC_OK));
}

Test(registry, canonical_orders_parameters_and_drops_blanks) {
  tpc_spec *s = NULL;
  char buf[256];
  cr_assert(eq(int, tpc_spec_parse(" clag( zeta = 2 , topk( k = 10 ) ) ", &s), TPC_OK));
  cr_assert(eq(int, tpc_spec_canonical(reg, s, buf, sizeof buf), TPC_OK));
  cr_assert(eq(str, buf, "clag(topk(k=10),zeta=2)"));
  tpc_spec_free(s);
}

Test(registry, build_refuses_values_out_of_range) {
  tpc_spec *s = NULL;
  int rc = 0;
  cr_assert(eq(int, tpc_spec_parse("ef21(topk(k=200))", &s), TPC_OK));
  cr_assert(tpc_mech_alloc(reg, s, 100, 1, &rc) == NULL);
  cr_assert(eq(int, rc, TPC_EINPUT));
  cr_assert(tpc_comp_alloc(reg, s, 100, 1, &rc) == NULL, "a mechanism is not a compressor");
  cr_assert(eq(int, rc, TPC_EINPUT));
  cr_assert(strstr(tpc_error_msg(), "mechanism") != NULL);
  cr_assert(tpc_mech_alloc(reg, s, 0, 1, &rc) == NULL, "d = 0 is refused");
  tpc_spec_free(s);
}

/* A type as a plugin would register it. */
static int half_init(tpc_comp *c, const tpc_spec *s) {
  (void)c;
  (void)s;
  return TPC_OK;
}
static void half_consts(const tpc_comp *c, tpc_comp_consts *k) {
  (void)c;
  k->cls = TPC_CLASS_CONTRACTIVE;
  k->alpha = 0.75;
  k->deterministic = 1;
  k->alpha_src = "plugin";
}
static void half_f32(tpc_comp *c, const float *x, float *out, tpc_msg *m, const tpc_ctx *ctx) {
  (void)c, (void)x, (void)out, (void)m, (void)ctx;
}
static void half_f64(tpc_comp *c, const double *x, double *out, tpc_msg *m, const tpc_ctx *ctx) {
  (void)c, (void)x, (void)out, (void)m, (void)ctx;
}
static const tpc_comp_type half = {.name = "half", .synopsis = "half", .summary = "x/2",
                                   .declared = "B(3/4)", .theory = "T1",
                                   .init = half_init, .consts = half_consts,
                                   .compress_f32 = half_f32, .compress_f64 = half_f64};

Test(registry, new_types_register_once_and_build) {
  cr_assert(eq(int, tpc_registry_add_comp(reg, &half), TPC_OK));
  cr_assert(eq(int, tpc_registry_add_comp(reg, &half), TPC_EINPUT), "a name is taken once");
  tpc_spec *s = NULL;
  int rc = 0;
  cr_assert(eq(int, tpc_spec_parse("ef21(half)", &s), TPC_OK));
  tpc_mech *m = tpc_mech_alloc(reg, s, 10, 1, &rc);
  cr_assert(m != NULL, "%s", tpc_error_msg());
  tpc_mech_consts k;
  tpc_mech_consts_get(m, &k);
  /* EF21 with alpha = 3/4: A = 1 - sqrt(1/4) = 1/2, B = (1/4)/(1/2) = 1/2, exactly. */
  cr_assert(ieee_ulp_eq(dbl, k.A, 0.5, 1));
  cr_assert(ieee_ulp_eq(dbl, k.B, 0.5, 1));
  tpc_mech_free(m);
  tpc_spec_free(s);
}

/* What registration refuses: a plugin's type must be complete and readable. */
Test(registry, incomplete_types_are_refused) {
  tpc_comp_type no_kernel = half, bad_name = half, deep = half, no_text = half;
  no_kernel.name = "nokernel";
  no_kernel.compress_f64 = NULL;
  cr_assert(eq(int, tpc_registry_add_comp(reg, &no_kernel), TPC_EINPUT));
  bad_name.name = "_hidden";
  cr_assert(eq(int, tpc_registry_add_comp(reg, &bad_name), TPC_EINPUT));
  deep.name = "deep";
  deep.nsub = 3;
  cr_assert(eq(int, tpc_registry_add_comp(reg, &deep), TPC_EINPUT));
  no_text.name = "notext";
  no_text.summary = NULL;
  cr_assert(eq(int, tpc_registry_add_comp(reg, &no_text), TPC_EINPUT));
  tpc_mech_type m = *tpc_registry_mech(reg, "3pcv3");
  static const char *const bad_args[] = {"MM", "C+C", "+", "X", "M+"};
  for (size_t i = 0; i < sizeof bad_args / sizeof *bad_args; i++) {
    m.name = "wrapped";
    m.args = bad_args[i];
    cr_assert(eq(int, tpc_registry_add_mech(reg, &m), TPC_EINPUT), "%s", bad_args[i]);
    cr_assert(strstr(tpc_error_msg(), "signature") != NULL);
  }
  m.args = "MC";
  cr_assert(eq(int, tpc_registry_add_mech(reg, &m), TPC_OK));
}

Test(registry, errors_record_their_column) {
  cr_assert(eq(int, check("ef21(topq(k=1))"), TPC_EINPUT));
  cr_assert(eq(sz, tpc_error_column(), 6));
  tpc_spec *s = NULL;
  cr_assert(eq(int, tpc_spec_parse("topk(k=)", &s), TPC_EINPUT));
  cr_assert(eq(sz, tpc_error_column(), 8));
  tpc_error(TPC_EINPUT, "no column");
  cr_assert(eq(sz, tpc_error_column(), 0));
}

Test(registry, truncate_drops_what_came_after_a_count) {
  size_t nc, nm, nc2, nm2;
  tpc_registry_counts(reg, &nc, &nm);
  cr_assert(eq(int, tpc_registry_add_comp(reg, &half), TPC_OK));
  tpc_registry_truncate(reg, nc, nm);
  tpc_registry_counts(reg, &nc2, &nm2);
  cr_assert(eq(sz, nc2, nc));
  cr_assert(eq(sz, nm2, nm));
  cr_assert(tpc_registry_comp(reg, "half") == NULL);
  cr_assert(eq(int, tpc_registry_add_comp(reg, &half), TPC_OK), "the name is free again");
}

static int uses_plugin(const char *text) {
  tpc_spec *s = NULL;
  cr_assert(eq(int, tpc_spec_parse(text, &s), TPC_OK), "parse %s: %s", text, tpc_error_msg());
  int r = tpc_registry_uses_plugin(reg, s);
  tpc_spec_free(s);
  return r;
}

/* What the commands run in a child process: any spec with a registered
** (plugin) type anywhere in its tree, and nothing else. */
Test(registry, uses_plugin_finds_a_plugin_type_at_any_depth) {
  cr_assert(eq(int, tpc_registry_add_comp(reg, &half), TPC_OK));
  cr_assert(eq(int, uses_plugin("gd"), 0));
  cr_assert(eq(int, uses_plugin("3pcv2(urandk(k=2),compose(urandk(k=2),permk))"), 0));
  cr_assert(eq(int, uses_plugin("half"), 1));
  cr_assert(eq(int, uses_plugin("ef21(half)"), 1));
  cr_assert(eq(int, uses_plugin("3pcv2(urandk(k=2),compose(urandk(k=2),half))"), 1));
  cr_assert(eq(int, uses_plugin("nosuchname"), 1), "unknown: not known to be tpc's own");
}
