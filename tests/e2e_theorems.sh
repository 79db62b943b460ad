#!/bin/sh
# Command tests of the catalogue of theorems (bounds/theorems/catalogue.h):
# `tpc list` shows it; `tpc describe --problem` says which theorems apply
# with their steps and why the others do not; `tpc rate` checks every one
# that applies by default, one row per (method, theorem), with the same
# results as checking each alone; --theorem checks one, and exits 2 naming
# the failed assumption when it does not apply or is unknown, storing
# nothing (T5's theorems and those of T8, T9: convexity, mu_i, beta, the
# method, x*, L-; a non-contractive C_s); a database of schema version 9
# gets the theorem of its old rows.  T10.2 (bidirectional 3PC): describe
# shows both pairs, M and the step; it passes at its step on a quadratic
# and on phishing for EF21/EF21, AdaCGD/EF21 and LAG/EF21, storing A_s, B_s;
# --init zero is outside it; MARINA as the server is refused.
# Prints one line per failure and "e2e_theorems: N passed, N failed".
. "$(dirname "$0")/lib.sh"
db="$tmp/thm.sqlite"

Q='quad(d=40,n=4,s=0,seed=3)'
autoenc='autoenc(file=train,samples=200,n=10,de=2)'

# list: a Theorems section with both of T5's theorems, their rules and bounds
expect 0 "list" -- list
has out "Theorems (tpc rate checks every one that applies" "list has a Theorems section"
has out "T5.thm1   Theorem 1 (nonconvex)" "list shows T5.thm1"
has out "T5.pl     PL (Theorem 2 of EF21)" "list shows T5.pl"
has out "step: gamma <= min{1/(L- + L+ sqrt(2B/A)), A/(2 mu)}" "list shows the PL step rule"
has out "f is PL with a known mu > 0" "list names the PL assumption"

# describe --problem: both apply on the quadratic, with steps; PL not on
# phishing (f^inf is a bound) nor on the autoencoder (no constants)
expect 0 "describe on a quadratic" -- describe 'ef21(topk(k=3))' --problem "$Q"
has out "at            d = 40, n = 4" "the problem fixes d and n"
has out "T5.thm1     applies, step gamma = " "Theorem 1 applies"
has out "T5.pl       applies, step gamma = " "PL applies"
step_pl=$(sed -n 's/^ *T5.pl *applies, step gamma = \([^ ]*\).*/\1/p' "$tmp/out")
expect 0 "describe on phishing" -- describe 'ef21(topk(k=3))' --problem 'logreg(file=phishing)'
has out "T5.thm1     applies" "Theorem 1 applies on phishing"
has out "T5.pl       not applicable: needs an exact f^inf (the PL check cannot use a lower bound) ('f^inf exact' fails)" \
  "PL not applicable on phishing, with the assumption"
expect 0 "describe on the autoencoder" -- describe 'ef21(topk(k=3))' --problem "$autoenc"
has out "T5.pl       not applicable: needs the problem's L- ('L- known (exact or an upper bound)' fails)" \
  "PL not applicable on the autoencoder"
has out "for other methods: T8.2" "theorems of other methods on one line"
# a method of T9: its theorems with their steps, on a convex quadratic; none
# on the nonconvex logistic regression, naming convexity
CQ='quad(d=20,n=10,s=1,seed=3,convex=1,lambda=0.1)'
expect 0 "describe EF21-P + DIANA" -- describe 'ef21p_diana(urandk(k=5),topk(k=5))' --problem "$CQ"
has out "T9.3        applies, step gamma = " "Thm 5.1 applies"
has out "T9.4        applies, step gamma = " "Thm F.1 applies"
expect 0 "describe EF21-P + DIANA on phishing" -- describe 'ef21p_diana(urandk(k=5),topk(k=5))' \
  --problem 'logreg(file=phishing,n=10)'
