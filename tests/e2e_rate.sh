#!/bin/sh
# Command tests of `tpc rate`: Theorem 1 and PL checks pass on a small
# quadratic and store their rows; deterministic methods give bit-identical
# stored trajectories for 1 and 2 threads (compared in SQL, where = on REAL
# is exact); the stops, the EF21-P downlink, the wire check, --time, fig3
# and ef21p at a tiny T (ef21p's report figure), a data file named by a path
# written bare; bad input exits 2 and stores nothing, data files that lie,
# overflow or block included.
# Prints one line per failure and "e2e_rate: N passed, N failed".
. "$(dirname "$0")/lib.sh"
db="$tmp/rate.sqlite"

Q='quad(d=100,n=10,s=0,seed=1)'
# n d = 65600 client-state values: at least TPC_ALG1_PAR_VALUES (65536), so
# its rounds run in parallel on 2 threads (Q's run on one whatever is asked)
QPAR='quad(d=656,n=100,s=0,seed=1)'
# The runs whose rows are counted check Theorem 1 alone (--theorem T5.thm1;
# by default every theorem that applies is checked: tests/e2e_theorems.sh)
DET='gd ef21(topk(k=5)) lag(zeta=4) clag(topk(k=5),zeta=2) 3pcv1(topk(k=5))'

expect 0 "help" -- rate --help
has out "Theorem 1" "help names the theorem"
has out "--experiment" "help names the experiments"

# Theorem 1 on the deterministic methods, 1 thread, then 2 threads
# shellcheck disable=SC2086
expect 0 "theorem1 threads 1" -- rate "$QPAR" $DET --T 150 --threads 1 --theorem T5.thm1 --db "$db"
has out "pass" "table shows pass"
run1=$(last_run)
# shellcheck disable=SC2086
expect 0 "theorem1 threads 2" -- rate "$QPAR" $DET --T 150 --threads 2 --theorem T5.thm1 --db "$db"
run2=$(last_run)
equals "SELECT count(*) FROM rate_checks WHERE run_id = $run1 AND verdict = 'pass'
        AND check_kind = 'theorem1' AND slack >= 1" 5 "five checks pass with a slack"
equals "SELECT status FROM runs WHERE id = $run1" ok "run status ok"
# every point of run 1 has a twin in run 2, equal in every column
same="SELECT count(*) FROM rate_points p1
  JOIN rate_trajectories t1 ON t1.id = p1.trajectory_id
  JOIN rate_checks c1 ON c1.id = t1.check_id AND c1.run_id = $run1
  JOIN rate_checks c2 ON c2.run_id = $run2 AND c2.method = c1.method
  JOIN rate_trajectories t2 ON t2.check_id = c2.id AND t2.role = t1.role AND t2.rep = t1.rep
       AND t2.mult IS t1.mult
  JOIN rate_points p2 ON p2.trajectory_id = t2.id AND p2.t = p1.t
  WHERE p1.f IS p2.f AND p1.gnorm2 IS p2.gnorm2 AND p1.G IS p2.G AND p1.bits_up = p2.bits_up
    AND p1.bits_up_paper = p2.bits_up_paper AND p1.bits_down = p2.bits_down"
all="SELECT count(*) FROM rate_points p JOIN rate_trajectories t ON t.id = p.trajectory_id
  JOIN rate_checks c ON c.id = t.check_id WHERE c.run_id = $run1"
n_all=$(rows "$all")
equals "$same" "$n_all" "threads 1 and 2: bit-identical trajectories ($n_all points)"
equals "SELECT count(*) FROM rate_points p JOIN rate_trajectories t ON t.id = p.trajectory_id
  JOIN rate_checks c ON c.id = t.check_id WHERE c.run_id = $run1 AND t.role = 'rep'
  AND c.method = 'gd'" 151 "every iteration of T = 150 stored"

