// Runs one submission against a spec: assembles it (with each harness set) once, then every
// test in its own fresh Machine with its own limits, stdin, seed and engine, and checks the
// results. Nothing a submission does can stop the batch: every failure becomes a TestResult.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runMachine, type RunResult } from '../machine/run.js';
import { createEngine } from '../machine/engines.js';
import { describeResult } from '../machine/report.js';
import { ExcCode, GuestException, StopRun } from '../machine/exceptions.js';
import type { Machine } from '../machine/machine.js';
import { GradeIO } from './io.js';
import { assembleSources, isFailure, type PreparedProgram, type ProgramBuilder, type SourceFile } from './load.js';
import { matchOutput } from './match.js';
import { registerName, type AddrExpr, type CallArg, type GradeSpec, type Postcondition, type TestSpec } from './spec.js';
import type { CheckFailure, Outcome, SubmissionResult, TestResult } from './results.js';

export interface Submission {
  name: string;
  /** The file or directory given. */
  path: string;
  /** Source files to assemble, absolute. */
  files: string[];
}

/** Report at most this much of each output stream (checks always see all of it). */
const REPORT_OUTPUT_MAX = 16 * 1024;

// Function tests: the call returns to a `break` at TRAMPOLINE; argument data lives in SCRATCH.
// Both sit in the gap SPIM leaves between the heap limit (0x7f000000) and the stack (0x7f800000).
export const SCRATCH_BASE = 0x7f000000;
export const SCRATCH_SIZE = 0x00400000;
export const TRAMPOLINE = 0x7f7ff000;
const BREAK_WORD = 0x0000000d;
/** Values callee-saved registers hold when a function test starts. */
export const SAVED_SENTINELS: Record<number, number> = {
  16: 0x5e0000a0 | 0, 17: 0x5e1111a1 | 0, 18: 0x5e2222a2 | 0, 19: 0x5e3333a3 | 0,
  20: 0x5e4444a4 | 0, 21: 0x5e5555a5 | 0, 22: 0x5e6666a6 | 0, 23: 0x5e7777a7 | 0,
};
const RETURN_JUNK = 0x0badc0de;

const hex = (v: number) => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export function gradeSubmission(spec: GradeSpec, sub: Submission, build: ProgramBuilder = assembleSources): SubmissionResult {
  const start = performance.now();
  const result: SubmissionResult = {
    name: sub.name, path: sub.path, files: sub.files.map((f) => basename(f)), score: 0, maxScore: spec.maxScore,
    assembled: true, diagnostics: [], tests: [], ms: 0,
  };
  let studentSources: SourceFile[];
  try {
    studentSources = sub.files.map(readSource);
  } catch (e) {
    result.assembled = false;
    result.diagnostics = [(e as Error).message];
    result.tests = spec.tests.map((t) => notRun(t, 'setup-error', `could not read the submission: ${(e as Error).message}`));
    result.ms = performance.now() - start;
    return result;
  }
  if (studentSources.length === 0) {
    result.assembled = false;
    result.diagnostics = [`no source files found (looked for ${spec.sources.join(', ')})`];
  }
  // One assembly per distinct harness set (and start-up convention).
  const prepared = new Map<string, PreparedProgram | { diagnostics: string[] }>();
  for (const t of spec.tests) {
    const key = `${t.compat}\n${t.harness.join('\n')}`;
    if (!prepared.has(key)) {
      if (studentSources.length === 0) prepared.set(key, { diagnostics: result.diagnostics });
      else {
        try {
          prepared.set(key, build([...studentSources, ...t.harness.map(readSource)], { compat: t.compat }));
        } catch (e) {
          prepared.set(key, { diagnostics: [`internal error while assembling: ${(e as Error).message}`] });
        }
      }
    }
    const p = prepared.get(key)!;
    if (isFailure(p)) {
      result.assembled = false;
      for (const d of p.diagnostics) if (!result.diagnostics.includes(d)) result.diagnostics.push(d);
      result.tests.push(notRun(t, 'assemble-error', `the submission did not assemble${t.harness.length ? ' with the harness' : ''}:\n${p.diagnostics.slice(0, 10).join('\n')}${p.diagnostics.length > 10 ? `\n(${p.diagnostics.length - 10} more)` : ''}`));
      continue;
    }
    let tr: TestResult;
    currentProgram = p;
    try {
      tr = runTest(t, p);
    } catch (e) {
      tr = notRun(t, 'internal-error', `internal error in asmbox: ${(e as Error).message}`);
    } finally {
      currentProgram = null;
    }
    result.tests.push(tr);
  }
  result.score = result.tests.reduce((s, t) => s + t.score, 0);
  result.ms = performance.now() - start;
  return result;
}

