// The MIPS32 privileged architecture (CP0) without a TLB: Status/Cause/EPC/BadVAddr/Count/Compare
// and friends, kernel/user mode, exception entry and interrupts. Engine-agnostic: engines throw
// GuestException with precise state (m.fault); the run loop hands it to `SystemControl.exception`,
// which vectors into the guest. Interrupts are taken by the run loop at instruction boundaries
// between engine calls, whose budgets end at the next timer/device event, so both engines take
// every interrupt at the same instruction.
//
// Registers live in cpu.cp0 (reg * 8 + sel); Count and Cause.IP are computed on read.
import { ExcCode, GuestException } from './exceptions.js';
import type { Machine } from './machine.js';

export const C0 = {
  UserLocal: 4 * 8 + 2, HWREna: 7 * 8, BadVAddr: 8 * 8, Count: 9 * 8, Compare: 11 * 8,
  Status: 12 * 8, Cause: 13 * 8, EPC: 14 * 8, PRId: 15 * 8, EBase: 15 * 8 + 1,
  Config: 16 * 8, Config1: 16 * 8 + 1, Config2: 16 * 8 + 2, Config3: 16 * 8 + 3, ErrorEPC: 30 * 8,
} as const;

export const ST = {
  IE: 1, EXL: 2, ERL: 4, UM: 0x10, KSU: 0x18, IM: 0xff00, BEV: 1 << 22, CU0: 1 << 28, CU1: 1 << 29,
} as const;

export const CAUSE = { BD: 1 << 31, TI: 1 << 30, CE_SHIFT: 28, IV: 1 << 23, IP: 0xff00, IP_SW: 0x300 } as const;

export const RESET_VECTOR = 0xbfc00000;
/** The device side as the CPU sees it (a SystemBoard fits). */
export interface InterruptSource {
  sync(): void;
  /** Cause IP2..IP7 bits currently asserted. */
  pending(): number;
  /** Instructions until the next device event (Infinity: none). */
  nextEventIn(): number;
}

export interface SystemOptions {
  /**
   * 'system': a real machine (boot ROMs): user mode is enforced, reset state (BEV, ERL, kernel).
   * 'spim': SPIM's model for `run` with a kernel handler: exceptions vector to 0x80000180, but
   * privileges are not checked (SPIM runs user programs that use mtc0), Cause IP bits are latched.
   */
  mode: 'system' | 'spim';
  /** Devices raising interrupts (optional). */
  irq?: InterruptSource | null;
  /** For SPIM's latched Cause.IP model: read and write the latches. */
  latched?: { latched(): number; writeLatched(v: number): void } | null;
  /** Exceptions vector into the guest (default true); false: they end the run as without CP0. */
  deliver?: boolean;
  /** Instructions per Count increment (default 2; SPIM mode 100). */
  countDiv?: number;
  /** Longest engine call while interrupts are enabled (bounds latency after a device access). */
  quantum?: number;
  /**
   * SPIM's bare machine (`--bare`, an R2000): opcodes 0x30/0x38/0x33 are lwc0/swc0/lwc3,
   * coprocessor loads and stores, not MIPS32's ll/sc/pref (the R2000 had neither).
   */
  r2000?: boolean;
}


export class SystemControl {
  readonly enforce: boolean;
  /** Exceptions go to the guest's handler (else they end the run). */
  deliver: boolean;
  readonly spim: boolean;
  readonly r2000: boolean;
  irq: InterruptSource | null;
  latched: SystemOptions['latched'];
  quantum: number;
  /** Kernel/user mode as last computed. */
  user = false;
  /**
   * Count = floor((insnCount - countBase) / countDiv): every 2nd instruction in system mode (the
   * usual half-rate counter), every 100th in SPIM mode (SPIM's Count follows wall-clock ticks; a
   * slow counter keeps loops like tt.core.s's `until Count == 10` from stepping over the value).
   */
  readonly countDiv: number;
  private countBase = 0;
  /** Instruction count at which Count next equals Compare. */
  private fireAt = Infinity;
  /** A `wait` is idling: the run loop may skip the clock to the next event. */
  waiting = false;
  /** Address of the `wait` that is idling (it re-executes until an interrupt is ready). */
  private waitPc = -1;
  /** Exceptions and interrupts taken, by ExcCode (statistics, tests). */
  readonly taken = new Array<number>(32).fill(0);

