// The translator against the interpreter: precise exceptions (mid-block, delay slots), exact
// instruction budgets, self-modifying code, endless loops, cache flushes, chaining. Every case
// runs the same program under both engines and compares the whole architectural state.
import { describe, expect, it } from 'vitest';
import { asm, DATA_BASE, makeMachine, TEXT_BASE, type ProgramSetup } from './helpers/machine.js';
import { createEngine, type EngineOptions } from '../src/machine/engines.js';
import { runMachine, type RunLimits, type RunResult } from '../src/machine/run.js';
import { ExcCode } from '../src/machine/exceptions.js';
import type { Machine } from '../src/machine/machine.js';
import type { Jit } from '../src/jit/jit.js';
import { generateRegion } from '../src/jit/codegen.js';
import { Global, IrBuilder, mulHighS, mulHighU, type IrBlock } from '../src/ir/index.js';

type Code = (string | number)[];

function state(m: Machine, r: RunResult) {
  const f = m.fault;
  return {
    kind: r.kind,
    exitCode: r.exitCode,
    regs: Array.from(m.cpu.r).map((v) => '0x' + (v >>> 0).toString(16)),
    pc: '0x' + m.cpu.pc.toString(16),
    npc: '0x' + m.cpu.npc.toString(16),
    llbit: m.cpu.llbit,
    insns: m.insnCount,
    fault: f ? { code: ExcCode[f.exception.code], bad: f.exception.badVAddr, pc: '0x' + f.pc.toString(16), ds: f.inDelaySlot } : null,
    data: Array.from(m.mem.readBytes(DATA_BASE, 64) ?? []),
  };
}

/** Runs `code` under the interpreter and the translator; expects identical state; returns both. */
function both(code: Code, setup: ProgramSetup = {}, limits: RunLimits = {}, jopts: EngineOptions = {}) {
  limits = { maxInsns: 20_000_000, ...limits };
  const a = makeMachine(code, setup);
  const ra = runMachine(a, createEngine('interp', a), limits);
  const b = makeMachine(code, setup);
  const eng = createEngine('jit', b, { jitThreshold: 0, ...jopts });
  const rb = runMachine(b, eng, limits);
  const sa = state(a, ra), sb = state(b, rb);
  expect(sb).toEqual(sa);
  return { interp: sa, jit: sb, m: b, stats: (eng.jit as Jit).stats, jit0: eng.jit as Jit };
}

const T0 = 8, T1 = 9, T2 = 10, T3 = 11, S0 = 16, V0 = 2;
const UNMAPPED = 0x00001000;

