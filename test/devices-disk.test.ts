// Device layer: the block device. Overlay vs persist semantics on real temp files, DMA, latency,
// completion interrupt, and every error path (guest status + user message, never a throw).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DiskDevice, MemoryBacking, DISK_REGS as R, DISK_CMD as CMD, DISK_STATUS as ST, DISK_ERR as ERR, SECTOR_SIZE,
  type DiskOptions,
} from '../src/devices/disk.js';
import { memoryDma } from '../src/devices/bus.js';
import { InterruptController } from '../src/devices/intc.js';
import { ManualClock } from '../src/devices/time.js';
import { Memory } from '../src/machine/memory.js';

const RAM = 0x10000;
const RAM_SIZE = 0x40000;
const LATENCY = { base: 1000, perSector: 100 };

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'asmbox-disk-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

/** An image whose sector n is filled with byte (n + 1) & 0xff. */
function makeImage(sectors: number, name = 'disk.img'): string {
  const p = join(dir, name);
  const b = Buffer.alloc(sectors * SECTOR_SIZE);
  for (let s = 0; s < sectors; s++) b.fill((s + 1) & 0xff, s * SECTOR_SIZE, (s + 1) * SECTOR_SIZE);
  writeFileSync(p, b);
  return p;
}

function rig(opts: Partial<DiskOptions> = {}) {
  const clock = new ManualClock();
  const intc = new InterruptController();
  const mem = new Memory(true);
  mem.map(RAM, RAM_SIZE, 'ram');
  const messages: string[] = [];
  const disk = new DiskDevice({
    clock: clock.now, line: intc.connect('disk', 4), dma: memoryDma(mem), latency: LATENCY,
    onMessage: (level, text) => messages.push(`${level}: ${text}`), ...opts,
  });
  const rd = (off: number) => disk.read(off, 4)! >>> 0;
  const wr = (off: number, v: number) => disk.write(off, 4, v);
  const at = (t: number) => { clock.t = t; disk.advanceTo(t); };
  /** Issues a command now; returns the status right after. */
  const cmd = (c: number, sector = 0, count = 1, buffer = RAM) => {
    wr(R.SECTOR, sector); wr(R.COUNT, count); wr(R.BUFFER, buffer); wr(R.COMMAND, c);
    return rd(R.STATUS);
  };
  /** Runs time forward to the completion of the command in flight. */
  const finish = () => {
    const t = disk.nextEventAt();
    if (t !== Infinity) at(t);
    return rd(R.STATUS);
  };
  return { clock, intc, mem, disk, rd, wr, at, cmd, finish, messages };
}

const fill = (mem: Memory, addr: number, n: number, f: (i: number) => number) => {
  for (let i = 0; i < n; i++) mem.write8(addr + i, f(i));
};

