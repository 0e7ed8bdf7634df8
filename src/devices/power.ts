// Power/halt register: a ROM ends the run by writing its exit code.
//
//   +0x0 HALT  w  ends the run: StopRun('halt', value & 0xff); reads 0
//
// The store that halts completes; the run loop returns a 'halt' result with that exit code.
import { StopRun } from '../machine/exceptions.js';
import type { AccessSize, RegisterWindow } from './bus.js';

export const POWER_REGS = { HALT: 0x0 } as const;

export interface PowerOptions {
  /** Runs before the run stops (the board flushes disks here). */
  beforeHalt?: (exitCode: number) => void;
}

export class PowerDevice implements RegisterWindow {
  readonly name = 'power';
  readonly size = 0x10;
  /** The exit code of the last halt, if any. */
  haltedWith: number | undefined;

  constructor(private readonly opts: PowerOptions = {}) {}

  read(offset: number, size: AccessSize): number | undefined {
    if (size !== 4 || offset !== POWER_REGS.HALT) return undefined;
    return 0;
  }

  write(offset: number, size: AccessSize, value: number): boolean {
    if (size !== 4 || offset !== POWER_REGS.HALT) return false;
    const code = value & 0xff;
    this.haltedWith = code;
    this.opts.beforeHalt?.(code);
    throw new StopRun('halt', code);
  }
}
