// A Machine bundles CPU state, memory and the guest environment; engines run it.
import { Cpu } from './cpu.js';
import { Memory, DEFAULT_MEMORY_CAP } from './memory.js';
import type { GuestException } from './exceptions.js';
import type { GuestIO } from '../env/io.js';
import type { SystemControl } from './cp0.js';

export interface Environment {
  readonly name: string;
  /** Performs the syscall in `$v0` (state is positioned after the syscall instruction). */
  syscall(m: Machine): void;
  /**
   * Optional: offered each unhandled guest exception (state precise, `m.fault` set). Returns
   * true if it dealt with it, e.g. by delivering a signal to a guest handler; the run then
   * continues from the state the environment left.
   */
  fault?(m: Machine, e: GuestException): boolean;
}

export interface MachineOptions {
  bigEndian: boolean;
  /** Branches and jumps execute the following instruction before transferring (real MIPS). */
  delaySlots: boolean;
  memoryCap?: number;
  /** System mode: kseg0 (a kernel's data) on the memory fast path too. */
  fastKseg0?: boolean;
}

/** Where and how the last guest exception happened (the precise state is in cpu). */
export interface FaultInfo {
  exception: GuestException;
  pc: number;
  inDelaySlot: boolean;
}

export interface SymbolInfo {
  name: string;
  addr: number;
  size: number;
}

/**
 * Initial value for a numeric field that will pass 2^30 in long runs (instruction counts).
 * V8 stores a field that has only held small integers in small-integer form; the first larger
 * value changes the field's representation, which deoptimizes every optimized function that
 * touches it: all translated regions at once, about a billion instructions into a run, and
 * V8 then kept re-entering stale on-stack-replacement code (matmul ran at half speed after
 * it). A field that first holds a fraction is a double field from the start.
 */
export const V8_DOUBLE_FIELD = 0.5;

export class Machine {
  readonly cpu = new Cpu();
  readonly mem: Memory;
  readonly delaySlots: boolean;
  /**
   * Instructions completed so far. Starts out holding a fraction only so that V8 makes it a
   * double field from the outset (see V8_DOUBLE_FIELD); the constructor sets it to 0.
   */
  insnCount = V8_DOUBLE_FIELD;
  env!: Environment;
  io!: GuestIO;
  fault: FaultInfo | null = null;
  symbols: SymbolInfo[] = [];
  /** CP0 and exception delivery to the guest (system mode, or a SPIM kernel handler); null: exceptions stop the run. */
  sys: SystemControl | null = null;

  constructor(readonly options: MachineOptions) {
    this.mem = new Memory(options.bigEndian, options.memoryCap ?? DEFAULT_MEMORY_CAP, options.fastKseg0);
    this.delaySlots = options.delaySlots;
    this.insnCount = 0;
  }

  /** The symbol containing `addr` as `name+0x10`, for reports. */
  symbolize(addr: number): string | null {
    let best: SymbolInfo | null = null;
    for (const s of this.symbols) {
      if (s.addr <= addr && (!best || s.addr > best.addr) && (s.size === 0 || addr < s.addr + s.size || s.addr === addr)) best = s;
    }
    if (!best) return null;
    const off = addr - best.addr;
    return off ? `${best.name}+0x${off.toString(16)}` : best.name;
  }
}
