// Signal state of the single guest thread: actions, blocked mask, pending set, alternate
// stack, and delivery through an o32 rt_sigframe (the kernel's layout) so handlers can read
// and change the interrupted context through their ucontext argument.
import type { Machine } from '../machine/machine.js';
import { REG_HI, REG_LO } from '../machine/cpu.js';
import { StopRun } from '../machine/exceptions.js';
import {
  DEFAULT_IGNORED, E, GuestMem, hostSignalNumber, NSIG, SA, SIG, SIG_BLOCK, SIG_DFL, SIG_IGN,
  SIG_SETMASK, SIG_UNBLOCK, signalName, signalText,
} from './linux-abi.js';

export interface SigAction {
  handler: number;
  flags: number;
  mask: bigint;
}

/** Fields of the siginfo a signal is delivered with. */
export interface SigInfo {
  code: number; // SI_USER 0, SI_TKILL -6, or a fault code
  pid?: number;
  uid?: number;
  addr?: number;
}

export const SI_USER = 0, SI_TKILL = -6;

/** Guest address of the page holding the signal-return trampolines (like the kernel's vdso). */
export const SIGTRAMP_ADDR = 0x7fff1000;
const NR_RT_SIGRETURN = 4193;

// rt_sigframe layout (o32): 4 argument save words, 2 pad words, siginfo (128), ucontext.
const FRAME_INFO = 24, FRAME_UC = 152, FRAME_SIZE = 784;
// ucontext: flags, link, stack_t (sp, size, flags), then sigcontext at 24, sigmask at 616.
const UC_STACK = 8, UC_MCONTEXT = 24, UC_SIGMASK = 616;
// sigcontext offsets
const SC_PC = 8, SC_REGS = 16, SC_FPREGS = 272, SC_FPC_CSR = 532, SC_USED_MATH = 540, SC_MDHI = 552, SC_MDLO = 560;

const ALL = (1n << BigInt(NSIG)) - 1n;
const bit = (sig: number) => 1n << BigInt(sig - 1);
const UNBLOCKABLE = bit(SIG.KILL) | bit(SIG.STOP);

export class LinuxSignals {
  private actions: SigAction[] = Array.from({ length: NSIG + 1 }, () => ({ handler: SIG_DFL, flags: 0, mask: 0n }));
  blocked = 0n;
  private pending = 0n;
  private pendingInfo = new Map<number, SigInfo>();
  altStack = { sp: 0, size: 0, flags: 2 /* SS_DISABLE */ };

  constructor(
    private readonly m: Machine,
    private readonly g: GuestMem,
    private readonly pid: number,
    private readonly uid: number,
    /** Called for each delivered signal (for -d strace). */
    private readonly onDeliver?: (sig: number, info: SigInfo) => void,
  ) {
    m.mem.map(SIGTRAMP_ADDR, 4096, 'sigtramp');
    m.mem.write32(SIGTRAMP_ADDR, 0x24020000 | NR_RT_SIGRETURN); // li $v0, rt_sigreturn
    m.mem.write32(SIGTRAMP_ADDR + 4, 0x0000000c); // syscall
  }

  // ---- sigset_t in guest memory: 4 words, word i has signals 32i+1..32i+32 ----

  readSet(addr: number): bigint {
    let v = 0n;
    for (let i = 0; i < 4; i++) v |= BigInt(this.g.u32(addr + 4 * i)) << BigInt(32 * i);
    return v;
  }

  writeSet(addr: number, v: bigint): void {
    for (let i = 0; i < 4; i++) this.g.w32(addr + 4 * i, Number((v >> BigInt(32 * i)) & 0xffffffffn));
  }

  /** rt_sigaction(sig, act, oact, sigsetsize). */
  sigaction(sig: number, act: number, oact: number, setSize: number): number {
    if (setSize !== 16) return -E.INVAL;
    if (sig < 1 || sig > NSIG || ((sig === SIG.KILL || sig === SIG.STOP) && act)) return -E.INVAL;
    const cur = this.actions[sig];
    let next: SigAction | null = null;
    if (act) next = { flags: this.g.u32(act), handler: this.g.u32(act + 4), mask: this.readSet(act + 8) & ~UNBLOCKABLE };
    if (oact) {
      this.g.w32(oact, cur.flags);
      this.g.w32(oact + 4, cur.handler);
      this.writeSet(oact + 8, cur.mask);
    }
    if (next) {
      this.actions[sig] = next;
      if (next.handler === SIG_IGN || (next.handler === SIG_DFL && DEFAULT_IGNORED.has(sig))) {
        this.pending &= ~bit(sig); // POSIX: setting a pending signal to ignored discards it
      }
    }
    return 0;
  }

