#!/bin/sh
# Run libFuzzer targets (make fuzz-run): run.sh BINDIR SECONDS TARGET...
#
# Each target runs for SECONDS from its seed corpus tests/fuzz/corpus/TARGET
# (read only: new inputs go to BINDIR/work/TARGET/corpus, kept between runs),
# with its dictionary tests/fuzz/TARGET.dict when there is one, memory limits
# under which a reader that believes a header's size fails loudly, and a
# scratch directory removed afterwards even when the target crashed.  A line
# per target gives libFuzzer's final figures and the inputs it kept as
# findings (with FUZZ_FLAGS="-fork=1 -ignore_crashes=1 -ignore_ooms=1" a
# target goes on after a finding and keeps each one); a crash, a time-out, an
# out-of-memory or a broken property prints the end of the log and the input
# (od and base64) and makes the script exit 1 after the other targets ran.
# FUZZ_FLAGS adds libFuzzer flags; FUZZ_TIMEOUT is the per-input limit (s).
set -u
bindir=$1 seconds=$2
shift 2
root=$(pwd)
flags="-rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=${FUZZ_TIMEOUT:-25} -print_final_stats=1"
failed=""
base=${TMPDIR:-/tmp}
[ -w /dev/shm ] && base=/dev/shm
printf '%-10s %12s %8s %8s %8s %8s  %s\n' target executions cov ft corpus findings result
for t in "$@"; do
  work="$root/$bindir/work/$t"
  mkdir -p "$work/corpus" "$work/artifacts"
  rm -f "$work/artifacts/"*
  dict=""
  [ -f "tests/fuzz/$t.dict" ] && dict="-dict=$root/tests/fuzz/$t.dict"
  scratch=$(mktemp -d "$base/tpc-fuzz-$t.XXXXXX") || exit 1
  FUZZ_SCRATCH=$scratch timeout $((seconds + 300)) "$root/$bindir/$t" $flags $dict \
    ${FUZZ_FLAGS:-} -max_total_time="$seconds" -artifact_prefix="$work/artifacts/" \
    "$work/corpus" "$root/tests/fuzz/corpus/$t" > "$work/log" 2>&1
  rc=$?
  rm -rf "$scratch"
  last=$(grep -a -E '^#[0-9]+.*cov: ' "$work/log" | tail -1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  [ -n "$execs" ] || execs=$(echo "$last" | sed -n 's/^#\([0-9]*\).*/\1/p') # -fork=N
  found=$(ls "$work/artifacts" | grep -c -E '^(crash|leak|oom|timeout)-')
  cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
  result=ok
  [ $rc -ne 0 ] && result="FAILED (exit $rc)"
  printf '%-10s %12s %8s %8s %8s %8s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
    "${corp:-?}" "$found" "$result"
  [ $rc -eq 0 ] && continue
  failed="$failed $t"
  echo "---- $t: the end of $work/log"
  tail -n 60 "$work/log"
  shown=0
  for a in "$work/artifacts/"*; do
    [ -f "$a" ] || continue
    echo "---- $t: $a ($(wc -c < "$a") bytes); reproduce: $bindir/$t $a"
    shown=$((shown + 1))
    [ $shown -gt 3 ] && continue   # -fork keeps many: the first three in full
    od -A d -c "$a" | head -n 40
    echo "base64:"
    base64 "$a" | head -n 200
  done
  echo "----"
done
if [ -n "$failed" ]; then
  echo "fuzz-run: failed:$failed (logs and inputs in $bindir/work/)"
  exit 1
fi
