// Device layer: the standard board as the CPU sees it. Address map through Memory, interrupt line
// assignment, the attention hook, the nextEventIn() budget contract and determinism, and real MIPS
// code on the interpreter reproducing SPIM's measured console timing.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SystemBoard, BOARD_MAP, BOARD_IRQ, SPIM_CONSOLE_ADDR, bytesInput, kseg1, MemoryBacking,
  CONSOLE_REGS, DISK_REGS, DISK_CMD, DISK_STATUS, TIMER_REGS, TIMER_CTRL, type DmaMemory, type SystemBoardOptions,
} from '../src/devices/index.js';
import { Memory } from '../src/machine/memory.js';
import { ExcCode, GuestException, StopRun } from '../src/machine/exceptions.js';
import { Machine } from '../src/machine/machine.js';
import { createEngine } from '../src/machine/engines.js';
import { CapturedIO } from '../src/env/io.js';

const K1 = {
  console: kseg1(BOARD_MAP.CONSOLE),
  timer: kseg1(BOARD_MAP.TIMER),
  disk: kseg1(BOARD_MAP.DISK),
  power: kseg1(BOARD_MAP.POWER),
};

function quietBoard(opts: SystemBoardOptions = {}) {
  const out: number[] = [];
  const messages: string[] = [];
  const board = new SystemBoard({
    console: { input: bytesInput(''), output: { write: (_fd, d) => out.push(...d) } },
    onMessage: (l, t) => messages.push(`${l}: ${t}`),
    ...opts,
  });
  return { board, out, messages, text: () => Buffer.from(out).toString('latin1') };
}

const catchIt = (f: () => unknown): unknown => {
  try { f(); } catch (e) { return e; }
  return undefined;
};

