#!/bin/sh
# Command tests of the methods of THEORY.md T8, T9 and T11 (src/methods/method.h)
# through `tpc rate --no-check`, `tpc list` and `tpc describe`: each runs
# and stores its trajectory with bits in both directions (their theorems'
# checks: tests/e2e_theorems.sh); the EF21-P
# method equals Algorithm 1 with gd and --server, point for point in SQL;
# the wire check passes and changes no bit; 1 and 2 threads give the same
# points, for the deterministic methods (identity Q, TopK C_s) under their
# theorems' checks also the same observables, curves and verdicts; bad
# parameters exit 2 naming the fault and store nothing.
# Prints one line per failure and "e2e_methods: N passed, N failed".
. "$(dirname "$0")/lib.sh"
db="$tmp/methods.sqlite"

Q='quad(d=50,n=5)'
METHODS='dcgd(urandk(k=5)) dcgd_shift(urandk(k=5),shift=diana) dcgd_shift(urandk(k=5),shift=fixed)
  dcgd_shift(urandk(k=5),shift=randdiana,p=0.2) gdci(urandk(k=5)) ef21p(topk(k=5))
  ef21p_diana(urandk(k=5),topk(k=5)) ef21p_dcgd(urandk(k=5),topk(k=5))'

expect 0 "list" -- list
for m in dcgd dcgd_shift gdci ef21p ef21p_diana ef21p_dcgd twodirection; do
  has out "  $m(" "list shows $m"
done
has out "[T11 2Direction (T11.1)]" "list cites T11.1"
has out "T11.3 " "list shows T11.3"
has out "[T8 DCGD-SHIFT (T8.1)]" "list cites T8.1"
has out "[T9 EF21-P + DIANA (T9.2)]" "list cites T9.2"
expect 0 "describe" -- describe 'ef21p_diana(urandk(k=5),topk(k=5))' --d 50 --n 5
has out "beta          0.1" "describe gives beta's default 1/(omega+1)"

# the issue's own command line
expect 0 "diana rate" -- rate "$Q" 'dcgd_shift(urandk(k=5),shift=diana)' --gamma 0.01 --T 200 \
  --no-check --db "$db"
has out "no check requested" "the note says no check"
run=$(last_run)
equals "SELECT count(*) FROM rate_points p JOIN rate_trajectories t ON t.id = p.trajectory_id
  JOIN rate_checks c ON c.id = t.check_id WHERE c.run_id = $run AND t.rep = 0" 201 \
  "every point of T = 200 stored"
equals "SELECT bits_up > 0 AND bits_down > 0 FROM rate_points p JOIN rate_trajectories t
  ON t.id = p.trajectory_id JOIN rate_checks c ON c.id = t.check_id
  WHERE c.run_id = $run AND t.rep = 0 AND p.t = 200" 1 "bits up and down stored"

# every method, 1 thread, then 2 threads with the wire check: the same points
# shellcheck disable=SC2086
expect 0 "all methods" -- rate "$Q" $METHODS --gamma 0.01 --T 60 --reps 2 --threads 1 \
  --no-check --db "$db"
run1=$(last_run)
# shellcheck disable=SC2086
expect 0 "all methods, 2 threads, wire" -- rate "$Q" $METHODS --gamma 0.01 --T 60 --reps 2 \
  --threads 2 --wire-check --no-check --db "$db"
run2=$(last_run)
same="SELECT count(*) FROM rate_points p1
  JOIN rate_trajectories t1 ON t1.id = p1.trajectory_id
  JOIN rate_checks c1 ON c1.id = t1.check_id AND c1.run_id = $run1
  JOIN rate_checks c2 ON c2.run_id = $run2 AND c2.method = c1.method
  JOIN rate_trajectories t2 ON t2.check_id = c2.id AND t2.role = t1.role AND t2.rep = t1.rep
       AND t2.mult IS t1.mult
  JOIN rate_points p2 ON p2.trajectory_id = t2.id AND p2.t = p1.t
  WHERE p1.f IS p2.f AND p1.gnorm2 IS p2.gnorm2 AND p1.bits_up = p2.bits_up
    AND p1.bits_up_paper = p2.bits_up_paper AND p1.bits_down = p2.bits_down"
all="SELECT count(*) FROM rate_points p JOIN rate_trajectories t ON t.id = p.trajectory_id
  JOIN rate_checks c ON c.id = t.check_id WHERE c.run_id = $run1"
n_all=$(rows "$all")
equals "$same" "$n_all" "threads 1 and 2 (wire check): bit-identical ($n_all points)"
equals "SELECT count(DISTINCT method) FROM rate_checks WHERE run_id = $run1" 8 "eight methods"