describe('translator: straight-line code and loops', () => {
  it('runs a counted loop in generated code', () => {
    // sum = 1 + ... + 100, with a mult/div mix each iteration
    const r = both([
      'addiu $8, $0, 0', // t0 = i
      'addiu $9, $0, 100', // t1 = n
      'addiu $16, $0, 0', // s0 = sum
      'addiu $8, $8, 1', // loop:
      'addu $16, $16, $8',
      'mult $16, $8',
      'mflo $10',
      'div $10, $9',
      'bne $8, $9, -6',
      'mfhi $11',
      'syscall',
    ]);
    expect(r.jit.regs[S0]).toBe('0x13ba'); // 5050
    expect(r.stats.regions).toBeGreaterThan(0);
    expect(r.stats.jitInsns).toBeGreaterThan(400);
  });

  it('nested loops and calls stay correct (jal/jr, return points)', () => {
    const f = TEXT_BASE + 4 * 14;
    {
      const res = both([
        'addiu $16, $0, 0', // 0 s0
        'addiu $17, $0, 7', // 1 s1 outer counter
        'addiu $18, $0, 5', // 2 outer: s2 inner counter
        `jal ${f}`, // 3 inner:
        'addiu $4, $18, 3', // 4 (slot) a0 = s2 + 3
        'addu $16, $16, $2', // 5
        'addiu $18, $18, -1', // 6
        'bgtz $18, -5', // 7 -> 3
        'nop', // 8
        'addiu $17, $17, -1', // 9
        'bgtz $17, -9', // 10 -> 2
        'nop', // 11
        'syscall', // 12
        'nop', // 13
        'sll $2, $4, 2', // 14 f: v0 = a0 * 4 + 1
        'jr $31', // 15
        'addiu $2, $2, 1', // 16
      ]);
      expect(res.stats.regions).toBeGreaterThan(0);
    }
  });

  it('a call through a register and its return stay inside the loop region (targets seen while cold)', () => {
    const f = TEXT_BASE + 4 * 12;
    const code = [
      'addiu $16, $0, 0', // 0 s0 = sum
      'addiu $17, $0, 1000', // 1 s1 = counter
      `lui $25, ${f >>> 16}`, // 2 loop: t9 = f
      `ori $25, $25, ${f & 0xffff}`, // 3
      'jalr $25', // 4
      'addu $4, $17, $0', // 5 (slot) a0 = s1
      'addu $16, $16, $2', // 6
      'addiu $17, $17, -1', // 7
      'bgtz $17, -7', // 8 -> 2
      'nop', // 9
      'syscall', // 10
      'nop', // 11
      'jr $31', // 12 f: v0 = a0 * 2
      'sll $2, $4, 1', // 13
    ];
    const r = both(code, {}, {}, { jitThreshold: 5 });
    expect(r.jit.regs[S0]).toBe('0x' + (1000 * 1001).toString(16));
    // 1,000 calls and returns; without the callee in the region each would leave it twice
    expect(r.stats.chained + r.stats.cacheHits).toBeLessThan(20);
  });

  it('a small leaf function on another page joins a large loop region (its call and return stay inside)', () => {
    // a loop body too large to keep calls (> 160 instructions) calls a 2-instruction leaf
    // through a register, as qsort calls its comparison callback
    const leaf = 2048; // word index: two pages on
    const code: number[] = new Array(leaf + 2).fill(0);
    const put = (i: number, s: string) => { code[i] = asm(s); };
    put(0, 'addiu $16, $0, 0'); // s0 = sum
    put(1, 'addiu $17, $0, 300'); // s1 = counter
    put(2, `lui $25, ${(TEXT_BASE + 4 * leaf) >>> 16}`); // loop:
    put(3, `ori $25, $25, ${(TEXT_BASE + 4 * leaf) & 0xffff}`);
    for (let i = 4; i < 184; i++) put(i, 'addiu $10, $10, 1');
    put(184, 'jalr $25');
    put(185, 'addu $4, $17, $0'); // (slot) a0 = s1
    put(186, 'addu $16, $16, $2');
    put(187, 'addiu $17, $17, -1');
    put(188, `bgtz $17, ${2 - 189}`);
    put(189, 'nop');
    put(190, 'syscall');
    put(leaf, 'jr $31'); // v0 = a0 * 2
    put(leaf + 1, 'sll $2, $4, 1');
    const r = both(code, {}, {}, { jitThreshold: 5 });
    expect(r.jit.regs[S0]).toBe('0x' + (300 * 301).toString(16));
    // 300 calls and returns: leaving the region for each would be 600 lookups or chains
    expect(r.stats.chained + r.stats.cacheHits).toBeLessThan(30);
  });

  it('a function epilogue joins the loop region that branches to it: recursive returns stay inside', () => {
    // f(n) { s = 0; while (n >= 2) { s += f(n - 1); ...; n -= 2; } return s + n; } (the shape gcc
    // gives recursive fib), its loop body padded past the size that keeps calls in a region
    const code: string[] = [
      `lui $29, ${(DATA_BASE >>> 16) + 1}`, // 0 sp: the end of the data region
      'addiu $17, $0, 4', // 1 s1 = repeats
      'addiu $4, $0, 14', // 2 outer: a0 = 14
      `jal ${TEXT_BASE + 4 * 11}`, // 3
      'nop', // 4
      'addu $16, $16, $2', // 5
      'addiu $17, $17, -1', // 6
      'bgtz $17, -6', // 7 -> 2
      'nop', // 8
      'syscall', // 9
      'nop', // 10
      'addiu $29, $29, -16', // 11 f:
      'sw $31, 12($29)', // 12
      'sw $18, 8($29)', // 13
      'sw $19, 4($29)', // 14
      'addiu $18, $0, 0', // 15 s2 = s
      'addu $19, $4, $0', // 16 s3 = n
      'slti $8, $19, 2', // 17 loop:
      'bne $8, $0, PAD_DONE', // 18 -> done
      'nop', // 19
      'addiu $4, $19, -1', // 20
      `jal ${TEXT_BASE + 4 * 11}`, // 21
      'nop', // 22
      'addu $18, $18, $2', // 23
      ...new Array(170).fill('addiu $10, $10, 1'), // 24..193
      'b -178', // 194 -> 17
      'addiu $19, $19, -2', // 195 (slot)
      'addu $2, $18, $19', // 196 done:
      'lw $31, 12($29)',
      'lw $18, 8($29)',
      'lw $19, 4($29)',
      'jr $31',
      'addiu $29, $29, 16',
    ];
    code[18] = `bne $8, $0, ${196 - 19}`;
    const r = both(code, {}, {}, { jitThreshold: 5 });
    const f = (n: number): number => { let s = 0; while (n >= 2) { s += f(n - 1); n -= 2; } return s + n; };
    expect(r.jit.regs[S0]).toBe('0x' + (4 * f(14)).toString(16));
    let calls = 0;
    const count = (n: number): void => { calls++; while (n >= 2) { count(n - 1); n -= 2; } };
    for (let i = 0; i < 4; i++) count(14);
    // each return from a separate epilogue region would be two region transitions
    expect(r.stats.chained + r.stats.cacheHits).toBeLessThan(calls / 10);
  });

  it('a self-loop block leaves its JS loop when falling through to the next block of the region', () => {
    // inner loop [2..5] is a self-loop; its fall-through (6) is the next block in the region
    const r = both([
      'addiu $8, $0, 3',
      'addiu $9, $0, 4', // 1 outer
      'addiu $10, $10, 1', // 2 inner
      'addiu $9, $9, -1',
      'bne $9, $0, -3',
      'nop',
      'addiu $8, $8, -1', // 6
      'bne $8, $0, -7',
      'nop',
      'syscall',
    ]);
    expect(r.jit.regs[T2]).toBe('0xc');
  });

  it('works without delay slots (SPIM mode), likely and linking branches', () => {
    both([
      'addiu $8, $0, 10',
      'addiu $9, $0, 0',
      'addiu $9, $9, 3', // loop
      'addiu $8, $8, -1',
      'bgtzl $8, -3', // no delay slot: back to loop
      'bltzal $8, 1', // not taken, links
      'beql $0, $0, 1', // taken
      'addiu $9, $9, 100', // skipped
      'addiu $10, $31, 0',
      'syscall',
    ], { delaySlots: false });
  });

  it('likely branches annul the slot when not taken (delay slots on)', () => {
    both([
      'addiu $8, $0, 3',
      'addiu $9, $0, 0',
      'addiu $8, $8, -1', // loop
      'bnel $8, $0, -2',
      'addiu $9, $9, 10', // runs only when taken
      'beql $8, $9, 1', // not taken: slot annulled
      'addiu $9, $9, 1000',
      'bgezall $0, 1', // taken, links
      'addiu $10, $31, 4',
      'syscall',
    ]);
  });

  it('jr/jalr read the target before the link write and the slot', () => {
    const tgt = TEXT_BASE + 4 * 6;
    both([
      `lui $8, ${tgt >>> 16}`,
      `ori $8, $8, ${tgt & 0xffff}`,
      'jalr $8, $8', // rd == rs: jumps to the old value
      'addiu $8, $8, 4', // slot changes rs after the read
      'syscall',
      'nop',
      'addiu $9, $8, 0', // 6: target
      'syscall',
    ]);
  });

  it('a syscall in a delay slot, and a branch in a delay slot (left to the interpreter)', () => {
    both(['addiu $4, $0, 7', 'beq $0, $0, 4', 'syscall', 'nop', 'nop']);
    both([
      'addiu $8, $0, 1',
      'beq $0, $0, 3',
      'beq $0, $0, 5', // branch in a delay slot
      'addiu $8, $8, 1',
      'addiu $8, $8, 2',
      'addiu $8, $8, 4',
      'addiu $8, $8, 8',
      'addiu $8, $8, 16',
      'addiu $8, $8, 32',
      'syscall',
      'nop',
    ]);
  });
});

