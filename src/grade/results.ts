// What grading produces: one SubmissionResult per submission, one TestResult per test. Plain
// data (structured-clone safe) so results cross worker threads and feed every reporter.
import type { DiffLine } from './match.js';
import type { Visibility } from './spec.js';

export type TestStatus = 'pass' | 'fail' | 'error';

/** How the run ended, in the grader's terms. */
export type OutcomeKind =
  | 'exit' // the program exited (syscall 10 or 17)
  | 'returned' // a function test's call returned to the grader
  | 'fault' // unhandled guest exception
  | 'insn-limit'
  | 'timeout'
  | 'memory'
  | 'output-limit'
  | 'halt'
  | 'assemble-error' // the submission (with the harness) did not assemble
  | 'setup-error' // e.g. the entry or function label does not exist
  | 'internal-error'; // a bug in asmbox, or the worker died

export interface Outcome {
  kind: OutcomeKind;
  exitCode?: number;
  /** One or more lines saying what happened. */
  description: string;
  /** `bubble.s:17` for faults (and where the program stopped for limits), when known. */
  location?: string;
  /** The source line at `location`. */
  sourceText?: string;
}

export interface CheckFailure {
  /** What was checked: `stdout`, `exit code`, `$v0`, `mem[result]`, `$s1 preserved`, `run`, ... */
  check: string;
  message: string;
  expected?: string;
  actual?: string;
  diff?: DiffLine[];
}

export interface TestResult {
  index: number;
  name: string;
  description?: string;
  kind: 'program' | 'function';
  visibility: Visibility;
  status: TestStatus;
  score: number;
  maxScore: number;
  outcome: Outcome;
  failures: CheckFailure[];
  stdout: string;
  stderr: string;
  /** True when stdout/stderr above were shortened for the report. */
  outputTruncated: boolean;
  insns: number;
  ms: number;
}

export interface SubmissionResult {
  name: string;
  path: string;
  files: string[];
  score: number;
  maxScore: number;
  /** False when the submission did not assemble (every test then says why). */
  assembled: boolean;
  /** Assembler messages (`file:line: message`), when it did not assemble. */
  diagnostics: string[];
  tests: TestResult[];
  ms: number;
}

export interface GradeRun {
  spec: { name: string; file: string; maxScore: number; tests: { name: string; points: number; visibility: Visibility }[] };
  submissions: SubmissionResult[];
  jobs: number;
  ms: number;
}

export function countTests(run: GradeRun): { total: number; passed: number; failed: number; errors: number } {
  let total = 0, passed = 0, failed = 0, errors = 0;
  for (const s of run.submissions) {
    for (const t of s.tests) {
      total++;
      if (t.status === 'pass') passed++;
      else if (t.status === 'fail') failed++;
      else errors++;
    }
  }
  return { total, passed, failed, errors };
}
