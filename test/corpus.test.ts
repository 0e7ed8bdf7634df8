// Assignment-style SPIM/MARS programs (test/fixtures/corpus/*.s) run under asmbox and
// compared byte for byte with what the real tools print:
//   * `--compat spim`: stdout must equal NAME.spim.out (recorded from Debian's SPIM 8.0 by
//     regen.sh) and the exit status must equal exit-codes.json;
//   * default (MARS formats), only for programs that print floats/doubles: stdout must equal
//     NAME.mars.out (SPIM's output with each printed value re-rendered by a JVM's
//     Float/Double.toString from the exact bits; see regen.sh).
// Every run happens under both engines.  NAME.in, when present, is the program's stdin.
// Needs the CLI built (`npm run build`).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = join(ROOT, 'test/fixtures/corpus');
const CLI = join(ROOT, 'bin/asmbox.js');
const ENGINES = ['interp', 'jit'] as const;

const programs = readdirSync(DIR).filter((f) => f.endsWith('.s')).sort().map((f) => f.slice(0, -2));
const exitCodes: Record<string, number> = JSON.parse(readFileSync(join(DIR, 'exit-codes.json'), 'utf8'));

interface Run { stdout: string; stderr: string; code: number | null }

function asmbox(args: string[], input: Buffer): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: DIR, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', fail);
    child.on('close', (code) => done({
      // latin1 keeps every byte as one character, so comparisons are byte for byte
      stdout: Buffer.concat(out).toString('latin1'),
      stderr: Buffer.concat(err).toString('utf8'),
      code,
    }));
    child.stdin.on('error', () => { /* the program may exit without reading its input */ });
    child.stdin.end(input);
  });
}

function input(name: string): Buffer {
  const f = join(DIR, `${name}.in`);
  return existsSync(f) ? readFileSync(f) : Buffer.alloc(0);
}

const LIMITS = ['--max-insns', '200000000', '--timeout', '60'];

describe('corpus fixtures', () => {
  it('has at least 30 programs, each with a SPIM fixture and an exit code', () => {
    expect(programs.length).toBeGreaterThanOrEqual(30);
    for (const p of programs) {
      expect(existsSync(join(DIR, `${p}.spim.out`)), `${p}.spim.out`).toBe(true);
      expect(exitCodes[p], `exit code of ${p}`).toBeTypeOf('number');
    }
  });
  it('has MARS-format fixtures for the floating-point programs', () => {
    const mars = programs.filter((p) => existsSync(join(DIR, `${p}.mars.out`)));
    expect(mars.length).toBeGreaterThanOrEqual(5);
  });
});

for (const engine of ENGINES) {
  describe(`corpus under --engine ${engine}`, () => {
    for (const name of programs) {
      it.concurrent(`${name}.s --compat spim`, async () => {
        const expected = readFileSync(join(DIR, `${name}.spim.out`)).toString('latin1');
        const r = await asmbox(['run', '--engine', engine, '--compat', 'spim', ...LIMITS, `${name}.s`], input(name));
        expect(r.stdout, `stdout of ${name}.s (stderr: ${r.stderr.trim()})`).toBe(expected);
        expect(r.code, `exit status of ${name}.s (stderr: ${r.stderr.trim()})`).toBe(exitCodes[name]);
      });
      const marsFile = join(DIR, `${name}.mars.out`);
      if (existsSync(marsFile)) {
        it.concurrent(`${name}.s (default: MARS formats)`, async () => {
          const expected = readFileSync(marsFile).toString('latin1');
          const r = await asmbox(['run', '--engine', engine, ...LIMITS, `${name}.s`], input(name));
          expect(r.stdout, `stdout of ${name}.s (stderr: ${r.stderr.trim()})`).toBe(expected);
          expect(r.code, `exit status of ${name}.s (stderr: ${r.stderr.trim()})`).toBe(exitCodes[name]);
        });
      }
    }
  });
}
