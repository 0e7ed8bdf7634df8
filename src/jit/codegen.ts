// JS backend: a region (blocks of IR) -> the source of one JS function.
//
// The function keeps control inside itself, so loops and fall-through paths never return to the
// dispatcher: the blocks follow one another in nested labeled statements (a jump to a later
// block is `break Bk`), inside `for (;;)` with a `switch (b)` at its top that enters at block b
// and takes the jumps back to earlier blocks. Cached guest registers (those the region's loops
// use: loopGlobals) live in JS locals, loaded on entry and written back at every exit; the
// others are read and written in R directly. Each block entry checks the instruction budget
// (`left`) so an endless guest loop still stops on time. Memory accesses index the flat user
// buffer (target.flat) or a page object, with a runtime slow path.
//
//   fn(b, left) -> exit id    b: block index to start at; left: instructions it may run
//     exit id >= 0   left for a known pc (chainable exit slot `exits[id]`)
//     -1             budget: the block at pc needs more than `left` instructions
//     -2             left for a computed pc (cpu pc set)
//     -3             a helper set the pc itself
//   The runtime object H receives `left`; faults restore precise state through H.fault.
//
// Only numbers and identifiers made here appear in the source: nothing guest-controlled.
import {
  depositMask, mayLeave,
  type Cond, type Global, type IrBlock, type Op, type Value, type Var,
} from '../ir/index.js';
import { cachedAmong, globalUsage } from '../ir/regcache.js';

export interface GlobalBinding {
  local: string;
  ref: string;
  unsigned: boolean;
}

export interface CodegenTarget {
  bindings: ReadonlyMap<Global, GlobalBinding>;
  bigEndian: boolean;
  /** Statements that make int32 expression `x` the next guest pc. */
  setPc(x: string): string;
  /**
   * Memory is one flat buffer for user addresses (Memory.flat): accesses index views of it
   * (FM words, FB/FSB bytes, FH/FSH halves) after a page bitmap check (RB/WB).
   */
  flat?: boolean;
}

export interface CodegenOptions {
  /** Call H.trace(pc) at every block entry (-d exec). */
  traceExec?: boolean;
  /** Write back registers and call H.cpuState(pc) at every block entry (-d cpu). */
  traceCpu?: boolean;
  /** Name for the function (debugging). */
  name?: string;
  /** Memory accesses call the shared helpers LW/LH/LB/SW/SH/SB instead of inline fast paths. */
  memHelpers?: boolean;
  /** Keep only these globals in locals (default: every cacheable one the code uses; see loopGlobals). */
  cacheOnly?: ReadonlySet<Global>;
}

export interface RegionCode {
  source: string;
  /** Target pc of each chainable exit slot. */
  exits: number[];
  /** Number of fault sites (catch cases). */
  sites: number;
  cached: Global[];
  written: Global[];
}

export const EXIT_BUDGET = -1;
export const EXIT_DYNAMIC = -2;
export const EXIT_ENV = -3;

const CMP: Record<Cond, string> = {
  eq: '===', ne: '!==', lt: '<', le: '<=', gt: '>', ge: '>=', ltu: '<', leu: '<=', gtu: '>', geu: '>=',
};
const UNSIGNED = new Set<Cond>(['ltu', 'leu', 'gtu', 'geu']);

interface Site {
  pc: number;
  next: string;
  flags: number;
  /** Block instructions not executed when this site faults (the current one included). */
  refund: number;
  /** For helper calls: cached globals to write back (the rest the helper may have changed). */
  wb: Global[] | null;
}

function lit(n: number): string {
  n |= 0;
  return n < 0 ? `(${n})` : String(n);
}

