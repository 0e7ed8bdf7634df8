// MIPS disassembler driven by the instruction table; output follows GNU objdump's style.
import { Decoder } from '../../isa/decoder.js';
import { fieldValue, mips32Table, type InsnDef, type SyntaxPart } from '../../isa/table.js';

export const GPR_NAMES = [
  'zero', 'at', 'v0', 'v1', 'a0', 'a1', 'a2', 'a3',
  't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7',
  's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7',
  't8', 't9', 'k0', 'k1', 'gp', 'sp', 's8', 'ra',
];

export interface DisasmOptions {
  /** 'abi' prints t0, sp...; 'numeric' prints $8, $29... */
  regNames?: 'abi' | 'numeric';
  /** Returns `<symbol+0x10>` text for an address, or null. */
  symbolize?: (addr: number) => string | null;
  /** Print the table instruction, never its preferred alias (objdump -M no-aliases). */
  noAliases?: boolean;
}

export interface DisasmResult {
  mnemonic: string;
  operands: string;
  insn: InsnDef | null;
}

let decoder: Decoder | undefined;
export function mipsDecoder(): Decoder {
  return (decoder ??= new Decoder(mips32Table()));
}

const hex = (v: number) => '0x' + (v >>> 0).toString(16);

function gpr(n: number, opts: DisasmOptions): string {
  return opts.regNames === 'numeric' ? `$${n}` : GPR_NAMES[n];
}

/** Value of a field or computed operand of `def` in `word`. */
export function operandValue(def: InsnDef, word: number, name: string): number {
  if (name === 'extsize') return operandValue(def, word, 'msbd') + 1;
  if (name === 'inssize') return operandValue(def, word, 'msb') - operandValue(def, word, 'lsb') + 1;
  const f = def.fields.find((x) => x.name === name);
  if (!f) throw new Error(`${def.name} has no operand ${name}`);
  return fieldValue(f, word);
}

export function branchTarget(pc: number, word: number): number {
  return (pc + 4 + (((word << 16) >> 16) << 2)) >>> 0;
}

export function jumpTarget(pc: number, word: number): number {
  return (((pc + 4) & 0xf0000000) | ((word & 0x03ffffff) << 2)) >>> 0;
}

function formatOperand(def: InsnDef, name: string, word: number, pc: number, opts: DisasmOptions): string {
  const v = operandValue(def, word, name);
  switch (name) {
    case 'rs': case 'rt': case 'rd': case 'base':
      return gpr(v, opts);
    case 'fs': case 'ft': case 'fd': case 'fr':
      return `$f${v}`;
    case 'imm': case 'off':
      return String((v << 16) >> 16);
    case 'uimm': case 'sa': case 'hint': case 'op': case 'stype':
      return hex(v);
    case 'lsb': case 'extsize': case 'inssize':
      return hex(v);
    case 'code':
      return def.fields.find((f) => f.name === 'code')!.width === 20 && (def.name === 'break' || def.name === 'sdbbp')
        ? (v & 0x3ff ? `${hex(v >>> 10)},${hex(v & 0x3ff)}` : hex(v >>> 10))
        : hex(v);
    case 'hwr':
      return `$${v}`;
    case 'cc':
      return `$fcc${v}`;
    case 'broff':
    case 'target': {
      const t = name === 'broff' ? branchTarget(pc, word) : jumpTarget(pc, word);
      const sym = opts.symbolize?.(t);
      return t.toString(16) + (sym ? ` ${sym}` : '');
    }
    default:
      return String(v);
  }
}

function formatOperands(def: InsnDef, syntax: SyntaxPart[], word: number, pc: number, opts: DisasmOptions): string {
  return syntax
    .map((p) => (p.kind === 'text' ? p.text : formatOperand(def, p.name, word, pc, opts)))
    .join('');
}

export function disassemble(word: number, pc: number, opts: DisasmOptions = {}): DisasmResult {
  const dec = mipsDecoder();
  const def = dec.decode(word);
  if (!def) return { mnemonic: '.word', operands: hex(word), insn: null };
  for (const al of opts.noAliases ? [] : dec.table.aliasesOf.get(def.id) ?? []) {
    if (al.conds.every((c) => fieldValue(c.field, word) === c.value)) {
      return { mnemonic: al.name, operands: formatOperands(def, al.syntax, word, pc, opts), insn: def };
    }
  }
  return { mnemonic: def.name, operands: formatOperands(def, def.syntax, word, pc, opts), insn: def };
}

/** One line of text: "mnemonic\toperands" as objdump prints it. */
export function disassembleText(word: number, pc: number, opts: DisasmOptions = {}): string {
  const r = disassemble(word, pc, opts);
  return r.operands ? `${r.mnemonic}\t${r.operands}` : r.mnemonic;
}
