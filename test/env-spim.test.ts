// The SPIM/MARS syscall environment through the interpreter (and the jit engine):
//   * output formats: MARS (Java Float/Double.toString) by default, SPIM (%.8f / %.18g) under
//     compat 'spim', both checked against recorded oracles (test/fixtures/env-spim: the real
//     `spim` binary and a JDK, see regen.sh there);
//   * input semantics (read_int, read_string, read_char), sbrk and exit codes against SPIM,
//     running GNU-assembled copies of the SPIM programs;
//   * MARS 34-36 formats, 30/32 virtual time, 40-44 seeded random streams (java.util.Random);
//   * file syscalls 13-16 confined to --fs-root; output and memory caps.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_BASE, ENGINE_KINDS, Rig, type EngineKind } from './helpers/machine.js';
import { SpimEnvironment, parseLeadingInt, type Compat } from '../src/env/spim.js';
import { GuestFiles } from '../src/env/guest-fs.js';
import { CapturedIO } from '../src/env/io.js';
import { JavaRandom } from '../src/env/random.js';
import { VIRTUAL_EPOCH_MS } from '../src/env/clock.js';
import { loadProgram } from '../src/env/program.js';
import { runMachine } from '../src/machine/run.js';
import { createEngine } from '../src/machine/engines.js';
import { ExcCode } from '../src/machine/exceptions.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIX = join(ROOT, 'test/fixtures/env-spim');
const fixture = (f: string) => readFileSync(join(FIX, f), 'latin1');
const HEAP = 0x10040000;
const V0 = 2, A0 = 4, A1 = 5, A2 = 6;

/** Bit patterns from a print_float.s / print_double.s fixture (the single source of values). */
function fixtureValues(file: string): { lo: number; hi?: number; comment: string }[] {
  return fixture(file).split('\n').flatMap((line) => {
    const m = /^\s+\.word\s+0x([0-9a-f]+)(?:,\s*0x([0-9a-f]+))?\s*#\s*(.*)$/.exec(line);
    return m ? [{ lo: parseInt(m[1], 16) | 0, hi: m[2] !== undefined ? parseInt(m[2], 16) | 0 : undefined, comment: m[3] }] : [];
  });
}

const enc = (s: string) => Array.from(new TextEncoder().encode(s));
const cstr = (s: string) => [...enc(s), 0];

interface SpimSetup { compat?: Compat; fsRoot?: string | null; fsWrite?: boolean; seed?: number; memoryCap?: number }

/** One machine with the SPIM environment; call() performs one syscall and returns its effects. */
function spimRig(kind: EngineKind, setup: SpimSetup = {}) {
  const env = new SpimEnvironment({
    compat: setup.compat ?? 'mars', heapStart: HEAP, files: new GuestFiles(setup.fsRoot ?? null, !!setup.fsWrite), randomSeed: setup.seed,
  });
  const rig = new Rig(kind, { env, delaySlots: false, bigEndian: false, memoryCap: setup.memoryCap });
  return {
    rig,
    m: rig.m,
    /** Runs `syscall` with $v0 = code and the given registers, then exits (syscall 10). */
    call(code: number, regs: Record<number, number> = {}, opts: { io?: CapturedIO; data?: number[]; fw?: [number, number][] } = {}) {
      const io = opts.io ?? new CapturedIO();
      rig.m.io = io;
      for (const [i, v] of opts.fw ?? []) rig.m.cpu.fw[i] = v;
      // $v0 is saved in $s7 before the exit syscall reuses it
      const { result, r } = rig.exec(['syscall', 'move $s7, $v0', 'addiu $v0, $0, 10'], { [V0]: code, ...regs }, opts.data ?? []);
      const regsAfter = Array.from(r);
      if (result.kind === 'exit' && code !== 10 && code !== 17) regsAfter[V0] = r[23];
      return { result, r: regsAfter, out: io.stdoutText(), io, m: rig.m };
    },
  };
}

