// Memory.writeBytes (word-at-a-time into plain pages) against byte-by-byte guest stores.
import { describe, expect, it } from 'vitest';
import { Memory } from '../src/machine/memory.js';
import { ExcCode } from '../src/machine/exceptions.js';

function thrown(f: () => unknown): unknown {
  try { f(); } catch (e) { return e; }
  return undefined;
}

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 37 + seed * 11 + (i >> 3)) & 0xff;
  return b;
}

describe('Memory.writeBytes', () => {
  for (const bigEndian of [true, false]) {
    for (const [start, len] of [[0x10000, 9000], [0x10ffd, 11], [0x11001, 4096], [0x12ffc, 4], [0x13002, 2]]) {
      it(`${len} bytes at 0x${start.toString(16)} (${bigEndian ? 'big' : 'little'}-endian) read back as written, one by one`, () => {
        const fast = new Memory(bigEndian), slow = new Memory(bigEndian);
        for (const m of [fast, slow]) m.map(0x10000, 0x10000, 'data');
        fast.read8(0x11000); // one page present beforehand, the others allocated by the write
        const b = bytes(len, start);
        expect(fast.writeBytes(start, b)).toBe(true);
        b.forEach((v, i) => slow.write8(start + i, v));
        expect(fast.readBytes(0x10000, 0x10000)).toEqual(slow.readBytes(0x10000, 0x10000));
        expect(fast.readBytes(start, len)).toEqual(b);
      });
    }
  }
  it('stores into a watched page reach the watcher; unmapped memory is refused', () => {
    const m = new Memory(true);
    m.map(0x10000, 0x2000, 'text');
    m.read8(0x10000);
    const seen: number[] = [];
    m.watchPage(0x10, (a) => seen.push(a));
    expect(m.writeBytes(0x10ffc, bytes(8, 1))).toBe(true);
    expect(seen).toEqual([0x10ffc, 0x10ffd, 0x10ffe, 0x10fff]);
    expect(m.writeBytes(0x11ffe, bytes(4, 2))).toBe(false);
  });
});

describe('kernel segments and user mode', () => {
  it('a kseg0 page is on the fast path in kernel mode only; user accesses raise address errors', () => {
    const m = new Memory(false, undefined, true);
    m.map(0x80000000, 0x10000, 'kernel');
    m.write32(0x80001000, 0x1234);
    expect(m.readPages[0x80001]).toBeDefined();
    m.setUserMode(true);
    expect(m.readPages[0x80001]).toBeUndefined();
    expect(m.writePages[0x80001]).toBeUndefined();
    expect(thrown(() => m.read32(0x80001000))).toMatchObject({ code: ExcCode.AdEL, badVAddr: 0x80001000 });
    expect(thrown(() => m.write8(0x80001000, 1))).toMatchObject({ code: ExcCode.AdES, badVAddr: 0x80001000 });
    m.setUserMode(false);
    expect(m.readPages[0x80001]).toBeDefined();
    expect(m.read32(0x80001000)).toBe(0x1234);
  });
  it('without fastKseg0 (user programs) kseg0 is on the slow path', () => {
    const m = new Memory(false);
    m.map(0x80000000, 0x10000, 'kernel');
    m.write32(0x80001000, 7);
    expect(m.readPages[0x80001]).toBeUndefined();
    expect(m.read32(0x80001000)).toBe(7);
  });
  it('kseg1 and above stay off the tables (slow path), and still read and write', () => {
    const m = new Memory(true);
    m.map(0xbfc00000, 0x1000, 'rom');
    m.write32(0xbfc00000, 0x3c1a8000);
    expect(m.readPages[0xbfc00]).toBeUndefined();
    expect(m.read32(0xbfc00000)).toBe(0x3c1a8000);
    expect(m.presentPage(0xbfc00)).toBeDefined();
    m.setUserMode(true);
    expect(m.presentPage(0xbfc00)).toBeUndefined();
  });
});

describe('Memory.map with initial contents (ELF segments, filled when first touched)', () => {
  for (const bigEndian of [true, false]) {
    const order = bigEndian ? 'big' : 'little';
    it(`pages fill from the bytes on first touch, past them zero (${order}-endian), as if written byte by byte`, () => {
      // two segments sharing a page (unaligned start and end), then bss up to the region end
      const a = bytes(5001, 1), b = bytes(3000, 2);
      const lazy = new Memory(bigEndian), eager = new Memory(bigEndian);
      lazy.map(0x10003, 5001, 'text', a);
      lazy.map(0x1138e, 8000, 'data', b);
      for (const [at, src] of [[0x10003, a], [0x1138e, b]] as const) {
        eager.map(at, src === a ? 5001 : 8000, 'x');
        src.forEach((v, i) => eager.write8(at + i, v));
      }
      expect(lazy.allocatedBytes).toBe(0); // nothing copied yet
      expect(lazy.read32(0x11388)).toBe(eager.read32(0x11388)); // the shared page, both sources
      expect(lazy.allocatedBytes).toBe(4096);
      expect(lazy.readBytes(0x10000, 0x4000)).toEqual(eager.readBytes(0x10000, 0x4000));
      expect(lazy.readBytes(0x10003, 5001)).toEqual(a);
      expect(lazy.readBytes(0x1138e, 3000)).toEqual(b);
      expect(lazy.read8(0x1138e + 3000)).toBe(0); // bss
    });
  }

  it('unmapping part of a region keeps the rest of its contents; a new mapping there starts zeroed', () => {
    const m = new Memory(true);
    const a = bytes(3 * 4096, 3);
    m.map(0x20000, a.length, 'data', a);
    m.unmap(0x21000, 4096);
    m.map(0x21000, 4096, 'anon');
    expect(m.readBytes(0x20000, 4096)).toEqual(a.subarray(0, 4096));
    expect(m.readBytes(0x22000, 4096)).toEqual(a.subarray(8192));
    expect(m.readBytes(0x21000, 4096)).toEqual(new Uint8Array(4096));
  });
});

describe('Memory.release: the next Memory starts clean (the grader makes one per test)', () => {
  it('no page, bitmap bit or old data of a released memory reaches the next one', () => {
    const a = new Memory(true);
    a.map(0x400000, 0x10000, 'text');
    a.map(0x7fff0000, 0x10000, 'stack');
    for (let addr = 0x400000; addr < 0x410000; addr += 0x1000) a.write32(addr, 0x11223344);
    a.write32(0x7fff8000, -1);
    a.watchPage(0x400, () => {});
    a.unwatchPage(0x400);
    a.watchPage(0x401, () => {});
    a.release();
    const b = new Memory(true);
    expect(b.readPages.every((p) => p === undefined)).toBe(true);
    expect(b.writePages.every((p) => p === undefined)).toBe(true);
    if (b.flat) {
      expect(b.readOk!.every((x) => x === 0)).toBe(true);
      expect(b.writeOk!.every((x) => x === 0)).toBe(true);
    }
    b.map(0x400000, 0x10000, 'text');
    b.map(0x7fff0000, 0x10000, 'stack');
    expect(b.read32(0x400000)).toBe(0);
    expect(b.read32(0x7fff8000)).toBe(0);
    if (b.flat) expect(b.flat[0x400000 >>> 2]).toBe(0); // the page was zeroed when allocated
  });
});
