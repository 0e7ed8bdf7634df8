// Assembler unit tests: lexer, expressions, directives, symbols, macros, .include, files.
import { describe, expect, it } from 'vitest';
import { lexLine } from '../src/asm/lexer.js';
import { asm, bytesAt, messages, ok, symbol, wordsAt, wordsOfLine } from './fixtures/asm/helpers.js';

const origin = { line: { file: 't.s', lineNo: 1, text: '' } };
const lex = (s: string) => lexLine(s, { line: { ...origin.line, text: s } });
const DATA = 0x10010000;
const TEXT = 0x00400000;

/** The words of `.data` after assembling `.data` + body. */
function dataWords(body: string, n: number, opts = {}): number[] {
  return wordsAt(ok(`        .data\nd:\n${body}\n`, opts), DATA, n);
}

describe('lexer', () => {
  it('splits labels, mnemonics, registers, numbers and comments', () => {
    const { tokens, errors } = lex('loop: addi $t0, $8, -0x10  # comment, ignored');
    expect(errors).toEqual([]);
    expect(tokens.map((t) => `${t.kind}:${t.text}`)).toEqual([
      'ident:loop', 'punct::', 'ident:addi', 'reg:$t0', 'punct:,', 'reg:$8', 'punct:,', 'punct:-', 'int:0x10',
    ]);
  });

  it('reads every number base and character escapes', () => {
    const vals = lex("10 0x1F 0b101 017 'a' '\\n' '\\0' '\\\\' '\\'' '\\x41' '\\101'").tokens.map((t) => Number(t.int));
    expect(vals).toEqual([10, 31, 5, 15, 97, 10, 0, 92, 39, 65, 65]);
  });

  it('decodes string escapes to bytes (characters below 256 as latin1 bytes, wider ones as UTF-8)', () => {
    const t = lex('"a\\tb\\n\\"q\\"\\\\ é€"').tokens[0];
    expect([...t.bytes!]).toEqual([97, 9, 98, 10, 34, 113, 34, 92, 32, 0xe9, 0xe2, 0x82, 0xac]);
  });

  it('reads floats and keeps dotted names whole', () => {
    const t = lex('c.eq.d 1.5 -2.5e-3 .5 abs.s_').tokens;
    expect(t.map((x) => x.kind)).toEqual(['ident', 'float', 'punct', 'float', 'float', 'ident']);
    expect(t[1].num).toBe(1.5);
    expect(t[3].num).toBe(2.5e-3);
  });

  it('reports bad numbers, characters and unterminated strings with positions', () => {
    expect(lex('li $t0, 12ab').errors[0].message).toMatch(/bad number '12ab'/);
    expect(lex('"abc').errors[0].message).toMatch(/missing closing quote/);
    expect(lex("'ab'").errors[0].message).toMatch(/bad character literal/);
    const e = lex('add @').errors[0];
    expect(e.message).toBe("unexpected character '@'");
    expect(e.span!.col).toBe(4);
  });

  it('notes blanks before tokens (SPIM operand separation)', () => {
    expect(lex('1 -1').tokens.map((t) => t.space)).toEqual([true, true, false]);
  });
});

describe('expressions', () => {
  it('has C precedence and parentheses', () => {
    expect(dataWords('.word 1+2*3, (1+2)*3, 7/2, -7/2, 7%3, 1<<4|1, 0xff&~0xf, 6^3, -1, ~0', 10).map((w) => w | 0))
      .toEqual([7, 9, 3, -3, 1, 17, 0xf0, 5, -1, -1]);
  });

  it('evaluates labels, label arithmetic and %hi/%lo', () => {
    const p = ok('.data\na: .word 1\nb: .word a+4, b-a, %hi(0x12348000), %lo(0x12348000)\n');
    expect(wordsAt(p, DATA + 4, 4).map((w) => w | 0)).toEqual([DATA + 4, 4, 0x1235, -0x8000]);
  });

  it('%hi/%lo build addresses with lui/addiu (GNU style), also above 0x80000000', () => {
    const p = ok('.text\nmain: lui $t0, %hi(k)\n addiu $t0, $t0, %lo(k)\n lw $t1, %lo(k)($t0)\n.kdata\n.space 0x9000\nk: .word 1\n');
    const k = symbol(p, 'k');
    expect(k).toBe(0x90009000);
    expect(wordsAt(p, TEXT, 3)).toEqual([0x3c089001, 0x25089000, 0x8d099000]);
  });

  it('accepts SPIM constants (name = expr), .equ, .set name,value and MARS .eqv', () => {
    const p = ok('SIZE = 4*3\n.equ TWO, 2\n.set THREE, 3\n.eqv FOUR 4\n.data\n.word SIZE, TWO, THREE, FOUR, SIZE+FOUR\n');
    expect(wordsAt(p, DATA, 5)).toEqual([12, 2, 3, 4, 16]);
  });

  it('uses constants defined after their use', () => {
    const p = ok('.text\nmain: li $t0, LATER\n  addiu $t1, $t1, LATER\nLATER = 70000\n');
    const r = p.lines.filter((l) => l.line === 2);
    expect(r.length).toBe(2); // li of an unknown value: lui+ori
  });

  it('reports division by zero, shift range and 32-bit overflow', () => {
    expect(messages('.data\n.word 1/0\n')).toMatch(/division by zero in expression/);
    expect(messages('.data\n.word 1<<70\n')).toMatch(/shift count 70 is out of range/);
    expect(messages('.text\nli $t0, 0x100000000\n')).toMatch(/value 4294967296 does not fit in 32 bits/);
  });

  it('SPIM blank separation: `.word 1 -1` is two words, `1 - 1` one', () => {
    expect(dataWords('.word 1 -1', 2).map((w) => w | 0)).toEqual([1, -1]);
    expect(ok('.data\n.word 1 - 1\n').segments.find((s) => s.kind === 'data')!.bytes.length).toBe(4);
  });
});

