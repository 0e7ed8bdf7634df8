// Pseudo-instructions: the union of SPIM's and MARS's sets, each expanded into the shortest
// correct sequence of real instructions (from the instruction table). $at ($1) is the
// scratch register, as in both tools. Semantics follow SPIM/MARS: e.g. `div rd, rs, rt`
// checks for a zero divisor with `break`, `mulo` breaks on overflow.
import type { Expr } from './expr.js';
import {
  addrOf, AT, fitsS16, fitsU16, fprOf, gprOf, lazy, matchTableForm, Mismatch, describeOperand,
  type AddrArg, type FV, type Gen, type MatchEnv, type PV, type TableForm,
} from './forms.js';
import type { Operand } from './parser.js';

type Arg = number | PV | AddrArg | Expr;

export interface PseudoRule {
  /** How the form is written, for messages: "li rd, imm". */
  syntax: string;
  /** One letter per operand: r GPR, f FPR, i immediate, l label, a address, F float. */
  sig: string;
  expand(g: Gen, a: Arg[]): void;
}

const R = (a: Arg[], i: number) => a[i] as number;
const I = (a: Arg[], i: number) => a[i] as PV;
const A = (a: Arg[], i: number) => a[i] as AddrArg;
const L = (a: Arg[], i: number): FV => lazy(a[i] as Expr, (v) => v);

export function matchSig(sig: string, ops: Operand[], env: MatchEnv): Arg[] {
  if (ops.length !== sig.length) throw new Mismatch(-1, `expected ${sig.length} operand${sig.length === 1 ? '' : 's'}, found ${ops.length}`);
  return [...sig].map((c, i) => {
    const op = ops[i];
    switch (c) {
      case 'r': return gprOf(op, i, env);
      case 'f': return fprOf(op, i);
      case 'i':
        if (op.k !== 'expr') throw new Mismatch(i, `expected an immediate value, found ${describeOperand(op)}`, op.span);
        return env.pv(op.e);
      case 'l':
        if (op.k !== 'expr') throw new Mismatch(i, `expected a label, found ${describeOperand(op)}`, op.span);
        return op.e;
      case 'a': return addrOf(op, i, env);
      case 'F': {
        if (op.k === 'float') return { known: true, v: 0, f: op.v } as unknown as PV;
        if (op.k === 'expr') {
          const pv = env.pv(op.e);
          if (pv.known) return { known: true, v: 0, f: pv.v } as unknown as PV;
          throw new Mismatch(i, 'expected a floating-point constant', op.span);
        }
        throw new Mismatch(i, `expected a floating-point number, found ${describeOperand(op)}`, op.span);
      }
      default: throw new Error(`bad signature letter ${c}`);
    }
  });
}

const known = (pv: PV): number | null => (pv.known ? pv.v | 0 : null);
const plus = (pv: PV, k: number): PV => (pv.known ? { known: true, v: (pv.v + k) | 0 } : pv);

/** `op rd, rs, imm` with an immediate twin: use it when the value fits, else $at. */
function withImm(rName: string, iName: string, iField: 'imm' | 'uimm', signed: boolean): PseudoRule {
  return {
    syntax: `${rName} rd, rs, imm`,
    sig: 'rri',
    expand(g, a) {
      const v = known(I(a, 2));
      if (v !== null && (signed ? fitsS16(v) : fitsU16(v))) return g.i(iName, { rt: R(a, 0), rs: R(a, 1), [iField]: v });
      if (g.opts.bare) {
        // SPIM -bare turns `add rd, rs, imm` into addi and truncates what does not fit.
        if (v === null) throw new Mismatch(2, 'the immediate must be a constant known at this point');
        return g.i(iName, { rt: R(a, 0), rs: R(a, 1), [iField]: signed ? (v << 16) >> 16 : v & 0xffff });
      }
      if (v === 0) return g.i(rName, { rd: R(a, 0), rs: R(a, 1), rt: 0 });
      const at = g.liAt(I(a, 2));
      g.i(rName, { rd: R(a, 0), rs: R(a, 1), rt: at });
    },
  };
}