function readSource(path: string): SourceFile {
  // Bytes as latin1, like the assembler's own file reader: UTF-8 in strings passes through unchanged.
  return { path, name: basename(path), text: readFileSync(path, 'latin1') };
}

function baseResult(t: TestSpec): TestResult {
  return {
    index: t.index, name: t.name, description: t.description, kind: t.call ? 'function' : 'program', visibility: t.visibility,
    status: 'fail', score: 0, maxScore: t.points, outcome: { kind: 'internal-error', description: '' }, failures: [],
    stdout: '', stderr: '', outputTruncated: false, insns: 0, ms: 0,
  };
}

export function notRun(t: TestSpec, kind: Outcome['kind'], description: string): TestResult {
  const r = baseResult(t);
  r.status = 'error';
  r.outcome = { kind, description };
  r.failures = [{ check: kind === 'assemble-error' ? 'assemble' : 'run', message: description.split('\n')[0] }];
  return r;
}

function runTest(t: TestSpec, p: PreparedProgram): TestResult {
  const start = performance.now();
  const r = baseResult(t);
  const io = new GradeIO(t.stdin, t.limits.maxOutput);
  let tmpDir: string | null = null;
  let machine: Machine | null = null;
  let fsRoot: string | null = t.files?.dir ?? null;
  if (t.files?.write) {
    // A writable grant gets a private copy per test: tests and submissions never see each other's files.
    tmpDir = mkdtempSync(join(tmpdir(), 'asmbox-grade-'));
    cpSync(t.files.dir, tmpDir, { recursive: true });
    fsRoot = tmpDir;
  }
  try {
    const m = p.instantiate({ compat: t.compat, seed: t.seed, args: t.args, memoryCap: t.limits.memoryCap, fsRoot, fsWrite: !!t.files?.write, io });
    machine = m;
    const names = new Map<string, number>();
    const frame = { sp: 0, fp: 0 };
    const setupError = t.call ? setupCall(m, t, names, frame) : setupEntry(m, t);
    if (setupError) {
      r.outcome = { kind: 'setup-error', description: setupError };
      r.failures.push({ check: 'setup', message: setupError });
      r.ms = performance.now() - start;
      return r;
    }
    const engine = createEngine(t.engine, m);
    const run = runMachine(m, engine, { maxInsns: t.limits.maxInsns, timeoutMs: t.limits.timeoutMs });
    r.insns = run.insns;
    r.outcome = outcomeOf(m, run, t, p);
    const out = io.stdout(), err = io.stderr();
    r.stdout = out.length > REPORT_OUTPUT_MAX ? out.slice(0, REPORT_OUTPUT_MAX) : out;
    r.stderr = err.length > REPORT_OUTPUT_MAX ? err.slice(0, REPORT_OUTPUT_MAX) : err;
    r.outputTruncated = out.length > REPORT_OUTPUT_MAX || err.length > REPORT_OUTPUT_MAX;
    check(m, t, r, out, err, names, frame);
  } finally {
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
    // Give the memory's page tables back for the next machine, where Memory supports it.
    (machine?.mem as { release?: () => void } | undefined)?.release?.();
  }
  r.status = r.failures.length ? 'fail' : 'pass';
  r.score = r.status === 'pass' ? t.points : 0;
  r.ms = performance.now() - start;
  return r;
}

