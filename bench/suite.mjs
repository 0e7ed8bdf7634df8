// benny suite: each guest benchmark (bench/programs/*.s) under the interpreter and under the
// translator, from the built dist/ (npm run bench builds first). Each sample is one complete
// run from a freshly loaded machine, capped at MAX_INSNS guest instructions so a sample stays
// short; benny reports runs/s, and the guest MIPS line is derived from it.
import b from 'benny';
import { readdirSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchRunner } from '../dist/cli/bench.js';

const here = dirname(fileURLToPath(import.meta.url));
const MAX_INSNS = Number(process.env.BENCH_MAX_INSNS ?? 4_000_000);
const only = process.argv.slice(2);
const programs = readdirSync(join(here, 'programs')).filter((f) => f.endsWith('.s'))
  .filter((f) => !only.length || only.some((o) => f.includes(o))).sort();

for (const f of programs) {
  const run = benchRunner(join(here, 'programs', f), [], { maxInsns: MAX_INSNS });
  const insns = run('interp').insns; // also warms the assembler and loader
  const ref = run('jit');
  if (ref.insns !== insns) throw new Error(`${f}: engines ran different instruction counts (${insns} vs ${ref.insns})`);
  await b.suite(
    `${basename(f, '.s')} (${insns} guest insns per run)`,
    b.add('interp', () => { run('interp'); }),
    b.add('jit', () => { run('jit'); }),
    b.cycle((result) => {
      const mips = (result.ops * insns) / 1e6;
      console.log(`  ${result.name.padEnd(7)} ${result.ops.toFixed(2).padStart(8)} runs/s  ${mips.toFixed(1).padStart(8)} guest MIPS  ±${result.margin}%`);
    }),
    b.complete((summary) => {
      const [i, j] = ['interp', 'jit'].map((n) => summary.results.find((r) => r.name === n));
      console.log(`  speedup ${(j.ops / i.ops).toFixed(2)}x\n`);
    }),
    b.configure({ cases: { minSamples: 3, maxTime: 1.5 } }),
  );
}
