#!/bin/sh
# Command tests: run the tpc binary ($TPC) as a user would and check exit
# codes and output.  Prints one line per failure and a closing
# "N passed, N failed" line; exits 1 when any check failed.
. "$(dirname "$0")/lib.sh"

expect 0 "help" -- --help
has out "describe" "help lists describe"
expect 0 "version" -- --version
has out "tpc " "version line"
expect 2 "no command" --
expect 2 "unknown command" -- frobnicate
has err "not a tpc command" "unknown command message"

# list: every row of T2 and T3
expect 0 "list" -- list
for name in identity topk randk urandk permk bernoulli natural dither sign threshold \
            scaled compose gd ef21 lag clag 3pcv1 3pcv2 3pcv3 3pcv4 3pcv5 adacgd \
            marina shifted diana; do
  has out "  $name" "list shows $name"
done

# describe: CLAG's row of THEORY.md T3 with alpha = 0.1, A = 1 - sqrt(0.9),
# B = max(0.9/(1 - sqrt(0.9)), 2)
expect 0 "describe clag" -- describe 'clag(topk(k=10),zeta=2)' --d 100
A=$(awk '$1 == "A" { print $2; exit }' "$tmp/out")
B=$(awk '$1 == "B" { print $2; exit }' "$tmp/out")
if awk -v a="$A" -v b="$B" 'BEGIN {
      ea = 1 - sqrt(0.9); eb = 0.9 / ea; if (eb < 2) eb = 2;
      exit !((a - ea) ^ 2 < (1e-13 * ea) ^ 2 && (b - eb) ^ 2 < (1e-13 * eb) ^ 2) }'; then
  ok; else bad "describe clag: A = $A, B = $B"; fi
has out "T3 CLAG" "describe names the T3 row"
has out "step factor" "describe prints the Theorem 1 factor"
expect 0 "describe compressor" -- describe 'topk(ratio=0.01)' --d 1000
has out "alpha" "describe compressor alpha"

# bad input: exit 2 and a message pointing at the error
expect 2 "malformed spec" -- describe 'topk(k=)'
has err "column 8" "malformed spec names the column"
has err "^" "malformed spec caret"
expect 2 "unknown name" -- describe 'topq(k=1)'
has err "unknown" "unknown name message"
expect 2 "k > d" -- describe 'topk(k=200)' --d 100
has err "k" "k > d message"
expect 2 "bad --d" -- describe 'topk(k=1)' --d zero
expect 2 "bad flag" -- describe 'topk(k=1)' --frobnicate
expect 2 "missing spec" -- describe

echo "e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]
