#!/bin/sh
# Command tests of the distributed sweeps ($TPC-mpi under mpirun, README.md
# "Distributed sweeps"): tpc bounds over five specs, tpc rate --experiment
# fig3 and a --scaling law store the same rows and ids (every column but
# times) under mpirun -n 2 and -n 3 as $TPC in one process, and print the
# same tables; a singleton tpc-mpi inside a SLURM job of another size and
# tpc bench under two ranks are refused with exit 2, storing nothing; a
# rank killed with SIGKILL mid-sweep ends the run 'interrupted' with an
# intact database holding the first units of the one-process run.  Skipped
# (with the reason) when $TPC-mpi was not built (no Open MPI headers).
# Prints "e2e_mpi_sweep: N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib.sh"

if [ ! -x "$TPC_MPI" ]; then
  echo "e2e_mpi_sweep: skipped: $TPC_MPI was not built (Open MPI's headers are missing: make deps)"
  exit 0
fi

# same NAME A B: the two dumps are identical and not empty.
same() {
  if [ -s "$2" ] && cmp -s "$2" "$3"; then ok
  else bad "$1: $(wc -l <"$2") rows against $(wc -l <"$3"), first difference:"
       diff "$2" "$3" | head -4; fi
}

# ---- tpc bounds SPEC...: the same rows and table for P = 1, 2, 3 ----------------
set -- 'topk(k=10)' 'randk(k=10)' natural 'ef21(topk(k=10))' 'clag(topk(k=10),zeta=2)' \
  --d 100 --trials 8 --draws 100 --search-budget 200
"$TPC" bounds "$@" --db "$tmp/b1.sqlite" >"$tmp/b1.out" 2>"$tmp/err"
is "$?" 0 "bounds, one process"
dump "$tmp/b1.sqlite" >"$tmp/b1.txt"
for p in 2 3; do
  mpi $p bounds "$@" --db "$tmp/b$p.sqlite" >"$tmp/b$p.out" 2>"$tmp/err"
  is "$?" 0 "bounds, mpirun -n $p"
  dump "$tmp/b$p.sqlite" >"$tmp/b$p.txt"
  same "bounds: rows of -n $p and of one process" "$tmp/b1.txt" "$tmp/b$p.txt"
  same "bounds: the table of -n $p, in spec order" "$tmp/b1.out" "$tmp/b$p.out"
done
db=$tmp/b3.sqlite
equals "SELECT count(*) FROM runs" 1 "bounds -n 3: one runs row"
equals "SELECT group_concat(position, ',') FROM (SELECT position FROM bounds_specs ORDER BY id)" \
  "0,1,2,3,4" "bounds -n 3: the specs' ids in spec order"

# ---- tpc rate --experiment fig3 and a scaling law: the same rows ----------------
"$TPC" rate --experiment fig3 --T 100 --quiet --db "$tmp/f1.sqlite" 2>"$tmp/err"
is "$?" 0 "fig3, one process"
dump "$tmp/f1.sqlite" >"$tmp/f1.txt"
for p in 2 3; do
  mpi $p rate --experiment fig3 --T 100 --quiet --db "$tmp/f$p.sqlite" 2>"$tmp/err"
  is "$?" 0 "fig3, mpirun -n $p"
  dump "$tmp/f$p.sqlite" >"$tmp/f$p.txt"
  same "fig3: rows of -n $p and of one process" "$tmp/f1.txt" "$tmp/f$p.txt"
done
set -- --scaling kappa 'quad(d=20,n=4)' gd 'ef21(topk(k=5))' --grid 1e1:1e3:3
"$TPC" rate "$@" --db "$tmp/s1.sqlite" >"$tmp/s1.out" 2>"$tmp/err"
is "$?" 0 "scaling, one process"
mpi 3 rate "$@" --db "$tmp/s3.sqlite" >"$tmp/s3.out" 2>"$tmp/err"
is "$?" 0 "scaling, mpirun -n 3"
dump "$tmp/s1.sqlite" >"$tmp/s1.txt"
dump "$tmp/s3.sqlite" >"$tmp/s3.txt"
same "scaling: rows (points, fits) of -n 3 and of one process" "$tmp/s1.txt" "$tmp/s3.txt"
same "scaling: the points and fits printed" "$tmp/s1.out" "$tmp/s3.out"

