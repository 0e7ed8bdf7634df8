// Device layer: the SPIM memory-mapped console, checked against SPIM 9.1's timing and semantics.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConsoleDevice, CONSOLE_REGS as R, QueuedInput, HostInput, bytesInput, guestIOInput, NO_INPUT, END_OF_INPUT,
  type ConsoleInput, type ConsoleTiming,
} from '../src/devices/console.js';
import { InterruptController } from '../src/devices/intc.js';
import { ManualClock } from '../src/devices/time.js';
import { CapturedIO } from '../src/env/io.js';

function rig(input: ConsoleInput = bytesInput(''), timing?: Partial<ConsoleTiming>) {
  const clock = new ManualClock();
  const intc = new InterruptController();
  const out: number[] = [];
  const dev = new ConsoleDevice({
    clock: clock.now,
    input,
    output: { write: (_fd, d) => out.push(...d) },
    txLine: intc.connect('tx', 2),
    rxLine: intc.connect('rx', 3),
    timing,
  });
  /** Moves to absolute time t (devices catch up as the run loop's sync() would). */
  const at = (t: number) => {
    clock.t = t;
    dev.advanceTo(t);
  };
  const rd = (off: number) => dev.read(off, 4);
  const wr = (off: number, v: number) => dev.write(off, 4, v);
  const text = () => Buffer.from(out).toString('latin1');
  return { clock, intc, dev, at, rd, wr, out, text };
}

describe('console receiver', () => {
  it('takes the first character at the check before instruction 0; reading the data clears ready', () => {
    const c = rig(bytesInput('ab'));
    c.at(0);
    expect(c.rd(R.RCR)).toBe(1);
    c.at(5);
    expect(c.rd(R.RDR)).toBe(0x61);
    expect(c.rd(R.RCR)).toBe(0);
    // the next character arrives at the next check (every 100 instructions)
    c.at(99);
    expect(c.rd(R.RCR)).toBe(0);
    c.at(100);
    expect(c.rd(R.RCR)).toBe(1);
    expect(c.rd(R.RDR)).toBe(0x62);
    c.at(1_000_000);
    expect(c.rd(R.RCR)).toBe(0); // end of input: nothing more
    expect(c.dev.nextEventAt()).toBe(Infinity);
  });

  it('holds an unread character for RECV_INTERVAL checks, then the next one replaces it', () => {
    const c = rig(bytesInput('abc'));
    c.at(0);
    expect(c.dev.nextEventAt()).toBe(10_100); // 100 checks of hold, the next check delivers
    c.at(10_099);
    expect(c.rd(R.RCR)).toBe(1);
    c.at(10_100);
    expect(c.rd(R.RDR)).toBe(0x62); // 'a' was lost, as in SPIM
    c.at(10_150);
    expect(c.rd(R.RCR)).toBe(0);
    c.at(10_200);
    expect(c.rd(R.RDR)).toBe(0x63);
  });

  it('re-reading the data register returns the same character without ready', () => {
    const c = rig(bytesInput('z'));
    c.at(3);
    expect(c.rd(R.RDR)).toBe(0x7a);
    expect(c.rd(R.RDR)).toBe(0x7a);
    expect(c.rd(R.RCR)).toBe(0);
  });

  it('catches up over long gaps in one step, consuming the same characters as per-instruction stepping', () => {
    const stepwise = rig(bytesInput('0123456789'));
    const jump = rig(bytesInput('0123456789'));
    for (let t = 0; t <= 50_000; t++) stepwise.at(t);
    jump.at(50_000);
    expect(stepwise.rd(R.RDR)).toBe(jump.rd(R.RDR));
    expect(jump.rd(R.RDR)).toBe(0x34); // '4': delivered at 0, 10100, 20200, 30300, 40400
  });

  it('raises IP3 when a character arrives with interrupts enabled and lowers it when read', () => {
    const c = rig(bytesInput('xy'));
    c.at(0); // 'x' arrives before interrupts are enabled
    expect(c.intc.pending()).toBe(0);
    c.wr(R.RCR, 2); // enabling while ready raises at once (SPIM does)
    expect(c.rd(R.RCR)).toBe(3);
    expect(c.intc.pending()).toBe(0x800);
    c.rd(R.RDR);
    expect(c.intc.pending()).toBe(0);
    c.at(100);
    expect(c.intc.pending()).toBe(0x800); // 'y' arrived
    c.wr(R.RCR, 0);
    expect(c.intc.pending()).toBe(0);
    expect(c.rd(R.RCR)).toBe(1); // still ready, just no interrupt
  });

  it('ignores writes to the ready bit and to the data register', () => {
    const c = rig(bytesInput(''));
    c.at(0);
    c.wr(R.RCR, 1);
    expect(c.rd(R.RCR)).toBe(0);
    expect(c.wr(R.RDR, 0x41)).toBe(true);
    expect(c.rd(R.RDR)).toBe(0);
  });

  it('polls a live input every livePollInsns while it has nothing', () => {
    const q = new QueuedInput();
    const c = rig(q);
    c.at(0);
    expect(c.dev.nextEventAt()).toBe(10_000);
    q.push('k');
    c.at(9_999);
    expect(c.rd(R.RCR)).toBe(0);
    c.at(10_000);
    expect(c.rd(R.RCR)).toBe(1);
    c.at(10_050);
    expect(c.rd(R.RDR)).toBe(0x6b);
    expect(c.dev.nextEventAt()).toBe(10_100); // after a read SPIM looks again at the next check
    q.end();
    c.at(10_100);
    expect(c.dev.nextEventAt()).toBe(Infinity);
  });

  it('shares the GuestIO input buffer with the syscalls', () => {
    const io = new CapturedIO('hi\nrest\n');
    expect(io.readLine()).toBe('hi\n');
    const c = rig(guestIOInput(io));
    c.at(0);
    expect(c.rd(R.RDR)).toBe(0x72); // 'r'
  });
});

