/*
** The Python plugin bridge (registry/pyplugin.h) in-process: what a probe
** learns from a file and registers, the arrays and streams a plugin gets,
** the messages built from its results (decoded bit for bit), errors in its
** constructor, faults in its calls (the process ends with TPC_FAULT_STATUS),
** and calls from several OpenMP threads.  The plugin is written to a
** temporary file by each test; the end-to-end path (a child imports it,
** bounds and rate run it) is tests/e2e_pyplugin.sh.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "registry/pyplugin.h"
#include "rng/pcg.h"

static const char plugin_source[] =
    "import numpy as np\n"
    "import tpc\n"
    "\n"
    "@tpc.compressor('t_half', params={'s': 0.5}, summary='x times s')\n"
    "class Half:\n"
    "    def __init__(self, d, n, s): self.s = s\n"
    "    def constants(self, d, n):\n"
    "        return {'class': 'contractive', 'alpha': 1 - (1 - self.s) ** 2,\n"
    "                'deterministic': True, 'bits': 32.0 * d}\n"
    "    def compress(self, x, rng): return x * x.dtype.type(self.s)\n"
    "\n"
    "@tpc.compressor('t_firstk', params={'k': int})\n"
    "class FirstK:\n"
    "    def __init__(self, d, n, k):\n"
    "        if not 1 <= k <= d: raise ValueError(f'k = {k} is not in 1..{d}')\n"
    "        self.k = k\n"
    "    def constants(self, d, n): return {'class': 'contractive', 'alpha': self.k / d}\n"
    "    def compress(self, x, rng):\n"
    "        out = np.zeros_like(x); out[:self.k] = x[:self.k]; return out\n"
    "\n"
    "@tpc.compressor('t_draws', params={'m': 7})\n"
    "class Draws:\n"
    "    def __init__(self, d, n, m): self.m = m\n"
    "    def constants(self, d, n): return {'class': 'none'}\n"
    "    def compress(self, x, rng):\n"
    "        out = np.zeros(len(x))\n"
    "        out[0] = rng.uniform(); out[1] = rng.uniform_int(self.m)\n"
    "        out[2] = float(rng.words(1)[0] >> np.uint64(11))\n"
    "        out[3:5] = rng.uniform(2); out[5] = rng.client\n"
    "        out[6] = rng.generator().random(); out[7] = rng.generator().random()\n"
    "        return out\n"
    "\n"
    "@tpc.mechanism('t_halfway')\n"
    "class Halfway:\n"
    "    def __init__(self, d, n): pass\n"
    "    def constants(self, d, n): return {'A': 0.75, 'B': 0.25}\n"
    "    def apply(self, h, y, x, rng):\n"
    "        out = h.copy(); out[1::7] = h[1::7] + (x[1::7] - h[1::7]) / 2; return out\n"
    "\n"
    "@tpc.mechanism('t_jump')\n"
    "class Jump(Halfway):\n"
    "    def apply(self, h, y, x, rng):\n"
    "        out = h.copy(); out[1::7] = x[1::7]; return out\n"
    "\n"
    "@tpc.mechanism('t_scaled')\n"
    "class Scaled:\n"
    "    def __init__(self, d, n): pass\n"
    "    def constants(self, d, n): return {'ineq': 'shift', 'c': 0.5, 'unbiased': True}\n"
    "    def apply(self, h, y, x, rng): return x * 1.1\n"
    "\n"
    "@tpc.compressor('t_badclass')\n"
    "class BadClass:\n"
    "    def __init__(self, d, n): pass\n"
    "    def constants(self, d, n): return {'class': 'contractve', 'alpha': 0.5}\n"
    "    def compress(self, x, rng): return x\n"
    "\n"
    "@tpc.compressor('t_raise')\n"
    "class Raise(BadClass):\n"
    "    def constants(self, d, n): return {'class': 'none'}\n"
    "    def compress(self, x, rng): raise RuntimeError('kaboom')\n"
    "\n"
    "@tpc.compressor('t_short')\n"
    "class Short(Raise):\n"
    "    def compress(self, x, rng): return x[1:]\n"
    "\n"
    "@tpc.compressor('t_nan')\n"
    "class Nan(Raise):\n"
    "    def compress(self, x, rng): out = x.copy(); out[3] = np.nan; return out\n";

static tpc_registry *reg;
static char path[64];

/* Write `text` to a new temporary .py file (its name in `path`). */
static void write_plugin(const char *text) {
  snprintf(path, sizeof path, "/tmp/tpc_test_plugin_XXXXXX.py");
  int fd = mkstemps(path, 3);
  cr_assert(fd >= 0);
  size_t n = strlen(text);
  cr_assert(eq(sz, (size_t)write(fd, text, n), n));
  close(fd);
}

