// Assembler diagnostics: errors and warnings with a source position, printed as
//   file:line:col: error: message
//      12 |     add $t0, $t1, 5x
//         |                   ^~
// plus optional notes (macro expansion sites, other uses of an undefined label, ...).

/** One physical line of a source file. */
export interface SourceLine {
  file: string; // path as the user named it (relative paths stay relative)
  lineNo: number; // 1-based
  text: string;
}

/** Where a token or statement came from: a source line, and for macro bodies the call sites. */
export interface Origin {
  line: SourceLine;
  /** Set for lines produced by a macro expansion: the invocation that produced them. */
  expandedFrom?: { macro: string; at: Origin; col: number };
}

export interface Span {
  origin: Origin;
  col: number; // 0-based
  end: number; // exclusive, >= col
}

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  severity: Severity;
  message: string;
  span?: Span;
  notes: { message: string; span?: Span }[];
}

/** Thrown inside the assembler for an error at one place; caught per statement. */
export class AsmError extends Error {
  constructor(
    message: string,
    readonly span?: Span,
    readonly notes: { message: string; span?: Span }[] = [],
  ) {
    super(message);
  }
}

export class Diagnostics {
  readonly list: Diagnostic[] = [];
  errorCount = 0;
  warningCount = 0;
  /** Errors beyond this many are counted but not kept (token soup can produce millions). */
  constructor(readonly maxKept = 500) {}

  add(d: Diagnostic): void {
    if (d.severity === 'error') this.errorCount++;
    else if (d.severity === 'warning') this.warningCount++;
    if (this.list.length < this.maxKept) this.list.push(d);
  }

  error(message: string, span?: Span, notes: { message: string; span?: Span }[] = []): void {
    this.add({ severity: 'error', message, span, notes });
  }

  warning(message: string, span?: Span, notes: { message: string; span?: Span }[] = []): void {
    this.add({ severity: 'warning', message, span, notes });
  }

  fromError(e: AsmError): void {
    this.error(e.message, e.span, e.notes);
  }

  get dropped(): number {
    return this.errorCount + this.warningCount - this.list.filter((d) => d.severity !== 'note').length;
  }
}

export interface FormatOptions {
  color?: boolean;
  /** Print warnings too (default true). */
  warnings?: boolean;
}

const paint = (on: boolean, code: string, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

/** Replaces tabs so the caret line lines up with the echoed source (tab stops of 8). */
function expandTabs(text: string, col: number, end: number): { text: string; col: number; end: number } {
  let out = '';
  let c = col, e = end;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\t') {
      const n = 8 - (out.length % 8);
      if (i < col) c += n - 1;
      if (i < end) e += n - 1;
      out += ' '.repeat(n);
    } else out += text[i];
  }
  return { text: out, col: c, end: e };
}

function location(span: Span): string {
  return `${span.origin.line.file}:${span.origin.line.lineNo}:${span.col + 1}`;
}

function excerpt(span: Span, color: boolean, caretCode: string): string[] {
  const raw = span.origin.line.text.replace(/\r$/, '');
  const shown = raw.length > 240 ? raw.slice(0, 240) + '...' : raw;
  const { text, col, end } = expandTabs(shown, Math.min(span.col, shown.length), Math.min(Math.max(span.end, span.col + 1), shown.length + 1));
  const num = String(span.origin.line.lineNo);
  const gutter = ' '.repeat(Math.max(5 - num.length, 1)) + num + ' | ';
  const blank = ' '.repeat(gutter.length - 2) + '| ';
  const caret = '^' + '~'.repeat(Math.max(0, end - col - 1));
  return [gutter + text, blank + ' '.repeat(col) + paint(color, caretCode, caret)];
}

/** Formats one diagnostic (with its source excerpt and notes) as lines of text. */
export function formatDiagnostic(d: Diagnostic, opts: FormatOptions = {}): string {
  const color = !!opts.color;
  const sevColor = d.severity === 'error' ? '1;31' : d.severity === 'warning' ? '1;35' : '1;36';
  const out: string[] = [];
  const head = (sev: Severity, code: string, msg: string, span?: Span) =>
    (span ? paint(color, '1', location(span) + ': ') : 'asmbox: ') + paint(color, code, `${sev}:`) + ' ' + paint(color, '1', msg);
  out.push(head(d.severity, sevColor, d.message, d.span));
  if (d.span) out.push(...excerpt(d.span, color, '1;32'));
  // Macro expansions: say where the line came from.
  for (let o = d.span?.origin.expandedFrom; o; o = o.at.expandedFrom) {
    const s: Span = { origin: o.at, col: o.col, end: o.col + o.macro.length };
    out.push(head('note', '1;36', `in expansion of macro '${o.macro}'`, s));
    out.push(...excerpt(s, color, '1;36'));
  }
  for (const n of d.notes) {
    if (!n.span) {
      out.push(`      = ${paint(color, '1;36', 'note:')} ${n.message}`);
      continue;
    }
    out.push(head('note', '1;36', n.message, n.span));
    out.push(...excerpt(n.span, color, '1;36'));
  }
  return out.join('\n');
}

export function formatDiagnostics(ds: Diagnostics, opts: FormatOptions = {}): string {
  const warnings = opts.warnings !== false;
  const parts = ds.list.filter((d) => warnings || d.severity === 'error').map((d) => formatDiagnostic(d, opts));
  const dropped = ds.dropped;
  if (dropped > 0) parts.push(`asmbox: note: ${dropped} more diagnostics not shown`);
  const e = ds.errorCount, w = warnings ? ds.warningCount : 0;
  if (e || w) {
    const summary = [e ? `${e} error${e === 1 ? '' : 's'}` : '', w ? `${w} warning${w === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ');
    parts.push(`${summary} generated.`);
  }
  return parts.length ? parts.join('\n') + '\n' : '';
}

/** Levenshtein distance, bounded: returns max+1 when the distance exceeds max. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** The candidate nearest to `word` (ties: first in `candidates`), if close enough. */
export function nearest(word: string, candidates: Iterable<string>, max?: number): string | null {
  const limit = max ?? (word.length <= 3 ? 1 : word.length <= 6 ? 2 : 3);
  let best: string | null = null;
  let bestD = limit + 1;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase(), limit);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}
