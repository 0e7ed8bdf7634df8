// GNU-assembled MIPS ELF programs (test/fixtures/elf/*.s, both byte orders) must produce the
// same stdout, stderr and exit status as under qemu-mips / qemu-mipsel, whose outputs are
// recorded next to the binaries by test/fixtures/elf/regen.sh.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProgram } from '../src/env/program.js';
import { CapturedIO } from '../src/env/io.js';
import { runMachine } from '../src/machine/run.js';
import { createEngine, ENGINE_KINDS, type EngineKind } from '../src/machine/engines.js';
import { ExcCode } from '../src/machine/exceptions.js';
import { exitCodeFor } from '../src/cli/exit-codes.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = join(ROOT, 'test/fixtures/elf');
const CLI = join(ROOT, 'bin/asmbox.js');
const PROGRAMS = readdirSync(DIR).filter((f) => f.endsWith('.s')).map((f) => f.slice(0, -2)).sort();
const ORDERS = ['be', 'le'] as const;

/** What the guest exception behind a qemu signal death must be. */
const FAULT_OF: Record<string, ExcCode> = { fault: ExcCode.AdEL, segv: ExcCode.DBE, overflow: ExcCode.Ov };

const read = (f: string) => readFileSync(join(DIR, f));
const readText = (f: string) => (existsSync(join(DIR, f)) ? readFileSync(join(DIR, f), 'latin1') : '');

function runFixture(kind: EngineKind, name: string, order: string) {
  const file = `${name}.${order}`;
  const stdin = existsSync(join(DIR, `${name}.stdin`)) ? read(`${name}.stdin`) : new Uint8Array(0);
  const io = new CapturedIO(stdin);
  const m = loadProgram(read(file), file, io);
  const result = runMachine(m, createEngine(kind, m), { maxInsns: 50_000_000 });
  return { m, io, result };
}

describe('fixture set', () => {
  it('has the programs the regen script builds, each with both byte orders recorded', () => {
    expect(PROGRAMS.length).toBeGreaterThanOrEqual(10);
    for (const p of PROGRAMS) for (const o of ORDERS) {
      for (const ext of ['', '.out', '.exit']) expect(existsSync(join(DIR, `${p}.${o}${ext}`)), `${p}.${o}${ext}`).toBe(true);
    }
  });
  it('the endianness-sensitive program really differs between byte orders', () => {
    expect(readText('unaligned.be.out')).not.toBe(readText('unaligned.le.out'));
  });
});

describe.each(ENGINE_KINDS)('ELF programs match qemu-user (%s engine)', (kind) => {
  for (const name of PROGRAMS) {
    for (const order of ORDERS) {
      it(`${name}.${order}`, () => {
        const { m, io, result } = runFixture(kind, name, order);
        const wantExit = Number(readText(`${name}.${order}.exit`).trim());
        expect(io.stdoutText()).toBe(readText(`${name}.${order}.out`));
        expect(io.stderrText()).toBe(readText(`${name}.${order}.err`));
        expect(result.kind).toBe('exit');
        expect(exitCodeFor(result)).toBe(wantExit);
        if (wantExit >= 128) {
          // killed by a signal, like qemu: the fault behind it is reported precisely
          expect(result.message).toMatch(/signal/);
          expect(m.fault?.exception.code).toBe(FAULT_OF[name]);
        } else {
          expect(m.fault).toBeNull();
        }
      });
    }
  }
});

describe('ELF programs: loader details', () => {
  it('loads both byte orders with the entry point and symbols of the ELF', () => {
    for (const order of ORDERS) {
      const io = new CapturedIO();
      const m = loadProgram(read(`hello.${order}`), `hello.${order}`, io);
      expect(m.mem.bigEndian).toBe(order === 'be');
      expect(m.delaySlots).toBe(true);
      expect(m.symbolize(m.cpu.pc)).toBe('__start');
      expect(m.symbols.some((s) => s.name === 'print_dec')).toBe(true);
    }
  });
  it('the misaligned ll fault names the instruction, its symbol and BadVAddr', async () => {
    const { m } = runFixture('interp', 'fault', 'be');
    const { describeFault } = await import('../src/machine/report.js');
    const text = describeFault(m);
    expect(text).toMatch(/address error on load/);
    expect(text).toMatch(/<__start\+0x[0-9a-f]+>/);
    expect(text).toMatch(/\bll\b/);
    expect(text).toMatch(/BadVAddr 0x[0-9a-f]{8}/);
  });
});

describe('CLI smoke test (needs `npm run build`)', () => {
  const built = existsSync(join(ROOT, 'dist/cli/main.js'));
  it.skipIf(!built)('asmbox run prints what qemu printed and passes the exit status through', () => {
    for (const order of ORDERS) {
      for (const engine of ENGINE_KINDS) {
        const r = spawnSync(process.execPath, [CLI, 'run', '--engine', engine, join(DIR, `exit42.${order}`)], { encoding: 'latin1' });
        expect(r.stdout).toBe(readText(`exit42.${order}.out`));
        expect(r.stderr).toBe(readText(`exit42.${order}.err`));
        expect(r.status).toBe(42);
      }
      const up = spawnSync(process.execPath, [CLI, 'run', join(DIR, `upper.${order}`)], { input: read('upper.stdin'), encoding: 'latin1' });
      expect(up.stdout).toBe(readText(`upper.${order}.out`));
      expect(up.status).toBe(0);
      const st = spawnSync(process.execPath, [CLI, 'run', '--stdin', join(DIR, 'upper.stdin'), join(DIR, `upper.${order}`)], { encoding: 'latin1' });
      expect(st.stdout).toBe(readText(`upper.${order}.out`));
    }
  });
  it.skipIf(!built)('a guest killed by a fault exits like a killed process and says why', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', join(DIR, 'segv.be')], { encoding: 'latin1' });
    expect(r.status).toBe(139);
    expect(r.stdout).toBe(readText('segv.be.out'));
    expect(r.stderr).toMatch(/SIGSEGV|segmentation/i);
    expect(r.stderr).toMatch(/bus error on data access|DBE/);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/); // no stack trace
  });
});
