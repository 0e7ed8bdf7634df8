// The run loop: drives an engine in chunks and enforces the instruction limit and wall-clock
// timeout, turning every way a run can end into a RunResult.
import { GuestException, StopRun, type StopKind } from './exceptions.js';
import type { FaultInfo, Machine } from './machine.js';

/** Executes up to `maxInsns` guest instructions (exactly, unless the run stops). */
export type Engine = (m: Machine, maxInsns: number) => void;

export interface RunLimits {
  maxInsns?: number;
  timeoutMs?: number;
}

export interface RunResult {
  kind: StopKind;
  exitCode: number;
  message?: string;
  fault?: FaultInfo;
  insns: number;
  ms: number;
}

const CHUNK = 1 << 18;

export function runMachine(m: Machine, engine: Engine, limits: RunLimits = {}): RunResult {
  const start = performance.now();
  const maxInsns = limits.maxInsns ?? Infinity;
  const deadline = limits.timeoutMs !== undefined ? start + limits.timeoutMs : Infinity;
  const done = (kind: StopKind, exitCode = 0, message?: string): RunResult => {
    m.io.flush();
    return { kind, exitCode, message, fault: m.fault ?? undefined, insns: m.insnCount, ms: performance.now() - start };
  };
  try {
    for (;;) {
      const left = maxInsns - m.insnCount;
      if (left <= 0) return done('insn-limit', 0, `instruction limit reached (${maxInsns} instructions, --max-insns)`);
      if (performance.now() >= deadline) return done('timeout', 0, `time limit reached (${limits.timeoutMs! / 1000} s, --timeout)`);
      const sys = m.sys;
      // system mode: devices catch up, a pending interrupt is taken, and the engine runs no
      // further than the next timer/device event (so every engine interrupts at the same place)
      const hint = sys ? sys.boundary(left) : Infinity; // (may skip idle time, never past the limit)
      const budget = Math.min(CHUNK, maxInsns - m.insnCount, hint);
      try {
        engine(m, budget);
      } catch (e) {
        if (e instanceof GuestException && sys?.emulate(e)) {
          m.fault = null; // an instruction SPIM accepts beyond MIPS32, done
          continue;
        }
        if (e instanceof GuestException && sys?.deliver) {
          // precise state: the handler at the exception vector runs next
          sys.exception(e, m.fault?.inDelaySlot ?? false);
          m.fault = null;
          continue;
        }
        if (!(e instanceof GuestException && m.env.fault?.(m, e))) throw e;
        m.fault = null; // the environment handled it (a guest signal handler runs next)
      }
    }
  } catch (e) {
    if (e instanceof StopRun) return done(e.kind, e.exitCode, e.message);
    if (e instanceof GuestException) return done('fault', 0);
    if (e instanceof RangeError && /allocation|memory/i.test(e.message)) return done('memory', 0, `host could not allocate memory for the guest: ${e.message}`);
    throw e;
  }
}
