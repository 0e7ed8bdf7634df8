// A programmable interval timer. It counts ticks of a nominal 100 MHz clock: in virtual time
// (the default) one tick per executed instruction, so expiries land on exact instruction counts
// and runs are deterministic; in real time (--realtime) one tick per 10 ns of host time.
//
//   +0x00 PERIOD   r/w  ticks between expiries (0 = never expires)
//   +0x04 CONTROL  r/w  bit 0 ENABLE, bit 1 PERIODIC (0 = one-shot), bit 2 IE
//   +0x08 STATUS   r    bit 0 EXPIRED, bit 1 OVERRUN (expired again before being acknowledged)
//   +0x0c ACK      w    any value: clears EXPIRED and OVERRUN (and so the interrupt); reads 0
//   +0x10 COUNT    r    ticks left until the next expiry (0 when not counting)
//   +0x14 TIME_LO  r    free-running tick counter since reset, low word; reading it latches TIME_HI
//   +0x18 TIME_HI  r    high word latched by the last TIME_LO read
//
// Arming: setting ENABLE (from 0), or writing PERIOD while enabled, starts a countdown of PERIOD
// ticks from now. A periodic timer re-arms from its previous expiry time (no drift); missed
// expiries (the host was late, or the guest did not acknowledge) count once and set OVERRUN.
// A one-shot timer clears ENABLE when it expires. The interrupt line is EXPIRED && IE.
import type { AccessSize, RegisterWindow, TimedDevice } from './bus.js';
import type { IrqLine } from './intc.js';
import type { Clock, TimeBase } from './time.js';
import { virtualTimeBase } from './time.js';

export const TIMER_REGS = {
  PERIOD: 0x00, CONTROL: 0x04, STATUS: 0x08, ACK: 0x0c, COUNT: 0x10, TIME_LO: 0x14, TIME_HI: 0x18,
} as const;
export const TIMER_CTRL = { ENABLE: 0x1, PERIODIC: 0x2, IE: 0x4 } as const;
export const TIMER_STATUS = { EXPIRED: 0x1, OVERRUN: 0x2 } as const;

export interface TimerOptions {
  /** Instructions executed (the board's clock). */
  clock: Clock;
  /** Where ticks come from; default virtual (ticks = instructions). */
  timeBase?: TimeBase;
  /** Interrupt line (IP5 on the standard board). */
  line?: IrqLine;
  /** In real time, instructions between checks of the host clock while counting. Default 1000. */
  realtimePollInsns?: number;
}

export class TimerDevice implements RegisterWindow, TimedDevice {
  readonly name = 'timer';
  readonly size = 0x20;
  readonly timeBase: TimeBase;
  private readonly clock: Clock;
  private readonly line: IrqLine | undefined;
  private readonly pollInsns: number;

  private period = 0;
  private control = 0;
  private expired = false;
  private overrun = false;
  /** Tick of the next expiry (Infinity when not counting). */
  private nextExpiry = Infinity;
  private timeHiLatch = 0;
  private nowInsns = 0;

  constructor(opts: TimerOptions) {
    this.clock = opts.clock;
    this.timeBase = opts.timeBase ?? virtualTimeBase(opts.clock);
    this.line = opts.line;
    this.pollInsns = opts.realtimePollInsns ?? 1000;
    if (!(this.pollInsns >= 1)) throw new RangeError(`realtimePollInsns must be >= 1, got ${this.pollInsns}`);
  }

  private get enabled(): boolean {
    return (this.control & TIMER_CTRL.ENABLE) !== 0;
  }

  private arm(ticks: number): void {
    this.nextExpiry = this.enabled && this.period > 0 ? ticks + this.period : Infinity;
  }

  private updateLine(): void {
    this.line?.set(this.expired && (this.control & TIMER_CTRL.IE) !== 0);
  }

  private expireUpTo(ticks: number): void {
    if (this.nextExpiry > ticks) return;
    let missed = 1;
    if (this.control & TIMER_CTRL.PERIODIC) {
      missed = Math.floor((ticks - this.nextExpiry) / this.period) + 1;
      this.nextExpiry += missed * this.period;
    } else {
      this.control &= ~TIMER_CTRL.ENABLE;
      this.nextExpiry = Infinity;
    }
    if (this.expired || missed > 1) this.overrun = true;
    this.expired = true;
    if (this.control & TIMER_CTRL.IE) this.line?.raise();
  }

  advanceTo(now: number): void {
    if (now < this.nowInsns) return;
    this.nowInsns = now;
    this.expireUpTo(this.timeBase.ticks());
  }

  nextEventAt(): number {
    if (this.nextExpiry === Infinity) return Infinity;
    if (this.timeBase.realtime) return this.nowInsns + this.pollInsns;
    return this.nextExpiry;
  }

  read(offset: number, size: AccessSize): number | undefined {
    if (size !== 4) return undefined;
    this.advanceTo(this.clock());
    const ticks = this.timeBase.ticks();
    switch (offset) {
      case TIMER_REGS.PERIOD: return this.period;
      case TIMER_REGS.CONTROL: return this.control;
      case TIMER_REGS.STATUS: return (this.expired ? TIMER_STATUS.EXPIRED : 0) | (this.overrun ? TIMER_STATUS.OVERRUN : 0);
      case TIMER_REGS.ACK: return 0;
      case TIMER_REGS.COUNT: return this.nextExpiry === Infinity ? 0 : this.nextExpiry - ticks;
      case TIMER_REGS.TIME_LO:
        this.timeHiLatch = Math.floor(ticks / 2 ** 32) >>> 0;
        return ticks >>> 0;
      case TIMER_REGS.TIME_HI: return this.timeHiLatch;
      default: return undefined;
    }
  }

  write(offset: number, size: AccessSize, value: number): boolean {
    if (size !== 4) return false;
    this.advanceTo(this.clock());
    const ticks = this.timeBase.ticks();
    switch (offset) {
      case TIMER_REGS.PERIOD:
        this.period = value >>> 0;
        if (this.enabled) this.arm(ticks);
        return true;
      case TIMER_REGS.CONTROL: {
        const was = this.enabled;
        this.control = value & (TIMER_CTRL.ENABLE | TIMER_CTRL.PERIODIC | TIMER_CTRL.IE);
        if (!this.enabled) this.nextExpiry = Infinity;
        else if (!was) this.arm(ticks);
        this.updateLine();
        return true;
      }
      case TIMER_REGS.ACK:
        this.expired = this.overrun = false;
        this.updateLine();
        return true;
      case TIMER_REGS.STATUS: case TIMER_REGS.COUNT: case TIMER_REGS.TIME_LO: case TIMER_REGS.TIME_HI:
        return true; // read-only
      default:
        return false;
    }
  }
}
