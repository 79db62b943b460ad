#!/bin/sh
# The long sweep of `tpc bounds` (not part of `make test`: about an hour on
# two cores).  Every built-in spec of the Makefile's RUN_SPECS at each
# dimension D and draw count M, with seeds 1..SEEDS, must come out pass or
# inconclusive, never violated; and the planted defects (the test plugins
# liar and coinflip of tests/plugins) must come out violated at every seed
# and setting.  A spec that does not build at a dimension (k > d, n not
# dividing d) is counted once as skipped-invalid.  Prints one table row of
# counts per (D, M) and the planted rows, lists on stderr every run of a
# built-in that did not pass with its reason, and exits 1 when a built-in
# was violated, a run failed (exit 2 or 4 on a valid spec) or a planted
# defect was missed.
#
#   TPC=build/tpc SEEDS=20 DIMS="10 100 1000" DRAWS="20 100 default" JOBS=2 \
#     sh tests/long/bounds_sweep.sh
TPC=${TPC:-build/tpc}
case $TPC in /*) ;; *) TPC=$PWD/$TPC ;; esac
SEEDS=${SEEDS:-20}
DIMS=${DIMS:-10 100 1000}
DRAWS=${DRAWS:-20 100 default}
JOBS=${JOBS:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The planted defects, built against the source tree's headers.
for p in liar coinflip; do
  if ! ${CC:-cc} -std=c11 -O2 -fPIC -shared -Isrc "tests/plugins/$p.c" -o "$tmp/$p.so"; then
    echo "bounds_sweep: cannot build the plugin $p"; exit 1
  fi
done

# One line per job: D M SEED SPEC PLUGIN (PLUGIN "-" for a built-in).
specs=$(make -s --no-print-directory print-RUN_SPECS)
eval "set -- $specs"
: >"$tmp/jobs"
: >"$tmp/invalid"
for d in $DIMS; do
  for spec in "$@"; do
    if ! "$TPC" describe "$spec" --d "$d" --n 4 >/dev/null 2>&1; then
      echo "$d $spec" >>"$tmp/invalid"
      continue
    fi
    for m in $DRAWS; do
      s=1
      while [ "$s" -le "$SEEDS" ]; do
        printf '%s\t%s\t%s\t%s\t-\n' "$d" "$m" "$s" "$spec" >>"$tmp/jobs"
        s=$((s + 1))
      done
    done
  done
  for m in $DRAWS; do
    s=1
    while [ "$s" -le "$SEEDS" ]; do
      printf '%s\t%s\t%s\tliar\t%s\n' "$d" "$m" "$s" "$tmp/liar.so" >>"$tmp/jobs"
      printf '%s\t%s\t%s\tcoinflip\t%s\n' "$d" "$m" "$s" "$tmp/coinflip.so" >>"$tmp/jobs"
      s=$((s + 1))
    done
  done
done

# run_one LINE: one check in its own database; prints D M SEED RC SPEC, then
# the reason line of the verdict.
cat >"$tmp/run_one.sh" <<'EOS'
IFS='	' read -r d m s spec plugin <<EOL
$1
EOL
db=$(mktemp -d)
set -- bounds "$spec" --d "$d" --seed "$s" --db "$db/db.sqlite" --quiet --threads 1
[ "$m" = default ] || set -- "$@" --draws "$m"
[ "$plugin" = - ] || set -- "$@" --plugin "$plugin"
"$TPC" "$@" >/dev/null 2>"$db/err"
rc=$?
printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$d" "$m" "$s" "$rc" "$spec" "$(tr '\n' ' ' <"$db/err")"
rm -rf "$db"
EOS
export TPC
start=$(date +%s)
tr '\n' '\0' <"$tmp/jobs" | xargs -0 -P "$JOBS" -n 1 sh "$tmp/run_one.sh" >"$tmp/results"
echo "bounds_sweep: $(wc -l <"$tmp/jobs") runs in $(( $(date +%s) - start )) s ($JOBS at a time)"

awk -F'\t' -v invalid="$tmp/invalid" -v dims="$DIMS" -v draws="$DRAWS" '
  BEGIN {
    while ((getline line < invalid) > 0) { split(line, f, " "); skipped[f[1]]++ }
    nd = split(dims, D, " "); nm = split(draws, M, " ")
  }
  {
    key = $1 SUBSEP $2
    planted = ($5 == "liar" || $5 == "coinflip")
    v = $4 == 0 ? "pass" : $4 == 1 ? "violated" : $4 == 3 ? "inconclusive" : "error"
    if (planted) { p[$5, key, v]++; next }
    c[key, v]++
    if (v == "violated" || v == "error") bad++
    if (v != "pass") print "  " v ": d " $1 " draws " $2 " seed " $3 " " $5 ": " $6 > "/dev/stderr"
  }
  END {
    printf "%-6s %-8s %6s %13s %9s %6s %16s\n", "d", "draws", "pass", "inconclusive", "violated",
           "error", "skipped-invalid"
    for (i = 1; i <= nd; i++) for (j = 1; j <= nm; j++) {
      k = D[i] SUBSEP M[j]
      printf "%-6s %-8s %6d %13d %9d %6d %16d\n", D[i], M[j], c[k, "pass"], c[k, "inconclusive"],
             c[k, "violated"], c[k, "error"], skipped[D[i]]
    }
    close(invalid)
    while ((getline line < invalid) > 0) printf "skipped-invalid at d = %s\n", line
    printf "\nplanted defects (violated of runs; other verdicts)\n"
    printf "%-9s %-6s %-8s %9s %6s %13s %6s\n", "plugin", "d", "draws", "violated", "pass",
           "inconclusive", "error"
    for (q = 1; q <= 2; q++) {
      name = q == 1 ? "liar" : "coinflip"
      for (i = 1; i <= nd; i++) for (j = 1; j <= nm; j++) {
        k = D[i] SUBSEP M[j]
        printf "%-9s %-6s %-8s %9d %6d %13d %6d\n", name, D[i], M[j], p[name, k, "violated"],
               p[name, k, "pass"], p[name, k, "inconclusive"], p[name, k, "error"]
        bad += p[name, k, "pass"] + p[name, k, "inconclusive"] + p[name, k, "error"]
      }
    }
    exit bad > 0
  }' "$tmp/results"
