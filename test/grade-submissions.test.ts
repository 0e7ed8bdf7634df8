// Finding submissions: files, directories of one student's files, directories of students, globs.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSubmissions, globToRegExp, expandGlob, SubmissionError } from '../src/grade/submissions.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'asmbox-subs-'));
  const files: Record<string, string> = {
    'subs/alice/lab.s': '', 'subs/alice/util.s': '', 'subs/alice/notes.txt': '',
    'subs/bob/lab.asm': '', 'subs/carol/readme.md': '', 'subs/dave.s': '', 'subs/harness.s': '',
    'one/x.s': '',
  };
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
});

const names = (subs: { name: string; files: string[] }[]) => subs.map((s) => [s.name, s.files.map((f) => f.slice(root.length + 1))]);

describe('findSubmissions', () => {
  it('treats a directory of students as one submission each', () => {
    const subs = findSubmissions(['subs'], ['*.s', '*.asm'], [join(root, 'subs/harness.s')], root);
    expect(names(subs)).toEqual([
      ['alice', ['subs/alice/lab.s', 'subs/alice/util.s']],
      ['bob', ['subs/bob/lab.asm']],
      ['carol', []],
      ['dave', ['subs/dave.s']],
    ]);
  });

  it('treats a directory with sources as one submission, and files as themselves', () => {
    expect(names(findSubmissions(['subs/alice', 'one/x.s'], ['*.s'], [], root))).toEqual([
      ['alice', ['subs/alice/lab.s', 'subs/alice/util.s']],
      ['x', ['one/x.s']],
    ]);
  });

  it('expands quoted globs', () => {
    expect(names(findSubmissions(['subs/*/lab.*'], ['*.s', '*.asm'], [], root))).toEqual([
      // both are called 'lab': repeated names become paths
      ['subs/alice/lab.s', ['subs/alice/lab.s']],
      ['subs/bob/lab.asm', ['subs/bob/lab.asm']],
    ]);
    expect(expandGlob('subs/**/*.s', root).map((p) => p.slice(root.length + 1))).toEqual(['subs/alice/lab.s', 'subs/alice/util.s', 'subs/dave.s', 'subs/harness.s']);
  });

  it('with single, takes each argument as one submission, sources from all subdirectories', () => {
    expect(names(findSubmissions(['subs'], ['*.s', '*.asm'], [join(root, 'subs/harness.s')], root, true))).toEqual([
      ['subs', ['subs/alice/lab.s', 'subs/alice/util.s', 'subs/bob/lab.asm', 'subs/dave.s']],
    ]);
  });

  it('fails clearly for missing paths and empty globs', () => {
    expect(() => findSubmissions(['nope'], ['*.s'], [], root)).toThrow(SubmissionError);
    expect(() => findSubmissions(['nope/*.s'], ['*.s'], [], root)).toThrow(/no files match/);
  });

  it('converts globs', () => {
    expect(globToRegExp('*.s').test('a.s')).toBe(true);
    expect(globToRegExp('*.s').test('a/b.s')).toBe(false);
    expect(globToRegExp('**/*.s').test('a/b/c.s')).toBe(true);
    expect(globToRegExp('lab[0-9].s').test('lab3.s')).toBe(true);
    expect(globToRegExp('lab?.s').test('lab.s')).toBe(false);
  });
});
