// Optimizer passes over one block's ops. All of them are local to the block and respect the
// IR's rules: an op that may leave the block (fault, exit, helper) sees every global as live, so
// precise state survives optimization.
//
//   propagate     constant folding, constant and copy propagation, algebraic simplification,
//                 branch folding
//   cleanup       removes unreachable ops and unused labels
//   dce           dead code elimination by backward liveness (temps and cacheable globals)
import {
  Const, evalBinOp, evalCond, evalDeposit, evalExtract, evalUnOp, mapInputs, mayLeave, opInputs, opOutput,
  BIN_OPCODES, UN_OPCODES,
  type BinOpcode, type Global, type Op, type Temp, type UnOpcode, type Value, type Var,
} from './ir.js';

const binSet = new Set<string>(BIN_OPCODES);
const unSet = new Set<string>(UN_OPCODES);
const COMMUTATIVE = new Set<string>(['add', 'mul', 'and', 'or', 'xor', 'mulhs', 'mulhu']);

const constCache = new Map<number, Const>();
function k(v: number): Const {
  v |= 0;
  let c = constCache.get(v);
  if (!c) {
    c = new Const(v);
    if (constCache.size < 4096) constCache.set(v, c);
  }
  return c;
}

/** Side-effect-free ops whose only effect is writing their output. */
function isPure(op: Op): boolean {
  switch (op.op) {
    case 'mov': case 'setcond': case 'movcond': case 'extract': case 'sextract': case 'deposit': case 'insn_count':
      return true;
    case 'call':
      return op.helper.pure;
    default:
      return binSet.has(op.op) || unSet.has(op.op);
  }
}

/** Simplifies a two-operand op when one side is a known constant; returns a replacement or null. */
function simplifyBin(op: BinOpcode, d: Var, a: Value, b: Value): Op | null {
  const av = a.kind === 'const' ? a.value : null;
  const bv = b.kind === 'const' ? b.value : null;
  if (av !== null && bv !== null) {
    if ((op === 'divs' || op === 'rems' || op === 'divu' || op === 'remu') && bv === 0) return null;
    return { op: 'mov', d, a: k(evalBinOp(op, av, bv)) };
  }
  const mov = (x: Value): Op => ({ op: 'mov', d, a: x });
  if (bv !== null) {
    switch (op) {
      case 'add': case 'sub': case 'or': case 'xor': case 'shl': case 'shr': case 'sar': case 'rotr':
        if (bv === 0) return mov(a);
        break;
      case 'and':
        if (bv === 0) return mov(k(0));
        if (bv === -1) return mov(a);
        break;
      case 'mul':
        if (bv === 0) return mov(k(0));
        if (bv === 1) return mov(a);
        break;
    }
    if (op === 'or' && bv === -1) return mov(k(-1));
  }
  if (av !== null && av === 0 && (op === 'shl' || op === 'shr' || op === 'sar' || op === 'rotr')) return mov(k(0));
  if (av !== null && av === 0 && op === 'sub') return { op: 'neg', d, a: b };
  if (a === b && a.kind !== 'const') {
    if (op === 'sub' || op === 'xor') return mov(k(0));
    if (op === 'and' || op === 'or') return mov(a);
  }
  return null;
}

/**
 * Forward pass: folds constants, propagates constants and copies (of temps and globals),
 * simplifies. Knowledge is dropped at labels and at helper calls for the globals they write.
 */