static int probe_register(void) {
  static char buf[TPC_PYPLUGIN_PROBE_SIZE];
  int rc = tpc_pyplugin_probe(path, buf, sizeof buf);
  return rc ? rc : tpc_pyplugin_register(reg, path, buf, sizeof buf);
}

static void setup(void) {
  reg = tpc_registry_alloc();
  write_plugin(plugin_source);
  cr_assert(eq(int, probe_register(), TPC_OK), "%s", tpc_error_msg());
}

static void teardown(void) {
  tpc_registry_free(reg);
  unlink(path);
}

TestSuite(pyplugin, .init = setup, .fini = teardown, .timeout = 60);

static tpc_spec *spec(const char *text) {
  tpc_spec *s;
  cr_assert(eq(int, tpc_spec_parse(text, &s), TPC_OK));
  return s;
}

static tpc_comp *comp(const char *text, size_t d) {
  tpc_spec *s = spec(text);
  int rc;
  tpc_comp *c = tpc_comp_alloc(reg, s, d, 4, &rc);
  tpc_spec_free(s);
  cr_assert(c != NULL, "%s: %s", text, tpc_error_msg());
  return c;
}

static tpc_mech *mech(const char *text, size_t d) {
  tpc_spec *s = spec(text);
  int rc;
  tpc_mech *m = tpc_mech_alloc(reg, s, d, 4, &rc);
  tpc_spec_free(s);
  cr_assert(m != NULL, "%s: %s", text, tpc_error_msg());
  return m;
}

/* A call's streams: client stream `index`, no shared stream. */
static tpc_ctx ctx_of(gsl_rng *r) { return (tpc_ctx){.rng = r, .shared = NULL, .client = 3}; }

Test(pyplugin, probe_registers_every_class_with_its_synopsis_and_keys) {
  cr_assert(eq(int, tpc_registry_kind(reg, "t_half"), TPC_KIND_COMP));
  cr_assert(eq(int, tpc_registry_kind(reg, "t_halfway"), TPC_KIND_MECH));
  cr_assert(eq(int, tpc_registry_kind(reg, "pyidentity"), TPC_KIND_COMP));
  const tpc_comp_type *t = tpc_registry_comp(reg, "t_half");
  cr_assert(eq(str, (char *)t->synopsis, "t_half(s=REAL|0.5)"));
  cr_assert(eq(str, (char *)t->summary, "x times s"));
  cr_assert(eq(str, (char *)t->keys[0], "s"));
  cr_assert(t->keys[1] == NULL);
  cr_assert(eq(str, (char *)tpc_registry_comp(reg, "t_firstk")->synopsis, "t_firstk(k=INT)"));
  /* A second file may load beside it: pyidentity is not registered twice,
  ** a name it repeats is refused and nothing of that file stays. */
  size_t nc, nm, nc2, nm2;
  tpc_registry_counts(reg, &nc, &nm);
  cr_assert(eq(int, probe_register(), TPC_EINPUT));
  cr_assert(strstr(tpc_error_msg(), "t_half") != NULL, "%s", tpc_error_msg());
  tpc_registry_counts(reg, &nc2, &nm2);
  cr_assert(eq(sz, nc2, nc));
  cr_assert(eq(sz, nm2, nm));
}

Test(pyplugin, import_errors_name_the_file_line_and_reason) {
  tpc_registry_free(reg);
  reg = tpc_registry_alloc();
  unlink(path);
  write_plugin("import tpc\nx = (\n");
  cr_assert(eq(int, probe_register(), TPC_EINPUT));
  cr_assert(strstr(tpc_error_msg(), "SyntaxError") != NULL, "%s", tpc_error_msg());
  cr_assert(strstr(tpc_error_msg(), "line 2") != NULL, "%s", tpc_error_msg());
  unlink(path);
  write_plugin("import numpy\n");
  cr_assert(eq(int, probe_register(), TPC_EINPUT));
  cr_assert(strstr(tpc_error_msg(), "registers no compressor") != NULL, "%s", tpc_error_msg());
}