let currentProgram: PreparedProgram | null = null;

function symbolAddr(m: Machine, name: string): number | undefined {
  return currentProgram?.lookup?.(name) ?? m.symbols.find((s) => s.name === name)?.addr;
}

function setupEntry(m: Machine, t: TestSpec): string | null {
  if (!t.entry) return null;
  const addr = symbolAddr(m, t.entry);
  if (addr === undefined) return `entry label '${t.entry}' not found`;
  m.cpu.jumpTo(addr);
  return null;
}

/** Function test: arguments in $a0-$a3 and on the stack, $ra at the trampoline, sentinels in $s0-$s7. */
function setupCall(m: Machine, t: TestSpec, names: Map<string, number>, frame: { sp: number; fp: number }): string | null {
  const call = t.call!;
  const fn = symbolAddr(m, call.function);
  if (fn === undefined) return `label '${call.function}' not found: the submission must define the function '${call.function}'`;
  m.mem.map(SCRATCH_BASE, SCRATCH_SIZE, 'grader-data');
  m.mem.map(TRAMPOLINE, 4096, 'grader-return');
  m.mem.write32(TRAMPOLINE, BREAK_WORD);
  let next = SCRATCH_BASE;
  const values: number[] = [];
  for (const a of call.args) {
    if (a.kind === 'int') { values.push(a.value); continue; }
    if (a.kind === 'addr') {
      const v = resolveAddr(m, a.addr, names);
      if (typeof v === 'string') return `argument ${a.addr.text}: ${v}`;
      values.push(v | 0);
      continue;
    }
    next = (next + 7) & ~7;
    const addr = next;
    writeData(m, addr, a);
    next += Math.max(a.size, 1);
    if (next > SCRATCH_BASE + SCRATCH_SIZE) return 'the call arguments need more than 4 MiB of data';
    if (a.name) names.set(a.name, addr);
    values.push(addr | 0);
  }
  const r = m.cpu.r;
  const stackArgs = Math.max(0, values.length - 4);
  const callerSp = (r[29] >>> 0) & ~7;
  const sp = (callerSp - 16 - 4 * stackArgs - 8) & ~7; // o32: 16 bytes of home space for $a0-$a3, then args 5..n
  values.forEach((v, i) => {
    if (i < 4) r[4 + i] = v;
    else m.mem.write32(sp + 16 + 4 * (i - 4), v);
  });
  for (const [reg, v] of Object.entries(SAVED_SENTINELS)) r[Number(reg)] = v;
  r[29] = sp;
  r[30] = callerSp; // the caller's frame pointer
  r[31] = TRAMPOLINE;
  r[2] = r[3] = RETURN_JUNK;
  frame.sp = r[29];
  frame.fp = r[30];
  m.cpu.jumpTo(fn);
  return null;
}

function writeData(m: Machine, addr: number, a: Extract<CallArg, { kind: 'data' }>): void {
  switch (a.data) {
    case 'string': m.mem.writeBytes(addr, Buffer.from(a.text! + '\0', 'utf8')); return;
    case 'space': return;
    case 'words': a.values.forEach((v, i) => m.mem.write32(addr + 4 * i, v)); return;
    case 'halves': a.values.forEach((v, i) => m.mem.write16(addr + 2 * i, v)); return;
    case 'bytes': a.values.forEach((v, i) => m.mem.write8(addr + i, v)); return;
  }
}

function resolveAddr(m: Machine, e: AddrExpr, names: Map<string, number>): number | string {
  switch (e.kind) {
    case 'abs': return e.addr >>> 0;
    case 'reg': return (m.cpu.r[e.reg] + e.offset) >>> 0;
    case 'label': {
      const named = names.get(e.label);
      const base = named ?? symbolAddr(m, e.label);
      if (base === undefined) return `label '${e.label}' not found`;
      return (base + e.offset) >>> 0;
    }
  }
}

