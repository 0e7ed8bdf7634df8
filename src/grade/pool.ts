// Grades many submissions in parallel on a pool of worker threads (one submission per task),
// or in this thread when one job is asked for. Results come back in submission order.
//
// Workers run the compiled module dist/grade/worker.js next to this file. When this file runs
// from TypeScript sources (vitest, tsx), there is no compiled worker beside it: the pool then
// starts each worker through tsx's loader (a dev dependency) and, if tsx is not installed,
// grades in this thread instead. Both paths run the same gradeSubmission code, so results
// are identical whatever the job count (the tests check that).
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { defaultJobs } from './jobs.js';
import { gradeSubmission, notRun, type Submission } from './runner.js';
import type { ProgramBuilder } from './load.js';
import type { GradeSpec } from './spec.js';
import type { SubmissionResult } from './results.js';

export interface PoolOptions {
  jobs?: number;
  /** Called after each submission is graded (in completion order). */
  onProgress?: (done: number, total: number, last: SubmissionResult) => void;
  /** In-process grading only (tests): a custom assembler adapter. */
  builder?: ProgramBuilder;
}

export { defaultJobs };

/** Extra time a worker gets beyond the sum of its tests' timeouts before it is killed. */
const WATCHDOG_SLACK_MS = 30_000;

export async function gradeAll(spec: GradeSpec, subs: Submission[], opts: PoolOptions = {}): Promise<SubmissionResult[]> {
  const jobs = Math.max(1, Math.min(opts.jobs ?? defaultJobs(), subs.length));
  if (jobs === 1 || opts.builder) return gradeInProcess(spec, subs, opts);
  const factory = workerFactory(spec);
  if (!factory) return gradeInProcess(spec, subs, opts);
  return gradeInWorkers(spec, subs, jobs, factory, opts);
}

async function gradeInProcess(spec: GradeSpec, subs: Submission[], opts: PoolOptions): Promise<SubmissionResult[]> {
  const out: SubmissionResult[] = [];
  for (const sub of subs) {
    const r = gradeSubmission(spec, sub, opts.builder);
    out.push(r);
    opts.onProgress?.(out.length, subs.length, r);
    await new Promise((res) => setImmediate(res)); // let the progress bar and signals through
  }
  return out;
}

type WorkerFactory = () => Worker;

function workerFactory(spec: GradeSpec): WorkerFactory | null {
  const here = import.meta.url;
  const workerData = { spec };
  if (here.endsWith('.js')) {
    const url = new URL('./worker.js', here);
    return () => new Worker(url, { workerData });
  }
  // Running from TypeScript sources: load the worker through tsx, if available.
  let tsxApi: string;
  try {
    tsxApi = createRequire(here).resolve('tsx/esm/api');
  } catch {
    return null;
  }
  const tsxEsmApi = pathToFileURL(tsxApi.replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./worker.ts', here).href;
  const boot = `import { register } from ${JSON.stringify(tsxEsmApi)}; register(); await import(${JSON.stringify(entry)});`;
  const url = new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
  return () => new Worker(url, { workerData });
}

function budgetMs(spec: GradeSpec): number {
  return spec.tests.reduce((s, t) => s + t.limits.timeoutMs + 1000, 0) + WATCHDOG_SLACK_MS;
}

function killedResult(spec: GradeSpec, sub: Submission, why: string): SubmissionResult {
  const tests = spec.tests.map((t) => notRun(t, 'internal-error', why));
  return { name: sub.name, path: sub.path, files: sub.files.map((f) => f.replace(/^.*[\\/]/, '')), score: 0, maxScore: spec.maxScore, assembled: true, diagnostics: [], tests, ms: 0 };
}

function gradeInWorkers(spec: GradeSpec, subs: Submission[], jobs: number, factory: WorkerFactory, opts: PoolOptions): Promise<SubmissionResult[]> {
  return new Promise((resolveAll, rejectAll) => {
    const results: (SubmissionResult | undefined)[] = new Array(subs.length);
    let next = 0, done = 0, failedStarts = 0;
    const budget = budgetMs(spec);
    const live = new Set<Worker>();

    const finish = (id: number, r: SubmissionResult) => {
      if (results[id]) return;
      results[id] = r;
      done++;
      opts.onProgress?.(done, subs.length, r);
      if (done === subs.length) {
        for (const w of live) void w.terminate();
        resolveAll(results as SubmissionResult[]);
      }
    };

    const spawn = () => {
      if (next >= subs.length) return;
      const w = factory();
      live.add(w);
      let current = -1;
      let timer: NodeJS.Timeout | null = null;
      let ready = false;
      const give = () => {
        if (timer) clearTimeout(timer);
        if (next >= subs.length) { live.delete(w); void w.terminate(); return; }
        current = next++;
        w.postMessage({ id: current, sub: subs[current] });
        timer = setTimeout(() => {
          const id = current;
          current = -1;
          live.delete(w);
          void w.terminate();
          finish(id, killedResult(spec, subs[id], `grading this submission took longer than ${Math.round(budget / 1000)} s in total; its worker was stopped`));
          spawn();
        }, budget);
      };
      w.on('message', (msg: { ready?: boolean; id?: number; result?: SubmissionResult }) => {
        if (msg.ready) { ready = true; give(); return; }
        if (msg.id !== undefined && msg.result && msg.id === current) {
          current = -1;
          finish(msg.id, msg.result);
          give();
        }
      });
      const onDeath = (why: string) => {
        if (timer) clearTimeout(timer);
        if (!live.has(w)) return;
        live.delete(w);
        if (!ready && ++failedStarts >= 3) {
          for (const x of live) void x.terminate();
          rejectAll(new Error(`grading workers fail to start: ${why}`));
          return;
        }
        if (current >= 0) finish(current, killedResult(spec, subs[current], `the grading worker died: ${why}`));
        current = -1;
        if (done < subs.length) spawn();
      };
      w.on('error', (e) => onDeath(e.message));
      w.on('exit', (code) => onDeath(`exit code ${code}`));
    };
    for (let i = 0; i < jobs; i++) spawn();
  });
}
