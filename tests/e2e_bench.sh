#!/bin/sh
# Command tests of `tpc bench`, `tpc bench compare` and `tpc bench calibrate`:
# a tiny run stores its rows and its rounds, compare of a run with itself
# passes, calibrate prints its table and summary, an instruction count is
# exact run to run, bad flags and unknown runs exit 2 and store nothing.
# Timings are never asserted.  Prints one line per
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

# a tiny run: topk at d = 2^12, 3 rounds of 5 samples, one dtype, no peers needed to pass
expect 0 "tiny run" -- bench topk --d 2^12 --samples 5 --rounds 3 --dtype f32 --quiet --db "$db"
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
n=$(rows "SELECT count(*) FROM bench_cases WHERE role != 'peer'
  AND (nsamples != 15 OR rounds != 3)")
if [ "$n" = skip ] || [ "$n" = 0 ]; then ok; else bad "every case has 3 rounds of 5: $n do not"; fi
n=$(rows "SELECT count(*) FROM bench_cases c WHERE role = 'kernel' AND 3 != (SELECT count(*)
  FROM bench_rounds r WHERE r.case_id = c.id AND r.nsamples = 5 AND r.floor_ns > 0)")
if [ "$n" = skip ] || [ "$n" = 0 ]; then ok
else bad "3 bench_rounds rows with floors: $n lack them"; fi
n=$(rows "SELECT count(*) FROM bench_cases WHERE role = 'kernel' AND NOT (round_lo_ns <= median_ns
  AND median_ns <= round_hi_ns AND ratio_lo <= ratio AND ratio <= ratio_hi AND round_cv >= 0)")
if [ "$n" = skip ] || [ "$n" = 0 ]; then ok
else bad "round-level intervals hold the median: $n do not"; fi
n=$(rows "SELECT count(DISTINCT round) FROM bench_samples")
if [ "$n" = skip ] || [ "$n" = 3 ]; then ok; else bad "samples carry their round: $n rounds"; fi

# the table on the terminal
expect 0 "table" -- bench sign --d 1024 --samples 3 --rounds 2 --dtype f64 --db "$db"
has out "spread" "table shows the spread across rounds"
has out "ratio" "table header"
has out "sign" "table row"
has out "bandwidth" "bandwidth rows shown"

# compare: a run with itself passes; unknown runs and bad flags exit 2
expect 0 "compare with itself" -- bench compare last~1 last~1 --db "$db"
has out "same" "compare verdict"
has out "within rounds" "compare shows the within-round interval beside"
# two rounds are too few for a verdict: unclear, never a false one
expect 0 "compare with too few rounds" -- bench compare last last --db "$db"
has out "too few rounds" "compare says why it is unclear"

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
expect 2 "no rounds" -- bench topk --rounds 0 --db "$db"
# a size that cannot fit (x and one output of 2^31 doubles: 32 GiB) is
# refused before any run is stored, naming the sizes; on a machine with that
# much memory available the check is not the point here
avail=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo 2>/dev/null)
if [ -n "$avail" ] && [ "$avail" -lt 33554432 ]; then
  before=$(rows "SELECT count(*) FROM runs")
  expect 2 "d = 2^31 does not fit" -- bench topk --d 2^31 --dtype f64 --db "$db"
  has err "needs at least 32.0 GiB" "the memory message names the size"
  after=$(rows "SELECT count(*) FROM runs")
  if [ "$after" = skip ] || [ "$after" = "$before" ]; then ok
  else bad "a plan that does not fit stored a run"; fi
fi
expect 2 "bad instrument" -- bench topk --instrument cycles --db "$db"
has err "instructions" "instrument choices named"
expect 2 "unknown option" -- bench topk --frob --db "$db"
after=$(rows "SELECT count(*) FROM runs")
if [ "$before" = "$after" ]; then ok; else bad "bad input stored runs: $before -> $after"; fi

# calibrate: the A/A table and its summary; structure only, not the numbers
expect 0 "calibrate" -- bench calibrate sign --d 2^12 --dtype f32 --samples 3 --rounds 3 --db "$db"
has out "6 rounds split into two halves of 3" "calibrate header"
has out "noise" "calibrate noise column"
row='^sign +f32 +2\^12 +- +comp +[0-9.]+ \[[0-9.]+, [0-9.]+\] (same|unclear|FALSE) +[0-9.]+% +[0-9.]+%$'
if grep -Eq "$row" "$tmp/out"; then ok; else bad "calibrate row: $(grep '^sign' "$tmp/out")"; fi
has out "1 kernel cases:" "calibrate summary"
has out "noise floor at 3 rounds" "calibrate noise floor"
n=$(rows "SELECT rounds FROM bench_env ORDER BY run_id DESC LIMIT 1")
if [ "$n" = skip ] || [ "$n" = 6 ]; then ok; else bad "calibrate stores its 6 rounds: $n"; fi
# --help prints the help and nothing else: no calibration, no database
expect 0 "calibrate --help" -- bench calibrate --db "$tmp/help.sqlite" --help
has out "calibrate" "calibrate help printed"
lacks out "kernel cases" "calibrate --help runs nothing"
if [ -e "$tmp/help.sqlite" ]; then bad "calibrate --help wrote a database"; else ok; fi
expect 2 "calibrate with 2 rounds" -- bench calibrate sign --rounds 2 --db "$db"
has err "calibrate needs --rounds" "calibrate rounds message"
expect 2 "calibrate instrument" -- bench calibrate sign --instrument instructions --db "$db"

