#!/bin/sh
# Command tests of bad input under $TPC-mpi (README.md "On a cluster"): every
# rank reads the same command line, so a malformed spec, k > d, an unknown
# option, a --resume of no run and a file that is not a tpc database under
# mpirun -n 3 end with exit 2, ONE message (rank 0's, not one per rank) and
# nothing stored.  Skipped (with the reason) when $TPC-mpi was not built (no
# Open MPI headers).  Prints "e2e_mpi_input: N passed, N failed"; exits 1
# when a check failed.
. "$(dirname "$0")/lib.sh"

MPI=${TPC}-mpi
if [ ! -x "$MPI" ]; then
  echo "e2e_mpi_input: skipped: $MPI was not built (Open MPI's headers are missing: make deps)"
  exit 0
fi

is() { if [ "$1" = "$2" ]; then ok; else bad "$3: got '$1', expected '$2'"; fi; }

# refused NAME TEXT ARGS...: under mpirun -n 3, exit 2 with TEXT said once
# (tpc's lines counted: mpirun adds its own banner) and no runs row stored.
refused() {
  name=$1 text=$2
  shift 2
  timeout 120 mpirun --allow-run-as-root --oversubscribe -n 3 "$MPI" "$@" >/dev/null \
    2>"$tmp/err"
  is "$?" 2 "$name: exit"
  is "$(grep -c '^tpc' "$tmp/err")" 1 "$name: tpc's messages"
  has err "$text" "$name: says why"
  is "$(sqlite3 "$db" 'SELECT count(*) FROM runs' 2>/dev/null || echo 0)" 0 "$name: runs stored"
}

db=$tmp/bad.sqlite
refused "a malformed spec" "column 8: expected a value after 'k='" \
  bounds 'topk(k=' --d 20 --db "$db"
refused "k > d" "topk: k = 30 exceeds d = 20" bounds 'topk(k=30)' --d 20 --db "$db"
refused "an unknown option" "unknown or ambiguous option '--bogus'" \
  bounds 'topk(k=3)' --d 20 --bogus --db "$db"
refused "an unknown method" "unknown compressor or mechanism 'nosuch'" rate 'quad(d=20,n=4)' 'nosuch(k=2)' --db "$db"
refused "--resume of no run" "has no run 5" bounds 'topk(k=3)' --d 20 --resume 5 --db "$db"
echo "not a database" >"$tmp/text.sqlite"
refused "a file that is not a tpc database" "file is not a database" \
  bounds 'topk(k=3)' --d 20 --db "$tmp/text.sqlite"
is "$(cat "$tmp/text.sqlite")" "not a database" "the foreign file is left as it was"

echo "e2e_mpi_input: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
