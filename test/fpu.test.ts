// CP1 (FPU): per-instruction tests of the interpreter, and qemu-mips as an oracle over thousands
// of cases (test/fixtures/fpu, see its README.md). Expected values are written out by hand or
// come from the host's IEEE arithmetic (Math.fround, JS doubles), not from fpu.ts.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Machine } from '../src/machine/machine.js';
import { ExcCode, GuestException } from '../src/machine/exceptions.js';
import { interpret, makeHandlers } from '../src/guest/mips/interp.js';
import { encodeFields } from '../src/isa/encoder.js';
import { mips32Table } from '../src/isa/table.js';
import { disassembleText } from '../src/guest/mips/disasm.js';
import { softfloatOptions } from '../src/guest/mips/fpu.js';
import { loadProgram } from '../src/env/program.js';
import { CapturedIO } from '../src/env/io.js';
import { runMachine } from '../src/machine/run.js';
import { createEngine } from '../src/machine/engines.js';
// @ts-expect-error: plain JavaScript generator without type declarations
import { generate } from './fixtures/fpu/gen.mjs';

const TEXT = 0x00400000;
const DATA = 0x10000000;

// ---- harness ----

function enc(name: string, fields: Record<string, number> = {}): number {
  const def = mips32Table().byName.get(name);
  if (!def) throw new Error(`no instruction ${name}`);
  return encodeFields(def, fields);
}

interface Opts { be?: boolean; ds?: boolean; fr64?: boolean }

/** Machines are costly to create (page tables): one per configuration, reset for each Rig. */
const machines = new Map<string, { m: Machine; handlers: ReturnType<typeof makeHandlers> }>();

class Rig {
  readonly m: Machine;
  private readonly handlers: ReturnType<typeof makeHandlers>;
  constructor(readonly opts: Opts = {}) {
    const key = `${opts.be ?? true}/${opts.ds ?? true}`;
    let entry = machines.get(key);
    if (!entry) {
      const m = new Machine({ bigEndian: opts.be ?? true, delaySlots: opts.ds ?? true });
      m.mem.map(TEXT, 0x10000, 'text');
      m.mem.map(DATA, 0x10000, 'data');
      m.env = { name: 'none', syscall: () => { throw new Error('syscall'); } };
      entry = { m, handlers: makeHandlers(m) };
      machines.set(key, entry);
    }
    this.m = entry.m;
    this.handlers = entry.handlers;
    const cpu = this.m.cpu;
    cpu.r.fill(0);
    cpu.fw.fill(0);
    cpu.fcsr = 0;
    cpu.fr64 = !!opts.fr64;
    this.m.fault = null;
    for (let a = DATA; a < DATA + 64; a += 4) this.m.mem.write32(a, 0);
  }
  get cpu() { return this.m.cpu; }
  /** Runs `words` from TEXT, `n` instructions (default: all); returns the exception, if any. */
  run(words: number[], n = words.length): GuestException | null {
    words.forEach((w, i) => this.m.mem.write32(TEXT + 4 * i, w));
    this.cpu.jumpTo(TEXT);
    try {
      interpret(this.m, this.handlers, n);
      return null;
    } catch (e) {
      if (e instanceof GuestException) return e;
      throw e;
    }
  }
  private wi(n: number) { return this.cpu.fr64 ? 2 * n : n; }
  setS(n: number, bits: number) { this.cpu.fw[this.wi(n)] = bits; }
  getS(n: number) { return this.cpu.fw[this.wi(n)] >>> 0; }
  setSf(n: number, v: number) { this.setS(n, f32bits(v)); }
  getSf(n: number) { return f32(this.getS(n)); }
  /** Double register n: FR=0 pair (n, n+1), FR=1 the 64-bit register. */
  setD(n: number, hi: number, lo: number) {
    const fw = this.cpu.fw;
    if (this.cpu.fr64) { fw[2 * n] = lo; fw[2 * n + 1] = hi; } else { fw[n] = lo; fw[n + 1] = hi; }
  }
  getD(n: number): [number, number] {
    const fw = this.cpu.fw;
    return this.cpu.fr64 ? [fw[2 * n + 1] >>> 0, fw[2 * n] >>> 0] : [fw[n + 1] >>> 0, fw[n] >>> 0];
  }
  setDf(n: number, v: number) { const [hi, lo] = f64words(v); this.setD(n, hi, lo); }
  getDf(n: number) { const [hi, lo] = this.getD(n); return f64(hi, lo); }
}

const dv = new DataView(new ArrayBuffer(8));
const f32bits = (v: number) => { dv.setFloat32(0, v); return dv.getUint32(0); };
const f32 = (b: number) => { dv.setUint32(0, b); return dv.getFloat32(0); };
const f64words = (v: number): [number, number] => { dv.setFloat64(0, v); return [dv.getUint32(0), dv.getUint32(4)]; };
const f64 = (hi: number, lo: number) => { dv.setUint32(0, hi); dv.setUint32(4, lo); return dv.getFloat64(0); };
const hex = (v: number) => '0x' + (v >>> 0).toString(16);

const FMT = { s: 16, d: 17, w: 20, l: 21 } as const;
const RN = 0, RZ = 1, RP = 2, RM = 3;
const I = 1, U = 2, O = 4, Z = 8, V = 16;
const flags = (fcsr: number) => (fcsr >>> 2) & 31;
const cause = (fcsr: number) => (fcsr >>> 12) & 63;
const enables = (e: number) => e << 7;
const NAN_S = 0x7fbfffff;
const NAN_D: [number, number] = [0x7ff7ffff, 0xffffffff];
const ccBit = (cc: number) => (cc === 0 ? 23 : 24 + cc);

