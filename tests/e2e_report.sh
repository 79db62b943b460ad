#!/bin/sh
# Command tests of `tpc report` and `tpc regress`.  report: a small database
# (bounds, rate with Theorem 1 and PL, a fig2 heat map's rows, two bench runs
# at d = 2^16 and 2^20, checks of T8 and T9 theorems) renders to a
# self-contained page whose theorems' curves are drawn, thinned, for the
# checks that have one and only for them, whose every plot has
# data, whose d axes are labelled with the true powers of two, and whose plots
# are drawn at least 560 px wide with text of 11 px or more, never shrunk by
# the page; headless Chromium loads it without a console message, renders
# every plot at least 560 px wide and its text at 11 px or more in a 1200 px
# page, and takes a screenshot (report-test.png beside $TPC, or in
# $TPC_SHOT_DIR); --compare and --run select; bad input exits 2 and writes nothing.
# regress: --update then a run against that baseline passes; a baseline whose
# Theorem 1 verdict differs fails with a readable diff; a corrupt or missing
# baseline, one made with another seed, a FIFO, or an unwritable --update
# path exits 2 and stores nothing.  Prints "e2e_report: N passed, N failed".
. "$(dirname "$0")/lib.sh"
db="$tmp/r.sqlite"
out="$tmp/report"

q() { "$TPC" "$@" --db "$db" --quiet >/dev/null 2>"$tmp/err" || { bad "setup: tpc $*"; cat "$tmp/err"; }; }
q bounds 'topk(k=3)' 'randk(k=3)' 'ef21(topk(k=3))' 'clag(topk(k=3),zeta=2)' --d 20
q rate 'quad(d=20,n=4,s=0)' gd 'ef21(topk(k=3))' 'marina(urandk(k=3),p=0.5)' --T 100
q rate 'quad(d=20,n=4,s=0)' gd 'ef21(topk(k=3))' --T 100 --pl --no-slack
q bench topk randk --d 2^16,2^20 --samples 5 --dtype f32 --impl comp,quickselect
q bench topk randk --d 2^16,2^20 --samples 5 --dtype f32 --impl comp,quickselect
# A fig2 heat map's rows as `tpc rate --experiment fig2` stores them (the
# experiment itself takes a minute): four cells, one not reached.
if command -v sqlite3 >/dev/null 2>&1; then
  sqlite3 "$db" "INSERT INTO runs (command, started_at, status) VALUES ('rate', '2026-01-01T00:00:00.000Z', 'ok');
    INSERT INTO rate_best (run_id, experiment, panel, method, K, zeta, metric, reached, value)
    SELECT (SELECT max(id) FROM runs), 'fig2', 'K=' || K || ',zeta=' || z, 'clag(topk(k=' || K || '),zeta=' || z || ')', K, z,
           'bits_to_eps', r, v FROM (SELECT 1 AS K, 0 AS z, 1 AS r, 5e4 AS v UNION ALL
           SELECT 8, 0, 1, 3e4 UNION ALL SELECT 1, 4, 1, 4e4 UNION ALL SELECT 8, 4, 0, NULL);" \
    || bad "setup: fig2 rows"
else bad "sqlite3 (make deps) is needed for the heat-map rows"; fi

# Checks of T8 and T9 theorems, whose runs store the measured quantity and
# its bound at each t (the EF21-P + DIANA one records every point: T = 1000
# points a line unless the report thins them), and a check at twice the
# theorem's step (verdict n/a: nothing checked, no curve stored).
quad='quad(d=20,n=10,s=1,seed=3,convex=1,lambda=0.1)'
q rate "$quad" 'dcgd_shift(urandk(k=5),shift=diana)' --T 200 --reps 4 --no-slack --threads 1
q rate "$quad" 'ef21p_diana(urandk(k=5),topk(k=5))' --T 1000 --reps 4 --no-slack --threads 1
q rate "$quad" 'dcgd_shift(urandk(k=5),shift=star)' --T 100 --reps 4 --mult 2 --no-slack --threads 1
unchecked=$(rows "SELECT max(id) FROM runs")

