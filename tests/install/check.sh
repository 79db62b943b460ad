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
echo "install: 2 passed, 0 failed"
