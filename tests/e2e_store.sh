#!/bin/sh
# Command tests of the database's life ($TPC): a damaged file (one page
# overwritten) is refused by writers and readers with exit 2, untouched.
# Prints "e2e_store: N passed, N failed" and exits 1 when a check failed.
. "$(dirname "$0")/lib.sh"

# overwrite_page FILE PAGE SIZE: page PAGE (1-based) of FILE replaced by
# SIZE bytes of a fixed pseudo-random sequence.
overwrite_page() {
  python3 -c 'import random, sys
path, page, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "r+b") as f:
    f.seek((page - 1) * size)
    f.write(random.Random(7).randbytes(size))' "$@"
}

# ---- a damaged database: refused, left as it was ------------------------------
db="$tmp/damaged.sqlite"
expect 0 "setup: bounds" -- bounds 'topk(k=3)' 'randk(k=3)' --d 20 --trials 8 --db "$db" --quiet
root=$(rows "SELECT rootpage FROM sqlite_master WHERE name = 'bounds_points'")
size=$(rows "PRAGMA page_size")
if [ "$root" = skip ]; then bad "no sqlite3 or python3 to read the database"
else
  overwrite_page "$db" "$root" "$size"
  cp "$db" "$tmp/damaged.copy"
  expect 2 "bounds refuses a damaged database" -- bounds 'topk(k=3)' --d 20 --db "$db"
  has err "$db is damaged (quick_check: " "names the file and the damage"
  has err "sqlite3 $db .recover" "says how to save its rows"
  if cmp -s "$db" "$tmp/damaged.copy" && [ ! -e "$db-wal" ]; then ok
  else bad "the damaged database was written to"; fi
  expect 2 "report refuses a damaged database" -- report --db "$db" --out "$tmp/rep"
  has err "is damaged" "report says damaged"
  if [ -e "$tmp/rep" ]; then bad "report wrote from a damaged database"; else ok; fi
fi

echo "e2e_store: $pass passed, $fail failed"
[ "$fail" = 0 ]
