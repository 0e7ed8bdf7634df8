// Device layer: the programmable interval timer (virtual time, and real time with a fake host clock)
// and the power register.
import { describe, expect, it } from 'vitest';
import { TimerDevice, TIMER_REGS as R, TIMER_CTRL as C, TIMER_STATUS as S } from '../src/devices/timer.js';
import { PowerDevice } from '../src/devices/power.js';
import { InterruptController } from '../src/devices/intc.js';
import { ManualClock, realTimeBase, type TimeBase } from '../src/devices/time.js';
import { StopRun } from '../src/machine/exceptions.js';

function rig(timeBase?: (clock: ManualClock) => TimeBase) {
  const clock = new ManualClock();
  const intc = new InterruptController();
  const timer = new TimerDevice({ clock: clock.now, line: intc.connect('timer', 5), timeBase: timeBase?.(clock), realtimePollInsns: 500 });
  const at = (t: number) => { clock.t = t; timer.advanceTo(t); };
  const rd = (off: number) => timer.read(off, 4)! >>> 0;
  const wr = (off: number, v: number) => timer.write(off, 4, v);
  return { clock, intc, timer, at, rd, wr };
}

describe('interval timer, virtual time', () => {
  it('one-shot: expires PERIOD instructions after enabling, raises IP5, clears ENABLE; ACK lowers', () => {
    const t = rig();
    t.at(100);
    t.wr(R.PERIOD, 500);
    expect(t.timer.nextEventAt()).toBe(Infinity);
    t.wr(R.CONTROL, C.ENABLE | C.IE);
    expect(t.timer.nextEventAt()).toBe(600);
    t.at(350);
    expect(t.rd(R.COUNT)).toBe(250);
    t.at(599);
    expect(t.rd(R.STATUS)).toBe(0);
    expect(t.intc.pending()).toBe(0);
    t.at(600);
    expect(t.rd(R.STATUS)).toBe(S.EXPIRED);
    expect(t.intc.pending()).toBe(0x2000);
    expect(t.rd(R.CONTROL)).toBe(C.IE);
    expect(t.rd(R.COUNT)).toBe(0);
    expect(t.timer.nextEventAt()).toBe(Infinity);
    t.wr(R.ACK, 0);
    expect(t.rd(R.STATUS)).toBe(0);
    expect(t.intc.pending()).toBe(0);
  });

  it('periodic: re-arms from the previous expiry, without drift', () => {
    const t = rig();
    t.wr(R.PERIOD, 1000);
    t.wr(R.CONTROL, C.ENABLE | C.PERIODIC | C.IE);
    const expiries: number[] = [];
    for (let now = 0; now <= 5000; now++) {
      t.at(now);
      if (t.intc.pending()) {
        expiries.push(now);
        t.wr(R.ACK, 1); // acknowledged 0..n instructions late makes no difference
      }
    }
    expect(expiries).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(t.rd(R.STATUS)).toBe(0);
  });

  it('flags OVERRUN when it expires again before being acknowledged, also across a long gap', () => {
    const t = rig();
    t.wr(R.PERIOD, 100);
    t.wr(R.CONTROL, C.ENABLE | C.PERIODIC);
    t.at(100);
    expect(t.rd(R.STATUS)).toBe(S.EXPIRED);
    t.at(200);
    expect(t.rd(R.STATUS)).toBe(S.EXPIRED | S.OVERRUN);
    t.wr(R.ACK, 0);
    t.at(1_050); // nine more expiries in one catch-up
    expect(t.rd(R.STATUS)).toBe(S.EXPIRED | S.OVERRUN);
    expect(t.timer.nextEventAt()).toBe(1_100);
    expect(t.rd(R.COUNT)).toBe(50);
    expect(t.intc.pending()).toBe(0); // IE is off
    t.wr(R.CONTROL, C.ENABLE | C.PERIODIC | C.IE); // enabling IE with EXPIRED set raises; still enabled: no re-arm
    expect(t.intc.pending()).toBe(0x2000);
    expect(t.timer.nextEventAt()).toBe(1_100);
  });

  it('writing PERIOD while enabled restarts the countdown; PERIOD 0 never expires; disabling stops', () => {
    const t = rig();
    t.wr(R.PERIOD, 1000);
    t.wr(R.CONTROL, C.ENABLE | C.PERIODIC);
    t.at(700);
    t.wr(R.PERIOD, 200);
    expect(t.timer.nextEventAt()).toBe(900);
    t.wr(R.PERIOD, 0);
    expect(t.timer.nextEventAt()).toBe(Infinity);
    t.at(100_000);
    expect(t.rd(R.STATUS)).toBe(0);
    t.wr(R.PERIOD, 10);
    t.wr(R.CONTROL, 0);
    expect(t.timer.nextEventAt()).toBe(Infinity);
    t.at(100_005);
    t.wr(R.CONTROL, C.ENABLE);
    expect(t.timer.nextEventAt()).toBe(100_015);
    expect(t.rd(R.PERIOD)).toBe(10);
  });

  it('counts free-running time in TIME_LO/TIME_HI (HI latched by the LO read)', () => {
    const t = rig();
    t.at(2 ** 32 + 5);
    expect(t.rd(R.TIME_LO)).toBe(5);
    t.at(2 ** 33 + 7);
    expect(t.rd(R.TIME_HI)).toBe(1); // still the latched value
    expect(t.rd(R.TIME_LO)).toBe(7);
    expect(t.rd(R.TIME_HI)).toBe(2);
  });

  it('refuses sub-word and unknown accesses; read-only registers ignore writes', () => {
    const t = rig();
    expect(t.timer.read(R.PERIOD, 2)).toBeUndefined();
    expect(t.timer.write(R.CONTROL, 1, 1)).toBe(false);
    expect(t.timer.read(0x1c, 4)).toBeUndefined();
    expect(t.wr(R.STATUS, 3)).toBe(true);
    expect(t.rd(R.STATUS)).toBe(0);
    expect(t.rd(R.ACK)).toBe(0);
    t.wr(R.CONTROL, 0xffffffff);
    expect(t.rd(R.CONTROL)).toBe(7);
  });
});

