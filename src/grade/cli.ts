// The `grade` subcommand's options (registered by src/cli/main.ts); the grader itself is loaded
// when the command runs.
import { Command, InvalidArgumentError, Option } from 'commander';
import { FORMATS, type Format } from './report/formats.js';
import type { GradeFlags } from './command.js';
import { defaultJobs } from './jobs.js';

export const GRADE_EXIT_HELP = `Exit codes:
  0   every test of every submission passed
  1   some test failed (or could not run: assembly errors, faults, limits)
  2   usage error
  66  no submissions found, or a submission path does not exist
  78  the spec file is invalid (each problem is listed with its key path and line)`;

function parseJobs(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError(`--jobs must be an integer from 1 to 256, got '${v}'`);
  return n;
}

function choice<T extends string>(what: string, values: readonly T[]) {
  return (v: string): T => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`${what} must be one of ${values.join(', ')}; got '${v}'`);
    return v as T;
  };
}

export function addGradeCommand(program: Command, setExit: (code: number) => void): Command {
  return program.command('grade')
    .description('grade assembly submissions against a YAML/JSON test spec (each test in a fresh, sandboxed machine)')
    .argument('<spec>', 'test specification (.yaml, .yml or .json)')
    .argument('<submissions...>', 'submission files, directories (one per student, or a directory of them) or quoted glob patterns')
    .addOption(new Option('-j, --jobs <n>', 'grade this many submissions in parallel (worker threads)').argParser(parseJobs).default(defaultJobs(), 'the number of CPU cores'))
    .addOption(new Option('-f, --format <format>', 'report format').argParser(choice('format', FORMATS)).default('terminal' as Format))
    .option('-o, --output <file>', 'write the report to FILE (for gradescope with several submissions: a directory)')
    .option('-1, --single', 'each argument is one submission, with the source files of all its subdirectories (default for --format gradescope with one argument and no -o DIR/)')
    .option('-q, --quiet', 'terminal format: only the summary table')
    .option('-v, --verbose', 'terminal format: details for passing tests too')
    .option('--no-progress', 'no progress bar (it is only shown when stderr is a terminal)')
    .addOption(new Option('--engine <kind>', 'run every test on this engine, overriding the spec').argParser(choice('engine', ['interp', 'jit'] as const)))
    .addOption(new Option('--compat <tool>', 'run every test with mars or spim conventions, overriding the spec').argParser(choice('compat', ['mars', 'spim'] as const)))
    .addHelpText('after', `\n${GRADE_EXIT_HELP}\n\nExamples:\n  asmbox grade examples/lab3/spec.yaml examples/lab3/submissions/*\n  asmbox grade spec.yaml /autograder/submission -f gradescope -o /autograder/results/results.json\n  asmbox grade spec.yaml 'subs/*/' -f csv -o grades.csv`)
    .action(async (spec: string, subs: string[], flags: GradeFlags) => {
      // loaded only when grading (the spec reader's YAML parser is slow to load for other commands)
      const { gradeCommand } = await import('./command.js');
      setExit(await gradeCommand(spec, subs, flags));
    });
}
