// Linux o32 user-mode environment: the system calls static glibc and musl programs make,
// with the kernel's conventions ($v0 = result or errno, $a3 = 0 or 1; arguments 5 and 6 on the
// stack at $sp+16 and $sp+20) and struct layouts in the guest's byte order. Anything not
// implemented returns ENOSYS.
//
// Modules: linux-start (execve stack and auxv), linux-mm (brk, mmap), linux-fs (descriptors,
// sandboxed files), linux-signals (actions, masks, handler frames), linux-strace (-d strace).
import { ExcCode, GuestException, StopRun } from '../machine/exceptions.js';
import type { Environment, Machine } from '../machine/machine.js';
import { VIRTUAL_EPOCH_MS, VIRTUAL_INSNS_PER_US } from './clock.js';
import { E, GuestFault, GuestMem, NSIG, O, SIG } from './linux-abi.js';
import { LinuxFiles, MAX_FDS, type StatInfo } from './linux-fs.js';
import { LinuxMemory } from './linux-mm.js';
import { LinuxSignals, SI_TKILL, SI_USER } from './linux-signals.js';
import { GUEST_GID, GUEST_UID, LINUX_STACK_SIZE } from './linux-start.js';
import { formatCall, formatResult, formatSignal } from './linux-strace.js';

export { LINUX_STACK_SIZE, LINUX_STACK_TOP, setupLinuxProcess, setupLinuxStack, programHeadersOf } from './linux-start.js';
export const ENOSYS = E.NOSYS;
export const EBADF = E.BADF;
export const EFAULT = E.FAULT;

/** The guest's process id (and thread id): fixed, so runs are reproducible. */
export const GUEST_PID = 1000;

const V0 = 2, A0 = 4, A1 = 5, A2 = 6, A3 = 7, SP = 29;
/** Returned by a syscall that restored the whole register state (sigreturn). */
const NO_RESULT = Symbol('no result');
type SysResult = number | typeof NO_RESULT;

export interface LinuxOptions {
  /** First address after the program image: the program break starts on the next page. */
  programEnd: number;
  /** What readlink("/proc/self/exe") answers. */
  exePath?: string;
  fsRoot?: string | null;
  fsWrite?: boolean;
  /** Guest clocks follow the host clock (default: virtual time from the instruction count). */
  realtime?: boolean;
  /** Seed for getrandom, /dev/urandom and AT_RANDOM. */
  seed?: number;
  /** Which of fds 0, 1, 2 are terminals. */
  ttys?: [boolean, boolean, boolean];
  /** Receives one line per syscall (-d strace). */
  strace?: (line: string) => void;
  /** Receives one-off notes for the user (e.g. file access without --fs-root). */
  notice?: (message: string) => void;
}

/** xoshiro128** seeded through splitmix32: deterministic bytes for getrandom and AT_RANDOM. */
class SeededRandom {
  private s = new Uint32Array(4);
  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }
  next(): number {
    const s = this.s;
    const result = Math.imul(((Math.imul(s[1], 5) << 7) | (Math.imul(s[1], 5) >>> 25)), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t;
    s[3] = (s[3] << 11) | (s[3] >>> 21);
    return result;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.next();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }
}

const NS_PER_INSN = 1000 / VIRTUAL_INSNS_PER_US;
const RLIM_INFINITY_32 = 0x7fffffff; // MIPS o32 getrlimit
const RLIM64_INFINITY = (1n << 64n) - 1n;

export class LinuxEnvironment implements Environment {
  readonly name = 'linux';
  readonly g: GuestMem;
  readonly files: LinuxFiles;
  readonly vm: LinuxMemory;
  readonly signals: LinuxSignals;
  private readonly random: SeededRandom;
  private readonly realtime: boolean;
  private sleptNs = 0n;
  private readonly startHr = process.hrtime.bigint();
  private readonly startWallNs = BigInt(Date.now()) * 1000000n;
  private readonly limits = new Map<number, [bigint, bigint]>();
  private readonly strace?: (line: string) => void;

  constructor(private readonly m: Machine, private readonly opts: LinuxOptions) {
    this.g = new GuestMem(m);
    this.random = new SeededRandom(opts.seed ?? 0);
    this.realtime = !!opts.realtime;
    this.strace = opts.strace;
    this.vm = new LinuxMemory(m, opts.programEnd);
    this.files = new LinuxFiles({
      io: m.io,
      root: opts.fsRoot ?? null,
      writable: !!opts.fsWrite,
      ttys: opts.ttys,
      exePath: opts.exePath ?? '/a.out',
      randomBytes: (n) => this.random.bytes(n),
      onNoRoot: (p) => opts.notice?.(`the guest tried to open "${p}", but it has no file access; pass --fs-root DIR to expose a directory`),
    });
    this.signals = new LinuxSignals(m, this.g, GUEST_PID, GUEST_UID, this.strace ? (sig, info) => this.strace!(`${GUEST_PID} ${formatSignal(sig, info.code, info.pid ?? GUEST_PID, info.uid ?? GUEST_UID, info.addr)}`) : undefined);
    const inf = RLIM64_INFINITY;
    const L: [number, bigint, bigint][] = [
      [0, inf, inf], [1, inf, inf], [2, inf, inf], [3, BigInt(LINUX_STACK_SIZE), inf], [4, 0n, inf],
      [5, BigInt(MAX_FDS), BigInt(MAX_FDS)], [6, inf, inf], [7, inf, inf], [8, 4096n, 4096n], [9, 8n << 20n, 8n << 20n],
      [10, inf, inf], [11, 4096n, 4096n], [12, 819200n, 819200n], [13, 0n, 0n], [14, 0n, 0n], [15, inf, inf],
    ];
    for (const [res, cur, max] of L) this.limits.set(res, [cur, max]);
  }

