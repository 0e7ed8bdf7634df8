// End to end on the sample assignment (examples/lab4) with the real assembler: the expected
// score of each sample submission, identical results with --jobs 1 and --jobs 4 (worker
// threads), the same results twice (determinism), and the CLI's exit codes and reports.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSpec } from '../src/grade/spec.js';
import { findSubmissions } from '../src/grade/submissions.js';
import { gradeAll } from '../src/grade/pool.js';
import { gradeCommand, GRADE_EXIT, type GradeFlags } from '../src/grade/command.js';
import type { SubmissionResult } from '../src/grade/results.js';

const LAB = resolve(__dirname, '../examples/lab4');
const spec = loadSpec(join(LAB, 'spec.yaml'));
const subs = findSubmissions([join(LAB, 'submissions')], spec.sources);

/** Results without timings (which differ run to run, as does how far a wall-clock timeout got). */
function stable(rs: SubmissionResult[]): unknown {
  return rs.map((r) => ({ ...r, ms: 0, tests: r.tests.map((t) => ({ ...t, ms: 0, insns: t.outcome.kind === 'timeout' ? 0 : t.insns })) }));
}

async function cli(args: string[], flags: Partial<GradeFlags>) {
  let out = '', err = '';
  const code = await gradeCommand(args[0], args.slice(1), { format: 'terminal', progress: false, ...flags }, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, stderrTTY: false });
  return { code, out, err };
}

describe('sample assignment', () => {
  it('grades the three sample submissions as documented', async () => {
    const rs = await gradeAll(spec, subs, { jobs: 1 });
    const by = Object.fromEntries(rs.map((r) => [r.name, r]));
    expect(Object.keys(by).sort()).toEqual(['broken', 'buggy', 'correct']);
    expect(by.correct.score).toBe(14);
    expect(by.correct.tests.every((t) => t.status === 'pass')).toBe(true);
    expect(by.broken.assembled).toBe(false);
    expect(by.broken.diagnostics.join('\n')).toMatch(/lab4\.s:\d+:\d+: error: unknown instruction 'adu'/);
    expect(by.broken.diagnostics.join('\n')).toMatch(/sort_outr/);
    expect(by.broken.score).toBe(0);
    const b = Object.fromEntries(by.buggy.tests.map((t) => [t.name, t]));
    expect(by.buggy.score).toBe(5);
    expect(b['no numbers at all'].outcome.kind).toBe('output-limit');
    expect(b['no numbers at all'].outcome.location).toMatch(/^lab4\.s:\d+$/);
    expect(b['sort(a, 5)'].failures.map((f) => f.check)).toEqual(['$s2 preserved']);
    expect(b['strrev("hello")'].failures[0].message).toBe('$v0 is 6, expected 5');
    expect(b['harness calls sort and strrev'].failures[0].diff).toContainEqual({ op: '+', text: '9' });
  });

  it('gives identical results with --jobs 1 and --jobs 4, and on every run', async () => {
    const many = [...subs, ...subs, ...subs].map((s, i) => ({ ...s, name: `${s.name}-${i}` }));
    const one = await gradeAll(spec, many, { jobs: 1 });
    const four = await gradeAll(spec, many, { jobs: 4 });
    expect(stable(four)).toEqual(stable(one));
    const again = await gradeAll(spec, many, { jobs: 1 });
    expect(stable(again)).toEqual(stable(one));
  }, 120_000);
});

