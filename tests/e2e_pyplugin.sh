#!/bin/sh
# Python plugins end to end (--plugin FILE.py, the API of README.md
# "Validating a new compressor"), as an author meets them:
#   list/describe show the example's names and the constants its Python code
#   declares; a bad parameter is exit 2 with the plugin's own message;
#   bounds passes the honest numpy compressors with worst ratio >= 0.99
#   where the bound is attained, finds every planted defect (exit 1), and
#   reports every fault (exception, wrong shape, NaN, hang, crash in an
#   extension, os._exit) as that spec's error (exit 4) with its reason while
#   the other specs are stored and the database stays intact;
#   the C rtopk and its numpy twin nprtopk give the same verdict and worst
#   ratio, and break the same ties (EF21 trajectories equal); results do not
#   depend on --threads; rate runs a method built on a Python compressor,
#   and a Python fault fails only its method;
#   a missing file, a syntax error and a module that registers nothing are
#   exit 2 naming the file (and the line).
# Prints one line per failure and "e2e_pyplugin: N passed, N failed".
. "$(dirname "$0")/lib.sh"

ex=$PWD/bounds/example/tpc_example.py
planted=$PWD/tests/plugins/py_planted.py
faults=$PWD/tests/plugins/py_faults.py
db=$tmp/py.sqlite
# Few points and draws: the properties below hold at any sample size (the
# honest bounds are attained at the equal family, every point of it), and
# each Python call costs tens of microseconds.
small="--d 20 --trials 8 --draws 200 --search-budget 200 --db $db --quiet"

# at_least VALUE MIN NAME: a number from the database is >= MIN.
at_least() {
  if awk -v v="$1" -v m="$2" 'BEGIN { exit !(v != "" && v + 0 >= m) }'; then ok; else
    bad "$3: '$1' < $2"; fi
}
# spec_col COLUMN SPEC: a column of SPEC's row in the newest run.
spec_col() {
  rows "SELECT $1 FROM bounds_specs WHERE spec = '$2' AND run_id = (SELECT max(id) FROM runs)"
}

# ---- list and describe: what the Python code registers and declares -------
expect 0 "list --plugin .py" -- list --plugin "$ex"
has out "  nprtopk(k=INT)" "list shows nprtopk"
has out "  qsgd(s=INT)" "list shows qsgd"
has out "  nprandk(k=INT)" "list shows nprandk"
has out "(plugin)" "list marks the Python types"
has out "  topk(" "list still shows the built-ins"
# nprtopk(k=5), d = 100: alpha = k/d = 0.05; qsgd(s=2): omega = min(100/4,
# sqrt(100)/2) = 5; nprandk(k=5): omega = 100/5 - 1 = 19.
expect 0 "describe nprtopk" -- describe 'nprtopk(k=5)' --d 100 --plugin "$ex"
has out "alpha         0.05 " "describe nprtopk alpha = k/d"
has out "randomized" "describe nprtopk randomized"
expect 0 "describe qsgd" -- describe 'qsgd(s=2)' --d 100 --plugin "$ex"
has out "omega         5 " "describe qsgd omega"
expect 0 "describe nprandk" -- describe 'nprandk(k=5)' --d 100 --plugin "$ex"
has out "omega         19 " "describe nprandk omega"
expect 0 "describe nested" -- describe 'ef21(nprtopk(k=10))' --plugin "$ex"
has out "nprtopk(k=10): contractive, alpha = 0.1" "a Python compressor nests in ef21"
expect 0 "describe a Python mechanism" -- describe 'pyef21(k=5)' --d 20 --plugin "$planted"
has out "3PC inequality per client" "the mechanism's inequality"
# B = 0.97 (1 - k/d)/(1 - sqrt(1 - k/d)) at k/d = 1/4, from the Python code.
has out "B             5.430133925012715 " "the mechanism's B"

# Bad parameters: the plugin's own message (or the bridge's), exit 2.
expect 2 "describe k > d" -- describe 'nprtopk(k=500)' --d 100 --plugin "$ex"
has err "nprtopk: k must be an integer from 1 to d = 100, got 500" "__init__'s message shown"
expect 2 "describe k not integral" -- describe 'nprtopk(k=2.5)' --plugin "$ex"
has err "k must be an integer" "non-integral k refused"
expect 2 "describe k missing" -- describe nprtopk --plugin "$ex"
has err "missing parameter k" "missing k refused"
expect 2 "describe unknown key" -- describe 'qsgd(q=2)' --plugin "$ex"

