// Start-up caches: the parsed instruction table embedded in the bundles (src/isa/table.ts,
// scripts/bundle.mjs) and V8's code cache for dist/bundle/cli.cjs (bin/asmbox.js,
// scripts/codecache.mjs). Each must be used when it matches and ignored when it does not.
// The code-cache tests run a copy of the built launcher and bundle (needs `npm run build`).
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadIsaTable, mips32Table, parseIsa, serializeIsaTable } from '../src/isa/table.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ISA = readFileSync(join(ROOT, 'isa/mips32.isa'), 'utf8');
const NAME = 'isa/mips32.isa';

describe('instruction table cache', () => {
  it('round-trips to the parsed table', () => {
    const parsed = parseIsa(ISA, NAME);
    const cache = JSON.parse(JSON.stringify(serializeIsaTable(parsed, ISA, NAME)));
    const loaded = loadIsaTable(ISA, NAME, cache);
    expect(loaded).toEqual(parsed);
    expect(loaded).toEqual(mips32Table());
    // alias conditions share the field objects of their base instruction, as parsed ones do
    for (const al of loaded.aliases) for (const c of al.conds) expect(al.base.fields).toContain(c.field);
    expect([...loaded.aliasesOf.keys()]).toEqual([...parsed.aliasesOf.keys()]);
  });

  it('is used only for exactly the source it was made from', () => {
    const cache = serializeIsaTable(parseIsa(ISA, NAME), ISA, NAME);
    cache.insns[0][6] = 99999; // a mark that only the cache carries
    expect(loadIsaTable(ISA, NAME, cache).insns[0].line).toBe(99999);
    const edited = ISA + '\n# a comment\n';
    expect(loadIsaTable(edited, NAME, cache).insns[0].line).not.toBe(99999);
    expect(loadIsaTable(ISA, 'other.isa', cache).insns[0].line).not.toBe(99999);
    expect(() => loadIsaTable(ISA + 'dupe 000000 rs:5 rt:5 rd:5 00000 100001 | rd, rs, rt |\n', NAME, cache)).toThrow(
      /encoding of dupe is identical to addu/,
    );
  });
});

const built = existsSync(join(ROOT, 'dist/bundle/cli.cjs.v8cache'));

describe.skipIf(!built)('V8 code cache for the CLI bundle', () => {
  // A copy of the package's run-time files, to tamper with.
  const pkg = mkdtempSync(join(tmpdir(), 'asmbox-startup-'));
  afterAll(() => rmSync(pkg, { recursive: true, force: true }));
  mkdirSync(join(pkg, 'bin'));
  mkdirSync(join(pkg, 'dist/bundle'), { recursive: true });
  cpSync(join(ROOT, 'bin/asmbox.js'), join(pkg, 'bin/asmbox.js'));
  cpSync(join(ROOT, 'isa'), join(pkg, 'isa'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), '{ "type": "module" }\n');
  const bundle = join(pkg, 'dist/bundle/cli.cjs');
  const cache = `${bundle}.v8cache`;
  const hello = join(pkg, 'hello.s');
  writeFileSync(hello, '.data\nmsg: .asciiz "hi there\\n"\n.text\nmain: li $v0, 4\nla $a0, msg\nsyscall\nli $v0, 10\nsyscall\n');
  const fresh = () => {
    cpSync(join(ROOT, 'dist/bundle/cli.cjs'), bundle);
    cpSync(join(ROOT, 'dist/bundle/cli.cjs.v8cache'), cache);
  };
  const asmbox = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(pkg, 'bin/asmbox.js'), ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ASMBOX_CODE_CACHE: 'debug' },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('is used when it was made from this bundle', () => {
    fresh();
    expect(asmbox('--version')).toEqual({ status: 0, stdout: '0.1.0\n', stderr: 'asmbox: code cache used\n' });
    const r = asmbox('run', hello);
    expect(r).toMatchObject({ status: 0, stdout: 'hi there\n', stderr: 'asmbox: code cache used\n' });
  });

  it('is ignored when the bundle changed, even to text of the same length', () => {
    fresh();
    const src = readFileSync(bundle, 'latin1');
    expect(src).toContain('.version("0.1.0")');
    writeFileSync(bundle, src.replace('.version("0.1.0")', '.version("9.9.9")'), 'latin1');
    expect(asmbox('--version')).toEqual({ status: 0, stdout: '9.9.9\n', stderr: 'asmbox: code cache stale\n' });
  });

  it('is ignored when V8 rejects it or it is missing', () => {
    fresh();
    const buf = readFileSync(cache);
    buf.fill(0x55, 32 + 16); // keeps the header (the bundle's hash), spoils V8's data
    writeFileSync(cache, buf);
    expect(asmbox('run', hello)).toMatchObject({ status: 0, stdout: 'hi there\n', stderr: 'asmbox: code cache rejected\n' });
    rmSync(cache);
    expect(asmbox('run', hello)).toMatchObject({ status: 0, stdout: 'hi there\n', stderr: 'asmbox: code cache missing\n' });
  });

  it('never hides a change to the instruction table', () => {
    fresh();
    writeFileSync(join(pkg, 'isa/mips32.isa'), ISA + 'dupe 000000 rs:5 rt:5 rd:5 00000 100001 | rd, rs, rt |\n');
    const r = asmbox('run', hello);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/encoding of dupe is identical to addu/);
    cpSync(join(ROOT, 'isa'), join(pkg, 'isa'), { recursive: true });
  });
});
