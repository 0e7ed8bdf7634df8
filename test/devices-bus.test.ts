// Device layer: bus mapping and size checks, installation into Memory, DMA, interrupt controller.
import { describe, expect, it } from 'vitest';
import {
  Bus, installBus, memoryDma, unmappedToPhys, kseg0, kseg1, type AccessSize, type RegisterWindow,
} from '../src/devices/bus.js';
import { InterruptController, causeBit, CAUSE_HW_MASK } from '../src/devices/intc.js';
import { Memory } from '../src/machine/memory.js';
import { ExcCode, GuestException } from '../src/machine/exceptions.js';

/** A word-register file that records accesses. */
function regs(name: string, size = 0x10): RegisterWindow & { values: number[]; log: string[] } {
  const values = new Array(size / 4).fill(0);
  const log: string[] = [];
  return {
    name, size, values, log,
    read(offset: number, s: AccessSize) {
      log.push(`r${s}@${offset}`);
      if (s !== 4) return undefined;
      return values[offset / 4];
    },
    write(offset: number, s: AccessSize, v: number) {
      log.push(`w${s}@${offset}=${v}`);
      if (s !== 4) return false;
      values[offset / 4] = v;
      return true;
    },
  };
}

describe('bus', () => {
  it('routes physical addresses to windows with window-relative offsets', () => {
    const bus = new Bus();
    const a = regs('a'), b = regs('b', 0x20);
    bus.map(0x1f000000, a);
    bus.map(0x1f000100, b);
    expect(bus.write(0x1f000104, 4, 0x1234)).toBe(true);
    expect(b.values[1]).toBe(0x1234);
    expect(bus.read(0x1f000104, 4)).toBe(0x1234);
    expect(bus.read(0x1f00000c, 4)).toBe(0);
    expect(a.log).toEqual(['r4@12']);
    expect(bus.find(0x1f00011f)?.window).toBe(b);
    expect(bus.find(0x1f000120)).toBeUndefined();
  });

  it('gives bus errors for holes, misalignment, wrong sizes and accesses straddling a window end', () => {
    const bus = new Bus();
    const a = regs('a');
    bus.map(0x1000, a);
    expect(bus.read(0x2000, 4)).toBeUndefined(); // nothing there
    expect(bus.write(0x2000, 4, 1)).toBe(false);
    expect(bus.read(0x1002, 4)).toBeUndefined(); // misaligned word
    expect(bus.read(0x1001, 2)).toBeUndefined(); // misaligned half
    expect(bus.read(0x1000, 2)).toBeUndefined(); // the device refuses halves
    expect(bus.write(0x1000, 1, 1)).toBe(false); // and bytes
    expect(a.log).toEqual(['r2@0', 'w1@0=1']); // misaligned accesses never reach the device
  });

  it('normalises values: words signed 32-bit, halves and bytes zero-extended', () => {
    const bus = new Bus();
    bus.map(0, {
      name: 'wide', size: 8,
      read: () => 0xfffffff0,
      write: (_o, _s, v) => { last = v; return true; },
    });
    let last = 0;
    expect(bus.read(0, 4)).toBe(-16);
    expect(bus.read(0, 2)).toBe(0xfff0);
    expect(bus.read(0, 1)).toBe(0xf0);
    bus.write(4, 1, 0x1ff);
    expect(last).toBe(0xff);
  });

  it('refuses overlapping, misaligned or unreachable windows', () => {
    const bus = new Bus();
    bus.map(0x1000, regs('a'));
    expect(() => bus.map(0x1008, regs('b'))).toThrow(/overlaps a/);
    expect(() => bus.map(0x2002, regs('c'))).toThrow(/aligned/);
    expect(() => bus.map(0x1ffffff8, regs('d'))).toThrow(/above physical/);
  });

  it('translates unmapped segments to physical', () => {
    expect(unmappedToPhys(0x00400000)).toBe(0x00400000);
    expect(unmappedToPhys(0x80001234)).toBe(0x1234);
    expect(unmappedToPhys(0xbf000100)).toBe(0x1f000100);
    expect(unmappedToPhys(0xc0000000)).toBeUndefined();
    expect(unmappedToPhys(0xffff0000)).toBeUndefined();
    expect(kseg1(0x1f000000)).toBe(0xbf000000);
    expect(kseg0(0x1f000000)).toBe(0x9f000000);
  });
});