# the deterministic methods (identity Q, TopK C_s) checked by every theorem
# that applies, so that the observables of T8, T9 and the theorems' curves
# are stored too: 1 thread, then 2 with the wire check (which compares the
# server's and the clients' copies of h_i and of w): every column of every
# point and every check's figures the same
QC='quad(d=30,n=6,s=1,seed=5,convex=1,lambda=0.1)'
DET='dcgd(identity) dcgd_shift(identity,shift=fixed) dcgd_shift(identity,shift=star)
  dcgd_shift(identity,shift=diana) gdci(identity,shift=star) ef21p(topk(k=5))
  ef21p_dcgd(identity,topk(k=5)) ef21p_diana(identity,topk(k=5))'
# shellcheck disable=SC2086
expect 0 "deterministic methods, checked" -- rate "$QC" $DET --T 60 --threads 1 --no-slack \
  --db "$db"
det1=$(last_run)
# shellcheck disable=SC2086
expect 0 "deterministic methods, 2 threads, wire" -- rate "$QC" $DET --T 60 --threads 2 \
  --wire-check --no-slack --db "$db"
det2=$(last_run)
equals "SELECT count(*) || ' ' || sum(deterministic) || ' ' || sum(reps) || ' '
  || sum(verdict = 'pass') FROM rate_checks WHERE run_id = $det1" "12 12 12 12" \
  "12 checks of the deterministic methods, one run each, all pass"
equals "SELECT count(*) FROM rate_checks c1 JOIN rate_checks c2 ON c2.run_id = $det2
  AND c2.method = c1.method AND c2.theorem = c1.theorem WHERE c1.run_id = $det1
  AND c1.gamma = c2.gamma AND c1.bound = c2.bound AND c1.measured = c2.measured
  AND c1.verdict = c2.verdict" 12 "threads 1 and 2 (wire check): the same checks"
same_det="SELECT count(*) FROM rate_points p1
  JOIN rate_trajectories t1 ON t1.id = p1.trajectory_id
  JOIN rate_checks c1 ON c1.id = t1.check_id AND c1.run_id = $det1
  JOIN rate_checks c2 ON c2.run_id = $det2 AND c2.method = c1.method AND c2.theorem = c1.theorem
  JOIN rate_trajectories t2 ON t2.check_id = c2.id AND t2.role = t1.role AND t2.rep = t1.rep
  JOIN rate_points p2 ON p2.trajectory_id = t2.id AND p2.t = p1.t
  WHERE p1.f IS p2.f AND p1.gnorm2 IS p2.gnorm2 AND p1.G IS p2.G
    AND p1.bits_up = p2.bits_up AND p1.bits_up_paper = p2.bits_up_paper
    AND p1.bits_down = p2.bits_down AND p1.bits_down_paper IS p2.bits_down_paper
    AND p1.f_x IS p2.f_x AND p1.gnorm2_x IS p2.gnorm2_x AND p1.dist2 IS p2.dist2
    AND p1.f_avg IS p2.f_avg AND p1.H IS p2.H AND p1.wx2 IS p2.wx2
    AND p1.measure IS p2.measure AND p1.bound IS p2.bound"
equals "$same_det" $((12 * 61)) "threads 1 and 2 (wire check): every column of all 732 points"
equals "SELECT count(*) FROM rate_points p JOIN rate_trajectories t ON t.id = p.trajectory_id
  JOIN rate_checks c ON c.id = t.check_id WHERE c.run_id = $det1 AND p.t > 0
  AND p.dist2 IS NOT NULL AND p.measure IS NOT NULL" $((12 * 60)) \
  "the observables and curves are stored at every t > 0"

# ef21p(C_s) is Algorithm 1 with gd and --server C_s
expect 0 "ef21p" -- rate "$Q" 'ef21p(topk(k=5))' --gamma 0.5 --T 80 --no-check --db "$db"
r1=$(last_run)
expect 0 "gd --server" -- rate "$Q" gd --server 'topk(k=5)' --gamma 0.5 --T 80 --no-check \
  --db "$db"
r2=$(last_run)
equals "SELECT count(*) FROM rate_points p1 JOIN rate_trajectories t1 ON t1.id = p1.trajectory_id
  JOIN rate_checks c1 ON c1.id = t1.check_id AND c1.run_id = $r1 AND t1.role = 'rep'
  JOIN rate_checks c2 ON c2.run_id = $r2
  JOIN rate_trajectories t2 ON t2.check_id = c2.id AND t2.rep = t1.rep AND t2.role = 'rep'
  JOIN rate_points p2 ON p2.trajectory_id = t2.id AND p2.t = p1.t
  WHERE p1.f IS p2.f AND p1.gnorm2 IS p2.gnorm2 AND p1.bits_up = p2.bits_up
    AND p1.bits_down = p2.bits_down" 81 "ef21p = gd --server, all 81 points"