/** Immediate instruction with a value that does not fit: li $at, then the register form. */
function wideImm(iName: string, rName: string): PseudoRule {
  return {
    syntax: '', // covered by the table form in messages
    sig: 'rri',
    expand(g, a) {
      const at = g.liAt(I(a, 2));
      g.i(rName, { rd: R(a, 0), rs: R(a, 1), rt: at });
    },
  };
}

/** Shift by register written with the immediate mnemonic, and vice versa. */
function shiftVar(name: string, vName: string): PseudoRule {
  return { syntax: `${name} rd, rt, rs`, sig: 'rrr', expand: (g, a) => g.i(vName, { rd: R(a, 0), rt: R(a, 1), rs: R(a, 2) }) };
}
function shiftImm(vName: string, name: string): PseudoRule {
  return {
    syntax: `${vName} rd, rt, sa`,
    sig: 'rri',
    expand(g, a) {
      const v = known(I(a, 2));
      if (v === null || v < 0 || v > 31) throw new Mismatch(2, 'expected a shift amount 0..31');
      g.i(name, { rd: R(a, 0), rt: R(a, 1), sa: v });
    },
  };
}

function trapImm(name: string, iName: string): PseudoRule {
  return {
    syntax: `${name} rs, imm`,
    sig: 'ri',
    expand(g, a) {
      const v = known(I(a, 1));
      if (v !== null && fitsS16(v)) return g.i(iName, { rs: R(a, 0), imm: v });
      const at = g.liAt(I(a, 1));
      g.i(name, { rs: R(a, 0), rt: at, code: 0 });
    },
  };
}

function wideTrap(iName: string, name: string): PseudoRule {
  return {
    syntax: '',
    sig: 'ri',
    expand(g, a) {
      const at = g.liAt(I(a, 1));
      g.i(name, { rs: R(a, 0), rt: at, code: 0 });
    },
  };
}

/** div/divu/rem/remu rd, rs, rt|imm (SPIM/MARS: a zero divisor register executes `break`). */
function divRules(name: string): PseudoRule[] {
  const hw = name === 'div' || name === 'rem' ? 'div' : 'divu';
  const result = name.startsWith('div') ? 'mflo' : 'mfhi';
  return [
    {
      syntax: `${name} rd, rs, rt`,
      sig: 'rrr',
      expand(g, a) {
        const rd = R(a, 0), rs = R(a, 1), rt = R(a, 2);
        if (rd === 0) return g.i(hw, { rs, rt });
        g.skip('bne', { rs: rt, rt: 0 }, 1);
        g.i('break', { code: 0 });
        g.i(hw, { rs, rt });
        g.i(result, { rd });
      },
    },
    {
      syntax: `${name} rd, rs, imm`,
      sig: 'rri',
      expand(g, a) {
        if (known(I(a, 2)) === 0) throw new Mismatch(2, 'division by zero');
        const at = g.liAt(I(a, 2));
        g.i(hw, { rs: R(a, 1), rt: at });
        g.i(result, { rd: R(a, 0) });
      },
    },
  ];
}

function mulRules(): Record<string, PseudoRule[]> {
  const src = (g: Gen, a: Arg[]): number => (typeof a[2] === 'number' ? (a[2] as number) : g.liAt(a[2] as PV));
  const mulo = (unsigned: boolean) => (g: Gen, a: Arg[]) => {
    const rd = R(a, 0), rs = R(a, 1), rt = src(g, a);
    g.i(unsigned ? 'multu' : 'mult', { rs, rt });
    const at = g.at;
    g.i('mfhi', { rd: at });
    if (unsigned) g.skip('beq', { rs: at, rt: 0 }, 1);
    else {
      g.i('mflo', { rd });
      g.i('sra', { rd, rt: rd, sa: 31 });
      g.skip('beq', { rs: at, rt: rd }, 1);
    }
    g.i('break', { code: 0 });
    g.i('mflo', { rd });
  };
  const mulu = (g: Gen, a: Arg[]) => {
    g.i('multu', { rs: R(a, 1), rt: src(g, a) });
    g.i('mflo', { rd: R(a, 0) });
  };
  return {
    mul: [{ syntax: 'mul rd, rs, imm', sig: 'rri', expand: (g, a) => g.i('mul', { rd: R(a, 0), rs: R(a, 1), rt: src(g, a) }) }],
    mulu: [{ syntax: 'mulu rd, rs, rt', sig: 'rrr', expand: mulu }, { syntax: 'mulu rd, rs, imm', sig: 'rri', expand: mulu }],
    mulo: [{ syntax: 'mulo rd, rs, rt', sig: 'rrr', expand: mulo(false) }, { syntax: 'mulo rd, rs, imm', sig: 'rri', expand: mulo(false) }],
    mulou: [{ syntax: 'mulou rd, rs, rt', sig: 'rrr', expand: mulo(true) }, { syntax: 'mulou rd, rs, imm', sig: 'rri', expand: mulo(true) }],
  };
}

