// MIPS32 -> IR. The semantics here are written independently of the interpreter's handlers
// (interp.ts): the two engines are oracles for each other. The integer ISA is translated
// natively; instructions this file does not know (CP1 arithmetic, CP0) become a call that runs
// the interpreter's handler for that one instruction, so coverage is total.
//
// A block runs from its start pc to the first branch or jump (plus its delay slot when delay
// slots are on), a syscall or other block-ending instruction, a page boundary or a size limit.
import {
  Const, Global, IrBuilder, helper, invertCond, INSN_DELAY_SLOT,
  type Cond, type Helper, type IrBlock, type Value, type Var,
} from '../../ir/index.js';
import { ExcCode } from '../../machine/exceptions.js';
import { REG_HI, REG_LO } from '../../machine/cpu.js';
import type { Machine } from '../../machine/machine.js';
import type { InsnDef } from '../../isa/table.js';
import { mipsDecoder } from './disasm.js';

export const MAX_BLOCK_INSNS = 96;

const PAGE_SHIFT = 12;

/** How generated code reaches a global: a JS local name when cached, and its home in the guest state. */
export interface GlobalBinding {
  /** Identifier of the host local (cacheable globals). */
  local: string;
  /** JS lvalue of the global's home (`R[8]`, `C.pc`). */
  ref: string;
  /** The home may hold a non-int32 number (read with `| 0`, stored with `>>> 0`). */
  unsigned: boolean;
}

export interface MipsGlobals {
  gpr: Global[]; // index 1..31 (0 is the constant zero and has no global)
  hi: Global;
  lo: Global;
  pc: Global;
  npc: Global;
  llbit: Global;
  fcsr: Global;
  userLocal: Global;
  /** The FPR file as 64 words (cpu.fw; not cached: FPU helpers read and write it in place). */
  fpr: Global[];
}

const ABI = [
  'zero', 'at', 'v0', 'v1', 'a0', 'a1', 'a2', 'a3', 't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7',
  's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 't8', 't9', 'k0', 'k1', 'gp', 'sp', 's8', 'ra',
];

/** The guest state as IR globals; `cacheRegs` lets generated code keep GPRs/HI/LO in locals. */
export function makeMipsGlobals(cacheRegs = true): { globals: MipsGlobals; bindings: Map<Global, GlobalBinding> } {
  const bindings = new Map<Global, GlobalBinding>();
  const gpr: Global[] = [];
  for (let i = 1; i < 32; i++) {
    const g = new Global(i, `$${ABI[i]}`, cacheRegs);
    gpr[i] = g;
    bindings.set(g, { local: `r${i}`, ref: `R[${i}]`, unsigned: false });
  }
  const mk = (id: number, name: string, cacheable: boolean, local: string, ref: string, unsigned: boolean) => {
    const g = new Global(id, name, cacheable);
    bindings.set(g, { local, ref, unsigned });
    return g;
  };
  const globals: MipsGlobals = {
    gpr,
    hi: mk(REG_HI, '$hi', cacheRegs, 'hi', `R[${REG_HI}]`, false),
    lo: mk(REG_LO, '$lo', cacheRegs, 'lo', `R[${REG_LO}]`, false),
    pc: mk(40, 'pc', false, 'pc_', 'C.pc', true),
    npc: mk(41, 'npc', false, 'npc_', 'C.npc', true),
    llbit: mk(42, 'llbit', false, 'llbit_', 'C.llbit', true),
    fcsr: mk(43, 'fcsr', false, 'fcsr_', 'C.fcsr', true),
    userLocal: mk(44, 'userlocal', false, 'ul_', 'C.userLocal', true),
    fpr: [],
  };
  for (let i = 0; i < 64; i++) globals.fpr.push(mk(64 + i, `fw${i}`, false, `fw${i}`, `F[${i}]`, false));
  return { globals, bindings };
}

const simm16 = (w: number) => (w << 16) >> 16;
const rsOf = (w: number) => (w >>> 21) & 31;
const rtOf = (w: number) => (w >>> 16) & 31;
const rdOf = (w: number) => (w >>> 11) & 31;
const saOf = (w: number) => (w >>> 6) & 31;

/** Instructions translated natively (everything else in the table runs through a helper). */
const NATIVE = new Set([
  'add', 'addu', 'sub', 'subu', 'and', 'or', 'xor', 'nor', 'slt', 'sltu', 'movz', 'movn', 'movf', 'movt',
  'sll', 'srl', 'rotr', 'sra', 'sllv', 'srlv', 'rotrv', 'srav',
  'mfhi', 'mthi', 'mflo', 'mtlo', 'mult', 'multu', 'div', 'divu', 'madd', 'maddu', 'msub', 'msubu', 'mul', 'clz', 'clo',
  'jr', 'jr.hb', 'jalr', 'jalr.hb', 'j', 'jal',
  'break', 'sdbbp', 'sync', 'synci', 'pref', 'cache',
  'tge', 'tgeu', 'tlt', 'tltu', 'teq', 'tne', 'tgei', 'tgeiu', 'tlti', 'tltiu', 'teqi', 'tnei',
  'bltz', 'bgez', 'bltzl', 'bgezl', 'bltzal', 'bgezal', 'bltzall', 'bgezall',
  'beq', 'bne', 'blez', 'bgtz', 'beql', 'bnel', 'blezl', 'bgtzl', 'bc1f', 'bc1t', 'bc1fl', 'bc1tl',
  'addi', 'addiu', 'slti', 'sltiu', 'andi', 'ori', 'xori', 'lui',
  'ext', 'ins', 'wsbh', 'seb', 'seh', 'rdhwr',
  'lb', 'lbu', 'lh', 'lhu', 'lw', 'll', 'lwl', 'lwr', 'sb', 'sh', 'sw', 'sc', 'swl', 'swr',
]);