describe('installBus into Memory', () => {
  it('makes windows reachable through kseg1 by default, and kseg0/kuseg/aliases on request', () => {
    const bus = new Bus();
    const a = regs('a');
    bus.map(0x1f000000, a);
    const mem = new Memory(true);
    const views = installBus(mem, bus, { kseg0: true, kuseg: true, aliases: [{ virt: 0xffff0000, phys: 0x1f000000, size: 0x10 }] });
    expect(views.map((v) => v.virt >>> 0)).toEqual([0xbf000000, 0x9f000000, 0x1f000000, 0xffff0000]);
    mem.write32(0xbf000004, 7);
    expect(mem.read32(0x9f000004)).toBe(7);
    expect(mem.read32(0x1f000004)).toBe(7);
    mem.write32(0xffff0008, 9);
    expect(a.values[2]).toBe(9);
    expect(mem.isMapped(0xbf00000c)).toBe(true);
    expect(mem.isMapped(0xbf000010)).toBe(false);
  });

  it('kseg1 only by default', () => {
    const bus = new Bus();
    bus.map(0x1f000000, regs('a'));
    const mem = new Memory(false);
    installBus(mem, bus);
    expect(mem.isMapped(0xbf000000)).toBe(true);
    expect(mem.isMapped(0x9f000000)).toBe(false);
    expect(mem.isMapped(0x1f000000)).toBe(false);
  });

  it('turns bus errors into data bus error exceptions with the virtual address', () => {
    const bus = new Bus();
    bus.map(0x1f000000, regs('a'));
    const mem = new Memory(true);
    installBus(mem, bus);
    const fault = (f: () => unknown) => {
      try { f(); } catch (e) { return e; }
      return undefined;
    };
    const e1 = fault(() => mem.read16(0xbf000004)) as GuestException;
    expect(e1).toBeInstanceOf(GuestException);
    expect(e1.code).toBe(ExcCode.DBE);
    expect(e1.badVAddr).toBe(0xbf000004);
    const e2 = fault(() => mem.write8(0xbf000003, 1)) as GuestException;
    expect(e2.code).toBe(ExcCode.DBE);
    expect(e2.badVAddr).toBe(0xbf000003);
    // unaligned words are address errors, raised by Memory before the bus sees them
    expect((fault(() => mem.read32(0xbf000002)) as GuestException).code).toBe(ExcCode.AdEL);
  });

  it('refuses to install over RAM', () => {
    const bus = new Bus();
    bus.map(0x1000, regs('a'));
    const mem = new Memory(true);
    mem.map(0xa0000000, 0x10000, 'ram');
    expect(() => installBus(mem, bus)).toThrow(/overlaps memory region 'ram'/);
  });
});

describe('memoryDma', () => {
  it('copies bytes in address order on both endiannesses and refuses non-RAM', () => {
    for (const big of [true, false]) {
      const mem = new Memory(big);
      mem.map(0x1000, 0x2000, 'ram');
      const bus = new Bus();
      bus.map(0x4000, regs('dev'));
      installBus(mem, bus, { kuseg: true });
      const dma = memoryDma(mem);
      expect(dma.write(0x1ffe, Uint8Array.of(1, 2, 3, 4))).toBe(true); // crosses a page
      expect(mem.read8(0x1ffe)).toBe(1);
      expect(mem.read8(0x2001)).toBe(4);
      expect(mem.read32(0x2000)).toBe(big ? 0x03040000 : 0x0403);
      expect(Array.from(dma.read(0x1ffe, 4)!)).toEqual([1, 2, 3, 4]);
      expect(dma.check(0x1000, 0x2000)).toBe(true);
      expect(dma.check(0x1000, 0x2001)).toBe(false); // one byte past RAM
      expect(dma.check(0x4000, 4)).toBe(false); // a device window is not RAM
      expect(dma.write(0x2ffe, Uint8Array.of(9, 9, 9, 9))).toBe(false);
      expect(mem.read8(0x2ffe)).toBe(0); // all or nothing
      expect(dma.read(0xfffffffe, 4)).toBeNull();
    }
  });

  it('applies a physical-to-Memory translation', () => {
    const mem = new Memory(true);
    mem.map(0x80000000, 0x1000, 'kseg0 ram');
    const dma = memoryDma(mem, (p) => (p | 0x80000000) >>> 0);
    expect(dma.write(0x10, Uint8Array.of(0xab))).toBe(true);
    expect(mem.read8(0x80000010)).toBe(0xab);
  });
});

describe('interrupt controller', () => {
  it('reports levels as Cause IP bits, IP2..IP7', () => {
    const intc = new InterruptController();
    expect(causeBit(2)).toBe(0x400);
    expect(causeBit(7)).toBe(0x8000);
    const l2 = intc.connect('a', 2), l7 = intc.connect('b', 7);
    expect(intc.pending()).toBe(0);
    l2.raise();
    expect(intc.pending()).toBe(0x400);
    l7.set(true);
    expect(intc.pending()).toBe(0x8400);
    l2.lower();
    expect(intc.pending()).toBe(0x8000);
    expect(intc.pending() & ~CAUSE_HW_MASK).toBe(0);
  });

  it('keeps a shared line asserted while any source holds it', () => {
    const intc = new InterruptController();
    const a = intc.connect('a', 4), b = intc.connect('b', 4);
    a.raise(); b.raise(); a.raise();
    a.lower();
    expect(intc.pending()).toBe(0x1000);
    b.lower();
    expect(intc.pending()).toBe(0);
    b.lower(); // lowering twice is harmless
    expect(intc.pending()).toBe(0);
    expect(intc.sources()).toEqual([{ source: 'a', ip: 4, level: false }, { source: 'b', ip: 4, level: false }]);
  });

  it("keeps SPIM's latched view: raise events set, clears reset, mtc0 overwrites", () => {
    const intc = new InterruptController();
    const tx = intc.connect('tx', 2);
    const changes: number[] = [];
    intc.onChange = () => changes.push(intc.latched());
    tx.raise();
    expect(intc.latched()).toBe(0x400);
    intc.writeLatched(0); // the guest cleared Cause.IP2 by hand
    expect(intc.latched()).toBe(0);
    expect(intc.pending()).toBe(0x400); // the level is still there
    tx.raise(); // a new raise event latches again even though the level did not change
    expect(intc.latched()).toBe(0x400);
    tx.lower();
    expect(intc.latched()).toBe(0);
    intc.writeLatched(0xffffffff);
    expect(intc.latched()).toBe(0xfc00);
    expect(changes.length).toBeGreaterThanOrEqual(5);
  });

  it('rejects lines outside IP2..IP7', () => {
    const intc = new InterruptController();
    expect(() => intc.connect('x', 1)).toThrow(/IP2..IP7/);
    expect(() => intc.connect('x', 8)).toThrow(/IP2..IP7/);
  });
});
