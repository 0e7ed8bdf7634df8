// The assembler on the command line: `asmbox asm` and `asmbox run prog.s [more.s...] [-- args]`.
import { Command, Option } from 'commander';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { assemble, START_HELP, type AsmProgram, type StartMode } from '../asm/assembler.js';
import { formatDiagnostics } from '../asm/diagnostics.js';
import { writeElf } from '../asm/elf-writer.js';
import type { LayoutName } from '../asm/layout.js';
import { formatListing } from '../asm/listing.js';
import { EXIT } from './exit-codes.js';
import { oneOf } from './options.js';

export interface AsmFlags {
  start?: StartMode;
  layout?: LayoutName;
  bare?: boolean;
  warnings?: boolean;
  endian?: 'big' | 'little';
  delaySlots?: boolean;
}

const SOURCE_EXT = new Set(['.s', '.asm', '.S', '.mips']);

let rawArgv: string[] = [];
/** The process arguments as given (to find `--` between source files and guest arguments). */
export function setRawArgv(argv: string[]): void {
  rawArgv = argv;
}

/** Assembly source: a .s/.asm file, or any file that is not ELF and looks like text. */
export function isAssemblySource(file: string, bytes: Uint8Array): boolean {
  if (bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) return false;
  if (SOURCE_EXT.has(extname(file)) || SOURCE_EXT.has(extname(file).toLowerCase())) return true;
  const head = bytes.subarray(0, 4096);
  return head.length > 0 && !head.includes(0);
}

export function addAssemblerOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--start <mode>', `where execution starts (assembly programs): ${START_HELP.replace(/\n\s*/g, ' ')}`).argParser(oneOf('start mode', ['spim', 'mars', 'main'] as const)).default('spim'))
    .addOption(new Option('--layout <name>', 'memory layout of assembly programs: default (text 0x00400000, data 0x10010000, as SPIM and MARS), compact (MARS "compact, text at address 0": text 0, data 0x2000)').argParser(oneOf('layout', ['default', 'compact'] as const)))
    .option('--bare', "SPIM's bare machine (an R2000): no pseudo-instructions, data at 0x10000000, delayed branches; lwc0/swc0 and coprocessor 3 instead of ll/sc and COP1X")
    .option('--no-warnings', 'do not print assembler warnings');
}

function readSource(file: string): string | null {
  try {
    if (statSync(file).isDirectory()) {
      process.stderr.write(`asmbox: error: ${file}: is a directory, expected an assembly source file\n`);
      return null;
    }
    return readFileSync(file, 'latin1');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    process.stderr.write(`asmbox: error: ${file}: cannot read: ${why}\n`);
    return null;
  }
}

/** Assembles files, printing diagnostics to stderr; null when there were errors. */
export function assembleFiles(files: string[], flags: AsmFlags): { program: AsmProgram | null; exitCode: number } {
  const sources: { path: string; text: string }[] = [];
  for (const f of files) {
    const text = readSource(f);
    if (text === null) return { program: null, exitCode: EXIT.badInput };
    sources.push({ path: f, text });
  }
  const r = assemble(sources, {
    start: flags.start,
    layout: flags.bare ? 'bare' : flags.layout,
    bare: flags.bare,
    delaySlots: flags.bare ? true : flags.delaySlots,
    bigEndian: flags.endian === 'big',
  });
  const text = formatDiagnostics(r.diagnostics, { color: !!process.stderr.isTTY && !process.env.NO_COLOR, warnings: flags.warnings !== false });
  if (text) process.stderr.write(text);
  return { program: r.program, exitCode: r.program ? 0 : EXIT.assemblyError };
}

/**
 * `asmbox run a.s b.s -- x y`: the source files and the guest's arguments. Without `--`,
 * the leading arguments that name assembly files are sources, the rest guest arguments.
 */
export function splitRunArgs(first: string, args: string[]): { sources: string[]; guestArgs: string[] } {
  const dd = rawArgv.indexOf('--');
  if (dd >= 0) {
    const after = rawArgv.length - dd - 1;
    const n = Math.max(0, args.length - after);
    return { sources: [first, ...args.slice(0, n)], guestArgs: args.slice(n) };
  }
  let n = 0;
  while (n < args.length && SOURCE_EXT.has(extname(args[n]))) n++;
  return { sources: [first, ...args.slice(0, n)], guestArgs: args.slice(n) };
}

export function assembleForRun(file: string, args: string[], flags: AsmFlags): { program: AsmProgram | null; exitCode: number; guestArgs: string[] } {
  const { sources, guestArgs } = splitRunArgs(file, args);
  return { ...assembleFiles(sources, flags), guestArgs };
}

export function addAsmCommand(program: Command, setExit: (code: number) => void): void {
  addAssemblerOptions(
    program.command('asm')
      .description('assemble SPIM/MARS assembly files into a MIPS ELF32 executable (with symbols; runs with `asmbox run`, reads with `asmbox disasm` and mips-linux-gnu-objdump)')
      .argument('<files...>', 'assembly source files (assembled together: .globl labels are shared, others stay private to their file)')
      .option('-o, --output <file>', 'write the executable to FILE (default: the first source with .elf; with --listing, no file unless -o)')
      .option('-l, --listing', "print address, machine word, instruction and source line side by side (SPIM's text segment view)")
      .addOption(new Option('--endian <order>', 'byte order of the program').argParser(oneOf('endianness', ['big', 'little'] as const)).default('little'))
      .option('--delay-slots', 'assemble for a machine with branch delay slots (branches inside pseudo-instructions get a nop)'),
  ).action((files: string[], flags: AsmFlags & { output?: string; listing?: boolean }) => {
    const r = assembleFiles(files, flags);
    if (!r.program) return setExit(r.exitCode);
    if (flags.listing) process.stdout.write(formatListing(r.program) + '\n');
    const out = flags.output ?? (flags.listing ? null : basename(files[0]).replace(/\.[^.]*$/, '') + '.elf');
    if (out) {
      try {
        writeFileSync(out, writeElf(r.program));
      } catch (e) {
        process.stderr.write(`asmbox: error: ${out}: cannot write: ${(e as Error).message}\n`);
        return setExit(EXIT.badInput);
      }
    }
    setExit(0);
  });
}