describe('directives and layout', () => {
  it('places text at 0x00400000 and data at 0x10010000, kernel at 0x80000180 / 0x90000000', () => {
    const p = ok('.data\nx: .word 1\n.text\nmain: nop\n.ktext\nk: nop\n.kdata\nkd: .word 2\n');
    expect(symbol(p, 'x')).toBe(DATA);
    expect(symbol(p, 'main')).toBe(TEXT);
    expect(symbol(p, 'k')).toBe(0x80000180);
    expect(symbol(p, 'kd')).toBe(0x90000000);
  });

  it('honours segment addresses (.text ADDR, .data ADDR)', () => {
    const p = ok('.text 0x408000\nf: nop\n.data 0x10020000\ng: .byte 1\n');
    expect(symbol(p, 'f')).toBe(0x408000);
    expect(symbol(p, 'g')).toBe(0x10020000);
  });

  it('aligns .half/.word/.float/.double and moves a label waiting on the line before', () => {
    const p = ok('.data\nb: .byte 1\nh: .half 2\nw:\n  .word 3\nd: .double 1.0\n');
    expect(symbol(p, 'h')).toBe(DATA + 2);
    expect(symbol(p, 'w')).toBe(DATA + 4);
    expect(symbol(p, 'd')).toBe(DATA + 8);
  });

  it('.align 0 turns automatic alignment off until the next segment directive (SPIM)', () => {
    const p = ok('.data\n.align 0\na: .byte 1\nb: .half 2\nc: .word 3\n.data\nd: .word 4\n');
    expect(symbol(p, 'b')).toBe(DATA + 1);
    expect(symbol(p, 'c')).toBe(DATA + 3);
    expect(symbol(p, 'd')).toBe(DATA + 8);
  });

  it('.align n, .space, .ascii/.asciiz with several strings and SPIM repeats', () => {
    const p = ok('.data\na: .byte 1\n.align 3\nb: .space 3\nc: .ascii "ab", "c"\nd: .asciiz "x" "y"\ne: .byte 7:3\nf: .word 9:2\n');
    expect(symbol(p, 'b')).toBe(DATA + 8);
    expect(symbol(p, 'c')).toBe(DATA + 11);
    expect(bytesAt(p, DATA + 11, 10)).toEqual([97, 98, 99, 120, 0, 121, 0, 7, 7, 7]);
    expect(wordsAt(p, symbol(p, 'f'), 2)).toEqual([9, 9]);
  });

  it('encodes .float/.double exactly and in the program byte order', () => {
    expect(dataWords('.float 1.5, -2, 0.1', 3)).toEqual([0x3fc00000, 0xc0000000, 0x3dcccccd]);
    expect(dataWords('.double 1.0', 2)).toEqual([0, 0x3ff00000]);
    expect(bytesAt(ok('.data\n.word 0x11223344\n.double 1.0\n', { bigEndian: true }), DATA, 12))
      .toEqual([0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 0x3f, 0xf0, 0, 0]);
  });

  it('warns when .byte/.half values are truncated', () => {
    const m = messages('.data\n.byte 300\n.half -40000\n');
    expect(m).toMatch(/warning: value 300 does not fit in a byte and is truncated to 44/);
    expect(m).toMatch(/warning: value -40000 does not fit in a halfword/);
  });

  it('.word in the text segment emits instruction words; strings there are an error', () => {
    const p = ok('.text\nmain: .word 0x24020001\n');
    expect(wordsAt(p, TEXT, 1)).toEqual([0x24020001]);
    expect(messages('.text\n.asciiz "x"\n')).toMatch(/strings cannot go in the text segment/);
    expect(messages('.data\nadd $t0, $t1, $t2\n')).toMatch(/instruction 'add' in the data segment/);
  });

  it('allocates .extern symbols and .lcomm/.comm space', () => {
    const p = ok('.extern buf 16\n.lcomm tmp, 8\n.text\nmain: lw $t0, buf\n');
    expect(symbol(p, 'buf')).toBe(0x10000000);
    expect(symbol(p, 'tmp')).toBe(DATA);
  });

  it('rejects unknown directives with a suggestion and guards huge sizes', () => {
    expect(messages('.data\n.wrod 1\n')).toMatch(/unknown directive '.wrod'; did you mean '.word'\?/);
    expect(messages('.data\n.space 1000000000\n')).toMatch(/too large/);
    expect(messages('.data\n.space -1\n')).toMatch(/negative/);
  });

  it('reports overlapping segments', () => {
    expect(messages('.text\nnop\nnop\n.text 0x400004\nnop\n')).toMatch(/overlaps/);
  });

  it('compact layout puts text at 0 and data at 0x2000 and loads labels in one instruction', () => {
    const p = ok('.data\nx: .word 5\n.text\nmain: lw $t0, x\n la $a0, x\n', { layout: 'compact' });
    expect(symbol(p, 'x')).toBe(0x2000);
    expect(symbol(p, 'main')).toBe(0);
    expect(wordsOfLine(p, 4)).toBe(1);
    expect(wordsOfLine(p, 5)).toBe(1);
  });

  it('bare layout (SPIM -bare) puts data at 0x10000000', () => {
    const p = ok('.data\nx: .word 1\n.text\nmain: lui $a0, 0x1000\n', { bare: true });
    expect(symbol(p, 'x')).toBe(0x10000000);
  });
});