# Theorem 1 holds for every built-in mechanism at the theoretical step, on
# s = 0 and on a heterogeneous quadratic (L+- > 0)
ALL='gd ef21(topk(k=5)) lag(zeta=4) clag(topk(k=5),zeta=2) 3pcv1(topk(k=5))
  3pcv2(urandk(k=5),topk(k=5)) 3pcv3(lag(zeta=4),topk(k=5)) 3pcv4(topk(k=3),topk(k=3))
  3pcv5(topk(k=5),p=0.1) adacgd(topk(k=1),topk(k=5),topk(k=20),zeta=4)
  marina(urandk(k=10),p=0.5) shifted(topk(k=5)) diana(urandk(k=10))'
for q in "$Q" 'quad(d=100,n=10,s=3,seed=1)'; do
  # shellcheck disable=SC2086
  expect 0 "every mechanism on $q" -- rate "$q" $ALL --T 100 --no-slack --theorem T5.thm1 --db "$db"
  equals "SELECT count(*) FROM rate_checks WHERE run_id = $(last_run) AND verdict = 'pass'" 13 \
    "13 mechanisms pass Theorem 1 on $q"
done

# randomized: one repetition is inconclusive (exit 3); three pass
expect 3 "one repetition" -- rate "$Q" 'ef21(randk(k=5))' --T 100 --reps 1 --no-slack --db "$db"
has out "inconclusive" "inconclusive verdict shown"
equals "SELECT status FROM runs WHERE id = $(last_run)" inconclusive "run status inconclusive"
expect 0 "randomized passes" -- rate "$Q" 'ef21(randk(k=5))' 'marina(urandk(k=10),p=0.5)' \
  --T 100 --reps 20 --no-slack --threads 2 --theorem T5.thm1 --db "$db"
equals "SELECT count(*) FROM rate_checks WHERE run_id = $(last_run) AND ucb <= bound
        AND verdict = 'pass' AND reps = 20" 2 "upper confidence bounds under the bound"

# PL on the quadratic; initializations and starting points
expect 0 "pl" -- rate "$Q" gd 'ef21(topk(k=5))' --pl --init zero --x0 gauss --T 100 --no-slack --db "$db"
equals "SELECT count(*) FROM rate_checks WHERE run_id = $(last_run) AND check_kind = 'pl'
        AND init = 'zero' AND x0 = 'gauss' AND verdict = 'pass' AND G0 > 0" 2 "PL rows"
expect 0 "compressed init" -- rate "$Q" 'ef21(topk(k=5))' --init compressed --T 50 --no-slack --db "$db"

# stops, downlink, wire check, timing
expect 0 "eps stop" -- rate "$Q" gd --eps 1e-3 --T 100000 --no-slack --theorem T5.thm1 --db "$db"
equals "SELECT stop FROM rate_trajectories t JOIN rate_checks c ON c.id = t.check_id
        WHERE c.run_id = $(last_run)" eps "stopped by eps"
expect 0 "bit budget" -- rate "$Q" 'ef21(topk(k=5))' --bits-budget 20000 --T 100000 --no-slack --theorem T5.thm1 --db "$db"
equals "SELECT stop FROM rate_trajectories t JOIN rate_checks c ON c.id = t.check_id
        WHERE c.run_id = $(last_run)" bits "stopped by the bit budget"
expect 0 "server" -- rate "$Q" 'ef21(topk(k=5))' --server 'topk(k=10)' --T 50 --no-slack --wire-check --theorem T5.thm1 --db "$db"
has out "EF21-P" "downlink run is n/a with a note"
equals "SELECT count(*) FROM rate_points p JOIN rate_trajectories t ON t.id = p.trajectory_id
  JOIN rate_checks c ON c.id = t.check_id WHERE c.run_id = $(last_run) AND p.t = 50
  AND p.bits_down > 0 AND p.bits_down < 50 * 6400" 1 "sparse downlink bits counted"