  constructor(readonly m: Machine, opts: SystemOptions) {
    this.enforce = opts.mode === 'system';
    this.spim = opts.mode === 'spim';
    this.r2000 = !!opts.r2000;
    this.irq = opts.irq ?? null;
    this.deliver = opts.deliver ?? true;
    this.latched = opts.latched ?? null;
    this.quantum = opts.quantum ?? 1000;
    this.countDiv = opts.countDiv ?? (this.spim ? 100 : 2);
    const c = m.cpu.cp0;
    c[C0.PRId] = 0x00019300; // MIPS Technologies, 24K-like
    c[C0.EBase] = 0x80000000 | 0;
    c[C0.Config] = (1 << 31) | (m.options.bigEndian ? 1 << 15 : 0) | (1 << 10) | 3; // M, BE, AR=1 (r2), K0=3
    c[C0.Config1] = (1 << 31) | 1; // M, FP
    c[C0.Config2] = 1 << 31;
    c[C0.Config3] = 1 << 13; // ULRI (UserLocal implemented)
    if (this.enforce) {
      c[C0.Status] = ST.BEV | ST.ERL | ST.CU1; // reset: kernel, BEV, ERL
    } else {
      c[C0.Status] = ST.CU0 | ST.CU1 | ST.IM | ST.UM; // SPIM's 0x3000ff10
    }
    this.computeFire();
    m.sys = this;
    this.modeChanged();
  }

  get status(): number { return this.m.cpu.cp0[C0.Status]; }

  // ---- Count / Compare ----

  count(now = this.m.insnCount): number {
    return Math.floor((now - this.countBase) / this.countDiv) | 0;
  }

  private computeFire(): void {
    const now = this.m.insnCount;
    let t = this.countBase + this.countDiv * (this.m.cpu.cp0[C0.Compare] >>> 0);
    const wrap = this.countDiv * 2 ** 32;
    while (t > now + wrap) t -= wrap;
    while (t <= now) t += wrap;
    this.fireAt = t;
  }

  /** Sets Cause.TI if Count has reached Compare by now. */
  private updateTimer(): void {
    const now = this.m.insnCount;
    if (now >= this.fireAt) {
      this.m.cpu.cp0[C0.Cause] |= CAUSE.TI;
      while (this.fireAt <= now) this.fireAt += this.countDiv * 2 ** 32;
    }
  }

  // ---- registers ----

  /** Cause with IP bits merged (software latches, devices, timer). */
  cause(): number {
    const c = this.m.cpu.cp0[C0.Cause];
    let ip = c & CAUSE.IP_SW;
    if (this.latched) ip |= this.latched.latched() & 0xfc00;
    else if (this.irq) ip |= this.irq.pending() & 0xfc00;
    if (c & CAUSE.TI) ip |= 0x8000;
    return (c & ~CAUSE.IP) | ip;
  }

  read(reg: number, sel: number): number {
    const i = reg * 8 + sel;
    if (i === C0.Count) return this.count();
    if (i === C0.Cause) { this.updateTimer(); return this.cause(); }
    if (i === C0.UserLocal) return this.m.cpu.userLocal;
    return this.m.cpu.cp0[i];
  }

  write(reg: number, sel: number, v: number): void {
    const c = this.m.cpu.cp0;
    const i = reg * 8 + sel;
    switch (i) {
      case C0.Count:
        this.countBase = this.m.insnCount - this.countDiv * (v >>> 0);
        this.computeFire();
        return;
      case C0.Compare:
        c[i] = v;
        c[C0.Cause] &= ~CAUSE.TI;
        this.computeFire();
        return;
      case C0.Status:
        c[i] = (v & ~0x00080000) | 0; // NMI bit is read-only
        this.modeChanged();
        return;
      case C0.Cause:
        c[i] = (c[i] & ~(CAUSE.IP_SW | CAUSE.IV | (1 << 27))) | (v & (CAUSE.IP_SW | CAUSE.IV | (1 << 27)));
        if (this.spim) {
          // SPIM: mtc0 to Cause writes the whole register (handlers clear it with mtc0 $0 $13)
          c[i] = v & ~CAUSE.IP | (v & CAUSE.IP_SW);
          this.latched?.writeLatched(v);
        }
        return;
      case C0.UserLocal: this.m.cpu.userLocal = v; return;
      case C0.EBase: c[i] = (0x80000000 | (v & 0x3ffff000)) | 0; return;
      case C0.PRId: case C0.Config1: case C0.Config2: case C0.Config3: case C0.BadVAddr: return;
      case C0.Config: c[i] = (c[i] & ~7) | (v & 7); return;
      default: c[i] = v;
    }
  }

  // ---- modes ----