/** SPIM-compatibility overrides of the interpreter that this frontend translates natively. */
const SPIM_MIRRORED = new Set(['sc', 'mul']);

/** Helper-run instructions after which the block ends (they may change pc, interrupts or the run). */
function endsBlockAfterHelper(def: InsnDef): boolean {
  if (def.name === 'syscall') return true;
  if (def.flags.has('cp0')) return def.name !== 'mfc0';
  return !def.flags.has('cp1');
}

const GPR_FIELDS = ['rs', 'rt', 'rd', 'base', 'index'];

/** Result of decoding one instruction for block formation. */
interface Decoded {
  word: number;
  def: InsnDef | null;
}

export interface FrontendStats {
  helperInsns: number;
  nativeInsns: number;
}

export class MipsFrontend {
  readonly globals: MipsGlobals;
  readonly bindings: Map<Global, GlobalBinding>;
  readonly delaySlots: boolean;
  readonly bigEndian: boolean;
  /**
   * SPIM's semantics where they differ from MIPS32 (a SPIM kernel handler is loaded, as the
   * interpreter's handlers do): sc always succeeds and leaves rt alone, mul also sets HI/LO.
   */
  readonly spimCompat: boolean;
  /** Mode bits fixed for this machine that change translation (part of the cache key). */
  readonly mode: number;

  /** The cache key's mode bits now: the fixed ones plus user mode (kernel code is not entered from user mode). */
  modeNow(): number {
    const m = this.m;
    return (m.mem.userMode ? this.mode | 4 : this.mode) | (m.cpu.fr64 ? 16 : 0);
  }
  maxBlockInsns = MAX_BLOCK_INSNS;
  readonly stats: FrontendStats = { helperInsns: 0, nativeInsns: 0 };
  private readonly decoder = mipsDecoder();
  private readonly helperCache = new Map<number, Helper>();
  private readonly namedHelpers = new Map<string, Helper>();
  private readonly zero: Const;

  // per-block state
  private b!: IrBuilder;
  private pc = 0;
  private next: Value = new Const(0);
  private flags = 0;
  private ended = false;
  /** The block being translated ends in `jr $ra`. */
  private returns = false;

  /**
   * Instructions whose interpreter handler differs from the plain MIPS32 one on this machine
   * (mode-dependent overrides, e.g. SPIM compatibility): they run through the interpreter's
   * handler, unless listed in MIRRORED, so the two engines cannot drift apart.
   */
  private readonly overridden: ReadonlySet<string>;

  constructor(private readonly m: Machine, opts: { cacheRegs?: boolean; overridden?: ReadonlySet<string> } = {}) {
    const { globals, bindings } = makeMipsGlobals(opts.cacheRegs ?? true);
    this.globals = globals;
    this.bindings = bindings;
    this.delaySlots = m.delaySlots;
    this.bigEndian = m.mem.bigEndian;
    this.spimCompat = !!m.sys?.spim;
    const mirrored = this.spimCompat ? SPIM_MIRRORED : new Set<string>();
    this.overridden = new Set([...(opts.overridden ?? [])].filter((n) => !mirrored.has(n)));
    this.mode = (this.delaySlots ? 1 : 0) | (this.bigEndian ? 2 : 0) | (this.spimCompat ? 8 : 0);
    this.zero = new Const(0);
  }

  /** The word at `pc` if its page is present (no allocation, no exceptions), else null. */
  peek(pc: number): number | null {
    if (pc & 3) return null;
    const page = this.m.mem.presentPage(pc >>> PAGE_SHIFT);
    return page === undefined ? null : page[(pc >>> 2) & 1023];
  }

  private decode(pc: number): Decoded | null {
    const w = this.peek(pc);
    if (w === null) return null;
    return { word: w, def: this.decoder.decode(w) };
  }

  private static hasDelaySlot(d: Decoded): boolean {
    return d.def !== null && d.def.flags.has('ds');
  }

  /**
   * How many instructions the block at `pc` would hold (for interpreting cold code block by
   * block); at least 1.
   */
  blockLength(pc: number): number {
    let n = 0;
    const page0 = pc >>> PAGE_SHIFT;
    for (;;) {
      const d = this.decode(pc);
      if (!d) return Math.max(n, 1);
      n++;
      if (MipsFrontend.hasDelaySlot(d)) return this.delaySlots ? n + 1 : n;
      if (!d.def || this.endsBlock(d.def)) return n;
      pc = (pc + 4) >>> 0;
      if (n >= this.maxBlockInsns || pc >>> PAGE_SHIFT !== page0) return n;
    }
  }

