// The grading runner with a tiny stand-in assembler (one instruction per line, labels,
// .word/.asciiz/.space, li/la): program tests, function tests with the calling-convention
// checks, postconditions, sandbox limits and determinism, independent of src/asm.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../src/machine/machine.js';
import { SpimEnvironment } from '../src/env/spim.js';
import { GuestFiles } from '../src/env/guest-fs.js';
import { setupSpimStack } from '../src/env/program.js';
import { parseSpec, type GradeSpec } from '../src/grade/spec.js';
import { gradeSubmission, type Submission } from '../src/grade/runner.js';
import type { PreparedProgram, ProgramBuilder, SourceFile } from '../src/grade/load.js';
import type { TestResult } from '../src/grade/results.js';

const TEXT = 0x00400000, DATA = 0x10010000;

const REGS = ['zero', 'at', 'v0', 'v1', 'a0', 'a1', 'a2', 'a3', 't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7',
  's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 't8', 't9', 'k0', 'k1', 'gp', 'sp', 'fp', 'ra'];
const reg = (t: string) => {
  const i = REGS.indexOf(t.replace(/^\$/, ''));
  if (i < 0) throw new Error(`bad register ${t}`);
  return i;
};
/** Encodes the handful of instructions these tests use (numbers: decimal or 0x). */
function asm(line: string): number {
  const [mn, ...ops] = line.trim().split(/[\s,()]+/).filter(Boolean);
  const n = (t: string) => Number(t);
  const I = (op: number, rs: number, rt: number, imm: number) => ((op << 26) | (rs << 21) | (rt << 16) | (imm & 0xffff)) >>> 0;
  const R = (rs: number, rt: number, rd: number, funct: number) => ((rs << 21) | (rt << 16) | (rd << 11) | funct) >>> 0;
  switch (mn) {
    case 'addiu': return I(9, reg(ops[1]), reg(ops[0]), n(ops[2]));
    case 'ori': return I(13, reg(ops[1]), reg(ops[0]), n(ops[2]));
    case 'lui': return I(15, 0, reg(ops[0]), n(ops[1]));
    case 'lw': return I(35, reg(ops[2]), reg(ops[0]), n(ops[1]));
    case 'lbu': return I(36, reg(ops[2]), reg(ops[0]), n(ops[1]));
    case 'sw': return I(43, reg(ops[2]), reg(ops[0]), n(ops[1]));
    case 'addu': return R(reg(ops[1]), reg(ops[2]), reg(ops[0]), 0x21);
    case 'jr': return R(reg(ops[0]), 0, 0, 0x08);
    case 'syscall': return 0x0c;
    case 'j': return ((2 << 26) | ((n(ops[0]) >>> 2) & 0x3ffffff)) >>> 0;
    case 'jal': return ((3 << 26) | ((n(ops[0]) >>> 2) & 0x3ffffff)) >>> 0;
    default: throw new Error(`unknown instruction '${mn}'`);
  }
}

/** A minimal assembler good enough to exercise the runner. */
const miniBuilder: ProgramBuilder = (sources: SourceFile[]) => {
  type Item = { addr: number; line: string; file: string; lineNo: number };
  const code: Item[] = [];
  const data: { addr: number; bytes: number[] }[] = [];
  const labels = new Map<string, number>();
  const diagnostics: string[] = [];
  let pc = TEXT, dp = DATA, inData = false;
  for (const src of sources) {
    src.text.split('\n').forEach((raw, i) => {
      let line = raw.replace(/#.*/, '').trim();
      const lm = /^([A-Za-z_]\w*):\s*(.*)$/.exec(line);
      if (lm) { labels.set(lm[1], inData ? dp : pc); line = lm[2]; }
      if (!line) return;
      if (line === '.text') { inData = false; return; }
      if (line === '.data') { inData = true; return; }
      if (line.startsWith('.globl')) return;
      let m;
      if ((m = /^\.word\s+(.*)$/.exec(line))) {
        dp = (dp + 3) & ~3; if (lm) labels.set(lm[1], dp);
        const bytes: number[] = [];
        for (const v of m[1].split(',')) { const n = Number(v.trim()); bytes.push(n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255); }
        data.push({ addr: dp, bytes }); dp += bytes.length; return;
      }
      if ((m = /^\.asciiz\s+"(.*)"$/.exec(line))) {
        const bytes = [...Buffer.from(JSON.parse(`"${m[1]}"`), 'utf8'), 0];
        data.push({ addr: dp, bytes }); dp += bytes.length; return;
      }
      if ((m = /^\.space\s+(\d+)$/.exec(line))) { dp += Number(m[1]); return; }
      if ((m = /^(li|la)\s+(\$\w+),\s*(\S+)$/.exec(line))) {
        code.push({ addr: pc, line: `lui ${m[2]}, %hi(${m[3]})`, file: src.name, lineNo: i + 1 }); pc += 4;
        code.push({ addr: pc, line: `ori ${m[2]}, ${m[2]}, %lo(${m[3]})`, file: src.name, lineNo: i + 1 }); pc += 4;
        return;
      }
      code.push({ addr: pc, line, file: src.name, lineNo: i + 1 });
      pc += 4;
    });
  }
  const value = (tok: string) => (labels.has(tok) ? labels.get(tok)! : Number(tok));
  const words: number[] = [];
  for (const it of code) {
    let line = it.line.replace(/%hi\((\S+?)\)/, (_, t) => String((value(t) >>> 16) & 0xffff)).replace(/%lo\((\S+?)\)/, (_, t) => String(value(t) & 0xffff));
    const mn = line.split(/\s+/)[0];
    const last = line.split(/[\s,]+/).pop()!;
    if (labels.has(last)) {
      const target = labels.get(last)!;
      const rep = mn === 'j' || mn === 'jal' ? String(target) : String((target - (it.addr + 4)) >> 2);
      line = line.slice(0, line.length - last.length) + rep;
    }
    try { words.push(asm(line)); } catch (e) { diagnostics.push(`${it.file}:${it.lineNo}: ${(e as Error).message}`); }
  }
  if (diagnostics.length) return { diagnostics };
  const prepared: PreparedProgram = {
    instantiate(o) {
      const m = new Machine({ bigEndian: false, delaySlots: false, memoryCap: o.memoryCap });
      m.io = o.io;
      m.mem.map(TEXT, Math.max(4, words.length * 4), 'text');
      words.forEach((w, i) => m.mem.write32(TEXT + 4 * i, w));
      m.mem.map(DATA, 0x10000, 'data');
      for (const d of data) m.mem.writeBytes(d.addr, Uint8Array.from(d.bytes));
      m.env = new SpimEnvironment({ compat: o.compat, heapStart: DATA + 0x10000, files: new GuestFiles(o.fsRoot, o.fsWrite), randomSeed: o.seed });
      setupSpimStack(m, ['prog', ...o.args]);
      m.symbols = [...labels].map(([name, addr]) => ({ name, addr, size: 0 }));
      m.cpu.jumpTo(labels.get('main') ?? TEXT);
      return m;
    },
    sourceLine(pc) {
      const it = code.find((c) => c.addr === pc);
      return it ? { file: it.file, line: it.lineNo, text: it.line } : null;
    },
  };
  return prepared;
};

let dirCounter = 0;
function setup(specText: string, files: Record<string, string>): { spec: GradeSpec; sub: Submission; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), `asmbox-grade-${dirCounter++}-`));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const spec = parseSpec(specText, join(dir, 'spec.yaml'));
  const subFiles = Object.keys(files).filter((f) => f.startsWith('sub')).map((f) => join(dir, f));
  return { spec, sub: { name: 'student', path: dir, files: subFiles }, dir };
}

