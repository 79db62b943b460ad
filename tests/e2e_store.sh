#!/bin/sh
# Command tests of the database's life ($TPC): a FIFO, a directory or a
# one-byte file as --db is refused with exit 2, untouched; so is a damaged
# file (one page overwritten), by writers and readers.  A tpc bounds and a
# tpc rate of several units killed with SIGKILL midway show as abandoned, and
# `--resume RUN` keeps the units they stored, computes the rest and ends with
# every stored row (but ids and times) equal to an uninterrupted run's of the
# same seed; resuming a live run, a finished one, one of another command or
# with other settings exits 2.  Prints what was kept and recomputed, and
# "e2e_store: N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib.sh"

# overwrite_page FILE PAGE SIZE: page PAGE (1-based) of FILE replaced by
# SIZE bytes of a fixed pseudo-random sequence.
overwrite_page() {
  python3 -c 'import random, sys
path, page, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "r+b") as f:
    f.seek((page - 1) * size)
    f.write(random.Random(7).randbytes(size))' "$@"
}

# ---- --db naming something that is not a database: refused, untouched ---------
mkfifo "$tmp/fifo.sqlite"
expect 2 "a FIFO as the database" -- bounds 'topk(k=3)' --d 20 --db "$tmp/fifo.sqlite"
has err "'$tmp/fifo.sqlite' is not a regular file (a FIFO)" "names the FIFO, does not wait on it"
mkdir "$tmp/dir.sqlite"
expect 2 "a directory as the database" -- bounds 'topk(k=3)' --d 20 --db "$tmp/dir.sqlite"
has err "is not a regular file (a directory)" "names the directory"
# SQLite takes a one-byte file for an empty database and overwrites it.
printf '\n' > "$tmp/short.txt"; cp "$tmp/short.txt" "$tmp/short.copy"
expect 2 "a one-byte file as the database" -- bounds 'topk(k=3)' --d 20 --db "$tmp/short.txt"
has err "$tmp/short.txt: file is not a database" "names the file"
if cmp -s "$tmp/short.txt" "$tmp/short.copy"; then ok; else bad "the short file was overwritten"; fi
: > "$tmp/empty.sqlite"
expect 0 "an empty file is an empty database" -- bounds 'topk(k=3)' --d 20 --db "$tmp/empty.sqlite" --quiet

# ---- a damaged database: refused, left as it was ------------------------------
db="$tmp/damaged.sqlite"
expect 0 "setup: bounds" -- bounds 'topk(k=3)' 'randk(k=3)' --d 20 --trials 8 --db "$db" --quiet
root=$(rows "SELECT rootpage FROM sqlite_master WHERE name = 'bounds_points'")
size=$(rows "PRAGMA page_size")
if [ "$root" = skip ]; then bad "no sqlite3 or python3 to read the database"
else
  overwrite_page "$db" "$root" "$size"
  cp "$db" "$tmp/damaged.copy"
  expect 2 "bounds refuses a damaged database" -- bounds 'topk(k=3)' --d 20 --db "$db"
  has err "$db is damaged (quick_check: " "names the file and the damage"
  has err "sqlite3 $db .recover" "says how to save its rows"
  if cmp -s "$db" "$tmp/damaged.copy" && [ ! -e "$db-wal" ]; then ok
  else bad "the damaged database was written to"; fi
  expect 2 "report refuses a damaged database" -- report --db "$db" --out "$tmp/rep"
  has err "is damaged" "report says damaged"
  if [ -e "$tmp/rep" ]; then bad "report wrote from a damaged database"; else ok; fi
fi

# ---- kill -9 midway, then --resume ---------------------------------------------

