// Start-up caches: the parsed instruction table embedded in the bundles (src/isa/table.ts,
// scripts/bundle.mjs) must be used when it matches and ignored when it does not.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
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
