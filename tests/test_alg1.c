/*
** Tests of src/methods (Algorithm 1, THEORY.md T4) on the toy separable
** quadratic of rate_toy.h, whose constants are known in closed form.
**
**  - gd: Algorithm 1 with `gd` is plain gradient descent, point for point.
**  - threads: every deterministic and randomized method gives bit-identical
**    trajectories for 1 and 2 threads and across repeated runs (on a toy
**    big enough to run in parallel: setup_parallel), and a small problem
**    runs on one thread whatever is asked; on quad and logreg, 1 to 3
**    threads and every kernel path give the same trajectory with n not a
**    multiple of the four-client blocks and n d on both sides of the
**    parallel threshold.
**  - wire: with every message encoded, decoded and applied at the server, no
**    server copy ever differs from its client, and the trajectory equals the
**    unchecked one bit for bit, on 1 and 2 threads.
**  - theorem1: deterministic methods at Theorem 1's step meet its bound.
**  - marina: the shared coin is the same for all clients in a round.
**  - stops, inits, x0, EF21-P, errors.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "methods/alg1.h"
#include "core/error.h"
#include "problems/problem.h"
#include "registry/registry.h"
#include "rate_toy.h"
#include "kernel_env.h"

static tpc_alg1 *make(const char *method, const char *server) {
  tpc_spec *m = NULL, *s = NULL;
  int status;
  cr_assert(eq(int, tpc_spec_parse(method, &m), TPC_OK));
  if (server) cr_assert(eq(int, tpc_spec_parse(server, &s), TPC_OK));
  tpc_alg1 *a = tpc_alg1_alloc(toy, reg, m, s, &status);
  cr_assert(a != NULL, "%s: %s", method, tpc_error_msg());
  tpc_spec_free(m);
  tpc_spec_free(s);
  return a;
}

/* The Theorem 1 step of the method on the toy problem. */
static double theory_step(const tpc_alg1 *a) {
  tpc_mech_consts k;
  tpc_alg1_consts(a, &k);
  return tpc_alg1_step_theorem1(toy->c.Lminus.value, toy->c.Lplus.value, k.A, k.B);
}

static void run(tpc_alg1 *a, const tpc_alg1_opts *o, tpc_alg1_result *r) {
  int rc = tpc_alg1_run(a, o, r);
  cr_assert(eq(int, rc, TPC_OK), "%s", tpc_error_msg());
}

static int same_points(const tpc_alg1_result *a, const tpc_alg1_result *b) {
  return a->npoints == b->npoints &&
         memcmp(a->points, b->points, a->npoints * sizeof *a->points) == 0;
}

static const char *const methods[] = {
    "gd", "ef21(topk(k=4))", "lag(zeta=4)", "clag(topk(k=4),zeta=2)",
    "3pcv1(topk(k=4))", "3pcv2(urandk(k=2),topk(k=2))", "3pcv3(lag(zeta=4),topk(k=4))",
    "3pcv4(topk(k=2),topk(k=2))", "3pcv5(topk(k=4),p=0.2)",
    "adacgd(topk(k=1),topk(k=4),zeta=4)", "marina(urandk(k=4),p=0.2)",
    "marina(permk,p=0.1)", "shifted(topk(k=4))", "diana(urandk(k=20))",
    "ef21(scaled(natural))", "ef21(sign)", "3pcv2(dither(s=4),topk(k=4))", NULL};