# dump DB RUN bounds|rate: every stored result row of the run, in order, less
# ids, run ids and times (seconds), one Python tuple a line (reals exact).
dump() {
  python3 -c 'import sqlite3, sys
db, run, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = sqlite3.connect(db)
drop = {"id", "run_id", "spec_id", "check_id", "trajectory_id", "seconds"}
def rows(sql):
    cur = c.execute(sql, (run,))
    names = [d[0] for d in cur.description]
    for r in cur:
        print(tuple(v for n, v in zip(names, r) if n not in drop))
if kind == "bounds":
    rows("SELECT * FROM bounds_specs WHERE run_id = ? ORDER BY position")
    rows("SELECT s.position AS pos, p.* FROM bounds_points p JOIN bounds_specs s"
         " ON s.id = p.spec_id WHERE p.run_id = ? ORDER BY s.position, p.rowid")
    rows("SELECT s.position AS pos, f.* FROM bounds_frontier f JOIN bounds_specs s"
         " ON s.id = f.spec_id WHERE f.run_id = ? ORDER BY s.position, f.rowid")
else:
    rows("SELECT * FROM rate_checks WHERE run_id = ? ORDER BY id")
    rows("SELECT c.method, t.* FROM rate_trajectories t JOIN rate_checks c"
         " ON c.id = t.check_id WHERE c.run_id = ? ORDER BY c.id, t.id")
    rows("SELECT c.method, t.role, t.rep, t.mult, p.* FROM rate_points p JOIN"
         " rate_trajectories t ON t.id = p.trajectory_id JOIN rate_checks c"
         " ON c.id = t.check_id WHERE c.run_id = ? ORDER BY c.id, t.id, p.t")' "$@"
}

# units DB TABLE: how many result units (bounds_specs or rate_checks rows) DB holds.
units() { db=$1; rows "SELECT count(*) FROM $2"; }

# kill_midway DB TABLE N ARGS...: start tpc ARGS on DB, SIGKILL it once DB
# holds N units (polling every 50 ms, at most 60 s); its pid in $victim.
# (Variables here and below are prefixed: lib.sh's expect sets name and want.)
kill_midway() {
  k_db=$1 k_table=$2 k_units=$3; shift 3
  "$TPC" "$@" --db "$k_db" --quiet >/dev/null 2>&1 &
  victim=$!
  k_i=0
  while [ "$(units "$k_db" "$k_table" 2>/dev/null || echo 0)" -lt "$k_units" ] &&
        [ $k_i -lt 1200 ]; do
    sleep 0.05; k_i=$((k_i + 1))
  done
}

