// Differential fuzzer: random but valid MIPS32 instruction sequences run under the interpreter
// and under the translator (threshold 0: every block is translated before it first runs) from
// the same random register and memory state; the final states must be identical.
//
// A program is a list of items (one instruction, a branch with its delay-slot instruction, or a
// self-modifying store macro). Control-flow targets name items, not addresses, so a divergent
// program shrinks by deleting items and re-encoding.
import { makeMachine, enc, TEXT_BASE, DATA_BASE } from '../helpers/machine.js';
import { createEngine, type EngineKind } from '../../src/machine/engines.js';
import { runMachine } from '../../src/machine/run.js';
import { disassembleText } from '../../src/guest/mips/disasm.js';
import type { Machine } from '../../src/machine/machine.js';

// ---- seeded PRNG (mulberry32) ----
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0);
  }
  int(n: number): number { return this.next() % n; }
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]; }
  chance(p: number): boolean { return this.next() / 2 ** 32 < p; }
}

/** $s0: data pointer (DATA_BASE + 0x800, offsets +-0x800 stay in the page); $s1: TEXT_BASE. */
const R_DATA = 16, R_TEXT = 17;
const DATA_PTR = DATA_BASE + 0x800;
const DATA_PAGE = 0x1000;
const DEST = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 19, 20, 21, 22, 23, 24, 25, 31];
const SRC = [0, ...DEST, R_DATA];

/** A control transfer whose target is an item index (items.length = the final syscall). */
interface Ctl { name: string; fields: Record<string, number>; target: number; }
export type Item =
  | { kind: 'insn'; name: string; fields: Record<string, number> }
  | { kind: 'branch'; ctl: Ctl; slot: { name: string; fields: Record<string, number> } }
  | { kind: 'smc'; reg: number; word: number; target: number; sub: number };

export interface Program {
  items: Item[];
  bigEndian: boolean;
  delaySlots: boolean;
  regs: number[]; // 34: GPRs, HI, LO
  data: Uint8Array; // DATA_PAGE bytes at DATA_BASE
  maxInsns: number;
}

const ALU3 = ['addu', 'subu', 'and', 'or', 'xor', 'nor', 'slt', 'sltu', 'movz', 'movn', 'sllv', 'srlv', 'srav', 'rotrv', 'mul'];
const OVF3 = ['add', 'sub'];
const SHIFT = ['sll', 'srl', 'sra', 'rotr'];
const IMM_S = ['addiu', 'slti', 'sltiu'];
const IMM_U = ['andi', 'ori', 'xori'];
const UNARY_RS = ['clz', 'clo'];
const UNARY_RT = ['seb', 'seh', 'wsbh'];
const HILO = ['mult', 'multu', 'div', 'divu', 'madd', 'maddu', 'msub', 'msubu'];
const TRAP_R = ['tge', 'tgeu', 'tlt', 'tltu', 'teq', 'tne'];
const TRAP_I = ['tgei', 'tgeiu', 'tlti', 'tltiu', 'teqi', 'tnei'];
const BR2 = ['beq', 'bne', 'beql', 'bnel'];
const BR1 = ['blez', 'bgtz', 'bltz', 'bgez', 'blezl', 'bgtzl', 'bltzl', 'bgezl', 'bltzal', 'bgezal', 'bltzall', 'bgezall'];
const LOADS: [string, number][] = [['lb', 1], ['lbu', 1], ['lh', 2], ['lhu', 2], ['lw', 4], ['lwl', 1], ['lwr', 1]];
const STORES: [string, number][] = [['sb', 1], ['sh', 2], ['sw', 4], ['swl', 1], ['swr', 1]];

function randValue(r: Rng): number {
  switch (r.int(6)) {
    case 0: return r.range(-8, 8);
    case 1: return r.pick([0, -1, 0x7fffffff, -0x80000000, 1, 0x8000, 0xffff, 0x10000]);
    case 2: return r.range(0, 300);
    default: return r.next() | 0;
  }
}

function simm(r: Rng): number { return r.chance(0.5) ? r.range(-16, 16) : r.range(-0x8000, 0x7fff); }