expect 0 "report" -- report --db "$db" --out "$out"
has out "report.html" "prints where the report is"
for f in report.html report.md plots/fig2-heatmap.svg; do
  if [ -s "$out/$f" ]; then ok; else bad "report wrote $f"; fi
done
cp "$out/report.html" "$tmp/page"
cp "$out/report.md" "$tmp/md"
for s in "Constants" "Rates" "Kernels" "Theorem 1" "PL (Theorem 2" "Fig. 2" "A-B frontiers"; do
  has md "$s" "markdown has $s"
done
has md "ef21(topk(k=3))" "markdown has the mechanism"
has md "numpy" "topk table names the peer column"
has page "cheapest cell is K = 8" "heat map marks the cheapest cell"
lacks page "<script" "no script in the page"
lacks page "src=\"http" "nothing fetched from the network"
lacks page "href=\"http" "no link out"
lacks page "id='gp" "gnuplot ids scoped per figure"

# The theorems' curves: one panel per check that has one (T8.3; T9.3, T9.4,
# T9.5 in that order), the means of the 4 repetitions beside repetition 0,
# one bound line where the repetitions share it (T9.3), the one-step T9.4 as
# the ratio of its sides against 1; at most 400 points a line (T9.4's 1000
# every 3rd, 334 and the last); the T9 heading lists all seven theorems.
for f in theorem-T8-0 theorem-T9-0 theorem-T9-1 theorem-T9-2; do
  if [ -s "$out/plots/$f.svg" ]; then ok; else bad "report drew $f"; fi
done
for f in theorem-T8-1 theorem-T9-3; do
  if [ -e "$out/plots/$f.svg" ]; then bad "$f drawn: a panel without a curve"; else ok; fi
done
has md "EF21-P + DIANA, one step (Thm F.1) on $quad: each step's left side at t over its right side" \
  "T9.4's panel is captioned"