# instruction counts: exact run to run (callgrind) or nearly (perf); the
# kernel path is stored beside them.  valgrind cannot run an
# AddressSanitizer build: there, without perf, nothing is counted (exit 3).
case $TPC in */build-san/*) san=1 ;; *) san= ;; esac
# without valgrind (an empty PATH) and without perf: exit 2 before any run
# is stored; with perf the counts are taken (exit 0)
before=$(rows "SELECT count(*) FROM runs")
PATH=/nonexistent "$TPC" bench sign --d 2^12 --dtype f32 --impl comp \
  --instrument instructions --quiet --db "$db" >"$tmp/out" 2>"$tmp/err"
code=$?
if [ "$code" = 0 ] || { [ "$code" = 2 ] && grep -q "valgrind is not installed" "$tmp/err"; }
then ok; else bad "instructions without valgrind: exit $code"; cat "$tmp/err"; fi
after=$(rows "SELECT count(*) FROM runs")
if [ "$code" = 0 ] || [ "$after" = skip ] || [ "$after" = "$before" ]; then ok
else bad "instructions without valgrind stored a run: $before -> $after"; fi
if [ -n "$san" ]; then
  "$TPC" bench sign --d 2^12 --dtype f32 --impl comp --instrument instructions --quiet \
    --db "$db" >"$tmp/out" 2>"$tmp/err"
  code=$?
  if [ "$code" = 0 ] || { [ "$code" = 3 ] && grep -q "AddressSanitizer" "$tmp/err"; }; then ok
  else bad "instructions in an AddressSanitizer build: exit $code"; cat "$tmp/err"; fi
elif command -v valgrind >/dev/null 2>&1; then
  expect 0 "instructions" -- bench sign topk --d 2^12 --dtype f32 --impl comp \
    --instrument instructions --quiet --db "$db"
  expect 0 "instructions again" -- bench sign topk --d 2^12 --dtype f32 --impl comp \
    --instrument instructions --quiet --db "$db"
  n=$(rows "SELECT count(*) FROM bench_cases WHERE instructions > 0 AND path IS NOT NULL
    AND run_id = (SELECT max(run_id) FROM bench_cases)")
  if [ "$n" = skip ] || [ "$n" = 2 ]; then ok; else bad "two counted cases with paths: $n"; fi
  expect 0 "compare instructions" -- bench compare last~1 last --db "$db"
  has out "same (instructions)" "instructions compared"
  # a timed run (the calibrate run) against a counted one: nothing in
  # common to compare, said as such (exit 2), not "without usable samples"
  expect 2 "compare time with instructions" -- bench compare last~2 last --db "$db"
  has err "counted instructions" "time against instructions named"
  expect 2 "compare instructions with time" -- bench compare last last~2 --db "$db"
  # SIGTERM to tpc alone while its re-run under callgrind counts: the re-run
  # stops after its group, the finished groups stay, the run ends
  # interrupted (exit 4), and no valgrind outlives tpc.
  idb=$tmp/interrupted.sqlite
  "$TPC" bench --d 2^20 --instrument instructions --quiet --db "$idb" \
    >"$tmp/out" 2>"$tmp/err" &
  tp=$!
  child=
  for i in $(seq 1 600); do
    child=$(ps -o pid= --ppid "$tp" | tr -d ' ')
    n=$(sqlite3 "$idb" "SELECT count(*) FROM bench_cases" 2>/dev/null)
    [ -n "$child" ] && [ "${n:-0}" -gt 0 ] && break
    sleep 0.1
  done
  kill -TERM "$tp"; wait "$tp"; got=$?
  if [ "$got" = 4 ]; then ok; else bad "instructions interrupted: exit $got"; cat "$tmp/err"; fi
  lacks err "Interrupted system call" "the wait for valgrind survives the signal"
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    bad "valgrind ($child) outlives an interrupted tpc"; kill -KILL "$child"
  else ok; fi
  db=$idb
  st=$(rows "SELECT status FROM runs")
  if [ "$st" = skip ] || [ "$st" = interrupted ]; then ok; else bad "interrupted run: $st"; fi
  n=$(rows "SELECT count(*) FROM bench_cases")
  if [ "$n" = skip ] || [ "$n" -gt 0 ]; then ok; else bad "finished groups kept: $n"; fi
else
  bad "valgrind is missing (make deps installs it)"
fi
echo "e2e_bench: $pass passed, $fail failed"
[ "$fail" = 0 ]
