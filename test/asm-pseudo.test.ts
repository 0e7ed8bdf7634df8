// Pseudo-instructions: each expansion is run under the interpreter over edge-case values and
// compared with the intended semantics; sizes of the shortest expansions are checked too.
import { describe, expect, it } from 'vitest';
import { ok, run, symbol, wordsOfLine } from './fixtures/asm/helpers.js';

const VALUES = [0, 1, -1, 2, 7, -7, 100, 32767, 32768, -32768, -32769, 65535, 65536, 0x7fffffff, -0x80000000, 0x12345678, -0x12345679];
const u = (x: number) => x >>> 0;
const i32 = (x: number) => x | 0;

/** Runs `body(a, b)` for all pairs; each body leaves its results in the listed registers. */
function table(pairs: [number, number][], body: (a: number, b: number) => string, regs: string[]): number[][] {
  const lines = ['.data', `res: .space ${pairs.length * regs.length * 4}`, '.text', 'main: la $s7, res'];
  for (const [a, b] of pairs) {
    lines.push(body(a, b));
    regs.forEach((r, k) => lines.push(`  sw ${r}, ${k * 4}($s7)`));
    lines.push(`  addiu $s7, $s7, ${regs.length * 4}`);
  }
  lines.push('  li $v0, 10', '  syscall');
  const r = run(lines.join('\n') + '\n', { maxInsns: 10_000_000 });
  expect(r.result.kind, r.report).toBe('exit');
  const base = symbol(ok(lines.join('\n') + '\n'), 'res');
  return pairs.map((_, i) => regs.map((__, k) => r.m.mem.read32(base + (i * regs.length + k) * 4)));
}

const allPairs: [number, number][] = VALUES.flatMap((a) => VALUES.map((b) => [a, b] as [number, number]));

describe('set-on-condition pseudo-instructions (register and immediate forms)', () => {
  const ops: Record<string, (a: number, b: number) => boolean> = {
    seq: (a, b) => a === b, sne: (a, b) => a !== b,
    sgt: (a, b) => a > b, sgtu: (a, b) => u(a) > u(b),
    sge: (a, b) => a >= b, sgeu: (a, b) => u(a) >= u(b),
    sle: (a, b) => a <= b, sleu: (a, b) => u(a) <= u(b),
    slt: (a, b) => a < b, sltu: (a, b) => u(a) < u(b),
  };
  for (const [op, f] of Object.entries(ops)) {
    it(op, () => {
      const got = table(allPairs, (a, b) => `  li $t1, ${a}\n  li $t2, ${b}\n  ${op} $t0, $t1, $t2\n  ${op} $t3, $t1, ${b}\n  ${op} $t4, $t1, $t1`, ['$t0', '$t3', '$t4']);
      allPairs.forEach(([a, b], i) => {
        const want = f(a, b) ? 1 : 0;
        expect(got[i], `${op} ${a}, ${b}`).toEqual([want, want, f(a, a) ? 1 : 0]);
      });
    });
  }
});

describe('branch pseudo-instructions (register, immediate, zero, likely)', () => {
  const ops: Record<string, (a: number, b: number) => boolean> = {
    blt: (a, b) => a < b, ble: (a, b) => a <= b, bgt: (a, b) => a > b, bge: (a, b) => a >= b,
    bltu: (a, b) => u(a) < u(b), bleu: (a, b) => u(a) <= u(b), bgtu: (a, b) => u(a) > u(b), bgeu: (a, b) => u(a) >= u(b),
    beq: (a, b) => a === b, bne: (a, b) => a !== b,
  };
  let n = 0;
  const br = (op: string, x: string, y: string) => {
    const l = `L${n++}`;
    return `  li $t0, 0\n  ${op} ${x}, ${y}, ${l}\n  b ${l}x\n${l}: li $t0, 1\n${l}x:`;
  };
  for (const [op, f] of Object.entries(ops)) {
    const forms = op === 'beq' || op === 'bne' ? [op] : [op, op + 'l'];
    for (const name of forms) {
      it(name, () => {
        const got = table(allPairs, (a, b) => [
          `  li $t1, ${a}\n  li $t2, ${b}`,
          br(name, '$t1', '$t2'), '  move $t3, $t0',
          br(name, '$t1', String(b)), '  move $t4, $t0',
          br(name, '$t1', '$zero'), '  move $t5, $t0',
          br(name, '$zero', '$t1'), '  move $t6, $t0',
        ].join('\n'), ['$t3', '$t4', '$t5', '$t6']);
        allPairs.forEach(([a, b], i) => {
          expect(got[i], `${name} ${a}, ${b}`).toEqual([f(a, b), f(a, b), f(a, 0), f(0, a)].map(Number));
        });
      });
    }
  }

  it('uses the single compare-with-zero branches when one operand is $zero or 0', () => {
    const p = ok('main: blt $t0, $zero, main\n bge $t0, 0, main\n bgt $zero, $t1, main\n blt $t0, $t1, main\n');
    expect([1, 2, 3, 4].map((l) => wordsOfLine(p, l))).toEqual([1, 1, 1, 2]);
  });
});