describe('disk reads', () => {
  it('identifies its size and reads sectors into guest RAM by DMA after the latency', () => {
    const d = rig({ path: makeImage(8) });
    expect(d.rd(R.STATUS)).toBe(ST.MEDIA);
    d.cmd(CMD.IDENTIFY);
    expect(d.rd(R.STATUS) & ST.BUSY).toBe(ST.BUSY);
    expect(d.finish() & (ST.DONE | ST.ERROR)).toBe(ST.DONE);
    expect(d.rd(R.RESULT)).toBe(8);

    d.at(5000);
    expect(d.cmd(CMD.READ, 2, 3, RAM + 0x100) & ST.BUSY).toBe(ST.BUSY);
    expect(d.disk.nextEventAt()).toBe(5000 + 1000 + 3 * 100);
    d.at(6299);
    expect(d.rd(R.STATUS) & ST.BUSY).toBe(ST.BUSY);
    expect(d.mem.read8(RAM + 0x100)).toBe(0); // nothing transferred before completion
    d.at(6300);
    expect(d.rd(R.STATUS) & (ST.BUSY | ST.DONE)).toBe(ST.DONE);
    expect(d.rd(R.RESULT)).toBe(3);
    expect(d.rd(R.ERROR)).toBe(ERR.NONE);
    expect(d.mem.read8(RAM + 0x100)).toBe(3);
    expect(d.mem.read8(RAM + 0x100 + 511)).toBe(3);
    expect(d.mem.read8(RAM + 0x100 + 512)).toBe(4);
    expect(d.mem.read8(RAM + 0x100 + 3 * 512 - 1)).toBe(5);
    expect(d.mem.read8(RAM + 0x100 + 3 * 512)).toBe(0);
    expect(d.messages).toEqual([]);
  });

  it('latches SECTOR/COUNT/BUFFER at the command: changing them while busy has no effect', () => {
    const d = rig({ path: makeImage(4) });
    d.cmd(CMD.READ, 1, 1, RAM);
    d.wr(R.SECTOR, 3);
    d.wr(R.BUFFER, RAM + 0x1000);
    d.finish();
    expect(d.mem.read8(RAM)).toBe(2);
    expect(d.mem.read8(RAM + 0x1000)).toBe(0);
    expect(d.rd(R.SECTOR)).toBe(3); // the register itself did change
  });

  it('ignores a command written while busy, with a warning', () => {
    const d = rig({ path: makeImage(4) });
    d.cmd(CMD.READ, 0, 1, RAM);
    d.wr(R.COMMAND, CMD.WRITE);
    expect(d.rd(R.COMMAND)).toBe(CMD.READ);
    expect(d.messages.join()).toMatch(/busy: ignored/);
    expect(d.finish() & ST.DONE).toBe(ST.DONE);
    expect(d.rd(R.RESULT)).toBe(1);
  });

  it('zero-pads the last sector of an image that is not a multiple of 512 bytes', () => {
    const p = join(dir, 'odd.img');
    writeFileSync(p, Buffer.alloc(700, 0xee));
    const d = rig({ path: p });
    expect(d.messages.join()).toMatch(/700 bytes, not a multiple of 512/);
    d.cmd(CMD.IDENTIFY);
    d.finish();
    expect(d.rd(R.RESULT)).toBe(2);
    d.cmd(CMD.READ, 1, 1, RAM);
    d.finish();
    expect(d.mem.read8(RAM + 187)).toBe(0xee);
    expect(d.mem.read8(RAM + 188)).toBe(0);
  });
});

describe('disk writes: copy-on-write overlay (default)', () => {
  it('reads back what the guest wrote, while the image file stays untouched', () => {
    const p = makeImage(4);
    const before = readFileSync(p);
    const d = rig({ path: p });
    fill(d.mem, RAM, 1024, (i) => (i * 7) & 0xff);
    d.cmd(CMD.WRITE, 1, 2, RAM);
    expect(d.finish() & (ST.DONE | ST.ERROR)).toBe(ST.DONE);
    expect(d.disk.overlaySectors).toBe(2);
    d.cmd(CMD.FLUSH);
    expect(d.finish() & (ST.DONE | ST.ERROR)).toBe(ST.DONE);
    d.cmd(CMD.READ, 0, 4, RAM + 0x2000);
    d.finish();
    expect(d.mem.read8(RAM + 0x2000)).toBe(1); // sector 0 from the image
    for (let i = 0; i < 1024; i++) {
      if (d.mem.read8(RAM + 0x2000 + 512 + i) !== ((i * 7) & 0xff)) throw new Error(`byte ${i} differs`);
    }
    expect(d.mem.read8(RAM + 0x2000 + 3 * 512)).toBe(4); // sector 3 from the image
    expect(d.rd(R.STATUS) & (ST.PERSIST | ST.READONLY)).toBe(0);
    d.disk.flush();
    d.disk.close();
    expect(readFileSync(p).equals(before)).toBe(true);
  });

  it('keeps the guest buffer contents at completion time (DMA reads RAM when the transfer happens)', () => {
    const d = rig({ path: makeImage(2) });
    fill(d.mem, RAM, 512, () => 0x11);
    d.cmd(CMD.WRITE, 0, 1, RAM);
    fill(d.mem, RAM, 512, () => 0x22); // the guest broke the rule and changed the buffer while busy
    d.finish();
    d.cmd(CMD.READ, 0, 1, RAM + 0x1000);
    d.finish();
    expect(d.mem.read8(RAM + 0x1000)).toBe(0x22);
  });
});

