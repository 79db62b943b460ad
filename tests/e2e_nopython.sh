#!/bin/sh
# A tpc built without Python's headers (as on a machine without python3-dev,
# forced here with PY_OK=0 in a temporary build folder): it builds, links no
# libpython, runs the built-ins, and refuses a .py plugin with exit 2 and a
# message that says what to install.  Plain build only: the sanitized pass
# would rebuild the whole tree a third time for the same finding.
. "$(dirname "$0")/lib.sh"

case $TPC in */build-san/*) echo "e2e_nopython: 0 passed, 0 failed (plain build only)"; exit 0 ;; esac
if make -s --no-print-directory -j2 PY_OK=0 BUILD="$tmp/build" "$tmp/build/tpc" >"$tmp/make.log" 2>&1
then ok; else bad "build without Python failed"; cat "$tmp/make.log"; fi
TPC=$tmp/build/tpc
if ldd "$TPC" | grep -q libpython; then bad "links libpython without PY_OK"; else ok; fi
printf 'import tpc\n' >"$tmp/p.py"
expect 2 "a .py plugin without Python" -- list --plugin "$tmp/p.py"
has err "built without Python's headers" "the refusal says why"
has err "python3-dev" "the refusal says what to install"
expect 0 "the built-ins still work" -- describe 'topk(k=2)' --d 10
has out "alpha         0.2 " "describe topk"

echo "e2e_nopython: $pass passed, $fail failed"
[ "$fail" = 0 ]