expect 0 "wire check" -- rate "$Q" $DET 'marina(permk,p=0.1)' --wire-check --T 50 --no-slack --db "$db"
expect 0 "time" -- rate "$Q" 'ef21(topk(k=10))' --T 50 --no-slack --time --db "$db"
has out "ns/iteration" "time line"
has out "peak RSS" "peak RSS shown"
expect 0 "time, 2 threads" -- rate "$QPAR" 'ef21(topk(k=10))' --T 50 --no-slack --time --threads 2 --db "$db"
has out "time (2 threads)" "the floors are timed on the run's threads"
expect 0 "time, small problem" -- rate "$Q" 'ef21(topk(k=10))' --T 50 --no-slack --time --threads 2 --db "$db"
has out "time (1 thread)" "a small problem runs, and is timed, on one thread"
expect 0 "mult 2 is n/a" -- rate "$Q" gd --mult 2 --T 50 --no-slack --db "$db"
has out "n/a" "n/a verdict"

# an experiment at a tiny T: every method of both panels gets a best row
expect 0 "fig3 tiny" -- rate --experiment fig3 --T 3 --db "$db" --quiet
equals "SELECT count(*) FROM rate_best WHERE run_id = $(last_run) AND experiment = 'fig3'" 14 \
  "fig3 best rows"

# EF21-P (T9.8) at a tiny T: both methods at each of the 21 steps 2^-10 ..
# 2^10 (nothing diverges in 3 rounds), two best rows ranked by the final
# f(x^T), each the smallest of its method's runs; f(x^t) is recorded beside
# f at the clients' point, which is w^t under EF21-P's downlink (w^0 = x^0,
# then it lags x: f differs by far more than the rounding of the two
# summation orders, ~1e-16) and x^t for DIANA; EF21-P's TopK downlink sends
# 10 of d = 300 values (64 bits each in the papers' count) a round where
# DIANA broadcasts all 300; the report draws f(x^t) against the bits of
# each direction
expect 0 "ef21p tiny" -- rate --experiment ef21p --T 3 --db "$db"
has out "final f" "ef21p table ranks by the final f"
has out "papers' count" "ef21p prints both directions' bits"
ef=$(last_run)
equals "SELECT count(*) || ' ' || count(DISTINCT method) || ' ' || count(DISTINCT gamma)
        FROM rate_checks WHERE run_id = $ef AND experiment = 'ef21p'" "42 2 21" \
  "ef21p: 2 methods x 21 steps stored"
equals "SELECT min(gamma) = 1.0 / 1024 AND max(gamma) = 1024 FROM rate_checks
        WHERE run_id = $ef" 1 "ef21p steps 2^-10 .. 2^10"
equals "SELECT count(*) FROM rate_trajectories t JOIN rate_checks c ON c.id = t.check_id
        WHERE c.run_id = $ef AND t.stop = 'T' AND t.iters = 3" 42 "ef21p runs all ran T = 3"
equals "SELECT count(*) FROM rate_best b WHERE run_id = $ef AND experiment = 'ef21p'
        AND metric = 'final_f' AND reached = 1 AND value = (SELECT min(p.f_x) FROM rate_checks c
          JOIN rate_trajectories t ON t.check_id = c.id
          JOIN rate_points p ON p.trajectory_id = t.id AND p.t = t.iters
          WHERE c.run_id = $ef AND c.method = b.method)" 2 "ef21p best = smallest final f_x"
equals "SELECT group_concat(n, ' ') FROM (SELECT sum(p.f_x IS NOT NULL) || '/'
          || sum(abs(p.f_x - p.f) > 1e-9) AS n FROM rate_best b JOIN rate_points p
          ON p.trajectory_id = b.trajectory_id WHERE b.run_id = $ef GROUP BY b.id ORDER BY b.id)" \
  "4/3 4/0" "ef21p: f(x^t) at every point, apart from f(w^t) after x^0"
equals "SELECT group_concat(bits, ' ') FROM (SELECT p.bits_down_paper AS bits FROM rate_best b
          JOIN rate_points p ON p.trajectory_id = b.trajectory_id AND p.t = 1
          WHERE b.run_id = $ef ORDER BY b.id)" "640 19200" "ef21p downlink per round: TopK vs dense"