// ---- set-on-condition ----

function setRules(): Record<string, PseudoRule[]> {
  const rules: Record<string, PseudoRule[]> = {};
  const reg = (name: string, f: (g: Gen, rd: number, rs: number, rt: number) => void): PseudoRule =>
    ({ syntax: `${name} rd, rs, rt`, sig: 'rrr', expand: (g, a) => f(g, R(a, 0), R(a, 1), R(a, 2)) });
  const imm = (name: string, f: (g: Gen, rd: number, rs: number, v: number | null, pv: PV) => void): PseudoRule =>
    ({ syntax: `${name} rd, rs, imm`, sig: 'rri', expand: (g, a) => f(g, R(a, 0), R(a, 1), known(I(a, 2)), I(a, 2)) });
  const not = (g: Gen, rd: number) => g.i('xori', { rt: rd, rs: rd, uimm: 1 });

  rules.seq = [
    reg('seq', (g, rd, rs, rt) => {
      if (rt === 0 || rs === 0) return g.i('sltiu', { rt: rd, rs: rt === 0 ? rs : rt, imm: 1 });
      g.i('xor', { rd, rs, rt });
      g.i('sltiu', { rt: rd, rs: rd, imm: 1 });
    }),
    imm('seq', (g, rd, rs, v, pv) => {
      if (v === 0) return g.i('sltiu', { rt: rd, rs, imm: 1 });
      if (v !== null && fitsU16(v)) g.i('xori', { rt: rd, rs, uimm: v });
      else if (v !== null && fitsS16(-v)) g.i('addiu', { rt: rd, rs, imm: -v });
      else g.i('xor', { rd, rs, rt: g.liAt(pv) });
      g.i('sltiu', { rt: rd, rs: rd, imm: 1 });
    }),
  ];
  rules.sne = [
    reg('sne', (g, rd, rs, rt) => {
      if (rt === 0 || rs === 0) return g.i('sltu', { rd, rs: 0, rt: rt === 0 ? rs : rt });
      g.i('xor', { rd, rs, rt });
      g.i('sltu', { rd, rs: 0, rt: rd });
    }),
    imm('sne', (g, rd, rs, v, pv) => {
      if (v === 0) return g.i('sltu', { rd, rs: 0, rt: rs });
      if (v !== null && fitsU16(v)) g.i('xori', { rt: rd, rs, uimm: v });
      else if (v !== null && fitsS16(-v)) g.i('addiu', { rt: rd, rs, imm: -v });
      else g.i('xor', { rd, rs, rt: g.liAt(pv) });
      g.i('sltu', { rd, rs: 0, rt: rd });
    }),
  ];
  for (const u of ['', 'u']) {
    const slt = 'slt' + u, slti = u ? 'sltiu' : 'slti';
    // x+1 must not wrap: for unsigned compares 0xffffffff+1 would be 0.
    const plusOneOk = (v: number | null) => v !== null && fitsS16(v + 1) && !(u && v === -1);
    rules['sgt' + u] = [
      reg('sgt' + u, (g, rd, rs, rt) => g.i(slt, { rd, rs: rt, rt: rs })),
      imm('sgt' + u, (g, rd, rs, v, pv) => {
        if (plusOneOk(v)) { g.i(slti, { rt: rd, rs, imm: v! + 1 }); return not(g, rd); }
        g.i(slt, { rd, rs: g.liAt(pv), rt: rs });
      }),
    ];
    rules['sge' + u] = [
      reg('sge' + u, (g, rd, rs, rt) => { g.i(slt, { rd, rs, rt }); not(g, rd); }),
      imm('sge' + u, (g, rd, rs, v, pv) => {
        if (v !== null && fitsS16(v)) g.i(slti, { rt: rd, rs, imm: v });
        else g.i(slt, { rd, rs, rt: g.liAt(pv) });
        not(g, rd);
      }),
    ];
    rules['sle' + u] = [
      reg('sle' + u, (g, rd, rs, rt) => { g.i(slt, { rd, rs: rt, rt: rs }); not(g, rd); }),
      imm('sle' + u, (g, rd, rs, v, pv) => {
        if (plusOneOk(v)) return g.i(slti, { rt: rd, rs, imm: v! + 1 });
        g.i(slt, { rd, rs: g.liAt(pv), rt: rs });
        not(g, rd);
      }),
    ];
  }
  return rules;
}