describe('translator: precise exceptions', () => {
  it('a fault in the middle of a block leaves earlier results and the exact count', () => {
    const r = both([
      'addiu $8, $0, 5',
      'addiu $9, $8, 6',
      'sw $9, 0($0)', // DBE at TEXT_BASE+8 (address 0 is unmapped)
      'addiu $10, $0, 1',
      'syscall',
    ]);
    expect(r.jit.fault).toEqual({ code: 'DBE', bad: 0, pc: '0x400008', ds: false });
    expect(r.jit.insns).toBe(2);
    expect(r.stats.regions).toBe(1);
  });

  it('faults after a loop inside one region', () => {
    both([
      'addiu $8, $0, 50',
      'addiu $8, $8, -1', // loop
      'bne $8, $0, -2',
      'addiu $9, $9, 2',
      `lui $10, ${UNMAPPED >>> 16}`,
      `lw $11, ${UNMAPPED & 0xffff}($10)`,
      'syscall',
    ]);
  });

  it('a fault in a delay slot: taken, not taken, jr', () => {
    for (const br of ['beq $0, $0, 2', 'bne $0, $0, 2', 'bgezal $0, 2']) {
      const r = both(['addiu $8, $0, 1', br, 'lw $9, 0($0)', 'syscall', 'syscall']);
      expect(r.jit.fault?.ds).toBe(true);
      expect(r.jit.fault?.pc).toBe('0x400008');
    }
    const tgt = TEXT_BASE + 16;
    both([`lui $8, ${tgt >>> 16}`, `ori $8, $8, ${tgt & 0xffff}`, 'jr $8', 'sh $9, 1($0)', 'syscall']);
  });

  it('overflow, traps, break, reserved instructions, misaligned accesses', () => {
    const cases: [Code, ProgramSetup['regs']][] = [
      [['addiu $9, $0, 1', 'add $10, $8, $9', 'syscall'], { [T0]: 0x7fffffff }],
      [['addiu $9, $0, 1', 'addi $10, $8, -1', 'syscall'], { [T0]: -0x80000000 }],
      [['addiu $9, $0, 1', 'sub $10, $8, $9', 'syscall'], { [T0]: -0x80000000 }],
      [['addiu $9, $0, 1', 'teq $9, $9', 'syscall'], {}],
      [['addiu $9, $0, 1', 'tgei $9, 0', 'syscall'], {}],
      [['addiu $9, $0, 1', 'break', 'syscall'], {}],
      [['addiu $9, $0, 1', 0xfc000000, 'syscall'], {}],
      [['addiu $9, $0, 1', 'lw $10, 2($8)', 'syscall'], { [T0]: DATA_BASE }],
      [['addiu $9, $0, 1', 'sh $10, 1($8)', 'syscall'], { [T0]: DATA_BASE }],
      [['addiu $9, $0, 1', 'sc $10, 1($8)', 'syscall'], { [T0]: DATA_BASE }],
      [['addiu $9, $0, 1', 'lwl $10, 1($0)', 'syscall'], {}],
      [['addiu $9, $0, 1', 'swr $10, 3($0)', 'syscall'], {}],
    ];
    for (const [code, regs] of cases) {
      const r = both(code, { regs });
      expect(r.jit.kind).toBe('fault');
      expect(r.jit.insns).toBe(1);
    }
  });

  it('loads and stores of every size at every offset, both byte orders', () => {
    for (const bigEndian of [true, false]) {
      const code: Code = [];
      for (let k = 0; k < 4; k++) {
        code.push(`lb $9, ${k}($8)`, `lbu $10, ${k}($8)`, `lwl $11, ${k}($8)`, `lwr $12, ${k}($8)`);
        code.push(`swl $9, ${16 + k}($8)`, `swr $10, ${32 + k}($8)`, `sb $11, ${48 + k}($8)`);
        code.push('addu $16, $16, $9', 'xor $16, $16, $10', 'addu $16, $16, $11', 'xor $16, $16, $12');
      }
      for (const k of [0, 2]) code.push(`lh $9, ${k}($8)`, `lhu $10, ${k}($8)`, `sh $9, ${56 + k}($8)`, 'addu $16, $16, $9', 'xor $16, $16, $10');
      code.push('ll $9, 4($8)', 'sc $9, 8($8)', 'sc $9, 12($8)', 'addu $16, $16, $9', 'syscall');
      both(code, {
        bigEndian, regs: { [T0]: DATA_BASE, [T1]: 0x12345678, [T2]: 0x9abcdef0 | 0 },
        data: [{ addr: DATA_BASE, bytes: [0x81, 0x72, 0x63, 0x54, 0x45, 0x36, 0x27, 0x18, 0xf9, 0xea, 0xdb, 0xcc] }],
      });
    }
  });
});