# ---- refusals: exit 2, nothing stored ----------------------------------------------
SLURM_NTASKS=2 "$TPC_MPI" bounds 'topk(k=3)' --d 20 --db "$tmp/slurm.sqlite" 2>"$tmp/err"
is "$?" 2 "a singleton tpc-mpi in a SLURM job of 2 tasks"
has err "SLURM_NTASKS is 2 but MPI started 1 process" "says why"
[ -e "$tmp/slurm.sqlite" ] && bad "the singleton created the database" || ok
mpi 2 bench --db "$tmp/bench.sqlite" >/dev/null 2>"$tmp/err"
is "$?" 2 "tpc bench under two ranks"
has err "tpc bench: does not run over 2 processes; run it without mpirun" "says how to run it"
[ -e "$tmp/bench.sqlite" ] && bad "the refused bench created the database" || ok
mpi 2 list >"$tmp/list.out" 2>"$tmp/err"
is "$?" 0 "tpc list under two ranks"
is "$(grep -c '^Compressors' "$tmp/list.out")" 1 "tpc list printed once, by rank 0"

# ---- a rank killed mid-sweep ----------------------------------------------------------
# Rank 1 of fig3 is killed once a task is stored: mpirun sends rank 0 SIGTERM,
# which ends the run 'interrupted' with the units merged so far.
db=$tmp/k.sqlite
ASAN_OPTIONS="$MPI_ASAN_OPTIONS" mpirun --allow-run-as-root --oversubscribe -n 2 "$TPC_MPI" \
  rate --experiment fig3 --T 100 --quiet \
  --threads 1 --db "$db" 2>"$tmp/kerr" &
mp=$!
victim=
for i in $(seq 200); do
  [ "$(sqlite3 "$db" 'SELECT count(*) FROM rate_best' 2>/dev/null)" -ge 1 ] 2>/dev/null && break
  sleep 0.1
done
for c in $(pgrep -P "$mp"); do
  tr '\0' '\n' <"/proc/$c/environ" | grep -qx 'OMPI_COMM_WORLD_RANK=1' && victim=$c
done
if [ -n "$victim" ]; then kill -9 "$victim"; ok; else bad "no rank 1 to kill"; fi
wait "$mp"
got=$?
[ "$got" -ne 0 ] && ok || bad "mpirun exited 0 after a rank was killed"
echo "e2e_mpi_sweep: mpirun exited $got after rank 1 was killed"
has kerr "tpc: interrupted; the finished checks are stored" "rank 0 says what it kept"
integrity "the database after a killed rank"
equals "SELECT status FROM runs" interrupted "the run is marked interrupted"
dump "$db" >"$tmp/k.txt"
kept=$(grep -c '^rate_best|' "$tmp/k.txt")
echo "e2e_mpi_sweep: $kept of 14 fig3 tasks stored before the kill"
[ "$kept" -ge 1 ] && [ "$kept" -lt 14 ] && ok || bad "$kept tasks stored: not killed mid-sweep"
# the stored rows are rows of the one-process run, ids included: its first units
missing=$(grep -vxFf "$tmp/f1.txt" "$tmp/k.txt" | wc -l)
is "$missing" 0 "every stored row is the one-process run's, with its id"
# the first tasks, whole: rate_best ids 1..kept, and the runs of no other task
equals "SELECT group_concat(id, ',') FROM (SELECT id FROM rate_best ORDER BY id)" \
  "$(seq -s, 1 "$kept")" "the stored tasks are the first ones"
equals "SELECT count(*) FROM (SELECT DISTINCT label, method FROM rate_checks)" "$kept" \
  "no runs of a task that was not finished"

echo "e2e_mpi_sweep: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
