// Instruction forms and operand matching. Real instructions and their aliases come from the
// instruction table (isa/mips32.isa): each syntax operand's kind follows from its field name,
// so new table lines (CP1, CP0, ...) assemble without changes here. Pseudo-instructions are
// in pseudo.ts and use the Gen helper below to emit real instructions.
import { mips32Table, parseIsa, type AliasDef, type InsnDef, type IsaTable, type SyntaxPart } from '../isa/table.js';
import { AsmError, type Span } from './diagnostics.js';
import { exprSpan, isHalfword, type Expr } from './expr.js';
import type { Operand } from './parser.js';
import type { RegInfo } from './registers.js';
import { spanOf, type Token } from './lexer.js';

// ---------------------------------------------------------------------------------------------
// Values of fields: known now, or computed in pass 2 from an expression.

/** A field value computed in pass 2: fn applied to the 32-bit value of e. */
export interface Lazy {
  e: Expr;
  fn: (v: number) => number;
  /** Shown in range errors, e.g. "%lo(msg)". */
  what?: string;
}
/** A branch offset in instructions, relative to the delay slot (for branches inside expansions). */
export interface Rel {
  rel: number;
}
export type FV = number | Lazy | Rel;

export const isLazy = (v: FV): v is Lazy => typeof v === 'object' && 'e' in v;
export const isRel = (v: FV): v is Rel => typeof v === 'object' && 'rel' in v;

/** Pass-1 view of an expression's value. */
export type PV = { known: true; v: number; e?: Expr } | { known: false; half: boolean; e: Expr };

export const fitsS16 = (v: number) => v >= -32768 && v <= 32767;
export const fitsU16 = (v: number) => v >= 0 && v <= 65535;
export const lo16 = (v: number) => (v << 16) >> 16;
export const ahi16 = (v: number) => ((v + 0x8000) >>> 16) & 0xffff;
export const hi16 = (v: number) => (v >>> 16) & 0xffff;

export function lazy(e: Expr, fn: (v: number) => number, what?: string): Lazy {
  return { e, fn, what };
}

// ---------------------------------------------------------------------------------------------
// The instruction table the assembler uses: mips32.isa, plus a few legacy encodings that SPIM
// accepts (coprocessor 0/2/3 moves and loads of MIPS I) and that the table does not list.

const LEGACY_ISA = `
mfc2    010010 00000 rt:5 cd:5 00000000000      | rt, cd         |
cfc2    010010 00010 rt:5 cd:5 00000000000      | rt, cd         |
mtc2    010010 00100 rt:5 cd:5 00000000000      | rt, cd         |
ctc2    010010 00110 rt:5 cd:5 00000000000      | rt, cd         |
bc2f    010010 01000 cc:3 0 0 broff:16          | cc, broff      | branch ds
bc2t    010010 01000 cc:3 0 1 broff:16          | cc, broff      | branch ds
bc2fl   010010 01000 cc:3 1 0 broff:16          | cc, broff      | branch likely ds
bc2tl   010010 01000 cc:3 1 1 broff:16          | cc, broff      | branch likely ds
cfc0    010000 00010 rt:5 cd:5 00000000000      | rt, cd         |
ctc0    010000 00110 rt:5 cd:5 00000000000      | rt, cd         |
mfc3    010011 00000 rt:5 cd:5 00000000000      | rt, cd         |
cfc3    010011 00010 rt:5 cd:5 00000000000      | rt, cd         |
mtc3    010011 00100 rt:5 cd:5 00000000000      | rt, cd         |
ctc3    010011 00110 rt:5 cd:5 00000000000      | rt, cd         |
lwc0    110000 base:5 cd:5 off:16               | cd, off(base)  | load
swc0    111000 base:5 cd:5 off:16               | cd, off(base)  | store
lwc2    110010 base:5 cd:5 off:16               | cd, off(base)  | load
swc2    111010 base:5 cd:5 off:16               | cd, off(base)  | store
ldc2    110110 base:5 cd:5 off:16               | cd, off(base)  | load
sdc2    111110 base:5 cd:5 off:16               | cd, off(base)  | store
lwc3    110011 base:5 cd:5 off:16               | cd, off(base)  | load
swc3    111011 base:5 cd:5 off:16               | cd, off(base)  | store
alias bc2f bc2f cc=0 | broff
alias bc2t bc2t cc=0 | broff
alias bc2fl bc2fl cc=0 | broff
alias bc2tl bc2tl cc=0 | broff
`;