describe('translator: exact instruction budgets', () => {
  const loop: Code = [
    'addiu $8, $0, 0',
    'addiu $9, $0, 40',
    'addiu $8, $8, 1', // loop
    'sll $10, $8, 2',
    'addu $16, $16, $10',
    'sw $16, 0($17)',
    'bne $8, $9, -5',
    'addiu $17, $17, 4',
    'jal 0x400030',
    'nop',
    'syscall',
    'nop',
    'jr $31', // 0x400030
    'addiu $2, $2, 1',
  ];
  it('--max-insns stops at the same instruction with the same state as the interpreter', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 13, 14, 15, 37, 38, 39])
      both(loop, { regs: { 17: DATA_BASE } }, { maxInsns: n });
    for (const n of [99, 150, 200, 201, 202, 203, 204, 205])
      both(loop, { regs: { 17: DATA_BASE } }, { maxInsns: n }, { jitThreshold: 2 });
  });

  it('an endless loop in generated code stops on the budget', () => {
    const r = both(['addiu $8, $8, 1', 'beq $0, $0, -2', 'addiu $9, $9, 2'], {}, { maxInsns: 3_000_001 });
    expect(r.jit.kind).toBe('insn-limit');
    expect(r.stats.jitInsns).toBeGreaterThan(2_900_000);
  });

  it('an endless loop stops on the wall-clock timeout', () => {
    const m = makeMachine(['beq $0, $0, -1', 'nop']);
    const eng = createEngine('jit', m, { jitThreshold: 0 });
    const r = runMachine(m, eng, { timeoutMs: 200 });
    expect(r.kind).toBe('timeout');
    expect(eng.jit!.stats.jitInsns).toBeGreaterThan(0);
  });
});