describe('system board map', () => {
  it('puts the devices at the documented physical addresses, reached through kseg1 and 0xffff0000', () => {
    expect(BOARD_MAP).toEqual({ CONSOLE: 0x1f000000, TIMER: 0x1f000100, DISK: 0x1f000200, POWER: 0x1f000300 });
    expect(BOARD_IRQ).toEqual({ CONSOLE_TX: 2, CONSOLE_RX: 3, DISK: 4, TIMER: 5 });
    const { board, text } = quietBoard();
    const mem = new Memory(true);
    const views = board.install(mem);
    expect(views.map((v) => [v.name, v.virt >>> 0])).toEqual([
      ['console', 0xbf000000], ['timer', 0xbf000100], ['disk', 0xbf000200], ['power', 0xbf000300], ['console', 0xffff0000],
    ]);
    board.sync();
    expect(mem.read32(SPIM_CONSOLE_ADDR + CONSOLE_REGS.TCR)).toBe(1);
    mem.write32(K1.console + CONSOLE_REGS.TDR, 0x4f);
    expect(mem.read32(SPIM_CONSOLE_ADDR + CONSOLE_REGS.TCR)).toBe(0); // the same device
    mem.write8(SPIM_CONSOLE_ADDR + CONSOLE_REGS.TDR, 0x4b); // ignored: busy
    expect(text()).toBe('O');
    expect(mem.read32(K1.disk + DISK_REGS.STATUS)).toBe(0); // no media
    mem.write32(K1.timer + TIMER_REGS.PERIOD, 1234);
    expect(mem.read32(K1.timer + TIMER_REGS.PERIOD)).toBe(1234);
    // gaps and wrong sizes are data bus errors
    const e = catchIt(() => mem.read32(K1.timer + 0x80)) as GuestException;
    expect(e).toBeInstanceOf(GuestException);
    expect(e.code).toBe(ExcCode.DBE);
    expect(e.badVAddr).toBe(K1.timer + 0x80);
    expect((catchIt(() => mem.read16(K1.disk)) as GuestException).code).toBe(ExcCode.DBE);
    expect((catchIt(() => mem.read8(SPIM_CONSOLE_ADDR + 1)) as GuestException).code).toBe(ExcCode.DBE);
    board.close();
  });

  it('assigns the interrupt lines: console TX IP2, RX IP3, disk IP4, timer IP5', () => {
    const { board } = quietBoard({ console: { input: bytesInput('x'), output: { write() {} } }, disk: { backing: new MemoryBacking(new Uint8Array(512)) } });
    expect(board.intc.sources().map((s) => [s.source, s.ip])).toEqual([
      ['console transmitter', 2], ['console receiver', 3], ['interval timer', 5], ['disk', 4],
    ]);
    const mem = new Memory(false);
    mem.map(0x1000, 0x1000, 'ram');
    board.install(mem);
    board.sync();
    mem.write32(K1.console + CONSOLE_REGS.TCR, 2);
    expect(board.pending()).toBe(0x400);
    mem.write32(K1.console + CONSOLE_REGS.RCR, 2);
    expect(board.pending()).toBe(0xc00);
    mem.write32(K1.disk + DISK_REGS.CONTROL, 1);
    mem.write32(K1.disk + DISK_REGS.COMMAND, DISK_CMD.IDENTIFY);
    mem.write32(K1.timer + TIMER_REGS.PERIOD, 10);
    mem.write32(K1.timer + TIMER_REGS.CONTROL, TIMER_CTRL.ENABLE | TIMER_CTRL.IE);
    board.tick(board.nextEventIn()); // the timer, at 10 instructions
    expect(board.now()).toBe(10);
    expect(board.pending()).toBe(0x2c00);
    board.tick(board.nextEventIn()); // the disk, at 1000
    expect(board.now()).toBe(1000);
    expect(board.pending()).toBe(0x3c00);
    mem.read32(K1.console + CONSOLE_REGS.RDR);
    mem.write32(K1.console + CONSOLE_REGS.TCR, 0);
    mem.write32(K1.disk + DISK_REGS.ACK, 0);
    mem.write32(K1.timer + TIMER_REGS.ACK, 0);
    expect(board.pending()).toBe(0);
  });

  it('can leave devices out and move lines', () => {
    const b = new SystemBoard({ console: false, disk: false, power: false, irq: { TIMER: 7 } });
    expect(b.console).toBeUndefined();
    expect(b.bus.mappings().map((m) => m.window.name)).toEqual(['timer']);
    expect(b.intc.sources()).toEqual([{ source: 'interval timer', ip: 7, level: false }]);
    const mem = new Memory(true);
    expect(b.install(mem, { kseg0: true }).map((v) => v.virt >>> 0)).toEqual([0xbf000100, 0x9f000100]);
  });

  it('refuses tick() when driven by an external clock', () => {
    let insns = 0;
    const b = new SystemBoard({ clock: () => insns, console: false });
    expect(() => b.tick(1)).toThrow(/sync\(\)/);
    insns = 42;
    expect(b.now()).toBe(42);
  });
});

describe('attention hook', () => {
  it('fires inside register accesses that change the lines or bring the next event forward', () => {
    const { board } = quietBoard({ disk: { backing: new MemoryBacking(new Uint8Array(4096)) } });
    const mem = new Memory(true);
    board.install(mem);
    let calls = 0;
    board.setAttentionHandler(() => calls++);
    board.sync();
    expect(board.nextEventIn()).toBe(Infinity); // the run loop's view: nothing scheduled
    mem.read32(K1.console + CONSOLE_REGS.TCR);
    mem.write32(K1.timer + TIMER_REGS.PERIOD, 50);
    expect(calls).toBe(0);
    mem.write32(K1.console + CONSOLE_REGS.TCR, 2); // ready transmitter: IP2 now
    expect(calls).toBe(1);
    mem.write32(K1.timer + TIMER_REGS.CONTROL, TIMER_CTRL.ENABLE); // an event at 50
    expect(calls).toBe(2);
    board.nextEventIn(); // the run loop re-read the budget
    mem.write32(K1.disk + DISK_REGS.COMMAND, DISK_CMD.IDENTIFY); // completes at 1000: later, no news
    expect(calls).toBe(2);
    mem.write32(K1.console + CONSOLE_REGS.TDR, 0x21); // lowers IP2
    expect(calls).toBe(3);
    board.setAttentionHandler(null);
    mem.write32(K1.console + CONSOLE_REGS.TCR, 0);
    expect(calls).toBe(3);
  });
});

