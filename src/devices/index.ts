// The standard system board: console, interval timer, disk and power register on one bus, their
// interrupts on one controller, all driven by one clock. This is everything the CPU side needs:
//
//   const board = new SystemBoard({ clock: () => exactInsnCount(), console: { input, output }, disk: { path } });
//   board.install(mem);                      // MMIO windows (kseg1 + SPIM's 0xffff0000) and DMA
//   board.setAttentionHandler(() => leaveGeneratedCodeAfterThisInstruction());
//   run loop:
//     budget = min(chunk, board.nextEventIn());   // run exactly `budget` instructions, then
//     board.sync();                               // devices catch up to the clock
//     ip = board.pending();                       // Cause IP2..IP7 bits (0x400..0x8000) to merge into Cause
//
// See README.md for the register map and the contract in detail.
import { writeSync } from 'node:fs';
import { Bus, installBus, memoryDma, type BusInstallOptions, type DmaMemory, type InstalledWindow, type RegisterWindow, type TimedDevice } from './bus.js';
import { InterruptController } from './intc.js';
import { ConsoleDevice, type ConsoleInput, type ConsoleOutput, type ConsoleTiming } from './console.js';
import { DiskDevice, type DiskBacking, type DiskLatency, type MessageSink } from './disk.js';
import { TimerDevice } from './timer.js';
import { PowerDevice } from './power.js';
import { ManualClock, realTimeBase, virtualTimeBase, type Clock, type TimeBase } from './time.js';
import type { Memory } from '../machine/memory.js';

export * from './bus.js';
export * from './intc.js';
export * from './console.js';
export * from './disk.js';
export * from './timer.js';
export * from './power.js';
export * from './time.js';

/** Physical addresses of the standard devices (reach them at 0xA0000000 + phys through kseg1). */
export const BOARD_MAP = {
  CONSOLE: 0x1f00_0000,
  TIMER: 0x1f00_0100,
  DISK: 0x1f00_0200,
  POWER: 0x1f00_0300,
} as const;

/** SPIM's console address: a fixed virtual alias of BOARD_MAP.CONSOLE. */
export const SPIM_CONSOLE_ADDR = 0xffff_0000;

/** Hardware interrupt lines (Cause IP numbers). IP6 is free; IP7 is left to CP0 Count/Compare. */
export const BOARD_IRQ = { CONSOLE_TX: 2, CONSOLE_RX: 3, DISK: 4, TIMER: 5 } as const;

export interface SystemBoardOptions {
  /**
   * Instructions executed so far, exact at any register access (the count of instructions completed
   * before the one making the access). Without it the board keeps its own count, advanced by tick().
   */
  clock?: Clock;
  /** The interval timer follows the host clock (--realtime). Default false: virtual time. */
  realtime?: boolean;
  console?: false | { input?: ConsoleInput; output?: ConsoleOutput; timing?: Partial<ConsoleTiming> };
  disk?: false | { path?: string; backing?: DiskBacking; persist?: boolean; latency?: Partial<DiskLatency>; maxSectors?: number };
  timer?: false | { realtimePollInsns?: number };
  power?: false;
  /** Guest RAM for disk DMA; install() provides one over the Memory if not given here. */
  dma?: DmaMemory;
  /** Warnings and errors for the user (disk problems). Default: one line each on stderr. */
  onMessage?: MessageSink;
  /** Overrides of the interrupt line assignment. */
  irq?: Partial<Record<keyof typeof BOARD_IRQ, number>>;
}

export interface BoardInstallOptions extends BusInstallOptions {
  /** Alias the console at SPIM's 0xffff0000. Default true when there is a console. */
  spimConsole?: boolean;
  /** Physical address -> Memory address for DMA (default identity). */
  physToAddr?: (phys: number) => number;
}

const stderrSink: MessageSink = (level, text) => {
  try {
    writeSync(2, `asmbox: ${level}: ${text}\n`);
  } catch {
    // stderr gone: nothing better to do
  }
};

const stdoutOutput: ConsoleOutput = { write: (_fd, data) => void writeSync(1, data) };

export class SystemBoard {
  readonly intc = new InterruptController();
  readonly bus = new Bus();
  readonly console: ConsoleDevice | undefined;
  readonly disk: DiskDevice | undefined;
  readonly timer: TimerDevice | undefined;
  readonly power: PowerDevice | undefined;
  /** Timer ticks (and a CP0 Count derived from them): instructions, or host 10 ns units with realtime. */
  readonly timeBase: TimeBase;
  private readonly manual: ManualClock | undefined;
  private readonly clock: Clock;
  private readonly timed: TimedDevice[] = [];
  private attention: (() => void) | null = null;
  private reportedEventAt = -Infinity;
  private closed = false;
  private diskHasDma: boolean;

