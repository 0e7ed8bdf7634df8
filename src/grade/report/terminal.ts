// Terminal report: per test pass/fail in colour, readable diffs for failures, exit reasons and
// fault locations, then a summary table.
import chalk, { Chalk, type ChalkInstance } from 'chalk';
import { showWhitespace, type DiffLine } from '../match.js';
import { countTests, type GradeRun, type SubmissionResult, type TestResult } from '../results.js';

export interface TerminalOptions {
  /** Only the summary table (no per-test lines). */
  quiet?: boolean;
  /** Also list passing tests' details (default: passing tests are one line each). */
  verbose?: boolean;
  color?: boolean;
}

const MAX_DIFF_SHOWN = 40;
const MAX_LINE = 160;

/** Shortens very long lines (a program printing forever on one line). */
function clip(s: string): string {
  return s.length > MAX_LINE ? `${s.slice(0, MAX_LINE)}… (${s.length - MAX_LINE} more characters)` : s;
}

export function formatTerminal(run: GradeRun, opts: TerminalOptions = {}): string {
  const c: ChalkInstance = opts.color === false ? new Chalk({ level: 0 }) : opts.color === true ? new Chalk({ level: Math.max(1, chalk.level) as 1 | 2 | 3 }) : chalk;
  const out: string[] = [];
  if (!opts.quiet) {
    for (const s of run.submissions) out.push(...submissionLines(s, c, opts), '');
  }
  out.push(...summaryTable(run, c));
  return out.join('\n') + '\n';
}

function fmtPoints(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, '');
}

function submissionLines(s: SubmissionResult, c: ChalkInstance, opts: TerminalOptions): string[] {
  const lines: string[] = [];
  const full = s.score === s.maxScore;
  const scoreText = `${fmtPoints(s.score)}/${fmtPoints(s.maxScore)}`;
  lines.push(`${c.bold(s.name)} ${c.dim(`(${s.files.join(', ') || 'no files'})`)}  ${full ? c.green.bold(scoreText) : c.yellow.bold(scoreText)}`);
  if (!s.assembled) {
    lines.push(`  ${c.red('did not assemble:')}`);
    for (const d of s.diagnostics.slice(0, 20)) lines.push(`    ${c.red(d)}`);
    if (s.diagnostics.length > 20) lines.push(c.dim(`    (${s.diagnostics.length - 20} more)`));
    lines.push(c.dim(`  all ${s.tests.length} tests score 0`));
    return lines;
  }
  const width = Math.min(48, Math.max(...s.tests.map((t) => t.name.length)));
  for (const t of s.tests) lines.push(...testLines(t, c, width, opts));
  return lines;
}

function testLines(t: TestResult, c: ChalkInstance, width: number, opts: TerminalOptions): string[] {
  const mark = t.status === 'pass' ? c.green('✓') : t.status === 'fail' ? c.red('✗') : c.magenta('!');
  const vis = t.visibility === 'visible' ? '' : c.dim(` [${t.visibility.replace(/_/g, ' ')}]`);
  const pts = `${fmtPoints(t.score)}/${fmtPoints(t.maxScore)}`;
  const lines = [`  ${mark} ${t.name.padEnd(width)}  ${t.status === 'pass' ? c.green(pts) : c.red(pts)}${vis}`];
  if (t.status === 'pass' && !opts.verbose) return lines;
  const ind = '      ';
  for (const f of t.failures) {
    const msg = f.message.split('\n')[0];
    const selfExplained = msg.startsWith(f.check) || msg.includes(f.check.split(' ')[0]);
    lines.push(`${ind}${selfExplained ? '' : c.yellow(f.check + ':') + ' '}${clip(msg)}`);
    if (f.diff) lines.push(...diffBlock(f.diff, c, ind + '  '));
    else if ((f.check === 'stdout' || f.check === 'stderr') && f.actual !== undefined) {
      lines.push(`${ind}  ${c.dim('actual output:')}`);
      const al = f.actual.split('\n').slice(0, 12);
      for (const l of al) lines.push(`${ind}  ${c.dim('|')} ${clip(l)}`);
      if (f.actual.split('\n').length > 12) lines.push(`${ind}  ${c.dim('| ...')}`);
    }
  }
  const o = t.outcome;
  if (o.kind === 'fault' || o.kind === 'insn-limit' || o.kind === 'timeout' || o.kind === 'memory' || o.kind === 'output-limit') {
    // The first line (and the source location) are in the 'run' failure above; add the details.
    const extra = o.description.split('\n').slice(1);
    for (const l of extra) lines.push(`${ind}${c.dim(l.trim())}`);
  }
  if (opts.verbose) lines.push(`${ind}${c.dim(`${t.insns} instructions, ${t.ms.toFixed(1)} ms`)}`);
  return lines;
}

