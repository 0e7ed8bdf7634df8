// MIPS o32 Linux ABI constants: errno and signal numbers (both differ from x86), flag bits,
// and guest-memory helpers that read and write structs in the guest's byte order.
import type { Machine } from '../machine/machine.js';
import { GuestException } from '../machine/exceptions.js';

// ---- errno (MIPS numbering) ----
export const E = {
  PERM: 1, NOENT: 2, SRCH: 3, INTR: 4, IO: 5, NXIO: 6, E2BIG: 7, NOEXEC: 8, BADF: 9, CHILD: 10,
  AGAIN: 11, NOMEM: 12, ACCES: 13, FAULT: 14, BUSY: 16, EXIST: 17, XDEV: 18, NODEV: 19,
  NOTDIR: 20, ISDIR: 21, INVAL: 22, NFILE: 23, MFILE: 24, NOTTY: 25, FBIG: 27, NOSPC: 28,
  SPIPE: 29, ROFS: 30, MLINK: 31, PIPE: 32, DOM: 33, RANGE: 34, NAMETOOLONG: 78, OVERFLOW: 79,
  NOSYS: 89, LOOP: 90, NOTEMPTY: 93, NOTSOCK: 95, OPNOTSUPP: 122, TIMEDOUT: 145,
} as const;

const ERRNO_TEXT: Record<number, string> = {
  1: 'Operation not permitted', 2: 'No such file or directory', 3: 'No such process',
  4: 'Interrupted system call', 5: 'Input/output error', 6: 'No such device or address',
  7: 'Argument list too long', 8: 'Exec format error', 9: 'Bad file descriptor', 10: 'No child processes',
  11: 'Resource temporarily unavailable', 12: 'Cannot allocate memory', 13: 'Permission denied',
  14: 'Bad address', 16: 'Device or resource busy', 17: 'File exists', 18: 'Invalid cross-device link',
  19: 'No such device', 20: 'Not a directory', 21: 'Is a directory', 22: 'Invalid argument',
  23: 'Too many open files in system', 24: 'Too many open files', 25: 'Inappropriate ioctl for device',
  27: 'File too large', 28: 'No space left on device', 29: 'Illegal seek', 30: 'Read-only file system',
  31: 'Too many links', 32: 'Broken pipe', 33: 'Numerical argument out of domain',
  34: 'Numerical result out of range', 78: 'File name too long', 79: 'Value too large for defined data type',
  89: 'Function not implemented', 90: 'Too many levels of symbolic links', 93: 'Directory not empty',
  95: 'Socket operation on non-socket', 122: 'Operation not supported', 145: 'Connection timed out',
};

export function errnoText(e: number): string {
  return ERRNO_TEXT[e] ?? `Unknown error ${e}`;
}

/** Host (Node) error codes to MIPS errno. */
export function hostErrno(err: unknown): number {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT': return E.NOENT;
    case 'EACCES': return E.ACCES;
    case 'EPERM': return E.PERM;
    case 'EEXIST': return E.EXIST;
    case 'ENOTDIR': return E.NOTDIR;
    case 'EISDIR': return E.ISDIR;
    case 'EINVAL': return E.INVAL;
    case 'EMFILE': return E.MFILE;
    case 'ENFILE': return E.NFILE;
    case 'ENOSPC': return E.NOSPC;
    case 'EROFS': return E.ROFS;
    case 'ENOTEMPTY': return E.NOTEMPTY;
    case 'ELOOP': return E.LOOP;
    case 'ENAMETOOLONG': return E.NAMETOOLONG;
    case 'EBADF': return E.BADF;
    case 'EXDEV': return E.XDEV;
    case 'ESPIPE': return E.SPIPE;
    case 'EFBIG': return E.FBIG;
    case 'EAGAIN': return E.AGAIN;
    case 'EBUSY': return E.BUSY;
    default: return E.IO;
  }
}

