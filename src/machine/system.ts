// System mode: a whole machine (RAM, ROM at the reset vector, the device board, CP0 enforcing
// kernel/user mode), and SPIM's memory-mapped console for user programs (--mapped-io).
//
// Fixed address mapping, no TLB: physical RAM [0, ramSize) appears at kuseg 0 (identity, for user
// programs), kseg0 0x80000000 and kseg1 0xA0000000 (the same page objects); the ROM (physical
// 0x1FC00000) at kseg1 0xBFC00000 and kseg0 0x9FC00000. kseg2/kseg3 hold nothing but SPIM's
// console alias at 0xFFFF0000.
import { Machine, type Environment } from './machine.js';
import { ExcCode, GuestException } from './exceptions.js';
import { RESET_VECTOR, SystemControl } from './cp0.js';
import { SystemBoard, guestIOInput, HostInput, SPIM_CONSOLE_TIMING, type ConsoleInput } from '../devices/index.js';
import type { GuestIO } from '../env/io.js';

export const ROM_PHYS = 0x1fc00000;
export const ROM_SIZE = 0x00100000;
/**
 * RAM size by default: enough for user programs in SPIM's layout (data at 0x10010000, heap above),
 * below the device windows at physical 0x1F000000. Pages are allocated when first touched.
 */
export const DEFAULT_RAM = 384 * 1024 * 1024;
/** RAM must end below the device windows (physical 0x1F000000) and the ROM. */
export const MAX_RAM = 0x1f000000;

/** System mode has no syscall service: `syscall` is an exception for the kernel. */
export const systemEnvironment: Environment = {
  name: 'system',
  syscall() {
    throw new GuestException(ExcCode.Sys);
  },
};

export interface BootOptions {
  rom: Uint8Array;
  /** Where the ROM bytes go (default the reset vector). */
  romAddr?: number;
  /** Extra segments (e.g. .kdata of an assembled ROM), by virtual address. */
  segments?: { addr: number; bytes: Uint8Array }[];
  io: GuestIO;
  bigEndian?: boolean;
  delaySlots?: boolean;
  ramSize?: number;
  disk?: { path: string; persist: boolean } | null;
  realtime?: boolean;
  /** Read the console from a terminal without blocking (stdin is a TTY). */
  liveInput?: boolean;
  consoleInput?: ConsoleInput;
  memoryCap?: number;
  onMessage?: (level: 'warning' | 'error', text: string) => void;
}

export function bootMachine(o: BootOptions): { m: Machine; board: SystemBoard; sys: SystemControl } {
  const ram = o.ramSize ?? DEFAULT_RAM;
  if (ram > MAX_RAM) throw new RangeError(`RAM of ${ram / 2 ** 20} MiB overlaps the device windows at physical 0x1F000000 (at most ${MAX_RAM / 2 ** 20} MiB)`);
  const m = new Machine({ bigEndian: !!o.bigEndian, delaySlots: o.delaySlots ?? true, memoryCap: Math.max(o.memoryCap ?? 0, ram + ROM_SIZE + (1 << 20)), fastKseg0: true });
  m.io = o.io;
  m.env = systemEnvironment;
  const mem = m.mem;
  mem.map(0, ram, 'ram');
  mem.alias(0x80000000, ram, 0);
  mem.alias(0xa0000000, ram, 0);
  mem.map(0xa0000000 + ROM_PHYS, ROM_SIZE, 'rom');
  mem.alias(0x80000000 + ROM_PHYS, ROM_SIZE, 0xa0000000 + ROM_PHYS);
  mem.writeBytes(o.romAddr ?? RESET_VECTOR, o.rom);
  for (const s of o.segments ?? []) mem.writeBytes(s.addr, s.bytes);
  const board = new SystemBoard({
    clock: () => m.insnCount,
    realtime: o.realtime,
    console: { input: o.consoleInput ?? (o.liveInput ? new HostInput() : guestIOInput(o.io)), output: o.io, timing: { checkInterval: 100, txLatencyChecks: 1 } },
    disk: o.disk ? { path: o.disk.path, persist: o.disk.persist } : false,
    onMessage: o.onMessage,
  });
  board.install(mem, { physToAddr: (p) => p });
  const sys = new SystemControl(m, { mode: 'system', irq: board });
  m.cpu.jumpTo(RESET_VECTOR);
  return { m, board, sys };
}

export const SPIM_EXCEPTION_VECTOR = 0x80000180;

/** SPIM's console timing, except for input that is not typed live (see attachMappedIo). */
const PIPED_INPUT_TIMING = { rxHoldChecks: 1e12, rxMinGapChecks: 2 * SPIM_CONSOLE_TIMING.txLatencyChecks };

/**
 * SPIM's model for an assembled program: CP0 as SPIM has it (and the coprocessor moves SPIM
 * accepts; a bare-machine program gets the R2000's coprocessor loads); exceptions go to the program's own handler if it has kernel code at 0x80000180,
 * else they end the run.
 */
export function deliverExceptionsToGuestHandler(m: Machine, program: { segments: readonly { kind: string; addr: number; bytes: Uint8Array }[]; layout: { name: string } }): void {
  if (m.sys) return;
  const v = SPIM_EXCEPTION_VECTOR;
  const handler = program.segments.some((s) => s.kind === 'ktext' && s.addr <= v && v < s.addr + s.bytes.length);
  new SystemControl(m, { mode: 'spim', deliver: handler, r2000: program.layout.name === 'bare' });
}

/**
 * `run --mapped-io`: SPIM's terminal at 0xFFFF0000 for a user program. Exceptions reach the
 * guest only if it has a handler at 0x80000180; interrupts use SPIM's latched Cause.IP bits.
 */
export function attachMappedIo(m: Machine, io: GuestIO, opts: { liveInput?: boolean; consoleInput?: ConsoleInput } = {}): SystemBoard {
  const live = !opts.consoleInput && opts.liveInput;
  const board = new SystemBoard({
    clock: () => m.insnCount,
    // piped input is typed by a patient typist: a character waits until it is read, and the next
    // comes after twice the transmitter latency, so an echo program never loses one
    console: { input: opts.consoleInput ?? (live ? new HostInput() : guestIOInput(io)), output: io, timing: live ? {} : PIPED_INPUT_TIMING },
    disk: false, timer: false, power: false,
  });
  board.install(m.mem, {});
  m.mem.userWindows.push({ start: 0xffff0000, end: 0xffff0010 });
  const deliver = m.mem.isMapped(SPIM_EXCEPTION_VECTOR);
  const sys = m.sys ?? new SystemControl(m, { mode: 'spim', deliver });
  sys.irq = board;
  sys.latched = board.intc;
  return board;
}