expect 0 "report of ef21p" -- report --db "$db" --out "$tmp/rep" --run "$ef"
for f in ef21p-up-0 ef21p-down-0; do
  if grep -qF "ef21p_diana(urandk(k=10),topk(k=10))" "$tmp/rep/plots/$f.svg" &&
     grep -qF "dcgd_shift(urandk(k=10),shift=diana)" "$tmp/rep/plots/$f.svg"; then ok
  else bad "report: $f.svg lacks a method's curve"; fi
  if grep -qF "plots/$f.svg" "$tmp/rep/report.md"; then ok; else bad "report.md lacks $f"; fi
done
if grep -qF "EF21-P (T9.8)" "$tmp/rep/report.md"; then ok; else bad "report.md lacks EF21-P"; fi

# a problem file named by an absolute path written bare, no quotes inside the
# spec, is stored under the canonical name, which quotes it
svm="$tmp/small-1.svm"
printf '1 1:0.5 2:1\n-1 1:-0.5 3:2\n1 2:0.3\n-1 3:-1\n' >"$svm"
case $svm in
  *[!A-Za-z0-9/._-]*) echo "e2e_rate: bare path checks skipped, '$svm' is not plain" ;;
  *)
    expect 0 "bare path" -- rate "logreg(file=$svm,n=2)" gd --T 5 --no-slack --db "$db"
    equals "SELECT count(*) FROM rate_checks WHERE run_id = $(last_run)
            AND problem = 'logreg(file=\"$svm\",n=2)'" 1 "bare path stored quoted" ;;
esac

# bad input: exit 2, a message, nothing stored
before=$(rows "SELECT count(*) FROM runs")
expect 2 "bare path with a parenthesis" -- rate 'logreg(file=/data/small(1).svm)' gd --db "$db"
has err "column 24: '(' cannot appear in an unquoted value" "the message names the '('"
has err 'write the value in double quotes: file="..."' "the message says to quote"
if grep -qx ' \{25\}^' "$tmp/err"; then ok; else bad "no caret under column 24"; fi
expect 2 "unknown problem" -- rate 'quadx(d=3)' gd --db "$db"
has err "unknown problem" "unknown problem message"
expect 2 "malformed method" -- rate "$Q" 'ef21(topk(k=))' --db "$db"
has err "^" "caret under the error"
expect 2 "compressor as method" -- rate "$Q" 'topk(k=5)' --db "$db"
has err "not a mechanism" "compressor message"
expect 2 "no 3PC pair" -- rate "$Q" 'shifted(urandk(k=5))' --db "$db"
has err "A, B" "missing A, B message"
expect 2 "bad --x0" -- rate "$Q" gd --x0 nowhere --db "$db"
has err "--x0 expects one of" "bad --x0 message"
expect 2 "k > d" -- rate "$Q" 'ef21(topk(k=500))' --db "$db"
expect 2 "T = 0" -- rate "$Q" gd --T 0 --db "$db"
expect 2 "reps too many" -- rate "$Q" 'marina(urandk(k=5),p=0.5)' --reps 3000000000 --db "$db"
has err "--reps 3000000000 is more than" "reps message"
expect 2 "bad --mult" -- rate "$Q" gd --mult -1 --db "$db"
expect 2 "server not contractive" -- rate "$Q" gd --server 'urandk(k=5)' --db "$db"
expect 2 "no method" -- rate "$Q" --db "$db"
expect 2 "pl and no-check" -- rate "$Q" gd --pl --no-check --db "$db"
expect 2 "unknown experiment" -- rate --experiment fig9 --db "$db"
has err "2direction" "the unknown-name message lists the scaling experiment"
expect 2 "2direction with a bad grid" -- rate --experiment 2direction --grid 1:x --db "$db"
expect 2 "2direction with a theorem" -- rate --experiment 2direction --theorem T5.pl --db "$db"
expect 2 "experiment with methods" -- rate --experiment fig3 gd --db "$db"
expect 2 "ef21p with a problem" -- rate --experiment ef21p 'logreg(file=w8a,n=10)' --db "$db"
has err "--experiment takes no PROBLEM" "the message says an experiment takes no problem"
expect 2 "missing data file" -- rate 'logreg(file=/nonexistent/x.txt)' gd --db "$db"
expect 2 "pl without mu" -- rate 'logreg(file=phishing)' gd --pl --db "$db"
has err "PL check needs" "message names what PL needs"
# --scaling (THEORY.md T12): the family, the grid and the variable are
# checked before anything runs
expect 2 "scaling: family sets kappa" -- rate --scaling kappa 'quad(d=20,kappa=10)' gd --db "$db"
has err "sets kappa, the swept variable" "the message names kappa"
expect 2 "scaling: unknown variable" -- rate --scaling theta 'quad(d=20)' gd --db "$db"
has err "expects kappa or omega" "the message names the variables"
expect 2 "scaling: bad grid" -- rate --scaling kappa 'quad(d=20)' gd --grid 100:10:3 --db "$db"
has err "0 < LO <= HI" "the message says what a grid is"
expect 2 "scaling: kappa out of reach" -- rate --scaling kappa 'quad(d=20,s=1,convex=1)' gd \
  --grid 10:1e6:3 --db "$db"
