// Builds a ready-to-run Machine from a program file and the user's options: picks the
// environment, endianness and delay-slot mode, loads the image and sets up the stack.
import { Machine } from '../machine/machine.js';
import { BadImageError, isElf, parseElf } from '../loader/elf.js';
import { loadElf, loadRaw, type LoadedImage } from '../loader/load.js';
import { resolve } from 'node:path';
import { LinuxEnvironment } from './linux.js';
import { interpreterOf, programHeadersOf, setupLinuxProcess } from './linux-start.js';
import { SpimEnvironment, type Compat } from './spim.js';
import { GuestFiles } from './guest-fs.js';
import type { GuestIO } from './io.js';
import type { AsmProgram, LineInfo } from '../asm/assembler.js';
import { decodeNote } from '../asm/elf-writer.js';
import type { Layout } from '../asm/layout.js';
import type { ElfImage } from '../loader/elf.js';
import { setSourceLookup, sortedSourceLookup } from '../machine/report.js';

export type EnvKind = 'spim' | 'linux';

export interface ProgramOptions {
  env?: EnvKind;
  compat?: Compat;
  delaySlots?: boolean;
  endian?: 'big' | 'little';
  /** Treat the file as a raw image loaded (and started) at this address. */
  rawBase?: number;
  memoryCap?: number;
  fsRoot?: string | null;
  fsWrite?: boolean;
  realtime?: boolean;
  seed?: number;
  /** Guest argv[1..] (argv[0] is the program name). */
  args?: string[];
  envVars?: string[];
  /** Linux: which of fds 0, 1, 2 are terminals (default: none). */
  ttys?: [boolean, boolean, boolean];
  /** Linux: receives one line per syscall (`-d strace`). */
  strace?: (line: string) => void;
  /** Linux: receives one-off notes for the user (e.g. file access without --fs-root). */
  notice?: (message: string) => void;
}

export const SPIM_STACK_POINTER = 0x7fffeffc;
const SPIM_STACK_BOTTOM = 0x7f800000;

export function loadProgram(bytes: Uint8Array, fileName: string, io: GuestIO, opts: ProgramOptions = {}): Machine {
  const raw = opts.rawBase !== undefined;
  if (!raw && !isElf(bytes)) {
    throw new BadImageError(`${fileName}: not an ELF file (for a raw binary image, pass --raw ADDRESS)`);
  }
  const elf = raw ? null : parseElf(bytes, fileName);
  const bigEndian = opts.endian ? opts.endian === 'big' : elf ? elf.bigEndian : false;
  if (elf && opts.endian && elf.bigEndian !== bigEndian) {
    throw new BadImageError(`${fileName}: is ${elf.bigEndian ? 'big' : 'little'}-endian, but --endian ${opts.endian} was given`);
  }
  // ELF files written by `asmbox asm` say how they want to run (SPIM environment, delay slots).
  const note = elf ? asmboxNote(elf) : null;
  const envKind: EnvKind = opts.env ?? (note ? 'spim' : elf ? 'linux' : 'spim');
  const m = new Machine({ bigEndian, delaySlots: opts.delaySlots ?? (note ? note.delaySlots : !!elf), memoryCap: opts.memoryCap });
  m.io = io;
  const image: LoadedImage = elf ? loadElf(m, elf, fileName) : loadRaw(m, bytes, opts.rawBase!);
  // EF_MIPS_FP64: the program was built for 64-bit FPU registers (FR=1).
  if (elf && elf.flags & 0x200) m.cpu.fr64 = true;
  const argv = [fileName, ...(opts.args ?? [])];
  if (envKind === 'linux') {
    const env = new LinuxEnvironment(m, {
      programEnd: image.end, exePath: resolve(fileName), fsRoot: opts.fsRoot ?? null, fsWrite: opts.fsWrite,
      realtime: opts.realtime, seed: opts.seed, ttys: opts.ttys, strace: opts.strace, notice: opts.notice,
    });
    m.env = env;
    const interp = elf ? interpreterOf(elf) : null;
    if (interp) {
      throw new BadImageError(`${fileName}: dynamically linked (needs ${interp}); asmbox runs static programs: link with -static`);
    }
    const phdrs = elf ? programHeadersOf(elf) : null;
    m.cpu.r[29] = setupLinuxProcess(m, {
      argv, envp: opts.envVars ?? [], entry: image.entry, execFn: fileName, phdrs, random: env.randomBytes(16),
    });
  } else {
    m.env = new SpimEnvironment({
      compat: opts.compat ?? 'mars',
      heapStart: note ? asmHeapStart(note.layout, note.dataEnd, opts.compat ?? 'mars') : (image.end + 7) & ~7,
      files: new GuestFiles(opts.fsRoot ?? null, !!opts.fsWrite),
      realtime: opts.realtime,
      randomSeed: opts.seed,
    });
    setupSpimStack(m, argv);
    if (note) asmMemory(m, note.layout, note.dataEnd, note.lines);
  }
  m.cpu.jumpTo(image.entry);
  return m;
}

