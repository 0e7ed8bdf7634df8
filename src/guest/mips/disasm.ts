// MIPS disassembler driven by the instruction table; output follows GNU objdump's style.
import { Decoder } from '../../isa/decoder.js';
import { fieldValue, mips32Table, type AliasDef, type InsnDef, type SyntaxPart } from '../../isa/table.js';

export const GPR_NAMES = [
  'zero', 'at', 'v0', 'v1', 'a0', 'a1', 'a2', 'a3',
  't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7',
  's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7',
  't8', 't9', 'k0', 'k1', 'gp', 'sp', 's8', 'ra',
];

export interface DisasmOptions {
  /** 'abi' prints t0, sp, c1_fcsr...; 'numeric' prints $8, $29, $31 (objdump -M reg-names=numeric). */
  regNames?: 'abi' | 'numeric';
  /** Returns `<symbol+0x10>` text for an address, or null. */
  symbolize?: (addr: number) => string | null;
  /** Print the table instruction, not its preferred alias, unless the alias is flagged `keep` (objdump -M no-aliases). */
  noAliases?: boolean;
}

export interface DisasmResult {
  mnemonic: string;
  operands: string;
  insn: InsnDef | null;
  /** The table alias printed, if any. */
  alias?: AliasDef;
}

let decoder: Decoder | undefined;
export function mipsDecoder(): Decoder {
  return (decoder ??= new Decoder(mips32Table()));
}

const hex = (v: number) => '0x' + (v >>> 0).toString(16);

/** objdump's names for RDHWR registers (the rest print as $n). */
export const HWR_NAMES: Record<number, string> = { 0: 'hwr_cpunum', 1: 'hwr_synci_step', 2: 'hwr_cc', 3: 'hwr_ccres' };
/** objdump's names for CP1 control registers (the rest print as $n). */
/** objdump's MIPS32r2 CP0 register names (select 0). */
export const CP0_NAMES: (string | undefined)[] = [
  'c0_index', 'c0_random', 'c0_entrylo0', 'c0_entrylo1', 'c0_context', 'c0_pagemask', 'c0_wired', 'c0_hwrena',
  'c0_badvaddr', 'c0_count', 'c0_entryhi', 'c0_compare', 'c0_status', 'c0_cause', 'c0_epc', 'c0_prid',
  'c0_config', 'c0_lladdr', 'c0_watchlo', 'c0_watchhi', 'c0_xcontext', undefined, undefined, 'c0_debug',
  'c0_depc', 'c0_perfcnt', 'c0_errctl', 'c0_cacheerr', 'c0_taglo', 'c0_taghi', 'c0_errorepc', 'c0_desave',
];

/** objdump's names for CP0 (register, select) pairs with select > 0, keyed reg * 8 + sel. */
export const CP0_SEL_NAMES: Record<number, string> = (() => {
  const t: Record<number, string> = {};
  const add = (reg: number, names: string[], from = 1) => names.forEach((n, i) => { if (n) t[reg * 8 + from + i] = n; });
  add(0, ['c0_mvpcontrol', 'c0_mvpconf0', 'c0_mvpconf1']);
  add(1, ['c0_vpecontrol', 'c0_vpeconf0', 'c0_vpeconf1', 'c0_yqmask', 'c0_vpeschedule', 'c0_vpeschefback']);
  add(2, ['c0_tcstatus', 'c0_tcbind', 'c0_tcrestart', 'c0_tchalt', 'c0_tccontext', 'c0_tcschedule', 'c0_tcschefback']);
  add(4, ['c0_contextconfig']);
  add(5, ['c0_pagegrain']);
  add(6, ['c0_srsconf0', 'c0_srsconf1', 'c0_srsconf2', 'c0_srsconf3', 'c0_srsconf4']);
  add(12, ['c0_intctl', 'c0_srsctl', 'c0_srsmap']);
  add(15, ['c0_ebase']);
  add(16, ['c0_config1', 'c0_config2', 'c0_config3']);
  for (const [reg, name, n] of [[18, 'c0_watchlo', 7], [19, 'c0_watchhi', 7], [25, 'c0_perfcnt', 7], [27, 'c0_cacheerr', 3]] as const) {
    for (let sel = 1; sel <= n; sel++) t[reg * 8 + sel] = `${name},${sel}`;
  }
  add(23, ['c0_tracecontrol', 'c0_tracecontrol2', 'c0_usertracedata', 'c0_tracebpc']);
  add(28, ['c0_datalo', 'c0_taglo1', 'c0_datalo1', 'c0_taglo2', 'c0_datalo2', 'c0_taglo3', 'c0_datalo3']);
  add(29, ['c0_datahi', 'c0_taghi1', 'c0_datahi1', 'c0_taghi2', 'c0_datahi2', 'c0_taghi3', 'c0_datahi3']);
  return t;
})();

