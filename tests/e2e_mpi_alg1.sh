#!/bin/sh
# Command tests of Algorithm 1 over MPI (README.md "Algorithm 1 over MPI"):
# `tpc rate` on a quadratic whose n = 10 clients split unevenly over 3 ranks
# (blocks of 4, 4, 2) with GD, EF21-TopK, CLAG, MARINA, DIANA, EF21-P and a
# bidirectional 3PC, by build/tpc and by `mpirun -n P build/tpc-mpi` for
# P = 1, 2, 3: the same exit code and the same stored checks, trajectories
# and points, compared in SQL (= on REAL is exact; times left out); for
# P >= 2 a dist_alg1_times row for every rank of every trajectory (one rank
# runs the plain path and has none), the links of every rank but 0, rank 0's
# line of times per method, and the report's subsection.
# Prints one line per failure and "e2e_mpi_alg1: N passed, N failed".
. "$(dirname "$0")/lib.sh"
if [ ! -x "$TPC_MPI" ]; then
  echo "e2e_mpi_alg1: skipped: $TPC_MPI was not built (no Open MPI headers)"
  exit 0
fi
if ! command -v sqlite3 >/dev/null 2>&1; then
  echo "e2e_mpi_alg1: skipped: the comparison needs the sqlite3 client"
  exit 0
fi

Q='quad(d=100,n=10,s=1,seed=1,convex=1)'
METHODS='gd ef21(topk(k=5)) clag(topk(k=5),zeta=2) marina(urandk(k=10),p=0.1)
dcgd_shift(urandk(k=10),shift=diana) ef21p(topk(k=10)) bidir(ef21(topk(k=5)),ef21(topk(k=10)))'
ARGS="--T 150 --reps 3 --seed 1"

# shellcheck disable=SC2086
"$TPC" rate "$Q" $METHODS $ARGS --db "$tmp/p0.sqlite" >"$tmp/out" 2>"$tmp/err"
code=$?
is "$code" 0 "one process: exit code"

# same TABLE COLUMNS KEY NAME: the rows of TABLE in $tmp/p0.sqlite and in
# $db agree in COLUMNS, with KEY (an id made relative to the table's first)
# standing for the ids that differ between databases.
same() {
  q="SELECT $3, $2 FROM"
  diff=$(sqlite3 "$db" "ATTACH '$tmp/p0.sqlite' AS p0;
    SELECT (SELECT count(*) FROM (${q} main.$1 EXCEPT ${q} p0.$1))
         + (SELECT count(*) FROM (${q} p0.$1 EXCEPT ${q} main.$1))
         + abs((SELECT count(*) FROM main.$1) - (SELECT count(*) FROM p0.$1))")
  is "$diff" 0 "$4: $1 rows that differ from one process's"
}

CHECKS='problem, method, server, d, n, A, B, check_kind, T, reps, gamma_theory, mult, gamma,
  delta0, G0, bound, measured, ucb, ratio, confidence, verdict, note, slack, theorem'
TRAJS='role, rep, mult, gamma, stop, iters, record_every, sum_gnorm2, converged'
POINTS='t, f, gnorm2, G, bits_up, bits_up_paper, bits_down, bits_down_paper, f_x, gnorm2_x,
  dist2, f_avg, H, wx2, measure, bound'

for P in 1 2 3; do
  db="$tmp/p$P.sqlite"
  # shellcheck disable=SC2086
  mpi "$P" rate "$Q" $METHODS $ARGS --db "$db" >"$tmp/out" 2>"$tmp/err"
  is "$?" "$code" "P = $P: exit code"
  same rate_checks "$CHECKS" "0" "P = $P"
  same rate_trajectories "$TRAJS" "check_id - (SELECT min(id) FROM rate_checks)" "P = $P"
  same rate_points "$POINTS" "trajectory_id - (SELECT min(id) FROM rate_trajectories)" "P = $P"
  # one rank runs the plain path: no network, no time rows
  rows=$P
  [ "$P" -eq 1 ] && rows=0
  equals "SELECT count(*) FROM rate_trajectories t WHERE
            (SELECT count(*) FROM dist_alg1_times WHERE trajectory_id = t.id AND ranks = $P) != $rows" \
    0 "P = $P: a time row per rank and trajectory"
  equals "SELECT count(*) FROM dist_alg1_times WHERE rounds != 1 + (SELECT iters FROM
            rate_trajectories WHERE id = trajectory_id)" 0 "P = $P: rounds are iterations + 1"
  equals "SELECT count(*) FROM dist_links WHERE latency > 0 AND bandwidth > 0" $((P - 1)) \
    "P = $P: a link per rank but 0"
  if [ "$P" -gt 1 ]; then
    equals "SELECT sum(clients) FROM dist_alg1_times GROUP BY trajectory_id LIMIT 1" 10 \
      "P = $P: the ranks' clients add up to n"
    has out "$P ranks, rank 0 per round" "P = $P: rank 0 prints the split"
    equals "SELECT count(*) FROM dist_alg1_times WHERE rank = 0 AND NOT model_s > 0" 0 \
      "P = $P: rank 0's model of its communication"
    # rank 0 received what the others sent
    equals "SELECT count(*) FROM dist_alg1_times z WHERE rank = 0 AND bytes_recv !=
              (SELECT sum(bytes_sent) FROM dist_alg1_times o WHERE o.rank > 0
               AND o.trajectory_id = z.trajectory_id)" 0 "P = $P: bytes sent = bytes received"
  fi
done
# rank 0 cannot open the database: every rank stops with its exit code
# instead of waiting for rank 0 in the runs
limit=60 mpi 2 rate "$Q" gd --T 5 --db "$tmp/no/such/dir/x.sqlite" >"$tmp/out" 2>"$tmp/err"
is "$?" 4 "a database rank 0 cannot create: exit 4, no rank waiting"

# the clients of 3 ranks: 4, 4, 2
db="$tmp/p3.sqlite"
equals "SELECT group_concat(clients) FROM (SELECT clients FROM dist_alg1_times
          WHERE trajectory_id = (SELECT min(id) FROM rate_trajectories) ORDER BY rank)" \
  "4,4,2" "P = 3: whole blocks of 4 clients"

# the report's subsection: the links, every rank's split, the model's figure
expect 0 "report" -- report --db "$db" --out "$tmp/rep"
has rep/report.md "Algorithm 1 over MPI: time per round" "report: the subsection"
has rep/report.md "| gd T5.thm1 | 2 | 2 |" "report: rank 2 of gd's first repetition"
has rep/report.md "dist-comm-model.svg" "report: the model's figure"

echo "e2e_mpi_alg1: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