// ---- branches ----

type Cond = 'lt' | 'le' | 'gt' | 'ge';

function branchRules(): Record<string, PseudoRule[]> {
  const rules: Record<string, PseudoRule[]> = {};
  for (const likely of ['', 'l']) {
    const beq = 'beq' + likely, bne = 'bne' + likely;
    for (const cond of ['lt', 'le', 'gt', 'ge'] as Cond[]) {
      for (const u of ['', 'u']) {
        const name = `b${cond}${u}${likely}`;
        const slt = 'slt' + u, slti = u ? 'sltiu' : 'slti';
        // Against zero (signed): the REGIMM/compare-with-zero branches need no $at.
        const zeroForm: Record<Cond, [string, string]> = { lt: ['bltz', 'bgtz'], le: ['blez', 'bgez'], gt: ['bgtz', 'bltz'], ge: ['bgez', 'blez'] };
        const zeroBranch = (g: Gen, r: number, swapped: boolean, target: FV): boolean => {
          if (u) return false;
          const [direct, mirrored] = zeroForm[cond];
          // x < 0 -> bltz x;  0 < x (swapped: rs=0) -> bgtz x
          const n = (swapped ? mirrored : direct) + likely;
          if (!g.table.insn(n)) return false;
          g.i(n, { rs: r, broff: target });
          return true;
        };
        rules[name] = [
          {
            syntax: `${name} rs, rt, label`,
            sig: 'rrl',
            expand(g, a) {
              const rs = R(a, 0), rt = R(a, 1), target = L(a, 2);
              if (rt === 0 && zeroBranch(g, rs, false, target)) return;
              if (rs === 0 && zeroBranch(g, rt, true, target)) return;
              const at = g.at;
              // lt: rs<rt  ge: !(rs<rt)  gt: rt<rs  le: !(rt<rs)
              const swap = cond === 'gt' || cond === 'le';
              g.i(slt, { rd: at, rs: swap ? rt : rs, rt: swap ? rs : rt });
              g.i(cond === 'lt' || cond === 'gt' ? bne : beq, { rs: at, rt: 0, broff: target });
            },
          },
          {
            syntax: `${name} rs, imm, label`,
            sig: 'ril',
            expand(g, a) {
              const rs = R(a, 0), pv = I(a, 1), target = L(a, 2);
              const v = known(pv);
              if (v === 0 && zeroBranch(g, rs, false, target)) return;
              const at = g.at;
              if (cond === 'lt' || cond === 'ge') {
                if (v !== null && fitsS16(v)) g.i(slti, { rt: at, rs, imm: v });
                else g.i(slt, { rd: at, rs, rt: g.liAt(pv) });
                g.i(cond === 'lt' ? bne : beq, { rs: at, rt: 0, broff: target });
                return;
              }
              // gt: !(rs < v+1)   le: rs < v+1   (when v+1 does not wrap)
              if (v !== null && fitsS16(v + 1) && !(u && v === -1)) {
                g.i(slti, { rt: at, rs, imm: v + 1 });
                g.i(cond === 'le' ? bne : beq, { rs: at, rt: 0, broff: target });
                return;
              }
              g.liAt(plus(pv, 0));
              g.i(slt, { rd: at, rs: at, rt: rs }); // v < rs
              g.i(cond === 'gt' ? bne : beq, { rs: at, rt: 0, broff: target });
            },
          },
        ];
      }
    }
    // beq/bne with an immediate
    for (const b of [beq, bne]) {
      rules[b] = [{
        syntax: `${b} rs, imm, label`,
        sig: 'ril',
        expand(g, a) {
          const v = known(I(a, 1));
          if (v === 0) return g.i(b, { rs: R(a, 0), rt: 0, broff: L(a, 2) });
          const at = g.liAt(I(a, 1));
          g.i(b, { rs: R(a, 0), rt: at, broff: L(a, 2) });
        },
      }];
    }
  }
  return rules;
}