Test(pyplugin, constructor_errors_are_bad_input_with_the_python_message) {
  tpc_spec *s = spec("t_firstk(k=50)");
  int rc;
  cr_assert(tpc_comp_alloc(reg, s, 10, 1, &rc) == NULL);
  cr_assert(eq(int, rc, TPC_EINPUT));
  cr_assert(strstr(tpc_error_msg(), "ValueError: k = 50 is not in 1..10") != NULL, "%s",
            tpc_error_msg());
  tpc_spec_free(s);
  s = spec("t_firstk(k=2.5)");
  cr_assert(tpc_comp_alloc(reg, s, 10, 1, &rc) == NULL);
  cr_assert(strstr(tpc_error_msg(), "k must be an integer") != NULL, "%s", tpc_error_msg());
  tpc_spec_free(s);
  s = spec("t_firstk");
  cr_assert(tpc_comp_alloc(reg, s, 10, 1, &rc) == NULL);
  cr_assert(strstr(tpc_error_msg(), "missing parameter k") != NULL, "%s", tpc_error_msg());
  tpc_spec_free(s);
}

Test(pyplugin, declared_constants_come_from_the_plugin) {
  tpc_comp *c = comp("t_half(s=0.25)", 16);
  tpc_comp_consts k;
  tpc_comp_consts_get(c, &k);
  cr_assert(eq(int, k.cls, TPC_CLASS_CONTRACTIVE));
  cr_assert(eq(dbl, k.alpha, 1 - 0.75 * 0.75));
  cr_assert(eq(int, k.deterministic, 1));
  cr_assert(eq(dbl, k.bits_claimed, 32.0 * 16));
  cr_assert(eq(str, (char *)k.alpha_src, "declared by the plugin"));
  tpc_comp_free(c);
  tpc_mech *m = mech("t_scaled", 8);
  tpc_mech_consts mc;
  tpc_mech_consts_get(m, &mc);
  cr_assert(eq(int, mc.ineq, TPC_INEQ_SHIFT));
  cr_assert(eq(dbl, mc.shift_c, 0.5));
  cr_assert(eq(int, mc.unbiased, 1));
  tpc_mech_free(m);
}

Test(pyplugin, dense_and_sparse_messages_decode_to_the_output_in_both_types) {
  enum { D = 40 };
  gsl_rng *r = tpc_rng_alloc_stream(1, TPC_PURPOSE_TEST, 0);
  tpc_ctx ctx = ctx_of(r);
  double x[D], out[D], v[D];
  float xf[D], outf[D], vf[D];
  for (size_t i = 0; i < D; i++) xf[i] = (float)(x[i] = gsl_rng_uniform(r) - 0.5);
  tpc_msg msg;
  tpc_comp *c = comp("t_half", D);
  tpc_msg_reset(&msg);
  tpc_comp_compress_f64(c, x, out, &msg, &ctx);
  memset(v, 0, sizeof v);
  tpc_msg_apply_f64(&msg, v);
  for (size_t i = 0; i < D; i++) cr_assert(eq(dbl, out[i], x[i] * 0.5));
  cr_assert(eq(int, memcmp(v, out, sizeof v), 0));
  cr_assert(eq(int, msg.part[0].kind, TPC_MSG_DENSE));
  tpc_comp_free(c);
  c = comp("t_firstk(k=3)", D);
  tpc_msg_reset(&msg);
  tpc_comp_compress_f32(c, xf, outf, &msg, &ctx);
  memset(vf, 0, sizeof vf);
  tpc_msg_apply_f32(&msg, vf);
  cr_assert(eq(int, memcmp(vf, outf, sizeof vf), 0));
  cr_assert(eq(int, msg.part[0].kind, TPC_MSG_SPARSE));
  cr_assert(eq(sz, msg.part[0].nnz, 3));
  cr_assert(eq(flt, outf[2], xf[2]));
  cr_assert(eq(flt, outf[3], 0.0f));
  tpc_comp_free(c);
  gsl_rng_free(r);
}

Test(pyplugin, a_mechanism_message_rebuilds_its_state_bit_for_bit) {
  enum { D = 64 };
  gsl_rng *r = tpc_rng_alloc_stream(2, TPC_PURPOSE_TEST, 0);
  tpc_ctx ctx = ctx_of(r);
  double h[D], y[D], x[D], out[D], v[D];
  tpc_msg msg;
  /* t_halfway changes every 7th coordinate by an exact difference (sparse);
  ** t_jump replaces them with x, which h + (x - h) does not give back when
  ** |h| >> |x| (absolute dense); t_scaled changes all (dense). */
  const char *specs[] = {"t_halfway", "t_jump", "t_scaled"};
  const tpc_msg_kind kinds[] = {TPC_MSG_SPARSE, TPC_MSG_DENSE, TPC_MSG_DENSE};
  for (size_t s = 0; s < 3; s++) {
    tpc_mech *m = mech(specs[s], D);
    for (int trial = 0; trial < 20; trial++) {
      for (size_t i = 0; i < D; i++) {
        h[i] = gsl_rng_uniform(r) * 1e3 - 500;
        y[i] = gsl_rng_uniform(r);
        x[i] = (gsl_rng_uniform(r) - 0.5) * 1e-3;
      }
      tpc_mech_apply_f64(m, h, y, x, out, &msg, &ctx);
      memcpy(v, h, sizeof v);
      tpc_msg_apply_f64(&msg, v);
      cr_assert(eq(int, memcmp(v, out, sizeof v), 0), "%s, trial %d", specs[s], trial);
      cr_assert(eq(int, msg.part[0].kind, kinds[s]), "%s", specs[s]);
    }
    tpc_mech_free(m);
  }
  gsl_rng_free(r);
}