function grade(specText: string, files: Record<string, string>) {
  const { spec, sub } = setup(specText, files);
  const r = gradeSubmission(spec, sub, miniBuilder);
  return { r, byName: (n: string) => r.tests.find((t) => t.name === n)! as TestResult };
}

const SUM_PROGRAM = `
main:
  addiu $v0, $zero, 5
  syscall
  addu $t0, $v0, $zero
  addiu $v0, $zero, 5
  syscall
  addu $a0, $t0, $v0
  addiu $v0, $zero, 1
  syscall
  addiu $a0, $zero, 10
  addiu $v0, $zero, 11
  syscall
  addiu $v0, $zero, 10
  syscall
`;

describe('program tests', () => {
  it('passes and fails on output, with a diff', () => {
    const { r, byName } = grade(`
tests:
  - { name: ok, stdin: "3\\n4\\n", expect: { stdout: "7\\n" } }
  - { name: wrong, stdin: "3\\n5\\n", expect: { stdout: "7\\n" }, points: 3 }
  - { name: exact-ws, stdin: "3\\n4\\n", expect: { stdout: { exact: "7" } } }
  - { name: contains, stdin: "30\\n40\\n", expect: { stdout: { contains: "70" } } }
  - { name: regex, stdin: "1\\n1\\n", expect: { stdout: { regex: "^\\\\d$" } } }
  - { name: norm, stdin: "1\\n1\\n", expect: { stdout: { normalised: "  2 " } } }
`, { 'sub.s': SUM_PROGRAM });
    expect(r.assembled).toBe(true);
    expect(r.maxScore).toBe(8);
    expect(r.score).toBe(4);
    expect(byName('ok').status).toBe('pass');
    expect(byName('ok').outcome).toMatchObject({ kind: 'exit', exitCode: 0 });
    const w = byName('wrong');
    expect(w.status).toBe('fail');
    expect(w.stdout).toBe('8\n');
    expect(w.failures[0]).toMatchObject({ check: 'stdout', message: 'stdout differs (ignoring trailing whitespace)' });
    expect(w.failures[0].diff).toEqual([{ op: '-', text: '7' }, { op: '+', text: '8' }]);
    expect(byName('exact-ws').failures[0].message).toBe('stdout differs only in trailing whitespace or newlines');
    expect(byName('contains').status).toBe('pass');
    expect(byName('regex').status).toBe('pass');
    expect(byName('norm').status).toBe('pass');
  });

  it('checks exit codes, registers and memory after the program exits', () => {
    const { byName } = grade(`
tests:
  - name: state
    expect: { exit_code: 3, $a0: 3, $t1: 0x10010004, $t2: arr+4, "mem[arr]": [9, 8, 7], "mem_byte[arr+4]": 8, "mem_string[msg]": olleh, "mem_half[arr]": [9, 0] }
  - name: state-wrong
    expect: { exit_code: 0, $a0: 4, "mem[arr+4]": [1, 2], "mem_string[msg]": hello, "mem[0x7f7f0000]": 1 }
`, { 'sub.s': `
.data
arr: .word 9, 8, 7
msg: .asciiz "olleh"
.text
main:
  la $t1, arr
  addiu $t1, $t1, 4
  addu $t2, $t1, $zero
  addiu $a0, $zero, 3
  addiu $v0, $zero, 17
  syscall
` });
    expect(byName('state').failures).toEqual([]);
    const f = byName('state-wrong').failures.map((x) => x.message);
    expect(f).toEqual([
      'exit code 3, expected 0',
      '$a0 is 3, expected 4',
      'mem[arr+4] is [8, 7], expected [1, 2]',
      'mem_string[msg] is "olleh", expected "hello"',
      'mem[0x7f7f0000]: address 0x7f7f0000 is not readable (unmapped)',
    ]);
  });

  it('passes program arguments, and starts at a given entry label', () => {
    const { byName } = grade(`
tests:
  - { name: argc, args: [a, b], expect: { exit_code: 3 } }
  - { name: entry, entry: other, expect: { exit_code: 9 } }
  - { name: no-entry, entry: nowhere, expect: { exit_code: 9 } }
`, { 'sub.s': 'main:\n  addiu $v0, $zero, 17\n  syscall\nother:\n  addiu $a0, $zero, 9\n  addiu $v0, $zero, 17\n  syscall\n' });
    expect(byName('argc').status).toBe('pass');
    expect(byName('entry').status).toBe('pass');
    expect(byName('no-entry')).toMatchObject({ status: 'fail', outcome: { kind: 'setup-error', description: "entry label 'nowhere' not found" } });
  });

  it('seeds random syscalls per test, deterministically', () => {
    const prog = 'main:\n  addiu $a0, $zero, 0\n  addiu $a1, $zero, 1000\n  addiu $v0, $zero, 42\n  syscall\n  addiu $v0, $zero, 1\n  syscall\n  addiu $v0, $zero, 10\n  syscall\n';
    const specText = 'tests:\n  - { name: r1, seed: 5, expect: { stdout: { regex: "^\\\\d+$" } } }\n  - { name: r2, seed: 5, expect: { stdout: { regex: "^\\\\d+$" } } }\n  - { name: r3, seed: 6, expect: { stdout: { regex: "^\\\\d+$" } } }\n';
    const a = grade(specText, { 'sub.s': prog }).r, b = grade(specText, { 'sub.s': prog }).r;
    expect(a.tests.map((t) => t.stdout)).toEqual(b.tests.map((t) => t.stdout));
    expect(a.tests[0].stdout).toBe(a.tests[1].stdout);
    expect(a.tests[0].stdout).not.toBe(a.tests[2].stdout);
  });
});

