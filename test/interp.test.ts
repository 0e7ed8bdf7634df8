// Per-instruction interpreter tests. Every program-level test runs under both engine kinds.
// Expected values come from independent BigInt / byte-array reference models, not from the
// interpreter's own helpers.
import { describe, expect, it } from 'vitest';
import {
  asm, DATA_BASE, ENGINE_KINDS, enc, makeMachine, Rig, run, runCode, snapshot, TEXT_BASE, u32, type EngineKind, type ProgramSetup,
} from './helpers/machine.js';
import { mips32Table } from '../src/isa/table.js';
import { ExcCode, GuestException, StopRun } from '../src/machine/exceptions.js';
import { REG_HI, REG_LO } from '../src/machine/cpu.js';

const T0 = 8, T1 = 9, T2 = 10;
const HI = REG_HI, LO = REG_LO;

const EDGE = [0, 1, -1, 2, 0x7fffffff, -0x80000000, 0x12345678, 0xfedcba98 | 0, 31, 32, 33, 0x80000001 | 0, 0xffff, 0x8000];
const IMM = [0, 1, -1, 0x7fff, -0x8000, 0x1234, -2];
const UIMM = [0, 1, 0xffff, 0x8000, 0x7fff, 0x1234];

const i32 = (b: bigint) => Number(BigInt.asIntN(32, b));
const big = (v: number) => BigInt(v | 0);
const ubig = (v: number) => BigInt(v >>> 0);
const hex = (v: number) => '0x' + (v >>> 0).toString(16);

/** Instructions the tests in this file assembled (checked against the table at the end). */
const covered = new Set<string>();
function cover(line: string): string {
  covered.add(line.trim().split(/\s+/)[0]);
  return line;
}

