// Machine-readable reports: JSON (everything), JUnit XML, TAP 13, Gradescope results.json, CSV.
import type { DiffLine } from '../match.js';
import { countTests, type GradeRun, type SubmissionResult, type TestResult } from '../results.js';

export const FORMATS = ['terminal', 'json', 'junit', 'tap', 'gradescope', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

// ---------------------------------------------------------------- JSON

export function formatJson(run: GradeRun): string {
  const n = countTests(run);
  return JSON.stringify({ tool: 'asmbox grade', version: 1, ...run, summary: n }, null, 2) + '\n';
}

// ---------------------------------------------------------------- plain-text failure details

/** Text explaining a test's result (used by JUnit, TAP and Gradescope). */
export function testDetails(t: TestResult): string {
  const lines: string[] = [];
  if (t.status === 'pass') lines.push('passed');
  for (const f of t.failures) {
    lines.push(`${f.check}: ${f.message}`);
    if (f.diff) lines.push(...diffText(f.diff).map((l) => '  ' + l));
  }
  const o = t.outcome;
  const moreOutcome = o.description.split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
  if (t.status !== 'pass' && o.kind !== 'assemble-error') lines.push(...moreOutcome);
  if (o.kind === 'assemble-error') lines.push(...o.description.split('\n').slice(1));
  if (o.location) lines.push(`at ${o.location}${o.sourceText ? `: ${o.sourceText}` : ''}`);
  return lines.join('\n');
}

export function diffText(diff: DiffLine[]): string[] {
  return ['--- expected', '+++ actual', ...diff.map((d) => (d.op === '~' ? `  ${d.text}` : `${d.op} ${d.text}`))];
}

// ---------------------------------------------------------------- JUnit XML

// Invalid XML 1.0 characters (student output can contain anything).
// eslint-disable-next-line no-control-regex
const XML_BAD = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function xmlEscape(s: string): string {
  return s.replace(XML_BAD, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

/**
 * JUnit XML in the shape Jenkins, GitLab and GitHub test reporters read (the Ant junit schema):
 * one <testsuite> per submission, one <testcase> per test; failed checks are <failure>, tests
 * that could not run (assembly errors, missing labels) are <error>.
 */
export function formatJunit(run: GradeRun): string {
  const n = countTests(run);
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, '');
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="${xmlEscape(run.spec.name)}" tests="${n.total}" failures="${n.failed}" errors="${n.errors}" time="${secs(run.ms)}">`);
  run.submissions.forEach((s, id) => {
    const failures = s.tests.filter((t) => t.status === 'fail').length;
    const errors = s.tests.filter((t) => t.status === 'error').length;
    out.push(`  <testsuite name="${xmlEscape(s.name)}" id="${id}" package="${xmlEscape(run.spec.name)}" tests="${s.tests.length}" failures="${failures}" errors="${errors}" skipped="0" time="${secs(s.ms)}" timestamp="${stamp}" hostname="localhost">`);
    out.push('    <properties>');
    out.push(`      <property name="score" value="${s.score}"/>`);
    out.push(`      <property name="max_score" value="${s.maxScore}"/>`);
    out.push(`      <property name="files" value="${xmlEscape(s.files.join(' '))}"/>`);
    out.push('    </properties>');
    for (const t of s.tests) {
      const open = `    <testcase name="${xmlEscape(t.name)}" classname="${xmlEscape(s.name)}" time="${secs(t.ms)}"`;
      if (t.status === 'pass') { out.push(`${open}/>`); continue; }
      out.push(`${open}>`);
      const tag = t.status === 'error' ? 'error' : 'failure';
      const first = t.failures[0];
      out.push(`      <${tag} message="${xmlEscape(first ? `${first.check}: ${first.message}` : t.outcome.description)}" type="${xmlEscape(first?.check ?? t.outcome.kind)}">${xmlEscape(testDetails(t))}</${tag}>`);
      if (t.stdout) out.push(`      <system-out>${xmlEscape(t.stdout)}</system-out>`);
      if (t.stderr) out.push(`      <system-err>${xmlEscape(t.stderr)}</system-err>`);
      out.push('    </testcase>');
    }
    out.push(s.assembled ? '    <system-out/>' : `    <system-out>${xmlEscape(s.diagnostics.join('\n'))}</system-out>`);
    out.push('    <system-err/>');
    out.push('  </testsuite>');
  });
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- TAP

/** TAP version 13: one test point per (submission, test), YAML diagnostics for failures. */
export function formatTap(run: GradeRun): string {
  const n = countTests(run);
  const out = ['TAP version 13', `1..${n.total}`];
  let k = 0;
  for (const s of run.submissions) {
    out.push(`# ${tapEscape(s.name)}: ${s.score}/${s.maxScore}`);
    for (const t of s.tests) {
      k++;
      out.push(`${t.status === 'pass' ? 'ok' : 'not ok'} ${k} - ${tapEscape(`${s.name}: ${t.name}`)}`);
      if (t.status === 'pass') continue;
      out.push('  ---');
      out.push(`  message: ${yamlString(t.failures[0] ? `${t.failures[0].check}: ${t.failures[0].message}` : t.outcome.description)}`);
      out.push(`  severity: ${t.status === 'error' ? 'error' : 'fail'}`);
      out.push(`  outcome: ${t.outcome.kind}`);
      if (t.outcome.location) out.push(`  at: ${yamlString(t.outcome.location)}`);
      out.push(`  points: ${t.score}/${t.maxScore}`);
      out.push('  details: |-');
      for (const l of testDetails(t).split('\n')) out.push(`    ${l}`);
      out.push('  ...');
    }
  }
  return out.join('\n') + '\n';
}

function tapEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/#/g, '\\#').replace(/\n/g, ' ');
}

