// Output matchers (exact, trimmed, normalised, regex, contains) and a line diff for reports.
import type { MatchMode, OutputExpectation } from './spec.js';

export interface DiffLine {
  /** ' ' same, '-' expected only, '+' actual only, '~' lines elided. */
  op: ' ' | '-' | '+' | '~';
  text: string;
}

export interface MatchResult {
  ok: boolean;
  /** One line saying what did not match. */
  message?: string;
  /** Expected vs actual, line by line (for exact/trimmed/normalised). */
  diff?: DiffLine[];
}

/** Text as compared under a mode (also what a diff shows). */
export function normaliseFor(mode: MatchMode, s: string): string {
  switch (mode) {
    case 'trimmed':
      return s.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/[ \t]+$/, '')).join('\n').replace(/^\n+|\s+$/g, '');
    case 'normalised':
      return s.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter((l) => l !== '').join('\n');
    default:
      return s;
  }
}

export function matchOutput(exp: OutputExpectation, actual: string, stream = 'stdout'): MatchResult {
  switch (exp.mode) {
    case 'contains': {
      const missing = exp.texts.filter((t) => !actual.includes(t));
      if (!missing.length) return { ok: true };
      return { ok: false, message: `${stream} does not contain ${missing.map((t) => JSON.stringify(t)).join(', ')}` };
    }
    case 'regex': {
      const missing = exp.texts.filter((t) => !new RegExp(t, 'm').test(actual));
      if (!missing.length) return { ok: true };
      return { ok: false, message: `${stream} does not match ${missing.map((t) => `/${t}/`).join(', ')}` };
    }
    case 'normalised': {
      // Whitespace-insensitive: compare the sequences of words.
      const words = (s: string) => s.split(/\s+/).filter(Boolean).join(' ');
      if (words(exp.texts[0]) === words(actual)) return { ok: true };
      return { ok: false, message: `${stream} differs (ignoring whitespace)`, diff: diffLines(normaliseFor('normalised', exp.texts[0]), normaliseFor('normalised', actual)) };
    }
    default: {
      const e = normaliseFor(exp.mode, exp.texts[0]), a = normaliseFor(exp.mode, actual);
      if (e === a) return { ok: true };
      let message = `${stream} differs${exp.mode === 'trimmed' ? ' (ignoring trailing whitespace)' : ''}`;
      if (exp.mode === 'exact' && e.replace(/\s+$/, '') === a.replace(/\s+$/, '')) message = `${stream} differs only in trailing whitespace or newlines`;
      if (!a.length) message = `${stream} is empty`;
      return { ok: false, message, diff: diffLines(e, a, 3, exp.mode === 'exact') };
    }
  }
}

const MAX_DIFF_LINES = 400;

/** A line diff of `expected` against `actual` (longest common subsequence), context-trimmed. */
export function diffLines(expected: string, actual: string, context = 3, markEol = false): DiffLine[] {
  const ea = splitLines(expected, markEol), aa = splitLines(actual, markEol);
  // Common prefix and suffix first; the LCS table only covers the middle (capped in size).
  let pre = 0;
  while (pre < ea.length && pre < aa.length && ea[pre] === aa[pre]) pre++;
  let suf = 0;
  while (suf < ea.length - pre && suf < aa.length - pre && ea[ea.length - 1 - suf] === aa[aa.length - 1 - suf]) suf++;
  const em = ea.slice(pre, ea.length - suf), am = aa.slice(pre, aa.length - suf);
  const ops: DiffLine[] = ea.slice(0, pre).map((text) => ({ op: ' ' as const, text }));
  const e = em.slice(0, MAX_DIFF_LINES), a = am.slice(0, MAX_DIFF_LINES);
  const n = e.length, m = a.length;
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = e[i] === a[j] ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
    }
  }
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && e[i] === a[j]) { ops.push({ op: ' ', text: e[i] }); i++; j++; }
    else if (i < n && (j === m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1])) ops.push({ op: '-', text: e[i++] });
    else ops.push({ op: '+', text: a[j++] });
  }
  if (em.length > n || am.length > m) ops.push({ op: '~', text: `(${em.length - n} more expected and ${am.length - m} more actual lines not compared)` });
  for (const t of ea.slice(ea.length - suf)) ops.push({ op: ' ', text: t });
  return trimContext(ops, context);
}

function splitLines(s: string, markEol: boolean): string[] {
  if (s === '') return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else if (markEol) lines[lines.length - 1] += ' ⟨no newline at end⟩';
  return lines.map((l) => l.replace(/\r$/, '␍'));
}

function trimContext(ops: DiffLine[], context: number): DiffLine[] {
  const keep = new Array<boolean>(ops.length).fill(false);
  ops.forEach((o, k) => {
    if (o.op === ' ') return;
    for (let d = Math.max(0, k - context); d <= Math.min(ops.length - 1, k + context); d++) keep[d] = true;
  });
  const out: DiffLine[] = [];
  let skipped = 0;
  ops.forEach((o, k) => {
    if (keep[k]) {
      if (skipped) out.push({ op: '~', text: `(${skipped} matching line${skipped === 1 ? '' : 's'})` });
      skipped = 0;
      out.push(o);
    } else skipped++;
  });
  if (skipped) out.push({ op: '~', text: `(${skipped} matching line${skipped === 1 ? '' : 's'})` });
  return out;
}

/** Makes whitespace visible in a line that differs only in whitespace from its counterpart. */
export function showWhitespace(s: string): string {
  return s.replace(/ /g, '·').replace(/\t/g, '→');
}
