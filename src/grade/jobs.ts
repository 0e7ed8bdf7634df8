// The default number of grading workers (its own module: the CLI shows it without loading the grader).
import { availableParallelism } from 'node:os';

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}