/* With exact initialization, g^t is the full gradient, so x^{t+1} =
** x^t - gamma grad f(x^t) computed here with the same sums in the same order:
** equal to the last bit. */
Test(alg1, gd_is_gradient_descent, .init = setup, .fini = teardown) {
  tpc_alg1 *a = make("gd", NULL);
  tpc_alg1_opts o;
  tpc_alg1_result r;
  tpc_alg1_opts_init(&o);
  o.T = 50;
  o.gamma = theory_step(a);
  cr_assert(ieee_ulp_eq(dbl, o.gamma, 1.0 / toy->c.Lminus.value, 0));
  run(a, &o, &r);
  size_t d = toy->d, n = toy->n;
  double *x = malloc(d * sizeof(double)), *g = calloc(d, sizeof(double)),
         *gi = malloc(d * sizeof(double));
  char work[16];
  memcpy(x, toy->x0, d * sizeof(double));
  for (uint64_t t = 0; t <= o.T; t++) {
    double f = 0;
    memset(g, 0, d * sizeof(double));
    for (size_t i = 0; i < n; i++) {
      f += toy_grad(toy, i, x, gi, work);
      for (size_t j = 0; j < d; j++) g[j] += gi[j];
    }
    double gn = 0;
    for (size_t j = 0; j < d; j++) {
      g[j] /= (double)n;
      gn += g[j] * g[j];
    }
    cr_assert(eq(u64, r.points[t].t, t));
    cr_assert(ieee_ulp_eq(dbl, r.points[t].f, f / (double)n, 0));
    cr_assert(ieee_ulp_eq(dbl, r.points[t].gnorm2, gn, 0));
    cr_assert(ieee_ulp_eq(dbl, r.points[t].G, 0.0, 0));
    for (size_t j = 0; j < d; j++) x[j] -= o.gamma * g[j];
  }
  cr_assert(eq(int, r.stop, TPC_ALG1_STOP_T));
  cr_assert(eq(u64, r.iters, 50));
  /* GD sends the dense gradient every round: n (64 d + header) bits. */
  cr_assert(eq(u64, r.last.bits_up % (51 * n), 0));
  cr_assert(eq(u64, r.last.bits_up_paper, 51 * n * 64 * d));
  free(x);
  free(g);
  free(gi);
  tpc_alg1_result_free(&r);
  tpc_alg1_free(a);
}

Test(alg1, threads_and_repeats_bit_identical, .init = setup_parallel, .fini = teardown) {
  for (size_t k = 0; methods[k]; k++) {
    tpc_alg1 *a = make(methods[k], NULL);
    tpc_alg1_opts o;
    tpc_alg1_result r1, r2, r3;
    tpc_alg1_opts_init(&o);
    o.T = 60;
    o.seed = 7;
    o.rep = 3;
    o.gamma = theory_step(a);
    run(a, &o, &r1);
    o.threads = 2;
    run(a, &o, &r2);
    run(a, &o, &r3);
    cr_assert(same_points(&r1, &r2), "%s: 1 vs 2 threads", methods[k]);
    cr_assert(same_points(&r2, &r3), "%s: repeated run", methods[k]);
    cr_assert(eq(u64, r1.npoints, 61));
    tpc_alg1_result_free(&r1);
    tpc_alg1_result_free(&r2);
    tpc_alg1_result_free(&r3);
    tpc_alg1_free(a);
  }
}

static tpc_problem *problem_capped(const char *text, const char *isa) {
  char saved[32];
  tpc_spec *s = NULL;
  int status;
  cr_assert(eq(int, tpc_spec_parse(text, &s), TPC_OK));
  test_kernel_push(isa, saved);
  tpc_problem *p = tpc_problem_alloc(s, &status);
  test_kernel_pop(saved);
  cr_assert(p != NULL, "%s: %s", text, tpc_error_msg());
  tpc_spec_free(s);
  return p;
}

/* method on p with its compressors built under TPC_KERNEL=isa: T = 12 from
** a Gaussian x^0 on `threads` at the Theorem 1 step, into *r. */
static void run_capped(const tpc_problem *p, const char *method, const char *isa, int threads,
                       tpc_alg1_result *r) {
  char saved[32];
  tpc_spec *m = NULL;
  int status;
  cr_assert(eq(int, tpc_spec_parse(method, &m), TPC_OK));
  test_kernel_push(isa, saved);
  tpc_alg1 *a = tpc_alg1_alloc(p, reg, m, NULL, &status);
  test_kernel_pop(saved);
  cr_assert(a != NULL, "%s: %s", method, tpc_error_msg());
  tpc_spec_free(m);
  tpc_alg1_opts o;
  tpc_mech_consts k;
  tpc_alg1_opts_init(&o);
  tpc_alg1_consts(a, &k);
  o.T = 12;
  o.seed = 3;
  o.threads = threads;
  o.x0 = TPC_ALG1_X0_GAUSS;
  o.gamma = tpc_alg1_step_theorem1(p->c.Lminus.value, p->c.Lplus.value, k.A, k.B);
  run(a, &o, r);
  tpc_alg1_free(a);
}

