// Finds submissions from command-line arguments: files, directories and glob patterns.
//   file.s              one submission of one file
//   dir/ with .s files   one submission of all its source files (a student's several files)
//   dir/ of dirs/files   (when some subdirectory holds sources) one submission per
//                        subdirectory and per source file in it
//   'subs/*/lab3.s'      glob patterns (quoted, so the shell leaves them), *, ?, [..], **
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { Submission } from './runner.js';

export class SubmissionError extends Error {}

/** Converts a glob to a regex over '/'-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let cls = glob.slice(i + 1, end);
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const isGlob = (s: string) => /[*?[]/.test(s);

function walk(dir: string, out: string[], depth = 0): void {
  if (depth > 12) return;
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) walk(p, out, depth + 1);
  }
}

/** Expands a glob relative to `cwd` (absolute patterns allowed); sorted matches. */
export function expandGlob(pattern: string, cwd = process.cwd()): string[] {
  const abs = resolve(cwd, pattern).split(sep).join('/');
  const parts = abs.split('/');
  const firstGlob = parts.findIndex(isGlob);
  const root = parts.slice(0, firstGlob).join('/') || '/';
  const re = globToRegExp(abs);
  const all: string[] = [];
  walk(root, all);
  return all.filter((p) => re.test(p.split(sep).join('/'))).sort();
}

function matchesAny(name: string, patterns: RegExp[]): boolean {
  return patterns.some((re) => re.test(name));
}

function sourcesIn(dir: string, patterns: RegExp[]): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && matchesAny(e.name, patterns))
    .map((e) => join(dir, e.name))
    .sort();
}

const stripExt = (f: string) => basename(f).replace(/\.(s|asm|S)$/, '');

/**
 * Resolves arguments into submissions. `sourceGlobs` are basename patterns (`*.s`) that
 * select the files of a directory submission; `exclude` lists files never treated as
 * submissions (the instructor's harness files).
 */
export function findSubmissions(args: string[], sourceGlobs: string[], exclude: string[] = [], cwd = process.cwd(), single = false): Submission[] {
  const patterns = sourceGlobs.map(globToRegExp);
  if (single) return args.map((a) => singleSubmission(resolve(cwd, a), patterns, exclude));
  const excluded = new Set(exclude.map((f) => resolve(f)));
  const subs: Submission[] = [];
  const add = (name: string, path: string, files: string[]) => {
    files = files.filter((f) => !excluded.has(resolve(f)));
    if (files.length || !excluded.has(resolve(path))) subs.push({ name, path, files });
  };
  const addPath = (p: string, explicit: boolean) => {
    let st;
    try { st = statSync(p); } catch { throw new SubmissionError(`${relative(cwd, p) || p}: no such file or directory`); }
    if (st.isFile()) { add(stripExt(p), p, [p]); return; }
    if (!st.isDirectory()) throw new SubmissionError(`${p}: not a file or directory`);
    const children = readdirSync(p, { withFileTypes: true }).filter((e) => !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name));
    const own = sourcesIn(p, patterns).filter((f) => !excluded.has(resolve(f)));
    const subdirsWithSources = children.some((e) => e.isDirectory() && sourcesIn(join(p, e.name), patterns).length > 0);
    if (own.length && !subdirsWithSources) { add(basename(p), p, own); return; }
    // A directory of submissions: one per subdirectory (with sources) and per source file.
    let found = 0;
    for (const e of children) {
      const cp = join(p, e.name);
      if (e.isDirectory()) {
        const files = sourcesIn(cp, patterns);
        if (files.length) { add(e.name, cp, files); found++; } else if (explicit) { add(e.name, cp, []); found++; }
      } else if (e.isFile() && matchesAny(e.name, patterns) && !excluded.has(resolve(cp))) {
        add(stripExt(e.name), cp, [cp]);
        found++;
      }
    }
    if (!found) add(basename(p), p, []); // graded as "no source files" rather than silently skipped
  };
  for (const arg of args) {
    const p = resolve(cwd, arg);
    if (!existsSync(p) && isGlob(arg)) {
      const matches = expandGlob(arg, cwd);
      if (!matches.length) throw new SubmissionError(`${arg}: no files match this pattern`);
      for (const mth of matches) addPath(mth, false);
    } else addPath(p, true);
  }
  // Unique names: disambiguate repeated names by their path.
  const counts = new Map<string, number>();
  for (const s of subs) counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
  for (const s of subs) if ((counts.get(s.name) ?? 0) > 1) s.name = relative(cwd, s.path) || s.name;
  return subs;
}

/** One argument as one submission: a file, or every source file under a directory (recursively). */
function singleSubmission(p: string, patterns: RegExp[], exclude: string[]): Submission {
  let st;
  try { st = statSync(p); } catch { throw new SubmissionError(`${p}: no such file or directory`); }
  if (st.isFile()) return { name: stripExt(p), path: p, files: [p] };
  const excluded = new Set(exclude.map((f) => resolve(f)));
  const all: string[] = [];
  walk(p, all);
  const files = all.filter((f) => matchesAny(basename(f), patterns) && !excluded.has(resolve(f)) && statSync(f).isFile()).sort();
  return { name: basename(p), path: p, files };
}
