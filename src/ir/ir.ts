// The translator's intermediate representation: a small, typed, guest-independent list of ops
// over 32-bit integer values (QEMU's TCG ops, reduced to what a 32-bit guest needs).
//
// Values are temps (block-local scratch), globals (guest state: registers, pc, flags; a backend
// may keep cacheable globals in host locals) and constants. Every value is an int32.
//
// Control flow inside a unit uses labels and forward branches only; leaving a unit is an exit op
// (to a known guest pc, to a computed pc, or with the pc a helper set). `insn_start` marks the
// first op of each guest instruction: the ops between two markers belong to that instruction, and
// the marker carries what a backend needs to restore precise state there (its pc and the guest's
// "next pc" value). A branch must never jump over an insn_start: the textual position of an op
// tells which guest instruction it belongs to.

export class Temp {
  readonly kind = 'temp' as const;
  constructor(readonly id: number) {}
}

export class Global {
  readonly kind = 'global' as const;
  constructor(
    readonly id: number,
    /** Printed name (`r8`, `hi`, `pc`), made by the frontend. */
    readonly name: string,
    /** May live in a host local inside generated code (written back at every exit). */
    readonly cacheable: boolean,
  ) {}
}

export class Const {
  readonly kind = 'const' as const;
  readonly value: number;
  constructor(value: number) {
    this.value = value | 0;
  }
}

export type Var = Temp | Global;
export type Value = Temp | Global | Const;

export type Cond = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'ltu' | 'leu' | 'gtu' | 'geu';

/** Two-operand ALU ops. Shift amounts must be 0..31; div/rem operands must not be 0 (or INT_MIN/-1 for divs/rems). */
export type BinOpcode =
  | 'add' | 'sub' | 'mul' | 'and' | 'or' | 'xor' | 'shl' | 'shr' | 'sar' | 'rotr'
  | 'mulhs' | 'mulhu' | 'divs' | 'rems' | 'divu' | 'remu';
export type UnOpcode = 'not' | 'neg' | 'clz';

export const BIN_OPCODES: readonly BinOpcode[] = [
  'add', 'sub', 'mul', 'and', 'or', 'xor', 'shl', 'shr', 'sar', 'rotr', 'mulhs', 'mulhu', 'divs', 'rems', 'divu', 'remu',
];
export const UN_OPCODES: readonly UnOpcode[] = ['not', 'neg', 'clz'];

/** Which cacheable globals a helper reads or writes: a list, or every one. */
export type GlobalSet = readonly Global[] | 'all';

/** A host function generated code may call; `name` is an identifier the frontend made. */
export interface Helper {
  readonly name: string;
  /** Cacheable globals the helper reads (written back before the call). */
  readonly reads: GlobalSet;
  /** Cacheable globals the helper may write (reloaded after the call; never written back on a fault). */
  readonly writes: GlobalSet;
  /** May throw a guest exception or end the run. */
  readonly mayRaise: boolean;
  /** Reads the instruction count (kept exact before the call). */
  readonly readsCount: boolean;
  /**
   * Takes the instructions not yet executed (budget left plus the rest of the block, this one
   * included) as an extra last argument, instead of having the count stored before the call
   * (a helper that needs the count on a slow path only).
   */
  readonly countArg: boolean;
  /** May store to guest memory (the unit ends after it if that invalidated translated code). */
  readonly writesMemory: boolean;
  /** Pure: no side effects, result depends only on the arguments (may be folded or removed). */
  readonly pure: boolean;
}

