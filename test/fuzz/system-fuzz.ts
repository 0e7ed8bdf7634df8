// Differential fuzzing in system mode: the random programs of diff-fuzz.ts run in kernel mode on a
// booted machine whose interval timer interrupts every few instructions. A handler in the ROM
// logs EPC and Cause of every interrupt and halts on any other exception (with its code), so the
// interrupt points, the exception state and the final state must agree between the interpreter
// and the translator in every configuration (translate at once or after a few runs, chained or not).
import { enc, TEXT_BASE, DATA_BASE } from '../helpers/machine.js';
import { createEngine, type EngineKind, type EngineOptions } from '../../src/machine/engines.js';
import { runMachine } from '../../src/machine/run.js';
import { bootMachine } from '../../src/machine/system.js';
import { CapturedIO } from '../../src/env/io.js';
import { Rng, assemble, generate, listing, type Program } from './diff-fuzz.js';

const K0 = 26, K1 = 27;
/** Interrupt log in kseg0: the count at LOG, then (EPC, Cause) pairs from LOG + 8. */
const LOG = 0x80001000;
const LOG_MAX = 256;
const DATA_PAGE = 0x1000;

/** The exception handler at 0xBFC00380 (BEV): interrupts are logged, anything else halts. */
function handlerWords(): number[] {
  const w = [
    enc('lui', { rt: K0, uimm: 0xbf00 }),
    enc('sw', { rt: 0, base: K0, off: 0x10c }), // acknowledge the timer
    enc('mfc0', { rt: K1, cd: 13, sel: 0 }),
    enc('andi', { rt: K1, rs: K1, uimm: 0x7c }),
    enc('bne', { rs: K1, rt: 0, broff: 13 }), // not an interrupt: to `fault`
    enc('sll', { rd: 0, rt: 0, sa: 0 }),
    enc('lui', { rt: K0, uimm: 0x8000 }),
    enc('lw', { rt: K1, base: K0, off: LOG & 0xffff }),
    enc('addiu', { rt: K1, rs: K1, imm: 1 }),
    enc('andi', { rt: K1, rs: K1, uimm: LOG_MAX - 1 }), // (a ring: the log never leaves its page)
    enc('sw', { rt: K1, base: K0, off: LOG & 0xffff }),
    enc('sll', { rd: K1, rt: K1, sa: 3 }),
    enc('addu', { rd: K1, rs: K1, rt: K0 }),
    enc('mfc0', { rt: K0, cd: 14, sel: 0 }),
    enc('sw', { rt: K0, base: K1, off: LOG & 0xffff }),
    enc('mfc0', { rt: K0, cd: 13, sel: 0 }),
    enc('sw', { rt: K0, base: K1, off: (LOG & 0xffff) + 4 }),
    enc('eret'),
    // fault: halt with the exception code
    enc('lui', { rt: K0, uimm: 0xbf00 }),
    enc('srl', { rd: K1, rt: K1, sa: 2 }),
    enc('sw', { rt: K1, base: K0, off: 0x300 }),
  ];
  return w;
}

function bytesOf(words: number[], bigEndian: boolean): Uint8Array {
  const b = new Uint8Array(words.length * 4);
  const v = new DataView(b.buffer);
  words.forEach((w, i) => v.setUint32(4 * i, w >>> 0, !bigEndian));
  return b;
}

export interface SystemOutcome {
  kind: string;
  exitCode: number;
  insns: number;
  regs: number[];
  log: number[];
  data: Uint8Array;
  text: Uint8Array;
  error?: string;
}

export interface SystemCase { program: Program; period: number }

export function generateSystemCase(seed: number): SystemCase {
  const program = generate(seed);
  return { program, period: new Rng(seed ^ 0x51ca7).range(3, 60) };
}

