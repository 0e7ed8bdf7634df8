// Architectural CPU state of a MIPS32 hart. Plain data: engines and environments operate on it.

export const REG_HI = 32;
export const REG_LO = 33;

export class Cpu {
  /** GPRs 0..31, then HI (32) and LO (33). r[0] is forced to zero before each instruction. */
  readonly r = new Int32Array(34);
  /** Address of the next instruction to execute, and of the one after it (delay slots). */
  pc = 0;
  npc = 4;
  /** Instruction count at which the delay slot of the last taken branch runs (see interp `take`). */
  takenSlotAt = -1;
  /** Load-linked bit for ll/sc. */
  llbit = 0;
  /** CP0 registers, indexed reg * 8 + sel. */
  readonly cp0 = new Int32Array(32 * 8);
  /** UserLocal, read by `rdhwr $29` (TLS pointer under Linux). */
  userLocal = 0;

  // ---- CP1 (see src/guest/mips/fpu.ts) ----
  // FR=0 (fr64 false, the o32 default): 32 x 32-bit registers fw[0..31]; doubles use even/odd
  //   pairs, low word in the even register, so fd[n >> 1] is the double in $f(n & ~1).
  // FR=1 (fr64 true): 32 x 64-bit registers; $fn is fd[n], its low word fw[2n], high fw[2n+1].
  // The views assume a little-endian host (every platform Node runs on).
  readonly fprBuffer = new ArrayBuffer(64 * 4);
  readonly fw = new Int32Array(this.fprBuffer);
  readonly fs = new Float32Array(this.fprBuffer);
  readonly fd = new Float64Array(this.fprBuffer);
  /** Status.FR: 64-bit FPRs. */
  fr64 = false;
  fcsr = 0;

  /** Sets pc and npc for starting execution at `addr`. */
  jumpTo(addr: number): void {
    this.pc = addr >>> 0;
    this.npc = (addr + 4) >>> 0;
    this.takenSlotAt = -1;
  }

  /** FCSR condition-code bit for cc 0..7. */
  static ccBit(cc: number): number {
    return cc === 0 ? 23 : 24 + cc;
  }

  getCC(cc: number): boolean {
    return ((this.fcsr >>> Cpu.ccBit(cc)) & 1) === 1;
  }
}
