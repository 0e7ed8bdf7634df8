// The SPIM/MARS memory-mapped terminal, register for register and instruction for instruction as
// SPIM 9.1 implements it (CPU/mem.cpp: check_memory_mapped_IO, read/write_memory_mapped_IO;
// CPU/spim.h: IO_INTERVAL, RECV_INTERVAL, TRANS_LATENCY; CPU/mem.h: addresses and levels).
//
//   +0x0 receiver control     bit 0 ready (read-only), bit 1 interrupt enable
//   +0x4 receiver data        low 8 bits: the character; reading it clears ready
//   +0x8 transmitter control  bit 0 ready (read-only), bit 1 interrupt enable
//   +0xc transmitter data     writing the low 8 bits prints them if ready (ignored otherwise)
//
// SPIM's timing: the device is only updated at "checks" every IO_INTERVAL (100) instructions,
// counted from the start of the run (a check happens before instruction 0, 100, 200, ...). At a
// check the receiver takes the next input character if its hold timer has run out (a character
// stays RECV_INTERVAL = 100 checks before the next one may overwrite it; reading the data
// register ends the hold), and a busy transmitter counts down TRANS_LATENCY = 100 checks after a
// write and becomes ready at the check after that. So a character written at instruction t makes
// the transmitter ready again at instruction (floor(t/100) + 101) * 100.
//
// Interrupts (SPIM's RECV_INT_LEVEL 3 and TRANS_INT_LEVEL 2, i.e. Cause bit 8 + level): the
// receiver uses IP3 (Cause 0x800, "hardware interrupt 1") and the transmitter IP2 (Cause 0x400,
// "hardware interrupt 0"). A line is high while its device is ready and its interrupt enable is
// set; it is raised exactly where SPIM calls RAISE_INTERRUPT (a character arrives with IE set, the
// transmitter becomes ready with IE set, IE is written 1 while ready) and lowered where SPIM calls
// CLEAR_INTERRUPT (IE written 0, the data register read, a character written).
//
// Register accesses: SPIM decodes MMIO by exact address, so byte, half and word accesses at a
// register's address all work and see the whole (small) value; any other address in the window
// is a bus error (SPIM stops with "Read from unused memory-mapped IO address").
import { readSync, openSync, closeSync, constants as fsConstants } from 'node:fs';
import type { AccessSize, RegisterWindow, TimedDevice } from './bus.js';
import type { IrqLine } from './intc.js';
import type { Clock } from './time.js';

export const CONSOLE_REGS = { RCR: 0x0, RDR: 0x4, TCR: 0x8, TDR: 0xc } as const;
export const CONSOLE_READY = 0x1;
export const CONSOLE_IE = 0x2;
/** SPIM's levels: the CPU-facing lines (Cause IP numbers). */
export const CONSOLE_TX_IP = 2;
export const CONSOLE_RX_IP = 3;

export interface ConsoleTiming {
  /** SPIM's IO_INTERVAL: instructions between device checks. */
  checkInterval: number;
  /** SPIM's RECV_INTERVAL: checks an unread character is held before the next may replace it. */
  rxHoldChecks: number;
  /** SPIM's TRANS_LATENCY: checks the transmitter stays busy after a write (it is ready at the next one). */
  txLatencyChecks: number;
  /** Instructions between polls of a live input (a terminal) that had nothing to give. */
  livePollInsns: number;
  /**
   * Checks from one character's arrival to the next even when the program reads the first at once
   * (0, SPIM: the next comes at the next check). Piped input arrives as fast as the program reads;
   * a gap longer than the transmitter latency lets an echo program keep up, as a typist would.
   */
  rxMinGapChecks: number;
}

export const SPIM_CONSOLE_TIMING: Readonly<ConsoleTiming> = {
  checkInterval: 100,
  rxHoldChecks: 100,
  txLatencyChecks: 100,
  livePollInsns: 10_000,
  rxMinGapChecks: 0,
};