export const FCR_NAMES: Record<number, string> = {
  0: 'c1_fir', 1: 'c1_ufr', 4: 'c1_unfr', 25: 'c1_fccr', 26: 'c1_fexr', 28: 'c1_fenr', 31: 'c1_fcsr',
};

function gpr(n: number, opts: DisasmOptions): string {
  return opts.regNames === 'numeric' ? `$${n}` : GPR_NAMES[n];
}

/** Value of a field or computed operand of `def` in `word`. */
export function operandValue(def: InsnDef, word: number, name: string): number {
  if (name === 'zero') return 0;
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
    case 'rs': case 'rt': case 'rd': case 'base': case 'index': case 'zero':
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
      // break's 20-bit code is two fields for objdump (code, code2); syscall and sdbbp print one.
      return def.name === 'break'
        ? (v & 0x3ff ? `${hex(v >>> 10)},${hex(v & 0x3ff)}` : hex(v >>> 10))
        : hex(v);
    case 'hwr':
      return (opts.regNames !== 'numeric' && HWR_NAMES[v]) || `$${v}`;
    case 'fcr':
      return (opts.regNames !== 'numeric' && FCR_NAMES[v]) || `$${v}`;
    case 'cd':
      return (opts.regNames !== 'numeric' && CP0_NAMES[v]) || `$${v}`;
    case 'cc':
      return `$fcc${v}`;
    case 'broff':
    case 'target': {
      const t = name === 'broff' ? branchTarget(pc, word) : jumpTarget(pc, word);
      const sym = opts.symbolize?.(t);
      return sym ? `${t.toString(16)} ${sym}` : hex(t);
    }
    default:
      return String(v);
  }
}

function formatOperands(def: InsnDef, syntax: SyntaxPart[], word: number, pc: number, opts: DisasmOptions): string {
  let out = '';
  for (let i = 0; i < syntax.length; i++) {
    const p = syntax[i];
    if (p.kind === 'text') { out += p.text; continue; }
    // "cd, sel" naming a CP0 (register, select) pair objdump knows prints as that one name.
    const next = syntax[i + 2];
    if (p.name === 'cd' && next?.kind === 'operand' && next.name === 'sel' && opts.regNames !== 'numeric') {
      const cd = operandValue(def, word, 'cd'), sel = operandValue(def, word, 'sel');
      const name = CP0_SEL_NAMES[cd * 8 + sel];
      if (name) { out += name; i += 2; continue; }
      if (sel !== 0) { out += `$${cd}`; continue; } // objdump: unnamed pairs are "$13,2"
    }
    out += formatOperand(def, p.name, word, pc, opts);
  }
  return out;
}

export function disassemble(word: number, pc: number, opts: DisasmOptions = {}): DisasmResult {
  const dec = mipsDecoder();
  const def = dec.decode(word);
  if (!def) return { mnemonic: '.word', operands: hex(word), insn: null };
  for (const al of dec.table.aliasesOf.get(def.id) ?? []) {
    if (al.flags.has('nodis') || (opts.noAliases && !al.flags.has('keep'))) continue;
    if (al.conds.every((c) => fieldValue(c.field, word) === c.value)) {
      return { mnemonic: al.name, operands: formatOperands(def, al.syntax, word, pc, opts), insn: def, alias: al };
    }
  }
  return { mnemonic: def.name, operands: formatOperands(def, def.syntax, word, pc, opts), insn: def };
}

/** One line of text: "mnemonic\toperands" as objdump prints it. */
export function disassembleText(word: number, pc: number, opts: DisasmOptions = {}): string {
  const r = disassemble(word, pc, opts);
  return r.operands ? `${r.mnemonic}\t${r.operands}` : r.mnemonic;
}