  isUser(): boolean {
    return (this.status & (ST.UM | ST.EXL | ST.ERL)) === ST.UM;
  }

  /** Privileged instruction check (CP0 in user mode without CU0). */
  checkPrivileged(): void {
    if (this.enforce && this.user && !(this.status & ST.CU0)) throw new GuestException(ExcCode.CpU, undefined, 'coprocessor 0 unusable in user mode');
  }

  /** Tracks kernel/user mode; in user mode kseg addresses raise address errors (both modes). */
  modeChanged(): void {
    const u = this.isUser();
    if (u !== this.user) {
      this.user = u;
      this.m.mem.setUserMode(u);
    }
  }

  // ---- exceptions and interrupts ----

  /** SPIM's control registers of coprocessors 0, 2 and 3 (ctcz/cfcz, R2000 leftovers SPIM accepts). */
  private copControl = [new Int32Array(32), null, new Int32Array(32), new Int32Array(32)];
  /** SPIM's general registers of coprocessors 2 and 3 (mtcz/mfcz). */
  private copData = [null, null, new Int32Array(32), new Int32Array(32)];

  /**
   * SPIM mode: instructions SPIM accepts that are no MIPS32 instructions (ctcz/cfcz for z = 0, 2,
   * 3, mtcz/mfcz for z = 2, 3, lwcz/swcz for z = 2, 3, and on the bare machine lwc0/swc0/lwc3;
   * in MIPS32 these words are reserved, or ll/sc/pref) are emulated here when they raise RI;
   * returns true if done (state moved past the instruction).
   */
  emulate(e: GuestException): boolean {
    // (in a delay slot, npc is the branch's destination: the run goes on there)
    if (!this.spim || e.code !== ExcCode.RI) return false;
    const cpu = this.m.cpu;
    let w: number;
    try { w = this.m.mem.fetch(cpu.pc); } catch { return false; }
    if (this.emulateLoadStore(w)) {
      cpu.jumpTo(cpu.npc);
      this.m.insnCount++;
      return true;
    }
    const z = (w >>> 26) - 0x10;
    if (z < 0 || z > 3 || (w & 0x7ff) !== 0) return false;
    const rs = (w >>> 21) & 31, rt = (w >>> 16) & 31, rd = (w >>> 11) & 31;
    const regs = rs === 2 || rs === 6 ? this.copControl[z] : rs === 0 || rs === 4 ? this.copData[z] : null;
    if (!regs) return false;
    if (rs === 2 || rs === 0) { if (rt) cpu.r[rt] = regs[rd]; } // cfcz, mfcz
    else regs[rd] = cpu.r[rt]; // ctcz, mtcz
    cpu.jumpTo(cpu.npc);
    this.m.insnCount++;
    return true;
  }

  /** lwcz/swcz: between memory and a coprocessor register (CP0's own, or SPIM's CP2/CP3 ones). */
  private emulateLoadStore(w: number): boolean {
    const op = w >>> 26, z = op & 3, store = op >= 0x38;
    // lwc0 0x30, lwc2 0x32, lwc3 0x33, swc0 0x38, swc2 0x3a, swc3 0x3b (CP1's are real FPU loads)
    if (![0x30, 0x32, 0x33, 0x38, 0x3a, 0x3b].includes(op) || ((op === 0x30 || op === 0x33 || op === 0x38) && !this.r2000)) return false;
    const rt = (w >>> 16) & 31, a = (this.m.cpu.r[(w >>> 21) & 31] + ((w << 16) >> 16)) >>> 0;
    try {
      if (store) this.m.mem.write32(a, z === 0 ? this.read(rt, 0) : this.copData[z]![rt]);
      else if (z === 0) this.write(rt, 0, this.m.mem.read32(a));
      else this.copData[z]![rt] = this.m.mem.read32(a);
    } catch (err) {
      if (err instanceof GuestException) return false; // the RI stands
      throw err;
    }
    return true;
  }