  private endsBlock(def: InsnDef): boolean {
    if (this.overridden.has(def.name)) return endsBlockAfterHelper(def);
    if (def.name === 'break' || def.name === 'sdbbp') return true;
    return !NATIVE.has(def.name) && endsBlockAfterHelper(def);
  }

  /** Translates the block at `pc`, or returns null if no block can start there (the interpreter runs it). */
  translateBlock(pc: number): IrBlock | null {
    pc >>>= 0;
    const b = (this.b = new IrBuilder());
    const start = pc;
    const page0 = pc >>> PAGE_SHIFT;
    const words: number[] = [];
    const succs: number[] = [];
    const returnPoints: number[] = [];
    const callTargets: number[] = [];
    let n = 0;
    this.ended = false;
    this.returns = false;
    for (;;) {
      const d = this.decode(pc);
      if (!d) {
        if (n === 0) return null;
        b.gotoTb(pc);
        break;
      }
      if (MipsFrontend.hasDelaySlot(d) && this.overridden.has(d.def!.name)) {
        // an overridden branch: the interpreter runs it
        if (n === 0) return null;
        b.gotoTb(pc);
        break;
      }
      if (MipsFrontend.hasDelaySlot(d)) {
        let slot: Decoded | null = null;
        if (this.delaySlots) {
          slot = this.decode((pc + 4) >>> 0);
          if (!slot || MipsFrontend.hasDelaySlot(slot) || (slot.def && this.overridden.has(slot.def.name) && endsBlockAfterHelper(slot.def))) {
            // a branch in a delay slot (or an unreadable slot): leave it to the interpreter
            if (n === 0) return null;
            b.gotoTb(pc);
            break;
          }
        }
        words.push(d.word);
        if (slot) words.push(slot.word);
        this.branch(pc, d.word, d.def!, slot, returnPoints, callTargets);
        n += slot ? 2 : 1;
        pc = (pc + (slot ? 8 : 4)) >>> 0;
        break;
      }
      words.push(d.word);
      this.pc = pc;
      this.next = b.const(pc + 4);
      this.flags = 0;
      b.insnStart(pc, this.next, 0);
      this.insn(d.word, d.def);
      n++;
      pc = (pc + 4) >>> 0;
      if (this.ended) break;
      if (n >= this.maxBlockInsns || pc >>> PAGE_SHIFT !== page0) {
        b.gotoTb(pc);
        break;
      }
    }
    for (const op of b.ops) if (op.op === 'goto_tb' && !succs.includes(op.pc)) succs.push(op.pc);
    return {
      pc: start, ninsns: n, ops: b.ops, ntemps: b.tempCount, nlabels: b.labelCount, end: pc,
      succs, returnPoints, callTargets, words, returns: this.returns,
    };
  }

  // ---- operand helpers ----

  private R(n: number): Value {
    return n === 0 ? this.zero : this.globals.gpr[n];
  }

  /** Writes GPR n (writes to $zero are dropped). */
  private W(n: number, v: Value): void {
    if (n !== 0) this.b.mov(this.globals.gpr[n], v);
  }

  private raise(code: number, arg: Value | number | null = null): void {
    this.b.raise(code, arg);
  }

  /** Raises `code` unless (a cond b). */
  private trapIf(cond: Cond, a: Value, b: Value | number, code: number): void {
    const ok = this.b.newLabel();
    this.b.brcond(cond, a, b, ok);
    this.raise(code);
    this.b.label(ok);
  }

  private ea(w: number): Var {
    return this.b.add(this.R(rsOf(w)), simm16(w));
  }

  // ---- one non-branch instruction ----

