// The guest's address-space layout under Linux: program break and mmap areas. Memory has no
// protection bits here: PROT_* are recorded for /proc-style answers only, every mapping is
// readable and writable.
import type { Machine } from '../machine/machine.js';
import { PAGE_SIZE } from '../machine/memory.js';
import { E, MAP } from './linux-abi.js';
import { LINUX_STACK_SIZE, LINUX_STACK_TOP } from './linux-start.js';

const PAGE_MASK = PAGE_SIZE - 1;
const pageUp = (a: number) => (a + PAGE_MASK) & ~PAGE_MASK;
/** Top-down mmap allocation starts here: below the stack with a 128 MiB gap, like the kernel. */
export const MMAP_BASE = LINUX_STACK_TOP - LINUX_STACK_SIZE - 128 * 1024 * 1024;
const MMAP_FLOOR = 0x00100000;

export interface Vma {
  start: number;
  end: number;
  prot: number;
  name: string;
}

export class LinuxMemory {
  readonly brkStart: number;
  brk: number;
  /** End of the pages mapped for the heap (page aligned). */
  private heapMapped: number;
  /** mmap areas, sorted by start, non-overlapping. */
  private vmas: Vma[] = [];

  constructor(private readonly m: Machine, programEnd: number) {
    this.brkStart = this.brk = this.heapMapped = pageUp(programEnd >>> 0) >>> 0;
  }

  // ---- brk ----

  /** brk(2): returns the new break, or the old one when the request cannot be met. */
  setBrk(want: number): number {
    want >>>= 0;
    if (want < this.brkStart) return this.brk;
    const newMapped = pageUp(want) >>> 0;
    if (newMapped > this.heapMapped) {
      if (this.overlaps(this.heapMapped, newMapped) || newMapped > LINUX_STACK_TOP - LINUX_STACK_SIZE) return this.brk;
      this.m.mem.map(this.heapMapped, newMapped - this.heapMapped, 'heap');
    } else if (newMapped < this.heapMapped) {
      this.m.mem.unmap(newMapped, this.heapMapped - newMapped);
    }
    this.heapMapped = newMapped;
    this.brk = want;
    return this.brk;
  }

  // ---- mmap areas ----

  private overlaps(start: number, end: number): boolean {
    return this.vmas.some((v) => v.start < end && start < v.end);
  }

  /** True if [start, end) collides with the program image, heap or stack. */
  private collidesWithFixed(start: number, end: number): boolean {
    if (start < this.heapMapped && end > 0) {
      // below the break: image and heap
      for (let a = start; a < Math.min(end, this.heapMapped); a += PAGE_SIZE) if (this.m.mem.isMapped(a)) return true;
    }
    return end > LINUX_STACK_TOP - LINUX_STACK_SIZE && start < LINUX_STACK_TOP;
  }

  /** Finds a free range of `len` bytes, highest first below MMAP_BASE (or at/above `hint`). */
  private findFree(len: number, hint: number): number | null {
    if (hint && hint >= this.heapMapped && hint + len <= MMAP_BASE && !this.overlaps(hint, hint + len) && !this.collidesWithFixed(hint, hint + len)) return hint;
    const floor = Math.max(this.heapMapped, MMAP_FLOOR);
    let top = MMAP_BASE;
    for (let i = this.vmas.length - 1; i >= 0; i--) {
      const v = this.vmas[i];
      if (v.start >= top) continue;
      if (v.end <= top && top - Math.max(v.end, floor) >= len) return top - len;
      top = v.start;
    }
    return top - floor >= len ? top - len : null;
  }

  private insert(v: Vma): void {
    this.vmas.push(v);
    this.vmas.sort((a, b) => a.start - b.start);
  }

  /** Removes [start, end) from the vma list and memory. */
  private remove(start: number, end: number): void {
    const kept: Vma[] = [];
    for (const v of this.vmas) {
      if (v.end <= start || v.start >= end) { kept.push(v); continue; }
      if (v.start < start) kept.push({ ...v, end: start });
      if (v.end > end) kept.push({ ...v, start: end });
    }
    this.vmas = kept;
    this.m.mem.unmap(start, end - start);
  }

