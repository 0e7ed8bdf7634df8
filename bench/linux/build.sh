#!/usr/bin/env bash
# Builds the Linux benchmark programs, big- and little-endian (static, -O2, stripped).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
for arch in be le; do
  case $arch in be) cc=mips-linux-gnu-gcc ;; le) cc=mipsel-linux-gnu-gcc ;; esac
  mkdir -p "bin/$arch"
  for src in src/*.c; do
    name="$(basename "$src" .c)"
    "$cc" -static -O2 -Wall -o "bin/$arch/$name" "$src" -lm
    mips-linux-gnu-strip "bin/$arch/$name"
  done
done
echo "built: $(ls bin/be | tr '\n' ' ')"