describe('console transmitter', () => {
  it('prints immediately and is busy until the check TRANS_LATENCY checks later', () => {
    const c = rig();
    c.at(0);
    expect(c.rd(R.TCR)).toBe(1);
    c.wr(R.TDR, 0x48);
    expect(c.text()).toBe('H');
    expect(c.rd(R.TCR)).toBe(0);
    expect(c.dev.nextEventAt()).toBe(10_100);
    c.at(10_099);
    expect(c.rd(R.TCR)).toBe(0);
    c.at(10_100);
    expect(c.rd(R.TCR)).toBe(1);
    c.at(10_150);
    c.wr(R.TDR, 0x69);
    expect(c.dev.nextEventAt()).toBe((Math.floor(10_150 / 100) + 101) * 100);
    expect(c.text()).toBe('Hi');
  });

  it('ignores a write while busy and keeps the last character in the data register', () => {
    const c = rig();
    c.at(0);
    c.wr(R.TDR, 0x141); // only the low byte counts
    c.at(50);
    c.wr(R.TDR, 0x42);
    expect(c.text()).toBe('A');
    expect(c.rd(R.TDR)).toBe(0x41);
  });

  it('raises IP2 while ready with interrupts enabled; a write or disabling lowers it', () => {
    const c = rig();
    c.at(0);
    c.wr(R.TCR, 2);
    expect(c.intc.pending()).toBe(0x400);
    expect(c.rd(R.TCR)).toBe(3);
    c.wr(R.TDR, 0x2e);
    expect(c.intc.pending()).toBe(0);
    expect(c.rd(R.TCR)).toBe(2);
    c.at(10_100);
    expect(c.intc.pending()).toBe(0x400);
    c.wr(R.TCR, 0);
    expect(c.intc.pending()).toBe(0);
    c.wr(R.TCR, 3); // bit 0 is read-only
    expect(c.rd(R.TCR)).toBe(3);
  });

  it('follows custom timing', () => {
    const c = rig(bytesInput('ab'), { checkInterval: 1, txLatencyChecks: 0, rxHoldChecks: 0 });
    c.at(10);
    c.wr(R.TDR, 0x31);
    expect(c.rd(R.TCR)).toBe(0);
    c.at(11);
    expect(c.rd(R.TCR)).toBe(1);
    expect(c.rd(R.RDR)).toBe(0x62); // with no hold, 'b' replaced 'a' at the check after it arrived
    expect(() => rig(bytesInput(''), { checkInterval: 0 })).toThrow(/checkInterval/);
  });
});

describe('console registers', () => {
  it('accepts byte, half and word accesses at register addresses only (SPIM decodes exact addresses)', () => {
    const c = rig(bytesInput('Q'));
    c.at(0);
    expect(c.dev.read(R.RCR, 1)).toBe(1);
    expect(c.dev.read(R.RCR, 2)).toBe(1);
    expect(c.dev.read(1, 1)).toBeUndefined();
    expect(c.dev.read(2, 2)).toBeUndefined();
    expect(c.dev.write(0xd, 1, 0x41)).toBe(false);
    expect(c.dev.read(R.RDR, 1)).toBe(0x51);
    expect(c.dev.write(R.TDR, 1, 0x5a)).toBe(true);
    expect(c.text()).toBe('Z');
  });
});

describe('console inputs', () => {
  it('bytesInput and QueuedInput report end of input and nothing-yet distinctly', () => {
    const b = bytesInput('x');
    expect([b.poll(), b.poll()]).toEqual([0x78, END_OF_INPUT]);
    const q = new QueuedInput();
    expect(q.poll()).toBe(NO_INPUT);
    q.push('y');
    q.end();
    expect([q.poll(), q.poll()]).toEqual([0x79, END_OF_INPUT]);
  });

  it('HostInput reads a pipe without blocking', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asmbox-console-'));
    try {
      const fifo = join(dir, 'in');
      execFileSync('mkfifo', [fifo]);
      const input = new HostInput(fifo); // non-blocking open: no writer needed
      const w = openSync(fifo, 'w');
      expect(input.poll()).toBe(NO_INPUT);
      writeSync(w, 'ok');
      expect(input.poll()).toBe(0x6f);
      expect(input.poll()).toBe(0x6b);
      expect(input.poll()).toBe(NO_INPUT);
      closeSync(w);
      expect(input.poll()).toBe(END_OF_INPUT);
      input.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
