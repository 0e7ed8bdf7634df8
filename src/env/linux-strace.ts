// `-d strace`: one line per guest syscall in the style of qemu-user's -strace:
//   1000 openat(AT_FDCWD,"data.txt",O_RDONLY|O_LARGEFILE) = 3
//   1000 read(3,0x7ffefc20,4096) = -1 errno=9 (Bad file descriptor)
import {
  AT_NAMES, errnoText, flagNames, GuestMem, MAP_NAMES, O, openFlagsText, PROT_NAMES, signalName,
} from './linux-abi.js';
import { O32_SYSCALL_BASE, O32_SYSCALL_NAMES } from './linux-sysnames.js';

/**
 * Argument formats by syscall name, one letter per argument:
 *   d signed   u unsigned   x hex   p pointer (NULL or 0x%08x)   s string
 *   f dirfd (AT_FDCWD)   O open flags   m octal mode   P prot   M mmap flags
 *   S signal   H sigprocmask how   A AT_* flags   W lseek whence   C clock id
 * A syscall without an entry prints six raw arguments in decimal, as qemu does.
 */
const FORMATS: Record<string, string> = {
  exit: 'd', exit_group: 'd', read: 'dpu', write: 'dpu', open: 'sOm', close: 'd', creat: 'sm', unlink: 's',
  chdir: 's', time: 'p', lseek: 'ddW', getpid: '', getuid: '', getgid: '', geteuid: '', getegid: '', gettid: '',
  getppid: '', getpgrp: '', setsid: '', access: 'sd', kill: 'dS', rename: 'ss', mkdir: 'sm', rmdir: 's', dup: 'd',
  dup2: 'dd', dup3: 'ddO', brk: 'p', ioctl: 'dxp', fcntl: 'ddx', fcntl64: 'ddx', umask: 'm', getrlimit: 'dp',
  setrlimit: 'dp', gettimeofday: 'pp', readlink: 'spu', readlinkat: 'fspu', mmap: 'pdPMdd', mmap2: 'pdPMdd',
  munmap: 'pd', mremap: 'pddxp', mprotect: 'pdP', madvise: 'pdd', _llseek: 'dddpW', readv: 'dpd', writev: 'dpd',
  pread64: 'dpuu', pwrite64: 'dpuu', uname: 'p', nanosleep: 'pp', clock_nanosleep: 'Cdpp', clock_nanosleep_time64: 'Cdpp', rt_sigaction: 'Sppd',
  rt_sigprocmask: 'Hppd', rt_sigreturn: '', sigreturn: '', sigaltstack: 'pp', stat64: 'sp', lstat64: 'sp',
  fstat64: 'dp', fstatat64: 'fspA', statx: 'fsAxp', getdents64: 'dpu', set_thread_area: 'p', set_tid_address: 'p',
  set_robust_list: 'pu', tkill: 'dS', tgkill: 'ddS', openat: 'fsOm', mkdirat: 'fsm', unlinkat: 'fsA',
  renameat: 'fsfs', renameat2: 'fsfsx', faccessat: 'fsd', faccessat2: 'fsdA', getrandom: 'pux', clock_gettime: 'Cp',
  clock_gettime64: 'Cp', clock_getres: 'Cp', clock_getres_time64: 'Cp', prlimit64: 'ddpp', getcwd: 'pu',
  ftruncate64: 'dxd', truncate64: 'sxd', fsync: 'd', fdatasync: 'd', sched_yield: '', getdents: 'dpu',
  alarm: 'u', pause: '', setitimer: 'dpp', getitimer: 'dp', sched_getaffinity: 'dup', futex: 'pdd', chmod: 'sm', fchmod: 'dm', fchmodat: 'fsm', sysinfo: 'p', times: 'p', fchdir: 'd', pipe: '', pipe2: 'pO',
};

const RESULT_HEX = new Set(['brk', 'mmap', 'mmap2', 'mremap']);
const NO_RETURN = new Set(['exit', 'exit_group']);
const CLOCKS = ['CLOCK_REALTIME', 'CLOCK_MONOTONIC', 'CLOCK_PROCESS_CPUTIME_ID', 'CLOCK_THREAD_CPUTIME_ID', 'CLOCK_MONOTONIC_RAW', 'CLOCK_REALTIME_COARSE', 'CLOCK_MONOTONIC_COARSE', 'CLOCK_BOOTTIME'];

export function syscallName(nr: number): string | null {
  const i = nr - O32_SYSCALL_BASE;
  return i >= 0 && i < O32_SYSCALL_NAMES.length && O32_SYSCALL_NAMES[i] ? O32_SYSCALL_NAMES[i] : null;
}