describe('translator: self-modifying code', () => {
  it('a program writes new instructions into its text and runs them', () => {
    // patch = "addiu $v0, $zero, i" written into the next instruction, for i = 0..4
    const patch = TEXT_BASE + 4 * 8;
    const r = both([
      `lui $8, ${patch >>> 16}`, // 0
      `ori $8, $8, ${patch & 0xffff}`, // 1
      'addiu $9, $0, 0', // 2 i
      'addiu $11, $0, 5', // 3
      'lui $10, 0x2402', // 4 loop
      'or $10, $10, $9', // 5
      'sw $10, 0($8)', // 6 store into the block being executed
      'nop', // 7
      'nop', // 8 patch
      'addu $16, $16, $2', // 9
      'addiu $9, $9, 1', // 10
      'bne $9, $11, -8', // 11 -> 4
      'nop', // 12
      'syscall', // 13
    ], {}, {}, { jitThreshold: 0 });
    expect(r.jit.regs[S0]).toBe('0xa'); // 0+1+2+3+4
    expect(r.stats.invalidations).toBeGreaterThan(0);
  });

  it('stores to data on a code page do not invalidate, stores to code do (byte stores too)', () => {
    const target = TEXT_BASE + 4 * 9;
    const r = both([
      `lui $8, ${target >>> 16}`,
      `ori $8, $8, ${target & 0xffff}`,
      'addiu $9, $0, 3',
      'sw $9, 40($8)', // data word after the code: no invalidation needed
      'addiu $9, $9, -1', // loop
      'bne $9, $0, -2',
      'nop',
      'sb $9, 3($8)', // rewrite the low byte (big-endian: byte 3) of "addiu $2, $0, 7" -> 0
      'nop',
      'addiu $2, $0, 7', // 9
      'syscall',
      'nop',
    ], {}, {}, { jitThreshold: 0 });
    expect(r.jit.regs[V0]).toBe('0x0');
  });
});

describe('translator: cache, chaining, tiers', () => {
  // small blocks on 6 pages jumping from page to page, run 20 times: more than one region holds
  const many: Code = new Array(6 * 1024).fill(0);
  const at = (page: number, k: number) => page * 1024 + k * 4;
  many[0] = asm('addiu $9, $0, 20');
  for (let p = 0; p < 6; p++) {
    // (72 blocks in the loop: more than a region holds, so regions chain)
    for (let k = 0; k < 12; k++) {
      const i = at(p, k) + 1;
      const next = k < 11 ? at(p, k + 1) + 1 : p < 5 ? at(p + 1, 0) + 1 : 1024 * 6 - 8;
      many[i] = asm(`addiu $16, $16, ${p * 12 + k + 1}`);
      many[i + 1] = asm('j ' + (TEXT_BASE + 4 * next));
      many[i + 2] = asm(`xor $17, $17, $16`);
    }
  }
  many[6 * 1024 - 8] = asm('addiu $9, $9, -1');
  many[6 * 1024 - 7] = asm(`j ${TEXT_BASE + 4 * (6 * 1024 - 5)}`);
  many[6 * 1024 - 5] = asm('bne $9, $0, ' + (1 - (6 * 1024 - 4)));
  many[6 * 1024 - 3] = asm('syscall');

  it('a tiny cache limit flushes and stays correct', () => {
    const r = both(many, {}, {}, { jitCacheLimit: 8 });
    expect(r.stats.flushes).toBeGreaterThan(0);
  });

  it('chaining and --no-chain agree; chains are followed', () => {
    const a = both(many, {}, {}, { chain: true });
    expect(a.stats.chained).toBeGreaterThan(0);
    const b = both(many, {}, {}, { chain: false });
    expect(b.stats.chained).toBe(0);
  });

  it('tiered: cold code is interpreted until the threshold', () => {
    const r = both(many, {}, {}, { jitThreshold: 5 });
    expect(r.stats.interpInsns).toBeGreaterThan(0);
    expect(r.stats.jitInsns).toBeGreaterThan(0);
    const cold = both(many, {}, {}, { jitThreshold: 1000 });
    expect(cold.stats.regions).toBe(0);
  });
});

