#!/bin/sh
# Command tests of what every command shares (src/cli/options.c, read.c):
# each command's --help ends with the common options' block; the common
# options are taken by every command; a bad option value is refused by its
# typed reader with "tpc: OPT expects WHAT, got 'TEXT'" and exit 2, with
# nothing stored; an unknown or ambiguous option and a missing value name
# the word.  Prints "e2e_cli: N passed, N failed" and exits 1 when a check
# failed.
. "$(dirname "$0")/lib.sh"

# ---- help: the common block after every command's usage --------------------
for cmd in list describe bounds rate bench report regress; do
  expect 0 "$cmd --help" -- "$cmd" --help
  has out "usage: tpc $cmd" "$cmd --help: its usage"
  has out "common options (every command takes them and uses those it needs):" \
    "$cmd --help: the common block"
  for opt in "--db PATH" "--seed N" "--threads N" "--plugin FILE" "--quiet" "--help"; do
    has out "  $opt" "$cmd --help shows $opt"
  done
  expect 0 "help $cmd" -- help "$cmd"
  has out "common options (every command" "tpc help $cmd: the common block"
done
# bench's subcommands parse like every command: the usage, then the block
for sub in compare calibrate; do
  expect 0 "bench $sub --help" -- bench "$sub" --help
  has out "tpc bench $sub" "bench $sub --help: its usage"
  has out "common options (every command takes them and uses those it needs):" \
    "bench $sub --help: the common block"
  for opt in "--db PATH" "--seed N" "--threads N" "--plugin FILE" "--quiet" "--help"; do
    has out "  $opt" "bench $sub --help shows $opt"
  done
done
# report documents every option it takes
expect 0 "report --help" -- report --help
for opt in "--out DIR" "--run ID" "--compare A B" "--threshold T" "--db PATH" "--quiet"; do
  has out "  $opt " "report --help documents $opt"
done

# ---- the common options are taken by every command -------------------------
expect 0 "list takes --seed and --threads" -- list --seed 3 --threads 1 --quiet
has out "Compressors" "list still lists"
expect 0 "describe takes --db" -- describe 'topk(k=1)' --db "$tmp/unused.sqlite"
if [ -e "$tmp/unused.sqlite" ]; then bad "describe created the database"; else ok; fi

# ---- typed readers: exit 2, the option and the text named, nothing stored ---
db="$tmp/none.sqlite"
# refused NAME WANT -- ARGS...: exit 2 and WANT (a fixed string) on stderr.
refused() {
  r_name=$1; r_text=$2; shift 3
  expect 2 "$r_name" -- "$@" --db "$db"
  has err "$r_text" "$r_name: message"
}
refused "seed x" "tpc: --seed expects a non-negative integer, got 'x'" -- bounds 'topk(k=1)' --seed x
refused "seed -1" "tpc: --seed expects a non-negative integer, got '-1'" -- rate 'quad(d=8,n=2)' gd --seed -1
refused "seed 2^64" "tpc: --seed expects a non-negative integer, got '18446744073709551616'" \
  -- bounds 'topk(k=1)' --seed 18446744073709551616
refused "threads 0" "tpc: --threads expects an integer from 1 to 1024, got '0'" -- bounds 'topk(k=1)' --threads 0
refused "threads 1025" "tpc: --threads expects an integer from 1 to 1024, got '1025'" \
  -- rate 'quad(d=8,n=2)' gd --threads 1025
refused "bounds --d 2^99" "tpc: --d expects a positive integer, got '2^99'" -- bounds 'topk(k=1)' --d 2^99
refused "bench --d 2^99" "--d expects" -- bench topk --d 2^99
has err "'2^99'" "bench --d 2^99: the text named"
refused "bench --rounds 0" "tpc: --rounds expects an integer from 1 to 1000, got '0'" -- bench topk --rounds 0
refused "bench --samples 2" "tpc: --samples expects an integer from 3 to 100000, got '2'" \
  -- bench topk --samples 2
refused "bench --k 0" "tpc: --k expects a positive integer, got '0'" -- bench topk --k 8,0
refused "bench --ratio 0" "tpc: --ratio expects a number in (0, 1], got '0'" -- bench topk --ratio 0
refused "bench --dtype f16" "tpc: --dtype expects f32 or f64, got 'f16'" -- bench topk --dtype f32,f16
refused "bench --instrument" "tpc: --instrument expects instructions, got 'cycles'" \
  -- bench topk --instrument cycles
