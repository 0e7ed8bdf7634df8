// Memory.writeBytes (word-at-a-time into plain pages) against byte-by-byte guest stores.
import { describe, expect, it } from 'vitest';
import { Memory } from '../src/machine/memory.js';

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
