// Puts images into guest memory: ELF PT_LOAD segments (with bss zeroing) or a raw blob.
import type { Machine } from '../machine/machine.js';
import { BadImageError, type ElfImage } from './elf.js';
import { StopRun } from '../machine/exceptions.js';

/** Copies image bytes into guest memory; an image larger than the memory cap is a bad input. */
function place(m: Machine, addr: number, bytes: Uint8Array, what: string): boolean {
  try {
    return m.mem.writeBytes(addr, bytes);
  } catch (e) {
    if (!(e instanceof StopRun && e.kind === 'memory')) throw e;
    const mib = (n: number) => `${Math.round((n / 1048576) * 10) / 10} MiB`;
    throw new BadImageError(`${what} (${mib(bytes.length)}) does not fit in the guest memory cap of ${mib(m.mem.capBytes)} (--memory-cap)`);
  }
}

export interface LoadedImage {
  entry: number;
  /** First address after the highest loaded byte (the program break starts here). */
  end: number;
}

export function loadElf(m: Machine, elf: ElfImage, fileName: string): LoadedImage {
  if (elf.type === 1) throw new BadImageError(`${fileName}: relocatable object (.o) cannot be run; link it first (it can be disassembled)`);
  let end = 0;
  for (const seg of elf.segments) {
    if (seg.memsz === 0) continue;
    m.mem.map(seg.vaddr, seg.memsz, seg.flags & 1 ? 'text' : 'data');
    if (!place(m, seg.vaddr, elf.bytes.subarray(seg.offset, seg.offset + seg.filesz), `${fileName}: the segment at 0x${seg.vaddr.toString(16)}`)) {
      throw new BadImageError(`${fileName}: could not load the segment at 0x${seg.vaddr.toString(16)}`);
    }
    // bss: pages are zero-filled on allocation, so nothing to copy.
    end = Math.max(end, seg.vaddr + seg.memsz);
  }
  m.symbols = elf.symbols
    .filter((s) => s.name && s.shndx !== 0 && (s.type === 0 || s.type === 1 || s.type === 2) && !s.name.startsWith('$'))
    .map((s) => ({ name: s.name, addr: s.value, size: s.size }));
  return { entry: elf.entry, end };
}

export function loadRaw(m: Machine, bytes: Uint8Array, base: number): LoadedImage {
  if (base % 4 !== 0) throw new BadImageError(`raw image base 0x${base.toString(16)} is not word aligned`);
  if (base + bytes.length > 2 ** 32) throw new BadImageError('raw image does not fit below 4 GiB at that base address');
  m.mem.map(base, Math.max(bytes.length, 4), 'text');
  place(m, base, bytes, 'raw image');
  return { entry: base, end: base + bytes.length };
}