function diffBlock(diff: DiffLine[], c: ChalkInstance, ind: string): string[] {
  const lines = [`${ind}${c.green('- expected')}  ${c.red('+ actual')}`];
  // Lines that differ only in whitespace show their whitespace.
  const minus = new Set(diff.filter((d) => d.op === '-').map((d) => d.text.replace(/\s+/g, ' ').trim()));
  const plus = new Set(diff.filter((d) => d.op === '+').map((d) => d.text.replace(/\s+/g, ' ').trim()));
  for (const d of diff.slice(0, MAX_DIFF_SHOWN)) {
    const norm = d.text.replace(/\s+/g, ' ').trim();
    const ws = (d.op === '-' && plus.has(norm)) || (d.op === '+' && minus.has(norm));
    const text = ws ? showWhitespace(d.text) : d.text;
    const text2 = clip(text);
    if (d.op === '-') lines.push(`${ind}${c.green('- ' + text2)}`);
    else if (d.op === '+') lines.push(`${ind}${c.red('+ ' + text2)}`);
    else if (d.op === '~') lines.push(`${ind}${c.dim('  ' + text)}`);
    else lines.push(`${ind}${c.dim('  ' + text2)}`);
  }
  if (diff.length > MAX_DIFF_SHOWN) lines.push(`${ind}${c.dim(`  (${diff.length - MAX_DIFF_SHOWN} more diff lines)`)}`);
  return lines;
}

function noteFor(s: SubmissionResult): string {
  if (!s.assembled) return 'did not assemble';
  const kinds = new Map<string, number>();
  for (const t of s.tests) {
    if (t.status === 'pass') continue;
    const k = t.outcome.kind === 'exit' || t.outcome.kind === 'returned' ? 'wrong result' : t.outcome.kind;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  return [...kinds].map(([k, n]) => (n > 1 ? `${k} x${n}` : k)).join(', ');
}

function summaryTable(run: GradeRun, c: ChalkInstance): string[] {
  const rows = run.submissions.map((s) => {
    const passed = s.tests.filter((t) => t.status === 'pass').length;
    return [s.name, `${fmtPoints(s.score)}/${fmtPoints(s.maxScore)}`, `${passed}/${s.tests.length}`, noteFor(s), s.score === s.maxScore] as const;
  });
  const head = ['submission', 'score', 'passed', 'notes'];
  const w = [0, 1, 2].map((i) => Math.max(head[i].length, ...rows.map((r) => (r[i] as string).length)));
  const lines = [c.bold(`${head[0].padEnd(w[0])}  ${head[1].padStart(w[1])}  ${head[2].padStart(w[2])}  ${head[3]}`)];
  for (const r of rows) {
    const color = r[4] ? c.green : c.yellow;
    lines.push(`${r[0].padEnd(w[0])}  ${color(r[1].padStart(w[1]))}  ${r[2].padStart(w[2])}  ${c.dim(r[3])}`);
  }
  const n = countTests(run);
  const secs = run.ms / 1000;
  const full = run.submissions.filter((s) => s.score === s.maxScore).length;
  lines.push('');
  lines.push(
    `${n.passed}/${n.total} tests passed` +
      (n.errors ? `, ${n.errors} could not run` : '') +
      `; ${full}/${run.submissions.length} submission${run.submissions.length === 1 ? '' : 's'} with full marks` +
      c.dim(` (${secs.toFixed(2)} s, ${(n.total / Math.max(secs, 1e-3)).toFixed(0)} tests/s, ${run.jobs} job${run.jobs === 1 ? '' : 's'})`),
  );
  return lines;
}