  /** Bytes from the seeded generator (AT_RANDOM uses the first 16). */
  randomBytes(n: number): Uint8Array {
    return this.random.bytes(n);
  }

  /** Closes host files the guest left open. */
  dispose(): void {
    this.files.closeAll();
  }

  // ---- clocks ----

  private cpuNs(): bigint {
    return BigInt(Math.round(this.m.insnCount * NS_PER_INSN));
  }

  /** Nanoseconds for a clock id, or null for an unknown clock. */
  private clockNs(id: number): bigint | null {
    const virtualMono = this.cpuNs() + this.sleptNs;
    switch (id) {
      case 0: case 5: case 11: // REALTIME, REALTIME_COARSE, TAI
        return this.realtime ? this.startWallNs + (process.hrtime.bigint() - this.startHr) + this.sleptNs : BigInt(VIRTUAL_EPOCH_MS) * 1000000n + virtualMono;
      case 1: case 4: case 6: case 7: // MONOTONIC, MONOTONIC_RAW, MONOTONIC_COARSE, BOOTTIME
        return this.realtime ? process.hrtime.bigint() - this.startHr + this.sleptNs : virtualMono;
      case 2: case 3: // PROCESS_CPUTIME_ID, THREAD_CPUTIME_ID
        return this.realtime ? BigInt(Math.round(process.cpuUsage().user * 1000)) : this.cpuNs();
      default:
        return null;
    }
  }