/* Clients run four to a block, the last block short when 4 does not divide
** n, and a round runs in parallel from n d = TPC_ALG1_PAR_VALUES on: the
** trajectory is the one-thread portable one bit for bit for n = 1, 2, 3,
** 5, 7 at n d just below, at and above the threshold, and on logreg with
** clients of unequal rows (phishing: 11055 rows, 68 features, n = 963 and
** 965 on both sides), on 1 to 3 threads and every kernel path (of the
** problem and of the compressors); methods with and without randomness,
** a sparse and a quantized message. */
Test(alg1, short_blocks_threads_and_kernels_bit_identical, .init = setup, .fini = teardown,
     .timeout = 300) {
  static const char *const specs[] = {"gd", "ef21(topk(k=3))", "diana(urandk(k=2))",
                                      "3pcv2(dither(s=4),topk(k=2))"};
  static const size_t ns[] = {1, 2, 3, 5, 7};
  static const char *const isas[] = {"scalar", "avx2", "avx512"};
  char problems[17][64];
  size_t np = 0;
  for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
    for (size_t b = 0; b < 3; b++)
      snprintf(problems[np++], sizeof problems[0], "quad(d=%zu,n=%zu,s=1.3,seed=2)",
               TPC_ALG1_PAR_VALUES / ns[a] - 1 + b, ns[a]);
  snprintf(problems[np++], sizeof problems[0], "logreg(file=\"phishing\",n=963)");
  snprintf(problems[np++], sizeof problems[0], "logreg(file=\"phishing\",n=965)");
  for (size_t pi = 0; pi < np; pi++) {
    tpc_problem *p[3];
    for (size_t i = 0; i < 3; i++) p[i] = problem_capped(problems[pi], isas[i]);
    for (size_t m = 0; m < sizeof specs / sizeof *specs; m++) {
      tpc_alg1_result ref;
      run_capped(p[0], specs[m], "scalar", 1, &ref);
      for (int threads = 1; threads <= 3; threads++)
        for (size_t i = threads == 1; i < 3; i++) {
          tpc_alg1_result r;
          run_capped(p[i], specs[m], isas[i], threads, &r);
          cr_assert(same_points(&ref, &r), "%s %s: %s, %d threads", problems[pi], specs[m],
                    isas[i], threads);
          tpc_alg1_result_free(&r);
        }
      tpc_alg1_result_free(&ref);
    }
    for (size_t i = 0; i < 3; i++) tpc_problem_free(p[i]);
  }
}

/* The fork and join of a parallel round cost more than a small round: below
** TPC_ALG1_PAR_VALUES client-state values a round runs on one thread. */
Test(alg1, small_problems_run_on_one_thread, .init = setup, .fini = teardown) {
  cr_assert(eq(int, tpc_alg1_threads(toy, 2), 1));
  tpc_problem *big = toy_alloc(TPC_ALG1_PAR_VALUES / 32, 32, 1.0, 0);
  cr_assert(eq(int, tpc_alg1_threads(big, 2), 2));
  cr_assert(eq(int, tpc_alg1_threads(big, 1000), 32));
  cr_assert(eq(int, tpc_alg1_threads(big, 1), 1));
  big->d--; /* one value below */
  cr_assert(eq(int, tpc_alg1_threads(big, 2), 1));
  big->d++;
  toy_free(big);
}

/* A different repetition or seed draws other streams: randomized methods
** change, deterministic ones do not. */
Test(alg1, reps_are_independent, .init = setup, .fini = teardown) {
  const char *spec[] = {"ef21(randk(k=4))", "ef21(topk(k=4))"};
  for (int k = 0; k < 2; k++) {
    tpc_alg1 *a = make(spec[k], NULL);
    tpc_alg1_opts o;
    tpc_alg1_result r1, r2;
    tpc_alg1_opts_init(&o);
    o.T = 30;
    o.gamma = theory_step(a);
    run(a, &o, &r1);
    o.rep = 1;
    run(a, &o, &r2);
    cr_assert(eq(int, same_points(&r1, &r2), k == 1), "%s", spec[k]);
    tpc_alg1_result_free(&r1);
    tpc_alg1_result_free(&r2);
    tpc_alg1_free(a);
  }
}

