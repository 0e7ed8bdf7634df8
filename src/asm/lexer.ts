// Lexer: turns one source line into tokens. Assembly is line oriented, so every token knows
// its line (for diagnostics) and whether whitespace precedes it (SPIM separates operands by
// blanks as well as commas: `li $v0 4`, `.word 1 -1`).
import { AsmError, type Origin, type Span } from './diagnostics.js';

export type TokKind = 'ident' | 'reg' | 'int' | 'float' | 'str' | 'pct' | 'punct';

export interface Token {
  kind: TokKind;
  text: string;
  /** int: the literal's value (char literals too); unbounded, range-checked where used. */
  int?: bigint;
  /** float: the literal's value. */
  num?: number;
  /** str: the string's bytes (escapes decoded, UTF-8). */
  bytes?: Uint8Array;
  col: number;
  end: number;
  /** Whitespace (or the start of the line) precedes this token. */
  space: boolean;
  origin: Origin;
}

/** Tokens are created in large numbers: one class keeps them small and monomorphic. */
class Tok implements Token {
  constructor(
    public kind: TokKind,
    public text: string,
    public int: bigint | undefined,
    public num: number | undefined,
    public bytes: Uint8Array | undefined,
    public col: number,
    public end: number,
    public space: boolean,
    public origin: Origin,
  ) {}
}

/** A copy of a token with some properties changed (macro and .eqv substitution). */
export function retoken(t: Token, changes: Partial<Token>): Token {
  const c = new Tok(t.kind, t.text, t.int, t.num, t.bytes, t.col, t.end, t.space, t.origin);
  return Object.assign(c, changes);
}

export function spanOf(t: Token, last: Token = t): Span {
  return { origin: t.origin, col: t.col, end: last.origin === t.origin ? Math.max(last.end, t.col + 1) : t.end };
}

// Character classes by code (the lexer runs over every byte of the program).
const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46;
const isIdentChar = (c: number) => isIdentStart(c) || isDigit(c);
const IDENT_START = { test: (s: string | undefined) => !!s && isIdentStart(s.charCodeAt(0)) };
const PUNCT2 = new Set(['<<', '>>']);
const PUNCT1 = new Set([',', '(', ')', ':', '+', '-', '*', '/', '%', '&', '|', '^', '~', '=', '!', '[', ']']);

const enc = new TextEncoder();

/** Decodes one escape at s[i] (just after the backslash); returns the code and the next index. */
function escape(s: string, i: number): { code: number; next: number } | null {
  const c = s[i];
  if (c === undefined) return null;
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, '"': 34, "'": 39, a: 7, b: 8, f: 12, v: 11, e: 27 };
  if (/[0-7]/.test(c)) {
    let j = i, v = 0;
    while (j < s.length && j < i + 3 && /[0-7]/.test(s[j])) v = v * 8 + Number(s[j++]);
    return { code: v & 0xff, next: j };
  }
  if (c in simple) return { code: simple[c], next: i + 1 };
  if (c === 'x') {
    let j = i + 1, v = 0;
    while (j < s.length && j < i + 3 && /[0-9a-fA-F]/.test(s[j])) v = v * 16 + parseInt(s[j++], 16);
    if (j === i + 1) return null;
    return { code: v, next: j };
  }
  return null;
}

export interface LexResult {
  tokens: Token[];
  errors: AsmError[];
}

