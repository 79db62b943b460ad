/* A program built only from the installed headers and `pkg-config tpc`:
** proves that make install ships what an outside user (or a plugin) needs. */
#include <stdio.h>
#include <tpc.h>

int main(void) {
  tpc_registry *r = tpc_registry_alloc();
  tpc_spec *s = NULL;
  int rc = r ? tpc_spec_parse("ef21(topk(k=3))", &s) : TPC_ENOMEM;
  tpc_mech *m = rc ? NULL : tpc_mech_alloc(r, s, 12, 1, &rc);
  if (!m) {
    fprintf(stderr, "consumer: %s\n", tpc_error_msg());
    return 1;
  }
  tpc_mech_consts k;
  tpc_mech_consts_get(m, &k);
  /* alpha = 3/12 = 1/4: A = 1 - sqrt(3/4), B = (3/4)/A */
  printf("A=%.6f B=%.6f\n", k.A, k.B);
  tpc_mech_free(m);
  tpc_spec_free(s);
  tpc_registry_free(r);
  return 0;
}