kernels=$(i=0; while [ $i -lt 65 ]; do printf 'sign '; i=$((i + 1)); done)
# shellcheck disable=SC2086 # one word per kernel
refused "65 kernels" "tpc: at most 64 kernels" -- bench $kernels
refused "calibrate --d 2^99" "--d expects" -- bench calibrate sign --d 2^99
refused "calibrate --rounds x" "tpc: --rounds expects an integer from 1 to 1000, got 'x'" \
  -- bench calibrate sign --rounds x
refused "compare --threshold x" "tpc: --threshold expects a number in [0, 10), got 'x'" \
  -- bench compare 1 2 --threshold x
refused "regress --timings x" "tpc: --timings expects gate or warn, got 'x'" -- regress --timings x
refused "regress --threshold -1" "tpc: --threshold expects a number in [0, 10), got '-1'" \
  -- regress --threshold -1
refused "describe --n 0" "tpc: --n expects a positive integer, got '0'" -- describe 'topk(k=1)' --n 0
refused "samples -1" "tpc: --samples expects a positive integer, got '-1'" \
  -- rate --experiment fig1 --samples -1
refused "search-budget -1" "tpc: --search-budget expects a non-negative integer, got '-1'" \
  -- bounds 'topk(k=1)' --search-budget -1
refused "confidence 1" "tpc: --confidence expects a number in (0, 1), got '1'" \
  -- bounds 'topk(k=1)' --confidence 1
refused "bounds timeout" "tpc: --timeout expects a number in (0, 1e+09), got '1e10'" \
  -- bounds 'topk(k=1)' --timeout 1e10
refused "gamma nan" "tpc: --gamma expects a number > 0, got 'nan'" -- rate 'quad(d=8,n=2)' gd --gamma nan
refused "eps overflow" "tpc: --eps expects a number > 0, got '1e999'" -- rate 'quad(d=8,n=2)' gd --eps 1e999
refused "unknown --init" "tpc: --init expects one of exact, zero or compressed, got 'warm'" \
  -- rate 'quad(d=8,n=2)' gd --init warm
refused "unknown --dtype" "tpc: --dtype expects f64 or f32, got 'F64'" -- bounds 'topk(k=1)' --dtype F64
refused "resume 0" "tpc: --resume expects a run id (a positive integer), got '0'" \
  -- bounds 'topk(k=1)' --resume 0
refused "report --run x" "tpc: --run expects a run id (a positive integer), got 'x'" \
  -- report --out "$tmp/r" --run x
refused "report --compare 1 x" "tpc: --compare expects a run id (a positive integer), got 'x'" \
  -- report --out "$tmp/r" --compare 1 x
expect 2 "report --compare with one id" -- report --db "$db" --out "$tmp/r" --compare 1
has err "tpc: --compare expects two run ids" "report --compare with one id: message"
refused "report threshold 10" "tpc: --threshold expects a number in [0, 10), got '10'" \
  -- report --out "$tmp/r" --threshold 10
refused "17 plugins" "tpc: at most 16 --plugin options" -- list \
  --plugin a --plugin a --plugin a --plugin a --plugin a --plugin a --plugin a --plugin a \
  --plugin a --plugin a --plugin a --plugin a --plugin a --plugin a --plugin a --plugin a --plugin a

# ---- unknown, ambiguous and incomplete options ------------------------------
for cmd in list describe bounds rate bench report regress; do
  expect 2 "$cmd --frobnicate" -- "$cmd" --frobnicate
  has err "tpc $cmd: unknown or ambiguous option '--frobnicate'; see \`tpc $cmd --help\`" \
    "$cmd --frobnicate: message"
done
refused "bench compare --frobnicate" \
  "tpc bench compare: unknown or ambiguous option '--frobnicate'; see \`tpc bench compare --help\`" \
  -- bench compare 1 2 --frobnicate
refused "ambiguous --t" "tpc rate: unknown or ambiguous option '--t'" -- rate 'quad(d=8,n=2)' gd --t 5
expect 2 "missing value" -- bounds 'topk(k=1)' --d
has err "tpc: --d expects a value" "missing value: message"
# a unique prefix still names its option
expect 0 "--qui for --quiet" -- list --qui
if [ -e "$db" ]; then bad "bad input created the database"; else ok; fi

echo "e2e_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
