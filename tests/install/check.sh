#!/bin/sh
# make install into a temporary prefix, then build and run a program against
# the installed headers and libraries through pkg-config, shared and static.
set -e
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s --no-print-directory install PREFIX="$tmp" >/dev/null
export PKG_CONFIG_PATH="$tmp/lib/pkgconfig"
cc tests/install/consumer.c -o "$tmp/shared" $(pkg-config --cflags --libs tpc) -Wl,-rpath,"$tmp/lib"
cc tests/install/consumer.c -o "$tmp/static" $(pkg-config --cflags tpc) "$tmp/lib/libtpc.a" \
  $(pkg-config --libs-only-other --libs-only-l --static tpc | sed 's/-ltpc//')
want="A=0.133975 B=5.598076"
for kind in shared static; do
  got=$("$tmp/$kind")
  [ "$got" = "$want" ] || { echo "install: $kind consumer printed '$got', expected '$want'"; exit 1; }
done
passed=2
# The MPI build is installed beside tpc when it was built, and starts alone
# (one rank, MPI's singleton start) from the prefix.
if [ -x build/tpc-mpi ]; then
  "$tmp/bin/tpc-mpi" --version >/dev/null ||
    { echo "install: $tmp/bin/tpc-mpi --version failed"; exit 1; }
  passed=3
fi
echo "install: $passed passed, 0 failed"
