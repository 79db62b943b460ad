#!/bin/sh
# Command tests of `tpc bounds` ($TPC): bad input stores nothing (exit 2);
# every built-in spec of the Makefile's RUN_SPECS passes with the default
# settings at d = 100, in float64 and float32, and the attained bounds of
# THEORY.md show a worst ratio of at least 0.99; correct compressors with
# rare events are never violated (pass, or inconclusive naming the draws
# that would decide); identical tables for
# --threads 1 and 2; a plugin compiled here that violates its constant
# (exit 1), crashes or hangs (exit 4, the database still usable); a
# bidir(M_w, M_s) checks both mechanisms, the server's as one node, and a
# server declaring a B 10% too small is caught (exit 1).  Prints
# "e2e_bounds: N passed, N failed" and exits 1 when a check failed.
. "$(dirname "$0")/lib.sh"

# worst SPEC: the worst-ratio column of SPEC's row in $tmp/out.
worst() {
  awk -v s="$1" 'NR == 1 { c = index($0, "worst ratio") }
                 $1 == s { split(substr($0, c), f, " "); print f[1] }' "$tmp/out"
}

# ---- help and bad input: exit 2, nothing stored ----------------------------
expect 0 "help" -- bounds --help
has out "--search-budget" "help lists --search-budget"
has out "--timeout" "help lists --timeout"
has out "--dtype" "help lists --dtype"
db="$tmp/bad.sqlite"
expect 2 "malformed spec" -- bounds 'topk(k=)' --db "$db"
has err "column" "malformed spec names the column"
expect 2 "k > d" -- bounds 'topk(k=200)' --d 100 --db "$db"
has err "k" "k > d message"
expect 2 "unknown name" -- bounds 'topq(k=1)' --db "$db"
expect 2 "confidence" -- bounds 'topk(k=1)' --confidence 1.5 --db "$db"
has err "--confidence" "confidence message"
expect 2 "family" -- bounds 'topk(k=1)' --families gaussian,nope --db "$db"
has err "nope" "family message"
expect 2 "bad flag" -- bounds 'topk(k=1)' --frobnicate --db "$db"
expect 2 "draws" -- bounds 'topk(k=1)' --draws 0 --db "$db"
expect 2 "permk n" -- bounds permk --d 10 --n 3 --db "$db"
expect 2 "no spec" -- bounds --db "$db"
expect 2 "dtype" -- bounds 'topk(k=1)' --dtype f16 --db "$db"
has err "--dtype expects f64 or f32, got 'f16'" "dtype message"
expect 2 "second spec bad" -- bounds 'topk(k=1)' 'ef21(topk(k=0))' --db "$db"
if [ -e "$db" ]; then bad "bad input created the database"; else ok; fi

# ---- every built-in spec with the defaults (d = 100) ----------------------
# RUN_SPECS from the Makefile: one setting of every row of T2 and T3.
specs=$(make -s --no-print-directory print-RUN_SPECS)
eval "set -- $specs"
db="$tmp/run.sqlite"
start=$(date +%s)
expect 0 "RUN_SPECS pass" -- bounds "$@" --db "$db" --threads 2
echo "e2e_bounds: $# specs with the defaults at d = 100: $(( $(date +%s) - start )) s"
rows=$(awk 'NR > 1 && / pass/' "$tmp/out" | wc -l)
if [ "$rows" = "$#" ]; then ok; else bad "$rows of $# rows pass"; cat "$tmp/out"; fi
for s in 'topk(k=10)' 'randk(k=10)' 'urandk(k=10)' 'ef21(topk(k=10))' 'lag(zeta=4)' \
         'clag(topk(k=10),zeta=2)' '3pcv1(topk(k=10))'; do
  w=$(worst "$s")
  if awk -v w="$w" 'BEGIN { exit !(w >= 0.99) }'; then ok; else bad "$s: worst ratio '$w' < 0.99"; fi
done
for s in identity gd '3pcv1(topk(k=10))'; do
  if awk -v s="$s" '$1 == s' "$tmp/out" | grep -qF "no compression"; then ok;
  else bad "$s not flagged as not compressing"; fi
