// The exact text of the assembler's diagnostics for a few bad programs
// (test/fixtures/asm/errors/*.s -> *.err). Regenerate with UPDATE_ASM_FIXTURES=1.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { messages } from './fixtures/asm/helpers.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/asm/errors');
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');

/** Each case: the files assembled together, and the fixture with the expected messages. */
const CASES: { name: string; files: string[] }[] = [
  { name: 'typos', files: ['typos.s'] },
  { name: 'data', files: ['data.s'] },
  { name: 'macro', files: ['macro.s'] },
  { name: 'two-files', files: ['main.s', 'lib.s'] },
  { name: 'ranges', files: ['ranges.s'] },
];

describe('assembler diagnostics (exact text)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const files = Object.fromEntries(c.files.map((f) => [f, read(f)]));
      const got = messages(files, {}, c.files);
      const fixture = join(DIR, `${c.name}.err`);
      if (process.env.UPDATE_ASM_FIXTURES || !existsSync(fixture)) writeFileSync(fixture, got);
      expect(got).toBe(readFileSync(fixture, 'utf8'));
    });
  }

  it('every error names file:line:col, shows the line and a caret', () => {
    const got = messages({ 'typos.s': read('typos.s') }, {}, ['typos.s']);
    const heads = got.split('\n').filter((l) => / error: /.test(l));
    expect(heads.length).toBeGreaterThan(5);
    for (const h of heads) expect(h).toMatch(/^typos\.s:\d+:\d+: error: /);
    expect(got).toMatch(/\n +\d+ \| .*\n +\| +\^/);
  });
});
