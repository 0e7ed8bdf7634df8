// Human-readable descriptions of how a run ended.
import { EXC_DESCRIPTIONS, ExcCode } from './exceptions.js';
import type { Machine } from './machine.js';
import type { RunResult } from './run.js';
import { disassembleText, mipsDecoder } from '../guest/mips/disasm.js';

const hex8 = (v: number) => '0x' + (v >>> 0).toString(16).padStart(8, '0');

/** Where an instruction came from in assembly source (set for programs asmbox assembled). */
export interface SourceLocation {
  file: string;
  line: number;
  /** The statement as written. */
  text: string;
  /** Set when the instruction comes from a macro expansion. */
  macro?: { name: string; file: string; line: number };
}

export type SourceLookup = (addr: number) => SourceLocation | undefined;

const sourceLookups = new WeakMap<Machine, SourceLookup>();

/** Attaches an address -> source line map to a machine (used by fault reports). */
export function setSourceLookup(m: Machine, lookup: SourceLookup): void {
  sourceLookups.set(m, lookup);
}

export function sourceLocation(m: Machine, addr: number): SourceLocation | undefined {
  return sourceLookups.get(m)?.(addr >>> 0);
}

/** A binary-search lookup over entries sorted by address. */
export function sortedSourceLookup(entries: readonly (SourceLocation & { addr: number })[]): SourceLookup {
  return (addr) => {
    let lo = 0, hi = entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const a = entries[mid].addr >>> 0;
      if (a === addr) return entries[mid];
      if (a < addr) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  };
}

/** One line in the words of the source: "address error on load from 0x00000003". */
function faultSummary(m: Machine, code: ExcCode, pc: number, bad: number | undefined, detail: string | undefined): string {
  let isStore = false;
  try {
    isStore = !!mipsDecoder().decode(m.mem.fetch(pc))?.flags.has('store');
  } catch {
    // unreadable instruction: keep the default
  }
  const at = bad !== undefined ? hex8(bad) : '?';
  let what: string;
  switch (code) {
    case ExcCode.AdEL: what = bad === pc ? `address error on instruction fetch from ${at}` : `address error on load from ${at}`; break;
    case ExcCode.AdES: what = `address error on store to ${at}`; break;
    case ExcCode.DBE: what = isStore ? `store to unmapped address ${at}` : `load from unmapped address ${at}`; break;
    case ExcCode.IBE: what = `instruction fetch from unmapped address ${at}`; break;
    case ExcCode.Ov: what = 'arithmetic overflow'; break;
    case ExcCode.Tr: what = 'trap'; break;
    case ExcCode.Bp: what = 'break instruction executed'; break;
    case ExcCode.RI: what = 'reserved instruction'; break;
    case ExcCode.CpU: what = 'coprocessor unusable'; break;
    case ExcCode.FPE: what = 'floating-point exception'; break;
    default: what = EXC_DESCRIPTIONS[code] ?? 'exception';
  }
  return detail ? `${what}: ${detail}` : what;
}

export function describeFault(m: Machine): string {
  const f = m.fault;
  if (!f) return 'guest fault';
  const e = f.exception;
  const name = ExcCode[e.code] ?? String(e.code);
  const where = m.symbolize(f.pc);
  let insn = '';
  try {
    insn = disassembleText(m.mem.fetch(f.pc), f.pc, { symbolize: (a) => { const s = m.symbolize(a); return s ? `<${s}>` : null; } }).replace('\t', ' ');
  } catch {
    insn = '(instruction not readable)';
  }
  const src = sourceLocation(m, f.pc);
  const lines = [
    ...(src ? [`${src.file}:${src.line}: ${faultSummary(m, e.code, f.pc, e.badVAddr, e.detail)} (${src.text})${src.macro ? ` [in macro ${src.macro.name} called at ${src.macro.file}:${src.macro.line}]` : ''}`] : []),
    `guest exception: ${EXC_DESCRIPTIONS[e.code] ?? 'exception'} (${name}, code ${e.code})${e.detail ? `: ${e.detail}` : ''}`,
    `  at pc ${hex8(f.pc)}${where ? ` <${where}>` : ''}${f.inDelaySlot ? ' (in a branch delay slot)' : ''}: ${insn}`,
  ];
  if (e.badVAddr !== undefined && (e.code === ExcCode.AdEL || e.code === ExcCode.AdES || e.code === ExcCode.DBE || e.code === ExcCode.IBE)) {
    lines.push(`  BadVAddr ${hex8(e.badVAddr)}${stackHint(m, e.badVAddr)}`);
  }
  return lines.join('\n');
}

function stackHint(m: Machine, addr: number): string {
  const sp = m.cpu.r[29] >>> 0;
  const region = m.mem.regionAt(addr + 4096);
  if (region?.name === 'stack' && addr < region.start && Math.abs(addr - sp) < 1 << 16) return ' (stack overflow?)';
  return '';
}

export function describeResult(m: Machine, r: RunResult): string {
  switch (r.kind) {
    case 'exit': return `guest exited with code ${r.exitCode}`;
    case 'fault': return describeFault(m);
    default: return r.message ?? r.kind;
  }
}