done
if awk '$1 == "topk(k=10)"' "$tmp/out" | grep -qF "no compression"; then
  bad "topk(k=10) flagged as not compressing"; else ok; fi

# ---- the float32 kernels: the same specs pass, stored as f32 -----------------
expect 0 "RUN_SPECS pass at f32" -- bounds "$@" --dtype f32 --db "$db" --threads 2
rows=$(awk 'NR > 1 && / pass/' "$tmp/out" | wc -l)
if [ "$rows" = "$#" ]; then ok; else bad "f32: $rows of $# rows pass"; cat "$tmp/out"; fi
n32=$(sqlite3 "$db" "SELECT count(*) FROM bounds_specs WHERE dtype = 'f32'")
n64=$(sqlite3 "$db" "SELECT count(*) FROM bounds_specs WHERE dtype = 'f64'")
if [ "$n32" = "$#" ] && [ "$n64" = "$#" ]; then ok;
else bad "dtype rows: f32 $n32, f64 $n64 of $#"; fi
w=$(worst 'topk(k=10)')
if awk -v w="$w" 'BEGIN { exit !(w >= 0.99) }'; then ok;
else bad "f32 topk: worst ratio '$w' < 0.99"; fi

# ---- rare events: inconclusive with the draws that decide, never violated ---
# Correct compressors whose rare events the draws may never show: bernoulli
# sends x/p with probability p, three urandk(k=2) keep a coordinate with
# probability 1/125000, urandk(k=1) at d = 1000 keeps the one coordinate
# of a point spanning 300 decades in 1 draw of 1000.  Seeds 1-3 each.
db="$tmp/rare.sqlite"
for seed in 1 2 3; do
  for args in "bernoulli(p=0.001)" "compose(urandk(k=2),compose(urandk(k=2),urandk(k=2)))" \
              "bernoulli(p=1e-300)" "urandk(k=1) --d 1000 --draws 20"; do
    spec=${args%% *}
    opts=${args#"$spec"}
    # shellcheck disable=SC2086 # opts is a list of words
    "$TPC" bounds "$spec" $opts --seed "$seed" --db "$db" --quiet --threads 2 \
      >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" = 0 ] || [ "$got" = 3 ]; then ok;
    else bad "$args, seed $seed: exit $got"; cat "$tmp/err"; fi
    if [ "$got" = 3 ]; then has err "would decide" "$args, seed $seed: draws that decide"; fi
  done
done
expect 3 "bernoulli(p=0.001) inconclusive" -- bounds 'bernoulli(p=0.001)' --db "$db" --quiet
has err "bernoulli(p=0.001): inconclusive: E C(x) = x undecided (--draws " "the draws that decide"

# ---- reproducible whatever the thread count --------------------------------
expect 0 "threads 1" -- bounds 'marina(urandk(k=10),p=0.1)' '3pcv2(urandk(k=5),topk(k=5))' \
  --trials 8 --seed 5 --threads 1 --db "$tmp/t.sqlite"
cp "$tmp/out" "$tmp/one"
expect 0 "threads 2" -- bounds 'marina(urandk(k=10),p=0.1)' '3pcv2(urandk(k=5),topk(k=5))' \
  --trials 8 --seed 5 --threads 2 --db "$tmp/t.sqlite"
if cmp -s "$tmp/one" "$tmp/out"; then ok; else bad "--threads 1 and 2 differ"; diff "$tmp/one" "$tmp/out"; fi
expect 0 "quiet" -- bounds 'topk(k=10)' --trials 4 --quiet --db "$tmp/t.sqlite"
if [ -s "$tmp/out" ]; then bad "--quiet printed a table"; else ok; fi

# ---- a plugin that violates, crashes, hangs --------------------------------
cat >"$tmp/bad.c" <<'EOF'
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "comp/comp.h"
#include "registry/registry.h"

/* e2ezero sends nothing and declares B(0.5); e2ecrash faults; e2ehang hangs. */
static int init(tpc_comp *c, const tpc_spec *s) { (void)c; (void)s; return 0; }
static void consts(const tpc_comp *c, tpc_comp_consts *o) {
  (void)c;
  *o = (tpc_comp_consts){.cls = TPC_CLASS_CONTRACTIVE, .alpha = 0.5, .deterministic = 1, .alpha_src = "e2e"};
}
static void zero64(tpc_comp *c, const double *x, double *out, tpc_msg *m, const tpc_ctx *t) {
  (void)x; (void)t;
  memset(out, 0, c->d * sizeof *out);
  tpc_msg_add(m, TPC_MSG_SKIP, TPC_F64, c->d);
}
static void zero32(tpc_comp *c, const float *x, float *out, tpc_msg *m, const tpc_ctx *t) {
  (void)x; (void)t;
  memset(out, 0, c->d * sizeof *out);
  tpc_msg_add(m, TPC_MSG_SKIP, TPC_F32, c->d);
}
static void crash64(tpc_comp *c, const double *x, double *out, tpc_msg *m, const tpc_ctx *t) {
  (void)c; (void)x; (void)out; (void)m; (void)t;
  raise(SIGSEGV);
}
static void hang64(tpc_comp *c, const double *x, double *out, tpc_msg *m, const tpc_ctx *t) {
  (void)c; (void)x; (void)out; (void)m; (void)t;
  for (;;) pause();
}
#define TYPE(n, f64) {.name = n, .synopsis = n, .summary = "e2e", .declared = "B(0.5)", \
  .theory = "e2e", .init = init, .consts = consts, .compress_f32 = zero32, .compress_f64 = f64}