describe('arithmetic and logical pseudo-instructions', () => {
  const cases: Record<string, { f: (a: number, b: number) => number; pairs?: [number, number][] }> = {
    addu: { f: (a, b) => i32(a + b) },
    subu: { f: (a, b) => i32(a - b) },
    and: { f: (a, b) => a & b },
    or: { f: (a, b) => a | b },
    xor: { f: (a, b) => a ^ b },
    nor: { f: (a, b) => ~(a | b) },
    mul: { f: (a, b) => Math.imul(a, b) },
    mulu: { f: (a, b) => Math.imul(a, b) },
    add: { f: (a, b) => a + b, pairs: [[1, 2], [-5, 3], [100, -32768], [70000, 12345678], [-70000, -1]] },
    sub: { f: (a, b) => a - b, pairs: [[1, 2], [-5, 3], [100, -32767], [70000, 12345678], [0, 32768]] },
    div: { f: (a, b) => i32(a / b), pairs: allPairs.filter(([a, b]) => b !== 0 && !(a === -0x80000000 && b === -1)) },
    rem: { f: (a, b) => i32(a % b), pairs: allPairs.filter(([a, b]) => b !== 0 && !(a === -0x80000000 && b === -1)) },
    divu: { f: (a, b) => i32(Math.floor(u(a) / u(b))), pairs: allPairs.filter(([, b]) => b !== 0) },
    remu: { f: (a, b) => i32(u(a) % u(b)), pairs: allPairs.filter(([, b]) => b !== 0) },
    rol: { f: (a, b) => i32((a << (b & 31)) | (a >>> ((32 - (b & 31)) & 31) & (b & 31 ? -1 : 0))) },
    ror: { f: (a, b) => i32((a >>> (b & 31)) | ((a << ((32 - (b & 31)) & 31)) & (b & 31 ? -1 : 0))) },
  };
  for (const [op, { f, pairs }] of Object.entries(cases)) {
    it(op, () => {
      const ps = pairs ?? allPairs;
      const rot = op === 'rol' || op === 'ror';
      const got = table(ps, (a, b) => `  li $t1, ${a}\n  li $t2, ${b}\n  ${op} $t0, $t1, $t2\n  ${op} $t3, $t1, ${rot ? b & 31 : b}`, ['$t0', '$t3']);
      ps.forEach(([a, b], i) => expect(got[i].map(i32), `${op} ${a}, ${b}`).toEqual([i32(f(a, b)), i32(f(a, b))]));
    });
  }

  it('immediate forms of the I-type instructions take any 32-bit value', () => {
    const ps = allPairs.slice(0, 120);
    const got = table(ps, (a, b) => `  li $t1, ${a}\n  addiu $t0, $t1, ${b}\n  andi $t2, $t1, ${b}\n  ori $t3, $t1, ${b}\n  xori $t4, $t1, ${b}\n  slti $t5, $t1, ${b}\n  sltiu $t6, $t1, ${b}\n  subiu $t7, $t1, ${b}`,
      ['$t0', '$t2', '$t3', '$t4', '$t5', '$t6', '$t7']);
    ps.forEach(([a, b], i) => expect(got[i].map(i32), `${a} ${b}`).toEqual([i32(a + b), a & b, a | b, a ^ b, a < b ? 1 : 0, u(a) < u(b) ? 1 : 0, i32(a - b)]));
  });

  it('abs, neg, negu, not, move, and two-operand shorthands', () => {
    const vs = VALUES.filter((v) => v !== -0x80000000).map((v) => [v, 0] as [number, number]);
    const got = table(vs, (a) => `  li $t1, ${a}\n  abs $t0, $t1\n  neg $t2, $t1\n  negu $t3, $t1\n  not $t4, $t1\n  move $t5, $t1\n  move $t6, $t1\n  addu $t6, $t1\n  sll $t7, $t1, 3\n  move $t8, $t1\n  sll $t8, 3`,
      ['$t0', '$t2', '$t3', '$t4', '$t5', '$t6', '$t7', '$t8']);
    vs.forEach(([a], i) => expect(got[i].map(i32)).toEqual([Math.abs(a), -a, -a, ~a, a, i32(2 * a), i32(a << 3), i32(a << 3)].map(i32)));
  });

  it('mulo/mulou give the product, and break on overflow', () => {
    const signed = table([[3, 4], [-3, 4], [-65536, 32768], [65536, 32767]], (a, b) => `  li $t1, ${a}\n  li $t2, ${b}\n  mulo $t0, $t1, $t2\n  mulo $t3, $t1, ${b}`, ['$t0', '$t3']);
    expect(signed.map((r) => r.map(i32))).toEqual([[12, 12], [-12, -12], [-0x80000000, -0x80000000], [65536 * 32767, 65536 * 32767]]);
    const unsigned = table([[3, 4], [65535, 65537], [0x10000, 0xffff]], (a, b) => `  li $t1, ${a}\n  li $t2, ${b}\n  mulou $t0, $t1, $t2\n  mulou $t3, $t1, ${b}`, ['$t0', '$t3']);
    expect(unsigned.map((r) => r.map(u))).toEqual([[12, 12], [0xffffffff, 0xffffffff], [0xffff0000, 0xffff0000]]);
    const r = run('main: li $t1, 0x10000\n mulo $t0, $t1, $t1\n li $v0, 10\n syscall\n');
    expect(r.result.kind).toBe('fault');
    expect(r.report).toMatch(/prog.s:2: break instruction executed \(mulo \$t0, \$t1, \$t1\)/);
  });

  it('div by a zero register breaks like SPIM and MARS; by a zero constant is an error', () => {
    const r = run('main: li $t1, 5\n div $t0, $t1, $zero\n li $v0, 10\n syscall\n');
    expect(r.report).toMatch(/break instruction executed/);
    expect(() => ok('main: div $t0, $t1, 0\n')).toThrow(/division by zero/);
    // two operands: the hardware instruction (no check)
    expect(wordsOfLine(ok('main: div $t1, $t2\n'), 1)).toBe(1);
  });

  it('li uses the shortest sequence', () => {
    const p = ok('main: li $t0, 5\n li $t0, -5\n li $t0, 0xffff\n li $t0, 0x10000\n li $t0, 0x12345678\n li $t0, main\n');
    expect([1, 2, 3, 4, 5, 6].map((l) => wordsOfLine(p, l))).toEqual([1, 1, 1, 1, 2, 2]);
    const got = table(VALUES.map((v) => [v, 0] as [number, number]), (a) => `  li $t0, ${a}`, ['$t0']);
    VALUES.forEach((v, i) => expect(i32(got[i][0])).toBe(v));
  });
});