/** fd <- fs OP ft in single, with FCSR = fcsr; returns [result bits, fcsr]. */
function binS(op: string, a: number, b: number, fcsr = 0): [number, number] {
  const r = new Rig();
  r.setS(2, a);
  r.setS(4, b);
  r.cpu.fcsr = fcsr;
  const e = r.run([enc(`${op}.s`, { fd: 0, fs: 2, ft: 4 })]);
  if (e) throw new Error(`exception ${e.code}`);
  return [r.getS(0), r.cpu.fcsr];
}
function binD(op: string, a: number, b: number, fcsr = 0, fr64 = false): [number, number] {
  const r = new Rig({ fr64 });
  r.setDf(2, a);
  r.setDf(4, b);
  r.cpu.fcsr = fcsr;
  const e = r.run([enc(`${op}.d`, { fd: 0, fs: 2, ft: 4 })]);
  if (e) throw new Error(`exception ${e.code}`);
  return [r.getDf(0), r.cpu.fcsr];
}

afterEach(() => { softfloatOptions.exactOnly = false; });

// ---- the table and the disassembler know CP1 ----

describe('CP1 in the instruction table', () => {
  it('every CP1 instruction has a handler and disassembles to itself', () => {
    const t = mips32Table();
    const handlers = makeHandlers(new Rig().m);
    for (const def of t.insns.filter((d) => d.flags.has('cp1'))) {
      expect(handlers[def.id], def.name).toBeTypeOf('function');
      const w = encodeFields(def, Object.fromEntries(def.fields.map((f) => [f.name, 2])));
      expect(disassembleText(w, TEXT).split('\t')[0]).toBe(def.name);
    }
  });
});

// ---- arithmetic ----

