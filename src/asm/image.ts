// Growable byte buffers for segments: each contiguous run of bytes is a chunk (a new chunk
// starts when `.text ADDR` moves the location counter).
import type { Span } from './diagnostics.js';
import type { SegKind } from './layout.js';

export class Chunk {
  buf: Uint8Array;
  len = 0;
  constructor(
    readonly seg: SegKind,
    readonly start: number,
    /** The directive or statement that started it (for overlap errors). */
    readonly span: Span | undefined,
  ) {
    this.buf = new Uint8Array(64);
  }

  get end(): number {
    return this.start + this.len;
  }

  reserve(n: number): number {
    const off = this.len;
    if (off + n > this.buf.length) {
      let cap = this.buf.length;
      while (cap < off + n) cap *= 2;
      const nb = new Uint8Array(cap);
      nb.set(this.buf.subarray(0, this.len));
      this.buf = nb;
    }
    this.len += n;
    return off;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

export class SegmentImage {
  readonly chunks: Chunk[] = [];
  private current: Chunk | null = null;
  totalBytes = 0;

  constructor(readonly seg: SegKind) {}

  /** Space for n bytes at addr (which must be the location counter); returns where they are. */
  place(addr: number, n: number, span: Span | undefined): { chunk: Chunk; off: number } {
    let c = this.current;
    if (!c || c.end !== addr) {
      c = this.chunks.find((x) => x.end === addr && x.len > 0) ?? null;
      if (!c) {
        c = new Chunk(this.seg, addr, span);
        this.chunks.push(c);
      }
      this.current = c;
    }
    this.totalBytes += n;
    return { chunk: c, off: c.reserve(n) };
  }
}
