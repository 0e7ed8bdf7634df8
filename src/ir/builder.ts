// Emits IR ops for one block; frontends call these instead of building op objects by hand.
import {
  Const, Temp, type BinOpcode, type Cond, type Global, type Helper, type Op, type UnOpcode, type Value, type Var,
} from './ir.js';

export class IrBuilder {
  readonly ops: Op[] = [];
  private ntemps = 0;
  private nlabels = 0;
  private consts = new Map<number, Const>();

  get tempCount(): number {
    return this.ntemps;
  }

  get labelCount(): number {
    return this.nlabels;
  }

  temp(): Temp {
    return new Temp(this.ntemps++);
  }

  const(v: number): Const {
    v |= 0;
    let c = this.consts.get(v);
    if (!c) this.consts.set(v, (c = new Const(v)));
    return c;
  }

  newLabel(): number {
    return this.nlabels++;
  }

  private val(v: Value | number): Value {
    return typeof v === 'number' ? this.const(v) : v;
  }

  // ---- moves and ALU (each returns the destination) ----

  mov(d: Var, a: Value | number): Var {
    this.ops.push({ op: 'mov', d, a: this.val(a) });
    return d;
  }

  bin(op: BinOpcode, a: Value | number, b: Value | number, d: Var = this.temp()): Var {
    this.ops.push({ op, d, a: this.val(a), b: this.val(b) });
    return d;
  }

  un(op: UnOpcode, a: Value | number, d: Var = this.temp()): Var {
    this.ops.push({ op, d, a: this.val(a) });
    return d;
  }

  add(a: Value | number, b: Value | number, d?: Var) { return this.bin('add', a, b, d); }
  sub(a: Value | number, b: Value | number, d?: Var) { return this.bin('sub', a, b, d); }
  and(a: Value | number, b: Value | number, d?: Var) { return this.bin('and', a, b, d); }
  or(a: Value | number, b: Value | number, d?: Var) { return this.bin('or', a, b, d); }
  xor(a: Value | number, b: Value | number, d?: Var) { return this.bin('xor', a, b, d); }
  shl(a: Value | number, b: Value | number, d?: Var) { return this.bin('shl', a, b, d); }
  shr(a: Value | number, b: Value | number, d?: Var) { return this.bin('shr', a, b, d); }
  sar(a: Value | number, b: Value | number, d?: Var) { return this.bin('sar', a, b, d); }

  setcond(cond: Cond, a: Value | number, b: Value | number, d: Var = this.temp()): Var {
    this.ops.push({ op: 'setcond', cond, d, a: this.val(a), b: this.val(b) });
    return d;
  }

  movcond(cond: Cond, a: Value | number, b: Value | number, t: Value | number, f: Value | number, d: Var = this.temp()): Var {
    this.ops.push({ op: 'movcond', cond, d, a: this.val(a), b: this.val(b), t: this.val(t), f: this.val(f) });
    return d;
  }

  extract(a: Value, ofs: number, len: number, signed = false, d: Var = this.temp()): Var {
    if (ofs < 0 || len < 1 || ofs + len > 32) throw new Error(`extract: bad field ${ofs}+${len}`);
    this.ops.push({ op: signed ? 'sextract' : 'extract', d, a, ofs, len });
    return d;
  }

  deposit(a: Value, b: Value, ofs: number, len: number, d: Var = this.temp()): Var {
    if (ofs < 0 || len < 1 || ofs + len > 32) throw new Error(`deposit: bad field ${ofs}+${len}`);
    this.ops.push({ op: 'deposit', d, a, b, ofs, len });
    return d;
  }

  // ---- memory ----

  ld(addr: Value, size: 1 | 2 | 4, signed: boolean, d: Var = this.temp()): Var {
    this.ops.push({ op: 'ld', d, addr, size, signed });
    return d;
  }

  st(addr: Value, val: Value | number, size: 1 | 2 | 4): void {
    this.ops.push({ op: 'st', addr, val: this.val(val), size });
  }

  // ---- control ----

  label(label: number): void {
    this.ops.push({ op: 'label', label });
  }

  br(label: number): void {
    this.ops.push({ op: 'br', label });
  }

  brcond(cond: Cond, a: Value | number, b: Value | number, label: number): void {
    this.ops.push({ op: 'brcond', cond, a: this.val(a), b: this.val(b), label });
  }

  insnStart(pc: number, next: Value | number, flags = 0): void {
    this.ops.push({ op: 'insn_start', pc: pc >>> 0, next: this.val(next), flags });
  }

  insnCount(d: Var = this.temp()): Var {
    this.ops.push({ op: 'insn_count', d });
    return d;
  }

  call(helper: Helper, args: (Value | number)[], d: Var | null = null): Var | null {
    this.ops.push({ op: 'call', helper, d, args: args.map((a) => this.val(a)) });
    return d;
  }

  raise(code: number, arg: Value | number | null = null): void {
    this.ops.push({ op: 'raise', code, arg: arg === null ? null : this.val(arg) });
  }

  gotoTb(pc: number): void {
    this.ops.push({ op: 'goto_tb', pc: pc >>> 0 });
  }

  gotoPtr(a: Value): void {
    this.ops.push({ op: 'goto_ptr', a });
  }

  exitEnv(): void {
    this.ops.push({ op: 'exit_env' });
  }
}

/** A helper description with safe defaults (reads/writes nothing, may raise). */
export function helper(name: string, opts: Partial<Omit<Helper, 'name'>> = {}): Helper {
  return {
    name,
    reads: opts.reads ?? [],
    writes: opts.writes ?? [],
    mayRaise: opts.mayRaise ?? true,
    readsCount: opts.readsCount ?? false,
    countArg: opts.countArg ?? false,
    writesMemory: opts.writesMemory ?? false,
    pure: opts.pure ?? false,
  };
}

export type { Global };