/** poll() results besides a byte. */
export const NO_INPUT = -1;
export const END_OF_INPUT = -2;

/** Where received characters come from. */
export interface ConsoleInput {
  /** The next byte (0..255) if one is available now, NO_INPUT if not yet, END_OF_INPUT if never again. */
  poll(): number;
  /**
   * False if poll() never answers NO_INPUT (a pipe, a file, test data): then every character is
   * available at the first check that wants it and runs are deterministic. True for a terminal.
   */
  readonly live: boolean;
}

export interface ConsoleOutput {
  write(fd: 1, data: Uint8Array): void;
}

/** Input from a GuestIO-like stream (blocking reads; shares its buffer with the syscalls). */
export function guestIOInput(io: { read(max: number): Uint8Array }): ConsoleInput {
  return {
    live: false,
    poll() {
      const b = io.read(1);
      return b.length > 0 ? b[0] : END_OF_INPUT;
    },
  };
}

/** Fixed input, then end of input. */
export function bytesInput(data: string | Uint8Array): ConsoleInput {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let pos = 0;
  return { live: false, poll: () => (pos < bytes.length ? bytes[pos++] : END_OF_INPUT) };
}

/** Input that arrives over time (a live source driven by the host or a test). */
export class QueuedInput implements ConsoleInput {
  readonly live = true;
  private queue: number[] = [];
  private ended = false;
  push(data: string | Uint8Array): void {
    for (const b of typeof data === 'string' ? new TextEncoder().encode(data) : data) this.queue.push(b);
  }
  end(): void {
    this.ended = true;
  }
  poll(): number {
    if (this.queue.length > 0) return this.queue.shift()!;
    return this.ended ? END_OF_INPUT : NO_INPUT;
  }
}

/**
 * Non-blocking input from a host file (default /dev/stdin, opened anew so fd 0 keeps its mode):
 * what a terminal has delivered so far, without waiting. Use for interactive runs; for pipes
 * and files guestIOInput gives deterministic timing.
 */
export class HostInput implements ConsoleInput {
  readonly live = true;
  private fd: number;
  private buf = Buffer.alloc(4096);
  private pos = 0;
  private len = 0;
  private ended = false;

  constructor(path = '/dev/stdin') {
    this.fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  }

  poll(): number {
    if (this.pos < this.len) return this.buf[this.pos++];
    if (this.ended) return END_OF_INPUT;
    try {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      if (n === 0) {
        this.ended = true;
        return END_OF_INPUT;
      }
      this.pos = 1;
      this.len = n;
      return this.buf[0];
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return NO_INPUT;
      this.ended = true; // EIO after the terminal went away, etc.
      return END_OF_INPUT;
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.ended = true;
  }
}

export interface ConsoleOptions {
  clock: Clock;
  input?: ConsoleInput;
  output?: ConsoleOutput;
  /** Transmitter interrupt (IP2 on the standard board). */
  txLine?: IrqLine;
  /** Receiver interrupt (IP3 on the standard board). */
  rxLine?: IrqLine;
  timing?: Partial<ConsoleTiming>;
}

export class ConsoleDevice implements RegisterWindow, TimedDevice {
  readonly name = 'console';
  readonly size = 0x10;
  readonly timing: Readonly<ConsoleTiming>;
  private readonly clock: Clock;
  private readonly input: ConsoleInput;
  private readonly output: ConsoleOutput | undefined;
  private readonly txLine: IrqLine | undefined;
  private readonly rxLine: IrqLine | undefined;

  private rxReady = false;
  private rxIE = false;
  private rxBuffer = 0;
  /** Time of the next check that may take an input character (Infinity after end of input). */
  private rxNextAt = 0;
  /** When the character now in the buffer arrived (for rxMinGapChecks). */
  private rxArrivedAt = 0;
  private txReady = true;
  private txIE = false;
  private txBuffer = 0;
  /** Time of the check at which a busy transmitter becomes ready (Infinity when ready). */
  private txReadyAt = Infinity;
  private now = 0;