describe('binary32 arithmetic is exact IEEE', () => {
  it('rounds to nearest even, and each directed mode', () => {
    const one = 0x3f800000, half = 0x33800000 /* 2^-24 */, threeQ = 0x33c00000 /* 1.5 * 2^-24 */;
    expect(binS('add', one, half, RN)).toEqual([0x3f800000, (I << 12) | (I << 2)]); // tie: even
    expect(binS('add', one, threeQ, RN)[0]).toBe(0x3f800001);
    expect(binS('add', one, half, RZ)[0]).toBe(0x3f800000);
    expect(binS('add', one, half, RP)[0]).toBe(0x3f800001);
    expect(binS('add', one, half, RM)[0]).toBe(0x3f800000);
    expect(binS('add', one | 0x80000000, half | 0x80000000, RM)[0]).toBe(0xbf800001);
    expect(binS('add', one | 0x80000000, half | 0x80000000, RP)[0]).toBe(0xbf800000);
    expect(binS('add', one | 0x80000000, half | 0x80000000, RZ)[0]).toBe(0xbf800000);
    expect(binS('sub', one, one)[0]).toBe(0);
    expect(binS('sub', one, one, RM)[0]).toBe(0x80000000); // exact zero is -0 when rounding down
    expect(binS('mul', 0x3f800001, 0x3f800001, RP)[0]).toBe(0x3f800003);
    expect(binS('div', one, 0x40400000, RN)[0]).toBe(0x3eaaaaab);
    expect(binS('div', one, 0x40400000, RZ)[0]).toBe(0x3eaaaaaa);
    expect(binS('div', 0x40400000, 0x40400000)).toEqual([one, 0]); // exact: no flags
  });

  it('agrees with Math.fround of the double result in round-to-nearest (random operands)', () => {
    let x = 12345;
    const next = () => { x = (Math.imul(x, 1664525) + 1013904223) | 0; return x >>> 0; };
    const randBits = () => { const e = 100 + (next() % 56); return ((next() & 0x80000000) | (e << 23) | (next() & 0x7fffff)) >>> 0; };
    const ops: Record<string, (a: number, b: number) => number> = {
      add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b,
    };
    for (let i = 0; i < 400; i++) {
      const a = randBits(), b = randBits();
      for (const [op, fn] of Object.entries(ops)) {
        const want = f32bits(Math.fround(fn(f32(a), f32(b))));
        expect(hex(binS(op, a, b)[0]), `${op} ${hex(a)} ${hex(b)}`).toBe(hex(want));
      }
      const r = new Rig();
      r.setS(2, a & 0x7fffffff);
      r.run([enc('sqrt.s', { fd: 0, fs: 2 })]);
      expect(hex(r.getS(0))).toBe(hex(f32bits(Math.fround(Math.sqrt(f32(a & 0x7fffffff))))));
    }
  });

  it('overflows per rounding mode', () => {
    const max = 0x7f7fffff, two = 0x40000000;
    expect(binS('mul', max, two, RN)).toEqual([0x7f800000, ((O | I) << 12) | ((O | I) << 2)]);
    expect(binS('mul', max, two, RZ)[0]).toBe(max);
    expect(binS('mul', max, two, RP)[0]).toBe(0x7f800000);
    expect(binS('mul', max, two, RM)[0]).toBe(max);
    expect(binS('mul', max | 0x80000000, two, RP)[0]).toBe(0xff7fffff);
    expect(binS('mul', max | 0x80000000, two, RM)[0]).toBe(0xff800000);
    // exactly MAX + a little: RN stays at MAX (inexact only), RP overflows
    expect(binS('add', max, 0x3f800000, RN)).toEqual([max, (I << 12) | (I << 2)]);
    expect(binS('add', max, 0x3f800000, RP)[0]).toBe(0x7f800000);
  });

  it('underflows after rounding, only when inexact', () => {
    // (1 - 2^-13) * 2^-126 (1 + 2^-13) = 2^-126 (1 - 2^-26): tiny before rounding, not after (RN)
    expect(binS('mul', 0x3f7ff800, 0x00800400, RN)).toEqual([0x00800000, (I << 12) | (I << 2)]);
    expect(binS('mul', 0x3f7ff800, 0x00800400, RZ)).toEqual([0x007fffff, ((U | I) << 12) | ((U | I) << 2) | RZ]);
    expect(binS('mul', 0x00080000, 0x3f800000)).toEqual([0x00080000, 0]); // exact subnormal: no underflow
    expect(binS('mul', 0x00000001, 0x3f000000, RN)).toEqual([0, ((U | I) << 12) | ((U | I) << 2)]); // 2^-150: tie to 0
    expect(binS('mul', 0x00000001, 0x3f000000, RP)[0]).toBe(1);
  });

  it('FS flushes tiny results to zero without flags (as qemu)', () => {
    expect(binS('mul', 0x00800000, 0x3f000000, 1 << 24)).toEqual([0, 1 << 24]);
    expect(binS('mul', 0x80800000, 0x3f000000, 1 << 24)[0]).toBe(0x80000000);
  });

  it('special operands: infinities, zeros, NaNs (MIPS legacy: default NaN, top fraction bit set = signalling)', () => {
    const inf = 0x7f800000, ninf = 0xff800000, zero = 0, nzero = 0x80000000;
    expect(binS('add', inf, ninf)).toEqual([NAN_S, (V << 12) | (V << 2)]);
    expect(binS('mul', inf, zero)).toEqual([NAN_S, (V << 12) | (V << 2)]);
    expect(binS('div', zero, zero)).toEqual([NAN_S, (V << 12) | (V << 2)]);
    expect(binS('div', 0x3f800000, nzero)).toEqual([ninf, (Z << 12) | (Z << 2)]);
    expect(binS('div', inf, zero)).toEqual([inf, 0]);
    expect(binS('add', nzero, nzero)[0]).toBe(nzero);
    expect(binS('add', zero, nzero)[0]).toBe(zero);
    expect(binS('add', zero, nzero, RM)[0]).toBe(nzero);
    // a quiet NaN operand gives the default NaN without invalid; a signalling one raises it
    expect(binS('add', 0x7f800001, 0x3f800000)).toEqual([NAN_S, 0]);
    expect(binS('add', 0x3f800000, 0xffbfffff)).toEqual([NAN_S, 0]);
    expect(binS('add', 0x7fc00000, 0x3f800000)).toEqual([NAN_S, (V << 12) | (V << 2)]);
    expect(binS('mul', 0x3f800000, 0xffc00001)).toEqual([NAN_S, (V << 12) | (V << 2)]);
  });

  it('binary64: rounding modes, overflow, underflow to subnormal, NaNs', () => {
    const e = 2 ** -53;
    expect(binD('add', 1, e)).toEqual([1, (I << 12) | (I << 2)]);
    expect(binD('add', 1, e, RP)[0]).toBe(1 + 2 ** -52);
    expect(binD('add', -1, -e, RM)[0]).toBe(-1 - 2 ** -52);
    expect(binD('div', 1, 3, RZ)[0]).toBe(0.3333333333333333);
    expect(binD('div', 1, 3, RP)[0]).toBe(0.33333333333333337);
    expect(binD('div', 1, 3, RM)[0]).toBe(0.3333333333333333);
    expect(binD('mul', Number.MAX_VALUE, 2, RZ)).toEqual([Number.MAX_VALUE, ((O | I) << 12) | ((O | I) << 2) | RZ]);
    expect(binD('mul', Number.MAX_VALUE, 2, RN)[0]).toBe(Infinity);
    expect(binD('mul', 2 ** -1022, 1 / 3)).toEqual([2 ** -1022 / 3, ((U | I) << 12) | ((U | I) << 2)]);
    expect(binD('mul', 2 ** -1022, 0.5)).toEqual([2 ** -1023, 0]);
    expect(binD('sub', 1, 1, RM)[0]).toBe(-0);
    const r = new Rig();
    r.setD(2, 0x7ff80000, 0); // the host's NaN is a signalling NaN on legacy MIPS
    r.setDf(4, 1);
    r.run([enc('add.d', { fd: 0, fs: 2, ft: 4 })]);
    expect(r.getD(0)).toEqual(NAN_D);
    expect(cause(r.cpu.fcsr)).toBe(V);
  });

  it('binary64 results match JS arithmetic in round-to-nearest, and the fast paths match the exact ones', () => {
    let x = 99;
    const next = () => { x = (Math.imul(x, 1664525) + 1013904223) | 0; return x >>> 0; };
    const randD = () => {
      const k = next() % 8;
      const e = k < 5 ? 1023 + (next() % 60) - 30 : k < 6 ? next() % 40 : k < 7 ? 2000 + (next() % 47) : next() % 2047;
      return f64(((next() & 0x80000000) | (e << 20) | (next() & 0xfffff)) >>> 0, next());
    };
    const js: Record<string, (a: number, b: number) => number> = { add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b };
    for (let i = 0; i < 300; i++) {
      const a = randD(), b = randD();
      for (const op of ['add', 'sub', 'mul', 'div']) {
        const [got] = binD(op, a, b);
        expect(Object.is(got, js[op](a, b)) || (got !== got && js[op](a, b) !== js[op](a, b)), `${op} ${a} ${b}`).toBe(true);
        for (const rm of [RN, RZ, RP, RM]) {
          softfloatOptions.exactOnly = false;
          const fast = binD(op, a, b, rm);
          softfloatOptions.exactOnly = true;
          const exact = binD(op, a, b, rm);
          expect(fast, `${op} ${a} ${b} rm ${rm}`).toEqual(exact);
        }
      }
    }
  });

  it('binary32 fast paths match the exact ones in every mode', () => {
    let x = 7;
    const next = () => { x = (Math.imul(x, 1664525) + 1013904223) | 0; return x >>> 0; };
    const randS = () => { const k = next() % 6; const e = k < 3 ? 127 + (next() % 40) - 20 : k < 4 ? next() % 3 : k < 5 ? 252 + (next() % 3) : next() % 255; return ((next() & 0x80000000) | (e << 23) | (next() & 0x7fffff)) >>> 0; };
    for (let i = 0; i < 300; i++) {
      const a = randS(), b = randS();
      for (const op of ['add', 'sub', 'mul', 'div']) {
        for (const rm of [RN, RZ, RP, RM]) {
          softfloatOptions.exactOnly = false;
          const fast = binS(op, a, b, rm);
          softfloatOptions.exactOnly = true;
          expect(fast, `${op} ${hex(a)} ${hex(b)} rm ${rm}`).toEqual(binS(op, a, b, rm));
        }
      }
    }
  });

  it('sqrt, recip, rsqrt; abs/neg/mov are bit operations that leave FCSR alone', () => {
    const r = new Rig();
    r.setDf(2, 2);
    r.run([enc('sqrt.d', { fd: 0, fs: 2 })]);
    expect(r.getDf(0)).toBe(Math.SQRT2);
    expect(cause(r.cpu.fcsr)).toBe(I);
    r.setSf(2, -4);
    r.run([enc('sqrt.s', { fd: 0, fs: 2 })]);
    expect(r.getS(0)).toBe(NAN_S);
    expect(cause(r.cpu.fcsr)).toBe(V);
    r.setSf(2, 4);
    r.run([enc('recip.s', { fd: 0, fs: 2 }), enc('rsqrt.s', { fd: 1, fs: 2 })]);
    expect(r.getSf(0)).toBe(0.25);
    expect(r.getSf(1)).toBe(0.5);
    r.setDf(2, 3);
    r.run([enc('rsqrt.d', { fd: 0, fs: 2 })]);
    expect(r.getDf(0)).toBe(1 / Math.sqrt(3)); // two roundings, as qemu
    r.cpu.fcsr = 0x0001f07c; // cause and flags preset
    r.setS(2, 0x7fc00000); // signalling NaN
    r.run([enc('abs.s', { fd: 0, fs: 2 }), enc('neg.s', { fd: 1, fs: 2 }), enc('mov.s', { fd: 3, fs: 2 })]);
    expect([r.getS(0), r.getS(1), r.getS(3)].map(hex)).toEqual(['0x7fc00000', '0xffc00000', '0x7fc00000']);
    expect(r.cpu.fcsr).toBe(0x0001f07c);
    r.setD(2, 0xfff80000, 1);
    r.run([enc('abs.d', { fd: 4, fs: 2 }), enc('neg.d', { fd: 6, fs: 2 }), enc('mov.d', { fd: 8, fs: 2 })]);
    expect(r.getD(4)).toEqual([0x7ff80000, 1]);
    expect(r.getD(6)).toEqual([0x7ff80000, 1]);
    expect(r.getD(8)).toEqual([0xfff80000, 1]);
  });

  it('madd/msub/nmadd/nmsub round the product, then the sum (not fused)', () => {
    const r = new Rig();
    // (1 + 2^-23)^2 = 1 + 2^-22 + 2^-46 rounds to 1 + 2^-22; minus (1 + 2^-22) is 0 (fused: 2^-46)
    r.setS(2, 0x3f800001);
    r.setS(4, 0x3f800001);
    r.setS(6, 0xbf800002);
    r.run([enc('madd.s', { fd: 0, fr: 6, fs: 2, ft: 4 })]);
    expect(r.getS(0)).toBe(0);
    expect(cause(r.cpu.fcsr)).toBe(I);
    r.setSf(2, 3); r.setSf(4, 4); r.setSf(6, 5);
    r.run([
      enc('madd.s', { fd: 8, fr: 6, fs: 2, ft: 4 }), enc('msub.s', { fd: 9, fr: 6, fs: 2, ft: 4 }),
      enc('nmadd.s', { fd: 10, fr: 6, fs: 2, ft: 4 }), enc('nmsub.s', { fd: 11, fr: 6, fs: 2, ft: 4 }),
    ]);
    expect([8, 9, 10, 11].map((n) => r.getSf(n))).toEqual([17, 7, -17, -7]);
    r.setDf(2, 3); r.setDf(4, 4); r.setDf(6, 5);
    r.run([
      enc('madd.d', { fd: 8, fr: 6, fs: 2, ft: 4 }), enc('msub.d', { fd: 10, fr: 6, fs: 2, ft: 4 }),
      enc('nmadd.d', { fd: 12, fr: 6, fs: 2, ft: 4 }), enc('nmsub.d', { fd: 14, fr: 6, fs: 2, ft: 4 }),
    ]);
    expect([8, 10, 12, 14].map((n) => r.getDf(n))).toEqual([17, 7, -17, -7]);
    // nmadd negates the default NaN too (qemu: float32_chs)
    r.setSf(2, Infinity); r.setSf(4, 0);
    r.run([enc('nmadd.s', { fd: 0, fr: 6, fs: 2, ft: 4 })]);
    expect(hex(r.getS(0))).toBe('0xffbfffff');
  });
});