describe('sandbox limits: every failure is a result, never a crash', () => {
  it('stops infinite loops, output floods and memory hogs, reports faults with the source line', () => {
    const { r, byName } = grade(`
defaults: { max_insns: 100000, max_output: 1000, memory_cap: 1 }
tests:
  - { name: loop, entry: loop, expect: { exit_code: 0 } }
  - { name: flood, entry: flood, expect: { exit_code: 0 } }
  - { name: hog, entry: hog, expect: { exit_code: 0 } }
  - { name: fault, entry: fault, expect: { exit_code: 0 } }
  - { name: timeout, entry: loop, max_insns: 100000000000, timeout: 0.2, expect: { exit_code: 0 } }
  - { name: ok, expect: { exit_code: 0 } }
`, { 'sub.s': `
main:
  addiu $v0, $zero, 10
  syscall
loop:
  j loop
flood:
  addiu $a0, $zero, 65
  addiu $v0, $zero, 11
  syscall
  j flood
hog:
  lui $a0, 1
  addiu $v0, $zero, 9
  syscall
  sw $zero, 0($v0)
  j hog
fault:
  lw $t0, 1($zero)
` });
    expect(byName('loop')).toMatchObject({ status: 'fail', outcome: { kind: 'insn-limit' }, insns: 100000 });
    expect(byName('loop').outcome.location).toBe('sub.s:6');
    const flood = byName('flood');
    expect(flood.outcome.kind).toBe('output-limit');
    expect(flood.stdout).toBe('A'.repeat(1000));
    expect(byName('hog').outcome.kind).toBe('memory');
    const fault = byName('fault');
    expect(fault.outcome).toMatchObject({ kind: 'fault', location: 'sub.s:19', sourceText: 'lw $t0, 1($zero)' });
    expect(fault.failures[0].message).toMatch(/address error on load.*at sub\.s:19 \(lw \$t0, 1\(\$zero\)\)/);
    expect(byName('timeout').outcome.kind).toBe('timeout');
    expect(byName('ok').status).toBe('pass');
    expect(r.score).toBe(1);
  });

  it('reports assembly errors on every test', () => {
    const { r } = grade('tests:\n  - { name: a, expect: { exit_code: 0 } }\n  - { name: b, expect: { exit_code: 0 } }\n', { 'sub.s': 'main:\n  frobnicate $t0\n' });
    expect(r.assembled).toBe(false);
    expect(r.diagnostics[0]).toMatch(/^sub\.s:2: /);
    expect(r.tests.map((t) => [t.status, t.outcome.kind])).toEqual([['error', 'assemble-error'], ['error', 'assemble-error']]);
    expect(r.tests[0].outcome.description).toMatch(/did not assemble:\nsub\.s:2:/);
  });

  it('grades an empty submission as not assembled', () => {
    const { spec } = setup('tests:\n  - { name: a, expect: { exit_code: 0 } }\n', {});
    const r = gradeSubmission(spec, { name: 'x', path: '/nowhere', files: [] }, miniBuilder);
    expect(r.assembled).toBe(false);
    expect(r.diagnostics[0]).toMatch(/no source files/);
  });

  it('grants a host directory only when the spec says so, and a private copy when writable', () => {
    const { spec, sub, dir } = setup('tests:\n  - { name: t, expect: { exit_code: 0 } }\n', { 'sub.s': 'main:\n  addiu $v0, $zero, 10\n  syscall\n' });
    expect(spec.tests[0].files).toBeUndefined();
    writeFileSync(join(dir, 'x'), '');
    expect(gradeSubmission(spec, sub, miniBuilder).tests[0].status).toBe('pass');
  });
});