  private insn(w: number, def: InsnDef | null): void {
    const b = this.b;
    if (!def) {
      this.raise(ExcCode.RI);
      this.ended = true;
      return;
    }
    const rs = rsOf(w), rt = rtOf(w), rd = rdOf(w), sa = saOf(w);
    const S = () => this.R(rs), T = () => this.R(rt);
    if (this.overridden.has(def.name)) return this.viaHelper(w, def);
    if (def.flags.has('cp1') && this.fpu(w, def)) {
      this.stats.nativeInsns++;
      return;
    }
    if (NATIVE.has(def.name)) this.stats.nativeInsns++;
    switch (def.name) {
      case 'add': case 'sub': {
        const x = S(), y = T();
        const s = b.bin(def.name, x, y);
        // signed overflow: add when both inputs differ in sign from the sum; sub when x and y
        // differ in sign and the result's sign differs from x
        const f = def.name === 'add'
          ? b.and(b.xor(x, s), b.xor(y, s))
          : b.and(b.xor(x, y), b.xor(x, s));
        this.trapIf('ge', f, 0, ExcCode.Ov);
        this.W(rd, s);
        return;
      }
      case 'addu': this.W(rd, b.add(S(), T())); return;
      case 'subu': this.W(rd, b.sub(S(), T())); return;
      case 'and': this.W(rd, b.and(S(), T())); return;
      case 'or': this.W(rd, b.or(S(), T())); return;
      case 'xor': this.W(rd, b.xor(S(), T())); return;
      case 'nor': this.W(rd, b.un('not', b.or(S(), T()))); return;
      case 'slt': this.W(rd, b.setcond('lt', S(), T())); return;
      case 'sltu': this.W(rd, b.setcond('ltu', S(), T())); return;
      case 'movz': if (rd) this.W(rd, b.movcond('eq', T(), 0, S(), this.R(rd))); return;
      case 'movn': if (rd) this.W(rd, b.movcond('ne', T(), 0, S(), this.R(rd))); return;
      case 'movf': case 'movt': {
        if (!rd) return;
        const bit = this.ccBit((w >>> 18) & 7);
        this.W(rd, b.movcond(def.name === 'movt' ? 'ne' : 'eq', bit, 0, S(), this.R(rd)));
        return;
      }
      case 'sll': this.W(rd, b.shl(T(), sa)); return;
      case 'srl': this.W(rd, b.shr(T(), sa)); return;
      case 'sra': this.W(rd, b.sar(T(), sa)); return;
      case 'rotr': this.W(rd, b.bin('rotr', T(), sa)); return;
      case 'sllv': this.W(rd, b.shl(T(), b.and(S(), 31))); return;
      case 'srlv': this.W(rd, b.shr(T(), b.and(S(), 31))); return;
      case 'srav': this.W(rd, b.sar(T(), b.and(S(), 31))); return;
      case 'rotrv': this.W(rd, b.bin('rotr', T(), b.and(S(), 31))); return;
      case 'mfhi': this.W(rd, this.globals.hi); return;
      case 'mflo': this.W(rd, this.globals.lo); return;
      case 'mthi': b.mov(this.globals.hi, S()); return;
      case 'mtlo': b.mov(this.globals.lo, S()); return;
      case 'mult': case 'multu': {
        const x = S(), y = T();
        const lo = b.bin('mul', x, y);
        const hi = b.bin(def.name === 'mult' ? 'mulhs' : 'mulhu', x, y);
        b.mov(this.globals.hi, hi);
        b.mov(this.globals.lo, lo);
        return;
      }
      case 'div': {
        // Division by zero and INT_MIN / -1 are UNPREDICTABLE; this emulator divides by 1 then.
        const x = S(), y = T();
        const ovf = b.and(b.setcond('eq', x, -0x80000000), b.setcond('eq', y, -1));
        const bad = b.or(b.setcond('eq', y, 0), ovf);
        const d = b.movcond('ne', bad, 0, 1, y);
        const q = b.bin('divs', x, d), r = b.bin('rems', x, d);
        b.mov(this.globals.hi, r);
        b.mov(this.globals.lo, q);
        return;
      }
      case 'divu': {
        const x = S(), y = T();
        const d = b.movcond('eq', y, 0, 1, y);
        const q = b.bin('divu', x, d), r = b.bin('remu', x, d);
        b.mov(this.globals.hi, r);
        b.mov(this.globals.lo, q);
        return;
      }
      case 'madd': case 'maddu': case 'msub': case 'msubu': {
        const x = S(), y = T();
        const pl = b.bin('mul', x, y);
        const ph = b.bin(def.name === 'madd' || def.name === 'msub' ? 'mulhs' : 'mulhu', x, y);
        const { hi, lo } = this.globals;
        if (def.name.startsWith('madd')) {
          const nlo = b.add(lo, pl);
          const carry = b.setcond('ltu', nlo, pl);
          const nhi = b.add(b.add(hi, ph), carry);
          b.mov(hi, nhi);
          b.mov(lo, nlo);
        } else {
          const borrow = b.setcond('ltu', lo, pl);
          const nlo = b.sub(lo, pl);
          const nhi = b.sub(b.sub(hi, ph), borrow);
          b.mov(hi, nhi);
          b.mov(lo, nlo);
        }
        return;
      }
      case 'mul': {
        const x = S(), y = T();
        const lo = b.bin('mul', x, y);
        if (this.spimCompat) {
          b.mov(this.globals.hi, b.bin('mulhs', x, y));
          b.mov(this.globals.lo, lo);
        }
        this.W(rd, lo);
        return;
      }
      case 'clz': this.W(rd, b.un('clz', S())); return;
      case 'clo': this.W(rd, b.un('clz', b.un('not', S()))); return;

      case 'break': case 'sdbbp':
        this.raise(ExcCode.Bp);
        this.ended = true;
        return;
      case 'sync': case 'synci': case 'pref': case 'cache':
        return;
      case 'tge': this.trapIf('lt', S(), T(), ExcCode.Tr); return;
      case 'tgeu': this.trapIf('ltu', S(), T(), ExcCode.Tr); return;
      case 'tlt': this.trapIf('ge', S(), T(), ExcCode.Tr); return;
      case 'tltu': this.trapIf('geu', S(), T(), ExcCode.Tr); return;
      case 'teq': this.trapIf('ne', S(), T(), ExcCode.Tr); return;
      case 'tne': this.trapIf('eq', S(), T(), ExcCode.Tr); return;
      case 'tgei': this.trapIf('lt', S(), b.const(simm16(w)), ExcCode.Tr); return;
      case 'tgeiu': this.trapIf('ltu', S(), b.const(simm16(w)), ExcCode.Tr); return;
      case 'tlti': this.trapIf('ge', S(), b.const(simm16(w)), ExcCode.Tr); return;
      case 'tltiu': this.trapIf('geu', S(), b.const(simm16(w)), ExcCode.Tr); return;
      case 'teqi': this.trapIf('ne', S(), b.const(simm16(w)), ExcCode.Tr); return;
      case 'tnei': this.trapIf('eq', S(), b.const(simm16(w)), ExcCode.Tr); return;

      case 'addi': {
        const x = S(), imm = simm16(w);
        const s = b.add(x, imm);
        // overflow iff x and imm have the same sign and the sum's sign differs
        const f = b.and(b.xor(x, s), b.xor(s, imm));
        this.trapIf('ge', f, 0, ExcCode.Ov);
        this.W(rt, s);
        return;
      }
      case 'addiu': this.W(rt, b.add(S(), simm16(w))); return;
      case 'slti': this.W(rt, b.setcond('lt', S(), simm16(w))); return;
      case 'sltiu': this.W(rt, b.setcond('ltu', S(), simm16(w))); return;
      case 'andi': this.W(rt, b.and(S(), w & 0xffff)); return;
      case 'ori': this.W(rt, b.or(S(), w & 0xffff)); return;
      case 'xori': this.W(rt, b.xor(S(), w & 0xffff)); return;
      case 'lui': this.W(rt, b.const(w << 16)); return;

      case 'ext': {
        const lsb = sa, size = rd + 1;
        this.W(rt, b.extract(S(), lsb, Math.min(size, 32 - lsb)));
        return;
      }
      case 'ins': {
        const lsb = sa, size = rd - lsb + 1;
        if (size <= 0 || rt === 0) return; // UNPREDICTABLE: rt unchanged
        this.W(rt, b.deposit(T(), S(), lsb, size));
        return;
      }
      case 'wsbh': {
        const x = T();
        this.W(rd, b.or(b.shl(b.and(x, 0x00ff00ff), 8), b.and(b.shr(x, 8), 0x00ff00ff)));
        return;
      }
      case 'seb': this.W(rd, b.extract(T(), 0, 8, true)); return;
      case 'seh': this.W(rd, b.extract(T(), 0, 16, true)); return;
      case 'rdhwr':
        switch (rd) {
          case 0: this.W(rt, b.const(0)); return; // CPUNum
          case 1: this.W(rt, b.const(32)); return; // SYNCI_Step
          case 2: this.W(rt, b.insnCount()); return; // CC
          case 3: this.W(rt, b.const(1)); return; // CCRes
          case 29: this.W(rt, b.mov(b.temp(), this.globals.userLocal)); return;
          default: this.raise(ExcCode.RI); this.ended = true; return;
        }

      case 'lb': this.W(rt, b.ld(this.ea(w), 1, true)); return;
      case 'lbu': this.W(rt, b.ld(this.ea(w), 1, false)); return;
      case 'lh': this.W(rt, b.ld(this.ea(w), 2, true)); return;
      case 'lhu': this.W(rt, b.ld(this.ea(w), 2, false)); return;
      case 'lw': this.W(rt, b.ld(this.ea(w), 4, false)); return;
      case 'll': {
        const v = b.ld(this.ea(w), 4, false);
        b.mov(this.globals.llbit, 1);
        this.W(rt, v);
        return;
      }
      case 'sb': b.st(this.ea(w), T(), 1); return;
      case 'sh': b.st(this.ea(w), T(), 2); return;
      case 'sw': b.st(this.ea(w), T(), 4); return;
      case 'sc': {
        const a = this.ea(w);
        if (this.spimCompat) {
          // always succeeds (uniprocessor), rt keeps the stored value
          b.mov(this.globals.llbit, 1);
          b.st(a, T(), 4);
          b.mov(this.globals.llbit, 0);
          return;
        }
        const fail = b.newLabel(), done = b.newLabel();
        b.brcond('eq', this.globals.llbit, 0, fail);
        b.st(a, T(), 4);
        this.W(rt, b.const(1));
        b.br(done);
        b.label(fail);
        // a failing sc still checks alignment
        const ok = b.newLabel();
        b.brcond('eq', b.and(a, 3), 0, ok);
        this.raise(ExcCode.AdES, a);
        b.label(ok);
        this.W(rt, b.const(0));
        b.label(done);
        b.mov(this.globals.llbit, 0);
        return;
      }
      case 'lwl': case 'lwr': case 'swl': case 'swr': {
        this.unaligned(def.name, w);
        return;
      }
    }
    this.viaHelper(w, def);
  }