has err "out of reach" "the message says kappa is out of reach"
expect 2 "scaling: omega without urandk" -- rate --scaling omega 'quad(d=20)' gd --db "$db"
has err "no unbiased compressor argument" "gd has nothing to sweep"
expect 2 "scaling and experiment" -- rate --scaling kappa --experiment fig3 --db "$db"
expect 2 "scaling with --gamma" -- rate --scaling kappa 'quad(d=20)' gd --gamma 0.1 --db "$db"
has err "chooses its own steps" "the message says why --gamma is refused"
expect 2 "scaling with T = 0" -- rate --scaling kappa 'quad(d=20)' gd --T 0 --db "$db"
# Fashion-MNIST: Debian's dataset-fashion-mnist, which make deps installs.
autoenc='autoenc(file=train,samples=200,n=10,de=2)'
expect 2 "autoencoder needs --gamma" -- rate "$autoenc" 'ef21(topk(k=50))' --db "$db"
has err "--gamma" "message names --gamma"
# data files that could hurt: headers announcing more than the file holds
# (plain and gzip) must not make tpc allocate it; finite values whose
# constants overflow; a FIFO with no writer, whose open() would block (run
# under a time limit)
idx="$tmp/lie.idx"
printf '\000\000\010\003\377\377\377\377\000\000\000\034\000\000\000\034' >"$idx"
head -c 6128 /dev/zero >>"$idx"
gzip -c "$idx" >"$idx.gz"
for f in "$idx" "$idx.gz"; do
  expect 2 "IDX header of 2^32 - 1 images in 6 KB ($f)" -- \
    rate "autoenc(file=\"$f\",n=1,de=2)" gd --gamma 0.01 --db "$db"
  has err "4294967295 images of 784 pixels (3367254359280 bytes), the file ends after 6128" \
    "the message names the count and the bytes there"
done
qlie="$tmp/lie.q"
{ echo 'quadfile d=8192 n=100000000 storage=dense'; echo 'client 1'
  printf '1 '; yes 0 | head -n 8191 | tr '\n' ' '; echo; } >"$qlie"
gzip -c "$qlie" >"$qlie.gz"
for f in "$qlie" "$qlie.gz"; do
  expect 2 "quadfile header of 10^8 clients of 8192^2 in one row ($f)" -- \
    rate "quadfile(file=\"$f\")" gd --db "$db"
  has err "expected row 2 of A_1 (the header announces d = 8192, n = 100000000)" \
    "the message names the header's counts"