/* The Rng of a call draws exactly what a C kernel would from the same stream. */
Test(pyplugin, rng_draws_are_the_streams_draws) {
  enum { D = 8 };
  gsl_rng *r = tpc_rng_alloc_stream(9, TPC_PURPOSE_TRIAL, 5);
  gsl_rng *twin = tpc_rng_alloc_stream(9, TPC_PURPOSE_TRIAL, 5);
  tpc_ctx ctx = ctx_of(r);
  double x[D] = {0}, out[D];
  tpc_msg msg;
  tpc_comp *c = comp("t_draws(m=1000)", D);
  tpc_msg_reset(&msg);
  tpc_comp_compress_f64(c, x, out, &msg, &ctx);
  cr_assert(eq(dbl, out[0], gsl_rng_uniform(twin)));
  cr_assert(eq(dbl, out[1], (double)gsl_rng_uniform_int(twin, 1000)));
  cr_assert(eq(dbl, out[2], (double)(gsl_rng_get(twin) >> 11)));
  cr_assert(eq(dbl, out[3], gsl_rng_uniform(twin)));
  cr_assert(eq(dbl, out[4], gsl_rng_uniform(twin)));
  cr_assert(eq(dbl, out[5], 3.0));
  /* generator() is seeded from two words, once per call, and is the same
  ** object afterwards: its two draws differ, and the stream advanced by
  ** exactly two words. */
  cr_assert(out[6] != out[7]);
  gsl_rng_get(twin);
  gsl_rng_get(twin);
  cr_assert(eq(u64, gsl_rng_get(r), gsl_rng_get(twin)));
  tpc_comp_free(c);
  gsl_rng_free(r);
  gsl_rng_free(twin);
}

/* Instances on two OpenMP threads at once: each call takes the GIL, and
** the results are those of the calls made one after another. */
Test(pyplugin, calls_from_openmp_threads_give_the_serial_results) {
  enum { D = 32, CALLS = 40 };
  static double serial[CALLS][D], threaded[CALLS][D];
  double x[D];
  for (size_t i = 0; i < D; i++) x[i] = (double)i - 10.5;
  for (int pass = 0; pass < 2; pass++) {
#pragma omp parallel for num_threads(pass + 1) schedule(static, 1)
    for (int call = 0; call < CALLS; call++) {
      gsl_rng *r = tpc_rng_alloc_stream(4, TPC_PURPOSE_TRIAL, (uint64_t)call);
      tpc_ctx ctx = ctx_of(r);
      tpc_msg msg;
      tpc_comp *c = comp("t_draws(m=50)", D);
      tpc_msg_reset(&msg);
      tpc_comp_compress_f64(c, x, pass ? threaded[call] : serial[call], &msg, &ctx);
      tpc_comp_free(c);
      gsl_rng_free(r);
    }
  }
  cr_assert(eq(int, memcmp(serial, threaded, sizeof serial), 0));
}

/* A fault where the interface has no error return ends the process. */
static void call_faulting(const char *text) {
  enum { D = 8 };
  gsl_rng *r = tpc_rng_alloc_stream(1, TPC_PURPOSE_TEST, 0);
  tpc_ctx ctx = ctx_of(r);
  double x[D] = {1, 2, 3, 4, 5, 6, 7, 8}, out[D];
  tpc_msg msg;
  tpc_comp *c = comp(text, D);
  tpc_comp_consts k;
  tpc_comp_consts_get(c, &k);
  tpc_msg_reset(&msg);
  tpc_comp_compress_f64(c, x, out, &msg, &ctx);
  cr_fail("%s did not fault", text);
}

Test(pyplugin, bad_constants_fault, .exit_code = TPC_FAULT_STATUS) { call_faulting("t_badclass"); }
Test(pyplugin, exception_in_compress_faults, .exit_code = TPC_FAULT_STATUS) {
  call_faulting("t_raise");
}
Test(pyplugin, wrong_shape_faults, .exit_code = TPC_FAULT_STATUS) { call_faulting("t_short"); }
Test(pyplugin, nan_output_faults, .exit_code = TPC_FAULT_STATUS) { call_faulting("t_nan"); }
