// CP1, the MIPS32r2 floating-point unit: FCSR, IEEE 754 arithmetic in binary32 and binary64
// with the four rounding modes and the five exception flags, and the interpreter handlers of
// every CP1 instruction of the table.
//
// The reference is qemu-mips (its default 24Kf CPU), checked by test/fixtures/fpu:
//  - MIPS legacy NaNs: a NaN whose top fraction bit is SET is signalling; every NaN result is
//    the default NaN 0x7fbfffff / 0x7ff7ffff_ffffffff (NaN operands are not propagated); the
//    invalid exception comes from signalling operands and invalid operations.
//  - Tininess is detected after rounding; underflow is signalled only when tiny and inexact.
//  - Conversions to integers of NaN, infinities and out-of-range values give 0x7fffffff
//    (0x7fffffff_ffffffff for .l) and signal invalid only.
//  - madd/msub/nmadd/nmsub round the product and then the sum (MIPS32r2 is not fused);
//    recip is 1/x and rsqrt is 1/sqrt(x), each step rounded.
//  - abs, neg and mov are bit operations: no exceptions, FCSR untouched.
//  - FS=1 flushes results that are tiny before rounding to zero, without flags (as qemu).
//  - FR=0: .d operations (except ldc1/sdc1 and the conditional moves, which use the pair
//    $f(n & ~1)) raise a reserved-instruction exception for odd registers, and the 64-bit
//    integer format (.l) is reserved; FR=1 (cpu.fr64) allows both.
// When an operation raises an exception whose Enable bit is set (or ctc1 sets such a Cause
// bit), the Cause field is updated and ExcCode.FPE is raised; the destination and the Flags
// are left unchanged.
//
// Arithmetic: the double-precision result of the host operation is the round-to-nearest result
// for binary64 (and a 53-bit approximation for binary32); error-free transformations (TwoSum,
// Dekker's product) give the sign of the rounding error, which settles directed rounding,
// double rounding to binary32 and the inexact flag. Operands or results near the ends of the
// exponent range take an exact path on BigInts.
import { ExcCode, GuestException } from '../../machine/exceptions.js';
import type { Cpu } from '../../machine/cpu.js';
import type { Machine } from '../../machine/machine.js';
import type { Handler } from './interp.js';

// ---------------------------------------------------------------------------------------------
// FCSR and the control registers

export const RM_RN = 0, RM_RZ = 1, RM_RP = 2, RM_RM = 3;
/** Exception bits, as in the Flags (<< 2), Enables (<< 7) and Cause (<< 12) fields. */
export const EX_I = 1, EX_U = 2, EX_O = 4, EX_Z = 8, EX_V = 16;
/** Cause bit E, unimplemented operation (no Enable bit: always enabled). */
export const EX_E = 32;
export const FCSR_FLAGS_SHIFT = 2;
export const FCSR_ENABLES_SHIFT = 7;
export const FCSR_CAUSE_SHIFT = 12;
export const FCSR_CAUSE_MASK = 0x3f << FCSR_CAUSE_SHIFT;
export const FCSR_FS = 1 << 24;
/** FCSR bits ctc1 can change (NAN2008/ABS2008 read as 0: legacy NaNs, arithmetic abs/neg). */
export const FCSR_WRITABLE = 0xff83ffff | 0;
/** FIR as qemu's 24Kf: F64, L, W, D, S; processor id 0x93. */
export const FIR_VALUE = 0x00739300;

export const DEFAULT_NAN_S = 0x7fbfffff;
export const DEFAULT_NAN_D_HI = 0x7ff7ffff;
export const DEFAULT_NAN_D_LO = -1;

/** FCSR bit of condition code cc (0..7). */
export const ccBit = (cc: number): number => (cc === 0 ? 23 : 24 + cc);

/** cfc1: the control register `fcr` as the guest reads it. */
export function readFcr(cpu: Cpu, fcr: number): number {
  const f = cpu.fcsr;
  switch (fcr) {
    case 0: return FIR_VALUE;
    case 25: return ((f >>> 24) & 0xfe) | ((f >>> 23) & 1); // FCCR: cc7..cc0
    case 26: return f & 0x0003f07c; // FEXR: Cause, Flags
    case 28: return (f & 0x00000f83) | ((f >>> 22) & 4); // FENR: Enables, FS, RM
    case 1: case 5: return 0; // UFR, FRE support: absent
    default: return f; // qemu reads FCSR for every other number
  }
}

/**
 * ctc1: writes control register `fcr` (writes with reserved bits set are ignored, as qemu).
 * Returns true when the new FCSR has a Cause bit whose exception is enabled (the caller raises
 * the floating-point exception).
 */
export function writeFcr(cpu: Cpu, fcr: number, v: number): boolean {
  const f = cpu.fcsr;
  switch (fcr) {
    case 25:
      if (v & 0xffffff00) return false;
      cpu.fcsr = (f & 0x017fffff) | ((v & 0xfe) << 24) | ((v & 1) << 23);
      break;
    case 26:
      if (v & 0x007c0083) return false;
      cpu.fcsr = (f & ~0x0003f07c) | (v & 0x0003f07c);
      break;
    case 28:
      if (v & 0x007c0000) return false;
      cpu.fcsr = (f & ~0x01000f83) | (v & 0x00000f83) | ((v & 4) << 22);
      break;
    case 31:
      cpu.fcsr = (v & FCSR_WRITABLE) | (f & ~FCSR_WRITABLE);
      break;
    default:
      return false;
  }
  const g = cpu.fcsr;
  return (((g >>> FCSR_CAUSE_SHIFT) & 0x3f) & (((g >>> FCSR_ENABLES_SHIFT) & 0x1f) | EX_E)) !== 0;
}

// ---------------------------------------------------------------------------------------------
// Bits and neighbours

const scratch = new ArrayBuffer(8);
const sF64 = new Float64Array(scratch);
const sF32 = new Float32Array(scratch);
const sI32 = new Int32Array(scratch); // [0] low word of sF64[0], [1] high word (little-endian host)

export function f32FromBits(b: number): number {
  sI32[0] = b;
  return sF32[0];
}
/** Bits of a binary32 value (not for NaNs: their payload is not kept by the host). */
export function f32Bits(v: number): number {
  sF32[0] = v;
  return sI32[0];
}
export function f64FromWords(hi: number, lo: number): number {
  sI32[0] = lo;
  sI32[1] = hi;
  return sF64[0];
}
/** [hi, lo] words of a binary64 value (not for NaNs). */
export function f64Words(v: number): [number, number] {
  sF64[0] = v;
  return [sI32[1], sI32[0]];
}