Test(alg1, wire_check_server_equals_clients, .init = setup_parallel, .fini = teardown) {
  for (size_t k = 0; methods[k]; k++) {
    for (int init = 0; init < 3; init++) {
      tpc_alg1 *a = make(methods[k], NULL);
      tpc_alg1_opts o;
      tpc_alg1_result r1, r2;
      tpc_alg1_opts_init(&o);
      o.T = 40;
      o.init = (tpc_alg1_init)init;
      o.gamma = theory_step(a);
      run(a, &o, &r1);
      o.wire_check = 1;
      run(a, &o, &r2); /* TPC_EINTERNAL if a server copy differed */
      cr_assert(same_points(&r1, &r2), "%s init %d", methods[k], init);
      tpc_alg1_result_free(&r2);
      /* Two threads aggregate the server's copies in a separate loop; one
      ** thread fuses it into the client loop: the same sums either way. */
      o.threads = 2;
      run(a, &o, &r2);
      cr_assert(same_points(&r1, &r2), "%s init %d, 2 threads", methods[k], init);
      tpc_alg1_result_free(&r1);
      tpc_alg1_result_free(&r2);
      tpc_alg1_free(a);
    }
  }
}

/* Deterministic methods: no expectation, so Theorem 1 holds for the run
** itself at every T; 1e-12 relative covers the rounding of T sums. */
Test(alg1, theorem1_deterministic, .init = setup, .fini = teardown) {
  const char *det[] = {"gd", "ef21(topk(k=4))", "lag(zeta=4)", "clag(topk(k=4),zeta=2)",
                       "3pcv1(topk(k=4))", "adacgd(topk(k=1),topk(k=4),zeta=4)",
                       "ef21(sign)", NULL};
  for (size_t k = 0; det[k]; k++) {
    tpc_alg1 *a = make(det[k], NULL);
    tpc_alg1_opts o;
    tpc_alg1_result r;
    tpc_alg1_opts_init(&o);
    o.T = 200;
    o.init = TPC_ALG1_INIT_ZERO;
    o.gamma = theory_step(a);
    run(a, &o, &r);
    tpc_mech_consts mc;
    tpc_alg1_consts(a, &mc);
    double T = (double)o.T, delta0 = r.first.f - toy->c.finf.value;
    double bound = 2 * delta0 / (o.gamma * T) + r.first.G / (mc.A * T);
    double measured = r.sum_gnorm2 / T;
    cr_assert(le(dbl, measured, bound * (1 + 1e-12)), "%s: %g > %g", det[k], measured, bound);
    /* and the bound is not vacuous: the run made progress */
    cr_assert(lt(dbl, r.last.gnorm2, r.first.gnorm2), "%s", det[k]);
    tpc_alg1_result_free(&r);
    tpc_alg1_free(a);
  }
}

/* MARINA's coin comes from the round's shared stream: in every round either
** every client sends its dense gradient (heads) or every client sends
** urandk's sparse part (tails), so a round's uplink takes one of exactly
** two bit counts (mixed rounds would give others), the larger being heads;
** after heads g^{t+1} = grad f exactly, so G = 0.  (Tails can give G = 0
** too, once the iterates stop moving in floating point: the round is told
** by its bits, not by G.)  With p = 0.3 over 200 rounds both sides occur
** (probability of one side only < 2 * 0.7^200). */
Test(alg1, marina_shared_coin, .init = setup, .fini = teardown) {
  tpc_alg1 *a = make("marina(urandk(k=4),p=0.3)", NULL);
  tpc_alg1_opts o;
  tpc_alg1_result r;
  tpc_alg1_opts_init(&o);
  o.T = 200;
  o.gamma = theory_step(a);
  run(a, &o, &r);
  uint64_t count[2] = {0, UINT64_MAX}; /* the two bit counts seen, smaller first */
  for (size_t t = 1; t < r.npoints; t++) {
    uint64_t b = r.points[t].bits_up - r.points[t - 1].bits_up;
    if (count[0] == 0 || b == count[0]) count[0] = b;
    else if (count[1] == UINT64_MAX || b == count[1]) count[1] = b;
    else cr_fatal("round %zu: %llu bits, a third count", t, (unsigned long long)b);
  }
  cr_assert(ne(u64, count[1], UINT64_MAX), "both sides of the coin occur");
  uint64_t heads_bits = count[0] > count[1] ? count[0] : count[1];
  uint64_t tails_bits = count[0] > count[1] ? count[1] : count[0];
  int heads = 0;
  for (size_t t = 1; t < r.npoints; t++)
    if (r.points[t].bits_up - r.points[t - 1].bits_up == heads_bits) {
      heads++;
      cr_assert(eq(dbl, r.points[t].G, 0.0), "round %zu: heads leaves g = grad f", t);
    }
  cr_assert(lt(int, 0, heads));
  cr_assert(lt(u64, tails_bits, heads_bits));
  cr_assert(eq(u64, heads_bits % toy->n, 0));
  cr_assert(eq(u64, r.last.bits_up_paper % 64, 0));
  tpc_alg1_result_free(&r);
  tpc_alg1_free(a);
}

