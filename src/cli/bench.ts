// `asmbox bench <program> [args]`: runs a guest program under the interpreter and under the
// translator in one process (best of --repeat N each), checks that both give the same stdout and
// exit code, and prints guest MIPS, the speedup and the translator's statistics.
import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { BadImageError } from '../loader/elf.js';
import { loadAssembled, loadProgram } from '../env/program.js';
import { CapturedIO } from '../env/io.js';
import { runMachine, type RunResult } from '../machine/run.js';
import { bootMachine, deliverExceptionsToGuestHandler } from '../machine/system.js';
import { romSegments } from './boot.js';
import { UserError } from './input.js';
import { createEngine, type EngineKind, type MachineEngine } from '../machine/engines.js';
import type { JitStats } from '../jit/jit.js';
import { EXIT } from './exit-codes.js';
import { parseInteger } from './options.js';
import { assembleForRun, isAssemblySource, type AsmFlags } from './asm.js';
import { AgainstError, benchAgainst, formatAgainst } from './bench-against.js';


interface BenchFlags {
  repeat: number;
  /** System mode: the program is a ROM booted from the reset vector (as `asmbox boot`). */
  boot?: boolean;
  disk?: string;
  maxInsns?: number;
  jitThreshold?: number;
  stdin?: string;
  json?: boolean;
  /** A reference emulator command (qemu-mips): whole processes side by side instead. */
  against?: string;
  engine: EngineKind;
}

export interface EngineRun {
  engine: EngineKind;
  ms: number;
  insns: number;
  mips: number;
  kind: RunResult['kind'];
  exitCode: number;
  stdout: string;
  stats?: JitStats;
  /** System mode: interrupts and exceptions taken. */
  interrupts?: number;
  exceptions?: number;
}

export interface BenchResult {
  program: string;
  interp: EngineRun;
  jit: EngineRun;
  speedup: number;
  same: boolean;
}

/** Loads `file` (ELF or assembly) once; the returned function runs it from scratch under an engine. */
export function benchRunner(file: string, args: string[], flags: Omit<BenchFlags, 'repeat'>): (engine: EngineKind) => EngineRun {
  if (flags.boot) return romRunner(file, flags);
  const bytes = readFileSync(file);
  const isAsm = isAssemblySource(file, bytes);
  const asm = isAsm ? assembleForRun(file, args, {} as AsmFlags) : null;
  if (asm && !asm.program) throw new BenchError(`${file}: assembly failed`, asm.exitCode);
  const guestArgs = asm ? asm.guestArgs : args;
  const stdin = flags.stdin ? readFileSync(flags.stdin) : new Uint8Array(0);
  const once = (engine: EngineKind): EngineRun => {
    const io = new CapturedIO(stdin);
    const popts = { args: guestArgs, seed: 1 };
    let m;
    try {
      m = asm?.program ? loadAssembled(asm.program, file, io, popts) : loadProgram(bytes, file, io, popts);
    } catch (e) {
      if (e instanceof BadImageError) throw new BenchError(e.message, EXIT.badInput);
      throw e;
    }
    if (asm?.program) deliverExceptionsToGuestHandler(m, asm.program);
    const eng: MachineEngine = createEngine(engine, m, { jitThreshold: flags.jitThreshold });
    const r = runMachine(m, eng, { maxInsns: flags.maxInsns });
    m.mem.release();
    return {
      engine, ms: r.ms, insns: r.insns, mips: r.insns / Math.max(r.ms, 0.001) / 1000, kind: r.kind,
      exitCode: r.exitCode, stdout: io.stdoutText(), stats: eng.jit ? { ...eng.jit.stats } : undefined,
    };
  };
  return once;
}