const isNaNBitsS = (b: number) => (b & 0x7fffffff) > 0x7f800000;
const isSNaNBitsS = (b: number) => isNaNBitsS(b) && (b & 0x00400000) !== 0;
const isNaNBitsD = (hi: number, lo: number) => {
  const h = hi & 0x7fffffff;
  return h > 0x7ff00000 || (h === 0x7ff00000 && lo !== 0);
};
const isSNaNBitsD = (hi: number, lo: number) => isNaNBitsD(hi, lo) && (hi & 0x00080000) !== 0;

const TWO_128 = 2 ** 128;
const MAX_S = f32FromBits(0x7f7fffff);

/** Next binary32 value up (MAX_S goes to 2^128, the next value of the unbounded grid). */
function nextUpS(f: number): number {
  if (f === 0) return 2 ** -149;
  if (f === MAX_S) return TWO_128;
  if (f === -TWO_128) return -MAX_S;
  sF32[0] = f;
  sI32[0] += f > 0 ? 1 : -1;
  return sF32[0];
}
const nextDownS = (f: number): number => -nextUpS(-f);

function nextUpD(d: number): number {
  if (d === 0) return Number.MIN_VALUE;
  sF64[0] = d;
  if (d > 0) {
    if (sI32[0] === -1) { sI32[0] = 0; sI32[1]++; } else sI32[0]++;
  } else {
    if (sI32[0] === 0) { sI32[0] = -1; sI32[1]--; } else sI32[0]--;
  }
  return sF64[0];
}
const nextDownD = (d: number): number => -nextUpD(-d);

// ---------------------------------------------------------------------------------------------
// Error-free transformations (Knuth's TwoSum, Veltkamp/Dekker product)

const SPLITTER = 134217729; // 2^27 + 1

/** Sign of (a + b) - fl(a + b). */
function sumErrSign(a: number, b: number, s: number): number {
  const bb = s - a;
  const e = (a - (s - bb)) + (b - bb);
  return e > 0 ? 1 : e < 0 ? -1 : 0;
}

/** a*b - p exactly (p = fl(a*b)); needs |a|,|b| < 2^995 and no underflow in the partial products. */
function productErr(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** Sign of (x - p*q) where p*q ~ x (Sterbenz makes x - fl(p*q) exact). */
function residualSign(x: number, p: number, q: number): number {
  const m = p * q;
  const d = (x - m) - productErr(p, q, m);
  return d > 0 ? 1 : d < 0 ? -1 : 0;
}

const SAFE_LO = 2 ** -900, SAFE_HI = 2 ** 990;
const safe = (x: number) => {
  const a = Math.abs(x);
  return a >= SAFE_LO && a <= SAFE_HI;
};

// ---------------------------------------------------------------------------------------------
// Rounding

/** Exception bits raised by the current operation (Cause). */
let raised = 0;
/** FCSR.FS of the current operation. */
let flushToZero = false;

interface Format { p: number; emin: number; emax: number }
const FMT_S: Format = { p: 24, emin: -126, emax: 127 };
const FMT_D: Format = { p: 53, emin: -1022, emax: 1023 };

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** |v| = mant * 2^exp for a finite nonzero double. */
function decompose(v: number): { mant: bigint; exp: number } {
  sF64[0] = v;
  const hi = sI32[1], lo = sI32[0];
  const e = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo >>> 0);
  return e === 0 ? { mant: frac, exp: -1074 } : { mant: frac | (1n << 52n), exp: e - 1075 };
}

/** Rounds mant*2^exp (+ a little more if sticky) to a multiple of 2^q. Needs q - exp >= 2 when sticky. */
function roundMant(neg: boolean, mant: bigint, exp: number, sticky: boolean, q: number, rm: number): { m: bigint; inexact: boolean } {
  const shift = q - exp;
  if (shift <= 0) return { m: mant << BigInt(-shift), inexact: false };
  const s = BigInt(shift);
  let kept = mant >> s;
  const rem = mant & ((1n << s) - 1n);
  const half = 1n << (s - 1n);
  const inexact = rem !== 0n || sticky;
  let up = false;
  if (inexact) {
    switch (rm) {
      case RM_RN: up = rem > half || (rem === half && (sticky || (kept & 1n) === 1n)); break;
      case RM_RZ: break;
      case RM_RP: up = !neg; break;
      case RM_RM: up = neg; break;
    }
  }
  if (up) kept += 1n;
  return { m: kept, inexact };
}

/**
 * The exact value (-1)^neg * (mant + d) * 2^exp, 0 <= d < 1 and d > 0 iff sticky, rounded to
 * the format per rm, with flags. When sticky, mant must have at least p + 2 significant bits.
 */
function roundExact(neg: boolean, mant: bigint, exp: number, sticky: boolean, F: Format, rm: number): number {
  if (mant === 0n) return neg ? -0 : 0;
  const E = exp + bitLength(mant) - 1;
  if (flushToZero && E < F.emin) return neg ? -0 : 0;
  // rounded with an unbounded exponent range: decides overflow and (after rounding) tininess
  const uq = E - (F.p - 1);
  const u = roundMant(neg, mant, exp, sticky, uq, rm);
  const ue = uq + bitLength(u.m) - 1;
  if (ue > F.emax) {
    raised |= EX_O | EX_I;
    const max = F === FMT_S ? MAX_S : Number.MAX_VALUE;
    const toInf = rm === RM_RN || (rm === RM_RP && !neg) || (rm === RM_RM && neg);
    const v = toInf ? Infinity : max;
    return neg ? -v : v;
  }
  const q = Math.max(E, F.emin) - (F.p - 1);
  const r = roundMant(neg, mant, exp, sticky, q, rm);
  if (r.inexact) {
    raised |= EX_I;
    if (ue < F.emin) raised |= EX_U;
  }
  const v = Number(r.m) * 2 ** q;
  return neg ? -v : v;
}