Test(alg1, stops, .init = setup, .fini = teardown) {
  tpc_alg1 *a = make("ef21(topk(k=4))", NULL);
  tpc_alg1_opts o;
  tpc_alg1_result r;
  tpc_alg1_opts_init(&o);
  o.T = 100000;
  o.gamma = theory_step(a);
  o.eps = 1e-6;
  run(a, &o, &r);
  cr_assert(eq(int, r.stop, TPC_ALG1_STOP_EPS));
  cr_assert(le(dbl, r.last.gnorm2, 1e-6));
  cr_assert(lt(dbl, 1e-6, r.points[r.npoints - 2].gnorm2));
  cr_assert(eq(u64, r.last.t, r.iters));
  tpc_alg1_result_free(&r);

  o.eps = 0;
  o.bits_budget = 5000;
  o.record_every = 7;
  run(a, &o, &r);
  cr_assert(eq(int, r.stop, TPC_ALG1_STOP_BITS));
  cr_assert(ge(u64, r.last.bits_up / toy->n, 5000));
  /* one round sends at most n topk(4) messages; the previous point was under */
  cr_assert(eq(u64, r.points[r.npoints - 1].t, r.iters));
  for (size_t k = 0; k + 1 < r.npoints; k++) {
    cr_assert(eq(u64, r.points[k].t % 7, 0));
    cr_assert(lt(u64, r.points[k].bits_up / toy->n, 5000));
  }
  tpc_alg1_result_free(&r);

  o.bits_budget = 0;
  o.record_every = 1;
  o.gamma *= 64;
  o.diverge = 1e6;
  run(a, &o, &r);
  cr_assert(eq(int, r.stop, TPC_ALG1_STOP_DIVERGED));
  cr_assert(lt(dbl, 1e6 * r.first.gnorm2, r.last.gnorm2));
  tpc_alg1_result_free(&r);

  o.diverge = 0; /* only the guard: non-finite or huge gradients */
  o.gamma *= 1e3;
  run(a, &o, &r);
  cr_assert(eq(int, r.stop, TPC_ALG1_STOP_DIVERGED));
  cr_assert(lt(u64, r.iters, 1000));
  tpc_alg1_result_free(&r);
  tpc_alg1_free(a);
}

/* The first t whose f at the model (f_x with EF21-P) is at most target. */
static uint64_t first_below(const tpc_alg1_result *r, int at_x, double target) {
  for (size_t k = 0; k < r->npoints; k++)
    if ((at_x ? r->points[k].f_x : r->points[k].f) <= target) return r->points[k].t;
  return UINT64_MAX;
}

/* f_stop stops at the first t with f(x^t) <= f_target, at the model x^t
** (not EF21-P's w^t), as a reference run of the same method shows. */
Test(alg1, f_target_stops_at_model, .init = setup, .fini = teardown) {
  const char *servers[] = {NULL, "topk(k=8)"};
  for (size_t k = 0; k < 2; k++) {
    tpc_alg1 *a = make("ef21(topk(k=4))", servers[k]);
    tpc_alg1_opts o;
    tpc_alg1_result ref, r;
    tpc_alg1_opts_init(&o);
    o.T = 200;
    o.gamma = theory_step(a);
    o.observe = 1;
    run(a, &o, &ref);
    double target = servers[k] ? ref.points[60].f_x : ref.points[60].f;
    uint64_t want = first_below(&ref, servers[k] != NULL, target);
    cr_assert(le(u64, want, 60));
    o.f_stop = 1;
    o.f_target = target;
    run(a, &o, &r);
    cr_assert(eq(int, r.stop, TPC_ALG1_STOP_F), "server %s", servers[k] ? servers[k] : "none");
    cr_assert(eq(u64, r.iters, want));
    cr_assert(eq(sz, r.npoints, (size_t)want + 1));
    cr_assert(memcmp(r.points, ref.points, r.npoints * sizeof *r.points) == 0,
              "the stop changes no point before it");
    cr_assert(eq(str, (char *)tpc_alg1_stop_name(r.stop), "f"));
    tpc_alg1_result_free(&ref);
    tpc_alg1_result_free(&r);
    tpc_alg1_free(a);
  }
}

