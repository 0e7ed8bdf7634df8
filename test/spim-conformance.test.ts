// SPIM's regression programs run as upstream's Makefile runs them (spim -ef exceptions.s ...),
// with SPIM's default exception handler (roms/spim/exceptions.s) taking the deliberate
// exceptions, under both engines. The table records which pass; a change in either direction
// fails the test (update the table and the README when one starts passing).
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble, type AsmOptions } from '../src/asm/assembler.js';
import { formatDiagnostics } from '../src/asm/diagnostics.js';
import { CapturedIO } from '../src/env/io.js';
import { loadAssembled } from '../src/env/program.js';
import { createEngine, type EngineKind } from '../src/machine/engines.js';
import { runMachine } from '../src/machine/run.js';
import { attachMappedIo, deliverExceptionsToGuestHandler } from '../src/machine/system.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SPIM = resolve(ROOT, '../shared/conformance/spim');
const HANDLER = resolve(ROOT, 'roms/spim/exceptions.s');
const have = existsSync(join(SPIM, 'tt.core.s'));

interface Case { file: string; handler: boolean; opts: AsmOptions; stdin?: string; pass: Record<EngineKind, boolean>; why?: string }

const CASES: Case[] = [
  { file: 'tt.core.s', handler: true, opts: {}, stdin: 'tt.in', pass: { interp: true, jit: true } },
  { file: 'tt.le.s', handler: true, opts: {}, pass: { interp: true, jit: true } },
  { file: 'tt.dir.s', handler: true, opts: {}, pass: { interp: true, jit: true } },
  { file: 'tt.fpu.bare.s', handler: false, opts: { bare: true }, pass: { interp: true, jit: true } },
  // --bare is SPIM's R2000 machine: lwc0/swc0/lwc3 and coprocessor 3 instead of MIPS32's
  // ll/sc/pref and COP1X; a jump in a taken jump's delay slot does what SPIM does
  { file: 'tt.alu.bare.s', handler: false, opts: { bare: true }, pass: { interp: true, jit: true } },
];

function run(c: Case, engine: EngineKind): string {
  const sources = [...(c.handler ? [{ path: HANDLER, text: readFileSync(HANDLER, 'latin1') }] : []), { path: c.file, text: readFileSync(join(SPIM, c.file), 'latin1') }];
  const r = assemble(sources, c.opts);
  expect(r.program, formatDiagnostics(r.diagnostics)).not.toBeNull();
  const io = new CapturedIO(c.stdin ? readFileSync(join(SPIM, c.stdin)) : '');
  const m = loadAssembled(r.program!, c.file, io, { compat: 'spim' });
  deliverExceptionsToGuestHandler(m, r.program!);
  runMachine(m, createEngine(engine, m), { maxInsns: 50_000_000 });
  return io.stdoutText();
}

describe.skipIf(!have)('SPIM regression programs', () => {
  for (const c of CASES) {
    for (const engine of ['interp', 'jit'] as EngineKind[]) {
      it(`${c.file} under ${engine}: ${c.pass[engine] ? 'Passed all tests' : `fails (${c.why})`}`, () => {
        const out = run(c, engine);
        expect(out.includes('Passed all tests'), out.slice(-300)).toBe(c.pass[engine]);
      }, 60_000);
    }
  }

  for (const engine of ['interp', 'jit'] as EngineKind[]) {
    it(`tt.io.s (--mapped-io, its own interrupt handler) echoes six piped lines, by polling and by interrupts, under ${engine}`, () => {
      const r = assemble([{ path: 'tt.io.s', text: readFileSync(join(SPIM, 'tt.io.s'), 'latin1') }], {});
      expect(r.program, formatDiagnostics(r.diagnostics)).not.toBeNull();
      const lines = ['line one', 'second line', 'the third', 'now interrupts', 'five', 'six and last'];
      const io = new CapturedIO(lines.join('\n') + '\n');
      const m = loadAssembled(r.program!, 'tt.io.s', io, { compat: 'spim' });
      deliverExceptionsToGuestHandler(m, r.program!);
      attachMappedIo(m, io);
      const result = runMachine(m, createEngine(engine, m), { maxInsns: 50_000_000 });
      expect(result.kind).toBe('exit');
      expect(io.stdoutText()).toBe('SPIM IO Test.\nOnly runs with -mapped_io flag.\nPlease type 6 input lines:\n' + lines.join('\n') + '\n');
    }, 60_000);
  }

  it('tt.core.s prints SPIM\'s exception messages for the deliberate faults', () => {
    const out = run(CASES[0], 'interp');
    expect(out).toContain('  Exception 5  [Address error in store]  occurred and ignored');
    expect(out).toContain('  Exception 9  [Breakpoint]  occurred and ignored');
    expect(out).toContain('  Exception 12  [Arithmetic overflow]  occurred and ignored');
  }, 60_000);
});