const hex = (v: number) => '0x' + (v >>> 0).toString(16);
const ptr = (v: number) => (v === 0 ? 'NULL' : '0x' + (v >>> 0).toString(16).padStart(8, '0'));

function quote(g: GuestMem, addr: number): string {
  if (addr === 0) return 'NULL';
  try {
    const b = g.cstring(addr, 4096);
    let s = '';
    for (const c of b.subarray(0, 64)) {
      if (c === 0x22 || c === 0x5c) s += '\\' + String.fromCharCode(c);
      else if (c === 10) s += '\\n';
      else if (c === 9) s += '\\t';
      else if (c < 32 || c >= 127) s += '\\' + c.toString(8);
      else s += String.fromCharCode(c);
    }
    return `"${s}"${b.length > 64 ? '...' : ''}`;
  } catch {
    return ptr(addr);
  }
}

function formatArg(g: GuestMem, kind: string, v: number): string {
  switch (kind) {
    case 'd': return String(v | 0);
    case 'u': return String(v >>> 0);
    case 'x': return hex(v);
    case 'p': return ptr(v);
    case 's': return quote(g, v);
    case 'f': return (v | 0) === -100 ? 'AT_FDCWD' : String(v | 0);
    case 'O': return openFlagsText(v);
    case 'm': return '0' + (v >>> 0).toString(8);
    case 'P': return flagNames(v, PROT_NAMES, 'PROT_NONE');
    case 'M': return flagNames(v, MAP_NAMES);
    case 'S': return signalName(v | 0);
    case 'H': return ['0', 'SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK'][v] ?? String(v);
    case 'A': return flagNames(v, AT_NAMES);
    case 'W': return ['SEEK_SET', 'SEEK_CUR', 'SEEK_END', 'SEEK_DATA', 'SEEK_HOLE'][v] ?? String(v);
    case 'C': return CLOCKS[v] ?? String(v | 0);
    default: return String(v | 0);
  }
}

/** The "name(args)" part of a trace line. */
export function formatCall(g: GuestMem, nr: number, args: number[]): string {
  const name = syscallName(nr);
  if (!name) return `Unknown syscall ${nr}`;
  const fmt = FORMATS[name];
  if (fmt === undefined) return `${name}(${args.slice(0, 6).map((a) => String(a | 0)).join(',')})`;
  let kinds = [...fmt];
  // open and openat take a mode only when they may create the file
  if ((name === 'open' || name === 'openat') && !(args[kinds.indexOf('O')] & (O.CREAT | O.TMPFILE))) kinds = kinds.slice(0, -1);
  return `${name}(${kinds.map((k, i) => formatArg(g, k, args[i])).join(',')})`;
}

/** The " = result" part: `ret` is the value, or -errno when failed. */
export function formatResult(nr: number, ret: number, failed: boolean): string {
  const name = syscallName(nr) ?? '';
  if (NO_RETURN.has(name)) return '';
  if (failed) return ` = -1 errno=${ret} (${errnoText(ret)})`;
  return ` = ${RESULT_HEX.has(name) ? ptr(ret) : String(ret | 0)}`;
}

const FAULT_CODES: Record<number, string[]> = {
  4: ['', 'ILL_ILLOPC', 'ILL_ILLOPN', 'ILL_ILLADR', 'ILL_ILLTRP', 'ILL_PRVOPC', 'ILL_PRVREG', 'ILL_COPROC', 'ILL_BADSTK'],
  5: ['', 'TRAP_BRKPT', 'TRAP_TRACE'],
  8: ['', 'FPE_INTDIV', 'FPE_INTOVF', 'FPE_FLTDIV', 'FPE_FLTOVF', 'FPE_FLTUND', 'FPE_FLTRES', 'FPE_FLTINV', 'FPE_FLTSUB'],
  10: ['', 'BUS_ADRALN', 'BUS_ADRERR', 'BUS_OBJERR'],
  11: ['', 'SEGV_MAPERR', 'SEGV_ACCERR'],
};

export function formatSignal(sig: number, code: number, pid: number, uid: number, addr?: number): string {
  const codeName = code === -6 ? 'SI_TKILL' : code === 0 ? 'SI_USER' : (addr !== undefined && FAULT_CODES[sig]?.[code]) || String(code);
  const tail = addr !== undefined ? `si_addr=${ptr(addr)}` : `si_pid=${pid}, si_uid=${uid}`;
  return `--- ${signalName(sig)} {si_signo=${signalName(sig)}, si_code=${codeName}, ${tail}} ---`;
}
