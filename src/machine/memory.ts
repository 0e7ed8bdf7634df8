// Sparse 32-bit guest memory: 4 KiB pages of native-endian words, allocated on first touch
// inside mapped regions. Big-endian byte and half accesses flip the low address bits. On a
// user-mode machine the kuseg pages are views of one flat buffer, which translated code indexes
// by address directly (after a per-page bitmap check) instead of going through a page object.
import { ExcCode, GuestException, StopRun } from './exceptions.js';

export const PAGE_BITS = 12;
export const PAGE_SIZE = 1 << PAGE_BITS;
const WORD_MASK = (PAGE_SIZE >> 2) - 1;

export interface Region {
  start: number; // inclusive, page aligned
  end: number; // exclusive, page aligned (0x1_0000_0000 allowed)
  name: string;
  /** An alias: address a shows the page at a - start + aliasOf (same page objects). */
  aliasOf?: number;
  /**
   * Initial contents (a private file mapping: an ELF segment): `bytes[0]` is at address `at`.
   * A page is filled from them when first touched, so a program's untouched code and data are
   * never copied; past them (bss) pages start zeroed.
   */
  source?: { bytes: Uint8Array; at: number };
}

/** First kernel-segment page (0x80000000): unreachable from user mode. */
const KSEG_PAGE = 0x80000000 >>> PAGE_BITS;

/** A device register window; accesses are aligned and of size 1, 2 or 4. */
export interface MmioHandler {
  start: number;
  end: number;
  read(addr: number, size: number): number;
  write(addr: number, size: number, value: number): void;
}

export const DEFAULT_MEMORY_CAP = 256 * 1024 * 1024;

/**
 * Page tables are plain arrays indexed by page number (one load on the fast path). They cover
 * kuseg (user space), and for a system-mode machine kseg0 too (a kernel's data): creating a
 * table costs ~20 ms per 512K entries, and a million-entry pair cost a booted machine ~130 ms
 * with its garbage collection. Kernel-segment pages (0x80000000 and up) are also kept in
 * `kpages`; kseg0 ones leave the tables in user mode, and the pages above the tables (kseg1:
 * uncached views, the ROM; kseg2/3) are only reached through the slow path, which enforces
 * user mode. Released tables are pooled: the autograder creates a fresh machine per test.
 * The flat buffer (Memory.flat) made the long Linux benchmarks 16% faster (crc32 38%, sieve 21%):
 * a load is a bitmap byte and one element of a typed array whose base V8 keeps in a register,
 * where a page object needs its map, length and base loaded on every access.
 */
const USER_TABLE_PAGES = 0x80000000 / PAGE_SIZE;
const KSEG0_TABLE_PAGES = 0xa0000000 / PAGE_SIZE;
const PAGE_TABLE_POOL: (Int32Array | undefined)[][] = [];
const PAGE_TABLE_POOL_MAX = 8;

/**
 * The flat kuseg buffer (2 GiB of address space; the OS commits only the pages written). Null
 * where the host refuses so large an allocation: memory then works through page objects only.
 * One released buffer is kept for the next Memory (pages are zeroed when allocated, so what a
 * previous guest left in it is never seen).
 */
interface FlatMemory {
  words: Int32Array;
  readOk: Uint8Array;
  writeOk: Uint8Array;
}
let flatPool: FlatMemory | null = null;
function takeFlatMemory(): FlatMemory | null {
  const f = flatPool;
  flatPool = null;
  if (f) return f;
  try {
    const words = new Int32Array(new ArrayBuffer(USER_TABLE_PAGES * PAGE_SIZE));
    return { words, readOk: new Uint8Array(USER_TABLE_PAGES), writeOk: new Uint8Array(USER_TABLE_PAGES) };
  } catch {
    return null;
  }
}

function takePageTable(count: number): (Int32Array | undefined)[] {
  const i = PAGE_TABLE_POOL.findIndex((t) => t.length === count);
  return i >= 0 ? PAGE_TABLE_POOL.splice(i, 1)[0] : new Array(count);
}