// ---- signals (MIPS numbering) ----
export const SIG = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, EMT: 7, FPE: 8, KILL: 9, BUS: 10, SEGV: 11,
  SYS: 12, PIPE: 13, ALRM: 14, TERM: 15, USR1: 16, USR2: 17, CHLD: 18, PWR: 19, WINCH: 20, URG: 21,
  IO: 22, STOP: 23, TSTP: 24, CONT: 25, TTIN: 26, TTOU: 27, VTALRM: 28, PROF: 29, XCPU: 30, XFSZ: 31,
} as const;
export const NSIG = 128;

const SIG_NAMES: Record<number, string> = Object.fromEntries(Object.entries(SIG).map(([k, v]) => [v, 'SIG' + k]));
export function signalName(sig: number): string {
  if (sig === SIG.ABRT) return 'SIGABRT';
  return SIG_NAMES[sig] ?? (sig >= 32 && sig < NSIG ? `SIGRT${sig - 32}` : String(sig));
}

/** The host (x86/generic Linux) number of a MIPS signal: what a shell sees as 128+n under qemu. */
const HOST_SIGNAL: Record<number, number> = {
  1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9, 10: 7, 11: 11, 12: 31, 13: 13, 14: 14, 15: 15,
  16: 10, 17: 12, 18: 17, 19: 30, 20: 28, 21: 23, 22: 29, 23: 19, 24: 20, 25: 18, 26: 21, 27: 22,
  28: 26, 29: 27, 30: 24, 31: 25,
};
export function hostSignalNumber(sig: number): number {
  return HOST_SIGNAL[sig] ?? sig;
}

/** strsignal() texts, as qemu prints them for an uncaught signal. */
const SIG_TEXT: Record<number, string> = {
  1: 'Hangup', 2: 'Interrupt', 3: 'Quit', 4: 'Illegal instruction', 5: 'Trace/breakpoint trap',
  6: 'Aborted', 7: 'EMT trap', 8: 'Floating point exception', 9: 'Killed', 10: 'Bus error',
  11: 'Segmentation fault', 12: 'Bad system call', 13: 'Broken pipe', 14: 'Alarm clock', 15: 'Terminated',
  16: 'User defined signal 1', 17: 'User defined signal 2', 18: 'Child exited', 19: 'Power failure',
  20: 'Window changed', 21: 'Urgent I/O condition', 22: 'I/O possible', 23: 'Stopped (signal)', 24: 'Stopped',
  25: 'Continued', 26: 'Stopped (tty input)', 27: 'Stopped (tty output)', 28: 'Virtual timer expired',
  29: 'Profiling timer expired', 30: 'CPU time limit exceeded', 31: 'File size limit exceeded',
};
export function signalText(sig: number): string {
  return SIG_TEXT[sig] ?? `Real-time signal ${sig - 32}`;
}

/** Signals whose default action is to do nothing. */
export const DEFAULT_IGNORED = new Set<number>([SIG.CHLD, SIG.PWR, SIG.WINCH, SIG.URG, SIG.CONT]);
/** Signals whose default action dumps core. */
export const DEFAULT_CORE = new Set<number>([SIG.QUIT, SIG.ILL, SIG.TRAP, SIG.ABRT, SIG.EMT, SIG.FPE, SIG.BUS, SIG.SEGV, SIG.SYS, SIG.XCPU, SIG.XFSZ]);

export const SA = { NOCLDSTOP: 0x1, SIGINFO: 0x8, NOCLDWAIT: 0x10000, ONSTACK: 0x08000000, RESTART: 0x10000000, NODEFER: 0x40000000, RESETHAND: 0x80000000 } as const;
export const SIG_DFL = 0, SIG_IGN = 1;
export const SIG_BLOCK = 1, SIG_UNBLOCK = 2, SIG_SETMASK = 3;