describe('disk writes: persist (--disk-write)', () => {
  it('writes through to the file before acknowledging, and fsyncs on flush and close', () => {
    const p = makeImage(4);
    const d = rig({ path: p, persist: true });
    expect(d.rd(R.STATUS) & ST.PERSIST).toBe(ST.PERSIST);
    fill(d.mem, RAM, 512, (i) => 0x80 | (i & 0x7f));
    d.cmd(CMD.WRITE, 2, 1, RAM);
    // in flight: not acknowledged, not yet written
    expect(readFileSync(p)[2 * 512]).toBe(3);
    expect(d.finish() & ST.DONE).toBe(ST.DONE);
    // acknowledged: already in the file, even before any flush (a killed process loses nothing)
    const img = readFileSync(p);
    expect(img[2 * 512]).toBe(0x80);
    expect(img[2 * 512 + 511]).toBe(0x80 | (511 & 0x7f));
    expect(img[1 * 512]).toBe(2);
    expect(img[3 * 512]).toBe(4);
    expect(d.disk.overlaySectors).toBe(0);
    d.cmd(CMD.FLUSH);
    expect(d.finish() & (ST.DONE | ST.ERROR)).toBe(ST.DONE);
    d.disk.flush(); // what the CLI's SIGINT handler calls (via SystemBoard.flushAll)
    d.disk.close();
    d.disk.close(); // idempotent
    expect(readFileSync(p)[2 * 512]).toBe(0x80);
    expect(d.messages).toEqual([]);
  });

  it('a reopened image shows persisted writes', () => {
    const p = makeImage(2);
    const a = rig({ path: p, persist: true });
    fill(a.mem, RAM, 512, () => 0x5a);
    a.cmd(CMD.WRITE, 1, 1, RAM);
    a.finish();
    a.disk.close();
    const b = rig({ path: p });
    b.cmd(CMD.READ, 1, 1, RAM);
    b.finish();
    expect(b.mem.read8(RAM + 100)).toBe(0x5a);
  });

  it('persists into an in-memory backing too', () => {
    const bytes = new Uint8Array(1024);
    const d = rig({ backing: new MemoryBacking(bytes), persist: true });
    fill(d.mem, RAM, 512, () => 9);
    d.cmd(CMD.WRITE, 1, 1, RAM);
    d.finish();
    expect(bytes[512]).toBe(9);
    expect(bytes[511]).toBe(0);
  });

  it('refuses writes (READ_ONLY) when the file cannot be opened for writing, and says so', () => {
    if (process.getuid?.() === 0) return; // root can write anyway
    const p = makeImage(2);
    chmodSync(p, 0o444);
    const d = rig({ path: p, persist: true });
    expect(d.messages.join()).toMatch(/cannot be opened for writing \(permission denied\)/);
    expect(d.rd(R.STATUS) & (ST.MEDIA | ST.READONLY | ST.PERSIST)).toBe(ST.MEDIA | ST.READONLY);
    d.cmd(CMD.READ, 0, 1, RAM);
    expect(d.finish() & ST.DONE).toBe(ST.DONE);
    const s = d.cmd(CMD.WRITE, 0, 1, RAM);
    expect(s & ST.ERROR).toBe(ST.ERROR);
    expect(d.rd(R.ERROR)).toBe(ERR.READ_ONLY);
    d.disk.close();
  });

  it('refuses writes (READ_ONLY) on a backing that cannot take them, whoever runs the test', () => {
    const ro = { ...new MemoryBacking(new Uint8Array(1024)), description: 'ro', sectors: 2, writable: false,
      readSector: (_n: number, dst: Uint8Array) => dst.fill(1), writeSector: () => { throw new Error('unreachable'); }, flush() {}, close() {} };
    const d = rig({ backing: ro, persist: true });
    expect(d.rd(R.STATUS) & (ST.READONLY | ST.PERSIST)).toBe(ST.READONLY);
    expect(d.cmd(CMD.WRITE, 1, 1, RAM) & ST.ERROR).toBe(ST.ERROR);
    expect(d.rd(R.ERROR)).toBe(ERR.READ_ONLY);
    expect(d.messages.at(-1)).toMatch(/write of sector 1 refused: the image is read-only/);
    // without persist the same backing takes writes into the overlay
    const o = rig({ backing: ro });
    expect(o.cmd(CMD.WRITE, 1, 1, RAM) & ST.BUSY).toBe(ST.BUSY);
    expect(o.finish() & ST.DONE).toBe(ST.DONE);
  });
});

