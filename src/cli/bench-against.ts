// `asmbox bench --against CMD program [args]`: asmbox against a reference emulator (e.g.
// qemu-mips), side by side. Both run as whole processes (`CMD program args` and `asmbox run
// program args`), start-up included, in turns (reference, then asmbox, then again: a slow spell
// of a shared machine falls on both), best of --repeat each; their stdout and exit codes are
// compared.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

export interface ProcessRun {
  seconds: number;
  stdout: string;
  exitCode: number;
}

export interface AgainstResult {
  program: string;
  reference: string;
  engine: string;
  referenceRun: ProcessRun;
  asmboxRun: ProcessRun;
  /** asmbox wall time over the reference's (lower is better). */
  ratio: number;
  same: boolean;
}

export class AgainstError extends Error {}

function timed(cmd: string, argv: string[], input: Buffer): ProcessRun {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { input, maxBuffer: 256 << 20 });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.error) throw new AgainstError(`cannot run ${cmd}: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`);
  // killed by a signal (a guest abort under qemu): the shell's 128 + signal number
  const signal = r.signal ? constants.signals[r.signal] ?? 0 : 0;
  return { seconds, stdout: r.stdout.toString('latin1'), exitCode: r.status ?? 128 + signal };
}

export function benchAgainst(reference: string, file: string, args: string[], opts: { repeat: number; engine: string; stdin?: string }): AgainstResult {
  const input = opts.stdin ? readFileSync(opts.stdin) : Buffer.alloc(0);
  // this very CLI (bin/asmbox.js), in a child process like the reference
  const asmbox = [process.argv[1], 'run', '--engine', opts.engine, file, ...args];
  let ref: ProcessRun | null = null, own: ProcessRun | null = null;
  for (let i = 0; i < Math.max(1, opts.repeat); i++) {
    const a = timed(reference, [file, ...args], input);
    const b = timed(process.execPath, asmbox, input);
    if (!ref || a.seconds < ref.seconds) ref = a;
    if (!own || b.seconds < own.seconds) own = b;
  }
  return {
    program: file, reference, engine: opts.engine, referenceRun: ref!, asmboxRun: own!,
    ratio: own!.seconds / Math.max(ref!.seconds, 1e-6),
    same: ref!.stdout === own!.stdout && ref!.exitCode === own!.exitCode,
  };
}

export function formatAgainst(r: AgainstResult, repeat: number): string {
  const name = `asmbox run (${r.engine})`;
  const w = Math.max(r.reference.length, name.length);
  const lines = [
    `${r.program}: whole processes side by side, wall time, best of ${repeat}`,
    `  ${r.reference.padEnd(w)} ${r.referenceRun.seconds.toFixed(3).padStart(8)} s`,
    `  ${name.padEnd(w)} ${r.asmboxRun.seconds.toFixed(3).padStart(8)} s   ${r.ratio.toFixed(2)}x the reference`,
    r.same ? `  outputs match (stdout ${r.asmboxRun.stdout.length} bytes, exit ${r.asmboxRun.exitCode})`
      : `  MISMATCH: ${r.reference} exit ${r.referenceRun.exitCode}, stdout ${JSON.stringify(r.referenceRun.stdout.slice(0, 200))}\n` +
        `            asmbox exit ${r.asmboxRun.exitCode}, stdout ${JSON.stringify(r.asmboxRun.stdout.slice(0, 200))}`,
  ];
  return lines.join('\n');
}
