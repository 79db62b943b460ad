#!/bin/sh
# Command tests of `tpc bench` and `tpc bench compare`: a tiny run stores its
# rows, compare of a run with itself passes, bad flags and unknown runs exit 2
# and store nothing.  Timings are never asserted.  Prints one line per
# failure and a closing "e2e_bench: N passed, N failed" line; exits 1 when
# any check failed.
. "$(dirname "$0")/lib.sh"
db="$tmp/bench.sqlite"

# positive SQL NAME: the query's number is > 0 (or no client to ask).
positive() {
  n=$(rows "$1")
  if [ "$n" = skip ] || [ "${n:-0}" -gt 0 ] 2>/dev/null; then ok; else bad "$2: got '$n'"; fi
}

expect 0 "help" -- bench --help
has out "compare RUN_A RUN_B" "help names compare"

# a tiny run: topk at d = 2^12, 5 samples, one dtype, no peers needed to pass
expect 0 "tiny run" -- bench topk --d 2^12 --samples 5 --dtype f32 --quiet --db "$db"
positive "SELECT count(*) FROM bench_cases WHERE role = 'kernel' AND kernel = 'topk' AND d = 4096" \
  "kernel rows stored"
positive "SELECT count(*) FROM bench_samples" "sample rows stored"
positive "SELECT count(*) FROM bench_bandwidth WHERE kind = 'read' AND gbps > 0" "bandwidth rows"
positive "SELECT count(*) FROM bench_env WHERE samples = 5 AND peak_rss_kib > 0" "environment row"
positive "SELECT count(*) FROM runs WHERE command = 'bench' AND status = 'ok'" "run row ok"
# peers: rows when some python3 has numpy, else a note saying why not
if python3 -c 'import numpy' 2>/dev/null || /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  positive "SELECT count(*) FROM bench_cases WHERE role = 'peer' AND impl = 'numpy.argpartition'" \
    "numpy peer rows"
else
  positive "SELECT count(*) FROM bench_env WHERE peers LIKE '%skipped%'" "peer skip note"
fi
n=$(rows "SELECT count(*) FROM bench_cases WHERE nsamples != 5")
if [ "$n" = skip ] || [ "$n" = 0 ]; then ok; else bad "every case has 5 samples: $n do not"; fi

# the table on the terminal
expect 0 "table" -- bench sign --d 1024 --samples 3 --dtype f64 --db "$db"
has out "ratio" "table header"
has out "sign" "table row"
has out "bandwidth" "bandwidth rows shown"

# compare: a run with itself passes; unknown runs and bad flags exit 2
expect 0 "compare with itself" -- bench compare last~1 last~1 --db "$db"
has out "same" "compare verdict"
expect 3 "compare without common cases" -- bench compare last last~1 --db "$db"
expect 2 "compare unknown run" -- bench compare 1 999 --db "$db"
has err "999" "unknown run named"
expect 2 "compare one id" -- bench compare 1 --db "$db"
expect 2 "compare missing db" -- bench compare 1 1 --db "$tmp/none.sqlite"
expect 2 "compare bad threshold" -- bench compare 1 1 --threshold -1 --db "$db"

before=$(rows "SELECT count(*) FROM runs")
expect 2 "unknown kernel" -- bench frobnicate --db "$db"
has err "frobnicate" "unknown kernel named"
expect 2 "bad d" -- bench topk --d 2^40 --db "$db"
expect 2 "bad d list" -- bench topk --d 12,,x --db "$db"
expect 2 "k and ratio" -- bench topk --k 3 --ratio 0.1 --db "$db"
expect 2 "k > d" -- bench topk --d 64 --k 100 --db "$db"
has err "exceeds" "k > d message"
expect 2 "bad ratio" -- bench topk --ratio 1.5 --db "$db"
expect 2 "bad dtype" -- bench topk --dtype f16 --db "$db"
expect 2 "bad impl" -- bench topk --impl bogus --db "$db"
expect 2 "impl of another kernel" -- bench sign --impl filter --db "$db"
expect 2 "few samples" -- bench topk --samples 2 --db "$db"
expect 2 "unknown option" -- bench topk --frob --db "$db"
after=$(rows "SELECT count(*) FROM runs")
if [ "$before" = "$after" ]; then ok; else bad "bad input stored runs: $before -> $after"; fi

echo "e2e_bench: $pass passed, $fail failed"
[ "$fail" = 0 ]