// ---- loads and stores ----

function pairRules(): Record<string, PseudoRule[]> {
  const pair = (name: string, op: 'lw' | 'sw'): PseudoRule => ({
    syntax: `${name} rt, address`,
    sig: 'ra',
    expand(g, a) {
      const rt = R(a, 0);
      if (rt >= 31) throw new Mismatch(0, `${name} uses ${rt} and ${rt + 1}; the first register must be $0..$30`);
      const { base, off } = g.address(A(a, 1), 4);
      const first = { rt, base, off: off(0) }, second = { rt: rt + 1, base, off: off(4) };
      // Loading into the base register must come last.
      if (op === 'lw' && base === rt) { g.i(op, second); g.i(op, first); } else { g.i(op, first); g.i(op, second); }
    },
  });
  return { ld: [pair('ld', 'lw')], sd: [pair('sd', 'sw')] };
}

function unalignedRules(): Record<string, PseudoRule[]> {
  return {
    ulw: [{
      syntax: 'ulw rt, address',
      sig: 'ra',
      expand(g, a) {
        const rt = R(a, 0);
        let ad = A(a, 1);
        // lwl/lwr write rt; if rt is also the base, form the address in $at first.
        if (ad.base === rt && rt !== 0) {
          const r = g.address(ad, 0);
          g.i('addiu', { rt: g.at, rs: r.base, imm: r.off(0) });
          ad = { base: AT, off: null, span: ad.span };
        }
        const { base, off } = g.address(ad, 3);
        const [l, r] = g.opts.bigEndian ? [0, 3] : [3, 0];
        g.i('lwl', { rt, base, off: off(l) });
        g.i('lwr', { rt, base, off: off(r) });
      },
    }],
    usw: [{
      syntax: 'usw rt, address',
      sig: 'ra',
      expand(g, a) {
        const rt = R(a, 0);
        const { base, off } = g.address(A(a, 1), 3);
        const [l, r] = g.opts.bigEndian ? [0, 3] : [3, 0];
        g.i('swl', { rt, base, off: off(l) });
        g.i('swr', { rt, base, off: off(r) });
      },
    }],
    ulh: [uloadh('ulh', 'lb')],
    ulhu: [uloadh('ulhu', 'lbu')],
    ush: [{
      syntax: 'ush rt, address',
      sig: 'ra',
      expand(g, a) {
        const rt = R(a, 0);
        const { base, off, viaAt } = g.address(A(a, 1), 1);
        const [lo, hi] = g.opts.bigEndian ? [1, 0] : [0, 1];
        if (!viaAt) {
          g.i('sb', { rt, base, off: off(lo) });
          const at = g.at;
          g.i('srl', { rd: at, rt, sa: 8 });
          g.i('sb', { rt: at, base, off: off(hi) });
          return;
        }
        // $at holds the address: rotate rt instead of using a scratch register.
        g.i('sb', { rt, base, off: off(lo) });
        g.i('rotr', { rd: rt, rt, sa: 8 });
        g.i('sb', { rt, base, off: off(hi) });
        g.i('rotr', { rd: rt, rt, sa: 24 });
      },
    }],
  };
}

function uloadh(name: string, signedOp: 'lb' | 'lbu'): PseudoRule {
  return {
    syntax: `${name} rt, address`,
    sig: 'ra',
    expand(g, a) {
      const rt = R(a, 0);
      const { base, off, viaAt } = g.address(A(a, 1), 1);
      const [lo, hi] = g.opts.bigEndian ? [1, 0] : [0, 1];
      const at = g.at;
      if (viaAt) {
        g.i(signedOp, { rt, base, off: off(hi) });
        g.i('lbu', { rt: at, base, off: off(lo) });
      } else {
        g.i('lbu', { rt: at, base, off: off(lo) });
        g.i(signedOp, { rt, base, off: off(hi) });
      }
      g.i('sll', { rd: rt, rt, sa: 8 });
      g.i('or', { rd: rt, rs: rt, rt: at });
    },
  };
}