export class Memory {
  private released = false;

  /**
   * Ends this memory's life and gives its page tables to the next Memory. The Memory (and
   * any machine or translation using it) must not be used afterwards.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    const set = this.setEntries;
    for (const table of [this.readPages, this.writePages]) {
      if (PAGE_TABLE_POOL.length >= PAGE_TABLE_POOL_MAX) break;
      if (set) for (const n of set) table[n] = undefined;
      else table.fill(undefined);
      PAGE_TABLE_POOL.push(table);
    }
    if (this.flat && this.readOk && this.writeOk) {
      for (const bits of [this.readOk, this.writeOk]) {
        if (set) for (const n of set) bits[n] = 0;
        else bits.fill(0);
      }
      flatPool = { words: this.flat, readOk: this.readOk, writeOk: this.writeOk };
    }
  }

  /** Pages readable on the fast path, by page number (pages past the end: slow path). */
  readonly readPages: (Int32Array | undefined)[];
  /** Pages writable on the fast path; a watched page (translated code) is absent here. */
  readonly writePages: (Int32Array | undefined)[];
  /**
   * User-mode machines: kuseg as one buffer (committed by the OS as pages are touched), which
   * every kuseg page is a view of, so generated code can index it by address; readOk/writeOk
   * say which pages the fast path may use (1), as readPages/writePages do.
   */
  readonly flat: Int32Array | null = null;
  readonly readOk: Uint8Array | null = null;
  readonly writeOk: Uint8Array | null = null;
  /** XOR applied to byte addresses (3 for big-endian) and half addresses (2). */
  readonly byteXor: number;
  readonly halfXor: number;
  private regions: Region[] = [];
  private mmio: MmioHandler[] = [];
  private watchers = new Map<number, (addr: number) => void>();
  allocatedBytes = 0;
  /** User mode (system mode only): addresses >= 0x80000000 raise address errors. */
  userMode = false;
  /** Windows above 0x80000000 user mode may still reach (SPIM's console with --mapped-io). */
  userWindows: { start: number; end: number }[] = [];
  /** Allocated kernel-segment pages, kept off the fast-path arrays while in user mode. */
  private kpages = new Map<number, Int32Array>();
  /** Page numbers sharing one page object (aliases), for watched-page stores. */
  private aliasNums = new Map<Int32Array, number[]>();

  /** Pages the tables cover (the fast path). */
  private readonly tablePages: number;

  constructor(
    readonly bigEndian: boolean,
    readonly capBytes: number = DEFAULT_MEMORY_CAP,
    /** Also put kseg0 on the fast path (system mode: a kernel's data). */
    fastKseg0 = false,
  ) {
    this.tablePages = fastKseg0 ? KSEG0_TABLE_PAGES : USER_TABLE_PAGES;
    this.readPages = takePageTable(this.tablePages);
    this.writePages = takePageTable(this.tablePages);
    const flat = fastKseg0 ? null : takeFlatMemory();
    if (flat) {
      this.flat = flat.words;
      this.readOk = flat.readOk;
      this.writeOk = flat.writeOk;
    }
    this.byteXor = bigEndian ? 3 : 0;
    this.halfXor = bigEndian ? 2 : 0;
  }

  // ---- address space ----

  /**
   * Makes [start, start+size) accessible. Pages are allocated when first touched, zero filled,
   * or from `bytes` (placed at `start`) where they cover the page.
   */
  map(start: number, size: number, name: string, bytes?: Uint8Array): void {
    const s = Math.floor(start / PAGE_SIZE) * PAGE_SIZE;
    const e = Math.min(2 ** 32, Math.ceil((start + size) / PAGE_SIZE) * PAGE_SIZE);
    if (e <= s) return;
    this.regions.push({ start: s, end: e, name, ...(bytes?.length ? { source: { bytes, at: start >>> 0 } } : {}) });
  }