/** Rounds the exact value x + e (e tiny, sign errSign, x a finite double) to binary64 via BigInts. */
function roundDoubleExact(x: number, errSign: number, F: Format, rm: number): number {
  if (x === 0) return x;
  const neg = x < 0;
  const { mant, exp } = decompose(x);
  const norm = 60 - bitLength(mant); // room for the sticky representation
  const m = mant << BigInt(Math.max(norm, 2)), e = exp - Math.max(norm, 2);
  if (errSign === 0) return roundExact(neg, m, e, false, F, rm);
  if ((errSign > 0) === !neg) return roundExact(neg, m, e, true, F, rm); // |exact| > |x|
  return roundExact(neg, m - 1n, e, true, F, rm); // |x| - 1 unit < |exact| < |x|
}

/** Rounds exact = x + e (x a finite double, e of sign errSign, |e| < ulp(x)/2) to binary32. */
function roundToS(x: number, errSign: number, rm: number): number {
  const ax = Math.abs(x);
  if (!(ax >= 2 ** -125 && ax <= 2 ** 127)) {
    if (x === 0 && errSign === 0) return x;
    return roundDoubleExact(x, errSign, FMT_S, rm);
  }
  const f = Math.fround(x);
  if (f === x) {
    if (errSign === 0) return f;
    raised |= EX_I;
    switch (rm) {
      case RM_RZ: return (errSign > 0) !== (f > 0) ? (f > 0 ? nextDownS(f) : nextUpS(f)) : f;
      case RM_RP: return errSign > 0 ? nextUpS(f) : f;
      case RM_RM: return errSign < 0 ? nextDownS(f) : f;
      default: return f;
    }
  }
  raised |= EX_I;
  const lo = f < x ? f : nextDownS(f);
  const hi = f < x ? nextUpS(f) : f;
  switch (rm) {
    case RM_RZ: return x > 0 ? lo : hi;
    case RM_RP: return hi;
    case RM_RM: return lo;
    default: {
      const mid = lo + (hi - lo) / 2;
      if (x === mid && errSign !== 0) return errSign > 0 ? hi : lo;
      return f;
    }
  }
}

/** Rounds exact = x + e to binary64 where x = fl(exact) is normal and the error is known. */
function roundToD(x: number, errSign: number, rm: number): number {
  if (errSign === 0) {
    if (flushToZero && x !== 0 && Math.abs(x) < 2 ** -1022) return x < 0 ? -0 : 0;
    return x;
  }
  raised |= EX_I;
  let r = x;
  switch (rm) {
    case RM_RZ: if ((errSign > 0) !== (x > 0)) r = x > 0 ? nextDownD(x) : nextUpD(x); break;
    case RM_RP: if (errSign > 0) r = nextUpD(x); break;
    case RM_RM: if (errSign < 0) r = nextDownD(x); break;
  }
  if (!Number.isFinite(r)) raised |= EX_O;
  return r;
}

/** The sum of two zeros, or the exact zero sum of x and -x, per rounding mode. */
function zeroSum(a: number, b: number, rm: number): number {
  const negA = Object.is(a, -0) || a < 0, negB = Object.is(b, -0) || b < 0;
  if (a === 0 && b === 0 && negA === negB) return a;
  return rm === RM_RM ? -0 : 0;
}

// ---------------------------------------------------------------------------------------------
// The arithmetic kernels. Operands are numbers that are no NaN (binary32 values for single);
// results are numbers (NaN for an invalid operation, which also raises V).

export interface Kernels {
  add(a: number, b: number, rm: number): number;
  mul(a: number, b: number, rm: number): number;
  div(a: number, b: number, rm: number): number;
  sqrt(a: number, rm: number): number;
}

/** Use the exact BigInt paths always (for tests of the fast paths). */
export const softfloatOptions = { exactOnly: false };

function exactAdd(a: number, b: number, F: Format, rm: number): number {
  const x = decompose(a), y = decompose(b);
  const e = Math.min(x.exp, y.exp);
  const ma = (a < 0 ? -x.mant : x.mant) << BigInt(x.exp - e);
  const mb = (b < 0 ? -y.mant : y.mant) << BigInt(y.exp - e);
  const s = ma + mb;
  if (s === 0n) return zeroSum(a, b, rm);
  return roundExact(s < 0n, s < 0n ? -s : s, e, false, F, rm);
}

function exactMul(a: number, b: number, F: Format, rm: number): number {
  const x = decompose(a), y = decompose(b);
  return roundExact((a < 0) !== (b < 0), x.mant * y.mant, x.exp + y.exp, false, F, rm);
}

function exactDiv(a: number, b: number, F: Format, rm: number): number {
  const x = decompose(a), y = decompose(b);
  const k = Math.max(0, F.p + 4 + bitLength(y.mant) - bitLength(x.mant));
  const n = x.mant << BigInt(k);
  const q = n / y.mant;
  return roundExact((a < 0) !== (b < 0), q, x.exp - y.exp - k, q * y.mant !== n, F, rm);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

function exactSqrt(a: number, F: Format, rm: number): number {
  const x = decompose(a);
  let k = Math.max(0, 2 * (F.p + 4) - bitLength(x.mant));
  if ((x.exp - k) & 1) k++;
  const n = x.mant << BigInt(k);
  const r = isqrt(n);
  return roundExact(false, r, (x.exp - k) / 2, r * r !== n, F, rm);
}

function specialAdd(a: number, b: number): number {
  if (a === -b) { raised |= EX_V; return NaN; } // inf - inf
  return a + b;
}

function specialMul(a: number, b: number): number | null {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    if (a === 0 || b === 0) { raised |= EX_V; return NaN; }
    return a * b;
  }
  if (a === 0 || b === 0) return a * b;
  return null;
}

function specialDiv(a: number, b: number): number | null {
  if (Number.isFinite(a) && Number.isFinite(b) && a !== 0 && b !== 0) return null;
  if ((a === 0 && b === 0) || (!Number.isFinite(a) && !Number.isFinite(b))) { raised |= EX_V; return NaN; }
  if (b === 0 && Number.isFinite(a)) raised |= EX_Z; // finite nonzero / 0
  return a / b;
}

function specialSqrt(a: number): number | null {
  if (a === 0) return a; // sqrt(-0) = -0
  if (a < 0) { raised |= EX_V; return NaN; }
  if (a === Infinity) return a;
  return null;
}

