// Report formats: terminal, JSON, JUnit XML (checked against the Ant/Jenkins junit schema's
// shape with a small XML parser), TAP 13, Gradescope results.json (the autograder spec's
// schema), CSV; and the output matchers and diff they show.
import { describe, it, expect } from 'vitest';
import { formatTerminal } from '../src/grade/report/terminal.js';
import { formatCsv, formatGradescope, formatJson, formatJunit, formatTap, gradescopeResults } from '../src/grade/report/formats.js';
import { diffLines, matchOutput } from '../src/grade/match.js';
import type { GradeRun, SubmissionResult, TestResult } from '../src/grade/results.js';

function test(over: Partial<TestResult>): TestResult {
  return {
    index: 0, name: 't', kind: 'program', visibility: 'visible', status: 'pass', score: 1, maxScore: 1,
    outcome: { kind: 'exit', exitCode: 0, description: 'guest exited with code 0' }, failures: [], stdout: '', stderr: '',
    outputTruncated: false, insns: 10, ms: 1.5, ...over,
  };
}

const alice: SubmissionResult = {
  name: 'alice', path: '/s/alice', files: ['lab.s'], score: 3, maxScore: 3, assembled: true, diagnostics: [], ms: 12,
  tests: [test({ index: 0, name: 'prints <sum> & "more"', score: 2, maxScore: 2 }), test({ index: 1, name: 'sort', kind: 'function', visibility: 'hidden', outcome: { kind: 'returned', description: 'sort returned' } })],
};
const bob: SubmissionResult = {
  name: 'bob', path: '/s/bob', files: ['lab.s'], score: 0, maxScore: 3, assembled: true, diagnostics: [], ms: 20,
  tests: [
    test({
      index: 0, name: 'prints <sum> & "more"', status: 'fail', score: 0, maxScore: 2, stdout: '8\n\u0001',
      failures: [{ check: 'stdout', message: 'stdout differs (ignoring trailing whitespace)', expected: '7', actual: '8\n', diff: [{ op: '-', text: '7' }, { op: '+', text: '8' }] }],
    }),
    test({
      index: 1, name: 'sort', kind: 'function', visibility: 'hidden', status: 'fail', score: 0,
      outcome: { kind: 'fault', description: 'guest exception: address error on load (AdEL, code 4)\n  at pc 0x00400010 <sort+0x10>: lw t0,1(a0)', location: 'lab.s:17', sourceText: 'lw $t0, 1($a0)' },
      failures: [{ check: 'run', message: 'guest exception: address error on load (AdEL, code 4) at lab.s:17 (lw $t0, 1($a0))' }],
    }),
  ],
};
const carol: SubmissionResult = {
  name: 'carol', path: '/s/carol', files: ['lab.s'], score: 0, maxScore: 3, assembled: false, diagnostics: ['lab.s:3:5: error: unknown instruction \'ad\''], ms: 3,
  tests: [0, 1].map((i) => test({
    index: i, name: i ? 'sort' : 'prints <sum> & "more"', status: 'error', score: 0, maxScore: i ? 1 : 2, visibility: i ? 'hidden' : 'visible',
    outcome: { kind: 'assemble-error', description: "the submission did not assemble:\nlab.s:3:5: error: unknown instruction 'ad'" },
    failures: [{ check: 'assemble', message: 'the submission did not assemble:' }],
  })),
};
const run: GradeRun = {
  spec: { name: 'Lab 3', file: 'spec.yaml', maxScore: 3, tests: [{ name: 'prints <sum> & "more"', points: 2, visibility: 'visible' }, { name: 'sort', points: 1, visibility: 'hidden' }] },
  submissions: [alice, bob, carol], jobs: 2, ms: 100,
};

// ---- a minimal XML parser: well-formedness plus the element tree ----
interface El { name: string; attrs: Record<string, string>; children: El[]; text: string }
function parseXml(xml: string): El {
  let i = 0;
  const decl = /^<\?xml[^?]*\?>\s*/.exec(xml);
  if (!decl) throw new Error('no XML declaration');
  i = decl[0].length;
  const unescape = (s: string) => {
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(s)) throw new Error(`bad entity in ${s}`);
    return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  };
  function element(): El {
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>/.exec(xml.slice(i));
    if (!open) throw new Error(`expected an element at ${i}: ${xml.slice(i, i + 40)}`);
    i += open[0].length;
    const attrs: Record<string, string> = {};
    for (const a of open[2].matchAll(/([\w.-]+)="([^"]*)"/g)) {
      if (a[1] in attrs) throw new Error(`duplicate attribute ${a[1]}`);
      attrs[a[1]] = unescape(a[2]);
    }
    const el: El = { name: open[1], attrs, children: [], text: '' };
    if (open[3]) return el;
    for (;;) {
      const close = new RegExp(`^</${el.name}>`).exec(xml.slice(i));
      if (close) { i += close[0].length; return el; }
      if (xml[i] === '<') el.children.push(element());
      else {
        const end = xml.indexOf('<', i);
        if (end < 0) throw new Error(`unclosed <${el.name}>`);
        const raw = xml.slice(i, end);
        // eslint-disable-next-line no-control-regex
        if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(raw)) throw new Error('invalid XML character');
        el.text += unescape(raw);
        i = end;
      }
    }
  }
  const root = element();
  if (xml.slice(i).trim()) throw new Error('content after the root element');
  return root;
}

