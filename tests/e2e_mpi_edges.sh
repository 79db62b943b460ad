#!/bin/sh
# Command tests of $TPC-mpi's edges (README.md "On a cluster"): every rank
# reads the same command line, so a malformed spec, k > d, an unknown option,
# a --resume of no run and a file that is not a tpc database under mpirun
# -n 3 end with exit 2, ONE message (rank 0's, not one per rank) and nothing
# stored; a distributed `tpc rate` resumed on another number of ranks
# replaces the links of its first start; SIGINT to mpirun mid-way through a
# distributed `tpc rate` and SIGKILL to one of its ranks leave it
# 'interrupted' (not 'running': rank 0 waits in no MPI call it cannot leave,
# and the other ranks leave after it), and --resume on two ranks completes it
# to the rows of one process.  Skipped (with the reason) when
# $TPC-mpi was not built (no Open MPI headers).  Prints "e2e_mpi_edges: N
# passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib.sh"

limit=120
if [ ! -x "$TPC_MPI" ]; then
  echo "e2e_mpi_edges: skipped: $TPC_MPI was not built (Open MPI's headers are missing: make deps)"
  exit 0
fi

# refused NAME TEXT ARGS...: under mpirun -n 3, exit 2 with TEXT said once
# (tpc's lines counted: mpirun adds its own banner) and no runs row stored.
refused() {
  name=$1 text=$2
  shift 2
  mpi 3 "$@" >/dev/null 2>"$tmp/err"
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
refused "an unknown method" "unknown compressor or mechanism 'nosuch'" \
  rate 'quad(d=20,n=4)' 'nosuch(k=2)' --db "$db"
refused "--resume of no run" "has no run 5" bounds 'topk(k=3)' --d 20 --resume 5 --db "$db"
echo "not a database" >"$tmp/text.sqlite"
refused "a file that is not a tpc database" "file is not a database" \
  bounds 'topk(k=3)' --d 20 --db "$tmp/text.sqlite"
is "$(cat "$tmp/text.sqlite")" "not a database" "the foreign file is left as it was"

# ---- a distributed rate resumed on fewer ranks ---------------------------------------
# Its links are measured again at the resumed start: they replace the first
# start's (one row per other rank of the resumed run), not a duplicate key.
db=$tmp/resume.sqlite
set -- rate 'quad(d=20,n=8)' gd 'ef21(topk(k=5))' --T 100 --db "$db"
mpi 3 "$@" >/dev/null 2>"$tmp/err"
is "$?" 0 "rate under -n 3"
sqlite3 "$db" "UPDATE runs SET status = 'interrupted'" # as a signal leaves it
mpi 2 "$@" --resume 1 >/dev/null 2>"$tmp/err"
is "$?" 0 "rate --resume under -n 2"
lacks err "UNIQUE constraint" "the resumed start stores its links"
is "$(sqlite3 "$db" 'SELECT status FROM runs')" ok "the resumed run ends ok"
is "$(sqlite3 "$db" "SELECT group_concat(rank || '/' || ranks) FROM dist_links")" "1/2" \
  "the links are the resumed start's"

# ---- a distributed rate interrupted, then --resume ---------------------------------
# Once a check is stored, SIGINT to mpirun (which sends every rank SIGTERM and
# kills them all as soon as one exits non-zero: the others must leave after
# rank 0 has marked the run), or SIGKILL to rank 1 (mpirun then SIGTERMs the
# others, and rank 0 must not wait in MPI for the dead one): the run ends
# 'interrupted' in an intact database, and --resume on two ranks completes it
# to the rows of one process.  Slack searches are left out (--no-slack).
# T = 10000: the checks after the first take about 2 s at P = 3 on 2 cores,
# far beyond the 0.05 s poll that sends the signal (with T = 3000 a quiet
# machine could finish the run first).
set -- rate 'quad(d=50,n=8)' gd 'ef21(topk(k=5))' 'diana(urandk(k=5))' \
  'marina(urandk(k=5),p=0.1)' 'ef21(randk(k=5))' --T 10000 --reps 3 --no-slack
"$TPC" "$@" --db "$tmp/one.sqlite" >/dev/null 2>"$tmp/err"
is "$?" 0 "rate, one process"
dump "$tmp/one.sqlite" 'dist_%' >"$tmp/one.txt"

# how=HOW interrupted ARGS...: the run of ARGS stopped by HOW (int: SIGINT to
# mpirun; kill: SIGKILL to rank 1), then resumed.
interrupted() {
  db=$tmp/$how.sqlite
  ASAN_OPTIONS="$MPI_ASAN_OPTIONS" mpirun --allow-run-as-root --oversubscribe -n 3 "$TPC_MPI" \
    "$@" --db "$db" >/dev/null 2>"$tmp/ierr" & # its own pid: the signal goes to mpirun
  mp=$!
  for i in $(seq 300); do
    [ "$(sqlite3 "$db" 'SELECT count(*) FROM rate_checks' 2>/dev/null)" -ge 1 ] 2>/dev/null && break
    sleep 0.05
  done
  if [ "$how" = int ]; then
    kill -INT "$mp"
  else
    for c in $(pgrep -P "$mp"); do
      tr '\0' '\n' <"/proc/$c/environ" | grep -qx 'OMPI_COMM_WORLD_RANK=1' && kill -9 "$c"
    done
  fi
  wait "$mp"
  is "$(sqlite3 "$db" 'PRAGMA integrity_check')" ok "$how: the database"
  is "$(sqlite3 "$db" 'SELECT status FROM runs')" interrupted "$how: the run's status"
  mpi 2 "$@" --resume 1 --db "$db" >/dev/null 2>"$tmp/err"
  is "$?" 0 "$how: --resume on two ranks"
  is "$(sqlite3 "$db" 'SELECT status FROM runs')" ok "$how: the resumed run ends ok"
  dump "$db" 'dist_%' >"$tmp/$how.txt"
  if [ -s "$tmp/one.txt" ] && cmp -s "$tmp/one.txt" "$tmp/$how.txt"; then ok
  else bad "$how: interrupted and resumed, rows differ from one process's"; fi
}
how=int interrupted "$@"
how=kill interrupted "$@"

echo "e2e_mpi_edges: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