  private sleepNs(ns: bigint): void {
    if (ns <= 0n) return;
    if (this.realtime) {
      const ms = Number(ns / 1000000n);
      if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(ms, 60_000));
    } else this.sleptNs += ns;
  }

  private writeTimespec(addr: number, ns: bigint, wide: boolean): void {
    const sec = ns / 1000000000n, nsec = ns % 1000000000n;
    if (wide) {
      this.g.w64(addr, sec);
      this.g.w64(addr + 8, nsec);
    } else {
      this.g.w32(addr, Number(BigInt.asIntN(32, sec)));
      this.g.w32(addr + 4, Number(nsec));
    }
  }

  /** A timespec as nanoseconds, or -EINVAL. */
  private readTimespec(addr: number, wide: boolean): bigint | number {
    const sec = wide ? BigInt(this.g.i64(addr)) : BigInt(this.g.i32(addr));
    const nsec = wide ? this.g.i64(addr + 8) : this.g.i32(addr + 4);
    if (sec < 0n || nsec < 0 || nsec >= 1e9) return -E.INVAL;
    return sec * 1000000000n + BigInt(nsec);
  }

  // ---- faults become signals ----

  /**
   * A guest exception: emulates unaligned accesses as the kernel does, otherwise raises the
   * signal; runs the guest's handler if it has one, or ends the run with 128 + the signal.
   */
  fault(m: Machine, e: GuestException): boolean {
    const f = m.fault;
    if (!f) return false;
    let word = 0;
    try {
      word = m.mem.fetch(f.pc);
    } catch {
      /* the fetch itself faulted */
    }
    const at = (sig: number, code: number, addr: number) => ({ sig, info: { code, addr: addr >>> 0 } });
    // break and trap codes 6 and 7 are the compiler's overflow and divide-by-zero checks
    const brk = (code: number) => (code === 7 ? at(SIG.FPE, 1, f.pc) : code === 6 ? at(SIG.FPE, 2, f.pc) : at(SIG.TRAP, 1, f.pc));
    let s: { sig: number; info: { code: number; addr: number } };
    switch (e.code) {
      case ExcCode.DBE: case ExcCode.IBE: case ExcCode.TLBL: case ExcCode.TLBS: case ExcCode.Mod:
        s = at(SIG.SEGV, 1, e.badVAddr ?? f.pc); break; // SEGV_MAPERR
      case ExcCode.AdEL: case ExcCode.AdES:
        if (e.badVAddr !== undefined && e.badVAddr !== f.pc && this.emulateUnaligned(m, word, e)) return true;
        s = at(SIG.BUS, 1, e.badVAddr ?? f.pc); break; // BUS_ADRALN
      case ExcCode.Ov: s = at(SIG.FPE, 2, f.pc); break; // FPE_INTOVF
      case ExcCode.Tr: s = (word & 0xfc000000) === 0 ? brk((word >>> 6) & 0x3ff) : at(SIG.TRAP, 1, f.pc); break;
      case ExcCode.Bp: {
        let code = (word >>> 6) & 0xfffff;
        if (code >= 1024) code = ((code & 0x3ff) << 10) | (code >>> 10);
        s = brk(code);
        break;
      }
      case ExcCode.RI: case ExcCode.CpU: s = at(SIG.ILL, 1, f.pc); break; // ILL_ILLOPC
      case ExcCode.FPE: {
        const cause = (m.cpu.fcsr >>> 12) & 0x3f; // E V Z O U I
        const code = cause & 0x10 ? 7 : cause & 0x8 ? 3 : cause & 0x4 ? 4 : cause & 0x2 ? 5 : 6;
        s = at(SIG.FPE, code, f.pc);
        break;
      }
      default: return false;
    }
    // in a delay slot, the kernel resumes at the branch (EPC) and executes it again
    if (this.signals.deliverFault(s.sig, s.info, f.inDelaySlot ? (f.pc - 4) >>> 0 : f.pc)) return true;
    this.signals.terminate(s.sig); // no handler: killed, like the kernel (m.fault stays for the report)
  }

  /**
   * Linux emulates unaligned loads and stores in user mode (arch/mips/kernel/unaligned.c),
   * and so does qemu-user: performs one bytewise and moves past it. False if the
   * instruction is not one the kernel emulates (ll/sc, for instance, get SIGBUS).
   */
  private emulateUnaligned(m: Machine, word: number, e: GuestException): boolean {
    const op = word >>> 26;
    const sizes: Record<number, number> = { 0x21: 2, 0x23: 4, 0x25: 2, 0x29: 2, 0x2b: 4, 0x31: 4, 0x35: 8, 0x39: 4, 0x3d: 8 };
    const size = sizes[op];
    if (!size) return false;
    const r = m.cpu.r, mem = m.mem, be = mem.bigEndian;
    const rt = (word >>> 16) & 31;
    const addr = (r[(word >>> 21) & 31] + ((word << 16) >> 16)) >>> 0;
    if (e.badVAddr !== undefined && e.badVAddr !== addr) return false;
    const load = (a: number, n: number) => {
      let v = 0;
      for (let i = 0; i < n; i++) v = be ? (v << 8) | mem.read8((a + i) >>> 0) : v | (mem.read8((a + i) >>> 0) << (8 * i));
      return v | 0;
    };
    const store = (a: number, n: number, v: number) => {
      for (let i = 0; i < n; i++) mem.write8((a + i) >>> 0, be ? v >>> (8 * (n - 1 - i)) : v >>> (8 * i));
    };
    try {
      switch (op) {
        case 0x21: r[rt] = (load(addr, 2) << 16) >> 16; break; // lh
        case 0x25: r[rt] = load(addr, 2) & 0xffff; break; // lhu
        case 0x23: r[rt] = load(addr, 4); break; // lw
        case 0x29: store(addr, 2, r[rt]); break; // sh
        case 0x2b: store(addr, 4, r[rt]); break; // sw
        case 0x31: m.cpu.fw[rt] = load(addr, 4); break; // lwc1
        case 0x39: store(addr, 4, m.cpu.fw[rt]); break; // swc1
        case 0x35: { // ldc1: the even register holds the low word
          const w0 = load(addr, 4), w1 = load(addr + 4, 4);
          m.cpu.fw[rt & ~1] = be ? w1 : w0;
          m.cpu.fw[rt | 1] = be ? w0 : w1;
          break;
        }
        case 0x3d: { // sdc1
          const lo = m.cpu.fw[rt & ~1], hi = m.cpu.fw[rt | 1];
          store(addr, 4, be ? hi : lo);
          store(addr + 4, 4, be ? lo : hi);
          break;
        }
      }
    } catch (err) {
      if (err instanceof GuestException) return false;
      throw err;
    }
    r[0] = 0;
    // the state is precise: npc is the fall-through or, in a delay slot, the branch target
    m.cpu.pc = m.cpu.npc;
    m.cpu.npc = (m.cpu.npc + 4) >>> 0;
    m.insnCount++;
    return true;
  }

  // ---- syscall entry ----

  syscall(m: Machine): void {
    const r = m.cpu.r;
    const nr = r[V0];
    const trace = this.strace;
    const callText = trace ? formatCall(this.g, nr, this.traceArgs()) : '';
    let ret: SysResult;
    try {
      ret = this.dispatch(nr, r[A0], r[A1], r[A2], r[A3]);
    } catch (e) {
      if (e instanceof GuestFault) ret = -E.FAULT;
      else {
        if (trace && e instanceof StopRun) trace(`${GUEST_PID} ${callText}`);
        throw e;
      }
    }
    if (ret !== NO_RESULT) {
      const failed = ret < 0 && ret > -4096;
      if (failed) {
        r[V0] = -ret;
        r[A3] = 1;
      } else {
        r[V0] = ret;
        r[A3] = 0;
      }
      if (trace) trace(`${GUEST_PID} ${callText}${formatResult(nr, failed ? -ret : ret, failed)}`);
    } else if (trace) trace(`${GUEST_PID} ${callText}`);
    this.checkTimer();
    if (this.signals.hasDeliverable()) this.signals.deliverPending();
  }

  private traceArgs(): number[] {
    const r = this.m.cpu.r;
    const args = [r[A0], r[A1], r[A2], r[A3], 0, 0];
    try {
      args[4] = this.g.i32(r[SP] + 16);
      args[5] = this.g.i32(r[SP] + 20);
    } catch {
      /* no stack: leave zeros */
    }
    return args;
  }

  /** Stack argument n (4 = fifth argument at $sp+16). */
  private arg(n: number): number {
    return this.g.i32((this.m.cpu.r[SP] >>> 0) + 16 + 4 * (n - 4));
  }

  /** A 64-bit argument from a register or stack pair (hi/lo order follows the byte order). */
  private pair(a: number, b: number): number {
    const [hi, lo] = this.g.bigEndian ? [a, b] : [b, a];
    return (hi | 0) * 4294967296 + (lo >>> 0);
  }

  private dispatch(nr: number, a0: number, a1: number, a2: number, a3: number): SysResult {
    const g = this.g, f = this.files;
    switch (nr - 4000) {
      case 1: // exit
      case 246: // exit_group
        throw new StopRun('exit', a0 & 0xff);
      case 3: return this.readInto(a0, a1, a2, null); // read
      case 4: return this.writeFrom(a0, a1, a2, null); // write
      case 5: return f.openat(-100, g.path(a0), a1, a2); // open
      case 6: return f.close(a0);
      case 8: return f.openat(-100, g.path(a0), O.CREAT | O.WRONLY | O.TRUNC, a1); // creat
      case 10: return f.unlink(-100, g.path(a0), false);
      case 12: return f.chdir(g.path(a0));
      case 13: { // time
        const sec = Number(this.clockNs(0)! / 1000000000n);
        if (a0) g.w32(a0, sec);
        return sec;
      }
      case 19: { // lseek
        const pos = f.seek(a0, a1 | 0, a2);
        return pos > 0x7fffffff ? -E.OVERFLOW : pos;
      }
      case 20: case 222: case 252: return GUEST_PID; // getpid, gettid, set_tid_address
      case 24: case 49: return GUEST_UID; // getuid, geteuid
      case 47: case 50: return GUEST_GID; // getgid, getegid
      case 64: return 1; // getppid
      case 65: case 66: case 132: case 151: return GUEST_PID; // getpgrp, setsid, getpgid, getsid
      case 33: return f.access(-100, g.path(a0), a1);
      case 37: return this.kill(a0 | 0, a1, SI_USER); // kill
      case 38: return f.rename(-100, g.path(a0), -100, g.path(a1));
      case 39: return f.mkdir(-100, g.path(a0), a1);
      case 40: return f.unlink(-100, g.path(a0), true);
      case 41: return f.dup(a0);
      case 43: return this.times(a0);
      case 45: return this.vm.setBrk(a0);
      case 54: return this.ioctl(a0, a1 >>> 0, a2);
      case 55: case 220: return this.fcntl(a0, a1, a2);
      case 60: { const old = f.umask; f.umask = a0 & 0o777; return old; }
      case 63: return f.dup3(a0, a1, -1); // dup2
      case 75: return this.setrlimit(a0, a1, false);
      case 76: return this.getrlimit(a0, a1);
      case 77: return this.getrusage(a1);
      case 78: { // gettimeofday
        const ns = this.clockNs(0)!;
        if (a0) { g.w32(a0, Number(ns / 1000000000n)); g.w32(a0 + 4, Number((ns % 1000000000n) / 1000n)); }
        if (a1) { g.w32(a1, 0); g.w32(a1 + 4, 0); }
        return 0;
      }
      case 85: return this.readlink(-100, a0, a1, a2);
      case 90: return this.mmap(a0, a1, a2, a3, this.arg(4), this.arg(5) >>> 0); // mmap (byte offset)
      case 210: return this.mmap(a0, a1, a2, a3, this.arg(4), (this.arg(5) >>> 0) * 4096); // mmap2
      case 91: return this.vm.munmap(a0, a1 >>> 0);
      case 92: return f.truncatePath(g.path(a0), a1 | 0);
      case 93: return f.truncate(a0, a1 | 0);
      case 211: return f.truncatePath(g.path(a0), this.pair(a2, a3)); // truncate64
      case 212: return f.truncate(a0, this.pair(a2, a3)); // ftruncate64
      case 116: return this.sysinfo(a0);
      case 118: case 152: return f.isOpen(a0) ? 0 : -E.BADF; // fsync, fdatasync
      case 122: return this.uname(a0);
      case 125: return this.vm.mprotect(a0, a1 >>> 0, a2);
      case 133: return f.fchdir(a0);
      case 15: return f.chmod(-100, g.path(a0), a1); // chmod
      case 94: return f.fchmod(a0, a1); // fchmod
      case 299: return f.chmod(a0 | 0, g.path(a1), a2); // fchmodat
      case 140: { // _llseek(fd, hi, lo, result, whence)
        const pos = f.seek(a0, (a1 | 0) * 4294967296 + (a2 >>> 0), this.arg(4));
        if (pos < 0) return pos;
        g.w64(a3, pos);
        return 0;
      }
      case 145: return this.readv(a0, a1, a2);
      case 146: return this.writev(a0, a1, a2);
      case 147: case 148: return 0; // cacheflush, cachectl
      case 162: return 0; // sched_yield
      case 27: return this.alarm(a0 >>> 0); // alarm
      case 29: return this.pause(); // pause
      case 104: return this.setitimer(a0, a1, a2); // setitimer
      case 105: return this.setitimer(a0, 0, a1); // getitimer
      case 166: return this.nanosleep(0, 0, a0, false, a1); // nanosleep
      case 167: return this.vm.mremap(a0, a1 >>> 0, a2 >>> 0, a3, this.arg(4));
      case 119: case 193: this.signals.sigreturn(); return NO_RESULT; // sigreturn, rt_sigreturn
      case 194: return this.signals.sigaction(a0, a1, a2, a3);
      case 195: return this.signals.sigprocmask(a0, a1, a2, a3);
      case 196: return this.signals.sigpending(a0);
      case 200: return this.readInto(a0, a1, a2, this.pair(this.arg(4), this.arg(5))); // pread64
      case 201: return this.writeFrom(a0, a1, a2, this.pair(this.arg(4), this.arg(5))); // pwrite64
      case 203: { // getcwd
        const cwd = new TextEncoder().encode(f.cwd);
        if (a1 >>> 0 < cwd.length + 1) return -E.RANGE;
        g.writeCString(a0, cwd);
        return cwd.length + 1;
      }
      case 206: return this.signals.sigaltstack(a0, a1);
      case 213: case 214: { // stat64, lstat64
        const st = f.stat(-100, g.path(a0), nr - 4000 === 213);
        return typeof st === 'number' ? st : this.writeStat64(a1, st);
      }
      case 215: { // fstat64
        const st = f.fstat(a0);
        return typeof st === 'number' ? st : this.writeStat64(a1, st);
      }
      case 293: { // fstatat64 (newfstatat)
        const st = this.statAt(a0, a1, a3);
        return typeof st === 'number' ? st : this.writeStat64(a2, st);
      }
      case 366: { // statx(dirfd, path, flags, mask, buf)
        const st = this.statAt(a0, a1, a2);
        return typeof st === 'number' ? st : this.writeStatx(this.arg(4), st);
      }
      case 218: return 0; // madvise
      case 219: return this.getdents64(a0, a1, a2 >>> 0);
      case 236: return a0 === GUEST_PID ? this.kill(GUEST_PID, a1, SI_TKILL) : -E.SRCH; // tkill
      case 266: return a0 === GUEST_PID && a1 === GUEST_PID ? this.kill(GUEST_PID, a2, SI_TKILL) : -E.SRCH; // tgkill
      case 238: return this.futex(a0, a1, a2);
      case 240: { // sched_getaffinity(pid, size, mask)
        if (a1 >>> 0 < 4) return -E.INVAL;
        g.zero(a2, Math.min(a1 >>> 0, 128));
        g.w32(a2, 1);
        return Math.min(a1 >>> 0, 128) & ~3;
      }
      case 263: return this.clockGettime(a0, a1, false);
      case 403: return this.clockGettime(a0, a1, true);
      case 264: case 406: { // clock_getres, clock_getres_time64
        if (this.clockNs(a0) === null) return -E.INVAL;
        if (a1) this.writeTimespec(a1, this.realtime ? 1n : BigInt(Math.max(1, Math.round(NS_PER_INSN))), nr - 4000 === 406);
        return 0;
      }
      case 265: return this.nanosleep(a0, a1, a2, false, a3); // clock_nanosleep
      case 407: return this.nanosleep(a0, a1, a2, true, a3); // clock_nanosleep_time64
      case 283: this.m.cpu.userLocal = a0; return 0; // set_thread_area
      case 288: return f.openat(a0 | 0, g.path(a1), a2, a3);
      case 289: return f.mkdir(a0 | 0, g.path(a1), a2);
      case 294: return a2 & ~0x200 ? -E.INVAL : f.unlink(a0 | 0, g.path(a1), (a2 & 0x200) !== 0); // unlinkat
      case 295: return f.rename(a0 | 0, g.path(a1), a2 | 0, g.path(a3)); // renameat
      case 351: return this.arg(4) ? -E.INVAL : f.rename(a0 | 0, g.path(a1), a2 | 0, g.path(a3)); // renameat2
      case 298: return this.readlink(a0 | 0, a1, a2, a3);
      case 300: return f.access(a0 | 0, g.path(a1), a2); // faccessat
      case 439: return f.access(a0 | 0, g.path(a1), a2); // faccessat2
      case 309: return 0; // set_robust_list
      case 312: { if (a0) g.w32(a0, 0); if (a1) g.w32(a1, 0); return 0; } // getcpu
      case 327: return a2 & ~O.CLOEXEC ? -E.INVAL : a0 === a1 ? -E.INVAL : f.dup3(a0, a1, a2); // dup3
      case 338: return this.prlimit(a0, a1, a2, a3);
      case 353: { // getrandom
        if (a2 & ~7) return -E.INVAL;
        const n = Math.min(a1 >>> 0, 1 << 25);
        g.writeBytes(a0, this.random.bytes(n));
        return n;
      }
      default:
        return -E.NOSYS;
    }
  }

  // ---- I/O ----

  private readInto(fd: number, buf: number, count: number, offset: number | null): number {
    if ((count | 0) < 0) return -E.INVAL;
    const data = this.files.read(fd, count >>> 0, offset);
    if (typeof data === 'number') return data;
    this.g.writeBytes(buf, data);
    return data.length;
  }

  private writeFrom(fd: number, buf: number, count: number, offset: number | null): number {
    if ((count | 0) < 0) return -E.INVAL;
    if (!this.files.isOpen(fd)) return -E.BADF;
    // at most 16 MiB per call (a short write, as the kernel may do)
    return this.files.write(fd, this.g.bytes(buf, Math.min(count >>> 0, 1 << 24)), offset);
  }

  private iovecs(iov: number, cnt: number): [number, number][] | number {
    if (cnt < 0 || cnt > 1024) return -E.INVAL;
    const out: [number, number][] = [];
    for (let i = 0; i < cnt; i++) {
      const len = this.g.i32(iov + 8 * i + 4);
      if (len < 0) return -E.INVAL;
      out.push([this.g.u32(iov + 8 * i), len]);
    }
    return out;
  }

  private writev(fd: number, iov: number, cnt: number): number {
    const v = this.iovecs(iov, cnt);
    if (typeof v === 'number') return v;
    if (!this.files.isOpen(fd)) return -E.BADF;
    let room = 1 << 24; // at most 16 MiB per call
    const parts = v.map(([b, l]) => {
      const n = Math.min(l, room);
      room -= n;
      return this.g.bytes(b, n);
    });
    const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) { all.set(p, o); o += p.length; }
    return this.files.write(fd, all);
  }

  private readv(fd: number, iov: number, cnt: number): number {
    const v = this.iovecs(iov, cnt);
    if (typeof v === 'number') return v;
    let total = 0;
    for (const [b, l] of v) {
      if (l === 0) continue;
      const data = this.files.read(fd, l);
      if (typeof data === 'number') return total > 0 ? total : data;
      this.g.writeBytes(b, data);
      total += data.length;
      if (data.length < l) break;
    }
    return total;
  }

  private ioctl(fd: number, req: number, arg: number): number {
    const f = this.files;
    if (!f.isOpen(fd)) return -E.BADF;
    const tty = f.isTty(fd);
    switch (req) {
      case 0x540d: // TCGETS
        if (!tty) return -E.NOTTY;
        this.g.zero(arg, 40);
        this.g.w32(arg, 0x500); // ICRNL|IXON
        this.g.w32(arg + 4, 0x5); // OPOST|ONLCR
        this.g.w32(arg + 8, 0x4bf); // B38400|CS8|CREAD|HUPCL
        this.g.w32(arg + 12, 0xb3b); // ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE
        return 0;
      case 0x540e: case 0x540f: case 0x5410: // TCSETS*
        return tty ? 0 : -E.NOTTY;
      case 0x40087468: { // TIOCGWINSZ
        if (!tty) return -E.NOTTY;
        const rows = process.stdout.rows ?? 24, cols = process.stdout.columns ?? 80;
        this.g.w16(arg, rows); this.g.w16(arg + 2, cols); this.g.w16(arg + 4, 0); this.g.w16(arg + 6, 0);
        return 0;
      }
      case 0x40047477: // TIOCGPGRP
        if (!tty) return -E.NOTTY;
        this.g.w32(arg, GUEST_PID);
        return 0;
      case 0x467f: // FIONREAD
        this.g.w32(arg, 0);
        return 0;
      case 0x667e: // FIONBIO
        return 0;
      default:
        return -E.NOTTY;
    }
  }

  private fcntl(fd: number, cmd: number, arg: number): number {
    const f = this.files;
    const file = f.get(fd);
    if (!file) return -E.BADF;
    switch (cmd) {
      case 0: return f.dup(fd, arg, false); // F_DUPFD
      case 1030: return f.dup(fd, arg, true); // F_DUPFD_CLOEXEC
      case 1: return f.getCloexec(fd) ? 1 : 0; // F_GETFD
      case 2: f.setCloexec(fd, (arg & 1) !== 0); return 0; // F_SETFD
      case 3: return file.flags | (file.kind === 'file' || file.kind === 'dir' ? O.LARGEFILE : 0); // F_GETFL
      case 4: file.flags = (file.flags & ~(O.APPEND | O.NONBLOCK)) | (arg & (O.APPEND | O.NONBLOCK)); return 0; // F_SETFL
      case 14: case 33: this.g.w16(arg, 2); return 0; // F_GETLK(64): F_UNLCK
      case 6: case 7: case 34: case 35: return 0; // F_SETLK(W)(64)
      default: return -E.INVAL;
    }
  }

  private readlink(dirfd: number, path: number, buf: number, size: number): number {
    if ((size | 0) <= 0) return -E.INVAL;
    const target = this.files.readlink(dirfd, this.g.path(path));
    if (typeof target === 'number') return target;
    const n = Math.min(target.length, size >>> 0);
    this.g.writeBytes(buf, target.subarray(0, n));
    return n;
  }

  private getdents64(fd: number, buf: number, size: number): number {
    const d = this.files.dirEntries(fd);
    if (typeof d === 'number') return d;
    const enc = new TextEncoder();
    let off = 0;
    while (d.file.pos < d.entries.length) {
      const e = d.entries[d.file.pos];
      const name = enc.encode(e.name);
      const reclen = (19 + name.length + 1 + 7) & ~7;
      if (off + reclen > size) {
        if (off === 0) return -E.INVAL;
        break;
      }
      const rec = buf + off;
      this.g.w64(rec, e.ino);
      this.g.w64(rec + 8, d.file.pos + 1);
      this.g.w16(rec + 16, reclen);
      this.g.w8(rec + 18, e.type);
      const nameBytes = new Uint8Array(reclen - 19);
      nameBytes.set(name);
      this.g.writeBytes(rec + 19, nameBytes);
      off += reclen;
      d.file.pos++;
    }
    return off;
  }

  // ---- stat ----

  private statAt(dirfd: number, pathPtr: number, flags: number): StatInfo | number {
    const path = pathPtr ? Buffer.from(this.g.cstring(pathPtr, 4096)).toString('utf8') : '';
    if (path === '') {
      if (!(flags & 0x1000)) return -E.NOENT; // AT_EMPTY_PATH
      if ((dirfd | 0) === -100) return this.files.stat(-100, '.', true);
      return this.files.fstat(dirfd);
    }
    return this.files.stat(dirfd | 0, path, !(flags & 0x100));
  }

  /** struct stat64 (o32, 104 bytes). */
  private writeStat64(a: number, s: StatInfo): number {
    const g = this.g;
    g.zero(a, 104);
    g.w32(a, s.dev);
    g.w64(a + 16, s.ino);
    g.w32(a + 24, s.mode);
    g.w32(a + 28, s.nlink);
    g.w32(a + 32, s.uid);
    g.w32(a + 36, s.gid);
    g.w32(a + 40, s.rdev);
    g.w64(a + 56, s.size);
    const t = (o: number, ns: bigint) => { g.w32(a + o, Number(BigInt.asIntN(32, ns / 1000000000n))); g.w32(a + o + 4, Number(ns % 1000000000n)); };
    t(64, s.atimeNs);
    t(72, s.mtimeNs);
    t(80, s.ctimeNs);
    g.w32(a + 88, s.blksize);
    g.w64(a + 96, s.blocks);
    return 0;
  }

  /** struct statx (256 bytes). */
  private writeStatx(a: number, s: StatInfo): number {
    const g = this.g;
    g.zero(a, 256);
    g.w32(a, 0x7ff | (s.birthtimeNs ? 0x800 : 0)); // STATX_BASIC_STATS (| STATX_BTIME)
    g.w32(a + 4, s.blksize);
    g.w32(a + 16, s.nlink);
    g.w32(a + 20, s.uid);
    g.w32(a + 24, s.gid);
    g.w16(a + 28, s.mode & 0xffff);
    g.w64(a + 32, s.ino);
    g.w64(a + 40, s.size);
    g.w64(a + 48, s.blocks);
    const t = (o: number, ns: bigint) => { g.w64(a + o, ns / 1000000000n); g.w32(a + o + 8, Number(ns % 1000000000n)); };
    t(64, s.atimeNs);
    t(80, s.birthtimeNs);
    t(96, s.ctimeNs);
    t(112, s.mtimeNs);
    const major = (d: number) => (d >>> 8) & 0xfff, minor = (d: number) => (d & 0xff) | ((d >>> 12) & 0xfff00);
    g.w32(a + 128, major(s.rdev));
    g.w32(a + 132, minor(s.rdev));
    g.w32(a + 136, major(s.dev));
    g.w32(a + 140, minor(s.dev));
    return 0;
  }

  // ---- memory ----

  private mmap(addr: number, len: number, prot: number, flags: number, fd: number, offset: number): number {
    len >>>= 0;
    if (offset % 4096) return -E.INVAL;
    const anon = (flags & 0x800) !== 0;
    let data: Uint8Array | null = null;
    if (!anon) {
      const file = this.files.get(fd);
      if (!file) return -E.BADF;
      if ((flags & 0xf) === 1 && prot & 2 && !file.writable) return -E.ACCES;
      const c = this.files.contents(fd, offset, len);
      if (typeof c === 'number') return c;
      data = c;
    }
    const start = this.vm.mmap(addr, len, prot, flags, anon ? 'mmap' : 'mmap-file');
    if (start < 0) return start;
    if (data && data.length) this.g.writeBytes(start, data);
    return start;
  }

  // ---- processes, signals, time ----

  private kill(pid: number, sig: number, code: number): number {
    if (pid !== GUEST_PID && pid !== 0 && pid !== -1 && pid !== -GUEST_PID) return -E.SRCH;
    if (sig < 0 || sig > NSIG) return -E.INVAL;
    if (sig === 0) return 0;
    this.signals.raise(sig, { code, pid: GUEST_PID, uid: GUEST_UID });
    return 0;
  }

  private futex(uaddr: number, op: number, val: number): number {
    switch (op & 0x7f) {
      case 1: return 0; // FUTEX_WAKE: nobody else is waiting
      case 0: case 9: // FUTEX_WAIT, FUTEX_WAIT_BITSET: with one thread, nobody can wake us
        return this.g.i32(uaddr) !== (val | 0) ? -E.AGAIN : -E.TIMEDOUT;
      default: return -E.NOSYS;
    }
  }

  private clockGettime(id: number, addr: number, wide: boolean): number {
    const ns = this.clockNs(id);
    if (ns === null) return -E.INVAL;
    this.writeTimespec(addr, ns, wide);
    return 0;
  }

  /** nanosleep (clock 0, no flags) and clock_nanosleep; req/rem are timespecs. */
  private nanosleep(clock: number, flags: number, req: number, wide: boolean, rem = 0): number {
    const want = this.readTimespec(req, wide);
    if (typeof want === 'number') return want;
    const now = this.clockNs(clock);
    if (now === null) return -E.INVAL;
    const ns = flags & 1 ? want - now : want; // TIMER_ABSTIME
    const untilAlarm = this.timerDeadline ? this.timerDeadline - this.clockNs(1)! : null;
    if (untilAlarm !== null && untilAlarm < ns && this.signalWouldInterrupt(SIG.ALRM)) {
      // the interval timer fires first: sleep until then; SIGALRM interrupts the sleep
      this.sleepNs(untilAlarm);
      if (rem && !(flags & 1)) this.writeTimespec(rem, ns - (untilAlarm > 0n ? untilAlarm : 0n), wide);
      return -E.INTR;
    }
    this.sleepNs(ns);
    return 0;
  }

  // ---- ITIMER_REAL and alarm(2), on the monotonic clock (virtual by default) ----

  /** Monotonic time at which SIGALRM is due (0n: disarmed), and the reload interval. */
  private timerDeadline = 0n;
  private timerInterval = 0n;

  /** Raises SIGALRM when the timer is due (checked at every syscall). */
  private checkTimer(): void {
    if (!this.timerDeadline) return;
    const now = this.clockNs(1)!;
    if (now < this.timerDeadline) return;
    if (this.timerInterval) {
      const missed = (now - this.timerDeadline) / this.timerInterval;
      this.timerDeadline += (missed + 1n) * this.timerInterval;
    } else this.timerDeadline = 0n;
    this.signals.raise(SIG.ALRM, { code: 0x80 /* SI_KERNEL */, pid: 0, uid: 0 });
  }

  /** Would SIGALRM end a sleep now: not ignored, not blocked. */
  private signalWouldInterrupt(sig: number): boolean {
    const a = this.signals.action(sig);
    return a.handler !== 1 && !(this.signals.blocked & (1n << BigInt(sig - 1)));
  }

  private setTimer(valueNs: bigint, intervalNs: bigint): void {
    this.timerDeadline = valueNs > 0n ? this.clockNs(1)! + valueNs : 0n;
    this.timerInterval = valueNs > 0n ? intervalNs : 0n;
  }

  private timerLeftNs(): bigint {
    if (!this.timerDeadline) return 0n;
    const left = this.timerDeadline - this.clockNs(1)!;
    return left > 0n ? left : 1n;
  }

  private alarm(sec: number): number {
    const left = this.timerLeftNs();
    this.setTimer(BigInt(sec) * 1000000000n, 0n);
    return Number((left + 999999999n) / 1000000000n); // seconds left, rounded up
  }

  /** setitimer(which, new, old) / getitimer (new = 0). Only ITIMER_REAL. */
  private setitimer(which: number, newp: number, oldp: number): number {
    if (which !== 0) return which === 1 || which === 2 ? -E.NOSYS : -E.INVAL;
    const tv = (a: number) => {
      const sec = this.g.i32(a), usec = this.g.i32(a + 4);
      return sec < 0 || usec < 0 || usec >= 1000000 ? null : BigInt(sec) * 1000000000n + BigInt(usec) * 1000n;
    };
    let next: [bigint, bigint] | null = null;
    if (newp) {
      const interval = tv(newp), value = tv(newp + 8);
      if (interval === null || value === null) return -E.INVAL;
      next = [value, interval];
    }
    if (oldp) {
      const put = (a: number, ns: bigint) => { this.g.w32(a, Number(ns / 1000000000n)); this.g.w32(a + 4, Number((ns % 1000000000n) / 1000n)); };
      put(oldp, this.timerInterval);
      put(oldp + 8, this.timerLeftNs());
    }
    if (next) this.setTimer(next[0], next[1]);
    return 0;
  }

  /** pause(): with a timer armed, sleeps until it fires; otherwise nothing could wake the guest. */
  private pause(): number {
    if (this.signals.hasDeliverable()) return -E.INTR;
    if (!this.timerDeadline || !this.signalWouldInterrupt(SIG.ALRM)) {
      throw new StopRun('timeout', 0, 'the guest called pause() with no timer or signal that could wake it');
    }
    this.sleepNs(this.timerDeadline - this.clockNs(1)!);
    return -E.INTR;
  }

  private times(buf: number): number {
    const ticks = Number(this.cpuNs() / 10000000n);
    if (buf) {
      this.g.w32(buf, ticks);
      this.g.w32(buf + 4, 0);
      this.g.w32(buf + 8, 0);
      this.g.w32(buf + 12, 0);
    }
    return Number(this.clockNs(1)! / 10000000n) & 0x7fffffff;
  }

  private getrusage(buf: number): number {
    this.g.zero(buf, 72);
    const ns = this.clockNs(2)!;
    this.g.w32(buf, Number(ns / 1000000000n));
    this.g.w32(buf + 4, Number((ns % 1000000000n) / 1000n));
    this.g.w32(buf + 16, Math.round(this.m.mem.allocatedBytes / 1024)); // ru_maxrss (KiB)
    return 0;
  }

  private sysinfo(buf: number): number {
    const g = this.g;
    g.zero(buf, 64);
    g.w32(buf, Number(this.clockNs(1)! / 1000000000n));
    g.w32(buf + 16, this.m.mem.capBytes);
    g.w32(buf + 20, Math.max(0, this.m.mem.capBytes - this.m.mem.allocatedBytes));
    g.w16(buf + 40, 1); // procs
    g.w32(buf + 52, 1); // mem_unit
    return 0;
  }

  private uname(buf: number): number {
    const fields = ['Linux', 'asmbox', '6.1.0', '#1 SMP asmbox', 'mips', '(none)'];
    fields.forEach((s, i) => this.g.writeCString(buf + 65 * i, s, 65));
    return 0;
  }

  private getrlimit(res: number, buf: number): number {
    const l = this.limits.get(res);
    if (!l) return -E.INVAL;
    const clamp = (v: bigint) => (v >= BigInt(RLIM_INFINITY_32) ? RLIM_INFINITY_32 : Number(v));
    this.g.w32(buf, clamp(l[0]));
    this.g.w32(buf + 4, clamp(l[1]));
    return 0;
  }

  private setrlimit(res: number, buf: number, wide: boolean): number {
    const l = this.limits.get(res);
    if (!l) return -E.INVAL;
    const rd = (i: number) => {
      if (wide) return BigInt.asUintN(64, BigInt(this.g.i64(buf + 8 * i)));
      const v = this.g.u32(buf + 4 * i);
      return v === RLIM_INFINITY_32 ? RLIM64_INFINITY : BigInt(v);
    };
    const cur = rd(0), max = rd(1);
    if (cur > max) return -E.INVAL;
    if (max > l[1]) return -E.PERM;
    this.limits.set(res, [cur, max]);
    return 0;
  }

  private prlimit(pid: number, res: number, newp: number, oldp: number): number {
    if (pid !== 0 && pid !== GUEST_PID) return -E.SRCH;
    const l = this.limits.get(res);
    if (!l) return -E.INVAL;
    if (oldp) {
      this.g.w64(oldp, l[0]);
      this.g.w64(oldp + 8, l[1]);
    }
    if (newp) return this.setrlimit(res, newp, true);
    return 0;
  }
}

