// The grader's ProgramBuilder on top of the asmbox assembler: assemble once per submission
// (and harness set, and start-up convention), then load the image into a fresh Machine for
// every test with loadAssembled, exactly as `asmbox run prog.s` does.
import { assemble, type AsmProgram } from '../asm/assembler.js';
import { formatDiagnostic } from '../asm/diagnostics.js';
import type { Machine } from '../machine/machine.js';
import { loadAssembled } from '../env/program.js';
import type { AssembleFailure, BuildOptions, InstanceOptions, PreparedProgram, ProgramBuilder, SourceFile, SourceLocation } from './load.js';

export const assembleWithAsmbox: ProgramBuilder = (sources: SourceFile[], opts: BuildOptions): PreparedProgram | AssembleFailure => {
  const byName = new Map(sources.map((s) => [s.name, s.text]));
  const res = assemble(sources.map((s) => ({ path: s.name, text: s.text })), {
    start: opts.compat === 'spim' ? 'spim' : 'mars',
    // Only the files being graded exist: .include of anything else is an assembly error.
    readFile: (p) => {
      const t = byName.get(p);
      if (t === undefined) throw new Error(`${p}: cannot include files when grading`);
      return t;
    },
  });
  if (!res.program) {
    const errors = res.diagnostics.list.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).split('\n')[0]);
    return { diagnostics: errors.length ? errors : ['the submission did not assemble'] };
  }
  return prepare(res.program);
};

function prepare(p: AsmProgram): PreparedProgram {
  const lines = p.lines; // sorted by address
  const globals = new Map<string, number>();
  const locals = new Map<string, number>();
  for (const s of p.symbols) {
    if (s.kind !== 'label') continue;
    if (s.global) globals.set(s.name, s.value >>> 0);
    else if (!locals.has(s.name)) locals.set(s.name, s.value >>> 0); // the submission's files come first
  }
  return {
    instantiate(o: InstanceOptions): Machine {
      return loadAssembled(p, 'program', o.io, {
        compat: o.compat, memoryCap: o.memoryCap, fsRoot: o.fsRoot, fsWrite: o.fsWrite, seed: o.seed, args: o.args, realtime: false,
      });
    },
    sourceLine(pc: number): SourceLocation | null {
      let lo = 0, hi = lines.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const a = lines[mid].addr >>> 0;
        if (a === pc >>> 0) return { file: lines[mid].file, line: lines[mid].line, text: lines[mid].text };
        if (a < pc >>> 0) lo = mid + 1;
        else hi = mid - 1;
      }
      return null;
    },
    lookup(name: string): number | undefined {
      return globals.get(name) ?? locals.get(name);
    },
  };
}