// ---- open(2), mmap(2), *at(2) flags (MIPS values) ----
export const O = {
  ACCMODE: 3, RDONLY: 0, WRONLY: 1, RDWR: 2, APPEND: 0x8, DSYNC: 0x10, NONBLOCK: 0x80, CREAT: 0x100,
  TRUNC: 0x200, EXCL: 0x400, NOCTTY: 0x800, LARGEFILE: 0x2000, SYNC: 0x4010, DIRECT: 0x8000,
  DIRECTORY: 0x10000, NOFOLLOW: 0x20000, NOATIME: 0x40000, CLOEXEC: 0x80000, PATH: 0x200000, TMPFILE: 0x400000,
} as const;
export const PROT = { READ: 1, WRITE: 2, EXEC: 4 } as const;
export const MAP = { SHARED: 1, PRIVATE: 2, TYPE: 0xf, FIXED: 0x10, NORESERVE: 0x400, ANONYMOUS: 0x800, GROWSDOWN: 0x1000, DENYWRITE: 0x2000, EXECUTABLE: 0x4000, LOCKED: 0x8000, POPULATE: 0x10000, NONBLOCK: 0x20000, STACK: 0x40000, HUGETLB: 0x80000, FIXED_NOREPLACE: 0x100000 } as const;
export const AT = { FDCWD: -100, SYMLINK_NOFOLLOW: 0x100, REMOVEDIR: 0x200, SYMLINK_FOLLOW: 0x400, NO_AUTOMOUNT: 0x800, EMPTY_PATH: 0x1000 } as const;

/** Names for bit sets in strace output. */
export function flagNames(v: number, table: [number, string][], zero = '0'): string {
  const parts: string[] = [];
  let rest = v >>> 0;
  for (const [bit, name] of table) {
    if (bit !== 0 && (rest & bit) === bit) { parts.push(name); rest = (rest & ~bit) >>> 0; }
  }
  if (rest) parts.push('0x' + rest.toString(16));
  return parts.length ? parts.join('|') : zero;
}

export const OPEN_FLAG_NAMES: [number, string][] = [
  [O.APPEND, 'O_APPEND'], [O.SYNC, 'O_SYNC'], [O.DSYNC, 'O_DSYNC'], [O.NONBLOCK, 'O_NONBLOCK'], [O.CREAT, 'O_CREAT'],
  [O.TRUNC, 'O_TRUNC'], [O.EXCL, 'O_EXCL'], [O.NOCTTY, 'O_NOCTTY'], [O.LARGEFILE, 'O_LARGEFILE'],
  [O.DIRECT, 'O_DIRECT'], [O.DIRECTORY, 'O_DIRECTORY'], [O.NOFOLLOW, 'O_NOFOLLOW'], [O.NOATIME, 'O_NOATIME'],
  [O.CLOEXEC, 'O_CLOEXEC'], [O.PATH, 'O_PATH'],
];
export function openFlagsText(v: number): string {
  const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'][v & 3];
  const rest = flagNames(v & ~3, OPEN_FLAG_NAMES, '');
  return rest ? `${acc}|${rest}` : acc;
}
export const PROT_NAMES: [number, string][] = [[PROT.READ, 'PROT_READ'], [PROT.WRITE, 'PROT_WRITE'], [PROT.EXEC, 'PROT_EXEC']];
export const MAP_NAMES: [number, string][] = [
  [MAP.SHARED, 'MAP_SHARED'], [MAP.PRIVATE, 'MAP_PRIVATE'], [MAP.FIXED, 'MAP_FIXED'], [MAP.NORESERVE, 'MAP_NORESERVE'],
  [MAP.ANONYMOUS, 'MAP_ANONYMOUS'], [MAP.GROWSDOWN, 'MAP_GROWSDOWN'], [MAP.DENYWRITE, 'MAP_DENYWRITE'],
  [MAP.EXECUTABLE, 'MAP_EXECUTABLE'], [MAP.LOCKED, 'MAP_LOCKED'], [MAP.POPULATE, 'MAP_POPULATE'],
  [MAP.NONBLOCK, 'MAP_NONBLOCK'], [MAP.STACK, 'MAP_STACK'], [MAP.HUGETLB, 'MAP_HUGETLB'], [MAP.FIXED_NOREPLACE, 'MAP_FIXED_NOREPLACE'],
];
export const AT_NAMES: [number, string][] = [
  [AT.SYMLINK_NOFOLLOW, 'AT_SYMLINK_NOFOLLOW'], [AT.REMOVEDIR, 'AT_REMOVEDIR'], [AT.SYMLINK_FOLLOW, 'AT_SYMLINK_FOLLOW'],
  [AT.NO_AUTOMOUNT, 'AT_NO_AUTOMOUNT'], [AT.EMPTY_PATH, 'AT_EMPTY_PATH'],
];