has out "T9.3        not applicable: needs every f_i convex" "Thm 5.1 needs convex f_i"
expect 0 "describe a compressor on a problem" -- describe 'topk(k=3)' --problem "$Q"
has out "theorems: none (a compressor is not a method" "a compressor has no theorem"
expect 2 "describe --problem with --d" -- describe gd --problem "$Q" --d 10
has err "--problem fixes d and n" "message names the conflict"
expect 2 "describe bad problem" -- describe gd --problem 'quadx(d=3)'
has err "unknown problem" "message names the problem"

# rate by default: every theorem that applies, one row each
expect 0 "rate every theorem" -- rate "$Q" gd 'ef21(topk(k=3))' 'marina(urandk(k=3),p=0.5)' \
  --T 80 --no-slack --db "$db"
has out "T5.thm1" "table names T5.thm1"
has out "T5.pl" "table names T5.pl"
all=$(last_run)
equals "SELECT group_concat(method || ' ' || theorem || ' ' || check_kind, ';') FROM
        (SELECT * FROM rate_checks WHERE run_id = $all ORDER BY id)" \
  "gd T5.thm1 theorem1;gd T5.pl pl;ef21(topk(k=3)) T5.thm1 theorem1;ef21(topk(k=3)) T5.pl pl;marina(urandk(k=3),p=0.5) T5.thm1 theorem1;marina(urandk(k=3),p=0.5) T5.pl pl" \
  "one row per (method, theorem), in order"
equals "SELECT count(*) FROM rate_checks WHERE run_id = $all AND verdict = 'pass'" 6 "all six pass"
if [ -n "$step_pl" ]; then
  equals "SELECT abs(gamma_theory - $step_pl) <= 1e-15 * $step_pl FROM rate_checks
          WHERE run_id = $all AND method = 'ef21(topk(k=3))' AND theorem = 'T5.pl'" 1 \
    "the stored PL step is the one describe printed ($step_pl)"
else bad "describe printed no PL step"; fi
# each theorem alone gives the same trajectories and measured values
for t in T5.thm1 T5.pl; do
  expect 0 "rate --theorem $t" -- rate "$Q" gd 'ef21(topk(k=3))' 'marina(urandk(k=3),p=0.5)' \
    --T 80 --no-slack --theorem "$t" --db "$db"
  equals "SELECT count(*) FROM rate_checks a JOIN rate_checks b ON b.method = a.method
          AND b.theorem = a.theorem WHERE a.run_id = $all AND b.run_id = $(last_run)
          AND a.measured = b.measured AND a.bound = b.bound AND a.gamma = b.gamma" 3 \
    "$t alone: the same measured, bound and step as in the run of all"
done

# --pl is --theorem T5.pl; phishing: Theorem 1 only
expect 0 "rate --pl" -- rate "$Q" gd --T 20 --no-slack --pl --db "$db"
equals "SELECT theorem FROM rate_checks WHERE run_id = $(last_run)" T5.pl "--pl stores T5.pl"
printf '1 1:0.5 2:1\n-1 1:-0.5 3:2\n1 2:0.3\n-1 3:-1\n' >"$tmp/small.svm"
expect 0 "rate on logistic regression" -- rate "logreg(file=\"$tmp/small.svm\",n=2)" gd --T 5 \
  --no-slack --db "$db"
equals "SELECT group_concat(theorem) FROM rate_checks WHERE run_id = $(last_run)" T5.thm1 \
  "only Theorem 1 applies on logistic regression"

# no theorem applies: --gamma runs without a check, one row
expect 0 "autoencoder at --gamma" -- rate "$autoenc" 'ef21(topk(k=50))' --gamma 0.01 --T 3 --db "$db"
equals "SELECT check_kind || ' ' || ifnull(theorem, 'NULL') || ' ' || verdict FROM rate_checks
        WHERE run_id = $(last_run)" "none NULL n/a" "unchecked row"
equals "SELECT note LIKE 'no check: no theorem applies (T5.thm1 needs the problem''s L-)'
        FROM rate_checks WHERE run_id = $(last_run)" 1 "the note says why"

# bad input: exit 2, the assumption named, nothing stored
before=$(rows "SELECT count(*) FROM runs")
expect 2 "PL on the autoencoder" -- rate "$autoenc" 'ef21(topk(k=50))' --theorem T5.pl \
  --gamma 0.01 --db "$db"
