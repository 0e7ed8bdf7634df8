// System mode: exceptions (EPC/Cause/BadVAddr, identical under both engines) and the ROMs.
import { describe, expect, it } from 'vitest';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CapturedIO } from '../src/env/io.js';
import { createEngine, type EngineKind } from '../src/machine/engines.js';
import { runMachine } from '../src/machine/run.js';
import { bootMachine } from '../src/machine/system.js';
import { romSegments } from '../src/cli/boot.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function boot(file: string, engine: EngineKind, maxInsns = 50_000_000) {
  const rom = romSegments(resolve(ROOT, file));
  expect(rom.exitCode).toBe(0);
  const io = new CapturedIO('');
  const { m, board } = bootMachine({ rom: new Uint8Array(0), segments: rom.segments, io });
  const result = runMachine(m, createEngine(engine, m), { maxInsns });
  board.close();
  return { m, result, out: io.stdoutText() };
}

const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

describe('exceptions in system mode', () => {
  const logs: Record<string, string[]> = {};
  for (const engine of ['interp', 'jit'] as EngineKind[]) {
    it(`every exception type under ${engine}`, () => {
      const { m, result } = boot('test/fixtures/system/exceptions.s', engine);
      expect(result.kind).toBe('halt');
      const n = result.exitCode / 3; // the ROM halts with the log size in words
      const log: string[] = [];
      for (let i = 0; i < n; i++) {
        const a = 0x80002000 + 12 * i;
        log.push(`EPC ${hex(m.mem.read32(a))} Cause ${hex(m.mem.read32(a + 4))} BadVAddr ${hex(m.mem.read32(a + 8))}`);
      }
      logs[engine] = log;
      const codes = log.map((l) => (parseInt(l.split(' ')[3], 16) >>> 2) & 31);
      // AdEL AdES Ov Bp Tr Sys RI BD-AdEL | user: CpU AdEL Sys  (rdhwr $5,$1 is no fault)
      expect(codes).toEqual([4, 5, 12, 9, 13, 8, 10, 4, 11, 4, 8]);
      expect(log[0]).toMatch(/BadVAddr 0x80003001$/);
      expect(log[1]).toMatch(/BadVAddr 0x80003001$/);
      const bd = log.find((l) => l.includes('BadVAddr 0x80003002'))!;
      expect(parseInt(bd.split(' ')[3], 16) >>> 31).toBe(1); // Cause.BD
      const cpu = log[log.length - 3];
      expect(cpu).toMatch(/^EPC 0x00400000/);
      expect(log[log.length - 2]).toMatch(/^EPC 0x00400008 .* BadVAddr 0x80000000$/);
    });
  }
  it('both engines log the same EPC/Cause/BadVAddr', () => {
    expect(logs.jit).toEqual(logs.interp);
  });
});

describe('ROMs', () => {
  const kernelRuns: Record<string, { out: string; insns: number; taken: number[] }> = {};
  for (const engine of ['interp', 'jit'] as EngineKind[]) {
    it(`hello under ${engine}`, () => {
      const { result, out } = boot('roms/hello.s', engine);
      expect(result.kind).toBe('halt');
      expect(out).toBe('Hello from the asmbox ROM!\n');
    });
    it(`kernel demo under ${engine}: three preempted user tasks finish`, () => {
      const { m, result, out } = boot('roms/kernel.s', engine);
      expect(result.kind).toBe('halt');
      expect(out.startsWith('asmbox kernel: three user tasks')).toBe(true);
      expect(out.endsWith('asmbox kernel: all tasks done, power off\n')).toBe(true);
      const count = (c: string) => [...out].filter((x) => x === c).length;
      expect([count('A'), count('B'), count('C')]).toEqual([40, 56, 72]);
      expect(m.sys!.taken[0]).toBeGreaterThan(20); // timer interrupts
      expect(m.sys!.taken[8]).toBe(40 + 56 + 72 + 5 + 7 + 9 + 3); // syscalls
      kernelRuns[engine] = { out, insns: result.insns, taken: [...m.sys!.taken] };
    });
  }
  it('kernel demo: both engines interleave the tasks identically (exact device clock in translated code)', () => {
    expect(kernelRuns.jit).toEqual(kernelRuns.interp);
  });
});
