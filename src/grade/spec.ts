// Grading specifications: the YAML/JSON schema, its validation (every problem reported with
// its key path and line) and the resolved, ready-to-run form the runner consumes.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { closest, Cursor, parseSpecText, Problems, SpecError } from './yaml-cursor.js';

export { SpecError } from './yaml-cursor.js';

export const MATCH_MODES = ['exact', 'trimmed', 'normalised', 'regex', 'contains'] as const;
export type MatchMode = (typeof MATCH_MODES)[number];
export const VISIBILITIES = ['visible', 'hidden', 'after_due_date', 'after_published'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export type Compat = 'mars' | 'spim';
export type EngineName = 'interp' | 'jit';

export interface OutputExpectation {
  mode: MatchMode;
  /** For `contains`, every listed string must occur; otherwise one pattern or text. */
  texts: string[];
  /** Where the expectation came from when read from a file (for reports). */
  file?: string;
}

/** An address in a postcondition or argument: label(+/-offset), number, named data, or a register's final value. */
export type AddrExpr =
  | { kind: 'abs'; addr: number; text: string }
  | { kind: 'label'; label: string; offset: number; text: string }
  | { kind: 'reg'; reg: number; offset: number; text: string };

export type ExpectedValue = { kind: 'int'; value: number } | { kind: 'addr'; addr: AddrExpr };

export type Postcondition =
  | { kind: 'reg'; key: string; reg: number; expected: ExpectedValue }
  | { kind: 'mem'; key: string; width: 1 | 2 | 4; addr: AddrExpr; values: number[] }
  | { kind: 'mem_string'; key: string; addr: AddrExpr; value: string };

export type DataKind = 'words' | 'halves' | 'bytes' | 'string' | 'space';

export type CallArg =
  | { kind: 'int'; value: number }
  | { kind: 'addr'; addr: AddrExpr }
  | { kind: 'data'; data: DataKind; values: number[]; text?: string; size: number; name?: string };

export interface CallSpec {
  /** Label of the student's function. */
  function: string;
  args: CallArg[];
  /** Check $s0-$s7, $fp, $sp (and the return through $ra) after the call. */
  checkSaved: boolean;
}

export interface Limits {
  maxInsns: number;
  timeoutMs: number;
  maxOutput: number;
  memoryCap: number;
}

export interface TestSpec {
  index: number;
  name: string;
  description?: string;
  points: number;
  visibility: Visibility;
  stdin: string;
  args: string[];
  stdout?: OutputExpectation;
  stderr?: OutputExpectation;
  exitCode?: number;
  post: Postcondition[];
  /** Instructor files assembled together with the submission (absolute paths). */
  harness: string[];
  /** Label to start at (program tests); default `main`. */
  entry?: string;
  call?: CallSpec;
  limits: Limits;
  compat: Compat;
  engine: EngineName;
  seed: number;
  /** A host directory the guest may use through file syscalls. */
  files?: { dir: string; write: boolean };
}

export interface GradeSpec {
  name: string;
  file: string;
  dir: string;
  /** Which files of a submission directory are assembled (basename globs); default *.s, *.asm. */
  sources: string[];
  tests: TestSpec[];
  maxScore: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxInsns: 10_000_000,
  timeoutMs: 10_000,
  maxOutput: 1 << 20,
  memoryCap: 64 * 1024 * 1024,
};

const SETTING_KEYS = ['points', 'visibility', 'match', 'compat', 'engine', 'max_insns', 'timeout', 'max_output', 'memory_cap', 'seed', 'harness', 'entry', 'files', 'check_saved'] as const;
const TEST_KEYS = [...SETTING_KEYS, 'name', 'description', 'stdin', 'stdin_file', 'args', 'expect', 'call'] as const;
const TOP_KEYS = ['name', 'defaults', 'tests', 'sources'] as const;
const OUTPUT_KEYS = ['stdout', 'stdout_file', 'stderr', 'stderr_file', 'exit_code'];
const CALL_KEYS = ['function', 'args', 'check_saved'];
const DATA_KINDS: DataKind[] = ['words', 'halves', 'bytes', 'string', 'space'];

const REG_NAMES = [
  'zero', 'at', 'v0', 'v1', 'a0', 'a1', 'a2', 'a3', 't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7',
  's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 't8', 't9', 'k0', 'k1', 'gp', 'sp', 'fp', 'ra',
];

/** Register number for `$v0`, `$2`, `v0`, `$s8`, `hi`, `lo` (32, 33); -1 if not a register. */
export function registerNumber(name: string): number {
  const t = name.trim().replace(/^\$/, '').toLowerCase();
  if (/^\d+$/.test(t)) return Number(t) < 32 ? Number(t) : -1;
  if (t === 's8') return 30;
  if (t === 'hi') return 32;
  if (t === 'lo') return 33;
  return REG_NAMES.indexOf(t);
}

export function registerName(n: number): string {
  return n === 32 ? 'hi' : n === 33 ? 'lo' : `$${REG_NAMES[n]}`;
}

const LABEL_RE = /^[A-Za-z_.$][A-Za-z0-9_.$]*$/;

/** Parses `label`, `label+8`, `0x10010000`, `$a0`, `$v0+4`. */
export function parseAddrExpr(text: string): AddrExpr | string {
  const t = text.trim();
  const num = parseIntText(t);
  if (num !== null) return { kind: 'abs', addr: num >>> 0, text: t };
  const m = /^(\$?[A-Za-z_.][A-Za-z0-9_.$]*)\s*(?:([+-])\s*(0x[0-9a-f]+|\d+))?$/i.exec(t);
  if (!m) return `'${t}' is not an address: expected a label, label+offset, a number or a $register`;
  const offset = m[2] ? (m[2] === '-' ? -1 : 1) * Number(parseIntText(m[3])) : 0;
  if (m[1].startsWith('$')) {
    const reg = registerNumber(m[1]);
    if (reg < 0 || reg > 31) return `'${m[1]}' is not a general-purpose register`;
    return { kind: 'reg', reg, offset, text: t };
  }
  if (!LABEL_RE.test(m[1])) return `'${m[1]}' is not a label`;
  return { kind: 'label', label: m[1], offset, text: t };
}

/** Decimal, 0x hex, 0b binary, with an optional sign; null if not an integer. */
export function parseIntText(t: string): number | null {
  const m = /^([+-]?)(0x[0-9a-f_]+|0b[01_]+|\d[\d_]*)$/i.exec(t.trim());
  if (!m) return null;
  const body = m[2].replace(/_/g, '');
  const v = /^0x/i.test(body) ? parseInt(body.slice(2), 16) : /^0b/i.test(body) ? parseInt(body.slice(2), 2) : Number(body);
  return m[1] === '-' ? -v : v;
}

interface Settings {
  points: number;
  visibility: Visibility;
  match: MatchMode;
  compat: Compat;
  engine: EngineName;
  limits: Limits;
  seed?: number;
  harness: string[];
  entry?: string;
  files?: { dir: string; write: boolean };
  checkSaved: boolean;
}

/** Reads and validates a spec file. Throws SpecError listing every problem found. */
export function loadSpec(file: string): GradeSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpecError(file, [{ path: '', line: 0, col: 0, message: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a YAML or JSON spec' : `cannot read: ${(e as Error).message}` }]);
  }
  return parseSpec(text, file);
}

/** Validates spec text; relative paths in it are resolved against the spec's directory. */
export function parseSpec(text: string, file: string, baseDir = dirname(resolve(file))): GradeSpec {
  const { root, problems } = parseSpecText(text, file);
  const v = new Validator(problems, baseDir);
  const spec = v.spec(root, file);
  if (problems.list.length) throw new SpecError(file, [...problems.list].sort((a, b) => a.line - b.line || a.col - b.col));
  return spec;
}

class Validator {
  constructor(
    private readonly p: Problems,
    private readonly baseDir: string,
  ) {}

  private unknownKeys(cur: Cursor, allowed: readonly string[], what: string): void {
    for (const [key, child] of cur.entries()) {
      if (allowed.includes(key)) continue;
      const hint = closest(key, allowed);
      this.p.at(child, `unknown ${what} key '${key}'${hint ? ` (did you mean '${hint}'?)` : `; allowed: ${allowed.join(', ')}`}`, true);
    }
  }

  private str(cur: Cursor, what = 'a string'): string | undefined {
    const k = cur.kind();
    if (k === 'string') return cur.value() as string;
    if (k === 'number' || k === 'boolean') return String(cur.value());
    this.p.at(cur, `expected ${what}, got ${describe(cur)}`);
    return undefined;
  }

  private int(cur: Cursor, min: number, max = Number.MAX_SAFE_INTEGER, what = 'an integer'): number | undefined {
    let v: number | null = null;
    if (cur.kind() === 'number') v = cur.value() as number;
    else if (cur.kind() === 'string') v = parseIntText(cur.value() as string);
    if (v === null || !Number.isInteger(v) || v < min || v > max) {
      this.p.at(cur, `expected ${what}${min > -Infinity ? ` >= ${min}` : ''}${max < Number.MAX_SAFE_INTEGER ? ` and <= ${max}` : ''}, got ${describe(cur)}`);
      return undefined;
    }
    return v;
  }

  /** A 32-bit value: -2^31 .. 2^32-1, stored as signed. */
  private word(cur: Cursor): number | undefined {
    const v = this.int(cur, -(2 ** 31), 2 ** 32 - 1, 'a 32-bit integer');
    return v === undefined ? undefined : v | 0;
  }

  private num(cur: Cursor, minExclusive: number): number | undefined {
    const v = cur.kind() === 'number' ? (cur.value() as number) : cur.kind() === 'string' ? Number(cur.value()) : NaN;
    if (!Number.isFinite(v) || v <= minExclusive) {
      this.p.at(cur, `expected a number > ${minExclusive}, got ${describe(cur)}`);
      return undefined;
    }
    return v;
  }

  private bool(cur: Cursor): boolean | undefined {
    if (cur.kind() === 'boolean') return cur.value() as boolean;
    this.p.at(cur, `expected true or false, got ${describe(cur)}`);
    return undefined;
  }

  private oneOf<T extends string>(cur: Cursor, values: readonly T[], aliases: Record<string, T> = {}): T | undefined {
    const s = cur.kind() === 'string' ? (cur.value() as string) : undefined;
    if (s !== undefined) {
      if ((values as readonly string[]).includes(s)) return s as T;
      if (aliases[s]) return aliases[s];
    }
    const hint = s ? closest(s, values) : null;
    this.p.at(cur, `expected one of ${values.join(', ')}, got ${describe(cur)}${hint ? ` (did you mean '${hint}'?)` : ''}`);
    return undefined;
  }

  private path(cur: Cursor, kind: 'file' | 'dir'): string | undefined {
    const s = this.str(cur, `a ${kind === 'file' ? 'file' : 'directory'} path`);
    if (s === undefined) return undefined;
    const abs = resolve(this.baseDir, s);
    try {
      const st = statSync(abs);
      if (kind === 'file' && !st.isFile()) throw new Error('not a file');
      if (kind === 'dir' && !st.isDirectory()) throw new Error('not a directory');
    } catch (e) {
      this.p.at(cur, `${s}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? `no such ${kind === 'file' ? 'file' : 'directory'}` : (e as Error).message} (paths are relative to the spec's directory)`);
      return undefined;
    }
    return abs;
  }

  private readText(cur: Cursor): { text: string; file: string } | undefined {
    const abs = this.path(cur, 'file');
    if (abs === undefined) return undefined;
    return { text: readFileSync(abs, 'utf8'), file: abs };
  }

  private expectMap(cur: Cursor, what: string): boolean {
    if (cur.kind() === 'map') return true;
    this.p.at(cur, `expected ${what} (a mapping), got ${describe(cur)}`);
    return false;
  }

  spec(root: Cursor, file: string): GradeSpec {
    const empty: GradeSpec = { name: '', file, dir: this.baseDir, sources: ['*.s', '*.asm'], tests: [], maxScore: 0 };
    if (!this.expectMap(root, 'the spec')) return empty;
    this.unknownKeys(root, TOP_KEYS, 'top-level');
    const name = root.get('name') ? this.str(root.child('name')) ?? '' : file.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/i, '');
    let sources = empty.sources;
    const srcCur = root.get('sources');
    if (srcCur) {
      const list = srcCur.kind() === 'string' ? [srcCur] : srcCur.kind() === 'seq' ? srcCur.items() : null;
      if (!list || !list.length) this.p.at(srcCur, `expected a file pattern or a list of them (like '*.s'), got ${describe(srcCur)}`);
      else sources = list.map((c) => this.str(c, 'a file pattern') ?? '*.s');
    }
    const defaults: Settings = {
      // The interpreter by default: a typical test runs thousands of instructions, where
      // translating costs more than it saves (measured 2x faster on bench/grade). Tests that
      // run long can say `engine: jit`.
      points: 1, visibility: 'visible', match: 'trimmed', compat: 'mars', engine: 'interp', limits: { ...DEFAULT_LIMITS },
      harness: [], checkSaved: true,
    };
    const defCur = root.get('defaults');
    const settings = defCur && this.expectMap(defCur, 'defaults') ? this.settings(defCur, defaults, 'defaults') : defaults;
    const testsCur = root.child('tests');
    const tests: TestSpec[] = [];
    if (testsCur.kind() !== 'seq' || testsCur.items().length === 0) {
      this.p.at(testsCur, testsCur.node ? `expected a non-empty list of tests, got ${describe(testsCur)}` : 'missing: a spec needs a list of tests');
    } else {
      const names = new Map<string, number>();
      testsCur.items().forEach((tc, i) => {
        const t = this.test(tc, i, settings);
        if (!t) return;
        if (names.has(t.name)) this.p.at(tc.child('name'), `duplicate test name '${t.name}' (also tests[${names.get(t.name)}])`);
        names.set(t.name, i);
        tests.push(t);
      });
    }
    return { name, file, dir: this.baseDir, sources, tests, maxScore: tests.reduce((s, t) => s + t.points, 0) };
  }

  /** Settings shared by `defaults` and each test; `base` supplies what is not given. */
  private settings(cur: Cursor, base: Settings, what: 'defaults' | 'test'): Settings {
    if (what === 'defaults') this.unknownKeys(cur, SETTING_KEYS, 'defaults');
    const s: Settings = { ...base, limits: { ...base.limits } };
    const g = (k: string) => cur.get(k);
    let c: Cursor | undefined;
    if ((c = g('points'))) s.points = this.num(c, -1) ?? s.points;
    if ((c = g('visibility'))) s.visibility = this.oneOf(c, VISIBILITIES, { 'after-due-date': 'after_due_date', 'after-published': 'after_published' }) ?? s.visibility;
    if ((c = g('match'))) s.match = this.oneOf(c, MATCH_MODES, { normalized: 'normalised', trim: 'trimmed' }) ?? s.match;
    if ((c = g('compat'))) s.compat = this.oneOf(c, ['mars', 'spim'] as const) ?? s.compat;
    if ((c = g('engine'))) s.engine = this.oneOf(c, ['interp', 'jit'] as const) ?? s.engine;
    if ((c = g('max_insns'))) s.limits.maxInsns = this.int(c, 1) ?? s.limits.maxInsns;
    if ((c = g('timeout'))) { const v = this.num(c, 0); if (v !== undefined) s.limits.timeoutMs = v * 1000; }
    if ((c = g('max_output'))) s.limits.maxOutput = this.int(c, 0) ?? s.limits.maxOutput;
    if ((c = g('memory_cap'))) { const v = this.num(c, 0); if (v !== undefined) s.limits.memoryCap = Math.floor(v * 1024 * 1024); }
    if ((c = g('seed'))) s.seed = this.int(c, -(2 ** 53) + 1) ?? s.seed;
    if ((c = g('entry'))) s.entry = this.label(c) ?? s.entry;
    if ((c = g('check_saved'))) s.checkSaved = this.bool(c) ?? s.checkSaved;
    if ((c = g('harness'))) {
      const list = c.kind() === 'seq' ? c.items() : [c];
      s.harness = list.map((h) => this.path(h, 'file')).filter((x): x is string => x !== undefined);
    }
    if ((c = g('files'))) {
      if (c.kind() === 'string') {
        const dir = this.path(c, 'dir');
        if (dir) s.files = { dir, write: false };
      } else if (this.expectMap(c, "'files' (a directory, or {dir: DIR, write: true})")) {
        this.unknownKeys(c, ['dir', 'write'], 'files');
        const dir = this.path(c.child('dir'), 'dir');
        const write = c.get('write') ? this.bool(c.child('write')) ?? false : false;
        if (dir) s.files = { dir, write };
      }
    }
    return s;
  }

  private label(cur: Cursor): string | undefined {
    const s = this.str(cur, 'a label');
    if (s === undefined) return undefined;
    if (!LABEL_RE.test(s)) { this.p.at(cur, `'${s}' is not a valid label`); return undefined; }
    return s;
  }

  private test(tc: Cursor, index: number, defaults: Settings): TestSpec | null {
    if (!this.expectMap(tc, 'a test')) return null;
    this.unknownKeys(tc, TEST_KEYS, 'test');
    const s = this.settings(tc, defaults, 'test');
    const nameCur = tc.child('name');
    const name = nameCur.node ? this.str(nameCur) : (this.p.at(nameCur, 'missing: every test needs a name'), undefined);
    const t: TestSpec = {
      index, name: name ?? `test ${index + 1}`, points: s.points, visibility: s.visibility, stdin: '', args: [], post: [],
      harness: s.harness, entry: s.entry, limits: s.limits, compat: s.compat, engine: s.engine,
      seed: s.seed ?? hashSeed(name ?? String(index)), files: s.files,
    };
    let c: Cursor | undefined;
    if ((c = tc.get('description'))) t.description = this.str(c);
    if (tc.get('stdin') && tc.get('stdin_file')) this.p.at(tc.child('stdin_file'), 'give stdin or stdin_file, not both');
    if ((c = tc.get('stdin'))) t.stdin = this.str(c) ?? '';
    if ((c = tc.get('stdin_file'))) t.stdin = this.readText(c)?.text ?? '';
    if ((c = tc.get('args'))) {
      if (c.kind() !== 'seq') this.p.at(c, `expected a list of program arguments, got ${describe(c)}`);
      else t.args = c.items().map((a) => this.str(a) ?? '');
    }
    if ((c = tc.get('call'))) t.call = this.call(c, s.checkSaved);
    if (t.call && tc.get('entry')) this.p.at(tc.child('entry'), "a function test ('call') starts at its function; 'entry' does not apply");
    if (t.call && tc.get('args')) this.p.at(tc.child('args'), "program arguments do not apply to a function test: put the function's arguments in call.args");
    const exp = tc.get('expect');
    if (!exp) this.p.at(tc.child('expect'), "missing: a test needs 'expect' (stdout, exit_code, registers or memory to check)");
    else if (this.expectMap(exp, "'expect'")) this.expect(exp, t, s.match);
    return t;
  }

  private call(c: Cursor, checkSaved: boolean): CallSpec | undefined {
    if (c.kind() === 'string') {
      const fn = this.label(c);
      return fn ? { function: fn, args: [], checkSaved } : undefined;
    }
    if (!this.expectMap(c, "'call' (a function label, or {function: LABEL, args: [...]})")) return undefined;
    this.unknownKeys(c, CALL_KEYS, 'call');
    const fnCur = c.child('function');
    const fn = fnCur.node ? this.label(fnCur) : (this.p.at(fnCur, "missing: the label of the function to call"), undefined);
    const spec: CallSpec = { function: fn ?? '', args: [], checkSaved };
    const argsCur = c.get('args');
    if (argsCur) {
      if (argsCur.kind() !== 'seq') this.p.at(argsCur, `expected a list of arguments, got ${describe(argsCur)}`);
      else spec.args = argsCur.items().map((a) => this.callArg(a)).filter((a): a is CallArg => !!a);
    }
    if (c.get('check_saved')) spec.checkSaved = this.bool(c.child('check_saved')) ?? checkSaved;
    return fn ? spec : undefined;
  }

  private callArg(a: Cursor): CallArg | undefined {
    if (a.kind() === 'number') {
      const v = this.word(a);
      return v === undefined ? undefined : { kind: 'int', value: v };
    }
    if (a.kind() === 'string') {
      const s = a.value() as string;
      const n = parseIntText(s);
      if (n !== null) { const v = this.word(a); return v === undefined ? undefined : { kind: 'int', value: v }; }
      const addr = parseAddrExpr(s);
      if (typeof addr === 'string') { this.p.at(a, addr); return undefined; }
      if (addr.kind === 'reg') { this.p.at(a, 'an argument cannot be a register'); return undefined; }
      return { kind: 'addr', addr };
    }
    if (a.kind() !== 'map') {
      this.p.at(a, `expected an integer, a label, or data ({words: [...]}, {string: "..."}, {bytes: [...]}, {halves: [...]}, {space: N}), got ${describe(a)}`);
      return undefined;
    }
    this.unknownKeys(a, [...DATA_KINDS, 'name'], 'argument');
    const kinds = DATA_KINDS.filter((k) => a.get(k));
    if (kinds.length !== 1) {
      this.p.at(a, `an argument mapping needs exactly one of ${DATA_KINDS.join(', ')}`);
      return undefined;
    }
    const kind = kinds[0];
    const vc = a.child(kind);
    let name: string | undefined;
    if (a.get('name')) name = this.label(a.child('name'));
    if (kind === 'string') {
      const text = this.str(vc);
      if (text === undefined) return undefined;
      return { kind: 'data', data: 'string', values: [], text, size: Buffer.byteLength(text) + 1, name };
    }
    if (kind === 'space') {
      const n = this.int(vc, 0, 1 << 20);
      return n === undefined ? undefined : { kind: 'data', data: 'space', values: [], size: n, name };
    }
    const width = kind === 'words' ? 4 : kind === 'halves' ? 2 : 1;
    const values = this.valueList(vc, width);
    return values ? { kind: 'data', data: kind, values, size: values.length * width, name } : undefined;
  }

  private valueList(c: Cursor, width: 1 | 2 | 4): number[] | undefined {
    const items = c.kind() === 'seq' ? c.items() : [c];
    const min = width === 4 ? -(2 ** 31) : -(2 ** (width * 8 - 1));
    const max = width === 4 ? 2 ** 32 - 1 : 2 ** (width * 8) - 1;
    const out: number[] = [];
    for (const it of items) {
      const v = this.int(it, min, max, `a ${width * 8}-bit integer`);
      if (v === undefined) return undefined;
      out.push(width === 4 ? v | 0 : v & (2 ** (width * 8) - 1));
    }
    return out;
  }

  private output(c: Cursor, defaultMode: MatchMode, fromFile: boolean): OutputExpectation | undefined {
    if (fromFile) {
      const f = this.readText(c);
      return f ? { mode: defaultMode, texts: [f.text], file: f.file } : undefined;
    }
    if (c.kind() === 'string' || c.kind() === 'number') return { mode: defaultMode, texts: [String(c.value())] };
    if (c.kind() !== 'map') {
      this.p.at(c, `expected the output (a string) or {${MATCH_MODES.join('|')}: ...}, got ${describe(c)}`);
      return undefined;
    }
    const entries = c.entries();
    const aliases: Record<string, MatchMode> = { normalized: 'normalised', trim: 'trimmed' };
    if (entries.length !== 1) {
      this.p.at(c, `expected exactly one of ${MATCH_MODES.join(', ')}`);
      return undefined;
    }
    const [key, vc] = entries[0];
    const mode = (MATCH_MODES as readonly string[]).includes(key) ? (key as MatchMode) : aliases[key];
    if (!mode) {
      const hint = closest(key, MATCH_MODES);
      this.p.at(vc, `unknown match mode '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}; one of ${MATCH_MODES.join(', ')}`, true);
      return undefined;
    }
    if (vc.kind() === 'map') {
      this.unknownKeys(vc, ['file'], 'output');
      const f = this.readText(vc.child('file'));
      return f ? { mode, texts: [f.text], file: f.file } : undefined;
    }
    const list = vc.kind() === 'seq' ? vc.items() : [vc];
    if (list.length > 1 && mode !== 'contains' && mode !== 'regex') {
      this.p.at(vc, `a list of texts is only meaningful for 'contains' and 'regex' (all must match)`);
      return undefined;
    }
    const texts = list.map((x) => this.str(x) ?? '');
    if (mode === 'regex') {
      texts.forEach((r, i) => {
        try { new RegExp(r, 'm'); } catch (e) { this.p.at(list[i], `bad regular expression: ${(e as Error).message}`); }
      });
    }
    return { mode, texts };
  }

  private expect(exp: Cursor, t: TestSpec, match: MatchMode): void {
    for (const [key, c] of exp.entries()) {
      switch (key) {
        case 'stdout': t.stdout = this.output(c, match, false); continue;
        case 'stdout_file': t.stdout = this.output(c, match, true); continue;
        case 'stderr': t.stderr = this.output(c, match, false); continue;
        case 'stderr_file': t.stderr = this.output(c, match, true); continue;
        case 'exit_code':
          if (t.call) this.p.at(c, 'a function test returns instead of exiting; check $v0 instead of exit_code');
          t.exitCode = this.int(c, 0, 255);
          continue;
      }
      const post = this.postcondition(key, c);
      if (post) t.post.push(post);
    }
    if (exp.get('stdout') && exp.get('stdout_file')) this.p.at(exp.child('stdout_file'), 'give stdout or stdout_file, not both');
    if (exp.entries().length === 0) this.p.at(exp, 'nothing to check: add stdout, exit_code, a register ($v0: 42) or memory (mem[label]: [..])');
  }

  private postcondition(key: string, c: Cursor): Postcondition | undefined {
    if (key.startsWith('$') || key === 'hi' || key === 'lo') {
      const reg = registerNumber(key);
      if (reg < 0) { this.p.at(c, `'${key}' is not a register ($v0, $a0, $t3, $s0, $sp, $2, hi, lo, ...)`, true); return undefined; }
      if (c.kind() === 'string' && parseIntText(c.value() as string) === null) {
        const addr = parseAddrExpr(c.value() as string);
        if (typeof addr === 'string') { this.p.at(c, addr); return undefined; }
        return { kind: 'reg', key, reg, expected: { kind: 'addr', addr } };
      }
      const v = this.word(c);
      return v === undefined ? undefined : { kind: 'reg', key, reg, expected: { kind: 'int', value: v } };
    }
    const m = /^(mem|mem_word|mem_half|mem_byte|mem_string)\[(.+)\]$/.exec(key);
    if (!m) {
      const hint = closest(key, [...OUTPUT_KEYS, '$v0', 'mem[label]', 'mem_string[label]']);
      this.p.at(c, `unknown expectation '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}: use ${OUTPUT_KEYS.join(', ')}, a register ($v0: 42), mem[label]: [..], mem_half[..], mem_byte[..] or mem_string[label]: "..."`, true);
      return undefined;
    }
    const addr = parseAddrExpr(m[2]);
    if (typeof addr === 'string') { this.p.at(c, addr, true); return undefined; }
    if (m[1] === 'mem_string') {
      const s = this.str(c);
      return s === undefined ? undefined : { kind: 'mem_string', key, addr, value: s };
    }
    const width = m[1] === 'mem_half' ? 2 : m[1] === 'mem_byte' ? 1 : 4;
    const values = this.valueList(c, width);
    return values ? { kind: 'mem', key, width, addr, values } : undefined;
  }
}

function describe(c: Cursor): string {
  const k = c.kind();
  if (!c.node) return 'nothing';
  if (k === 'string') return `'${String(c.value()).slice(0, 40)}'`;
  if (k === 'number' || k === 'boolean') return String(c.value());
  return k === 'map' ? 'a mapping' : k === 'seq' ? 'a list' : 'nothing';
}

/** A stable 31-bit seed from a test name (FNV-1a), so each test gets its own random stream. */
export function hashSeed(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 1);
}