/** Runs the case on a booted machine; the program starts in kernel mode with interrupts on. */
export function executeSystem(kind: EngineKind, c: SystemCase, opts: EngineOptions = {}): SystemOutcome {
  const p = c.program;
  const words = assemble(p);
  const { m, board } = bootMachine({
    rom: new Uint8Array(0), io: new CapturedIO(''), bigEndian: p.bigEndian, delaySlots: p.delaySlots,
    segments: [
      { addr: 0xbfc00380, bytes: bytesOf(handlerWords(), p.bigEndian) },
      { addr: TEXT_BASE, bytes: bytesOf(words, p.bigEndian) },
      { addr: DATA_BASE, bytes: p.data },
    ],
  });
  try {
    p.regs.forEach((v, i) => { if (i > 0) m.cpu.r[i] = v; });
    m.mem.write32(0xbf000100, c.period); // interval timer: PERIOD, then periodic with interrupts
    m.mem.write32(0xbf000104, 7);
    m.sys!.write(12, 0, 0x00400000 | 0x2000 | 1); // Status: BEV, IM5, IE; kernel mode
    m.cpu.jumpTo(TEXT_BASE);
    const engine = createEngine(kind, m, { jitThreshold: 0, ...opts });
    let error: string | undefined;
    let res;
    try {
      res = runMachine(m, engine, { maxInsns: p.maxInsns });
    } catch (e) {
      error = `host exception: ${(e as Error)?.message ?? String(e)}`;
    }
    const n = m.mem.read32(LOG);
    const log = [n];
    for (let i = 1; i <= Math.min(n, LOG_MAX - 1); i++) log.push(m.mem.read32(LOG + 8 * i) >>> 0, m.mem.read32(LOG + 8 * i + 4) >>> 0);
    return {
      kind: res?.kind ?? 'crash', exitCode: res?.exitCode ?? -1, insns: m.insnCount, regs: Array.from(m.cpu.r),
      log, data: m.mem.readBytes(DATA_BASE, DATA_PAGE)!, text: m.mem.readBytes(TEXT_BASE, words.length * 4)!, error,
    };
  } finally {
    board.close();
    m.mem.release();
  }
}

/** Differences between two outcomes (empty: identical). */
export function compareSystem(a: SystemOutcome, b: SystemOutcome): string[] {
  const d: string[] = [];
  for (const k of ['error', 'kind', 'exitCode', 'insns'] as const) if (a[k] !== b[k]) d.push(`${k}: ${a[k]} / ${b[k]}`);
  for (let i = 1; i < 34; i++) if (a.regs[i] !== b.regs[i] && i !== K0 && i !== K1) d.push(`r${i}: ${a.regs[i]} / ${b.regs[i]}`);
  if (a.log.join() !== b.log.join()) d.push(`interrupt log (count, EPC, Cause...): [${a.log.map(hex)}] / [${b.log.map(hex)}]`);
  if (a.data.join() !== b.data.join()) d.push('data memory differs');
  if (a.text.join() !== b.text.join()) d.push('text memory differs');
  return d;
}

const hex = (v: number) => '0x' + (v >>> 0).toString(16);

/** The translator configurations compared against the interpreter. */
export const JIT_CONFIGS: { name: string; opts: EngineOptions }[] = [
  { name: 'threshold 0', opts: { jitThreshold: 0 } },
  { name: 'threshold 2', opts: { jitThreshold: 2 } },
  { name: 'threshold 0, no chaining', opts: { jitThreshold: 0, chain: false } },
];

export interface SystemFuzzFailure { seed: number; config: string; diffs: string[]; listing: string }

export function fuzzSystem(opts: { cases: number; seed: number; stopAfter?: number }): { cases: number; interrupts: number; failures: SystemFuzzFailure[] } {
  const failures: SystemFuzzFailure[] = [];
  let interrupts = 0;
  for (let i = 0; i < opts.cases && failures.length < (opts.stopAfter ?? Infinity); i++) {
    const seed = (opts.seed + i) >>> 0;
    const c = generateSystemCase(seed);
    const ref = executeSystem('interp', c);
    interrupts += ref.log[0];
    for (const cfg of JIT_CONFIGS) {
      const diffs = compareSystem(ref, executeSystem('jit', c, cfg.opts));
      if (diffs.length) failures.push({ seed, config: cfg.name, diffs, listing: `timer period ${c.period}\n${listing(c.program)}` });
    }
  }
  return { cases: opts.cases, interrupts, failures };
}