describe('junit', () => {
  it('is well-formed and has the Ant/Jenkins junit schema shape', () => {
    const root = parseXml(formatJunit(run));
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ name: 'Lab 3', tests: '6', failures: '2', errors: '2' });
    expect(root.children.map((s) => s.name)).toEqual(['testsuite', 'testsuite', 'testsuite']);
    for (const suite of root.children) {
      // Required attributes of <testsuite> in the Ant schema.
      for (const a of ['name', 'tests', 'failures', 'errors', 'time', 'timestamp', 'hostname', 'id', 'package']) expect(suite.attrs).toHaveProperty(a);
      expect(suite.attrs.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      const names = suite.children.map((c) => c.name);
      expect(names[0]).toBe('properties');
      expect(names.slice(-2)).toEqual(['system-out', 'system-err']);
      for (const tc of suite.children.filter((c) => c.name === 'testcase')) {
        for (const a of ['name', 'classname', 'time']) expect(tc.attrs).toHaveProperty(a);
        expect(Number(tc.attrs.time)).toBeGreaterThanOrEqual(0);
        for (const ch of tc.children) expect(['failure', 'error', 'system-out', 'system-err']).toContain(ch.name);
        for (const ch of tc.children.filter((c) => c.name === 'failure' || c.name === 'error')) {
          expect(ch.attrs).toHaveProperty('message');
          expect(ch.attrs).toHaveProperty('type');
        }
      }
      const counts = (tag: string) => suite.children.filter((c) => c.name === 'testcase' && c.children.some((x) => x.name === tag)).length;
      expect(String(counts('failure'))).toBe(suite.attrs.failures);
      expect(String(counts('error'))).toBe(suite.attrs.errors);
    }
    const [a, b, c] = root.children;
    expect(a.children[1].attrs.name).toBe('prints <sum> & "more"');
    expect(a.children[1].children).toEqual([]);
    const fail = b.children[1].children[0];
    expect(fail.name).toBe('failure');
    expect(fail.text).toContain('  - 7\n  + 8');
    expect(b.children[1].children[1].text).toBe('8\n\\x01');
    expect(b.children[2].children[0].text).toContain('at lab.s:17: lw $t0, 1($a0)');
    expect(c.children[1].children[0].name).toBe('error');
    expect(c.children.at(-2)!.text).toContain("unknown instruction 'ad'");
  });
});

describe('gradescope', () => {
  it('follows the results.json schema', () => {
    const g = JSON.parse(formatGradescope(bob));
    const allowedTop = ['score', 'execution_time', 'output', 'output_format', 'test_output_format', 'test_name_format', 'visibility', 'stdout_visibility', 'extra_data', 'tests', 'leaderboard'];
    const allowedTest = ['score', 'max_score', 'status', 'name', 'name_format', 'number', 'output', 'output_format', 'tags', 'visibility', 'extra_data'];
    const visibilities = ['hidden', 'after_due_date', 'after_published', 'visible'];
    for (const k of Object.keys(g)) expect(allowedTop).toContain(k);
    expect(typeof g.score).toBe('number');
    expect(Number.isInteger(g.execution_time)).toBe(true);
    expect(typeof g.output).toBe('string');
    expect(Array.isArray(g.tests)).toBe(true);
    for (const t of g.tests) {
      for (const k of Object.keys(t)) expect(allowedTest).toContain(k);
      expect(typeof t.name).toBe('string');
      expect(typeof t.score).toBe('number');
      expect(typeof t.max_score).toBe('number');
      expect(['passed', 'failed']).toContain(t.status);
      expect(visibilities).toContain(t.visibility);
      expect(typeof t.output).toBe('string');
    }
    expect(g.tests.map((t: { score: number }) => t.score).reduce((x: number, y: number) => x + y, 0)).toBe(g.score);
    expect(g.tests[1]).toMatchObject({ name: 'sort', visibility: 'hidden', status: 'failed', max_score: 1 });
    expect(g.tests[0].output).toContain("Your program's output:\n8");
    const c = gradescopeResults(carol);
    expect(c.output).toMatch(/did not assemble[\s\S]*unknown instruction 'ad'/);
    expect(c.score).toBe(0);
  });
});