// ---- conversions ----

describe('conversions', () => {
  const cvt = (name: string, set: (r: Rig) => void, fcsr = 0, fr64 = false) => {
    const r = new Rig({ fr64 });
    set(r);
    r.cpu.fcsr = fcsr;
    const e = r.run([enc(name, { fd: 0, fs: 2 })]);
    return { r, e, fcsr: r.cpu.fcsr };
  };

  it('to word: modes, ties, out of range and NaN give 0x7fffffff with invalid', () => {
    const w = (name: string, v: number, fcsr = 0, fmt: 's' | 'd' = 'd') => {
      const { r, fcsr: f } = cvt(`${name}.w.${fmt}`, (x) => (fmt === 'd' ? x.setDf(2, v) : x.setSf(2, v)), fcsr);
      return [r.getS(0) | 0, cause(f)];
    };
    expect(w('cvt', 2.5)).toEqual([2, I]);
    expect(w('cvt', 3.5)).toEqual([4, I]);
    expect(w('cvt', 2.5, RP)).toEqual([3, I]);
    expect(w('cvt', -2.5, RM)).toEqual([-3, I]);
    expect(w('cvt', -2.5, RZ)).toEqual([-2, I]);
    expect(w('round', -2.5, RP)).toEqual([-2, I]); // round/trunc/ceil/floor ignore FCSR.RM
    expect(w('trunc', -2.7)).toEqual([-2, I]);
    expect(w('ceil', -2.7)).toEqual([-2, I]);
    expect(w('floor', -2.7)).toEqual([-3, I]);
    expect(w('floor', 7)).toEqual([7, 0]);
    expect(w('cvt', -(2 ** 31))).toEqual([-(2 ** 31), 0]);
    expect(w('cvt', 2 ** 31)).toEqual([0x7fffffff, V]);
    expect(w('cvt', -(2 ** 31) - 1)).toEqual([0x7fffffff, V]);
    expect(w('round', 2147483647.5)).toEqual([0x7fffffff, V]); // rounds to 2^31
    expect(w('trunc', 2147483647.5)).toEqual([0x7fffffff, I]);
    expect(w('cvt', Infinity, 0, 's')).toEqual([0x7fffffff, V]);
    expect(w('cvt', NaN)).toEqual([0x7fffffff, V]);
    const q = cvt('cvt.w.s', (x) => x.setS(2, 0x7f800001)); // quiet NaN: still invalid
    expect([q.r.getS(0), cause(q.fcsr)]).toEqual([0x7fffffff, V]);
  });

  it('between formats', () => {
    let c = cvt('cvt.s.d', (r) => r.setDf(2, 0.1));
    expect([hex(c.r.getS(0)), cause(c.fcsr)]).toEqual(['0x3dcccccd', I]);
    c = cvt('cvt.s.d', (r) => r.setDf(2, 0.1), RZ);
    expect(hex(c.r.getS(0))).toBe('0x3dcccccc');
    c = cvt('cvt.s.d', (r) => r.setDf(2, 1e300));
    expect([hex(c.r.getS(0)), cause(c.fcsr)]).toEqual(['0x7f800000', O | I]);
    c = cvt('cvt.s.d', (r) => r.setDf(2, 1e-50));
    expect([hex(c.r.getS(0)), cause(c.fcsr)]).toEqual(['0x0', U | I]);
    c = cvt('cvt.d.s', (r) => r.setS(2, 0x3dcccccd));
    expect([c.r.getDf(0), cause(c.fcsr)]).toEqual([Math.fround(0.1), 0]);
    c = cvt('cvt.s.w', (r) => r.setS(2, 16777217));
    expect([c.r.getSf(0), cause(c.fcsr)]).toEqual([16777216, I]);
    c = cvt('cvt.s.w', (r) => r.setS(2, 16777217), RP);
    expect(c.r.getSf(0)).toBe(16777218);
    c = cvt('cvt.d.w', (r) => r.setS(2, -5));
    expect(c.r.getDf(0)).toBe(-5);
  });

  it('64-bit integers (.l) need FR=1; FR=0 raises reserved instruction (as qemu)', () => {
    const setL = (r: Rig, hi: number, lo: number) => r.setD(2, hi, lo);
    let c = cvt('cvt.d.l', (r) => setL(r, 0x00200000, 1), 0, true); // 2^53 + 1
    expect([c.r.getDf(0), cause(c.fcsr)]).toEqual([2 ** 53, I]);
    c = cvt('cvt.d.l', (r) => setL(r, 0x00200000, 1), RP, true);
    expect(c.r.getDf(0)).toBe(2 ** 53 + 2);
    c = cvt('cvt.s.l', (r) => setL(r, 0xffffffff, 0xffffffff), 0, true);
    expect(c.r.getSf(0)).toBe(-1);
    c = cvt('cvt.l.d', (r) => r.setDf(2, -(2 ** 40) - 0.5), 0, true);
    expect([c.r.getD(0).map(hex), cause(c.fcsr)]).toEqual([['0xffffff00', '0x0'], I]);
    c = cvt('cvt.l.s', (r) => r.setSf(2, 2 ** 63), 0, true);
    expect([c.r.getD(0).map(hex), cause(c.fcsr)]).toEqual([['0x7fffffff', '0xffffffff'], V]);
    c = cvt('floor.l.d', (r) => r.setDf(2, -(2 ** 63)), 0, true);
    expect([c.r.getD(0).map(hex), cause(c.fcsr)]).toEqual([['0x80000000', '0x0'], 0]);
    for (const name of ['cvt.l.s', 'cvt.l.d', 'round.l.d', 'trunc.l.s', 'ceil.l.d', 'floor.l.s', 'cvt.s.l', 'cvt.d.l']) {
      const fr0 = cvt(name, () => {});
      expect(fr0.e?.code, name).toBe(ExcCode.RI);
    }
  });
});