done
printf '1 1:0.5 2:1\n0 1:1e308 3:2\n1 2:0.3\n0 3:-1\n' >"$tmp/big.svm"
expect 2 "LibSVM values of 1e308" -- rate "logreg(file=\"$tmp/big.svm\",n=2)" gd --db "$db"
has err "big.svm': L- overflows (the data's values are too large: largest |value| 1e+308, line 2)" \
  "the message names L- and the value"
printf 'quadfile d=2 n=1 storage=dense\nclient 1\n1e308 0\n0 1e308\n1 1\n' >"$tmp/big.q"
expect 2 "quadfile A = 1e308 I" -- rate "quadfile(file=\"$tmp/big.q\")" gd --db "$db"
has err "big.q': L+ overflows (the data's values are too large: largest |value| 1e+308, line 3)" \
  "the message names L+ and the value"
# the convex problems' options (THEORY.md T6): bad values and a lying
# psd=1 header exit 2 naming what is wrong
expect 2 "quad convex=2" -- rate 'quad(d=5,convex=2)' gd --db "$db"
has err "convex must be an integer in [0, 1]" "the message names convex"
expect 2 "interp without convex" -- rate 'quad(d=5,interp=1)' gd --db "$db"
has err "interp=1 needs convex=1" "the message says interp needs convex"
expect 2 "logreg reg=xyz" -- rate 'logreg(file=phishing,reg=xyz)' gd --db "$db"
has err "reg must be nonconvex, l2 or none, got 'xyz'" "the message names reg"
expect 2 "logreg lambda < 0" -- rate 'logreg(file=phishing,reg=l2,lambda=-1)' gd --db "$db"
has err "lambda must be in [0, 1e+06], got -1" "the message names lambda"
printf 'quadfile d=2 n=2 storage=dense psd=1\nclient 1\n2 0\n0 2\n1 1\nclient 2\n3 0\n0 -1\n1 0\n' \
  >"$tmp/notpsd.q"
expect 2 "quadfile psd=1 on an indefinite client" -- rate "quadfile(file=\"$tmp/notpsd.q\")" gd --db "$db"
has err "the header says psd=1 but A_2 (client 2) has the eigenvalue -1 < 0" \
  "the message names the client and its eigenvalue"
mkfifo "$tmp/fifo"
limit=20
for p in logreg autoenc quadfile; do
  expect 2 "FIFO as the data file of $p" -- rate "$p(file=\"$tmp/fifo\")" gd --gamma 0.01 --db "$db"
  has err "'$tmp/fifo' is not a regular file (a FIFO)" "the message says what the file is"
done
limit=
after=$(rows "SELECT count(*) FROM runs")
if [ "$after" = skip ] || [ "$after" = "$before" ]; then ok; else
  bad "bad input stored runs: $before -> $after"; fi
expect 0 "autoencoder with --gamma" -- rate "$autoenc" 'ef21(topk(k=50))' --gamma 0.01 --T 5 --db "$db"
equals "SELECT verdict FROM rate_checks WHERE run_id = $(last_run)" n/a "autoencoder: no check"

# the header shows the convex constants and x*: exact for a convex
# quadratic with a planted common minimiser (every h_i = 0, so |grad f| = 0),
# computed by Newton for l2-regularised logistic regression
expect 0 "interpolation quadratic" -- rate 'quad(d=20,n=4,s=1,convex=1,interp=1)' gd --T 20 --db "$db"
has out "every f_i convex: yes, Lmax = " "header shows convexity and Lmax"
has out "mu_i = 1e-06 (exact)" "header shows mu_i"
has out "x*: exact, |grad f(x*)| = 0," "header shows the exact x*"
expect 0 "logreg l2" -- rate 'logreg(file=phishing,n=5,reg=l2,lambda=0.01)' gd --T 5 --db "$db"
has out "mu_sc = 0.01 (bound)" "header shows mu_sc"
has out "x*: computed," "header shows Newton's x*"
expect 0 "logreg nonconvex" -- rate 'logreg(file=phishing,n=5)' gd --T 5 --db "$db"
has out "x*: none known (logreg: no minimiser is known with the nonconvex regularizer" \
  "header says why there is no x*"
