// Times asmbox (interpreter and translator) against qemu-user on the Linux benchmark programs
// and prints a table of wall-time ratios with their geometric mean, then the start-up row (a
// trivial program, not in the mean). Usage: see run.sh.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const asmbox = process.env.ASMBOX ?? join(here, '../../bin/asmbox.js');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const arches = { be: ['be'], le: ['le'], both: ['be', 'le'] }[opt('--arch', 'be')];
const engines = opt('--engines', 'interp,jit').split(',').filter(Boolean);
const repeat = Number(opt('--repeat', '1'));
const only = opt('--only', '').split(',').filter(Boolean);
// --quick: each program's built-in size (qemu 0.05-0.2 s), where start-up dominates
const quick = args.includes('--quick');
const { programs, startup } = JSON.parse(readFileSync(join(here, 'programs.json'), 'utf8'));
const QEMU = { be: 'qemu-mips', le: 'qemu-mipsel' };

/** One timed run: wall seconds, output and exit status. */
function once(cmd, argv) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { s: Number(process.hrtime.bigint() - t) / 1e9, out: r.stdout, status: r.status ?? -1 };
}

/**
 * Best wall time of `repeat` runs of each command, taken in turns (qemu, then each engine, then
 * again) so a slow spell of the shared machine falls on all of them; outputs of the last round.
 */
function timeEach(cmds) {
  const best = cmds.map(() => ({ s: Infinity, out: '', status: 0 }));
  for (let i = 0; i < repeat; i++) {
    cmds.forEach(([cmd, argv], k) => {
      const r = once(cmd, argv);
      best[k] = { ...r, s: Math.min(best[k].s, r.s) };
    });
  }
  return best;
}

const cols = ['program', 'qemu s', ...engines.map((e) => `${e} s`), ...engines.map((e) => `${e}/qemu`)];
const rows = [];
const ratios = Object.fromEntries(engines.map((e) => [e, []]));

/** Times one program under qemu and each engine; returns its table row and the ratios. */
function measure(arch, p, label) {
  const bin = join(here, 'bin', arch, p.name);
  const argv = quick ? [] : p.args;
  const [q, ...runs] = timeEach([[QEMU[arch], [bin, ...argv]], ...engines.map((e) => ['node', [asmbox, 'run', '--engine', e, bin, ...argv]])]);
  const row = [`${label}${arches.length > 1 ? ` (${arch})` : ''}`, q.s.toFixed(2)];
  const rs = [];
  for (const a of runs) {
    const same = a.out === q.out && a.status === q.status;
    row.push(a.s.toFixed(2) + (same ? '' : ' (DIFFERS)'));
    rs.push(a.s / q.s);
  }
  process.stderr.write(`${row[0]} done\n`);
  return { row: [...row, ...rs.map((r) => r.toFixed(2) + 'x')], rs };
}

for (const arch of arches) {
  for (const p of programs) {
    if (only.length && !only.includes(p.name)) continue;
    const { row, rs } = measure(arch, p, p.name + (quick ? ' (quick)' : ` ${p.args.join(' ')}`));
    engines.forEach((e, i) => ratios[e].push(rs[i]));
    rows.push(row);
  }
}
const geo = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
rows.push(['geometric mean', '', ...engines.map(() => ''), ...engines.map((e) => geo(ratios[e]).toFixed(2) + 'x')]);
if (!only.length) for (const arch of arches) rows.push(measure(arch, startup, `start-up: ${startup.name}`).row);
const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
const line = (r) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
console.log(line(cols));
console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
for (const r of rows) console.log(line(r));
