#!/bin/sh
# Command tests of the regression gate on a real slowdown: tests/plugins/
# planted.c built twice under one type name, as sign and as sign with an
# extra pass over a tenth of its input.  `tpc regress` with a baseline of the
# first build passes the first build again and fails the second on its
# instruction count (the gate), whatever the machine's load, while the
# unchanged kernels of that same run pass; its timings only warn.  (The
# unchanged tree passing the committed baseline is e2e_report.sh's and CI's
# regress run.)  Needs valgrind (or a perf counter); an
# AddressSanitizer build, which valgrind cannot run, is not tested here
# (make test runs the plain build).
. "$(dirname "$0")/lib.sh"
db="$tmp/gate.sqlite"
case $TPC in */build-san/*)
  echo "e2e_gate: 0 passed, 0 failed (AddressSanitizer build: valgrind cannot run it)"; exit 0 ;;
esac
for v in 0 1; do
  if cc -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror -fPIC -shared -Isrc \
       $(pkg-config --cflags gsl) -DPLANTED_SLOWDOWN=$v tests/plugins/planted.c \
       -o "$tmp/planted$v.so" 2>"$tmp/cc.log"; then ok; else
    bad "planted plugin ($v): build failed"; cat "$tmp/cc.log"; fi
done

expect 0 "baseline of the unchanged kernel" -- regress --plugin "$tmp/planted0.so" --update \
  --baseline "$tmp/gate.sql" --db "$db"
expect 1 "the planted slowdown fails the gate" -- regress --plugin "$tmp/planted1.so" \
  --baseline "$tmp/gate.sql" --db "$db"
has out "FAIL bench  planted f32 d=16384 comp" "the planted kernel named"
has out "instructions: " "failed on its instruction count"
lacks out "FAIL bench  sign" "the unchanged kernels pass"
n=$(grep -c "^FAIL" "$tmp/out")
if [ "$n" = 1 ]; then ok
else bad "one failure, the planted kernel's: $n"; grep "^FAIL" "$tmp/out"; fi

echo "e2e_gate: $pass passed, $fail failed"
[ "$fail" = 0 ]