  /** Sets entry n of the read (write) table and its bitmap; entries past its end are undefined already. */
  private setRead(n: number, p: Int32Array | undefined): void {
    this.setEntry(this.readPages, this.readOk, n, p);
  }

  private setWrite(n: number, p: Int32Array | undefined): void {
    this.setEntry(this.writePages, this.writeOk, n, p);
  }

  private setEntry(table: (Int32Array | undefined)[], ok: Uint8Array | null, n: number, p: Int32Array | undefined): void {
    if (n >= table.length) return;
    if (p && table[n] === undefined) this.noteEntry(n);
    table[n] = p;
    if (ok) ok[n] = p ? 1 : 0;
  }

  /**
   * Table entries set since this Memory began, so release() can clear just those (a whole
   * 512K-entry table takes ~0.4 ms to clear, a fresh machine per graded test); null after too
   * many, and then release() clears everything.
   */
  private setEntries: number[] | null = [];

  private noteEntry(n: number): void {
    const l = this.setEntries;
    if (!l) return;
    if (l.length < 65536) l.push(n);
    else this.setEntries = null;
  }

  /** Makes [start, start+size) show the memory at `target` (e.g. kseg0/kseg1 over physical RAM). */
  alias(start: number, size: number, target: number): void {
    const s = Math.floor(start / PAGE_SIZE) * PAGE_SIZE;
    const e = Math.min(2 ** 32, Math.ceil((start + size) / PAGE_SIZE) * PAGE_SIZE);
    if (e <= s) return;
    this.regions.push({ start: s, end: e, name: 'alias', aliasOf: Math.floor(target / PAGE_SIZE) * PAGE_SIZE });
  }

  /** Enters or leaves user mode: kernel-segment pages leave (or rejoin) the fast path. */
  setUserMode(on: boolean): void {
    if (on === this.userMode) return;
    this.userMode = on;
    for (const [n, page] of this.kpages) {
      if (on) {
        this.setRead(n, undefined);
        this.setWrite(n, undefined);
      } else {
        this.setRead(n, page);
        this.setWrite(n, this.watchers.has(n) ? undefined : page);
      }
    }
  }

  private userDenied(addr: number): boolean {
    for (const w of this.userWindows) if (addr >= w.start && addr < w.end) return false;
    return true;
  }

  /** Removes mappings within [start, start+size) and frees their pages. */
  unmap(start: number, size: number): void {
    const s = start >>> 0, e = s + size;
    const kept: Region[] = [];
    for (const r of this.regions) {
      if (r.end <= s || r.start >= e) { kept.push(r); continue; }
      if (r.start < s) kept.push({ ...r, start: r.start, end: s });
      if (r.end > e) kept.push({ ...r, start: e, end: r.end });
    }
    this.regions = kept;
    for (let a = s; a < e; a += PAGE_SIZE) {
      const n = a >>> PAGE_BITS;
      if (this.readPages[n] || this.kpages.has(n)) this.allocatedBytes -= PAGE_SIZE;
      this.setRead(n, undefined);
      this.setWrite(n, undefined);
      this.kpages.delete(n);
    }
  }

  isMapped(addr: number): boolean {
    addr >>>= 0;
    return this.regions.some((r) => addr >= r.start && addr < r.end) || this.mmioAt(addr) !== undefined;
  }

  regionAt(addr: number): Region | undefined {
    addr >>>= 0;
    return this.regions.find((r) => addr >= r.start && addr < r.end);
  }

  addMmio(h: MmioHandler): void {
    this.mmio.push(h);
  }

  private mmioAt(addr: number): MmioHandler | undefined {
    for (const h of this.mmio) if (addr >= h.start && addr < h.end) return h;
    return undefined;
  }

