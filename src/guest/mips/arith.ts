// 32x32->64 multiply helpers shared by the interpreter and generated code.
// A double product is within 2^11 of the exact one, so rounding the high word is exact.

const TWO32 = 4294967296;

/** High word of the signed 64-bit product. */
export function mulHighSigned(a: number, b: number): number {
  const lo = Math.imul(a, b) >>> 0;
  return Math.round(((a | 0) * (b | 0) - lo) / TWO32) | 0;
}

/** High word of the unsigned 64-bit product. */
export function mulHighUnsigned(a: number, b: number): number {
  const lo = Math.imul(a, b) >>> 0;
  return Math.round(((a >>> 0) * (b >>> 0) - lo) / TWO32) | 0;
}

/** HI:LO plus (or minus) the 64-bit value ph:pl; returns [hi, lo]. */
export function add64(hi: number, lo: number, ph: number, pl: number): [number, number] {
  const sumLo = (lo >>> 0) + (pl >>> 0);
  const carry = sumLo >= TWO32 ? 1 : 0;
  return [(hi + ph + carry) | 0, sumLo | 0];
}

export function neg64(hi: number, lo: number): [number, number] {
  const nlo = (-(lo >>> 0)) >>> 0;
  const nhi = (~hi + (nlo === 0 ? 1 : 0)) | 0;
  return [nhi, nlo | 0];
}