// ---- compares, condition codes, branches, conditional moves ----

describe('compares and condition codes', () => {
  const CONDS = ['f', 'un', 'eq', 'ueq', 'olt', 'ult', 'ole', 'ule', 'sf', 'ngle', 'seq', 'ngl', 'lt', 'nge', 'le', 'ngt'];
  const expected = (cond: number, a: number, b: number) => {
    const un = a !== a || b !== b;
    return un ? (cond & 1) !== 0 : ((cond & 2) !== 0 && a === b) || ((cond & 4) !== 0 && a < b);
  };

  it('all 16 conditions, both formats, every cc, with NaN operands', () => {
    const pairs: [number, number][] = [[1, 2], [2, 1], [1, 1], [0, -0], [NaN, 1], [-Infinity, Infinity]];
    for (const fmt of ['s', 'd'] as const) {
      CONDS.forEach((name, cond) => {
        for (const [a, b] of pairs) {
          for (let cc = 0; cc < 8; cc++) {
            const r = new Rig();
            if (fmt === 's') {
              if (a !== a) r.setS(2, 0x7fbfffff); else r.setSf(2, a); // a quiet NaN
              r.setSf(4, b);
            } else {
              if (a !== a) r.setD(2, ...NAN_D); else r.setDf(2, a);
              r.setDf(4, b);
            }
            const others = 0xfe800000 & ~(1 << ccBit(cc));
            r.cpu.fcsr = others;
            r.run([enc(`c.${name}.${fmt}`, { cc, fs: 2, ft: 4 })]);
            const want = expected(cond, a, b);
            const inv = a !== a && (cond & 8) !== 0 ? V : 0;
            expect(r.cpu.fcsr >>> 0, `c.${name}.${fmt} ${a} ${b} cc${cc}`).toBe((others | (want ? 1 << ccBit(cc) : 0) | (inv << 12) | (inv << 2)) >>> 0);
          }
        }
      });
    }
  });

  it('a signalling NaN makes even the quiet predicates invalid', () => {
    const r = new Rig();
    r.setS(2, 0x7fc00000);
    r.setSf(4, 1);
    r.run([enc('c.eq.s', { cc: 0, fs: 2, ft: 4 })]);
    expect(cause(r.cpu.fcsr)).toBe(V);
  });

  it('cfc1 $25 (FCCR) and movf/movt (GPR) see the same condition codes', () => {
    const r = new Rig();
    r.cpu.fcsr = (1 << 23) | (1 << 30); // cc0, cc6
    r.cpu.r[8] = 5;
    r.cpu.r[9] = 0;
    r.cpu.r[10] = 0;
    r.run([enc('cfc1', { rt: 2, fcr: 25 }), enc('movt', { rd: 9, rs: 8, cc: 6 }), enc('movf', { rd: 10, rs: 8, cc: 6 })]);
    expect(r.cpu.r[2]).toBe(0x41);
    expect([r.cpu.r[9], r.cpu.r[10]]).toEqual([5, 0]);
  });

  it('bc1t/bc1f/bc1tl/bc1fl with delay slots: taken, not taken, annulled', () => {
    const addiu = (rt: number, imm: number) => enc('addiu', { rt, rs: rt, imm });
    for (const [name, likely, onTrue] of [['bc1f', false, false], ['bc1t', false, true], ['bc1fl', true, false], ['bc1tl', true, true]] as const) {
      for (const cc of [0, 3, 7]) {
        for (const set of [false, true]) {
          for (const ds of [true, false]) {
            const r = new Rig({ ds });
            r.cpu.fcsr = set ? 1 << ccBit(cc) : 0xfe800000 & ~(1 << ccBit(cc));
            r.cpu.r[2] = 0;
            // bc1x +2 ; slot: v0 += 1 ; v0 += 2 ; target: v0 += 4
            const words = [enc(name, { cc, broff: 2 }), addiu(2, 1), addiu(2, 2), addiu(2, 4)];
            const taken = set === onTrue;
            const n = ds ? (taken ? 3 : likely ? 3 : 4) : taken ? 2 : 4;
            r.run(words, n);
            const want = ds ? (taken ? 1 + 4 : likely ? 2 + 4 : 1 + 2 + 4) : taken ? 4 : 1 + 2 + 4;
            expect(r.cpu.r[2], `${name} cc${cc} set=${set} ds=${ds}`).toBe(want);
            expect(r.cpu.pc).toBe(TEXT + 16);
          }
        }
      }
    }
  });

  it('movf/movt/movz/movn.fmt copy bits (NaNs untouched)', () => {
    const r = new Rig();
    r.cpu.fcsr = 1 << ccBit(5);
    r.setS(2, 0x7fc00001);
    r.setD(4, 0xfff80000, 7);
    r.cpu.r[8] = 0;
    r.cpu.r[9] = 3;
    r.run([
      enc('movt.s', { fd: 0, fs: 2, cc: 5 }), enc('movf.s', { fd: 1, fs: 2, cc: 5 }),
      enc('movt.d', { fd: 6, fs: 4, cc: 5 }), enc('movf.d', { fd: 8, fs: 4, cc: 0 }),
      enc('movz.s', { fd: 10, fs: 2, rt: 8 }), enc('movn.s', { fd: 11, fs: 2, rt: 8 }),
      enc('movz.d', { fd: 12, fs: 4, rt: 9 }), enc('movn.d', { fd: 14, fs: 4, rt: 9 }),
    ]);
    expect(r.getS(0)).toBe(0x7fc00001);
    expect(r.getS(1)).toBe(0);
    expect(r.getD(6)).toEqual([0xfff80000, 7]);
    expect(r.getD(8)).toEqual([0xfff80000, 7]);
    expect(r.getS(10)).toBe(0x7fc00001);
    expect(r.getS(11)).toBe(0);
    expect(r.getD(12)).toEqual([0, 0]);
    expect(r.getD(14)).toEqual([0xfff80000, 7]);
    expect(r.cpu.fcsr).toBe(1 << ccBit(5));
  });
});