  /** lwl/lwr/swl/swr: the aligned word containing the address, merged by the byte offset. */
  private unaligned(name: string, w: number): void {
    const b = this.b;
    const a = this.ea(w);
    const wa = b.and(a, ~3);
    const word = b.ld(wa, 4, false);
    const k = b.and(a, 3); // byte offset in memory order
    // For big-endian, the "left" part starts at memory byte k, i.e. k bytes into the register
    // from the most significant end; little-endian mirrors the offset.
    const kk = this.bigEndian ? k : b.xor(k, 3);
    const rt = rtOf(w);
    const r = this.R(rt);
    switch (name) {
      case 'lwl': {
        // bytes k..3 (BE) go to the top of rt; the low k bytes of rt stay
        const sh = b.shl(kk, 3);
        const keep = b.sub(b.shl(1, sh), 1);
        this.W(rt, b.or(b.shl(word, sh), b.and(r, keep)));
        return;
      }
      case 'lwr': {
        // bytes 0..k (BE) go to the bottom of rt; the high 3-k bytes of rt stay
        const sh = b.shl(b.xor(kk, 3), 3);
        const take = b.shr(b.const(-1), sh);
        this.W(rt, b.or(b.shr(word, sh), b.and(r, b.un('not', take))));
        return;
      }
      case 'swl': {
        const sh = b.shl(kk, 3);
        const take = b.shr(b.const(-1), sh); // memory bytes k..3 (BE) replaced by rt's top bytes
        b.st(wa, b.or(b.and(word, b.un('not', take)), b.shr(r, sh)), 4);
        return;
      }
      case 'swr': {
        const sh = b.shl(b.xor(kk, 3), 3);
        const keep = b.sub(b.shl(1, sh), 1); // memory bytes k+1..3 (BE) stay
        b.st(wa, b.or(b.shl(r, sh), b.and(word, keep)), 4);
        return;
      }
    }
  }