export const single: Kernels = {
  add(a, b, rm) {
    if (!Number.isFinite(a) || !Number.isFinite(b)) return specialAdd(a, b);
    const s = a + b;
    if (s === 0) return zeroSum(a, b, rm);
    if (softfloatOptions.exactOnly) return exactAdd(a, b, FMT_S, rm);
    return roundToS(s, sumErrSign(a, b, s), rm);
  },
  mul(a, b, rm) {
    const sp = specialMul(a, b);
    if (sp !== null) return sp;
    if (softfloatOptions.exactOnly) return exactMul(a, b, FMT_S, rm);
    return roundToS(a * b, 0, rm); // 24 x 24 bits: exact in binary64
  },
  div(a, b, rm) {
    const sp = specialDiv(a, b);
    if (sp !== null) return sp;
    if (softfloatOptions.exactOnly) return exactDiv(a, b, FMT_S, rm);
    const q = a / b;
    const r = residualSign(a, q, b);
    return roundToS(q, b > 0 ? r : -r, rm);
  },
  sqrt(a, rm) {
    const sp = specialSqrt(a);
    if (sp !== null) return sp;
    if (softfloatOptions.exactOnly) return exactSqrt(a, FMT_S, rm);
    const r = Math.sqrt(a);
    return roundToS(r, residualSign(a, r, r), rm);
  },
};

export const double: Kernels = {
  add(a, b, rm) {
    if (!Number.isFinite(a) || !Number.isFinite(b)) return specialAdd(a, b);
    const s = a + b;
    if (s === 0) return zeroSum(a, b, rm);
    if (!Number.isFinite(s) || softfloatOptions.exactOnly) return exactAdd(a, b, FMT_D, rm);
    return roundToD(s, sumErrSign(a, b, s), rm);
  },
  mul(a, b, rm) {
    const sp = specialMul(a, b);
    if (sp !== null) return sp;
    const p = a * b;
    if (!safe(a) || !safe(b) || !safe(p) || softfloatOptions.exactOnly) return exactMul(a, b, FMT_D, rm);
    const e = productErr(a, b, p);
    return roundToD(p, e > 0 ? 1 : e < 0 ? -1 : 0, rm);
  },
  div(a, b, rm) {
    const sp = specialDiv(a, b);
    if (sp !== null) return sp;
    const q = a / b;
    if (!safe(a) || !safe(b) || !safe(q) || softfloatOptions.exactOnly) return exactDiv(a, b, FMT_D, rm);
    const r = residualSign(a, q, b);
    return roundToD(q, b > 0 ? r : -r, rm);
  },
  sqrt(a, rm) {
    const sp = specialSqrt(a);
    if (sp !== null) return sp;
    if (!safe(a) || softfloatOptions.exactOnly) return exactSqrt(a, FMT_D, rm);
    const r = Math.sqrt(a);
    return roundToD(r, residualSign(a, r, r), rm);
  },
};

// ---- conversions ----

/** binary64 -> binary32. */
export function doubleToSingle(x: number, rm: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return roundToS(x, 0, rm);
}

/** Rounds to an integral value per rm (ties to even for RN). */
function roundIntegral(x: number, rm: number): number {
  switch (rm) {
    case RM_RZ: return Math.trunc(x);
    case RM_RP: return Math.ceil(x);
    case RM_RM: return Math.floor(x);
    default: {
      const f = Math.floor(x), d = x - f;
      if (d > 0.5) return f + 1;
      if (d < 0.5) return f;
      return f % 2 === 0 ? f : f + 1;
    }
  }
}

/** To int32 (non-NaN input); invalid (out of range, infinite) gives 0x7fffffff. */
export function toInt32(x: number, rm: number): number {
  const r = roundIntegral(x, rm);
  if (!(r >= -2147483648 && r <= 2147483647)) { raised |= EX_V; return 0x7fffffff; }
  if (r !== x) raised |= EX_I;
  return r | 0;
}

/** To int64 as [hi, lo] (non-NaN input); invalid gives 0x7fffffff_ffffffff. */
export function toInt64(x: number, rm: number): [number, number] {
  const r = roundIntegral(x, rm);
  if (!(r >= -(2 ** 63) && r < 2 ** 63)) { raised |= EX_V; return [0x7fffffff, -1]; }
  if (r !== x) raised |= EX_I;
  if (Math.abs(r) < 2 ** 53) {
    const lo = r % 4294967296;
    return [Math.floor(r / 4294967296) | 0, lo | 0];
  }
  const b = BigInt.asUintN(64, BigInt(r));
  return [Number(b >> 32n) | 0, Number(b & 0xffffffffn) | 0];
}

/** int64 [hi, lo] to binary32 or binary64. */
export function fromInt64(hi: number, lo: number, toSingle: boolean, rm: number): number {
  const v = hi * 4294967296 + (lo >>> 0);
  if (Math.abs(v) < 2 ** 53) return toSingle ? doubleToSingle(v, rm) : v; // exact
  const b = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
  const neg = b < 0n;
  return roundExact(neg, neg ? -b : b, 0, false, toSingle ? FMT_S : FMT_D, rm);
}

// ---------------------------------------------------------------------------------------------
// Interpreter handlers

type Fmt = 's' | 'd';

