// Writes an assembled program as an ELF32 executable (ET_EXEC, EM_MIPS): one PT_LOAD per
// segment, section headers (.text, .data, ...), .symtab/.strtab, and an `.asmbox` section
// that records how the program wants to run (SPIM environment, delay slots, layout, heap) and
// its address -> source line map, so `asmbox run prog.elf` behaves like `asmbox run prog.s`.
import type { AsmProgram, LineInfo } from './assembler.js';
import { layoutByName, type Layout, type LayoutName } from './layout.js';

const EF_MIPS_ARCH_32R2 = 0x70000000;
const EF_MIPS_ABI_O32 = 0x00001000;
const SHN_ABS = 0xfff1;
const PAGE = 0x1000;

class Strtab {
  private parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;
  private index = new Map<string, number>();
  add(s: string): number {
    if (!s) return 0;
    const got = this.index.get(s);
    if (got !== undefined) return got;
    const b = new TextEncoder().encode(s + '\0');
    const off = this.size;
    this.parts.push(b);
    this.size += b.length;
    this.index.set(s, off);
    return off;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
}

interface Section {
  name: number;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  align: number;
  entsize: number;
}

/** The `.asmbox` section: run settings and the line map, as text. */
export interface AsmboxNote {
  delaySlots: boolean;
  layout: Layout;
  dataEnd: number;
  lines: LineInfo[];
}

export function encodeNote(p: AsmProgram): Uint8Array {
  const out: string[] = [
    'asmbox-program 1',
    `env spim`,
    `delay-slots ${p.delaySlots ? 1 : 0}`,
    `layout ${p.layout.name}`,
    `data-end 0x${p.dataEnd.toString(16)}`,
  ];
  const files = new Map<string, number>();
  const fileIdx = (f: string) => {
    let i = files.get(f);
    if (i === undefined) {
      i = files.size;
      files.set(f, i);
      out.push(`file ${i} ${f}`);
    }
    return i;
  };
  for (const l of p.lines) {
    const f = fileIdx(l.file);
    const m = l.macro ? ` ${fileIdx(l.macro.file)} ${l.macro.line} ${l.macro.name}` : '';
    out.push(`line ${l.addr.toString(16)} ${f} ${l.line}${m}\t${l.text.replace(/[\t\n\r]/g, ' ')}`);
  }
  return new TextEncoder().encode(out.join('\n') + '\n');
}

export function decodeNote(bytes: Uint8Array): AsmboxNote | null {
  const text = new TextDecoder().decode(bytes);
  const rows = text.split('\n');
  if (rows[0] !== 'asmbox-program 1') return null;
  const note: AsmboxNote = { delaySlots: false, layout: layoutByName('default'), dataEnd: 0, lines: [] };
  const files: string[] = [];
  for (const row of rows.slice(1)) {
    const sp = row.indexOf(' ');
    const key = row.slice(0, sp), rest = row.slice(sp + 1);
    switch (key) {
      case 'delay-slots': note.delaySlots = rest === '1'; break;
      case 'layout': if (['default', 'compact', 'bare'].includes(rest)) note.layout = layoutByName(rest as LayoutName); break;
      case 'data-end': note.dataEnd = Number(rest) >>> 0; break;
      case 'file': {
        const s2 = rest.indexOf(' ');
        files[Number(rest.slice(0, s2))] = rest.slice(s2 + 1);
        break;
      }
      case 'line': {
        const tab = rest.indexOf('\t');
        const f = rest.slice(0, tab).split(' ');
        const info: LineInfo = { addr: parseInt(f[0], 16) >>> 0, file: files[Number(f[1])] ?? '?', line: Number(f[2]), text: rest.slice(tab + 1) };
        if (f.length >= 6) info.macro = { file: files[Number(f[3])] ?? '?', line: Number(f[4]), name: f[5] };
        note.lines.push(info);
        break;
      }
    }
  }
  return note;
}

export function writeElf(p: AsmProgram): Uint8Array {
  const le = !p.bigEndian;
  const shstr = new Strtab();
  const str = new Strtab();
  const sections: Section[] = [{ name: 0, type: 0, flags: 0, addr: 0, offset: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0 }];
  const segs = p.segments;

  // File layout: header, program headers, then each segment at an offset congruent to its
  // address modulo the page size, then the non-loaded sections and the section headers.
  const phoff = 52;
  let off = phoff + 32 * segs.length;
  const segOffsets: number[] = [];
  for (const s of segs) {
    const want = s.addr % PAGE;
    const base = off - (off % PAGE);
    let o = base + want;
    if (o < off) o += PAGE;
    segOffsets.push(o);
    off = o + s.bytes.length;
  }
  const names = new Map<string, number>();
  const segSection: number[] = [];
  segs.forEach((s, i) => {
    const baseName = s.kind === 'text' ? '.text' : s.kind === 'ktext' ? '.ktext' : s.kind === 'kdata' ? '.kdata' : s.kind === 'extern' ? '.sdata' : '.data';
    const n = names.get(baseName) ?? 0;
    names.set(baseName, n + 1);
    const name = n === 0 ? baseName : `${baseName}.${n}`;
    const code = s.kind === 'text' || s.kind === 'ktext';
    segSection.push(sections.length);
    sections.push({ name: shstr.add(name), type: 1, flags: code ? 6 : 3, addr: s.addr, offset: segOffsets[i], size: s.bytes.length, link: 0, info: 0, align: 4, entsize: 0 });
  });

  // Symbols: a FILE symbol and the locals of each file, then the globals.
  const symRows: { name: number; value: number; info: number; shndx: number }[] = [{ name: 0, value: 0, info: 0, shndx: 0 }];
  const shndxOf = (addr: number, isConst: boolean): number => {
    if (isConst) return SHN_ABS;
    const i = segs.findIndex((s) => addr >= s.addr && addr < s.addr + Math.max(s.bytes.length, 1));
    if (i >= 0) return segSection[i];
    // A label at the very end of a segment belongs to it.
    const j = segs.findIndex((s) => addr === s.addr + s.bytes.length);
    return j >= 0 ? segSection[j] : SHN_ABS;
  };
  const byFile = new Map<string, typeof p.symbols>();
  for (const s of p.symbols) {
    if (s.global) continue;
    const f = s.file ?? '';
    (byFile.get(f) ?? byFile.set(f, []).get(f)!).push(s);
  }
  for (const [file, syms] of byFile) {
    if (file) symRows.push({ name: str.add(file.replace(/^.*\//, '')), value: 0, info: 4, shndx: SHN_ABS });
    for (const s of syms) symRows.push({ name: str.add(s.name), value: s.value >>> 0, info: 0, shndx: shndxOf(s.value >>> 0, s.kind === 'const') });
  }
  const firstGlobal = symRows.length;
  for (const s of p.symbols) {
    if (!s.global) continue;
    symRows.push({ name: str.add(s.name), value: s.value >>> 0, info: 0x10, shndx: shndxOf(s.value >>> 0, s.kind === 'const') });
  }

  const note = encodeNote(p);
  const symtab = new Uint8Array(symRows.length * 16);
  const sdv = new DataView(symtab.buffer);
  symRows.forEach((r, i) => {
    sdv.setUint32(i * 16, r.name, le);
    sdv.setUint32(i * 16 + 4, r.value, le);
    sdv.setUint32(i * 16 + 8, 0, le);
    symtab[i * 16 + 12] = r.info;
    symtab[i * 16 + 13] = 0;
    sdv.setUint16(i * 16 + 14, r.shndx, le);
  });
  const strBytes = str.bytes();
  const extra: { name: string; type: number; data: Uint8Array; align: number; entsize: number }[] = [
    { name: '.asmbox', type: 1, data: note, align: 1, entsize: 0 },
    { name: '.symtab', type: 2, data: symtab, align: 4, entsize: 16 },
    { name: '.strtab', type: 3, data: strBytes, align: 1, entsize: 0 },
  ];
  const symtabIndex = sections.length + 1;
  for (const x of extra) {
    off = (off + x.align - 1) & ~(x.align - 1);
    sections.push({
      name: shstr.add(x.name), type: x.type, flags: 0, addr: 0, offset: off, size: x.data.length,
      link: x.name === '.symtab' ? symtabIndex + 1 : 0, info: x.name === '.symtab' ? firstGlobal : 0, align: x.align, entsize: x.entsize,
    });
    off += x.data.length;
  }
  const shstrIndex = sections.length;
  const shstrName = shstr.add('.shstrtab');
  const shstrBytes = shstr.bytes();
  sections.push({ name: shstrName, type: 3, flags: 0, addr: 0, offset: off, size: shstrBytes.length, link: 0, info: 0, align: 1, entsize: 0 });
  off += shstrBytes.length;
  const shoff = (off + 3) & ~3;
  const total = shoff + sections.length * 40;

  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, le ? 1 : 2, 1, 0]);
  dv.setUint16(16, 2, le); // ET_EXEC
  dv.setUint16(18, 8, le); // EM_MIPS
  dv.setUint32(20, 1, le);
  dv.setUint32(24, p.entry >>> 0, le);
  dv.setUint32(28, segs.length ? phoff : 0, le);
  dv.setUint32(32, shoff, le);
  dv.setUint32(36, EF_MIPS_ARCH_32R2 | EF_MIPS_ABI_O32, le);
  dv.setUint16(40, 52, le);
  dv.setUint16(42, 32, le);
  dv.setUint16(44, segs.length, le);
  dv.setUint16(46, 40, le);
  dv.setUint16(48, sections.length, le);
  dv.setUint16(50, shstrIndex, le);
  segs.forEach((s, i) => {
    const o = phoff + i * 32;
    const code = s.kind === 'text' || s.kind === 'ktext';
    dv.setUint32(o, 1, le); // PT_LOAD
    dv.setUint32(o + 4, segOffsets[i], le);
    dv.setUint32(o + 8, s.addr >>> 0, le);
    dv.setUint32(o + 12, s.addr >>> 0, le);
    dv.setUint32(o + 16, s.bytes.length, le);
    dv.setUint32(o + 20, s.bytes.length, le);
    dv.setUint32(o + 24, code ? 5 : 6, le); // R+X / R+W
    dv.setUint32(o + 28, PAGE, le);
    out.set(s.bytes, segOffsets[i]);
  });
  let xi = 0;
  for (let i = segs.length + 1; i < sections.length - 1; i++) out.set(extra[xi++].data, sections[i].offset);
  out.set(shstrBytes, sections[shstrIndex].offset);
  sections.forEach((s, i) => {
    const o = shoff + i * 40;
    dv.setUint32(o, s.name, le);
    dv.setUint32(o + 4, s.type, le);
    dv.setUint32(o + 8, s.flags, le);
    dv.setUint32(o + 12, s.addr >>> 0, le);
    dv.setUint32(o + 16, s.offset, le);
    dv.setUint32(o + 20, s.size, le);
    dv.setUint32(o + 24, s.link, le);
    dv.setUint32(o + 28, s.info, le);
    dv.setUint32(o + 32, s.align, le);
    dv.setUint32(o + 36, s.entsize, le);
  });
  return out;
}
