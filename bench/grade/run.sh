#!/usr/bin/env bash
# Grading throughput: asmbox grade vs the common alternative, one `spim -file` process per
# test in a shell loop (Debian's spim), on the same submissions and tests, in the same run.
#   bash bench/grade/run.sh            # 200 submissions x 10 tests
#   N=50 JOBS=2 bash bench/grade/run.sh
#   JOBS1=1 bash bench/grade/run.sh    # also time asmbox with a single job
# Needs `npm run build` first, and spim for the comparison (skipped if not installed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
N=${N:-200}
JOBS=${JOBS:-$(nproc)}
work=$(mktemp -d "${TMPDIR:-/tmp}/asmbox-bench-grade.XXXXXX")
trap 'rm -rf "$work"' EXIT

node "$here/gen.mjs" "$work" "$N"
ntests=$(ls "$work"/tests/*.in | wc -l)
total=$((N * ntests))
now() { date +%s.%N; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.1f", n / t }'; }

echo "asmbox grade (--jobs $JOBS) ..."
echo "(spim loop: one spim process per test, sequential)"
t0=$(now)
node "$root/bin/asmbox.js" grade "$work/spec.yaml" "$work/subs" --jobs "$JOBS" --no-progress -f csv -o "$work/asmbox.csv" 2>/dev/null || true
t1=$(now)
asm_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
asm_pass=$(awk -F, 'NR > 1 { s += $4 } END { print s + 0 }' "$work/asmbox.csv")

asm1_s=""
if [ "${JOBS1:-0}" = 1 ]; then
  echo "asmbox grade (--jobs 1) ..."
  t0=$(now)
  node "$root/bin/asmbox.js" grade "$work/spec.yaml" "$work/subs" --jobs 1 --no-progress -f csv -o "$work/asmbox1.csv" 2>/dev/null || true
  t1=$(now)
  asm1_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
fi

printf '\n%-34s %8s %10s %12s\n' "grader" "tests" "seconds" "tests/s"
printf '%-34s %8d %10.2f %12s   (%d passed)\n' "asmbox grade --jobs $JOBS" "$total" "$asm_s" "$(rate "$total" "$asm_s")" "$asm_pass"
[ -n "$asm1_s" ] && printf '%-34s %8d %10.2f %12s\n' "asmbox grade --jobs 1" "$total" "$asm1_s" "$(rate "$total" "$asm1_s")"

if command -v spim >/dev/null; then
  t0=$(now)
  spim_pass=0
  for sub in "$work"/subs/*/; do
    for ((k = 0; k < ntests; k++)); do
      # SPIM prints a banner first; compare the rest, ignoring trailing whitespace.
      if timeout 10 spim -file "$sub/lab4.s" < "$work/tests/$k.in" 2>&1 | tail -n +6 | sed 's/[[:space:]]*$//' | diff -q - "$work/tests/$k.out" >/dev/null; then
        spim_pass=$((spim_pass + 1))
      fi
    done
  done
  t1=$(now)
  spim_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  printf '%-34s %8d %10.2f %12s   (%d passed)\n' "spim -file, one per test (shell)" "$total" "$spim_s" "$(rate "$total" "$spim_s")" "$spim_pass"
  awk -v a="$asm_s" -v s="$spim_s" 'BEGIN { printf "\nasmbox grade is %.1fx the throughput of the spim loop\n", s / a }'
  [ "$asm_pass" = "$spim_pass" ] || echo "note: pass counts differ (asmbox $asm_pass, spim $spim_pass)"
else
  echo "spim not installed: comparison skipped"
fi
