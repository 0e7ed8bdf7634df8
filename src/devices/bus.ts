// The device bus: maps device register windows into the PHYSICAL address space, checks access
// sizes, and reports bus errors as results (never exceptions) so any CPU model can turn them into
// its own exception. installBus() hooks a bus into a Memory (which is addressed virtually today)
// through its MMIO windows: kseg1 (uncached, 0xA0000000 + phys) by default, optionally kseg0
// (0x80000000 + phys) and kuseg (identity), plus fixed virtual aliases such as SPIM's console at
// 0xffff0000.
import { ExcCode, GuestException } from '../machine/exceptions.js';
import type { Memory } from '../machine/memory.js';
import { PAGE_SIZE } from '../machine/memory.js';

export type AccessSize = 1 | 2 | 4;

/**
 * A device's register file as the bus sees it. Offsets are relative to the window base and the
 * bus has already checked natural alignment (offset % size === 0) and bounds.
 */
export interface RegisterWindow {
  readonly name: string;
  /** Bytes of physical address space the window claims (a multiple of 4). */
  readonly size: number;
  /** The value read (zero-extended for sizes 1 and 2), or undefined for a bus error. */
  read(offset: number, size: AccessSize): number | undefined;
  /** False for a bus error. */
  write(offset: number, size: AccessSize, value: number): boolean;
}

/** A device whose state changes with time. `now` is in instructions executed (see time.ts). */
export interface TimedDevice {
  /** Processes every event due at or before `now` (idempotent; time never goes backwards). */
  advanceTo(now: number): void;
  /** Instruction count of the next event that can change the device's registers or interrupt lines; Infinity if none. */
  nextEventAt(): number;
}

export interface BusMapping {
  readonly base: number;
  readonly end: number; // exclusive
  readonly window: RegisterWindow;
}

/** Physical addresses reachable through kseg0/kseg1: the low 512 MiB. */
export const PHYS_LIMIT = 0x2000_0000;
export const KSEG0_BASE = 0x8000_0000;
export const KSEG1_BASE = 0xa000_0000;

/** kseg0 and kseg1 map to physical by clearing the top three bits; kuseg maps to itself (no TLB). */
export function unmappedToPhys(vaddr: number): number | undefined {
  const v = vaddr >>> 0;
  if (v < 0x8000_0000) return v;
  if (v < 0xc000_0000) return v & 0x1fff_ffff;
  return undefined; // kseg2/kseg3 need a TLB
}

export const kseg0 = (phys: number): number => (KSEG0_BASE | phys) >>> 0;
export const kseg1 = (phys: number): number => (KSEG1_BASE | phys) >>> 0;

export class Bus {
  private maps: BusMapping[] = [];
  private lastHit: BusMapping | undefined;

  /** Maps `window` at physical address `base` (4-byte aligned, below PHYS_LIMIT, no overlap). */
  map(base: number, window: RegisterWindow): BusMapping {
    base >>>= 0;
    const end = base + window.size;
    if (base % 4 !== 0 || window.size % 4 !== 0 || window.size <= 0) {
      throw new RangeError(`device ${window.name}: window 0x${base.toString(16)}+0x${window.size.toString(16)} is not word aligned`);
    }
    if (end > PHYS_LIMIT) throw new RangeError(`device ${window.name}: window ends above physical 0x${PHYS_LIMIT.toString(16)}`);
    for (const m of this.maps) {
      if (base < m.end && m.base < end) {
        throw new RangeError(`device ${window.name} at 0x${base.toString(16)} overlaps ${m.window.name} at 0x${m.base.toString(16)}`);
      }
    }
    const m: BusMapping = { base, end, window };
    this.maps.push(m);
    this.maps.sort((a, b) => a.base - b.base);
    return m;
  }

  mappings(): readonly BusMapping[] {
    return this.maps;
  }

  find(phys: number): BusMapping | undefined {
    phys >>>= 0;
    const h = this.lastHit;
    if (h && phys >= h.base && phys < h.end) return h;
    for (const m of this.maps) {
      if (phys >= m.base && phys < m.end) return (this.lastHit = m);
    }
    return undefined;
  }

  /** Reads a register; undefined is a bus error (no device, misaligned, or a size the register refuses). */
  read(phys: number, size: AccessSize): number | undefined {
    phys >>>= 0;
    if (phys % size !== 0) return undefined;
    const m = this.find(phys);
    if (!m || phys + size > m.end) return undefined;
    const v = m.window.read(phys - m.base, size);
    if (v === undefined) return undefined;
    return size === 4 ? v | 0 : size === 2 ? v & 0xffff : v & 0xff;
  }

  /** Writes a register; false is a bus error. */
  write(phys: number, size: AccessSize, value: number): boolean {
    phys >>>= 0;
    if (phys % size !== 0) return false;
    const m = this.find(phys);
    if (!m || phys + size > m.end) return false;
    const v = size === 4 ? value | 0 : size === 2 ? value & 0xffff : value & 0xff;
    return m.window.write(phys - m.base, size, v);
  }
}