const FUNCS = `
sum3:
  addu $v0, $a0, $a1
  addu $v0, $v0, $a2
  jr $ra
sum6:
  addu $v0, $a0, $a1
  addu $v0, $v0, $a2
  addu $v0, $v0, $a3
  lw $t0, 16($sp)
  addu $v0, $v0, $t0
  lw $t0, 20($sp)
  addu $v0, $v0, $t0
  jr $ra
clobber:
  addiu $s1, $zero, 3
  addiu $sp, $sp, -8
  jr $ra
nested:
  jal sum3
  jr $ra
exits:
  addiu $v0, $zero, 10
  syscall
first:
  lw $v0, 0($a0)
  lbu $v1, 1($a1)
  sw $v0, 0($a2)
  jr $ra
`;

describe('function tests', () => {
  it('calls a label with $a0-$a3 and stack arguments and checks $v0', () => {
    const { byName } = grade(`
tests:
  - { name: sum3, call: { function: sum3, args: [1, 2, 3] }, expect: { $v0: 6 } }
  - { name: sum6, call: { function: sum6, args: [1, 2, 3, 4, 5, 6] }, expect: { $v0: 21 } }
  - { name: sum3-wrong, call: { function: sum3, args: [1, 2, 3] }, expect: { $v0: 7 } }
  - name: data
    call: { function: first, args: [{ words: [-5, 2] }, { string: "AZ" }, { space: 8, name: out }] }
    expect: { $v0: -5, $v1: 90, "mem[out]": [-5, 0] }
  - { name: missing, call: nosuch, expect: { $v0: 0 } }
`, { 'sub.s': FUNCS });
    expect(byName('sum3').status).toBe('pass');
    expect(byName('sum3').outcome.kind).toBe('returned');
    expect(byName('sum6').status).toBe('pass');
    expect(byName('sum3-wrong').failures.map((f) => f.message)).toEqual(['$v0 is 6, expected 7']);
    expect(byName('data').failures).toEqual([]);
    expect(byName('missing')).toMatchObject({ status: 'fail', outcome: { kind: 'setup-error' } });
    expect(byName('missing').failures[0].message).toMatch(/label 'nosuch' not found/);
  });

  it('catches calling-convention bugs: callee-saved registers, $sp, $ra', () => {
    const { byName } = grade(`
defaults: { max_insns: 10000 }
tests:
  - { name: clobber, call: clobber, expect: { $v0: 0x0badc0de } }
  - { name: clobber-unchecked, call: clobber, check_saved: false, expect: { $s1: 3 } }
  - { name: nested, call: { function: nested, args: [1, 2, 3] }, expect: { $v0: 6 } }
  - { name: exits, call: exits, expect: { $v0: 0 } }
`, { 'sub.s': FUNCS });
    const c = byName('clobber');
    expect(c.status).toBe('fail');
    expect(c.failures.map((f) => f.check)).toEqual(['$sp preserved', '$s1 preserved']);
    expect(c.failures[0].message).toMatch(/8 bytes lower/);
    expect(c.failures[1].message).toMatch(/callee-saved register \$s1 was changed \(0x5e1111a1 before the call, 0x00000003 after\)/);
    expect(byName('clobber-unchecked').status).toBe('pass');
    const n = byName('nested');
    expect(n.outcome.kind).toBe('insn-limit');
    expect(n.outcome.description).toMatch(/\$ra no longer holds the caller's return address/);
    expect(byName('exits').outcome.description).toMatch(/exited \(code 0\) inside exits instead of returning/);
  });

  it('assembles an instructor harness with the submission', () => {
    const { byName } = grade(`
tests:
  - { name: harness, harness: harness.s, entry: hmain, expect: { stdout: "6" } }
`, { 'sub.s': FUNCS, 'harness.s': 'hmain:\n  addiu $a0, $zero, 1\n  addiu $a1, $zero, 2\n  addiu $a2, $zero, 3\n  jal sum3\n  addu $a0, $v0, $zero\n  addiu $v0, $zero, 1\n  syscall\n  addiu $v0, $zero, 10\n  syscall\n' });
    expect(byName('harness').status).toBe('pass');
  });
});

describe('determinism', () => {
  it('gives identical results twice', () => {
    const specText = 'tests:\n  - { name: a, stdin: "3\\n4\\n", expect: { stdout: "7" } }\n  - { name: b, stdin: "3\\n5\\n", expect: { stdout: "7" } }\n';
    const strip = (r: ReturnType<typeof gradeSubmission>) => JSON.stringify({ ...r, ms: 0, path: '', tests: r.tests.map((t) => ({ ...t, ms: 0 })) });
    const a = grade(specText, { 'sub.s': SUM_PROGRAM }).r, b = grade(specText, { 'sub.s': SUM_PROGRAM }).r;
    expect(strip(a)).toBe(strip(b));
  });
});