  /** Calls `onWrite` (once per store) for stores into page `pageNo`, e.g. to invalidate code. */
  watchPage(pageNo: number, onWrite: (addr: number) => void): void {
    this.watchers.set(pageNo, onWrite);
    this.setWrite(pageNo, undefined);
    // stores through an alias of this page must reach the watcher too
    const p = this.readPages[pageNo], nums = p && this.aliasNums.get(p);
    if (nums) for (const k of nums) this.setWrite(k, undefined);
  }

  unwatchPage(pageNo: number): void {
    this.watchers.delete(pageNo);
    const p = this.readPages[pageNo] ?? this.kpages.get(pageNo);
    if (!(this.userMode && pageNo >= KSEG_PAGE)) this.setWrite(pageNo, p);
    const nums = p && this.aliasNums.get(p);
    if (nums) for (const k of nums) if (!this.watchers.has(k) && !(this.userMode && k >= KSEG_PAGE)) this.setWrite(k, p);
  }

  /** Page `pageNo` if it is allocated and reachable in the current mode (never allocates). */
  presentPage(pageNo: number): Int32Array | undefined {
    return this.readPages[pageNo] ?? (this.userMode ? undefined : this.kpages.get(pageNo));
  }

  /** The page holding `addr`, allocating it if mapped; undefined for MMIO or unmapped. */
  pageFor(addr: number): Int32Array | undefined {
    const n = addr >>> PAGE_BITS;
    const p = this.readPages[n] ?? this.kpages.get(n);
    if (p) return p;
    const region = this.regionAt(addr);
    if (!region) return undefined;
    if (region.aliasOf !== undefined) {
      const t = ((addr >>> 0) - region.start + region.aliasOf) >>> 0;
      const page = this.pageFor(t);
      if (!page) return undefined;
      let nums = this.aliasNums.get(page);
      if (!nums) this.aliasNums.set(page, (nums = [t >>> PAGE_BITS]));
      nums.push(n);
      this.install(n, page, nums.some((k) => this.watchers.has(k)));
      return page;
    }
    if (this.allocatedBytes + PAGE_SIZE > this.capBytes) {
      throw new StopRun('memory', 0, `guest memory exhausted: the cap is ${this.capBytes / 1048576} MiB (--memory-cap)`);
    }
    const page = this.flat && n < this.tablePages ? this.flat.subarray(n << 10, (n + 1) << 10).fill(0) : new Int32Array(PAGE_SIZE >> 2);
    this.allocatedBytes += PAGE_SIZE;
    this.fillFromSources(n, page);
    this.install(n, page, this.watchers.has(n));
    return page;
  }

  /** The page holding `addr` if it holds data: allocated, or with initial contents to copy in. */
  dataPage(addr: number): Int32Array | undefined {
    const p = this.presentPage(addr >>> PAGE_BITS);
    if (p) return p;
    const a = addr >>> 0;
    return this.regions.some((r) => r.source && a >= r.start && a < r.end) ? this.pageFor(a) : undefined;
  }

  /** Copies into new page n the initial contents of every region covering part of it. */
  private fillFromSources(n: number, page: Int32Array): void {
    const p0 = n * PAGE_SIZE, p1 = p0 + PAGE_SIZE;
    for (const r of this.regions) {
      const src = r.source;
      if (!src || r.end <= p0 || r.start >= p1) continue;
      const from = Math.max(p0, r.start, src.at), to = Math.min(p1, r.end, src.at + src.bytes.length);
      if (from < to) this.copyIntoPage(page, from - p0, src.bytes, from - src.at, to - from);
    }
  }

