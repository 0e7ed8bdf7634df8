// `asmbox disasm`: objdump-style listings of ELF files (executables and objects) and raw images.
import { disassemble, type DisasmOptions } from '../guest/mips/disasm.js';
import { SHF_EXECINSTR, type ElfImage, type ElfSymbol } from '../loader/elf.js';

export interface ListingOptions {
  regNames: 'abi' | 'numeric';
  aliases: boolean;
}

const pad8 = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

/** objdump's address column: leading zeros dropped in chunks of 4, the rest shown as spaces. */
function addressFormatter(highest: number): (a: number) => string {
  const full = pad8(highest);
  let skip = 0;
  while (full[skip] === '0') skip++;
  skip = skip === 0 ? 0 : (skip - 1) & ~3;
  return (a) => pad8(a).slice(skip).replace(/^0+(?=.)/, (z) => ' '.repeat(z.length));
}

function symbolizer(symbols: ElfSymbol[]): (addr: number) => string | null {
  const sorted = symbols.filter((s) => s.name && (s.type === 0 || s.type === 1 || s.type === 2) && s.shndx !== 0 && !s.name.startsWith('$'))
    .sort((a, b) => a.value - b.value);
  return (addr) => {
    let best: ElfSymbol | null = null;
    for (const s of sorted) if (s.value <= addr) best = s; else break;
    best ??= sorted.filter((s) => s.value === sorted[0].value).pop() ?? null; // below every symbol: objdump prints <first-0x...>
    if (!best) return null;
    const off = addr - best.value;
    return off > 0 ? `<${best.name}+0x${off.toString(16)}>` : off < 0 ? `<${best.name}-0x${(-off).toString(16)}>` : `<${best.name}>`;
  };
}

function disasmLine(word: number, addr: number, fmtAddr: (a: number) => string, dopts: DisasmOptions, aliases: boolean): string {
  const r = disassemble(word, addr, { ...dopts, noAliases: !aliases });
  const text = r.operands ? `${r.mnemonic}\t${r.operands}` : r.mnemonic;
  return `${fmtAddr(addr)}:\t${pad8(word)} \t${text}`;
}

function listRange(out: string[], words: (i: number) => number, start: number, count: number, labels: Map<number, string>, dopts: DisasmOptions, aliases: boolean) {
  const fmtAddr = addressFormatter(start + count * 4);
  for (let i = 0; i < count; i++) {
    const addr = (start + i * 4) >>> 0;
    const label = labels.get(addr);
    if (label) out.push('', `${pad8(addr)} <${label}>:`);
    out.push(disasmLine(words(i), addr, fmtAddr, dopts, aliases));
  }
}

export function listElf(elf: ElfImage, fileName: string, opts: ListingOptions): string {
  const out: string[] = ['', `${fileName}:     file format elf32-trad${elf.bigEndian ? 'big' : 'little'}mips`, ''];
  const dv = new DataView(elf.bytes.buffer, elf.bytes.byteOffset, elf.bytes.byteLength);
  const isRel = elf.type === 1;
  elf.sections.forEach((sec, idx) => {
    if (!(sec.flags & SHF_EXECINSTR) || sec.type === 8 || sec.size === 0) return;
    const secSyms = elf.symbols.filter((s) => (isRel ? s.shndx === idx : true));
    const labels = new Map<number, string>();
    for (const s of secSyms) {
      if (!s.name || s.name.startsWith('$') || s.type === 3 || s.type === 4 || s.shndx === 0) continue;
      const a = isRel ? s.value : s.value;
      if (!labels.has(a) || s.bind === 1) labels.set(a, s.name);
    }
    const base = isRel ? 0 : sec.addr;
    const dopts: DisasmOptions = { regNames: opts.regNames, symbolize: symbolizer(secSyms) };
    out.push('', `Disassembly of section ${sec.name}:`);
    listRange(out, (i) => dv.getInt32(sec.offset + i * 4, !elf.bigEndian), base, Math.floor(sec.size / 4), labels, dopts, opts.aliases);
  });
  return out.join('\n') + '\n';
}

export function listRaw(bytes: Uint8Array, base: number, bigEndian: boolean, opts: ListingOptions): string {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = ['', `Disassembly of raw image at 0x${base.toString(16)} (${bigEndian ? 'big' : 'little'}-endian):`, ''];
  listRange(out, (i) => dv.getInt32(i * 4, !bigEndian), base, Math.floor(bytes.length / 4), new Map(), { regNames: opts.regNames }, opts.aliases);
  return out.join('\n') + '\n';
}