/** A straight-line instruction (no control transfer); `mem` false excludes memory ops. */
function simpleInsn(r: Rng, mem = true): { name: string; fields: Record<string, number> } {
  const rd = () => r.pick(DEST), rs = () => r.pick(SRC);
  const k = r.int(100);
  if (k < 22) return { name: r.pick(ALU3), fields: { rd: rd(), rs: rs(), rt: rs() } };
  if (k < 28) return { name: r.pick(OVF3), fields: { rd: rd(), rs: rs(), rt: rs() } };
  if (k < 36) return { name: r.pick(SHIFT), fields: { rd: rd(), rt: rs(), sa: r.int(32) } };
  if (k < 46) return { name: r.pick(IMM_S), fields: { rt: rd(), rs: rs(), imm: simm(r) } };
  if (k < 49) return { name: 'addi', fields: { rt: rd(), rs: rs(), imm: simm(r) } };
  if (k < 55) return { name: r.pick(IMM_U), fields: { rt: rd(), rs: rs(), uimm: r.int(0x10000) } };
  if (k < 57) return { name: 'lui', fields: { rt: rd(), uimm: r.int(0x10000) } };
  if (k < 59) return { name: r.pick(UNARY_RS), fields: { rd: rd(), rs: rs() } };
  if (k < 61) return { name: r.pick(UNARY_RT), fields: { rd: rd(), rt: rs() } };
  if (k < 62) {
    const lsb = r.int(32), size = r.range(1, 32 - lsb);
    return r.chance(0.5) ? { name: 'ext', fields: { rt: rd(), rs: rs(), lsb, msbd: size - 1 } } : { name: 'ins', fields: { rt: rd(), rs: rs(), lsb, msb: lsb + size - 1 } };
  }
  if (k < 69) return { name: r.pick(HILO), fields: { rs: rs(), rt: rs() } };
  if (k < 73) return { name: r.pick(['mfhi', 'mflo']), fields: { rd: rd() } };
  if (k < 75) return { name: r.pick(['mthi', 'mtlo']), fields: { rs: rs() } };
  if (k < 76) return { name: r.pick(TRAP_R), fields: { rs: rs(), rt: rs(), code: r.int(1024) } };
  if (k < 77) return { name: r.pick(TRAP_I), fields: { rs: rs(), imm: simm(r) } };
  if (!mem) return { name: 'addu', fields: { rd: rd(), rs: rs(), rt: rs() } };
  // memory: mostly in the data page through $s0 (aligned for the natural size); sometimes
  // misaligned or through another register (address error / unmapped fault)
  const isLoad = k < 89;
  const [name, size] = isLoad ? r.pick(LOADS) : r.pick(STORES);
  let off = r.range(-0x800, 0x7ff - 4);
  if (!r.chance(0.03)) off -= ((off % size) + size) % size;
  const base = r.chance(0.04) ? rs() : R_DATA;
  return { name, fields: { rt: isLoad ? rd() : rs(), base, off } };
}

function genItem(r: Rng, i: number, n: number): Item {
  const k = r.int(100);
  if (k < 18) {
    // branch forward or backward (target = any item or the end), with its delay-slot insn
    const target = r.chance(0.7) ? r.range(i + 1, n) : r.range(0, i);
    let ctl: Ctl;
    const kk = r.int(10);
    if (kk < 4) ctl = { name: r.pick(BR2), fields: { rs: r.pick(SRC), rt: r.pick(SRC) }, target };
    else if (kk < 9) ctl = { name: r.pick(BR1), fields: { rs: r.pick(SRC) }, target };
    else ctl = { name: r.pick(['j', 'jal']), fields: {}, target };
    return { kind: 'branch', ctl, slot: simpleInsn(r) };
  }
  if (k < 21 && i + 1 < n) {
    const w = simpleInsn(r, false);
    return { kind: 'smc', reg: r.pick(DEST), word: enc(w.name, w.fields), target: r.range(i + 1, n - 1), sub: r.int(2) };
  }
  return { kind: 'insn', ...simpleInsn(r) };
}