export function fpuHandlers(m: Machine): Record<string, Handler> {
  const cpu = m.cpu, r = cpu.r, mem = m.mem, fw = cpu.fw, f32 = cpu.fs, f64 = cpu.fd;
  const ds = m.delaySlots;
  const be = mem.bigEndian;

  const ri = (): never => { throw new GuestException(ExcCode.RI); };
  /** Word index of single (or word) register n. */
  const si = (n: number) => (cpu.fr64 ? n << 1 : n);
  /** Double index of double register n: FR=0 odd registers are reserved (qemu). */
  const di = (n: number) => {
    if (cpu.fr64) return n;
    if (n & 1) ri();
    return n >> 1;
  };
  /** Double index for ldc1/sdc1 and the conditional moves: FR=0 odd n means the pair n & ~1. */
  const dp = (n: number) => (cpu.fr64 ? n : n >> 1);
  /** Index of a 64-bit integer (.l) register: reserved in FR=0 (qemu). */
  const li = (n: number) => (cpu.fr64 ? n : ri());

  const ftOf = (w: number) => (w >>> 16) & 31;
  const fsOf = (w: number) => (w >>> 11) & 31;
  const fdOf = (w: number) => (w >>> 6) & 31;
  const frOf = (w: number) => (w >>> 21) & 31;
  const rtOf = (w: number) => (w >>> 16) & 31;

  let rm = 0;
  const begin = () => {
    raised = 0;
    rm = cpu.fcsr & 3;
    flushToZero = (cpu.fcsr & FCSR_FS) !== 0;
  };
  /** Sets Cause; raises FPE if enabled, else accumulates Flags. */
  const finish = () => {
    const c = raised;
    let f = (cpu.fcsr & ~FCSR_CAUSE_MASK) | (c << FCSR_CAUSE_SHIFT);
    if (c & (f >>> FCSR_ENABLES_SHIFT) & 0x1f) {
      cpu.fcsr = f;
      throw new GuestException(ExcCode.FPE);
    }
    f |= c << FCSR_FLAGS_SHIFT;
    cpu.fcsr = f;
  };

  const writeS = (i: number, v: number) => {
    if (v !== v) fw[i] = DEFAULT_NAN_S;
    else f32[i] = v;
  };
  const writeD = (i: number, v: number) => {
    if (v !== v) { fw[2 * i + 1] = DEFAULT_NAN_D_HI; fw[2 * i] = DEFAULT_NAN_D_LO; } else f64[i] = v;
  };
  /** Value of single register word i; NaN operands are screened by the callers. */
  const nanS = (i: number) => isNaNBitsS(fw[i]);
  const snanS = (i: number) => isSNaNBitsS(fw[i]);
  const nanD = (i: number) => isNaNBitsD(fw[2 * i + 1], fw[2 * i]);
  const snanD = (i: number) => isSNaNBitsD(fw[2 * i + 1], fw[2 * i]);

  /** NaN operands: the default NaN, and invalid if one is signalling. */
  const nanOperands = (nan: (i: number) => boolean, snan: (i: number) => boolean, ...idx: number[]) => {
    let any = false;
    for (const i of idx) {
      if (nan(i)) {
        any = true;
        if (snan(i)) raised |= EX_V;
      }
    }
    return any;
  };

  const h: Record<string, Handler> = {};

  // ---- arithmetic ----
  const binary = (name: string, op: (k: Kernels, a: number, b: number, rm: number) => number) => {
    h[`${name}.s`] = (w) => {
      const t = si(ftOf(w)), s = si(fsOf(w)), d = si(fdOf(w));
      begin();
      const v = nanOperands(nanS, snanS, s, t) ? NaN : op(single, f32[s], f32[t], rm);
      finish();
      writeS(d, v);
    };
    h[`${name}.d`] = (w) => {
      const t = di(ftOf(w)), s = di(fsOf(w)), d = di(fdOf(w));
      begin();
      const v = nanOperands(nanD, snanD, s, t) ? NaN : op(double, f64[s], f64[t], rm);
      finish();
      writeD(d, v);
    };
  };
  binary('add', (k, a, b, mode) => k.add(a, b, mode));
  binary('sub', (k, a, b, mode) => k.add(a, -b, mode));
  binary('mul', (k, a, b, mode) => k.mul(a, b, mode));
  binary('div', (k, a, b, mode) => k.div(a, b, mode));

  const unary = (name: string, op: (k: Kernels, a: number, rm: number) => number) => {
    h[`${name}.s`] = (w) => {
      const s = si(fsOf(w)), d = si(fdOf(w));
      begin();
      const v = nanOperands(nanS, snanS, s) ? NaN : op(single, f32[s], rm);
      finish();
      writeS(d, v);
    };
    h[`${name}.d`] = (w) => {
      const s = di(fsOf(w)), d = di(fdOf(w));
      begin();
      const v = nanOperands(nanD, snanD, s) ? NaN : op(double, f64[s], rm);
      finish();
      writeD(d, v);
    };
  };
  unary('sqrt', (k, a, mode) => k.sqrt(a, mode));
  unary('recip', (k, a, mode) => k.div(1, a, mode));
  unary('rsqrt', (k, a, mode) => {
    const s = k.sqrt(a, mode);
    return s !== s ? s : k.div(1, s, mode);
  });

  // abs, neg, mov: bit operations (legacy MIPS, as qemu): no exceptions, FCSR untouched
  h['abs.s'] = (w) => { fw[si(fdOf(w))] = fw[si(fsOf(w))] & 0x7fffffff; };
  h['neg.s'] = (w) => { fw[si(fdOf(w))] = fw[si(fsOf(w))] ^ 0x80000000; };
  h['mov.s'] = (w) => { fw[si(fdOf(w))] = fw[si(fsOf(w))]; };
  const moveD = (w: number, signOp: (hi: number) => number) => {
    const s = di(fsOf(w)), d = di(fdOf(w));
    const hi = fw[2 * s + 1], lo = fw[2 * s];
    fw[2 * d] = lo;
    fw[2 * d + 1] = signOp(hi);
  };
  h['abs.d'] = (w) => moveD(w, (hi) => hi & 0x7fffffff);
  h['neg.d'] = (w) => moveD(w, (hi) => hi ^ 0x80000000);
  h['mov.d'] = (w) => moveD(w, (hi) => hi);

  // ---- madd family: fd = +-(fs * ft +- fr), product and sum each rounded ----
  const fused = (name: string, negProduct: boolean, negResult: boolean) => {
    const run = (k: Kernels, nan: (i: number) => boolean, snan: (i: number) => boolean, val: (i: number) => number, s: number, t: number, fr: number) => {
      let p = nanOperands(nan, snan, s, t) ? NaN : k.mul(val(s), val(t), rm);
      const frNaN = nanOperands(nan, snan, fr);
      if (p !== p || frNaN) p = NaN;
      else p = k.add(p, negProduct ? -val(fr) : val(fr), rm);
      return p;
    };
    h[`${name}.s`] = (w) => {
      const fr = si(frOf(w)), t = si(ftOf(w)), s = si(fsOf(w)), d = si(fdOf(w));
      begin();
      const v = run(single, nanS, snanS, (i) => f32[i], s, t, fr);
      finish();
      if (v !== v) fw[d] = negResult ? DEFAULT_NAN_S ^ 0x80000000 : DEFAULT_NAN_S;
      else f32[d] = negResult ? -v : v;
    };
    h[`${name}.d`] = (w) => {
      const fr = di(frOf(w)), t = di(ftOf(w)), s = di(fsOf(w)), d = di(fdOf(w));
      begin();
      const v = run(double, nanD, snanD, (i) => f64[i], s, t, fr);
      finish();
      if (v !== v) { fw[2 * d + 1] = negResult ? DEFAULT_NAN_D_HI ^ 0x80000000 : DEFAULT_NAN_D_HI; fw[2 * d] = DEFAULT_NAN_D_LO; } else f64[d] = negResult ? -v : v;
    };
  };
  fused('madd', false, false);
  fused('msub', true, false);
  fused('nmadd', false, true);
  fused('nmsub', true, true);

  // ---- conversions ----
  const FP_TO_INT_MODE: Record<string, number | null> = { cvt: null, round: RM_RN, trunc: RM_RZ, ceil: RM_RP, floor: RM_RM };
  for (const [op, mode] of Object.entries(FP_TO_INT_MODE)) {
    const toW = (v: number, isNaN: boolean) => {
      if (isNaN) { raised |= EX_V; return 0x7fffffff; }
      return toInt32(v, mode ?? rm);
    };
    const toL = (v: number, isNaN: boolean): [number, number] => {
      if (isNaN) { raised |= EX_V; return [0x7fffffff, -1]; }
      return toInt64(v, mode ?? rm);
    };
    h[`${op}.w.s`] = (w) => {
      const s = si(fsOf(w)), d = si(fdOf(w));
      begin();
      if (snanS(s)) raised |= EX_V;
      const v = toW(f32[s], nanS(s));
      finish();
      fw[d] = v;
    };
    h[`${op}.w.d`] = (w) => {
      const s = di(fsOf(w)), d = si(fdOf(w));
      begin();
      if (snanD(s)) raised |= EX_V;
      const v = toW(f64[s], nanD(s));
      finish();
      fw[d] = v;
    };
    h[`${op}.l.s`] = (w) => {
      const s = si(fsOf(w)), d = li(fdOf(w));
      begin();
      if (snanS(s)) raised |= EX_V;
      const [hi, lo] = toL(f32[s], nanS(s));
      finish();
      fw[2 * d] = lo;
      fw[2 * d + 1] = hi;
    };
    h[`${op}.l.d`] = (w) => {
      const s = di(fsOf(w)), d = li(fdOf(w));
      begin();
      if (snanD(s)) raised |= EX_V;
      const [hi, lo] = toL(f64[s], nanD(s));
      finish();
      fw[2 * d] = lo;
      fw[2 * d + 1] = hi;
    };
  }
  h['cvt.s.d'] = (w) => {
    const s = di(fsOf(w)), d = si(fdOf(w));
    begin();
    const v = nanOperands(nanD, snanD, s) ? NaN : doubleToSingle(f64[s], rm);
    finish();
    writeS(d, v);
  };
  h['cvt.d.s'] = (w) => {
    const s = si(fsOf(w)), d = di(fdOf(w));
    begin();
    const v = nanOperands(nanS, snanS, s) ? NaN : f32[s]; // exact
    finish();
    writeD(d, v);
  };
  h['cvt.s.w'] = (w) => {
    const s = si(fsOf(w)), d = si(fdOf(w));
    begin();
    const v = doubleToSingle(fw[s], rm);
    finish();
    writeS(d, v);
  };
  h['cvt.d.w'] = (w) => {
    const s = si(fsOf(w)), d = di(fdOf(w));
    begin();
    const v = fw[s];
    finish();
    writeD(d, v);
  };
  h['cvt.s.l'] = (w) => {
    const s = li(fsOf(w)), d = si(fdOf(w));
    begin();
    const v = fromInt64(fw[2 * s + 1], fw[2 * s], true, rm);
    finish();
    writeS(d, v);
  };
  h['cvt.d.l'] = (w) => {
    const s = li(fsOf(w)), d = di(fdOf(w));
    begin();
    const v = fromInt64(fw[2 * s + 1], fw[2 * s], false, rm);
    finish();
    writeD(d, v);
  };

  // ---- compares: c.cond.fmt cc, fs, ft ----
  const compare = (w: number, unordered: boolean, signalling: boolean, a: number, b: number) => {
    const cond = w & 15;
    if (unordered && (cond & 8 || signalling)) raised |= EX_V;
    const c = unordered ? (cond & 1) !== 0 : ((cond & 2) !== 0 && a === b) || ((cond & 4) !== 0 && a < b);
    finish();
    const bit = 1 << ccBit((w >>> 8) & 7);
    cpu.fcsr = c ? cpu.fcsr | bit : cpu.fcsr & ~bit;
  };
  const CONDS = ['f', 'un', 'eq', 'ueq', 'olt', 'ult', 'ole', 'ule', 'sf', 'ngle', 'seq', 'ngl', 'lt', 'nge', 'le', 'ngt'];
  for (const c of CONDS) {
    h[`c.${c}.s`] = (w) => {
      const s = si(fsOf(w)), t = si(ftOf(w));
      begin();
      compare(w, nanS(s) || nanS(t), snanS(s) || snanS(t), f32[s], f32[t]);
    };
    h[`c.${c}.d`] = (w) => {
      const s = di(fsOf(w)), t = di(ftOf(w));
      begin();
      compare(w, nanD(s) || nanD(t), snanD(s) || snanD(t), f64[s], f64[t]);
    };
  }

  // ---- conditional moves (bit copies) ----
  const cc = (w: number) => ((cpu.fcsr >>> ccBit((w >>> 18) & 7)) & 1) === 1;
  const copyS = (w: number) => { fw[si(fdOf(w))] = fw[si(fsOf(w))]; };
  const copyD = (w: number) => {
    const s = dp(fsOf(w)), d = dp(fdOf(w));
    fw[2 * d] = fw[2 * s];
    fw[2 * d + 1] = fw[2 * s + 1];
  };
  const copies: Record<Fmt, (w: number) => void> = { s: copyS, d: copyD };
  for (const f of ['s', 'd'] as Fmt[]) {
    const copy = copies[f];
    h[`movf.${f}`] = (w) => { if (!cc(w)) copy(w); };
    h[`movt.${f}`] = (w) => { if (cc(w)) copy(w); };
    h[`movz.${f}`] = (w) => { if (r[rtOf(w)] === 0) copy(w); };
    h[`movn.${f}`] = (w) => { if (r[rtOf(w)] !== 0) copy(w); };
  }

  // ---- loads and stores ----
  const simm = (w: number) => (w << 16) >> 16;
  const ea = (w: number) => (r[(w >>> 21) & 31] + simm(w)) >>> 0;
  const eax = (w: number) => (r[(w >>> 21) & 31] + r[(w >>> 16) & 31]) >>> 0;
  const loadD = (d: number, a: number) => {
    if (a & 7) throw new GuestException(ExcCode.AdEL, a);
    const w0 = mem.read32(a), w1 = mem.read32((a + 4) >>> 0);
    fw[2 * d] = be ? w1 : w0; // the word at the lower address is the high word on big-endian
    fw[2 * d + 1] = be ? w0 : w1;
  };
  const storeD = (d: number, a: number) => {
    if (a & 7) throw new GuestException(ExcCode.AdES, a);
    const lo = fw[2 * d], hi = fw[2 * d + 1];
    mem.write32(a, be ? hi : lo);
    mem.write32((a + 4) >>> 0, be ? lo : hi);
  };
  h.lwc1 = (w) => { const t = si(ftOf(w)); fw[t] = mem.read32(ea(w)); };
  h.swc1 = (w) => mem.write32(ea(w), fw[si(ftOf(w))]);
  h.ldc1 = (w) => loadD(dp(ftOf(w)), ea(w));
  h.sdc1 = (w) => storeD(dp(ftOf(w)), ea(w));
  h.lwxc1 = (w) => { const d = si(fdOf(w)); fw[d] = mem.read32(eax(w)); };
  h.swxc1 = (w) => mem.write32(eax(w), fw[si(fsOf(w))]);
  h.ldxc1 = (w) => loadD(di(fdOf(w)), eax(w));
  h.sdxc1 = (w) => storeD(di(fsOf(w)), eax(w));

  // ---- moves to and from GPRs and control registers ----
  const hiWord = (n: number) => (cpu.fr64 ? 2 * n + 1 : n | 1);
  h.mfc1 = (w) => { r[rtOf(w)] = fw[si(fsOf(w))]; };
  h.mtc1 = (w) => { fw[si(fsOf(w))] = r[rtOf(w)]; };
  h.mfhc1 = (w) => { r[rtOf(w)] = fw[hiWord(fsOf(w))]; };
  h.mthc1 = (w) => { fw[hiWord(fsOf(w))] = r[rtOf(w)]; };
  h.cfc1 = (w) => { r[rtOf(w)] = readFcr(cpu, fsOf(w)); };
  h.ctc1 = (w) => {
    if (writeFcr(cpu, fsOf(w), r[rtOf(w)])) throw new GuestException(ExcCode.FPE);
  };

  // ---- branches (same rules as the integer branches in interp.ts) ----
  const take = (target: number) => {
    if (ds) cpu.npc = target >>> 0;
    else { cpu.pc = target >>> 0; cpu.npc = (target + 4) >>> 0; }
  };
  const annul = () => {
    if (ds) { cpu.pc = cpu.npc; cpu.npc = (cpu.npc + 4) >>> 0; }
  };
  /** cpu.pc already points past the branch (at its delay slot). */
  const branch = (w: number, onTrue: boolean, likely: boolean) => {
    if (cc(w) === onTrue) take((cpu.pc + (simm(w) << 2)) >>> 0);
    else if (likely) annul();
  };
  h.bc1f = (w) => branch(w, false, false);
  h.bc1t = (w) => branch(w, true, false);
  h.bc1fl = (w) => branch(w, false, true);
  h.bc1tl = (w) => branch(w, true, true);

  return h;
}