describe('grade command', () => {
  it('exits 1 when some test fails, 0 when all pass', async () => {
    const all = await cli([join(LAB, 'spec.yaml'), join(LAB, 'submissions')], { jobs: 1 });
    expect(all.code).toBe(GRADE_EXIT.someFailed);
    expect(all.out).toMatch(/correct\s+14\/14\s+10\/10/);
    const good = await cli([join(LAB, 'spec.yaml'), join(LAB, 'submissions/correct')], { jobs: 1 });
    expect(good.code).toBe(GRADE_EXIT.allPassed);
  });

  it('exits 78 for an invalid spec, listing the problems', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asmbox-cli-'));
    writeFileSync(join(dir, 'bad.yaml'), 'tests:\n  - name: a\n    expect: { stdout: x }\n    stdn: y\n');
    const r = await cli([join(dir, 'bad.yaml'), join(LAB, 'submissions')], {});
    expect(r.code).toBe(GRADE_EXIT.specError);
    expect(r.err).toMatch(/bad\.yaml:4:5: tests\[0\]\.stdn: unknown test key 'stdn' \(did you mean 'stdin'\?\)/);
  });

  it('exits 66 when there is nothing to grade', async () => {
    const r = await cli([join(LAB, 'spec.yaml'), join(LAB, 'nope')], {});
    expect(r.code).toBe(GRADE_EXIT.badInput);
  });

  it('writes every format, and one gradescope results.json per submission into a directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asmbox-cli-'));
    for (const format of ['json', 'junit', 'tap', 'csv'] as const) {
      const r = await cli([join(LAB, 'spec.yaml'), join(LAB, 'submissions')], { jobs: 1, format, output: join(dir, `out.${format}`) });
      expect(r.code).toBe(1);
      expect(readFileSync(join(dir, `out.${format}`), 'utf8').length).toBeGreaterThan(100);
    }
    expect(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')).summary).toEqual({ total: 30, passed: 14, failed: 6, errors: 10 });
    const csv = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n');
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['broken,0,14', 'buggy,5,14', 'correct,14,14']);
    const refused = await cli([join(LAB, 'spec.yaml'), join(LAB, 'submissions/correct'), join(LAB, 'submissions/buggy')], { jobs: 1, format: 'gradescope' });
    expect(refused.code).toBe(GRADE_EXIT.usage);
    expect(refused.err).toMatch(/one results\.json per submission/);
    const gs = await cli([join(LAB, 'spec.yaml'), join(LAB, 'submissions')], { jobs: 1, format: 'gradescope', output: join(dir, 'gs') + '/' });
    expect(gs.code).toBe(1);
    const g = JSON.parse(readFileSync(join(dir, 'gs/buggy/results.json'), 'utf8'));
    expect(g.score).toBe(5);
    expect(g.tests).toHaveLength(10);
    const single = await cli([join(LAB, 'spec.yaml'), join(LAB, 'submissions/correct')], { jobs: 1, format: 'gradescope' });
    expect(JSON.parse(single.out).score).toBe(14);
  });
});