  // ---- CP1 ----
  // Register numbers map to FPR words for the FR mode of the translation (cpu.fr64 is in the
  // cache key): single/word n is word si(n); double n is words 2*di(n) (low) and 2*di(n)+1.
  // Moves, loads and stores are IR over the FPR words; arithmetic calls the fast paths of
  // fpu.ts (fpuFastPaths), which fall back to the interpreter's handler for the word. What is
  // not here (or is reserved in this mode) runs through the handler as before.

  /** Translates a CP1 instruction natively; false to leave it to the interpreter's handler. */
  private fpu(w: number, def: InsnDef): boolean {
    const b = this.b, F = this.globals.fpr;
    const fr64 = this.m.cpu.fr64;
    const ft = (w >>> 16) & 31, fs = (w >>> 11) & 31, fd = (w >>> 6) & 31, fr = (w >>> 21) & 31, rt = rtOf(w);
    const si = (n: number) => (fr64 ? n << 1 : n);
    /** Double index, or -1 when reserved (FR=0, odd register). */
    const di = (n: number) => (fr64 ? n : n & 1 ? -1 : n >> 1);
    const dp = (n: number) => (fr64 ? n : n >> 1);
    const name = def.name;
    const call = (h: string, args: number[]) => b.call(this.fpHelper(h), [...args, def.id, w]);
    const word = (i: number): Var => b.mov(b.temp(), F[i]);
    switch (name) {
      case 'lwc1': b.mov(F[si(ft)], b.ld(this.ea(w), 4, false)); return true;
      case 'swc1': b.st(this.ea(w), F[si(ft)], 4); return true;
      case 'ldc1':
        b.call(this.memHelper('ld64'), [this.ea(w), 2 * dp(ft)]);
        return true;
      case 'sdc1': {
        const d = dp(ft);
        const lo = F[2 * d], hi = F[2 * d + 1];
        b.call(this.memHelper('sd64'), [this.ea(w), this.bigEndian ? hi : lo, this.bigEndian ? lo : hi]);
        return true;
      }
      case 'mfc1': this.W(rt, word(si(fs))); return true;
      case 'mtc1': b.mov(F[si(fs)], this.R(rt)); return true;
      case 'mfhc1': this.W(rt, word(fr64 ? 2 * fs + 1 : fs | 1)); return true;
      case 'mthc1': b.mov(F[fr64 ? 2 * fs + 1 : fs | 1], this.R(rt)); return true;
      case 'mov.s': b.mov(F[si(fd)], F[si(fs)]); return true;
      case 'abs.s': b.mov(F[si(fd)], b.and(F[si(fs)], 0x7fffffff)); return true;
      case 'neg.s': b.mov(F[si(fd)], b.xor(F[si(fs)], 0x80000000 | 0)); return true;
      case 'mov.d': case 'abs.d': case 'neg.d': {
        const s = di(fs), d = di(fd);
        if (s < 0 || d < 0) return false;
        const hi = word(2 * s + 1), lo = word(2 * s);
        b.mov(F[2 * d], lo);
        b.mov(F[2 * d + 1], name === 'mov.d' ? hi : name === 'abs.d' ? b.and(hi, 0x7fffffff) : b.xor(hi, 0x80000000 | 0));
        return true;
      }
      case 'movf.s': case 'movt.s': case 'movz.s': case 'movn.s':
      case 'movf.d': case 'movt.d': case 'movz.d': case 'movn.d': {
        const kind = name.slice(0, 4);
        const [x, cond]: [Value, Cond] = kind === 'movf' || kind === 'movt'
          ? [this.ccBit((w >>> 18) & 7), kind === 'movt' ? 'ne' : 'eq']
          : [this.R(rt), kind === 'movn' ? 'ne' : 'eq'];
        const c = b.setcond(cond, x, 0);
        const words: [number, number][] = name.endsWith('.s')
          ? [[si(fd), si(fs)]]
          : [[2 * dp(fd), 2 * dp(fs)], [2 * dp(fd) + 1, 2 * dp(fs) + 1]];
        const vals = words.map(([, s]) => word(s));
        words.forEach(([d], i) => b.mov(F[d], b.movcond('ne', c, 0, vals[i], F[d])));
        return true;
      }
      case 'add.d': case 'sub.d': case 'mul.d': case 'div.d': {
        const t = di(ft), s = di(fs), d = di(fd);
        if (s < 0 || t < 0 || d < 0) return false;
        call(name.replace('.', '_'), [d, s, t]);
        return true;
      }
      case 'sqrt.d': {
        const s = di(fs), d = di(fd);
        if (s < 0 || d < 0) return false;
        call('sqrt_d', [d, s]);
        return true;
      }
      case 'madd.d': case 'msub.d': case 'nmadd.d': case 'nmsub.d': {
        const t = di(ft), s = di(fs), d = di(fd), r = di(fr);
        if (s < 0 || t < 0 || d < 0 || r < 0) return false;
        call('madd_d', [d, s, t, r, ['madd.d', 'msub.d', 'nmadd.d', 'nmsub.d'].indexOf(name)]);
        return true;
      }
      case 'add.s': case 'sub.s': case 'mul.s':
        call(name.replace('.', '_'), [si(fd), si(fs), si(ft)]);
        return true;
      case 'cvt.d.w': case 'cvt.d.s': {
        const d = di(fd);
        if (d < 0) return false;
        if (name === 'cvt.d.w') b.call(this.fpHelper('cvt_d_w', false), [d, si(fs)]);
        else call('cvt_d_s', [d, si(fs)]);
        return true;
      }
      case 'cvt.s.d': case 'trunc.w.d': {
        const s = di(fs);
        if (s < 0) return false;
        call(name.replace(/\./g, '_'), [si(fd), s]);
        return true;
      }
    }
    if (name.startsWith('c.')) {
      const isD = name.endsWith('.d');
      const s = isD ? di(fs) : si(fs), t = isD ? di(ft) : si(ft);
      if (s < 0 || t < 0) return false;
      const cc = (w >>> 8) & 7;
      call(isD ? 'c_d' : 'c_s', [s, t, w & 15, 1 << (cc === 0 ? 23 : 24 + cc)]);
      return true;
    }
    return false;
  }