  /** Copies `len` bytes from `bytes[at]` to byte offset `off` of `page`, in guest byte order. */
  private copyIntoPage(page: Int32Array, off: number, bytes: Uint8Array, at: number, len: number): void {
    const be = this.bigEndian, bx = this.byteXor;
    let i = 0;
    for (; i < len && ((off + i) & 3) !== 0; i++) this.putByte(page, off + i, bytes[at + i], bx);
    // whole words
    for (let w = (off + i) >>> 2; i + 4 <= len; i += 4, w++) {
      const k = at + i;
      page[w] = be ? (bytes[k] << 24) | (bytes[k + 1] << 16) | (bytes[k + 2] << 8) | bytes[k + 3]
        : (bytes[k + 3] << 24) | (bytes[k + 2] << 16) | (bytes[k + 1] << 8) | bytes[k];
    }
    for (; i < len; i++) this.putByte(page, off + i, bytes[at + i], bx);
  }

  private putByte(page: Int32Array, off: number, v: number, bx: number): void {
    const i = off >>> 2, sh = ((off ^ bx) & 3) << 3;
    page[i] = (page[i] & ~(0xff << sh)) | ((v & 0xff) << sh);
  }

  private install(n: number, page: Int32Array, watched: boolean): void {
    if (n >= KSEG_PAGE) {
      this.kpages.set(n, page);
      if (this.userMode || n >= this.tablePages) return;
    }
    this.setRead(n, page);
    if (!watched) this.setWrite(n, page);
  }

  // ---- slow paths: allocation, MMIO, watched pages, faults ----

  private slowRead(addr: number, size: number, fetch: boolean): number {
    addr >>>= 0;
    if (this.userMode && addr >= 0x80000000 && this.userDenied(addr)) throw new GuestException(ExcCode.AdEL, addr, 'kernel address from user mode');
    const h = this.mmioAt(addr);
    if (h) return h.read(addr, size);
    const page = this.pageFor(addr);
    if (!page) throw new GuestException(fetch ? ExcCode.IBE : ExcCode.DBE, addr);
    const w = page[(addr >>> 2) & WORD_MASK];
    if (size === 4) return w;
    if (size === 2) return (w >>> (((addr ^ this.halfXor) & 2) << 3)) & 0xffff;
    return (w >>> (((addr ^ this.byteXor) & 3) << 3)) & 0xff;
  }

  private slowWrite(addr: number, size: number, value: number): void {
    addr >>>= 0;
    if (this.userMode && addr >= 0x80000000 && this.userDenied(addr)) throw new GuestException(ExcCode.AdES, addr, 'kernel address from user mode');
    const h = this.mmioAt(addr);
    if (h) return h.write(addr, size, value);
    const page = this.pageFor(addr);
    if (!page) throw new GuestException(ExcCode.DBE, addr);
    const i = (addr >>> 2) & WORD_MASK;
    if (size === 4) page[i] = value;
    else if (size === 2) {
      const sh = ((addr ^ this.halfXor) & 2) << 3;
      page[i] = (page[i] & ~(0xffff << sh)) | ((value & 0xffff) << sh);
    } else {
      const sh = ((addr ^ this.byteXor) & 3) << 3;
      page[i] = (page[i] & ~(0xff << sh)) | ((value & 0xff) << sh);
    }
    const nums = this.aliasNums.size ? this.aliasNums.get(page) : undefined;
    if (nums) {
      const off = addr & (PAGE_SIZE - 1);
      for (const k of nums) this.watchers.get(k)?.(((k << PAGE_BITS) | off) >>> 0);
    } else this.watchers.get(addr >>> PAGE_BITS)?.(addr);
  }

  // ---- guest accesses (these raise architectural exceptions) ----

  fetch(addr: number): number {
    if (addr & 3) throw new GuestException(ExcCode.AdEL, addr >>> 0);
    const p = this.readPages[addr >>> PAGE_BITS];
    return p !== undefined ? p[(addr >>> 2) & WORD_MASK] : this.slowRead(addr, 4, true);
  }

  read32(addr: number): number {
    if (addr & 3) throw new GuestException(ExcCode.AdEL, addr >>> 0);
    const p = this.readPages[addr >>> PAGE_BITS];
    return p !== undefined ? p[(addr >>> 2) & WORD_MASK] : this.slowRead(addr, 4, false);
  }