export function propagate(ops: Op[]): Op[] {
  const known = new Map<Var, Value>();
  /** For each copy source, the variables currently known to hold a copy of it. */
  const copiesOf = new Map<Var, Var[]>();
  const out: Op[] = [];

  const kill = (x: Var) => {
    known.delete(x);
    const cs = copiesOf.get(x);
    if (cs) {
      for (const c of cs) if (known.get(c) === x) known.delete(c);
      copiesOf.delete(x);
    }
  };
  const remember = (d: Var, a: Value) => {
    known.set(d, a);
    if (a.kind !== 'const') {
      let cs = copiesOf.get(a);
      if (!cs) copiesOf.set(a, (cs = []));
      cs.push(d);
    }
  };
  const killGlobals = (which: readonly Global[] | 'all', uncachedToo: boolean) => {
    const hit = (x: Value) =>
      x.kind === 'global' && (which === 'all' || (uncachedToo && !x.cacheable) || which.includes(x));
    for (const [key, val] of known) if (hit(key) || hit(val)) known.delete(key);
  };
  const subst = (v: Value): Value => (v.kind === 'const' ? v : known.get(v) ?? v);
  const substConst = (v: Value): Value => {
    if (v.kind === 'const') return v;
    const x = known.get(v);
    return x && x.kind === 'const' ? x : v;
  };

  for (const op0 of ops) {
    if (op0.op === 'label') {
      known.clear();
      copiesOf.clear();
      out.push(op0);
      continue;
    }
    // insn_start keeps its own variable: its value is read when the instruction faults, which
    // may be after a copy's source was overwritten.
    let op: Op = op0;
    if (known.size) {
      const f = op0.op === 'insn_start' ? substConst : subst;
      let changes = false;
      for (const v of opInputs(op0)) if (f(v) !== v) { changes = true; break; }
      if (changes) op = mapInputs(op0, f);
    }

    // canonical order: constant second for commutative ops
    if (binSet.has(op.op) && COMMUTATIVE.has(op.op)) {
      const o = op as { op: BinOpcode; d: Var; a: Value; b: Value };
      if (o.a.kind === 'const' && o.b.kind !== 'const') op = { ...o, a: o.b, b: o.a };
    }

    let repl: Op | null = null;
    switch (op.op) {
      case 'setcond':
        if (op.a.kind === 'const' && op.b.kind === 'const') repl = { op: 'mov', d: op.d, a: k(evalCond(op.cond, op.a.value, op.b.value) ? 1 : 0) };
        else if (op.a === op.b) repl = { op: 'mov', d: op.d, a: k(evalCond(op.cond, 0, 0) ? 1 : 0) }; // x cond x
        break;
      case 'movcond':
        if (op.a.kind === 'const' && op.b.kind === 'const') repl = { op: 'mov', d: op.d, a: evalCond(op.cond, op.a.value, op.b.value) ? op.t : op.f };
        else if (op.a === op.b) repl = { op: 'mov', d: op.d, a: evalCond(op.cond, 0, 0) ? op.t : op.f };
        else if (op.t === op.f || (op.t.kind === 'const' && op.f.kind === 'const' && op.t.value === op.f.value)) repl = { op: 'mov', d: op.d, a: op.t };
        break;
      case 'extract': case 'sextract':
        if (op.a.kind === 'const') repl = { op: 'mov', d: op.d, a: k(evalExtract(op.op === 'sextract', op.a.value, op.ofs, op.len)) };
        else if (op.ofs === 0 && op.len === 32) repl = { op: 'mov', d: op.d, a: op.a };
        break;
      case 'deposit':
        if (op.a.kind === 'const' && op.b.kind === 'const') repl = { op: 'mov', d: op.d, a: k(evalDeposit(op.a.value, op.b.value, op.ofs, op.len)) };
        break;
      case 'brcond':
        if ((op.a.kind === 'const' && op.b.kind === 'const') || op.a === op.b) {
          if (op.a === op.b ? evalCond(op.cond, 0, 0) : evalCond(op.cond, (op.a as Const).value, (op.b as Const).value)) repl = { op: 'br', label: op.label };
          else continue; // never taken
        }
        break;
      case 'goto_ptr':
        if (op.a.kind === 'const') repl = { op: 'goto_tb', pc: op.a.value >>> 0 };
        break;
      default:
        if (binSet.has(op.op)) {
          const o = op as { op: BinOpcode; d: Var; a: Value; b: Value };
          repl = simplifyBin(o.op, o.d, o.a, o.b);
        } else if (unSet.has(op.op)) {
          const o = op as { op: UnOpcode; d: Var; a: Value };
          if (o.a.kind === 'const') repl = { op: 'mov', d: o.d, a: k(evalUnOp(o.op, o.a.value)) };
        }
    }
    if (repl) op = repl;

    // update knowledge
    if (op.op === 'call') {
      killGlobals(op.helper.writes, true);
    }
    const d = opOutput(op);
    if (d) {
      if (op.op === 'mov' && op.a === d) continue; // mov x, x
      kill(d);
      if (op.op === 'mov') {
        const a = op.a;
        // uncached globals may change behind our back (helpers): never remember them as sources
        if (!(a.kind === 'global' && !a.cacheable)) remember(d, a);
      }
    }
    out.push(op);
  }
  return out;
}