describe('power', () => {
  it('a store to HALT ends the run after flushing persisted disk writes', () => {
    let flushes = 0;
    const backing = new MemoryBacking(new Uint8Array(512));
    backing.flush = () => { flushes++; };
    const { board } = quietBoard({ disk: { backing, persist: true } });
    const mem = new Memory(true);
    board.install(mem);
    const stop = catchIt(() => mem.write32(K1.power, 7)) as StopRun;
    expect(stop).toBeInstanceOf(StopRun);
    expect(stop.kind).toBe('halt');
    expect(stop.exitCode).toBe(7);
    expect(flushes).toBe(1);
    board.flushAll();
    expect(flushes).toBe(2);
  });
});

describe('disk through the board', () => {
  it('DMAs into the installed Memory and persists with --disk-write semantics', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asmbox-board-'));
    try {
      const img = join(dir, 'd.img');
      writeFileSync(img, Buffer.alloc(2048, 0x33));
      const { board, messages } = quietBoard({ disk: { path: img, persist: true } });
      const mem = new Memory(true);
      mem.map(0x00100000, 0x10000, 'ram');
      board.install(mem);
      const reg = (r: number) => K1.disk + r;
      const command = (cmd: number, sector: number, buf: number) => {
        const t0 = board.now();
        mem.write32(reg(DISK_REGS.SECTOR), sector);
        mem.write32(reg(DISK_REGS.COUNT), 1);
        mem.write32(reg(DISK_REGS.BUFFER), buf);
        mem.write32(reg(DISK_REGS.COMMAND), cmd);
        // the run loop: run to the next event, let devices catch up, look again
        while (mem.read32(reg(DISK_REGS.STATUS)) & DISK_STATUS.BUSY) board.tick(board.nextEventIn());
        expect(board.now()).toBe(t0 + 1100); // base latency + one sector
        board.tick(1000);
        return mem.read32(reg(DISK_REGS.STATUS));
      };
      expect(command(DISK_CMD.READ, 3, 0x00100000) & DISK_STATUS.DONE).toBe(DISK_STATUS.DONE);
      expect(mem.read32(0x00100000)).toBe(0x33333333);
      mem.write32(0x00100200, 0x01020304);
      expect(command(DISK_CMD.WRITE, 1, 0x00100200) & DISK_STATUS.DONE).toBe(DISK_STATUS.DONE);
      expect(Array.from(readFileSync(img).subarray(512, 516))).toEqual([1, 2, 3, 4]); // big-endian word, byte order kept
      board.close();
      board.close();
      expect(messages).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- determinism: the budget contract ----

/** A simple DMA target: a flat array standing for 64 KiB of RAM at physical 0. */
function flatDma(): DmaMemory & { ram: Uint8Array } {
  const ram = new Uint8Array(0x10000);
  const ok = (p: number, n: number) => p + n <= ram.length;
  return {
    ram,
    check: ok,
    read: (p, n) => (ok(p, n) ? ram.slice(p, p + n) : null),
    write: (p, d) => (ok(p, d.length) ? (ram.set(d, p), true) : false),
  };
}

/**
 * A guest simulated in JS: interrupt-driven echo through the console, a periodic timer and a chain
 * of disk reads, with each interrupt service costing HANDLER instructions. `step` decides how far
 * the "CPU" runs between looks at pending(): 1 instruction, or the board's budget (capped).
 */
function simulate(step: (board: SystemBoard) => number, end = 200_000) {
  const HANDLER = 37;
  const out: number[] = [];
  const image = new Uint8Array(64 * 512).map((_, i) => (i >> 9) + 1);
  const dma = flatDma();
  const board = new SystemBoard({
    console: { input: bytesInput('deterministic\n'), output: { write: (_fd, d) => out.push(...d) } },
    disk: { backing: new MemoryBacking(image) },
    dma,
    onMessage: () => {},
  });
  const mem = new Memory(true);
  board.install(mem);
  const w = (a: number, v: number) => mem.write32(a, v);
  const r = (a: number) => mem.read32(a) >>> 0;
  const trace: string[] = [];
  const queue: number[] = [];
  let ticks = 0, reads = 0;
  const readSector = (n: number) => {
    w(K1.disk + DISK_REGS.SECTOR, n);
    w(K1.disk + DISK_REGS.COUNT, 1);
    w(K1.disk + DISK_REGS.BUFFER, n * 512);
    w(K1.disk + DISK_REGS.COMMAND, DISK_CMD.READ);
  };
  // boot
  w(K1.console + CONSOLE_REGS.RCR, 2);
  w(K1.disk + DISK_REGS.CONTROL, 1);
  w(K1.timer + TIMER_REGS.PERIOD, 3001);
  w(K1.timer + TIMER_REGS.CONTROL, TIMER_CTRL.ENABLE | TIMER_CTRL.PERIODIC | TIMER_CTRL.IE);
  readSector(0);
  while (board.now() < end) {
    board.sync();
    const p = board.pending();
    if (p) {
      trace.push(`${board.now()}:${p.toString(16)}`);
      if (p & 0x800) {
        queue.push(r(K1.console + CONSOLE_REGS.RDR));
        w(K1.console + CONSOLE_REGS.TCR, 2);
      }
      if (p & 0x400) {
        if (queue.length) w(K1.console + CONSOLE_REGS.TDR, queue.shift()!);
        else w(K1.console + CONSOLE_REGS.TCR, 0);
      }
      if (p & 0x1000) {
        w(K1.disk + DISK_REGS.ACK, 0);
        if (++reads < 20) readSector(reads);
      }
      if (p & 0x2000) {
        w(K1.timer + TIMER_REGS.ACK, 0);
        if (++ticks === 30) w(K1.timer + TIMER_REGS.CONTROL, 0);
      }
      board.tick(HANDLER);
      continue;
    }
    board.tick(Math.max(1, Math.min(step(board), end - board.now())));
  }
  return { trace, out: Buffer.from(out).toString('latin1'), ram: Buffer.from(dma.ram.subarray(0, 20 * 512)).toString('hex') };
}

describe('virtual time determinism', () => {
  it('running to nextEventIn() gives exactly what instruction-by-instruction stepping gives', () => {
    const reference = simulate(() => 1);
    expect(reference.out).toBe('deterministic\n');
    expect(reference.trace.length).toBeGreaterThan(60);
    expect(reference.ram.slice(0, 4)).toBe('0101');
    const budgeted = simulate((b) => b.nextEventIn());
    expect(budgeted).toEqual(reference);
    const chunked = simulate((b) => Math.min(b.nextEventIn(), 777));
    expect(chunked).toEqual(reference);
    expect(simulate((b) => b.nextEventIn())).toEqual(reference); // and again
  });
});

// ---- real MIPS code on the interpreter, one instruction per step (an exact clock) ----

const I = (op: number, rs: number, rt: number, imm: number) => ((op << 26) | (rs << 21) | (rt << 16) | (imm & 0xffff)) >>> 0;
const lui = (rt: number, imm: number) => I(0x0f, 0, rt, imm);
const ori = (rt: number, rs: number, imm: number) => I(0x0d, rs, rt, imm);
const andi = (rt: number, rs: number, imm: number) => I(0x0c, rs, rt, imm);
const addi = (rt: number, rs: number, imm: number) => I(0x08, rs, rt, imm);
const lw = (rt: number, off: number, base: number) => I(0x23, base, rt, off);
const sw = (rt: number, off: number, base: number) => I(0x2b, base, rt, off);
const beq = (rs: number, rt: number, words: number) => I(0x04, rs, rt, words);
const NOP = 0;

/** Runs `code` at 0x00400000 without delay slots (SPIM's default), stepping the board each instruction. */
function runOnInterpreter(code: number[], input: string) {
  const m = new Machine({ bigEndian: false, delaySlots: false });
  m.mem.map(0x00400000, code.length * 4, 'text');
  code.forEach((wd, i) => m.mem.write32(0x00400000 + 4 * i, wd | 0));
  m.io = new CapturedIO();
  m.env = { name: 'none', syscall() { throw new Error('no syscalls here'); } };
  const out: number[] = [];
  const board = new SystemBoard({
    clock: () => m.insnCount,
    console: { input: bytesInput(input), output: { write: (_fd, d) => out.push(...d) } },
    disk: false,
  });
  board.install(m.mem);
  const engine = createEngine('interp', m);
  m.cpu.jumpTo(0x00400000);
  let stop: StopRun | undefined;
  while (!stop && !m.fault && m.insnCount < 1_000_000) {
    board.sync();
    try {
      engine(m, 1);
    } catch (e) {
      if (e instanceof StopRun) stop = e;
      else if (!(e instanceof GuestException)) throw e;
    }
  }
  return { m, stop, out: Buffer.from(out).toString('latin1') };
}

describe("SPIM's console timing on real code", () => {
  // The same instruction sequences run under `spim -mapped_io` (SPIM 8.0; exceptions.s's __start
  // executes 6 instructions before main) print 2522 and 22.
  const T0 = 8, T2 = 10, T3 = 11, T4 = 12, T5 = 13, T6 = 14, S1 = 17;
  const start = [NOP, NOP, NOP, NOP, NOP, NOP];
  const halt = [lui(T5, 0xbf00), ori(T5, T5, 0x0300), sw(S1, 0, T5)];

  it('transmitter: ready again 10,000-odd instructions after a write (2522 polls of 4 instructions)', () => {
    const { m, stop, out } = runOnInterpreter([
      ...start,
      lui(T2, 0xffff), ori(T2, T2, 8), lui(T3, 0xffff), ori(T3, T3, 0xc), ori(S1, 0, 0), NOP, NOP, NOP,
      ori(T6, 0, 65), sw(T6, 0, T3),
      addi(S1, S1, 1), lw(T4, 0, T2), andi(T4, T4, 1), beq(T4, 0, -4),
      ...halt,
    ], '');
    expect(out).toBe('A');
    expect(m.cpu.r[S1]).toBe(2522);
    expect(stop?.kind).toBe('halt');
    expect(stop?.exitCode).toBe(2522 & 0xff);
  });

  it('receiver: the next character is ready at the check after the data register is read (22 polls)', () => {
    const { m, stop } = runOnInterpreter([
      ...start,
      lui(T0, 0xffff), ori(T0, T0, 0), lui(9, 0xffff), ori(9, 9, 4), ori(S1, 0, 0),
      addi(S1, S1, 1), lw(T4, 0, T0), andi(T4, T4, 1), beq(T4, 0, -4),
      lw(T6, 0, 9), ori(S1, 0, 0),
      addi(S1, S1, 1), lw(T4, 0, T0), andi(T4, T4, 1), beq(T4, 0, -4),
      ...halt,
    ], 'ab');
    expect(m.cpu.r[T6]).toBe(0x61);
    expect(m.cpu.r[S1]).toBe(22);
    expect(stop?.kind).toBe('halt');
  });

  it('a bad register access is a data bus error at the faulting instruction', () => {
    const { m, stop } = runOnInterpreter([lui(T0, 0xffff), lw(T4, 0x10, T0)], '');
    expect(stop).toBeUndefined();
    expect(m.fault?.exception.code).toBe(ExcCode.DBE);
    expect(m.fault?.exception.badVAddr).toBe(0xffff0010);
    expect(m.fault?.pc).toBe(0x00400004);
  });
});
