// The execution engines a machine can run under.
import { interpret, makeHandlers } from '../guest/mips/interp.js';
import type { Engine } from './run.js';
import type { Machine } from './machine.js';

export type EngineKind = 'interp' | 'jit';
export const ENGINE_KINDS: EngineKind[] = ['interp', 'jit'];

export function createEngine(kind: EngineKind, m: Machine): Engine {
  const handlers = makeHandlers(m);
  if (kind === 'interp') return (mm, n) => interpret(mm, handlers, n);
  // The translator arrives in src/jit; until then 'jit' runs the interpreter.
  return (mm, n) => interpret(mm, handlers, n);
}
