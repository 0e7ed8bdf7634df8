// Process start-up as Linux's execve does it for a static MIPS o32 ELF (fs/exec.c,
// fs/binfmt_elf.c create_elf_tables): strings at the top of the stack, then the AT_RANDOM
// bytes, then argc, argv[], NULL, envp[], NULL and the auxiliary vector, $sp 16-byte aligned.
import type { Machine } from '../machine/machine.js';
import type { ElfImage } from '../loader/elf.js';

export const LINUX_STACK_TOP = 0x7fff0000;
export const LINUX_STACK_SIZE = 8 * 1024 * 1024;
export const LINUX_PAGE_SIZE = 4096;
/** The ids a guest sees (getuid() and friends, AT_UID...). */
export const GUEST_UID = 1000;
export const GUEST_GID = 1000;

export const AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
  AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_HWCAP = 16, AT_CLKTCK = 17,
  AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31;

/** Where the program headers are in guest memory (for AT_PHDR). */
export interface ProgramHeaders {
  addr: number;
  entSize: number;
  count: number;
}

const PT_LOAD = 1, PT_PHDR = 6;

/**
 * Finds the program headers' guest address the way the kernel does: PT_PHDR if present,
 * otherwise inside the PT_LOAD segment whose file range covers e_phoff.
 */
export function programHeadersOf(elf: ElfImage): ProgramHeaders | null {
  const b = elf.bytes;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = !elf.bigEndian;
  const phoff = dv.getUint32(28, le), entSize = dv.getUint16(42, le), count = dv.getUint16(44, le);
  if (count === 0 || phoff + count * entSize > b.length) return null;
  let fromLoad: number | null = null;
  for (let i = 0; i < count; i++) {
    const o = phoff + i * entSize;
    const type = dv.getUint32(o, le), off = dv.getUint32(o + 4, le), vaddr = dv.getUint32(o + 8, le), filesz = dv.getUint32(o + 16, le);
    if (type === PT_PHDR) return { addr: vaddr, entSize, count };
    if (type === PT_LOAD && fromLoad === null && phoff >= off && phoff + count * entSize <= off + filesz) fromLoad = vaddr + (phoff - off);
  }
  return fromLoad === null ? null : { addr: fromLoad >>> 0, entSize, count };
}

/** The PT_INTERP path of a dynamically linked program, or null for a static one. */
export function interpreterOf(elf: ElfImage): string | null {
  const b = elf.bytes;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = !elf.bigEndian;
  const phoff = dv.getUint32(28, le), entSize = dv.getUint16(42, le), count = dv.getUint16(44, le);
  for (let i = 0; i < count && phoff + (i + 1) * entSize <= b.length; i++) {
    const o = phoff + i * entSize;
    if (dv.getUint32(o, le) !== 3 /* PT_INTERP */) continue;
    const off = dv.getUint32(o + 4, le), size = dv.getUint32(o + 16, le);
    return Buffer.from(b.subarray(off, Math.min(b.length, off + size))).toString('latin1').replace(/\0+$/, '');
  }
  return null;
}

export interface StartInfo {
  argv: string[];
  envp: string[];
  entry: number;
  /** The file name given to execve (AT_EXECFN). */
  execFn?: string;
  phdrs?: ProgramHeaders | null;
  /** The program headers' bytes, copied onto the stack when no segment holds them. */
  phdrBytes?: Uint8Array;
  /** 16 bytes for AT_RANDOM. */
  random?: Uint8Array;
  hwcap?: number;
}

/** Maps the stack and lays out the initial process state; returns the new $sp. */
export function setupLinuxProcess(m: Machine, info: StartInfo): number {
  m.mem.map(LINUX_STACK_TOP - LINUX_STACK_SIZE, LINUX_STACK_SIZE, 'stack');
  const enc = new TextEncoder();
  const w32 = (a: number, v: number) => m.mem.write32(a, v | 0);
  // bprm->p starts one pointer below the top; strings are copied downwards: the file name,
  // then envp (last first), then argv (last first), so argv[0] ends up lowest.
  let p = LINUX_STACK_TOP - 4;
  const push = (s: string) => {
    const b = enc.encode(s + '\0');
    p -= b.length;
    m.mem.writeBytes(p, b);
    return p;
  };
  const execFn = push(info.execFn ?? info.argv[0] ?? '');
  const envPtrs = info.envp.slice().reverse().map(push).reverse();
  const argPtrs = info.argv.slice().reverse().map(push).reverse();

  p &= ~15; // arch_align_stack (without randomisation)
  let phdr = info.phdrs?.addr ?? 0;
  if (info.phdrs && info.phdrBytes && !m.mem.isMapped(phdr)) {
    p = (p - info.phdrBytes.length) & ~15;
    m.mem.writeBytes(p, info.phdrBytes);
    phdr = p;
  }
  p -= 16;
  const random = p;
  m.mem.writeBytes(random, info.random ?? new Uint8Array(16));

  const auxv: [number, number][] = [
    [AT_HWCAP, info.hwcap ?? 0],
    [AT_PAGESZ, LINUX_PAGE_SIZE],
    [AT_CLKTCK, 100],
    [AT_PHDR, phdr],
    [AT_PHENT, info.phdrs?.entSize ?? 32],
    [AT_PHNUM, info.phdrs?.count ?? 0],
    [AT_BASE, 0],
    [AT_FLAGS, 0],
    [AT_ENTRY, info.entry],
    [AT_UID, GUEST_UID], [AT_EUID, GUEST_UID], [AT_GID, GUEST_GID], [AT_EGID, GUEST_GID],
    [AT_SECURE, 0],
    [AT_RANDOM, random],
    [AT_EXECFN, execFn],
    [AT_NULL, 0],
  ];
  const words = [info.argv.length, ...argPtrs, 0, ...envPtrs, 0, ...auxv.flat()];
  const sp = (p - words.length * 4) & ~15; // STACK_ROUND
  words.forEach((v, i) => w32(sp + 4 * i, v));
  return sp;
}

/** Compatibility wrapper: the old entry point (no program headers, zero AT_RANDOM). */
export function setupLinuxStack(m: Machine, argv: string[], envp: string[], entry: number): number {
  return setupLinuxProcess(m, { argv, envp, entry });
}