describe('loads and stores', () => {
  it('lw/sw/lb/sh with labels, label+offset, label(base) and big offsets', () => {
    const r = run(`.data
pad: .word 0
arr: .word 10, 20, 30, 40
.text
main: lw $t0, arr
  lw $t1, arr+8
  li $t9, 12
  lw $t2, arr($t9)
  lw $t3, arr+4($t9)
  la $s0, arr
  li $t8, 100000
  subu $s1, $s0, $t8
  lw $t4, 100004($s1)
  sw $t4, pad
  lw $t5, pad
  lb $t6, arr+4
  la $t7, arr+8
  lw $t7, ($t7)
  li $v0, 10
  syscall
`);
    expect(['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7'].map(r.reg)).toEqual([10, 30, 40, 0, 20, 20, 20, 30]);
  });

  for (const big of [false, true]) {
    it(`ulw/usw/ulh/ulhu/ush at every alignment (${big ? 'big' : 'little'}-endian)`, () => {
      const lines = ['.data', 'buf: .space 32', 'out: .space 64', '.text', 'main: la $s0, buf', '  la $s1, out'];
      for (let k = 0; k < 8; k++) lines.push(`  li $t0, ${0x11 * (k + 1)}`, `  sb $t0, ${k}($s0)`);
      for (let off = 0; off < 4; off++) {
        lines.push(`  ulw $t0, ${off}($s0)`, `  sw $t0, ${off * 16}($s1)`);
        lines.push(`  ulh $t0, ${off}($s0)`, `  sw $t0, ${off * 16 + 4}($s1)`);
        lines.push(`  ulhu $t0, buf+${off}`, `  sw $t0, ${off * 16 + 8}($s1)`);
        lines.push('  li $t1, 0x8899aabb', `  usw $t1, ${off + 16}($s0)`, `  ulw $t2, ${off + 16}($s0)`, '  li $t3, 0xccdd', `  ush $t3, buf+${off + 24}`, `  ulhu $t4, ${off + 24}($s0)`);
        lines.push('  subu $t2, $t2, $t1', '  subu $t4, $t4, $t3', '  or $t2, $t2, $t4', `  sw $t2, ${off * 16 + 12}($s1)`);
      }
      lines.push('  li $v0, 10', '  syscall');
      const r = run(lines.join('\n') + '\n', { bigEndian: big });
      expect(r.result.kind, r.report).toBe('exit');
      const out = symbol(ok(lines.join('\n') + '\n', { bigEndian: big }), 'out');
      for (let off = 0; off < 4; off++) {
        const b = [0, 1, 2, 3].map((k) => 0x11 * (off + k + 1));
        const word = big ? (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3] : (b[3] << 24) | (b[2] << 16) | (b[1] << 8) | b[0];
        const half = big ? (b[0] << 8) | b[1] : (b[1] << 8) | b[0];
        const got = [0, 4, 8, 12].map((k) => r.m.mem.read32(out + off * 16 + k));
        expect(got.map(i32), `offset ${off}`).toEqual([i32(word), (half << 16) >> 16, half, 0]);
      }
    });
  }

  it('ld/sd move register pairs; ulw into its own base register works', () => {
    const r = run('.data\nd: .word 1, 2\ne: .space 8\n.text\nmain: ld $t0, d\n sd $t0, e\n la $t4, e\n ld $t2, 0($t4)\n la $t5, d\n ulw $t5, 1($t5)\n li $v0, 10\n syscall\n');
    expect(['t0', 't1', 't2', 't3'].map(r.reg)).toEqual([1, 2, 1, 2]);
    expect(r.reg('t5')).toBe(0x02000000);
  });

  it('la in all its forms', () => {
    const r = run('.data\nx: .word 0\n.text\nmain: la $t0, x\n li $t9, 4\n la $t1, x($t9)\n la $t2, 8($t9)\n la $t3, 100000($t9)\n la $t4, ($t9)\n la $t5, 12\n li $v0, 10\n syscall\n');
    expect(['t0', 't1', 't2', 't3', 't4', 't5'].map(r.reg)).toEqual([0x10010000, 0x10010004, 12, 100004, 4, 12]);
  });
});

