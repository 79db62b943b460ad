# Shared by the command tests (tests/e2e*.sh), sourced after their header:
# the binary under test ($TPC, made absolute), a temporary folder removed on
# exit, the pass/fail counters, and the checks.  Each script ends by
# printing "NAME: N passed, N failed" and exiting non-zero on a failure.
TPC=${TPC:-build/tpc}
case $TPC in /*) ;; *) TPC=$PWD/$TPC ;; esac
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE NAME -- ARGS...: run tpc, keep stdout/stderr in $tmp/out, $tmp/err;
# while $limit is set, a tpc that runs past $limit seconds is killed (exit 124).
expect() {
  want=$1; name=$2; shift 3
  ${limit:+timeout "$limit"} "$TPC" "$@" >"$tmp/out" 2>"$tmp/err"
  got=$?
  if [ "$got" = "$want" ]; then ok; else bad "$name: exit $got, expected $want"; cat "$tmp/err"; fi
}

# has FILE TEXT NAME: the file contains the fixed string; lacks: it does not.
has() { if grep -qF -- "$2" "$tmp/$1"; then ok; else bad "$3: '$2' not in $1"; fi; }
lacks() { if grep -qF -- "$2" "$tmp/$1"; then bad "$3: '$2' in $1"; else ok; fi; }

# rows SQL: one value from the database $db (sqlite3 or python3), or "skip".
rows() {
  if command -v sqlite3 >/dev/null 2>&1; then sqlite3 "$db" "$1"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$db" "$1"
  else echo skip; fi
}

# equals SQL VALUE NAME: the query gives VALUE (or no client to ask).
equals() {
  v=$(rows "$1")
  if [ "$v" = skip ] || [ "$v" = "$2" ]; then ok; else bad "$3: got '$v', expected '$2'"; fi
}

# The newest tpc rate run's id.
last_run() { rows "SELECT max(id) FROM runs WHERE command = 'rate'"; }

# is VALUE EXPECTED NAME: two strings are equal.
is() { if [ "$1" = "$2" ]; then ok; else bad "$3: '$1', expected '$2'"; fi; }

# integrity NAME: the database $db passes SQLite's integrity check.
integrity() {
  got=$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1)
  if [ "$got" = ok ]; then ok; else bad "$1: integrity_check said '$got'"; fi
}

# The newest run's status, and how many rows table $1 has for it.
last_status() { rows "SELECT status FROM runs ORDER BY id DESC LIMIT 1"; }
last_count() { rows "SELECT count(*) FROM $1 WHERE run_id = (SELECT max(id) FROM runs)"; }

# The MPI build beside $TPC (tests/e2e_mpi_*.sh: build/tpc-mpi), and
# mpi P ARGS...: it on P ranks, however many cores there are, as root too,
# killed after $limit seconds while $limit is set.  LeakSanitizer is off
# inside the ranks of a sanitized build (MPI_ASAN_OPTIONS, for a test that
# starts mpirun itself): Open MPI unloads its components (dlclose) in
# MPI_Finalize, and what they keep is then reported from "<unknown module>",
# which no suppression can name; the same code paths run leak-checked in one
# process in the other tests.
TPC_MPI=${TPC}-mpi
MPI_ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
mpi() {
  np=$1; shift
  ASAN_OPTIONS="$MPI_ASAN_OPTIONS" ${limit:+timeout "$limit"} \
    mpirun --allow-run-as-root --oversubscribe -n "$np" "$TPC_MPI" "$@"
}

# dump DB [LIKE]: every result table's rows, ids included, one line a row,
# sorted, without the columns named seconds; runs (times, pids, hosts) and
# the tables named LIKE left out.  The MPI tests compare databases with it.
dump() {
  for t in $(sqlite3 "$1" "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE
             'sqlite%' AND name <> 'runs' AND name NOT LIKE '${2:-}' ORDER BY name"); do
    cols=$(sqlite3 "$1" "SELECT group_concat('quote(\"' || name || '\")', ' || ''|'' || ')
                         FROM pragma_table_info('$t') WHERE name <> 'seconds'")
    sqlite3 "$1" "SELECT '$t|' || $cols AS r FROM \"$t\" ORDER BY r"
  done
}
