#!/bin/sh
# Command tests of `tpc bench` with a Python plugin (tests/plugins/pybench.py):
# a type with a parameter k is timed at the built-in topk's k, on the same
# inputs; each (dtype, d) adds the bridge case (impl bridge: pyidentity, the
# plugin's bytes and floor) and the plugin's rows note the bridge's share;
# bench compare matches the bridge case; tpc report shows the Python kernel
# beside its bridge; a type with a required parameter other than k, and a
# --k beyond d, and a name that is no kernel, exit 2 and store nothing.  Timings are never asserted.
# Prints "e2e_pybench: N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib.sh"
db="$tmp/pybench.sqlite"
plugin="$(dirname "$0")/plugins/pybench.py"

expect 0 "plugin beside topk" -- bench pybtopk topk --plugin "$plugin" --d 1000,2048 \
  --ratio 0.01 --dtype f32 --impl comp --samples 3 --rounds 2 --db "$db"
if grep -q "python3-dev" "$tmp/err"; then
  bad "tpc was built without Python (make deps installs python3-dev)"
fi
# the plugin at the built-in's k (10 and 20), with its spec
equals "SELECT group_concat(k || ' ' || spec, ', ') FROM (SELECT k, spec FROM bench_cases
  WHERE kernel = 'pybtopk' AND impl = 'comp' ORDER BY d)" "10 pybtopk(k=10), 20 pybtopk(k=20)" \
  "plugin cases at k = ratio d"
equals "SELECT count(*) FROM bench_cases p JOIN bench_cases t ON t.kernel = 'topk'
  AND t.impl = 'comp' AND t.d = p.d AND t.dtype = p.dtype AND t.k = p.k
  WHERE p.kernel = 'pybtopk' AND p.impl = 'comp'" 2 "plugin and topk share (dtype, d, k)"
# one bridge case per (dtype, d): the plugin's kernel, no k, its bytes and floor
equals "SELECT count(*) FROM bench_cases WHERE kernel = 'pybtopk' AND impl = 'bridge'
  AND role = 'kernel' AND spec = 'pyidentity' AND path = 'python' AND k IS NULL
  AND median_ns > 0" 2 "bridge cases"
equals "SELECT count(*) FROM bench_cases b JOIN bench_cases p ON p.kernel = b.kernel
  AND p.d = b.d AND p.dtype = b.dtype AND p.impl = 'comp' WHERE b.impl = 'bridge'
  AND b.bytes_read = p.bytes_read AND b.bytes_written = p.bytes_written
  AND b.floor_ns = p.floor_ns" 2 "bridge bytes and floor are the plugin's"
equals "SELECT count(*) FROM bench_cases WHERE kernel = 'pybtopk' AND impl = 'comp'
  AND path = 'python' AND note GLOB 'bridge [0-9]* (*%)'" 2 "plugin notes the bridge"
row=$(grep -E '^pybtopk +f32 +1000 +10 +comp ' "$tmp/out")
case $row in *"bridge "*" %)"*) ok ;; *) bad "table row notes the bridge: '$row'" ;; esac
if grep -Eq '^pybtopk +f32 +1000 +- +bridge ' "$tmp/out"; then ok
else bad "table shows the bridge row"; fi

# compare matches every case, the bridge's included
expect 0 "compare" -- bench compare last last --db "$db"
has out "only in A" "compare summary"
has out "0 only in A, 0 only in B" "compare matches every case"
if grep -Eq '^pybtopk +f32 +1000 +- +bridge ' "$tmp/out"; then ok
else bad "compare shows the bridge case"; fi

# the report: the plugin beside its bridge
expect 0 "report" -- report --db "$db" --out "$tmp/report" --quiet
has report/report.md "Python kernels and the bridge" "report subsection"
time='[0-9.]+ [mun]?s'
if grep -Eq "^\| pybtopk \| f32 \| 1000 \| 10 \| $time \| $time \| [0-9.e+-]+ % \|\$" \
  "$tmp/report/report.md"; then ok
else bad "report row: $(grep '^| pybtopk' "$tmp/report/report.md" | head -1)"; fi

# bad input: nothing stored
before=$(rows "SELECT count(*) FROM runs")
expect 2 "required parameter other than k" -- bench pybscale --plugin "$plugin" --d 100 \
  --dtype f32 --db "$db"
has err "missing parameter s" "the plugin's message"
has err "cannot be timed" "why bench cannot time it"
expect 2 "k beyond d" -- bench pybtopk --plugin "$plugin" --d 64 --k 100 --db "$db"
has err "exceeds d = 64" "k > d named"
expect 2 "neither a kernel nor a plugin's compressor" -- bench frob --plugin "$plugin" --d 100 \
  --db "$db"
has err "'frob' is not a bench kernel nor a compressor of a plugin" "unknown kernel named"
after=$(rows "SELECT count(*) FROM runs")
if [ "$before" = "$after" ]; then ok; else bad "bad input stored runs: $before -> $after"; fi

echo "e2e_pybench: $pass passed, $fail failed"
[ "$fail" = 0 ]