export type Op =
  | { op: 'mov'; d: Var; a: Value }
  | { op: BinOpcode; d: Var; a: Value; b: Value }
  | { op: UnOpcode; d: Var; a: Value }
  /** d = (a cond b) ? 1 : 0 */
  | { op: 'setcond'; cond: Cond; d: Var; a: Value; b: Value }
  /** d = (a cond b) ? t : f */
  | { op: 'movcond'; cond: Cond; d: Var; a: Value; b: Value; t: Value; f: Value }
  /** d = bits [ofs, ofs+len) of a, zero- or sign-extended (ofs + len <= 32). */
  | { op: 'extract' | 'sextract'; d: Var; a: Value; ofs: number; len: number }
  /** d = a with bits [ofs, ofs+len) replaced by the low len bits of b. */
  | { op: 'deposit'; d: Var; a: Value; b: Value; ofs: number; len: number }
  /** Guest-endian load of 1, 2 or 4 bytes; raises on misalignment or an unmapped address. */
  | { op: 'ld'; d: Var; addr: Value; size: 1 | 2 | 4; signed: boolean }
  | { op: 'st'; addr: Value; val: Value; size: 1 | 2 | 4 }
  | { op: 'label'; label: number }
  | { op: 'br'; label: number }
  | { op: 'brcond'; cond: Cond; a: Value; b: Value; label: number }
  /** First op of the guest instruction at `pc`; `next` is where execution continues after it. */
  | { op: 'insn_start'; pc: number; next: Value; flags: number }
  /** d = instructions completed before the current one (wraps to 32 bits). */
  | { op: 'insn_count'; d: Var }
  | { op: 'call'; helper: Helper; d: Var | null; args: Value[] }
  /** Raises guest exception `code` (with an optional argument, e.g. a bad address). */
  | { op: 'raise'; code: number; arg: Value | null }
  /** Continue at a known guest pc (chainable). */
  | { op: 'goto_tb'; pc: number }
  /** Continue at a computed guest pc. */
  | { op: 'goto_ptr'; a: Value }
  /** Leave with the pc a helper stored in the guest state. */
  | { op: 'exit_env' };

export type Opcode = Op['op'];

/** insn_start flags. */
export const INSN_DELAY_SLOT = 1;

/** One translated guest block: straight-line guest code with forward-only internal branches. */
export interface IrBlock {
  pc: number;
  /** Guest instructions in the block (the budget a full pass through it consumes). */
  ninsns: number;
  ops: Op[];
  ntemps: number;
  nlabels: number;
  /** Guest byte range [pc, end) the block was decoded from (for invalidation). */
  end: number;
  /** Static successor pcs (goto_tb targets), in order. */
  succs: number[];
  /** Pcs where control is likely to come back to (after calls), worth keeping in the same region. */
  returnPoints: number[];
  /** Successors that are call targets (function entries), not loop edges. */
  callTargets: number[];
  /** The block ends in a return (MIPS `jr $ra`): its computed jump goes back to a return point. */
  returns?: boolean;
  /** The guest words decoded, in order (for -d in_asm). */
  words: number[];
}

export function isExit(op: Op): boolean {
  return op.op === 'goto_tb' || op.op === 'goto_ptr' || op.op === 'exit_env' || op.op === 'raise';
}

/** Ops that can leave the unit early (fault, exit, helper that ends execution). */
export function mayLeave(op: Op): boolean {
  switch (op.op) {
    case 'ld': case 'st': case 'raise': case 'goto_tb': case 'goto_ptr': case 'exit_env':
      return true;
    case 'call':
      return op.helper.mayRaise || op.helper.writesMemory;
    default:
      return false;
  }
}

/** The values an op reads. */
export function opInputs(op: Op): Value[] {
  switch (op.op) {
    case 'mov': case 'not': case 'neg': case 'clz': case 'extract': case 'sextract':
      return [op.a];
    case 'setcond': case 'brcond':
      return [op.a, op.b];
    case 'movcond':
      return [op.a, op.b, op.t, op.f];
    case 'deposit':
      return [op.a, op.b];
    case 'ld':
      return [op.addr];
    case 'st':
      return [op.addr, op.val];
    case 'insn_start':
      return [op.next];
    case 'call':
      return op.args;
    case 'raise':
      return op.arg ? [op.arg] : [];
    case 'goto_ptr':
      return [op.a];
    case 'label': case 'br': case 'insn_count': case 'goto_tb': case 'exit_env':
      return [];
    default:
      return [op.a, op.b];
  }
}

/** The variable an op writes, if any. */
export function opOutput(op: Op): Var | null {
  switch (op.op) {
    case 'st': case 'label': case 'br': case 'brcond': case 'insn_start': case 'raise':
    case 'goto_tb': case 'goto_ptr': case 'exit_env':
      return null;
    case 'call':
      return op.d;
    default:
      return op.d;
  }
}

/** Returns a copy of `op` with every input value passed through `f`. */
export function mapInputs(op: Op, f: (v: Value) => Value): Op {
  switch (op.op) {
    case 'mov': case 'not': case 'neg': case 'clz': case 'extract': case 'sextract':
      return { ...op, a: f(op.a) };
    case 'setcond': case 'brcond': case 'deposit':
      return { ...op, a: f(op.a), b: f(op.b) };
    case 'movcond':
      return { ...op, a: f(op.a), b: f(op.b), t: f(op.t), f: f(op.f) };
    case 'ld':
      return { ...op, addr: f(op.addr) };
    case 'st':
      return { ...op, addr: f(op.addr), val: f(op.val) };
    case 'insn_start':
      return { ...op, next: f(op.next) };
    case 'call':
      return { ...op, args: op.args.map(f) };
    case 'raise':
      return { ...op, arg: op.arg ? f(op.arg) : null };
    case 'goto_ptr':
      return { ...op, a: f(op.a) };
    case 'label': case 'br': case 'insn_count': case 'goto_tb': case 'exit_env':
      return op;
    default:
      return { ...op, a: f(op.a), b: f(op.b) };
  }
}

