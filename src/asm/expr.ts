// Expressions in immediates, addresses and data: integers, characters, symbols, the C
// operators + - * / % << >> & | ^ ~ ! with C precedence, parentheses, and %hi()/%lo().
// Values are computed exactly (BigInt) and wrapped to 32 bits where they are used.
import { AsmError, type Span } from './diagnostics.js';
import { isPunct, spanOf, type Token } from './lexer.js';

export type Expr =
  | { k: 'num'; v: bigint; tok: Token }
  | { k: 'sym'; name: string; tok: Token }
  | { k: 'un'; op: string; a: Expr; tok: Token }
  | { k: 'bin'; op: string; a: Expr; b: Expr; tok: Token }
  | { k: 'fn'; fn: 'hi' | 'lo' | 'higher' | 'highest'; a: Expr; tok: Token; close: Token };

/** First and last token of an expression, for carets under the whole thing. */
export function exprSpan(e: Expr): Span {
  return spanOf(firstTok(e), lastTok(e));
}

function firstTok(e: Expr): Token {
  switch (e.k) {
    case 'bin': return firstTok(e.a);
    default: return e.tok;
  }
}

function lastTok(e: Expr): Token {
  switch (e.k) {
    case 'num': case 'sym': return e.tok;
    case 'un': return lastTok(e.a);
    case 'bin': return lastTok(e.b);
    case 'fn': return e.close;
  }
}

const BINARY_LEVELS: string[][] = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

/** Recursive-descent expression parser over a statement's tokens. */
/** Largest expression (nodes): evaluation is recursive, so trees stay small. */
export const MAX_EXPR_NODES = 2000;

export class ExprParser {
  pos: number;
  private depth = 0;
  private nodes = 0;
  constructor(
    readonly toks: Token[],
    start: number,
    /** SPIM style: without commas, ` -1` (blank before, none after) starts a new operand. */
    readonly blankSeparates: boolean,
  ) {
    this.pos = start;
  }

  peek(o = 0): Token | undefined {
    return this.toks[this.pos + o];
  }

  parse(): Expr {
    return this.binary(0);
  }