export type PatKind =
  | 'gpr' | 'fpr' | 'zero' | 'imm' | 'uimm' | 'broff' | 'target' | 'uconst' | 'copreg' | 'cc'
  | 'mem' | 'imem' | 'extsize' | 'inssize' | 'breakcode';

export interface Pat {
  kind: PatKind;
  field: string;
  width: number;
  /** mem: offset field and base field; imem: index field and base field. */
  base?: string;
}

export interface TableForm {
  type: 'real' | 'alias';
  name: string;
  def: InsnDef;
  pats: Pat[];
  fixed: Record<string, number>;
  syntax: string;
}

const GPR_FIELDS = new Set(['rs', 'rt', 'rd', 'base', 'index']);
const FPR_FIELDS = new Set(['fs', 'ft', 'fd', 'fr']);

function fieldWidth(def: InsnDef, name: string): number {
  return def.fields.find((f) => f.name === name)?.width ?? 5;
}

function patFor(def: InsnDef, name: string): Pat {
  const width = fieldWidth(def, name);
  if (GPR_FIELDS.has(name)) return { kind: 'gpr', field: name, width };
  if (FPR_FIELDS.has(name)) return { kind: 'fpr', field: name, width };
  switch (name) {
    case 'zero': return { kind: 'zero', field: name, width };
    case 'imm': case 'off': return { kind: 'imm', field: name, width };
    case 'uimm': return { kind: 'uimm', field: name, width };
    case 'broff': return { kind: 'broff', field: name, width };
    case 'target': return { kind: 'target', field: name, width };
    case 'hwr': case 'cd': case 'fcr': return { kind: 'copreg', field: name, width };
    case 'cc': return { kind: 'cc', field: name, width };
    case 'extsize': return { kind: 'extsize', field: 'msbd', width: 5 };
    case 'inssize': return { kind: 'inssize', field: 'msb', width: 5 };
    case 'code':
      // GNU as: `break 7` puts 7 in the upper ten bits of the 20-bit code (`break 7, 3` both halves).
      if (def.name === 'break' && width === 20) return { kind: 'breakcode', field: name, width };
      return { kind: 'uconst', field: name, width };
    default: return { kind: 'uconst', field: name, width };
  }
}

/** Turns a syntax (rd, rs, rt / rt, off(base)) into operand patterns. */
function patternsOf(def: InsnDef, syntax: SyntaxPart[]): Pat[] {
  const groups: SyntaxPart[][] = [[]];
  for (const p of syntax) {
    if (p.kind === 'text' && p.text === ',') groups.push([]);
    else groups[groups.length - 1].push(p);
  }
  return groups.filter((g) => g.length).map((g) => {
    const ops = g.filter((p) => p.kind === 'operand') as { kind: 'operand'; name: string }[];
    if (ops.length === 2) {
      const [a, b] = ops;
      if (GPR_FIELDS.has(a.name)) return { kind: 'imem', field: a.name, width: 5, base: b.name } as Pat;
      return { kind: 'mem', field: a.name, width: fieldWidth(def, a.name), base: b.name } as Pat;
    }
    return patFor(def, ops[0].name);
  });
}

function syntaxText(name: string, syntax: SyntaxPart[]): string {
  const ops = syntax.map((p) => (p.kind === 'text' ? (p.text === ',' ? ', ' : p.text) : p.name)).join('');
  return ops ? `${name} ${ops}` : name;
}

