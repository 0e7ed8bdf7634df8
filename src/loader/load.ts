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
    throw tooBig(what, bytes.length, m.mem.capBytes);
  }
}

function tooBig(what: string, bytes: number, cap: number): BadImageError {
  const mib = (n: number) => `${Math.round((n / 1048576) * 10) / 10} MiB`;
  return new BadImageError(`${what} (${mib(bytes)}) does not fit in the guest memory cap of ${mib(cap)} (--memory-cap)`);
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
    // the file's bytes become the segment's pages when the program first touches them (and
    // bss pages start zeroed): untouched code and data are never copied
    if (seg.filesz > m.mem.capBytes) throw tooBig(`${fileName}: the segment at 0x${seg.vaddr.toString(16)}`, seg.filesz, m.mem.capBytes);
    m.mem.map(seg.vaddr, seg.memsz, seg.flags & 1 ? 'text' : 'data', elf.bytes.subarray(seg.offset, seg.offset + seg.filesz));
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