export interface BusInstallOptions {
  /** Map every window at 0xA0000000 + phys (uncached kseg1). Default true. */
  kseg1?: boolean;
  /** Map every window at 0x80000000 + phys (cached kseg0). Default false. */
  kseg0?: boolean;
  /** Map every window at its physical address in kuseg (user programs reach devices). Default false. */
  kuseg?: boolean;
  /** Extra fixed virtual windows, e.g. { virt: 0xffff0000, phys: console, size: 16 }. */
  aliases?: { virt: number; phys: number; size: number }[];
}

/** A virtual window installed into a Memory. */
export interface InstalledWindow {
  virt: number;
  size: number;
  phys: number;
  name: string;
}

/**
 * Installs `bus` into `mem` as MMIO windows. A bus error becomes GuestException(DBE, vaddr).
 * RAM must not be mapped over a device window (the fast path would shadow it): that throws here,
 * and the caller must not map RAM there later either.
 */
export function installBus(mem: Memory, bus: Bus, opts: BusInstallOptions = {}): InstalledWindow[] {
  const views: InstalledWindow[] = [];
  const segs: number[] = [];
  if (opts.kseg1 ?? true) segs.push(KSEG1_BASE);
  if (opts.kseg0) segs.push(KSEG0_BASE);
  if (opts.kuseg) segs.push(0);
  for (const m of bus.mappings()) {
    for (const seg of segs) views.push({ virt: (seg | m.base) >>> 0, size: m.end - m.base, phys: m.base, name: m.window.name });
  }
  for (const a of opts.aliases ?? []) {
    const m = bus.find(a.phys);
    views.push({ virt: a.virt >>> 0, size: a.size, phys: a.phys >>> 0, name: m ? m.window.name : 'alias' });
  }
  for (const w of views) {
    for (let p = w.virt - (w.virt % PAGE_SIZE); p < w.virt + w.size; p += PAGE_SIZE) {
      const r = mem.regionAt(p);
      if (r) throw new RangeError(`device window ${w.name} at 0x${w.virt.toString(16)} overlaps memory region '${r.name}'`);
    }
  }
  for (const w of views) {
    const delta = w.phys - w.virt;
    mem.addMmio({
      start: w.virt,
      end: w.virt + w.size,
      read(addr, size) {
        const v = bus.read((addr + delta) >>> 0, size as AccessSize);
        if (v === undefined) throw new GuestException(ExcCode.DBE, addr >>> 0, `bus error reading ${w.name}`);
        return v;
      },
      write(addr, size, value) {
        if (!bus.write((addr + delta) >>> 0, size as AccessSize, value)) {
          throw new GuestException(ExcCode.DBE, addr >>> 0, `bus error writing ${w.name}`);
        }
      },
    });
  }
  return views;
}

/** How a DMA device reaches guest RAM by physical address. Only RAM: never device windows. */
export interface DmaMemory {
  /** True if every byte of [phys, phys + length) is RAM. */
  check(phys: number, length: number): boolean;
  /** Copies RAM out; null if some byte is not RAM. */
  read(phys: number, length: number): Uint8Array | null;
  /** Copies into RAM (all or nothing); false if some byte is not RAM. */
  write(phys: number, data: Uint8Array): boolean;
}

/**
 * DMA into a Memory. `physToAddr` turns a physical address into the address Memory is indexed by
 * (identity when Memory holds physical RAM or RAM is identity-mapped in kuseg). Stores go through
 * write8, so big-endian byte lanes and translated-code invalidation behave as for guest stores.
 */
export function memoryDma(mem: Memory, physToAddr: (phys: number) => number = (p) => p): DmaMemory {
  const check = (phys: number, length: number): boolean => {
    phys >>>= 0;
    if (length <= 0 || phys + length > 2 ** 32) return length === 0;
    const last = phys + length - 1;
    for (let p = phys; ; p = (p - (p % PAGE_SIZE)) + PAGE_SIZE) {
      const q = Math.min(last, p - (p % PAGE_SIZE) + PAGE_SIZE - 1);
      if (!mem.regionAt(physToAddr(p) >>> 0) || !mem.regionAt(physToAddr(q) >>> 0)) return false;
      if (q === last) return true;
    }
  };
  return {
    check,
    read(phys, length) {
      if (!check(phys, length)) return null;
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = mem.read8(physToAddr((phys + i) >>> 0) >>> 0);
      return out;
    },
    write(phys, data) {
      if (!check(phys, data.length)) return false;
      for (let i = 0; i < data.length; i++) mem.write8(physToAddr((phys + i) >>> 0) >>> 0, data[i]);
      return true;
    },
  };
}
