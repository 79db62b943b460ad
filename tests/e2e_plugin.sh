#!/bin/sh
# Plugins end to end, as an outside author meets them: make install into a
# temporary prefix, build the example plugin (bounds/example, copied out of
# the tree) with its own Makefile and the test plugins (tests/plugins) with
# `pkg-config --cflags tpc` only, then load them into $TPC:
#   list/describe see the new names; a missing file, a FIFO, a file without
#   tpc_plugin_init and a failing init exit 2 naming the file;
#   bounds passes the example, finds the liar and the biased coinflip
#   (exit 1), passes echo (output = input, declared omega 1/8) but flags it
#   loose x inf on a line of its own, stored and in the report, and reports
#   a crash or a hang in a kernel (exit 4) while the database stays intact;
#   the sandbox holds (bounds and rate): a kernel that raises SIGINT, exits 0,
#   forks spinning processes, or an init/consts that crashes fails only its
#   spec or method (exit 4, the others stored, the run row ended); nothing
#   of a plugin's process group survives a time-out, SIGKILL of tpc, or
#   SIGTERM/SIGINT of tpc, which then exits at once, run 'interrupted';
#   rate runs a plugin's method in a child and stores its trajectories;
#   a plugin whose tpc_plugin_init crashes is exit 4, not a dead tpc.
# Prints one line per failure and "e2e_plugin: N passed, N failed".
. "$(dirname "$0")/lib.sh"

