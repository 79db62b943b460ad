/*
** Tests of how `tpc bench` times a plugin's compressor type (bench/cases.h,
** bench/run.h): a type with a parameter k gets name(k=K) for every k, one
** without keeps its bare spec; a Python type's group adds one bridge case
** (pyidentity, impl "bridge") with the plugin's bytes, and after the
** summaries the plugin's rows note the bridge's cost and share; a type that
** needs a parameter other than k is refused before a run, in a child.
**
** The plugin types here are built-in types registered again under other
** names, with the kernel path of a Python type where a test needs one: the
** cases' logic sees only the registry's names, keys and paths, so no
** interpreter is needed (tests/e2e_pybench.sh runs a real .py plugin).
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <string.h>

#include "bench/cases.h"
#include "bench/run.h"
#include "core/error.h"
#include "registry/pyplugin.h"
#include "registry/registry.h"

static void python_path(const tpc_comp *c, tpc_dtype t, char *buf, size_t size) {
  (void)c;
  (void)t;
  snprintf(buf, size, "%s", TPC_PYPLUGIN_PATH);
}

/* Static storage: the registry keeps the pointers. */
static tpc_comp_type ktype, bare, needp, pyk, pyidentity;

/* The built-in type `from` registered again as `name` (with the Python path
** when python). */
static void add_as(tpc_registry *reg, tpc_comp_type *t, const char *from, const char *name,
                   int python) {
  *t = *tpc_registry_comp(reg, from);
  t->name = name;
  if (python) t->path = python_path;
  cr_assert(eq(int, tpc_registry_add_comp(reg, t), 0), "%s", tpc_error_msg());
}

/* ktype (topk: keys k, ratio), bare (sign: none), needp (bernoulli: p
** required), pyk (topk with the Python path) and the bridge's pyidentity
** (identity with the Python path). */
static tpc_registry *plugin_registry(void) {
  tpc_registry *reg = tpc_registry_alloc();
  cr_assert(ne(ptr, reg, NULL));
  add_as(reg, &ktype, "topk", "ktype", 0);
  add_as(reg, &bare, "sign", "bare", 0);
  add_as(reg, &needp, "bernoulli", "needp", 0);
  add_as(reg, &pyk, "topk", "pyk", 1);
  add_as(reg, &pyidentity, "identity", TPC_PYPLUGIN_BRIDGE, 1);
  return reg;
}

/* The group of kernel at d = 256, ks {4, 8}, every call run once. */
static void build(tpc_registry *reg, const char *kernel, const char *const *f, size_t nf,
                  tpc_bench_inputs *in, tpc_bench_case **c, size_t *n, void **scratch) {
  static const size_t ks[] = {4, 8};
  cr_assert(eq(int, tpc_bench_inputs_alloc(in, TPC_F32, 256, 1, 0), 0));
  int rc = tpc_bench_group_build(reg, kernel, in, ks, 2, f, nf, 1, c, n, scratch);
  cr_assert(eq(int, rc, 0), "%s: %s", kernel, tpc_error_msg());
  for (size_t i = 0; i < *n; i++) (*c)[i].call(&(*c)[i]);
}