  private fpHelper(name: string, mayRaise = true): Helper {
    const key = `fp_${name}${mayRaise ? '' : '!'}`;
    let h = this.namedHelpers.get(key);
    if (!h) this.namedHelpers.set(key, (h = helper(`fp_${name}`, { mayRaise })));
    return h;
  }

  /** ld64/sd64: doubleword accesses in the runtime (fast path inside). */
  private memHelper(name: 'ld64' | 'sd64'): Helper {
    let h = this.namedHelpers.get(name);
    if (!h) this.namedHelpers.set(name, (h = helper(name, { mayRaise: true, countArg: true, writesMemory: name === 'sd64' })));
    return h;
  }

  /** FCSR condition bit cc as 0/1. */
  private ccBit(cc: number): Var {
    return this.b.extract(this.globals.fcsr, cc === 0 ? 23 : 24 + cc, 1);
  }

  /** Runs the interpreter's handler for this one instruction. */
  private viaHelper(w: number, def: InsnDef): void {
    const b = this.b;
    this.stats.helperInsns++;
    const ends = endsBlockAfterHelper(def);
    // the registers the handler may touch: the GPR fields of this very word
    const regs: Global[] = [];
    let mask = 0;
    if (!ends) {
      for (const f of def.fields) {
        if (!GPR_FIELDS.includes(f.name)) continue;
        const n = (w >>> f.lo) & ((1 << f.width) - 1);
        if (n !== 0 && !(mask & (1 << n))) {
          mask |= 1 << n;
          regs.push(this.globals.gpr[n]);
        }
      }
    }
    const key = def.id * 4294967296 + (mask >>> 0);
    let h = this.helperCache.get(key);
    if (!h) {
      const cp1 = def.flags.has('cp1');
      h = ends
        ? helper('interp', { reads: 'all', writes: 'all', readsCount: true, writesMemory: true })
        : helper('interp', { reads: regs, writes: regs, readsCount: !cp1, writesMemory: !cp1 || def.flags.has('store') });
      this.helperCache.set(key, h);
    }
    if (ends) {
      // the interpreter's convention: pc/npc already advanced when the handler runs
      b.mov(this.globals.pc, this.next);
      b.mov(this.globals.npc, b.add(this.next, 4));
    }
    b.call(h, [def.id, w]);
    if (ends) {
      b.exitEnv();
      this.ended = true;
    }
  }

  // ---- branches and jumps (with their delay slot) ----