# bad input: exit 2, a message naming the fault, nothing stored
n0=$(rows "SELECT count(*) FROM runs")
refuse() {
  expect 2 "$1" -- rate "$Q" "$1" --gamma 0.01 --T 10 --db "$db"
  has err "$2" "$1 says why"
}
refuse 'ef21p(urandk(k=5))' "urandk(k=5) is not contractive"
refuse 'dcgd_shift(urandk(k=5),shift=diana,beta=0)' "beta=0 must be a number in (0, 1]"
refuse 'dcgd_shift(urandk(k=5),shift=diana,beta=2)' "beta=2 must be a number in (0, 1]"
refuse 'dcgd_shift(urandk(k=5),shift=xyz)' "shift=xyz is not one of fixed, star, diana, randdiana"
refuse 'dcgd_shift(urandk(k=5),shift=randdiana,p=0)' "p=0 must be a number in (0, 1]"
# star shifts run where the problem knows x* (quad: a linear solve)
expect 0 "dcgd_shift star on quad" -- rate "$Q" 'dcgd_shift(urandk(k=5),shift=star)' \
  --gamma 0.01 --T 10 --no-check --db "$tmp/star.sqlite" --quiet
# star shifts need x*: the nonconvex logistic regression has none known
for m in 'dcgd_shift(urandk(k=5),shift=star)' 'gdci(urandk(k=5),shift=star)'; do
  expect 2 "$m on nonconvex logreg" -- rate 'logreg(file=phishing,n=5)' "$m" --gamma 0.01 \
    --T 10 --db "$db"
  has err "shift=star needs the minimiser x* of problem logreg" "$m says why"
done
refuse 'dcgd(topk(k=5))' "topk(k=5) is not unbiased"
expect 2 "--server with a method" -- rate "$Q" 'dcgd(urandk(k=5))' --server 'topk(k=5)' \
  --gamma 0.01 --T 10 --db "$db"
has err "take C_s as an argument" "--server with a method says why"
expect 2 "describe ef21p(urandk)" -- describe 'ef21p(urandk(k=5))'
# 2Direction's parameters (T11.2) and compressors (T11.1)
TD='urandk(k=5),topk(k=5)'
refuse "twodirection($TD,p=0)" "p=0 must be a number in (0, 1]"
refuse "twodirection($TD,tau=2)" "tau=2 must be a number in (0, 1]"
refuse "twodirection($TD,Lbar=-1)" "Lbar=-1 must be a positive number"
refuse "twodirection($TD,Lbar=1,Lbar_mult=2)" "give Lbar= or Lbar_mult=, not both"
refuse 'twodirection(topk(k=5),topk(k=5))' "topk(k=5) is not unbiased"
refuse 'twodirection(urandk(k=5),urandk(k=5))' "urandk(k=5) is not contractive"
equals "SELECT count(*) FROM runs" "$n0" "bad input stored no run"

# 2Direction (T11.1) on its own runner: 2 threads with the wire check give
# the points of 1 thread, bits stored in both directions; T11.3 checks the
# uncompressed method and stores Psi_t as the measure at every t
expect 0 "twodirection" -- rate "$Q" "twodirection($TD)" --gamma 0.0625 --T 100 --threads 1 \
  --no-check --db "$db"
td1=$(last_run)
expect 0 "twodirection, 2 threads, wire" -- rate "$Q" "twodirection($TD)" --gamma 0.0625 \
  --T 100 --threads 2 --wire-check --no-check --db "$db"
td2=$(last_run)
equals "$(echo "$same" | sed "s/= $run1/= $td1/; s/= $run2/= $td2/")" \
  "$(rows "$(echo "$all" | sed "s/= $run1/= $td1/")")" "twodirection: threads 1 and 2 the same"
equals "SELECT bits_up > 0 AND bits_down > bits_up / 10 FROM rate_points p
  JOIN rate_trajectories t ON t.id = p.trajectory_id JOIN rate_checks c ON c.id = t.check_id
  WHERE c.run_id = $td1 AND t.rep = 0 AND p.t = 100" 1 "twodirection: bits up and down stored"
expect 0 "twodirection T11.3" -- rate "$QC" 'twodirection(identity,identity)' --T 100 \
  --no-slack --db "$db"
equals "SELECT verdict || ' ' || check_kind FROM rate_checks WHERE run_id = $(last_run)
  AND theorem = 'T11.3'" "pass one_step" "T11.3 passes on the uncompressed method"
equals "SELECT count(*) FROM rate_points p JOIN rate_trajectories t ON t.id = p.trajectory_id
  JOIN rate_checks c ON c.id = t.check_id WHERE c.run_id = $(last_run) AND p.t > 0
  AND p.measure IS NOT NULL AND p.bound IS NOT NULL" 100 "Psi_t stored as the measure at every t > 0"

echo "e2e_methods: $pass passed, $fail failed"
[ "$fail" = 0 ]
