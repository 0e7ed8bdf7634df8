// Parses a line's tokens into a statement: labels, then an instruction or directive with its
// operands, or a SPIM constant definition `name = expr`.
import { AsmError, type Origin, type Span } from './diagnostics.js';
import { ExprParser, exprSpan, type Expr } from './expr.js';
import { isPunct, spanOf, type Token } from './lexer.js';
import { parseRegister, type RegInfo } from './registers.js';

export interface Label {
  name: string;
  tok: Token;
}

export type Operand =
  | { k: 'reg'; reg: RegInfo; tok: Token; span: Span }
  | { k: 'expr'; e: Expr; span: Span }
  | { k: 'mem'; off: Expr | null; base: RegInfo; baseTok: Token; span: Span }
  | { k: 'imem'; index: RegInfo; base: RegInfo; indexTok: Token; baseTok: Token; span: Span }
  | { k: 'str'; bytes: Uint8Array; tok: Token; span: Span }
  | { k: 'float'; v: number; span: Span }
  | { k: 'repeat'; item: Operand; count: Expr; span: Span };

export interface Stmt {
  labels: Label[];
  /** Mnemonic or directive, lower-cased; absent on label-only and empty lines. */
  op?: { name: string; tok: Token };
  operands: Operand[];
  /** SPIM `name = expr`. */
  assign?: { name: string; tok: Token; e: Expr };
  origin: Origin;
  /** All tokens of the line (for diagnostics and the listing). */
  toks: Token[];
}

function joinSpan(a: Span, b: Span): Span {
  return a.origin === b.origin ? { origin: a.origin, col: a.col, end: Math.max(a.end, b.end) } : a;
}

export function regOf(t: Token): RegInfo {
  const r = parseRegister(t.text);
  if (!r) throw new AsmError(`unknown register '${t.text}' (expected $0..$31, a name like $t0 or $sp, or $f0..$f31)`, spanOf(t));
  return r;
}

/** Parses one operand starting at p.pos; leaves p.pos after it. */
function parseOperand(p: ExprParser): Operand {
  const t = p.peek()!;
  // Registers, and indexed memory operands: $t1($t2)
  if (t.kind === 'reg') {
    const reg = regOf(t);
    p.pos++;
    if (isPunct(p.peek(), '(') && p.peek(1)?.kind === 'reg' && isPunct(p.peek(2), ')')) {
      const bt = p.peek(1)!;
      const base = regOf(bt);
      const close = p.peek(2)!;
      p.pos += 3;
      return { k: 'imem', index: reg, base, indexTok: t, baseTok: bt, span: spanOf(t, close) };
    }
    return { k: 'reg', reg, tok: t, span: spanOf(t) };
  }
  if (t.kind === 'str') {
    p.pos++;
    return { k: 'str', bytes: t.bytes!, tok: t, span: spanOf(t) };
  }
  // Floating-point literals (for .float/.double/li.s): [+-]float
  {
    let o = 0;
    let neg = false;
    const s = p.peek();
    if (s && s.kind === 'punct' && (s.text === '-' || s.text === '+')) {
      neg = s.text === '-';
      o = 1;
    }
    const f = p.peek(o);
    if (f && f.kind === 'float') {
      p.pos += o + 1;
      return { k: 'float', v: neg ? -f.num! : f.num!, span: spanOf(t, f) };
    }
  }
  // (base)
  if (isPunct(t, '(') && p.peek(1)?.kind === 'reg') {
    const bt = p.peek(1)!;
    const close = p.peek(2);
    if (!isPunct(close, ')')) throw new AsmError(`expected ')' after the base register ${bt.text}`, spanOf(close ?? bt));
    p.pos += 3;
    return { k: 'mem', off: null, base: regOf(bt), baseTok: bt, span: spanOf(t, close!) };
  }
  const e = p.parse();
  const after = p.peek();
  if (isPunct(after, '(')) {
    const bt = p.peek(1);
    if (!bt || bt.kind !== 'reg') {
      throw new AsmError('expected a base register in parentheses, like 8($sp)', spanOf(bt ?? after!));
    }
    const close = p.peek(2);
    if (!isPunct(close, ')')) throw new AsmError(`expected ')' after the base register ${bt.text}`, spanOf(close ?? bt));
    p.pos += 3;
    return { k: 'mem', off: e, base: regOf(bt), baseTok: bt, span: joinSpan(exprSpan(e), spanOf(close!)) };
  }
  return { k: 'expr', e, span: exprSpan(e) };
}

/** Parses the operand list toks[start..]; operands are separated by commas or (SPIM) blanks. */
export function parseOperands(toks: Token[], start: number): Operand[] {
  const hasCommas = toks.slice(start).some((t) => isPunct(t, ','));
  const p = new ExprParser(toks, start, !hasCommas);
  const ops: Operand[] = [];
  while (p.pos < toks.length) {
    const t = p.peek()!;
    if (isPunct(t, ',')) {
      if (ops.length === 0 || isPunct(toks[p.pos - 1], ',')) throw new AsmError("unexpected ',' (missing operand?)", spanOf(t));
      p.pos++;
      continue;
    }
    let op = parseOperand(p);
    if (isPunct(p.peek(), ':') && op.k !== 'reg' && op.k !== 'mem' && op.k !== 'imem') {
      const colon = p.peek()!;
      p.pos++;
      if (p.pos >= toks.length) throw new AsmError("expected a repeat count after ':'", spanOf(colon));
      const count = p.parse();
      op = { k: 'repeat', item: op, count, span: joinSpan(op.span, exprSpan(count)) };
    }
    ops.push(op);
    const nx = p.peek();
    if (nx && !isPunct(nx, ',') && !nx.space && hasCommas) {
      throw new AsmError(`unexpected '${nx.text}' after operand`, spanOf(nx));
    }
  }
  return ops;
}

/** Leading `label:` definitions of a line; returns them and the index after them. */
export function splitLabels(toks: Token[]): { labels: Label[]; next: number } {
  const labels: Label[] = [];
  let i = 0;
  while (toks[i]?.kind === 'ident' && isPunct(toks[i + 1], ':')) {
    labels.push({ name: toks[i].text, tok: toks[i] });
    i += 2;
  }
  return { labels, next: i };
}

export function parseStatement(toks: Token[], origin: Origin): Stmt {
  const { labels, next } = splitLabels(toks);
  const stmt: Stmt = { labels, operands: [], origin, toks };
  let i = next;
  const t = toks[i];
  if (!t) return stmt;
  if (t.kind === 'ident' && isPunct(toks[i + 1], '=')) {
    if (i + 2 >= toks.length) throw new AsmError(`expected a value after '${t.text} ='`, spanOf(toks[i + 1]));
    const p = new ExprParser(toks, i + 2, false);
    const e = p.parse();
    if (p.pos < toks.length) throw new AsmError(`unexpected '${toks[p.pos].text}' after the value of ${t.text}`, spanOf(toks[p.pos]));
    stmt.assign = { name: t.text, tok: t, e };
    return stmt;
  }
  if (t.kind !== 'ident') {
    if (t.kind === 'int' && isPunct(toks[i + 1], ':')) {
      throw new AsmError(`a label cannot start with a digit ('${t.text}:')`, spanOf(t));
    }
    throw new AsmError(`expected an instruction, a directive or a label, found '${t.text}'`, spanOf(t));
  }
  stmt.op = { name: t.text.toLowerCase(), tok: t };
  i++;
  stmt.operands = parseOperands(toks, i);
  return stmt;
}