export function generateRegion(blocks: IrBlock[], target: CodegenTarget, opts: CodegenOptions = {}): RegionCode {
  const bind = target.bindings;
  const usage = globalUsage(blocks.map((b) => b.ops));
  const keep = opts.cacheOnly;
  const cached = keep ? usage.cached.filter((g) => keep.has(g)) : usage.cached;
  const written = keep ? usage.written.filter((g) => keep.has(g)) : usage.written;
  const cachedSet = new Set(cached);
  const index = new Map<number, number>();
  blocks.forEach((b, i) => index.set(b.pc, i));
  /** Blocks a return may go to: the region's return points (after its calls). */
  const returnTargets = [...new Set(blocks.flatMap((b) => b.returnPoints))].flatMap((pc) => index.get(pc) ?? []);
  /** Blocks a call through a register may go to: the region's call targets (function entries). */
  const callTargets = [...new Set(blocks.flatMap((b) => b.callTargets))].flatMap((pc) => index.get(pc) ?? []);
  const exitSlots: number[] = [];
  const exitSlotOf = new Map<number, number>();
  const sites: Site[] = [];
  const bx = target.bigEndian ? 3 : 0;
  const hx = target.bigEndian ? 2 : 0;

  const binding = (g: Global): GlobalBinding => {
    const b = bind.get(g);
    if (!b) throw new Error(`codegen: no binding for global ${g.name}`);
    return b;
  };
  const ex = (v: Value): string => {
    switch (v.kind) {
      case 'const': return lit(v.value);
      case 'temp': return `t${v.id}`;
      case 'global': {
        const b = binding(v);
        if (cachedSet.has(v)) return b.local;
        return b.unsigned ? `(${b.ref} | 0)` : b.ref;
      }
    }
  };
  const assign = (d: Var, expr: string): string => {
    if (d.kind === 'temp') return `t${d.id} = ${expr};`;
    const b = binding(d);
    if (cachedSet.has(d)) return `${b.local} = ${expr};`;
    return b.unsigned ? `${b.ref} = (${expr}) >>> 0;` : `${b.ref} = ${expr};`;
  };
  const cmp = (cond: Cond, a: Value, b: Value): string => {
    if (UNSIGNED.has(cond)) {
      const ua = a.kind === 'const' ? String(a.value >>> 0) : `(${ex(a)} >>> 0)`;
      const ub = b.kind === 'const' ? String(b.value >>> 0) : `(${ex(b)} >>> 0)`;
      return `${ua} ${CMP[cond]} ${ub}`;
    }
    return `${ex(a)} ${CMP[cond]} ${ex(b)}`;
  };
  const writeBack = (gs: Global[]) => gs.map((g) => `${binding(g).ref} = ${binding(g).local};`).join(' ');
  const reload = (gs: Global[]) => gs.map((g) => `${binding(g).local} = ${binding(g).ref};`).join(' ');

  let maxTemps = 0;
  const out: string[] = [];
  const emit = (s: string) => out.push(s);

  blocks.forEach((blk, bi) => {
    maxTemps = Math.max(maxTemps, blk.ntemps);
    const len = blk.ninsns;
    emit(bi === 0 ? `    // ${hex(blk.pc)}` : `    } // B${bi}: ${hex(blk.pc)}`);
    // a block that jumps back to its own start becomes a JS loop of its own
    const selfLoop = blk.ops.some((op) => op.op === 'goto_tb' && op.pc === blk.pc);
    if (selfLoop) emit(`      c${bi}: for (;;) {`);
    emit(`      if (left < ${len}) { xpc = ${lit(blk.pc)}; xid = -1; break L; }`);
    emit(`      left = (left - ${len}) | 0;`);
    if (opts.traceExec) emit(`      H.trace(${lit(blk.pc)}, ${bi});`);
    if (opts.traceCpu) emit(`      ${writeBack(written)} M.insnCount = H.c0 - left - ${len}; H.cpuState(${lit(blk.pc)});`);

    // labels: open a labeled JS block for each at the block start, close it where the label is
    const labelOrder: number[] = [];
    for (const op of blk.ops) if (op.op === 'label') labelOrder.push(op.label);
    const usedLabels = new Set<number>();
    for (const op of blk.ops) if (op.op === 'br' || op.op === 'brcond') usedLabels.add(op.label);
    const lname = (l: number) => `l${bi}_${l}`;
    if (labelOrder.length) emit('      ' + [...labelOrder].reverse().map((l) => `${lname(l)}: {`).join(' '));

    let cur = -1; // index of the current guest insn in the block
    let curPc = blk.pc;
    let curNext = lit(blk.pc + 4);
    let curFlags = 0;
    const refundAfter = () => len - cur - 1;
    const refundAt = () => len - cur;
    const leave = (refund: number, body: string) => (refund > 0 ? `left = (left + ${refund}) | 0; ` : '') + body;
    // a later block: a direct jump to its start (the end of its label); an earlier one: round
    // the loop, through the entry switch
    const jumpTo = (ti: number) => (ti > bi ? `break B${ti};` : `b = ${ti}; continue L;`);
    const newSite = (wb: Global[] | null = null): number => {
      sites.push({ pc: curPc, next: curNext, flags: curFlags, refund: refundAt(), wb });
      return sites.length - 1;
    };
    const ops = blk.ops;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      const line = genOp(op, i);
      if (line !== null) emit('      ' + line);
    }
    if (selfLoop) emit('      }');

    function genOp(op: Op, i: number): string | null {
      switch (op.op) {
        case 'insn_start':
          cur++;
          curPc = op.pc;
          curNext = ex(op.next);
          curFlags = op.flags;
          return `// ${hex(op.pc)}`;
        case 'mov': return assign(op.d, ex(op.a));
        case 'add': return assign(op.d, `(${ex(op.a)} + ${ex(op.b)}) | 0`);
        case 'sub': return assign(op.d, `(${ex(op.a)} - ${ex(op.b)}) | 0`);
        case 'mul': return assign(op.d, `Math.imul(${ex(op.a)}, ${ex(op.b)})`);
        case 'and': return assign(op.d, `${ex(op.a)} & ${ex(op.b)}`);
        case 'or': return assign(op.d, `${ex(op.a)} | ${ex(op.b)}`);
        case 'xor': return assign(op.d, `${ex(op.a)} ^ ${ex(op.b)}`);
        case 'shl': return assign(op.d, `${ex(op.a)} << ${ex(op.b)}`);
        case 'shr': return assign(op.d, `(${ex(op.a)} >>> ${ex(op.b)}) | 0`);
        case 'sar': return assign(op.d, `${ex(op.a)} >> ${ex(op.b)}`);
        case 'rotr': {
          const a = ex(op.a);
          const s = op.b.kind === 'const' ? String(op.b.value & 31) : ex(op.b);
          const l = op.b.kind === 'const' ? String(32 - (op.b.value & 31)) : `(32 - ${s})`;
          return assign(op.d, `(${a} >>> ${s}) | (${a} << ${l})`);
        }
        // 16-bit operands (common: indices, small data) have a product that fits in 31 bits, so
        // its high word is the low word's sign (signed) or zero (unsigned); others call the
        // int32-only helper. Keep the slow path a call: inlined, its partial products made
        // matmul's loop twice as slow even though it never ran.
        case 'mulhs': {
          const a = ex(op.a), b = ex(op.b);
          return assign(op.d, `(((${a} + 32768) | (${b} + 32768)) >>> 16) === 0 ? Math.imul(${a}, ${b}) >> 31 : MHS(${a}, ${b}) | 0`);
        }
        case 'mulhu': {
          const a = ex(op.a), b = ex(op.b);
          return assign(op.d, `((${a} | ${b}) >>> 16) === 0 ? 0 : MHU(${a}, ${b}) | 0`);
        }
        case 'divs': return assign(op.d, `(${ex(op.a)} / ${ex(op.b)}) | 0`);
        case 'rems': return assign(op.d, `(${ex(op.a)} % ${ex(op.b)}) | 0`);
        case 'divu': return assign(op.d, `((${ex(op.a)} >>> 0) / (${ex(op.b)} >>> 0)) | 0`);
        case 'remu': return assign(op.d, `((${ex(op.a)} >>> 0) % (${ex(op.b)} >>> 0)) | 0`);
        case 'not': return assign(op.d, `~${ex(op.a)}`);
        case 'neg': return assign(op.d, `(-${ex(op.a)}) | 0`);
        case 'clz': return assign(op.d, `Math.clz32(${ex(op.a)})`);
        // `(bool) | 0` compiles to a flag set (setcc); `? 1 : 0` to a branch, which costs a
        // misprediction on data-dependent results (madd's carry: 3x slower matmul loop)
        case 'setcond': return assign(op.d, `(${cmp(op.cond, op.a, op.b)}) | 0`);
        case 'movcond': return assign(op.d, `(${cmp(op.cond, op.a, op.b)}) ? ${ex(op.t)} : ${ex(op.f)}`);
        case 'extract': {
          const a = ex(op.a);
          if (op.len === 32) return assign(op.d, a);
          if (op.ofs + op.len === 32) return assign(op.d, `(${a} >>> ${op.ofs}) | 0`);
          const mask = lit((1 << op.len) - 1);
          return assign(op.d, op.ofs === 0 ? `${a} & ${mask}` : `(${a} >>> ${op.ofs}) & ${mask}`);
        }
        case 'sextract': {
          const up = 32 - op.ofs - op.len, down = 32 - op.len;
          return assign(op.d, up === 0 ? `${ex(op.a)} >> ${down}` : `(${ex(op.a)} << ${up}) >> ${down}`);
        }
        case 'deposit': {
          const m = depositMask(op.ofs, op.len);
          const sb = op.ofs ? `(${ex(op.b)} << ${op.ofs})` : ex(op.b);
          return assign(op.d, `(${ex(op.a)} & ${lit(~m)}) | (${sb} & ${lit(m)})`);
        }
        case 'ld': return genLoad(op);
        case 'st': return genStore(op);
        case 'label':
          return `} // L${op.label}`;
        case 'br':
          return `break ${lname(op.label)};`;
        case 'brcond':
          return `if (${cmp(op.cond, op.a, op.b)}) break ${lname(op.label)};`;
        case 'insn_count':
          return assign(op.d, `(H.c0 - left - ${refundAt()}) | 0`);
        case 'call': {
          const h = op.helper;
          const parts: string[] = [];
          const rd = cachedAmong(h.reads, cached);
          const wr = cachedAmong(h.writes, cached);
          const pre = [...new Set([...rd, ...wr])].filter((g) => written.includes(g));
          if (pre.length) parts.push(writeBack(pre));
          if (h.readsCount) parts.push(`M.insnCount = H.c0 - left - ${refundAt()};`);
          if (h.mayRaise) {
            const keepWb = written.filter((g) => !wr.includes(g));
            parts.push(`H.site = ${newSite(keepWb)};`);
          }
          const args = op.args.map(ex);
          if (h.countArg) args.push(`left + ${refundAt()}`);
          const call = `H.${h.name}(${args.join(', ')})`;
          parts.push(op.d ? assign(op.d, `${call} | 0`) : `${call};`);
          if (wr.length) parts.push(reload(wr));
          return parts.join(' ');
        }
        case 'raise':
          return `H.raise(${op.code}, ${newSite()}${op.arg ? ', ' + ex(op.arg) : ''});`;
        case 'goto_tb': {
          const ti = index.get(op.pc);
          const refund = refundAfter();
          if (ti !== undefined) {
            if (ti === bi) return leave(refund, `continue c${bi};`);
            // the next block in order: fall through into it
            const last = isLastReachable(ops, i);
            // (out of a self-loop's JS loop first: the end of its body would go round again)
            if (ti === bi + 1 && refund === 0 && last) return selfLoop ? `break c${bi};` : `// fall through to ${hex(op.pc)}`;
            return leave(refund, jumpTo(ti));
          }
          let slot = exitSlotOf.get(op.pc);
          if (slot === undefined) {
            slot = exitSlots.length;
            exitSlots.push(op.pc);
            exitSlotOf.set(op.pc, slot);
          }
          return leave(refund, `xpc = ${lit(op.pc)}; xid = ${slot}; break L;`);
        }
        case 'goto_ptr': {
          // a computed jump (a return, a call through a register, a jump table) to a block of
          // this region stays inside it; any block is a valid entry with the locals in sync. A
          // return looks only among the return points, a call among the function entries:
          // fewer cases, fewer mispredicted compares (V8 compiles sparse cases to a binary search).
          let s = leave(refundAfter(), `xpc = ${ex(op.a)}; `);
          const targets = blk.returns ? returnTargets : blk.returnPoints.length ? callTargets : blocks.map((t, ti) => ti);
          if (targets.length) s += `switch (xpc) { ${targets.map((ti) => `case ${lit(blocks[ti].pc)}: ${jumpTo(ti)}`).join(' ')} } `;
          return s + 'xid = -2; break L;';
        }
        case 'exit_env':
          return leave(refundAfter(), 'xid = -3; break L;');
      }
      throw new Error(`codegen: unknown op ${(op as Op).op}`);
    }

    function genLoad(op: Extract<Op, { op: 'ld' }>): string {
      const a = ex(op.addr);
      const d = op.d;
      const site = newSite();
      const k = `left + ${refundAt()}`;
      if (opts.memHelpers) {
        const f = op.size === 4 ? 'LW' : op.size === 2 ? 'LH' : 'LB';
        let s = assign(d, `${f}(${a}, ${site}, ${k}) | 0`);
        if (op.signed && op.size !== 4) s += ' ' + assign(d, `(${ex(d)} << ${32 - op.size * 8}) >> ${32 - op.size * 8}`);
        return s;
      }
      if (target.flat) {
        const ok = `RB[${a} >>> 12] === 1`;
        if (op.size === 4) return assign(d, `${ok} && (${a} & 3) === 0 ? FM[${a} >>> 2] : H.rd32(${a}, ${site}, ${k}) | 0`);
        if (op.size === 2) {
          const view = op.signed ? 'FSH' : 'FH', i = hx ? `(${a} ^ 2) >>> 1` : `${a} >>> 1`;
          // (the slow path's value is sign-extended like the view's)
          return assign(d, `${ok} && (${a} & 1) === 0 ? ${view}[${i}] : ${op.signed ? `(H.rd16(${a}, ${site}, ${k}) << 16) >> 16` : `H.rd16(${a}, ${site}, ${k}) | 0`}`);
        }
        const view = op.signed ? 'FSB' : 'FB', i = bx ? `${a} ^ 3` : a;
        return assign(d, `${ok} ? ${view}[${i}] : ${op.signed ? `(H.rd8(${a}, ${site}, ${k}) << 24) >> 24` : `H.rd8(${a}, ${site}, ${k}) | 0`}`);
      }
      const idx = `(${a} >>> 2) & 1023`;
      let s = `p = RP[${a} >>> 12]; `;
      if (op.size === 4) {
        s += assign(d, `p !== undefined && (${a} & 3) === 0 ? p[${idx}] : H.rd32(${a}, ${site}, ${k}) | 0`);
      } else if (op.size === 2) {
        const sh = hx ? `((${a} ^ 2) & 2) << 3` : `(${a} & 2) << 3`;
        s += assign(d, `p !== undefined && (${a} & 1) === 0 ? (p[${idx}] >>> (${sh})) & 65535 : H.rd16(${a}, ${site}, ${k}) | 0`);
        if (op.signed) s += ' ' + assign(d, `(${ex(d)} << 16) >> 16`);
      } else {
        const sh = bx ? `(~${a} & 3) << 3` : `(${a} & 3) << 3`;
        s += assign(d, `p !== undefined ? (p[${idx}] >>> (${sh})) & 255 : H.rd8(${a}, ${site}, ${k}) | 0`);
        if (op.signed) s += ' ' + assign(d, `(${ex(d)} << 24) >> 24`);
      }
      return s;
    }

    function genStore(op: Extract<Op, { op: 'st' }>): string {
      const a = ex(op.addr), v = ex(op.val);
      const site = newSite();
      const k = `left + ${refundAt()}`;
      if (opts.memHelpers) return `${op.size === 4 ? 'SW' : op.size === 2 ? 'SH' : 'SB'}(${a}, ${v}, ${site}, ${k});`;
      if (target.flat) {
        const ok = `WB[${a} >>> 12] === 1`;
        if (op.size === 4) return `if (${ok} && (${a} & 3) === 0) FM[${a} >>> 2] = ${v}; else H.wr32(${a}, ${v}, ${site}, ${k});`;
        if (op.size === 2) return `if (${ok} && (${a} & 1) === 0) FH[${hx ? `(${a} ^ 2) >>> 1` : `${a} >>> 1`}] = ${v}; else H.wr16(${a}, ${v}, ${site}, ${k});`;
        return `if (${ok}) FB[${bx ? `${a} ^ 3` : a}] = ${v}; else H.wr8(${a}, ${v}, ${site}, ${k});`;
      }
      const idx = `(${a} >>> 2) & 1023`;
      let s = `p = WP[${a} >>> 12]; `;
      if (op.size === 4) {
        s += `if (p !== undefined && (${a} & 3) === 0) p[${idx}] = ${v}; `;
        s += `else H.wr32(${a}, ${v}, ${site}, ${k});`;
      } else if (op.size === 2) {
        const sh = hx ? `((${a} ^ 2) & 2) << 3` : `(${a} & 2) << 3`;
        s += `if (p !== undefined && (${a} & 1) === 0) { i_ = ${idx}; s_ = ${sh}; p[i_] = (p[i_] & ~(65535 << s_)) | ((${v} & 65535) << s_); } `;
        s += `else H.wr16(${a}, ${v}, ${site}, ${k});`;
      } else {
        const sh = bx ? `(~${a} & 3) << 3` : `(${a} & 3) << 3`;
        s += `if (p !== undefined) { i_ = ${idx}; s_ = ${sh}; p[i_] = (p[i_] & ~(255 << s_)) | ((${v} & 255) << s_); } `;
        s += `else H.wr8(${a}, ${v}, ${site}, ${k});`;
      }
      return s;
    }
  });

  // ---- assemble the function ----
  const src: string[] = [];
  src.push('"use strict";');
  // parenthesized: V8 compiles it eagerly instead of pre-parsing now and parsing again at the first call
  src.push(`return (function ${opts.name ?? 'region'}(b, left) {`);
  // (an int32 counter: V8 keeps it untagged, with no overflow checks)
  src.push('  left = left | 0;');
  if (cached.length) src.push(`  let ${cached.map((g) => `${binding(g).local} = ${binding(g).ref}`).join(', ')};`);
  const temps: string[] = [];
  for (let i = 0; i < maxTemps; i++) temps.push(`t${i} = 0`);
  src.push(`  let ${[...temps, 'p', 'i_ = 0', 's_ = 0', 'xpc = 0', 'xid = -1'].join(', ')};`);
  src.push('  try {');
  // Block k starts where label Bk's statement ends; the labels nest (the last outermost), so every
  // earlier block can `break Bk` to it: a direct jump, where a `switch` dispatch is an indirect
  // jump V8 often mispredicts (it was a quarter of vfprintf's region time). The switch at the
  // top only enters the region at block b and takes backward edges, and not even those for
  // block 0, the lowest pc: usually the root (entries) or a loop's header (back edges). Skipping
  // the switch for it made fib, qsort and strbuild 8-12% faster.
  // (Nesting each loop in a JS loop of its own instead, to make back edges direct too, made fib
  // 20% slower: V8 gives every JS loop phis, a stack check and an OSR entry.)
  src.push('  L: for (;;) {');
  if (blocks.length > 1) src.push('    ' + blocks.slice(1).map((_, k) => `B${blocks.length - 1 - k}: {`).join(' '));
  src.push(`    if (b !== 0) switch (b) { ${blocks.slice(1).map((_, k) => `case ${k + 1}: break B${k + 1};`).join(' ')} default: throw new Error("region: bad block index " + b); }`);
  src.push(...out);
  src.push('  }');
  src.push('  } catch (e) {');
  if (sites.length) {
    src.push('    let sp = 0, sn = 0, sf = 0, sk = 0, wb = 1;');
    src.push('    switch (H.site) {');
    sites.forEach((s, i) => {
      let body = `sp = ${lit(s.pc)}; sn = ${s.next}; ${s.flags ? `sf = ${s.flags}; ` : ''}sk = ${s.refund};`;
      if (s.wb) body += ` wb = 0; ${writeBack(s.wb)}`;
      src.push(`      case ${i}: ${body} break;`);
    });
    src.push('      default: throw e;');
    src.push('    }');
    if (written.length) src.push(`    if (wb) { ${writeBack(written)} }`);
    // a store invalidated translated code: leave right after the instruction that stored
    src.push(`    if (e === SMC) { H.left = left + sk - 1; ${target.setPc('sn')} return -2; }`);
    src.push('    H.fault(e, sp, sn, sf, left + sk);');
  }
  src.push('    throw e;');
  src.push('  }');
  if (written.length) src.push(`  ${writeBack(written)}`);
  src.push('  H.left = left;');
  src.push(`  if (xid !== -3) { ${target.setPc('xpc')} }`);
  src.push('  return xid;');
  src.push('});');
  return { source: src.join('\n') + '\n', exits: exitSlots, sites: sites.length, cached, written };
}

