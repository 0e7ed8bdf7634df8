// The MIPS side of generated code: the object `H` that translated regions call for slow paths
// (memory outside the fast page arrays, watched code pages, MMIO), helper-run instructions,
// exceptions, and precise-state restore after a fault.
import { ExcCode, GuestException, StopRun } from '../../machine/exceptions.js';
import { V8_DOUBLE_FIELD, type Machine } from '../../machine/machine.js';
import type { Handler } from './interp.js';
import { disassembleText } from './disasm.js';
import { fpuFastPaths } from './fpu.js';

/**
 * Thrown by a slow-path store (or helper) that invalidated translated code: generated code
 * catches it and leaves right after the storing instruction.
 */
export const SMC_EXIT = Object.freeze({ smcExit: true });

export class MipsJitRuntime {
  /** Budget left when the region returned (written by generated code). */
  left = 0;
  /**
   * insnCount + budget at region entry: the count at any point is c0 - left - (unexecuted).
   * (A double field from the start, like Machine.insnCount: see V8_DOUBLE_FIELD.)
   */
  c0 = V8_DOUBLE_FIELD;
  /** Fault site id of the op that is about to throw. */
  site = -1;
  /** Set when a store invalidated translated code: the running block must end. */
  smc = false;
  /** -d exec / -d cpu sink (null when off). */
  log: ((line: string) => void) | null = null;

  private readonly mem;
  private readonly r: Int32Array;
  private readonly fw: Int32Array;
  /** 1 on big-endian: the high word of a double is at the lower address. */
  private readonly hiFirst: number;

  constructor(
    private readonly m: Machine,
    private readonly handlers: Handler[],
  ) {
    this.c0 = 0;
    this.mem = m.mem;
    this.r = m.cpu.r;
    this.fw = m.cpu.fw;
    this.hiFirst = m.mem.bigEndian ? 1 : 0;
    // fp_add_d, fp_mul_d, ...: CP1 fast paths; the slow path is the interpreter's handler
    const fp = fpuFastPaths(m.cpu, (id, w) => handlers[id](w));
    for (const [k, f] of Object.entries(fp)) (this as unknown as Record<string, unknown>)[`fp_${k}`] = f;
  }

  /** ldc1: the doubleword at a (8-aligned) into FPR words i (low) and i + 1 (high). */
  ld64(a: number, i: number, unexecuted: number): void {
    const p = this.mem.readPages[a >>> 12], fw = this.fw;
    if (p !== undefined && (a & 7) === 0) {
      const k = (a >>> 2) & 1023;
      fw[i] = p[k + this.hiFirst];
      fw[i + 1] = p[k + 1 - this.hiFirst];
      return;
    }
    this.m.insnCount = this.c0 - unexecuted;
    if (a & 7) throw new GuestException(ExcCode.AdEL, a >>> 0);
    const w0 = this.mem.read32(a), w1 = this.mem.read32((a + 4) >>> 0);
    fw[i] = this.hiFirst ? w1 : w0; // the word at the lower address is the high word on big-endian
    fw[i + 1] = this.hiFirst ? w0 : w1;
  }

  /**
   * sdc1/sdxc1: stores two words at a (8-aligned) as one instruction: both stores happen before
   * a store into translated code ends the block. w0 goes to the lower address.
   */
  sd64(a: number, w0: number, w1: number, unexecuted: number): void {
    const p = this.mem.writePages[a >>> 12];
    if (p !== undefined && (a & 7) === 0) {
      const i = (a >>> 2) & 1023;
      p[i] = w0;
      p[i + 1] = w1;
      return;
    }
    this.m.insnCount = this.c0 - unexecuted;
    if (a & 7) throw new GuestException(ExcCode.AdES, a >>> 0);
    this.mem.write32(a, w0);
    this.mem.write32((a + 4) >>> 0, w1);
    if (this.smc) this.smcExit();
  }

  // ---- memory slow paths (they throw precise guest exceptions) ----
  // `unexecuted` is the budget left plus the instructions of the block not yet run (this one
  // included), so insnCount is exact here: device registers (MMIO) read the clock.

