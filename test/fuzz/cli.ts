// npm run fuzz -- [--cases N] [--seed S] [--no-shrink] [--stop-after K]
// Without --cases it runs until interrupted, printing progress.
import { fuzz } from './diff-fuzz.js';

const argv = process.argv.slice(2);
const opt = (name: string) => { const i = argv.lastIndexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const cases = opt('--cases') !== undefined ? Number(opt('--cases')) : Infinity;
let seed = opt('--seed') !== undefined ? Number(opt('--seed')) : (Date.now() & 0x7fffffff);
const stopAfter = opt('--stop-after') !== undefined ? Number(opt('--stop-after')) : undefined;
const t0 = performance.now();
let covered = 0, failures = 0;
const BATCH = 200;
console.log(`diff-fuzz: seed ${seed}, ${Number.isFinite(cases) ? cases : 'unbounded'} cases`);
while (covered < cases) {
  const n = Math.min(BATCH, cases - covered);
  const r = fuzz({
    cases: n, seed, shrink: !argv.includes('--no-shrink'),
    onFailure: (f) => {
      console.log(`\nDIVERGENCE (seed ${f.seed}):\n  ${f.diffs.join('\n  ')}\n${f.listing}\n`);
    },
  });
  covered += r.cases; failures += r.failures.length; seed += n;
  if (!Number.isFinite(cases)) console.log(`  ${covered} cases, ${failures} divergent`);
  if (stopAfter && failures >= stopAfter) break;
}
console.log(`diff-fuzz: covered ${covered} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${failures} divergent`);
process.exitCode = failures ? 1 : 0;