  constructor(opts: SystemBoardOptions = {}) {
    this.diskHasDma = opts.dma !== undefined;
    if (opts.clock) this.clock = opts.clock;
    else {
      this.manual = new ManualClock();
      this.clock = this.manual.now;
    }
    const clock = this.clock;
    const irq = { ...BOARD_IRQ, ...opts.irq };
    const onMessage = opts.onMessage ?? stderrSink;
    this.timeBase = opts.realtime ? realTimeBase() : virtualTimeBase(clock);

    if (opts.console !== false) {
      const c = opts.console ?? {};
      this.console = new ConsoleDevice({
        clock,
        input: c.input,
        output: c.output ?? stdoutOutput,
        timing: c.timing,
        txLine: this.intc.connect('console transmitter', irq.CONSOLE_TX),
        rxLine: this.intc.connect('console receiver', irq.CONSOLE_RX),
      });
      this.mapDevice(BOARD_MAP.CONSOLE, this.console);
      this.timed.push(this.console);
    }
    if (opts.timer !== false) {
      this.timer = new TimerDevice({
        clock,
        timeBase: this.timeBase,
        line: this.intc.connect('interval timer', irq.TIMER),
        realtimePollInsns: opts.timer?.realtimePollInsns,
      });
      this.mapDevice(BOARD_MAP.TIMER, this.timer);
      this.timed.push(this.timer);
    }
    if (opts.disk !== false) {
      const d = opts.disk ?? {};
      this.disk = new DiskDevice({
        clock,
        line: this.intc.connect('disk', irq.DISK),
        dma: opts.dma,
        path: d.path,
        backing: d.backing,
        persist: d.persist,
        latency: d.latency,
        maxSectors: d.maxSectors,
        onMessage,
      });
      this.mapDevice(BOARD_MAP.DISK, this.disk);
      this.timed.push(this.disk);
    }
    if (opts.power !== false) {
      this.power = new PowerDevice({ beforeHalt: () => this.flushAll() });
      this.mapDevice(BOARD_MAP.POWER, this.power);
    }
  }

  /** Maps a device on the bus behind a wrapper that notices interrupt and schedule changes. */
  private mapDevice(base: number, dev: RegisterWindow): void {
    const board = this;
    this.bus.map(base, {
      name: dev.name,
      size: dev.size,
      read(offset, size) {
        const p = board.intc.pending(), l = board.intc.latched();
        const v = dev.read(offset, size);
        board.afterAccess(p, l);
        return v;
      },
      write(offset, size, value) {
        const p = board.intc.pending(), l = board.intc.latched();
        const ok = dev.write(offset, size, value);
        board.afterAccess(p, l);
        return ok;
      },
    });
  }

  private afterAccess(pendingBefore: number, latchedBefore: number): void {
    if (!this.attention) return;
    if (this.intc.pending() !== pendingBefore || this.intc.latched() !== latchedBefore || this.computeNextEventAt() < this.reportedEventAt) {
      this.attention();
    }
  }

  /**
   * `fn` runs synchronously inside a device register access that changed the interrupt lines or
   * brought the next device event forward (e.g. enabling the transmitter interrupt while it is
   * ready, starting a disk command or arming the timer). The CPU should then end its current
   * block after this instruction and re-read pending() and nextEventIn().
   */
  setAttentionHandler(fn: (() => void) | null): void {
    this.attention = fn;
  }

  /** Instructions executed, as the board sees them. */
  now(): number {
    return this.clock();
  }

  /** For boards without an external clock: `n` more instructions were executed; devices catch up. */
  tick(n: number): void {
    if (!this.manual) throw new Error('SystemBoard.tick() is for boards without a clock option: call sync() instead');
    this.manual.advance(n);
    this.sync();
  }

  /** Brings every device up to now(): events due at or before it happen (call at instruction boundaries). */
  sync(): void {
    const now = this.clock();
    for (const d of this.timed) d.advanceTo(now);
  }

  private computeNextEventAt(): number {
    let t = Infinity;
    for (const d of this.timed) t = Math.min(t, d.nextEventAt());
    return t;
  }

  /** Instruction count at which the next device event is due (Infinity if none). Call after sync(). */
  nextEventAt(): number {
    const t = this.computeNextEventAt();
    this.reportedEventAt = t;
    return t;
  }

  /**
   * Instructions the CPU may execute before it must call sync() again: the budget that keeps
   * interrupts exact. 0 means an event is due now; Infinity means no device event is scheduled.
   */
  nextEventIn(): number {
    return Math.max(0, this.nextEventAt() - this.clock());
  }

  /** Asserted hardware lines as Cause bits (IP2 = 0x400 ... IP7 = 0x8000). */
  pending(): number {
    return this.intc.pending();
  }

  /**
   * Maps the device windows into `mem`: kseg1 (0xA0000000 + phys) by default, SPIM's console alias
   * at 0xffff0000, and optional kseg0/kuseg views. Also connects disk DMA to `mem` unless a dma
   * accessor was given to the constructor.
   */
  install(mem: Memory, opts: BoardInstallOptions = {}): InstalledWindow[] {
    const aliases = [...(opts.aliases ?? [])];
    if (this.console && (opts.spimConsole ?? true)) {
      aliases.push({ virt: SPIM_CONSOLE_ADDR, phys: BOARD_MAP.CONSOLE, size: this.console.size });
    }
    const views = installBus(mem, this.bus, { ...opts, aliases });
    if (this.disk && !this.diskHasDma) {
      this.disk.setDma(memoryDma(mem, opts.physToAddr));
      this.diskHasDma = true;
    }
    return views;
  }

  /** Makes every acknowledged disk write durable (fsync). Call from SIGINT handlers; safe to repeat. */
  flushAll(): void {
    this.disk?.flush();
  }

  /** Flushes and releases host resources (disk image). Call on every way out of a run. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.disk?.close();
  }
}