has err "T5.pl [T5 PL theorem] does not apply on $autoenc: 'L- known (exact or an upper bound)' fails" \
  "message names the assumption"
expect 2 "PL on phishing" -- rate 'logreg(file=phishing)' gd --theorem T5.pl --db "$db"
has err "'f^inf exact' fails: the PL check needs an exact f^inf" "message names f^inf"
expect 2 "Theorem 1 for a method without a pair" -- rate "$Q" 'shifted(urandk(k=5))' \
  --theorem T5.thm1 --db "$db"
has err "'the methods it covers' fails: the Theorem 1 check needs the method's A, B" \
  "message names the method's constants"
expect 2 "unknown theorem" -- rate "$Q" gd --theorem T9.9 --db "$db"
has err "--theorem 'T9.9' is not in the catalogue; its theorems are T5.thm1 T5.pl" \
  "message lists the ids"
expect 2 "no theorem, no --gamma" -- rate "$autoenc" 'ef21(topk(k=50))' --db "$db"
has err "no theorem applies: the Theorem 1 check (T5.thm1) needs the problem's L-" \
  "message says why for each"
expect 2 "--theorem and --no-check" -- rate "$Q" gd --theorem T5.thm1 --no-check --db "$db"
expect 2 "--theorem and --pl" -- rate "$Q" gd --theorem T5.thm1 --pl --db "$db"
# the theorems of T8 and T9 where the problem or the method breaks an
# assumption: each names it (quad with s = 1 and no convex=1 has
# indefinite A_i; the default logreg regularizer is nonconvex)
refuse_thm() {
  expect 2 "$3 for $2 on $1" -- rate "$1" "$2" --theorem "$3" --db "$db"
  has err "$4" "$3 for $2 on $1 names the assumption"
}
Qnc='quad(d=20,n=4,s=1,seed=3)'
Qc='quad(d=20,n=4,s=1,seed=3,convex=1)'
refuse_thm 'logreg(file=phishing,n=5)' 'ef21p(topk(k=5))' T9.1 \
  "'every f_i convex' fails: the T9.1 check needs every f_i convex (the problem does not"
refuse_thm "$Qnc" 'dcgd_shift(urandk(k=5),shift=star)' T8.2 \
  "'every f_i convex' fails: the T8.2 check needs every f_i convex"
refuse_thm "$Qnc" 'ef21p_diana(urandk(k=5),topk(k=5))' T9.4 "'every f_i convex' fails"
refuse_thm "$Qnc" 'gdci(urandk(k=5),shift=star)' T8.5 \
  "'every f_i mu_i-strongly convex, mu_i > 0 known' fails"
refuse_thm "$Qc" 'ef21p_diana(urandk(k=5),topk(k=5),beta=0.1)' T9.3 \
  "'beta = 1/(omega+1)' fails: the T9.3 check needs beta = 1/(omega + 1) (the default)"
refuse_thm "$Qc" 'dcgd_shift(urandk(k=5),shift=diana,beta=1)' T8.3 \
  "'beta <= 1/(omega+1)' fails: the T8.3 check needs beta <= 1/(omega + 1)"
refuse_thm "$Qc" 'ef21p_dcgd(urandk(k=5),topk(k=5))' T9.3 \
  "'the methods it covers' fails: the T9.3 check needs ef21p_diana(Q, C_s)"
refuse_thm 'logreg(file=phishing,n=5,reg=none)' 'ef21p_dcgd(urandk(k=5),topk(k=5))' T9.6.convex \
  "'x* and grad f_i(x*) known' fails: the T9.6 convex check needs the minimiser x*"
refuse_thm "$autoenc" 'ef21p(topk(k=5))' T9.1.nc \
  "'L- known' fails: the T9.1 nonconvex check needs the problem's L-"
refuse_thm "$Qc" 'ef21p(urandk(k=5))' T9.1 \
  "ef21p: the server compressor urandk(k=5) is not contractive"
after=$(rows "SELECT count(*) FROM runs")
if [ "$after" = skip ] || [ "$after" = "$before" ]; then ok; else
  bad "bad input stored runs: $before -> $after"; fi

