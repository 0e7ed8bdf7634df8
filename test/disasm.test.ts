// The disassembler against GNU objdump: the committed fixtures in test/fixtures/disasm (see its
// README.md) were listed by objdump; asmbox must produce the same listing.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listElf, listRaw, type ListingOptions } from '../src/cli/disasm.js';
import { main } from '../src/cli/main.js';
import { parseElf, SHF_EXECINSTR } from '../src/loader/elf.js';
import { disassemble, disassembleText } from '../src/guest/mips/disasm.js';
import { IsaTableError, mips32Table, parseIsa } from '../src/isa/table.js';
import { encodeFields } from '../src/isa/encoder.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'disasm');
const read = (name: string) => readFileSync(join(FIX, name));
const readText = (name: string) => readFileSync(join(FIX, name), 'utf8');

type Mode = 'default' | 'numeric' | 'noaliases';
const MODES: Mode[] = ['default', 'numeric', 'noaliases'];
const ENDIANS = ['be', 'le'] as const;
const listingOptions = (mode: Mode): ListingOptions => ({
  regNames: mode === 'numeric' ? 'numeric' : 'abi',
  aliases: mode !== 'noaliases',
});
const objdumpFile = (e: string, mode: Mode) => `coverage-${e}${mode === 'default' ? '' : `.${mode}`}.objdump`;

interface Line { addr: number; word: number; text: string }
const INSN_LINE = /^ *([0-9a-f]+):\t([0-9a-f]{8}) \t(.*)$/;

function parseListing(text: string): { insns: Line[]; labels: string[]; skips: number } {
  const insns: Line[] = [];
  const labels: string[] = [];
  let skips = 0;
  for (const line of text.split('\n')) {
    const m = INSN_LINE.exec(line);
    if (m) insns.push({ addr: parseInt(m[1], 16), word: parseInt(m[2], 16), text: m[3] });
    else if (/^[0-9a-f]{8} <.*>:$/.test(line)) labels.push(line);
    else if (line === '\t...') skips++;
  }
  return { insns, labels, skips };
}

/** Deliberate difference 1 (README.md): the MIPS I rfe, which objdump calls tlbgp. */
const RFE_WORD = 0x42000010;

function ourListing(e: string, mode: Mode): string {
  const name = `coverage-${e}.elf`;
  return listElf(parseElf(read(name), name), name, listingOptions(mode));
}

describe('disassembler vs GNU objdump (committed fixtures)', () => {
  for (const e of ENDIANS) {
    for (const mode of MODES) {
      it(`coverage-${e}.elf, ${mode}: every instruction line agrees`, () => {
        const theirs = parseListing(readText(objdumpFile(e, mode)));
        const ours = parseListing(ourListing(e, mode));
        expect(theirs.insns.length).toBeGreaterThan(500);
        const oursByAddr = new Map(ours.insns.map((l) => [l.addr, l]));
        const mismatches: string[] = [];
        for (const t of theirs.insns) {
          const o = oursByAddr.get(t.addr);
          if (!o) { mismatches.push(`${t.addr.toString(16)}: missing in our listing`); continue; }
          if (o.word !== t.word) mismatches.push(`${t.addr.toString(16)}: word ${o.word.toString(16)} != ${t.word.toString(16)}`);
          if (t.word === RFE_WORD) {
            expect(t.text).toBe('tlbgp');
            expect(o.text).toBe('rfe');
            continue;
          }
          if (o.text !== t.text) mismatches.push(`${t.addr.toString(16)}: ${t.word.toString(16).padStart(8, '0')}  ours "${o.text}"  objdump "${t.text}"`);
        }
        // Deliberate difference 3: objdump's "..." stands for zero words; we list them all.
        const theirAddrs = new Set(theirs.insns.map((l) => l.addr));
        for (const o of ours.insns) {
          if (!theirAddrs.has(o.addr) && (theirs.skips === 0 || o.word !== 0)) mismatches.push(`${o.addr.toString(16)}: extra line "${o.text}"`);
        }
        expect(mismatches).toEqual([]);
        expect(ours.labels).toEqual(theirs.labels);
      });

      it(`coverage-${e}.elf, ${mode}: the whole listing is objdump's, byte for byte`, () => {
        const ours = ourListing(e, mode).replace(/\t42000010 \trfe$/m, '\t42000010 \ttlbgp');
        expect(ours).toBe(readText(objdumpFile(e, mode)));
      });
    }
  }

  it('the fixture uses every table instruction and every printable alias', () => {
    const table = mips32Table();
    const elf = parseElf(read('coverage-be.elf'), 'coverage-be.elf');
    const text = elf.sections.find((s) => s.name === '.text' && s.flags & SHF_EXECINSTR)!;
    const dv = new DataView(elf.bytes.buffer, elf.bytes.byteOffset, elf.bytes.byteLength);
    const insns = new Set<string>();
    const aliases = new Set<number>();
    for (let off = 0; off < text.size; off += 4) {
      const w = dv.getUint32(text.offset + off, false);
      const r = disassemble(w, text.addr + off);
      if (r.insn) insns.add(r.insn.name);
      if (r.alias) aliases.add(r.alias.line);
    }
    const missingInsns = table.insns.map((d) => d.name).filter((n) => !insns.has(n));
    expect(missingInsns).toEqual([]);
    const missingAliases = table.aliases
      .filter((a) => !a.flags.has('nodis') && !aliases.has(a.line))
      .map((a) => `${a.name} (line ${a.line})`);
    expect(missingAliases).toEqual([]);
    // The CP1 part of the table: every format and condition.
    expect(table.insns.filter((d) => d.flags.has('cp1')).length).toBeGreaterThan(100);
  });
});

