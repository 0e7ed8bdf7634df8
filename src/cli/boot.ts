// `asmbox boot <rom> [--disk img] [--disk-write] [--realtime]`: system mode from the reset vector.
import { Command, InvalidArgumentError, Option } from 'commander';
import chalk from 'chalk';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isatty } from 'node:tty';
import { dirname, extname, resolve } from 'node:path';
import { BadImageError, isElf, parseElf } from '../loader/elf.js';
import { HostIO } from '../env/io.js';
import { runMachine, type RunResult } from '../machine/run.js';
import { createEngine, ENGINE_KINDS, type EngineKind } from '../machine/engines.js';
import { describeResult } from '../machine/report.js';
import { bootMachine, DEFAULT_RAM, MAX_RAM } from '../machine/system.js';
import { assembleFiles } from './asm.js';
import { readInput, UserError } from './input.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { ExcCode } from '../machine/exceptions.js';
import { oneOf, parseInteger, parseSeconds } from './options.js';

interface BootFlags {
  engine: EngineKind;
  disk?: string;
  diskWrite?: boolean;
  realtime?: boolean;
  maxInsns?: number;
  timeout?: number;
  maxOutput?: number;
  stats?: boolean;
  ramMib: number;
}

const ROMS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../roms');
/** The ROM `asmbox boot` runs without an argument: the multitasking kernel demo, built by `npm run build`. */
export const DEFAULT_ROM = resolve(ROMS_DIR, 'build/kernel.elf');
const DEFAULT_ROM_SOURCE = resolve(ROMS_DIR, 'kernel.s');

export interface RomImage {
  segments: { addr: number; bytes: Uint8Array }[];
  /** Non-zero: assembling failed (diagnostics already printed) with this exit code. */
  exitCode: number;
  bigEndian: boolean;
}

/**
 * Segments of a ROM: assembly source (assembled by asmbox, delay slots on), an ELF image (its
 * loadable segments at their addresses, as `asmbox asm --delay-slots` writes them), or a raw
 * image placed at the reset vector. Throws UserError for an unreadable file, BadImageError for a
 * malformed ELF.
 */
export function romSegments(file: string): RomImage {
  if (['.s', '.asm', '.S'].includes(extname(file))) {
    const r = assembleFiles([file], { delaySlots: true, start: 'mars' });
    if (!r.program) return { segments: [], exitCode: r.exitCode, bigEndian: false };
    return { segments: r.program.segments.map((s) => ({ addr: s.addr, bytes: s.bytes })), exitCode: 0, bigEndian: r.program.bigEndian };
  }
  const bytes = new Uint8Array(readInput(file));
  if (isElf(bytes)) {
    const elf = parseElf(bytes, file);
    const segments = elf.segments.filter((s) => s.filesz > 0).map((s) => ({ addr: s.vaddr, bytes: bytes.subarray(s.offset, s.offset + s.filesz) }));
    return { segments, exitCode: 0, bigEndian: elf.bigEndian };
  }
  return { segments: [{ addr: 0xbfc00000, bytes }], exitCode: 0, bigEndian: false };
}

function ramMib(v: string): number {
  const n = parseInteger('--ram-mib', 1)(v);
  if (n > MAX_RAM >> 20) throw new InvalidArgumentError(`--ram-mib must be at most ${MAX_RAM >> 20} (RAM ends below the device windows at physical 0x1F000000), got '${v}'`);
  return n;
}

/** The built kernel demo, or its source when the build has not made the image (e.g. run from src). */
function defaultRom(): string {
  return existsSync(DEFAULT_ROM) ? DEFAULT_ROM : DEFAULT_ROM_SOURCE;
}

