// The execution engines a machine can run under.
import { interpret, makeHandlers } from '../guest/mips/interp.js';
import { createMipsJit } from '../jit/mips.js';
import type { Jit, JitDebug, JitOptions } from '../jit/jit.js';
import type { Engine } from './run.js';
import type { Machine } from './machine.js';

export type EngineKind = 'interp' | 'jit';
export const ENGINE_KINDS: EngineKind[] = ['interp', 'jit'];

export interface EngineOptions {
  /** Translate a block after this many interpreted executions (0 = always translate). */
  jitThreshold?: number;
  /** Chain translated exits to their successors (default true; --no-chain). */
  chain?: boolean;
  /** Flush the translation cache above this many guest instructions. */
  jitCacheLimit?: number;
  /** -d items and their sink. */
  debug?: JitDebug;
  log?: (text: string) => void;
}

/** An engine; translator engines carry their Jit (stats, cache) as `jit`. */
export type MachineEngine = Engine & { jit?: Jit };

export function createEngine(kind: EngineKind, m: Machine, opts: EngineOptions = {}): MachineEngine {
  const handlers = makeHandlers(m);
  if (kind === 'interp') return (mm, n) => interpret(mm, handlers, n);
  const jopts: JitOptions = {
    threshold: opts.jitThreshold ?? defaultThreshold(),
    chain: opts.chain,
    cacheLimit: opts.jitCacheLimit,
    debug: opts.debug,
    log: opts.log,
  };
  const jit = createMipsJit(m, handlers, jopts);
  const engine: MachineEngine = (mm, n) => {
    if (mm !== m) throw new Error('a translator engine runs only the machine it was created for');
    jit.run(n);
  };
  engine.jit = jit;
  return engine;
}

/** ASMBOX_JIT_THRESHOLD overrides the default (tests use 0 to translate everything). */
function defaultThreshold(): number | undefined {
  const v = typeof process !== 'undefined' ? process.env.ASMBOX_JIT_THRESHOLD : undefined;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
