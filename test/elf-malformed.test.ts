// Malformed and unsuitable program files are refused with exit code 66 and a message that says
// what is wrong, never a stack trace. The images are made by corrupting a good ELF
// (test/fixtures/elf/hello.*); x86-hello is a real 32-bit x86 executable.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadImageError, parseElf } from '../src/loader/elf.js';
import { loadProgram } from '../src/env/program.js';
import { CapturedIO } from '../src/env/io.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = join(ROOT, 'test/fixtures/elf');
const CLI = join(ROOT, 'bin/asmbox.js');
const tmp = mkdtempSync(join(tmpdir(), 'asmbox-elf-malformed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PT_LOAD = 1;

/** A mutable copy of a good ELF with header/program-header accessors in its byte order. */
function image(order: 'be' | 'le' = 'be') {
  const b = Uint8Array.from(readFileSync(join(DIR, `hello.${order}`)));
  const le = order === 'le';
  const dv = () => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const phoff = dv().getUint32(28, le), phentsize = dv().getUint16(42, le), phnum = dv().getUint16(44, le);
  const ph = (i: number, field: number) => phoff + i * phentsize + field;
  const loads = Array.from({ length: phnum }, (_, i) => i).filter((i) => dv().getUint32(ph(i, 0), le) === PT_LOAD);
  return {
    bytes: b,
    u16: (o: number, v: number) => dv().setUint16(o, v, le),
    u32: (o: number, v: number) => dv().setUint32(o, v >>> 0, le),
    get32: (o: number) => dv().getUint32(o, le),
    /** Program header field offsets: type 0, offset 4, vaddr 8, filesz 16, memsz 20, flags 24. */
    ph,
    loads,
    phnum,
  };
}

interface Case {
  name: string;
  bytes: () => Uint8Array;
  message: RegExp;
  args?: string[];
  /** The CLI treats text files as assembly source, so this case is for the loader only. */
  libraryOnly?: boolean;
}

const cases: Case[] = [
  { name: 'empty file', bytes: () => new Uint8Array(0), message: /not an ELF file/ },
  { name: 'truncated header', bytes: () => image().bytes.subarray(0, 30), message: /truncated ELF header \(30 bytes, need 52\)/ },
  { name: 'only the magic', bytes: () => image().bytes.subarray(0, 4), message: /truncated ELF header/ },
  { name: 'bad magic', bytes: () => { const i = image(); i.bytes[1] = 0x46; return i.bytes; }, message: /not an ELF file \(bad magic\)|not an ELF file/ },
  { name: 'text file', bytes: () => new TextEncoder().encode('main:\n  li $v0, 10\n  syscall\n'), message: /not an ELF file/, libraryOnly: true },
  { name: 'ELF64 (class byte)', bytes: () => { const i = image(); i.bytes[4] = 2; return i.bytes; }, message: /64-bit ELF is not supported/ },
  { name: 'bad class byte', bytes: () => { const i = image(); i.bytes[4] = 7; return i.bytes; }, message: /bad ELF class 7/ },
  { name: 'bad data encoding', bytes: () => { const i = image(); i.bytes[5] = 0; return i.bytes; }, message: /bad ELF data encoding 0/ },
  { name: 'wrong machine (x86 header)', bytes: () => { const i = image('le'); i.u16(18, 3); return i.bytes; }, message: /wrong machine 3 \(x86\) in ELF header \(expected 8, MIPS\)/ },
  { name: 'real 32-bit x86 executable', bytes: () => readFileSync(join(DIR, 'malformed/x86-hello')), message: /wrong machine 3 \(x86\)/ },
  { name: 'unknown machine', bytes: () => { const i = image(); i.u16(18, 4321); return i.bytes; }, message: /wrong machine 4321 in ELF header \(expected 8, MIPS\)/ },
  { name: 'core file type', bytes: () => { const i = image(); i.u16(16, 4); return i.bytes; }, message: /unsupported ELF type 4/ },
  { name: 'relocatable object', bytes: () => { const i = image(); i.u16(16, 1); return i.bytes; }, message: /relocatable object.*link it first/ },
  {
    name: 'program headers past the end of the file',
    bytes: () => { const i = image(); i.u32(28, i.bytes.length - 8); return i.bytes; },
    message: /program headers at offset \d+ run past the end of the file/,
  },
  { name: 'bad program header size', bytes: () => { const i = image(); i.u16(42, 16); return i.bytes; }, message: /bad program header size 16/ },
  {
    name: 'segment data past the end of the file',
    bytes: () => { const i = image(); i.u32(i.ph(i.loads[1], 4), i.bytes.length - 4); return i.bytes; },
    message: /segment \d+ \(vaddr 0x[0-9a-f]+\): data at offset \d+\+\d+ runs past the end of the file/,
  },
  {
    name: 'file cut short inside a segment',
    bytes: () => { const i = image(); return i.bytes.subarray(0, i.get32(i.ph(i.loads[0], 4)) + 0x100); },
    message: /runs past the end of the file.*truncated\?/,
  },
  {
    name: 'overlapping segments',
    bytes: () => { const i = image(); i.u32(i.ph(i.loads[1], 8), i.get32(i.ph(i.loads[0], 8)) + 0x40); return i.bytes; },
    message: /overlaps the segment at 0x400000/,
  },
  {
    name: 'huge memsz',
    bytes: () => { const i = image(); i.u32(i.ph(i.loads[1], 20), 0xf0000000); return i.bytes; },
    message: /memory size 4026531840 is too large/,
  },
  {
    name: 'segment past the top of the address space',
    bytes: () => { const i = image(); const l = i.loads[1]; i.u32(i.ph(l, 8), 0xfffff000); i.u32(i.ph(l, 20), 0x2000); return i.bytes; },
    message: /extends past the 32-bit address space/,
  },
  {
    name: 'file size larger than memory size',
    bytes: () => { const i = image(); const l = i.loads[1]; i.u32(i.ph(l, 20), i.get32(i.ph(l, 16)) - 1); return i.bytes; },
    message: /file size \d+ exceeds memory size \d+/,
  },
  {
    name: 'no PT_LOAD segment',
    bytes: () => { const i = image(); for (const l of i.loads) i.u32(i.ph(l, 0), 4 /* PT_NOTE */); return i.bytes; },
    message: /no loadable \(PT_LOAD\) segments/,
  },
  {
    name: 'no program headers at all',
    bytes: () => { const i = image(); i.u16(44, 0); return i.bytes; },
    message: /no loadable \(PT_LOAD\) segments/,
  },
  {
    name: 'section headers past the end of the file',
    bytes: () => { const i = image(); i.u32(32, i.bytes.length - 20); return i.bytes; },
    message: /section headers at offset \d+ run past the end of the file/,
  },
  {
    name: 'endianness flag contradicting the file',
    bytes: () => image('be').bytes,
    args: ['--endian', 'little'],
    message: /is big-endian, but --endian little was given/,
  },
  {
    name: 'image larger than the guest memory cap',
    bytes: () => {
      // the data segment grows to 3 MiB of file contents
      const i = image();
      const l = i.loads[1], size = 3 << 20;
      const out = new Uint8Array(i.bytes.length + size);
      out.set(i.bytes);
      const dv = new DataView(out.buffer);
      dv.setUint32(i.ph(l, 4), i.bytes.length, false);
      dv.setUint32(i.ph(l, 16), size, false);
      dv.setUint32(i.ph(l, 20), size, false);
      return out;
    },
    args: ['--memory-cap', '1'],
    message: /the segment at 0x[0-9a-f]+ \(3 MiB\) does not fit in the guest memory cap of 1 MiB \(--memory-cap\)/,
  },
];

// a real 64-bit host executable, where there is one
if (existsSync('/bin/true')) cases.push({ name: 'host ELF64 executable (/bin/true)', bytes: () => readFileSync('/bin/true'), message: /64-bit ELF is not supported/ });

describe('malformed program files (library)', () => {
  for (const c of cases) {
    it(`${c.name}: BadImageError`, () => {
      const bytes = c.bytes();
      const opts = c.args?.[0] === '--endian' ? { endian: c.args[1] as 'little' } : c.args?.[0] === '--memory-cap' ? { memoryCap: Number(c.args[1]) << 20 } : {};
      let err: unknown;
      try {
        loadProgram(bytes, 'bad.elf', new CapturedIO(), opts);
      } catch (e) {
        err = e;
      }
      expect(err, 'refused').toBeInstanceOf(BadImageError);
      expect((err as Error).message).toMatch(/^bad\.elf: /);
      expect((err as Error).message).toMatch(c.message);
    });
  }

  it('a small image still loads under a 1 MiB memory cap', () => {
    expect(() => loadProgram(image().bytes, 'ok.elf', new CapturedIO(), { memoryCap: 1 << 20 })).not.toThrow();
  });

  it('random corruption of headers never escapes as anything but BadImageError', () => {
    const base = image().bytes;
    let seed = 2024;
    const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 8; };
    let refused = 0;
    for (let n = 0; n < 5000; n++) {
      const b = Uint8Array.from(base);
      for (let k = 1 + (rnd() % 4); k > 0; k--) b[rnd() % (rnd() % 2 ? 52 + 32 * 4 : b.length)] = rnd() & 0xff;
      const cut = rnd() % 8 === 0 ? rnd() % b.length : b.length;
      try {
        parseElf(b.subarray(0, cut), 'f');
      } catch (e) {
        expect(e).toBeInstanceOf(BadImageError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(500);
  });
});

describe('malformed program files (CLI)', () => {
  const built = existsSync(join(ROOT, 'dist/cli/main.js'));
  mkdirSync(tmp, { recursive: true });
  for (const c of cases.filter((x) => !x.libraryOnly)) {
    it.skipIf(!built)(`${c.name}: exit code 66 with a message`, () => {
      const file = join(tmp, c.name.replace(/\W+/g, '-'));
      writeFileSync(file, c.bytes());
      const r = spawnSync(process.execPath, [CLI, 'run', ...(c.args ?? []), file], { encoding: 'utf8' });
      expect(r.status).toBe(66);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^asmbox: error: /);
      expect(r.stderr).toContain(file);
      expect(r.stderr).toMatch(c.message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
  it.skipIf(!built)('a missing file and a directory are bad input too', () => {
    const missing = spawnSync(process.execPath, [CLI, 'run', join(tmp, 'no-such-file')], { encoding: 'utf8' });
    expect(missing.status).toBe(66);
    expect(missing.stderr).toMatch(/no such file/);
    const dir = spawnSync(process.execPath, [CLI, 'run', tmp], { encoding: 'utf8' });
    expect(dir.status).toBe(66);
    expect(dir.stderr).toMatch(/is a directory/);
  });
});