static const tpc_comp_type zero = TYPE("e2ezero", zero64);
static const tpc_comp_type crash = TYPE("e2ecrash", crash64);
static const tpc_comp_type hang = TYPE("e2ehang", hang64);

int tpc_plugin_init(tpc_registry *r) {
  int rc = tpc_registry_add_comp(r, &zero);
  if (!rc) rc = tpc_registry_add_comp(r, &crash);
  if (!rc) rc = tpc_registry_add_comp(r, &hang);
  return rc;
}
EOF
if ${CC:-cc} -shared -fPIC -Isrc -o "$tmp/bad.so" "$tmp/bad.c" 2>"$tmp/cc.err"; then
  db="$tmp/plugin.sqlite"
  expect 1 "violating plugin" -- bounds e2ezero --plugin "$tmp/bad.so" --trials 4 --db "$db"
  has err "violated" "violation reported"
  expect 4 "crashing plugin" -- bounds 'topk(k=10)' e2ecrash --plugin "$tmp/bad.so" --trials 4 --db "$db"
  has err "signal 11" "crash reported with the signal"
  has out "error" "crash row in the table"
  expect 4 "hanging plugin" -- bounds e2ehang --plugin "$tmp/bad.so" --timeout 1 --trials 4 --db "$db"
  has err "timed out" "hang reported as a time-out"
  expect 0 "database intact" -- bounds 'topk(k=10)' --trials 4 --db "$db"
else
  bad "cannot build the test plugin"; cat "$tmp/cc.err"
fi

# ---- bidir(M_w, M_s): both mechanisms checked, the server's as one node ------
expect 0 "bidir" -- bounds 'bidir(ef21(topk(k=2)),lag(zeta=2))' --d 20 --n 3 --trials 8 \
  --search-budget 200 --db "$tmp/bidir.sqlite"
has out "ef21(topk(k=2)) (client of bidir, n=3)" "the clients' row says so"
has out "lag(zeta=2) (server of bidir, n=1)" "the server's row says so"
db="$tmp/bidir.sqlite"
equals "SELECT group_concat(n) FROM (SELECT n FROM bounds_specs ORDER BY position)" "3,1" \
  "the server is checked at n = 1"
expect 2 "a method without mechanisms" -- bounds 'dcgd(urandk(k=2))' --db "$tmp/bidir.sqlite"
has err "is a method" "the message says what it is"
# A server mechanism declaring a B 10% too small (test_bounds.c's shrunk,
# built here as a plugin): the tight EF21 construction exceeds 0.9 B.
cat >"$tmp/shrunk.c" <<'EOF'
#include "mech/mech.h"
#include "registry/registry.h"

