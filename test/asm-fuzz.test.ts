// Robustness: whatever the input (random bytes, token soup, mutated programs, runaway macros,
// huge files), the assembler ends with a program or with diagnostics, never an exception,
// within a bounded time.
import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asm, type Files } from './fixtures/asm/helpers.js';
import { mips32Table } from '../src/isa/table.js';
import { pseudoNames } from '../src/asm/pseudo.js';
import type { AsmOptions } from '../src/asm/assembler.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Assembles and checks the outcome is well formed and internal errors never happen. */
function survive(src: string | Files, opts: AsmOptions = {}, units?: string[]): { ok: boolean; ms: number } {
  const t0 = performance.now();
  const r = asm(src, opts, units);
  const ms = performance.now() - t0;
  expect(r.program !== null || r.diagnostics.errorCount > 0).toBe(true);
  for (const d of r.diagnostics.list) {
    expect(d.message, typeof src === 'string' ? src.slice(0, 2000) : '').not.toMatch(/internal assembler error/);
  }
  return { ok: r.program !== null, ms };
}

const MNEMONICS = [...new Set([...mips32Table().byName.keys(), ...mips32Table().aliases.map((a) => a.name), ...pseudoNames()])];
const DIRECTIVES = ['.text', '.data', '.ktext', '.kdata', '.word', '.half', '.byte', '.ascii', '.asciiz', '.space', '.align',
  '.float', '.double', '.globl', '.extern', '.set', '.eqv', '.macro', '.end_macro', '.include', '.rept', '.endr', '.lcomm'];
const REGS = ['$t0', '$t1', '$zero', '$at', '$sp', '$ra', '$31', '$f0', '$f2', '$fcc1', '$k0', '$99', '$x'];
const ATOMS = ['0', '1', '-1', '0x7fffffff', '0xffffffff', '65536', '1.5', "'a'", '"str"', '"\\n"', 'label', 'L1', 'main',
  '%hi(label)', '%lo(x)', '%arg', '(', ')', ',', ':', '+', '-', '*', '/', '<<', '>>', '&', '|', '^', '~', '=', '#c', '\\', '$'];

