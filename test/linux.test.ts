// Linux user mode: gcc-compiled static MIPS programs (test/fixtures/linux, rebuilt and
// re-recorded from qemu-user by its regen.sh) must give qemu's stdout, stderr and exit code
// under both engines and both byte orders; plus unit tests of process start-up, syscall
// conventions, the file sandbox, memory mapping, signals and -d strace.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProgram, type ProgramOptions } from '../src/env/program.js';
import { CapturedIO } from '../src/env/io.js';
import { runMachine, type RunResult } from '../src/machine/run.js';
import { createEngine, ENGINE_KINDS, type EngineKind } from '../src/machine/engines.js';
import { ExcCode, GuestException } from '../src/machine/exceptions.js';
import type { Machine } from '../src/machine/machine.js';
import { parseElf } from '../src/loader/elf.js';
import { GUEST_PID, LinuxEnvironment } from '../src/env/linux.js';
import { LinuxFiles } from '../src/env/linux-fs.js';
import { E, O } from '../src/env/linux-abi.js';
import { AT_ENTRY, AT_EXECFN, AT_PAGESZ, AT_PHDR, AT_PHENT, AT_PHNUM, AT_RANDOM, AT_UID, LINUX_STACK_TOP } from '../src/env/linux-start.js';
import { MMAP_BASE } from '../src/env/linux-mm.js';

const FIX = join(import.meta.dirname, 'fixtures/linux');
const ARCHES = ['be', 'le'] as const;
type Arch = (typeof ARCHES)[number];

interface Case { name: string; program: string; args?: string[]; stdin?: string; writable?: boolean }
interface Expected { stdout: string; stderr: string; code: number }
const manifest = JSON.parse(readFileSync(join(FIX, 'cases.json'), 'utf8')) as { env: string[]; cases: Case[] };

const binary = (arch: Arch, program: string) => readFileSync(join(FIX, 'bin', arch, program));

function machineFor(arch: Arch, program: string, io: CapturedIO, opts: ProgramOptions = {}): Machine {
  return loadProgram(binary(arch, program), program, io, opts);
}

function runProgram(engine: EngineKind, arch: Arch, program: string, opts: ProgramOptions & { stdin?: string | Uint8Array } = {}) {
  const io = new CapturedIO(opts.stdin ?? '');
  const m = machineFor(arch, program, io, opts);
  const result = runMachine(m, createEngine(engine, m), { maxInsns: 500_000_000 });
  (m.env as LinuxEnvironment).dispose();
  return { m, io, result };
}

/** The FPU (CP1) is needed by every glibc program (setjmp in __libc_start_main saves $f20-$f31). */
function fpuMissing(): boolean {
  const { result } = runProgram('interp', 'be', 'hello');
  return result.fault?.exception.code === ExcCode.RI; // SIGILL, as the kernel would raise
}
const NO_FPU = fpuMissing();

function describeRun(r: RunResult): string {
  return `${r.kind} ${r.exitCode}${r.message ? ` (${r.message})` : ''}${r.fault ? ` fault ${ExcCode[r.fault.exception.code]} at 0x${r.fault.pc.toString(16)}` : ''}`;
}

/**
 * Known translator bugs these fixtures found, marked so CI stays green while they are open;
 * `it.fails` turns red once fixed, to have the entry removed. (libm's mthc1 write-back bug was
 * fixed in the translator; none is open.)
 */
const KNOWN_JIT_BUGS = new Set<string>();

