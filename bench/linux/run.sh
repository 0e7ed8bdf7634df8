#!/usr/bin/env bash
# Linux benchmarks: asmbox (interpreter and translator) against qemu-user, wall time of whole
# runs (start-up included), best of --repeat N. Prints a Markdown table of seconds and
# ratios (asmbox / qemu; lower is better) with the geometric mean, then a start-up row (a
# trivial program, outside the mean). Program sizes: programs.json (qemu runs each 0.5-1 s);
# --quick uses the programs' built-in sizes instead (0.05-0.2 s under qemu: start-up dominated).
#
#   bench/linux/run.sh [--arch be|le|both] [--engines interp,jit] [--repeat N] [--only fib,sieve] [--quick]
#
# Needs qemu-user and a built asmbox (npm run build; ASMBOX=path/to/asmbox.js to time another
# build); rebuild the programs with build.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec node "$here/run.mjs" "$@"