  action(sig: number): SigAction {
    return this.actions[sig];
  }

  /** rt_sigprocmask(how, set, oset, sigsetsize). */
  sigprocmask(how: number, set: number, oset: number, setSize: number): number {
    if (setSize !== 16) return -E.INVAL;
    const old = this.blocked;
    if (set) {
      const s = this.readSet(set);
      if (how === SIG_BLOCK) this.blocked |= s;
      else if (how === SIG_UNBLOCK) this.blocked &= ~s;
      else if (how === SIG_SETMASK) this.blocked = s;
      else return -E.INVAL;
      this.blocked &= ALL & ~UNBLOCKABLE;
    }
    if (oset) this.writeSet(oset, old);
    return 0;
  }

  sigpending(addr: number): number {
    this.writeSet(addr, this.pending & this.blocked);
    return 0;
  }

  /** sigaltstack(ss, oss). */
  sigaltstack(ss: number, oss: number): number {
    const sp = this.m.cpu.r[29] >>> 0;
    const onStack = this.altStack.flags !== 2 && sp > this.altStack.sp && sp <= this.altStack.sp + this.altStack.size;
    if (oss) {
      this.g.w32(oss, this.altStack.sp);
      this.g.w32(oss + 4, this.altStack.size);
      this.g.w32(oss + 8, onStack ? 1 : this.altStack.flags);
    }
    if (ss) {
      if (onStack) return -E.PERM;
      const nsp = this.g.u32(ss), size = this.g.u32(ss + 4), flags = this.g.u32(ss + 8);
      if (flags & ~(2 | 0x80000000)) return -E.INVAL;
      if (flags & 2) this.altStack = { sp: 0, size: 0, flags: 2 };
      else {
        if (size < 2048) return -E.NOMEM; // MINSIGSTKSZ
        this.altStack = { sp: nsp, size, flags: 0 };
      }
    }
    return 0;
  }

  /** Marks `sig` pending (kill, tgkill, raise). Delivery happens at the end of the syscall. */
  raise(sig: number, info: SigInfo): void {
    const a = this.actions[sig];
    if (a.handler === SIG_IGN || (a.handler === SIG_DFL && DEFAULT_IGNORED.has(sig))) return;
    this.pending |= bit(sig);
    this.pendingInfo.set(sig, info);
  }

  hasDeliverable(): boolean {
    return (this.pending & ~this.blocked) !== 0n;
  }

  /** Delivers pending unblocked signals (lowest first); may end the run. */
  deliverPending(): void {
    for (let guard = 0; guard < NSIG && this.hasDeliverable(); guard++) {
      const ready = this.pending & ~this.blocked;
      let sig = 1;
      while (!(ready & bit(sig))) sig++;
      this.pending &= ~bit(sig);
      const info = this.pendingInfo.get(sig) ?? { code: SI_USER };
      this.pendingInfo.delete(sig);
      this.deliver(sig, info);
      if (this.actions[sig].handler > SIG_IGN) return; // run the handler before the next one
    }
  }

  /** Delivers one signal now: runs the default action or sets up the handler frame. */
  deliver(sig: number, info: SigInfo): void {
    const a = this.actions[sig];
    this.onDeliver?.(sig, info);
    if (a.handler === SIG_IGN) return;
    if (a.handler === SIG_DFL) {
      if (DEFAULT_IGNORED.has(sig)) return;
      this.terminate(sig);
    }
    this.setupFrame(sig, a, info, this.m.cpu.pc);
    if (a.flags & SA.RESETHAND) this.actions[sig] = { handler: SIG_DFL, flags: 0, mask: 0n };
  }

  /**
   * A synchronous fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP): runs the guest's handler
   * with the frame saying `pc` (the faulting instruction, or its branch when in a delay slot).
   * Returns false when there is no handler to run (default, ignored or blocked: the kernel
   * kills the process).
   */
  deliverFault(sig: number, info: SigInfo, pc: number): boolean {
    const a = this.actions[sig];
    if (a.handler === SIG_DFL || a.handler === SIG_IGN || this.blocked & bit(sig)) {
      this.onDeliver?.(sig, info);
      return false;
    }
    this.onDeliver?.(sig, info);
    this.setupFrame(sig, a, info, pc);
    if (a.flags & SA.RESETHAND) this.actions[sig] = { handler: SIG_DFL, flags: 0, mask: 0n };
    return true;
  }