describe('disk errors: guest status and user message, never a throw', () => {
  it('a missing image file: no media', () => {
    const d = rig({ path: join(dir, 'nope.img') });
    expect(d.messages).toEqual([`error: disk image '${join(dir, 'nope.img')}' cannot be opened (no such file): the guest sees no disk`]);
    expect(d.rd(R.STATUS) & ST.MEDIA).toBe(0);
    expect(d.cmd(CMD.READ) & ST.ERROR).toBe(ST.ERROR);
    expect(d.rd(R.ERROR)).toBe(ERR.NO_MEDIA);
    d.cmd(CMD.IDENTIFY);
    expect(d.rd(R.ERROR)).toBe(ERR.NO_MEDIA);
    expect(d.rd(R.RESULT)).toBe(0);
    d.disk.flush();
    d.disk.close();
  });

  it('a directory instead of an image: no media', () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    const d = rig({ path: sub, persist: true });
    expect(d.messages.join()).toMatch(/cannot be opened \((is a directory|illegal operation on a directory)/);
    expect(d.disk.hasMedia).toBe(false);
  });

  it('no image at all', () => {
    const d = rig();
    expect(d.cmd(CMD.READ) & ST.ERROR).toBe(ST.ERROR);
    expect(d.rd(R.ERROR)).toBe(ERR.NO_MEDIA);
    expect(d.messages.join()).toMatch(/no disk image attached \(--disk FILE\)/);
  });

  it('sectors out of range, bad counts, bad buffers, unknown commands', () => {
    const d = rig({ path: makeImage(8) });
    const check = (s: number, code: number, msg: RegExp) => {
      expect(s & (ST.ERROR | ST.BUSY | ST.DONE)).toBe(ST.ERROR);
      expect(d.rd(R.ERROR)).toBe(code);
      expect(d.messages.at(-1)).toMatch(msg);
    };
    check(d.cmd(CMD.READ, 8, 1), ERR.BAD_SECTOR, /sector 8 is beyond the end of the disk \(8 sectors\)/);
    check(d.cmd(CMD.WRITE, 6, 3), ERR.BAD_SECTOR, /sectors 6..8 is beyond/);
    check(d.cmd(CMD.READ, 0xffffffff, 1), ERR.BAD_SECTOR, /beyond/);
    check(d.cmd(CMD.READ, 0, 0), ERR.BAD_COUNT, /0 sectors refused/);
    check(d.cmd(CMD.READ, 0, 257), ERR.BAD_COUNT, /257 sectors refused \(1..256/);
    check(d.cmd(CMD.READ, 0, 1, 0x0), ERR.BAD_ADDRESS, /buffer 0x0..0x1ff is not in guest RAM/);
    check(d.cmd(CMD.READ, 0, 1, RAM + RAM_SIZE - 256), ERR.BAD_ADDRESS, /not in guest RAM/);
    check(d.cmd(CMD.WRITE, 0, 1, 0xbf000000), ERR.BAD_ADDRESS, /not in guest RAM/);
    check(d.cmd(99), ERR.BAD_COMMAND, /unknown command 99/);
    check(d.cmd(0), ERR.BAD_COMMAND, /unknown command 0/);
    // the disk still works afterwards
    expect(d.cmd(CMD.READ, 7, 1, RAM) & ST.BUSY).toBe(ST.BUSY);
    expect(d.finish() & (ST.DONE | ST.ERROR)).toBe(ST.DONE);
    expect(d.rd(R.ERROR)).toBe(ERR.NONE);
  });

  it('a buffer that stops being RAM before completion', () => {
    const d = rig({ path: makeImage(2) });
    d.cmd(CMD.READ, 0, 1, RAM);
    d.mem.unmap(RAM, 0x1000);
    expect(d.finish() & ST.ERROR).toBe(ST.ERROR);
    expect(d.rd(R.ERROR)).toBe(ERR.BAD_ADDRESS);
  });

  it('host I/O errors become IO_ERROR', () => {
    const failing = {
      description: 'failing image', sectors: 4, writable: true,
      readSector() { throw Object.assign(new Error('EIO'), { code: 'EIO' }); },
      writeSector() { throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }); },
      flush() { throw Object.assign(new Error('EIO'), { code: 'EIO' }); },
      close() {},
    };
    const d = rig({ backing: failing, persist: true });
    d.cmd(CMD.READ);
    expect(d.finish() & ST.ERROR).toBe(ST.ERROR);
    expect(d.rd(R.ERROR)).toBe(ERR.IO_ERROR);
    expect(d.messages.at(-1)).toMatch(/reading sector 0 of failing image failed: input\/output error/);
    d.cmd(CMD.WRITE);
    d.finish();
    expect(d.rd(R.ERROR)).toBe(ERR.IO_ERROR);
    expect(d.messages.at(-1)).toMatch(/no space left on device/);
    d.cmd(CMD.FLUSH);
    d.finish();
    expect(d.rd(R.ERROR)).toBe(ERR.IO_ERROR);
    expect(() => d.disk.flush()).not.toThrow();
  });

  it('limits the number of messages', () => {
    const d = rig({ maxMessages: 3 });
    for (let i = 0; i < 10; i++) d.cmd(CMD.READ);
    expect(d.messages.length).toBe(4);
    expect(d.messages[3]).toMatch(/further messages suppressed/);
  });

  it('refuses sub-word and unknown register accesses (bus errors); read-only registers ignore writes', () => {
    const d = rig({ path: makeImage(1) });
    expect(d.disk.read(R.STATUS, 2)).toBeUndefined();
    expect(d.disk.write(R.SECTOR, 1, 1)).toBe(false);
    expect(d.disk.read(0x24, 4)).toBeUndefined();
    expect(d.disk.write(0x2c, 4, 0)).toBe(false);
    expect(d.wr(R.STATUS, 0xff)).toBe(true);
    expect(d.rd(R.STATUS)).toBe(ST.MEDIA);
  });

  it('after close the guest sees no media', () => {
    const d = rig({ path: makeImage(1) });
    d.disk.close();
    d.cmd(CMD.READ);
    expect(d.rd(R.ERROR)).toBe(ERR.NO_MEDIA);
    expect(d.messages.at(-1)).toMatch(/the disk was closed/);
  });
});