// ---- floating point ----

function floatBits(v: number, single: boolean): number[] {
  const buf = new DataView(new ArrayBuffer(8));
  if (single) {
    buf.setFloat32(0, v);
    return [buf.getInt32(0)];
  }
  buf.setFloat64(0, v);
  return [buf.getInt32(4), buf.getInt32(0)]; // low word (even register) first
}

function fpRules(): Record<string, PseudoRule[]> {
  const liF = (name: string, single: boolean): PseudoRule => ({
    syntax: `${name} fd, value`,
    sig: 'fF',
    expand(g, a) {
      const fd = R(a, 0);
      const value = (a[1] as unknown as { f: number }).f;
      const words = floatBits(value, single);
      if (!single && fd >= 31) throw new Mismatch(0, `${name} writes $f${fd} and $f${fd + 1}; the register must be $f0..$f30`);
      words.forEach((w, k) => {
        if (w === 0) return g.i('mtc1', { rt: 0, fs: fd + k });
        const at = g.liAt({ known: true, v: w });
        g.i('mtc1', { rt: at, fs: fd + k });
      });
    },
  });
  const move2 = (name: string, op: 'mfc1' | 'mtc1'): PseudoRule => ({
    syntax: `${name} rt, fs`,
    sig: 'rf',
    expand(g, a) {
      const rt = R(a, 0), fs = R(a, 1);
      if (rt >= 31 || fs >= 31) throw new Mismatch(rt >= 31 ? 0 : 1, `${name} moves a register pair; use registers below 31`);
      g.i(op, { rt, fs });
      g.i(op, { rt: rt + 1, fs: fs + 1 });
    },
  });
  return {
    'li.s': [liF('li.s', true)],
    'li.d': [liF('li.d', false)],
    'mfc1.d': [move2('mfc1.d', 'mfc1')],
    'mtc1.d': [move2('mtc1.d', 'mtc1')],
  };
}

/** Pseudo-instructions SPIM accepts in -bare mode (they are immediate twins, no $at). */
export const BARE_PSEUDO: Record<string, PseudoRule[]> = {};

/** Spellings that are another instruction under a different name (l.s = lwc1, ...). */
export const RENAMES: Record<string, string> = {
  'l.s': 'lwc1', 'l.d': 'ldc1', 's.s': 'swc1', 's.d': 'sdc1',
};