# ---- install, build the plugins -------------------------------------------
# The sanitized command installs its own build (same headers), so that this
# test does not trigger a second, plain build of the whole tree.
san=
case $TPC in */build-san/*) san=SANITIZE=1 ;; esac
if ! make -s --no-print-directory install $san PREFIX="$tmp/prefix" >"$tmp/make.log" 2>&1; then
  cat "$tmp/make.log"; echo "e2e_plugin: make install failed"; exit 1
fi
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"

# The example builds outside the source tree, warning-free.
cp -r bounds/example "$tmp/example"
if make -s -C "$tmp/example" CFLAGS="-O2 -Werror" >"$tmp/make.log" 2>&1; then ok; else
  bad "example plugin: make failed"; cat "$tmp/make.log"; fi
ex=$tmp/example/tpc_example.so
for p in crash hang liar coinflip echo initfail nosym faults loadcrash; do
  if cc -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror -fPIC -shared $(pkg-config --cflags tpc) \
       "tests/plugins/$p.c" -o "$tmp/$p.so" 2>"$tmp/cc.log"; then ok; else
    bad "test plugin $p: build failed"; cat "$tmp/cc.log"; fi
done

# ---- list and describe ------------------------------------------------------
expect 0 "list --plugin" -- list --plugin "$ex"
has out "  terngrad" "list shows terngrad"
has out "  rtopk(k=INT)" "list shows rtopk"
has out "(plugin)" "list marks plugin types"
has out "  topk(" "list still shows the built-ins"
expect 0 "list without plugin" -- list
lacks out "terngrad" "terngrad only with --plugin"
lacks out "(plugin)" "no plugin mark without --plugin"
expect 0 "two plugins" -- list --plugin "$ex" --plugin "$tmp/liar.so"
has out "  liar" "second plugin listed"
# A bare file name means the file in the current directory.
(cd "$tmp/example" && "$TPC" list --plugin tpc_example.so >"$tmp/out" 2>"$tmp/err")
if [ $? = 0 ] && grep -qF "  terngrad" "$tmp/out"; then ok; else bad "bare plugin name"; cat "$tmp/err"; fi

# rtopk(k=5) at d = 100: alpha = k/d = 0.05; terngrad: omega = (sqrt(100) - 1)/2 = 4.5.
expect 0 "describe rtopk" -- describe 'rtopk(k=5)' --d 100 --plugin "$ex"
has out "alpha         0.05 " "describe rtopk alpha = k/d"
has out "randomized" "describe rtopk randomized"
expect 0 "describe terngrad" -- describe terngrad --d 100 --plugin "$ex"
has out "omega         4.5 " "describe terngrad omega"
expect 0 "describe nested" -- describe 'ef21(rtopk(k=10))' --plugin "$ex"
has out "rtopk(k=10): contractive, alpha = 0.1" "plugin compressor nests in ef21"
expect 2 "describe bad k" -- describe 'rtopk(k=500)' --d 100 --plugin "$ex"
has err "k must be an integer from 1 to d = 100" "bad k message"
expect 2 "describe unknown key" -- describe 'rtopk(q=5)' --plugin "$ex"
expect 2 "describe without plugin" -- describe terngrad
has err "unknown" "plugin name unknown without --plugin"

# ---- plugins that cannot be loaded: exit 2, message names the file ---------
expect 2 "missing file" -- list --plugin "$tmp/nope.so"
has err "$tmp/nope.so" "missing file named"
has err "No such file" "missing file reason"
expect 2 "no symbol" -- list --plugin "$tmp/nosym.so"
has err "$tmp/nosym.so" "no-symbol file named"
has err "no function tpc_plugin_init" "no-symbol reason"
expect 2 "init fails" -- describe 'topk(k=1)' --plugin "$tmp/initfail.so"
has err "$tmp/initfail.so" "failing init file named"
has err "initfail refuses to load" "failing init keeps its message"
printf 'not an ELF file\n' >"$tmp/junk.so"
expect 2 "not a shared object" -- list --plugin "$tmp/junk.so"
has err "$tmp/junk.so" "junk file named"
mkfifo "$tmp/fifo.so"
limit=20
expect 2 "FIFO as a plugin" -- list --plugin "$tmp/fifo.so"
limit=
has err "'$tmp/fifo.so' is not a regular file (a FIFO)" "FIFO refused, not waited on"
expect 2 "same plugin twice" -- list --plugin "$ex" --plugin "$ex"
has err "terngrad" "duplicate registration names the type"

# ---- bounds: kernels run in the sandbox ------------------------------------
db=$tmp/t.sqlite
small="--d 20 --db $db --quiet"
if "$TPC" bounds --help 2>&1 | grep -q "not built yet"; then
  echo "e2e_plugin: tpc bounds is not built yet; its plugin checks were skipped"
  fail=$((fail + 1))
else
  # A crash after a finished spec: exit 4 naming the signal; the finished
  # spec's rows are kept and the database is intact.
  expect 4 "bounds crash" -- bounds 'topk(k=2)' crasher --plugin "$tmp/crash.so" --timeout 20 $small
  has err "killed by signal 11" "crash reports the signal"
  has err "crasher" "crash names the spec"
  integrity "after crash"
  rows=$(sqlite3 "$db" "SELECT count(*) FROM bounds_specs s JOIN runs r ON r.id = s.run_id
                        WHERE r.command = 'bounds' AND s.spec LIKE 'topk%'" 2>&1)
  if [ "${rows:-0}" -ge 1 ] 2>/dev/null; then ok; else bad "finished spec kept after crash: '$rows'"; fi

  # bench times each round in a forked child: a kernel that crashes fails
  # the round, exit 4 naming it, never a hang; the database stays intact.
  limit=60
  expect 4 "bench round crash" -- bench crasher --plugin "$tmp/crash.so" --d 1024 --dtype f32 \
    --samples 3 --rounds 2 --db "$db"
  limit=
  has err "bench round 1" "the crashed round named"
  integrity "after a crashed bench round"

  # A hang: killed at the time-out, reported, exit 4, well within limit + 10 s.
  t0=$(date +%s)
  expect 4 "bounds hang" -- bounds hanger --plugin "$tmp/hang.so" --timeout 1 $small
  t1=$(date +%s)
  has err "timed out" "hang reports the time-out"
  if [ $((t1 - t0)) -le 11 ]; then ok; else bad "hang took $((t1 - t0)) s with --timeout 1"; fi
  integrity "after hang"

  # A false declaration: violated, exit 1.
  expect 1 "bounds liar" -- bounds liar --plugin "$tmp/liar.so" $small
  has err "liar: violated" "liar reported violated"
  # A bias within the declared variance: only the unbiasedness test sees it.
  expect 1 "bounds coinflip" -- bounds coinflip --plugin "$tmp/coinflip.so" $small
  has err "coinflip: violated: E C(x) != x" "coinflip reported biased"
  # Output equal to input, declared unbiased with omega = 1/8 and a 3-bit
  # message: the bound holds and the message is short, so it passes, but
  # it compresses nothing: loose x inf, on a line of its own, and stored.
  expect 0 "bounds echo" -- bounds echo --plugin "$tmp/echo.so" --d 20 --db "$db"
  has out "pass, loose xinf" "echo's row says loose x inf"
  has out "  flag: output equalled its input on every point tested (" "echo flagged on its own line"
  has out "it compresses nothing; declared omega = 0.125 is loose x inf" "echo's flag names omega"
  lacks out "no compression" "echo's messages are short: only its outputs give it away"
  got=$(rows "SELECT identity_output || ' ' || loose || ' ' || (loose_factor = 9e999)
              FROM bounds_specs WHERE spec = 'echo' ORDER BY id DESC LIMIT 1")
  if [ "$got" = "1 1 1" ]; then ok; else bad "echo stored: identity_output, loose, inf '$got'"; fi
  expect 0 "report with echo" -- report --db "$db" --out "$tmp/report" --quiet
  if grep -qF "inf, output = input" "$tmp/report/report.md"; then ok; else
    bad "the report's loose column flags echo"; fi

  # The example's declarations hold.
  expect 0 "bounds example" -- bounds 'rtopk(k=5)' terngrad --plugin "$ex" $small
  got=$(rows "SELECT sum(identity_output) FROM bounds_specs WHERE spec IN ('rtopk(k=5)', 'terngrad')")
  if [ "$got" = 0 ]; then ok; else bad "the example's outputs differ from their inputs: '$got'"; fi
  integrity "after example"
fi

# ---- the sandbox holds ---------------------------------------------------------
# live_pids FILE: how many of the processes listed in FILE ("PID PGID" lines)
# are alive (zombies are dead: PID 1 here may never reap them); live_group
# PGID: how many live processes the group has.
live_pids() {
  n=0
  while read -r p g; do
    case $(ps -o stat= -p "$p" 2>/dev/null) in "" | Z*) ;; *) n=$((n + 1)) ;; esac
  done <"$1"
  echo $n
}
live_group() { ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/' | wc -l; }
# settled FILE: wait up to 2 s for the forker's processes and their whole
# group to be gone (SIGKILL is immediate; 2 s covers a loaded machine);
# prints what is still alive ("0 0" when all are).
settled() {
  g=$(awk 'NR == 1 { print $2 }' "$1") i=0
  while :; do
    a=$(live_pids "$1") b=$(live_group "$g") i=$((i + 1))
    [ "$a$b" = 00 ] || [ $i -ge 20 ] && break
    sleep 0.1
  done
  echo "$a $b"
}
# forked FILE: wait up to 20 s for the forker to have forked its 3 processes.
forked() {
  i=0
  while [ $i -lt 200 ]; do
    [ "$(wc -l 2>/dev/null <"$1")" -ge 3 ] 2>/dev/null && return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}
# stop PID: SIGKILL a background tpc and reap it quietly.
stop() { kill -KILL "$1"; wait "$1" 2>/dev/null; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
within() { awk -v t="$1" -v m="$2" 'BEGIN { exit !(t <= m) }'; }
fp="--plugin $tmp/faults.so"
export TPC_TEST_PIDFILE="$tmp/pids"

# A kernel raising SIGINT fails its own spec; the later specs still run.
expect 4 "bounds SIGINT kernel" -- bounds 'topk(k=2)' interrupter 'randk(k=2)' $fp \
  --timeout 20 $small
has err "interrupter: error: evaluation killed by signal 2" "SIGINT kernel reported"
is "$(last_count bounds_specs)" 3 "specs stored around the SIGINT kernel"
is "$(last_status)" error "run row after the SIGINT kernel"

# init or consts crashing: the spec fails (exit 4), the others are checked.
expect 4 "bounds init/consts crash" -- bounds 'topk(k=2)' initcrasher constscrasher 'randk(k=2)' \
  $fp --timeout 20 $small
has err "initcrasher: error: building the spec (init, consts) killed by signal 11" "init crash"
has err "constscrasher: error: building the spec (init, consts) killed by signal 11" "consts crash"
is "$(last_count bounds_specs)" 4 "specs stored around init/consts crashes"
is "$(rows "SELECT count(*) FROM bounds_specs WHERE verdict = 'pass'
            AND run_id = (SELECT max(id) FROM runs)")" 2 "built-ins checked beside crashing init"
integrity "after init/consts crashes"

# A kernel calling exit(0) is no success.
expect 4 "bounds exit(0) kernel" -- bounds exiter0 $fp --timeout 20 $small
has err "exiter0: error: evaluation exited with status 0 before returning" "exit(0) reported"

# A forking kernel that hangs: the time-out ends it and everything it forked.
rm -f "$tmp/pids"
expect 4 "bounds forker time-out" -- bounds forker $fp --timeout 1 $small
has err "timed out" "forker timed out"
is "$(settled "$tmp/pids")" "0 0" "processes left after the forker's time-out"

# SIGKILL of tpc while the forker hangs: its whole group dies with tpc.
rm -f "$tmp/pids"
"$TPC" bounds forker $fp --timeout 60 $small >"$tmp/out" 2>"$tmp/err" &
tp=$!
if forked "$tmp/pids"; then
  stop $tp
  is "$(settled "$tmp/pids")" "0 0" "processes left after SIGKILL of tpc"
else bad "bounds forker never forked"; stop $tp; fi

# SIGTERM (bounds) and SIGINT (rate) sent to tpc alone: it kills the child's
# group at once and exits 4 with the run 'interrupted', the finished specs
# and methods kept, within 3 s (the time-out is 60 s; 3 s covers a loaded
# machine).
interrupt() { # SIGNAL NAME ARGS...: run tpc in the background and signal it
  sig=$1 name=$2
  shift 2
  rm -f "$tmp/pids"
  "$TPC" "$@" >"$tmp/out" 2>"$tmp/err" &
  tp=$!
  if ! forked "$tmp/pids"; then bad "$name: the forker never forked"; stop $tp; return; fi
  t0=$(now); kill -$sig $tp; wait $tp; got=$?; t1=$(now)
  is $got 4 "$name: exit code"
  if within "$(elapsed $t0 $t1)" 3; then ok; else bad "$name: took $(elapsed $t0 $t1) s"; fi
  has err "interrupted" "$name: says interrupted"
  is "$(settled "$tmp/pids")" "0 0" "$name: processes left"
  is "$(last_status)" interrupted "$name: run row"
}
interrupt TERM "bounds SIGTERM" bounds 'topk(k=2)' forker 'randk(k=2)' $fp --timeout 60 $small
is "$(last_count bounds_specs)" 1 "bounds SIGTERM: the spec before kept, none after"
rq="quad(d=20,n=4)"
interrupt INT "rate SIGINT" rate "$rq" gd 'ef21(forker)' 'ef21(topk(k=2))' $fp --T 50 \
  --theorem T5.thm1 --timeout 60 --db $db --quiet
is "$(last_count rate_checks)" 1 "rate SIGINT: the method before kept, none after"

# rate: each method with a plugin type runs in a child; its crash, exit,
# hang or crashing init fails that method (exit 4), the others are stored.
expect 4 "rate faults" -- rate "$rq" gd 'ef21(crasher)' 'ef21(exiter0)' 'ef21(initcrasher)' \
  'ef21(interrupter)' 'ef21(topk(k=2))' --plugin "$tmp/crash.so" $fp --T 50 --timeout 20 \
  --theorem T5.thm1 --db $db
has err "ef21(crasher): error: evaluation killed by signal 11" "rate crash reported"
has err "ef21(exiter0): error: evaluation exited with status 0 before returning" "rate exit(0)"
has err "ef21(initcrasher): error: building the method (init, consts) killed by signal 11" \
  "rate init crash"
has err "ef21(interrupter): error: evaluation killed by signal 2" "rate SIGINT kernel"
has out "ef21(crasher)                                     -" "rate error row printed"
is "$(last_count rate_checks)" 2 "rate rows of the sound methods"
is "$(last_status)" error "rate run row after faults"
t0=$(now)
expect 4 "rate hang" -- rate "$rq" 'ef21(hanger)' gd --plugin "$tmp/hang.so" --T 50 \
  --theorem T5.thm1 --timeout 1 --db $db --quiet
t1=$(now)
has err "ef21(hanger): error: evaluation timed out after 1" "rate hang reported"
if within "$(elapsed $t0 $t1)" 11; then ok; else bad "rate hang took $(elapsed $t0 $t1) s"; fi
is "$(last_count rate_checks)" 1 "rate row of gd after the hang"
integrity "after rate faults"
expect 2 "rate bad --timeout" -- rate "$rq" gd --timeout 0 --db $db
# A sound plugin method runs in its child and stores its trajectories.
expect 0 "rate plugin method" -- rate "$rq" 'ef21(rtopk(k=5))' --plugin "$ex" --T 50 \
  --db $db --quiet
is "$(rows "SELECT count(*) > 20 * 51 FROM rate_points p JOIN rate_trajectories t
            ON t.id = p.trajectory_id JOIN rate_checks c ON c.id = t.check_id
            WHERE c.run_id = (SELECT max(id) FROM runs)")" 1 "plugin method's points stored"

# A plugin whose tpc_plugin_init crashes: tpc reports it (exit 4).
expect 4 "crashing tpc_plugin_init" -- list --plugin "$tmp/loadcrash.so"
has err "$tmp/loadcrash.so" "crashing plugin named"
has err "killed by signal 11" "crashing plugin's signal"
unset TPC_TEST_PIDFILE

# regress with a plugin: bare-named types join the set, others come by --spec
expect 0 "regress --plugin --update" -- regress --plugin "$ex" --spec 'rtopk(k=5)' --update \
  --baseline "$tmp/plug.sql" --db "$tmp/regress.sqlite"
has err "rtopk takes parameters" "regress names the type that needs --spec"
for s in "'terngrad'" "'rtopk(k=5)'"; do
  if grep -q "INSERT INTO bounds_specs.*$s" "$tmp/plug.sql"; then ok; else bad "baseline has $s"; fi
done
expect 0 "regress --plugin against it" -- regress --plugin "$ex" --spec 'rtopk(k=5)' \
  --baseline "$tmp/plug.sql" --db "$tmp/regress.sqlite" --timings warn
expect 1 "regress without the plugin's spec" -- regress --plugin "$ex" \
  --baseline "$tmp/plug.sql" --db "$tmp/regress.sqlite" --timings warn
has out "FAIL gone" "the dropped spec fails the gate"

echo "e2e_plugin: $pass passed, $fail failed"
[ "$fail" = 0 ]
