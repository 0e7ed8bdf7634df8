// Source reading and the textual layer of the language: .include, MARS's .eqv and
// .macro/.end_macro, and .rept/.endr. Produces the flat list of lines the assembler parses.
import { dirname, resolve, isAbsolute, relative } from 'node:path';
import { AsmError, Diagnostics, type Origin } from './diagnostics.js';
import { isPunct, lexLine, retoken, spanOf, type Token } from './lexer.js';
import { splitLabels } from './parser.js';
import { ExprParser, evaluate } from './expr.js';
import { parseRegister } from './registers.js';

export interface Line {
  toks: Token[];
  origin: Origin;
  /** Index of the command-line source file this line belongs to (its symbol scope). */
  unit: number;
}

export interface SourceInput {
  /** Path as shown in messages. */
  path: string;
  /** The text; when absent the file is read with readFile. */
  text?: string;
}

export interface SourceOptions {
  readFile: (path: string) => string;
  maxIncludeDepth?: number;
  maxMacroDepth?: number;
  /** Most lines the expansion may produce in total (runaway macros, huge .rept). */
  maxLines?: number;
  /** Most macro expansions in total. */
  maxExpansions?: number;
  /** Receives each line as it is produced (instead of collecting them in `lines`). */
  sink?: (line: Line) => void;
}

interface Macro {
  name: string;
  params: string[]; // with their leading %
  body: { toks: Token[]; origin: Origin }[];
  labels: Set<string>;
  def: Token;
}

interface Frame {
  /** Resolved path of the file being read (for .include and cycle detection). */
  abs: string;
  display: string;
}

const DIRECTIVE_NAMES = new Set(['.include', '.macro', '.end_macro', '.endm', '.eqv', '.rept', '.repeat', '.endr']);

interface LineEntry {
  toks: Token[];
  origin: Origin;
}

/** Lines of a file or of a macro expansion; files are lexed line by line as they are read. */
interface LineSource {
  readonly length: number;
  /** keep: the line will be read again (macro bodies, .rept): lex it once and remember. */
  at(i: number, keep: boolean): LineEntry;
}

class ArrayLines implements LineSource {
  constructor(private readonly entries: LineEntry[]) {}
  get length(): number {
    return this.entries.length;
  }
  at(i: number): LineEntry {
    return this.entries[i];
  }
}

class FileLines implements LineSource {
  private readonly cache: (LineEntry | undefined)[] = [];
  constructor(
    private readonly raw: string[],
    private readonly file: string,
    private readonly diags: Diagnostics,
  ) {}
  get length(): number {
    return this.raw.length;
  }
  at(i: number, keep: boolean): LineEntry {
    const got = this.cache[i];
    if (got) return got;
    const origin: Origin = { line: { file: this.file, lineNo: i + 1, text: this.raw[i] } };
    const r = lexLine(this.raw[i], origin);
    for (const e of r.errors) this.diags.fromError(e);
    const entry = { toks: r.tokens, origin };
    if (keep) this.cache[i] = entry;
    return entry;
  }
}

function splitLinesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const OPERATOR_TEXT = new Set(['+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '~', '!', '(']);

/** Splits macro arguments: by top-level commas, else by blanks between complete operands. */
export function splitArgs(toks: Token[]): Token[][] {
  const groups: Token[][] = [];
  let depth = 0;
  let commas = false;
  for (let i = 0, d = 0; i < toks.length && !commas; i++) {
    if (isPunct(toks[i], '(')) d++;
    else if (isPunct(toks[i], ')')) d = Math.max(0, d - 1);
    else if (d === 0 && isPunct(toks[i], ',')) commas = true;
  }
  let cur: Token[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (isPunct(t, '(')) depth++;
    if (isPunct(t, ')')) depth = Math.max(0, depth - 1);
    if (commas) {
      if (isPunct(t, ',') && depth === 0) {
        groups.push(cur);
        cur = [];
        continue;
      }
    } else if (cur.length && t.space && depth === 0 && !isPunct(t, ')')) {
      const prev = cur[cur.length - 1];
      const prevIsOp = prev.kind === 'punct' && OPERATOR_TEXT.has(prev.text);
      const isBinOp = t.kind === 'punct' && OPERATOR_TEXT.has(t.text) && t.text !== '(' && t.text !== '~' && t.text !== '!';
      const startsSigned = (t.text === '-' || t.text === '+') && !!toks[i + 1] && !toks[i + 1].space;
      // `4 ($sp)` stays one argument: a parenthesised register after an operand is its base.
      const isBase = isPunct(t, '(') && toks[i + 1]?.kind === 'reg';
      if (!prevIsOp && (!isBinOp || startsSigned) && !isBase) {
        groups.push(cur);
        cur = [];
      }
    }
    cur.push(t);
  }
  if (cur.length || (commas && groups.length)) groups.push(cur);
  return groups.filter((g, i) => g.length > 0 || i < groups.length - 1);
}


export class SourceReader {
  readonly lines: Line[] = [];
  /** Display names of the files read, in order. */
  readonly files: string[] = [];
  private eqv = new Map<string, Token[]>();
  private macros = new Map<string, Macro[]>();
  private macroCounter = 0;
  /** Lines given to the sink. */
  private count = 0;
  private budgetExceeded = false;
  /** After a runaway expansion (too deep, too many), further macro calls are not expanded. */
  private macrosStopped = false;
  private readonly maxExpansions: number;
  private readonly maxIncludeDepth: number;
  private readonly maxMacroDepth: number;
  private readonly maxLines: number;
  /** Cached file texts (a file included twice is read once). */
  private texts = new Map<string, string>();

  constructor(
    private readonly diags: Diagnostics,
    private readonly opts: SourceOptions,
  ) {
    this.maxIncludeDepth = opts.maxIncludeDepth ?? 16;
    this.maxMacroDepth = opts.maxMacroDepth ?? 64;
    this.maxLines = opts.maxLines ?? 2_000_000;
    this.maxExpansions = opts.maxExpansions ?? 1_000_000;
  }

  /** The expansion stopped early (too many lines or macro expansions); do not assemble. */
  get truncated(): boolean {
    return this.budgetExceeded;
  }

  /** All macro names defined so far (for "did you mean" suggestions). */
  macroNames(): string[] {
    return [...this.macros.keys()];
  }

  /** Reads a command-line source file (unit) and everything it includes. */
  addUnit(input: SourceInput, unit: number): void {
    const abs = resolve(input.path);
    let text = input.text;
    if (text === undefined) {
      try {
        text = this.opts.readFile(abs);
      } catch (e) {
        this.diags.error(`${input.path}: cannot read: ${describeReadError(e)}`);
        return;
      }
    }
    // Each command-line file starts with its own .eqv and macro tables (MARS assembles files
    // separately); .include shares them because it is textual.
    this.eqv = new Map();
    this.macros = new Map();
    this.readText(text, { abs, display: input.path }, [abs], unit, undefined);
  }

  private readText(text: string, frame: Frame, stack: string[], unit: number, _parent?: Origin): void {
    if (!this.files.includes(frame.display)) this.files.push(frame.display);
    const lines = new FileLines(splitLinesOf(text), frame.display, this.diags);
    this.process(lines, 0, lines.length, frame, stack, unit, 0);
  }

  /** Processes lines[from..to): directives of this layer, macro calls, everything else out. */
  private process(lines: LineSource, from: number, to: number, frame: Frame, stack: string[], unit: number, depth: number): void {
    for (let i = from; i < to; i++) {
      if (this.budgetExceeded) return;
      const entry = lines.at(i, false);
      const { origin } = entry;
      let toks = entry.toks;
      if (toks.length === 0) continue;
      try {
        const { labels, next } = splitLabels(toks);
        const head = toks[next];
        const name = head?.kind === 'ident' ? head.text.toLowerCase() : '';
        if (DIRECTIVE_NAMES.has(name)) {
          if (labels.length) this.emit(toks.slice(0, next), origin, unit);
          i = this.directive(name, head, toks.slice(next + 1), lines, i, to, frame, stack, unit, depth);
          continue;
        }
        toks = this.substituteEqv(toks, next);
        // Macro call?
        const call = toks[next];
        if (call?.kind === 'ident') {
          const cands = this.macros.get(call.text) ?? this.macros.get(call.text.toLowerCase());
          if (cands) {
            if (labels.length) this.emit(toks.slice(0, next), origin, unit);
            this.expand(cands, call, toks.slice(next + 1), origin, frame, stack, unit, depth);
            continue;
          }
        }
        this.emit(toks, origin, unit);
      } catch (e) {
        if (!(e instanceof AsmError)) throw e;
        this.diags.fromError(e);
      }
    }
  }

  private emit(toks: Token[], origin: Origin, unit: number): void {
    if (this.lines.length + this.count >= this.maxLines) {
      if (!this.budgetExceeded) {
        this.budgetExceeded = true;
        this.diags.error(`program too large: more than ${this.maxLines} lines after macro and .rept expansion`, spanOf(toks[0]));
      }
      return;
    }
    if (this.opts.sink) {
      this.count++;
      this.opts.sink({ toks, origin, unit });
    } else this.lines.push({ toks, origin, unit });
  }

  private substituteEqv(toks: Token[], labelEnd: number): Token[] {
    if (this.eqv.size === 0) return toks;
    let out: Token[] | null = null;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      const rep = t.kind === 'ident' && i >= labelEnd ? this.eqv.get(t.text) : undefined;
      if (rep) {
        out ??= toks.slice(0, i);
        for (const r of rep) out.push(retoken(r, { col: t.col, end: t.end, origin: t.origin, space: r === rep[0] ? t.space : r.space }));
      } else if (out) out.push(t);
    }
    return out ?? toks;
  }

  private directive(name: string, head: Token, args: Token[], lines: LineSource, i: number, to: number,
    frame: Frame, stack: string[], unit: number, depth: number): number {
    switch (name) {
      case '.include': {
        const f = args[0];
        if (!f || f.kind !== 'str' || args.length > 1) throw new AsmError('expected a file name in double quotes after .include', spanOf(f ?? head));
        const rel = Buffer.from(f.bytes!).toString('utf8');
        const abs = isAbsolute(rel) ? rel : resolve(dirname(frame.abs), rel);
        if (stack.includes(abs)) throw new AsmError(`recursive .include of '${rel}' (it is already being included)`, spanOf(f));
        if (stack.length > this.maxIncludeDepth) throw new AsmError(`.include nested too deeply (more than ${this.maxIncludeDepth} levels)`, spanOf(f));
        let text = this.texts.get(abs);
        if (text === undefined) {
          try {
            text = this.opts.readFile(abs);
          } catch (e) {
            throw new AsmError(`cannot read included file '${rel}': ${describeReadError(e)}`, spanOf(f));
          }
          this.texts.set(abs, text);
        }
        const display = isAbsolute(rel) ? rel : relativeDisplay(frame.display, rel);
        this.readText(text, { abs, display }, [...stack, abs], unit);
        return i;
      }
      case '.eqv': {
        const n = args[0];
        if (!n || n.kind !== 'ident') throw new AsmError('expected a name after .eqv (.eqv NAME value)', spanOf(n ?? head));
        let value = args.slice(1);
        if (isPunct(value[0], ',')) value = value.slice(1);
        if (value.length === 0) throw new AsmError(`expected a value after .eqv ${n.text}`, spanOf(n));
        // Earlier .eqv names inside the value are replaced now.
        this.eqv.set(n.text, this.substituteEqv(value, 0));
        return i;
      }
      case '.macro': return this.defineMacro(head, args, lines, i, to);
      case '.end_macro':
      case '.endm':
        throw new AsmError(`${head.text} without a matching .macro`, spanOf(head));
      case '.endr':
        throw new AsmError('.endr without a matching .rept', spanOf(head));
      default: { // .rept / .repeat
        let end = -1, nest = 0;
        for (let j = i + 1; j < to; j++) {
          const w = firstWord(lines.at(j, true).toks);
          if (w === '.rept' || w === '.repeat') nest++;
          else if (w === '.endr') {
            if (nest === 0) { end = j; break; }
            nest--;
          }
        }
        if (end < 0) throw new AsmError(`${head.text} without a matching .endr`, spanOf(head));
        const p = new ExprParser(this.substituteEqv(args, 0), 0, false);
        if (args.length === 0) throw new AsmError(`expected a repeat count after ${head.text}`, spanOf(head));
        const e = p.parse();
        const v = evaluate(e, () => null);
        if (v === null) throw new AsmError(`the count of ${head.text} must be a constant`, spanOf(args[0]));
        if (v < 0n || v > 1_000_000n) throw new AsmError(`${head.text} count ${v} is out of range (0..1000000)`, spanOf(args[0]));
        // Refuse before expanding when the (nested) repetition is sure to exceed the budget.
        const size = Number(v) * this.reptSize(lines, i + 1, end);
        if (size + this.count + this.lines.length > this.maxLines) {
          this.budgetExceeded = true;
          throw new AsmError(`${head.text} would produce about ${size.toExponential(1)} lines (the limit is ${this.maxLines})`, spanOf(head));
        }
        for (let k = 0n; k < v && !this.budgetExceeded; k++) this.process(lines, i + 1, end, frame, stack, unit, depth);
        return end;
      }
    }
  }

  /** Lines a .rept body produces (nested .rept counted with their counts; macros as one line). */
  private reptSize(lines: LineSource, from: number, to: number): number {
    let size = 0;
    const mult: number[] = [1];
    for (let j = from; j < to; j++) {
      const toks = lines.at(j, true).toks;
      const w = firstWord(toks);
      if (w === '.rept' || w === '.repeat') {
        const { next } = splitLabels(toks);
        let n = 1;
        try {
          const v = evaluate(new ExprParser(toks, next + 1, false).parse(), () => null);
          if (v !== null && v >= 0n) n = Number(v > 1_000_000n ? 1_000_000n : v);
        } catch {
          // a bad count is reported when the nested .rept is reached
        }
        mult.push(mult[mult.length - 1] * n);
      } else if (w === '.endr') {
        if (mult.length > 1) mult.pop();
      } else if (toks.length) size += mult[mult.length - 1];
      if (size > 1e15) break;
    }
    return size;
  }

  private defineMacro(head: Token, args: Token[], lines: LineSource, i: number, to: number): number {
    const nameTok = args[0];
    if (!nameTok || nameTok.kind !== 'ident') throw new AsmError('expected a macro name after .macro', spanOf(nameTok ?? head));
    let rest = args.slice(1);
    if (isPunct(rest[0], '(')) {
      if (!isPunct(rest[rest.length - 1], ')')) throw new AsmError("expected ')' at the end of the parameter list", spanOf(rest[rest.length - 1]));
      rest = rest.slice(1, -1);
    }
    const params: string[] = [];
    for (const t of rest) {
      if (isPunct(t, ',')) continue;
      // %name, or SPIM-style $name that is not a register (MARS accepts both).
      const spimStyle = t.kind === 'reg' && parseRegister(t.text) === null;
      if (t.kind !== 'pct' && !spimStyle) throw new AsmError(`expected a macro parameter like %arg, found '${t.text}'`, spanOf(t));
      if (params.includes(t.text)) throw new AsmError(`parameter ${t.text} appears twice`, spanOf(t));
      params.push(t.text);
    }
    // Collect the body up to .end_macro (no nested definitions, as in MARS).
    let end = -1;
    for (let j = i + 1; j < to; j++) {
      const lj = lines.at(j, true);
      const { next } = splitLabels(lj.toks);
      const w = lj.toks[next];
      const wn = w?.kind === 'ident' ? w.text.toLowerCase() : '';
      if (wn === '.end_macro' || wn === '.endm') { end = j; break; }
      if (wn === '.macro') {
        throw new AsmError('a .macro cannot be defined inside another .macro (missing .end_macro?)', spanOf(w!),
          [{ message: `macro '${nameTok.text}' starts here`, span: spanOf(nameTok) }]);
      }
    }
    if (end < 0) throw new AsmError(`.macro ${nameTok.text} has no matching .end_macro`, spanOf(nameTok));
    const body: LineEntry[] = [];
    for (let j = i + 1; j < end; j++) body.push(lines.at(j, true));
    const labels = new Set<string>();
    for (const b of body) for (const l of splitLabels(b.toks).labels) labels.add(l.name);
    const m: Macro = { name: nameTok.text, params, body, labels, def: nameTok };
    const list = this.macros.get(m.name) ?? [];
    const same = list.findIndex((x) => x.params.length === params.length);
    if (same >= 0) list[same] = m; // redefinition replaces (MARS allows overloading by count)
    else list.push(m);
    this.macros.set(m.name, list);
    return end;
  }

  private expand(cands: Macro[], call: Token, argToks: Token[], origin: Origin, frame: Frame, stack: string[], unit: number, depth: number): void {
    let inner = argToks;
    if (isPunct(inner[0], '(') && isPunct(inner[inner.length - 1], ')') && matchingParen(inner, 0) === inner.length - 1) inner = inner.slice(1, -1);
    const args = inner.length ? splitArgs(inner) : [];
    const m = cands.find((c) => c.params.length === args.length);
    if (!m) {
      const counts = cands.map((c) => c.params.length).sort((a, b) => a - b).join(' or ');
      throw new AsmError(`macro '${call.text}' takes ${counts} argument${counts === '1' ? '' : 's'}, found ${args.length}`, spanOf(call, argToks[argToks.length - 1] ?? call),
        cands.map((c) => ({ message: `'${c.name}' is defined here with ${c.params.length} parameter${c.params.length === 1 ? '' : 's'}`, span: spanOf(c.def) })));
    }
    if (this.macrosStopped) return;
    if (depth >= this.maxMacroDepth) {
      this.macrosStopped = true;
      throw new AsmError(`macro expansion nested too deeply (more than ${this.maxMacroDepth} levels); does '${m.name}' call itself?`, spanOf(call));
    }
    if (this.macroCounter >= this.maxExpansions) {
      this.macrosStopped = true;
      this.budgetExceeded = true;
      throw new AsmError(`too many macro expansions (more than ${this.maxExpansions}); does '${m.name}' expand without end?`, spanOf(call));
    }
    const id = this.macroCounter++;
    const subst = new Map<string, Token[]>(m.params.map((p, k) => [p, args[k]]));
    const callOrigin = origin;
    const expanded = m.body.map((b) => {
      const o: Origin = { line: b.origin.line, expandedFrom: { macro: m.name, at: callOrigin, col: call.col } };
      const out: Token[] = [];
      const { next } = splitLabels(b.toks);
      b.toks.forEach((t, k) => {
        const rep = t.kind === 'pct' || t.kind === 'reg' ? subst.get(t.text) : undefined;
        if (rep) {
          rep.forEach((r, ri) => out.push(retoken(r, { space: ri === 0 ? t.space : r.space })));
          return;
        }
        if (t.kind === 'ident' && m.labels.has(t.text) && k !== next) {
          out.push(retoken(t, { text: `${t.text}_M${id}`, origin: o }));
          return;
        }
        out.push(retoken(t, { origin: o }));
      });
      return { toks: out, origin: o };
    });
    this.process(new ArrayLines(expanded), 0, expanded.length, frame, stack, unit, depth + 1);
  }
}

function matchingParen(toks: Token[], open: number): number {
  let d = 0;
  for (let i = open; i < toks.length; i++) {
    if (isPunct(toks[i], '(')) d++;
    else if (isPunct(toks[i], ')') && --d === 0) return i;
  }
  return -1;
}

function firstWord(toks: Token[]): string {
  const { next } = splitLabels(toks);
  const t = toks[next];
  return t?.kind === 'ident' ? t.text.toLowerCase() : '';
}

function relativeDisplay(includer: string, rel: string): string {
  const d = dirname(includer);
  const joined = d === '.' ? rel : `${d}/${rel}`;
  const r = relative('.', resolve(joined));
  return r.startsWith('..') || isAbsolute(r) ? joined : r || joined;
}

function describeReadError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (e as Error)?.message ?? String(e);
}