describe('symbols and files', () => {
  it('rejects duplicate labels, pointing at the first definition', () => {
    const m = messages('a: nop\na: nop\n');
    expect(m).toMatch(/prog.s:2:1: error: 'a' is already defined/);
    expect(m).toMatch(/prog.s:1:1: note: the first definition is here/);
  });

  it('lists every use of an undefined label and suggests a near name', () => {
    const m = messages('main: j lop\n  beq $t0, $t1, lop\n  la $a0, lop\nloop: nop\n');
    expect(m).toMatch(/prog.s:1:9: error: undefined label 'lop'; did you mean 'loop'\? \(used 3 times\)/);
    expect(m.match(/note: 'lop' is also used here/g)!.length).toBe(2);
    expect(m).not.toMatch(/too far/);
  });

  it('shares .globl labels between files and keeps the others private', () => {
    const p = ok({
      'main.s': '.text\n.globl main\nmain: jal helper\nloop: j loop\n',
      'lib.s': '.text\n.globl helper\nhelper: j loop\nloop: jr $ra\n',
    });
    const locals = p.symbols.filter((s) => s.name === 'loop');
    expect(locals.map((s) => s.file).sort()).toEqual(['lib.s', 'main.s']);
    expect(p.symbols.find((s) => s.name === 'helper')!.global).toBe(true);
  });

  it('finds a label defined without .globl in one other file, with a warning (SPIM shares labels)', () => {
    const r = asm({ 'a.s': 'main: jal f\n', 'b.s': 'f: jr $ra\n' });
    expect(r.program).not.toBeNull();
    expect(r.diagnostics.list[0].message).toMatch(/'f' is used in a.s but defined in b.s without .globl/);
  });

  it('reports a global defined in two files', () => {
    expect(messages({ 'a.s': '.globl f\nf: nop\n', 'b.s': '.globl f\nf: nop\n' })).toMatch(/global symbol 'f' is defined in both a.s and b.s/);
  });
});

