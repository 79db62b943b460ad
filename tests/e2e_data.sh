#!/bin/sh
# Command tests of the shipped data sets (datasets/): their checksums, that
# each loads by its short name from any working directory, and the order of
# the places a short name is looked up in (src/problems/files.c): the source
# tree's copy, the installed copy beside the program's bin/, then $TPC_DATA.
. "$(dirname "$0")/lib.sh"
top=$PWD

if (cd datasets && sha256sum --quiet -c SHA256SUMS); then ok; else bad "datasets/SHA256SUMS"; fi

# rows x d of each set (datasets/README.md), loaded by short name from $tmp.
cd "$tmp"
for row in phishing:68 a9a:123 mushrooms:112 w8a:300; do
  name=${row%:*}
  expect 0 "load $name" -- rate "logreg(file=$name)" gd --T 1 --no-slack --db "$tmp/d.sqlite"
  has out "d = ${row#*:}, n = 20" "$name: d"
done

# A small LibSVM file with the given first label: 0 rows of another label
# make a one-label file, which logreg refuses, so it tells the copies apart.
svm() { printf '%s 1:0.5 2:1\n-1 1:1 3:0.25\n%s 2:0.5\n-1 3:1\n' "$2" "$2" > "$1"; }
mkdir -p "$tmp/prefix/bin" "$tmp/prefix/share/tpc/datasets" "$tmp/user"
cp "$TPC" "$tmp/prefix/bin/tpc"
svm "$tmp/prefix/share/tpc/datasets/inst" 1
svm "$tmp/user/inst" -1          # -1 only: refused if TPC_DATA were read first
svm "$tmp/user/mine" 1
svm "$tmp/user/phishing" -1      # shadowed by the source tree's phishing
run() { TPC_DATA="$tmp/user" "$tmp/prefix/bin/tpc" rate "logreg(file=$1,n=2)" gd --T 1 \
          --no-slack --db "$tmp/d.sqlite" >"$tmp/out" 2>"$tmp/err"; }
if run phishing && grep -qF "d = 68" "$tmp/out"; then ok; else bad "source tree before TPC_DATA"; fi
if run inst && grep -qF "d = 3" "$tmp/out"; then ok; else bad "installed copy before TPC_DATA"; cat "$tmp/err"; fi
if run mine && grep -qF "d = 3" "$tmp/out"; then ok; else bad "TPC_DATA"; cat "$tmp/err"; fi
run nosuch
has err "not found (also looked in $top/datasets/, $tmp/prefix/share/tpc/datasets/, $tmp/user/)" \
  "a missing name lists the places in order"
cd "$top"

echo "e2e_data: $pass passed, $fail failed"
[ "$fail" = 0 ]