# a method of T8 where none of its theorems applies: exit 2 with the reason of
# the theorem that covers it, or a run at --gamma whose note gives it
expect 2 "dcgd on nonconvex logreg" -- rate 'logreg(file=phishing,n=5)' 'dcgd(urandk(k=5))' \
  --db "$db"
has err "the T8.2 check (T8.2) needs every f_i convex" "the covering theorem's reason"
expect 0 "dcgd on nonconvex logreg at --gamma" -- rate 'logreg(file=phishing,n=5)' \
  'dcgd(urandk(k=5))' --gamma 0.1 --T 20 --db "$db"
has out "no check: no theorem applies (T8.2 needs every f_i convex" "the note names T8.2"

CQ1='quad(d=20,n=10,convex=1,lambda=0.1)'
# one repetition of a randomized method decides nothing, whatever the kind
# of theorem: inconclusive (exit 3), for a one-step theorem as at T
expect 3 "one repetition, one-step theorem" -- rate "$CQ1" 'gdci(urandk(k=5),shift=star)' \
  --theorem T8.5 --reps 1 --T 10 --db "$db"
expect 3 "one repetition, a quantity at T" -- rate "$CQ1" 'dcgd_shift(urandk(k=5),shift=diana)' \
  --theorem T8.3 --reps 1 --T 10 --db "$db"

# DCGD-STAR converges to x* to rounding: once there, ||x^T - x*||^2 sits at
# about 1e-32 while the bound keeps falling (1e-115 at T = 3000); the
# comparison allows x*'s rounding floor, which stays far below anything a
# defect would leave (1e-25 here), and says so
CQ='quad(d=100,n=10,s=1,seed=3,convex=1,lambda=0.1)'
expect 0 "DCGD-STAR at x*'s rounding floor" -- rate "$CQ" 'dcgd_shift(identity,shift=star)' \
  --theorem T8.2 --T 3000 --no-slack --db "$db"
note=$(rows "SELECT note FROM rate_checks ORDER BY id DESC LIMIT 1")
floor=$(echo "$note" | sed -n "s/.*rounding floor \([0-9.e+-]*\).*/\1/p")
if [ "$note" = skip ] || awk -v f="$floor" 'BEGIN { exit !(f > 0 && f < 1e-20) }'; then ok
else bad "the note names a rounding floor in (0, 1e-20): '$note'"; fi
expect 0 "compressed iterates past the floor" -- rate "$CQ" 'gdci(identity,shift=star)' \
  --theorem T8.5 --T 3000 --no-slack --db "$db"
note=$(rows "SELECT note FROM rate_checks ORDER BY id DESC LIMIT 1")
case $note in skip|*"steps above x*'s rounding floor"*) ok ;;
  *) bad "the one-step note counts the resolved steps: '$note'" ;; esac