describe('interval timer, real time', () => {
  it('follows the host clock in 10 ns ticks and asks to be polled while counting', () => {
    let hostMs = 1000;
    const t = rig(() => realTimeBase(() => hostMs));
    expect(t.timer.timeBase.realtime).toBe(true);
    t.wr(R.PERIOD, 100_000); // 1 ms
    t.wr(R.CONTROL, C.ENABLE | C.IE);
    t.at(10);
    expect(t.timer.nextEventAt()).toBe(510); // poll budget, not a prediction
    hostMs += 0.5;
    t.at(20_000_000); // however many instructions: only host time counts
    expect(t.rd(R.STATUS)).toBe(0);
    expect(t.rd(R.COUNT)).toBe(50_000);
    hostMs += 0.5;
    t.at(20_000_001);
    expect(t.rd(R.STATUS)).toBe(S.EXPIRED);
    expect(t.intc.pending()).toBe(0x2000);
    expect(t.timer.nextEventAt()).toBe(Infinity); // one-shot done: no more polling
    expect(t.rd(R.TIME_LO)).toBe(100_000);
  });
});

describe('power register', () => {
  it('ends the run with StopRun(halt, value & 0xff) after the hook', () => {
    const seen: number[] = [];
    const p = new PowerDevice({ beforeHalt: (c) => seen.push(c) });
    expect(p.read(0, 4)).toBe(0);
    let stop: unknown;
    try { p.write(0, 4, 0x12a); } catch (e) { stop = e; }
    expect(stop).toBeInstanceOf(StopRun);
    expect((stop as StopRun).kind).toBe('halt');
    expect((stop as StopRun).exitCode).toBe(0x2a);
    expect(seen).toEqual([0x2a]);
    expect(p.haltedWith).toBe(0x2a);
    expect(p.write(0, 1, 1)).toBe(false);
    expect(p.write(4, 4, 1)).toBe(false);
    expect(p.read(0, 2)).toBeUndefined();
  });
});