describe('assembler robustness', () => {
  it('random bytes', () => {
    const r = rng(1);
    for (let n = 0; n < 150; n++) {
      const len = Math.floor(r() * 400);
      const s = Array.from({ length: len }, () => String.fromCharCode(r() < 0.7 ? 32 + Math.floor(r() * 95) : Math.floor(r() * 256))).join('');
      survive(s);
    }
  });

  it('token soup', () => {
    const r = rng(2);
    const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
    for (let n = 0; n < 150; n++) {
      const lines: string[] = [];
      for (let l = 0; l < 30; l++) {
        const parts: string[] = [];
        if (r() < 0.2) parts.push(pick(['main:', 'L1:', 'label:', 'x:']));
        parts.push(r() < 0.25 ? pick(DIRECTIVES) : pick(MNEMONICS));
        const k = Math.floor(r() * 5);
        for (let i = 0; i < k; i++) parts.push(r() < 0.4 ? pick(REGS) : pick(ATOMS), r() < 0.6 ? ',' : '');
        lines.push(parts.join(' '));
      }
      survive(lines.join('\n'));
    }
  });

  it('mutated real programs', () => {
    const r = rng(3);
    const base = readFileSync(join(ROOT, 'test/fixtures/asm/errors/typos.s'), 'utf8') +
      '\n.macro m(%a)\n li %a, 1\nl: bnez %a, l\n.end_macro\nx: m($t0)\n.data\nw: .word 1, 2, w\n.text\nla $a0, w\n';
    for (let n = 0; n < 200; n++) {
      const chars = [...base];
      const edits = 1 + Math.floor(r() * 8);
      for (let e = 0; e < edits; e++) {
        const i = Math.floor(r() * chars.length);
        const op = r();
        if (op < 0.33) chars.splice(i, 1);
        else if (op < 0.66) chars.splice(i, 0, chars[Math.floor(r() * chars.length)]);
        else chars[i] = String.fromCharCode(32 + Math.floor(r() * 95));
      }
      survive(chars.join(''));
    }
  });

  it('deeply nested macros: a chain of 50 expands, a chain of 200 is stopped', () => {
    const chain = (n: number) => Array.from({ length: n }, (_, i) => `.macro m${i}\n${i + 1 < n ? `m${i + 1}` : 'nop'}\n.end_macro`).join('\n') + '\nmain: m0\n';
    expect(survive(chain(50)).ok).toBe(true);
    expect(survive(chain(200)).ok).toBe(false);
  });

  it('a macro that expands itself (once or twice per level) ends quickly with an error', () => {
    const once = survive('.macro r\nnop\nr\n.end_macro\nmain: r\n');
    const twice = survive('.macro r(%x)\nr(%x)\nr(%x)\n.end_macro\nmain: r(1)\n');
    expect(once.ok || twice.ok).toBe(false);
    expect(once.ms + twice.ms).toBeLessThan(20_000);
  });

  it('runaway repetition and sizes are bounded', () => {
    const t0 = performance.now();
    expect(survive('.rept 1000000\n.rept 1000000\nnop\n.endr\n.endr\n').ok).toBe(false);
    expect(survive('.data\n.space 2000000000\n').ok).toBe(false);
    expect(survive('.data\n.word 0:100000000\n').ok).toBe(false);
    expect(survive('.text 0xfffffffc\nnop\nnop\n').ok).toBe(false);
    expect(performance.now() - t0).toBeLessThan(60_000);
  });

  it('pathological lines: deep parentheses, long expressions, huge lines', () => {
    expect(survive(`li $t0, ${'('.repeat(5000)}1${')'.repeat(5000)}\n`).ok).toBe(false);
    expect(survive(`.data\n.word ${Array(20000).fill('1').join('+')}\n`).ok).toBe(false);
    expect(survive(`li $t0, ${'-'.repeat(100000)}1\n`).ok).toBe(false);
    survive(`.data\n.ascii "${'x'.repeat(1 << 20)}"\n`);
    survive(`${'a'.repeat(100000)}:\n`);
    survive(`.macro m(%a)\nnop\n.end_macro\nm(${Array(50000).fill('1').join(',')})\n`);
  });

  it('includes: a file including itself, a deep chain', () => {
    expect(survive({ 'a.s': '.include "a.s"\n' }, {}, ['a.s']).ok).toBe(false);
    const files: Files = {};
    for (let i = 0; i < 40; i++) files[`f${i}.s`] = i < 39 ? `.include "f${i + 1}.s"\n` : 'nop\n';
    expect(survive(files, {}, ['f0.s']).ok).toBe(false);
  });

  it('a 100,000-line program assembles in bounded time', () => {
    const ops = ['addu $t0, $t1, $t2', 'addi $t0, $t0, 1', 'lw $t0, 4($sp)', 'sw $t1, 8($sp)', 'li $t2, 100000', 'la $a0, msg',
      'beq $t0, $t1, L{n}', 'blt $t0, $t1, L{n}', 'sll $t0, $t1, 2', 'mul $t0, $t1, $t2', 'lw $t3, buf', 'move $a0, $t0', 'nop'];
    const r = rng(4);
    const lines = ['.data', 'buf: .space 400', 'msg: .asciiz "hi"', '.text', 'main:'];
    for (let i = 0; i < 100_000; i++) {
      if (i % 10 === 0) lines.push(`L${i / 10}:`);
      lines.push('  ' + ops[Math.floor(r() * ops.length)].replace('{n}', String(Math.floor(i / 10))));
    }
    const res = survive(lines.join('\n') + '\n');
    expect(res.ok).toBe(true);
    expect(res.ms).toBeLessThan(120_000);
  }, 300_000);

  it.skipIf(!existsSync(resolve(ROOT, '../shared/conformance/spim/tt.core.s')))('tt.core.s with random lines dropped', () => {
    const src = readFileSync(resolve(ROOT, '../shared/conformance/spim/tt.core.s'), 'latin1').split('\n');
    const r = rng(5);
    for (let n = 0; n < 5; n++) survive(src.filter(() => r() > 0.05).join('\n'));
  }, 120_000);
});
