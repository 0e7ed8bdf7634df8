// Register names: $0..$31 and the o32 ABI names for GPRs, $f0..$f31 for FPRs, $fcc0..$fcc7 for
// FP condition codes.

export type RegClass = 'gpr' | 'num' | 'fpr' | 'cc';

export interface RegInfo {
  cls: RegClass; // gpr: symbolic GPR name; num: $0..$31 (a GPR, or a coprocessor register number)
  n: number;
}

const ABI = [
  'zero', 'at', 'v0', 'v1', 'a0', 'a1', 'a2', 'a3',
  't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7',
  's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7',
  't8', 't9', 'k0', 'k1', 'gp', 'sp', 'fp', 'ra',
];
const GPR_BY_NAME = new Map<string, number>(ABI.map((n, i) => [n, i]));
GPR_BY_NAME.set('s8', 30);

export const REGISTER_NAMES: string[] = [...ABI.map((n) => '$' + n), '$s8'];

const cache = new Map<string, RegInfo | null>();

/** Decodes a register token's text (with its `$`), or null if it names no register. */
export function parseRegister(text: string): RegInfo | null {
  let r = cache.get(text);
  if (r === undefined) {
    r = decode(text);
    if (cache.size < 4096) cache.set(text, r);
  }
  return r;
}

function decode(text: string): RegInfo | null {
  const name = text.slice(1).toLowerCase();
  if (/^[0-9]+$/.test(name)) {
    const n = Number(name);
    return n < 32 && name.length <= 2 ? { cls: 'num', n } : null;
  }
  const g = GPR_BY_NAME.get(name);
  if (g !== undefined) return { cls: 'gpr', n: g };
  let m = /^f([0-9]{1,2})$/.exec(name);
  if (m && Number(m[1]) < 32) return { cls: 'fpr', n: Number(m[1]) };
  m = /^fcc([0-7])$/.exec(name);
  if (m) return { cls: 'cc', n: Number(m[1]) };
  return null;
}

export function gprName(n: number): string {
  return '$' + ABI[n];
}
