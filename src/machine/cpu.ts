// Architectural CPU state of a MIPS32 hart. Plain data: engines and environments operate on it.

export const REG_HI = 32;
export const REG_LO = 33;

export class Cpu {
  /** GPRs 0..31, then HI (32) and LO (33). r[0] is forced to zero before each instruction. */
  readonly r = new Int32Array(34);
  /** Address of the next instruction to execute, and of the one after it (delay slots). */
  pc = 0;
  npc = 4;
  /** Load-linked bit for ll/sc. */
  llbit = 0;
  /** CP0 registers, indexed reg * 8 + sel. */
  readonly cp0 = new Int32Array(32 * 8);
  /** UserLocal, read by `rdhwr $29` (TLS pointer under Linux). */
  userLocal = 0;

  // ---- CP1: 32 x 32-bit registers; FR=0 doubles use even/odd pairs (low word in the even one) ----
  readonly fprBuffer = new ArrayBuffer(32 * 4);
  readonly fw = new Int32Array(this.fprBuffer);
  readonly fs = new Float32Array(this.fprBuffer);
  readonly fd = new Float64Array(this.fprBuffer); // fd[n] is the pair (2n, 2n+1) on little-endian hosts
  fcsr = 0;

  /** Sets pc and npc for starting execution at `addr`. */
  jumpTo(addr: number): void {
    this.pc = addr >>> 0;
    this.npc = (addr + 4) >>> 0;
  }

  /** FCSR condition-code bit for cc 0..7. */
  static ccBit(cc: number): number {
    return cc === 0 ? 23 : 24 + cc;
  }

  getCC(cc: number): boolean {
    return ((this.fcsr >>> Cpu.ccBit(cc)) & 1) === 1;
  }
}