export class AsmTable {
  readonly table: IsaTable;
  private readonly legacy: IsaTable;
  private formCache = new Map<string, TableForm[]>();

  constructor(table: IsaTable = mips32Table()) {
    this.table = table;
    this.legacy = parseIsa(LEGACY_ISA, 'asm/legacy');
  }

  /** A real instruction by name (the table first, then SPIM's legacy encodings). */
  insn(name: string): InsnDef | undefined {
    return this.table.byName.get(name) ?? this.legacy.byName.get(name);
  }

  /** Real and alias forms of a mnemonic, in table order (real first). */
  forms(name: string): TableForm[] {
    let f = this.formCache.get(name);
    if (f) return f;
    f = [];
    const real = this.insn(name);
    if (real) f.push({ type: 'real', name, def: real, pats: patternsOf(real, real.syntax), fixed: {}, syntax: syntaxText(name, real.syntax) });
    const aliases: AliasDef[] = [...this.table.aliases, ...(this.table.byName.has(name) ? [] : this.legacy.aliases)];
    for (const al of aliases) {
      if (al.name !== name) continue;
      const fixed: Record<string, number> = {};
      for (const c of al.conds) fixed[c.field.name] = c.value;
      f.push({ type: 'alias', name, def: al.base, pats: patternsOf(al.base, al.syntax), fixed, syntax: syntaxText(name, al.syntax) });
    }
    this.formCache.set(name, f);
    return f;
  }

  /** Every mnemonic the table knows (for suggestions). */
  names(): string[] {
    return [...new Set([...this.table.byName.keys(), ...this.table.aliases.map((a) => a.name), ...this.legacy.byName.keys()])];
  }
}

// ---------------------------------------------------------------------------------------------
// Matching operands against patterns.

/** How an expression operand is seen in pass 1. */
export interface MatchEnv {
  pv(e: Expr): PV;
  /** Unknown (label) values count as 16-bit: MARS's compact layouts. */
  compact: boolean;
  /** Called when the program names $at explicitly in a GPR operand. */
  explicitAt(span: Span): void;
  /** SPIM -bare: out-of-range constants are truncated with a warning instead of expanded. */
  lenient: boolean;
  warn(message: string, span: Span): void;
}

export class Mismatch {
  /** Raised by an expansion after its operands matched: it explains better than a type mismatch. */
  semantic = false;
  constructor(
    /** Index of the failing operand (-1: wrong number of operands). */
    readonly at: number,
    readonly message: string,
    readonly span?: Span,
  ) {}
}

export const describeOperand = (op: Operand): string => {
  switch (op.k) {
    case 'reg': return `the register ${op.tok.text}`;
    case 'expr': return 'an expression';
    case 'mem': return 'a memory operand';
    case 'imem': return 'an indexed memory operand';
    case 'str': return 'a string';
    case 'float': return 'a floating-point number';
    case 'repeat': return "a repeated value (x:n)";
  }
};

export function gprOf(op: Operand, i: number, env: MatchEnv, what = 'a general-purpose register ($0..$31, $t0, $sp, ...)'): number {
  if (op.k !== 'reg' || (op.reg.cls !== 'gpr' && op.reg.cls !== 'num')) throw new Mismatch(i, `expected ${what}, found ${describeOperand(op)}`, op.span);
  if (op.reg.n === 1) env.explicitAt(op.span);
  return op.reg.n;
}

export function fprOf(op: Operand, i: number): number {
  if (op.k !== 'reg' || (op.reg.cls !== 'fpr' && op.reg.cls !== 'num')) {
    throw new Mismatch(i, `expected a floating-point register ($f0..$f31), found ${describeOperand(op)}`, op.span);
  }
  return op.reg.n;
}