describe.skipIf(NO_FPU).each(ENGINE_KINDS)('qemu fixtures under %s', (engine) => {
  for (const c of manifest.cases) {
    const expected = JSON.parse(readFileSync(join(FIX, 'expected', `${c.name}.json`), 'utf8')) as Record<Arch, Expected>;
    for (const arch of ARCHES) {
      (engine === 'jit' && KNOWN_JIT_BUGS.has(c.name) ? it.fails : it)(`${c.name} (${arch})`, () => {
        const work = mkdtempSync(join(tmpdir(), 'asmbox-linux-'));
        try {
          cpSync(join(FIX, 'data'), work, { recursive: true });
          const { io, result } = runProgram(engine, arch, c.program, {
            args: c.args ?? [], envVars: manifest.env, fsRoot: work, fsWrite: !!c.writable,
            stdin: c.stdin ? readFileSync(join(FIX, 'data', c.stdin)) : '',
          });
          const e = expected[arch];
          expect(result.kind, describeRun(result)).toBe('exit');
          expect(io.stdoutText()).toBe(e.stdout);
          // qemu reports an uncaught signal itself; asmbox's CLI says so outside the guest's stderr
          expect(io.stderrText()).toBe(e.stderr.replace(/^qemu: uncaught target signal .*\n/m, ''));
          expect(result.exitCode).toBe(e.code);
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      });
    }
  }
});

describe('process start-up', () => {
  for (const arch of ARCHES) {
    it(`lays out argc, argv, envp and auxv like the kernel (${arch})`, () => {
      const io = new CapturedIO();
      const m = machineFor(arch, 'args_env', io, { args: ['alpha', 'b c'], envVars: ['X=1', 'YY=two'] });
      const mem = m.mem;
      const sp = m.cpu.r[29] >>> 0;
      expect(sp % 16).toBe(0);
      const word = (a: number) => mem.read32(a) >>> 0;
      const str = (a: number) => Buffer.from(mem.readCString(a)!).toString('utf8');
      expect(word(sp)).toBe(3);
      const argv = [1, 2, 3].map((i) => str(word(sp + 4 * i)));
      expect(argv).toEqual(['args_env', 'alpha', 'b c']);
      expect(word(sp + 16)).toBe(0);
      expect([str(word(sp + 20)), str(word(sp + 24))]).toEqual(['X=1', 'YY=two']);
      expect(word(sp + 28)).toBe(0);
      // strings: argv[0] lowest, all contiguous, the file name last, below the stack top
      expect(word(sp + 8)).toBe(word(sp + 4) + 'args_env'.length + 1);
      const auxv = new Map<number, number>();
      for (let a = sp + 32; ; a += 8) {
        const type = word(a);
        if (type === 0) break;
        auxv.set(type, word(a + 4));
      }
      const elf = parseElf(binary(arch, 'args_env'));
      const bytes = elf.bytes, dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const le = arch === 'le';
      const phoff = dv.getUint32(28, le), phnum = dv.getUint16(44, le);
      const first = elf.segments.find((s) => s.offset === 0)!;
      expect(auxv.get(AT_PHDR)).toBe(first.vaddr + phoff);
      expect(auxv.get(AT_PHENT)).toBe(32);
      expect(auxv.get(AT_PHNUM)).toBe(phnum);
      // the program headers really are there: compare the first one with the file
      for (let i = 0; i < 8; i++) expect(word(auxv.get(AT_PHDR)! + 4 * i)).toBe(dv.getUint32(phoff + 4 * i, le));
      expect(auxv.get(AT_ENTRY)).toBe(elf.entry);
      expect(auxv.get(AT_PAGESZ)).toBe(4096);
      expect(auxv.has(AT_UID)).toBe(true);
      expect(str(auxv.get(AT_EXECFN)!)).toBe('args_env');
      expect(auxv.get(AT_EXECFN)! + 'args_env'.length + 1).toBe(LINUX_STACK_TOP - 4);
      const random = mem.readBytes(auxv.get(AT_RANDOM)!, 16)!;
      expect(random.some((b) => b !== 0)).toBe(true);
      // deterministic: the same seed gives the same bytes, another seed other bytes
      const again = machineFor(arch, 'args_env', new CapturedIO(), { args: ['alpha', 'b c'], envVars: ['X=1', 'YY=two'] });
      expect(again.mem.readBytes(auxv.get(AT_RANDOM)!, 16)).toEqual(random);
      const other = machineFor(arch, 'args_env', new CapturedIO(), { args: ['alpha', 'b c'], envVars: ['X=1', 'YY=two'], seed: 7 });
      expect(other.mem.readBytes(auxv.get(AT_RANDOM)!, 16)).not.toEqual(random);
      // the program break starts on the page after the highest segment
      const end = Math.max(...elf.segments.map((s) => s.vaddr + s.memsz));
      expect((m.env as LinuxEnvironment).vm.brk).toBe(Math.ceil(end / 4096) * 4096);
    });
  }
});

/** Calls syscalls directly on a loaded (never run) program's environment. */
class Sys {
  readonly io: CapturedIO;
  readonly m: Machine;
  readonly env: LinuxEnvironment;
  static readonly SCRATCH = 0x20000000;
  constructor(arch: Arch, opts: ProgramOptions = {}) {
    this.io = new CapturedIO('typed input\n');
    this.m = machineFor(arch, 'hello', this.io, opts);
    this.env = this.m.env as LinuxEnvironment;
    this.m.mem.map(Sys.SCRATCH, 0x10000, 'scratch');
  }
  call(nr: number, ...args: number[]): { v0: number; a3: number } {
    const r = this.m.cpu.r;
    r[2] = nr;
    for (let i = 0; i < 4; i++) r[4 + i] = args[i] ?? 0;
    const sp = r[29] >>> 0;
    for (let i = 4; i < args.length; i++) this.m.mem.write32(sp + 16 + 4 * (i - 4), args[i]);
    this.env.syscall(this.m);
    return { v0: r[2], a3: r[7] };
  }
  /** Result value, or -errno. */
  ret(nr: number, ...args: number[]): number {
    const { v0, a3 } = this.call(nr, ...args);
    return a3 ? -v0 : v0;
  }
  str(s: string, at = Sys.SCRATCH + 0x8000): number {
    this.m.mem.writeBytes(at, new TextEncoder().encode(s + '\0'));
    return at;
  }
  word(a: number): number {
    return this.m.mem.read32(a) >>> 0;
  }
  text(a: number, n: number): string {
    return Buffer.from(this.m.mem.readBytes(a, n)!).toString('utf8');
  }
}

const NR = {
  read: 4003, write: 4004, open: 4005, close: 4006, getpid: 4020, brk: 4045, ioctl: 4054, munmap: 4091, uname: 4122,
  mremap: 4167, rt_sigaction: 4194, mmap2: 4210, fstat64: 4215, clock_gettime: 4263, openat: 4288, getrandom: 4353,
  clock_gettime64: 4403, readlink: 4085, lseek: 4019, kill: 4037, exit_group: 4246,
};
const S = Sys.SCRATCH;

describe('syscall conventions', () => {
  for (const arch of ARCHES) {
    it(`returns results in $v0 with $a3 = 0, errors as errno with $a3 = 1 (${arch})`, () => {
      const s = new Sys(arch);
      s.str('hi\n', S);
      expect(s.call(NR.write, 1, S, 3)).toEqual({ v0: 3, a3: 0 });
      expect(s.io.stdoutText()).toBe('hi\n');
      expect(s.call(NR.write, 99, S, 3)).toEqual({ v0: E.BADF, a3: 1 });
      expect(s.call(NR.write, 1, 0x7ffffff0 + 0x10000, 3)).toEqual({ v0: E.FAULT, a3: 1 });
      expect(s.call(4999)).toEqual({ v0: E.NOSYS, a3: 1 });
      expect(s.call(4002)).toEqual({ v0: E.NOSYS, a3: 1 }); // fork
      expect(s.ret(NR.getpid)).toBe(GUEST_PID);
      expect(s.ret(NR.read, 0, S, 100)).toBe(12);
      expect(s.text(S, 12)).toBe('typed input\n');
      expect(s.ret(NR.read, 0, S, 100)).toBe(0);
    });

    it(`fills utsname, timespecs and random bytes in guest byte order (${arch})`, () => {
      const s = new Sys(arch);
      expect(s.ret(NR.uname, S)).toBe(0);
      expect(Buffer.from(s.m.mem.readCString(S)!).toString()).toBe('Linux');
      expect(Buffer.from(s.m.mem.readCString(S + 65 * 4)!).toString()).toBe('mips');
      expect(s.ret(NR.clock_gettime, 0, S)).toBe(0);
      expect(s.word(S)).toBe(Date.UTC(2000, 0, 1) / 1000); // virtual time starts at 2000-01-01
      expect(s.ret(NR.clock_gettime64, 0, S)).toBe(0);
      const hi = s.word(arch === 'be' ? S : S + 4), lo = s.word(arch === 'be' ? S + 4 : S);
      expect(hi * 2 ** 32 + lo).toBe(Date.UTC(2000, 0, 1) / 1000);
      expect(s.ret(NR.clock_gettime, 42, S)).toBe(-E.INVAL);
      expect(s.ret(NR.getrandom, S, 32, 0)).toBe(32);
      const a = s.m.mem.readBytes(S, 32);
      const t = new Sys(arch);
      t.ret(NR.getrandom, S, 32, 0);
      expect(t.m.mem.readBytes(S, 32)).toEqual(a);
    });

    it(`answers ENOTTY for terminal ioctls on pipes, and works on terminals (${arch})`, () => {
      const s = new Sys(arch);
      expect(s.ret(NR.ioctl, 1, 0x540d, S)).toBe(-E.NOTTY); // TCGETS
      expect(s.ret(NR.ioctl, 1, 0x40087468, S)).toBe(-E.NOTTY); // TIOCGWINSZ
      expect(s.ret(NR.ioctl, 77, 0x540d, S)).toBe(-E.BADF);
      const t = new Sys(arch, { ttys: [true, true, true] });
      expect(t.ret(NR.ioctl, 1, 0x540d, S)).toBe(0);
      expect(t.ret(NR.ioctl, 1, 0x40087468, S)).toBe(0);
      expect(t.m.mem.read16(S + 2)).toBeGreaterThan(0); // columns
      expect(t.ret(NR.fstat64, 1, S)).toBe(0);
      expect(t.word(S + 24) & 0o170000).toBe(0o020000); // S_IFCHR
      expect(s.ret(NR.fstat64, 1, S)).toBe(0);
      expect(s.word(S + 24) & 0o170000).toBe(0o010000); // S_IFIFO
    });
  }

  it('grows and shrinks the program break; refuses to go below its start', () => {
    const s = new Sys('be');
    const start = s.ret(NR.brk, 0);
    expect(start % 4096).toBe(0);
    expect(s.ret(NR.brk, start + 10000)).toBe(start + 10000);
    s.m.mem.write32(start + 9996, 0x12345678);
    expect(s.ret(NR.brk, start + 100)).toBe(start + 100);
    expect(s.m.mem.isMapped(start + 9996)).toBe(false);
    expect(s.ret(NR.brk, start + 10000)).toBe(start + 10000);
    expect(s.word(start + 9996)).toBe(0); // fresh pages are zero
    expect(s.ret(NR.brk, start - 4096)).toBe(start + 10000);
  });

  it('maps, remaps and unmaps anonymous memory top-down below the stack', () => {
    const s = new Sys('le');
    const PROT_RW = 3, MAP_PRIVATE_ANON = 0x802;
    const a = s.ret(NR.mmap2, 0, 0x20000, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
    expect(a).toBe(MMAP_BASE - 0x20000);
    const b = s.ret(NR.mmap2, 0, 0x1000, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
    expect(b).toBe(a - 0x1000);
    s.m.mem.write32(a + 0x1ff00, 42);
    // growing in place is impossible (the stack gap is above), so mremap moves it and keeps the data
    const c = s.ret(NR.mremap, a, 0x20000, 0x40000, 1 /* MREMAP_MAYMOVE */, 0);
    expect(c).not.toBe(a);
    expect(s.word(c + 0x1ff00)).toBe(42);
    expect(s.m.mem.isMapped(a)).toBe(false);
    expect(s.ret(NR.mremap, c, 0x40000, 0x50000, 0, 0)).toBe(-E.NOMEM);
    expect(s.ret(NR.munmap, c, 0x40000)).toBe(0);
    expect(s.m.mem.isMapped(c)).toBe(false);
    expect(s.ret(NR.munmap, c + 1, 10)).toBe(-E.INVAL);
    // MAP_FIXED replaces, and the new pages are zero
    s.m.mem.write32(b, 7);
    expect(s.ret(NR.mmap2, b, 0x1000, PROT_RW, MAP_PRIVATE_ANON | 0x10, -1, 0)).toBe(b);
    expect(s.word(b)).toBe(0);
    expect(s.ret(NR.mmap2, 0, 0, PROT_RW, MAP_PRIVATE_ANON, -1, 0)).toBe(-E.INVAL);
  });
});

describe('file sandbox', () => {
  let base: string, root: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'asmbox-sandbox-'));
    root = join(base, 'root');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(base, 'secret.txt'), 'outside the root\n');
    writeFileSync(join(root, 'a.txt'), 'inside a\n');
    writeFileSync(join(root, 'sub', 'b.txt'), 'inside b\n');
    symlinkSync(base, join(root, 'escape-abs')); // absolute link to outside
    symlinkSync('..', join(root, 'escape-rel')); // relative link to the root's parent
    symlinkSync('../secret.txt', join(root, 'secret-link'));
    symlinkSync('sub/b.txt', join(root, 'inside-link'));
    symlinkSync(join(base, 'created-outside.txt'), join(root, 'dangling-out'));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const files = (writable = false, onNoRoot?: (p: string) => void) =>
    new LinuxFiles({ io: new CapturedIO(), root, writable, exePath: '/prog', randomBytes: (n) => new Uint8Array(n), onNoRoot });
  const readAll = (f: LinuxFiles, fd: number) => Buffer.from(f.read(fd, 1000) as Uint8Array).toString();

  it('maps guest paths into the root, relative and absolute alike', () => {
    const f = files();
    for (const p of ['a.txt', '/a.txt', './sub/../a.txt', '//a.txt']) {
      const fd = f.openat(-100, p, O.RDONLY, 0);
      expect(fd, p).toBeGreaterThanOrEqual(3);
      expect(readAll(f, fd)).toBe('inside a\n');
      f.close(fd);
    }
  });

  it('stops .. at the root', () => {
    const f = files();
    for (const p of ['../secret.txt', '/../secret.txt', 'sub/../../secret.txt', '../../../../secret.txt', '/..']) {
      const fd = f.openat(-100, p, O.RDONLY, 0);
      if (p === '/..') {
        expect(f.kindOf(fd)).toBe('dir'); // the root itself
      } else expect(fd, p).toBe(-E.NOENT);
    }
    expect(f.chdir('../../..')).toBe(0);
    expect(f.cwd).toBe('/');
  });

  it('refuses symlinks that lead outside, follows those that stay inside', () => {
    const f = files(true);
    expect(f.openat(-100, 'escape-abs/secret.txt', O.RDONLY, 0)).toBe(-E.ACCES);
    expect(f.openat(-100, 'escape-rel/secret.txt', O.RDONLY, 0)).toBe(-E.ACCES);
    expect(f.openat(-100, 'secret-link', O.RDONLY, 0)).toBe(-E.ACCES);
    expect(f.stat(-100, 'secret-link', true)).toBe(-E.ACCES);
    expect(f.openat(-100, 'escape-abs', O.RDONLY | O.DIRECTORY, 0)).toBe(-E.ACCES);
    // creating through a dangling link to outside is refused (it could land anywhere)
    expect(f.openat(-100, 'dangling-out', O.WRONLY | O.CREAT, 0o644)).toBe(-E.ACCES);
    expect(f.openat(-100, 'escape-rel/new.txt', O.WRONLY | O.CREAT, 0o644)).toBe(-E.ACCES);
    expect(f.mkdir(-100, 'escape-abs/newdir', 0o755)).toBe(-E.ACCES);
    expect(f.unlink(-100, 'escape-rel/secret.txt', false)).toBe(-E.ACCES);
    // the link itself may be examined
    expect(Buffer.from(f.readlink(-100, 'secret-link') as Uint8Array).toString()).toBe('../secret.txt');
    expect(typeof f.stat(-100, 'secret-link', false)).toBe('object');
    const fd = f.openat(-100, 'inside-link', O.RDONLY, 0);
    expect(readAll(f, fd)).toBe('inside b\n');
    expect(f.openat(-100, 'inside-link', O.RDONLY | O.NOFOLLOW, 0)).toBe(-E.LOOP);
  });

  it('is read-only unless writes are allowed', () => {
    const ro = files(false);
    expect(ro.openat(-100, 'new.txt', O.WRONLY | O.CREAT, 0o644)).toBe(-E.ROFS);
    expect(ro.openat(-100, 'a.txt', O.RDWR, 0)).toBe(-E.ROFS);
    expect(ro.openat(-100, 'a.txt', O.RDONLY | O.TRUNC, 0)).toBe(-E.ROFS);
    expect(ro.unlink(-100, 'a.txt', false)).toBe(-E.ROFS);
    expect(ro.mkdir(-100, 'd', 0o755)).toBe(-E.ROFS);
    expect(ro.rename(-100, 'a.txt', -100, 'z.txt')).toBe(-E.ROFS);
    expect(ro.access(-100, 'a.txt', 2)).toBe(-E.ROFS);
    expect(ro.chmod(-100, 'a.txt', 0o600)).toBe(-E.ROFS);
    const rw = files(true);
    const fd = rw.openat(-100, 'sub/new.txt', O.WRONLY | O.CREAT | O.TRUNC, 0o644);
    expect(rw.write(fd, new TextEncoder().encode('written'))).toBe(7);
    rw.close(fd);
    expect(readFileSync(join(root, 'sub', 'new.txt'), 'utf8')).toBe('written');
    expect(rw.chmod(-100, 'sub/new.txt', 0o600)).toBe(0);
    expect((rw.stat(-100, 'sub/new.txt', true) as { mode: number }).mode & 0o777).toBe(0o600);
    expect(rw.chmod(-100, 'secret-link', 0o600)).toBe(-E.ACCES);
    expect(rw.unlink(-100, '/sub/new.txt', false)).toBe(0);
  });

  it('shows an empty file system without --fs-root, and says why once', () => {
    const notes: string[] = [];
    const f = new LinuxFiles({ io: new CapturedIO(), root: null, writable: false, exePath: '/prog', randomBytes: (n) => new Uint8Array(n), onNoRoot: (p) => notes.push(p) });
    expect(f.openat(-100, 'a.txt', O.RDONLY, 0)).toBe(-E.NOENT);
    expect(f.openat(-100, '/etc/passwd', O.RDONLY, 0)).toBe(-E.NOENT);
    expect(f.openat(-100, 'new.txt', O.WRONLY | O.CREAT, 0o644)).toBe(-E.ROFS);
    expect(notes).toEqual(['/a.txt']);
    // the devices are always there
    const fd = f.openat(-100, '/dev/null', O.RDWR, 0);
    expect(f.write(fd, new Uint8Array(5))).toBe(5);
    expect((f.read(fd, 10) as Uint8Array).length).toBe(0);
    expect(Buffer.from(f.readlink(-100, '/proc/self/exe') as Uint8Array).toString()).toBe('/prog');
  });

  it('works through the syscalls, with openat relative to a directory fd', () => {
    const s = new Sys('be', { fsRoot: root });
    const dirfd = s.ret(NR.openat, -100, s.str('sub', S + 0x100), O.RDONLY | O.DIRECTORY, 0);
    expect(dirfd).toBeGreaterThanOrEqual(3);
    const fd = s.ret(NR.openat, dirfd, s.str('b.txt', S + 0x200), O.RDONLY, 0);
    expect(s.ret(NR.read, fd, S, 100)).toBe(9);
    expect(s.text(S, 9)).toBe('inside b\n');
    expect(s.ret(NR.lseek, fd, -3, 2)).toBe(6);
    expect(s.ret(NR.fstat64, fd, S)).toBe(0);
    expect(s.word(S + 56 + (0))).toBe(0); // st_size high word (big-endian)
    expect(s.word(S + 60)).toBe(9);
    expect(s.ret(NR.open, s.str('../../secret.txt'), O.RDONLY, 0)).toBe(-E.NOENT);
    expect(s.ret(NR.open, s.str('escape-abs/secret.txt'), O.RDONLY, 0)).toBe(-E.ACCES);
    const n = s.ret(NR.readlink, s.str('/proc/self/exe'), S, 200);
    expect(s.text(S, n)).toMatch(/hello$/);
    // a private read-only mapping of the file
    const map = s.ret(NR.mmap2, 0, 4096, 1 /* PROT_READ */, 2 /* MAP_PRIVATE */, fd, 0);
    expect(map).toBeGreaterThan(0);
    expect(s.text(map, 9)).toBe('inside b\n');
    expect(s.word(map + 12)).toBe(0); // past the end of the file: zeros
    expect(s.ret(NR.mmap2, 0, 4096, 3, 1 /* MAP_SHARED, PROT_WRITE on a read-only fd */, fd, 0)).toBe(-E.ACCES);
    expect(s.ret(NR.close, fd)).toBe(0);
    expect(s.ret(NR.close, fd)).toBe(-E.BADF);
  });
});