describe('floating-point pseudo-instructions', () => {
  it('li.s, li.d, l.s/s.s, l.d/s.d and mfc1.d/mtc1.d move the right bits', () => {
    const r = run(`.data
f: .float 2.5
d: .double -1.25
g: .space 4
.align 3
e: .space 8
.text
main: li.s $f0, 1.5
  mfc1 $t0, $f0
  li.d $f2, 3.0
  mfc1.d $t2, $f2
  l.s $f4, f
  s.s $f4, g
  lw $t4, g
  l.d $f6, d
  s.d $f6, e
  lw $t5, e+4
  li $t6, 0x40490fdb
  li $t7, 0
  mtc1.d $t6, $f8
  mfc1 $t8, $f8
  li.s $f10, 0.0
  mfc1 $t9, $f10
  li $v0, 10
  syscall
`);
    expect(r.result.kind, r.report).toBe('exit');
    expect(['t0', 't2', 't3', 't4', 't5', 't8', 't9'].map((x) => r.reg(x) >>> 0))
      .toEqual([0x3fc00000, 0, 0x40080000, 0x40200000, 0xbff40000, 0x40490fdb, 0]);
  });
});

describe('$at', () => {
  it('warns when the program uses $at and pseudo-instructions need it', () => {
    const src = 'main: move $t0, $at\n blt $t0, $t1, main\n';
    const r = ok; void r;
    expect(messagesOf(src)).toMatch(/prog.s:1:17: warning: \$at \(\$1\) is used here, but the assembler also uses \$at/);
    expect(messagesOf('.set noat\nmain: move $t0, $at\n.set at\n blt $t0, $t1, main\n')).not.toMatch(/warning/);
    expect(messagesOf('.set noat\nmain: blt $t0, $t1, main\n')).toMatch(/warning: 'blt' is expanded with \$at, but \.set noat is in effect/);
  });
});

import { messages as messagesOf } from './fixtures/asm/helpers.js';