function constOf(op: Operand, i: number, env: MatchEnv, what: string): number {
  if (op.k !== 'expr') throw new Mismatch(i, `expected ${what}, found ${describeOperand(op)}`, op.span);
  const pv = env.pv(op.e);
  if (!pv.known) throw new Mismatch(i, `${what} must be a constant known at this point`, op.span);
  return pv.v;
}

function regNumOf(reg: RegInfo): number {
  return reg.n;
}

/**
 * Matches operands against a table form; returns the field values or throws Mismatch.
 * Values that cannot be known in pass 1 and might not fit a 16-bit field do not match
 * (the pseudo-instruction forms then load them through $at).
 */
export function matchTableForm(form: TableForm, ops: Operand[], env: MatchEnv): Record<string, FV> {
  if (ops.length !== form.pats.length) throw new Mismatch(-1, `expected ${form.pats.length} operand${form.pats.length === 1 ? '' : 's'}, found ${ops.length}`);
  const fields: Record<string, FV> = { ...form.fixed };
  const imm16 = (e: Expr, i: number, signed: boolean, name: string, span: Span): FV => {
    const pv = env.pv(e);
    if (pv.known) {
      const ok = signed ? fitsS16(pv.v) : fitsU16(pv.v);
      if (!ok && env.lenient) {
        const t = signed ? (pv.v << 16) >> 16 : pv.v & 0xffff;
        env.warn(`value ${pv.v} does not fit the ${signed ? 'signed' : 'unsigned'} 16-bit ${name} field; using its low 16 bits (${t})`, span);
        return t;
      }
      if (!ok) {
        throw new Mismatch(i, `value ${pv.v} does not fit the ${signed ? 'signed' : 'unsigned'} 16-bit ${name} field (${signed ? '-32768..32767' : '0..65535'})`, span);
      }
      return pv.v;
    }
    if (pv.half || env.compact) return lazy(e, (v) => v);
    throw new Mismatch(i, `the value of this expression is not known yet and may not fit 16 bits`, span);
  };
  form.pats.forEach((p, i) => {
    const op = ops[i];
    switch (p.kind) {
      case 'gpr': fields[p.field] = gprOf(op, i, env); break;
      case 'fpr': fields[p.field] = fprOf(op, i); break;
      case 'zero':
        if (op.k !== 'reg' || op.reg.n !== 0 || op.reg.cls === 'fpr' || op.reg.cls === 'cc') throw new Mismatch(i, `expected $zero, found ${describeOperand(op)}`, op.span);
        break;
      case 'imm':
      case 'uimm':
        if (op.k !== 'expr') throw new Mismatch(i, `expected an immediate value, found ${describeOperand(op)}`, op.span);
        fields[p.field] = imm16(op.e, i, p.kind === 'imm', p.field === 'uimm' ? 'immediate' : 'immediate', op.span);
        break;
      case 'broff':
      case 'target':
        if (op.k !== 'expr') throw new Mismatch(i, `expected a label (branch target), found ${describeOperand(op)}`, op.span);
        fields[p.field] = lazy(op.e, (v) => v);
        break;
      case 'uconst': {
        const v = constOf(op, i, env, `a constant for the ${p.field} field`);
        const max = 2 ** p.width - 1;
        if ((v < 0 || v > max) && env.lenient) {
          env.warn(`value ${v} is out of range for the ${p.field} field (0..${max}); using ${v & max}`, op.span);
          fields[p.field] = v & max;
          break;
        }
        if (v < 0 || v > max) throw new Mismatch(i, `value ${v} is out of range for the ${p.field} field (0..${max})`, op.span);
        fields[p.field] = v;
        break;
      }
      case 'breakcode': {
        const v = constOf(op, i, env, 'a break code');
        if (v < 0 || v > 1023) throw new Mismatch(i, `break code ${v} is out of range (0..1023)`, op.span);
        fields[p.field] = v << 10;
        break;
      }
      case 'copreg': {
        if (op.k === 'reg' && op.reg.cls !== 'cc') fields[p.field] = regNumOf(op.reg);
        else {
          const v = constOf(op, i, env, 'a coprocessor register ($0..$31)');
          if (v < 0 || v > 31) throw new Mismatch(i, `coprocessor register ${v} is out of range (0..31)`, op.span);
          fields[p.field] = v;
        }
        break;
      }
      case 'cc': {
        if (op.k === 'reg' && op.reg.cls === 'cc') fields[p.field] = op.reg.n;
        else {
          const v = constOf(op, i, env, 'a condition code ($fcc0..$fcc7 or 0..7)');
          if (v < 0 || v > 7) throw new Mismatch(i, `condition code ${v} is out of range (0..7)`, op.span);
          fields[p.field] = v;
        }
        break;
      }
      case 'extsize':
      case 'inssize': {
        const size = constOf(op, i, env, 'a bit-field size');
        const lsb = typeof fields.lsb === 'number' ? fields.lsb : 0;
        if (size < 1 || lsb + size > 32) throw new Mismatch(i, `bit-field size ${size} is out of range (1..${32 - lsb} with position ${lsb})`, op.span);
        fields[p.field] = p.kind === 'extsize' ? size - 1 : lsb + size - 1;
        break;
      }
      case 'mem': {
        if (op.k !== 'mem') throw new Mismatch(i, `expected a memory operand like 8($sp), found ${describeOperand(op)}`, op.span);
        fields[p.base!] = op.base.cls === 'fpr' || op.base.cls === 'cc' ? (() => { throw new Mismatch(i, `expected a general-purpose base register, found ${op.baseTok.text}`, op.span); })() : op.base.n;
        if (op.base.n === 1) env.explicitAt(op.span);
        fields[p.field] = op.off ? imm16(op.off, i, true, 'offset', exprSpan(op.off)) : 0;
        break;
      }
      case 'imem': {
        if (op.k !== 'imem') throw new Mismatch(i, `expected an indexed memory operand like $t1($t2), found ${describeOperand(op)}`, op.span);
        fields[p.field] = op.index.n;
        fields[p.base!] = op.base.n;
        break;
      }
    }
  });
  // clz/clo: GNU as puts rd in rt as well (MIPS32 requires rt = rd).
  if ((form.def.name === 'clz' || form.def.name === 'clo') && fields.rt === undefined) fields.rt = fields.rd;
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Emitting instructions (pass 1): what pseudo-instructions build their expansions with.

export interface Emit {
  def: InsnDef;
  fields: Record<string, FV>;
}

export interface GenOptions {
  delaySlots: boolean;
  bigEndian: boolean;
  compact: boolean;
  /** SPIM -bare: only forms that need no $at are allowed. */
  bare: boolean;
}

export const AT = 1;

/** An address operand in pass 1: optional base register and optional offset expression. */
export interface AddrArg {
  base: number | null;
  off: PV | null;
  span: Span;
}

export class Gen {
  readonly out: Emit[] = [];
  usesAt = false;

  constructor(
    readonly table: AsmTable,
    readonly opts: GenOptions,
    /** The mnemonic, for errors about missing instructions. */
    readonly tok?: Token,
  ) {}

  /** $at, noting that the expansion needs it. */
  get at(): number {
    this.usesAt = true;
    return AT;
  }

  i(name: string, fields: Record<string, FV>): void {
    const def = this.table.insn(name);
    if (!def) throw new AsmError(`this needs the '${name}' instruction, which the instruction table does not define`, this.tok ? spanOf(this.tok) : undefined);
    this.out.push({ def, fields });
  }

  nop(): void {
    this.i('sll', { rd: 0, rt: 0, sa: 0 });
  }

  /** A branch over the next `n` instructions of the expansion (counting a delay-slot nop). */
  skip(name: string, fields: Record<string, FV>, n: number): void {
    const ds = this.opts.delaySlots;
    this.i(name, { ...fields, broff: { rel: n + (ds ? 1 : 0) } });
    if (ds) this.nop();
  }

  /** Loads a 32-bit value into rd with the shortest sequence. */
  li(rd: number, pv: PV): void {
    if (pv.known) {
      const v = pv.v | 0;
      if (fitsS16(v)) this.i('addiu', { rt: rd, rs: 0, imm: v });
      else if (fitsU16(v)) this.i('ori', { rt: rd, rs: 0, uimm: v });
      else if ((v & 0xffff) === 0) this.i('lui', { rt: rd, uimm: hi16(v) });
      else {
        this.i('lui', { rt: rd, uimm: hi16(v) });
        this.i('ori', { rt: rd, rs: rd, uimm: v & 0xffff });
      }
      return;
    }
    if (pv.half) {
      this.i('addiu', { rt: rd, rs: 0, imm: lazy(pv.e, (v) => v) });
      return;
    }
    this.i('lui', { rt: rd, uimm: lazy(pv.e, hi16) });
    this.i('ori', { rt: rd, rs: rd, uimm: lazy(pv.e, (v) => v & 0xffff) });
  }

  /** Loads a value into $at (for `op rd, rs, imm` style expansions). */
  liAt(pv: PV): number {
    const at = this.at;
    this.li(at, pv);
    return at;
  }

  /**
   * Resolves an address for a load/store: emits what is needed to form it and returns the
   * base register and a function giving the offset field for byte displacement k (0..extra).
   */
  address(a: AddrArg, extra = 0): { base: number; off: (k: number) => FV; viaAt: boolean } {
    const base = a.base ?? 0;
    const off = a.off;
    if (!off) return { base, off: (k) => k, viaAt: false };
    if (off.known) {
      const v = off.v | 0;
      if (fitsS16(v) && fitsS16(v + extra)) return { base, off: (k) => v + k, viaAt: false };
      const at = this.at;
      if (extra === 0) {
        this.i('lui', { rt: at, uimm: ahi16(v) });
        if (a.base !== null && a.base !== 0) this.i('addu', { rd: at, rs: at, rt: a.base });
        return { base: at, off: () => lo16(v), viaAt: true };
      }
      this.li(at, { known: true, v });
      if (a.base !== null && a.base !== 0) this.i('addu', { rd: at, rs: at, rt: a.base });
      return { base: at, off: (k) => k, viaAt: true };
    }
    const e = off.e;
    if (off.half || this.opts.compact) return { base, off: (k) => lazy(e, (v) => v + k), viaAt: false };
    const at = this.at;
    if (extra === 0) {
      this.i('lui', { rt: at, uimm: lazy(e, ahi16) });
      if (a.base !== null && a.base !== 0) this.i('addu', { rd: at, rs: at, rt: a.base });
      return { base: at, off: () => lazy(e, lo16), viaAt: true };
    }
    this.i('lui', { rt: at, uimm: lazy(e, ahi16) });
    this.i('addiu', { rt: at, rs: at, imm: lazy(e, lo16) });
    if (a.base !== null && a.base !== 0) this.i('addu', { rd: at, rs: at, rt: a.base });
    return { base: at, off: (k) => k, viaAt: true };
  }
}

/** Reads an address operand: (base), off(base), or a bare expression. */
export function addrOf(op: Operand, i: number, env: MatchEnv): AddrArg {
  if (op.k === 'mem') {
    if (op.base.cls === 'fpr' || op.base.cls === 'cc') throw new Mismatch(i, `expected a general-purpose base register, found ${op.baseTok.text}`, op.span);
    if (op.base.n === 1) env.explicitAt(op.span);
    return { base: op.base.n, off: op.off ? env.pv(op.off) : null, span: op.span };
  }
  if (op.k === 'expr') return { base: null, off: env.pv(op.e), span: op.span };
  throw new Mismatch(i, `expected an address (label, offset(register) or number), found ${describeOperand(op)}`, op.span);
}

export function pvHalf(pv: PV): boolean {
  return !pv.known && pv.half;
}

export { isHalfword };