/** SPIM's start state: $sp = 0x7fffeffc, $a0 = argc, $a1 = argv (strings above the stack). */
export function setupSpimStack(m: Machine, argv: string[]): void {
  m.mem.map(SPIM_STACK_BOTTOM, 0x80000000 - SPIM_STACK_BOTTOM, 'stack');
  const enc = new TextEncoder();
  let p = 0x80000000;
  const ptrs = argv.map((a) => {
    const b = enc.encode(a + '\0');
    p -= b.length;
    m.mem.writeBytes(p, b);
    return p;
  });
  p = (p - 4 * (ptrs.length + 1)) & ~3;
  const argvAddr = p;
  [...ptrs, 0].forEach((v, i) => m.mem.write32(argvAddr + 4 * i, v));
  m.cpu.r[4] = argv.length;
  m.cpu.r[5] = argvAddr;
  m.cpu.r[29] = Math.min(SPIM_STACK_POINTER, (argvAddr - 4) & ~7) | 0;
  m.cpu.r[28] = 0x10008000;
}

// ---- programs assembled by asmbox (asmbox run prog.s, or an ELF written by asmbox asm) ----

function asmboxNote(elf: ElfImage): ReturnType<typeof decodeNote> {
  const sec = elf.sections.find((s) => s.name === '.asmbox');
  return sec ? decodeNote(elf.bytes.subarray(sec.offset, sec.offset + sec.size)) : null;
}

/** SPIM's heap starts right after the static data; MARS's at a fixed address (0x10040000). */
function asmHeapStart(layout: Layout, dataEnd: number, compat: Compat): number {
  const end = (dataEnd + 7) & ~7;
  return compat === 'mars' ? Math.max(layout.heap, end) >>> 0 : end >>> 0;
}

/** The whole data segment ($gp area, .data, room up to the heap), $gp, and source lines. */
function asmMemory(m: Machine, layout: Layout, dataEnd: number, lines: LineInfo[]): void {
  m.mem.map(layout.dataBase, Math.max(layout.dataMin, dataEnd) - layout.dataBase, 'data');
  if (layout.name === 'compact') {
    m.mem.map(layout.heap, layout.sp + 4 - layout.heap, 'stack');
    m.cpu.r[29] = layout.sp;
  }
  m.cpu.r[28] = layout.gp;
  setSourceLookup(m, sortedSourceLookup(lines));
}

/** A ready-to-run Machine for a program assembled in memory (SPIM/MARS environment). */
export function loadAssembled(p: AsmProgram, programName: string, io: GuestIO, opts: ProgramOptions = {}): Machine {
  const m = new Machine({ bigEndian: p.bigEndian, delaySlots: opts.delaySlots ?? p.delaySlots, memoryCap: opts.memoryCap });
  m.io = io;
  for (const s of p.segments) {
    m.mem.map(s.addr, Math.max(4, s.bytes.length), s.kind === 'text' || s.kind === 'ktext' ? 'text' : 'data');
    m.mem.writeBytes(s.addr, s.bytes);
  }
  m.symbols = p.symbols.filter((s) => s.kind === 'label').map((s) => ({ name: s.name, addr: s.value >>> 0, size: 0 }));
  m.env = new SpimEnvironment({
    compat: opts.compat ?? 'mars',
    heapStart: asmHeapStart(p.layout, p.dataEnd, opts.compat ?? 'mars'),
    files: new GuestFiles(opts.fsRoot ?? null, !!opts.fsWrite),
    realtime: opts.realtime,
    randomSeed: opts.seed,
  });
  const argv = [programName, ...(opts.args ?? [])];
  setupSpimStack(m, argv);
  // SPIM's own start-up code (exceptions.s __start) reads argc at 0($sp), argv from 4($sp).
  const sp = m.cpu.r[29] >>> 0, argvAddr = m.cpu.r[5] >>> 0;
  if (sp + 4 * (argv.length + 3) <= argvAddr) {
    m.mem.write32(sp, argv.length);
    for (let i = 0; i <= argv.length; i++) m.mem.write32(sp + 4 + 4 * i, m.mem.read32(argvAddr + 4 * i));
  }
  asmMemory(m, p.layout, p.dataEnd, p.lines);
  m.cpu.jumpTo(p.entry);
  return m;
}
