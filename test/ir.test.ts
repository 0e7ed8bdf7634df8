// IR: printer, optimizer passes, and a randomized check that optimization never changes what a
// block computes (globals at every exit, including exits by exception) under a reference evaluator.
import { describe, expect, it } from 'vitest';
import {
  BIN_OPCODES, Global, IrBuilder, cleanup, dce, evalBinOp, evalCond, evalDeposit, evalExtract, evalUnOp,
  formatOps, mulHighS, mulHighU, optimize, propagate,
  type BinOpcode, type Cond, type Op, type Value, type Var,
} from '../src/ir/index.js';

const G = [0, 1, 2, 3].map((i) => new Global(i, `g${i}`, true));

/** Reference evaluator: runs ops until an exit; returns the exit and the globals at that point. */
function run(ops: Op[], init: number[]): { exit: string; globals: number[] } {
  const temps = new Map<number, number>();
  const globals = [...init];
  const get = (v: Value): number => (v.kind === 'const' ? v.value : v.kind === 'temp' ? temps.get(v.id) ?? 0 : globals[v.id]);
  const set = (d: Var, x: number) => (d.kind === 'temp' ? temps.set(d.id, x | 0) : (globals[d.id] = x | 0));
  const labels = new Map<number, number>();
  ops.forEach((op, i) => op.op === 'label' && labels.set(op.label, i));
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    switch (op.op) {
      case 'mov': set(op.d, get(op.a)); break;
      case 'not': case 'neg': case 'clz': set(op.d, evalUnOp(op.op, get(op.a))); break;
      case 'setcond': set(op.d, evalCond(op.cond, get(op.a), get(op.b)) ? 1 : 0); break;
      case 'movcond': set(op.d, evalCond(op.cond, get(op.a), get(op.b)) ? get(op.t) : get(op.f)); break;
      case 'extract': case 'sextract': set(op.d, evalExtract(op.op === 'sextract', get(op.a), op.ofs, op.len)); break;
      case 'deposit': set(op.d, evalDeposit(get(op.a), get(op.b), op.ofs, op.len)); break;
      case 'label': case 'insn_start': break;
      case 'br': i = labels.get(op.label)!; break;
      case 'brcond': if (evalCond(op.cond, get(op.a), get(op.b))) i = labels.get(op.label)!; break;
      case 'raise': return { exit: `raise ${op.code}`, globals };
      case 'goto_tb': return { exit: `goto ${op.pc}`, globals };
      default:
        if ((BIN_OPCODES as readonly string[]).includes(op.op)) {
          const o = op as { op: BinOpcode; d: Var; a: Value; b: Value };
          set(o.d, evalBinOp(o.op, get(o.a), get(o.b)));
          break;
        }
        throw new Error(`evaluator: ${op.op}`);
    }
  }
  return { exit: 'end', globals };
}

/** A small deterministic PRNG. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
}

const CONDS: Cond[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'ltu', 'leu', 'gtu', 'geu'];
const SAFE_BIN: BinOpcode[] = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'shl', 'shr', 'sar', 'rotr', 'mulhs', 'mulhu'];

/** Random straight-line code with forward branches, exits and exceptions. */
function randomBlock(seed: number): Op[] {
  const r = rng(seed);
  const b = new IrBuilder();
  const temps: Var[] = [];
  const pick = <T>(xs: readonly T[]) => xs[r() % xs.length];
  const val = (): Value => {
    const k = r() % 10;
    if (k < 3 || temps.length === 0) return b.const(pick([0, 1, -1, 3, 31, 0x7fffffff, -0x80000000, r() | 0]));
    if (k < 6) return pick(G);
    return pick(temps);
  };
  const dst = (): Var => {
    if (r() % 3 === 0) return pick(G);
    const t = b.temp();
    temps.push(t);
    return t;
  };
  const pending: number[] = [];
  const n = 8 + (r() % 30);
  for (let i = 0; i < n; i++) {
    const k = r() % 16;
    if (k < 7) b.bin(pick(SAFE_BIN), val(), k < 3 ? b.const(r() & 31) : val(), dst());
    else if (k === 7) b.mov(dst(), val());
    else if (k === 8) b.setcond(pick(CONDS), val(), val(), dst());
    else if (k === 9) b.movcond(pick(CONDS), val(), val(), val(), val(), dst());
    else if (k === 10) { const ofs = r() % 31; b.extract(val(), ofs, 1 + (r() % (32 - ofs)), r() % 2 === 0, dst()); }
    else if (k === 11) { const ofs = r() % 31; b.deposit(val(), val(), ofs, 1 + (r() % (32 - ofs)), dst()); }
    else if (k === 12) { const l = b.newLabel(); pending.push(l); b.brcond(pick(CONDS), val(), val(), l); }
    else if (k === 13 && pending.length) b.label(pending.shift()!);
    else if (k === 14) { const l = b.newLabel(); b.brcond(pick(CONDS), val(), val(), l); b.raise(12); b.label(l); }
    else b.un(pick(['not', 'neg', 'clz'] as const), val(), dst());
  }
  for (const l of pending) b.label(l);
  b.gotoTb(0x400000 + (r() % 64) * 4);
  return b.ops;
}