/** Tokenizes `text` (one line, without its newline). Comments (`#` to end of line) are dropped. */
export function lexLine(text: string, origin: Origin): LexResult {
  const tokens: Token[] = [];
  const errors: AsmError[] = [];
  const n = text.length;
  let i = 0;
  let space = true;
  const err = (msg: string, col: number, end: number) => errors.push(new AsmError(msg, { origin, col, end }));
  const push = (t: Omit<Token, 'origin' | 'space'>) => {
    tokens.push(new Tok(t.kind, t.text, t.int, t.num, t.bytes, t.col, t.end, space, origin));
    space = false;
  };
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      space = true;
      continue;
    }
    if (c === '#') break;
    const start = i;
    if (c === '"') {
      const bytes: number[] = [];
      i++;
      let closed = false;
      while (i < n) {
        const ch = text[i];
        if (ch === '"') { closed = true; i++; break; }
        if (ch === '\\') {
          const e = escape(text, i + 1);
          if (!e) {
            err(`unknown escape sequence '\\${text[i + 1] ?? ''}' in string`, i, Math.min(i + 2, n));
            i += 2;
            continue;
          }
          bytes.push(e.code & 0xff);
          i = e.next;
          continue;
        }
        // Sources are read as latin1, so each character below 256 is one byte of the file
        // (UTF-8 text passes through unchanged); wider characters are encoded as UTF-8.
        const cp = text.codePointAt(i)!;
        const s = String.fromCodePoint(cp);
        if (cp < 256) bytes.push(cp);
        else for (const b of enc.encode(s)) bytes.push(b);
        i += s.length;
      }
      if (!closed) err('missing closing quote (") of this string', start, n);
      push({ kind: 'str', text: text.slice(start, i), bytes: Uint8Array.from(bytes), col: start, end: i });
      continue;
    }
    if (c === "'") {
      i++;
      let code: number | null = null;
      if (text[i] === '\\') {
        const e = escape(text, i + 1);
        if (e) { code = e.code; i = e.next; } else i += 2;
      } else if (i < n && text[i] !== "'") {
        const cp = text.codePointAt(i)!;
        code = cp;
        i += String.fromCodePoint(cp).length;
      }
      if (text[i] !== "'" || code === null) {
        // Not a character literal: report and skip to the closing quote, if any.
        const close = text.indexOf("'", start + 1);
        const end = close > start ? close + 1 : n;
        err("bad character literal (expected one character between single quotes, like 'a' or '\\n')", start, end);
        i = end;
        continue;
      }
      i++;
      push({ kind: 'int', text: text.slice(start, i), int: BigInt(code), col: start, end: i });
      continue;
    }
    const cc = text.charCodeAt(i);
    if (isDigit(cc) || (cc === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let j = i;
      while (j < n && /[0-9A-Za-z_.]/.test(text[j])) {
        // allow a sign right after an exponent: 1e-5
        if ((text[j] === 'e' || text[j] === 'E') && /[+-]/.test(text[j + 1] ?? '') && !/^0[xX]/.test(text.slice(i, j + 1))) j += 2;
        else j++;
      }
      const lit = text.slice(i, j);
      const clean = lit.replace(/_/g, '');
      let tok: Omit<Token, 'origin' | 'space'> | null = null;
      if (/^0[xX][0-9a-fA-F]+$/.test(clean)) tok = { kind: 'int', text: lit, int: BigInt(clean), col: i, end: j };
      else if (/^0[bB][01]+$/.test(clean)) tok = { kind: 'int', text: lit, int: BigInt(clean), col: i, end: j };
      else if (/^0[oO]?[0-7]+$/.test(clean)) tok = { kind: 'int', text: lit, int: BigInt('0o' + clean.replace(/^0[oO]?/, '')), col: i, end: j };
      else if (/^[0-9]+$/.test(clean)) tok = { kind: 'int', text: lit, int: BigInt(clean), col: i, end: j };
      else if (/^([0-9]+\.[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(clean) || /^[0-9]+[eE][+-]?[0-9]+$/.test(clean)) {
        tok = { kind: 'float', text: lit, num: Number(clean), col: i, end: j };
      }
      if (!tok) {
        err(`bad number '${lit}' (expected decimal, 0x hex, 0b binary, 0 octal or a decimal fraction like 1.5)`, i, j);
        tok = { kind: 'int', text: lit, int: 0n, col: i, end: j };
      }
      push(tok);
      i = j;
      continue;
    }
    if (isIdentStart(cc)) {
      let j = i + 1;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      push({ kind: 'ident', text: text.slice(i, j), col: i, end: j });
      i = j;
      continue;
    }
    if (c === '$') {
      let j = i + 1;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      push({ kind: 'reg', text: text.slice(i, j), col: i, end: j });
      i = j;
      continue;
    }
    if (c === '%' && IDENT_START.test(text[i + 1] ?? '')) {
      let j = i + 2;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      push({ kind: 'pct', text: text.slice(i, j), col: i, end: j });
      i = j;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.has(two)) {
      push({ kind: 'punct', text: two, col: i, end: i + 2 });
      i += 2;
      continue;
    }
    if (PUNCT1.has(c)) {
      push({ kind: 'punct', text: c, col: i, end: i + 1 });
      i++;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const shown = cp < 32 || cp === 127 ? `\\x${cp.toString(16).padStart(2, '0')}` : ch;
    err(`unexpected character '${shown}'`, i, i + ch.length);
    i += ch.length;
    space = true;
  }
  return { tokens, errors };
}

export const isPunct = (t: Token | undefined, p: string): boolean => !!t && t.kind === 'punct' && t.text === p;