export function generate(seed: number): Program {
  const r = new Rng(seed);
  const n = r.range(4, 40);
  const items: Item[] = [];
  for (let i = 0; i < n; i++) items.push(genItem(r, i, n));
  const regs: number[] = [];
  for (let i = 0; i < 34; i++) regs.push(randValue(r));
  regs[0] = 0;
  regs[R_DATA] = DATA_PTR | 0;
  regs[R_TEXT] = TEXT_BASE;
  const data = new Uint8Array(DATA_PAGE);
  for (let i = 0; i < DATA_PAGE; i += 4) {
    const v = r.chance(0.3) ? randValue(r) : r.next();
    data[i] = v >>> 24; data[i + 1] = v >>> 16; data[i + 2] = v >>> 8; data[i + 3] = v;
  }
  return { items, bigEndian: r.chance(0.5), delaySlots: r.chance(0.75), regs, data, maxInsns: r.range(50, 400) };
}

function itemWords(it: Item): number {
  return it.kind === 'insn' ? 1 : it.kind === 'branch' ? 2 : 3;
}

/** Encodes the program: words at TEXT_BASE, ending with a halting syscall. */
export function assemble(p: Program): number[] {
  const start: number[] = [];
  let at = 0;
  for (const it of p.items) { start.push(at); at += itemWords(it); }
  start.push(at); // the final syscall
  const addr = (idx: number) => TEXT_BASE + 4 * start[Math.min(idx, p.items.length)];
  const words: number[] = [];
  for (const it of p.items) {
    const pc = TEXT_BASE + 4 * words.length;
    if (it.kind === 'insn') words.push(enc(it.name, it.fields));
    else if (it.kind === 'branch') {
      const t = addr(it.ctl.target);
      if (it.ctl.name === 'j' || it.ctl.name === 'jal') words.push(enc(it.ctl.name, { target: (t >>> 2) & 0x3ffffff }));
      else words.push(enc(it.ctl.name, { ...it.ctl.fields, broff: (t - (pc + 4)) >> 2 }));
      words.push(enc(it.slot.name, it.slot.fields));
    } else {
      const t = it.target < p.items.length ? addr(it.target) + 4 * Math.min(it.sub, itemWords(p.items[it.target]) - 1) : addr(it.target);
      words.push(enc('lui', { rt: it.reg, uimm: it.word >>> 16 }));
      words.push(enc('ori', { rt: it.reg, rs: it.reg, uimm: it.word & 0xffff }));
      words.push(enc('sw', { rt: it.reg, base: R_TEXT, off: t - TEXT_BASE }));
    }
  }
  words.push(enc('syscall', {}));
  return words;
}

export interface Outcome {
  kind: string;
  exitCode: number;
  insns: number;
  pc: number;
  npc: number;
  regs: number[];
  fault: { code: number; pc: number; inDelaySlot: boolean; badVAddr?: number } | null;
  data: Uint8Array;
  text: Uint8Array;
  error?: string;
}

export function execute(kind: EngineKind, p: Program, words = assemble(p)): Outcome {
  const regs: Record<number, number> = {};
  p.regs.forEach((v, i) => (regs[i] = v));
  const m: Machine = makeMachine(words, { bigEndian: p.bigEndian, delaySlots: p.delaySlots, regs, data: [{ addr: DATA_BASE, bytes: p.data }] });
  try {
    const engine = createEngine(kind, m, { jitThreshold: 0 });
    let error: string | undefined;
    let res;
    try {
      res = runMachine(m, engine, { maxInsns: p.maxInsns });
    } catch (e) {
      error = `host exception: ${(e as Error)?.message ?? String(e)}`;
    }
    const f = m.fault ?? res?.fault;
    return {
      kind: res?.kind ?? 'crash', exitCode: res?.exitCode ?? -1, insns: m.insnCount,
      pc: m.cpu.pc >>> 0, npc: m.cpu.npc >>> 0, regs: Array.from(m.cpu.r),
      fault: f ? { code: f.exception.code, pc: f.pc >>> 0, inDelaySlot: f.inDelaySlot, badVAddr: f.exception.badVAddr } : null,
      data: m.mem.readBytes(DATA_BASE, DATA_PAGE)!, text: m.mem.readBytes(TEXT_BASE, words.length * 4)!, error,
    };
  } finally {
    m.mem.release();
  }
}

const REGN = (i: number) => (i === 32 ? 'hi' : i === 33 ? 'lo' : `$${i}`);
const hex = (v: number) => '0x' + (v >>> 0).toString(16).padStart(8, '0');