/** System mode: boots the ROM (with the disk image read-only behind an overlay) from scratch per run. */
function romRunner(file: string, flags: Omit<BenchFlags, 'repeat'>): (engine: EngineKind) => EngineRun {
  let rom;
  try {
    rom = romSegments(file);
  } catch (e) {
    if (!(e instanceof BadImageError || e instanceof UserError)) throw e;
    throw new BenchError(e.message, EXIT.badInput);
  }
  if (rom.exitCode) throw new BenchError(`${file}: assembly failed`, rom.exitCode);
  const stdin = flags.stdin ? readFileSync(flags.stdin) : new Uint8Array(0);
  return (engine) => {
    const io = new CapturedIO(stdin);
    const { m, board } = bootMachine({
      rom: new Uint8Array(0), segments: rom.segments, io, bigEndian: rom.bigEndian,
      disk: flags.disk ? { path: flags.disk, persist: false } : null,
    });
    const eng = createEngine(engine, m, { jitThreshold: flags.jitThreshold });
    let r: RunResult;
    try {
      r = runMachine(m, eng, { maxInsns: flags.maxInsns });
    } finally {
      board.close();
    }
    const taken = m.sys!.taken;
    return {
      engine, ms: r.ms, insns: r.insns, mips: r.insns / Math.max(r.ms, 0.001) / 1000, kind: r.kind,
      exitCode: r.exitCode, stdout: io.stdoutText(), stats: eng.jit ? { ...eng.jit.stats } : undefined,
      interrupts: taken[0], exceptions: taken.reduce((a, b) => a + b, 0) - taken[0],
    };
  };
}

/** Runs `file` (ELF or assembly) under both engines, best of `repeat` runs each. */
export function benchProgram(file: string, args: string[], flags: BenchFlags): BenchResult {
  const once = benchRunner(file, args, flags);
  const best = (engine: EngineKind): EngineRun => {
    let b: EngineRun | null = null;
    for (let i = 0; i < Math.max(1, flags.repeat); i++) {
      const r = once(engine);
      if (!b || r.ms < b.ms) b = r;
    }
    return b!;
  };
  const interp = best('interp');
  const jit = best('jit');
  const same = interp.stdout === jit.stdout && interp.exitCode === jit.exitCode && interp.kind === jit.kind && interp.insns === jit.insns;
  return { program: file, interp, jit, speedup: interp.ms / Math.max(jit.ms, 0.001), same };
}

class BenchError extends Error {
  constructor(message: string, readonly exitCode: number) { super(message); }
}

export function formatBench(r: BenchResult, repeat: number): string {
  const s = r.jit.stats;
  const lookups = s ? s.cacheHits + s.cacheMisses : 0;
  const lines = [
    `${r.program}: ${r.interp.insns} guest instructions, best of ${repeat}`,
    `  engine   time (ms)   guest MIPS`,
    `  interp ${r.interp.ms.toFixed(1).padStart(11)} ${r.interp.mips.toFixed(1).padStart(12)}`,
    `  jit    ${r.jit.ms.toFixed(1).padStart(11)} ${r.jit.mips.toFixed(1).padStart(12)}`,
    `  speedup ${r.speedup.toFixed(2)}x`,
  ];
  if (s) {
    lines.push(`  translation: ${s.translateMs.toFixed(1)} ms, ${s.blocks} blocks in ${s.regions} regions (${s.insnsTranslated} insns); ` +
      `cache hit rate ${lookups ? ((100 * s.cacheHits) / lookups).toFixed(1) : '0.0'}% (${s.cacheHits}/${lookups}); ` +
      `${s.chained} chained exits; ${s.jitInsns + s.interpInsns ? ((100 * s.jitInsns) / (s.jitInsns + s.interpInsns)).toFixed(1) : '0.0'}% of instructions in generated code`);
  }
  if (r.jit.interrupts !== undefined) lines.push(`  system mode: ${r.jit.interrupts} interrupts and ${r.jit.exceptions} other exceptions taken (per run)`);
  lines.push(r.same ? `  outputs match (stdout ${r.interp.stdout.length} bytes, exit ${r.interp.kind} ${r.interp.exitCode})`
    : `  MISMATCH: interp ${r.interp.kind} ${r.interp.exitCode}, ${r.interp.insns} insns, stdout ${JSON.stringify(r.interp.stdout.slice(0, 200))}\n` +
      `            jit    ${r.jit.kind} ${r.jit.exitCode}, ${r.jit.insns} insns, stdout ${JSON.stringify(r.jit.stdout.slice(0, 200))}`);
  return lines.join('\n');
}