// ---- exceptions ----

describe('IEEE exceptions with their Enable bits set raise FPE', () => {
  it('leaves the destination and the Flags, sets Cause, stops at the instruction', () => {
    const r = new Rig();
    r.setS(0, 0x12345678);
    r.setSf(2, 0);
    r.setSf(4, 0);
    r.cpu.fcsr = enables(V) | (I << 2);
    const e = r.run([enc('mul.s', { fd: 6, fs: 2, ft: 4 }), enc('div.s', { fd: 0, fs: 2, ft: 4 })]);
    expect(e?.code).toBe(ExcCode.FPE);
    expect(r.cpu.pc).toBe(TEXT + 4);
    expect(r.getS(0)).toBe(0x12345678);
    expect(cause(r.cpu.fcsr)).toBe(V);
    expect(flags(r.cpu.fcsr)).toBe(I); // unchanged
    expect(r.m.fault?.exception.code).toBe(ExcCode.FPE);
  });

  it('each enable traps its own exception only', () => {
    const cases: [string, number, number, number][] = [
      ['div', 0x3f800000, 0, Z], ['mul', 0x7f7fffff, 0x7f7fffff, O], ['mul', 0x00800001, 0x3e800000, U], ['add', 0x3f800000, 0x33800000, I],
    ];
    for (const [op, a, b, ex] of cases) {
      for (const en of [I, U, O, Z, V]) {
        const r = new Rig();
        r.setS(2, a);
        r.setS(4, b);
        r.cpu.fcsr = enables(en);
        const e = r.run([enc(`${op}.s`, { fd: 0, fs: 2, ft: 4 })]);
        const raised = cause(r.cpu.fcsr);
        expect(raised & ex, `${op}`).toBe(ex);
        expect(e?.code === ExcCode.FPE, `${op} ${hex(a)} ${hex(b)} enable ${en}`).toBe((raised & en) !== 0);
      }
    }
  });

  it('compares and conversions trap too; the condition code stays', () => {
    const r = new Rig();
    r.setS(2, 0x7fbfffff);
    r.setSf(4, 1);
    r.cpu.fcsr = enables(V);
    expect(r.run([enc('c.lt.s', { cc: 2, fs: 2, ft: 4 })])?.code).toBe(ExcCode.FPE);
    expect(r.cpu.getCC(2)).toBe(false);
    expect(r.run([enc('c.eq.s', { cc: 2, fs: 2, ft: 4 })])).toBeNull(); // quiet predicate
    r.setDf(2, 1e10);
    r.cpu.fcsr = enables(V);
    expect(r.run([enc('cvt.w.d', { fd: 0, fs: 2 })])?.code).toBe(ExcCode.FPE);
  });

  it('ctc1 that sets an enabled Cause bit (or Cause E) traps after writing FCSR', () => {
    const r = new Rig();
    r.cpu.r[8] = enables(Z) | (Z << 12);
    expect(r.run([enc('ctc1', { rt: 8, fcr: 31 })])?.code).toBe(ExcCode.FPE);
    expect(r.cpu.fcsr).toBe(enables(Z) | (Z << 12));
    r.cpu.r[8] = 1 << 17;
    r.cpu.fcsr = 0;
    expect(r.run([enc('ctc1', { rt: 8, fcr: 31 })])?.code).toBe(ExcCode.FPE);
    r.cpu.r[8] = Z << 12;
    r.cpu.fcsr = 0;
    expect(r.run([enc('ctc1', { rt: 8, fcr: 31 })])).toBeNull();
  });
});

