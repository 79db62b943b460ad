#!/bin/sh
# The floors check (Makefile "Floors"): each floor's include folder must
# resolve the headers of the floors it may include and refuse every other
# folder's, so an upward include cannot build.
#   sh tests/floors.sh CC FLOORS_DIR "PROBES" "FLOOR=ALLOWED..." ...
# PROBES: one header per folder of the tree ("comp/comp.h"); each further
# argument names a floor and the folders it may include, space-separated.
cc=$1 dir=$2 probes=$3
shift 3
pass=0 fail=0
# The probe is a file of its own folder: a quoted include looks in the
# including file's folder first, and the tree's root has bounds/, bench/...
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for rule in "$@"; do
  floor=${rule%%=*} allowed=" ${rule#*=} "
  for h in $probes; do
    case "$allowed" in *" ${h%%/*} "*) want=found ;; *) want=refused ;; esac
    printf '#include "%s"\n' "$h" > "$tmp/probe.c"
    # refused: the probe's own include is missing (gcc's words, then
    # clang's); a failure further down (the header found, one it includes
    # not) is neither answer.
    if $cc -E -I"$dir/$floor" "$tmp/probe.c" -o /dev/null 2>"$tmp/err"; then
      got=found
    elif grep -Eq "probe.c:1:[0-9]+: fatal error: ($h: No such file|'$h' file not found)" \
         "$tmp/err"; then
      got=refused
    else
      got="found, but not what it includes ($(grep -m1 'fatal error' "$tmp/err"))"
    fi
    if [ "$got" = $want ]; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      echo "floors: $floor: \"$h\" is $got, it must be $want"
    fi
  done
done
echo "floors: $pass passed, $fail failed"
[ $fail = 0 ]