# a tiny scaling law: gd's bits to eps over kappa 10..100, stored with its fit
expect 0 "scaling gd" -- rate --scaling kappa 'quad(d=20,n=2)' gd --grid 10:100:3 --db "$db"
has out "non-accelerated: 1" "the prediction's rule is printed"
equals "SELECT count(*) || ' ' || sum(reached) FROM scaling_points WHERE run_id = $(last_run)" \
  "3 3" "three points reached"
equals "SELECT count(DISTINCT label) FROM rate_checks WHERE run_id = $(last_run)
        AND experiment = 'scaling'" 3 "each value's run is a rate row"
equals "SELECT verdict FROM scaling_fits WHERE run_id = $(last_run) AND bits = 'total'" \
  consistent "gd's slope is about 1"
expect 0 "report of the scaling law" -- report --db "$db" --out "$tmp/rep" --run "$(last_run)"
has rep/report.md "| gd | 3 |" "the report's table of fits has gd's row"
if [ -s "$tmp/rep/plots/scaling-kappa.svg" ]; then ok; else bad "no plot of the scaling law"; fi
# --experiment 2direction (THEORY.md T11, T12) on a tiny grid and cap: the
# three methods' scaling rows; each kept run's trajectory is its run to eps
# run again with the cap just past its rounds, so it keeps every round up
# to 500 rounds and about 500 points beyond (at least 250; the cap's
# spacing, one point in 10, would keep 15 of EF21-P + DIANA's 143), f(x^t)
# at each
expect 0 "2direction tiny" -- rate --experiment 2direction --grid 10:100:2 --T 5000 \
  --threads 1 --db "$db"
has out "EF21-P + DIANA" "the experiment says what it runs"
tdr=$(last_run)
equals "SELECT count(DISTINCT method_arg) || ' ' || count(*) || ' ' || sum(reached)
        FROM scaling_points WHERE run_id = $tdr" "3 6 6" "three methods at two kappas, all reached"
equals "SELECT group_concat(DISTINCT method_arg) FROM (SELECT method_arg FROM scaling_points
        WHERE run_id = $tdr ORDER BY id)" \
  "twodirection(urandk(k=10),topk(k=1)),ef21p_diana(urandk(k=10),topk(k=1)),twodirection(identity,identity)" \
  "2Direction, EF21-P + DIANA and AGD"
equals "SELECT count(*) FROM scaling_points s JOIN rate_trajectories t ON t.check_id = s.check_id
        WHERE s.run_id = $tdr AND t.iters = s.iters AND t.stop = 'f'
        AND (SELECT count(*) FROM rate_points p WHERE p.trajectory_id = t.id
             AND p.f_x IS NOT NULL) >= min(s.iters + 1, 250)
        AND (SELECT p.bits_up * 1.0 / c.n FROM rate_points p JOIN rate_checks c
             ON c.id = t.check_id WHERE p.trajectory_id = t.id AND p.t = s.iters) = s.bits_up" \
  6 "every kept trajectory has all its rounds, f(x^t), and the point's bits"
expect 0 "report of 2direction" -- report --db "$db" --out "$tmp/rep2" --run "$tdr"
has rep2/report.md "| ef21p_diana(urandk(k=10),topk(k=1)) | 100 |" \
  "the bits-to-eps table has EF21-P + DIANA at the largest kappa"
has rep2/report.md "total / fewest" "the table gives the ratio to the fewest bits"
for dir in up down; do
  svg="$tmp/rep2/plots/scaling-gap-$dir-0.svg"
  if [ "$(grep -c 'κ = 100' "$svg" 2>/dev/null)" -ge 3 ]; then ok
  else bad "no $dir convergence figure with the three methods at kappa 100"; fi
done
echo "e2e_rate: $pass passed, $fail failed"
[ "$fail" = 0 ]
