#!/usr/bin/env bash
# Two asmbox builds side by side (e.g. a worktree of an older commit against this one), with
# qemu-mips, on the Linux benchmark programs; best of --repeat N (default 3), big-endian.
#
#   git worktree add /tmp/old <commit> && (cd /tmp/old && npm ci)
#   bench/linux/compare.sh /tmp/old/bin/asmbox.js bin/asmbox.js [--repeat N] [--quick]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec node "$here/compare.mjs" "$@"
