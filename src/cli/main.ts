// asmbox command line.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import chalk from 'chalk';
import { openSync, statSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadImageError, isElf, parseElf } from '../loader/elf.js';
import { loadAssembled, loadProgram, type EnvKind, type ProgramOptions } from '../env/program.js';
import { HostIO } from '../env/io.js';
import { runMachine, type RunResult } from '../machine/run.js';
import { createEngine, ENGINE_KINDS, type EngineKind } from '../machine/engines.js';
import { describeFault, describeResult } from '../machine/report.js';
import type { Machine } from '../machine/machine.js';
import { EXIT, EXIT_CODE_HELP, exitCodeFor } from './exit-codes.js';
import { readInput, UserError } from './input.js';
import { oneOf, parseAddress, parseInteger, parseMiB, parseSeconds } from './options.js';
import { listElf, listRaw } from './disasm.js';
import { JIT_DEBUG_ITEMS, jitEngineOptions, jitStatsLine } from './jit-flags.js';
import { addAsmCommand, addAssemblerOptions, assembleForRun, isAssemblySource, setRawArgv, type AsmFlags } from './asm.js';
import { addGradeCommand } from '../grade/cli.js';
import { addBootCommand } from './boot.js';
import { addBenchCommand } from './bench.js';
import { addMkdiskCommand } from './mkdisk.js';
import { attachMappedIo, deliverExceptionsToGuestHandler } from '../machine/system.js';

const ROMS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../roms');


interface RunFlags {
  engine: EngineKind;
  env?: EnvKind;
  compat: 'mars' | 'spim';
  delaySlots?: boolean;
  endian?: 'big' | 'little';
  raw?: number;
  maxInsns?: number;
  timeout?: number;
  memoryCap?: number;
  maxOutput?: number;
  stdin?: string;
  fsRoot?: string;
  fsWrite?: boolean;
  realtime?: boolean;
  seed?: number;
  stats?: boolean;
  debug?: DebugItem[];
  logFile?: string;
  jitThreshold?: number;
  chain?: boolean;
  setEnv?: string[];
  unsetEnv?: string[];
  clearEnv?: boolean;
  exceptionHandler?: string;
  mappedIo?: boolean;
}

/**
 * `-d` items (a comma list, as in qemu). Each owner adds its items here; unknown items are
 * errors. strace: guest Linux syscalls, qemu -strace style. Translator (jit-flags.ts): in_asm,
 * op, op_opt, out_js (each translated region), exec (each block run), cpu (registers at each
 * block), nochain.
 */
export const DEBUG_ITEMS = ['strace', ...JIT_DEBUG_ITEMS] as const;
export type DebugItem = (typeof DEBUG_ITEMS)[number];

function parseDebugItems(v: string, previous: DebugItem[] = []): DebugItem[] {
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const it of items) {
    if (!(DEBUG_ITEMS as readonly string[]).includes(it)) throw new InvalidArgumentError(`unknown -d item '${it}'; known items: ${DEBUG_ITEMS.join(', ')}`);
  }
  return [...previous, ...(items as DebugItem[])];
}

const collect = (v: string, previous: string[] = []) => [...previous, v];