/** True if no reachable op follows index i in the block (only labels that nobody targets could). */
/**
 * Source of the shared memory helpers (a factory taking RP, WP, H and returning
 * [LW, LH, LB, SW, SH, SB]): page-array fast paths, runtime slow paths.
 */
export function memoryHelpersSource(bigEndian: boolean): string {
  const sh1 = bigEndian ? '(~a & 3) << 3' : '(a & 3) << 3';
  const sh2 = bigEndian ? '((a ^ 2) & 2) << 3' : '(a & 2) << 3';
  return `"use strict";
function LW(a, s, k) { const p = RP[a >>> 12]; return p !== undefined && (a & 3) === 0 ? p[(a >>> 2) & 1023] : H.rd32(a, s, k); }
function LH(a, s, k) { const p = RP[a >>> 12]; return p !== undefined && (a & 1) === 0 ? (p[(a >>> 2) & 1023] >>> (${sh2})) & 65535 : H.rd16(a, s, k); }
function LB(a, s, k) { const p = RP[a >>> 12]; return p !== undefined ? (p[(a >>> 2) & 1023] >>> (${sh1})) & 255 : H.rd8(a, s, k); }
function SW(a, v, s, k) { const p = WP[a >>> 12]; if (p !== undefined && (a & 3) === 0) p[(a >>> 2) & 1023] = v; else H.wr32(a, v, s, k); }
function SH(a, v, s, k) { const p = WP[a >>> 12]; if (p !== undefined && (a & 1) === 0) { const i = (a >>> 2) & 1023, k = ${sh2}; p[i] = (p[i] & ~(65535 << k)) | ((v & 65535) << k); } else H.wr16(a, v, s, k); }
function SB(a, v, s, k) { const p = WP[a >>> 12]; if (p !== undefined) { const i = (a >>> 2) & 1023, k = ${sh1}; p[i] = (p[i] & ~(255 << k)) | ((v & 255) << k); } else H.wr8(a, v, s, k); }
return [LW, LH, LB, SW, SH, SB];
`;
}

function isLastReachable(ops: Op[], i: number): boolean {
  for (let j = i + 1; j < ops.length; j++) {
    const op = ops[j];
    if (op.op === 'label') return false;
  }
  return true;
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

export { mayLeave };
