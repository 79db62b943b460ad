#!/bin/sh
# Plugins end to end, as an outside author meets them: make install into a
# temporary prefix, build the example plugin (bounds/example, copied out of
# the tree) with its own Makefile and the test plugins (tests/plugins) with
# `pkg-config --cflags tpc` only, then load them into $TPC:
#   list/describe see the new names; a missing file, a FIFO, a file without
#   tpc_plugin_init and a failing init exit 2 naming the file;
#   bounds passes the example, finds the liar and the biased coinflip
#   (exit 1), and reports a crash or a hang in a kernel (exit 4) while the
#   database stays intact.
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
for p in crash hang liar coinflip initfail nosym; do
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
integrity() {
  got=$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1)
  if [ "$got" = ok ]; then ok; else bad "$1: integrity_check said '$got'"; fi
}
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

  # The example's declarations hold.
  expect 0 "bounds example" -- bounds 'rtopk(k=5)' terngrad --plugin "$ex" $small
  integrity "after example"
fi

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