/** The differences between two outcomes (empty: identical). */
export function compare(a: Outcome, b: Outcome): string[] {
  const d: string[] = [];
  if (a.error || b.error) d.push(`error: interp ${a.error ?? '-'} / jit ${b.error ?? '-'}`);
  if (a.kind !== b.kind) d.push(`stop kind: interp ${a.kind} / jit ${b.kind}`);
  if (a.exitCode !== b.exitCode) d.push(`exit code: interp ${a.exitCode} / jit ${b.exitCode}`);
  if (a.insns !== b.insns) d.push(`insn count: interp ${a.insns} / jit ${b.insns}`);
  if (a.pc !== b.pc) d.push(`pc: interp ${hex(a.pc)} / jit ${hex(b.pc)}`);
  if (a.npc !== b.npc) d.push(`npc: interp ${hex(a.npc)} / jit ${hex(b.npc)}`);
  for (let i = 1; i < 34; i++) if (a.regs[i] !== b.regs[i]) d.push(`${REGN(i)}: interp ${hex(a.regs[i])} / jit ${hex(b.regs[i])}`);
  const fa = JSON.stringify(a.fault), fb = JSON.stringify(b.fault);
  if (fa !== fb) d.push(`exception: interp ${fa} / jit ${fb}`);
  for (const [name, x, y, base] of [['data', a.data, b.data, DATA_BASE], ['text', a.text, b.text, TEXT_BASE]] as const) {
    for (let i = 0; i < x.length; i++) {
      if (x[i] !== y[i]) { d.push(`${name} memory differs first at ${hex(base + i)}: interp ${x[i]} / jit ${y[i]}`); break; }
    }
  }
  return d;
}

export function diverges(p: Program): string[] {
  const words = assemble(p);
  return compare(execute('interp', p, words), execute('jit', p, words));
}

/** Deletes items (retargeting control flow) while the program still diverges. */
export function shrink(p: Program): Program {
  let cur = p;
  for (let changed = true; changed;) {
    changed = false;
    for (let i = cur.items.length - 1; i >= 0; i--) {
      const items = cur.items.filter((_, j) => j !== i).map((it): Item => {
        const fix = (t: number) => (t > i ? t - 1 : t);
        if (it.kind === 'branch') return { ...it, ctl: { ...it.ctl, target: fix(it.ctl.target) } };
        if (it.kind === 'smc') return { ...it, target: fix(it.target) };
        return it;
      });
      const cand = { ...cur, items };
      let d: string[];
      try { d = diverges(cand); } catch { continue; }
      if (d.length) { cur = cand; changed = true; }
    }
  }
  return cur;
}

/** The program as an assembly listing plus its initial state. */
export function listing(p: Program): string {
  const words = assemble(p);
  const lines = [`# ${p.bigEndian ? 'big' : 'little'}-endian, delay slots ${p.delaySlots ? 'on' : 'off'}, max-insns ${p.maxInsns}, jit threshold 0`];
  lines.push('# initial registers: ' + p.regs.map((v, i) => (i === 0 ? '' : `${REGN(i)}=${hex(v)}`)).filter(Boolean).join(' '));
  words.forEach((w, i) => {
    const pc = TEXT_BASE + 4 * i;
    lines.push(`${hex(pc)}:  ${hex(w).slice(2)}  ${disassembleText(w, pc)}`);
  });
  return lines.join('\n');
}

export interface FuzzReport { cases: number; failures: { seed: number; diffs: string[]; listing: string }[]; }

/** Runs `cases` programs from seeds seed, seed+1, ...; shrinks each divergence. */
export function fuzz(opts: { cases: number; seed: number; shrink?: boolean; onFailure?: (f: FuzzReport['failures'][0]) => void; stopAfter?: number }): FuzzReport {
  const report: FuzzReport = { cases: 0, failures: [] };
  for (let c = 0; c < opts.cases; c++) {
    const seed = (opts.seed + c) >>> 0;
    const p = generate(seed);
    const d = diverges(p);
    report.cases++;
    if (d.length) {
      const small = opts.shrink === false ? p : shrink(p);
      const f = { seed, diffs: diverges(small), listing: listing(small) };
      report.failures.push(f);
      opts.onFailure?.(f);
      if (opts.stopAfter && report.failures.length >= opts.stopAfter) break;
    }
  }
  return report;
}
