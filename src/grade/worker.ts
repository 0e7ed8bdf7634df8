// Worker-thread entry: grades the submissions the pool sends, one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { gradeSubmission, type Submission } from './runner.js';
import type { GradeSpec } from './spec.js';

const spec = (workerData as { spec: GradeSpec }).spec;
parentPort!.on('message', (msg: { id: number; sub: Submission }) => {
  const result = gradeSubmission(spec, msg.sub);
  parentPort!.postMessage({ id: msg.id, result });
});
parentPort!.postMessage({ ready: true });