/** The guest environment: asmbox's own (like qemu-user) unless --clear-env, then -U, then -E. */
function guestEnvironment(flags: RunFlags): string[] {
  const env = new Map<string, string>();
  if (!flags.clearEnv) for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env.set(k, v);
  for (const k of flags.unsetEnv ?? []) env.delete(k);
  for (const kv of flags.setEnv ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UserError(`-E ${kv}: expected NAME=VALUE`, EXIT.usage);
    env.set(kv.slice(0, i), kv.slice(i + 1));
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

function addRunOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--engine <kind>', 'execution engine: interp (interpreter) or jit (translator)').argParser(oneOf('engine', ENGINE_KINDS)).default('jit'))
    .addOption(new Option('--env <kind>', 'guest environment: spim (SPIM/MARS syscalls) or linux (o32 syscalls); default: linux for ELF files, spim otherwise').argParser(oneOf('environment', ['spim', 'linux'] as const)))
    .addOption(new Option('--compat <tool>', 'output formats of the spim environment: mars or spim').argParser(oneOf('compat', ['mars', 'spim'] as const)).default('mars'))
    .option('--delay-slots', 'execute the instruction after a branch before branching (default for ELF files)')
    .option('--no-delay-slots', 'branch immediately (SPIM/MARS default for assembly programs)')
    .addOption(new Option('--endian <order>', 'byte order for raw images (ELF files carry their own)').argParser(oneOf('endianness', ['big', 'little'] as const)))
    .addOption(new Option('--raw <address>', 'treat the file as a raw binary image loaded and started at ADDRESS').argParser(parseAddress))
    .addOption(new Option('--max-insns <n>', 'stop after N guest instructions (exit code 121)').argParser(parseInteger('--max-insns', 1)))
    .addOption(new Option('--timeout <seconds>', 'stop after this much wall-clock time (exit code 124)').argParser(parseSeconds))
    .addOption(new Option('--memory-cap <MiB>', 'most guest memory to allocate (exit code 122 when exceeded)').argParser(parseMiB).default(256 * 1024 * 1024, '256'))
    .addOption(new Option('--max-output <bytes>', 'most bytes the guest may print (exit code 123 when exceeded)').argParser(parseInteger('--max-output', 0)))
    .option('--stdin <file>', 'read guest standard input from FILE instead of the terminal')
    .option('--fs-root <dir>', 'let guest file syscalls use files under DIR (read-only unless --fs-write)')
    .option('--fs-write', 'allow guest file syscalls to create and write files under --fs-root')
    .option('--realtime', 'guest clocks follow the host clock (default: virtual time, deterministic)')
    .addOption(new Option('--seed <n>', 'seed for random-number syscalls the program does not seed itself').argParser(parseInteger('--seed')))
    .option('--stats', 'print instructions executed, time and speed to stderr')
    .addOption(new Option('-d, --debug <items>', `log details to stderr (or the -D file); comma list of: ${DEBUG_ITEMS.join(', ')}`).argParser(parseDebugItems))
    .option('-D, --log-file <file>', 'write -d logs to FILE instead of stderr')
    .addOption(new Option('--jit-threshold <n>', 'translate a block after N interpreted runs (0: translate everything at once)').argParser(parseInteger('--jit-threshold', 0)))
    .option('--no-chain', 'do not chain translated blocks to their successors (debugging)')
    .option('-E, --set-env <NAME=VALUE>', 'Linux: set a variable in the guest environment (repeatable)', collect)
    .option('-U, --unset-env <NAME>', 'Linux: remove a variable from the guest environment (repeatable)', collect)
    .option('--clear-env', "Linux: start from an empty environment instead of asmbox's own")
    .option('--mapped-io', "SPIM's memory-mapped terminal at 0xffff0000 (receiver/transmitter registers, interrupts IP3/IP2), as `spim -mapped_io`")
    .option('--exception-handler <file>', "assembly programs: assemble this kernel exception handler (.ktext 0x80000180) with the program, as `spim -ef FILE`; 'default' is SPIM's own handler (prints the exception and continues)");
}

function runProgram(file: string, args: string[], flags: RunFlags): number {
  const bytes = readInput(file);
  // Assembly sources (prog.s [more.s...] [-- args]) are assembled in memory first.
  const handler = flags.exceptionHandler === 'default' ? resolve(ROMS_DIR, 'spim/exceptions.s') : flags.exceptionHandler;
  if (handler) readInput(handler);
  const isAsm = flags.raw === undefined && isAssemblySource(file, bytes);
  if (handler && !isAsm) throw new UserError('--exception-handler needs an assembly program', EXIT.usage);
  const asm = isAsm ? (handler ? assembleForRun(handler, [file, ...args], flags as RunFlags & AsmFlags) : assembleForRun(file, args, flags as RunFlags & AsmFlags)) : null;
  if (asm && !asm.program) return asm.exitCode;
  if (asm) args = asm.guestArgs;
  let stdinFd = 0;
  if (flags.stdin) {
    try {
      stdinFd = openSync(flags.stdin, 'r');
    } catch {
      throw new UserError(`--stdin ${flags.stdin}: cannot open`, EXIT.badInput);
    }
  }
  if (flags.fsWrite && !flags.fsRoot) throw new UserError('--fs-write needs --fs-root DIR', EXIT.usage);
  if (flags.fsRoot) {
    try {
      if (!statSync(flags.fsRoot).isDirectory()) throw new Error();
    } catch {
      throw new UserError(`--fs-root ${flags.fsRoot}: not a directory`, EXIT.usage);
    }
  }
  const io = new HostIO(stdinFd, flags.maxOutput ?? Infinity);
  let logFd = 2;
  if (flags.logFile) {
    try {
      logFd = openSync(flags.logFile, 'w');
    } catch {
      throw new UserError(`-D ${flags.logFile}: cannot open for writing`, EXIT.usage);
    }
  }
  /** A log line, in order with the guest's own (buffered) output when both go to stderr. */
  const log = (line: string) => {
    if (logFd === 2) io.flush();
    writeSync(logFd, line + '\n');
  };
  const popts: ProgramOptions = {
    env: flags.env, compat: flags.compat, delaySlots: flags.delaySlots, endian: flags.endian, rawBase: flags.raw,
    memoryCap: flags.memoryCap, fsRoot: flags.fsRoot ?? null, fsWrite: flags.fsWrite, realtime: flags.realtime,
    seed: flags.seed, args, envVars: guestEnvironment(flags),
    ttys: [isatty(stdinFd), isatty(1), isatty(2)],
    strace: flags.debug?.includes('strace') ? log : undefined,
    notice: (msg) => { io.flush(); process.stderr.write(chalk.yellow(`asmbox: note: ${msg}`) + '\n'); },
  };
  let m: Machine;
  try {
    m = asm?.program ? loadAssembled(asm.program, file, io, popts) : loadProgram(bytes, file, io, popts);
  } catch (e) {
    if (e instanceof BadImageError) throw new UserError(e.message, EXIT.badInput);
    throw e;
  }
  // a kernel exception handler at 0x80000180: exceptions go to it, as in SPIM
  if (asm?.program) deliverExceptionsToGuestHandler(m, asm.program);
  if (flags.mappedIo) attachMappedIo(m, io, { liveInput: isatty(stdinFd) });
  const engine = createEngine(flags.engine, m, jitEngineOptions(flags, log));
  const result = runMachine(m, engine, { maxInsns: flags.maxInsns, timeoutMs: flags.timeout !== undefined ? flags.timeout * 1000 : undefined });
  io.flush();
  if (result.kind !== 'exit' && result.kind !== 'halt') {
    process.stderr.write(chalk.red(`asmbox: ${describeResult(m, result)}`) + '\n');
  } else if (result.message) {
    // killed by a signal (Linux): say which, and where when a fault raised it
    process.stderr.write(chalk.red(`asmbox: ${result.message}`) + '\n');
    if (result.fault) process.stderr.write(chalk.red(`asmbox: ${describeFault(m)}`) + '\n');
  }
  if (flags.stats) {
    const mips = result.insns / Math.max(result.ms, 0.001) / 1000;
    process.stderr.write(`asmbox: ${result.insns} instructions in ${result.ms.toFixed(1)} ms (${mips.toFixed(1)} MIPS, engine ${flags.engine})\n`);
    const jl = jitStatsLine(engine);
    if (jl) process.stderr.write(jl + '\n');
  }
  return exitCodeFor(result);
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('asmbox')
    .description('Run, disassemble and inspect MIPS32 guest programs: an interpreter and a JS-generating translator.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${EXIT_CODE_HELP}\n\nExamples:\n  asmbox run prog.s                 assemble and run a SPIM/MARS program\n  asmbox run main.s lib.s -- 5 x    two source files, guest arguments after --\n  asmbox asm prog.s -o prog.elf     assemble to an ELF executable (--listing: SPIM-style listing)\n  asmbox run prog.elf arg1 arg2     run a static MIPS Linux program\n  asmbox disasm prog.elf            objdump-style listing\n  asmbox demo                       run the built-in demo`);

  addAssemblerOptions(addRunOptions(
    program.command('run')
      .description('run a guest program: MIPS ELF32 (either byte order), SPIM/MARS assembly source (prog.s [more.s...] [-- args], assembled in memory), or a raw image with --raw')
      .argument('<program>', 'program file (or first assembly source file)')
      .argument('[args...]', 'more assembly files, then arguments passed to the guest (put -- before them)'),
  )).action((file: string, args: string[], flags: RunFlags) => setExit(runProgram(file, args, flags)));

  addAsmCommand(program, setExit);

  program.command('disasm')
    .description('disassemble the code sections of an ELF file (or a raw image), objdump style')
    .argument('<file>', 'ELF executable or object, or raw image with --raw')
    .option('--numeric', 'print registers as $8, $29 instead of t0, sp')
    .option('--no-aliases', 'print the real instructions instead of their preferred aliases (nop, move, b, ...)')
    .addOption(new Option('--raw <address>', 'treat the file as a raw image at ADDRESS').argParser(parseAddress))
    .addOption(new Option('--endian <order>', 'byte order of a raw image').argParser(oneOf('endianness', ['big', 'little'] as const)).default('little'))
    .action((file: string, flags: { numeric?: boolean; aliases: boolean; raw?: number; endian: 'big' | 'little' }) => {
      const bytes = readInput(file);
      const opts = { regNames: flags.numeric ? 'numeric' as const : 'abi' as const, aliases: flags.aliases };
      let text: string;
      if (flags.raw !== undefined) text = listRaw(bytes, flags.raw, flags.endian === 'big', opts);
      else {
        if (!isElf(bytes)) throw new UserError(`${file}: not an ELF file (for a raw binary image, pass --raw ADDRESS)`, EXIT.badInput);
        try {
          text = listElf(parseElf(bytes, file), file, opts);
        } catch (e) {
          if (e instanceof BadImageError) throw new UserError(e.message, EXIT.badInput);
          throw e;
        }
      }
      process.stdout.write(text);
      setExit(0);
    });

  addRunOptions(
    program.command('demo').description('assemble and run the built-in demo program (roms/demo.s: Mandelbrot set and a prime sieve)'),
  ).action((flags: RunFlags) => setExit(runProgram(resolve(ROMS_DIR, 'demo.s'), [], flags)));

  addGradeCommand(program, setExit);
  addBootCommand(program, setExit);
  addBenchCommand(program, setExit);
  addMkdiskCommand(program, setExit);

  return program;
}

export async function main(argv: string[]): Promise<void> {
  let exitCode = 0;
  setRawArgv(argv);
  const program = buildProgram((c) => (exitCode = c));
  program.exitOverride();
  for (const c of program.commands) c.exitOverride(); // subcommands too: usage errors exit with 2, not 1
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : EXIT.usage;
    } else if (e instanceof UserError) {
      process.stderr.write(chalk.red(`asmbox: error: ${e.message}`) + '\n');
      exitCode = e.exitCode;
    } else {
      // A bug in asmbox itself: say so plainly; the stack trace only with ASMBOX_DEBUG=1.
      const err = e as Error;
      process.stderr.write(chalk.red(`asmbox: internal error: ${err?.message ?? String(e)}`) + '\n');
      if (process.env.ASMBOX_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
      else process.stderr.write('(set ASMBOX_DEBUG=1 for details; please report this)\n');
      exitCode = EXIT.internal;
    }
  }
  process.exitCode = exitCode;
}