static int cancel_at_10(void *ctx) { return ++*(int *)ctx > 10; }

Test(alg1, cancel, .init = setup, .fini = teardown) {
  tpc_alg1 *a = make("gd", NULL);
  tpc_alg1_opts o;
  tpc_alg1_result r;
  int calls = 0;
  tpc_alg1_opts_init(&o);
  o.gamma = theory_step(a);
  o.cancel = cancel_at_10;
  o.cancel_ctx = &calls;
  run(a, &o, &r);
  cr_assert(eq(int, r.stop, TPC_ALG1_STOP_CANCELLED));
  cr_assert(eq(u64, r.iters, 10));
  tpc_alg1_result_free(&r);
  tpc_alg1_free(a);
}

/* G^0 by initialization: exact 0; zero (1/n) sum ||grad f_i(x^0)||^2, and
** nothing sent; compressed with topk(k=d) is exact (EF21 of the identity). */
Test(alg1, inits, .init = setup, .fini = teardown) {
  tpc_alg1 *a = make("ef21(topk(k=42))", NULL);
  tpc_alg1_opts o;
  tpc_alg1_result r;
  tpc_alg1_opts_init(&o);
  o.T = 1;
  o.gamma = theory_step(a);
  o.init = TPC_ALG1_INIT_ZERO;
  run(a, &o, &r);
  double G0 = 0, gi[42];
  char work[16];
  for (size_t i = 0; i < toy->n; i++) {
    toy_grad(toy, i, toy->x0, gi, work);
    for (size_t j = 0; j < 42; j++) G0 += gi[j] * gi[j];
  }
  cr_assert(ieee_ulp_eq(dbl, r.first.G, G0 / (double)toy->n, 8));
  cr_assert(eq(u64, r.first.bits_up, 0));
  tpc_alg1_result_free(&r);
  o.init = TPC_ALG1_INIT_COMPRESSED;
  run(a, &o, &r);
  cr_assert(ieee_ulp_eq(dbl, r.first.G, 0.0, 0));
  cr_assert(eq(u64, r.first.bits_up_paper, toy->n * 64 * 42));
  tpc_alg1_result_free(&r);
  tpc_alg1_free(a);
}

/* x^0 choices: zero gives f = 0 at the start; Gaussian depends on the seed
** only (not on the repetition). */
Test(alg1, start_points, .init = setup, .fini = teardown) {
  tpc_alg1 *a = make("gd", NULL);
  tpc_alg1_opts o;
  tpc_alg1_result r1, r2, r3;
  tpc_alg1_opts_init(&o);
  o.T = 1;
  o.gamma = theory_step(a);
  o.x0 = TPC_ALG1_X0_ZERO;
  run(a, &o, &r1);
  cr_assert(ieee_ulp_eq(dbl, r1.first.f, 0.0, 0));
  tpc_alg1_result_free(&r1);
  o.x0 = TPC_ALG1_X0_GAUSS;
  run(a, &o, &r1);
  o.rep = 5;
  run(a, &o, &r2);
  o.seed = 2;
  run(a, &o, &r3);
  cr_assert(ieee_ulp_eq(dbl, r1.first.f, r2.first.f, 0));
  cr_assert(not(ieee_ulp_eq(dbl, r1.first.f, r3.first.f, 0)));
  tpc_alg1_result_free(&r1);
  tpc_alg1_result_free(&r2);
  tpc_alg1_result_free(&r3);
  tpc_alg1_free(a);
}