// ---------------------------------------------------------------------------------------------
// Fast paths for translated code
//
// Generated code calls these with register indices resolved at translation time (for the FR
// mode the code was translated in) and the instruction word. Each handles the common case only:
// FCSR with round-to-nearest, FS clear and no Enables, operands and result away from the ends
// of the exponent range and no NaN operand. There the result is the host's, the only possible
// exception is inexact (settled by the same error-free transformations as the kernels above),
// and Cause/Flags are updated as `finish` would. Anything else runs the interpreter's handler
// for the word (`slow`), which starts from scratch: nothing was written yet.

/** FCSR bits that must be clear for the fast paths: RM (RN = 0), Enables, FS. */
const FAST_FCSR_MASK = 0x01000f83;
const CAUSE_AND_FLAG_I = (EX_I << FCSR_CAUSE_SHIFT) | (EX_I << FCSR_FLAGS_SHIFT);

export interface FpuFastPaths {
  /** d, s, t: double indices (fd[]); fr: double index of the addend (madd family). */
  add_d(d: number, s: number, t: number, id: number, w: number): void;
  sub_d(d: number, s: number, t: number, id: number, w: number): void;
  mul_d(d: number, s: number, t: number, id: number, w: number): void;
  div_d(d: number, s: number, t: number, id: number, w: number): void;
  sqrt_d(d: number, s: number, id: number, w: number): void;
  /** kind: 0 madd, 1 msub, 2 nmadd, 3 nmsub. */
  madd_d(d: number, s: number, t: number, fr: number, kind: number, id: number, w: number): void;
  /** s, t: single word indices (fw[]). */
  add_s(d: number, s: number, t: number, id: number, w: number): void;
  sub_s(d: number, s: number, t: number, id: number, w: number): void;
  mul_s(d: number, s: number, t: number, id: number, w: number): void;
  /** c.cond.d / c.cond.s: bit = FCSR bit of the condition code, cond = the low 4 bits of the word. */
  c_d(s: number, t: number, cond: number, bit: number, id: number, w: number): void;
  c_s(s: number, t: number, cond: number, bit: number, id: number, w: number): void;
  /** cvt.d.w (d double index, s word index), cvt.d.s (s word index), cvt.s.d (d word index, s double index). */
  cvt_d_w(d: number, s: number): void;
  cvt_d_s(d: number, s: number, id: number, w: number): void;
  cvt_s_d(d: number, s: number, id: number, w: number): void;
  /** trunc.w.d: d word index, s double index. */
  trunc_w_d(d: number, s: number, id: number, w: number): void;
}