const tmpRoot = mkdtempSync(join(tmpdir(), 'asmbox-env-spim-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

describe.each(ENGINE_KINDS)('SPIM/MARS syscalls (%s engine)', (kind) => {
  describe('printing', () => {
    it('print_int, print_char, print_string', () => {
      const s = spimRig(kind);
      expect(s.call(1, { [A0]: -2147483648 }).out).toBe('-2147483648');
      expect(s.call(1, { [A0]: 0 }).out).toBe('0');
      expect(s.call(11, { [A0]: 0x141 }).out).toBe('A'); // low byte only
      expect(s.call(4, { [A0]: DATA_BASE }, { data: cstr('hi\tthere\n') }).out).toBe('hi\tthere\n');
      expect(s.call(4, { [A0]: DATA_BASE }, { data: [0] }).out).toBe('');
    });
    it('print_string of an unmapped address is a guest fault', () => {
      const s = spimRig(kind);
      const { result, m } = s.call(4, { [A0]: 0x20000000 });
      expect(result.kind).toBe('fault');
      expect(m.fault!.exception.code).toBe(ExcCode.DBE);
    });
    it('MARS 34/35/36: hex, binary, unsigned', () => {
      const s = spimRig(kind);
      const cases: [number, string, string, string][] = [
        [0, '0x00000000', '0'.repeat(32), '0'],
        [10, '0x0000000a', '0'.repeat(28) + '1010', '10'],
        [-1, '0xffffffff', '1'.repeat(32), '4294967295'],
        [-0x80000000, '0x80000000', '1' + '0'.repeat(31), '2147483648'],
        [0x1234abcd, '0x1234abcd', '00010010001101001010101111001101', '305441741'],
      ];
      for (const [v, hex, bin, uns] of cases) {
        expect(s.call(34, { [A0]: v }).out).toBe(hex);
        expect(s.call(35, { [A0]: v }).out).toBe(bin);
        expect(s.call(36, { [A0]: v }).out).toBe(uns);
      }
    });

    const floats = fixtureValues('print_float.s');
    const doubles = fixtureValues('print_double.s');
    it('print_float in SPIM form (%.8f) matches the spim binary', () => {
      const s = spimRig(kind, { compat: 'spim' });
      const want = fixture('print_float.spim.out').split('\n');
      expect(floats.length).toBe(want.length - 1);
      floats.forEach((f, i) => expect(s.call(2, {}, { fw: [[12, f.lo]] }).out, f.comment).toBe(want[i]));
    });
    it('print_double in SPIM form (%.18g) matches the spim binary ($f12 low word, $f13 high)', () => {
      const s = spimRig(kind, { compat: 'spim' });
      const want = fixture('print_double.spim.out').split('\n');
      expect(doubles.length).toBe(want.length - 1);
      doubles.forEach((d, i) => expect(s.call(3, {}, { fw: [[12, d.lo], [13, d.hi!]] }).out, d.comment).toBe(want[i]));
    });
    // JDK 17 (the local JDK) prints a few doubles with more digits than needed; MARS's output
    // then depends on the JVM. asmbox prints the shortest form (JDK 19+), like the corpus does.
    const JDK17_NOT_SHORTEST: Record<string, string> = { '9.999999999999999E22': '1.0E23', '1.17549435E-38': '1.1754944E-38' };
    it('print_float in MARS form matches Java Float.toString (JDK 19+ shortest digits)', () => {
      const s = spimRig(kind);
      const want = fixture('print_float.java.out').split('\n').map((x) => JDK17_NOT_SHORTEST[x] ?? x);
      floats.forEach((f, i) => expect(s.call(2, {}, { fw: [[12, f.lo]] }).out, f.comment).toBe(want[i]));
    });
    it('print_double in MARS form matches Java Double.toString (JDK 19+ shortest digits)', () => {
      const s = spimRig(kind);
      const want = fixture('print_double.java.out').split('\n').map((x) => JDK17_NOT_SHORTEST[x] ?? x);
      doubles.forEach((d, i) => expect(s.call(3, {}, { fw: [[12, d.lo], [13, d.hi!]] }).out, d.comment).toBe(want[i]));
    });
    it('the issue examples: -4.375, 1.4142135623730951, 1.0E7, 1.0E-4, NaN, Infinity', () => {
      const mars = spimRig(kind), spim = spimRig(kind, { compat: 'spim' });
      const f32 = (x: number) => new Int32Array(new Float32Array([x]).buffer)[0];
      const f64 = (x: number) => Array.from(new Int32Array(new Float64Array([x]).buffer)) as [number, number];
      const pf = (s: ReturnType<typeof spimRig>, x: number) => s.call(2, {}, { fw: [[12, f32(x)]] }).out;
      const pd = (s: ReturnType<typeof spimRig>, x: number) => { const [lo, hi] = f64(x); return s.call(3, {}, { fw: [[12, lo], [13, hi]] }).out; };
      expect(pf(mars, -4.375)).toBe('-4.375');
      expect(pf(spim, -4.375)).toBe('-4.37500000');
      expect(pd(mars, Math.SQRT2)).toBe('1.4142135623730951');
      expect(pd(spim, Math.SQRT2)).toBe('1.41421356237309515');
      expect(pf(mars, 1e7)).toBe('1.0E7');
      expect(pd(mars, 1e7)).toBe('1.0E7');
      expect(pf(mars, 1e-4)).toBe('1.0E-4');
      expect(pd(mars, 1e-4)).toBe('1.0E-4');
      expect(pf(mars, 0.001)).toBe('0.001');
      expect(pf(mars, NaN)).toBe('NaN');
      expect(pd(mars, -Infinity)).toBe('-Infinity');
      expect(pd(spim, NaN)).toBe('nan');
    });
  });

  describe('input, sbrk and exit: GNU-assembled SPIM programs against the spim binary', () => {
    const programs = ['read_int', 'read_string', 'read_char', 'sbrk', 'exit2', 'print'];
    for (const name of programs) {
      it(`${name}.s`, () => {
        const stdin = existsSync(join(FIX, `${name}.in`)) ? readFileSync(join(FIX, `${name}.in`)) : new Uint8Array(0);
        const io = new CapturedIO(stdin);
        const m = loadProgram(readFileSync(join(FIX, `${name}.elf`)), `${name}.elf`, io, { env: 'spim', compat: 'spim' });
        const result = runMachine(m, createEngine(kind, m), { maxInsns: 10_000_000 });
        expect(Buffer.from(io.stdout).toString('latin1')).toBe(fixture(`${name}.spim.out`));
        expect(result.kind).toBe('exit');
        expect(result.exitCode).toBe(Number(fixture(`${name}.spim.exit`).trim()));
      });
    }

    it('read_int reads one line per call; end of input gives 0', () => {
      const s = spimRig(kind);
      const io = new CapturedIO('12 34\n-5\n');
      expect(s.call(5, {}, { io }).r[V0]).toBe(12);
      expect(s.call(5, {}, { io }).r[V0]).toBe(-5);
      expect(s.call(5, {}, { io }).r[V0]).toBe(0);
    });
    it('read_char in MARS mode returns the unsigned byte, 0 at end of input', () => {
      const s = spimRig(kind);
      const io = new CapturedIO(Uint8Array.of(0x41, 0xe9));
      expect(s.call(12, {}, { io }).r[V0]).toBe(0x41);
      expect(s.call(12, {}, { io }).r[V0]).toBe(0xe9);
      expect(s.call(12, {}, { io }).r[V0]).toBe(0);
    });
    it('a prompt printed before a read is not lost or reordered', () => {
      const s = spimRig(kind);
      const io = new CapturedIO('7\n');
      s.call(4, { [A0]: DATA_BASE }, { io, data: cstr('n? ') });
      expect(s.call(5, {}, { io }).r[V0]).toBe(7);
      s.call(1, { [A0]: 49 }, { io });
      expect(io.stdoutText()).toBe('n? 49');
    });
    it('parseLeadingInt follows strtol (saturating) and keeps the low 32 bits', () => {
      expect(parseLeadingInt('18446744073709551617')).toBe(-1);
      expect(parseLeadingInt('-99999999999999999999')).toBe(0);
      expect(parseLeadingInt('4294967295')).toBe(-1);
      expect(parseLeadingInt('+12x')).toBe(12);
      expect(parseLeadingInt('x12')).toBe(0);
    });

    it('sbrk returns the old break, rounds to words, maps usable memory', () => {
      const s = spimRig(kind);
      expect(s.call(9, { [A0]: 0 }).r[V0]).toBe(HEAP);
      expect(s.call(9, { [A0]: 5 }).r[V0]).toBe(HEAP);
      expect(s.call(9, { [A0]: 1 }).r[V0]).toBe(HEAP + 8);
      expect(s.call(9, { [A0]: 0 }).r[V0]).toBe(HEAP + 12);
      s.m.mem.write32(HEAP + 8, 0x12345678);
      expect(s.m.mem.read32(HEAP + 8)).toBe(0x12345678);
    });
    it('sbrk with a negative size or beyond the heap is a guest fault', () => {
      const s = spimRig(kind);
      let { result, m } = s.call(9, { [A0]: -8 });
      expect(result.kind).toBe('fault');
      expect(m.fault!.exception.detail).toMatch(/negative/);
      ({ result, m } = s.call(9, { [A0]: 0x7ff00000 }));
      expect(result.kind).toBe('fault');
      expect(m.fault!.exception.detail).toMatch(/out of heap/);
    });
    it('exit (10) gives 0, exit2 (17) gives $a0 & 255', () => {
      const s = spimRig(kind);
      expect(s.call(10, { [A0]: 5 }).result).toMatchObject({ kind: 'exit', exitCode: 0 });
      expect(s.call(17, { [A0]: 3 }).result).toMatchObject({ kind: 'exit', exitCode: 3 });
      expect(s.call(17, { [A0]: -1 }).result).toMatchObject({ kind: 'exit', exitCode: 255 });
      expect(s.call(17, { [A0]: 300 }).result).toMatchObject({ kind: 'exit', exitCode: 44 });
    });
    it('an unknown syscall number is a guest fault naming it', () => {
      const { result, m } = spimRig(kind).call(99);
      expect(result.kind).toBe('fault');
      expect(m.fault!.exception.detail).toMatch(/unknown syscall 99/);
    });
  });

  describe('time and random numbers', () => {
    it('time (30) is virtual and advances with instructions; sleep (32) moves it', () => {
      const s = spimRig(kind);
      const t0 = s.call(30);
      const ms = (r: number[]) => (r[A1] >>> 0) * 2 ** 32 + (r[A0] >>> 0);
      expect(ms(t0.r)).toBe(VIRTUAL_EPOCH_MS);
      s.call(32, { [A0]: 1500 });
      expect(ms(s.call(30).r)).toBe(VIRTUAL_EPOCH_MS + 1500);
    });
    const random = JSON.parse(fixture('random.json')) as Record<string, { nextInt: number[]; bounded: [number, number][]; floatBits: number[]; doubleBits: string[] }>;
    for (const [seed, want] of Object.entries(random)) {
      it(`40-44 with seed ${seed} give java.util.Random's sequence`, () => {
        const s = spimRig(kind);
        const id = 3;
        s.call(40, { [A0]: id, [A1]: Number(seed) });
        for (const v of want.nextInt) expect(s.call(41, { [A0]: id }).r[A0]).toBe(v);
        for (const [bound, v] of want.bounded) expect(s.call(42, { [A0]: id, [A1]: bound }).r[A0], `nextInt(${bound})`).toBe(v);
        for (const bits of want.floatBits) {
          s.call(43, { [A0]: id });
          expect(s.m.cpu.fw[0]).toBe(bits);
        }
        for (const bits of want.doubleBits) {
          s.call(44, { [A0]: id });
          const got = (BigInt(s.m.cpu.fw[1] >>> 0) << 32n) | BigInt(s.m.cpu.fw[0] >>> 0);
          expect(got.toString(16)).toBe(bits);
        }
      });
    }
    it('streams are independent per id, and unseeded streams follow --seed', () => {
      const a = spimRig(kind, { seed: 7 }), b = spimRig(kind, { seed: 7 });
      const seqA = [1, 2, 1, 2].map((id) => a.call(41, { [A0]: id }).r[A0]);
      const seqB = [1, 1, 2, 2].map((id) => b.call(41, { [A0]: id }).r[A0]);
      expect([seqA[0], seqA[2], seqA[1], seqA[3]]).toEqual(seqB);
    });
    it('nextInt with a non-positive bound is a guest fault', () => {
      expect(spimRig(kind).call(42, { [A0]: 0, [A1]: 0 }).result.kind).toBe('fault');
    });
  });

  describe('file syscalls (13-16) inside --fs-root', () => {
    const root = join(tmpRoot, `root-${kind}`);
    const outside = join(tmpRoot, `outside-${kind}`);
    mkdirSync(join(root, 'sub'), { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(root, 'in.txt'), 'file contents\n');
    writeFileSync(join(outside, 'secret.txt'), 'secret\n');
    symlinkSync(join(outside, 'secret.txt'), join(root, 'link-out'));
    symlinkSync(outside, join(root, 'dirlink-out'));
    symlinkSync(join(outside, 'new.txt'), join(root, 'dangling-out'));
    const BUF = DATA_BASE + 128;

    /** open(path, flags) -> fd */
    const open = (s: ReturnType<typeof spimRig>, path: string, flags: number) => s.call(13, { [A0]: DATA_BASE, [A1]: flags, [A2]: 0 }, { data: cstr(path) }).r[V0];

    it('reads a file inside the root', () => {
      const s = spimRig(kind, { fsRoot: root });
      const fd = open(s, 'in.txt', 0);
      expect(fd).toBeGreaterThanOrEqual(3);
      const rd = s.call(14, { [A0]: fd, [A1]: BUF, [A2]: 100 });
      expect(rd.r[V0]).toBe(14);
      expect(Buffer.from(s.m.mem.readBytes(BUF, 14)!).toString()).toBe('file contents\n');
      expect(s.call(14, { [A0]: fd, [A1]: BUF, [A2]: 100 }).r[V0]).toBe(0); // end of file
      expect(s.call(16, { [A0]: fd }).result.kind).toBe('exit');
      expect(s.call(14, { [A0]: fd, [A1]: BUF, [A2]: 100 }).r[V0]).toBe(-1); // closed
    });
    it('"/x" means root/x; "." and ".." cannot climb above the root', () => {
      const s = spimRig(kind, { fsRoot: root });
      for (const p of ['/in.txt', 'sub/../in.txt', './in.txt', '../in.txt', '../../../in.txt']) expect(open(s, p, 0), p).toBeGreaterThanOrEqual(3);
    });
    it('writes and appends with --fs-write (MARS flags 1 and 9)', () => {
      const s = spimRig(kind, { fsRoot: root, fsWrite: true });
      let fd = open(s, 'sub/out.txt', 1);
      expect(fd).toBeGreaterThanOrEqual(3);
      expect(s.call(15, { [A0]: fd, [A1]: DATA_BASE, [A2]: 6 }, { data: enc('hello\n') }).r[V0]).toBe(6);
      s.call(16, { [A0]: fd });
      fd = open(s, 'sub/out.txt', 9);
      s.call(15, { [A0]: fd, [A1]: DATA_BASE, [A2]: 3 }, { data: enc('+1\n') });
      s.call(16, { [A0]: fd });
      expect(readFileSync(join(root, 'sub/out.txt'), 'utf8')).toBe('hello\n+1\n');
    });
    it('writing without --fs-write fails with -1 and creates nothing', () => {
      const s = spimRig(kind, { fsRoot: root });
      expect(open(s, 'nope.txt', 1)).toBe(-1);
      expect(existsSync(join(root, 'nope.txt'))).toBe(false);
    });
    it('escapes fail with -1 and never touch host files outside the root', () => {
      const s = spimRig(kind, { fsRoot: root, fsWrite: true });
      const escapes = [
        join(outside, 'secret.txt'), // absolute host path: means root/<that path>, which does not exist
        `../${outside.split('/').pop()}/secret.txt`,
        'link-out', 'dirlink-out/secret.txt', 'dirlink-out/new.txt', 'dangling-out', '',
      ];
      for (const p of escapes) {
        expect(open(s, p, 0), `read ${JSON.stringify(p)}`).toBe(-1);
        expect(open(s, p, 1), `write ${JSON.stringify(p)}`).toBe(-1);
      }
      expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('secret\n');
      expect(existsSync(join(outside, 'new.txt'))).toBe(false);
    });
    it('without an fs root, open returns -1; stdin/stdout work through 14/15', () => {
      const s = spimRig(kind);
      expect(open(s, 'in.txt', 0)).toBe(-1);
      const io = new CapturedIO('abc');
      expect(s.call(14, { [A0]: 0, [A1]: BUF, [A2]: 10 }, { io }).r[V0]).toBe(3);
      expect(s.call(15, { [A0]: 1, [A1]: DATA_BASE, [A2]: 2 }, { data: enc('ok') }).out).toBe('ok');
      expect(s.call(15, { [A0]: 9, [A1]: DATA_BASE, [A2]: 2 }).r[V0]).toBe(-1);
      expect(s.call(16, { [A0]: 9 }).result.kind).toBe('exit');
    });
  });

  describe('limits', () => {
    it('the output cap stops the run with output-limit after exactly the cap', () => {
      const s = spimRig(kind);
      const io = new CapturedIO('', 10);
      const { result } = s.call(4, { [A0]: DATA_BASE }, { io, data: cstr('0123456789abcdef') });
      expect(result.kind).toBe('output-limit');
      expect(io.stdoutText()).toBe('0123456789');
    });
    it('the memory cap stops a program that touches too much heap', () => {
      const s = spimRig(kind, { memoryCap: 1 << 20 });
      s.m.io = new CapturedIO();
      // sbrk 4 MiB, then store to every page of it
      const { result } = s.rig.exec([
        'syscall', 'move $t0, $v0', 'lui $t1, 0x40', 'addu $t1, $t1, $t0',
        'sw $t0, 0($t0)', 'addiu $t0, $t0, 4096', 'bne $t0, $t1, -3', 'nop', 'addiu $v0, $0, 10',
      ], { [V0]: 9, [A0]: 4 << 20 });
      expect(result.kind).toBe('memory');
      expect(result.message).toMatch(/--memory-cap/);
    });
  });
});

describe('java.util.Random', () => {
  it('new Random(42): nextInt() = -1170105035, then the nextInt(100) sequence', () => {
    expect(new JavaRandom(42).nextInt()).toBe(-1170105035);
    const r = new JavaRandom(42);
    // A sequence quoted in our task notes (0, 63, 11, 68, 67) is not what Java gives: a
    // JDK 17 prints 30 63 48 84 70 for new Random(42) and five nextInt(100) (0 is the first
    // nextInt(10)).
    expect([1, 2, 3, 4, 5].map(() => r.nextInt(100))).toEqual([30, 63, 48, 84, 70]);
    expect(new JavaRandom(42).nextInt(10)).toBe(0);
  });
});