  /** Zero-extended halfword. */
  read16(addr: number): number {
    if (addr & 1) throw new GuestException(ExcCode.AdEL, addr >>> 0);
    const p = this.readPages[addr >>> PAGE_BITS];
    return p !== undefined
      ? (p[(addr >>> 2) & WORD_MASK] >>> (((addr ^ this.halfXor) & 2) << 3)) & 0xffff
      : this.slowRead(addr, 2, false);
  }

  /** Zero-extended byte. */
  read8(addr: number): number {
    const p = this.readPages[addr >>> PAGE_BITS];
    return p !== undefined
      ? (p[(addr >>> 2) & WORD_MASK] >>> (((addr ^ this.byteXor) & 3) << 3)) & 0xff
      : this.slowRead(addr, 1, false);
  }

  write32(addr: number, value: number): void {
    if (addr & 3) throw new GuestException(ExcCode.AdES, addr >>> 0);
    const p = this.writePages[addr >>> PAGE_BITS];
    if (p !== undefined) p[(addr >>> 2) & WORD_MASK] = value;
    else this.slowWrite(addr, 4, value);
  }

  write16(addr: number, value: number): void {
    if (addr & 1) throw new GuestException(ExcCode.AdES, addr >>> 0);
    const p = this.writePages[addr >>> PAGE_BITS];
    if (p !== undefined) {
      const i = (addr >>> 2) & WORD_MASK, sh = ((addr ^ this.halfXor) & 2) << 3;
      p[i] = (p[i] & ~(0xffff << sh)) | ((value & 0xffff) << sh);
    } else this.slowWrite(addr, 2, value);
  }

  write8(addr: number, value: number): void {
    const p = this.writePages[addr >>> PAGE_BITS];
    if (p !== undefined) {
      const i = (addr >>> 2) & WORD_MASK, sh = ((addr ^ this.byteXor) & 3) << 3;
      p[i] = (p[i] & ~(0xff << sh)) | ((value & 0xff) << sh);
    } else this.slowWrite(addr, 1, value);
  }

  // ---- host-side helpers (loader, syscalls); they never raise guest exceptions ----

  /** Copies bytes into guest memory; returns false if some address is unmapped. */
  writeBytes(addr: number, bytes: Uint8Array): boolean {
    try {
      const n = bytes.length;
      let i = 0;
      while (i < n) {
        const a = (addr + i) >>> 0;
        const page = (a & 3) === 0 && n - i >= 4 ? this.writePages[a >>> PAGE_BITS] : undefined;
        if (page === undefined) {
          // unaligned, unallocated, watched, MMIO or kernel: one byte through the guest store path
          this.write8(a, bytes[i++]);
          continue;
        }
        // whole words straight into a plain page (DMA, read() buffers)
        const len = Math.min((n - i) & ~3, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
        this.copyIntoPage(page, a & (PAGE_SIZE - 1), bytes, i, len);
        i += len;
      }
      return true;
    } catch (e) {
      if (e instanceof GuestException) return false;
      throw e;
    }
  }

  /** Reads bytes from guest memory, or null if some address is unmapped. */
  readBytes(addr: number, length: number): Uint8Array | null {
    const out = new Uint8Array(length);
    try {
      for (let i = 0; i < length; i++) out[i] = this.read8((addr + i) >>> 0);
      return out;
    } catch (e) {
      if (e instanceof GuestException) return null;
      throw e;
    }
  }

  /** Reads a NUL-terminated string (at most `max` bytes), or null if it runs into unmapped memory. */
  readCString(addr: number, max = 1 << 20): Uint8Array | null {
    const bytes: number[] = [];
    try {
      for (let i = 0; i < max; i++) {
        const b = this.read8((addr + i) >>> 0);
        if (b === 0) break;
        bytes.push(b);
      }
      return Uint8Array.from(bytes);
    } catch (e) {
      if (e instanceof GuestException) return null;
      throw e;
    }
  }
}