// ---- registers, FR modes, loads and stores ----

describe('register file and FR modes', () => {
  it('FR=0: doubles are even/odd pairs, low word in the even register; odd double operands are reserved', () => {
    const r = new Rig();
    r.cpu.r[8] = 0x3ff00000;
    r.cpu.r[9] = 0;
    r.run([enc('mtc1', { rt: 9, fs: 2 }), enc('mtc1', { rt: 8, fs: 3 }), enc('add.d', { fd: 4, fs: 2, ft: 2 }), enc('mfc1', { rt: 10, fs: 5 }), enc('mfhc1', { rt: 11, fs: 4 })]);
    expect(r.cpu.r[10]).toBe(0x40000000);
    expect(r.cpu.r[11]).toBe(0x40000000);
    for (const w of [enc('add.d', { fd: 1, fs: 2, ft: 4 }), enc('mov.d', { fd: 0, fs: 3 }), enc('c.eq.d', { cc: 0, fs: 1, ft: 2 }), enc('cvt.d.s', { fd: 5, fs: 2 }), enc('ldxc1', { fd: 1, base: 0, index: 0 })]) {
      expect(r.run([w])?.code, disassembleText(w, 0)).toBe(ExcCode.RI);
    }
  });

  it('FR=1: 32 independent 64-bit registers; mfhc1/mthc1 reach the high half', () => {
    const r = new Rig({ fr64: true });
    r.cpu.r[8] = 0x3ff00000;
    r.cpu.r[9] = 0x11111111;
    r.run([
      enc('mtc1', { rt: 0, fs: 1 }), enc('mthc1', { rt: 8, fs: 1 }), // $f1 = 1.0
      enc('mtc1', { rt: 9, fs: 0 }), // does not touch $f1
      enc('add.d', { fd: 3, fs: 1, ft: 1 }), // odd registers are fine
      enc('mfhc1', { rt: 10, fs: 3 }), enc('mfc1', { rt: 11, fs: 3 }),
      enc('add.s', { fd: 5, fs: 0, ft: 0 }),
    ]);
    expect(r.getDf(1)).toBe(1);
    expect(r.getDf(3)).toBe(2);
    expect([r.cpu.r[10], r.cpu.r[11]]).toEqual([0x40000000, 0]);
    expect(r.getD(5)[0]).toBe(0); // a single result keeps the (zero) high half
  });

  it('cfc1/ctc1 views: FIR, FCCR, FEXR, FENR, FCSR (writable mask)', () => {
    const r = new Rig();
    r.cpu.fcsr = 0xfe81f07f | 0;
    const rd = (fcr: number) => { r.run([enc('cfc1', { rt: 2, fcr })]); return r.cpu.r[2] >>> 0; };
    expect([0, 25, 26, 28, 31].map(rd).map(hex)).toEqual(['0x739300', '0xff', '0x1f07c', '0x3', '0xfe81f07f']);
    r.cpu.r[8] = -1;
    r.cpu.fcsr = 0;
    r.run([enc('ctc1', { rt: 8, fcr: 25 })]); // reserved bits set: ignored
    expect(r.cpu.fcsr).toBe(0);
    r.cpu.r[8] = 0x81;
    r.run([enc('ctc1', { rt: 8, fcr: 25 })]);
    expect(hex(r.cpu.fcsr)).toBe('0x80800000');
    r.cpu.r[8] = 0x7;
    r.run([enc('ctc1', { rt: 8, fcr: 28 })]);
    expect(hex(r.cpu.fcsr)).toBe('0x81800003');
    r.cpu.r[8] = 0x0000107c & ~0x1000;
    r.run([enc('ctc1', { rt: 8, fcr: 26 })]);
    expect(hex(r.cpu.fcsr)).toBe('0x8180007f');
    r.cpu.r[8] = 0x007c0000;
    r.run([enc('ctc1', { rt: 8, fcr: 31 })]);
    expect(r.cpu.fcsr).toBe(0);
    r.cpu.r[8] = 5;
    r.run([enc('ctc1', { rt: 8, fcr: 0 })]); // FIR is read-only
    expect(rd(0)).toBe(0x739300);
  });

  for (const be of [true, false]) {
    it(`lwc1/swc1/ldc1/sdc1/lwxc1/swxc1/ldxc1/sdxc1, ${be ? 'big' : 'little'}-endian memory`, () => {
      for (const fr64 of [false, true]) {
        const r = new Rig({ be, fr64 });
        const m = r.m;
        r.cpu.r[8] = DATA;
        r.cpu.r[9] = 8;
        r.cpu.r[10] = 20;
        r.setDf(2, 1.5); // 0x3ff80000_00000000
        r.setS(4, 0x40490fdb);
        r.run([
          enc('sdc1', { ft: 2, base: 8, off: 0 }), enc('sdxc1', { fs: 2, base: 8, index: 9 }),
          enc('swc1', { ft: 4, base: 8, off: 16 }), enc('swxc1', { fs: 4, base: 8, index: 10 }),
        ]);
        // the double's bytes are in memory order: on big-endian the lower word is the high one
        const bytes = m.mem.readBytes(DATA, 24)!;
        const view = new DataView(bytes.buffer);
        expect(view.getFloat64(0, !be)).toBe(1.5);
        expect(view.getFloat64(8, !be)).toBe(1.5);
        expect(m.mem.read32(DATA) >>> 0).toBe(be ? 0x3ff80000 : 0);
        expect(m.mem.read32(DATA + 4) >>> 0).toBe(be ? 0 : 0x3ff80000);
        expect(m.mem.read32(DATA + 16) >>> 0).toBe(0x40490fdb);
        expect(m.mem.read32(DATA + 20) >>> 0).toBe(0x40490fdb);
        m.mem.write32(DATA + 24, 0x11111111);
        m.mem.write32(DATA + 28, 0x22222222);
        r.cpu.r[11] = 24;
        r.run([
          enc('ldc1', { ft: 6, base: 8, off: 0 }), enc('ldxc1', { fd: 8, base: 9, index: 8 }),
          enc('lwc1', { ft: 10, base: 8, off: 16 }), enc('lwxc1', { fd: 12, base: 8, index: 10 }),
          enc('ldc1', { ft: 14, base: 8, off: 24 }),
        ]);
        expect(r.getDf(6)).toBe(1.5);
        expect(r.getDf(8)).toBe(1.5);
        expect(r.getS(10)).toBe(0x40490fdb);
        expect(r.getS(12)).toBe(0x40490fdb);
        expect(r.getD(14)).toEqual(be ? [0x11111111, 0x22222222] : [0x22222222, 0x11111111]);
        // alignment
        r.cpu.r[8] = DATA + 4;
        const e1 = r.run([enc('ldc1', { ft: 6, base: 8, off: 0 })]);
        expect([e1?.code, e1?.badVAddr]).toEqual([ExcCode.AdEL, DATA + 4]);
        expect(r.run([enc('sdc1', { ft: 6, base: 8, off: 0 })])?.code).toBe(ExcCode.AdES);
        expect(r.run([enc('lwc1', { ft: 6, base: 8, off: 2 })])?.code).toBe(ExcCode.AdEL);
      }
    });
  }
});