describe('asmbox disasm CLI', () => {
  let out: string;
  let err: string;
  beforeEach(() => {
    out = '';
    err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
    process.exitCode = undefined;
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  const run = async (...args: string[]) => {
    await main(['node', 'asmbox', 'disasm', ...args]);
    const code = process.exitCode;
    vi.restoreAllMocks();
    return code;
  };
  const objdumpWithPath = (file: string, e: string, mode: Mode) =>
    readText(objdumpFile(e, mode)).replace(`coverage-${e}.elf:`, `${file}:`).replace(/\t42000010 \ttlbgp$/m, '\t42000010 \trfe');

  for (const [flags, mode] of [[[], 'default'], [['--numeric'], 'numeric'], [['--no-aliases'], 'noaliases']] as [string[], Mode][]) {
    it(`disasm ${flags.join(' ') || '(no options)'} prints objdump ${mode === 'default' ? '-d' : `-M ${mode === 'numeric' ? 'reg-names=numeric' : 'no-aliases'}`}`, async () => {
      const file = join(FIX, 'coverage-le.elf');
      expect(await run(...flags, file)).toBe(0);
      expect(out).toBe(objdumpWithPath(file, 'le', mode));
    });
  }

  it('--numeric changes GPR, hardware and CP1/CP0 control register names, not FPR names', () => {
    const abi = (w: number) => disassembleText(w, 0);
    const num = (w: number) => disassembleText(w, 0, { regNames: 'numeric' });
    expect(abi(0x7c03103b)).toBe('rdhwr\tv1,hwr_cc');
    expect(num(0x7c03103b)).toBe('rdhwr\t$3,$2');
    expect(abi(0x4442f800)).toBe('cfc1\tv0,c1_fcsr');
    expect(num(0x4442f800)).toBe('cfc1\t$2,$31');
    expect(num(0x46041000)).toBe('add.s\t$f0,$f2,$f4');
    expect(abi(0x40026001)).toBe('mfc0\tv0,c0_intctl');
    expect(num(0x40026001)).toBe('mfc0\t$2,$12,1');
  });

  it('--no-aliases keeps the spellings objdump keeps (flag `keep` in the table)', () => {
    const raw = (w: number) => disassembleText(w, 0x400000, { noAliases: true });
    expect(raw(0)).toBe('sll\tzero,zero,0x0');
    expect(raw(0x00601021)).toBe('addu\tv0,v1,zero');
    expect(raw(0x24020fa4)).toBe('addiu\tv0,zero,4004');
    expect(raw(0x1000ffff)).toBe('beq\tzero,zero,0x400000');
    expect(raw(0x00031022)).toBe('neg\tv0,v1');
    expect(raw(0x00850034)).toBe('teq\ta0,a1');
    expect(raw(0x0080f809)).toBe('jalr\ta0');
    expect(raw(0x46020030)).toBe('c.f.s\t$f0,$f2');
    expect(raw(0x00231102)).toBe('ror\tv0,v1,0x4');
  });

  it('unknown words list as .word 0x... (reserved instructions never crash the listing)', async () => {
    // Integer reserved words (objdump agrees), then COP1 reserved words (deliberate difference 2).
    const words = [0xfc000000, 0x0000003f, 0x7c00003f, 0xffffffff, 0x46800000, 0x460000bf, 0x46c00000, 0x4600003f];
    const bytes = new Uint8Array(words.length * 4);
    words.forEach((w, i) => new DataView(bytes.buffer).setUint32(i * 4, w, false));
    const text = listRaw(bytes, 0x1000, true, listingOptions('default'));
    const lines = text.split('\n').filter((l) => INSN_LINE.test(l));
    expect(lines).toEqual([
      '    1000:\tfc000000 \t.word\t0xfc000000',
      '    1004:\t0000003f \t.word\t0x3f',
      '    1008:\t7c00003f \t.word\t0x7c00003f',
      '    100c:\tffffffff \t.word\t0xffffffff',
      '    1010:\t46800000 \t.word\t0x46800000', // objdump: c1 0x800000
      '    1014:\t460000bf \t.word\t0x460000bf', // objdump: c1 0xbf (c.cond with bits 7:6 set)
      '    1018:\t46c00000 \t.word\t0x46c00000', // objdump: add.ps $f0,$f0,$f0
      '    101c:\t4600003f \tc.ngt.s\t$f0,$f0',
    ]);
    // Every word of a sample decodes or lists as .word, without throwing.
    let x = 0x12345678;
    for (let i = 0; i < 200_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) | 0;
      const r = disassemble(x >>> 0, 0x400000);
      if (!r.insn) expect(r.mnemonic).toBe('.word');
    }
  });

  it('raw images go through the CLI too', async () => {
    const code = await run('--raw', '0x400000', '--endian', 'big', join(FIX, 'coverage-be.elf'));
    expect(code).toBe(0);
    expect(out).toContain('Disassembly of raw image at 0x400000 (big-endian)');
    expect(out).toMatch(/\t7f454c46 \t\.word\t0x7f454c46/); // the ELF magic is no instruction
  });
});

describe('instruction table reader', () => {
  const HEADER = 'addu    000000 rs:5 rt:5 rd:5 00000 100001      | rd, rs, rt       |\n';
  const fails = (src: string) => {
    try {
      parseIsa(src, 'test.isa');
    } catch (e) {
      expect(e).toBeInstanceOf(IsaTableError);
      return (e as Error).message;
    }
    throw new Error('parseIsa accepted a malformed table');
  };

  it('the shipped table parses, with unique names', () => {
    const t = mips32Table();
    expect(t.byName.size).toBe(t.insns.length);
    expect(t.insns.length).toBeGreaterThan(220);
  });

  it('reports malformed lines with file and line number', () => {
    expect(fails(HEADER + '# comment\n\nbogus 000000 rs:5 | rd\n')).toMatch(/test\.isa:4: expected "name encoding \| syntax \| flags"/);
    expect(fails(HEADER + 'foo 000000 rs:5 rt:5 | rs, rt |\n')).toMatch(/test\.isa:2: encoding has 16 bits, expected 32/);
    expect(fails(HEADER + 'foo 000000 rs:5 rt:5 rd:5 00000 10000x | rd |\n')).toMatch(/test\.isa:2: bad encoding group '10000x'/);
    expect(fails(HEADER + 'foo 000000 rs:5 rt:5 rd:5 00000 111111 | rd, sa |\n')).toMatch(/test\.isa:2: operand 'sa' is not a field of foo/);
    expect(fails(HEADER + 'foo 000000 rs:5 rt:5 rd:5 00000 111111 | rd | shiny\n')).toMatch(/test\.isa:2: unknown flag 'shiny'/);
    expect(fails(HEADER + 'Foo 000000 rs:5 rt:5 rd:5 00000 111111 | rd |\n')).toMatch(/test\.isa:2: bad instruction name 'Foo'/);
    expect(fails(HEADER + 'foo 000000 rs:5 rt:5 rd:5 00000 100001 | rd |\n')).toMatch(/test\.isa:2: encoding of foo is identical to addu \(line 1\)/);
    expect(fails(HEADER + 'foo 000000 rs:5 rt:5 rd:5 rd:5 1 | rd |\n')).toMatch(/test\.isa:2: field 'rd:5' does not fit|test\.isa:2: encoding/);
    expect(fails(HEADER + '\nalias move nosuch rt=0 | rd, rs\n')).toMatch(/test\.isa:3: alias of unknown instruction 'nosuch'/);
    expect(fails(HEADER + 'alias move addu rq=0 | rd, rs\n')).toMatch(/test\.isa:2: bad alias condition 'rq=0'/);
    expect(fails(HEADER + 'alias move addu rt=0 | rd, sa\n')).toMatch(/test\.isa:2: operand 'sa' is not a field of addu/);
    expect(fails(HEADER + 'alias move addu rt=0 | rd, rs | shiny\n')).toMatch(/test\.isa:2: unknown alias flag 'shiny'/);
    expect(fails(HEADER + 'alias move addu rt=0\n')).toMatch(/test\.isa:2: expected "alias name base/);
  });

  it('reports every bad line, not just the first', () => {
    const msg = fails(HEADER + 'a 0 | |\nb 0 | |\n');
    expect(msg).toMatch(/test\.isa:2:/);
    expect(msg).toMatch(/test\.isa:3:/);
  });

  it('encodes what it decodes (every instruction, fields at their extremes)', () => {
    const t = mips32Table();
    for (const def of t.insns) {
      for (const pick of [0, 1] as const) {
        const values: Record<string, number> = {};
        for (const f of def.fields) values[f.name] = pick ? 2 ** f.width - 1 : 1;
        const w = encodeFields(def, values);
        expect(disassemble(w, 0).insn?.name, `${def.name} ${w.toString(16)}`).toBe(def.name);
      }
    }
  });
});