describe('sandbox, with real assembly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'asmbox-sandbox-'));
  writeFileSync(join(dir, 'secret.txt'), 'top secret\n');
  const prog = `
        .data
path:   .asciiz "secret.txt"
buf:    .space 64
        .text
        .globl main
main:   li $v0, 10
        syscall
        .globl loop
loop:   j loop
        .globl flood
flood:  li $a0, 'x'
        li $v0, 11
        syscall
        j flood
        .globl hog
hog:    li $a0, 1048576
        li $v0, 9
        syscall
        sw $zero, 0($v0)
        sw $zero, 4096($v0)
        sw $zero, 8192($v0)
        j hog
        .globl fault
fault:  li $t0, 3
        lw $t1, 0($t0)
        .globl readfile
readfile:
        la $a0, path
        li $a1, 0
        li $a2, 0
        li $v0, 13
        syscall
        move $a0, $v0
        bltz $v0, done
        la $a1, buf
        li $a2, 63
        li $v0, 14
        syscall
        la $a0, buf
        li $v0, 4
        syscall
done:   li $v0, 17
        syscall
        .globl clock
clock:  li $v0, 30
        syscall
        li $v0, 1
        syscall
        li $v0, 42
        li $a0, 0
        li $a1, 1000000
        syscall
        li $v0, 1
        syscall
        li $v0, 10
        syscall
`;
  writeFileSync(join(dir, 'prog.s'), prog);
  writeFileSync(join(dir, 'spec.yaml'), `
defaults: { max_insns: 200000, max_output: 500, memory_cap: 2, timeout: 20 }
tests:
  - { name: loop, entry: loop, expect: { exit_code: 0 } }
  - { name: timeout, entry: loop, max_insns: 100000000000, timeout: 0.3, expect: { exit_code: 0 } }
  - { name: flood, entry: flood, expect: { exit_code: 0 } }
  - { name: hog, entry: hog, expect: { exit_code: 0 } }
  - { name: fault, entry: fault, expect: { exit_code: 0 } }
  - { name: no files, entry: readfile, expect: { exit_code: 255 } }
  - { name: granted, entry: readfile, files: ".", expect: { stdout: "top secret" } }
  - { name: clock, entry: clock, expect: { stdout: { regex: "^\\\\d+$" } } }
  - { name: ok, expect: { exit_code: 0 } }
`);
  const sspec = loadSpec(join(dir, 'spec.yaml'));
  const sub = { name: 'p', path: dir, files: [join(dir, 'prog.s')] };

  it('turns loops, floods, hogs, faults and file access into clear results', async () => {
    const [r] = await gradeAll(sspec, [sub], { jobs: 1 });
    const t = Object.fromEntries(r.tests.map((x) => [x.name, x]));
    expect(t.loop.outcome.kind).toBe('insn-limit');
    expect(t.loop.insns).toBe(200000);
    expect(t.loop.outcome.location).toMatch(/^prog\.s:10$/);
    expect(t.timeout.outcome.kind).toBe('timeout');
    expect(t.flood.outcome.kind).toBe('output-limit');
    expect(t.flood.stdout).toBe('x'.repeat(500));
    expect(t.hog.outcome.kind).toBe('memory');
    expect(t.fault.outcome).toMatchObject({ kind: 'fault', location: 'prog.s:26', sourceText: 'lw $t1, 0($t0)' });
    expect(t['no files'].status).toBe('pass'); // open failed: -1, exit code 255
    expect(t.granted.status).toBe('pass');
    expect(t.ok.status).toBe('pass');
    expect(r.tests.filter((x) => x.status === 'pass').map((x) => x.name)).toEqual(['no files', 'granted', 'clock', 'ok']);
  });

  it('is deterministic: virtual time and seeded random give the same output every run', async () => {
    const a = await gradeAll(sspec, [sub], { jobs: 1 });
    const b = await gradeAll(sspec, [sub], { jobs: 1 });
    expect(stable(a)).toEqual(stable(b));
    expect(a[0].tests.find((x) => x.name === 'clock')!.stdout).toMatch(/^\d+$/);
  });
});

describe('per-test compat, engine and streams', () => {
  it('runs each test with its own compat profile and engine, and checks stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asmbox-compat-'));
    writeFileSync(join(dir, 'f.s'), `
        .data
f:      .float 2.5
msg:    .ascii "oops"
        .text
        .globl main
main:   lwc1 $f12, f
        li $v0, 2
        syscall
        li $a0, 2
        la $a1, msg
        li $a2, 4
        li $v0, 15
        syscall
        li $v0, 10
        syscall
`);
    writeFileSync(join(dir, 'spec.yaml'), `
tests:
  - { name: mars, expect: { stdout: { exact: "2.5" }, stderr: oops } }
  - { name: spim, compat: spim, expect: { stdout: { exact: "2.50000000" } } }
  - { name: interp, engine: interp, expect: { stdout: "2.5" } }
  - { name: jit, engine: jit, expect: { stdout: "2.5" } }
  - { name: wrong stderr, expect: { stderr: { contains: "fine" } } }
`);
    const s = loadSpec(join(dir, 'spec.yaml'));
    const [r] = await gradeAll(s, [{ name: 'f', path: dir, files: [join(dir, 'f.s')] }], { jobs: 1 });
    expect(r.tests.map((t) => [t.name, t.status])).toEqual([['mars', 'pass'], ['spim', 'pass'], ['interp', 'pass'], ['jit', 'pass'], ['wrong stderr', 'fail']]);
    expect(r.tests[0].stderr).toBe('oops');
    expect(r.tests[4].failures[0].message).toBe('stderr does not contain "fine"');
  });
});