/** `bench --against`: an ELF program under the reference emulator and under `asmbox run`. */
function benchAgainstCommand(file: string, args: string[], flags: BenchFlags, setExit: (code: number) => void): void {
  if (flags.boot) throw new BenchError('--against runs user programs; it does not go with --boot', EXIT.usage);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new BenchError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, EXIT.badInput);
  }
  if (isAssemblySource(file, bytes)) throw new BenchError(`${file}: --against needs an ELF executable (a reference emulator runs machine code, not assembly source)`, EXIT.usage);
  let r;
  try {
    r = benchAgainst(flags.against!, file, args, { repeat: flags.repeat, engine: flags.engine, stdin: flags.stdin });
  } catch (e) {
    if (e instanceof AgainstError) throw new BenchError(e.message, EXIT.usage);
    throw e;
  }
  if (flags.json) process.stdout.write(JSON.stringify({ ...r, referenceRun: { ...r.referenceRun, stdout: undefined }, asmboxRun: { ...r.asmboxRun, stdout: undefined } }, null, 2) + '\n');
  else process.stdout.write(formatAgainst(r, flags.repeat) + '\n');
  setExit(r.same ? 0 : 1);
}

export function addBenchCommand(program: Command, setExit: (code: number) => void): void {
  program.command('bench')
    .description('run a program (ELF or assembly) under the interpreter and the translator, check they agree, and print guest MIPS, speedup and translator statistics')
    .argument('<program>', 'ELF executable or assembly source')
    .argument('[args...]', 'arguments passed to the guest (put -- before them)')
    .addOption(new Option('--repeat <n>', 'best of N runs per engine').argParser(parseInteger('--repeat', 1)).default(1))
    .addOption(new Option('--max-insns <n>', 'stop each run after N guest instructions').argParser(parseInteger('--max-insns', 1)))
    .addOption(new Option('--jit-threshold <n>', 'translate a block after N interpreted executions (0: always)').argParser(parseInteger('--jit-threshold')))
    .option('--stdin <file>', 'guest standard input (the same for every run)')
    .option('--boot', 'system mode: <program> is a ROM booted from the reset vector, as `asmbox boot` runs it')
    .option('--disk <image>', 'with --boot: disk image (read through a copy-on-write overlay; never written)')
    .option('--against <command>', 'instead: time `asmbox run` against a reference emulator run as `COMMAND program args` (e.g. qemu-mips), whole processes side by side, and compare their outputs')
    .addOption(new Option('--engine <kind>', 'with --against: the engine asmbox runs').choices(['jit', 'interp']).default('jit'))
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  asmbox bench bench/programs/alu-loop.s --repeat 3\n  asmbox bench --boot roms/kernel.s          the kernel demo: timer interrupt every 10,000 instructions\n' +
      '  asmbox bench --against qemu-mips --repeat 3 bench/linux/bin/be/fib 39   asmbox against qemu-user')
    .action((file: string, args: string[], flags: BenchFlags) => {
      try {
        if (flags.disk && !flags.boot) throw new BenchError('--disk needs --boot', EXIT.usage);
        if (flags.against) return benchAgainstCommand(file, args, flags, setExit);
        const r = benchProgram(file, args, flags);
        if (flags.json) process.stdout.write(JSON.stringify({ ...r, interp: { ...r.interp, stdout: undefined }, jit: { ...r.jit, stdout: undefined } }, null, 2) + '\n');
        else process.stdout.write(formatBench(r, flags.repeat) + '\n');
        setExit(r.same ? 0 : 1);
      } catch (e) {
        if (!(e instanceof BenchError)) throw e;
        process.stderr.write(`asmbox: error: ${e.message}\n`);
        setExit(e.exitCode);
      }
    });
}
