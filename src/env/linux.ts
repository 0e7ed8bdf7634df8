// Linux o32 user-mode environment (the subset static programs need first: read, write, exit,
// exit_group, brk). Unknown syscalls return ENOSYS.
import { StopRun } from '../machine/exceptions.js';
import type { Environment, Machine } from '../machine/machine.js';

const V0 = 2, A0 = 4, A1 = 5, A2 = 6, A3 = 7;
export const ENOSYS = 89;
export const EBADF = 9;
export const EFAULT = 14;

export const LINUX_STACK_TOP = 0x7fff0000;
export const LINUX_STACK_SIZE = 8 * 1024 * 1024;

export class LinuxEnvironment implements Environment {
  readonly name = 'linux';
  private brk: number;
  private readonly brkStart: number;

  constructor(programEnd: number) {
    this.brkStart = this.brk = (programEnd + 0xfff) & ~0xfff;
  }

  syscall(m: Machine): void {
    const r = m.cpu.r;
    const nr = r[V0];
    const ok = (v: number) => { r[V0] = v; r[A3] = 0; };
    const err = (errno: number) => { r[V0] = errno; r[A3] = 1; };
    switch (nr) {
      case 4001: // exit
      case 4246: // exit_group
        throw new StopRun('exit', r[A0] & 0xff);
      case 4003: { // read(fd, buf, count)
        if (r[A0] !== 0) return err(EBADF);
        const data = m.io.read(Math.max(0, r[A2]));
        return m.mem.writeBytes(r[A1] >>> 0, data) ? ok(data.length) : err(EFAULT);
      }
      case 4004: { // write(fd, buf, count)
        const fd = r[A0];
        if (fd !== 1 && fd !== 2) return err(EBADF);
        const data = m.mem.readBytes(r[A1] >>> 0, Math.max(0, r[A2]));
        if (!data) return err(EFAULT);
        m.io.write(fd, data);
        return ok(data.length);
      }
      case 4045: { // brk(addr)
        const want = r[A0] >>> 0;
        if (want >= this.brkStart && want < LINUX_STACK_TOP - LINUX_STACK_SIZE) {
          if (want > this.brk) m.mem.map(this.brk, want - this.brk, 'heap');
          this.brk = want;
        }
        return ok(this.brk | 0);
      }
      default:
        return err(ENOSYS);
    }
  }
}

/** Lays out argc, argv, envp and an auxiliary vector as the kernel does; returns the new $sp. */
export function setupLinuxStack(m: Machine, argv: string[], envp: string[], entry: number): number {
  m.mem.map(LINUX_STACK_TOP - LINUX_STACK_SIZE, LINUX_STACK_SIZE, 'stack');
  const enc = new TextEncoder();
  let sp = LINUX_STACK_TOP - 16;
  const putString = (s: string) => {
    const b = enc.encode(s + '\0');
    sp -= b.length;
    m.mem.writeBytes(sp, b);
    return sp;
  };
  const execfn = putString(argv[0] ?? 'a.out');
  const argPtrs = argv.map(putString);
  const envPtrs = envp.map(putString);
  sp &= ~15;
  sp -= 16;
  const random = sp;
  m.mem.writeBytes(random, Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff));
  const auxv: [number, number][] = [
    [6, 4096], // AT_PAGESZ
    [9, entry], // AT_ENTRY
    [11, 0], [12, 0], [13, 0], [14, 0], // AT_UID, AT_EUID, AT_GID, AT_EGID
    [16, 0], // AT_HWCAP
    [17, 100], // AT_CLKTCK
    [23, 0], // AT_SECURE
    [25, random], // AT_RANDOM
    [31, execfn], // AT_EXECFN
    [0, 0], // AT_NULL
  ];
  const words = [argv.length, ...argPtrs, 0, ...envPtrs, 0, ...auxv.flat()];
  sp -= words.length * 4;
  sp &= ~7;
  words.forEach((w, i) => m.mem.write32(sp + i * 4, w));
  return sp;
}
