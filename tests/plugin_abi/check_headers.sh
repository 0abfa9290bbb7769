#!/bin/sh
# Compiles every public SDK header on its own: as C11 with -pedantic, and as C++ (C++11 for the C
# headers, C++17 for the C++ layer). Usage: check_headers.sh <cc> <cxx> <include dir> <tmp dir>
set -eu
cc=$1 cxx=$2 inc=$3 tmp=$4
mkdir -p "$tmp"
count=0
for h in "$inc"/spire/plugin/*.h; do
  rel=${h#"$inc"/}
  printf '#include "%s"\n' "$rel" > "$tmp/one.c"
  "$cc" -std=c11 -Wall -Wextra -Werror -pedantic -I"$inc" -c "$tmp/one.c" -o "$tmp/one.o"
  cp "$tmp/one.c" "$tmp/one.cpp"
  "$cxx" -std=c++11 -Wall -Wextra -Werror -pedantic -I"$inc" -c "$tmp/one.cpp" -o "$tmp/one.o"
  count=$((count + 1))
done
for h in "$inc"/spire/plugin/cpp/*.hpp; do
  rel=${h#"$inc"/}
  printf '#include "%s"\n' "$rel" > "$tmp/one.cpp"
  "$cxx" -std=c++17 -Wall -Wextra -Werror -pedantic -I"$inc" -c "$tmp/one.cpp" -o "$tmp/one.o"
  count=$((count + 1))
done
echo "compiled $count headers"