/* EF21-P with the identity: w^{t+1} = w^t + (x^{t+1} - w^t) is x^{t+1} up to
** one rounding per step, so the trajectory matches the plain one to 1e-9
** relative over 50 contracting steps; downlink bits are one dense message a
** round.  With topk the downlink is sparse, cheaper, and still converges. */
Test(alg1, ef21p_server, .init = setup, .fini = teardown) {
  tpc_alg1 *a = make("ef21(topk(k=4))", NULL), *b = make("ef21(topk(k=4))", "identity"),
           *c = make("ef21(topk(k=4))", "topk(k=8)");
  tpc_alg1_opts o;
  tpc_alg1_result ra, rb, rc;
  tpc_alg1_opts_init(&o);
  o.T = 50;
  o.gamma = theory_step(a);
  o.wire_check = 1;
  run(a, &o, &ra);
  run(b, &o, &rb);
  run(c, &o, &rc);
  for (size_t t = 0; t <= 50; t++)
    cr_assert(epsilon_eq(dbl, ra.points[t].f, rb.points[t].f,
                         1e-9 * fabs(ra.points[t].f) + 1e-300));
  cr_assert(eq(u64, ra.last.bits_down, rb.last.bits_down));
  cr_assert(lt(u64, rc.last.bits_down, rb.last.bits_down / 2));
  cr_assert(lt(dbl, rc.last.gnorm2, rc.first.gnorm2));
  tpc_alg1_result_free(&ra);
  tpc_alg1_result_free(&rb);
  tpc_alg1_result_free(&rc);
  tpc_alg1_free(a);
  tpc_alg1_free(b);
  tpc_alg1_free(c);
}

Test(alg1, errors, .init = setup, .fini = teardown) {
  tpc_spec *m, *s;
  int status;
  cr_assert(eq(int, tpc_spec_parse("topk(k=4)", &m), TPC_OK));
  cr_assert(tpc_alg1_alloc(toy, reg, m, NULL, &status) == NULL);
  cr_assert(eq(int, status, TPC_EINPUT));
  cr_assert(strstr(tpc_error_msg(), "not a mechanism") != NULL);
  tpc_spec_free(m);
  cr_assert(eq(int, tpc_spec_parse("gd", &m), TPC_OK));
  cr_assert(eq(int, tpc_spec_parse("urandk(k=4)", &s), TPC_OK));
  cr_assert(tpc_alg1_alloc(toy, reg, m, s, &status) == NULL);
  cr_assert(eq(int, status, TPC_EINPUT));
  cr_assert(strstr(tpc_error_msg(), "contractive") != NULL);
  tpc_spec_free(s);
  cr_assert(eq(int, tpc_spec_parse("gd", &s), TPC_OK));
  cr_assert(tpc_alg1_alloc(toy, reg, m, s, &status) == NULL);
  cr_assert(eq(int, status, TPC_EINPUT));
  tpc_spec_free(s);
  cr_assert(eq(int, tpc_spec_parse("ef21(topk(k=43))", &s), TPC_OK));
  cr_assert(tpc_alg1_alloc(toy, reg, s, NULL, &status) == NULL);
  cr_assert(eq(int, status, TPC_EINPUT));
  tpc_spec_free(s);
  tpc_alg1 *a = tpc_alg1_alloc(toy, reg, m, NULL, &status);
  tpc_alg1_opts o;
  tpc_alg1_result r;
  tpc_alg1_opts_init(&o);
  cr_assert(eq(int, tpc_alg1_run(a, &o, &r), TPC_EINPUT)); /* gamma unset */
  o.gamma = 0.1;
  o.T = 0;
  cr_assert(eq(int, tpc_alg1_run(a, &o, &r), TPC_EINPUT));
  tpc_alg1_free(a);
  tpc_spec_free(m);
}

Test(alg1, step_formulas) {
  /* GD: A = 1, B = 0 gives 1/L-; PL adds the cap A/(2 mu) */
  cr_assert(ieee_ulp_eq(dbl, tpc_alg1_step_theorem1(2, 3, 1, 0), 0.5, 0));
  cr_assert(ieee_ulp_eq(dbl, tpc_alg1_step_theorem1(1, 2, 0.25, 1), 1.0 / 5.0, 0));
  cr_assert(ieee_ulp_eq(dbl, tpc_alg1_step_pl(1, 2, 0.25, 0.5, 0.01), 1.0 / 5.0, 0));
  cr_assert(ieee_ulp_eq(dbl, tpc_alg1_step_pl(1, 2, 0.25, 0.5, 1.0), 0.125, 0));
}