describe.skipIf(NO_FPU)('-d strace and signals', () => {
  it('logs each syscall as qemu -strace does', () => {
    const lines: string[] = [];
    const { result } = runProgram('interp', 'be', 'hello', { strace: (l) => lines.push(l) });
    expect(result.exitCode).toBe(0);
    expect(lines[0]).toMatch(/^1000 brk\(NULL\) = 0x[0-9a-f]{8}$/);
    expect(lines).toContainEqual(expect.stringMatching(/^1000 set_thread_area\(0x[0-9a-f]{8}\) = 0$/));
    expect(lines).toContainEqual(expect.stringMatching(/^1000 readlink\("\/proc\/self\/exe",0x[0-9a-f]{8},4096\) = \d+$/));
    expect(lines).toContainEqual(expect.stringMatching(/ = -1 errno=89 \(Function not implemented\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^1000 write\(1,0x[0-9a-f]{8},26\) = 26$/));
    expect(lines[lines.length - 1]).toBe('1000 exit_group(0)');
  });

  it('kills the process for abort() with the shell-visible status 134, after the tgkill is logged', () => {
    const lines: string[] = [];
    const { result, io } = runProgram('interp', 'le', 'signals', { args: ['abort'], strace: (l) => lines.push(l) });
    expect(result.kind).toBe('exit');
    expect(result.exitCode).toBe(134);
    expect(result.message).toMatch(/signal 6 \(SIGABRT/);
    expect(io.stderrText()).toBe('about to abort\n');
    expect(lines).toContain('1000 tgkill(1000,1000,SIGABRT) = 0');
    expect(lines).toContain('1000 --- SIGABRT {si_signo=SIGABRT, si_code=SI_TKILL, si_pid=1000, si_uid=1000} ---');
  });
});

describe('signals raised by syscalls', () => {
  it('ignores, holds while blocked, and terminates by default', () => {
    const s = new Sys('be');
    expect(s.ret(NR.kill, GUEST_PID, 0)).toBe(0);
    expect(s.ret(NR.kill, 4242, 15)).toBe(-E.SRCH);
    // SIG_IGN for SIGTERM (15): struct sigaction {flags, handler, mask[4]}
    s.m.mem.write32(S, 0);
    s.m.mem.write32(S + 4, 1);
    expect(s.ret(NR.rt_sigaction, 15, S, 0, 16)).toBe(0);
    expect(s.ret(NR.kill, GUEST_PID, 15)).toBe(0);
    expect(s.ret(NR.rt_sigaction, 9, S, 0, 16)).toBe(-E.INVAL); // SIGKILL cannot be caught
    s.m.mem.write32(S + 4, 0);
    expect(s.ret(NR.rt_sigaction, 15, S, 0, 16)).toBe(0);
    expect(() => s.call(NR.kill, GUEST_PID, 15)).toThrow(expect.objectContaining({ kind: 'exit', exitCode: 143 }));
  });
});

describe('interval timer', () => {
  it('alarm() reports the seconds left; pause() with nothing to wake it ends the run', () => {
    const s = new Sys('be');
    expect(s.ret(4027, 5)).toBe(0); // alarm(5)
    expect(s.ret(4027, 0)).toBe(5); // cancelled, 5 s were left
    expect(() => s.call(4029)).toThrow(expect.objectContaining({ kind: 'timeout' }));
    // SIGALRM's default action ends the process: pause() sleeps (virtually) until it fires
    expect(s.ret(4027, 2)).toBe(0);
    expect(() => s.call(4029)).toThrow(expect.objectContaining({ kind: 'exit', exitCode: 142 }));
  });
});

describe('faults', () => {
  /** Puts `word` at a text address, points pc at it and makes it the faulting instruction. */
  function faultAt(s: Sys, word: number, exc: GuestException) {
    const pc = Sys.SCRATCH + 0x100;
    s.m.mem.write32(pc, word);
    s.m.cpu.jumpTo(pc);
    s.m.fault = { exception: exc, pc, inDelaySlot: false };
    return pc;
  }

  for (const arch of ARCHES) {
    it(`emulates unaligned loads and stores as Linux does (${arch})`, () => {
      const s = new Sys(arch);
      s.m.mem.writeBytes(S + 0x400, Uint8Array.from([0x11, 0x22, 0x33, 0x44, 0x55, 0x66]));
      s.m.cpu.r[4] = S + 0x400;
      // lw $t0, 1($a0)
      let pc = faultAt(s, 0x8c880001, new GuestException(ExcCode.AdEL, S + 0x401));
      expect(s.env.fault(s.m, s.m.fault!.exception)).toBe(true);
      expect(s.m.cpu.r[8] >>> 0).toBe(arch === 'be' ? 0x22334455 : 0x55443322);
      expect(s.m.cpu.pc).toBe(pc + 4);
      // sh $t0, 3($a0)
      s.m.cpu.r[8] = 0xabcd;
      pc = faultAt(s, 0xa4880003, new GuestException(ExcCode.AdES, S + 0x403));
      expect(s.env.fault(s.m, s.m.fault!.exception)).toBe(true);
      expect([...s.m.mem.readBytes(S + 0x403, 2)!]).toEqual(arch === 'be' ? [0xab, 0xcd] : [0xcd, 0xab]);
      // ll is not emulated: SIGBUS, which kills (128 + 7, the host's SIGBUS)
      faultAt(s, 0xc0880001, new GuestException(ExcCode.AdEL, S + 0x401));
      expect(() => s.env.fault(s.m, s.m.fault!.exception)).toThrow(expect.objectContaining({ kind: 'exit', exitCode: 135 }));
    });
  }

  it('raises SIGFPE for a divide-by-zero trap (teq ..., 7) and runs the handler, which can return', () => {
    const s = new Sys('be');
    const handler = Sys.SCRATCH + 0x200;
    s.m.mem.write32(S, 0x8); // SA_SIGINFO
    s.m.mem.write32(S + 4, handler);
    expect(s.ret(NR.rt_sigaction, 8, S, 0, 16)).toBe(0);
    s.m.cpu.r[29] = Sys.SCRATCH + 0xf000;
    s.m.cpu.r[16] = 1234;
    const pc = faultAt(s, 0x004001f4, new GuestException(ExcCode.Tr)); // teq $v0, $zero, 7
    expect(s.env.fault(s.m, s.m.fault!.exception)).toBe(true);
    const r = s.m.cpu.r;
    expect(s.m.cpu.pc).toBe(handler);
    expect(r[4]).toBe(8);
    expect(s.word(r[5])).toBe(8); // si_signo
    expect(s.word(r[5] + 4)).toBe(1); // si_code FPE_INTDIV
    expect(s.word(r[5] + 12)).toBe(pc); // si_addr
    expect(r[31] >>> 0).toBe(0x7fff1000); // returns through the sigreturn trampoline
    r[16] = 99;
    s.call(4193); // rt_sigreturn
    expect(s.m.cpu.pc).toBe(pc);
    expect(r[16]).toBe(1234);
    expect(r[29] >>> 0).toBe(Sys.SCRATCH + 0xf000);
    // without a handler the process dies with SIGFPE
    const t = new Sys('le');
    faultAt(t, 0x004001f4, new GuestException(ExcCode.Tr));
    expect(() => t.env.fault(t.m, t.m.fault!.exception)).toThrow(expect.objectContaining({ kind: 'exit', exitCode: 136 }));
  });
});

describe.skipIf(NO_FPU || !existsSync(join(FIX, '../../../dist/cli/main.js')))('CLI (needs `npm run build`)', () => {
  const CLI = join(FIX, '../../../bin/asmbox.js');
  const asmbox = (args: string[], input = '') => spawnSync(process.execPath, [CLI, 'run', '--engine', 'interp', ...args], { input, encoding: 'utf8' });

  it('passes stdout, stderr and the exit status through, with the environment it is given', () => {
    const r = asmbox(['--clear-env', '-E', 'ASMBOX_GREETING=hi there', join(FIX, 'bin/be/args_env'), 'a']);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('argv[1]="a"');
    expect(r.stdout).toContain('environment has 1 entries');
    expect(r.stdout).toContain('getenv(ASMBOX_GREETING) = "hi there"');
    const h = asmbox([join(FIX, 'bin/le/hello'), 'x']);
    expect([h.status, h.stdout, h.stderr]).toEqual([5, 'Hello, MIPS Linux!\nargc=2\n', 'this line goes to stderr\n']);
  });

  it('exits with 134 for abort() and says which signal', () => {
    const r = asmbox([join(FIX, 'bin/be/signals'), 'abort']);
    expect(r.status).toBe(134);
    expect(r.stderr).toMatch(/^about to abort\n.*asmbox: guest killed by signal 6 \(SIGABRT: Aborted\)/s);
  });

  it('-d strace logs syscalls to stderr or the -D file; unknown -d items are usage errors', () => {
    const r = asmbox(['-d', 'strace', join(FIX, 'bin/le/hello')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^1000 brk\(NULL\) = 0x[0-9a-f]{8}$/m);
    expect(r.stderr).toMatch(/^1000 exit_group\(0\)$/m);
    const dir = mkdtempSync(join(tmpdir(), 'asmbox-strace-'));
    try {
      const log = join(dir, 'trace.txt');
      const d = asmbox(['-d', 'strace', '-D', log, join(FIX, 'bin/le/hello')]);
      expect(d.stderr).toBe('this line goes to stderr\n');
      expect(readFileSync(log, 'utf8')).toMatch(/^1000 write\(1,0x[0-9a-f]{8},26\) = 26$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(asmbox(['-d', 'nonsense', join(FIX, 'bin/le/hello')]).status).toBe(2);
  });

  it('gives files only under --fs-root, read-only unless --fs-write', () => {
    const none = asmbox([join(FIX, 'bin/be/files')]);
    expect(none.status).toBe(1);
    expect(none.stdout).toBe('fopen poem.txt: No such file or directory\n');
    expect(none.stderr).toMatch(/--fs-root/);
    const ro = asmbox(['--fs-root', join(FIX, 'data'), join(FIX, 'bin/be/files'), 'write']);
    expect(ro.stdout).toContain('fopen out.txt: Read-only file system');
    expect(ro.status).toBe(1);
  });
});