has md "(plots/theorem-T9-1.svg)" "T9.4's panel is linked"
has md "EF21-P + DCGD, convex (Thm G.2)" "the T9 heading names its last theorem"
cp "$out/plots/theorem-T9-0.svg" "$tmp/t93"
cp "$out/plots/theorem-T9-1.svg" "$tmp/t94"
has t93 "<title>measured, mean of 4</title>" "T9.3: the mean of the repetitions"
has t93 "<title>bound</title>" "T9.3: one bound, common to the repetitions"
lacks t93 "bound, mean of" "T9.3: no second bound line"
has t94 "<title>lhs/rhs, rep. 0</title>" "T9.4: the ratio of repetition 0"
has t94 "<title>bound 1</title>" "T9.4: against 1"
# segments of each plotted line: the L commands of its group's path
most=$(awk 'BEGIN { RS = "<g id=\"gnuplot_plot_" } NR > 1 { n = gsub(/L[0-9]/, ""); if (n > m) m = n }
  END { print m + 0 }' "$tmp/t94")
if [ "$most" -ge 300 ] && [ "$most" -lt 400 ]; then ok
else bad "T9.4's longest line has $most segments, expected 334 (335 of its 1000 points)"; fi
# nothing checked (n/a at twice the step): no curve, no panel
expect 0 "report of an unchecked run" -- report --db "$db" --out "$tmp/unchecked" --run "$unchecked"
if grep -qF "dcgd_shift(urandk(k=5),shift=star)" "$tmp/unchecked/report.md" &&
   ! grep -q 'id="fig-theorem-' "$tmp/unchecked/report.html" &&
   [ -z "$(ls "$tmp/unchecked/plots")" ]; then ok
else bad "a run with nothing checked drew a theorem's curve"; fi

# xticks SVG: the x axis's tick labels, one a line, an exponent (a tspan
# raised by a negative dy) after '^' ("2^16").  They are the centred labels
# on the row that holds the most of them: title and axis label are alone.
xticks() {
  awk 'BEGIN { RS = "<g transform=\"translate\\(" }
    /text-anchor="middle"/ && /<text>/ {
      y = $0; sub(/^[^,]*,/, "", y); sub(/\).*/, "", y)
      t = $0; sub(/.*<text>/, "", t); sub(/<\/text>.*/, "", t)
      gsub(/<tspan[^>]*dy="-[^>]*>/, "^", t); gsub(/<[^>]*>/, "", t); gsub(/ /, "", t)
      n[y]++; label[y] = label[y] t "\n" }
    END { for (y in n) if (n[y] > n[best]) best = y; printf "%s", label[best] }' "$1"
}
# d axes of the kernel and TopK plots: powers of two 2^N with 10 <= N <= 26
# whose range covers the data's 2^16 and 2^20 (a base-10 scale with 2^{%L}
# labels read 2^4 .. 2^7)
for f in "$out"/plots/kernel-*.svg "$out"/plots/topk-*.svg; do
  ticks=$(xticks "$f" | tr '\n' ' ')
  verdict=$(printf '%s\n' $ticks | awk '
    { if ($0 !~ /^2\^[0-9]+$/) bad = 1; e = substr($0, 3) + 0
      if (e < 10 || e > 26) bad = 1; if (NR == 1 || e < lo) lo = e; if (e > hi) hi = e }
    END { print (NR >= 2 && !bad && lo <= 16 && hi >= 20) ? "ok" : "bad" }')
  if [ "$verdict" = ok ]; then ok; else bad "${f##*/}: d axis labelled [$ticks] for d = 2^16, 2^20"; fi
done
# legible as drawn: every font size 11 or more, every plot drawn at least
# 560 wide, the grid's columns no narrower than the plots (never shrunk) and
# too wide for three, with 1em (16 px) gaps, in the page's width
font=$(cat "$out"/plots/*.svg | grep -o 'font-size[=:]"*[0-9.]*' | tr -dc '0-9.\n' | sort -n | head -1)
if awk "BEGIN { exit !(${font:-0} >= 11) }"; then ok; else bad "smallest SVG font size: ${font:-none}"; fi
grep -o 'viewBox="0 0 [0-9.]*' "$tmp/page" | sed 's/.* //' | sort -n >"$tmp/widths"
drawn_min=$(head -1 "$tmp/widths")
drawn_max=$(tail -1 "$tmp/widths")
cols=$(grep -o 'minmax([0-9]*px' "$tmp/page" | tr -dc '0-9\n' | sort -n | head -1)
page=$(sed -n 's/^body {.*max-width: *\([0-9]*\)px.*/\1/p' "$tmp/page")
if [ "${drawn_min:-0}" -ge 560 ] && [ "${cols:-0}" -ge "$drawn_max" ] && [ -n "$page" ] &&
   [ $((3 * cols + 2 * 16)) -gt "$page" ]; then ok
else bad "plots drawn ${drawn_min:-?}-${drawn_max:-?} px wide in columns of ${cols:-?} px, page ${page:-?} px"; fi

# headless Chromium: no console message, every plot has data, a screenshot
if command -v chromium >/dev/null 2>&1; then
  shot=${TPC_SHOT_DIR:-$(dirname "$TPC")}/report-test.png
  timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --enable-logging=stderr --v=0 --user-data-dir="$tmp/chrome" --window-size=1280,6000 \
    --dump-dom "file://$out/report.html" >"$tmp/dom" 2>"$tmp/chrome.log" \
    && ok || bad "chromium loads the page"
  lacks chrome.log ":CONSOLE" "no console message"
  # per figure: after its first plot group, more drawn segments and points
  # than legend samples (one per plot group) -- the data itself
  empty=$(awk 'BEGIN { RS = "<figure class=\"plot\"" } NR > 1 {
      sub(/<\/figure>.*/, ""); i = index($0, "gnuplot_plot_"); if (!i) { n++; next }
      s = substr($0, i); g = gsub(/gnuplot_plot_[0-9]+/, "", s)
      d = gsub(/L[0-9-]/, "", s) + gsub(/<use /, "", s); if (d <= g) n++ }
      END { print n + 0, NR - 1 }' "$tmp/dom")
  set -- $empty
  if [ "$1" = 0 ] && [ "$2" -ge 7 ]; then ok; else bad "plots with data: $1 empty of $2"; fi
  timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$tmp/chrome" --window-size=1280,6000 --screenshot="$shot" \
    "file://$out/report.html" >/dev/null 2>&1
  # a PNG (signature, then IHDR's width and height) of the window's size,
  # with more in it than a blank page
  png=$(od -An -tx1 -N24 "$shot" 2>/dev/null | tr -d ' \n')
  size=$(cat "$shot" 2>/dev/null | wc -c)
  if [ "$(echo "$png" | cut -c1-32)" = 89504e470d0a1a0a0000000d49484452 ] &&
     [ $((0x$(echo "$png" | cut -c33-40))) = 1280 ] && [ $((0x$(echo "$png" | cut -c41-48))) = 6000 ] &&
     [ "$size" -gt 20000 ]; then ok
  else bad "screenshot $shot: not a 1280x6000 PNG over 20 kB (${size:-0} bytes, header $png)"; fi
  # measured in a 1200 px frame (a test page's script; the report has none):
  # per plot, its rendered width and its smallest text in rendered pixels
  cat >"$tmp/measure.html" <<EOF
<!DOCTYPE html><html><body><iframe id="r" src="file://$out/report.html"
 style="width: 1200px; height: 900px; border: 0"></iframe><script>
r.onload = function () {
  var out = [];
  r.contentDocument.querySelectorAll('figure.plot svg').forEach(function (s) {
    var k = s.clientWidth / s.viewBox.baseVal.width, px = 1e9;
    s.querySelectorAll('text, tspan').forEach(function (t) {
      if (t.textContent.trim()) px = Math.min(px, parseFloat(getComputedStyle(t).fontSize) * k);
    });
    out.push(s.clientWidth + ' ' + px.toFixed(1));
  });
  document.body.insertAdjacentHTML('beforeend', '<pre id="m">' + out.join(';') + '</pre>');
};
</script></body></html>
EOF
  timeout 120 chromium --headless --no-sandbox --disable-gpu --allow-file-access-from-files \
    --user-data-dir="$tmp/chrome" --dump-dom "file://$tmp/measure.html" 2>/dev/null |
    sed -n 's/.*<pre id="m">\([0-9][^<]*\)<\/pre>.*/\1/p' | tr ';' '\n' >"$tmp/measured"
  small=$(awk '$1 < 560 || $2 < 11 { n++ } END { print n + 0, NR }' "$tmp/measured")
  set -- $small
  if [ "$1" = 0 ] && [ "$2" -ge 7 ]; then ok
  else bad "in a 1200 px page, $1 of $2 plots under 560 px wide or with text under 11 px:" \
    "$(tr '\n' ';' <"$tmp/measured")"; fi
else
  bad "chromium is not installed (make deps installs it)"
fi

# --compare and --run
expect 0 "compare bench runs" -- report --db "$db" --out "$tmp/cmp" --compare 4 5
has_cmp() { if grep -qF -- "$1" "$tmp/cmp/report.md"; then ok; else bad "$2"; fi; }
has_cmp "Comparison: run 4 -> run 5 (bench)" "comparison section"
has_cmp "time / floor" "timings compared to the roofline"
expect 0 "one run" -- report --db "$db" --out "$tmp/one" --run 1
if grep -q "Fig. 2" "$tmp/one/report.md" && ! grep -q "cheapest cell is" "$tmp/one/report.html"; then ok
else bad "--run 1 shows only the bounds run"; fi

# bad input: exit 2, nothing written
expect 2 "unknown run" -- report --db "$db" --out "$tmp/no1" --run 99
has err "no such run" "names the run"
expect 2 "compare across commands" -- report --db "$db" --out "$tmp/no2" --compare 1 4
has err "compare two runs of one command" "says why"
expect 2 "bad flag" -- report --db "$db" --out "$tmp/no3" --frobnicate
expect 2 "missing database" -- report --db "$tmp/none.sqlite" --out "$tmp/no4"
expect 2 "--out is a file" -- report --db "$db" --out "$tmp/page"
has err "is not a directory" "names the file in the way"
for d in no1 no2 no3 no4; do if [ -e "$tmp/$d" ]; then bad "$d written"; else ok; fi; done
[ -e "$tmp/none.sqlite" ] && bad "missing database created" || ok

# regress: write a baseline, pass against it, fail against a changed verdict
rdb="$tmp/g.sqlite"
base="$tmp/baseline.sql"
expect 0 "regress --update" -- regress --update --baseline "$base" --db "$rdb" --quiet
if grep -q "^INSERT INTO rate_checks" "$base"; then ok; else bad "baseline has rate rows"; fi
# the gate's bounds step covers exactly make run's RUN_SPECS (two lists, one
# in cmd_regress.c and one in the Makefile, must not drift apart)
db="$rdb"
gate=$(rows "SELECT group_concat(spec, ' ') FROM (SELECT spec FROM bounds_specs WHERE run_id =
  (SELECT min(run_id) FROM bounds_specs) ORDER BY spec)")
make_specs=$(eval "printf '%s\n' $(make -s --no-print-directory print-RUN_SPECS)" | LC_ALL=C sort | tr '\n' ' ')
if [ "$gate" = skip ] || [ "$gate " = "$make_specs" ]; then ok
else bad "regress specs differ from RUN_SPECS: [$gate] vs [$make_specs]"; fi
expect 0 "regress against itself" -- regress --baseline "$base" --db "$rdb" --timings warn
has out "0 failure(s)" "summary line"
# The four checks below rerun the whole gate (about 30 s each in the plain
# build, three times that under AddressSanitizer) to test its comparison
# rules on planted baselines.  make test runs them in the plain build; the
# sanitized build exercises the gate's code in the two runs above, so CI
# stays within its time.
case $TPC in */build-san/*) ;; *)
# The timing gate (--timings gate; timings only warn by default) compares
# like with like.  A kernel slowed down on its own
# path fails it: the baseline's sign samples divided by 10, so sign now takes
# ten times its baseline time, far beyond what a loaded machine's noise moves
# (2x to 3x here under a load of 20 on 2 cores).  Other kernels may differ
# by noise too: the check is that sign's slowdown is caught.
sign_id=$(sed -n "s/^INSERT INTO bench_cases .* VALUES (\([0-9]*\), [0-9]*, [0-9]*, 'kernel', 'sign'.*/\1/p" "$base" | head -n 1)
# (bench_samples rows: run_id, case_id, sample, seq, ns, round)
awk -v id="$sign_id" -F', ' -v OFS=', ' '/^INSERT INTO bench_samples/ && $7 == id {
    $(NF - 1) = ($(NF - 1) + 0) / 10 } { print }' "$base" >"$tmp/slow.sql"
expect 1 "a planted slowdown on the same path" -- regress --baseline "$tmp/slow.sql" --db "$rdb" \
  --timings gate
has out "FAIL bench  sign f32 d=1048576 comp" "the slowed kernel fails the gate"
# The same baseline timed on another kernel path: not comparable, no failure
# (bench_cases.path is the row's last text value).
sed "/^INSERT INTO bench_cases/s/, '[^']*'\(\(, [^,']*\)*\));\$/, 'elsewhere'\1);/" "$tmp/slow.sql" \
  >"$tmp/other.sql"
expect 0 "another kernel path is no failure" -- regress --verbose --baseline "$tmp/other.sql" \
  --db "$rdb"
has out "timing(s) not comparable" "the summary says why timings were not compared"
has out "not comparable (baseline: elsewhere on" "each item names the baseline's path"
# TPC_KERNEL=scalar on an AVX2 or AVX-512 CPU: the portable kernels against
# the baseline's wider ones, not comparable either.
TPC_KERNEL=scalar "$TPC" regress --baseline "$base" --db "$rdb" >"$tmp/out" 2>&1
if [ $? = 0 ]; then ok; else bad "TPC_KERNEL=scalar against the native baseline"; cat "$tmp/out"; fi
if grep -qw avx2 /proc/cpuinfo; then has out "timing(s) not comparable" "scalar paths not compared"; fi
sed "/^INSERT INTO rate_checks/{s/'pass'/'violated'/;:a;n;ba}" "$base" >"$tmp/changed.sql"
expect 1 "changed Theorem 1 verdict" -- regress --baseline "$tmp/changed.sql" --db "$rdb" --timings warn
has out "FAIL rate" "the diff names the area"
has out "violated -> pass" "the diff shows the change"
db="$rdb"
n=$(rows "SELECT count(*) FROM regress_items WHERE level = 'fail'")
if [ "$n" = skip ] || [ "$n" -ge 1 ]; then ok; else bad "failure stored in regress_items: $n"; fi
esac
printf 'INSERT INTO nosuch VALUES (1);\n' >"$tmp/corrupt.sql"
db="$rdb"
before=$(rows "SELECT count(*) FROM runs")
expect 2 "corrupt baseline" -- regress --baseline "$tmp/corrupt.sql" --db "$rdb"
has err "not a tpc baseline" "names the problem"
# A baseline is reviewed code, not a program: one that attaches a file (here
# relative to the working directory) is refused by line before anything runs.
mkdir "$tmp/h"
printf -- '-- hostile\nATTACH DATABASE %s AS p; CREATE TABLE p.t (x);\n' "'x.db'" >"$tmp/h/b.sql"
(cd "$tmp/h" && "$TPC" regress --baseline b.sql --db "$rdb" >"$tmp/out" 2>"$tmp/err")
if [ $? = 2 ]; then ok; else bad "attaching baseline: exit not 2"; cat "$tmp/err"; fi
has err "b.sql line 2 is not a tpc baseline statement: ATTACH" "names the line and the statement"
if [ -e "$tmp/h/x.db" ]; then bad "the attaching baseline created x.db"; else ok; fi
expect 2 "missing baseline" -- regress --baseline "$tmp/none.sql" --db "$rdb"
has err "--update" "says how to make one"
expect 2 "baseline of another seed" -- regress --baseline "$base" --db "$rdb" --seed 7
has err "was made with --seed 1" "names the baseline's seed"
expect 2 "unwritable baseline" -- regress --update --baseline "$tmp/nodir/b.sql" --db "$rdb"
has err "cannot write the baseline" "says it cannot write it"
mkfifo "$tmp/fifo.sql"
limit=20
expect 2 "FIFO as the baseline" -- regress --baseline "$tmp/fifo.sql" --db "$rdb"
limit=
has err "is not a regular file (a FIFO)" "says what the baseline is"
after=$(rows "SELECT count(*) FROM runs")
if [ "$before" = "$after" ]; then ok; else bad "bad baseline stored runs ($before -> $after)"; fi

# A counted run (--instrument instructions) after a timed one of the same
# case: the report keeps the timing and shows the count beside it, rather
# than a row of dashes where the newest (counted) row has no time.  An
# AddressSanitizer build counts nothing (exit 3): there only the timing.
db="$tmp/counted.sqlite"
q bench sign --d 2^12 --dtype f32 --impl comp --samples 3 --rounds 3
"$TPC" bench sign --d 2^12 --dtype f32 --impl comp --instrument instructions --quiet \
  --db "$db" >/dev/null 2>"$tmp/err"
counted=$?
expect 0 "report of a timed and a counted run" -- report --db "$db" --out "$tmp/counted"
if grep -qE '^\| sign \| f32 \| 2\^12 \| - \| comp \| [^|]* \| [0-9.]+ (ns|us) \|' \
  "$tmp/counted/report.md"; then ok; else bad "the timing of sign is in the report"; fi
if [ "$counted" = 0 ]; then
  if grep -qE '^\| sign \| f32 \| 2\^12 \| - \| comp \| [^|]* \| [0-9.e+]+ ins \|' \
    "$tmp/counted/report.md"; then ok; else bad "the count of sign is in the report"; fi
else
  case $TPC in */build-san/*) ok ;; *) bad "sign counted: exit $counted"; cat "$tmp/err" ;; esac
fi

echo "e2e_report: $pass passed, $fail failed"
[ "$fail" = 0 ]
