// `asmbox grade SPEC SUBMISSION...`: load the spec, find submissions, grade them on the worker
// pool, write the report. Returns the process exit code.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSpec, SpecError, type Compat, type EngineName, type GradeSpec } from './spec.js';
import { findSubmissions, SubmissionError } from './submissions.js';
import { defaultJobs, gradeAll } from './pool.js';
import type { GradeRun, SubmissionResult } from './results.js';
import { formatTerminal } from './report/terminal.js';
import { formatCsv, formatGradescope, formatJson, formatJunit, formatTap, type Format } from './report/formats.js';

/** Exit codes of `asmbox grade`. */
export const GRADE_EXIT = {
  allPassed: 0,
  someFailed: 1,
  usage: 2,
  /** No submissions found, or an unreadable submission path. */
  badInput: 66,
  /** The spec is invalid (sysexits EX_CONFIG). */
  specError: 78,
} as const;

export interface GradeFlags {
  jobs?: number;
  format: Format;
  output?: string;
  quiet?: boolean;
  verbose?: boolean;
  progress?: boolean;
  engine?: EngineName;
  compat?: Compat;
  /** Each argument is one submission (sources found in subdirectories too). */
  single?: boolean;
}

export interface GradeStreams {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Whether stderr is a terminal (progress bar). */
  stderrTTY: boolean;
}

const defaultStreams = (): GradeStreams => ({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stderrTTY: !!process.stderr.isTTY,
});

export async function gradeCommand(specFile: string, subArgs: string[], flags: GradeFlags, io: GradeStreams = defaultStreams()): Promise<number> {
  let spec: GradeSpec;
  try {
    spec = loadSpec(specFile);
  } catch (e) {
    if (e instanceof SpecError) {
      io.stderr(`asmbox grade: invalid spec (${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}):\n${e.message}\n`);
      return GRADE_EXIT.specError;
    }
    throw e;
  }
  if (flags.engine) for (const t of spec.tests) t.engine = flags.engine;
  if (flags.compat) for (const t of spec.tests) t.compat = flags.compat;
  const harness = [...new Set(spec.tests.flatMap((t) => t.harness))];
  let subs;
  try {
    // Gradescope grades one student per run: the submission directory is one submission,
    // whatever folders the student's upload has.
    // (With -o DIR/ the instructor asks for one results.json per submission instead.)
    const single = flags.single ?? (flags.format === 'gradescope' && subArgs.length === 1 && !isDirTarget(flags.output));
    subs = findSubmissions(subArgs, spec.sources, harness, process.cwd(), single);
  } catch (e) {
    if (e instanceof SubmissionError) { io.stderr(`asmbox grade: ${e.message}\n`); return GRADE_EXIT.badInput; }
    throw e;
  }
  if (!subs.length) { io.stderr('asmbox grade: no submissions to grade\n'); return GRADE_EXIT.badInput; }
  if (flags.format === 'gradescope' && subs.length > 1 && !isDirTarget(flags.output)) {
    io.stderr('asmbox grade: --format gradescope writes one results.json per submission: grade one submission, or pass -o DIR/ to get DIR/<submission>/results.json\n');
    return GRADE_EXIT.usage;
  }

  const jobs = Math.max(1, Math.min(flags.jobs ?? defaultJobs(), subs.length));
  const bar = flags.progress !== false && io.stderrTTY ? new ProgressBar(io.stderr, subs.length) : null;
  const start = performance.now();
  let results: SubmissionResult[];
  try {
    results = await gradeAll(spec, subs, { jobs, onProgress: (done, total) => bar?.update(done, total) });
  } finally {
    bar?.clear();
  }
  const run: GradeRun = {
    spec: { name: spec.name, file: spec.file, maxScore: spec.maxScore, tests: spec.tests.map((t) => ({ name: t.name, points: t.points, visibility: t.visibility })) },
    submissions: results,
    jobs,
    ms: performance.now() - start,
  };
  writeReport(run, flags, io);
  const allPassed = results.every((s) => s.tests.every((t) => t.status === 'pass'));
  return allPassed ? GRADE_EXIT.allPassed : GRADE_EXIT.someFailed;
}

function isDirTarget(out: string | undefined): boolean {
  if (!out) return false;
  if (out.endsWith('/')) return true;
  try { return statSync(out).isDirectory(); } catch { return false; }
}

function writeReport(run: GradeRun, flags: GradeFlags, io: GradeStreams): void {
  const out = flags.output;
  if (flags.format === 'gradescope' && isDirTarget(out)) {
    for (const s of run.submissions) {
      const dir = join(out!, safeName(s.name));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'results.json'), formatGradescope(s));
    }
    io.stderr(`asmbox grade: wrote ${run.submissions.length} results.json file${run.submissions.length === 1 ? '' : 's'} under ${out}\n`);
    return;
  }
  let text: string;
  switch (flags.format) {
    case 'terminal': text = formatTerminal(run, { quiet: flags.quiet, verbose: flags.verbose, color: out ? false : undefined }); break;
    case 'json': text = formatJson(run); break;
    case 'junit': text = formatJunit(run); break;
    case 'tap': text = formatTap(run); break;
    case 'gradescope': text = formatGradescope(run.submissions[0]); break;
    case 'csv': text = formatCsv(run); break;
  }
  if (out) {
    writeFileSync(out, text);
    if (flags.format !== 'terminal') io.stderr(formatTerminal(run, { quiet: true }));
  } else io.stdout(text);
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || 'submission';
}

/** A one-line progress bar on stderr (only on a terminal). */
class ProgressBar {
  private last = 0;
  private readonly start = performance.now();
  constructor(private readonly write: (s: string) => void, private readonly total: number) {
    this.draw(0);
  }

  update(done: number, total: number): void {
    const now = performance.now();
    if (done < total && now - this.last < 80) return;
    this.last = now;
    this.draw(done);
  }

  private draw(done: number): void {
    const width = 30;
    const filled = Math.round((done / Math.max(this.total, 1)) * width);
    const secs = (performance.now() - this.start) / 1000;
    this.write(`\r\x1b[K[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${this.total} submissions  ${secs.toFixed(1)} s`);
  }

  clear(): void {
    this.write('\r\x1b[K');
  }
}
