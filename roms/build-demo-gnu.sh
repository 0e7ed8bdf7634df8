#!/usr/bin/env bash
# Rebuilds roms/demo.elf from roms/demo.s with GNU binutils (Debian binutils-mipsel-linux-gnu).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
mipsel-linux-gnu-as -mips32r2 -o "$tmp/demo.o" demo.s
mipsel-linux-gnu-ld -e main -o demo.elf "$tmp/demo.o"
rm -rf "$tmp"
