// A DMA block device with 512-byte sectors, backed by a host image file (or bytes in memory).
//
// By default the image is opened read-only and guest writes go to a copy-on-write overlay in
// host memory: the guest reads back what it wrote, and the image is untouched when the run ends.
// With persist (--disk-write) writes go straight to the file with a positioned write before the
// command reports DONE, so an acknowledged write survives even if the process is killed; FLUSH,
// flush() and close() fsync the file as well.
//
// Errors the guest causes (no disk, bad sector, bad count, bad buffer, unknown command) and host
// errors (missing file, I/O error) give the guest an ERROR status and the user a message through
// onMessage; nothing throws. Commands complete after a latency counted in instructions, then
// raise the completion interrupt if enabled. See README.md for the register map.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import type { AccessSize, DmaMemory, RegisterWindow, TimedDevice } from './bus.js';
import type { IrqLine } from './intc.js';
import type { Clock } from './time.js';

export const SECTOR_SIZE = 512;

export const DISK_REGS = {
  SECTOR: 0x00, COUNT: 0x04, BUFFER: 0x08, COMMAND: 0x0c, STATUS: 0x10,
  ERROR: 0x14, CONTROL: 0x18, ACK: 0x1c, RESULT: 0x20,
} as const;

export const DISK_CMD = { READ: 1, WRITE: 2, FLUSH: 3, IDENTIFY: 4 } as const;

export const DISK_STATUS = {
  BUSY: 0x01, DONE: 0x02, ERROR: 0x04, IRQ: 0x08, MEDIA: 0x10, PERSIST: 0x20, READONLY: 0x40,
} as const;

export const DISK_ERR = {
  NONE: 0, NO_MEDIA: 1, BAD_COMMAND: 2, BAD_SECTOR: 3, BAD_COUNT: 4, BAD_ADDRESS: 5, IO_ERROR: 6, READ_ONLY: 7,
} as const;

export const DISK_CONTROL_IE = 0x1;

export type MessageLevel = 'warning' | 'error';
export type MessageSink = (level: MessageLevel, text: string) => void;

/** Sector storage behind the device. Methods may throw host errors; the device catches them. */
export interface DiskBacking {
  readonly description: string;
  readonly sectors: number;
  /** Writes can reach the backing (false: persist was asked for but the file is read-only). */
  readonly writable: boolean;
  readSector(n: number, dst: Uint8Array): void;
  writeSector(n: number, src: Uint8Array): void;
  flush(): void;
  close(): void;
}

function describeErrno(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'EROFS': return 'read-only file system';
    case 'ENOSPC': return 'no space left on device';
    case 'EIO': return 'input/output error';
    default: return err.message ?? String(e);
  }
}

/** A host image file. */
export class FileBacking implements DiskBacking {
  readonly description: string;
  private fd: number;

  private constructor(
    readonly path: string,
    fd: number,
    readonly sectors: number,
    readonly writable: boolean,
  ) {
    this.fd = fd;
    this.description = `'${path}'`;
  }

  /** Opens `path`; undefined (and an error message) if it cannot be used at all. */
  static open(path: string, persist: boolean, onMessage: MessageSink): FileBacking | undefined {
    let fd = -1;
    let writable = false;
    try {
      if (persist) {
        try {
          fd = openSync(path, 'r+');
          writable = true;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw e;
          fd = openSync(path, 'r');
          onMessage('error', `disk image '${path}' cannot be opened for writing (${describeErrno(e)}): --disk-write ignored, guest writes will fail`);
        }
      } else {
        fd = openSync(path, 'r');
      }
      const st = fstatSync(fd);
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      const size = st.size;
      if (size % SECTOR_SIZE !== 0) {
        onMessage('warning', `disk image '${path}' is ${size} bytes, not a multiple of ${SECTOR_SIZE}: the last sector reads as zero-padded`);
      }
      return new FileBacking(path, fd, Math.ceil(size / SECTOR_SIZE), writable);
    } catch (e) {
      if (fd >= 0) closeSync(fd);
      onMessage('error', `disk image '${path}' cannot be opened (${describeErrno(e)}): the guest sees no disk`);
      return undefined;
    }
  }

  readSector(n: number, dst: Uint8Array): void {
    dst.fill(0);
    let off = 0;
    while (off < SECTOR_SIZE) {
      const got = readSync(this.fd, dst, off, SECTOR_SIZE - off, n * SECTOR_SIZE + off);
      if (got === 0) break; // past the end of a short image: zeros
      off += got;
    }
  }

