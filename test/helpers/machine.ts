// Test helpers: build a Machine from instruction words (or one-line assembly parsed with the
// instruction table), run it under an engine and inspect the result.
//
//   const { m, result } = runCode('jit', ['addiu $2, $0, 5', 'syscall']);
//
// The default environment ends the run at the first `syscall` (StopRun 'exit', code $a0 & 0xff),
// so most programs end with 'syscall'.
import { Machine, type Environment } from '../../src/machine/machine.js';
import { createEngine, ENGINE_KINDS, type EngineKind } from '../../src/machine/engines.js';
import { runMachine, type RunLimits, type RunResult } from '../../src/machine/run.js';
import { StopRun } from '../../src/machine/exceptions.js';
import { encodeFields } from '../../src/isa/encoder.js';
import { mips32Table, type InsnDef } from '../../src/isa/table.js';
import { GPR_NAMES } from '../../src/guest/mips/disasm.js';
import { CapturedIO, type GuestIO } from '../../src/env/io.js';

export { ENGINE_KINDS, type EngineKind };

export const TEXT_BASE = 0x00400000;
export const DATA_BASE = 0x10010000;
export const DATA_SIZE = 0x10000;

/** Ends the run at every syscall with exit code $a0 & 0xff. */
export const haltEnv: Environment = {
  name: 'test-halt',
  syscall(m) {
    throw new StopRun('exit', m.cpu.r[4] & 0xff);
  },
};

/** Encodes one instruction from field values: enc('addu', { rd: 3, rs: 1, rt: 2 }). */
export function enc(name: string, fields: Record<string, number> = {}): number {
  const def = mips32Table().byName.get(name);
  if (!def) throw new Error(`no instruction '${name}' in the table`);
  return encodeFields(def, fields);
}

function parseReg(tok: string): number {
  const t = tok.trim().replace(/^\$/, '');
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n < 32) return n;
  }
  const i = GPR_NAMES.indexOf(t === 'fp' ? 's8' : t);
  if (i < 0) throw new Error(`bad register '${tok}'`);
  return i;
}

function parseNum(tok: string): number {
  const t = tok.trim();
  const neg = t.startsWith('-');
  const body = neg ? t.slice(1) : t;
  const v = /^0x[0-9a-f]+$/i.test(body) ? parseInt(body, 16) : /^\d+$/.test(body) ? Number(body) : NaN;
  if (Number.isNaN(v)) throw new Error(`bad number '${tok}'`);
  return neg ? -v : v;
}

/**
 * Assembles one line using the table's syntax: registers as $n / $name / name, numbers in
 * decimal or 0x hex. Branch offsets (broff) are signed word offsets from the delay slot, as
 * encoded; jump targets are absolute byte addresses. Aliases from the table (nop, move, b,
 * bal, ...) are accepted.
 */