export function fpuFastPaths(cpu: Cpu, slow: (id: number, w: number) => void): FpuFastPaths {
  const fw = cpu.fw, f32 = cpu.fs, f64 = cpu.fd;
  /** Cause = Flags |= I when inexact, else Cause = 0 (the fast-path FCSR has no Enables). */
  const done = (inexact: boolean) => {
    const f = cpu.fcsr & ~FCSR_CAUSE_MASK;
    cpu.fcsr = inexact ? f | CAUSE_AND_FLAG_I : f;
  };
  // a finite x: x - x === 0 (NaN for infinities and NaNs)
  const addD = (d: number, a: number, b: number, id: number, w: number) => {
    const r = a + b;
    if ((cpu.fcsr & FAST_FCSR_MASK) !== 0 || r - r !== 0) return slow(id, w);
    done(sumErrSign(a, b, r) !== 0);
    f64[d] = r;
  };
  /** fl(a*b) and whether it is inexact, or -1 when the fast path does not apply. */
  let mulInexact = false;
  const mulFast = (a: number, b: number): number | null => {
    const p = a * b;
    if (safe(a) && safe(b) && safe(p)) {
      mulInexact = productErr(a, b, p) !== 0;
      return p;
    }
    if ((a === 0 || b === 0) && a - a === 0 && b - b === 0) {
      mulInexact = false;
      return p;
    }
    return null;
  };
  /** Sum fast path for single: the binary64 sum rounded to binary32 (RN), or null. */
  let sInexact = false;
  const roundS = (x: number, errSign: number): number | null => {
    const ax = Math.abs(x);
    if (!(ax >= 2 ** -125 && ax <= 2 ** 127)) {
      if (x === 0 && errSign === 0) { sInexact = false; return x; }
      return null;
    }
    const f = Math.fround(x);
    if (f === x) {
      sInexact = errSign !== 0;
      return f;
    }
    sInexact = true;
    // a tie at binary32 precision broken by the binary64 rounding error: the kernel's path
    const lo = f < x ? f : nextDownS(f);
    const hi = f < x ? nextUpS(f) : f;
    const mid = lo + (hi - lo) / 2;
    if (x === mid && errSign !== 0) return errSign > 0 ? hi : lo;
    return f;
  };
  const isNaNS = (i: number) => (fw[i] & 0x7fffffff) > 0x7f800000;
  const addS = (d: number, s: number, t: number, neg: boolean, id: number, w: number) => {
    if ((cpu.fcsr & FAST_FCSR_MASK) !== 0 || isNaNS(s) || isNaNS(t)) return slow(id, w);
    const a = f32[s], b = neg ? -f32[t] : f32[t];
    const r = a + b;
    if (r - r !== 0) return slow(id, w);
    let v: number | null;
    if (r === 0) { v = r; sInexact = false; } else v = roundS(r, sumErrSign(a, b, r));
    if (v === null) return slow(id, w);
    done(sInexact);
    f32[d] = v;
  };
  const compare = (a: number, b: number, cond: number, bit: number, id: number, w: number) => {
    if (a !== a || b !== b) return slow(id, w);
    const c = ((cond & 2) !== 0 && a === b) || ((cond & 4) !== 0 && a < b);
    const f = cpu.fcsr & ~FCSR_CAUSE_MASK;
    cpu.fcsr = c ? f | bit : f & ~bit;
  };
  return {
    add_d: (d, s, t, id, w) => addD(d, f64[s], f64[t], id, w),
    sub_d: (d, s, t, id, w) => addD(d, f64[s], -f64[t], id, w),
    mul_d(d, s, t, id, w) {
      if ((cpu.fcsr & FAST_FCSR_MASK) !== 0) return slow(id, w);
      const p = mulFast(f64[s], f64[t]);
      if (p === null) return slow(id, w);
      done(mulInexact);
      f64[d] = p;
    },
    div_d(d, s, t, id, w) {
      const a = f64[s], b = f64[t];
      const q = a / b;
      if ((cpu.fcsr & FAST_FCSR_MASK) !== 0 || !safe(a) || !safe(b) || !safe(q)) return slow(id, w);
      done(residualSign(a, q, b) !== 0);
      f64[d] = q;
    },
    sqrt_d(d, s, id, w) {
      const a = f64[s];
      if ((cpu.fcsr & FAST_FCSR_MASK) !== 0 || !(a > 0) || !safe(a)) return slow(id, w);
      const r = Math.sqrt(a);
      done(residualSign(a, r, r) !== 0);
      f64[d] = r;
    },
    madd_d(d, s, t, fr, kind, id, w) {
      if ((cpu.fcsr & FAST_FCSR_MASK) !== 0) return slow(id, w);
      const p = mulFast(f64[s], f64[t]);
      if (p === null) return slow(id, w);
      const c = kind & 1 ? -f64[fr] : f64[fr];
      const r = p + c;
      if (r - r !== 0) return slow(id, w);
      done(mulInexact || sumErrSign(p, c, r) !== 0);
      f64[d] = kind & 2 ? -r : r;
    },
    add_s: (d, s, t, id, w) => addS(d, s, t, false, id, w),
    sub_s: (d, s, t, id, w) => addS(d, s, t, true, id, w),
    mul_s(d, s, t, id, w) {
      if ((cpu.fcsr & FAST_FCSR_MASK) !== 0 || isNaNS(s) || isNaNS(t)) return slow(id, w);
      const a = f32[s], b = f32[t];
      const p = a * b; // 24 x 24 bits: exact in binary64
      let v: number | null;
      if (a === 0 || b === 0) {
        if (p - p !== 0) return slow(id, w);
        v = p;
        sInexact = false;
      } else v = roundS(p, 0);
      if (v === null) return slow(id, w);
      done(sInexact);
      f32[d] = v;
    },
    c_d: (s, t, cond, bit, id, w) => compare(f64[s], f64[t], cond, bit, id, w),
    c_s(s, t, cond, bit, id, w) {
      if (isNaNS(s) || isNaNS(t)) return slow(id, w);
      compare(f32[s], f32[t], cond, bit, id, w);
    },
    cvt_d_w(d, s) {
      const v = fw[s];
      cpu.fcsr &= ~FCSR_CAUSE_MASK;
      f64[d] = v;
    },
    cvt_d_s(d, s, id, w) {
      if (isNaNS(s)) return slow(id, w);
      const v = f32[s];
      cpu.fcsr &= ~FCSR_CAUSE_MASK;
      f64[d] = v;
    },
    cvt_s_d(d, s, id, w) {
      const x = f64[s];
      if ((cpu.fcsr & FAST_FCSR_MASK) !== 0 || x !== x) return slow(id, w);
      let v: number | null;
      if (x === 0 || x - x !== 0) { v = x; sInexact = false; } else v = roundS(x, 0);
      if (v === null) return slow(id, w);
      done(sInexact);
      f32[d] = v;
    },
    trunc_w_d(d, s, id, w) {
      const x = f64[s];
      if ((cpu.fcsr & FAST_FCSR_MASK) !== 0) return slow(id, w);
      const r = Math.trunc(x);
      if (!(r >= -2147483648 && r <= 2147483647)) return slow(id, w);
      done(r !== x);
      fw[d] = r | 0;
    },
  };
}
