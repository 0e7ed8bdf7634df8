// Clocks a guest can read. Virtual by default: time advances with executed instructions, so
// the same program and input give the same output on every run.
import type { Machine } from '../machine/machine.js';

/** Virtual time starts at 2000-01-01T00:00:00Z and runs at 100 guest instructions per microsecond. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2000, 0, 1);
export const VIRTUAL_INSNS_PER_US = 100;

export class GuestClock {
  private sleptUs = 0;
  constructor(
    private readonly m: Machine,
    readonly realtime: boolean,
  ) {}

  /** Microseconds since the Unix epoch. */
  nowUs(): number {
    if (this.realtime) return Date.now() * 1000 + this.sleptUs;
    return VIRTUAL_EPOCH_MS * 1000 + Math.floor(this.m.insnCount / VIRTUAL_INSNS_PER_US) + this.sleptUs;
  }

  nowMs(): number {
    return Math.floor(this.nowUs() / 1000);
  }

  /** Sleeping in virtual time just moves the clock; in real time it also waits. */
  sleep(ms: number): void {
    if (ms <= 0) return;
    if (this.realtime) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(ms, 60_000));
    else this.sleptUs += ms * 1000;
  }
}