describe.each(ENGINE_KINDS)('interpreter (%s engine)', (kind: EngineKind) => {
  /**
   * Runs `lines` followed by a syscall (which halts) on a reused machine per (endianness,
   * delay-slot mode); data goes to DATA_BASE. Returns the machine and the result.
   */
  const rigs = new Map<string, Rig>();
  const exec = (lines: string[], regs: Record<number, number> = {}, extra: ProgramSetup = {}) => {
    lines.forEach(cover);
    const be = extra.bigEndian ?? true, ds = extra.delaySlots ?? true, key = `${be}/${ds}`;
    let rig = rigs.get(key);
    if (!rig) rigs.set(key, (rig = new Rig(kind, { bigEndian: be, delaySlots: ds })));
    const data = extra.data ?? [];
    if (data.length > 1 || (data.length === 1 && data[0].addr !== DATA_BASE)) throw new Error('exec: data must be at DATA_BASE');
    return rig.exec(lines, regs, data[0]?.bytes ?? []);
  };
  /** Runs one instruction with t0 = a, t1 = b, t2 = c (destination preset). */
  const one = (line: string, a: number, b = 0, c = 0x5a5a5a5a) => exec([line], { [T0]: a, [T1]: b, [T2]: c });

  describe('ALU, register forms', () => {
    type Ref = (a: number, b: number, d: number) => number | 'Ov';
    const ops: Record<string, Ref> = {
      add: (a, b) => { const s = big(a) + big(b); return s === BigInt.asIntN(32, s) ? Number(s) : 'Ov'; },
      addu: (a, b) => i32(big(a) + big(b)),
      sub: (a, b) => { const s = big(a) - big(b); return s === BigInt.asIntN(32, s) ? Number(s) : 'Ov'; },
      subu: (a, b) => i32(big(a) - big(b)),
      and: (a, b) => i32(ubig(a) & ubig(b)),
      or: (a, b) => i32(ubig(a) | ubig(b)),
      xor: (a, b) => i32(ubig(a) ^ ubig(b)),
      nor: (a, b) => i32(~(ubig(a) | ubig(b))),
      slt: (a, b) => (big(a) < big(b) ? 1 : 0),
      sltu: (a, b) => (ubig(a) < ubig(b) ? 1 : 0),
      movz: (a, b, d) => (b === 0 ? a : d),
      movn: (a, b, d) => (b !== 0 ? a : d),
      mul: (a, b) => i32(big(a) * big(b)),
    };
    for (const [name, ref] of Object.entries(ops)) {
      it(`${name} on edge values`, () => {
        for (const a of EDGE) for (const b of EDGE) {
          const want = ref(a, b, 0x5a5a5a5a);
          const { m, r, result } = one(`${name} $t2, $t0, $t1`, a, b);
          if (want === 'Ov') {
            expect(result.kind, `${name} ${a} ${b}`).toBe('fault');
            expect(m.fault!.exception.code).toBe(ExcCode.Ov);
            expect(m.fault!.pc).toBe(TEXT_BASE);
            expect(r[T2]).toBe(0x5a5a5a5a); // destination untouched
          } else {
            expect(result.kind, `${name} ${a} ${b}`).toBe('exit');
            expect(r[T2], `${name} ${hex(a)}, ${hex(b)}`).toBe(want);
          }
        }
      });
    }

    it('writes to $zero are discarded, and $zero reads as zero', () => {
      const { r } = exec(['addiu $0, $0, 5', 'addu $2, $0, $0', 'lui $0, 0x1234', 'or $3, $0, $0']);
      expect(r[0]).toBe(0);
      expect(r[2]).toBe(0);
      expect(r[3]).toBe(0);
    });

    it('destination may equal a source', () => {
      const { r } = exec(['addu $t0, $t0, $t0', 'subu $t1, $t1, $t0'], { [T0]: 21, [T1]: 50 });
      expect(r[T0]).toBe(42);
      expect(r[T1]).toBe(8);
    });

    it('movf/movt test an FP condition code', () => {
      for (const cc of [0, 1, 7]) {
        for (const set of [false, true]) {
          const m = makeMachine([cover(`movf $t2, $t0, $fcc${cc}`), cover(`movt $t3, $t0, $fcc${cc}`), 'syscall'], { regs: { [T0]: 7, [T2]: -1, 11: -1 } });
          if (set) m.cpu.fcsr = 1 << (cc === 0 ? 23 : 24 + cc);
          run(kind, m);
          expect(m.cpu.r[T2]).toBe(set ? -1 : 7);
          expect(m.cpu.r[11]).toBe(set ? 7 : -1);
        }
      }
    });
  });

  describe('ALU, immediate forms', () => {
    const sops: Record<string, (a: number, i: number) => number | 'Ov'> = {
      addi: (a, i) => { const s = big(a) + BigInt(i); return s === BigInt.asIntN(32, s) ? Number(s) : 'Ov'; },
      addiu: (a, i) => i32(big(a) + BigInt(i)),
      slti: (a, i) => (big(a) < BigInt(i) ? 1 : 0),
      sltiu: (a, i) => (ubig(a) < ubig(i) ? 1 : 0), // the immediate is sign-extended, then compared unsigned
    };
    const uops: Record<string, (a: number, i: number) => number> = {
      andi: (a, i) => i32(ubig(a) & BigInt(i)),
      ori: (a, i) => i32(ubig(a) | BigInt(i)),
      xori: (a, i) => i32(ubig(a) ^ BigInt(i)),
    };
    for (const [name, ref] of Object.entries(sops)) {
      it(`${name} sign-extends its immediate`, () => {
        for (const a of EDGE) for (const i of IMM) {
          const want = ref(a, i);
          const { m, r, result } = one(`${name} $t2, $t0, ${i}`, a);
          if (want === 'Ov') {
            expect(result.kind).toBe('fault');
            expect(m.fault!.exception.code).toBe(ExcCode.Ov);
            expect(r[T2]).toBe(0x5a5a5a5a);
          } else expect(r[T2], `${name} ${hex(a)}, ${i}`).toBe(want);
        }
      });
    }
    for (const [name, ref] of Object.entries(uops)) {
      it(`${name} zero-extends its immediate`, () => {
        for (const a of EDGE) for (const i of UIMM) expect(one(`${name} $t2, $t0, ${i}`, a).r[T2], `${name} ${hex(a)}, ${i}`).toBe(ref(a, i));
      });
    }
    it('lui', () => {
      for (const i of UIMM) expect(one(`lui $t2, ${i}`, 0).r[T2]).toBe(i32(BigInt(i) << 16n));
    });
  });

  describe('shifts and rotates', () => {
    const mask = (1n << 32n) - 1n;
    const refs: Record<string, (x: number, s: number) => number> = {
      sll: (x, s) => i32(big(x) << BigInt(s)),
      srl: (x, s) => i32(ubig(x) >> BigInt(s)),
      sra: (x, s) => i32(big(x) >> BigInt(s)),
      rotr: (x, s) => i32(((ubig(x) >> BigInt(s)) | (ubig(x) << BigInt(32 - s))) & mask),
    };
    for (const [name, ref] of Object.entries(refs)) {
      it(`${name} by every amount`, () => {
        for (const x of [0x80000001 | 0, 0x12345678, -1, 1]) {
          for (let s = 0; s < 32; s++) expect(one(`${name} $t2, $t0, ${s}`, x).r[T2], `${name} ${hex(x)} ${s}`).toBe(ref(x, s));
        }
      });
      it(`${name}v uses the low 5 bits of rs`, () => {
        for (const x of [0x80000001 | 0, 0x12345678]) {
          for (const s of [0, 1, 4, 31, 32, 33, 63, -1, 0x7fffffe1]) {
            expect(one(`${name}v $t2, $t0, $t1`, x, s).r[T2], `${name}v ${hex(x)} ${s}`).toBe(ref(x, s & 31));
          }
        }
      });
    }
  });

  describe('multiply and divide', () => {
    const MUL_EDGE = [0, 1, -1, 0x7fffffff, -0x80000000, 0xffffffff | 0, 0x12345678, -0x1234567, 65536, 3];
    const split = (v: bigint) => [i32(v >> 32n), i32(v)];
    it('mult/multu give the exact 64-bit product in HI:LO', () => {
      for (const a of MUL_EDGE) for (const b of MUL_EDGE) {
        let { r } = one('mult $t0, $t1', a, b);
        expect([r[HI], r[LO]], `mult ${hex(a)} ${hex(b)}`).toEqual(split(big(a) * big(b)));
        ({ r } = one('multu $t0, $t1', a, b));
        expect([r[HI], r[LO]], `multu ${hex(a)} ${hex(b)}`).toEqual(split(ubig(a) * ubig(b)));
      }
    });
    it('madd/maddu/msub/msubu accumulate into HI:LO (64-bit wrap)', () => {
      const accs = [0n, 1n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n, 0x00000001ffffffffn, 0xffffffff00000000n];
      for (const acc of accs) for (const a of MUL_EDGE) for (const b of [0, 1, -1, 0x7fffffff, -0x80000000, 0x12345678]) {
        const [h0, l0] = split(acc);
        const cases: [string, bigint][] = [
          ['madd', acc + big(a) * big(b)], ['maddu', acc + ubig(a) * ubig(b)],
          ['msub', acc - big(a) * big(b)], ['msubu', acc - ubig(a) * ubig(b)],
        ];
        for (const [name, want] of cases) {
          const { r } = exec([`${name} $t0, $t1`], { [T0]: a, [T1]: b, [HI]: h0, [LO]: l0 });
          expect([r[HI], r[LO]], `${name} acc=${acc} ${hex(a)} ${hex(b)}`).toEqual(split(BigInt.asIntN(64, want)));
        }
      }
    });
    it('mul writes only rd (HI/LO are left alone)', () => {
      const { r } = exec(['mul $t2, $t0, $t1'], { [T0]: 0x10000, [T1]: 0x10001, [HI]: 7, [LO]: 8 });
      expect(r[T2]).toBe(0x10000);
      expect([r[HI], r[LO]]).toEqual([7, 8]);
    });
    it('div/divu truncate toward zero; remainder has the sign of the dividend', () => {
      const D = [0, 1, -1, 7, -7, 2, 0x7fffffff, -0x80000000, 0xffffffff | 0, 0x12345678];
      for (const a of D) for (const b of D) {
        // Division by zero and INT_MIN / -1 are UNPREDICTABLE; like qemu we divide by 1.
        const sb = b === 0 || (a === -0x80000000 && b === -1) ? 1n : big(b);
        let { r } = one('div $t0, $t1', a, b);
        expect([r[LO], r[HI]], `div ${hex(a)} / ${hex(b)}`).toEqual([i32(big(a) / sb), i32(big(a) % sb)]);
        const ub = b === 0 ? 1n : ubig(b);
        ({ r } = one('divu $t0, $t1', a, b));
        expect([r[LO], r[HI]], `divu ${hex(a)} / ${hex(b)}`).toEqual([i32(ubig(a) / ub), i32(ubig(a) % ub)]);
      }
    });
    it('div by zero and INT_MIN/-1 follow qemu (divide by 1)', () => {
      expect(Array.from(one('div $t0, $t1', 1234, 0).r.slice(32))).toEqual([0, 1234]);
      expect(Array.from(one('div $t0, $t1', -0x80000000, -1).r.slice(32))).toEqual([0, -0x80000000]);
      expect(Array.from(one('divu $t0, $t1', -5, 0).r.slice(32))).toEqual([0, -5]);
    });
    it('mfhi/mflo/mthi/mtlo', () => {
      const { r } = exec(['mthi $t0', 'mtlo $t1', 'mfhi $t2', 'mflo $t3'], { [T0]: 0x11111111, [T1]: -2 });
      expect([r[HI], r[LO], r[T2], r[11]]).toEqual([0x11111111, -2, 0x11111111, -2]);
    });
  });

  describe('bit manipulation (R2)', () => {
    it('clz/clo', () => {
      for (const x of [0, 1, -1, 0x80000000 | 0, 0x7fffffff, 0x00010000, 0xfff0ffff | 0, 0xc0000000 | 0]) {
        let z = 0; while (z < 32 && !((x >>> (31 - z)) & 1)) z++;
        let o = 0; while (o < 32 && (x >>> (31 - o)) & 1) o++;
        expect(one('clz $t2, $t0', x).r[T2], `clz ${hex(x)}`).toBe(z);
        expect(one('clo $t2, $t0', x).r[T2], `clo ${hex(x)}`).toBe(o);
      }
    });
    it('seb/seh/wsbh', () => {
      for (const x of [0x12345678, 0x000000ff, 0x00008000, 0xabcdef80 | 0, 0x7f7f, -1]) {
        expect(one('seb $t2, $t1', 0, x).r[T2]).toBe(((x & 0xff) ^ 0x80) - 0x80);
        expect(one('seh $t2, $t1', 0, x).r[T2]).toBe(((x & 0xffff) ^ 0x8000) - 0x8000);
        const b = [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255];
        expect(one('wsbh $t2, $t1', 0, x).r[T2]).toBe(((b[1] << 24) | (b[0] << 16) | (b[3] << 8) | b[2]) | 0);
      }
    });
    it('ext extracts every (lsb, size) field', () => {
      const x = 0x9abcdef1 | 0;
      for (let lsb = 0; lsb < 32; lsb++) for (let size = 1; lsb + size <= 32; size++) {
        const want = i32((ubig(x) >> BigInt(lsb)) & ((1n << BigInt(size)) - 1n));
        expect(one(`ext $t2, $t0, ${lsb}, ${size}`, x).r[T2], `ext ${lsb} ${size}`).toBe(want);
      }
    });
    it('ins inserts every (lsb, size) field', () => {
      const src = 0x13579bdf, dst = 0xeca86420 | 0;
      for (let lsb = 0; lsb < 32; lsb++) for (let size = 1; lsb + size <= 32; size++) {
        const fm = ((1n << BigInt(size)) - 1n) << BigInt(lsb);
        const want = i32((ubig(dst) & ~fm) | ((ubig(src) << BigInt(lsb)) & fm));
        expect(one(`ins $t2, $t0, ${lsb}, ${size}`, src, 0, dst).r[T2], `ins ${lsb} ${size}`).toBe(want);
      }
    });
    it('rdhwr $29 reads UserLocal; other HWRs', () => {
      const m = makeMachine([cover('rdhwr $t2, $29'), 'rdhwr $t3, $1', 'rdhwr $t4, $3', 'syscall']);
      m.cpu.userLocal = 0x7ffe1230;
      run(kind, m);
      expect(m.cpu.r[T2]).toBe(0x7ffe1230);
      expect(m.cpu.r[11]).toBe(32); // SYNCI_Step
      expect(m.cpu.r[12]).toBe(1); // CCRes
    });
    it('rdhwr of an unimplemented hardware register raises RI', () => {
      const { m, result } = exec(['nop', 'rdhwr $t2, $5']);
      expect(result.kind).toBe('fault');
      expect(m.fault!.exception.code).toBe(ExcCode.RI);
      expect(m.fault!.pc).toBe(TEXT_BASE + 4);
    });
  });

  describe('loads and stores', () => {
    const BYTES = [0x80, 0x7f, 0xff, 0x01, 0x12, 0x34, 0xfe, 0xdc];
    for (const bigEndian of [true, false]) {
      const E = bigEndian ? 'big-endian' : 'little-endian';
      const word = (b: number[], o: number) => (bigEndian
        ? (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]
        : (b[o + 3] << 24) | (b[o + 2] << 16) | (b[o + 1] << 8) | b[o]);
      const half = (b: number[], o: number) => (bigEndian ? (b[o] << 8) | b[o + 1] : (b[o + 1] << 8) | b[o]);
      const setup = { bigEndian, data: [{ addr: DATA_BASE, bytes: BYTES }] };

      it(`lb/lbu sign- and zero-extend (${E})`, () => {
        for (let o = 0; o < 8; o++) {
          const lb = exec([`lb $t2, ${o}($t0)`], { [T0]: DATA_BASE }, setup).r[T2];
          const lbu = exec([`lbu $t2, ${o}($t0)`], { [T0]: DATA_BASE }, setup).r[T2];
          expect(lb).toBe((BYTES[o] ^ 0x80) - 0x80);
          expect(lbu).toBe(BYTES[o]);
        }
      });
      it(`lh/lhu sign- and zero-extend (${E})`, () => {
        for (const o of [0, 2, 4, 6]) {
          const h = half(BYTES, o);
          expect(exec([`lh $t2, ${o}($t0)`], { [T0]: DATA_BASE }, setup).r[T2]).toBe((h ^ 0x8000) - 0x8000);
          expect(exec([`lhu $t2, ${o}($t0)`], { [T0]: DATA_BASE }, setup).r[T2]).toBe(h);
        }
      });
      it(`lw and negative offsets (${E})`, () => {
        expect(exec(['lw $t2, 0($t0)'], { [T0]: DATA_BASE }, setup).r[T2]).toBe(word(BYTES, 0));
        expect(exec(['lw $t2, -4($t0)'], { [T0]: DATA_BASE + 8 }, setup).r[T2]).toBe(word(BYTES, 4));
      });
      it(`sb/sh/sw store the right bytes (${E})`, () => {
        const { m } = exec(['sw $t1, 0($t0)', 'sh $t1, 4($t0)', 'sh $t1, 6($t0)', 'sb $t1, 9($t0)', 'sb $t1, 8($t0)'], { [T0]: DATA_BASE, [T1]: 0x11223344 }, { bigEndian });
        const got = Array.from(m.mem.readBytes(DATA_BASE, 12)!);
        const w = bigEndian ? [0x11, 0x22, 0x33, 0x44] : [0x44, 0x33, 0x22, 0x11];
        const h = bigEndian ? [0x33, 0x44] : [0x44, 0x33];
        expect(got).toEqual([...w, ...h, ...h, 0x44, 0x44, 0, 0]);
      });
      it(`ll/sc (${E})`, () => {
        // ll then sc succeeds; a second sc without ll fails and leaves memory alone.
        const { m, r } = exec(['ll $t2, 0($t0)', 'addiu $t2, $t2, 1', 'move $t3, $t2', 'sc $t2, 0($t0)', 'addiu $t4, $0, 99', 'sc $t4, 0($t0)'],
          { [T0]: DATA_BASE }, setup);
        expect(r[T2]).toBe(1);
        expect(r[12]).toBe(0);
        expect(m.mem.read32(DATA_BASE)).toBe((word(BYTES, 0) + 1) | 0);
        expect(r[11]).toBe((word(BYTES, 0) + 1) | 0);
      });

      // lwl/lwr/swl/swr against a byte-array model: the register's bytes in significance order.
      // lwl fills the register from its most significant byte with bytes at a, a+d, a+2d...
      // (d = +1 big-endian, -1 little-endian) up to the word boundary; lwr fills from the least
      // significant byte with bytes at a, a-d, ...; swl/swr store the same bytes back.
      const d = bigEndian ? 1 : -1;
      const regBytes = (v: number) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]; // MSB first
      const fromBytes = (b: number[]) => ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) | 0;
      const mem0 = [0xa0, 0xa1, 0xa2, 0xa3, 0xb4, 0xb5, 0xb6, 0xb7];
      const OLD = 0x11223344;
      for (let k = 0; k < 4; k++) {
        const a = 4 + k; // offset into mem0 (word at 4..7)
        it(`lwl/lwr at byte offset ${k} (${E})`, () => {
          const nl = bigEndian ? 4 - k : k + 1;
          const wantL = regBytes(OLD);
          for (let i = 0; i < nl; i++) wantL[i] = mem0[a + d * i];
          const nr = bigEndian ? k + 1 : 4 - k;
          const wantR = regBytes(OLD);
          for (let i = 0; i < nr; i++) wantR[3 - i] = mem0[a - d * i];
          const s = { bigEndian, data: [{ addr: DATA_BASE, bytes: mem0 }] };
          expect(hex(exec([`lwl $t2, ${a}($t0)`], { [T0]: DATA_BASE, [T2]: OLD }, s).r[T2])).toBe(hex(fromBytes(wantL)));
          expect(hex(exec([`lwr $t2, ${a}($t0)`], { [T0]: DATA_BASE, [T2]: OLD }, s).r[T2])).toBe(hex(fromBytes(wantR)));
        });
        it(`swl/swr at byte offset ${k} (${E})`, () => {
          const V = 0xc1c2c3c4 | 0, vb = regBytes(V);
          const nl = bigEndian ? 4 - k : k + 1;
          const wantL = [...mem0];
          for (let i = 0; i < nl; i++) wantL[a + d * i] = vb[i];
          const nr = bigEndian ? k + 1 : 4 - k;
          const wantR = [...mem0];
          for (let i = 0; i < nr; i++) wantR[a - d * i] = vb[3 - i];
          const s = { bigEndian, data: [{ addr: DATA_BASE, bytes: mem0 }] };
          const ml = exec([`swl $t1, ${a}($t0)`], { [T0]: DATA_BASE, [T1]: V }, s).m;
          expect(Array.from(ml.mem.readBytes(DATA_BASE, 8)!).map(hex)).toEqual(wantL.map(hex));
          const mr = exec([`swr $t1, ${a}($t0)`], { [T0]: DATA_BASE, [T1]: V }, s).m;
          expect(Array.from(mr.mem.readBytes(DATA_BASE, 8)!).map(hex)).toEqual(wantR.map(hex));
        });
      }
      it(`lwl+lwr / swl+swr pairs move unaligned words (${E})`, () => {
        const src = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((x) => 0x40 + x);
        for (let a = 0; a < 8; a++) {
          // GNU as's `ulw`: lwl at the word's first byte and lwr at its last (big-endian), or
          // the other way round (little-endian).
          const [l, rr] = bigEndian ? [a, a + 3] : [a + 3, a];
          const { r } = exec([`lwl $t2, ${l}($t0)`, `lwr $t2, ${rr}($t0)`], { [T0]: DATA_BASE }, { bigEndian, data: [{ addr: DATA_BASE, bytes: src }] });
          expect(hex(r[T2])).toBe(hex(word(src, a)));
          const { m } = exec([`swl $t1, ${l}($t0)`, `swr $t1, ${rr}($t0)`], { [T0]: DATA_BASE, [T1]: 0x0a0b0c0d }, { bigEndian });
          const got = Array.from(m.mem.readBytes(DATA_BASE + a, 4)!);
          expect(got).toEqual(bigEndian ? [0x0a, 0x0b, 0x0c, 0x0d] : [0x0d, 0x0c, 0x0b, 0x0a]);
        }
      });
    }
  });

  describe('address errors and bus errors', () => {
    const cases: [string, ExcCode, number[]][] = [
      ['lw', ExcCode.AdEL, [1, 2, 3]], ['sw', ExcCode.AdES, [1, 2, 3]], ['ll', ExcCode.AdEL, [1, 2, 3]],
      ['lh', ExcCode.AdEL, [1, 3]], ['lhu', ExcCode.AdEL, [1, 3]], ['sh', ExcCode.AdES, [1, 3]],
    ];
    for (const [op, code, offsets] of cases) {
      it(`misaligned ${op} raises ${ExcCode[code]} with BadVAddr, state unchanged`, () => {
        for (const o of offsets) {
          const m = makeMachine([cover('addiu $t3, $0, 1'), `${op} $t2, ${o}($t0)`, 'addiu $t3, $0, 2', 'syscall'], { regs: { [T0]: DATA_BASE, [T2]: 0x77 } });
          m.mem.write32(DATA_BASE, 0x01020304);
          const result = run(kind, m);
          expect(result.kind).toBe('fault');
          expect(result.insns).toBe(1);
          expect(m.fault!.exception.code).toBe(code);
          expect(m.fault!.exception.badVAddr).toBe(DATA_BASE + o);
          expect(m.fault!.pc).toBe(TEXT_BASE + 4);
          expect(m.fault!.inDelaySlot).toBe(false);
          expect(m.cpu.pc).toBe(TEXT_BASE + 4);
          expect(m.cpu.r[T2]).toBe(0x77);
          expect(m.cpu.r[11]).toBe(1);
          expect(m.mem.read32(DATA_BASE)).toBe(0x01020304);
        }
      });
    }
    it('sc without the link bit still checks alignment', () => {
      const { m } = exec(['sc $t2, 2($t0)'], { [T0]: DATA_BASE });
      expect(m.fault!.exception.code).toBe(ExcCode.AdES);
    });
    it('byte and unaligned-word accesses never raise address errors', () => {
      const { result } = exec(['lb $t2, 3($t0)', 'sb $t2, 1($t0)', 'lwl $t2, 1($t0)', 'lwr $t2, 2($t0)', 'swl $t2, 3($t0)', 'swr $t2, 1($t0)'], { [T0]: DATA_BASE });
      expect(result.kind).toBe('exit');
    });
    for (const op of ['lw', 'lb', 'sw', 'sb', 'lwl', 'swr']) {
      it(`${op} from unmapped memory is a bus error (DBE)`, () => {
        const { m, result } = exec(['nop', `${op} $t2, 8($t0)`], { [T0]: 0x20000000, [T2]: 5 });
        expect(result.kind).toBe('fault');
        expect(m.fault!.exception.code).toBe(ExcCode.DBE);
        expect(m.fault!.pc).toBe(TEXT_BASE + 4);
        expect(u32(m.fault!.exception.badVAddr!) & ~3).toBe(0x20000008);
        expect(m.cpu.r[T2]).toBe(5);
      });
    }
    it('jumping to unmapped memory is an instruction bus error (IBE) at the target', () => {
      const { m, result } = exec(['jr $t0', 'nop'], { [T0]: 0x30000000 });
      expect(result.kind).toBe('fault');
      expect(m.fault!.exception.code).toBe(ExcCode.IBE);
      expect(m.fault!.pc).toBe(0x30000000);
      expect(m.cpu.pc).toBe(0x30000000);
      expect(result.insns).toBe(2);
    });
    it('jumping to a misaligned address is AdEL on fetch', () => {
      const { m } = exec(['jr $t0', 'nop'], { [T0]: TEXT_BASE + 2 });
      expect(m.fault!.exception.code).toBe(ExcCode.AdEL);
      expect(m.fault!.exception.badVAddr).toBe(TEXT_BASE + 2);
      expect(m.fault!.pc).toBe(TEXT_BASE + 2);
    });
  });

  describe('overflow traps', () => {
    const cases: [string, Record<number, number>][] = [
      ['add $t2, $t0, $t1', { [T0]: 0x7fffffff, [T1]: 1 }],
      ['add $t2, $t0, $t1', { [T0]: -0x80000000, [T1]: -1 }],
      ['addi $t2, $t0, 1', { [T0]: 0x7fffffff }],
      ['addi $t2, $t0, -0x8000', { [T0]: -0x7fffffff }],
      ['sub $t2, $t0, $t1', { [T0]: -0x80000000, [T1]: 1 }],
      ['sub $t2, $t0, $t1', { [T0]: 0x7fffffff, [T1]: -1 }],
      ['sub $t2, $t0, $t1', { [T0]: 0, [T1]: -0x80000000 }],
    ];
    for (const [line, regs] of cases) {
      it(`${line} with ${JSON.stringify(regs)} traps precisely`, () => {
        const m = makeMachine(['addiu $t3, $0, 3', 'addiu $t4, $0, 4', cover(line), 'addiu $t5, $0, 5', 'syscall'], { regs: { ...regs, [T2]: 0x1234 } });
        const before = { ...snapshot(m) };
        const result = run(kind, m);
        expect(result.kind).toBe('fault');
        expect(result.insns).toBe(2);
        expect(m.fault!.exception.code).toBe(ExcCode.Ov);
        expect(m.fault!.pc).toBe(TEXT_BASE + 8);
        expect(m.cpu.pc).toBe(TEXT_BASE + 8);
        expect(m.cpu.npc).toBe(TEXT_BASE + 12);
        const want = [...before.r];
        want[11] = 3; want[12] = 4;
        expect(Array.from(m.cpu.r)).toEqual(want);
      });
    }
    it('addu/addiu/subu wrap silently', () => {
      const { r, result } = exec(['addu $t2, $t0, $t1', 'addiu $t3, $t0, 1', 'subu $t4, $t1, $t0'], { [T0]: 0x7fffffff, [T1]: 1 });
      expect(result.kind).toBe('exit');
      expect([r[T2], r[11], r[12]]).toEqual([-0x80000000, -0x80000000, -0x7ffffffe]);
    });
    it('add with $zero destination still traps', () => {
      const { m } = exec(['add $0, $t0, $t0'], { [T0]: 0x40000000 });
      expect(m.fault!.exception.code).toBe(ExcCode.Ov);
    });
  });

  describe('traps, break, reserved instructions', () => {
    type T = [string, number, number, boolean];
    const traps: T[] = [
      ['teq $t0, $t1', 5, 5, true], ['teq $t0, $t1', 5, 6, false],
      ['tne $t0, $t1', 5, 6, true], ['tne $t0, $t1', 5, 5, false],
      ['tge $t0, $t1', -1, -1, true], ['tge $t0, $t1', -1, 1, false],
      ['tgeu $t0, $t1', -1, 1, true], ['tgeu $t0, $t1', 1, -1, false],
      ['tlt $t0, $t1', -1, 1, true], ['tlt $t0, $t1', 1, -1, false],
      ['tltu $t0, $t1', 1, -1, true], ['tltu $t0, $t1', -1, 1, false],
      ['teqi $t0, -3', -3, 0, true], ['teqi $t0, -3', 3, 0, false],
      ['tnei $t0, 7', 6, 0, true], ['tnei $t0, 7', 7, 0, false],
      ['tgei $t0, -1', -1, 0, true], ['tgei $t0, -1', -2, 0, false],
      ['tgeiu $t0, -1', -1, 0, true], ['tgeiu $t0, -1', 0x7fffffff, 0, false], // imm sign-extended, compared unsigned
      ['tlti $t0, 0', -1, 0, true], ['tlti $t0, 0', 0, 0, false],
      ['tltiu $t0, -1', 0x7fffffff, 0, true], ['tltiu $t0, 2', -1, 0, false],
      ['teq $t0, $t1, 0x3ff', 1, 1, true],
    ];
    for (const [line, a, b, taken] of traps) {
      it(`${line} with ${a}, ${b}: ${taken ? 'traps' : 'falls through'}`, () => {
        const { m, result } = exec(['nop', line], { [T0]: a, [T1]: b });
        if (taken) {
          expect(result.kind).toBe('fault');
          expect(m.fault!.exception.code).toBe(ExcCode.Tr);
          expect(m.fault!.pc).toBe(TEXT_BASE + 4);
          expect(result.insns).toBe(1);
        } else {
          expect(result.kind).toBe('exit');
          expect(result.insns).toBe(3);
        }
      });
    }
    it('syscall calls the environment with pc past it, an exact instruction count, and continues', () => {
      const seen: number[][] = [];
      const env = {
        name: 'recorder',
        syscall(mm: import('../src/machine/machine.js').Machine) {
          seen.push([mm.cpu.pc - TEXT_BASE, mm.cpu.r[2], mm.insnCount]);
          mm.cpu.r[2] = 77;
          if (seen.length === 2) throw new StopRun('exit', 3);
        },
      };
      const m = makeMachine(['addiu $v0, $0, 5', cover('syscall'), 'addu $v1, $v0, $0', 'nop', 'syscall'], { env });
      const result = run(kind, m);
      // the count seen by the environment excludes the syscall itself
      expect(seen).toEqual([[8, 5, 1], [20, 77, 4]]);
      expect(m.cpu.r[3]).toBe(77);
      expect(result.kind).toBe('exit');
      expect(result.exitCode).toBe(3);
      expect(result.insns).toBe(5);
    });
    it('the instruction count seen by syscalls and rdhwr $2 is exact deep into a run', () => {
      // 3 * 100000 loop instructions, then rdhwr $2 (CC) and a syscall
      const seen: number[] = [];
      const env = { name: 'rec', syscall(mm: import('../src/machine/machine.js').Machine) { seen.push(mm.insnCount); throw new StopRun('exit', 0); } };
      const m = makeMachine(['addiu $t0, $t0, 1', 'bne $t0, $t1, -2', 'nop', cover('rdhwr $t2, $2'), 'syscall'], { env, regs: { [T1]: 100000 } });
      const result = run(kind, m);
      expect(m.cpu.r[T2]).toBe(300000);
      expect(seen).toEqual([300001]);
      expect(result.insns).toBe(300002);
    });
    it('an exception raised by the environment is precise at the syscall', () => {
      const env = { name: 'bad', syscall() { throw new GuestException(ExcCode.Sys, undefined, 'unknown syscall'); } };
      const m = makeMachine(['nop', 'syscall', 'nop'], { env });
      const result = run(kind, m);
      expect(result.kind).toBe('fault');
      expect(m.fault!.pc).toBe(TEXT_BASE + 4);
      expect(m.cpu.pc).toBe(TEXT_BASE + 4);
      expect(result.insns).toBe(1);
    });
    it('break raises Bp at its own pc', () => {
      const { m, result } = exec(['nop', 'nop', 'break']);
      expect(result.kind).toBe('fault');
      expect(m.fault!.exception.code).toBe(ExcCode.Bp);
      expect(m.fault!.pc).toBe(TEXT_BASE + 8);
      expect(m.cpu.pc).toBe(TEXT_BASE + 8);
    });
    it('break with a code and sdbbp', () => {
      expect(exec(['break 7']).m.fault!.exception.code).toBe(ExcCode.Bp);
      expect(exec(['sdbbp']).m.fault!.exception.code).toBe(ExcCode.Bp);
    });
    for (const w of [0xfc000000, 0x7c00003f, 0x0000003f, 0x04040000, 0x70000003]) {
      it(`reserved instruction word ${hex(w)} raises RI with a precise pc`, () => {
        const m = makeMachine(['addiu $2, $0, 1', w, 'addiu $2, $0, 2', 'syscall']);
        const result = run(kind, m);
        expect(result.kind).toBe('fault');
        expect(m.fault!.exception.code).toBe(ExcCode.RI);
        expect(m.fault!.pc).toBe(TEXT_BASE + 4);
        expect(m.cpu.pc).toBe(TEXT_BASE + 4);
        expect(m.cpu.r[2]).toBe(1);
        expect(result.insns).toBe(1);
      });
    }
    it('no-op instructions: sync, pref, cache, synci, ssnop, ehb, pause', () => {
      const { result, r } = exec(['sync', 'sync 4', 'pref 0, 0($t0)', 'cache 0, 0($t0)', 'synci 0($t0)', 'ssnop', 'ehb', 'pause', 'addiu $2, $0, 9'], { [T0]: DATA_BASE });
      expect(result.kind).toBe('exit');
      expect(result.insns).toBe(10);
      expect(r[2]).toBe(9);
    });
  });

  describe('branches and delay slots', () => {
    // Each branch skips over one "poison" instruction (addiu $v1, 1) when taken.
    type B = [string, Record<number, number>, boolean];
    const branches: B[] = [
      ['beq $t0, $t1, 3', { [T0]: 1, [T1]: 1 }, true], ['beq $t0, $t1, 3', { [T0]: 1, [T1]: 2 }, false],
      ['bne $t0, $t1, 3', { [T0]: 1, [T1]: 2 }, true], ['bne $t0, $t1, 3', { [T0]: 1, [T1]: 1 }, false],
      ['blez $t0, 3', { [T0]: 0 }, true], ['blez $t0, 3', { [T0]: -5 }, true], ['blez $t0, 3', { [T0]: 1 }, false],
      ['bgtz $t0, 3', { [T0]: 1 }, true], ['bgtz $t0, 3', { [T0]: 0 }, false], ['bgtz $t0, 3', { [T0]: -0x80000000 }, false],
      ['bltz $t0, 3', { [T0]: -1 }, true], ['bltz $t0, 3', { [T0]: 0 }, false],
      ['bgez $t0, 3', { [T0]: 0 }, true], ['bgez $t0, 3', { [T0]: -1 }, false],
      ['b 3', {}, true], ['beqz $t0, 3', { [T0]: 0 }, true], ['bnez $t0, 3', { [T0]: 0 }, false],
    ];
    const likely: B[] = [
      ['beql $t0, $t1, 3', { [T0]: 1, [T1]: 1 }, true], ['beql $t0, $t1, 3', { [T0]: 1, [T1]: 2 }, false],
      ['bnel $t0, $t1, 3', { [T0]: 1, [T1]: 2 }, true], ['bnel $t0, $t1, 3', { [T0]: 1, [T1]: 1 }, false],
      ['blezl $t0, 3', { [T0]: 0 }, true], ['blezl $t0, 3', { [T0]: 1 }, false],
      ['bgtzl $t0, 3', { [T0]: 1 }, true], ['bgtzl $t0, 3', { [T0]: 0 }, false],
      ['bltzl $t0, 3', { [T0]: -1 }, true], ['bltzl $t0, 3', { [T0]: 0 }, false],
      ['bgezl $t0, 3', { [T0]: 0 }, true], ['bgezl $t0, 3', { [T0]: -1 }, false],
    ];
    const prog = (br: string) => [br, 'addiu $v0, $v0, 1' /* slot */, 'addiu $v1, $v1, 1', 'addiu $v1, $v1, 0x10', 'addiu $a1, $a1, 1'];
    for (const [br, regs, taken] of [...branches, ...likely]) {
      const isLikely = likely.some((l) => l[0] === br);
      it(`${br} ${JSON.stringify(regs)} with delay slots: ${taken ? 'taken' : 'not taken'}`, () => {
        const { r, result } = exec(prog(br), regs);
        const slotRan = taken || !isLikely;
        expect(r[2], 'delay slot').toBe(slotRan ? 1 : 0);
        expect(r[3], 'skipped instructions').toBe(taken ? 0 : 0x11);
        expect(r[5]).toBe(1);
        // branch + slot (unless annulled) + skipped ones + a1 + syscall
        expect(result.insns).toBe(1 + (slotRan ? 1 : 0) + (taken ? 0 : 2) + 1 + 1);
      });
      it(`${br} ${JSON.stringify(regs)} without delay slots: ${taken ? 'taken' : 'not taken'}`, () => {
        // Without delay slots the target is relative to the branch's successor all the same,
        // and the following instruction is simply not executed when the branch is taken.
        const { r } = exec(prog(br), regs, { delaySlots: false });
        expect(r[2]).toBe(taken ? 0 : 1);
        expect(r[3]).toBe(taken ? 0 : 0x11);
        expect(r[5]).toBe(1);
      });
    }

    const links: [string, Record<number, number>, boolean, number][] = [
      ['jal 0x400010', {}, true, 31],
      ['bal 2', {}, true, 31],
      ['bgezal $t0, 2', { [T0]: 0 }, true, 31],
      ['bgezal $t0, 2', { [T0]: -1 }, false, 31],
      ['bltzal $t0, 2', { [T0]: -1 }, true, 31],
      ['bltzal $t0, 2', { [T0]: 1 }, false, 31],
      ['bgezall $t0, 2', { [T0]: 1 }, true, 31],
      ['bltzall $t0, 2', { [T0]: 1 }, false, 31],
      ['jalr $t1', { [T1]: TEXT_BASE + 16 }, true, 31],
      ['jalr $t2, $t1', { [T1]: TEXT_BASE + 16 }, true, T2],
      ['jalr.hb $t1', { [T1]: TEXT_BASE + 16 }, true, 31],
    ];
    for (const [br, regs, taken, linkReg] of links) {
      for (const ds of [true, false]) {
        it(`${br} links ${ds ? 'pc+8 with' : 'pc+4 without'} delay slots (${taken ? 'taken' : 'not taken'})`, () => {
          // layout: nop; BR; slot; poison; target: syscall
          const { r, result } = exec(['nop', br, 'addiu $v0, $v0, 1', 'addiu $v1, $v1, 1'], regs, { delaySlots: ds });
          expect(result.kind).toBe('exit');
          expect(u32(r[linkReg])).toBe(TEXT_BASE + 4 + (ds ? 8 : 4));
          const likelyNotTaken = br.includes('all ') && !taken;
          expect(r[2]).toBe(ds ? (likelyNotTaken ? 0 : 1) : taken ? 0 : 1);
          expect(r[3]).toBe(taken ? 0 : 1);
        });
      }
    }

    it('a jump in the delay slot of a taken jump links but does not jump: the outer target wins (SPIM)', () => {
      const { r, result } = exec([
        'jal 0x40000c', 'jal 0x400014', 'addiu $v1, $0, 1',
        /* 0x0c */ 'addiu $a0, $0, 1', /* 0x10 */ 'addiu $a1, $0, 1', /* 0x14 */ 'addiu $a2, $0, 1',
      ], { 31: 0 });
      expect(result.kind).toBe('exit');
      expect([r[3], r[4], r[5], r[6]]).toEqual([0, 1, 1, 1]);
      expect(r[31]).not.toBe(0); // the slot's jal still wrote $ra
    });
    it('jalr with rd == rs jumps to the old value', () => {
      const { r, result } = exec(['jalr $t1, $t1', 'nop', 'addiu $v1, $0, 1', 'addiu $v1, $0, 2'], { [T1]: TEXT_BASE + 16 });
      expect(result.kind).toBe('exit');
      expect(r[3]).toBe(0);
      expect(u32(r[T1])).toBe(TEXT_BASE + 8);
    });
    it('bltzal $ra tests $ra before linking', () => {
      const { r } = exec(['bltzal $ra, 2', 'nop', 'addiu $v1, $0, 1', 'nop'], { 31: -4 });
      expect(r[3]).toBe(0);
    });
    it('jr, jr.hb, j and backward branches', () => {
      const { r, result } = exec([
        'j 0x400010', 'addiu $a0, $0, 1', 'addiu $v1, $0, 1', 'addiu $v1, $0, 2',
        /* 0x10 */ 'jr $t0', 'addiu $a1, $0, 1', 'addiu $v1, $0, 3', 'addiu $v1, $0, 4',
        /* 0x20 */ 'jr.hb $t1', 'nop', 'addiu $v1, $0, 5',
        /* 0x2c */ 'addiu $a2, $a2, 1', 'bne $a2, $t2, -2', 'nop',
      ], { [T0]: TEXT_BASE + 0x20, [T1]: TEXT_BASE + 0x2c, [T2]: 3 });
      expect(result.kind).toBe('exit');
      expect([r[3], r[4], r[5], r[6]]).toEqual([0, 1, 1, 3]);
    });
    it('j keeps the top 4 bits of the delay slot address', () => {
      const m = makeMachine(['nop', cover('j 0x100'), 'nop'], { base: 0x0ffffff8 });
      m.mem.map(0x10000100, 4, 'text');
      m.mem.write32(0x10000100, asm('syscall'));
      const result = run(kind, m);
      expect(result.kind).toBe('exit');
      expect(result.insns).toBe(4);
    });
    it('a taken branch in the last delay slot of a loop, counted exactly', () => {
      // for (i = 0; i < 10; i++) s += i;  with the add in the delay slot
      const { r, result } = exec(['addiu $t0, $0, 0', 'addiu $t1, $0, 10', 'addiu $t0, $t0, 1', 'bne $t0, $t1, -2', 'addu $t2, $t2, $t0'], { [T2]: 0 });
      expect(r[T2]).toBe(55);
      expect(result.insns).toBe(2 + 10 * 3 + 1);
    });

    it('an exception in a delay slot reports inDelaySlot and the slot pc', () => {
      const { m, result } = exec(['nop', 'beq $0, $0, 4', 'lw $t2, 1($t0)', 'nop'], { [T0]: DATA_BASE });
      expect(result.kind).toBe('fault');
      expect(m.fault!.exception.code).toBe(ExcCode.AdEL);
      expect(m.fault!.inDelaySlot).toBe(true);
      expect(m.fault!.pc).toBe(TEXT_BASE + 8);
      expect(m.cpu.pc).toBe(TEXT_BASE + 8);
      expect(m.cpu.npc).toBe(TEXT_BASE + 8 + 16);
    });
    it('a not-taken branch still executes its slot as a delay slot', () => {
      const { m } = exec(['bne $0, $0, 4', 'break']);
      expect(m.fault!.inDelaySlot).toBe(true);
      expect(m.cpu.npc).toBe(TEXT_BASE + 8);
    });
    it('an exception after a branch is not in a delay slot without delay slots', () => {
      const { m } = exec(['bne $0, $0, 4', 'break'], {}, { delaySlots: false });
      expect(m.fault!.inDelaySlot).toBe(false);
    });
    it('an exception at a branch target is not in a delay slot', () => {
      const { m } = exec(['b 2', 'nop', 'nop', 'break']);
      expect(m.fault!.inDelaySlot).toBe(false);
      expect(m.fault!.pc).toBe(TEXT_BASE + 12);
    });
    it('a delay-slot fault is reported as such even when the run resumes between branch and slot', () => {
      const m = makeMachine(['nop', 'jal 0x400010', 'break', 'nop', 'nop', 'syscall']);
      const first = run(kind, m, { maxInsns: 2 });
      expect(first.kind).toBe('insn-limit');
      expect(m.cpu.pc).toBe(TEXT_BASE + 8);
      const second = run(kind, m);
      expect(second.kind).toBe('fault');
      expect(m.fault!.pc).toBe(TEXT_BASE + 8);
      expect(m.fault!.inDelaySlot).toBe(true);
    });
  });

  describe('instruction counting and limits', () => {
    const loop = ['addiu $v0, $v0, 1', 'b -2', 'nop']; // 3 instructions per iteration, forever
    for (const n of [1, 2, 3, 1000, 1001, 262143, 262144, 262145, 600_001]) {
      it(`maxInsns ${n} stops after exactly ${n} instructions`, () => {
        const m = makeMachine(loop);
        const result = run(kind, m, { maxInsns: n });
        expect(result.kind).toBe('insn-limit');
        expect(result.insns).toBe(n);
        expect(m.insnCount).toBe(n);
        expect(m.cpu.r[2]).toBe(Math.ceil(n / 3));
        expect(m.cpu.pc).toBe(TEXT_BASE + 4 * (n % 3));
      });
    }
    it('a limit larger than the program does not matter', () => {
      const { result } = runCode(kind, ['nop', 'nop', 'syscall'], {}, { maxInsns: 3 });
      expect(result.kind).toBe('exit');
      expect(result.insns).toBe(3);
    });
    it('a run can be resumed after the limit and counts continue', () => {
      const m = makeMachine(loop);
      run(kind, m, { maxInsns: 500 });
      const result = run(kind, m, { maxInsns: 1500 });
      expect(result.insns).toBe(1500);
      expect(m.cpu.r[2]).toBe(500);
    });
    it('timeout stops an infinite loop', () => {
      const m = makeMachine(loop);
      const result = run(kind, m, { timeoutMs: 50 });
      expect(result.kind).toBe('timeout');
      expect(result.insns).toBeGreaterThan(0);
    });
  });
});

describe('coverage of the instruction table', () => {
  it('every integer (non-CP0, non-CP1) instruction was exercised above', () => {
    const want = mips32Table().insns
      .filter((d) => !d.flags.has('cp0') && !(d.flags.has('cp1') && !['movf', 'movt'].includes(d.name)))
      .map((d) => d.name);
    const missing = want.filter((n) => !covered.has(n) && !coveredAliases(n));
    expect(missing).toEqual([]);
  });
});

/** Aliases used above count for their base instruction. */
function coveredAliases(base: string): boolean {
  return mips32Table().aliases.some((a) => a.base.name === base && covered.has(a.name));
}

// keep enc referenced for readers looking for the field-level encoder
void enc;
