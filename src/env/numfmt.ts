// Number formatting as SPIM (C printf) and MARS (Java toString) print it.

/** Shortest digits and decimal exponent of x (x finite, non-zero): x = 0.d1d2... * 10^(exp+1). */
function shortestDigits(x: number, single: boolean): { digits: string; exp: number } {
  let s = Math.abs(x).toExponential();
  if (single) {
    for (let p = 1; p <= 9; p++) {
      const t = Math.abs(x).toExponential(p - 1);
      if (Math.fround(Number(t)) === Math.abs(x)) { s = t; break; }
    }
  }
  const [mant, e] = s.split('e');
  return { digits: mant.replace('.', ''), exp: Number(e) };
}

/** Java's Double.toString / Float.toString (what MARS prints). */
export function javaToString(x: number, single: boolean): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const { digits, exp } = shortestDigits(x, single);
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
  const ax = Math.abs(x);
  if (ax < 1e21) return sign + ax.toFixed(prec);
  return sign + BigInt(ax).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
}

/** C's printf("%.<prec>g", x). */
export function printfG(x: number, prec: number): string {
  const sp = cSpecial(x);
  if (sp) return sp;
  const P = prec === 0 ? 1 : prec;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const ax = Math.abs(x);
  if (ax === 0) return sign + '0';
  const e = ax.toExponential(P - 1);
  const X = Number(e.split('e')[1]);
  const strip = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (P > X && X >= -4) return sign + strip(printfF(ax, P - 1 - X));
  const [mant] = e.split('e');
  const ex = Math.abs(X).toString().padStart(2, '0');
  return `${sign}${strip(mant)}e${X < 0 ? '-' : '+'}${ex}`;
}