  /** Ends the process as a default signal action does; the shell sees 128 + the host signal number. */
  terminate(sig: number): never {
    throw new StopRun('exit', 128 + hostSignalNumber(sig), `guest killed by signal ${sig} (${signalName(sig)}: ${signalText(sig)})`);
  }

  private setupFrame(sig: number, a: SigAction, info: SigInfo, pc: number): void {
    const cpu = this.m.cpu, r = cpu.r, g = this.g;
    let sp = ((r[29] >>> 0) - 32) >>> 0;
    const onAlt = this.altStack.flags === 0 && sp > this.altStack.sp && sp <= this.altStack.sp + this.altStack.size;
    if (a.flags & SA.ONSTACK && this.altStack.flags === 0 && !onAlt) sp = (this.altStack.sp + this.altStack.size) >>> 0;
    const frame = ((sp - FRAME_SIZE) & ~7) >>> 0;
    try {
      g.zero(frame, FRAME_SIZE);
      // siginfo: MIPS puts si_code before si_errno
      const si = frame + FRAME_INFO;
      g.w32(si, sig);
      g.w32(si + 4, info.code);
      if (info.addr !== undefined) g.w32(si + 12, info.addr);
      else {
        g.w32(si + 12, info.pid ?? this.pid);
        g.w32(si + 16, info.uid ?? this.uid);
      }
      const uc = frame + FRAME_UC;
      g.w32(uc + UC_STACK, this.altStack.sp);
      g.w32(uc + UC_STACK + 4, this.altStack.size);
      g.w32(uc + UC_STACK + 8, this.altStack.flags);
      const sc = uc + UC_MCONTEXT;
      g.w64(sc + SC_PC, BigInt.asIntN(32, BigInt(pc | 0)));
      for (let i = 0; i < 32; i++) g.w64(sc + SC_REGS + 8 * i, r[i]);
      for (let i = 0; i < 32; i++) g.w64(sc + SC_FPREGS + 8 * i, cpu.fw[i] >>> 0);
      g.w32(sc + SC_FPC_CSR, cpu.fcsr);
      g.w32(sc + SC_USED_MATH, 1);
      g.w64(sc + SC_MDHI, r[REG_HI]);
      g.w64(sc + SC_MDLO, r[REG_LO]);
      this.writeSet(uc + UC_SIGMASK, this.blocked);
    } catch {
      // No room for the frame: the kernel forces SIGSEGV.
      this.terminate(SIG.SEGV);
    }
    this.blocked |= a.mask | (a.flags & SA.NODEFER ? 0n : bit(sig));
    this.blocked &= ~UNBLOCKABLE;
    r[4] = sig;
    r[5] = frame + FRAME_INFO;
    r[6] = frame + FRAME_UC;
    r[29] = frame;
    r[31] = SIGTRAMP_ADDR;
    r[25] = a.handler;
    cpu.jumpTo(a.handler);
  }

  /** rt_sigreturn: restores the context saved in the frame at $sp. */
  sigreturn(): void {
    const cpu = this.m.cpu, r = cpu.r, g = this.g;
    const frame = r[29] >>> 0;
    const sc = frame + FRAME_UC + UC_MCONTEXT;
    try {
      const pc = g.u32(sc + SC_PC + (g.bigEndian ? 4 : 0));
      const regs = Array.from({ length: 32 }, (_, i) => g.i32(sc + SC_REGS + 8 * i + (g.bigEndian ? 4 : 0)));
      const fregs = Array.from({ length: 32 }, (_, i) => g.i32(sc + SC_FPREGS + 8 * i + (g.bigEndian ? 4 : 0)));
      const hi = g.i32(sc + SC_MDHI + (g.bigEndian ? 4 : 0)), lo = g.i32(sc + SC_MDLO + (g.bigEndian ? 4 : 0));
      const fcsr = g.i32(sc + SC_FPC_CSR);
      const mask = this.readSet(frame + FRAME_UC + UC_SIGMASK);
      for (let i = 1; i < 32; i++) r[i] = regs[i];
      for (let i = 0; i < 32; i++) cpu.fw[i] = fregs[i];
      r[REG_HI] = hi;
      r[REG_LO] = lo;
      cpu.fcsr = fcsr;
      this.blocked = mask & ALL & ~UNBLOCKABLE;
      cpu.jumpTo(pc);
    } catch {
      this.terminate(SIG.SEGV);
    }
  }
}