  writeSector(n: number, src: Uint8Array): void {
    let off = 0;
    while (off < SECTOR_SIZE) off += writeSync(this.fd, src, off, SECTOR_SIZE - off, n * SECTOR_SIZE + off);
  }

  flush(): void {
    if (this.writable && this.fd >= 0) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      if (this.writable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** An image held in host memory (tests, images built on the fly). Persisted writes modify `bytes`. */
export class MemoryBacking implements DiskBacking {
  readonly description = 'in-memory image';
  readonly sectors: number;
  readonly writable = true;
  constructor(readonly bytes: Uint8Array) {
    this.sectors = Math.ceil(bytes.length / SECTOR_SIZE);
  }
  readSector(n: number, dst: Uint8Array): void {
    dst.fill(0);
    dst.set(this.bytes.subarray(n * SECTOR_SIZE, Math.min(this.bytes.length, (n + 1) * SECTOR_SIZE)));
  }
  writeSector(n: number, src: Uint8Array): void {
    const room = Math.min(SECTOR_SIZE, this.bytes.length - n * SECTOR_SIZE);
    this.bytes.set(src.subarray(0, room), n * SECTOR_SIZE);
  }
  flush(): void {}
  close(): void {}
}

export interface DiskLatency {
  /** Instructions from command to completion... */
  base: number;
  /** ...plus this many per sector transferred. */
  perSector: number;
}

export const DEFAULT_DISK_LATENCY: Readonly<DiskLatency> = { base: 1000, perSector: 100 };

export interface DiskOptions {
  clock: Clock;
  /** Completion interrupt (IP4 on the standard board). */
  line?: IrqLine;
  /** Guest RAM for DMA; without it every transfer fails with BAD_ADDRESS. */
  dma?: DmaMemory;
  /** Host image file (--disk FILE). */
  path?: string;
  /** Or an explicit backing (takes precedence over path). */
  backing?: DiskBacking;
  /** Write through to the image (--disk-write) instead of the copy-on-write overlay. */
  persist?: boolean;
  latency?: Partial<DiskLatency>;
  /** Largest COUNT a command accepts. Default 256 sectors (128 KiB). */
  maxSectors?: number;
  onMessage?: MessageSink;
  /** Messages after this many are dropped (with a note). Default 20. */
  maxMessages?: number;
}

interface Op {
  cmd: number;
  sector: number;
  count: number;
  buffer: number;
  doneAt: number;
}

export class DiskDevice implements RegisterWindow, TimedDevice {
  readonly name = 'disk';
  readonly size = 0x30;
  readonly persist: boolean;
  private readonly clock: Clock;
  private readonly line: IrqLine | undefined;
  private dmaMem: DmaMemory | undefined;
  private backing: DiskBacking | undefined;
  private readonly overlay = new Map<number, Uint8Array>();
  private readonly latency: DiskLatency;
  private readonly maxSectors: number;
  private readonly sink: MessageSink;
  private readonly maxMessages: number;
  private messages = 0;
  private closed = false;

  private sector = 0;
  private count = 0;
  private buffer = 0;
  private lastCommand = 0;
  private ie = false;
  private busy = false;
  private done = false;
  private failed = false;
  private errorCode = 0;
  private result = 0;
  private op: Op | undefined;
  private now = 0;

  constructor(opts: DiskOptions) {
    this.clock = opts.clock;
    this.line = opts.line;
    this.dmaMem = opts.dma;
    this.persist = opts.persist ?? false;
    this.latency = { ...DEFAULT_DISK_LATENCY, ...opts.latency };
    this.maxSectors = opts.maxSectors ?? 256;
    this.sink = opts.onMessage ?? (() => {});
    this.maxMessages = opts.maxMessages ?? 20;
    this.backing = opts.backing ?? (opts.path !== undefined ? FileBacking.open(opts.path, this.persist, (l, t) => this.message(l, t)) : undefined);
  }

  /** Connects guest RAM (the board does this when it is installed into a Memory). */
  setDma(dma: DmaMemory): void {
    this.dmaMem = dma;
  }

  get hasMedia(): boolean {
    return this.backing !== undefined && !this.closed;
  }

  /** Capacity in sectors (0 without media). */
  get sectors(): number {
    return this.hasMedia ? this.backing!.sectors : 0;
  }

  /** Sectors written to the copy-on-write overlay (always 0 with persist). */
  get overlaySectors(): number {
    return this.overlay.size;
  }

  private message(level: MessageLevel, text: string): void {
    this.messages++;
    if (this.messages <= this.maxMessages) this.sink(level, text);
    else if (this.messages === this.maxMessages + 1) this.sink('warning', 'disk: further messages suppressed');
  }

  private get writesRefused(): boolean {
    return this.persist && this.backing !== undefined && !this.backing.writable;
  }

  private status(): number {
    let s = 0;
    if (this.busy) s |= DISK_STATUS.BUSY;
    if (this.done) s |= DISK_STATUS.DONE;
    if (this.failed) s |= DISK_STATUS.ERROR;
    if (this.line?.level) s |= DISK_STATUS.IRQ;
    if (this.hasMedia) {
      s |= DISK_STATUS.MEDIA;
      if (this.persist && this.backing!.writable) s |= DISK_STATUS.PERSIST;
      if (this.writesRefused) s |= DISK_STATUS.READONLY;
    }
    return s;
  }

  private updateLine(): void {
    this.line?.set(this.ie && (this.done || this.failed));
  }

  private finish(error: number, result: number): void {
    this.busy = false;
    this.op = undefined;
    this.errorCode = error;
    this.result = result;
    this.done = error === DISK_ERR.NONE;
    this.failed = !this.done;
    this.updateLine();
  }

  private describeRange(sector: number, count: number): string {
    return count === 1 ? `sector ${sector}` : `sectors ${sector}..${sector + count - 1}`;
  }

  private start(cmd: number): void {
    if (this.busy) {
      this.message('warning', `disk: command ${cmd} written while the disk is busy: ignored`);
      return;
    }
    this.lastCommand = cmd;
    const sector = this.sector >>> 0, count = this.count >>> 0, buffer = this.buffer >>> 0;
    this.done = this.failed = false;
    this.errorCode = DISK_ERR.NONE;
    this.result = 0;
    this.updateLine();
    const fail = (code: number, text: string) => {
      this.message('warning', `disk: ${text}`);
      this.finish(code, 0);
    };
    if (cmd < DISK_CMD.READ || cmd > DISK_CMD.IDENTIFY) return fail(DISK_ERR.BAD_COMMAND, `unknown command ${cmd}`);
    if (!this.hasMedia) return fail(DISK_ERR.NO_MEDIA, this.closed ? 'the disk was closed' : 'no disk image attached (--disk FILE)');
    let sectors = 0;
    if (cmd === DISK_CMD.READ || cmd === DISK_CMD.WRITE) {
      const what = cmd === DISK_CMD.READ ? 'read' : 'write';
      if (count === 0 || count > this.maxSectors) {
        return fail(DISK_ERR.BAD_COUNT, `${what} of ${count} sectors refused (1..${this.maxSectors} per command)`);
      }
      if (sector + count > this.backing!.sectors) {
        return fail(DISK_ERR.BAD_SECTOR, `${what} of ${this.describeRange(sector, count)} is beyond the end of the disk (${this.backing!.sectors} sectors)`);
      }
      if (!this.dmaMem || !this.dmaMem.check(buffer, count * SECTOR_SIZE)) {
        return fail(DISK_ERR.BAD_ADDRESS, `${what} buffer 0x${buffer.toString(16)}..0x${(buffer + count * SECTOR_SIZE - 1).toString(16)} is not in guest RAM`);
      }
      if (cmd === DISK_CMD.WRITE && this.writesRefused) {
        return fail(DISK_ERR.READ_ONLY, `write of ${this.describeRange(sector, count)} refused: the image is read-only`);
      }
      sectors = count;
    }
    this.busy = true;
    this.op = { cmd, sector, count, buffer, doneAt: this.now + this.latency.base + this.latency.perSector * sectors };
  }

  private complete(op: Op): void {
    const b = this.backing!;
    const len = op.count * SECTOR_SIZE;
    const where = `${this.describeRange(op.sector, op.count)} of ${b.description}`;
    switch (op.cmd) {
      case DISK_CMD.READ: {
        const data = new Uint8Array(len);
        try {
          for (let i = 0; i < op.count; i++) {
            const dst = data.subarray(i * SECTOR_SIZE, (i + 1) * SECTOR_SIZE);
            const o = this.overlay.get(op.sector + i);
            if (o) dst.set(o);
            else b.readSector(op.sector + i, dst);
          }
        } catch (e) {
          this.message('error', `disk: reading ${where} failed: ${describeErrno(e)}`);
          return this.finish(DISK_ERR.IO_ERROR, 0);
        }
        if (!this.dmaMem?.write(op.buffer, data)) {
          this.message('warning', `disk: read buffer 0x${op.buffer.toString(16)} is no longer in guest RAM`);
          return this.finish(DISK_ERR.BAD_ADDRESS, 0);
        }
        return this.finish(DISK_ERR.NONE, op.count);
      }
      case DISK_CMD.WRITE: {
        const data = this.dmaMem?.read(op.buffer, len);
        if (!data) {
          this.message('warning', `disk: write buffer 0x${op.buffer.toString(16)} is no longer in guest RAM`);
          return this.finish(DISK_ERR.BAD_ADDRESS, 0);
        }
        let i = 0;
        try {
          for (; i < op.count; i++) {
            const src = data.slice(i * SECTOR_SIZE, (i + 1) * SECTOR_SIZE);
            if (this.persist) b.writeSector(op.sector + i, src);
            else this.overlay.set(op.sector + i, src);
          }
        } catch (e) {
          this.message('error', `disk: writing ${where} failed after ${i} sectors: ${describeErrno(e)}`);
          return this.finish(DISK_ERR.IO_ERROR, i);
        }
        return this.finish(DISK_ERR.NONE, op.count);
      }
      case DISK_CMD.FLUSH:
        try {
          if (this.persist) b.flush();
        } catch (e) {
          this.message('error', `disk: flushing ${b.description} failed: ${describeErrno(e)}`);
          return this.finish(DISK_ERR.IO_ERROR, 0);
        }
        return this.finish(DISK_ERR.NONE, 0);
      default: // IDENTIFY
        return this.finish(DISK_ERR.NONE, b.sectors);
    }
  }

  advanceTo(now: number): void {
    if (now < this.now) return;
    this.now = now;
    const op = this.op;
    if (op && op.doneAt <= now) {
      if (!this.hasMedia) this.finish(DISK_ERR.NO_MEDIA, 0);
      else this.complete(op);
    }
  }

  nextEventAt(): number {
    return this.op ? this.op.doneAt : Infinity;
  }

  read(offset: number, size: AccessSize): number | undefined {
    if (size !== 4) return undefined;
    this.advanceTo(this.clock());
    switch (offset) {
      case DISK_REGS.SECTOR: return this.sector;
      case DISK_REGS.COUNT: return this.count;
      case DISK_REGS.BUFFER: return this.buffer;
      case DISK_REGS.COMMAND: return this.lastCommand;
      case DISK_REGS.STATUS: return this.status();
      case DISK_REGS.ERROR: return this.errorCode;
      case DISK_REGS.CONTROL: return this.ie ? DISK_CONTROL_IE : 0;
      case DISK_REGS.ACK: return 0;
      case DISK_REGS.RESULT: return this.result;
      default: return undefined;
    }
  }

  write(offset: number, size: AccessSize, value: number): boolean {
    if (size !== 4) return false;
    this.advanceTo(this.clock());
    switch (offset) {
      case DISK_REGS.SECTOR: this.sector = value >>> 0; return true;
      case DISK_REGS.COUNT: this.count = value >>> 0; return true;
      case DISK_REGS.BUFFER: this.buffer = value >>> 0; return true;
      case DISK_REGS.COMMAND: this.start(value >>> 0); return true;
      case DISK_REGS.CONTROL:
        this.ie = (value & DISK_CONTROL_IE) !== 0;
        this.updateLine();
        return true;
      case DISK_REGS.ACK:
        this.done = this.failed = false;
        this.updateLine();
        return true;
      case DISK_REGS.STATUS: case DISK_REGS.ERROR: case DISK_REGS.RESULT:
        return true; // read-only: writes are ignored
      default:
        return false;
    }
  }

  /** Makes persisted writes durable (fsync). Safe to call at any time, e.g. from a SIGINT handler. */
  flush(): void {
    if (!this.persist || !this.hasMedia) return;
    try {
      this.backing!.flush();
    } catch (e) {
      this.message('error', `disk: flushing ${this.backing!.description} failed: ${describeErrno(e)}`);
    }
  }

  /** Flushes and closes the image; the overlay is discarded. Idempotent. */
  close(): void {
    if (this.closed || !this.backing) {
      this.closed = true;
      return;
    }
    this.closed = true;
    try {
      this.backing.close();
    } catch (e) {
      this.message('error', `disk: closing ${this.backing.description} failed: ${describeErrno(e)}`);
    }
    this.overlay.clear();
  }
}