function outcomeOf(m: Machine, run: RunResult, t: TestSpec, p: PreparedProgram): Outcome {
  if (t.call && run.kind === 'fault' && m.fault && m.fault.pc === TRAMPOLINE && m.fault.exception.code === ExcCode.Bp) {
    return { kind: 'returned', description: `${t.call.function} returned` };
  }
  const o: Outcome = { kind: run.kind, exitCode: run.kind === 'exit' ? run.exitCode : undefined, description: describeResult(m, run) };
  if (run.kind === 'exit' && t.call) o.description = `the program exited (code ${run.exitCode}) inside ${t.call.function} instead of returning with jr $ra`;
  // Where it stopped: the faulting instruction, or the next one for limits.
  if (run.kind !== 'exit' && run.kind !== 'halt') {
    const pc = run.kind === 'fault' && m.fault ? m.fault.pc : m.cpu.pc;
    let loc = null;
    try { loc = p.sourceLine(pc); } catch { loc = null; }
    if (loc) {
      o.location = `${loc.file}:${loc.line}`;
      if (loc.text !== undefined) o.sourceText = Buffer.from(loc.text.trim(), 'latin1').toString('utf8');
    }
    if (run.kind === 'fault' && m.fault?.pc === TRAMPOLINE) o.description = 'the function returned, but not by its return address: execution reached the grader\'s return trampoline in an unexpected way';
    else if (run.kind === 'fault' && t.call && m.fault && m.fault.pc === (m.cpu.r[31] >>> 0) && m.cpu.r[31] >>> 0 !== TRAMPOLINE) {
      o.description += `\n  hint: $ra is ${hex(m.cpu.r[31])}, not the caller's return address; was $ra saved and restored around a nested jal?`;
    } else if ((run.kind === 'insn-limit' || run.kind === 'timeout') && t.call && m.cpu.r[31] >>> 0 !== TRAMPOLINE) {
      o.description += `\n  hint: $ra no longer holds the caller's return address (${hex(m.cpu.r[31])}); a nested jal without saving $ra often loops forever`;
    }
  }
  return o;
}

function check(m: Machine, t: TestSpec, r: TestResult, out: string, err: string, names: Map<string, number>, frame: { sp: number; fp: number }): void {
  const f = r.failures;
  const expectedEnd = t.call ? 'returned' : 'exit';
  if (r.outcome.kind !== expectedEnd) {
    const where = r.outcome.location ? ` at ${r.outcome.location}${r.outcome.sourceText ? ` (${r.outcome.sourceText})` : ''}` : '';
    f.push({ check: 'run', message: `${r.outcome.description.split('\n')[0]}${where}` });
  }
  if (t.exitCode !== undefined && r.outcome.kind === 'exit' && r.outcome.exitCode !== t.exitCode) {
    f.push({ check: 'exit code', message: `exit code ${r.outcome.exitCode}, expected ${t.exitCode}`, expected: String(t.exitCode), actual: String(r.outcome.exitCode) });
  }
  for (const [stream, exp, actual] of [['stdout', t.stdout, out], ['stderr', t.stderr, err]] as const) {
    if (!exp) continue;
    const res = matchOutput(exp, actual, stream);
    if (!res.ok) f.push({ check: stream, message: res.message ?? `${stream} differs`, expected: exp.texts.join('\n'), actual, diff: res.diff });
  }
  // State checks only mean something once the program (or function) finished.
  const finished = r.outcome.kind === expectedEnd;
  if (!finished) return;
  if (t.call?.checkSaved) {
    stackChecks(m, frame.sp, frame.fp, f);
    checkSaved(m, f);
  }
  for (const post of t.post) checkPost(m, post, names, f);
}

function checkSaved(m: Machine, f: CheckFailure[]): void {
  const r = m.cpu.r;
  for (const [regS, v] of Object.entries(SAVED_SENTINELS)) {
    const reg = Number(regS);
    if (r[reg] !== v) {
      f.push({
        check: `${registerName(reg)} preserved`, expected: hex(v), actual: hex(r[reg]),
        message: `callee-saved register ${registerName(reg)} was changed (${hex(v)} before the call, ${hex(r[reg])} after): save it on the stack before using it and restore it before returning`,
      });
    }
  }
}

