// Spec parsing and validation: every feature parses into the resolved form, and every kind of
// mistake is reported with its key path and line.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSpec, SpecError, DEFAULT_LIMITS, parseAddrExpr, registerNumber, hashSeed } from '../src/grade/spec.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'asmbox-spec-'));
  writeFileSync(join(dir, 'harness.s'), 'main: jal sort\n');
  writeFileSync(join(dir, 'in.txt'), '5\n3\n');
  writeFileSync(join(dir, 'out.txt'), '8\n');
  mkdirSync(join(dir, 'data'));
});

const parse = (text: string) => parseSpec(text, join(dir, 'spec.yaml'));
function problems(text: string): string[] {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof SpecError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected a SpecError');
}

describe('spec parsing', () => {
  it('parses a full spec with defaults, program and function tests', () => {
    const spec = parse(`
name: Lab 3
sources: ['*.s']
defaults:
  points: 2
  match: exact
  max_insns: 5000
  timeout: 2.5
  max_output: 100
  memory_cap: 16
  compat: spim
  engine: interp
tests:
  - name: adds
    stdin_file: in.txt
    args: [a, 7]
    expect:
      stdout_file: out.txt
      exit_code: 3
  - name: sorts
    points: 5
    visibility: hidden
    harness: harness.s
    entry: main
    stdin: "1 2\\n"
    expect:
      stdout: { contains: [sorted, done] }
      $v0: 42
      $t1: -1
      hi: 0xffffffff
      mem[result]: [1, 2, 3]
      mem_byte[buf+2]: 7
      mem_half[0x10010000]: [65535]
      mem_string[buf]: olleh
  - name: strlen
    visibility: after-due-date
    seed: 99
    files: data
    call:
      function: strlen
      args: [{ string: hello, name: s }, 3, buf+4, { words: [1, -2, 0xffffffff] }, { space: 8 }]
    expect:
      $v0: 5
      $v1: s
      mem_string[s]: hello
`);
    expect(spec.name).toBe('Lab 3');
    expect(spec.maxScore).toBe(2 + 5 + 2);
    const [a, b, c] = spec.tests;
    expect(a.stdin).toBe('5\n3\n');
    expect(a.args).toEqual(['a', '7']);
    expect(a.stdout).toMatchObject({ mode: 'exact', texts: ['8\n'] });
    expect(a.exitCode).toBe(3);
    expect(a.limits).toEqual({ maxInsns: 5000, timeoutMs: 2500, maxOutput: 100, memoryCap: 16 * 1024 * 1024 });
    expect(a.compat).toBe('spim');
    expect(a.engine).toBe('interp');
    expect(a.seed).toBe(hashSeed('adds'));
    expect(b.points).toBe(5);
    expect(b.visibility).toBe('hidden');
    expect(b.harness).toEqual([join(dir, 'harness.s')]);
    expect(b.entry).toBe('main');
    expect(b.stdout).toEqual({ mode: 'contains', texts: ['sorted', 'done'] });
    expect(b.post).toEqual([
      { kind: 'reg', key: '$v0', reg: 2, expected: { kind: 'int', value: 42 } },
      { kind: 'reg', key: '$t1', reg: 9, expected: { kind: 'int', value: -1 } },
      { kind: 'reg', key: 'hi', reg: 32, expected: { kind: 'int', value: -1 } },
      { kind: 'mem', key: 'mem[result]', width: 4, addr: { kind: 'label', label: 'result', offset: 0, text: 'result' }, values: [1, 2, 3] },
      { kind: 'mem', key: 'mem_byte[buf+2]', width: 1, addr: { kind: 'label', label: 'buf', offset: 2, text: 'buf+2' }, values: [7] },
      { kind: 'mem', key: 'mem_half[0x10010000]', width: 2, addr: { kind: 'abs', addr: 0x10010000, text: '0x10010000' }, values: [65535] },
      { kind: 'mem_string', key: 'mem_string[buf]', addr: { kind: 'label', label: 'buf', offset: 0, text: 'buf' }, value: 'olleh' },
    ]);
    expect(c.visibility).toBe('after_due_date');
    expect(c.seed).toBe(99);
    expect(c.files).toEqual({ dir: join(dir, 'data'), write: false });
    expect(c.call?.function).toBe('strlen');
    expect(c.call?.checkSaved).toBe(true);
    expect(c.call?.args).toEqual([
      { kind: 'data', data: 'string', values: [], text: 'hello', size: 6, name: 's' },
      { kind: 'int', value: 3 },
      { kind: 'addr', addr: { kind: 'label', label: 'buf', offset: 4, text: 'buf+4' } },
      { kind: 'data', data: 'words', values: [1, -2, -1], size: 12, name: undefined },
      { kind: 'data', data: 'space', values: [], size: 8, name: undefined },
    ]);
    expect(c.post[1]).toEqual({ kind: 'reg', key: '$v1', reg: 3, expected: { kind: 'addr', addr: { kind: 'label', label: 's', offset: 0, text: 's' } } });
  });

  it('applies built-in defaults', () => {
    const spec = parse('tests:\n  - name: t\n    expect: { stdout: hi }\n');
    const t = spec.tests[0];
    expect(spec.name).toBe('spec');
    expect(spec.sources).toEqual(['*.s', '*.asm']);
    expect(t.points).toBe(1);
    expect(t.visibility).toBe('visible');
    expect(t.stdout).toEqual({ mode: 'trimmed', texts: ['hi'] });
    expect(t.limits).toEqual(DEFAULT_LIMITS);
    expect(t.compat).toBe('mars');
    expect(t.engine).toBe('interp');
    expect(t.harness).toEqual([]);
  });

  it('reads JSON specs too, with line numbers', () => {
    const spec = parseSpec('{"tests": [{"name": "j", "expect": {"stdout": {"regex": "^4\\\\d$"}}}]}', join(dir, 'spec.json'));
    expect(spec.tests[0].stdout).toEqual({ mode: 'regex', texts: ['^4\\d$'] });
    const errs = (() => { try { parseSpec('{\n "tests": [\n  {"name": "j", "expect": {"stdot": "x"}}\n ]\n}', join(dir, 's.json')); } catch (e) { return (e as Error).message; } return ''; })();
    expect(errs).toMatch(/s\.json:3:\d+: tests\[0\]\.expect\.stdot: unknown expectation 'stdot' \(did you mean 'stdout'\?\)/);
  });

  it('accepts a plain function name for call, and register/offset addresses', () => {
    const spec = parse('tests:\n  - name: f\n    call: main\n    check_saved: false\n    expect: { $v0: 0, "mem[$v0+4]": 1 }\n');
    expect(spec.tests[0].call).toEqual({ function: 'main', args: [], checkSaved: false });
    expect(spec.tests[0].post[1]).toMatchObject({ addr: { kind: 'reg', reg: 2, offset: 4 } });
  });
});