/** Removes ops after an unconditional transfer until the next label, `br` to the next label, and unused labels. */
export function cleanup(ops: Op[]): Op[] {
  let cur = ops;
  for (let iter = 0; iter < 4; iter++) {
    const used = new Set<number>();
    for (const op of cur) if (op.op === 'br' || op.op === 'brcond') used.add(op.label);
    const out: Op[] = [];
    let dead = false;
    let changed = false;
    for (let i = 0; i < cur.length; i++) {
      const op = cur[i];
      if (op.op === 'label') {
        if (!used.has(op.label)) { changed = true; continue; }
        dead = false;
        out.push(op);
        continue;
      }
      if (dead && op.op !== 'insn_start') { changed = true; continue; }
      if (op.op === 'br') {
        // br to a label that follows directly (only insn-less ops in between would be dead anyway)
        const nx = cur[i + 1];
        if (nx && nx.op === 'label' && nx.label === op.label) { changed = true; continue; }
      }
      out.push(op);
      if (op.op === 'br' || op.op === 'goto_tb' || op.op === 'goto_ptr' || op.op === 'exit_env' || op.op === 'raise') dead = true;
    }
    cur = out;
    if (!changed) break;
  }
  return cur;
}

/**
 * Dead code elimination by backward liveness. At the end of the block and at every op that may
 * leave it, all globals are live; temps are dead at the end. Writes to uncached globals are
 * always kept (other code reads them from the guest state).
 */
export function dce(ops: Op[]): Op[] {
  const liveTemps = new Set<Temp>();
  let deadGlobals = new Set<Global>();
  const atLabel = new Map<number, { temps: Set<Temp>; dead: Set<Global> }>();
  const keep: boolean[] = new Array(ops.length).fill(true);

  const use = (v: Value) => {
    if (v.kind === 'temp') liveTemps.add(v);
    else if (v.kind === 'global') deadGlobals.delete(v);
  };

  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i];
    if (op.op === 'label') {
      atLabel.set(op.label, { temps: new Set(liveTemps), dead: new Set(deadGlobals) });
      continue;
    }
    if (op.op === 'br' || op.op === 'brcond') {
      const at = atLabel.get(op.label);
      if (op.op === 'br') {
        liveTemps.clear();
        deadGlobals = new Set(at?.dead ?? []);
        for (const t of at?.temps ?? []) liveTemps.add(t);
      } else {
        for (const t of at?.temps ?? []) liveTemps.add(t);
        const d2 = new Set<Global>();
        for (const g of deadGlobals) if (at?.dead.has(g)) d2.add(g);
        deadGlobals = d2;
      }
      for (const v of opInputs(op)) use(v);
      continue;
    }
    const d = opOutput(op);
    if (d && isPure(op)) {
      const dead = d.kind === 'temp' ? !liveTemps.has(d) : d.cacheable && deadGlobals.has(d);
      if (dead) {
        keep[i] = false;
        continue;
      }
    }
    if (d) {
      if (d.kind === 'temp') liveTemps.delete(d);
      else if (d.cacheable) deadGlobals.add(d);
    }
    // an op that may leave exposes every global as it was before the op
    if (mayLeave(op)) {
      deadGlobals.clear();
      if (op.op === 'goto_tb' || op.op === 'goto_ptr' || op.op === 'exit_env' || op.op === 'raise') liveTemps.clear();
    }
    for (const v of opInputs(op)) use(v);
    if (op.op === 'call') {
      if (op.helper.reads === 'all') deadGlobals.clear();
      else for (const g of op.helper.reads) deadGlobals.delete(g);
    }
  }
  return ops.filter((_, i) => keep[i]);
}

export interface OptimizeOptions {
  /** Disable every pass (for debugging the frontend). */
  none?: boolean;
}

/** The standard pipeline. */
export function optimize(ops: Op[], opts: OptimizeOptions = {}): Op[] {
  if (opts.none) return ops;
  const labels = (xs: Op[]) => xs.reduce((n, op) => n + (op.op === 'label' ? 1 : 0), 0);
  let cur = propagate(ops);
  const before = labels(cur);
  cur = cleanup(cur);
  // a folded branch took its label away: knowledge now flows further
  if (labels(cur) < before) cur = propagate(cur);
  cur = dce(cur);
  return cleanup(cur);
}