function miscRules(): Record<string, PseudoRule[]> {
  return {
    li: [{ syntax: 'li rd, imm', sig: 'ri', expand: (g, a) => g.li(R(a, 0), I(a, 1)) }],
    la: [{
      syntax: 'la rd, address',
      sig: 'ra',
      expand(g, a) {
        const rd = R(a, 0), ad = A(a, 1);
        if (!ad.off) return g.i('addu', { rd, rs: ad.base ?? 0, rt: 0 });
        const pv = ad.off;
        if (ad.base === null || ad.base === 0) {
          if (pv.known || pv.half || g.opts.compact) {
            if (!pv.known && !pv.half) return g.i('addiu', { rt: rd, rs: 0, imm: lazy(pv.e, (v) => v) });
            return g.li(rd, pv);
          }
          g.i('lui', { rt: rd, uimm: lazy(pv.e, (v) => (v >>> 16) & 0xffff) });
          g.i('ori', { rt: rd, rs: rd, uimm: lazy(pv.e, (v) => v & 0xffff) });
          return;
        }
        const v = known(pv);
        if ((v !== null && fitsS16(v)) || (!pv.known && (pv.half || g.opts.compact))) {
          return g.i('addiu', { rt: rd, rs: ad.base, imm: v !== null ? v : lazy((pv as { e: Expr }).e, (x) => x) });
        }
        const at = g.liAt(pv);
        g.i('addu', { rd, rs: at, rt: ad.base });
      },
    }],
    abs: [{
      syntax: 'abs rd, rs',
      sig: 'rr',
      expand(g, a) {
        const rd = R(a, 0), rs = R(a, 1), at = g.at;
        g.i('sra', { rd: at, rt: rs, sa: 31 });
        g.i('xor', { rd, rs, rt: at });
        g.i('subu', { rd, rs: rd, rt: at });
      },
    }],
    rol: [
      {
        syntax: 'rol rd, rs, rt',
        sig: 'rrr',
        expand(g, a) {
          const at = g.at;
          g.i('subu', { rd: at, rs: 0, rt: R(a, 2) });
          g.i('rotrv', { rd: R(a, 0), rt: R(a, 1), rs: at });
        },
      },
      {
        syntax: 'rol rd, rs, sa',
        sig: 'rri',
        expand(g, a) {
          const v = known(I(a, 2));
          if (v === null || v < 0 || v > 31) throw new Mismatch(2, 'expected a rotate amount 0..31');
          g.i('rotr', { rd: R(a, 0), rt: R(a, 1), sa: (32 - v) & 31 });
        },
      },
    ],
    ror: [
      { syntax: 'ror rd, rs, rt', sig: 'rrr', expand: (g, a) => g.i('rotrv', { rd: R(a, 0), rt: R(a, 1), rs: R(a, 2) }) },
      {
        syntax: 'ror rd, rs, sa',
        sig: 'rri',
        expand(g, a) {
          const v = known(I(a, 2));
          if (v === null || v < 0 || v > 31) throw new Mismatch(2, 'expected a rotate amount 0..31');
          g.i('rotr', { rd: R(a, 0), rt: R(a, 1), sa: v });
        },
      },
    ],
    subi: [subImm('subi', 'addi', 'sub')],
    subiu: [subImm('subiu', 'addiu', 'subu')],
    sub: [subImm('sub', 'addi', 'sub')],
    subu: [subImm('subu', 'addiu', 'subu')],
    j: [{ syntax: 'j rs', sig: 'r', expand: (g, a) => g.i('jr', { rs: R(a, 0) }) }],
    jal: [
      { syntax: 'jal rs', sig: 'r', expand: (g, a) => g.i('jalr', { rd: 31, rs: R(a, 0) }) },
      { syntax: 'jal rd, rs', sig: 'rr', expand: (g, a) => g.i('jalr', { rd: R(a, 0), rs: R(a, 1) }) },
    ],
    jr: [{ syntax: 'jr label', sig: 'l', expand: (g, a) => g.i('j', { target: L(a, 0) }) }],
    not: [{ syntax: 'not rd, rs', sig: 'rr', expand: (g, a) => g.i('nor', { rd: R(a, 0), rs: R(a, 1), rt: 0 }) }],
    move: [{ syntax: 'move rd, rs', sig: 'rr', expand: (g, a) => g.i('addu', { rd: R(a, 0), rs: R(a, 1), rt: 0 }) }],
    neg: [{ syntax: 'neg rd, rs', sig: 'rr', expand: (g, a) => g.i('sub', { rd: R(a, 0), rs: 0, rt: R(a, 1) }) }],
    negu: [{ syntax: 'negu rd, rs', sig: 'rr', expand: (g, a) => g.i('subu', { rd: R(a, 0), rs: 0, rt: R(a, 1) }) }],
    nop: [{ syntax: 'nop', sig: '', expand: (g) => g.nop() }],
    b: [{ syntax: 'b label', sig: 'l', expand: (g, a) => g.i('beq', { rs: 0, rt: 0, broff: L(a, 0) }) }],
    bal: [{ syntax: 'bal label', sig: 'l', expand: (g, a) => g.i('bgezal', { rs: 0, broff: L(a, 0) }) }],
    beqz: [{ syntax: 'beqz rs, label', sig: 'rl', expand: (g, a) => g.i('beq', { rs: R(a, 0), rt: 0, broff: L(a, 1) }) }],
    bnez: [{ syntax: 'bnez rs, label', sig: 'rl', expand: (g, a) => g.i('bne', { rs: R(a, 0), rt: 0, broff: L(a, 1) }) }],
  };
}

function subImm(name: string, addi: string, sub: string): PseudoRule {
  return {
    syntax: `${name} rd, rs, imm`,
    sig: 'rri',
    expand(g, a) {
      const v = known(I(a, 2));
      if (v !== null && fitsS16(-v)) return g.i(addi, { rt: R(a, 0), rs: R(a, 1), imm: -v });
      const at = g.liAt(I(a, 2));
      g.i(sub, { rd: R(a, 0), rs: R(a, 1), rt: at });
    },
  };
}