  /**
   * mmap(2) for anonymous memory (file contents are copied in by the caller). Returns the
   * address or a negative errno.
   */
  mmap(addr: number, len: number, prot: number, flags: number, name: string): number {
    addr >>>= 0;
    if (len <= 0 || len > 0x7fffffff) return -E.INVAL;
    const type = flags & MAP.TYPE;
    if (type !== MAP.SHARED && type !== MAP.PRIVATE && type !== 3 /* SHARED_VALIDATE */) return -E.INVAL;
    if (addr & PAGE_MASK && flags & (MAP.FIXED | MAP.FIXED_NOREPLACE)) return -E.INVAL;
    const size = pageUp(len) >>> 0;
    let start: number;
    if (flags & (MAP.FIXED | MAP.FIXED_NOREPLACE)) {
      if (addr + size > 2 ** 32 || addr === 0) return -E.INVAL;
      if (flags & MAP.FIXED_NOREPLACE && (this.overlaps(addr, addr + size) || this.collidesWithFixed(addr, addr + size))) return -E.EXIST;
      start = addr;
      // MAP_FIXED replaces whatever was there (image, heap, stack or another mapping).
      this.remove(start, start + size);
    } else {
      const found = this.findFree(size, addr & ~PAGE_MASK);
      if (found === null) return -E.NOMEM;
      start = found;
    }
    this.m.mem.map(start, size, name);
    this.insert({ start, end: start + size, prot, name });
    return start;
  }

  munmap(addr: number, len: number): number {
    addr >>>= 0;
    if (addr & PAGE_MASK || len <= 0) return -E.INVAL;
    const end = Math.min(2 ** 32, addr + pageUp(len));
    this.remove(addr, end); // inside the heap too: the break stays, those pages are gone
    return 0;
  }

  mprotect(addr: number, len: number, prot: number): number {
    addr >>>= 0;
    if (addr & PAGE_MASK) return -E.INVAL;
    const end = addr + pageUp(len);
    for (let a = addr; a < end; a += PAGE_SIZE) if (!this.m.mem.isMapped(a)) return -E.NOMEM;
    for (const v of this.vmas) if (v.start < end && addr < v.end) v.prot = prot;
    return 0;
  }

  /** mremap(2): MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2. */
  mremap(oldAddr: number, oldLen: number, newLen: number, flags: number, newAddr: number): number {
    oldAddr >>>= 0;
    if (oldAddr & PAGE_MASK || newLen <= 0 || flags & ~3 || (flags & 2 && !(flags & 1))) return -E.INVAL;
    const oldSize = pageUp(oldLen), newSize = pageUp(newLen);
    const vma = this.vmas.find((v) => v.start <= oldAddr && oldAddr < v.end);
    if (!vma || oldAddr + oldSize > vma.end) return -E.FAULT;
    if (flags & 2) {
      newAddr >>>= 0;
      if (newAddr & PAGE_MASK) return -E.INVAL;
      this.remove(newAddr, newAddr + newSize);
      this.m.mem.map(newAddr, newSize, vma.name);
      this.insert({ start: newAddr, end: newAddr + newSize, prot: vma.prot, name: vma.name });
      this.movePages(oldAddr, newAddr, Math.min(oldSize, newSize));
      this.remove(oldAddr, oldAddr + oldSize);
      return newAddr;
    }
    if (newSize <= oldSize) {
      if (newSize < oldSize) this.remove(oldAddr + newSize, oldAddr + oldSize);
      return oldAddr;
    }
    const growEnd = oldAddr + newSize;
    if (oldAddr + oldSize === vma.end && growEnd <= MMAP_BASE && !this.overlaps(vma.end, growEnd) && !this.collidesWithFixed(vma.end, growEnd)) {
      this.m.mem.map(vma.end, growEnd - vma.end, vma.name);
      vma.end = growEnd;
      return oldAddr;
    }
    if (!(flags & 1)) return -E.NOMEM;
    const dest = this.findFree(newSize, 0);
    if (dest === null) return -E.NOMEM;
    this.m.mem.map(dest, newSize, vma.name);
    this.insert({ start: dest, end: dest + newSize, prot: vma.prot, name: vma.name });
    this.movePages(oldAddr, dest, oldSize);
    this.remove(oldAddr, oldAddr + oldSize);
    return dest;
  }

  /** Copies the allocated pages of [from, from+size) to `to` (pages never touched stay zero). */
  private movePages(from: number, to: number, size: number): void {
    const mem = this.m.mem;
    for (let off = 0; off < size; off += PAGE_SIZE) {
      const src = mem.dataPage(from + off);
      if (src) mem.pageFor(to + off)!.set(src);
    }
  }

  /** Is [addr, addr+len) entirely mapped? */
  isMapped(addr: number, len: number): boolean {
    for (let a = addr & ~PAGE_MASK; a < addr + len; a += PAGE_SIZE) if (!this.m.mem.isMapped(a >>> 0)) return false;
    return true;
  }

  get mappings(): readonly Vma[] {
    return this.vmas;
  }
}

