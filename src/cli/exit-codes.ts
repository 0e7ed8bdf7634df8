// Process exit codes. A guest that exits passes its own code (0-255) through; asmbox's own
// outcomes use codes that are documented in the README and `asmbox --help`.
import type { RunResult } from '../machine/run.js';
export const EXIT = {
  usage: 2,
  assemblyError: 65,
  badInput: 66,
  internal: 70,
  guestFault: 120,
  insnLimit: 121,
  memoryExhausted: 122,
  outputLimit: 123,
  timeout: 124,
} as const;

export const EXIT_CODE_HELP = `Exit codes:
  0-255  the guest's own exit code when it exits; a Linux guest killed by a signal
         gives 128+signal as a shell shows it (abort: 134, segmentation fault: 139)
  2      usage error (bad option or argument)
  65     assembly error
  66     bad input file (unreadable, malformed ELF, wrong machine)
  70     internal error in asmbox (a bug: please report it)
  120    guest fault (unhandled exception: address error, overflow, trap, ...; SPIM/MARS)
  121    instruction limit reached (--max-insns)
  122    guest memory exhausted (--memory-cap)
  123    guest output limit exceeded (--max-output)
  124    wall-clock time limit reached (--timeout)`;

/** The process exit code for the way a run ended. */
export function exitCodeFor(r: Pick<RunResult, 'kind' | 'exitCode'>): number {
  switch (r.kind) {
    case 'exit': case 'halt': return r.exitCode;
    case 'fault': return EXIT.guestFault;
    case 'insn-limit': return EXIT.insnLimit;
    case 'timeout': return EXIT.timeout;
    case 'memory': return EXIT.memoryExhausted;
    case 'output-limit': return EXIT.outputLimit;
  }
}