describe('spec validation errors', () => {
  it('reports syntax errors with their line', () => {
    const p = problems('tests:\n  - name: a\n    expect: {stdout: "x"\n');
    expect(p[0]).toMatch(/spec\.yaml:\d+:\d+: /);
  });

  it('reports unknown keys with a suggestion, path and line', () => {
    const p = problems('tests:\n  - name: a\n    expect:\n      stdout: x\n    stdn: "1"\n');
    expect(p).toEqual([expect.stringMatching(/^.*spec\.yaml:5:5: tests\[0\].stdn: unknown test key 'stdn' \(did you mean 'stdin'\?\)/)]);
  });

  it('reports every problem at once', () => {
    const p = problems(`
defaults:
  visibility: secret
  timeout: -1
tests:
  - name: a
    points: many
    expect:
      $v9: 1
      mem[1abc]: [1]
      stdout: { fuzzy: x }
      exit_code: 300
  - name: a
    expect: { stdout: { regex: "(" } }
  - expect: {}
  - name: c
    call: { args: [1] }
    stdin_file: nope.txt
    harness: missing.s
    expect: { $v0: 1 }
`);
    const text = p.join('\n');
    expect(text).toMatch(/:3:15: defaults\.visibility: expected one of visible, hidden, after_due_date, after_published, got 'secret'/);
    expect(text).toMatch(/:4:12: defaults\.timeout: expected a number > 0, got -1/);
    expect(text).toMatch(/:7:13: tests\[0\]\.points: expected a number > -1, got 'many'/);
    expect(text).toMatch(/tests\[0\]\.expect\.\$v9: '\$v9' is not a register/);
    expect(text).toMatch(/tests\[0\]\.expect\["mem\[1abc\]"\]: '1abc' is not an address/);
    expect(text).toMatch(/tests\[0\]\.expect\.stdout\.fuzzy: unknown match mode 'fuzzy'/);
    expect(text).toMatch(/tests\[0\]\.expect\.exit_code: expected an integer >= 0 and <= 255, got 300/);
    expect(text).toMatch(/:13:11: tests\[1\].name: duplicate test name 'a' \(also tests\[0\]\)/);
    expect(text).toMatch(/tests\[1\]\.expect\.stdout\.regex: bad regular expression/);
    expect(text).toMatch(/tests\[2\]\.name: missing: every test needs a name/);
    expect(text).toMatch(/tests\[2\]\.expect: nothing to check/);
    expect(text).toMatch(/tests\[3\]\.call\.function: missing: the label of the function to call/);
    expect(text).toMatch(/tests\[3\]\.stdin_file: nope\.txt: no such file/);
    expect(text).toMatch(/tests\[3\]\.harness: missing\.s: no such file/);
    expect(p.length).toBe(14);
  });

  it('requires a non-empty test list and a mapping at the top', () => {
    expect(problems('name: x\n')).toEqual([expect.stringMatching(/tests: missing: a spec needs a list of tests/)]);
    expect(problems('tests: []\n')[0]).toMatch(/tests: expected a non-empty list of tests, got a list/);
    expect(problems('- 1\n- 2\n')[0]).toMatch(/expected the spec \(a mapping\), got a list/);
  });

  it('rejects mixing program and function test features', () => {
    const p = problems('tests:\n  - name: f\n    call: f\n    args: [x]\n    entry: main\n    expect: { exit_code: 0 }\n').join('\n');
    expect(p).toMatch(/tests\[0\]\.entry: a function test/);
    expect(p).toMatch(/tests\[0\]\.args: program arguments do not apply/);
    expect(p).toMatch(/tests\[0\]\.expect\.exit_code: a function test returns/);
  });

  it('checks value ranges of memory expectations', () => {
    const p = problems('tests:\n  - name: m\n    expect: { "mem_byte[x]": [1, 256], "mem[x]": [4294967296] }\n').join('\n');
    expect(p).toMatch(/expected a 8-bit integer >= -128 and <= 255, got 256/);
    expect(p).toMatch(/expected a 32-bit integer >= -2147483648 and <= 4294967295, got 4294967296/);
  });
});

describe('spec helpers', () => {
  it('names registers', () => {
    expect(registerNumber('$v0')).toBe(2);
    expect(registerNumber('$31')).toBe(31);
    expect(registerNumber('$fp')).toBe(30);
    expect(registerNumber('$s8')).toBe(30);
    expect(registerNumber('lo')).toBe(33);
    expect(registerNumber('$x1')).toBe(-1);
  });
  it('parses address expressions', () => {
    expect(parseAddrExpr('arr+8')).toEqual({ kind: 'label', label: 'arr', offset: 8, text: 'arr+8' });
    expect(parseAddrExpr('arr - 0x10')).toEqual({ kind: 'label', label: 'arr', offset: -16, text: 'arr - 0x10' });
    expect(parseAddrExpr('$a0')).toEqual({ kind: 'reg', reg: 4, offset: 0, text: '$a0' });
    expect(typeof parseAddrExpr('a b')).toBe('string');
  });
});
