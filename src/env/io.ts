// Guest standard streams: buffered output in program order, synchronous input, an output cap.
import { readSync, writeSync } from 'node:fs';
import { StopRun } from '../machine/exceptions.js';

export interface GuestIO {
  /** Writes to guest fd 1 (stdout) or 2 (stderr). */
  write(fd: 1 | 2, data: Uint8Array): void;
  /** Reads up to `max` bytes of stdin; an empty result means end of input. */
  read(max: number): Uint8Array;
  /** Reads one line of stdin including its newline; null at end of input. */
  readLine(): string | null;
  flush(): void;
  /** Bytes written so far. */
  readonly written: number;
}

const OUT_CHUNK = 64 * 1024;

/** Shared line and byte reading on top of a raw chunk source. */
abstract class BufferedIO implements GuestIO {
  private inBuf: Uint8Array = new Uint8Array(0);
  private inPos = 0;
  private eof = false;
  written = 0;

  constructor(protected readonly outputCap: number) {}

  protected abstract readChunk(): Uint8Array; // empty = EOF
  protected abstract emit(fd: 1 | 2, data: Uint8Array): void;
  abstract flush(): void;

  write(fd: 1 | 2, data: Uint8Array): void {
    if (this.written + data.length > this.outputCap) {
      const room = Math.max(0, this.outputCap - this.written);
      this.emit(fd, data.subarray(0, room));
      this.written += room;
      throw new StopRun('output-limit', 0, `guest output exceeded the limit of ${this.outputCap} bytes (--max-output)`);
    }
    this.written += data.length;
    this.emit(fd, data);
  }

  private fill(): boolean {
    if (this.inPos < this.inBuf.length) return true;
    if (this.eof) return false;
    this.flush(); // a prompt printed before reading must be visible
    const chunk = this.readChunk();
    if (chunk.length === 0) { this.eof = true; return false; }
    this.inBuf = chunk;
    this.inPos = 0;
    return true;
  }

  read(max: number): Uint8Array {
    if (max <= 0 || !this.fill()) return new Uint8Array(0);
    const n = Math.min(max, this.inBuf.length - this.inPos);
    const out = this.inBuf.slice(this.inPos, this.inPos + n);
    this.inPos += n;
    return out;
  }

  readLine(): string | null {
    const bytes: number[] = [];
    while (this.fill()) {
      const b = this.inBuf[this.inPos++];
      bytes.push(b);
      if (b === 10) break;
    }
    if (bytes.length === 0) return null;
    return Buffer.from(bytes).toString('latin1');
  }
}

/** The host process's stdin/stdout/stderr (or a file for stdin). */
export class HostIO extends BufferedIO {
  private out: Uint8Array[] = [];
  private outLen = 0;
  private lastFd: 1 | 2 = 1;

  constructor(private readonly stdinFd = 0, outputCap = Infinity) {
    super(outputCap);
  }

  protected readChunk(): Uint8Array {
    const buf = Buffer.alloc(65536);
    for (;;) {
      try {
        const n = readSync(this.stdinFd, buf, 0, buf.length, null);
        return buf.subarray(0, n);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); continue; }
        if (code === 'EOF') return new Uint8Array(0);
        throw e;
      }
    }
  }

  protected emit(fd: 1 | 2, data: Uint8Array): void {
    if (fd !== this.lastFd) this.flush(); // keep stdout and stderr in program order
    this.lastFd = fd;
    this.out.push(data.slice());
    this.outLen += data.length;
    if (this.outLen >= OUT_CHUNK) this.flush();
  }

  flush(): void {
    if (this.outLen === 0) return;
    const all = Buffer.concat(this.out);
    this.out = [];
    this.outLen = 0;
    let off = 0;
    while (off < all.length) {
      try {
        off += writeSync(this.lastFd, all, off, all.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue;
        if (code === 'EPIPE') return; // reader went away: drop output like a killed pipe would
        throw e;
      }
    }
  }
}

/** In-memory streams for tests and the autograder. */
export class CapturedIO extends BufferedIO {
  private stdinLeft: Uint8Array;
  readonly stdout: number[] = [];
  readonly stderr: number[] = [];
  /** Both streams interleaved in program order. */
  readonly combined: number[] = [];

  constructor(stdin: string | Uint8Array = '', outputCap = Infinity) {
    super(outputCap);
    this.stdinLeft = typeof stdin === 'string' ? new TextEncoder().encode(stdin) : stdin;
  }

  protected readChunk(): Uint8Array {
    const c = this.stdinLeft;
    this.stdinLeft = new Uint8Array(0) as Uint8Array;
    return c;
  }

  protected emit(fd: 1 | 2, data: Uint8Array): void {
    const target = fd === 1 ? this.stdout : this.stderr;
    for (const b of data) { target.push(b); this.combined.push(b); }
  }

  flush(): void {}

  stdoutText(): string {
    return Buffer.from(this.stdout).toString('utf8');
  }
  stderrText(): string {
    return Buffer.from(this.stderr).toString('utf8');
  }
}
