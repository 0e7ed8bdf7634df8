// `asmbox asm --listing`: the program as SPIM's text segment view shows it, one machine word
// per line with the source statement it came from, then the data segments as words.
//   [0x00400000]  0x3c041001  lui $4, 0x1001                  ; 7: la $a0, msg
import { disassemble } from '../guest/mips/disasm.js';
import type { AsmProgram } from './assembler.js';

const hex8 = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

export function formatListing(p: AsmProgram): string {
  const out: string[] = [];
  const multi = p.files.length > 1;
  const labels = new Map<number, string[]>();
  for (const s of p.symbols) {
    if (s.kind !== 'label') continue;
    const l = labels.get(s.value) ?? [];
    l.push(s.name);
    labels.set(s.value, l);
  }
  const codeSegs = p.segments.filter((s) => s.kind === 'text' || s.kind === 'ktext');
  const entries = new Map(p.listing.map((e) => [e.addr, e]));
  for (const seg of codeSegs) {
    out.push(`${seg.kind === 'ktext' ? 'Kernel text' : 'Text'} segment [0x${hex8(seg.addr)}..0x${hex8(seg.addr + seg.bytes.length)})`);
    const dv = new DataView(seg.bytes.buffer, seg.bytes.byteOffset, seg.bytes.byteLength);
    for (let o = 0; o + 4 <= seg.bytes.length; o += 4) {
      const addr = (seg.addr + o) >>> 0;
      const word = dv.getUint32(o, !p.bigEndian);
      for (const name of labels.get(addr) ?? []) out.push(`${name}:`);
      const d = disassemble(word, addr, { regNames: 'numeric', noAliases: true });
      const text = `${d.mnemonic}${d.operands ? ' ' + d.operands : ''}`;
      const e = entries.get(addr);
      let line = `[0x${hex8(addr)}]  0x${hex8(word)}  ${text}`;
      if (e?.source) {
        const where = multi ? `${e.source.file}:${e.source.line}` : `${e.source.line}`;
        line = `${line.padEnd(56)}; ${where}: ${e.source.text.trim()}`;
      }
      out.push(line);
    }
    out.push('');
  }
  for (const seg of p.segments.filter((s) => s.kind !== 'text' && s.kind !== 'ktext')) {
    out.push(`${seg.kind === 'kdata' ? 'Kernel data' : seg.kind === 'extern' ? 'Extern' : 'Data'} segment [0x${hex8(seg.addr)}..0x${hex8(seg.addr + seg.bytes.length)})`);
    const bytes = seg.bytes;
    for (let o = 0; o < bytes.length; o += 16) {
      const words: string[] = [];
      const chars: string[] = [];
      for (let w = o; w < Math.min(o + 16, bytes.length); w += 4) {
        let v = 0;
        for (let k = 0; k < 4; k++) {
          const b = w + k < bytes.length ? bytes[w + k] : 0;
          v = p.bigEndian ? (v << 8) | b : v | (b << (8 * k));
        }
        words.push('0x' + hex8(v));
      }
      for (let k = o; k < Math.min(o + 16, bytes.length); k++) chars.push(bytes[k] >= 32 && bytes[k] < 127 ? String.fromCharCode(bytes[k]) : '.');
      out.push(`[0x${hex8(seg.addr + o)}]  ${words.join('  ').padEnd(50)}  ${chars.join('')}`);
    }
    out.push('');
  }
  return out.join('\n');
}
