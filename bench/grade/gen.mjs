// Generates the grading benchmark: N submissions of the Lab 4 sorting program (examples/lab4),
// a spec with 10 output tests, and the same tests as .in/.out files for the SPIM shell loop.
//   node bench/grade/gen.mjs OUT_DIR [N]
// Submissions differ from each other (names, comments, register choices); one in five sorts
// in the wrong order, so both graders have failures to report. Deterministic for a given N.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [out, nArg] = process.argv.slice(2);
if (!out) { console.error('usage: node gen.mjs OUT_DIR [N]'); process.exit(2); }
const N = Number(nArg ?? 200);
const here = dirname(fileURLToPath(import.meta.url));
const correct = readFileSync(join(here, '../../examples/lab4/submissions/correct/lab4.s'), 'utf8');

let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / (1 << 24);

// ---- the tests: sizes 0..100, duplicates, negatives ----
const sizes = [0, 1, 2, 5, 10, 20, 40, 60, 80, 100];
const tests = sizes.map((n, k) => {
  const nums = Array.from({ length: n }, () => Math.floor(rand() * 2000) - (k % 3 === 0 ? 1000 : 0));
  const sorted = [...nums].sort((a, b) => a - b);
  const sum = nums.reduce((a, b) => a + b, 0);
  return { name: `sort ${n} numbers`, stdin: [n, ...nums].join('\n') + '\n', stdout: `${sorted.join(' ')}\nsum = ${sum}\n` };
});
mkdirSync(join(out, 'tests'), { recursive: true });
tests.forEach((t, k) => {
  writeFileSync(join(out, 'tests', `${k}.in`), t.stdin);
  writeFileSync(join(out, 'tests', `${k}.out`), t.stdout);
});
const yaml = [
  'name: grading benchmark (Lab 4 sort, output tests)',
  'defaults: { max_insns: 5000000, timeout: 10, match: trimmed }',
  'tests:',
  ...tests.map((t) => `  - { name: ${JSON.stringify(t.name)}, stdin: ${JSON.stringify(t.stdin)}, expect: { stdout: ${JSON.stringify(t.stdout)} } }`),
].join('\n') + '\n';
writeFileSync(join(out, 'spec.yaml'), yaml);

// ---- the submissions ----
for (let i = 0; i < N; i++) {
  let src = correct.replace(/^# Lab 4.*$/m, `# Lab 4 -- student ${String(i).padStart(3, '0')}`);
  // Rename labels so every submission is a different program text.
  for (const l of ['n_ok', 'read_loop', 'read_done', 'print_loop', 'print_done', 'sort_outer', 'sort_inner', 'sort_insert', 'sort_done']) {
    src = src.replace(new RegExp(`\\b${l}\\b`, 'g'), `${l}_${i}`);
  }
  if (i % 2) src = src.replace(/\$t5/g, '$t6');
  if (i % 5 === 4) src = src.replace('ble     $t5', 'bge     $t5').replace('ble     $t6', 'bge     $t6'); // sorts descending
  const dir = join(out, 'subs', `s${String(i).padStart(3, '0')}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'lab4.s'), src);
}
console.log(`${N} submissions x ${tests.length} tests in ${out}`);