# ---- bounds: the honest compressors pass -------------------------------------
expect 0 "bounds honest" -- bounds 'nprtopk(k=5)' 'nprandk(k=5)' 'qsgd(s=2)' --plugin "$ex" $small
honest=$(rows "SELECT max(id) FROM runs")
for s in 'nprtopk(k=5)' 'nprandk(k=5)'; do
  is "$(spec_col verdict "$s")" pass "$s verdict"
  at_least "$(spec_col worst_ratio "$s")" 0.99 "$s attains its bound"
done
is "$(spec_col verdict 'qsgd(s=2)')" pass "qsgd verdict"
# QSGD's omega is an upper bound; at d = 20, s = 2 the equal-magnitude x
# reaches 1 - s/sqrt(d) = 0.553 of it (tpc_example.py).
at_least "$(spec_col worst_ratio 'qsgd(s=2)')" 0.5 "qsgd near 1 - s/sqrt(d)"
is "$(rows "SELECT sum(identity_output) FROM bounds_specs WHERE run_id = $honest")" 0 \
  "the honest compressors' outputs differ from their inputs"
integrity "after the honest run"
# float32: x arrives as float32, the output goes back as float32 (the twin
# below covers nprtopk); the allowance for float rounding keeps the attained
# bound just under 1.
expect 0 "bounds honest f32" -- bounds 'nprandk(k=5)' 'qsgd(s=2)' --plugin "$ex" --dtype f32 $small
is "$(spec_col "verdict || ' ' || dtype" 'qsgd(s=2)')" "pass f32" "qsgd f32 verdict"
is "$(spec_col verdict 'nprandk(k=5)')" pass "nprandk f32 verdict"
at_least "$(spec_col worst_ratio 'nprandk(k=5)')" 0.99 "nprandk f32 attains its bound"
# The same results with two threads (each call's stream is fixed by the
# seed and the call, never by the thread that makes it): every point equal.
expect 0 "bounds honest, 2 threads" -- bounds 'nprtopk(k=5)' 'nprandk(k=5)' 'qsgd(s=2)' \
  --plugin "$ex" $small --threads 2
two=$(rows "SELECT max(id) FROM runs")
expect 0 "bounds honest, 1 thread" -- bounds 'nprtopk(k=5)' 'nprandk(k=5)' 'qsgd(s=2)' \
  --plugin "$ex" $small --threads 1
one=$(rows "SELECT max(id) FROM runs")
points="SELECT count(*) FROM bounds_points WHERE run_id ="
at_least "$(rows "$points $one")" 100 "points stored"
is "$(rows "SELECT count(*) FROM bounds_points p1 JOIN bounds_specs s1 ON s1.id = p1.spec_id
            JOIN bounds_specs s2 ON s2.run_id = $two AND s2.spec = s1.spec
            JOIN bounds_points p2 ON p2.spec_id = s2.id AND p2.family = p1.family
                 AND p2.idx = p1.idx AND p2.confirm = p1.confirm
            WHERE p1.run_id = $one AND p1.e IS p2.e AND p1.e_lcb IS p2.e_lcb
              AND p1.bits IS p2.bits AND p1.scale_log2 = p2.scale_log2")" \
  "$(rows "$points $one")" "threads 1 and 2: every point equal"
is "$(rows "$points $one") $(rows "$points $honest")" "$(rows "$points $two") $(rows "$points $one")" \
  "the three runs have the same points"