describe('disk interrupt', () => {
  it('raises IP4 on completion or error while enabled, until acknowledged', () => {
    const d = rig({ path: makeImage(2) });
    d.wr(R.CONTROL, 1);
    d.cmd(CMD.READ, 0, 1, RAM);
    expect(d.intc.pending()).toBe(0);
    d.finish();
    expect(d.intc.pending()).toBe(0x1000);
    expect(d.rd(R.STATUS) & ST.IRQ).toBe(ST.IRQ);
    d.wr(R.ACK, 1);
    expect(d.intc.pending()).toBe(0);
    expect(d.rd(R.STATUS) & (ST.DONE | ST.IRQ)).toBe(0);
    expect(d.rd(R.RESULT)).toBe(1); // the result stays readable

    d.cmd(CMD.READ, 5, 1, RAM); // error: posted at once
    expect(d.intc.pending()).toBe(0x1000);
    expect(d.rd(R.ERROR)).toBe(ERR.BAD_SECTOR);
    d.wr(R.ACK, 0);
    expect(d.intc.pending()).toBe(0);
    expect(d.rd(R.ERROR)).toBe(ERR.BAD_SECTOR); // the code stays until the next command
  });

  it('follows the enable bit: disabling lowers, enabling with a result pending raises', () => {
    const d = rig({ path: makeImage(2) });
    d.cmd(CMD.IDENTIFY);
    d.finish();
    expect(d.intc.pending()).toBe(0);
    d.wr(R.CONTROL, 1);
    expect(d.intc.pending()).toBe(0x1000);
    expect(d.rd(R.CONTROL)).toBe(1);
    d.wr(R.CONTROL, 0);
    expect(d.intc.pending()).toBe(0);
    d.wr(R.CONTROL, 1);
    d.cmd(CMD.IDENTIFY); // a new command clears the previous completion
    expect(d.intc.pending()).toBe(0);
  });
});