export function sameValue(a: Value, b: Value): boolean {
  if (a.kind === 'const') return b.kind === 'const' && a.value === b.value;
  return a === b;
}

/** Evaluates a condition on two int32 values. */
export function evalCond(cond: Cond, a: number, b: number): boolean {
  switch (cond) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'lt': return a < b;
    case 'le': return a <= b;
    case 'gt': return a > b;
    case 'ge': return a >= b;
    case 'ltu': return a >>> 0 < b >>> 0;
    case 'leu': return a >>> 0 <= b >>> 0;
    case 'gtu': return a >>> 0 > b >>> 0;
    case 'geu': return a >>> 0 >= b >>> 0;
  }
}

export function invertCond(cond: Cond): Cond {
  const inv: Record<Cond, Cond> = {
    eq: 'ne', ne: 'eq', lt: 'ge', ge: 'lt', le: 'gt', gt: 'le', ltu: 'geu', geu: 'ltu', leu: 'gtu', gtu: 'leu',
  };
  return inv[cond];
}

// High words of 64-bit products from 16-bit partial products, in int32 operations only (Math.imul,
// shifts, truncated sums): translated code calls these on its slow path, and V8 keeps them free
// of double arithmetic (a double product once deoptimized matmul's loop for "lost precision").

/** High word of the unsigned 64-bit product of the int32 bit patterns a and b. */
export function mulHighU(a: number, b: number): number {
  let m0 = Math.imul(a & 65535, b & 65535) >>> 16;
  const m1 = (Math.imul(a >>> 16, b & 65535) + m0) | 0;
  m0 = (Math.imul(a & 65535, b >>> 16) + (m1 & 65535)) | 0;
  return (Math.imul(a >>> 16, b >>> 16) + (m1 >>> 16) + (m0 >>> 16)) | 0;
}

/** High word of the signed 64-bit product (the unsigned one, corrected for negative operands). */
export function mulHighS(a: number, b: number): number {
  return (mulHighU(a, b) - (b & (a >> 31)) - (a & (b >> 31))) | 0;
}

/** Evaluates a binary op on constants (the same semantics the backend emits). */
export function evalBinOp(op: BinOpcode, a: number, b: number): number {
  switch (op) {
    case 'add': return (a + b) | 0;
    case 'sub': return (a - b) | 0;
    case 'mul': return Math.imul(a, b);
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'shl': return a << (b & 31);
    case 'shr': return (a >>> (b & 31)) | 0;
    case 'sar': return a >> (b & 31);
    case 'rotr': { const s = b & 31; return ((a >>> s) | (a << (32 - s))) | 0; }
    case 'mulhs': return mulHighS(a, b);
    case 'mulhu': return mulHighU(a, b);
    case 'divs': return b === 0 ? 0 : (a / b) | 0;
    case 'rems': return b === 0 ? 0 : (a % b) | 0;
    case 'divu': return b === 0 ? 0 : ((a >>> 0) / (b >>> 0)) | 0;
    case 'remu': return b === 0 ? 0 : ((a >>> 0) % (b >>> 0)) | 0;
  }
}

export function evalUnOp(op: UnOpcode, a: number): number {
  switch (op) {
    case 'not': return ~a;
    case 'neg': return (-a) | 0;
    case 'clz': return Math.clz32(a);
  }
}

export function evalExtract(signed: boolean, a: number, ofs: number, len: number): number {
  if (signed) return (a << (32 - ofs - len)) >> (32 - len);
  if (len === 32) return a | 0;
  return ((a >>> ofs) & (len === 32 ? -1 : (1 << len) - 1)) | 0;
}

export function depositMask(ofs: number, len: number): number {
  return (len === 32 ? -1 : ((1 << len) - 1) << ofs) | 0;
}

export function evalDeposit(a: number, b: number, ofs: number, len: number): number {
  const mask = depositMask(ofs, len);
  return (a & ~mask) | ((b << ofs) & mask);
}