# resume_case CMD TABLE TOTAL OTHER THREADS ARGS...: tpc CMD ARGS
# uninterrupted on ref.sqlite, killed after two units on res.sqlite (both
# with one thread), the refusals, the run resumed with THREADS threads;
# compares the two runs' rows.  OTHER is another command line whose --resume
# of this run must be refused.
resume_case() {
  r_cmd=$1 r_table=$2 r_total=$3 r_other=$4 r_threads=$5; shift 5
  r_ref="$tmp/$r_cmd-ref.sqlite" r_res="$tmp/$r_cmd-res.sqlite"
  "$TPC" "$@" --threads 1 --db "$r_ref" --quiet >/dev/null 2>"$tmp/err"
  r_code=$?
  db="$r_ref"
  r_status=$(rows "SELECT status FROM runs")

  kill_midway "$r_res" "$r_table" 2 "$@" --threads 1
  # alive: its run cannot be taken over
  expect 2 "$r_cmd: resume a live run" -- "$@" --db "$r_res" --resume 1
  has err "run 1 is still running (pid $victim" "$r_cmd: says the run is alive"
  kill -9 "$victim"; wait "$victim" 2>/dev/null
  r_kept=$(units "$r_res" "$r_table")
  if [ "$r_kept" -ge 2 ] && [ "$r_kept" -lt "$r_total" ]; then ok
  else bad "$r_cmd: killed after $r_kept of $r_total units, not midway"; fi
  db="$r_res"
  r_st=$(rows "SELECT status FROM runs WHERE id = 1")
  [ "$r_st" = running ] && ok || bad "$r_cmd: stored status $r_st, expected running"
  expect 0 "$r_cmd: report of an abandoned run" -- report --db "$r_res" --out "$tmp/$r_cmd-rep"
  if grep -q "| 1 | $r_cmd | abandoned |" "$tmp/$r_cmd-rep/report.md"; then ok
  else bad "$r_cmd: the report does not show run 1 abandoned"
    grep "^| 1 " "$tmp/$r_cmd-rep/report.md"; fi

  expect 2 "$r_cmd: resume with other settings" -- "$@" --seed 2 --db "$r_res" --resume 1
  has err "the run has seed=1, this command seed=2" "$r_cmd: names the setting that differs"
  expect 2 "$r_cmd: resume from another command" -- $r_other --db "$r_res" --resume 1
  has err "run 1 is a tpc $r_cmd run" "$r_cmd: names the run's command"
  expect 2 "$r_cmd: resume a run that does not exist" -- "$@" --db "$r_res" --resume 9
  has err "has no run 9" "$r_cmd: says there is no such run"

  expect "$r_code" "$r_cmd: --resume" -- "$@" --threads "$r_threads" --db "$r_res" --resume 1
  has err "resuming run 1: $r_kept of $r_total" "$r_cmd: says what is kept"
  echo "resume: $r_cmd: kept $r_kept of $r_total units, recomputed $((r_total - r_kept))"
  r_st=$(rows "SELECT status || ' ' || resumed || ' ' || (ended_at IS NOT NULL) FROM runs")
  [ "$r_st" = "$r_status 1 1" ] && ok || bad "$r_cmd: resumed run ends '$r_st', not '$r_status 1 1'"
  [ "$(units "$r_res" "$r_table")" = "$r_total" ] && ok || bad "$r_cmd: not every unit stored"
  dump "$r_ref" 1 "$r_cmd" >"$tmp/$r_cmd-ref.rows"
  dump "$r_res" 1 "$r_cmd" >"$tmp/$r_cmd-res.rows"
  r_n=$(wc -l <"$tmp/$r_cmd-ref.rows")
  if [ "$r_n" -gt "$r_total" ] && cmp -s "$tmp/$r_cmd-ref.rows" "$tmp/$r_cmd-res.rows"; then ok
  else bad "$r_cmd: resumed rows differ from the uninterrupted run's ($r_n rows)"
    diff "$tmp/$r_cmd-ref.rows" "$tmp/$r_cmd-res.rows" | head -5; fi
  echo "resume: $r_cmd: $r_n stored rows identical to the uninterrupted run's"
  expect 2 "$r_cmd: resume a finished run" -- "$@" --db "$r_res" --resume 1
  has err "finished (status $r_status): there is nothing to resume" "$r_cmd: says it finished"
}

if command -v python3 >/dev/null 2>&1; then
  # the seed fixes every result, whatever the threads: bounds resumes on two
  resume_case bounds bounds_specs 6 "rate quad(d=10,n=2) gd" 2 \
    bounds 'topk(k=10)' 'ef21(topk(k=10))' 'randk(k=10)' natural 'dither(s=4)' \
    'marina(urandk(k=10),p=0.1)' --d 100
  resume_case rate rate_checks 5 "bounds topk(k=1) --d 10" 1 \
    rate 'quad(d=100,n=10,s=0)' gd 'ef21(topk(k=10))' 'marina(urandk(k=10),p=0.1)' \
    'clag(topk(k=10),zeta=2)' '3pcv5(topk(k=10),p=0.1)' --T 4000 --theorem T5.thm1
  expect 2 "rate: --resume of an experiment" -- rate --experiment fig3 --resume 1 --db "$tmp/x.sqlite"
  has err "not an --experiment" "says experiments are not resumed"
else
  bad "python3 is needed to compare the stored rows"
fi

echo "e2e_store: $pass passed, $fail failed"
[ "$fail" = 0 ]