  rd8(a: number, site: number, unexecuted: number): number {
    this.site = site;
    this.m.insnCount = this.c0 - unexecuted;
    return this.mem.read8(a);
  }

  rd16(a: number, site: number, unexecuted: number): number {
    this.site = site;
    this.m.insnCount = this.c0 - unexecuted;
    return this.mem.read16(a);
  }

  rd32(a: number, site: number, unexecuted: number): number {
    this.site = site;
    this.m.insnCount = this.c0 - unexecuted;
    return this.mem.read32(a);
  }

  /** Stores; if that invalidated translated code, throws SMC_EXIT (the block ends after the store). */
  wr8(a: number, v: number, site: number, unexecuted: number): void {
    this.site = site;
    this.m.insnCount = this.c0 - unexecuted;
    this.mem.write8(a, v);
    if (this.smc) this.smcExit();
  }

  wr16(a: number, v: number, site: number, unexecuted: number): void {
    this.site = site;
    this.m.insnCount = this.c0 - unexecuted;
    this.mem.write16(a, v);
    if (this.smc) this.smcExit();
  }

  wr32(a: number, v: number, site: number, unexecuted: number): void {
    this.site = site;
    this.m.insnCount = this.c0 - unexecuted;
    this.mem.write32(a, v);
    if (this.smc) this.smcExit();
  }

  private smcExit(): never {
    this.smc = false;
    throw SMC_EXIT;
  }

  raise(code: number, site: number, arg?: number): never {
    this.site = site;
    throw new GuestException(code, arg === undefined ? undefined : arg >>> 0);
  }

  /** Runs the interpreter's handler for one instruction (pc/npc/registers synced by the caller). */
  interp(id: number, w: number): void {
    this.handlers[id](w);
    this.r[0] = 0;
    if (this.smc) this.smcExit();
  }

  /**
   * Restores the interpreter-visible state after an exception escaped generated code at an
   * instruction at `pc` whose successor is `next`; `left` already counts that instruction as
   * not executed.
   */
  fault(e: unknown, pc: number, next: number, flags: number, left: number): void {
    const cpu = this.m.cpu;
    if (e instanceof GuestException) {
      cpu.pc = pc >>> 0;
      cpu.npc = next >>> 0;
      this.m.fault = { exception: e, pc: pc >>> 0, inDelaySlot: this.m.delaySlots && (flags & 1) !== 0 };
    } else if (e instanceof StopRun) {
      // like the interpreter: the instruction that ended the run completed
      left -= 1;
      cpu.pc = next >>> 0;
      cpu.npc = (next + 4) >>> 0;
    }
    this.r[0] = 0;
    this.left = left;
    this.m.insnCount = this.c0 - left;
  }

  // ---- tracing (-d exec, -d cpu) ----

  trace(pc: number, block: number): void {
    this.log?.(`Trace: [${hex(pc)}] jit block ${block}`);
  }

  cpuState(pc: number): void {
    this.log?.(formatCpu(this.m, pc >>> 0));
  }
}

const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/** QEMU-style register dump. */
export function formatCpu(m: Machine, pc: number): string {
  const r = m.cpu.r;
  const names = [
    'zero', 'at', 'v0', 'v1', 'a0', 'a1', 'a2', 'a3', 't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7',
    's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 't8', 't9', 'k0', 'k1', 'gp', 'sp', 's8', 'ra',
  ];
  const lines = [`pc=${hex(pc)} HI=${hex(r[32])} LO=${hex(r[33])} insns=${m.insnCount}`];
  for (let i = 0; i < 32; i += 4) {
    lines.push(`GPR${String(i).padStart(2, '0')}: ` + [0, 1, 2, 3].map((j) => `${names[i + j].padStart(4)} ${hex(r[i + j])}`).join(' '));
  }
  return lines.join('\n');
}

export function disasmLine(pc: number, w: number): string {
  return `0x${hex(pc)}:  ${hex(w)}  ${disassembleText(w, pc)}`;
}
