// How the grader turns assembly sources into fresh Machines. Assembling is done once per
// submission (and harness set); every test then gets its own Machine from the assembled image,
// so no state leaks between tests while the assembler runs once, not once per test.
import type { Machine } from '../machine/machine.js';
import type { GuestIO } from '../env/io.js';
import type { Compat } from './spec.js';

export interface SourceFile {
  /** Absolute path on the host. */
  path: string;
  /** Name used in messages (`bubble.s`, `harness.s`). */
  name: string;
  text: string;
}

export interface InstanceOptions {
  compat: Compat;
  seed: number;
  args: string[];
  memoryCap: number;
  fsRoot: string | null;
  fsWrite: boolean;
  io: GuestIO;
}

export interface SourceLocation {
  file: string;
  line: number;
  /** The source line's text, when known. */
  text?: string;
}

export interface PreparedProgram {
  /** A fresh, ready-to-run Machine (pc at the program's entry, SPIM/MARS start state). */
  instantiate(opts: InstanceOptions): Machine;
  /** The source line an instruction address came from. */
  sourceLine(pc: number): SourceLocation | null;
  /**
   * Address of a label, preferring global symbols, then the submission's own files (a
   * harness may define labels of the same name); when absent, Machine.symbols is searched.
   */
  lookup?(name: string): number | undefined;
}

export interface AssembleFailure {
  /** `file:line: message` lines. */
  diagnostics: string[];
}

export interface BuildOptions {
  /** MARS starts at the first instruction of .text; SPIM calls main from a start-up stub. */
  compat: Compat;
}

export type ProgramBuilder = (sources: SourceFile[], opts: BuildOptions) => PreparedProgram | AssembleFailure;

export function isFailure(p: PreparedProgram | AssembleFailure): p is AssembleFailure {
  return (p as AssembleFailure).diagnostics !== undefined;
}

/** The real builder: the asmbox assembler and the SPIM/MARS environment. */
export { assembleWithAsmbox as assembleSources } from './asm-adapter.js';