/** Called after the run: $sp and $fp must be back where the caller had them. */
function stackChecks(m: Machine, sp0: number, fp0: number, f: CheckFailure[]): void {
  const r = m.cpu.r;
  if (r[29] !== sp0) f.push({ check: '$sp preserved', expected: hex(sp0), actual: hex(r[29]), message: `$sp was ${hex(sp0)} before the call and ${hex(r[29])} after (${describeDelta(r[29] - sp0)}): pop exactly what the function pushed` });
  if (r[30] !== fp0) f.push({ check: '$fp preserved', expected: hex(fp0), actual: hex(r[30]), message: `callee-saved register $fp was changed (${hex(fp0)} before the call, ${hex(r[30])} after): save and restore it` });
}

function describeDelta(d: number): string {
  return d > 0 ? `${d} bytes higher` : `${-d} bytes lower`;
}

function readMem(m: Machine, addr: number, width: 1 | 2 | 4): number {
  return width === 4 ? m.mem.read32(addr) : width === 2 ? m.mem.read16(addr) : m.mem.read8(addr);
}

function checkPost(m: Machine, post: Postcondition, names: Map<string, number>, f: CheckFailure[]): void {
  try {
    if (post.kind === 'reg') {
      const actual = m.cpu.r[post.reg];
      let expected: number;
      if (post.expected.kind === 'int') expected = post.expected.value;
      else {
        const a = resolveAddr(m, post.expected.addr, names);
        if (typeof a === 'string') { f.push({ check: post.key, message: `${post.key}: ${a}` }); return; }
        expected = a;
      }
      if ((actual >>> 0) !== (expected >>> 0)) {
        f.push({ check: post.key, message: `${post.key} is ${fmtInt(actual)}, expected ${fmtInt(expected)}`, expected: fmtInt(expected), actual: fmtInt(actual) });
      }
      return;
    }
    const addr = resolveAddr(m, post.addr, names);
    if (typeof addr === 'string') { f.push({ check: post.key, message: `${post.key}: ${addr}` }); return; }
    if (post.kind === 'mem_string') {
      const bytes = m.mem.readCString(addr, Buffer.byteLength(post.value) + 4096);
      if (bytes === null) { f.push({ check: post.key, message: `${post.key}: the string at ${hex(addr)} runs into unmapped memory` }); return; }
      const actual = Buffer.from(bytes).toString('utf8');
      if (actual !== post.value) f.push({ check: post.key, message: `${post.key} is ${JSON.stringify(actual)}, expected ${JSON.stringify(post.value)}`, expected: post.value, actual });
      return;
    }
    if (addr % post.width) { f.push({ check: post.key, message: `${post.key}: address ${hex(addr)} is not ${post.width}-byte aligned` }); return; }
    const actual = post.values.map((_, i) => readMem(m, addr + i * post.width, post.width));
    const norm = (v: number) => (post.width === 4 ? v | 0 : v);
    if (actual.some((v, i) => norm(v) !== norm(post.values[i]))) {
      const fmt = (vs: number[]) => `[${vs.map((v) => (post.width === 4 ? String(v | 0) : String(v))).join(', ')}]`;
      const one = post.values.length === 1;
      const e = one ? String(norm(post.values[0])) : fmt(post.values), a = one ? String(norm(actual[0])) : fmt(actual);
      f.push({ check: post.key, message: `${post.key} is ${a}, expected ${e}`, expected: e, actual: a });
    }
  } catch (e) {
    if (e instanceof GuestException) { f.push({ check: post.key, message: `${post.key}: address ${hex(e.badVAddr ?? 0)} is not readable (unmapped)` }); return; }
    if (e instanceof StopRun) { f.push({ check: post.key, message: `${post.key}: ${e.message ?? 'cannot read memory'}` }); return; }
    throw e;
  }
}

function fmtInt(v: number): string {
  const s = v | 0;
  return s < -9 || s > 9 ? `${s} (${hex(s)})` : String(s);
}