function yamlString(s: string): string {
  return JSON.stringify(s.replace(XML_BAD, ''));
}

// ---------------------------------------------------------------- Gradescope

export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  visibility?: string;
  stdout_visibility?: string;
  extra_data?: Record<string, unknown>;
  tests: {
    name: string;
    number: string;
    score: number;
    max_score: number;
    status: 'passed' | 'failed';
    output: string;
    visibility: string;
    tags?: string[];
  }[];
}

/** Gradescope's results.json for one submission (the autograder specification's schema). */
export function gradescopeResults(s: SubmissionResult): GradescopeResults {
  const lines: string[] = [];
  if (!s.assembled) {
    lines.push('Your submission did not assemble, so no test could run:');
    lines.push(...s.diagnostics.map((d) => '  ' + d));
  } else {
    const passed = s.tests.filter((t) => t.status === 'pass').length;
    lines.push(`${passed} of ${s.tests.length} tests passed.`);
  }
  return {
    score: s.score,
    execution_time: Math.round(s.ms / 1000),
    output: lines.join('\n'),
    stdout_visibility: 'hidden',
    extra_data: { max_score: s.maxScore, files: s.files, tool: 'asmbox grade' },
    tests: s.tests.map((t, i) => ({
      name: t.name,
      number: String(i + 1),
      score: t.score,
      max_score: t.maxScore,
      status: t.status === 'pass' ? 'passed' : 'failed',
      output: testDetails(t) + (t.stdout && t.status !== 'pass' ? `\n\nYour program's output:\n${t.stdout}${t.outputTruncated ? '\n(output truncated)' : ''}` : ''),
      visibility: t.visibility,
    })),
  };
}

export function formatGradescope(s: SubmissionResult): string {
  return JSON.stringify(gradescopeResults(s), null, 2) + '\n';
}

// ---------------------------------------------------------------- CSV

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per submission: name, score, max, then the points of each test (for a gradebook). */
export function formatCsv(run: GradeRun): string {
  const head = ['submission', 'score', 'max_score', 'passed', 'tests', 'assembled', ...run.spec.tests.map((t) => t.name)];
  const rows = run.submissions.map((s) => [
    s.name, s.score, s.maxScore, s.tests.filter((t) => t.status === 'pass').length, s.tests.length, s.assembled ? 'yes' : 'no',
    ...run.spec.tests.map((_, i) => s.tests[i]?.score ?? 0),
  ]);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
