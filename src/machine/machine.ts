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

export class Machine {
  readonly cpu = new Cpu();
  readonly mem: Memory;
  readonly delaySlots: boolean;
  /** Instructions completed so far. */
  insnCount = 0;
  env!: Environment;
  io!: GuestIO;
  fault: FaultInfo | null = null;
  symbols: SymbolInfo[] = [];
  /** CP0 and exception delivery to the guest (system mode, or a SPIM kernel handler); null: exceptions stop the run. */
  sys: SystemControl | null = null;

  constructor(readonly options: MachineOptions) {
    this.mem = new Memory(options.bigEndian, options.memoryCap ?? DEFAULT_MEMORY_CAP, options.fastKseg0);
    this.delaySlots = options.delaySlots;
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