  private branch(pc: number, w: number, def: InsnDef, slot: Decoded | null, returnPoints: number[], callTargets: number[]): void {
    const b = this.b;
    const ds = this.delaySlots;
    const name = def.name;
    this.stats.nativeInsns++;
    this.pc = pc;
    this.next = b.const(pc + 4);
    this.flags = 0;
    b.insnStart(pc, this.next, 0);
    const after = (pc + (ds ? 8 : 4)) >>> 0; // where execution continues when not branching
    const link = (ds ? pc + 8 : pc + 4) | 0;
    const rs = rsOf(w), rt = rtOf(w);
    const S = this.R(rs), T = this.R(rt);
    const isLink = def.flags.has('link');

    // jumps: unconditional
    if (name === 'j' || name === 'jal') {
      const target = (((pc + 4) & 0xf0000000) | ((w & 0x03ffffff) << 2)) >>> 0;
      if (name === 'jal') {
        this.W(31, b.const(link));
        returnPoints.push(after);
        callTargets.push(target);
      }
      this.delaySlot(slot, pc, b.const(target));
      b.gotoTb(target);
      return;
    }
    if (name === 'jr' || name === 'jr.hb' || name === 'jalr' || name === 'jalr.hb') {
      const t = b.mov(b.temp(), S); // read before the link write and the delay slot
      if (name.startsWith('jalr')) {
        this.W(rdOf(w), b.const(link));
        if (rdOf(w) !== 0) returnPoints.push(after);
      } else if (rs === 31) this.returns = true;
      this.delaySlot(slot, pc, t);
      b.gotoPtr(t);
      return;
    }

    // conditional branches
    const target = (pc + 4 + (simm16(w) << 2)) >>> 0;
    let cond: Cond, x: Value, y: Value;
    switch (name) {
      case 'beq': case 'beql': cond = 'eq'; x = S; y = T; break;
      case 'bne': case 'bnel': cond = 'ne'; x = S; y = T; break;
      case 'blez': case 'blezl': cond = 'le'; x = S; y = this.zero; break;
      case 'bgtz': case 'bgtzl': cond = 'gt'; x = S; y = this.zero; break;
      case 'bltz': case 'bltzl': case 'bltzal': case 'bltzall': cond = 'lt'; x = S; y = this.zero; break;
      case 'bgez': case 'bgezl': case 'bgezal': case 'bgezall': cond = 'ge'; x = S; y = this.zero; break;
      case 'bc1f': case 'bc1fl': cond = 'eq'; x = this.ccBit((w >>> 18) & 7); y = this.zero; break;
      case 'bc1t': case 'bc1tl': cond = 'ne'; x = this.ccBit((w >>> 18) & 7); y = this.zero; break;
      default: throw new Error(`frontend: no translation for branch '${name}'`);
    }
    const likely = def.flags.has('likely');
    if (isLink) {
      returnPoints.push(after);
      callTargets.push(target);
    }

    // the condition is decided before the link write and the delay slot (either may change
    // its operands); the branch then tests the operands directly when they are unchanged
    const condAt = b.ops.length;
    const c = b.setcond(cond, x, y);
    if (isLink) this.W(31, b.const(link));
    const test = (): [Cond, Value, Value] =>
      this.writtenSince(condAt, x) || this.writtenSince(condAt, y) ? ['ne', c, this.zero] : [cond, x, y];

    if (!ds) {
      // no delay slot: the branch decides immediately; likely branches behave like plain ones
      this.twoWay(test(), target, after);
      return;
    }

    if (likely) {
      // the slot runs only when the branch is taken
      const [tc, ta, tb] = test();
      const taken = b.newLabel();
      b.brcond(tc, ta, tb, taken);
      b.gotoTb(after); // annulled: skip the slot
      b.label(taken);
      this.delaySlot(slot, pc, b.const(target));
      b.gotoTb(target);
      return;
    }

    // plain branch: decided before the slot, transfers after it
    const nextAt = b.ops.length;
    const nextT = b.temp();
    this.delaySlot(slot, pc, nextT);
    // the slot's restart pc is only read if the slot can fault or end the block early
    const slotOps = b.ops.slice(nextAt);
    const needsNext = slotOps.some((op) => op.op === 'ld' || op.op === 'st' || op.op === 'raise' || op.op === 'call');
    if (needsNext) {
      b.ops.splice(nextAt, 0, { op: 'movcond', cond: 'ne', d: nextT, a: c, b: this.zero, t: b.const(target), f: b.const(after) });
    } else {
      const st = b.ops[nextAt];
      if (st.op === 'insn_start') b.ops[nextAt] = { ...st, next: b.const(target) };
    }
    this.twoWay(test(), target, after);
  }

  private writtenSince(from: number, v: Value): boolean {
    if (v.kind === 'const') return false;
    const ops = this.b.ops;
    for (let i = from; i < ops.length; i++) {
      const op = ops[i];
      if ('d' in op && op.d === v) return true;
      if (op.op === 'call' && v.kind === 'global' && (op.helper.writes === 'all' || op.helper.writes.includes(v))) return true;
    }
    return false;
  }

  /** goto target if the test holds, else goto fallthrough. */
  private twoWay([cond, x, y]: [Cond, Value, Value], target: number, fallthrough: number): void {
    const b = this.b;
    // the fall-through exit last: in a region it often continues into the next block's case
    const notTaken = b.newLabel();
    b.brcond(invertCond(cond), x, y, notTaken);
    b.gotoTb(target);
    b.label(notTaken);
    b.gotoTb(fallthrough);
  }

  /** Emits the delay slot instruction (if delay slots are on) with `next` as its successor pc. */
  private delaySlot(slot: Decoded | null, branchPc: number, next: Value): void {
    if (!slot) return;
    const b = this.b;
    const pc = (branchPc + 4) >>> 0;
    this.pc = pc;
    this.next = next;
    this.flags = INSN_DELAY_SLOT;
    b.insnStart(pc, next, INSN_DELAY_SLOT);
    // a slot that raises or ends the block (a syscall) emits its own exit; the branch's exits
    // after it are unreachable and the optimizer drops them
    this.insn(slot.word, slot.def);
  }
}
