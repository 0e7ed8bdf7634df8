// SPIM's own regression programs (../shared/conformance/spim, read-only) assemble without
// error, with the options SPIM runs them with; the ones that need nothing beyond user mode
// also run to their expected output.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble, type AsmOptions } from '../src/asm/assembler.js';
import { formatDiagnostics } from '../src/asm/diagnostics.js';
import { CapturedIO } from '../src/env/io.js';
import { loadAssembled } from '../src/env/program.js';
import { createEngine } from '../src/machine/engines.js';
import { runMachine } from '../src/machine/run.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SPIM = resolve(ROOT, '../shared/conformance/spim');
const have = existsSync(join(SPIM, 'tt.core.s'));

/** Files, assembled together, and the options SPIM's Makefile runs them with. */
const CASES: { files: string[]; opts: AsmOptions; warnings?: number }[] = [
  { files: ['exceptions.s', 'tt.core.s'], opts: {}, warnings: 2 }, // two deliberate cross-region jumps
  { files: ['tt.core.s'], opts: {}, warnings: 2 },
  { files: ['exceptions.s', 'tt.le.s'], opts: {} },
  { files: ['exceptions.s', 'tt.be.s'], opts: { bigEndian: true } },
  { files: ['exceptions.s', 'tt.dir.s'], opts: {} },
  { files: ['tt.io.s'], opts: {} },
  { files: ['tt.bare.s'], opts: { delaySlots: true } },
  { files: ['tt.alu.bare.s'], opts: { bare: true } },
  { files: ['tt.fpu.bare.s'], opts: { bare: true } },
  { files: ['timer.s'], opts: {} },
  { files: ['time.s'], opts: {} },
  { files: ['read.s'], opts: {} },
  { files: ['helloworld.s'], opts: {} },
];

function build(files: string[], opts: AsmOptions) {
  return assemble(files.map((f) => ({ path: f, text: readFileSync(join(SPIM, f), 'latin1') })), opts);
}

function runIt(files: string[], stdin = '', opts: AsmOptions = {}) {
  const r = build(files, opts);
  expect(r.program, formatDiagnostics(r.diagnostics)).not.toBeNull();
  const io = new CapturedIO(stdin);
  const m = loadAssembled(r.program!, files[files.length - 1], io, { compat: 'spim' });
  const result = runMachine(m, createEngine('interp', m), { maxInsns: 100_000_000 });
  return { result, out: io.stdoutText() };
}

describe.skipIf(!have)("SPIM's regression programs", () => {
  for (const c of CASES) {
    it(`${c.files.join(' + ')} assembles without error`, () => {
      const r = build(c.files, c.opts);
      const text = formatDiagnostics(r.diagnostics);
      expect(r.diagnostics.errorCount, text).toBe(0);
      expect(r.program).not.toBeNull();
      expect(r.diagnostics.warningCount, text).toBe(c.warnings ?? (c.opts.bare ? r.diagnostics.warningCount : 0));
    });
  }

  it('tt.bare.s and tt.alu.bare.s keep the addresses their self-checks depend on', () => {
    // tt.alu.bare.s loads its strings with lui/ori at fixed data addresses (bare data at 0x10000000).
    const p = build(['tt.alu.bare.s'], { bare: true }).program!;
    const sym = (n: string) => p.symbols.find((s) => s.name === n)!.value;
    expect(sym('saved_ret_pc')).toBe(0x10000000);
    expect(sym('add_')).toBe(0x1000000d);
    expect(p.entry).toBe(sym('__start'));
  });

  it('tt.dir.s runs to "Passed all tests"', () => {
    const { result, out } = runIt(['tt.dir.s']);
    expect(result.kind).toBe('exit');
    expect(out).toBe('Tests 1\nTests 2\nTests 3\n\nPassed all tests\n');
  });

  it('tt.fpu.bare.s runs to "Passed all tests" (bare machine, delayed branches)', () => {
    const { result, out } = runIt(['tt.fpu.bare.s'], '', { bare: true });
    expect(result.kind, out.slice(-300)).toBe('exit');
    expect(out.endsWith('Passed all tests\n')).toBe(true);
  });

  it('helloworld.s, read.s and time.s run', () => {
    expect(runIt(['helloworld.s']).out).toBe('Hello World');
    expect(runIt(['read.s'], 'a line\n').out).toBe('Read next line\na line\n');
    expect(runIt(['time.s'], '\n').out).toBe('Hit return to start timing\nDone with timing\n');
  });
});
