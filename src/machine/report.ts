// Human-readable descriptions of how a run ended.
import { EXC_DESCRIPTIONS, ExcCode } from './exceptions.js';
import type { Machine } from './machine.js';
import type { RunResult } from './run.js';
import { disassembleText } from '../guest/mips/disasm.js';

const hex8 = (v: number) => '0x' + (v >>> 0).toString(16).padStart(8, '0');

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
  const lines = [
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