  constructor(opts: ConsoleOptions) {
    this.clock = opts.clock;
    this.input = opts.input ?? bytesInput('');
    this.output = opts.output;
    this.txLine = opts.txLine;
    this.rxLine = opts.rxLine;
    this.timing = { ...SPIM_CONSOLE_TIMING, ...opts.timing };
    const t = this.timing;
    for (const [k, v] of Object.entries(t)) {
      if (!Number.isInteger(v) || v < (k === 'checkInterval' || k === 'livePollInsns' ? 1 : 0)) {
        throw new RangeError(`console timing ${k} must be a whole number${k === 'checkInterval' ? ' >= 1' : ' >= 0'}, got ${v}`);
      }
    }
  }

  /** First check strictly after time t. */
  private checkAfter(t: number): number {
    const c = this.timing.checkInterval;
    return (Math.floor(t / c) + 1) * c;
  }

  advanceTo(now: number): void {
    if (now < this.now) return;
    this.now = now;
    const c = this.timing.checkInterval;
    while (this.rxNextAt <= now) {
      const b = this.input.poll();
      if (b >= 0) {
        this.rxBuffer = b & 0xff;
        this.rxReady = true;
        this.rxArrivedAt = this.rxNextAt;
        this.rxNextAt += (this.timing.rxHoldChecks + 1) * c;
        if (this.rxIE) this.rxLine?.raise();
      } else if (b === NO_INPUT) {
        this.rxNextAt = this.checkAfter(Math.max(this.rxNextAt + this.timing.livePollInsns - 1, now));
      } else {
        this.rxNextAt = Infinity;
      }
    }
    if (this.txReadyAt <= now) {
      this.txReadyAt = Infinity;
      this.txReady = true;
      if (this.txIE) this.txLine?.raise();
    }
  }

  nextEventAt(): number {
    return Math.min(this.rxNextAt, this.txReadyAt);
  }

  read(offset: number, _size: AccessSize): number | undefined {
    this.advanceTo(this.clock());
    switch (offset) {
      case CONSOLE_REGS.RCR:
        return (this.rxReady ? CONSOLE_READY : 0) | (this.rxIE ? CONSOLE_IE : 0);
      case CONSOLE_REGS.RDR:
        this.rxReady = false;
        if (this.rxNextAt !== Infinity) {
          const gapEnd = this.rxArrivedAt + this.timing.rxMinGapChecks * this.timing.checkInterval;
          this.rxNextAt = Math.min(this.rxNextAt, Math.max(this.checkAfter(this.now), gapEnd));
        }
        this.rxLine?.lower();
        return this.rxBuffer;
      case CONSOLE_REGS.TCR:
        return (this.txReady ? CONSOLE_READY : 0) | (this.txIE ? CONSOLE_IE : 0);
      case CONSOLE_REGS.TDR:
        return this.txBuffer;
      default:
        return undefined;
    }
  }

  write(offset: number, _size: AccessSize, value: number): boolean {
    this.advanceTo(this.clock());
    switch (offset) {
      case CONSOLE_REGS.RCR:
        this.rxIE = (value & CONSOLE_IE) !== 0;
        if (!this.rxIE) this.rxLine?.lower();
        else if (this.rxReady) this.rxLine?.raise();
        return true;
      case CONSOLE_REGS.RDR:
        return true; // the program cannot change the receiver buffer
      case CONSOLE_REGS.TCR:
        this.txIE = (value & CONSOLE_IE) !== 0;
        if (!this.txIE) this.txLine?.lower();
        else if (this.txReady) this.txLine?.raise();
        return true;
      case CONSOLE_REGS.TDR:
        if (this.txReady) {
          this.txBuffer = value & 0xff;
          this.output?.write(1, Uint8Array.of(this.txBuffer));
          this.txReady = false;
          this.txReadyAt = this.checkAfter(this.now) + this.timing.txLatencyChecks * this.timing.checkInterval;
          this.txLine?.lower();
        }
        return true;
      default:
        return false;
    }
  }
}