describe('IR optimizer', () => {
  it('folds comparisons of a value with itself (madd carry: setcond ltu x, x)', () => {
    const b = new IrBuilder();
    const t0 = b.add(G[1], G[2]);
    b.mov(G[0], b.setcond('ltu', t0, t0));
    b.mov(G[3], b.setcond('geu', G[1], G[1]));
    const l = b.newLabel();
    b.brcond('ne', G[2], G[2], l);
    b.mov(G[2], b.movcond('eq', t0, t0, G[1], G[3]));
    b.label(l);
    b.gotoTb(0x400000);
    expect(formatOps(optimize(b.ops))).toBe([' mov g0, $0', ' mov g3, $1', ' mov g2, g1', ' goto_tb 0x00400000', ''].join('\n'));
  });
  it('folds and propagates constants and copies', () => {
    const b = new IrBuilder();
    const t0 = b.mov(b.temp(), 5);
    const t1 = b.add(t0, 3);
    const t2 = b.mov(b.temp(), G[1]);
    b.mov(G[0], b.add(t1, t2));
    b.gotoTb(0x400000);
    expect(formatOps(optimize(b.ops))).toBe([' add t3, g1, $8', ' mov g0, t3', ' goto_tb 0x00400000', ''].join('\n'));
  });

  it('keeps a global write that an exception could expose, drops one that is overwritten', () => {
    const b = new IrBuilder();
    b.mov(G[0], 1); // dead: overwritten before anything can observe it
    b.mov(G[0], 2); // live: the raise below may be taken
    const ok = b.newLabel();
    b.brcond('eq', G[1], 0, ok);
    b.raise(12);
    b.label(ok);
    b.mov(G[0], 3);
    b.gotoTb(0x400000);
    const text = formatOps(optimize(b.ops));
    expect(text).not.toContain('mov g0, $1');
    expect(text).toContain('mov g0, $2');
    expect(text).toContain('mov g0, $3');
  });

  it('folds branches on constants and removes unreachable code and labels', () => {
    const b = new IrBuilder();
    const l = b.newLabel();
    b.brcond('eq', b.const(1), b.const(1), l);
    b.mov(G[0], 7);
    b.label(l);
    b.gotoTb(0x400010);
    expect(formatOps(cleanup(propagate(b.ops)))).toBe(' goto_tb 0x00400010\n');
  });

  it('does not forward a copy across a redefinition of its source', () => {
    const b = new IrBuilder();
    const t = b.mov(b.temp(), G[1]);
    b.mov(G[1], 9);
    b.mov(G[0], t);
    b.gotoTb(0);
    expect(run(optimize(b.ops), [0, 5, 0, 0]).globals).toEqual([5, 9, 0, 0]);
  });

  it('dce keeps side effects and removes dead temps', () => {
    const b = new IrBuilder();
    b.add(G[0], 1); // dead temp
    b.mov(G[2], b.add(G[0], 2));
    b.gotoTb(0);
    expect(formatOps(dce(b.ops))).toBe(' add t1, g0, $2\n mov g2, t1\n goto_tb 0x00000000\n');
  });

  it('never changes results: 3000 random blocks, globals at every exit', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const ops = randomBlock(seed);
      const init = [seed * 7919, -seed, 0x12345678 ^ seed, 0];
      const want = run(ops, init);
      const got = run(optimize(ops), init);
      expect(got, `seed ${seed}\n${formatOps(ops)}`).toEqual(want);
    }
  });
});

describe('IR helpers', () => {
  it('mulHighS/mulHighU match BigInt', () => {
    const vals = [0, 1, -1, 2, 0x7fffffff, -0x80000000, 0x12345678, 0xfedcba98 | 0, 0xffff, 0x10000, 46341, -46341,
      32767, -32768, 32768, -32769, 65535, -65536];
    let seed = 12345; // plus pseudo-random words across the whole range
    for (let i = 0; i < 40; i++) { seed = (Math.imul(seed, 1103515245) + 12345) | 0; vals.push(seed); }
    for (const a of vals) for (const b of vals) {
      expect(mulHighS(a, b)).toBe(Number(BigInt.asIntN(32, (BigInt(a) * BigInt(b)) >> 32n)));
      expect(mulHighU(a, b)).toBe(Number(BigInt.asIntN(32, (BigInt(a >>> 0) * BigInt(b >>> 0)) >> 32n)));
    }
  });
});
