#!/bin/sh
# Command tests of the theory citations: every THEORY.md item that the
# sources, `tpc list` or `tpc describe` cite ("THEORY.md T3", "T1-T3",
# "[T3 CLAG]", "[T8.2]") is a numbered section of the repository's
# THEORY.md, and a named row ("CLAG", "scaled", "Theorem 1", "T8.2") is
# named in that section; every theorem `tpc list` shows cites one.
# Prints "e2e_theory: N passed, N failed".
. "$(dirname "$0")/lib.sh"
doc=THEORY.md
if [ -s "$doc" ]; then ok; else bad "no $doc in the repository"; fi
if grep -q '(THEORY.md)' README.md; then ok; else bad "README links THEORY.md"; fi

# section N: its text, from its heading to the next "## ".
section() { awk -v h="## $1. " 'index($0, h) == 1 { on = 1; next } /^## / { on = 0 } on' "$doc"; }

# cite ITEM [ROW]: the item has a section, and ROW (when given) is named in it.
cite() {
  if [ -z "$(section "$1")" ]; then bad "$1 cited but $doc has no '## $1.' section"; return; fi
  ok
  [ -n "$2" ] || return 0
  if section "$1" | grep -qiF -- "$2"; then ok; else bad "[$1 $2]: '$2' not in section $1"; fi
}

# Items cited in the sources, ranges included ("T1-T3", "T4-T7").
for r in $(grep -rhoE 'THEORY\.md T[0-9]+(-T[0-9]+)?' src bounds bench reports db tests |
           sed 's/THEORY\.md //' | sort -u); do
  lo=${r%%-*}; hi=${r##*-}
  i=${lo#T}
  while [ "$i" -le "${hi#T}" ]; do cite "T$i"; i=$((i + 1)); done
done
grep -q 'T-ERRATA' src/cli/*.c && cite T-ERRATA

# Bracketed citations in the output of list and describe (every spec of
# make run): the row's name is what comes before ':', ',' or '('.
"$TPC" list >"$tmp/cites" 2>&1 || bad "tpc list"
eval "set -- $(make -s --no-print-directory print-RUN_SPECS)"
for s in "$@"; do "$TPC" describe "$s" --d 100 --n 4 >>"$tmp/cites" 2>&1 || bad "describe $s"; done
grep -o '\[T[0-9][^]]*\]' "$tmp/cites" | sort -u | sed 's/^\[//; s/\]$//' >"$tmp/labels"
n=$(wc -l <"$tmp/labels")
if [ "$n" -ge 15 ]; then ok; else bad "only $n distinct citations in list and describe"; fi
while IFS= read -r label; do
  item=${label%% *}
  row=$(printf '%s' "$label" | sed -e 's/^T[0-9.]*//' -e 's/[:,(].*//' -e 's/^ *//' -e 's/ *$//')
  case $item in
    # a numbered item ("T8.2") is a row of its section
    T*.*) cite "${item%%.*}" "$item"; [ -z "$row" ] || cite "${item%%.*}" "$row" ;;
    *) cite "$item" "$row" ;;
  esac
done <"$tmp/labels"

# Every theorem of the catalogue is cited in `tpc list`, and its citation
# resolves (above): one "[T..." per id line of the Theorems section.
ids=$(awk '/^Theorems/ { on = 1; next } on && /^  T[0-9]/ { print $1 }' "$tmp/cites" | sort -u)
if [ -n "$ids" ]; then ok; else bad "tpc list shows no theorem"; fi
for id in $ids; do
  if grep -qE "^  $id +.*\[T[0-9][^]]*\]" "$tmp/cites"; then ok
  else bad "theorem $id listed without a THEORY.md citation"; fi
done

echo "e2e_theory: $pass passed, $fail failed"
[ "$fail" = 0 ]
