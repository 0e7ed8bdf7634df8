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

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const primesBelow = (n: number) => range(2, n - 1).filter((k) => range(2, Math.floor(Math.sqrt(k))).every((d) => k % d !== 0)).length;
const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
/** [start, steps] of the longest Collatz chain starting below n (the first, on ties). */
function longestCollatz(n: number): [number, number] {
  let best: [number, number] = [1, 0];
  for (let s = 1; s < n; s++) {
    let x = s, k = 0;
    while (x !== 1) { x = x % 2 ? 3 * x + 1 : x / 2; k++; }
    if (k > best[1]) best = [s, k];
  }
  return best;
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

describe('wait', () => {
  for (const engine of ['interp', 'jit'] as EngineKind[]) {
    it(`an interrupt ends a wait with EPC at the next instruction, under ${engine}`, () => {
      const { m, result } = boot('test/fixtures/system/wait.s', engine);
      expect(result.kind).toBe('halt');
      expect(result.exitCode).toBe(0x11); // one pass after the wait, one interrupt
      const waitAt = findWord(m, 0x42000020);
      expect(hex(m.mem.read32(0x80000100))).toBe(hex(waitAt + 4));
    });
    it(`idling in wait stops exactly at --max-insns, under ${engine}`, () => {
      const rom = romSegments(resolve(ROOT, 'test/fixtures/system/wait.s'));
      const period = rom.segments.find((s) => s.addr === 0xbfc08000)!;
      new DataView(period.bytes.buffer, period.bytes.byteOffset).setUint32(0, 10_000_000, true); // little-endian ROM
      const { m, board } = bootMachine({ rom: new Uint8Array(0), segments: rom.segments, io: new CapturedIO('') });
      const result = runMachine(m, createEngine(engine, m), { maxInsns: 3_000_000 });
      board.close();
      expect(result.kind).toBe('insn-limit');
      expect(result.insns).toBe(3_000_000);
    });
  }
});

/** Address of the first ROM word equal to w. */
function findWord(m: ReturnType<typeof bootMachine>['m'], w: number): number {
  for (let a = 0xbfc00000; a < 0xbfc00400; a += 4) if (m.mem.read32(a) === (w | 0)) return a;
  throw new Error(`word ${hex(w)} not in the ROM`);
}

describe('ROMs', () => {
  const kernelRuns: Record<string, { out: string; insns: number; taken: number[] }> = {};
  for (const engine of ['interp', 'jit'] as EngineKind[]) {
    it(`hello under ${engine}`, () => {
      const { result, out } = boot('roms/hello.s', engine);
      expect(result.kind).toBe('halt');
      expect(out).toBe('Hello from the asmbox ROM!\n');
    });
    it(`kernel demo under ${engine}: three preempted user tasks compute and print their results`, () => {
      const { m, result, out } = boot('roms/kernel.s', engine);
      expect(result.kind).toBe('halt');
      expect(result.exitCode).toBe(0);
      const lines = out.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^asmbox kernel: 3 user tasks/);
      const interrupts = m.sys!.taken[0];
      expect(lines[lines.length - 1]).toBe(`asmbox kernel: all tasks done after ${interrupts} timer interrupts, power off`);
      const body = lines.slice(1, -1).map((l) => /^\[([ABC])\] (.*)  \(tick (\d+)\)$/.exec(l)!);
      expect(body.every(Boolean)).toBe(true);
      const of = (task: string) => body.filter((b) => b[1] === task).map((b) => b[2]);
      expect(of('A')).toEqual(range(1, 10).map((k) => `primes below ${2000 * k}: ${primesBelow(2000 * k)}`));
      expect(of('B')).toEqual(range(16, 24).map((n) => `fib(${n}) = ${fib(n)}`));
      expect(of('C')).toEqual(range(1, 10).map((k) => { const [s, n] = longestCollatz(1000 * k); return `longest Collatz chain below ${1000 * k}: ${s} (${n} steps)`; }));
      // preemption: the tasks' lines interleave, and the tick stamps never go backwards
      expect(body.map((b) => b[1]).join('')).not.toMatch(/^A+B+C+$/);
      const ticks = body.map((b) => Number(b[3]));
      expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
      expect(interrupts).toBeGreaterThan(1000);
      expect(m.sys!.taken[8]).toBe(10 * 2 + 9 * 2 + 10 * 2 + 3); // a tick query and a print per line, exits
      kernelRuns[engine] = { out, insns: result.insns, taken: [...m.sys!.taken] };
    });
  }
  it('kernel demo: both engines interleave the tasks identically (exact device clock in translated code)', () => {
    expect(kernelRuns.jit).toEqual(kernelRuns.interp);
  });
});