  /** Enters the exception handler for `e` (precise state: cpu.pc = faulting instruction). */
  exception(e: GuestException, inDelaySlot: boolean): void {
    const cpu = this.m.cpu, c = cpu.cp0;
    if (this.spim && e.code === ExcCode.AdEL && (cpu.pc & 3) !== 0 && e.badVAddr === cpu.pc) {
      // SPIM reports a misaligned instruction fetch as a bad instruction address (IBE) at the
      // jump; its handler then resumes after it. Approximated: EPC = the fetch address rounded down.
      c[C0.BadVAddr] = cpu.pc | 0;
      e = new GuestException(ExcCode.IBE, undefined, e.detail);
      cpu.pc = (cpu.pc & ~3) >>> 0;
    }
    const st = c[C0.Status];
    this.taken[e.code]++;
    let cause = c[C0.Cause] & ~(0x7c | CAUSE.BD | (3 << CAUSE.CE_SHIFT));
    cause |= (e.code & 31) << 2;
    if (!(st & ST.EXL)) {
      c[C0.EPC] = (inDelaySlot ? cpu.pc - 4 : cpu.pc) | 0;
      if (inDelaySlot) cause |= CAUSE.BD;
    }
    if (e.code === ExcCode.CpU && e.detail?.includes('coprocessor 1')) cause |= 1 << CAUSE.CE_SHIFT;
    c[C0.Cause] = cause;
    if (e.badVAddr !== undefined && (e.code === ExcCode.AdEL || e.code === ExcCode.AdES || e.code === ExcCode.TLBL || e.code === ExcCode.TLBS || e.code === ExcCode.Mod)) {
      c[C0.BadVAddr] = e.badVAddr | 0;
    }
    c[C0.Status] = st | ST.EXL;
    cpu.llbit = 0;
    const base = st & ST.BEV ? 0xbfc00200 : c[C0.EBase] & 0xfffff000;
    const iv = e.code === ExcCode.Int && (cause & CAUSE.IV) ? 0x200 : 0x180;
    cpu.jumpTo((base + iv) >>> 0);
    this.waiting = false;
    this.modeChanged();
  }

  /** Interrupt lines pending and enabled? */
  interruptReady(): boolean {
    const st = this.status;
    if ((st & (ST.IE | ST.EXL | ST.ERL)) !== ST.IE) return false;
    this.updateTimer();
    return (this.cause() & st & CAUSE.IP) !== 0;
  }

  /**
   * At an instruction boundary, before an engine call: syncs the devices, takes a pending
   * interrupt, and returns the budget (instructions until the next event that may matter).
   */
  boundary(maxSkip = Infinity): number {
    const m = this.m;
    if (this.irq) this.irq.sync();
    const idle = this.waiting && m.cpu.pc === this.waitPc;
    if (this.waiting) {
      // idle until the next event: skip the clock ahead (virtual time, never past the run's
      // instruction limit), then re-check
      this.waiting = false;
      if (!this.interruptReady()) {
        const skip = Math.min(this.nextEventIn(), 1 << 20, maxSkip);
        if (skip > 1 && Number.isFinite(skip)) {
          m.insnCount += skip - 1;
          if (this.irq) this.irq.sync();
        }
      }
    }
    if (this.interruptReady()) {
      const cpu = m.cpu;
      // an interrupt between a branch and its delay slot is deferred (the engine runs the slot)
      if (cpu.npc === ((cpu.pc + 4) >>> 0) || !m.delaySlots) {
        // an interrupt ends a `wait`: EPC is the instruction after it (MIPS32 WAIT)
        if (idle) cpu.jumpTo(cpu.npc);
        this.exception(new GuestException(ExcCode.Int), false);
      } else return 1;
    }
    const st = this.status;
    const n = this.nextEventIn();
    return (st & (ST.IE | ST.EXL | ST.ERL)) === ST.IE ? Math.min(n, this.quantum) : n;
  }

  nextEventIn(): number {
    const now = this.m.insnCount;
    const dev = this.irq ? this.irq.nextEventIn() : Infinity;
    return Math.max(1, Math.min(dev, this.fireAt - now));
  }

  // ---- instructions ----

  eret(): void {
    const cpu = this.m.cpu, c = cpu.cp0;
    cpu.llbit = 0;
    if (c[C0.Status] & ST.ERL) {
      c[C0.Status] &= ~ST.ERL;
      cpu.jumpTo(c[C0.ErrorEPC]);
    } else {
      c[C0.Status] &= ~ST.EXL;
      cpu.jumpTo(c[C0.EPC]);
    }
    this.modeChanged();
  }

  /** R2000/R3000 rfe: pops the KU/IE stack (SPIM accepts it). */
  rfe(): void {
    const c = this.m.cpu.cp0, st = c[C0.Status];
    c[C0.Status] = (st & ~0xf) | ((st >>> 2) & 0xf);
    this.modeChanged();
  }

  /** `wait` with `pcOfWait` the instruction's address: idles (re-executes) until an interrupt is ready. */
  wait(pcOfWait: number): void {
    if (this.interruptReady()) return;
    this.waiting = true;
    this.waitPc = pcOfWait;
    this.m.cpu.jumpTo(pcOfWait);
  }
}