# migrations 10 to 12: rows of a version-9 database get the theorem of their
# kind, and the rebuilds of rate_checks and rate_best (migration 11) and of
# rate_trajectories (12, scaling) keep every row, id, trajectory and point
# (a drop with foreign keys on would have cascaded to them)
if command -v sqlite3 >/dev/null 2>&1; then
  old="$tmp/v9.sqlite"
  for m in db/00[1-9]_*.sql; do sqlite3 "$old" <"$m" || bad "applying $m"; done
  sqlite3 "$old" "PRAGMA user_version = 9;
    INSERT INTO runs (command, started_at, status) VALUES ('rate', '2026-01-01T00:00:00.000Z', 'ok');
    INSERT INTO rate_checks (run_id, problem, method, d, n, check_kind, x0, init, T, reps, gamma,
      verdict) VALUES (1, 'q', 'gd', 2, 1, 'pl', 'problem', 'exact', 1, 1, 1, 'pass'),
      (1, 'q', 'gd', 2, 1, 'theorem1', 'problem', 'exact', 1, 1, 1, 'pass'),
      (1, 'q', 'gd', 2, 1, 'none', 'problem', 'exact', 1, 1, 1, 'n/a');
    INSERT INTO rate_trajectories (check_id, role, rep, gamma, stop, iters, record_every)
      VALUES (1, 'rep', 0, 1, 'T', 1, 1), (2, 'rep', 0, 1, 'T', 1, 1);
    INSERT INTO rate_points (trajectory_id, t, bits_up, bits_up_paper, bits_down)
      VALUES (1, 0, 0, 0, 0), (1, 1, 8, 8, 0), (2, 0, 0, 0, 0);
    INSERT INTO rate_best (run_id, experiment, method, metric, trajectory_id)
      VALUES (1, 'fig3', 'gd', 'final_gnorm2', 2);"
  expect 0 "rate on a version-9 database" -- rate "$Q" gd --T 5 --no-slack --db "$old"
  db=$old
  equals "SELECT group_concat(ifnull(theorem, 'NULL')) FROM (SELECT theorem FROM rate_checks
          WHERE run_id = 1 ORDER BY id)" "T5.pl,T5.thm1,NULL" "old rows get their theorem"
  equals "SELECT group_concat(id || ':' || stop) FROM rate_trajectories WHERE check_id IN (1, 2)" \
    "1:T,2:T" "the old checks keep their trajectories and ids"
  equals "SELECT count(*) FROM rate_points WHERE trajectory_id IN (1, 2)" 3 \
    "and their points"
  equals "SELECT trajectory_id FROM rate_best WHERE run_id = 1" 2 "rate_best keeps its rows"
  equals "SELECT count(*) FROM pragma_foreign_key_check" 0 "no row lost its parent"
  newest=$(ls "$(dirname "$0")/../db" | sed -n 's/^0*\([0-9][0-9]*\)_.*\.sql$/\1/p' | sort -n | tail -1)
  equals "PRAGMA user_version" "$newest" "migrated to the newest version, $newest"
else
  echo "e2e_theorems: migration check skipped, no sqlite3"
fi

# ---- T10.2: bidirectional 3PC --------------------------------------------------
B3='bidir(ef21(topk(k=5)),ef21(topk(k=5)))'
B4='bidir(adacgd(topk(k=2),topk(k=5),zeta=2),ef21(topk(k=5)))'
B5='bidir(lag(zeta=2),ef21(topk(k=5)))'
expect 0 "describe bidir" -- describe 'bidir(ef21(topk(k=5)),lag(zeta=2))' --problem "$CQ"
has out "M_w           ef21(topk(k=5)) at n = 10 (each client)" "describe shows the clients' mechanism"
has out "A_s = 1, B_s = 2 [T3 LAG]" "describe shows the server's pair"
has out "T10.2       applies, step gamma = " "T10.2 applies with its step"
has out "M = " "describe shows T10.2's M"
for P in "$CQ" 'logreg(file=phishing)'; do
  expect 0 "T10.2 on $P" -- rate "$P" "$B3" "$B4" "$B5" --theorem T10.2 --T 100 --no-slack \
    --wire-check --db "$db"
  equals "SELECT count(*) FROM rate_checks WHERE run_id = $(last_run) AND theorem = 'T10.2'
          AND verdict = 'pass'" 3 "T10.2 passes for the three pairs on $P"
done
run=$(last_run)
equals "SELECT count(*) FROM rate_checks s JOIN rate_checks c ON c.run_id = s.run_id
        WHERE s.run_id = $run AND s.method = '$B5' AND c.method = '$B3'
          AND s.A_s = c.A AND s.B_s = c.B AND s.A = 1 AND s.B = 2" 1 \
  "the server's pair is stored beside the clients' (EF21-TopK's, as a client of $B3)"
expect 0 "T10.2 with --init zero" -- rate "$CQ" "$B3" --theorem T10.2 --init zero --T 20 \
  --no-slack --db "$db"
has out "n/a" "another initialization is outside T10.2"
refuse_thm "$CQ" 'bidir(ef21(topk(k=5)),marina(urandk(k=5),p=0.5))' T10.2 \
  "declares an aggregate inequality"

echo "e2e_theorems: $pass passed, $fail failed"
[ "$fail" = 0 ]