// ---- qemu-mips as the oracle ----

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fpu');

describe('against qemu-mips (test/fixtures/fpu)', () => {
  for (const mode of ['fr0', 'fr1'] as const) {
    const { cases } = generate(mode) as { cases: string[] };
    for (const [e, engine] of [['be', 'interp'], ['le', 'interp'], ['be', 'jit'], ['le', 'jit']] as const) {
      it(`fpu-${mode}-${e}.elf prints what qemu printed, case by case (${engine})`, () => {
        const file = join(FIX, `fpu-${mode}-${e}.elf`);
        const io = new CapturedIO();
        const m = loadProgram(readFileSync(file), file, io, {});
        m.cpu.fr64 = mode === 'fr1'; // qemu sets Status.FR from the FP64 ABI flags
        const result = runMachine(m, createEngine(engine, m), { maxInsns: 50_000_000 });
        expect(result.kind).toBe('exit');
        expect(result.exitCode).toBe(0);
        const ours = io.stdoutText().split('\n');
        const theirs = readFileSync(join(FIX, `fpu-${mode}-${e}.out`), 'utf8').split('\n');
        expect(theirs.length).toBe(cases.length + 1);
        const bad: string[] = [];
        theirs.forEach((line, i) => {
          if (ours[i] !== line && bad.length < 30) bad.push(`${cases[i] ?? '(end)'}: asmbox "${ours[i]}" qemu "${line}"`);
        });
        expect(bad).toEqual([]);
        expect(ours.length).toBe(theirs.length);
      });
    }
  }
});