# ---- the twin: the C rtopk and the numpy nprtopk --------------------------------
# Same selection from the same draws (tpc_example.py): same verdict and worst
# ratio, in float64 and float32.
# The sanitized command installs its own build (as tests/e2e_plugin.sh).
san=
case $TPC in */build-san/*) san=SANITIZE=1 ;; esac
if ! make -s --no-print-directory install $san PREFIX="$tmp/prefix" >"$tmp/make.log" 2>&1; then
  cat "$tmp/make.log"; bad "make install failed"
fi
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
cp -r bounds/example "$tmp/example"
if make -s -C "$tmp/example" >"$tmp/make.log" 2>&1; then ok; else
  bad "example plugin: make failed"; cat "$tmp/make.log"; fi
for dt in f64 f32; do
  expect 0 "twin $dt" -- bounds 'rtopk(k=5)' 'nprtopk(k=5)' --plugin "$tmp/example/tpc_example.so" \
    --plugin "$ex" --dtype $dt $small
  run=$(rows "SELECT max(id) FROM runs")
  is "$(rows "SELECT c.verdict || ' ' || (abs(c.worst_ratio - p.worst_ratio) <= 1e-12)
              FROM bounds_specs c JOIN bounds_specs p ON p.run_id = c.run_id
              WHERE c.run_id = $run AND c.spec = 'rtopk(k=5)' AND p.spec = 'nprtopk(k=5)'
                AND p.verdict = c.verdict")" "pass 1" "twin $dt: verdict and worst ratio"
  # Stronger: every point's left side is the same double.
  is "$(rows "SELECT count(*) FROM bounds_points c JOIN bounds_specs sc ON sc.id = c.spec_id
              JOIN bounds_specs sp ON sp.run_id = sc.run_id AND sp.spec = 'nprtopk(k=5)'
              JOIN bounds_points p ON p.spec_id = sp.id AND p.family = c.family
                   AND p.idx = c.idx AND p.confirm = c.confirm
              WHERE sc.run_id = $run AND sc.spec = 'rtopk(k=5)' AND c.e IS p.e")" \
    "$(rows "SELECT count(*) FROM bounds_points WHERE spec_id =
              (SELECT id FROM bounds_specs WHERE run_id = $run AND spec = 'rtopk(k=5)')")" \
    "twin $dt: every point equal"
  at_least "$(rows "$points $run")" 100 "twin $dt: points stored"
done
# Which tied coordinates are kept does not change ||C(x) - x||, so bounds
# cannot tell two tie-breaks apart; EF21's state can.  On mushrooms at
# x0 = 0 with g^0 = 0 the first message compresses a gradient of counts,
# tied at the 27th magnitude: each repetition of ef21(nprtopk) must equal
# the same repetition of ef21(rtopk), and some must differ from topk's
# lower-index tie-break (else the data had no tie to break).
twin="SELECT count(*) FROM rate_points p1
  JOIN rate_trajectories t1 ON t1.id = p1.trajectory_id
  JOIN rate_checks c1 ON c1.id = t1.check_id AND c1.method = 'ef21(nprtopk(k=27))'
  JOIN rate_checks c2 ON c2.run_id = c1.run_id AND c2.method = 'ef21(OTHER(k=27))'
  JOIN rate_trajectories t2 ON t2.check_id = c2.id AND t2.role = t1.role AND t2.rep = REP
  JOIN rate_points p2 ON p2.trajectory_id = t2.id AND p2.t = p1.t
  WHERE c1.run_id = (SELECT max(id) FROM runs) AND p1.f IS p2.f AND p1.gnorm2 IS p2.gnorm2"
expect 0 "twin in rate" -- rate 'logreg(file=mushrooms,n=1)' 'ef21(rtopk(k=27))' \
  'ef21(nprtopk(k=27))' 'ef21(topk(k=27))' --x0 zero --init zero --T 10 --reps 4 --no-slack \
  --theorem T5.thm1 --plugin "$tmp/example/tpc_example.so" --plugin "$ex" --db "$db" --quiet
is "$(rows "$(echo "$twin" | sed 's/OTHER/rtopk/; s/REP/t1.rep/')")" 44 \
  "twin in rate: every point of the 4 repetitions equal"
n=$(rows "$(echo "$twin" | sed 's/OTHER/topk/; s/REP/0/')")
if [ "${n:-44}" -lt 44 ]; then ok; else bad "twin in rate: no tie broken ($n of 44 equal to topk)"; fi

# ---- planted defects: violated, exit 1 --------------------------------------------
planted() { # SPEC WHAT ARGS...: bounds finds SPEC violated (WHAT), exit 1
  s=$1 what=$2
  shift 2
  expect 1 "planted $s" -- bounds "$s" --plugin "$planted" "$@"
  is "$(spec_col verdict "$s")" violated "planted $s verdict"
  has err "$s: violated: $what" "planted $s: what is found"
}
planted 'pyliar(k=5)' "left side 1.11" $small
planted 'pyshort(k=5)' "left side 1.06" $small
# The bias of pybiased (1/6 of x) is tested under the spread its declared
# omega = 3 allows: 200 draws cannot decide, 2000 can; its 8 points of the
# unbiasedness test do not depend on the families.
planted 'pybiased(k=5)' "E C(x) != x" --d 20 --trials 2 --families equal --draws 2000 \
  --search-budget 0 --db "$db" --quiet
# A Python mechanism has no compressor parts for the worst family's EF21
# construction (bounds/families.c); the search (its default budget: the
# mechanism is deterministic and cheap) must find it.  At k/d = 3/4 the
# largest ratio over that construction is 1 + A (1/0.97 - 1) = 1.01546.
planted 'pyef21(k=15)' "left side 1.015" --d 20 --db "$db" --quiet
at_least "$(spec_col worst_ratio 'pyef21(k=15)')" 1.015 "the EF21 construction reached"
integrity "after the planted defects"
# The "natural dithering" that returns x: its omega holds (the error is 0)
# and its claimed 9 bits per coordinate are shown as a claim only; tpc sees
# from the outputs that it compresses nothing, flags the pass and stores it.
expect 0 "describe pynatural" -- describe pynatural --d 20 --plugin "$planted"
has out "message bits  180 " "the claimed size shown"
has out "[claimed by the plugin" "shown as a claim"
expect 0 "bounds pynatural" -- bounds pynatural --plugin "$planted" --d 20 --trials 8 --draws 200 \
  --search-budget 200 --db "$db"
has out "pass, loose xinf" "pynatural's pass is loose x inf"
has out "  flag: output equalled its input on every point tested (" "pynatural flagged"
has out "it compresses nothing; declared omega = 0.125 is loose x inf" "the flag names omega"
is "$(spec_col "identity_output || ' ' || loose || ' ' || (loose_factor = 9e999)" pynatural)" \
  "1 1 1" "pynatural stored: identity_output, loose, loose_factor inf"

# ---- faults: the spec's error, exit 4, the others stored ---------------------------
expect 4 "bounds faults" -- bounds 'topk(k=2)' pyraiser pyshape pynan pysegv pyexit0 'randk(k=2)' \
  --plugin "$faults" --timeout 20 $small
has err "pyraiser: error:" "raise reported"
has err "RuntimeError: pyraiser: planted failure in compress" "the exception's text shown"
has err "pyshape: error:" "wrong shape reported"
has err "shape (19,), expected (20,)" "the shapes named"
has err "pynan: error:" "NaN reported"
has err "nan at index 0" "the NaN's index named"
has err "pysegv: error: evaluation killed by signal 11" "crash in an extension reported"
has err "pyexit0: error: evaluation exited with status 0 before returning" "os._exit(0) reported"
is "$(last_count bounds_specs)" 7 "every spec of the faulty run stored"
is "$(rows "SELECT count(*) FROM bounds_specs WHERE verdict = 'pass'
            AND run_id = (SELECT max(id) FROM runs)")" 2 "the built-ins beside the faults pass"
is "$(last_status)" error "the run row ends"
integrity "after the faults"
t0=$(date +%s)
expect 4 "bounds hang" -- bounds 'topk(k=2)' pyhang --plugin "$faults" --timeout 2 $small
t1=$(date +%s)
has err "pyhang: error: evaluation timed out after 2" "a Python loop is timed out"
if [ $((t1 - t0)) -le 12 ]; then ok; else bad "the hang took $((t1 - t0)) s with --timeout 2"; fi
is "$(last_count bounds_specs)" 2 "the spec before the hang stored"
integrity "after the hang"

# An exception in __init__ is bad input: exit 2, its text, nothing stored.
before=$(rows "SELECT count(*) FROM runs")
expect 2 "bounds __init__ raises" -- bounds 'topk(k=2)' 'pyinitfail(k=2)' --plugin "$faults" $small
has err "pyinitfail: k = 2 is refused (only k = 1 is)" "__init__'s exception shown"
is "$(rows "SELECT count(*) FROM runs")" "$before" "nothing stored for bad input"

# ---- rate: a method built on a Python compressor -------------------------------------
rq='quad(d=100,n=10)'
expect 0 "rate ef21(nprtopk)" -- rate "$rq" 'ef21(nprtopk(k=10))' 'ef21(topk(k=10))' --T 50 \
  --theorem T5.thm1 --plugin "$ex" --threads 1 --db "$db" --quiet
r1=$(last_run)
is "$(rows "SELECT count(*) FROM rate_checks WHERE run_id = $r1 AND verdict = 'pass'")" 2 \
  "both methods pass Theorem 1"
expect 0 "rate ef21(nprtopk), 2 threads" -- rate "$rq" 'ef21(nprtopk(k=10))' 'ef21(topk(k=10))' \
  --T 50 --theorem T5.thm1 --plugin "$ex" --threads 2 --db "$db" --quiet
r2=$(last_run)
# 1 thread equals 2; and on a quadratic's continuous data ties have
# probability zero: nprtopk is TopK there, each of its repetitions (it
# declares itself randomized) equal to topk's one trajectory (not its bits:
# tpc encodes a Python compressor's output its own way).
traj="SELECT count(*) FROM rate_points p1
  JOIN rate_trajectories t1 ON t1.id = p1.trajectory_id
  JOIN rate_checks c1 ON c1.id = t1.check_id AND c1.run_id = $r1
  JOIN rate_checks c2 ON c2.run_id = RUN2 AND c2.method = METHOD2
  JOIN rate_trajectories t2 ON t2.check_id = c2.id AND t2.role = t1.role AND t2.rep = t1.rep
       AND t2.mult IS t1.mult
  JOIN rate_points p2 ON p2.trajectory_id = t2.id AND p2.t = p1.t
  WHERE c1.method = 'ef21(nprtopk(k=10))' AND p1.f IS p2.f AND p1.gnorm2 IS p2.gnorm2"
n=$(rows "SELECT count(*) FROM rate_points p JOIN rate_trajectories t ON t.id = p.trajectory_id
          JOIN rate_checks c ON c.id = t.check_id
          WHERE c.run_id = $r1 AND c.method = 'ef21(nprtopk(k=10))'")
at_least "$n" 51 "the Python method's points stored"
is "$(rows "$(echo "$traj AND p1.bits_up = p2.bits_up" | sed "s/RUN2/$r2/; s/METHOD2/c1.method/")")" "$n" \
  "rate threads 1 and 2: the Python method's trajectories equal"
is "$(rows "$(echo "$traj" | sed "s/RUN2/$r1/; s/METHOD2/'ef21(topk(k=10))'/;
                                  s/t2.rep = t1.rep/t2.rep = 0/")")" "$n" \
  "ef21(nprtopk) runs as ef21(topk) on continuous data"

# A Python fault inside a method fails that method alone (exit 4).
expect 4 "rate faults" -- rate 'quad(d=20,n=4)' 'ef21(pyraiser)' 'ef21(pysegv)' gd --T 20 \
  --no-slack --theorem T5.thm1 --plugin "$faults" --timeout 20 --db "$db" --quiet
has err "ef21(pyraiser): error: evaluation failed: pyraiser.compress: RuntimeError" "rate: the exception"
has err "ef21(pysegv): error: evaluation killed by signal 11" "rate: the crash"
is "$(last_count rate_checks)" 1 "rate: the sound method stored"
is "$(last_status)" error "rate: the run row ends"
integrity "after the rate faults"

# ---- files that cannot be loaded: exit 2 naming the file ---------------------------
before=$(rows "SELECT count(*) FROM runs")
expect 2 "missing .py" -- list --plugin "$tmp/nope.py"
has err "$tmp/nope.py" "missing file named"
expect 2 "syntax error" -- list --plugin "$PWD/tests/plugins/py_syntax.py"
has err "py_syntax.py" "syntax error names the file"
has err "line 8" "syntax error names the line"
expect 2 "registers nothing" -- list --plugin "$PWD/tests/plugins/py_empty.py"
has err "py_empty.py" "empty module named"
has err "registers no compressor or mechanism" "empty module's reason"
expect 2 "syntax error under bounds" -- bounds 'topk(k=2)' --plugin "$PWD/tests/plugins/py_syntax.py" \
  $small
is "$(rows "SELECT count(*) FROM runs")" "$before" "nothing stored for a broken plugin"

echo "e2e_pyplugin: $pass passed, $fail failed"
[ "$fail" = 0 ]