/* A type with k is timed at each k as name(k=K), as topk is; one without
** keeps its bare spec, once whatever the number of ks.  Only the registry
** knows a plugin's keys. */
Test(bench_plugin, k_from_the_type_keys) {
  tpc_registry *reg = plugin_registry();
  cr_assert(tpc_bench_kernel_has_k(reg, "ktype"));
  cr_assert(not(tpc_bench_kernel_has_k(NULL, "ktype")));
  cr_assert(not(tpc_bench_kernel_has_k(reg, "bare")));
  cr_assert(tpc_bench_kernel_has_k(reg, "topk"));
  cr_assert(not(tpc_bench_kernel_has_k(reg, "sign")));
  tpc_bench_inputs in;
  tpc_bench_case *c;
  size_t n;
  void *scratch;
  build(reg, "ktype", NULL, 0, &in, &c, &n, &scratch);
  cr_assert(eq(sz, n, 3 + 2), "two k, no bridge for a C type");
  for (size_t i = 0; i < 2; i++) {
    char spec[32];
    snprintf(spec, sizeof spec, "ktype(k=%d)", 4 << i);
    cr_assert(eq(str, c[3 + i].spec, spec));
    cr_assert(eq(sz, c[3 + i].k, (size_t)4 << i));
    cr_assert(eq(str, c[3 + i].impl, "comp"));
  }
  tpc_bench_group_free(c, n, scratch);
  tpc_bench_inputs_free(&in);
  build(reg, "bare", NULL, 0, &in, &c, &n, &scratch);
  cr_assert(eq(sz, n, 3 + 1));
  cr_assert(eq(str, c[3].spec, "bare"));
  cr_assert(eq(sz, c[3].k, 0));
  tpc_bench_group_free(c, n, scratch);
  tpc_bench_inputs_free(&in);
  tpc_registry_free(reg);
}

/* A Python type's group has one bridge case per (dtype, d) whatever the
** number of ks: the same kernel, impl "bridge", k 0, pyidentity's spec and
** path, and the bytes of the plugin's cases (its floor is theirs).  --impl
** comp keeps it: it is part of timing the plugin. */
Test(bench_plugin, python_type_gets_one_bridge_case) {
  tpc_registry *reg = plugin_registry();
  const char *f[] = {"comp"};
  for (size_t nf = 0; nf < 2; nf++) {
    tpc_bench_inputs in;
    tpc_bench_case *c;
    size_t n;
    void *scratch;
    build(reg, "pyk", f, nf, &in, &c, &n, &scratch);
    cr_assert(eq(sz, n, 3 + 2 + 1));
    tpc_bench_case *b = &c[5];
    cr_assert(eq(str, b->kernel, "pyk"));
    cr_assert(eq(str, b->impl, TPC_BENCH_BRIDGE));
    cr_assert(eq(str, b->spec, TPC_PYPLUGIN_BRIDGE));
    cr_assert(eq(str, b->path, TPC_PYPLUGIN_PATH));
    cr_assert(eq(sz, b->k, 0));
    cr_assert(eq(int, b->role, TPC_BENCH_KERNEL));
    for (size_t i = 3; i < 5; i++) {
      cr_assert(eq(str, c[i].path, TPC_PYPLUGIN_PATH));
      cr_assert(eq(dbl, b->bytes_read, c[i].bytes_read));
      cr_assert(eq(dbl, b->bytes_written, c[i].bytes_written));
    }
    tpc_bench_group_free(c, n, scratch);
    tpc_bench_inputs_free(&in);
  }
  tpc_registry_free(reg);
}

/* A summarized case as the notes see it. */
static void summarized(tpc_bench_case *c, const char *kernel, const char *impl,
                       const char *path, double median) {
  memset(c, 0, sizeof *c);
  snprintf(c->kernel, sizeof c->kernel, "%s", kernel);
  snprintf(c->impl, sizeof c->impl, "%s", impl);
  snprintf(c->path, sizeof c->path, "%s", path);
  c->role = TPC_BENCH_KERNEL;
  c->sum.median = median;
}

