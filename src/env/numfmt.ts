// Number formatting as SPIM (C printf) and MARS (Java toString) print it.
//
// C's printf rounds the exact binary value of its argument (glibc: round half to even), so
// printfF / printfG work on the exact decimal expansion of the double (BigInt arithmetic);
// JavaScript's toFixed rounds exact ties upwards and would print 18173.04882813 where C
// prints 18173.04882812.

/** Exact decimal expansion of a finite, non-zero |x|: |x| = 0.digits * 10^point (no leading zeros). */
function exactDecimal(x: number): { digits: string; point: number } {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, Math.abs(x));
  const bits = dv.getBigUint64(0);
  const bexp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  let e: number;
  if (bexp === 0) e = -1074;
  else { mant |= 1n << 52n; e = bexp - 1075; }
  // |x| = mant * 2^e = D * 10^-frac, D an integer without leading zeros
  const D = e >= 0 ? (mant << BigInt(e)).toString() : (mant * 5n ** BigInt(-e)).toString();
  const frac = e >= 0 ? 0 : -e;
  return { digits: D.replace(/0+$/, ''), point: D.length - frac };
}

/** Rounds a digit string (value 0.d1d2... ) to n digits, half to even; returns digits and carry. */
function roundDigits(digits: string, n: number): { digits: string; carry: boolean } {
  if (n < 0) return { digits: '', carry: false };
  if (digits.length <= n) return { digits: digits.padEnd(n, '0'), carry: false };
  const keep = digits.slice(0, n);
  const first = digits.charCodeAt(n) - 48;
  const rest = digits.slice(n + 1);
  const lastKept = n > 0 ? keep.charCodeAt(n - 1) - 48 : 0;
  const up = first > 5 || (first === 5 && (/[1-9]/.test(rest) || lastKept % 2 === 1));
  if (!up) return { digits: keep, carry: false };
  if (n === 0) return { digits: '', carry: true };
  const inc = (BigInt(keep) + 1n).toString().padStart(n, '0');
  if (inc.length > n) return { digits: inc.slice(1), carry: true }; // 99|7 -> 1|00
  return { digits: inc, carry: false };
}

/** Digits d1..dn and exponent X such that the value rounds (half even) to d1.d2...dn * 10^X. */
function significant(x: number, n: number): { digits: string; exp: number } {
  const { digits, point } = exactDecimal(x);
  const r = roundDigits(digits, n);
  return r.carry ? { digits: ('1' + r.digits).slice(0, n), exp: point } : { digits: r.digits, exp: point - 1 };
}

/** Shortest digits and decimal exponent of x (x finite, non-zero): x = d1.d2... * 10^exp. */
function shortestDigits(x: number, single: boolean): { digits: string; exp: number } {
  if (single) {
    // the shortest decimal that reads back as the same float; among equally short ones the
    // closest (rounding the exact value half to even)
    for (let p = 1; p <= 9; p++) {
      const s = significant(x, p);
      if (Math.fround(Number(`${s.digits[0]}.${s.digits.slice(1)}e${s.exp}`)) === Math.abs(x)) {
        return { digits: s.digits.replace(/(.)0+$/, '$1'), exp: s.exp };
      }
    }
  }
  const [mant, e] = Math.abs(x).toExponential().split('e');
  return { digits: mant.replace('.', ''), exp: Number(e) };
}

/**
 * Java's digits: the shortest ones, except that when one digit would do, Java picks the
 * decimal of at most two digits closest to x (JDK 19+ spec; older JDKs agree here), so
 * Float.MIN_VALUE prints as 1.4E-45 (not 1.0E-45) and Double.MIN_VALUE as 4.9E-324.
 */
function javaDigits(x: number, single: boolean): { digits: string; exp: number } {
  const d = shortestDigits(x, single);
  if (d.digits.length !== 1) return d;
  const two = significant(x, 2);
  const v = Number(`${two.digits[0]}.${two.digits[1]}e${two.exp}`);
  if ((single ? Math.fround(v) : v) !== Math.abs(x)) return d;
  return { digits: two.digits.replace(/(.)0+$/, '$1'), exp: two.exp };
}

/**
 * Java's Double.toString / Float.toString (what MARS prints), as specified since JDK 19:
 * the shortest digits that identify the value, the closest such, ties to even. (Older JDKs
 * sometimes print one digit more, e.g. 2.2032602E17f as 2.20326015E17.)
 */
export function javaToString(x: number, single: boolean): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const { digits, exp } = javaDigits(x, single);
  const ax = Math.abs(x);
  if (ax >= 1e-3 && ax < 1e7) {
    if (exp >= 0) {
      const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1) || '0';
      return `${sign}${intPart}.${frac}`;
    }
    return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  const frac = digits.slice(1) || '0';
  return `${sign}${digits[0]}.${frac}E${exp}`;
}

function cSpecial(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return null;
}

/** C's printf("%.<prec>f", x). */
export function printfF(x: number, prec: number): string {
  const sp = cSpecial(x);
  if (sp) return sp;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  let intPart = '0', frac = '0'.repeat(prec);
  if (x !== 0) {
    const { digits, point } = exactDecimal(x);
    // value = 0.digits * 10^point; keep point + prec digits
    const n = point + prec;
    const r = roundDigits(digits, n);
    let all = r.carry ? '1' + r.digits : r.digits; // digits of round(|x| * 10^prec)
    if (!all) all = '0';
    all = all.padStart(prec + 1, '0');
    intPart = all.slice(0, all.length - prec).replace(/^0+(?=\d)/, '');
    frac = all.slice(all.length - prec);
  }
  return sign + intPart + (prec > 0 ? '.' + frac : '');
}

/** C's printf("%.<prec>g", x). */
export function printfG(x: number, prec: number): string {
  const sp = cSpecial(x);
  if (sp) return sp;
  const P = prec === 0 ? 1 : prec;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return sign + '0';
  const { digits, exp: X } = significant(x, P);
  const strip = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (P > X && X >= -4) return sign + strip(printfF(Math.abs(x), P - 1 - X));
  const ex = Math.abs(X).toString().padStart(2, '0');
  return `${sign}${strip(digits[0] + '.' + digits.slice(1))}e${X < 0 ? '-' : '+'}${ex}`;
}
