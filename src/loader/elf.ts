// ELF32 reader (both endiannesses): validates headers and segments, exposes symbols and
// sections. Anything malformed is refused with a message that says what and where.

export class BadImageError extends Error {}

export interface ElfSegment {
  vaddr: number;
  offset: number;
  filesz: number;
  memsz: number;
  flags: number; // PF_X=1, PF_W=2, PF_R=4
}

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: number; // STT_*
  bind: number; // STB_*
  shndx: number;
}

export interface ElfImage {
  bigEndian: boolean;
  type: number; // ET_REL=1, ET_EXEC=2, ET_DYN=3
  machine: number;
  flags: number;
  entry: number;
  segments: ElfSegment[];
  sections: ElfSection[];
  symbols: ElfSymbol[];
  bytes: Uint8Array;
}

export const EM_MIPS = 8;
export const PT_LOAD = 1;
export const SHF_EXECINSTR = 4;
const MAX_SEGMENT = 1 << 30;
/** Names for the e_machine values a user is likely to hand us by mistake. */
const MACHINE_NAMES: Record<number, string> = {
  2: 'SPARC', 3: 'x86', 20: 'PowerPC', 21: 'PowerPC64', 22: 'S/390', 40: 'ARM', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V', 258: 'LoongArch',
};

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

export function parseElf(bytes: Uint8Array, fileName = 'file'): ElfImage {
  const fail = (msg: string): never => {
    throw new BadImageError(`${fileName}: ${msg}`);
  };
  if (bytes.length < 52) fail(`truncated ELF header (${bytes.length} bytes, need 52)`);
  if (!isElf(bytes)) fail('not an ELF file (bad magic)');
  if (bytes[4] !== 1) fail(bytes[4] === 2 ? '64-bit ELF is not supported (need ELF32)' : `bad ELF class ${bytes[4]}`);
  if (bytes[5] !== 1 && bytes[5] !== 2) fail(`bad ELF data encoding ${bytes[5]} (expected 1 = little or 2 = big endian)`);
  const big = bytes[5] === 2;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => dv.getUint16(o, !big);
  const u32 = (o: number) => dv.getUint32(o, !big);

  const type = u16(16), machine = u16(18);
  if (machine !== EM_MIPS) {
    const name = MACHINE_NAMES[machine];
    fail(`wrong machine ${machine}${name ? ` (${name})` : ''} in ELF header (expected ${EM_MIPS}, MIPS)`);
  }
  if (type !== 1 && type !== 2 && type !== 3) fail(`unsupported ELF type ${type} (expected relocatable, executable or shared object)`);
  const entry = u32(24), phoff = u32(28), shoff = u32(32), flags = u32(36);
  const phentsize = u16(42), phnum = u16(44), shentsize = u16(46), shnum = u16(48), shstrndx = u16(50);

  const segments: ElfSegment[] = [];
  if (phnum > 0) {
    if (phentsize < 32) fail(`bad program header size ${phentsize} (expected 32)`);
    if (phoff + phnum * phentsize > bytes.length) fail(`program headers at offset ${phoff} run past the end of the file (${bytes.length} bytes)`);
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      if (u32(o) !== PT_LOAD) continue;
      const seg = { offset: u32(o + 4), vaddr: u32(o + 8), filesz: u32(o + 16), memsz: u32(o + 20), flags: u32(o + 24) };
      const where = `segment ${i} (vaddr 0x${seg.vaddr.toString(16)})`;
      if (seg.filesz > seg.memsz) fail(`${where}: file size ${seg.filesz} exceeds memory size ${seg.memsz}`);
      if (seg.offset + seg.filesz > bytes.length) fail(`${where}: data at offset ${seg.offset}+${seg.filesz} runs past the end of the file (${bytes.length} bytes); truncated?`);
      if (seg.memsz > MAX_SEGMENT) fail(`${where}: memory size ${seg.memsz} is too large (limit ${MAX_SEGMENT})`);
      if (seg.vaddr + seg.memsz > 2 ** 32) fail(`${where}: extends past the 32-bit address space`);
      for (const other of segments) {
        if (seg.memsz && other.memsz && seg.vaddr < other.vaddr + other.memsz && other.vaddr < seg.vaddr + seg.memsz) {
          fail(`${where} overlaps the segment at 0x${other.vaddr.toString(16)}`);
        }
      }
      segments.push(seg);
    }
  }

  const sections: ElfSection[] = [];
  const symbols: ElfSymbol[] = [];
  if (shnum > 0 && shoff !== 0) {
    if (shentsize < 40) fail(`bad section header size ${shentsize} (expected 40)`);
    if (shoff + shnum * shentsize > bytes.length) fail(`section headers at offset ${shoff} run past the end of the file (${bytes.length} bytes)`);
    const raw = Array.from({ length: shnum }, (_, i) => {
      const o = shoff + i * shentsize;
      return { nameOff: u32(o), type: u32(o + 4), flags: u32(o + 8), addr: u32(o + 12), offset: u32(o + 16), size: u32(o + 20), link: u32(o + 24), entsize: u32(o + 36) };
    });
    const inFile = (off: number, size: number) => off + size <= bytes.length;
    const strAt = (tableIdx: number, off: number): string => {
      const t = raw[tableIdx];
      if (!t || !inFile(t.offset, t.size) || off >= t.size) return '';
      let end = t.offset + off;
      while (end < t.offset + t.size && bytes[end] !== 0) end++;
      return Buffer.from(bytes.subarray(t.offset + off, end)).toString('latin1');
    };
    raw.forEach((s, i) => {
      if (s.type !== 8 /* NOBITS */ && s.type !== 0 && !inFile(s.offset, s.size)) {
        fail(`section ${i} at offset ${s.offset}+${s.size} runs past the end of the file (${bytes.length} bytes); truncated?`);
      }
      sections.push({ name: shstrndx < shnum ? strAt(shstrndx, s.nameOff) : '', type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size });
    });
    raw.forEach((s) => {
      if (s.type !== 2 /* SYMTAB */) return;
      const ent = s.entsize || 16;
      for (let o = s.offset + ent; o + 16 <= s.offset + s.size; o += ent) {
        const info = bytes[o + 12];
        symbols.push({ name: strAt(s.link, u32(o)), value: u32(o + 4), size: u32(o + 8), type: info & 15, bind: info >> 4, shndx: u16(o + 14) });
      }
    });
  }
  if (type !== 1 && segments.length === 0) fail('no loadable (PT_LOAD) segments');
  return { bigEndian: big, type, machine, flags, entry, segments, sections, symbols, bytes };
}
