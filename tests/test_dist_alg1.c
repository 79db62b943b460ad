/*
** Tests of dist/alg1_net.h on the one-process transport (dist/none.c, what
** build/tpc and the unit tests link): the network of one rank runs Algorithm
** 1 through the wire path and gives the plain run's bits, each run's sums of
** times are gathered (rounds = iterations + 1, no bytes without a peer),
** clear forgets them, and the summary has no model without a link.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <string.h>

#include "dist/alg1_net.h"
#include "dist/dist.h"
#include "make_objects.h"

static tpc_registry *reg;

static void setup(void) {
  reg = tpc_registry_alloc();
  cr_assert(reg != NULL);
}

static void teardown(void) { tpc_registry_free(reg); }

static void opts(tpc_alg1_opts *o) {
  tpc_alg1_opts_init(o);
  o->gamma = 0.02;
  o->T = 40;
  o->seed = 3;
  o->observe = 1;
}

Test(dist_alg1, one_rank_gives_the_plain_bits, .init = setup, .fini = teardown) {
  static const char *const specs[] = {"gd", "ef21(topk(k=3))", "marina(urandk(k=3),p=0.3)",
                                      "dcgd_shift(urandk(k=3),shift=diana)", "ef21p(topk(k=4))",
                                      NULL};
  int status;
  tpc_dist_alg1 *d = tpc_dist_alg1_alloc(&status);
  cr_assert(d != NULL);
  cr_assert(eq(int, tpc_dist_alg1_links(d), TPC_OK), "%s", tpc_error_msg());
  tpc_problem *p = test_problem_make("quad(d=30,n=9,s=1,seed=2)");
  for (int k = 0; specs[k]; k++) {
    tpc_method *m = test_method_make(reg, NULL, p, specs[k], NULL);
    tpc_alg1_opts o;
    tpc_alg1_result plain, net;
    opts(&o);
    cr_assert(eq(int, tpc_method_run(m, &o, &plain), TPC_OK));
    tpc_dist_alg1_clear(d);
    o.net = tpc_dist_alg1_net(d);
    cr_assert(eq(int, tpc_method_run(m, &o, &net), TPC_OK), "%s", tpc_error_msg());
    cr_expect(plain.npoints == net.npoints &&
                  !memcmp(plain.points, net.points, plain.npoints * sizeof *plain.points),
              "%s", specs[k]);
    tpc_dist_alg1_summary s;
    tpc_dist_alg1_summary_get(d, &s);
    cr_expect(eq(u64, s.rounds, net.iters + 1), "%s", specs[k]);
    cr_expect(s.grad > 0 && s.compress > 0 && s.stats >= 0, "%s", specs[k]);
    cr_expect(isnan(s.model) && isnan(s.ratio), "%s: a model without a link", specs[k]);
    tpc_alg1_result_free(&plain);
    tpc_alg1_result_free(&net);
    tpc_method_free(m);
  }
  tpc_dist_alg1_clear(d);
  tpc_dist_alg1_summary s;
  tpc_dist_alg1_summary_get(d, &s);
  cr_expect(eq(u64, s.rounds, 0), "clear forgets the runs");
  tpc_problem_free(p);
  tpc_dist_alg1_free(d);
}
