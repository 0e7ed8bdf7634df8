// Encoding check: every line of test/fixtures/encoding/forms.s (one real MIPS32r2 instruction
// per line: integer, CP0 and CP1 forms) must assemble under asmbox to the same word GNU as
// emits for it (forms.json, recorded by test/fixtures/encoding/regen.sh).
//
// forms.s is assembled in-process with src/asm's assemble() (or, if that API is missing, with
// `asmbox asm forms.s -o <elf>`, taking the i-th word of the text section for the i-th line);
// with the API each word is matched to its line through the program's address -> line map.
// If asmbox reports errors on some lines, those lines are replaced by `nop` (labels kept, so
// offsets do not move) and the file is assembled again, a few rounds at most; each rejected
// line then fails with its own message.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseElf, SHF_EXECINSTR } from '../src/loader/elf.js';
import { mips32Table } from '../src/isa/table.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = join(ROOT, 'test/fixtures/encoding');
const CLI = join(ROOT, 'bin/asmbox.js');

interface Form { line: number; text: string; word: string }
const forms: Form[] = JSON.parse(readFileSync(join(DIR, 'forms.json'), 'utf8'));
const sourceLines = readFileSync(join(DIR, 'forms.s'), 'utf8').split('\n');
const HEADER = sourceLines.slice(0, forms[0].line - 1);

function asmboxAsm(file: string, out: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, 'asm', file, '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** The words of the executable section (or segment) of an ELF file, in order. */
function textWords(elfPath: string): number[] {
  const elf = parseElf(new Uint8Array(readFileSync(elfPath)), elfPath);
  let start: number, size: number;
  const sec = elf.sections.find((s) => (s.flags & SHF_EXECINSTR) !== 0 && s.size > 0);
  if (sec) {
    start = sec.offset;
    size = sec.size;
  } else {
    const seg = elf.segments.find((s) => s.flags & 1 && s.filesz > 0);
    if (!seg) throw new Error(`${elfPath}: no executable section or segment`);
    start = seg.offset;
    size = seg.filesz;
  }
  const dv = new DataView(elf.bytes.buffer, elf.bytes.byteOffset + start, size);
  const words: number[] = [];
  for (let i = 0; i + 4 <= size; i += 4) words.push(dv.getUint32(i, !elf.bigEndian));
  return words;
}

const hex = (w: number) => (w === -1 ? 'no word at this line' : '0x' + (w >>> 0).toString(16).padStart(8, '0'));

/** forms.s with the instructions at the given indexes replaced by `nop` (labels kept). */
function withNops(skip: Set<number>): string {
  const body = forms.map((f, j) => {
    if (!skip.has(j)) return '        ' + f.text;
    const label = /^\s*((?:[A-Za-z_.$][\w.$]*:\s*)+)/.exec(f.text);
    return '        ' + (label ? label[1] : '') + 'nop';
  });
  return [...HEADER, ...body, ''].join('\n');
}

const byLine = new Map(forms.map((f, i) => [f.line, i]));
let words: number[] | null = null;
/** Why a line has no word: asmbox's messages about it, or the whole run's stderr. */
const rejected = new Map<number, string>();
let failure = '';

type AssembleFn = (sources: { path: string; text?: string }[], opts?: object) => {
  program: { lines: { addr: number; file: string; line: number }[]; listing: { addr: number; word: number }[] } | null;
  diagnostics: { list: { severity: string; message: string; span?: { origin: { line: { lineNo: number } } } }[] };
};

async function loadApi(): Promise<AssembleFn | null> {
  try {
    const mod = (await import('../src/asm/assembler.js')) as { assemble?: AssembleFn };
    return typeof mod.assemble === 'function' ? mod.assemble : null;
  } catch {
    return null;
  }
}

/** Marks the lines named in messages as rejected; returns how many new ones. */
function reject(messages: { line: number | undefined; text: string }[], skip: Set<number>): number {
  let found = 0;
  for (const { line, text } of messages) {
    const i = line === undefined ? undefined : byLine.get(line);
    if (i === undefined || skip.has(i)) continue;
    rejected.set(i, (rejected.get(i) ?? '') + text + ' ');
    found++;
  }
  for (const i of rejected.keys()) skip.add(i);
  return found;
}

async function viaApi(assemble: AssembleFn): Promise<void> {
  const skip = new Set<number>();
  for (let round = 0; round < 4; round++) {
    const r = assemble([{ path: 'forms.s', text: withNops(skip) }]);
    if (r.program) {
      const at = new Map(r.program.listing.map((e) => [e.addr, e.word]));
      const firstAddr = new Map<number, number>();
      for (const li of r.program.lines) if (!firstAddr.has(li.line)) firstAddr.set(li.line, li.addr);
      words = forms.map((f) => at.get(firstAddr.get(f.line) ?? -1) ?? -1);
      return;
    }
    const errors = r.diagnostics.list.filter((d) => d.severity === 'error');
    failure = errors.map((d) => `forms.s:${d.span?.origin.line.lineNo ?? '?'}: ${d.message}`).join('\n');
    if (reject(errors.map((d) => ({ line: d.span?.origin.line.lineNo, text: d.message })), skip) === 0) return;
  }
}

async function viaCli(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'asmbox-enc-'));
  try {
    const skip = new Set<number>();
    for (let round = 0; round < 4; round++) {
      const src = join(tmp, 'forms.s'), out = join(tmp, 'forms.elf');
      writeFileSync(src, withNops(skip));
      const r = await asmboxAsm(src, out);
      if (r.code === 0) {
        words = textWords(out);
        return;
      }
      failure = r.stderr.trim();
      const msgs = r.stderr.split('\n').map((text) => {
        const m = /forms\.s:(\d+)\b/.exec(text);
        return { line: m ? Number(m[1]) : undefined, text: text.trim() };
      });
      if (reject(msgs, skip) === 0) return;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  const api = await loadApi();
  if (api) await viaApi(api);
  else await viaCli();
}, 300_000);

describe('asmbox encodes like GNU as', () => {
  it('forms.json covers every instruction of isa/mips32.isa', () => {
    expect(forms.length).toBeGreaterThan(400);
    const used = new Set(forms.map((f) => f.text.replace(/^(?:[\w.$]+:\s*)+/, '').split(/\s+/)[0]));
    const missing = mips32Table().insns.map((d) => d.name).filter((n) => !used.has(n));
    expect(missing, 'table instructions without a line in forms.s (add them to gen-forms.py, run regen.sh)').toEqual([]);
  });
  it('assembles forms.s, one word per line', () => {
    expect(words, `asmbox asm forms.s failed:\n${failure}`).not.toBeNull();
    expect(words!.length).toBeGreaterThanOrEqual(forms.length);
  });
  it.each(forms.map((f, i) => [i, f.line, f.text, f.word] as const))('#%i forms.s:%i  %s  -> %s', (i, line, text, word) => {
    const got = rejected.has(i) ? `rejected: ${rejected.get(i)}`
      : words ? hex(words[i] ?? 0) : `not assembled: ${failure.split('\n')[0]}`;
    expect(got, `forms.s:${line}: ${text}`).toBe(word);
  });
});
