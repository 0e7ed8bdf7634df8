// Two asmbox builds side by side on the Linux benchmark programs: each repetition runs qemu, the
// old build and the new build on one program before the next, so the shared machine's load hits
// all three alike. Prints best-of-N wall times and the geometric means. Usage: see compare.sh.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const [oldBuild, newBuild] = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--repeat'));
if (!oldBuild || !newBuild) {
  console.error('usage: compare.sh OLD/bin/asmbox.js NEW/bin/asmbox.js [--repeat N] [--quick]');
  process.exit(2);
}
const repeat = Number(opt('--repeat', '3'));
const quick = args.includes('--quick');
const { programs } = JSON.parse(readFileSync(join(here, 'programs.json'), 'utf8'));

const wall = (cmd, argv) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { s: Number(process.hrtime.bigint() - t) / 1e9, out: r.stdout };
};
const rows = [];
const sums = [0, 0, 0];
for (const p of programs) {
  const bin = join(here, 'bin', 'be', p.name);
  const argv = quick ? [] : p.args;
  const best = [Infinity, Infinity, Infinity];
  let same = true;
  for (let i = 0; i < repeat; i++) {
    const q = wall('qemu-mips', [bin, ...argv]);
    const o = wall('node', [oldBuild, 'run', bin, ...argv]);
    const n = wall('node', [newBuild, 'run', bin, ...argv]);
    same &&= o.out === q.out && n.out === q.out;
    [q, o, n].forEach((r, k) => (best[k] = Math.min(best[k], r.s)));
  }
  best.forEach((s, k) => (sums[k] += Math.log(s)));
  rows.push(`| ${[p.name, ...argv].join(" ")} | ${best.map((s) => s.toFixed(2)).join(' | ')} | ${(best[2] / best[1]).toFixed(2)}x |${same ? '' : ' DIFFERS'}`);
  process.stderr.write(`${p.name} done\n`);
}
const geo = sums.map((s) => Math.exp(s / programs.length));
console.log('| program | qemu s | old s | new s | new/old |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
console.log(`| geometric mean | ${geo.map((g) => g.toFixed(2)).join(' | ')} | ${(geo[2] / geo[1]).toFixed(2)}x |`);
console.log(`\nold/qemu ${(geo[1] / geo[0]).toFixed(2)}x, new/qemu ${(geo[2] / geo[0]).toFixed(2)}x`);