function merge(...tables: Record<string, PseudoRule[]>[]): Record<string, PseudoRule[]> {
  const out: Record<string, PseudoRule[]> = {};
  for (const t of tables) for (const [k, v] of Object.entries(t)) (out[k] ??= []).push(...v);
  return out;
}

export const PSEUDO: Record<string, PseudoRule[]> = merge(
  {
    add: [withImm('add', 'addi', 'imm', true)],
    addu: [withImm('addu', 'addiu', 'imm', true)],
    and: [withImm('and', 'andi', 'uimm', false)],
    or: [withImm('or', 'ori', 'uimm', false)],
    xor: [withImm('xor', 'xori', 'uimm', false)],
    slt: [withImm('slt', 'slti', 'imm', true)],
    sltu: [withImm('sltu', 'sltiu', 'imm', true)],
    nor: [{
      syntax: 'nor rd, rs, imm', sig: 'rri',
      expand(g, a) {
        const v = known(I(a, 2));
        g.i('nor', { rd: R(a, 0), rs: R(a, 1), rt: v === 0 ? 0 : g.liAt(I(a, 2)) });
      },
    }],
    addi: [wideImm('addi', 'add')],
    addiu: [wideImm('addiu', 'addu')],
    slti: [wideImm('slti', 'slt')],
    sltiu: [wideImm('sltiu', 'sltu')],
    andi: [wideImm('andi', 'and')],
    ori: [wideImm('ori', 'or')],
    xori: [wideImm('xori', 'xor')],
    sll: [shiftVar('sll', 'sllv')],
    srl: [shiftVar('srl', 'srlv')],
    sra: [shiftVar('sra', 'srav')],
    rotr: [shiftVar('rotr', 'rotrv')],
    sllv: [shiftImm('sllv', 'sll')],
    srlv: [shiftImm('srlv', 'srl')],
    srav: [shiftImm('srav', 'sra')],
    rotrv: [shiftImm('rotrv', 'rotr')],
    teq: [trapImm('teq', 'teqi')], tne: [trapImm('tne', 'tnei')], tge: [trapImm('tge', 'tgei')],
    tgeu: [trapImm('tgeu', 'tgeiu')], tlt: [trapImm('tlt', 'tlti')], tltu: [trapImm('tltu', 'tltiu')],
    teqi: [wideTrap('teqi', 'teq')], tnei: [wideTrap('tnei', 'tne')], tgei: [wideTrap('tgei', 'tge')],
    tgeiu: [wideTrap('tgeiu', 'tgeu')], tlti: [wideTrap('tlti', 'tlt')], tltiu: [wideTrap('tltiu', 'tltu')],
    div: divRules('div'), divu: divRules('divu'), rem: divRules('rem'), remu: divRules('remu'),
  },
  mulRules(), setRules(), branchRules(), pairRules(), unalignedRules(), fpRules(), miscRules(),
);

for (const n of ['add', 'addu', 'and', 'or', 'xor', 'slt', 'sltu', 'sllv', 'srlv', 'srav']) BARE_PSEUDO[n] = PSEUDO[n];

/**
 * Generic address form of a real load/store (lw rt, label / lw rt, big($t1) / lwc1 ...):
 * the address goes through $at when it does not fit the 16-bit offset.
 */
export function expandMemRule(form: TableForm, ops: Operand[], env: MatchEnv, g: Gen): void {
  const memIdx = form.pats.findIndex((p) => p.kind === 'mem');
  if (ops.length !== form.pats.length) throw new Mismatch(-1, `expected ${form.pats.length} operands, found ${ops.length}`);
  const addr = addrOf(ops[memIdx], memIdx, env);
  const placeholder = { k: 'mem', off: null, base: { cls: 'num', n: 0 }, span: ops[memIdx].span } as unknown as Operand;
  const fields = matchTableForm(form, ops.map((o, i) => (i === memIdx ? placeholder : o)), env);
  const mem = form.pats[memIdx];
  const { base, off } = g.address(addr, 0);
  fields[mem.base!] = base;
  fields[mem.field] = off(0);
  g.out.push({ def: form.def, fields });
}

/** All pseudo-instruction mnemonics (for suggestions and listings). */
export function pseudoNames(): string[] {
  return [...Object.keys(PSEUDO), ...Object.keys(RENAMES)];
}
