// Time for the device layer. Every device measures time in instructions executed (virtual time):
// the same program and input give the same device behaviour on every run, under every engine.
// The interval timer can instead follow the host clock (--realtime); its tick is 10 ns then,
// which matches virtual time's nominal 100 instructions per microsecond (src/env/clock.ts).

/** Instructions executed so far: the board's clock. It must be exact at register accesses. */
export type Clock = () => number;

/** A clock driven by hand (tests, and run loops that report elapsed instructions with tick()). */
export class ManualClock {
  t = 0;
  readonly now: Clock = () => this.t;
  advance(n: number): void {
    if (!(n >= 0)) throw new RangeError(`cannot advance time by ${n}`);
    this.t += n;
  }
}

/** Nominal guest frequency: one timer tick is one instruction in virtual time, 10 ns in real time. */
export const TICKS_PER_SECOND = 100_000_000;

/** Where the interval timer (and the CPU's Count register, see README) takes its ticks from. */
export interface TimeBase {
  readonly realtime: boolean;
  /** Ticks since reset. */
  ticks(): number;
}

export function virtualTimeBase(clock: Clock): TimeBase {
  return { realtime: false, ticks: clock };
}

/** Host time since creation, in 10 ns ticks (monotonic). */
export function realTimeBase(now: () => number = () => performance.now()): TimeBase {
  const start = now();
  return { realtime: true, ticks: () => Math.floor((now() - start) * (TICKS_PER_SECOND / 1000)) };
}