/* e2eshrunk(M): M declaring 0.9 times its B. */
static int init(tpc_mech *m, const tpc_spec *s) { (void)m; (void)s; return 0; }
static void consts(const tpc_mech *m, tpc_mech_consts *o) {
  tpc_mech_consts_get(m->inner, o);
  o->B *= 0.9;
}
static void f64(tpc_mech *m, const double *h, const double *y, const double *x, double *out,
                tpc_msg *msg, const tpc_ctx *ctx) { tpc_mech_apply_f64(m->inner, h, y, x, out, msg, ctx); }
static void f32(tpc_mech *m, const float *h, const float *y, const float *x, float *out,
                tpc_msg *msg, const tpc_ctx *ctx) { tpc_mech_apply_f32(m->inner, h, y, x, out, msg, ctx); }
static const char *const keys[] = {0};
static const tpc_mech_type shrunk = {.name = "e2eshrunk", .synopsis = "e2eshrunk(M)",
  .summary = "e2e", .declared = "0.9 B", .theory = "e2e", .args = "M", .keys = keys,
  .init = init, .consts = consts, .apply_f32 = f32, .apply_f64 = f64};
int tpc_plugin_init(tpc_registry *r) { return tpc_registry_add_mech(r, &shrunk); }
EOF
if ${CC:-cc} -shared -fPIC -Isrc -o "$tmp/shrunk.so" "$tmp/shrunk.c" 2>"$tmp/cc.err"; then
  expect 1 "bidir server with B 10% too small" -- bounds \
    'bidir(ef21(topk(k=2)),e2eshrunk(ef21(topk(k=2))))' --plugin "$tmp/shrunk.so" --d 20 \
    --trials 8 --search-budget 200 --db "$tmp/bidir.sqlite"
  has err "e2eshrunk(ef21(topk(k=2))) (server of bidir, n=1): violated" "the server's row is violated"
  lacks err "(client of bidir, n=4): violated" "the client's row is not"
else
  bad "cannot build the bidir test plugin"; cat "$tmp/cc.err"
fi

# ---- the unbiasedness test's stored rows, bit for bit ----------------------
# tests/unbiased_rows.txt: the rows stored by bounds/unbiased.c as it was
# before its draws were taken in blocks (one pass over the coordinates a
# draw, commit 09ac663), the p-value as SQLite's ieee754() (every bit), on
# unbiased compressors, rare events and the biased coinflip (its adjusted p
# and mean error come from the sums), f64 and f32.  d = 303: a chunk of 256
# coordinates and a partial one whose last 3 the AVX2 loop leaves to the
# portable one; --draws 101: 202 draws, a last block of 2.  Every kernel
# path must store the same rows.
if ${CC:-cc} -shared -fPIC -Isrc -o "$tmp/coinflip.so" tests/plugins/coinflip.c 2>"$tmp/cc.err"; then
  for isa in scalar avx2 avx512; do
    db="$tmp/unbiased_$isa.sqlite"
    export TPC_KERNEL=$isa
    for dt in f64 f32; do
      expect 1 "unbiasedness rows ($isa, $dt)" -- bounds natural 'dither(s=4)' \
        'urandk(k=10)' 'bernoulli(p=0.001)' \
        'compose(urandk(k=2),compose(urandk(k=2),urandk(k=2)))' coinflip \
        --plugin "$tmp/coinflip.so" --d 303 --draws 101 --trials 2 --search-budget 0 \
        --dtype $dt --db "$db" --quiet
    done
    unset TPC_KERNEL
    sqlite3 "$db" "SELECT spec, dtype, unbiased_tests, unbiased_rejected, ieee754(unbiased_p),
                   verdict, reason FROM bounds_specs ORDER BY run_id, position" >"$tmp/rows"
    if cmp -s "$tmp/rows" tests/unbiased_rows.txt; then ok; else
      bad "unbiasedness rows ($isa) differ from tests/unbiased_rows.txt"
      diff tests/unbiased_rows.txt "$tmp/rows"
    fi
  done
else
  bad "cannot build the coinflip plugin"; cat "$tmp/cc.err"
fi

echo "e2e_bounds: $pass passed, $fail failed"
[ "$fail" = 0 ]