export function addBootCommand(program: Command, setExit: (code: number) => void): void {
  program.command('boot')
    .description('boot a ROM in system mode: CPU from the reset vector 0xBFC00000 (kernel mode, BEV), RAM, console, timer, disk and power devices')
    .argument('[rom]', 'ROM: assembly source (.s, assembled with delay slots), an ELF image (asmbox asm --delay-slots), or a raw image loaded at 0xBFC00000; default: the multitasking kernel demo (roms/kernel.s)')
    .addOption(new Option('--engine <kind>', 'execution engine').argParser(oneOf('engine', ENGINE_KINDS)).default('jit'))
    .option('--disk <image>', 'disk image file (writes go to a copy-on-write overlay unless --disk-write)')
    .option('--disk-write', 'write guest disk writes through to the image file')
    .option('--realtime', 'the interval timer follows the host clock (default: virtual time)')
    .addOption(new Option('--ram-mib <n>', `RAM size in MiB, at most ${MAX_RAM >> 20} (pages are allocated when first touched)`).argParser(ramMib).default(DEFAULT_RAM >> 20))
    .addOption(new Option('--max-insns <n>', 'stop after N guest instructions (exit code 121)').argParser(parseInteger('--max-insns', 1)))
    .addOption(new Option('--timeout <seconds>', 'stop after this much wall-clock time (exit code 124)').argParser(parseSeconds))
    .addOption(new Option('--max-output <bytes>', 'most bytes the console may print (exit code 123 when exceeded)').argParser(parseInteger('--max-output', 0)))
    .option('--stats', 'print instructions executed, time, speed and the exceptions taken (Int = interrupts, Sys = syscalls) to stderr')
    .addHelpText('after', `
The machine: RAM at physical 0 (seen at kuseg 0x00000000, kseg0 0x80000000 and kseg1
0xA0000000; no TLB), the ROM at 0xBFC00000, and in kseg1 the devices: console 0xBF000000 (also
SPIM's 0xFFFF0000; IP2 transmit, IP3 receive), interval timer 0xBF000100 (IP5), disk 0xBF000200
(IP4), power 0xBF000300 (a write halts with that exit code). Register maps: src/devices/README.md;
the ROMs: roms/README.md. Time is virtual (one timer tick per instruction) unless --realtime.

Examples:
  asmbox boot                                          the multitasking kernel demo (npm start)
  asmbox boot roms/hello.s                             a ROM that prints by polling the console
  asmbox boot roms/disk-demo.s --disk roms/build/disk.img
  asmbox boot roms/monitor.s --disk roms/build/disk.img   load a user program from disk, run it
  asmbox mkdisk notes.txt prog.s -o my.img             make a disk image for these ROMs`)
    .action((file: string | undefined, flags: BootFlags) => {
      file ??= defaultRom();
      let rom;
      try {
        rom = romSegments(file);
      } catch (e) {
        if (!(e instanceof BadImageError || e instanceof UserError)) throw e;
        process.stderr.write(chalk.red(`asmbox: error: ${e.message}`) + '\n');
        return setExit(EXIT.badInput);
      }
      if (rom.exitCode) return setExit(rom.exitCode);
      if (flags.diskWrite && !flags.disk) {
        process.stderr.write(chalk.red('asmbox: error: --disk-write needs --disk IMAGE') + '\n');
        return setExit(EXIT.usage);
      }
      const io = new HostIO(0, flags.maxOutput ?? Infinity);
      const { m, board } = bootMachine({
        rom: new Uint8Array(0), segments: rom.segments, io, bigEndian: rom.bigEndian, ramSize: flags.ramMib * 1024 * 1024,
        disk: flags.disk ? { path: flags.disk, persist: !!flags.diskWrite } : null,
        realtime: flags.realtime, liveInput: isatty(0),
      });
      const onSigint = () => { board.flushAll(); process.exit(130); };
      process.on('SIGINT', onSigint);
      let result: RunResult;
      try {
        result = runMachine(m, createEngine(flags.engine, m), { maxInsns: flags.maxInsns, timeoutMs: flags.timeout !== undefined ? flags.timeout * 1000 : undefined });
      } finally {
        board.close();
        process.off('SIGINT', onSigint);
      }
      io.flush();
      if (result.kind !== 'halt' && result.kind !== 'exit') process.stderr.write(chalk.red(`asmbox: ${describeResult(m, result)}`) + '\n');
      if (flags.stats) {
        const mips = result.insns / Math.max(result.ms, 0.001) / 1000;
        const taken = m.sys!.taken.map((n, code) => (n ? `${ExcCode[code] ?? code} ${n}` : '')).filter(Boolean).join(', ');
        process.stderr.write(`asmbox: ${result.insns} instructions in ${result.ms.toFixed(1)} ms (${mips.toFixed(1)} MIPS, engine ${flags.engine}); exceptions taken: ${taken || 'none'}\n`);
      }
      setExit(exitCodeFor(result));
    });
}