  private binary(level: number): Expr {
    if (level === BINARY_LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (!t || t.kind !== 'punct' || !BINARY_LEVELS[level].includes(t.text)) return left;
      if (this.blankSeparates && (t.text === '-' || t.text === '+') && t.space) {
        const nx = this.peek(1);
        if (nx && !nx.space) return left; // `.word 1 -1` is two words, as in SPIM
      }
      this.pos++;
      if (++this.nodes > MAX_EXPR_NODES) throw new AsmError(`expression is too long (more than ${MAX_EXPR_NODES} operators)`, spanOf(t));
      const right = this.binary(level + 1);
      left = { k: 'bin', op: t.text, a: left, b: right, tok: t };
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (t && t.kind === 'punct' && (t.text === '-' || t.text === '+' || t.text === '~' || t.text === '!')) {
      this.pos++;
      if (++this.depth > 200) throw new AsmError('expression is nested too deeply', spanOf(t));
      const a = this.unary();
      this.depth--;
      return { k: 'un', op: t.text, a, tok: t };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.peek();
    if (!t) {
      const last = this.toks[this.toks.length - 1];
      throw new AsmError('expected an expression at the end of the line', last ? { origin: last.origin, col: last.end, end: last.end + 1 } : undefined);
    }
    if (t.kind === 'int') {
      this.pos++;
      return { k: 'num', v: t.int!, tok: t };
    }
    if (t.kind === 'ident') {
      this.pos++;
      return { k: 'sym', name: t.text, tok: t };
    }
    if (t.kind === 'pct') {
      const fn = t.text.slice(1).toLowerCase();
      if (fn !== 'hi' && fn !== 'lo' && fn !== 'higher' && fn !== 'highest') {
        throw new AsmError(`unknown operator '${t.text}' (expected %hi or %lo)`, spanOf(t));
      }
      this.pos++;
      if (!isPunct(this.peek(), '(')) throw new AsmError(`expected '(' after ${t.text}`, spanOf(this.peek() ?? t));
      this.pos++;
      const a = this.nested();
      const close = this.peek();
      if (!isPunct(close, ')')) throw new AsmError(`expected ')' to close ${t.text}(`, spanOf(close ?? t));
      this.pos++;
      return { k: 'fn', fn, a, tok: t, close: close! };
    }
    if (isPunct(t, '(')) {
      this.pos++;
      const e = this.nested();
      const close = this.peek();
      if (!isPunct(close, ')')) throw new AsmError("expected ')' to close this '('", spanOf(close ?? t), close ? [{ message: "the '(' is here", span: spanOf(t) }] : []);
      this.pos++;
      return e;
    }
    if (t.kind === 'float') throw new AsmError(`expected an integer, found the floating-point number '${t.text}'`, spanOf(t));
    if (t.kind === 'reg') throw new AsmError(`expected an expression, found the register '${t.text}'`, spanOf(t));
    if (t.kind === 'str') throw new AsmError('expected an expression, found a string', spanOf(t));
    throw new AsmError(`expected an expression, found '${t.text}'`, spanOf(t));
  }

  private nested(): Expr {
    if (++this.depth > 200) throw new AsmError('expression is nested too deeply', spanOf(this.peek() ?? this.toks[this.pos - 1]));
    // Inside parentheses blanks never separate operands.
    const inner = new ExprParser(this.toks, this.pos, false);
    inner.depth = this.depth;
    inner.nodes = this.nodes;
    const e = inner.parse();
    this.pos = inner.pos;
    this.nodes = inner.nodes;
    this.depth--;
    return e;
  }
}

/** Looks a symbol up: its value, or null if not known (yet). */
export type Resolver = (name: string, tok: Token) => bigint | null;

const MASK64 = (1n << 64n) - 1n;
const clamp = (v: bigint) => BigInt.asIntN(64, v & MASK64);

/** Evaluates an expression; null when some symbol is not known. */
export function evaluate(e: Expr, resolve: Resolver): bigint | null {
  switch (e.k) {
    case 'num': return e.v;
    case 'sym': return resolve(e.name, e.tok);
    case 'un': {
      const a = evaluate(e.a, resolve);
      if (a === null) return null;
      switch (e.op) {
        case '-': return clamp(-a);
        case '+': return a;
        case '~': return clamp(~a);
        default: return a === 0n ? 1n : 0n;
      }
    }
    case 'fn': {
      const a = evaluate(e.a, resolve);
      if (a === null) return null;
      const v = BigInt.asUintN(64, a);
      switch (e.fn) {
        case 'lo': return BigInt.asIntN(16, v);
        case 'hi': return BigInt.asUintN(16, (v + 0x8000n) >> 16n); // for lui: 0..0xffff
        case 'higher': return BigInt.asIntN(16, (v + 0x80008000n) >> 32n);
        default: return BigInt.asIntN(16, (v + 0x800080008000n) >> 48n);
      }
    }
    case 'bin': {
      const a = evaluate(e.a, resolve);
      const b = evaluate(e.b, resolve);
      if (a === null || b === null) return null;
      switch (e.op) {
        case '+': return clamp(a + b);
        case '-': return clamp(a - b);
        case '*': return clamp(a * b);
        case '/':
        case '%':
          if (b === 0n) throw new AsmError('division by zero in expression', spanOf(e.tok));
          return clamp(e.op === '/' ? a / b : a % b);
        case '<<':
        case '>>':
          if (b < 0n || b > 63n) throw new AsmError(`shift count ${b} is out of range (0..63)`, exprSpan(e.b));
          return clamp(e.op === '<<' ? a << b : a >> b);
        case '&': return a & b;
        case '|': return a | b;
        default: return a ^ b;
      }
    }
  }
}

/** True for %hi(...)/%lo(...): unknown in pass 1 but sure to fit a 16-bit field. */
export function isHalfword(e: Expr): boolean {
  return e.k === 'fn';
}

/** All symbol names an expression mentions. */
export function symbolsOf(e: Expr, out: Token[] = []): Token[] {
  switch (e.k) {
    case 'sym': out.push(e.tok); break;
    case 'un': case 'fn': symbolsOf(e.a, out); break;
    case 'bin': symbolsOf(e.a, out); symbolsOf(e.b, out); break;
  }
  return out;
}

/** Wraps a value to 32 bits; out-of-range values are an error (say what was expected). */
export function toWord(v: bigint, e: Expr, what = 'value'): number {
  if (v < -(1n << 31n) || v >= 1n << 32n) {
    throw new AsmError(`${what} ${v} does not fit in 32 bits`, exprSpan(e));
  }
  return Number(BigInt.asIntN(32, v));
}