// ---- file types ----
export const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFCHR = 0o020000, S_IFREG = 0o100000, S_IFIFO = 0o010000, S_IFLNK = 0o120000;

// ---- guest memory access for syscalls ----

/** Thrown by the helpers below when the guest passed a bad pointer; becomes EFAULT. */
export class GuestFault extends Error {
  constructor(readonly addr: number) {
    super(`bad guest address 0x${(addr >>> 0).toString(16)}`);
  }
}

/** Struct reader/writer over guest memory in the guest's byte order. */
export class GuestMem {
  constructor(private readonly m: Machine) {}

  private wrap<T>(addr: number, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof GuestException) throw new GuestFault(e.badVAddr ?? addr);
      throw e;
    }
  }

  get bigEndian(): boolean {
    return this.m.mem.bigEndian;
  }

  u8(a: number): number { return this.wrap(a, () => this.m.mem.read8(a >>> 0)); }
  u16(a: number): number { return this.wrap(a, () => this.m.mem.read16(a >>> 0)); }
  u32(a: number): number { return this.wrap(a, () => this.m.mem.read32(a >>> 0) >>> 0); }
  i32(a: number): number { return this.wrap(a, () => this.m.mem.read32(a >>> 0) | 0); }
  /** 64-bit value as a JS number (exact up to 2^53). */
  i64(a: number): number {
    const hi = this.i32(this.bigEndian ? a : a + 4), lo = this.u32(this.bigEndian ? a + 4 : a);
    return hi * 4294967296 + lo;
  }
  w8(a: number, v: number): void { this.wrap(a, () => this.m.mem.write8(a >>> 0, v)); }
  w16(a: number, v: number): void { this.wrap(a, () => this.m.mem.write16(a >>> 0, v)); }
  w32(a: number, v: number): void { this.wrap(a, () => this.m.mem.write32(a >>> 0, v | 0)); }
  /** Writes a (possibly negative) integer as 64 bits. */
  w64(a: number, v: number | bigint): void {
    const b = BigInt.asUintN(64, BigInt(typeof v === 'number' ? Math.trunc(v) : v));
    const hi = Number(b >> 32n) | 0, lo = Number(b & 0xffffffffn) | 0;
    this.w32(this.bigEndian ? a : a + 4, hi);
    this.w32(this.bigEndian ? a + 4 : a, lo);
  }
  bytes(a: number, n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const out = this.m.mem.readBytes(a >>> 0, n);
    if (!out) throw new GuestFault(a);
    return out;
  }
  writeBytes(a: number, data: Uint8Array): void {
    if (data.length && !this.m.mem.writeBytes(a >>> 0, data)) throw new GuestFault(a);
  }
  zero(a: number, n: number): void {
    this.writeBytes(a, new Uint8Array(n));
  }
  /** A NUL-terminated string (bytes), at most `max` long. */
  cstring(a: number, max = 4096): Uint8Array {
    const s = this.m.mem.readCString(a >>> 0, max + 1);
    if (!s) throw new GuestFault(a);
    return s;
  }
  /** A NUL-terminated path as text (UTF-8, as Linux paths are bytes). */
  path(a: number): string {
    if (a === 0) throw new GuestFault(0);
    return Buffer.from(this.cstring(a, 4096)).toString('utf8');
  }
  /** Writes a string with its NUL. */
  writeCString(a: number, s: string | Uint8Array, size?: number): void {
    const b = typeof s === 'string' ? new TextEncoder().encode(s) : s;
    const n = size === undefined ? b.length + 1 : size;
    const out = new Uint8Array(n);
    out.set(b.subarray(0, Math.max(0, n - 1)));
    this.writeBytes(a, out);
  }
}