describe('translator: helper-run instructions', () => {
  it('an instruction the frontend does not translate runs the interpreter handler (CP0)', () => {
    both(['addiu $8, $0, 77', 'mtc0 $8, 14, 0', 'mfc0 $9, 14, 0', 'mfc0 $11, 9, 0', 'addu $10, $9, $8', 'syscall']);
  });
  it('helper-run instructions sync the registers of their own encoding (mtc1 $0 then mtc1 $5)', () => {
    // a helper built for one encoding must not be reused for another with different registers
    both(['mtc1 $0, $f0', 'addiu $5, $0, 9', 'mtc1 $5, $f1', 'mfc1 $6, $f1', 'addiu $7, $6, 1', 'syscall']);
  });
  it('rdhwr $29 and $1', () => {
    both(['rdhwr $8, $29', 'rdhwr $9, $1', 'syscall']);
  });
  it('asm helper sanity', () => {
    expect(asm('addiu $8, $0, 1')).toBe(0x24080001);
  });
});

describe('translator: code generation details', () => {
  it('mulhs/mulhu (16-bit operands inline, others through the MHS/MHU helpers) match BigInt, also when the result overwrites an operand', () => {
    const gs = [0, 1, 2].map((i) => new Global(i, `g${i}`, true));
    const bindings = new Map(gs.map((g, i) => [g, { local: `g${i}`, ref: `R[${i}]`, unsigned: false }]));
    const target = { bindings, bigEndian: true, setPc: (x: string) => `R[3] = ${x};` };
    const fns = (['mulhs', 'mulhu'] as const).map((op) => [false, true].map((inPlace) => {
      const b = new IrBuilder();
      b.bin(op, gs[0], gs[1], inPlace ? gs[0] : gs[2]);
      b.gotoTb(0x400100);
      const blk: IrBlock = { pc: 0x400000, ninsns: 1, ops: b.ops, ntemps: b.tempCount, nlabels: 0, end: 0x400004, succs: [], returnPoints: [], callTargets: [], words: [] };
      const src = generateRegion([blk], target).source;
      const H = { left: 0 };
      const R = new Int32Array(4);
      return { R, fn: new Function('R', 'H', 'MHS', 'MHU', src)(R, H, mulHighS, mulHighU) as (b: number, left: number) => number, inPlace };
    }));
    const vals = [0, 1, -1, 2, -2, 0xffff, 0x10000, -0x10000, 0x7fffffff, -0x80000000, 0x12345678, 0xfedcba98 | 0, 46341, -46341, 0x8000ffff | 0,
      32767, -32768, 32768, -32769, -50, 49];
    let s = 12345;
    for (let i = 0; i < 200; i++) vals.push((s = (Math.imul(s, 1103515245) + 12345) | 0));
    const bad: string[] = [];
    for (const a of vals) for (const c of vals.slice(0, 40)) {
      const want = [
        Number(BigInt.asIntN(32, (BigInt(a) * BigInt(c)) >> 32n)),
        Number(BigInt.asIntN(32, (BigInt(a >>> 0) * BigInt(c >>> 0)) >> 32n)),
      ];
      fns.forEach((pair, k) => pair.forEach(({ R, fn, inPlace }) => {
        R[0] = a; R[1] = c;
        fn(0, 100);
        if (R[inPlace ? 0 : 2] !== want[k]) bad.push(`${k ? 'mulhu' : 'mulhs'}(${a}, ${c}) = ${R[inPlace ? 0 : 2]}, not ${want[k]}`);
      }));
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });
});