describe('macros, .eqv, .include, .rept', () => {
  it('expands MARS macros with %parameters, either call syntax', () => {
    const p = ok('.macro add3(%d, %a, %b)\n add %d, %a, %b\n.end_macro\nmain: add3($t0, $t1, $t2)\n add3 $t3 $t4 $t5\n');
    expect(wordsAt(p, TEXT, 2)).toEqual([0x012a4020, 0x018d5820]);
  });

  it('accepts SPIM-style $parameters (names that are not registers)', () => {
    const p = ok('.macro inc($reg, $amount)\n addiu $reg, $reg, $amount\n.end_macro\nmain: inc($t0, 4)\n');
    expect(wordsAt(p, TEXT, 1)).toEqual([0x25080004]);
  });

  it('gives each expansion its own copy of the labels defined inside', () => {
    const src = '.macro spin(%n)\n li $t0, %n\nl: addi $t0, $t0, -1\n bnez $t0, l\n.end_macro\nmain: spin(3)\n spin(4)\n';
    const p = ok(src);
    const ls = p.symbols.filter((s) => s.name.startsWith('l_M'));
    expect(ls.length).toBe(2);
    // each bnez branches back to its own label
    expect(wordsAt(p, TEXT + 8, 1)[0] & 0xffff).toBe(0xfffe);
    expect(wordsAt(p, TEXT + 20, 1)[0] & 0xffff).toBe(0xfffe);
  });

  it('overloads macros by argument count and reports a wrong count', () => {
    const src = '.macro m\n nop\n.end_macro\n.macro m(%a)\n li $t0, %a\n.end_macro\nmain: m\n m(5)\n m(1, 2)\n';
    const msg = messages(src);
    expect(msg).toMatch(/macro 'm' takes 0 or 1 arguments, found 2/);
  });

  it('stops a macro that calls itself', () => {
    const msg = messages('.macro r(%x)\n r(%x)\n.end_macro\nmain: r(1)\n');
    expect(msg).toMatch(/macro expansion nested too deeply \(more than 64 levels\); does 'r' call itself\?/);
    expect(msg).toMatch(/note: in expansion of macro 'r'/);
  });

  it('reports errors inside macro bodies at the body line, with the call site', () => {
    const msg = messages('.macro bad\n addu $t0, $t1, 1x\n.end_macro\nmain: bad\n');
    expect(msg).toMatch(/prog.s:2:\d+: error: bad number '1x'/);
  });

  it('reports a missing .end_macro and nested definitions', () => {
    expect(messages('.macro m\n nop\n')).toMatch(/\.macro m has no matching \.end_macro/);
    expect(messages('.macro m\n.macro n\n.end_macro\n')).toMatch(/cannot be defined inside another \.macro/);
  });

  it('.include reads a file relative to the including file', () => {
    const p = ok({ 'dir/main.s': '.include "lib.s"\n.text\nmain: jal f\n', 'dir/lib.s': '.text\nf: jr $ra\n' }, {}, ['dir/main.s']);
    expect(symbol(p, 'f')).toBe(TEXT);
  });

  it('.include detects cycles and missing files', () => {
    expect(messages({ 'a.s': '.include "b.s"\n', 'b.s': '.include "a.s"\n' }, {}, ['a.s'])).toMatch(/recursive \.include of 'a.s'/);
    expect(messages('.include "nope.s"\n')).toMatch(/cannot read included file 'nope.s': no such file/);
  });

  it('.eqv substitutes text, including registers', () => {
    const p = ok('.eqv COUNT 5\n.eqv REG $t3\nmain: li REG, COUNT\n');
    expect(wordsAt(p, TEXT, 1)).toEqual([0x240b0005]);
  });

  it('.rept repeats lines and bounds the count', () => {
    const p = ok('.data\n.rept 3\n.byte 7\n.endr\n');
    expect(bytesAt(p, DATA, 3)).toEqual([7, 7, 7]);
    expect(messages('.rept 5000000\nnop\n.endr\n')).toMatch(/count 5000000 is out of range/);
    expect(messages('.rept 2\nnop\n')).toMatch(/without a matching \.endr/);
  });
});

describe('start-up', () => {
  it('SPIM style: a stub after the code calls main and exits', () => {
    const p = ok('.text\nfoo: nop\n.globl main\nmain: jr $ra\n');
    const start = symbol(p, '__start');
    expect(p.entry).toBe(start);
    expect(start).toBeGreaterThan(TEXT + 4);
  });

  it('starts at a user __start, at the first instruction without main, or as asked', () => {
    expect(ok('main: nop\n__start: nop\n').entry).toBe(TEXT + 4);
    expect(ok('nop\nnop\n').entry).toBe(TEXT);
    expect(ok('foo: nop\nmain: nop\n', { start: 'mars' }).entry).toBe(TEXT);
    expect(ok('foo: nop\nmain: nop\n', { start: 'main' }).entry).toBe(TEXT + 4);
    expect(messages('nop\n', { start: 'main' })).toMatch(/--start main: the program defines no label 'main'/);
  });
});