/* The Python rows of the bridge's kernel note its median and share; the
** bridge itself, other kernels, other paths and bandwidth rows keep theirs;
** without a bridge case nothing changes. */
Test(bench_plugin, bridge_notes) {
  tpc_bench_case c[5];
  summarized(&c[0], "bandwidth", "read", "avx512", 100);
  c[0].role = TPC_BENCH_BANDWIDTH;
  summarized(&c[1], "pyk", "comp", TPC_PYPLUGIN_PATH, 10000);
  summarized(&c[2], "pyk", "comp", TPC_PYPLUGIN_PATH, 2500000);
  summarized(&c[3], "pyk", TPC_BENCH_BRIDGE, TPC_PYPLUGIN_PATH, 2500);
  summarized(&c[4], "topk", "comp", "filter/avx512", 500);
  tpc_bench_bridge_notes(c, 5);
  cr_assert(eq(str, c[1].note, "bridge 2.5 us (25 %)"));
  cr_assert(eq(str, c[2].note, "bridge 2.5 us (0.1 %)"));
  cr_assert(eq(str, c[0].note, ""));
  cr_assert(eq(str, c[3].note, ""));
  cr_assert(eq(str, c[4].note, ""));
  /* the two Python rows without their bridge case */
  c[1].note[0] = c[2].note[0] = '\0';
  tpc_bench_bridge_notes(c + 1, 2);
  cr_assert(eq(str, c[1].note, ""));
  cr_assert(eq(str, c[2].note, ""));
  /* counted runs: instructions instead of medians */
  summarized(&c[1], "pyk", "comp", TPC_PYPLUGIN_PATH, 0);
  summarized(&c[3], "pyk", TPC_BENCH_BRIDGE, TPC_PYPLUGIN_PATH, 0);
  c[1].instructions = 4e6;
  c[3].instructions = 1e6;
  tpc_bench_bridge_notes(c, 4);
  cr_assert(eq(str, c[1].note, "bridge 1e+06 ins (25 %)"));
}

/* A type that needs a parameter other than k is refused with a message that
** names it and says why; so is a k its constructor refuses; built-ins and
** buildable specs pass. */
Test(bench_plugin, kernel_check) {
  tpc_registry *reg = plugin_registry();
  cr_assert(eq(int, tpc_bench_kernel_check(reg, "needp", 64, 0), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "bench needp: needp at d = 64"), NULL), "%s",
            tpc_error_msg());
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "cannot be timed"), NULL), "%s", tpc_error_msg());
  cr_assert(eq(int, tpc_bench_kernel_check(reg, "ktype", 64, 100), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "ktype(k=100)"), NULL), "%s", tpc_error_msg());
  cr_assert(eq(int, tpc_bench_kernel_check(reg, "ktype", 64, 8), TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(int, tpc_bench_kernel_check(reg, "bare", 64, 0), TPC_OK), "%s", tpc_error_msg());
  cr_assert(eq(int, tpc_bench_kernel_check(reg, "topk", 64, 100), TPC_OK));
  cr_assert(eq(int, tpc_bench_kernel_check(reg, "nosuch", 64, 1), TPC_EINPUT));
  tpc_registry_free(reg);
}

/* The plan check runs the kernel checks at every d and k of the plan in a
** child and brings its message back: --ratio 0.5 at d = 16 and 64 asks for
** ktype(k=8) and ktype(k=32), both buildable; --k 32 at d = 16 is not. */
Test(bench_plugin, plan_check_in_child) {
  tpc_registry *reg = plugin_registry();
  const char *kernels[] = {"topk", "ktype"}, *bad[] = {"sign", "needp"};
  const size_t d[] = {16, 64}, k[] = {32};
  const double ratio[] = {0.5};
  const tpc_dtype dt[] = {TPC_F32};
  tpc_bench_plan p = {kernels, 2, d, 2, NULL, 0, ratio, 1, dt, 1, NULL, 0, 1, 1, 1, 0};
  cr_assert(eq(int, tpc_bench_plan_check_plugins(reg, &p, NULL), TPC_OK), "%s", tpc_error_msg());
  p.k = k;
  p.nk = 1;
  cr_assert(eq(int, tpc_bench_plan_check_plugins(reg, &p, NULL), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "ktype(k=32) at d = 16"), NULL), "%s",
            tpc_error_msg());
  p.kernels = bad;
  cr_assert(eq(int, tpc_bench_plan_check_plugins(reg, &p, NULL), TPC_EINPUT));
  cr_assert(ne(ptr, strstr(tpc_error_msg(), "needp"), NULL), "%s", tpc_error_msg());
  tpc_registry_free(reg);
}