describe('tap', () => {
  it('writes TAP 13 with a plan, test points and YAML diagnostics', () => {
    const t = formatTap(run);
    const lines = t.trimEnd().split('\n');
    expect(lines[0]).toBe('TAP version 13');
    expect(lines[1]).toBe('1..6');
    const points = lines.filter((l) => /^(not )?ok \d+ - /.test(l));
    expect(points.map((l) => l.split(' - ')[0])).toEqual(['ok 1', 'ok 2', 'not ok 3', 'not ok 4', 'not ok 5', 'not ok 6']);
    expect(points[0]).toBe('ok 1 - alice: prints <sum> & "more"');
    // Every YAML block opens with '  ---' right after a not-ok line and closes with '  ...'.
    lines.forEach((l, i) => { if (l === '  ---') expect(lines[i - 1]).toMatch(/^not ok/); });
    expect(lines.filter((l) => l === '  ---').length).toBe(lines.filter((l) => l === '  ...').length);
    expect(t).toContain('  severity: error');
    expect(t).toContain('  at: "lab.s:17"');
  });
});

describe('json, csv, terminal', () => {
  it('json has everything', () => {
    const j = JSON.parse(formatJson(run));
    expect(j.summary).toEqual({ total: 6, passed: 2, failed: 2, errors: 2 });
    expect(j.submissions[1].tests[0].failures[0].diff).toHaveLength(2);
    expect(j.spec.name).toBe('Lab 3');
  });

  it('csv has one row per submission and a column per test', () => {
    const rows = formatCsv(run).trimEnd().split('\n');
    expect(rows[0]).toBe('submission,score,max_score,passed,tests,assembled,"prints <sum> & ""more""",sort');
    expect(rows.slice(1)).toEqual(['alice,3,3,2,2,yes,2,1', 'bob,0,3,0,2,yes,0,0', 'carol,0,3,0,2,no,0,0']);
  });

  it('terminal shows marks, diffs, fault locations and a summary table', () => {
    const t = formatTerminal(run, { color: false });
    expect(t).toContain('alice (lab.s)  3/3');
    expect(t).toMatch(/✓ prints <sum> & "more"\s+2\/2/);
    expect(t).toMatch(/✗ sort\s+0\/1 \[hidden\]/);
    expect(t).toContain('- expected  + actual');
    expect(t).toContain('        - 7\n        + 8');
    expect(t).toContain('at lab.s:17 (lw $t0, 1($a0))');
    expect(t).toContain('at pc 0x00400010 <sort+0x10>: lw t0,1(a0)');
    expect(t).toContain("did not assemble:\n    lab.s:3:5: error: unknown instruction 'ad'");
    expect(t).toMatch(/submission\s+score\s+passed\s+notes/);
    expect(t).toMatch(/bob\s+0\/3\s+0\/2\s+wrong result, fault/);
    expect(t).toMatch(/carol\s+0\/3\s+0\/2\s+did not assemble/);
    expect(t).toMatch(/2\/6 tests passed, 2 could not run; 1\/3 submissions with full marks/);
    const q = formatTerminal(run, { color: false, quiet: true });
    expect(q).not.toContain('✓');
    expect(q).toContain('submission');
  });
});

describe('matchers', () => {
  it('compare in each mode', () => {
    const m = (mode: 'exact' | 'trimmed' | 'normalised' | 'regex' | 'contains', texts: string[], actual: string) => matchOutput({ mode, texts }, actual).ok;
    expect(m('exact', ['a\n'], 'a\n')).toBe(true);
    expect(m('exact', ['a\n'], 'a')).toBe(false);
    expect(m('trimmed', ['a\nb'], 'a  \r\nb\n\n')).toBe(true);
    expect(m('trimmed', ['a b'], 'a  b')).toBe(false);
    expect(m('normalised', ['a b\nc'], '  a\tb c  \n\n')).toBe(true);
    expect(m('normalised', ['ab'], 'a b')).toBe(false);
    expect(m('regex', ['^sum = \\d+$'], 'x\nsum = 42\ny')).toBe(true);
    expect(m('regex', ['^\\d+$', 'z'], '42')).toBe(false);
    expect(m('contains', ['4', '2'], '42')).toBe(true);
    expect(m('contains', ['43'], '42')).toBe(false);
  });

  it('diff lines with context', () => {
    const e = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const a = e.replace('line 10\n', 'line ten\n');
    const d = diffLines(e, a);
    expect(d).toEqual([
      { op: '~', text: '(7 matching lines)' },
      { op: ' ', text: 'line 7' }, { op: ' ', text: 'line 8' }, { op: ' ', text: 'line 9' },
      { op: '-', text: 'line 10' }, { op: '+', text: 'line ten' },
      { op: ' ', text: 'line 11' }, { op: ' ', text: 'line 12' }, { op: ' ', text: 'line 13' },
      { op: '~', text: '(6 matching lines)' },
    ]);
    expect(diffLines('a\n', 'a', 3, true)).toEqual([{ op: '-', text: 'a' }, { op: '+', text: 'a ⟨no newline at end⟩' }]);
    expect(diffLines('', 'x\ny\n')).toEqual([{ op: '+', text: 'x' }, { op: '+', text: 'y' }]);
  });
});