export function asm(line: string): number {
  const m = /^\s*([a-z][a-z0-9.]*)\s*(.*)$/i.exec(line);
  if (!m) throw new Error(`bad line '${line}'`);
  const [, name, rest] = m;
  const table = mips32Table();
  const candidates: { def: InsnDef; syntax: InsnDef['syntax']; fixed: Record<string, number> }[] = [];
  for (const al of table.aliases) {
    if (al.name === name) candidates.push({ def: al.base, syntax: al.syntax, fixed: Object.fromEntries(al.conds.map((c) => [c.field.name, c.value])) });
  }
  const def = table.byName.get(name);
  if (def) candidates.push({ def, syntax: def.syntax, fixed: {} });
  if (!candidates.length) throw new Error(`unknown instruction '${name}'`);
  const errors: string[] = [];
  for (const c of candidates) {
    try {
      return assembleWith(c.def, c.syntax, c.fixed, rest.trim());
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  throw new Error(`cannot assemble '${line}': ${errors.join('; ')}`);
}

function assembleWith(def: InsnDef, syntax: InsnDef['syntax'], fixed: Record<string, number>, text: string): number {
  // Turn the syntax into a regex: operands are runs of non-separator characters.
  let re = '^';
  const names: string[] = [];
  for (const p of syntax) {
    if (p.kind === 'text') re += p.text.split('').map((ch) => `\\s*\\${ch}\\s*`).join('');
    else { re += '([^,()\\s]+)'; names.push(p.name); }
  }
  re += '$';
  const mm = new RegExp(re).exec(text);
  if (!mm) throw new Error(`operands '${text}' do not match ${def.name}'s syntax`);
  const fields: Record<string, number> = { ...fixed };
  names.forEach((name, i) => {
    const tok = mm[i + 1];
    switch (name) {
      case 'rs': case 'rt': case 'rd': case 'base':
        fields[name] = parseReg(tok); break;
      case 'fs': case 'ft': case 'fd': case 'fr':
        fields[name] = Number(tok.replace(/^\$f/, '')); break;
      case 'hwr':
        fields[name] = Number(tok.replace(/^\$/, '')); break;
      case 'cc':
        fields[name] = Number(tok.replace(/^\$fcc/, '')); break;
      case 'target':
        fields[name] = (parseNum(tok) >>> 2) & 0x3ffffff; break;
      case 'uimm': {
        const v = parseNum(tok);
        fields[name] = v < 0 ? v & 0xffff : v;
        break;
      }
      case 'extsize': fields.msbd = parseNum(tok) - 1; break;
      case 'inssize': fields.msb = (fields.lsb ?? 0) + parseNum(tok) - 1; break;
      default:
        fields[name] = parseNum(tok);
    }
  });
  return encodeFields(def, fields);
}

export interface ProgramSetup {
  bigEndian?: boolean;
  /** Default true (real MIPS). */
  delaySlots?: boolean;
  base?: number;
  /** Initial registers by number (32 = HI, 33 = LO). */
  regs?: Record<number, number>;
  /** Bytes to place in memory (the data region DATA_BASE..+DATA_SIZE is always mapped). */
  data?: { addr: number; bytes: ArrayLike<number> }[];
  env?: Environment;
  io?: GuestIO;
  memoryCap?: number;
}

/** A machine with `code` (words or assembly lines) at `base` and pc at its start. */
export function makeMachine(code: (string | number)[], setup: ProgramSetup = {}): Machine {
  const bigEndian = setup.bigEndian ?? true;
  const m = new Machine({ bigEndian, delaySlots: setup.delaySlots ?? true, memoryCap: setup.memoryCap });
  const base = setup.base ?? TEXT_BASE;
  m.mem.map(base, Math.max(4, code.length * 4), 'text');
  code.forEach((c, i) => m.mem.write32(base + 4 * i, typeof c === 'number' ? c | 0 : asm(c) | 0));
  m.mem.map(DATA_BASE, DATA_SIZE, 'data');
  for (const d of setup.data ?? []) {
    if (!m.mem.isMapped(d.addr)) m.mem.map(d.addr, d.bytes.length, 'data');
    if (!m.mem.writeBytes(d.addr, Uint8Array.from(d.bytes))) throw new Error('could not place data');
  }
  for (const [k, v] of Object.entries(setup.regs ?? {})) m.cpu.r[Number(k)] = v;
  m.env = setup.env ?? haltEnv;
  m.io = setup.io ?? new CapturedIO();
  m.cpu.jumpTo(base);
  return m;
}

export function run(kind: EngineKind, m: Machine, limits: RunLimits = {}): RunResult {
  return runMachine(m, createEngine(kind, m), limits);
}

/** Builds and runs a program; returns the machine (for inspection) and the run result. */
export function runCode(kind: EngineKind, code: (string | number)[], setup: ProgramSetup = {}, limits: RunLimits = {}) {
  const m = makeMachine(code, setup);
  const result = run(kind, m, limits);
  return { m, result, r: m.cpu.r };
}

/**
 * One machine and engine reused for many small programs (a fresh Machine costs a few ms: its
 * page tables have a million entries). Each exec() rewrites the code at TEXT_BASE followed by a
 * halting syscall, zeroes registers and the first 256 bytes of the data region, and runs from
 * TEXT_BASE. Rewriting code through the memory API is exactly what self-modifying guests do,
 * so engines that cache translations must notice it.
 */
export class Rig {
  readonly m: Machine;
  private readonly engine: ReturnType<typeof createEngine>;
  constructor(readonly kind: EngineKind, setup: Pick<ProgramSetup, 'bigEndian' | 'delaySlots' | 'env' | 'io' | 'memoryCap'> = {}) {
    this.m = makeMachine(['syscall'], setup);
    this.engine = createEngine(kind, this.m);
  }

  exec(code: (string | number)[], regs: Record<number, number> = {}, data: ArrayLike<number> = [], limits: RunLimits = {}) {
    const m = this.m, cpu = m.cpu;
    [...code, 'syscall'].forEach((c, i) => m.mem.write32(TEXT_BASE + 4 * i, typeof c === 'number' ? c | 0 : asm(c) | 0));
    m.mem.writeBytes(DATA_BASE, new Uint8Array(256));
    m.mem.writeBytes(DATA_BASE, Uint8Array.from(data));
    cpu.r.fill(0);
    for (const [k, v] of Object.entries(regs)) cpu.r[Number(k)] = v;
    cpu.llbit = 0;
    cpu.fcsr = 0;
    cpu.userLocal = 0;
    m.insnCount = 0;
    m.fault = null;
    cpu.jumpTo(TEXT_BASE);
    const result = runMachine(m, this.engine, limits);
    return { m, result, r: cpu.r };
  }
}

/** Unsigned view of a register value. */
export const u32 = (v: number) => v >>> 0;

/** Snapshot of the architectural integer state, for "state unchanged" checks. */
export function snapshot(m: Machine) {
  return { r: Array.from(m.cpu.r), pc: m.cpu.pc, npc: m.cpu.npc, llbit: m.cpu.llbit };
}
